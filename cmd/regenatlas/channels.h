#ifndef REGENATLAS_CMD_REGENATLAS_CHANNELS_H_
#define REGENATLAS_CMD_REGENATLAS_CHANNELS_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "cmd/regenatlas/serve.h"
#include "grpcpp/grpcpp.h"

namespace regenatlas::cli {

// Opens a channel on first use (backends are dialled lazily).
using ChannelFactory = std::function<std::shared_ptr<grpc::Channel>()>;

// Credentials of the public port: TLS when a certificate is given (mutual
// TLS with a client CA), plaintext otherwise. INVALID_ARGUMENT for
// inconsistent flags, FAILED_PRECONDITION for unreadable files.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> PublicCredentials(const ServeOptions& o);

// A channel to another RegenAtlas service at `addr` (split topology) that
// sends `service_key` (when not empty) on every call, with the backend
// channel arguments of gateway::BackendChannelArguments for `service`.
ChannelFactory RemoteChannel(const std::string& addr, const std::string& service,
                             const std::string& service_key);

}  // namespace regenatlas::cli

#endif  // REGENATLAS_CMD_REGENATLAS_CHANNELS_H_
