#ifndef REGENATLAS_COMMON_PAGING_H_
#define REGENATLAS_COMMON_PAGING_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace regenatlas {

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 1000;

// page_size as requested → the number of results to return: 0 → default,
// above the maximum → the maximum, negative → INVALID_ARGUMENT naming
// "page_size".
absl::StatusOr<int> NormalizePageSize(int32_t page_size);

// An opaque continuation token: the storage position after which the next
// page starts, bound to the query (`query` is a canonical string of the
// request's filter and order) that produced it. Tokens stay valid while
// records change and across restarts; they carry a checksum so that a
// modified token is rejected rather than silently misread.
std::string EncodePageToken(absl::string_view query, absl::string_view position);

// The position inside `token`. INVALID_ARGUMENT naming "page_token" when the
// token is malformed or was modified, or when it was issued for another query.
absl::StatusOr<std::string> DecodePageToken(absl::string_view token, absl::string_view query);

// 64-bit FNV-1a: a stable (process- and version-independent) hash.
uint64_t StableHash64(absl::string_view data, uint64_t seed = 0xcbf29ce484222325ULL);

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_PAGING_H_
