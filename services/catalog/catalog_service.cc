#include "services/catalog/catalog_service.h"

#include "common/rpc.h"

namespace regenatlas::catalog {

grpc::ServerUnaryReactor* CatalogService::CreateSource(
    grpc::CallbackServerContext* context, const catalog::v1::CreateSourceRequest* request,
    catalog::v1::Source* response) {
  return Reply(context, catalog_->sources().Create(request->source_id(), request->source()), response);
}

grpc::ServerUnaryReactor* CatalogService::GetSource(grpc::CallbackServerContext* context,
                                                    const catalog::v1::GetSourceRequest* request,
                                                    catalog::v1::Source* response) {
  return Reply(context, catalog_->sources().Get(request->name()), response);
}

grpc::ServerUnaryReactor* CatalogService::ListSources(
    grpc::CallbackServerContext* context, const catalog::v1::ListSourcesRequest* request,
    catalog::v1::ListSourcesResponse* response) {
  absl::StatusOr<Page<Source>> page =
      catalog_->sources().List(request->page_size(), request->page_token());
  if (page.ok()) FillPage(*page, response->mutable_sources(), response->mutable_next_page_token());
  return Reply(context, page.status());
}

grpc::ServerUnaryReactor* CatalogService::DeleteSource(
    grpc::CallbackServerContext* context, const catalog::v1::DeleteSourceRequest* request,
    google::protobuf::Empty* response) {
  return Reply(context, catalog_->sources().Delete(request->name(), request->etag()));
}

}  // namespace regenatlas::catalog
