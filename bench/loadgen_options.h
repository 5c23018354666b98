#ifndef REGENATLAS_BENCH_LOADGEN_OPTIONS_H_
#define REGENATLAS_BENCH_LOADGEN_OPTIONS_H_

// regenatlas_loadgen's command line: its options, their parsing and the
// --help text that documents them.

#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace regenatlas::bench {

// The --help text: flags, the closed-loop model, output and exit statuses.
extern const char kUsage[];

// Command-line options; see kUsage.
struct Options {
  std::string target;
  std::string method;
  std::string request_file;
  int concurrency = 1;
  int channels = 1;
  absl::Duration duration = absl::Seconds(10);
  absl::Duration warmup = absl::Seconds(2);
  absl::Duration timeout = absl::Seconds(60);
  absl::Duration wait_ready = absl::ZeroDuration();
  std::vector<std::pair<std::string, std::string>> metadata;
  bool print_response = false;
  bool version = false;
  bool help = false;
};

// Parses `--name=value` and `--name value`; returns an error message or "".
// Checks each value on its own; which flags a mode needs is up to the caller.
std::string ParseFlags(int argc, char** argv, Options* o);

}  // namespace regenatlas::bench

#endif  // REGENATLAS_BENCH_LOADGEN_OPTIONS_H_
