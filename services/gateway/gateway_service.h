#ifndef REGENATLAS_SERVICES_GATEWAY_GATEWAY_SERVICE_H_
#define REGENATLAS_SERVICES_GATEWAY_GATEWAY_SERVICE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/executor.h"
#include "grpcpp/grpcpp.h"
#include "regenatlas/gateway/v1/gateway_service.grpc.pb.h"
#include "services/catalog/grpc_catalog_client.h"
#include "services/market-analytics/grpc_analytics_client.h"
#include "services/regulatory-timeline/grpc_timeline_client.h"

namespace regenatlas::gateway {

// A backend service the gateway talks to.
struct BackendOptions {
  // Full service name, e.g. "regenatlas.catalog.v1.CatalogService".
  std::string service;
  // "in-process" or host:port, for display.
  std::string target;
  // Opens the channel on first use (in all-in-one the in-process channel
  // exists only once the server has started).
  std::function<std::shared_ptr<grpc::Channel>()> connect;
};

// How the gateway is configured.
struct GatewayOptions {
  std::vector<BackendOptions> backends;
  // Deadline of a backend health check when the caller sets none.
  absl::Duration default_deadline = absl::Seconds(2);
};

// GatewayService: composite views over the backends, reached only through
// their gRPC APIs.
class GatewayService final : public gateway::v1::GatewayService::CallbackService {
 public:
  explicit GatewayService(GatewayOptions options, ExecutorOptions executor = {"gateway"});
  // Shares `executor` with another instance (the same service registered on
  // a second server: common/call_gate.h).
  GatewayService(GatewayOptions options, std::shared_ptr<Executor> executor);
  const std::shared_ptr<Executor>& executor() const { return executor_; }

  // Checks the page's backends' grpc.health.v1.Health in parallel under the
  // caller's deadline.
  grpc::ServerUnaryReactor* ListBackends(grpc::CallbackServerContext* context,
                                         const gateway::v1::ListBackendsRequest* request,
                                         gateway::v1::ListBackendsResponse* response) override;

  // Fetches the sections in parallel from the service's executor under the
  // caller's deadline (capped at 5 × GatewayOptions::default_deadline).
  grpc::ServerUnaryReactor* ComputeProductDossier(
      grpc::CallbackServerContext* context,
      const gateway::v1::ComputeProductDossierRequest* request,
      gateway::v1::ProductDossier* response) override;
  // Deprecated alias of ComputeProductDossier.
  grpc::ServerUnaryReactor* GetProductDossier(grpc::CallbackServerContext* context,
                                              const gateway::v1::GetProductDossierRequest* request,
                                              gateway::v1::ProductDossier* response) override;

 private:
  // The dossier of `product` ("products/{product}", owned by the request).
  grpc::ServerUnaryReactor* Dossier(grpc::CallbackServerContext* context,
                                    const std::string& product,
                                    gateway::v1::ProductDossier* response);
  std::shared_ptr<grpc::Channel> ChannelOf(size_t i);
  // The channel of the backend serving `service` (null if none).
  std::shared_ptr<grpc::Channel> ChannelFor(const std::string& service);

  const GatewayOptions options_;
  absl::Mutex mu_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_ ABSL_GUARDED_BY(mu_);
  // The backends' client libraries; their stubs are shared by every dossier.
  catalog::GrpcCatalogClient catalog_;
  timeline::GrpcTimelineClient timeline_;
  analytics::GrpcAnalyticsClient analytics_;
  const std::shared_ptr<Executor> executor_;
};

}  // namespace regenatlas::gateway

#endif  // REGENATLAS_SERVICES_GATEWAY_GATEWAY_SERVICE_H_
