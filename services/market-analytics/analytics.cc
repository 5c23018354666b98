#include "services/market-analytics/analytics.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/validation.h"

namespace regenatlas::analytics {
namespace {

ResourceTableOptions TableOptions(const AnalyticsOptions& options, std::string collection) {
  ResourceTableOptions t;
  t.collection = std::move(collection);
  t.records_cf = storage::ColumnFamily::kAnalytics;
  t.index_cf = storage::ColumnFamily::kAnalyticsIndex;
  t.change_stream = std::string(Analytics::kChangeStream);
  t.clock = options.clock;
  return t;
}

}  // namespace

Analytics::Analytics(storage::Store* store, AnalyticsOptions options)
    : fx_rates_(store, &write_mu_, TableOptions(options, "fxRates"), &Analytics::ValidateFxRate) {}

absl::Status Analytics::ValidateFxRate(const FxRate& rate) {
  if (absl::Status s = ValidateCurrency(rate.base_currency(), "fx_rate.base_currency"); !s.ok()) {
    return s;
  }
  if (absl::Status s = ValidateCurrency(rate.quote_currency(), "fx_rate.quote_currency"); !s.ok()) {
    return s;
  }
  if (rate.base_currency() == rate.quote_currency()) {
    return absl::InvalidArgumentError("fx_rate.quote_currency: must differ from base_currency");
  }
  if (PrecisionOf(rate.date()) != common::v1::DATE_PRECISION_DAY) {
    return absl::InvalidArgumentError("fx_rate.date: a full date (year, month, day) is required");
  }
  if (absl::Status s = ValidatePartialDate(rate.date(), "fx_rate.date"); !s.ok()) return s;
  if (!std::isfinite(rate.rate()) || rate.rate() <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("fx_rate.rate: must be a positive number (got ", rate.rate(), ")"));
  }
  return ValidateCitations(rate.sources(), "fx_rate.sources");
}

}  // namespace regenatlas::analytics
