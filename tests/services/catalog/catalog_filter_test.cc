// Catalog domain tests on the small synthetic catalog: filters over the
// indexes, bad filters, paging and counts by dimension.

#include <string>
#include <vector>

#include "common/filter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/catalog.h"
#include "tests/services/catalog/catalog_domain_fixture.h"

namespace regenatlas::catalog {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing_util::CatalogDomainTest;

TEST_F(CatalogDomainTest, FiltersOverIndexes) {
  EXPECT_THAT(ProductNames("cell_source = HIPSC"),
              ElementsAre("products/heartsheet", "products/hicm-188"));
  EXPECT_THAT(ProductNames("cell_category = PSC AND indication = \"indications/parkinsons\""),
              ElementsAre("products/brt-da01"));
  // Short and full enum names, any case; ids or resource names.
  EXPECT_THAT(ProductNames("cell_type = cell_type_cardiomyocyte AND sponsor: help"),
              ElementsAre("products/esc-cm", "products/hicm-188"));
  // OR binds tighter than AND (AIP-160); NOT and '-' negate.
  EXPECT_THAT(ProductNames("therapeutic_area = CARDIOVASCULAR AND cell_source = HESC OR "
                           "cell_source = CIPSC"),
              ElementsAre("products/esc-cm"));
  EXPECT_THAT(ProductNames("indication = heart-failure AND NOT sponsor = help"),
              ElementsAre("products/heartsheet"));
  EXPECT_THAT(ProductNames("indication = heart-failure -(cell_source = HIPSC)"),
              ElementsAre("products/esc-cm"));
  EXPECT_THAT(ProductNames("sponsor != help"), ElementsAre("products/heartsheet"));
  EXPECT_THAT(ProductNames("(cell_source = HESC OR cell_source = HIPSC) AND sponsor = cuorips"),
              ElementsAre("products/heartsheet"));
  EXPECT_THAT(ProductNames("gene_edited = true"), ElementsAre());
}

TEST_F(CatalogDomainTest, BadFiltersAreInvalidArgumentNamingTheProblem) {
  struct Case {
    std::string filter;
    std::string message_part;
  };
  for (const Case& c : std::vector<Case>{
           {"cell_source =", "expected a value"},
           {"colour = red", "unknown field \"colour\""},
           {"cell_source = PLASMA", "invalid value \"PLASMA\""},
           {"cell_source < HESC", "does not support <"},
           {"sponsor = \"help", "unterminated string"},
           {"(cell_source = HESC", "missing ')'"},
           {"cell_source = HESC)", "unexpected \")\""},
           {"start_year >= soon", "expected an integer"},
           {"gene_edited = maybe", "expected true or false"},
           {"country = CHN", "not a valid value"},
           {"AND", "expected a field name"},
       }) {
    ListQuery q;
    q.filter = c.filter;
    absl::StatusOr<ListResult<Product>> r = catalog_->ListProducts(q);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << c.filter;
    EXPECT_THAT(std::string(r.status().message()), HasSubstr("filter: ")) << c.filter;
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(c.message_part)) << c.filter;
  }
  ListQuery q;
  q.order_by = "colour desc";
  EXPECT_THAT(std::string(catalog_->ListProducts(q).status().message()), HasSubstr("order_by"));
  q.order_by = "display_name sideways";
  EXPECT_EQ(catalog_->ListProducts(q).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(CatalogDomainTest, PagingIsStableAndBoundToTheQuery) {
  ListQuery q;
  q.page_size = 2;
  q.filter = "therapeutic_area = CARDIOVASCULAR";
  absl::StatusOr<ListResult<Product>> first = catalog_->ListProducts(q);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->items.size(), 2u);
  EXPECT_EQ(first->total_size, 3);
  // A record inserted before the cursor does not shift the next page.
  AddProduct("a-first", "A-first", v1::CELL_SOURCE_HESC, v1::CELL_TYPE_CARDIOMYOCYTE,
             "heart-failure", "help");
  q.page_token = first->next_page_token;
  absl::StatusOr<ListResult<Product>> second = catalog_->ListProducts(q);
  ASSERT_TRUE(second.ok()) << second.status();
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].name(), "products/hicm-188");
  EXPECT_TRUE(second->next_page_token.empty());

  ListQuery other = q;
  other.filter = "therapeutic_area = NEUROLOGY";
  EXPECT_THAT(std::string(catalog_->ListProducts(other).status().message()),
              HasSubstr("different filter"));
  ListQuery tampered = q;
  tampered.page_token[3] = tampered.page_token[3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(catalog_->ListProducts(tampered).status().code(), absl::StatusCode::kInvalidArgument);
  ListQuery negative;
  negative.page_size = -1;
  EXPECT_EQ(catalog_->ListProducts(negative).status().code(), absl::StatusCode::kInvalidArgument);

  // Other orders page the same way.
  ListQuery by_name;
  by_name.order_by = "display_name desc";
  by_name.page_size = 3;
  std::vector<std::string> names;
  for (;;) {
    absl::StatusOr<ListResult<Product>> page = catalog_->ListProducts(by_name);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& p : page->items) names.push_back(p.display_name());
    if (page->next_page_token.empty()) break;
    by_name.page_token = page->next_page_token;
  }
  // Case-insensitive: "hicm" > "hesc" > "hear".
  EXPECT_THAT(names, ElementsAre("HiCM-188", "hESC-CM", "HeartSheet", "BRT-DA01", "A-first"));
}

TEST_F(CatalogDomainTest, CountsByOneAndTwoDimensionsAndRegulatoryStages) {
  ASSERT_TRUE(
      AddTrial("NCT04982081", common::v1::DEVELOPMENT_STAGE_PHASE_2, {"CN"}, 2021, {"hicm-188"})
          .ok());
  ASSERT_TRUE(AddTrial("NCT05566600", common::v1::DEVELOPMENT_STAGE_PHASE_1, {"US"}, 2023,
                       {"hicm-188", "heartsheet"})
                  .ok());
  google::protobuf::RepeatedPtrField<std::string> by;
  *by.Add() = "cell_source";
  absl::StatusOr<v1::CountResponse> r =
      catalog_->CountProducts("therapeutic_area = CARDIOVASCULAR", by);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->total(), 3);
  ASSERT_EQ(r->rows_size(), 2);
  EXPECT_THAT(r->rows(0).keys(), ElementsAre("HESC"));
  EXPECT_EQ(r->rows(0).count(), 1);
  EXPECT_THAT(r->rows(1).keys(), ElementsAre("HIPSC"));
  EXPECT_EQ(r->rows(1).count(), 2);

  // country × stage uses each product's stage in that country.
  google::protobuf::RepeatedPtrField<std::string> cs;
  *cs.Add() = "country";
  *cs.Add() = "stage";
  r = catalog_->CountProducts("cell_category = PSC", cs);
  ASSERT_TRUE(r.ok()) << r.status();
  std::vector<std::string> rows;
  for (const auto& row : r->rows()) {
    rows.push_back(absl::StrCat(row.keys(0), "/", row.keys(1), "=", row.count()));
  }
  EXPECT_THAT(rows, ElementsAre("CN/PHASE_2=1", "US/PHASE_1=2"));

  google::protobuf::RepeatedPtrField<std::string> phase;
  *phase.Add() = "phase";
  r = catalog_->CountTrials("product.cell_source = HIPSC", phase);
  ASSERT_TRUE(r.ok()) << r.status();
  ASSERT_EQ(r->rows_size(), 2);
  EXPECT_THAT(r->rows(0).keys(), ElementsAre("PHASE_1"));

  google::protobuf::RepeatedPtrField<std::string> bad;
  *bad.Add() = "colour";
  EXPECT_EQ(catalog_->CountProducts("", bad).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(catalog_->CountProducts("", {}).status().code(), absl::StatusCode::kInvalidArgument);

  // Regulatory stages (from the timeline) outrank trials and show per country.
  google::protobuf::RepeatedPtrField<v1::CountryStage> stages;
  auto* jp = stages.Add();
  jp->set_country_code("JP");
  jp->set_stage(common::v1::DEVELOPMENT_STAGE_MARKETING_APPLICATION);
  absl::StatusOr<Product> p = catalog_->SetRegulatoryStages("products/heartsheet", stages);
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->highest_stage(), common::v1::DEVELOPMENT_STAGE_MARKETING_APPLICATION);
  EXPECT_THAT(ProductNames("stage >= MARKETING_APPLICATION"), ElementsAre("products/heartsheet"));
  // A later product update keeps them.
  Product patch;
  patch.set_name("products/heartsheet");
  patch.set_status_note("filed");
  google::protobuf::FieldMask mask;
  mask.add_paths("status_note");
  mask.add_paths("regulatory_stages");
  ASSERT_TRUE(catalog_->products().Update(patch, mask).ok());
  EXPECT_EQ(catalog_->products().Get("products/heartsheet")->regulatory_stages_size(), 1);
  jp->set_stage(common::v1::DEVELOPMENT_STAGE_PHASE_3);
  EXPECT_EQ(catalog_->SetRegulatoryStages("products/heartsheet", stages).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(catalog_->SetRegulatoryStages("products/none", {}).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace regenatlas::catalog
