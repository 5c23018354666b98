// The importer over registry files other than ClinicalTrials.gov JSON: the
// WHO ICTRP export (tests/fixtures/ictrp, XML and CSV) and the
// ClinicalTrials.gov CSV download (tests/fixtures/ctgov-csv): exact counts
// and values, idempotency, one trial across registries with disagreements
// kept as claims (the CLI's summary: registry_import_cli_test.cc).

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/dates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/catalog.h"
#include "services/catalog/ctgov_import.h"
#include "storage/store.h"
#include "tests/testing/temp_dir.h"

namespace regenatlas::catalog {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

const std::string kRoot = REGENATLAS_SOURCE_DIR "/tests/fixtures/";
const std::string kIctrpXml = kRoot + "ictrp/ictrp_subset.xml";
const std::string kIctrpCsv = kRoot + "ictrp/ictrp_subset.csv";
const std::string kCtgovCsv = kRoot + "ctgov-csv/ctg-studies_sample40.csv";
const std::string kCtgovJson = kRoot + "ctgov/aact__json_v2_NCT02552212.json";
// The same study in the CSV download's columns (csv_from_json.py).
const std::string kCtgovCsvOfJson = kRoot + "ctgov-csv/nct02552212_from_json.csv";

// The ICTRP copy of NCT02552212 (the JSON fixture's study), cut down to the
// fields that matter here: enrollment 300 where ClinicalTrials.gov says 317,
// the status in ICTRP's spelling, a country the JSON does not list.
constexpr char kIctrpCopyOfNct02552212[] = R"(<?xml version='1.0' encoding='UTF-8' ?>
<Trials_downloaded_from_ICTRP>
  <Trial>
    <TrialID>NCT02552212</TrialID>
    <Public_title>Certolizumab Pegol in axSpA Without X-ray Evidence of AS</Public_title>
    <Primary_sponsor>UCB BIOSCIENCES GmbH</Primary_sponsor>
    <Date_registration>17/09/2015</Date_registration>
    <Source_Register>ClinicalTrials.gov</Source_Register>
    <web_address>https://clinicaltrials.gov/show/NCT02552212</web_address>
    <Recruitment_Status>Not recruiting</Recruitment_Status>
    <Date_enrollement>September 2015</Date_enrollement>
    <Target_size>300</Target_size>
    <Phase>Phase 3</Phase>
    <Countries>United States;Atlantis</Countries>
    <Condition>Axial Spondyloarthritis</Condition>
    <Intervention>Drug: Certolizumab Pegol</Intervention>
    <Secondary_IDs>2015-001894-41</Secondary_IDs>
  </Trial>
</Trials_downloaded_from_ICTRP>
)";

// A ChiCTR record bridged to NCT02552212 by its secondary ID.
constexpr char kChictrBridgedToNct02552212[] = R"(<?xml version='1.0' encoding='UTF-8' ?>
<Trials_downloaded_from_ICTRP>
  <Trial>
    <TrialID>ChiCTR2000099999</TrialID>
    <Public_title>Certolizumab pegol for axial spondyloarthritis (Chinese site)</Public_title>
    <Primary_sponsor>UCB BIOSCIENCES GmbH</Primary_sponsor>
    <Date_registration>2015-09-20</Date_registration>
    <Source_Register>ChiCTR</Source_Register>
    <Recruitment_Status>Completed</Recruitment_Status>
    <Date_enrollement>2015-10-01</Date_enrollement>
    <Target_size>Experimental group:20;Control group:10;</Target_size>
    <Phase>3</Phase>
    <Countries>China</Countries>
    <Secondary_IDs>NCT02552212</Secondary_IDs>
    <Bridging_flag_truefalse>True</Bridging_flag_truefalse>
  </Trial>
</Trials_downloaded_from_ICTRP>
)";

std::vector<std::string> Strings(const google::protobuf::RepeatedPtrField<std::string>& r) {
  return {r.begin(), r.end()};
}

// "field=value@source" for each claim, to compare claims as a whole.
std::vector<std::string> Claims(const Trial& t) {
  std::vector<std::string> out;
  for (const common::v1::Claim& c : t.claims()) {
    out.push_back(absl::StrCat(c.field(), "=", c.value(), "@", c.citation().source()));
  }
  return out;
}

std::vector<std::string> Ids(const Trial& t) {
  std::vector<std::string> out = {t.primary_id().id()};
  for (const auto& id : t.secondary_ids()) out.push_back(id.id());
  return out;
}

class RegistryImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions options;
    options.path = dir_.Sub("db");
    options.sync_writes = false;
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    catalog_ = std::make_unique<Catalog>(store_.get(), CatalogOptions{});
  }

  // Imports `paths` with a new importer, as a CLI run would.
  v1::ImportClinicalTrialsResponse Import(const std::vector<std::string>& paths,
                                          ImportRegistry registry = ImportRegistry::kAny) {
    CtgovImportOptions options;
    options.sync_writes = false;
    auto importer = CtgovImporter::Create(catalog_.get(), options);
    EXPECT_TRUE(importer.ok()) << importer.status();
    for (const std::string& p : paths) {
      absl::Status s = (*importer)->ImportFile(p, registry);
      EXPECT_TRUE(s.ok()) << s;
    }
    return (*importer)->summary();
  }

  std::string Write(const std::string& name, const std::string& content) {
    const std::string path = dir_.Sub(name);
    std::ofstream(path, std::ios::binary) << content;
    return path;
  }

  void LoadTrial(const std::string& id, Trial* out) {
    absl::StatusOr<Trial> t = catalog_->GetTrial(id);
    ASSERT_TRUE(t.ok()) << id << ": " << t.status();
    *out = *std::move(t);
  }

  int TrialCount() {
    int n = 0;
    EXPECT_TRUE(catalog_->trials()
                    .ScanAll(nullptr,
                             [&n](absl::string_view, absl::string_view) {
                               ++n;
                               return true;
                             })
                    .ok());
    return n;
  }

  std::string OrgName(const std::string& name) {
    absl::StatusOr<Organization> o = catalog_->organizations().Get(name);
    EXPECT_TRUE(o.ok()) << name << ": " << o.status();
    return o.ok() ? o->display_name() : "";
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(RegistryImportTest, IctrpXmlEveryRecordWithChosenValues) {
  v1::ImportClinicalTrialsResponse s = Import({kIctrpXml}, ImportRegistry::kIctrp);
  EXPECT_EQ(s.files(), 1);
  EXPECT_EQ(s.records(), 110);
  EXPECT_EQ(s.created(), 110);
  EXPECT_EQ(s.rejected(), 0);
  EXPECT_EQ(TrialCount(), 110);

  Trial t;
  ASSERT_NO_FATAL_FAILURE(LoadTrial("ChiCTR2000030001", &t));
  EXPECT_EQ(t.primary_id().registry(), common::v1::REGISTRY_CHICTR);
  EXPECT_EQ(t.primary_id().id(), "ChiCTR2000030001");
  EXPECT_THAT(t.title(), HasSubstr("Triazavirin for 2019 novel coronary pneumonia"));
  EXPECT_EQ(t.phase_text(), "3");
  EXPECT_EQ(t.phase(), common::v1::DEVELOPMENT_STAGE_PHASE_3);
  EXPECT_EQ(t.status(), v1::TRIAL_STATUS_RECRUITING);
  EXPECT_EQ(FormatPartialDate(t.start_date()), "2020-02-15");
  EXPECT_EQ(t.enrollment(), 240);  // Experimental group:120;Control group:120;
  EXPECT_THAT(Strings(t.countries()), ElementsAre("CN"));
  EXPECT_EQ(OrgName(t.sponsor()), "Health commission of Heilongjiang province");
  EXPECT_THAT(Strings(t.conditions()), ElementsAre("Novel Coronavirus Pneumonia (COVID-19)"));
  ASSERT_EQ(t.sources_size(), 1);
  EXPECT_EQ(t.sources(0).source(), "sources/ictrp-chictr2000030001");
  absl::StatusOr<Source> source = catalog_->sources().Get("sources/ictrp-chictr2000030001");
  ASSERT_TRUE(source.ok()) << source.status();
  EXPECT_EQ(source->uri(), "http://www.chictr.org.cn/showproj.aspx?proj=49723");
  EXPECT_THAT(Claims(t), ElementsAre("status_text=Recruiting@sources/ictrp-chictr2000030001"));

  // A ClinicalTrials.gov record of the export: "Not recruiting" names no
  // single status (kept as printed), phase N/A has no stage, the start
  // date is at the day printed ("March 2, 2020").
  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT04302766", &t));
  EXPECT_EQ(t.primary_id().registry(), common::v1::REGISTRY_NCT);
  EXPECT_EQ(t.phase_text(), "N/A");
  EXPECT_EQ(t.phase(), common::v1::DEVELOPMENT_STAGE_UNSPECIFIED);
  EXPECT_EQ(t.status(), v1::TRIAL_STATUS_UNSPECIFIED);
  EXPECT_EQ(FormatPartialDate(t.start_date()), "2020-03-02");
  EXPECT_EQ(t.enrollment(), 0);
  EXPECT_THAT(Claims(t), ElementsAre("status_text=Not recruiting@sources/ictrp-nct04302766"));
}

TEST_F(RegistryImportTest, IctrpPrintedFieldsAreStored) {
  Import({kIctrpXml}, ImportRegistry::kIctrp);
  Trial t;
  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT04273646", &t));
  EXPECT_EQ(t.scientific_title(),
            "Clinical Study of Human Umbilical Cord Mesenchymal Stem Cells in the Treatment of "
            "Novel Coronavirus Severe Pneumonia");
  // "14/02/2020" at day precision.
  EXPECT_EQ(FormatPartialDate(t.registration_date()), "2020-02-14");
  EXPECT_EQ(t.study_type(), "Interventional");
  // Printed as "No" / "False" / blanks.
  EXPECT_EQ(t.bridging().other_records(), "No");
  EXPECT_FALSE(t.bridging().bridged());
  EXPECT_EQ(t.bridging().bridged_type(), "");
}

TEST_F(RegistryImportTest, ReimportAndTheCsvFormOfTheSameExportChangeNothing) {
  Import({kIctrpXml});
  const uint64_t seq = store_->LastChangeSeq();
  v1::ImportClinicalTrialsResponse again = Import({kIctrpXml, kIctrpCsv}, ImportRegistry::kIctrp);
  EXPECT_EQ(again.records(), 220);
  EXPECT_EQ(again.unchanged(), 220);
  EXPECT_EQ(again.created() + again.updated() + again.rejected(), 0);
  EXPECT_EQ(store_->LastChangeSeq(), seq);
  EXPECT_EQ(TrialCount(), 110);
}

TEST_F(RegistryImportTest, CtgovCsvDownload) {
  v1::ImportClinicalTrialsResponse s = Import({kCtgovCsv}, ImportRegistry::kCtgov);
  EXPECT_EQ(s.records(), 40);
  EXPECT_EQ(s.created(), 40);
  EXPECT_EQ(s.rejected(), 0);
  Trial t;
  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT05388825", &t));
  // Read as the JSON importer reads the API's values.
  EXPECT_EQ(t.phase_text(), "PHASE2");
  EXPECT_EQ(t.phase(), common::v1::DEVELOPMENT_STAGE_PHASE_2);
  EXPECT_EQ(t.status(), v1::TRIAL_STATUS_COMPLETED);
  EXPECT_EQ(FormatPartialDate(t.start_date()), "2022-08-01");
  EXPECT_EQ(t.enrollment(), 84);
  EXPECT_EQ(OrgName(t.sponsor()), "Vigonvita Life Sciences");
  EXPECT_EQ(t.sources(0).source(), "sources/ctgov-nct05388825");
  EXPECT_TRUE(t.claims().empty());
  ASSERT_EQ(t.aliases_size(), 1);
  EXPECT_EQ(t.aliases(0).id(), "TPN171H-E202");

  const uint64_t seq = store_->LastChangeSeq();
  v1::ImportClinicalTrialsResponse again = Import({kCtgovCsv});
  EXPECT_EQ(again.unchanged(), 40);
  EXPECT_EQ(store_->LastChangeSeq(), seq);
}

// The fields of a trial that both the API's JSON and the CSV download
// carry, as text.
std::string CommonFields(const Trial& t) {
  Trial common;
  common.set_title(t.title());
  common.set_acronym(t.acronym());
  *common.mutable_primary_id() = t.primary_id();
  *common.mutable_secondary_ids() = t.secondary_ids();
  *common.mutable_aliases() = t.aliases();
  common.set_phase(t.phase());
  common.set_phase_text(t.phase_text());
  common.set_status(t.status());
  *common.mutable_start_date() = t.start_date();
  *common.mutable_completion_date() = t.completion_date();
  common.set_enrollment(t.enrollment());
  *common.mutable_conditions() = t.conditions();
  *common.mutable_countries() = t.countries();
  common.set_sponsor(t.sponsor());
  *common.mutable_collaborators() = t.collaborators();
  *common.mutable_registration_date() = t.registration_date();
  common.set_study_type(t.study_type());
  *common.mutable_classification() = t.classification();
  common.mutable_classification()->clear_evidence();
  return common.ShortDebugString();
}

// The same ClinicalTrials.gov study as API JSON and as the CSV download
// (tests/fixtures/ctgov-csv/nct02552212_from_json.csv, written from the
// JSON fixture by csv_from_json.py): the CSV after the JSON changes nothing.
TEST_F(RegistryImportTest, JsonThenTheCsvFormOfTheSameStudyChangesNothing) {
  Import({kCtgovJson});
  Trial from_json;
  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT02552212", &from_json));
  const uint64_t seq = store_->LastChangeSeq();
  v1::ImportClinicalTrialsResponse s = Import({kCtgovCsvOfJson}, ImportRegistry::kCtgov);
  EXPECT_EQ(s.records(), 1);
  EXPECT_EQ(s.unchanged(), 1);
  EXPECT_EQ(s.rejected(), 0);
  EXPECT_EQ(store_->LastChangeSeq(), seq);
  EXPECT_EQ(TrialCount(), 1);
  Trial t;
  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT02552212", &t));
  EXPECT_EQ(t.SerializeAsString(), from_json.SerializeAsString());
  // Its ID from the sponsor ("Other IDs", first) typed as the JSON types it.
  ASSERT_EQ(t.aliases_size(), 1);
  EXPECT_EQ(t.aliases(0).id(), "AS0006");
  EXPECT_EQ(t.aliases(0).type(), "ORG_STUDY_ID");
}

// ... and the CSV first gives the trial the JSON gives on every field the
// CSV carries: the JSON then adds only what the CSV lacks.
TEST_F(RegistryImportTest, TheCsvFormFirstGivesWhatTheJsonGives) {
  v1::ImportClinicalTrialsResponse s = Import({kCtgovCsvOfJson}, ImportRegistry::kCtgov);
  EXPECT_EQ(s.created(), 1);
  Trial from_csv;
  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT02552212", &from_csv));
  EXPECT_EQ(from_csv.enrollment(), 317);
  EXPECT_EQ(FormatPartialDate(from_csv.start_date()), "2015-09");
  EXPECT_EQ(FormatPartialDate(from_csv.registration_date()), "2015-09-17");
  EXPECT_EQ(from_csv.phase_text(), "PHASE3");
  EXPECT_EQ(OrgName(from_csv.sponsor()), "UCB BIOSCIENCES GmbH");
  EXPECT_THAT(Ids(from_csv), UnorderedElementsAre("NCT02552212", "2015-001894-41"));

  v1::ImportClinicalTrialsResponse json = Import({kCtgovJson});
  EXPECT_EQ(json.records(), 1);
  EXPECT_EQ(TrialCount(), 1);
  Trial t;
  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT02552212", &t));
  EXPECT_EQ(CommonFields(t), CommonFields(from_csv));
  // What the JSON added: the official title only (the CSV download has no
  // such column).
  ASSERT_EQ(t.revisions_size(), 2);
  EXPECT_THAT(t.revisions(1).changed_fields(), ElementsAre("scientific_title"));
}

TEST_F(RegistryImportTest, JsonThenIctrpCopyIsOneTrialWithClaims) {
  const std::string ictrp = Write("nct02552212.xml", kIctrpCopyOfNct02552212);
  Import({kCtgovJson});
  Trial before;
  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT02552212", &before));
  v1::ImportClinicalTrialsResponse s = Import({ictrp}, ImportRegistry::kIctrp);
  EXPECT_EQ(s.records(), 1);
  EXPECT_EQ(s.created(), 0);
  EXPECT_EQ(s.updated(), 1);
  EXPECT_EQ(TrialCount(), 1);

  Trial t;
  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT02552212", &t));
  EXPECT_EQ(t.name(), before.name());
  // ClinicalTrials.gov's values stay; ICTRP's different enrollment is a
  // claim beside ClinicalTrials.gov's, never written over it.
  EXPECT_EQ(t.enrollment(), 317);
  EXPECT_EQ(t.status(), v1::TRIAL_STATUS_COMPLETED);
  EXPECT_EQ(t.title(), before.title());
  EXPECT_EQ(t.phase_text(), "PHASE3");
  EXPECT_EQ(FormatPartialDate(t.start_date()), "2015-09");
  const std::string ctgov = before.sources(0).source();
  EXPECT_THAT(Claims(t),
              UnorderedElementsAre(absl::StrCat("enrollment=317@", ctgov),
                                   "enrollment=300@sources/ictrp-nct02552212",
                                   "status_text=Not recruiting@sources/ictrp-nct02552212"));
  EXPECT_EQ(t.sources_size(), 2);
  EXPECT_EQ(Strings(t.countries()), Strings(before.countries()));

  // Again, in either order: nothing changes.
  const uint64_t seq = store_->LastChangeSeq();
  v1::ImportClinicalTrialsResponse again = Import({ictrp, kCtgovJson});
  EXPECT_EQ(again.unchanged(), 2);
  EXPECT_EQ(store_->LastChangeSeq(), seq);
}

TEST_F(RegistryImportTest, BridgedChictrRecordFirstThenJsonIsOneTrial) {
  const std::string chictr = Write("chictr.xml", kChictrBridgedToNct02552212);
  v1::ImportClinicalTrialsResponse first = Import({chictr});
  EXPECT_EQ(first.created(), 1);
  v1::ImportClinicalTrialsResponse s = Import({kCtgovJson});
  EXPECT_EQ(s.created(), 0);
  EXPECT_EQ(s.updated(), 1);
  EXPECT_EQ(TrialCount(), 1);

  Trial t;
  ASSERT_NO_FATAL_FAILURE(LoadTrial("NCT02552212", &t));
  EXPECT_EQ(t.name(), "trials/chictr2000099999");
  EXPECT_THAT(Ids(t), UnorderedElementsAre("ChiCTR2000099999", "NCT02552212", "2015-001894-41"));
  // The ChiCTR values came first; ClinicalTrials.gov's are claims beside them.
  EXPECT_EQ(t.enrollment(), 30);
  EXPECT_EQ(FormatPartialDate(t.start_date()), "2015-10-01");
  EXPECT_THAT(Claims(t), ::testing::IsSupersetOf({
                             "enrollment=30@sources/ictrp-chictr2000099999",
                             "start_date=2015-10-01@sources/ictrp-chictr2000099999",
                             "start_date=2015-09@sources/ctgov-nct02552212-2023-12-12",
                         }));
  // Countries from both registries.
  EXPECT_THAT(Strings(t.countries()), ::testing::IsSupersetOf({"CN", "US"}));
  // Printed fields: registration dates at their precision (ChiCTR's first,
  // ClinicalTrials.gov's first-posted date a claim), the JSON's acronym,
  // official title and study type, ICTRP's bridging flag.
  EXPECT_EQ(FormatPartialDate(t.registration_date()), "2015-09-20");
  EXPECT_THAT(Claims(t), ::testing::Contains(
                             "registration_date=2015-09-17@sources/ctgov-nct02552212-2023-12-12"));
  EXPECT_EQ(t.acronym(), "C-AXSPAND");
  EXPECT_EQ(t.study_type(), "INTERVENTIONAL");
  EXPECT_THAT(t.scientific_title(), ::testing::StartsWith("Phase 3, Multicenter, Randomized"));
  EXPECT_TRUE(t.bridging().bridged());

  const uint64_t seq = store_->LastChangeSeq();
  v1::ImportClinicalTrialsResponse again = Import({kCtgovJson, chictr});
  EXPECT_EQ(again.unchanged(), 2);
  EXPECT_EQ(store_->LastChangeSeq(), seq);
}

TEST_F(RegistryImportTest, FilesOfTheWrongRegistryAreRejectedAndCounted) {
  v1::ImportClinicalTrialsResponse s = Import(
      {kCtgovJson, kIctrpXml, Write("notes.txt", "hello, world\n1,2\n")}, ImportRegistry::kIctrp);
  EXPECT_EQ(s.files(), 3);
  EXPECT_EQ(s.records(), 110);
  EXPECT_EQ(s.rejected(), 2);
  std::vector<std::string> errors;
  for (const auto& p : s.problems()) {
    if (p.severity() == v1::IMPORT_PROBLEM_SEVERITY_ERROR) errors.push_back(p.message());
  }
  EXPECT_THAT(errors,
              ElementsAre(HasSubstr("ClinicalTrials.gov JSON (content starts with '{' (JSON)), "
                                    "not a WHO ICTRP export (XML or CSV)"),
                          HasSubstr("not a registry file this build reads")));
}

TEST_F(RegistryImportTest, BrokenXmlKeepsTheRecordsBeforeAndCountsTheRest) {
  std::ifstream in(kIctrpXml, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string xml = ss.str();
  // Cut inside the third <Trial>.
  size_t cut = 0;
  for (int i = 0; i < 3; ++i) cut = xml.find("<Trial>", cut + 1);
  const std::string path = Write("cut.xml", xml.substr(0, cut + 40));
  v1::ImportClinicalTrialsResponse s = Import({path}, ImportRegistry::kIctrp);
  EXPECT_EQ(s.created(), 2);
  EXPECT_EQ(s.rejected(), 1);
  ASSERT_GE(s.problems_size(), 1);
  const v1::ImportProblem& p = s.problems(s.problems_size() - 1);
  EXPECT_EQ(p.file(), path);
  EXPECT_THAT(p.path(), HasSubstr("Trial #3"));
}

// What the ImportClinicalTrials RPC calls: content in memory, any format.
TEST_F(RegistryImportTest, ContentInMemoryInEveryFormat) {
  auto read = [](const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  auto importer = CtgovImporter::Create(catalog_.get(), CtgovImportOptions{});
  ASSERT_TRUE(importer.ok()) << importer.status();
  ASSERT_TRUE((*importer)->ImportContent("upload/ictrp.xml", read(kIctrpXml)).ok());
  ASSERT_TRUE((*importer)->ImportContent("upload/ictrp.csv", read(kIctrpCsv)).ok());
  ASSERT_TRUE((*importer)->ImportContent("upload/studies.csv", read(kCtgovCsv)).ok());
  ASSERT_TRUE((*importer)->ImportContent("upload/study.json", read(kCtgovJson)).ok());
  const v1::ImportClinicalTrialsResponse& s = (*importer)->summary();
  EXPECT_EQ(s.files(), 4);
  EXPECT_EQ(s.records(), 110 + 110 + 40 + 1);
  EXPECT_EQ(s.created(), 110 + 40 + 1);
  EXPECT_EQ(s.unchanged(), 110);
  EXPECT_EQ(s.rejected(), 0);
  ASSERT_GE(s.results_size(), 1);
  EXPECT_EQ(s.results(0).file(), "upload/ictrp.xml");
  EXPECT_EQ(s.results(0).path(), "Trial #1 (line 2)");
  EXPECT_EQ(s.results(0).nct_id(), "ChiCTR2000029953");
}

}  // namespace
}  // namespace regenatlas::catalog
