// The CLI's summary and exit status (cli::RunImport) over registry files:
// the WHO ICTRP export and the ClinicalTrials.gov CSV download.
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cmd/regenatlas/import.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/temp_dir.h"

namespace regenatlas::catalog {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string kRoot = REGENATLAS_SOURCE_DIR "/tests/fixtures/";
const std::string kIctrpXml = kRoot + "ictrp/ictrp_subset.xml";
const std::string kCtgovCsv = kRoot + "ctgov-csv/ctg-studies_sample40.csv";

// The CLI's summary over the same importer: counts that match its lists,
// values no table knows listed once, exit status 1 on any rejection.
class ImportCommandTest : public ::testing::Test {
 protected:
  int Run(const std::string& registry, const std::vector<std::string>& paths) {
    cli::ImportOptions o;
    o.registry = registry;
    o.paths = paths;
    o.data_dir = dir_.Sub("db");
    o.dataset = "none";
    o.progress = "false";
    out_.str("");
    err_.str("");
    return cli::RunImport(o, out_, err_);
  }

  testing::TempDir dir_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(ImportCommandTest, IctrpSummaryAndUnknownValuesInOnePlace) {
  EXPECT_EQ(Run("ictrp", {kIctrpXml}), 0) << err_.str();
  const std::string out = out_.str();
  EXPECT_THAT(out, HasSubstr("Imported 1 file, 110 records from WHO ICTRP"));
  EXPECT_THAT(out, HasSubstr("  created                110\n"));
  EXPECT_THAT(out, HasSubstr("  rejected               0\n"));
  EXPECT_THAT(out, HasSubstr("Values not in the mapping tables"));
  EXPECT_THAT(out, HasSubstr("  country \"Wuhan\": 1 record (first "));
  EXPECT_THAT(out, HasSubstr("  phase \"0\": 19 records (first "));
  // Listed there, not again among the warnings.
  EXPECT_THAT(out, Not(HasSubstr("unknown country \"Wuhan\"")));

  EXPECT_EQ(Run("ictrp", {kIctrpXml}), 0) << err_.str();
  EXPECT_THAT(out_.str(), HasSubstr("  unchanged              110\n"));
}

TEST_F(ImportCommandTest, RejectedFileIsCountedAndExitsOne) {
  const std::string text = dir_.Sub("notes.json");
  std::ofstream(text) << "not json at all\n";
  EXPECT_EQ(Run("ctgov", {text, kCtgovCsv}), 1);
  const std::string out = out_.str();
  EXPECT_THAT(out, HasSubstr("Imported 2 files, 40 records from ClinicalTrials.gov"));
  EXPECT_THAT(out, HasSubstr("  created                40\n"));
  EXPECT_THAT(out, HasSubstr("  rejected               1\n"));
  EXPECT_THAT(out, HasSubstr("Rejected:\n  " + text + ": $: invalid JSON at byte "));

  EXPECT_EQ(Run("ictrp", {kCtgovCsv}), 1);
  EXPECT_THAT(out_.str(), HasSubstr("  rejected               1\n"));
  EXPECT_THAT(out_.str(), HasSubstr("ClinicalTrials.gov CSV"));
}

}  // namespace
}  // namespace regenatlas::catalog
