#ifndef REGENATLAS_COMMON_RECORDS_H_
#define REGENATLAS_COMMON_RECORDS_H_

#include <string>

#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace regenatlas {

// An etag over a record's content: a stable hash of its serialization with
// the `etag` field cleared. Equal content gives an equal etag.
std::string ComputeEtag(const google::protobuf::Message& record);

// Sets `record`'s etag field (a string field named "etag") to ComputeEtag.
void StampEtag(google::protobuf::Message* record);

google::protobuf::Timestamp ToProtoTime(absl::Time t);

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_RECORDS_H_
