// CatalogService and CatalogInternalService: each RPC unpacks its request,
// calls the Catalog domain and delivers the result (see catalog_service.h).
#include "services/catalog/catalog_service.h"

#include "absl/strings/str_cat.h"
#include "common/dimensions.h"
#include "common/rpc.h"
#include "common/status_macros.h"
#include "services/catalog/ctgov_import.h"

namespace regenatlas::catalog {
namespace {

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

grpc::ServerUnaryReactor* CatalogService::CreateTrial(Ctx* ctx, const v1::CreateTrialRequest* req,
                                                      v1::Trial* resp) {
  return RunUnary(ctx, executor_.get(), [=]() -> absl::Status {
    return Deliver(catalog_->CreateTrial(req->trial_id(), req->trial()), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::GetTrial(Ctx* ctx, const v1::GetTrialRequest* req,
                                                   v1::Trial* resp) {
  return RunUnaryInline(ctx, executor_.get(), [=]() -> absl::Status {
    return Deliver(catalog_->GetTrial(req->name()), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::SearchProducts(Ctx* ctx,
                                                         const v1::SearchProductsRequest* req,
                                                         v1::SearchProductsResponse* resp) {
  return RunUnary(ctx, executor_.get(),
                  [=]() -> absl::Status { return Deliver(catalog_->SearchProducts(*req), resp); });
}

grpc::ServerUnaryReactor* CatalogService::ResolveRegistryId(Ctx* ctx,
                                                            const v1::ResolveRegistryIdRequest* req,
                                                            v1::ResolveRegistryIdResponse* resp) {
  return RunUnary(ctx, executor_.get(), [=]() -> absl::Status {
    return Deliver(catalog_->ResolveRegistryId(req->registry_id()), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::ListDataIssues(Ctx* ctx,
                                                         const v1::ListDataIssuesRequest* req,
                                                         v1::ListDataIssuesResponse* resp) {
  return RunUnary(ctx, executor_.get(),
                  [=]() -> absl::Status { return Deliver(catalog_->ListDataIssues(*req), resp); });
}

grpc::ServerUnaryReactor* CatalogService::CountProducts(Ctx* ctx,
                                                        const v1::CountProductsRequest* req,
                                                        v1::CountResponse* resp) {
  return RunUnary(ctx, executor_.get(), [=]() -> absl::Status {
    google::protobuf::RepeatedPtrField<std::string> dimensions;
    std::string field;
    RETURN_IF_ERROR(DimensionsOf(*req, v1::ProductDimension_descriptor(), &dimensions, &field));
    return Deliver(catalog_->CountProducts(req->filter(), dimensions, field), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::CountTrials(Ctx* ctx, const v1::CountTrialsRequest* req,
                                                      v1::CountResponse* resp) {
  return RunUnary(ctx, executor_.get(), [=]() -> absl::Status {
    google::protobuf::RepeatedPtrField<std::string> dimensions;
    std::string field;
    RETURN_IF_ERROR(DimensionsOf(*req, v1::TrialDimension_descriptor(), &dimensions, &field));
    return Deliver(catalog_->CountTrials(req->filter(), dimensions, field), resp);
  });
}

grpc::ServerUnaryReactor* CatalogService::ImportClinicalTrials(
    Ctx* ctx, const v1::ImportClinicalTrialsRequest* req, v1::ImportClinicalTrialsResponse* resp) {
  return RunUnary(ctx, executor_.get(), [=]() -> absl::Status {
    if (req->file_name().empty()) {
      return Deliver(absl::InvalidArgumentError("file_name: required"));
    }
    absl::StatusOr<std::unique_ptr<CtgovImporter>> importer =
        CtgovImporter::Create(catalog_, CtgovImportOptions{});
    if (!importer.ok()) return Deliver(importer.status());
    RegistryFileFormat format = RegistryFileFormat::kUnknown;
    switch (req->format()) {
      case v1::IMPORT_FORMAT_UNSPECIFIED:
        break;
      case v1::IMPORT_FORMAT_CTGOV_JSON:
        format = RegistryFileFormat::kCtgovJson;
        break;
      case v1::IMPORT_FORMAT_CTGOV_CSV:
        format = RegistryFileFormat::kCtgovCsv;
        break;
      case v1::IMPORT_FORMAT_ICTRP_XML:
        format = RegistryFileFormat::kIctrpXml;
        break;
      case v1::IMPORT_FORMAT_ICTRP_CSV:
        format = RegistryFileFormat::kIctrpCsv;
        break;
      default:
        return Deliver(absl::InvalidArgumentError(
            absl::StrCat("format: unknown value ", static_cast<int>(req->format()))));
    }
    absl::Status s =
        (*importer)->ImportContent(req->file_name(), req->json(), ImportRegistry::kAny, format);
    if (s.ok()) *resp = (*importer)->summary();
    return Deliver(s);
  });
}

grpc::ServerUnaryReactor* CatalogInternalService::SetRegulatoryStages(
    grpc::CallbackServerContext* ctx, const v1::SetRegulatoryStagesRequest* req,
    v1::Product* resp) {
  return RunUnary(ctx, executor_.get(), [=]() -> absl::Status {
    return Deliver(catalog_->SetRegulatoryStages(req->product(), req->stages()), resp);
  });
}

}  // namespace regenatlas::catalog
