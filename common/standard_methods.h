#ifndef REGENATLAS_COMMON_STANDARD_METHODS_H_
#define REGENATLAS_COMMON_STANDARD_METHODS_H_

// The AIP standard methods (Create, Get, BatchGet, List, Update, Delete) as
// RPCs, written once: generic handlers that run a ResourceTable<T> call (or
// the domain's List) on the service's executor through RunUnary, and macros
// that declare a resource's methods in a service class. A service's own .cc
// then holds only its custom methods.
//
// In a CallbackService subclass with a `std::shared_ptr<Executor> executor_` member:
//
//   REGENATLAS_STANDARD_METHODS(v1, Source, Sources, source, sources,
//                               catalog_->sources(), catalog_->ListSources)
//
// declares CreateSource, GetSource, BatchGetSources, ListSources,
// UpdateSource and DeleteSource. The single-method macros exist for
// resources with a custom method in the set (e.g. CreateTrial, which derives
// its id). The request and response fields follow AIP naming: `<field>_id`
// and `<field>` in Create, `<field>` and `update_mask` in Update, `name` and
// `etag` in Delete, `names` in BatchGet, `<fields>` in the BatchGet and List
// responses.

#include <string>
#include <utility>

#include "common/executor.h"
#include "common/postings.h"
#include "common/resource_table.h"
#include "common/rpc.h"
#include "common/status_macros.h"
#include "google/protobuf/empty.pb.h"
#include "grpcpp/grpcpp.h"

namespace regenatlas {

template <typename T>
grpc::ServerUnaryReactor* HandleCreate(grpc::CallbackServerContext* ctx, Executor* executor,
                                       ResourceTable<T>* table, const std::string* id,
                                       const T* record, T* response) {
  return RunUnary(ctx, executor, [=] { return Deliver(table->Create(*id, *record), response); });
}

template <typename T>
grpc::ServerUnaryReactor* HandleGet(grpc::CallbackServerContext* ctx, Executor* executor,
                                    const ResourceTable<T>* table, const std::string* name,
                                    T* response) {
  return RunUnaryInline(ctx, executor, [=] { return Deliver(table->Get(*name), response); });
}

template <typename T, typename Repeated>
grpc::ServerUnaryReactor* HandleBatchGet(
    grpc::CallbackServerContext* ctx, Executor* executor, const ResourceTable<T>* table,
    const google::protobuf::RepeatedPtrField<std::string>* names, Repeated* items) {
  return RunUnary(ctx, executor, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<T> records, table->BatchGet(*names));
    for (T& r : records) *items->Add() = std::move(r);
    return absl::OkStatus();
  });
}

// `list` is the domain's filtered, ordered List (ListQuery → ListResult<T>).
template <typename List, typename Request, typename Response, typename Repeated>
grpc::ServerUnaryReactor* HandleList(grpc::CallbackServerContext* ctx, Executor* executor,
                                     List list, const Request* request, Response* response,
                                     Repeated* items) {
  return RunUnary(ctx, executor, [=]() -> absl::Status {
    ASSIGN_OR_RETURN(auto page, list(ListQuery{request->page_size(), request->page_token(),
                                               request->filter(), request->order_by()}));
    FillPage(page, items, response->mutable_next_page_token());
    if (request->show_total_size()) response->set_total_size(page.total_size);
    return absl::OkStatus();
  });
}

template <typename T>
grpc::ServerUnaryReactor* HandleUpdate(grpc::CallbackServerContext* ctx, Executor* executor,
                                       ResourceTable<T>* table, const T* patch,
                                       const google::protobuf::FieldMask* mask, T* response) {
  return RunUnary(ctx, executor, [=] { return Deliver(table->Update(*patch, *mask), response); });
}

template <typename T>
grpc::ServerUnaryReactor* HandleDelete(grpc::CallbackServerContext* ctx, Executor* executor,
                                       ResourceTable<T>* table, const std::string* name,
                                       const std::string* etag) {
  return RunUnary(ctx, executor, [=] { return table->Delete(*name, *etag); });
}

}  // namespace regenatlas

// The single-method declarations; `table` is an expression giving the
// ResourceTable<ns::Type>&, `list` a callable expression taking a ListQuery.
#define REGENATLAS_CREATE_METHOD(ns, Type, field, table)                                       \
  grpc::ServerUnaryReactor* Create##Type(grpc::CallbackServerContext* ctx,                     \
                                         const ns::Create##Type##Request* req, ns::Type* resp) \
      override {                                                                               \
    return ::regenatlas::HandleCreate(ctx, executor_.get(), &(table), &req->field##_id(),      \
                                      &req->field(), resp);                                    \
  }
#define REGENATLAS_GET_METHOD(ns, Type, table)                                           \
  grpc::ServerUnaryReactor* Get##Type(grpc::CallbackServerContext* ctx,                  \
                                      const ns::Get##Type##Request* req, ns::Type* resp) \
      override {                                                                         \
    return ::regenatlas::HandleGet(ctx, executor_.get(), &(table), &req->name(), resp);  \
  }
#define REGENATLAS_BATCH_GET_METHOD(ns, Types, fields, table)                               \
  grpc::ServerUnaryReactor* BatchGet##Types(grpc::CallbackServerContext* ctx,               \
                                            const ns::BatchGet##Types##Request* req,        \
                                            ns::BatchGet##Types##Response* resp) override { \
    return ::regenatlas::HandleBatchGet(ctx, executor_.get(), &(table), &req->names(),      \
                                        resp->mutable_##fields());                          \
  }
#define REGENATLAS_LIST_METHOD(ns, Types, fields, list)                                          \
  grpc::ServerUnaryReactor* List##Types(grpc::CallbackServerContext* ctx,                        \
                                        const ns::List##Types##Request* req,                     \
                                        ns::List##Types##Response* resp) override {              \
    return ::regenatlas::HandleList(                                                             \
        ctx, executor_.get(), [this](const ::regenatlas::ListQuery& q) { return list(q); }, req, \
        resp, resp->mutable_##fields());                                                         \
  }
#define REGENATLAS_UPDATE_METHOD(ns, Type, field, table)                                       \
  grpc::ServerUnaryReactor* Update##Type(grpc::CallbackServerContext* ctx,                     \
                                         const ns::Update##Type##Request* req, ns::Type* resp) \
      override {                                                                               \
    return ::regenatlas::HandleUpdate(ctx, executor_.get(), &(table), &req->field(),           \
                                      &req->update_mask(), resp);                              \
  }
#define REGENATLAS_DELETE_METHOD(ns, Type, table)                                                  \
  grpc::ServerUnaryReactor* Delete##Type(grpc::CallbackServerContext* ctx,                         \
                                         const ns::Delete##Type##Request* req,                     \
                                         google::protobuf::Empty*) override {                      \
    return ::regenatlas::HandleDelete(ctx, executor_.get(), &(table), &req->name(), &req->etag()); \
  }

// All six standard methods of one resource.
#define REGENATLAS_STANDARD_METHODS(ns, Type, Types, field, fields, table, list) \
  REGENATLAS_CREATE_METHOD(ns, Type, field, table)                               \
  REGENATLAS_GET_METHOD(ns, Type, table)                                         \
  REGENATLAS_BATCH_GET_METHOD(ns, Types, fields, table)                          \
  REGENATLAS_LIST_METHOD(ns, Types, fields, list)                                \
  REGENATLAS_UPDATE_METHOD(ns, Type, field, table)                               \
  REGENATLAS_DELETE_METHOD(ns, Type, table)

#endif  // REGENATLAS_COMMON_STANDARD_METHODS_H_
