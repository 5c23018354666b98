// Unit tests of the public front (services/gateway/front.h) with an
// in-process backend: forwarding, metadata, authentication and roles, rate
// limits, admission, errors and draining. The backend is a fake
// CatalogService that records what reached it.

#include "services/gateway/front.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "common/client_call.h"
#include "common/tsan.h"
#include "gmock/gmock.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "regenatlas/catalog/v1/catalog_service.grpc.pb.h"

namespace regenatlas::gateway {
namespace {

using catalog::v1::CatalogService;
using catalog::v1::GetTrialRequest;
using catalog::v1::Trial;
using ::testing::HasSubstr;

// A backend call that waits for its caller to cancel it, then says so.
// gRPC hands the reactor to its threads invisibly for TSan (as in the
// front's own reactors): the reactions acquire what the constructor
// released.
class AwaitsCancel final : public grpc::ServerUnaryReactor {
 public:
  explicit AwaitsCancel(absl::Notification* cancelled) : cancelled_(cancelled) {
    TsanRelease(this);
  }
  void OnCancel() override {
    TsanAcquire(this);
    cancelled_->Notify();
    Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
  }
  void OnDone() override {
    TsanAcquire(this);
    delete this;
  }

 private:
  absl::Notification* const cancelled_;
};

// A catalog that answers GetTrial with the name asked for, NOT_FOUND for
// "trials/missing", a trailer with "trials/trailer", holds "trials/hold"
// until Release() and "trials/cancel" until its caller cancels it; it
// records the propagated context of every call that reaches it.
class FakeCatalog final : public CatalogService::CallbackService {
 public:
  grpc::ServerUnaryReactor* GetTrial(grpc::CallbackServerContext* context,
                                     const GetTrialRequest* request, Trial* response) override {
    {
      absl::MutexLock lock(&mu_);
      calls_.push_back(CallContextOf(context));
    }
    if (request->name() == "trials/cancel") {
      auto* reactor = new AwaitsCancel(&backend_cancelled);
      cancel_call_arrived.Notify();
      return reactor;
    }
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    if (request->name() == "trials/trailer") {
      context->AddTrailingMetadata("x-resume-token", "token-7");
      response->set_name(request->name());
      reactor->Finish(grpc::Status::OK);
    } else if (request->name() == "trials/missing") {
      reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, "trials/missing: no such trial"));
    } else if (request->name() == "trials/hold") {
      absl::MutexLock lock(&mu_);
      held_.push_back({reactor, response});
      held_cv_.SignalAll();
    } else {
      response->set_name(request->name());
      reactor->Finish(grpc::Status::OK);
    }
    return reactor;
  }

  // An empty answer: google.protobuf.Empty is zero bytes on the wire.
  grpc::ServerUnaryReactor* DeleteTrial(grpc::CallbackServerContext* context,
                                        const catalog::v1::DeleteTrialRequest* request,
                                        google::protobuf::Empty* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  std::vector<CallContext> calls() {
    absl::MutexLock lock(&mu_);
    return calls_;
  }
  // Waits until `n` calls are held.
  void AwaitHeld(size_t n) {
    absl::MutexLock lock(&mu_);
    while (held_.size() < n) held_cv_.Wait(&mu_);
  }
  // Notified when a "trials/cancel" call arrives, and when it is cancelled.
  absl::Notification cancel_call_arrived;
  absl::Notification backend_cancelled;

  void Release() {
    absl::MutexLock lock(&mu_);
    for (auto& [reactor, response] : held_) {
      response->set_name("trials/hold");
      reactor->Finish(grpc::Status::OK);
    }
    held_.clear();
  }

 private:
  absl::Mutex mu_;
  absl::CondVar held_cv_;
  std::vector<CallContext> calls_ ABSL_GUARDED_BY(mu_);
  std::vector<std::pair<grpc::ServerUnaryReactor*, Trial*>> held_ ABSL_GUARDED_BY(mu_);
};

// Remembers every finished call's record.
class Recorder final : public CallObserver {
 public:
  void OnDone(const CallRecord& record) override {
    absl::MutexLock lock(&mu_);
    records_.push_back(record);
    cv_.SignalAll();
  }
  // Waits until `n` records are in (the record follows the caller's answer).
  std::vector<CallRecord> Await(size_t n) {
    absl::MutexLock lock(&mu_);
    while (records_.size() < n) cv_.Wait(&mu_);
    return records_;
  }

 private:
  absl::Mutex mu_;
  absl::CondVar cv_;
  std::vector<CallRecord> records_ ABSL_GUARDED_BY(mu_);
};

constexpr char kReaderKey[] = "reader-key-0123456789";
constexpr char kCuratorKey[] = "curator-key-0123456789";

class FrontTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder backend;
    backend.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &backend_port_);
    backend.RegisterService(&catalog_);
    backend_ = backend.BuildAndStart();
    ASSERT_NE(backend_, nullptr);
  }

  // Starts the front with `options` (routes filled in here).
  void StartFront(FrontOptions options) {
    const std::string target = "127.0.0.1:" + std::to_string(backend_port_);
    options.routes.push_back(
        {CatalogService::service_full_name(), "catalog",
         [target] { return grpc::CreateChannel(target, grpc::InsecureChannelCredentials()); }});
    options.clock = [this] {
      absl::MutexLock lock(&clock_mu_);
      return now_;
    };
    options.observers.push_back(recorder_);
    front_ = std::make_unique<Front>(std::move(options));
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    for (grpc::Service* s : front_->Services()) builder.RegisterService(s);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    stub_ = CatalogService::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                                        grpc::InsecureChannelCredentials()));
  }

  void TearDown() override {
    catalog_.Release();
    if (server_) server_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
    backend_->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& key = "") {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    if (!key.empty()) ctx->AddMetadata("authorization", "Bearer " + key);
    return ctx;
  }

  grpc::Status Get(const std::string& name, grpc::ClientContext* ctx, Trial* out = nullptr) {
    GetTrialRequest request;
    request.set_name(name);
    Trial ignored;
    return stub_->GetTrial(ctx, request, out != nullptr ? out : &ignored);
  }

  void Advance(absl::Duration d) {
    absl::MutexLock lock(&clock_mu_);
    now_ += d;
  }

  static FrontOptions WithKeys() {
    FrontOptions options;
    options.access.keys = {{kReaderKey, Role::kReader}, {kCuratorKey, Role::kCurator}};
    options.access.allow_anonymous_reads = false;
    return options;
  }

  FakeCatalog catalog_;
  int backend_port_ = 0;
  std::unique_ptr<grpc::Server> backend_;
  std::shared_ptr<Recorder> recorder_ = std::make_shared<Recorder>();
  absl::Mutex clock_mu_;
  absl::Time now_ = absl::FromUnixSeconds(1750000000);
  std::unique_ptr<Front> front_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<CatalogService::Stub> stub_;
};

TEST_F(FrontTest, ForwardsTheCallAndPropagatesRequestIdTraceContextAndDeadline) {
  StartFront(FrontOptions{});
  auto ctx = Ctx();
  ctx->AddMetadata("x-request-id", "req-42");
  ctx->AddMetadata("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  ctx->AddMetadata("tracestate", "vendor=1");
  ctx->AddMetadata("baggage", "tenant=a");
  Trial got;
  ASSERT_TRUE(Get("trials/NCT01", ctx.get(), &got).ok());
  EXPECT_EQ(got.name(), "trials/NCT01");
  // The caller learns its request id.
  auto rid = ctx->GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(rid, ctx->GetServerInitialMetadata().end());
  EXPECT_EQ(std::string(rid->second.data(), rid->second.size()), "req-42");

  std::vector<CallContext> calls = catalog_.calls();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].request_id, "req-42");
  EXPECT_EQ(calls[0].traceparent, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
  EXPECT_EQ(calls[0].tracestate, "vendor=1");
  EXPECT_EQ(calls[0].baggage, "tenant=a");
  // The caller's deadline (30 s) reached the backend.
  EXPECT_LT(calls[0].deadline, absl::Now() + absl::Seconds(31));
  EXPECT_GT(calls[0].deadline, absl::Now() + absl::Seconds(20));

  std::vector<CallRecord> records = recorder_->Await(1);
  EXPECT_EQ(records[0].method, "/regenatlas.catalog.v1.CatalogService/GetTrial");
  EXPECT_EQ(records[0].backend, "catalog");
  EXPECT_EQ(records[0].request_id, "req-42");
  EXPECT_EQ(records[0].role, "anonymous");
  EXPECT_TRUE(records[0].forwarded);
  EXPECT_EQ(records[0].status.error_code(), grpc::StatusCode::OK);
}

TEST_F(FrontTest, AssignsARequestIdWhenTheCallerSendsNone) {
  StartFront(FrontOptions{});
  auto ctx = Ctx();
  ASSERT_TRUE(Get("trials/NCT01", ctx.get()).ok());
  auto rid = ctx->GetServerInitialMetadata().find("x-request-id");
  ASSERT_NE(rid, ctx->GetServerInitialMetadata().end());
  const std::string assigned(rid->second.data(), rid->second.size());
  EXPECT_FALSE(assigned.empty());
  EXPECT_EQ(catalog_.calls().at(0).request_id, assigned);
}

TEST_F(FrontTest, BackendErrorsReachTheCallerExactly) {
  StartFront(FrontOptions{});
  auto ctx = Ctx();
  grpc::Status s = Get("trials/missing", ctx.get());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "trials/missing: no such trial");
  std::vector<CallRecord> records = recorder_->Await(1);
  EXPECT_TRUE(records[0].forwarded);
  EXPECT_EQ(records[0].backend_code, grpc::StatusCode::NOT_FOUND);
}

TEST_F(FrontTest, AnUnreachableBackendIsUnavailable) {
  backend_->Shutdown(std::chrono::system_clock::now());
  StartFront(FrontOptions{});
  auto ctx = Ctx();
  EXPECT_EQ(Get("trials/NCT01", ctx.get()).error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST_F(FrontTest, KeysAndRolesAreCheckedBeforeTheBackendIsCalled) {
  StartFront(WithKeys());
  {
    auto ctx = Ctx();
    grpc::Status s = Get("trials/NCT01", ctx.get());
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAUTHENTICATED);
    EXPECT_THAT(s.error_message(), HasSubstr("authorization: Bearer"));
  }
  {
    auto ctx = Ctx("not-a-key-0123456789");
    EXPECT_EQ(Get("trials/NCT01", ctx.get()).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  }
  {
    // A reader may not write.
    auto ctx = Ctx(kReaderKey);
    catalog::v1::CreateTrialRequest request;
    Trial out;
    grpc::Status s = stub_->CreateTrial(ctx.get(), request, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  EXPECT_TRUE(catalog_.calls().empty());
  {
    auto ctx = Ctx(kReaderKey);
    EXPECT_TRUE(Get("trials/NCT01", ctx.get()).ok());
  }
  std::vector<CallRecord> records = recorder_->Await(4);
  EXPECT_EQ(records[3].role, "reader");
  EXPECT_FALSE(records[0].forwarded);
}

TEST_F(FrontTest, RateLimitRefusesWithRetryAfterAndRefillsOverInjectedTime) {
  FrontOptions options = WithKeys();
  options.rate_limit_qps = 1;
  options.rate_limit_burst = 2;
  StartFront(std::move(options));
  for (int i = 0; i < 2; ++i) {
    auto ctx = Ctx(kReaderKey);
    EXPECT_TRUE(Get("trials/NCT01", ctx.get()).ok());
  }
  auto refused = Ctx(kReaderKey);
  grpc::Status s = Get("trials/NCT01", refused.get());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_NE(refused->GetServerTrailingMetadata().find("retry-after-ms"),
            refused->GetServerTrailingMetadata().end());
  // Another key has its own bucket.
  auto other = Ctx(kCuratorKey);
  EXPECT_TRUE(Get("trials/NCT01", other.get()).ok());
  Advance(absl::Seconds(1));
  auto later = Ctx(kReaderKey);
  EXPECT_TRUE(Get("trials/NCT01", later.get()).ok());
  EXPECT_EQ(catalog_.calls().size(), 4u);
}

TEST_F(FrontTest, AdmissionRefusesCallsBeyondTheBoundAtOnce) {
  FrontOptions options;
  options.max_concurrent_calls = 1;
  StartFront(std::move(options));
  auto held_ctx = Ctx();
  GetTrialRequest held_request;
  held_request.set_name("trials/hold");
  Trial held_out;
  absl::Notification held_done;
  grpc::Status held_status;
  stub_->async()->GetTrial(held_ctx.get(), &held_request, &held_out, [&](grpc::Status s) {
    held_status = std::move(s);
    held_done.Notify();
  });
  catalog_.AwaitHeld(1);
  EXPECT_EQ(front_->in_flight(), 1);
  auto ctx = Ctx();
  grpc::Status s = Get("trials/NCT01", ctx.get());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_THAT(s.error_message(), HasSubstr("max_concurrent_calls"));
  catalog_.Release();
  held_done.WaitForNotification();
  EXPECT_TRUE(held_status.ok()) << held_status.error_message();
  EXPECT_EQ(held_out.name(), "trials/hold");
}

TEST_F(FrontTest, AfterStopAcceptingNewCallsAreUnavailable) {
  StartFront(FrontOptions{});
  front_->StopAccepting();
  auto ctx = Ctx();
  grpc::Status s = Get("trials/NCT01", ctx.get());
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_THAT(s.error_message(), HasSubstr("shutting down"));
  EXPECT_TRUE(catalog_.calls().empty());
}

TEST_F(FrontTest, UnaryCallsPassTheBackendsTrailersOn) {
  StartFront(FrontOptions{});
  auto ctx = Ctx();
  Trial got;
  ASSERT_TRUE(Get("trials/trailer", ctx.get(), &got).ok());
  EXPECT_EQ(got.name(), "trials/trailer");
  auto token = ctx->GetServerTrailingMetadata().find("x-resume-token");
  ASSERT_NE(token, ctx->GetServerTrailingMetadata().end());
  EXPECT_EQ(std::string(token->second.data(), token->second.size()), "token-7");
  std::vector<CallRecord> records = recorder_->Await(1);
  EXPECT_EQ(records[0].grpc_type, std::string("unary"));
  EXPECT_EQ(records[0].messages_received, 1);
  EXPECT_EQ(records[0].messages_sent, 1);
}

TEST_F(FrontTest, AnEmptyRequestIsForwarded) {
  // Every field default: zero bytes on the wire.
  StartFront(FrontOptions{});
  for (int i = 0; i < 3; ++i) {
    auto ctx = Ctx();
    GetTrialRequest request;
    Trial out;
    out.set_name("not overwritten?");
    grpc::Status s = stub_->GetTrial(ctx.get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(out.name(), "");
  }
}

TEST_F(FrontTest, AnEmptyAnswerIsForwarded) {
  StartFront(WithKeys());
  for (int i = 0; i < 3; ++i) {
    auto ctx = Ctx(kCuratorKey);
    catalog::v1::DeleteTrialRequest request;
    request.set_name("trials/NCT01");
    google::protobuf::Empty out;
    grpc::Status s = stub_->DeleteTrial(ctx.get(), request, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
  }
}

TEST_F(FrontTest, ACallerCancellingAUnaryCallCancelsTheBackendCall) {
  StartFront(FrontOptions{});
  auto ctx = Ctx();
  GetTrialRequest request;
  request.set_name("trials/cancel");
  Trial out;
  absl::Notification done;
  grpc::Status status;
  stub_->async()->GetTrial(ctx.get(), &request, &out, [&](grpc::Status s) {
    status = std::move(s);
    done.Notify();
  });
  catalog_.cancel_call_arrived.WaitForNotification();
  ctx->TryCancel();
  done.WaitForNotification();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::CANCELLED);
  catalog_.backend_cancelled.WaitForNotification();
  std::vector<CallRecord> records = recorder_->Await(1);
  EXPECT_TRUE(records[0].forwarded);
  EXPECT_EQ(front_->in_flight(), 0);
}

}  // namespace
}  // namespace regenatlas::gateway
