// `regenatlas import`: registry files into a stopped server's store, with
// progress and a summary.
#ifndef REGENATLAS_CMD_REGENATLAS_IMPORT_H_
#define REGENATLAS_CMD_REGENATLAS_IMPORT_H_

#include <iosfwd>
#include <string>
#include <vector>

namespace regenatlas::cli {

// Options of `regenatlas import`.
struct ImportOptions {
  // The registry the files come from: "ctgov" (ClinicalTrials.gov API v2
  // JSON or the website's CSV download) or "ictrp" (the WHO ICTRP portal's
  // XML or CSV export).
  std::string registry = "ctgov";
  // Files, or directories whose files of the registry's formats (*.json and
  // *.csv for ctgov, *.xml and *.csv for ictrp; recursively, in name order)
  // are imported.
  std::vector<std::string> paths;
  // The store; the server using it must be stopped (RocksDB has one writer).
  std::string data_dir = "regenatlas-data";
  // Reference dataset directory (catalog/ inside) loaded first when the
  // store holds no dataset yet; "none" skips it.
  std::string dataset = "data";
  // Trial-classification rules for imports (docs/import.md#classification):
  // "" = the dataset's classification/rules.json when it has one; "none" = off.
  std::string classification_rules;
  // Progress on stderr: "auto" (only when stderr is a terminal), "true", "false".
  std::string progress = "auto";
};

// Imports the files into the store and prints a summary to `out` (progress
// and fatal errors go to `err`). Returns the exit code: 0 when every record
// was imported, skipped or unchanged; 1 when a file or record was rejected
// (each counted under "rejected") or the store failed; 2 on bad arguments.
int RunImport(const ImportOptions& options, std::ostream& out, std::ostream& err);

// `regenatlas import <registry> FILE|DIR ... [flags]`: parses the flags
// and calls RunImport.
int ImportCommand(const std::vector<std::string>& args);

}  // namespace regenatlas::cli

#endif  // REGENATLAS_CMD_REGENATLAS_IMPORT_H_
