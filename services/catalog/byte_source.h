#ifndef REGENATLAS_SERVICES_CATALOG_BYTE_SOURCE_H_
#define REGENATLAS_SERVICES_CATALOG_BYTE_SOURCE_H_

// Input for the streaming registry-file readers (csv.h, ictrp_xml.h): a file
// read in fixed-size chunks, or bytes already in memory, behind one
// interface, so a reader's memory does not grow with the file.

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace regenatlas::catalog {

// A forward-only sequence of bytes.
class ByteSource {
 public:
  virtual ~ByteSource() = default;

  // The next chunk: empty at the end of the input. The view stays valid
  // until the next call. An error (a read failure) ends the input.
  virtual absl::StatusOr<absl::string_view> Read() = 0;

  // Bytes handed out so far.
  virtual int64_t offset() const = 0;
};

// Reads `path` in chunks of `chunk_size` bytes. NOT_FOUND / PERMISSION_DENIED
// ... naming the file when it cannot be opened.
absl::StatusOr<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path,
                                                           size_t chunk_size = 64 * 1024);

// Hands out `bytes` (which must outlive the source) in chunks of `chunk_size`
// bytes; small chunks let tests cross every chunk boundary.
std::unique_ptr<ByteSource> MemorySource(absl::string_view bytes, size_t chunk_size = 64 * 1024);

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_BYTE_SOURCE_H_
