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
  static constexpr absl::string_view kField = "price_point";
  static constexpr absl::string_view kIdField = "price_point_id";
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
  static constexpr absl::string_view kField = "epidemiology_fact";
  static constexpr absl::string_view kIdField = "epidemiology_fact_id";
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
  static constexpr absl::string_view kField = "market_fact";
  static constexpr absl::string_view kIdField = "market_fact_id";
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
  static constexpr absl::string_view kField = "fx_rate";
  static constexpr absl::string_view kIdField = "fx_rate_id";
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
absl::StatusOr<T> Analytics::Create(absl::string_view id, T record, absl::string_view origin) {
  // Checked here so that the error names the request field.
  RETURN_IF_ERROR(ValidateResourceId(id, Kind<T>::kIdField));
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
    ASSIGN_OR_RETURN(std::string id, table.IdOf(names[i], field));
    T record;
    ASSIGN_OR_RETURN(bool found, table.FindRaw(id, &record, snapshot.get()));
    if (!found) return absl::NotFoundError(absl::StrCat(field, ": ", names[i], " not found"));
    out.push_back(std::move(record));
  }
  return out;
}

template <typename T>
absl::StatusOr<ListResult<T>> Analytics::List(const ListQuery& query) const {
  const ResourceTable<T>& table = Kind<T>::Table(*this);
  const ListSpec& spec = Kind<T>::List();
  IndexReadLock lock(*store_, {&table.index()});
  IndexPostings postings(&table.index(), store_, kIndexCf, lock.snapshot(), &internal::IntEncoder);
  return RunList(table, spec, postings, lock, query);
}

template <typename T>
absl::StatusOr<T> Analytics::Update(const T& patch, const google::protobuf::FieldMask& mask,
                                    absl::string_view origin) {
  const ResourceTable<T>& table = Kind<T>::Table(*this);
  RETURN_IF_ERROR(table.IdOf(patch.name(), absl::StrCat(Kind<T>::kField, ".name")).status());
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
  ASSIGN_OR_RETURN(std::vector<std::string> ids,
                   PostingIds(*store_, kIndexCf, collection, field, value, nullptr));
  return SortedUnique(std::move(ids));
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
  ASSIGN_OR_RETURN(std::optional<std::string> v,
                   store_->Get(kRecordsCf, Key().String("~dataset").Release()));
  return v.value_or("");
}

absl::Status Analytics::SetDatasetDigest(absl::string_view digest) {
  storage::WriteBatch batch;
  batch.Put(kRecordsCf, Key().String("~dataset").Release(), std::string(digest));
  batch.set_sync(true);
  return store_->Write(std::move(batch)).status();
}

}  // namespace regenatlas::analytics
