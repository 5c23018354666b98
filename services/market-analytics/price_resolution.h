#ifndef REGENATLAS_SERVICES_MARKET_ANALYTICS_PRICE_RESOLUTION_H_
#define REGENATLAS_SERVICES_MARKET_ANALYTICS_PRICE_RESOLUTION_H_

// The one rule by which the price views (ComparePrices, EstimateMarketSize)
// choose the date whose FX rate converts a price, and the conversion at that
// date; not part of the domain's API.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "regenatlas/analytics/v1/analytics_service.pb.h"
#include "regenatlas/catalog/v1/resources.pb.h"
#include "regenatlas/common/v1/common.pb.h"
#include "services/market-analytics/analytics.h"

namespace regenatlas::analytics::internal {

// A price to convert and what may date it.
struct PriceToConvert {
  std::string from_currency;
  std::string to_currency;
  // The request's fx_date, when it sets one.
  std::optional<common::v1::PartialDate> fx_date;
  // The stored price point ("" for a price given in the request), its
  // as_of date (may be unset) and the sources it cites.
  std::string record;
  common::v1::PartialDate as_of;
  std::vector<std::string> sources;
  // The request field that errors about this price name ("products[1]",
  // "price_point").
  std::string field;
};

// The date a conversion uses and where it came from (echoed as
// FxConversion.date_origin). `date` is unset when nothing dates a price
// that needs no conversion.
struct PriceDate {
  common::v1::PartialDate date;
  std::string origin;
};

// Fetches catalog sources by name (a view records the call and asks the
// catalog); only called when nothing else dates the price.
using SourceLookup = std::function<absl::StatusOr<std::vector<catalog::v1::Source>>(
    const std::vector<std::string>& names)>;

// The date whose FX rate converts `price`:
// - same currency: the price's as_of date, if any (nothing to convert);
// - else the request's fx_date, else the price's as_of date;
// - else, for a price given in the request, INVALID_ARGUMENT "fx_date:
//   required ...";
// - else the publication date of the first of its sources that has one
//   (`sources` is asked once), else FAILED_PRECONDITION naming `field`.
absl::StatusOr<PriceDate> ResolvePriceDate(const PriceToConvert& price,
                                           const SourceLookup& sources);

// ResolvePriceDate, then the conversion at that date (Analytics::Convert).
absl::StatusOr<analytics::v1::FxConversion> ConvertPrice(const Analytics& analytics,
                                                         const PriceToConvert& price,
                                                         const SourceLookup& sources);

}  // namespace regenatlas::analytics::internal

#endif  // REGENATLAS_SERVICES_MARKET_ANALYTICS_PRICE_RESOLUTION_H_
