#include "common/executor.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace regenatlas {

Executor::Executor(ExecutorOptions options) : options_(std::move(options)) {
  int n = options_.threads;
  if (n <= 0) n = std::max(4, 2 * static_cast<int>(std::thread::hardware_concurrency()));
  threads_.reserve(n);
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Work(); });
}

Executor::~Executor() {
  Shutdown();
  for (std::thread& t : threads_) t.join();
}

absl::Status Executor::Submit(absl::AnyInvocable<void() &&> task) {
  absl::MutexLock lock(&mu_);
  if (stopping_) {
    return absl::UnavailableError(absl::StrCat(options_.name, ": shutting down"));
  }
  // Idle workers take queued tasks at once, so the queue only holds work
  // that waits for a busy worker.
  if (queue_.size() >= options_.max_queue) {
    return absl::ResourceExhaustedError(absl::StrCat(
        options_.name, ": server busy (", options_.max_queue, " calls queued); retry later"));
  }
  queue_.push_back(std::move(task));
  return absl::OkStatus();
}

void Executor::Shutdown() {
  absl::MutexLock lock(&mu_);
  stopping_ = true;
}

size_t Executor::load() const {
  absl::MutexLock lock(&mu_);
  return queue_.size() + running_;
}

void Executor::Work() {
  for (;;) {
    absl::AnyInvocable<void() &&> task;
    {
      absl::MutexLock lock(&mu_);
      auto ready = [this]()
                       ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return !queue_.empty() || stopping_; };
      mu_.Await(absl::Condition(&ready));
      // Drain before stopping: accepted tasks finish their calls.
      if (queue_.empty()) return;
      task = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
    }
    std::move(task)();
    absl::MutexLock lock(&mu_);
    --running_;
  }
}

}  // namespace regenatlas
