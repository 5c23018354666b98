#ifndef REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_INTERNAL_H_
#define REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_INTERNAL_H_

// Helpers shared by the analytics .cc files; not part of the domain's API.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/filter.h"
#include "common/postings.h"
#include "regenatlas/common/v1/common.pb.h"
#include "storage/column_family.h"

namespace regenatlas::analytics::internal {

inline constexpr storage::ColumnFamily kRecordsCf = storage::ColumnFamily::kAnalytics;
inline constexpr storage::ColumnFamily kIndexCf = storage::ColumnFamily::kAnalyticsIndex;

// ---- Index key layout (analytics_index column family) -----------------
// postings  (collection, field, value | int64, id)                → ""
// fx        ("~fx", "BASE/QUOTE", int64 day of the rate, id)     → ""
// fx pairs  ("~fxadj", currency, other currency, id)             → ""   (both ways)
// '~' keeps these apart from collection names.
inline constexpr absl::string_view kFxKey = "~fx";
inline constexpr absl::string_view kFxAdjacentKey = "~fxadj";

std::string FxPair(absl::string_view base, absl::string_view quote);
// The prefix of every dated rate of a pair.
std::string FxPairPrefix(absl::string_view base, absl::string_view quote);
std::string FxDatedKey(absl::string_view base, absl::string_view quote, int64_t day,
                       absl::string_view id);
std::string FxAdjacentPrefix(absl::string_view currency);
std::string FxAdjacentKey(absl::string_view currency, absl::string_view other,
                          absl::string_view id);

// The list spec of an analytics collection: its filter schema and order
// fields, sorted by the analytics sort keys (analytics_schema.cc).
ListSpec ListSpecOf(std::string collection, const filter::Schema* schema,
                    std::vector<std::string> order_fields);
// Encodes the int filter fields (as_of_year, year) for the posting index;
// nullopt for every other field.
std::optional<absl::StatusOr<int64_t>> IntEncoder(const std::string& field,
                                                  const std::string& value);

// Money as a number of currency units.
double ToDouble(const common::v1::Money& money);
// A number of currency units as Money, rounded to the cent.
common::v1::Money ToMoney(double amount, absl::string_view currency);
// Currency code valid, units and nanos of one sign, |nanos| < 1e9, and
// (when `positive`) an amount > 0. INVALID_ARGUMENT naming `field`.
absl::Status ValidateMoney(const common::v1::Money& money, absl::string_view field, bool positive);

// The day a partial date stands for in FX lookups: the midpoint of its
// period ("2025" → 2025-07-02, "2025-06" → 2025-06-15; ties round down).
int64_t LookupDay(const common::v1::PartialDate& date);
// The full date of a day counted from 1970-01-01.
common::v1::PartialDate DateOfDay(int64_t day);
// The midpoint of a partial date's period, in days (may end in .5).
double MidpointDays(const common::v1::PartialDate& date);

}  // namespace regenatlas::analytics::internal

#endif  // REGENATLAS_SERVICES_MARKET_ANALYTICS_ANALYTICS_INTERNAL_H_
