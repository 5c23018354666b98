// Catalog domain tests of search: Chinese names, codes, sponsors and
// facets on the small synthetic catalog, and the text normalisation and
// grams search is built on.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/catalog.h"
#include "services/catalog/text.h"
#include "tests/services/catalog/catalog_domain_fixture.h"

namespace regenatlas::catalog {
namespace {

using ::testing::ElementsAre;
using ::testing::UnorderedElementsAre;
using testing_util::CatalogDomainTest;

TEST_F(CatalogDomainTest, SearchChineseCodesSponsorsAndFacets) {
  auto search = [&](const std::string& query, const std::string& filter = "", int page_size = 0) {
    v1::SearchProductsRequest req;
    req.set_query(query);
    req.set_filter(filter);
    req.set_page_size(page_size);
    absl::StatusOr<v1::SearchProductsResponse> r = catalog_->SearchProducts(req);
    EXPECT_TRUE(r.ok()) << query << ": " << r.status();
    std::vector<std::string> names;
    if (r.ok()) {
      for (const auto& hit : r->results()) names.push_back(hit.product().name());
    }
    return names;
  };
  // No spaces in Chinese: substrings of names, indications and cell types.
  EXPECT_THAT(search("多巴胺"), ElementsAre("products/brt-da01"));
  EXPECT_THAT(search("dopaminergic"), ElementsAre("products/brt-da01"));
  EXPECT_THAT(search("心力衰竭"),
              UnorderedElementsAre("products/esc-cm", "products/heartsheet", "products/hicm-188"));
  // Codes ignore case, spaces and hyphens; the exact code ranks first.
  EXPECT_THAT(search("hicm188"), ElementsAre("products/hicm-188"));
  EXPECT_THAT(search("HiCM 188"), ElementsAre("products/hicm-188"));
  EXPECT_THAT(search("brt-da01"), ElementsAre("products/brt-da01"));
  // Sponsors in Chinese.
  EXPECT_THAT(search("艾尔普"),
              UnorderedElementsAre("products/brt-da01", "products/esc-cm", "products/hicm-188"));
  // Several words must all match; a filter narrows.
  EXPECT_THAT(search("艾尔普 心衰竭"), ElementsAre());
  EXPECT_THAT(search("艾尔普 心力衰竭", "cell_source = HESC"), ElementsAre("products/esc-cm"));
  EXPECT_THAT(search("nothing-like-this"), ElementsAre());

  // Facets count the whole matching set, not the page.
  v1::SearchProductsRequest req;
  req.set_query("heart failure");
  req.set_page_size(1);
  absl::StatusOr<v1::SearchProductsResponse> r = catalog_->SearchProducts(req);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->results_size(), 1);
  EXPECT_EQ(r->total_size(), 3);
  std::map<std::string, std::map<std::string, int>> facets;
  for (const auto& f : r->facets()) {
    for (const auto& v : f.values()) facets[f.field()][v.value()] = v.count();
  }
  EXPECT_EQ(facets["cell_source"]["HIPSC"], 2);
  EXPECT_EQ(facets["cell_source"]["HESC"], 1);
  EXPECT_EQ(facets["therapeutic_area"]["CARDIOVASCULAR"], 3);
  EXPECT_EQ(facets["sponsor"]["organizations/help"], 2);
  // The next page continues after the first hit.
  req.set_page_token(r->next_page_token());
  absl::StatusOr<v1::SearchProductsResponse> next = catalog_->SearchProducts(req);
  ASSERT_TRUE(next.ok()) << next.status();
  ASSERT_EQ(next->results_size(), 1);
  EXPECT_NE(next->results(0).product().name(), r->results(0).product().name());

  // Renaming a sponsor updates its products' search text.
  Organization patch;
  patch.set_name("organizations/cuorips");
  patch.set_display_name("Cuorips 株式会社");
  google::protobuf::FieldMask mask;
  mask.add_paths("display_name");
  ASSERT_TRUE(catalog_->organizations().Update(patch, mask).ok());
  EXPECT_THAT(search("株式会社"), ElementsAre("products/heartsheet"));

  v1::SearchProductsRequest empty;
  EXPECT_EQ(catalog_->SearchProducts(empty).status().code(), absl::StatusCode::kInvalidArgument);
  v1::SearchProductsRequest bad_facet;
  bad_facet.set_query("x");
  bad_facet.add_facets("colour");
  EXPECT_EQ(catalog_->SearchProducts(bad_facet).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(TextTest, NormalisationAndGrams) {
  EXPECT_EQ(NormalizeForSearch("HiCM-188"), "hicm188");
  EXPECT_EQ(NormalizeForSearch("ＨｉＣＭ　１８８"), "hicm188");
  EXPECT_EQ(NormalizeForSearch("艾米迈托赛注射液（睿铂生）"), "艾米迈托赛注射液睿铂生");
  EXPECT_EQ(NormalizeForSearch("Parkinson’s disease"), "parkinsonsdisease");
  EXPECT_THAT(QueryGrams("多巴胺"), UnorderedElementsAre("多巴", "巴胺"));
  EXPECT_THAT(QueryGrams("多"), ElementsAre("多"));
  EXPECT_EQ(StageRank(common::v1::DEVELOPMENT_STAGE_WITHDRAWN), 0);
  EXPECT_GT(StageRank(common::v1::DEVELOPMENT_STAGE_APPROVED),
            StageRank(common::v1::DEVELOPMENT_STAGE_CONDITIONAL_APPROVAL));
}

}  // namespace
}  // namespace regenatlas::catalog
