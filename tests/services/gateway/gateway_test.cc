#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "regenatlas/catalog/v1/catalog_service.grpc.pb.h"
#include "services/gateway/gateway_service.h"
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
                                [this] { return runner_->LocalChannel(); }});
    options.backends.push_back(
        {"regenatlas.timeline.v1.RegulatoryTimelineService", "127.0.0.1:1",
         [] { return grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()); }});
    // The health checks' deadline: the in-process catalog must answer within
    // it on a loaded machine under TSan (2 s failed once: a pass of the suite
    // at -j2 beside benchmarks). The unreachable backend fails at connect.
    options.default_deadline = absl::Seconds(10);
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
  EXPECT_TRUE(again.next_page_token().empty());
}

TEST_F(GatewayServerTest, ListBackendsIsPaged) {
  auto stub = gateway::v1::GatewayService::NewStub(channel_);
  gateway::v1::ListBackendsRequest req;
  req.set_page_size(1);
  gateway::v1::ListBackendsResponse first;
  grpc::Status s = stub->ListBackends(Ctx().get(), req, &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(first.backends_size(), 1);
  EXPECT_EQ(first.backends(0).service(), "regenatlas.catalog.v1.CatalogService");
  EXPECT_EQ(first.backends(0).health(), gateway::v1::BACKEND_HEALTH_SERVING);
  ASSERT_FALSE(first.next_page_token().empty());

  req.set_page_token(first.next_page_token());
  gateway::v1::ListBackendsResponse second;
  ASSERT_TRUE(stub->ListBackends(Ctx().get(), req, &second).ok());
  ASSERT_EQ(second.backends_size(), 1);
  EXPECT_EQ(second.backends(0).service(), "regenatlas.timeline.v1.RegulatoryTimelineService");
  EXPECT_EQ(second.backends(0).health(), gateway::v1::BACKEND_HEALTH_UNREACHABLE);
  EXPECT_TRUE(second.next_page_token().empty());

  gateway::v1::ListBackendsResponse out;
  req.set_page_token("not-a-token");
  s = stub->ListBackends(Ctx().get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::StartsWith("page_token"));
  req.clear_page_token();
  req.set_page_size(-1);
  s = stub->ListBackends(Ctx().get(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::StartsWith("page_size"));
}

}  // namespace
}  // namespace regenatlas::gateway

#include <algorithm>
#include <fstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "regenatlas/analytics/v1/analytics_service.pb.h"
#include "regenatlas/catalog/v1/catalog_internal_service.pb.h"
#include "regenatlas/gateway/v1/gateway_service.pb.h"
#include "regenatlas/timeline/v1/timeline_service.pb.h"
#include "services/gateway/access.h"
#include "tests/testing/temp_dir.h"

namespace regenatlas::gateway {
namespace {

// The role table lists exactly the methods of every RegenAtlas service: a
// new method without a role, or a role left for a removed method, fails.
TEST(AccessTest, RoleTableCoversEveryMethodOfEveryService) {
  std::vector<std::string> methods;
  // One message of each service file, so that its descriptor is linked in.
  for (const google::protobuf::FileDescriptor* f :
       {catalog::v1::GetTrialRequest::descriptor()->file(),
        catalog::v1::SetRegulatoryStagesRequest::descriptor()->file(),
        timeline::v1::ListEventsRequest::descriptor()->file(),
        analytics::v1::ComparePricesRequest::descriptor()->file(),
        v1::ListBackendsRequest::descriptor()->file()}) {
    ASSERT_GT(f->service_count(), 0) << f->name();
    for (int s = 0; s < f->service_count(); ++s) {
      for (int m = 0; m < f->service(s)->method_count(); ++m) {
        methods.push_back(
            absl::StrCat("/", f->service(s)->full_name(), "/", f->service(s)->method(m)->name()));
      }
    }
  }
  std::sort(methods.begin(), methods.end());
  std::vector<std::string> listed;
  for (absl::string_view m : ListedMethods()) listed.emplace_back(m);
  EXPECT_EQ(listed, methods);
  for (const std::string& m : methods) {
    ASSERT_TRUE(ListedRole(m).has_value()) << m;
    // Writes need at least a curator, whatever the table says.
    const absl::string_view name = absl::string_view(m).substr(m.rfind('/') + 1);
    for (absl::string_view write : {"Create", "Update", "Delete", "Import", "Set"}) {
      if (absl::StartsWith(name, write)) {
        EXPECT_GE(static_cast<int>(*ListedRole(m)), static_cast<int>(Role::kCurator)) << m;
      }
    }
  }
}

TEST(AccessTest, KeysFileRolesAndAuthorization) {
  regenatlas::testing::TempDir dir;
  const std::string path = dir.Sub("keys.txt");
  {
    std::ofstream f(path);
    f << "# comment\n\nreader-key-0123456789 reader\ncurator-key-0123456789 curator\n"
      << "admin-key-01234567890 admin\n";
  }
  absl::StatusOr<std::map<std::string, Role>> keys = LoadKeysFile(path);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->size(), 3u);
  {
    std::ofstream f(dir.Sub("bad.txt"));
    f << "short reader\n";
  }
  EXPECT_THAT(std::string(LoadKeysFile(dir.Sub("bad.txt")).status().message()),
              ::testing::HasSubstr("bad.txt:1"));
  {
    std::ofstream f(dir.Sub("role.txt"));
    f << "some-long-key-0123456789 superuser\n";
  }
  EXPECT_FALSE(LoadKeysFile(dir.Sub("role.txt")).ok());
  EXPECT_FALSE(LoadKeysFile(dir.Sub("missing.txt")).ok());
  // A directory (what `docker run -v` makes of a missing file) and a file
  // without keys are mistakes, not "no keys".
  EXPECT_THAT(std::string(LoadKeysFile(dir.path()).status().message()),
              ::testing::HasSubstr("is a directory"));
  {
    std::ofstream f(dir.Sub("empty.txt"));
    f << "# no keys yet\n";
  }
  EXPECT_THAT(std::string(LoadKeysFile(dir.Sub("empty.txt")).status().message()),
              ::testing::HasSubstr("holds no keys"));

  EXPECT_EQ(RequiredRole("/regenatlas.catalog.v1.CatalogService/GetProduct"), Role::kReader);
  EXPECT_EQ(RequiredRole("/regenatlas.catalog.v1.CatalogService/SearchProducts"), Role::kReader);
  EXPECT_EQ(RequiredRole("/regenatlas.catalog.v1.CatalogService/CreateProduct"), Role::kCurator);
  EXPECT_EQ(RequiredRole("/regenatlas.catalog.v1.CatalogService/ImportClinicalTrials"),
            Role::kCurator);
  // Internal services are for peers only, whatever the method is called.
  EXPECT_EQ(RequiredRole("/regenatlas.catalog.v1.CatalogInternalService/SetRegulatoryStages"),
            Role::kService);
  EXPECT_EQ(RequiredRole("/regenatlas.catalog.v1.CatalogInternalService/GetAnything"),
            Role::kService);
  // A method the table does not list is for peers only.
  EXPECT_EQ(RequiredRole("/regenatlas.catalog.v1.CatalogService/SetAnything"), Role::kService);
  EXPECT_EQ(RequiredRole("/x.Admin/BackupStore"), Role::kService);

  // The AIP-136 computed views are reads, like the deprecated Get* names
  // they replace.
  for (const char* view :
       {"/regenatlas.analytics.v1.MarketAnalyticsService/ComputePipelineBreakdown",
        "/regenatlas.analytics.v1.MarketAnalyticsService/ComputeIndicationLandscape",
        "/regenatlas.analytics.v1.MarketAnalyticsService/ComputeApprovalStatistics",
        "/regenatlas.timeline.v1.RegulatoryTimelineService/ComputeProductTimeline",
        "/regenatlas.gateway.v1.GatewayService/ComputeProductDossier"}) {
    EXPECT_EQ(RequiredRole(view), Role::kReader) << view;
  }

  AccessOptions options{*keys, true};
  const std::string read = "/regenatlas.catalog.v1.CatalogService/GetProduct";
  const std::string write = "/regenatlas.catalog.v1.CatalogService/DeleteProduct";
  using Md = std::multimap<std::string, std::string>;
  EXPECT_EQ(Authorize(options, read, Md{})->id, "anonymous");
  EXPECT_EQ(Authorize(options, write, Md{}).status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(
      Authorize(options, read, Md{{"authorization", "Bearer nope-nope-nope-nope"}}).status().code(),
      absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Authorize(options, read, Md{{"authorization", "Basic abc"}}).status().code(),
            absl::StatusCode::kUnauthenticated);
  EXPECT_EQ(Authorize(options, write, Md{{"x-api-key", "reader-key-0123456789"}}).status().code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(
      Authorize(options, write, Md{{"authorization", "Bearer curator-key-0123456789"}}).ok());
  EXPECT_EQ(Authorize(options, "/x.Admin/RestoreStore", Md{{"x-api-key", "curator-key-0123456789"}})
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  // Unlisted methods are for peers only: even an admin is refused.
  EXPECT_EQ(Authorize(options, "/x.Admin/RestoreStore", Md{{"x-api-key", "admin-key-01234567890"}})
                .status()
                .code(),
            absl::StatusCode::kPermissionDenied);
  options.allow_anonymous_reads = false;
  EXPECT_EQ(Authorize(options, read, Md{}).status().code(), absl::StatusCode::kUnauthenticated);
}

// Every deprecated method of the public API has a replacement (Get* →
// Compute*) that needs the same role.
TEST(AccessTest, DeprecatedMethodsAndTheirReplacementsNeedTheSameRole) {
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  int deprecated = 0;
  for (const char* name :
       {"regenatlas.catalog.v1.CatalogService", "regenatlas.timeline.v1.RegulatoryTimelineService",
        "regenatlas.analytics.v1.MarketAnalyticsService", "regenatlas.gateway.v1.GatewayService"}) {
    const google::protobuf::ServiceDescriptor* service = pool->FindServiceByName(name);
    ASSERT_NE(service, nullptr) << name;
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* method = service->method(i);
      if (!method->options().deprecated()) continue;
      ++deprecated;
      ASSERT_TRUE(absl::StartsWith(method->name(), "Get")) << method->full_name();
      const std::string replacement = absl::StrCat("Compute", method->name().substr(3));
      const google::protobuf::MethodDescriptor* next = service->FindMethodByName(replacement);
      ASSERT_NE(next, nullptr) << method->full_name() << " has no " << replacement;
      EXPECT_FALSE(next->options().deprecated()) << next->full_name();
      EXPECT_EQ(next->output_type(), method->output_type()) << next->full_name();
      EXPECT_EQ(RequiredRole(absl::StrCat("/", name, "/", replacement)),
                RequiredRole(absl::StrCat("/", name, "/", method->name())))
          << replacement;
    }
  }
  EXPECT_EQ(deprecated, 5);
}

TEST(AccessTest, RateLimiterRefillsOverInjectedTime) {
  absl::Time now = absl::FromUnixSeconds(1000);
  RateLimiter limiter(2, 3, [&now] { return now; });
  absl::Duration retry;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Admit("a", &retry).ok()) << i;
  absl::Status s = limiter.Admit("a", &retry);
  EXPECT_EQ(s.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(retry, absl::Milliseconds(500));
  EXPECT_TRUE(limiter.Admit("b", &retry).ok());  // per client
  now += absl::Milliseconds(500);
  EXPECT_TRUE(limiter.Admit("a", &retry).ok());
  EXPECT_FALSE(limiter.Admit("a", &retry).ok());
  now += absl::Seconds(100);  // refills only up to the burst
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Admit("a", &retry).ok());
  EXPECT_FALSE(limiter.Admit("a", &retry).ok());
}

}  // namespace
}  // namespace regenatlas::gateway
