// Loading the timeline part of the reference dataset: policies and events
// upserted, their regulatory stages sent through the outbox, once per
// dataset digest.

#include "services/regulatory-timeline/dataset_loader.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/status_macros.h"
#include "storage/key.h"

namespace regenatlas::timeline {

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
  return EnsureDataset<v1::TimelineDataset>(
      store, storage::ColumnFamily::kTimeline, dir,
      [&](const v1::TimelineDataset& dataset, const DatasetReport& report) {
        return LoadTimelineDataset(timeline, dataset, report);
      });
}

}  // namespace regenatlas::timeline
