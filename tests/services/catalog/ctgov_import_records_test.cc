// The ClinicalTrials.gov importer: trials linked by any registry id, broken
// input rejected record by record, in-memory imports, the value tables.

#include "tests/services/catalog/ctgov_import_fixture.h"

namespace regenatlas::catalog::ctgov_testing {
namespace {

TEST_F(CtgovImportTest, TrialHoldingTheEudraCtIdIsLinkedNotDuplicated) {
  Source src;
  src.set_title("A review");
  src.set_kind(v1::SOURCE_KIND_REVIEW);
  ASSERT_TRUE(catalog_->sources().Create("review", src).ok());
  Trial eu;
  eu.mutable_primary_id()->set_id("2015-001894-41");
  eu.set_phase(common::v1::DEVELOPMENT_STAGE_PHASE_3);
  eu.add_sources()->set_source("sources/review");
  ASSERT_TRUE(catalog_->CreateTrial("", eu).ok());

  v1::ImportClinicalTrialsResponse s = Import({kStudy1});
  EXPECT_EQ(s.updated(), 1);
  EXPECT_EQ(s.created(), 0);
  Trial t;
  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT02552212", &t));
  EXPECT_EQ(t.name(), "trials/2015-001894-41");
  EXPECT_EQ(t.primary_id().id(), "2015-001894-41");
  ASSERT_EQ(t.secondary_ids_size(), 1);
  EXPECT_EQ(t.secondary_ids(0).id(), "NCT02552212");
  EXPECT_EQ(catalog_->ListTrials({100, "", "", ""})->items.size(), 1u);
  // The curated citation stays; the registry's is added.
  ASSERT_EQ(t.sources_size(), 2);
  EXPECT_EQ(t.sources(0).source(), "sources/review");
}

TEST_F(CtgovImportTest, SecondaryIdOfAnotherTrialStaysAnAlias) {
  Source src;
  src.set_title("A review");
  src.set_kind(v1::SOURCE_KIND_REVIEW);
  ASSERT_TRUE(catalog_->sources().Create("review", src).ok());
  for (const char* id : {"2015-001894-41", "NCT02552212"}) {
    Trial trial;
    trial.mutable_primary_id()->set_id(id);
    trial.add_sources()->set_source("sources/review");
    ASSERT_TRUE(catalog_->CreateTrial("", trial).ok());
  }
  v1::ImportClinicalTrialsResponse s = Import({kStudy1});
  EXPECT_EQ(s.updated(), 1);
  EXPECT_THAT(Problems(s, v1::IMPORT_PROBLEM_SEVERITY_WARNING),
              ElementsAre("$.protocolSection.identificationModule.secondaryIdInfos[0].id: "
                          "2015-001894-41 already belongs to trials/2015-001894-41; kept as an "
                          "alias of this trial"));
  Trial t;
  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT02552212", &t));
  EXPECT_EQ(t.name(), "trials/nct02552212");
  EXPECT_THAT(t.secondary_ids(), IsEmpty());
  ASSERT_EQ(t.aliases_size(), 2);
  EXPECT_EQ(t.aliases(0).id(), "2015-001894-41");
  EXPECT_EQ(t.aliases(0).type(), "EUDRACT_NUMBER");
}

// Broken inputs derived from the fixtures: exact paths, the import goes on,
// and a rejected record leaves nothing behind.
TEST_F(CtgovImportTest, TruncatedPageKeepsTheRecordsBeforeTheCut) {
  const std::string page = ReadFile(kPhelan1);
  const size_t cut = page.find("\"2012-02\"");
  ASSERT_NE(cut, std::string::npos);
  const std::string path = Write("truncated.json", page.substr(0, cut + 3));
  v1::ImportClinicalTrialsResponse s = Import({path});
  EXPECT_EQ(s.records(), 3);
  EXPECT_EQ(s.created(), 2);
  EXPECT_EQ(s.rejected(), 1);
  ASSERT_EQ(s.problems_size(), 1);
  EXPECT_EQ(s.problems(0).file(), path);
  EXPECT_EQ(s.problems(0).nct_id(), "NCT01525901");
  EXPECT_EQ(absl::StrCat(s.problems(0).path(), ": ", s.problems(0).message()),
            "$.studies[2].protocolSection.statusModule.startDateStruct.date: truncated JSON: the "
            "file ends here; nothing after it in the file is read");
  EXPECT_TRUE(Exists("trials", "nct02710084"));
  EXPECT_TRUE(Exists("trials", "nct05105685"));
  EXPECT_FALSE(Exists("trials", "nct01525901"));
  EXPECT_FALSE(Exists("sources", "ctgov-nct01525901"));
  EXPECT_FALSE(Exists("organizations", "icahn-school-of-medicine-at-mount-sinai"));
}

TEST_F(CtgovImportTest, InvalidUtf8RejectsOnlyItsRecord) {
  const std::string path =
      Write("latin1.json",
            ReplaceFirst(ReadFile(kPhelan1), "Piloting Treatment", "Piloting \xff\xfe Treatment"));
  v1::ImportClinicalTrialsResponse s = Import({path});
  EXPECT_EQ(s.records(), 5);
  EXPECT_EQ(s.created(), 4);
  EXPECT_EQ(s.rejected(), 1);
  EXPECT_THAT(Problems(s, v1::IMPORT_PROBLEM_SEVERITY_ERROR),
              ElementsAre("$.studies[0].protocolSection.identificationModule.briefTitle: invalid "
                          "UTF-8 in a string"));
  EXPECT_EQ(s.problems(0).nct_id(), "NCT02710084");
  EXPECT_FALSE(Exists("trials", "nct02710084"));
  EXPECT_FALSE(Exists("sources", "ctgov-nct02710084"));
  // Its sponsor is also the sponsor of a later record, which created it.
  EXPECT_EQ(OrgName(GetTrial("NCT03493607").sponsor()), "Alexander Kolevzon");
}

TEST_F(CtgovImportTest, WrongTypeRejectsTheRecordWithItsPathAndWritesNothingForIt) {
  const std::string path =
      Write("wrong-type.json", ReplaceFirst(ReadFile(kPhelan1), "\"PHASE1\"", "1"));
  v1::ImportClinicalTrialsResponse s = Import({path});
  EXPECT_EQ(s.records(), 5);
  EXPECT_EQ(s.created(), 4);
  EXPECT_EQ(s.rejected(), 1);
  EXPECT_THAT(Problems(s, v1::IMPORT_PROBLEM_SEVERITY_ERROR),
              ElementsAre("$.studies[1].protocolSection.designModule.phases[0]: expected a string, "
                          "found a number"));
  const v1::ImportedRecord* r = ResultFor(s, "NCT05105685");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->outcome(), v1::IMPORT_OUTCOME_REJECTED);
  EXPECT_EQ(r->path(), "$.studies[1]");
  EXPECT_FALSE(Exists("trials", "nct05105685"));
  EXPECT_FALSE(Exists("sources", "ctgov-nct05105685"));
  EXPECT_FALSE(Exists("organizations", "affiliated-hospital-of-jiangnan-university"));
}

TEST_F(CtgovImportTest, OnlyBadRecordsWriteNothingAtAll) {
  std::string json = ReadFile(kStudy1);
  const std::string bad_date =
      Write("bad-date.json", ReplaceFirst(json, "\"date\": \"2015-09\"", "\"date\": \"2015-13\""));
  const std::string no_id = Write("no-id.json", ReplaceFirst(json, "\"nctId\": \"NCT02552212\"",
                                                             "\"nctIdx\": \"NCT02552212\""));
  const std::string bad_id = Write(
      "bad-id.json", ReplaceFirst(json, "\"nctId\": \"NCT02552212\"", "\"nctId\": \"NCT0255221\""));
  const std::string not_object = Write("not-object.json", R"({"studies": [42, "x"]})");
  const std::string empty = Write("empty.json", "");
  const std::string scalar = Write("scalar.json", "\"NCT02552212\"");
  const std::string garbage = Write("garbage.json", "{\"studies\": [}");
  const uint64_t seq = store_->LastChangeSeq();
  v1::ImportClinicalTrialsResponse s =
      Import({bad_date, no_id, bad_id, not_object, empty, scalar, garbage});
  EXPECT_EQ(store_->LastChangeSeq(), seq);
  EXPECT_EQ(s.created(), 0);
  // Five records, and three files that are not JSON studies at all (each
  // counted once, so that the summary's count matches its list).
  EXPECT_EQ(s.rejected(), 8);
  EXPECT_THAT(
      Problems(s, v1::IMPORT_PROBLEM_SEVERITY_ERROR),
      ElementsAre(
          "$.protocolSection.statusModule.startDateStruct.date: \"2015-13\" is not a valid date: "
          "13 "
          "is not a month (1..12, or 0 if unknown)",
          "$.protocolSection.identificationModule.nctId: required",
          "$.protocolSection.identificationModule.nctId: NCT IDs have 8 digits after \"NCT\"; "
          "\"NCT0255221\" has 7",
          "$.studies[0]: expected an object (a study), found a number",
          "$.studies[1]: expected an object (a study), found a string",
          "$: empty file: no JSON value",
          "$: expected an object (a study or a search page) or an array of studies, found a string",
          "$.studies[0]: invalid JSON at byte 13: Invalid value."));
  EXPECT_EQ(s.problems(0).nct_id(), "NCT02552212");
  EXPECT_EQ(s.problems(0).file(), bad_date);
}

TEST_F(CtgovImportTest, UnknownEnumValuesAreReportedNotFatal) {
  std::string json = ReadFile(kStudy1);
  json = ReplaceFirst(json, "\"PHASE3\"", "\"PHASE5\"");
  json = ReplaceFirst(json, "\"overallStatus\": \"COMPLETED\"", "\"overallStatus\": \"PAUSED\"");
  json = ReplaceFirst(json, "\"country\": \"United States\"", "\"country\": \"Atlantis\"");
  const std::string path = Write("enums.json", json);
  v1::ImportClinicalTrialsResponse s = Import({path});
  EXPECT_EQ(s.created(), 1);
  EXPECT_EQ(s.rejected(), 0);
  std::vector<std::string> warnings = Problems(s, v1::IMPORT_PROBLEM_SEVERITY_WARNING);
  ASSERT_EQ(warnings.size(), 3u);
  EXPECT_EQ(
      warnings[0],
      "$.protocolSection.designModule.phases[0]: unknown phase \"PHASE5\" (known: EARLY_PHASE1, "
      "PHASE1, PHASE2, PHASE3, PHASE4, NA); phase left unspecified");
  EXPECT_EQ(
      warnings[1],
      "$.protocolSection.statusModule.overallStatus: unknown overallStatus \"PAUSED\"; status "
      "not imported");
  EXPECT_THAT(warnings[2], HasSubstr("unknown country \"Atlantis\"; not imported"));
  EXPECT_THAT(warnings[2], HasSubstr("$.protocolSection.contactsLocationsModule.locations["));
  Trial t;
  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT02552212", &t));
  EXPECT_EQ(t.phase(), common::v1::DEVELOPMENT_STAGE_UNSPECIFIED);
  EXPECT_EQ(t.phase_text(), "PHASE5");
  EXPECT_EQ(t.status(), v1::TRIAL_STATUS_UNSPECIFIED);
  EXPECT_EQ(t.enrollment(), 317);
  // The other US sites still give US.
  EXPECT_THAT(Strings(t.countries()), Contains("US"));
}

TEST_F(CtgovImportTest, EmptyPagesAndPagesWithoutStudiesAreReported) {
  const std::string empty = Write("empty-page.json", R"({"studies": [], "totalCount": 0})");
  const std::string token_only = Write("token-only.json", R"({"nextPageToken": "ZVt07cGH"})");
  const std::string token_empty =
      Write("token-empty.json", R"({"studies": [], "nextPageToken": "ZVt07cGH"})");
  const uint64_t seq = store_->LastChangeSeq();
  v1::ImportClinicalTrialsResponse s = Import({empty, token_only, token_empty});
  EXPECT_EQ(store_->LastChangeSeq(), seq);
  EXPECT_EQ(s.files(), 3);
  EXPECT_EQ(s.records(), 0);
  EXPECT_EQ(s.rejected(), 0);
  EXPECT_THAT(Problems(s, v1::IMPORT_PROBLEM_SEVERITY_ERROR), IsEmpty());
  EXPECT_THAT(Problems(s, v1::IMPORT_PROBLEM_SEVERITY_WARNING),
              ElementsAre("$: empty search page: no studies",
                          "$: search page with a nextPageToken and no \"studies\"",
                          "$: search page with a nextPageToken and no studies"));
}

TEST_F(CtgovImportTest, ImportsFromMemoryLikeFromFiles) {
  auto importer = CtgovImporter::Create(catalog_.get(), CtgovImportOptions{});
  ASSERT_TRUE(importer.ok());
  ASSERT_TRUE((*importer)->ImportJson("upload/NCT02210780.json", ReadFile(kStudy2)).ok());
  EXPECT_EQ((*importer)->summary().created(), 1);
  Trial t;
  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT02210780", &t));
  EXPECT_EQ(t.sources(0).locator(), "upload/NCT02210780.json: $");
  EXPECT_EQ(t.revisions(0).file(), "upload/NCT02210780.json");
}

TEST(CtgovMappingTest, Phases) {
  auto stage = [](std::vector<std::string> phases) { return MapCtgovPhases(phases).stage; };
  EXPECT_EQ(stage({"EARLY_PHASE1"}), common::v1::DEVELOPMENT_STAGE_EARLY_PHASE_1);
  EXPECT_EQ(stage({"PHASE1"}), common::v1::DEVELOPMENT_STAGE_PHASE_1);
  EXPECT_EQ(stage({"PHASE1", "PHASE2"}), common::v1::DEVELOPMENT_STAGE_PHASE_1_2);
  EXPECT_EQ(stage({"PHASE2", "PHASE1"}), common::v1::DEVELOPMENT_STAGE_PHASE_1_2);
  EXPECT_EQ(stage({"PHASE2"}), common::v1::DEVELOPMENT_STAGE_PHASE_2);
  EXPECT_EQ(stage({"PHASE2", "PHASE3"}), common::v1::DEVELOPMENT_STAGE_PHASE_2_3);
  EXPECT_EQ(stage({"PHASE3"}), common::v1::DEVELOPMENT_STAGE_PHASE_3);
  EXPECT_EQ(stage({"PHASE4"}), common::v1::DEVELOPMENT_STAGE_UNSPECIFIED);
  EXPECT_EQ(stage({"NA"}), common::v1::DEVELOPMENT_STAGE_UNSPECIFIED);
  EXPECT_EQ(stage({}), common::v1::DEVELOPMENT_STAGE_UNSPECIFIED);
  EXPECT_TRUE(MapCtgovPhases({"PHASE1", "PHASE3"}).unusual);
  EXPECT_THAT(MapCtgovPhases({"PHASE2", "Phase 9"}).unknown, ElementsAre("Phase 9"));
  EXPECT_EQ(MapCtgovPhases({"PHASE1", "PHASE2"}).text, "PHASE1/PHASE2");
  v1::TrialStatus status;
  EXPECT_TRUE(MapCtgovStatus("ACTIVE_NOT_RECRUITING", &status));
  EXPECT_EQ(status, v1::TRIAL_STATUS_ACTIVE_NOT_RECRUITING);
  EXPECT_FALSE(MapCtgovStatus("AVAILABLE", &status));
}

TEST(CtgovMappingTest, CountryTable) {
  for (const auto& [name, code] : CountryNameTable()) {
    EXPECT_TRUE(ValidateJurisdiction(code, name).ok()) << name;
    EXPECT_EQ(CountryCodeForName(name), code) << name;
  }
  EXPECT_EQ(CountryCodeForName("Korea, Republic of"), "KR");
  EXPECT_EQ(CountryCodeForName("Russian Federation"), "RU");
  EXPECT_EQ(CountryCodeForName("Czechia"), "CZ");
  EXPECT_EQ(CountryCodeForName("Czech Republic"), "CZ");
  EXPECT_EQ(CountryCodeForName("Taiwan"), "TW");
  EXPECT_EQ(CountryCodeForName("Turkey"), "TR");
  EXPECT_EQ(CountryCodeForName("united states"), "US");
  EXPECT_EQ(CountryCodeForName("Atlantis"), std::nullopt);
}

// Against the reference dataset: interventions spelled as a product's code
// or alias link the trial to that product; sponsors match organizations by
// alias; a curated trial keeps its statements as claims.

}  // namespace
}  // namespace regenatlas::catalog::ctgov_testing
