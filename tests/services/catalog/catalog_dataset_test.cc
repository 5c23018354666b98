// The catalog over the real reference dataset (data/catalog): exact answers
// to the questions users ask, so that a wrong value fails.

#include <map>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/catalog.h"
#include "services/catalog/dataset_loader.h"
#include "storage/store.h"
#include "tests/testing/temp_dir.h"

namespace regenatlas::catalog {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;

class CatalogDatasetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir();
    storage::StoreOptions options;
    options.path = dir_->Sub("db");
    options.sync_writes = false;
    store_ = std::move(*storage::Store::Open(options)).release();
    catalog_ = new Catalog(store_, CatalogOptions{});
    absl::StatusOr<LoadSummary> loaded =
        EnsureCatalogDataset(*catalog_, REGENATLAS_SOURCE_DIR "/data/catalog");
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    ASSERT_TRUE(loaded->rejected.empty()) << loaded->rejected.front();
    first_load_ = new LoadSummary(*loaded);
  }
  static void TearDownTestSuite() {
    delete catalog_;
    delete store_;
    delete dir_;
    delete first_load_;
  }

  static std::vector<std::string> Names(const std::string& filter) {
    ListQuery q;
    q.filter = filter;
    q.page_size = 1000;
    absl::StatusOr<ListResult<Product>> r = catalog_->ListProducts(q);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> out;
    for (const auto& p : r->items) out.push_back(p.name());
    return out;
  }

  static std::vector<std::string> Search(const std::string& query) {
    v1::SearchProductsRequest req;
    req.set_query(query);
    req.set_page_size(1000);
    absl::StatusOr<v1::SearchProductsResponse> r = catalog_->SearchProducts(req);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> out;
    for (const auto& hit : r->results()) out.push_back(hit.product().name());
    return out;
  }

  static testing::TempDir* dir_;
  static storage::Store* store_;
  static Catalog* catalog_;
  static LoadSummary* first_load_;
};

testing::TempDir* CatalogDatasetTest::dir_ = nullptr;
storage::Store* CatalogDatasetTest::store_ = nullptr;
Catalog* CatalogDatasetTest::catalog_ = nullptr;
LoadSummary* CatalogDatasetTest::first_load_ = nullptr;

TEST_F(CatalogDatasetTest, LoadingAgainChangesNothing) {
  EXPECT_GT(first_load_->created, 400);
  const uint64_t seq = store_->LastChangeSeq();
  v1::CatalogDataset dataset;
  DatasetReport report;
  ASSERT_TRUE(LoadDatasetDir(REGENATLAS_SOURCE_DIR "/data/catalog", &dataset, &report).ok());
  absl::StatusOr<LoadSummary> again = LoadCatalogDataset(*catalog_, dataset, report);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->created, 0);
  EXPECT_EQ(again->updated, 0);
  EXPECT_EQ(again->unchanged, first_load_->created);
  EXPECT_EQ(store_->LastChangeSeq(), seq);
}

// Q1: which iPSC-derived products are in clinical trials for heart failure,
// by phase and country?
TEST_F(CatalogDatasetTest, HipscProductsInHeartFailureTrials) {
  EXPECT_THAT(Names("cell_source = HIPSC AND indication = heart-failure"),
              ElementsAre("products/heartsheet", "products/hicm-188"));
  ListQuery q;
  q.filter = "product.cell_source = HIPSC AND indication = heart-failure";
  q.order_by = "phase desc";
  absl::StatusOr<ListResult<Trial>> trials = catalog_->ListTrials(q);
  ASSERT_TRUE(trials.ok()) << trials.status();
  std::vector<std::string> rows;
  for (const Trial& t : trials->items) {
    rows.push_back(absl::StrCat(t.name(), " ", common::v1::DevelopmentStage_Name(t.phase()), " ",
                                absl::StrJoin(t.countries(), ",")));
  }
  EXPECT_THAT(rows, ElementsAre("trials/hicm-188-cn-phase-2 DEVELOPMENT_STAGE_PHASE_2 CN",
                                "trials/hicm-188-us-phase-1 DEVELOPMENT_STAGE_PHASE_1 US",
                                "trials/nct04982081 DEVELOPMENT_STAGE_PHASE_1 CN,IN"));
}

// Q4: hPSC-derived products per country and phase — China's row.
TEST_F(CatalogDatasetTest, PscProductsInChinaByStage) {
  google::protobuf::RepeatedPtrField<std::string> by;
  *by.Add() = "country";
  *by.Add() = "stage";
  absl::StatusOr<v1::CountResponse> r = catalog_->CountProducts("cell_category = PSC", by);
  ASSERT_TRUE(r.ok()) << r.status();
  std::map<std::string, int> china;
  for (const auto& row : r->rows()) {
    if (row.keys(0) == "CN") china[row.keys(1)] = row.count();
  }
  // Eyecyte-RPE is not in China: NCT04982081's Chinese site is HiCM-188's
  // (each product keeps its own statement of a shared trial).
  EXPECT_THAT(china, ElementsAre(std::make_pair("PHASE_1", 18), std::make_pair("PHASE_1_2", 6),
                                 std::make_pair("PHASE_2", 2)));
  EXPECT_EQ(r->total(), 96);
}

// Q3: "多巴胺", "dopaminergic" and "BRT-DA01" find the same product family.
TEST_F(CatalogDatasetTest, ChineseEnglishAndCodeSearch) {
  // DopaCell and the Brigham hiPSC-DA programme are "hESC-DA"/"hiPSC-DA"
  // (Table 2's footnote: DA = dopamine cells), typed as dopaminergic.
  const std::vector<std::string> dopaminergic = {
      "products/a9-dpc",           "products/anpd001",      "products/aszq-003",
      "products/brt-da01",         "products/ct1-dap001",   "products/dopacell",
      "products/hipsc-da-brigham", "products/hipsc-mdap",   "products/ncr201",
      "products/nouvneu001",       "products/raguneprocel", "products/stem-pd",
      "products/ux-da001",         "products/xs-411"};
  std::vector<std::string> chinese = Search("多巴胺");
  EXPECT_EQ(std::set<std::string>(chinese.begin(), chinese.end()),
            std::set<std::string>(dopaminergic.begin(), dopaminergic.end()));
  EXPECT_EQ(chinese.size(), dopaminergic.size());
  std::vector<std::string> english = Search("dopaminergic");
  EXPECT_EQ(std::set<std::string>(english.begin(), english.end()),
            std::set<std::string>(dopaminergic.begin(), dopaminergic.end()));
  EXPECT_EQ(Search("BRT-DA01").front(), "products/brt-da01");
  EXPECT_EQ(Search("bemdaneprocel").front(), "products/brt-da01");
  // Codes ignore case, spaces and hyphens.
  EXPECT_EQ(Search("hicm188").front(), "products/hicm-188");
  EXPECT_EQ(Search("HiCM 188").front(), "products/hicm-188");
  // Brand and generic names in Chinese.
  EXPECT_EQ(Search("睿铂生").front(), "products/amimestrocel");
  EXPECT_EQ(Search("艾米迈托赛").front(), "products/amimestrocel");
}

// The highest stage of a product with trials in several phases and countries.
TEST_F(CatalogDatasetTest, HighestStageOverallAndPerCountry) {
  Product p = *catalog_->products().Get("products/hicm-188");
  EXPECT_EQ(p.highest_stage(), common::v1::DEVELOPMENT_STAGE_PHASE_2);
  std::vector<std::string> by_country;
  for (const auto& cs : p.stage_by_country()) {
    by_country.push_back(
        absl::StrCat(cs.country_code(), "=", common::v1::DevelopmentStage_Name(cs.stage())));
  }
  // NCT04982081 is also Table 4's ID for Eyecyte-RPE (India): HiCM-188's
  // countries come from its own statement (Table 1: CN) only.
  EXPECT_THAT(by_country,
              ElementsAre("CN=DEVELOPMENT_STAGE_PHASE_2", "US=DEVELOPMENT_STAGE_PHASE_1"));
  EXPECT_THAT(p.trials(), ElementsAre("trials/hicm-188-cn-phase-2", "trials/hicm-188-us-phase-1",
                                      "trials/nct04982081"));
  EXPECT_EQ(catalog_->GetTrial("jRCT2090220384")->name(), "trials/jrct2090220384");
}

// Q11: the data-quality report holds the inconsistencies that really are in
// the documents.
TEST_F(CatalogDatasetTest, DataQualityReportHasTheDocumentsInconsistencies) {
  v1::ListDataIssuesRequest req;
  req.set_page_size(1000);
  absl::StatusOr<v1::ListDataIssuesResponse> r = catalog_->ListDataIssues(req);
  ASSERT_TRUE(r.ok()) << r.status();
  std::map<std::string, const DataIssue*> by_key;
  for (const auto& issue : r->issues()) {
    by_key[absl::StrCat(common::v1::DataIssueKind_Name(issue.kind()).substr(16), " ",
                        issue.record(), " ", issue.field())] = &issue;
  }
  // Table 2 prints jRCT209022038 (one digit short); §3.1 prints jRCT2090220384.
  const DataIssue* malformed = by_key["MALFORMED_REGISTRY_ID trials/jrct2090220384 malformed_ids"];
  ASSERT_NE(malformed, nullptr);
  EXPECT_THAT(malformed->values(), ElementsAre("jRCT209022038"));
  // Table 1 gives NCT04982081 to HiCM-188, Table 4 to Eyecyte-RPE.
  const DataIssue* shared = by_key["TRIAL_ID_SHARED_BY_PRODUCTS trials/nct04982081 products"];
  ASSERT_NE(shared, nullptr);
  EXPECT_THAT(shared->related_records(),
              UnorderedElementsAre("products/hicm-188", "products/eyecyte-rpe"));
  ASSERT_NE(by_key["TRIAL_ID_SHARED_BY_PRODUCTS trials/nct06978920 products"], nullptr);
  // Table 1 says hESC for HeartSheet; the prose and document 000 say iPSC.
  const DataIssue* heartsheet = by_key["CONFLICTING_STATEMENTS products/heartsheet cell_source"];
  ASSERT_NE(heartsheet, nullptr);
  EXPECT_THAT(heartsheet->values(), ElementsAre("CELL_SOURCE_HESC", "CELL_SOURCE_HIPSC"));
  // iPLAT1: Table 1 says 2021, the prose of the same document May 2019.
  const DataIssue* iplat = by_key["TABLE_PROSE_DISAGREEMENT trials/jrcta050190117 start_date"];
  ASSERT_NE(iplat, nullptr);
  EXPECT_THAT(iplat->values(), ElementsAre("2019-05", "2021"));
  // NCT02302157: Asterias (table) vs Astellas (prose).
  const DataIssue* sponsor = by_key["CONFLICTING_STATEMENTS trials/nct02302157 sponsor"];
  ASSERT_NE(sponsor, nullptr);
  EXPECT_THAT(sponsor->values(), Contains("organizations/asterias-biotherapeutics"));
  for (const auto& issue : r->issues()) {
    EXPECT_FALSE(issue.citations().empty()) << issue.record() << " " << issue.field();
  }
}

}  // namespace
}  // namespace regenatlas::catalog
