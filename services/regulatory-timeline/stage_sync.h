#ifndef REGENATLAS_SERVICES_REGULATORY_TIMELINE_STAGE_SYNC_H_
#define REGENATLAS_SERVICES_REGULATORY_TIMELINE_STAGE_SYNC_H_

#include <thread>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/regulatory-timeline/timeline.h"

namespace regenatlas::timeline {

// How StageSync retries.
struct StageSyncOptions {
  // First retry after a failed delivery; doubles up to max_backoff.
  absl::Duration initial_backoff = absl::Milliseconds(200);
  absl::Duration max_backoff = absl::Seconds(10);
  // Looks at the outbox at least this often even without commits.
  absl::Duration idle_interval = absl::Seconds(30);
};

// Delivers the timeline's stage outbox (Timeline::DeliverStageOutbox) to
// the catalog: at start (markers a previous run left), after every commit,
// and with exponential backoff while the catalog cannot be reached. Its one
// thread only ever waits on the catalog; no gRPC reactor waits on it.
class StageSync {
 public:
  // `timeline` is not owned and must outlive this object. Starts at once.
  explicit StageSync(Timeline* timeline, StageSyncOptions options = {});
  // Stops and joins (a delivery in flight finishes first).
  ~StageSync();
  StageSync(const StageSync&) = delete;
  StageSync& operator=(const StageSync&) = delete;

  // Blocks until the outbox is empty or `timeout` passes; true when empty
  // (tests and orderly shutdown).
  bool WaitIdle(absl::Duration timeout);

 private:
  void Run();

  Timeline* const timeline_;
  const StageSyncOptions options_;
  uint64_t listener_ = 0;
  absl::Mutex mu_;
  // Commits seen by the change listener; starts at 1 so that the first
  // round runs at once.
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 1;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool idle_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace regenatlas::timeline

#endif  // REGENATLAS_SERVICES_REGULATORY_TIMELINE_STAGE_SYNC_H_
