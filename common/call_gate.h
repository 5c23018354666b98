#ifndef REGENATLAS_COMMON_CALL_GATE_H_
#define REGENATLAS_COMMON_CALL_GATE_H_

// Refusals decided before a handler runs. A server interceptor on the
// public port (services/gateway/front_local.cc) authenticates, rate-limits
// and admits each call of a service registered on that port; gRPC gives
// interceptors no way to end a call, so a refusal is recorded here against
// the call's context and the handler finishes the call with it before any
// domain work: RunUnary and Reply (common/rpc.h) and every reactor-returning
// handler check TakeRefusal first. The admitted, common case costs one
// atomic load.

#include <optional>

#include "grpcpp/grpcpp.h"

namespace regenatlas {

// Records that the call of `context` is refused with `status`.
void RefuseCall(const grpc::ServerContextBase* context, grpc::Status status);

// The refusal recorded for `context`, removed; std::nullopt when none.
std::optional<grpc::Status> TakeRefusal(const grpc::ServerContextBase* context);

// Removes a refusal no handler took (the call ended before its handler
// ran), so that a later call reusing the address is not refused.
void ForgetRefusal(const grpc::ServerContextBase* context);

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_CALL_GATE_H_
