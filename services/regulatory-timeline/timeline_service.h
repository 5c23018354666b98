#ifndef REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_SERVICE_H_
#define REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_SERVICE_H_

#include <set>

#include "absl/synchronization/mutex.h"
#include "regenatlas/timeline/v1/timeline_service.grpc.pb.h"
#include "services/regulatory-timeline/timeline.h"

namespace regenatlas::timeline {

namespace v1 = ::regenatlas::timeline::v1;

// The gRPC face of Timeline: unpacks requests, calls the domain, converts
// the status once. WatchEvents streams from the change log on a thread per
// subscriber with one message in flight, so a slow subscriber holds only
// its own position and never blocks writers.
class TimelineService final : public v1::RegulatoryTimelineService::CallbackService {
 public:
  // `timeline` is not owned and must outlive the service.
  explicit TimelineService(Timeline* timeline) : timeline_(timeline) {}
  ~TimelineService() override;

  // Ends every open WatchEvents stream with UNAVAILABLE (clients resume
  // elsewhere with their last token) and refuses new ones. Call before
  // grpc::Server::Shutdown so that streams do not hold up the grace period.
  void Shutdown();

  using Ctx = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;

  Reactor* CreateEvent(Ctx* ctx, const v1::CreateEventRequest* req, v1::Event* resp) override;
  Reactor* GetEvent(Ctx* ctx, const v1::GetEventRequest* req, v1::Event* resp) override;
  Reactor* BatchGetEvents(Ctx* ctx, const v1::BatchGetEventsRequest* req,
                       v1::BatchGetEventsResponse* resp) override;
  Reactor* ListEvents(Ctx* ctx, const v1::ListEventsRequest* req, v1::ListEventsResponse* resp) override;
  Reactor* UpdateEvent(Ctx* ctx, const v1::UpdateEventRequest* req, v1::Event* resp) override;
  Reactor* DeleteEvent(Ctx* ctx, const v1::DeleteEventRequest* req,
                      google::protobuf::Empty* resp) override;

  Reactor* CreatePolicy(Ctx* ctx, const v1::CreatePolicyRequest* req, v1::Policy* resp) override;
  Reactor* GetPolicy(Ctx* ctx, const v1::GetPolicyRequest* req, v1::Policy* resp) override;
  Reactor* BatchGetPolicies(Ctx* ctx, const v1::BatchGetPoliciesRequest* req,
                       v1::BatchGetPoliciesResponse* resp) override;
  Reactor* ListPolicies(Ctx* ctx, const v1::ListPoliciesRequest* req, v1::ListPoliciesResponse* resp) override;
  Reactor* UpdatePolicy(Ctx* ctx, const v1::UpdatePolicyRequest* req, v1::Policy* resp) override;
  Reactor* DeletePolicy(Ctx* ctx, const v1::DeletePolicyRequest* req,
                      google::protobuf::Empty* resp) override;

  Reactor* GetProductTimeline(Ctx* ctx, const v1::GetProductTimelineRequest* req,
                              v1::ProductTimeline* resp) override;
  Reactor* ComputeMilestoneIntervals(Ctx* ctx, const v1::ComputeMilestoneIntervalsRequest* req,
                                     v1::ComputeMilestoneIntervalsResponse* resp) override;
  Reactor* ListFirsts(Ctx* ctx, const v1::ListFirstsRequest* req,
                      v1::ListFirstsResponse* resp) override;
  grpc::ServerWriteReactor<v1::WatchEventsResponse>* WatchEvents(
      Ctx* ctx, const v1::WatchEventsRequest* req) override;

 private:
  class Watcher;
  void Unregister(Watcher* watcher);

  Timeline* const timeline_;
  absl::Mutex mu_;
  std::set<Watcher*> watchers_ ABSL_GUARDED_BY(mu_);
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

}  // namespace regenatlas::timeline

#endif  // REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_SERVICE_H_
