#ifndef REGENATLAS_COMMON_LOG_H_
#define REGENATLAS_COMMON_LOG_H_

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace regenatlas {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// One structured field of a log line.
using LogField = std::pair<absl::string_view, std::string>;

// Writes one JSON object per line to stderr:
//   {"ts":"2025-06-01T12:00:00.123456Z","level":"info","msg":"...","k":"v"}
// Thread-safe; lines are never interleaved.
void Log(LogLevel level, absl::string_view msg, std::initializer_list<LogField> fields = {});

// Messages below `level` are dropped. Default: kInfo.
void SetMinLogLevel(LogLevel level);

// Whether a message at `level` would be written (skip building one that
// would not).
bool LogEnabled(LogLevel level);

// "debug", "info", "warning" or "error"; false for anything else.
bool ParseLogLevel(absl::string_view name, LogLevel* level);

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_LOG_H_
