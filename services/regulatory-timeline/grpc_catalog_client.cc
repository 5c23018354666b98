#include "services/regulatory-timeline/grpc_catalog_client.h"

#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"

namespace regenatlas::timeline {

GrpcCatalogClient::GrpcCatalogClient(std::function<std::shared_ptr<grpc::Channel>()> connect,
                                     absl::Duration deadline)
    : connect_(std::move(connect)), deadline_(deadline) {}

catalog::v1::CatalogService::Stub& GrpcCatalogClient::Stub() {
  std::call_once(once_, [this] { stub_ = catalog::v1::CatalogService::NewStub(connect_()); });
  return *stub_;
}

std::unique_ptr<grpc::ClientContext> GrpcCatalogClient::Context() const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(deadline_));
  return ctx;
}

absl::Status GrpcCatalogClient::CheckExist(const std::vector<std::string>& names,
                                           const std::vector<std::string>& fields) {
  // One Get per name: the catalog answers from its own snapshot and the
  // field of the missing name can be named exactly.
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    grpc::Status s;
    if (absl::StartsWith(name, "products/")) {
      catalog::v1::GetProductRequest req;
      req.set_name(name);
      catalog::v1::Product out;
      s = Stub().GetProduct(Context().get(), req, &out);
    } else if (absl::StartsWith(name, "organizations/")) {
      catalog::v1::GetOrganizationRequest req;
      req.set_name(name);
      catalog::v1::Organization out;
      s = Stub().GetOrganization(Context().get(), req, &out);
    } else if (absl::StartsWith(name, "trials/")) {
      catalog::v1::GetTrialRequest req;
      req.set_name(name);
      catalog::v1::Trial out;
      s = Stub().GetTrial(Context().get(), req, &out);
    } else if (absl::StartsWith(name, "sources/")) {
      catalog::v1::GetSourceRequest req;
      req.set_name(name);
      catalog::v1::Source out;
      s = Stub().GetSource(Context().get(), req, &out);
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(fields[i], ": \"", name, "\" is not a catalog resource name"));
    }
    if (s.error_code() == grpc::StatusCode::NOT_FOUND ||
        s.error_code() == grpc::StatusCode::INVALID_ARGUMENT) {
      return absl::InvalidArgumentError(absl::StrCat(fields[i], ": ", name, " does not exist"));
    }
    if (!s.ok()) {
      return absl::Status(FromGrpcStatus(s).code(), absl::StrCat("catalog: ", s.error_message(),
                                                                 " (checking ", fields[i], ")"));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<catalog::v1::Trial>> GrpcCatalogClient::TrialsOfProduct(
    absl::string_view product) {
  std::vector<catalog::v1::Trial> out;
  catalog::v1::ListTrialsRequest req;
  req.set_filter(absl::StrCat("product = \"", product, "\""));
  req.set_page_size(1000);
  for (;;) {
    catalog::v1::ListTrialsResponse resp;
    grpc::Status s = Stub().ListTrials(Context().get(), req, &resp);
    if (!s.ok()) return FromGrpcStatus(s);
    for (auto& t : *resp.mutable_trials()) out.push_back(std::move(t));
    if (resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  return out;
}

absl::StatusOr<std::vector<catalog::v1::Product>> GrpcCatalogClient::GetProducts(
    const std::vector<std::string>& names) {
  std::vector<catalog::v1::Product> out;
  for (const std::string& name : names) {
    catalog::v1::GetProductRequest req;
    req.set_name(name);
    catalog::v1::Product p;
    grpc::Status s = Stub().GetProduct(Context().get(), req, &p);
    if (s.error_code() == grpc::StatusCode::NOT_FOUND) continue;
    if (!s.ok()) return FromGrpcStatus(s);
    out.push_back(std::move(p));
  }
  return out;
}

absl::Status GrpcCatalogClient::SetRegulatoryStages(
    absl::string_view product, const std::vector<catalog::v1::CountryStage>& stages) {
  catalog::v1::SetRegulatoryStagesRequest req;
  req.set_product(std::string(product));
  for (const auto& s : stages) *req.add_stages() = s;
  catalog::v1::Product out;
  std::call_once(internal_once_, [this] {
    internal_stub_ = catalog::v1::CatalogInternalService::NewStub(connect_());
  });
  return FromGrpcStatus(internal_stub_->SetRegulatoryStages(Context().get(), req, &out));
}

}  // namespace regenatlas::timeline
