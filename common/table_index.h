#ifndef REGENATLAS_COMMON_TABLE_INDEX_H_
#define REGENATLAS_COMMON_TABLE_INDEX_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "google/protobuf/message.h"
#include "roaring/roaring.hh"
#include "storage/store.h"

namespace regenatlas {

// A set of records of one table, by dense record id.
using Bitmap = Roaring;

// Grouped counts: the values of the grouping fields → number of records.
using GroupCounts = std::map<std::vector<std::string>, int>;

// One filterable (field, value) of a record. Ordered fields carry `number`
// and are stored int64-encoded so that <, <=, >, >= are range scans.
struct Posting {
  Posting(std::string f, std::string v) : field(std::move(f)), value(std::move(v)) {}
  Posting(std::string f, std::string v, int64_t n)
      : field(std::move(f)), value(std::move(v)), number(n) {}

  std::string field;
  std::string value;
  std::optional<int64_t> number;
};

// How a table is indexed in memory (see TableIndex).
struct TableIndexOptions {
  std::string collection;
  storage::ColumnFamily records_cf = storage::ColumnFamily::kCatalog;
  storage::ColumnFamily index_cf = storage::ColumnFamily::kCatalogIndex;
  // The postings of a record (the same the table writes as index keys).
  std::function<std::vector<Posting>(const google::protobuf::Message&)> postings;
  // Posting fields kept as in-memory bitmaps: the low-cardinality facets that
  // filters, counts and joins use. Other fields are matched from the
  // posting keys in RocksDB (selective fields such as registry ids).
  std::vector<std::string> memory_fields;
  // order_by fields kept as in-memory sort columns, and a record's sort key
  // for each (keys compare bytewise in ascending order). Other order fields
  // read the matching records to sort them.
  std::vector<std::string> order_fields;
  std::function<std::string(const google::protobuf::Message&, const std::string&)> sort_key;
  // Bump when `postings` or `sort_key` change meaning: the persisted index
  // is then rebuilt from the records at the next start.
  int version = 1;
  // A page is chosen by sorting the matches when there are at most
  // `sort_below` of them or at most 1/`sort_share` of the table; otherwise
  // by walking the sort order (about sort_share * page_size steps).
  uint64_t sort_below = 4096;
  uint64_t sort_share = 16;
  // Counts of the whole table kept by the commits (TableIndex::CountAll):
  // at most `max_counters` groupings of at most `max_counter_groups`
  // groups each.
  size_t max_counters = 8;
  size_t max_counter_groups = 16384;
};

// The query engine's index of one ResourceTable: dense uint32 record ids,
// a roaring bitmap per (memory field, value), a sort column per order field
// and the name order, all in memory.
//
// Persistence: each record has one compact row (dense id, record id, its
// memory postings and sort keys) in the index column family, staged by
// Stage() into the record's own WriteBatch, plus a meta key (format version,
// next dense id). Load() reads the rows at start; when the meta key is
// missing or of another version it rebuilds everything from the records
// (logged). Rows commit with their records, so the index survives kill -9.
//
// Concurrency: Stage() and commits are serialised by the owning service's
// write mutex. A commit applies its changes under the exclusive lock of
// every index it touches, held across the RocksDB write (a CommitHook), so a
// reader that holds the shared lock (IndexReadLock) and takes a snapshot
// sees records exactly as the index does.
class TableIndex {
 public:
  TableIndex(storage::Store* store, TableIndexOptions options,
             const google::protobuf::Message* prototype);
  ~TableIndex();
  TableIndex(const TableIndex&) = delete;
  TableIndex& operator=(const TableIndex&) = delete;

  // Loads the persisted index, or rebuilds it from the records. Call once,
  // before the index is shared (ResourceTableBase's constructor does).
  absl::Status Load();
  // OK once loaded; the error of Load otherwise.
  absl::Status status() const { return status_; }
  const TableIndexOptions& options() const { return options_; }

  // Stages into `batch` the index changes that replace `old_record` (null on
  // create) by `record` (null on delete) for record `id`. Applied in memory
  // when the batch commits; dropped with the batch otherwise.
  void Stage(storage::WriteBatch& batch, absl::string_view id,
             const google::protobuf::Message* old_record, const google::protobuf::Message* record);

  // ---- Reads: the caller holds mu() shared (IndexReadLock). ----
  absl::Mutex& mu() const { return mu_; }
  const Bitmap& all() const { return all_; }
  size_t size() const { return all_.cardinality(); }
  bool IsMemoryField(absl::string_view field) const;
  bool IsOrderField(absl::string_view field) const;
  // The record id of a dense id ("" when free).
  const std::string& IdOf(uint32_t dense) const { return keys_[dense]; }
  std::optional<uint32_t> DenseOf(absl::string_view id) const;
  // Records with string posting (field, value) / int posting in [low, high]
  // (bounds optional) / any posting of `field`; memory fields only.
  Bitmap Equal(absl::string_view field, absl::string_view value) const;
  Bitmap StringRange(absl::string_view field, std::optional<std::string> low, bool low_open,
                     std::optional<std::string> high, bool high_open) const;
  Bitmap IntRange(absl::string_view field, std::optional<int64_t> low,
                  std::optional<int64_t> high) const;
  Bitmap AnyValue(absl::string_view field) const;
  // Every value of a memory field with its records; ints as decimal text.
  std::vector<std::pair<std::string, const Bitmap*>> Values(absl::string_view field) const;

  // A record's entry in a ValueColumn when it has no value of the field.
  static constexpr uint16_t kNoColumnValue = 0xffff;
  // The values of a single-valued memory field as a column by dense id: the
  // position of the record's value in Values(field), or kNoColumnValue.
  // Null when some record has two values of the field (or it has 0xffff
  // values or more). Built by the first caller after a commit changed the
  // index and kept until the next one, so grouped counts over a read-mostly
  // table do not rebuild it per call; valid while mu() is held.
  std::shared_ptr<const std::vector<uint16_t>> ValueColumn(absl::string_view field) const;

  // The grouped counts of the whole table by one or two memory fields (as
  // CountGroups gives them for matches == all()), from counters that every
  // commit keeps up to date once a grouping has been asked for: the first
  // call per grouping (and the first after a load or rebuild) counts from
  // the bitmaps, later calls copy the counters, whatever the table's size.
  // At most options().max_counters groupings of at most
  // options().max_counter_groups groups each are kept (least recently used
  // first out); a larger grouping is counted from the bitmaps on every
  // call. Caller holds mu() shared.
  // The counts are shared, not copied: a commit that changes counts a
  // reader still holds changes a copy of them.
  std::shared_ptr<const GroupCounts> CountAll(const std::vector<std::string>& fields) const;
  // Groupings whose counters are kept, and how many times a counter was
  // counted from the bitmaps (for tests and metrics).
  size_t counters() const;
  uint64_t counter_builds() const;

  // One result of SelectPage.
  struct Entry {
    uint32_t dense = 0;
    std::vector<const std::string*> keys;  // sort keys of the order terms
  };
  // One order_by term; "name" orders by record id.
  struct OrderTerm {
    std::string field;
    bool descending = false;
  };
  // The first `limit` records of `matches` in `order` (in-memory order
  // fields and "name" only) strictly after `after` (sort keys of the order
  // terms then the record id; nullopt = from the start). Reads no record.
  std::vector<Entry> SelectPage(
      const Bitmap& matches, const std::vector<OrderTerm>& order,
      const std::optional<std::pair<std::vector<std::string>, std::string>>& after,
      size_t limit) const;

 private:
  class Commit;
  struct Change;
  struct Field {
    std::map<std::string, Bitmap, std::less<>> strings;
    std::map<int64_t, Bitmap> ints;
  };
  struct Order {
    std::map<std::string, Bitmap, std::less<>> buckets;
    std::vector<const std::string*> column;  // by dense id
  };
  // Hash and equality of dense ids by their record id, with lookups by id.
  struct IdHash {
    using is_transparent = void;
    const std::vector<std::string>* keys;
    size_t operator()(uint32_t d) const;
    size_t operator()(absl::string_view id) const;
  };
  struct IdEq {
    using is_transparent = void;
    const std::vector<std::string>* keys;
    bool operator()(uint32_t a, uint32_t b) const { return a == b; }
    bool operator()(uint32_t a, absl::string_view b) const { return (*keys)[a] == b; }
    bool operator()(absl::string_view a, uint32_t b) const { return a == (*keys)[b]; }
  };
  struct NameLess {
    using is_transparent = void;
    const std::vector<std::string>* keys;
    bool operator()(uint32_t a, uint32_t b) const { return (*keys)[a] < (*keys)[b]; }
    bool operator()(uint32_t a, absl::string_view b) const { return (*keys)[a] < b; }
    bool operator()(absl::string_view a, uint32_t b) const { return a < (*keys)[b]; }
  };
  // A record's in-memory terms: (field index, posting) for memory fields,
  // then one sort key per order field.
  struct Terms {
    std::vector<std::pair<int, Posting>> postings;
    std::vector<std::string> sort_keys;
  };

  Terms TermsOf(const google::protobuf::Message& record) const;
  std::string RowKey(uint32_t dense) const;
  std::string MetaKey() const;
  std::string EncodeMeta() const;
  std::string EncodeRow(absl::string_view id, const Terms& terms) const;
  bool DecodeRow(absl::string_view value, std::string* id, Terms* terms) const;
  void Add(uint32_t dense, const std::string& id, const Terms& terms);
  // Load's bulk path (table_index_load.cc): LoadRow collects one persisted
  // row (false when malformed), FinishLoad builds the index from them all.
  struct BulkLoad;
  bool LoadRow(BulkLoad& load, uint32_t dense, absl::string_view row);
  void FinishLoad(BulkLoad& load);
  void Remove(uint32_t dense, const Terms& terms);
  // Adds `delta` to every counter's groups of a record with `terms`
  // (table_index_counts.cc); part of Add and Remove.
  void UpdateCounters(const Terms& terms, int delta);
  absl::Status Rebuild(absl::string_view why);
  void Clear();
  const Field* FieldOf(absl::string_view field) const;

  storage::Store* const store_;
  const TableIndexOptions options_;
  const google::protobuf::Message* const prototype_;
  std::string prefix_;  // of this table's rows and meta in index_cf
  uint64_t fingerprint_ = 0;
  absl::Status status_;

  mutable absl::Mutex mu_;
  // Under the owning service's write mutex only (staging).
  uint32_t next_dense_ = 0;
  // Under mu_ (written exclusively by commits).
  std::vector<std::string> keys_;
  absl::flat_hash_set<uint32_t, IdHash, IdEq> dense_;
  Bitmap all_;
  absl::btree_set<uint32_t, NameLess> by_name_;
  std::vector<Field> fields_;  // by index in options_.memory_fields
  std::vector<Order> orders_;  // by index in options_.order_fields
  // Bumped by every change of the in-memory index (under mu_ exclusive).
  uint64_t generation_ = 0;

  // ValueColumn's columns, by index in options_.memory_fields. Readers
  // share mu_, so the columns have their own lock.
  struct ValueColumnCache {
    bool built = false;
    uint64_t generation = 0;
    std::shared_ptr<const std::vector<uint16_t>> column;  // null: multi-valued
  };
  mutable absl::Mutex columns_mu_;
  mutable std::vector<ValueColumnCache> columns_ ABSL_GUARDED_BY(columns_mu_);

  // CountAll's counters. Readers build and evict them under counters_mu_
  // while sharing mu_; commits update them while holding mu_ exclusively,
  // which already keeps every reader out. A counter whose generation is
  // not generation_ missed a change (a load or rebuild) and is rebuilt.
  struct Counter {
    std::vector<int> fields;  // indexes in options_.memory_fields
    uint64_t generation = 0;
    uint64_t last_used = 0;
    std::shared_ptr<GroupCounts> groups;
  };
  mutable absl::Mutex counters_mu_;
  mutable std::vector<Counter> counters_ ABSL_GUARDED_BY(counters_mu_);
  mutable uint64_t counter_uses_ ABSL_GUARDED_BY(counters_mu_) = 0;
  mutable uint64_t counter_builds_ ABSL_GUARDED_BY(counters_mu_) = 0;
};

// Counts of `matches` grouped by the values of one or two memory fields of
// `index` (caller holds its lock): every combination of values a record
// has counts once for it; "(none)" stands for a record without a value.
// From bitmap cardinalities only: no record is read.
// The group of records without a value of a field, in grouped counts.
inline constexpr char kNoGroupValue[] = "(none)";

// When `matches` is the whole table the counts come from the index's
// maintained counters (TableIndex::CountAll).
std::shared_ptr<const GroupCounts> CountGroups(const TableIndex& index, const Bitmap& matches,
                                               const std::vector<std::string>& fields);
// CountGroups from the bitmaps alone, never from the maintained counters.
GroupCounts CountGroupsFromBitmaps(const TableIndex& index, const Bitmap& matches,
                                   const std::vector<std::string>& fields);

// Shared locks on the indexes a read consults, taken in the global order,
// and the store snapshot taken while they are held: records read through
// snapshot() are exactly those the indexes describe. Release() drops the
// locks early (the snapshot stays valid).
class IndexReadLock {
 public:
  IndexReadLock(const storage::Store& store, std::vector<const TableIndex*> indexes);
  ~IndexReadLock();
  IndexReadLock(const IndexReadLock&) = delete;
  IndexReadLock& operator=(const IndexReadLock&) = delete;

  const storage::Snapshot* snapshot() const { return snapshot_.get(); }
  void Release();

 private:
  std::vector<const TableIndex*> indexes_;
  std::shared_ptr<const storage::Snapshot> snapshot_;
  bool held_ = false;
};

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_TABLE_INDEX_H_
