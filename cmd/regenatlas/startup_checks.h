#ifndef REGENATLAS_CMD_REGENATLAS_STARTUP_CHECKS_H_
#define REGENATLAS_CMD_REGENATLAS_STARTUP_CHECKS_H_

#include <string>

#include "absl/status/status.h"
#include "cmd/regenatlas/serve.h"

namespace regenatlas::cli {

// Checks of `serve` that run before anything is opened or loaded, so that
// a mistake is reported at once and says what to do.

// Role, backend addresses, limits, and that a backend on a non-loopback
// address has --auth_keys (or --allow_unauthenticated). INVALID_ARGUMENT.
absl::Status CheckFlags(const ServeOptions& o);

// The --dataset directory exists (unless "none" or the gateway role).
absl::Status CheckDataset(const ServeOptions& o);

// Binds host:port for a moment to tell "address already in use" apart
// from other failures (gRPC only says it cannot listen). Port 0 and Unix
// sockets are not checked.
absl::Status CheckCanListen(const std::string& flag, const std::string& address);

// True for addresses only this machine can reach.
bool IsLoopback(const std::string& listen);

}  // namespace regenatlas::cli

#endif  // REGENATLAS_CMD_REGENATLAS_STARTUP_CHECKS_H_
