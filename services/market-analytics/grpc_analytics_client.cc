// GrpcAnalyticsClient: one CallBackend (common/client_call.h) per method.

#include "services/market-analytics/grpc_analytics_client.h"

#include <utility>

namespace regenatlas::analytics {
namespace {

constexpr absl::string_view kBackend = "analytics";
using Stub = v1::MarketAnalyticsService::Stub;

}  // namespace

GrpcAnalyticsClient::GrpcAnalyticsClient(Connect connect, ClientOptions options)
    : options_(options), stub_(std::move(connect)) {}

absl::StatusOr<v1::ListPricePointsResponse> GrpcAnalyticsClient::ListPricePoints(
    const v1::ListPricePointsRequest& request) {
  return CallBackend(stub_.Get(), &Stub::ListPricePoints, request, options_, kBackend,
                     "ListPricePoints");
}

absl::StatusOr<v1::IndicationLandscape> GrpcAnalyticsClient::ComputeIndicationLandscape(
    const v1::ComputeIndicationLandscapeRequest& request) {
  return CallBackend(stub_.Get(), &Stub::ComputeIndicationLandscape, request, options_, kBackend,
                     "ComputeIndicationLandscape");
}

}  // namespace regenatlas::analytics
