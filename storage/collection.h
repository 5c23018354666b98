#ifndef REGENATLAS_STORAGE_COLLECTION_H_
#define REGENATLAS_STORAGE_COLLECTION_H_

#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message_lite.h"
#include "storage/store.h"

namespace regenatlas::storage {

// The records of one kind, stored as serialized protobuf messages in a
// column family under Key().String(collection).String(id). Holds no state
// but its location; reads go to a Store, writes into a WriteBatch so that a
// record and its index entries commit together.
class Collection {
 public:
  Collection(ColumnFamily cf, std::string collection);

  ColumnFamily cf() const { return cf_; }
  std::string RecordKey(absl::string_view id) const;

  // Reads record `id` into `out`: true when found, false when absent,
  // DATA_LOSS when the stored bytes do not parse.
  absl::StatusOr<bool> Get(const Store& store, absl::string_view id,
                           google::protobuf::MessageLite* out,
                           const Snapshot* snapshot = nullptr) const;
  void Put(WriteBatch& batch, absl::string_view id,
           const google::protobuf::MessageLite& record) const;
  // Put of a record already serialized (a writer that needs the bytes
  // twice serializes once).
  void PutSerialized(WriteBatch& batch, absl::string_view id, std::string serialized) const;
  void Delete(WriteBatch& batch, absl::string_view id) const;

  // Calls fn(id, serialized) for records with id > after_id, in id order,
  // until fn returns false.
  absl::Status Scan(
      const Store& store, absl::string_view after_id, const Snapshot* snapshot,
      absl::FunctionRef<bool(absl::string_view id, absl::string_view serialized)> fn) const;

 private:
  ColumnFamily cf_;
  std::string collection_;
  std::string prefix_;
};

}  // namespace regenatlas::storage

#endif  // REGENATLAS_STORAGE_COLLECTION_H_
