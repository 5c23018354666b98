#ifndef REGENATLAS_SERVICES_CATALOG_CATALOG_SERVICE_H_
#define REGENATLAS_SERVICES_CATALOG_CATALOG_SERVICE_H_

#include "common/executor.h"
#include "regenatlas/catalog/v1/catalog_internal_service.grpc.pb.h"
#include "regenatlas/catalog/v1/catalog_service.grpc.pb.h"
#include "services/catalog/catalog.h"

namespace regenatlas::catalog {

namespace v1 = ::regenatlas::catalog::v1;

// The gRPC face of Catalog: unpacks requests, calls the domain, converts the
// status once. Holds no logic of its own.
class CatalogService final : public v1::CatalogService::CallbackService {
 public:
  // `catalog` is not owned and must outlive the service.
  explicit CatalogService(Catalog* catalog, ExecutorOptions executor = {"catalog"})
      : catalog_(catalog), executor_(std::move(executor)) {}

  using Ctx = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;

  Reactor* CreateSource(Ctx* ctx, const v1::CreateSourceRequest* req, v1::Source* resp) override;
  Reactor* GetSource(Ctx* ctx, const v1::GetSourceRequest* req, v1::Source* resp) override;
  Reactor* BatchGetSources(Ctx* ctx, const v1::BatchGetSourcesRequest* req,
                           v1::BatchGetSourcesResponse* resp) override;
  Reactor* ListSources(Ctx* ctx, const v1::ListSourcesRequest* req,
                       v1::ListSourcesResponse* resp) override;
  Reactor* UpdateSource(Ctx* ctx, const v1::UpdateSourceRequest* req, v1::Source* resp) override;
  Reactor* DeleteSource(Ctx* ctx, const v1::DeleteSourceRequest* req,
                        google::protobuf::Empty* resp) override;

  Reactor* CreateOrganization(Ctx* ctx, const v1::CreateOrganizationRequest* req,
                              v1::Organization* resp) override;
  Reactor* GetOrganization(Ctx* ctx, const v1::GetOrganizationRequest* req,
                           v1::Organization* resp) override;
  Reactor* BatchGetOrganizations(Ctx* ctx, const v1::BatchGetOrganizationsRequest* req,
                                 v1::BatchGetOrganizationsResponse* resp) override;
  Reactor* ListOrganizations(Ctx* ctx, const v1::ListOrganizationsRequest* req,
                             v1::ListOrganizationsResponse* resp) override;
  Reactor* UpdateOrganization(Ctx* ctx, const v1::UpdateOrganizationRequest* req,
                              v1::Organization* resp) override;
  Reactor* DeleteOrganization(Ctx* ctx, const v1::DeleteOrganizationRequest* req,
                              google::protobuf::Empty* resp) override;

  Reactor* CreateIndication(Ctx* ctx, const v1::CreateIndicationRequest* req,
                            v1::Indication* resp) override;
  Reactor* GetIndication(Ctx* ctx, const v1::GetIndicationRequest* req,
                         v1::Indication* resp) override;
  Reactor* BatchGetIndications(Ctx* ctx, const v1::BatchGetIndicationsRequest* req,
                               v1::BatchGetIndicationsResponse* resp) override;
  Reactor* ListIndications(Ctx* ctx, const v1::ListIndicationsRequest* req,
                           v1::ListIndicationsResponse* resp) override;
  Reactor* UpdateIndication(Ctx* ctx, const v1::UpdateIndicationRequest* req,
                            v1::Indication* resp) override;
  Reactor* DeleteIndication(Ctx* ctx, const v1::DeleteIndicationRequest* req,
                            google::protobuf::Empty* resp) override;

  Reactor* CreateProduct(Ctx* ctx, const v1::CreateProductRequest* req, v1::Product* resp) override;
  Reactor* GetProduct(Ctx* ctx, const v1::GetProductRequest* req, v1::Product* resp) override;
  Reactor* BatchGetProducts(Ctx* ctx, const v1::BatchGetProductsRequest* req,
                            v1::BatchGetProductsResponse* resp) override;
  Reactor* ListProducts(Ctx* ctx, const v1::ListProductsRequest* req,
                        v1::ListProductsResponse* resp) override;
  Reactor* UpdateProduct(Ctx* ctx, const v1::UpdateProductRequest* req, v1::Product* resp) override;
  Reactor* DeleteProduct(Ctx* ctx, const v1::DeleteProductRequest* req,
                         google::protobuf::Empty* resp) override;

  Reactor* CreateTrial(Ctx* ctx, const v1::CreateTrialRequest* req, v1::Trial* resp) override;
  Reactor* GetTrial(Ctx* ctx, const v1::GetTrialRequest* req, v1::Trial* resp) override;
  Reactor* BatchGetTrials(Ctx* ctx, const v1::BatchGetTrialsRequest* req,
                          v1::BatchGetTrialsResponse* resp) override;
  Reactor* ListTrials(Ctx* ctx, const v1::ListTrialsRequest* req,
                      v1::ListTrialsResponse* resp) override;
  Reactor* UpdateTrial(Ctx* ctx, const v1::UpdateTrialRequest* req, v1::Trial* resp) override;
  Reactor* DeleteTrial(Ctx* ctx, const v1::DeleteTrialRequest* req,
                       google::protobuf::Empty* resp) override;

  Reactor* SearchProducts(Ctx* ctx, const v1::SearchProductsRequest* req,
                          v1::SearchProductsResponse* resp) override;
  Reactor* ResolveRegistryId(Ctx* ctx, const v1::ResolveRegistryIdRequest* req,
                             v1::ResolveRegistryIdResponse* resp) override;
  Reactor* ListDataIssues(Ctx* ctx, const v1::ListDataIssuesRequest* req,
                          v1::ListDataIssuesResponse* resp) override;
  Reactor* CountProducts(Ctx* ctx, const v1::CountProductsRequest* req,
                         v1::CountResponse* resp) override;
  Reactor* CountTrials(Ctx* ctx, const v1::CountTrialsRequest* req,
                       v1::CountResponse* resp) override;
  Reactor* ImportClinicalTrials(Ctx* ctx, const v1::ImportClinicalTrialsRequest* req,
                                v1::ImportClinicalTrialsResponse* resp) override;

 private:
  Catalog* const catalog_;
  Executor executor_;
};

// Methods only the other RegenAtlas services call (never routed by the
// public face): the regulatory timeline's stage sync.
class CatalogInternalService final : public v1::CatalogInternalService::CallbackService {
 public:
  // `catalog` is not owned and must outlive the service.
  explicit CatalogInternalService(Catalog* catalog,
                                  ExecutorOptions executor = {"catalog-internal", 2})
      : catalog_(catalog), executor_(std::move(executor)) {}

  grpc::ServerUnaryReactor* SetRegulatoryStages(grpc::CallbackServerContext* ctx,
                                                const v1::SetRegulatoryStagesRequest* req,
                                                v1::Product* resp) override;

 private:
  Catalog* const catalog_;
  Executor executor_;
};

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_CATALOG_SERVICE_H_
