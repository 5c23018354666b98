#include "services/market-analytics/analytics.h"

#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/dates.h"
#include "common/paging.h"
#include "common/resource_name.h"
#include "common/validation.h"
#include "google/protobuf/descriptor.h"
#include "services/market-analytics/analytics_internal.h"
#include "storage/key.h"

namespace regenatlas::analytics {
namespace {

using google::protobuf::RepeatedPtrField;
using internal::kIndexCf;
using internal::kRecordsCf;
using storage::Key;

std::string EnumName(const google::protobuf::EnumDescriptor* d, int value) {
  const google::protobuf::EnumValueDescriptor* v = d->FindValueByNumber(value);
  return v == nullptr ? absl::StrCat(value) : v->name();
}

filter::FieldSpec EnumField(const google::protobuf::EnumDescriptor* d, absl::string_view prefix) {
  filter::FieldSpec f;
  f.type = filter::FieldType::kEnum;
  f.enum_prefix = std::string(prefix);
  for (int i = 0; i < d->value_count(); ++i) f.enum_values.push_back(d->value(i)->name());
  return f;
}

filter::FieldSpec ResourceField(absl::string_view collection, bool repeated) {
  filter::FieldSpec f;
  f.type = filter::FieldType::kResource;
  f.collection = std::string(collection);
  f.repeated = repeated;
  return f;
}

// Codes (currencies, jurisdictions, regions) compare upper-cased.
filter::FieldSpec CodeField(bool repeated = false) {
  filter::FieldSpec f;
  f.repeated = repeated;
  f.normalize = [](absl::string_view v) -> std::optional<std::string> {
    return absl::AsciiStrToUpper(v);
  };
  return f;
}

filter::FieldSpec StringField(bool repeated = false) {
  filter::FieldSpec f;
  f.repeated = repeated;
  return f;
}

filter::FieldSpec YearField() {
  filter::FieldSpec f;
  f.type = filter::FieldType::kInt;
  f.ordered = true;
  return f;
}

bool IsIntField(absl::string_view field) { return field == "as_of_year" || field == "year"; }

std::optional<absl::StatusOr<int64_t>> IntEncoder(const std::string& field,
                                                  const std::string& value) {
  if (!IsIntField(field)) return std::nullopt;
  int64_t n = 0;
  if (!absl::SimpleAtoi(value, &n)) {
    return absl::StatusOr<int64_t>(
        absl::InvalidArgumentError(absl::StrCat("filter: \"", value, "\" is not a year")));
  }
  return absl::StatusOr<int64_t>(n);
}

template <typename Citations>
void AddSources(std::vector<Posting>& out, const Citations& citations) {
  for (const auto& c : citations) out.emplace_back("source", c.source());
}

void AddAsOf(std::vector<Posting>& out, const common::v1::PartialDate& as_of) {
  if (as_of.year() != 0) out.emplace_back("as_of_year", "", as_of.year());
}

std::vector<Posting> PostingsOf(const PricePoint& p) {
  std::vector<Posting> out;
  out.emplace_back("product", p.product());
  out.emplace_back("jurisdiction", p.jurisdiction());
  out.emplace_back("currency", p.amount().currency_code());
  out.emplace_back("basis", EnumName(analytics::v1::PriceBasis_descriptor(), p.basis()));
  if (p.price_type() != analytics::v1::PRICE_TYPE_UNSPECIFIED) {
    out.emplace_back("price_type", EnumName(analytics::v1::PriceType_descriptor(), p.price_type()));
  }
  if (p.bound() != analytics::v1::BOUND_UNSPECIFIED) {
    out.emplace_back("bound", EnumName(analytics::v1::Bound_descriptor(), p.bound()));
  }
  AddAsOf(out, p.as_of());
  AddSources(out, p.sources());
  return out;
}

std::vector<Posting> PostingsOf(const EpidemiologyFact& f) {
  std::vector<Posting> out;
  out.emplace_back("indication", f.indication());
  out.emplace_back("region", f.region());
  out.emplace_back("measure", EnumName(analytics::v1::Measure_descriptor(), f.measure()));
  if (f.bound() != analytics::v1::BOUND_UNSPECIFIED) {
    out.emplace_back("bound", EnumName(analytics::v1::Bound_descriptor(), f.bound()));
  }
  AddAsOf(out, f.as_of());
  AddSources(out, f.sources());
  return out;
}

std::vector<Posting> PostingsOf(const MarketFact& f) {
  std::vector<Posting> out;
  out.emplace_back("metric", f.metric());
  for (const std::string& p : f.products()) out.emplace_back("product", p);
  for (const std::string& o : f.organizations()) out.emplace_back("organization", o);
  for (const std::string& i : f.indications()) out.emplace_back("indication", i);
  if (!f.region().empty()) out.emplace_back("region", f.region());
  if (!f.unit().empty()) out.emplace_back("unit", f.unit());
  if (f.bound() != analytics::v1::BOUND_UNSPECIFIED) {
    out.emplace_back("bound", EnumName(analytics::v1::Bound_descriptor(), f.bound()));
  }
  AddAsOf(out, f.as_of());
  AddSources(out, f.sources());
  return out;
}

std::vector<Posting> PostingsOf(const FxRate& r) {
  std::vector<Posting> out;
  out.emplace_back("base_currency", r.base_currency());
  out.emplace_back("quote_currency", r.quote_currency());
  out.emplace_back("currency", r.base_currency());
  out.emplace_back("currency", r.quote_currency());
  if (r.date().year() != 0) out.emplace_back("year", "", r.date().year());
  AddSources(out, r.sources());
  return out;
}

template <typename T>
std::vector<std::string> IndexKeysOf(absl::string_view collection, const T& record) {
  const std::string id(record.name().substr(collection.size() + 1));
  std::vector<std::string> keys = PostingKeys(collection, PostingsOf(record), id);
  if constexpr (std::is_same_v<T, FxRate>) {
    // The dated pair index that FX lookups seek in, and the currency graph
    // that cross rates walk.
    if (IsSet(record.date())) {
      keys.push_back(internal::FxDatedKey(record.base_currency(), record.quote_currency(),
                                          FirstDay(record.date()), id));
    }
    keys.push_back(internal::FxAdjacentKey(record.base_currency(), record.quote_currency(), id));
    keys.push_back(internal::FxAdjacentKey(record.quote_currency(), record.base_currency(), id));
  }
  return keys;
}

ResourceTableOptions TableOptions(const AnalyticsOptions& options, std::string collection) {
  ResourceTableOptions t;
  t.collection = std::move(collection);
  t.records_cf = kRecordsCf;
  t.index_cf = kIndexCf;
  t.change_stream = std::string(Analytics::kChangeStream);
  t.clock = options.clock;
  return t;
}

// A key whose bytewise order is the numeric order of `v`.
std::string SortableDouble(double v) {
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(bits));
  bits = (bits & (uint64_t{1} << 63)) ? ~bits : bits | (uint64_t{1} << 63);
  return absl::StrFormat("%016x", bits);
}

std::string DateSortKey(const common::v1::PartialDate& d) {
  return d.year() == 0 ? std::string("9999")
                       : absl::StrFormat("%04d-%02d-%02d", d.year(), d.month(), d.day());
}

std::string AnalyticsSortKey(const google::protobuf::Message& m, const std::string& field) {
  if (const auto* p = dynamic_cast<const PricePoint*>(&m)) {
    if (field == "as_of") return DateSortKey(p->as_of());
  }
  if (const auto* f = dynamic_cast<const EpidemiologyFact*>(&m)) {
    if (field == "as_of") return DateSortKey(f->as_of());
    if (field == "value") return SortableDouble(f->value());
  }
  if (const auto* f = dynamic_cast<const MarketFact*>(&m)) {
    if (field == "as_of") return DateSortKey(f->as_of());
    if (field == "value") return SortableDouble(f->value());
    if (field == "metric") return f->metric();
  }
  if (const auto* r = dynamic_cast<const FxRate*>(&m)) {
    if (field == "date") return DateSortKey(r->date());
  }
  return "";
}

ListSpec Spec(std::string collection, const filter::Schema* schema,
              std::vector<std::string> order_fields) {
  ListSpec spec;
  spec.collection = std::move(collection);
  spec.schema = schema;
  spec.order_fields = std::move(order_fields);
  spec.sort_key = &AnalyticsSortKey;
  return spec;
}

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
    absl::StatusOr<std::string> id = ParseResourceName(claims[i].citation().source(), "sources",
                                                       absl::StrCat(f, ".citation.source"));
    if (!id.ok()) return id.status();
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

}  // namespace

// ---- Filter schemas and list specs ----------------------------------------

const filter::Schema& Analytics::PricePointSchema() {
  static const auto* schema = new filter::Schema{
      {"product", ResourceField("products", false)},
      {"jurisdiction", CodeField()},
      {"currency", CodeField()},
      {"basis", EnumField(analytics::v1::PriceBasis_descriptor(), "PRICE_BASIS_")},
      {"price_type", EnumField(analytics::v1::PriceType_descriptor(), "PRICE_TYPE_")},
      {"bound", EnumField(analytics::v1::Bound_descriptor(), "BOUND_")},
      {"as_of_year", YearField()},
      {"source", ResourceField("sources", true)},
  };
  return *schema;
}

const filter::Schema& Analytics::EpidemiologyFactSchema() {
  static const auto* schema = new filter::Schema{
      {"indication", ResourceField("indications", false)},
      {"region", CodeField()},
      {"measure", EnumField(analytics::v1::Measure_descriptor(), "MEASURE_")},
      {"bound", EnumField(analytics::v1::Bound_descriptor(), "BOUND_")},
      {"as_of_year", YearField()},
      {"source", ResourceField("sources", true)},
  };
  return *schema;
}

const filter::Schema& Analytics::MarketFactSchema() {
  static const auto* schema = new filter::Schema{
      {"metric", StringField()},
      {"product", ResourceField("products", true)},
      {"organization", ResourceField("organizations", true)},
      {"indication", ResourceField("indications", true)},
      {"region", CodeField()},
      {"unit", StringField()},
      {"bound", EnumField(analytics::v1::Bound_descriptor(), "BOUND_")},
      {"as_of_year", YearField()},
      {"source", ResourceField("sources", true)},
  };
  return *schema;
}

const filter::Schema& Analytics::FxRateSchema() {
  static const auto* schema = new filter::Schema{
      {"base_currency", CodeField()},
      {"quote_currency", CodeField()},
      {"currency", CodeField(true)},
      {"year", YearField()},
      {"source", ResourceField("sources", true)},
  };
  return *schema;
}

// Per-resource names and listing.
template <>
struct Analytics::Kind<PricePoint> {
  static constexpr absl::string_view kField = "price_point";
  static constexpr absl::string_view kIdField = "price_point_id";
  static ResourceTable<PricePoint>& Table(Analytics& a) { return a.price_points_; }
  static const ResourceTable<PricePoint>& Table(const Analytics& a) { return a.price_points_; }
  static const ListSpec& List() {
    static const auto* spec = new ListSpec(Spec("pricePoints", &PricePointSchema(), {"as_of"}));
    return *spec;
  }
};

template <>
struct Analytics::Kind<EpidemiologyFact> {
  static constexpr absl::string_view kField = "epidemiology_fact";
  static constexpr absl::string_view kIdField = "epidemiology_fact_id";
  static ResourceTable<EpidemiologyFact>& Table(Analytics& a) { return a.epidemiology_facts_; }
  static const ResourceTable<EpidemiologyFact>& Table(const Analytics& a) {
    return a.epidemiology_facts_;
  }
  static const ListSpec& List() {
    static const auto* spec =
        new ListSpec(Spec("epidemiologyFacts", &EpidemiologyFactSchema(), {"value", "as_of"}));
    return *spec;
  }
};

template <>
struct Analytics::Kind<MarketFact> {
  static constexpr absl::string_view kField = "market_fact";
  static constexpr absl::string_view kIdField = "market_fact_id";
  static ResourceTable<MarketFact>& Table(Analytics& a) { return a.market_facts_; }
  static const ResourceTable<MarketFact>& Table(const Analytics& a) { return a.market_facts_; }
  static const ListSpec& List() {
    static const auto* spec =
        new ListSpec(Spec("marketFacts", &MarketFactSchema(), {"metric", "value", "as_of"}));
    return *spec;
  }
};

template <>
struct Analytics::Kind<FxRate> {
  static constexpr absl::string_view kField = "fx_rate";
  static constexpr absl::string_view kIdField = "fx_rate_id";
  static ResourceTable<FxRate>& Table(Analytics& a) { return a.fx_rates_; }
  static const ResourceTable<FxRate>& Table(const Analytics& a) { return a.fx_rates_; }
  static const ListSpec& List() {
    static const auto* spec = new ListSpec(Spec("fxRates", &FxRateSchema(), {"date"}));
    return *spec;
  }
};

Analytics::Analytics(storage::Store* store, AnalyticsOptions options)
    : store_(store),
      options_(std::move(options)),
      price_points_(
          store, &write_mu_, TableOptions(options_, "pricePoints"),
          [this](const PricePoint& p) { return ValidatePricePoint(p); },
          [](const PricePoint& p) { return IndexKeysOf("pricePoints", p); }),
      epidemiology_facts_(
          store, &write_mu_, TableOptions(options_, "epidemiologyFacts"),
          [this](const EpidemiologyFact& f) { return ValidateEpidemiologyFact(f); },
          [](const EpidemiologyFact& f) { return IndexKeysOf("epidemiologyFacts", f); }),
      market_facts_(
          store, &write_mu_, TableOptions(options_, "marketFacts"),
          [this](const MarketFact& f) { return ValidateMarketFact(f); },
          [](const MarketFact& f) { return IndexKeysOf("marketFacts", f); }),
      fx_rates_(
          store, &write_mu_, TableOptions(options_, "fxRates"),
          [this](const FxRate& r) { return ValidateFxRateWithRefs(r); },
          [](const FxRate& r) { return IndexKeysOf("fxRates", r); }) {}

// ---- Validation -------------------------------------------------------------

absl::Status Analytics::ValidateFxRate(const FxRate& rate) {
  if (absl::Status s = ValidateCurrency(rate.base_currency(), "fx_rate.base_currency"); !s.ok()) {
    return s;
  }
  if (absl::Status s = ValidateCurrency(rate.quote_currency(), "fx_rate.quote_currency"); !s.ok()) {
    return s;
  }
  if (rate.base_currency() == rate.quote_currency()) {
    return absl::InvalidArgumentError("fx_rate.quote_currency: must differ from base_currency");
  }
  if (PrecisionOf(rate.date()) != common::v1::DATE_PRECISION_DAY) {
    return absl::InvalidArgumentError("fx_rate.date: a full date (year, month, day) is required");
  }
  if (absl::Status s = ValidatePartialDate(rate.date(), "fx_rate.date"); !s.ok()) return s;
  if (!std::isfinite(rate.rate()) || rate.rate() <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("fx_rate.rate: must be a positive number (got ", rate.rate(), ")"));
  }
  if (absl::Status s = ValidateCitations(rate.sources(), "fx_rate.sources"); !s.ok()) return s;
  return ValidateClaimsShape(rate.claims(), "fx_rate.claims");
}

absl::Status Analytics::ValidatePricePointFields(const PricePoint& p) {
  absl::StatusOr<std::string> product =
      ParseResourceName(p.product(), "products", "price_point.product");
  if (!product.ok()) return product.status();
  absl::Status s = ValidateJurisdiction(p.jurisdiction(), "price_point.jurisdiction");
  if (!s.ok()) return s;
  if (!p.has_amount()) return absl::InvalidArgumentError("price_point.amount: required");
  s = internal::ValidateMoney(p.amount(), "price_point.amount", /*positive=*/true);
  if (!s.ok()) return s;
  s = ValidateEnum(p.basis(), analytics::v1::PriceBasis_IsValid, true, "price_point.basis");
  if (!s.ok()) return s;
  if (p.doses_per_course() < 0) {
    return absl::InvalidArgumentError("price_point.doses_per_course: must not be negative");
  }
  s = ValidateEnum(p.price_type(), analytics::v1::PriceType_IsValid, false,
                   "price_point.price_type");
  if (!s.ok()) return s;
  s = ValidateBound(p.bound(), "price_point.bound");
  if (!s.ok()) return s;
  s = ValidateAsOf(p.as_of(), "price_point.as_of");
  if (!s.ok()) return s;
  s = ValidateCitations(p.sources(), "price_point.sources");
  if (!s.ok()) return s;
  return ValidateClaimsShape(p.claims(), "price_point.claims");
}

absl::Status Analytics::ValidateEpidemiologyFactFields(const EpidemiologyFact& f) {
  absl::StatusOr<std::string> indication =
      ParseResourceName(f.indication(), "indications", "epidemiology_fact.indication");
  if (!indication.ok()) return indication.status();
  absl::Status s = ValidateJurisdiction(f.region(), "epidemiology_fact.region");
  if (!s.ok()) return s;
  s = ValidateEnum(f.measure(), analytics::v1::Measure_IsValid, true, "epidemiology_fact.measure");
  if (!s.ok()) return s;
  s = Finite(f.value(), "epidemiology_fact.value");
  if (!s.ok()) return s;
  if (f.value() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("epidemiology_fact.value: must not be negative (got ", f.value(), ")"));
  }
  if (f.measure() == analytics::v1::MEASURE_FIVE_YEAR_SURVIVAL_RATE && f.value() > 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "epidemiology_fact.value: a rate is a fraction between 0 and 1 (got ", f.value(), ")"));
  }
  s = ValidateBound(f.bound(), "epidemiology_fact.bound");
  if (!s.ok()) return s;
  s = ValidateAsOf(f.as_of(), "epidemiology_fact.as_of");
  if (!s.ok()) return s;
  s = ValidateCitations(f.sources(), "epidemiology_fact.sources");
  if (!s.ok()) return s;
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
      absl::StatusOr<std::string> id =
          ParseResourceName(values[i], collection, absl::StrCat(field, "[", i, "]"));
      if (!id.ok()) return id.status();
    }
    return absl::OkStatus();
  };
  absl::Status s = names(f.products(), "products", "market_fact.products");
  if (!s.ok()) return s;
  s = names(f.organizations(), "organizations", "market_fact.organizations");
  if (!s.ok()) return s;
  s = names(f.indications(), "indications", "market_fact.indications");
  if (!s.ok()) return s;
  if (!f.region().empty()) {
    s = ValidateJurisdiction(f.region(), "market_fact.region");
    if (!s.ok()) return s;
  }
  s = Finite(f.value(), "market_fact.value");
  if (!s.ok()) return s;
  s = Finite(f.value_high(), "market_fact.value_high");
  if (!s.ok()) return s;
  if (f.value_high() != 0 && f.value_high() < f.value()) {
    return absl::InvalidArgumentError(absl::StrCat("market_fact.value_high: the high end (",
                                                   f.value_high(), ") is below value (", f.value(),
                                                   ")"));
  }
  if (f.unit().empty()) return absl::InvalidArgumentError("market_fact.unit: required");
  s = ValidateBound(f.bound(), "market_fact.bound");
  if (!s.ok()) return s;
  s = ValidateAsOf(f.as_of(), "market_fact.as_of");
  if (!s.ok()) return s;
  s = ValidateCitations(f.sources(), "market_fact.sources");
  if (!s.ok()) return s;
  return ValidateClaimsShape(f.claims(), "market_fact.claims");
}

absl::Status Analytics::RequireCatalog() const {
  if (catalog() == nullptr) {
    return absl::FailedPreconditionError(
        "catalog: analytics is not connected to a catalog, so references cannot be checked");
  }
  return absl::OkStatus();
}

absl::Status Analytics::CheckRefs(const std::vector<Ref>& refs, absl::Time deadline) const {
  if (refs.empty()) return absl::OkStatus();
  if (absl::Status s = RequireCatalog(); !s.ok()) return s;
  // One batch per collection; only when the catalog reports a missing
  // record are the names looked up one at a time, to name the field.
  std::map<std::string, std::vector<const Ref*>> by_collection;
  for (const Ref& r : refs) by_collection[r.name.substr(0, r.name.find('/'))].push_back(&r);
  auto fetch = [&](const std::string& collection,
                   const std::vector<std::string>& names) -> absl::Status {
    if (collection == "products") return catalog()->BatchGetProducts(names, deadline).status();
    if (collection == "indications") {
      return catalog()->BatchGetIndications(names, deadline).status();
    }
    if (collection == "organizations") {
      return catalog()->BatchGetOrganizations(names, deadline).status();
    }
    return catalog()->BatchGetSources(names, deadline).status();
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
      if (!one.ok()) return one;
    }
    return s;
  }
  return absl::OkStatus();
}

namespace {

std::vector<std::pair<std::string, std::string>> CitationRefs(
    const RepeatedPtrField<common::v1::SourceCitation>& sources,
    const RepeatedPtrField<common::v1::Claim>& claims, absl::string_view prefix) {
  std::vector<std::pair<std::string, std::string>> out;
  AddCitationRefs(sources, claims, prefix, out);
  return out;
}

}  // namespace

absl::Status Analytics::ValidatePricePoint(const PricePoint& p) const {
  absl::Status s = ValidatePricePointFields(p);
  if (!s.ok()) return s;
  std::vector<Ref> refs = {{"price_point.product", p.product()}};
  for (auto& [field, name] : CitationRefs(p.sources(), p.claims(), "price_point")) {
    refs.push_back({field, name});
  }
  return CheckRefs(refs, absl::InfiniteFuture());
}

absl::Status Analytics::ValidateEpidemiologyFact(const EpidemiologyFact& f) const {
  absl::Status s = ValidateEpidemiologyFactFields(f);
  if (!s.ok()) return s;
  std::vector<Ref> refs = {{"epidemiology_fact.indication", f.indication()}};
  for (auto& [field, name] : CitationRefs(f.sources(), f.claims(), "epidemiology_fact")) {
    refs.push_back({field, name});
  }
  return CheckRefs(refs, absl::InfiniteFuture());
}

absl::Status Analytics::ValidateMarketFact(const MarketFact& f) const {
  absl::Status s = ValidateMarketFactFields(f);
  if (!s.ok()) return s;
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
  return CheckRefs(refs, absl::InfiniteFuture());
}

absl::Status Analytics::ValidateFxRateWithRefs(const FxRate& r) const {
  absl::Status s = ValidateFxRate(r);
  if (!s.ok()) return s;
  std::vector<Ref> refs;
  for (auto& [field, name] : CitationRefs(r.sources(), r.claims(), "fx_rate")) {
    refs.push_back({field, name});
  }
  return CheckRefs(refs, absl::InfiniteFuture());
}

// ---- Standard methods -----------------------------------------------------------

template <typename T>
absl::StatusOr<T> Analytics::Create(absl::string_view id, T record, absl::string_view origin) {
  // Checked here so that the error names the request field.
  absl::Status s = ValidateResourceId(id, Kind<T>::kIdField);
  if (!s.ok()) return s;
  return Kind<T>::Table(*this).Create(id, std::move(record), origin);
}

template <typename T>
absl::StatusOr<T> Analytics::Get(absl::string_view name) const {
  return Kind<T>::Table(*this).Get(name);
}

template <typename T>
absl::StatusOr<std::vector<T>> Analytics::BatchGet(
    const RepeatedPtrField<std::string>& names) const {
  if (names.size() > kMaxPageSize) {
    return absl::InvalidArgumentError(absl::StrCat("names: at most ", kMaxPageSize, " per call"));
  }
  const ResourceTable<T>& table = Kind<T>::Table(*this);
  std::shared_ptr<const storage::Snapshot> snapshot = store_->NewSnapshot();
  std::vector<T> out;
  for (int i = 0; i < names.size(); ++i) {
    const std::string field = absl::StrCat("names[", i, "]");
    absl::StatusOr<std::string> id = table.IdOf(names[i], field);
    if (!id.ok()) return id.status();
    T record;
    absl::StatusOr<bool> found = table.FindRaw(*id, &record, snapshot.get());
    if (!found.ok()) return found.status();
    if (!*found) return absl::NotFoundError(absl::StrCat(field, ": ", names[i], " not found"));
    out.push_back(std::move(record));
  }
  return out;
}

template <typename T>
absl::StatusOr<ListResult<T>> Analytics::List(const ListQuery& query) const {
  const ResourceTable<T>& table = Kind<T>::Table(*this);
  const ListSpec& spec = Kind<T>::List();
  IndexReadLock lock(*store_, {&table.index()});
  IndexPostings postings(&table.index(), store_, kIndexCf, lock.snapshot(), &IntEncoder);
  return RunList(table, spec, postings, lock, query);
}

template <typename T>
absl::StatusOr<T> Analytics::Update(const T& patch, const google::protobuf::FieldMask& mask,
                                    absl::string_view origin) {
  const ResourceTable<T>& table = Kind<T>::Table(*this);
  absl::StatusOr<std::string> id = table.IdOf(patch.name(), absl::StrCat(Kind<T>::kField, ".name"));
  if (!id.ok()) return id.status();
  return Kind<T>::Table(*this).Update(patch, mask, origin);
}

template <typename T>
absl::Status Analytics::Delete(absl::string_view name, absl::string_view etag,
                               absl::string_view origin) {
  return Kind<T>::Table(*this).Delete(name, etag, origin);
}

absl::StatusOr<std::vector<std::string>> Analytics::PostingIdsOf(absl::string_view collection,
                                                                 absl::string_view field,
                                                                 absl::string_view value) const {
  absl::StatusOr<std::vector<std::string>> ids =
      PostingIds(*store_, kIndexCf, collection, field, value, nullptr);
  if (!ids.ok()) return ids;
  return SortedUnique(*std::move(ids));
}

#define REGENATLAS_ANALYTICS_INSTANTIATE(T)                                                     \
  template absl::StatusOr<T> Analytics::Create<T>(absl::string_view, T, absl::string_view);     \
  template absl::StatusOr<T> Analytics::Get<T>(absl::string_view) const;                        \
  template absl::StatusOr<std::vector<T>> Analytics::BatchGet<T>(                               \
      const RepeatedPtrField<std::string>&) const;                                              \
  template absl::StatusOr<ListResult<T>> Analytics::List<T>(const ListQuery&) const;            \
  template absl::StatusOr<T> Analytics::Update<T>(const T&, const google::protobuf::FieldMask&, \
                                                  absl::string_view);                           \
  template absl::Status Analytics::Delete<T>(absl::string_view, absl::string_view,              \
                                             absl::string_view);

REGENATLAS_ANALYTICS_INSTANTIATE(PricePoint)
REGENATLAS_ANALYTICS_INSTANTIATE(EpidemiologyFact)
REGENATLAS_ANALYTICS_INSTANTIATE(MarketFact)
REGENATLAS_ANALYTICS_INSTANTIATE(FxRate)
#undef REGENATLAS_ANALYTICS_INSTANTIATE

// ---- Dataset digest ---------------------------------------------------------------

absl::StatusOr<std::string> Analytics::DatasetDigest() const {
  absl::StatusOr<std::optional<std::string>> v =
      store_->Get(kRecordsCf, Key().String("~dataset").Release());
  if (!v.ok()) return v.status();
  return v->value_or("");
}

absl::Status Analytics::SetDatasetDigest(absl::string_view digest) {
  storage::WriteBatch batch;
  batch.Put(kRecordsCf, Key().String("~dataset").Release(), std::string(digest));
  batch.set_sync(true);
  return store_->Write(std::move(batch)).status();
}

}  // namespace regenatlas::analytics
