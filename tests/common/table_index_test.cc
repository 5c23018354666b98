// The query engine (common/table_index.*, common/list_query.cc) against
// brute force over the records: filters, orders, paging, counts, index
// maintenance, rebuilds, kill -9 and paging under concurrent writes.
#include "common/table_index.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/postings.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "regenatlas/catalog/v1/resources.pb.h"
#include "storage/key.h"
#include "tests/common/table_index_fixture.h"

namespace regenatlas {
namespace {

using table_index_testing::DateKey;
using table_index_testing::Encoder;
using table_index_testing::Fixture;
using table_index_testing::RandomTrial;
using table_index_testing::Schema;
using table_index_testing::SortKey;
using table_index_testing::Spec;
using table_index_testing::TempDir;
using table_index_testing::Trial;

// Brute force: does `t` match the filters used below?
bool Matches(const Trial& t, const std::string& f) {
  auto has = [&](const std::string& c) {
    return std::find(t.countries().begin(), t.countries().end(), c) != t.countries().end();
  };
  if (f.empty()) return true;
  if (f == "country = PL") return has("PL");
  if (f == "country = PL AND country = FR AND country = DE") {
    return has("PL") && has("FR") && has("DE");
  }
  if (f == "phase >= PHASE_1 AND NOT country = US") {
    return t.phase() >= common::v1::DEVELOPMENT_STAGE_PHASE_1 && !has("US");
  }
  if (f == "phase = PRECLINICAL OR country = CN") {
    return t.phase() == common::v1::DEVELOPMENT_STAGE_PRECLINICAL || has("CN");
  }
  if (f == "sponsor = organizations/s1 AND country:*") {
    return t.sponsor() == "organizations/s1" && !t.countries().empty();
  }
  ADD_FAILURE() << f;
  return false;
}

const std::vector<std::string> kFilters = {
    "", "country = PL", "phase >= PHASE_1 AND NOT country = US",
    "phase = PRECLINICAL OR country = CN", "sponsor = organizations/s1 AND country:*"};
const std::vector<std::string> kOrders = {"",
                                          "name desc",
                                          "start_date",
                                          "start_date desc, name",
                                          "phase desc, start_date",
                                          "enrollment, phase desc"};

// Expected names of a filter and order, from the records.
std::vector<std::string> Expected(ResourceTable<Trial>& table, const std::string& f,
                                  const std::string& order) {
  std::vector<Trial> all;
  table
      .ScanAll(nullptr,
               [&](absl::string_view, absl::string_view bytes) {
                 Trial t;
                 t.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
                 if (Matches(t, f)) all.push_back(t);
                 return true;
               })
      .IgnoreError();
  std::vector<filter::OrderTerm> terms =
      *filter::ParseOrderBy(order, {"name", "start_date", "phase", "enrollment"});
  std::stable_sort(all.begin(), all.end(), [&](const Trial& a, const Trial& b) {
    for (const auto& t : terms) {
      std::string ka = t.field == "name" ? a.name() : SortKey(a, t.field);
      std::string kb = t.field == "name" ? b.name() : SortKey(b, t.field);
      if (ka != kb) return t.descending ? ka > kb : ka < kb;
    }
    return a.name() < b.name();
  });
  std::vector<std::string> names;
  for (const Trial& t : all) names.push_back(t.name());
  return names;
}

// Every page of a query, concatenated; checks totals on the way.
std::vector<std::string> AllPages(Fixture& f, const std::string& filter, const std::string& order,
                                  int page_size) {
  std::vector<std::string> names;
  ListQuery q{page_size, "", filter, order};
  for (int pages = 0; pages < 10000; ++pages) {
    absl::StatusOr<ListResult<Trial>> r = f.List(q);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) break;
    for (const Trial& t : r->items) names.push_back(t.name());
    if (r->next_page_token.empty()) break;
    q.page_token = r->next_page_token;
  }
  return names;
}

class TableIndexTest : public ::testing::TestWithParam<bool> {};

TEST_P(TableIndexTest, ListsMatchBruteForceThroughWritesAndReopen) {
  const bool walk = GetParam();
  Fixture f(TempDir(walk ? "walk" : "sort"), 1, walk);
  std::mt19937 rng(7);
  for (int i = 0; i < 400; ++i) {
    ASSERT_TRUE(f.table().Create(absl::StrFormat("t%04d", (i * 37) % 1000), RandomTrial(rng)).ok());
  }
  for (int i = 0; i < 150; ++i) {  // updates and deletes
    std::string name = absl::StrFormat("trials/t%04d", ((rng() % 400) * 37) % 1000);
    absl::StatusOr<Trial> t = f.table().Get(name);
    if (!t.ok()) continue;
    if (i % 3 == 0) {
      ASSERT_TRUE(f.table().Delete(name, "").ok());
    } else {
      Trial patch = RandomTrial(rng);
      patch.set_name(name);
      ASSERT_TRUE(f.table().Update(patch, {}).ok());
    }
  }
  for (int round = 0; round < 2; ++round) {
    for (const std::string& filter : kFilters) {
      for (const std::string& order : kOrders) {
        const std::vector<std::string> want = Expected(f.table(), filter, order);
        for (int page_size : {1, 7, 1000}) {
          EXPECT_EQ(AllPages(f, filter, order, page_size), want)
              << filter << " | " << order << " | " << page_size;
        }
        absl::StatusOr<ListResult<Trial>> first = f.List({1, "", filter, order});
        ASSERT_TRUE(first.ok());
        EXPECT_EQ(first->total_size, static_cast<int>(want.size()));
      }
    }
    f.Open(1, walk);  // the persisted index loads to the same state
  }
}

INSTANTIATE_TEST_SUITE_P(SortAndWalk, TableIndexTest, ::testing::Bool());

// The name order a reopened index builds at once (table_index_load.cc sorts
// eight bytes of each name at a time): names sharing long prefixes, ending
// inside and beyond each eight-byte window, created out of order.
TEST(TableIndex, NameOrderAfterReopenWithLongSharedPrefixes) {
  Fixture f(TempDir("names"), 1, true);  // walks the name order
  std::mt19937 rng(11);
  std::vector<std::string> want;
  for (int i = 0; i < 300; ++i) {
    const int n = static_cast<int>((i * 37) % 300);
    std::string id = n % 7 == 0   ? absl::StrCat("r", n)
                     : n % 3 == 0 ? absl::StrCat("registry-record-", n)
                                  : absl::StrCat("registry-record-", std::string(n % 9, '0'), n);
    if (std::find(want.begin(), want.end(), "trials/" + id) != want.end()) continue;
    ASSERT_TRUE(f.table().Create(id, RandomTrial(rng)).ok()) << id;
    want.push_back("trials/" + id);
  }
  std::sort(want.begin(), want.end());
  f.Open(1, true);
  EXPECT_EQ(AllPages(f, "", "name", 17), want);
  std::reverse(want.begin(), want.end());
  EXPECT_EQ(AllPages(f, "", "name desc", 1000), want);
}

// The groups of `t` for one field: its values, or "(none)".
std::vector<std::string> GroupValues(const Trial& t, const std::string& field) {
  std::vector<std::string> out;
  if (field == "phase" && t.phase() != 0) out.push_back(absl::StrCat(t.phase()));
  if (field == "country") out.assign(t.countries().begin(), t.countries().end());
  if (out.empty()) out.push_back("(none)");
  return out;
}

// Grouped counts by brute force, next to the engine's two ways of counting:
// a value column (most of the table matches and one field is single-valued:
// phase, in either position) and AND-ed value bitmaps (few matches, or both
// fields multi-valued: country × country), each on the live index and on
// the one Load builds.
TEST(TableIndex, CountsMatchBruteForce) {
  Fixture f(TempDir("counts"));
  std::mt19937 rng(11);
  std::vector<Trial> trials;
  for (int i = 0; i < 300; ++i) {
    trials.push_back(RandomTrial(rng));
    ASSERT_TRUE(f.table().Create(absl::StrCat("c", i), trials.back()).ok());
  }
  const std::vector<std::string> filters = {"", "phase >= PHASE_1 AND NOT country = US",
                                            "country = PL AND country = FR AND country = DE"};
  const std::vector<std::vector<std::string>> groupings = {
      {"phase", "country"}, {"country", "phase"}, {"country", "country"}, {"phase"}};
  for (int round = 0; round < 3; ++round) {
    if (round == 1) f.Open(1);
    if (round == 2) {
      // Writes after the counts above: value columns cached by them must
      // not survive (phases and countries change, records go).
      for (size_t i = 0; i < trials.size(); i += 3) {
        const std::string name = absl::StrCat("trials/c", i);
        if (i % 2 == 0) {
          ASSERT_TRUE(f.table().Delete(name, "").ok());
          trials[i] = Trial();
          trials[i].set_name("deleted");
          continue;
        }
        Trial patch = RandomTrial(rng);
        patch.set_name(name);
        ASSERT_TRUE(f.table().Update(patch, {}).ok());
        trials[i] = *f.table().Get(name);
      }
    }
    for (const std::string& filter : filters) {
      IndexReadLock lock(f.store(), {&f.table().index()});
      IndexPostings postings(&f.table().index(), &f.store(), storage::ColumnFamily::kCatalogIndex,
                             lock.snapshot(), &Encoder);
      Bitmap matches = f.table().index().all();
      if (!filter.empty()) {
        auto node = filter::Parse(filter);
        ASSERT_TRUE(filter::Resolve(node->get(), Schema()).ok());
        absl::StatusOr<Bitmap> m = EvaluateFilter(node->get(), Schema(), postings);
        ASSERT_TRUE(m.ok());
        matches = *std::move(m);
      }
      for (const std::vector<std::string>& fields : groupings) {
        std::map<std::vector<std::string>, int> want;
        int want_total = 0;
        for (const Trial& t : trials) {
          if (t.name() == "deleted" || !Matches(t, filter)) continue;
          ++want_total;
          for (const std::string& a : GroupValues(t, fields[0])) {
            if (fields.size() == 1) {
              ++want[{a}];
              continue;
            }
            for (const std::string& b : GroupValues(t, fields[1])) ++want[{a, b}];
          }
        }
        EXPECT_EQ(static_cast<int>(matches.cardinality()), want_total) << filter;
        EXPECT_EQ(*CountGroups(f.table().index(), matches, fields), want)
            << "round " << round << ", filter '" << filter << "', " << absl::StrJoin(fields, " x ");
      }
    }
  }
}

TEST(TableIndex, RebuildsWhenMissingOrOfAnotherVersion) {
  const std::string dir = TempDir("rebuild");
  Fixture f(dir);
  std::mt19937 rng(3);
  for (int i = 0; i < 50; ++i)
    ASSERT_TRUE(f.table().Create(absl::StrCat("r", i), RandomTrial(rng)).ok());
  const std::vector<std::string> want = Expected(f.table(), "country = PL", "start_date desc");
  f.Open(2);  // another version: rebuilt from the records
  EXPECT_EQ(AllPages(f, "country = PL", "start_date desc", 5), want);
  // Missing: every engine key of the table deleted.
  storage::WriteBatch batch;
  const std::string prefix = storage::Key().String("~engine").String("trials").Release();
  ASSERT_TRUE(f.store()
                  .Scan(storage::ColumnFamily::kCatalogIndex, storage::ScanRange::Prefix(prefix),
                        nullptr,
                        [&](absl::string_view key, absl::string_view) {
                          batch.Delete(storage::ColumnFamily::kCatalogIndex, std::string(key));
                          return true;
                        })
                  .ok());
  ASSERT_TRUE(f.store().Write(std::move(batch)).ok());
  f.Open(2);
  EXPECT_EQ(AllPages(f, "country = PL", "start_date desc", 5), want);
  // Dense ids are not reused after the rebuild.
  ASSERT_TRUE(f.table().Create("new", RandomTrial(rng)).ok());
  EXPECT_EQ(f.table().index().size(), 51u);
}

TEST(TableIndex, ConsistentAfterKill9) {
  const std::string dir = TempDir("kill");
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Fixture f(dir);
    std::mt19937 rng(5);
    for (int i = 0;; ++i) {  // until killed
      (void)f.table().Create(absl::StrCat("k", i), RandomTrial(rng));
      if (i % 3 == 0) (void)f.table().Delete(absl::StrCat("trials/k", i / 2), "");
      if (i == 300) kill(getpid(), SIGKILL);
    }
  }
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));
  Fixture f(dir);
  for (const std::string order : {"", "start_date"}) {
    EXPECT_EQ(AllPages(f, "", order, 50), Expected(f.table(), "", order));
    EXPECT_EQ(AllPages(f, "country = PL", order, 50), Expected(f.table(), "country = PL", order));
  }
}

TEST(TableIndex, PagesStayConsistentUnderConcurrentWrites) {
  Fixture f(TempDir("concurrent"), 1, /*walk=*/true);
  std::mt19937 rng(9);
  // Stable records: phase PRECLINICAL, never written again.
  for (int i = 0; i < 200; ++i) {
    Trial t = RandomTrial(rng);
    t.set_phase(common::v1::DEVELOPMENT_STAGE_PRECLINICAL);
    ASSERT_TRUE(f.table().Create(absl::StrFormat("s%03d", i), t).ok());
  }
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    std::mt19937 wrng(1);
    for (int i = 0; !stop; ++i) {
      Trial t = RandomTrial(wrng);
      t.set_phase(i % 2 ? common::v1::DEVELOPMENT_STAGE_PRECLINICAL
                        : common::v1::DEVELOPMENT_STAGE_PHASE_1);
      (void)f.table().Create(absl::StrFormat("w%05d", i), t);
      if (i > 5) (void)f.table().Delete(absl::StrFormat("trials/w%05d", i - 5), "");
    }
  });
  for (const std::string order : {"", "start_date desc"}) {
    for (int round = 0; round < 5; ++round) {
      std::vector<std::string> seen;
      ListQuery q{9, "", "phase = PRECLINICAL", order};
      std::string last_key;
      for (;;) {
        absl::StatusOr<ListResult<Trial>> r = f.List(q);
        ASSERT_TRUE(r.ok()) << r.status();
        for (const Trial& t : r->items) {
          // Records read from the snapshot agree with the index that chose them.
          EXPECT_EQ(t.phase(), common::v1::DEVELOPMENT_STAGE_PRECLINICAL) << t.name();
          const std::string key = order.empty() ? t.name() : DateKey(t.start_date());
          if (!last_key.empty()) {
            EXPECT_TRUE(order.empty() ? key > last_key : key <= last_key) << t.name();
          }
          last_key = key;
          seen.push_back(t.name());
        }
        if (r->next_page_token.empty()) break;
        q.page_token = r->next_page_token;
      }
      std::set<std::string> unique(seen.begin(), seen.end());
      EXPECT_EQ(unique.size(), seen.size());
      for (int i = 0; i < 200; ++i) EXPECT_TRUE(unique.count(absl::StrFormat("trials/s%03d", i)));
    }
  }
  stop = true;
  writer.join();
}

}  // namespace
}  // namespace regenatlas
