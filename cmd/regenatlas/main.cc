// regenatlas: the single binary of RegenAtlas. Reads flags, fills Options,
// hands over to the subcommand.

#include <iostream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "cmd/regenatlas/check.h"
#include "cmd/regenatlas/flags.h"
#include "cmd/regenatlas/import.h"
#include "cmd/regenatlas/serve.h"
#include "common/log.h"
#include "common/server_runner.h"
#include "common/version.h"

namespace {

constexpr char kTopUsage[] =
    "Usage: regenatlas <command> [flags]\n"
    "\n"
    "RegenAtlas: gRPC services tracking cell-therapy and stem-cell drugs.\n"
    "\n"
    "Commands:\n"
    "  serve    run the gRPC server (all-in-one: every service, one port, one store)\n"
    "  backup   write a consistent checkpoint of a stopped server's store\n"
    "  check    validate a dataset directory and print its data-quality report\n"
    "  import   import registry records (ctgov: ClinicalTrials.gov JSON) into a stopped server's "
    "store\n"
    "\n"
    "Run 'regenatlas <command> --help' for the flags of a command, 'regenatlas --version'\n"
    "for the version. Exit status: 0 success, 1 runtime error, 2 usage error.\n";

int Fail(const absl::Status& status) {
  std::cerr << "regenatlas: " << status.message() << "\n";
  return 2;
}

int Serve(const std::vector<std::string>& args) {
  regenatlas::cli::ServeOptions o;
  regenatlas::cli::FlagSet flags(
      "serve", "regenatlas serve [flags]",
      "Runs the gRPC server with server reflection and grpc.health.v1.Health. Stops\n"
      "gracefully on SIGTERM/SIGINT: health turns NOT_SERVING, new calls are refused,\n"
      "in-flight calls get --shutdown_grace to finish, the store is flushed and closed.");
  flags.Add("listen", o.listen, "host:port to listen on; port 0 picks a free port");
  flags.Add("data_dir", o.data_dir, "directory of the RocksDB store (created when missing)");
  flags.Add("role", o.role,
            "all (every service in one process behind one port), or one role of the split "
            "topology: catalog | timeline | analytics | gateway");
  flags.Add("catalog_addr", "", "host:port of the catalog (roles timeline, analytics, gateway)");
  flags.Add("timeline_addr", "", "host:port of the timeline (roles analytics, gateway)");
  flags.Add("analytics_addr", "", "host:port of market analytics (role gateway)");
  flags.Add("health_listen", "",
            "host:port of a plaintext port serving only grpc.health.v1.Health (for Kubernetes "
            "probes when the main port uses TLS); empty = none");
  flags.Add("metrics_listen", "",
            "host:port serving Prometheus metrics of the public port at /metrics; empty = none");
  flags.Add(
      "auth_keys", "",
      "file of API keys, one \"KEY ROLE\" per line (ROLE reader|curator|admin|service); callers "
      "send \"authorization: Bearer KEY\" or \"x-api-key: KEY\". Used by every role; the first "
      "`service` key is what this process sends to the other services (docs/deploy.md)");
  flags.Add("allow_anonymous_reads", "",
            "calls without credentials may use read methods (writes always need a key); default: "
            "true for roles all and gateway, false for backends given --auth_keys");
  flags.Add("allow_unauthenticated", "false",
            "let a backend role listen on a non-loopback address without --auth_keys (trusted "
            "networks only)");
  flags.Add("max_concurrent_calls", "1000",
            "calls in flight at the public port; more are refused with RESOURCE_EXHAUSTED");
  flags.Add("max_watch_streams", "1000",
            "open WatchEvents streams; more are refused with RESOURCE_EXHAUSTED");
  flags.Add("executor_threads", "0",
            "worker threads of each service's executor (0 = max(4, 2 x cores))");
  flags.Add("executor_queue", "256",
            "calls waiting for a worker per service; more are refused with RESOURCE_EXHAUSTED");
  flags.Add("tls_cert", "", "PEM certificate chain of the public port (enables TLS)");
  flags.Add("tls_key", "", "PEM private key of --tls_cert");
  flags.Add("tls_client_ca", "",
            "PEM CA bundle: require and verify client certificates (mutual TLS)");
  flags.Add("rate_limit_qps", "0",
            "per-client calls per second at the public port (0 = unlimited)");
  flags.Add("rate_limit_burst", "0", "per-client burst (default: the qps)");
  flags.Add("shutdown_grace", "10s", "time in-flight calls get to finish on shutdown");
  flags.Add("max_connection_age", "0s",
            "public connections older than this get a GOAWAY and reconnect (calls in flight get "
            "as long again to finish), spreading clients over replicas; 0s = never");
  flags.Add("drain_window_ms", "300",
            "after SIGTERM, the public port answers new calls UNAVAILABLE for this long (at most "
            "half of --shutdown_grace) before it closes");
  flags.Add("dataset", o.dataset,
            "reference dataset directory (catalog/ inside), loaded into the store when it does "
            "not hold this version yet; \"none\" skips it");
  flags.Add("classification_rules", o.classification_rules,
            "trial-classification rules imports use (docs/import.md#classification); empty = "
            "the dataset's classification/rules.json when it has one; \"none\" = imported "
            "trials are not classified; a bad rules file is a startup error");
  flags.Add("sync_writes", "true",
            "fsync the write-ahead log before acknowledging a write (survives kill -9)");
  flags.Add("block_cache_mb", "64",
            "the store's cache of uncompressed blocks, index and filter blocks included, shared "
            "by every column family (MiB, at least 8)");
  flags.Add("log_level", "info",
            "debug | info | warning | error: lines below it are dropped. The access log (one "
            "line per call at the public port) is at info for successes and client errors, "
            "warning for UNAVAILABLE/DEADLINE_EXCEEDED/RESOURCE_EXHAUSTED, error for server "
            "faults (INTERNAL, UNKNOWN, DATA_LOSS)");
  if (absl::Status s = flags.Parse(args); !s.ok()) return Fail(s);
  if (flags.help_requested()) {
    std::cout << flags.Usage();
    return 0;
  }
  if (!flags.positional().empty()) {
    return Fail(absl::InvalidArgumentError("serve takes no arguments: " + flags.positional()[0]));
  }
  regenatlas::LogLevel level;
  if (!regenatlas::ParseLogLevel(flags.GetString("log_level"), &level)) {
    return Fail(
        absl::InvalidArgumentError(absl::StrCat("--log_level: \"", flags.GetString("log_level"),
                                                "\" is not one of debug, info, warning, error")));
  }
  regenatlas::SetMinLogLevel(level);
  o.listen = flags.GetString("listen");
  o.data_dir = flags.GetString("data_dir");
  o.role = flags.GetString("role");
  o.dataset = flags.GetString("dataset");
  o.classification_rules = flags.GetString("classification_rules");
  o.catalog_addr = flags.GetString("catalog_addr");
  o.timeline_addr = flags.GetString("timeline_addr");
  o.analytics_addr = flags.GetString("analytics_addr");
  o.health_listen = flags.GetString("health_listen");
  o.metrics_listen = flags.GetString("metrics_listen");
  o.auth_keys = flags.GetString("auth_keys");
  o.tls_cert = flags.GetString("tls_cert");
  o.tls_key = flags.GetString("tls_key");
  o.tls_client_ca = flags.GetString("tls_client_ca");
  if (!flags.GetString("allow_anonymous_reads").empty()) {
    absl::StatusOr<bool> anonymous = flags.GetBool("allow_anonymous_reads");
    if (!anonymous.ok()) return Fail(anonymous.status());
    o.allow_anonymous_reads = *anonymous;
  }
  absl::StatusOr<bool> unauthenticated = flags.GetBool("allow_unauthenticated");
  if (!unauthenticated.ok()) return Fail(unauthenticated.status());
  o.allow_unauthenticated = *unauthenticated;
  for (const auto& [name, target, min] :
       {std::tuple<const char*, int*, int>{"max_concurrent_calls", &o.max_concurrent_calls, 1},
        {"max_watch_streams", &o.max_watch_streams, 0},
        {"executor_threads", &o.executor_threads, 0},
        {"executor_queue", &o.executor_queue, 1},
        {"block_cache_mb", &o.block_cache_mb, 8},
        {"drain_window_ms", &o.drain_window_ms, 0}}) {
    absl::StatusOr<int> v = flags.GetInt(name);
    if (!v.ok()) return Fail(v.status());
    if (*v < min)
      return Fail(absl::InvalidArgumentError(absl::StrCat("--", name, ": at least ", min)));
    *target = *v;
  }
  for (const auto& [name, target] :
       {std::pair<const char*, double*>{"rate_limit_qps", &o.rate_limit_qps},
        {"rate_limit_burst", &o.rate_limit_burst}}) {
    if (!absl::SimpleAtod(flags.GetString(name), target) || *target < 0) {
      return Fail(
          absl::InvalidArgumentError(absl::StrCat("--", name, ": not a non-negative number")));
    }
  }
  absl::StatusOr<absl::Duration> grace = flags.GetDuration("shutdown_grace");
  if (!grace.ok()) return Fail(grace.status());
  o.shutdown_grace = *grace;
  absl::StatusOr<absl::Duration> age = flags.GetDuration("max_connection_age");
  if (!age.ok()) return Fail(age.status());
  if (*age < absl::ZeroDuration()) {
    return Fail(absl::InvalidArgumentError("--max_connection_age: must not be negative"));
  }
  o.max_connection_age = *age;
  absl::StatusOr<bool> sync = flags.GetBool("sync_writes");
  if (!sync.ok()) return Fail(sync.status());
  o.sync_writes = *sync;
  return regenatlas::cli::RunServe(o);
}

int Backup(const std::vector<std::string>& args) {
  regenatlas::cli::FlagSet flags(
      "backup", "regenatlas backup --data_dir=DIR --to=NEW_DIR",
      "Writes a consistent, openable checkpoint of the store in --data_dir into --to\n"
      "(which must not exist). The server using --data_dir must be stopped; serve\n"
      "--data_dir=NEW_DIR opens the copy.");
  flags.Add("data_dir", "regenatlas-data", "directory of the store to back up");
  flags.Add("to", "", "directory to create with the checkpoint");
  if (absl::Status s = flags.Parse(args); !s.ok()) return Fail(s);
  if (flags.help_requested()) {
    std::cout << flags.Usage();
    return 0;
  }
  if (flags.GetString("to").empty()) return Fail(absl::InvalidArgumentError("--to is required"));
  return regenatlas::cli::RunBackup({flags.GetString("data_dir"), flags.GetString("to")});
}

int Check(const std::vector<std::string>& args) {
  regenatlas::cli::FlagSet flags(
      "check", "regenatlas check [--verbose=true] [DIR]",
      "Validates a dataset directory (default: data) with catalog/, timeline/ and\n"
      "analytics/ inside: the syntax of every file, every record against the same\n"
      "validation as the API, registry-ID formats, references (also from timeline and\n"
      "analytics records into the catalog) and duplicates. Prints counts, the statements\n"
      "that disagree across documents and the data-quality report. Exit status 1 on\n"
      "errors; findings alone are not errors.");
  flags.Add("verbose", "false", "print every data-quality finding");
  if (absl::Status s = flags.Parse(args); !s.ok()) return Fail(s);
  if (flags.help_requested()) {
    std::cout << flags.Usage();
    return 0;
  }
  if (flags.positional().size() > 1) {
    return Fail(absl::InvalidArgumentError("check takes one directory"));
  }
  regenatlas::cli::CheckOptions o;
  if (!flags.positional().empty()) o.dataset_dir = flags.positional()[0];
  absl::StatusOr<bool> verbose = flags.GetBool("verbose");
  if (!verbose.ok()) return Fail(verbose.status());
  o.verbose = *verbose;
  return regenatlas::cli::RunCheck(o, std::cout);
}

}  // namespace

int main(int argc, char** argv) {
#if defined(NDEBUG) && !defined(REGENATLAS_SANITIZER_BUILD)
  // Debian's abseil is built with deadlock detection on: every absl::Mutex
  // lock then updates a global lock graph (perf: ~5 % of a point read's
  // server CPU). Tests, the sanitizer builds and debug builds keep it.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
#endif
  // Before any thread exists, so that only sigwait sees SIGTERM/SIGINT.
  regenatlas::BlockTerminationSignals();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && (args[0] == "--version" || args[0] == "version")) {
    std::cout << "regenatlas " << regenatlas::Version() << "\n";
    return 0;
  }
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kTopUsage;
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  args.erase(args.begin());
  if (command == "serve") return Serve(args);
  if (command == "backup") return Backup(args);
  if (command == "check") return Check(args);
  if (command == "import") return regenatlas::cli::ImportCommand(args);
  std::cerr << "regenatlas: unknown command '" << command << "'\n\n" << kTopUsage;
  return 2;
}
