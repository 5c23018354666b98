#ifndef REGENATLAS_STORAGE_ROCKSDB_STATUS_H_
#define REGENATLAS_STORAGE_ROCKSDB_STATUS_H_

// Internal to storage/: not installed, not included outside this directory.

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rocksdb/status.h"

namespace regenatlas::storage {

// The one place RocksDB status becomes absl::Status. `what` names the
// operation for the message.
absl::Status FromRocksStatus(const rocksdb::Status& s, absl::string_view what);

}  // namespace regenatlas::storage

#endif  // REGENATLAS_STORAGE_ROCKSDB_STATUS_H_
