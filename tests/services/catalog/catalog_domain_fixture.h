#ifndef REGENATLAS_TESTS_SERVICES_CATALOG_CATALOG_DOMAIN_FIXTURE_H_
#define REGENATLAS_TESTS_SERVICES_CATALOG_CATALOG_DOMAIN_FIXTURE_H_

// The small synthetic catalog shared by the catalog domain tests
// (catalog_filter_test, catalog_search_test, catalog_integrity_test): two
// sources, two sponsors, two indications, four products, and helpers to add
// trials and list products by filter.
//
// Not in an anonymous namespace: googletest requires every TEST_F of a suite
// to use the same fixture type, across translation units too.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "services/catalog/catalog.h"
#include "storage/store.h"
#include "tests/testing/temp_dir.h"

namespace regenatlas::catalog::testing_util {

// A citation of `source` at "Table 1".
inline common::v1::SourceCitation Cite(const std::string& source = "sources/doc") {
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

}  // namespace regenatlas::catalog::testing_util

#endif  // REGENATLAS_TESTS_SERVICES_CATALOG_CATALOG_DOMAIN_FIXTURE_H_
