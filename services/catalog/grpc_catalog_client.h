#ifndef REGENATLAS_SERVICES_CATALOG_GRPC_CATALOG_CLIENT_H_
#define REGENATLAS_SERVICES_CATALOG_GRPC_CATALOG_CLIENT_H_

// CatalogClient over gRPC (library regenatlas_catalog_client).

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/client_call.h"
#include "grpcpp/grpcpp.h"
#include "regenatlas/catalog/v1/catalog_internal_service.grpc.pb.h"
#include "regenatlas/catalog/v1/catalog_service.grpc.pb.h"
#include "services/catalog/catalog_client.h"

namespace regenatlas::catalog {

// CatalogClient over the catalog's public and internal gRPC services, on one
// channel opened on first use and reused (`connect` may return null while
// no channel can be opened: calls then fail UNAVAILABLE). Thread-safe.
class GrpcCatalogClient final : public CatalogClient {
 public:
  using Connect = std::function<std::shared_ptr<grpc::Channel>()>;
  explicit GrpcCatalogClient(Connect connect, ClientOptions options = {});

  absl::StatusOr<v1::Source> GetSource(absl::string_view name) override;
  absl::StatusOr<v1::Organization> GetOrganization(absl::string_view name) override;
  absl::StatusOr<v1::Product> GetProduct(absl::string_view name) override;
  absl::StatusOr<v1::Trial> GetTrial(absl::string_view name) override;
  absl::StatusOr<std::vector<v1::Source>> BatchGetSources(
      const std::vector<std::string>& names) override;
  absl::StatusOr<std::vector<v1::Organization>> BatchGetOrganizations(
      const std::vector<std::string>& names) override;
  absl::StatusOr<std::vector<v1::Indication>> BatchGetIndications(
      const std::vector<std::string>& names) override;
  absl::StatusOr<std::vector<v1::Product>> BatchGetProducts(
      const std::vector<std::string>& names) override;
  absl::StatusOr<v1::ListIndicationsResponse> ListIndications(
      const v1::ListIndicationsRequest& request) override;
  absl::StatusOr<v1::ListProductsResponse> ListProducts(
      const v1::ListProductsRequest& request) override;
  absl::StatusOr<v1::ListTrialsResponse> ListTrials(const v1::ListTrialsRequest& request) override;
  absl::StatusOr<v1::CountResponse> CountProducts(const v1::CountProductsRequest& request) override;
  absl::StatusOr<v1::CountResponse> CountTrials(const v1::CountTrialsRequest& request) override;
  absl::StatusOr<v1::Product> SetRegulatoryStages(
      const v1::SetRegulatoryStagesRequest& request) override;

  // The shared stub, for callers that fan out asynchronously (the gateway's
  // dossier); they stamp their contexts with Stamp(). Null when no channel.
  v1::CatalogService::Stub* stub() { return public_.Get(); }
  const ClientOptions& options() const { return options_; }

 private:
  const ClientOptions options_;
  LazyStub<v1::CatalogService> public_;
  LazyStub<v1::CatalogInternalService> internal_;
};

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_GRPC_CATALOG_CLIENT_H_
