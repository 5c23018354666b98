#ifndef REGENATLAS_SERVICES_CATALOG_CATALOG_SERVICE_H_
#define REGENATLAS_SERVICES_CATALOG_CATALOG_SERVICE_H_

#include <memory>

#include "common/executor.h"
#include "common/standard_methods.h"
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
      : CatalogService(catalog, std::make_shared<Executor>(std::move(executor))) {}
  // Shares `executor` with another instance (the same service registered on
  // a second server: common/call_gate.h).
  CatalogService(Catalog* catalog, std::shared_ptr<Executor> executor)
      : catalog_(catalog), executor_(std::move(executor)) {}
  const std::shared_ptr<Executor>& executor() const { return executor_; }

  using Ctx = grpc::CallbackServerContext;
  using Reactor = grpc::ServerUnaryReactor;

  // The standard methods (common/standard_methods.h).
  REGENATLAS_STANDARD_METHODS(v1, Source, Sources, source, sources, catalog_->sources(),
                              catalog_->ListSources)
  REGENATLAS_STANDARD_METHODS(v1, Organization, Organizations, organization, organizations,
                              catalog_->organizations(), catalog_->ListOrganizations)
  REGENATLAS_STANDARD_METHODS(v1, Indication, Indications, indication, indications,
                              catalog_->indications(), catalog_->ListIndications)
  REGENATLAS_STANDARD_METHODS(v1, Product, Products, product, products, catalog_->products(),
                              catalog_->ListProducts)
  REGENATLAS_BATCH_GET_METHOD(v1, Trials, trials, catalog_->trials())
  REGENATLAS_LIST_METHOD(v1, Trials, trials, catalog_->ListTrials)
  REGENATLAS_UPDATE_METHOD(v1, Trial, trial, catalog_->trials())
  REGENATLAS_DELETE_METHOD(v1, Trial, catalog_->trials())

  // A trial's id is derived from its primary registry id when not given.
  Reactor* CreateTrial(Ctx* ctx, const v1::CreateTrialRequest* req, v1::Trial* resp) override;
  // Accepts a registry id ("trials/NCT01234567" or "NCT01234567") as well.
  Reactor* GetTrial(Ctx* ctx, const v1::GetTrialRequest* req, v1::Trial* resp) override;

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
  const std::shared_ptr<Executor> executor_;
};

// Methods only the other RegenAtlas services call (never routed by the
// public face): the regulatory timeline's stage sync.
class CatalogInternalService final : public v1::CatalogInternalService::CallbackService {
 public:
  // `catalog` is not owned and must outlive the service.
  explicit CatalogInternalService(Catalog* catalog,
                                  ExecutorOptions executor = {"catalog-internal", 2})
      : CatalogInternalService(catalog, std::make_shared<Executor>(std::move(executor))) {}
  CatalogInternalService(Catalog* catalog, std::shared_ptr<Executor> executor)
      : catalog_(catalog), executor_(std::move(executor)) {}
  const std::shared_ptr<Executor>& executor() const { return executor_; }

  grpc::ServerUnaryReactor* SetRegulatoryStages(grpc::CallbackServerContext* ctx,
                                                const v1::SetRegulatoryStagesRequest* req,
                                                v1::Product* resp) override;

 private:
  Catalog* const catalog_;
  const std::shared_ptr<Executor> executor_;
};

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_CATALOG_SERVICE_H_
