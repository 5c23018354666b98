#ifndef REGENATLAS_TESTS_SERVICES_MARKET_ANALYTICS_ANALYTICS_API_FIXTURE_H_
#define REGENATLAS_TESTS_SERVICES_MARKET_ANALYTICS_ANALYTICS_API_FIXTURE_H_

// The fixture of the MarketAnalyticsService API tests (analytics_*_test.cc):
// an all-in-one server whose catalog holds a few sources, an organization,
// an indication and three products, record builders, and the checks the
// tests share.

#include <cstdint>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/market-analytics/analytics.h"
#include "tests/services/market-analytics/analytics_fixture.h"

namespace regenatlas::analytics::testing {

inline constexpr char kSource[] = "sources/s1";

inline common::v1::PartialDate Date(int y, int m = 0, int d = 0) {
  common::v1::PartialDate date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

inline common::v1::Money Money(const std::string& currency, int64_t units, int32_t nanos = 0) {
  common::v1::Money m;
  m.set_currency_code(currency);
  m.set_units(units);
  m.set_nanos(nanos);
  return m;
}

inline FxRate Rate(const std::string& base, const std::string& quote, common::v1::PartialDate date,
                   double rate) {
  FxRate r;
  r.set_base_currency(base);
  r.set_quote_currency(quote);
  *r.mutable_date() = date;
  r.set_rate(rate);
  r.add_sources()->set_source(kSource);
  return r;
}

inline PricePoint Price(const std::string& product, const common::v1::Money& amount,
                        v1::PriceBasis basis, int doses_per_course = 0) {
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

inline EpidemiologyFact Epi(const std::string& region, double value) {
  EpidemiologyFact f;
  f.set_indication("indications/heart-failure");
  f.set_region(region);
  f.set_measure(v1::MEASURE_PREVALENCE);
  f.set_value(value);
  f.set_bound(v1::BOUND_ABOUT);
  f.add_sources()->set_source(kSource);
  return f;
}

inline MarketFact Figure(const std::string& metric, double value) {
  MarketFact f;
  f.set_metric(metric);
  f.set_value(value);
  f.set_unit("count");
  f.set_region("CN");
  f.add_products("products/p1");
  f.add_sources()->set_source(kSource);
  return f;
}

// The all-in-one server with the catalog records the tests cite, and
// helpers that create analytics records over gRPC.
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
  static std::unique_ptr<grpc::ClientContext> Ctx() { return AllInOne::Ctx(); }
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

  AllInOne sys_;
};

// INVALID_ARGUMENT with a message that starts with `field`.
inline void ExpectInvalid(const grpc::Status& s, const std::string& field) {
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << field << ": " << s.error_message();
  EXPECT_THAT(s.error_message(), ::testing::StartsWith(field));
}

}  // namespace regenatlas::analytics::testing

#endif  // REGENATLAS_TESTS_SERVICES_MARKET_ANALYTICS_ANALYTICS_API_FIXTURE_H_
