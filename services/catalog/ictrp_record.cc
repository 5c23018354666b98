// ICTRP field mapping (ictrp_record.h): which field of the portal's export
// feeds which part of the neutral record.

#include "services/catalog/ictrp_record.h"

#include <initializer_list>
#include <optional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "services/catalog/csv.h"
#include "services/catalog/ctgov_json.h"
#include "services/catalog/registry_values.h"

namespace regenatlas::catalog {
namespace {

// The field's name as printed and its value; `name` itself (ICTRP's XML
// spelling) and an empty value when absent. The first of `names` present wins.
struct Field {
  std::string name;
  std::string value;
  bool present = false;
};

Field Get(const IctrpFields& fields, std::initializer_list<absl::string_view> names) {
  for (absl::string_view name : names) {
    auto it = fields.find(NormalizeColumnName(name));
    if (it != fields.end()) return {it->second.first, it->second.second, true};
  }
  return {std::string(*names.begin()), "", false};
}

RecordError Error(const RecordLocation& location, const Field& field, std::string primary_id,
                  std::string message) {
  RecordError e;
  e.location = location;
  e.field = PrintableUtf8(field.name);
  e.primary_id = std::move(primary_id);
  e.message = std::move(message);
  return e;
}

}  // namespace

void AddIctrpField(IctrpFields& fields, absl::string_view name, absl::string_view value) {
  auto [it, inserted] =
      fields.try_emplace(NormalizeColumnName(name), std::string(name), std::string(value));
  if (!inserted) absl::StrAppend(&it->second.second, "\n", value);
}

RegistryItem BuildIctrpRecord(const IctrpFields& fields, const RecordLocation& location,
                              RegistryFileFormat format) {
  const Field id_field = Get(fields, {"TrialID"});
  const std::string printed_id = CleanText(id_field.value);
  // Every byte read must be UTF-8 before any of it is quoted in a message.
  for (const auto& [key, entry] : fields) {
    if (!IsValidUtf8(entry.second)) {
      return Error(location, Field{entry.first, "", true},
                   IsValidUtf8(printed_id) ? printed_id : "", "not valid UTF-8");
    }
  }
  if (printed_id.empty()) {
    return Error(location, id_field, "",
                 id_field.present ? "empty; every trial needs its registry ID"
                                  : "missing; every trial needs its registry ID");
  }

  RegistryRecord r;
  r.location = location;
  r.format = format;
  r.primary_id = ReadRegistryId(printed_id, /*in_label=*/false);
  if (!r.primary_id.problem.empty()) {
    return Error(location, id_field, printed_id, r.primary_id.problem);
  }
  r.source_registry = r.primary_id.id.registry();
  auto note = [&r](const Field& f, std::string message) {
    r.notes.push_back({PrintableUtf8(f.name), PrintableUtf8(message)});
  };

  r.source_register = CleanText(Get(fields, {"Source_Register"}).value);
  r.public_title = CleanText(Get(fields, {"Public_title"}).value);
  r.scientific_title = CleanText(Get(fields, {"Scientific_title"}).value);
  r.acronym = CleanText(Get(fields, {"Acronym"}).value);
  r.primary_sponsor = CleanText(Get(fields, {"Primary_sponsor"}).value);
  r.secondary_sponsors =
      SplitList(Get(fields, {"Secondary_Sponsor", "Secondary_Sponsors"}).value, ";");
  r.url = CleanText(Get(fields, {"web_address"}).value);
  r.study_type = CleanText(Get(fields, {"Study_type"}).value);
  r.other_records = CleanText(Get(fields, {"other_records"}).value);
  r.bridged = absl::EqualsIgnoreCase(
      CleanText(Get(fields, {"Bridging_flag_truefalse", "Bridging_flag"}).value), "true");
  r.bridged_type = CleanText(Get(fields, {"Bridged_type"}).value);

  const Field secondary = Get(fields, {"Secondary_IDs", "SecondaryIDs", "Secondary_ID"});
  for (const std::string& item : SplitList(secondary.value, ";,")) {
    PrintedRegistryId id = ReadRegistryId(item);
    if (id.id.registry() == r.primary_id.id.registry() && id.id.id() == r.primary_id.id.id()) {
      continue;  // The trial's own ID, repeated.
    }
    r.secondary_ids.push_back(std::move(id));
  }

  const Field registered = Get(fields, {"Date_registration"});
  absl::StatusOr<PrintedDate> date = ParseRegistryDate(registered.value);
  if (!date.ok())
    return Error(location, registered, printed_id, std::string(date.status().message()));
  r.registration_date = *std::move(date);
  // Date_registration3 is the same date as YYYYMMDD: a cross-check on the
  // day-first reading of Date_registration.
  const Field registered3 = Get(fields, {"Date_registration3"});
  if (!CleanText(registered3.value).empty()) {
    absl::StatusOr<PrintedDate> d3 = ParseRegistryDate(registered3.value);
    if (!d3.ok()) {
      note(registered3, std::string(d3.status().message()));
    } else if (!IsSet(r.registration_date.date)) {
      r.registration_date = *std::move(d3);
    } else if (d3->date.SerializeAsString() != r.registration_date.date.SerializeAsString()) {
      note(registered3, absl::StrCat("\"", d3->printed, "\" disagrees with ", registered.name,
                                     " \"", r.registration_date.printed, "\""));
    }
  }
  const Field enrolment = Get(fields, {"Date_enrollement", "Date_enrolment", "Date_enrollment"});
  date = ParseRegistryDate(enrolment.value);
  if (!date.ok())
    return Error(location, enrolment, printed_id, std::string(date.status().message()));
  r.start_date = *std::move(date);

  const Field status = Get(fields, {"Recruitment_Status"});
  r.status = NormalizeStatus(status.value);
  if (!r.status.known && !r.status.printed.empty()) {
    note(status, absl::StrCat("unknown status \"", r.status.printed, "\"; kept as printed"));
  }
  const Field phase = Get(fields, {"Phase"});
  r.phase = NormalizePhase(phase.value);
  if (!r.phase.known && !r.phase.printed.empty()) {
    note(phase, absl::StrCat("phase \"", r.phase.printed, "\" is not normalised; kept as printed"));
  }
  const Field countries = Get(fields, {"Countries"});
  r.countries = MapCountries(SplitList(countries.value, ";"));
  for (const PrintedCountry& c : r.countries) {
    if (c.code.empty()) note(countries, absl::StrCat("unknown country \"", c.printed, "\""));
  }
  r.conditions = SplitList(Get(fields, {"Condition"}).value, ";");
  for (const std::string& item : SplitList(Get(fields, {"Intervention"}).value, ";")) {
    r.interventions.push_back(SplitInterventionType(item));
  }
  const Field size = Get(fields, {"Target_size"});
  r.target_size_printed = CleanText(size.value);
  r.target_size = ParseTargetSize(size.value);
  if (!r.target_size.has_value() && !r.target_size_printed.empty()) {
    note(size, absl::StrCat("target size \"", r.target_size_printed, "\" is not a number"));
  }
  return r;
}

}  // namespace regenatlas::catalog
