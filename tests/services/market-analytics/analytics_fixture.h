#ifndef REGENATLAS_TESTS_SERVICES_MARKET_ANALYTICS_ANALYTICS_FIXTURE_H_
#define REGENATLAS_TESTS_SERVICES_MARKET_ANALYTICS_ANALYTICS_FIXTURE_H_

#include <memory>
#include <string>

#include "absl/strings/str_join.h"
#include "cmd/regenatlas/server.h"
#include "gtest/gtest.h"
#include "regenatlas/analytics/v1/analytics_service.grpc.pb.h"
#include "regenatlas/catalog/v1/catalog_service.grpc.pb.h"
#include "regenatlas/timeline/v1/timeline_service.grpc.pb.h"
#include "services/catalog/catalog.h"
#include "services/catalog/dataset_loader.h"
#include "services/catalog/grpc_catalog_client.h"
#include "services/gateway/access.h"
#include "services/market-analytics/analytics.h"
#include "services/market-analytics/analytics_service.h"
#include "services/market-analytics/dataset_loader.h"
#include "services/regulatory-timeline/dataset_loader.h"
#include "services/regulatory-timeline/grpc_timeline_client.h"
#include "services/regulatory-timeline/timeline.h"
#include "storage/store.h"
#include "tests/testing/temp_dir.h"

namespace regenatlas::analytics::testing {

// The all-in-one topology in a test: the process `regenatlas serve` runs
// (cli::Server, built from options), on 127.0.0.1:0 over a store in a temp
// dir with an injected clock, every caller trusted; clients connect over
// TCP through the public face, and tests reach the domain objects beside
// the API.
class AllInOne {
 public:
  // Loads the reference datasets of `data_dir` ("" = none) in the order
  // `serve` does: catalog, timeline, analytics.
  explicit AllInOne(const std::string& data_dir = "") {
    cli::ServeOptions options;
    options.role = "all";
    options.listen = "127.0.0.1:0";
    options.data_dir = dir_.Sub("db");
    options.dataset = "none";
    options.sync_writes = false;
    options.shutdown_grace = absl::Seconds(5);
    options.drain_window_ms = 0;
    options.clock = Clock();
    gateway::AccessOptions access;
    access.trust_all = true;
    auto server = cli::Server::Start(options, access);
    EXPECT_TRUE(server.ok()) << server.status();
    if (!server.ok()) return;
    server_ = std::move(*server);
    store_ = server_->store();
    catalog_ = server_->catalog();
    timeline_ = server_->timeline();
    analytics_ = server_->analytics();
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->port()),
                                   grpc::InsecureChannelCredentials());
    analytics_stub_ = v1::MarketAnalyticsService::NewStub(channel_);
    catalog_stub_ = catalog::v1::CatalogService::NewStub(channel_);
    if (!data_dir.empty()) {
      auto loaded = catalog::EnsureCatalogDataset(*catalog_, data_dir + "/catalog");
      EXPECT_TRUE(loaded.ok()) << loaded.status();
      if (loaded.ok()) {
        EXPECT_TRUE(loaded->rejected.empty()) << absl::StrJoin(loaded->rejected, "\n");
      }
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

  ~AllInOne() {
    if (server_ != nullptr) {
      EXPECT_TRUE(server_->Shutdown().ok());
    }
  }

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
  std::unique_ptr<cli::Server> server_;
  storage::Store* store_ = nullptr;
  catalog::Catalog* catalog_ = nullptr;
  timeline::Timeline* timeline_ = nullptr;
  Analytics* analytics_ = nullptr;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::MarketAnalyticsService::Stub> analytics_stub_;
  std::unique_ptr<catalog::v1::CatalogService::Stub> catalog_stub_;
  LoadSummary analytics_load_;
};

}  // namespace regenatlas::analytics::testing

#endif  // REGENATLAS_TESTS_SERVICES_MARKET_ANALYTICS_ANALYTICS_FIXTURE_H_
