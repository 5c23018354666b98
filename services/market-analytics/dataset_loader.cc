// Loading the analytics part of the reference dataset: its records
// upserted, once per dataset digest.

#include "services/market-analytics/dataset_loader.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "services/market-analytics/analytics_internal.h"

namespace regenatlas::analytics {

absl::StatusOr<LoadSummary> LoadAnalyticsDataset(Analytics& analytics,
                                                 const v1::AnalyticsDataset& dataset,
                                                 const DatasetReport& report,
                                                 absl::string_view origin) {
  LoadSummary summary;
  RETURN_IF_ERROR(
      UpsertDatasetRecords(analytics.fx_rates(), dataset.fx_rates(), report, origin, summary));
  RETURN_IF_ERROR(UpsertDatasetRecords(analytics.price_points(), dataset.price_points(), report,
                                       origin, summary));
  RETURN_IF_ERROR(UpsertDatasetRecords(analytics.epidemiology_facts(), dataset.epidemiology_facts(),
                                       report, origin, summary));
  RETURN_IF_ERROR(UpsertDatasetRecords(analytics.market_facts(), dataset.market_facts(), report,
                                       origin, summary));
  return summary;
}

absl::StatusOr<LoadSummary> EnsureAnalyticsDataset(Analytics& analytics, const std::string& dir) {
  return EnsureDataset<v1::AnalyticsDataset>(
      *analytics.fx_rates().store(), internal::kRecordsCf, dir,
      [&](const v1::AnalyticsDataset& dataset, const DatasetReport& report) {
        return LoadAnalyticsDataset(analytics, dataset, report);
      });
}

}  // namespace regenatlas::analytics
