#ifndef REGENATLAS_SERVICES_CATALOG_CLASSIFICATION_H_
#define REGENATLAS_SERVICES_CATALOG_CLASSIFICATION_H_

// Rule-based classification of clinical-trial records into the cell-therapy
// taxonomy: is the trial testing a cell therapy, which cell type, from which
// source, autologous or allogeneic, genetically modified or not. The rules
// are data (data/classification/rules.json); the format, the taxonomy and the
// measured precision/recall are documented in docs/import.md#classification.
// No gRPC or protobuf here: the catalog maps the values to its enums by name
// (CatalogCellSource below, CellType = "CELL_TYPE_" + cell type).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace regenatlas::catalog::classification {

// The parts of a registry record the rules read. Empty fields are fine.
struct TrialText {
  struct Intervention {
    // Name as printed, other names may be appended ("UC-MSCs / CBMG-01").
    std::string name;
    std::string description;
  };
  std::string title;             // brief / public title
  std::string scientific_title;  // official / scientific title
  std::vector<Intervention> interventions;
  std::vector<std::string> conditions;
  std::vector<std::string> keywords;
  std::string summary;  // brief summary
};

// A field of TrialText, in the order evidence is reported.
enum class TextField {
  kTitle,
  kScientificTitle,
  kIntervention,             // TrialText::Intervention::name
  kInterventionDescription,  // TrialText::Intervention::description
  kKeyword,
  kCondition,
  kSummary,
};
// The name rules use for a field: "title", "scientific_title", "intervention",
// "intervention_description", "keyword", "condition", "summary".
absl::string_view TextFieldName(TextField field);

// Where a derived value comes from: the rule, the field (and the element of a
// list field: intervention, keyword or condition number, else 0), and the text
// as printed in the record. A value set by the rules file's "defaults" has
// rule_id "defaults.<attribute>" and empty text.
struct Evidence {
  std::string rule_id;
  TextField field = TextField::kTitle;
  int index = 0;
  std::string text;
};

// One derived value with every match that supports it (field order).
struct Derived {
  std::string value;
  std::vector<Evidence> evidence;
};

// The result for one trial. Values are upper-case names:
//   cell_types:    the catalog's CellType names without prefix (MSC, NK,
//                  CAR_T, EXOSOME, HEMATOPOIETIC_STEM_CELL, OTHER ...);
//   cell_sources:  tissue of origin: HESC, HIPSC, CIPSC, UMBILICAL_CORD,
//                  CORD_BLOOD, PLACENTA, BONE_MARROW, ADIPOSE, DENTAL_PULP,
//                  MENSTRUAL_BLOOD, PERIPHERAL_BLOOD, FETAL, OTHER;
//   allogeneity:   AUTOLOGOUS or ALLOGENEIC;
//   gene_modified: YES or NO.
// Everything but `is_cell_therapy` and `exclusions` is empty when
// is_cell_therapy is false. Sources and types are listed per trial, not
// paired per product.
struct Classification {
  bool is_cell_therapy = false;
  std::vector<Derived> cell_types;
  std::vector<Derived> cell_sources;
  // Unset: the record does not say.
  std::optional<Derived> allogeneity;
  std::optional<Derived> gene_modified;
  // Exclusion matches that cancelled a rule match ("stem cell
  // transplantation", "NK cell count" ...), with the exclusion's id (or
  // "<rule id>.exclude" for a rule's own exclude patterns).
  std::vector<Evidence> exclusions;

  // The value of `derived` or "" (convenience for single values).
  static std::string ValueOf(const std::optional<Derived>& derived);
  // The values of a list, in order.
  static std::vector<std::string> ValuesOf(const std::vector<Derived>& derived);
};

struct RuleSet;  // compiled rules (classification_rules.h)

// A compiled rules file. Immutable, cheap to copy (shared), thread-safe.
class Classifier {
 public:
  // Loads and validates a rules file. INVALID_ARGUMENT names the rule and the
  // key of the first problem ("rules[3] (type.nk): set.cell_type: unknown
  // value \"NKK\""); NOT_FOUND when the file cannot be read.
  static absl::StatusOr<Classifier> FromFile(const std::string& path);
  // The same from the file's text; `origin` names it in errors.
  static absl::StatusOr<Classifier> FromString(absl::string_view json,
                                               absl::string_view origin = "rules");

  Classification Classify(const TrialText& trial) const;

  // Numbers of rules and exclusions loaded.
  int rule_count() const;
  int exclusion_count() const;

 private:
  explicit Classifier(std::shared_ptr<const RuleSet> rules);
  std::shared_ptr<const RuleSet> rules_;
};

// The catalog's CellSource name (without the "CELL_SOURCE_" prefix) for a
// product of `cell_type` from tissue `cell_source` (values as above; either
// may be empty): MSC and EXOSOME from umbilical cord → "MSC_UMBILICAL_CORD",
// an MSC tissue without its own enum (menstrual blood, cord blood …) →
// "MSC_OTHER", immune cells from blood or unknown → "PRIMARY_IMMUNE", cord
// blood and HSC → "CORD_BLOOD", PSC sources as themselves. "" when nothing
// can be said (an MSC of unknown tissue, an unknown type and source).
std::string CatalogCellSource(absl::string_view cell_type, absl::string_view cell_source);

}  // namespace regenatlas::catalog::classification

#endif  // REGENATLAS_SERVICES_CATALOG_CLASSIFICATION_H_
