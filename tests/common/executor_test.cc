#include "common/executor.h"

#include <atomic>

#include "absl/synchronization/notification.h"
#include "common/excerpt.h"
#include "common/grpc_status.h"
#include "common/validation.h"
#include "gtest/gtest.h"
#include "regenatlas/catalog/v1/resources.pb.h"

namespace regenatlas {
namespace {

TEST(ExecutorTest, FullQueueIsResourceExhaustedAndNothingIsLost) {
  Executor executor(ExecutorOptions{"test", 1, 2});
  absl::Notification release;
  absl::Notification started;
  std::atomic<int> ran{0};
  ASSERT_TRUE(executor
                  .Submit([&] {
                    started.Notify();
                    release.WaitForNotification();
                    ++ran;
                  })
                  .ok());
  started.WaitForNotification();
  // The one worker is busy: two tasks fit in the queue, the third does not.
  EXPECT_TRUE(executor.Submit([&] { ++ran; }).ok());
  EXPECT_TRUE(executor.Submit([&] { ++ran; }).ok());
  absl::Status refused = executor.Submit([&] { ++ran; });
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(refused.message().find("test"), absl::string_view::npos) << refused;
  EXPECT_EQ(executor.load(), 3u);
  release.Notify();
  executor.Shutdown();
  EXPECT_EQ(executor.Submit([&] { ++ran; }).code(), absl::StatusCode::kUnavailable);
  // Shutdown refuses new work but runs what was accepted.
  while (executor.load() > 0) absl::SleepFor(absl::Milliseconds(1));
  EXPECT_EQ(ran.load(), 3);
}

TEST(ExecutorTest, DestructorRunsAcceptedTasks) {
  std::atomic<int> ran{0};
  {
    Executor executor(ExecutorOptions{"test", 2, 100});
    for (int i = 0; i < 50; ++i) ASSERT_TRUE(executor.Submit([&] { ++ran; }).ok());
  }
  EXPECT_EQ(ran.load(), 50);
}

TEST(ExcerptTest, CutsAtCharacterBoundaries) {
  EXPECT_EQ(Excerpt("short"), "short");
  std::string chinese;
  for (int i = 0; i < 40; ++i) chinese += "多";  // 3 bytes each
  const std::string cut = Excerpt(chinese, 64);
  EXPECT_EQ(cut, chinese.substr(0, 63) + "…");
}

TEST(ExcerptTest, StatusMessagesAreCapped) {
  grpc::Status s = ToGrpcStatus(absl::InvalidArgumentError(std::string(1 << 20, 'x')));
  EXPECT_LE(s.error_message().size(), kMaxStatusMessageBytes + 3);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST(ValidateSizesTest, NamesTheOversizedFieldWithoutEchoingIt) {
  catalog::v1::Source source;
  source.set_title(std::string(1 << 20, 'x'));
  absl::Status s = ValidateSizes(source, "source");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "source.title: longer than 2048 bytes (got 1048576)");

  catalog::v1::Source ok;
  ok.set_title("A note");
  EXPECT_TRUE(ValidateSizes(ok, "source").ok());
}

}  // namespace
}  // namespace regenatlas
