#include "cmd/regenatlas/startup_checks.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace regenatlas::cli {

bool IsLoopback(const std::string& listen) {
  if (absl::StartsWith(listen, "unix:")) return true;
  std::string host = listen.substr(0, listen.rfind(':'));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

absl::Status CheckFlags(const ServeOptions& o) {
  const bool backend = o.role == "catalog" || o.role == "timeline" || o.role == "analytics";
  if (o.role != "all" && o.role != "gateway" && !backend) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--role: unknown role \"", o.role, "\" (all, catalog, timeline, analytics, gateway)"));
  }
  if (o.role == "timeline" && o.catalog_addr.empty()) {
    return absl::InvalidArgumentError("--catalog_addr is required for --role=timeline");
  }
  if (o.role == "analytics" && (o.catalog_addr.empty() || o.timeline_addr.empty())) {
    return absl::InvalidArgumentError(
        "--catalog_addr and --timeline_addr are required for --role=analytics");
  }
  if (o.role == "gateway" &&
      (o.catalog_addr.empty() || o.timeline_addr.empty() || o.analytics_addr.empty())) {
    return absl::InvalidArgumentError(
        "--catalog_addr, --timeline_addr and --analytics_addr are required for --role=gateway");
  }
  if (backend && o.auth_keys.empty() && !IsLoopback(o.listen) && !o.allow_unauthenticated) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--role=", o.role, " on ", o.listen,
        " would accept writes from anyone who can reach it: give --auth_keys (with a `service` "
        "key shared with the gateway; see docs/deploy.md) or, on a trusted network only, "
        "--allow_unauthenticated=true"));
  }
  if (o.max_concurrent_calls < 1) {
    return absl::InvalidArgumentError("--max_concurrent_calls: must be at least 1");
  }
  return absl::OkStatus();
}

absl::Status CheckCanListen(const std::string& flag, const std::string& address) {
  if (address.empty() || absl::StartsWith(address, "unix:")) return absl::OkStatus();
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, "=", address, ": expected host:port"));
  }
  std::string host = address.substr(0, colon);
  const std::string port = address.substr(colon + 1);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &found) != 0 ||
      found == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", flag, "=", address, ": cannot resolve the host or the port"));
  }
  absl::Status result = absl::OkStatus();
  const int fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  if (fd >= 0) {
    const int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(fd, found->ai_addr, found->ai_addrlen) != 0) {
      if (errno == EADDRINUSE) {
        result = absl::FailedPreconditionError(absl::StrCat(
            "--", flag, "=", address,
            ": address already in use (is another server running? stop it or pick another port)"));
      } else if (errno == EADDRNOTAVAIL) {
        result = absl::InvalidArgumentError(
            absl::StrCat("--", flag, "=", address, ": not an address of this machine"));
      } else if (errno == EACCES) {
        result = absl::PermissionDeniedError(
            absl::StrCat("--", flag, "=", address, ": permission denied (ports below 1024?)"));
      }
    }
    close(fd);
  }
  freeaddrinfo(found);
  return result;
}

absl::Status CheckDataset(const ServeOptions& o) {
  if (o.dataset == "none" || o.role == "gateway") return absl::OkStatus();
  std::error_code ec;
  if (!std::filesystem::is_directory(o.dataset, ec)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--dataset=", o.dataset,
        ": no such directory (give the reference dataset directory, e.g. data, or none to start "
        "with an empty store)"));
  }
  return absl::OkStatus();
}

}  // namespace regenatlas::cli
