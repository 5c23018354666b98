// MarketAnalyticsService over gRPC: the FX rules (nearest rate, inverse and
// cross rates) and the price views, ComparePrices and EstimateMarketSize,
// with their bad input (the right status, nothing written).

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

// ---- FX -----------------------------------------------------------------------------

TEST_F(AnalyticsApiTest, FxUsesTheNearestRateAndTheEarlierOnATie) {
  ASSERT_TRUE(CreateRate("usd-cny-0101", Rate("USD", "CNY", Date(2025, 1, 1), 7.0)).ok());
  ASSERT_TRUE(CreateRate("usd-cny-0111", Rate("USD", "CNY", Date(2025, 1, 11), 8.0)).ok());
  Analytics& a = *sys_.analytics_;
  auto at = [&a](common::v1::PartialDate d) {
    absl::StatusOr<v1::FxConversion> c = a.Convert("USD", "CNY", d, "test");
    EXPECT_TRUE(c.ok()) << c.status();
    return c.ok() ? c->multiplier() : 0.0;
  };
  EXPECT_DOUBLE_EQ(at(Date(2025, 1, 6)), 7.0);   // 5 days either way: the earlier
  EXPECT_DOUBLE_EQ(at(Date(2025, 1, 7)), 8.0);   // 4 days to the later
  EXPECT_DOUBLE_EQ(at(Date(2024, 6, 1)), 7.0);   // before every rate
  EXPECT_DOUBLE_EQ(at(Date(2026, 1, 1)), 8.0);   // after every rate
  EXPECT_DOUBLE_EQ(at(Date(2025, 1, 11)), 8.0);  // exact day
  // A month is looked up at its midpoint (2025-01-16): nearer the 11th.
  absl::StatusOr<v1::FxConversion> month = a.Convert("USD", "CNY", Date(2025, 1), "as_of");
  ASSERT_TRUE(month.ok());
  EXPECT_EQ(month->lookup_day().day(), 16);
  EXPECT_EQ(month->method(), v1::FX_METHOD_DIRECT);
  ASSERT_EQ(month->rates_size(), 1);
  EXPECT_EQ(month->rates(0).fx_rate(), "fxRates/usd-cny-0111");
  EXPECT_EQ(month->rates(0).days_from_lookup(), 5);
  EXPECT_THAT(month->rates(0).sources(0).source(), kSource);
  EXPECT_EQ(month->date_origin(), "as_of");
  // A year at its midpoint, 2025-07-02.
  absl::StatusOr<v1::FxConversion> year = a.Convert("USD", "CNY", Date(2025), "as_of");
  ASSERT_TRUE(year.ok());
  EXPECT_EQ(year->lookup_day().month(), 7);
  EXPECT_EQ(year->lookup_day().day(), 2);
}

TEST_F(AnalyticsApiTest, FxInverseAndCrossRatesAreReported) {
  ASSERT_TRUE(CreateRate("usd-cny", Rate("USD", "CNY", Date(2025, 6, 30), 7.1586)).ok());
  ASSERT_TRUE(CreateRate("jpy-cny", Rate("JPY", "CNY", Date(2025, 6, 30), 0.049)).ok());
  Analytics& a = *sys_.analytics_;
  absl::StatusOr<v1::FxConversion> inverse = a.Convert("CNY", "USD", Date(2025, 6, 30), "t");
  ASSERT_TRUE(inverse.ok()) << inverse.status();
  EXPECT_EQ(inverse->method(), v1::FX_METHOD_INVERSE);
  ASSERT_EQ(inverse->rates_size(), 1);
  EXPECT_TRUE(inverse->rates(0).inverted());
  EXPECT_EQ(inverse->rates(0).from_currency(), "CNY");
  EXPECT_DOUBLE_EQ(inverse->multiplier(), 1 / 7.1586);

  absl::StatusOr<v1::FxConversion> cross = a.Convert("JPY", "USD", Date(2025, 6, 30), "t");
  ASSERT_TRUE(cross.ok()) << cross.status();
  EXPECT_EQ(cross->method(), v1::FX_METHOD_CROSS);
  EXPECT_EQ(cross->via_currency(), "CNY");
  ASSERT_EQ(cross->rates_size(), 2);
  EXPECT_EQ(cross->rates(0).fx_rate(), "fxRates/jpy-cny");
  EXPECT_FALSE(cross->rates(0).inverted());
  EXPECT_EQ(cross->rates(1).fx_rate(), "fxRates/usd-cny");
  EXPECT_TRUE(cross->rates(1).inverted());
  EXPECT_DOUBLE_EQ(cross->multiplier(), 0.049 / 7.1586);

  absl::StatusOr<v1::FxConversion> none = a.Convert("EUR", "CNY", Date(2025, 6, 30), "t");
  EXPECT_EQ(none.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(none.status().message(), "no FX rate for EUR→CNY");
  absl::StatusOr<v1::FxConversion> same = a.Convert("CNY", "CNY", {}, "");
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->method(), v1::FX_METHOD_IDENTITY);
}

// ---- ComparePrices ------------------------------------------------------------------

TEST_F(AnalyticsApiTest, ComparePricesConvertsPerDoseAndPerCourse) {
  ASSERT_TRUE(CreateRate("usd-cny", Rate("USD", "CNY", Date(2025, 6, 30), 7.0)).ok());
  ASSERT_TRUE(
      CreatePrice("p1", Price("products/p1", Money("CNY", 14000), v1::PRICE_BASIS_PER_DOSE, 4))
          .ok());
  PricePoint course = Price("products/p2", Money("USD", 100000), v1::PRICE_BASIS_PER_COURSE, 2);
  course.set_jurisdiction("US");
  *course.mutable_as_of() = Date(2025, 6);
  ASSERT_TRUE(CreatePrice("p2", course).ok());
  v1::ComparePricesRequest req;
  req.add_products("products/p1");
  req.add_products("products/p2");
  req.set_currency_code("CNY");
  v1::PriceComparison out;
  grpc::Status s = stub().ComparePrices(Ctx().get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(out.prices_size(), 2);
  EXPECT_EQ(out.prices(0).price_per_dose().units(), 14000);
  EXPECT_EQ(out.prices(0).price_per_course().units(), 56000);
  const v1::ProductPrice& p2 = out.prices(1);
  EXPECT_EQ(p2.conversion().method(), v1::FX_METHOD_DIRECT);
  EXPECT_EQ(p2.conversion().date_origin(), "price_point.as_of");
  EXPECT_EQ(p2.price_per_course().units(), 700000);
  EXPECT_EQ(p2.price_per_dose().units(), 350000);
  ASSERT_EQ(p2.steps_size(), 2);
  EXPECT_EQ(p2.steps(0).operator_(), "×");
  EXPECT_EQ(p2.steps(1).operator_(), "÷");
  ASSERT_EQ(out.ratios_size(), 2);
  EXPECT_EQ(out.ratios(0).numerator_product(), "products/p1");
  EXPECT_DOUBLE_EQ(out.ratios(0).per_dose(), 14000.0 / 350000.0);
  EXPECT_DOUBLE_EQ(out.ratios(1).per_course(), 700000.0 / 56000.0);
  EXPECT_EQ(out.upstream_calls(0).method(),
            "regenatlas.catalog.v1.CatalogService/BatchGetProducts");

  // Undated prices take their source's publication date; fx_date overrides.
  course.clear_as_of();
  course.set_product("products/p3");
  ASSERT_TRUE(CreatePrice("p3", course).ok());
  req.set_products(1, "products/p3");
  ASSERT_TRUE(stub().ComparePrices(Ctx().get(), req, &out).ok());
  EXPECT_EQ(out.prices(1).conversion().date_origin(), "publication date of sources/s1");
  *req.mutable_fx_date() = Date(2025, 7, 1);
  ASSERT_TRUE(stub().ComparePrices(Ctx().get(), req, &out).ok());
  EXPECT_EQ(out.prices(1).conversion().date_origin(), "request.fx_date");
  EXPECT_EQ(out.prices(1).conversion().rates(0).days_from_lookup(), 1);
}

TEST_F(AnalyticsApiTest, ComparePricesRejectsBadInput) {
  ASSERT_TRUE(
      CreatePrice("p1", Price("products/p1", Money("CNY", 1), v1::PRICE_BASIS_PER_DOSE)).ok());
  ASSERT_TRUE(
      CreatePrice("p2", Price("products/p2", Money("JPY", 1), v1::PRICE_BASIS_PER_DOSE)).ok());
  const uint64_t seq = Seq();
  auto call = [this](std::function<void(v1::ComparePricesRequest&)> mutate) {
    v1::ComparePricesRequest req;
    req.add_products("products/p1");
    req.set_currency_code("CNY");
    mutate(req);
    v1::PriceComparison out;
    return stub().ComparePrices(Ctx().get(), req, &out);
  };
  ExpectInvalid(call([](auto& r) { r.clear_products(); }), "products");
  ExpectInvalid(call([](auto& r) { r.add_products("p2"); }), "products[1]");
  ExpectInvalid(call([](auto& r) { r.add_products("products/p1"); }), "products[1]");
  ExpectInvalid(call([](auto& r) { r.add_products("products/nope"); }), "products[1]");
  ExpectInvalid(call([](auto& r) { r.set_currency_code("rmb"); }), "currency_code");
  ExpectInvalid(call([](auto& r) { r.set_jurisdiction("china"); }), "jurisdiction");
  ExpectInvalid(call([](auto& r) { *r.mutable_fx_date() = Date(2025, 2, 31); }), "fx_date");
  ExpectInvalid(call([](auto& r) { r.add_price_points("pricePoints/nope"); }), "price_points[0]");
  ExpectInvalid(call([](auto& r) { r.add_price_points("pricePoints/p2"); }), "price_points[0]");
  grpc::Status no_price = call([](auto& r) { r.add_products("products/p3"); });
  EXPECT_EQ(no_price.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(no_price.error_message(), StartsWith("products[1]: no price point for products/p3"));
  grpc::Status no_rate = call([](auto& r) {
    r.add_products("products/p2");
    *r.mutable_fx_date() = Date(2025, 6, 30);
  });
  EXPECT_EQ(no_rate.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(no_rate.error_message(), "no FX rate for JPY→CNY");
  EXPECT_EQ(Seq(), seq);
}

// ---- EstimateMarketSize -----------------------------------------------------------------

TEST_F(AnalyticsApiTest, MarketSizeShowsEveryInputAndStep) {
  ASSERT_TRUE(CreateRate("usd-cny", Rate("USD", "CNY", Date(2025, 6, 30), 7.0)).ok());
  EpidemiologyFact f = Epi("CN", 1000000);
  f.set_bound(v1::BOUND_MORE_THAN);
  f.set_qualifier("aged 35+");
  ASSERT_TRUE(CreateEpi("hf-cn", f).ok());
  PricePoint dose = Price("products/p1", Money("USD", 10000), v1::PRICE_BASIS_PER_DOSE, 3);
  *dose.mutable_as_of() = Date(2025, 6, 30);
  ASSERT_TRUE(CreatePrice("p1", dose).ok());

  v1::EstimateMarketSizeRequest req;
  req.set_epidemiology_fact("epidemiologyFacts/hf-cn");
  req.set_eligible_share(0.1);
  req.set_uptake(0.2);
  req.set_price_point("pricePoints/p1");
  req.set_currency_code("CNY");
  v1::MarketSizeEstimate out;
  grpc::Status s = stub().EstimateMarketSize(Ctx().get(), req, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  // 1,000,000 × 0.1 × 0.2 = 20,000 patients; 10,000 USD × 3 doses × 7 = 210,000 CNY.
  EXPECT_DOUBLE_EQ(out.treated_patients(), 20000);
  EXPECT_EQ(out.price_per_course().units(), 210000);
  EXPECT_EQ(out.yearly_market().units(), 4200000000);
  EXPECT_EQ(out.yearly_market().currency_code(), "CNY");
  std::vector<std::string> fields;
  for (const auto& in : out.inputs()) fields.push_back(in.field());
  EXPECT_THAT(fields, ElementsAre("epidemiology_fact", "eligible_share", "uptake", "price_point",
                                  "doses_per_course", "courses_per_year"));
  EXPECT_EQ(out.inputs(0).record(), "epidemiologyFacts/hf-cn");
  EXPECT_EQ(out.inputs(0).sources(0).source(), kSource);
  EXPECT_EQ(out.inputs(5).origin(), v1::INPUT_ORIGIN_DEFAULT);
  std::vector<double> results;
  for (const auto& step : out.steps()) results.push_back(step.result());
  EXPECT_THAT(results, ElementsAre(100000, 20000, 30000, 210000, 20000, 4200000000.0));
  EXPECT_EQ(out.conversion().rates(0).fx_rate(), "fxRates/usd-cny");
  EXPECT_THAT(out.notes(), ::testing::Contains(HasSubstr("lower bound")));
  EXPECT_THAT(out.notes(), ::testing::Contains(HasSubstr("aged 35+")));

  // Given numbers, two courses a year, no conversion.
  v1::EstimateMarketSizeRequest given;
  given.set_patient_count(5000);
  given.set_eligible_share(1);
  given.set_uptake(0.5);
  *given.mutable_price_per_course() = Money("CNY", 1000, 500000000);
  given.set_courses_per_year(2);
  ASSERT_TRUE(stub().EstimateMarketSize(Ctx().get(), given, &out).ok());
  EXPECT_EQ(out.yearly_market().units(), 5002500);
  EXPECT_EQ(out.inputs(0).origin(), v1::INPUT_ORIGIN_REQUEST);
  EXPECT_FALSE(out.has_conversion());
}

TEST_F(AnalyticsApiTest, MarketSizeRejectsBadInput) {
  EpidemiologyFact rate = Epi("GLOBAL", 0.5);
  rate.set_measure(v1::MEASURE_FIVE_YEAR_SURVIVAL_RATE);
  ASSERT_TRUE(CreateEpi("survival", rate).ok());
  ASSERT_TRUE(
      CreatePrice("undosed", Price("products/p1", Money("CNY", 1), v1::PRICE_BASIS_PER_DOSE)).ok());
  ASSERT_TRUE(
      CreatePrice("jpy", Price("products/p2", Money("JPY", 100), v1::PRICE_BASIS_PER_COURSE)).ok());
  const uint64_t seq = Seq();
  auto call = [this](std::function<void(v1::EstimateMarketSizeRequest&)> mutate) {
    v1::EstimateMarketSizeRequest req;
    req.set_patient_count(1000);
    req.set_eligible_share(0.5);
    req.set_uptake(0.5);
    *req.mutable_price_per_course() = Money("CNY", 100);
    mutate(req);
    v1::MarketSizeEstimate out;
    return stub().EstimateMarketSize(Ctx().get(), req, &out);
  };
  ExpectInvalid(call([](auto& r) { r.clear_patient_count(); }), "patients");
  ExpectInvalid(call([](auto& r) { r.set_patient_count(-1); }), "patient_count");
  ExpectInvalid(call([](auto& r) { r.set_epidemiology_fact("epidemiologyFacts/nope"); }),
                "epidemiology_fact");
  ExpectInvalid(call([](auto& r) { r.set_epidemiology_fact("epidemiologyFacts/survival"); }),
                "epidemiology_fact");
  ExpectInvalid(call([](auto& r) { r.clear_eligible_share(); }), "eligible_share");
  ExpectInvalid(call([](auto& r) { r.set_eligible_share(1.5); }), "eligible_share");
  ExpectInvalid(call([](auto& r) { r.set_uptake(-0.1); }), "uptake");
  ExpectInvalid(call([](auto& r) { r.clear_uptake(); }), "uptake");
  ExpectInvalid(call([](auto& r) { r.clear_price_per_course(); }), "price");
  ExpectInvalid(call([](auto& r) { *r.mutable_price_per_course() = Money("CNY", 0); }),
                "price_per_course");
  ExpectInvalid(call([](auto& r) { *r.mutable_price_per_course() = Money("cny", 1); }),
                "price_per_course.currency_code");
  ExpectInvalid(call([](auto& r) { r.set_price_point("pricePoints/undosed"); }),
                "doses_per_course");
  ExpectInvalid(call([](auto& r) { r.set_doses_per_course(-2); }), "doses_per_course");
  ExpectInvalid(call([](auto& r) { r.set_courses_per_year(0); }), "courses_per_year");
  ExpectInvalid(call([](auto& r) { r.set_currency_code("dollars"); }), "currency_code");
  ExpectInvalid(call([](auto& r) { r.set_currency_code("USD"); }), "fx_date");
  grpc::Status no_rate = call([](auto& r) {
    r.set_price_point("pricePoints/jpy");
    r.set_currency_code("CNY");
    *r.mutable_fx_date() = Date(2025);
  });
  EXPECT_EQ(no_rate.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(no_rate.error_message(), "no FX rate for JPY→CNY");
  EXPECT_EQ(Seq(), seq);
}

}  // namespace
}  // namespace regenatlas::analytics
