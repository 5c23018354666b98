#ifndef REGENATLAS_SERVICES_MARKET_ANALYTICS_DATASET_LOADER_H_
#define REGENATLAS_SERVICES_MARKET_ANALYTICS_DATASET_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/dataset.h"
#include "regenatlas/analytics/v1/resources.pb.h"
#include "services/market-analytics/analytics.h"

namespace regenatlas::analytics {

// What writing a dataset into analytics did.
using LoadSummary = DatasetLoadSummary;

// Writes a merged dataset into `analytics` (FX rates, price points,
// epidemiology facts, market facts) with Upsert semantics: unchanged records
// write nothing, so loading twice is a no-op. References are validated
// through the catalog reader, so the catalog must be serving. A record that
// fails validation (INVALID_ARGUMENT) is rejected and reported with the
// files that state it; any other error (the catalog cannot be reached)
// stops the load and is returned.
absl::StatusOr<LoadSummary> LoadAnalyticsDataset(Analytics& analytics,
                                                 const v1::AnalyticsDataset& dataset,
                                                 const DatasetReport& report,
                                                 absl::string_view origin = "dataset");

// Loads `dir` (a data/analytics directory) unless analytics already holds a
// dataset with the same digest (recorded in the analytics column family
// after a load that reached every record). Parse errors fail the call.
absl::StatusOr<LoadSummary> EnsureAnalyticsDataset(Analytics& analytics, const std::string& dir);

}  // namespace regenatlas::analytics

#endif  // REGENATLAS_SERVICES_MARKET_ANALYTICS_DATASET_LOADER_H_
