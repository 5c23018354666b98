// The data-quality report (ListDataIssues): the findings the write hooks
// stored per record (see catalog_findings.h), plus possible duplicates (products sharing a
// normalised identifying name), filtered with the List methods' filter
// language and paged.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/paging.h"
#include "common/status_macros.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_findings.h"
#include "services/catalog/catalog_internal.h"
#include "storage/key.h"

namespace regenatlas::catalog {
namespace {

using internal::EnumField;
using internal::EnumName;
using internal::kIndexCf;
using internal::kIssueKey;
using internal::kNameKey;
using internal::StringField;
using storage::Key;
using storage::KeyReader;
using storage::ScanRange;

// In-memory postings over a small list of findings, so that ListDataIssues
// shares the filter language with the List methods.
class IssuePostings : public filter::Postings {
 public:
  explicit IssuePostings(const std::vector<DataIssue>& issues) : issues_(issues) {}
  absl::StatusOr<std::vector<std::string>> Match(const std::string& field, const filter::FieldSpec&,
                                                 filter::Op op, const std::string& value) override {
    std::vector<std::string> out;
    for (size_t i = 0; i < issues_.size(); ++i) {
      const DataIssue& d = issues_[i];
      // A finding is about a product when it is the record or a related
      // record, and about a document when it cites it.
      std::vector<std::string> values;
      if (field == "kind") {
        values.push_back(EnumName(catalog::v1::DataIssueKind_descriptor(), d.kind()));
      } else if (field == "severity") {
        values.push_back(EnumName(catalog::v1::DataIssueSeverity_descriptor(), d.severity()));
      } else if (field == "record") {
        values.push_back(d.record());
      } else if (field == "product") {
        values.push_back(d.record());
        values.insert(values.end(), d.related_records().begin(), d.related_records().end());
      } else if (field == "source") {
        for (const auto& c : d.citations()) values.push_back(c.source());
      } else {
        values.push_back(d.field());
      }
      const bool any = op == filter::Op::kHas && value == "*";
      if (std::any_of(values.begin(), values.end(),
                      [&](const std::string& v) { return (any && !v.empty()) || v == value; })) {
        out.push_back(Id(i));
      }
    }
    return out;
  }
  absl::StatusOr<std::vector<std::string>> All() override {
    std::vector<std::string> out;
    for (size_t i = 0; i < issues_.size(); ++i) out.push_back(Id(i));
    return out;
  }
  static std::string Id(size_t i) { return absl::StrFormat("%08d", i); }

 private:
  const std::vector<DataIssue>& issues_;
};

}  // namespace

absl::StatusOr<catalog::v1::ListDataIssuesResponse> Catalog::ListDataIssues(
    const catalog::v1::ListDataIssuesRequest& request) const {
  static const auto* schema = new filter::Schema{
      {"kind", EnumField(catalog::v1::DataIssueKind_descriptor(), "DATA_ISSUE_KIND_")},
      {"severity", EnumField(catalog::v1::DataIssueSeverity_descriptor(), "DATA_ISSUE_SEVERITY_")},
      {"record", StringField()},
      {"field", StringField()},
      {"product", StringField()},
      {"source", StringField()},
  };
  ASSIGN_OR_RETURN(int limit, NormalizePageSize(request.page_size()));
  ASSIGN_OR_RETURN(std::unique_ptr<filter::Node> node, filter::Parse(request.filter()));
  RETURN_IF_ERROR(filter::Resolve(node.get(), *schema));
  const std::string query = absl::StrCat("issues|", filter::Canonical(node.get()));
  std::string after;
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(after, DecodePageToken(request.page_token(), query));
  }

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
    d.set_kind(catalog::v1::DATA_ISSUE_KIND_POSSIBLE_DUPLICATE);
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
  for (DataIssue& d : issues) {
    if (d.severity() == catalog::v1::DATA_ISSUE_SEVERITY_UNSPECIFIED) {
      d.set_severity(SeverityOf(d.kind()));
    }
  }
  auto position = [](const DataIssue& d) {
    return Key()
        .String(d.record())
        .Int64(d.kind())
        .String(d.field())
        .String(d.description())
        .Release();
  };
  std::sort(issues.begin(), issues.end(),
            [&](const DataIssue& a, const DataIssue& b) { return position(a) < position(b); });
  IssuePostings postings(issues);
  ASSIGN_OR_RETURN(std::vector<std::string> matching,
                   filter::Evaluate(node.get(), *schema, postings));

  catalog::v1::ListDataIssuesResponse response;
  response.set_total_size(static_cast<int>(matching.size()));
  for (const std::string& idx : matching) {
    const DataIssue& d = issues[std::stoul(idx)];
    std::string pos = position(d);
    if (!after.empty() && pos <= after) continue;
    if (response.issues_size() == limit) {
      response.set_next_page_token(EncodePageToken(query, position(response.issues(limit - 1))));
      break;
    }
    *response.add_issues() = d;
  }
  return response;
}

}  // namespace regenatlas::catalog
