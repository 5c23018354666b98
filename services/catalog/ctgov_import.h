// The public interface of the ClinicalTrials.gov importer (CLI `regenatlas
// import ctgov` and CatalogService.ImportClinicalTrials): options and
// CtgovImporter, plus the value mappings of ctgov_mapping.h. The
// implementation is split by responsibility: ctgov_json (streaming reader),
// ctgov_study (the study model), ctgov_mapping (study -> Trial),
// ctgov_pipeline (parser thread), ctgov_importer / ctgov_apply (driver,
// writes).
#ifndef REGENATLAS_SERVICES_CATALOG_CTGOV_IMPORT_H_
#define REGENATLAS_SERVICES_CATALOG_CTGOV_IMPORT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "regenatlas/catalog/v1/catalog_service.pb.h"
#include "regenatlas/common/v1/common.pb.h"
#include "services/catalog/catalog.h"
#include "services/catalog/ctgov_mapping.h"

namespace regenatlas::catalog {

// How an import runs.
struct CtgovImportOptions {
  // Keep one ImportedRecord per record in the summary (the RPC does); off,
  // the summary holds counts, problems and unmatched interventions only, so
  // its size does not grow with the number of records imported.
  bool record_details = true;
  // fsync every write. Off for bulk imports, which call Sync() at the end:
  // each write is still atomic, and an import is idempotent, so a crash
  // before Sync() is repaired by importing again.
  bool sync_writes = true;
  // Called after each record with the current file and the bytes of it
  // read so far out of its size.
  std::function<void(absl::string_view file, int64_t bytes_read, int64_t bytes_total,
                     const v1::ImportClinicalTrialsResponse& summary)>
      progress;
};

// Imports ClinicalTrials.gov API v2 JSON into the catalog (see
// docs/import.md): one trial per NCT ID (or the existing trial that has one
// of the record's registry IDs), its sponsor and collaborators matched to
// organizations by name or alias before new ones are created, its
// interventions linked to products matched by name, alias or code; a Source
// per record version cited by everything written. Idempotent; records older
// than the stored version are skipped; malformed records are rejected with
// their JSON path and write nothing. One importer is used by one thread at
// a time; imports of different importers in one process are serialised
// (each record is a read-modify-write of a trial).
class CtgovImporter {
 public:
  // Reads the names of the catalog's organizations and products to match
  // against. `catalog` is not owned and must outlive the importer.
  static absl::StatusOr<std::unique_ptr<CtgovImporter>> Create(Catalog* catalog,
                                                               CtgovImportOptions options);

  // Imports the file at `path`, which names it in citations, revisions and
  // the change log ("import:<path>"). Problems with the data are recorded in
  // summary(); the status is an error only when the store fails.
  absl::Status ImportFile(const std::string& path);
  // Imports JSON held in memory, named `file_name`.
  absl::Status ImportJson(absl::string_view file_name, absl::string_view json);

  // Makes every write so far durable (a synced write), for sync_writes=false.
  absl::Status Sync();

  // What was imported so far.
  const v1::ImportClinicalTrialsResponse& summary();

  ~CtgovImporter();
  CtgovImporter(const CtgovImporter&) = delete;
  CtgovImporter& operator=(const CtgovImporter&) = delete;

 private:
  class Impl;
  explicit CtgovImporter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_CTGOV_IMPORT_H_
