// BoundedQueue: order across threads, the bound, Close and Cancel.
#include "common/bounded_queue.h"

#include <atomic>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace regenatlas {
namespace {

TEST(BoundedQueueTest, KeepsOrderAcrossThreadsAndNeverHoldsMoreThanItsCapacity) {
  BoundedQueue<int> queue(3);
  std::atomic<int> pushed{0};
  std::thread producer([&] {
    for (int i = 0; i < 20000; ++i) {
      ASSERT_TRUE(queue.Push(i));
      pushed.fetch_add(1);
    }
    queue.Close();
  });
  int popped = 0;
  while (std::optional<int> v = queue.Pop()) {
    ASSERT_EQ(*v, popped);
    ++popped;
    // At most `capacity` pushed items that were not popped yet, plus the
    // one whose push may be completing.
    EXPECT_LE(pushed.load() - popped, 4);
  }
  producer.join();
  EXPECT_EQ(popped, 20000);
}

TEST(BoundedQueueTest, CloseLetsTheConsumerDrainWhatIsQueued) {
  BoundedQueue<int> queue(4);
  ASSERT_TRUE(queue.Push(1));
  ASSERT_TRUE(queue.Push(2));
  queue.Close();
  EXPECT_FALSE(queue.Push(3));
  EXPECT_EQ(queue.Pop(), 1);
  EXPECT_EQ(queue.Pop(), 2);
  EXPECT_EQ(queue.Pop(), std::nullopt);
}

TEST(BoundedQueueTest, CancelWakesABlockedProducerAndDropsTheItems) {
  BoundedQueue<int> queue(1);
  ASSERT_TRUE(queue.Push(1));
  std::atomic<bool> result{true};
  std::thread producer([&] { result = queue.Push(2); });  // blocks: full
  queue.Cancel();
  producer.join();
  EXPECT_FALSE(result.load());
  EXPECT_EQ(queue.Pop(), std::nullopt);
}

}  // namespace
}  // namespace regenatlas
