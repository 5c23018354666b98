#include "services/market-analytics/grpc_readers.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"

namespace regenatlas::analytics {
namespace {

// A context whose deadline is the caller's or the default timeout,
// whichever comes first: every outgoing call has one.
void SetDeadline(grpc::ClientContext& context, absl::Time deadline, absl::Duration timeout) {
  const absl::Time fallback = absl::Now() + timeout;
  context.set_deadline(absl::ToChronoTime(deadline < fallback ? deadline : fallback));
}

// The backend's status as a domain status. Errors about the request keep
// their message (it names the request field); errors about reaching the
// backend say which backend.
absl::Status Convert(const grpc::Status& status, absl::string_view backend,
                     absl::string_view method) {
  if (status.ok()) return absl::OkStatus();
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
      return FromGrpcStatus(status);
    case grpc::StatusCode::UNIMPLEMENTED:
      // Not this service's unimplemented method: a dependency is missing,
      // which retrying does not fix.
      return absl::FailedPreconditionError(
          absl::StrCat(backend, ": ", method, " is not implemented by the backend"));
    default:
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          absl::StrCat(backend, " ", method, ": ", status.error_message()));
  }
}

template <typename StubT, typename Request, typename Response>
absl::StatusOr<Response> Call(
    StubT* stub, grpc::Status (StubT::*method)(grpc::ClientContext*, const Request&, Response*),
    const Request& request, absl::Time deadline, const GrpcReaderOptions& options,
    absl::string_view backend, absl::string_view method_name) {
  if (stub == nullptr) {
    return absl::UnavailableError(absl::StrCat(backend, ": no channel"));
  }
  grpc::ClientContext context;
  SetDeadline(context, deadline, options.timeout);
  Response response;
  grpc::Status status = (stub->*method)(&context, request, &response);
  absl::Status s = Convert(status, backend, method_name);
  if (!s.ok()) return s;
  return response;
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

constexpr absl::string_view kCatalog = "catalog";
constexpr absl::string_view kTimeline = "timeline";

}  // namespace

GrpcCatalogReader::GrpcCatalogReader(ChannelFactory connect, GrpcReaderOptions options)
    : connect_(std::move(connect)), options_(options) {}

catalog::v1::CatalogService::Stub* GrpcCatalogReader::Stub() {
  absl::MutexLock lock(&mu_);
  if (stub_ == nullptr) {
    std::shared_ptr<grpc::Channel> channel = connect_();
    if (channel == nullptr) return nullptr;
    stub_ = catalog::v1::CatalogService::NewStub(channel);
  }
  return stub_.get();
}

absl::StatusOr<std::vector<catalog::v1::Product>> GrpcCatalogReader::BatchGetProducts(
    const std::vector<std::string>& names, absl::Time deadline) {
  auto r = Call(Stub(), &catalog::v1::CatalogService::Stub::BatchGetProducts,
                NamesRequest<catalog::v1::BatchGetProductsRequest>(names), deadline, options_,
                kCatalog, "BatchGetProducts");
  if (!r.ok()) return r.status();
  return ToVector<catalog::v1::Product>(r->mutable_products());
}

absl::StatusOr<std::vector<catalog::v1::Indication>> GrpcCatalogReader::BatchGetIndications(
    const std::vector<std::string>& names, absl::Time deadline) {
  auto r = Call(Stub(), &catalog::v1::CatalogService::Stub::BatchGetIndications,
                NamesRequest<catalog::v1::BatchGetIndicationsRequest>(names), deadline, options_,
                kCatalog, "BatchGetIndications");
  if (!r.ok()) return r.status();
  return ToVector<catalog::v1::Indication>(r->mutable_indications());
}

absl::StatusOr<std::vector<catalog::v1::Organization>> GrpcCatalogReader::BatchGetOrganizations(
    const std::vector<std::string>& names, absl::Time deadline) {
  auto r = Call(Stub(), &catalog::v1::CatalogService::Stub::BatchGetOrganizations,
                NamesRequest<catalog::v1::BatchGetOrganizationsRequest>(names), deadline, options_,
                kCatalog, "BatchGetOrganizations");
  if (!r.ok()) return r.status();
  return ToVector<catalog::v1::Organization>(r->mutable_organizations());
}

absl::StatusOr<std::vector<catalog::v1::Source>> GrpcCatalogReader::BatchGetSources(
    const std::vector<std::string>& names, absl::Time deadline) {
  auto r = Call(Stub(), &catalog::v1::CatalogService::Stub::BatchGetSources,
                NamesRequest<catalog::v1::BatchGetSourcesRequest>(names), deadline, options_,
                kCatalog, "BatchGetSources");
  if (!r.ok()) return r.status();
  return ToVector<catalog::v1::Source>(r->mutable_sources());
}

absl::StatusOr<catalog::v1::ListIndicationsResponse> GrpcCatalogReader::ListIndications(
    const catalog::v1::ListIndicationsRequest& request, absl::Time deadline) {
  return Call(Stub(), &catalog::v1::CatalogService::Stub::ListIndications, request, deadline,
              options_, kCatalog, "ListIndications");
}

absl::StatusOr<catalog::v1::ListProductsResponse> GrpcCatalogReader::ListProducts(
    const catalog::v1::ListProductsRequest& request, absl::Time deadline) {
  return Call(Stub(), &catalog::v1::CatalogService::Stub::ListProducts, request, deadline, options_,
              kCatalog, "ListProducts");
}

absl::StatusOr<catalog::v1::ListTrialsResponse> GrpcCatalogReader::ListTrials(
    const catalog::v1::ListTrialsRequest& request, absl::Time deadline) {
  return Call(Stub(), &catalog::v1::CatalogService::Stub::ListTrials, request, deadline, options_,
              kCatalog, "ListTrials");
}

absl::StatusOr<catalog::v1::CountResponse> GrpcCatalogReader::CountProducts(
    const catalog::v1::CountProductsRequest& request, absl::Time deadline) {
  return Call(Stub(), &catalog::v1::CatalogService::Stub::CountProducts, request, deadline,
              options_, kCatalog, "CountProducts");
}

absl::StatusOr<catalog::v1::CountResponse> GrpcCatalogReader::CountTrials(
    const catalog::v1::CountTrialsRequest& request, absl::Time deadline) {
  return Call(Stub(), &catalog::v1::CatalogService::Stub::CountTrials, request, deadline, options_,
              kCatalog, "CountTrials");
}

GrpcTimelineReader::GrpcTimelineReader(ChannelFactory connect, GrpcReaderOptions options)
    : connect_(std::move(connect)), options_(options) {}

timeline::v1::RegulatoryTimelineService::Stub* GrpcTimelineReader::Stub() {
  absl::MutexLock lock(&mu_);
  if (stub_ == nullptr) {
    std::shared_ptr<grpc::Channel> channel = connect_();
    if (channel == nullptr) return nullptr;
    stub_ = timeline::v1::RegulatoryTimelineService::NewStub(channel);
  }
  return stub_.get();
}

absl::StatusOr<timeline::v1::ListEventsResponse> GrpcTimelineReader::ListEvents(
    const timeline::v1::ListEventsRequest& request, absl::Time deadline) {
  return Call(Stub(), &timeline::v1::RegulatoryTimelineService::Stub::ListEvents, request, deadline,
              options_, kTimeline, "ListEvents");
}

absl::StatusOr<timeline::v1::ComputeMilestoneIntervalsResponse>
GrpcTimelineReader::ComputeMilestoneIntervals(
    const timeline::v1::ComputeMilestoneIntervalsRequest& request, absl::Time deadline) {
  return Call(Stub(), &timeline::v1::RegulatoryTimelineService::Stub::ComputeMilestoneIntervals,
              request, deadline, options_, kTimeline, "ComputeMilestoneIntervals");
}

}  // namespace regenatlas::analytics
