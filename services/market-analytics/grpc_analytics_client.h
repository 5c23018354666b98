#ifndef REGENATLAS_SERVICES_MARKET_ANALYTICS_GRPC_ANALYTICS_CLIENT_H_
#define REGENATLAS_SERVICES_MARKET_ANALYTICS_GRPC_ANALYTICS_CLIENT_H_

// AnalyticsClient over gRPC (library regenatlas_analytics_client).

#include <functional>
#include <memory>

#include "common/client_call.h"
#include "grpcpp/grpcpp.h"
#include "regenatlas/analytics/v1/analytics_service.grpc.pb.h"
#include "services/market-analytics/analytics_client.h"

namespace regenatlas::analytics {

// AnalyticsClient over MarketAnalyticsService on one channel opened on first
// use and reused. Thread-safe.
class GrpcAnalyticsClient final : public AnalyticsClient {
 public:
  using Connect = std::function<std::shared_ptr<grpc::Channel>()>;
  explicit GrpcAnalyticsClient(Connect connect, ClientOptions options = {});

  absl::StatusOr<v1::ListPricePointsResponse> ListPricePoints(
      const v1::ListPricePointsRequest& request) override;
  absl::StatusOr<v1::IndicationLandscape> ComputeIndicationLandscape(
      const v1::ComputeIndicationLandscapeRequest& request) override;

  // The shared stub, for asynchronous fan-out (the gateway's dossier).
  v1::MarketAnalyticsService::Stub* stub() { return stub_.Get(); }
  const ClientOptions& options() const { return options_; }

 private:
  const ClientOptions options_;
  LazyStub<v1::MarketAnalyticsService> stub_;
};

}  // namespace regenatlas::analytics

#endif  // REGENATLAS_SERVICES_MARKET_ANALYTICS_GRPC_ANALYTICS_CLIENT_H_
