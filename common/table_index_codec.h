#ifndef REGENATLAS_COMMON_TABLE_INDEX_CODEC_H_
#define REGENATLAS_COMMON_TABLE_INDEX_CODEC_H_

// The varint and length-prefixed string encoding of TableIndex's persisted
// rows (table_index.cc writes and reads them one at a time,
// table_index_load.cc reads them in bulk). Internal to the index.

#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"

namespace regenatlas::table_index_codec {

inline void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Consumes a varint from `in`; false when it is cut short or too long.
inline bool GetVarint(absl::string_view& in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
    const auto b = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    *v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

inline void PutString(std::string& out, absl::string_view s) {
  PutVarint(out, s.size());
  out.append(s.data(), s.size());
}

// Consumes a length-prefixed string from `in`; `s` views into `in`'s bytes.
inline bool GetString(absl::string_view& in, absl::string_view* s) {
  uint64_t n;
  if (!GetVarint(in, &n) || n > in.size()) return false;
  *s = in.substr(0, n);
  in.remove_prefix(n);
  return true;
}

}  // namespace regenatlas::table_index_codec

#endif  // REGENATLAS_COMMON_TABLE_INDEX_CODEC_H_
