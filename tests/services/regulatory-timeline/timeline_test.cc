// The regulatory timeline against a real catalog served over gRPC (the same
// path as all-in-one): the reference dataset, bad input, and WatchEvents.

#include "services/regulatory-timeline/timeline.h"

#include <atomic>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/dates.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "regenatlas/timeline/v1/timeline_service.grpc.pb.h"
#include "services/catalog/catalog.h"
#include "services/catalog/catalog_service.h"
#include "services/catalog/dataset_loader.h"
#include "services/catalog/grpc_catalog_client.h"
#include "services/regulatory-timeline/dataset_loader.h"
#include "services/regulatory-timeline/stage_sync.h"
#include "services/regulatory-timeline/timeline_service.h"
#include "tests/services/regulatory-timeline/timeline_fixture.h"
#include "tests/testing/forwarding_catalog_client.h"

namespace regenatlas::timeline {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// ListFirstsRequest.group_by is deprecated but still accepted; the tests
// set it on purpose.
void SetDeprecatedGroupBy(v1::ListFirstsRequest& request, const std::string& group_by) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  request.set_group_by(group_by);
#pragma GCC diagnostic pop
}

// Q5: the ordered timeline of 艾米迈托赛注射液, with the precision each date has.
TEST_F(TimelineServerTest, AmimestrocelTimelineInOrder) {
  LoadTimelineData();
  v1::GetProductTimelineRequest req;
  req.set_product("products/amimestrocel");
  v1::ProductTimeline timeline;
  grpc::Status s = stub_->GetProductTimeline(Ctx().get(), req, &timeline);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(timeline.catalog_error().empty());
  std::vector<std::string> items;
  for (const auto& item : timeline.items()) {
    items.push_back(absl::StrCat(item.date_unknown() ? "undated" : FormatPartialDate(item.date()),
                                 " ", v1::EventType_Name(item.type()).substr(strlen("EVENT_TYPE_")),
                                 item.date_inferred() ? " (inferred)" : ""));
  }
  // Coarser dates sort before finer ones starting the same day; the
  // discharge date is the one document 002 prints (document 001 only implies it).
  // The new-indication studies "started after the approval" have no date: last.
  EXPECT_THAT(items,
              ElementsAre("2024 OTHER", "2025-01-02 CONDITIONAL_APPROVAL",
                          "2025-06 DISTRIBUTION_AGREEMENT", "2025-06-05 FIRST_PATIENT_TREATED",
                          "2025-06-05 FIRST_PRESCRIPTION", "2025-07-02 PAYMENT_PROGRAMME",
                          "2025-09 OTHER", "2025-09-14 FIRST_PATIENT_DISCHARGED",
                          "2025-12-12 FIRST_PRESCRIPTION", "undated TRIAL_START"));
  v1::GetProductTimelineRequest missing;
  missing.set_product("products/no-such-product");
  EXPECT_EQ(stub_->GetProductTimeline(Ctx().get(), missing, &timeline).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // ComputeProductTimeline, the AIP-136 name, answers exactly the same.
  v1::ComputeProductTimelineRequest compute;
  compute.set_product("products/amimestrocel");
  v1::ProductTimeline computed;
  s = stub_->ComputeProductTimeline(Ctx().get(), compute, &computed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(computed, timeline))
      << computed.ShortDebugString();
  compute.set_product("products/no-such-product");
  EXPECT_EQ(stub_->ComputeProductTimeline(Ctx().get(), compute, &computed).error_code(),
            grpc::StatusCode::NOT_FOUND);
  compute.set_product("amimestrocel");
  ExpectInvalid(stub_->ComputeProductTimeline(Ctx().get(), compute, &computed), "product");
}

TEST_F(TimelineServerTest, ListFirstsTakesADimensionAndIsPaged) {
  LoadTimelineData();
  v1::ListFirstsRequest req;
  req.set_type(v1::EVENT_TYPE_APPROVAL);
  req.add_also_types(v1::EVENT_TYPE_CONDITIONAL_APPROVAL);
  req.set_dimension(v1::FIRST_DIMENSION_CELL_CATEGORY);
  v1::ListFirstsResponse all;
  grpc::Status s = stub_->ListFirsts(Ctx().get(), req, &all);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(all.next_page_token().empty());
  ASSERT_GT(all.firsts_size(), 2);
  std::vector<std::string> expected;
  for (const auto& f : all.firsts()) {
    expected.push_back(absl::StrCat(f.jurisdiction(), "/", f.group(), " ", f.event().name()));
  }
  EXPECT_THAT(expected,
              ::testing::Contains("CN/MSC events/amimestrocel-conditional-approval-cn-2025-01"));

  // The deprecated string form answers the same.
  v1::ListFirstsRequest legacy = req;
  legacy.clear_dimension();
  SetDeprecatedGroupBy(legacy, "cell_category");
  v1::ListFirstsResponse legacy_out;
  ASSERT_TRUE(stub_->ListFirsts(Ctx().get(), legacy, &legacy_out).ok());
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(legacy_out, all));

  // Pages of one, in (jurisdiction, group) order, add up to the whole list.
  v1::ListFirstsRequest paged = req;
  paged.set_page_size(1);
  std::vector<std::string> got;
  std::string first_token;
  for (int pages = 0;; ++pages) {
    ASSERT_LT(pages, 100);
    v1::ListFirstsResponse page;
    s = stub_->ListFirsts(Ctx().get(), paged, &page);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_LE(page.firsts_size(), 1);
    for (const auto& f : page.firsts()) {
      got.push_back(absl::StrCat(f.jurisdiction(), "/", f.group(), " ", f.event().name()));
    }
    if (first_token.empty()) first_token = page.next_page_token();
    if (page.next_page_token().empty()) break;
    paged.set_page_token(page.next_page_token());
  }
  EXPECT_EQ(got, expected);

  // A token is bound to the query; bad sizes, values and combinations are
  // INVALID_ARGUMENT naming the field.
  v1::ListFirstsResponse out;
  v1::ListFirstsRequest other = req;
  other.set_page_token(first_token);
  other.set_dimension(v1::FIRST_DIMENSION_CELL_TYPE);
  ExpectInvalid(stub_->ListFirsts(Ctx().get(), other, &out), "page_token");
  other = req;
  other.set_page_token("not-a-token");
  ExpectInvalid(stub_->ListFirsts(Ctx().get(), other, &out), "page_token");
  other = req;
  other.set_page_size(-1);
  ExpectInvalid(stub_->ListFirsts(Ctx().get(), other, &out), "page_size");
  other = req;
  SetDeprecatedGroupBy(other, "cell_type");
  ExpectInvalid(stub_->ListFirsts(Ctx().get(), other, &out), "dimension");
  other = req;
  other.set_dimension(static_cast<v1::FirstDimension>(99));
  ExpectInvalid(stub_->ListFirsts(Ctx().get(), other, &out), "dimension");
}

}  // namespace
}  // namespace regenatlas::timeline

namespace regenatlas::timeline {
namespace {

TEST_F(TimelineServerTest, DatasetQueries) {
  LoadTimelineData();
  // Q7: what NMPA/CDE published between 2015 and 2025.
  v1::ListPoliciesRequest policies;
  policies.set_filter("(issuer: NMPA OR issuer: CDE) AND date >= 2015 AND date <= 2025");
  policies.set_page_size(100);
  v1::ListPoliciesResponse listed;
  grpc::Status s = stub_->ListPolicies(Ctx().get(), policies, &listed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::vector<std::string> names;
  for (const auto& p : listed.policies()) {
    names.push_back(absl::StrCat(FormatPartialDate(p.date()), " ", p.name()));
  }
  // CFDA (2017) is NMPA under its former name.
  EXPECT_THAT(
      names,
      ElementsAre("2015 policies/stem-cell-clinical-research-measures-2015",
                  "2017 policies/cn-cell-therapy-products-research-evaluation-guidance-2017",
                  "2020 policies/cde-human-stem-cell-product-cmc-guidance",
                  "2021 policies/cn-cde-clinical-value-oriented-antitumor-drug-guidance-2021",
                  "2021 policies/cn-cde-immune-cell-therapy-clinical-trial-guidance-2021",
                  "2022 policies/cn-cde-cell-therapy-gmp-guide-2022",
                  "2022 policies/cn-cde-immune-cell-therapy-cmc-guidance-2022",
                  "2023 policies/cde-human-stem-cell-clinical-trial-guidance",
                  "2024 policies/cn-cde-human-stem-cell-products-nonclinical-guidance-2024",
                  "2025-06-10 policies/cde-atmp-scope-classification-draft-2025-06-10"));

  // Conditional approval → first prescription of 艾米迈托赛.
  v1::ComputeMilestoneIntervalsRequest iv;
  iv.set_from_type(v1::EVENT_TYPE_CONDITIONAL_APPROVAL);
  iv.set_to_type(v1::EVENT_TYPE_FIRST_PRESCRIPTION);
  v1::ComputeMilestoneIntervalsResponse intervals;
  s = stub_->ComputeMilestoneIntervals(Ctx().get(), iv, &intervals);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::vector<std::string> rows;
  for (const auto& i : intervals.intervals()) {
    rows.push_back(
        absl::StrCat(i.product(), " ", i.min_days(), "-", i.max_days(), " ~", i.estimate_days()));
  }
  // 2025-01-02 → 2025-06-05: both dates are exact, so no uncertainty.
  EXPECT_THAT(rows, ElementsAre("products/amimestrocel 154-154 ~154"));
  EXPECT_EQ(intervals.summary().count(), 1);
  EXPECT_EQ(intervals.summary().median_days(), 154);

  // First approved MSC therapy in the US and in China (any pathway).
  v1::ListFirstsRequest firsts;
  firsts.set_type(v1::EVENT_TYPE_APPROVAL);
  firsts.add_also_types(v1::EVENT_TYPE_CONDITIONAL_APPROVAL);
  SetDeprecatedGroupBy(firsts, "cell_category");
  v1::ListFirstsResponse first;
  s = stub_->ListFirsts(Ctx().get(), firsts, &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::vector<std::string> found;
  for (const auto& f : first.firsts()) {
    found.push_back(absl::StrCat(f.jurisdiction(), "/", f.group(), " ", f.event().name(), " ",
                                 absl::StrJoin(f.event().products(), ","), " ",
                                 FormatPartialDate(f.event().date())));
  }
  EXPECT_THAT(found,
              ::testing::IsSupersetOf(
                  {"US/MSC events/remestemcel-l-approval-us-2024-12 products/remestemcel-l 2024-12",
                   "CN/MSC events/amimestrocel-conditional-approval-cn-2025-01 "
                   "products/amimestrocel 2025-01-02"}));

  // HeartSheet's marketing application reached the catalog's stage.
  catalog::Product heartsheet = *catalog_->products().Get("products/heartsheet");
  EXPECT_EQ(heartsheet.highest_stage(), common::v1::DEVELOPMENT_STAGE_MARKETING_APPLICATION);
  catalog::Product amimestrocel = *catalog_->products().Get("products/amimestrocel");
  EXPECT_EQ(amimestrocel.highest_stage(), common::v1::DEVELOPMENT_STAGE_CONDITIONAL_APPROVAL);
}

}  // namespace
}  // namespace regenatlas::timeline

namespace regenatlas::timeline {
namespace {

TEST_F(TimelineServerTest, BadInputIsInvalidArgumentAndChangesNothing) {
  const uint64_t seq = store_->LastChangeSeq();
  struct Case {
    std::function<void(Event&)> mutate;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](Event& e) { e.set_type(static_cast<v1::EventType>(999)); }, "event.type"},
      {[](Event& e) { e.set_type(v1::EVENT_TYPE_UNSPECIFIED); }, "event.type"},
      {[](Event& e) { e.mutable_date()->set_month(13); }, "event.date.month"},
      {[](Event& e) {
         e.mutable_date()->set_month(4);
         e.mutable_date()->set_day(31);
       },
       "event.date.day"},
      {[](Event& e) { e.clear_date(); }, "event.date"},
      {[](Event& e) { e.set_jurisdiction("China"); }, "event.jurisdiction"},
      {[](Event& e) { e.set_products(0, "products/does-not-exist"); }, "event.products[0]"},
      {[](Event& e) { e.add_organizations("organizations/nobody"); }, "event.organizations[0]"},
      {[](Event& e) { e.mutable_sources(0)->set_source("sources/unknown"); },
       "event.sources[0].source"},
      {[](Event& e) { e.clear_description(); }, "event.description"},
  };
  for (const Case& c : cases) {
    Event e = NewEvent(v1::EVENT_TYPE_APPROVAL, 2025, 1, 2, "products/amimestrocel");
    c.mutate(e);
    v1::CreateEventRequest req;
    req.set_event_id("bad");
    *req.mutable_event() = e;
    Event out;
    grpc::Status s = stub_->CreateEvent(Ctx().get(), req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_EQ(s.error_message().substr(0, c.field.size()), c.field) << s.error_message();
  }
  // Filters: reversed range, unknown type, bad date.
  for (const auto& [filter, part] : std::vector<std::pair<std::string, std::string>>{
           {"date >= 2025 AND date <= 2015", "reversed"},
           {"type = LAUNCH_PARTY", "invalid value"},
           {"date >= 2025-13", "invalid value"},
           {"date >= 2025-04-31", "invalid value"},
           {"colour = red", "unknown field"}}) {
    v1::ListEventsRequest req;
    req.set_filter(filter);
    v1::ListEventsResponse out;
    grpc::Status s = stub_->ListEvents(Ctx().get(), req, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << filter;
    EXPECT_THAT(s.error_message(), HasSubstr(part)) << filter;
  }
  v1::ComputeMilestoneIntervalsRequest iv;
  iv.set_from_type(v1::EVENT_TYPE_APPROVAL);
  v1::ComputeMilestoneIntervalsResponse ivr;
  EXPECT_EQ(stub_->ComputeMilestoneIntervals(Ctx().get(), iv, &ivr).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  v1::ListFirstsRequest lf;
  lf.set_type(v1::EVENT_TYPE_APPROVAL);
  SetDeprecatedGroupBy(lf, "colour");
  v1::ListFirstsResponse lfr;
  ExpectInvalid(stub_->ListFirsts(Ctx().get(), lf, &lfr), "group_by");
  EXPECT_EQ(store_->LastChangeSeq(), seq);
}

TEST_F(TimelineServerTest, DatePrecisionRules) {
  for (const auto& [id, y, m, d] :
       std::vector<std::tuple<std::string, int, int, int>>{{"y2025", 2025, 0, 0},
                                                           {"m2025-03", 2025, 3, 0},
                                                           {"d2025-03-01", 2025, 3, 1},
                                                           {"d2024-12-31", 2024, 12, 31}}) {
    ASSERT_TRUE(timeline_->events().Create(id, NewEvent(v1::EVENT_TYPE_OTHER, y, m, d, "")).ok())
        << id;
  }
  auto list = [&](const std::string& filter) {
    ListQuery q;
    q.filter = filter;
    absl::StatusOr<ListResult<Event>> r = timeline_->ListEvents(q);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> names;
    for (const auto& e : r->items) names.push_back(e.name().substr(7));
    return names;
  };
  // Ordered by first possible day, coarser first.
  EXPECT_THAT(list(""), ElementsAre("d2024-12-31", "y2025", "m2025-03", "d2025-03-01"));
  // "2025" lies within a range containing all of 2025 ...
  EXPECT_THAT(list("date >= 2025 AND date <= 2025-12-31"),
              ElementsAre("y2025", "m2025-03", "d2025-03-01"));
  // ... not within one holding only part of it, which it overlaps.
  EXPECT_THAT(list("date >= 2025-03 AND date <= 2025-03"), ElementsAre("m2025-03", "d2025-03-01"));
  EXPECT_THAT(list("period: 2025-03"), ElementsAre("y2025", "m2025-03", "d2025-03-01"));
  EXPECT_THAT(list("date = 2024"), ElementsAre("d2024-12-31"));
  EXPECT_THAT(list("date < 2025"), ElementsAre("d2024-12-31"));
  EXPECT_THAT(list("date > 2025-03"), ElementsAre());
  ListQuery desc;
  desc.order_by = "date desc";
  EXPECT_EQ(timeline_->ListEvents(desc)->items.front().name(), "events/d2025-03-01");
}

// Reads one message from a WatchEvents stream, failing the test on a hang.
class StreamReader {
 public:
  StreamReader(v1::RegulatoryTimelineService::Stub* stub, v1::WatchEventsRequest req) {
    ctx_.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    reader_ = stub->WatchEvents(&ctx_, req);
  }
  bool Read(v1::WatchEventsResponse* out) { return reader_->Read(out); }
  // After Read returned false: how the stream ended.
  grpc::Status Finish() { return reader_->Finish(); }
  void Cancel() {
    ctx_.TryCancel();
    v1::WatchEventsResponse ignored;
    while (reader_->Read(&ignored)) {
    }
    reader_->Finish().IgnoreError();
  }

 private:
  grpc::ClientContext ctx_;
  std::unique_ptr<grpc::ClientReader<v1::WatchEventsResponse>> reader_;
};

TEST_F(TimelineServerTest, WatchEventsResumesExactlyAndFilters) {
  v1::WatchEventsRequest req;
  req.set_filter("type = APPROVAL OR type = IND_CLEARANCE");
  StreamReader first(stub_.get(), req);
  // The stream sees what is written after it is registered.
  ASSERT_TRUE(service_->AwaitWatchStreams(1, absl::Now() + absl::Seconds(30)));
  ASSERT_TRUE(timeline_->events()
                  .Create("w1", NewEvent(v1::EVENT_TYPE_IND_CLEARANCE, 2025, 1, 1, ""))
                  .ok());
  ASSERT_TRUE(
      timeline_->events().Create("w2", NewEvent(v1::EVENT_TYPE_OTHER, 2025, 1, 2, "")).ok());
  ASSERT_TRUE(
      timeline_->events().Create("w3", NewEvent(v1::EVENT_TYPE_APPROVAL, 2025, 1, 3, "")).ok());
  v1::WatchEventsResponse got;
  ASSERT_TRUE(first.Read(&got));
  EXPECT_EQ(got.event().name(), "events/w1");
  EXPECT_EQ(got.kind(), common::v1::CHANGE_KIND_CREATED);
  ASSERT_TRUE(first.Read(&got));
  EXPECT_EQ(got.event().name(), "events/w3");  // w2 (OTHER) is filtered out
  const std::string token = got.resume_token();
  first.Cancel();

  // Missed while disconnected: an update, an excluded type, a deletion.
  Event patch;
  patch.set_name("events/w1");
  patch.set_description("updated");
  google::protobuf::FieldMask mask;
  mask.add_paths("description");
  ASSERT_TRUE(timeline_->events().Update(patch, mask).ok());
  ASSERT_TRUE(
      timeline_->events().Create("w4", NewEvent(v1::EVENT_TYPE_OTHER, 2025, 1, 4, "")).ok());
  ASSERT_TRUE(timeline_->events().Delete("events/w3", "").ok());

  req.set_resume_token(token);
  StreamReader second(stub_.get(), req);
  ASSERT_TRUE(second.Read(&got));
  EXPECT_EQ(got.event().name(), "events/w1");
  EXPECT_EQ(got.kind(), common::v1::CHANGE_KIND_UPDATED);
  EXPECT_EQ(got.event().description(), "updated");
  ASSERT_TRUE(second.Read(&got));
  EXPECT_EQ(got.event().name(), "events/w3");
  EXPECT_EQ(got.kind(), common::v1::CHANGE_KIND_DELETED);
  // Nothing else is pending: the next thing delivered is a new change.
  ASSERT_TRUE(
      timeline_->events().Create("w5", NewEvent(v1::EVENT_TYPE_APPROVAL, 2025, 1, 5, "")).ok());
  ASSERT_TRUE(second.Read(&got));
  EXPECT_EQ(got.event().name(), "events/w5");
  second.Cancel();

  // A bad token or filter is refused at once.
  v1::WatchEventsRequest bad;
  bad.set_resume_token("garbage");
  StreamReader refused(stub_.get(), bad);
  EXPECT_FALSE(refused.Read(&got));
  const grpc::Status status = refused.Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), ::testing::HasSubstr("resume_token"));
}

TEST_F(TimelineServerTest, ShutdownEndsOpenStreamsPromptly) {
  StreamReader open(stub_.get(), v1::WatchEventsRequest());
  ASSERT_TRUE(service_->AwaitWatchStreams(1, absl::Now() + absl::Seconds(30)));
  const absl::Time start = absl::Now();
  runner_->Shutdown();
  v1::WatchEventsResponse got;
  EXPECT_FALSE(open.Read(&got));
  EXPECT_LT(absl::Now() - start, absl::Seconds(4)) << "shutdown waited out the grace period";
}

}  // namespace
}  // namespace regenatlas::timeline

namespace regenatlas::timeline {
namespace {

TEST_F(TimelineServerTest, LoadWithCatalogUnreachableFailsAndIsRetried) {
  // A timeline whose catalog is nowhere: nothing is rejected or recorded as
  // loaded; the error says to retry.
  catalog::GrpcCatalogClient nowhere(
      [] { return grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()); },
      ClientOptions{absl::Seconds(2)});
  Timeline orphan(store_.get(), &nowhere, TimelineOptions{Clock()});
  absl::StatusOr<LoadSummary> failed =
      EnsureTimelineDataset(orphan, *store_, REGENATLAS_SOURCE_DIR "/data/timeline");
  ASSERT_FALSE(failed.ok());
  EXPECT_TRUE(absl::IsUnavailable(failed.status()) || absl::IsDeadlineExceeded(failed.status()))
      << failed.status();
  // With the catalog reachable the same load then happens in full.
  LoadTimelineData();
}

}  // namespace
}  // namespace regenatlas::timeline

namespace regenatlas::timeline {
namespace {

// The catalog as the timeline sees it, with SetRegulatoryStages failing
// while `down` is set (an outage of the catalog's write path).
class FlakyCatalog : public regenatlas::testing::ForwardingCatalogClient {
 public:
  using ForwardingCatalogClient::ForwardingCatalogClient;
  absl::StatusOr<catalog::v1::Product> SetRegulatoryStages(
      const catalog::v1::SetRegulatoryStagesRequest& request) override {
    if (down.load()) return absl::UnavailableError("catalog down");
    return ForwardingCatalogClient::SetRegulatoryStages(request);
  }
  std::atomic<bool> down{false};
};

TEST_F(TimelineServerTest, StageChangesReachTheCatalogThroughTheOutboxAfterAnOutage) {
  FlakyCatalog flaky(client_.get());
  flaky.down = true;
  {
    Timeline during_outage(store_.get(), &flaky, TimelineOptions{Clock()});
    // The write commits although the catalog cannot take the stage change.
    Event approval = NewEvent(v1::EVENT_TYPE_APPROVAL, 2030, 1, 2, "products/heartsheet");
    approval.set_jurisdiction("JP");
    approval.set_agency("PMDA");
    ASSERT_TRUE(during_outage.events().Create("heartsheet-approval-jp-2030", approval).ok());
    EXPECT_EQ(*during_outage.PendingStageSyncs(), 1u);
    absl::StatusOr<size_t> delivered = during_outage.DeliverStageOutbox();
    EXPECT_TRUE(absl::IsUnavailable(delivered.status())) << delivered.status();
    EXPECT_EQ(*during_outage.PendingStageSyncs(), 1u);
    EXPECT_NE(catalog_->products().Get("products/heartsheet")->highest_stage(),
              common::v1::DEVELOPMENT_STAGE_APPROVED);
  }
  // A restart with the catalog back finishes the sync from the outbox.
  flaky.down = false;
  Timeline restarted(store_.get(), &flaky, TimelineOptions{Clock()});
  StageSync sync(&restarted);
  ASSERT_TRUE(sync.WaitIdle(absl::Seconds(60)));
  EXPECT_EQ(*restarted.PendingStageSyncs(), 0u);
  catalog::Product heartsheet = *catalog_->products().Get("products/heartsheet");
  EXPECT_EQ(heartsheet.highest_stage(), common::v1::DEVELOPMENT_STAGE_APPROVED);
  // Delivering again changes nothing (idempotent).
  EXPECT_EQ(*restarted.DeliverStageOutbox(), 0u);
}

}  // namespace
}  // namespace regenatlas::timeline
