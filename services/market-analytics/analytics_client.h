#ifndef REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_CLIENT_H_
#define REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_CLIENT_H_

// Market analytics' API as other services see it (the gateway): gRPC-free,
// implemented by grpc_analytics_client.h. Same conventions as
// services/catalog/catalog_client.h.

#include "absl/status/statusor.h"
#include "regenatlas/analytics/v1/analytics_service.pb.h"

namespace regenatlas::analytics {

// Reads of market analytics. Thread-safe.
class AnalyticsClient {
 public:
  virtual ~AnalyticsClient() = default;

  virtual absl::StatusOr<v1::ListPricePointsResponse> ListPricePoints(
      const v1::ListPricePointsRequest& request) = 0;
  virtual absl::StatusOr<v1::IndicationLandscape> ComputeIndicationLandscape(
      const v1::ComputeIndicationLandscapeRequest& request) = 0;
};

}  // namespace regenatlas::analytics

#endif  // REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_CLIENT_H_
