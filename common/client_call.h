#ifndef REGENATLAS_COMMON_CLIENT_CALL_H_
#define REGENATLAS_COMMON_CLIENT_CALL_H_

// The gRPC side of call-context propagation (common/call_context.h) and the
// one way every client library makes a unary call to another service: the
// caller's deadline (capped by the client's default timeout), request id and
// trace context stamped on the outgoing call, and the backend's status mapped
// back to a domain status.

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "common/call_context.h"
#include "grpcpp/grpcpp.h"

namespace regenatlas {

// The propagated context of a call being served: its deadline and the
// x-request-id, traceparent, tracestate and baggage metadata.
CallContext CallContextOf(const grpc::ServerContextBase* context);

// Stamps `call` on an outgoing call: deadline = the earlier of the caller's
// and now + `timeout`; metadata as received. A fresh context gets only the
// deadline (the serving side assigns the request id).
void Stamp(const CallContext& call, absl::Duration timeout, grpc::ClientContext* out);

// The status of `backend`'s `method` as a domain status. Errors about the
// request (INVALID_ARGUMENT, NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION,
// OUT_OF_RANGE, PERMISSION_DENIED, UNAUTHENTICATED) keep code and message —
// the message names the request field. UNIMPLEMENTED becomes
// FAILED_PRECONDITION (a missing dependency, which retrying does not fix);
// CANCELLED, which only the peer can cause, becomes UNAVAILABLE; every other
// code is kept with the backend and method prefixed to the message.
absl::Status FromBackend(const grpc::Status& status, absl::string_view backend,
                         absl::string_view method);

// How a client library calls its backend.
struct ClientOptions {
  // Deadline of a call whose caller gave none (or a later one).
  absl::Duration timeout = absl::Seconds(10);
};

// A stub of `Service` over a channel opened on first use (in all-in-one the
// in-process channel exists only once the server runs) and then reused by
// every call. Thread-safe.
template <typename Service>
class LazyStub {
 public:
  using Connect = std::function<std::shared_ptr<grpc::Channel>()>;
  explicit LazyStub(Connect connect) : connect_(std::move(connect)) {}

  // Null when the channel cannot be opened.
  typename Service::Stub* Get() {
    absl::MutexLock lock(&mu_);
    if (stub_ == nullptr) {
      std::shared_ptr<grpc::Channel> channel = connect_();
      if (channel == nullptr) return nullptr;
      stub_ = Service::NewStub(channel);
    }
    return stub_.get();
  }

 private:
  const Connect connect_;
  absl::Mutex mu_;
  std::unique_ptr<typename Service::Stub> stub_ ABSL_GUARDED_BY(mu_);
};

// One unary call of `method` on `stub` carrying CallContext::Current().
template <typename StubT, typename Request, typename Response>
absl::StatusOr<Response> CallBackend(StubT* stub,
                                     grpc::Status (StubT::*method)(grpc::ClientContext*,
                                                                   const Request&, Response*),
                                     const Request& request, const ClientOptions& options,
                                     absl::string_view backend, absl::string_view method_name) {
  if (stub == nullptr) return absl::UnavailableError(absl::StrCat(backend, ": no channel"));
  grpc::ClientContext context;
  Stamp(CallContext::Current(), options.timeout, &context);
  Response response;
  const grpc::Status status = (stub->*method)(&context, request, &response);
  if (!status.ok()) return FromBackend(status, backend, method_name);
  return response;
}

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_CLIENT_CALL_H_
