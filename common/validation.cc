#include "common/validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/resource_name.h"

namespace regenatlas {
namespace {

bool AllUpper(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isupper(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

}  // namespace

absl::Status ValidateJurisdiction(absl::string_view code, absl::string_view field) {
  if (code.empty()) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  if (code == "EU" || code == "GLOBAL") return absl::OkStatus();
  absl::string_view country = code.substr(0, 2);
  if (code.size() >= 2 && AllUpper(country)) {
    if (code.size() == 2) return absl::OkStatus();
    absl::string_view sub = code.substr(2);
    if (sub.size() >= 2 && sub.size() <= 4 && sub[0] == '-') {
      bool ok = true;
      for (char c : sub.substr(1)) {
        ok &= absl::ascii_isupper(static_cast<unsigned char>(c)) ||
              absl::ascii_isdigit(static_cast<unsigned char>(c));
      }
      if (ok) return absl::OkStatus();
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": \"", code,
                   "\" is not an ISO 3166 code (\"CN\", \"CN-BJ\") or a region (\"EU\", \"GLOBAL\")"));
}

absl::Status ValidateCurrency(absl::string_view code, absl::string_view field) {
  if (code.size() == 3 && AllUpper(code)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      absl::StrCat(field, ": \"", code, "\" is not an ISO 4217 currency code such as \"CNY\""));
}

absl::Status ValidateCitations(
    const google::protobuf::RepeatedPtrField<common::v1::SourceCitation>& citations,
    absl::string_view field) {
  if (citations.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": at least one source is required"));
  }
  for (int i = 0; i < citations.size(); ++i) {
    absl::StatusOr<std::string> id =
        ParseResourceName(citations[i].source(), "sources", absl::StrCat(field, "[", i, "].source"));
    if (!id.ok()) return id.status();
  }
  return absl::OkStatus();
}

absl::Status EnumError(int value, bool unspecified, absl::string_view field) {
  if (unspecified) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  return absl::InvalidArgumentError(absl::StrCat(field, ": unknown value ", value));
}

}  // namespace regenatlas
