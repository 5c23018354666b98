// BoundedQueue: a FIFO of at most `capacity` items between producer and
// consumer threads, so that a fast producer (a parser) waits for a slow
// consumer (a writer) instead of buffering without limit.
#ifndef REGENATLAS_COMMON_BOUNDED_QUEUE_H_
#define REGENATLAS_COMMON_BOUNDED_QUEUE_H_

#include <cstddef>
#include <deque>
#include <optional>
#include <utility>

#include "absl/synchronization/mutex.h"

namespace regenatlas {

// Thread-safe. Items come out in the order they went in.
template <typename T>
class BoundedQueue {
 public:
  // `capacity` >= 1.
  explicit BoundedQueue(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}
  BoundedQueue(const BoundedQueue&) = delete;
  BoundedQueue& operator=(const BoundedQueue&) = delete;

  // Blocks while the queue is full. False, and `item` dropped, once the
  // queue is closed or cancelled.
  bool Push(T item) {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](BoundedQueue* q) { return q->closed_ || q->items_.size() < q->capacity_; }, this));
    if (closed_) return false;
    items_.push_back(std::move(item));
    return true;
  }

  // Blocks while the queue is empty and open. nullopt once it is closed
  // and drained (or cancelled).
  std::optional<T> Pop() {
    absl::MutexLock lock(&mu_);
    mu_.Await(absl::Condition(
        +[](BoundedQueue* q) { return q->closed_ || !q->items_.empty(); }, this));
    if (items_.empty()) return std::nullopt;
    std::optional<T> item(std::move(items_.front()));
    items_.pop_front();
    return item;
  }

  // The producer is done: later pushes fail; Pop returns what is queued,
  // then nullopt.
  void Close() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
  }

  // The consumer gives up: queued items are dropped, pushes fail and a
  // blocked producer wakes up.
  void Cancel() {
    absl::MutexLock lock(&mu_);
    closed_ = true;
    items_.clear();
  }

  size_t capacity() const { return capacity_; }

 private:
  const size_t capacity_;
  absl::Mutex mu_;
  std::deque<T> items_ ABSL_GUARDED_BY(mu_);
  bool closed_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_BOUNDED_QUEUE_H_
