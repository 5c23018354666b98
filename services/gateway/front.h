#ifndef REGENATLAS_SERVICES_GATEWAY_FRONT_H_
#define REGENATLAS_SERVICES_GATEWAY_FRONT_H_

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/grpcpp.h"
#include "services/gateway/access.h"

namespace regenatlas::gateway {

// Where calls to one proto service go.
struct Route {
  // Full service name, e.g. "regenatlas.catalog.v1.CatalogService".
  std::string service;
  // Label for logs and metrics: "catalog", or host:port.
  std::string backend;
  // Opens the backend channel on first use.
  std::function<std::shared_ptr<grpc::Channel>()> connect;
};

// Called when a forwarded call ends (for metrics).
using CallObserver = std::function<void(const std::string& method, const std::string& backend,
                                        grpc::StatusCode code, absl::Duration latency)>;

// How the front is configured.
struct FrontOptions {
  std::vector<Route> routes;
  AccessOptions access;
  // Per-client calls per second (0 = unlimited) and burst.
  double rate_limit_qps = 0;
  double rate_limit_burst = 0;
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  CallObserver observer;
  // Forwarded calls in flight at once; more are refused with
  // RESOURCE_EXHAUSTED at once (bounded memory under floods).
  int max_concurrent_calls = 1000;
};

// The public face of a RegenAtlas process: forwards the APIs of the routed
// services unchanged to their backends (in-process channels in all-in-one,
// remote ones in the gateway role) after authentication, role checks and
// rate limiting. Every call is passed through byte for byte as a stream,
// so unary and streaming methods take the same path; the caller's deadline
// and cancellation propagate to the backend, and a request id (the
// caller's x-request-id, or a new one) is sent along and logged.
//
// Services() returns one grpc::Service per routed proto service, with every
// method registered, so that server reflection lists them and clients see
// the real API.
class Front {
 public:
  explicit Front(FrontOptions options);
  ~Front();

  // Register these with the server (the Front must outlive it).
  std::vector<grpc::Service*> Services();

  // Channels are opened lazily; this lets callers (health checks, the
  // dossier) share them.
  std::shared_ptr<grpc::Channel> ChannelFor(const std::string& service);

  // Shutdown, first step: new calls are refused with UNAVAILABLE and open
  // streaming calls end at once with UNAVAILABLE; unary calls in flight
  // continue (the server's grace period bounds them).
  void Drain();

  // Forwarded calls in flight (tests, metrics).
  int in_flight() const { return in_flight_.load(); }

 private:
  class Call;
  class ForwardingService;

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* NewCall(
      grpc::CallbackServerContext* context, const std::string& method, size_t route,
      bool streaming);
  void CallDone(Call* call, bool streaming);
  std::string NextRequestId();

  const FrontOptions options_;
  std::unique_ptr<RateLimiter> limiter_;
  std::vector<std::unique_ptr<ForwardingService>> services_;
  absl::Mutex mu_;
  std::vector<std::shared_ptr<grpc::Channel>> channels_ ABSL_GUARDED_BY(mu_);
  std::set<Call*> streams_ ABSL_GUARDED_BY(mu_);
  std::atomic<int> in_flight_{0};
  std::atomic<bool> draining_{false};
  std::atomic<uint64_t> next_id_{1};
  const std::string id_prefix_;
};

// Channel arguments for backend channels: fast reconnect backoff (a backend
// that comes back is used again within a second or two, without restarting
// anything), no waiting for readiness (an unreachable backend fails fast
// with UNAVAILABLE), and retries with backoff for idempotent read methods of
// `services` (Get*, List*, BatchGet*, Search*, Count*, Compute*, Resolve*,
// Estimate*, Compare*) on UNAVAILABLE only.
grpc::ChannelArguments BackendChannelArguments(const std::vector<std::string>& services);

}  // namespace regenatlas::gateway

#endif  // REGENATLAS_SERVICES_GATEWAY_FRONT_H_
