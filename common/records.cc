#include "common/records.h"

#include "absl/strings/str_format.h"
#include "common/paging.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace regenatlas {

namespace {

// The etag of a record whose etag field is already cleared: a hash of its
// deterministic serialisation (map order must not change it).
std::string EtagOfCleared(const google::protobuf::Message& cleared) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    cleared.SerializeToCodedStream(&coded);
  }
  return absl::StrFormat("%016x", StableHash64(bytes));
}

}  // namespace

std::string ComputeEtag(const google::protobuf::Message& record) {
  const google::protobuf::FieldDescriptor* etag = record.GetDescriptor()->FindFieldByName("etag");
  if (etag == nullptr || !record.GetReflection()->HasField(record, etag)) {
    return EtagOfCleared(record);
  }
  std::unique_ptr<google::protobuf::Message> copy(record.New());
  copy->CopyFrom(record);
  copy->GetReflection()->ClearField(copy.get(), etag);
  return EtagOfCleared(*copy);
}

void StampEtag(google::protobuf::Message* record) {
  const google::protobuf::FieldDescriptor* etag = record->GetDescriptor()->FindFieldByName("etag");
  if (etag == nullptr) return;
  // Cleared in place, not copied as ComputeEtag must: the etag is replaced
  // anyway (a write's hot path).
  record->GetReflection()->ClearField(record, etag);
  record->GetReflection()->SetString(record, etag, EtagOfCleared(*record));
}

google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t micros = absl::ToUnixMicros(t);
  ts.set_seconds(micros / 1000000);
  ts.set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
  return ts;
}

}  // namespace regenatlas
