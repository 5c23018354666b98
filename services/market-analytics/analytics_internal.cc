// Helpers shared by the analytics .cc files (analytics_internal.h): FX
// index keys, money arithmetic and validation, and FX lookup days.

#include "services/market-analytics/analytics_internal.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/dates.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "storage/key.h"

namespace regenatlas::analytics::internal {

using storage::Key;

std::string FxPair(absl::string_view base, absl::string_view quote) {
  return absl::StrCat(base, "/", quote);
}

std::string FxPairPrefix(absl::string_view base, absl::string_view quote) {
  return Key().String(kFxKey).String(FxPair(base, quote)).Release();
}

std::string FxDatedKey(absl::string_view base, absl::string_view quote, int64_t day,
                       absl::string_view id) {
  return Key().String(kFxKey).String(FxPair(base, quote)).Int64(day).String(id).Release();
}

std::string FxAdjacentPrefix(absl::string_view currency) {
  return Key().String(kFxAdjacentKey).String(currency).Release();
}

std::string FxAdjacentKey(absl::string_view currency, absl::string_view other,
                          absl::string_view id) {
  return Key().String(kFxAdjacentKey).String(currency).String(other).String(id).Release();
}

double ToDouble(const common::v1::Money& money) {
  return static_cast<double>(money.units()) + static_cast<double>(money.nanos()) / 1e9;
}

common::v1::Money ToMoney(double amount, absl::string_view currency) {
  common::v1::Money m;
  m.set_currency_code(std::string(currency));
  const double cents = std::round(amount * 100.0);
  const int64_t whole_cents = static_cast<int64_t>(cents);
  m.set_units(whole_cents / 100);
  m.set_nanos(static_cast<int32_t>((whole_cents % 100) * 10000000));
  return m;
}

absl::Status ValidateMoney(const common::v1::Money& money, absl::string_view field, bool positive) {
  RETURN_IF_ERROR(ValidateCurrency(money.currency_code(), absl::StrCat(field, ".currency_code")));
  if (money.nanos() <= -1000000000 || money.nanos() >= 1000000000) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".nanos: must be between -999999999 and 999999999"));
  }
  if ((money.units() > 0 && money.nanos() < 0) || (money.units() < 0 && money.nanos() > 0)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".nanos: must have the sign of units"));
  }
  if (positive && ToDouble(money) <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must be a positive amount (got ",
                                                   ToDouble(money), " ", money.currency_code(),
                                                   ")"));
  }
  return absl::OkStatus();
}

int64_t LookupDay(const common::v1::PartialDate& date) {
  const int64_t first = FirstDay(date);
  const int64_t last = LastDay(date);
  return first + (last - first) / 2;
}

common::v1::PartialDate DateOfDay(int64_t day) {
  const absl::CivilDay d = absl::CivilDay(1970, 1, 1) + day;
  common::v1::PartialDate out;
  out.set_year(static_cast<int32_t>(d.year()));
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

double MidpointDays(const common::v1::PartialDate& date) {
  return (static_cast<double>(FirstDay(date)) + static_cast<double>(LastDay(date))) / 2.0;
}

}  // namespace regenatlas::analytics::internal
