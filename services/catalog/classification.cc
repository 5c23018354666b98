#include "services/catalog/classification.h"

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/catalog/classification_rules.h"

namespace regenatlas::catalog::classification {
namespace {

// One field value of the trial (a title, one intervention name …).
struct FieldValue {
  TextField field;
  int index;
  const std::string* original;
  NormalizedText norm;
};

// A rule match that survived the exclusions.
struct Hit {
  const Rule* rule;
  int value;  // index into the field values
  Span span;
};

// One attribute value a hit proposes.
struct Candidate {
  int hit;
  Attribute attribute;
  const std::string* value;
};

bool InSet(FieldSet set, TextField field) { return (set >> static_cast<int>(field)) & 1u; }

std::vector<FieldValue> FieldValues(const TrialText& t) {
  std::vector<FieldValue> out;
  const auto add = [&out](TextField field, int index, const std::string& text) {
    if (!text.empty()) out.push_back({field, index, &text, Normalize(text)});
  };
  add(TextField::kTitle, 0, t.title);
  add(TextField::kScientificTitle, 0, t.scientific_title);
  for (size_t i = 0; i < t.interventions.size(); ++i) {
    add(TextField::kIntervention, static_cast<int>(i), t.interventions[i].name);
  }
  for (size_t i = 0; i < t.interventions.size(); ++i) {
    add(TextField::kInterventionDescription, static_cast<int>(i), t.interventions[i].description);
  }
  for (size_t i = 0; i < t.keywords.size(); ++i) {
    add(TextField::kKeyword, static_cast<int>(i), t.keywords[i]);
  }
  for (size_t i = 0; i < t.conditions.size(); ++i) {
    add(TextField::kCondition, static_cast<int>(i), t.conditions[i]);
  }
  add(TextField::kSummary, 0, t.summary);
  return out;
}

// Is `hit` close enough to a cell mention in its text (see Near)?
bool IsNear(const Hit& hit, const Near& near, const std::vector<Hit>& hits,
            const FieldValue& value) {
  for (const Hit& anchor : hits) {
    if (anchor.value != hit.value || !anchor.rule->sets_cell_type) continue;
    if (anchor.span.Overlaps(hit.span)) return true;
    const NormalizedText& t = value.norm;
    if (hit.span.end <= anchor.span.begin) {
      if (near.before >= 0 && t.WordsBetween(hit.span.end, anchor.span.begin) <= near.before) {
        return true;
      }
      continue;
    }
    if (near.after < 0 || t.WordsBetween(anchor.span.end, hit.span.begin) > near.after) continue;
    if (near.after_via.empty()) return true;
    const Span gap{anchor.span.end, hit.span.begin};
    std::vector<Span> via;
    for (const Pattern& p : near.after_via) p.FindAll(t, &via);
    for (const Span& s : via) {
      if (gap.Contains(s)) return true;
    }
  }
  return false;
}

Evidence MakeEvidence(const std::string& id, const FieldValue& v, const Span& span) {
  return Evidence{id, v.field, v.index, v.norm.Original(*v.original, span.begin, span.end)};
}

}  // namespace

absl::string_view TextFieldName(TextField field) {
  static constexpr absl::string_view kNames[kFieldCount] = {
      "title",   "scientific_title", "intervention", "intervention_description",
      "keyword", "condition",        "summary"};
  return kNames[static_cast<int>(field)];
}

std::string Classification::ValueOf(const std::optional<Derived>& derived) {
  return derived.has_value() ? derived->value : "";
}

std::vector<std::string> Classification::ValuesOf(const std::vector<Derived>& derived) {
  std::vector<std::string> out;
  for (const Derived& d : derived) out.push_back(d.value);
  return out;
}

Classifier::Classifier(std::shared_ptr<const RuleSet> rules) : rules_(std::move(rules)) {}

absl::StatusOr<Classifier> Classifier::FromString(absl::string_view json,
                                                  absl::string_view origin) {
  absl::StatusOr<std::shared_ptr<const RuleSet>> rules = ParseRuleSet(json, origin);
  if (!rules.ok()) return rules.status();
  return Classifier(*std::move(rules));
}

absl::StatusOr<Classifier> Classifier::FromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read rules file ", path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  return FromString(buffer.str(), path);
}

int Classifier::rule_count() const { return static_cast<int>(rules_->rules.size()); }
int Classifier::exclusion_count() const { return static_cast<int>(rules_->exclusions.size()); }

Classification Classifier::Classify(const TrialText& trial) const {
  Classification out;
  const std::vector<FieldValue> values = FieldValues(trial);

  // 1. Matches of every rule, minus those an exclusion cancels.
  std::vector<Hit> hits;
  std::set<std::tuple<std::string, int, int, int, int>> excluded_seen;
  for (int vi = 0; vi < static_cast<int>(values.size()); ++vi) {
    const FieldValue& v = values[vi];
    struct Mask {
      const Exclusion* exclusion;
      Span span;
    };
    std::vector<Mask> masks;
    for (const Exclusion& x : rules_->exclusions) {
      if (!InSet(x.fields, v.field)) continue;
      std::vector<Span> spans;
      for (const Pattern& p : x.patterns) p.FindAll(v.norm, &spans);
      for (const Span& s : spans) masks.push_back({&x, s});
    }
    for (const Rule& rule : rules_->rules) {
      if (!InSet(rule.fields, v.field)) continue;
      std::vector<Span> spans, own_masks;
      for (const Pattern& p : rule.patterns) p.FindAll(v.norm, &spans);
      if (spans.empty()) continue;
      for (const Pattern& p : rule.exclude) p.FindAll(v.norm, &own_masks);
      std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
        return std::tie(a.begin, a.end) < std::tie(b.begin, b.end);
      });
      for (size_t si = 0; si < spans.size(); ++si) {
        const Span& s = spans[si];
        if (si > 0 && s.begin == spans[si - 1].begin && s.end == spans[si - 1].end) continue;
        const Mask* cancelled = nullptr;
        for (const Mask& m : masks) {
          if (m.exclusion->only_contained ? m.span.Contains(s) : m.span.Overlaps(s)) {
            cancelled = &m;
            break;
          }
        }
        std::string id;
        Span by;
        if (cancelled != nullptr) {
          id = cancelled->exclusion->id;
          by = cancelled->span;
        } else {
          for (const Span& m : own_masks) {
            if (m.Overlaps(s)) {
              id = absl::StrCat(rule.id, ".exclude");
              by = m;
              break;
            }
          }
        }
        if (id.empty()) {
          hits.push_back({&rule, vi, s});
        } else if (excluded_seen.insert({id, static_cast<int>(v.field), v.index, by.begin, by.end})
                       .second) {
          out.exclusions.push_back(MakeEvidence(id, v, by));
        }
      }
    }
  }

  // 2. Qualifiers (sources, allogeneity) only count close to a cell mention.
  std::vector<Candidate> candidates;
  for (int hi = 0; hi < static_cast<int>(hits.size()); ++hi) {
    const Hit& h = hits[hi];
    if (h.rule->near.has_value() && !IsNear(h, *h.rule->near, hits, values[h.value])) continue;
    for (const auto& [attribute, value] : h.rule->set) {
      candidates.push_back({hi, attribute, &value});
    }
  }

  // 3. Overlapping matches for one attribute: the higher priority, then the
  // longer match, then the earlier one wins ("CAR-NK" over "NK", "umbilical
  // cord blood" over "umbilical cord").
  const auto rank = [&hits](const Candidate& c) {
    const Hit& h = hits[c.hit];
    return std::make_tuple(-h.rule->priority, -(h.span.end - h.span.begin), h.value, h.span.begin);
  };
  std::vector<int> order(candidates.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return rank(candidates[a]) < rank(candidates[b]); });
  std::vector<Candidate> kept;
  for (int ci : order) {
    const Candidate& c = candidates[ci];
    const Hit& h = hits[c.hit];
    const bool overlapped = std::any_of(kept.begin(), kept.end(), [&](const Candidate& k) {
      const Hit& kh = hits[k.hit];
      return k.attribute == c.attribute && k.hit != c.hit && kh.value == h.value &&
             kh.span.Overlaps(h.span);
    });
    if (!overlapped) kept.push_back(c);
  }

  // 4. A cell-free product (exosomes) names its parent cells in the same text:
  // those are not types of their own there, unless a conjunction separates
  // the two ("MSCs and exosomes").
  const auto suppresses = [&](const Candidate& s, const Candidate& c) {
    const Hit& sh = hits[s.hit];
    const Hit& h = hits[c.hit];
    const std::vector<std::string>& types = sh.rule->suppress_types;
    if (s.attribute != Attribute::kCellType || sh.value != h.value || s.hit == c.hit ||
        (std::find(types.begin(), types.end(), "*") == types.end() &&
         std::find(types.begin(), types.end(), *c.value) == types.end())) {
      return false;
    }
    const Span gap{std::min(sh.span.end, h.span.end), std::max(sh.span.begin, h.span.begin)};
    std::vector<Span> between;
    for (const Pattern& p : sh.rule->suppress_unless_between) {
      p.FindAll(values[h.value].norm, &between);
    }
    return std::none_of(between.begin(), between.end(),
                        [&gap](const Span& b) { return gap.Contains(b); });
  };
  std::vector<Candidate> unsuppressed;
  for (const Candidate& c : kept) {
    const bool suppressed =
        c.attribute == Attribute::kCellType && hits[c.hit].rule->suppress_types.empty() &&
        std::any_of(kept.begin(), kept.end(), [&](const Candidate& s) { return suppresses(s, c); });
    if (!suppressed) unsuppressed.push_back(c);
  }

  // 5. Fallback values only when nothing specific gives the attribute.
  bool specific[kAttributeCount] = {};
  for (const Candidate& c : unsuppressed) {
    if (!hits[c.hit].rule->fallback) specific[static_cast<int>(c.attribute)] = true;
  }
  std::vector<Candidate> result;
  for (const Candidate& c : unsuppressed) {
    if (hits[c.hit].rule->fallback && specific[static_cast<int>(c.attribute)]) continue;
    result.push_back(c);
  }
  // Report order: field order, element, position.
  std::stable_sort(result.begin(), result.end(), [&](const Candidate& a, const Candidate& b) {
    const Hit& ha = hits[a.hit];
    const Hit& hb = hits[b.hit];
    return std::tie(ha.value, ha.span.begin) < std::tie(hb.value, hb.span.begin);
  });

  for (const Candidate& c : result) {
    if (c.attribute == Attribute::kCellType) out.is_cell_therapy = true;
  }
  if (!out.is_cell_therapy) return out;

  const auto evidence = [&](const Candidate& c) {
    const Hit& h = hits[c.hit];
    return MakeEvidence(h.rule->id, values[h.value], h.span);
  };
  const auto add_to_list = [&](const Candidate& c, std::vector<Derived>* list) {
    auto it = std::find_if(list->begin(), list->end(),
                           [&](const Derived& d) { return d.value == *c.value; });
    if (it == list->end()) it = list->insert(list->end(), Derived{*c.value, {}});
    it->evidence.push_back(evidence(c));
  };
  // Single values: the highest priority wins, then the earliest in the record.
  const auto choose = [&](Attribute a) -> std::optional<Derived> {
    const Candidate* best = nullptr;
    for (const Candidate& c : result) {
      if (c.attribute != a) continue;
      if (best == nullptr || hits[c.hit].rule->priority > hits[best->hit].rule->priority) best = &c;
    }
    if (best == nullptr) {
      for (const auto& [attribute, value] : rules_->defaults) {
        if (attribute == a) {
          return Derived{
              value,
              {Evidence{absl::StrCat("defaults.", AttributeName(a)), TextField::kTitle, 0, ""}}};
        }
      }
      return std::nullopt;
    }
    Derived d{*best->value, {}};
    for (const Candidate& c : result) {
      if (c.attribute == a && *c.value == d.value) d.evidence.push_back(evidence(c));
    }
    return d;
  };
  for (const Candidate& c : result) {
    if (c.attribute == Attribute::kCellType) add_to_list(c, &out.cell_types);
    if (c.attribute == Attribute::kCellSource) add_to_list(c, &out.cell_sources);
  }
  out.allogeneity = choose(Attribute::kAllogeneity);
  out.gene_modified = choose(Attribute::kGeneModified);
  return out;
}

std::string CatalogCellSource(absl::string_view cell_type, absl::string_view cell_source) {
  static const std::set<absl::string_view> kImmune = {"NK",  "CAR_NK", "CAR_T",  "TCR_T",     "TIL",
                                                      "NKT", "DC",     "T_CELL", "MACROPHAGE"};
  static const std::set<absl::string_view> kSomatic = {"CHONDROCYTE",
                                                       "KERATINOCYTE",
                                                       "FIBROBLAST",
                                                       "MYOBLAST",
                                                       "HEPATOCYTE",
                                                       "ISLET_BETA_CELL",
                                                       "CORNEAL_EPITHELIUM",
                                                       "CORNEAL_ENDOTHELIUM",
                                                       "EPITHELIAL",
                                                       "SKELETAL_MUSCLE",
                                                       "EPC"};
  if (cell_source == "HESC" || cell_source == "HIPSC" || cell_source == "CIPSC" ||
      cell_source == "FETAL") {
    return std::string(cell_source);
  }
  if (cell_type == "MSC" || (cell_type == "EXOSOME" && !cell_source.empty())) {
    if (cell_source == "UMBILICAL_CORD") return "MSC_UMBILICAL_CORD";
    if (cell_source == "BONE_MARROW") return "MSC_BONE_MARROW";
    if (cell_source == "ADIPOSE") return "MSC_ADIPOSE";
    if (cell_source == "PLACENTA") return "MSC_PLACENTA";
    if (cell_source == "DENTAL_PULP") return "MSC_DENTAL_PULP";
    return cell_source.empty() ? "" : "MSC_OTHER";
  }
  if (cell_source == "CORD_BLOOD" || cell_type == "HEMATOPOIETIC_STEM_CELL") return "CORD_BLOOD";
  if (kImmune.count(cell_type) > 0 && (cell_source.empty() || cell_source == "PERIPHERAL_BLOOD")) {
    return "PRIMARY_IMMUNE";
  }
  if (kSomatic.count(cell_type) > 0 && cell_source.empty()) return "PRIMARY_SOMATIC";
  return cell_source.empty() ? "" : "OTHER";
}

}  // namespace regenatlas::catalog::classification
