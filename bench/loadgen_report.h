#ifndef REGENATLAS_BENCH_LOADGEN_REPORT_H_
#define REGENATLAS_BENCH_LOADGEN_REPORT_H_

// What regenatlas_loadgen prints: the summary of a measured window and the
// one JSON line it becomes (format in kUsage and docs/performance.md), and
// the names of gRPC status codes used in it and in error messages.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "bench/loadgen_options.h"

namespace regenatlas::bench {

// Number of gRPC status codes (OK = 0 … UNAUTHENTICATED = 16).
inline constexpr int kStatusCodes = 17;

// "INVALID_ARGUMENT" for 3, …; "UNKNOWN" for a number that is no status code.
std::string CodeName(int code);

// The calls that completed within the measured window.
struct RunSummary {
  uint64_t ok = 0;                              // OK calls (the latency sample)
  std::array<uint64_t, kStatusCodes> errors{};  // failed calls by status code
  std::string first_error;                      // "CODE: message" or ""
  // Latency of the OK calls, in nanoseconds (meaningless when ok == 0).
  double p50_ns = 0;
  double p90_ns = 0;
  double p99_ns = 0;
  double p999_ns = 0;
  double mean_ns = 0;
  double max_ns = 0;
  uint64_t response_bytes = 0;  // total over the OK calls
  int cancelled_at_end = 0;     // calls in flight when the window closed
};

// The result line: the run's parameters (`requests` = distinct requests
// sent round-robin) and `summary`, as one JSON object without a newline.
std::string ReportJson(const Options& options, size_t requests, const RunSummary& summary);

}  // namespace regenatlas::bench

#endif  // REGENATLAS_BENCH_LOADGEN_REPORT_H_
