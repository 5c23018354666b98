#include "storage/store.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/options.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/checkpoint.h"
#include "rocksdb/write_batch.h"
#include "rocksdb/write_buffer_manager.h"
#include "storage/key.h"
#include "storage/rocksdb_status.h"

namespace regenatlas::storage {
namespace {

// Meta key holding the last change sequence number; written in the same
// batch as the change entries so that it never lags or leads them.
constexpr char kLastSeqKey[] = "changelog/last_seq";

std::string EncodeFixed64(uint64_t v) { return Key().Uint64(v).Release(); }

std::string ChangeKey(absl::string_view stream, uint64_t seq) {
  return Key().String(stream).Uint64(seq).Release();
}

}  // namespace

void WriteBatch::Put(ColumnFamily cf, std::string key, std::string value) {
  ops_.push_back({Op::Kind::kPut, cf, std::move(key), std::move(value)});
}

void WriteBatch::Delete(ColumnFamily cf, std::string key) {
  ops_.push_back({Op::Kind::kDelete, cf, std::move(key), {}});
}

void WriteBatch::DeleteRange(ColumnFamily cf, std::string begin, std::string end) {
  ops_.push_back({Op::Kind::kDeleteRange, cf, std::move(begin), std::move(end)});
}

void WriteBatch::AppendChange(std::string stream, std::string payload) {
  changes_.emplace_back(std::move(stream), std::move(payload));
}

CommitHook* WriteBatch::FindHook(const void* owner) const {
  for (const auto& [o, hook] : hooks_) {
    if (o == owner) return hook.get();
  }
  return nullptr;
}

void WriteBatch::AddHook(const void* owner, std::unique_ptr<CommitHook> hook) {
  hooks_.emplace_back(owner, std::move(hook));
}

ScanRange ScanRange::Prefix(absl::string_view prefix) {
  return ScanRange{std::string(prefix), Key::PrefixEnd(prefix), false};
}

struct Snapshot::Rep {
  rocksdb::DB* db = nullptr;
  const rocksdb::Snapshot* snapshot = nullptr;
};

Snapshot::Snapshot(std::unique_ptr<Rep> rep) : rep_(std::move(rep)) {}

Snapshot::~Snapshot() {
  if (rep_ && rep_->db && rep_->snapshot) rep_->db->ReleaseSnapshot(rep_->snapshot);
}

namespace {

// The thread's ScopedMemoryOnlyReads state.
struct MemoryOnlyReads {
  bool active = false;
  bool blocked = false;
};
thread_local MemoryOnlyReads t_memory_only;

}  // namespace

struct Store::Impl {
  StoreOptions options;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;  // by ColumnFamily
  // Serialises commits so that sequence numbers follow commit order.
  absl::Mutex write_mu;
  mutable absl::Mutex seq_mu;
  uint64_t last_seq ABSL_GUARDED_BY(seq_mu) = 0;
  mutable absl::Mutex listeners_mu;
  std::map<uint64_t, std::function<void(uint64_t)>> listeners ABSL_GUARDED_BY(listeners_mu);
  uint64_t next_listener ABSL_GUARDED_BY(listeners_mu) = 1;
  // Reads (Get, Scan, NewSnapshot, Checkpoint, Flush) run inside a Reading;
  // CloseDb() marks the store closed, then waits for the reads in progress,
  // so none uses the DB while it is closed and later ones fail. Writes are
  // serialised with Close() by write_mu. Sequentially consistent on purpose:
  // a reader's increment and the closer's flag cannot both go unseen.
  std::atomic<bool> closed{false};
  mutable std::atomic<int> reads{0};
  class Reading {
   public:
    explicit Reading(const Impl& impl) : impl_(impl) {
      impl_.reads.fetch_add(1);
      open_ = !impl_.closed.load();
    }
    ~Reading() { impl_.reads.fetch_sub(1); }
    Reading(const Reading&) = delete;
    Reading& operator=(const Reading&) = delete;
    bool open() const { return open_; }

   private:
    const Impl& impl_;
    bool open_;
  };

  rocksdb::ColumnFamilyHandle* cf(ColumnFamily c) const { return handles[static_cast<int>(c)]; }
  rocksdb::ReadOptions ReadOpts(const Snapshot* s) const {
    rocksdb::ReadOptions ro;
    if (s != nullptr) ro.snapshot = s->rep_->snapshot;
    if (t_memory_only.active) ro.read_tier = rocksdb::kBlockCacheTier;
    return ro;
  }
  absl::Status CloseDb() {
    if (closed.exchange(true)) return absl::OkStatus();
    while (reads.load() != 0) absl::SleepFor(absl::Milliseconds(1));
    absl::Status status = absl::OkStatus();
    rocksdb::FlushOptions fo;
    status.Update(FromRocksStatus(db->Flush(fo, handles), "flush on close"));
    for (auto* h : handles) {
      status.Update(FromRocksStatus(db->DestroyColumnFamilyHandle(h), "close column family"));
    }
    handles.clear();
    status.Update(FromRocksStatus(db->Close(), "close"));
    db.reset();
    return status;
  }
};

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Store::~Store() {
  if (impl_) impl_->CloseDb().IgnoreError();
}

absl::StatusOr<std::unique_ptr<Store>> Store::Open(StoreOptions options) {
  if (options.path.empty()) {
    return absl::InvalidArgumentError("storage: empty path");
  }
  rocksdb::DBOptions db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.create_missing_column_families = true;
  db_options.IncreaseParallelism(2);
  // A write buffer manager that stalls writes past the budget: with only
  // db_write_buffer_size the budget triggers a flush but writes go on, and
  // on a slow disk immutable memtables waiting for their flush piled up to
  // several budgets (CI measured 11 MB under a 2 MiB budget).
  db_options.write_buffer_manager = std::make_shared<rocksdb::WriteBufferManager>(
      std::max<size_t>(options.memtable_bytes, 1 << 20), /*cache=*/nullptr,
      /*allow_stall=*/true);
  // Without table options every column family got its own 8 MiB cache
  // and no filter: a point read at 600K trials missed the cache and
  // decompressed blocks on most calls (perf). Index and filter blocks in
  // the cache made it 10x slower still (see StoreOptions).
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = rocksdb::NewLRUCache(std::max<size_t>(options.block_cache_bytes, 1 << 20));
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, cf_options);
  for (absl::string_view name : kColumnFamilyNames) {
    descriptors.emplace_back(std::string(name), cf_options);
  }
  if (options.create_if_missing) {
    std::error_code ec;
    std::filesystem::create_directories(options.path, ec);
    if (ec) {
      return absl::FailedPreconditionError(
          absl::StrCat("storage: cannot create ", options.path, ": ", ec.message()));
    }
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  absl::Status s =
      FromRocksStatus(rocksdb::DB::Open(db_options, options.path, descriptors, &handles, &raw),
                      absl::StrCat("open ", options.path));
  if (!s.ok()) return s;

  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  impl->db.reset(raw);
  // handles[0] is "default", which we do not use.
  raw->DestroyColumnFamilyHandle(handles[0]);
  impl->handles.assign(handles.begin() + 1, handles.end());

  std::string last;
  rocksdb::Status rs =
      raw->Get(rocksdb::ReadOptions(), impl->cf(ColumnFamily::kMeta), kLastSeqKey, &last);
  if (rs.ok()) {
    KeyReader reader(last);
    absl::StatusOr<uint64_t> seq = reader.Uint64();
    if (!seq.ok()) return absl::DataLossError("storage: corrupt change-log sequence");
    absl::MutexLock lock(&impl->seq_mu);
    impl->last_seq = *seq;
  } else if (!rs.IsNotFound()) {
    return FromRocksStatus(rs, "read change-log sequence");
  }
  return std::unique_ptr<Store>(new Store(std::move(impl)));
}

namespace {

// RocksDB's answer to a read under kBlockCacheTier that needs the disk is
// Incomplete: that is the "would block" of ScopedMemoryOnlyReads.
absl::Status ReadStatus(const rocksdb::Status& s, absl::string_view what) {
  if (s.IsIncomplete() && t_memory_only.active) {
    t_memory_only.blocked = true;
    return absl::UnavailableError(
        absl::StrCat("storage: ", what, ": needs the disk (memory-only read)"));
  }
  return FromRocksStatus(s, what);
}

}  // namespace

ScopedMemoryOnlyReads::ScopedMemoryOnlyReads()
    : previous_active_(t_memory_only.active), previous_blocked_(t_memory_only.blocked) {
  t_memory_only.active = true;
  t_memory_only.blocked = false;
}

ScopedMemoryOnlyReads::~ScopedMemoryOnlyReads() {
  const bool blocked = t_memory_only.blocked;
  t_memory_only.active = previous_active_;
  t_memory_only.blocked = previous_blocked_ || (previous_active_ && blocked);
}

bool ScopedMemoryOnlyReads::blocked() const { return t_memory_only.blocked; }

absl::StatusOr<std::optional<std::string>> Store::Get(ColumnFamily cf, absl::string_view key,
                                                      const Snapshot* snapshot) const {
  Impl::Reading reading(*impl_);
  if (!reading.open()) return absl::FailedPreconditionError("storage: closed");
  std::string value;
  rocksdb::Status s = impl_->db->Get(impl_->ReadOpts(snapshot), impl_->cf(cf),
                                     rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return ReadStatus(s, "get");
  return std::optional<std::string>(std::move(value));
}

absl::StatusOr<uint64_t> Store::Write(WriteBatch batch) {
  absl::MutexLock write_lock(&impl_->write_mu);
  if (impl_->closed) return absl::FailedPreconditionError("storage: closed");
  rocksdb::WriteBatch wb;
  for (const WriteBatch::Op& op : batch.ops_) {
    if (op.cf == ColumnFamily::kChangeLog) {
      return absl::InvalidArgumentError("storage: the change log is written only by AppendChange");
    }
    rocksdb::Status s;
    switch (op.kind) {
      case WriteBatch::Op::Kind::kPut:
        s = wb.Put(impl_->cf(op.cf), op.key, op.value);
        break;
      case WriteBatch::Op::Kind::kDelete:
        s = wb.Delete(impl_->cf(op.cf), op.key);
        break;
      case WriteBatch::Op::Kind::kDeleteRange:
        s = wb.DeleteRange(impl_->cf(op.cf), op.key, op.value);
        break;
    }
    if (!s.ok()) return FromRocksStatus(s, "batch");
  }
  uint64_t seq;
  {
    absl::MutexLock lock(&impl_->seq_mu);
    seq = impl_->last_seq;
  }
  if (!batch.changes_.empty()) {
    const int64_t micros = absl::ToUnixMicros(impl_->options.clock());
    for (auto& [stream, payload] : batch.changes_) {
      ++seq;
      std::string value = Key().Int64(micros).Release();
      value.append(payload);
      wb.Put(impl_->cf(ColumnFamily::kChangeLog), ChangeKey(stream, seq), value);
    }
    wb.Put(impl_->cf(ColumnFamily::kMeta), kLastSeqKey, EncodeFixed64(seq));
  }
  rocksdb::WriteOptions wo;
  wo.sync = batch.sync_ < 0 ? impl_->options.sync_writes : batch.sync_ == 1;
  std::vector<CommitHook*> hooks;
  for (const auto& [owner, hook] : batch.hooks_) hooks.push_back(hook.get());
  std::stable_sort(hooks.begin(), hooks.end(), [](const CommitHook* a, const CommitHook* b) {
    return a->order() < b->order();
  });
  for (CommitHook* hook : hooks) hook->BeforeCommit();
  absl::Status s = FromRocksStatus(impl_->db->Write(wo, &wb), "write");
  // In reverse order, so that locks are released in the opposite order.
  for (auto it = hooks.rbegin(); it != hooks.rend(); ++it) (*it)->AfterCommit(s.ok());
  if (!s.ok()) return s;
  {
    absl::MutexLock lock(&impl_->seq_mu);
    impl_->last_seq = seq;
  }
  if (!batch.changes_.empty()) {
    absl::ReaderMutexLock lock(&impl_->listeners_mu);
    for (const auto& [id, listener] : impl_->listeners) listener(seq);
  }
  return seq;
}

uint64_t Store::AddChangeListener(std::function<void(uint64_t seq)> listener) {
  absl::MutexLock lock(&impl_->listeners_mu);
  const uint64_t id = impl_->next_listener++;
  impl_->listeners.emplace(id, std::move(listener));
  return id;
}

void Store::RemoveChangeListener(uint64_t id) {
  // The writer lock waits for listeners running under the reader lock.
  absl::MutexLock lock(&impl_->listeners_mu);
  impl_->listeners.erase(id);
}

std::shared_ptr<const Snapshot> Store::NewSnapshot() const {
  Impl::Reading reading(*impl_);
  auto rep = std::make_unique<Snapshot::Rep>();
  if (reading.open()) {  // else an empty snapshot: reads through it fail (closed)
    rep->db = impl_->db.get();
    rep->snapshot = impl_->db->GetSnapshot();
  }
  return std::shared_ptr<const Snapshot>(new Snapshot(std::move(rep)));
}

absl::Status Store::Scan(ColumnFamily cf, const ScanRange& range, const Snapshot* snapshot,
                         absl::FunctionRef<bool(absl::string_view, absl::string_view)> fn) const {
  Impl::Reading reading(*impl_);
  if (!reading.open()) return absl::FailedPreconditionError("storage: closed");
  rocksdb::ReadOptions ro = impl_->ReadOpts(snapshot);
  rocksdb::Slice lower(range.start), upper(range.end);
  ro.iterate_lower_bound = &lower;
  if (!range.end.empty()) ro.iterate_upper_bound = &upper;
  if (range.bulk) {
    // Filling the cache would evict every hot block for ones read once,
    // and grow the process by the cache's size at start.
    ro.fill_cache = false;
    ro.readahead_size = size_t{2} << 20;
  }
  std::unique_ptr<rocksdb::Iterator> it(impl_->db->NewIterator(ro, impl_->cf(cf)));
  if (range.reverse) {
    if (range.end.empty()) {
      it->SeekToLast();
    } else {
      it->SeekForPrev(range.end);
      // SeekForPrev lands on `end` itself when present; the range excludes it.
      if (it->Valid() && it->key() == rocksdb::Slice(range.end)) it->Prev();
    }
    for (; it->Valid(); it->Prev()) {
      if (!fn(absl::string_view(it->key().data(), it->key().size()),
              absl::string_view(it->value().data(), it->value().size())))
        break;
    }
  } else {
    for (it->Seek(range.start); it->Valid(); it->Next()) {
      if (!fn(absl::string_view(it->key().data(), it->key().size()),
              absl::string_view(it->value().data(), it->value().size())))
        break;
    }
  }
  return ReadStatus(it->status(), "scan");
}

uint64_t Store::LastChangeSeq() const {
  absl::MutexLock lock(&impl_->seq_mu);
  return impl_->last_seq;
}

absl::StatusOr<std::vector<Change>> Store::ReadChanges(absl::string_view stream, uint64_t after_seq,
                                                       size_t limit) const {
  std::vector<Change> out;
  if (limit == 0) return out;
  ScanRange range = ScanRange::Prefix(Key().String(stream).bytes());
  if (after_seq == UINT64_MAX) return out;
  range.start = ChangeKey(stream, after_seq + 1);
  absl::Status decode_error;
  absl::Status s =
      Scan(ColumnFamily::kChangeLog, range, nullptr,
           [&](absl::string_view key, absl::string_view value) {
             KeyReader kr(key);
             absl::StatusOr<std::string> name = kr.String();
             absl::StatusOr<uint64_t> seq = kr.Uint64();
             KeyReader vr(value);
             absl::StatusOr<int64_t> micros = vr.Int64();
             if (!name.ok() || !seq.ok() || !micros.ok()) {
               decode_error = absl::DataLossError("storage: corrupt change-log entry");
               return false;
             }
             out.push_back(Change{*seq, std::move(*name), absl::FromUnixMicros(*micros),
                                  std::string(vr.rest())});
             return out.size() < limit;
           });
  if (!s.ok()) return s;
  if (!decode_error.ok()) return decode_error;
  return out;
}

uint64_t Store::WaitForChange(uint64_t after_seq, absl::Duration timeout) const {
  absl::MutexLock lock(&impl_->seq_mu);
  auto ready = [&]() ABSL_SHARED_LOCKS_REQUIRED(impl_->seq_mu) {
    return impl_->last_seq > after_seq;
  };
  impl_->seq_mu.AwaitWithTimeout(absl::Condition(&ready), timeout);
  return impl_->last_seq;
}

StoreStats Store::Stats() const {
  StoreStats out;
  Impl::Reading reading(*impl_);
  if (!reading.open()) return out;
  rocksdb::DB* db = impl_->db.get();
  auto sum = [db](const std::string& property) {
    uint64_t v = 0;
    return db->GetAggregatedIntProperty(property, &v) ? v : 0;
  };
  out.live_sst_bytes = sum(rocksdb::DB::Properties::kLiveSstFilesSize);
  out.memtable_bytes = sum(rocksdb::DB::Properties::kCurSizeAllMemTables);
  out.estimated_keys = sum(rocksdb::DB::Properties::kEstimateNumKeys);
  out.block_cache_usage_bytes = sum(rocksdb::DB::Properties::kBlockCacheUsage);
  out.block_cache_capacity_bytes = sum(rocksdb::DB::Properties::kBlockCacheCapacity);
  out.block_cache_pinned_bytes = sum(rocksdb::DB::Properties::kBlockCachePinnedUsage);
  out.pending_compaction_bytes = sum(rocksdb::DB::Properties::kEstimatePendingCompactionBytes);
  uint64_t v = 0;
  // DB-wide properties (not per column family).
  if (db->GetIntProperty(rocksdb::DB::Properties::kNumRunningCompactions, &v)) {
    out.running_compactions = v;
  }
  if (db->GetIntProperty(rocksdb::DB::Properties::kNumRunningFlushes, &v)) {
    out.running_flushes = v;
  }
  if (db->GetIntProperty(rocksdb::DB::Properties::kIsWriteStopped, &v)) out.write_stopped = v != 0;
  if (db->GetIntProperty(rocksdb::DB::Properties::kActualDelayedWriteRate, &v)) {
    out.delayed_write_rate = v;
  }
  // Stall counters are per column family, in the cfstats map.
  for (rocksdb::ColumnFamilyHandle* cf : impl_->handles) {
    std::map<std::string, std::string> stats;
    if (!db->GetMapProperty(cf, rocksdb::DB::Properties::kCFStats, &stats)) continue;
    auto count = [&stats](const char* key) -> uint64_t {
      auto it = stats.find(key);
      return it == stats.end() ? 0 : std::strtoull(it->second.c_str(), nullptr, 10);
    };
    out.write_stall_stops += count("io_stalls.total_stop");
    out.write_stall_slowdowns += count("io_stalls.total_slowdown");
  }
  out.last_seq = LastChangeSeq();
  return out;
}

absl::Status Store::Checkpoint(const std::string& dir) const {
  Impl::Reading reading(*impl_);
  if (!reading.open()) return absl::FailedPreconditionError("storage: closed");
  rocksdb::Checkpoint* raw = nullptr;
  absl::Status s =
      FromRocksStatus(rocksdb::Checkpoint::Create(impl_->db.get(), &raw), "checkpoint");
  if (!s.ok()) return s;
  std::unique_ptr<rocksdb::Checkpoint> cp(raw);
  return FromRocksStatus(cp->CreateCheckpoint(dir), absl::StrCat("checkpoint to ", dir));
}

absl::Status Store::Flush() {
  Impl::Reading reading(*impl_);
  if (!reading.open()) return absl::FailedPreconditionError("storage: closed");
  return FromRocksStatus(impl_->db->Flush(rocksdb::FlushOptions(), impl_->handles), "flush");
}

absl::Status Store::Close() {
  absl::MutexLock write_lock(&impl_->write_mu);
  if (impl_->closed) return absl::FailedPreconditionError("storage: already closed");
  return impl_->CloseDb();
}

}  // namespace regenatlas::storage
