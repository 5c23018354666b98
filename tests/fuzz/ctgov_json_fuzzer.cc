// libFuzzer target for the ClinicalTrials.gov JSON reader
// (services/catalog/ctgov_json.h): reads the input as a single study, a
// search page or an array of studies with ReadCtgovJson and walks every study
// it hands out, so that the sanitizers see each value of the DOM. Besides
// crashes it aborts when the reader breaks its own contract (a study that is
// not an object or holds invalid UTF-8, progress past the end, a wrong size).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "rapidjson/document.h"
#include "services/catalog/ctgov_json.h"

namespace {

using regenatlas::catalog::CtgovJsonSink;
using regenatlas::catalog::IsValidUtf8;

[[noreturn]] void Fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "%s: %s\n", what, detail.c_str());
  std::abort();
}

// Checks what the reader reports and walks each study without recursion
// (studies may nest arbitrarily deep).
class CheckingSink : public CtgovJsonSink {
 public:
  explicit CheckingSink(size_t size) : size_(size) {}

  absl::Status OnStudy(const std::string& path, const rapidjson::Value& study) override {
    if (!study.IsObject()) Fail("study is not an object", path);
    CheckPath(path);
    std::vector<const rapidjson::Value*> stack{&study};
    while (!stack.empty()) {
      const rapidjson::Value* v = stack.back();
      stack.pop_back();
      if (v->IsObject()) {
        for (const auto& m : v->GetObject()) {
          CheckString(m.name, path);
          stack.push_back(&m.value);
        }
      } else if (v->IsArray()) {
        for (const auto& e : v->GetArray()) stack.push_back(&e);
      } else if (v->IsString()) {
        CheckString(*v, path);
      }
    }
    // "$" is a single-study file, which the file info does not count.
    if (path != "$") ++listed_studies_;
    return absl::OkStatus();
  }

  void OnBadRecord(const std::string& record_path, const std::string& problem_path,
                   const std::string& nct_id, const std::string& message) override {
    CheckPath(record_path);
    CheckPath(problem_path);
    if (message.empty()) Fail("bad record without a message", record_path);
  }

  void OnFileProblem(bool error, const std::string& path, const std::string& message) override {
    CheckPath(path);
    if (message.empty()) Fail("file problem without a message", path);
  }

  void OnProgress(int64_t bytes_read) override {
    if (bytes_read < 0 || static_cast<size_t>(bytes_read) > size_) {
      Fail("progress outside the input", std::to_string(bytes_read));
    }
  }

  // Studies handed out from a search page or an array.
  int listed_studies() const { return listed_studies_; }

 private:
  static void CheckPath(const std::string& path) {
    if (path.empty() || path[0] != '$') Fail("path does not start with $", path);
  }
  static void CheckString(const rapidjson::Value& s, const std::string& path) {
    if (!IsValidUtf8(absl::string_view(s.GetString(), s.GetStringLength()))) {
      Fail("study handed out with invalid UTF-8", path);
    }
  }

  size_t size_;
  int listed_studies_ = 0;
};

}  // namespace

// libFuzzer entry point: one JSON file per input.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view json(reinterpret_cast<const char*>(data), size);
  CheckingSink sink(size);
  absl::StatusOr<regenatlas::catalog::CtgovFileInfo> info =
      regenatlas::catalog::ReadCtgovJson(json, sink);
  // The sink never fails, so neither may the reader.
  if (!info.ok()) Fail("read failed", info.status().ToString());
  if (info->bytes != static_cast<int64_t>(size)) Fail("wrong size", std::to_string(info->bytes));
  if (info->studies < sink.listed_studies()) Fail("more studies handed out than counted", "");
  return 0;
}
