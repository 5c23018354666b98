#include "services/market-analytics/analytics_service.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/dimensions.h"
#include "common/excerpt.h"
#include "common/grpc_status.h"
#include "common/rpc.h"

namespace regenatlas::analytics {
absl::StatusOr<v1::ComputePipelineBreakdownRequest> ComputeRequestOf(
    const v1::GetPipelineBreakdownRequest& request) {
  v1::ComputePipelineBreakdownRequest out;
  out.set_subject(request.subject());
  out.set_filter(request.filter());
  for (int i = 0; i < request.group_by_size(); ++i) {
    std::optional<int> d = DimensionValue(v1::BreakdownDimension_descriptor(), request.group_by(i));
    if (!d.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("group_by[", i, "]: unknown dimension \"", Excerpt(request.group_by(i)),
                       "\"; allowed: ", DimensionNames(v1::BreakdownDimension_descriptor())));
    }
    out.add_dimensions(static_cast<v1::BreakdownDimension>(*d));
  }
  return out;
}

v1::ComputeIndicationLandscapeRequest ComputeRequestOf(
    const v1::GetIndicationLandscapeRequest& request) {
  v1::ComputeIndicationLandscapeRequest out;
  out.set_indication(request.indication());
  out.set_page_size(request.page_size());
  out.set_page_token(request.page_token());
  out.set_exact_indication(request.exact_indication());
  return out;
}

v1::ComputeApprovalStatisticsRequest ComputeRequestOf(
    const v1::GetApprovalStatisticsRequest& request) {
  v1::ComputeApprovalStatisticsRequest out;
  out.set_filter(request.filter());
  *out.mutable_cell_categories() = request.cell_categories();
  return out;
}

template <typename Response, typename Fn>
grpc::ServerUnaryReactor* AnalyticsService::Offload(Ctx* ctx, Response* response, Fn fn) {
  // The caller's deadline bounds the downstream calls of the computation:
  // RunUnary makes it the CallContext the client libraries stamp.
  return RunUnary(ctx, executor_.get(),
                  [response, fn = std::move(fn)]() mutable { return Deliver(fn(), response); });
}

// ---- Computed views ----
//
// The Get* views are deprecated aliases of the Compute* ones (AIP-136): each
// converts its request and runs the same computation.

grpc::ServerUnaryReactor* AnalyticsService::GetPipelineBreakdown(
    Ctx* ctx, const v1::GetPipelineBreakdownRequest* req, v1::PipelineBreakdown* resp) {
  return Offload(ctx, resp, [this, req]() -> absl::StatusOr<v1::PipelineBreakdown> {
    absl::StatusOr<v1::ComputePipelineBreakdownRequest> request = ComputeRequestOf(*req);
    if (!request.ok()) return request.status();
    return analytics_->ComputePipelineBreakdown(*request, "group_by");
  });
}

grpc::ServerUnaryReactor* AnalyticsService::ComputePipelineBreakdown(
    Ctx* ctx, const v1::ComputePipelineBreakdownRequest* req, v1::PipelineBreakdown* resp) {
  return Offload(ctx, resp, [this, req]() { return analytics_->ComputePipelineBreakdown(*req); });
}

grpc::ServerUnaryReactor* AnalyticsService::GetIndicationLandscape(
    Ctx* ctx, const v1::GetIndicationLandscapeRequest* req, v1::IndicationLandscape* resp) {
  return Offload(ctx, resp, [this, req]() {
    return analytics_->ComputeIndicationLandscape(ComputeRequestOf(*req));
  });
}

grpc::ServerUnaryReactor* AnalyticsService::ComputeIndicationLandscape(
    Ctx* ctx, const v1::ComputeIndicationLandscapeRequest* req, v1::IndicationLandscape* resp) {
  return Offload(ctx, resp, [this, req]() { return analytics_->ComputeIndicationLandscape(*req); });
}

grpc::ServerUnaryReactor* AnalyticsService::ComparePrices(Ctx* ctx,
                                                          const v1::ComparePricesRequest* req,
                                                          v1::PriceComparison* resp) {
  return Offload(ctx, resp, [this, req]() { return analytics_->ComparePrices(*req); });
}

grpc::ServerUnaryReactor* AnalyticsService::EstimateMarketSize(
    Ctx* ctx, const v1::EstimateMarketSizeRequest* req, v1::MarketSizeEstimate* resp) {
  return Offload(ctx, resp, [this, req]() { return analytics_->EstimateMarketSize(*req); });
}

grpc::ServerUnaryReactor* AnalyticsService::GetApprovalStatistics(
    Ctx* ctx, const v1::GetApprovalStatisticsRequest* req, v1::ApprovalStatistics* resp) {
  return Offload(ctx, resp, [this, req]() {
    return analytics_->ComputeApprovalStatistics(ComputeRequestOf(*req));
  });
}

grpc::ServerUnaryReactor* AnalyticsService::ComputeApprovalStatistics(
    Ctx* ctx, const v1::ComputeApprovalStatisticsRequest* req, v1::ApprovalStatistics* resp) {
  return Offload(ctx, resp, [this, req]() { return analytics_->ComputeApprovalStatistics(*req); });
}

grpc::ServerUnaryReactor* AnalyticsService::ListDataIssues(Ctx* ctx,
                                                           const v1::ListDataIssuesRequest* req,
                                                           v1::ListDataIssuesResponse* resp) {
  return Offload(ctx, resp, [this, req]() { return analytics_->ListDataIssues(*req); });
}

}  // namespace regenatlas::analytics
