// The ClinicalTrials.gov importer with the bundled dataset (interventions
// linked to curated products, curated statements kept as claims) and through
// the ImportClinicalTrials RPC.

#include "tests/services/catalog/ctgov_import_fixture.h"

namespace regenatlas::catalog::ctgov_testing {
namespace {

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
}  // namespace regenatlas::catalog::ctgov_testing
