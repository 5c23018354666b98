// Regressions found by fuzzing the catalog's parsers (tests/fuzz,
// docs/fuzzing.md): each test pins one fixed finding.

#include <chrono>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/ctgov_json.h"

namespace regenatlas::catalog {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

std::string Repeat(absl::string_view s, int n) {
  std::string out;
  out.reserve(s.size() * n);
  for (int i = 0; i < n; ++i) out.append(s.data(), s.size());
  return out;
}

// Records what the reader reports.
class RecordingSink : public CtgovJsonSink {
 public:
  struct Bad {
    std::string record_path;
    std::string problem_path;
    std::string message;
  };

  absl::Status OnStudy(const std::string& path, const rapidjson::Value& study) override {
    studies.push_back(path);
    return absl::OkStatus();
  }
  void OnBadRecord(const std::string& record_path, const std::string& problem_path,
                   const std::string& nct_id, const std::string& message) override {
    bad.push_back({record_path, problem_path, message});
  }
  void OnFileProblem(bool error, const std::string& path, const std::string& message) override {
    problems.push_back(absl::StrCat(error ? "error " : "warning ", path, ": ", message));
  }

  std::vector<std::string> studies;
  std::vector<Bad> bad;
  std::vector<std::string> problems;
};

constexpr char kGoodStudy[] =
    R"({"protocolSection":{"identificationModule":{"nctId":"NCT02552212"}}})";

// A record nested far deeper than any real one used to be built in full and
// handed out; its JSON path (rebuilt for messages) then cost time and memory
// quadratic in the depth: a 100 KB file took over 2 GB.
TEST(CtgovJsonRegressionTest, DeeplyNestedStudyIsABadRecordAndReadingGoesOn) {
  const int depth = 20000;
  const std::string deep =
      absl::StrCat(R"({"protocolSection":{"x":)", Repeat("[", depth), Repeat("]", depth), "}}");
  RecordingSink sink;
  absl::StatusOr<CtgovFileInfo> info =
      ReadCtgovJson(absl::StrCat(R"({"studies":[)", deep, ",", kGoodStudy, "]}"), sink);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->studies, 2);
  ASSERT_THAT(sink.bad, SizeIs(1));
  EXPECT_EQ(sink.bad[0].record_path, "$.studies[0]");
  EXPECT_THAT(sink.bad[0].message,
              HasSubstr(absl::StrCat("nested deeper than ", kMaxCtgovJsonDepth, " levels")));
  EXPECT_LT(sink.bad[0].problem_path.size(), 4 * kMaxCtgovJsonDepth + 64);
  EXPECT_THAT(sink.studies, ElementsAre("$.studies[1]"));
  EXPECT_THAT(sink.problems, ElementsAre());
}

TEST(CtgovJsonRegressionTest, NestingUpToTheLimitIsRead) {
  // The study is at depth 3 ($, studies, the study), its "x" array at 4.
  const int arrays = static_cast<int>(kMaxCtgovJsonDepth) - 3;
  const std::string study = absl::StrCat(R"({"x":)", Repeat("[", arrays), Repeat("]", arrays),
                                         R"(,"protocolSection":{}})");
  RecordingSink sink;
  ASSERT_TRUE(ReadCtgovJson(absl::StrCat(R"({"studies":[)", study, "]}"), sink).ok());
  EXPECT_THAT(sink.studies, ElementsAre("$.studies[0]"));
  EXPECT_THAT(sink.bad, SizeIs(0));

  RecordingSink deeper;
  const std::string too_deep = absl::StrCat(R"({"x":)", Repeat("[", arrays + 1),
                                            Repeat("]", arrays + 1), R"(,"protocolSection":{}})");
  ASSERT_TRUE(ReadCtgovJson(absl::StrCat(R"({"studies":[)", too_deep, "]}"), deeper).ok());
  EXPECT_THAT(deeper.studies, SizeIs(0));
  ASSERT_THAT(deeper.bad, SizeIs(1));
  EXPECT_THAT(deeper.bad[0].message, HasSubstr("nested deeper than"));
}

TEST(CtgovJsonRegressionTest, TruncatedDeepFileIsReportedQuicklyWithAShortPath) {
  // The fuzzer's out-of-memory input: an unterminated tower of arrays.
  const std::string json = absl::StrCat(R"({"studies":[{"a":)", Repeat("[", 100000));
  RecordingSink sink;
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<CtgovFileInfo> info = ReadCtgovJson(json, sink);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  ASSERT_THAT(sink.bad, SizeIs(1));
  EXPECT_EQ(sink.bad[0].record_path, "$.studies[0]");
  EXPECT_THAT(sink.bad[0].message, HasSubstr("truncated JSON"));
  EXPECT_LT(sink.bad[0].problem_path.size(), 4 * kMaxCtgovJsonDepth + 64);
}

TEST(CtgovJsonRegressionTest, DeepArraysOutsideStudiesAreSkipped) {
  const int depth = 20000;
  RecordingSink sink;
  // A top-level array whose first element is an array (not a study), then a study.
  absl::StatusOr<CtgovFileInfo> info = ReadCtgovJson(
      absl::StrCat("[", Repeat("[", depth), Repeat("]", depth), ",", kGoodStudy, "]"), sink);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->studies, 2);
  ASSERT_THAT(sink.bad, SizeIs(1));
  EXPECT_THAT(sink.bad[0].message, HasSubstr("found an array"));
  EXPECT_THAT(sink.studies, ElementsAre("$[1]"));

  // Deep values under a page's other keys are skipped too (the first key
  // makes the object a page).
  RecordingSink page;
  info = ReadCtgovJson(absl::StrCat(R"({"totalCount":1,"extra":)", Repeat("{\"k\":", depth), "1",
                                    Repeat("}", depth), R"(,"studies":[)", kGoodStudy, "]}"),
                       page);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_THAT(page.studies, ElementsAre("$.studies[0]"));
  EXPECT_THAT(page.bad, SizeIs(0));
}

}  // namespace
}  // namespace regenatlas::catalog
