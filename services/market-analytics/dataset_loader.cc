#include "services/market-analytics/dataset_loader.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace regenatlas::analytics {
namespace {

template <typename T>
absl::Status Upsert(ResourceTable<T>& table, const T& record, const DatasetReport& report,
                    absl::string_view origin, LoadSummary& summary) {
  T copy = record;
  T existing;
  absl::StatusOr<std::string> id = table.IdOf(copy.name(), "name");
  bool existed = false;
  if (id.ok()) {
    absl::StatusOr<bool> found = table.FindRaw(*id, &existing);
    if (!found.ok()) return found.status();
    existed = *found;
  }
  // Bulk load: unsynced; the digest marker written last is synced.
  absl::StatusOr<bool> changed = table.UpsertRaw(&copy, origin, /*sync=*/false);
  if (!changed.ok()) {
    if (!absl::IsInvalidArgument(changed.status())) return changed.status();
    auto files = report.files_of.find(record.name());
    summary.rejected.push_back(
        absl::StrCat(record.name(), " (",
                     files == report.files_of.end() ? "" : absl::StrJoin(files->second, ", "),
                     "): ", changed.status().message()));
    return absl::OkStatus();
  }
  if (!*changed) {
    ++summary.unchanged;
  } else if (existed) {
    ++summary.updated;
  } else {
    ++summary.created;
  }
  return absl::OkStatus();
}

template <typename T>
absl::Status UpsertAll(ResourceTable<T>& table,
                       const google::protobuf::RepeatedPtrField<T>& records,
                       const DatasetReport& report, absl::string_view origin,
                       LoadSummary& summary) {
  for (const T& r : records) {
    absl::Status s = Upsert(table, r, report, origin, summary);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<LoadSummary> LoadAnalyticsDataset(Analytics& analytics,
                                                 const v1::AnalyticsDataset& dataset,
                                                 const DatasetReport& report,
                                                 absl::string_view origin) {
  LoadSummary summary;
  absl::Status s = UpsertAll(analytics.fx_rates(), dataset.fx_rates(), report, origin, summary);
  if (s.ok()) {
    s = UpsertAll(analytics.price_points(), dataset.price_points(), report, origin, summary);
  }
  if (s.ok()) {
    s = UpsertAll(analytics.epidemiology_facts(), dataset.epidemiology_facts(), report, origin,
                  summary);
  }
  if (s.ok()) {
    s = UpsertAll(analytics.market_facts(), dataset.market_facts(), report, origin, summary);
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
