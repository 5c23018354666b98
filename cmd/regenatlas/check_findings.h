// The part of `regenatlas check` that loads the timeline and analytics
// datasets into their services, connected to the catalog (and each other)
// through in-process gRPC channels and the client libraries, as in `serve`,
// and gathers every service's ListDataIssues.
#ifndef REGENATLAS_CMD_REGENATLAS_CHECK_FINDINGS_H_
#define REGENATLAS_CMD_REGENATLAS_CHECK_FINDINGS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/dataset.h"
#include "regenatlas/analytics/v1/resources.pb.h"
#include "regenatlas/common/v1/data_issue.pb.h"
#include "regenatlas/timeline/v1/resources.pb.h"
#include "services/catalog/catalog.h"
#include "storage/store.h"

namespace regenatlas::cli {

// One finding and the service that reported it ("catalog", "timeline",
// "analytics").
struct ServiceFinding {
  std::string service;
  common::v1::DataIssue issue;
};

// Serves `catalog` in-process, loads the two datasets into a Timeline and
// an Analytics on `store` (the records the loaders reject go to `errors`)
// and returns the findings of the three services' ListDataIssues.
absl::StatusOr<std::vector<ServiceFinding>> LoadAndListFindings(
    catalog::Catalog& catalog, storage::Store* store,
    const timeline::v1::TimelineDataset& timeline_data, const DatasetReport& timeline_report,
    const analytics::v1::AnalyticsDataset& analytics_data, const DatasetReport& analytics_report,
    std::vector<std::string>& errors);

}  // namespace regenatlas::cli

#endif  // REGENATLAS_CMD_REGENATLAS_CHECK_FINDINGS_H_
