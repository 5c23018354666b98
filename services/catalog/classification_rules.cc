// Vocabularies and loading of the classifier's rules file
// (classification_rules.h).

#include "services/catalog/classification_rules.h"

#include <algorithm>
#include <cstdlib>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "rapidjson/document.h"
#include "rapidjson/error/en.h"

namespace regenatlas::catalog::classification {

using rapidjson::Value;

// ---- Vocabularies -----------------------------------------------------------

absl::string_view AttributeName(Attribute attribute) {
  switch (attribute) {
    case Attribute::kCellType:
      return "cell_type";
    case Attribute::kCellSource:
      return "cell_source";
    case Attribute::kAllogeneity:
      return "allogeneity";
    case Attribute::kGeneModified:
      return "gene_modified";
  }
  return "";
}

const std::vector<std::string>& KnownValues(Attribute attribute) {
  // cell_type: the catalog's CellType enum (resources.proto) without prefix;
  // classification_test checks that they still match.
  static const auto* const kValues = new std::vector<std::vector<std::string>>{
      {"NK",
       "CAR_NK",
       "CAR_T",
       "TCR_T",
       "TIL",
       "NKT",
       "DC",
       "PLATELET",
       "CARDIOMYOCYTE",
       "CARDIAC_PROGENITOR",
       "DOPAMINERGIC_PROGENITOR",
       "NSC",
       "NPC",
       "OPC",
       "ASTROCYTE",
       "INHIBITORY_INTERNEURON",
       "RPE",
       "PHOTORECEPTOR",
       "CORNEAL_ENDOTHELIUM",
       "ISLET_BETA_CELL",
       "HEPATOCYTE",
       "MSC",
       "EPC",
       "MYOBLAST",
       "CHONDROCYTE",
       "OVARIAN_SUPPORT_CELL",
       "EXOSOME",
       "MACROPHAGE",
       "T_CELL",
       "KERATINOCYTE",
       "FIBROBLAST",
       "CORNEAL_EPITHELIUM",
       "HEMATOPOIETIC_STEM_CELL",
       "RED_BLOOD_CELL",
       "NEURON",
       "SKELETAL_MUSCLE",
       "EPITHELIAL",
       "OTHER"},
      {"HESC", "HIPSC", "CIPSC", "UMBILICAL_CORD", "CORD_BLOOD", "PLACENTA", "BONE_MARROW",
       "ADIPOSE", "DENTAL_PULP", "MENSTRUAL_BLOOD", "PERIPHERAL_BLOOD", "FETAL", "OTHER"},
      {"AUTOLOGOUS", "ALLOGENEIC"},
      {"YES", "NO"},
  };
  return (*kValues)[static_cast<int>(attribute)];
}

// ---- Loading ----------------------------------------------------------------

namespace {

constexpr absl::string_view kFieldNames[kFieldCount] = {
    "title",   "scientific_title", "intervention", "intervention_description",
    "keyword", "condition",        "summary"};

// Errors carry the location of the problem: "rules[3] (type.nk): set.cell_type".
class Loader {
 public:
  explicit Loader(absl::string_view origin) : origin_(origin) {}

  absl::Status Error(absl::string_view where, absl::string_view message) const {
    return absl::InvalidArgumentError(absl::StrCat(origin_, ": ", where, ": ", message));
  }

  absl::Status CheckKeys(const Value& obj, const std::string& where,
                         std::initializer_list<absl::string_view> known) const {
    if (!obj.IsObject()) return Error(where, "expected an object");
    for (auto it = obj.MemberBegin(); it != obj.MemberEnd(); ++it) {
      const absl::string_view key(it->name.GetString(), it->name.GetStringLength());
      if (std::find(known.begin(), known.end(), key) == known.end()) {
        return Error(where, absl::StrCat("unknown key \"", key,
                                         "\" (known: ", absl::StrJoin(known, ", "), ")"));
      }
    }
    return absl::OkStatus();
  }

  absl::Status Strings(const Value& v, const std::string& where, bool allow_empty,
                       std::vector<std::string>* out) const {
    if (!v.IsArray()) return Error(where, "expected an array of strings");
    if (v.Empty() && !allow_empty) return Error(where, "must not be empty");
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      if (!v[i].IsString()) return Error(absl::StrCat(where, "[", i, "]"), "expected a string");
      out->emplace_back(v[i].GetString(), v[i].GetStringLength());
    }
    return absl::OkStatus();
  }

  absl::Status Patterns(const Value& v, const std::string& where, std::vector<Pattern>* out) const {
    std::vector<std::string> written;
    if (absl::Status s = Strings(v, where, false, &written); !s.ok()) return s;
    for (size_t i = 0; i < written.size(); ++i) {
      absl::StatusOr<Pattern> p = Pattern::Compile(written[i]);
      if (!p.ok()) return Error(absl::StrCat(where, "[", i, "]"), p.status().message());
      out->push_back(*std::move(p));
    }
    return absl::OkStatus();
  }

  absl::Status Fields(const Value& v, const std::string& where, FieldSet* out) const {
    std::vector<std::string> names;
    if (absl::Status s = Strings(v, where, false, &names); !s.ok()) return s;
    *out = 0;
    for (const std::string& name : names) {
      const auto* it = std::find(std::begin(kFieldNames), std::end(kFieldNames), name);
      if (it == std::end(kFieldNames)) {
        return Error(where, absl::StrCat("unknown field \"", name,
                                         "\" (known: ", absl::StrJoin(kFieldNames, ", "), ")"));
      }
      *out |= 1u << (it - std::begin(kFieldNames));
    }
    return absl::OkStatus();
  }

  absl::Status AttributeValue(Attribute a, const std::string& value,
                              const std::string& where) const {
    const std::vector<std::string>& known = KnownValues(a);
    if (std::find(known.begin(), known.end(), value) != known.end()) return absl::OkStatus();
    return Error(where, absl::StrCat("unknown value \"", value,
                                     "\" (known: ", absl::StrJoin(known, ", "), ")"));
  }

  absl::Status ParseAttribute(absl::string_view name, const std::string& where,
                              Attribute* out) const {
    for (int i = 0; i < kAttributeCount; ++i) {
      if (AttributeName(static_cast<Attribute>(i)) == name) {
        *out = static_cast<Attribute>(i);
        return absl::OkStatus();
      }
    }
    return Error(where, absl::StrCat("unknown attribute \"", name,
                                     "\" (known: cell_type, cell_source, allogeneity, "
                                     "gene_modified)"));
  }

  absl::Status ParseNear(const Value& v, const std::string& where, Near* out) const {
    if (absl::Status s = CheckKeys(v, where, {"before", "after", "after_via"}); !s.ok()) return s;
    for (const char* key : {"before", "after"}) {
      if (!v.HasMember(key)) continue;
      const Value& n = v[key];
      if (!n.IsInt() || n.GetInt() < 0 || n.GetInt() > 50) {
        return Error(absl::StrCat(where, ".", key), "expected a number of words 0..50");
      }
      (std::string(key) == "before" ? out->before : out->after) = n.GetInt();
    }
    if (out->before < 0 && out->after < 0) return Error(where, "needs \"before\" or \"after\"");
    if (v.HasMember("after_via")) {
      return Patterns(v["after_via"], absl::StrCat(where, ".after_via"), &out->after_via);
    }
    return absl::OkStatus();
  }

 private:
  std::string origin_;
};

std::string Where(absl::string_view list, rapidjson::SizeType i, const Value& obj) {
  std::string where = absl::StrCat(list, "[", i, "]");
  if (obj.IsObject() && obj.HasMember("id") && obj["id"].IsString()) {
    absl::StrAppend(&where, " (", obj["id"].GetString(), ")");
  }
  return where;
}

absl::Status ParseRule(const Loader& l, const Value& v, const std::string& where,
                       FieldSet default_fields, const std::optional<Near>& default_near,
                       Rule* rule) {
  if (absl::Status s =
          l.CheckKeys(v, where,
                      {"id", "note", "patterns", "fields", "exclude", "priority", "fallback", "set",
                       "suppress_types", "suppress_unless_between", "near"});
      !s.ok()) {
    return s;
  }
  if (!v.HasMember("id") || !v["id"].IsString() || v["id"].GetStringLength() == 0) {
    return l.Error(where, "needs a non-empty string \"id\"");
  }
  rule->id = v["id"].GetString();
  if (!v.HasMember("patterns")) return l.Error(where, "needs \"patterns\"");
  if (absl::Status s = l.Patterns(v["patterns"], where + ": patterns", &rule->patterns); !s.ok()) {
    return s;
  }
  rule->fields = default_fields;
  if (v.HasMember("fields")) {
    if (absl::Status s = l.Fields(v["fields"], where + ": fields", &rule->fields); !s.ok())
      return s;
  }
  if (v.HasMember("exclude")) {
    if (absl::Status s = l.Patterns(v["exclude"], where + ": exclude", &rule->exclude); !s.ok()) {
      return s;
    }
  }
  if (v.HasMember("priority")) {
    if (!v["priority"].IsInt() || std::abs(v["priority"].GetInt()) > 1000) {
      return l.Error(where + ": priority", "expected an integer -1000..1000");
    }
    rule->priority = v["priority"].GetInt();
  }
  if (v.HasMember("fallback")) {
    if (!v["fallback"].IsBool()) return l.Error(where + ": fallback", "expected true or false");
    rule->fallback = v["fallback"].GetBool();
  }
  if (!v.HasMember("set") || !v["set"].IsObject() || v["set"].MemberCount() == 0) {
    return l.Error(where, "needs \"set\": an object of attribute values");
  }
  for (auto it = v["set"].MemberBegin(); it != v["set"].MemberEnd(); ++it) {
    const std::string key = absl::StrCat(where, ": set.", it->name.GetString());
    Attribute a;
    if (absl::Status s = l.ParseAttribute(it->name.GetString(), key, &a); !s.ok()) return s;
    std::vector<std::string> values;
    if (it->value.IsString()) {
      values.push_back(it->value.GetString());
    } else if (a == Attribute::kCellType && it->value.IsArray()) {
      if (absl::Status s = l.Strings(it->value, key, false, &values); !s.ok()) return s;
    } else {
      return l.Error(key, a == Attribute::kCellType ? "expected a string or an array of strings"
                                                    : "expected a string");
    }
    for (const std::string& value : values) {
      if (absl::Status s = l.AttributeValue(a, value, key); !s.ok()) return s;
      rule->set.emplace_back(a, value);
    }
    if (a == Attribute::kCellType) rule->sets_cell_type = true;
  }
  if (v.HasMember("suppress_types")) {
    const std::string key = where + ": suppress_types";
    if (!rule->sets_cell_type) return l.Error(key, "only a rule that sets cell_type suppresses");
    if (absl::Status s = l.Strings(v["suppress_types"], key, false, &rule->suppress_types);
        !s.ok()) {
      return s;
    }
    for (const std::string& t : rule->suppress_types) {
      if (t == "*") continue;
      if (absl::Status s = l.AttributeValue(Attribute::kCellType, t, key); !s.ok()) return s;
    }
  }
  if (v.HasMember("suppress_unless_between")) {
    const std::string key = where + ": suppress_unless_between";
    if (rule->suppress_types.empty()) return l.Error(key, "needs suppress_types");
    if (absl::Status s =
            l.Patterns(v["suppress_unless_between"], key, &rule->suppress_unless_between);
        !s.ok()) {
      return s;
    }
  }
  // Rules that say what the cells are anchor the others, which stay near them.
  if (!rule->sets_cell_type) rule->near = default_near;
  if (v.HasMember("near")) {
    const Value& n = v["near"];
    if (n.IsBool() && !n.GetBool()) {
      rule->near.reset();
    } else if (rule->sets_cell_type) {
      return l.Error(where + ": near", "a rule that sets cell_type is a cell mention itself");
    } else {
      rule->near = Near{};
      if (absl::Status s = l.ParseNear(n, where + ": near", &*rule->near); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::shared_ptr<const RuleSet>> ParseRuleSet(absl::string_view json,
                                                            absl::string_view origin) {
  const Loader l(origin);
  rapidjson::Document doc;
  doc.Parse(json.data(), json.size());
  if (doc.HasParseError()) {
    return l.Error(
        absl::StrCat("byte ", doc.GetErrorOffset()),
        absl::StrCat("invalid JSON: ", rapidjson::GetParseError_En(doc.GetParseError())));
  }
  if (absl::Status s = l.CheckKeys(
          doc, "$",
          {"version", "note", "default_fields", "near", "defaults", "exclusions", "rules"});
      !s.ok()) {
    return s;
  }
  if (!doc.HasMember("version") || !doc["version"].IsInt() || doc["version"].GetInt() != 1) {
    return l.Error("version", "expected 1");
  }
  auto rules = std::make_shared<RuleSet>();
  FieldSet all_fields = (1u << kFieldCount) - 1;
  FieldSet default_fields = all_fields;
  if (doc.HasMember("default_fields")) {
    if (absl::Status s = l.Fields(doc["default_fields"], "default_fields", &default_fields);
        !s.ok()) {
      return s;
    }
  }
  std::optional<Near> default_near;
  if (doc.HasMember("near")) {
    default_near = Near{};
    if (absl::Status s = l.ParseNear(doc["near"], "near", &*default_near); !s.ok()) return s;
  }
  if (doc.HasMember("defaults")) {
    const Value& d = doc["defaults"];
    if (!d.IsObject()) return l.Error("defaults", "expected an object");
    for (auto it = d.MemberBegin(); it != d.MemberEnd(); ++it) {
      const std::string key = absl::StrCat("defaults.", it->name.GetString());
      Attribute a;
      if (absl::Status s = l.ParseAttribute(it->name.GetString(), key, &a); !s.ok()) return s;
      if (a == Attribute::kCellType || a == Attribute::kCellSource) {
        return l.Error(key, "only allogeneity and gene_modified have defaults");
      }
      if (!it->value.IsString()) return l.Error(key, "expected a string");
      if (absl::Status s = l.AttributeValue(a, it->value.GetString(), key); !s.ok()) return s;
      rules->defaults.emplace_back(a, it->value.GetString());
    }
  }
  std::set<std::string> ids;
  if (doc.HasMember("exclusions")) {
    const Value& list = doc["exclusions"];
    if (!list.IsArray()) return l.Error("exclusions", "expected an array");
    for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
      const Value& v = list[i];
      const std::string where = Where("exclusions", i, v);
      if (absl::Status s =
              l.CheckKeys(v, where, {"id", "note", "patterns", "fields", "only_contained"});
          !s.ok()) {
        return s;
      }
      Exclusion x;
      if (!v.HasMember("id") || !v["id"].IsString() || v["id"].GetStringLength() == 0) {
        return l.Error(where, "needs a non-empty string \"id\"");
      }
      x.id = v["id"].GetString();
      if (!v.HasMember("patterns")) return l.Error(where, "needs \"patterns\"");
      if (absl::Status s = l.Patterns(v["patterns"], where + ": patterns", &x.patterns); !s.ok()) {
        return s;
      }
      x.fields = all_fields;
      if (v.HasMember("fields")) {
        if (absl::Status s = l.Fields(v["fields"], where + ": fields", &x.fields); !s.ok())
          return s;
      }
      if (v.HasMember("only_contained")) {
        if (!v["only_contained"].IsBool()) {
          return l.Error(where + ": only_contained", "expected true or false");
        }
        x.only_contained = v["only_contained"].GetBool();
      }
      if (!ids.insert(x.id).second) return l.Error(where, "duplicate id");
      rules->exclusions.push_back(std::move(x));
    }
  }
  if (!doc.HasMember("rules") || !doc["rules"].IsArray() || doc["rules"].Empty()) {
    return l.Error("rules", "expected a non-empty array");
  }
  const Value& list = doc["rules"];
  for (rapidjson::SizeType i = 0; i < list.Size(); ++i) {
    const std::string where = Where("rules", i, list[i]);
    Rule rule;
    if (absl::Status s = ParseRule(l, list[i], where, default_fields, default_near, &rule);
        !s.ok()) {
      return s;
    }
    if (!ids.insert(rule.id).second) return l.Error(where, "duplicate id");
    rules->rules.push_back(std::move(rule));
  }
  return std::shared_ptr<const RuleSet>(std::move(rules));
}

}  // namespace regenatlas::catalog::classification
