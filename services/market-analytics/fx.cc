// FX conversion over the dated rate index (see analytics_internal.h for the
// key layout): a lookup is two seeks per stored pair, never a scan of the
// rate table.

#include <algorithm>
#include <cstdlib>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/status_macros.h"
#include "services/market-analytics/analytics.h"
#include "services/market-analytics/analytics_internal.h"
#include "storage/key.h"

namespace regenatlas::analytics {

using internal::kIndexCf;
using storage::Key;
using storage::KeyReader;
using storage::ScanRange;

// A stored rate chosen for one leg of a conversion.
struct Analytics::RateChoice {
  FxRate rate;
  int64_t day = 0;
  int64_t distance = 0;
  // Used as 1 / rate (the stored pair is the reverse of the leg).
  bool inverted = false;
};

absl::StatusOr<std::optional<Analytics::RateChoice>> Analytics::NearestStored(
    const std::string& base, const std::string& quote, int64_t day) const {
  const std::string prefix = internal::FxPairPrefix(base, quote);
  const std::string at =
      Key().String(internal::kFxKey).String(internal::FxPair(base, quote)).Int64(day).Release();
  struct Hit {
    int64_t day = 0;
    std::string id;
  };
  auto first = [&](const ScanRange& range) -> absl::StatusOr<std::optional<Hit>> {
    std::optional<Hit> hit;
    absl::Status bad;
    RETURN_IF_ERROR(
        store_->Scan(kIndexCf, range, nullptr, [&](absl::string_view key, absl::string_view) {
          KeyReader r(key.substr(prefix.size()));
          absl::StatusOr<int64_t> d = r.Int64();
          absl::StatusOr<std::string> id = r.String();
          if (!d.ok() || !id.ok()) {
            bad = absl::DataLossError("analytics: corrupt FX index key");
          } else {
            hit = Hit{*d, *std::move(id)};
          }
          return false;
        }));
    RETURN_IF_ERROR(bad);
    return hit;
  };
  ScanRange after;
  after.start = at;
  after.end = Key::PrefixEnd(prefix);
  ScanRange before;
  before.start = prefix;
  before.end = at;
  before.reverse = true;
  ASSIGN_OR_RETURN(std::optional<Hit> on_or_after, first(after));
  ASSIGN_OR_RETURN(std::optional<Hit> earlier, first(before));
  std::optional<Hit> best;
  if (earlier.has_value()) best = *earlier;
  // Ties go to the earlier rate: the later one must be strictly nearer.
  if (on_or_after.has_value() && (!best.has_value() || on_or_after->day - day < day - best->day)) {
    best = *on_or_after;
  }
  if (!best.has_value()) return std::optional<RateChoice>();
  RateChoice choice;
  ASSIGN_OR_RETURN(bool found, fx_rates_.FindRaw(best->id, &choice.rate));
  if (!found)
    return absl::DataLossError(
        absl::StrCat("analytics: FX index names missing fxRates/", best->id));
  choice.day = best->day;
  choice.distance = std::llabs(best->day - day);
  return std::optional<RateChoice>(std::move(choice));
}

absl::StatusOr<std::optional<Analytics::RateChoice>> Analytics::NearestEitherWay(
    const std::string& from, const std::string& to, int64_t day) const {
  ASSIGN_OR_RETURN(std::optional<RateChoice> direct, NearestStored(from, to, day));
  ASSIGN_OR_RETURN(std::optional<RateChoice> inverse, NearestStored(to, from, day));
  if (inverse.has_value()) inverse->inverted = true;
  if (!direct.has_value()) return inverse;
  if (!inverse.has_value()) return direct;
  // Nearest first; on a tie the earlier date, then the rate as quoted.
  const RateChoice& d = *direct;
  const RateChoice& i = *inverse;
  if (std::make_tuple(i.distance, i.day) < std::make_tuple(d.distance, d.day)) return inverse;
  return direct;
}

absl::StatusOr<std::vector<std::string>> Analytics::FxNeighbours(
    const std::string& currency) const {
  const std::string prefix = internal::FxAdjacentPrefix(currency);
  std::set<std::string> out;
  RETURN_IF_ERROR(store_->Scan(kIndexCf, ScanRange::Prefix(prefix), nullptr,
                               [&](absl::string_view key, absl::string_view) {
                                 KeyReader r(key.substr(prefix.size()));
                                 absl::StatusOr<std::string> other = r.String();
                                 if (other.ok()) out.insert(*std::move(other));
                                 return true;
                               }));
  return std::vector<std::string>(out.begin(), out.end());
}

namespace {

analytics::v1::AppliedFxRate Applied(const FxRate& rate, const std::string& from,
                                     const std::string& to, bool inverted, int64_t distance) {
  analytics::v1::AppliedFxRate a;
  a.set_fx_rate(rate.name());
  a.set_base_currency(rate.base_currency());
  a.set_quote_currency(rate.quote_currency());
  *a.mutable_date() = rate.date();
  a.set_rate(rate.rate());
  a.set_from_currency(from);
  a.set_to_currency(to);
  a.set_inverted(inverted);
  a.set_multiplier(inverted ? 1.0 / rate.rate() : rate.rate());
  a.set_days_from_lookup(static_cast<int32_t>(distance));
  *a.mutable_sources() = rate.sources();
  return a;
}

}  // namespace

absl::StatusOr<analytics::v1::FxConversion> Analytics::Convert(
    absl::string_view from_view, absl::string_view to_view, const common::v1::PartialDate& date,
    absl::string_view date_origin) const {
  const std::string from(from_view);
  const std::string to(to_view);
  analytics::v1::FxConversion c;
  c.set_from_currency(from);
  c.set_to_currency(to);
  if (IsSet(date)) {
    *c.mutable_date() = date;
    c.set_date_origin(std::string(date_origin));
  }
  if (from == to) {
    c.set_method(analytics::v1::FX_METHOD_IDENTITY);
    c.set_multiplier(1.0);
    return c;
  }
  if (!IsSet(date)) {
    return absl::InvalidArgumentError(
        absl::StrCat("fx_date: a date is needed to convert ", from, "→", to));
  }
  const int64_t day = internal::LookupDay(date);
  *c.mutable_lookup_day() = internal::DateOfDay(day);

  ASSIGN_OR_RETURN(std::optional<RateChoice> pair, NearestEitherWay(from, to, day));
  if (pair.has_value()) {
    const RateChoice& r = *pair;
    c.set_method(r.inverted ? analytics::v1::FX_METHOD_INVERSE : analytics::v1::FX_METHOD_DIRECT);
    *c.add_rates() = Applied(r.rate, from, to, r.inverted, r.distance);
    c.set_multiplier(c.rates(0).multiplier());
    return c;
  }

  // No rate of the pair: two legs through a currency both are quoted
  // against, choosing the pair of legs whose farther rate is nearest.
  ASSIGN_OR_RETURN(std::vector<std::string> from_side, FxNeighbours(from));
  ASSIGN_OR_RETURN(std::vector<std::string> to_side, FxNeighbours(to));
  std::vector<std::string> common;
  std::set_intersection(from_side.begin(), from_side.end(), to_side.begin(), to_side.end(),
                        std::back_inserter(common));
  std::optional<std::tuple<int64_t, int64_t, std::string>> best_score;
  std::optional<std::pair<RateChoice, RateChoice>> best;
  for (const std::string& via : common) {
    ASSIGN_OR_RETURN(std::optional<RateChoice> first, NearestEitherWay(from, via, day));
    ASSIGN_OR_RETURN(std::optional<RateChoice> second, NearestEitherWay(via, to, day));
    if (!first.has_value() || !second.has_value()) continue;
    auto score = std::make_tuple(std::max(first->distance, second->distance),
                                 first->distance + second->distance, via);
    if (!best_score.has_value() || score < *best_score) {
      best_score = score;
      best = std::make_pair(*first, *second);
    }
  }
  if (!best.has_value()) {
    return absl::FailedPreconditionError(absl::StrCat("no FX rate for ", from, "→", to));
  }
  const std::string& via = std::get<2>(*best_score);
  c.set_method(analytics::v1::FX_METHOD_CROSS);
  c.set_via_currency(via);
  *c.add_rates() = Applied(best->first.rate, from, via, best->first.inverted, best->first.distance);
  *c.add_rates() =
      Applied(best->second.rate, via, to, best->second.inverted, best->second.distance);
  c.set_multiplier(c.rates(0).multiplier() * c.rates(1).multiplier());
  return c;
}

}  // namespace regenatlas::analytics
