#ifndef REGENATLAS_SERVICES_CATALOG_ICTRP_CSV_H_
#define REGENATLAS_SERVICES_CATALOG_ICTRP_CSV_H_

// Streaming reader of the WHO ICTRP search portal's CSV export: the XML
// export's fields as column headers ("TrialID", "Date registration",
// "Recruitment Status", ...; spaces or underscores, any case), one trial per
// row, mapped like the XML (ictrp_record.h).

#include <memory>
#include <string>

#include "services/catalog/byte_source.h"
#include "services/catalog/csv.h"
#include "services/catalog/registry_record.h"

namespace regenatlas::catalog {

// Reads `source`'s rows as RegistryRecords; `file` names it in locations
// (rows numbered as a spreadsheet does, the header being row 1). A row with
// another number of fields than the header, or malformed quoting, is a
// RecordError naming the row and column; a file without a TrialID column is
// one fatal error.
std::unique_ptr<RegistryReader> NewIctrpCsvReader(std::unique_ptr<ByteSource> source,
                                                  std::string file, CsvOptions options = {});

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_ICTRP_CSV_H_
