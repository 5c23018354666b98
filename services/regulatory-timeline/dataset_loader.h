#ifndef REGENATLAS_SERVICES_REGULATORY_TIMELINE_DATASET_LOADER_H_
#define REGENATLAS_SERVICES_REGULATORY_TIMELINE_DATASET_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/dataset.h"
#include "regenatlas/timeline/v1/resources.pb.h"
#include "services/regulatory-timeline/timeline.h"

namespace regenatlas::timeline {

// What writing a dataset into the timeline did.
struct LoadSummary {
  int created = 0;
  int updated = 0;
  int unchanged = 0;
  // "<record> (<files>): <validation error>", one per rejected record.
  std::vector<std::string> rejected;
};

// Writes a merged timeline dataset with Upsert semantics (loading twice is
// a no-op), then sends the regulatory stages of every product to the
// catalog. Catalog references are validated through the catalog's API, so
// the catalog must be serving.
absl::StatusOr<LoadSummary> LoadTimelineDataset(Timeline& timeline,
                                                const v1::TimelineDataset& dataset,
                                                const DatasetReport& report);

// Loads `dir` (data/timeline) unless the same version was loaded before.
absl::StatusOr<LoadSummary> EnsureTimelineDataset(Timeline& timeline, storage::Store& store,
                                                  const std::string& dir);

}  // namespace regenatlas::timeline

#endif  // REGENATLAS_SERVICES_REGULATORY_TIMELINE_DATASET_LOADER_H_
