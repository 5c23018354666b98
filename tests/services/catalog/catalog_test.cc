#include "services/catalog/catalog.h"

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "regenatlas/catalog/v1/catalog_service.grpc.pb.h"
#include "services/catalog/catalog_service.h"
#include "tests/testing/server_fixture.h"

namespace regenatlas::catalog {
namespace {

using catalog::v1::CatalogService;

class CatalogServerTest : public regenatlas::testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    catalog_ = std::make_unique<Catalog>(store_.get(), CatalogOptions{Clock()});
    service_ = std::make_unique<catalog::CatalogService>(catalog_.get());
    runner_->AddService(service_.get(), "regenatlas.catalog.v1.CatalogService");
    StartServer();
    stub_ = CatalogService::NewStub(channel_);
  }

  grpc::Status CreateSource(const std::string& id, const std::string& title, Source* out,
                            catalog::v1::SourceKind kind = catalog::v1::SOURCE_KIND_REVIEW) {
    catalog::v1::CreateSourceRequest req;
    req.set_source_id(id);
    req.mutable_source()->set_title(title);
    req.mutable_source()->set_kind(kind);
    req.mutable_source()->mutable_publication_date()->set_year(2025);
    return stub_->CreateSource(Ctx().get(), req, out);
  }

  std::unique_ptr<Catalog> catalog_;
  std::unique_ptr<catalog::CatalogService> service_;
  std::unique_ptr<CatalogService::Stub> stub_;
};

TEST_F(CatalogServerTest, SourceLifecycle) {
  Source created;
  ASSERT_TRUE(CreateSource("review-1", "人多能干细胞衍生细胞产品", &created).ok());
  EXPECT_EQ(created.name(), "sources/review-1");
  EXPECT_EQ(created.publication_date().year(), 2025);

  catalog::v1::GetSourceRequest get;
  get.set_name("sources/review-1");
  Source got;
  ASSERT_TRUE(stub_->GetSource(Ctx().get(), get, &got).ok());
  EXPECT_EQ(got.title(), "人多能干细胞衍生细胞产品");
  EXPECT_EQ(got.etag(), created.etag());

  catalog::v1::DeleteSourceRequest del;
  del.set_name("sources/review-1");
  del.set_etag("0000000000000000");
  google::protobuf::Empty empty;
  EXPECT_EQ(stub_->DeleteSource(Ctx().get(), del, &empty).error_code(), grpc::StatusCode::ABORTED);
  del.set_etag(created.etag());
  ASSERT_TRUE(stub_->DeleteSource(Ctx().get(), del, &empty).ok());
  EXPECT_EQ(stub_->GetSource(Ctx().get(), get, &got).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(CatalogServerTest, BadInputGetsClearErrorsAndWritesNothing) {
  Source out;
  grpc::Status s = CreateSource("x", "", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message(), "source.title: required");
  s = CreateSource("x", "t", &out, catalog::v1::SOURCE_KIND_UNSPECIFIED);
  EXPECT_EQ(s.error_message(), "source.kind: required");
  s = CreateSource("x", "t", &out, static_cast<catalog::v1::SourceKind>(99));
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  s = CreateSource("Not An Id", "t", &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().substr(0, 9), "source_id");

  catalog::v1::CreateSourceRequest bad_date;
  bad_date.set_source_id("x");
  bad_date.mutable_source()->set_title("t");
  bad_date.mutable_source()->set_kind(catalog::v1::SOURCE_KIND_NEWS);
  bad_date.mutable_source()->mutable_publication_date()->set_year(2025);
  bad_date.mutable_source()->mutable_publication_date()->set_month(4);
  bad_date.mutable_source()->mutable_publication_date()->set_day(31);
  s = stub_->CreateSource(Ctx().get(), bad_date, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().substr(0, 27), "source.publication_date.day");

  ASSERT_TRUE(CreateSource("x", "t", &out).ok());
  EXPECT_EQ(CreateSource("x", "t2", &out).error_code(), grpc::StatusCode::ALREADY_EXISTS);

  catalog::v1::GetSourceRequest get;
  get.set_name("sources/absent");
  EXPECT_EQ(stub_->GetSource(Ctx().get(), get, &out).error_code(), grpc::StatusCode::NOT_FOUND);
  get.set_name("absent");
  EXPECT_EQ(stub_->GetSource(Ctx().get(), get, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  // Only the one valid create is in the store.
  catalog::v1::ListSourcesRequest list;
  catalog::v1::ListSourcesResponse resp;
  ASSERT_TRUE(stub_->ListSources(Ctx().get(), list, &resp).ok());
  ASSERT_EQ(resp.sources_size(), 1);
  EXPECT_EQ(resp.sources(0).title(), "t");
}

TEST_F(CatalogServerTest, ListPaginationAndTokenErrors) {
  Source out;
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(CreateSource("s" + std::to_string(i), "t", &out).ok());
  catalog::v1::ListSourcesRequest list;
  list.set_page_size(2);
  std::vector<std::string> names;
  int pages = 0;
  for (;;) {
    catalog::v1::ListSourcesResponse resp;
    ASSERT_TRUE(stub_->ListSources(Ctx().get(), list, &resp).ok());
    for (const auto& s : resp.sources()) names.push_back(s.name());
    ++pages;
    if (resp.next_page_token().empty()) break;
    list.set_page_token(resp.next_page_token());
  }
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(names, (std::vector<std::string>{"sources/s0", "sources/s1", "sources/s2", "sources/s3",
                                             "sources/s4"}));

  catalog::v1::ListSourcesResponse resp;
  list.set_page_token("");
  list.set_page_size(-1);
  grpc::Status s = stub_->ListSources(Ctx().get(), list, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().substr(0, 9), "page_size");
  list.set_page_size(2);
  list.set_page_token("bm90LWEtdG9rZW4");
  s = stub_->ListSources(Ctx().get(), list, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().substr(0, 10), "page_token");
}

}  // namespace
}  // namespace regenatlas::catalog

namespace regenatlas::catalog {
namespace {

// Every catalog method over gRPC, with the status codes a client sees.
class CatalogRpcTest : public CatalogServerTest {
 protected:
  void SetUp() override {
    CatalogServerTest::SetUp();
    Source out;
    ASSERT_TRUE(CreateSource("doc", "综述", &out).ok());
    v1::CreateOrganizationRequest org;
    org.set_organization_id("help");
    org.mutable_organization()->set_display_name("Help Therapeutics");
    org.mutable_organization()->add_sources()->set_source("sources/doc");
    v1::Organization org_out;
    ASSERT_TRUE(stub_->CreateOrganization(Ctx().get(), org, &org_out).ok());
    v1::CreateIndicationRequest ind;
    ind.set_indication_id("heart-failure");
    ind.mutable_indication()->set_display_name("Heart failure");
    ind.mutable_indication()->set_therapeutic_area(v1::THERAPEUTIC_AREA_CARDIOVASCULAR);
    ind.mutable_indication()->add_sources()->set_source("sources/doc");
    v1::Indication ind_out;
    ASSERT_TRUE(stub_->CreateIndication(Ctx().get(), ind, &ind_out).ok());
    v1::CreateProductRequest prod;
    prod.set_product_id("hicm-188");
    prod.mutable_product()->set_display_name("HiCM-188");
    prod.mutable_product()->set_cell_source(v1::CELL_SOURCE_HIPSC);
    prod.mutable_product()->set_cell_type(v1::CELL_TYPE_CARDIOMYOCYTE);
    prod.mutable_product()->add_indications("indications/heart-failure");
    prod.mutable_product()->add_sponsors("organizations/help");
    prod.mutable_product()->add_sources()->set_source("sources/doc");
    ASSERT_TRUE(stub_->CreateProduct(Ctx().get(), prod, &product_).ok());
    v1::CreateTrialRequest trial;
    trial.mutable_trial()->mutable_primary_id()->set_id("NCT04982081");
    trial.mutable_trial()->set_phase(common::v1::DEVELOPMENT_STAGE_PHASE_1);
    trial.mutable_trial()->add_countries("CN");
    trial.mutable_trial()->add_products("products/hicm-188");
    trial.mutable_trial()->add_sources()->set_source("sources/doc");
    ASSERT_TRUE(stub_->CreateTrial(Ctx().get(), trial, &trial_).ok());
  }
  v1::Product product_;
  v1::Trial trial_;
};

TEST_F(CatalogRpcTest, GetBatchGetListAndLookups) {
  EXPECT_EQ(trial_.name(), "trials/nct04982081");
  v1::GetTrialRequest get;
  get.set_name("NCT04982081");
  v1::Trial t;
  ASSERT_TRUE(stub_->GetTrial(Ctx().get(), get, &t).ok());
  EXPECT_EQ(t.name(), "trials/nct04982081");

  v1::BatchGetProductsRequest batch;
  batch.add_names("products/hicm-188");
  v1::BatchGetProductsResponse batch_resp;
  ASSERT_TRUE(stub_->BatchGetProducts(Ctx().get(), batch, &batch_resp).ok());
  ASSERT_EQ(batch_resp.products_size(), 1);
  EXPECT_EQ(batch_resp.products(0).highest_stage(), common::v1::DEVELOPMENT_STAGE_PHASE_1);
  batch.add_names("products/absent");
  grpc::Status s = stub_->BatchGetProducts(Ctx().get(), batch, &batch_resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(s.error_message(), "names[1]: products/absent not found");

  v1::ListTrialsRequest list;
  list.set_filter("product.cell_source = HIPSC AND country = CN");
  list.set_show_total_size(true);
  v1::ListTrialsResponse trials;
  ASSERT_TRUE(stub_->ListTrials(Ctx().get(), list, &trials).ok());
  EXPECT_EQ(trials.total_size(), 1);
  list.set_filter("colour = red");
  s = stub_->ListTrials(Ctx().get(), list, &trials);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("unknown field \"colour\""));

  v1::ResolveRegistryIdRequest resolve;
  resolve.set_registry_id("nct04982081");
  v1::ResolveRegistryIdResponse resolved;
  ASSERT_TRUE(stub_->ResolveRegistryId(Ctx().get(), resolve, &resolved).ok());
  EXPECT_EQ(resolved.trial(), "trials/nct04982081");
  resolve.set_registry_id("NCT123");
  s = stub_->ResolveRegistryId(Ctx().get(), resolve, &resolved);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("8 digits"));

  v1::SearchProductsRequest search;
  search.set_query("hicm 188");
  v1::SearchProductsResponse found;
  ASSERT_TRUE(stub_->SearchProducts(Ctx().get(), search, &found).ok());
  ASSERT_EQ(found.results_size(), 1);
  EXPECT_EQ(found.results(0).product().name(), "products/hicm-188");

  v1::ListDataIssuesRequest issues;
  v1::ListDataIssuesResponse issues_resp;
  ASSERT_TRUE(stub_->ListDataIssues(Ctx().get(), issues, &issues_resp).ok());
  EXPECT_EQ(issues_resp.issues_size(), 0);
}

// CountProductsRequest.group_by / CountTrialsRequest.group_by are deprecated
// but still accepted; the tests set them on purpose.
template <typename Request>
void SetDeprecatedGroupBy(Request& request, std::vector<std::string> group_by) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  request.mutable_group_by()->Assign(group_by.begin(), group_by.end());
#pragma GCC diagnostic pop
}

void ExpectInvalid(const grpc::Status& s, const std::string& field) {
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_THAT(s.error_message(), ::testing::StartsWith(field));
}

TEST_F(CatalogRpcTest, CountsTakeDimensionsOrTheDeprecatedGroupBy) {
  v1::CountProductsRequest typed;
  typed.add_dimensions(v1::PRODUCT_DIMENSION_COUNTRY);
  typed.add_dimensions(v1::PRODUCT_DIMENSION_STAGE);
  v1::CountResponse by_enum;
  grpc::Status s = stub_->CountProducts(Ctx().get(), typed, &by_enum);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(by_enum.total(), 1);
  ASSERT_EQ(by_enum.rows_size(), 1);
  EXPECT_THAT(by_enum.rows(0).keys(), ::testing::ElementsAre("CN", "PHASE_1"));

  // The README's request, strings in the deprecated field: the same answer.
  v1::CountProductsRequest legacy;
  SetDeprecatedGroupBy(legacy, {"country", "stage"});
  v1::CountResponse by_name;
  ASSERT_TRUE(stub_->CountProducts(Ctx().get(), legacy, &by_name).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(by_enum, by_name))
      << by_name.ShortDebugString();

  v1::CountTrialsRequest trials;
  trials.add_dimensions(v1::TRIAL_DIMENSION_PHASE);
  v1::CountResponse trial_counts;
  ASSERT_TRUE(stub_->CountTrials(Ctx().get(), trials, &trial_counts).ok());
  ASSERT_EQ(trial_counts.rows_size(), 1);
  EXPECT_THAT(trial_counts.rows(0).keys(), ::testing::ElementsAre("PHASE_1"));
  v1::CountTrialsRequest legacy_trials;
  SetDeprecatedGroupBy(legacy_trials, {"phase"});
  v1::CountResponse legacy_trial_counts;
  ASSERT_TRUE(stub_->CountTrials(Ctx().get(), legacy_trials, &legacy_trial_counts).ok());
  EXPECT_TRUE(
      google::protobuf::util::MessageDifferencer::Equals(trial_counts, legacy_trial_counts));

  // Every value of both enums is a dimension the catalog counts by.
  for (int i = 0; i < v1::ProductDimension_descriptor()->value_count(); ++i) {
    const int value = v1::ProductDimension_descriptor()->value(i)->number();
    if (value == 0) continue;
    v1::CountProductsRequest one;
    one.add_dimensions(static_cast<v1::ProductDimension>(value));
    v1::CountResponse out;
    s = stub_->CountProducts(Ctx().get(), one, &out);
    EXPECT_TRUE(s.ok()) << v1::ProductDimension_Name(value) << ": " << s.error_message();
  }
  for (int i = 0; i < v1::TrialDimension_descriptor()->value_count(); ++i) {
    const int value = v1::TrialDimension_descriptor()->value(i)->number();
    if (value == 0) continue;
    v1::CountTrialsRequest one;
    one.add_dimensions(static_cast<v1::TrialDimension>(value));
    v1::CountResponse out;
    s = stub_->CountTrials(Ctx().get(), one, &out);
    EXPECT_TRUE(s.ok()) << v1::TrialDimension_Name(value) << ": " << s.error_message();
  }

  // Errors name the field, and the index where there is one.
  v1::CountResponse out;
  v1::CountProductsRequest both = typed;
  SetDeprecatedGroupBy(both, {"country"});
  ExpectInvalid(stub_->CountProducts(Ctx().get(), both, &out), "dimensions: set either");
  ExpectInvalid(stub_->CountProducts(Ctx().get(), v1::CountProductsRequest(), &out),
                "dimensions: one or two");
  v1::CountProductsRequest bad = typed;
  bad.set_dimensions(1, v1::PRODUCT_DIMENSION_UNSPECIFIED);
  ExpectInvalid(stub_->CountProducts(Ctx().get(), bad, &out), "dimensions[1]");
  bad.set_dimensions(1, static_cast<v1::ProductDimension>(99));
  ExpectInvalid(stub_->CountProducts(Ctx().get(), bad, &out), "dimensions[1]");
  bad.set_dimensions(1, v1::PRODUCT_DIMENSION_COUNTRY);
  ExpectInvalid(stub_->CountProducts(Ctx().get(), bad, &out), "dimensions[1]: the same");
  bad.add_dimensions(v1::PRODUCT_DIMENSION_DONOR);
  ExpectInvalid(stub_->CountProducts(Ctx().get(), bad, &out), "dimensions: one or two");
  v1::CountProductsRequest unknown;
  SetDeprecatedGroupBy(unknown, {"stage", "colour"});
  ExpectInvalid(stub_->CountProducts(Ctx().get(), unknown, &out), "group_by[1]: unknown dimension");
  v1::CountTrialsRequest unknown_trials;
  SetDeprecatedGroupBy(unknown_trials, {"stage"});  // products only; trials have phase
  ExpectInvalid(stub_->CountTrials(Ctx().get(), unknown_trials, &out), "group_by[0]");
}

TEST_F(CatalogRpcTest, WritesWithBadInputChangeNothing) {
  const uint64_t seq = store_->LastChangeSeq();
  v1::Product before;
  {
    v1::GetProductRequest get;
    get.set_name("products/hicm-188");
    ASSERT_TRUE(stub_->GetProduct(Ctx().get(), get, &before).ok());
  }
  v1::UpdateProductRequest update;
  update.mutable_product()->set_name("products/hicm-188");
  update.mutable_product()->set_etag("stale");
  update.mutable_product()->set_status_note("x");
  update.mutable_update_mask()->add_paths("status_note");
  v1::Product out;
  EXPECT_EQ(stub_->UpdateProduct(Ctx().get(), update, &out).error_code(),
            grpc::StatusCode::ABORTED);
  update.mutable_product()->clear_etag();
  update.mutable_product()->add_sponsors("organizations/missing");
  update.mutable_update_mask()->add_paths("sponsors");
  grpc::Status s = stub_->UpdateProduct(Ctx().get(), update, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("product.sponsors[0]"));
  update.mutable_product()->set_name("products/absent");
  EXPECT_EQ(stub_->UpdateProduct(Ctx().get(), update, &out).error_code(),
            grpc::StatusCode::NOT_FOUND);

  v1::CreateTrialRequest trial;
  trial.mutable_trial()->mutable_primary_id()->set_id("NCT0498208");
  trial.mutable_trial()->add_sources()->set_source("sources/doc");
  v1::Trial t;
  EXPECT_EQ(stub_->CreateTrial(Ctx().get(), trial, &t).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  trial.mutable_trial()->mutable_primary_id()->set_id("NCT04982081");
  EXPECT_EQ(stub_->CreateTrial(Ctx().get(), trial, &t).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);

  v1::DeleteOrganizationRequest del;
  del.set_name("organizations/help");
  google::protobuf::Empty empty;
  EXPECT_EQ(stub_->DeleteOrganization(Ctx().get(), del, &empty).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  v1::DeleteTrialRequest del_trial;
  del_trial.set_name("trials/nct04982081");
  del_trial.set_etag("stale");
  EXPECT_EQ(stub_->DeleteTrial(Ctx().get(), del_trial, &empty).error_code(),
            grpc::StatusCode::ABORTED);
  EXPECT_EQ(store_->LastChangeSeq(), seq);

  v1::GetProductRequest get;
  get.set_name("products/hicm-188");
  ASSERT_TRUE(stub_->GetProduct(Ctx().get(), get, &out).ok());
  EXPECT_EQ(out.etag(), before.etag());
  EXPECT_TRUE(out.status_note().empty());
  EXPECT_EQ(out.sponsors_size(), 1);
}

}  // namespace
}  // namespace regenatlas::catalog
