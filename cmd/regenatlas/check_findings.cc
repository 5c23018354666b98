// Loads the timeline and analytics datasets for `regenatlas check` and
// collects the findings of all three services (see check_findings.h).
#include "cmd/regenatlas/check_findings.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "grpcpp/server_builder.h"
#include "services/catalog/catalog_service.h"
#include "services/catalog/grpc_catalog_client.h"
#include "services/market-analytics/analytics.h"
#include "services/market-analytics/dataset_loader.h"
#include "services/regulatory-timeline/dataset_loader.h"
#include "services/regulatory-timeline/grpc_timeline_client.h"
#include "services/regulatory-timeline/timeline.h"
#include "services/regulatory-timeline/timeline_service.h"

namespace regenatlas::cli {
namespace {

// Every finding of one service's ListDataIssues, page by page.
template <typename Request, typename List>
absl::Status Collect(const std::string& service, const List& list,
                     std::vector<ServiceFinding>& out) {
  Request req;
  req.set_page_size(1000);
  for (;;) {
    ASSIGN_OR_RETURN(auto page, list(req), _ << service << " ListDataIssues");
    for (auto& issue : *page.mutable_issues()) out.push_back({service, std::move(issue)});
    if (page.next_page_token().empty()) return absl::OkStatus();
    req.set_page_token(page.next_page_token());
  }
}

}  // namespace

absl::StatusOr<std::vector<ServiceFinding>> LoadAndListFindings(
    catalog::Catalog& catalog, storage::Store* store,
    const timeline::v1::TimelineDataset& timeline_data, const DatasetReport& timeline_report,
    const analytics::v1::AnalyticsDataset& analytics_data, const DatasetReport& analytics_report,
    std::vector<std::string>& errors) {
  // The services reach each other only through their gRPC client
  // libraries, here over in-process channels of one server.
  catalog::CatalogService catalog_service(&catalog);
  catalog::CatalogInternalService catalog_internal(&catalog);
  grpc::ServerBuilder builder;
  builder.RegisterService(&catalog_service);
  builder.RegisterService(&catalog_internal);
  auto channel = std::make_shared<std::shared_ptr<grpc::Channel>>();
  auto connect = [channel] { return *channel; };
  auto timeline_catalog = std::make_unique<catalog::GrpcCatalogClient>(connect);
  timeline::Timeline timeline(store, timeline_catalog.get(), timeline::TimelineOptions{});
  timeline::TimelineService timeline_service(&timeline);
  builder.RegisterService(&timeline_service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) return absl::InternalError("cannot start the in-process services");
  *channel = server->InProcessChannel(grpc::ChannelArguments());

  analytics::AnalyticsOptions ao;
  ao.catalog = std::make_shared<catalog::GrpcCatalogClient>(connect);
  ao.timeline = std::make_shared<timeline::GrpcTimelineClient>(connect);
  analytics::Analytics analytics(store, ao);

  std::vector<ServiceFinding> out;
  absl::Status status = [&]() -> absl::Status {
    ASSIGN_OR_RETURN(DatasetLoadSummary t,
                     timeline::LoadTimelineDataset(timeline, timeline_data, timeline_report));
    errors.insert(errors.end(), t.rejected.begin(), t.rejected.end());
    ASSIGN_OR_RETURN(DatasetLoadSummary a,
                     analytics::LoadAnalyticsDataset(analytics, analytics_data, analytics_report));
    errors.insert(errors.end(), a.rejected.begin(), a.rejected.end());
    RETURN_IF_ERROR(Collect<catalog::v1::ListDataIssuesRequest>(
        "catalog", [&](const auto& r) { return catalog.ListDataIssues(r); }, out));
    RETURN_IF_ERROR(Collect<timeline::v1::ListDataIssuesRequest>(
        "timeline", [&](const auto& r) { return timeline.ListDataIssues(r); }, out));
    return Collect<analytics::v1::ListDataIssuesRequest>(
        "analytics", [&](const auto& r) { return analytics.ListDataIssues(r); }, out);
  }();
  timeline_service.Shutdown();
  server->Shutdown();
  RETURN_IF_ERROR(status);
  return out;
}

}  // namespace regenatlas::cli
