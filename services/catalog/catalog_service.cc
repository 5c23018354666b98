// CatalogService and CatalogInternalService: each RPC unpacks its request,
// calls the Catalog domain and delivers the result (see catalog_service.h).
#include "services/catalog/catalog_service.h"

#include "common/dimensions.h"
#include "common/rpc.h"
#include "common/status_macros.h"
#include "services/catalog/ctgov_import.h"

namespace regenatlas::catalog {
namespace {

ListQuery QueryOf(int32_t page_size, const std::string& page_token, const std::string& filter,
                  const std::string& order_by) {
  return ListQuery{page_size, page_token, filter, order_by};
}

// The dimensions of a CountProducts / CountTrials request as the domain
// names them ("country"), from `dimensions` or the deprecated `group_by`
// (still accepted, AIP-180), and the request field they came from.
template <typename Request>
absl::Status DimensionsOf(const Request& request, const google::protobuf::EnumDescriptor* enum_type,
                          google::protobuf::RepeatedPtrField<std::string>* names,
                          std::string* field) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  const google::protobuf::RepeatedPtrField<std::string>& group_by = request.group_by();
#pragma GCC diagnostic pop
  ASSIGN_OR_RETURN(std::vector<std::string> resolved,
                   ResolveDimensions(enum_type, request.dimensions(), "dimensions", group_by,
                                     "group_by", field));
  names->Assign(resolved.begin(), resolved.end());
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* CatalogService::CreateSource(Ctx* ctx, const v1::CreateSourceRequest* req,
                                                       v1::Source* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->sources().Create(req->source_id(), req->source()), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::GetSource(Ctx* ctx, const v1::GetSourceRequest* req,
                                                    v1::Source* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->sources().Get(req->name()), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::BatchGetSources(Ctx* ctx,
                                                          const v1::BatchGetSourcesRequest* req,
                                                          v1::BatchGetSourcesResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    auto records = catalog_->BatchGet(catalog_->sources(), req->names());
    if (records.ok()) {
      for (auto& r : *records) *resp->add_sources() = std::move(r);
    }
    return Deliver(records.status());
  });
}

grpc::ServerUnaryReactor* CatalogService::ListSources(Ctx* ctx, const v1::ListSourcesRequest* req,
                                                      v1::ListSourcesResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    auto page = catalog_->ListSources(
        QueryOf(req->page_size(), req->page_token(), req->filter(), req->order_by()));
    if (page.ok()) {
      FillPage(*page, resp->mutable_sources(), resp->mutable_next_page_token());
      if (req->show_total_size()) resp->set_total_size(page->total_size);
    }
    return Deliver(page.status());
  });
}

grpc::ServerUnaryReactor* CatalogService::UpdateSource(Ctx* ctx, const v1::UpdateSourceRequest* req,
                                                       v1::Source* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->sources().Update(req->source(), req->update_mask()), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::DeleteSource(Ctx* ctx, const v1::DeleteSourceRequest* req,
                                                       google::protobuf::Empty* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->sources().Delete(req->name(), req->etag()));
  });
}

grpc::ServerUnaryReactor* CatalogService::CreateOrganization(
    Ctx* ctx, const v1::CreateOrganizationRequest* req, v1::Organization* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->organizations().Create(req->organization_id(), req->organization()),
                   resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::GetOrganization(Ctx* ctx,
                                                          const v1::GetOrganizationRequest* req,
                                                          v1::Organization* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->organizations().Get(req->name()), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::BatchGetOrganizations(
    Ctx* ctx, const v1::BatchGetOrganizationsRequest* req,
    v1::BatchGetOrganizationsResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    auto records = catalog_->BatchGet(catalog_->organizations(), req->names());
    if (records.ok()) {
      for (auto& r : *records) *resp->add_organizations() = std::move(r);
    }
    return Deliver(records.status());
  });
}

grpc::ServerUnaryReactor* CatalogService::ListOrganizations(Ctx* ctx,
                                                            const v1::ListOrganizationsRequest* req,
                                                            v1::ListOrganizationsResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    auto page = catalog_->ListOrganizations(
        QueryOf(req->page_size(), req->page_token(), req->filter(), req->order_by()));
    if (page.ok()) {
      FillPage(*page, resp->mutable_organizations(), resp->mutable_next_page_token());
      if (req->show_total_size()) resp->set_total_size(page->total_size);
    }
    return Deliver(page.status());
  });
}

grpc::ServerUnaryReactor* CatalogService::UpdateOrganization(
    Ctx* ctx, const v1::UpdateOrganizationRequest* req, v1::Organization* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->organizations().Update(req->organization(), req->update_mask()), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::DeleteOrganization(
    Ctx* ctx, const v1::DeleteOrganizationRequest* req, google::protobuf::Empty* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->organizations().Delete(req->name(), req->etag()));
  });
}

grpc::ServerUnaryReactor* CatalogService::CreateIndication(Ctx* ctx,
                                                           const v1::CreateIndicationRequest* req,
                                                           v1::Indication* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->indications().Create(req->indication_id(), req->indication()), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::GetIndication(Ctx* ctx,
                                                        const v1::GetIndicationRequest* req,
                                                        v1::Indication* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->indications().Get(req->name()), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::BatchGetIndications(
    Ctx* ctx, const v1::BatchGetIndicationsRequest* req, v1::BatchGetIndicationsResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    auto records = catalog_->BatchGet(catalog_->indications(), req->names());
    if (records.ok()) {
      for (auto& r : *records) *resp->add_indications() = std::move(r);
    }
    return Deliver(records.status());
  });
}

grpc::ServerUnaryReactor* CatalogService::ListIndications(Ctx* ctx,
                                                          const v1::ListIndicationsRequest* req,
                                                          v1::ListIndicationsResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    auto page = catalog_->ListIndications(
        QueryOf(req->page_size(), req->page_token(), req->filter(), req->order_by()));
    if (page.ok()) {
      FillPage(*page, resp->mutable_indications(), resp->mutable_next_page_token());
      if (req->show_total_size()) resp->set_total_size(page->total_size);
    }
    return Deliver(page.status());
  });
}

grpc::ServerUnaryReactor* CatalogService::UpdateIndication(Ctx* ctx,
                                                           const v1::UpdateIndicationRequest* req,
                                                           v1::Indication* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->indications().Update(req->indication(), req->update_mask()), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::DeleteIndication(Ctx* ctx,
                                                           const v1::DeleteIndicationRequest* req,
                                                           google::protobuf::Empty* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->indications().Delete(req->name(), req->etag()));
  });
}

grpc::ServerUnaryReactor* CatalogService::CreateProduct(Ctx* ctx,
                                                        const v1::CreateProductRequest* req,
                                                        v1::Product* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->products().Create(req->product_id(), req->product()), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::GetProduct(Ctx* ctx, const v1::GetProductRequest* req,
                                                     v1::Product* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->products().Get(req->name()), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::BatchGetProducts(Ctx* ctx,
                                                           const v1::BatchGetProductsRequest* req,
                                                           v1::BatchGetProductsResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    auto records = catalog_->BatchGet(catalog_->products(), req->names());
    if (records.ok()) {
      for (auto& r : *records) *resp->add_products() = std::move(r);
    }
    return Deliver(records.status());
  });
}

grpc::ServerUnaryReactor* CatalogService::ListProducts(Ctx* ctx, const v1::ListProductsRequest* req,
                                                       v1::ListProductsResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    auto page = catalog_->ListProducts(
        QueryOf(req->page_size(), req->page_token(), req->filter(), req->order_by()));
    if (page.ok()) {
      FillPage(*page, resp->mutable_products(), resp->mutable_next_page_token());
      if (req->show_total_size()) resp->set_total_size(page->total_size);
    }
    return Deliver(page.status());
  });
}

grpc::ServerUnaryReactor* CatalogService::UpdateProduct(Ctx* ctx,
                                                        const v1::UpdateProductRequest* req,
                                                        v1::Product* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->products().Update(req->product(), req->update_mask()), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::DeleteProduct(Ctx* ctx,
                                                        const v1::DeleteProductRequest* req,
                                                        google::protobuf::Empty* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->products().Delete(req->name(), req->etag()));
  });
}

grpc::ServerUnaryReactor* CatalogService::CreateTrial(Ctx* ctx, const v1::CreateTrialRequest* req,
                                                      v1::Trial* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->CreateTrial(req->trial_id(), req->trial()), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::GetTrial(Ctx* ctx, const v1::GetTrialRequest* req,
                                                   v1::Trial* resp) {
  return RunUnary(ctx, &executor_,
                  [=]() -> absl::Status { return Deliver(catalog_->GetTrial(req->name()), resp); });
}

grpc::ServerUnaryReactor* CatalogService::BatchGetTrials(Ctx* ctx,
                                                         const v1::BatchGetTrialsRequest* req,
                                                         v1::BatchGetTrialsResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    auto records = catalog_->BatchGet(catalog_->trials(), req->names());
    if (records.ok()) {
      for (auto& r : *records) *resp->add_trials() = std::move(r);
    }
    return Deliver(records.status());
  });
}

grpc::ServerUnaryReactor* CatalogService::ListTrials(Ctx* ctx, const v1::ListTrialsRequest* req,
                                                     v1::ListTrialsResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    auto page = catalog_->ListTrials(
        QueryOf(req->page_size(), req->page_token(), req->filter(), req->order_by()));
    if (page.ok()) {
      FillPage(*page, resp->mutable_trials(), resp->mutable_next_page_token());
      if (req->show_total_size()) resp->set_total_size(page->total_size);
    }
    return Deliver(page.status());
  });
}

grpc::ServerUnaryReactor* CatalogService::UpdateTrial(Ctx* ctx, const v1::UpdateTrialRequest* req,
                                                      v1::Trial* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->trials().Update(req->trial(), req->update_mask()), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::DeleteTrial(Ctx* ctx, const v1::DeleteTrialRequest* req,
                                                      google::protobuf::Empty* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->trials().Delete(req->name(), req->etag()));
  });
}

grpc::ServerUnaryReactor* CatalogService::SearchProducts(Ctx* ctx,
                                                         const v1::SearchProductsRequest* req,
                                                         v1::SearchProductsResponse* resp) {
  return RunUnary(ctx, &executor_,
                  [=]() -> absl::Status { return Deliver(catalog_->SearchProducts(*req), resp); });
}

grpc::ServerUnaryReactor* CatalogService::ResolveRegistryId(Ctx* ctx,
                                                            const v1::ResolveRegistryIdRequest* req,
                                                            v1::ResolveRegistryIdResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->ResolveRegistryId(req->registry_id()), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::ListDataIssues(Ctx* ctx,
                                                         const v1::ListDataIssuesRequest* req,
                                                         v1::ListDataIssuesResponse* resp) {
  return RunUnary(ctx, &executor_,
                  [=]() -> absl::Status { return Deliver(catalog_->ListDataIssues(*req), resp); });
}

grpc::ServerUnaryReactor* CatalogService::CountProducts(Ctx* ctx,
                                                        const v1::CountProductsRequest* req,
                                                        v1::CountResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    google::protobuf::RepeatedPtrField<std::string> dimensions;
    std::string field;
    RETURN_IF_ERROR(DimensionsOf(*req, v1::ProductDimension_descriptor(), &dimensions, &field));
    return Deliver(catalog_->CountProducts(req->filter(), dimensions, field), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::CountTrials(Ctx* ctx, const v1::CountTrialsRequest* req,
                                                      v1::CountResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    google::protobuf::RepeatedPtrField<std::string> dimensions;
    std::string field;
    RETURN_IF_ERROR(DimensionsOf(*req, v1::TrialDimension_descriptor(), &dimensions, &field));
    return Deliver(catalog_->CountTrials(req->filter(), dimensions, field), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::ImportClinicalTrials(
    Ctx* ctx, const v1::ImportClinicalTrialsRequest* req, v1::ImportClinicalTrialsResponse* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    if (req->file_name().empty()) {
      return Deliver(absl::InvalidArgumentError("file_name: required"));
    }
    absl::StatusOr<std::unique_ptr<CtgovImporter>> importer =
        CtgovImporter::Create(catalog_, CtgovImportOptions{});
    if (!importer.ok()) return Deliver(importer.status());
    absl::Status s = (*importer)->ImportJson(req->file_name(), req->json());
    if (s.ok()) *resp = (*importer)->summary();
    return Deliver(s);
  });
}

grpc::ServerUnaryReactor* CatalogInternalService::SetRegulatoryStages(
    grpc::CallbackServerContext* ctx, const v1::SetRegulatoryStagesRequest* req,
    v1::Product* resp) {
  return RunUnary(ctx, &executor_, [=]() -> absl::Status {
    return Deliver(catalog_->SetRegulatoryStages(req->product(), req->stages()), resp);
  });
}

}  // namespace regenatlas::catalog
