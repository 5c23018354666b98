#ifndef REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_SERVICE_H_
#define REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_SERVICE_H_

#include "regenatlas/analytics/v1/analytics_service.grpc.pb.h"
#include "services/market-analytics/analytics.h"

namespace regenatlas::analytics {

// The gRPC face of Analytics.
class AnalyticsService final : public analytics::v1::MarketAnalyticsService::CallbackService {
 public:
  // `analytics` is not owned and must outlive the service.
  explicit AnalyticsService(Analytics* analytics) : analytics_(analytics) {}

  grpc::ServerUnaryReactor* CreateFxRate(grpc::CallbackServerContext* context,
                                         const analytics::v1::CreateFxRateRequest* request,
                                         FxRate* response) override;
  grpc::ServerUnaryReactor* GetFxRate(grpc::CallbackServerContext* context,
                                      const analytics::v1::GetFxRateRequest* request,
                                      FxRate* response) override;
  grpc::ServerUnaryReactor* ListFxRates(grpc::CallbackServerContext* context,
                                        const analytics::v1::ListFxRatesRequest* request,
                                        analytics::v1::ListFxRatesResponse* response) override;
  grpc::ServerUnaryReactor* UpdateFxRate(grpc::CallbackServerContext* context,
                                         const analytics::v1::UpdateFxRateRequest* request,
                                         FxRate* response) override;
  grpc::ServerUnaryReactor* DeleteFxRate(grpc::CallbackServerContext* context,
                                         const analytics::v1::DeleteFxRateRequest* request,
                                         google::protobuf::Empty* response) override;

 private:
  Analytics* const analytics_;
};

}  // namespace regenatlas::analytics

#endif  // REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_SERVICE_H_
