#ifndef REGENATLAS_SERVICES_MARKET_ANALYTICS_COMPUTATIONS_INTERNAL_H_
#define REGENATLAS_SERVICES_MARKET_ANALYTICS_COMPUTATIONS_INTERNAL_H_

// Helpers shared by the computed views of Analytics (one .cc per view:
// pipeline_breakdown, indication_landscape, price_comparison, market_size,
// approval_statistics); not part of the domain's API.

#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "regenatlas/analytics/v1/analytics_service.pb.h"

namespace regenatlas::analytics::internal {

// Full method names of the upstream services, as views report their calls.
inline constexpr absl::string_view kCatalogService = "regenatlas.catalog.v1.CatalogService/";
inline constexpr absl::string_view kTimelineService =
    "regenatlas.timeline.v1.RegulatoryTimelineService/";

std::string Method(absl::string_view service, absl::string_view method);

// Appends the call of `method` with `request` to a view's upstream_calls.
void Record(google::protobuf::RepeatedPtrField<analytics::v1::UpstreamCall>* calls,
            absl::string_view method, const google::protobuf::Message& request);

// One shown step of a view's arithmetic: left `op` right = result, in `unit`.
analytics::v1::ArithmeticStep Step(std::string description, double left, absl::string_view op,
                                   double right, double result, std::string unit);

}  // namespace regenatlas::analytics::internal

#endif  // REGENATLAS_SERVICES_MARKET_ANALYTICS_COMPUTATIONS_INTERNAL_H_
