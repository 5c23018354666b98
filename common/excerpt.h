#ifndef REGENATLAS_COMMON_EXCERPT_H_
#define REGENATLAS_COMMON_EXCERPT_H_

#include <cstddef>
#include <string>

#include "absl/strings/string_view.h"

namespace regenatlas {

// At most `max_bytes` of `text`, cut at a UTF-8 character boundary, with
// "…" appended when something was cut. Error messages quote caller input
// only through this, so that a 1 MB field never comes back in a status.
std::string Excerpt(absl::string_view text, size_t max_bytes = 64);

// Longest message ToGrpcStatus sends (longer ones are cut with Excerpt).
inline constexpr size_t kMaxStatusMessageBytes = 1024;

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_EXCERPT_H_
