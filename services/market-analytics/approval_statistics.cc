// The ComputeApprovalStatistics view of Analytics: approvals from the
// timeline joined with their products from the catalog, grouped by
// jurisdiction, year and cell category, with the time to approval from the
// first trial start and (as the timeline computes it) from IND clearance.

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/dates.h"
#include "common/paging.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "services/market-analytics/analytics.h"
#include "services/market-analytics/analytics_internal.h"
#include "services/market-analytics/computations_internal.h"

namespace regenatlas::analytics {
namespace {

namespace v1 = ::regenatlas::analytics::v1;
using catalog::v1::Product;
using common::v1::PartialDate;
using internal::kCatalogService;
using internal::kTimelineService;
using internal::Method;
using internal::Record;

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

absl::StatusOr<v1::ApprovalStatistics> Analytics::ComputeApprovalStatistics(
    const v1::ComputeApprovalStatisticsRequest& request) const {
  std::set<int> categories;
  for (int i = 0; i < request.cell_categories_size(); ++i) {
    RETURN_IF_ERROR(ValidateEnum(request.cell_categories(i), catalog::v1::CellCategory_IsValid,
                                 true, absl::StrCat("cell_categories[", i, "]")));
    categories.insert(request.cell_categories(i));
  }
  if (options_.timeline == nullptr) {
    return absl::FailedPreconditionError(
        "timeline: analytics is not connected to the regulatory timeline");
  }
  RETURN_IF_ERROR(RequireCatalog());

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
    absl::StatusOr<timeline::v1::ListEventsResponse> page = options_.timeline->ListEvents(list);
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
    ASSIGN_OR_RETURN(std::vector<Product> got, catalog()->BatchGetProducts(chunk));
    for (auto& p : got) products[p.name()] = std::move(p);
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
      ASSIGN_OR_RETURN(timeline::v1::ComputeMilestoneIntervalsResponse intervals,
                       options_.timeline->ComputeMilestoneIntervals(r));
      for (const auto& iv : intervals.intervals()) {
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
