#ifndef REGENATLAS_COMMON_RESOURCE_TABLE_H_
#define REGENATLAS_COMMON_RESOURCE_TABLE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/table_index.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "regenatlas/common/v1/common.pb.h"
#include "storage/collection.h"
#include "storage/store.h"

namespace regenatlas {

// Where a resource kind lives and how it is indexed.
struct ResourceTableOptions {
  // Collection id in resource names, e.g. "sources" for "sources/{id}".
  std::string collection;
  // The resource's field in its requests ("price_point": CreatePricePoint's
  // id is `price_point_id`, UpdatePricePoint's record `price_point`); named
  // in errors. Empty: the snake_case of the message type (PricePoint →
  // price_point), which is what AIP request messages use.
  std::string resource_field;
  // Record column family and index column family of the owning service.
  storage::ColumnFamily records_cf = storage::ColumnFamily::kCatalog;
  storage::ColumnFamily index_cf = storage::ColumnFamily::kCatalogIndex;
  // Change-log stream of the owning service.
  std::string change_stream;
  std::function<absl::Time()> clock = [] { return absl::Now(); };
  // The query engine's in-memory index of the table (common/table_index.h):
  // the record's postings, which of their fields are kept as bitmaps, and
  // the order_by fields kept as sort columns with a record's sort key.
  std::function<std::vector<Posting>(const google::protobuf::Message&)> postings;
  std::vector<std::string> memory_fields;
  std::vector<std::string> order_fields;
  std::function<std::string(const google::protobuf::Message&, const std::string&)> sort_key;
  // Bump when postings or sort keys change meaning (rebuilds the index).
  int index_version = 1;
  // Page selection thresholds (TableIndexOptions; tests lower them).
  uint64_t index_sort_below = 4096;
  uint64_t index_sort_share = 16;
  // Limits of the kept counts (TableIndexOptions; tests lower them).
  size_t index_max_counters = 8;
  size_t index_max_counter_groups = 16384;
};

// Standard methods over one protobuf resource type, untyped: records are
// google::protobuf::Message with string fields `name` and `etag` and
// Timestamp fields `create_time` / `update_time`. Every write commits the
// record, its secondary-index entries and a change-log entry in one
// WriteBatch, after validation; a failed call writes nothing.
//
// Validation and indexing belong to the owning domain class and come in as
// functions: `validate` returns INVALID_ARGUMENT naming the field (and may
// check references); `index_keys` returns the index-CF keys of a record.
class ResourceTableBase {
 public:
  using Validator = std::function<absl::Status(const google::protobuf::Message&)>;
  using Indexer = std::function<std::vector<std::string>(const google::protobuf::Message&)>;

  // What a write hook sees: the record before (null on create) and after
  // (null on delete) the write, and the batch the write will commit.
  struct WriteContext {
    absl::string_view id;
    const google::protobuf::Message* old_record = nullptr;
    // The hook may set output-only (derived) fields here.
    google::protobuf::Message* new_record = nullptr;
    storage::WriteBatch* batch = nullptr;
  };
  // Runs under the write lock after validation, before the write is staged:
  // derives output-only fields, refuses deletes of referenced records
  // (FAILED_PRECONDITION), and stages dependent writes (other records'
  // derived fields, data-quality entries) into the same batch.
  using WriteHook = std::function<absl::Status(WriteContext&)>;
  void set_write_hook(WriteHook hook) { write_hook_ = std::move(hook); }

  // Checks references held in another service (a remote call, which may
  // wait). Runs on the record to be written BEFORE the write lock is taken,
  // so that one slow or unreachable service never stalls every writer; the
  // record is validated again under the lock.
  void set_reference_check(Validator check) { reference_check_ = std::move(check); }

  // `store` is not owned and must outlive the table. `write_mu` serialises
  // the read-check-write sequences of the owning service (shared by its
  // tables so that cross-resource checks see a stable state).
  // `prototype` is an instance of the record type (for index rebuilds).
  // Loads (or rebuilds) the table's index; a failure is returned by every
  // later list and write.
  ResourceTableBase(storage::Store* store, absl::Mutex* write_mu, ResourceTableOptions options,
                    Validator validate, Indexer index_keys,
                    const google::protobuf::Message* prototype);

  const std::string& collection() const { return options_.collection; }
  const std::string& resource_field() const { return options_.resource_field; }
  std::string NameOf(absl::string_view id) const {
    return absl::StrCat(options_.collection, "/", id);
  }
  // The id of a resource name of this collection, or INVALID_ARGUMENT naming `field`.
  absl::StatusOr<std::string> IdOf(absl::string_view name, absl::string_view field) const;

  absl::Status CreateRaw(absl::string_view id, google::protobuf::Message* record,
                         absl::string_view origin);
  // NOT_FOUND when absent.
  absl::Status GetRaw(absl::string_view name, google::protobuf::Message* out,
                      const storage::Snapshot* snapshot = nullptr) const;
  // False when absent; no NOT_FOUND error.
  absl::StatusOr<bool> FindRaw(absl::string_view id, google::protobuf::Message* out,
                               const storage::Snapshot* snapshot = nullptr) const;
  // Applies `patch` to the stored record: the paths of `mask`, or every
  // field set in `patch` when the mask is empty. Output-only fields (name,
  // etag, create/update time) cannot be changed. ABORTED when patch's etag
  // is set and differs. Returns the updated record in `out`.
  absl::Status UpdateRaw(const google::protobuf::Message& patch,
                         const google::protobuf::FieldMask& mask, absl::string_view origin,
                         google::protobuf::Message* out);
  // Writes `record` (already complete, named) whether or not it exists:
  // used by dataset loading and imports. Unchanged content writes nothing
  // and returns false.
  // `sync` false skips the fsync (see WriteBatch::set_sync).
  absl::StatusOr<bool> UpsertRaw(google::protobuf::Message* record, absl::string_view origin,
                                 bool sync = true);
  // `current` receives the deleted record (its type tells the stored type).
  absl::Status DeleteRaw(absl::string_view name, absl::string_view etag, absl::string_view origin,
                         google::protobuf::Message* current);
  // The records named by `names` in request order, all read from one
  // snapshot (a consistent set while writes go on). INVALID_ARGUMENT over
  // kMaxPageSize names or naming `names[i]` for a malformed name, NOT_FOUND
  // naming the first missing one. `add` returns where the next record goes.
  absl::Status BatchGetRaw(const google::protobuf::RepeatedPtrField<std::string>& names,
                           const std::function<google::protobuf::Message*()>& add) const;
  // Calls fn for every record in id order until it returns false.
  absl::Status ScanAll(
      const storage::Snapshot* snapshot,
      const std::function<bool(absl::string_view id, absl::string_view bytes)>& fn) const;

  // Appends the writes that replace `old_record` (may be null) by `record`
  // (may be null, for a deletion) to `batch`: the record, the index entries
  // that changed and a change-log entry.
  void StageWrite(storage::WriteBatch& batch, absl::string_view id,
                  const google::protobuf::Message* old_record,
                  const google::protobuf::Message* record, common::v1::ChangeKind kind,
                  absl::string_view origin, const std::vector<std::string>& changed_fields) const;

  storage::Store* store() const { return store_; }
  absl::Mutex* write_mu() const { return write_mu_; }
  // The table's query-engine index.
  const TableIndex& index() const { return *index_; }
  const ResourceTableOptions& options() const { return options_; }

 private:
  storage::Store* const store_;
  absl::Mutex* const write_mu_;
  const ResourceTableOptions options_;
  const storage::Collection records_;
  const Validator validate_;
  const Indexer index_keys_;
  WriteHook write_hook_;
  Validator reference_check_;
  std::unique_ptr<TableIndex> index_;
};

// Typed face of ResourceTableBase for resource message T.
template <typename T>
class ResourceTable : public ResourceTableBase {
 public:
  using TypedValidator = std::function<absl::Status(const T&)>;
  using TypedIndexer = std::function<std::vector<std::string>(const T&)>;

  ResourceTable(storage::Store* store, absl::Mutex* write_mu, ResourceTableOptions options,
                TypedValidator validate, TypedIndexer index_keys = nullptr)
      : ResourceTableBase(
            store, write_mu, std::move(options),
            [validate](const google::protobuf::Message& m) {
              return validate ? validate(static_cast<const T&>(m)) : absl::OkStatus();
            },
            [index_keys](const google::protobuf::Message& m) {
              return index_keys ? index_keys(static_cast<const T&>(m)) : std::vector<std::string>();
            },
            &T::default_instance()) {}

  absl::StatusOr<T> Create(absl::string_view id, T record, absl::string_view origin = "api") {
    absl::Status s = CreateRaw(id, &record, origin);
    if (!s.ok()) return s;
    return record;
  }
  absl::StatusOr<T> Get(absl::string_view name, const storage::Snapshot* snapshot = nullptr) const {
    T out;
    absl::Status s = GetRaw(name, &out, snapshot);
    if (!s.ok()) return s;
    return out;
  }
  absl::StatusOr<T> Update(const T& patch, const google::protobuf::FieldMask& mask,
                           absl::string_view origin = "api") {
    T out;
    absl::Status s = UpdateRaw(patch, mask, origin, &out);
    if (!s.ok()) return s;
    return out;
  }
  absl::Status Delete(absl::string_view name, absl::string_view etag,
                      absl::string_view origin = "api") {
    T current;
    return DeleteRaw(name, etag, origin, &current);
  }
  absl::StatusOr<std::vector<T>> BatchGet(
      const google::protobuf::RepeatedPtrField<std::string>& names) const {
    std::vector<T> out;
    out.reserve(names.size());
    absl::Status s = BatchGetRaw(names, [&out]() { return &out.emplace_back(); });
    if (!s.ok()) return s;
    return out;
  }
};

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_RESOURCE_TABLE_H_
