// File and in-memory ByteSources (byte_source.h).

#include "services/catalog/byte_source.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace regenatlas::catalog {
namespace {

class FileSource : public ByteSource {
 public:
  FileSource(std::FILE* file, std::string path, size_t chunk_size)
      : file_(file), path_(std::move(path)), buffer_(std::max<size_t>(chunk_size, 1)) {}
  ~FileSource() override { std::fclose(file_); }

  absl::StatusOr<absl::string_view> Read() override {
    const size_t n = std::fread(buffer_.data(), 1, buffer_.size(), file_);
    if (n == 0 && std::ferror(file_)) {
      return absl::DataLossError(absl::StrCat(path_, ": read failed at byte ", offset_));
    }
    offset_ += static_cast<int64_t>(n);
    return absl::string_view(buffer_.data(), n);
  }

  int64_t offset() const override { return offset_; }

 private:
  std::FILE* file_;
  std::string path_;
  std::vector<char> buffer_;
  int64_t offset_ = 0;
};

class StringSource : public ByteSource {
 public:
  StringSource(absl::string_view bytes, size_t chunk_size)
      : bytes_(bytes), chunk_size_(std::max<size_t>(chunk_size, 1)) {}

  absl::StatusOr<absl::string_view> Read() override {
    const absl::string_view chunk = bytes_.substr(pos_, chunk_size_);
    pos_ += chunk.size();
    return chunk;
  }

  int64_t offset() const override { return static_cast<int64_t>(pos_); }

 private:
  absl::string_view bytes_;
  size_t chunk_size_;
  size_t pos_ = 0;
};

}  // namespace

absl::StatusOr<std::unique_ptr<ByteSource>> OpenFileSource(const std::string& path,
                                                           size_t chunk_size) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    const int err = errno;
    const std::string message = absl::StrCat(path, ": cannot open: ", std::strerror(err));
    if (err == ENOENT) return absl::NotFoundError(message);
    if (err == EACCES) return absl::PermissionDeniedError(message);
    return absl::FailedPreconditionError(message);
  }
  return std::make_unique<FileSource>(file, path, chunk_size);
}

std::unique_ptr<ByteSource> MemorySource(absl::string_view bytes, size_t chunk_size) {
  return std::make_unique<StringSource>(bytes, chunk_size);
}

}  // namespace regenatlas::catalog
