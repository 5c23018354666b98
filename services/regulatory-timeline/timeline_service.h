#ifndef REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_SERVICE_H_
#define REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_SERVICE_H_

#include "regenatlas/timeline/v1/timeline_service.grpc.pb.h"
#include "services/regulatory-timeline/timeline.h"

namespace regenatlas::timeline {

// The gRPC face of Timeline: unpacks requests, calls the domain, converts
// the status once.
class TimelineService final : public timeline::v1::RegulatoryTimelineService::CallbackService {
 public:
  // `timeline` is not owned and must outlive the service.
  explicit TimelineService(Timeline* timeline) : timeline_(timeline) {}

  grpc::ServerUnaryReactor* CreatePolicy(grpc::CallbackServerContext* context,
                                         const timeline::v1::CreatePolicyRequest* request,
                                         Policy* response) override;
  grpc::ServerUnaryReactor* GetPolicy(grpc::CallbackServerContext* context,
                                      const timeline::v1::GetPolicyRequest* request,
                                      Policy* response) override;
  grpc::ServerUnaryReactor* ListPolicies(grpc::CallbackServerContext* context,
                                         const timeline::v1::ListPoliciesRequest* request,
                                         timeline::v1::ListPoliciesResponse* response) override;
  grpc::ServerUnaryReactor* UpdatePolicy(grpc::CallbackServerContext* context,
                                         const timeline::v1::UpdatePolicyRequest* request,
                                         Policy* response) override;
  grpc::ServerUnaryReactor* DeletePolicy(grpc::CallbackServerContext* context,
                                         const timeline::v1::DeletePolicyRequest* request,
                                         google::protobuf::Empty* response) override;

 private:
  Timeline* const timeline_;
};

}  // namespace regenatlas::timeline

#endif  // REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_SERVICE_H_
