// Data-quality findings computed from records alone: registry IDs a quote
// prints next to several trials, product names no
// document prints together, registry IDs that differ between documents and
// derived fields resting on disagreeing sources (see catalog_findings.h).
#include "services/catalog/catalog_findings.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/data_issues.h"
#include "services/catalog/catalog_internal.h"
#include "services/catalog/registry_id.h"
#include "services/catalog/text.h"

namespace regenatlas::catalog {
namespace {

using common::v1::DataIssue;
using common::v1::SourceCitation;

bool IdChar(char c) { return absl::ascii_isalnum(c) || c == '/' || c == '-'; }

// Every citation of a trial: its sources and its claims' statements.
std::vector<const SourceCitation*> CitationsOf(const catalog::v1::Trial& trial) {
  std::vector<const SourceCitation*> out;
  for (const auto& c : trial.sources()) out.push_back(&c);
  for (const auto& c : trial.claims()) out.push_back(&c.citation());
  return out;
}

// Union-find over name indexes.
int Root(std::vector<int>& parent, int i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

}  // namespace

bool TableVersusProse(const std::vector<const common::v1::Claim*>& claims) {
  bool table = false, prose = false;
  for (const auto* c : claims) {
    if (c->citation().source() != claims.front()->citation().source()) return false;
    (absl::StartsWith(c->citation().locator(), "Table") ? table : prose) = true;
  }
  return table && prose;
}

std::vector<common::v1::RegistryId> RegistryIdsIn(absl::string_view text) {
  std::vector<common::v1::RegistryId> out;
  size_t i = 0;
  while (i < text.size()) {
    if (!IdChar(text[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && IdChar(text[j])) ++j;
    absl::string_view token = text.substr(i, j - i);
    while (!token.empty() && (token.back() == '-' || token.back() == '/')) token.remove_suffix(1);
    // The shortest IDs (UMIN000012345, KCT0001234) are 10 characters.
    if (token.size() >= 8) {
      absl::StatusOr<common::v1::RegistryId> id = ParseRegistryId(token);
      if (id.ok()) out.push_back(*id);
    }
    i = j;
  }
  return out;
}

std::vector<DataIssue> TrialQuoteIssues(const catalog::v1::Trial& trial) {
  std::vector<DataIssue> out;
  std::set<std::string> own;
  for (const auto& id : internal::AllIds(trial)) own.insert(id.id());
  std::set<std::string> reported;
  for (const SourceCitation* c : CitationsOf(trial)) {
    std::vector<common::v1::RegistryId> printed = RegistryIdsIn(c->quote());
    // Registry → the distinct IDs the quote prints, and whether one is ours.
    std::map<int, std::set<std::string>> by_registry;
    for (const auto& id : printed) by_registry[id.registry()].insert(id.id());
    for (const auto& x : printed) {
      if (!own.count(x.id()) || reported.count(x.id())) continue;
      for (const auto& [registry, ids] : by_registry) {
        if (registry == x.registry() || ids.size() < 2) continue;
        bool ours = false, others = false;
        for (const std::string& id : ids) (own.count(id) ? ours : others) = true;
        if (!ours || !others) continue;
        DataIssue issue;
        issue.set_kind(common::v1::DATA_ISSUE_KIND_REGISTRY_ID_NEXT_TO_SEVERAL_TRIALS);
        issue.set_record(trial.name());
        issue.set_field(trial.primary_id().id() == x.id() ? "primary_id" : "secondary_ids");
        issue.set_description(absl::StrCat(
            x.id(), " is printed in one statement with ", absl::StrJoin(ids, " and "),
            "; the document does not say which trial it belongs to, the curator attached it here"));
        issue.add_values(x.id());
        for (const std::string& id : ids) issue.add_values(id);
        *issue.add_citations() = *c;
        for (const std::string& p : trial.products()) issue.add_related_records(p);
        out.push_back(std::move(issue));
        reported.insert(x.id());
        break;
      }
    }
  }
  return out;
}

std::vector<DataIssue> NameMergeIssues(const catalog::v1::Product& product) {
  std::vector<std::string> names;
  std::vector<std::string> normalized;
  for (const auto& n : product.names()) {
    std::string norm = NormalizeForSearch(n.text());
    if (norm.empty() || std::find(normalized.begin(), normalized.end(), norm) != normalized.end()) {
      continue;
    }
    names.push_back(n.text());
    normalized.push_back(std::move(norm));
  }
  std::vector<int> parent(names.size());
  std::iota(parent.begin(), parent.end(), 0);
  std::vector<const SourceCitation*> first_quote(names.size(), nullptr);
  for (size_t i = 0; i < names.size(); ++i) {
    for (size_t j = 0; j < names.size(); ++j) {
      if (i != j && absl::StrContains(normalized[i], normalized[j])) {
        parent[Root(parent, static_cast<int>(i))] = Root(parent, static_cast<int>(j));
      }
    }
  }
  for (const auto& c : product.sources()) {
    const std::string quote = NormalizeForSearch(c.quote());
    int first = -1;
    for (size_t i = 0; i < names.size(); ++i) {
      if (!absl::StrContains(quote, normalized[i])) continue;
      if (first_quote[i] == nullptr) first_quote[i] = &c;
      if (first < 0) {
        first = static_cast<int>(i);
      } else {
        parent[Root(parent, static_cast<int>(i))] = Root(parent, first);
      }
    }
  }
  // Groups of printed names, in the order of their first name.
  std::map<int, std::vector<int>> groups;
  std::vector<int> order;
  for (size_t i = 0; i < names.size(); ++i) {
    if (first_quote[i] == nullptr) continue;
    int r = Root(parent, static_cast<int>(i));
    if (!groups.count(r)) order.push_back(r);
    groups[r].push_back(static_cast<int>(i));
  }
  if (order.size() < 2) return {};
  DataIssue issue;
  issue.set_kind(common::v1::DATA_ISSUE_KIND_UNSTATED_NAME_MERGE);
  issue.set_record(product.name());
  issue.set_field("names");
  std::vector<std::string> values;
  for (int r : order) {
    std::vector<std::string> group;
    for (int i : groups[r]) group.push_back(names[i]);
    values.push_back(absl::StrJoin(group, " / "));
    *issue.add_citations() = *first_quote[groups[r].front()];
  }
  issue.set_description(
      absl::StrCat("no quote prints these names together, so no document states they are one "
                   "product; the curator merged them: ",
                   absl::StrJoin(values, " | ")));
  for (std::string& v : values) issue.add_values(std::move(v));
  return {std::move(issue)};
}

std::vector<DataIssue> ProductTrialIssues(const catalog::v1::Product& product,
                                          const std::vector<TrialUse>& uses) {
  std::vector<DataIssue> out;
  // Registry IDs of one registry that no single document gives together.
  std::map<int, std::vector<const catalog::v1::Trial*>> by_registry;
  for (const TrialUse& u : uses) {
    if (!u.trial->primary_id().id().empty()) {
      by_registry[u.trial->primary_id().registry()].push_back(u.trial);
    }
  }
  auto documents = [](const catalog::v1::Trial& t) {
    std::set<std::string> docs;
    for (const auto& c : t.sources()) docs.insert(c.source());
    return docs;
  };
  for (const auto& [registry, trials] : by_registry) {
    if (trials.size() < 2) continue;
    std::vector<const catalog::v1::Trial*> apart;
    for (const auto* t : trials) {
      const std::set<std::string> mine = documents(*t);
      bool shares = false;
      for (const auto* other : trials) {
        if (other == t) continue;
        for (const std::string& d : documents(*other)) shares |= mine.count(d) > 0;
      }
      if (!shares) apart.push_back(t);
    }
    if (apart.size() < 2) continue;
    DataIssue issue;
    issue.set_kind(common::v1::DATA_ISSUE_KIND_PRODUCT_REGISTRY_IDS_DIFFER);
    issue.set_record(product.name());
    issue.set_field("trials");
    std::vector<std::string> ids;
    for (const auto* t : apart) {
      ids.push_back(t->primary_id().id());
      issue.add_values(t->primary_id().id());
      issue.add_related_records(t->name());
      if (!t->sources().empty()) *issue.add_citations() = t->sources(0);
    }
    issue.set_description(absl::StrCat("different documents give this product different ",
                                       RegistryName(static_cast<common::v1::Registry>(registry)),
                                       " IDs (", absl::StrJoin(ids, ", "),
                                       ") and none prints them together"));
    out.push_back(std::move(issue));
  }
  // Derived fields resting on a trial whose sources disagree.
  for (const TrialUse& u : uses) {
    std::map<std::string, std::vector<const common::v1::Claim*>> claims;
    for (const auto& c : u.trial->claims()) {
      if (c.field() == "phase" || c.field() == "start_date") claims[c.field()].push_back(&c);
    }
    for (const auto& [field, list] : claims) {
      std::set<std::string> values;
      for (const auto* c : list) values.insert(c->value());
      if (values.size() < 2 || DatesRefineEachOther({values.begin(), values.end()})) continue;
      DataIssue issue;
      issue.set_kind(common::v1::DATA_ISSUE_KIND_DERIVED_FROM_CONFLICTING_CLAIM);
      issue.set_record(product.name());
      issue.set_field(field == "phase" ? "highest_stage" : "first_trial_start");
      for (const std::string& v : values) issue.add_values(v);
      if (field == "phase" && u.statement != nullptr) {
        issue.set_description(
            absl::StrCat("derived from ", u.trial->name(), ", whose sources disagree about phase (",
                         absl::StrJoin(values, " vs "), "); this product's own statement gives ",
                         common::v1::DevelopmentStage_Name(u.statement->phase()), " in ",
                         absl::StrJoin(u.statement->countries(), ", ")));
        *issue.add_citations() = u.statement->citation();
      } else {
        issue.set_description(absl::StrCat("derived from ", u.trial->name(),
                                           ", whose sources disagree about ", field, " (",
                                           absl::StrJoin(values, " vs "), ")"));
      }
      for (const auto* c : list) *issue.add_citations() = c->citation();
      issue.add_related_records(u.trial->name());
      out.push_back(std::move(issue));
    }
  }
  return out;
}

common::v1::DataIssueSeverity SeverityOf(common::v1::DataIssueKind kind) {
  return DataIssueSeverityOf(kind);
}

}  // namespace regenatlas::catalog
