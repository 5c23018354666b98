#include "common/paging.h"

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "storage/key.h"

namespace regenatlas {
namespace {

// Not a secret: the checksum detects edited or corrupted tokens, it does not
// authenticate them (tokens reveal nothing a caller cannot list anyway).
constexpr uint64_t kTokenSeed = 0x5265676e41746c61ULL;  // "RegnAtla"
constexpr absl::string_view kTokenVersion = "v1";

}  // namespace

uint64_t StableHash64(absl::string_view data, uint64_t seed) {
  uint64_t h = seed;
  for (unsigned char c : data) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

absl::StatusOr<int> NormalizePageSize(int32_t page_size) {
  if (page_size < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("page_size: must not be negative (got ", page_size, ")"));
  }
  if (page_size == 0) return kDefaultPageSize;
  return page_size > kMaxPageSize ? kMaxPageSize : page_size;
}

std::string EncodePageToken(absl::string_view query, absl::string_view position) {
  std::string payload =
      storage::Key().String(kTokenVersion).Uint64(StableHash64(query)).String(position).Release();
  payload = storage::Key().Uint64(StableHash64(payload, kTokenSeed)).Release() + payload;
  return absl::WebSafeBase64Escape(payload);
}

absl::StatusOr<std::string> DecodePageToken(absl::string_view token, absl::string_view query) {
  const absl::Status malformed = absl::InvalidArgumentError(
      "page_token: malformed or modified; use a next_page_token "
      "returned by this method");
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.size() < 8) return malformed;
  storage::KeyReader reader(raw);
  absl::StatusOr<uint64_t> checksum = reader.Uint64();
  if (!checksum.ok() || *checksum != StableHash64(reader.rest(), kTokenSeed)) return malformed;
  absl::StatusOr<std::string> version = reader.String();
  absl::StatusOr<uint64_t> query_hash = reader.Uint64();
  absl::StatusOr<std::string> position = reader.String();
  if (!version.ok() || *version != kTokenVersion || !query_hash.ok() || !position.ok() ||
      !reader.done()) {
    return malformed;
  }
  if (*query_hash != StableHash64(query)) {
    return absl::InvalidArgumentError(
        "page_token: was issued for a different filter or order_by; repeat the original "
        "request's filter and order_by, or start again without a page_token");
  }
  return *std::move(position);
}

}  // namespace regenatlas
