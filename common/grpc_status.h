#ifndef REGENATLAS_COMMON_GRPC_STATUS_H_
#define REGENATLAS_COMMON_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace regenatlas {

// Converts a domain status to the status returned to a gRPC client. Called
// once per RPC, at the boundary.
grpc::Status ToGrpcStatus(const absl::Status& status);

// Converts the status of an outgoing call back to a domain status. CANCELLED
// (which only the peer can cause: we never cancel our own outgoing calls)
// becomes UNAVAILABLE, so that callers see a retryable status.
absl::Status FromGrpcStatus(const grpc::Status& status);

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_GRPC_STATUS_H_
