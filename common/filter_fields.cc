// Builders of the shared filter vocabulary (common/filter_fields.h).

#include "common/filter_fields.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace regenatlas::filter {

std::string EnumName(const google::protobuf::EnumDescriptor* type, int value) {
  const google::protobuf::EnumValueDescriptor* v = type->FindValueByNumber(value);
  return v == nullptr ? absl::StrCat(value) : v->name();
}

std::vector<std::string> EnumNames(const google::protobuf::EnumDescriptor* type) {
  std::vector<std::string> out;
  out.reserve(type->value_count());
  for (int i = 0; i < type->value_count(); ++i) out.push_back(type->value(i)->name());
  return out;
}

FieldSpec EnumField(const google::protobuf::EnumDescriptor* type, absl::string_view prefix,
                    bool repeated, bool ordered) {
  FieldSpec f;
  f.type = FieldType::kEnum;
  f.enum_prefix = std::string(prefix);
  f.enum_values = EnumNames(type);
  f.repeated = repeated;
  f.ordered = ordered;
  return f;
}

FieldSpec ResourceField(absl::string_view collection, bool repeated) {
  FieldSpec f;
  f.type = FieldType::kResource;
  f.collection = std::string(collection);
  f.repeated = repeated;
  return f;
}

FieldSpec CodeField(bool repeated) {
  FieldSpec f;
  f.repeated = repeated;
  f.normalize = [](absl::string_view v) -> std::optional<std::string> {
    return absl::AsciiStrToUpper(v);
  };
  return f;
}

FieldSpec CountryField() {
  FieldSpec f;
  f.repeated = true;
  f.normalize = [](absl::string_view v) -> std::optional<std::string> {
    std::string upper = absl::AsciiStrToUpper(v);
    if (upper.size() != 2 || !absl::ascii_isalpha(upper[0]) || !absl::ascii_isalpha(upper[1])) {
      return std::nullopt;
    }
    return upper;
  };
  return f;
}

FieldSpec StringField(bool repeated) {
  FieldSpec f;
  f.repeated = repeated;
  return f;
}

FieldSpec IntField() {
  FieldSpec f;
  f.type = FieldType::kInt;
  f.ordered = true;
  return f;
}

FieldSpec BoolField() {
  FieldSpec f;
  f.type = FieldType::kBool;
  return f;
}

}  // namespace regenatlas::filter
