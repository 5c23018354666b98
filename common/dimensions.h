#ifndef REGENATLAS_COMMON_DIMENSIONS_H_
#define REGENATLAS_COMMON_DIMENSIONS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/repeated_field.h"
#include "google/protobuf/repeated_ptr_field.h"

namespace regenatlas {

// Grouping dimensions are enums (catalog.v1.ProductDimension,
// analytics.v1.BreakdownDimension ...) whose values share a prefix
// ("PRODUCT_DIMENSION_"). Requests used to name them by strings, which
// deprecated fields still accept: the value name without the prefix, in
// lower case ("PRODUCT_DIMENSION_CELL_TYPE" ↔ "cell_type").

// The string name of `value` ("cell_type"), or nullopt for 0 (UNSPECIFIED)
// and numbers the enum does not define.
std::optional<std::string> DimensionName(const google::protobuf::EnumDescriptor* dimensions,
                                         int value);

// The value named `name` (exactly its lower-case name), or nullopt.
std::optional<int> DimensionValue(const google::protobuf::EnumDescriptor* dimensions,
                                  absl::string_view name);

// The lower-case names of every value but UNSPECIFIED, comma-separated in
// declaration order, for error messages.
std::string DimensionNames(const google::protobuf::EnumDescriptor* dimensions);

// The dimensions a grouped count asks for, as string names, from either
// the enum field `dimensions` (named `dimensions_field`) or the deprecated
// string field `group_by` (named `group_by_field`, passed through as
// given: the caller validates the names). Sets `*field` to the name of the
// field used (`dimensions_field` when neither is set), for later errors.
// INVALID_ARGUMENT naming `dimensions_field` when both are set, or
// "<dimensions_field>[i]" for UNSPECIFIED or a value the enum does not define.
absl::StatusOr<std::vector<std::string>> ResolveDimensions(
    const google::protobuf::EnumDescriptor* descriptor,
    const google::protobuf::RepeatedField<int>& dimensions, absl::string_view dimensions_field,
    const google::protobuf::RepeatedPtrField<std::string>& group_by,
    absl::string_view group_by_field, std::string* field);

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_DIMENSIONS_H_
