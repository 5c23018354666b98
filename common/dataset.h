#ifndef REGENATLAS_COMMON_DATASET_H_
#define REGENATLAS_COMMON_DATASET_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "google/protobuf/message.h"

namespace regenatlas {

// What loading a dataset directory found.
struct DatasetReport {
  // Files read, in merge order.
  std::vector<std::string> files;
  // Syntax or schema errors, "file:line:column: message". Fatal for `check`.
  std::vector<std::string> errors;
  // Resource name → the files that state something about it.
  std::map<std::string, std::vector<std::string>> files_of;
  // Scalar fields set to different values by different files, recorded as
  // Claims on the merged record: "name field: a (file) vs b (file)".
  std::vector<std::string> conflicts;
  // SHA-free content digest of every file (stable hash), to tell whether
  // the dataset changed since it was last loaded.
  std::string digest;
};

// Reads every "*.txtpb" file of `dir` in name order as a text-format message
// of `merged`'s type (a dataset message whose repeated message fields hold
// records with a `name`), and merges them into `merged`: records with the
// same name across files become one record. Repeated fields are unioned;
// a scalar set in one file is taken; a scalar set to different values in
// several files keeps the first file's value and records every statement as
// a `regenatlas.common.v1.Claim` (in the record's `claims` field) citing that
// file's first source citation of the record; a partial date that only
// refines another (2025 → 2025-03) is taken without a conflict; an enum
// value that refines another (CONDITIONAL_APPROVAL refines APPROVAL) is
// taken, with both statements kept as claims; narrative
// text fields (description, original_text, status_note, summary, note ...)
// written differently by several files are joined, one line per file.
// A missing directory is an empty dataset. Returns an error only when the
// directory cannot be read; parse errors go to report->errors.
absl::Status LoadDatasetDir(const std::string& dir, google::protobuf::Message* merged,
                            DatasetReport* report);

// Whether claim values that differ are only partial dates refining each other.
bool DatesRefineEachOther(const std::vector<std::string>& values);

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_DATASET_H_
