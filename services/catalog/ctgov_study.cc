// Reads one ClinicalTrials.gov API v2 study (a small rapidjson DOM) into the
// importer's Study model: typed access with JSON paths, dates at their
// printed precision, and the module-by-module reading of a record.
#include "services/catalog/ctgov_study.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/status_macros.h"
#include "services/catalog/ctgov_json.h"
#include "services/catalog/registry_id.h"

namespace regenatlas::catalog::ctgov {
namespace {

using common::v1::PartialDate;
using common::v1::RegistryId;
using rapidjson::Value;

// Mapping errors carry the JSON path of the offending value as a payload,
// so that problems list path and message separately.
constexpr absl::string_view kPathPayload = "type.regenatlas/import.JsonPath";

// ---- JSON access with paths ------------------------------------------------

absl::Status JsonError(const std::string& path, absl::string_view message) {
  absl::Status s = absl::InvalidArgumentError(absl::StrCat(path, ": ", message));
  s.SetPayload(kPathPayload, absl::Cord(path));
  return s;
}

const char* TypeName(const Value& v) {
  if (v.IsNull()) return "null";
  if (v.IsBool()) return "a boolean";
  if (v.IsNumber()) return "a number";
  if (v.IsString()) return "a string";
  if (v.IsArray()) return "an array";
  return "an object";
}

absl::Status TypeError(const std::string& path, absl::string_view expected, const Value& found) {
  return JsonError(path, absl::StrCat("expected ", expected, ", found ", TypeName(found)));
}

// Member `key` of `obj`; nullptr when absent or null (the API omits empty
// values; null is read the same way).
const Value* Find(const Value& obj, const char* key) {
  auto it = obj.FindMember(key);
  if (it == obj.MemberEnd() || it->value.IsNull()) return nullptr;
  return &it->value;
}

absl::StatusOr<const Value*> GetObject(const Value& obj, const char* key, const std::string& path) {
  const Value* v = Find(obj, key);
  if (v != nullptr && !v->IsObject()) return TypeError(JsonPathChild(path, key), "an object", *v);
  return v;
}

absl::StatusOr<const Value*> GetArray(const Value& obj, const char* key, const std::string& path) {
  const Value* v = Find(obj, key);
  if (v != nullptr && !v->IsArray()) return TypeError(JsonPathChild(path, key), "an array", *v);
  return v;
}

absl::StatusOr<std::optional<std::string>> GetString(const Value& obj, const char* key,
                                                     const std::string& path) {
  const Value* v = Find(obj, key);
  if (v == nullptr) return std::nullopt;
  if (!v->IsString()) return TypeError(JsonPathChild(path, key), "a string", *v);
  return std::string(v->GetString(), v->GetStringLength());
}

absl::StatusOr<std::optional<std::vector<std::string>>> GetStringArray(const Value& obj,
                                                                       const char* key,
                                                                       const std::string& path) {
  ASSIGN_OR_RETURN(const Value* array, GetArray(obj, key, path));
  if (array == nullptr) return std::nullopt;
  std::vector<std::string> out;
  const std::string base = JsonPathChild(path, key);
  for (rapidjson::SizeType i = 0; i < array->Size(); ++i) {
    const Value& e = (*array)[i];
    if (!e.IsString()) return TypeError(JsonPathIndex(base, i), "a string", e);
    out.emplace_back(e.GetString(), e.GetStringLength());
  }
  return out;
}

using ObjectList = std::vector<std::pair<const Value*, std::string>>;

// The elements of array `key` with their paths, each required to be an object.
absl::StatusOr<std::optional<ObjectList>> GetObjectArray(const Value& obj, const char* key,
                                                         const std::string& path) {
  ASSIGN_OR_RETURN(const Value* array, GetArray(obj, key, path));
  if (array == nullptr) return std::nullopt;
  ObjectList out;
  const std::string base = JsonPathChild(path, key);
  for (rapidjson::SizeType i = 0; i < array->Size(); ++i) {
    const Value& e = (*array)[i];
    std::string p = JsonPathIndex(base, i);
    if (!e.IsObject()) return TypeError(p, "an object", e);
    out.emplace_back(&e, std::move(p));
  }
  return out;
}

// ParseRegistryId messages start with the field they were given; re-anchor
// them on the JSON path.
absl::Status Reanchor(const absl::Status& s, const std::string& path) {
  absl::string_view message = s.message();
  if (absl::StartsWith(message, path)) message.remove_prefix(path.size());
  if (absl::StartsWith(message, ": ")) message.remove_prefix(2);
  return JsonError(path, message);
}

// ---- Values ------------------------------------------------------------------

absl::StatusOr<std::optional<PartialDate>> ParseDateText(const std::optional<std::string>& text,
                                                         const std::string& path) {
  if (!text.has_value()) return std::nullopt;
  // ParsePartialDate validates too ("2015-02-30": no day 30 in February).
  absl::StatusOr<PartialDate> d = ParsePartialDate(*text, "date");
  if (d.ok()) return *d;
  absl::string_view detail = d.status().message();
  if (size_t colon = detail.find(": "); colon != absl::string_view::npos)
    detail.remove_prefix(colon + 2);
  if (absl::StartsWith(detail, "\"")) {
    return JsonError(path, detail);
  }
  return JsonError(path, absl::StrCat("\"", *text, "\" is not a valid date: ", detail));
}

absl::StatusOr<std::optional<DateField>> ReadDate(const Value& module, const char* key,
                                                  const std::string& path, Study& study) {
  ASSIGN_OR_RETURN(const Value* obj, GetObject(module, key, path));
  if (obj == nullptr) return std::nullopt;
  const std::string p = JsonPathChild(path, key);
  ASSIGN_OR_RETURN(std::optional<std::string> text, GetString(*obj, "date", p));
  ASSIGN_OR_RETURN(std::optional<PartialDate> date, ParseDateText(text, JsonPathChild(p, "date")));
  if (!date.has_value()) return std::nullopt;
  ASSIGN_OR_RETURN(std::optional<std::string> type, GetString(*obj, "type", p));
  DateField out;
  out.date = *date;
  // No type (records cut down by `fields=`) reads as actual, like ACTUAL.
  if (type.has_value()) {
    if (*type == "ESTIMATED" || *type == "ANTICIPATED") {
      out.estimated = true;
    } else if (*type != "ACTUAL") {
      study.warnings.push_back({JsonPathChild(p, "type"),
                                absl::StrCat("unknown date type \"", *type,
                                             "\" (known: ACTUAL, ESTIMATED); read as ACTUAL")});
    }
  }
  return out;
}

absl::StatusOr<std::optional<Party>> ReadParty(const Value& obj, const std::string& path) {
  ASSIGN_OR_RETURN(std::optional<std::string> name, GetString(obj, "name", path));
  ASSIGN_OR_RETURN(std::optional<std::string> cls, GetString(obj, "class", path));
  std::string n(absl::StripAsciiWhitespace(name.value_or("")));
  if (n.empty()) return std::nullopt;
  return Party{n, cls.value_or(""), path};
}

// ---- Modules -----------------------------------------------------------------

// identificationModule.nctId (required); returns the module.
absl::StatusOr<const Value*> ReadNctId(const Value& ps, const std::string& ps_path, Study& study) {
  const std::string id_path = JsonPathChild(ps_path, "identificationModule");
  ASSIGN_OR_RETURN(const Value* idm, GetObject(ps, "identificationModule", ps_path));
  if (idm == nullptr) return JsonError(id_path, "required");
  const std::string nct_path = JsonPathChild(id_path, "nctId");
  ASSIGN_OR_RETURN(std::optional<std::string> nct, GetString(*idm, "nctId", id_path));
  if (!nct.has_value()) return JsonError(nct_path, "required");
  absl::StatusOr<RegistryId> parsed = ParseRegistryId(*nct, nct_path);
  if (!parsed.ok()) return Reanchor(parsed.status(), nct_path);
  if (parsed->registry() != common::v1::REGISTRY_NCT) {
    return JsonError(nct_path, absl::StrCat("\"", *nct, "\" is not an NCT ID"));
  }
  study.nct_id = parsed->id();
  return idm;
}

// The title and the identifiers other than the NCT ID of
// identificationModule (`idm`).
absl::Status ReadIdentification(const Value& idm, const std::string& ps_path, Study& study) {
  const std::string id_path = JsonPathChild(ps_path, "identificationModule");
  ASSIGN_OR_RETURN(std::optional<std::string> title, GetString(idm, "briefTitle", id_path));
  if (title.has_value() && !absl::StripAsciiWhitespace(*title).empty()) study.title = *title;
  for (auto [key, out] : {std::pair{"officialTitle", &study.scientific_title},
                          std::pair{"acronym", &study.acronym}}) {
    ASSIGN_OR_RETURN(std::optional<std::string> value, GetString(idm, key, id_path));
    if (value.has_value() && !absl::StripAsciiWhitespace(*value).empty()) {
      *out = std::string(absl::StripAsciiWhitespace(*value));
    }
  }
  ASSIGN_OR_RETURN(const Value* org, GetObject(idm, "orgStudyIdInfo", id_path));
  if (org != nullptr) {
    const std::string op = JsonPathChild(id_path, "orgStudyIdInfo");
    ASSIGN_OR_RETURN(std::optional<std::string> oid, GetString(*org, "id", op));
    if (oid.has_value() && !oid->empty()) {
      study.other_ids.push_back({*oid, "ORG_STUDY_ID", "", JsonPathChild(op, "id")});
    }
  }
  ASSIGN_OR_RETURN(std::optional<ObjectList> secondary,
                   GetObjectArray(idm, "secondaryIdInfos", id_path));
  for (const auto& [obj, p] : secondary.value_or(ObjectList{})) {
    ASSIGN_OR_RETURN(std::optional<std::string> sid, GetString(*obj, "id", p));
    ASSIGN_OR_RETURN(std::optional<std::string> type, GetString(*obj, "type", p));
    ASSIGN_OR_RETURN(std::optional<std::string> domain, GetString(*obj, "domain", p));
    if (!sid.has_value() || sid->empty()) continue;
    study.other_ids.push_back(
        {*sid, type.value_or("OTHER"), domain.value_or(""), JsonPathChild(p, "id")});
  }
  ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> aliases,
                   GetStringArray(idm, "nctIdAliases", id_path));
  if (aliases.has_value()) {
    const std::string ap = JsonPathChild(id_path, "nctIdAliases");
    for (size_t i = 0; i < aliases->size(); ++i) {
      study.other_ids.push_back({(*aliases)[i], "NCT_ALIAS", "", JsonPathIndex(ap, i)});
    }
  }
  return absl::OkStatus();
}

// derivedSection.miscInfoModule.versionHolder; `derived` is the section.
absl::Status ReadVersion(const Value* derived, const std::string& path, Study& study) {
  if (derived == nullptr) return absl::OkStatus();
  const std::string dp = JsonPathChild(path, "derivedSection");
  ASSIGN_OR_RETURN(const Value* misc, GetObject(*derived, "miscInfoModule", dp));
  if (misc == nullptr) return absl::OkStatus();
  const std::string mp = JsonPathChild(dp, "miscInfoModule");
  ASSIGN_OR_RETURN(std::optional<std::string> holder, GetString(*misc, "versionHolder", mp));
  ASSIGN_OR_RETURN(study.version, ParseDateText(holder, JsonPathChild(mp, "versionHolder")));
  return absl::OkStatus();
}

absl::Status ReadStatusModule(const Value& ps, const std::string& ps_path, Study& study) {
  const std::string sm_path = JsonPathChild(ps_path, "statusModule");
  ASSIGN_OR_RETURN(const Value* sm, GetObject(ps, "statusModule", ps_path));
  if (sm == nullptr) return absl::OkStatus();
  ASSIGN_OR_RETURN(study.status, GetString(*sm, "overallStatus", sm_path));
  study.status_path = JsonPathChild(sm_path, "overallStatus");
  ASSIGN_OR_RETURN(study.start, ReadDate(*sm, "startDateStruct", sm_path, study));
  ASSIGN_OR_RETURN(study.completion, ReadDate(*sm, "completionDateStruct", sm_path, study));
  // First posted: the date ICTRP and the CSV download print as the
  // registration date, so the forms of one study agree.
  ASSIGN_OR_RETURN(std::optional<DateField> posted,
                   ReadDate(*sm, "studyFirstPostDateStruct", sm_path, study));
  if (posted.has_value()) study.registration_date = posted->date;
  return absl::OkStatus();
}

absl::Status ReadSponsors(const Value& ps, const std::string& ps_path, bool complete,
                          Study& study) {
  const std::string sc_path = JsonPathChild(ps_path, "sponsorCollaboratorsModule");
  ASSIGN_OR_RETURN(const Value* sc, GetObject(ps, "sponsorCollaboratorsModule", ps_path));
  if (sc == nullptr) {
    if (complete) study.collaborators.emplace();
    return absl::OkStatus();
  }
  ASSIGN_OR_RETURN(const Value* lead, GetObject(*sc, "leadSponsor", sc_path));
  if (lead != nullptr) {
    ASSIGN_OR_RETURN(study.sponsor, ReadParty(*lead, JsonPathChild(sc_path, "leadSponsor")));
  }
  ASSIGN_OR_RETURN(std::optional<ObjectList> collaborators,
                   GetObjectArray(*sc, "collaborators", sc_path));
  if (collaborators.has_value() || complete) {
    study.collaborators.emplace();
    for (const auto& [obj, p] : collaborators.value_or(ObjectList{})) {
      ASSIGN_OR_RETURN(std::optional<Party> party, ReadParty(*obj, p));
      if (party.has_value()) study.collaborators->push_back(*party);
    }
  }
  return absl::OkStatus();
}

// designModule: phases and enrollment.
absl::Status ReadDesign(const Value& ps, const std::string& ps_path, Study& study) {
  const std::string dm_path = JsonPathChild(ps_path, "designModule");
  ASSIGN_OR_RETURN(const Value* dm, GetObject(ps, "designModule", ps_path));
  if (dm == nullptr) return absl::OkStatus();
  ASSIGN_OR_RETURN(study.study_type, GetString(*dm, "studyType", dm_path));
  if (study.study_type.has_value() && study.study_type->empty()) study.study_type.reset();
  ASSIGN_OR_RETURN(study.phases, GetStringArray(*dm, "phases", dm_path));
  study.phases_path = JsonPathChild(dm_path, "phases");
  const std::string ep = JsonPathChild(dm_path, "enrollmentInfo");
  ASSIGN_OR_RETURN(const Value* enrollment, GetObject(*dm, "enrollmentInfo", dm_path));
  if (enrollment == nullptr) return absl::OkStatus();
  const Value* count = Find(*enrollment, "count");
  if (count == nullptr) return absl::OkStatus();
  const std::string cp = JsonPathChild(ep, "count");
  if (!count->IsInt64()) return TypeError(cp, "an integer", *count);
  const int64_t n = count->GetInt64();
  if (n < 0 || n > INT32_MAX) {
    return JsonError(cp, absl::StrCat(n, " is not a number of participants"));
  }
  study.enrollment = static_cast<int32_t>(n);
  return absl::OkStatus();
}

// Conditions: a list that a full record omits when empty.
absl::Status ReadConditions(const Value& ps, const std::string& ps_path, bool complete,
                            Study& study) {
  const std::string cm_path = JsonPathChild(ps_path, "conditionsModule");
  ASSIGN_OR_RETURN(const Value* cm, GetObject(ps, "conditionsModule", ps_path));
  if (cm != nullptr) {
    ASSIGN_OR_RETURN(study.conditions, GetStringArray(*cm, "conditions", cm_path));
  }
  if (!study.conditions.has_value() && complete) study.conditions.emplace();
  return absl::OkStatus();
}

// Interventions and locations (countries): lists that a full record omits
// when empty.
absl::Status ReadLists(const Value& ps, const std::string& ps_path, bool complete, Study& study) {
  const std::string am_path = JsonPathChild(ps_path, "armsInterventionsModule");
  ASSIGN_OR_RETURN(const Value* am, GetObject(ps, "armsInterventionsModule", ps_path));
  if (am != nullptr) {
    ASSIGN_OR_RETURN(std::optional<ObjectList> interventions,
                     GetObjectArray(*am, "interventions", am_path));
    if (interventions.has_value()) {
      study.interventions.emplace();
      for (const auto& [obj, p] : *interventions) {
        ASSIGN_OR_RETURN(std::optional<std::string> name, GetString(*obj, "name", p));
        ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> other,
                         GetStringArray(*obj, "otherNames", p));
        ASSIGN_OR_RETURN(std::optional<std::string> description, GetString(*obj, "description", p));
        if (!name.has_value() || absl::StripAsciiWhitespace(*name).empty()) continue;
        study.interventions->push_back({std::string(absl::StripAsciiWhitespace(*name)),
                                        other.value_or(std::vector<std::string>{}),
                                        description.value_or("")});
      }
    }
  }
  if (!study.interventions.has_value() && complete) study.interventions.emplace();

  const std::string lm_path = JsonPathChild(ps_path, "contactsLocationsModule");
  ASSIGN_OR_RETURN(const Value* lm, GetObject(ps, "contactsLocationsModule", ps_path));
  if (lm != nullptr) {
    ASSIGN_OR_RETURN(std::optional<ObjectList> locations,
                     GetObjectArray(*lm, "locations", lm_path));
    if (locations.has_value()) {
      study.locations.emplace();
      for (const auto& [obj, p] : *locations) {
        ASSIGN_OR_RETURN(std::optional<std::string> country, GetString(*obj, "country", p));
        if (country.has_value() && !country->empty()) {
          study.locations->push_back({*country, JsonPathChild(p, "country")});
        }
      }
    }
  }
  if (!study.locations.has_value() && complete) study.locations.emplace();
  return absl::OkStatus();
}

// The text the trial classifier reads, when the record states its
// interventions: the titles, each intervention (other names appended after
// " / ", as the labelled sample in tests/fixtures/classification has them)
// with its description, conditions, keywords and the brief summary.
absl::Status ReadClassificationText(const Value& ps, const std::string& ps_path, const Value& idm,
                                    Study& study) {
  if (!study.interventions.has_value()) return absl::OkStatus();
  classification::TrialText& text = study.text.emplace();
  text.title = study.title.value_or("");
  const std::string id_path = JsonPathChild(ps_path, "identificationModule");
  ASSIGN_OR_RETURN(std::optional<std::string> official, GetString(idm, "officialTitle", id_path));
  text.scientific_title = official.value_or("");
  for (const Intervention& i : *study.interventions) {
    std::string name = i.name;
    for (const std::string& other : i.other_names) absl::StrAppend(&name, " / ", other);
    text.interventions.push_back({std::move(name), i.description});
  }
  text.conditions = study.conditions.value_or(std::vector<std::string>{});
  ASSIGN_OR_RETURN(const Value* cm, GetObject(ps, "conditionsModule", ps_path));
  if (cm != nullptr) {
    ASSIGN_OR_RETURN(std::optional<std::vector<std::string>> keywords,
                     GetStringArray(*cm, "keywords", JsonPathChild(ps_path, "conditionsModule")));
    text.keywords = keywords.value_or(std::vector<std::string>{});
  }
  ASSIGN_OR_RETURN(const Value* dm, GetObject(ps, "descriptionModule", ps_path));
  if (dm != nullptr) {
    ASSIGN_OR_RETURN(std::optional<std::string> summary,
                     GetString(*dm, "briefSummary", JsonPathChild(ps_path, "descriptionModule")));
    text.summary = summary.value_or("");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Study> ReadStudy(const Value& root, const std::string& path) {
  Study study;
  study.path = path;
  const std::string ps_path = JsonPathChild(path, "protocolSection");
  ASSIGN_OR_RETURN(const Value* ps, GetObject(root, "protocolSection", path));
  if (ps == nullptr) return JsonError(ps_path, "required");
  ASSIGN_OR_RETURN(const Value* idm, ReadNctId(*ps, ps_path, study));
  ASSIGN_OR_RETURN(const Value* derived, GetObject(root, "derivedSection", path));
  RETURN_IF_ERROR(ReadVersion(derived, path, study));
  // A full record (GET /studies/{id} without `fields=`) always has these;
  // then an absent list means an empty one, not an unselected field.
  const Value* has_results = Find(root, "hasResults");
  if (has_results != nullptr && !has_results->IsBool()) {
    return TypeError(JsonPathChild(path, "hasResults"), "a boolean", *has_results);
  }
  const bool complete = has_results != nullptr && derived != nullptr;
  RETURN_IF_ERROR(ReadIdentification(*idm, ps_path, study));
  RETURN_IF_ERROR(ReadStatusModule(*ps, ps_path, study));
  RETURN_IF_ERROR(ReadSponsors(*ps, ps_path, complete, study));
  RETURN_IF_ERROR(ReadConditions(*ps, ps_path, complete, study));
  RETURN_IF_ERROR(ReadDesign(*ps, ps_path, study));
  RETURN_IF_ERROR(ReadLists(*ps, ps_path, complete, study));
  RETURN_IF_ERROR(ReadClassificationText(*ps, ps_path, *idm, study));
  return study;
}

ParsedStudy ParseStudy(const Value& root, const std::string& path) {
  ParsedStudy out;
  out.path = path;
  absl::StatusOr<Study> study = ReadStudy(root, path);
  if (study.ok()) {
    out.study = *std::move(study);
    return out;
  }
  StudyRejection& r = out.rejection.emplace();
  auto where = study.status().GetPayload(kPathPayload);
  r.problem_path = where.has_value() ? std::string(*where) : path;
  absl::string_view message = study.status().message();
  if (absl::StartsWith(message, r.problem_path + ": ")) {
    message.remove_prefix(r.problem_path.size() + 2);
  }
  r.message = std::string(message);
  // The NCT ID, when it is readable, names the record in the report.
  if (const Value* ps = Find(root, "protocolSection"); ps != nullptr && ps->IsObject()) {
    if (const Value* idm = Find(*ps, "identificationModule"); idm != nullptr && idm->IsObject()) {
      if (const Value* id = Find(*idm, "nctId"); id != nullptr && id->IsString()) {
        r.nct_id = id->GetString();
      }
    }
  }
  return out;
}

}  // namespace regenatlas::catalog::ctgov
