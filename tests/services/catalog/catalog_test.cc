#include "services/catalog/catalog.h"

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
  EXPECT_EQ(names, (std::vector<std::string>{"sources/s0", "sources/s1", "sources/s2",
                                             "sources/s3", "sources/s4"}));

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
