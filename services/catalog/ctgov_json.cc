// The streaming reader of ClinicalTrials.gov API v2 JSON: RapidJSON's SAX
// parser over a file or memory, a handler that recognises the file's shape,
// builds each study alone as a small DOM, checks UTF-8 per string and
// reports problems with JSON paths (the path and UTF-8 helpers are in
// ctgov_json_util.cc).
#include "services/catalog/ctgov_json.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <memory>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "rapidjson/error/en.h"
#include "rapidjson/filereadstream.h"
#include "rapidjson/memorystream.h"
#include "rapidjson/reader.h"

namespace regenatlas::catalog {
namespace {

// Builds one rapidjson value from SAX events into a pool that is dropped
// after each study, so a page never exists as a whole in memory.
class ValueBuilder {
 public:
  void Reset() {
    stack_.clear();
    keys_.clear();
    root_.SetNull();
    allocator_ = std::make_unique<rapidjson::MemoryPoolAllocator<>>();
  }
  void StartObject() { stack_.emplace_back(rapidjson::kObjectType); }
  void StartArray() { stack_.emplace_back(rapidjson::kArrayType); }
  void Key(const char* s, size_t n) {
    keys_.emplace_back(s, static_cast<rapidjson::SizeType>(n), *allocator_);
  }
  void String(const char* s, size_t n) {
    Add(rapidjson::Value(s, static_cast<rapidjson::SizeType>(n), *allocator_));
  }
  void Add(rapidjson::Value v) {
    if (stack_.empty()) {
      root_ = v;  // rapidjson assignment moves
      return;
    }
    rapidjson::Value& top = stack_.back();
    if (top.IsObject()) {
      top.AddMember(keys_.back(), v, *allocator_);
      keys_.pop_back();
    } else {
      top.PushBack(v, *allocator_);
    }
  }
  void End() {
    rapidjson::Value v(std::move(stack_.back()));
    stack_.pop_back();
    Add(std::move(v));
  }
  const rapidjson::Value& root() const { return root_; }

 private:
  std::unique_ptr<rapidjson::MemoryPoolAllocator<>> allocator_;
  std::vector<rapidjson::Value> stack_;
  std::vector<rapidjson::Value> keys_;
  rapidjson::Value root_;
};

// SAX handler: recognises the file's shape from its top level, builds each
// study alone, skips what is not needed and tracks the JSON path of the
// current position for messages.
class Handler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler> {
 public:
  Handler(CtgovJsonSink& sink, std::function<int64_t()> tell)
      : sink_(sink), tell_(std::move(tell)) {}

  bool Null() { return Scalar(rapidjson::Value(), "null"); }
  bool Bool(bool b) { return Scalar(rapidjson::Value(b), "a boolean"); }
  bool Int(int i) { return Scalar(rapidjson::Value(i), "a number"); }
  bool Uint(unsigned u) { return Scalar(rapidjson::Value(u), "a number"); }
  bool Int64(int64_t i) { return Scalar(rapidjson::Value(i), "a number"); }
  bool Uint64(uint64_t u) { return Scalar(rapidjson::Value(u), "a number"); }
  bool Double(double d) { return Scalar(rapidjson::Value(d), "a number"); }
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) { return String(s, n, true); }

  bool String(const char* s, rapidjson::SizeType n, bool) {
    if (excess_depth_ > 0) return true;
    if (building_) {
      CheckUtf8(s, n);
      if (IsNctIdPosition()) nct_id_.assign(s, n);
      builder_.String(s, n);
      EndValue();
      return true;
    }
    if (skip_depth_ > 0) {
      EndValue();
      return true;
    }
    if (page_level() && frames_[0].key == "nextPageToken") {
      if (IsValidUtf8(absl::string_view(s, n))) {
        info_.next_page_token.assign(s, n);
      } else {
        sink_.OnFileProblem(false, Path(), "invalid UTF-8");
      }
      EndValue();
      return true;
    }
    return TopLevelScalar("a string");
  }

  bool Key(const char* s, rapidjson::SizeType n, bool) {
    if (excess_depth_ > 0) return true;
    if (!frames_.empty()) frames_.back().key.assign(s, n);
    if (building_) {
      CheckUtf8(s, n);
      builder_.Key(s, n);
      return true;
    }
    if (skip_depth_ > 0) return true;
    if (shape_ == Shape::kUndecided) {
      const absl::string_view key(s, n);
      if (key == "studies" || key == "totalCount" || key == "nextPageToken") {
        shape_ = Shape::kPage;
        info_.page = true;
      } else {
        // Any other first key: the top-level object is the study itself.
        shape_ = Shape::kStudy;
        BeginStudy("$");
        builder_.StartObject();
        CheckUtf8(s, n);
        builder_.Key(s, n);
      }
    }
    return true;
  }

  bool StartObject() {
    if (TooDeep()) return true;
    if (building_ || skip_depth_ > 0) {
      if (building_) builder_.StartObject();
      frames_.push_back(Frame{});
      return true;
    }
    if (frames_.empty()) {
      shape_ = Shape::kUndecided;
      frames_.push_back(Frame{});
      return true;
    }
    if (AtStudyElement()) {
      ++info_.studies;
      const std::string path = Path();
      frames_.push_back(Frame{});
      BeginStudy(path);
      builder_.StartObject();
      return true;
    }
    if (page_level() && frames_[0].key == "studies") {
      FileError(Path(), "expected an array of studies, found an object");
    }
    frames_.push_back(Frame{});
    skip_depth_ = frames_.size();
    return true;
  }

  bool EndObject(rapidjson::SizeType) { return EndContainer(); }

  bool StartArray() {
    if (TooDeep()) return true;
    if (building_ || skip_depth_ > 0) {
      if (building_) builder_.StartArray();
      frames_.push_back(ArrayFrame());
      return true;
    }
    if (frames_.empty()) {
      shape_ = Shape::kArray;
      frames_.push_back(ArrayFrame());
      return true;
    }
    if (AtStudyElement()) {
      ++info_.studies;
      sink_.OnBadRecord(Path(), Path(), "", "expected an object (a study), found an array");
      frames_.push_back(ArrayFrame());
      skip_depth_ = frames_.size();
      return true;
    }
    if (page_level() && frames_[0].key == "studies") {
      frames_.push_back(ArrayFrame());
      in_studies_ = true;
      saw_studies_ = true;
      return true;
    }
    frames_.push_back(ArrayFrame());
    skip_depth_ = frames_.size();
    return true;
  }

  bool EndArray(rapidjson::SizeType) {
    if (excess_depth_ > 0) return EndContainer();
    if (!building_ && skip_depth_ == 0 && in_studies_ && frames_.size() == 2) in_studies_ = false;
    return EndContainer();
  }

  // Reports a syntax error or truncation at `offset` of `size` bytes.
  void SyntaxError(rapidjson::ParseErrorCode code, size_t offset, int64_t size) {
    std::string message;
    if (code == rapidjson::kParseErrorDocumentEmpty) {
      message = "empty file: no JSON value";
    } else if (static_cast<int64_t>(offset) >= size) {
      message = "truncated JSON: the file ends here";
    } else {
      message =
          absl::StrCat("invalid JSON at byte ", offset, ": ", rapidjson::GetParseError_En(code));
    }
    if (building_) {
      sink_.OnBadRecord(record_path_, Path(), nct_id_,
                        absl::StrCat(message, "; nothing after it in the file is read"));
      building_ = false;
    } else {
      FileError(Path(), message);
    }
  }

  // Warnings about the file as a whole, once it has been read without error.
  void Finish() {
    if (file_error_) return;
    if (shape_ == Shape::kPage && info_.studies == 0) {
      if (!info_.next_page_token.empty()) {
        sink_.OnFileProblem(false, "$",
                            saw_studies_ ? "search page with a nextPageToken and no studies"
                                         : "search page with a nextPageToken and no \"studies\"");
      } else {
        sink_.OnFileProblem(false, "$", "empty search page: no studies");
      }
    } else if (shape_ == Shape::kArray && info_.studies == 0) {
      sink_.OnFileProblem(false, "$", "empty array: no studies");
    } else if (shape_ == Shape::kUndecided) {
      FileError("$", "empty object: neither a study nor a search page");
    }
  }

  const absl::Status& status() const { return status_; }
  // True when the handler stopped the parse itself (status_ or a reported error).
  bool stopped() const { return stopped_; }
  CtgovFileInfo& info() { return info_; }

 private:
  enum class Shape { kNone, kUndecided, kPage, kStudy, kArray };
  struct Frame {
    bool array = false;
    size_t index = 0;
    std::string key;
  };
  static Frame ArrayFrame() {
    Frame f;
    f.array = true;
    return f;
  }

  bool page_level() const { return shape_ == Shape::kPage && frames_.size() == 1; }

  // The next value is an element of the studies list.
  bool AtStudyElement() const {
    return (shape_ == Shape::kPage && in_studies_ && frames_.size() == 2) ||
           (shape_ == Shape::kArray && frames_.size() == 1);
  }

  // At protocolSection.identificationModule.nctId of the study being built.
  bool IsNctIdPosition() const {
    const size_t base = build_depth_ - 1;  // the study's own frame
    return frames_.size() == base + 3 && frames_[base].key == "protocolSection" &&
           frames_[base + 1].key == "identificationModule" && frames_.back().key == "nctId";
  }

  std::string Path() const {
    std::string path = "$";
    for (size_t i = 0; i < frames_.size(); ++i) {
      const Frame& f = frames_[i];
      if (f.array) {
        path = JsonPathIndex(path, f.index);
      } else if (!f.key.empty()) {
        path = JsonPathChild(path, f.key);
      }
    }
    return path;
  }

  void BeginStudy(std::string path) {
    building_ = true;
    build_depth_ = frames_.size();
    record_path_ = std::move(path);
    record_error_.clear();
    record_error_path_.clear();
    nct_id_.clear();
    builder_.Reset();
  }

  void CheckUtf8(const char* s, size_t n) {
    if (!record_error_.empty() || IsValidUtf8(absl::string_view(s, n))) return;
    record_error_path_ = Path();
    record_error_ = "invalid UTF-8 in a string";
  }

  bool FinishStudy() {
    building_ = false;
    if (!record_error_.empty()) {
      sink_.OnBadRecord(record_path_, record_error_path_, nct_id_, record_error_);
    } else {
      absl::Status s = sink_.OnStudy(record_path_, builder_.root());
      if (!s.ok()) {
        status_ = std::move(s);
        stopped_ = true;
      }
    }
    builder_.Reset();
    sink_.OnProgress(tell_());
    return !stopped_;
  }

  void FileError(const std::string& path, const std::string& message) {
    file_error_ = true;
    sink_.OnFileProblem(true, path, message);
  }

  void EndValue() {
    if (!frames_.empty() && frames_.back().array) ++frames_.back().index;
  }

  // At the start of an object or array: true when it lies deeper than
  // kMaxCtgovJsonDepth. Such a container is not followed (no frame, nothing
  // built); the record that holds it is bad.
  bool TooDeep() {
    if (excess_depth_ == 0 && frames_.size() < kMaxCtgovJsonDepth) return false;
    if (excess_depth_++ == 0 && building_) {
      if (record_error_.empty()) {
        record_error_path_ = Path();
        record_error_ = absl::StrCat("nested deeper than ", kMaxCtgovJsonDepth, " levels");
      }
      builder_.Add(rapidjson::Value());  // Keeps the (discarded) DOM well formed.
    }
    return true;
  }

  bool EndContainer() {
    if (excess_depth_ > 0) {
      // The end of the container that was too deep is the end of a value.
      if (--excess_depth_ == 0) EndValue();
      return true;
    }
    frames_.pop_back();
    if (building_) {
      builder_.End();
      if (frames_.size() < build_depth_) {
        if (!FinishStudy()) return false;
      }
    } else if (skip_depth_ > 0 && frames_.size() < skip_depth_) {
      skip_depth_ = 0;
    }
    EndValue();
    return true;
  }

  bool Scalar(rapidjson::Value v, const char* type) {
    if (excess_depth_ > 0) return true;
    if (building_) {
      builder_.Add(std::move(v));
      EndValue();
      return true;
    }
    if (skip_depth_ > 0) {
      EndValue();
      return true;
    }
    if (page_level() && frames_[0].key == "totalCount") {
      if (v.IsInt64()) {
        info_.total_count = v.GetInt64();
      } else {
        sink_.OnFileProblem(false, Path(), absl::StrCat("expected an integer, found ", type));
      }
      EndValue();
      return true;
    }
    return TopLevelScalar(type);
  }

  bool TopLevelScalar(const char* type) {
    if (frames_.empty()) {
      sink_.OnFileProblem(
          true, "$",
          absl::StrCat(
              "expected an object (a study or a search page) or an array of studies, found ",
              type));
      stopped_ = true;
      return false;
    }
    if (AtStudyElement()) {
      ++info_.studies;
      sink_.OnBadRecord(Path(), Path(), "",
                        absl::StrCat("expected an object (a study), found ", type));
    } else if (page_level() && frames_[0].key == "studies") {
      FileError(Path(), absl::StrCat("expected an array of studies, found ", type));
    } else if (page_level() && frames_[0].key == "nextPageToken") {
      sink_.OnFileProblem(false, Path(), absl::StrCat("expected a string, found ", type));
    }
    EndValue();
    return true;
  }

  CtgovJsonSink& sink_;
  std::function<int64_t()> tell_;
  std::vector<Frame> frames_;
  Shape shape_ = Shape::kNone;
  CtgovFileInfo info_;
  bool in_studies_ = false;
  bool saw_studies_ = false;
  // Depth (frames_.size()) of the container being skipped; 0 when none.
  size_t skip_depth_ = 0;
  // Containers open below kMaxCtgovJsonDepth, which have no frame; 0 when none.
  size_t excess_depth_ = 0;
  // The study being built: frames_.size() once its own frame is pushed.
  bool building_ = false;
  size_t build_depth_ = 0;
  std::string record_path_;
  std::string record_error_path_;
  std::string record_error_;
  std::string nct_id_;
  ValueBuilder builder_;
  absl::Status status_;
  bool stopped_ = false;
  bool file_error_ = false;
};

template <typename Stream>
absl::StatusOr<CtgovFileInfo> Read(Stream& stream, int64_t size, CtgovJsonSink& sink) {
  Handler handler(sink, [&stream] { return static_cast<int64_t>(stream.Tell()); });
  rapidjson::Reader reader;
  // Iterative: constant stack whatever the nesting. Encoding is validated
  // per string by the handler rather than with kParseValidateEncodingFlag,
  // which would end the whole file at the first bad byte; this way only
  // the record that holds it is rejected.
  rapidjson::ParseResult result = reader.Parse<rapidjson::kParseIterativeFlag>(stream, handler);
  RETURN_IF_ERROR(handler.status());
  if (result.IsError()) {
    if (!handler.stopped()) handler.SyntaxError(result.Code(), result.Offset(), size);
  } else {
    handler.Finish();
  }
  handler.info().bytes = size;
  return handler.info();
}

}  // namespace

absl::StatusOr<CtgovFileInfo> ReadCtgovFile(const std::string& path, CtgovJsonSink& sink) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (file == nullptr) {
    sink.OnFileProblem(true, "$", absl::StrCat("cannot open: ", std::strerror(errno)));
    return CtgovFileInfo{};
  }
  int64_t size = 0;
  if (std::fseek(file.get(), 0, SEEK_END) == 0) {
    size = std::ftell(file.get());
    std::fseek(file.get(), 0, SEEK_SET);
  }
  char buffer[64 * 1024];
  rapidjson::FileReadStream stream(file.get(), buffer, sizeof(buffer));
  return Read(stream, size, sink);
}

absl::StatusOr<CtgovFileInfo> ReadCtgovJson(absl::string_view json, CtgovJsonSink& sink) {
  rapidjson::MemoryStream stream(json.data(), json.size());
  return Read(stream, static_cast<int64_t>(json.size()), sink);
}

}  // namespace regenatlas::catalog
