// The value tables of the ClinicalTrials.gov mapping (ctgov_mapping.h):
// phases to stages, statuses, organization classes to kinds, and the slugs
// that name created organizations. Kept apart from the field-by-field rules
// in ctgov_mapping.cc.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_join.h"
#include "services/catalog/ctgov_mapping.h"

namespace regenatlas::catalog {

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

namespace ctgov {

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

}  // namespace ctgov
}  // namespace regenatlas::catalog
