#ifndef REGENATLAS_SERVICES_MARKET_ANALYTICS_READERS_H_
#define REGENATLAS_SERVICES_MARKET_ANALYTICS_READERS_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "regenatlas/catalog/v1/catalog_service.pb.h"
#include "regenatlas/catalog/v1/resources.pb.h"
#include "regenatlas/timeline/v1/timeline_service.pb.h"

namespace regenatlas::analytics {

// What analytics reads from the catalog. Implemented over the catalog's gRPC
// API (grpc_readers.h); analytics never reads the catalog's column families.
//
// Every method takes the latest time by which the answer is needed
// (absl::InfiniteFuture() = the reader's default timeout) and returns the
// catalog's status unchanged (NOT_FOUND, INVALID_ARGUMENT ...), UNAVAILABLE
// or DEADLINE_EXCEEDED when the catalog cannot be reached in time.
class CatalogReader {
 public:
  virtual ~CatalogReader() = default;

  // Records in request order; NOT_FOUND names the first missing one.
  virtual absl::StatusOr<std::vector<catalog::v1::Product>> BatchGetProducts(
      const std::vector<std::string>& names, absl::Time deadline) = 0;
  virtual absl::StatusOr<std::vector<catalog::v1::Indication>> BatchGetIndications(
      const std::vector<std::string>& names, absl::Time deadline) = 0;
  virtual absl::StatusOr<std::vector<catalog::v1::Organization>> BatchGetOrganizations(
      const std::vector<std::string>& names, absl::Time deadline) = 0;
  virtual absl::StatusOr<std::vector<catalog::v1::Source>> BatchGetSources(
      const std::vector<std::string>& names, absl::Time deadline) = 0;

  virtual absl::StatusOr<catalog::v1::ListIndicationsResponse> ListIndications(
      const catalog::v1::ListIndicationsRequest& request, absl::Time deadline) = 0;
  virtual absl::StatusOr<catalog::v1::ListProductsResponse> ListProducts(
      const catalog::v1::ListProductsRequest& request, absl::Time deadline) = 0;
  virtual absl::StatusOr<catalog::v1::ListTrialsResponse> ListTrials(
      const catalog::v1::ListTrialsRequest& request, absl::Time deadline) = 0;

  // Grouped counts computed by the catalog from its posting lists.
  virtual absl::StatusOr<catalog::v1::CountResponse> CountProducts(
      const catalog::v1::CountProductsRequest& request, absl::Time deadline) = 0;
  virtual absl::StatusOr<catalog::v1::CountResponse> CountTrials(
      const catalog::v1::CountTrialsRequest& request, absl::Time deadline) = 0;
};

// What analytics reads from the regulatory timeline, through its gRPC API.
// Same conventions as CatalogReader.
class TimelineReader {
 public:
  virtual ~TimelineReader() = default;

  virtual absl::StatusOr<timeline::v1::ListEventsResponse> ListEvents(
      const timeline::v1::ListEventsRequest& request, absl::Time deadline) = 0;
  virtual absl::StatusOr<timeline::v1::ComputeMilestoneIntervalsResponse> ComputeMilestoneIntervals(
      const timeline::v1::ComputeMilestoneIntervalsRequest& request, absl::Time deadline) = 0;
};

}  // namespace regenatlas::analytics

#endif  // REGENATLAS_SERVICES_MARKET_ANALYTICS_READERS_H_
