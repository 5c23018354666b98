#include "common/resource_name.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/excerpt.h"
#include "common/status_macros.h"

namespace regenatlas {

absl::Status ValidateResourceId(absl::string_view id, absl::string_view field) {
  auto bad = [&](absl::string_view why) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": invalid id \"", Excerpt(id), "\": ", why));
  };
  if (id.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  if (id.size() > 63) return bad("longer than 63 characters");
  if (id.front() == '-') return bad("must start with a lowercase letter or digit");
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
      return bad("only lowercase letters, digits and '-' are allowed");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ParseResourceName(absl::string_view name, absl::string_view collection,
                                              absl::string_view field) {
  if (name.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  std::string prefix = absl::StrCat(collection, "/");
  if (!absl::StartsWith(name, prefix)) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": \"", Excerpt(name), "\" is not a ",
                                                   collection, "/{id} resource name"));
  }
  absl::string_view id = name.substr(prefix.size());
  RETURN_IF_ERROR(ValidateResourceId(id, field));
  return std::string(id);
}

}  // namespace regenatlas
