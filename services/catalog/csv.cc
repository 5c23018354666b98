// The CSV tokenizer and header lookup (csv.h): a byte-at-a-time state
// machine over the source's chunks, so quotes, doubled quotes and CRLF may
// straddle chunk boundaries.

#include "services/catalog/csv.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace regenatlas::catalog {

CsvReader::CsvReader(ByteSource* source, CsvOptions options) : source_(source), options_(options) {}

void CsvReader::EndField(CsvRow* row) {
  row->fields.push_back(std::move(field_));
  field_.clear();
  state_ = State::kFieldStart;
}

void CsvReader::SetError(CsvRow* row, std::string message) {
  // The first problem of a record is the one worth reading; later ones are
  // usually its consequences.
  if (row->error.empty()) {
    row->error = std::move(message);
    row->error_column = static_cast<int>(row->fields.size());
  }
}

bool CsvReader::Consume(char c, CsvRow* row) {
  const bool newline = c == '\n' || c == '\r';
  if (newline) {
    // CRLF is one line end; a lone CR (old Mac exports) is one too.
    const bool crlf_tail = c == '\n' && after_cr_;
    after_cr_ = c == '\r';
    if (!crlf_tail) ++line_;
    if (crlf_tail && state_ != State::kQuoted) return false;
  } else {
    after_cr_ = false;
  }
  ++record_bytes_;
  const char delimiter = options_.delimiter;
  switch (state_) {
    case State::kFieldStart:
      if (c == '"') {
        state_ = State::kQuoted;
        quote_line_ = line_;
      } else if (c == delimiter) {
        EndField(row);
      } else if (newline) {
        // A blank line is skipped; a line ending after a delimiter ends the
        // record with an empty last field.
        if (row->fields.empty()) {
          ++number_;
          row->line = line_;
          record_bytes_ = 0;
          return false;
        }
        EndField(row);
        return true;
      } else {
        field_ += c;
        state_ = State::kUnquoted;
      }
      return false;
    case State::kUnquoted:
      if (c == delimiter) {
        EndField(row);
      } else if (newline) {
        EndField(row);
        return true;
      } else {
        if (c == '"') {
          SetError(row, absl::StrCat("a '\"' inside unquoted field ", row->fields.size() + 1,
                                     " (RFC 4180 quotes a field that holds quotes)"));
        }
        field_ += c;
      }
      return false;
    case State::kQuoted:
      if (c == '"') {
        state_ = State::kQuotedQuote;
      } else {
        field_ += c;
      }
      return false;
    case State::kQuotedQuote:
      if (c == '"') {
        field_ += '"';
        state_ = State::kQuoted;
      } else if (c == delimiter) {
        EndField(row);
      } else if (newline) {
        EndField(row);
        return true;
      } else {
        SetError(row,
                 absl::StrCat("text after the closing quote of field ", row->fields.size() + 1));
        field_ += c;
        state_ = State::kUnquoted;
      }
      return false;
  }
  return false;
}

bool CsvReader::ReadFailed(const absl::Status& status, CsvRow* row) {
  row->error = std::string(status.message());
  row->fatal = true;
  done_ = true;
  return true;
}

bool CsvReader::Next(CsvRow* row) {
  *row = CsvRow();
  if (done_) return false;
  ++number_;
  row->number = number_;
  row->line = line_;
  record_bytes_ = 0;
  state_ = State::kFieldStart;
  field_.clear();
  bool any_byte = false;
  while (true) {
    if (pos_ == chunk_.size()) {
      if (!started_) {
        // The first three bytes, however the source chunks them, decide
        // about a byte-order mark.
        started_ = true;
        while (first_.size() < 3) {
          absl::StatusOr<absl::string_view> chunk = source_->Read();
          if (!chunk.ok()) return ReadFailed(chunk.status(), row);
          if (chunk->empty()) break;
          first_.append(chunk->data(), chunk->size());
        }
        chunk_ = first_;
        pos_ = 0;
        if (chunk_.size() >= 2 && ((chunk_[0] == '\xFF' && chunk_[1] == '\xFE') ||
                                   (chunk_[0] == '\xFE' && chunk_[1] == '\xFF'))) {
          row->error = "the file is UTF-16; save it as UTF-8 CSV";
          row->fatal = true;
          done_ = true;
          return true;
        }
        if (absl::StartsWith(chunk_, "\xEF\xBB\xBF")) pos_ = 3;
      } else {
        absl::StatusOr<absl::string_view> chunk = source_->Read();
        if (!chunk.ok()) return ReadFailed(chunk.status(), row);
        chunk_ = *chunk;
        pos_ = 0;
      }
      if (chunk_.empty()) break;
      continue;
    }
    const char c = chunk_[pos_++];
    const int64_t number_before = number_;
    if (Consume(c, row)) return true;
    if (number_ != number_before) {
      // A blank line was skipped: the record starts on the next line.
      row->number = number_;
      row->line = line_;
      continue;
    }
    if (state_ != State::kFieldStart || !row->fields.empty() || !field_.empty()) any_byte = true;
    if (record_bytes_ > options_.max_record_bytes) {
      row->error = absl::StrCat("record longer than ", options_.max_record_bytes,
                                " bytes; is this a CSV file, or is a quote left open?");
      row->fatal = true;
      done_ = true;
      return true;
    }
  }
  done_ = true;
  if (state_ == State::kQuoted) {
    EndField(row);
    row->error = absl::StrCat("the file ends inside a quoted field that starts on line ",
                              quote_line_, " (a quote is left open)");
    row->fatal = true;
    return true;
  }
  if (!any_byte) return false;
  EndField(row);
  return true;
}

std::string NormalizeColumnName(absl::string_view name) {
  std::string out;
  for (char c : name) {
    if (absl::ascii_isalnum(static_cast<unsigned char>(c))) {
      out += absl::ascii_tolower(static_cast<unsigned char>(c));
    }
  }
  return out;
}

CsvHeader::CsvHeader(std::vector<std::string> names) : names_(std::move(names)) {
  for (size_t i = 0; i < names_.size(); ++i) index_.try_emplace(NormalizeColumnName(names_[i]), i);
}

std::optional<size_t> CsvHeader::Find(absl::string_view name) const {
  auto it = index_.find(NormalizeColumnName(name));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

}  // namespace regenatlas::catalog
