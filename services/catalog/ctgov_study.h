// The study model of the ClinicalTrials.gov importer: what one API v2
// record states (identifiers, version, title, phases, status, dates,
// enrollment, conditions, locations, sponsor, collaborators, interventions),
// read from its JSON with the path of every value, and the rejection of a
// record that cannot be read. Pure: no catalog or store access, so studies
// can be read on another thread than the one that writes them.
#ifndef REGENATLAS_SERVICES_CATALOG_CTGOV_STUDY_H_
#define REGENATLAS_SERVICES_CATALOG_CTGOV_STUDY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "rapidjson/document.h"
#include "regenatlas/catalog/v1/resources.pb.h"
#include "regenatlas/common/v1/common.pb.h"
#include "services/catalog/classification.h"
#include "services/catalog/registry_record.h"

namespace regenatlas::catalog::ctgov {

// A sponsor or collaborator as printed.
struct Party {
  std::string name;
  std::string cls;
  std::string path;
};

struct DateField {
  common::v1::PartialDate date;
  bool estimated = false;
};

struct Intervention {
  std::string name;
  std::vector<std::string> other_names;
  std::string description;
};

// An identifier other than the NCT ID: org study ID, secondary ID, NCT alias.
struct OtherId {
  std::string id;
  std::string type;
  std::string domain;
  std::string path;
};

struct Location {
  std::string country;
  std::string path;
};

struct Warning {
  std::string path;
  std::string message;
};

// Who published a record: decides its Source, and which earlier imports of
// a trial count as the same registry's (whose values a record replaces)
// rather than another registry's (whose values it only contradicts, as a
// claim).
enum class Publisher {
  kCtgov,  // ClinicalTrials.gov, JSON or CSV.
  kIctrp,  // The WHO ICTRP portal's export, any registry.
};

// What one record states, with presence: an absent optional means the
// record does not say (a `fields=` selection may leave modules out).
// Records of other registry files (registry_study.h) use the same model.
struct Study {
  std::string path;
  // The record's primary registry ID: the NCT ID of a ClinicalTrials.gov
  // record, else an ID of `registry` (ChiCTR2000029953 ...).
  std::string nct_id;
  common::v1::Registry registry = common::v1::REGISTRY_NCT;
  Publisher publisher = Publisher::kCtgov;
  // The record's page and its register as printed, when the file gives them.
  std::string url;
  std::string register_name;
  std::optional<common::v1::PartialDate> version;
  std::optional<std::string> title;
  // Printed fields stored as printed (unset: the record does not say).
  std::optional<std::string> scientific_title;
  std::optional<std::string> acronym;
  std::optional<std::string> study_type;
  std::optional<common::v1::PartialDate> registration_date;
  // ICTRP's bridging fields (ICTRP records only).
  std::optional<v1::TrialBridging> bridging;
  std::vector<OtherId> other_ids;
  std::optional<std::vector<std::string>> phases;
  std::string phases_path;
  // A phase or status printed in another vocabulary than ClinicalTrials.gov's
  // enums, already normalised by its reader (instead of phases / status).
  std::optional<PrintedPhase> printed_phase;
  std::optional<std::string> status;
  std::string status_path;
  std::optional<PrintedStatus> printed_status;
  std::optional<DateField> start;
  std::optional<DateField> completion;
  std::optional<int32_t> enrollment;
  std::optional<std::vector<std::string>> conditions;
  std::optional<std::vector<Location>> locations;
  std::optional<Party> sponsor;
  std::optional<std::vector<Party>> collaborators;
  std::optional<std::vector<Intervention>> interventions;
  // What the trial classifier reads (titles, interventions with their
  // descriptions, conditions, keywords, summary); set only when the record
  // states its interventions, so a cut-down record (`fields=`) leaves a
  // stored classification alone.
  std::optional<classification::TrialText> text;
  // The classifier's reading of `text`, when the pipeline computed it on
  // its parser thread (CtgovPipelineOptions::prepare); computed when the
  // record is applied otherwise.
  std::optional<classification::Classification> classified;
  std::vector<Warning> warnings;
};

// Why a record is rejected: the JSON path of the problem, the record's NCT
// ID when it is readable ("" otherwise) and the message without the path.
struct StudyRejection {
  std::string problem_path;
  std::string nct_id;
  std::string message;
};

// A study read from the JSON of one record at `path` ("$.studies[3]"):
// either `study` or `rejection` is set.
struct ParsedStudy {
  std::string path;
  std::optional<Study> study;
  std::optional<StudyRejection> rejection;
};

// Reads one study. Type errors and unparseable IDs or dates fail with the
// JSON path of the value (INVALID_ARGUMENT "path: message", the path also
// as a payload); unknown enum values become warnings when it is applied.
absl::StatusOr<Study> ReadStudy(const rapidjson::Value& root, const std::string& path);

// ReadStudy with its failure turned into a rejection.
ParsedStudy ParseStudy(const rapidjson::Value& root, const std::string& path);

}  // namespace regenatlas::catalog::ctgov

#endif  // REGENATLAS_SERVICES_CATALOG_CTGOV_STUDY_H_
