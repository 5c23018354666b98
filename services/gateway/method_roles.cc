#include <algorithm>
#include <array>
#include <utility>

#include "services/gateway/access.h"

namespace regenatlas::gateway {
namespace {

// Every public and internal method and the least role that may call it,
// sorted by path. Reads: reader; writes (Create, Update, Delete, Import):
// curator; backups: admin; *InternalService: service (peers only).
// method_roles_test checks that it lists exactly the methods of every
// RegenAtlas service, so a new method cannot go unlisted.
constexpr std::pair<absl::string_view, Role> kMethodRoles[] = {
    {"/regenatlas.analytics.v1.MarketAnalyticsService/BatchGetEpidemiologyFacts", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/BatchGetFxRates", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/BatchGetMarketFacts", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/BatchGetPricePoints", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/ComparePrices", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/ComputeApprovalStatistics", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/ComputeIndicationLandscape", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/ComputePipelineBreakdown", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/CreateEpidemiologyFact", Role::kCurator},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/CreateFxRate", Role::kCurator},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/CreateMarketFact", Role::kCurator},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/CreatePricePoint", Role::kCurator},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/DeleteEpidemiologyFact", Role::kCurator},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/DeleteFxRate", Role::kCurator},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/DeleteMarketFact", Role::kCurator},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/DeletePricePoint", Role::kCurator},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/EstimateMarketSize", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/GetApprovalStatistics", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/GetEpidemiologyFact", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/GetFxRate", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/GetIndicationLandscape", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/GetMarketFact", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/GetPipelineBreakdown", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/GetPricePoint", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/ListDataIssues", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/ListEpidemiologyFacts", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/ListFxRates", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/ListMarketFacts", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/ListPricePoints", Role::kReader},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/UpdateEpidemiologyFact", Role::kCurator},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/UpdateFxRate", Role::kCurator},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/UpdateMarketFact", Role::kCurator},
    {"/regenatlas.analytics.v1.MarketAnalyticsService/UpdatePricePoint", Role::kCurator},
    {"/regenatlas.catalog.v1.CatalogInternalService/SetRegulatoryStages", Role::kService},
    {"/regenatlas.catalog.v1.CatalogService/BatchGetIndications", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/BatchGetOrganizations", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/BatchGetProducts", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/BatchGetSources", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/BatchGetTrials", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/CountProducts", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/CountTrials", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/CreateIndication", Role::kCurator},
    {"/regenatlas.catalog.v1.CatalogService/CreateOrganization", Role::kCurator},
    {"/regenatlas.catalog.v1.CatalogService/CreateProduct", Role::kCurator},
    {"/regenatlas.catalog.v1.CatalogService/CreateSource", Role::kCurator},
    {"/regenatlas.catalog.v1.CatalogService/CreateTrial", Role::kCurator},
    {"/regenatlas.catalog.v1.CatalogService/DeleteIndication", Role::kCurator},
    {"/regenatlas.catalog.v1.CatalogService/DeleteOrganization", Role::kCurator},
    {"/regenatlas.catalog.v1.CatalogService/DeleteProduct", Role::kCurator},
    {"/regenatlas.catalog.v1.CatalogService/DeleteSource", Role::kCurator},
    {"/regenatlas.catalog.v1.CatalogService/DeleteTrial", Role::kCurator},
    {"/regenatlas.catalog.v1.CatalogService/GetIndication", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/GetOrganization", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/GetProduct", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/GetSource", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/GetTrial", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/ImportClinicalTrials", Role::kCurator},
    {"/regenatlas.catalog.v1.CatalogService/ListDataIssues", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/ListIndications", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/ListOrganizations", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/ListProducts", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/ListSources", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/ListTrials", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/ResolveRegistryId", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/SearchProducts", Role::kReader},
    {"/regenatlas.catalog.v1.CatalogService/UpdateIndication", Role::kCurator},
    {"/regenatlas.catalog.v1.CatalogService/UpdateOrganization", Role::kCurator},
    {"/regenatlas.catalog.v1.CatalogService/UpdateProduct", Role::kCurator},
    {"/regenatlas.catalog.v1.CatalogService/UpdateSource", Role::kCurator},
    {"/regenatlas.catalog.v1.CatalogService/UpdateTrial", Role::kCurator},
    {"/regenatlas.gateway.v1.GatewayService/ComputeProductDossier", Role::kReader},
    {"/regenatlas.gateway.v1.GatewayService/GetProductDossier", Role::kReader},
    {"/regenatlas.gateway.v1.GatewayService/ListBackends", Role::kReader},
    {"/regenatlas.timeline.v1.RegulatoryTimelineService/BatchGetEvents", Role::kReader},
    {"/regenatlas.timeline.v1.RegulatoryTimelineService/BatchGetPolicies", Role::kReader},
    {"/regenatlas.timeline.v1.RegulatoryTimelineService/ComputeMilestoneIntervals", Role::kReader},
    {"/regenatlas.timeline.v1.RegulatoryTimelineService/ComputeProductTimeline", Role::kReader},
    {"/regenatlas.timeline.v1.RegulatoryTimelineService/CreateEvent", Role::kCurator},
    {"/regenatlas.timeline.v1.RegulatoryTimelineService/CreatePolicy", Role::kCurator},
    {"/regenatlas.timeline.v1.RegulatoryTimelineService/DeleteEvent", Role::kCurator},
    {"/regenatlas.timeline.v1.RegulatoryTimelineService/DeletePolicy", Role::kCurator},
    {"/regenatlas.timeline.v1.RegulatoryTimelineService/GetEvent", Role::kReader},
    {"/regenatlas.timeline.v1.RegulatoryTimelineService/GetPolicy", Role::kReader},
    {"/regenatlas.timeline.v1.RegulatoryTimelineService/GetProductTimeline", Role::kReader},
    {"/regenatlas.timeline.v1.RegulatoryTimelineService/ListDataIssues", Role::kReader},
    {"/regenatlas.timeline.v1.RegulatoryTimelineService/ListEvents", Role::kReader},
    {"/regenatlas.timeline.v1.RegulatoryTimelineService/ListFirsts", Role::kReader},
    {"/regenatlas.timeline.v1.RegulatoryTimelineService/ListPolicies", Role::kReader},
    {"/regenatlas.timeline.v1.RegulatoryTimelineService/UpdateEvent", Role::kCurator},
    {"/regenatlas.timeline.v1.RegulatoryTimelineService/UpdatePolicy", Role::kCurator},
    {"/regenatlas.timeline.v1.RegulatoryTimelineService/WatchEvents", Role::kReader},
};

}  // namespace

std::optional<Role> ListedRole(absl::string_view method) {
  const auto* end = std::end(kMethodRoles);
  const auto* it = std::lower_bound(std::begin(kMethodRoles), end, method,
                                    [](const std::pair<absl::string_view, Role>& row,
                                       absl::string_view m) { return row.first < m; });
  if (it == end || it->first != method) return std::nullopt;
  return it->second;
}

std::vector<absl::string_view> ListedMethods() {
  std::vector<absl::string_view> out;
  for (const auto& row : kMethodRoles) out.push_back(row.first);
  return out;
}

}  // namespace regenatlas::gateway
