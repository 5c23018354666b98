// Loading the timeline part of the reference dataset: policies and events
// upserted, their regulatory stages sent through the outbox, once per
// dataset digest.

#include "services/regulatory-timeline/dataset_loader.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "storage/key.h"

namespace regenatlas::timeline {
namespace {

std::string DigestKey() { return storage::Key().String("~dataset").Release(); }

}  // namespace

absl::StatusOr<LoadSummary> LoadTimelineDataset(Timeline& timeline,
                                                const v1::TimelineDataset& dataset,
                                                const DatasetReport& report) {
  LoadSummary summary;
  RETURN_IF_ERROR(
      UpsertDatasetRecords(timeline.policies(), dataset.policies(), report, "dataset", summary));
  RETURN_IF_ERROR(
      UpsertDatasetRecords(timeline.events(), dataset.events(), report, "dataset", summary));
  // Stages of every loaded product go through the outbox like any write.
  RETURN_IF_ERROR(timeline.EnqueueAllStages());
  RETURN_IF_ERROR(timeline.DeliverStageOutbox().status());
  return summary;
}

absl::StatusOr<LoadSummary> EnsureTimelineDataset(Timeline& timeline, storage::Store& store,
                                                  const std::string& dir) {
  v1::TimelineDataset dataset;
  DatasetReport report;
  RETURN_IF_ERROR(LoadDatasetDir(dir, &dataset, &report));
  if (!report.errors.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("dataset ", dir, " does not parse: ", absl::StrJoin(report.errors, "; ")));
  }
  ASSIGN_OR_RETURN(std::optional<std::string> loaded,
                   store.Get(storage::ColumnFamily::kTimeline, DigestKey()));
  if (loaded.value_or("") == report.digest) return LoadSummary{};
  ASSIGN_OR_RETURN(LoadSummary summary, LoadTimelineDataset(timeline, dataset, report));
  storage::WriteBatch batch;
  batch.Put(storage::ColumnFamily::kTimeline, DigestKey(), report.digest);
  batch.set_sync(true);
  RETURN_IF_ERROR(store.Write(std::move(batch)).status());
  return summary;
}

}  // namespace regenatlas::timeline
