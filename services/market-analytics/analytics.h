#ifndef REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_H_
#define REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/filter.h"
#include "common/postings.h"
#include "common/resource_table.h"
#include "google/protobuf/field_mask.pb.h"
#include "regenatlas/analytics/v1/analytics_service.pb.h"
#include "regenatlas/analytics/v1/resources.pb.h"
#include "services/catalog/catalog_client.h"
#include "services/regulatory-timeline/timeline_client.h"
#include "storage/store.h"

namespace regenatlas::analytics {

using analytics::v1::EpidemiologyFact;
using analytics::v1::FxRate;
using analytics::v1::MarketFact;
using analytics::v1::PricePoint;

// How the analytics domain is configured.
struct AnalyticsOptions {
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // The catalog, read through its API: references of every write (products,
  // indications, organizations, cited sources) are checked through it, and
  // the computed views read it. Without one, writes and views fail with
  // FAILED_PRECONDITION.
  std::shared_ptr<catalog::CatalogClient> catalog;
  // The regulatory timeline, read through its API (ComputeApprovalStatistics).
  std::shared_ptr<timeline::TimelineClient> timeline;
};

// Market analytics' domain logic: PricePoints, EpidemiologyFacts,
// MarketFacts and FxRates in its own column families, with filter postings
// and a dated FX index committed in the record's WriteBatch, and the
// computed market views (one .cc per view). No gRPC here: methods return
// absl::Status — INVALID_ARGUMENT naming the field, NOT_FOUND,
// ALREADY_EXISTS, ABORTED on etag mismatch, FAILED_PRECONDITION when data a
// view needs (an FX rate, a price) is missing — and a failed write writes
// nothing. Thread-safe.
//
// The catalog and timeline are read only through their client interfaces
// (services/catalog/catalog_client.h, services/regulatory-timeline/
// timeline_client.h), which carry the serving call's deadline and request
// id (common/call_context.h); views that count catalog records ask the catalog to count
// them from its indexes, so answers are as fresh as the catalog itself.
class Analytics {
 public:
  // The change-log stream analytics appends to.
  static constexpr absl::string_view kChangeStream = "analytics";
  // The MarketFact.unit of a share the document prints as a percentage; its
  // value (and value_high) is stored as a fraction 0–1 (docs/data.md).
  static constexpr absl::string_view kPercentUnit = "percent";

  // `store` is not owned and must outlive the Analytics.
  Analytics(storage::Store* store, AnalyticsOptions options);

  ResourceTable<PricePoint>& price_points() { return price_points_; }
  ResourceTable<EpidemiologyFact>& epidemiology_facts() { return epidemiology_facts_; }
  ResourceTable<MarketFact>& market_facts() { return market_facts_; }
  ResourceTable<FxRate>& fx_rates() { return fx_rates_; }

  // The filtered, ordered List of T (PricePoint, EpidemiologyFact,
  // MarketFact or FxRate); the other standard methods are the tables'
  // (common/standard_methods.h). Filter fields and orders: see
  // analytics_service.proto.
  template <typename T>
  absl::StatusOr<ListResult<T>> List(const ListQuery& query) const;

  // Field checks that need no other service (used by `regenatlas check` and
  // before the reference checks of every write). INVALID_ARGUMENT naming
  // the first bad field.
  static absl::Status ValidateFxRate(const FxRate& rate);
  static absl::Status ValidatePricePointFields(const PricePoint& price);
  static absl::Status ValidateEpidemiologyFactFields(const EpidemiologyFact& fact);
  static absl::Status ValidateMarketFactFields(const MarketFact& fact);

  // Converts `from` into `to` with the stored rates nearest to `date`: a
  // rate of the pair (as quoted, or inverted), else two rates through a
  // common currency; the nearest date wins, ties go to the earlier rate. A
  // partial date is looked up at the midpoint of its period. `date` may be
  // unset only when from == to. FAILED_PRECONDITION "no FX rate for X→Y"
  // when no rate connects them. `date_origin` is echoed in the result.
  absl::StatusOr<analytics::v1::FxConversion> Convert(absl::string_view from, absl::string_view to,
                                                      const common::v1::PartialDate& date,
                                                      absl::string_view date_origin) const;

  // The computed views (pipeline_breakdown.cc, indication_landscape.cc,
  // price_comparison.cc, market_size.cc, approval_statistics.cc; prices are
  // dated for FX by price_resolution.h). The serving call's deadline
  // (CallContext) bounds the calls to other services; without one, the
  // clients' default timeout does.
  //
  // INVALID_ARGUMENT errors about the dimensions name `field`: the request
  // field they came from ("dimensions", or "group_by" for the deprecated
  // GetPipelineBreakdown, whose strings the RPC layer translates).
  absl::StatusOr<analytics::v1::PipelineBreakdown> ComputePipelineBreakdown(
      const analytics::v1::ComputePipelineBreakdownRequest& request,
      absl::string_view field = "dimensions") const;
  absl::StatusOr<analytics::v1::IndicationLandscape> ComputeIndicationLandscape(
      const analytics::v1::ComputeIndicationLandscapeRequest& request) const;
  absl::StatusOr<analytics::v1::PriceComparison> ComparePrices(
      const analytics::v1::ComparePricesRequest& request) const;
  absl::StatusOr<analytics::v1::MarketSizeEstimate> EstimateMarketSize(
      const analytics::v1::EstimateMarketSizeRequest& request) const;
  absl::StatusOr<analytics::v1::ApprovalStatistics> ComputeApprovalStatistics(
      const analytics::v1::ComputeApprovalStatisticsRequest& request) const;
  // The analytics data-quality report, computed from the records:
  // INFERRED_CURRENCY (MarketFact.currency_inferred) and STALE_STATEMENT (a
  // count of approved products of a cell category in a region as of a date,
  // contradicted by an approval event dated after it; needs the timeline and
  // the catalog).
  absl::StatusOr<analytics::v1::ListDataIssuesResponse> ListDataIssues(
      const analytics::v1::ListDataIssuesRequest& request) const;

  // Digest of the reference dataset last loaded ("" if none), and recording
  // it (a synced write).
  absl::StatusOr<std::string> DatasetDigest() const;
  absl::Status SetDatasetDigest(absl::string_view digest);

  // Filter schemas, for documentation and tests.
  static const filter::Schema& PricePointSchema();
  static const filter::Schema& EpidemiologyFactSchema();
  static const filter::Schema& MarketFactSchema();
  static const filter::Schema& FxRateSchema();

 private:
  // Per-resource names, table and listing (analytics.cc).
  template <typename T>
  struct Kind;
  // A reference to check: the field that holds it and the resource name.
  struct Ref {
    std::string field;
    std::string name;
  };

  absl::Status ValidatePricePoint(const PricePoint& price) const;
  absl::Status ValidateEpidemiologyFact(const EpidemiologyFact& fact) const;
  absl::Status ValidateMarketFact(const MarketFact& fact) const;
  absl::Status ValidateFxRateWithRefs(const FxRate& rate) const;
  // INVALID_ARGUMENT "<field>: <name> does not exist" for the first
  // reference the catalog does not have; the catalog's error when it cannot
  // answer.
  absl::Status CheckRefs(const std::vector<Ref>& refs) const;
  catalog::CatalogClient* catalog() const { return options_.catalog.get(); }
  absl::Status RequireCatalog() const;
  // The source lookup of the price views (price_resolution.cc): requires
  // the catalog, records BatchGetSources in `calls`, and asks the catalog.
  std::function<absl::StatusOr<std::vector<catalog::v1::Source>>(const std::vector<std::string>&)>
  SourcesFromCatalog(google::protobuf::RepeatedPtrField<analytics::v1::UpstreamCall>* calls) const;

  // Sorted ids with the string posting (collection, field, value).
  absl::StatusOr<std::vector<std::string>> PostingIdsOf(absl::string_view collection,
                                                        absl::string_view field,
                                                        absl::string_view value) const;

  // FX internals (fx.cc).
  struct RateChoice;
  absl::StatusOr<std::optional<RateChoice>> NearestStored(const std::string& base,
                                                          const std::string& quote,
                                                          int64_t day) const;
  absl::StatusOr<std::optional<RateChoice>> NearestEitherWay(const std::string& from,
                                                             const std::string& to,
                                                             int64_t day) const;
  absl::StatusOr<std::vector<std::string>> FxNeighbours(const std::string& currency) const;

  storage::Store* const store_;
  const AnalyticsOptions options_;
  absl::Mutex write_mu_;
  ResourceTable<PricePoint> price_points_;
  ResourceTable<EpidemiologyFact> epidemiology_facts_;
  ResourceTable<MarketFact> market_facts_;
  ResourceTable<FxRate> fx_rates_;
};

}  // namespace regenatlas::analytics

#endif  // REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_H_
