#ifndef REGENATLAS_COMMON_DATES_H_
#define REGENATLAS_COMMON_DATES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "regenatlas/common/v1/common.pb.h"

namespace regenatlas {

using common::v1::DatePrecision;
using common::v1::PartialDate;

// OK for an unset date (all zero) or a valid year / year-month / full date;
// otherwise INVALID_ARGUMENT naming `field` and the bad part (month 13, day
// 31 in April, a day without a month ...).
absl::Status ValidatePartialDate(const PartialDate& date, absl::string_view field);

bool IsSet(const PartialDate& date);
DatePrecision PrecisionOf(const PartialDate& date);

// "2025", "2025-06", "2025-06-12"; "" for an unset date.
std::string FormatPartialDate(const PartialDate& date);

// Parses the three forms FormatPartialDate produces; INVALID_ARGUMENT naming
// `field` otherwise.
absl::StatusOr<PartialDate> ParsePartialDate(absl::string_view text, absl::string_view field);

// Days since 1970-01-01 of the first and of the last day the date may denote
// ("2025" → 2025-01-01 and 2025-12-31). The date must be valid and set.
int64_t FirstDay(const PartialDate& date);
int64_t LastDay(const PartialDate& date);

// Total order used everywhere a list is sorted by date: by first possible
// day, then the less precise date first ("2025" before "2025-01" before
// "2025-01-01"). Returns <0, 0, >0.
int ComparePartialDates(const PartialDate& a, const PartialDate& b);

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_DATES_H_
