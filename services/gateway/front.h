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

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/server_interceptor.h"
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
  // The service is registered on the front's own server (the caller does
  // that): no forwarding hop; the front admits its calls in a server
  // interceptor (LocalInterceptorFactory) and the handler finishes a
  // refused one (common/call_gate.h). `connect` still serves ChannelFor.
  bool local = false;
};

// What the front knows about one call when it is over (metrics, access
// log). Calls refused at the front (auth, rate limit, admission, drain)
// have forwarded == false.
struct CallRecord {
  std::string method;          // "/regenatlas.catalog.v1.CatalogService/GetTrial"
  const char* grpc_type = "";  // "unary", "server_stream", "client_stream", "bidi_stream"
  std::string backend;         // the route's label
  std::string request_id;
  std::string role;        // "anonymous", "reader", ...; "" before authentication
  std::string peer;        // the caller's address as gRPC reports it
  grpc::Status status;     // what the caller received
  bool forwarded = false;  // the backend was called
  grpc::StatusCode backend_code = grpc::StatusCode::OK;  // its answer, when forwarded
  absl::Duration latency;                                // from arrival to the end of both halves
  int64_t messages_received = 0;                         // from the caller
  int64_t messages_sent = 0;                             // to the caller
};

// Told about every call at the public port; called on gRPC's threads, so
// implementations are thread-safe and quick. OnStart precedes OnDone.
class CallObserver {
 public:
  virtual ~CallObserver() = default;
  virtual void OnStart(absl::string_view method, const char* grpc_type) {}
  virtual void OnDone(const CallRecord& record) = 0;
};

// How the front is configured.
struct FrontOptions {
  std::vector<Route> routes;
  AccessOptions access;
  // Per-client calls per second (0 = unlimited) and burst.
  double rate_limit_qps = 0;
  double rate_limit_burst = 0;
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // Metrics, access log. Shared with every call, which may outlive the
  // Front by a little (its backend half ends after the server's).
  std::vector<std::shared_ptr<CallObserver>> observers;
  // Forwarded calls in flight at once; more are refused with
  // RESOURCE_EXHAUSTED at once (bounded memory under floods).
  int max_concurrent_calls = 1000;
};

// The public face of a RegenAtlas process: forwards the APIs of the routed
// services unchanged to their backends (in-process channels in all-in-one,
// remote ones in the gateway role) after authentication, role checks and
// rate limiting. Every call is passed through byte for byte: a unary method
// as one raw unary call to the backend (one client operation, no parsing),
// a streaming method as a raw stream; the caller's deadline and
// cancellation propagate to the backend, and a request id (the caller's
// x-request-id, or a new one) is sent along and logged.
//
// Services() returns one grpc::Service per forwarded proto service, with
// every method registered, so that server reflection lists them and clients
// see the real API. Local routes are served by the real service on the same
// server, behind the same admission (LocalInterceptorFactory).
class Front {
 public:
  explicit Front(FrontOptions options);
  ~Front();

  // Register these with the server (the Front must outlive it).
  std::vector<grpc::Service*> Services();

  // For the same server: admits the calls of the local routes' methods
  // (drain, credentials, rate limit, max_concurrent_calls, request id,
  // observers) as the forwarding path does. Other methods are not
  // intercepted.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> LocalInterceptorFactory();

  // Channels are opened lazily; this lets callers (health checks, the
  // dossier) share them.
  std::shared_ptr<grpc::Channel> ChannelFor(const std::string& service);

  // Shutdown, in steps. StopAccepting: new calls are refused with
  // UNAVAILABLE; calls in flight continue (the server's grace period bounds
  // them), so that a backend ending its streams (e.g. WatchEvents with its
  // resume token) reaches the caller. WaitForStreams: until no streaming
  // call is open or `deadline`. AbortStreams: the streaming calls still
  // open end at once with UNAVAILABLE. Drain = StopAccepting + AbortStreams.
  void StopAccepting();
  bool WaitForStreams(absl::Time deadline);
  void AbortStreams();
  void Drain();

  // Forwarded calls in flight (tests, metrics).
  int in_flight() const { return in_flight_.load(); }

 private:
  class Call;
  class UnaryCall;
  class ForwardingService;
  class LocalCall;
  class LocalFactory;

  // Starts the record of a call and decides whether it may be forwarded
  // (drain, credentials, rate limit, admission). A refusal is returned as
  // the status the caller gets, the observers already told; admitted calls
  // hold one of the max_concurrent_calls slots until ReleaseSlot().
  std::optional<grpc::Status> Admit(grpc::ServerContextBase* context, size_t route,
                                    absl::Time start, CallRecord* record);
  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* NewCall(
      grpc::CallbackServerContext* context, const std::string& method, size_t route,
      const char* grpc_type);
  grpc::ServerUnaryReactor* NewUnaryCall(grpc::CallbackServerContext* context,
                                         const std::string& method, size_t route,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response);
  void CallDone(Call* call, bool streaming);
  void ReleaseSlot() { in_flight_.fetch_sub(1); }
  std::string NextRequestId();

  const FrontOptions options_;
  const std::shared_ptr<const std::vector<std::shared_ptr<CallObserver>>> observers_;
  std::unique_ptr<RateLimiter> limiter_;
  std::vector<std::unique_ptr<ForwardingService>> services_;
  // The methods of local routes ("/pkg.Service/Method"): route and type.
  struct LocalMethod {
    size_t route;
    const char* grpc_type;
  };
  absl::flat_hash_map<std::string, LocalMethod> local_methods_;
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
