#ifndef REGENATLAS_TESTS_SERVICES_MARKET_ANALYTICS_ANALYTICS_FIXTURE_H_
#define REGENATLAS_TESTS_SERVICES_MARKET_ANALYTICS_ANALYTICS_FIXTURE_H_

#include <memory>
#include <string>

#include "absl/strings/str_join.h"
#include "common/server_runner.h"
#include "gtest/gtest.h"
#include "regenatlas/analytics/v1/analytics_service.grpc.pb.h"
#include "regenatlas/catalog/v1/catalog_service.grpc.pb.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_service.h"
#include "services/catalog/dataset_loader.h"
#include "services/market-analytics/analytics.h"
#include "services/market-analytics/analytics_service.h"
#include "services/market-analytics/dataset_loader.h"
#include "services/market-analytics/grpc_readers.h"
#include "services/regulatory-timeline/catalog_client.h"
#include "services/regulatory-timeline/dataset_loader.h"
#include "services/regulatory-timeline/timeline.h"
#include "services/regulatory-timeline/timeline_service.h"
#include "storage/store.h"
#include "tests/testing/temp_dir.h"

namespace regenatlas::analytics::testing {

inline constexpr char kCatalogService[] = "regenatlas.catalog.v1.CatalogService";
inline constexpr char kTimelineService[] = "regenatlas.timeline.v1.RegulatoryTimelineService";
inline constexpr char kAnalyticsService[] = "regenatlas.analytics.v1.MarketAnalyticsService";

// The all-in-one topology in a test: real catalog, timeline and analytics
// services on one in-process server over one store, analytics reading the
// other two through their gRPC APIs over the in-process channel, clients
// connected over TCP on 127.0.0.1.
class AllInOne {
 public:
  // Loads the reference datasets of `data_dir` ("" = none) the way `serve`
  // does: catalog before the server starts, timeline and analytics after.
  explicit AllInOne(const std::string& data_dir = "") {
    storage::StoreOptions options;
    options.path = dir_.Sub("db");
    options.sync_writes = false;
    options.clock = [this] { return now_; };
    auto store = storage::Store::Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    catalog_ = std::make_unique<catalog::Catalog>(store_.get(), catalog::CatalogOptions{Clock()});
    if (!data_dir.empty()) {
      auto loaded = catalog::EnsureCatalogDataset(*catalog_, data_dir + "/catalog");
      EXPECT_TRUE(loaded.ok()) << loaded.status();
      if (loaded.ok()) {
        EXPECT_TRUE(loaded->rejected.empty()) << absl::StrJoin(loaded->rejected, "\n");
      }
    }
    catalog_service_ = std::make_unique<catalog::CatalogService>(catalog_.get());
    catalog_internal_ = std::make_unique<catalog::CatalogInternalService>(catalog_.get());
    ServerOptions server_options;
    server_options.listen = "127.0.0.1:0";
    server_options.shutdown_grace = absl::Seconds(5);
    runner_ = std::make_unique<ServerRunner>(server_options);
    auto in_process = [this] { return runner_->LocalChannel(); };
    timeline_client_ = std::make_unique<timeline::GrpcCatalogClient>(in_process);
    timeline_ = std::make_unique<timeline::Timeline>(store_.get(), timeline_client_.get(),
                                                     timeline::TimelineOptions{Clock()});
    timeline_service_ = std::make_unique<timeline::TimelineService>(timeline_.get());
    AnalyticsOptions analytics_options;
    analytics_options.clock = Clock();
    analytics_options.catalog = std::make_shared<GrpcCatalogReader>(in_process);
    analytics_options.timeline = std::make_shared<GrpcTimelineReader>(in_process);
    analytics_ = std::make_unique<Analytics>(store_.get(), std::move(analytics_options));
    analytics_service_ = std::make_unique<AnalyticsService>(analytics_.get());
    runner_->AddService(catalog_service_.get(), kCatalogService);
    runner_->AddService(catalog_internal_.get(), "regenatlas.catalog.v1.CatalogInternalService");
    runner_->AddService(timeline_service_.get(), kTimelineService);
    runner_->AddShutdownHook([this] { timeline_service_->Shutdown(); });
    runner_->AddService(analytics_service_.get(), kAnalyticsService);
    absl::Status started = runner_->Start();
    EXPECT_TRUE(started.ok()) << started;
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(runner_->port()),
                                   grpc::InsecureChannelCredentials());
    analytics_stub_ = v1::MarketAnalyticsService::NewStub(channel_);
    catalog_stub_ = catalog::v1::CatalogService::NewStub(channel_);
    if (!data_dir.empty()) {
      auto timeline_loaded =
          timeline::EnsureTimelineDataset(*timeline_, *store_, data_dir + "/timeline");
      EXPECT_TRUE(timeline_loaded.ok()) << timeline_loaded.status();
      if (timeline_loaded.ok()) {
        EXPECT_TRUE(timeline_loaded->rejected.empty())
            << absl::StrJoin(timeline_loaded->rejected, "\n");
      }
      auto analytics_loaded = EnsureAnalyticsDataset(*analytics_, data_dir + "/analytics");
      EXPECT_TRUE(analytics_loaded.ok()) << analytics_loaded.status();
      if (analytics_loaded.ok()) {
        EXPECT_TRUE(analytics_loaded->rejected.empty())
            << absl::StrJoin(analytics_loaded->rejected, "\n");
        analytics_load_ = *analytics_loaded;
      }
    }
  }

  ~AllInOne() { runner_->Shutdown(); }

  std::function<absl::Time()> Clock() {
    return [this] { return now_; };
  }

  // A client context with a deadline, so that a broken server fails the
  // test instead of hanging it.
  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }

  regenatlas::testing::TempDir dir_;
  absl::Time now_ = absl::FromUnixSeconds(1750000000);
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<catalog::CatalogService> catalog_service_;
  std::unique_ptr<catalog::CatalogInternalService> catalog_internal_;
  std::unique_ptr<ServerRunner> runner_;
  std::unique_ptr<timeline::GrpcCatalogClient> timeline_client_;
  std::unique_ptr<timeline::Timeline> timeline_;
  std::unique_ptr<timeline::TimelineService> timeline_service_;
  std::unique_ptr<Analytics> analytics_;
  std::unique_ptr<AnalyticsService> analytics_service_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::MarketAnalyticsService::Stub> analytics_stub_;
  std::unique_ptr<catalog::v1::CatalogService::Stub> catalog_stub_;
  LoadSummary analytics_load_;
};

}  // namespace regenatlas::analytics::testing

#endif  // REGENATLAS_TESTS_SERVICES_MARKET_ANALYTICS_ANALYTICS_FIXTURE_H_
