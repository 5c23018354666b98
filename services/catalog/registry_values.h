#ifndef REGENATLAS_SERVICES_CATALOG_REGISTRY_VALUES_H_
#define REGENATLAS_SERVICES_CATALOG_REGISTRY_VALUES_H_

// Reading the values registry files print into the neutral record
// (registry_record.h): dates at their printed precision, recruitment status,
// free-text phase, countries, registry IDs, target sizes and list fields.
// Shared by the ICTRP and ClinicalTrials.gov CSV readers; no I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/catalog/registry_record.h"

namespace regenatlas::catalog {

// Trimmed, with every run of white space (and ICTRP's literal "<br>") made
// one space.
std::string CleanText(absl::string_view text);

// `text` when it is valid UTF-8; otherwise with every byte above 0x7F
// written as \xNN, so a name read from a broken file can be quoted in a
// message.
std::string PrintableUtf8(absl::string_view text);

// Splits a multi-valued field on each of `separators` (one character each)
// and on line breaks and "<br>"; items cleaned (CleanText), empty ones
// dropped.
std::vector<std::string> SplitList(absl::string_view text, absl::string_view separators);

// A date as registries print it, at that precision: "2020", "2020-02",
// "2020-02-17", "2020/2/17", "20200217", "17/02/2020" (day first, as ICTRP
// prints; read month first only when the second number cannot be a month,
// "3/18/2020"), "February 2020", "February 9, 2020", "17 February 2020",
// "Feb 2020", "2020年2月17日". Empty text gives an unset date.
// INVALID_ARGUMENT saying what is wrong otherwise (unknown form, month 13,
// 30 February).
absl::StatusOr<PrintedDate> ParseRegistryDate(absl::string_view text);

// Status spellings of ClinicalTrials.gov (RECRUITING, "Active, not
// recruiting") and ICTRP ("Recruiting", "Not recruiting", "Pending" ...),
// compared ignoring case and punctuation.
PrintedStatus NormalizeStatus(absl::string_view text);

// Free-text phase: "Phase 2", "2", "Phase I", "IIa", "II期", "Ⅱ期", "1-2",
// "Phase 1/Phase 2", "I/II", "PHASE1|PHASE2", "Early Phase 1",
// "EARLY_PHASE1", "Not Applicable", "N/A", "NA". See PrintedPhase::known.
PrintedPhase NormalizePhase(absl::string_view text);

// One printed registry ID, parsed when it is one (registry_id.h) or when
// exactly one word of it is ("EudraCT-No.:2006-000284-28") and `in_label`
// allows that (secondary IDs; a primary ID must be the ID alone).
PrintedRegistryId ReadRegistryId(absl::string_view text, bool in_label = true);

// Countries as printed (one name each), mapped to ISO codes; names the table
// does not know are kept with an empty code, and repeats dropped.
std::vector<PrintedCountry> MapCountries(const std::vector<std::string>& names);

// "60" → 60; ChiCTR's per-group "Experimental group:30;Control group:30;"
// → 60. nullopt for empty or uncountable text, or a sum past int32.
std::optional<int32_t> ParseTargetSize(absl::string_view text);

// "DRUG: Tadalafil" / "Drug: arbidol" → type and name when the text before
// the colon is a ClinicalTrials.gov intervention type; otherwise the whole
// text is the name (ChiCTR's "Experimental group:MSC" is a group, not a type).
RegistryIntervention SplitInterventionType(absl::string_view text);

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_REGISTRY_VALUES_H_
