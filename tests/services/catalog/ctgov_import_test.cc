// The ClinicalTrials.gov importer over the real API v2 fixtures in
// tests/fixtures/ctgov: exact mapping of full studies and search pages,
// idempotency, incremental updates with history.

#include "tests/services/catalog/ctgov_import_fixture.h"

namespace regenatlas::catalog::ctgov_testing {
namespace {

TEST_F(CtgovImportTest, FullStudyWithEudraCtSecondaryId) {
  const uint64_t seq = store_->LastChangeSeq();
  v1::ImportClinicalTrialsResponse s = Import({kStudy1});
  EXPECT_EQ(s.files(), 1);
  EXPECT_EQ(s.records(), 1);
  EXPECT_EQ(s.created(), 1);
  EXPECT_EQ(s.rejected(), 0);
  EXPECT_EQ(s.organizations_created(), 1);
  EXPECT_THAT(Problems(s, v1::IMPORT_PROBLEM_SEVERITY_ERROR), IsEmpty());
  EXPECT_THAT(Problems(s, v1::IMPORT_PROBLEM_SEVERITY_WARNING), IsEmpty());

  Trial t;

  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT02552212", &t));
  EXPECT_EQ(t.name(), "trials/nct02552212");
  EXPECT_EQ(t.primary_id().registry(), common::v1::REGISTRY_NCT);
  EXPECT_EQ(t.primary_id().id(), "NCT02552212");
  ASSERT_EQ(t.secondary_ids_size(), 1);
  EXPECT_EQ(t.secondary_ids(0).registry(), common::v1::REGISTRY_EUDRACT);
  EXPECT_EQ(t.secondary_ids(0).id(), "2015-001894-41");
  // The EudraCT number finds the same trial.
  EXPECT_EQ(GetTrial("2015-001894-41").name(), "trials/nct02552212");
  ASSERT_EQ(t.aliases_size(), 1);
  EXPECT_EQ(t.aliases(0).id(), "AS0006");
  EXPECT_EQ(t.aliases(0).type(), "ORG_STUDY_ID");
  EXPECT_EQ(t.title(),
            "Multicenter Study Evaluating Certolizumab Pegol Compared to Placebo in Subjects With "
            "axSpA Without X-ray Evidence of AS");
  EXPECT_EQ(t.phase(), common::v1::DEVELOPMENT_STAGE_PHASE_3);
  EXPECT_EQ(t.phase_text(), "PHASE3");
  EXPECT_EQ(t.status(), v1::TRIAL_STATUS_COMPLETED);
  EXPECT_EQ(Date(t.start_date()), "2015-09");
  EXPECT_EQ(PrecisionOf(t.start_date()), common::v1::DATE_PRECISION_MONTH);
  EXPECT_FALSE(t.start_date_estimated());
  EXPECT_EQ(Date(t.completion_date()), "2020-05");
  EXPECT_EQ(PrecisionOf(t.completion_date()), common::v1::DATE_PRECISION_MONTH);
  EXPECT_FALSE(t.completion_date_estimated());
  EXPECT_EQ(t.enrollment(), 317);
  EXPECT_THAT(Strings(t.conditions()),
              ElementsAre("Axial Spondyloarthritis", "Nonradiographic Axial Spondyloarthritis",
                          "Nr-axSpA"));
  EXPECT_THAT(Strings(t.countries()),
              ElementsAre("AU", "BG", "CA", "CZ", "HU", "PL", "RU", "TW", "US"));
  EXPECT_EQ(t.sponsor(), "organizations/ucb-biosciences-gmbh");
  EXPECT_EQ(OrgName(t.sponsor()), "UCB BIOSCIENCES GmbH");
  EXPECT_THAT(t.collaborators(), IsEmpty());
  EXPECT_THAT(t.products(), IsEmpty());

  // Provenance: a Source for this version of the record, cited with the file.
  ASSERT_EQ(t.sources_size(), 1);
  EXPECT_EQ(t.sources(0).source(), "sources/ctgov-nct02552212-2023-12-12");
  EXPECT_EQ(t.sources(0).locator(), kStudy1 + ": $");
  absl::StatusOr<Source> src = catalog_->sources().Get("sources/ctgov-nct02552212-2023-12-12");
  ASSERT_TRUE(src.ok()) << src.status();
  EXPECT_EQ(src->kind(), v1::SOURCE_KIND_REGISTRY);
  EXPECT_EQ(src->uri(), "https://clinicaltrials.gov/study/NCT02552212");
  EXPECT_EQ(Date(src->publication_date()), "2023-12-12");
  absl::StatusOr<Organization> org = catalog_->organizations().Get(t.sponsor());
  ASSERT_TRUE(org.ok());
  EXPECT_EQ(org->kind(), v1::ORGANIZATION_KIND_COMPANY);
  ASSERT_EQ(org->sources_size(), 1);
  EXPECT_EQ(org->sources(0).source(), "sources/ctgov-nct02552212-2023-12-12");
  EXPECT_EQ(org->sources(0).locator(),
            kStudy1 + ": $.protocolSection.sponsorCollaboratorsModule.leadSponsor");

  // History: one revision, the version date and the file.
  ASSERT_EQ(t.revisions_size(), 1);
  EXPECT_EQ(Date(t.revisions(0).version_date()), "2023-12-12");
  EXPECT_EQ(t.revisions(0).file(), kStudy1);
  EXPECT_EQ(t.revisions(0).path(), "$");
  EXPECT_THAT(Strings(t.revisions(0).changed_fields()), Contains("phase"));

  // Interventions match no product in an empty catalog: reported, not created.
  const v1::ImportedRecord* r = ResultFor(s, "NCT02552212");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->outcome(), v1::IMPORT_OUTCOME_CREATED);
  EXPECT_THAT(Strings(r->unmatched_interventions()), ElementsAre("Certolizumab Pegol", "Placebo"));
  EXPECT_THAT(catalog_->ListProducts({100, "", "", ""})->items, IsEmpty());

  // Change events: source, organization, trial, all from this file.
  std::vector<common::v1::ResourceChange> changes = ChangesAfter(seq);
  std::vector<std::string> names;
  for (const auto& c : changes) {
    names.push_back(c.name());
    EXPECT_EQ(c.origin(), "import:" + kStudy1);
  }
  EXPECT_THAT(names, ElementsAre("sources/ctgov-nct02552212-2023-12-12",
                                 "organizations/ucb-biosciences-gmbh", "trials/nct02552212"));
}

TEST_F(CtgovImportTest, FullStudyWithCollaboratorAndDayPrecisionDates) {
  v1::ImportClinicalTrialsResponse s = Import({kStudy2});
  EXPECT_EQ(s.created(), 1);
  Trial t;
  ASSERT_NO_FATAL_FAILURE(LoadTrial("trials/nct02210780", &t));
  EXPECT_EQ(t.primary_id().id(), "NCT02210780");
  EXPECT_THAT(t.secondary_ids(), IsEmpty());
  ASSERT_EQ(t.aliases_size(), 1);
  EXPECT_EQ(t.aliases(0).id(), "R668-AD-1314");
  EXPECT_EQ(t.phase(), common::v1::DEVELOPMENT_STAGE_PHASE_2);
  EXPECT_EQ(t.phase_text(), "PHASE2");
  EXPECT_EQ(t.status(), v1::TRIAL_STATUS_COMPLETED);
  EXPECT_EQ(Date(t.start_date()), "2014-08-05");
  EXPECT_EQ(PrecisionOf(t.start_date()), common::v1::DATE_PRECISION_DAY);
  EXPECT_EQ(Date(t.completion_date()), "2015-09-15");
  EXPECT_EQ(t.enrollment(), 194);
  EXPECT_THAT(Strings(t.conditions()), ElementsAre("Atopic Dermatitis"));
  EXPECT_THAT(Strings(t.countries()), ElementsAre("US"));
  EXPECT_EQ(OrgName(t.sponsor()), "Regeneron Pharmaceuticals");
  ASSERT_EQ(t.collaborators_size(), 1);
  EXPECT_EQ(t.collaborators(0), "organizations/sanofi");
  EXPECT_EQ(OrgName(t.collaborators(0)), "Sanofi");
  EXPECT_EQ(s.organizations_created(), 2);
  EXPECT_EQ(t.sources(0).source(), "sources/ctgov-nct02210780-2023-11-15");
  EXPECT_EQ(Date(t.revisions(0).version_date()), "2023-11-15");
}

TEST_F(CtgovImportTest, TwoPhelanSearchPagesTogether) {
  v1::ImportClinicalTrialsResponse s = Import({kPhelan1, kPhelan2});
  EXPECT_EQ(s.files(), 2);
  EXPECT_EQ(s.records(), 10);
  EXPECT_EQ(s.created(), 10);
  EXPECT_EQ(s.rejected(), 0);
  EXPECT_EQ(s.total_count(), 21);
  EXPECT_THAT(Problems(s, v1::IMPORT_PROBLEM_SEVERITY_ERROR), IsEmpty());
  EXPECT_THAT(Problems(s, v1::IMPORT_PROBLEM_SEVERITY_WARNING), IsEmpty());

  struct Expected {
    std::string nct;
    common::v1::DevelopmentStage phase;
    std::string phase_text;
    v1::TrialStatus status;
    std::string start;
    std::string completion;
    int enrollment;
    std::string sponsor;
  };
  const std::vector<Expected> expected = {
      {"NCT02710084", common::v1::DEVELOPMENT_STAGE_PHASE_2, "PHASE2", v1::TRIAL_STATUS_COMPLETED,
       "2016-04-29", "2020-07-29", 18, "Alexander Kolevzon"},
      {"NCT05105685", common::v1::DEVELOPMENT_STAGE_PHASE_1_2, "PHASE1/PHASE2",
       v1::TRIAL_STATUS_COMPLETED, "2020-06-14", "2021-06-08", 6,
       "Affiliated Hospital of Jiangnan University"},
      {"NCT01525901", common::v1::DEVELOPMENT_STAGE_PHASE_2, "PHASE2", v1::TRIAL_STATUS_COMPLETED,
       "2012-02", "2016-08-23", 19, "Icahn School of Medicine at Mount Sinai"},
      {"NCT03493607", common::v1::DEVELOPMENT_STAGE_PHASE_2, "PHASE2", v1::TRIAL_STATUS_COMPLETED,
       "2018-05-30", "2020-03-31", 6, "Alexander Kolevzon"},
      {"NCT07119606", common::v1::DEVELOPMENT_STAGE_UNSPECIFIED, "NA",
       v1::TRIAL_STATUS_NOT_YET_RECRUITING, "2025-09-01", "2027-03-01", 650,
       "Assistance Publique - Hôpitaux de Paris"},
      {"NCT05187377", common::v1::DEVELOPMENT_STAGE_PHASE_2, "PHASE2", v1::TRIAL_STATUS_COMPLETED,
       "2022-01-19", "2025-02-05", 32, "Icahn School of Medicine at Mount Sinai"},
      {"NCT03836300", common::v1::DEVELOPMENT_STAGE_UNSPECIFIED, "NA",
       v1::TRIAL_STATUS_ENROLLING_BY_INVITATION, "2018-11-30", "2026-12-31", 120,
       "RTI International"},
      {"NCT07014020", common::v1::DEVELOPMENT_STAGE_PHASE_1, "PHASE1",
       v1::TRIAL_STATUS_ACTIVE_NOT_RECRUITING, "2025-06-16", "2027-12-31", 8,
       "Peking University First Hospital"},
      {"NCT05025241", common::v1::DEVELOPMENT_STAGE_PHASE_2, "PHASE2", v1::TRIAL_STATUS_COMPLETED,
       "2022-08-08", "2023-11-17", 18, "Neuren Pharmaceuticals Limited"},
      {"NCT07281079", common::v1::DEVELOPMENT_STAGE_PHASE_3, "PHASE3", v1::TRIAL_STATUS_RECRUITING,
       "2025-11-12", "2027-11-15", 160, "Neuren Pharmaceuticals Limited"},
  };
  for (const Expected& e : expected) {
    SCOPED_TRACE(e.nct);
    Trial t;
    ASSERT_NO_FATAL_FAILURE(LoadTrial(e.nct, &t));
    EXPECT_EQ(t.primary_id().id(), e.nct);
    EXPECT_EQ(t.phase(), e.phase);
    EXPECT_EQ(t.phase_text(), e.phase_text);
    EXPECT_EQ(t.status(), e.status);
    EXPECT_EQ(Date(t.start_date()), e.start);
    EXPECT_FALSE(t.start_date_estimated());
    EXPECT_EQ(Date(t.completion_date()), e.completion);
    EXPECT_EQ(t.enrollment(), e.enrollment);
    EXPECT_EQ(OrgName(t.sponsor()), e.sponsor);
    // Search pages carry no version: one unversioned source per record.
    ASSERT_EQ(t.sources_size(), 1);
    EXPECT_EQ(t.sources(0).source(), CtgovSourceId(e.nct, {}).insert(0, "sources/"));
    EXPECT_FALSE(IsSet(t.revisions(0).version_date()));
  }
  EXPECT_EQ(PrecisionOf(GetTrial("NCT01525901").start_date()), common::v1::DATE_PRECISION_MONTH);
  EXPECT_THAT(
      Strings(GetTrial("NCT03836300").conditions()),
      ElementsAre("Fragile X Syndrome", "Angelman Syndrome", "Prader-Willi Syndrome",
                  "Dup15Q Syndrome", "Duchenne Muscular Dystrophy", "Phelan-McDermid Syndrome",
                  "Rett Syndrome", "Smith Magenis Syndrome", "Williams Syndrome", "Turner Syndrome",
                  "Klinefelter Syndrome", "Chromosome 22q11.2 Deletion Syndrome",
                  "Tuberous Sclerosis", "Down Syndrome"));
  // One organization per sponsor, across both pages.
  EXPECT_EQ(s.organizations_created(), 7);
  EXPECT_EQ(GetTrial("NCT02710084").sponsor(), GetTrial("NCT03493607").sponsor());
  EXPECT_EQ(GetTrial("NCT01525901").sponsor(), GetTrial("NCT05187377").sponsor());
  EXPECT_EQ(GetTrial("NCT07119606").sponsor(),
            "organizations/assistance-publique-hopitaux-de-paris");
  EXPECT_EQ(GetTrial("NCT01525901").sponsor(),
            "organizations/icahn-school-of-medicine-at-mount-sinai");
  EXPECT_EQ(catalog_->ListOrganizations({100, "", "", ""})->items.size(), 7u);

  // "Saline" is listed by three records ("Normal saline" is another name).
  ASSERT_GT(s.unmatched_interventions_size(), 0);
  EXPECT_EQ(s.unmatched_interventions(0).name(), "Saline");
  EXPECT_EQ(s.unmatched_interventions(0).records(), 3);
  EXPECT_EQ(s.unmatched_interventions(0).first_trial(), "trials/nct02710084");
}

TEST_F(CtgovImportTest, KeytrudaPageAndEveryFixtureTwiceChangesNothing) {
  const std::vector<std::string> all = {kStudy1, kStudy2, kPhelan1, kPhelan2, kKeytruda};
  v1::ImportClinicalTrialsResponse first = Import(all);
  EXPECT_EQ(first.records(), 15);
  EXPECT_EQ(first.created(), 15);
  EXPECT_EQ(first.total_count(), 2924);  // the last page that prints one
  Trial t;
  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT05431270", &t));
  EXPECT_EQ(t.phase(), common::v1::DEVELOPMENT_STAGE_PHASE_1_2);
  EXPECT_EQ(Date(t.start_date()), "2022-08-11");
  EXPECT_EQ(Date(t.completion_date()), "2028-08");
  EXPECT_EQ(PrecisionOf(t.completion_date()), common::v1::DATE_PRECISION_MONTH);
  EXPECT_EQ(OrgName(t.sponsor()), "Phanes Therapeutics");
  EXPECT_EQ(GetTrial("NCT03590054").phase(), common::v1::DEVELOPMENT_STAGE_PHASE_1);
  EXPECT_EQ(GetTrial("NCT04795661").status(), v1::TRIAL_STATUS_ACTIVE_NOT_RECRUITING);

  const uint64_t seq = store_->LastChangeSeq();
  v1::ImportClinicalTrialsResponse second = Import(all);
  EXPECT_EQ(store_->LastChangeSeq(), seq);
  EXPECT_EQ(second.records(), 15);
  EXPECT_EQ(second.unchanged(), 15);
  EXPECT_EQ(second.created() + second.updated() + second.versions_recorded(), 0);
  EXPECT_EQ(second.organizations_created(), 0);
  for (const auto& r : second.results()) EXPECT_EQ(r.outcome(), v1::IMPORT_OUTCOME_UNCHANGED);
}

// A newer version: only the changed fields change, the history says what,
// when and from which file, and the change log carries it.
TEST_F(CtgovImportTest, NewerVersionUpdatesChangedFieldsAndKeepsHistory) {
  Import({kStudy1});
  Trial before;
  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT02552212", &before));
  std::string json = ReadFile(kStudy1);
  json =
      ReplaceFirst(json, "\"versionHolder\": \"2023-12-12\"", "\"versionHolder\": \"2024-05-01\"");
  json = ReplaceFirst(json, "\"PHASE3\"", "\"PHASE2\", \"PHASE3\"");
  json =
      ReplaceFirst(json, "\"overallStatus\": \"COMPLETED\"", "\"overallStatus\": \"TERMINATED\"");
  json = ReplaceFirst(json, "\"count\": 317", "\"count\": 300");
  const std::string updated = Write("NCT02552212-2024-05-01.json", json);

  now_ += absl::Hours(24);
  const uint64_t seq = store_->LastChangeSeq();
  v1::ImportClinicalTrialsResponse s = Import({updated});
  EXPECT_EQ(s.updated(), 1);
  const v1::ImportedRecord* r = ResultFor(s, "NCT02552212");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->outcome(), v1::IMPORT_OUTCOME_UPDATED);
  EXPECT_THAT(Strings(r->changed_fields()),
              UnorderedElementsAre("phase", "phase_text", "status", "enrollment"));

  Trial t;

  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT02552212", &t));
  EXPECT_EQ(t.phase(), common::v1::DEVELOPMENT_STAGE_PHASE_2_3);
  EXPECT_EQ(t.phase_text(), "PHASE2/PHASE3");
  EXPECT_EQ(t.status(), v1::TRIAL_STATUS_TERMINATED);
  EXPECT_EQ(t.enrollment(), 300);
  // Everything else as before.
  EXPECT_EQ(Date(t.start_date()), Date(before.start_date()));
  EXPECT_EQ(t.sponsor(), before.sponsor());
  EXPECT_EQ(Strings(t.countries()), Strings(before.countries()));
  EXPECT_EQ(t.create_time().seconds(), before.create_time().seconds());

  ASSERT_EQ(t.revisions_size(), 2);
  const v1::TrialRevision& rev = t.revisions(1);
  EXPECT_EQ(rev.source(), "sources/ctgov-nct02552212-2024-05-01");
  EXPECT_EQ(Date(rev.version_date()), "2024-05-01");
  EXPECT_EQ(rev.file(), updated);
  EXPECT_THAT(Strings(rev.changed_fields()),
              UnorderedElementsAre("phase", "phase_text", "status", "enrollment"));
  EXPECT_EQ(rev.import_time().seconds(), absl::ToUnixSeconds(now_));
  ASSERT_EQ(t.sources_size(), 2);
  EXPECT_EQ(t.sources(1).source(), "sources/ctgov-nct02552212-2024-05-01");
  EXPECT_EQ(t.sources(1).locator(), updated + ": $");

  // One change event: the trial, with the changed fields plus provenance.
  std::vector<common::v1::ResourceChange> changes = ChangesAfter(seq);
  std::vector<common::v1::ResourceChange> trial_changes;
  for (const auto& c : changes) {
    if (c.name() == "trials/nct02552212") trial_changes.push_back(c);
  }
  ASSERT_EQ(trial_changes.size(), 1u);
  EXPECT_EQ(trial_changes[0].kind(), common::v1::CHANGE_KIND_UPDATED);
  EXPECT_EQ(trial_changes[0].origin(), "import:" + updated);
  EXPECT_THAT(
      Strings(trial_changes[0].changed_fields()),
      UnorderedElementsAre("phase", "phase_text", "status", "enrollment", "sources", "revisions"));

  // The older version again: skipped, nothing written.
  const uint64_t seq2 = store_->LastChangeSeq();
  v1::ImportClinicalTrialsResponse old = Import({kStudy1});
  EXPECT_EQ(old.skipped(), 1);
  EXPECT_EQ(store_->LastChangeSeq(), seq2);
  EXPECT_THAT(
      Problems(old, v1::IMPORT_PROBLEM_SEVERITY_SKIPPED),
      ElementsAre(
          "$: version 2023-12-12 is older than the stored version 2024-05-01; not applied"));
  EXPECT_EQ(GetTrial("NCT02552212").phase(), common::v1::DEVELOPMENT_STAGE_PHASE_2_3);

  // A still newer version that restates everything: only the version is recorded.
  const std::string restated = Write(
      "NCT02552212-2024-06-01.json",
      ReplaceFirst(json, "\"versionHolder\": \"2024-05-01\"", "\"versionHolder\": \"2024-06-01\""));
  v1::ImportClinicalTrialsResponse same = Import({restated});
  EXPECT_EQ(same.versions_recorded(), 1);
  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT02552212", &t));
  ASSERT_EQ(t.revisions_size(), 3);
  EXPECT_THAT(t.revisions(2).changed_fields(), IsEmpty());
  EXPECT_EQ(Date(t.revisions(2).version_date()), "2024-06-01");
  // ... so that the version in between is now older and skipped.
  EXPECT_EQ(Import({updated}).skipped(), 1);
}

TEST_F(CtgovImportTest, UnversionedPartialRecordOnlyFillsInAVersionedTrial) {
  Import({kStudy1});
  // A search page with the same study cut down, another phase, no version.
  const std::string page =
      Write("partial.json",
            R"({"studies": [{"protocolSection": {"identificationModule": {"nctId": "NCT02552212"},
          "designModule": {"phases": ["PHASE1"]},
          "descriptionModule": {"briefSummary": "x"}}}]})");
  const uint64_t seq = store_->LastChangeSeq();
  v1::ImportClinicalTrialsResponse s = Import({page});
  EXPECT_EQ(s.unchanged(), 1);
  EXPECT_EQ(store_->LastChangeSeq(), seq);
  EXPECT_EQ(GetTrial("NCT02552212").phase(), common::v1::DEVELOPMENT_STAGE_PHASE_3);
}

}  // namespace
}  // namespace regenatlas::catalog::ctgov_testing
