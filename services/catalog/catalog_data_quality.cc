// The catalog's data-quality report (ListDataIssues): the findings the write
// hooks stored per record (see catalog_findings.h), the hand-recorded ones
// the dataset loader stored (curated_findings.h), plus possible duplicates
// (products sharing a normalised identifying name); filtered and paged by
// common/data_issues.h like the other services' reports.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/data_issues.h"
#include "common/status_macros.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_findings.h"
#include "services/catalog/catalog_internal.h"
#include "storage/key.h"

namespace regenatlas::catalog {
namespace {

using internal::kCuratedIssueRecord;
using internal::kIndexCf;
using internal::kIssueKey;
using internal::kNameKey;
using storage::Key;
using storage::KeyReader;
using storage::ScanRange;

}  // namespace

absl::Status Catalog::ReplaceCuratedFindings(const std::vector<DataIssue>& issues) {
  storage::WriteBatch batch;
  batch.set_sync(false);
  RETURN_IF_ERROR(StageIssues(kCuratedIssueRecord, issues, batch));
  return store_->Write(std::move(batch)).status();
}

absl::StatusOr<catalog::v1::ListDataIssuesResponse> Catalog::ListDataIssues(
    const catalog::v1::ListDataIssuesRequest& request) const {
  RETURN_IF_ERROR(ValidateDataIssuesRequest(request.page_size(), request.page_token(),
                                            request.filter(), "catalog"));
  std::shared_ptr<const storage::Snapshot> snapshot = store_->NewSnapshot();
  std::vector<DataIssue> issues;
  RETURN_IF_ERROR(
      store_->Scan(kIndexCf, ScanRange::Prefix(Key().String(kIssueKey).bytes()), snapshot.get(),
                   [&](absl::string_view, absl::string_view value) {
                     DataIssue d;
                     if (d.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
                       issues.push_back(std::move(d));
                     }
                     return true;
                   }));
  // Possible duplicates: products sharing a normalised identifying name.
  std::map<std::string, std::vector<std::string>> by_name;
  std::string name_prefix = Key().String(kNameKey).Release();
  RETURN_IF_ERROR(store_->Scan(kIndexCf, ScanRange::Prefix(name_prefix), snapshot.get(),
                               [&](absl::string_view key, absl::string_view) {
                                 KeyReader r(key.substr(name_prefix.size()));
                                 absl::StatusOr<std::string> name = r.String();
                                 absl::StatusOr<std::string> id = r.String();
                                 if (name.ok() && id.ok()) by_name[*name].push_back(*id);
                                 return true;
                               }));
  for (const auto& [name, ids] : by_name) {
    if (ids.size() < 2) continue;
    DataIssue d;
    d.set_kind(common::v1::DATA_ISSUE_KIND_POSSIBLE_DUPLICATE);
    d.set_record(products_.NameOf(ids[0]));
    d.set_field("names");
    std::vector<std::string> names;
    for (const std::string& id : ids) names.push_back(products_.NameOf(id));
    d.set_description(absl::StrCat(absl::StrJoin(names, ", "), " share the name \"", name, "\""));
    d.add_values(name);
    for (size_t i = 1; i < names.size(); ++i) d.add_related_records(names[i]);
    for (const std::string& id : ids) {
      Product p;
      absl::StatusOr<bool> found = products_.FindRaw(id, &p, snapshot.get());
      if (found.ok() && *found && !p.sources().empty()) *d.add_citations() = p.sources(0);
    }
    issues.push_back(std::move(d));
  }
  return regenatlas::ListDataIssues<catalog::v1::ListDataIssuesResponse>(std::move(issues), request,
                                                                         "catalog");
}

}  // namespace regenatlas::catalog
