#ifndef REGENATLAS_COMMON_ERROR_DETAILS_H_
#define REGENATLAS_COMMON_ERROR_DETAILS_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace regenatlas {

// Machine-readable error details (AIP-193). Every error RegenAtlas returns
// carries a serialized `google.rpc.Status` in the `grpc-status-details-bin`
// trailer with:
//  - `google.rpc.ErrorInfo` {reason, domain "regenatlas.io", metadata}: a
//    stable reason per kind of error (ErrorReason below);
//  - `google.rpc.BadRequest` for INVALID_ARGUMENT: the field the message
//    starts with ("event.date.month: …") and the rest as the description;
//  - `google.rpc.RetryInfo` for RESOURCE_EXHAUSTED and UNAVAILABLE: when to
//    retry (the rate limiter's exact delay when it set one).
// The messages themselves stay as they are. The encoding follows the
// published wire format of those messages (field numbers of google/rpc/
// status.proto and error_details.proto); no googleapis code is vendored.

inline constexpr absl::string_view kErrorDomain = "regenatlas.io";

// Payload key on an absl::Status carrying a retry delay in milliseconds
// (decimal text); RetryInfo uses it when present.
inline constexpr absl::string_view kRetryAfterPayload = "regenatlas.io/retry-after-ms";

// Sets the retry delay RetryInfo will report for `status`.
void SetRetryAfter(absl::Status& status, absl::Duration delay);

// The stable ErrorInfo reason of `status` (e.g. "INVALID_FIELD",
// "RESOURCE_NOT_FOUND", "RATE_LIMITED", "SERVER_BUSY", "SHUTTING_DOWN").
std::string ErrorReason(const absl::Status& status);

// The field an error message names ("event.date.month" of
// "event.date.month: 13 is not a month"), or "" when it names none.
std::string FieldOf(absl::string_view message);

// The serialized google.rpc.Status for a non-OK `status`, whose message is
// `message` (already shortened by the caller).
std::string EncodeStatusDetails(const absl::Status& status, absl::string_view message);

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_ERROR_DETAILS_H_
