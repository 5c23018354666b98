#ifndef REGENATLAS_TESTS_TESTING_SERVER_FIXTURE_H_
#define REGENATLAS_TESTS_TESTING_SERVER_FIXTURE_H_

#include <memory>
#include <string>

#include "absl/time/time.h"
#include "common/server_runner.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "storage/store.h"
#include "tests/testing/temp_dir.h"

namespace regenatlas::testing {

// A Store in a fresh temp dir with an injected clock, plus a ServerRunner on
// 127.0.0.1:0 and a client channel to it. Register services in SetUp of the
// derived fixture, then call StartServer().
class ServerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions options;
    options.path = dir_.Sub("db");
    options.sync_writes = false;
    options.clock = [this] { return now_; };
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    runner_ =
        std::make_unique<ServerRunner>(ServerOptions{"127.0.0.1:0", absl::Seconds(5), nullptr});
  }

  void StartServer() {
    ASSERT_TRUE(runner_->Start().ok());
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(runner_->port()),
                                   grpc::InsecureChannelCredentials());
  }

  void TearDown() override {
    if (runner_) runner_->Shutdown();
  }

  // A client context with a deadline, so that a broken server fails the test
  // instead of hanging it.
  static std::unique_ptr<grpc::ClientContext> Ctx() {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return ctx;
  }

  std::function<absl::Time()> Clock() {
    return [this] { return now_; };
  }

  TempDir dir_;
  absl::Time now_ = absl::FromUnixSeconds(1750000000);
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<ServerRunner> runner_;
  std::shared_ptr<grpc::Channel> channel_;
};

}  // namespace regenatlas::testing

#endif  // REGENATLAS_TESTS_TESTING_SERVER_FIXTURE_H_
