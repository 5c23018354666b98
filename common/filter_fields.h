#ifndef REGENATLAS_COMMON_FILTER_FIELDS_H_
#define REGENATLAS_COMMON_FILTER_FIELDS_H_

// The filter vocabulary every service's schema is written in: builders for
// the kinds of field a filter can name (filter::FieldSpec) and the helpers
// that turn a record's values into the postings those fields are matched
// against. One definition, so that "country", "source" or an enum field
// behave the same in every service.

#include <set>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/filter.h"
#include "common/table_index.h"
#include "google/protobuf/descriptor.h"

namespace regenatlas::filter {

// The full name of an enum value ("PHASE_2"), or its number when the value is
// unknown to this build (a newer writer's value still gets a posting).
std::string EnumName(const google::protobuf::EnumDescriptor* type, int value);
std::vector<std::string> EnumNames(const google::protobuf::EnumDescriptor* type);

// An enum field; filters may name values with or without `prefix`
// ("PHASE_2" or "2" for prefix "PHASE_"). `ordered` allows <, <=, >, >=
// (the owner then posts the value's rank as its number).
FieldSpec EnumField(const google::protobuf::EnumDescriptor* type, absl::string_view prefix,
                    bool repeated = false, bool ordered = false);

// A reference to a resource of `collection`; values are "collection/id" or
// the bare id.
FieldSpec ResourceField(absl::string_view collection, bool repeated);

// A code compared upper-cased (currencies, jurisdictions, regions, agencies).
FieldSpec CodeField(bool repeated = false);

// A repeated ISO 3166-1 alpha-2 country code; anything else is refused.
FieldSpec CountryField();

// A plain string, compared exactly.
FieldSpec StringField(bool repeated = false);

// An int64 field (years, counts) with <, <=, >, >=.
FieldSpec IntField();

// true / false.
FieldSpec BoolField();

// One "source" posting per distinct cited source of a record; `citations` is
// any range of messages with a `source()` accessor.
template <typename Citations>
void AddSources(std::vector<Posting>& out, const Citations& citations) {
  std::set<std::string> seen;
  for (const auto& c : citations) {
    if (seen.insert(c.source()).second) out.emplace_back("source", c.source());
  }
}

}  // namespace regenatlas::filter

#endif  // REGENATLAS_COMMON_FILTER_FIELDS_H_
