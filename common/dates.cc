#include "common/dates.h"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "common/status_macros.h"

namespace regenatlas {
namespace {

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

int64_t DaysSinceEpoch(int y, int m, int d) {
  return absl::CivilDay(y, m, d) - absl::CivilDay(1970, 1, 1);
}

}  // namespace

bool IsSet(const PartialDate& date) {
  return date.year() != 0 || date.month() != 0 || date.day() != 0;
}

absl::Status ValidatePartialDate(const PartialDate& date, absl::string_view field) {
  if (!IsSet(date)) return absl::OkStatus();
  if (date.year() < 1800 || date.year() > 2200) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".year: ", date.year(), " is outside 1800..2200"));
  }
  if (date.month() < 0 || date.month() > 12) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ".month: ", date.month(), " is not a month (1..12, or 0 if unknown)"));
  }
  if (date.day() != 0) {
    if (date.month() == 0) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".day: a day needs a month"));
    }
    if (date.day() < 1 || date.day() > DaysInMonth(date.year(), date.month())) {
      return absl::InvalidArgumentError(absl::StrFormat("%s.day: %04d-%02d has no day %d", field,
                                                        date.year(), date.month(), date.day()));
    }
  }
  return absl::OkStatus();
}

DatePrecision PrecisionOf(const PartialDate& date) {
  if (!IsSet(date)) return common::v1::DATE_PRECISION_UNSPECIFIED;
  if (date.month() == 0) return common::v1::DATE_PRECISION_YEAR;
  if (date.day() == 0) return common::v1::DATE_PRECISION_MONTH;
  return common::v1::DATE_PRECISION_DAY;
}

std::string FormatPartialDate(const PartialDate& date) {
  switch (PrecisionOf(date)) {
    case common::v1::DATE_PRECISION_YEAR:
      return absl::StrFormat("%04d", date.year());
    case common::v1::DATE_PRECISION_MONTH:
      return absl::StrFormat("%04d-%02d", date.year(), date.month());
    case common::v1::DATE_PRECISION_DAY:
      return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
    default:
      return "";
  }
}

absl::StatusOr<PartialDate> ParsePartialDate(absl::string_view text, absl::string_view field) {
  std::vector<absl::string_view> parts = absl::StrSplit(text, '-');
  PartialDate date;
  int values[3] = {0, 0, 0};
  if (parts.empty() || parts.size() > 3) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": \"", text, "\" is not YYYY, YYYY-MM or YYYY-MM-DD"));
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].size() != (i == 0 ? 4u : 2u) || !absl::SimpleAtoi(parts[i], &values[i])) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": \"", text, "\" is not YYYY, YYYY-MM or YYYY-MM-DD"));
    }
  }
  date.set_year(values[0]);
  date.set_month(values[1]);
  date.set_day(values[2]);
  if (parts.size() >= 2 && date.month() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".month: 0 is not a month"));
  }
  if (parts.size() == 3 && date.day() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, ".day: 0 is not a day"));
  }
  RETURN_IF_ERROR(ValidatePartialDate(date, field));
  return date;
}

int64_t FirstDay(const PartialDate& date) {
  return DaysSinceEpoch(date.year(), date.month() == 0 ? 1 : date.month(),
                        date.day() == 0 ? 1 : date.day());
}

int64_t LastDay(const PartialDate& date) {
  int m = date.month() == 0 ? 12 : date.month();
  int d = date.day() == 0 ? DaysInMonth(date.year(), m) : date.day();
  return DaysSinceEpoch(date.year(), m, d);
}

int ComparePartialDates(const PartialDate& a, const PartialDate& b) {
  int64_t fa = FirstDay(a), fb = FirstDay(b);
  if (fa != fb) return fa < fb ? -1 : 1;
  int pa = PrecisionOf(a), pb = PrecisionOf(b);
  if (pa != pb) return pa < pb ? -1 : 1;
  return 0;
}

}  // namespace regenatlas
