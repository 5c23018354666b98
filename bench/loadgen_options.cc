// regenatlas_loadgen's flag parsing and usage text (bench/loadgen_options.h).

#include "bench/loadgen_options.h"

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace regenatlas::bench {
namespace {

// A plain number of seconds ("10", "0.5") or an absl duration ("10s",
// "250ms"); negative durations are rejected.
bool ParseDurationFlag(const std::string& text, absl::Duration* out) {
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds)) {
    *out = absl::Seconds(seconds);
    return seconds >= 0;
  }
  return absl::ParseDuration(text, out) && *out >= absl::ZeroDuration();
}

}  // namespace

const char kUsage[] =
    R"(Usage: regenatlas_loadgen --target=HOST:PORT --method=/pkg.Service/Method
                          --request=FILE [flags]
       regenatlas_loadgen --target=HOST:PORT --wait_ready=60s
       regenatlas_loadgen --version

Closed loop: --concurrency calls are always in flight; each finished call
starts the next at once. Calls run for --warmup (not measured) and then
--duration; calls that COMPLETE within the measured window count (calls still
in flight at its end are cancelled and not counted). Prints one JSON line:

  {"qps":…, "calls":…, "ok":…, "errors":{"CODE":n}, "first_error":"…",
   "latency_ms":{"p50","p90","p99","p999","mean","max"}, …}

qps = OK calls completed in the window / window length; latency percentiles
are over those OK calls (log-linear histogram, relative error < 0.8 %).
Exit status 0 when the run happened (even with errors), 1 when it could not
(no connection, bad request file, not ready in time; with --print_response: a
call failed), 2 on bad flags.

Flags:
  --target=HOST:PORT     server (plaintext)
  --method=/pkg.Service/Method
                         a unary method whose request type is linked in:
                         regenatlas.*, grpc.health.v1.Health,
                         regenatlas.bench.v1.HelloService
  --request=FILE         the request in JSON (proto3 mapping), either one JSON
                         document or JSON Lines (one request per line, blank
                         lines and lines starting with # ignored); several
                         requests are sent round-robin
  --concurrency=N        calls in flight (default 1)
  --duration=D           measured window, e.g. 10s or 10 (seconds) (default 10s)
  --warmup=D             unmeasured load before the window (default 2s)
  --metadata=k=v         header sent with every call (repeatable)
  --channels=K           connections; calls are spread over them (default 1)
  --timeout=D            deadline of each call (default 60s)
  --wait_ready=D         first wait up to D for grpc.health.v1 Check("") to be
                         SERVING (Watch stream, fast reconnect); alone, only
                         that, printing {"ready":true,"waited_ms":…}
  --print_response       instead of a run, send each request once and print
                         each response (or error) as one JSON line: checks that
                         a request file asks what it should
  --version              print the version
)";

// Parses `--name=value` and `--name value`; returns an error message or "".
std::string ParseFlags(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      o->help = true;
      continue;
    }
    if (arg == "--version") {
      o->version = true;
      continue;
    }
    if (arg == "--print_response") {
      o->print_response = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0) return absl::StrCat("unexpected argument ", arg);
    arg = arg.substr(2);
    std::string name = arg;
    std::string value;
    if (size_t eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      value = arg.substr(eq + 1);
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return absl::StrCat("--", name, " needs a value");
    }
    auto bad = [&] { return absl::StrCat("--", name, ": bad value \"", value, "\""); };
    if (name == "target") {
      o->target = value;
    } else if (name == "method") {
      o->method = value;
    } else if (name == "request") {
      o->request_file = value;
    } else if (name == "concurrency") {
      if (!absl::SimpleAtoi(value, &o->concurrency) || o->concurrency < 1 ||
          o->concurrency > 100000) {
        return bad();
      }
    } else if (name == "channels") {
      if (!absl::SimpleAtoi(value, &o->channels) || o->channels < 1 || o->channels > 1024) {
        return bad();
      }
    } else if (name == "duration") {
      if (!ParseDurationFlag(value, &o->duration) || o->duration <= absl::ZeroDuration()) {
        return bad();
      }
    } else if (name == "warmup") {
      if (!ParseDurationFlag(value, &o->warmup)) return bad();
    } else if (name == "timeout") {
      if (!ParseDurationFlag(value, &o->timeout) || o->timeout <= absl::ZeroDuration()) {
        return bad();
      }
    } else if (name == "wait_ready") {
      if (!ParseDurationFlag(value, &o->wait_ready)) return bad();
    } else if (name == "metadata") {
      std::pair<std::string, std::string> kv = absl::StrSplit(value, absl::MaxSplits('=', 1));
      if (kv.first.empty()) return bad();
      o->metadata.emplace_back(absl::AsciiStrToLower(kv.first), kv.second);
    } else {
      return absl::StrCat("unknown flag --", name, " (see --help)");
    }
  }
  return "";
}

}  // namespace regenatlas::bench
