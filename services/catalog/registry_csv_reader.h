#ifndef REGENATLAS_SERVICES_CATALOG_REGISTRY_CSV_READER_H_
#define REGENATLAS_SERVICES_CATALOG_REGISTRY_CSV_READER_H_

// What the registry CSV readers (ictrp_csv.h, ctgov_csv.h) share: reading
// the header, checking that it has the format's key column, turning
// malformed rows and rows of the wrong width into RecordErrors, and handing
// each good row to the format's mapping.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "services/catalog/byte_source.h"
#include "services/catalog/csv.h"
#include "services/catalog/registry_record.h"

namespace regenatlas::catalog {

class RegistryCsvReader : public RegistryReader {
 public:
  // `key_column`: the column without which the file is not of this format
  // ("TrialID", "NCT Number"); `format_name` names the format in that error.
  RegistryCsvReader(std::unique_ptr<ByteSource> source, std::string file, CsvOptions options,
                    std::string key_column, std::string format_name);

  std::optional<RegistryItem> Next() final;
  int64_t bytes_read() const final { return csv_.bytes_read(); }

 protected:
  // Maps one row that has exactly one field per column.
  virtual RegistryItem MapRow(const CsvRow& row, const RecordLocation& location) = 0;

  const CsvHeader& header() const { return header_; }

  // The row's value in column `name`; "" when the file has no such column.
  std::string Cell(const CsvRow& row, absl::string_view name) const;

 private:
  RecordError RowError(const CsvRow& row, const RecordLocation& location, int column,
                       std::string message, bool fatal) const;

  std::unique_ptr<ByteSource> source_;
  std::string file_;
  CsvReader csv_;
  std::string key_column_;
  std::string format_name_;
  bool header_read_ = false;
  bool finished_ = false;
  CsvHeader header_;
  size_t key_index_ = 0;
};

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_REGISTRY_CSV_READER_H_
