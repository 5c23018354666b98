#include "common/health.h"

#include <optional>

#include "common/tsan.h"

namespace regenatlas {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

// One Watch call. Sends the current status, then each change; only the
// latest unsent status is kept, so a slow client never queues unbounded
// messages.
class HealthService::Watcher final : public grpc::ServerWriteReactor<HealthCheckResponse> {
 public:
  Watcher(HealthService* owner, std::string service)
      : owner_(owner), service_(std::move(service)) {}

  void Notify(ServingStatus status) {
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    if (last_sent_.has_value() && *last_sent_ == status && !writing_) return;
    pending_ = status;
    MaybeWriteLocked();
  }

  void OnWriteDone(bool ok) override {
    TsanAcquire(this);
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "stream closed"));
      return;
    }
    MaybeWriteLocked();
    if (closing_ && !writing_) FinishLocked(grpc::Status::OK);
  }

  // Ends the stream once the pending status has been sent.
  void Close() {
    absl::MutexLock lock(&mu_);
    closing_ = true;
    if (!writing_) FinishLocked(grpc::Status::OK);
  }

  void OnCancel() override {
    TsanAcquire(this);
    absl::MutexLock lock(&mu_);
    FinishLocked(grpc::Status(grpc::StatusCode::CANCELLED, "watch cancelled"));
  }

  void OnDone() override {
    TsanAcquire(this);
    owner_->Unregister(this);
    // Orders the destruction after the last reaction's unlock visibly for
    // ThreadSanitizer (gRPC's own ordering is not instrumented).
    { absl::MutexLock lock(&mu_); }
    delete this;
  }

 private:
  void MaybeWriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || finished_ || !pending_.has_value()) return;
    if (last_sent_.has_value() && *last_sent_ == *pending_) {
      pending_.reset();
      return;
    }
    response_.set_status(*pending_);
    last_sent_ = pending_;
    pending_.reset();
    writing_ = true;
    StartWrite(&response_);
  }

  void FinishLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(status);
  }

  HealthService* const owner_;
  const std::string service_;
  absl::Mutex mu_;
  HealthCheckResponse response_ ABSL_GUARDED_BY(mu_);
  std::optional<ServingStatus> pending_ ABSL_GUARDED_BY(mu_);
  std::optional<ServingStatus> last_sent_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool closing_ ABSL_GUARDED_BY(mu_) = false;

  friend class HealthService;
};

HealthService::ServingStatus HealthService::StatusOf(const std::string& service) const {
  auto it = statuses_.find(service);
  // Watch on an unknown service reports SERVICE_UNKNOWN and keeps watching.
  return it == statuses_.end() ? HealthCheckResponse::SERVICE_UNKNOWN : it->second;
}

void HealthService::SetStatus(const std::string& service, ServingStatus status) {
  absl::MutexLock lock(&mu_);
  statuses_[service] = status;
  for (Watcher* w : watchers_) {
    if (w->service_ == service) w->Notify(status);
  }
}

void HealthService::SetAll(ServingStatus status) {
  absl::MutexLock lock(&mu_);
  statuses_[""] = status;
  for (auto& [name, st] : statuses_) st = status;
  for (Watcher* w : watchers_) w->Notify(StatusOf(w->service_));
}

void HealthService::Shutdown() {
  absl::MutexLock lock(&mu_);
  statuses_[""] = HealthCheckResponse::NOT_SERVING;
  for (auto& [name, st] : statuses_) st = HealthCheckResponse::NOT_SERVING;
  for (Watcher* w : watchers_) {
    w->Notify(StatusOf(w->service_));
    w->Close();
  }
}

void HealthService::Unregister(Watcher* watcher) {
  absl::MutexLock lock(&mu_);
  watchers_.erase(watcher);
}

grpc::ServerUnaryReactor* HealthService::Check(grpc::CallbackServerContext* context,
                                               const HealthCheckRequest* request,
                                               HealthCheckResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::ReaderMutexLock lock(&mu_);
  auto it = statuses_.find(request->service());
  if (it == statuses_.end()) {
    reactor->Finish(
        grpc::Status(grpc::StatusCode::NOT_FOUND, "unknown service: " + request->service()));
  } else {
    response->set_status(it->second);
    reactor->Finish(grpc::Status::OK);
  }
  return reactor;
}

grpc::ServerWriteReactor<HealthCheckResponse>* HealthService::Watch(
    grpc::CallbackServerContext* context, const HealthCheckRequest* request) {
  auto* watcher = new Watcher(this, request->service());
  // Reactions run on gRPC threads whose ordering ThreadSanitizer does not
  // see; each acquires what this released.
  TsanRelease(watcher);
  absl::MutexLock lock(&mu_);
  watchers_.insert(watcher);
  watcher->Notify(StatusOf(request->service()));
  return watcher;
}

}  // namespace regenatlas
