#ifndef REGENATLAS_STORAGE_STORE_H_
#define REGENATLAS_STORAGE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "storage/column_family.h"

namespace regenatlas::storage {

// How to open a Store.
struct StoreOptions {
  // Directory of the database; created when missing and create_if_missing.
  std::string path;
  bool create_if_missing = true;
  // fsync the write-ahead log before a write returns, so that a write
  // acknowledged to a client survives a crash or `kill -9`. Turning it off
  // trades that for throughput (bulk imports, tests).
  bool sync_writes = true;
  // One LRU cache of uncompressed data blocks shared by every column
  // family. Index and filter blocks stay with their open tables, outside
  // it: a large table's index block does not fit in one cache shard and
  // would be read again on every Get. Point reads use a Bloom filter per
  // table (tables written before it have none until compacted).
  size_t block_cache_bytes = 64 << 20;
  // All memtables of all column families together (a RocksDB
  // WriteBufferManager that stalls writes): past it the largest is flushed and
  // writes wait until the flushes bring them back under. Without it each
  // column family could hold two 64 MiB memtables, and a bulk import that
  // fills four of them reached 588 MB of RSS at 600K records.
  size_t memtable_bytes = 128 << 20;
  // Time source for change-log entries; injectable for tests.
  std::function<absl::Time()> clock = [] { return absl::Now(); };
};

// One entry of the change log: a record change committed by a WriteBatch.
struct Change {
  // Store-wide, strictly increasing in commit order, starting at 1.
  uint64_t seq = 0;
  // The stream the writer appended to ("catalog", "timeline", ...).
  std::string stream;
  absl::Time time;
  // Opaque to the store; the owning service's serialized change message.
  std::string payload;
};

// Work tied to the commit of one WriteBatch, run by Store::Write in the
// committing thread: BeforeCommit just before the write (e.g. taking the
// locks of in-memory indexes that must change atomically with it),
// AfterCommit(committed) just after it (applying or dropping the in-memory
// changes, releasing the locks). A hook of a batch that is never written is
// destroyed without being called.
class CommitHook {
 public:
  virtual ~CommitHook() = default;
  // Hooks run in ascending order of this key (then in the order added), so
  // that locks are always taken in one global order.
  virtual uintptr_t order() const = 0;
  virtual void BeforeCommit() = 0;
  virtual void AfterCommit(bool committed) = 0;
};

// A set of writes applied atomically by Store::Write: either all of them
// (records, their index entries and their change-log entries) or none.
class WriteBatch {
 public:
  void Put(ColumnFamily cf, std::string key, std::string value);
  void Delete(ColumnFamily cf, std::string key);
  // Deletes every key in [begin, end) of `cf` (one RocksDB range tombstone).
  void DeleteRange(ColumnFamily cf, std::string begin, std::string end);
  // Appends a change-log entry to `stream`; its sequence number is assigned
  // at commit.
  void AppendChange(std::string stream, std::string payload);

  bool empty() const { return ops_.empty() && changes_.empty(); }

  // Overrides StoreOptions::sync_writes for this batch. Bulk loads that can
  // be redone after a crash write unsynced and finish with a synced batch,
  // which makes everything before it durable too.
  void set_sync(bool sync) { sync_ = sync ? 1 : 0; }

  // The hook added with `owner`, or null. Owners add at most one hook each.
  CommitHook* FindHook(const void* owner) const;
  void AddHook(const void* owner, std::unique_ptr<CommitHook> hook);

 private:
  friend class Store;
  struct Op {
    enum class Kind { kPut, kDelete, kDeleteRange };
    Kind kind = Kind::kPut;
    ColumnFamily cf = ColumnFamily::kMeta;
    std::string key;
    std::string value;  // kDeleteRange: the end of the range
  };
  std::vector<Op> ops_;
  std::vector<std::pair<std::string, std::string>> changes_;
  int sync_ = -1;  // -1: the store's default
  std::vector<std::pair<const void*, std::unique_ptr<CommitHook>>> hooks_;
};

// A consistent point-in-time view for reads. Released when the last
// reference goes away.
class Snapshot {
 public:
  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

 private:
  friend class Store;
  struct Rep;
  explicit Snapshot(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

// Bounds of a scan: keys in [start, end). An empty `end` means unbounded.
struct ScanRange {
  std::string start;
  std::string end;
  bool reverse = false;
  // A one-off read of a whole range (an index load at start): its blocks
  // bypass the block cache, which keeps the blocks point reads want, and
  // are read ahead in large chunks.
  bool bulk = false;

  static ScanRange Prefix(absl::string_view prefix);
};

// Point-in-time figures of the database for metrics; all zero once the
// store is closed. Sums over every column family.
struct StoreStats {
  uint64_t live_sst_bytes = 0;           // rocksdb.live-sst-files-size
  uint64_t memtable_bytes = 0;           // rocksdb.cur-size-all-mem-tables
  uint64_t estimated_keys = 0;           // rocksdb.estimate-num-keys
  uint64_t block_cache_usage_bytes = 0;  // rocksdb.block-cache-usage
  uint64_t block_cache_capacity_bytes = 0;
  uint64_t block_cache_pinned_bytes = 0;
  uint64_t pending_compaction_bytes = 0;  // rocksdb.estimate-pending-compaction-bytes
  uint64_t running_compactions = 0;
  uint64_t running_flushes = 0;
  bool write_stopped = false;          // writes stopped by a stall right now
  uint64_t delayed_write_rate = 0;     // bytes/s while writes are slowed; else 0
  uint64_t write_stall_stops = 0;      // cumulative stall events (stops)
  uint64_t write_stall_slowdowns = 0;  // cumulative slowdown events
  uint64_t last_seq = 0;               // LastChangeSeq()
};

// The one RocksDB database of a process (or of a service in split mode):
// typed column families, atomic batches, snapshot reads, scans, a change log
// and checkpoints. Thread-safe. RocksDB status is converted to absl::Status
// inside; no RocksDB type appears in this interface.
// While one lives on a thread, that thread's Store reads (Get, Scan) are
// answered from memory only — memtables and the block cache, RocksDB's
// kBlockCacheTier: a read that would wait for the disk fails with
// UNAVAILABLE instead, and blocked() turns true. Lets a gRPC reaction try a
// point read without ever blocking, and hand the call to the executor when
// it cannot (common/rpc.h RunUnaryInline). Scopes nest.
class ScopedMemoryOnlyReads {
 public:
  ScopedMemoryOnlyReads();
  ~ScopedMemoryOnlyReads();
  ScopedMemoryOnlyReads(const ScopedMemoryOnlyReads&) = delete;
  ScopedMemoryOnlyReads& operator=(const ScopedMemoryOnlyReads&) = delete;

  // A read in this scope needed the disk and failed.
  bool blocked() const;

 private:
  bool previous_active_;
  bool previous_blocked_;
};

class Store {
 public:
  // Opens (or creates) the database at options.path with every column family.
  // FAILED_PRECONDITION when another process holds the directory.
  static absl::StatusOr<std::unique_ptr<Store>> Open(StoreOptions options);

  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // The value at `key`, or nullopt when absent.
  absl::StatusOr<std::optional<std::string>> Get(ColumnFamily cf, absl::string_view key,
                                                 const Snapshot* snapshot = nullptr) const;

  // Applies `batch` atomically and durably (see StoreOptions::sync_writes).
  // Returns the store's last change sequence number after the write.
  absl::StatusOr<uint64_t> Write(WriteBatch batch);

  std::shared_ptr<const Snapshot> NewSnapshot() const;

  // Calls fn(key, value) for the keys of `range` in order (reverse order
  // when range.reverse) until fn returns false.
  absl::Status Scan(
      ColumnFamily cf, const ScanRange& range, const Snapshot* snapshot,
      absl::FunctionRef<bool(absl::string_view key, absl::string_view value)> fn) const;

  // The sequence number of the last committed change (0 when none).
  uint64_t LastChangeSeq() const;

  // Up to `limit` changes of `stream` with seq > after_seq, in order.
  absl::StatusOr<std::vector<Change>> ReadChanges(absl::string_view stream, uint64_t after_seq,
                                                  size_t limit) const;

  // Blocks until a change with seq > after_seq is committed or `timeout`
  // passes; returns LastChangeSeq(). Never blocks writers.
  uint64_t WaitForChange(uint64_t after_seq, absl::Duration timeout) const;

  // Calls `listener(seq)` after every commit that appended change-log
  // entries, with the store's last sequence number, in the committing
  // thread. It must be quick and must not block or write (change streams
  // use it to wake their readers). Returns an id for RemoveChangeListener.
  uint64_t AddChangeListener(std::function<void(uint64_t seq)> listener);
  // When this returns, the listener is neither running nor called again.
  void RemoveChangeListener(uint64_t id);

  // Figures for metrics (cheap: in-memory properties only).
  StoreStats Stats() const;

  // Writes a consistent, openable copy of the database into `dir`, which
  // must not exist yet.
  absl::Status Checkpoint(const std::string& dir) const;

  // Flushes memtables to disk files.
  absl::Status Flush();

  // Flushes and closes; later calls fail with FAILED_PRECONDITION. Also done
  // by the destructor.
  absl::Status Close();

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace regenatlas::storage

#endif  // REGENATLAS_STORAGE_STORE_H_
