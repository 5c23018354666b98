#ifndef REGENATLAS_COMMON_DATASET_H_
#define REGENATLAS_COMMON_DATASET_H_

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "common/resource_table.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "storage/column_family.h"
#include "storage/store.h"

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

// What writing a merged dataset into a service did.
struct DatasetLoadSummary {
  int created = 0;
  int updated = 0;
  int unchanged = 0;
  // "<record> (<files>): <validation error>", one per rejected record.
  std::vector<std::string> rejected;
};

// Upserts one record of a merged dataset into `table` without fsync (the
// loader's final digest write is synced) and counts it. A record the
// service refuses (INVALID_ARGUMENT, ALREADY_EXISTS, FAILED_PRECONDITION,
// NOT_FOUND) is rejected with the files that state it; any other error —
// a backend that cannot be reached, a store failure — is returned, so that
// the load fails as a whole and is retried rather than recorded as done.
absl::Status UpsertDatasetRecord(ResourceTableBase& table, const google::protobuf::Message& record,
                                 const DatasetReport& report, absl::string_view origin,
                                 DatasetLoadSummary& summary);

// UpsertDatasetRecord for each record, stopping at the first returned error.
template <typename T>
absl::Status UpsertDatasetRecords(ResourceTableBase& table,
                                  const google::protobuf::RepeatedPtrField<T>& records,
                                  const DatasetReport& report, absl::string_view origin,
                                  DatasetLoadSummary& summary) {
  for (const T& r : records) {
    absl::Status s = UpsertDatasetRecord(table, r, report, origin, summary);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// The digest of the dataset last loaded into a service, kept under the
// "~dataset" key of its records column family `cf` ("" when none).
absl::StatusOr<std::string> LoadedDatasetDigest(const storage::Store& store,
                                                storage::ColumnFamily cf);
// Records `digest` as loaded (synced).
absl::Status SetLoadedDatasetDigest(storage::Store& store, storage::ColumnFamily cf,
                                    absl::string_view digest);

// FAILED_PRECONDITION "dataset <dir> does not parse: <errors>".
absl::Status UnparsedDatasetError(const std::string& dir, const DatasetReport& report);

// Every service's dataset loading: reads `dir` as a Dataset message
// (LoadDatasetDir), refuses it with FAILED_PRECONDITION when it does not
// parse, and unless its digest is the one last loaded into `cf`, calls
// `load(dataset, report)` → StatusOr<DatasetLoadSummary> and then records
// the digest. A failed load records nothing, so it is retried whole.
template <typename Dataset, typename Load>
absl::StatusOr<DatasetLoadSummary> EnsureDataset(storage::Store& store, storage::ColumnFamily cf,
                                                 const std::string& dir, Load load) {
  Dataset dataset;
  DatasetReport report;
  absl::Status read = LoadDatasetDir(dir, &dataset, &report);
  if (!read.ok()) return read;
  if (!report.errors.empty()) return UnparsedDatasetError(dir, report);
  absl::StatusOr<std::string> loaded = LoadedDatasetDigest(store, cf);
  if (!loaded.ok()) return loaded.status();
  if (*loaded == report.digest) return DatasetLoadSummary{};
  absl::StatusOr<DatasetLoadSummary> summary = load(dataset, report);
  if (!summary.ok()) return summary.status();
  absl::Status recorded = SetLoadedDatasetDigest(store, cf, report.digest);
  if (!recorded.ok()) return recorded;
  return summary;
}

// Whether claim values that differ are only partial dates refining each other.
bool DatesRefineEachOther(const std::vector<std::string>& values);

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_DATASET_H_
