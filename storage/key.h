#ifndef REGENATLAS_STORAGE_KEY_H_
#define REGENATLAS_STORAGE_KEY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace regenatlas::storage {

// Builds an order-preserving binary key from typed components: comparing two
// keys bytewise gives the same order as comparing their components one by one.
//
// Encoding:
//   string  bytes with 0x00 escaped as 0x00 0xFF, terminated by 0x00 0x01, so
//           that a prefix string sorts first and a string never spans two
//           components;
//   uint64  8 bytes big-endian;
//   int64   8 bytes big-endian with the sign bit flipped.
class Key {
 public:
  Key() = default;

  Key& String(absl::string_view s);
  Key& Uint64(uint64_t v);
  Key& Int64(int64_t v);

  const std::string& bytes() const { return bytes_; }
  // Moves the bytes out; the Key is empty afterwards.
  std::string Release() { return std::move(bytes_); }

  // The smallest key greater than every key that starts with `prefix`
  // (the exclusive end of a prefix scan); empty when there is none.
  static std::string PrefixEnd(absl::string_view prefix);

 private:
  std::string bytes_;
};

// Reads the components of a Key back, in the order they were appended.
// Each method fails with INVALID_ARGUMENT on a malformed or short key.
class KeyReader {
 public:
  explicit KeyReader(absl::string_view bytes) : rest_(bytes) {}

  absl::StatusOr<std::string> String();
  absl::StatusOr<uint64_t> Uint64();
  absl::StatusOr<int64_t> Int64();

  bool done() const { return rest_.empty(); }
  absl::string_view rest() const { return rest_; }

 private:
  absl::string_view rest_;
};

}  // namespace regenatlas::storage

#endif  // REGENATLAS_STORAGE_KEY_H_
