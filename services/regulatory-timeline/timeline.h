#ifndef REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_H_
#define REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_H_

#include <functional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/resource_table.h"
#include "regenatlas/timeline/v1/resources.pb.h"
#include "storage/store.h"

namespace regenatlas::timeline {

using timeline::v1::Policy;

// How the timeline domain is configured.
struct TimelineOptions {
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

// The regulatory timeline's domain logic over its own column families. No
// gRPC here; statuses as in the catalog. Thread-safe.
class Timeline {
 public:
  static constexpr absl::string_view kChangeStream = "timeline";

  // `store` is not owned and must outlive the Timeline.
  Timeline(storage::Store* store, TimelineOptions options);

  ResourceTable<Policy>& policies() { return policies_; }

  // INVALID_ARGUMENT naming the first bad field of `policy`.
  static absl::Status ValidatePolicy(const Policy& policy);

 private:
  absl::Mutex write_mu_;
  ResourceTable<Policy> policies_;
};

}  // namespace regenatlas::timeline

#endif  // REGENATLAS_SERVICES_REGULATORY_TIMELINE_TIMELINE_H_
