// Market analytics over the real reference dataset (data/), all-in-one: the
// catalog, timeline and analytics servers loaded as `serve` loads them, and
// exact answers to the questions users ask, so that a wrong value fails.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "tests/services/market-analytics/analytics_fixture.h"

namespace regenatlas::analytics {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;
using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

constexpr char kData[] = REGENATLAS_SOURCE_DIR "/data";

std::unique_ptr<grpc::ClientContext> Ctx() { return testing::AllInOne::Ctx(); }

std::string Short(common::v1::DevelopmentStage stage) {
  return common::v1::DevelopmentStage_Name(stage).substr(strlen("DEVELOPMENT_STAGE_"));
}

class AnalyticsDatasetTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { sys_ = new testing::AllInOne(kData); }
  static void TearDownTestSuite() {
    delete sys_;
    sys_ = nullptr;
  }
  static v1::MarketAnalyticsService::Stub& stub() { return *sys_->analytics_stub_; }

  static testing::AllInOne* sys_;
};

testing::AllInOne* AnalyticsDatasetTest::sys_ = nullptr;

TEST_F(AnalyticsDatasetTest, EveryRecordLoadsOnceAndReloadingChangesNothing) {
  // 7 FX rates, 3 price points, 9 epidemiology facts, 120 market facts.
  EXPECT_EQ(sys_->analytics_load_.created, 139);
  const uint64_t seq = sys_->store_->LastChangeSeq();
  absl::StatusOr<LoadSummary> again =
      EnsureAnalyticsDataset(*sys_->analytics_, std::string(kData) + "/analytics");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->created + again->updated + again->unchanged, 0);  // same digest: skipped
  v1::AnalyticsDataset dataset;
  DatasetReport report;
  ASSERT_TRUE(LoadDatasetDir(std::string(kData) + "/analytics", &dataset, &report).ok());
  absl::StatusOr<LoadSummary> forced = LoadAnalyticsDataset(*sys_->analytics_, dataset, report);
  ASSERT_TRUE(forced.ok()) << forced.status();
  EXPECT_EQ(forced->unchanged, 139);
  EXPECT_TRUE(forced->rejected.empty());
  EXPECT_EQ(sys_->store_->LastChangeSeq(), seq);
}

// Q8: 艾米迈托赛注射液 costs 1.98万元 per dose; Ryoncil about 140万元 per
// dose, "about 1/70" of it; a standard course is 8 infusions.
TEST_F(AnalyticsDatasetTest, RyoncilCostsAbout70TimesAmimestrocelPerDoseInCny) {
  v1::ComparePricesRequest req;
  req.add_products("products/remestemcel-l");
  req.add_products("products/amimestrocel");
  req.set_currency_code("CNY");
  v1::PriceComparison out;
  grpc::Status s = stub().ComparePrices(Ctx().get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(out.prices_size(), 2);
  const v1::ProductPrice& ryoncil = out.prices(0);
  const v1::ProductPrice& amimestrocel = out.prices(1);
  EXPECT_EQ(ryoncil.display_name(), "Ryoncil");
  EXPECT_EQ(ryoncil.price_point().name(), "pricePoints/remestemcel-l-us-per-dose");
  EXPECT_EQ(ryoncil.price_per_dose().units(), 1400000);
  EXPECT_FALSE(ryoncil.has_price_per_course());  // the documents give no Ryoncil regimen
  EXPECT_EQ(ryoncil.conversion().method(), v1::FX_METHOD_IDENTITY);
  EXPECT_EQ(ryoncil.price_point().bound(), v1::BOUND_ABOUT);
  EXPECT_THAT(ryoncil.price_point().sources(0).quote(), HasSubstr("约140万元人民币/剂"));

  EXPECT_EQ(amimestrocel.display_name(), "艾米迈托赛注射液");
  // The per-dose list price is preferred to the per-treatment statement.
  EXPECT_EQ(amimestrocel.price_point().name(), "pricePoints/amimestrocel-cn-per-dose");
  EXPECT_THAT(amimestrocel.alternatives(),
              ElementsAre("pricePoints/amimestrocel-cn-per-treatment"));
  EXPECT_EQ(amimestrocel.price_per_dose().units(), 19800);
  // A full course: 8 doses × 19,800 = 158,400 CNY.
  EXPECT_EQ(amimestrocel.doses_per_course(), 8);
  EXPECT_EQ(amimestrocel.price_per_course().units(), 158400);
  EXPECT_EQ(amimestrocel.price_per_course().currency_code(), "CNY");

  ASSERT_EQ(out.ratios_size(), 2);
  EXPECT_EQ(out.ratios(0).numerator_product(), "products/remestemcel-l");
  EXPECT_EQ(out.ratios(0).denominator_product(), "products/amimestrocel");
  EXPECT_DOUBLE_EQ(out.ratios(0).per_dose(), 1400000.0 / 19800.0);  // 70.71: "about 1/70"
  EXPECT_NEAR(out.ratios(0).per_dose(), 70, 1);
  EXPECT_FALSE(out.ratios(0).has_per_course());
  EXPECT_DOUBLE_EQ(out.ratios(1).per_dose(), 19800.0 / 1400000.0);
}

TEST_F(AnalyticsDatasetTest, AmimestrocelCourseInUsdUsesTheDatedRate) {
  v1::ComparePricesRequest req;
  req.add_products("products/amimestrocel");
  req.set_currency_code("USD");
  v1::PriceComparison out;
  // Neither the price nor its source is dated: the caller must say when.
  grpc::Status undated = stub().ComparePrices(Ctx().get(), req, &out);
  EXPECT_EQ(undated.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(undated.error_message(), HasSubstr("set fx_date"));
  req.mutable_fx_date()->set_year(2025);
  req.mutable_fx_date()->set_month(6);
  req.mutable_fx_date()->set_day(30);
  grpc::Status s = stub().ComparePrices(Ctx().get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  const v1::FxConversion& c = out.prices(0).conversion();
  EXPECT_EQ(c.method(), v1::FX_METHOD_INVERSE);
  ASSERT_EQ(c.rates_size(), 1);
  EXPECT_EQ(c.rates(0).fx_rate(), "fxRates/usd-cny-2025-06-30");
  EXPECT_EQ(c.rates(0).sources(0).source(), "sources/pboc-cfets-central-parity");
  // 158,400 CNY / 7.1586 = 22,127.23 USD.
  EXPECT_EQ(out.prices(0).price_per_course().units(), 22127);
  EXPECT_EQ(out.prices(0).price_per_course().nanos(), 230000000);
}

// Q9: heart-failure patients worldwide, in the US and in China, with the
// qualifiers the source prints.
TEST_F(AnalyticsDatasetTest, HeartFailurePatientsWorldUsChina) {
  v1::ListEpidemiologyFactsRequest req;
  req.set_filter(
      "indication = heart-failure AND (measure = PREVALENCE OR measure = ANNUAL_INCIDENCE)");
  req.set_order_by("value desc");
  v1::ListEpidemiologyFactsResponse out;
  ASSERT_TRUE(stub().ListEpidemiologyFacts(Ctx().get(), req, &out).ok());
  struct Row {
    std::string region;
    std::string measure;
    double value;
    std::string bound;
    std::string qualifier;
  };
  std::vector<std::string> rows;
  for (const auto& f : out.epidemiology_facts()) {
    rows.push_back(absl::StrCat(f.region(), " ", v1::Measure_Name(f.measure()), " ",
                                static_cast<int64_t>(f.value()), " ", v1::Bound_Name(f.bound()),
                                " ", f.qualifier()));
  }
  EXPECT_THAT(rows,
              ElementsAre("GLOBAL MEASURE_PREVALENCE 64000000 BOUND_MORE_THAN ",
                          "CN MEASURE_PREVALENCE 13700000 BOUND_ABOUT aged 35+ (35岁以上人群)",
                          "US MEASURE_PREVALENCE 7000000 BOUND_EXACT ",
                          "GLOBAL MEASURE_PREVALENCE 3200000 BOUND_ABOUT end-stage (终末期)",
                          "CN MEASURE_ANNUAL_INCIDENCE 2970000 BOUND_EXACT aged 35+ "
                          "(35岁以上人群); trend toward younger patients",
                          "US MEASURE_ANNUAL_INCIDENCE 500000 BOUND_MORE_THAN "));
  EXPECT_THAT(out.epidemiology_facts(0).sources(0).quote(), HasSubstr("全球心衰患者超6400万"));
  EXPECT_THAT(out.epidemiology_facts(1).sources(0).quote(), HasSubstr("心衰患者约1370万"));
  EXPECT_THAT(out.epidemiology_facts(2).sources(0).quote(), HasSubstr("美国患者基数达700万"));
}

// Q9, second half: the market an iPSC-cardiomyocyte therapy could address
// in China at a given share, uptake and price.
TEST_F(AnalyticsDatasetTest, MarketForAnIpscCardiomyocyteTherapyInChina) {
  v1::EstimateMarketSizeRequest req;
  req.set_epidemiology_fact("epidemiologyFacts/heart-failure-prevalence-cn-35-plus");
  req.set_eligible_share(0.05);
  req.set_uptake(0.1);
  req.mutable_price_per_course()->set_currency_code("CNY");
  req.mutable_price_per_course()->set_units(500000);
  req.set_currency_code("USD");
  req.mutable_fx_date()->set_year(2025);
  req.mutable_fx_date()->set_month(6);
  req.mutable_fx_date()->set_day(30);
  v1::MarketSizeEstimate out;
  grpc::Status s = stub().EstimateMarketSize(Ctx().get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  // 13.7M × 5% × 10% = 68,500 patients a year × 500,000 CNY / 7.1586.
  EXPECT_DOUBLE_EQ(out.treated_patients(), 68500);
  const double market = 68500 * (500000 / 7.1586);  // 4,784,455,061.05 USD
  EXPECT_NEAR(out.yearly_market().units() + out.yearly_market().nanos() / 1e9, market, 0.01);
  EXPECT_EQ(out.yearly_market().units(), 4784455061);
  EXPECT_EQ(out.yearly_market().currency_code(), "USD");
  EXPECT_EQ(out.inputs(0).record(), "epidemiologyFacts/heart-failure-prevalence-cn-35-plus");
  EXPECT_EQ(out.inputs(0).qualifier(), "aged 35+ (35岁以上人群)");
  EXPECT_EQ(out.inputs(0).sources(0).source(), "sources/news-2025-crsanjiu-help");
  EXPECT_EQ(out.conversion().rates(0).fx_rate(), "fxRates/usd-cny-2025-06-30");
  EXPECT_EQ(out.steps_size(), 5);
  EXPECT_THAT(out.notes(), ::testing::Contains(HasSubstr("approximate")));
}

// Q4: hPSC-derived products per country and phase. Each product counts once
// per country, at its stage in that country.
TEST_F(AnalyticsDatasetTest, HpscProductsByCountryAndPhase) {
  v1::GetPipelineBreakdownRequest req;
  req.set_subject(v1::BREAKDOWN_SUBJECT_PRODUCTS);
  req.set_filter("cell_category = PSC");
  req.add_group_by("country");
  req.add_group_by("stage");
  v1::PipelineBreakdown out;
  grpc::Status s = stub().GetPipelineBreakdown(Ctx().get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::map<std::pair<std::string, std::string>, int> got;
  for (const auto& row : out.rows()) got[{row.keys(0), row.keys(1)}] = row.count();
  const std::map<std::pair<std::string, std::string>, int> expected = {
      {{"AU", "PHASE_1"}, 2},   {{"AU", "PHASE_2"}, 1},   {{"AU", "PHASE_3"}, 1},
      {{"BR", "PHASE_1_2"}, 1}, {{"CN", "PHASE_1"}, 18},  {{"CN", "PHASE_1_2"}, 6},
      {{"CN", "PHASE_2"}, 2},   {{"DE", "PHASE_1_2"}, 1}, {{"FR", "PHASE_1"}, 1},
      {{"FR", "PHASE_1_2"}, 1}, {{"GB", "PHASE_1"}, 3},   {{"IL", "PHASE_1_2"}, 1},
      {{"IN", "PHASE_1_2"}, 1}, {{"IR", "PHASE_1_2"}, 1}, {{"JP", "MARKETING_APPLICATION"}, 1},
      {{"JP", "PHASE_1"}, 9},   {{"JP", "PHASE_1_2"}, 7}, {{"KR", "PHASE_1"}, 3},
      {{"KR", "PHASE_1_2"}, 1}, {{"US", "PHASE_1"}, 18},  {{"US", "PHASE_1_2"}, 13},
      {{"US", "PHASE_2"}, 1},   {{"US", "PHASE_3"}, 3},
  };
  EXPECT_EQ(got, expected);
  EXPECT_EQ(out.total(), 96);
  std::map<std::string, int> countries;
  for (const auto& t : out.dimension_totals()) {
    if (t.dimension() == "country") countries[t.key()] = t.count();
  }
  // NCT04982081 is HiCM-188's in China (Table 1) and Eyecyte-RPE's in India
  // (Table 4): each product keeps its own country and phase.
  EXPECT_EQ(countries["CN"], 26);
  EXPECT_EQ(countries["US"], 35);
  EXPECT_EQ(countries["JP"], 17);
  EXPECT_EQ(out.upstream_calls(0).method(), "regenatlas.catalog.v1.CatalogService/CountProducts");

  // The same table computed independently from the catalog records.
  catalog::v1::ListProductsRequest list;
  list.set_filter("cell_category = PSC");
  list.set_page_size(1000);
  catalog::v1::ListProductsResponse products;
  ASSERT_TRUE(sys_->catalog_stub_->ListProducts(Ctx().get(), list, &products).ok());
  EXPECT_EQ(products.products_size(), 96);
  std::map<std::pair<std::string, std::string>, int> recomputed;
  for (const auto& p : products.products()) {
    for (const auto& cs : p.stage_by_country())
      ++recomputed[{cs.country_code(), Short(cs.stage())}];
  }
  EXPECT_EQ(recomputed, expected);
}

// Q10: who leads Parkinson's disease cell therapy, most advanced first.
TEST_F(AnalyticsDatasetTest, ParkinsonsLandscapeOrderedByStage) {
  v1::GetIndicationLandscapeRequest req;
  req.set_indication("indications/parkinsons-disease");
  req.set_page_size(100);
  v1::IndicationLandscape out;
  grpc::Status s = stub().GetIndicationLandscape(Ctx().get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.indication().display_name(), "Parkinson’s disease");
  EXPECT_THAT(out.indications_covered(),
              UnorderedElementsAre("indications/parkinsons-disease",
                                   "indications/advanced-parkinsons-disease",
                                   "indications/early-onset-parkinsons-disease"));
  std::vector<std::string> order;
  for (const auto& e : out.entries()) {
    order.push_back(absl::StrCat(e.rank(), " ", e.product().name().substr(9), " ",
                                 Short(e.product().highest_stage())));
  }
  EXPECT_THAT(order, ElementsAreArray({
                         "1 brt-da01 PHASE_3",
                         "2 nouvneu001 PHASE_2",
                         "3 anpd001 PHASE_1_2",
                         "4 aszq-003 PHASE_1_2",
                         "5 ct1-dap001 PHASE_1_2",
                         "6 dopacell PHASE_1_2",
                         "7 hipsc-da-brigham PHASE_1_2",
                         "8 raguneprocel PHASE_1_2",
                         "9 a9-dpc PHASE_1",
                         "10 hipsc-mdap PHASE_1",
                         "11 isc-hpnsc PHASE_1",
                         "12 ncr201 PHASE_1",
                         "13 stem-pd PHASE_1",
                         "14 ux-da001 PHASE_1",
                         "15 xs-411 PHASE_1",
                     }));
  EXPECT_EQ(out.total_products(), 15);
  EXPECT_TRUE(out.next_page_token().empty());
  const v1::LandscapeEntry& leader = out.entries(0);
  EXPECT_EQ(leader.sponsors(0).display_name(), "BlueRock Therapeutics");
  EXPECT_THAT(leader.product().countries(), ElementsAre("US"));
  EXPECT_EQ(leader.product().cell_type(), catalog::v1::CELL_TYPE_DOPAMINERGIC_PROGENITOR);
  EXPECT_EQ(leader.trials_size(), 2);
  for (const auto& t : leader.trials()) {
    EXPECT_THAT(t.products(), ::testing::Contains("products/brt-da01"));
  }
  // A9-DPC: 12 patients treated, stated on the catalog record and as a
  // dated market figure; both come back with their sources.
  const v1::LandscapeEntry& a9 = out.entries(8);
  ASSERT_EQ(a9.patients_treated_size(), 2);
  EXPECT_EQ(a9.patients_treated(0).value(), 12);
  EXPECT_EQ(a9.patients_treated(0).record(), "products/a9-dpc");
  EXPECT_EQ(a9.patients_treated(1).value(), 12);
  EXPECT_EQ(a9.patients_treated(1).record(), "marketFacts/a9-dpc-patients-2025-10");
  EXPECT_EQ(a9.patients_treated(1).as_of().month(), 10);
  EXPECT_THAT(a9.patients_treated(1).sources(0).quote(), HasSubstr("12名重度PD患者"));

  // Every product of a sub-indication also lists Parkinson's disease itself.
  req.set_exact_indication(true);
  ASSERT_TRUE(stub().GetIndicationLandscape(Ctx().get(), req, &out).ok());
  EXPECT_THAT(out.indications_covered(), ElementsAre("indications/parkinsons-disease"));
  EXPECT_EQ(out.total_products(), 15);
  for (const auto& e : out.entries()) {
    EXPECT_THAT(e.product().indications(), ::testing::Contains("indications/parkinsons-disease"));
  }
}

TEST_F(AnalyticsDatasetTest, HeartFailureLandscapeCarriesEpidemiologyAndPatients) {
  v1::GetIndicationLandscapeRequest req;
  req.set_indication("indications/heart-failure");
  req.set_page_size(5);
  v1::IndicationLandscape out;
  grpc::Status s = stub().GetIndicationLandscape(Ctx().get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(out.epidemiology_size(), 9);
  // Stages never increase down the list, across pages.
  std::vector<const v1::LandscapeEntry*> all;
  std::vector<v1::IndicationLandscape> pages = {out};
  while (!pages.back().next_page_token().empty()) {
    req.set_page_token(pages.back().next_page_token());
    v1::IndicationLandscape next;
    ASSERT_TRUE(stub().GetIndicationLandscape(Ctx().get(), req, &next).ok());
    pages.push_back(std::move(next));
  }
  int rank = 0;
  int last_stage = 100;
  bool hicm = false;
  for (const auto& page : pages) {
    for (const auto& e : page.entries()) {
      EXPECT_EQ(e.rank(), ++rank);
      const int stage = e.product().highest_stage();
      if (stage != 0 && stage <= common::v1::DEVELOPMENT_STAGE_APPROVED) {
        EXPECT_LE(stage, last_stage) << e.product().name();
        last_stage = stage;
      }
      if (e.product().name() == "products/hicm-188") {
        hicm = true;
        EXPECT_THAT(e.patients_treated(),
                    ::testing::Contains(::testing::Property(&v1::PatientsTreated::value, 20)));
      }
    }
  }
  EXPECT_EQ(rank, out.total_products());
  EXPECT_TRUE(hicm);
}

// Q6: approvals by jurisdiction, year and cell category, from the timeline.
TEST_F(AnalyticsDatasetTest, ApprovalsByJurisdictionYearAndCategory) {
  v1::GetApprovalStatisticsRequest req;
  v1::ApprovalStatistics out;
  grpc::Status s = stub().GetApprovalStatistics(Ctx().get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  std::vector<std::string> groups;
  for (const auto& g : out.groups()) {
    groups.push_back(absl::StrCat(g.jurisdiction(), " ", g.year(), " ",
                                  catalog::v1::CellCategory_Name(g.cell_category()).substr(14), " ",
                                  g.approvals()));
  }
  EXPECT_THAT(groups, ElementsAre("CN 2021 IMMUNE 2", "CN 2025 MSC 1", "US 1997 SOMATIC 1",
                                  "US 2010 IMMUNE 1", "US 2017 IMMUNE 2", "US 2023 SOMATIC 1",
                                  "US 2024 MSC 1", "US 2024 IMMUNE 2"));
  ASSERT_EQ(out.approvals_size(), 11);
  const v1::ApprovalRecord& last = out.approvals(10);
  EXPECT_EQ(last.product(), "products/amimestrocel");
  EXPECT_EQ(last.type(), timeline::v1::EVENT_TYPE_CONDITIONAL_APPROVAL);
  EXPECT_EQ(last.date().day(), 2);

  req.set_filter("jurisdiction = CN");
  req.add_cell_categories(catalog::v1::CELL_CATEGORY_MSC);
  ASSERT_TRUE(stub().GetApprovalStatistics(Ctx().get(), req, &out).ok());
  ASSERT_EQ(out.approvals_size(), 1);
  EXPECT_EQ(out.approvals(0).display_name(), "艾米迈托赛注射液");
}

// AIP-136: each Compute* view answers exactly like the deprecated Get*
// alias it replaces, page tokens included.
TEST_F(AnalyticsDatasetTest, ComputeViewsAnswerLikeTheirDeprecatedGetAliases) {
  using google::protobuf::util::MessageDifferencer;
  struct Breakdown {
    v1::BreakdownSubject subject;
    std::string filter;
    std::vector<std::string> group_by;
  };
  for (const Breakdown& b : std::vector<Breakdown>{
           {v1::BREAKDOWN_SUBJECT_PRODUCTS, "cell_category = PSC", {"country", "stage"}},
           {v1::BREAKDOWN_SUBJECT_PRODUCTS, "", {"therapeutic_area"}},
           {v1::BREAKDOWN_SUBJECT_TRIALS, "country = CN", {"cell_type", "stage"}},
           {v1::BREAKDOWN_SUBJECT_TRIALS, "", {"registry", "status"}}}) {
    const std::string what = absl::StrJoin(b.group_by, ",");
    v1::GetPipelineBreakdownRequest get;
    get.set_subject(b.subject);
    get.set_filter(b.filter);
    v1::ComputePipelineBreakdownRequest compute;
    compute.set_subject(b.subject);
    compute.set_filter(b.filter);
    for (const std::string& g : b.group_by) {
      get.add_group_by(g);
      v1::BreakdownDimension d = v1::BREAKDOWN_DIMENSION_UNSPECIFIED;
      ASSERT_TRUE(v1::BreakdownDimension_Parse(
          absl::StrCat("BREAKDOWN_DIMENSION_", absl::AsciiStrToUpper(g)), &d))
          << g;
      compute.add_dimensions(d);
    }
    v1::PipelineBreakdown old_out, new_out;
    grpc::Status s = stub().GetPipelineBreakdown(Ctx().get(), get, &old_out);
    ASSERT_TRUE(s.ok()) << what << ": " << s.error_message();
    s = stub().ComputePipelineBreakdown(Ctx().get(), compute, &new_out);
    ASSERT_TRUE(s.ok()) << what << ": " << s.error_message();
    EXPECT_GT(new_out.rows_size(), 0) << what;
    EXPECT_TRUE(MessageDifferencer::Equals(old_out, new_out)) << what << "\n"
                                                              << old_out.ShortDebugString() << "\n"
                                                              << new_out.ShortDebugString();
  }

  v1::GetIndicationLandscapeRequest get_landscape;
  get_landscape.set_indication("indications/parkinsons-disease");
  get_landscape.set_page_size(3);
  v1::ComputeIndicationLandscapeRequest compute_landscape;
  compute_landscape.set_indication("indications/parkinsons-disease");
  compute_landscape.set_page_size(3);
  for (int page = 0; page < 2; ++page) {
    v1::IndicationLandscape old_out, new_out;
    ASSERT_TRUE(stub().GetIndicationLandscape(Ctx().get(), get_landscape, &old_out).ok());
    ASSERT_TRUE(stub().ComputeIndicationLandscape(Ctx().get(), compute_landscape, &new_out).ok());
    EXPECT_EQ(new_out.entries_size(), 3);
    EXPECT_TRUE(MessageDifferencer::Equals(old_out, new_out)) << "page " << page;
    // Each name continues from the other's token.
    ASSERT_FALSE(old_out.next_page_token().empty());
    get_landscape.set_page_token(new_out.next_page_token());
    compute_landscape.set_page_token(old_out.next_page_token());
  }

  v1::GetApprovalStatisticsRequest get_approvals;
  v1::ComputeApprovalStatisticsRequest compute_approvals;
  for (int round = 0; round < 2; ++round) {
    v1::ApprovalStatistics old_out, new_out;
    ASSERT_TRUE(stub().GetApprovalStatistics(Ctx().get(), get_approvals, &old_out).ok());
    ASSERT_TRUE(stub().ComputeApprovalStatistics(Ctx().get(), compute_approvals, &new_out).ok());
    EXPECT_GT(new_out.approvals_size(), 0);
    EXPECT_TRUE(MessageDifferencer::Equals(old_out, new_out)) << "round " << round;
    get_approvals.set_filter("jurisdiction = US");
    get_approvals.add_cell_categories(catalog::v1::CELL_CATEGORY_IMMUNE);
    compute_approvals.set_filter("jurisdiction = US");
    compute_approvals.add_cell_categories(catalog::v1::CELL_CATEGORY_IMMUNE);
  }
}

// Freshness: a trial written to the catalog shows in the next breakdown.
TEST(AnalyticsFreshnessTest, NewTrialChangesTheNextBreakdown) {
  testing::AllInOne sys(kData);
  auto breakdown = [&sys](v1::BreakdownSubject subject, const std::string& filter,
                          std::vector<std::string> group_by) {
    v1::GetPipelineBreakdownRequest req;
    req.set_subject(subject);
    req.set_filter(filter);
    for (const auto& g : group_by) req.add_group_by(g);
    v1::PipelineBreakdown out;
    grpc::Status s = sys.analytics_stub_->GetPipelineBreakdown(Ctx().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::map<std::string, int> rows;
    for (const auto& row : out.rows()) rows[absl::StrJoin(row.keys(), "/")] = row.count();
    rows["total"] = out.total();
    return rows;
  };
  auto trials_before =
      breakdown(v1::BREAKDOWN_SUBJECT_TRIALS, "indication = heart-failure", {"phase"});
  auto products_before =
      breakdown(v1::BREAKDOWN_SUBJECT_PRODUCTS, "cell_category = PSC", {"country", "stage"});

  catalog::v1::CreateTrialRequest create;
  create.set_trial_id("hicm-188-de-phase-3");
  catalog::v1::Trial* t = create.mutable_trial();
  t->set_title("A new phase 3 trial of HiCM-188 in Germany");
  t->set_phase(common::v1::DEVELOPMENT_STAGE_PHASE_3);
  t->add_countries("DE");
  t->add_products("products/hicm-188");
  t->add_indications("indications/heart-failure");
  t->add_sources()->set_source("sources/news-2025-crsanjiu-help");
  catalog::v1::Trial created;
  grpc::Status s = sys.catalog_stub_->CreateTrial(Ctx().get(), create, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();

  auto trials_after =
      breakdown(v1::BREAKDOWN_SUBJECT_TRIALS, "indication = heart-failure", {"phase"});
  EXPECT_EQ(trials_after["total"], trials_before["total"] + 1);
  EXPECT_EQ(trials_after["PHASE_3"], trials_before["PHASE_3"] + 1);
  auto products_after =
      breakdown(v1::BREAKDOWN_SUBJECT_PRODUCTS, "cell_category = PSC", {"country", "stage"});
  EXPECT_EQ(products_after["DE/PHASE_3"], products_before["DE/PHASE_3"] + 1);
  EXPECT_EQ(products_after["total"], products_before["total"]);
}

}  // namespace
}  // namespace regenatlas::analytics
