// Classification → Trial.classification, and when an import replaces it.
#include "services/catalog/trial_classification.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/catalog/ctgov_mapping.h"

namespace regenatlas::catalog {
namespace {

using classification::Classification;
using classification::Derived;
using classification::Evidence;

void AddEvidence(v1::TrialClassification& out, const char* attribute, const std::string& value,
                 const Evidence& e) {
  v1::ClassificationEvidence* ev = out.add_evidence();
  ev->set_attribute(attribute);
  ev->set_value(value);
  ev->set_rule(e.rule_id);
  // A default of the rules file matched no text: no field.
  if (!absl::StartsWith(e.rule_id, "defaults.")) {
    ev->set_field(std::string(classification::TextFieldName(e.field)));
  }
  ev->set_index(e.index);
  ev->set_text(e.text);
}

void AddAll(v1::TrialClassification& out, const char* attribute, const Derived& d) {
  for (const Evidence& e : d.evidence) AddEvidence(out, attribute, d.value, e);
}

template <typename Enum>
bool EnumByName(const google::protobuf::EnumDescriptor* d, const std::string& name, Enum* out) {
  const google::protobuf::EnumValueDescriptor* v = d->FindValueByName(name);
  if (v == nullptr || v->number() == 0) return false;
  *out = static_cast<Enum>(v->number());
  return true;
}

}  // namespace

v1::TrialClassification ToTrialClassification(const Classification& c, const std::string& source) {
  v1::TrialClassification out;
  out.set_origin(v1::TrialClassification::ORIGIN_DERIVED);
  out.set_source(source);
  out.set_cell_therapy(c.is_cell_therapy);
  for (const Evidence& e : c.exclusions) AddEvidence(out, "exclusion", "", e);
  if (!c.is_cell_therapy) return out;

  for (const Derived& type : c.cell_types) {
    v1::CellType value;
    if (EnumByName(v1::CellType_descriptor(), "CELL_TYPE_" + type.value, &value)) {
      out.add_cell_types(value);
    }
    AddAll(out, "cell_type", type);
  }
  for (const Derived& tissue : c.cell_sources) {
    out.add_tissues(tissue.value);
    AddAll(out, "tissue", tissue);
  }
  // Sources pair every type with every tissue the text names (a trial of
  // adipose MSCs and peripheral-blood NK cells gets MSC_ADIPOSE and
  // PRIMARY_IMMUNE, and also what the unpaired combinations give): the
  // record does not say which tissue goes with which type.
  std::vector<std::string> types = Classification::ValuesOf(c.cell_types);
  std::vector<std::string> tissues = Classification::ValuesOf(c.cell_sources);
  if (types.empty()) types.push_back("");
  if (tissues.empty()) tissues.push_back("");
  for (const std::string& type : types) {
    for (const std::string& tissue : tissues) {
      const std::string name = classification::CatalogCellSource(type, tissue);
      v1::CellSource value;
      if (name.empty() || !EnumByName(v1::CellSource_descriptor(), "CELL_SOURCE_" + name, &value)) {
        continue;
      }
      if (std::find(out.cell_sources().begin(), out.cell_sources().end(), value) ==
          out.cell_sources().end()) {
        out.add_cell_sources(value);
      }
    }
  }
  if (c.allogeneity.has_value()) {
    common::v1::Donor donor;
    if (EnumByName(common::v1::Donor_descriptor(), "DONOR_" + c.allogeneity->value, &donor)) {
      out.set_donor(donor);
    }
    AddAll(out, "donor", *c.allogeneity);
  }
  if (c.gene_modified.has_value()) {
    out.set_gene_modified(c.gene_modified->value == "YES");
    AddAll(out, "gene_modified", *c.gene_modified);
  }
  return out;
}

bool ApplyClassification(const ctgov::Study& s, const classification::Classifier* classifier,
                         const std::string& source, v1::Trial& t) {
  if (classifier == nullptr || !s.text.has_value()) return false;
  const v1::TrialClassification& stored = t.classification();
  if (stored.origin() == v1::TrialClassification::ORIGIN_CURATED) return false;
  v1::TrialClassification derived = ToTrialClassification(
      s.classified.has_value() ? *s.classified : classifier->Classify(*s.text), source);
  const bool replace = stored.origin() == v1::TrialClassification::ORIGIN_UNSPECIFIED ||
                       ctgov::IsSourceOf(s.publisher, stored.source()) ||
                       (!stored.cell_therapy() && derived.cell_therapy());
  if (!replace) return false;
  *t.mutable_classification() = std::move(derived);
  return true;
}

}  // namespace regenatlas::catalog
