#ifndef REGENATLAS_SERVICES_GATEWAY_HEALTH_MONITOR_H_
#define REGENATLAS_SERVICES_GATEWAY_HEALTH_MONITOR_H_

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "common/health.h"
#include "grpcpp/grpcpp.h"

namespace regenatlas::gateway {

// A backend whose health is mirrored.
struct MonitoredBackend {
  // Full service name, reported under this name.
  std::string service;
  std::function<std::shared_ptr<grpc::Channel>()> channel;
};

// Mirrors the backends' grpc.health.v1.Health into a local HealthService:
// every `interval` it checks each backend (with a deadline of `interval`)
// and reports its status under the backend's service name — NOT_SERVING
// when the backend cannot be reached. The local overall status is left
// alone: the front stays up and serves what it can.
class HealthMonitor {
 public:
  HealthMonitor(HealthService* target, std::vector<MonitoredBackend> backends,
                absl::Duration interval);
  ~HealthMonitor();

  // One round of checks, synchronously.
  void CheckOnce();
  // Checks in a background thread until Stop() or destruction.
  void Start();
  void Stop();

 private:
  HealthService* const target_;
  const std::vector<MonitoredBackend> backends_;
  const absl::Duration interval_;
  absl::Notification stop_;
  std::thread thread_;
};

}  // namespace regenatlas::gateway

#endif  // REGENATLAS_SERVICES_GATEWAY_HEALTH_MONITOR_H_
