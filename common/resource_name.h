#ifndef REGENATLAS_COMMON_RESOURCE_NAME_H_
#define REGENATLAS_COMMON_RESOURCE_NAME_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace regenatlas {

// OK when `id` is 1-63 characters of [a-z0-9-] starting with [a-z0-9];
// otherwise INVALID_ARGUMENT naming `field`.
absl::Status ValidateResourceId(absl::string_view id, absl::string_view field);

// The id of `name` when it is "<collection>/<id>" with a valid id; otherwise
// INVALID_ARGUMENT naming `field`.
absl::StatusOr<std::string> ParseResourceName(absl::string_view name, absl::string_view collection,
                                              absl::string_view field);

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_RESOURCE_NAME_H_
