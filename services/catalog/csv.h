#ifndef REGENATLAS_SERVICES_CATALOG_CSV_H_
#define REGENATLAS_SERVICES_CATALOG_CSV_H_

// A streaming RFC 4180 CSV tokenizer shared by the registry CSV readers
// (ictrp_csv.h, ctgov_csv.h), and the header lookup they use to find columns
// by name.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "services/catalog/byte_source.h"

namespace regenatlas::catalog {

struct CsvOptions {
  char delimiter = ',';
  // A record longer than this ends the file with a fatal error: beyond it
  // the file is almost surely not CSV, or has an unclosed quote that would
  // otherwise swallow the rest of the file into one field.
  size_t max_record_bytes = 16 << 20;
};

// One CSV record (one spreadsheet row).
struct CsvRow {
  std::vector<std::string> fields;
  // 1-based record number counting the header, so it is the row number a
  // spreadsheet shows; a quoted field with line breaks does not shift it.
  int64_t number = 0;
  // 1-based line of the file where the record starts.
  int64_t line = 0;
  // Non-empty when the record is malformed: a quote inside an unquoted field,
  // text after a closing quote, an unclosed quote at the end of the file, a
  // record too long. `fields` then holds what could be read.
  std::string error;
  // 0-based column the error is in; -1 when it concerns the whole record.
  int error_column = -1;
  // The error ends the file (nothing after it can be read in step).
  bool fatal = false;
};

// Reads CSV records one at a time: quoted fields with doubled quotes and
// embedded line breaks, CRLF, LF or CR line ends, a UTF-8 byte-order mark at
// the start (skipped). Blank lines are skipped (but counted in row numbers).
// Field bytes are passed through unchanged: UTF-8 is the callers' check.
// Memory is bounded by the longest record.
class CsvReader {
 public:
  CsvReader(ByteSource* source, CsvOptions options = {});

  // The next record in *row; false at the end of the input or after a
  // fatal error has been returned.
  bool Next(CsvRow* row);

  // Bytes consumed from the source so far.
  int64_t bytes_read() const { return source_->offset(); }

 private:
  enum class State { kFieldStart, kUnquoted, kQuoted, kQuotedQuote };

  // Feeds one byte; true when it completed the record being read.
  bool Consume(char c, CsvRow* row);
  void EndField(CsvRow* row);
  void SetError(CsvRow* row, std::string message);
  // Makes a source's read failure a fatal error in *row; returns true.
  bool ReadFailed(const absl::Status& status, CsvRow* row);

  ByteSource* source_;
  CsvOptions options_;
  absl::string_view chunk_;
  std::string first_;  // The file's first bytes, gathered for the BOM check.
  size_t pos_ = 0;
  bool started_ = false;   // The byte-order mark check has been done.
  bool done_ = false;      // End of input or a fatal error was returned.
  bool after_cr_ = false;  // The last byte was a CR that ended a line.
  State state_ = State::kFieldStart;
  std::string field_;
  size_t record_bytes_ = 0;
  int64_t line_ = 1;
  int64_t number_ = 0;
  int64_t quote_line_ = 0;  // Where the open quoted field started.
};

// Column names compared ignoring case and everything but letters and
// digits, so "Date registration", "Date_registration" and
// "DATE REGISTRATION" are one name.
std::string NormalizeColumnName(absl::string_view name);

// The header row of a CSV file: column positions by normalised name.
class CsvHeader {
 public:
  CsvHeader() = default;
  explicit CsvHeader(std::vector<std::string> names);

  // Position of the column called `name`; the first one when a name repeats.
  std::optional<size_t> Find(absl::string_view name) const;
  size_t size() const { return names_.size(); }
  const std::string& name(size_t i) const { return names_[i]; }

 private:
  std::vector<std::string> names_;
  absl::flat_hash_map<std::string, size_t> index_;
};

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_CSV_H_
