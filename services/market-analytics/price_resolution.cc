// The shared price-date/FX resolution of the price views (see
// price_resolution.h): which date's rate converts a price, and the
// conversion.

#include "services/market-analytics/price_resolution.h"

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/status_macros.h"
#include "services/market-analytics/computations_internal.h"

namespace regenatlas::analytics::internal {

absl::StatusOr<PriceDate> ResolvePriceDate(const PriceToConvert& price,
                                           const SourceLookup& sources) {
  PriceDate out;
  const bool dated = IsSet(price.as_of);
  if (price.from_currency == price.to_currency) {
    // Nothing to convert: the as_of date is only echoed.
    if (dated) out = {price.as_of, "price_point.as_of"};
    return out;
  }
  if (price.fx_date.has_value() && IsSet(*price.fx_date)) {
    return PriceDate{*price.fx_date, "request.fx_date"};
  }
  if (dated) return PriceDate{price.as_of, "price_point.as_of"};
  if (price.record.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("fx_date: required to convert the given ",
                                                   price.from_currency, " price to ",
                                                   price.to_currency));
  }
  // A stored price without as-of date: its sources' publication date.
  ASSIGN_OR_RETURN(const std::vector<catalog::v1::Source> found, sources(price.sources));
  for (const catalog::v1::Source& src : found) {
    if (IsSet(src.publication_date())) {
      return PriceDate{src.publication_date(), absl::StrCat("publication date of ", src.name())};
    }
  }
  return absl::FailedPreconditionError(
      absl::StrCat(price.field, ": ", price.record,
                   " has no as_of date and its sources no publication date; set fx_date"));
}

absl::StatusOr<analytics::v1::FxConversion> ConvertPrice(const Analytics& analytics,
                                                         const PriceToConvert& price,
                                                         const SourceLookup& sources) {
  ASSIGN_OR_RETURN(const PriceDate date, ResolvePriceDate(price, sources));
  return analytics.Convert(price.from_currency, price.to_currency, date.date, date.origin);
}

}  // namespace regenatlas::analytics::internal

namespace regenatlas::analytics {

internal::SourceLookup Analytics::SourcesFromCatalog(
    google::protobuf::RepeatedPtrField<analytics::v1::UpstreamCall>* calls) const {
  return [this, calls](const std::vector<std::string>& names)
             -> absl::StatusOr<std::vector<catalog::v1::Source>> {
    RETURN_IF_ERROR(RequireCatalog());
    catalog::v1::BatchGetSourcesRequest r;
    for (const std::string& n : names) r.add_names(n);
    internal::Record(calls, internal::Method(internal::kCatalogService, "BatchGetSources"), r);
    return catalog()->BatchGetSources(names);
  };
}

}  // namespace regenatlas::analytics
