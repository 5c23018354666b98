#include "common/error_details.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace regenatlas {
namespace {

// Minimal protobuf wire encoding: length-delimited and varint fields.
class Writer {
 public:
  Writer& Bytes(int field, absl::string_view value) {
    Tag(field, 2);
    Varint(value.size());
    out_.append(value.data(), value.size());
    return *this;
  }
  Writer& Int(int field, int64_t value) {
    if (value == 0) return *this;
    Tag(field, 0);
    Varint(static_cast<uint64_t>(value));
    return *this;
  }
  std::string Release() { return std::move(out_); }

 private:
  void Tag(int field, int wire_type) { Varint((static_cast<uint64_t>(field) << 3) | wire_type); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7F) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  std::string out_;
};

// google.protobuf.Any {type_url = 1, value = 2}.
std::string Any(absl::string_view type, const std::string& value) {
  return Writer().Bytes(1, absl::StrCat("type.googleapis.com/", type)).Bytes(2, value).Release();
}

absl::Duration RetryDelay(const absl::Status& status) {
  if (auto p = status.GetPayload(kRetryAfterPayload); p.has_value()) {
    int64_t ms = 0;
    if (absl::SimpleAtoi(std::string(*p), &ms) && ms >= 0) return absl::Milliseconds(ms);
  }
  return absl::IsUnavailable(status) ? absl::Seconds(2) : absl::Seconds(1);
}

}  // namespace

void SetRetryAfter(absl::Status& status, absl::Duration delay) {
  status.SetPayload(kRetryAfterPayload, absl::Cord(absl::StrCat(absl::ToInt64Milliseconds(delay))));
}

std::string FieldOf(absl::string_view message) {
  const size_t colon = message.find(": ");
  if (colon == absl::string_view::npos || colon == 0 || colon > 128) return "";
  const absl::string_view field = message.substr(0, colon);
  for (char c : field) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '[' &&
        c != ']') {
      return "";
    }
  }
  return std::string(field);
}

std::string ErrorReason(const absl::Status& status) {
  const absl::string_view m = status.message();
  switch (status.code()) {
    case absl::StatusCode::kInvalidArgument:
      return absl::StartsWith(m, "filter") ? "INVALID_FILTER" : "INVALID_FIELD";
    case absl::StatusCode::kNotFound:
      return "RESOURCE_NOT_FOUND";
    case absl::StatusCode::kAlreadyExists:
      return "RESOURCE_ALREADY_EXISTS";
    case absl::StatusCode::kAborted:
      return absl::StartsWith(m, "etag") ? "ETAG_MISMATCH" : "ABORTED";
    case absl::StatusCode::kFailedPrecondition:
      return "FAILED_PRECONDITION";
    case absl::StatusCode::kResourceExhausted:
      return absl::StrContains(m, "rate limit") ? "RATE_LIMITED" : "SERVER_BUSY";
    case absl::StatusCode::kUnavailable:
      return absl::StrContains(m, "shutting down") ? "SHUTTING_DOWN" : "BACKEND_UNAVAILABLE";
    case absl::StatusCode::kUnauthenticated:
      return "CREDENTIALS_MISSING_OR_UNKNOWN";
    case absl::StatusCode::kPermissionDenied:
      return "ROLE_TOO_LOW";
    case absl::StatusCode::kDeadlineExceeded:
      return "DEADLINE_EXCEEDED";
    case absl::StatusCode::kCancelled:
      return "CANCELLED";
    case absl::StatusCode::kOutOfRange:
      return "OUT_OF_RANGE";
    case absl::StatusCode::kUnimplemented:
      return "NOT_IMPLEMENTED";
    case absl::StatusCode::kDataLoss:
      return "DATA_LOSS";
    default:
      return "INTERNAL";
  }
}

std::string EncodeStatusDetails(const absl::Status& status, absl::string_view message) {
  Writer st;
  st.Int(1, static_cast<int>(status.code())).Bytes(2, message);
  const std::string field = FieldOf(status.message());
  // ErrorInfo {reason = 1, domain = 2, metadata = 3 (map entries {key = 1, value = 2})}.
  Writer info;
  info.Bytes(1, ErrorReason(status)).Bytes(2, kErrorDomain);
  if (!field.empty()) info.Bytes(3, Writer().Bytes(1, "field").Bytes(2, field).Release());
  st.Bytes(3, Any("google.rpc.ErrorInfo", info.Release()));
  if (status.code() == absl::StatusCode::kInvalidArgument && !field.empty()) {
    // BadRequest {field_violations = 1 {field = 1, description = 2}}.
    const absl::string_view description =
        message.size() > field.size() + 2 ? message.substr(field.size() + 2) : message;
    const std::string violation = Writer().Bytes(1, field).Bytes(2, description).Release();
    st.Bytes(3, Any("google.rpc.BadRequest", Writer().Bytes(1, violation).Release()));
  }
  if (status.code() == absl::StatusCode::kResourceExhausted ||
      status.code() == absl::StatusCode::kUnavailable) {
    // RetryInfo {retry_delay = 1 (Duration {seconds = 1, nanos = 2})}.
    const absl::Duration d = RetryDelay(status);
    const int64_t seconds = absl::ToInt64Seconds(d);
    const int64_t nanos = absl::ToInt64Nanoseconds(d - absl::Seconds(seconds));
    const std::string duration = Writer().Int(1, seconds).Int(2, nanos).Release();
    st.Bytes(3, Any("google.rpc.RetryInfo", Writer().Bytes(1, duration).Release()));
  }
  return st.Release();
}

}  // namespace regenatlas
