// regenatlas_loadgen's result line and status code names
// (bench/loadgen_report.h).

#include "bench/loadgen_report.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/json.h"

namespace regenatlas::bench {

std::string CodeName(int code) {
  // gRPC and absl share the numbering of status codes and their names.
  std::string name = absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
  return name.empty() ? "UNKNOWN" : name;
}

std::string ReportJson(const Options& options, size_t requests, const RunSummary& summary) {
  const double window_s = absl::ToDoubleSeconds(options.duration);
  const uint64_t ok = summary.ok;
  uint64_t errors = 0;
  std::string by_code;
  for (int c = 1; c < kStatusCodes; ++c) {
    const uint64_t n = summary.errors[c];
    if (n == 0) continue;
    errors += n;
    absl::StrAppend(&by_code, by_code.empty() ? "" : ",", JsonString(CodeName(c)), ":", n);
  }
  auto ms = [](double ns) { return absl::StrFormat("%.3f", ns / 1e6); };
  std::string latency = "null";
  if (ok > 0) {
    latency = absl::StrCat("{\"p50\":", ms(summary.p50_ns), ",\"p90\":", ms(summary.p90_ns),
                           ",\"p99\":", ms(summary.p99_ns), ",\"p999\":", ms(summary.p999_ns),
                           ",\"mean\":", ms(summary.mean_ns), ",\"max\":", ms(summary.max_ns), "}");
  }
  return absl::StrCat(
      "{\"target\":", JsonString(options.target), ",\"method\":", JsonString(options.method),
      ",\"requests\":", requests, ",\"concurrency\":", options.concurrency,
      ",\"channels\":", options.channels, ",\"duration_s\":", absl::StrFormat("%.3f", window_s),
      ",\"warmup_s\":", absl::StrFormat("%.3f", absl::ToDoubleSeconds(options.warmup)),
      ",\"calls\":", ok + errors, ",\"ok\":", ok,
      ",\"qps\":", absl::StrFormat("%.1f", static_cast<double>(ok) / window_s), ",\"errors\":{",
      by_code, "}",
      ",\"first_error\":", summary.first_error.empty() ? "null" : JsonString(summary.first_error),
      ",\"latency_ms\":", latency, ",\"response_bytes_mean\":",
      absl::StrFormat("%.0f", ok == 0 ? 0.0 : static_cast<double>(summary.response_bytes) / ok),
      ",\"cancelled_at_end\":", summary.cancelled_at_end, "}");
}

}  // namespace regenatlas::bench
