#include "services/regulatory-timeline/timeline_service.h"

#include "common/rpc.h"

namespace regenatlas::timeline {

grpc::ServerUnaryReactor* TimelineService::CreatePolicy(
    grpc::CallbackServerContext* context, const timeline::v1::CreatePolicyRequest* request,
    Policy* response) {
  return Reply(context, timeline_->policies().Create(request->policy_id(), request->policy()),
               response);
}

grpc::ServerUnaryReactor* TimelineService::GetPolicy(grpc::CallbackServerContext* context,
                                                     const timeline::v1::GetPolicyRequest* request,
                                                     Policy* response) {
  return Reply(context, timeline_->policies().Get(request->name()), response);
}

grpc::ServerUnaryReactor* TimelineService::ListPolicies(
    grpc::CallbackServerContext* context, const timeline::v1::ListPoliciesRequest* request,
    timeline::v1::ListPoliciesResponse* response) {
  absl::StatusOr<Page<Policy>> page =
      timeline_->policies().List(request->page_size(), request->page_token());
  if (page.ok()) {
    FillPage(*page, response->mutable_policies(), response->mutable_next_page_token());
  }
  return Reply(context, page.status());
}

grpc::ServerUnaryReactor* TimelineService::UpdatePolicy(
    grpc::CallbackServerContext* context, const timeline::v1::UpdatePolicyRequest* request,
    Policy* response) {
  return Reply(context, timeline_->policies().Update(request->policy(), request->update_mask()),
               response);
}

grpc::ServerUnaryReactor* TimelineService::DeletePolicy(
    grpc::CallbackServerContext* context, const timeline::v1::DeletePolicyRequest* request,
    google::protobuf::Empty* response) {
  return Reply(context, timeline_->policies().Delete(request->name(), request->etag()));
}

}  // namespace regenatlas::timeline
