// The public interface of the registry importer (CLI `regenatlas import
// ctgov|ictrp` and CatalogService.ImportClinicalTrials): options and
// CtgovImporter, plus the value mappings of ctgov_mapping.h. The
// implementation is split by responsibility: ctgov_json (streaming JSON
// reader), the registry-file readers (registry_formats.h) and
// registry_study (their records as studies), ctgov_study (the study
// model), ctgov_mapping (study -> Trial), ctgov_pipeline (parser thread),
// ctgov_importer / registry_import / ctgov_apply (drivers, writes).
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
#include "services/catalog/registry_record.h"

namespace regenatlas::catalog {

// Which registry's files an import accepts: `regenatlas import ctgov`
// takes ClinicalTrials.gov JSON and CSV, `import ictrp` the WHO ICTRP
// export (XML or CSV); a file of another kind is rejected.
enum class ImportRegistry { kAny, kCtgov, kIctrp };

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

// Imports ClinicalTrials.gov API v2 JSON and CSV, and the WHO ICTRP export,
// into the catalog (see docs/import.md): one trial per primary registry ID
// (or the existing trial that has one of the record's registry IDs, whichever
// registry's file came first; values two registries disagree on are kept as
// claims), its sponsor and collaborators matched to
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
  // the change log ("import:<path>"): ClinicalTrials.gov JSON or CSV, or
  // the WHO ICTRP export as XML or CSV, told apart by content and name
  // (registry_formats.h). Problems with the data are recorded in summary():
  // a file that cannot be read, or whose format `registry` does not accept,
  // counts as one rejected; the status is an error only when the store
  // fails.
  absl::Status ImportFile(const std::string& path, ImportRegistry registry = ImportRegistry::kAny);
  // Imports JSON held in memory, named `file_name`.
  absl::Status ImportJson(absl::string_view file_name, absl::string_view json);
  // Imports a file's content held in memory, named `file_name`, in any
  // format ImportFile reads, told apart the same way.
  // `format` other than kUnknown is used as given instead of detected.
  absl::Status ImportContent(absl::string_view file_name, absl::string_view content,
                             ImportRegistry registry = ImportRegistry::kAny,
                             RegistryFileFormat format = RegistryFileFormat::kUnknown);

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
