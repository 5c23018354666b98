// Catalog domain tests of what the catalog derives and guards about its
// records: stages derived from trials, registry IDs, references, updates
// (masks, etags) and data issues, on the small synthetic catalog.

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/catalog/catalog.h"
#include "tests/services/catalog/catalog_domain_fixture.h"

namespace regenatlas::catalog {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;
using testing_util::CatalogDomainTest;
using testing_util::Cite;

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
        absl::StrCat(common::v1::DataIssueKind_Name(i.kind()), " ", i.record(), " ", i.field()));
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
    if (i.kind() == common::v1::DATA_ISSUE_KIND_MALFORMED_REGISTRY_ID) {
      EXPECT_THAT(i.description(), HasSubstr("has 9"));
    }
    if (i.kind() == common::v1::DATA_ISSUE_KIND_CONFLICTING_STATEMENTS) {
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

}  // namespace
}  // namespace regenatlas::catalog
