#include "services/gateway/access_log.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "common/log.h"

namespace regenatlas::gateway {
namespace {

LogLevel LevelFor(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::DATA_LOSS:
    case grpc::StatusCode::UNIMPLEMENTED:
      return LogLevel::kError;
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::ABORTED:
      return LogLevel::kWarning;
    default:
      return LogLevel::kInfo;
  }
}

}  // namespace

void AccessLog::OnDone(const CallRecord& r) {
  const LogLevel level = LevelFor(r.status.error_code());
  // Most lines are successes at info: skip formatting when they are off.
  if (!LogEnabled(level)) return;
  const std::string code =
      absl::StatusCodeToString(static_cast<absl::StatusCode>(r.status.error_code()));
  const std::string latency = absl::StrFormat("%.3f", absl::ToDoubleMilliseconds(r.latency));
  if (r.status.ok()) {
    Log(level, "access",
        {{"method", r.method},
         {"code", code},
         {"latency_ms", latency},
         {"request_id", r.request_id},
         {"role", r.role},
         {"peer", r.peer},
         {"backend", r.backend}});
    return;
  }
  Log(level, "access",
      {{"method", r.method},
       {"code", code},
       {"latency_ms", latency},
       {"request_id", r.request_id},
       {"role", r.role},
       {"peer", r.peer},
       {"backend", r.backend},
       {"forwarded", r.forwarded ? "true" : "false"},
       {"error", std::string(absl::string_view(r.status.error_message()).substr(0, 300))}});
}

}  // namespace regenatlas::gateway
