// The shared price-date rule of the price views (price_resolution.h):
// which date's FX rate converts a price, where it came from, when the
// catalog is asked, and the errors when nothing dates the price.

#include "services/market-analytics/price_resolution.h"

#include <string>
#include <utility>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace regenatlas::analytics::internal {
namespace {

using ::testing::ElementsAre;

common::v1::PartialDate Date(int y, int m = 0, int d = 0) {
  common::v1::PartialDate date;
  date.set_year(y);
  date.set_month(m);
  date.set_day(d);
  return date;
}

catalog::v1::Source Source(const std::string& name, common::v1::PartialDate published) {
  catalog::v1::Source s;
  s.set_name(name);
  *s.mutable_publication_date() = published;
  return s;
}

// A stored USD price with two cited sources.
PriceToConvert StoredPrice() {
  PriceToConvert p;
  p.from_currency = "USD";
  p.to_currency = "CNY";
  p.record = "pricePoints/p1";
  p.sources = {"sources/undated", "sources/dated"};
  p.field = "products[1]";
  return p;
}

// A source lookup that answers from `sources` and records every call.
class FakeSources {
 public:
  explicit FakeSources(std::vector<catalog::v1::Source> sources) : sources_(std::move(sources)) {}

  SourceLookup Lookup() {
    return [this](const std::vector<std::string>& names)
               -> absl::StatusOr<std::vector<catalog::v1::Source>> {
      calls_.push_back(names);
      if (!status_.ok()) return status_;
      return sources_;
    };
  }
  void Fail(absl::Status status) { status_ = std::move(status); }
  const std::vector<std::vector<std::string>>& calls() const { return calls_; }

 private:
  std::vector<catalog::v1::Source> sources_;
  absl::Status status_;
  std::vector<std::vector<std::string>> calls_;
};

TEST(PriceResolutionTest, SameCurrencyEchoesTheAsOfDateWithoutAskingTheCatalog) {
  FakeSources sources({});
  PriceToConvert p = StoredPrice();
  p.to_currency = "USD";
  p.fx_date = Date(2025, 1, 1);  // nothing to convert: not used
  absl::StatusOr<PriceDate> undated = ResolvePriceDate(p, sources.Lookup());
  ASSERT_TRUE(undated.ok()) << undated.status();
  EXPECT_EQ(undated->date.year(), 0);
  EXPECT_EQ(undated->origin, "");

  p.as_of = Date(2025, 6);
  absl::StatusOr<PriceDate> dated = ResolvePriceDate(p, sources.Lookup());
  ASSERT_TRUE(dated.ok()) << dated.status();
  EXPECT_EQ(dated->date.month(), 6);
  EXPECT_EQ(dated->origin, "price_point.as_of");
  EXPECT_TRUE(sources.calls().empty());
}

TEST(PriceResolutionTest, FxDateWinsOverAsOfDateWhichWinsOverSources) {
  FakeSources sources({Source("sources/dated", Date(2024, 3, 1))});
  PriceToConvert p = StoredPrice();
  p.as_of = Date(2025, 6);
  p.fx_date = Date(2025, 7, 1);
  absl::StatusOr<PriceDate> d = ResolvePriceDate(p, sources.Lookup());
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->date.month(), 7);
  EXPECT_EQ(d->origin, "request.fx_date");

  // An fx_date that is present but unset does not count.
  p.fx_date = common::v1::PartialDate();
  d = ResolvePriceDate(p, sources.Lookup());
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->date.month(), 6);
  EXPECT_EQ(d->origin, "price_point.as_of");
  EXPECT_TRUE(sources.calls().empty());
}

TEST(PriceResolutionTest, UndatedStoredPriceTakesTheFirstPublicationDate) {
  FakeSources sources({Source("sources/undated", {}), Source("sources/dated", Date(2024, 3, 1)),
                       Source("sources/later", Date(2025, 1, 1))});
  absl::StatusOr<PriceDate> d = ResolvePriceDate(StoredPrice(), sources.Lookup());
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->date.year(), 2024);
  EXPECT_EQ(d->origin, "publication date of sources/dated");
  EXPECT_THAT(sources.calls(),
              ElementsAre(ElementsAre("sources/undated", "sources/dated")));  // asked once
}

TEST(PriceResolutionTest, NothingDatesThePrice) {
  FakeSources undated({Source("sources/undated", {})});
  absl::StatusOr<PriceDate> d = ResolvePriceDate(StoredPrice(), undated.Lookup());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(d.status().message(),
            "products[1]: pricePoints/p1 has no as_of date and its sources no publication date; "
            "set fx_date");

  // A price given in the request has no sources to ask.
  PriceToConvert given;
  given.from_currency = "USD";
  given.to_currency = "CNY";
  given.field = "price_per_course";
  d = ResolvePriceDate(given, undated.Lookup());
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(d.status().message(), "fx_date: required to convert the given USD price to CNY");
  EXPECT_EQ(undated.calls().size(), 1u);

  // The catalog's error as it is.
  FakeSources down({});
  down.Fail(absl::UnavailableError("catalog: unavailable"));
  d = ResolvePriceDate(StoredPrice(), down.Lookup());
  EXPECT_EQ(d.status(), absl::UnavailableError("catalog: unavailable"));
}

}  // namespace
}  // namespace regenatlas::analytics::internal
