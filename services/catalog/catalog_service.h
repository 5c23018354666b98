#ifndef REGENATLAS_SERVICES_CATALOG_CATALOG_SERVICE_H_
#define REGENATLAS_SERVICES_CATALOG_CATALOG_SERVICE_H_

#include "regenatlas/catalog/v1/catalog_service.grpc.pb.h"
#include "services/catalog/catalog.h"

namespace regenatlas::catalog {

// The gRPC face of Catalog: unpacks requests, calls the domain, converts the
// status once. Holds no logic of its own.
class CatalogService final : public catalog::v1::CatalogService::CallbackService {
 public:
  // `catalog` is not owned and must outlive the service.
  explicit CatalogService(Catalog* catalog) : catalog_(catalog) {}

  grpc::ServerUnaryReactor* CreateSource(grpc::CallbackServerContext* context,
                                         const catalog::v1::CreateSourceRequest* request,
                                         catalog::v1::Source* response) override;
  grpc::ServerUnaryReactor* GetSource(grpc::CallbackServerContext* context,
                                      const catalog::v1::GetSourceRequest* request,
                                      catalog::v1::Source* response) override;
  grpc::ServerUnaryReactor* ListSources(grpc::CallbackServerContext* context,
                                        const catalog::v1::ListSourcesRequest* request,
                                        catalog::v1::ListSourcesResponse* response) override;
  grpc::ServerUnaryReactor* DeleteSource(grpc::CallbackServerContext* context,
                                         const catalog::v1::DeleteSourceRequest* request,
                                         google::protobuf::Empty* response) override;

 private:
  Catalog* const catalog_;
};

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_CATALOG_SERVICE_H_
