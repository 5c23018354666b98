#include "cmd/regenatlas/serve.h"

#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/server_runner.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_service.h"
#include "services/catalog/dataset_loader.h"
#include "services/gateway/gateway_service.h"
#include "services/market-analytics/analytics.h"
#include "services/market-analytics/analytics_service.h"
#include "services/regulatory-timeline/catalog_client.h"
#include "services/regulatory-timeline/dataset_loader.h"
#include "services/regulatory-timeline/timeline.h"
#include "services/regulatory-timeline/timeline_service.h"
#include "storage/store.h"

namespace regenatlas::cli {
namespace {

constexpr char kCatalogService[] = "regenatlas.catalog.v1.CatalogService";
constexpr char kTimelineService[] = "regenatlas.timeline.v1.RegulatoryTimelineService";
constexpr char kAnalyticsService[] = "regenatlas.analytics.v1.MarketAnalyticsService";
constexpr char kGatewayService[] = "regenatlas.gateway.v1.GatewayService";

}  // namespace

int RunServe(const ServeOptions& options) {
  if (options.role != "all") {
    // The split roles arrive with the gateway issue; refusing beats
    // pretending to run one.
    Log(LogLevel::kError, "unsupported role",
        {{"role", options.role}, {"supported", "all"}});
    return 2;
  }
  storage::StoreOptions store_options;
  store_options.path = options.data_dir;
  store_options.sync_writes = options.sync_writes;
  absl::StatusOr<std::unique_ptr<storage::Store>> store = storage::Store::Open(store_options);
  if (!store.ok()) {
    Log(LogLevel::kError, "cannot open store",
        {{"data_dir", options.data_dir}, {"error", std::string(store.status().message())}});
    return 1;
  }

  catalog::Catalog catalog_domain(store->get(), catalog::CatalogOptions{});
  if (options.dataset != "none") {
    const std::string dir = (std::filesystem::path(options.dataset) / "catalog").string();
    if (!std::filesystem::is_directory(dir)) {
      Log(LogLevel::kError, "dataset not found", {{"dataset", options.dataset}});
      return 1;
    }
    absl::StatusOr<catalog::LoadSummary> loaded = catalog::EnsureCatalogDataset(catalog_domain, dir);
    if (!loaded.ok()) {
      Log(LogLevel::kError, "cannot load dataset", {{"error", std::string(loaded.status().message())}});
      return 1;
    }
    for (const std::string& r : loaded->rejected) {
      Log(LogLevel::kWarning, "dataset record rejected", {{"detail", r}});
    }
    Log(LogLevel::kInfo, "catalog dataset",
        {{"dir", dir},
         {"created", absl::StrCat(loaded->created)},
         {"updated", absl::StrCat(loaded->updated)},
         {"unchanged", absl::StrCat(loaded->unchanged)},
         {"rejected", absl::StrCat(loaded->rejected.size())}});
  }
  catalog::CatalogService catalog_service(&catalog_domain);
  ServerRunner runner(ServerOptions{options.listen, options.shutdown_grace});
  // All-in-one: services reach each other over in-process channels, through
  // the same gRPC APIs as in split mode.
  auto in_process = [&runner] { return runner.InProcessChannel(); };
  timeline::GrpcCatalogClient timeline_catalog(in_process);
  timeline::Timeline timeline_domain(store->get(), &timeline_catalog, timeline::TimelineOptions{});
  timeline::TimelineService timeline_service(&timeline_domain);
  analytics::Analytics analytics_domain(store->get(), analytics::AnalyticsOptions{});
  analytics::AnalyticsService analytics_service(&analytics_domain);

  gateway::GatewayOptions gateway_options;
  for (const char* service : {kCatalogService, kTimelineService, kAnalyticsService}) {
    gateway_options.backends.push_back({service, "in-process", in_process});
  }
  gateway::GatewayService gateway_service(std::move(gateway_options));

  runner.AddService(&catalog_service, kCatalogService);
  const bool load_data = options.dataset != "none";
  runner.AddService(&timeline_service, kTimelineService, /*serving_at_start=*/!load_data);
  runner.AddShutdownHook([&timeline_service] { timeline_service.Shutdown(); });
  runner.AddService(&analytics_service, kAnalyticsService);
  runner.AddService(&gateway_service, kGatewayService);
  if (absl::Status s = runner.Start(); !s.ok()) {
    Log(LogLevel::kError, "cannot start server", {{"error", std::string(s.message())}});
    return 1;
  }
  if (load_data) {
    // Timeline references are checked through the catalog's API, which
    // serves only now; the service reports SERVING once its data is in.
    const std::string dir = (std::filesystem::path(options.dataset) / "timeline").string();
    absl::StatusOr<timeline::LoadSummary> loaded =
        timeline::EnsureTimelineDataset(timeline_domain, **store, dir);
    if (!loaded.ok()) {
      Log(LogLevel::kError, "cannot load dataset", {{"error", std::string(loaded.status().message())}});
      runner.Shutdown();
      return 1;
    }
    for (const std::string& r : loaded->rejected) {
      Log(LogLevel::kWarning, "dataset record rejected", {{"detail", r}});
    }
    Log(LogLevel::kInfo, "timeline dataset",
        {{"dir", dir},
         {"created", absl::StrCat(loaded->created)},
         {"updated", absl::StrCat(loaded->updated)},
         {"unchanged", absl::StrCat(loaded->unchanged)},
         {"rejected", absl::StrCat(loaded->rejected.size())}});
    runner.health().SetStatus(kTimelineService, grpc::health::v1::HealthCheckResponse::SERVING);
  }
  Log(LogLevel::kInfo, "serving",
      {{"role", options.role}, {"data_dir", options.data_dir},
       {"port", absl::StrCat(runner.port())}});

  int sig = WaitForTerminationSignal();
  Log(LogLevel::kInfo, "signal received", {{"signal", absl::StrCat(sig)}});
  runner.Shutdown();
  if (absl::Status s = (*store)->Close(); !s.ok()) {
    Log(LogLevel::kError, "store close failed", {{"error", std::string(s.message())}});
    return 1;
  }
  Log(LogLevel::kInfo, "store closed");
  return 0;
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
