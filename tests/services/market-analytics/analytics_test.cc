// MarketAnalyticsService over gRPC against real in-process catalog and
// timeline servers seeded with a few records: the standard methods of every
// resource, validation through the catalog, the FX rules, and bad input for
// every method (the right status, nothing written).

#include "services/market-analytics/analytics.h"

#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "services/market-analytics/analytics_internal.h"
#include "tests/services/market-analytics/analytics_fixture.h"

namespace regenatlas::analytics {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr char kSource[] = "sources/s1";

common::v1::PartialDate Date(int y, int m = 0, int d = 0) {
  common::v1::PartialDate date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

common::v1::Money Money(const std::string& currency, int64_t units, int32_t nanos = 0) {
  common::v1::Money m;
  m.set_currency_code(currency);
  m.set_units(units);
  m.set_nanos(nanos);
  return m;
}

FxRate Rate(const std::string& base, const std::string& quote, common::v1::PartialDate date,
            double rate) {
  FxRate r;
  r.set_base_currency(base);
  r.set_quote_currency(quote);
  *r.mutable_date() = date;
  r.set_rate(rate);
  r.add_sources()->set_source(kSource);
  return r;
}

PricePoint Price(const std::string& product, const common::v1::Money& amount, v1::PriceBasis basis,
                 int doses_per_course = 0) {
  PricePoint p;
  p.set_product(product);
  p.set_jurisdiction("CN");
  *p.mutable_amount() = amount;
  p.set_basis(basis);
  p.set_doses_per_course(doses_per_course);
  p.set_price_type(v1::PRICE_TYPE_LIST);
  p.add_sources()->set_source(kSource);
  return p;
}

EpidemiologyFact Epi(const std::string& region, double value) {
  EpidemiologyFact f;
  f.set_indication("indications/heart-failure");
  f.set_region(region);
  f.set_measure(v1::MEASURE_PREVALENCE);
  f.set_value(value);
  f.set_bound(v1::BOUND_ABOUT);
  f.add_sources()->set_source(kSource);
  return f;
}

MarketFact Figure(const std::string& metric, double value) {
  MarketFact f;
  f.set_metric(metric);
  f.set_value(value);
  f.set_unit("count");
  f.set_region("CN");
  f.add_products("products/p1");
  f.add_sources()->set_source(kSource);
  return f;
}

class AnalyticsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    catalog::Catalog& c = *sys_.catalog_;
    catalog::Source source;
    source.set_title("A test source");
    source.set_kind(catalog::v1::SOURCE_KIND_NEWS);
    *source.mutable_publication_date() = Date(2025, 6, 30);
    ASSERT_TRUE(c.sources().Create("s1", source).ok());
    source.clear_publication_date();
    ASSERT_TRUE(c.sources().Create("undated", source).ok());
    catalog::Organization org;
    org.set_display_name("Org One");
    org.set_country_code("CN");
    org.add_sources()->set_source(kSource);
    ASSERT_TRUE(c.organizations().Create("org1", org).ok());
    catalog::Indication hf;
    hf.set_display_name("Heart failure");
    hf.set_therapeutic_area(catalog::v1::THERAPEUTIC_AREA_CARDIOVASCULAR);
    hf.add_sources()->set_source(kSource);
    ASSERT_TRUE(c.indications().Create("heart-failure", hf).ok());
    for (const char* id : {"p1", "p2", "p3"}) {
      catalog::Product p;
      p.set_display_name(absl::StrCat("Product ", id));
      p.set_cell_source(catalog::v1::CELL_SOURCE_HIPSC);
      p.set_cell_type(catalog::v1::CELL_TYPE_CARDIOMYOCYTE);
      p.add_indications("indications/heart-failure");
      p.add_sponsors("organizations/org1");
      p.add_sources()->set_source(kSource);
      absl::StatusOr<catalog::Product> created = c.products().Create(id, p);
      ASSERT_TRUE(created.ok()) << created.status();
    }
  }

  v1::MarketAnalyticsService::Stub& stub() { return *sys_.analytics_stub_; }
  static std::unique_ptr<grpc::ClientContext> Ctx() { return testing::AllInOne::Ctx(); }
  uint64_t Seq() const { return sys_.store_->LastChangeSeq(); }

  grpc::Status CreateRate(const std::string& id, const FxRate& r, FxRate* out = nullptr) {
    v1::CreateFxRateRequest req;
    req.set_fx_rate_id(id);
    *req.mutable_fx_rate() = r;
    FxRate unused;
    return stub().CreateFxRate(Ctx().get(), req, out ? out : &unused);
  }
  grpc::Status CreatePrice(const std::string& id, const PricePoint& p, PricePoint* out = nullptr) {
    v1::CreatePricePointRequest req;
    req.set_price_point_id(id);
    *req.mutable_price_point() = p;
    PricePoint unused;
    return stub().CreatePricePoint(Ctx().get(), req, out ? out : &unused);
  }
  grpc::Status CreateEpi(const std::string& id, const EpidemiologyFact& f) {
    v1::CreateEpidemiologyFactRequest req;
    req.set_epidemiology_fact_id(id);
    *req.mutable_epidemiology_fact() = f;
    EpidemiologyFact unused;
    return stub().CreateEpidemiologyFact(Ctx().get(), req, &unused);
  }
  grpc::Status CreateFigure(const std::string& id, const MarketFact& f) {
    v1::CreateMarketFactRequest req;
    req.set_market_fact_id(id);
    *req.mutable_market_fact() = f;
    MarketFact unused;
    return stub().CreateMarketFact(Ctx().get(), req, &unused);
  }

  testing::AllInOne sys_;
};

void ExpectInvalid(const grpc::Status& s, const std::string& field) {
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << field << ": " << s.error_message();
  EXPECT_THAT(s.error_message(), StartsWith(field));
}

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
    auto created = unconnected.Create<FxRate>("r", Rate("USD", "CNY", Date(2025, 1, 2), 7.1));
    EXPECT_EQ(created.status().code(), absl::StatusCode::kFailedPrecondition);
    v1::ComputeApprovalStatisticsRequest req;
    EXPECT_EQ(unconnected.ComputeApprovalStatistics(req, absl::InfiniteFuture()).status().code(),
              absl::StatusCode::kFailedPrecondition);
  }
  {
    // A catalog that does not answer: UNAVAILABLE or DEADLINE_EXCEEDED within
    // the reader's deadline, and nothing written.
    AnalyticsOptions unreachable;
    unreachable.catalog = std::make_shared<GrpcCatalogReader>(
        [] { return grpc::CreateChannel("127.0.0.1:1", grpc::InsecureChannelCredentials()); },
        GrpcReaderOptions{absl::Milliseconds(500)});
    Analytics analytics(store->get(), std::move(unreachable));
    const absl::Time start = absl::Now();
    auto created = analytics.Create<FxRate>("r", Rate("USD", "CNY", Date(2025, 1, 2), 7.1));
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
