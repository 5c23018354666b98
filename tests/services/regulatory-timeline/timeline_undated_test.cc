// Undated (date_unknown) and inferred (date_inferred) records on the
// bundled dataset: list order, date filters, the product timeline,
// intervals and firsts, and the write rules.

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/services/regulatory-timeline/timeline_fixture.h"

namespace regenatlas::timeline {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;

class UndatedTest : public TimelineServerTest {
 protected:
  // "<date or 'undated'> <name>" of every event the filter selects.
  std::vector<std::string> Events(const std::string& filter) {
    v1::ListEventsRequest req;
    req.set_filter(filter);
    req.set_page_size(200);
    v1::ListEventsResponse resp;
    grpc::Status s = stub_->ListEvents(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << filter << ": " << s.error_message();
    std::vector<std::string> out;
    for (const Event& e : resp.events()) {
      out.push_back(absl::StrCat(e.date_unknown() ? "undated" : FormatPartialDate(e.date()), " ",
                                 e.name().substr(strlen("events/"))));
    }
    return out;
  }
};

TEST_F(UndatedTest, IndClearancesIncludeUndatedOnesAfterTheDated) {
  LoadTimelineData();
  EXPECT_THAT(
      Events("type = IND_CLEARANCE"),
      ElementsAre("2010 grn-opc1-fda-clearance-us-2010",
                  "2023 hipsc-mdap-expanded-study-clearance-us-2023",
                  "undated castem-ind-clearance-cn", "undated hanshi-lianhe-ind-clearances-cn",
                  "undated hanshi-lianhe-ind-clearances-fr", "undated hepacure-ind-clearance-cn",
                  "undated hicm-188-ind-clearance-cn", "undated hicm-188-ind-clearance-us",
                  "undated hnpc01-ind-clearance-cn", "undated ncr-100-ind-clearance-cn",
                  "undated ncr300-ind-clearance-cn", "undated nouvneu001-ind-clearance-cn"));
  EXPECT_THAT(Events("type = TERMINATION"), ElementsAre("undated meg-002-trial-terminated-jp",
                                                        "undated vx-264-development-terminated"));
  // Phase entries the documents state without a date (documents 000, 001,
  // 002, 003 and 004).
  EXPECT_THAT(
      Events("type = TRIAL_START AND date_unknown = true"),
      ElementsAre("undated amimestrocel-new-indication-trials-cn",
                  "undated beilai-uc-msc-clinical-trials-cn", "undated beilai-uc-msc-phase-2-cn",
                  "undated cyp-001-phase-2-3-au", "undated cyp-004-phase-3-global",
                  "undated ft819-phase-1-start-us", "undated gt101-phase-2-cn",
                  "undated hicm-188-phase-1-start-us", "undated hicm-188-phase-2-cn",
                  "undated nsi-566-clinical-entry-us", "undated vctx-210-clinical-entry-us",
                  "undated vx-264-clinical-entry-us"));
  EXPECT_THAT(Events("type = FIRST_PATIENT_TREATED AND date_unknown = true"),
              ElementsAre("undated hicm-188-first-patient-treated-cn",
                          "undated ncr-102-first-patient-treated-cn"));
  EXPECT_THAT(Events("type = CLINICAL_TRIAL_APPROVAL"),
              ElementsAre("undated esc-dopaminergic-progenitor-filed-project-cn"));
}

TEST_F(UndatedTest, DateFiltersExcludeUndatedUnlessAsked) {
  LoadTimelineData();
  EXPECT_THAT(Events("type = IND_CLEARANCE AND date >= 2000"),
              ElementsAre("2010 grn-opc1-fda-clearance-us-2010",
                          "2023 hipsc-mdap-expanded-study-clearance-us-2023"));
  EXPECT_THAT(Events("type = IND_CLEARANCE AND period: 2023"),
              ElementsAre("2023 hipsc-mdap-expanded-study-clearance-us-2023"));
  EXPECT_THAT(Events("jurisdiction = CN AND type = IND_CLEARANCE AND date_unknown = false"),
              IsEmpty());
  EXPECT_THAT(Events("product = hicm-188 AND (date >= 2025 OR date_unknown = true)"),
              ElementsAre("2025 hicm-188-jacc-four-year-follow-up-2025",
                          "2025-06-12 hicm-188-co-development-deal-cn-2025-06-12",
                          "undated hicm-188-first-patient-treated-cn",
                          "undated hicm-188-ind-clearance-cn", "undated hicm-188-ind-clearance-us",
                          "undated hicm-188-phase-1-start-us", "undated hicm-188-phase-2-cn"));
  EXPECT_EQ(Events("date_unknown = true").size(), 27u);
  EXPECT_EQ(Events("date_unknown = false").size(), 115u);
}

TEST_F(UndatedTest, DateInferredIsAFilterOfItsOwn) {
  LoadTimelineData();
  EXPECT_THAT(Events("product = fertilo"), ElementsAre("2025 fertilo-phase-3-start-us-2025"));
  EXPECT_THAT(Events("product = fertilo AND date_inferred = false"), IsEmpty());
  // The deal's year is inferred; the undated clearances are not inferred.
  EXPECT_THAT(
      Events("product = hicm-188 AND date_inferred = false"),
      ElementsAre("2020 hicm-188-nature-report-cn-2020", "2021 hicm-188-trial-start-cn-2021",
                  "2025 hicm-188-jacc-four-year-follow-up-2025",
                  "undated hicm-188-first-patient-treated-cn", "undated hicm-188-ind-clearance-cn",
                  "undated hicm-188-ind-clearance-us", "undated hicm-188-phase-1-start-us",
                  "undated hicm-188-phase-2-cn"));
  EXPECT_EQ(Events("date_inferred = true").size(), 29u);
  // Trials the review's prose says were conducted or are under way, dated by
  // the start year its tables print; the filter on the flag drops them.
  EXPECT_THAT(
      Events("type = TRIAL_START AND jurisdiction = KR"),
      ElementsAre("2016 scnt-hes-rpe-trial-start-kr-2016", "2020 mr-mc-01-trial-start-kr-2020",
                  "2021 sb-sci-001-trial-start-kr-2021"));
  EXPECT_THAT(Events("type = TRIAL_START AND jurisdiction = KR AND date_inferred = false"),
              IsEmpty());
  EXPECT_THAT(Events("product = qn-019a OR product = qn-023a"),
              ElementsAre("2023 qn-019a-trial-start-cn-2023", "2023 qn-023a-trial-start-cn-2023"));
}

TEST_F(UndatedTest, HicmTimelineShowsTheUndatedMilestonesLast) {
  LoadTimelineData();
  v1::GetProductTimelineRequest req;
  req.set_product("products/hicm-188");
  v1::ProductTimeline timeline;
  grpc::Status s = stub_->GetProductTimeline(Ctx().get(), req, &timeline);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::vector<std::string> events;
  for (const auto& item : timeline.items()) {
    if (item.origin() != v1::TIMELINE_ITEM_ORIGIN_EVENT) {
      EXPECT_FALSE(item.date_unknown()) << item.record();
      continue;
    }
    EXPECT_EQ(item.date_unknown(), !IsSet(item.date())) << item.record();
    events.push_back(
        absl::StrCat(item.date_unknown() ? "undated" : FormatPartialDate(item.date()), " ",
                     v1::EventType_Name(item.type()).substr(strlen("EVENT_TYPE_")), " ",
                     item.jurisdiction(), item.date_inferred() ? " (inferred)" : ""));
  }
  // Undated items come after every dated one, by record name.
  EXPECT_THAT(events,
              ElementsAre("2020 PUBLICATION CN", "2021 TRIAL_START CN", "2025 PUBLICATION CN",
                          "2025-06-12 DEAL CN (inferred)", "undated FIRST_PATIENT_TREATED CN",
                          "undated IND_CLEARANCE CN", "undated IND_CLEARANCE US",
                          "undated TRIAL_START US", "undated TRIAL_START CN"));
  std::vector<std::string> undated;
  for (const auto& item : timeline.items()) {
    if (item.date_unknown()) undated.push_back(item.record());
  }
  EXPECT_THAT(undated,
              ElementsAre("events/hicm-188-first-patient-treated-cn",
                          "events/hicm-188-ind-clearance-cn", "events/hicm-188-ind-clearance-us",
                          "events/hicm-188-phase-1-start-us", "events/hicm-188-phase-2-cn"));
  ASSERT_GE(timeline.items_size(), 1);
  EXPECT_EQ(timeline.items(timeline.items_size() - 1).record(), "events/hicm-188-phase-2-cn");
}

TEST_F(UndatedTest, IntervalsAndFirstsSkipUndatedEvents) {
  LoadTimelineData();
  v1::ComputeMilestoneIntervalsRequest iv;
  iv.set_from_type(v1::EVENT_TYPE_IND_CLEARANCE);
  iv.set_to_type(v1::EVENT_TYPE_TRIAL_START);
  iv.add_products("products/hicm-188");
  v1::ComputeMilestoneIntervalsResponse intervals;
  grpc::Status s = stub_->ComputeMilestoneIntervals(Ctx().get(), iv, &intervals);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_THAT(intervals.intervals(), IsEmpty());
  EXPECT_THAT(intervals.undated_events(),
              ElementsAre("events/hicm-188-ind-clearance-cn", "events/hicm-188-ind-clearance-us",
                          "events/hicm-188-phase-1-start-us", "events/hicm-188-phase-2-cn"));

  v1::ListFirstsRequest firsts;
  firsts.set_type(v1::EVENT_TYPE_IND_CLEARANCE);
  v1::ListFirstsResponse first;
  s = stub_->ListFirsts(Ctx().get(), firsts, &first);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::vector<std::string> found;
  for (const auto& f : first.firsts()) {
    found.push_back(absl::StrCat(f.jurisdiction(), " ", f.event().name(),
                                 f.tied_with().empty() ? "" : " (tied)"));
  }
  // Every Chinese and French clearance is undated: China and France have no first.
  EXPECT_THAT(found, ElementsAre("US events/grn-opc1-fda-clearance-us-2010"));
  EXPECT_THAT(
      first.undated_events(),
      ElementsAre("events/castem-ind-clearance-cn", "events/hanshi-lianhe-ind-clearances-cn",
                  "events/hanshi-lianhe-ind-clearances-fr", "events/hepacure-ind-clearance-cn",
                  "events/hicm-188-ind-clearance-cn", "events/hicm-188-ind-clearance-us",
                  "events/hnpc01-ind-clearance-cn", "events/ncr-100-ind-clearance-cn",
                  "events/ncr300-ind-clearance-cn", "events/nouvneu001-ind-clearance-cn"));
}

TEST_F(UndatedTest, WritesAreDatedOrExplicitlyUndated) {
  auto create = [&](Event e) {
    v1::CreateEventRequest req;
    req.set_event_id("u1");
    *req.mutable_event() = std::move(e);
    Event out;
    grpc::Status s = stub_->CreateEvent(Ctx().get(), req, &out);
    return std::make_pair(s, out);
  };
  Event dated = NewEvent(v1::EVENT_TYPE_IND_CLEARANCE, 2025, 1, 2, "products/hicm-188");
  Event both = dated;
  both.set_date_unknown(true);
  ExpectInvalid(create(both).first, "event.date: must be unset");
  Event inferred = dated;
  inferred.clear_date();
  inferred.set_date_unknown(true);
  inferred.set_date_inferred(true);
  ExpectInvalid(create(inferred).first, "event.date_inferred");
  Event missing = dated;
  missing.clear_date();
  ExpectInvalid(create(missing).first, "event.date: required");

  Event undated = missing;
  undated.set_date_unknown(true);
  auto [status, created] = create(undated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(created.date_unknown());
  EXPECT_FALSE(IsSet(created.date()));
}

TEST_F(UndatedTest, PoliciesFollowTheSameDateRules) {
  auto create = [&](const std::string& id, Policy p) {
    v1::CreatePolicyRequest req;
    req.set_policy_id(id);
    *req.mutable_policy() = std::move(p);
    Policy out;
    grpc::Status s = stub_->CreatePolicy(Ctx().get(), req, &out);
    return std::make_pair(s, out);
  };
  Policy missing;
  missing.set_kind(v1::POLICY_KIND_GUIDANCE);
  missing.set_jurisdiction("CN");
  missing.set_title("test policy without a printed date");
  missing.add_sources()->set_source("sources/review-2025-hpsc-products");
  ExpectInvalid(create("p-missing", missing).first, "policy.date: required");
  Policy inferred = missing;
  inferred.set_date_unknown(true);
  inferred.set_date_inferred(true);
  ExpectInvalid(create("p-inferred", inferred).first, "policy.date_inferred");

  Policy undated = missing;
  undated.set_date_unknown(true);
  auto [status, created] = create("p-undated", undated);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(created.date_unknown());

  auto names = [&](const std::string& filter) {
    v1::ListPoliciesRequest req;
    req.set_filter(filter);
    req.set_page_size(1000);
    v1::ListPoliciesResponse resp;
    grpc::Status s = stub_->ListPolicies(Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::vector<std::string> out;
    for (const Policy& p : resp.policies()) out.push_back(p.name());
    return out;
  };
  EXPECT_THAT(names("date_unknown = true"), ElementsAre("policies/p-undated"));
  EXPECT_THAT(names("date >= 1900"), Not(Contains("policies/p-undated")));
  // Undated records sort after every dated one.
  EXPECT_EQ(names("").back(), "policies/p-undated");
}

}  // namespace
}  // namespace regenatlas::timeline
