#ifndef REGENATLAS_SERVICES_REGULATORY_TIMELINE_GRPC_TIMELINE_CLIENT_H_
#define REGENATLAS_SERVICES_REGULATORY_TIMELINE_GRPC_TIMELINE_CLIENT_H_

// TimelineClient over gRPC (library regenatlas_timeline_client).

#include <functional>
#include <memory>

#include "common/client_call.h"
#include "grpcpp/grpcpp.h"
#include "regenatlas/timeline/v1/timeline_service.grpc.pb.h"
#include "services/regulatory-timeline/timeline_client.h"

namespace regenatlas::timeline {

// TimelineClient over RegulatoryTimelineService on one channel opened on
// first use and reused. Thread-safe.
class GrpcTimelineClient final : public TimelineClient {
 public:
  using Connect = std::function<std::shared_ptr<grpc::Channel>()>;
  explicit GrpcTimelineClient(Connect connect, ClientOptions options = {});

  absl::StatusOr<v1::ListEventsResponse> ListEvents(const v1::ListEventsRequest& request) override;
  absl::StatusOr<v1::ProductTimeline> ComputeProductTimeline(
      const v1::ComputeProductTimelineRequest& request) override;
  absl::StatusOr<v1::ComputeMilestoneIntervalsResponse> ComputeMilestoneIntervals(
      const v1::ComputeMilestoneIntervalsRequest& request) override;

  // The shared stub, for asynchronous fan-out (the gateway's dossier).
  v1::RegulatoryTimelineService::Stub* stub() { return stub_.Get(); }
  const ClientOptions& options() const { return options_; }

 private:
  const ClientOptions options_;
  LazyStub<v1::RegulatoryTimelineService> stub_;
};

}  // namespace regenatlas::timeline

#endif  // REGENATLAS_SERVICES_REGULATORY_TIMELINE_GRPC_TIMELINE_CLIENT_H_
