#ifndef REGENATLAS_COMMON_RPC_H_
#define REGENATLAS_COMMON_RPC_H_

#include <chrono>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/call_context.h"
#include "common/call_gate.h"
#include "common/client_call.h"
#include "common/executor.h"
#include "common/grpc_status.h"
#include "grpcpp/grpcpp.h"
#include "storage/store.h"

namespace regenatlas {

// Finishes a unary callback call with `status`, converted once here. Only
// for answers that need no domain work (refusals, validation of the request
// shape); everything else goes through RunUnary. A refusal of the public
// port's gate (common/call_gate.h) wins over `status`.
inline grpc::ServerUnaryReactor* Reply(grpc::CallbackServerContext* context,
                                       const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  std::optional<grpc::Status> refused = TakeRefusal(context);
  reactor->Finish(refused.has_value() ? *std::move(refused) : ToGrpcStatus(status));
  return reactor;
}

// For handlers that finish the call themselves (not through RunUnary or
// Reply): the reactor finished with the gate's refusal, or null when the
// call is admitted.
inline grpc::ServerUnaryReactor* Refused(grpc::CallbackServerContext* context) {
  std::optional<grpc::Status> refused = TakeRefusal(context);
  if (!refused.has_value()) return nullptr;
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(*std::move(refused));
  return reactor;
}

// Moves `result`'s value into `response` on success; returns its status.
template <typename T>
absl::Status Deliver(absl::StatusOr<T> result, T* response) {
  if (result.ok()) *response = *std::move(result);
  return result.status();
}
inline absl::Status Deliver(absl::Status status) { return status; }

// The deadline of the call as an absl::Time (InfiniteFuture when none).
inline absl::Time DeadlineOf(const grpc::CallbackServerContext* context) {
  const auto deadline = context->deadline();
  if (deadline >= std::chrono::system_clock::now() + std::chrono::hours(24 * 365)) {
    return absl::InfiniteFuture();
  }
  return absl::FromChrono(deadline);
}

// The execution model of every unary method (docs/execution.md): the
// reactor does no domain work. `body` (absl::Status(), filling the response
// itself) runs on `executor`, which finishes the call with its status. A
// call the public port's gate refused (common/call_gate.h) is finished
// with that refusal at once; a full queue answers RESOURCE_EXHAUSTED at once; a call cancelled or
// past its deadline while queued is finished without running `body`. While `body` runs,
// CallContext::Current() is this call's context, so the client libraries carry its deadline,
// request id and trace context on to the services `body` calls (common/call_context.h).
//
// Lifetime: the request, the response and the context belong to gRPC and
// stay valid until the reactor's OnDone, which cannot run before Finish;
// `body` may therefore use them, and nothing after Finish touches them.
template <typename Body>
grpc::ServerUnaryReactor* RunUnary(grpc::CallbackServerContext* context, Executor* executor,
                                   Body body) {
  if (grpc::ServerUnaryReactor* refused = Refused(context)) return refused;
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::Status queued = executor->Submit(
      [context, reactor, body = std::move(body), call = CallContextOf(context)]() mutable {
        if (context->IsCancelled()) {
          reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled while queued"));
          return;
        }
        if (absl::Now() >= DeadlineOf(context)) {
          reactor->Finish(
              grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline passed while queued"));
          return;
        }
        absl::Status status;
        {
          ScopedCallContext scope(call);
          status = body();
        }
        reactor->Finish(ToGrpcStatus(status));
      });
  if (!queued.ok()) reactor->Finish(ToGrpcStatus(queued));
  return reactor;
}

// For point reads: runs `body` in the reaction itself, with the store's
// reads answered from memory only (storage::ScopedMemoryOnlyReads: the
// reaction never waits for the disk), and finishes the call. When a read
// needed the disk, that attempt's result is dropped and the call goes
// through RunUnary like any other. Saves the executor hand-off (two thread
// wake-ups) on the common, cached case. `body` must only read the store
// (no writes, no calls to other services) and fill the response only when
// it succeeds.
template <typename Body>
grpc::ServerUnaryReactor* RunUnaryInline(grpc::CallbackServerContext* context, Executor* executor,
                                         Body body) {
  if (grpc::ServerUnaryReactor* refused = Refused(context)) return refused;
  absl::Status status;
  bool blocked;
  {
    storage::ScopedMemoryOnlyReads memory_only;
    status = body();
    blocked = memory_only.blocked();
  }
  if (blocked) return RunUnary(context, executor, std::move(body));
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

// Moves a domain Page into a List response's repeated field and token.
template <typename PageT, typename Repeated>
void FillPage(PageT& page, Repeated* items, std::string* next_page_token) {
  for (auto& item : page.items) *items->Add() = std::move(item);
  *next_page_token = std::move(page.next_page_token);
}

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_RPC_H_
