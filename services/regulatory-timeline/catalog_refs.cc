// The timeline's catalog operations over catalog::CatalogClient.

#include "services/regulatory-timeline/catalog_refs.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"

namespace regenatlas::timeline {
namespace {

// The status of one existence check, from the catalog's answer to a Get.
absl::Status Existence(const absl::Status& got, absl::string_view field, absl::string_view name) {
  if (got.ok()) return absl::OkStatus();
  if (absl::IsNotFound(got)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", name, " does not exist"));
  }
  // The catalog refused the name itself (malformed id): still the caller's
  // field at fault, but not "does not exist".
  if (absl::IsInvalidArgument(got)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", got.message()));
  }
  return absl::Status(got.code(), absl::StrCat(got.message(), " (checking ", field, ")"));
}

}  // namespace

absl::Status CatalogRefs::CheckExist(const std::vector<std::string>& names,
                                     const std::vector<std::string>& fields) {
  // One Get per name: the field of the missing name can be named exactly.
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& name = names[i];
    absl::Status got;
    if (absl::StartsWith(name, "products/")) {
      got = client_->GetProduct(name).status();
    } else if (absl::StartsWith(name, "organizations/")) {
      got = client_->GetOrganization(name).status();
    } else if (absl::StartsWith(name, "trials/")) {
      got = client_->GetTrial(name).status();
    } else if (absl::StartsWith(name, "sources/")) {
      got = client_->GetSource(name).status();
    } else {
      return absl::InvalidArgumentError(
          absl::StrCat(fields[i], ": \"", name, "\" is not a catalog resource name"));
    }
    RETURN_IF_ERROR(Existence(got, fields[i], name));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::vector<catalog::v1::Trial>> CatalogRefs::TrialsOfProduct(
    absl::string_view product) {
  std::vector<catalog::v1::Trial> out;
  catalog::v1::ListTrialsRequest request;
  request.set_filter(absl::StrCat("product = \"", product, "\""));
  request.set_page_size(1000);
  for (;;) {
    ASSIGN_OR_RETURN(catalog::v1::ListTrialsResponse page, client_->ListTrials(request));
    for (auto& t : *page.mutable_trials()) out.push_back(std::move(t));
    if (page.next_page_token().empty()) break;
    request.set_page_token(page.next_page_token());
  }
  return out;
}

absl::StatusOr<std::vector<catalog::v1::Product>> CatalogRefs::GetProducts(
    const std::vector<std::string>& names) {
  std::vector<catalog::v1::Product> out;
  for (const std::string& name : names) {
    absl::StatusOr<catalog::v1::Product> p = client_->GetProduct(name);
    if (absl::IsNotFound(p.status())) continue;
    RETURN_IF_ERROR(p.status());
    out.push_back(*std::move(p));
  }
  return out;
}

absl::Status CatalogRefs::SetRegulatoryStages(
    absl::string_view product, const std::vector<catalog::v1::CountryStage>& stages) {
  catalog::v1::SetRegulatoryStagesRequest request;
  request.set_product(std::string(product));
  for (const auto& s : stages) *request.add_stages() = s;
  return client_->SetRegulatoryStages(request).status();
}

}  // namespace regenatlas::timeline
