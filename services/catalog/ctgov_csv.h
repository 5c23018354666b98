#ifndef REGENATLAS_SERVICES_CATALOG_CTGOV_CSV_H_
#define REGENATLAS_SERVICES_CATALOG_CTGOV_CSV_H_

// Streaming reader of the CSV that clinicaltrials.gov's search page
// downloads ("NCT Number", "Study Title", "Study Status", "Conditions",
// "Interventions", "Phases", "Start Date", "Locations", "Other IDs", ...),
// mapped to the same RegistryRecord as the ICTRP readers.

#include <memory>
#include <string>

#include "services/catalog/byte_source.h"
#include "services/catalog/csv.h"
#include "services/catalog/registry_record.h"

namespace regenatlas::catalog {

// Reads `source`'s rows as RegistryRecords; `file` names it in locations.
// Columns are found by header name, so their order and any extra columns do
// not matter; only "NCT Number" is required (its absence is one fatal
// error). Multi-valued cells are split on '|' ("DRUG: A|DRUG: B",
// "PHASE1|PHASE2"); a location's country is the last comma-separated part
// of its entry in "Locations". Errors as for NewIctrpCsvReader.
std::unique_ptr<RegistryReader> NewCtgovCsvReader(std::unique_ptr<ByteSource> source,
                                                  std::string file, CsvOptions options = {});

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_CTGOV_CSV_H_
