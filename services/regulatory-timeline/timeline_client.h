#ifndef REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_CLIENT_H_
#define REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_CLIENT_H_

// The regulatory timeline's API as other services see it (analytics, the
// gateway): gRPC-free, implemented by grpc_timeline_client.h. Same
// conventions as services/catalog/catalog_client.h: every call carries
// CallContext::Current(); statuses mapped by FromBackend.

#include "absl/status/statusor.h"
#include "regenatlas/timeline/v1/timeline_service.pb.h"

namespace regenatlas::timeline {

// Reads of the timeline. Thread-safe.
class TimelineClient {
 public:
  virtual ~TimelineClient() = default;

  virtual absl::StatusOr<v1::ListEventsResponse> ListEvents(
      const v1::ListEventsRequest& request) = 0;
  virtual absl::StatusOr<v1::ProductTimeline> ComputeProductTimeline(
      const v1::ComputeProductTimelineRequest& request) = 0;
  virtual absl::StatusOr<v1::ComputeMilestoneIntervalsResponse> ComputeMilestoneIntervals(
      const v1::ComputeMilestoneIntervalsRequest& request) = 0;
};

}  // namespace regenatlas::timeline

#endif  // REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_CLIENT_H_
