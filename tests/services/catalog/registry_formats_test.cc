// Format detection and the reader factory (services/catalog/registry_formats.h)
// on the real fixtures and inline heads.

#include "services/catalog/registry_formats.h"

#include <cstdio>
#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/services/catalog/registry_test_util.h"

namespace regenatlas::catalog {
namespace {

using ::testing::HasSubstr;
using testing_util::Fixture;
using testing_util::ReadAll;
using testing_util::ReadResult;

TEST(DetectRegistryFormatTest, ByContent) {
  EXPECT_EQ(
      DetectRegistryFormat("<?xml version='1.0'?><Trials_downloaded_from_ICTRP>", "x.csv").format,
      RegistryFileFormat::kIctrpXml);
  EXPECT_EQ(DetectRegistryFormat("\xEF\xBB\xBF \n <Trials/>", "").format,
            RegistryFileFormat::kIctrpXml);
  EXPECT_EQ(DetectRegistryFormat(std::string("\xFF\xFE<\0?\0", 6), "").format,
            RegistryFileFormat::kIctrpXml);
  EXPECT_EQ(DetectRegistryFormat("  {\"studies\": []}", "x.csv").format,
            RegistryFileFormat::kCtgovJson);
  EXPECT_EQ(DetectRegistryFormat("[{}]", "").format, RegistryFileFormat::kCtgovJson);
  EXPECT_EQ(DetectRegistryFormat("NCT Number,Study Title\r\nNCT1,x", "").format,
            RegistryFileFormat::kCtgovCsv);
  EXPECT_EQ(DetectRegistryFormat("\xEF\xBB\xBFTrialID,Public title\r\n", "a.xml").format,
            RegistryFileFormat::kIctrpCsv);
  EXPECT_EQ(DetectRegistryFormat("\"Trial ID\",\"Date registration\"\n", "").format,
            RegistryFileFormat::kIctrpCsv);
  const DetectedFormat unknown = DetectRegistryFormat("id,title\n1,x\n", "a.csv");
  EXPECT_EQ(unknown.format, RegistryFileFormat::kUnknown);
  EXPECT_THAT(unknown.reason, HasSubstr("\"NCT Number\""));
  EXPECT_EQ(DetectRegistryFormat(std::string("\xFF\xFEi\0d\0", 6), "").format,
            RegistryFileFormat::kUnknown);
}

TEST(DetectRegistryFormatTest, ByExtensionOnlyWhenContentCannotTell) {
  EXPECT_EQ(DetectRegistryFormat("", "export.XML").format, RegistryFileFormat::kIctrpXml);
  EXPECT_EQ(DetectRegistryFormat(" \n", "page.json").format, RegistryFileFormat::kCtgovJson);
  EXPECT_EQ(DetectRegistryFormat("", "a.csv").format, RegistryFileFormat::kUnknown);
}

TEST(DetectRegistryFormatTest, RealFixtures) {
  struct Case {
    const char* file;
    RegistryFileFormat format;
  };
  for (const Case& c :
       {Case{"ictrp/ictrp_subset.xml", RegistryFileFormat::kIctrpXml},
        Case{"ictrp/ictrp_subset.csv", RegistryFileFormat::kIctrpCsv},
        Case{"ctgov-csv/ctg-studies_sample40.csv", RegistryFileFormat::kCtgovCsv},
        Case{"ctgov/aact__json_v2_NCT02552212.json", RegistryFileFormat::kCtgovJson}}) {
    absl::StatusOr<DetectedFormat> d = DetectRegistryFileFormat(Fixture(c.file));
    ASSERT_TRUE(d.ok()) << d.status();
    EXPECT_EQ(d->format, c.format) << c.file << ": " << d->reason;
  }
}

TEST(OpenRegistryFileTest, OpensEachFormatWithItsReader) {
  struct Case {
    const char* file;
    size_t records;
  };
  for (const Case& c : {Case{"ictrp/ictrp_subset.xml", 110}, Case{"ictrp/ictrp_subset.csv", 110},
                        Case{"ctgov-csv/ctg-studies_sample40.csv", 40}}) {
    DetectedFormat detected;
    absl::StatusOr<std::unique_ptr<RegistryReader>> reader =
        OpenRegistryFile(Fixture(c.file), &detected);
    ASSERT_TRUE(reader.ok()) << reader.status();
    const ReadResult result = ReadAll(**reader);
    EXPECT_EQ(result.records.size(), c.records) << c.file;
    EXPECT_TRUE(result.errors.empty()) << c.file;
    EXPECT_EQ(result.records[0].format, detected.format);
    EXPECT_EQ(result.records[0].location.file, Fixture(c.file));
  }
}

TEST(OpenRegistryFileTest, RefusesWhatItCannotRead) {
  absl::StatusOr<std::unique_ptr<RegistryReader>> reader =
      OpenRegistryFile(Fixture("ctgov/aact__json_v2_NCT02552212.json"));
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kFailedPrecondition);
  reader = OpenRegistryFile(Fixture("no/such/file.csv"));
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(reader.status().message()), HasSubstr("file.csv"));

  const std::string path = ::testing::TempDir() + "/unknown_registry.csv";
  std::ofstream(path) << "id,title\n1,x\n";
  reader = OpenRegistryFile(path);
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(reader.status().message()), HasSubstr("TrialID"));
  std::remove(path.c_str());
}

}  // namespace
}  // namespace regenatlas::catalog
