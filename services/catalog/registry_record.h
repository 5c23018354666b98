#ifndef REGENATLAS_SERVICES_CATALOG_REGISTRY_RECORD_H_
#define REGENATLAS_SERVICES_CATALOG_REGISTRY_RECORD_H_

// The neutral trial record that every registry-file reader produces (WHO
// ICTRP XML and CSV, ClinicalTrials.gov CSV), with each value as printed and
// normalised, and the per-record error the readers yield instead of a record
// they cannot read. The importer maps these to catalog Trials.

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "regenatlas/catalog/v1/resources.pb.h"
#include "regenatlas/common/v1/common.pb.h"

namespace regenatlas::catalog {

// The file formats the readers understand.
enum class RegistryFileFormat {
  kUnknown,
  kIctrpXml,   // WHO ICTRP search-portal export, XML.
  kIctrpCsv,   // The same export as CSV.
  kCtgovCsv,   // ClinicalTrials.gov website download, CSV.
  kCtgovJson,  // ClinicalTrials.gov API v2 JSON (read by ctgov_json.h).
};

// "ICTRP XML", "ICTRP CSV", "ClinicalTrials.gov CSV", ...
const char* RegistryFileFormatName(RegistryFileFormat format);

// Where a record is in its file, for messages that name file, record and
// field.
struct RecordLocation {
  std::string file;  // As given to the reader; "" for bytes in memory.
  // 1-based: the <Trial> element's index in the XML, or the CSV row number
  // counting the header as row 1 (a spreadsheet's row number).
  int64_t index = 0;
  int64_t line = 0;  // 1-based line where the record starts.
  bool csv = false;  // Whether `index` is a CSV row (else an XML element).

  // "trials.xml: Trial #3 (line 120)", "studies.csv: row 5 (line 7)".
  std::string Describe() const;
};

// A registry ID as printed and, when recognised, parsed (registry_id.h).
struct PrintedRegistryId {
  std::string printed;
  // Canonical ID and registry; registry REGISTRY_UNSPECIFIED (and id empty)
  // when `printed` is not a registry ID the catalog parses (a sponsor's
  // protocol number, a grant number, a registry not in the enum).
  common::v1::RegistryId id;
  // Why it was not recognised (ParseRegistryId's message); "" when it was.
  std::string problem;
};

// A date at the precision printed ("2020" year, "April 2020" month,
// "2020-02-17" day); precision unset when nothing was printed.
struct PrintedDate {
  std::string printed;
  common::v1::PartialDate date;
};

// Recruitment status normalised to the catalog's enum.
struct PrintedStatus {
  std::string printed;
  catalog::v1::TrialStatus status = catalog::v1::TRIAL_STATUS_UNSPECIFIED;
  // The spelling is in the table, even when it maps to no single status
  // (ICTRP's "Not recruiting" covers several); false means "report it".
  bool known = false;
};

// Phase normalised where unambiguous ("Phase 1/Phase 2", "1-2", "I/II",
// "II期", "PHASE1|PHASE2" → phase 1/2).
struct PrintedPhase {
  std::string printed;
  common::v1::DevelopmentStage stage = common::v1::DEVELOPMENT_STAGE_UNSPECIFIED;
  // The text was understood: a phase, a combination of two adjacent phases,
  // or an explicit "no phase" ("N/A", "Not Applicable", "Retrospective
  // study") or phase 4, for which the catalog has no stage. False for
  // ambiguous or unknown text (ChiCTR's bare "0", "Phase 1/3"), kept as
  // printed only.
  bool known = false;
};

// A country as printed and its ISO 3166-1 alpha-2 code (ctgov_countries.h);
// code empty when the name is not in the table ("China?", "Wuhan").
struct PrintedCountry {
  std::string printed;
  std::string code;
};

// An intervention; `type` as printed by ClinicalTrials.gov ("DRUG",
// "Biological"), empty when the registry prints none.
struct RegistryIntervention {
  std::string type;
  std::string name;
};

// A warning about one field of a record that was still read: an unknown
// status spelling, a country not in the table, an unparsed secondary ID.
struct FieldNote {
  std::string field;  // Column or element name as in the file.
  std::string message;
};

// One trial as a registry file describes it. Text values are trimmed, with
// runs of white space (ICTRP pads titles with hundreds of spaces) collapsed.
struct RegistryRecord {
  RecordLocation location;
  RegistryFileFormat format = RegistryFileFormat::kUnknown;
  // The registry the record comes from, from its primary ID, and the
  // register's name as printed ("ChiCTR", "ClinicalTrials.gov").
  common::v1::Registry source_registry = common::v1::REGISTRY_UNSPECIFIED;
  std::string source_register;
  PrintedRegistryId primary_id;  // Always recognised in a yielded record.
  // Other IDs of the trial, in file order, recognised or not: ICTRP's
  // secondary IDs, ClinicalTrials.gov's "Other IDs".
  std::vector<PrintedRegistryId> secondary_ids;
  // ICTRP's bridging fields: "other records" (the trial has records in
  // other registries), the bridging flag and the bridged type
  // ("Parent"/"Child"), as printed.
  std::string other_records;
  bool bridged = false;
  std::string bridged_type;
  std::string public_title;
  std::string scientific_title;
  std::string acronym;
  std::string primary_sponsor;
  std::vector<std::string> secondary_sponsors;
  PrintedDate registration_date;
  PrintedDate start_date;       // ICTRP's "Date enrollement", ClinicalTrials.gov's "Start Date".
  PrintedDate completion_date;  // ClinicalTrials.gov's "Completion Date" (not in ICTRP's).
  PrintedStatus status;
  PrintedPhase phase;
  std::vector<PrintedCountry> countries;  // Repeats dropped, file order kept.
  std::vector<std::string> conditions;
  std::vector<RegistryIntervention> interventions;
  // Participants planned or enrolled; ChiCTR's per-group sizes
  // ("Experimental group:30;Control group:30;") are added up. Unset when
  // nothing (or nothing countable) is printed.
  std::optional<int32_t> target_size;
  std::string target_size_printed;
  std::string study_type;
  std::string url;
  std::vector<FieldNote> notes;
};

// A record that could not be read; reading goes on with the next one unless
// `fatal`.
struct RecordError {
  RecordLocation location;
  std::string field;       // Column or element name; "" for the whole record.
  std::string primary_id;  // As printed, when read before the problem.
  std::string message;
  // Nothing after this error can be read (a truncated or broken XML file, an
  // unclosed CSV quote, a file that cannot be opened or has no header).
  bool fatal = false;

  // "trials.xml: Trial #3 (line 120), field Date_registration: ...".
  std::string Describe() const;
};

// What a reader yields: one record or one error.
using RegistryItem = std::variant<RegistryRecord, RecordError>;

// A streaming reader of one registry file (ictrp_xml.h, ictrp_csv.h,
// ctgov_csv.h; registry_formats.h picks one by content).
class RegistryReader {
 public:
  virtual ~RegistryReader() = default;

  // The next record or error, in file order; nullopt at the end of the
  // file, and after a fatal error.
  virtual std::optional<RegistryItem> Next() = 0;

  // Bytes of the file consumed so far, for progress.
  virtual int64_t bytes_read() const = 0;
};

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_REGISTRY_RECORD_H_
