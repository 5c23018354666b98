#include "services/market-analytics/analytics.h"

#include "gtest/gtest.h"
#include "regenatlas/analytics/v1/analytics_service.grpc.pb.h"
#include "services/market-analytics/analytics_service.h"
#include "tests/testing/server_fixture.h"

namespace regenatlas::analytics {
namespace {

using analytics::v1::MarketAnalyticsService;

FxRate UsdCny() {
  FxRate r;
  r.set_base_currency("USD");
  r.set_quote_currency("CNY");
  r.mutable_date()->set_year(2024);
  r.mutable_date()->set_month(12);
  r.mutable_date()->set_day(31);
  r.set_rate(7.1884);
  r.add_sources()->set_source("sources/pboc-cfets-central-parity");
  return r;
}

class AnalyticsServerTest : public regenatlas::testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    analytics_ = std::make_unique<Analytics>(store_.get(), AnalyticsOptions{Clock()});
    service_ = std::make_unique<AnalyticsService>(analytics_.get());
    runner_->AddService(service_.get(), "regenatlas.analytics.v1.MarketAnalyticsService");
    StartServer();
    stub_ = MarketAnalyticsService::NewStub(channel_);
  }

  grpc::Status Create(const std::string& id, const FxRate& r, FxRate* out) {
    analytics::v1::CreateFxRateRequest req;
    req.set_fx_rate_id(id);
    *req.mutable_fx_rate() = r;
    return stub_->CreateFxRate(Ctx().get(), req, out);
  }

  std::unique_ptr<Analytics> analytics_;
  std::unique_ptr<AnalyticsService> service_;
  std::unique_ptr<MarketAnalyticsService::Stub> stub_;
};

TEST_F(AnalyticsServerTest, FxRateLifecycle) {
  FxRate created;
  ASSERT_TRUE(Create("usd-cny-2024-12-31", UsdCny(), &created).ok());
  analytics::v1::GetFxRateRequest get;
  get.set_name("fxRates/usd-cny-2024-12-31");
  FxRate got;
  ASSERT_TRUE(stub_->GetFxRate(Ctx().get(), get, &got).ok());
  EXPECT_DOUBLE_EQ(got.rate(), 7.1884);
  analytics::v1::UpdateFxRateRequest update;
  update.mutable_fx_rate()->set_name(created.name());
  update.mutable_fx_rate()->set_rate(-1);
  update.mutable_update_mask()->add_paths("rate");
  FxRate out;
  grpc::Status s = stub_->UpdateFxRate(Ctx().get(), update, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().substr(0, 12), "fx_rate.rate");
  ASSERT_TRUE(stub_->GetFxRate(Ctx().get(), get, &got).ok());
  EXPECT_DOUBLE_EQ(got.rate(), 7.1884);
}

TEST_F(AnalyticsServerTest, InvalidRatesNameTheField) {
  struct Case {
    std::function<void(FxRate&)> mutate;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](FxRate& r) { r.set_base_currency("usd"); }, "fx_rate.base_currency"},
      {[](FxRate& r) { r.set_quote_currency("USD"); }, "fx_rate.quote_currency"},
      {[](FxRate& r) { r.mutable_date()->set_day(0); }, "fx_rate.date"},
      {[](FxRate& r) { r.mutable_date()->set_month(2); r.mutable_date()->set_day(30); },
       "fx_rate.date.day"},
      {[](FxRate& r) { r.set_rate(0); }, "fx_rate.rate"},
      {[](FxRate& r) { r.clear_sources(); }, "fx_rate.sources"},
  };
  for (const Case& c : cases) {
    FxRate r = UsdCny();
    c.mutate(r);
    FxRate out;
    grpc::Status s = Create("r", r, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_EQ(s.error_message().substr(0, c.field.size()), c.field) << s.error_message();
  }
  EXPECT_EQ(store_->LastChangeSeq(), 0u);
}

}  // namespace
}  // namespace regenatlas::analytics
