#include "services/gateway/access.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/error_details.h"

namespace regenatlas::gateway {

absl::StatusOr<std::map<std::string, Role>> LoadKeysFile(const std::string& path) {
  // A directory opens as a stream and reads as empty (e.g. what `docker run
  // -v` creates for a missing file): name it instead of serving keyless.
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return absl::FailedPreconditionError(
        absl::StrCat("keys file ", path, " is a directory; expected a file of \"KEY ROLE\" lines"));
  }
  std::ifstream in(path);
  if (!in) return absl::FailedPreconditionError(absl::StrCat("cannot read keys file ", path));
  std::map<std::string, Role> keys;
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    absl::string_view text = absl::StripAsciiWhitespace(line);
    if (text.empty() || text[0] == '#') continue;
    std::vector<absl::string_view> parts =
        absl::StrSplit(text, absl::ByAnyChar(" \t"), absl::SkipEmpty());
    if (parts.size() != 2) {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", n, ": expected \"KEY ROLE\""));
    }
    Role role;
    if (parts[1] == "reader") {
      role = Role::kReader;
    } else if (parts[1] == "curator") {
      role = Role::kCurator;
    } else if (parts[1] == "admin") {
      role = Role::kAdmin;
    } else if (parts[1] == "service") {
      role = Role::kService;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(path, ":", n, ": unknown role \"", parts[1],
                                                     "\" (reader|curator|admin|service)"));
    }
    if (parts[0].size() < 16) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ":", n, ": keys need at least 16 characters"));
    }
    keys[std::string(parts[0])] = role;
  }
  if (keys.empty()) {
    // A keys file that grants nothing is a deployment mistake, not a
    // request for a server without keys.
    return absl::FailedPreconditionError(
        absl::StrCat("keys file ", path, " holds no keys; expected \"KEY ROLE\" lines"));
  }
  return keys;
}

std::string ServiceKey(const std::map<std::string, Role>& keys) {
  for (const auto& [key, role] : keys) {
    if (role == Role::kService) return key;
  }
  return "";
}

Role RequiredRole(absl::string_view method) { return ListedRole(method).value_or(Role::kService); }

absl::StatusOr<Principal> Authorize(const AccessOptions& options, absl::string_view method,
                                    const std::multimap<std::string, std::string>& metadata) {
  if (options.trust_all) return Principal{"unauthenticated", Role::kService};
  std::string key;
  if (auto it = metadata.find("authorization"); it != metadata.end()) {
    absl::string_view v = it->second;
    if (!absl::ConsumePrefix(&v, "Bearer ") && !absl::ConsumePrefix(&v, "bearer ")) {
      return absl::UnauthenticatedError("authorization: expected \"Bearer <key>\"");
    }
    key = std::string(absl::StripAsciiWhitespace(v));
  } else if (auto it2 = metadata.find("x-api-key"); it2 != metadata.end()) {
    key = std::string(absl::StripAsciiWhitespace(it2->second));
  }
  const Role needed = RequiredRole(method);
  if (key.empty()) {
    if (options.allow_anonymous_reads && needed == Role::kReader) {
      return Principal{"anonymous", Role::kReader};
    }
    return absl::UnauthenticatedError(
        absl::StrCat("credentials required for ", method,
                     ": send \"authorization: Bearer <key>\" or \"x-api-key: <key>\""));
  }
  auto found = options.keys.find(key);
  if (found == options.keys.end()) return absl::UnauthenticatedError("unknown API key");
  Principal p{absl::StrCat("key:", key.substr(0, 4), "…"), found->second};
  if (static_cast<int>(p.role) < static_cast<int>(needed)) {
    return absl::PermissionDeniedError(absl::StrCat(method, " needs role ", RoleName(needed), "; ",
                                                    p.id, " has ", RoleName(p.role)));
  }
  return p;
}

const char* RoleName(Role role) {
  switch (role) {
    case Role::kNone:
      return "none";
    case Role::kReader:
      return "reader";
    case Role::kCurator:
      return "curator";
    case Role::kAdmin:
      return "admin";
    case Role::kService:
      return "service";
  }
  return "none";
}

RateLimiter::RateLimiter(double qps, double burst, std::function<absl::Time()> clock)
    : qps_(qps), burst_(std::max(1.0, burst)), clock_(std::move(clock)) {}

absl::Status RateLimiter::Admit(const std::string& client, absl::Duration* retry_after) {
  const absl::Time now = clock_();
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = buckets_.try_emplace(client, Bucket{burst_, now});
  Bucket& b = it->second;
  if (!inserted) {
    b.tokens = std::min(burst_, b.tokens + absl::ToDoubleSeconds(now - b.last) * qps_);
    b.last = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return absl::OkStatus();
  }
  *retry_after = absl::Seconds((1.0 - b.tokens) / qps_);
  absl::Status refused = absl::ResourceExhaustedError(
      absl::StrFormat("rate limit of %.0f calls/s exceeded for %s; retry after %d ms", qps_, client,
                      absl::ToInt64Milliseconds(*retry_after) + 1));
  // google.rpc.RetryInfo carries the same delay (common/error_details.h).
  SetRetryAfter(refused, *retry_after + absl::Milliseconds(1));
  return refused;
}

}  // namespace regenatlas::gateway
