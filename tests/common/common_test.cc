#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "common/dates.h"
#include "common/dimensions.h"
#include "common/health.h"
#include "common/paging.h"
#include "common/records.h"
#include "common/resource_name.h"
#include "common/resource_table.h"
#include "common/server_runner.h"
#include "common/validation.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "gtest/gtest.h"
#include "regenatlas/catalog/v1/catalog_service.pb.h"
#include "regenatlas/catalog/v1/resources.pb.h"
#include "regenatlas/gateway/v1/gateway_service.grpc.pb.h"
#include "storage/store.h"
#include "tests/testing/temp_dir.h"

namespace regenatlas {
namespace {

using catalog::v1::Source;
using ::regenatlas::testing::TempDir;

PartialDate Date(int y, int m = 0, int d = 0) {
  PartialDate date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

TEST(DatesTest, ValidatesEachPrecision) {
  EXPECT_TRUE(ValidatePartialDate(Date(2025), "d").ok());
  EXPECT_TRUE(ValidatePartialDate(Date(2025, 6), "d").ok());
  EXPECT_TRUE(ValidatePartialDate(Date(2024, 2, 29), "d").ok());
  EXPECT_TRUE(ValidatePartialDate(PartialDate(), "d").ok());
  absl::Status month13 = ValidatePartialDate(Date(2025, 13), "event.date");
  EXPECT_EQ(month13.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(month13.message().find("event.date.month"), std::string::npos);
  absl::Status april31 = ValidatePartialDate(Date(2025, 4, 31), "event.date");
  EXPECT_NE(april31.message().find("event.date.day"), std::string::npos);
  EXPECT_FALSE(ValidatePartialDate(Date(2025, 2, 29), "d").ok());
  EXPECT_FALSE(ValidatePartialDate(Date(2025, 0, 3), "d").ok());
  EXPECT_FALSE(ValidatePartialDate(Date(25), "d").ok());
}

TEST(DatesTest, FormatParseAndOrder) {
  EXPECT_EQ(FormatPartialDate(Date(2025)), "2025");
  EXPECT_EQ(FormatPartialDate(Date(2025, 3)), "2025-03");
  EXPECT_EQ(FormatPartialDate(Date(2025, 3, 1)), "2025-03-01");
  EXPECT_EQ(ParsePartialDate("2025-03", "f")->month(), 3);
  EXPECT_FALSE(ParsePartialDate("2025-3", "f").ok());
  EXPECT_FALSE(ParsePartialDate("2025-04-31", "f").ok());
  // "2025" sorts before "2025-01" before "2025-01-01" before "2025-03-01".
  EXPECT_LT(ComparePartialDates(Date(2025), Date(2025, 1)), 0);
  EXPECT_LT(ComparePartialDates(Date(2025, 1), Date(2025, 1, 1)), 0);
  EXPECT_LT(ComparePartialDates(Date(2025), Date(2025, 3, 1)), 0);
  EXPECT_GT(ComparePartialDates(Date(2025, 3, 1), Date(2025)), 0);
  EXPECT_EQ(ComparePartialDates(Date(2025, 3), Date(2025, 3)), 0);
  EXPECT_EQ(LastDay(Date(2024, 2)) - FirstDay(Date(2024, 2)), 28);
  EXPECT_EQ(LastDay(Date(2025)) - FirstDay(Date(2025)), 364);
}

TEST(PagingTest, PageSize) {
  EXPECT_EQ(*NormalizePageSize(0), kDefaultPageSize);
  EXPECT_EQ(*NormalizePageSize(7), 7);
  EXPECT_EQ(*NormalizePageSize(5000), kMaxPageSize);
  absl::StatusOr<int> negative = NormalizePageSize(-1);
  EXPECT_EQ(negative.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(negative.status().message().find("page_size"), std::string::npos);
}

TEST(PagingTest, TokenRoundTripAndRejection) {
  std::string token = EncodePageToken("filter=a", std::string("pos\0ition", 9));
  EXPECT_EQ(*DecodePageToken(token, "filter=a"), std::string("pos\0ition", 9));
  // Another query: rejected, naming the field.
  absl::StatusOr<std::string> other = DecodePageToken(token, "filter=b");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(other.status().message().find("page_token"), std::string::npos);
  // Every single-byte modification of the decoded token is detected.
  std::string raw;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(token, &raw));
  for (size_t i = 0; i < raw.size(); ++i) {
    std::string tampered = raw;
    tampered[i] ^= 0x01;
    EXPECT_FALSE(DecodePageToken(absl::WebSafeBase64Escape(tampered), "filter=a").ok()) << i;
  }
  EXPECT_FALSE(DecodePageToken("not base64!!", "filter=a").ok());
  EXPECT_FALSE(DecodePageToken("", "filter=a").ok());
}

TEST(ResourceNameTest, ParsesAndRejects) {
  EXPECT_EQ(*ParseResourceName("sources/abc-1", "sources", "name"), "abc-1");
  for (const char* bad : {"sources/", "products/abc", "sources/ABC", "sources/-a", "sources/a_b",
                          "sources/a/b", ""}) {
    absl::StatusOr<std::string> id = ParseResourceName(bad, "sources", "name");
    EXPECT_EQ(id.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_EQ(id.status().message().substr(0, 4), "name") << bad;
  }
  EXPECT_FALSE(ValidateResourceId(std::string(64, 'a'), "id").ok());
  EXPECT_TRUE(ValidateResourceId(std::string(63, 'a'), "id").ok());
}

// StampEtag clears the old etag in place instead of copying the record:
// the etag it stamps must still be ComputeEtag's, whatever etag was there,
// and depend on the content only.
TEST(EtagTest, StampedEtagIsTheComputedOneWhateverTheOldEtag) {
  catalog::v1::Trial t;
  t.set_name("trials/nct01234567");
  t.set_title("A trial");
  t.add_countries("CN");
  const std::string expected = ComputeEtag(t);
  EXPECT_EQ(expected.size(), 16u);
  catalog::v1::Trial stale = t;
  stale.set_etag("0123456789abcdef");
  StampEtag(&stale);
  EXPECT_EQ(stale.etag(), expected);
  StampEtag(&stale);
  EXPECT_EQ(stale.etag(), expected);
  EXPECT_EQ(stale.title(), "A trial");
  stale.set_title("Another trial");
  StampEtag(&stale);
  EXPECT_NE(stale.etag(), expected);
}

TEST(ValidationTest, JurisdictionsAndCurrencies) {
  for (const char* ok : {"CN", "US", "CN-BJ", "EU", "GLOBAL", "JP-13"}) {
    EXPECT_TRUE(ValidateJurisdiction(ok, "j").ok()) << ok;
  }
  for (const char* bad : {"", "cn", "C", "CHN", "CN-", "CN_BJ"}) {
    EXPECT_FALSE(ValidateJurisdiction(bad, "j").ok()) << bad;
  }
  EXPECT_TRUE(ValidateCurrency("CNY", "c").ok());
  EXPECT_FALSE(ValidateCurrency("cny", "c").ok());
  EXPECT_FALSE(ValidateCurrency("RMB1", "c").ok());
}

// A ResourceTable over Source with an index on the publisher.
class ResourceTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions options;
    options.path = dir_.Sub("db");
    options.clock = [this] { return now_; };
    store_ = std::move(*storage::Store::Open(options));
    ResourceTableOptions t;
    t.collection = "sources";
    t.change_stream = "catalog";
    t.clock = [this] { return now_; };
    table_ = std::make_unique<ResourceTable<Source>>(
        store_.get(), &mu_, t,
        [](const Source& s) {
          return s.title().empty() ? absl::InvalidArgumentError("source.title: required")
                                   : absl::OkStatus();
        },
        [](const Source& s) { return std::vector<std::string>{"publisher/" + s.publisher()}; });
  }

  Source NewSource(const std::string& title, const std::string& publisher = "p") {
    Source s;
    s.set_title(title);
    s.set_publisher(publisher);
    s.set_kind(catalog::v1::SOURCE_KIND_NEWS);
    return s;
  }

  bool IndexHas(const std::string& key) {
    return store_->Get(storage::ColumnFamily::kCatalogIndex, key)->has_value();
  }

  TempDir dir_;
  absl::Time now_ = absl::FromUnixSeconds(1750000000);
  absl::Mutex mu_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<ResourceTable<Source>> table_;
};

TEST_F(ResourceTableTest, CreateGetAndDuplicates) {
  absl::StatusOr<Source> created = table_->Create("s1", NewSource("T"));
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_EQ(created->name(), "sources/s1");
  EXPECT_FALSE(created->etag().empty());
  EXPECT_EQ(created->create_time().seconds(), 1750000000);
  EXPECT_EQ(table_->Get("sources/s1")->title(), "T");
  EXPECT_EQ(table_->Create("s1", NewSource("again")).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(table_->Get("sources/s2").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(table_->Get("products/s1").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(table_->Create("Bad Id", NewSource("x")).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(IndexHas("publisher/p"));
}

TEST_F(ResourceTableTest, InvalidCreateWritesNothing) {
  const uint64_t before = store_->LastChangeSeq();
  absl::Status s = table_->Create("s1", NewSource("")).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "source.title: required");
  EXPECT_EQ(table_->Get("sources/s1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store_->LastChangeSeq(), before);
  EXPECT_FALSE(IndexHas("publisher/p"));
}

TEST_F(ResourceTableTest, BatchGetReturnsRecordsInRequestOrderOrNamesTheFirstBadOne) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(table_->Create("s" + std::to_string(i), NewSource("T")).ok());
  }
  google::protobuf::RepeatedPtrField<std::string> names;
  for (const char* n : {"sources/s2", "sources/s0", "sources/s2"}) *names.Add() = n;
  absl::StatusOr<std::vector<Source>> got = table_->BatchGet(names);
  ASSERT_TRUE(got.ok()) << got.status();
  ASSERT_EQ(got->size(), 3u);
  EXPECT_EQ((*got)[0].name(), "sources/s2");
  EXPECT_EQ((*got)[1].name(), "sources/s0");
  EXPECT_EQ((*got)[2].name(), "sources/s2");

  *names.Add() = "sources/nope";
  absl::Status missing = table_->BatchGet(names).status();
  EXPECT_EQ(missing.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(missing.message(), "names[3]: sources/nope not found");

  *names.Mutable(1) = "products/s0";
  absl::Status wrong = table_->BatchGet(names).status();
  EXPECT_EQ(wrong.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(wrong.message()), ::testing::HasSubstr("names[1]"));

  google::protobuf::RepeatedPtrField<std::string> too_many;
  for (int i = 0; i < 1001; ++i) *too_many.Add() = "sources/s0";
  EXPECT_EQ(table_->BatchGet(too_many).status().message(), "names: at most 1000 per call");
}

TEST_F(ResourceTableTest, ErrorsNameTheResourceFieldOfTheRequests) {
  // The field comes from the message type (Source → source), not from
  // chopping the collection name.
  EXPECT_EQ(table_->resource_field(), "source");
  absl::Status s = table_->Create("Bad Id", NewSource("x")).status();
  EXPECT_THAT(std::string(s.message()), ::testing::StartsWith("source_id"));
  Source patch;
  patch.set_name("bad");
  EXPECT_THAT(std::string(table_->Update(patch, {}).status().message()),
              ::testing::StartsWith("source.name"));
}

TEST_F(ResourceTableTest, UpdateWithMaskEtagAndIndexMaintenance) {
  Source created = *table_->Create("s1", NewSource("T", "old-pub"));
  now_ += absl::Seconds(10);
  Source patch;
  patch.set_name("sources/s1");
  patch.set_publisher("new-pub");
  patch.set_title("ignored: not in mask");
  patch.set_etag(created.etag());
  google::protobuf::FieldMask mask;
  mask.add_paths("publisher");
  absl::StatusOr<Source> updated = table_->Update(patch, mask);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->publisher(), "new-pub");
  EXPECT_EQ(updated->title(), "T");
  EXPECT_NE(updated->etag(), created.etag());
  EXPECT_EQ(updated->update_time().seconds(), 1750000010);
  EXPECT_EQ(updated->create_time().seconds(), 1750000000);
  EXPECT_FALSE(IndexHas("publisher/old-pub"));
  EXPECT_TRUE(IndexHas("publisher/new-pub"));

  // Stale etag: ABORTED, nothing changed.
  patch.set_publisher("third");
  EXPECT_EQ(table_->Update(patch, mask).status().code(), absl::StatusCode::kAborted);
  EXPECT_EQ(table_->Get("sources/s1")->publisher(), "new-pub");

  // Output-only and unknown paths are rejected.
  google::protobuf::FieldMask bad;
  bad.add_paths("etag");
  patch.clear_etag();
  EXPECT_EQ(table_->Update(patch, bad).status().code(), absl::StatusCode::kInvalidArgument);
  bad.set_paths(0, "no_such_field");
  EXPECT_EQ(table_->Update(patch, bad).status().code(), absl::StatusCode::kInvalidArgument);
  // Validation applies to the merged record.
  Source empty_title;
  empty_title.set_name("sources/s1");
  google::protobuf::FieldMask title;
  title.add_paths("title");
  EXPECT_EQ(table_->Update(empty_title, title).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(table_->Get("sources/s1")->title(), "T");
}

TEST_F(ResourceTableTest, DeleteWithEtagAndChangeLog) {
  Source created = *table_->Create("s1", NewSource("T"));
  EXPECT_EQ(table_->Delete("sources/s1", "stale").code(), absl::StatusCode::kAborted);
  EXPECT_TRUE(table_->Delete("sources/s1", created.etag()).ok());
  EXPECT_EQ(table_->Get("sources/s1").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(table_->Delete("sources/s1", "").code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(IndexHas("publisher/p"));
  auto changes = store_->ReadChanges("catalog", 0, 10);
  ASSERT_EQ(changes->size(), 2u);
  common::v1::ResourceChange first, second;
  ASSERT_TRUE(first.ParseFromString((*changes)[0].payload));
  ASSERT_TRUE(second.ParseFromString((*changes)[1].payload));
  EXPECT_EQ(first.kind(), common::v1::CHANGE_KIND_CREATED);
  EXPECT_EQ(second.kind(), common::v1::CHANGE_KIND_DELETED);
  EXPECT_EQ(second.name(), "sources/s1");
  // Each entry carries the record as written (created) or as it was
  // (deleted), as an Any that unpacks to the resource type.
  Source in_first, in_second;
  ASSERT_TRUE(first.resource().Is<Source>());
  ASSERT_TRUE(first.resource().UnpackTo(&in_first));
  EXPECT_EQ(in_first.SerializeAsString(), created.SerializeAsString());
  ASSERT_TRUE(second.resource().UnpackTo(&in_second));
  EXPECT_EQ(in_second.SerializeAsString(), created.SerializeAsString());
}

TEST_F(ResourceTableTest, UpsertIsIdempotent) {
  Source s = NewSource("T");
  s.set_name("sources/s1");
  EXPECT_TRUE(*table_->UpsertRaw(&s, "dataset"));
  const uint64_t seq = store_->LastChangeSeq();
  Source again = NewSource("T");
  again.set_name("sources/s1");
  EXPECT_FALSE(*table_->UpsertRaw(&again, "dataset"));
  EXPECT_EQ(store_->LastChangeSeq(), seq);
  Source changed = NewSource("T2");
  changed.set_name("sources/s1");
  EXPECT_TRUE(*table_->UpsertRaw(&changed, "dataset"));
  auto changes = store_->ReadChanges("catalog", seq, 10);
  ASSERT_EQ(changes->size(), 1u);
  common::v1::ResourceChange change;
  ASSERT_TRUE(change.ParseFromString((*changes)[0].payload));
  EXPECT_EQ(change.kind(), common::v1::CHANGE_KIND_UPDATED);
  EXPECT_EQ(change.changed_fields_size(), 1);
  EXPECT_EQ(change.changed_fields(0), "title");
}

TEST(ServerRunnerTest, HealthOverallPerServiceAndShutdown) {
  ServerRunner runner(ServerOptions{"127.0.0.1:0", absl::Seconds(5), nullptr});
  gateway::v1::GatewayService::Service dummy_named_service;  // any service with methods
  runner.AddService(&dummy_named_service, "test.Service");
  ASSERT_TRUE(runner.Start().ok());
  ASSERT_GT(runner.port(), 0);
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(runner.port()),
                                     grpc::InsecureChannelCredentials());
  auto stub = grpc::health::v1::Health::NewStub(channel);
  auto check = [&](const std::string& service) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(service);
    grpc::health::v1::HealthCheckResponse resp;
    grpc::Status s = stub->Check(&ctx, req, &resp);
    return std::make_pair(s.error_code(), resp.status());
  };
  EXPECT_EQ(check("").second, grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(check("test.Service").second, grpc::health::v1::HealthCheckResponse::SERVING);
  EXPECT_EQ(check("unknown").first, grpc::StatusCode::NOT_FOUND);

  // Watch sees the flip to NOT_SERVING.
  grpc::ClientContext watch_ctx;
  watch_ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  grpc::health::v1::HealthCheckRequest watch_req;
  auto reader = stub->Watch(&watch_ctx, watch_req);
  grpc::health::v1::HealthCheckResponse update;
  ASSERT_TRUE(reader->Read(&update));
  EXPECT_EQ(update.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  runner.health().SetStatus("", grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  ASSERT_TRUE(reader->Read(&update));
  EXPECT_EQ(update.status(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  // Shutdown ends the open Watch (after a final NOT_SERVING) instead of
  // waiting out the grace period on it.
  runner.health().SetStatus("", grpc::health::v1::HealthCheckResponse::SERVING);
  ASSERT_TRUE(reader->Read(&update));
  EXPECT_EQ(update.status(), grpc::health::v1::HealthCheckResponse::SERVING);
  const absl::Time start = absl::Now();
  runner.Shutdown();
  ASSERT_TRUE(reader->Read(&update));
  EXPECT_EQ(update.status(), grpc::health::v1::HealthCheckResponse::NOT_SERVING);
  EXPECT_FALSE(reader->Read(&update));
  EXPECT_TRUE(reader->Finish().ok());
  EXPECT_LT(absl::Now() - start, absl::Seconds(5)) << "shutdown waited for the grace period";
}

TEST(ServerRunnerTest, BindFailureIsAnError) {
  ServerRunner first(ServerOptions{"127.0.0.1:0", absl::Seconds(1), nullptr});
  ASSERT_TRUE(first.Start().ok());
  ServerRunner second(
      ServerOptions{"127.0.0.1:" + std::to_string(first.port()), absl::Seconds(1), nullptr});
  EXPECT_FALSE(second.Start().ok());
}

TEST(DimensionsTest, EnumValuesAndTheirDeprecatedStringNames) {
  const auto* d = catalog::v1::ProductDimension_descriptor();
  EXPECT_EQ(DimensionName(d, catalog::v1::PRODUCT_DIMENSION_CELL_TYPE), "cell_type");
  EXPECT_EQ(DimensionName(d, catalog::v1::PRODUCT_DIMENSION_UNSPECIFIED), std::nullopt);
  EXPECT_EQ(DimensionName(d, 99), std::nullopt);
  EXPECT_EQ(DimensionValue(d, "start_year"), catalog::v1::PRODUCT_DIMENSION_START_YEAR);
  for (const char* bad :
       {"", "unspecified", "Stage", "STAGE", "PRODUCT_DIMENSION_STAGE", "colour"}) {
    EXPECT_EQ(DimensionValue(d, bad), std::nullopt) << bad;
  }
  EXPECT_EQ(DimensionNames(d),
            "stage, country, cell_source, cell_category, cell_type, therapeutic_area, "
            "indication, sponsor, start_year, donor");

  google::protobuf::RepeatedField<int> dims;
  google::protobuf::RepeatedPtrField<std::string> group_by;
  std::string field;
  // Neither: nothing, and later errors name the current field.
  absl::StatusOr<std::vector<std::string>> r =
      ResolveDimensions(d, dims, "dimensions", group_by, "group_by", &field);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->empty());
  EXPECT_EQ(field, "dimensions");
  // The deprecated strings pass through as given (the caller checks them).
  *group_by.Add() = "country";
  *group_by.Add() = "colour";
  r = ResolveDimensions(d, dims, "dimensions", group_by, "group_by", &field);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<std::string>{"country", "colour"}));
  EXPECT_EQ(field, "group_by");
  // Both: refused, naming the new field.
  dims.Add(catalog::v1::PRODUCT_DIMENSION_STAGE);
  r = ResolveDimensions(d, dims, "dimensions", group_by, "group_by", &field);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "dimensions: set either dimensions or the deprecated group_by, not both");
  group_by.Clear();
  dims.Add(catalog::v1::PRODUCT_DIMENSION_COUNTRY);
  r = ResolveDimensions(d, dims, "dimensions", group_by, "group_by", &field);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<std::string>{"stage", "country"}));
  EXPECT_EQ(field, "dimensions");
  dims.Add(0);
  r = ResolveDimensions(d, dims, "dimensions", group_by, "group_by", &field);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(r.status().message(), "dimensions[2]: unspecified; allowed: "))
      << r.status();
  dims.Set(2, 42);
  r = ResolveDimensions(d, dims, "dimensions", group_by, "group_by", &field);
  EXPECT_TRUE(absl::StartsWith(r.status().message(), "dimensions[2]: unknown value 42"))
      << r.status();
}

}  // namespace
}  // namespace regenatlas
