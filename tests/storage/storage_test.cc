#include <algorithm>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "storage/collection.h"
#include "storage/key.h"
#include "storage/store.h"
#include "tests/testing/temp_dir.h"

namespace regenatlas::storage {
namespace {

using ::regenatlas::testing::TempDir;

std::unique_ptr<Store> OpenStore(const std::string& path) {
  StoreOptions options;
  options.path = path;
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return std::move(*store);
}

std::vector<std::string> Keys(const Store& store, ColumnFamily cf, const ScanRange& range,
                              const Snapshot* snapshot = nullptr) {
  std::vector<std::string> keys;
  EXPECT_TRUE(store
                  .Scan(cf, range, snapshot,
                        [&](absl::string_view k, absl::string_view) {
                          keys.emplace_back(k);
                          return true;
                        })
                  .ok());
  return keys;
}

TEST(KeyTest, StringOrderMatchesComponentOrder) {
  // Includes embedded NULs, 0xff bytes and prefixes of each other.
  std::vector<std::string> strings = {
      "",     "a",       std::string("a\0", 2), std::string("a\0b", 3), "a\x01", "ab", "b",
      "\xff", "\xff\xff"};
  for (const auto& a : strings) {
    for (const auto& b : strings) {
      std::string ka = Key().String(a).String("z").Release();
      std::string kb = Key().String(b).String("a").Release();
      if (a < b) {
        EXPECT_LT(ka, kb) << a << " vs " << b;
      }
      if (a > b) {
        EXPECT_GT(ka, kb) << a << " vs " << b;
      }
    }
  }
}

TEST(KeyTest, IntegerOrderAndRoundTrip) {
  std::mt19937_64 rng(42);
  std::vector<int64_t> ints = {INT64_MIN, -1, 0, 1, INT64_MAX};
  for (int i = 0; i < 200; ++i) ints.push_back(static_cast<int64_t>(rng()));
  std::vector<std::string> encoded;
  for (int64_t v : ints) encoded.push_back(Key().Int64(v).Release());
  for (size_t i = 0; i < ints.size(); ++i) {
    for (size_t j = 0; j < ints.size(); ++j) {
      EXPECT_EQ(ints[i] < ints[j], encoded[i] < encoded[j]);
    }
  }
  for (int64_t v : ints) {
    std::string k = Key().String("x").Int64(v).Uint64(static_cast<uint64_t>(v)).Release();
    KeyReader r(k);
    EXPECT_EQ(*r.String(), "x");
    EXPECT_EQ(*r.Int64(), v);
    EXPECT_EQ(*r.Uint64(), static_cast<uint64_t>(v));
    EXPECT_TRUE(r.done());
  }
}

TEST(KeyTest, StringRoundTripAndMalformed) {
  std::string s("x\0y\xff", 4);
  std::string k = Key().String(s).String("").Release();
  KeyReader r(k);
  EXPECT_EQ(*r.String(), s);
  EXPECT_EQ(*r.String(), "");
  EXPECT_TRUE(r.done());
  std::string unterminated("abc", 3);  // KeyReader keeps a view: must outlive it
  KeyReader bad(unterminated);
  EXPECT_EQ(bad.String().status().code(), absl::StatusCode::kInvalidArgument);
  KeyReader short_int("abc");
  EXPECT_EQ(short_int.Uint64().status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(KeyTest, PrefixEnd) {
  EXPECT_EQ(Key::PrefixEnd("ab"), "ac");
  EXPECT_EQ(Key::PrefixEnd(std::string("a\xff", 2)), "b");
  EXPECT_EQ(Key::PrefixEnd("\xff\xff"), "");
}

// Close() while other threads read: each read either completes against the
// open store or fails with FAILED_PRECONDITION, never touches a closed DB
// (ASan/TSan builds check the "never").
TEST(StoreTest, CloseWhileReadingFailsLaterReadsCleanly) {
  TempDir dir;
  auto store = OpenStore(dir.Sub("db"));
  WriteBatch batch;
  batch.Put(ColumnFamily::kCatalog, Key().String("k").Release(), "v");
  ASSERT_TRUE(store->Write(std::move(batch)).ok());
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&store] {
      for (;;) {
        auto got = store->Get(ColumnFamily::kCatalog, Key().String("k").Release());
        if (!got.ok()) {
          EXPECT_EQ(got.status().code(), absl::StatusCode::kFailedPrecondition);
          return;
        }
        EXPECT_EQ(got->value_or(""), "v");
        absl::Status scan = store->Scan(ColumnFamily::kCatalog, ScanRange::Prefix(""), nullptr,
                                        [](absl::string_view, absl::string_view) { return true; });
        if (!scan.ok()) {
          EXPECT_EQ(scan.code(), absl::StatusCode::kFailedPrecondition);
        }
      }
    });
  }
  absl::SleepFor(absl::Milliseconds(20));
  ASSERT_TRUE(store->Close().ok());
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(store->Get(ColumnFamily::kCatalog, "k").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(StoreTest, PutGetScanInKeyOrder) {
  TempDir dir;
  auto store = OpenStore(dir.Sub("db"));
  WriteBatch batch;
  for (int v : {5, -3, 100, 0, -1000}) {
    batch.Put(ColumnFamily::kCatalog, Key().String("n").Int64(v).Release(), std::to_string(v));
  }
  batch.Put(ColumnFamily::kTimeline, Key().String("n").Int64(7).Release(), "other family");
  ASSERT_TRUE(store->Write(std::move(batch)).ok());

  std::vector<std::string> values;
  ASSERT_TRUE(store
                  ->Scan(ColumnFamily::kCatalog, ScanRange::Prefix(Key().String("n").bytes()),
                         nullptr,
                         [&](absl::string_view, absl::string_view v) {
                           values.emplace_back(v);
                           return true;
                         })
                  .ok());
  EXPECT_EQ(values, (std::vector<std::string>{"-1000", "-3", "0", "5", "100"}));

  ScanRange reverse = ScanRange::Prefix(Key().String("n").bytes());
  reverse.reverse = true;
  std::vector<std::string> rev = Keys(*store, ColumnFamily::kCatalog, reverse);
  ASSERT_EQ(rev.size(), 5u);
  EXPECT_EQ(rev.front(), Key().String("n").Int64(100).Release());

  auto got = store->Get(ColumnFamily::kCatalog, Key().String("n").Int64(5).Release());
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->value(), "5");
  auto missing = store->Get(ColumnFamily::kCatalog, Key().String("n").Int64(6).Release());
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

// DeleteRange drops the keys of one prefix in one family, on disk and in
// memtables alike, and nothing beside them.
TEST(StoreTest, DeleteRangeDropsOnePrefixOnly) {
  TempDir dir;
  auto store = OpenStore(dir.Sub("db"));
  WriteBatch before;
  for (const char* p : {"a", "ab", "b"}) {
    for (int i = 0; i < 3; ++i) {
      before.Put(ColumnFamily::kCatalogIndex, Key().String(p).Int64(i).Release(), "");
    }
  }
  before.Put(ColumnFamily::kCatalog, Key().String("a").Int64(0).Release(), "other family");
  ASSERT_TRUE(store->Write(std::move(before)).ok());
  ASSERT_TRUE(store->Flush().ok());
  WriteBatch late;
  late.Put(ColumnFamily::kCatalogIndex, Key().String("a").Int64(9).Release(), "");
  ASSERT_TRUE(store->Write(std::move(late)).ok());

  const std::string prefix = Key().String("a").Release();
  WriteBatch drop;
  drop.DeleteRange(ColumnFamily::kCatalogIndex, prefix, Key::PrefixEnd(prefix));
  ASSERT_TRUE(store->Write(std::move(drop)).ok());
  EXPECT_TRUE(Keys(*store, ColumnFamily::kCatalogIndex, ScanRange::Prefix(prefix)).empty());
  EXPECT_EQ(Keys(*store, ColumnFamily::kCatalogIndex, ScanRange{}).size(), 6u);
  EXPECT_EQ(Keys(*store, ColumnFamily::kCatalog, ScanRange{}).size(), 1u);
}

// A store holding `key` = `value` in a table file, reopened: its block
// cache is empty (closing flushed the memtable).
std::unique_ptr<Store> ReopenedWith(const std::string& path, const std::string& key,
                                    const std::string& value) {
  {
    auto store = OpenStore(path);
    WriteBatch batch;
    batch.Put(ColumnFamily::kCatalog, key, value);
    EXPECT_TRUE(store->Write(std::move(batch)).ok());
  }
  return OpenStore(path);
}

// A memory-only read never waits for the disk: on a reopened store (empty
// block cache, records in a table file) it fails and says so; once the
// block is cached (by a normal read) it succeeds. Scans likewise.
TEST(StoreTest, MemoryOnlyReadsFailInsteadOfReadingTheDisk) {
  TempDir dir;
  const std::string key = Key().String("m").Int64(1).Release();
  auto store = ReopenedWith(dir.Sub("db"), key, "on disk");
  {
    ScopedMemoryOnlyReads memory_only;
    auto got = store->Get(ColumnFamily::kCatalog, key);
    EXPECT_TRUE(absl::IsUnavailable(got.status())) << got.status();
    EXPECT_TRUE(memory_only.blocked());
    absl::Status scanned =
        store->Scan(ColumnFamily::kCatalog, ScanRange::Prefix(Key().String("m").bytes()), nullptr,
                    [](absl::string_view, absl::string_view) { return true; });
    EXPECT_TRUE(absl::IsUnavailable(scanned)) << scanned;
  }
  auto got = store->Get(ColumnFamily::kCatalog, key);  // reads the disk, caches
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->value(), "on disk");
  {
    ScopedMemoryOnlyReads memory_only;
    auto cached = store->Get(ColumnFamily::kCatalog, key);
    ASSERT_TRUE(cached.ok()) << cached.status();
    EXPECT_EQ(cached->value(), "on disk");
    auto missing = store->Get(ColumnFamily::kCatalog, Key().String("m").Int64(2).Release());
    ASSERT_TRUE(missing.ok()) << missing.status();
    EXPECT_FALSE(missing->has_value());
    EXPECT_FALSE(memory_only.blocked());
  }
}

// A bulk scan (an index load at start) reads the same keys as a normal one
// but leaves the block cache as it was: afterwards a memory-only read of
// its key still fails; after a normal scan it succeeds.
TEST(StoreTest, BulkScansDoNotFillTheBlockCache) {
  TempDir dir;
  const std::string key = Key().String("m").Int64(1).Release();
  auto store = ReopenedWith(dir.Sub("db"), key, "on disk");
  ScanRange bulk = ScanRange::Prefix(Key().String("m").bytes());
  bulk.bulk = true;
  EXPECT_EQ(Keys(*store, ColumnFamily::kCatalog, bulk), std::vector<std::string>{key});
  {
    ScopedMemoryOnlyReads memory_only;
    EXPECT_TRUE(absl::IsUnavailable(store->Get(ColumnFamily::kCatalog, key).status()));
  }
  EXPECT_EQ(Keys(*store, ColumnFamily::kCatalog, ScanRange::Prefix(Key().String("m").bytes())),
            std::vector<std::string>{key});
  ScopedMemoryOnlyReads memory_only;
  auto cached = store->Get(ColumnFamily::kCatalog, key);
  ASSERT_TRUE(cached.ok()) << cached.status();
  EXPECT_EQ(cached->value(), "on disk");
}

// Scopes nest: an inner scope starts unblocked, and what blocked it
// blocked the outer one too; after the outermost, reads may use the disk.
TEST(StoreTest, MemoryOnlyScopesNest) {
  TempDir dir;
  const std::string key = Key().String("m").Int64(1).Release();
  auto store = ReopenedWith(dir.Sub("db"), key, "v");
  {
    ScopedMemoryOnlyReads outer;
    {
      ScopedMemoryOnlyReads inner;
      EXPECT_FALSE(store->Get(ColumnFamily::kCatalog, key).ok());
      EXPECT_TRUE(inner.blocked());
    }
    EXPECT_TRUE(outer.blocked());
  }
  EXPECT_TRUE(store->Get(ColumnFamily::kCatalog, key).ok());
}

TEST(StoreTest, BatchIsAtomicWhenOneOpIsInvalid) {
  TempDir dir;
  auto store = OpenStore(dir.Sub("db"));
  WriteBatch batch;
  batch.Put(ColumnFamily::kCatalog, "record", "v");
  batch.Put(ColumnFamily::kCatalogIndex, "index", "");
  // Writing the change log directly is refused; the whole batch must fail.
  batch.Put(ColumnFamily::kChangeLog, "forged", "x");
  batch.AppendChange("catalog", "payload");
  EXPECT_EQ(store->Write(std::move(batch)).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(store->Get(ColumnFamily::kCatalog, "record")->has_value());
  EXPECT_FALSE(store->Get(ColumnFamily::kCatalogIndex, "index")->has_value());
  EXPECT_EQ(store->LastChangeSeq(), 0u);
  EXPECT_TRUE(store->ReadChanges("catalog", 0, 10)->empty());
}

TEST(StoreTest, BatchCommitsRecordIndexAndChangeTogether) {
  TempDir dir;
  auto store = OpenStore(dir.Sub("db"));
  WriteBatch batch;
  batch.Put(ColumnFamily::kCatalog, "record", "v1");
  batch.Put(ColumnFamily::kCatalogIndex, "index/v1", "");
  batch.AppendChange("catalog", "created");
  absl::StatusOr<uint64_t> seq = store->Write(std::move(batch));
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 1u);
  EXPECT_TRUE(store->Get(ColumnFamily::kCatalog, "record")->has_value());
  EXPECT_TRUE(store->Get(ColumnFamily::kCatalogIndex, "index/v1")->has_value());
  auto changes = store->ReadChanges("catalog", 0, 10);
  ASSERT_EQ(changes->size(), 1u);
  EXPECT_EQ((*changes)[0].payload, "created");
}

TEST(StoreTest, SnapshotIsolation) {
  TempDir dir;
  auto store = OpenStore(dir.Sub("db"));
  WriteBatch first;
  first.Put(ColumnFamily::kCatalog, "a", "old");
  ASSERT_TRUE(store->Write(std::move(first)).ok());
  std::shared_ptr<const Snapshot> snapshot = store->NewSnapshot();
  WriteBatch second;
  second.Put(ColumnFamily::kCatalog, "a", "new");
  second.Put(ColumnFamily::kCatalog, "b", "added");
  ASSERT_TRUE(store->Write(std::move(second)).ok());

  EXPECT_EQ(store->Get(ColumnFamily::kCatalog, "a", snapshot.get())->value(), "old");
  EXPECT_FALSE(store->Get(ColumnFamily::kCatalog, "b", snapshot.get())->has_value());
  EXPECT_EQ(Keys(*store, ColumnFamily::kCatalog, ScanRange{}, snapshot.get()),
            std::vector<std::string>{"a"});
  EXPECT_EQ(store->Get(ColumnFamily::kCatalog, "a")->value(), "new");
  EXPECT_EQ(Keys(*store, ColumnFamily::kCatalog, ScanRange{}).size(), 2u);
}

TEST(StoreTest, ChangeLogIsOrderedPerStreamAndResumable) {
  TempDir dir;
  absl::Time now = absl::FromUnixSeconds(1700000000);
  StoreOptions options;
  options.path = dir.Sub("db");
  options.clock = [&now] { return now; };
  auto store = std::move(*Store::Open(options));
  for (int i = 0; i < 5; ++i) {
    WriteBatch batch;
    batch.AppendChange(i % 2 == 0 ? "timeline" : "catalog", "change-" + std::to_string(i));
    ASSERT_TRUE(store->Write(std::move(batch)).ok());
    now += absl::Seconds(1);
  }
  auto timeline = store->ReadChanges("timeline", 0, 100);
  ASSERT_TRUE(timeline.ok());
  ASSERT_EQ(timeline->size(), 3u);
  EXPECT_EQ((*timeline)[0].seq, 1u);
  EXPECT_EQ((*timeline)[1].seq, 3u);
  EXPECT_EQ((*timeline)[2].seq, 5u);
  EXPECT_EQ((*timeline)[2].payload, "change-4");
  EXPECT_EQ((*timeline)[1].time, absl::FromUnixSeconds(1700000002));
  // Resuming after seq 3 gives exactly what followed.
  auto resumed = store->ReadChanges("timeline", 3, 100);
  ASSERT_EQ(resumed->size(), 1u);
  EXPECT_EQ((*resumed)[0].seq, 5u);
  EXPECT_EQ(store->ReadChanges("timeline", 0, 2)->size(), 2u);
  EXPECT_EQ(store->LastChangeSeq(), 5u);
}

TEST(StoreTest, WaitForChangeWakesOnCommit) {
  TempDir dir;
  auto store = OpenStore(dir.Sub("db"));
  EXPECT_EQ(store->WaitForChange(0, absl::ZeroDuration()), 0u);
  std::thread writer([&] {
    WriteBatch batch;
    batch.AppendChange("catalog", "x");
    ASSERT_TRUE(store->Write(std::move(batch)).ok());
  });
  // Generous timeout: the wait returns as soon as the write commits.
  EXPECT_EQ(store->WaitForChange(0, absl::Seconds(30)), 1u);
  writer.join();
}

TEST(StoreTest, SequenceSurvivesReopen) {
  TempDir dir;
  {
    auto store = OpenStore(dir.Sub("db"));
    for (int i = 0; i < 3; ++i) {
      WriteBatch batch;
      batch.AppendChange("catalog", "c");
      ASSERT_TRUE(store->Write(std::move(batch)).ok());
    }
    ASSERT_TRUE(store->Close().ok());
    EXPECT_EQ(store->Close().code(), absl::StatusCode::kFailedPrecondition);
  }
  auto store = OpenStore(dir.Sub("db"));
  EXPECT_EQ(store->LastChangeSeq(), 3u);
  WriteBatch batch;
  batch.AppendChange("catalog", "d");
  EXPECT_EQ(*store->Write(std::move(batch)), 4u);
}

TEST(StoreTest, CheckpointOpensAsAnIndependentStore) {
  TempDir dir;
  auto store = OpenStore(dir.Sub("db"));
  WriteBatch batch;
  batch.Put(ColumnFamily::kAnalytics, "k", "before");
  batch.AppendChange("analytics", "c");
  ASSERT_TRUE(store->Write(std::move(batch)).ok());
  ASSERT_TRUE(store->Checkpoint(dir.Sub("backup")).ok());
  // An existing target is refused.
  EXPECT_FALSE(store->Checkpoint(dir.Sub("backup")).ok());
  WriteBatch after;
  after.Put(ColumnFamily::kAnalytics, "k", "after");
  ASSERT_TRUE(store->Write(std::move(after)).ok());

  auto copy = OpenStore(dir.Sub("backup"));
  EXPECT_EQ(copy->Get(ColumnFamily::kAnalytics, "k")->value(), "before");
  EXPECT_EQ(copy->LastChangeSeq(), 1u);
  EXPECT_EQ(store->Get(ColumnFamily::kAnalytics, "k")->value(), "after");
}

// StoreOptions::memtable_bytes bounds the memtables of all column families
// together: 20 MB written with a 2 MiB budget reach the disk without a
// Flush() (with RocksDB's default 64 MiB per column family they would all
// still be in memory), and writes wait for flushes rather than pass the
// budget by more than the batch in flight. Without the stall, memtables
// waiting for a flush reached 4-8.5 MB here with the disk busy.
TEST(StoreTest, MemtablesStayWithinTheirBudget) {
  TempDir dir;
  StoreOptions options;
  options.path = dir.Sub("db");
  options.sync_writes = false;
  options.memtable_bytes = 2 << 20;
  absl::StatusOr<std::unique_ptr<Store>> store = Store::Open(options);
  ASSERT_TRUE(store.ok()) << store.status();
  const std::string value(1000, 'v');
  uint64_t most_in_memtables = 0;
  for (int b = 0; b < 200; ++b) {
    WriteBatch batch;
    for (int i = 0; i < 100; ++i) {
      batch.Put(ColumnFamily::kCatalog, Key().Int64(b * 100 + i).Release(), value);
    }
    ASSERT_TRUE((*store)->Write(std::move(batch)).ok());
    most_in_memtables = std::max(most_in_memtables, (*store)->Stats().memtable_bytes);
  }
  EXPECT_GT((*store)->Stats().live_sst_bytes, 0u);
  EXPECT_LT(most_in_memtables, options.memtable_bytes + (uint64_t{1} << 20));
}

TEST(StoreTest, SecondOpenOfSameDirectoryFails) {
  TempDir dir;
  auto store = OpenStore(dir.Sub("db"));
  StoreOptions options;
  options.path = dir.Sub("db");
  absl::StatusOr<std::unique_ptr<Store>> second = Store::Open(options);
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition) << second.status();
}

TEST(StoreTest, OpenMissingWithoutCreateFails) {
  TempDir dir;
  StoreOptions options;
  options.path = dir.Sub("absent");
  options.create_if_missing = false;
  EXPECT_FALSE(Store::Open(options).ok());
}

TEST(CollectionTest, ScansRecordsAfterAnId) {
  TempDir dir;
  auto store = OpenStore(dir.Sub("db"));
  Collection a(ColumnFamily::kCatalog, "a");
  Collection ab(ColumnFamily::kCatalog, "ab");
  WriteBatch batch;
  for (const char* id : {"x", "y", "x-1", "z"})
    batch.Put(ColumnFamily::kCatalog, a.RecordKey(id), id);
  batch.Put(ColumnFamily::kCatalog, ab.RecordKey("w"), "other collection");
  ASSERT_TRUE(store->Write(std::move(batch)).ok());
  std::vector<std::string> ids;
  ASSERT_TRUE(a.Scan(*store, "", nullptr, [&](absl::string_view id, absl::string_view) {
                 ids.emplace_back(id);
                 return true;
               }).ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"x", "x-1", "y", "z"}));
  ids.clear();
  ASSERT_TRUE(a.Scan(*store, "x", nullptr, [&](absl::string_view id, absl::string_view) {
                 ids.emplace_back(id);
                 return true;
               }).ok());
  EXPECT_EQ(ids, (std::vector<std::string>{"x-1", "y", "z"}));
}

}  // namespace
}  // namespace regenatlas::storage
