// Validation of the timeline's writes: the field checks of events and
// policies (ValidateEvent, ValidatePolicy, including the dated / undated
// rule) and their references checked through the catalog.

#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/resource_name.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "services/regulatory-timeline/timeline.h"

namespace regenatlas::timeline {
namespace {

// A record is dated (a valid `date`, as before date_unknown existed) or
// explicitly undated: `date_unknown` with no date, and nothing inferred.
// A missing date without date_unknown stays an error, so a client that
// forgets the date is not silently taken to mean "undated".
absl::Status ValidateRecordDate(const common::v1::PartialDate& date, bool date_unknown,
                                bool date_inferred, absl::string_view record) {
  if (date_unknown) {
    if (IsSet(date)) {
      return absl::InvalidArgumentError(
          absl::StrCat(record, ".date: must be unset when date_unknown is true"));
    }
    if (date_inferred) {
      return absl::InvalidArgumentError(
          absl::StrCat(record, ".date_inferred: an unknown date cannot be inferred"));
    }
    return absl::OkStatus();
  }
  if (!IsSet(date)) {
    return absl::InvalidArgumentError(
        absl::StrCat(record, ".date: required (or set date_unknown when no date is printed)"));
  }
  return ValidatePartialDate(date, absl::StrCat(record, ".date"));
}

}  // namespace

absl::Status Timeline::ValidateEvent(const Event& e) {
  RETURN_IF_ERROR(ValidateEnum(e.type(), timeline::v1::EventType_IsValid, true, "event.type"));
  RETURN_IF_ERROR(ValidateRecordDate(e.date(), e.date_unknown(), e.date_inferred(), "event"));
  RETURN_IF_ERROR(ValidateJurisdiction(e.jurisdiction(), "event.jurisdiction"));
  RETURN_IF_ERROR(ValidateEnum(e.pathway(), timeline::v1::Pathway_IsValid, false, "event.pathway"));
  if (e.description().empty()) return absl::InvalidArgumentError("event.description: required");
  for (int i = 0; i < e.products_size(); ++i) {
    RETURN_IF_ERROR(
        ParseResourceName(e.products(i), "products", absl::StrCat("event.products[", i, "]"))
            .status());
  }
  for (int i = 0; i < e.organizations_size(); ++i) {
    RETURN_IF_ERROR(ParseResourceName(e.organizations(i), "organizations",
                                      absl::StrCat("event.organizations[", i, "]"))
                        .status());
  }
  for (int i = 0; i < e.trials_size(); ++i) {
    RETURN_IF_ERROR(
        ParseResourceName(e.trials(i), "trials", absl::StrCat("event.trials[", i, "]")).status());
  }
  for (int i = 0; i < e.claims_size(); ++i) {
    if (e.claims(i).field().empty()) {
      return absl::InvalidArgumentError(absl::StrCat("event.claims[", i, "].field: required"));
    }
  }
  return ValidateCitations(e.sources(), "event.sources");
}

absl::Status Timeline::ValidatePolicy(const Policy& policy) {
  RETURN_IF_ERROR(
      ValidateEnum(policy.kind(), timeline::v1::PolicyKind_IsValid, true, "policy.kind"));
  RETURN_IF_ERROR(ValidateJurisdiction(policy.jurisdiction(), "policy.jurisdiction"));
  RETURN_IF_ERROR(
      ValidateRecordDate(policy.date(), policy.date_unknown(), policy.date_inferred(), "policy"));
  if (policy.title().empty()) return absl::InvalidArgumentError("policy.title: required");
  return ValidateCitations(policy.sources(), "policy.sources");
}

absl::Status Timeline::CheckCatalogSources(
    const google::protobuf::RepeatedPtrField<common::v1::SourceCitation>& sources,
    absl::string_view field) const {
  std::vector<std::string> names, fields;
  std::set<std::string> seen;
  for (int i = 0; i < sources.size(); ++i) {
    if (!seen.insert(sources[i].source()).second) continue;
    names.push_back(sources[i].source());
    fields.push_back(absl::StrCat(field, "[", i, "].source"));
  }
  return catalog_->CheckExist(names, fields);
}

absl::Status Timeline::CheckCatalogRefs(const Event& e) const {
  std::vector<std::string> names, fields;
  for (int i = 0; i < e.products_size(); ++i) {
    names.push_back(e.products(i));
    fields.push_back(absl::StrCat("event.products[", i, "]"));
  }
  for (int i = 0; i < e.organizations_size(); ++i) {
    names.push_back(e.organizations(i));
    fields.push_back(absl::StrCat("event.organizations[", i, "]"));
  }
  for (int i = 0; i < e.trials_size(); ++i) {
    names.push_back(e.trials(i));
    fields.push_back(absl::StrCat("event.trials[", i, "]"));
  }
  RETURN_IF_ERROR(catalog_->CheckExist(names, fields));
  return CheckCatalogSources(e.sources(), "event.sources");
}

}  // namespace regenatlas::timeline
