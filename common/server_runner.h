#ifndef REGENATLAS_COMMON_SERVER_RUNNER_H_
#define REGENATLAS_COMMON_SERVER_RUNNER_H_

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/health.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/support/server_interceptor.h"

namespace regenatlas {

// Told about every call the server finishes: full method path, status and
// latency (for metrics).
using ServerCallObserver =
    std::function<void(const std::string& method, grpc::StatusCode code, absl::Duration latency)>;

// How to run a gRPC server.
struct ServerOptions {
  // host:port; port 0 picks a free port (see ServerRunner::port()). Empty:
  // no network port at all, reachable only through LocalChannel().
  std::string listen = "127.0.0.1:50051";
  // In-flight calls get this long to finish after a shutdown request; calls
  // still running then are cancelled.
  absl::Duration shutdown_grace = absl::Seconds(10);
  // Credentials of the listening port; null means plaintext.
  std::shared_ptr<grpc::ServerCredentials> credentials;
  // Optional: told about every finished call (metrics).
  ServerCallObserver observer;
  // Log failed calls with their x-request-id. Off for internal servers
  // behind a public face, which logs each call once.
  bool log_failures = true;
  // Concurrent streams per HTTP/2 connection: a client that opens more
  // waits for a free one instead of growing the server's memory.
  int max_concurrent_streams = 200;
  // Largest request message accepted (RESOURCE_EXHAUSTED beyond).
  int max_receive_message_bytes = 8 << 20;
  // Connections older than this get a GOAWAY (calls in flight finish within
  // the same time again), so that clients reconnect and spread over the
  // replicas behind a Service. Zero: connections live forever.
  absl::Duration max_connection_age = absl::ZeroDuration();
};

// Owns one grpc::Server with server reflection and a reflection-visible
// grpc.health.v1.Health. Register services, Start(), then Shutdown().
class ServerRunner {
 public:
  explicit ServerRunner(ServerOptions options);
  ~ServerRunner();

  // Registers `service` (not owned; must outlive the runner) and reports
  // `health_name` (its full name, e.g. "regenatlas.catalog.v1.CatalogService")
  // through the health service: SERVING from Start(), or NOT_SERVING until
  // health().SetStatus() says otherwise when `serving_at_start` is false
  // (a service that loads data after the server starts). Only before Start().
  void AddService(grpc::Service* service, const std::string& health_name,
                  bool serving_at_start = true);

  // Declares that this server serves the proto service `full_name` (done by
  // AddService for a non-empty `health_name`): a request of one of its
  // methods that gRPC cannot deserialize is answered INVALID_ARGUMENT
  // rather than gRPC's bare UNIMPLEMENTED. Only before Start().
  void AddServedName(const std::string& full_name) { served_.insert(full_name); }

  // Adds a server interceptor, run after the runner's own (which logs and
  // maps undecodable requests to INVALID_ARGUMENT). Only before Start().
  void AddInterceptorFactory(
      std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> factory);

  // Runs `hook` at the start of Shutdown(), before the server stops taking
  // calls (e.g. to end long-lived streams so they do not use up the grace
  // period).
  void AddShutdownHook(std::function<void()> hook);

  // Binds and starts serving; marks every service SERVING. Fails when the
  // address cannot be bound.
  absl::Status Start();

  // The bound port (after Start()).
  int port() const { return port_; }
  HealthService& health() { return health_; }
  // A channel to this server that does not leave the machine: a Unix
  // socket in a private (0700) temporary directory, created at Start() and
  // shared. The services of one process reach each other and the public
  // face reaches them through it. (gRPC 1.51's in-process transport
  // aborts under concurrent streaming load, so it is not used.)
  std::shared_ptr<grpc::Channel> LocalChannel();

  // Graceful shutdown: health flips to NOT_SERVING, new calls are refused,
  // in-flight calls get ServerOptions::shutdown_grace to finish, then the
  // server is destroyed (so that registered services may be destroyed in
  // any order afterwards). Idempotent.
  void Shutdown();
  // The same with an absolute deadline shared by several servers that shut
  // down in parallel.
  void Shutdown(absl::Time deadline);

 private:
  void RemoveSocketDir();

  ServerOptions options_;
  HealthService health_;
  struct Registered {
    grpc::Service* service;
    std::string name;
    bool serving_at_start;
  };
  std::vector<Registered> services_;
  std::set<std::string> served_;
  std::vector<std::function<void()>> shutdown_hooks_;
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>
      interceptor_factories_;
  std::unique_ptr<grpc::Server> server_;
  // A ThreadSanitizer sync object: every method handler's run is released
  // on it and Shutdown acquires it, so that destroying the services after
  // Shutdown is ordered after their last use (common/tsan.h).
  char handlers_sync_ = 0;
  std::shared_ptr<grpc::Channel> local_;
  // The private directory of the local socket (removed at Shutdown).
  std::string socket_dir_;
  int port_ = 0;
  bool shut_down_ = false;
};

// Blocks SIGTERM and SIGINT in the calling thread and every thread it
// creates later: call it first thing in main, before any thread exists.
void BlockTerminationSignals();

// Waits for SIGTERM or SIGINT (blocked by BlockTerminationSignals) and
// returns its number.
int WaitForTerminationSignal();

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_SERVER_RUNNER_H_
