#ifndef REGENATLAS_COMMON_PROCESS_STATS_H_
#define REGENATLAS_COMMON_PROCESS_STATS_H_

#include <cstdint>

namespace regenatlas {

// This process's resource use, as Prometheus' standard process_* metrics
// report it (read from /proc/self; zeros where /proc is unavailable).
struct ProcessStats {
  double cpu_seconds = 0;       // user + system CPU time
  uint64_t resident_bytes = 0;  // resident set size
  uint64_t virtual_bytes = 0;   // virtual memory size
  uint64_t open_fds = 0;
  uint64_t max_fds = 0;           // soft RLIMIT_NOFILE
  double start_time_seconds = 0;  // since the Unix epoch
  uint64_t threads = 0;
};

ProcessStats ReadProcessStats();

}  // namespace regenatlas

#endif  // REGENATLAS_COMMON_PROCESS_STATS_H_
