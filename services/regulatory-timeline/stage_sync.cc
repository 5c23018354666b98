#include "services/regulatory-timeline/stage_sync.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/log.h"

namespace regenatlas::timeline {

StageSync::StageSync(Timeline* timeline, StageSyncOptions options)
    : timeline_(timeline), options_(options) {
  listener_ = timeline_->AddChangeListener([this] {
    absl::MutexLock lock(&mu_);
    ++generation_;
    idle_ = false;
  });
  thread_ = std::thread([this] { Run(); });
}

StageSync::~StageSync() {
  timeline_->RemoveChangeListener(listener_);
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  thread_.join();
}

bool StageSync::WaitIdle(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto idle = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return idle_; };
  return mu_.AwaitWithTimeout(absl::Condition(&idle), timeout);
}

void StageSync::Run() {
  absl::Duration backoff = options_.initial_backoff;
  absl::Duration wait = absl::ZeroDuration();
  uint64_t seen = 0;
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      auto wake = [this, seen]()
                      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || generation_ != seen; };
      mu_.AwaitWithTimeout(absl::Condition(&wake), wait);
      if (stop_) return;
      seen = generation_;
    }
    absl::StatusOr<size_t> delivered = timeline_->DeliverStageOutbox();
    absl::StatusOr<size_t> pending =
        delivered.ok() ? timeline_->PendingStageSyncs() : absl::StatusOr<size_t>(0);
    if (delivered.ok() && pending.ok()) {
      backoff = options_.initial_backoff;
      absl::MutexLock lock(&mu_);
      // Idle only after a round in which nothing was committed (our own
      // marker deletions are commits too, so a busy round is followed by
      // one more look).
      idle_ = *pending == 0 && generation_ == seen;
      wait = *pending == 0 ? options_.idle_interval : absl::ZeroDuration();
      if (*pending > 0) seen = generation_ - 1;  // look again at once
      continue;
    }
    const absl::Status error = delivered.ok() ? pending.status() : delivered.status();
    Log(LogLevel::kWarning, "regulatory stages not delivered to the catalog; will retry",
        {{"error", std::string(error.message())}, {"retry_in", absl::FormatDuration(backoff)}});
    wait = backoff;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

}  // namespace regenatlas::timeline
