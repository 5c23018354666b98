// RegistryRecord → ctgov::Study (see registry_study.h).
#include "services/catalog/registry_study.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/dates.h"
#include "services/catalog/ctgov_mapping.h"

namespace regenatlas::catalog {
namespace {

using ctgov::Study;

// The record's place without its file name, which citations and results
// carry separately.
std::string RecordPath(const RecordLocation& location) {
  RecordLocation l = location;
  l.file.clear();
  return l.Describe();
}

// "Trial #3 (line 120), field Countries".
std::string FieldPath(const Study& s, const std::string& field) {
  return field.empty() ? s.path : absl::StrCat(s.path, ", field ", field);
}

// The element or column a value comes from, as the file names it.
std::string FieldName(const RegistryRecord& r, const char* ictrp_xml, const char* ctgov_csv) {
  if (r.format == RegistryFileFormat::kCtgovCsv) return ctgov_csv;
  std::string name = ictrp_xml;
  if (r.format == RegistryFileFormat::kIctrpCsv) std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

// ClinicalTrials.gov CSV phases in the API's vocabulary, split on '|';
// nullopt for anything else (then the reader's normalisation applies).
std::optional<std::vector<std::string>> ApiPhases(const RegistryRecord& r) {
  if (r.format != RegistryFileFormat::kCtgovCsv || r.phase.printed.empty()) return std::nullopt;
  std::vector<std::string> phases = absl::StrSplit(r.phase.printed, '|', absl::SkipEmpty());
  if (!MapCtgovPhases(phases).unknown.empty()) return std::nullopt;
  return phases;
}

}  // namespace

Study StudyFromRegistryRecord(const RegistryRecord& r) {
  Study s;
  s.path = RecordPath(r.location);
  s.nct_id = r.primary_id.id.id();
  s.registry = r.primary_id.id.registry();
  s.publisher = r.format == RegistryFileFormat::kCtgovCsv ? ctgov::Publisher::kCtgov
                                                          : ctgov::Publisher::kIctrp;
  s.url = r.url;
  s.register_name = r.source_register;
  if (!r.public_title.empty()) {
    s.title = r.public_title;
  } else if (!r.scientific_title.empty()) {
    s.title = r.scientific_title;
  }
  if (!r.scientific_title.empty()) s.scientific_title = r.scientific_title;
  if (!r.acronym.empty()) s.acronym = r.acronym;
  if (!r.study_type.empty()) s.study_type = r.study_type;
  if (IsSet(r.registration_date.date)) s.registration_date = r.registration_date.date;
  if (r.format != RegistryFileFormat::kCtgovCsv) {
    v1::TrialBridging& b = s.bridging.emplace();
    b.set_other_records(r.other_records);
    b.set_bridged(r.bridged);
    b.set_bridged_type(r.bridged_type);
  }
  const std::string ids_field = FieldName(r, "Secondary_IDs", "Other IDs");
  for (size_t i = 0; i < r.secondary_ids.size(); ++i) {
    const PrintedRegistryId& id = r.secondary_ids[i];
    ctgov::OtherId o;
    o.id = id.problem.empty() ? id.id.id() : id.printed;
    // The CSV download's "Other IDs" are the API's orgStudyIdInfo then its
    // secondaryIdInfos: typed as the JSON importer types them, the same
    // study read in either form gives the same aliases.
    o.type = r.format == RegistryFileFormat::kCtgovCsv && i == 0 ? "ORG_STUDY_ID" : "SECONDARY_ID";
    o.path = FieldPath(s, ids_field);
    s.other_ids.push_back(std::move(o));
  }
  if (std::optional<std::vector<std::string>> phases = ApiPhases(r); phases.has_value()) {
    s.phases = std::move(phases);
    s.phases_path = FieldPath(s, "Phases");
  } else if (!r.phase.printed.empty()) {
    s.printed_phase = r.phase;
  }
  v1::TrialStatus unused;
  if (r.format == RegistryFileFormat::kCtgovCsv && MapCtgovStatus(r.status.printed, &unused)) {
    s.status = r.status.printed;
    s.status_path = FieldPath(s, "Study Status");
  } else if (!r.status.printed.empty()) {
    s.printed_status = r.status;
  }
  if (IsSet(r.start_date.date)) {
    s.start = ctgov::DateField{r.start_date.date, false};
  }
  if (IsSet(r.completion_date.date)) {
    s.completion = ctgov::DateField{r.completion_date.date, false};
  }
  s.enrollment = r.target_size;
  if (!r.conditions.empty()) s.conditions = r.conditions;
  if (!r.countries.empty()) {
    // Names the table does not know are dropped here: the reader noted them.
    std::vector<ctgov::Location> locations;
    const std::string field = FieldPath(s, FieldName(r, "Countries", "Locations"));
    for (const PrintedCountry& c : r.countries) {
      if (!c.code.empty()) locations.push_back({c.printed, field});
    }
    s.locations = std::move(locations);
  }
  if (!r.primary_sponsor.empty()) {
    s.sponsor = ctgov::Party{r.primary_sponsor, "",
                             FieldPath(s, FieldName(r, "Primary_sponsor", "Sponsor"))};
  }
  if (!r.secondary_sponsors.empty()) {
    std::vector<ctgov::Party> parties;
    const std::string field = FieldPath(s, FieldName(r, "Secondary_Sponsor", "Collaborators"));
    for (const std::string& name : r.secondary_sponsors) parties.push_back({name, "", field});
    s.collaborators = std::move(parties);
  }
  if (!r.interventions.empty()) {
    std::vector<ctgov::Intervention> interventions;
    for (const RegistryIntervention& i : r.interventions) interventions.push_back({i.name, {}, ""});
    s.interventions = std::move(interventions);
  }
  // The classifier reads what the export prints (always the whole record:
  // no descriptions, keywords or summary in ICTRP or ClinicalTrials.gov CSV).
  classification::TrialText& text = s.text.emplace();
  text.title = r.public_title;
  text.scientific_title = r.scientific_title;
  for (const RegistryIntervention& i : r.interventions) text.interventions.push_back({i.name, ""});
  text.conditions = r.conditions;
  for (const FieldNote& n : r.notes) s.warnings.push_back({FieldPath(s, n.field), n.message});
  return s;
}

}  // namespace regenatlas::catalog
