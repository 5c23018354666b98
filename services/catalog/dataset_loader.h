#ifndef REGENATLAS_SERVICES_CATALOG_DATASET_LOADER_H_
#define REGENATLAS_SERVICES_CATALOG_DATASET_LOADER_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/dataset.h"
#include "regenatlas/catalog/v1/resources.pb.h"
#include "services/catalog/catalog.h"

namespace regenatlas::catalog {

using LoadSummary = DatasetLoadSummary;

// Writes a merged dataset into `catalog` in dependency order (sources,
// organizations and indications parents first, products, trials) with
// Upsert semantics: unchanged records write nothing, so loading twice is a
// no-op. The hand-recorded findings replace the stored ones; one that
// fails CuratedFindingErrors is rejected like a record. A record that fails validation is rejected
// (and reported with the files that state it); the others are written (see UpsertDatasetRecord).
// `origin` goes into the change log ("dataset").
absl::StatusOr<LoadSummary> LoadCatalogDataset(Catalog& catalog, const v1::CatalogDataset& dataset,
                                               const DatasetReport& report,
                                               absl::string_view origin = "dataset");

// Loads `dir` (a data/catalog directory) into the catalog unless the
// catalog already holds a dataset with the same digest. Parse errors fail
// the call (a broken bundled dataset is a startup error).
absl::StatusOr<LoadSummary> EnsureCatalogDataset(Catalog& catalog, const std::string& dir);

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_DATASET_LOADER_H_
