#include "common/records.h"

#include "absl/strings/str_format.h"
#include "common/paging.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace regenatlas {

std::string ComputeEtag(const google::protobuf::Message& record) {
  std::unique_ptr<google::protobuf::Message> copy(record.New());
  copy->CopyFrom(record);
  const google::protobuf::FieldDescriptor* etag = copy->GetDescriptor()->FindFieldByName("etag");
  if (etag != nullptr) copy->GetReflection()->ClearField(copy.get(), etag);
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    // Deterministic: map order must not change the etag.
    coded.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&coded);
  }
  return absl::StrFormat("%016x", StableHash64(bytes));
}

void StampEtag(google::protobuf::Message* record) {
  const google::protobuf::FieldDescriptor* etag = record->GetDescriptor()->FindFieldByName("etag");
  if (etag == nullptr) return;
  // ComputeEtag's bytes, without its copy of the record: the etag is
  // replaced anyway, so it is cleared in place (a write's hot path).
  record->GetReflection()->ClearField(record, etag);
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    record->SerializeToCodedStream(&coded);
  }
  record->GetReflection()->SetString(record, etag, absl::StrFormat("%016x", StableHash64(bytes)));
}

google::protobuf::Timestamp ToProtoTime(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t micros = absl::ToUnixMicros(t);
  ts.set_seconds(micros / 1000000);
  ts.set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
  return ts;
}

}  // namespace regenatlas
