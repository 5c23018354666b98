// Validation of Analytics' writes: the field checks that need no other
// service, and the reference checks through the catalog (CheckRefs).

#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/resource_name.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "services/market-analytics/analytics.h"
#include "services/market-analytics/analytics_internal.h"

namespace regenatlas::analytics {
namespace {

using google::protobuf::RepeatedPtrField;

absl::Status ValidateAsOf(const common::v1::PartialDate& date, absl::string_view field) {
  return ValidatePartialDate(date, field);
}

absl::Status ValidateBound(int bound, absl::string_view field) {
  return ValidateEnum(bound, analytics::v1::Bound_IsValid, false, field);
}

absl::Status ValidateClaimsShape(const RepeatedPtrField<common::v1::Claim>& claims,
                                 absl::string_view field) {
  for (int i = 0; i < claims.size(); ++i) {
    const std::string f = absl::StrCat(field, "[", i, "]");
    if (claims[i].field().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(f, ".field: required"));
    }
    RETURN_IF_ERROR(ParseResourceName(claims[i].citation().source(), "sources",
                                      absl::StrCat(f, ".citation.source"))
                        .status());
  }
  return absl::OkStatus();
}

absl::Status Finite(double v, absl::string_view field) {
  if (!std::isfinite(v)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be a finite number"));
  }
  return absl::OkStatus();
}

void AddCitationRefs(const RepeatedPtrField<common::v1::SourceCitation>& sources,
                     const RepeatedPtrField<common::v1::Claim>& claims, absl::string_view prefix,
                     std::vector<std::pair<std::string, std::string>>& out) {
  for (int i = 0; i < sources.size(); ++i) {
    out.emplace_back(absl::StrCat(prefix, ".sources[", i, "].source"), sources[i].source());
  }
  for (int i = 0; i < claims.size(); ++i) {
    out.emplace_back(absl::StrCat(prefix, ".claims[", i, "].citation.source"),
                     claims[i].citation().source());
  }
}

std::vector<std::pair<std::string, std::string>> CitationRefs(
    const RepeatedPtrField<common::v1::SourceCitation>& sources,
    const RepeatedPtrField<common::v1::Claim>& claims, absl::string_view prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  AddCitationRefs(sources, claims, prefix, out);
  return out;
}

}  // namespace

// ---- Validation -------------------------------------------------------------

absl::Status Analytics::ValidateFxRate(const FxRate& rate) {
  RETURN_IF_ERROR(ValidateCurrency(rate.base_currency(), "fx_rate.base_currency"));
  RETURN_IF_ERROR(ValidateCurrency(rate.quote_currency(), "fx_rate.quote_currency"));
  if (rate.base_currency() == rate.quote_currency()) {
    return absl::InvalidArgumentError("fx_rate.quote_currency: must differ from base_currency");
  }
  if (PrecisionOf(rate.date()) != common::v1::DATE_PRECISION_DAY) {
    return absl::InvalidArgumentError("fx_rate.date: a full date (year, month, day) is required");
  }
  RETURN_IF_ERROR(ValidatePartialDate(rate.date(), "fx_rate.date"));
  if (!std::isfinite(rate.rate()) || rate.rate() <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("fx_rate.rate: must be a positive number (got ", rate.rate(), ")"));
  }
  RETURN_IF_ERROR(ValidateCitations(rate.sources(), "fx_rate.sources"));
  return ValidateClaimsShape(rate.claims(), "fx_rate.claims");
}

absl::Status Analytics::ValidatePricePointFields(const PricePoint& p) {
  RETURN_IF_ERROR(ParseResourceName(p.product(), "products", "price_point.product").status());
  RETURN_IF_ERROR(ValidateJurisdiction(p.jurisdiction(), "price_point.jurisdiction"));
  if (!p.has_amount()) return absl::InvalidArgumentError("price_point.amount: required");
  RETURN_IF_ERROR(internal::ValidateMoney(p.amount(), "price_point.amount", /*positive=*/true));
  RETURN_IF_ERROR(
      ValidateEnum(p.basis(), analytics::v1::PriceBasis_IsValid, true, "price_point.basis"));
  if (p.doses_per_course() < 0) {
    return absl::InvalidArgumentError("price_point.doses_per_course: must not be negative");
  }
  RETURN_IF_ERROR(ValidateEnum(p.price_type(), analytics::v1::PriceType_IsValid, false,
                               "price_point.price_type"));
  RETURN_IF_ERROR(ValidateBound(p.bound(), "price_point.bound"));
  RETURN_IF_ERROR(ValidateAsOf(p.as_of(), "price_point.as_of"));
  RETURN_IF_ERROR(ValidateCitations(p.sources(), "price_point.sources"));
  return ValidateClaimsShape(p.claims(), "price_point.claims");
}

absl::Status Analytics::ValidateEpidemiologyFactFields(const EpidemiologyFact& f) {
  RETURN_IF_ERROR(
      ParseResourceName(f.indication(), "indications", "epidemiology_fact.indication").status());
  RETURN_IF_ERROR(ValidateJurisdiction(f.region(), "epidemiology_fact.region"));
  RETURN_IF_ERROR(
      ValidateEnum(f.measure(), analytics::v1::Measure_IsValid, true, "epidemiology_fact.measure"));
  RETURN_IF_ERROR(Finite(f.value(), "epidemiology_fact.value"));
  if (f.value() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("epidemiology_fact.value: must not be negative (got ", f.value(), ")"));
  }
  if (f.measure() == analytics::v1::MEASURE_FIVE_YEAR_SURVIVAL_RATE && f.value() > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "epidemiology_fact.value: a rate is a fraction between 0 and 1 (got ", f.value(), ")"));
  }
  RETURN_IF_ERROR(ValidateBound(f.bound(), "epidemiology_fact.bound"));
  RETURN_IF_ERROR(ValidateAsOf(f.as_of(), "epidemiology_fact.as_of"));
  RETURN_IF_ERROR(ValidateCitations(f.sources(), "epidemiology_fact.sources"));
  return ValidateClaimsShape(f.claims(), "epidemiology_fact.claims");
}

absl::Status Analytics::ValidateMarketFactFields(const MarketFact& f) {
  if (f.metric().empty()) return absl::InvalidArgumentError("market_fact.metric: required");
  for (char c : f.metric()) {
    if (!absl::ascii_islower(static_cast<unsigned char>(c)) &&
        !absl::ascii_isdigit(static_cast<unsigned char>(c)) && c != '_') {
      return absl::InvalidArgumentError(
          absl::StrCat("market_fact.metric: \"", f.metric(), "\" is not lower_snake_case"));
    }
  }
  auto names = [](const RepeatedPtrField<std::string>& values, absl::string_view collection,
                  absl::string_view field) -> absl::Status {
    for (int i = 0; i < values.size(); ++i) {
      RETURN_IF_ERROR(
          ParseResourceName(values[i], collection, absl::StrCat(field, "[", i, "]")).status());
    }
    return absl::OkStatus();
  };
  RETURN_IF_ERROR(names(f.products(), "products", "market_fact.products"));
  RETURN_IF_ERROR(names(f.organizations(), "organizations", "market_fact.organizations"));
  RETURN_IF_ERROR(names(f.indications(), "indications", "market_fact.indications"));
  if (!f.region().empty()) {
    RETURN_IF_ERROR(ValidateJurisdiction(f.region(), "market_fact.region"));
  }
  RETURN_IF_ERROR(Finite(f.value(), "market_fact.value"));
  RETURN_IF_ERROR(Finite(f.value_high(), "market_fact.value_high"));
  if (f.value_high() != 0 && f.value_high() < f.value()) {
    return absl::InvalidArgumentError(absl::StrCat("market_fact.value_high: the high end (",
                                                   f.value_high(), ") is below value (", f.value(),
                                                   ")"));
  }
  if (f.unit().empty()) return absl::InvalidArgumentError("market_fact.unit: required");
  RETURN_IF_ERROR(ValidateEnum(f.cell_category(), catalog::v1::CellCategory_IsValid, false,
                               "market_fact.cell_category"));
  // One convention for shares in every record kind (docs/data.md): a
  // percentage is a fraction, so 35% is 0.35 and 35 is a mistake.
  if (f.unit() == kPercentUnit) {
    for (const auto& [field, v] :
         {std::pair<const char*, double>{"market_fact.value", f.value()},
          std::pair<const char*, double>{"market_fact.value_high", f.value_high()}}) {
      if (v < 0 || v > 1) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, ": a percentage is stored as a fraction 0–1 (got ", v, ")"));
      }
    }
  }
  RETURN_IF_ERROR(ValidateBound(f.bound(), "market_fact.bound"));
  RETURN_IF_ERROR(ValidateAsOf(f.as_of(), "market_fact.as_of"));
  RETURN_IF_ERROR(ValidateCitations(f.sources(), "market_fact.sources"));
  return ValidateClaimsShape(f.claims(), "market_fact.claims");
}

absl::Status Analytics::RequireCatalog() const {
  if (catalog() == nullptr) {
    return absl::FailedPreconditionError(
        "catalog: analytics is not connected to a catalog, so references cannot be checked");
  }
  return absl::OkStatus();
}

absl::Status Analytics::CheckRefs(const std::vector<Ref>& refs) const {
  if (refs.empty()) return absl::OkStatus();
  RETURN_IF_ERROR(RequireCatalog());
  // One batch per collection; only when the catalog reports a missing
  // record are the names looked up one at a time, to name the field.
  std::map<std::string, std::vector<const Ref*>> by_collection;
  for (const Ref& r : refs) by_collection[r.name.substr(0, r.name.find('/'))].push_back(&r);
  auto fetch = [&](const std::string& collection,
                   const std::vector<std::string>& names) -> absl::Status {
    if (collection == "products") return catalog()->BatchGetProducts(names).status();
    if (collection == "indications") {
      return catalog()->BatchGetIndications(names).status();
    }
    if (collection == "organizations") {
      return catalog()->BatchGetOrganizations(names).status();
    }
    return catalog()->BatchGetSources(names).status();
  };
  for (const auto& [collection, group] : by_collection) {
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const Ref* r : group) {
      if (seen.insert(r->name).second) names.push_back(r->name);
    }
    absl::Status s = fetch(collection, names);
    if (s.ok()) continue;
    if (!absl::IsNotFound(s)) return s;
    for (const Ref* r : group) {
      absl::Status one = fetch(collection, {r->name});
      if (absl::IsNotFound(one)) {
        return absl::InvalidArgumentError(
            absl::StrCat(r->field, ": ", r->name, " does not exist in the catalog"));
      }
      RETURN_IF_ERROR(one);
    }
    return s;
  }
  return absl::OkStatus();
}

absl::Status Analytics::ValidatePricePoint(const PricePoint& p) const {
  RETURN_IF_ERROR(ValidatePricePointFields(p));
  std::vector<Ref> refs = {{"price_point.product", p.product()}};
  for (auto& [field, name] : CitationRefs(p.sources(), p.claims(), "price_point")) {
    refs.push_back({field, name});
  }
  return CheckRefs(refs);
}

absl::Status Analytics::ValidateEpidemiologyFact(const EpidemiologyFact& f) const {
  RETURN_IF_ERROR(ValidateEpidemiologyFactFields(f));
  std::vector<Ref> refs = {{"epidemiology_fact.indication", f.indication()}};
  for (auto& [field, name] : CitationRefs(f.sources(), f.claims(), "epidemiology_fact")) {
    refs.push_back({field, name});
  }
  return CheckRefs(refs);
}

absl::Status Analytics::ValidateMarketFact(const MarketFact& f) const {
  RETURN_IF_ERROR(ValidateMarketFactFields(f));
  std::vector<Ref> refs;
  for (int i = 0; i < f.products_size(); ++i) {
    refs.push_back({absl::StrCat("market_fact.products[", i, "]"), f.products(i)});
  }
  for (int i = 0; i < f.organizations_size(); ++i) {
    refs.push_back({absl::StrCat("market_fact.organizations[", i, "]"), f.organizations(i)});
  }
  for (int i = 0; i < f.indications_size(); ++i) {
    refs.push_back({absl::StrCat("market_fact.indications[", i, "]"), f.indications(i)});
  }
  for (auto& [field, name] : CitationRefs(f.sources(), f.claims(), "market_fact")) {
    refs.push_back({field, name});
  }
  return CheckRefs(refs);
}

absl::Status Analytics::ValidateFxRateWithRefs(const FxRate& r) const {
  RETURN_IF_ERROR(ValidateFxRate(r));
  std::vector<Ref> refs;
  for (auto& [field, name] : CitationRefs(r.sources(), r.claims(), "fx_rate")) {
    refs.push_back({field, name});
  }
  return CheckRefs(refs);
}

}  // namespace regenatlas::analytics
