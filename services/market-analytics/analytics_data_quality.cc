// The analytics data-quality report (ListDataIssues), computed from the
// records on each call: INFERRED_CURRENCY for market facts whose currency
// the curator inferred, STALE_STATEMENT for counts of approved products
// (cell category, region, as of a date) that approval events dated later,
// read from the timeline and the catalog through their client libraries
// (ComputeApprovalStatistics), contradict. Filtered and paged by
// common/data_issues.h like the other services' reports.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "common/data_issues.h"
#include "common/dates.h"
#include "common/paging.h"
#include "common/status_macros.h"
#include "services/market-analytics/analytics.h"

namespace regenatlas::analytics {
namespace {

using common::v1::DataIssue;

// The metric of a count that a later approval can make stale.
constexpr absl::string_view kApprovedCount = "approved_products_count";

DataIssue InferredCurrency(const MarketFact& f) {
  DataIssue d;
  d.set_kind(common::v1::DATA_ISSUE_KIND_INFERRED_CURRENCY);
  d.set_record(f.name());
  d.set_field("unit");
  d.set_description(absl::StrCat("the currency ", f.unit(),
                                 " is the curator's inference; no document prints it"));
  d.add_values(f.unit());
  *d.mutable_citations() = f.sources();
  *d.mutable_related_records() = f.products();
  return d;
}

}  // namespace

absl::StatusOr<analytics::v1::ListDataIssuesResponse> Analytics::ListDataIssues(
    const analytics::v1::ListDataIssuesRequest& request) const {
  RETURN_IF_ERROR(ValidateDataIssuesRequest(request.page_size(), request.page_token(),
                                            request.filter(), "analytics"));
  std::vector<DataIssue> issues;
  std::vector<MarketFact> counts;
  ListQuery q;
  q.page_size = kMaxPageSize;
  for (;;) {
    ASSIGN_OR_RETURN(ListResult<MarketFact> page, List<MarketFact>(q));
    for (MarketFact& f : page.items) {
      if (f.currency_inferred()) issues.push_back(InferredCurrency(f));
      if (f.metric() == kApprovedCount && f.cell_category() != 0 && IsSet(f.as_of()) &&
          !f.region().empty() && f.region() != "GLOBAL") {
        counts.push_back(std::move(f));
      }
    }
    if (page.next_page_token.empty()) break;
    q.page_token = page.next_page_token;
  }
  for (const MarketFact& f : counts) {
    analytics::v1::ComputeApprovalStatisticsRequest r;
    r.add_cell_categories(f.cell_category());
    r.set_filter(absl::StrCat("jurisdiction = ", f.region()));
    ASSIGN_OR_RETURN(analytics::v1::ApprovalStatistics stats, ComputeApprovalStatistics(r),
                     _ << "STALE_STATEMENT of " << f.name());
    // Approvals whose whole period falls after the count's date.
    std::vector<const analytics::v1::ApprovalRecord*> later;
    for (const auto& a : stats.approvals()) {
      if (IsSet(a.date()) && FirstDay(a.date()) > LastDay(f.as_of())) later.push_back(&a);
    }
    if (later.empty()) continue;
    DataIssue d;
    d.set_kind(common::v1::DATA_ISSUE_KIND_STALE_STATEMENT);
    d.set_record(f.name());
    d.set_field("value");
    std::vector<std::string> events;
    for (const auto* a : later) {
      events.push_back(absl::StrCat(a->display_name(), " (", a->event(), ", ",
                                    FormatPartialDate(a->date()), ")"));
    }
    d.set_description(absl::StrCat(
        "states ", f.value(), " approved ", catalog::v1::CellCategory_Name(f.cell_category()),
        " products in ", f.region(), " as of ", FormatPartialDate(f.as_of()),
        "; the timeline records later approvals: ", absl::StrJoin(events, ", ")));
    d.add_values(absl::StrCat(f.value()));
    *d.mutable_citations() = f.sources();
    for (const auto* a : later) {
      d.add_values(a->event());
      d.add_related_records(a->event());
      d.add_related_records(a->product());
      for (const auto& c : a->sources()) *d.add_citations() = c;
    }
    issues.push_back(std::move(d));
  }
  return regenatlas::ListDataIssues<analytics::v1::ListDataIssuesResponse>(std::move(issues),
                                                                           request, "analytics");
}

}  // namespace regenatlas::analytics
