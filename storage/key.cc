#include "storage/key.h"

#include "absl/status/status.h"

namespace regenatlas::storage {

Key& Key::String(absl::string_view s) {
  for (char c : s) {
    bytes_.push_back(c);
    // 0x00 inside a string must not look like the terminator.
    if (c == '\0') bytes_.push_back('\xff');
  }
  bytes_.push_back('\0');
  bytes_.push_back('\x01');
  return *this;
}

Key& Key::Uint64(uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    bytes_.push_back(static_cast<char>((v >> shift) & 0xff));
  }
  return *this;
}

Key& Key::Int64(int64_t v) {
  // Flipping the sign bit maps INT64_MIN..INT64_MAX onto 0..UINT64_MAX.
  return Uint64(static_cast<uint64_t>(v) ^ (uint64_t{1} << 63));
}

std::string Key::PrefixEnd(absl::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    unsigned char last = static_cast<unsigned char>(end.back());
    if (last != 0xff) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}

absl::StatusOr<std::string> KeyReader::String() {
  std::string out;
  for (size_t i = 0; i < rest_.size(); ++i) {
    char c = rest_[i];
    if (c != '\0') {
      out.push_back(c);
      continue;
    }
    if (i + 1 >= rest_.size()) break;
    char next = rest_[i + 1];
    if (next == '\x01') {
      rest_.remove_prefix(i + 2);
      return out;
    }
    if (next != '\xff') break;
    out.push_back('\0');
    ++i;
  }
  return absl::InvalidArgumentError("key: unterminated or malformed string component");
}

absl::StatusOr<uint64_t> KeyReader::Uint64() {
  if (rest_.size() < 8) {
    return absl::InvalidArgumentError("key: short uint64 component");
  }
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) {
    v = (v << 8) | static_cast<unsigned char>(rest_[i]);
  }
  rest_.remove_prefix(8);
  return v;
}

absl::StatusOr<int64_t> KeyReader::Int64() {
  absl::StatusOr<uint64_t> u = Uint64();
  if (!u.ok()) return u.status();
  return static_cast<int64_t>(*u ^ (uint64_t{1} << 63));
}

}  // namespace regenatlas::storage
