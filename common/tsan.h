#ifndef REGENATLAS_COMMON_TSAN_H_
#define REGENATLAS_COMMON_TSAN_H_

// Happens-before annotations for objects that gRPC hands between its
// threads through its own (uninstrumented) synchronisation, e.g. a server
// interceptor that gRPC creates on one thread and runs and destroys on
// others. No-ops outside ThreadSanitizer builds.

#if defined(__SANITIZE_THREAD__)
#define REGENATLAS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define REGENATLAS_TSAN 1
#endif
#endif

#ifdef REGENATLAS_TSAN
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace regenatlas {

// Publishes this thread's writes to `object` to the next TsanAcquire.
inline void TsanRelease(void* object) {
#ifdef REGENATLAS_TSAN
  __tsan_release(object);
#else
  (void)object;
#endif
}

// Sees the writes published by the last TsanRelease on `object`.
inline void TsanAcquire(void* object) {
#ifdef REGENATLAS_TSAN
  __tsan_acquire(object);
#else
  (void)object;
#endif
}

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_TSAN_H_
