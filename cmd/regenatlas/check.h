#ifndef REGENATLAS_CMD_REGENATLAS_CHECK_H_
#define REGENATLAS_CMD_REGENATLAS_CHECK_H_

#include <iosfwd>
#include <string>

namespace regenatlas::cli {

// Options of `regenatlas check`.
struct CheckOptions {
  // A dataset directory with catalog/, timeline/ and analytics/ inside.
  std::string dataset_dir = "data";
  // Print every data-quality finding, not only counts and conflicts.
  bool verbose = false;
};

// Validates a dataset directory — syntax and schema of every file, record
// validation, ID formats, references (including timeline and analytics
// references into the catalog), duplicates — by loading it into a scratch
// store, and prints the data-quality report to `out`. Returns the exit code:
// 0 when valid (findings are a report, not errors), 1 otherwise.
int RunCheck(const CheckOptions& options, std::ostream& out);

}  // namespace regenatlas::cli

#endif  // REGENATLAS_CMD_REGENATLAS_CHECK_H_
