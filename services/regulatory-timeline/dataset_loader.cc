#include "services/regulatory-timeline/dataset_loader.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "storage/key.h"

namespace regenatlas::timeline {
namespace {

std::string DigestKey() { return storage::Key().String("~dataset").Release(); }

}  // namespace

absl::StatusOr<LoadSummary> LoadTimelineDataset(Timeline& timeline,
                                                const v1::TimelineDataset& dataset,
                                                const DatasetReport& report) {
  LoadSummary summary;
  absl::Status s =
      UpsertDatasetRecords(timeline.policies(), dataset.policies(), report, "dataset", summary);
  if (s.ok())
    s = UpsertDatasetRecords(timeline.events(), dataset.events(), report, "dataset", summary);
  // Stages of every loaded product go through the outbox like any write.
  if (s.ok()) s = timeline.EnqueueAllStages();
  if (s.ok()) s = timeline.DeliverStageOutbox().status();
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
