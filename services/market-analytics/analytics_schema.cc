// The tables of Analytics: the filter vocabulary (field specs), the filter
// schemas, the postings and index keys of every record (the dated FX index
// included), the list specs with their sort keys, and the constructor that
// builds the four ResourceTables from them.

#include <cstring>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/dates.h"
#include "common/filter_fields.h"
#include "google/protobuf/descriptor.h"
#include "services/market-analytics/analytics.h"
#include "services/market-analytics/analytics_internal.h"

namespace regenatlas::analytics {
namespace {

using internal::kIndexCf;
using internal::kRecordsCf;

using filter::AddSources;
using filter::CodeField;
using filter::EnumField;
using filter::EnumName;
using filter::ResourceField;
using filter::StringField;

using filter::IntField;

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

bool IsIntField(absl::string_view field) { return field == "as_of_year" || field == "year"; }

}  // namespace

namespace internal {

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

ListSpec ListSpecOf(std::string collection, const filter::Schema* schema,
                    std::vector<std::string> order_fields) {
  ListSpec spec;
  spec.collection = std::move(collection);
  spec.schema = schema;
  spec.order_fields = std::move(order_fields);
  spec.sort_key = &AnalyticsSortKey;
  return spec;
}

}  // namespace internal

// ---- Filter schemas and list specs ----------------------------------------

const filter::Schema& Analytics::PricePointSchema() {
  static const auto* schema = new filter::Schema{
      {"product", ResourceField("products", false)},
      {"jurisdiction", CodeField()},
      {"currency", CodeField()},
      {"basis", EnumField(analytics::v1::PriceBasis_descriptor(), "PRICE_BASIS_")},
      {"price_type", EnumField(analytics::v1::PriceType_descriptor(), "PRICE_TYPE_")},
      {"bound", EnumField(analytics::v1::Bound_descriptor(), "BOUND_")},
      {"as_of_year", IntField()},
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
      {"as_of_year", IntField()},
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
      {"as_of_year", IntField()},
      {"source", ResourceField("sources", true)},
  };
  return *schema;
}

const filter::Schema& Analytics::FxRateSchema() {
  static const auto* schema = new filter::Schema{
      {"base_currency", CodeField()},
      {"quote_currency", CodeField()},
      {"currency", CodeField(true)},
      {"year", IntField()},
      {"source", ResourceField("sources", true)},
  };
  return *schema;
}

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

}  // namespace regenatlas::analytics
