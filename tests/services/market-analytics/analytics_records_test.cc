// MarketAnalyticsService over gRPC against real in-process catalog and
// timeline servers seeded with a few records: the standard methods of every
// resource, validation through the catalog, bad input for every method (the
// right status, nothing written), and the domain without a catalog.

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/market-analytics/analytics.h"
#include "services/market-analytics/analytics_internal.h"
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

// ---- Standard methods --------------------------------------------------------------

TEST_F(AnalyticsApiTest, PricePointLifecycle) {
  PricePoint created;
  ASSERT_TRUE(CreatePrice("p1-dose",
                          Price("products/p1", Money("CNY", 19800), v1::PRICE_BASIS_PER_DOSE, 8),
                          &created)
                  .ok());
  EXPECT_EQ(created.name(), "pricePoints/p1-dose");
  EXPECT_FALSE(created.etag().empty());
  PricePoint later = Price("products/p1", Money("CNY", 150000), v1::PRICE_BASIS_PER_COURSE);
  *later.mutable_as_of() = Date(2025, 3);
  ASSERT_TRUE(CreatePrice("p1-course", later).ok());
  ASSERT_TRUE(
      CreatePrice("p2-dose", Price("products/p2", Money("USD", 1000), v1::PRICE_BASIS_PER_DOSE))
          .ok());

  v1::GetPricePointRequest get;
  get.set_name("pricePoints/p1-dose");
  PricePoint got;
  ASSERT_TRUE(stub().GetPricePoint(Ctx().get(), get, &got).ok());
  EXPECT_EQ(got.amount().units(), 19800);

  v1::BatchGetPricePointsRequest batch;
  batch.add_names("pricePoints/p2-dose");
  batch.add_names("pricePoints/p1-dose");
  v1::BatchGetPricePointsResponse batch_out;
  ASSERT_TRUE(stub().BatchGetPricePoints(Ctx().get(), batch, &batch_out).ok());
  ASSERT_EQ(batch_out.price_points_size(), 2);
  EXPECT_EQ(batch_out.price_points(0).name(), "pricePoints/p2-dose");
  batch.add_names("pricePoints/nope");
  grpc::Status missing = stub().BatchGetPricePoints(Ctx().get(), batch, &batch_out);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(missing.error_message(), StartsWith("names[2]"));

  // Filter, order and pages.
  v1::ListPricePointsRequest list;
  list.set_filter("product = p1 AND currency = cny");
  list.set_order_by("as_of desc");
  list.set_page_size(1);
  list.set_show_total_size(true);
  v1::ListPricePointsResponse page;
  ASSERT_TRUE(stub().ListPricePoints(Ctx().get(), list, &page).ok());
  ASSERT_EQ(page.price_points_size(), 1);
  EXPECT_EQ(page.total_size(), 2);
  // Undated sorts as 9999: last ascending, first descending.
  EXPECT_EQ(page.price_points(0).name(), "pricePoints/p1-dose");
  list.set_page_token(page.next_page_token());
  ASSERT_TRUE(stub().ListPricePoints(Ctx().get(), list, &page).ok());
  ASSERT_EQ(page.price_points_size(), 1);
  EXPECT_EQ(page.price_points(0).name(), "pricePoints/p1-course");
  EXPECT_TRUE(page.next_page_token().empty());
  v1::ListPricePointsRequest by_year;
  by_year.set_filter("as_of_year >= 2025 OR basis = PER_DOSE");
  ASSERT_TRUE(stub().ListPricePoints(Ctx().get(), by_year, &page).ok());
  EXPECT_EQ(page.price_points_size(), 3);

  // Update with mask and etag; a stale etag changes nothing.
  v1::UpdatePricePointRequest update;
  update.mutable_price_point()->set_name("pricePoints/p1-dose");
  update.mutable_price_point()->set_doses_per_course(10);
  update.mutable_price_point()->set_etag(created.etag());
  update.mutable_update_mask()->add_paths("doses_per_course");
  PricePoint updated;
  ASSERT_TRUE(stub().UpdatePricePoint(Ctx().get(), update, &updated).ok());
  EXPECT_EQ(updated.doses_per_course(), 10);
  EXPECT_EQ(updated.amount().units(), 19800);
  const uint64_t seq = Seq();
  update.mutable_price_point()->set_doses_per_course(12);
  grpc::Status stale = stub().UpdatePricePoint(Ctx().get(), update, &updated);
  EXPECT_EQ(stale.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_EQ(Seq(), seq);

  v1::DeletePricePointRequest del;
  del.set_name("pricePoints/p1-dose");
  del.set_etag(created.etag());
  google::protobuf::Empty empty;
  EXPECT_EQ(stub().DeletePricePoint(Ctx().get(), del, &empty).error_code(),
            grpc::StatusCode::ABORTED);
  del.clear_etag();
  ASSERT_TRUE(stub().DeletePricePoint(Ctx().get(), del, &empty).ok());
  EXPECT_EQ(stub().GetPricePoint(Ctx().get(), get, &got).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(stub().DeletePricePoint(Ctx().get(), del, &empty).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(AnalyticsApiTest, EpidemiologyAndMarketFactsFilterAndOrder) {
  ASSERT_TRUE(CreateEpi("hf-cn", Epi("CN", 13700000)).ok());
  EpidemiologyFact us = Epi("US", 7000000);
  *us.mutable_as_of() = Date(2024);
  ASSERT_TRUE(CreateEpi("hf-us", us).ok());
  EpidemiologyFact incidence = Epi("CN", 2970000);
  incidence.set_measure(v1::MEASURE_ANNUAL_INCIDENCE);
  ASSERT_TRUE(CreateEpi("hf-cn-incidence", incidence).ok());

  v1::ListEpidemiologyFactsRequest list;
  list.set_filter("indication = heart-failure AND measure = prevalence");
  list.set_order_by("value desc");
  v1::ListEpidemiologyFactsResponse out;
  ASSERT_TRUE(stub().ListEpidemiologyFacts(Ctx().get(), list, &out).ok());
  ASSERT_EQ(out.epidemiology_facts_size(), 2);
  EXPECT_EQ(out.epidemiology_facts(0).name(), "epidemiologyFacts/hf-cn");
  EXPECT_EQ(out.epidemiology_facts(1).name(), "epidemiologyFacts/hf-us");
  list.set_filter("region = cn");
  list.set_order_by("value");
  ASSERT_TRUE(stub().ListEpidemiologyFacts(Ctx().get(), list, &out).ok());
  ASSERT_EQ(out.epidemiology_facts_size(), 2);
  EXPECT_EQ(out.epidemiology_facts(0).name(), "epidemiologyFacts/hf-cn-incidence");

  ASSERT_TRUE(CreateFigure("patients", Figure("patients_treated", 10)).ok());
  MarketFact subsidy = Figure("subsidy_amount", 30000000);
  subsidy.clear_products();
  subsidy.add_organizations("organizations/org1");
  subsidy.set_unit("CNY");
  *subsidy.mutable_as_of() = Date(2025, 5);
  ASSERT_TRUE(CreateFigure("subsidy", subsidy).ok());
  v1::ListMarketFactsRequest facts;
  facts.set_filter("organization = org1 OR metric = patients_treated");
  facts.set_order_by("metric desc");
  v1::ListMarketFactsResponse facts_out;
  ASSERT_TRUE(stub().ListMarketFacts(Ctx().get(), facts, &facts_out).ok());
  ASSERT_EQ(facts_out.market_facts_size(), 2);
  EXPECT_EQ(facts_out.market_facts(0).name(), "marketFacts/subsidy");
  facts.set_filter("as_of_year = 2025 AND unit = CNY");
  facts.clear_order_by();
  ASSERT_TRUE(stub().ListMarketFacts(Ctx().get(), facts, &facts_out).ok());
  ASSERT_EQ(facts_out.market_facts_size(), 1);

  v1::BatchGetMarketFactsRequest batch;
  batch.add_names("marketFacts/subsidy");
  v1::BatchGetMarketFactsResponse batch_out;
  ASSERT_TRUE(stub().BatchGetMarketFacts(Ctx().get(), batch, &batch_out).ok());
  EXPECT_EQ(batch_out.market_facts(0).value(), 30000000);

  v1::UpdateEpidemiologyFactRequest update;
  update.mutable_epidemiology_fact()->set_name("epidemiologyFacts/hf-cn");
  update.mutable_epidemiology_fact()->set_qualifier("aged 35+");
  update.mutable_update_mask()->add_paths("qualifier");
  EpidemiologyFact updated;
  ASSERT_TRUE(stub().UpdateEpidemiologyFact(Ctx().get(), update, &updated).ok());
  EXPECT_EQ(updated.qualifier(), "aged 35+");
  v1::DeleteMarketFactRequest del;
  del.set_name("marketFacts/patients");
  google::protobuf::Empty empty;
  ASSERT_TRUE(stub().DeleteMarketFact(Ctx().get(), del, &empty).ok());
  v1::DeleteEpidemiologyFactRequest del_epi;
  del_epi.set_name("epidemiologyFacts/hf-us");
  ASSERT_TRUE(stub().DeleteEpidemiologyFact(Ctx().get(), del_epi, &empty).ok());
  v1::GetEpidemiologyFactRequest get;
  get.set_name("epidemiologyFacts/hf-us");
  EXPECT_EQ(stub().GetEpidemiologyFact(Ctx().get(), get, &updated).error_code(),
            grpc::StatusCode::NOT_FOUND);
  v1::UpdateMarketFactRequest update_fact;
  update_fact.mutable_market_fact()->set_name("marketFacts/subsidy");
  update_fact.mutable_market_fact()->set_value(1);
  update_fact.mutable_update_mask()->add_paths("value");
  MarketFact fact;
  ASSERT_TRUE(stub().UpdateMarketFact(Ctx().get(), update_fact, &fact).ok());
  v1::GetMarketFactRequest get_fact;
  get_fact.set_name("marketFacts/subsidy");
  ASSERT_TRUE(stub().GetMarketFact(Ctx().get(), get_fact, &fact).ok());
  EXPECT_EQ(fact.value(), 1);
  v1::BatchGetEpidemiologyFactsRequest batch_epi;
  batch_epi.add_names("epidemiologyFacts/hf-cn");
  v1::BatchGetEpidemiologyFactsResponse batch_epi_out;
  ASSERT_TRUE(stub().BatchGetEpidemiologyFacts(Ctx().get(), batch_epi, &batch_epi_out).ok());
  EXPECT_EQ(batch_epi_out.epidemiology_facts(0).qualifier(), "aged 35+");
}

TEST_F(AnalyticsApiTest, FxRateLifecycle) {
  FxRate created;
  ASSERT_TRUE(
      CreateRate("usd-cny-2024-12-31", Rate("USD", "CNY", Date(2024, 12, 31), 7.1884), &created)
          .ok());
  ASSERT_TRUE(CreateRate("eur-cny-2025-06-30", Rate("EUR", "CNY", Date(2025, 6, 30), 8.397)).ok());
  v1::ListFxRatesRequest list;
  list.set_filter("currency = usd AND year <= 2024");
  list.set_show_total_size(true);
  v1::ListFxRatesResponse out;
  ASSERT_TRUE(stub().ListFxRates(Ctx().get(), list, &out).ok());
  ASSERT_EQ(out.fx_rates_size(), 1);
  EXPECT_EQ(out.total_size(), 1);
  list.set_filter("quote_currency = CNY");
  list.set_order_by("date desc");
  ASSERT_TRUE(stub().ListFxRates(Ctx().get(), list, &out).ok());
  ASSERT_EQ(out.fx_rates_size(), 2);
  EXPECT_EQ(out.fx_rates(0).name(), "fxRates/eur-cny-2025-06-30");

  v1::UpdateFxRateRequest update;
  update.mutable_fx_rate()->set_name(created.name());
  update.mutable_fx_rate()->set_rate(-1);
  update.mutable_update_mask()->add_paths("rate");
  FxRate result;
  const uint64_t seq = Seq();
  ExpectInvalid(stub().UpdateFxRate(Ctx().get(), update, &result), "fx_rate.rate");
  EXPECT_EQ(Seq(), seq);
  update.mutable_fx_rate()->set_rate(7.2);
  ASSERT_TRUE(stub().UpdateFxRate(Ctx().get(), update, &result).ok());
  v1::BatchGetFxRatesRequest batch;
  batch.add_names(created.name());
  v1::BatchGetFxRatesResponse batch_out;
  ASSERT_TRUE(stub().BatchGetFxRates(Ctx().get(), batch, &batch_out).ok());
  EXPECT_DOUBLE_EQ(batch_out.fx_rates(0).rate(), 7.2);
  v1::GetFxRateRequest get;
  get.set_name(created.name());
  ASSERT_TRUE(stub().GetFxRate(Ctx().get(), get, &result).ok());
  EXPECT_DOUBLE_EQ(result.rate(), 7.2);

  // The dated index follows updates and deletes.
  auto conversion = sys_.analytics_->Convert("USD", "CNY", Date(2024, 12, 31), "test");
  ASSERT_TRUE(conversion.ok()) << conversion.status();
  EXPECT_DOUBLE_EQ(conversion->multiplier(), 7.2);
  v1::DeleteFxRateRequest del;
  del.set_name(created.name());
  google::protobuf::Empty empty;
  ASSERT_TRUE(stub().DeleteFxRate(Ctx().get(), del, &empty).ok());
  conversion = sys_.analytics_->Convert("USD", "CNY", Date(2024, 12, 31), "test");
  EXPECT_EQ(conversion.status().code(), absl::StatusCode::kFailedPrecondition);
}

// Every write checks its fields and, through the catalog's API, its
// references; a failed write changes nothing.
TEST_F(AnalyticsApiTest, WritesValidateFieldsAndReferences) {
  const uint64_t seq = Seq();
  struct Case {
    std::function<grpc::Status()> write;
    std::string field;
  };
  auto price = [this](std::function<void(PricePoint&)> mutate) {
    return [this, mutate] {
      PricePoint p = Price("products/p1", Money("CNY", 100), v1::PRICE_BASIS_PER_DOSE);
      mutate(p);
      return CreatePrice("x", p);
    };
  };
  auto epi = [this](std::function<void(EpidemiologyFact&)> mutate) {
    return [this, mutate] {
      EpidemiologyFact f = Epi("CN", 1);
      mutate(f);
      return CreateEpi("x", f);
    };
  };
  auto figure = [this](std::function<void(MarketFact&)> mutate) {
    return [this, mutate] {
      MarketFact f = Figure("patients_treated", 1);
      mutate(f);
      return CreateFigure("x", f);
    };
  };
  auto rate = [this](std::function<void(FxRate&)> mutate) {
    return [this, mutate] {
      FxRate r = Rate("USD", "CNY", Date(2025, 1, 2), 7.1879);
      mutate(r);
      return CreateRate("x", r);
    };
  };
  std::vector<Case> cases = {
      {price([](PricePoint& p) { p.set_product("p1"); }), "price_point.product"},
      {price([](PricePoint& p) { p.set_product("products/nope"); }), "price_point.product"},
      {price([](PricePoint& p) { p.set_jurisdiction("china"); }), "price_point.jurisdiction"},
      {price([](PricePoint& p) { p.clear_amount(); }), "price_point.amount"},
      {price([](PricePoint& p) { p.mutable_amount()->set_currency_code("yuan"); }),
       "price_point.amount.currency_code"},
      {price([](PricePoint& p) { *p.mutable_amount() = Money("CNY", -5); }), "price_point.amount"},
      {price([](PricePoint& p) { *p.mutable_amount() = Money("CNY", 5, -1); }),
       "price_point.amount.nanos"},
      {price([](PricePoint& p) { p.set_basis(v1::PRICE_BASIS_UNSPECIFIED); }), "price_point.basis"},
      {price([](PricePoint& p) { p.set_doses_per_course(-1); }), "price_point.doses_per_course"},
      {price([](PricePoint& p) { p.set_bound(static_cast<v1::Bound>(99)); }), "price_point.bound"},
      {price([](PricePoint& p) { *p.mutable_as_of() = Date(2025, 13); }), "price_point.as_of"},
      {price([](PricePoint& p) { p.clear_sources(); }), "price_point.sources"},
      {price([](PricePoint& p) { p.mutable_sources(0)->set_source("sources/nope"); }),
       "price_point.sources[0].source"},
      {price([](PricePoint& p) {
         auto* claim = p.add_claims();
         claim->set_field("amount");
         claim->mutable_citation()->set_source("sources/nope");
       }),
       "price_point.claims[0].citation.source"},
      {epi([](EpidemiologyFact& f) { f.set_indication("indications/nope"); }),
       "epidemiology_fact.indication"},
      {epi([](EpidemiologyFact& f) { f.clear_region(); }), "epidemiology_fact.region"},
      {epi([](EpidemiologyFact& f) { f.set_measure(v1::MEASURE_UNSPECIFIED); }),
       "epidemiology_fact.measure"},
      {epi([](EpidemiologyFact& f) { f.set_value(-1); }), "epidemiology_fact.value"},
      {epi([](EpidemiologyFact& f) {
         f.set_measure(v1::MEASURE_FIVE_YEAR_SURVIVAL_RATE);
         f.set_value(50);
       }),
       "epidemiology_fact.value"},
      {epi([](EpidemiologyFact& f) { f.mutable_sources(0)->set_source("sources/nope"); }),
       "epidemiology_fact.sources[0].source"},
      {figure([](MarketFact& f) { f.set_metric("Patients Treated"); }), "market_fact.metric"},
      {figure([](MarketFact& f) { f.add_products("products/nope"); }), "market_fact.products[1]"},
      {figure([](MarketFact& f) { f.add_organizations("organizations/nope"); }),
       "market_fact.organizations[0]"},
      {figure([](MarketFact& f) { f.add_indications("heart-failure"); }),
       "market_fact.indications[0]"},
      {figure([](MarketFact& f) { f.set_value_high(0.5); }), "market_fact.value_high"},
      {figure([](MarketFact& f) { f.clear_unit(); }), "market_fact.unit"},
      {figure([](MarketFact& f) { f.set_region("somewhere"); }), "market_fact.region"},
      {rate([](FxRate& r) { r.set_base_currency("usd"); }), "fx_rate.base_currency"},
      {rate([](FxRate& r) { r.set_quote_currency("USD"); }), "fx_rate.quote_currency"},
      {rate([](FxRate& r) { *r.mutable_date() = Date(2025, 1); }), "fx_rate.date"},
      {rate([](FxRate& r) { *r.mutable_date() = Date(2025, 2, 30); }), "fx_rate.date.day"},
      {rate([](FxRate& r) { r.set_rate(0); }), "fx_rate.rate"},
      {rate([](FxRate& r) { r.clear_sources(); }), "fx_rate.sources"},
      {rate([](FxRate& r) { r.mutable_sources(0)->set_source("sources/nope"); }),
       "fx_rate.sources[0].source"},
  };
  for (const Case& c : cases) ExpectInvalid(c.write(), c.field);
  ExpectInvalid(
      CreatePrice("Bad_Id", Price("products/p1", Money("CNY", 1), v1::PRICE_BASIS_PER_DOSE)),
      "price_point_id");
  EXPECT_EQ(Seq(), seq);

  // Already exists; a bad reference on update changes nothing.
  ASSERT_TRUE(
      CreatePrice("ok", Price("products/p1", Money("CNY", 1), v1::PRICE_BASIS_PER_DOSE)).ok());
  EXPECT_EQ(CreatePrice("ok", Price("products/p1", Money("CNY", 1), v1::PRICE_BASIS_PER_DOSE))
                .error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  const uint64_t after_create = Seq();
  v1::UpdatePricePointRequest update;
  update.mutable_price_point()->set_name("pricePoints/ok");
  update.mutable_price_point()->set_product("products/nope");
  update.mutable_update_mask()->add_paths("product");
  PricePoint out;
  ExpectInvalid(stub().UpdatePricePoint(Ctx().get(), update, &out), "price_point.product");
  update.mutable_price_point()->set_name("ok");
  ExpectInvalid(stub().UpdatePricePoint(Ctx().get(), update, &out), "price_point.name");
  update.mutable_price_point()->set_name("pricePoints/ok");
  update.mutable_update_mask()->set_paths(0, "no_such_field");
  ExpectInvalid(stub().UpdatePricePoint(Ctx().get(), update, &out), "update_mask");
  EXPECT_EQ(Seq(), after_create);
  v1::GetPricePointRequest get;
  get.set_name("pricePoints/ok");
  ASSERT_TRUE(stub().GetPricePoint(Ctx().get(), get, &out).ok());
  EXPECT_EQ(out.product(), "products/p1");
}

TEST_F(AnalyticsApiTest, ListsRejectBadQueries) {
  ExpectInvalid(
      [&] {
        v1::ListPricePointsRequest r;
        r.set_filter("colour = red");
        v1::ListPricePointsResponse out;
        return stub().ListPricePoints(Ctx().get(), r, &out);
      }(),
      "filter");
  ExpectInvalid(
      [&] {
        v1::ListMarketFactsRequest r;
        r.set_filter("as_of_year > soon");
        v1::ListMarketFactsResponse out;
        return stub().ListMarketFacts(Ctx().get(), r, &out);
      }(),
      "filter");
  ExpectInvalid(
      [&] {
        v1::ListEpidemiologyFactsRequest r;
        r.set_order_by("colour");
        v1::ListEpidemiologyFactsResponse out;
        return stub().ListEpidemiologyFacts(Ctx().get(), r, &out);
      }(),
      "order_by");
  ExpectInvalid(
      [&] {
        v1::ListFxRatesRequest r;
        r.set_page_size(-1);
        v1::ListFxRatesResponse out;
        return stub().ListFxRates(Ctx().get(), r, &out);
      }(),
      "page_size");
  ASSERT_TRUE(CreateRate("a", Rate("USD", "CNY", Date(2025, 1, 2), 7.1)).ok());
  ASSERT_TRUE(CreateRate("b", Rate("USD", "CNY", Date(2025, 1, 3), 7.2)).ok());
  v1::ListFxRatesRequest r;
  r.set_page_size(1);
  v1::ListFxRatesResponse out;
  ASSERT_TRUE(stub().ListFxRates(Ctx().get(), r, &out).ok());
  ASSERT_FALSE(out.next_page_token().empty());
  r.set_page_token(out.next_page_token());
  r.set_filter("currency = USD");
  ExpectInvalid(stub().ListFxRates(Ctx().get(), r, &out), "page_token");
  v1::BatchGetFxRatesRequest batch;
  batch.add_names("fx/a");
  v1::BatchGetFxRatesResponse batch_out;
  ExpectInvalid(stub().BatchGetFxRates(Ctx().get(), batch, &batch_out), "names[0]");
}

// ---- Without the catalog ------------------------------------------------------------------

TEST(AnalyticsWithoutCatalogTest, ReferencesCannotBeCheckedSoNothingIsWritten) {
  regenatlas::testing::TempDir dir;
  storage::StoreOptions options;
  options.path = dir.Sub("db");
  options.sync_writes = false;
  auto store = storage::Store::Open(options);
  ASSERT_TRUE(store.ok());
  {
    Analytics unconnected(store->get(), AnalyticsOptions{});
    auto created = unconnected.fx_rates().Create("r", Rate("USD", "CNY", Date(2025, 1, 2), 7.1));
    EXPECT_EQ(created.status().code(), absl::StatusCode::kFailedPrecondition);
    v1::ComputeApprovalStatisticsRequest req;
    EXPECT_EQ(unconnected.ComputeApprovalStatistics(req).status().code(),
              absl::StatusCode::kFailedPrecondition);
  }
  {
    // A catalog that does not answer: UNAVAILABLE or DEADLINE_EXCEEDED within
    // the client's timeout, and nothing written.
    AnalyticsOptions unreachable;
    unreachable.catalog = std::make_shared<catalog::GrpcCatalogClient>(
        [] { return grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()); },
        ClientOptions{absl::Milliseconds(500)});
    Analytics analytics(store->get(), std::move(unreachable));
    const absl::Time start = absl::Now();
    auto created = analytics.fx_rates().Create("r", Rate("USD", "CNY", Date(2025, 1, 2), 7.1));
    EXPECT_TRUE(absl::IsUnavailable(created.status()) || absl::IsDeadlineExceeded(created.status()))
        << created.status();
    EXPECT_LT(absl::Now() - start, absl::Seconds(5));
  }
  EXPECT_EQ((*store)->LastChangeSeq(), 0u);
}

TEST(AnalyticsInternalTest, MoneyAndDates) {
  EXPECT_DOUBLE_EQ(internal::ToDouble(Money("CNY", 19800, 500000000)), 19800.5);
  common::v1::Money m = internal::ToMoney(-2765.91, "USD");
  EXPECT_EQ(m.units(), -2765);
  EXPECT_EQ(m.nanos(), -910000000);
  EXPECT_EQ(internal::LookupDay(Date(2024)), internal::LookupDay(Date(2024, 7, 1)));
  EXPECT_EQ(internal::DateOfDay(0).year(), 1970);
}

}  // namespace
}  // namespace regenatlas::analytics
