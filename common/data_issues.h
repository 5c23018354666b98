// What every service's ListDataIssues shares: the severity of a kind, the
// filter fields (kind, severity, record, field, product, source,
// hand_recorded), the order
// (record, kind, field, description) and the page tokens. Each service
// computes or stores its own findings and hands them to ListDataIssues().
#ifndef REGENATLAS_COMMON_DATA_ISSUES_H_
#define REGENATLAS_COMMON_DATA_ISSUES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/status_macros.h"
#include "regenatlas/common/v1/data_issue.pb.h"

namespace regenatlas {

// The severity a finding of `kind` has when the server computed it: ERROR
// for documents that contradict each other or print something invalid,
// WARNING for values resting on a curator's choice, INFO otherwise.
common::v1::DataIssueSeverity DataIssueSeverityOf(common::v1::DataIssueKind kind);

// One page of findings.
struct DataIssuePage {
  std::vector<common::v1::DataIssue> issues;
  std::string next_page_token;
  int total_size = 0;
};

// Checks a request's page size, filter and token, without findings yet:
// INVALID_ARGUMENT naming the field. Call before computing findings.
absl::Status ValidateDataIssuesRequest(int32_t page_size, absl::string_view page_token,
                                       absl::string_view filter, absl::string_view service);

// Sets missing severities, sorts `issues` by record, kind, field and
// description, filters them and returns the page after `page_token`.
// `service` ("catalog", "timeline", "analytics") binds tokens to it.
absl::StatusOr<DataIssuePage> PageDataIssues(std::vector<common::v1::DataIssue> issues,
                                             int32_t page_size, absl::string_view page_token,
                                             absl::string_view filter, absl::string_view service);

// PageDataIssues for a ListDataIssues request/response pair (the three
// services' messages have the same fields).
template <typename Response, typename Request>
absl::StatusOr<Response> ListDataIssues(std::vector<common::v1::DataIssue> issues,
                                        const Request& request, absl::string_view service) {
  ASSIGN_OR_RETURN(DataIssuePage page,
                   PageDataIssues(std::move(issues), request.page_size(), request.page_token(),
                                  request.filter(), service));
  Response response;
  for (auto& d : page.issues) *response.add_issues() = std::move(d);
  response.set_next_page_token(std::move(page.next_page_token));
  response.set_total_size(page.total_size);
  return response;
}

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_DATA_ISSUES_H_
