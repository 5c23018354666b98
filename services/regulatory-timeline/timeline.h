#ifndef REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_H_
#define REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_H_

#include <atomic>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/filter.h"
#include "common/postings.h"
#include "common/resource_table.h"
#include "regenatlas/timeline/v1/resources.pb.h"
#include "regenatlas/timeline/v1/timeline_service.pb.h"
#include "services/catalog/catalog_client.h"
#include "services/regulatory-timeline/catalog_refs.h"
#include "storage/store.h"

namespace regenatlas::timeline {

using timeline::v1::Event;
using timeline::v1::Policy;

// How the timeline domain is configured.
struct TimelineOptions {
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

// A resumable position in the timeline's change stream.
struct WatchPosition {
  uint64_t after_seq = 0;
};

// One change delivered by Watch.
struct WatchChange {
  uint64_t seq = 0;
  absl::Time time;
  timeline::v1::WatchEventsResponse response;
};

// The regulatory timeline's domain logic: events and policies with
// validation (catalog references checked through `catalog`), date-aware
// filters and order, product timelines, milestone intervals, firsts, and
// the change stream behind WatchEvents. No gRPC server code here. Methods
// return INVALID_ARGUMENT naming the field, NOT_FOUND, ALREADY_EXISTS,
// ABORTED on etag mismatch, or the catalog's UNAVAILABLE; a failed write
// writes nothing. Thread-safe.
//
// Events of the types that move a product's regulatory stage (marketing
// application, conditional approval, approval, withdrawal) are summarised
// per jurisdiction and sent to the catalog (CatalogInternalService.
// SetRegulatoryStages) through a transactional outbox: the write commits
// the event and an outbox marker together, and StageSync delivers the
// marker with retries, so a committed write never fails because of the
// catalog and the catalog catches up after outages and restarts.
class Timeline {
 public:
  static constexpr absl::string_view kChangeStream = "timeline";

  // Nothing is owned; all must outlive the Timeline.
  Timeline(storage::Store* store, catalog::CatalogClient* catalog, TimelineOptions options);

  // Event writes commit their stage-outbox entry in the same batch (write
  // hook); the stage sync delivers it to the catalog, so a catalog that is
  // down never fails an event write.
  ResourceTable<Event>& events() { return events_; }
  ResourceTable<Policy>& policies() { return policies_; }

  // Recomputes and sends the regulatory stages of `products` (all products
  // with stage-moving events when empty). Idempotent.
  absl::Status SyncRegulatoryStages(std::vector<std::string> products = {});

  // The stage outbox. Every event write that touches a stage-moving event
  // marks its products in the same WriteBatch; DeliverStageOutbox() sends
  // each marked product's stages to the catalog and clears its marker
  // (unless a newer write re-marked it). A catalog that is down leaves the
  // markers for the next attempt, also after a restart. Returns how many
  // were delivered; stops at the first failure.
  absl::StatusOr<size_t> DeliverStageOutbox();
  // Marks every product with a stage-moving event (dataset loads).
  absl::Status EnqueueAllStages();
  // Markers not yet delivered.
  absl::StatusOr<size_t> PendingStageSyncs() const;

  absl::StatusOr<ListResult<Event>> ListEvents(const ListQuery& q) const;
  absl::StatusOr<ListResult<Policy>> ListPolicies(const ListQuery& q) const;

  absl::StatusOr<timeline::v1::ProductTimeline> GetProductTimeline(absl::string_view product) const;
  // The timeline's data-quality report, computed from its records: one
  // INFERRED_DATE per event or policy whose date the curator inferred.
  absl::StatusOr<timeline::v1::ListDataIssuesResponse> ListDataIssues(
      const timeline::v1::ListDataIssuesRequest& request) const;
  absl::StatusOr<timeline::v1::ComputeMilestoneIntervalsResponse> ComputeMilestoneIntervals(
      const timeline::v1::ComputeMilestoneIntervalsRequest& request) const;
  // Groups by request.dimension(); the deprecated string `group_by` is the
  // RPC layer's to translate (it is ignored here). Paged by group, with
  // tokens bound to the type, also_types, dimension and jurisdictions.
  absl::StatusOr<timeline::v1::ListFirstsResponse> ListFirsts(
      const timeline::v1::ListFirstsRequest& request) const;

  // Parses a WatchEvents request: the filter (validated) and the position.
  struct WatchQuery {
    std::unique_ptr<filter::Node> filter;
    bool include_policies = false;
    WatchPosition position;
  };
  absl::StatusOr<WatchQuery> PrepareWatch(const timeline::v1::WatchEventsRequest& request) const;
  // Up to `limit` matching changes after query.position (advanced past
  // every change read, matching or not).
  absl::StatusOr<std::vector<WatchChange>> ReadChanges(WatchQuery& query, size_t limit) const;
  // Calls `listener` (quick, non-blocking) after every commit to the store;
  // returns an id for RemoveChangeListener.
  uint64_t AddChangeListener(std::function<void()> listener);
  void RemoveChangeListener(uint64_t id);
  // The token a client resumes from after `seq`.
  static std::string ResumeToken(uint64_t seq);

  static const filter::Schema& EventSchema();
  static const filter::Schema& PolicySchema();

  // INVALID_ARGUMENT naming the first bad field (without catalog checks).
  static absl::Status ValidateEvent(const Event& event);
  static absl::Status ValidatePolicy(const Policy& policy);

 private:
  class TimelinePostings;

  absl::Status CheckCatalogRefs(const Event& event) const;
  absl::Status CheckCatalogSources(
      const google::protobuf::RepeatedPtrField<common::v1::SourceCitation>& sources,
      absl::string_view field) const;
  absl::StatusOr<std::vector<Event>> EventsOfType(timeline::v1::EventType type) const;
  void StageOutbox(storage::WriteBatch& batch, absl::string_view product);
  absl::StatusOr<std::set<std::string>> ProductsWithStageEvents() const;

  storage::Store* const store_;
  // The catalog, through its client (reference checks, trials, stages).
  const std::unique_ptr<CatalogRefs> catalog_;
  absl::Mutex write_mu_;
  std::atomic<uint64_t> outbox_nonce_{1};
  ResourceTable<Event> events_;
  ResourceTable<Policy> policies_;
};

}  // namespace regenatlas::timeline

#endif  // REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_H_
