// The ICTRP CSV reader (ictrp_csv.h): each row's columns become the trial's
// fields under their header names.

#include "services/catalog/ictrp_csv.h"

#include <utility>

#include "services/catalog/ictrp_record.h"
#include "services/catalog/registry_csv_reader.h"

namespace regenatlas::catalog {
namespace {

class IctrpCsvReader : public RegistryCsvReader {
 public:
  IctrpCsvReader(std::unique_ptr<ByteSource> source, std::string file, CsvOptions options)
      : RegistryCsvReader(std::move(source), std::move(file), options, "TrialID",
                          "WHO ICTRP CSV export") {}

 protected:
  RegistryItem MapRow(const CsvRow& row, const RecordLocation& location) override {
    IctrpFields fields;
    for (size_t i = 0; i < row.fields.size(); ++i) {
      AddIctrpField(fields, header().name(i), row.fields[i]);
    }
    return BuildIctrpRecord(fields, location, RegistryFileFormat::kIctrpCsv);
  }
};

}  // namespace

std::unique_ptr<RegistryReader> NewIctrpCsvReader(std::unique_ptr<ByteSource> source,
                                                  std::string file, CsvOptions options) {
  return std::make_unique<IctrpCsvReader>(std::move(source), std::move(file), options);
}

}  // namespace regenatlas::catalog
