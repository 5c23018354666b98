#ifndef REGENATLAS_SERVICES_GATEWAY_ACCESS_LOG_H_
#define REGENATLAS_SERVICES_GATEWAY_ACCESS_LOG_H_

#include "services/gateway/front.h"

namespace regenatlas::gateway {

// One JSON line per call at the public port (common/log.h), the only place
// a failed call is logged:
//   {"level":"info","msg":"access","method":"/regenatlas.catalog.v1.CatalogService/GetTrial",
//    "code":"OK","latency_ms":"0.412","request_id":"…","role":"anonymous",
//    "peer":"ipv4:127.0.0.1:40112","backend":"catalog"}
// Level by outcome: info for OK and for the caller's own errors
// (INVALID_ARGUMENT, NOT_FOUND, UNAUTHENTICATED, …), warning for
// UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED and ABORTED, error for
// server faults (INTERNAL, UNKNOWN, DATA_LOSS, UNIMPLEMENTED). Failed calls
// carry "error" (the status message, at most 300 bytes).
class AccessLog final : public CallObserver {
 public:
  void OnDone(const CallRecord& record) override;
};

}  // namespace regenatlas::gateway

#endif  // REGENATLAS_SERVICES_GATEWAY_ACCESS_LOG_H_
