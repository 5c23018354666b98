// Validation of hand-recorded findings and their quote check (see
// curated_findings.h).
#include "services/catalog/curated_findings.h"

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "regenatlas/common/v1/common.pb.h"

namespace regenatlas::catalog {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// "collection/id" with both parts non-empty and no further '/'.
bool IsResourceName(absl::string_view name) {
  std::vector<absl::string_view> parts = absl::StrSplit(name, '/');
  return parts.size() == 2 && !parts[0].empty() && !parts[1].empty();
}

}  // namespace

void CitedQuotes::Add(const Message& message) {
  if (message.GetDescriptor() == common::v1::SourceCitation::descriptor()) {
    const auto& c = static_cast<const common::v1::SourceCitation&>(message);
    if (!c.quote().empty()) by_source_[c.source()].push_back(c.quote());
    return;
  }
  const auto* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* f : fields) {
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (!f->is_repeated()) {
      Add(reflection->GetMessage(message, f));
      continue;
    }
    for (int i = 0; i < reflection->FieldSize(message, f); ++i) {
      Add(reflection->GetRepeatedMessage(message, f, i));
    }
  }
}

bool CitedQuotes::Contains(absl::string_view source, absl::string_view quote) const {
  auto it = by_source_.find(source);
  if (it == by_source_.end() || quote.empty()) return false;
  return std::any_of(it->second.begin(), it->second.end(),
                     [&](const std::string& q) { return absl::StrContains(q, quote); });
}

std::vector<std::string> CuratedFindingErrors(const catalog::v1::CuratedFinding& finding,
                                              const std::vector<std::string>& sources,
                                              const CitedQuotes& quotes) {
  std::vector<std::string> errors;
  if (!absl::StartsWith(finding.name(), "findings/") || !IsResourceName(finding.name())) {
    errors.push_back(absl::StrCat("name \"", finding.name(), "\" is not findings/{id}"));
  }
  if (finding.kind() == common::v1::DATA_ISSUE_KIND_UNSPECIFIED) {
    errors.push_back("kind is required");
  }
  if (!IsResourceName(finding.record())) {
    errors.push_back(absl::StrCat("record \"", finding.record(), "\" is not a resource name"));
  }
  if (finding.description().empty()) errors.push_back("description is required");
  if (finding.citations().empty()) errors.push_back("at least one citation is required");
  for (const auto& c : finding.citations()) {
    if (std::find(sources.begin(), sources.end(), c.source()) == sources.end()) {
      errors.push_back(absl::StrCat("citation source \"", c.source(), "\" is not a source"));
    } else if (c.quote().empty()) {
      errors.push_back(absl::StrCat("citation of ", c.source(), " has no quote"));
    } else if (!quotes.Contains(c.source(), c.quote())) {
      errors.push_back(absl::StrCat("quote \"", c.quote(),
                                    "\" is not in a quote that records cite from ", c.source()));
    }
  }
  return errors;
}

common::v1::DataIssue CuratedFindingIssue(const catalog::v1::CuratedFinding& finding) {
  common::v1::DataIssue d;
  d.set_kind(finding.kind());
  d.set_record(finding.record());
  d.set_field(finding.field());
  d.set_description(finding.description());
  *d.mutable_values() = finding.values();
  *d.mutable_citations() = finding.citations();
  *d.mutable_related_records() = finding.related_records();
  d.set_hand_recorded(true);
  return d;
}

}  // namespace regenatlas::catalog
