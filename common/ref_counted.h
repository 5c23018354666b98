#ifndef REGENATLAS_COMMON_REF_COUNTED_H_
#define REGENATLAS_COMMON_REF_COUNTED_H_

#include <atomic>

namespace regenatlas {

// The lifetime rule of every reactor in RegenAtlas (docs/execution.md):
//
//  1. A reactor is freed in exactly one place: when its last reference is
//     dropped. gRPC holds the first reference from creation until OnDone,
//     which only calls Unref(). Every other party that may call into the
//     reactor later (a queued executor task, the client-side half of a
//     forwarded call, a change listener, the shutdown list) takes its own
//     reference first and drops it when it is done.
//  2. State shared between reactions is guarded by the reactor's mutex.
//     Reactor operations (StartRead/StartWrite/Finish) may be started while
//     holding it: the caller's reference keeps the mutex alive even when
//     gRPC runs OnDone on another thread before Finish returns.
//  3. Finish is called once, guarded by a `finished_` flag under the mutex;
//     after it no operation is started.
class RefCounted {
 public:
  RefCounted() = default;
  RefCounted(const RefCounted&) = delete;
  RefCounted& operator=(const RefCounted&) = delete;

  void Ref() { refs_.fetch_add(1, std::memory_order_relaxed); }
  void Unref() {
    if (refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete this;
  }

 protected:
  virtual ~RefCounted() = default;

 private:
  std::atomic<int> refs_{1};
};

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_REF_COUNTED_H_
