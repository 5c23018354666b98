#include "cmd/regenatlas/serve.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/log.h"
#include "common/server_runner.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_service.h"
#include "services/catalog/dataset_loader.h"
#include "services/gateway/front.h"
#include "services/gateway/gateway_service.h"
#include "services/gateway/health_monitor.h"
#include "services/gateway/metrics.h"
#include "services/market-analytics/analytics.h"
#include "services/market-analytics/analytics_service.h"
#include "services/market-analytics/dataset_loader.h"
#include "services/market-analytics/grpc_readers.h"
#include "services/regulatory-timeline/catalog_client.h"
#include "services/regulatory-timeline/dataset_loader.h"
#include "services/regulatory-timeline/timeline.h"
#include "services/regulatory-timeline/timeline_service.h"
#include "storage/store.h"

namespace regenatlas::cli {
namespace {

using grpc::health::v1::HealthCheckResponse;

constexpr char kCatalogService[] = "regenatlas.catalog.v1.CatalogService";
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

ChannelFactory RemoteChannel(const std::string& addr, const std::string& service) {
  return [addr, service] {
    return grpc::CreateCustomChannel(addr, grpc::InsecureChannelCredentials(),
                                     gateway::BackendChannelArguments({service}));
  };
}

absl::StatusOr<std::unique_ptr<storage::Store>> OpenStore(const ServeOptions& o) {
  storage::StoreOptions store_options;
  store_options.path = o.data_dir;
  store_options.sync_writes = o.sync_writes;
  return storage::Store::Open(store_options);
}

std::string DatasetPart(const ServeOptions& o, const char* part) {
  return (std::filesystem::path(o.dataset) / part).string();
}

template <typename Summary>
void LogLoaded(const char* what, const std::string& dir, const Summary& s) {
  for (const std::string& r : s.rejected) Log(LogLevel::kWarning, "dataset record rejected", {{"detail", r}});
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

// Serves until a termination signal, then shuts the runners down in order
// (public ones first) and closes the store.
int ServeUntilSignal(const std::vector<ServerRunner*>& runners, storage::Store* store) {
  int sig = WaitForTerminationSignal();
  Log(LogLevel::kInfo, "signal received", {{"signal", absl::StrCat(sig)}});
  for (ServerRunner* r : runners) r->Shutdown();
  if (store != nullptr) {
    if (absl::Status s = store->Close(); !s.ok()) {
      Log(LogLevel::kError, "store close failed", {{"error", std::string(s.message())}});
      return 1;
    }
    Log(LogLevel::kInfo, "store closed");
  }
  return 0;
}

int StartupError(const absl::Status& s, absl::string_view what) {
  Log(LogLevel::kError, what, {{"error", std::string(s.message())}});
  return 1;
}

// The public face: forwarding services for `routes`, health (mirroring the
// backends) and reflection on --listen; optionally a health-only plaintext
// port. Owned pieces live as long as this object.
struct PublicFace {
  std::unique_ptr<gateway::Metrics> metrics;
  std::unique_ptr<gateway::Front> front;
  std::unique_ptr<ServerRunner> runner;
  std::unique_ptr<ServerRunner> health_runner;
  std::unique_ptr<gateway::HealthMonitor> monitor;
  std::unique_ptr<gateway::HealthMonitor> health_port_monitor;
};

absl::StatusOr<PublicFace> StartPublicFace(const ServeOptions& o, std::vector<gateway::Route> routes) {
  PublicFace face;
  gateway::FrontOptions fo;
  fo.routes = routes;
  fo.access.allow_anonymous_reads = o.allow_anonymous_reads;
  if (!o.auth_keys.empty()) {
    absl::StatusOr<std::map<std::string, gateway::Role>> keys = gateway::LoadKeysFile(o.auth_keys);
    if (!keys.ok()) return keys.status();
    fo.access.keys = *std::move(keys);
  }
  if (!o.metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<gateway::Metrics>> metrics = gateway::Metrics::Start(o.metrics_listen);
    if (!metrics.ok()) return metrics.status();
    face.metrics = *std::move(metrics);
    fo.observer = face.metrics->Observer();
  }
  fo.rate_limit_qps = o.rate_limit_qps;
  fo.rate_limit_burst = o.rate_limit_burst > 0 ? o.rate_limit_burst : o.rate_limit_qps;
  face.front = std::make_unique<gateway::Front>(std::move(fo));
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> creds = PublicCredentials(o);
  if (!creds.ok()) return creds.status();
  face.runner = std::make_unique<ServerRunner>(ServerOptions{o.listen, o.shutdown_grace, *creds});
  std::vector<gateway::MonitoredBackend> monitored;
  gateway::Front* front = face.front.get();
  for (grpc::Service* s : front->Services()) face.runner->AddService(s, "", true);
  for (const gateway::Route& r : routes) {
    monitored.push_back({r.service, [front, name = r.service] { return front->ChannelFor(name); }});
  }
  absl::Status s = face.runner->Start();
  if (!s.ok()) return s;
  face.monitor = std::make_unique<gateway::HealthMonitor>(&face.runner->health(), monitored,
                                                          absl::Seconds(1));
  face.monitor->CheckOnce();
  face.monitor->Start();
  if (!o.health_listen.empty()) {
    face.health_runner = std::make_unique<ServerRunner>(
        ServerOptions{o.health_listen, o.shutdown_grace, nullptr});
    s = face.health_runner->Start();
    if (!s.ok()) return s;
    face.health_port_monitor = std::make_unique<gateway::HealthMonitor>(
        &face.health_runner->health(), monitored, absl::Seconds(1));
    face.health_port_monitor->CheckOnce();
    face.health_port_monitor->Start();
  }
  Log(LogLevel::kInfo, "serving",
      {{"role", o.role}, {"port", absl::StrCat(face.runner->port())},
       {"health_port", face.health_runner ? absl::StrCat(face.health_runner->port()) : ""},
       {"metrics_port", face.metrics ? absl::StrCat(face.metrics->port()) : ""},
       {"tls", o.tls_cert.empty() ? "off" : (o.tls_client_ca.empty() ? "on" : "mutual")},
       {"auth_keys", absl::StrCat(!o.auth_keys.empty())},
       {"anonymous_reads", o.allow_anonymous_reads ? "on" : "off"}});
  return face;
}

int ServeAll(const ServeOptions& o) {
  absl::StatusOr<std::unique_ptr<storage::Store>> store = OpenStore(o);
  if (!store.ok()) return StartupError(store.status(), "cannot open store");
  const bool load = o.dataset != "none";

  catalog::Catalog catalog_domain(store->get(), catalog::CatalogOptions{});
  if (load) {
    absl::StatusOr<catalog::LoadSummary> loaded =
        catalog::EnsureCatalogDataset(catalog_domain, DatasetPart(o, "catalog"));
    if (!loaded.ok()) return StartupError(loaded.status(), "cannot load dataset");
    LogLoaded("catalog dataset", DatasetPart(o, "catalog"), *loaded);
  }
  catalog::CatalogService catalog_service(&catalog_domain);

  // The services run on an internal server without a port; the public face
  // forwards to it over an in-process channel, and the services reach each
  // other the same way — the paths of split mode, without the network.
  ServerRunner internal(ServerOptions{"", o.shutdown_grace, nullptr});
  ChannelFactory in_process = [&internal] { return internal.InProcessChannel(); };
  timeline::GrpcCatalogClient timeline_catalog(in_process);
  timeline::Timeline timeline_domain(store->get(), &timeline_catalog, timeline::TimelineOptions{});
  timeline::TimelineService timeline_service(&timeline_domain);
  analytics::AnalyticsOptions ao;
  ao.catalog = std::make_shared<analytics::GrpcCatalogReader>(in_process);
  ao.timeline = std::make_shared<analytics::GrpcTimelineReader>(in_process);
  analytics::Analytics analytics_domain(store->get(), ao);
  analytics::AnalyticsService analytics_service(&analytics_domain);
  gateway::GatewayOptions go;
  for (const char* service : {kCatalogService, kTimelineService, kAnalyticsService}) {
    go.backends.push_back({service, "in-process", in_process});
  }
  gateway::GatewayService gateway_service(std::move(go));
  internal.AddService(&catalog_service, kCatalogService);
  internal.AddService(&timeline_service, kTimelineService, !load);
  internal.AddService(&analytics_service, kAnalyticsService, !load);
  internal.AddService(&gateway_service, kGatewayService);
  internal.AddShutdownHook([&timeline_service] { timeline_service.Shutdown(); });
  if (absl::Status s = internal.Start(); !s.ok()) return StartupError(s, "cannot start server");

  if (load) {
    absl::StatusOr<timeline::LoadSummary> t =
        timeline::EnsureTimelineDataset(timeline_domain, **store, DatasetPart(o, "timeline"));
    if (!t.ok()) return StartupError(t.status(), "cannot load dataset");
    LogLoaded("timeline dataset", DatasetPart(o, "timeline"), *t);
    internal.health().SetStatus(kTimelineService, HealthCheckResponse::SERVING);
    absl::StatusOr<analytics::LoadSummary> a =
        analytics::EnsureAnalyticsDataset(analytics_domain, DatasetPart(o, "analytics"));
    if (!a.ok()) return StartupError(a.status(), "cannot load dataset");
    LogLoaded("analytics dataset", DatasetPart(o, "analytics"), *a);
    internal.health().SetStatus(kAnalyticsService, HealthCheckResponse::SERVING);
  }

  std::vector<gateway::Route> routes;
  for (const char* service : {kCatalogService, kTimelineService, kAnalyticsService, kGatewayService}) {
    routes.push_back({service, "in-process", in_process});
  }
  absl::StatusOr<PublicFace> face = StartPublicFace(o, routes);
  if (!face.ok()) return StartupError(face.status(), "cannot start server");
  std::vector<ServerRunner*> runners = {face->runner.get()};
  if (face->health_runner) runners.push_back(face->health_runner.get());
  runners.push_back(&internal);
  return ServeUntilSignal(runners, store->get());
}

// One backend service in its own process (split topology).
int ServeBackend(const ServeOptions& o) {
  absl::StatusOr<std::unique_ptr<storage::Store>> store = OpenStore(o);
  if (!store.ok()) return StartupError(store.status(), "cannot open store");
  const bool load = o.dataset != "none";
  absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> creds = PublicCredentials(o);
  if (!creds.ok()) return StartupError(creds.status(), "bad TLS flags");
  // Backends record their calls through an interceptor (the public face
  // records them in the forwarding path instead).
  std::unique_ptr<gateway::Metrics> metrics;
  ServerCallObserver observer;
  if (!o.metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<gateway::Metrics>> started = gateway::Metrics::Start(o.metrics_listen);
    if (!started.ok()) return StartupError(started.status(), "cannot start metrics");
    metrics = *std::move(started);
    gateway::CallObserver record = metrics->Observer();
    observer = [record, role = o.role](const std::string& method, grpc::StatusCode code,
                                       absl::Duration latency) { record(method, role, code, latency); };
  }
  ServerRunner runner(ServerOptions{o.listen, o.shutdown_grace, *creds, observer});
  std::unique_ptr<ServerRunner> health_runner;
  if (!o.health_listen.empty()) {
    health_runner = std::make_unique<ServerRunner>(ServerOptions{o.health_listen, o.shutdown_grace, nullptr});
  }
  auto set_serving = [&](const char* service) {
    runner.health().SetStatus(service, HealthCheckResponse::SERVING);
    if (health_runner) health_runner->health().SetStatus(service, HealthCheckResponse::SERVING);
  };

  std::unique_ptr<catalog::Catalog> catalog_domain;
  std::unique_ptr<catalog::CatalogService> catalog_service;
  std::unique_ptr<timeline::GrpcCatalogClient> timeline_catalog;
  std::unique_ptr<timeline::Timeline> timeline_domain;
  std::unique_ptr<timeline::TimelineService> timeline_service;
  std::unique_ptr<analytics::Analytics> analytics_domain;
  std::unique_ptr<analytics::AnalyticsService> analytics_service;
  std::unique_ptr<BackgroundLoader> loader;
  const char* service = nullptr;

  if (o.role == "catalog") {
    service = kCatalogService;
    catalog_domain = std::make_unique<catalog::Catalog>(store->get(), catalog::CatalogOptions{});
    if (load) {
      absl::StatusOr<catalog::LoadSummary> loaded =
          catalog::EnsureCatalogDataset(*catalog_domain, DatasetPart(o, "catalog"));
      if (!loaded.ok()) return StartupError(loaded.status(), "cannot load dataset");
      LogLoaded("catalog dataset", DatasetPart(o, "catalog"), *loaded);
    }
    catalog_service = std::make_unique<catalog::CatalogService>(catalog_domain.get());
    runner.AddService(catalog_service.get(), service);
  } else if (o.role == "timeline") {
    if (o.catalog_addr.empty()) return StartupError(absl::InvalidArgumentError("--catalog_addr is required"), "bad flags");
    service = kTimelineService;
    timeline_catalog = std::make_unique<timeline::GrpcCatalogClient>(RemoteChannel(o.catalog_addr, kCatalogService));
    timeline_domain = std::make_unique<timeline::Timeline>(store->get(), timeline_catalog.get(),
                                                           timeline::TimelineOptions{});
    timeline_service = std::make_unique<timeline::TimelineService>(timeline_domain.get());
    runner.AddService(timeline_service.get(), service, !load);
    runner.AddShutdownHook([&] { timeline_service->Shutdown(); });
  } else if (o.role == "analytics") {
    if (o.catalog_addr.empty() || o.timeline_addr.empty()) {
      return StartupError(absl::InvalidArgumentError("--catalog_addr and --timeline_addr are required"), "bad flags");
    }
    service = kAnalyticsService;
    analytics::AnalyticsOptions ao;
    ao.catalog = std::make_shared<analytics::GrpcCatalogReader>(RemoteChannel(o.catalog_addr, kCatalogService));
    ao.timeline = std::make_shared<analytics::GrpcTimelineReader>(RemoteChannel(o.timeline_addr, kTimelineService));
    analytics_domain = std::make_unique<analytics::Analytics>(store->get(), ao);
    analytics_service = std::make_unique<analytics::AnalyticsService>(analytics_domain.get());
    runner.AddService(analytics_service.get(), service, !load);
  }
  if (absl::Status s = runner.Start(); !s.ok()) return StartupError(s, "cannot start server");
  if (health_runner) {
    if (absl::Status s = health_runner->Start(); !s.ok()) return StartupError(s, "cannot start health port");
    const bool ready = o.role == "catalog" || !load;
    health_runner->health().SetStatus(
        service, ready ? HealthCheckResponse::SERVING : HealthCheckResponse::NOT_SERVING);
  }
  Log(LogLevel::kInfo, "serving",
      {{"role", o.role}, {"port", absl::StrCat(runner.port())},
       {"health_port", health_runner ? absl::StrCat(health_runner->port()) : ""},
       {"metrics_port", metrics ? absl::StrCat(metrics->port()) : ""}});
  if (load && o.role == "timeline") {
    loader = std::make_unique<BackgroundLoader>(
        [&] {
          absl::StatusOr<timeline::LoadSummary> t =
              timeline::EnsureTimelineDataset(*timeline_domain, **store, DatasetPart(o, "timeline"));
          if (t.ok()) LogLoaded("timeline dataset", DatasetPart(o, "timeline"), *t);
          return t.status();
        },
        [&] { set_serving(kTimelineService); });
  } else if (load && o.role == "analytics") {
    loader = std::make_unique<BackgroundLoader>(
        [&] {
          absl::StatusOr<analytics::LoadSummary> a =
              analytics::EnsureAnalyticsDataset(*analytics_domain, DatasetPart(o, "analytics"));
          if (a.ok()) LogLoaded("analytics dataset", DatasetPart(o, "analytics"), *a);
          return a.status();
        },
        [&] { set_serving(kAnalyticsService); });
  }
  std::vector<ServerRunner*> runners = {&runner};
  if (health_runner) runners.push_back(health_runner.get());
  int code = ServeUntilSignal(runners, nullptr);
  loader.reset();
  if (absl::Status s = (*store)->Close(); !s.ok()) return StartupError(s, "store close failed");
  Log(LogLevel::kInfo, "store closed");
  return code;
}

// The gateway role: the public face over remote backends, plus the
// gateway's own composite methods.
int ServeGateway(const ServeOptions& o) {
  if (o.catalog_addr.empty() || o.timeline_addr.empty() || o.analytics_addr.empty()) {
    return StartupError(
        absl::InvalidArgumentError("--catalog_addr, --timeline_addr and --analytics_addr are required"),
        "bad flags");
  }
  ChannelFactory catalog = RemoteChannel(o.catalog_addr, kCatalogService);
  ChannelFactory timeline = RemoteChannel(o.timeline_addr, kTimelineService);
  ChannelFactory analytics = RemoteChannel(o.analytics_addr, kAnalyticsService);
  ServerRunner internal(ServerOptions{"", o.shutdown_grace, nullptr});
  gateway::GatewayOptions go;
  go.backends = {{kCatalogService, o.catalog_addr, catalog},
                 {kTimelineService, o.timeline_addr, timeline},
                 {kAnalyticsService, o.analytics_addr, analytics}};
  gateway::GatewayService gateway_service(std::move(go));
  internal.AddService(&gateway_service, kGatewayService);
  if (absl::Status s = internal.Start(); !s.ok()) return StartupError(s, "cannot start server");
  std::vector<gateway::Route> routes = {
      {kCatalogService, o.catalog_addr, catalog},
      {kTimelineService, o.timeline_addr, timeline},
      {kAnalyticsService, o.analytics_addr, analytics},
      {kGatewayService, "in-process", [&internal] { return internal.InProcessChannel(); }}};
  absl::StatusOr<PublicFace> face = StartPublicFace(o, routes);
  if (!face.ok()) return StartupError(face.status(), "cannot start server");
  std::vector<ServerRunner*> runners = {face->runner.get()};
  if (face->health_runner) runners.push_back(face->health_runner.get());
  runners.push_back(&internal);
  return ServeUntilSignal(runners, nullptr);
}

}  // namespace

int RunServe(const ServeOptions& options) {
  if (options.role == "all") return ServeAll(options);
  if (options.role == "catalog" || options.role == "timeline" || options.role == "analytics") {
    return ServeBackend(options);
  }
  if (options.role == "gateway") return ServeGateway(options);
  Log(LogLevel::kError, "unknown role",
      {{"role", options.role}, {"roles", "all, catalog, timeline, analytics, gateway"}});
  return 2;
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
