#ifndef REGENATLAS_CMD_REGENATLAS_SERVER_H_
#define REGENATLAS_CMD_REGENATLAS_SERVER_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cmd/regenatlas/serve.h"
#include "services/gateway/access.h"

namespace regenatlas {
namespace storage {
class Store;
}
namespace catalog {
class Catalog;
}
namespace timeline {
class Timeline;
}
namespace analytics {
class Analytics;
}
}  // namespace regenatlas

namespace regenatlas::cli {

// One RegenAtlas process of any role, built from ServeOptions: the store,
// the role's services on an internal server (Unix socket), the dataset
// part the role loads, and the public face (auth, limits, metrics, access
// log, forwarding) on options.listen. `regenatlas serve` and tests build
// it alike; the options are already checked (startup_checks.h) and the
// keys already read into `access`.
class Server {
 public:
  // Starts everything; the public port serves when this returns. Errors
  // are startup errors (store locked, dataset unreadable, port in use).
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServeOptions& options,
                                                       gateway::AccessOptions access);

  // Shuts down gracefully (see Shutdown) unless that was done already.
  ~Server();

  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Ports actually bound (options may say port 0); 0 when not configured.
  int port() const;
  int health_port() const;
  int metrics_port() const;

  // The role's store and domain objects (null when the role has none), for
  // tests and tools that work beside the API; owned by the Server.
  storage::Store* store() const;
  catalog::Catalog* catalog() const;
  timeline::Timeline* timeline() const;
  analytics::Analytics* analytics() const;

  // Every port reports NOT_SERVING, new calls are refused with UNAVAILABLE,
  // streams end (the timeline's with their resume token), background
  // callers stop, the public ports then the internal server shut down
  // under one deadline (options.shutdown_grace), the services' executors
  // join and the store is flushed and closed. Only the first call acts.
  absl::Status Shutdown();

 private:
  struct Parts;
  explicit Server(const ServeOptions& options);
  absl::Status StartServices(gateway::AccessOptions access);
  absl::Status StartPublicFace(const gateway::AccessOptions& access);

  const ServeOptions options_;
  std::unique_ptr<Parts> parts_;
  bool shut_down_ = false;
};

}  // namespace regenatlas::cli

#endif  // REGENATLAS_CMD_REGENATLAS_SERVER_H_
