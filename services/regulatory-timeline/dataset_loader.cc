#include "services/regulatory-timeline/dataset_loader.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "storage/key.h"

namespace regenatlas::timeline {
namespace {

template <typename T>
void Upsert(ResourceTable<T>& table, const T& record, const DatasetReport& report,
            LoadSummary& summary) {
  T copy = record;
  T existing;
  bool existed = false;
  absl::StatusOr<std::string> id = table.IdOf(copy.name(), "name");
  if (id.ok()) existed = table.FindRaw(*id, &existing).value_or(false);
  absl::StatusOr<bool> changed = table.UpsertRaw(&copy, "dataset", /*sync=*/false);
  if (!changed.ok()) {
    auto files = report.files_of.find(record.name());
    summary.rejected.push_back(absl::StrCat(
        record.name(), " (", files == report.files_of.end() ? "" : absl::StrJoin(files->second, ", "),
        "): ", changed.status().message()));
    return;
  }
  if (!*changed) {
    ++summary.unchanged;
  } else if (existed) {
    ++summary.updated;
  } else {
    ++summary.created;
  }
}

std::string DigestKey() { return storage::Key().String("~dataset").Release(); }

}  // namespace

absl::StatusOr<LoadSummary> LoadTimelineDataset(Timeline& timeline,
                                                const v1::TimelineDataset& dataset,
                                                const DatasetReport& report) {
  LoadSummary summary;
  for (const Policy& p : dataset.policies()) Upsert(timeline.policies(), p, report, summary);
  for (const Event& e : dataset.events()) Upsert(timeline.events(), e, report, summary);
  absl::Status s = timeline.SyncRegulatoryStages();
  if (!s.ok()) return s;
  return summary;
}

absl::StatusOr<LoadSummary> EnsureTimelineDataset(Timeline& timeline, storage::Store& store,
                                                  const std::string& dir) {
  v1::TimelineDataset dataset;
  DatasetReport report;
  absl::Status s = LoadDatasetDir(dir, &dataset, &report);
  if (!s.ok()) return s;
  if (!report.errors.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("dataset ", dir, " does not parse: ", absl::StrJoin(report.errors, "; ")));
  }
  absl::StatusOr<std::optional<std::string>> loaded =
      store.Get(storage::ColumnFamily::kTimeline, DigestKey());
  if (!loaded.ok()) return loaded.status();
  if (loaded->value_or("") == report.digest) return LoadSummary{};
  absl::StatusOr<LoadSummary> summary = LoadTimelineDataset(timeline, dataset, report);
  if (!summary.ok()) return summary;
  storage::WriteBatch batch;
  batch.Put(storage::ColumnFamily::kTimeline, DigestKey(), report.digest);
  batch.set_sync(true);
  s = store.Write(std::move(batch)).status();
  if (!s.ok()) return s;
  return summary;
}

}  // namespace regenatlas::timeline
