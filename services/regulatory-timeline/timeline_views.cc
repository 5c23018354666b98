// The timeline's computed views: a product's timeline (its events and the
// catalog's trial starts, undated events last), milestone intervals between
// two event types, and the firsts of an event type per jurisdiction and
// group (both leave undated events out and name them).

#include <algorithm>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/dates.h"
#include "common/paging.h"
#include "common/resource_name.h"
#include "common/status_macros.h"
#include "common/validation.h"
#include "services/regulatory-timeline/timeline.h"
#include "services/regulatory-timeline/timeline_internal.h"
#include "storage/key.h"

namespace regenatlas::timeline {
namespace {

using internal::kIndexCf;
using timeline::v1::EventType;

double MidDay(const common::v1::PartialDate& d) {
  return (static_cast<double>(FirstDay(d)) + static_cast<double>(LastDay(d))) / 2.0;
}

}  // namespace

absl::StatusOr<std::vector<Event>> Timeline::EventsOfType(EventType type) const {
  ASSIGN_OR_RETURN(
      std::vector<std::string> ids,
      PostingIds(*store_, kIndexCf, "events", "type",
                 internal::EnumName(timeline::v1::EventType_descriptor(), type), nullptr));
  std::vector<Event> out;
  for (const std::string& id : ids) {
    Event e;
    ASSIGN_OR_RETURN(bool found, events_.FindRaw(id, &e));
    if (found) out.push_back(std::move(e));
  }
  return out;
}

absl::StatusOr<timeline::v1::ProductTimeline> Timeline::GetProductTimeline(
    absl::string_view product) const {
  ASSIGN_OR_RETURN(std::string id, ParseResourceName(product, "products", "product"));
  const std::string name = absl::StrCat("products/", id);
  timeline::v1::ProductTimeline out;
  out.set_product(name);
  absl::Status exists = catalog_->CheckExist({name}, {"product"});
  if (absl::IsInvalidArgument(exists)) return absl::NotFoundError(absl::StrCat(name, " not found"));
  std::vector<timeline::v1::TimelineItem> items;
  ASSIGN_OR_RETURN(std::vector<std::string> ids,
                   PostingIds(*store_, kIndexCf, "events", "product", name, nullptr));
  for (const std::string& eid : ids) {
    Event e;
    ASSIGN_OR_RETURN(bool found, events_.FindRaw(eid, &e));
    if (!found) continue;
    timeline::v1::TimelineItem item;
    *item.mutable_date() = e.date();
    item.set_date_inferred(e.date_inferred());
    item.set_date_unknown(!IsSet(e.date()));
    item.set_origin(timeline::v1::TIMELINE_ITEM_ORIGIN_EVENT);
    item.set_record(e.name());
    item.set_type(e.type());
    item.set_jurisdiction(e.jurisdiction());
    item.set_description(e.description());
    *item.mutable_sources() = e.sources();
    items.push_back(std::move(item));
  }
  if (!exists.ok()) {
    out.set_catalog_error(std::string(exists.message()));
  } else {
    absl::StatusOr<std::vector<catalog::v1::Trial>> trials = catalog_->TrialsOfProduct(name);
    if (!trials.ok()) {
      out.set_catalog_error(std::string(trials.status().message()));
    } else {
      for (const auto& t : *trials) {
        if (!IsSet(t.start_date())) continue;
        timeline::v1::TimelineItem item;
        *item.mutable_date() = t.start_date();
        item.set_origin(timeline::v1::TIMELINE_ITEM_ORIGIN_CATALOG_TRIAL);
        item.set_record(t.name());
        item.set_type(timeline::v1::EVENT_TYPE_TRIAL_START);
        item.set_jurisdiction(absl::StrJoin(t.countries(), ","));
        item.set_description(absl::StrCat(
            t.primary_id().id().empty() ? t.name() : t.primary_id().id(), " starts (",
            t.phase_text().empty() ? common::v1::DevelopmentStage_Name(t.phase()) : t.phase_text(),
            ")"));
        *item.mutable_sources() = t.sources();
        items.push_back(std::move(item));
      }
    }
  }
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) {
    if (a.date_unknown() != b.date_unknown()) return b.date_unknown();  // undated last
    int c = ComparePartialDates(a.date(), b.date());
    if (c != 0) return c < 0;
    if (a.origin() != b.origin()) return a.origin() > b.origin();  // trials first on a tie
    return a.record() < b.record();
  });
  for (auto& item : items) *out.add_items() = std::move(item);
  return out;
}

// ---- Intervals and firsts ----------------------------------------------------

absl::StatusOr<timeline::v1::ComputeMilestoneIntervalsResponse> Timeline::ComputeMilestoneIntervals(
    const timeline::v1::ComputeMilestoneIntervalsRequest& request) const {
  RETURN_IF_ERROR(
      ValidateEnum(request.from_type(), timeline::v1::EventType_IsValid, true, "from_type"));
  RETURN_IF_ERROR(
      ValidateEnum(request.to_type(), timeline::v1::EventType_IsValid, true, "to_type"));
  if (request.from_type() == request.to_type()) {
    return absl::InvalidArgumentError("to_type: must differ from from_type");
  }
  std::set<std::string> only;
  for (int i = 0; i < request.products_size(); ++i) {
    RETURN_IF_ERROR(
        ParseResourceName(request.products(i), "products", absl::StrCat("products[", i, "]"))
            .status());
    only.insert(request.products(i));
  }
  ASSIGN_OR_RETURN(std::vector<Event> from, EventsOfType(request.from_type()));
  ASSIGN_OR_RETURN(std::vector<Event> to, EventsOfType(request.to_type()));
  timeline::v1::ComputeMilestoneIntervalsResponse response;
  // Earliest event of each type per (product, jurisdiction if asked). An
  // undated event has no place in time: it is left out and named in the
  // response, never taken as the earliest.
  std::set<std::string> undated;
  auto earliest = [&](const std::vector<Event>& events) {
    std::map<std::pair<std::string, std::string>, const Event*> out;
    for (const Event& e : events) {
      for (const std::string& p : e.products()) {
        if (!only.empty() && !only.count(p)) continue;
        if (!IsSet(e.date())) {
          undated.insert(e.name());
          continue;
        }
        auto key = std::make_pair(p, request.per_jurisdiction() ? e.jurisdiction() : "");
        auto it = out.find(key);
        if (it == out.end() || ComparePartialDates(e.date(), it->second->date()) < 0) out[key] = &e;
      }
    }
    return out;
  };
  auto from_by = earliest(from);
  auto to_by = earliest(to);
  for (const std::string& name : undated) response.add_undated_events(name);
  std::vector<double> estimates;
  for (const auto& [key, a] : from_by) {
    auto it = to_by.find(key);
    if (it == to_by.end()) continue;
    const Event* b = it->second;
    const int64_t max_days = LastDay(b->date()) - FirstDay(a->date());
    if (max_days < 0) continue;  // the second milestone ends before the first begins
    timeline::v1::MilestoneInterval* iv = response.add_intervals();
    iv->set_product(key.first);
    iv->set_jurisdiction(key.second);
    iv->set_from_event(a->name());
    iv->set_to_event(b->name());
    *iv->mutable_from_date() = a->date();
    *iv->mutable_to_date() = b->date();
    iv->set_from_date_inferred(a->date_inferred());
    iv->set_to_date_inferred(b->date_inferred());
    iv->set_min_days(
        static_cast<int32_t>(std::max<int64_t>(0, FirstDay(b->date()) - LastDay(a->date()))));
    iv->set_max_days(static_cast<int32_t>(max_days));
    const double estimate = std::max(0.0, MidDay(b->date()) - MidDay(a->date()));
    iv->set_estimate_days(estimate);
    estimates.push_back(estimate);
  }
  if (!estimates.empty()) {
    std::sort(estimates.begin(), estimates.end());
    const size_t n = estimates.size();
    auto* summary = response.mutable_summary();
    summary->set_count(static_cast<int32_t>(n));
    summary->set_min_days(estimates.front());
    summary->set_max_days(estimates.back());
    summary->set_median_days(n % 2 == 1 ? estimates[n / 2]
                                        : (estimates[n / 2 - 1] + estimates[n / 2]) / 2.0);
  }
  return response;
}

absl::StatusOr<timeline::v1::ListFirstsResponse> Timeline::ListFirsts(
    const timeline::v1::ListFirstsRequest& request) const {
  RETURN_IF_ERROR(ValidateEnum(request.type(), timeline::v1::EventType_IsValid, true, "type"));
  const timeline::v1::FirstDimension dimension = request.dimension();
  RETURN_IF_ERROR(
      ValidateEnum(dimension, timeline::v1::FirstDimension_IsValid, false, "dimension"));
  const bool grouped = dimension != timeline::v1::FIRST_DIMENSION_UNSPECIFIED;
  std::set<std::string> jurisdictions;
  for (int i = 0; i < request.jurisdictions_size(); ++i) {
    RETURN_IF_ERROR(
        ValidateJurisdiction(request.jurisdictions(i), absl::StrCat("jurisdictions[", i, "]")));
    jurisdictions.insert(request.jurisdictions(i));
  }
  std::set<int> types = {request.type()};
  for (int i = 0; i < request.also_types_size(); ++i) {
    RETURN_IF_ERROR(ValidateEnum(request.also_types(i), timeline::v1::EventType_IsValid, true,
                                 absl::StrCat("also_types[", i, "]")));
    types.insert(request.also_types(i));
  }
  ASSIGN_OR_RETURN(int limit, NormalizePageSize(request.page_size()));
  // The page token is bound to everything that decides the list.
  const std::string query = absl::StrCat("firsts|", absl::StrJoin(types, ","), "|", dimension, "|",
                                         absl::StrJoin(jurisdictions, ","));
  std::string after;
  if (!request.page_token().empty()) {
    ASSIGN_OR_RETURN(std::string position, DecodePageToken(request.page_token(), query));
    after = std::move(position);
  }
  // Each type once, however often the request names it.
  std::vector<Event> events;
  for (int type : types) {
    ASSIGN_OR_RETURN(std::vector<Event> of_type,
                     EventsOfType(static_cast<timeline::v1::EventType>(type)));
    for (Event& e : of_type) events.push_back(std::move(e));
  }
  // Cell classification of every product involved, from the catalog.
  std::map<std::string, std::string> group_of;
  if (grouped) {
    std::set<std::string> names;
    for (const Event& e : events) names.insert(e.products().begin(), e.products().end());
    ASSIGN_OR_RETURN(std::vector<catalog::v1::Product> products,
                     catalog_->GetProducts({names.begin(), names.end()}));
    for (const auto& p : products) {
      std::string v =
          dimension == timeline::v1::FIRST_DIMENSION_CELL_SOURCE
              ? catalog::v1::CellSource_Name(p.cell_source()).substr(strlen("CELL_SOURCE_"))
          : dimension == timeline::v1::FIRST_DIMENSION_CELL_TYPE
              ? catalog::v1::CellType_Name(p.cell_type()).substr(strlen("CELL_TYPE_"))
              : catalog::v1::CellCategory_Name(p.cell_category()).substr(strlen("CELL_CATEGORY_"));
      group_of[p.name()] = v;
    }
  }
  std::map<std::pair<std::string, std::string>, std::vector<const Event*>> groups;
  // Undated events cannot be first (or tied): left out, named in the response.
  std::set<std::string> undated;
  for (const Event& e : events) {
    if (!jurisdictions.empty() && !jurisdictions.count(e.jurisdiction())) continue;
    if (!IsSet(e.date())) {
      undated.insert(e.name());
      continue;
    }
    std::set<std::string> keys;
    if (!grouped) {
      keys.insert("");
    } else if (e.products().empty()) {
      keys.insert("(no product)");
    } else {
      for (const std::string& p : e.products()) {
        auto it = group_of.find(p);
        keys.insert(it == group_of.end() ? "(unknown product)" : it->second);
      }
    }
    for (const std::string& k : keys) groups[{e.jurisdiction(), k}].push_back(&e);
  }
  // Groups in (jurisdiction, group) order; the page token holds the
  // position of the last group returned.
  timeline::v1::ListFirstsResponse response;
  for (const std::string& name : undated) response.add_undated_events(name);
  std::string last_position;
  for (auto& [key, list] : groups) {
    std::string position = storage::Key().String(key.first).String(key.second).Release();
    if (!after.empty() && position <= after) continue;
    if (response.firsts_size() == limit) {
      response.set_next_page_token(EncodePageToken(query, last_position));
      break;
    }
    last_position = std::move(position);
    std::sort(list.begin(), list.end(), [](const Event* a, const Event* b) {
      int c = ComparePartialDates(a->date(), b->date());
      return c != 0 ? c < 0 : a->name() < b->name();
    });
    const Event* first = list.front();
    timeline::v1::First* f = response.add_firsts();
    f->set_jurisdiction(key.first);
    f->set_group(key.second);
    *f->mutable_event() = *first;
    // Others that may have come first: their period overlaps the first's.
    for (size_t i = 1; i < list.size(); ++i) {
      if (FirstDay(list[i]->date()) <= LastDay(first->date())) f->add_tied_with(list[i]->name());
    }
  }
  return response;
}

}  // namespace regenatlas::timeline
