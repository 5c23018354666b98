#ifndef REGENATLAS_COMMON_JSON_H_
#define REGENATLAS_COMMON_JSON_H_

// JSON string literals for code that writes JSON by hand (the structured log
// lines of common/log.h, the load generator's report): quoting and escaping
// only, no JSON document model.

#include <string>

#include "absl/strings/string_view.h"

namespace regenatlas {

// Appends `s` to `out` as a quoted JSON string: '"', '\\' and control
// characters escaped (\n, \r, \t by name, the rest as \u00XX); other bytes,
// UTF-8 included, are copied as they are.
void AppendJsonString(std::string& out, absl::string_view s);

// `s` as a quoted JSON string (see AppendJsonString).
std::string JsonString(absl::string_view s);

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_JSON_H_
