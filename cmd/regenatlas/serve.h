#ifndef REGENATLAS_CMD_REGENATLAS_SERVE_H_
#define REGENATLAS_CMD_REGENATLAS_SERVE_H_

#include <string>

#include "absl/time/time.h"

namespace regenatlas::cli {

// Options of `regenatlas serve`, filled from flags by main.
struct ServeOptions {
  std::string listen = "127.0.0.1:50051";
  std::string data_dir = "regenatlas-data";
  // all | catalog | timeline | analytics | gateway.
  std::string role = "all";
  absl::Duration shutdown_grace = absl::Seconds(10);
  bool sync_writes = true;
  // The reference dataset directory (with catalog/ inside), loaded when the
  // store does not hold it yet (or holds an older version); "none" skips it.
  std::string dataset = "data";
};

// Runs the server until SIGTERM/SIGINT; returns the process exit code.
// Startup errors (bad role, store locked, address in use) are logged and
// give a non-zero code.
int RunServe(const ServeOptions& options);

// Options of `regenatlas backup`.
struct BackupOptions {
  std::string data_dir;
  std::string to;
};

// Writes a consistent checkpoint of the (not running) store at
// options.data_dir into options.to. Returns the exit code.
int RunBackup(const BackupOptions& options);

}  // namespace regenatlas::cli

#endif  // REGENATLAS_CMD_REGENATLAS_SERVE_H_
