#include "cmd/regenatlas/server.h"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "cmd/regenatlas/channels.h"
#include "cmd/regenatlas/classifier_rules.h"
#include "common/log.h"
#include "common/server_runner.h"
#include "common/status_macros.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_service.h"
#include "services/catalog/dataset_loader.h"
#include "services/catalog/grpc_catalog_client.h"
#include "services/gateway/access_log.h"
#include "services/gateway/front.h"
#include "services/gateway/gateway_service.h"
#include "services/gateway/health_monitor.h"
#include "services/gateway/metrics.h"
#include "services/market-analytics/analytics.h"
#include "services/market-analytics/analytics_service.h"
#include "services/market-analytics/dataset_loader.h"
#include "services/regulatory-timeline/dataset_loader.h"
#include "services/regulatory-timeline/grpc_timeline_client.h"
#include "services/regulatory-timeline/stage_sync.h"
#include "services/regulatory-timeline/timeline.h"
#include "services/regulatory-timeline/timeline_service.h"
#include "storage/store.h"

namespace regenatlas::cli {
namespace {

using grpc::health::v1::HealthCheckResponse;

// Full names of the services, from their generated code.
constexpr const char* kCatalogService = catalog::v1::CatalogService::service_full_name();
constexpr const char* kCatalogInternalService =
    catalog::v1::CatalogInternalService::service_full_name();
constexpr const char* kTimelineService =
    timeline::v1::RegulatoryTimelineService::service_full_name();
constexpr const char* kAnalyticsService =
    analytics::v1::MarketAnalyticsService::service_full_name();
constexpr const char* kGatewayService = gateway::v1::GatewayService::service_full_name();

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

}  // namespace

// Everything a Server runs. Shutdown stops every server before any member
// is destroyed, so the services, executors and store may then go in any
// order.
struct Server::Parts {
  // Where the public face sends each service's calls.
  std::vector<gateway::Route> routes;
  std::unique_ptr<storage::Store> store;

  std::unique_ptr<catalog::Catalog> catalog;
  std::unique_ptr<catalog::CatalogService> catalog_service;
  std::unique_ptr<catalog::CatalogInternalService> catalog_internal;
  std::unique_ptr<catalog::GrpcCatalogClient> timeline_catalog;
  std::unique_ptr<timeline::Timeline> timeline;
  std::unique_ptr<timeline::TimelineService> timeline_service;
  std::unique_ptr<analytics::Analytics> analytics;
  std::unique_ptr<analytics::AnalyticsService> analytics_service;
  std::unique_ptr<gateway::GatewayService> gateway_service;

  // The services, on a server without a port.
  std::unique_ptr<ServerRunner> internal;
  // The same services again (sharing the executors), registered on the
  // public server for the local routes: no forwarding hop (front.h
  // Route::local). The timeline's is kept apart for its Shutdown.
  std::vector<std::unique_ptr<grpc::Service>> public_services;
  timeline::TimelineService* public_timeline = nullptr;
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

Server::Server(const ServeOptions& options)
    : options_(options), parts_(std::make_unique<Parts>()) {}

Server::~Server() {
  if (absl::Status s = Shutdown(); !s.ok()) {
    Log(LogLevel::kError, "shutdown failed", {{"error", std::string(s.message())}});
  }
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServeOptions& options,
                                                      gateway::AccessOptions access) {
  std::unique_ptr<Server> server(new Server(options));
  RETURN_IF_ERROR(server->StartServices(access));
  RETURN_IF_ERROR(server->StartPublicFace(access), _ << "cannot start server");
  return server;
}

int Server::port() const {
  return parts_->public_runner != nullptr ? parts_->public_runner->port() : 0;
}
int Server::health_port() const {
  return parts_->health_runner != nullptr ? parts_->health_runner->port() : 0;
}
int Server::metrics_port() const {
  return parts_->metrics != nullptr ? parts_->metrics->port() : 0;
}

storage::Store* Server::store() const { return parts_->store.get(); }
catalog::Catalog* Server::catalog() const { return parts_->catalog.get(); }
timeline::Timeline* Server::timeline() const { return parts_->timeline.get(); }
analytics::Analytics* Server::analytics() const { return parts_->analytics.get(); }

absl::Status Server::StartServices(gateway::AccessOptions access) {
  const ServeOptions& o = options_;
  const std::string service_key = gateway::ServiceKey(access.keys);
  const bool load = o.dataset != "none";
  const bool all = o.role == "all";

  Parts& p = *parts_;
  if (o.role != "gateway") {
    storage::StoreOptions store_options;
    store_options.path = o.data_dir;
    store_options.sync_writes = o.sync_writes;
    store_options.block_cache_bytes = static_cast<size_t>(o.block_cache_mb) << 20;
    if (o.clock) store_options.clock = o.clock;
    ASSIGN_OR_RETURN(p.store, storage::Store::Open(store_options), _ << "cannot open store");
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
  std::vector<gateway::Route>& routes = p.routes;

  if (all || o.role == "catalog") {
    catalog::CatalogOptions co;
    if (o.clock) co.clock = o.clock;
    ASSIGN_OR_RETURN(co.trial_classifier, LoadClassifierRules(o.classification_rules, o.dataset));
    p.catalog = std::make_unique<catalog::Catalog>(p.store.get(), co);
    RETURN_IF_ERROR(p.catalog->status(), _ << "cannot open the catalog");
    if (load) {
      ASSIGN_OR_RETURN(catalog::LoadSummary loaded,
                       catalog::EnsureCatalogDataset(*p.catalog, DatasetPart(o, "catalog")),
                       _ << "cannot load dataset");
      LogLoaded("catalog dataset", DatasetPart(o, "catalog"), loaded);
    }
    p.catalog_service =
        std::make_unique<catalog::CatalogService>(p.catalog.get(), executor_named("catalog"));
    p.catalog_internal = std::make_unique<catalog::CatalogInternalService>(
        p.catalog.get(), executor_named("catalog-internal"));
    internal->AddService(p.catalog_service.get(), kCatalogService);
    internal->AddService(p.catalog_internal.get(), kCatalogInternalService);
    routes.push_back({kCatalogService, "catalog", local, true});
    p.public_services.push_back(
        std::make_unique<catalog::CatalogService>(p.catalog.get(), p.catalog_service->executor()));
    // Only peers (the `service` role) reach the internal service, and only
    // on a backend's own port; the all-in-one public port never routes it.
    if (!all) {
      routes.push_back({kCatalogInternalService, "catalog", local, true});
      p.public_services.push_back(std::make_unique<catalog::CatalogInternalService>(
          p.catalog.get(), p.catalog_internal->executor()));
    }
  }
  if (all || o.role == "timeline") {
    p.timeline_catalog =
        std::make_unique<catalog::GrpcCatalogClient>(peer(o.catalog_addr, kCatalogService));
    timeline::TimelineOptions tlo;
    if (o.clock) tlo.clock = o.clock;
    p.timeline = std::make_unique<timeline::Timeline>(p.store.get(), p.timeline_catalog.get(), tlo);
    timeline::TimelineServiceOptions to;
    to.executor = executor_named("timeline");
    to.max_watch_streams = o.max_watch_streams;
    p.timeline_service = std::make_unique<timeline::TimelineService>(p.timeline.get(), to);
    internal->AddService(p.timeline_service.get(), kTimelineService, !load);
    routes.push_back({kTimelineService, "timeline", local, true});
    to.shared_executor = p.timeline_service->executor();
    auto public_timeline = std::make_unique<timeline::TimelineService>(p.timeline.get(), to);
    p.public_timeline = public_timeline.get();
    p.public_services.push_back(std::move(public_timeline));
  }
  if (all || o.role == "analytics") {
    analytics::AnalyticsOptions ao;
    if (o.clock) ao.clock = o.clock;
    ao.catalog =
        std::make_shared<catalog::GrpcCatalogClient>(peer(o.catalog_addr, kCatalogService));
    ao.timeline =
        std::make_shared<timeline::GrpcTimelineClient>(peer(o.timeline_addr, kTimelineService));
    p.analytics = std::make_unique<analytics::Analytics>(p.store.get(), ao);
    p.analytics_service = std::make_unique<analytics::AnalyticsService>(
        p.analytics.get(), executor_named("analytics"));
    internal->AddService(p.analytics_service.get(), kAnalyticsService, !load);
    routes.push_back({kAnalyticsService, "analytics", local, true});
    p.public_services.push_back(std::make_unique<analytics::AnalyticsService>(
        p.analytics.get(), p.analytics_service->executor()));
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
    gateway::GatewayOptions public_go = go;
    p.gateway_service =
        std::make_unique<gateway::GatewayService>(std::move(go), executor_named("gateway"));
    internal->AddService(p.gateway_service.get(), kGatewayService);
    routes.push_back({kGatewayService, "local", local, true});
    p.public_services.push_back(std::make_unique<gateway::GatewayService>(
        std::move(public_go), p.gateway_service->executor()));
  }
  RETURN_IF_ERROR(internal->Start());

  auto set_serving = [internal](const char* service) {
    internal->health().SetStatus(service, HealthCheckResponse::SERVING);
  };
  if (load && all) {
    // In one process the catalog answers at once: load in order, before
    // the public port opens.
    ASSIGN_OR_RETURN(
        timeline::LoadSummary t,
        timeline::EnsureTimelineDataset(*p.timeline, *p.store, DatasetPart(o, "timeline")),
        _ << "cannot load dataset");
    LogLoaded("timeline dataset", DatasetPart(o, "timeline"), t);
    set_serving(kTimelineService);
    ASSIGN_OR_RETURN(analytics::LoadSummary a,
                     analytics::EnsureAnalyticsDataset(*p.analytics, DatasetPart(o, "analytics")),
                     _ << "cannot load dataset");
    LogLoaded("analytics dataset", DatasetPart(o, "analytics"), a);
    set_serving(kAnalyticsService);
  } else if (load && o.role == "timeline") {
    p.loader = std::make_unique<BackgroundLoader>(
        [&p, &o = options_] {
          absl::StatusOr<timeline::LoadSummary> t =
              timeline::EnsureTimelineDataset(*p.timeline, *p.store, DatasetPart(o, "timeline"));
          if (t.ok()) LogLoaded("timeline dataset", DatasetPart(o, "timeline"), *t);
          return t.status();
        },
        [set_serving] { set_serving(kTimelineService); });
  } else if (load && o.role == "analytics") {
    p.loader = std::make_unique<BackgroundLoader>(
        [&p, &o = options_] {
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

  return absl::OkStatus();
}

// The public face: the local routes' services (admitted by the front's
// interceptor), forwarding services for the other routes, health (mirroring
// the routed services) and reflection on --listen; optionally a health-only
// plaintext port and Prometheus metrics.
absl::Status Server::StartPublicFace(const gateway::AccessOptions& access) {
  const ServeOptions& o = options_;
  Parts& p = *parts_;
  const std::vector<gateway::Route>& routes = p.routes;
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
  for (const auto& s : p.public_services) p.public_runner->AddService(s.get(), "", true);
  p.public_runner->AddInterceptorFactory(front->LocalInterceptorFactory());
  for (const gateway::Route& r : routes) {
    p.public_runner->AddServedName(r.service);
    monitored.push_back({r.service, [front, name = r.service] { return front->ChannelFor(name); }});
  }
  RETURN_IF_ERROR(p.public_runner->Start());
  p.monitor = std::make_unique<gateway::HealthMonitor>(&p.public_runner->health(), monitored,
                                                       absl::Seconds(1));
  p.monitor->CheckOnce();
  p.monitor->Start();
  if (!o.health_listen.empty()) {
    ServerOptions ho;
    ho.listen = o.health_listen;
    ho.shutdown_grace = o.shutdown_grace;
    p.health_runner = std::make_unique<ServerRunner>(ho);
    RETURN_IF_ERROR(p.health_runner->Start());
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

absl::Status Server::Shutdown() {
  if (shut_down_) return absl::OkStatus();
  shut_down_ = true;
  const ServeOptions& o = options_;
  Parts& p = *parts_;
  const absl::Time start = absl::Now();
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
  if (p.internal != nullptr) p.internal->health().Shutdown();
  const absl::Time drain_end =
      start + std::min(o.shutdown_grace / 2, absl::Milliseconds(o.drain_window_ms));
  if (p.front != nullptr) p.front->StopAccepting();
  // The timeline ends its streams itself, with the resume token in the
  // status and the x-resume-token trailer; the front passes them on. Then
  // streams still open (to remote backends) are cut.
  if (p.timeline_service != nullptr) p.timeline_service->Shutdown();
  if (p.public_timeline != nullptr) p.public_timeline->Shutdown();
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
  if (p.internal != nullptr) p.internal->Shutdown(deadline);
  Log(LogLevel::kInfo, "servers stopped",
      {{"after", absl::FormatDuration(absl::Trunc(absl::Now() - start, absl::Milliseconds(1)))}});
  // The services go before the store: their executors join here, so no
  // task still reads while the store closes.
  p.public_timeline = nullptr;
  p.public_services.clear();
  p.gateway_service.reset();
  p.analytics_service.reset();
  p.timeline_service.reset();
  p.catalog_internal.reset();
  p.catalog_service.reset();
  if (p.store != nullptr) {
    if (absl::Status s = p.store->Close(); !s.ok()) {
      return absl::Status(s.code(), absl::StrCat("store close failed: ", s.message()));
    }
    Log(LogLevel::kInfo, "store closed");
  }
  return absl::OkStatus();
}

}  // namespace regenatlas::cli
