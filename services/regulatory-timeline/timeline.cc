// The timeline's writes (event writes commit their stage-outbox markers
// through the write hook set up in timeline_schema.cc) and the change
// stream behind WatchEvents. Tables, schemas and lists: timeline_schema.cc;
// validation: timeline_validation.cc; computed views: timeline_views.cc;
// regulatory stages: stage_outbox.cc.

#include "services/regulatory-timeline/timeline.h"

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/paging.h"
#include "common/status_macros.h"
#include "services/regulatory-timeline/timeline_internal.h"
#include "storage/key.h"

namespace regenatlas::timeline {

// ---- Watch -------------------------------------------------------------------------

std::string Timeline::ResumeToken(uint64_t seq) {
  return EncodePageToken("watch", storage::Key().Uint64(seq).Release());
}

absl::StatusOr<Timeline::WatchQuery> Timeline::PrepareWatch(
    const timeline::v1::WatchEventsRequest& request) const {
  WatchQuery q;
  ASSIGN_OR_RETURN(std::unique_ptr<filter::Node> node, filter::Parse(request.filter()));
  RETURN_IF_ERROR(filter::Resolve(node.get(), internal::WatchSchema()));
  q.filter = std::move(node);
  q.include_policies = request.include_policies();
  if (request.resume_token().empty()) {
    q.position.after_seq = store_->LastChangeSeq();
  } else {
    absl::StatusOr<std::string> position = DecodePageToken(request.resume_token(), "watch");
    if (!position.ok()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "resume_token: ", position.status().message().substr(strlen("page_token: "))));
    }
    storage::KeyReader reader(*position);
    absl::StatusOr<uint64_t> seq = reader.Uint64();
    if (!seq.ok()) return absl::InvalidArgumentError("resume_token: malformed");
    q.position.after_seq = *seq;
  }
  return q;
}

absl::StatusOr<std::vector<WatchChange>> Timeline::ReadChanges(WatchQuery& query,
                                                               size_t limit) const {
  std::vector<WatchChange> out;
  while (out.size() < limit) {
    ASSIGN_OR_RETURN(std::vector<storage::Change> changes,
                     store_->ReadChanges(kChangeStream, query.position.after_seq, limit));
    if (changes.empty()) break;
    for (const storage::Change& c : changes) {
      query.position.after_seq = c.seq;
      common::v1::ResourceChange rc;
      if (!rc.ParseFromString(c.payload)) {
        return absl::DataLossError(absl::StrCat("timeline: change ", c.seq, " does not parse"));
      }
      WatchChange wc;
      wc.seq = c.seq;
      wc.time = c.time;
      std::vector<Posting> postings;
      if (rc.resource().Is<Event>()) {
        if (!rc.resource().UnpackTo(wc.response.mutable_event())) continue;
        postings = internal::PostingsOf(wc.response.event());
      } else if (rc.resource().Is<Policy>()) {
        if (!query.include_policies) continue;
        if (!rc.resource().UnpackTo(wc.response.mutable_policy())) continue;
        postings = internal::PostingsOf(wc.response.policy());
      } else {
        continue;
      }
      ASSIGN_OR_RETURN(bool match, internal::MatchesOne(query.filter.get(), std::move(postings)));
      if (!match) continue;
      wc.response.set_kind(rc.kind());
      const int64_t micros = absl::ToUnixMicros(c.time);
      wc.response.mutable_commit_time()->set_seconds(micros / 1000000);
      wc.response.mutable_commit_time()->set_nanos(static_cast<int32_t>(micros % 1000000) * 1000);
      wc.response.set_resume_token(ResumeToken(c.seq));
      out.push_back(std::move(wc));
      if (out.size() == limit) break;
    }
  }
  return out;
}

uint64_t Timeline::AddChangeListener(std::function<void()> listener) {
  return store_->AddChangeListener([listener = std::move(listener)](uint64_t) { listener(); });
}

void Timeline::RemoveChangeListener(uint64_t id) { store_->RemoveChangeListener(id); }

}  // namespace regenatlas::timeline
