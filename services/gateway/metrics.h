#ifndef REGENATLAS_SERVICES_GATEWAY_METRICS_H_
#define REGENATLAS_SERVICES_GATEWAY_METRICS_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/gateway/front.h"
#include "storage/store.h"

namespace prometheus {
class Collectable;
class Exposer;
class Registry;
}  // namespace prometheus

namespace regenatlas::gateway {

// What Metrics serves besides the calls.
struct MetricsOptions {
  // host:port of the HTTP exposer; port 0 picks one.
  std::string listen;
  // The process's store, read at scrape time (unset for a store-less role).
  std::function<storage::StoreStats()> store_stats;
};

// Prometheus metrics of a process at http://LISTEN/metrics, under the names
// gRPC dashboards expect (go-grpc-prometheus / grpc-ecosystem conventions;
// grpc_code is the code's name, e.g. "OK", "INVALID_ARGUMENT"):
//   grpc_server_started_total{grpc_type,grpc_service,grpc_method}
//   grpc_server_handled_total{grpc_type,grpc_service,grpc_method,grpc_code}
//   grpc_server_handling_seconds{grpc_type,grpc_service,grpc_method}  histogram
//   grpc_server_msg_received_total / grpc_server_msg_sent_total
//   grpc_client_handled_total{…,grpc_code} and grpc_client_handling_seconds:
//       calls forwarded to a backend (calls refused at the front are not
//       counted), with the backend's own status
//   process_cpu_seconds_total, process_resident_memory_bytes, … (standard)
//   regenatlas_rocksdb_* (block cache, compaction, write stalls, size)
//   regenatlas_calls_in_flight, regenatlas_build_info{version}
class Metrics {
 public:
  // Starts the HTTP exposer.
  static absl::StatusOr<std::unique_ptr<Metrics>> Start(MetricsOptions options);
  ~Metrics();

  // For FrontOptions::observers.
  std::shared_ptr<CallObserver> Observer() const { return observer_; }
  int port() const { return port_; }

 private:
  Metrics() = default;
  std::shared_ptr<prometheus::Registry> registry_;
  std::shared_ptr<CallObserver> observer_;
  std::shared_ptr<prometheus::Collectable> gauges_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace regenatlas::gateway

#endif  // REGENATLAS_SERVICES_GATEWAY_METRICS_H_
