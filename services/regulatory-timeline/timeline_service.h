#ifndef REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_SERVICE_H_
#define REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_SERVICE_H_

#include <memory>
#include <set>

#include "absl/synchronization/mutex.h"
#include "common/executor.h"
#include "common/standard_methods.h"
#include "regenatlas/timeline/v1/timeline_service.grpc.pb.h"
#include "services/regulatory-timeline/timeline.h"

namespace regenatlas::timeline {

namespace v1 = ::regenatlas::timeline::v1;

// How the timeline's gRPC face is sized.
struct TimelineServiceOptions {
  ExecutorOptions executor{"timeline"};
  // When set, used instead of a new executor of `executor` (the same
  // service registered on a second server: common/call_gate.h).
  std::shared_ptr<Executor> shared_executor;
  // Open WatchEvents streams; more are refused with RESOURCE_EXHAUSTED.
  size_t max_watch_streams = 1000;
};

// The gRPC face of Timeline: unpacks requests, calls the domain, converts
// the status once. Unary methods run on the service's executor
// (common/rpc.h RunUnary); WatchEvents is a reactor woken by the store's
// change listener (see Watcher in the .cc).
class TimelineService final : public v1::RegulatoryTimelineService::CallbackService {
 public:
  // `timeline` is not owned and must outlive the service.
  explicit TimelineService(Timeline* timeline, TimelineServiceOptions options = {});
  ~TimelineService() override;

  // Ends every open WatchEvents stream with UNAVAILABLE (clients resume
  // elsewhere with their last token) and refuses new ones. Call before
  // grpc::Server::Shutdown so that streams do not hold up the grace period.
  void Shutdown();

  using Ctx = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;

  // The standard methods (common/standard_methods.h).
  REGENATLAS_STANDARD_METHODS(v1, Event, Events, event, events, timeline_->events(),
                              timeline_->ListEvents)
  REGENATLAS_STANDARD_METHODS(v1, Policy, Policies, policy, policies, timeline_->policies(),
                              timeline_->ListPolicies)

  Reactor* GetProductTimeline(Ctx* ctx, const v1::GetProductTimelineRequest* req,
                              v1::ProductTimeline* resp) override;
  Reactor* ComputeProductTimeline(Ctx* ctx, const v1::ComputeProductTimelineRequest* req,
                                  v1::ProductTimeline* resp) override;
  Reactor* ComputeMilestoneIntervals(Ctx* ctx, const v1::ComputeMilestoneIntervalsRequest* req,
                                     v1::ComputeMilestoneIntervalsResponse* resp) override;
  // Accepts the deprecated string `group_by` as `dimension`.
  Reactor* ListFirsts(Ctx* ctx, const v1::ListFirstsRequest* req,
                      v1::ListFirstsResponse* resp) override;
  Reactor* ListDataIssues(Ctx* ctx, const v1::ListDataIssuesRequest* req,
                          v1::ListDataIssuesResponse* resp) override;
  grpc::ServerWriteReactor<v1::WatchEventsResponse>* WatchEvents(
      Ctx* ctx, const v1::WatchEventsRequest* req) override;

  // Waits until at least `n` WatchEvents streams are registered (i.e. see
  // every later change) or `deadline` passes; true in the first case. Lets
  // tests write after a stream has started instead of sleeping.
  bool AwaitWatchStreams(size_t n, absl::Time deadline);

  const std::shared_ptr<Executor>& executor() const { return executor_; }

 private:
  class Watcher;
  void Unregister(Watcher* watcher);
  void WakeWatchers();

  Timeline* const timeline_;
  const std::shared_ptr<Executor> executor_;
  absl::Mutex mu_;
  std::set<Watcher*> watchers_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
  const size_t max_watch_streams_;
  uint64_t listener_ = 0;
};

}  // namespace regenatlas::timeline

#endif  // REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_SERVICE_H_
