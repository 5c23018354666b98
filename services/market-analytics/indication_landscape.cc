// The ComputeIndicationLandscape view of Analytics: the products of an
// indication (and its sub-indications) page by page, with their trials,
// sponsors, patients treated and prices, and the indication's epidemiology.

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/paging.h"
#include "common/resource_name.h"
#include "common/status_macros.h"
#include "services/market-analytics/analytics.h"
#include "services/market-analytics/computations_internal.h"

namespace regenatlas::analytics {
namespace {

namespace v1 = ::regenatlas::analytics::v1;
using catalog::v1::Product;
using internal::kCatalogService;
using internal::Method;
using internal::Record;

// Catalog filters longer than this are split (the catalog accepts 8192 bytes).
constexpr size_t kMaxFilterBytes = 6000;

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

}  // namespace

absl::StatusOr<v1::IndicationLandscape> Analytics::ComputeIndicationLandscape(
    const v1::ComputeIndicationLandscapeRequest& request) const {
  RETURN_IF_ERROR(ParseResourceName(request.indication(), "indications", "indication").status());
  ASSIGN_OR_RETURN(int limit, NormalizePageSize(request.page_size()));
  const std::string query = absl::StrCat("landscape|", request.indication(), "|",
                                         request.exact_indication() ? "exact" : "tree");
  int offset = 0;
  std::string catalog_token;
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(std::string position, DecodePageToken(request.page_token(), query));
    std::pair<std::string, std::string> parts = absl::StrSplit(position, absl::MaxSplits('|', 1));
    if (!absl::SimpleAtoi(parts.first, &offset)) {
      return absl::InvalidArgumentError("page_token: malformed");
    }
    catalog_token = parts.second;
  }
  RETURN_IF_ERROR(RequireCatalog());

  v1::IndicationLandscape out;
  auto* calls = out.mutable_upstream_calls();
  {
    catalog::v1::BatchGetIndicationsRequest r;
    r.add_names(request.indication());
    Record(calls, Method(kCatalogService, "BatchGetIndications"), r);
    absl::StatusOr<std::vector<catalog::v1::Indication>> found =
        catalog()->BatchGetIndications({request.indication()});
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
        ASSIGN_OR_RETURN(catalog::v1::ListIndicationsResponse page, catalog()->ListIndications(r));
        for (const auto& child : page.indications()) {
          if (seen.insert(child.name()).second) covered.push_back(child.name());
        }
        if (page.next_page_token().empty()) break;
        r.set_page_token(page.next_page_token());
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
  products_request.set_page_size(limit);
  products_request.set_page_token(catalog_token);
  products_request.set_show_total_size(true);
  Record(calls, Method(kCatalogService, "ListProducts"), products_request);
  ASSIGN_OR_RETURN(catalog::v1::ListProductsResponse products,
                   catalog()->ListProducts(products_request));
  out.set_total_products(products.total_size());
  if (!products.next_page_token().empty()) {
    out.set_next_page_token(EncodePageToken(
        query, absl::StrCat(offset + products.products_size(), "|", products.next_page_token())));
  }

  // The trials of the page's products, a few filters at a time.
  std::vector<std::string> names;
  std::set<std::string> sponsor_set;
  for (const Product& p : products.products()) {
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
      ASSIGN_OR_RETURN(catalog::v1::ListTrialsResponse page, catalog()->ListTrials(r));
      for (const catalog::v1::Trial& t : page.trials()) {
        for (const std::string& p : t.products()) trials_of[p].push_back(t);
      }
      if (page.next_page_token().empty()) break;
      r.set_page_token(page.next_page_token());
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
    ASSIGN_OR_RETURN(std::vector<catalog::v1::Organization> orgs,
                     catalog()->BatchGetOrganizations(chunk));
    for (auto& o : orgs) sponsors[o.name()] = std::move(o);
  }

  ASSIGN_OR_RETURN(std::vector<std::string> patient_facts,
                   PostingIdsOf("marketFacts", "metric", "patients_treated"));
  int rank = offset;
  for (const Product& p : products.products()) {
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
    ASSIGN_OR_RETURN(std::vector<std::string> facts,
                     PostingIdsOf("marketFacts", "product", p.name()));
    std::vector<std::string> treated;
    std::set_intersection(facts.begin(), facts.end(), patient_facts.begin(), patient_facts.end(),
                          std::back_inserter(treated));
    for (const std::string& id : treated) {
      MarketFact f;
      ASSIGN_OR_RETURN(bool found, market_facts_.FindRaw(id, &f));
      if (!found) continue;
      v1::PatientsTreated* pt = e->add_patients_treated();
      pt->set_value(static_cast<int64_t>(std::llround(f.value())));
      pt->set_bound(f.bound());
      *pt->mutable_as_of() = f.as_of();
      pt->set_qualifier(f.qualifier());
      pt->set_record(f.name());
      *pt->mutable_sources() = f.sources();
    }
    ASSIGN_OR_RETURN(std::vector<std::string> prices,
                     PostingIdsOf("pricePoints", "product", p.name()));
    for (const std::string& id : prices) {
      PricePoint price;
      ASSIGN_OR_RETURN(bool found, price_points_.FindRaw(id, &price));
      if (found) *e->add_price_points() = std::move(price);
    }
  }

  for (const std::string& indication : covered) {
    ASSIGN_OR_RETURN(std::vector<std::string> epi,
                     PostingIdsOf("epidemiologyFacts", "indication", indication));
    for (const std::string& id : epi) {
      EpidemiologyFact f;
      ASSIGN_OR_RETURN(bool found, epidemiology_facts_.FindRaw(id, &f));
      if (found) *out.add_epidemiology() = std::move(f);
    }
  }
  return out;
}

}  // namespace regenatlas::analytics
