#include "services/market-analytics/analytics_service.h"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/dimensions.h"
#include "common/excerpt.h"
#include "common/grpc_status.h"
#include "common/rpc.h"

namespace regenatlas::analytics {
namespace {

ListQuery QueryOf(int32_t page_size, const std::string& page_token, const std::string& filter,
                  const std::string& order_by) {
  return ListQuery{page_size, page_token, filter, order_by};
}

template <typename T, typename Repeated>
absl::Status FillBatch(absl::StatusOr<std::vector<T>> records, Repeated* out) {
  if (records.ok()) {
    for (auto& r : *records) *out->Add() = std::move(r);
  }
  return records.status();
}

template <typename T, typename Response, typename Repeated>
absl::Status FillList(absl::StatusOr<ListResult<T>> page, bool show_total_size, Response* resp,
                      Repeated* items) {
  if (page.ok()) {
    FillPage(*page, items, resp->mutable_next_page_token());
    if (show_total_size) resp->set_total_size(page->total_size);
  }
  return page.status();
}

}  // namespace

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
  // The caller's deadline bounds the downstream calls of the computation.
  const absl::Time deadline = DeadlineOf(ctx);
  return RunUnary(ctx, &executor_, [response, deadline, fn = std::move(fn)]() mutable {
    return Deliver(fn(deadline), response);
  });
}

// ---- PricePoints ----

grpc::ServerUnaryReactor* AnalyticsService::CreatePricePoint(Ctx* ctx,
                                                             const v1::CreatePricePointRequest* req,
                                                             PricePoint* resp) {
  return Offload(ctx, resp, [this, req](absl::Time) {
    return analytics_->Create<PricePoint>(req->price_point_id(), req->price_point());
  });
}

grpc::ServerUnaryReactor* AnalyticsService::GetPricePoint(Ctx* ctx,
                                                          const v1::GetPricePointRequest* req,
                                                          PricePoint* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(analytics_->Get<PricePoint>(req->name()), resp);
  });
}

grpc::ServerUnaryReactor* AnalyticsService::BatchGetPricePoints(
    Ctx* ctx, const v1::BatchGetPricePointsRequest* req, v1::BatchGetPricePointsResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(
        FillBatch(analytics_->BatchGet<PricePoint>(req->names()), resp->mutable_price_points()));
  });
}

grpc::ServerUnaryReactor* AnalyticsService::ListPricePoints(Ctx* ctx,
                                                            const v1::ListPricePointsRequest* req,
                                                            v1::ListPricePointsResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    auto page = analytics_->List<PricePoint>(
        QueryOf(req->page_size(), req->page_token(), req->filter(), req->order_by()));
    return Deliver(
        FillList(std::move(page), req->show_total_size(), resp, resp->mutable_price_points()));
  });
}

grpc::ServerUnaryReactor* AnalyticsService::UpdatePricePoint(Ctx* ctx,
                                                             const v1::UpdatePricePointRequest* req,
                                                             PricePoint* resp) {
  return Offload(ctx, resp, [this, req](absl::Time) {
    return analytics_->Update<PricePoint>(req->price_point(), req->update_mask());
  });
}

grpc::ServerUnaryReactor* AnalyticsService::DeletePricePoint(Ctx* ctx,
                                                             const v1::DeletePricePointRequest* req,
                                                             Empty* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(analytics_->Delete<PricePoint>(req->name(), req->etag()));
  });
}

// ---- EpidemiologyFacts ----

grpc::ServerUnaryReactor* AnalyticsService::CreateEpidemiologyFact(
    Ctx* ctx, const v1::CreateEpidemiologyFactRequest* req, EpidemiologyFact* resp) {
  return Offload(ctx, resp, [this, req](absl::Time) {
    return analytics_->Create<EpidemiologyFact>(req->epidemiology_fact_id(),
                                                req->epidemiology_fact());
  });
}

grpc::ServerUnaryReactor* AnalyticsService::GetEpidemiologyFact(
    Ctx* ctx, const v1::GetEpidemiologyFactRequest* req, EpidemiologyFact* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(analytics_->Get<EpidemiologyFact>(req->name()), resp);
  });
}

grpc::ServerUnaryReactor* AnalyticsService::BatchGetEpidemiologyFacts(
    Ctx* ctx, const v1::BatchGetEpidemiologyFactsRequest* req,
    v1::BatchGetEpidemiologyFactsResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(FillBatch(analytics_->BatchGet<EpidemiologyFact>(req->names()),
                             resp->mutable_epidemiology_facts()));
  });
}

grpc::ServerUnaryReactor* AnalyticsService::ListEpidemiologyFacts(
    Ctx* ctx, const v1::ListEpidemiologyFactsRequest* req,
    v1::ListEpidemiologyFactsResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    auto page = analytics_->List<EpidemiologyFact>(
        QueryOf(req->page_size(), req->page_token(), req->filter(), req->order_by()));
    return Deliver(FillList(std::move(page), req->show_total_size(), resp,
                            resp->mutable_epidemiology_facts()));
  });
}

grpc::ServerUnaryReactor* AnalyticsService::UpdateEpidemiologyFact(
    Ctx* ctx, const v1::UpdateEpidemiologyFactRequest* req, EpidemiologyFact* resp) {
  return Offload(ctx, resp, [this, req](absl::Time) {
    return analytics_->Update<EpidemiologyFact>(req->epidemiology_fact(), req->update_mask());
  });
}

grpc::ServerUnaryReactor* AnalyticsService::DeleteEpidemiologyFact(
    Ctx* ctx, const v1::DeleteEpidemiologyFactRequest* req, Empty* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(analytics_->Delete<EpidemiologyFact>(req->name(), req->etag()));
  });
}

// ---- MarketFacts ----

grpc::ServerUnaryReactor* AnalyticsService::CreateMarketFact(Ctx* ctx,
                                                             const v1::CreateMarketFactRequest* req,
                                                             MarketFact* resp) {
  return Offload(ctx, resp, [this, req](absl::Time) {
    return analytics_->Create<MarketFact>(req->market_fact_id(), req->market_fact());
  });
}

grpc::ServerUnaryReactor* AnalyticsService::GetMarketFact(Ctx* ctx,
                                                          const v1::GetMarketFactRequest* req,
                                                          MarketFact* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(analytics_->Get<MarketFact>(req->name()), resp);
  });
}

grpc::ServerUnaryReactor* AnalyticsService::BatchGetMarketFacts(
    Ctx* ctx, const v1::BatchGetMarketFactsRequest* req, v1::BatchGetMarketFactsResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(
        FillBatch(analytics_->BatchGet<MarketFact>(req->names()), resp->mutable_market_facts()));
  });
}

grpc::ServerUnaryReactor* AnalyticsService::ListMarketFacts(Ctx* ctx,
                                                            const v1::ListMarketFactsRequest* req,
                                                            v1::ListMarketFactsResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    auto page = analytics_->List<MarketFact>(
        QueryOf(req->page_size(), req->page_token(), req->filter(), req->order_by()));
    return Deliver(
        FillList(std::move(page), req->show_total_size(), resp, resp->mutable_market_facts()));
  });
}

grpc::ServerUnaryReactor* AnalyticsService::UpdateMarketFact(Ctx* ctx,
                                                             const v1::UpdateMarketFactRequest* req,
                                                             MarketFact* resp) {
  return Offload(ctx, resp, [this, req](absl::Time) {
    return analytics_->Update<MarketFact>(req->market_fact(), req->update_mask());
  });
}

grpc::ServerUnaryReactor* AnalyticsService::DeleteMarketFact(Ctx* ctx,
                                                             const v1::DeleteMarketFactRequest* req,
                                                             Empty* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(analytics_->Delete<MarketFact>(req->name(), req->etag()));
  });
}

// ---- FxRates ----

grpc::ServerUnaryReactor* AnalyticsService::CreateFxRate(Ctx* ctx,
                                                         const v1::CreateFxRateRequest* req,
                                                         FxRate* resp) {
  return Offload(ctx, resp, [this, req](absl::Time) {
    return analytics_->Create<FxRate>(req->fx_rate_id(), req->fx_rate());
  });
}

grpc::ServerUnaryReactor* AnalyticsService::GetFxRate(Ctx* ctx, const v1::GetFxRateRequest* req,
                                                      FxRate* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(analytics_->Get<FxRate>(req->name()), resp);
  });
}

grpc::ServerUnaryReactor* AnalyticsService::BatchGetFxRates(Ctx* ctx,
                                                            const v1::BatchGetFxRatesRequest* req,
                                                            v1::BatchGetFxRatesResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(FillBatch(analytics_->BatchGet<FxRate>(req->names()), resp->mutable_fx_rates()));
  });
}

grpc::ServerUnaryReactor* AnalyticsService::ListFxRates(Ctx* ctx, const v1::ListFxRatesRequest* req,
                                                        v1::ListFxRatesResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    auto page = analytics_->List<FxRate>(
        QueryOf(req->page_size(), req->page_token(), req->filter(), req->order_by()));
    return Deliver(
        FillList(std::move(page), req->show_total_size(), resp, resp->mutable_fx_rates()));
  });
}

grpc::ServerUnaryReactor* AnalyticsService::UpdateFxRate(Ctx* ctx,
                                                         const v1::UpdateFxRateRequest* req,
                                                         FxRate* resp) {
  return Offload(ctx, resp, [this, req](absl::Time) {
    return analytics_->Update<FxRate>(req->fx_rate(), req->update_mask());
  });
}

grpc::ServerUnaryReactor* AnalyticsService::DeleteFxRate(Ctx* ctx,
                                                         const v1::DeleteFxRateRequest* req,
                                                         Empty* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(analytics_->Delete<FxRate>(req->name(), req->etag()));
  });
}

// ---- Computed views ----
//
// The Get* views are deprecated aliases of the Compute* ones (AIP-136): each
// converts its request and runs the same computation.

grpc::ServerUnaryReactor* AnalyticsService::GetPipelineBreakdown(
    Ctx* ctx, const v1::GetPipelineBreakdownRequest* req, v1::PipelineBreakdown* resp) {
  return Offload(
      ctx, resp, [this, req](absl::Time deadline) -> absl::StatusOr<v1::PipelineBreakdown> {
        absl::StatusOr<v1::ComputePipelineBreakdownRequest> request = ComputeRequestOf(*req);
        if (!request.ok()) return request.status();
        return analytics_->ComputePipelineBreakdown(*request, deadline, "group_by");
      });
}

grpc::ServerUnaryReactor* AnalyticsService::ComputePipelineBreakdown(
    Ctx* ctx, const v1::ComputePipelineBreakdownRequest* req, v1::PipelineBreakdown* resp) {
  return Offload(ctx, resp, [this, req](absl::Time deadline) {
    return analytics_->ComputePipelineBreakdown(*req, deadline);
  });
}

grpc::ServerUnaryReactor* AnalyticsService::GetIndicationLandscape(
    Ctx* ctx, const v1::GetIndicationLandscapeRequest* req, v1::IndicationLandscape* resp) {
  return Offload(ctx, resp, [this, req](absl::Time deadline) {
    return analytics_->ComputeIndicationLandscape(ComputeRequestOf(*req), deadline);
  });
}

grpc::ServerUnaryReactor* AnalyticsService::ComputeIndicationLandscape(
    Ctx* ctx, const v1::ComputeIndicationLandscapeRequest* req, v1::IndicationLandscape* resp) {
  return Offload(ctx, resp, [this, req](absl::Time deadline) {
    return analytics_->ComputeIndicationLandscape(*req, deadline);
  });
}

grpc::ServerUnaryReactor* AnalyticsService::ComparePrices(Ctx* ctx,
                                                          const v1::ComparePricesRequest* req,
                                                          v1::PriceComparison* resp) {
  return Offload(ctx, resp, [this, req](absl::Time deadline) {
    return analytics_->ComparePrices(*req, deadline);
  });
}

grpc::ServerUnaryReactor* AnalyticsService::EstimateMarketSize(
    Ctx* ctx, const v1::EstimateMarketSizeRequest* req, v1::MarketSizeEstimate* resp) {
  return Offload(ctx, resp, [this, req](absl::Time deadline) {
    return analytics_->EstimateMarketSize(*req, deadline);
  });
}

grpc::ServerUnaryReactor* AnalyticsService::GetApprovalStatistics(
    Ctx* ctx, const v1::GetApprovalStatisticsRequest* req, v1::ApprovalStatistics* resp) {
  return Offload(ctx, resp, [this, req](absl::Time deadline) {
    return analytics_->ComputeApprovalStatistics(ComputeRequestOf(*req), deadline);
  });
}

grpc::ServerUnaryReactor* AnalyticsService::ComputeApprovalStatistics(
    Ctx* ctx, const v1::ComputeApprovalStatisticsRequest* req, v1::ApprovalStatistics* resp) {
  return Offload(ctx, resp, [this, req](absl::Time deadline) {
    return analytics_->ComputeApprovalStatistics(*req, deadline);
  });
}

}  // namespace regenatlas::analytics
