#ifndef REGENATLAS_SERVICES_GATEWAY_ACCESS_H_
#define REGENATLAS_SERVICES_GATEWAY_ACCESS_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace regenatlas::gateway {

// What a caller may do. Each role includes the ones before it. `service`
// is the role of the RegenAtlas processes themselves (the gateway and the
// backends calling each other in the split topology); only it may call the
// internal services (e.g. regenatlas.catalog.v1.CatalogInternalService).
enum class Role { kNone = 0, kReader = 1, kCurator = 2, kAdmin = 3, kService = 4 };

// "none", "reader", "curator", "admin" or "service".
const char* RoleName(Role role);

// API keys and the anonymous-read switch.
struct AccessOptions {
  // Key → role.
  std::map<std::string, Role> keys;
  // Calls without credentials may use read methods (the local default).
  bool allow_anonymous_reads = true;
  // Every caller has every role, internal methods included: a backend
  // started without keys on loopback or with --allow_unauthenticated.
  bool trust_all = false;
};

// Reads a keys file: one "KEY ROLE" per line (ROLE reader|curator|admin|service),
// '#' comments and blank lines ignored. Errors name the line.
absl::StatusOr<std::map<std::string, Role>> LoadKeysFile(const std::string& path);

// The role a method needs, from the explicit table in method_roles.cc
// (`method` is the full path "/pkg.Service/Method"). A method missing from
// the table needs the service role: unknown methods are for peers only.
Role RequiredRole(absl::string_view method);

// The table's entry for `method`, if it has one.
std::optional<Role> ListedRole(absl::string_view method);

// Every method the table lists, sorted.
std::vector<absl::string_view> ListedMethods();

// Who is calling, once authenticated.
struct Principal {
  // "key:<first 4 chars>…" for keys, "anonymous" otherwise.
  std::string id;
  Role role = Role::kNone;
};

// Checks the credentials of a call: "authorization: Bearer <key>" or
// "x-api-key: <key>". UNAUTHENTICATED for a missing (when anonymous reads are
// off or the method writes) or unknown key, PERMISSION_DENIED for a known key
// whose role is too low.
// The first key with the `service` role in `keys` (what this process sends
// to the other services), or "" when there is none.
std::string ServiceKey(const std::map<std::string, Role>& keys);

absl::StatusOr<Principal> Authorize(const AccessOptions& options, absl::string_view method,
                                    const std::multimap<std::string, std::string>& metadata);

// Per-client token buckets: `qps` tokens per second, at most `burst`.
// Thread-safe; the clock is injectable.
class RateLimiter {
 public:
  RateLimiter(
      double qps, double burst, std::function<absl::Time()> clock = [] { return absl::Now(); });

  // OK, or RESOURCE_EXHAUSTED saying when to retry (`retry_after` is set).
  absl::Status Admit(const std::string& client, absl::Duration* retry_after);

 private:
  struct Bucket {
    double tokens;
    absl::Time last;
  };
  const double qps_;
  const double burst_;
  std::function<absl::Time()> clock_;
  absl::Mutex mu_;
  std::map<std::string, Bucket> buckets_ ABSL_GUARDED_BY(mu_);
};

}  // namespace regenatlas::gateway

#endif  // REGENATLAS_SERVICES_GATEWAY_ACCESS_H_
