// libFuzzer target for the registry-ID parser
// (services/catalog/registry_id.h). Besides crashes it aborts when an
// accepted ID's canonical spelling does not parse back to itself, when its
// trial id has characters outside [a-z0-9-], or when a rejection is not a
// short, UTF-8 INVALID_ARGUMENT naming the field.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/catalog/ctgov_json.h"
#include "services/catalog/registry_id.h"

namespace {

// The fixed text of the longest message plus a 64-character ID.
constexpr size_t kMaxMessageBytes = 1024;

[[noreturn]] void Fail(const char* what, absl::string_view detail) {
  std::fprintf(stderr, "%s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
  std::abort();
}

}  // namespace

// libFuzzer entry point: one printed ID per input.
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using regenatlas::catalog::ParseRegistryId;
  const absl::string_view text(reinterpret_cast<const char*>(data), size);

  absl::StatusOr<regenatlas::common::v1::RegistryId> id = ParseRegistryId(text, "registry_id");
  if (!id.ok()) {
    const absl::string_view message = id.status().message();
    if (id.status().code() != absl::StatusCode::kInvalidArgument ||
        message.substr(0, 13) != "registry_id: " || message.size() > kMaxMessageBytes ||
        !regenatlas::catalog::IsValidUtf8(message)) {
      Fail("bad rejection", id.status().ToString());
    }
    return 0;
  }

  if (id->id().empty() || regenatlas::catalog::RegistryName(id->registry()).empty()) {
    Fail("accepted without an id or registry", id->ShortDebugString());
  }
  // The canonical spelling is a fixed point.
  absl::StatusOr<regenatlas::common::v1::RegistryId> again = ParseRegistryId(id->id());
  if (!again.ok() || again->registry() != id->registry() || again->id() != id->id()) {
    Fail("canonical form does not parse back to itself", id->ShortDebugString());
  }
  for (char c : regenatlas::catalog::TrialIdFor(*id)) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      Fail("trial id outside [a-z0-9-]", id->ShortDebugString());
    }
  }
  return 0;
}
