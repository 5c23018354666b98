#include "services/regulatory-timeline/timeline.h"

#include "common/dates.h"
#include "common/validation.h"

namespace regenatlas::timeline {
namespace {

ResourceTableOptions TableOptions(const TimelineOptions& options, std::string collection) {
  ResourceTableOptions t;
  t.collection = std::move(collection);
  t.records_cf = storage::ColumnFamily::kTimeline;
  t.index_cf = storage::ColumnFamily::kTimelineIndex;
  t.change_stream = std::string(Timeline::kChangeStream);
  t.clock = options.clock;
  return t;
}

}  // namespace

Timeline::Timeline(storage::Store* store, TimelineOptions options)
    : policies_(store, &write_mu_, TableOptions(options, "policies"), &Timeline::ValidatePolicy) {}

absl::Status Timeline::ValidatePolicy(const Policy& policy) {
  if (absl::Status s = ValidateEnum(policy.kind(), timeline::v1::PolicyKind_IsValid, true,
                                    "policy.kind");
      !s.ok()) {
    return s;
  }
  if (absl::Status s = ValidateJurisdiction(policy.jurisdiction(), "policy.jurisdiction"); !s.ok()) {
    return s;
  }
  if (!IsSet(policy.date())) return absl::InvalidArgumentError("policy.date: required");
  if (absl::Status s = ValidatePartialDate(policy.date(), "policy.date"); !s.ok()) return s;
  if (policy.title().empty()) return absl::InvalidArgumentError("policy.title: required");
  return ValidateCitations(policy.sources(), "policy.sources");
}

}  // namespace regenatlas::timeline
