// The importer's two-thread pipeline: a parser thread streams a file
// (ReadCtgovFile / ReadCtgovJson) and reads each study into the Study model
// while the calling thread applies and writes what it read; events cross in
// file order, in chunks, through a bounded queue, so memory stays flat
// however large the file is.
#ifndef REGENATLAS_SERVICES_CATALOG_CTGOV_PIPELINE_H_
#define REGENATLAS_SERVICES_CATALOG_CTGOV_PIPELINE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/catalog/ctgov_json.h"
#include "services/catalog/ctgov_study.h"

namespace regenatlas::catalog {

// One thing the reader found, in file order (CtgovJsonSink's calls).
struct CtgovEvent {
  enum class Kind { kStudy, kBadRecord, kFileProblem, kProgress };
  Kind kind = Kind::kStudy;
  // kStudy: the study read, or why it is rejected.
  ctgov::ParsedStudy study;
  // kBadRecord: record_path, problem_path, nct_id, message.
  // kFileProblem: error, problem_path, message.
  std::string record_path;
  std::string problem_path;
  std::string nct_id;
  std::string message;
  bool error = false;
  // kProgress: bytes of the input consumed so far.
  int64_t bytes_read = 0;
};

// Streams one input into `sink` (e.g. a call of ReadCtgovFile).
using CtgovReadFunction = std::function<absl::StatusOr<CtgovFileInfo>(CtgovJsonSink& sink)>;

struct CtgovPipelineOptions {
  // Events handed over at a time, and chunks the queue holds: at most
  // (queue_chunks + 2) * chunk_events studies are in memory at once.
  size_t chunk_events = 64;
  size_t queue_chunks = 8;
  // Called on the parser thread for every study read, before it is handed
  // over: work that depends on the record alone (its classification) runs
  // there, beside the parsing, instead of on the applying thread. Must not
  // touch what `consume` touches.
  std::function<void(ctgov::Study& study)> prepare;
};

// Runs `read` on a parser thread and calls `consume` with every event on
// the calling thread, in order. When `consume` fails, reading stops and its
// error is returned; otherwise the result of `read`.
absl::StatusOr<CtgovFileInfo> RunCtgovPipeline(
    const CtgovReadFunction& read, const std::function<absl::Status(CtgovEvent& event)>& consume,
    const CtgovPipelineOptions& options = {});

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_CTGOV_PIPELINE_H_
