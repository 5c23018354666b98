// The WHO ICTRP CSV reader (services/catalog/ictrp_csv.h): the CSV form of
// the fixture's trials gives the same records as the XML, and malformed rows
// are per-record errors naming row and column.

#include "services/catalog/ictrp_csv.h"

#include <string>

#include "common/dates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/ictrp_xml.h"
#include "tests/services/catalog/registry_test_util.h"

namespace regenatlas::catalog {
namespace {

using ::testing::HasSubstr;
using testing_util::Fixture;
using testing_util::ReadAll;
using testing_util::ReadResult;

ReadResult ReadPath(const std::string& relative, bool xml) {
  absl::StatusOr<std::unique_ptr<ByteSource>> source = OpenFileSource(Fixture(relative));
  EXPECT_TRUE(source.ok()) << source.status();
  std::unique_ptr<RegistryReader> reader = xml ? NewIctrpXmlReader(*std::move(source), relative)
                                               : NewIctrpCsvReader(*std::move(source), relative);
  return ReadAll(*reader);
}

ReadResult ReadCsv(const std::string& csv) {
  std::unique_ptr<RegistryReader> reader = NewIctrpCsvReader(MemorySource(csv, 5), "t.csv");
  return ReadAll(*reader);
}

TEST(IctrpCsvFixtureTest, SameTrialsAsTheXml) {
  const ReadResult csv = ReadPath("ictrp/ictrp_subset.csv", false);
  const ReadResult xml = ReadPath("ictrp/ictrp_subset.xml", true);
  EXPECT_TRUE(csv.errors.empty()) << csv.errors[0].Describe();
  ASSERT_EQ(csv.records.size(), 110u);
  ASSERT_EQ(csv.records.size(), xml.records.size());
  for (size_t i = 0; i < csv.records.size(); ++i) {
    const RegistryRecord& c = csv.records[i];
    const RegistryRecord& x = xml.records[i];
    SCOPED_TRACE(x.primary_id.printed);
    EXPECT_EQ(c.format, RegistryFileFormat::kIctrpCsv);
    EXPECT_TRUE(c.location.csv);
    EXPECT_EQ(c.location.index, static_cast<int64_t>(i) + 2);  // Row 1 is the header.
    EXPECT_EQ(c.primary_id.id.id(), x.primary_id.id.id());
    EXPECT_EQ(c.source_registry, x.source_registry);
    EXPECT_EQ(c.public_title, x.public_title);
    EXPECT_EQ(c.scientific_title, x.scientific_title);
    EXPECT_EQ(c.primary_sponsor, x.primary_sponsor);
    EXPECT_EQ(FormatPartialDate(c.registration_date.date),
              FormatPartialDate(x.registration_date.date));
    EXPECT_EQ(c.start_date.printed, x.start_date.printed);
    EXPECT_EQ(FormatPartialDate(c.start_date.date), FormatPartialDate(x.start_date.date));
    EXPECT_EQ(c.status.printed, x.status.printed);
    EXPECT_EQ(c.status.status, x.status.status);
    EXPECT_EQ(c.phase.printed, x.phase.printed);
    EXPECT_EQ(c.phase.stage, x.phase.stage);
    ASSERT_EQ(c.countries.size(), x.countries.size());
    for (size_t k = 0; k < c.countries.size(); ++k) {
      EXPECT_EQ(c.countries[k].code, x.countries[k].code);
    }
    EXPECT_EQ(c.conditions, x.conditions);
    ASSERT_EQ(c.interventions.size(), x.interventions.size());
    EXPECT_EQ(c.target_size, x.target_size);
    EXPECT_EQ(c.url, x.url);
    EXPECT_EQ(c.notes.size(), x.notes.size());
  }
}

TEST(IctrpCsvTest, HeaderWithSpacesOrUnderscoresInAnyOrder) {
  const ReadResult result = ReadCsv(
      "\xEF\xBB\xBFPhase,Date_registration,TRIALID,Countries,Date enrollement\r\n"
      "Phase I/II,17/02/2020,ChiCTR2000029953,China;Japan,2020-02\r\n");
  ASSERT_EQ(result.records.size(), 1u) << result.errors[0].Describe();
  const RegistryRecord& r = result.records[0];
  EXPECT_EQ(r.phase.stage, common::v1::DEVELOPMENT_STAGE_PHASE_1_2);
  EXPECT_EQ(FormatPartialDate(r.registration_date.date), "2020-02-17");
  EXPECT_EQ(PrecisionOf(r.start_date.date), common::v1::DATE_PRECISION_MONTH);
  ASSERT_EQ(r.countries.size(), 2u);
  EXPECT_EQ(r.countries[1].code, "JP");
}

TEST(IctrpCsvTest, MalformedRowsAreErrorsNamingRowAndColumn) {
  const ReadResult result = ReadCsv(
      "TrialID,Public title,Date registration\n"
      "NCT04246242,ok,2020-01-27\n"
      "NCT04246243,too few\n"
      "NCT04246244,\"bad\"quote,2020-01-27\n"
      "NCT04246245,bad date,2020-31-01\n"
      "\"NCT04246246\",\"multi\nline\",2020-01-27\n"
      "NCT04246247,\xFF,2020-01-27\n");
  EXPECT_EQ(result.order, "reeere");
  ASSERT_EQ(result.errors.size(), 4u);
  EXPECT_EQ(result.errors[0].location.index, 3);
  EXPECT_THAT(result.errors[0].message, HasSubstr("2 fields; the header has 3"));
  EXPECT_EQ(result.errors[0].primary_id, "NCT04246243");
  EXPECT_EQ(result.errors[1].location.index, 4);
  EXPECT_EQ(result.errors[1].field, "Public title");
  EXPECT_EQ(result.errors[2].field, "Date registration");
  EXPECT_EQ(result.errors[2].Describe(),
            "t.csv: row 5 (line 5) NCT04246245, field Date registration: \"2020-31-01\" is not "
            "a date (31 is not a month (1..12, or 0 if unknown))");
  EXPECT_EQ(result.records[1].location.index, 6);
  EXPECT_EQ(result.records[1].public_title, "multi line");
  EXPECT_EQ(result.errors[3].location.index, 7);
  EXPECT_EQ(result.errors[3].location.line, 8);
  EXPECT_EQ(result.errors[3].field, "Public title");
  EXPECT_THAT(result.errors[3].message, HasSubstr("UTF-8"));
}

// Found by registry_csv_fuzzer: a header name that is not UTF-8 was quoted
// as is in the error naming its column.
TEST(IctrpCsvTest, ColumnNamesThatAreNotUtf8AreEscapedInErrors) {
  const ReadResult result = ReadCsv("TrialID,Title\xFF\nNCT04246242,\"bad\"quote\n");
  ASSERT_EQ(result.errors.size(), 1u);
  EXPECT_EQ(result.errors[0].field, "Title\\xff");
}

TEST(IctrpCsvTest, FileWithoutTrialIdColumnOrEmpty) {
  ReadResult result = ReadCsv("NCT Number,Study Title\nNCT04246242,x\n");
  ASSERT_EQ(result.order, "e");
  EXPECT_TRUE(result.errors[0].fatal);
  EXPECT_THAT(result.errors[0].message, HasSubstr("no \"TrialID\" column"));
  result = ReadCsv("");
  ASSERT_EQ(result.order, "e");
  EXPECT_THAT(result.errors[0].message, HasSubstr("empty"));
  result = ReadCsv("TrialID\n");
  EXPECT_EQ(result.order, "");
}

}  // namespace
}  // namespace regenatlas::catalog
