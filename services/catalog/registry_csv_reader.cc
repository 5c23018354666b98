// The shared row handling of the registry CSV readers
// (registry_csv_reader.h).

#include "services/catalog/registry_csv_reader.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/catalog/ctgov_json.h"
#include "services/catalog/registry_values.h"

namespace regenatlas::catalog {

RegistryCsvReader::RegistryCsvReader(std::unique_ptr<ByteSource> source, std::string file,
                                     CsvOptions options, std::string key_column,
                                     std::string format_name)
    : source_(std::move(source)),
      file_(std::move(file)),
      csv_(source_.get(), options),
      key_column_(std::move(key_column)),
      format_name_(std::move(format_name)) {}

std::string RegistryCsvReader::Cell(const CsvRow& row, absl::string_view name) const {
  std::optional<size_t> i = header_.Find(name);
  if (!i.has_value() || *i >= row.fields.size()) return "";
  return row.fields[*i];
}

RecordError RegistryCsvReader::RowError(const CsvRow& row, const RecordLocation& location,
                                        int column, std::string message, bool fatal) const {
  RecordError e;
  e.location = location;
  if (column >= 0 && static_cast<size_t>(column) < header_.size()) {
    e.field = PrintableUtf8(header_.name(static_cast<size_t>(column)));
  } else if (column >= 0) {
    e.field = absl::StrCat("column ", column + 1);
  }
  if (header_read_ && key_index_ < row.fields.size() && IsValidUtf8(row.fields[key_index_])) {
    e.primary_id = CleanText(row.fields[key_index_]);
  }
  e.message = std::move(message);
  e.fatal = fatal;
  return e;
}

std::optional<RegistryItem> RegistryCsvReader::Next() {
  if (finished_) return std::nullopt;
  CsvRow row;
  if (!header_read_) {
    if (!csv_.Next(&row)) {
      finished_ = true;
      RecordError e;
      e.location.file = file_;
      e.message = absl::StrCat("the file is empty; a ", format_name_, " file has a header row");
      e.fatal = true;
      return e;
    }
    const RecordLocation location{file_, row.number, row.line, true};
    if (!row.error.empty()) {
      finished_ = true;
      return RowError(row, location, -1, absl::StrCat("header row: ", row.error), true);
    }
    header_ = CsvHeader(row.fields);
    std::optional<size_t> key = header_.Find(key_column_);
    if (!key.has_value()) {
      finished_ = true;
      return RowError(row, location, -1,
                      absl::StrCat("the header has no \"", key_column_, "\" column; not a ",
                                   format_name_, " file"),
                      true);
    }
    key_index_ = *key;
    header_read_ = true;
  }
  if (!csv_.Next(&row)) {
    finished_ = true;
    return std::nullopt;
  }
  const RecordLocation location{file_, row.number, row.line, true};
  if (!row.error.empty()) {
    if (row.fatal) finished_ = true;
    return RowError(row, location, row.error_column, row.error, row.fatal);
  }
  if (row.fields.size() != header_.size()) {
    return RowError(
        row, location, -1,
        absl::StrCat("the row has ", row.fields.size(), " fields; the header has ", header_.size()),
        false);
  }
  return MapRow(row, location);
}

}  // namespace regenatlas::catalog
