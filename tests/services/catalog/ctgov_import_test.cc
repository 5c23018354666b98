// The ClinicalTrials.gov importer over the real API v2 fixtures in
// tests/fixtures/ctgov and inputs derived from them: exact mapping,
// idempotency, incremental updates with history, provenance, broken input.

#include "services/catalog/ctgov_import.h"

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/dates.h"
#include "common/validation.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "regenatlas/catalog/v1/catalog_service.grpc.pb.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_service.h"
#include "services/catalog/ctgov_countries.h"
#include "services/catalog/dataset_loader.h"
#include "storage/store.h"
#include "tests/testing/server_fixture.h"
#include "tests/testing/temp_dir.h"

namespace regenatlas::catalog {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

const std::string kFixtures = REGENATLAS_SOURCE_DIR "/tests/fixtures/ctgov/";
const std::string kStudy1 = kFixtures + "aact__json_v2_NCT02552212.json";
const std::string kStudy2 = kFixtures + "aact__json_v2_NCT02210780.json";
const std::string kPhelan1 = kFixtures + "biomcp__ctgov_search_phelan_limit5_20260811.json";
const std::string kPhelan2 = kFixtures + "biomcp__ctgov_search_phelan_next_20260811.json";
const std::string kKeytruda = kFixtures + "biomcp__ctgov_search_keytruda_limit3_20260811.json";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) ADD_FAILURE() << "cannot read fixture " << path;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `text` with the first occurrence of `from` replaced; fails the test when absent.
std::string ReplaceFirst(std::string text, const std::string& from, const std::string& to) {
  size_t pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

std::string Date(const common::v1::PartialDate& d) { return FormatPartialDate(d); }

std::vector<std::string> Strings(const google::protobuf::RepeatedPtrField<std::string>& r) {
  return {r.begin(), r.end()};
}

class CtgovImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions options;
    options.path = dir_.Sub("db");
    options.sync_writes = false;
    options.clock = [this] { return now_; };
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    catalog_ = std::make_unique<Catalog>(store_.get(), CatalogOptions{[this] { return now_; }});
  }

  // Imports `paths` with a new importer (as separate CLI runs would) and
  // returns its summary.
  v1::ImportClinicalTrialsResponse Import(const std::vector<std::string>& paths) {
    CtgovImportOptions options;
    options.sync_writes = false;
    auto importer = CtgovImporter::Create(catalog_.get(), options);
    EXPECT_TRUE(importer.ok()) << importer.status();
    for (const std::string& p : paths) {
      absl::Status s = (*importer)->ImportFile(p);
      EXPECT_TRUE(s.ok()) << s;
    }
    return (*importer)->summary();
  }

  std::string Write(const std::string& name, const std::string& content) {
    const std::string path = dir_.Sub(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  // For expressions on scalar fields; a missing trial fails the test and
  // reads as an empty one.
  Trial GetTrial(const std::string& id) {
    absl::StatusOr<Trial> t = catalog_->GetTrial(id);
    EXPECT_TRUE(t.ok()) << id << ": " << t.status();
    return t.ok() ? *t : Trial();
  }

  // Stops the test (under ASSERT_NO_FATAL_FAILURE) when `id` is missing, so
  // that the caller never indexes into an empty trial.
  void LoadTrial(const std::string& id, Trial* out) {
    absl::StatusOr<Trial> t = catalog_->GetTrial(id);
    ASSERT_TRUE(t.ok()) << id << ": " << t.status();
    *out = *std::move(t);
  }

  bool Exists(const std::string& collection, const std::string& id) {
    if (collection == "trials") return catalog_->trials().Get("trials/" + id).ok();
    if (collection == "sources") return catalog_->sources().Get("sources/" + id).ok();
    return catalog_->organizations().Get("organizations/" + id).ok();
  }

  std::string OrgName(const std::string& name) {
    absl::StatusOr<Organization> o = catalog_->organizations().Get(name);
    EXPECT_TRUE(o.ok()) << name << ": " << o.status();
    return o.ok() ? o->display_name() : "";
  }

  // The change-log entries after `seq`, decoded.
  std::vector<common::v1::ResourceChange> ChangesAfter(uint64_t seq) {
    std::vector<common::v1::ResourceChange> out;
    auto changes = store_->ReadChanges(Catalog::kChangeStream, seq, 10000);
    EXPECT_TRUE(changes.ok()) << changes.status();
    for (const auto& c : *changes) {
      common::v1::ResourceChange rc;
      EXPECT_TRUE(rc.ParseFromString(c.payload));
      out.push_back(rc);
    }
    return out;
  }

  static const v1::ImportedRecord* ResultFor(const v1::ImportClinicalTrialsResponse& s,
                                             const std::string& nct) {
    for (const auto& r : s.results()) {
      if (r.nct_id() == nct) return &r;
    }
    return nullptr;
  }

  static std::vector<std::string> Problems(const v1::ImportClinicalTrialsResponse& s,
                                           v1::ImportProblemSeverity severity) {
    std::vector<std::string> out;
    for (const auto& p : s.problems()) {
      if (p.severity() == severity) out.push_back(absl::StrCat(p.path(), ": ", p.message()));
    }
    return out;
  }

  testing::TempDir dir_;
  absl::Time now_ = absl::FromUnixSeconds(1750000000);
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Catalog> catalog_;
};

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
class CtgovDatasetImportTest : public CtgovImportTest {
 protected:
  void SetUp() override {
    CtgovImportTest::SetUp();
    absl::StatusOr<LoadSummary> loaded =
        EnsureCatalogDataset(*catalog_, REGENATLAS_SOURCE_DIR "/data/catalog");
    ASSERT_TRUE(loaded.ok()) << loaded.status();
  }

  static std::string Study(const std::string& nct, const std::string& version,
                           const std::string& modules) {
    return absl::StrCat(R"({"protocolSection": {"identificationModule": {"nctId": ")", nct,
                        R"(", "briefTitle": "A study"}, )", modules,
                        R"(}, "derivedSection": {"miscInfoModule": {"versionHolder": ")", version,
                        R"("}}, "hasResults": false})");
  }
};

TEST_F(CtgovDatasetImportTest, InterventionAliasLinksTheProduct) {
  const size_t orgs = catalog_->ListOrganizations({1000, "", "", ""})->items.size();
  const std::string path =
      Write("bemdaneprocel.json", Study("NCT09990001", "2025-01-15",
                                        R"("statusModule": {"overallStatus": "RECRUITING",
                 "startDateStruct": {"date": "2025-02", "type": "ESTIMATED"}},
               "sponsorCollaboratorsModule": {"leadSponsor": {"name": "BLUEROCK", "class": "INDUSTRY"},
                 "collaborators": [{"name": "Help Therapeutics"}]},
               "designModule": {"phases": ["PHASE1"], "enrollmentInfo": {"count": 12, "type": "ESTIMATED"}},
               "armsInterventionsModule": {"interventions": [
                 {"type": "BIOLOGICAL", "name": "brt da 01"},
                 {"type": "BIOLOGICAL", "name": "Cardiomyocytes", "otherNames": ["hicm188"]},
                 {"type": "DRUG", "name": "Placebo"}]},
               "contactsLocationsModule": {"locations": [{"country": "United States"}]})"));
  v1::ImportClinicalTrialsResponse s = Import({path});
  EXPECT_EQ(s.created(), 1);
  EXPECT_EQ(s.organizations_created(), 0);
  EXPECT_EQ(catalog_->ListOrganizations({1000, "", "", ""})->items.size(), orgs);
  const v1::ImportedRecord* r = ResultFor(s, "NCT09990001");
  ASSERT_NE(r, nullptr);
  EXPECT_THAT(Strings(r->unmatched_interventions()), ElementsAre("Placebo"));

  Trial t;

  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT09990001", &t));
  EXPECT_THAT(Strings(t.products()), ElementsAre("products/brt-da01", "products/hicm-188"));
  EXPECT_EQ(t.sponsor(), "organizations/bluerock-therapeutics");
  EXPECT_THAT(Strings(t.collaborators()), ElementsAre("organizations/help-therapeutics"));
  EXPECT_TRUE(t.start_date_estimated());
  EXPECT_EQ(Date(t.start_date()), "2025-02");

  // The product now lists the trial (derived fields), and filters find it.
  absl::StatusOr<Product> p = catalog_->products().Get("products/brt-da01");
  ASSERT_TRUE(p.ok());
  EXPECT_THAT(Strings(p->trials()), Contains("trials/nct09990001"));
  ListQuery q;
  q.filter = "product = brt-da01 AND source = ctgov-nct09990001-2025-01-15";
  q.page_size = 100;
  absl::StatusOr<ListResult<Trial>> found = catalog_->ListTrials(q);
  ASSERT_TRUE(found.ok()) << found.status();
  ASSERT_EQ(found->items.size(), 1u);
  EXPECT_EQ(found->items[0].name(), "trials/nct09990001");
}

TEST_F(CtgovDatasetImportTest, CuratedTrialKeepsItsStatementsAsClaims) {
  Trial before;
  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT04802733", &before));
  ASSERT_FALSE(before.sources().empty());
  const std::string path =
      Write("nct04802733.json", Study("NCT04802733", "2025-03-01",
                                      R"("statusModule": {"overallStatus": "ACTIVE_NOT_RECRUITING",
                 "startDateStruct": {"date": "2021-05-26", "type": "ACTUAL"}},
               "sponsorCollaboratorsModule": {"leadSponsor": {"name": "BlueRock Therapeutics", "class": "INDUSTRY"}},
               "designModule": {"phases": ["PHASE1"], "enrollmentInfo": {"count": 12}},
               "armsInterventionsModule": {"interventions": [{"name": "MSK-DA01"}]},
               "contactsLocationsModule": {"locations": [{"country": "United States"}, {"country": "Canada"}]})"));
  v1::ImportClinicalTrialsResponse s = Import({path});
  EXPECT_EQ(s.updated(), 1);
  Trial t;
  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT04802733", &t));
  // Curated citations and links stay; the registry's are added.
  EXPECT_EQ(t.sources(0).source(), before.sources(0).source());
  EXPECT_EQ(t.sources(t.sources_size() - 1).source(), "sources/ctgov-nct04802733-2025-03-01");
  EXPECT_THAT(Strings(t.products()), Contains("products/brt-da01"));
  EXPECT_THAT(Strings(t.countries()), ElementsAre("US", "CA"));
  EXPECT_EQ(t.phase_text(), before.phase_text());
  EXPECT_EQ(Date(t.start_date()), "2021-05-26");
  EXPECT_EQ(t.enrollment(), 12);
  // The curated start date and the registry's are both stated.
  std::map<std::string, std::set<std::string>> claims;
  for (const auto& c : t.claims()) claims[c.field()].insert(c.value());
  EXPECT_THAT(claims["start_date"], UnorderedElementsAre("2021", "2021-05-26"));
  // Importing again changes nothing.
  const uint64_t seq = store_->LastChangeSeq();
  EXPECT_EQ(Import({path}).unchanged(), 1);
  EXPECT_EQ(store_->LastChangeSeq(), seq);
}

// The same operation through CatalogService.ImportClinicalTrials.
class CtgovImportServerTest : public regenatlas::testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    catalog_ = std::make_unique<Catalog>(store_.get(), CatalogOptions{Clock()});
    service_ = std::make_unique<CatalogService>(catalog_.get());
    runner_->AddService(service_.get(), "regenatlas.catalog.v1.CatalogService");
    StartServer();
    stub_ = v1::CatalogService::NewStub(channel_);
  }
  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<CatalogService> service_;
  std::unique_ptr<v1::CatalogService::Stub> stub_;
};

TEST_F(CtgovImportServerTest, ImportClinicalTrialsRpc) {
  v1::ImportClinicalTrialsRequest req;
  req.set_file_name("phelan-1.json");
  req.set_json(ReadFile(kPhelan1));
  v1::ImportClinicalTrialsResponse resp;
  grpc::Status s = stub_->ImportClinicalTrials(Ctx().get(), req, &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.records(), 5);
  EXPECT_EQ(resp.created(), 5);
  EXPECT_EQ(resp.total_count(), 21);
  ASSERT_EQ(resp.results_size(), 5);
  EXPECT_EQ(resp.results(1).nct_id(), "NCT05105685");
  EXPECT_EQ(resp.results(1).trial(), "trials/nct05105685");
  EXPECT_EQ(resp.results(1).path(), "$.studies[1]");

  v1::GetTrialRequest get;
  get.set_name("NCT05105685");
  Trial t;
  ASSERT_TRUE(stub_->GetTrial(Ctx().get(), get, &t).ok());
  EXPECT_EQ(t.phase(), common::v1::DEVELOPMENT_STAGE_PHASE_1_2);
  EXPECT_EQ(t.revisions(0).file(), "phelan-1.json");

  // Again: unchanged.
  ASSERT_TRUE(stub_->ImportClinicalTrials(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.unchanged(), 5);

  // Broken JSON is a successful call that reports the problem.
  req.set_json("{\"studies\": [{\"protocolSection\": ");
  ASSERT_TRUE(stub_->ImportClinicalTrials(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.rejected(), 1);
  ASSERT_EQ(resp.problems_size(), 1);
  EXPECT_EQ(resp.problems(0).path(), "$.studies[0].protocolSection");

  req.clear_file_name();
  EXPECT_EQ(stub_->ImportClinicalTrials(Ctx().get(), req, &resp).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace regenatlas::catalog
