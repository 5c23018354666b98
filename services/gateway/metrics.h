#ifndef REGENATLAS_SERVICES_GATEWAY_METRICS_H_
#define REGENATLAS_SERVICES_GATEWAY_METRICS_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "services/gateway/front.h"

namespace prometheus {
class Exposer;
class Registry;
}  // namespace prometheus

namespace regenatlas::gateway {

// Prometheus metrics of the public face, served at http://LISTEN/metrics:
//   regenatlas_calls_total{method,code}             calls by final status
//   regenatlas_call_latency_seconds{method}         latency histogram
//   regenatlas_backend_calls_total{backend,code}    forwarded calls per backend
class Metrics {
 public:
  // Starts the HTTP exposer on `listen` (host:port; port 0 picks one).
  static absl::StatusOr<std::unique_ptr<Metrics>> Start(const std::string& listen);
  ~Metrics();

  // An observer for FrontOptions::observer.
  CallObserver Observer();
  int port() const { return port_; }

 private:
  Metrics() = default;
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
  struct Families;
  std::shared_ptr<Families> families_;
};

}  // namespace regenatlas::gateway

#endif  // REGENATLAS_SERVICES_GATEWAY_METRICS_H_
