#include "services/gateway/gateway_service.h"

#include <atomic>

#include "grpc/health/v1/health.grpc.pb.h"

namespace regenatlas::gateway {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

GatewayService::GatewayService(GatewayOptions options)
    : options_(std::move(options)), channels_(options_.backends.size()) {}

std::shared_ptr<grpc::Channel> GatewayService::ChannelOf(size_t i) {
  absl::MutexLock lock(&mu_);
  if (channels_[i] == nullptr) channels_[i] = options_.backends[i].connect();
  return channels_[i];
}

grpc::ServerUnaryReactor* GatewayService::ListBackends(
    grpc::CallbackServerContext* context, const gateway::v1::ListBackendsRequest* request,
    gateway::v1::ListBackendsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const size_t n = options_.backends.size();
  if (n == 0) {
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  // Each check runs concurrently; the last one to finish completes the call.
  struct Check {
    grpc::ClientContext context;
    HealthCheckRequest request;
    HealthCheckResponse response;
    absl::Time start;
  };
  struct State {
    std::vector<Check> checks;
    std::atomic<size_t> remaining;
    explicit State(size_t n) : checks(n), remaining(n) {}
  };
  auto state = std::make_shared<State>(n);
  auto deadline = context->deadline();
  const auto fallback = std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(options_.default_deadline);
  if (deadline > fallback) deadline = fallback;
  for (size_t i = 0; i < n; ++i) {
    gateway::v1::Backend* b = response->add_backends();
    b->set_service(options_.backends[i].service);
    b->set_target(options_.backends[i].target);
  }
  for (size_t i = 0; i < n; ++i) {
    Check& check = state->checks[i];
    check.context.set_deadline(deadline);
    check.request.set_service(options_.backends[i].service);
    check.start = absl::Now();
    Health::Stub stub(ChannelOf(i));
    stub.async()->Check(&check.context, &check.request, &check.response,
                        [state, i, response, reactor](grpc::Status status) {
                          Check& c = state->checks[i];
                          gateway::v1::Backend* b = response->mutable_backends(static_cast<int>(i));
                          b->set_latency_micros(absl::ToInt64Microseconds(absl::Now() - c.start));
                          if (!status.ok()) {
                            b->set_health(gateway::v1::BACKEND_HEALTH_UNREACHABLE);
                            b->set_error(status.error_message());
                          } else if (c.response.status() == HealthCheckResponse::SERVING) {
                            b->set_health(gateway::v1::BACKEND_HEALTH_SERVING);
                          } else {
                            b->set_health(gateway::v1::BACKEND_HEALTH_NOT_SERVING);
                          }
                          if (--state->remaining == 0) reactor->Finish(grpc::Status::OK);
                        });
  }
  return reactor;
}

}  // namespace regenatlas::gateway
