#include "storage/rocksdb_status.h"

#include <string>

#include "absl/strings/str_cat.h"

namespace regenatlas::storage {

absl::Status FromRocksStatus(const rocksdb::Status& s, absl::string_view what) {
  if (s.ok()) return absl::OkStatus();
  std::string msg = absl::StrCat("storage: ", what, ": ", s.ToString());
  switch (s.code()) {
    case rocksdb::Status::kNotFound:
      return absl::NotFoundError(msg);
    case rocksdb::Status::kCorruption:
      return absl::DataLossError(msg);
    case rocksdb::Status::kNotSupported:
      return absl::UnimplementedError(msg);
    case rocksdb::Status::kInvalidArgument:
      return absl::InvalidArgumentError(msg);
    case rocksdb::Status::kIOError:
      // A held LOCK file means another process owns the directory: retrying
      // will not help until it exits.
      if (s.ToString().find("lock") != std::string::npos) {
        return absl::FailedPreconditionError(absl::StrCat(
            "storage: the store is in use by another process (its LOCK file is held); stop the "
            "other server or choose another --data_dir (",
            s.ToString(), ")"));
      }
      return absl::UnavailableError(msg);
    case rocksdb::Status::kBusy:
    case rocksdb::Status::kTryAgain:
    case rocksdb::Status::kTimedOut:
      return absl::UnavailableError(msg);
    case rocksdb::Status::kAborted:
      return absl::AbortedError(msg);
    case rocksdb::Status::kShutdownInProgress:
      return absl::UnavailableError(msg);
    case rocksdb::Status::kIncomplete:
    case rocksdb::Status::kMergeInProgress:
    case rocksdb::Status::kColumnFamilyDropped:
    default:
      return absl::InternalError(msg);
  }
}

}  // namespace regenatlas::storage
