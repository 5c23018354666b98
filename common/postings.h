#ifndef REGENATLAS_COMMON_POSTINGS_H_
#define REGENATLAS_COMMON_POSTINGS_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/filter.h"
#include "common/resource_table.h"
#include "common/table_index.h"
#include "storage/store.h"

namespace regenatlas {

// Index keys: (collection, field, value | int64, id) → "". The first string
// component keeps collections apart inside one index column family.
std::string PostingKey(absl::string_view collection, const Posting& posting, absl::string_view id);
std::string PostingPrefix(absl::string_view collection, absl::string_view field);

// Index keys of a record's postings, deduplicated (for a ResourceTable indexer).
std::vector<std::string> PostingKeys(absl::string_view collection,
                                     const std::vector<Posting>& postings, absl::string_view id);

// Sorted ids with the string posting (collection, field, value).
absl::StatusOr<std::vector<std::string>> PostingIds(
    const storage::Store& store, storage::ColumnFamily index_cf, absl::string_view collection,
    absl::string_view field, absl::string_view value, const storage::Snapshot* snapshot);

// The query engine's filter evaluation over one table: each comparison is a
// bitmap of dense record ids, from the in-memory index for memory fields and
// from the posting keys in RocksDB (through the read's snapshot) for the
// others. Subclasses may intercept fields that need more than one list
// (joins, date periods) and delegate the rest. The caller holds the table
// index's shared lock (IndexReadLock) for the object's lifetime.
class IndexPostings {
 public:
  // For an int-encoded field, the int64 of a canonical filter value
  // (INVALID_ARGUMENT if it has none); nullopt for string-encoded fields.
  using IntEncoder = std::function<std::optional<absl::StatusOr<int64_t>>(
      const std::string& field, const std::string& value)>;

  // Nothing is owned; all must outlive this object.
  IndexPostings(const TableIndex* index, const storage::Store* store,
                storage::ColumnFamily index_cf, const storage::Snapshot* snapshot,
                IntEncoder int_encoder);
  virtual ~IndexPostings() = default;

  // Records whose `field` compares `op` to `value` (canonical; never kNe).
  virtual absl::StatusOr<Bitmap> Match(const std::string& field, const filter::FieldSpec& spec,
                                       filter::Op op, const std::string& value);
  // Every record of the table.
  virtual absl::StatusOr<Bitmap> All();

  // Records whose int posting `field` lies in [low, high] (either bound optional).
  absl::StatusOr<Bitmap> IntRange(const std::string& field, std::optional<int64_t> low,
                                  std::optional<int64_t> high);

  // Set operations of filter::EvaluateWith.
  static Bitmap Intersect(Bitmap a, const Bitmap& b) { return a &= b; }
  static Bitmap Union(Bitmap a, const Bitmap& b) { return a |= b; }
  static Bitmap Difference(Bitmap a, const Bitmap& b) { return a -= b; }

  const TableIndex& index() const { return *index_; }

 protected:
  const storage::Store* store() const { return store_; }
  const storage::Snapshot* snapshot() const { return snapshot_; }

 private:
  // Records with a posting key in `range` (fields not in memory).
  absl::StatusOr<Bitmap> ScanIds(const storage::ScanRange& range, bool is_int);

  const TableIndex* index_;
  const storage::Store* store_;
  storage::ColumnFamily index_cf_;
  const storage::Snapshot* snapshot_;
  IntEncoder int_encoder_;
};

// The records matching a resolved filter (every record for nullptr), with
// the semantics of filter::Evaluate.
absl::StatusOr<Bitmap> EvaluateFilter(const filter::Node* node, const filter::Schema& schema,
                                      IndexPostings& postings);

// filter::Postings over the postings of one record, to decide whether a
// single record (e.g. a change being streamed) matches a filter. Match and
// All return {"*"} (matches) or {} (does not).
class RecordPostings : public filter::Postings {
 public:
  explicit RecordPostings(std::vector<Posting> postings,
                          IndexPostings::IntEncoder int_encoder = nullptr);

  absl::StatusOr<std::vector<std::string>> Match(const std::string& field,
                                                 const filter::FieldSpec& spec, filter::Op op,
                                                 const std::string& value) override;
  absl::StatusOr<std::vector<std::string>> All() override;

  // Whether some int posting of `field` lies in [low, high].
  std::vector<std::string> IntRange(const std::string& field, std::optional<int64_t> low,
                                    std::optional<int64_t> high) const;

 private:
  std::vector<Posting> postings_;
  IndexPostings::IntEncoder int_encoder_;
};

// Sorted, deduplicated.
std::vector<std::string> SortedUnique(std::vector<std::string> ids);

// The parameters every List method shares.
struct ListQuery {
  int32_t page_size = 0;
  std::string page_token;
  std::string filter;
  std::string order_by;
};

// One page of a List call with the size of the whole result.
template <typename T>
struct ListResult {
  std::vector<T> items;
  std::string next_page_token;
  int total_size = 0;
};

// How a collection can be listed.
struct ListSpec {
  std::string collection;
  const filter::Schema* schema = nullptr;
  // Fields order_by accepts ("name" is always accepted).
  std::vector<std::string> order_fields;
  // Order used when order_by is empty (default: name).
  std::vector<filter::OrderTerm> default_order;
  // Sort key of a record for an order field; keys compare bytewise in the
  // wanted ascending order.
  std::function<std::string(const google::protobuf::Message&, const std::string& field)> sort_key;
};

// The untyped core of List: filter → bitmap through `postings`, order and
// page from the in-memory index under `lock`, which is released before the
// page's records are read from its snapshot (only those are read, except for
// order fields the index does not hold, which read the matching records to
// sort them). `emit` receives each record of the page (of `prototype`'s type).
absl::Status RunListRaw(const ResourceTableBase& table, const ListSpec& spec,
                        IndexPostings& postings, IndexReadLock& lock, const ListQuery& q,
                        const google::protobuf::Message& prototype,
                        const std::function<void(const google::protobuf::Message&)>& emit,
                        std::string* next_page_token, int* total_size);

// Filtered, ordered, paginated list of a ResourceTable. The page token is
// bound to the filter and order and holds the position of the last result,
// so pages stay consistent while records change.
template <typename T>
absl::StatusOr<ListResult<T>> RunList(const ResourceTable<T>& table, const ListSpec& spec,
                                      IndexPostings& postings, IndexReadLock& lock,
                                      const ListQuery& q) {
  ListResult<T> result;
  absl::Status s = RunListRaw(
      table, spec, postings, lock, q, T::default_instance(),
      [&result](const google::protobuf::Message& m) {
        result.items.push_back(static_cast<const T&>(m));
      },
      &result.next_page_token, &result.total_size);
  if (!s.ok()) return s;
  return result;
}

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_POSTINGS_H_
