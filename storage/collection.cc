#include "storage/collection.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/key.h"

namespace regenatlas::storage {

Collection::Collection(ColumnFamily cf, std::string collection)
    : cf_(cf), collection_(std::move(collection)), prefix_(Key().String(collection_).Release()) {}

std::string Collection::RecordKey(absl::string_view id) const {
  return Key().String(collection_).String(id).Release();
}

absl::StatusOr<bool> Collection::Get(const Store& store, absl::string_view id,
                                     google::protobuf::MessageLite* out,
                                     const Snapshot* snapshot) const {
  absl::StatusOr<std::optional<std::string>> value = store.Get(cf_, RecordKey(id), snapshot);
  if (!value.ok()) return value.status();
  if (!value->has_value()) return false;
  if (!out->ParseFromString(**value)) {
    return absl::DataLossError(absl::StrCat("storage: record ", collection_, "/", id,
                                            " does not parse as ", out->GetTypeName()));
  }
  return true;
}

void Collection::Put(WriteBatch& batch, absl::string_view id,
                     const google::protobuf::MessageLite& record) const {
  batch.Put(cf_, RecordKey(id), record.SerializeAsString());
}

void Collection::PutSerialized(WriteBatch& batch, absl::string_view id,
                               std::string serialized) const {
  batch.Put(cf_, RecordKey(id), std::move(serialized));
}

void Collection::Delete(WriteBatch& batch, absl::string_view id) const {
  batch.Delete(cf_, RecordKey(id));
}

absl::Status Collection::Scan(
    const Store& store, absl::string_view after_id, const Snapshot* snapshot,
    absl::FunctionRef<bool(absl::string_view, absl::string_view)> fn) const {
  ScanRange range = ScanRange::Prefix(prefix_);
  if (!after_id.empty()) {
    // The smallest key after every key of `after_id` itself.
    range.start = Key::PrefixEnd(RecordKey(after_id));
  }
  absl::Status decode_error;
  absl::Status s =
      store.Scan(cf_, range, snapshot, [&](absl::string_view key, absl::string_view value) {
        KeyReader reader(key.substr(prefix_.size()));
        absl::StatusOr<std::string> id = reader.String();
        if (!id.ok()) {
          decode_error = absl::DataLossError(absl::StrCat("storage: bad key in ", collection_));
          return false;
        }
        return fn(*id, value);
      });
  if (!s.ok()) return s;
  return decode_error;
}

}  // namespace regenatlas::storage
