#ifndef REGENATLAS_CMD_REGENATLAS_SERVE_H_
#define REGENATLAS_CMD_REGENATLAS_SERVE_H_

#include <functional>
#include <optional>
#include <string>

#include "absl/time/time.h"

namespace regenatlas::cli {

// Options of `regenatlas serve`, filled from flags by main.
struct ServeOptions {
  // all | catalog | timeline | analytics | gateway.
  std::string role = "all";
  std::string listen = "127.0.0.1:50051";
  std::string data_dir = "regenatlas-data";
  // The reference dataset directory (catalog/, timeline/, analytics/ inside);
  // each role loads its own part when its store does not hold that version
  // yet; "none" skips it.
  std::string dataset = "data";
  // Trial-classification rules for imports (docs/import.md#classification):
  // "" = the dataset's classification/rules.json when it has one; "none" = off.
  std::string classification_rules;
  // Backends, host:port (split roles): timeline → catalog; analytics →
  // catalog and timeline; gateway → all three.
  std::string catalog_addr;
  std::string timeline_addr;
  std::string analytics_addr;
  // Plaintext port serving only grpc.health.v1.Health ("" = none).
  std::string health_listen;
  // Prometheus metrics of the public port at http://HOST:PORT/metrics ("" = none).
  std::string metrics_listen;
  // API keys file ("KEY ROLE" lines); empty = no keys. Every role uses it:
  // the public face checks callers against it, and the first `service` key
  // is what this process sends to the other services (split topology).
  std::string auth_keys;
  // Unset: on for roles all and gateway, off for backends that have keys.
  std::optional<bool> allow_anonymous_reads;
  // A backend on a non-loopback address without --auth_keys refuses to
  // start unless this says the network is trusted.
  bool allow_unauthenticated = false;
  // Admission control of the public port (RESOURCE_EXHAUSTED beyond).
  int max_concurrent_calls = 1000;
  // Open WatchEvents streams per timeline.
  int max_watch_streams = 1000;
  // Each service's executor: threads (0 = max(4, 2 × cores)) and queue.
  int executor_threads = 0;
  int executor_queue = 256;
  // TLS for the public port; a client CA makes it mutual TLS.
  std::string tls_cert;
  std::string tls_key;
  std::string tls_client_ca;
  // Per-client limit at the public port (0 = none).
  double rate_limit_qps = 0;
  double rate_limit_burst = 0;
  absl::Duration shutdown_grace = absl::Seconds(10);
  // Public connections older than this are asked to reconnect (0 = never):
  // spreads long-lived clients over the replicas behind a Service.
  absl::Duration max_connection_age = absl::ZeroDuration();
  // After SIGTERM the public port keeps answering UNAVAILABLE this long
  // (at most half the grace period) before it closes.
  int drain_window_ms = 300;
  bool sync_writes = true;
  // The store's block cache (storage::StoreOptions::block_cache_bytes).
  int block_cache_mb = 64;
  // The clock of the store and the services (tests inject one); unset:
  // absl::Now.
  std::function<absl::Time()> clock;
};

// Runs the server until SIGTERM/SIGINT; returns the process exit code.
// Startup errors (bad role, missing backend address, store locked, address
// in use, unreadable dataset or keys) are logged and give a non-zero code.
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
