#include "common/grpc_status.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "common/error_details.h"
#include "common/excerpt.h"

namespace regenatlas {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbering.
  // Messages stay short whatever the domain put in them: they travel in
  // HTTP/2 trailers, whose size peers limit (8 KB by default).
  std::string message = Excerpt(status.message(), kMaxStatusMessageBytes);
  std::string details = EncodeStatusDetails(status, message);
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::move(message),
                      std::move(details));
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) return absl::OkStatus();
  // Our outgoing calls are never cancelled by us: a CANCELLED answer means
  // the peer dropped the call (e.g. it is shutting down), which a retry
  // elsewhere can fix.
  if (status.error_code() == grpc::StatusCode::CANCELLED) {
    return absl::UnavailableError(
        absl::StrCat("peer cancelled the call (shutting down?); retry: ", status.error_message()));
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

}  // namespace regenatlas
