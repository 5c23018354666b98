#ifndef REGENATLAS_COMMON_EXECUTOR_H_
#define REGENATLAS_COMMON_EXECUTOR_H_

#include <cstddef>
#include <deque>
#include <string>
#include <thread>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace regenatlas {

// How an Executor is sized.
struct ExecutorOptions {
  // For logs and error messages ("catalog", "timeline", ...).
  std::string name = "executor";
  // Worker threads; 0 picks max(4, 2 × hardware threads).
  int threads = 0;
  // Tasks waiting for a worker beyond the running ones. Submit() refuses
  // more with RESOURCE_EXHAUSTED instead of letting memory grow.
  size_t max_queue = 256;
};

// The one place where a server does work that may block or compute: a
// fixed set of threads and a bounded FIFO queue. gRPC reactors never block;
// they hand such work here and finish the call from the task.
//
// Each service has one Executor (shared by its instances on the internal
// and the public server, common/call_gate.h). A task may wait on another service's
// executor (the timeline checks references in the catalog, analytics reads
// both, the gateway's dossier reads all three) but never on its own, so the
// waits form a DAG and cannot deadlock.
class Executor {
 public:
  explicit Executor(ExecutorOptions options = {});
  // Runs every task already accepted, then joins the workers.
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // Queues `task`. RESOURCE_EXHAUSTED when the queue is full, UNAVAILABLE
  // after Shutdown(); `task` is then destroyed without running.
  absl::Status Submit(absl::AnyInvocable<void() &&> task);

  // Refuses new tasks; the accepted ones still run. Idempotent.
  void Shutdown();

  const ExecutorOptions& options() const { return options_; }
  // Tasks waiting plus running (for metrics and tests).
  size_t load() const;

 private:
  void Work();

  const ExecutorOptions options_;
  mutable absl::Mutex mu_;
  std::deque<absl::AnyInvocable<void() &&>> queue_ ABSL_GUARDED_BY(mu_);
  size_t running_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  std::vector<std::thread> threads_;
};

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_EXECUTOR_H_
