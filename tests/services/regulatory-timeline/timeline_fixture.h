// The timeline test fixture: catalog and timeline in one server, the
// timeline reaching the catalog over the in-process channel, the catalog
// dataset loaded (shared by the timeline test files).

#ifndef REGENATLAS_TESTS_SERVICES_REGULATORY_TIMELINE_TIMELINE_FIXTURE_H_
#define REGENATLAS_TESTS_SERVICES_REGULATORY_TIMELINE_TIMELINE_FIXTURE_H_

#include <memory>
#include <string>

#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "regenatlas/timeline/v1/timeline_service.grpc.pb.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_service.h"
#include "services/catalog/dataset_loader.h"
#include "services/catalog/grpc_catalog_client.h"
#include "services/regulatory-timeline/dataset_loader.h"
#include "services/regulatory-timeline/timeline.h"
#include "services/regulatory-timeline/timeline_service.h"
#include "tests/testing/server_fixture.h"

namespace regenatlas::timeline {

inline void ExpectInvalid(const grpc::Status& s, const std::string& field) {
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_THAT(s.error_message(), ::testing::StartsWith(field));
}

// Catalog and timeline in one server, the timeline reaching the catalog
// over the in-process channel; the catalog dataset loaded.
class TimelineServerTest : public regenatlas::testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    catalog_ = std::make_unique<catalog::Catalog>(store_.get(), catalog::CatalogOptions{});
    catalog_service_ = std::make_unique<catalog::CatalogService>(catalog_.get());
    catalog_internal_ = std::make_unique<catalog::CatalogInternalService>(catalog_.get());
    client_ =
        std::make_unique<catalog::GrpcCatalogClient>([this] { return runner_->LocalChannel(); });
    timeline_ = std::make_unique<Timeline>(store_.get(), client_.get(), TimelineOptions{Clock()});
    service_ = std::make_unique<TimelineService>(timeline_.get());
    runner_->AddService(catalog_service_.get(), "regenatlas.catalog.v1.CatalogService");
    runner_->AddService(catalog_internal_.get(), "regenatlas.catalog.v1.CatalogInternalService");
    runner_->AddService(service_.get(), "regenatlas.timeline.v1.RegulatoryTimelineService");
    runner_->AddShutdownHook([this] { service_->Shutdown(); });
    absl::StatusOr<catalog::LoadSummary> loaded =
        catalog::EnsureCatalogDataset(*catalog_, REGENATLAS_SOURCE_DIR "/data/catalog");
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    StartServer();
    stub_ = v1::RegulatoryTimelineService::NewStub(channel_);
  }

  void LoadTimelineData() {
    absl::StatusOr<LoadSummary> loaded =
        EnsureTimelineDataset(*timeline_, *store_, REGENATLAS_SOURCE_DIR "/data/timeline");
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    ASSERT_TRUE(loaded->rejected.empty()) << absl::StrJoin(loaded->rejected, "\n");
    ASSERT_GT(loaded->created, 100);
  }

  static Event NewEvent(v1::EventType type, int y, int m, int d, const std::string& product) {
    Event e;
    e.set_type(type);
    e.mutable_date()->set_year(y);
    e.mutable_date()->set_month(m);
    e.mutable_date()->set_day(d);
    e.set_jurisdiction("CN");
    e.set_agency("NMPA");
    e.set_description("test event");
    if (!product.empty()) e.add_products(product);
    e.add_sources()->set_source("sources/review-2025-hpsc-products");
    return e;
  }

  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<catalog::CatalogService> catalog_service_;
  std::unique_ptr<catalog::CatalogInternalService> catalog_internal_;
  std::unique_ptr<catalog::GrpcCatalogClient> client_;
  std::unique_ptr<Timeline> timeline_;
  std::unique_ptr<TimelineService> service_;
  std::unique_ptr<v1::RegulatoryTimelineService::Stub> stub_;
};

}  // namespace regenatlas::timeline

#endif  // REGENATLAS_TESTS_SERVICES_REGULATORY_TIMELINE_TIMELINE_FIXTURE_H_
