// Data-quality findings computed from records alone (no store access): the
// conflicting claims of any record, and the findings about a trial's quotes,
// a product's names and a product's trials. The write hooks store what these
// return (see catalog_hooks.cc); ListDataIssues serves it.
#ifndef REGENATLAS_SERVICES_CATALOG_CATALOG_FINDINGS_H_
#define REGENATLAS_SERVICES_CATALOG_CATALOG_FINDINGS_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/dataset.h"
#include "regenatlas/catalog/v1/catalog_service.pb.h"
#include "regenatlas/catalog/v1/resources.pb.h"
#include "regenatlas/common/v1/data_issue.pb.h"

namespace regenatlas::catalog {

// True when every claim cites one document, some from a table ("Table …"
// locator) and some from its prose: the document disagrees with itself.
bool TableVersusProse(const std::vector<const common::v1::Claim*>& claims);

// Findings derived from a record's claims: one per field whose sources state
// different values (TABLE_PROSE_DISAGREEMENT when one document's table and
// prose disagree about phase or start date, CONFLICTING_STATEMENTS
// otherwise).
template <typename T>
void ClaimIssues(const T& record, std::vector<common::v1::DataIssue>& out) {
  std::map<std::string, std::vector<const common::v1::Claim*>> by_field;
  for (const auto& c : record.claims()) by_field[c.field()].push_back(&c);
  for (const auto& [field, claims] : by_field) {
    std::set<std::string> values;
    for (const auto* c : claims) values.insert(c->value());
    if (values.size() < 2) continue;
    // "2025" and "2025-03" say the same thing at different precision.
    if (DatesRefineEachOther({values.begin(), values.end()})) continue;
    common::v1::DataIssue issue;
    // Phase and start year are what a table and its prose restate per trial.
    const bool one_document =
        (field == "phase" || field == "start_date") && TableVersusProse(claims);
    issue.set_kind(one_document ? common::v1::DATA_ISSUE_KIND_TABLE_PROSE_DISAGREEMENT
                                : common::v1::DATA_ISSUE_KIND_CONFLICTING_STATEMENTS);
    issue.set_record(record.name());
    issue.set_field(field);
    issue.set_description(absl::StrCat(
        one_document ? "the table and the prose of " : "sources disagree about ",
        one_document ? absl::StrCat(claims.front()->citation().source(), " disagree about ") : "",
        field, ": ", absl::StrJoin(values, " vs ")));
    for (const std::string& v : values) issue.add_values(v);
    for (const auto* c : claims) *issue.add_citations() = c->citation();
    out.push_back(std::move(issue));
  }
}

// The registry IDs printed in `text`, canonical spelling, in order.
std::vector<common::v1::RegistryId> RegistryIdsIn(absl::string_view text);

// Findings about a trial's own quotes: one of its registry IDs printed next
// to the IDs of several trials (REGISTRY_ID_NEXT_TO_SEVERAL_TRIALS).
std::vector<common::v1::DataIssue> TrialQuoteIssues(const catalog::v1::Trial& trial);

// UNSTATED_NAME_MERGE: the product's names fall into groups that no quote
// of the product prints together (names printed in one quote, or one
// containing the other, are one group; names no quote prints are ignored).
std::vector<common::v1::DataIssue> NameMergeIssues(const catalog::v1::Product& product);

// A trial as one product's derivation read it: the phase and countries used,
// and the statement they came from (null: the trial's merged fields).
struct TrialUse {
  const catalog::v1::Trial* trial;
  const catalog::v1::TrialProductStatement* statement;
};

// Findings about a product's trials: registry IDs of one registry that
// different documents give the product (PRODUCT_REGISTRY_IDS_DIFFER), and
// derived fields resting on a trial whose sources disagree
// (DERIVED_FROM_CONFLICTING_CLAIM).
std::vector<common::v1::DataIssue> ProductTrialIssues(const catalog::v1::Product& product,
                                                      const std::vector<TrialUse>& uses);

// The year a registry ID was issued, from its number (NCT: sequential
// ranges by year; ChiCTR, CTR, CDE, EudraCT, CTIS, CTRI: the year in the
// ID). `bounded_below` is false for the earliest NCT era, which holds trials
// registered years after they started.
struct IssueEra {
  int year;
  bool bounded_below;
};
std::optional<IssueEra> RegistryIdEra(const common::v1::RegistryId& id);

// IMPLAUSIBLE_REGISTRY_ID_DATE: a start year a source states more than
// three years before or after the year the trial's registry ID was issued.
std::vector<common::v1::DataIssue> RegistryIdDateIssues(const catalog::v1::Trial& trial);

// The severity a finding of `kind` has.
common::v1::DataIssueSeverity SeverityOf(common::v1::DataIssueKind kind);

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_CATALOG_FINDINGS_H_
