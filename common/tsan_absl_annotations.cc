// ThreadSanitizer builds only (cmake/Sanitizers.cmake, REGENATLAS_SANITIZE=
// thread): makes Debian's uninstrumented abseil synchronisation visible to
// TSan.
//
// absl::Mutex is implemented with atomics and futexes inside
// libabsl_synchronization.so, which is not compiled with -fsanitize=thread, so
// TSan sees none of its happens-before edges and reports every access that a
// Mutex protects as a data race. Every executable of a TSan build is linked
// with -Wl,--wrap=<symbol> for the functions below: our (instrumented) calls
// to absl::Mutex::Lock etc. land in __wrap_<symbol>, which calls the real
// function (__real_<symbol>) between the annotations abseil itself makes when
// it is built with TSan (absl/synchronization/mutex.cc: __tsan_mutex_pre_lock,
// __tsan_mutex_post_lock, ...). TSan then knows these are mutexes: it derives
// happens-before from them, tells reader from writer locks, reports lock-order
// inversions and names held mutexes in reports.
//
// Waits that release and re-acquire the mutex inside abseil (Mutex::Await,
// LockWhen, CondVar::Wait) are annotated as an unlock before and a lock after.
// Their absl::Condition may be evaluated by abseil on another thread (the one
// that unlocks), so the wrappers pass abseil an equivalent Condition whose
// evaluation acquires and releases the mutex's TSan clock around the caller's.
// absl::Notification and absl::BlockingCounter hand-offs become release/acquire
// pairs.
//
// Only calls made from our code are wrapped (--wrap rewrites references at our
// executables' link): abseil's own internal uses, and gRPC's, stay invisible,
// which is consistent since they never share a mutex with our code.
#include <sanitizer/tsan_interface.h>

#include <vector>

#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

#ifndef REGENATLAS_ABSL_NS
#error "REGENATLAS_ABSL_NS (mangled abseil inline namespace, e.g. 7debian3) must be defined"
#endif

// Mangled names: _Z<kind>4absl<ns><rest>, e.g. _ZN4absl7debian35Mutex4LockEv.
#define RA_CAT2(a, b) a##b
#define RA_CAT(a, b) RA_CAT2(a, b)
#define RA_SYM(kind, rest) RA_CAT(RA_CAT(RA_CAT(_Z, kind), RA_CAT(4absl, REGENATLAS_ABSL_NS)), rest)
#define RA_REAL(kind, rest) RA_CAT(__real_, RA_SYM(kind, rest))
#define RA_WRAP(kind, rest) RA_CAT(__wrap_, RA_SYM(kind, rest))

namespace {

using absl::BlockingCounter;
using absl::Condition;
using absl::CondVar;
using absl::Duration;
using absl::Mutex;
using absl::Notification;
using absl::Time;

constexpr unsigned kRead = __tsan_mutex_read_lock;

// Mutexes this thread holds in reader mode: waits that release and re-acquire
// (Await, CondVar::Wait) need the mode, and abseil keeps it in private bits.
thread_local std::vector<const void*> reader_held;

void NoteReaderLock(const void* mu) { reader_held.push_back(mu); }
void NoteReaderUnlock(const void* mu) {
  for (auto it = reader_held.rbegin(); it != reader_held.rend(); ++it) {
    if (*it == mu) {
      reader_held.erase(std::next(it).base());
      return;
    }
  }
}
unsigned HeldFlags(const void* mu) {
  for (const void* p : reader_held) {
    if (p == mu) return kRead;
  }
  return 0;
}

void PreLock(void* mu, unsigned flags) { __tsan_mutex_pre_lock(mu, flags); }
void PostLock(void* mu, unsigned flags) {
  __tsan_mutex_post_lock(mu, flags, 0);
  if (flags & kRead) NoteReaderLock(mu);
}
void PreUnlock(void* mu, unsigned flags) {
  __tsan_mutex_pre_unlock(mu, flags);
  if (flags & kRead) NoteReaderUnlock(mu);
}
void PostUnlock(void* mu, unsigned flags) { __tsan_mutex_post_unlock(mu, flags); }

// A Condition evaluated on the mutex's behalf, wherever abseil evaluates it.
struct AnnotatedCondition {
  AnnotatedCondition(const Condition& cond, Mutex* mu)
      : original(&cond), mu(mu), condition(&AnnotatedCondition::Eval, this) {}
  static bool Eval(void* arg) {
    auto* self = static_cast<AnnotatedCondition*>(arg);
    __tsan_acquire(self->mu);
    bool result = self->original->Eval();
    __tsan_release(self->mu);
    return result;
  }
  const Condition* original;
  Mutex* mu;
  Condition condition;
};

}  // namespace

extern "C" {

// --- absl::Mutex ------------------------------------------------------------

void RA_REAL(N, 5Mutex4LockEv)(Mutex*);
void RA_WRAP(N, 5Mutex4LockEv)(Mutex* mu) {
  PreLock(mu, 0);
  RA_REAL(N, 5Mutex4LockEv)(mu);
  PostLock(mu, 0);
}

void RA_REAL(N, 5Mutex6UnlockEv)(Mutex*);
void RA_WRAP(N, 5Mutex6UnlockEv)(Mutex* mu) {
  PreUnlock(mu, 0);
  RA_REAL(N, 5Mutex6UnlockEv)(mu);
  PostUnlock(mu, 0);
}

bool RA_REAL(N, 5Mutex7TryLockEv)(Mutex*);
bool RA_WRAP(N, 5Mutex7TryLockEv)(Mutex* mu) {
  PreLock(mu, __tsan_mutex_try_lock);
  bool locked = RA_REAL(N, 5Mutex7TryLockEv)(mu);
  __tsan_mutex_post_lock(mu, __tsan_mutex_try_lock | (locked ? 0 : __tsan_mutex_try_lock_failed),
                         0);
  return locked;
}

void RA_REAL(N, 5Mutex10ReaderLockEv)(Mutex*);
void RA_WRAP(N, 5Mutex10ReaderLockEv)(Mutex* mu) {
  PreLock(mu, kRead);
  RA_REAL(N, 5Mutex10ReaderLockEv)(mu);
  PostLock(mu, kRead);
}

void RA_REAL(N, 5Mutex12ReaderUnlockEv)(Mutex*);
void RA_WRAP(N, 5Mutex12ReaderUnlockEv)(Mutex* mu) {
  PreUnlock(mu, kRead);
  RA_REAL(N, 5Mutex12ReaderUnlockEv)(mu);
  PostUnlock(mu, kRead);
}

bool RA_REAL(N, 5Mutex13ReaderTryLockEv)(Mutex*);
bool RA_WRAP(N, 5Mutex13ReaderTryLockEv)(Mutex* mu) {
  PreLock(mu, kRead | __tsan_mutex_try_lock);
  bool locked = RA_REAL(N, 5Mutex13ReaderTryLockEv)(mu);
  __tsan_mutex_post_lock(
      mu, kRead | __tsan_mutex_try_lock | (locked ? 0 : __tsan_mutex_try_lock_failed), 0);
  if (locked) NoteReaderLock(mu);
  return locked;
}

// LockWhen*: blocks until the condition holds, then holds the lock (the
// *WithTimeout/*WithDeadline forms hold it on return whatever they return).
#define RA_LOCK_WHEN(rest, flags, type)                                \
  bool RA_REAL(N, rest)(Mutex*, const Condition&, type);               \
  bool RA_WRAP(N, rest)(Mutex * mu, const Condition& cond, type arg) { \
    AnnotatedCondition annotated(cond, mu);                            \
    PreLock(mu, flags);                                                \
    bool result = RA_REAL(N, rest)(mu, annotated.condition, arg);      \
    PostLock(mu, flags);                                               \
    return result;                                                     \
  }

void RA_REAL(N, 5Mutex8LockWhenERKNS0_9ConditionE)(Mutex*, const Condition&);
void RA_WRAP(N, 5Mutex8LockWhenERKNS0_9ConditionE)(Mutex* mu, const Condition& cond) {
  AnnotatedCondition annotated(cond, mu);
  PreLock(mu, 0);
  RA_REAL(N, 5Mutex8LockWhenERKNS0_9ConditionE)(mu, annotated.condition);
  PostLock(mu, 0);
}

void RA_REAL(N, 5Mutex14ReaderLockWhenERKNS0_9ConditionE)(Mutex*, const Condition&);
void RA_WRAP(N, 5Mutex14ReaderLockWhenERKNS0_9ConditionE)(Mutex* mu, const Condition& cond) {
  AnnotatedCondition annotated(cond, mu);
  PreLock(mu, kRead);
  RA_REAL(N, 5Mutex14ReaderLockWhenERKNS0_9ConditionE)(mu, annotated.condition);
  PostLock(mu, kRead);
}

RA_LOCK_WHEN(5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE, 0, Duration)
RA_LOCK_WHEN(5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE, 0, Time)
RA_LOCK_WHEN(5Mutex25ReaderLockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE, kRead, Duration)
RA_LOCK_WHEN(5Mutex26ReaderLockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE, kRead, Time)

// Await*: called with the lock held; abseil releases it while the condition
// is false and holds it again on return.
#define RA_AWAIT(ret, rest, type)                                     \
  ret RA_REAL(N, rest)(Mutex*, const Condition&, type);               \
  ret RA_WRAP(N, rest)(Mutex * mu, const Condition& cond, type arg) { \
    AnnotatedCondition annotated(cond, mu);                           \
    unsigned flags = HeldFlags(mu);                                   \
    PreUnlock(mu, flags);                                             \
    PostUnlock(mu, flags);                                            \
    PreLock(mu, flags);                                               \
    ret result = RA_REAL(N, rest)(mu, annotated.condition, arg);      \
    PostLock(mu, flags);                                              \
    return result;                                                    \
  }

void RA_REAL(N, 5Mutex5AwaitERKNS0_9ConditionE)(Mutex*, const Condition&);
void RA_WRAP(N, 5Mutex5AwaitERKNS0_9ConditionE)(Mutex* mu, const Condition& cond) {
  AnnotatedCondition annotated(cond, mu);
  unsigned flags = HeldFlags(mu);
  PreUnlock(mu, flags);
  PostUnlock(mu, flags);
  PreLock(mu, flags);
  RA_REAL(N, 5Mutex5AwaitERKNS0_9ConditionE)(mu, annotated.condition);
  PostLock(mu, flags);
}
RA_AWAIT(bool, 5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE, Duration)
RA_AWAIT(bool, 5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE, Time)

// ~Mutex: TSan forgets the mutex (and reports destroying a locked one).
void RA_REAL(N, 5MutexD1Ev)(Mutex*);
void RA_WRAP(N, 5MutexD1Ev)(Mutex* mu) {
  __tsan_mutex_destroy(mu, 0);
  RA_REAL(N, 5MutexD1Ev)(mu);
}
void RA_REAL(N, 5MutexD2Ev)(Mutex*);
void RA_WRAP(N, 5MutexD2Ev)(Mutex* mu) {
  __tsan_mutex_destroy(mu, 0);
  RA_REAL(N, 5MutexD2Ev)(mu);
}

// ReleasableMutexLock::Release() unlocks inside abseil; its only member is
// the Mutex*.
void RA_REAL(N, 19ReleasableMutexLock7ReleaseEv)(absl::ReleasableMutexLock*);
void RA_WRAP(N, 19ReleasableMutexLock7ReleaseEv)(absl::ReleasableMutexLock* lock) {
  static_assert(sizeof(absl::ReleasableMutexLock) == sizeof(Mutex*),
                "ReleasableMutexLock layout changed");
  Mutex* mu = *reinterpret_cast<Mutex**>(lock);
  PreUnlock(mu, 0);
  RA_REAL(N, 19ReleasableMutexLock7ReleaseEv)(lock);
  PostUnlock(mu, 0);
}

// --- absl::CondVar: Wait* releases the mutex and holds it again on return. ---

#define RA_CONDVAR_WAIT(ret, rest, type)                     \
  ret RA_REAL(N, rest)(CondVar*, Mutex*, type);              \
  ret RA_WRAP(N, rest)(CondVar * cv, Mutex * mu, type arg) { \
    unsigned flags = HeldFlags(mu);                          \
    PreUnlock(mu, flags);                                    \
    PostUnlock(mu, flags);                                   \
    PreLock(mu, flags);                                      \
    ret result = RA_REAL(N, rest)(cv, mu, arg);              \
    PostLock(mu, flags);                                     \
    return result;                                           \
  }

void RA_REAL(N, 7CondVar4WaitEPNS0_5MutexE)(CondVar*, Mutex*);
void RA_WRAP(N, 7CondVar4WaitEPNS0_5MutexE)(CondVar* cv, Mutex* mu) {
  unsigned flags = HeldFlags(mu);
  PreUnlock(mu, flags);
  PostUnlock(mu, flags);
  PreLock(mu, flags);
  RA_REAL(N, 7CondVar4WaitEPNS0_5MutexE)(cv, mu);
  PostLock(mu, flags);
}
RA_CONDVAR_WAIT(bool, 7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE, Duration)
RA_CONDVAR_WAIT(bool, 7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE, Time)

// --- absl::Notification: Notify() happens before every wait that returns
// notified, and before HasBeenNotified() (inline, an acquire load of the flag
// that follows the Mutex in the object) returning true. ---

void RA_REAL(N, 12Notification6NotifyEv)(Notification*);
void RA_WRAP(N, 12Notification6NotifyEv)(Notification* n) {
  static_assert(sizeof(Mutex) == 8 && sizeof(Notification) == 16,
                "Notification layout changed: { Mutex mutex_; atomic<bool> notified_yet_; }");
  __tsan_release(n);
  __tsan_release(reinterpret_cast<char*>(n) + sizeof(Mutex));  // &notified_yet_
  RA_REAL(N, 12Notification6NotifyEv)(n);
}

void RA_REAL(NK, 12Notification19WaitForNotificationEv)(const Notification*);
void RA_WRAP(NK, 12Notification19WaitForNotificationEv)(const Notification* n) {
  RA_REAL(NK, 12Notification19WaitForNotificationEv)(n);
  __tsan_acquire(const_cast<Notification*>(n));
}

#define RA_NOTIFICATION_WAIT(rest, type)                        \
  bool RA_REAL(NK, rest)(const Notification*, type);            \
  bool RA_WRAP(NK, rest)(const Notification* n, type arg) {     \
    bool notified = RA_REAL(NK, rest)(n, arg);                  \
    if (notified) __tsan_acquire(const_cast<Notification*>(n)); \
    return notified;                                            \
  }
RA_NOTIFICATION_WAIT(12Notification30WaitForNotificationWithTimeoutENS0_8DurationE, Duration)
RA_NOTIFICATION_WAIT(12Notification31WaitForNotificationWithDeadlineENS0_4TimeE, Time)

// --- absl::BlockingCounter: every DecrementCount() happens before Wait()
// returns. ---

bool RA_REAL(N, 15BlockingCounter14DecrementCountEv)(BlockingCounter*);
bool RA_WRAP(N, 15BlockingCounter14DecrementCountEv)(BlockingCounter* c) {
  __tsan_release(c);
  return RA_REAL(N, 15BlockingCounter14DecrementCountEv)(c);
}

void RA_REAL(N, 15BlockingCounter4WaitEv)(BlockingCounter*);
void RA_WRAP(N, 15BlockingCounter4WaitEv)(BlockingCounter* c) {
  RA_REAL(N, 15BlockingCounter4WaitEv)(c);
  __tsan_acquire(c);
}

}  // extern "C"
