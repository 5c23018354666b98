// The timeline's data-quality report (ListDataIssues): INFERRED_DATE for
// every event and policy whose date the curator inferred (date_inferred),
// computed from the records on each call; filtered and paged by
// common/data_issues.h like the other services' reports.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/data_issues.h"
#include "common/dates.h"
#include "common/paging.h"
#include "common/status_macros.h"
#include "services/regulatory-timeline/timeline.h"

namespace regenatlas::timeline {
namespace {

using common::v1::DataIssue;

// The finding for one record with an inferred date; `what` is "event" or
// "policy".
template <typename T>
DataIssue InferredDate(const T& record, absl::string_view what) {
  DataIssue d;
  d.set_kind(common::v1::DATA_ISSUE_KIND_INFERRED_DATE);
  d.set_record(record.name());
  d.set_field("date");
  const std::string date = FormatPartialDate(record.date());
  d.set_description(absl::StrCat("the ", what, "'s date ", date,
                                 " is the curator's inference; no document prints it",
                                 record.date_note().empty() ? "" : " (", record.date_note(),
                                 record.date_note().empty() ? "" : ")"));
  d.add_values(date);
  *d.mutable_citations() = record.sources();
  return d;
}

// Every record of a List method matching `filter`, page by page.
template <typename T, typename List>
absl::Status ForAll(const List& list, const std::string& filter,
                    const std::function<void(const T&)>& fn) {
  ListQuery q;
  q.filter = filter;
  q.page_size = kMaxPageSize;
  for (;;) {
    ASSIGN_OR_RETURN(ListResult<T> page, list(q));
    for (const T& r : page.items) fn(r);
    if (page.next_page_token.empty()) return absl::OkStatus();
    q.page_token = page.next_page_token;
  }
}

}  // namespace

absl::StatusOr<timeline::v1::ListDataIssuesResponse> Timeline::ListDataIssues(
    const timeline::v1::ListDataIssuesRequest& request) const {
  RETURN_IF_ERROR(ValidateDataIssuesRequest(request.page_size(), request.page_token(),
                                            request.filter(), "timeline"));
  std::vector<DataIssue> issues;
  RETURN_IF_ERROR(ForAll<Event>([this](const ListQuery& q) { return ListEvents(q); },
                                "date_inferred = true",
                                [&](const Event& e) {
                                  DataIssue d = InferredDate(e, "event");
                                  *d.mutable_related_records() = e.products();
                                  issues.push_back(std::move(d));
                                }));
  RETURN_IF_ERROR(
      ForAll<Policy>([this](const ListQuery& q) { return ListPolicies(q); }, "date_inferred = true",
                     [&](const Policy& p) { issues.push_back(InferredDate(p, "policy")); }));
  return regenatlas::ListDataIssues<timeline::v1::ListDataIssuesResponse>(std::move(issues),
                                                                          request, "timeline");
}

}  // namespace regenatlas::timeline
