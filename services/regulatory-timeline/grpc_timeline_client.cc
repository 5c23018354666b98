// GrpcTimelineClient: one CallBackend (common/client_call.h) per method.

#include "services/regulatory-timeline/grpc_timeline_client.h"

#include <utility>

namespace regenatlas::timeline {
namespace {

constexpr absl::string_view kBackend = "timeline";
using Stub = v1::RegulatoryTimelineService::Stub;

}  // namespace

GrpcTimelineClient::GrpcTimelineClient(Connect connect, ClientOptions options)
    : options_(options), stub_(std::move(connect)) {}

absl::StatusOr<v1::ListEventsResponse> GrpcTimelineClient::ListEvents(
    const v1::ListEventsRequest& request) {
  return CallBackend(stub_.Get(), &Stub::ListEvents, request, options_, kBackend, "ListEvents");
}

absl::StatusOr<v1::ProductTimeline> GrpcTimelineClient::ComputeProductTimeline(
    const v1::ComputeProductTimelineRequest& request) {
  return CallBackend(stub_.Get(), &Stub::ComputeProductTimeline, request, options_, kBackend,
                     "ComputeProductTimeline");
}

absl::StatusOr<v1::ComputeMilestoneIntervalsResponse> GrpcTimelineClient::ComputeMilestoneIntervals(
    const v1::ComputeMilestoneIntervalsRequest& request) {
  return CallBackend(stub_.Get(), &Stub::ComputeMilestoneIntervals, request, options_, kBackend,
                     "ComputeMilestoneIntervals");
}

}  // namespace regenatlas::timeline
