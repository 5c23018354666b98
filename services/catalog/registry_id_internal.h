#ifndef REGENATLAS_SERVICES_CATALOG_REGISTRY_ID_INTERNAL_H_
#define REGENATLAS_SERVICES_CATALOG_REGISTRY_ID_INTERNAL_H_

// Between registry_id.cc (normalisation, the public functions) and
// registry_id_formats.cc (the format of each registry's IDs). Not for other
// callers: use registry_id.h.

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "regenatlas/common/v1/common.pb.h"

namespace regenatlas::catalog::registry_id_internal {

// The normalised input (printable ASCII, no spaces, not empty) and the field
// name to report errors against.
struct Input {
  absl::string_view field;
  absl::string_view text;
};

// Recognises the registry of a normalised ID and checks its format; errors
// as documented for ParseRegistryId.
absl::StatusOr<common::v1::RegistryId> ParseNormalized(const Input& in);

}  // namespace regenatlas::catalog::registry_id_internal

#endif  // REGENATLAS_SERVICES_CATALOG_REGISTRY_ID_INTERNAL_H_
