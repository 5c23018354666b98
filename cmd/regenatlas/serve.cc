#include "cmd/regenatlas/serve.h"

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cmd/regenatlas/server.h"
#include "cmd/regenatlas/startup_checks.h"
#include "common/log.h"
#include "common/server_runner.h"
#include "services/gateway/access.h"
#include "storage/store.h"

namespace regenatlas::cli {
namespace {

int StartupError(const absl::Status& s, absl::string_view what, int code = 1) {
  Log(LogLevel::kError, what, {{"error", std::string(s.message())}});
  return code;
}

}  // namespace

int RunServe(const ServeOptions& o) {
  // Usage errors (exit 2) are found before anything is opened or loaded.
  if (absl::Status s = CheckFlags(o); !s.ok()) return StartupError(s, "bad flags", 2);
  if (absl::Status s = CheckDataset(o); !s.ok()) return StartupError(s, "bad flags", 2);
  for (const auto& [flag, address] :
       {std::pair<const char*, const std::string&>{"listen", o.listen},
        {"health_listen", o.health_listen},
        {"metrics_listen", o.metrics_listen}}) {
    if (absl::Status s = CheckCanListen(flag, address); !s.ok()) {
      return StartupError(s, "cannot listen", absl::IsInvalidArgument(s) ? 2 : 1);
    }
  }
  const bool backend = o.role == "catalog" || o.role == "timeline" || o.role == "analytics";
  gateway::AccessOptions access;
  // Backends answer anonymous callers only when told to: their callers are
  // the gateway and their peers, which send the service key.
  access.allow_anonymous_reads = o.allow_anonymous_reads.value_or(!backend || o.auth_keys.empty());
  if (!o.auth_keys.empty()) {
    absl::StatusOr<std::map<std::string, gateway::Role>> keys = gateway::LoadKeysFile(o.auth_keys);
    if (!keys.ok()) return StartupError(keys.status(), "bad --auth_keys", 2);
    access.keys = *std::move(keys);
  }
  if (backend && o.auth_keys.empty()) {
    // Allowed only on loopback or by --allow_unauthenticated (CheckFlags).
    access.trust_all = true;
    Log(LogLevel::kWarning, "backend accepts unauthenticated calls, writes included",
        {{"role", o.role}, {"listen", o.listen}});
  }
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(o, std::move(access));
  if (!server.ok()) return StartupError(server.status(), "cannot start server");
  const int sig = WaitForTerminationSignal();
  Log(LogLevel::kInfo, "signal received", {{"signal", absl::StrCat(sig)}});
  if (absl::Status s = (*server)->Shutdown(); !s.ok()) {
    Log(LogLevel::kError, "shutdown failed", {{"error", std::string(s.message())}});
    return 1;
  }
  return 0;
}

int RunBackup(const BackupOptions& options) {
  storage::StoreOptions store_options;
  store_options.path = options.data_dir;
  store_options.create_if_missing = false;
  absl::StatusOr<std::unique_ptr<storage::Store>> store = storage::Store::Open(store_options);
  if (!store.ok()) {
    Log(LogLevel::kError, "cannot open store",
        {{"data_dir", options.data_dir}, {"error", std::string(store.status().message())}});
    return 1;
  }
  if (absl::Status s = (*store)->Checkpoint(options.to); !s.ok()) {
    Log(LogLevel::kError, "backup failed", {{"error", std::string(s.message())}});
    return 1;
  }
  Log(LogLevel::kInfo, "backup written", {{"to", options.to}});
  return 0;
}

}  // namespace regenatlas::cli
