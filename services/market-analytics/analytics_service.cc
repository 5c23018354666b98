#include "services/market-analytics/analytics_service.h"

#include "common/rpc.h"

namespace regenatlas::analytics {

grpc::ServerUnaryReactor* AnalyticsService::CreateFxRate(
    grpc::CallbackServerContext* context, const analytics::v1::CreateFxRateRequest* request,
    FxRate* response) {
  return Reply(context, analytics_->fx_rates().Create(request->fx_rate_id(), request->fx_rate()),
               response);
}

grpc::ServerUnaryReactor* AnalyticsService::GetFxRate(
    grpc::CallbackServerContext* context, const analytics::v1::GetFxRateRequest* request,
    FxRate* response) {
  return Reply(context, analytics_->fx_rates().Get(request->name()), response);
}

grpc::ServerUnaryReactor* AnalyticsService::ListFxRates(
    grpc::CallbackServerContext* context, const analytics::v1::ListFxRatesRequest* request,
    analytics::v1::ListFxRatesResponse* response) {
  absl::StatusOr<Page<FxRate>> page =
      analytics_->fx_rates().List(request->page_size(), request->page_token());
  if (page.ok()) {
    FillPage(*page, response->mutable_fx_rates(), response->mutable_next_page_token());
  }
  return Reply(context, page.status());
}

grpc::ServerUnaryReactor* AnalyticsService::UpdateFxRate(
    grpc::CallbackServerContext* context, const analytics::v1::UpdateFxRateRequest* request,
    FxRate* response) {
  return Reply(context, analytics_->fx_rates().Update(request->fx_rate(), request->update_mask()),
               response);
}

grpc::ServerUnaryReactor* AnalyticsService::DeleteFxRate(
    grpc::CallbackServerContext* context, const analytics::v1::DeleteFxRateRequest* request,
    google::protobuf::Empty* response) {
  return Reply(context, analytics_->fx_rates().Delete(request->name(), request->etag()));
}

}  // namespace regenatlas::analytics
