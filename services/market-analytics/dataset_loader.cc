// Loading the analytics part of the reference dataset: its records
// upserted, once per dataset digest.

#include "services/market-analytics/dataset_loader.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"

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
  v1::AnalyticsDataset dataset;
  DatasetReport report;
  RETURN_IF_ERROR(LoadDatasetDir(dir, &dataset, &report));
  if (!report.errors.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("dataset ", dir, " does not parse: ", absl::StrJoin(report.errors, "; ")));
  }
  ASSIGN_OR_RETURN(std::string loaded, analytics.DatasetDigest());
  if (loaded == report.digest) return LoadSummary{};
  ASSIGN_OR_RETURN(LoadSummary summary, LoadAnalyticsDataset(analytics, dataset, report));
  RETURN_IF_ERROR(analytics.SetDatasetDigest(report.digest));
  return summary;
}

}  // namespace regenatlas::analytics
