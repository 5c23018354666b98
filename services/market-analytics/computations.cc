// The computed market views of Analytics. Catalog and timeline data come
// only through CatalogReader / TimelineReader; counts are computed by the
// catalog from its posting lists, so no view pages through catalog records
// to count them.

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/dates.h"
#include "common/dimensions.h"
#include "common/paging.h"
#include "common/resource_name.h"
#include "common/validation.h"
#include "google/protobuf/descriptor.h"
#include "services/market-analytics/analytics.h"
#include "services/market-analytics/analytics_internal.h"

namespace regenatlas::analytics {
namespace {

namespace v1 = ::regenatlas::analytics::v1;
using catalog::v1::Product;
using common::v1::PartialDate;
using internal::ToDouble;
using internal::ToMoney;

// Catalog filters longer than this are split (the catalog accepts 8192 bytes).
constexpr size_t kMaxFilterBytes = 6000;

void Record(google::protobuf::RepeatedPtrField<v1::UpstreamCall>* calls, absl::string_view method,
            const google::protobuf::Message& request) {
  v1::UpstreamCall* c = calls->Add();
  c->set_method(std::string(method));
  c->set_request(request.ShortDebugString());
}

constexpr absl::string_view kCatalogService = "regenatlas.catalog.v1.CatalogService/";
constexpr absl::string_view kTimelineService = "regenatlas.timeline.v1.RegulatoryTimelineService/";

std::string Method(absl::string_view service, absl::string_view method) {
  return absl::StrCat(service, method);
}

// "a OR b OR ..." filters over `field = value`, each under kMaxFilterBytes.
std::vector<std::string> OrFilters(absl::string_view field,
                                   const std::vector<std::string>& values) {
  std::vector<std::string> out;
  std::string current;
  for (const std::string& v : values) {
    std::string term = absl::StrCat(field, " = \"", v, "\"");
    if (!current.empty() && current.size() + term.size() + 4 > kMaxFilterBytes) {
      out.push_back(std::move(current));
      current.clear();
    }
    absl::StrAppend(&current, current.empty() ? "" : " OR ", term);
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

v1::ArithmeticStep Step(std::string description, double left, absl::string_view op, double right,
                        double result, std::string unit) {
  v1::ArithmeticStep s;
  s.set_description(std::move(description));
  s.set_left(left);
  s.set_operator_(std::string(op));
  s.set_right(right);
  s.set_result(result);
  s.set_unit(std::move(unit));
  return s;
}

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

v1::MilestoneSpan Span(std::string from_record, const PartialDate& from, const PartialDate& to) {
  v1::MilestoneSpan s;
  s.set_from_record(std::move(from_record));
  *s.mutable_from_date() = from;
  *s.mutable_to_date() = to;
  // As the timeline computes its intervals: partial dates that overlap
  // allow 0 days, never a negative span.
  s.set_min_days(static_cast<int32_t>(std::max<int64_t>(0, FirstDay(to) - LastDay(from))));
  s.set_max_days(static_cast<int32_t>(LastDay(to) - FirstDay(from)));
  s.set_estimate_days(std::max(0.0, internal::MidpointDays(to) - internal::MidpointDays(from)));
  return s;
}

v1::DurationSummary Summarize(std::vector<double> days) {
  v1::DurationSummary s;
  s.set_count(static_cast<int32_t>(days.size()));
  if (days.empty()) return s;
  std::sort(days.begin(), days.end());
  s.set_min_days(days.front());
  s.set_max_days(days.back());
  const size_t n = days.size();
  s.set_median_days(n % 2 == 1 ? days[n / 2] : (days[n / 2 - 1] + days[n / 2]) / 2.0);
  return s;
}

}  // namespace

// ---- ComputePipelineBreakdown ----------------------------------------------------

absl::StatusOr<v1::PipelineBreakdown> Analytics::ComputePipelineBreakdown(
    const v1::ComputePipelineBreakdownRequest& request, absl::Time deadline,
    absl::string_view field) const {
  absl::Status s = ValidateEnum(request.subject(), v1::BreakdownSubject_IsValid, true, "subject");
  if (!s.ok()) return s;
  if (request.dimensions().empty() || request.dimensions_size() > 2) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": one or two dimensions are required"));
  }
  // The dimensions by their lower-case names ("country"), as the catalog's
  // counts and the echoed group_by name them.
  std::vector<std::string> names;
  for (int i = 0; i < request.dimensions_size(); ++i) {
    std::optional<std::string> name =
        DimensionName(v1::BreakdownDimension_descriptor(), request.dimensions(i));
    if (!name.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, "[", i, "]: ",
          request.dimensions(i) == 0 ? "unspecified"
                                     : absl::StrCat("unknown value ", request.dimensions(i))));
    }
    names.push_back(*std::move(name));
  }
  if (names.size() == 2 && names[0] == names[1]) {
    return absl::InvalidArgumentError(absl::StrCat(field, "[1]: the same dimension twice"));
  }
  s = RequireCatalog();
  if (!s.ok()) return s;

  v1::PipelineBreakdown out;
  out.set_subject(request.subject());
  out.set_filter(request.filter());
  out.mutable_group_by()->Assign(names.begin(), names.end());
  *out.mutable_dimensions() = request.dimensions();
  auto add_totals = [&out](const std::string& dimension, const catalog::v1::CountResponse& r) {
    for (const auto& row : r.rows()) {
      v1::DimensionTotal* t = out.add_dimension_totals();
      t->set_dimension(dimension);
      t->set_key(row.keys(0));
      t->set_count(row.count());
    }
  };

  if (request.subject() == v1::BREAKDOWN_SUBJECT_PRODUCTS) {
    std::vector<catalog::v1::ProductDimension> dims;
    for (size_t i = 0; i < names.size(); ++i) {
      std::optional<int> d = DimensionValue(catalog::v1::ProductDimension_descriptor(), names[i]);
      if (!d.has_value()) {
        return absl::InvalidArgumentError(absl::StrCat(
            field, "[", i, "]: products cannot be grouped by ", names[i],
            "; allowed: ", DimensionNames(catalog::v1::ProductDimension_descriptor())));
      }
      dims.push_back(static_cast<catalog::v1::ProductDimension>(*d));
    }
    auto count = [&](const std::vector<catalog::v1::ProductDimension>& by)
        -> absl::StatusOr<catalog::v1::CountResponse> {
      catalog::v1::CountProductsRequest r;
      r.set_filter(request.filter());
      for (catalog::v1::ProductDimension d : by) r.add_dimensions(d);
      Record(out.mutable_upstream_calls(), Method(kCatalogService, "CountProducts"), r);
      return catalog()->CountProducts(r, deadline);
    };
    absl::StatusOr<catalog::v1::CountResponse> r = count(dims);
    if (!r.ok()) return r.status();
    for (const auto& row : r->rows()) {
      v1::BreakdownRow* o = out.add_rows();
      *o->mutable_keys() = row.keys();
      o->set_count(row.count());
    }
    out.set_total(r->total());
    if (dims.size() == 2) {
      for (size_t i = 0; i < dims.size(); ++i) {
        absl::StatusOr<catalog::v1::CountResponse> t = count({dims[i]});
        if (!t.ok()) return t.status();
        add_totals(names[i], *t);
      }
    }
    return out;
  }

  // Trials. The catalog groups trials by their own fields; a product field
  // (cell type ...) is counted with one join filter per enum value, still
  // from the catalog's posting lists.
  struct JoinDimension {
    const google::protobuf::EnumDescriptor* descriptor;
    std::string prefix;
  };
  static const auto* joins = new std::map<std::string, JoinDimension>{
      {"cell_source", {catalog::v1::CellSource_descriptor(), "CELL_SOURCE_"}},
      {"cell_category", {catalog::v1::CellCategory_descriptor(), "CELL_CATEGORY_"}},
      {"cell_type", {catalog::v1::CellType_descriptor(), "CELL_TYPE_"}},
      {"therapeutic_area", {catalog::v1::TherapeuticArea_descriptor(), "THERAPEUTIC_AREA_"}},
      {"donor", {common::v1::Donor_descriptor(), "DONOR_"}},
  };
  // Trial dimensions by name ("stage" is an alias of "phase"); join
  // dimensions are counted below.
  std::vector<std::string> dims;
  int join_index = -1;
  for (size_t i = 0; i < names.size(); ++i) {
    const std::string& d = names[i];
    dims.push_back(d == "stage" ? "phase" : d);
    if (joins->count(d)) {
      if (join_index >= 0) {
        return absl::InvalidArgumentError(
            absl::StrCat(field, "[", i,
                         "]: trials can be grouped by at most one product dimension "
                         "(cell_source, cell_category, cell_type, therapeutic_area, donor)"));
      }
      join_index = static_cast<int>(i);
    } else if (!DimensionValue(catalog::v1::TrialDimension_descriptor(), dims.back())) {
      return absl::InvalidArgumentError(absl::StrCat(
          field, "[", i, "]: trials cannot be grouped by ", d, "; allowed: stage, ",
          DimensionNames(catalog::v1::TrialDimension_descriptor()),
          " and one of cell_source, cell_category, cell_type, therapeutic_area, donor"));
    }
  }
  auto count =
      [&](const std::string& filter,
          const std::vector<std::string>& by) -> absl::StatusOr<catalog::v1::CountResponse> {
    catalog::v1::CountTrialsRequest r;
    r.set_filter(filter);
    for (const std::string& d : by) {
      r.add_dimensions(static_cast<catalog::v1::TrialDimension>(
          *DimensionValue(catalog::v1::TrialDimension_descriptor(), d)));
    }
    Record(out.mutable_upstream_calls(), Method(kCatalogService, "CountTrials"), r);
    return catalog()->CountTrials(r, deadline);
  };
  if (join_index < 0) {
    absl::StatusOr<catalog::v1::CountResponse> r = count(request.filter(), dims);
    if (!r.ok()) return r.status();
    for (const auto& row : r->rows()) {
      v1::BreakdownRow* o = out.add_rows();
      *o->mutable_keys() = row.keys();
      o->set_count(row.count());
    }
    out.set_total(r->total());
    if (dims.size() == 2) {
      for (size_t i = 0; i < dims.size(); ++i) {
        absl::StatusOr<catalog::v1::CountResponse> t = count(request.filter(), {dims[i]});
        if (!t.ok()) return t.status();
        add_totals(names[i], *t);
      }
    }
    return out;
  }

  const std::string& join_name = names[join_index];
  const JoinDimension& join = joins->at(join_name);
  const int other_index = dims.size() == 2 ? 1 - join_index : -1;
  // CountTrials needs a dimension; with none requested, phase stands in and
  // only the total is used.
  const std::vector<std::string> inner = {other_index >= 0 ? dims[other_index] : "phase"};
  absl::StatusOr<catalog::v1::CountResponse> all = count(request.filter(), inner);
  if (!all.ok()) return all.status();
  out.set_total(all->total());
  std::map<std::vector<std::string>, int> rows;
  std::vector<std::pair<std::string, int>> join_totals;
  for (int v = 0; v < join.descriptor->value_count(); ++v) {
    const google::protobuf::EnumValueDescriptor* value = join.descriptor->value(v);
    if (value->number() == 0) continue;
    std::string condition = absl::StrCat("product.", join_name, " = ", value->name());
    std::string filter = absl::StripAsciiWhitespace(request.filter()).empty()
                             ? condition
                             : absl::StrCat("(", request.filter(), ") AND ", condition);
    absl::StatusOr<catalog::v1::CountResponse> r = count(filter, inner);
    if (!r.ok()) return r.status();
    if (r->total() == 0) continue;
    const std::string key = value->name().substr(join.prefix.size());
    join_totals.emplace_back(key, r->total());
    if (other_index < 0) {
      rows[{key}] = r->total();
      continue;
    }
    for (const auto& row : r->rows()) {
      std::vector<std::string> keys = {key, row.keys(0)};
      if (join_index == 1) std::swap(keys[0], keys[1]);
      rows[keys] += row.count();
    }
  }
  for (const auto& [keys, n] : rows) {
    v1::BreakdownRow* o = out.add_rows();
    for (const std::string& k : keys) o->add_keys(k);
    o->set_count(n);
  }
  if (other_index >= 0) {
    for (int i = 0; i < 2; ++i) {
      if (i == join_index) {
        for (const auto& [key, n] : join_totals) {
          v1::DimensionTotal* t = out.add_dimension_totals();
          t->set_dimension(join_name);
          t->set_key(key);
          t->set_count(n);
        }
      } else {
        add_totals(names[i], *all);
      }
    }
  }
  return out;
}

// ---- ComputeIndicationLandscape --------------------------------------------------------

absl::StatusOr<v1::IndicationLandscape> Analytics::ComputeIndicationLandscape(
    const v1::ComputeIndicationLandscapeRequest& request, absl::Time deadline) const {
  absl::StatusOr<std::string> indication_id =
      ParseResourceName(request.indication(), "indications", "indication");
  if (!indication_id.ok()) return indication_id.status();
  absl::StatusOr<int> limit = NormalizePageSize(request.page_size());
  if (!limit.ok()) return limit.status();
  const std::string query = absl::StrCat("landscape|", request.indication(), "|",
                                         request.exact_indication() ? "exact" : "tree");
  int offset = 0;
  std::string catalog_token;
  if (!request.page_token().empty()) {
    absl::StatusOr<std::string> position = DecodePageToken(request.page_token(), query);
    if (!position.ok()) return position.status();
    std::pair<std::string, std::string> parts = absl::StrSplit(*position, absl::MaxSplits('|', 1));
    if (!absl::SimpleAtoi(parts.first, &offset)) {
      return absl::InvalidArgumentError("page_token: malformed");
    }
    catalog_token = parts.second;
  }
  absl::Status s = RequireCatalog();
  if (!s.ok()) return s;

  v1::IndicationLandscape out;
  auto* calls = out.mutable_upstream_calls();
  {
    catalog::v1::BatchGetIndicationsRequest r;
    r.add_names(request.indication());
    Record(calls, Method(kCatalogService, "BatchGetIndications"), r);
    absl::StatusOr<std::vector<catalog::v1::Indication>> found =
        catalog()->BatchGetIndications({request.indication()}, deadline);
    if (absl::IsNotFound(found.status())) {
      return absl::NotFoundError(absl::StrCat("indication: ", request.indication(), " not found"));
    }
    if (!found.ok()) return found.status();
    *out.mutable_indication() = found->front();
  }

  // The indication and, unless exact, its sub-indications at any depth
  // (breadth-first over the catalog's parent postings).
  std::vector<std::string> covered = {request.indication()};
  if (!request.exact_indication()) {
    std::set<std::string> seen(covered.begin(), covered.end());
    for (size_t next = 0; next < covered.size(); ++next) {
      catalog::v1::ListIndicationsRequest r;
      r.set_filter(absl::StrCat("parent = \"", covered[next], "\""));
      r.set_page_size(kMaxPageSize);
      for (;;) {
        Record(calls, Method(kCatalogService, "ListIndications"), r);
        absl::StatusOr<catalog::v1::ListIndicationsResponse> page =
            catalog()->ListIndications(r, deadline);
        if (!page.ok()) return page.status();
        for (const auto& child : page->indications()) {
          if (seen.insert(child.name()).second) covered.push_back(child.name());
        }
        if (page->next_page_token().empty()) break;
        r.set_page_token(page->next_page_token());
      }
    }
  }
  out.mutable_indications_covered()->Add(covered.begin(), covered.end());
  const std::vector<std::string> indication_filters = OrFilters("indication", covered);
  if (indication_filters.size() != 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("indication: ", request.indication(), " has too many sub-indications (",
                     covered.size(), "); ask with exact_indication"));
  }

  catalog::v1::ListProductsRequest products_request;
  products_request.set_filter(indication_filters.front());
  products_request.set_order_by("highest_stage desc, name");
  products_request.set_page_size(*limit);
  products_request.set_page_token(catalog_token);
  products_request.set_show_total_size(true);
  Record(calls, Method(kCatalogService, "ListProducts"), products_request);
  absl::StatusOr<catalog::v1::ListProductsResponse> products =
      catalog()->ListProducts(products_request, deadline);
  if (!products.ok()) return products.status();
  out.set_total_products(products->total_size());
  if (!products->next_page_token().empty()) {
    out.set_next_page_token(EncodePageToken(
        query, absl::StrCat(offset + products->products_size(), "|", products->next_page_token())));
  }

  // The trials of the page's products, a few filters at a time.
  std::vector<std::string> names;
  std::set<std::string> sponsor_set;
  for (const Product& p : products->products()) {
    names.push_back(p.name());
    sponsor_set.insert(p.sponsors().begin(), p.sponsors().end());
  }
  std::map<std::string, std::vector<catalog::v1::Trial>> trials_of;
  for (const std::string& filter : OrFilters("product", names)) {
    catalog::v1::ListTrialsRequest r;
    r.set_filter(filter);
    r.set_order_by("start_date");
    r.set_page_size(kMaxPageSize);
    for (;;) {
      Record(calls, Method(kCatalogService, "ListTrials"), r);
      absl::StatusOr<catalog::v1::ListTrialsResponse> page = catalog()->ListTrials(r, deadline);
      if (!page.ok()) return page.status();
      for (const catalog::v1::Trial& t : page->trials()) {
        for (const std::string& p : t.products()) trials_of[p].push_back(t);
      }
      if (page->next_page_token().empty()) break;
      r.set_page_token(page->next_page_token());
    }
  }

  std::map<std::string, catalog::v1::Organization> sponsors;
  const std::vector<std::string> sponsor_names(sponsor_set.begin(), sponsor_set.end());
  for (size_t i = 0; i < sponsor_names.size(); i += kMaxPageSize) {
    std::vector<std::string> chunk(
        sponsor_names.begin() + i,
        sponsor_names.begin() + std::min(sponsor_names.size(), i + kMaxPageSize));
    catalog::v1::BatchGetOrganizationsRequest r;
    for (const std::string& n : chunk) r.add_names(n);
    Record(calls, Method(kCatalogService, "BatchGetOrganizations"), r);
    absl::StatusOr<std::vector<catalog::v1::Organization>> orgs =
        catalog()->BatchGetOrganizations(chunk, deadline);
    if (!orgs.ok()) return orgs.status();
    for (auto& o : *orgs) sponsors[o.name()] = std::move(o);
  }

  absl::StatusOr<std::vector<std::string>> patient_facts =
      PostingIdsOf("marketFacts", "metric", "patients_treated");
  if (!patient_facts.ok()) return patient_facts.status();
  int rank = offset;
  for (const Product& p : products->products()) {
    v1::LandscapeEntry* e = out.add_entries();
    e->set_rank(++rank);
    *e->mutable_product() = p;
    for (const std::string& sponsor : p.sponsors()) {
      v1::LandscapeSponsor* ls = e->add_sponsors();
      ls->set_organization(sponsor);
      auto it = sponsors.find(sponsor);
      if (it != sponsors.end()) {
        ls->set_display_name(it->second.display_name());
        ls->set_country_code(it->second.country_code());
      }
    }
    for (const catalog::v1::Trial& t : trials_of[p.name()]) *e->add_trials() = t;
    if (p.patients_treated() > 0) {
      v1::PatientsTreated* pt = e->add_patients_treated();
      pt->set_value(p.patients_treated());
      pt->set_record(p.name());
      *pt->mutable_sources() = p.sources();
    }
    absl::StatusOr<std::vector<std::string>> facts =
        PostingIdsOf("marketFacts", "product", p.name());
    if (!facts.ok()) return facts.status();
    std::vector<std::string> treated;
    std::set_intersection(facts->begin(), facts->end(), patient_facts->begin(),
                          patient_facts->end(), std::back_inserter(treated));
    for (const std::string& id : treated) {
      MarketFact f;
      absl::StatusOr<bool> found = market_facts_.FindRaw(id, &f);
      if (!found.ok()) return found.status();
      if (!*found) continue;
      v1::PatientsTreated* pt = e->add_patients_treated();
      pt->set_value(static_cast<int64_t>(std::llround(f.value())));
      pt->set_bound(f.bound());
      *pt->mutable_as_of() = f.as_of();
      pt->set_qualifier(f.qualifier());
      pt->set_record(f.name());
      *pt->mutable_sources() = f.sources();
    }
    absl::StatusOr<std::vector<std::string>> prices =
        PostingIdsOf("pricePoints", "product", p.name());
    if (!prices.ok()) return prices.status();
    for (const std::string& id : *prices) {
      PricePoint price;
      absl::StatusOr<bool> found = price_points_.FindRaw(id, &price);
      if (!found.ok()) return found.status();
      if (*found) *e->add_price_points() = std::move(price);
    }
  }

  for (const std::string& indication : covered) {
    absl::StatusOr<std::vector<std::string>> epi =
        PostingIdsOf("epidemiologyFacts", "indication", indication);
    if (!epi.ok()) return epi.status();
    for (const std::string& id : *epi) {
      EpidemiologyFact f;
      absl::StatusOr<bool> found = epidemiology_facts_.FindRaw(id, &f);
      if (!found.ok()) return found.status();
      if (*found) *out.add_epidemiology() = std::move(f);
    }
  }
  return out;
}

// ---- ComparePrices ---------------------------------------------------------------------

absl::StatusOr<v1::PriceComparison> Analytics::ComparePrices(
    const v1::ComparePricesRequest& request, absl::Time deadline) const {
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
    absl::StatusOr<std::string> id = ParseResourceName(request.products(i), "products", field);
    if (!id.ok()) return id.status();
    if (!index_of.emplace(request.products(i), i).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ": ", request.products(i), " is listed twice"));
    }
    product_refs.push_back({field, request.products(i)});
  }
  absl::Status s = ValidateCurrency(request.currency_code(), "currency_code");
  if (!s.ok()) return s;
  if (!request.jurisdiction().empty()) {
    s = ValidateJurisdiction(request.jurisdiction(), "jurisdiction");
    if (!s.ok()) return s;
  }
  const bool has_fx_date = request.has_fx_date() && IsSet(request.fx_date());
  if (request.has_fx_date()) {
    s = ValidatePartialDate(request.fx_date(), "fx_date");
    if (!s.ok()) return s;
  }
  std::vector<std::optional<PricePoint>> chosen(request.products_size());
  for (int i = 0; i < request.price_points_size(); ++i) {
    const std::string field = absl::StrCat("price_points[", i, "]");
    absl::StatusOr<std::string> id =
        ParseResourceName(request.price_points(i), "pricePoints", field);
    if (!id.ok()) return id.status();
    PricePoint p;
    absl::StatusOr<bool> found = price_points_.FindRaw(*id, &p);
    if (!found.ok()) return found.status();
    if (!*found) {
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
  s = RequireCatalog();
  if (!s.ok()) return s;

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
  absl::StatusOr<std::vector<Product>> products =
      catalog()->BatchGetProducts(product_names, deadline);
  if (absl::IsNotFound(products.status())) {
    s = CheckRefs(product_refs, deadline);
    return s.ok() ? products.status() : s;
  }
  if (!products.ok()) return products.status();

  std::vector<std::optional<double>> per_dose(request.products_size());
  std::vector<std::optional<double>> per_course(request.products_size());
  for (int i = 0; i < request.products_size(); ++i) {
    const std::string& product = request.products(i);
    absl::StatusOr<std::vector<std::string>> ids = PostingIdsOf("pricePoints", "product", product);
    if (!ids.ok()) return ids.status();
    std::vector<PricePoint> candidates;
    for (const std::string& id : *ids) {
      PricePoint p;
      absl::StatusOr<bool> found = price_points_.FindRaw(id, &p);
      if (!found.ok()) return found.status();
      if (*found) candidates.push_back(std::move(p));
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

    // The date whose rate converts this price.
    const std::string& from = price.amount().currency_code();
    PartialDate date;
    std::string date_origin;
    if (from != request.currency_code()) {
      if (has_fx_date) {
        date = request.fx_date();
        date_origin = "request.fx_date";
      } else if (IsSet(price.as_of())) {
        date = price.as_of();
        date_origin = "price_point.as_of";
      } else {
        std::vector<std::string> sources;
        for (const auto& c : price.sources()) sources.push_back(c.source());
        catalog::v1::BatchGetSourcesRequest r;
        for (const std::string& n : sources) r.add_names(n);
        Record(calls, Method(kCatalogService, "BatchGetSources"), r);
        absl::StatusOr<std::vector<catalog::v1::Source>> found =
            catalog()->BatchGetSources(sources, deadline);
        if (!found.ok()) return found.status();
        for (const auto& src : *found) {
          if (IsSet(src.publication_date())) {
            date = src.publication_date();
            date_origin = absl::StrCat("publication date of ", src.name());
            break;
          }
        }
        if (!IsSet(date)) {
          return absl::FailedPreconditionError(
              absl::StrCat("products[", i, "]: ", price.name(),
                           " has no as_of date and its sources no publication date; set fx_date"));
        }
      }
    } else if (IsSet(price.as_of())) {
      date = price.as_of();
      date_origin = "price_point.as_of";
    }
    absl::StatusOr<v1::FxConversion> conversion =
        Convert(from, request.currency_code(), date, date_origin);
    if (!conversion.ok()) return conversion.status();
    *pp->mutable_conversion() = *conversion;
    const double original = ToDouble(price.amount());
    const double amount = original * conversion->multiplier();
    const std::string& to = request.currency_code();
    if (conversion->method() != v1::FX_METHOD_IDENTITY) {
      *pp->add_steps() =
          Step(absl::StrCat("price in ", to, " = price in ", from, " × FX ", from, "→", to),
               original, "×", conversion->multiplier(), amount, to);
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

// ---- EstimateMarketSize ------------------------------------------------------------------

absl::StatusOr<v1::MarketSizeEstimate> Analytics::EstimateMarketSize(
    const v1::EstimateMarketSizeRequest& request, absl::Time deadline) const {
  v1::MarketSizeEstimate out;
  // Patients.
  double patients = 0;
  v1::ComputationInput patients_input;
  patients_input.set_field("patients");
  patients_input.set_unit("patients");
  switch (request.patients_case()) {
    case v1::EstimateMarketSizeRequest::kEpidemiologyFact: {
      absl::StatusOr<std::string> id =
          ParseResourceName(request.epidemiology_fact(), "epidemiologyFacts", "epidemiology_fact");
      if (!id.ok()) return id.status();
      EpidemiologyFact f;
      absl::StatusOr<bool> found = epidemiology_facts_.FindRaw(*id, &f);
      if (!found.ok()) return found.status();
      if (!*found) {
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
  absl::Status s = ValidateShare(eligible, "eligible_share");
  if (!s.ok()) return s;
  const std::optional<double> uptake =
      request.has_uptake() ? std::optional<double>(request.uptake()) : std::nullopt;
  s = ValidateShare(uptake, "uptake");
  if (!s.ok()) return s;
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
    s = ValidateCurrency(request.currency_code(), "currency_code");
    if (!s.ok()) return s;
  }
  if (request.has_fx_date()) {
    s = ValidatePartialDate(request.fx_date(), "fx_date");
    if (!s.ok()) return s;
  }

  // Price per course.
  std::vector<v1::ArithmeticStep> price_steps;
  v1::ComputationInput price_input;
  std::optional<v1::ComputationInput> doses_input;
  double course_price = 0;
  std::string price_currency;
  PartialDate price_date;
  std::string price_date_origin;
  switch (request.price_case()) {
    case v1::EstimateMarketSizeRequest::kPricePoint: {
      absl::StatusOr<std::string> id =
          ParseResourceName(request.price_point(), "pricePoints", "price_point");
      if (!id.ok()) return id.status();
      PricePoint p;
      absl::StatusOr<bool> found = price_points_.FindRaw(*id, &p);
      if (!found.ok()) return found.status();
      if (!*found) {
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
      if (IsSet(p.as_of())) {
        price_date = p.as_of();
        price_date_origin = "price_point.as_of";
      }
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
      s = internal::ValidateMoney(request.price_per_course(), "price_per_course", true);
      if (!s.ok()) return s;
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
  if (currency != price_currency) {
    if (request.has_fx_date() && IsSet(request.fx_date())) {
      price_date = request.fx_date();
      price_date_origin = "request.fx_date";
    } else if (!IsSet(price_date) &&
               request.price_case() == v1::EstimateMarketSizeRequest::kPricePerCourse) {
      return absl::InvalidArgumentError(absl::StrCat("fx_date: required to convert the given ",
                                                     price_currency, " price to ", currency));
    } else if (!IsSet(price_date)) {
      // A stored price without as-of date: its sources' publication date.
      if (absl::Status c = RequireCatalog(); !c.ok()) return c;
      std::vector<std::string> sources;
      for (const auto& c : price_input.sources()) sources.push_back(c.source());
      catalog::v1::BatchGetSourcesRequest r;
      for (const std::string& n : sources) r.add_names(n);
      Record(out.mutable_upstream_calls(), Method(kCatalogService, "BatchGetSources"), r);
      absl::StatusOr<std::vector<catalog::v1::Source>> found =
          catalog()->BatchGetSources(sources, deadline);
      if (!found.ok()) return found.status();
      for (const auto& src : *found) {
        if (IsSet(src.publication_date())) {
          price_date = src.publication_date();
          price_date_origin = absl::StrCat("publication date of ", src.name());
          break;
        }
      }
      if (!IsSet(price_date)) {
        return absl::FailedPreconditionError(
            absl::StrCat("price_point: ", price_input.record(),
                         " has no as_of date and its sources no publication date; set fx_date"));
      }
    }
  }
  absl::StatusOr<v1::FxConversion> conversion =
      Convert(price_currency, currency, price_date, price_date_origin);
  if (!conversion.ok()) return conversion.status();
  if (conversion->method() != v1::FX_METHOD_IDENTITY) {
    const double converted = course_price * conversion->multiplier();
    price_steps.push_back(Step(
        absl::StrCat("price per course in ", currency, " = price per course in ", price_currency,
                     " × FX ", price_currency, "→", currency),
        course_price, "×", conversion->multiplier(), converted, absl::StrCat(currency, "/course")));
    course_price = converted;
    *out.mutable_conversion() = *conversion;
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

// ---- ComputeApprovalStatistics ---------------------------------------------------------------

absl::StatusOr<v1::ApprovalStatistics> Analytics::ComputeApprovalStatistics(
    const v1::ComputeApprovalStatisticsRequest& request, absl::Time deadline) const {
  std::set<int> categories;
  for (int i = 0; i < request.cell_categories_size(); ++i) {
    absl::Status s = ValidateEnum(request.cell_categories(i), catalog::v1::CellCategory_IsValid,
                                  true, absl::StrCat("cell_categories[", i, "]"));
    if (!s.ok()) return s;
    categories.insert(request.cell_categories(i));
  }
  if (options_.timeline == nullptr) {
    return absl::FailedPreconditionError(
        "timeline: analytics is not connected to the regulatory timeline");
  }
  absl::Status s = RequireCatalog();
  if (!s.ok()) return s;

  v1::ApprovalStatistics out;
  out.set_filter(request.filter());
  *out.mutable_cell_categories() = request.cell_categories();
  auto* calls = out.mutable_upstream_calls();

  std::string filter = "(type = EVENT_TYPE_APPROVAL OR type = EVENT_TYPE_CONDITIONAL_APPROVAL)";
  if (!absl::StripAsciiWhitespace(request.filter()).empty()) {
    absl::StrAppend(&filter, " AND (", request.filter(), ")");
  }
  // Approvals are few (hundreds worldwide), so all of them are read.
  std::vector<timeline::v1::Event> events;
  timeline::v1::ListEventsRequest list;
  list.set_filter(filter);
  list.set_page_size(kMaxPageSize);
  for (;;) {
    Record(calls, Method(kTimelineService, "ListEvents"), list);
    absl::StatusOr<timeline::v1::ListEventsResponse> page =
        options_.timeline->ListEvents(list, deadline);
    if (!page.ok()) {
      // The caller's filter is the only part that can be wrong.
      if (absl::IsInvalidArgument(page.status()) &&
          !absl::StartsWith(page.status().message(), "filter")) {
        return absl::InvalidArgumentError(absl::StrCat("filter: ", page.status().message()));
      }
      return page.status();
    }
    for (auto& e : *page->mutable_events()) events.push_back(std::move(e));
    if (page->next_page_token().empty()) break;
    list.set_page_token(page->next_page_token());
  }

  std::set<std::string> product_set;
  for (const auto& e : events) product_set.insert(e.products().begin(), e.products().end());
  const std::vector<std::string> product_names(product_set.begin(), product_set.end());
  std::map<std::string, Product> products;
  for (size_t i = 0; i < product_names.size(); i += kMaxPageSize) {
    std::vector<std::string> chunk(
        product_names.begin() + i,
        product_names.begin() + std::min(product_names.size(), i + kMaxPageSize));
    catalog::v1::BatchGetProductsRequest r;
    for (const std::string& n : chunk) r.add_names(n);
    Record(calls, Method(kCatalogService, "BatchGetProducts"), r);
    absl::StatusOr<std::vector<Product>> got = catalog()->BatchGetProducts(chunk, deadline);
    if (!got.ok()) return got.status();
    for (auto& p : *got) products[p.name()] = std::move(p);
  }

  // Time from IND clearance, as the timeline computes it per jurisdiction.
  std::map<std::string, timeline::v1::MilestoneInterval> ind_by_event;
  if (!product_names.empty()) {
    for (timeline::v1::EventType to :
         {timeline::v1::EVENT_TYPE_APPROVAL, timeline::v1::EVENT_TYPE_CONDITIONAL_APPROVAL}) {
      timeline::v1::ComputeMilestoneIntervalsRequest r;
      r.set_from_type(timeline::v1::EVENT_TYPE_IND_CLEARANCE);
      r.set_to_type(to);
      r.set_per_jurisdiction(true);
      for (const std::string& n : product_names) r.add_products(n);
      Record(calls, Method(kTimelineService, "ComputeMilestoneIntervals"), r);
      absl::StatusOr<timeline::v1::ComputeMilestoneIntervalsResponse> intervals =
          options_.timeline->ComputeMilestoneIntervals(r, deadline);
      if (!intervals.ok()) return intervals.status();
      for (const auto& iv : intervals->intervals()) {
        ind_by_event[absl::StrCat(iv.to_event(), "|", iv.product())] = iv;
      }
    }
  }

  struct GroupKey {
    std::string jurisdiction;
    int year;
    int category;
    bool operator<(const GroupKey& o) const {
      return std::tie(jurisdiction, year, category) < std::tie(o.jurisdiction, o.year, o.category);
    }
  };
  std::map<GroupKey, std::pair<int, std::set<std::string>>> groups;
  std::vector<double> from_trial, from_ind;
  std::vector<v1::ApprovalRecord> records;
  for (const auto& e : events) {
    if (e.products().empty()) {
      out.add_events_without_products(e.name());
      continue;
    }
    for (const std::string& name : e.products()) {
      auto it = products.find(name);
      if (it == products.end()) continue;
      const Product& p = it->second;
      if (!categories.empty() && !categories.count(p.cell_category())) continue;
      v1::ApprovalRecord rec;
      rec.set_product(p.name());
      rec.set_display_name(p.display_name());
      rec.set_cell_category(p.cell_category());
      rec.set_cell_source(p.cell_source());
      rec.set_event(e.name());
      rec.set_type(e.type());
      rec.set_jurisdiction(e.jurisdiction());
      rec.set_agency(e.agency());
      *rec.mutable_date() = e.date();
      *rec.mutable_sources() = e.sources();
      // A first trial that starts after the approval (a post-approval
      // study) says nothing about the time to approval.
      if (IsSet(p.first_trial_start()) && IsSet(e.date()) &&
          LastDay(e.date()) >= FirstDay(p.first_trial_start())) {
        *rec.mutable_from_first_trial_start() =
            Span(absl::StrCat(p.name(), ".first_trial_start"), p.first_trial_start(), e.date());
        from_trial.push_back(rec.from_first_trial_start().estimate_days());
      }
      auto ind = ind_by_event.find(absl::StrCat(e.name(), "|", p.name()));
      if (ind != ind_by_event.end()) {
        v1::MilestoneSpan* span = rec.mutable_from_ind_clearance();
        span->set_from_record(ind->second.from_event());
        *span->mutable_from_date() = ind->second.from_date();
        *span->mutable_to_date() = ind->second.to_date();
        span->set_min_days(ind->second.min_days());
        span->set_max_days(ind->second.max_days());
        span->set_estimate_days(ind->second.estimate_days());
        from_ind.push_back(span->estimate_days());
      }
      auto& group = groups[{e.jurisdiction(), e.date().year(), p.cell_category()}];
      ++group.first;
      group.second.insert(p.name());
      records.push_back(std::move(rec));
    }
  }
  std::stable_sort(records.begin(), records.end(),
                   [](const v1::ApprovalRecord& a, const v1::ApprovalRecord& b) {
                     const int c = ComparePartialDates(a.date(), b.date());
                     if (c != 0) return c < 0;
                     return a.product() < b.product();
                   });
  for (auto& r : records) *out.add_approvals() = std::move(r);
  for (const auto& [key, value] : groups) {
    v1::ApprovalGroup* g = out.add_groups();
    g->set_jurisdiction(key.jurisdiction);
    g->set_year(key.year);
    g->set_cell_category(static_cast<catalog::v1::CellCategory>(key.category));
    g->set_approvals(value.first);
    for (const std::string& p : value.second) g->add_products(p);
  }
  *out.mutable_first_trial_start_to_approval() = Summarize(std::move(from_trial));
  *out.mutable_ind_clearance_to_approval() = Summarize(std::move(from_ind));
  return out;
}

}  // namespace regenatlas::analytics
