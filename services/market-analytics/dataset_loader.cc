#include "services/market-analytics/dataset_loader.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace regenatlas::analytics {

absl::StatusOr<LoadSummary> LoadAnalyticsDataset(Analytics& analytics,
                                                 const v1::AnalyticsDataset& dataset,
                                                 const DatasetReport& report,
                                                 absl::string_view origin) {
  LoadSummary summary;
  absl::Status s =
      UpsertDatasetRecords(analytics.fx_rates(), dataset.fx_rates(), report, origin, summary);
  if (s.ok()) {
    s = UpsertDatasetRecords(analytics.price_points(), dataset.price_points(), report, origin,
                             summary);
  }
  if (s.ok()) {
    s = UpsertDatasetRecords(analytics.epidemiology_facts(), dataset.epidemiology_facts(), report,
                             origin, summary);
  }
  if (s.ok()) {
    s = UpsertDatasetRecords(analytics.market_facts(), dataset.market_facts(), report, origin,
                             summary);
  }
  if (!s.ok()) return s;
  return summary;
}

absl::StatusOr<LoadSummary> EnsureAnalyticsDataset(Analytics& analytics, const std::string& dir) {
  v1::AnalyticsDataset dataset;
  DatasetReport report;
  absl::Status s = LoadDatasetDir(dir, &dataset, &report);
  if (!s.ok()) return s;
  if (!report.errors.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("dataset ", dir, " does not parse: ", absl::StrJoin(report.errors, "; ")));
  }
  absl::StatusOr<std::string> loaded = analytics.DatasetDigest();
  if (!loaded.ok()) return loaded.status();
  if (*loaded == report.digest) return LoadSummary{};
  absl::StatusOr<LoadSummary> summary = LoadAnalyticsDataset(analytics, dataset, report);
  if (!summary.ok()) return summary;
  s = analytics.SetDatasetDigest(report.digest);
  if (!s.ok()) return s;
  return summary;
}

}  // namespace regenatlas::analytics
