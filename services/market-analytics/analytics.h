#ifndef REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_H_
#define REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_H_

#include <functional>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/resource_table.h"
#include "regenatlas/analytics/v1/resources.pb.h"
#include "storage/store.h"

namespace regenatlas::analytics {

using analytics::v1::FxRate;

// How the analytics domain is configured.
struct AnalyticsOptions {
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

// Market analytics' domain logic over its own column families. No gRPC
// here. Thread-safe.
class Analytics {
 public:
  static constexpr absl::string_view kChangeStream = "analytics";

  // `store` is not owned and must outlive the Analytics.
  Analytics(storage::Store* store, AnalyticsOptions options);

  ResourceTable<FxRate>& fx_rates() { return fx_rates_; }

  // INVALID_ARGUMENT naming the first bad field of `rate`.
  static absl::Status ValidateFxRate(const FxRate& rate);

 private:
  absl::Mutex write_mu_;
  ResourceTable<FxRate> fx_rates_;
};

}  // namespace regenatlas::analytics

#endif  // REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_H_
