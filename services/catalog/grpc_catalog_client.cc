// GrpcCatalogClient: each method is one CallBackend (common/client_call.h) on
// the shared stub; batch responses are unpacked into vectors.

#include "services/catalog/grpc_catalog_client.h"

#include <utility>

#include "common/status_macros.h"

namespace regenatlas::catalog {
namespace {

constexpr absl::string_view kBackend = "catalog";
using Stub = v1::CatalogService::Stub;

template <typename Request>
Request NameRequest(absl::string_view name) {
  Request request;
  request.set_name(std::string(name));
  return request;
}

template <typename Request>
Request NamesRequest(const std::vector<std::string>& names) {
  Request request;
  for (const std::string& n : names) request.add_names(n);
  return request;
}

template <typename T, typename Repeated>
std::vector<T> ToVector(Repeated* items) {
  std::vector<T> out;
  out.reserve(items->size());
  for (auto& item : *items) out.push_back(std::move(item));
  return out;
}

}  // namespace

GrpcCatalogClient::GrpcCatalogClient(Connect connect, ClientOptions options)
    : options_(options), public_(connect), internal_(connect) {}

absl::StatusOr<v1::Source> GrpcCatalogClient::GetSource(absl::string_view name) {
  return CallBackend(public_.Get(), &Stub::GetSource, NameRequest<v1::GetSourceRequest>(name),
                     options_, kBackend, "GetSource");
}

absl::StatusOr<v1::Organization> GrpcCatalogClient::GetOrganization(absl::string_view name) {
  return CallBackend(public_.Get(), &Stub::GetOrganization,
                     NameRequest<v1::GetOrganizationRequest>(name), options_, kBackend,
                     "GetOrganization");
}

absl::StatusOr<v1::Product> GrpcCatalogClient::GetProduct(absl::string_view name) {
  return CallBackend(public_.Get(), &Stub::GetProduct, NameRequest<v1::GetProductRequest>(name),
                     options_, kBackend, "GetProduct");
}

absl::StatusOr<v1::Trial> GrpcCatalogClient::GetTrial(absl::string_view name) {
  return CallBackend(public_.Get(), &Stub::GetTrial, NameRequest<v1::GetTrialRequest>(name),
                     options_, kBackend, "GetTrial");
}

absl::StatusOr<std::vector<v1::Source>> GrpcCatalogClient::BatchGetSources(
    const std::vector<std::string>& names) {
  ASSIGN_OR_RETURN(v1::BatchGetSourcesResponse r,
                   CallBackend(public_.Get(), &Stub::BatchGetSources,
                               NamesRequest<v1::BatchGetSourcesRequest>(names), options_, kBackend,
                               "BatchGetSources"));
  return ToVector<v1::Source>(r.mutable_sources());
}

absl::StatusOr<std::vector<v1::Organization>> GrpcCatalogClient::BatchGetOrganizations(
    const std::vector<std::string>& names) {
  ASSIGN_OR_RETURN(v1::BatchGetOrganizationsResponse r,
                   CallBackend(public_.Get(), &Stub::BatchGetOrganizations,
                               NamesRequest<v1::BatchGetOrganizationsRequest>(names), options_,
                               kBackend, "BatchGetOrganizations"));
  return ToVector<v1::Organization>(r.mutable_organizations());
}

absl::StatusOr<std::vector<v1::Indication>> GrpcCatalogClient::BatchGetIndications(
    const std::vector<std::string>& names) {
  ASSIGN_OR_RETURN(v1::BatchGetIndicationsResponse r,
                   CallBackend(public_.Get(), &Stub::BatchGetIndications,
                               NamesRequest<v1::BatchGetIndicationsRequest>(names), options_,
                               kBackend, "BatchGetIndications"));
  return ToVector<v1::Indication>(r.mutable_indications());
}

absl::StatusOr<std::vector<v1::Product>> GrpcCatalogClient::BatchGetProducts(
    const std::vector<std::string>& names) {
  ASSIGN_OR_RETURN(v1::BatchGetProductsResponse r,
                   CallBackend(public_.Get(), &Stub::BatchGetProducts,
                               NamesRequest<v1::BatchGetProductsRequest>(names), options_, kBackend,
                               "BatchGetProducts"));
  return ToVector<v1::Product>(r.mutable_products());
}

absl::StatusOr<v1::ListIndicationsResponse> GrpcCatalogClient::ListIndications(
    const v1::ListIndicationsRequest& request) {
  return CallBackend(public_.Get(), &Stub::ListIndications, request, options_, kBackend,
                     "ListIndications");
}

absl::StatusOr<v1::ListProductsResponse> GrpcCatalogClient::ListProducts(
    const v1::ListProductsRequest& request) {
  return CallBackend(public_.Get(), &Stub::ListProducts, request, options_, kBackend,
                     "ListProducts");
}

absl::StatusOr<v1::ListTrialsResponse> GrpcCatalogClient::ListTrials(
    const v1::ListTrialsRequest& request) {
  return CallBackend(public_.Get(), &Stub::ListTrials, request, options_, kBackend, "ListTrials");
}

absl::StatusOr<v1::CountResponse> GrpcCatalogClient::CountProducts(
    const v1::CountProductsRequest& request) {
  return CallBackend(public_.Get(), &Stub::CountProducts, request, options_, kBackend,
                     "CountProducts");
}

absl::StatusOr<v1::CountResponse> GrpcCatalogClient::CountTrials(
    const v1::CountTrialsRequest& request) {
  return CallBackend(public_.Get(), &Stub::CountTrials, request, options_, kBackend, "CountTrials");
}

absl::StatusOr<v1::Product> GrpcCatalogClient::SetRegulatoryStages(
    const v1::SetRegulatoryStagesRequest& request) {
  return CallBackend(internal_.Get(), &v1::CatalogInternalService::Stub::SetRegulatoryStages,
                     request, options_, kBackend, "SetRegulatoryStages");
}

}  // namespace regenatlas::catalog
