// Descriptions of records' locations and errors (registry_record.h).

#include "services/catalog/registry_record.h"

#include "absl/strings/str_cat.h"

namespace regenatlas::catalog {

const char* RegistryFileFormatName(RegistryFileFormat format) {
  switch (format) {
    case RegistryFileFormat::kIctrpXml:
      return "ICTRP XML";
    case RegistryFileFormat::kIctrpCsv:
      return "ICTRP CSV";
    case RegistryFileFormat::kCtgovCsv:
      return "ClinicalTrials.gov CSV";
    case RegistryFileFormat::kCtgovJson:
      return "ClinicalTrials.gov JSON";
    case RegistryFileFormat::kUnknown:
      break;
  }
  return "unknown format";
}

std::string RecordLocation::Describe() const {
  std::string out = file.empty() ? std::string() : absl::StrCat(file, ": ");
  if (index > 0) {
    absl::StrAppend(&out, csv ? "row " : "Trial #", index);
    if (line > 0) absl::StrAppend(&out, " (line ", line, ")");
  } else if (line > 0) {
    absl::StrAppend(&out, "line ", line);
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  if (!out.empty() && out.back() == ':') out.pop_back();
  return out;
}

std::string RecordError::Describe() const {
  std::string out = location.Describe();
  if (!primary_id.empty()) absl::StrAppend(&out, out.empty() ? "" : " ", primary_id);
  if (!field.empty()) absl::StrAppend(&out, out.empty() ? "" : ", ", "field ", field);
  absl::StrAppend(&out, out.empty() ? "" : ": ", message);
  return out;
}

}  // namespace regenatlas::catalog
