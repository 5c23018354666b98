#ifndef REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_SERVICE_H_
#define REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_SERVICE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/executor.h"
#include "common/standard_methods.h"
#include "regenatlas/analytics/v1/analytics_service.grpc.pb.h"
#include "services/market-analytics/analytics.h"

namespace regenatlas::analytics {

namespace v1 = ::regenatlas::analytics::v1;

// The request of a Compute* view equivalent to a deprecated Get* request:
// the same fields; GetPipelineBreakdownRequest.group_by's strings become
// BreakdownDimension values (INVALID_ARGUMENT naming "group_by[i]" for an
// unknown name).
absl::StatusOr<v1::ComputePipelineBreakdownRequest> ComputeRequestOf(
    const v1::GetPipelineBreakdownRequest& request);
v1::ComputeIndicationLandscapeRequest ComputeRequestOf(
    const v1::GetIndicationLandscapeRequest& request);
v1::ComputeApprovalStatisticsRequest ComputeRequestOf(
    const v1::GetApprovalStatisticsRequest& request);

// The gRPC face of Analytics: unpacks requests, calls the domain, converts
// the status once. Every method runs on the service's executor
// (common/rpc.h RunUnary), so gRPC's callback threads never block; the
// caller's deadline bounds the downstream calls of the computed views.
class AnalyticsService final : public v1::MarketAnalyticsService::CallbackService {
 public:
  // `analytics` is not owned and must outlive the service.
  explicit AnalyticsService(Analytics* analytics, ExecutorOptions executor = {"analytics"})
      : AnalyticsService(analytics, std::make_shared<Executor>(std::move(executor))) {}
  // Shares `executor` with another instance (the same service registered on
  // a second server: common/call_gate.h).
  AnalyticsService(Analytics* analytics, std::shared_ptr<Executor> executor)
      : analytics_(analytics), executor_(std::move(executor)) {}
  const std::shared_ptr<Executor>& executor() const { return executor_; }

  using Ctx = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;
  using Empty = google::protobuf::Empty;

  // The standard methods (common/standard_methods.h).
  REGENATLAS_STANDARD_METHODS(v1, PricePoint, PricePoints, price_point, price_points,
                              analytics_->price_points(), analytics_->List<PricePoint>)
  REGENATLAS_STANDARD_METHODS(v1, EpidemiologyFact, EpidemiologyFacts, epidemiology_fact,
                              epidemiology_facts, analytics_->epidemiology_facts(),
                              analytics_->List<EpidemiologyFact>)
  REGENATLAS_STANDARD_METHODS(v1, MarketFact, MarketFacts, market_fact, market_facts,
                              analytics_->market_facts(), analytics_->List<MarketFact>)
  REGENATLAS_STANDARD_METHODS(v1, FxRate, FxRates, fx_rate, fx_rates, analytics_->fx_rates(),
                              analytics_->List<FxRate>)

  // The computed views. Each deprecated Get* view converts its request and
  // runs the same computation as its Compute* replacement.
  Reactor* GetPipelineBreakdown(Ctx* ctx, const v1::GetPipelineBreakdownRequest* req,
                                v1::PipelineBreakdown* resp) override;
  Reactor* ComputePipelineBreakdown(Ctx* ctx, const v1::ComputePipelineBreakdownRequest* req,
                                    v1::PipelineBreakdown* resp) override;
  Reactor* GetIndicationLandscape(Ctx* ctx, const v1::GetIndicationLandscapeRequest* req,
                                  v1::IndicationLandscape* resp) override;
  Reactor* ComputeIndicationLandscape(Ctx* ctx, const v1::ComputeIndicationLandscapeRequest* req,
                                      v1::IndicationLandscape* resp) override;
  Reactor* ComparePrices(Ctx* ctx, const v1::ComparePricesRequest* req,
                         v1::PriceComparison* resp) override;
  Reactor* EstimateMarketSize(Ctx* ctx, const v1::EstimateMarketSizeRequest* req,
                              v1::MarketSizeEstimate* resp) override;
  Reactor* GetApprovalStatistics(Ctx* ctx, const v1::GetApprovalStatisticsRequest* req,
                                 v1::ApprovalStatistics* resp) override;
  Reactor* ListDataIssues(Ctx* ctx, const v1::ListDataIssuesRequest* req,
                          v1::ListDataIssuesResponse* resp) override;
  Reactor* ComputeApprovalStatistics(Ctx* ctx, const v1::ComputeApprovalStatisticsRequest* req,
                                     v1::ApprovalStatistics* resp) override;

 private:
  // Runs fn() → StatusOr<Response> on the pool and finishes the call.
  template <typename Response, typename Fn>
  Reactor* Offload(Ctx* ctx, Response* response, Fn fn);

  Analytics* const analytics_;
  const std::shared_ptr<Executor> executor_;
};

}  // namespace regenatlas::analytics

#endif  // REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_SERVICE_H_
