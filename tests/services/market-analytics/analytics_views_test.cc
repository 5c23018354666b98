// MarketAnalyticsService over gRPC: the views over the catalog and the
// timeline (pipeline breakdowns, indication landscapes, approval
// statistics) and their bad input.

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/market-analytics/analytics.h"
#include "tests/services/market-analytics/analytics_api_fixture.h"

namespace regenatlas::analytics {
namespace {

using testing::AnalyticsApiTest;
using testing::Date;
using ::testing::ElementsAre;
using testing::Epi;
using testing::ExpectInvalid;
using testing::Figure;
using ::testing::HasSubstr;
using testing::kSource;
using testing::Money;
using testing::Price;
using testing::Rate;
using ::testing::StartsWith;

// ---- Views over the catalog and timeline ---------------------------------------------

TEST_F(AnalyticsApiTest, BreakdownRejectsBadInput) {
  auto call = [this](std::function<void(v1::GetPipelineBreakdownRequest&)> mutate) {
    v1::GetPipelineBreakdownRequest req;
    req.set_subject(v1::BREAKDOWN_SUBJECT_PRODUCTS);
    req.add_group_by("country");
    mutate(req);
    v1::PipelineBreakdown out;
    return stub().GetPipelineBreakdown(Ctx().get(), req, &out);
  };
  const uint64_t seq = Seq();
  ExpectInvalid(call([](auto& r) { r.clear_subject(); }), "subject");
  ExpectInvalid(call([](auto& r) { r.clear_group_by(); }), "group_by");
  ExpectInvalid(call([](auto& r) {
                  r.add_group_by("stage");
                  r.add_group_by("donor");
                }),
                "group_by");
  ExpectInvalid(call([](auto& r) { r.add_group_by("country"); }), "group_by[1]");
  ExpectInvalid(call([](auto& r) { r.set_group_by(0, "colour"); }), "group_by[0]");
  ExpectInvalid(call([](auto& r) { r.set_filter("colour = red"); }), "filter");
  ExpectInvalid(call([](auto& r) {
                  r.set_subject(v1::BREAKDOWN_SUBJECT_TRIALS);
                  r.set_group_by(0, "cell_type");
                  r.add_group_by("cell_source");
                }),
                "group_by[1]");
  EXPECT_EQ(Seq(), seq);
}

TEST_F(AnalyticsApiTest, ComputeBreakdownRejectsBadDimensions) {
  auto call = [this](std::function<void(v1::ComputePipelineBreakdownRequest&)> mutate) {
    v1::ComputePipelineBreakdownRequest req;
    req.set_subject(v1::BREAKDOWN_SUBJECT_PRODUCTS);
    req.add_dimensions(v1::BREAKDOWN_DIMENSION_COUNTRY);
    mutate(req);
    v1::PipelineBreakdown out;
    return stub().ComputePipelineBreakdown(Ctx().get(), req, &out);
  };
  const uint64_t seq = Seq();
  ExpectInvalid(call([](auto& r) { r.clear_subject(); }), "subject");
  ExpectInvalid(call([](auto& r) { r.clear_dimensions(); }), "dimensions: one or two");
  ExpectInvalid(call([](auto& r) {
                  r.add_dimensions(v1::BREAKDOWN_DIMENSION_STAGE);
                  r.add_dimensions(v1::BREAKDOWN_DIMENSION_DONOR);
                }),
                "dimensions: one or two");
  ExpectInvalid(call([](auto& r) { r.add_dimensions(v1::BREAKDOWN_DIMENSION_COUNTRY); }),
                "dimensions[1]: the same");
  ExpectInvalid(call([](auto& r) { r.set_dimensions(0, v1::BREAKDOWN_DIMENSION_UNSPECIFIED); }),
                "dimensions[0]");
  ExpectInvalid(call([](auto& r) { r.set_dimensions(0, static_cast<v1::BreakdownDimension>(99)); }),
                "dimensions[0]");
  // Trial-only dimensions for products, and the reverse.
  ExpectInvalid(call([](auto& r) { r.add_dimensions(v1::BREAKDOWN_DIMENSION_PHASE); }),
                "dimensions[1]: products cannot be grouped by phase");
  ExpectInvalid(call([](auto& r) {
                  r.set_subject(v1::BREAKDOWN_SUBJECT_TRIALS);
                  r.set_dimensions(0, v1::BREAKDOWN_DIMENSION_CELL_TYPE);
                  r.add_dimensions(v1::BREAKDOWN_DIMENSION_DONOR);
                }),
                "dimensions[1]: trials can be grouped by at most one product dimension");
  ExpectInvalid(call([](auto& r) { r.set_filter("colour = red"); }), "filter");
  EXPECT_EQ(Seq(), seq);

  // The deprecated GetPipelineBreakdown names its own field.
  v1::GetPipelineBreakdownRequest legacy;
  legacy.set_subject(v1::BREAKDOWN_SUBJECT_PRODUCTS);
  legacy.add_group_by("country");
  legacy.add_group_by("phase");
  v1::PipelineBreakdown out;
  ExpectInvalid(stub().GetPipelineBreakdown(Ctx().get(), legacy, &out),
                "group_by[1]: products cannot be grouped by phase");
  legacy.set_group_by(1, "Stage");  // only the lower-case names
  ExpectInvalid(stub().GetPipelineBreakdown(Ctx().get(), legacy, &out),
                "group_by[1]: unknown dimension \"Stage\"");
}

TEST_F(AnalyticsApiTest, TrialsCanBeGroupedByAProductDimension) {
  catalog::Trial t;
  t.set_phase(common::v1::DEVELOPMENT_STAGE_PHASE_1);
  t.add_countries("CN");
  t.add_products("products/p1");
  t.add_sources()->set_source(kSource);
  ASSERT_TRUE(sys_.catalog_->CreateTrial("t1", t).ok());
  t.set_phase(common::v1::DEVELOPMENT_STAGE_PHASE_2);
  t.set_products(0, "products/p2");
  ASSERT_TRUE(sys_.catalog_->CreateTrial("t2", t).ok());
  v1::GetPipelineBreakdownRequest req;
  req.set_subject(v1::BREAKDOWN_SUBJECT_TRIALS);
  req.set_filter("country = CN");
  req.add_group_by("cell_type");
  req.add_group_by("stage");
  v1::PipelineBreakdown out;
  grpc::Status s = stub().GetPipelineBreakdown(Ctx().get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.total(), 2);
  ASSERT_EQ(out.rows_size(), 2);
  EXPECT_THAT(out.rows(0).keys(), ElementsAre("CARDIOMYOCYTE", "PHASE_1"));
  EXPECT_THAT(out.rows(1).keys(), ElementsAre("CARDIOMYOCYTE", "PHASE_2"));
  EXPECT_EQ(out.rows(1).count(), 1);
  EXPECT_THAT(out.group_by(), ElementsAre("cell_type", "stage"));
  EXPECT_THAT(out.dimensions(),
              ElementsAre(v1::BREAKDOWN_DIMENSION_CELL_TYPE, v1::BREAKDOWN_DIMENSION_STAGE));

  // ComputePipelineBreakdown with the same dimensions as enums: the same answer.
  absl::StatusOr<v1::ComputePipelineBreakdownRequest> compute = ComputeRequestOf(req);
  ASSERT_TRUE(compute.ok()) << compute.status();
  v1::PipelineBreakdown computed;
  s = stub().ComputePipelineBreakdown(Ctx().get(), *compute, &computed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(computed, out))
      << computed.ShortDebugString();
}

TEST_F(AnalyticsApiTest, LandscapeRejectsBadInput) {
  auto call = [this](std::function<void(v1::GetIndicationLandscapeRequest&)> mutate) {
    v1::GetIndicationLandscapeRequest req;
    req.set_indication("indications/heart-failure");
    mutate(req);
    v1::IndicationLandscape out;
    return stub().GetIndicationLandscape(Ctx().get(), req, &out);
  };
  ASSERT_TRUE(call([](auto&) {}).ok());
  const uint64_t seq = Seq();
  ExpectInvalid(call([](auto& r) { r.set_indication("heart failure"); }), "indication");
  ExpectInvalid(call([](auto& r) { r.set_page_size(-1); }), "page_size");
  ExpectInvalid(call([](auto& r) { r.set_page_token("garbage"); }), "page_token");
  grpc::Status missing = call([](auto& r) { r.set_indication("indications/nope"); });
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(missing.error_message(), StartsWith("indication: indications/nope"));
  EXPECT_EQ(Seq(), seq);
}

TEST_F(AnalyticsApiTest, LandscapePagesKeepTheirRank) {
  v1::GetIndicationLandscapeRequest req;
  req.set_indication("indications/heart-failure");
  req.set_page_size(2);
  v1::IndicationLandscape out;
  ASSERT_TRUE(stub().GetIndicationLandscape(Ctx().get(), req, &out).ok());
  ASSERT_EQ(out.entries_size(), 2);
  EXPECT_EQ(out.total_products(), 3);
  EXPECT_EQ(out.entries(0).sponsors(0).display_name(), "Org One");
  req.set_page_token(out.next_page_token());
  ASSERT_TRUE(stub().GetIndicationLandscape(Ctx().get(), req, &out).ok());
  ASSERT_EQ(out.entries_size(), 1);
  EXPECT_EQ(out.entries(0).rank(), 3);
  EXPECT_TRUE(out.next_page_token().empty());
  req.set_indication("indications/other");
  ExpectInvalid(stub().GetIndicationLandscape(Ctx().get(), req, &out), "page_token");
}

TEST_F(AnalyticsApiTest, LandscapeCoversSubIndications) {
  catalog::Indication child;
  child.set_display_name("End-stage heart failure");
  child.set_therapeutic_area(catalog::v1::THERAPEUTIC_AREA_CARDIOVASCULAR);
  child.set_parent("indications/heart-failure");
  child.add_sources()->set_source(kSource);
  ASSERT_TRUE(sys_.catalog_->indications().Create("end-stage-heart-failure", child).ok());
  catalog::Product p;
  p.set_display_name("Child product");
  p.set_cell_source(catalog::v1::CELL_SOURCE_HESC);
  p.set_cell_type(catalog::v1::CELL_TYPE_CARDIOMYOCYTE);
  p.add_indications("indications/end-stage-heart-failure");
  p.add_sources()->set_source(kSource);
  ASSERT_TRUE(sys_.catalog_->products().Create("child", p).ok());
  EpidemiologyFact f = Epi("GLOBAL", 3200000);
  f.set_indication("indications/end-stage-heart-failure");
  ASSERT_TRUE(CreateEpi("end-stage", f).ok());

  v1::GetIndicationLandscapeRequest req;
  req.set_indication("indications/heart-failure");
  v1::IndicationLandscape out;
  ASSERT_TRUE(stub().GetIndicationLandscape(Ctx().get(), req, &out).ok());
  EXPECT_THAT(out.indications_covered(),
              ElementsAre("indications/heart-failure", "indications/end-stage-heart-failure"));
  EXPECT_EQ(out.total_products(), 4);
  ASSERT_EQ(out.epidemiology_size(), 1);
  req.set_exact_indication(true);
  ASSERT_TRUE(stub().GetIndicationLandscape(Ctx().get(), req, &out).ok());
  EXPECT_EQ(out.total_products(), 3);
  EXPECT_EQ(out.epidemiology_size(), 0);
}

TEST_F(AnalyticsApiTest, ApprovalStatisticsMeasureTimeToApproval) {
  // p1: first trial 2020-03, IND clearance 2019-06-15, approval in CN in 2024-02.
  catalog::Trial t;
  t.set_phase(common::v1::DEVELOPMENT_STAGE_PHASE_1);
  t.add_countries("CN");
  t.add_products("products/p1");
  *t.mutable_start_date() = Date(2020, 3);
  t.add_sources()->set_source(kSource);
  ASSERT_TRUE(sys_.catalog_->CreateTrial("t1", t).ok());
  auto event = [](timeline::v1::EventType type, common::v1::PartialDate date) {
    timeline::Event e;
    e.set_type(type);
    *e.mutable_date() = date;
    e.set_jurisdiction("CN");
    e.set_agency("NMPA");
    e.set_description("test");
    e.add_products("products/p1");
    e.add_sources()->set_source(kSource);
    return e;
  };
  auto timeline_stub = timeline::v1::RegulatoryTimelineService::NewStub(sys_.channel_);
  for (auto [id, e] :
       {std::make_pair("ind", event(timeline::v1::EVENT_TYPE_IND_CLEARANCE, Date(2019, 6, 15))),
        std::make_pair("approval", event(timeline::v1::EVENT_TYPE_APPROVAL, Date(2024, 2)))}) {
    timeline::v1::CreateEventRequest req;
    req.set_event_id(id);
    *req.mutable_event() = e;
    timeline::Event out;
    grpc::Status s = timeline_stub->CreateEvent(Ctx().get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  v1::GetApprovalStatisticsRequest req;
  req.set_filter("jurisdiction = CN");
  v1::ApprovalStatistics out;
  grpc::Status s = stub().GetApprovalStatistics(Ctx().get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(out.approvals_size(), 1);
  const v1::ApprovalRecord& a = out.approvals(0);
  EXPECT_EQ(a.product(), "products/p1");
  EXPECT_EQ(a.cell_category(), catalog::v1::CELL_CATEGORY_PSC);
  // 2020-03 (03-01..03-31) → 2024-02 (02-01..02-29).
  EXPECT_EQ(a.from_first_trial_start().from_record(), "products/p1.first_trial_start");
  EXPECT_EQ(a.from_first_trial_start().min_days(), 1402);
  EXPECT_EQ(a.from_first_trial_start().max_days(), 1460);
  EXPECT_DOUBLE_EQ(a.from_first_trial_start().estimate_days(), 1431);
  // 2019-06-15 → 2024-02 (midpoint 02-15): computed by the timeline.
  EXPECT_EQ(a.from_ind_clearance().from_record(), "events/ind");
  EXPECT_EQ(a.from_ind_clearance().min_days(), 1692);
  EXPECT_EQ(a.from_ind_clearance().max_days(), 1720);
  ASSERT_EQ(out.groups_size(), 1);
  EXPECT_EQ(out.groups(0).year(), 2024);
  EXPECT_EQ(out.groups(0).approvals(), 1);
  EXPECT_EQ(out.ind_clearance_to_approval().count(), 1);
  EXPECT_EQ(out.first_trial_start_to_approval().count(), 1);

  req.add_cell_categories(catalog::v1::CELL_CATEGORY_MSC);
  ASSERT_TRUE(stub().GetApprovalStatistics(Ctx().get(), req, &out).ok());
  EXPECT_EQ(out.approvals_size(), 0);

  const uint64_t seq = Seq();
  req.set_cell_categories(0, catalog::v1::CELL_CATEGORY_UNSPECIFIED);
  ExpectInvalid(stub().GetApprovalStatistics(Ctx().get(), req, &out), "cell_categories[0]");
  req.clear_cell_categories();
  req.set_filter("colour = red");
  ExpectInvalid(stub().GetApprovalStatistics(Ctx().get(), req, &out), "filter");
  EXPECT_EQ(Seq(), seq);
}

}  // namespace
}  // namespace regenatlas::analytics
