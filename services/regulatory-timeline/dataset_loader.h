#ifndef REGENATLAS_SERVICES_REGULATORY_TIMELINE_DATASET_LOADER_H_
#define REGENATLAS_SERVICES_REGULATORY_TIMELINE_DATASET_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/dataset.h"
#include "regenatlas/timeline/v1/resources.pb.h"
#include "services/regulatory-timeline/timeline.h"

namespace regenatlas::timeline {

using LoadSummary = DatasetLoadSummary;

// Writes a merged timeline dataset with Upsert semantics (loading twice is
// a no-op), then sends the regulatory stages of every product to the
// catalog. Catalog references are validated through the catalog's API: when
// the catalog cannot be reached the load fails (UNAVAILABLE) and can be
// retried; it is not recorded as done.
absl::StatusOr<LoadSummary> LoadTimelineDataset(Timeline& timeline,
                                                const v1::TimelineDataset& dataset,
                                                const DatasetReport& report);

// Loads `dir` (data/timeline) unless the same version was loaded before.
absl::StatusOr<LoadSummary> EnsureTimelineDataset(Timeline& timeline, storage::Store& store,
                                                  const std::string& dir);

}  // namespace regenatlas::timeline

#endif  // REGENATLAS_SERVICES_REGULATORY_TIMELINE_DATASET_LOADER_H_
