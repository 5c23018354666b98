#include "services/gateway/gateway_service.h"

#include "gtest/gtest.h"
#include "regenatlas/catalog/v1/catalog_service.grpc.pb.h"
#include "tests/testing/server_fixture.h"

namespace regenatlas::gateway {
namespace {

class GatewayServerTest : public regenatlas::testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    GatewayOptions options;
    // One backend served by this very server, one that is not there.
    options.backends.push_back({"regenatlas.catalog.v1.CatalogService", "in-process",
                                [this] { return runner_->InProcessChannel(); }});
    options.backends.push_back({"regenatlas.timeline.v1.RegulatoryTimelineService",
                                "127.0.0.1:1", [] {
                                  return grpc::CreateChannel("127.0.0.1:1",
                                                             grpc::InsecureChannelCredentials());
                                }});
    options.default_deadline = absl::Seconds(2);
    service_ = std::make_unique<GatewayService>(std::move(options));
    runner_->AddService(&catalog_, "regenatlas.catalog.v1.CatalogService");
    runner_->AddService(service_.get(), "regenatlas.gateway.v1.GatewayService");
    StartServer();
  }

  catalog::v1::CatalogService::Service catalog_;  // only its health name matters
  std::unique_ptr<GatewayService> service_;
};

TEST_F(GatewayServerTest, ListBackendsReportsEachBackendsHealth) {
  auto stub = gateway::v1::GatewayService::NewStub(channel_);
  gateway::v1::ListBackendsResponse resp;
  grpc::Status s = stub->ListBackends(Ctx().get(), {}, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.backends_size(), 2);
  EXPECT_EQ(resp.backends(0).service(), "regenatlas.catalog.v1.CatalogService");
  EXPECT_EQ(resp.backends(0).health(), gateway::v1::BACKEND_HEALTH_SERVING);
  EXPECT_EQ(resp.backends(1).health(), gateway::v1::BACKEND_HEALTH_UNREACHABLE);
  EXPECT_FALSE(resp.backends(1).error().empty());

  runner_->health().SetStatus("regenatlas.catalog.v1.CatalogService",
                              grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  gateway::v1::ListBackendsResponse again;
  ASSERT_TRUE(stub->ListBackends(Ctx().get(), {}, &again).ok());
  EXPECT_EQ(again.backends(0).health(), gateway::v1::BACKEND_HEALTH_NOT_SERVING);
}

}  // namespace
}  // namespace regenatlas::gateway
