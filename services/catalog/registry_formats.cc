// Format detection and the reader factory (registry_formats.h).

#include "services/catalog/registry_formats.h"

#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status_macros.h"
#include "services/catalog/byte_source.h"
#include "services/catalog/csv.h"
#include "services/catalog/ctgov_csv.h"
#include "services/catalog/ictrp_csv.h"
#include "services/catalog/ictrp_xml.h"

namespace regenatlas::catalog {
namespace {

// How much of a file detection reads: a header row of ClinicalTrials.gov's
// CSV is under 1 KB.
constexpr size_t kHeadBytes = 16 * 1024;

RegistryFileFormat FromExtension(absl::string_view file_name) {
  if (absl::EndsWithIgnoreCase(file_name, ".xml")) return RegistryFileFormat::kIctrpXml;
  if (absl::EndsWithIgnoreCase(file_name, ".json")) return RegistryFileFormat::kCtgovJson;
  return RegistryFileFormat::kUnknown;
}

}  // namespace

DetectedFormat DetectRegistryFormat(absl::string_view head, absl::string_view file_name) {
  DetectedFormat out;
  absl::string_view rest = head;
  if (absl::StartsWith(rest, "\xEF\xBB\xBF")) rest.remove_prefix(3);
  // UTF-16 text (expat reads UTF-16 XML): look at the first code unit.
  if (absl::StartsWith(rest, "\xFF\xFE") || absl::StartsWith(rest, "\xFE\xFF")) {
    const bool little = rest[0] == '\xFF';
    rest.remove_prefix(2);
    size_t i = 0;
    while (i + 1 < rest.size() && rest[little ? i + 1 : i] == '\0' &&
           absl::ascii_isspace(static_cast<unsigned char>(rest[little ? i : i + 1]))) {
      i += 2;
    }
    if (i + 1 < rest.size() && rest[little ? i : i + 1] == '<' && rest[little ? i + 1 : i] == 0) {
      return {RegistryFileFormat::kIctrpXml, "content is UTF-16 text starting with '<' (XML)"};
    }
    return {RegistryFileFormat::kUnknown,
            "content is UTF-16 text that is not XML; save CSV files as UTF-8"};
  }
  rest = absl::StripLeadingAsciiWhitespace(rest);
  if (rest.empty()) {
    out.format = FromExtension(file_name);
    out.reason = out.format == RegistryFileFormat::kUnknown
                     ? "the file is empty"
                     : absl::StrCat("the file is empty; format from its name ", file_name);
    return out;
  }
  if (rest[0] == '<') return {RegistryFileFormat::kIctrpXml, "content starts with '<' (XML)"};
  if (rest[0] == '{' || rest[0] == '[') {
    return {RegistryFileFormat::kCtgovJson,
            absl::StrCat("content starts with '", rest.substr(0, 1), "' (JSON)")};
  }
  // CSV: the header row tells which registry wrote it.
  std::unique_ptr<ByteSource> source = MemorySource(head);
  CsvReader header_reader(source.get());
  CsvRow row;
  header_reader.Next(&row);
  const CsvHeader header(row.fields);
  if (header.Find("NCT Number").has_value()) {
    return {RegistryFileFormat::kCtgovCsv, "CSV header has an \"NCT Number\" column"};
  }
  if (header.Find("TrialID").has_value()) {
    return {RegistryFileFormat::kIctrpCsv, "CSV header has a \"TrialID\" column"};
  }
  out.reason = absl::StrCat(
      "not XML or JSON, and the first row has neither an \"NCT Number\" column "
      "(ClinicalTrials.gov CSV) nor a \"TrialID\" column (WHO ICTRP CSV)",
      FromExtension(file_name) != RegistryFileFormat::kUnknown
          ? absl::StrCat(", though the name ", file_name, " suggests another format")
          : "");
  return out;
}

absl::StatusOr<DetectedFormat> DetectRegistryFileFormat(const std::string& path) {
  ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> source, OpenFileSource(path, kHeadBytes));
  ASSIGN_OR_RETURN(absl::string_view head, source->Read());
  return DetectRegistryFormat(head, path);
}

absl::StatusOr<std::unique_ptr<RegistryReader>> OpenRegistryFile(const std::string& path,
                                                                 DetectedFormat* detected) {
  ASSIGN_OR_RETURN(DetectedFormat format, DetectRegistryFileFormat(path));
  if (detected != nullptr) *detected = format;
  ASSIGN_OR_RETURN(std::unique_ptr<ByteSource> source, OpenFileSource(path));
  switch (format.format) {
    case RegistryFileFormat::kIctrpXml:
      return NewIctrpXmlReader(std::move(source), path);
    case RegistryFileFormat::kIctrpCsv:
      return NewIctrpCsvReader(std::move(source), path);
    case RegistryFileFormat::kCtgovCsv:
      return NewCtgovCsvReader(std::move(source), path);
    case RegistryFileFormat::kCtgovJson:
      return absl::FailedPreconditionError(
          absl::StrCat(path, ": ClinicalTrials.gov JSON is read by the JSON importer"));
    case RegistryFileFormat::kUnknown:
      break;
  }
  return absl::InvalidArgumentError(
      absl::StrCat(path, ": not a registry file this build reads: ", format.reason));
}

}  // namespace regenatlas::catalog
