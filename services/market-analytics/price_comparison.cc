// The ComparePrices view of Analytics: one price point per product (asked
// for, or the best by basis, type and date), converted into one currency
// (price_resolution.h), per dose and per course, with the ratios.

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/paging.h"
#include "common/resource_name.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "services/market-analytics/analytics.h"
#include "services/market-analytics/analytics_internal.h"
#include "services/market-analytics/computations_internal.h"
#include "services/market-analytics/price_resolution.h"

namespace regenatlas::analytics {
namespace {

namespace v1 = ::regenatlas::analytics::v1;
using catalog::v1::Product;
using internal::kCatalogService;
using internal::Method;
using internal::Record;
using internal::Step;
using internal::ToDouble;
using internal::ToMoney;

// Rank of a price point for automatic choice: lower is better.
std::tuple<int, int> PriceRank(const PricePoint& p) {
  int basis = 3;
  switch (p.basis()) {
    case v1::PRICE_BASIS_PER_DOSE:
      basis = 0;
      break;
    case v1::PRICE_BASIS_PER_COURSE:
      basis = 1;
      break;
    case v1::PRICE_BASIS_PER_TREATMENT:
      basis = 2;
      break;
    default:
      break;
  }
  int type = 4;
  switch (p.price_type()) {
    case v1::PRICE_TYPE_LIST:
      type = 0;
      break;
    case v1::PRICE_TYPE_NET:
      type = 1;
      break;
    case v1::PRICE_TYPE_REIMBURSED:
      type = 2;
      break;
    case v1::PRICE_TYPE_REPORTED:
      type = 3;
      break;
    default:
      break;
  }
  return {basis, type};
}

bool BetterPrice(const PricePoint& a, const PricePoint& b) {
  if (PriceRank(a) != PriceRank(b)) return PriceRank(a) < PriceRank(b);
  // The latest as-of date first; undated last.
  const bool da = IsSet(a.as_of()), db = IsSet(b.as_of());
  if (da != db) return da;
  if (da && ComparePartialDates(a.as_of(), b.as_of()) != 0) {
    return ComparePartialDates(a.as_of(), b.as_of()) > 0;
  }
  return a.name() < b.name();
}

bool IsDoseBasis(v1::PriceBasis basis) {
  return basis == v1::PRICE_BASIS_PER_DOSE || basis == v1::PRICE_BASIS_PER_TREATMENT;
}

}  // namespace

absl::StatusOr<v1::PriceComparison> Analytics::ComparePrices(
    const v1::ComparePricesRequest& request) const {
  if (request.products().empty()) {
    return absl::InvalidArgumentError("products: at least one product is required");
  }
  if (request.products_size() > kMaxPageSize) {
    return absl::InvalidArgumentError(
        absl::StrCat("products: at most ", kMaxPageSize, " products per comparison"));
  }
  std::map<std::string, int> index_of;
  std::vector<Ref> product_refs;
  for (int i = 0; i < request.products_size(); ++i) {
    const std::string field = absl::StrCat("products[", i, "]");
    RETURN_IF_ERROR(ParseResourceName(request.products(i), "products", field).status());
    if (!index_of.emplace(request.products(i), i).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": ", request.products(i), " is listed twice"));
    }
    product_refs.push_back({field, request.products(i)});
  }
  RETURN_IF_ERROR(ValidateCurrency(request.currency_code(), "currency_code"));
  if (!request.jurisdiction().empty()) {
    RETURN_IF_ERROR(ValidateJurisdiction(request.jurisdiction(), "jurisdiction"));
  }
  const bool has_fx_date = request.has_fx_date() && IsSet(request.fx_date());
  if (request.has_fx_date()) {
    RETURN_IF_ERROR(ValidatePartialDate(request.fx_date(), "fx_date"));
  }
  std::vector<std::optional<PricePoint>> chosen(request.products_size());
  for (int i = 0; i < request.price_points_size(); ++i) {
    const std::string field = absl::StrCat("price_points[", i, "]");
    ASSIGN_OR_RETURN(std::string id,
                     ParseResourceName(request.price_points(i), "pricePoints", field));
    PricePoint p;
    ASSIGN_OR_RETURN(bool found, price_points_.FindRaw(id, &p));
    if (!found) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": ", request.price_points(i), " does not exist"));
    }
    auto it = index_of.find(p.product());
    if (it == index_of.end()) {
      return absl::InvalidArgumentError(absl::StrCat(field, ": ", p.name(), " is a price of ",
                                                     p.product(), ", which is not in products"));
    }
    if (chosen[it->second].has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": a second price point for ", p.product()));
    }
    chosen[it->second] = std::move(p);
  }
  RETURN_IF_ERROR(RequireCatalog());

  v1::PriceComparison out;
  *out.mutable_products() = request.products();
  out.set_currency_code(request.currency_code());
  out.set_jurisdiction(request.jurisdiction());
  if (request.has_fx_date()) *out.mutable_fx_date() = request.fx_date();
  auto* calls = out.mutable_upstream_calls();

  const std::vector<std::string> product_names(request.products().begin(),
                                               request.products().end());
  catalog::v1::BatchGetProductsRequest get_products;
  for (const std::string& n : product_names) get_products.add_names(n);
  Record(calls, Method(kCatalogService, "BatchGetProducts"), get_products);
  absl::StatusOr<std::vector<Product>> products = catalog()->BatchGetProducts(product_names);
  if (absl::IsNotFound(products.status())) {
    // Name the request field of the missing product.
    RETURN_IF_ERROR(CheckRefs(product_refs));
    return products.status();
  }
  if (!products.ok()) return products.status();

  std::vector<std::optional<double>> per_dose(request.products_size());
  std::vector<std::optional<double>> per_course(request.products_size());
  for (int i = 0; i < request.products_size(); ++i) {
    const std::string& product = request.products(i);
    ASSIGN_OR_RETURN(std::vector<std::string> ids, PostingIdsOf("pricePoints", "product", product));
    std::vector<PricePoint> candidates;
    for (const std::string& id : ids) {
      PricePoint p;
      ASSIGN_OR_RETURN(bool found, price_points_.FindRaw(id, &p));
      if (found) candidates.push_back(std::move(p));
    }
    if (!chosen[i].has_value()) {
      for (const PricePoint& p : candidates) {
        if (!request.jurisdiction().empty() && p.jurisdiction() != request.jurisdiction()) continue;
        if (!chosen[i].has_value() || BetterPrice(p, *chosen[i])) chosen[i] = p;
      }
    }
    if (!chosen[i].has_value()) {
      return absl::FailedPreconditionError(absl::StrCat(
          "products[", i, "]: no price point for ", product,
          request.jurisdiction().empty() ? "" : absl::StrCat(" in ", request.jurisdiction())));
    }
    const PricePoint& price = *chosen[i];
    v1::ProductPrice* pp = out.add_prices();
    pp->set_product(product);
    pp->set_display_name((*products)[i].display_name());
    *pp->mutable_price_point() = price;
    for (const PricePoint& p : candidates) {
      if (p.name() != price.name()) pp->add_alternatives(p.name());
    }

    // Converted at the date the shared price rule picks (price_resolution.h).
    const std::string& from = price.amount().currency_code();
    internal::PriceToConvert to_convert;
    to_convert.from_currency = from;
    to_convert.to_currency = request.currency_code();
    if (has_fx_date) to_convert.fx_date = request.fx_date();
    to_convert.record = price.name();
    to_convert.as_of = price.as_of();
    for (const auto& c : price.sources()) to_convert.sources.push_back(c.source());
    to_convert.field = absl::StrCat("products[", i, "]");
    ASSIGN_OR_RETURN(v1::FxConversion conversion,
                     internal::ConvertPrice(*this, to_convert, SourcesFromCatalog(calls)));
    *pp->mutable_conversion() = conversion;
    const double original = ToDouble(price.amount());
    const double amount = original * conversion.multiplier();
    const std::string& to = request.currency_code();
    if (conversion.method() != v1::FX_METHOD_IDENTITY) {
      *pp->add_steps() =
          Step(absl::StrCat("price in ", to, " = price in ", from, " × FX ", from, "→", to),
               original, "×", conversion.multiplier(), amount, to);
    }
    const int doses = price.doses_per_course();
    pp->set_doses_per_course(doses);
    if (IsDoseBasis(price.basis())) {
      per_dose[i] = amount;
      if (doses > 0) {
        per_course[i] = amount * doses;
        *pp->add_steps() = Step("price per course = price per dose × doses_per_course", amount, "×",
                                doses, *per_course[i], absl::StrCat(to, "/course"));
      }
    } else if (price.basis() == v1::PRICE_BASIS_PER_COURSE) {
      per_course[i] = amount;
      if (doses > 0) {
        per_dose[i] = amount / doses;
        *pp->add_steps() = Step("price per dose = price per course ÷ doses_per_course", amount, "÷",
                                doses, *per_dose[i], absl::StrCat(to, "/dose"));
      }
    }
    if (per_dose[i].has_value()) *pp->mutable_price_per_dose() = ToMoney(*per_dose[i], to);
    if (per_course[i].has_value()) *pp->mutable_price_per_course() = ToMoney(*per_course[i], to);
  }

  for (int i = 0; i < request.products_size(); ++i) {
    for (int j = 0; j < request.products_size(); ++j) {
      if (i == j) continue;
      v1::PriceRatio* r = out.add_ratios();
      r->set_numerator_product(request.products(i));
      r->set_denominator_product(request.products(j));
      if (per_dose[i].has_value() && per_dose[j].has_value()) {
        r->set_per_dose(*per_dose[i] / *per_dose[j]);
      }
      if (per_course[i].has_value() && per_course[j].has_value()) {
        r->set_per_course(*per_course[i] / *per_course[j]);
      }
    }
  }
  return out;
}

}  // namespace regenatlas::analytics
