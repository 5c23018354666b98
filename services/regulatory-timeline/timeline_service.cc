#include "services/regulatory-timeline/timeline_service.h"

#include <deque>
#include <optional>

#include "absl/strings/str_cat.h"
#include "common/dimensions.h"
#include "common/excerpt.h"
#include "common/paging.h"
#include "common/ref_counted.h"
#include "common/rpc.h"
#include "common/tsan.h"

namespace regenatlas::timeline {
namespace {

// A ListFirsts request with the deprecated string `group_by` (still
// accepted, AIP-180) moved into `dimension`.
absl::StatusOr<v1::ListFirstsRequest> WithFirstDimension(const v1::ListFirstsRequest& request) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  if (request.group_by().empty()) return request;
  if (request.dimension() != v1::FIRST_DIMENSION_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "dimension: set either dimension or the deprecated group_by, not both");
  }
  std::optional<int> dimension =
      DimensionValue(v1::FirstDimension_descriptor(), request.group_by());
  if (!dimension.has_value()) {
    return absl::InvalidArgumentError(
        absl::StrCat("group_by: \"", Excerpt(request.group_by()), "\" is not one of ",
                     DimensionNames(v1::FirstDimension_descriptor())));
  }
  v1::ListFirstsRequest resolved = request;
  resolved.clear_group_by();
#pragma GCC diagnostic pop
  resolved.set_dimension(static_cast<v1::FirstDimension>(*dimension));
  return resolved;
}

}  // namespace

grpc::ServerUnaryReactor* TimelineService::ListDataIssues(Ctx* ctx,
                                                          const v1::ListDataIssuesRequest* req,
                                                          v1::ListDataIssuesResponse* resp) {
  return RunUnary(ctx, executor_.get(),
                  [=]() -> absl::Status { return Deliver(timeline_->ListDataIssues(*req), resp); });
}

grpc::ServerUnaryReactor* TimelineService::GetProductTimeline(
    Ctx* ctx, const v1::GetProductTimelineRequest* req, v1::ProductTimeline* resp) {
  return RunUnary(ctx, executor_.get(), [=]() -> absl::Status {
    return Deliver(timeline_->GetProductTimeline(req->product()), resp);
  });
}

grpc::ServerUnaryReactor* TimelineService::ComputeProductTimeline(
    Ctx* ctx, const v1::ComputeProductTimelineRequest* req, v1::ProductTimeline* resp) {
  return RunUnary(ctx, executor_.get(), [=]() -> absl::Status {
    return Deliver(timeline_->GetProductTimeline(req->product()), resp);
  });
}

grpc::ServerUnaryReactor* TimelineService::ComputeMilestoneIntervals(
    Ctx* ctx, const v1::ComputeMilestoneIntervalsRequest* req,
    v1::ComputeMilestoneIntervalsResponse* resp) {
  return RunUnary(ctx, executor_.get(), [=]() -> absl::Status {
    return Deliver(timeline_->ComputeMilestoneIntervals(*req), resp);
  });
}

grpc::ServerUnaryReactor* TimelineService::ListFirsts(Ctx* ctx, const v1::ListFirstsRequest* req,
                                                      v1::ListFirstsResponse* resp) {
  return RunUnary(ctx, executor_.get(), [=]() -> absl::Status {
    absl::StatusOr<v1::ListFirstsRequest> resolved = WithFirstDimension(*req);
    if (!resolved.ok()) return resolved.status();
    return Deliver(timeline_->ListFirsts(*resolved), resp);
  });
}

// One WatchEvents call, driven by reactions only: a change listener on the
// store and OnWriteDone schedule a fetch of the next few matching changes
// on the executor; the fetch starts the next write. One message is in
// flight and at most kFetchBatch are buffered, so a slow subscriber holds
// only its own position and never blocks writers. Lifetime follows
// common/ref_counted.h: gRPC's reference is dropped in OnDone, a queued
// fetch holds one, and the service's registry is only read under the
// service mutex, which OnDone takes to unregister.
class TimelineService::Watcher final : public grpc::ServerWriteReactor<v1::WatchEventsResponse>,
                                       public RefCounted {
 public:
  static constexpr size_t kFetchBatch = 16;

  Watcher(TimelineService* service, grpc::CallbackServerContext* ctx, Timeline::WatchQuery query)
      : service_(service),
        ctx_(ctx),
        query_(std::move(query)),
        sent_seq_(query_.position.after_seq) {}

  // Starts the first fetch (changes after the position may already exist).
  void Start() {
    absl::MutexLock lock(&mu_);
    more_ = true;
    MaybeFetchLocked();
  }

  // A change was committed somewhere in the store.
  void Wake() {
    absl::MutexLock lock(&mu_);
    more_ = true;
    MaybeFetchLocked();
  }

  // Ends the stream with `status` once the message in flight is written;
  // the resume token of the last message sent goes along in the message
  // and in the `x-resume-token` trailer.
  void Stop(absl::Status status) {
    absl::MutexLock lock(&mu_);
    if (stop_.has_value() || finished_) return;
    stop_ = std::move(status);
    if (!writing_) FinishLocked();
  }

  void OnWriteDone(bool ok) override {
    TsanAcquire(this);
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      // The client went away; OnCancel or OnDone follows.
      stop_ = absl::CancelledError("stream closed by the client");
      FinishLocked();
      return;
    }
    sent_seq_ = in_flight_seq_;
    if (stop_.has_value()) {
      FinishLocked();
      return;
    }
    WriteNextLocked();
    MaybeFetchLocked();
  }

  void OnCancel() override {
    TsanAcquire(this);
    Stop(absl::CancelledError("watch cancelled"));
  }

  void OnDone() override {
    TsanAcquire(this);
    service_->Unregister(this);
    // Orders the last reaction before a destruction on this thread visibly
    // for ThreadSanitizer (gRPC's own ordering is not instrumented).
    { absl::MutexLock lock(&mu_); }
    Unref();
  }

 private:
  void MaybeFetchLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (fetching_ || finished_ || stop_.has_value() || !more_ || !buffer_.empty()) return;
    fetching_ = true;
    more_ = false;
    Ref();
    absl::Status queued = service_->executor_->Submit([this] {
      Fetch();
      Unref();
    });
    if (!queued.ok()) {
      // Busy: leave `more_` set so that the next wake-up retries.
      fetching_ = false;
      more_ = true;
      Unref();  // Not the last reference: gRPC still holds one.
    }
  }

  // On the executor. Only one fetch runs at a time (fetching_), so query_
  // needs no lock while it reads.
  void Fetch() {
    absl::StatusOr<std::vector<WatchChange>> changes =
        service_->timeline_->ReadChanges(query_, kFetchBatch);
    absl::MutexLock lock(&mu_);
    fetching_ = false;
    if (!changes.ok()) {
      if (!stop_.has_value()) stop_ = changes.status();
      if (!writing_) FinishLocked();
      return;
    }
    // A full batch may have more behind it; a short one read everything
    // committed so far, and the listener wakes us for the rest.
    if (changes->size() == kFetchBatch) more_ = true;
    for (WatchChange& c : *changes) buffer_.push_back(std::move(c));
    if (stop_.has_value()) {
      if (!writing_) FinishLocked();
      return;
    }
    WriteNextLocked();
    MaybeFetchLocked();
  }

  void WriteNextLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || finished_ || buffer_.empty()) return;
    response_ = std::move(buffer_.front().response);
    in_flight_seq_ = buffer_.front().seq;
    buffer_.pop_front();
    writing_ = true;
    StartWrite(&response_);
  }

  void FinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    absl::Status status = stop_.value_or(absl::OkStatus());
    if (absl::IsUnavailable(status)) {
      const std::string token = Timeline::ResumeToken(sent_seq_);
      status = absl::UnavailableError(
          absl::StrCat(status.message(), "; resume with resume_token \"", token, "\""));
      ctx_->AddTrailingMetadata("x-resume-token", token);
    }
    grpc::Status out = ToGrpcStatus(status);
    Finish(out);
  }

  TimelineService* const service_;
  // Valid until OnDone (owned by gRPC).
  grpc::CallbackServerContext* const ctx_;
  Timeline::WatchQuery query_;
  absl::Mutex mu_;
  std::deque<WatchChange> buffer_ ABSL_GUARDED_BY(mu_);
  v1::WatchEventsResponse response_ ABSL_GUARDED_BY(mu_);
  uint64_t sent_seq_ ABSL_GUARDED_BY(mu_);
  uint64_t in_flight_seq_ ABSL_GUARDED_BY(mu_) = 0;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool fetching_ ABSL_GUARDED_BY(mu_) = false;
  bool more_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<absl::Status> stop_ ABSL_GUARDED_BY(mu_);
};

namespace {
// A WatchEvents call refused at once; still freed in OnDone.
class FailedWatch final : public grpc::ServerWriteReactor<v1::WatchEventsResponse> {
 public:
  explicit FailedWatch(const grpc::Status& s) {
    TsanRelease(this);
    Finish(s);
  }
  void OnDone() override {
    TsanAcquire(this);
    delete this;
  }
};
}  // namespace

grpc::ServerWriteReactor<v1::WatchEventsResponse>* TimelineService::WatchEvents(
    Ctx* ctx, const v1::WatchEventsRequest* req) {
  if (std::optional<grpc::Status> refused = TakeRefusal(ctx)) return new FailedWatch(*refused);
  // Parsing a filter is bounded (length and depth limits), so it runs here.
  absl::StatusOr<Timeline::WatchQuery> query = timeline_->PrepareWatch(*req);
  if (!query.ok()) return new FailedWatch(ToGrpcStatus(query.status()));
  auto* watcher = new Watcher(this, ctx, *std::move(query));
  // gRPC runs the reactions on other threads through synchronisation that
  // ThreadSanitizer does not see; each reaction acquires what this released.
  TsanRelease(watcher);
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) {
      watcher->Stop(absl::UnavailableError("server shutting down"));
      return watcher;
    }
    if (watchers_.size() >= max_watch_streams_) {
      watcher->Stop(absl::ResourceExhaustedError(absl::StrCat(
          "WatchEvents: at most ", max_watch_streams_, " open streams per server; retry later")));
      return watcher;
    }
    watchers_.insert(watcher);
  }
  watcher->Start();
  return watcher;
}

void TimelineService::Unregister(Watcher* watcher) {
  absl::MutexLock lock(&mu_);
  watchers_.erase(watcher);
}

void TimelineService::WakeWatchers() {
  absl::MutexLock lock(&mu_);
  for (Watcher* w : watchers_) w->Wake();
}

void TimelineService::Shutdown() {
  absl::MutexLock lock(&mu_);
  shut_down_ = true;
  for (Watcher* w : watchers_) w->Stop(absl::UnavailableError("server shutting down"));
}

TimelineService::TimelineService(Timeline* timeline, TimelineServiceOptions options)
    : timeline_(timeline),
      executor_(options.shared_executor != nullptr
                    ? std::move(options.shared_executor)
                    : std::make_shared<Executor>(std::move(options.executor))),
      max_watch_streams_(options.max_watch_streams) {
  listener_ = timeline_->AddChangeListener([this] { WakeWatchers(); });
}

TimelineService::~TimelineService() {
  timeline_->RemoveChangeListener(listener_);
  Shutdown();
}

bool TimelineService::AwaitWatchStreams(size_t n, absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto enough = [this, n]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return watchers_.size() >= n; };
  return mu_.AwaitWithDeadline(absl::Condition(&enough), deadline);
}

}  // namespace regenatlas::timeline
