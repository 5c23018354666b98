// TSan builds only (tests/CMakeLists.txt): every abseil synchronisation
// primitive our code uses hands plain (non-atomic) data between threads
// here. Debian's abseil is not instrumented, so without the annotations of
// common/tsan_absl_annotations.cc TSan would report each of these hand-offs
// as a data race (and halt_on_error=1 fails the test); with them there must
// be no report. The shared data is ints and containers instantiated here:
// std::string's members live in (uninstrumented) libstdc++.so.
#include <gtest/gtest.h>

#include <deque>
#include <thread>
#include <vector>

#include "absl/synchronization/blocking_counter.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"

namespace {

constexpr int kThreads = 4;
constexpr int kIterations = 200;

template <typename F>
void RunThreads(int n, F f) {
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back(f, i);
  for (auto& t : threads) t.join();
}

TEST(TsanAbslTest, MutexLockAndTryLock) {
  absl::Mutex mu;
  long counter = 0;  // plain: protected by mu only
  RunThreads(kThreads, [&](int i) {
    for (int k = 0; k < kIterations; ++k) {
      if (i % 2 == 0) {
        absl::MutexLock lock(&mu);
        ++counter;
      } else {
        while (!mu.TryLock()) std::this_thread::yield();
        ++counter;
        mu.Unlock();
      }
    }
  });
  absl::MutexLock lock(&mu);
  EXPECT_EQ(counter, kThreads * kIterations);
}

TEST(TsanAbslTest, ReaderAndWriterLocks) {
  absl::Mutex mu;
  long value = -1;
  RunThreads(kThreads, [&](int i) {
    for (int k = 0; k < kIterations; ++k) {
      if (k % 4 == 0) {
        absl::WriterMutexLock lock(&mu);
        value = i * kIterations + k;
      } else if (k % 4 == 1) {
        if (mu.ReaderTryLock()) {
          EXPECT_LT(value, kThreads * kIterations);
          mu.ReaderUnlock();
        }
      } else {
        absl::ReaderMutexLock lock(&mu);
        EXPECT_LT(value, kThreads * kIterations);
      }
    }
  });
}

TEST(TsanAbslTest, ReleasableMutexLock) {
  absl::Mutex mu;
  int counter = 0;
  RunThreads(kThreads, [&](int) {
    for (int k = 0; k < kIterations; ++k) {
      absl::ReleasableMutexLock lock(&mu);
      ++counter;
      lock.Release();
    }
  });
  absl::MutexLock lock(&mu);
  EXPECT_EQ(counter, kThreads * kIterations);
}

// Conditions read plain data; abseil may evaluate them on the unlocking
// thread.
TEST(TsanAbslTest, LockWhenAndAwait) {
  absl::Mutex mu;
  int stage = 0;
  std::vector<int> log;
  RunThreads(kThreads, [&](int i) {
    for (int round = 0; round < 20; ++round) {
      int turn = round * kThreads + i;
      auto my_turn = [&] { return stage == turn; };
      if (i % 3 == 0) {
        absl::MutexLock lock(&mu, absl::Condition(&my_turn));
        log.push_back(turn);
        ++stage;
      } else if (i % 3 == 1) {
        absl::MutexLock lock(&mu);
        mu.Await(absl::Condition(&my_turn));
        log.push_back(turn);
        ++stage;
      } else {
        absl::MutexLock lock(&mu);
        while (!mu.AwaitWithTimeout(absl::Condition(&my_turn), absl::Milliseconds(1))) {
        }
        log.push_back(turn);
        ++stage;
      }
    }
  });
  ASSERT_EQ(log.size(), 20u * kThreads);
  for (size_t k = 0; k < log.size(); ++k) EXPECT_EQ(log[k], static_cast<int>(k));
}

TEST(TsanAbslTest, ReaderLockWhenAndTimeouts) {
  absl::Mutex mu;
  bool ready = false;
  int payload = 0;
  std::thread writer([&] {
    absl::SleepFor(absl::Milliseconds(5));
    absl::MutexLock lock(&mu);
    payload = 1;
    ready = true;
  });
  {
    mu.ReaderLockWhen(absl::Condition(&ready));
    EXPECT_EQ(payload, 1);
    mu.ReaderUnlock();
  }
  EXPECT_TRUE(mu.LockWhenWithTimeout(absl::Condition(&ready), absl::Seconds(10)));
  payload += 1;
  mu.Unlock();
  EXPECT_TRUE(
      mu.ReaderLockWhenWithDeadline(absl::Condition(&ready), absl::Now() + absl::Seconds(10)));
  EXPECT_EQ(payload, 2);
  mu.ReaderUnlock();
  writer.join();
}

TEST(TsanAbslTest, CondVarQueue) {
  absl::Mutex mu;
  absl::CondVar cv;
  std::deque<int> queue;
  bool done = false;
  std::thread consumer([&] {
    int seen = 0;
    absl::MutexLock lock(&mu);
    for (;;) {
      while (queue.empty() && !done) {
        if (seen % 2 == 0) {
          cv.Wait(&mu);
        } else {
          cv.WaitWithTimeout(&mu, absl::Milliseconds(1));
        }
      }
      if (queue.empty()) break;
      EXPECT_EQ(queue.front(), seen);
      queue.pop_front();
      ++seen;
    }
    EXPECT_EQ(seen, kIterations);
  });
  for (int k = 0; k < kIterations; ++k) {
    absl::MutexLock lock(&mu);
    queue.push_back(k);
    cv.Signal();
  }
  {
    absl::MutexLock lock(&mu);
    done = true;
    cv.SignalAll();
  }
  consumer.join();
}

TEST(TsanAbslTest, Notification) {
  for (int k = 0; k < 20; ++k) {
    int a = 0, b = 0, c = 0;
    absl::Notification na, nb, nc;
    std::thread producer([&] {
      a = 1;
      na.Notify();
      b = 2;
      nb.Notify();
      c = 3;
      nc.Notify();
    });
    na.WaitForNotification();
    EXPECT_EQ(a, 1);
    EXPECT_TRUE(nb.WaitForNotificationWithTimeout(absl::Seconds(10)));
    EXPECT_EQ(b, 2);
    while (!nc.HasBeenNotified()) std::this_thread::yield();
    EXPECT_EQ(c, 3);
    producer.join();
  }
}

TEST(TsanAbslTest, BlockingCounter) {
  std::vector<int> slots(kThreads);
  absl::BlockingCounter counter(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      slots[i] = i + 1;
      counter.DecrementCount();
    });
  }
  counter.Wait();
  for (int i = 0; i < kThreads; ++i) EXPECT_EQ(slots[i], i + 1);
  for (auto& t : threads) t.join();
}

// A mutex destroyed and another constructed at the same address must not
// carry state over.
TEST(TsanAbslTest, MutexLifetime) {
  for (int k = 0; k < 50; ++k) {
    auto* mu = new absl::Mutex;
    int value = 0;
    std::thread t([&] {
      absl::MutexLock lock(mu);
      ++value;
    });
    {
      absl::MutexLock lock(mu);
      ++value;
    }
    t.join();
    EXPECT_EQ(value, 2);
    delete mu;
  }
}

}  // namespace
