// The EstimateMarketSize view of Analytics: patients × eligible share ×
// uptake × courses per year × price per course, every input and step
// shown, the price converted as the price views do (price_resolution.h).

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/dates.h"
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
using internal::Step;
using internal::ToDouble;
using internal::ToMoney;

absl::Status ValidateShare(const std::optional<double>& share, absl::string_view field) {
  if (!share.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": required (a fraction from 0 to 1)"));
  }
  if (!std::isfinite(*share) || *share < 0 || *share > 1) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": must be between 0 and 1 (got ", *share, ")"));
  }
  return absl::OkStatus();
}

std::string BoundNote(v1::Bound bound) {
  switch (bound) {
    case v1::BOUND_ABOUT:
      return "approximate (about)";
    case v1::BOUND_MORE_THAN:
      return "a lower bound (more than): the result is a lower bound too";
    case v1::BOUND_AT_LEAST:
      return "a lower bound (at least): the result is a lower bound too";
    case v1::BOUND_LESS_THAN:
      return "an upper bound (less than): the result is an upper bound too";
    case v1::BOUND_AT_MOST:
      return "an upper bound (at most): the result is an upper bound too";
    default:
      return "";
  }
}

}  // namespace

absl::StatusOr<v1::MarketSizeEstimate> Analytics::EstimateMarketSize(
    const v1::EstimateMarketSizeRequest& request) const {
  v1::MarketSizeEstimate out;
  // Patients.
  double patients = 0;
  v1::ComputationInput patients_input;
  patients_input.set_field("patients");
  patients_input.set_unit("patients");
  switch (request.patients_case()) {
    case v1::EstimateMarketSizeRequest::kEpidemiologyFact: {
      ASSIGN_OR_RETURN(std::string id, ParseResourceName(request.epidemiology_fact(),
                                                         "epidemiologyFacts", "epidemiology_fact"));
      EpidemiologyFact f;
      ASSIGN_OR_RETURN(bool found, epidemiology_facts_.FindRaw(id, &f));
      if (!found) {
        return absl::InvalidArgumentError(
            absl::StrCat("epidemiology_fact: ", request.epidemiology_fact(), " does not exist"));
      }
      if (f.measure() != v1::MEASURE_PREVALENCE && f.measure() != v1::MEASURE_ANNUAL_INCIDENCE &&
          f.measure() != v1::MEASURE_ANNUAL_PROCEDURES) {
        return absl::InvalidArgumentError(absl::StrCat(
            "epidemiology_fact: ", f.name(), " is a ", v1::Measure_Name(f.measure()),
            ", not a count of patients (prevalence, annual incidence or annual procedures)"));
      }
      patients = f.value();
      patients_input.set_field("epidemiology_fact");
      patients_input.set_origin(v1::INPUT_ORIGIN_RECORD);
      patients_input.set_record(f.name());
      patients_input.set_value(f.value());
      patients_input.set_bound(f.bound());
      patients_input.set_qualifier(f.qualifier());
      *patients_input.mutable_as_of() = f.as_of();
      *patients_input.mutable_sources() = f.sources();
      patients_input.set_unit(
          absl::StrCat("patients (", v1::Measure_Name(f.measure()), ", ", f.region(), ")"));
      break;
    }
    case v1::EstimateMarketSizeRequest::kPatientCount:
      if (!std::isfinite(request.patient_count()) || request.patient_count() < 0) {
        return absl::InvalidArgumentError(absl::StrCat("patient_count: must be a number ≥ 0 (got ",
                                                       request.patient_count(), ")"));
      }
      patients = request.patient_count();
      patients_input.set_field("patient_count");
      patients_input.set_origin(v1::INPUT_ORIGIN_REQUEST);
      patients_input.set_value(patients);
      break;
    default:
      return absl::InvalidArgumentError(
          "patients: required: set epidemiology_fact or patient_count");
  }
  const std::optional<double> eligible =
      request.has_eligible_share() ? std::optional<double>(request.eligible_share()) : std::nullopt;
  RETURN_IF_ERROR(ValidateShare(eligible, "eligible_share"));
  const std::optional<double> uptake =
      request.has_uptake() ? std::optional<double>(request.uptake()) : std::nullopt;
  RETURN_IF_ERROR(ValidateShare(uptake, "uptake"));
  if (request.doses_per_course() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("doses_per_course: must be positive (got ", request.doses_per_course(), ")"));
  }
  double courses_per_year = 1;
  if (request.has_courses_per_year()) {
    if (!std::isfinite(request.courses_per_year()) || request.courses_per_year() <= 0) {
      return absl::InvalidArgumentError(absl::StrCat("courses_per_year: must be positive (got ",
                                                     request.courses_per_year(), ")"));
    }
    courses_per_year = request.courses_per_year();
  }
  if (!request.currency_code().empty()) {
    RETURN_IF_ERROR(ValidateCurrency(request.currency_code(), "currency_code"));
  }
  if (request.has_fx_date()) {
    RETURN_IF_ERROR(ValidatePartialDate(request.fx_date(), "fx_date"));
  }

  // Price per course.
  std::vector<v1::ArithmeticStep> price_steps;
  v1::ComputationInput price_input;
  std::optional<v1::ComputationInput> doses_input;
  double course_price = 0;
  std::string price_currency;
  // What dates the price for its conversion (price_resolution.h).
  internal::PriceToConvert to_convert;
  switch (request.price_case()) {
    case v1::EstimateMarketSizeRequest::kPricePoint: {
      ASSIGN_OR_RETURN(std::string id,
                       ParseResourceName(request.price_point(), "pricePoints", "price_point"));
      PricePoint p;
      ASSIGN_OR_RETURN(bool found, price_points_.FindRaw(id, &p));
      if (!found) {
        return absl::InvalidArgumentError(
            absl::StrCat("price_point: ", request.price_point(), " does not exist"));
      }
      price_currency = p.amount().currency_code();
      const double amount = ToDouble(p.amount());
      price_input.set_field("price_point");
      price_input.set_origin(v1::INPUT_ORIGIN_RECORD);
      price_input.set_record(p.name());
      price_input.set_value(amount);
      *price_input.mutable_money() = p.amount();
      price_input.set_bound(p.bound());
      price_input.set_qualifier(p.note());
      *price_input.mutable_as_of() = p.as_of();
      *price_input.mutable_sources() = p.sources();
      to_convert.record = p.name();
      to_convert.as_of = p.as_of();
      for (const auto& c : p.sources()) to_convert.sources.push_back(c.source());
      to_convert.field = "price_point";
      if (p.basis() == v1::PRICE_BASIS_PER_COURSE) {
        price_input.set_unit(absl::StrCat(price_currency, "/course"));
        course_price = amount;
      } else {
        price_input.set_unit(absl::StrCat(price_currency, "/dose"));
        int doses = p.doses_per_course();
        v1::ComputationInput d;
        d.set_field("doses_per_course");
        d.set_unit("doses/course");
        if (request.doses_per_course() > 0) {
          doses = request.doses_per_course();
          d.set_origin(v1::INPUT_ORIGIN_REQUEST);
        } else {
          d.set_origin(v1::INPUT_ORIGIN_RECORD);
          d.set_record(p.name());
          *d.mutable_sources() = p.sources();
        }
        if (doses <= 0) {
          return absl::InvalidArgumentError(
              absl::StrCat("doses_per_course: required: ", p.name(),
                           " is a price per dose and states no doses per course"));
        }
        d.set_value(doses);
        doses_input = d;
        course_price = amount * doses;
        price_steps.push_back(Step("price per course = price per dose × doses_per_course", amount,
                                   "×", doses, course_price,
                                   absl::StrCat(price_currency, "/course")));
      }
      break;
    }
    case v1::EstimateMarketSizeRequest::kPricePerCourse:
      RETURN_IF_ERROR(
          internal::ValidateMoney(request.price_per_course(), "price_per_course", true));
      price_currency = request.price_per_course().currency_code();
      course_price = ToDouble(request.price_per_course());
      price_input.set_field("price_per_course");
      price_input.set_origin(v1::INPUT_ORIGIN_REQUEST);
      price_input.set_value(course_price);
      *price_input.mutable_money() = request.price_per_course();
      price_input.set_unit(absl::StrCat(price_currency, "/course"));
      break;
    default:
      return absl::InvalidArgumentError("price: required: set price_point or price_per_course");
  }

  const std::string currency =
      request.currency_code().empty() ? price_currency : request.currency_code();
  to_convert.from_currency = price_currency;
  to_convert.to_currency = currency;
  if (request.has_fx_date() && IsSet(request.fx_date())) to_convert.fx_date = request.fx_date();
  ASSIGN_OR_RETURN(
      v1::FxConversion conversion,
      internal::ConvertPrice(*this, to_convert, SourcesFromCatalog(out.mutable_upstream_calls())));
  if (conversion.method() != v1::FX_METHOD_IDENTITY) {
    const double converted = course_price * conversion.multiplier();
    price_steps.push_back(Step(
        absl::StrCat("price per course in ", currency, " = price per course in ", price_currency,
                     " × FX ", price_currency, "→", currency),
        course_price, "×", conversion.multiplier(), converted, absl::StrCat(currency, "/course")));
    course_price = converted;
    *out.mutable_conversion() = conversion;
  }

  // Inputs, in the order used.
  *out.add_inputs() = patients_input;
  v1::ComputationInput* e = out.add_inputs();
  e->set_field("eligible_share");
  e->set_origin(v1::INPUT_ORIGIN_REQUEST);
  e->set_value(*eligible);
  e->set_unit("fraction");
  v1::ComputationInput* u = out.add_inputs();
  u->set_field("uptake");
  u->set_origin(v1::INPUT_ORIGIN_REQUEST);
  u->set_value(*uptake);
  u->set_unit("fraction");
  *out.add_inputs() = price_input;
  if (doses_input.has_value()) *out.add_inputs() = *doses_input;
  v1::ComputationInput* cpy = out.add_inputs();
  cpy->set_field("courses_per_year");
  cpy->set_origin(request.has_courses_per_year() ? v1::INPUT_ORIGIN_REQUEST
                                                 : v1::INPUT_ORIGIN_DEFAULT);
  cpy->set_value(courses_per_year);
  cpy->set_unit("courses/patient/year");

  // The arithmetic.
  const double eligible_patients = patients * *eligible;
  *out.add_steps() = Step("eligible patients = patients × eligible_share", patients, "×", *eligible,
                          eligible_patients, "patients");
  const double treated = eligible_patients * *uptake;
  *out.add_steps() = Step("treated patients per year = eligible patients × uptake",
                          eligible_patients, "×", *uptake, treated, "patients/year");
  for (const auto& step : price_steps) *out.add_steps() = step;
  const double courses = treated * courses_per_year;
  *out.add_steps() = Step("courses per year = treated patients × courses_per_year", treated, "×",
                          courses_per_year, courses, "courses/year");
  const double market = courses * course_price;
  *out.add_steps() = Step("yearly market = courses per year × price per course", courses, "×",
                          course_price, market, absl::StrCat(currency, "/year"));
  out.set_treated_patients(treated);
  *out.mutable_price_per_course() = ToMoney(course_price, currency);
  *out.mutable_yearly_market() = ToMoney(market, currency);

  for (const v1::ComputationInput& in : out.inputs()) {
    const std::string bound = BoundNote(in.bound());
    if (!bound.empty()) out.add_notes(absl::StrCat(in.field(), " is ", bound));
    if (!in.qualifier().empty() && in.field() != "price_point") {
      out.add_notes(absl::StrCat(in.field(), " counts only: ", in.qualifier()));
    }
  }
  return out;
}

}  // namespace regenatlas::analytics
