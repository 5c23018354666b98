#ifndef REGENATLAS_SERVICES_CATALOG_REGISTRY_FORMATS_H_
#define REGENATLAS_SERVICES_CATALOG_REGISTRY_FORMATS_H_

// Which reader a registry file needs, told by its content and name, and
// opening the file with that reader.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/catalog/registry_record.h"

namespace regenatlas::catalog {

// The verdict and why, for messages ("content starts with '<'").
struct DetectedFormat {
  RegistryFileFormat format = RegistryFileFormat::kUnknown;
  std::string reason;
};

// Decides from the first bytes of a file (`head`, a few kilobytes suffice)
// and its name. Content first: after a byte-order mark and white space, '<'
// is XML (ICTRP's export), '{' or '[' ClinicalTrials.gov JSON, anything else
// CSV whose header names the kind ("NCT Number": ClinicalTrials.gov,
// "TrialID": ICTRP). The extension (.xml, .json, .csv) decides only when the
// content cannot: an empty file, or a CSV header of neither kind stays
// kUnknown.
DetectedFormat DetectRegistryFormat(absl::string_view head, absl::string_view file_name);

// Reads the head of `path` and detects its format; NOT_FOUND etc. when the
// file cannot be read.
absl::StatusOr<DetectedFormat> DetectRegistryFileFormat(const std::string& path);

// Opens `path` with the reader its format needs (ICTRP XML or CSV,
// ClinicalTrials.gov CSV). INVALID_ARGUMENT naming the file and the reason
// for an unknown format, FAILED_PRECONDITION for JSON (read by
// ctgov_json.h's ReadCtgovFile, not a RegistryReader).
absl::StatusOr<std::unique_ptr<RegistryReader>> OpenRegistryFile(
    const std::string& path, DetectedFormat* detected = nullptr);

}  // namespace regenatlas::catalog

#endif  // REGENATLAS_SERVICES_CATALOG_REGISTRY_FORMATS_H_
