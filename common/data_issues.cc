// Filtering and paging of data-quality findings, shared by the catalog's,
// the timeline's and the analytics service's ListDataIssues.
#include "common/data_issues.h"

#include <algorithm>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/filter.h"
#include "common/filter_fields.h"
#include "common/paging.h"
#include "storage/key.h"

namespace regenatlas {
namespace {

using common::v1::DataIssue;

const filter::Schema& IssueSchema() {
  static const auto* schema = new filter::Schema{
      {"kind", filter::EnumField(common::v1::DataIssueKind_descriptor(), "DATA_ISSUE_KIND_")},
      {"severity",
       filter::EnumField(common::v1::DataIssueSeverity_descriptor(), "DATA_ISSUE_SEVERITY_")},
      {"record", filter::StringField()},
      {"field", filter::StringField()},
      {"product", filter::StringField()},
      {"source", filter::StringField()},
      {"hand_recorded", filter::BoolField()},
  };
  return *schema;
}

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
        values.push_back(filter::EnumName(common::v1::DataIssueKind_descriptor(), d.kind()));
      } else if (field == "severity") {
        values.push_back(
            filter::EnumName(common::v1::DataIssueSeverity_descriptor(), d.severity()));
      } else if (field == "record") {
        values.push_back(d.record());
      } else if (field == "product") {
        values.push_back(d.record());
        values.insert(values.end(), d.related_records().begin(), d.related_records().end());
      } else if (field == "source") {
        for (const auto& c : d.citations()) values.push_back(c.source());
      } else if (field == "hand_recorded") {
        values.push_back(d.hand_recorded() ? "true" : "false");
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

std::string Position(const DataIssue& d) {
  return storage::Key()
      .String(d.record())
      .Int64(d.kind())
      .String(d.field())
      .String(d.description())
      .Release();
}

struct Parsed {
  int limit = 0;
  std::unique_ptr<filter::Node> node;
  std::string query;
  std::string after;
};

absl::StatusOr<Parsed> Parse(int32_t page_size, absl::string_view page_token,
                             absl::string_view filter, absl::string_view service) {
  Parsed p;
  ASSIGN_OR_RETURN(p.limit, NormalizePageSize(page_size));
  ASSIGN_OR_RETURN(p.node, filter::Parse(std::string(filter)));
  RETURN_IF_ERROR(filter::Resolve(p.node.get(), IssueSchema()));
  // The catalog's tokens predate the other services' and stay valid.
  p.query = service == "catalog"
                ? absl::StrCat("issues|", filter::Canonical(p.node.get()))
                : absl::StrCat(service, "|issues|", filter::Canonical(p.node.get()));
  if (!page_token.empty()) {
    ASSIGN_OR_RETURN(p.after, DecodePageToken(page_token, p.query));
  }
  return p;
}

}  // namespace

common::v1::DataIssueSeverity DataIssueSeverityOf(common::v1::DataIssueKind kind) {
  switch (kind) {
    case common::v1::DATA_ISSUE_KIND_MALFORMED_REGISTRY_ID:
    case common::v1::DATA_ISSUE_KIND_TRIAL_ID_SHARED_BY_PRODUCTS:
    case common::v1::DATA_ISSUE_KIND_CONFLICTING_STATEMENTS:
    case common::v1::DATA_ISSUE_KIND_MISSING_REFERENCE:
    case common::v1::DATA_ISSUE_KIND_TABLE_PROSE_DISAGREEMENT:
    case common::v1::DATA_ISSUE_KIND_STALE_STATEMENT:
      return common::v1::DATA_ISSUE_SEVERITY_ERROR;
    case common::v1::DATA_ISSUE_KIND_POSSIBLE_DUPLICATE:
    case common::v1::DATA_ISSUE_KIND_REGISTRY_ID_NEXT_TO_SEVERAL_TRIALS:
    case common::v1::DATA_ISSUE_KIND_PRODUCT_REGISTRY_IDS_DIFFER:
    case common::v1::DATA_ISSUE_KIND_DERIVED_FROM_CONFLICTING_CLAIM:
    case common::v1::DATA_ISSUE_KIND_IMPLAUSIBLE_REGISTRY_ID_DATE:
    case common::v1::DATA_ISSUE_KIND_INFERRED_CURRENCY:
    case common::v1::DATA_ISSUE_KIND_CURATOR_NOTE:
      return common::v1::DATA_ISSUE_SEVERITY_WARNING;
    default:
      return common::v1::DATA_ISSUE_SEVERITY_INFO;
  }
}

absl::Status ValidateDataIssuesRequest(int32_t page_size, absl::string_view page_token,
                                       absl::string_view filter, absl::string_view service) {
  return Parse(page_size, page_token, filter, service).status();
}

absl::StatusOr<DataIssuePage> PageDataIssues(std::vector<DataIssue> issues, int32_t page_size,
                                             absl::string_view page_token, absl::string_view filter,
                                             absl::string_view service) {
  ASSIGN_OR_RETURN(Parsed p, Parse(page_size, page_token, filter, service));
  for (DataIssue& d : issues) {
    if (d.severity() == common::v1::DATA_ISSUE_SEVERITY_UNSPECIFIED) {
      d.set_severity(DataIssueSeverityOf(d.kind()));
    }
  }
  std::sort(issues.begin(), issues.end(),
            [](const DataIssue& a, const DataIssue& b) { return Position(a) < Position(b); });
  IssuePostings postings(issues);
  ASSIGN_OR_RETURN(std::vector<std::string> matching,
                   filter::Evaluate(p.node.get(), IssueSchema(), postings));
  DataIssuePage page;
  page.total_size = static_cast<int>(matching.size());
  for (const std::string& idx : matching) {
    DataIssue& d = issues[std::stoul(idx)];
    if (!p.after.empty() && Position(d) <= p.after) continue;
    if (static_cast<int>(page.issues.size()) == p.limit) {
      page.next_page_token = EncodePageToken(p.query, Position(page.issues.back()));
      break;
    }
    page.issues.push_back(std::move(d));
  }
  return page;
}

}  // namespace regenatlas
