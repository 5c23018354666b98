#include "cmd/regenatlas/serve.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/notification.h"
#include "cmd/regenatlas/startup_checks.h"
#include "common/log.h"
#include "common/server_runner.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_service.h"
#include "services/catalog/dataset_loader.h"
#include "services/gateway/access.h"
#include "services/gateway/front.h"
#include "services/gateway/gateway_service.h"
#include "services/gateway/health_monitor.h"
#include "services/gateway/access_log.h"
#include "services/gateway/metrics.h"
#include "services/market-analytics/analytics.h"
#include "services/market-analytics/analytics_service.h"
#include "services/market-analytics/dataset_loader.h"
#include "services/market-analytics/grpc_readers.h"
#include "services/regulatory-timeline/catalog_client.h"
#include "services/regulatory-timeline/dataset_loader.h"
#include "services/regulatory-timeline/stage_sync.h"
#include "services/regulatory-timeline/timeline.h"
#include "services/regulatory-timeline/timeline_service.h"
#include "storage/store.h"

namespace regenatlas::cli {
namespace {

using grpc::health::v1::HealthCheckResponse;

constexpr char kCatalogService[] = "regenatlas.catalog.v1.CatalogService";
constexpr char kCatalogInternalService[] = "regenatlas.catalog.v1.CatalogInternalService";
constexpr char kTimelineService[] = "regenatlas.timeline.v1.RegulatoryTimelineService";
constexpr char kAnalyticsService[] = "regenatlas.analytics.v1.MarketAnalyticsService";
constexpr char kGatewayService[] = "regenatlas.gateway.v1.GatewayService";

using ChannelFactory = std::function<std::shared_ptr<grpc::Channel>()>;

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::FailedPreconditionError(absl::StrCat("cannot read ", path));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Credentials of the public port: TLS when a certificate is given (mutual
// TLS with a client CA), plaintext otherwise.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> PublicCredentials(const ServeOptions& o) {
  if (o.tls_cert.empty() && o.tls_key.empty()) {
    if (!o.tls_client_ca.empty()) {
      return absl::InvalidArgumentError("--tls_client_ca needs --tls_cert and --tls_key");
    }
    return grpc::InsecureServerCredentials();
  }
  if (o.tls_cert.empty() || o.tls_key.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together");
  }
  absl::StatusOr<std::string> cert = ReadFile(o.tls_cert);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadFile(o.tls_key);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions ssl(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  if (!o.tls_client_ca.empty()) {
    absl::StatusOr<std::string> ca = ReadFile(o.tls_client_ca);
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

// Sends this process's `service` key on every call to another RegenAtlas
// service (split topology), so that backends can tell their peers from
// anyone else on the network.
class ServiceKeyInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit ServiceKeyInterceptor(const std::string* bearer) : bearer_(bearer) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace("authorization", *bearer_);
    }
    methods->Proceed();
  }

 private:
  const std::string* bearer_;
};

class ServiceKeyInterceptorFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit ServiceKeyInterceptorFactory(std::string key) : bearer_(absl::StrCat("Bearer ", key)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new ServiceKeyInterceptor(&bearer_);
  }

 private:
  const std::string bearer_;
};

ChannelFactory RemoteChannel(const std::string& addr, const std::string& service,
                             const std::string& service_key) {
  return [addr, service, service_key] {
    std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> creators;
    if (!service_key.empty()) {
      creators.push_back(std::make_unique<ServiceKeyInterceptorFactory>(service_key));
    }
    return grpc::experimental::CreateCustomChannelWithInterceptors(
        addr, grpc::InsecureChannelCredentials(), gateway::BackendChannelArguments({service}),
        std::move(creators));
  };
}

std::string DatasetPart(const ServeOptions& o, const char* part) {
  return (std::filesystem::path(o.dataset) / part).string();
}

template <typename Summary>
void LogLoaded(const char* what, const std::string& dir, const Summary& s) {
  for (const std::string& r : s.rejected)
    Log(LogLevel::kWarning, "dataset record rejected", {{"detail", r}});
  Log(LogLevel::kInfo, what,
      {{"dir", dir},
       {"created", absl::StrCat(s.created)},
       {"updated", absl::StrCat(s.updated)},
       {"unchanged", absl::StrCat(s.unchanged)},
       {"rejected", absl::StrCat(s.rejected.size())}});
}

// Loads a dataset part that needs other services, retrying while they are
// unreachable (in Kubernetes, pods start in any order), then marks the
// service SERVING.
class BackgroundLoader {
 public:
  BackgroundLoader(std::function<absl::Status()> load, std::function<void()> on_loaded)
      : thread_([this, load = std::move(load), on_loaded = std::move(on_loaded)] {
          for (;;) {
            absl::Status s = load();
            if (s.ok()) {
              on_loaded();
              return;
            }
            const bool retry = absl::IsUnavailable(s) || absl::IsDeadlineExceeded(s);
            Log(retry ? LogLevel::kWarning : LogLevel::kError, "dataset not loaded",
                {{"error", std::string(s.message())}, {"retry", retry ? "yes" : "no"}});
            if (!retry || stop_.WaitForNotificationWithTimeout(absl::Seconds(2))) return;
          }
        }) {}
  ~BackgroundLoader() {
    stop_.Notify();
    thread_.join();
  }

 private:
  absl::Notification stop_;
  std::thread thread_;
};

int StartupError(const absl::Status& s, absl::string_view what, int code = 1) {
  Log(LogLevel::kError, what, {{"error", std::string(s.message())}});
  return code;
}

// Everything one `serve` process runs, in the order it is torn down:
// every server is shut down (Stop) before any member is destroyed, so the
// services, executors and store may then go in any order.
struct Process {
  std::unique_ptr<storage::Store> store;

  std::unique_ptr<catalog::Catalog> catalog;
  std::unique_ptr<catalog::CatalogService> catalog_service;
  std::unique_ptr<catalog::CatalogInternalService> catalog_internal;
  std::unique_ptr<timeline::GrpcCatalogClient> timeline_catalog;
  std::unique_ptr<timeline::Timeline> timeline;
  std::unique_ptr<timeline::TimelineService> timeline_service;
  std::unique_ptr<analytics::Analytics> analytics;
  std::unique_ptr<analytics::AnalyticsService> analytics_service;
  std::unique_ptr<gateway::GatewayService> gateway_service;

  // The services, on a server without a port.
  std::unique_ptr<ServerRunner> internal;
  // Background work that calls other services; stopped before the servers.
  std::unique_ptr<timeline::StageSync> stage_sync;
  std::unique_ptr<BackgroundLoader> loader;

  // The public face: auth, limits, metrics, forwarding.
  std::unique_ptr<gateway::Metrics> metrics;
  std::unique_ptr<gateway::Front> front;
  std::unique_ptr<ServerRunner> public_runner;
  std::unique_ptr<ServerRunner> health_runner;
  std::unique_ptr<gateway::HealthMonitor> monitor;
  std::unique_ptr<gateway::HealthMonitor> health_port_monitor;
};

// The public face: forwarding services for `routes`, health (mirroring the
// routed services) and reflection on --listen; optionally a health-only
// plaintext port and Prometheus metrics.
absl::Status StartPublicFace(const ServeOptions& o, const gateway::AccessOptions& access,
                             std::vector<gateway::Route> routes, Process& p) {
  gateway::FrontOptions fo;
  fo.routes = routes;
  fo.access = access;
  fo.max_concurrent_calls = o.max_concurrent_calls;
  if (!o.metrics_listen.empty()) {
    gateway::MetricsOptions mo;
    mo.listen = o.metrics_listen;
    if (storage::Store* store = p.store.get()) mo.store_stats = [store] { return store->Stats(); };
    absl::StatusOr<std::unique_ptr<gateway::Metrics>> metrics =
        gateway::Metrics::Start(std::move(mo));
    if (!metrics.ok()) return metrics.status();
    p.metrics = *std::move(metrics);
    fo.observers.push_back(p.metrics->Observer());
  }
  fo.observers.push_back(std::make_shared<gateway::AccessLog>());
  fo.rate_limit_qps = o.rate_limit_qps;
  fo.rate_limit_burst = o.rate_limit_burst > 0 ? o.rate_limit_burst : o.rate_limit_qps;
  p.front = std::make_unique<gateway::Front>(std::move(fo));
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> creds = PublicCredentials(o);
  if (!creds.ok()) return creds.status();
  ServerOptions so;
  so.listen = o.listen;
  so.shutdown_grace = o.shutdown_grace;
  so.credentials = *creds;
  so.log_failures = false;  // the front logs each call once
  so.max_connection_age = o.max_connection_age;
  p.public_runner = std::make_unique<ServerRunner>(so);
  std::vector<gateway::MonitoredBackend> monitored;
  gateway::Front* front = p.front.get();
  for (grpc::Service* s : front->Services()) p.public_runner->AddService(s, "", true);
  for (const gateway::Route& r : routes) {
    p.public_runner->AddServedName(r.service);
    monitored.push_back({r.service, [front, name = r.service] { return front->ChannelFor(name); }});
  }
  absl::Status s = p.public_runner->Start();
  if (!s.ok()) return s;
  p.monitor = std::make_unique<gateway::HealthMonitor>(&p.public_runner->health(), monitored,
                                                       absl::Seconds(1));
  p.monitor->CheckOnce();
  p.monitor->Start();
  if (!o.health_listen.empty()) {
    ServerOptions ho;
    ho.listen = o.health_listen;
    ho.shutdown_grace = o.shutdown_grace;
    p.health_runner = std::make_unique<ServerRunner>(ho);
    s = p.health_runner->Start();
    if (!s.ok()) return s;
    p.health_port_monitor = std::make_unique<gateway::HealthMonitor>(&p.health_runner->health(),
                                                                     monitored, absl::Seconds(1));
    p.health_port_monitor->CheckOnce();
    p.health_port_monitor->Start();
  }
  Log(LogLevel::kInfo, "serving",
      {{"role", o.role},
       {"port", absl::StrCat(p.public_runner->port())},
       {"health_port", p.health_runner ? absl::StrCat(p.health_runner->port()) : ""},
       {"metrics_port", p.metrics ? absl::StrCat(p.metrics->port()) : ""},
       {"tls", o.tls_cert.empty() ? "off" : (o.tls_client_ca.empty() ? "on" : "mutual")},
       {"auth_keys", absl::StrCat(!o.auth_keys.empty())},
       {"anonymous_reads", access.allow_anonymous_reads ? "on" : "off"},
       {"max_concurrent_calls", absl::StrCat(o.max_concurrent_calls)}});
  return absl::OkStatus();
}

// SIGTERM/SIGINT: every port reports NOT_SERVING at once, new calls are
// refused with UNAVAILABLE, open streams end at once with UNAVAILABLE,
// background callers stop, then the public ports shut down in parallel and
// the internal server after them, all under one deadline (in-flight unary
// calls get the grace period), and the store is flushed and closed.
int ShutDown(Process& p, const ServeOptions& o, int sig) {
  const absl::Time start = absl::Now();
  Log(LogLevel::kInfo, "signal received", {{"signal", absl::StrCat(sig)}});
  Log(LogLevel::kInfo, "shutting down", {{"grace", absl::FormatDuration(o.shutdown_grace)}});
  const absl::Time deadline = start + o.shutdown_grace;
  // Monitors first: they would otherwise set SERVING again, and they must
  // not probe servers that are going away.
  for (auto* m : {p.monitor.get(), p.health_port_monitor.get()}) {
    if (m != nullptr) m->Stop();
  }
  std::vector<ServerRunner*> front_runners;
  for (ServerRunner* r : {p.public_runner.get(), p.health_runner.get()}) {
    if (r != nullptr) front_runners.push_back(r);
  }
  for (ServerRunner* r : front_runners) r->health().Shutdown();
  p.internal->health().Shutdown();
  const absl::Time drain_end =
      start + std::min(o.shutdown_grace / 2, absl::Milliseconds(o.drain_window_ms));
  if (p.front != nullptr) p.front->StopAccepting();
  // The timeline ends its streams itself, with the resume token in the
  // status and the x-resume-token trailer; the front passes them on. Then
  // streams still open (to remote backends) are cut.
  if (p.timeline_service != nullptr) p.timeline_service->Shutdown();
  if (p.front != nullptr) {
    p.front->WaitForStreams(drain_end);
    p.front->AbortStreams();
    // The rest of a short drain window before the port closes: calls that
    // already reached the transport are answered UNAVAILABLE by the front
    // (gRPC would cancel calls still queued when the server shuts down),
    // and forwarded calls in flight finish. At most half the grace period.
    while (absl::Now() < drain_end) absl::SleepFor(absl::Milliseconds(5));
  }
  p.loader.reset();
  p.stage_sync.reset();
  // The public ports in parallel, then the internal server that their
  // in-flight calls still use, all under the one deadline.
  std::vector<std::thread> stopping;
  for (ServerRunner* r : front_runners) {
    stopping.emplace_back([r, deadline] { r->Shutdown(deadline); });
  }
  for (std::thread& t : stopping) t.join();
  p.internal->Shutdown(deadline);
  Log(LogLevel::kInfo, "servers stopped",
      {{"after", absl::FormatDuration(absl::Trunc(absl::Now() - start, absl::Milliseconds(1)))}});
  // The services go before the store: their executors join here, so no
  // task still reads while the store closes.
  p.gateway_service.reset();
  p.analytics_service.reset();
  p.timeline_service.reset();
  p.catalog_internal.reset();
  p.catalog_service.reset();
  if (p.store != nullptr) {
    if (absl::Status s = p.store->Close(); !s.ok()) {
      Log(LogLevel::kError, "store close failed", {{"error", std::string(s.message())}});
      return 1;
    }
    Log(LogLevel::kInfo, "store closed");
  }
  return 0;
}

}  // namespace

int RunServe(const ServeOptions& o) {
  if (absl::Status s = CheckFlags(o); !s.ok()) return StartupError(s, "bad flags", 2);
  if (absl::Status s = CheckDataset(o); !s.ok()) return StartupError(s, "bad flags", 2);
  for (const auto& [flag, address] :
       {std::pair<const char*, const std::string&>{"listen", o.listen},
        {"health_listen", o.health_listen},
        {"metrics_listen", o.metrics_listen}}) {
    if (absl::Status s = CheckCanListen(flag, address); !s.ok()) {
      return StartupError(s, "cannot listen", absl::IsInvalidArgument(s) ? 2 : 1);
    }
  }
  const bool backend = o.role == "catalog" || o.role == "timeline" || o.role == "analytics";
  gateway::AccessOptions access;
  // Backends answer anonymous callers only when told to: their callers are
  // the gateway and their peers, which send the service key.
  access.allow_anonymous_reads = o.allow_anonymous_reads.value_or(!backend || o.auth_keys.empty());
  if (!o.auth_keys.empty()) {
    absl::StatusOr<std::map<std::string, gateway::Role>> keys = gateway::LoadKeysFile(o.auth_keys);
    if (!keys.ok()) return StartupError(keys.status(), "bad --auth_keys", 2);
    access.keys = *std::move(keys);
  }
  const std::string service_key = gateway::ServiceKey(access.keys);
  if (backend && o.auth_keys.empty()) {
    // Allowed only on loopback or by --allow_unauthenticated (CheckFlags).
    access.trust_all = true;
    Log(LogLevel::kWarning, "backend accepts unauthenticated calls, writes included",
        {{"role", o.role}, {"listen", o.listen}});
  }
  const bool load = o.dataset != "none";
  const bool all = o.role == "all";

  Process p;
  if (o.role != "gateway") {
    storage::StoreOptions store_options;
    store_options.path = o.data_dir;
    store_options.sync_writes = o.sync_writes;
    absl::StatusOr<std::unique_ptr<storage::Store>> store = storage::Store::Open(store_options);
    if (!store.ok()) return StartupError(store.status(), "cannot open store");
    p.store = *std::move(store);
  }
  ServerOptions io;
  io.listen = "";
  io.shutdown_grace = o.shutdown_grace;
  io.log_failures = false;
  p.internal = std::make_unique<ServerRunner>(io);
  ServerRunner* internal = p.internal.get();
  const ChannelFactory local = [internal] { return internal->LocalChannel(); };
  auto peer = [&](const std::string& addr, const char* service) {
    return all ? local : RemoteChannel(addr, service, service_key);
  };
  ExecutorOptions executor;
  executor.threads = o.executor_threads;
  executor.max_queue = o.executor_queue;
  auto executor_named = [&](const char* name) {
    ExecutorOptions e = executor;
    e.name = name;
    return e;
  };
  std::vector<gateway::Route> routes;

  if (all || o.role == "catalog") {
    p.catalog = std::make_unique<catalog::Catalog>(p.store.get(), catalog::CatalogOptions{});
    if (load) {
      absl::StatusOr<catalog::LoadSummary> loaded =
          catalog::EnsureCatalogDataset(*p.catalog, DatasetPart(o, "catalog"));
      if (!loaded.ok()) return StartupError(loaded.status(), "cannot load dataset");
      LogLoaded("catalog dataset", DatasetPart(o, "catalog"), *loaded);
    }
    p.catalog_service =
        std::make_unique<catalog::CatalogService>(p.catalog.get(), executor_named("catalog"));
    p.catalog_internal = std::make_unique<catalog::CatalogInternalService>(
        p.catalog.get(), executor_named("catalog-internal"));
    internal->AddService(p.catalog_service.get(), kCatalogService);
    internal->AddService(p.catalog_internal.get(), kCatalogInternalService);
    routes.push_back({kCatalogService, "catalog", local});
    // Only peers (the `service` role) reach the internal service, and only
    // on a backend's own port; the all-in-one public port never routes it.
    if (!all) routes.push_back({kCatalogInternalService, "catalog", local});
  }
  if (all || o.role == "timeline") {
    p.timeline_catalog =
        std::make_unique<timeline::GrpcCatalogClient>(peer(o.catalog_addr, kCatalogService));
    p.timeline = std::make_unique<timeline::Timeline>(p.store.get(), p.timeline_catalog.get(),
                                                      timeline::TimelineOptions{});
    timeline::TimelineServiceOptions to;
    to.executor = executor_named("timeline");
    to.max_watch_streams = o.max_watch_streams;
    p.timeline_service = std::make_unique<timeline::TimelineService>(p.timeline.get(), to);
    internal->AddService(p.timeline_service.get(), kTimelineService, !load);
    routes.push_back({kTimelineService, "timeline", local});
  }
  if (all || o.role == "analytics") {
    analytics::AnalyticsOptions ao;
    ao.catalog =
        std::make_shared<analytics::GrpcCatalogReader>(peer(o.catalog_addr, kCatalogService));
    ao.timeline =
        std::make_shared<analytics::GrpcTimelineReader>(peer(o.timeline_addr, kTimelineService));
    p.analytics = std::make_unique<analytics::Analytics>(p.store.get(), ao);
    p.analytics_service = std::make_unique<analytics::AnalyticsService>(
        p.analytics.get(), executor_named("analytics"));
    internal->AddService(p.analytics_service.get(), kAnalyticsService, !load);
    routes.push_back({kAnalyticsService, "analytics", local});
  }
  if (all || o.role == "gateway") {
    gateway::GatewayOptions go;
    if (all) {
      for (const char* service : {kCatalogService, kTimelineService, kAnalyticsService}) {
        go.backends.push_back({service, "local", local});
      }
    } else {
      go.backends = {{kCatalogService, o.catalog_addr,
                      RemoteChannel(o.catalog_addr, kCatalogService, service_key)},
                     {kTimelineService, o.timeline_addr,
                      RemoteChannel(o.timeline_addr, kTimelineService, service_key)},
                     {kAnalyticsService, o.analytics_addr,
                      RemoteChannel(o.analytics_addr, kAnalyticsService, service_key)}};
      routes = {{kCatalogService, o.catalog_addr, go.backends[0].connect},
                {kTimelineService, o.timeline_addr, go.backends[1].connect},
                {kAnalyticsService, o.analytics_addr, go.backends[2].connect}};
    }
    p.gateway_service =
        std::make_unique<gateway::GatewayService>(std::move(go), executor_named("gateway"));
    internal->AddService(p.gateway_service.get(), kGatewayService);
    routes.push_back({kGatewayService, "local", local});
  }
  if (absl::Status s = internal->Start(); !s.ok()) return StartupError(s, "cannot start server");

  auto set_serving = [internal](const char* service) {
    internal->health().SetStatus(service, HealthCheckResponse::SERVING);
  };
  if (load && all) {
    // In one process the catalog answers at once: load in order, before
    // the public port opens.
    absl::StatusOr<timeline::LoadSummary> t =
        timeline::EnsureTimelineDataset(*p.timeline, *p.store, DatasetPart(o, "timeline"));
    if (!t.ok()) return StartupError(t.status(), "cannot load dataset");
    LogLoaded("timeline dataset", DatasetPart(o, "timeline"), *t);
    set_serving(kTimelineService);
    absl::StatusOr<analytics::LoadSummary> a =
        analytics::EnsureAnalyticsDataset(*p.analytics, DatasetPart(o, "analytics"));
    if (!a.ok()) return StartupError(a.status(), "cannot load dataset");
    LogLoaded("analytics dataset", DatasetPart(o, "analytics"), *a);
    set_serving(kAnalyticsService);
  } else if (load && o.role == "timeline") {
    p.loader = std::make_unique<BackgroundLoader>(
        [&p, &o] {
          absl::StatusOr<timeline::LoadSummary> t =
              timeline::EnsureTimelineDataset(*p.timeline, *p.store, DatasetPart(o, "timeline"));
          if (t.ok()) LogLoaded("timeline dataset", DatasetPart(o, "timeline"), *t);
          return t.status();
        },
        [set_serving] { set_serving(kTimelineService); });
  } else if (load && o.role == "analytics") {
    p.loader = std::make_unique<BackgroundLoader>(
        [&p, &o] {
          absl::StatusOr<analytics::LoadSummary> a =
              analytics::EnsureAnalyticsDataset(*p.analytics, DatasetPart(o, "analytics"));
          if (a.ok()) LogLoaded("analytics dataset", DatasetPart(o, "analytics"), *a);
          return a.status();
        },
        [set_serving] { set_serving(kAnalyticsService); });
  }
  if (p.timeline != nullptr) {
    // Delivers stage changes left by a previous run and every new one.
    p.stage_sync = std::make_unique<timeline::StageSync>(p.timeline.get());
  }

  if (absl::Status s = StartPublicFace(o, access, routes, p); !s.ok()) {
    return StartupError(s, "cannot start server");
  }
  return ShutDown(p, o, WaitForTerminationSignal());
}

int RunBackup(const BackupOptions& options) {
  storage::StoreOptions store_options;
  store_options.path = options.data_dir;
  store_options.create_if_missing = false;
  absl::StatusOr<std::unique_ptr<storage::Store>> store = storage::Store::Open(store_options);
  if (!store.ok()) {
    Log(LogLevel::kError, "cannot open store",
        {{"data_dir", options.data_dir}, {"error", std::string(store.status().message())}});
    return 1;
  }
  if (absl::Status s = (*store)->Checkpoint(options.to); !s.ok()) {
    Log(LogLevel::kError, "backup failed", {{"error", std::string(s.message())}});
    return 1;
  }
  Log(LogLevel::kInfo, "backup written", {{"to", options.to}});
  return 0;
}

}  // namespace regenatlas::cli
