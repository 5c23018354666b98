#ifndef REGENATLAS_COMMON_HEALTH_H_
#define REGENATLAS_COMMON_HEALTH_H_

#include <map>
#include <set>
#include <string>

#include "absl/synchronization/mutex.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace regenatlas {

// grpc.health.v1.Health, generated from Debian's grpc-proto so that it is
// visible through server reflection (gRPC's built-in one is not). Knows the
// overall status ("") and one status per registered service name. Check on an
// unknown name is NOT_FOUND; Watch streams every change until cancelled.
class HealthService final : public grpc::health::v1::Health::CallbackService {
 public:
  using ServingStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;

  // Sets the status of `service` ("" is the overall status) and notifies
  // its watchers.
  void SetStatus(const std::string& service, ServingStatus status);
  // Sets every known service and the overall status to `status`, e.g.
  // NOT_SERVING when shutting down.
  void SetAll(ServingStatus status);
  // Sets everything NOT_SERVING, sends that to every watcher and then ends
  // their streams, so that open Watch calls do not hold up server shutdown.
  void Shutdown();

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* context,
                                  const grpc::health::v1::HealthCheckRequest* request,
                                  grpc::health::v1::HealthCheckResponse* response) override;
  grpc::ServerWriteReactor<grpc::health::v1::HealthCheckResponse>* Watch(
      grpc::CallbackServerContext* context,
      const grpc::health::v1::HealthCheckRequest* request) override;

 private:
  class Watcher;
  friend class Watcher;

  ServingStatus StatusOf(const std::string& service) const ABSL_SHARED_LOCKS_REQUIRED(mu_);
  void Unregister(Watcher* watcher);

  mutable absl::Mutex mu_;
  std::map<std::string, ServingStatus> statuses_ ABSL_GUARDED_BY(mu_);
  std::set<Watcher*> watchers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_HEALTH_H_
