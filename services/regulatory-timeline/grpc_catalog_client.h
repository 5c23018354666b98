#ifndef REGENATLAS_SERVICES_REGULATORY_TIMELINE_GRPC_CATALOG_CLIENT_H_
#define REGENATLAS_SERVICES_REGULATORY_TIMELINE_GRPC_CATALOG_CLIENT_H_

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "regenatlas/catalog/v1/catalog_internal_service.grpc.pb.h"
#include "regenatlas/catalog/v1/catalog_service.grpc.pb.h"
#include "services/regulatory-timeline/catalog_client.h"

namespace regenatlas::timeline {

// CatalogClient over gRPC. The channel is opened on first use (the
// all-in-one in-process channel exists only once the server runs). Every
// call gets `deadline`.
class GrpcCatalogClient : public CatalogClient {
 public:
  GrpcCatalogClient(std::function<std::shared_ptr<grpc::Channel>()> connect,
                    absl::Duration deadline = absl::Seconds(10));

  absl::Status CheckExist(const std::vector<std::string>& names,
                          const std::vector<std::string>& fields) override;
  absl::StatusOr<std::vector<catalog::v1::Trial>> TrialsOfProduct(
      absl::string_view product) override;
  absl::StatusOr<std::vector<catalog::v1::Product>> GetProducts(
      const std::vector<std::string>& names) override;
  absl::Status SetRegulatoryStages(absl::string_view product,
                                   const std::vector<catalog::v1::CountryStage>& stages) override;

 private:
  catalog::v1::CatalogService::Stub& Stub();
  std::unique_ptr<grpc::ClientContext> Context() const;

  std::function<std::shared_ptr<grpc::Channel>()> connect_;
  absl::Duration deadline_;
  std::once_flag once_;
  std::unique_ptr<catalog::v1::CatalogService::Stub> stub_;
  std::once_flag internal_once_;
  std::unique_ptr<catalog::v1::CatalogInternalService::Stub> internal_stub_;
};

}  // namespace regenatlas::timeline

#endif  // REGENATLAS_SERVICES_REGULATORY_TIMELINE_GRPC_CATALOG_CLIENT_H_
