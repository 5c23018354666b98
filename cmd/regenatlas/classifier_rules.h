// Which trial-classification rules `serve` and `import` load, from the
// --classification_rules flag and the dataset directory.
#ifndef REGENATLAS_CMD_REGENATLAS_CLASSIFIER_RULES_H_
#define REGENATLAS_CMD_REGENATLAS_CLASSIFIER_RULES_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/catalog/classification.h"

namespace regenatlas::cli {

// The rules file to load: `flag` when set; "" means the dataset's own
// (`dataset`/classification/rules.json) when the dataset is not "none" and
// has one, else no rules; "none" means no rules. Returns null for no rules
// (imported trials are then not classified). A file named by the flag that
// cannot be read, or any file with a bad rule, is an error (startup errors
// are fatal).
absl::StatusOr<std::shared_ptr<const catalog::classification::Classifier>> LoadClassifierRules(
    const std::string& flag, const std::string& dataset);

}  // namespace regenatlas::cli

#endif  // REGENATLAS_CMD_REGENATLAS_CLASSIFIER_RULES_H_
