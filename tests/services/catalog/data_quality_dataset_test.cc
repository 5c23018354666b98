// The bundled dataset's data-quality report, shared-trial derivation and
// name search (issue 16): exact findings per kind, products of a shared
// registry ID keeping their own stage and countries, names from cited
// public sources and resource ids found by search.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
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
using ::testing::Not;
using ::testing::UnorderedElementsAre;

class DataQualityDatasetTest : public ::testing::Test {
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
  }
  static void TearDownTestSuite() {
    delete catalog_;
    delete store_;
    delete dir_;
  }

  static std::vector<DataIssue> Issues(const std::string& filter) {
    v1::ListDataIssuesRequest req;
    req.set_page_size(1000);
    req.set_filter(filter);
    absl::StatusOr<v1::ListDataIssuesResponse> r = catalog_->ListDataIssues(req);
    EXPECT_TRUE(r.ok()) << r.status();
    if (!r.ok()) return {};
    return {r->issues().begin(), r->issues().end()};
  }

  static std::vector<std::string> Records(const std::string& filter) {
    std::vector<std::string> out;
    for (const DataIssue& d : Issues(filter)) out.push_back(d.record());
    return out;
  }

  static std::vector<std::string> Search(const std::string& query) {
    v1::SearchProductsRequest req;
    req.set_query(query);
    req.set_page_size(1000);
    absl::StatusOr<v1::SearchProductsResponse> r = catalog_->SearchProducts(req);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& hit : r->results()) out.push_back(hit.product().name());
    }
    return out;
  }

  static testing::TempDir* dir_;
  static storage::Store* store_;
  static Catalog* catalog_;
};

testing::TempDir* DataQualityDatasetTest::dir_ = nullptr;
storage::Store* DataQualityDatasetTest::store_ = nullptr;
Catalog* DataQualityDatasetTest::catalog_ = nullptr;

// NCT04982081: Table 1 gives it to HiCM-188 (I, CN), Table 4 to Eyecyte-RPE
// (I/II, IN). Each product keeps its own statement; the trial keeps both.
TEST_F(DataQualityDatasetTest, SharedTrialFactsStayWithTheirProduct) {
  ListQuery q;
  q.filter = "country = IN";
  q.page_size = 1000;
  absl::StatusOr<ListResult<Product>> in = catalog_->ListProducts(q);
  ASSERT_TRUE(in.ok()) << in.status();
  std::vector<std::string> names;
  for (const Product& p : in->items) names.push_back(p.name());
  EXPECT_THAT(names, Contains("products/eyecyte-rpe"));
  EXPECT_THAT(names, Not(Contains("products/hicm-188")));

  Product eyecyte = *catalog_->products().Get("products/eyecyte-rpe");
  EXPECT_EQ(eyecyte.highest_stage(), common::v1::DEVELOPMENT_STAGE_PHASE_1_2);
  EXPECT_THAT(eyecyte.countries(), ElementsAre("IN"));
  Product hicm = *catalog_->products().Get("products/hicm-188");
  EXPECT_THAT(hicm.countries(), ElementsAre("CN", "US"));

  Trial trial = *catalog_->GetTrial("NCT04982081");
  std::set<std::string> phases;
  for (const auto& c : trial.claims()) {
    if (c.field() == "phase") phases.insert(c.value());
  }
  EXPECT_THAT(phases, ElementsAre("DEVELOPMENT_STAGE_PHASE_1", "DEVELOPMENT_STAGE_PHASE_1_2"));
  EXPECT_EQ(trial.product_statements_size(), 2);

  // The finding on each product says which statement its stage rests on.
  std::vector<DataIssue> derived =
      Issues("kind = DERIVED_FROM_CONFLICTING_CLAIM AND record = products/eyecyte-rpe");
  ASSERT_EQ(derived.size(), 1u);
  EXPECT_EQ(derived[0].field(), "highest_stage");
  EXPECT_THAT(derived[0].related_records(), ElementsAre("trials/nct04982081"));
  EXPECT_EQ(derived[0].citations(0).locator(), "Table 4, row Eyecyte-RPE");
  EXPECT_EQ(derived[0].severity(), common::v1::DATA_ISSUE_SEVERITY_WARNING);
  EXPECT_THAT(Records("kind = TRIAL_ID_SHARED_BY_PRODUCTS AND product = products/hicm-188"),
              ElementsAre("trials/nct04982081"));
}

// CXSL2300091 is printed once after both NCR100 (NCT06049342) and CAStem
// (NCT04331613).
TEST_F(DataQualityDatasetTest, RegistryIdNextToSeveralTrials) {
  std::vector<DataIssue> found = Issues("kind = REGISTRY_ID_NEXT_TO_SEVERAL_TRIALS");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].record(), "trials/nct06049342");
  EXPECT_EQ(found[0].field(), "secondary_ids");
  EXPECT_THAT(found[0].values(), ElementsAre("CXSL2300091", "NCT04331613", "NCT06049342"));
  EXPECT_THAT(found[0].related_records(), ElementsAre("products/ncr-100"));
  ASSERT_EQ(found[0].citations_size(), 1);
  EXPECT_THAT(found[0].citations(0).quote(), ::testing::HasSubstr("CXSL2300091"));
}

// Document 004 gives NCR100 NCT06049342; document 003 gives NCR-100
// NCT07139431.
TEST_F(DataQualityDatasetTest, ProductWithDifferentRegistryIdsInDifferentDocuments) {
  std::vector<DataIssue> ncr =
      Issues("kind = PRODUCT_REGISTRY_IDS_DIFFER AND record = products/ncr-100");
  ASSERT_EQ(ncr.size(), 1u);
  EXPECT_THAT(ncr[0].values(), UnorderedElementsAre("NCT06049342", "NCT07139431"));
  EXPECT_EQ(ncr[0].citations_size(), 2);
  EXPECT_THAT(Records("kind = PRODUCT_REGISTRY_IDS_DIFFER"), Contains("products/ncr-100"));
}

// Amtagvi (§2.1) and lifileucel (§3.1) are never printed together.
TEST_F(DataQualityDatasetTest, NamesMergedByTheCurator) {
  std::vector<DataIssue> merged =
      Issues("kind = UNSTATED_NAME_MERGE AND record = products/lifileucel");
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_THAT(merged[0].values(), ElementsAre("Amtagvi", "lifileucel"));
  EXPECT_EQ(merged[0].citations_size(), 2);
  // Ryoncil and remestemcel-L-rknd are printed in one quote: no finding.
  EXPECT_TRUE(Issues("kind = UNSTATED_NAME_MERGE AND record = products/remestemcel-l").empty());
}

// Every finding cites at least one quote and has a severity; the filters by
// severity, product and source narrow the report.
TEST_F(DataQualityDatasetTest, EveryFindingIsCitedAndFiltersWork) {
  std::vector<DataIssue> all = Issues("");
  std::map<std::string, int> by_kind;
  for (const DataIssue& d : all) {
    ++by_kind[common::v1::DataIssueKind_Name(d.kind())];
    EXPECT_FALSE(d.citations().empty()) << d.record() << " " << d.field();
    EXPECT_NE(d.severity(), common::v1::DATA_ISSUE_SEVERITY_UNSPECIFIED);
  }
  for (const char* kind :
       {"DATA_ISSUE_KIND_REGISTRY_ID_NEXT_TO_SEVERAL_TRIALS",
        "DATA_ISSUE_KIND_PRODUCT_REGISTRY_IDS_DIFFER", "DATA_ISSUE_KIND_UNSTATED_NAME_MERGE",
        "DATA_ISSUE_KIND_DERIVED_FROM_CONFLICTING_CLAIM"}) {
    EXPECT_GT(by_kind[kind], 0) << kind;
  }
  int errors = 0;
  for (const DataIssue& d : all) errors += d.severity() == common::v1::DATA_ISSUE_SEVERITY_ERROR;
  EXPECT_EQ(Issues("severity = ERROR").size(), static_cast<size_t>(errors));
  for (const DataIssue& d : Issues("source = sources/review-cell-therapy-drugs")) {
    bool cites = false;
    for (const auto& c : d.citations()) cites |= c.source() == "sources/review-cell-therapy-drugs";
    EXPECT_TRUE(cites) << d.record();
  }
}

// Names no seed prints come from cited public sources; resource ids search.
TEST_F(DataQualityDatasetTest, NamesFromCitedSourcesAndResourceIds) {
  EXPECT_EQ(Search("Amimestrocel").front(), "products/amimestrocel");
  EXPECT_EQ(Search("remestemcel-L").front(), "products/remestemcel-l");
  EXPECT_EQ(Search("remestemcel-l-rknd").front(), "products/remestemcel-l");
  EXPECT_EQ(Search("Ryoncil").front(), "products/remestemcel-l");
  EXPECT_EQ(Search("lifileucel").front(), "products/lifileucel");
  EXPECT_EQ(Search("hipsc-da-brigham").front(), "products/hipsc-da-brigham");
  Product amimestrocel = *catalog_->products().Get("products/amimestrocel");
  bool cited = false;
  for (const auto& c : amimestrocel.sources()) {
    cited |= c.source() == "sources/cjpi-2025-01-nmpa-amimestrocel";
  }
  EXPECT_TRUE(cited);
}

}  // namespace
}  // namespace regenatlas::catalog
