// The catalog's validators: the field checks of each resource type run by
// its ResourceTable before a write (required fields, enums, dates, registry
// IDs, country codes) and the existence checks of the records, sources and
// claims a record refers to. Errors are INVALID_ARGUMENT naming the field.
#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_internal.h"
#include "services/catalog/registry_id.h"

namespace regenatlas::catalog {
namespace {

using internal::EnumName;

absl::Status ValidateNames(
    const google::protobuf::RepeatedPtrField<common::v1::LocalizedName>& names,
    absl::string_view field) {
  for (int i = 0; i < names.size(); ++i) {
    std::string f = absl::StrCat(field, "[", i, "]");
    if (names[i].text().empty())
      return absl::InvalidArgumentError(absl::StrCat(f, ".text: required"));
    if (names[i].language().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(f, ".language: required (\"en\", \"zh\", \"ja\", \"und\")"));
    }
    RETURN_IF_ERROR(ValidateEnum(names[i].kind(), common::v1::NameKind_IsValid, false,
                                 absl::StrCat(f, ".kind")));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Catalog::ValidateCitationsExist(
    const google::protobuf::RepeatedPtrField<common::v1::SourceCitation>& citations,
    absl::string_view field) const {
  RETURN_IF_ERROR(ValidateCitations(citations, field));
  for (int i = 0; i < citations.size(); ++i) {
    Source unused;
    ASSIGN_OR_RETURN(bool found, Load(sources_, citations[i].source(), {}, &unused));
    if (!found) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, "[", i, "].source: ", citations[i].source(), " does not exist"));
    }
  }
  return absl::OkStatus();
}

absl::Status Catalog::ValidateClaims(
    const google::protobuf::RepeatedPtrField<common::v1::Claim>& claims,
    absl::string_view field) const {
  for (int i = 0; i < claims.size(); ++i) {
    std::string f = absl::StrCat(field, "[", i, "]");
    if (claims[i].field().empty())
      return absl::InvalidArgumentError(absl::StrCat(f, ".field: required"));
    google::protobuf::RepeatedPtrField<common::v1::SourceCitation> one;
    *one.Add() = claims[i].citation();
    RETURN_IF_ERROR(ValidateCitationsExist(one, absl::StrCat(f, ".citation")));
  }
  return absl::OkStatus();
}

template <typename T>
absl::Status Catalog::ValidateRefs(const ResourceTable<T>& table,
                                   const google::protobuf::RepeatedPtrField<std::string>& names,
                                   absl::string_view field) const {
  for (int i = 0; i < names.size(); ++i) {
    std::string f = absl::StrCat(field, "[", i, "]");
    ASSIGN_OR_RETURN(std::string id, table.IdOf(names[i], f));
    T unused;
    ASSIGN_OR_RETURN(bool found, table.FindRaw(id, &unused));
    if (!found)
      return absl::InvalidArgumentError(absl::StrCat(f, ": ", names[i], " does not exist"));
  }
  return absl::OkStatus();
}

absl::Status Catalog::ValidateSource(const Source& s) const {
  if (s.title().empty()) return absl::InvalidArgumentError("source.title: required");
  RETURN_IF_ERROR(ValidateEnum(s.kind(), catalog::v1::SourceKind_IsValid, true, "source.kind"));
  RETURN_IF_ERROR(ValidatePartialDate(s.publication_date(), "source.publication_date"));
  return ValidateClaims(s.claims(), "source.claims");
}

absl::Status Catalog::ValidateOrganization(const Organization& o) const {
  if (o.display_name().empty())
    return absl::InvalidArgumentError("organization.display_name: required");
  RETURN_IF_ERROR(ValidateNames(o.names(), "organization.names"));
  RETURN_IF_ERROR(
      ValidateEnum(o.kind(), catalog::v1::OrganizationKind_IsValid, false, "organization.kind"));
  if (!o.country_code().empty()) {
    RETURN_IF_ERROR(ValidateJurisdiction(o.country_code(), "organization.country_code"));
  }
  if (!o.parent().empty()) {
    google::protobuf::RepeatedPtrField<std::string> parent;
    *parent.Add() = o.parent();
    if (o.parent() == o.name()) {
      return absl::InvalidArgumentError(
          "organization.parent: an organization cannot be its own parent");
    }
    RETURN_IF_ERROR(ValidateRefs(organizations_, parent, "organization.parent"));
  }
  RETURN_IF_ERROR(ValidateCitationsExist(o.sources(), "organization.sources"));
  return ValidateClaims(o.claims(), "organization.claims");
}

absl::Status Catalog::ValidateIndication(const Indication& i) const {
  if (i.display_name().empty())
    return absl::InvalidArgumentError("indication.display_name: required");
  RETURN_IF_ERROR(ValidateNames(i.names(), "indication.names"));
  RETURN_IF_ERROR(ValidateEnum(i.therapeutic_area(), catalog::v1::TherapeuticArea_IsValid, true,
                               "indication.therapeutic_area"));
  if (!i.parent().empty()) {
    if (i.parent() == i.name()) {
      return absl::InvalidArgumentError(
          "indication.parent: an indication cannot be its own parent");
    }
    google::protobuf::RepeatedPtrField<std::string> parent;
    *parent.Add() = i.parent();
    RETURN_IF_ERROR(ValidateRefs(indications_, parent, "indication.parent"));
  }
  RETURN_IF_ERROR(ValidateCitationsExist(i.sources(), "indication.sources"));
  return ValidateClaims(i.claims(), "indication.claims");
}

absl::Status Catalog::ValidateProduct(const Product& p) const {
  if (p.display_name().empty()) return absl::InvalidArgumentError("product.display_name: required");
  RETURN_IF_ERROR(ValidateNames(p.names(), "product.names"));
  RETURN_IF_ERROR(
      ValidateEnum(p.cell_source(), catalog::v1::CellSource_IsValid, true, "product.cell_source"));
  RETURN_IF_ERROR(
      ValidateEnum(p.cell_type(), catalog::v1::CellType_IsValid, true, "product.cell_type"));
  RETURN_IF_ERROR(ValidateEnum(p.donor(), common::v1::Donor_IsValid, false, "product.donor"));
  if (p.patients_treated() < 0) {
    return absl::InvalidArgumentError("product.patients_treated: must not be negative");
  }
  RETURN_IF_ERROR(ValidateRefs(indications_, p.indications(), "product.indications"));
  RETURN_IF_ERROR(ValidateRefs(organizations_, p.sponsors(), "product.sponsors"));
  RETURN_IF_ERROR(ValidateCitationsExist(p.sources(), "product.sources"));
  return ValidateClaims(p.claims(), "product.claims");
}

absl::Status Catalog::ValidateTrial(const Trial& t) const {
  auto check_id = [](const common::v1::RegistryId& id, const std::string& field) -> absl::Status {
    ASSIGN_OR_RETURN(common::v1::RegistryId parsed, ParseRegistryId(id.id(), field + ".id"));
    if (id.registry() != common::v1::REGISTRY_UNSPECIFIED && id.registry() != parsed.registry()) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, ".registry: ", EnumName(common::v1::Registry_descriptor(), id.registry()),
          " does not match the ID ", parsed.id(), " (",
          EnumName(common::v1::Registry_descriptor(), parsed.registry()), ")"));
    }
    return absl::OkStatus();
  };
  if (t.has_primary_id() && !(t.primary_id().id().empty() &&
                              t.primary_id().registry() == common::v1::REGISTRY_UNSPECIFIED)) {
    RETURN_IF_ERROR(check_id(t.primary_id(), "trial.primary_id"));
  }
  for (int i = 0; i < t.secondary_ids_size(); ++i) {
    RETURN_IF_ERROR(check_id(t.secondary_ids(i), absl::StrCat("trial.secondary_ids[", i, "]")));
  }
  // A phase the sources do not print stays unspecified (and ranks nowhere).
  RETURN_IF_ERROR(
      ValidateEnum(t.phase(), common::v1::DevelopmentStage_IsValid, false, "trial.phase"));
  RETURN_IF_ERROR(
      ValidateEnum(t.status(), catalog::v1::TrialStatus_IsValid, false, "trial.status"));
  for (int i = 0; i < t.countries_size(); ++i) {
    std::string f = absl::StrCat("trial.countries[", i, "]");
    if (t.countries(i).size() != 2) {
      return absl::InvalidArgumentError(
          absl::StrCat(f, ": \"", t.countries(i), "\" is not an ISO 3166-1 alpha-2 code"));
    }
    RETURN_IF_ERROR(ValidateJurisdiction(t.countries(i), f));
  }
  RETURN_IF_ERROR(ValidatePartialDate(t.start_date(), "trial.start_date"));
  RETURN_IF_ERROR(ValidatePartialDate(t.completion_date(), "trial.completion_date"));
  if (t.enrollment() < 0)
    return absl::InvalidArgumentError("trial.enrollment: must not be negative");
  if (!t.sponsor().empty()) {
    google::protobuf::RepeatedPtrField<std::string> sponsor;
    *sponsor.Add() = t.sponsor();
    RETURN_IF_ERROR(ValidateRefs(organizations_, sponsor, "trial.sponsor"));
  }
  RETURN_IF_ERROR(ValidateRefs(organizations_, t.collaborators(), "trial.collaborators"));
  RETURN_IF_ERROR(ValidateRefs(products_, t.products(), "trial.products"));
  RETURN_IF_ERROR(ValidateRefs(indications_, t.indications(), "trial.indications"));
  RETURN_IF_ERROR(ValidateCitationsExist(t.sources(), "trial.sources"));
  for (int i = 0; i < t.product_statements_size(); ++i) {
    const auto& st = t.product_statements(i);
    const std::string f = absl::StrCat("trial.product_statements[", i, "]");
    // A statement speaks for one of the trial's own products only.
    if (std::find(t.products().begin(), t.products().end(), st.product()) == t.products().end()) {
      return absl::InvalidArgumentError(
          absl::StrCat(f, ".product: ", st.product(), " is not one of trial.products"));
    }
    for (const std::string& c : st.countries()) {
      RETURN_IF_ERROR(ValidateJurisdiction(c, f + ".countries"));
    }
    google::protobuf::RepeatedPtrField<common::v1::SourceCitation> cite;
    *cite.Add() = st.citation();
    RETURN_IF_ERROR(ValidateCitationsExist(cite, f + ".citation"));
  }
  RETURN_IF_ERROR(ValidateClassification(t));
  return ValidateClaims(t.claims(), "trial.claims");
}

absl::Status Catalog::ValidateClassification(const Trial& t) const {
  if (!t.has_classification()) return absl::OkStatus();
  const v1::TrialClassification& c = t.classification();
  const std::string f = "trial.classification";
  RETURN_IF_ERROR(
      ValidateEnum(c.origin(), v1::TrialClassification::Origin_IsValid, true, f + ".origin"));
  for (int i = 0; i < c.cell_types_size(); ++i) {
    RETURN_IF_ERROR(ValidateEnum(c.cell_types(i), v1::CellType_IsValid, true,
                                 absl::StrCat(f, ".cell_types[", i, "]")));
  }
  for (int i = 0; i < c.cell_sources_size(); ++i) {
    RETURN_IF_ERROR(ValidateEnum(c.cell_sources(i), v1::CellSource_IsValid, true,
                                 absl::StrCat(f, ".cell_sources[", i, "]")));
  }
  RETURN_IF_ERROR(ValidateEnum(c.donor(), common::v1::Donor_IsValid, false, f + ".donor"));
  // Not a cell therapy: nothing to say about cells.
  if (!c.cell_therapy() &&
      (c.cell_types_size() > 0 || c.cell_sources_size() > 0 || c.tissues_size() > 0 ||
       c.donor() != common::v1::DONOR_UNSPECIFIED || c.has_gene_modified())) {
    return absl::InvalidArgumentError(
        absl::StrCat(f,
                     ".cell_therapy: false, but cell types, sources, tissues, donor or "
                     "gene_modified are set"));
  }
  if (!c.source().empty()) {
    Source unused;
    ASSIGN_OR_RETURN(bool found, Load(sources_, c.source(), {}, &unused));
    if (!found) {
      return absl::InvalidArgumentError(
          absl::StrCat(f, ".source: ", c.source(), " does not exist"));
    }
  }
  return absl::OkStatus();
}

}  // namespace regenatlas::catalog
