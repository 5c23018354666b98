#ifndef REGENATLAS_COMMON_VALIDATION_H_
#define REGENATLAS_COMMON_VALIDATION_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "regenatlas/common/v1/common.pb.h"

namespace regenatlas {

// Field checks shared by every service. Each returns INVALID_ARGUMENT whose
// message starts with `field`.

// ISO 3166-1 alpha-2 ("CN"), a subdivision ("CN-BJ"), or a region code
// ("EU", "GLOBAL").
absl::Status ValidateJurisdiction(absl::string_view code, absl::string_view field);

// ISO 4217 shape: three uppercase letters.
absl::Status ValidateCurrency(absl::string_view code, absl::string_view field);

// At least one citation, each naming "sources/{id}".
absl::Status ValidateCitations(
    const google::protobuf::RepeatedPtrField<common::v1::SourceCitation>& citations,
    absl::string_view field);

// `value` is a known value of the enum and, when `required`, not 0.
template <typename IsValid>
absl::Status ValidateEnum(int value, IsValid is_valid, bool required, absl::string_view field);

absl::Status EnumError(int value, bool unspecified, absl::string_view field);

// Size limits of every stored record (docs/limits.md): free-text fields
// (description, quote, text, notes and *_note) up to kMaxLongTextBytes,
// every other string up to kMaxStringBytes, repeated fields up to
// kMaxRepeated elements, the whole record up to kMaxRecordBytes.
inline constexpr size_t kMaxStringBytes = 2048;
inline constexpr size_t kMaxLongTextBytes = 32 * 1024;
inline constexpr int kMaxRepeated = 1000;
inline constexpr size_t kMaxRecordBytes = 1024 * 1024;

// INVALID_ARGUMENT naming the first field over its limit, e.g.
// "source.title: longer than 2048 bytes (got 1048576)".
absl::Status ValidateSizes(const google::protobuf::Message& record, absl::string_view field);

template <typename IsValid>
absl::Status ValidateEnum(int value, IsValid is_valid, bool required, absl::string_view field) {
  if (!is_valid(value)) return EnumError(value, false, field);
  if (required && value == 0) return EnumError(value, true, field);
  return absl::OkStatus();
}

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_VALIDATION_H_
