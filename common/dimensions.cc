#include "common/dimensions.h"

#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"

namespace regenatlas {
namespace {

// "PRODUCT_DIMENSION_" for ProductDimension: the name of its 0 value
// without "UNSPECIFIED".
std::string PrefixOf(const google::protobuf::EnumDescriptor* dimensions) {
  const google::protobuf::EnumValueDescriptor* zero = dimensions->FindValueByNumber(0);
  if (zero == nullptr) return "";
  std::string prefix = zero->name();
  if (absl::EndsWith(prefix, "UNSPECIFIED")) prefix.resize(prefix.size() - strlen("UNSPECIFIED"));
  return prefix;
}

// Full names of every value but UNSPECIFIED ("PRODUCT_DIMENSION_STAGE", ...).
std::vector<std::string> ValueNames(const google::protobuf::EnumDescriptor* dimensions) {
  std::vector<std::string> names;
  for (int i = 0; i < dimensions->value_count(); ++i) {
    if (dimensions->value(i)->number() != 0) names.push_back(dimensions->value(i)->name());
  }
  return names;
}

}  // namespace

std::optional<std::string> DimensionName(const google::protobuf::EnumDescriptor* dimensions,
                                         int value) {
  if (value == 0) return std::nullopt;
  const google::protobuf::EnumValueDescriptor* v = dimensions->FindValueByNumber(value);
  if (v == nullptr) return std::nullopt;
  const std::string prefix = PrefixOf(dimensions);
  absl::string_view name = v->name();
  if (!absl::ConsumePrefix(&name, prefix)) return std::nullopt;
  return absl::AsciiStrToLower(name);
}

std::optional<int> DimensionValue(const google::protobuf::EnumDescriptor* dimensions,
                                  absl::string_view name) {
  // Only the canonical lower-case spelling: "Stage" or "STAGE" were never
  // accepted by the string fields.
  if (name.empty() || absl::AsciiStrToLower(name) != name) return std::nullopt;
  const google::protobuf::EnumValueDescriptor* v =
      dimensions->FindValueByName(absl::StrCat(PrefixOf(dimensions), absl::AsciiStrToUpper(name)));
  if (v == nullptr || v->number() == 0) return std::nullopt;
  return v->number();
}

std::string DimensionNames(const google::protobuf::EnumDescriptor* dimensions) {
  std::vector<std::string> names;
  for (int i = 0; i < dimensions->value_count(); ++i) {
    std::optional<std::string> name = DimensionName(dimensions, dimensions->value(i)->number());
    if (name.has_value()) names.push_back(*std::move(name));
  }
  return absl::StrJoin(names, ", ");
}

absl::StatusOr<std::vector<std::string>> ResolveDimensions(
    const google::protobuf::EnumDescriptor* descriptor,
    const google::protobuf::RepeatedField<int>& dimensions, absl::string_view dimensions_field,
    const google::protobuf::RepeatedPtrField<std::string>& group_by,
    absl::string_view group_by_field, std::string* field) {
  if (!dimensions.empty() && !group_by.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(dimensions_field, ": set either ",
                                                   dimensions_field, " or the deprecated ",
                                                   group_by_field, ", not both"));
  }
  std::vector<std::string> out;
  if (dimensions.empty() && !group_by.empty()) {
    *field = std::string(group_by_field);
    out.assign(group_by.begin(), group_by.end());
    return out;
  }
  *field = std::string(dimensions_field);
  for (int i = 0; i < dimensions.size(); ++i) {
    std::optional<std::string> name = DimensionName(descriptor, dimensions[i]);
    if (!name.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(
          dimensions_field, "[", i,
          "]: ", dimensions[i] == 0 ? "unspecified" : absl::StrCat("unknown value ", dimensions[i]),
          "; allowed: ", absl::StrJoin(ValueNames(descriptor), ", ")));
    }
    out.push_back(*std::move(name));
  }
  return out;
}

}  // namespace regenatlas
