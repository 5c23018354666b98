#ifndef REGENATLAS_SERVICES_CATALOG_CTGOV_COUNTRIES_H_
#define REGENATLAS_SERVICES_CATALOG_CTGOV_COUNTRIES_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace regenatlas::catalog {

// The ISO 3166-1 alpha-2 code of a country name as ClinicalTrials.gov prints
// it in locations ("United States", "Korea, Republic of", "Czechia",
// "Russian Federation", "Taiwan"), compared ignoring case, spaces and
// punctuation; nullopt for a name the table does not know.
std::optional<std::string> CountryCodeForName(absl::string_view name);

// Every (name, code) pair of the table, for tests and documentation.
std::vector<std::pair<std::string, std::string>> CountryNameTable();

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_CTGOV_COUNTRIES_H_
