// The standard methods of Analytics (Create, Get, BatchGet, List, Update,
// Delete) for its four resources, the posting lookups the views use, and
// the digest of the loaded reference dataset. Tables and schemas:
// analytics_schema.cc; validation: analytics_validation.cc.

#include "services/market-analytics/analytics.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/dataset.h"
#include "common/paging.h"
#include "common/resource_name.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "services/market-analytics/analytics_internal.h"
#include "storage/key.h"

namespace regenatlas::analytics {

using google::protobuf::RepeatedPtrField;
using internal::kIndexCf;
using internal::kRecordsCf;
using storage::Key;

// Per-resource names and listing.
template <>
struct Analytics::Kind<PricePoint> {
  static ResourceTable<PricePoint>& Table(Analytics& a) { return a.price_points_; }
  static const ResourceTable<PricePoint>& Table(const Analytics& a) { return a.price_points_; }
  static const ListSpec& List() {
    static const auto* spec =
        new ListSpec(internal::ListSpecOf("pricePoints", &PricePointSchema(), {"as_of"}));
    return *spec;
  }
};

template <>
struct Analytics::Kind<EpidemiologyFact> {
  static ResourceTable<EpidemiologyFact>& Table(Analytics& a) { return a.epidemiology_facts_; }
  static const ResourceTable<EpidemiologyFact>& Table(const Analytics& a) {
    return a.epidemiology_facts_;
  }
  static const ListSpec& List() {
    static const auto* spec = new ListSpec(
        internal::ListSpecOf("epidemiologyFacts", &EpidemiologyFactSchema(), {"value", "as_of"}));
    return *spec;
  }
};

template <>
struct Analytics::Kind<MarketFact> {
  static ResourceTable<MarketFact>& Table(Analytics& a) { return a.market_facts_; }
  static const ResourceTable<MarketFact>& Table(const Analytics& a) { return a.market_facts_; }
  static const ListSpec& List() {
    static const auto* spec = new ListSpec(
        internal::ListSpecOf("marketFacts", &MarketFactSchema(), {"metric", "value", "as_of"}));
    return *spec;
  }
};

template <>
struct Analytics::Kind<FxRate> {
  static ResourceTable<FxRate>& Table(Analytics& a) { return a.fx_rates_; }
  static const ResourceTable<FxRate>& Table(const Analytics& a) { return a.fx_rates_; }
  static const ListSpec& List() {
    static const auto* spec =
        new ListSpec(internal::ListSpecOf("fxRates", &FxRateSchema(), {"date"}));
    return *spec;
  }
};

// ---- Standard methods -----------------------------------------------------------

template <typename T>
absl::StatusOr<ListResult<T>> Analytics::List(const ListQuery& query) const {
  const ResourceTable<T>& table = Kind<T>::Table(*this);
  const ListSpec& spec = Kind<T>::List();
  IndexReadLock lock(*store_, {&table.index()});
  IndexPostings postings(&table.index(), store_, kIndexCf, lock.snapshot(), &internal::IntEncoder);
  return RunList(table, spec, postings, lock, query);
}

absl::StatusOr<std::vector<std::string>> Analytics::PostingIdsOf(absl::string_view collection,
                                                                 absl::string_view field,
                                                                 absl::string_view value) const {
  ASSIGN_OR_RETURN(std::vector<std::string> ids,
                   PostingIds(*store_, kIndexCf, collection, field, value, nullptr));
  return SortedUnique(std::move(ids));
}

template absl::StatusOr<ListResult<PricePoint>> Analytics::List<PricePoint>(const ListQuery&) const;
template absl::StatusOr<ListResult<EpidemiologyFact>> Analytics::List<EpidemiologyFact>(
    const ListQuery&) const;
template absl::StatusOr<ListResult<MarketFact>> Analytics::List<MarketFact>(const ListQuery&) const;
template absl::StatusOr<ListResult<FxRate>> Analytics::List<FxRate>(const ListQuery&) const;

// ---- Dataset digest ---------------------------------------------------------------

absl::StatusOr<std::string> Analytics::DatasetDigest() const {
  return LoadedDatasetDigest(*store_, kRecordsCf);
}

absl::Status Analytics::SetDatasetDigest(absl::string_view digest) {
  return SetLoadedDatasetDigest(*store_, kRecordsCf, digest);
}

}  // namespace regenatlas::analytics
