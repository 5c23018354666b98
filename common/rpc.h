#ifndef REGENATLAS_COMMON_RPC_H_
#define REGENATLAS_COMMON_RPC_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/grpc_status.h"
#include "grpcpp/grpcpp.h"

namespace regenatlas {

// Finishes a unary callback call with `status`, converted once here.
inline grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* context,
                                       const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

// Finishes a unary callback call with `result`, moving its value into
// `response` on success.
template <typename T>
grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* context, absl::StatusOr<T> result,
                                T* response) {
  if (result.ok()) *response = *std::move(result);
  return Reply(context, result.status());
}

// Moves a domain Page into a List response's repeated field and token.
template <typename PageT, typename Repeated>
void FillPage(PageT& page, Repeated* items, std::string* next_page_token) {
  for (auto& item : page.items) *items->Add() = std::move(item);
  *next_page_token = std::move(page.next_page_token);
}

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_RPC_H_
