#ifndef REGENATLAS_SERVICES_MARKET_ANALYTICS_GRPC_READERS_H_
#define REGENATLAS_SERVICES_MARKET_ANALYTICS_GRPC_READERS_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "regenatlas/catalog/v1/catalog_service.grpc.pb.h"
#include "regenatlas/timeline/v1/timeline_service.grpc.pb.h"
#include "services/market-analytics/readers.h"

namespace regenatlas::analytics {

// Opens a channel on first use: in all-in-one the in-process channel exists
// only once the server has started.
using ChannelFactory = std::function<std::shared_ptr<grpc::Channel>()>;

// How a gRPC reader calls its backend.
struct GrpcReaderOptions {
  // Deadline of a call whose caller gave none (or a later one).
  absl::Duration timeout = absl::Seconds(10);
};

// CatalogReader over regenatlas.catalog.v1.CatalogService. Thread-safe.
class GrpcCatalogReader final : public CatalogReader {
 public:
  explicit GrpcCatalogReader(ChannelFactory connect, GrpcReaderOptions options = {});

  absl::StatusOr<std::vector<catalog::v1::Product>> BatchGetProducts(
      const std::vector<std::string>& names, absl::Time deadline) override;
  absl::StatusOr<std::vector<catalog::v1::Indication>> BatchGetIndications(
      const std::vector<std::string>& names, absl::Time deadline) override;
  absl::StatusOr<std::vector<catalog::v1::Organization>> BatchGetOrganizations(
      const std::vector<std::string>& names, absl::Time deadline) override;
  absl::StatusOr<std::vector<catalog::v1::Source>> BatchGetSources(
      const std::vector<std::string>& names, absl::Time deadline) override;
  absl::StatusOr<catalog::v1::ListIndicationsResponse> ListIndications(
      const catalog::v1::ListIndicationsRequest& request, absl::Time deadline) override;
  absl::StatusOr<catalog::v1::ListProductsResponse> ListProducts(
      const catalog::v1::ListProductsRequest& request, absl::Time deadline) override;
  absl::StatusOr<catalog::v1::ListTrialsResponse> ListTrials(
      const catalog::v1::ListTrialsRequest& request, absl::Time deadline) override;
  absl::StatusOr<catalog::v1::CountResponse> CountProducts(
      const catalog::v1::CountProductsRequest& request, absl::Time deadline) override;
  absl::StatusOr<catalog::v1::CountResponse> CountTrials(
      const catalog::v1::CountTrialsRequest& request, absl::Time deadline) override;

 private:
  catalog::v1::CatalogService::Stub* Stub();

  const ChannelFactory connect_;
  const GrpcReaderOptions options_;
  absl::Mutex mu_;
  std::unique_ptr<catalog::v1::CatalogService::Stub> stub_ ABSL_GUARDED_BY(mu_);
};

// TimelineReader over regenatlas.timeline.v1.RegulatoryTimelineService.
// Thread-safe.
class GrpcTimelineReader final : public TimelineReader {
 public:
  explicit GrpcTimelineReader(ChannelFactory connect, GrpcReaderOptions options = {});

  absl::StatusOr<timeline::v1::ListEventsResponse> ListEvents(
      const timeline::v1::ListEventsRequest& request, absl::Time deadline) override;
  absl::StatusOr<timeline::v1::ComputeMilestoneIntervalsResponse> ComputeMilestoneIntervals(
      const timeline::v1::ComputeMilestoneIntervalsRequest& request, absl::Time deadline) override;

 private:
  timeline::v1::RegulatoryTimelineService::Stub* Stub();

  const ChannelFactory connect_;
  const GrpcReaderOptions options_;
  absl::Mutex mu_;
  std::unique_ptr<timeline::v1::RegulatoryTimelineService::Stub> stub_ ABSL_GUARDED_BY(mu_);
};

}  // namespace regenatlas::analytics

#endif  // REGENATLAS_SERVICES_MARKET_ANALYTICS_GRPC_READERS_H_
