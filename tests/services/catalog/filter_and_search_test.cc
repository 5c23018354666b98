// Catalog domain tests on a small synthetic catalog: filters, ordering,
// paging, derived stages, registry IDs, search, data issues, and bad input
// that must change nothing.

#include <memory>
#include <string>
#include <vector>

#include "common/filter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/catalog.h"
#include "services/catalog/text.h"
#include "storage/store.h"
#include "tests/testing/temp_dir.h"

namespace regenatlas::catalog {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

common::v1::SourceCitation Cite(const std::string& source = "sources/doc") {
  common::v1::SourceCitation c;
  c.set_source(source);
  c.set_locator("Table 1");
  return c;
}

class CatalogDomainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions options;
    options.path = dir_.Sub("db");
    options.sync_writes = false;
    store_ = std::move(*storage::Store::Open(options));
    catalog_ = std::make_unique<Catalog>(store_.get(), CatalogOptions{});
    Source doc;
    doc.set_title("综述");
    doc.set_kind(v1::SOURCE_KIND_REVIEW);
    ASSERT_TRUE(catalog_->sources().Create("doc", doc).ok());
    ASSERT_TRUE(catalog_->sources().Create("other", doc).ok());
    AddOrg("help", "Help Therapeutics", "南京艾尔普再生医学");
    AddOrg("cuorips", "Cuorips Inc.", "");
    AddIndication("heart-failure", "Heart failure", "心力衰竭",
                  v1::THERAPEUTIC_AREA_CARDIOVASCULAR);
    AddIndication("parkinsons", "Parkinson's disease", "帕金森病", v1::THERAPEUTIC_AREA_NEUROLOGY);
    AddProduct("hicm-188", "HiCM-188", v1::CELL_SOURCE_HIPSC, v1::CELL_TYPE_CARDIOMYOCYTE,
               "heart-failure", "help");
    AddProduct("heartsheet", "HeartSheet", v1::CELL_SOURCE_HIPSC, v1::CELL_TYPE_CARDIOMYOCYTE,
               "heart-failure", "cuorips");
    AddProduct("esc-cm", "hESC-CM", v1::CELL_SOURCE_HESC, v1::CELL_TYPE_CARDIOMYOCYTE,
               "heart-failure", "help");
    AddProduct("brt-da01", "BRT-DA01", v1::CELL_SOURCE_HESC, v1::CELL_TYPE_DOPAMINERGIC_PROGENITOR,
               "parkinsons", "help", {{"zh", "人胚胎干细胞来源多巴胺能前体细胞"}});
  }

  void AddOrg(const std::string& id, const std::string& en, const std::string& zh) {
    Organization o;
    o.set_display_name(en);
    if (!zh.empty()) {
      auto* n = o.add_names();
      n->set_language("zh");
      n->set_text(zh);
    }
    *o.add_sources() = Cite();
    ASSERT_TRUE(catalog_->organizations().Create(id, o).ok());
  }

  void AddIndication(const std::string& id, const std::string& en, const std::string& zh,
                     v1::TherapeuticArea area) {
    Indication i;
    i.set_display_name(en);
    auto* n = i.add_names();
    n->set_language("zh");
    n->set_text(zh);
    i.set_therapeutic_area(area);
    *i.add_sources() = Cite();
    ASSERT_TRUE(catalog_->indications().Create(id, i).ok());
  }

  void AddProduct(const std::string& id, const std::string& name, v1::CellSource source,
                  v1::CellType type, const std::string& indication, const std::string& sponsor,
                  std::vector<std::pair<std::string, std::string>> names = {}) {
    Product p;
    p.set_display_name(name);
    auto* code = p.add_names();
    code->set_language("und");
    code->set_text(name);
    code->set_kind(common::v1::NAME_KIND_CODE);
    for (const auto& [lang, text] : names) {
      auto* n = p.add_names();
      n->set_language(lang);
      n->set_text(text);
    }
    p.set_cell_source(source);
    p.set_cell_type(type);
    p.add_indications("indications/" + indication);
    p.add_sponsors("organizations/" + sponsor);
    *p.add_sources() = Cite();
    absl::StatusOr<Product> created = catalog_->products().Create(id, p);
    ASSERT_TRUE(created.ok()) << created.status();
  }

  absl::StatusOr<Trial> AddTrial(const std::string& registry_id, common::v1::DevelopmentStage phase,
                                 std::vector<std::string> countries, int start_year,
                                 std::vector<std::string> products) {
    Trial t;
    t.mutable_primary_id()->set_id(registry_id);
    t.set_phase(phase);
    for (const auto& c : countries) t.add_countries(c);
    if (start_year) t.mutable_start_date()->set_year(start_year);
    for (const auto& p : products) t.add_products("products/" + p);
    *t.add_sources() = Cite();
    return catalog_->CreateTrial("", t);
  }

  std::vector<std::string> ProductNames(const std::string& filter, const std::string& order = "") {
    ListQuery q;
    q.filter = filter;
    q.order_by = order;
    q.page_size = 100;
    absl::StatusOr<ListResult<Product>> r = catalog_->ListProducts(q);
    EXPECT_TRUE(r.ok()) << filter << ": " << r.status();
    std::vector<std::string> names;
    if (r.ok()) {
      for (const auto& p : r->items) names.push_back(p.name());
    }
    return names;
  }

  testing::TempDir dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Catalog> catalog_;
};

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

TEST_F(CatalogDomainTest, StagesAreDerivedFromTrialsPerCountry) {
  ASSERT_TRUE(
      AddTrial("NCT04982081", common::v1::DEVELOPMENT_STAGE_PHASE_1, {"CN"}, 2021, {"hicm-188"})
          .ok());
  ASSERT_TRUE(
      AddTrial("NCT05566600", common::v1::DEVELOPMENT_STAGE_PHASE_1, {"US"}, 2023, {"hicm-188"})
          .ok());
  absl::StatusOr<Trial> phase2 = AddTrial("ChiCTR2400089728", common::v1::DEVELOPMENT_STAGE_PHASE_2,
                                          {"CN"}, 2024, {"hicm-188"});
  ASSERT_TRUE(phase2.ok()) << phase2.status();
  Product p = *catalog_->products().Get("products/hicm-188");
  EXPECT_EQ(p.highest_stage(), common::v1::DEVELOPMENT_STAGE_PHASE_2);
  ASSERT_EQ(p.stage_by_country_size(), 2);
  EXPECT_EQ(p.stage_by_country(0).country_code(), "CN");
  EXPECT_EQ(p.stage_by_country(0).stage(), common::v1::DEVELOPMENT_STAGE_PHASE_2);
  EXPECT_EQ(p.stage_by_country(1).country_code(), "US");
  EXPECT_EQ(p.stage_by_country(1).stage(), common::v1::DEVELOPMENT_STAGE_PHASE_1);
  EXPECT_EQ(p.first_trial_start().year(), 2021);
  EXPECT_THAT(p.trials(),
              ElementsAre("trials/chictr2400089728", "trials/nct04982081", "trials/nct05566600"));
  EXPECT_EQ(p.cell_category(), v1::CELL_CATEGORY_PSC);
  EXPECT_THAT(p.therapeutic_areas(), ElementsAre(v1::THERAPEUTIC_AREA_CARDIOVASCULAR));

  // Stage filters are ordered; so is start_year.
  EXPECT_THAT(ProductNames("stage >= PHASE_2"), ElementsAre("products/hicm-188"));
  EXPECT_THAT(ProductNames("stage < PHASE_2"), ElementsAre());
  EXPECT_THAT(ProductNames("start_year <= 2021 AND country = cn"),
              ElementsAre("products/hicm-188"));

  // Callers cannot type a stage: it is recomputed.
  Product patch;
  patch.set_name("products/hicm-188");
  patch.set_highest_stage(common::v1::DEVELOPMENT_STAGE_APPROVED);
  google::protobuf::FieldMask mask;
  mask.add_paths("highest_stage");
  absl::StatusOr<Product> patched = catalog_->products().Update(patch, mask);
  ASSERT_TRUE(patched.ok()) << patched.status();
  EXPECT_EQ(patched->highest_stage(), common::v1::DEVELOPMENT_STAGE_PHASE_2);

  // Deleting the phase 2 trial lowers the stage.
  ASSERT_TRUE(catalog_->trials().Delete(phase2->name(), "").ok());
  p = *catalog_->products().Get("products/hicm-188");
  EXPECT_EQ(p.highest_stage(), common::v1::DEVELOPMENT_STAGE_PHASE_1);
  EXPECT_THAT(ProductNames("stage >= PHASE_2"), ElementsAre());

  // Trials join on their products' fields.
  ListQuery q;
  q.filter = "product.cell_source = HIPSC AND country = US";
  absl::StatusOr<ListResult<Trial>> trials = catalog_->ListTrials(q);
  ASSERT_TRUE(trials.ok()) << trials.status();
  ASSERT_EQ(trials->items.size(), 1u);
  EXPECT_EQ(trials->items[0].name(), "trials/nct05566600");
}

TEST_F(CatalogDomainTest, RegistryIdsAreCanonicalUniqueAndLookupable) {
  absl::StatusOr<Trial> t =
      AddTrial(" nct04982081 ", common::v1::DEVELOPMENT_STAGE_PHASE_1, {"CN"}, 2021, {"hicm-188"});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->name(), "trials/nct04982081");
  EXPECT_EQ(t->primary_id().id(), "NCT04982081");
  EXPECT_EQ(t->primary_id().registry(), common::v1::REGISTRY_NCT);
  EXPECT_EQ(catalog_->GetTrial("NCT04982081")->name(), "trials/nct04982081");
  EXPECT_EQ(catalog_->GetTrial("nct04982081")->name(), "trials/nct04982081");
  EXPECT_EQ(catalog_->GetTrial("NCT09999999").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(catalog_->GetTrial("banana").status().code(), absl::StatusCode::kInvalidArgument);

  // The same ID on another trial is refused, as secondary too.
  Trial dup;
  dup.mutable_primary_id()->set_id("jRCTa031190228");
  dup.add_secondary_ids()->set_id("NCT04982081");
  *dup.add_sources() = Cite();
  EXPECT_EQ(catalog_->CreateTrial("", dup).status().code(), absl::StatusCode::kAlreadyExists);

  const uint64_t seq = store_->LastChangeSeq();
  Trial bad;
  bad.mutable_primary_id()->set_id("NCT0498208");
  *bad.add_sources() = Cite();
  absl::Status s = catalog_->CreateTrial("", bad).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(s.message()), HasSubstr("8 digits"));
  bad.mutable_primary_id()->set_id("NCT04982082");
  bad.mutable_primary_id()->set_registry(common::v1::REGISTRY_JRCT);
  EXPECT_THAT(std::string(catalog_->CreateTrial("", bad).status().message()),
              HasSubstr("trial.primary_id.registry"));
  EXPECT_EQ(store_->LastChangeSeq(), seq);

  absl::StatusOr<v1::ResolveRegistryIdResponse> resolved =
      catalog_->ResolveRegistryId("nct04982081");
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->trial(), "trials/nct04982081");
  EXPECT_EQ(resolved->registry_name(), "ClinicalTrials.gov");
  EXPECT_EQ(catalog_->ResolveRegistryId("jRCT209022038").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(CatalogDomainTest, ReferencesAreValidatedAndProtected) {
  const uint64_t seq = store_->LastChangeSeq();
  Product p;
  p.set_display_name("X");
  p.set_cell_source(v1::CELL_SOURCE_HIPSC);
  p.set_cell_type(v1::CELL_TYPE_NK);
  p.add_sponsors("organizations/nobody");
  *p.add_sources() = Cite();
  absl::Status s = catalog_->products().Create("x", p).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "product.sponsors[0]: organizations/nobody does not exist");
  p.clear_sponsors();
  p.mutable_sources(0)->set_source("sources/unknown");
  EXPECT_THAT(std::string(catalog_->products().Create("x", p).status().message()),
              HasSubstr("product.sources[0].source"));
  p.mutable_sources(0)->set_source("sources/doc");
  p.set_cell_type(v1::CELL_TYPE_UNSPECIFIED);
  EXPECT_EQ(catalog_->products().Create("x", p).status().message(), "product.cell_type: required");
  EXPECT_EQ(store_->LastChangeSeq(), seq);
  EXPECT_EQ(catalog_->products().Get("products/x").status().code(), absl::StatusCode::kNotFound);

  EXPECT_EQ(catalog_->organizations().Delete("organizations/help", "").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(catalog_->indications().Delete("indications/parkinsons", "").code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(catalog_->sources().Delete("sources/doc", "").code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(
      AddTrial("NCT04982081", common::v1::DEVELOPMENT_STAGE_PHASE_1, {"CN"}, 2021, {"hicm-188"})
          .ok());
  EXPECT_EQ(catalog_->products().Delete("products/hicm-188", "").code(),
            absl::StatusCode::kFailedPrecondition);
  // Unreferenced records can go.
  EXPECT_TRUE(catalog_->sources().Delete("sources/other", "").ok());
}

TEST_F(CatalogDomainTest, UpdatesUseMasksAndEtags) {
  Product current = *catalog_->products().Get("products/heartsheet");
  Product patch;
  patch.set_name(current.name());
  patch.set_etag(current.etag());
  patch.set_status_note("marketing application filed");
  google::protobuf::FieldMask mask;
  mask.add_paths("status_note");
  absl::StatusOr<Product> updated = catalog_->products().Update(patch, mask);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->status_note(), "marketing application filed");
  EXPECT_EQ(updated->display_name(), "HeartSheet");
  patch.set_status_note("again");
  EXPECT_EQ(catalog_->products().Update(patch, mask).status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(catalog_->products().Get("products/heartsheet")->status_note(),
            "marketing application filed");
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

TEST_F(CatalogDomainTest, DataIssuesFromClaimsMalformedIdsAndSharedTrials) {
  Trial t;
  t.mutable_primary_id()->set_id("jRCT2090220384");
  t.add_malformed_ids("jRCT209022038");
  t.set_phase(common::v1::DEVELOPMENT_STAGE_PHASE_1_2);
  t.add_products("products/hicm-188");
  t.add_products("products/heartsheet");
  *t.add_sources() = Cite();
  auto* c1 = t.add_claims();
  c1->set_field("start_date");
  c1->set_value("2019-05");
  *c1->mutable_citation() = Cite("sources/doc");
  auto* c2 = t.add_claims();
  c2->set_field("start_date");
  c2->set_value("2021");
  *c2->mutable_citation() = Cite("sources/other");
  // Same date at two precisions is not a conflict.
  auto* c3 = t.add_claims();
  c3->set_field("completion_date");
  c3->set_value("2025");
  *c3->mutable_citation() = Cite("sources/doc");
  auto* c4 = t.add_claims();
  c4->set_field("completion_date");
  c4->set_value("2025-03");
  *c4->mutable_citation() = Cite("sources/other");
  ASSERT_TRUE(catalog_->CreateTrial("", t).ok());

  v1::ListDataIssuesRequest req;
  absl::StatusOr<v1::ListDataIssuesResponse> all = catalog_->ListDataIssues(req);
  ASSERT_TRUE(all.ok()) << all.status();
  std::vector<std::string> kinds;
  for (const auto& i : all->issues()) {
    kinds.push_back(
        absl::StrCat(v1::DataIssueKind_Name(i.kind()), " ", i.record(), " ", i.field()));
  }
  EXPECT_THAT(kinds,
              UnorderedElementsAre(
                  "DATA_ISSUE_KIND_MALFORMED_REGISTRY_ID trials/jrct2090220384 malformed_ids",
                  "DATA_ISSUE_KIND_TRIAL_ID_SHARED_BY_PRODUCTS trials/jrct2090220384 products",
                  "DATA_ISSUE_KIND_CONFLICTING_STATEMENTS trials/jrct2090220384 start_date",
                  // Both products' first trial start rests on the disputed date.
                  "DATA_ISSUE_KIND_DERIVED_FROM_CONFLICTING_CLAIM products/heartsheet "
                  "first_trial_start",
                  "DATA_ISSUE_KIND_DERIVED_FROM_CONFLICTING_CLAIM products/hicm-188 "
                  "first_trial_start"));
  for (const auto& i : all->issues()) {
    EXPECT_FALSE(i.citations().empty()) << i.description();
    if (i.kind() == v1::DATA_ISSUE_KIND_MALFORMED_REGISTRY_ID) {
      EXPECT_THAT(i.description(), HasSubstr("has 9"));
    }
    if (i.kind() == v1::DATA_ISSUE_KIND_CONFLICTING_STATEMENTS) {
      EXPECT_THAT(i.values(), ElementsAre("2019-05", "2021"));
      ASSERT_EQ(i.citations_size(), 2);
      EXPECT_EQ(i.citations(1).source(), "sources/other");
    }
  }
  req.set_filter("kind = MALFORMED_REGISTRY_ID");
  EXPECT_EQ(catalog_->ListDataIssues(req)->issues_size(), 1);
  req.set_filter("kind = BANANA");
  EXPECT_EQ(catalog_->ListDataIssues(req).status().code(), absl::StatusCode::kInvalidArgument);

  // Fixing the record clears its findings.
  Trial fix;
  fix.set_name("trials/jrct2090220384");
  google::protobuf::FieldMask mask;
  mask.add_paths("malformed_ids");
  mask.add_paths("claims");
  mask.add_paths("products");
  fix.add_products("products/hicm-188");
  ASSERT_TRUE(catalog_->trials().Update(fix, mask).ok());
  req.clear_filter();
  EXPECT_EQ(catalog_->ListDataIssues(req)->issues_size(), 0);
  // HeartSheet lost the trial; its stage is recomputed.
  EXPECT_EQ(catalog_->products().Get("products/heartsheet")->highest_stage(),
            common::v1::DEVELOPMENT_STAGE_UNSPECIFIED);
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

namespace regenatlas::catalog {
namespace {

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
