#include "services/catalog/ctgov_import.h"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/base/const_init.h"
#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "common/dates.h"
#include "common/records.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/message_differencer.h"
#include "rapidjson/document.h"
#include "services/catalog/ctgov_countries.h"
#include "services/catalog/ctgov_json.h"
#include "services/catalog/registry_id.h"
#include "services/catalog/text.h"

namespace regenatlas::catalog {
namespace {

using common::v1::DevelopmentStage;
using common::v1::PartialDate;
using common::v1::RegistryId;
using common::v1::SourceCitation;
using rapidjson::Value;
using v1::ImportOutcome;
using v1::ImportProblemSeverity;

constexpr absl::string_view kCtgovSourcePrefix = "sources/ctgov-";
constexpr absl::string_view kStudyUri = "https://clinicaltrials.gov/study/";
// Mapping errors carry the JSON path of the offending value as a payload,
// so that problems list path and message separately.
constexpr absl::string_view kPathPayload = "type.regenatlas/import.JsonPath";

// Imports in one process run one at a time: each record is a
// read-modify-write of a trial and of the importer's name indexes.
ABSL_CONST_INIT absl::Mutex g_import_mu(absl::kConstInit);

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
  absl::StatusOr<const Value*> array = GetArray(obj, key, path);
  if (!array.ok()) return array.status();
  if (*array == nullptr) return std::nullopt;
  std::vector<std::string> out;
  const std::string base = JsonPathChild(path, key);
  for (rapidjson::SizeType i = 0; i < (*array)->Size(); ++i) {
    const Value& e = (**array)[i];
    if (!e.IsString()) return TypeError(JsonPathIndex(base, i), "a string", e);
    out.emplace_back(e.GetString(), e.GetStringLength());
  }
  return out;
}

// The elements of array `key`, each required to be an object.
absl::StatusOr<std::optional<std::vector<std::pair<const Value*, std::string>>>> GetObjectArray(
    const Value& obj, const char* key, const std::string& path) {
  absl::StatusOr<const Value*> array = GetArray(obj, key, path);
  if (!array.ok()) return array.status();
  if (*array == nullptr) return std::nullopt;
  std::vector<std::pair<const Value*, std::string>> out;
  const std::string base = JsonPathChild(path, key);
  for (rapidjson::SizeType i = 0; i < (*array)->Size(); ++i) {
    const Value& e = (**array)[i];
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

// ---- The record, as read ---------------------------------------------------

struct Party {
  std::string name;
  std::string cls;
  std::string path;
};

struct DateField {
  PartialDate date;
  bool estimated = false;
};

struct Intervention {
  std::string name;
  std::vector<std::string> other_names;
};

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

// What one record states, with presence: an absent optional means the
// record does not say (a `fields=` selection may leave modules out).
struct Study {
  std::string path;
  std::string nct_id;
  std::optional<PartialDate> version;
  std::optional<std::string> title;
  std::vector<OtherId> other_ids;  // org study ID, secondary IDs, NCT aliases
  std::optional<std::vector<std::string>> phases;
  std::string phases_path;
  std::optional<std::string> status;
  std::string status_path;
  std::optional<DateField> start;
  std::optional<DateField> completion;
  std::optional<int32_t> enrollment;
  std::optional<std::vector<std::string>> conditions;
  std::optional<std::vector<Location>> locations;
  std::optional<Party> sponsor;
  std::optional<std::vector<Party>> collaborators;
  std::optional<std::vector<Intervention>> interventions;
  std::vector<Warning> warnings;
};

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
  absl::StatusOr<const Value*> obj = GetObject(module, key, path);
  if (!obj.ok()) return obj.status();
  if (*obj == nullptr) return std::nullopt;
  const std::string p = JsonPathChild(path, key);
  absl::StatusOr<std::optional<std::string>> text = GetString(**obj, "date", p);
  if (!text.ok()) return text.status();
  absl::StatusOr<std::optional<PartialDate>> date = ParseDateText(*text, JsonPathChild(p, "date"));
  if (!date.ok()) return date.status();
  if (!date->has_value()) return std::nullopt;
  absl::StatusOr<std::optional<std::string>> type = GetString(**obj, "type", p);
  if (!type.ok()) return type.status();
  DateField out;
  out.date = **date;
  // No type (records cut down by `fields=`) reads as actual, like ACTUAL.
  if (type->has_value()) {
    if (**type == "ESTIMATED" || **type == "ANTICIPATED") {
      out.estimated = true;
    } else if (**type != "ACTUAL") {
      study.warnings.push_back({JsonPathChild(p, "type"),
                                absl::StrCat("unknown date type \"", **type,
                                             "\" (known: ACTUAL, ESTIMATED); read as ACTUAL")});
    }
  }
  return out;
}

absl::StatusOr<std::optional<Party>> ReadParty(const Value& obj, const std::string& path) {
  absl::StatusOr<std::optional<std::string>> name = GetString(obj, "name", path);
  if (!name.ok()) return name.status();
  absl::StatusOr<std::optional<std::string>> cls = GetString(obj, "class", path);
  if (!cls.ok()) return cls.status();
  std::string n(absl::StripAsciiWhitespace(name->value_or("")));
  if (n.empty()) return std::nullopt;
  return Party{n, cls->value_or(""), path};
}

#define ASSIGN_OR_RETURN_CT(lhs, expr)          \
  auto lhs##_or = (expr);                       \
  if (!lhs##_or.ok()) return lhs##_or.status(); \
  auto lhs = *std::move(lhs##_or)

// Reads one study. Type errors and unparseable IDs or dates fail with the
// JSON path of the value; unknown enum values become warnings later.
absl::StatusOr<Study> ReadStudy(const Value& root, const std::string& path) {
  Study study;
  study.path = path;
  const std::string ps_path = JsonPathChild(path, "protocolSection");
  ASSIGN_OR_RETURN_CT(ps, GetObject(root, "protocolSection", path));
  if (ps == nullptr) return JsonError(ps_path, "required");
  const std::string id_path = JsonPathChild(ps_path, "identificationModule");
  ASSIGN_OR_RETURN_CT(idm, GetObject(*ps, "identificationModule", ps_path));
  if (idm == nullptr) return JsonError(id_path, "required");
  const std::string nct_path = JsonPathChild(id_path, "nctId");
  ASSIGN_OR_RETURN_CT(nct, GetString(*idm, "nctId", id_path));
  if (!nct.has_value()) return JsonError(nct_path, "required");
  absl::StatusOr<RegistryId> parsed = ParseRegistryId(*nct, nct_path);
  if (!parsed.ok()) return Reanchor(parsed.status(), nct_path);
  if (parsed->registry() != common::v1::REGISTRY_NCT) {
    return JsonError(nct_path, absl::StrCat("\"", *nct, "\" is not an NCT ID"));
  }
  study.nct_id = parsed->id();

  // Version: derivedSection.miscInfoModule.versionHolder.
  ASSIGN_OR_RETURN_CT(derived, GetObject(root, "derivedSection", path));
  if (derived != nullptr) {
    const std::string dp = JsonPathChild(path, "derivedSection");
    ASSIGN_OR_RETURN_CT(misc, GetObject(*derived, "miscInfoModule", dp));
    if (misc != nullptr) {
      const std::string mp = JsonPathChild(dp, "miscInfoModule");
      ASSIGN_OR_RETURN_CT(holder, GetString(*misc, "versionHolder", mp));
      ASSIGN_OR_RETURN_CT(version, ParseDateText(holder, JsonPathChild(mp, "versionHolder")));
      study.version = version;
    }
  }
  // A full record (GET /studies/{id} without `fields=`) always has these;
  // then an absent list means an empty one, not an unselected field.
  const Value* has_results = Find(root, "hasResults");
  if (has_results != nullptr && !has_results->IsBool()) {
    return TypeError(JsonPathChild(path, "hasResults"), "a boolean", *has_results);
  }
  const bool complete = has_results != nullptr && derived != nullptr;

  // Identification.
  ASSIGN_OR_RETURN_CT(title, GetString(*idm, "briefTitle", id_path));
  if (title.has_value() && !absl::StripAsciiWhitespace(*title).empty()) study.title = *title;
  ASSIGN_OR_RETURN_CT(org, GetObject(*idm, "orgStudyIdInfo", id_path));
  if (org != nullptr) {
    const std::string op = JsonPathChild(id_path, "orgStudyIdInfo");
    ASSIGN_OR_RETURN_CT(oid, GetString(*org, "id", op));
    if (oid.has_value() && !oid->empty()) {
      study.other_ids.push_back({*oid, "ORG_STUDY_ID", "", JsonPathChild(op, "id")});
    }
  }
  ASSIGN_OR_RETURN_CT(secondary, GetObjectArray(*idm, "secondaryIdInfos", id_path));
  if (secondary.has_value()) {
    for (const auto& [obj, p] : *secondary) {
      ASSIGN_OR_RETURN_CT(sid, GetString(*obj, "id", p));
      ASSIGN_OR_RETURN_CT(type, GetString(*obj, "type", p));
      ASSIGN_OR_RETURN_CT(domain, GetString(*obj, "domain", p));
      if (!sid.has_value() || sid->empty()) continue;
      study.other_ids.push_back(
          {*sid, type.value_or("OTHER"), domain.value_or(""), JsonPathChild(p, "id")});
    }
  }
  ASSIGN_OR_RETURN_CT(aliases, GetStringArray(*idm, "nctIdAliases", id_path));
  if (aliases.has_value()) {
    const std::string ap = JsonPathChild(id_path, "nctIdAliases");
    for (size_t i = 0; i < aliases->size(); ++i) {
      study.other_ids.push_back({(*aliases)[i], "NCT_ALIAS", "", JsonPathIndex(ap, i)});
    }
  }

  // Status and dates.
  const std::string sm_path = JsonPathChild(ps_path, "statusModule");
  ASSIGN_OR_RETURN_CT(sm, GetObject(*ps, "statusModule", ps_path));
  if (sm != nullptr) {
    ASSIGN_OR_RETURN_CT(status, GetString(*sm, "overallStatus", sm_path));
    study.status = status;
    study.status_path = JsonPathChild(sm_path, "overallStatus");
    ASSIGN_OR_RETURN_CT(start, ReadDate(*sm, "startDateStruct", sm_path, study));
    study.start = start;
    ASSIGN_OR_RETURN_CT(completion, ReadDate(*sm, "completionDateStruct", sm_path, study));
    study.completion = completion;
  }

  // Sponsor and collaborators.
  const std::string sc_path = JsonPathChild(ps_path, "sponsorCollaboratorsModule");
  ASSIGN_OR_RETURN_CT(sc, GetObject(*ps, "sponsorCollaboratorsModule", ps_path));
  if (sc != nullptr) {
    ASSIGN_OR_RETURN_CT(lead, GetObject(*sc, "leadSponsor", sc_path));
    if (lead != nullptr) {
      ASSIGN_OR_RETURN_CT(party, ReadParty(*lead, JsonPathChild(sc_path, "leadSponsor")));
      study.sponsor = party;
    }
    ASSIGN_OR_RETURN_CT(collaborators, GetObjectArray(*sc, "collaborators", sc_path));
    if (collaborators.has_value() || complete) {
      study.collaborators.emplace();
      for (const auto& [obj, p] : collaborators.value_or(decltype(collaborators)::value_type{})) {
        ASSIGN_OR_RETURN_CT(party, ReadParty(*obj, p));
        if (party.has_value()) study.collaborators->push_back(*party);
      }
    }
  } else if (complete) {
    study.collaborators.emplace();
  }

  // Conditions.
  const std::string cm_path = JsonPathChild(ps_path, "conditionsModule");
  ASSIGN_OR_RETURN_CT(cm, GetObject(*ps, "conditionsModule", ps_path));
  if (cm != nullptr) {
    ASSIGN_OR_RETURN_CT(conditions, GetStringArray(*cm, "conditions", cm_path));
    study.conditions = conditions;
  }
  if (!study.conditions.has_value() && complete) study.conditions.emplace();

  // Design: phases and enrollment.
  const std::string dm_path = JsonPathChild(ps_path, "designModule");
  ASSIGN_OR_RETURN_CT(dm, GetObject(*ps, "designModule", ps_path));
  if (dm != nullptr) {
    ASSIGN_OR_RETURN_CT(phases, GetStringArray(*dm, "phases", dm_path));
    study.phases = phases;
    study.phases_path = JsonPathChild(dm_path, "phases");
    const std::string ep = JsonPathChild(dm_path, "enrollmentInfo");
    ASSIGN_OR_RETURN_CT(enrollment, GetObject(*dm, "enrollmentInfo", dm_path));
    if (enrollment != nullptr) {
      const Value* count = Find(*enrollment, "count");
      if (count != nullptr) {
        const std::string cp = JsonPathChild(ep, "count");
        if (!count->IsInt64()) return TypeError(cp, "an integer", *count);
        const int64_t n = count->GetInt64();
        if (n < 0 || n > INT32_MAX) {
          return JsonError(cp, absl::StrCat(n, " is not a number of participants"));
        }
        study.enrollment = static_cast<int32_t>(n);
      }
    }
  }

  // Interventions.
  const std::string am_path = JsonPathChild(ps_path, "armsInterventionsModule");
  ASSIGN_OR_RETURN_CT(am, GetObject(*ps, "armsInterventionsModule", ps_path));
  if (am != nullptr) {
    ASSIGN_OR_RETURN_CT(interventions, GetObjectArray(*am, "interventions", am_path));
    if (interventions.has_value()) {
      study.interventions.emplace();
      for (const auto& [obj, p] : *interventions) {
        ASSIGN_OR_RETURN_CT(name, GetString(*obj, "name", p));
        ASSIGN_OR_RETURN_CT(other, GetStringArray(*obj, "otherNames", p));
        if (!name.has_value() || absl::StripAsciiWhitespace(*name).empty()) continue;
        study.interventions->push_back({std::string(absl::StripAsciiWhitespace(*name)),
                                        other.value_or(std::vector<std::string>{})});
      }
    }
  }
  if (!study.interventions.has_value() && complete) study.interventions.emplace();

  // Locations → countries.
  const std::string lm_path = JsonPathChild(ps_path, "contactsLocationsModule");
  ASSIGN_OR_RETURN_CT(lm, GetObject(*ps, "contactsLocationsModule", ps_path));
  if (lm != nullptr) {
    ASSIGN_OR_RETURN_CT(locations, GetObjectArray(*lm, "locations", lm_path));
    if (locations.has_value()) {
      study.locations.emplace();
      for (const auto& [obj, p] : *locations) {
        ASSIGN_OR_RETURN_CT(country, GetString(*obj, "country", p));
        if (country.has_value() && !country->empty()) {
          study.locations->push_back({*country, JsonPathChild(p, "country")});
        }
      }
    }
  }
  if (!study.locations.has_value() && complete) study.locations.emplace();
  return study;
}

#undef ASSIGN_OR_RETURN_CT

// ---- Values and names ------------------------------------------------------

std::string StageName(DevelopmentStage s) { return common::v1::DevelopmentStage_Name(s); }

std::string StatusName(v1::TrialStatus s) { return v1::TrialStatus_Name(s); }

bool IsCtgovSource(absl::string_view source) {
  return absl::StartsWith(source, kCtgovSourcePrefix);
}

// Lower-case ASCII slug of a name for a resource id: accents folded,
// everything else outside [a-z0-9] a single '-'; at most 63 chars, cut at a
// hyphen when possible.
std::string Slug(absl::string_view name) {
  static const auto* folds = new std::map<std::string, char>{
      {"à", 'a'}, {"á", 'a'}, {"â", 'a'}, {"ã", 'a'}, {"ä", 'a'}, {"å", 'a'}, {"ç", 'c'},
      {"è", 'e'}, {"é", 'e'}, {"ê", 'e'}, {"ë", 'e'}, {"ì", 'i'}, {"í", 'i'}, {"î", 'i'},
      {"ï", 'i'}, {"ñ", 'n'}, {"ò", 'o'}, {"ó", 'o'}, {"ô", 'o'}, {"õ", 'o'}, {"ö", 'o'},
      {"ø", 'o'}, {"ù", 'u'}, {"ú", 'u'}, {"û", 'u'}, {"ü", 'u'}, {"ý", 'y'}, {"ÿ", 'y'},
      {"À", 'a'}, {"Á", 'a'}, {"Â", 'a'}, {"Ä", 'a'}, {"Å", 'a'}, {"Ç", 'c'}, {"È", 'e'},
      {"É", 'e'}, {"Ê", 'e'}, {"Í", 'i'}, {"Î", 'i'}, {"Ñ", 'n'}, {"Ó", 'o'}, {"Ô", 'o'},
      {"Ö", 'o'}, {"Ø", 'o'}, {"Ú", 'u'}, {"Ü", 'u'}, {"ß", 's'}};
  std::string out;
  bool dash = false;
  for (size_t i = 0; i < name.size();) {
    const unsigned char c = static_cast<unsigned char>(name[i]);
    char mapped = 0;
    size_t len = 1;
    if (c < 0x80) {
      if (absl::ascii_isalnum(c)) mapped = absl::ascii_tolower(c);
    } else {
      len = (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
      auto it = folds->find(std::string(name.substr(i, len)));
      if (it != folds->end()) mapped = it->second;
    }
    i += len;
    if (mapped == 0) {
      dash = !out.empty();
      continue;
    }
    if (dash) out.push_back('-');
    dash = false;
    out.push_back(mapped);
  }
  if (out.size() > 63) {
    out.resize(63);
    const size_t cut = out.rfind('-');
    if (cut != std::string::npos && cut >= 32) out.resize(cut);
    while (!out.empty() && out.back() == '-') out.pop_back();
  }
  return out;
}

v1::OrganizationKind KindOfClass(absl::string_view cls) {
  if (cls == "INDUSTRY") return v1::ORGANIZATION_KIND_COMPANY;
  if (cls == "NIH" || cls == "FED" || cls == "OTHER_GOV") return v1::ORGANIZATION_KIND_GOVERNMENT;
  // OTHER (universities, hospitals, foundations alike), INDIV, NETWORK,
  // AMBIG and UNKNOWN do not say which kind.
  return v1::ORGANIZATION_KIND_UNSPECIFIED;
}

// Top-level fields of the trial that differ, without bookkeeping fields.
std::vector<std::string> DataFieldsChanged(const Trial& before, const Trial& after) {
  static const auto* skip = new std::set<std::string>{"name",        "etag",    "create_time",
                                                      "update_time", "sources", "revisions"};
  std::vector<std::string> out;
  const google::protobuf::Descriptor* d = Trial::descriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    if (skip->count(f->name())) continue;
    google::protobuf::util::MessageDifferencer diff;
    std::vector<const google::protobuf::FieldDescriptor*> fields = {f};
    if (!diff.CompareWithFields(before, after, fields, fields)) out.push_back(f->name());
  }
  return out;
}

template <typename Repeated>
bool Contains(const Repeated& r, const std::string& v) {
  return std::find(r.begin(), r.end(), v) != r.end();
}

}  // namespace

// ---- Public helpers -----------------------------------------------------------

CtgovPhase MapCtgovPhases(const std::vector<std::string>& phases) {
  static const auto* known =
      new std::set<std::string>{"EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA"};
  CtgovPhase out;
  out.text = absl::StrJoin(phases, "/");
  std::set<std::string> set;
  for (const std::string& p : phases) {
    if (!known->count(p)) {
      out.unknown.push_back(p);
    } else {
      set.insert(p);
    }
  }
  if (!out.unknown.empty() || set.empty()) return out;
  using S = std::set<std::string>;
  if (set == S{"EARLY_PHASE1"}) {
    out.stage = common::v1::DEVELOPMENT_STAGE_EARLY_PHASE_1;
  } else if (set == S{"PHASE1"}) {
    out.stage = common::v1::DEVELOPMENT_STAGE_PHASE_1;
  } else if (set == S{"PHASE1", "PHASE2"}) {
    out.stage = common::v1::DEVELOPMENT_STAGE_PHASE_1_2;
  } else if (set == S{"PHASE2"}) {
    out.stage = common::v1::DEVELOPMENT_STAGE_PHASE_2;
  } else if (set == S{"PHASE2", "PHASE3"}) {
    out.stage = common::v1::DEVELOPMENT_STAGE_PHASE_2_3;
  } else if (set == S{"PHASE3"}) {
    out.stage = common::v1::DEVELOPMENT_STAGE_PHASE_3;
  } else if (set != S{"PHASE4"} && set != S{"NA"}) {
    out.unusual = true;
  }
  return out;
}

bool MapCtgovStatus(absl::string_view status, v1::TrialStatus* out) {
  static const auto* map = new std::map<std::string, v1::TrialStatus>{
      {"NOT_YET_RECRUITING", v1::TRIAL_STATUS_NOT_YET_RECRUITING},
      {"RECRUITING", v1::TRIAL_STATUS_RECRUITING},
      {"ENROLLING_BY_INVITATION", v1::TRIAL_STATUS_ENROLLING_BY_INVITATION},
      {"ACTIVE_NOT_RECRUITING", v1::TRIAL_STATUS_ACTIVE_NOT_RECRUITING},
      {"COMPLETED", v1::TRIAL_STATUS_COMPLETED},
      {"SUSPENDED", v1::TRIAL_STATUS_SUSPENDED},
      {"TERMINATED", v1::TRIAL_STATUS_TERMINATED},
      {"WITHDRAWN", v1::TRIAL_STATUS_WITHDRAWN},
      {"UNKNOWN", v1::TRIAL_STATUS_UNKNOWN},
  };
  auto it = map->find(std::string(status));
  if (it == map->end()) return false;
  *out = it->second;
  return true;
}

std::string CtgovSourceId(absl::string_view nct_id, const PartialDate& version) {
  std::string id = absl::StrCat("ctgov-", absl::AsciiStrToLower(nct_id));
  if (IsSet(version)) absl::StrAppend(&id, "-", FormatPartialDate(version));
  return id;
}

// ---- The importer -----------------------------------------------------------------

class CtgovImporter::Impl {
 public:
  Impl(Catalog* catalog, CtgovImportOptions options)
      : catalog_(catalog), options_(std::move(options)) {}

  absl::Status LoadNames() {
    absl::Status s = catalog_->organizations().ScanAll(
        nullptr, [this](absl::string_view id, absl::string_view bytes) {
          Organization o;
          if (!o.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return true;
          AddOrgNames(o);
          return true;
        });
    if (!s.ok()) return s;
    return catalog_->products().ScanAll(
        nullptr, [this](absl::string_view id, absl::string_view bytes) {
          Product p;
          if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return true;
          std::set<std::string> names = {NormalizeForSearch(p.display_name())};
          for (const auto& n : p.names()) names.insert(NormalizeForSearch(n.text()));
          for (const std::string& n : names) {
            // Very short names ("NK") would link unrelated interventions.
            if (n.size() >= 3) products_by_name_[n].push_back(p.name());
          }
          return true;
        });
  }

  absl::Status ImportFile(const std::string& path) {
    absl::MutexLock lock(&g_import_mu);
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    Sink sink(this, path, ec ? 0 : static_cast<int64_t>(size));
    summary_.set_files(summary_.files() + 1);
    absl::StatusOr<CtgovFileInfo> info = ReadCtgovFile(path, sink);
    if (!info.ok()) return info.status();
    if (info->total_count.has_value())
      summary_.set_total_count(static_cast<int32_t>(*info->total_count));
    return absl::OkStatus();
  }

  absl::Status ImportJson(absl::string_view file_name, absl::string_view json) {
    absl::MutexLock lock(&g_import_mu);
    Sink sink(this, std::string(file_name), static_cast<int64_t>(json.size()));
    summary_.set_files(summary_.files() + 1);
    absl::StatusOr<CtgovFileInfo> info = ReadCtgovJson(json, sink);
    if (!info.ok()) return info.status();
    if (info->total_count.has_value())
      summary_.set_total_count(static_cast<int32_t>(*info->total_count));
    return absl::OkStatus();
  }

  absl::Status Sync() { return catalog_->trials().store()->Flush(); }

  const v1::ImportClinicalTrialsResponse& Summary() {
    auto* list = summary_.mutable_unmatched_interventions();
    std::stable_sort(list->begin(), list->end(), [](const auto& a, const auto& b) {
      return a.records() != b.records() ? a.records() > b.records() : a.name() < b.name();
    });
    unmatched_index_.clear();
    for (int i = 0; i < list->size(); ++i) unmatched_index_[(*list)[i].name()] = i;
    return summary_;
  }

 private:
  // Receives the reader's events for one file.
  class Sink : public CtgovJsonSink {
   public:
    Sink(Impl* impl, std::string file, int64_t size)
        : impl_(impl), file_(std::move(file)), size_(size) {}
    absl::Status OnStudy(const std::string& path, const Value& study) override {
      return impl_->OnStudy(file_, path, study);
    }
    void OnBadRecord(const std::string& record_path, const std::string& problem_path,
                     const std::string& nct_id, const std::string& message) override {
      impl_->CountRecord();
      impl_->Reject(file_, record_path, nct_id, problem_path, message);
    }
    void OnFileProblem(bool error, const std::string& path, const std::string& message) override {
      impl_->Problem(
          error ? v1::IMPORT_PROBLEM_SEVERITY_ERROR : v1::IMPORT_PROBLEM_SEVERITY_WARNING, file_,
          path, "", message);
    }
    void OnProgress(int64_t bytes_read) override {
      if (impl_->options_.progress)
        impl_->options_.progress(file_, bytes_read, size_, impl_->summary_);
    }

   private:
    Impl* const impl_;
    const std::string file_;
    const int64_t size_;
  };

  // A new organization to create with the trial that references it.
  struct OrgPlan {
    std::string id;
    std::string normalized;
    Organization org;
  };

  // What applying a record to a trial needs to know.
  struct ApplyContext {
    // The trial has citations of other sources (curated data): scalar
    // disagreements become claims, lists are merged, not replaced.
    bool curated = false;
    // An unversioned record over a trial holding a versioned import: fill
    // in what is missing only.
    bool fill_only = false;
    // Fields an earlier import changed (their values come from the registry).
    std::set<std::string> from_import;
    std::optional<SourceCitation> curated_citation;
    SourceCitation citation;
  };

  void CountRecord() { summary_.set_records(summary_.records() + 1); }

  void Problem(ImportProblemSeverity severity, const std::string& file, const std::string& path,
               const std::string& nct_id, const std::string& message) {
    v1::ImportProblem* p = summary_.add_problems();
    p->set_severity(severity);
    p->set_file(file);
    p->set_path(path);
    p->set_message(message);
    p->set_nct_id(nct_id);
  }

  void Reject(const std::string& file, const std::string& record_path, const std::string& nct_id,
              const std::string& problem_path, const std::string& message) {
    summary_.set_rejected(summary_.rejected() + 1);
    Problem(v1::IMPORT_PROBLEM_SEVERITY_ERROR, file, problem_path, nct_id, message);
    if (options_.record_details) {
      v1::ImportedRecord* r = summary_.add_results();
      r->set_file(file);
      r->set_path(record_path);
      r->set_nct_id(nct_id);
      r->set_outcome(v1::IMPORT_OUTCOME_REJECTED);
      r->set_reason(absl::StrCat(problem_path, ": ", message));
    }
  }

  static std::set<std::string> NamesOf(const Organization& o) {
    std::set<std::string> names = {NormalizeForSearch(o.display_name())};
    for (const auto& n : o.names()) names.insert(NormalizeForSearch(n.text()));
    return names;
  }

  void AddOrgNames(const Organization& o) {
    for (const std::string& n : NamesOf(o)) {
      // The first organization (in id order) keeps an ambiguous name.
      if (!n.empty()) org_by_name_.emplace(n, o.name());
    }
  }

  // The organization named `party`: an existing one whose display name or
  // alias matches, one planned for this record, or a new plan.
  absl::StatusOr<std::string> ResolveOrg(const Party& party, const std::string& file,
                                         const SourceCitation& citation,
                                         std::vector<OrgPlan>& plans) {
    const std::string normalized = NormalizeForSearch(party.name);
    if (auto it = org_by_name_.find(normalized); !normalized.empty() && it != org_by_name_.end()) {
      return it->second;
    }
    for (const OrgPlan& p : plans) {
      if (p.normalized == normalized) return p.org.name();
    }
    std::string base = Slug(party.name);
    if (base.empty()) base = absl::StrFormat("org-%016x", std::hash<std::string>()(party.name));
    std::string id = base;
    for (int n = 2;; ++n) {
      Organization holder;
      absl::StatusOr<bool> taken = catalog_->organizations().FindRaw(id, &holder);
      if (!taken.ok()) return taken.status();
      // Created since the names were read (another import, the API).
      if (*taken && NamesOf(holder).count(normalized)) {
        AddOrgNames(holder);
        return holder.name();
      }
      const bool planned =
          std::any_of(plans.begin(), plans.end(), [&](const OrgPlan& p) { return p.id == id; });
      if (!*taken && !planned) break;
      std::string suffix = absl::StrCat("-", n);
      id = absl::StrCat(base.substr(0, 63 - suffix.size()), suffix);
    }
    OrgPlan plan;
    plan.id = id;
    plan.normalized = normalized;
    plan.org.set_name(catalog_->organizations().NameOf(id));
    plan.org.set_display_name(party.name);
    plan.org.set_kind(KindOfClass(party.cls));
    SourceCitation* c = plan.org.add_sources();
    *c = citation;
    c->set_locator(absl::StrCat(file, ": ", party.path));
    c->set_quote(party.name);
    plans.push_back(std::move(plan));
    return plans.back().org.name();
  }

  // The trial that owns registry ID `id`, if any.
  absl::StatusOr<std::optional<std::string>> OwnerOf(const std::string& id) {
    absl::StatusOr<v1::ResolveRegistryIdResponse> r = catalog_->ResolveRegistryId(id);
    if (!r.ok()) return r.status();
    if (r->trial().empty()) return std::nullopt;
    return r->trial();
  }

  static bool HasClaim(const Trial& t, absl::string_view field, bool ctgov) {
    return std::any_of(t.claims().begin(), t.claims().end(), [&](const common::v1::Claim& c) {
      return c.field() == field && IsCtgovSource(c.citation().source()) == ctgov;
    });
  }

  // Whether to write a scalar field the record states as `new_text`; on
  // curated trials, records the registry's statement (and the curated value
  // it replaces) as claims so that disagreements stay visible.
  bool ShouldSet(Trial& t, const ApplyContext& ctx, absl::string_view field, bool stored_set,
                 const std::string& stored_text, const std::string& new_text) {
    if (ctx.fill_only && stored_set) return false;
    const bool differs = !stored_set || stored_text != new_text;
    if (!ctx.curated) return differs;
    bool curated_claim = HasClaim(t, field, false);
    if (stored_set && differs && !curated_claim && !ctx.from_import.count(std::string(field)) &&
        ctx.curated_citation.has_value()) {
      common::v1::Claim* c = t.add_claims();
      c->set_field(std::string(field));
      c->set_value(stored_text);
      *c->mutable_citation() = *ctx.curated_citation;
      curated_claim = true;
    }
    if (curated_claim) {
      // One registry claim per field, replaced in place when its value
      // changes, so that re-imports leave claims as they are.
      auto* claims = t.mutable_claims();
      bool kept = false;
      for (int i = 0; i < claims->size();) {
        common::v1::Claim& c = (*claims)[i];
        if (c.field() != field || !IsCtgovSource(c.citation().source())) {
          ++i;
          continue;
        }
        if (kept) {
          claims->erase(claims->begin() + i);
          continue;
        }
        kept = true;
        if (c.value() != new_text) {
          c.set_value(new_text);
          *c.mutable_citation() = ctx.citation;
        }
        ++i;
      }
      if (!kept) {
        common::v1::Claim* c = t.add_claims();
        c->set_field(std::string(field));
        c->set_value(new_text);
        *c->mutable_citation() = ctx.citation;
      }
    }
    return differs;
  }

  // Lists: replaced on registry-only trials, merged into curated ones.
  static void ApplyList(const ApplyContext& ctx,
                        google::protobuf::RepeatedPtrField<std::string>* stored,
                        const std::vector<std::string>& values) {
    if (ctx.fill_only && !stored->empty()) return;
    if (ctx.curated) {
      for (const std::string& v : values) {
        if (!Contains(*stored, v)) stored->Add()->assign(v);
      }
      return;
    }
    if (std::equal(stored->begin(), stored->end(), values.begin(), values.end())) return;
    stored->Clear();
    for (const std::string& v : values) stored->Add()->assign(v);
  }

  static std::vector<std::string> Unique(const std::vector<std::string>& in) {
    std::vector<std::string> out;
    for (const std::string& s : in) {
      if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
    }
    return out;
  }

  absl::Status OnStudy(const std::string& file, const std::string& path, const Value& root) {
    CountRecord();
    absl::StatusOr<Study> study = ReadStudy(root, path);
    if (!study.ok()) {
      auto where = study.status().GetPayload(kPathPayload);
      const std::string problem_path = where.has_value() ? std::string(*where) : path;
      absl::string_view message = study.status().message();
      if (absl::StartsWith(message, problem_path + ": "))
        message.remove_prefix(problem_path.size() + 2);
      // The NCT ID, when it is readable, names the record in the report.
      std::string nct;
      if (const Value* ps = Find(root, "protocolSection"); ps != nullptr && ps->IsObject()) {
        if (const Value* idm = Find(*ps, "identificationModule");
            idm != nullptr && idm->IsObject()) {
          if (const Value* id = Find(*idm, "nctId"); id != nullptr && id->IsString())
            nct = id->GetString();
        }
      }
      Reject(file, path, nct, problem_path, std::string(message));
      return absl::OkStatus();
    }
    return Apply(file, *study);
  }

  absl::Status Apply(const std::string& file, const Study& s) {
    const std::string origin = absl::StrCat("import:", file);
    ResourceTable<Trial>& trials = catalog_->trials();

    // The trial: the one with this NCT ID, else one that has another of
    // the record's registry IDs (linked, not duplicated), else a new one.
    std::vector<std::pair<RegistryId, const OtherId*>> registry_ids;
    std::vector<const OtherId*> unparsed;
    for (const OtherId& o : s.other_ids) {
      absl::StatusOr<RegistryId> id = ParseRegistryId(o.id);
      if (id.ok()) {
        if (id->id() != s.nct_id) registry_ids.emplace_back(*id, &o);
      } else {
        unparsed.push_back(&o);
      }
    }
    std::string trial_name;
    {
      absl::StatusOr<std::optional<std::string>> owner = OwnerOf(s.nct_id);
      if (!owner.ok()) return owner.status();
      if (owner->has_value()) trial_name = **owner;
      for (size_t i = 0; trial_name.empty() && i < registry_ids.size(); ++i) {
        owner = OwnerOf(registry_ids[i].first.id());
        if (!owner.ok()) return owner.status();
        if (owner->has_value()) trial_name = **owner;
      }
    }
    RegistryId nct;
    nct.set_registry(common::v1::REGISTRY_NCT);
    nct.set_id(s.nct_id);
    if (trial_name.empty()) trial_name = trials.NameOf(TrialIdFor(nct));
    absl::StatusOr<std::string> trial_id = trials.IdOf(trial_name, "trial");
    if (!trial_id.ok()) return trial_id.status();
    Trial existing;
    absl::StatusOr<bool> found = trials.FindRaw(*trial_id, &existing);
    if (!found.ok()) return found.status();

    // Versions: an older one never overwrites a newer one.
    std::optional<PartialDate> stored_version;
    std::set<std::string> from_import;
    for (const v1::TrialRevision& r : existing.revisions()) {
      if (IsSet(r.version_date()) && (!stored_version.has_value() ||
                                      ComparePartialDates(r.version_date(), *stored_version) > 0)) {
        stored_version = r.version_date();
      }
      from_import.insert(r.changed_fields().begin(), r.changed_fields().end());
    }
    if (s.version.has_value() && stored_version.has_value() &&
        ComparePartialDates(*s.version, *stored_version) < 0) {
      const std::string reason = absl::StrCat("version ", FormatPartialDate(*s.version),
                                              " is older than the stored version ",
                                              FormatPartialDate(*stored_version), "; not applied");
      summary_.set_skipped(summary_.skipped() + 1);
      Problem(v1::IMPORT_PROBLEM_SEVERITY_SKIPPED, file, s.path, s.nct_id, reason);
      Result(file, s, trial_name, v1::IMPORT_OUTCOME_SKIPPED, {}, reason, {});
      return absl::OkStatus();
    }

    const PartialDate version = s.version.value_or(PartialDate());
    Source source;
    source.set_name(catalog_->sources().NameOf(CtgovSourceId(s.nct_id, version)));
    source.set_title(IsSet(version) ? absl::StrCat("ClinicalTrials.gov ", s.nct_id, ", version of ",
                                                   FormatPartialDate(version))
                                    : absl::StrCat("ClinicalTrials.gov ", s.nct_id));
    source.set_publisher("ClinicalTrials.gov (U.S. National Library of Medicine)");
    if (IsSet(version)) *source.mutable_publication_date() = version;
    source.set_kind(v1::SOURCE_KIND_REGISTRY);
    source.set_uri(absl::StrCat(kStudyUri, s.nct_id));
    source.set_language("en");

    ApplyContext ctx;
    ctx.fill_only = !s.version.has_value() && stored_version.has_value();
    ctx.from_import = std::move(from_import);
    ctx.citation.set_source(source.name());
    ctx.citation.set_locator(absl::StrCat(file, ": ", s.path));
    ctx.citation.set_quote(s.title.has_value() ? absl::StrCat(s.nct_id, ": ", *s.title) : s.nct_id);
    for (const SourceCitation& c : existing.sources()) {
      if (!IsCtgovSource(c.source())) {
        ctx.curated = true;
        if (!ctx.curated_citation.has_value()) ctx.curated_citation = c;
      }
    }

    Trial t = *found ? existing : Trial();
    std::vector<Warning> warnings = s.warnings;
    if (!*found) {
      t.set_name(trial_name);
      *t.mutable_primary_id() = nct;
    }

    // Identifiers: never removed; an ID another trial holds stays an alias.
    auto has_id = [&t](const std::string& id) {
      if (t.primary_id().id() == id) return true;
      return std::any_of(t.secondary_ids().begin(), t.secondary_ids().end(),
                         [&](const RegistryId& r) { return r.id() == id; });
    };
    auto add_alias = [&t](const OtherId& o) {
      for (const v1::TrialAlias& a : t.aliases()) {
        if (a.id() == o.id && a.type() == o.type) return;
      }
      v1::TrialAlias* a = t.add_aliases();
      a->set_id(o.id);
      a->set_type(o.type);
      a->set_domain(o.domain);
    };
    if (!has_id(s.nct_id)) *t.add_secondary_ids() = nct;
    for (const auto& [id, other] : registry_ids) {
      if (has_id(id.id())) continue;
      absl::StatusOr<std::optional<std::string>> owner = OwnerOf(id.id());
      if (!owner.ok()) return owner.status();
      if (owner->has_value() && **owner != trial_name) {
        warnings.push_back({other->path, absl::StrCat(id.id(), " already belongs to ", **owner,
                                                      "; kept as an alias of this trial")});
        add_alias(*other);
        continue;
      }
      *t.add_secondary_ids() = id;
    }
    for (const OtherId* o : unparsed) {
      if (o->type == "EUDRACT_NUMBER" || o->type == "CTIS" || o->type == "NCT_ALIAS") {
        // Printed as a registry ID of a registry the catalog knows, but
        // malformed: kept for the data-quality report.
        if (!Contains(t.malformed_ids(), o->id)) t.add_malformed_ids(o->id);
        warnings.push_back({o->path, absl::StrCat("\"", o->id, "\" is not a valid ", o->type,
                                                  " ID; kept in malformed_ids")});
      } else {
        add_alias(*o);
      }
    }

    // Titles and phases as printed are not statements to weigh against a
    // curated source: the registry's replace them only where the registry
    // set them (or nothing did).
    auto may_replace_text = [&ctx](const std::string& stored, const char* field) {
      if (stored.empty()) return true;
      if (ctx.fill_only) return false;
      return !ctx.curated || ctx.from_import.count(field) > 0;
    };
    if (s.title.has_value() && may_replace_text(t.title(), "title")) t.set_title(*s.title);

    if (s.phases.has_value()) {
      const CtgovPhase phase = MapCtgovPhases(*s.phases);
      for (size_t i = 0; i < s.phases->size(); ++i) {
        if (std::find(phase.unknown.begin(), phase.unknown.end(), (*s.phases)[i]) !=
            phase.unknown.end()) {
          warnings.push_back(
              {JsonPathIndex(s.phases_path, i),
               absl::StrCat("unknown phase \"", (*s.phases)[i],
                            "\" (known: EARLY_PHASE1, PHASE1, PHASE2, PHASE3, PHASE4, "
                            "NA); phase left unspecified")});
        }
      }
      if (phase.unusual) {
        warnings.push_back(
            {s.phases_path, absl::StrCat("phases ", phase.text,
                                         " map to no single stage; phase left unspecified")});
      }
      if (!phase.text.empty() && may_replace_text(t.phase_text(), "phase_text")) {
        t.set_phase_text(phase.text);
      }
      // PHASE4, NA or an unknown value state no stage: they clear a stage
      // an earlier version set, but never a curated one.
      const bool states_stage = phase.stage != common::v1::DEVELOPMENT_STAGE_UNSPECIFIED ||
                                (!ctx.curated && !phase.text.empty());
      if (states_stage &&
          ShouldSet(t, ctx, "phase", t.phase() != common::v1::DEVELOPMENT_STAGE_UNSPECIFIED,
                    StageName(t.phase()), StageName(phase.stage))) {
        t.set_phase(phase.stage);
      }
    }

    if (s.status.has_value()) {
      v1::TrialStatus status;
      if (MapCtgovStatus(*s.status, &status)) {
        if (ShouldSet(t, ctx, "status", t.status() != v1::TRIAL_STATUS_UNSPECIFIED,
                      StatusName(t.status()), StatusName(status))) {
          t.set_status(status);
        }
      } else {
        static const auto* expanded = new std::set<std::string>{
            "AVAILABLE", "NO_LONGER_AVAILABLE", "TEMPORARILY_NOT_AVAILABLE",
            "APPROVED_FOR_MARKETING", "WITHHELD"};
        warnings.push_back(
            {s.status_path,
             expanded->count(*s.status)
                 ? absl::StrCat("expanded-access status \"", *s.status,
                                "\" has no trial status; status not imported")
                 : absl::StrCat("unknown overallStatus \"", *s.status, "\"; status not imported")});
      }
    }

    if (s.start.has_value()) {
      const bool stored = IsSet(t.start_date());
      if (ShouldSet(t, ctx, "start_date", stored, FormatPartialDate(t.start_date()),
                    FormatPartialDate(s.start->date))) {
        *t.mutable_start_date() = s.start->date;
      }
      if (!(ctx.fill_only && stored)) t.set_start_date_estimated(s.start->estimated);
    }
    if (s.completion.has_value()) {
      const bool stored = IsSet(t.completion_date());
      if (ShouldSet(t, ctx, "completion_date", stored, FormatPartialDate(t.completion_date()),
                    FormatPartialDate(s.completion->date))) {
        *t.mutable_completion_date() = s.completion->date;
      }
      if (!(ctx.fill_only && stored)) t.set_completion_date_estimated(s.completion->estimated);
    }
    if (s.enrollment.has_value() &&
        ShouldSet(t, ctx, "enrollment", t.enrollment() != 0, absl::StrCat(t.enrollment()),
                  absl::StrCat(*s.enrollment))) {
      t.set_enrollment(*s.enrollment);
    }
    if (s.conditions.has_value()) ApplyList(ctx, t.mutable_conditions(), Unique(*s.conditions));

    if (s.locations.has_value()) {
      std::set<std::string> codes;
      std::set<std::string> unknown;
      for (const Location& l : *s.locations) {
        std::optional<std::string> code = CountryCodeForName(l.country);
        if (code.has_value()) {
          codes.insert(*code);
        } else if (unknown.insert(l.country).second) {
          warnings.push_back(
              {l.path, absl::StrCat("unknown country \"", l.country, "\"; not imported")});
        }
      }
      ApplyList(ctx, t.mutable_countries(), {codes.begin(), codes.end()});
    }

    std::vector<OrgPlan> plans;
    if (s.sponsor.has_value()) {
      absl::StatusOr<std::string> org = ResolveOrg(*s.sponsor, file, ctx.citation, plans);
      if (!org.ok()) return org.status();
      if (ShouldSet(t, ctx, "sponsor", !t.sponsor().empty(), t.sponsor(), *org))
        t.set_sponsor(*org);
    }
    if (s.collaborators.has_value()) {
      std::vector<std::string> names;
      for (const Party& p : *s.collaborators) {
        absl::StatusOr<std::string> org = ResolveOrg(p, file, ctx.citation, plans);
        if (!org.ok()) return org.status();
        names.push_back(*org);
      }
      ApplyList(ctx, t.mutable_collaborators(), Unique(names));
    }

    // Interventions link existing products only; the others are reported.
    std::vector<std::string> unmatched;
    if (s.interventions.has_value()) {
      for (const Intervention& in : *s.interventions) {
        std::set<std::string> matched;
        std::vector<std::string> candidates = {in.name};
        candidates.insert(candidates.end(), in.other_names.begin(), in.other_names.end());
        for (const std::string& c : candidates) {
          auto it = products_by_name_.find(NormalizeForSearch(c));
          if (it != products_by_name_.end()) matched.insert(it->second.begin(), it->second.end());
        }
        if (matched.empty() &&
            std::find(unmatched.begin(), unmatched.end(), in.name) == unmatched.end()) {
          unmatched.push_back(in.name);
        }
        for (const std::string& p : matched) {
          if (!Contains(t.products(), p)) t.add_products(p);
        }
      }
    }

    // Plans for organizations the trial no longer references are dropped
    // (a sponsor kept from a curated source, for instance).
    plans.erase(std::remove_if(plans.begin(), plans.end(),
                               [&t](const OrgPlan& p) {
                                 return t.sponsor() != p.org.name() &&
                                        !Contains(t.collaborators(), p.org.name());
                               }),
                plans.end());

    const std::vector<std::string> changed = DataFieldsChanged(*found ? existing : Trial(), t);
    const bool newer =
        s.version.has_value() &&
        (!stored_version.has_value() || ComparePartialDates(*s.version, *stored_version) > 0);
    ImportOutcome outcome = !*found            ? v1::IMPORT_OUTCOME_CREATED
                            : !changed.empty() ? v1::IMPORT_OUTCOME_UPDATED
                            : newer            ? v1::IMPORT_OUTCOME_VERSION_RECORDED
                                               : v1::IMPORT_OUTCOME_UNCHANGED;
    for (const Warning& w : warnings) {
      Problem(v1::IMPORT_PROBLEM_SEVERITY_WARNING, file, w.path, s.nct_id, w.message);
    }
    if (outcome == v1::IMPORT_OUTCOME_UNCHANGED) {
      Count(outcome);
      Result(file, s, trial_name, outcome, {}, "", unmatched);
      return absl::OkStatus();
    }

    if (!std::any_of(t.sources().begin(), t.sources().end(),
                     [&](const SourceCitation& c) { return c.source() == source.name(); })) {
      *t.add_sources() = ctx.citation;
    }
    v1::TrialRevision* revision = t.add_revisions();
    revision->set_source(source.name());
    if (IsSet(version)) *revision->mutable_version_date() = version;
    revision->set_file(file);
    revision->set_path(s.path);
    for (const std::string& f : changed) revision->add_changed_fields(f);
    *revision->mutable_import_time() = ToProtoTime(trials.options().clock());

    // Writes: the source and new organizations first (the trial references
    // them), the trial last. If the trial cannot be written, what this
    // record created is removed again, so a rejected record leaves nothing.
    Source existing_source;
    absl::StatusOr<bool> source_existed =
        catalog_->sources().FindRaw(CtgovSourceId(s.nct_id, version), &existing_source);
    if (!source_existed.ok()) return source_existed.status();
    absl::StatusOr<bool> wrote =
        catalog_->sources().UpsertRaw(&source, origin, options_.sync_writes);
    if (!wrote.ok()) return wrote.status();
    std::vector<std::string> created_orgs;
    absl::Status failure;
    for (OrgPlan& p : plans) {
      absl::StatusOr<bool> org_wrote =
          catalog_->organizations().UpsertRaw(&p.org, origin, options_.sync_writes);
      if (!org_wrote.ok()) {
        failure = org_wrote.status();
        break;
      }
      created_orgs.push_back(p.org.name());
    }
    if (failure.ok()) {
      absl::StatusOr<bool> trial_wrote = trials.UpsertRaw(&t, origin, options_.sync_writes);
      if (!trial_wrote.ok()) failure = trial_wrote.status();
    }
    if (!failure.ok()) {
      for (const std::string& name : created_orgs) {
        Organization unused;
        (void)catalog_->organizations().DeleteRaw(name, "", origin, &unused);
      }
      if (!*source_existed) {
        Source unused;
        (void)catalog_->sources().DeleteRaw(source.name(), "", origin, &unused);
      }
      const absl::StatusCode code = failure.code();
      if (code != absl::StatusCode::kInvalidArgument && code != absl::StatusCode::kAlreadyExists &&
          code != absl::StatusCode::kFailedPrecondition) {
        return failure;
      }
      Reject(file, s.path, s.nct_id, s.path, absl::StrCat("not imported: ", failure.message()));
      return absl::OkStatus();
    }
    for (const OrgPlan& p : plans) AddOrgNames(p.org);
    summary_.set_organizations_created(summary_.organizations_created() +
                                       static_cast<int>(plans.size()));
    Count(outcome);
    Result(file, s, trial_name, outcome, changed, "", unmatched);
    return absl::OkStatus();
  }

  void Count(ImportOutcome outcome) {
    switch (outcome) {
      case v1::IMPORT_OUTCOME_CREATED:
        summary_.set_created(summary_.created() + 1);
        break;
      case v1::IMPORT_OUTCOME_UPDATED:
        summary_.set_updated(summary_.updated() + 1);
        break;
      case v1::IMPORT_OUTCOME_VERSION_RECORDED:
        summary_.set_versions_recorded(summary_.versions_recorded() + 1);
        break;
      default:
        summary_.set_unchanged(summary_.unchanged() + 1);
        break;
    }
  }

  void Result(const std::string& file, const Study& s, const std::string& trial,
              ImportOutcome outcome, const std::vector<std::string>& changed,
              const std::string& reason, const std::vector<std::string>& unmatched) {
    for (const std::string& name : unmatched) {
      auto [it, inserted] = unmatched_index_.emplace(name, summary_.unmatched_interventions_size());
      if (inserted) {
        v1::UnmatchedIntervention* u = summary_.add_unmatched_interventions();
        u->set_name(name);
        u->set_first_trial(trial);
      }
      v1::UnmatchedIntervention* u = summary_.mutable_unmatched_interventions(it->second);
      u->set_records(u->records() + 1);
    }
    if (!options_.record_details) return;
    v1::ImportedRecord* r = summary_.add_results();
    r->set_file(file);
    r->set_path(s.path);
    r->set_nct_id(s.nct_id);
    r->set_trial(trial);
    r->set_outcome(outcome);
    for (const std::string& f : changed) r->add_changed_fields(f);
    r->set_reason(reason);
    for (const std::string& u : unmatched) r->add_unmatched_interventions(u);
  }

  Catalog* const catalog_;
  const CtgovImportOptions options_;
  // NormalizeForSearch(name or alias) → "organizations/{id}".
  std::map<std::string, std::string> org_by_name_;
  // NormalizeForSearch(display name, name, alias or code) → "products/{id}".
  std::map<std::string, std::vector<std::string>> products_by_name_;
  v1::ImportClinicalTrialsResponse summary_;
  std::map<std::string, int> unmatched_index_;
};

CtgovImporter::CtgovImporter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
CtgovImporter::~CtgovImporter() = default;

absl::StatusOr<std::unique_ptr<CtgovImporter>> CtgovImporter::Create(Catalog* catalog,
                                                                     CtgovImportOptions options) {
  auto impl = std::make_unique<Impl>(catalog, std::move(options));
  absl::Status s = impl->LoadNames();
  if (!s.ok()) return s;
  return std::unique_ptr<CtgovImporter>(new CtgovImporter(std::move(impl)));
}

absl::Status CtgovImporter::ImportFile(const std::string& path) { return impl_->ImportFile(path); }

absl::Status CtgovImporter::ImportJson(absl::string_view file_name, absl::string_view json) {
  return impl_->ImportJson(file_name, json);
}

absl::Status CtgovImporter::Sync() { return impl_->Sync(); }

const v1::ImportClinicalTrialsResponse& CtgovImporter::summary() { return impl_->Summary(); }

}  // namespace regenatlas::catalog
