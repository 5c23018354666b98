// --classification_rules → a loaded Classifier (see classifier_rules.h).
#include "cmd/regenatlas/classifier_rules.h"

#include <filesystem>
#include <memory>
#include <string>

#include "common/status_macros.h"

namespace regenatlas::cli {

using catalog::classification::Classifier;

absl::StatusOr<std::shared_ptr<const Classifier>> LoadClassifierRules(const std::string& flag,
                                                                      const std::string& dataset) {
  std::string path = flag;
  if (path.empty()) {
    if (dataset == "none") return nullptr;
    path = (std::filesystem::path(dataset) / "classification" / "rules.json").string();
    // A dataset of one's own need not classify trials.
    if (!std::filesystem::exists(path)) return nullptr;
  }
  if (path == "none") return nullptr;
  ASSIGN_OR_RETURN(Classifier classifier, Classifier::FromFile(path),
                   _ << "--classification_rules " << path);
  return std::make_shared<const Classifier>(std::move(classifier));
}

}  // namespace regenatlas::cli
