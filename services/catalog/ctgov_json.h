// The streaming reader of ClinicalTrials.gov API v2 JSON files (single
// studies, search pages, arrays of studies): a sink receives each study as a
// small DOM, bad records and file problems with JSON paths.
#ifndef REGENATLAS_SERVICES_CATALOG_CTGOV_JSON_H_
#define REGENATLAS_SERVICES_CATALOG_CTGOV_JSON_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rapidjson/document.h"

namespace regenatlas::catalog {

// Receives what ReadCtgovFile / ReadCtgovJson find, in file order.
class CtgovJsonSink {
 public:
  virtual ~CtgovJsonSink() = default;

  // One study, read completely and valid UTF-8. `path` is "$" for a
  // single-study file, "$.studies[3]" on a search page, "$[3]" in a
  // top-level array. `study` lives until the call returns. A non-OK status
  // (a store failure) stops reading and is returned by the Read function.
  virtual absl::Status OnStudy(const std::string& path, const rapidjson::Value& study) = 0;

  // A record that cannot be read: not an object, a string in it is not
  // UTF-8, or the file breaks off or turns invalid inside it. `problem_path`
  // is the JSON path of the problem; `nct_id` the record's NCT ID when it
  // was read before the problem ("" otherwise).
  virtual void OnBadRecord(const std::string& record_path, const std::string& problem_path,
                           const std::string& nct_id, const std::string& message) = 0;

  // A problem outside any record. `error`: the file (or its rest) could not
  // be read; otherwise a warning (an empty page, a page with a
  // nextPageToken and no studies, a badly typed totalCount).
  virtual void OnFileProblem(bool error, const std::string& path, const std::string& message) = 0;

  // Bytes of the input consumed so far, after each record.
  virtual void OnProgress(int64_t bytes_read) {}
};

// The shape of what was read.
struct CtgovFileInfo {
  // {"studies": [...], "totalCount": N, "nextPageToken": "..."}; false for a
  // single study or a top-level array of studies.
  bool page = false;
  // Elements of `studies` (or of the top-level array), readable or not.
  int studies = 0;
  std::optional<int64_t> total_count;
  std::string next_page_token;
  // Size of the input.
  int64_t bytes = 0;
};

// The deepest nesting of objects and arrays the readers follow, counted from
// the top of the file. Real records nest about a dozen levels. A record that
// goes deeper is a bad record (what lies below the limit is not read) and
// reading goes on after it, so time and memory stay linear in the input
// however deeply it nests.
inline constexpr size_t kMaxCtgovJsonDepth = 64;

// Streams a ClinicalTrials.gov API v2 JSON file: a single study (GET
// /api/v2/studies/{nctId}), a search page or an array of studies, full or
// cut down by `fields=`. Each study is materialised alone as a small DOM,
// handed to `sink` and freed, so memory is bounded by the largest study, not
// by the file. Problems go to `sink` (with JSON paths) and reading goes on
// where it can: a bad record is skipped; a syntax error or truncation ends
// the file. The result is an error only when the sink returns one; a file
// that cannot be opened is reported to the sink.
absl::StatusOr<CtgovFileInfo> ReadCtgovFile(const std::string& path, CtgovJsonSink& sink);

// The same over bytes in memory.
absl::StatusOr<CtgovFileInfo> ReadCtgovJson(absl::string_view json, CtgovJsonSink& sink);

// JSON paths as used in messages: "$.protocolSection", "$.studies[3]",
// "$[\"odd key\"]".
std::string JsonPathChild(absl::string_view parent, absl::string_view key);
std::string JsonPathIndex(absl::string_view parent, size_t index);

// Strict UTF-8: no overlong forms, surrogates or code points above U+10FFFF.
bool IsValidUtf8(absl::string_view text);

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_CTGOV_JSON_H_
