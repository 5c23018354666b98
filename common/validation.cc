#include "common/validation.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/excerpt.h"
#include "common/resource_name.h"
#include "common/status_macros.h"

namespace regenatlas {
namespace {

bool AllUpper(absl::string_view s) {
  for (char c : s) {
    if (!absl::ascii_isupper(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

bool IsLongText(absl::string_view name) {
  return name == "description" || name == "quote" || name == "text" || name == "notes" ||
         name == "summary" || name == "abstract" || absl::EndsWith(name, "_note");
}

absl::Status CheckSizes(const google::protobuf::Message& m, const std::string& prefix, int depth) {
  using google::protobuf::FieldDescriptor;
  const google::protobuf::Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const FieldDescriptor* f : fields) {
    const std::string path = absl::StrCat(prefix, ".", f->name());
    const size_t limit = IsLongText(f->name()) ? kMaxLongTextBytes : kMaxStringBytes;
    if (f->is_repeated()) {
      const int n = r->FieldSize(m, f);
      if (n > kMaxRepeated) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": more than ", kMaxRepeated, " elements (got ", n, ")"));
      }
      for (int i = 0; i < n; ++i) {
        const std::string item = absl::StrCat(path, "[", i, "]");
        if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
          std::string scratch;
          const std::string& v = r->GetRepeatedStringReference(m, f, i, &scratch);
          if (v.size() > limit) {
            return absl::InvalidArgumentError(
                absl::StrCat(item, ": longer than ", limit, " bytes (got ", v.size(), ")"));
          }
        } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && depth < 16) {
          RETURN_IF_ERROR(CheckSizes(r->GetRepeatedMessage(m, f, i), item, depth + 1));
        }
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      std::string scratch;
      const std::string& v = r->GetStringReference(m, f, &scratch);
      if (v.size() > limit) {
        return absl::InvalidArgumentError(
            absl::StrCat(path, ": longer than ", limit, " bytes (got ", v.size(), ")"));
      }
    } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && depth < 16) {
      RETURN_IF_ERROR(CheckSizes(r->GetMessage(m, f), path, depth + 1));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ValidateSizes(const google::protobuf::Message& record, absl::string_view field) {
  // Field limits first: they name the field.
  RETURN_IF_ERROR(CheckSizes(record, std::string(field), 0));
  const size_t bytes = record.ByteSizeLong();
  if (bytes > kMaxRecordBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": record larger than ", kMaxRecordBytes, " bytes (got ", bytes, ")"));
  }
  return absl::OkStatus();
}

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
  return absl::InvalidArgumentError(absl::StrCat(
      field, ": \"", Excerpt(code),
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
    absl::StatusOr<std::string> id = ParseResourceName(citations[i].source(), "sources",
                                                       absl::StrCat(field, "[", i, "].source"));
    if (!id.ok()) return id.status();
  }
  return absl::OkStatus();
}

absl::Status EnumError(int value, bool unspecified, absl::string_view field) {
  if (unspecified) return absl::InvalidArgumentError(absl::StrCat(field, ": required"));
  return absl::InvalidArgumentError(absl::StrCat(field, ": unknown value ", value));
}

}  // namespace regenatlas
