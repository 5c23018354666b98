#ifndef REGENATLAS_SERVICES_CATALOG_ICTRP_RECORD_H_
#define REGENATLAS_SERVICES_CATALOG_ICTRP_RECORD_H_

// The mapping of one WHO ICTRP trial's fields to a RegistryRecord, shared by
// the XML reader (fields are the child elements of <Trial>) and the CSV
// reader (fields are the columns): the portal's export has the same fields
// in both, "Date_registration" in XML being "Date registration" in CSV.

#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "services/catalog/registry_record.h"

namespace regenatlas::catalog {

// One trial's fields: NormalizeColumnName(name) → (name as in the file,
// value). A repeated field's values are joined with line breaks.
using IctrpFields = absl::flat_hash_map<std::string, std::pair<std::string, std::string>>;

// Adds a field's value (repeats are joined with a line break).
void AddIctrpField(IctrpFields& fields, absl::string_view name, absl::string_view value);

// The record, or the error naming the field that makes it unreadable: a
// missing or unrecognised TrialID, an unreadable registration or enrolment
// date, text that is not UTF-8. Unknown status, phase and country spellings,
// unparsed secondary IDs and uncountable target sizes are notes on the
// record, not errors.
RegistryItem BuildIctrpRecord(const IctrpFields& fields, const RecordLocation& location,
                              RegistryFileFormat format);

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_ICTRP_RECORD_H_
