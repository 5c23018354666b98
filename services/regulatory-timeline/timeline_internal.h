#ifndef REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_INTERNAL_H_
#define REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_INTERNAL_H_

// Declarations shared by the timeline's .cc files (timeline.cc,
// timeline_schema.cc, timeline_validation.cc, timeline_views.cc,
// stage_outbox.cc); not part of the domain's API.

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/filter.h"
#include "common/filter_fields.h"
#include "common/postings.h"
#include "google/protobuf/descriptor.h"
#include "regenatlas/common/v1/common.pb.h"
#include "regenatlas/timeline/v1/resources.pb.h"
#include "storage/column_family.h"

namespace regenatlas::timeline::internal {

inline constexpr storage::ColumnFamily kIndexCf = storage::ColumnFamily::kTimelineIndex;
inline constexpr storage::ColumnFamily kRecordsCf = storage::ColumnFamily::kTimeline;

// ---- timeline_schema.cc ----------------------------------------------------

// Enum values as postings store them (common/filter_fields.h).
using filter::EnumName;

// The filter postings of a record.
std::vector<Posting> PostingsOf(const timeline::v1::Event& e);
std::vector<Posting> PostingsOf(const timeline::v1::Policy& p);

// The schema of WatchEvents filters: the event and policy fields together.
const filter::Schema& WatchSchema();

// Whether one record's `postings` match a filter resolved against
// WatchSchema(), with the date-period semantics of the index.
absl::StatusOr<bool> MatchesOne(const filter::Node* filter, std::vector<Posting> postings);

// ---- stage_outbox.cc ------------------------------------------------------

// The stage an event moves its products to, if any.
std::optional<common::v1::DevelopmentStage> StageOf(const timeline::v1::Event& e);

}  // namespace regenatlas::timeline::internal

#endif  // REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_INTERNAL_H_
