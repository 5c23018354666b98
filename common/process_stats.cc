#include "common/process_stats.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace regenatlas {
namespace {

// Seconds since the epoch at which the machine booted (/proc/stat btime):
// /proc/self/stat gives the start time in clock ticks since boot.
double BootTimeSeconds() {
  std::ifstream in("/proc/stat");
  std::string key;
  while (in >> key) {
    if (key == "btime") {
      double t = 0;
      in >> t;
      return t;
    }
    in.ignore(1 << 20, '\n');
  }
  return 0;
}

uint64_t CountOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return 0;
  uint64_t n = 0;
  while (dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n > 0 ? n - 1 : 0;  // the directory stream's own descriptor
}

}  // namespace

ProcessStats ReadProcessStats() {
  ProcessStats out;
  std::ifstream in("/proc/self/stat");
  std::string line;
  if (std::getline(in, line)) {
    // The command name (field 2) is in parentheses and may hold spaces:
    // fields are counted from after its closing parenthesis (field 3).
    const size_t close = line.rfind(')');
    if (close != std::string::npos) {
      std::istringstream rest(line.substr(close + 2));
      std::vector<std::string> f;
      for (std::string x; rest >> x;) f.push_back(x);
      // f[0] is field 3 (state); utime 14, stime 15, num_threads 20,
      // starttime 22, vsize 23, rss 24 (pages).
      auto field = [&f](size_t n) -> uint64_t {
        return n - 3 < f.size() ? std::stoull(f[n - 3]) : 0;
      };
      const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
      out.cpu_seconds = static_cast<double>(field(14) + field(15)) / ticks;
      out.threads = field(20);
      out.start_time_seconds = BootTimeSeconds() + static_cast<double>(field(22)) / ticks;
      out.virtual_bytes = field(23);
      out.resident_bytes = field(24) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
    }
  }
  out.open_fds = CountOpenFds();
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) out.max_fds = limit.rlim_cur;
  return out;
}

}  // namespace regenatlas
