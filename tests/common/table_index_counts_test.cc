// The counts of a whole table that commits keep (TableIndex::CountAll)
// against brute force and against counting from the bitmaps, through
// creates, updates, deletes, a reopen and concurrent readers.
#include <atomic>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/table_index.h"
#include "gtest/gtest.h"
#include "tests/common/table_index_fixture.h"

namespace regenatlas {
namespace {

using table_index_testing::Fixture;
using table_index_testing::RandomTrial;
using table_index_testing::TempDir;
using table_index_testing::Trial;

using Groups = std::map<std::vector<std::string>, int>;

const std::vector<std::vector<std::string>> kGroupings = {
    {"phase", "country"}, {"country", "phase"}, {"country", "country"}, {"phase"}, {"country"}};

std::vector<std::string> ValuesOf(const Trial& t, const std::string& field) {
  std::vector<std::string> out;
  if (field == "phase" && t.phase() != 0) out.push_back(absl::StrCat(t.phase()));
  if (field == "country") out.assign(t.countries().begin(), t.countries().end());
  if (out.empty()) out.push_back(kNoGroupValue);
  return out;
}

Groups BruteForce(const std::map<std::string, Trial>& trials, const std::vector<std::string>& by) {
  Groups want;
  for (const auto& [name, t] : trials) {
    for (const std::string& a : ValuesOf(t, by[0])) {
      if (by.size() == 1) {
        ++want[{a}];
        continue;
      }
      for (const std::string& b : ValuesOf(t, by[1])) ++want[{a, b}];
    }
  }
  return want;
}

// Every grouping of the whole table: maintained counts == bitmaps == brute force.
void ExpectCounts(Fixture& f, const std::map<std::string, Trial>& trials, const std::string& when) {
  IndexReadLock lock(f.store(), {&f.table().index()});
  const TableIndex& index = f.table().index();
  ASSERT_EQ(index.size(), trials.size()) << when;
  for (const std::vector<std::string>& by : kGroupings) {
    const Groups want = BruteForce(trials, by);
    EXPECT_EQ(*CountGroups(index, index.all(), by), want)
        << when << ": " << absl::StrJoin(by, " x ");
    EXPECT_EQ(CountGroupsFromBitmaps(index, index.all(), by), want) << when;
  }
}

TEST(TableIndexCounts, CommitsKeepTheCountsWithoutRecounting) {
  Fixture f(TempDir("kept_counts"));
  std::mt19937 rng(5);
  std::map<std::string, Trial> trials;
  int next = 0;
  auto create = [&] {
    Trial t = RandomTrial(rng);
    const std::string id = absl::StrCat("k", next++);
    ASSERT_TRUE(f.table().Create(id, t).ok());
    trials["trials/" + id] = *f.table().Get("trials/" + id);
  };
  for (int i = 0; i < 150; ++i) create();
  ExpectCounts(f, trials, "after the creates");
  ASSERT_EQ(f.table().index().counters(), kGroupings.size());
  const uint64_t built = f.table().index().counter_builds();
  // Counts a reader holds stay as they were while commits change the table.
  std::shared_ptr<const Groups> held;
  {
    IndexReadLock lock(f.store(), {&f.table().index()});
    held = CountGroups(f.table().index(), f.table().index().all(), {"phase", "country"});
  }
  const Groups held_copy = *held;
  // Creates, updates (phase and countries change) and deletes, checked
  // after every few: the counters follow each commit and none is rebuilt.
  for (int op = 0; op < 240; ++op) {
    const int kind = static_cast<int>(rng() % 3);
    if (kind == 0 || trials.empty()) {
      create();
    } else {
      auto it = std::next(trials.begin(), static_cast<long>(rng() % trials.size()));
      if (kind == 1) {
        Trial patch = RandomTrial(rng);
        patch.set_name(it->first);
        ASSERT_TRUE(f.table().Update(patch, {}).ok());
        it->second = *f.table().Get(it->first);
      } else {
        ASSERT_TRUE(f.table().Delete(it->first, "").ok());
        trials.erase(it);
      }
    }
    if (op % 8 == 7) ExpectCounts(f, trials, absl::StrCat("after operation ", op));
  }
  EXPECT_EQ(f.table().index().counter_builds(), built) << "a counter was rebuilt, not kept";
  EXPECT_EQ(*held, held_copy) << "counts held by a reader changed under it";
  EXPECT_EQ(f.table().index().counters(), kGroupings.size());
  // A reopened index starts without counters and builds them again.
  f.Open();
  EXPECT_EQ(f.table().index().counters(), 0u);
  ExpectCounts(f, trials, "after reopening");
  EXPECT_EQ(f.table().index().counters(), kGroupings.size());
}

// The limits: a grouping over max_counter_groups is counted on every call
// and not kept (also when commits grow a kept one past it); beyond
// max_counters the least recently used grouping goes. Every answer is the
// bitmaps' count either way.
TEST(TableIndexCounts, LimitsDropTheLeastRecentlyUsedAndTheOversized) {
  Fixture f(TempDir("counts_limits"));
  f.set_tweak([](ResourceTableOptions& o) {
    o.index_max_counters = 2;
    o.index_max_counter_groups = 4;
  });
  f.Open();
  // Phases 1-2 and one country of US / PL: every grouping has 2 or 4 groups.
  for (int i = 0; i < 40; ++i) {
    Trial t;
    t.set_phase(static_cast<common::v1::DevelopmentStage>(1 + i % 2));
    t.add_countries(i % 3 == 0 ? "US" : "PL");
    ASSERT_TRUE(f.table().Create(absl::StrCat("l", i), t).ok());
  }
  const TableIndex& index = f.table().index();
  auto count = [&](const std::vector<std::string>& by) {
    IndexReadLock lock(f.store(), {&index});
    EXPECT_EQ(*CountGroups(index, index.all(), by), CountGroupsFromBitmaps(index, index.all(), by))
        << absl::StrJoin(by, " x ");
  };
  struct Step {
    std::vector<std::string> by;
    uint64_t builds;
    size_t kept;
  };
  const std::vector<Step> steps = {
      {{"phase"}, 1, 1},
      {{"country"}, 2, 2},
      {{"phase"}, 2, 2},             // kept; now the most recently used
      {{"phase", "country"}, 3, 2},  // evicts country
      {{"phase"}, 3, 2},
      {{"country"}, 4, 2},           // counted again; evicts phase x country
      {{"phase", "country"}, 5, 2},  // evicts phase
  };
  for (size_t i = 0; i < steps.size(); ++i) {
    count(steps[i].by);
    EXPECT_EQ(index.counter_builds(), steps[i].builds) << "step " << i;
    EXPECT_EQ(index.counters(), steps[i].kept) << "step " << i;
  }
  // A third phase: phase x country grows to 5 groups and is dropped;
  // country (3 groups) is kept and follows the commit.
  Trial t;
  t.set_phase(common::v1::DEVELOPMENT_STAGE_PHASE_3);
  t.add_countries("FR");
  ASSERT_TRUE(f.table().Create("l-fr", t).ok());
  EXPECT_EQ(index.counters(), 1u);
  count({"country"});
  EXPECT_EQ(index.counter_builds(), 5u);
  count({"phase", "country"});  // over the limit: counted, not kept
  count({"phase", "country"});
  EXPECT_EQ(index.counter_builds(), 7u);
  EXPECT_EQ(index.counters(), 1u);
}

// Readers counting the whole table while a writer moves records between
// phases: every count is of one consistent state (its phase groups add up
// to the table's size at that instant). Run under TSan in the suite.
TEST(TableIndexCounts, ConcurrentReadersSeeConsistentCounts) {
  Fixture f(TempDir("counts_concurrent"));
  std::mt19937 rng(8);
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(f.table().Create(absl::StrCat("c", i), RandomTrial(rng)).ok());
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    std::mt19937 wrng(2);
    for (int i = 0; i < 400 && !stop; ++i) {
      (void)f.table().Create(absl::StrCat("w", i), RandomTrial(wrng));
      if (i % 2 == 1) (void)f.table().Delete(absl::StrCat("trials/w", i - 1), "");
    }
  });
  auto reader = [&] {
    for (int i = 0; i < 200; ++i) {
      IndexReadLock lock(f.store(), {&f.table().index()});
      const TableIndex& index = f.table().index();
      int sum = 0;
      const std::shared_ptr<const Groups> phases = CountGroups(index, index.all(), {"phase"});
      for (const auto& [keys, n] : *phases) sum += n;
      EXPECT_EQ(static_cast<size_t>(sum), index.size());
      const Groups both = *CountGroups(index, index.all(), {"phase", "country"});
      EXPECT_EQ(both, CountGroupsFromBitmaps(index, index.all(), {"phase", "country"}));
    }
  };
  std::thread r1(reader), r2(reader);
  r1.join();
  r2.join();
  stop = true;
  writer.join();
}

}  // namespace
}  // namespace regenatlas
