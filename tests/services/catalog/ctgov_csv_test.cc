// The ClinicalTrials.gov CSV reader (services/catalog/ctgov_csv.h) over the
// real download in tests/fixtures/ctgov-csv/ and small inline files.

#include "services/catalog/ctgov_csv.h"

#include <string>

#include "common/dates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/services/catalog/registry_test_util.h"

namespace regenatlas::catalog {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_util::Find;
using testing_util::Fixture;
using testing_util::ReadAll;
using testing_util::ReadResult;

constexpr char kFile[] = "ctgov-csv/ctg-studies_sample40.csv";

ReadResult ReadFixture() {
  absl::StatusOr<std::unique_ptr<ByteSource>> source = OpenFileSource(Fixture(kFile));
  EXPECT_TRUE(source.ok()) << source.status();
  std::unique_ptr<RegistryReader> reader = NewCtgovCsvReader(*std::move(source), kFile);
  return ReadAll(*reader);
}

ReadResult ReadCsv(const std::string& csv) {
  std::unique_ptr<RegistryReader> reader = NewCtgovCsvReader(MemorySource(csv, 3), "s.csv");
  return ReadAll(*reader);
}

TEST(CtgovCsvFixtureTest, ReadsEveryRow) {
  const ReadResult result = ReadFixture();
  EXPECT_TRUE(result.errors.empty()) << result.errors[0].Describe();
  ASSERT_EQ(result.records.size(), 40u);
  for (size_t i = 0; i < result.records.size(); ++i) {
    const RegistryRecord& r = result.records[i];
    EXPECT_EQ(r.location.index, static_cast<int64_t>(i) + 2);
    EXPECT_EQ(r.source_registry, common::v1::REGISTRY_NCT);
    EXPECT_EQ(r.format, RegistryFileFormat::kCtgovCsv);
    EXPECT_TRUE(r.status.known) << r.status.printed;
    EXPECT_TRUE(IsSet(r.start_date.date)) << r.primary_id.printed;
    EXPECT_EQ(r.url, "https://clinicaltrials.gov/study/" + r.primary_id.id.id());
  }
}

TEST(CtgovCsvFixtureTest, FirstRowExactly) {
  const ReadResult result = ReadFixture();
  const RegistryRecord& r = result.records[0];
  EXPECT_EQ(r.primary_id.printed, "NCT05388825");
  EXPECT_EQ(r.location.Describe(), "ctgov-csv/ctg-studies_sample40.csv: row 2 (line 2)");
  EXPECT_EQ(r.public_title,
            "Pharmacodynamic Study of TPN171H Tablets in Patients With Mild to Moderate "
            "Erectile Dysfunction");
  EXPECT_EQ(r.status.printed, "COMPLETED");
  EXPECT_EQ(r.status.status, v1::TRIAL_STATUS_COMPLETED);
  EXPECT_EQ(r.phase.printed, "PHASE2");
  EXPECT_EQ(r.phase.stage, common::v1::DEVELOPMENT_STAGE_PHASE_2);
  EXPECT_EQ(FormatPartialDate(r.start_date.date), "2022-08-01");
  EXPECT_EQ(FormatPartialDate(r.registration_date.date), "2022-05-24");
  EXPECT_EQ(r.primary_sponsor, "Vigonvita Life Sciences");
  EXPECT_TRUE(r.secondary_sponsors.empty());
  EXPECT_THAT(r.conditions, ElementsAre("Erectile Dysfunction"));
  ASSERT_EQ(r.interventions.size(), 5u);
  EXPECT_EQ(r.interventions[0].type, "DRUG");
  EXPECT_EQ(r.interventions[0].name, "TPN171H 2.5mg");
  EXPECT_EQ(r.target_size, 84);
  ASSERT_EQ(r.secondary_ids.size(), 1u);
  EXPECT_EQ(r.secondary_ids[0].printed, "TPN171H-E202");
  EXPECT_EQ(r.secondary_ids[0].id.registry(), common::v1::REGISTRY_UNSPECIFIED);
  ASSERT_EQ(r.countries.size(), 1u);
  EXPECT_EQ(r.countries[0].code, "CN");
  EXPECT_TRUE(r.notes.empty());
}

TEST(CtgovCsvFixtureTest, PrecisionsPhasesIdsAndCountries) {
  const ReadResult result = ReadFixture();
  const RegistryRecord* month = Find(result, "NCT01815593");
  ASSERT_NE(month, nullptr);
  EXPECT_EQ(month->start_date.printed, "2013-04");
  EXPECT_EQ(PrecisionOf(month->start_date.date), common::v1::DATE_PRECISION_MONTH);
  EXPECT_EQ(month->status.status, v1::TRIAL_STATUS_UNKNOWN);
  EXPECT_EQ(month->phase.printed, "NA");
  EXPECT_TRUE(month->phase.known);
  EXPECT_EQ(month->acronym, "EECPED");

  const RegistryRecord* p12 = Find(result, "NCT02087397");
  ASSERT_NE(p12, nullptr);
  EXPECT_EQ(p12->phase.printed, "PHASE1|PHASE2");
  EXPECT_EQ(p12->phase.stage, common::v1::DEVELOPMENT_STAGE_PHASE_1_2);
  EXPECT_EQ(p12->status.status, v1::TRIAL_STATUS_WITHDRAWN);
  EXPECT_EQ(p12->interventions[1].type, "BIOLOGICAL");
  EXPECT_EQ(p12->interventions[1].name, "AD-SVF Cell Injection");
  EXPECT_EQ(p12->countries[0].code, "US");

  const RegistryRecord* p23 = Find(result, "NCT02492386");
  ASSERT_NE(p23, nullptr);
  EXPECT_EQ(p23->phase.stage, common::v1::DEVELOPMENT_STAGE_PHASE_2_3);
  EXPECT_TRUE(p23->countries.empty());
  EXPECT_THAT(p23->secondary_sponsors, ElementsAre("Abbott"));

  // No phase printed at all (observational).
  const RegistryRecord* none = Find(result, "NCT03849586");
  ASSERT_NE(none, nullptr);
  EXPECT_EQ(none->phase.printed, "");
  EXPECT_EQ(none->status.status, v1::TRIAL_STATUS_ACTIVE_NOT_RECRUITING);
  EXPECT_THAT(none->secondary_sponsors,
              ElementsAre("Boston Scientific Corporation", "Coloplast A/S"));
  EXPECT_EQ(none->countries[0].code, "BE");

  // A EudraCT number behind a label among the Other IDs.
  const RegistryRecord* eu = Find(result, "NCT00382161");
  ASSERT_NE(eu, nullptr);
  ASSERT_EQ(eu->secondary_ids.size(), 2u);
  EXPECT_EQ(eu->secondary_ids[1].printed, "EudraCT-No.:2006-000284-28");
  EXPECT_EQ(eu->secondary_ids[1].id.registry(), common::v1::REGISTRY_EUDRACT);
  EXPECT_EQ(eu->secondary_ids[1].id.id(), "2006-000284-28");
  EXPECT_EQ(eu->countries[0].code, "DE");

  // "Korea, Republic of" has a comma of its own.
  const RegistryRecord* kr = Find(result, "NCT02742896");
  ASSERT_NE(kr, nullptr);
  ASSERT_EQ(kr->countries.size(), 1u);
  EXPECT_EQ(kr->countries[0].code, "KR");
  EXPECT_EQ(kr->target_size, 0);
}

TEST(CtgovCsvTest, MalformedRowsAreErrorsNamingRowAndColumn) {
  const ReadResult result = ReadCsv(
      "NCT Number,Study Title,Start Date,Phases\r\n"
      "NCT05388825,ok,2022-08,PHASE1\r\n"
      "NCT05388826,bad,August 2022x,PHASE1\r\n"
      "ISRCTN12345678,not nct,2022,\r\n"
      ",no id,2022,\r\n"
      "NCT0538882,short id,2022,\r\n"
      "NCT05388829,extra,2022,,\r\n"
      "NCT05388830,odd phase,2022,PHASE5\r\n");
  EXPECT_EQ(result.order, "reeeeer");
  EXPECT_EQ(result.errors[0].field, "Start Date");
  EXPECT_EQ(result.errors[0].location.index, 3);
  EXPECT_EQ(result.errors[1].field, "NCT Number");
  EXPECT_THAT(result.errors[1].message, HasSubstr("not an NCT number"));
  EXPECT_THAT(result.errors[2].message, HasSubstr("empty"));
  EXPECT_THAT(result.errors[3].message, HasSubstr("8 digits"));
  EXPECT_THAT(result.errors[4].message, HasSubstr("5 fields; the header has 4"));
  const RegistryRecord& odd = result.records[1];
  EXPECT_FALSE(odd.phase.known);
  ASSERT_EQ(odd.notes.size(), 1u);
  EXPECT_EQ(odd.notes[0].field, "Phases");
}

TEST(CtgovCsvTest, OnlyTheNctNumberColumnIsRequired) {
  ReadResult result = ReadCsv("Study Title,NCT Number\nx,NCT05388825\n");
  ASSERT_EQ(result.records.size(), 1u);
  EXPECT_EQ(result.records[0].public_title, "x");
  result = ReadCsv("TrialID,Public title\nNCT05388825,x\n");
  ASSERT_EQ(result.order, "e");
  EXPECT_THAT(result.errors[0].message, HasSubstr("no \"NCT Number\" column"));
}

}  // namespace
}  // namespace regenatlas::catalog
