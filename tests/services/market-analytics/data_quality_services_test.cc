// The data-quality findings of all three services over the bundled dataset
// (issue 16), through their gRPC APIs on the all-in-one server: exact counts
// by kind and one named finding per kind added for the timeline, the
// analytics service and the catalog; `regenatlas check` printing them; and
// the one convention for percentages.

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cmd/regenatlas/check.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "regenatlas/timeline/v1/timeline_service.grpc.pb.h"
#include "tests/services/market-analytics/analytics_fixture.h"

namespace regenatlas::analytics {
namespace {

using common::v1::DataIssue;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kData[] = REGENATLAS_SOURCE_DIR "/data";

class DataQualityServicesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { sys_ = new testing::AllInOne(kData); }
  static void TearDownTestSuite() {
    delete sys_;
    sys_ = nullptr;
  }

  // Every finding of one service's ListDataIssues matching `filter`.
  template <typename Request, typename Response, typename Stub>
  static std::vector<DataIssue> List(Stub& stub, const std::string& filter) {
    Request req;
    req.set_page_size(1000);
    req.set_filter(filter);
    Response resp;
    grpc::Status s = stub.ListDataIssues(testing::AllInOne::Ctx().get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {resp.issues().begin(), resp.issues().end()};
  }
  static std::vector<DataIssue> Timeline(const std::string& filter) {
    auto stub = timeline::v1::RegulatoryTimelineService::NewStub(sys_->channel_);
    return List<timeline::v1::ListDataIssuesRequest, timeline::v1::ListDataIssuesResponse>(*stub,
                                                                                           filter);
  }
  static std::vector<DataIssue> Analytics(const std::string& filter) {
    return List<v1::ListDataIssuesRequest, v1::ListDataIssuesResponse>(*sys_->analytics_stub_,
                                                                       filter);
  }
  static std::vector<DataIssue> Catalog(const std::string& filter) {
    return List<catalog::v1::ListDataIssuesRequest, catalog::v1::ListDataIssuesResponse>(
        *sys_->catalog_stub_, filter);
  }
  static std::map<std::string, int> Kinds(const std::vector<DataIssue>& issues) {
    std::map<std::string, int> out;
    for (const DataIssue& d : issues) ++out[common::v1::DataIssueKind_Name(d.kind())];
    return out;
  }
  static std::vector<std::string> Records(const std::vector<DataIssue>& issues) {
    std::vector<std::string> out;
    for (const DataIssue& d : issues) out.push_back(d.record());
    return out;
  }

  static testing::AllInOne* sys_;
};

testing::AllInOne* DataQualityServicesTest::sys_ = nullptr;

TEST_F(DataQualityServicesTest, TimelineReportsEveryInferredDate) {
  const std::vector<DataIssue> all = Timeline("");
  EXPECT_EQ(Kinds(all), (std::map<std::string, int>{{"DATA_ISSUE_KIND_INFERRED_DATE", 38}}));
  const std::vector<DataIssue> plan =
      Timeline("kind = INFERRED_DATE AND record = policies/cn-13th-five-year-plan");
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].field(), "date");
  EXPECT_EQ(plan[0].severity(), common::v1::DATA_ISSUE_SEVERITY_INFO);
  EXPECT_THAT(plan[0].values(), ElementsAre("2016"));
  ASSERT_GT(plan[0].citations_size(), 0);
  EXPECT_THAT(plan[0].citations(0).quote(), HasSubstr("十三五"));
  // A trial start the prose states without a date: the year is the one the
  // review's Table 1 prints for the trial.
  const std::vector<DataIssue> qn =
      Timeline("kind = INFERRED_DATE AND record = events/qn-019a-trial-start-cn-2023");
  ASSERT_EQ(qn.size(), 1u);
  EXPECT_THAT(qn[0].values(), ElementsAre("2023"));
  ASSERT_EQ(qn[0].citations_size(), 2);
  EXPECT_THAT(qn[0].citations(1).quote(), HasSubstr("NCT05379647 I CN 2023"));
}

TEST_F(DataQualityServicesTest, AnalyticsReportsInferredCurrencyAndStaleCounts) {
  EXPECT_EQ(Kinds(Analytics("")),
            (std::map<std::string, int>{{"DATA_ISSUE_KIND_INFERRED_CURRENCY", 1},
                                        {"DATA_ISSUE_KIND_STALE_STATEMENT", 2}}));
  const std::vector<DataIssue> currency = Analytics("kind = INFERRED_CURRENCY");
  ASSERT_EQ(currency.size(), 1u);
  EXPECT_EQ(currency[0].record(), "marketFacts/cn-marketed-cell-therapy-price-level");
  EXPECT_THAT(currency[0].values(), ElementsAre("CNY"));

  const std::vector<DataIssue> stale = Analytics("kind = STALE_STATEMENT");
  EXPECT_THAT(Records(stale), ElementsAre("marketFacts/cn-approved-msc-drugs",
                                          "marketFacts/us-approved-msc-drugs"));
  EXPECT_THAT(
      stale[0].related_records(),
      ElementsAre("events/amimestrocel-conditional-approval-cn-2025-01", "products/amimestrocel"));
  EXPECT_THAT(stale[1].related_records(),
              ElementsAre("events/remestemcel-l-approval-us-2024-12", "products/remestemcel-l"));
  EXPECT_EQ(stale[1].severity(), common::v1::DATA_ISSUE_SEVERITY_ERROR);
  // The stale statement's quote, then the later event's.
  ASSERT_GE(stale[1].citations_size(), 2);
  EXPECT_THAT(stale[1].citations(0).quote(), HasSubstr("我国和美国都还没有被批准用于临床的"));
  EXPECT_THAT(stale[1].citations(1).quote(), HasSubstr("Ryoncil"));
  // Filters are the catalog's.
  EXPECT_THAT(Records(Analytics("product = products/remestemcel-l")),
              ElementsAre("marketFacts/us-approved-msc-drugs"));
}

TEST_F(DataQualityServicesTest, CatalogReportsImplausibleIdDatesAndTableProseSplits) {
  const std::vector<DataIssue> dates = Catalog("kind = IMPLAUSIBLE_REGISTRY_ID_DATE");
  EXPECT_THAT(Records(dates),
              ElementsAre("trials/ctr20253094", "trials/nct01469832", "trials/nct01691261",
                          "trials/nct04396899", "trials/nct04629729"));
  const std::vector<DataIssue> moorfields =
      Catalog("kind = IMPLAUSIBLE_REGISTRY_ID_DATE AND record = trials/nct01691261");
  ASSERT_EQ(moorfields.size(), 1u);
  EXPECT_THAT(moorfields[0].values(), ElementsAre("NCT01691261", "2021"));
  EXPECT_EQ(moorfields[0].citations(0).locator(), "Table 4, row PF-05206388");

  const std::vector<DataIssue> split =
      Catalog("kind = TABLE_PROSE_DISAGREEMENT AND record = trials/nct01344993");
  ASSERT_EQ(split.size(), 1u);
  EXPECT_EQ(split[0].field(), "phase");
  EXPECT_EQ(split[0].severity(), common::v1::DATA_ISSUE_SEVERITY_ERROR);
  // Never reported twice: the same field is not also a cross-document conflict.
  EXPECT_TRUE(Catalog("kind = CONFLICTING_STATEMENTS AND record = trials/nct01344993").empty());
  EXPECT_EQ(Catalog("kind = TABLE_PROSE_DISAGREEMENT").size(), 12u);
  // 32 computed, and the hand-recorded VX-264 contradiction (data/catalog/findings.txtpb).
  EXPECT_EQ(Catalog("kind = CONFLICTING_STATEMENTS AND hand_recorded = false").size(), 32u);
  EXPECT_EQ(Catalog("kind = CONFLICTING_STATEMENTS").size(), 33u);
}

TEST(PercentageTest, APercentIsStoredAsAFraction) {
  MarketFact fact;
  fact.set_metric("subsidy_rate");
  fact.set_unit("percent");
  fact.set_value(35);
  auto* c = fact.add_sources();
  c->set_source("sources/x");
  c->set_quote("35%");
  absl::Status s = Analytics::ValidateMarketFactFields(fact);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_EQ(s.message(), "market_fact.value: a percentage is stored as a fraction 0–1 (got 35)");
  fact.set_value(0.35);
  EXPECT_TRUE(Analytics::ValidateMarketFactFields(fact).ok());
  fact.set_value_high(40);
  EXPECT_THAT(Analytics::ValidateMarketFactFields(fact).message(),
              HasSubstr("market_fact.value_high: a percentage"));
}

TEST(CheckCommandTest, PrintsTheFindingsOfAllThreeServices) {
  cli::CheckOptions options;
  options.dataset_dir = kData;
  std::ostringstream out;
  EXPECT_EQ(cli::RunCheck(options, out), 0) << out.str();
  EXPECT_THAT(out.str(), HasSubstr("timeline DATA_ISSUE_KIND_INFERRED_DATE: 38\n"));
  EXPECT_THAT(out.str(), HasSubstr("analytics DATA_ISSUE_KIND_STALE_STATEMENT: 2\n"));
  EXPECT_THAT(out.str(), HasSubstr("analytics DATA_ISSUE_KIND_INFERRED_CURRENCY: 1\n"));
  EXPECT_THAT(out.str(), HasSubstr("catalog DATA_ISSUE_KIND_IMPLAUSIBLE_REGISTRY_ID_DATE: 5\n"));
  // Hand-recorded findings (data/catalog/findings.txtpb) count under their kind and in total.
  EXPECT_THAT(out.str(), HasSubstr("catalog DATA_ISSUE_KIND_CURATOR_NOTE: 7\n"));
  EXPECT_THAT(out.str(), HasSubstr("of which hand-recorded: 8\n"));
  EXPECT_THAT(out.str(), HasSubstr("\nErrors: 0\n"));
}

}  // namespace
}  // namespace regenatlas::analytics
