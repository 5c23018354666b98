// The importer's parser-thread pipeline: events in file order whatever the
// chunk and queue sizes, a consumer failure stops the reading, and through
// the importer: many records, rejections with file, record and field, an
// idempotent re-import, and resumption after the process dies mid-import.
#include "services/catalog/ctgov_pipeline.h"

#include <unistd.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/catalog.h"
#include "services/catalog/ctgov_import.h"
#include "storage/store.h"
#include "tests/testing/temp_dir.h"

namespace regenatlas::catalog {
namespace {

using ::testing::ElementsAre;

// A small study; `bad` = 1 gives it a wrong type, 2 invalid UTF-8.
std::string StudyJson(int i, int bad = 0) {
  return absl::StrFormat(
      R"({"protocolSection":{"identificationModule":{"nctId":"NCT1%07d","briefTitle":"Study %s"},)"
      R"("statusModule":{"overallStatus":"RECRUITING","startDateStruct":{"date":"2020-0%d"}},)"
      R"("sponsorCollaboratorsModule":{"leadSponsor":{"name":"Sponsor %d","class":"OTHER"}},)"
      R"("designModule":{"phases":[%s],"enrollmentInfo":{"count":%d}},)"
      R"("conditionsModule":{"conditions":["Condition %d"]},)"
      R"("contactsLocationsModule":{"locations":[{"country":"France"}]}},)"
      R"("derivedSection":{"miscInfoModule":{"versionHolder":"2024-01-02"}},"hasResults":false})",
      i, bad == 2 ? absl::StrCat(i, " \xff") : absl::StrCat(i), 1 + i % 9, i % 37,
      bad == 1 ? "2" : "\"PHASE2\"", 10 + i, i % 11);
}

// A search page of `n` studies; every `bad_every`-th is bad (alternating
// the two kinds), none when 0.
std::string Page(int n, int bad_every) {
  std::string out = R"({"studies":[)";
  for (int i = 0; i < n; ++i) {
    if (i > 0) out += ",";
    const bool bad = bad_every > 0 && i % bad_every == bad_every - 1;
    out += StudyJson(i, bad ? 1 + (i / bad_every) % 2 : 0);
  }
  return out + R"(],"totalCount":)" + std::to_string(n) + "}";
}

// The events a direct, single-threaded read reports, as text.
class RecordingSink : public CtgovJsonSink {
 public:
  absl::Status OnStudy(const std::string& path, const rapidjson::Value&) override {
    events.push_back("study " + path);
    return absl::OkStatus();
  }
  void OnBadRecord(const std::string& record_path, const std::string& problem_path,
                   const std::string&, const std::string& message) override {
    events.push_back(absl::StrCat("bad ", record_path, " ", problem_path, " ", message));
  }
  void OnFileProblem(bool error, const std::string& path, const std::string& message) override {
    events.push_back(absl::StrCat("file ", error, " ", path, " ", message));
  }
  void OnProgress(int64_t bytes_read) override {
    events.push_back(absl::StrCat("progress ", bytes_read));
  }
  std::vector<std::string> events;
};

std::string Describe(const CtgovEvent& e) {
  switch (e.kind) {
    case CtgovEvent::Kind::kStudy:
      return "study " + e.study.path;
    case CtgovEvent::Kind::kBadRecord:
      return absl::StrCat("bad ", e.record_path, " ", e.problem_path, " ", e.message);
    case CtgovEvent::Kind::kFileProblem:
      return absl::StrCat("file ", e.error, " ", e.problem_path, " ", e.message);
    case CtgovEvent::Kind::kProgress:
      return absl::StrCat("progress ", e.bytes_read);
  }
  return "";
}

TEST(CtgovPipelineTest, EventsArriveInFileOrderWhateverTheChunkAndQueueSizes) {
  // Invalid UTF-8 is a bad record of the reader; cut off at the end, the
  // file ends inside a record (a bad record and nothing after it).
  std::string json = Page(300, 7);
  json.resize(json.size() - 2000);
  RecordingSink direct;
  ASSERT_TRUE(ReadCtgovJson(json, direct).ok());
  for (const CtgovPipelineOptions& options :
       {CtgovPipelineOptions{1, 1}, CtgovPipelineOptions{3, 2}, CtgovPipelineOptions{}}) {
    std::vector<std::string> events;
    absl::StatusOr<CtgovFileInfo> info =
        RunCtgovPipeline([&json](CtgovJsonSink& sink) { return ReadCtgovJson(json, sink); },
                         [&events](CtgovEvent& e) {
                           events.push_back(Describe(e));
                           return absl::OkStatus();
                         },
                         options);
    ASSERT_TRUE(info.ok()) << info.status();
    EXPECT_EQ(events, direct.events);
  }
}

TEST(CtgovPipelineTest, StudiesAreReadOnTheParserThreadWithRejections) {
  const std::string json = Page(14, 7);
  std::vector<std::string> rejected;
  int studies = 0;
  absl::StatusOr<CtgovFileInfo> info =
      RunCtgovPipeline([&json](CtgovJsonSink& sink) { return ReadCtgovJson(json, sink); },
                       [&](CtgovEvent& e) {
                         if (e.kind != CtgovEvent::Kind::kStudy) return absl::OkStatus();
                         ++studies;
                         if (e.study.rejection.has_value()) {
                           rejected.push_back(absl::StrCat(e.study.rejection->problem_path, ": ",
                                                           e.study.rejection->message, " (",
                                                           e.study.rejection->nct_id, ")"));
                         }
                         return absl::OkStatus();
                       });
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->studies, 14);
  EXPECT_EQ(info->total_count, 14);
  // studies[6] has a wrong type (a study event, rejected when read);
  // studies[13] invalid UTF-8 (a bad record of the reader, no study event).
  EXPECT_EQ(studies, 13);
  EXPECT_THAT(rejected, ElementsAre("$.studies[6].protocolSection.designModule.phases[0]: "
                                    "expected a string, found a number (NCT10000006)"));
}

// `prepare` (the importer classifies there) sees every study that was read,
// on the parser thread, before the consumer gets it; rejected records are
// not prepared.
TEST(CtgovPipelineTest, PrepareRunsOnTheParserThreadBeforeTheStudyIsConsumed) {
  const std::string json = Page(14, 7);
  const std::thread::id consumer = std::this_thread::get_id();
  std::atomic<int> prepared{0};
  std::atomic<bool> on_consumer_thread{false};
  CtgovPipelineOptions options{3, 2};
  options.prepare = [&](ctgov::Study& s) {
    if (std::this_thread::get_id() == consumer) on_consumer_thread = true;
    ++prepared;
    s.title = absl::StrCat("prepared ", s.nct_id);
  };
  std::vector<std::string> titles;
  absl::StatusOr<CtgovFileInfo> info =
      RunCtgovPipeline([&json](CtgovJsonSink& sink) { return ReadCtgovJson(json, sink); },
                       [&](CtgovEvent& e) {
                         if (e.kind == CtgovEvent::Kind::kStudy && e.study.study.has_value()) {
                           titles.push_back(e.study.study->title.value_or(""));
                         }
                         return absl::OkStatus();
                       },
                       options);
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_FALSE(on_consumer_thread);
  // 14 records: one rejected when read, one a bad record of the reader.
  EXPECT_EQ(prepared.load(), 12);
  ASSERT_EQ(titles.size(), 12u);
  EXPECT_EQ(titles[0], "prepared NCT10000000");
  EXPECT_EQ(titles[11], "prepared NCT10000012");
}

TEST(CtgovPipelineTest, AConsumerFailureStopsTheReadingAndIsReturned) {
  const std::string json = Page(5000, 0);
  int consumed = 0;
  int read_studies = 0;
  absl::StatusOr<CtgovFileInfo> info = RunCtgovPipeline(
      [&](CtgovJsonSink& sink) {
        absl::StatusOr<CtgovFileInfo> r = ReadCtgovJson(json, sink);
        if (r.ok()) read_studies = r->studies;
        return r;
      },
      [&consumed](CtgovEvent& e) {
        if (e.kind == CtgovEvent::Kind::kStudy && ++consumed == 10) {
          return absl::UnavailableError("disk on fire");
        }
        return absl::OkStatus();
      },
      CtgovPipelineOptions{4, 2});
  EXPECT_EQ(info.status(), absl::UnavailableError("disk on fire"));
  EXPECT_EQ(consumed, 10);
  // The reader stopped at the cancellation instead of reading the rest.
  EXPECT_EQ(read_studies, 0);
}

class CtgovBulkImportTest : public ::testing::Test {
 protected:
  // Imports `path` into the store in dir_ with a new importer.
  v1::ImportClinicalTrialsResponse Import(const std::string& path, uint64_t* last_seq = nullptr,
                                          std::function<void()> after_record = nullptr) {
    storage::StoreOptions store_options;
    store_options.path = dir_.Sub("db");
    store_options.sync_writes = false;
    auto store = storage::Store::Open(store_options);
    EXPECT_TRUE(store.ok()) << store.status();
    if (!store.ok()) return {};
    Catalog catalog(store->get(), CatalogOptions{});
    CtgovImportOptions options;
    options.sync_writes = false;
    options.record_details = false;
    if (after_record) {
      options.progress = [&](absl::string_view, int64_t, int64_t,
                             const v1::ImportClinicalTrialsResponse&) { after_record(); };
    }
    auto importer = CtgovImporter::Create(&catalog, options);
    EXPECT_TRUE(importer.ok()) << importer.status();
    EXPECT_TRUE((*importer)->ImportFile(path).ok());
    EXPECT_TRUE((*importer)->Sync().ok());
    for (int i = 0; i < 3000; i += 97) {
      absl::StatusOr<Trial> t = catalog.GetTrial(absl::StrFormat("NCT1%07d", i));
      const bool bad = i % 13 == 12;
      EXPECT_EQ(t.ok(), !bad) << i << ": " << t.status();
      if (t.ok()) {
        EXPECT_EQ(t->title(), absl::StrCat("Study ", i));
      }
    }
    if (last_seq != nullptr) *last_seq = (*store)->LastChangeSeq();
    return (*importer)->summary();
  }

  std::string WritePage() {
    const std::string path = dir_.Sub("page.json");
    std::ofstream(path, std::ios::binary) << Page(3000, 13);
    return path;
  }

  testing::TempDir dir_;
};

TEST_F(CtgovBulkImportTest, ManyRecordsWithRejectionsThenAnIdempotentReimport) {
  const std::string path = WritePage();
  uint64_t seq1 = 0;
  v1::ImportClinicalTrialsResponse first = Import(path, &seq1);
  EXPECT_EQ(first.records(), 3000);
  EXPECT_EQ(first.rejected(), 3000 / 13);
  EXPECT_EQ(first.created(), 3000 - 3000 / 13);
  EXPECT_EQ(first.organizations_created(), 37);
  ASSERT_GE(first.problems_size(), 2);
  // Rejections name the file, the record's field and its NCT ID, in file order.
  EXPECT_EQ(first.problems(0).file(), path);
  EXPECT_EQ(first.problems(0).path(), "$.studies[12].protocolSection.designModule.phases[0]");
  EXPECT_EQ(first.problems(0).nct_id(), "NCT10000012");
  EXPECT_EQ(first.problems(1).path(),
            "$.studies[25].protocolSection.identificationModule.briefTitle");
  EXPECT_EQ(first.problems(1).message(), "invalid UTF-8 in a string");

  uint64_t seq2 = 0;
  v1::ImportClinicalTrialsResponse second = Import(path, &seq2);
  EXPECT_EQ(second.unchanged(), first.created());
  EXPECT_EQ(second.created() + second.updated() + second.versions_recorded(), 0);
  EXPECT_EQ(second.rejected(), first.rejected());
  EXPECT_EQ(second.organizations_created(), 0);
  EXPECT_EQ(seq2, seq1) << "a re-import wrote something";
}

TEST_F(CtgovBulkImportTest, ResumesAfterTheProcessDiesMidImport) {
  // The "fast" death-test style (fork, no exec) keeps dir_ in the child;
  // no thread runs yet when it forks.
  const std::string path = WritePage();
  // Dies without closing the store (no flush, no destructor), like kill -9
  // in the middle of the file.
  EXPECT_EXIT(
      {
        int records = 0;
        Import(path, nullptr, [&records] {
          if (++records == 1200) _exit(9);
        });
      },
      ::testing::ExitedWithCode(9), "");
  v1::ImportClinicalTrialsResponse resumed = Import(path);
  EXPECT_EQ(resumed.records(), 3000);
  EXPECT_EQ(resumed.rejected(), 3000 / 13);
  EXPECT_GT(resumed.unchanged(), 0);
  EXPECT_GT(resumed.created(), 0);
  EXPECT_EQ(resumed.created() + resumed.unchanged(), 3000 - 3000 / 13);
  v1::ImportClinicalTrialsResponse again = Import(path);
  EXPECT_EQ(again.unchanged(), 3000 - 3000 / 13);
}

}  // namespace
}  // namespace regenatlas::catalog
