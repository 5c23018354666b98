#ifndef REGENATLAS_COMMON_CALL_CONTEXT_H_
#define REGENATLAS_COMMON_CALL_CONTEXT_H_

// What a call to one service carries on to the calls it makes to others: its
// deadline, request id and W3C trace context. gRPC-free, so that domain code
// and client interfaces can use it.
//
// The rule: RunUnary (common/rpc.h) installs the serving call's context on
// the executor thread for the duration of the handler body, and every client
// library (services/*/..._client.h) stamps CallContext::Current() onto its
// outgoing calls. Cross-service calls are synchronous inside the body, so the
// thread-local is exactly the caller's. Work not serving a call (background
// stage sync, startup) sees an empty context: no deadline beyond the client's
// default timeout, a fresh request id.

#include <string>

#include "absl/time/time.h"

namespace regenatlas {

// The propagated part of a call.
struct CallContext {
  // When the caller stops waiting; InfiniteFuture when it gave no deadline.
  absl::Time deadline = absl::InfiniteFuture();
  // The x-request-id of the call (the front assigns one when absent).
  std::string request_id;
  // W3C trace context headers, forwarded verbatim (empty when absent).
  std::string traceparent;
  std::string tracestate;
  std::string baggage;

  // The context of the call this thread is serving; an empty context when
  // none.
  static const CallContext& Current();
};

// Installs `context` as CallContext::Current() on this thread for the scope;
// restores the previous one on destruction. Not movable: strictly scoped.
class ScopedCallContext {
 public:
  explicit ScopedCallContext(const CallContext& context);
  ~ScopedCallContext();
  ScopedCallContext(const ScopedCallContext&) = delete;
  ScopedCallContext& operator=(const ScopedCallContext&) = delete;

 private:
  const CallContext* previous_;
};

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_CALL_CONTEXT_H_
