#ifndef REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_SERVICE_H_
#define REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_SERVICE_H_

#include "absl/status/statusor.h"
#include "common/executor.h"
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
      : analytics_(analytics), executor_(std::move(executor)) {}

  using Ctx = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;
  using Empty = google::protobuf::Empty;

  Reactor* CreatePricePoint(Ctx* ctx, const v1::CreatePricePointRequest* req,
                            PricePoint* resp) override;
  Reactor* GetPricePoint(Ctx* ctx, const v1::GetPricePointRequest* req, PricePoint* resp) override;
  Reactor* BatchGetPricePoints(Ctx* ctx, const v1::BatchGetPricePointsRequest* req,
                               v1::BatchGetPricePointsResponse* resp) override;
  Reactor* ListPricePoints(Ctx* ctx, const v1::ListPricePointsRequest* req,
                           v1::ListPricePointsResponse* resp) override;
  Reactor* UpdatePricePoint(Ctx* ctx, const v1::UpdatePricePointRequest* req,
                            PricePoint* resp) override;
  Reactor* DeletePricePoint(Ctx* ctx, const v1::DeletePricePointRequest* req, Empty* resp) override;

  Reactor* CreateEpidemiologyFact(Ctx* ctx, const v1::CreateEpidemiologyFactRequest* req,
                                  EpidemiologyFact* resp) override;
  Reactor* GetEpidemiologyFact(Ctx* ctx, const v1::GetEpidemiologyFactRequest* req,
                               EpidemiologyFact* resp) override;
  Reactor* BatchGetEpidemiologyFacts(Ctx* ctx, const v1::BatchGetEpidemiologyFactsRequest* req,
                                     v1::BatchGetEpidemiologyFactsResponse* resp) override;
  Reactor* ListEpidemiologyFacts(Ctx* ctx, const v1::ListEpidemiologyFactsRequest* req,
                                 v1::ListEpidemiologyFactsResponse* resp) override;
  Reactor* UpdateEpidemiologyFact(Ctx* ctx, const v1::UpdateEpidemiologyFactRequest* req,
                                  EpidemiologyFact* resp) override;
  Reactor* DeleteEpidemiologyFact(Ctx* ctx, const v1::DeleteEpidemiologyFactRequest* req,
                                  Empty* resp) override;

  Reactor* CreateMarketFact(Ctx* ctx, const v1::CreateMarketFactRequest* req,
                            MarketFact* resp) override;
  Reactor* GetMarketFact(Ctx* ctx, const v1::GetMarketFactRequest* req, MarketFact* resp) override;
  Reactor* BatchGetMarketFacts(Ctx* ctx, const v1::BatchGetMarketFactsRequest* req,
                               v1::BatchGetMarketFactsResponse* resp) override;
  Reactor* ListMarketFacts(Ctx* ctx, const v1::ListMarketFactsRequest* req,
                           v1::ListMarketFactsResponse* resp) override;
  Reactor* UpdateMarketFact(Ctx* ctx, const v1::UpdateMarketFactRequest* req,
                            MarketFact* resp) override;
  Reactor* DeleteMarketFact(Ctx* ctx, const v1::DeleteMarketFactRequest* req, Empty* resp) override;

  Reactor* CreateFxRate(Ctx* ctx, const v1::CreateFxRateRequest* req, FxRate* resp) override;
  Reactor* GetFxRate(Ctx* ctx, const v1::GetFxRateRequest* req, FxRate* resp) override;
  Reactor* BatchGetFxRates(Ctx* ctx, const v1::BatchGetFxRatesRequest* req,
                           v1::BatchGetFxRatesResponse* resp) override;
  Reactor* ListFxRates(Ctx* ctx, const v1::ListFxRatesRequest* req,
                       v1::ListFxRatesResponse* resp) override;
  Reactor* UpdateFxRate(Ctx* ctx, const v1::UpdateFxRateRequest* req, FxRate* resp) override;
  Reactor* DeleteFxRate(Ctx* ctx, const v1::DeleteFxRateRequest* req, Empty* resp) override;

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
  Reactor* ComputeApprovalStatistics(Ctx* ctx, const v1::ComputeApprovalStatisticsRequest* req,
                                     v1::ApprovalStatistics* resp) override;

 private:
  // Runs fn(deadline) → StatusOr<Response> on the pool and finishes the call.
  template <typename Response, typename Fn>
  Reactor* Offload(Ctx* ctx, Response* response, Fn fn);

  Analytics* const analytics_;
  Executor executor_;
};

}  // namespace regenatlas::analytics

#endif  // REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_SERVICE_H_
