#include "common/rpc.h"

#include <atomic>
#include <memory>
#include <string>

#include "common/server_runner.h"
#include "gtest/gtest.h"
#include "regenatlas/catalog/v1/catalog_service.grpc.pb.h"
#include "storage/store.h"
#include "tests/testing/temp_dir.h"

namespace regenatlas {
namespace {

using catalog::v1::CatalogService;
using ::regenatlas::testing::TempDir;

// GetSource answered by RunUnaryInline from one store key (the request's
// name); counts the body's runs.
class InlineGet final : public CatalogService::CallbackService {
 public:
  InlineGet(storage::Store* store, Executor* executor) : store_(store), executor_(executor) {}

  grpc::ServerUnaryReactor* GetSource(grpc::CallbackServerContext* ctx,
                                      const catalog::v1::GetSourceRequest* req,
                                      catalog::v1::Source* resp) override {
    return RunUnaryInline(ctx, executor_, [this, req, resp]() -> absl::Status {
      runs_.fetch_add(1);
      absl::StatusOr<std::optional<std::string>> got =
          store_->Get(storage::ColumnFamily::kCatalog, req->name());
      if (!got.ok()) return got.status();
      if (!got->has_value()) return absl::NotFoundError(req->name());
      resp->set_title(**got);
      return absl::OkStatus();
    });
  }

  int runs() const { return runs_.load(); }

 private:
  storage::Store* const store_;
  Executor* const executor_;
  std::atomic<int> runs_{0};
};

std::unique_ptr<storage::Store> Open(const std::string& path) {
  storage::StoreOptions options;
  options.path = path;
  options.sync_writes = false;
  absl::StatusOr<std::unique_ptr<storage::Store>> store = storage::Store::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return std::move(*store);
}

// A point read whose block is not in memory is not answered in the reaction
// (it would wait for the disk): the attempt is dropped and the executor
// answers; once cached, the reaction answers alone.
TEST(RunUnaryInlineTest, ColdReadsGoToTheExecutorCachedOnesDoNot) {
  TempDir dir;
  {
    std::unique_ptr<storage::Store> store = Open(dir.Sub("db"));
    storage::WriteBatch batch;
    batch.Put(storage::ColumnFamily::kCatalog, "sources/cold", "from the table file");
    ASSERT_TRUE(store->Write(std::move(batch)).ok());
  }  // closing flushes it out of the memtable
  std::unique_ptr<storage::Store> store = Open(dir.Sub("db"));
  Executor executor(ExecutorOptions{"inline-test", 2, 8});
  InlineGet service(store.get(), &executor);
  ServerRunner runner(ServerOptions{"127.0.0.1:0", absl::Seconds(5), nullptr});
  runner.AddService(&service, "regenatlas.catalog.v1.CatalogService");
  ASSERT_TRUE(runner.Start().ok());
  auto stub = CatalogService::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(runner.port()), grpc::InsecureChannelCredentials()));

  auto get = [&](const std::string& name, catalog::v1::Source* out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    catalog::v1::GetSourceRequest req;
    req.set_name(name);
    return stub->GetSource(&ctx, req, out);
  };
  catalog::v1::Source source;
  grpc::Status s = get("sources/cold", &source);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(source.title(), "from the table file");
  EXPECT_EQ(service.runs(), 2);  // the dropped attempt, then the executor

  source.Clear();
  s = get("sources/cold", &source);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(source.title(), "from the table file");
  EXPECT_EQ(service.runs(), 3);  // answered in the reaction

  runner.Shutdown();
}

}  // namespace
}  // namespace regenatlas
