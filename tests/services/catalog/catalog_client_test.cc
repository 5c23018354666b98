// The catalog client library (services/catalog/grpc_catalog_client.h) and the
// call-context propagation under it (common/call_context.h,
// common/client_call.h): what a serving call carries reaches the backend;
// backend statuses are mapped as documented; the channel is reused.

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "common/call_context.h"
#include "common/client_call.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "regenatlas/catalog/v1/catalog_service.grpc.pb.h"
#include "services/catalog/grpc_catalog_client.h"

namespace regenatlas::catalog {
namespace {

using ::testing::HasSubstr;

// GetProduct: records the context; "products/missing" → NOT_FOUND,
// "products/bad!" → INVALID_ARGUMENT, "products/busy" → RESOURCE_EXHAUSTED.
// Every other method is UNIMPLEMENTED (the generated default).
class FakeCatalog final : public v1::CatalogService::CallbackService {
 public:
  grpc::ServerUnaryReactor* GetProduct(grpc::CallbackServerContext* context,
                                       const v1::GetProductRequest* request,
                                       v1::Product* response) override {
    {
      absl::MutexLock lock(&mu_);
      calls_.push_back(CallContextOf(context));
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (request->name() == "products/missing") {
      reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, "products/missing not found"));
    } else if (request->name() == "products/bad!") {
      reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "name: malformed"));
    } else if (request->name() == "products/busy") {
      reactor->Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "queue full"));
    } else {
      response->set_name(request->name());
      reactor->Finish(grpc::Status::OK);
    }
    return reactor;
  }
  std::vector<CallContext> calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }

 private:
  absl::Mutex mu_;
  std::vector<CallContext> calls_ ABSL_GUARDED_BY(mu_);
};

class CatalogClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port_);
    builder.RegisterService(&fake_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    client_ = std::make_unique<GrpcCatalogClient>([this] {
      ++connects_;
      return grpc::CreateChannel("127.0.0.1:" + std::to_string(port_),
                                 grpc::InsecureChannelCredentials());
    });
  }
  void TearDown() override { server_->Shutdown(std::chrono::system_clock::now()); }

  FakeCatalog fake_;
  int port_ = 0;
  int connects_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<GrpcCatalogClient> client_;
};

TEST_F(CatalogClientTest, CarriesTheServingCallsContextAndReusesTheChannel) {
  CallContext call;
  call.deadline = absl::Now() + absl::Seconds(6);
  call.request_id = "req-7";
  call.traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  call.tracestate = "congo=t61rcWkgMzE";
  call.baggage = "userId=alice";
  {
    ScopedCallContext scope(call);
    EXPECT_EQ(&CallContext::Current(), &call);
    ASSERT_TRUE(client_->GetProduct("products/a").ok());
    ASSERT_TRUE(client_->GetProduct("products/b").ok());
  }
  EXPECT_TRUE(CallContext::Current().request_id.empty());
  std::vector<CallContext> seen = fake_.calls();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0].request_id, "req-7");
  EXPECT_EQ(seen[0].traceparent, call.traceparent);
  EXPECT_EQ(seen[0].tracestate, call.tracestate);
  EXPECT_EQ(seen[0].baggage, call.baggage);
  // The caller's 6 s, not the client's default 10 s (gRPC rounds a little).
  EXPECT_LT(seen[0].deadline, call.deadline + absl::Milliseconds(50));
  EXPECT_EQ(connects_, 1);
}

TEST_F(CatalogClientTest, WithoutACallerTheDefaultTimeoutBoundsTheCall) {
  ASSERT_TRUE(client_->GetProduct("products/a").ok());
  std::vector<CallContext> seen = fake_.calls();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(seen[0].request_id.empty());
  EXPECT_LT(seen[0].deadline, absl::Now() + absl::Seconds(11));
}

TEST_F(CatalogClientTest, StatusesAreMappedAsDocumented) {
  absl::Status missing = client_->GetProduct("products/missing").status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.message(), "products/missing not found");
  absl::Status bad = client_->GetProduct("products/bad!").status();
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.message(), "name: malformed");
  absl::Status busy = client_->GetProduct("products/busy").status();
  EXPECT_EQ(busy.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(busy.message(), "catalog GetProduct: queue full");
  // A method the backend does not implement: a missing dependency.
  absl::Status unimplemented = client_->CountTrials(v1::CountTrialsRequest()).status();
  EXPECT_EQ(unimplemented.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(unimplemented.message(), HasSubstr("CountTrials is not implemented"));
}

TEST(CatalogClientNoBackendTest, UnreachableIsUnavailableAndNoChannelIsUnavailable) {
  GrpcCatalogClient nowhere(
      [] { return grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()); },
      ClientOptions{absl::Seconds(2)});
  EXPECT_EQ(nowhere.GetProduct("products/a").status().code(), absl::StatusCode::kUnavailable);
  GrpcCatalogClient no_channel([] { return std::shared_ptr<grpc::Channel>(); });
  EXPECT_EQ(no_channel.GetProduct("products/a").status().code(), absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace regenatlas::catalog
