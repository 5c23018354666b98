// Value normalisation for registry files (services/catalog/registry_values.h):
// dates and their precision, status, phase, countries, IDs, target sizes.

#include "services/catalog/registry_values.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace regenatlas::catalog {
namespace {

using common::v1::DevelopmentStage;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

struct DateCase {
  const char* text;
  int year, month, day;
};

TEST(ParseRegistryDateTest, ReadsEachPrintedFormAtItsPrecision) {
  const DateCase cases[] = {
      {"2020", 2020, 0, 0},
      {"2020-02", 2020, 2, 0},
      {"2020-02-17", 2020, 2, 17},
      {"2020/2/17", 2020, 2, 17},
      {"2020.02.17", 2020, 2, 17},
      {"20200217", 2020, 2, 17},
      {"17/02/2020", 2020, 2, 17},
      {"30/08/2007", 2007, 8, 30},
      {"06/02/2020", 2020, 2, 6},  // ICTRP: day first.
      {"3/18/2020", 2020, 3, 18},  // 18 cannot be a month.
      {"17 February 2020", 2020, 2, 17},
      {"February 9, 2020", 2020, 2, 9},
      {"January 1996", 1996, 1, 0},
      {"Sept 2019", 2019, 9, 0},
      {"17-Feb-2020", 2020, 2, 17},
      {"2020年2月17日", 2020, 2, 17},
      {"2020年2月", 2020, 2, 0},
      {"  2020-02-29 ", 2020, 2, 29},
  };
  for (const DateCase& c : cases) {
    absl::StatusOr<PrintedDate> d = ParseRegistryDate(c.text);
    ASSERT_TRUE(d.ok()) << c.text << ": " << d.status();
    EXPECT_EQ(d->date.year(), c.year) << c.text;
    EXPECT_EQ(d->date.month(), c.month) << c.text;
    EXPECT_EQ(d->date.day(), c.day) << c.text;
  }
  absl::StatusOr<PrintedDate> empty = ParseRegistryDate("   ");
  ASSERT_TRUE(empty.ok());
  EXPECT_EQ(empty->date.year(), 0);
  EXPECT_EQ(ParseRegistryDate(" January 1996 ")->printed, "January 1996");
}

TEST(ParseRegistryDateTest, RejectsWhatIsNotADate) {
  for (const char* text : {"2020-13-01", "2019-02-29", "31/04/2020", "13/13/2020", "Febtember 2020",
                           "soon", "20-02-17", "2020-02-17-01", "2020-002-17", "1/2020"}) {
    absl::StatusOr<PrintedDate> d = ParseRegistryDate(text);
    EXPECT_FALSE(d.ok()) << text;
    EXPECT_THAT(std::string(d.status().message()), HasSubstr(std::string("\"") + text)) << text;
  }
}

struct PhaseCase {
  const char* text;
  DevelopmentStage stage;
  bool known;
};

TEST(NormalizePhaseTest, NormalisesUnambiguousSpellings) {
  using common::v1::DEVELOPMENT_STAGE_EARLY_PHASE_1;
  using common::v1::DEVELOPMENT_STAGE_PHASE_1;
  using common::v1::DEVELOPMENT_STAGE_PHASE_1_2;
  using common::v1::DEVELOPMENT_STAGE_PHASE_2;
  using common::v1::DEVELOPMENT_STAGE_PHASE_2_3;
  using common::v1::DEVELOPMENT_STAGE_PHASE_3;
  constexpr DevelopmentStage kNone = common::v1::DEVELOPMENT_STAGE_UNSPECIFIED;
  const PhaseCase cases[] = {
      {"Phase 1", DEVELOPMENT_STAGE_PHASE_1, true},
      {"1", DEVELOPMENT_STAGE_PHASE_1, true},
      {"Phase I", DEVELOPMENT_STAGE_PHASE_1, true},
      {"Phase 1b", DEVELOPMENT_STAGE_PHASE_1, true},
      {"1-2", DEVELOPMENT_STAGE_PHASE_1_2, true},
      {"Phase 1/Phase 2", DEVELOPMENT_STAGE_PHASE_1_2, true},
      {"I/II", DEVELOPMENT_STAGE_PHASE_1_2, true},
      {"Phase I/IIa", DEVELOPMENT_STAGE_PHASE_1_2, true},
      {"PHASE1|PHASE2", DEVELOPMENT_STAGE_PHASE_1_2, true},
      {"II期", DEVELOPMENT_STAGE_PHASE_2, true},
      {"Ⅱ期", DEVELOPMENT_STAGE_PHASE_2, true},
      {"Ⅰ/Ⅱ期", DEVELOPMENT_STAGE_PHASE_1_2, true},
      {"第二期", DEVELOPMENT_STAGE_PHASE_2, true},
      {"Phase 2/Phase 3", DEVELOPMENT_STAGE_PHASE_2_3, true},
      {"PHASE3", DEVELOPMENT_STAGE_PHASE_3, true},
      {"Early Phase 1", DEVELOPMENT_STAGE_EARLY_PHASE_1, true},
      {"EARLY_PHASE1", DEVELOPMENT_STAGE_EARLY_PHASE_1, true},
      {"Phase 0", DEVELOPMENT_STAGE_EARLY_PHASE_1, true},
      // Known, but no catalog stage.
      {"Phase 4", kNone, true},
      {"4", kNone, true},
      {"PHASE4", kNone, true},
      {"N/A", kNone, true},
      {"NA", kNone, true},
      {"Not Applicable", kNone, true},
      {"Retrospective study", kNone, true},
      {"New Treatment Measure Clinical Study", kNone, true},
      // Ambiguous or unknown: kept as printed only.
      {"0", kNone, false},
      {"Phase 1/Phase 3", kNone, false},
      {"Phase 3/4", kNone, false},
      {"Pilot", kNone, false},
      {"", kNone, false},
  };
  for (const PhaseCase& c : cases) {
    const PrintedPhase p = NormalizePhase(c.text);
    EXPECT_EQ(p.stage, c.stage) << c.text;
    EXPECT_EQ(p.known, c.known) << c.text;
    EXPECT_EQ(p.printed, c.text);
  }
}

TEST(NormalizeStatusTest, MapsCtgovAndIctrpSpellings) {
  using v1::TrialStatus;
  const std::pair<const char*, TrialStatus> cases[] = {
      {"Recruiting", v1::TRIAL_STATUS_RECRUITING},
      {"RECRUITING", v1::TRIAL_STATUS_RECRUITING},
      {"NOT_YET_RECRUITING", v1::TRIAL_STATUS_NOT_YET_RECRUITING},
      {"Not yet recruiting", v1::TRIAL_STATUS_NOT_YET_RECRUITING},
      {"Pending", v1::TRIAL_STATUS_NOT_YET_RECRUITING},
      {"Active, not recruiting", v1::TRIAL_STATUS_ACTIVE_NOT_RECRUITING},
      {"ACTIVE_NOT_RECRUITING", v1::TRIAL_STATUS_ACTIVE_NOT_RECRUITING},
      {"Completed", v1::TRIAL_STATUS_COMPLETED},
      {"WITHDRAWN", v1::TRIAL_STATUS_WITHDRAWN},
      {"Terminated", v1::TRIAL_STATUS_TERMINATED},
      {"Suspended", v1::TRIAL_STATUS_SUSPENDED},
      {"UNKNOWN", v1::TRIAL_STATUS_UNKNOWN},
      // ICTRP's "Not recruiting" covers not-yet, active and closed trials.
      {"Not Recruiting", v1::TRIAL_STATUS_UNSPECIFIED},
      {"not recruiting", v1::TRIAL_STATUS_UNSPECIFIED},
  };
  for (const auto& [text, status] : cases) {
    const PrintedStatus s = NormalizeStatus(text);
    EXPECT_EQ(s.status, status) << text;
    EXPECT_TRUE(s.known) << text;
    EXPECT_EQ(s.printed, text);
  }
  const PrintedStatus odd = NormalizeStatus("Recruiting soon-ish");
  EXPECT_FALSE(odd.known);
  EXPECT_EQ(odd.status, v1::TRIAL_STATUS_UNSPECIFIED);
  EXPECT_EQ(odd.printed, "Recruiting soon-ish");
}

TEST(MapCountriesTest, MapsKnownNamesKeepsUnknownOnesAndDropsRepeats) {
  const std::vector<PrintedCountry> c = MapCountries(
      {"United States", "Korea, Republic of", "United States", "china", "Chian", "Chian", " "});
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0].code, "US");
  EXPECT_EQ(c[1].code, "KR");
  EXPECT_EQ(c[2].code, "CN");
  EXPECT_EQ(c[2].printed, "china");
  EXPECT_EQ(c[3].code, "");
  EXPECT_EQ(c[3].printed, "Chian");
}

TEST(ReadRegistryIdTest, ParsesIdsAlsoInsideLabels) {
  PrintedRegistryId id = ReadRegistryId(" NCT04246242 ");
  EXPECT_EQ(id.printed, "NCT04246242");
  EXPECT_EQ(id.id.registry(), common::v1::REGISTRY_NCT);
  EXPECT_TRUE(id.problem.empty());

  id = ReadRegistryId("EudraCT-No.:2006-000284-28");
  EXPECT_EQ(id.id.registry(), common::v1::REGISTRY_EUDRACT);
  EXPECT_EQ(id.id.id(), "2006-000284-28");
  EXPECT_EQ(id.printed, "EudraCT-No.:2006-000284-28");

  id = ReadRegistryId("EudraCT-No.:2006-000284-28", /*in_label=*/false);
  EXPECT_EQ(id.id.registry(), common::v1::REGISTRY_UNSPECIFIED);
  EXPECT_FALSE(id.problem.empty());

  id = ReadRegistryId("TPN171H-E202");
  EXPECT_EQ(id.id.registry(), common::v1::REGISTRY_UNSPECIFIED);
  EXPECT_EQ(id.id.id(), "");
  EXPECT_THAT(id.problem, HasSubstr("not a recognised registry ID"));
}

TEST(ParseTargetSizeTest, PlainNumbersAndChiCtrGroups) {
  EXPECT_EQ(ParseTargetSize("500"), 500);
  EXPECT_EQ(ParseTargetSize("0"), 0);
  EXPECT_EQ(ParseTargetSize("Case series:100;"), 100);
  EXPECT_EQ(ParseTargetSize("Experimental group:30;Control group:30;"), 60);
  EXPECT_EQ(ParseTargetSize("Group 1:700;Group 2:605;"), 1305);
  EXPECT_EQ(ParseTargetSize(""), std::nullopt);
  EXPECT_EQ(ParseTargetSize("about 50"), std::nullopt);
  EXPECT_EQ(ParseTargetSize("a:1;b:many"), std::nullopt);
  EXPECT_EQ(ParseTargetSize("3000000000"), std::nullopt);
  EXPECT_EQ(ParseTargetSize("a:2000000000;b:2000000000"), std::nullopt);
}

TEST(TextTest, PrintableUtf8EscapesOnlyBrokenText) {
  EXPECT_EQ(PrintableUtf8("Date \xE7\x99\xBB\xE8\xAE\xB0"), "Date \xE7\x99\xBB\xE8\xAE\xB0");
  EXPECT_EQ(PrintableUtf8("Title\xFF\xFE"), "Title\\xff\\xfe");
}

TEST(TextTest, CleanSplitAndInterventionTypes) {
  EXPECT_EQ(CleanText("  Title   with\n<br>  padding        "), "Title with padding");
  EXPECT_THAT(SplitList("Virus; Pneumonia;\n<br>COVID-19;;", ";"),
              ElementsAre("Virus", "Pneumonia", "COVID-19"));
  RegistryIntervention i = SplitInterventionType("DRUG: TPN171H 2.5mg");
  EXPECT_EQ(i.type, "DRUG");
  EXPECT_EQ(i.name, "TPN171H 2.5mg");
  i = SplitInterventionType("Biological: Dental pulp mesenchymal stem cells");
  EXPECT_EQ(i.type, "Biological");
  i = SplitInterventionType("COMBINATION_PRODUCT: UC-MSCs and PRP");
  EXPECT_EQ(i.type, "COMBINATION_PRODUCT");
  EXPECT_EQ(i.name, "UC-MSCs and PRP");
  i = SplitInterventionType("experimental group:mesenchymal stem cells");
  EXPECT_EQ(i.type, "");
  EXPECT_EQ(i.name, "experimental group:mesenchymal stem cells");
}

}  // namespace
}  // namespace regenatlas::catalog
