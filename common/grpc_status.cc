#include "common/grpc_status.h"

#include <string>

#include "common/excerpt.h"

namespace regenatlas {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbering.
  // Messages stay short whatever the domain put in them: they travel in
  // HTTP/2 trailers, whose size peers limit (8 KB by default).
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      Excerpt(status.message(), kMaxStatusMessageBytes));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                      status.error_message());
}

}  // namespace regenatlas
