// regenatlas_loadgen: a closed-loop gRPC load generator for unary methods.
//
//   regenatlas_loadgen --target=127.0.0.1:50051
//       --method=/regenatlas.catalog.v1.CatalogService/GetTrial
//       --request=bench/requests/get_trial.jsonl --concurrency=64 --duration=10s
//
// Keeps exactly --concurrency calls in flight (a finished call starts the next
// one at once) for --warmup + --duration and prints one line of JSON: QPS,
// latency percentiles, errors by status code. See --help and
// docs/performance.md.
//
// Requests are JSON (proto3 JSON mapping) converted with the descriptors of
// the linked-in generated code: every RegenAtlas API, grpc.health.v1 and the
// benchmark's hello anchor. Each request is serialised once; calls go through
// the generic stub with the serialised bytes (no per-call serialisation).

#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "hello.grpc.pb.h"
#include "regenatlas/analytics/v1/analytics_service.pb.h"
#include "regenatlas/catalog/v1/catalog_service.pb.h"
#include "regenatlas/gateway/v1/gateway_service.pb.h"
#include "regenatlas/timeline/v1/timeline_service.pb.h"

namespace regenatlas::bench {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kUsage[] =
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

bool ParseDurationFlag(const std::string& text, absl::Duration* out) {
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds)) {
    *out = absl::Seconds(seconds);
    return seconds >= 0;
  }
  return absl::ParseDuration(text, out) && *out >= absl::ZeroDuration();
}

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

std::string JsonString(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        if (c < 0x20) {
          out += absl::StrFormat("\\u%04x", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

const char* CodeName(int code) {
  static constexpr std::array<const char*, 17> kNames = {"OK",
                                                         "CANCELLED",
                                                         "UNKNOWN",
                                                         "INVALID_ARGUMENT",
                                                         "DEADLINE_EXCEEDED",
                                                         "NOT_FOUND",
                                                         "ALREADY_EXISTS",
                                                         "PERMISSION_DENIED",
                                                         "RESOURCE_EXHAUSTED",
                                                         "FAILED_PRECONDITION",
                                                         "ABORTED",
                                                         "OUT_OF_RANGE",
                                                         "UNIMPLEMENTED",
                                                         "INTERNAL",
                                                         "UNAVAILABLE",
                                                         "DATA_LOSS",
                                                         "UNAUTHENTICATED"};
  return code >= 0 && code < static_cast<int>(kNames.size()) ? kNames[code] : "UNKNOWN";
}

// Latency histogram with log-linear (HDR-style) buckets: exact below 128 ns,
// then 128 buckets per power of two, so any recorded value is reported
// within 0.8 %; values up to 2^42 ns (73 min), larger ones land in the last
// bucket. Record() is lock-free and may be called from any thread.
class Histogram {
 public:
  Histogram() {
    for (std::atomic<uint64_t>& c : counts_) c.store(0, std::memory_order_relaxed);
  }

  void Record(int64_t ns) {
    const uint64_t v = ns < 0 ? 0 : static_cast<uint64_t>(ns);
    counts_[Index(v)].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(v, std::memory_order_relaxed);
    uint64_t max = max_.load(std::memory_order_relaxed);
    while (v > max && !max_.compare_exchange_weak(max, v, std::memory_order_relaxed)) {
    }
  }

  uint64_t count() const { return count_.load(); }
  double MeanNs() const { return count() == 0 ? 0 : static_cast<double>(sum_.load()) / count(); }
  uint64_t MaxNs() const { return max_.load(); }

  // The value at quantile q (0 < q <= 1): the middle of the bucket holding
  // the ceil(q * count)-th smallest value, capped at the exact maximum.
  double QuantileNs(double q) const {
    const uint64_t n = count();
    if (n == 0) return 0;
    const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * n)));
    uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
      seen += counts_[i].load(std::memory_order_relaxed);
      if (seen >= rank) {
        const double mid = LowerBound(i) + (Width(i) - 1) / 2.0;
        return std::min(mid, static_cast<double>(MaxNs()));
      }
    }
    return static_cast<double>(MaxNs());
  }

 private:
  static constexpr int kSubBits = 7;
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;
  static constexpr int kMaxExp = 42;
  static constexpr int kBuckets = static_cast<int>(kSub) * (kMaxExp - kSubBits + 2);

  static int Index(uint64_t v) {
    if (v < kSub) return static_cast<int>(v);
    int exp = 63 - __builtin_clzll(v);
    if (exp > kMaxExp) return kBuckets - 1;
    const int shift = exp - kSubBits;
    const uint64_t mantissa = (v >> shift) - kSub;
    return static_cast<int>(kSub + static_cast<uint64_t>(shift) * kSub + mantissa);
  }
  static uint64_t LowerBound(int i) {
    if (i < static_cast<int>(kSub)) return static_cast<uint64_t>(i);
    const int shift = i / static_cast<int>(kSub) - 1;
    return (kSub + static_cast<uint64_t>(i) % kSub) << shift;
  }
  static uint64_t Width(int i) {
    return i < static_cast<int>(kSub) ? 1 : uint64_t{1} << (i / static_cast<int>(kSub) - 1);
  }

  std::array<std::atomic<uint64_t>, kBuckets> counts_;
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> max_{0};
};

// Makes the generated descriptors of every API part of the binary (a static
// library contributes only the objects something refers to), so that
// --method can name any of them.
void LinkDescriptors() {
  for (const google::protobuf::Descriptor* d :
       {catalog::v1::GetTrialRequest::descriptor(),
        timeline::v1::GetProductTimelineRequest::descriptor(),
        analytics::v1::GetPipelineBreakdownRequest::descriptor(),
        gateway::v1::GetProductDossierRequest::descriptor(),
        grpc::health::v1::HealthCheckRequest::descriptor(), v1::SayHelloRequest::descriptor()}) {
    (void)d;
  }
}

// Reads the request file and serialises each request for `method`
// ("/pkg.Service/Method"); returns an error message or "".
std::string LoadRequests(const std::string& method, const std::string& path,
                         std::vector<grpc::ByteBuffer>* out,
                         const google::protobuf::MethodDescriptor** descriptor) {
  std::vector<std::string> parts = absl::StrSplit(method, '/');
  if (parts.size() != 3 || !parts[0].empty() || parts[1].empty() || parts[2].empty()) {
    return absl::StrCat("--method: expected /pkg.Service/Method, got \"", method, "\"");
  }
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  const google::protobuf::ServiceDescriptor* service = pool->FindServiceByName(parts[1]);
  if (service == nullptr) {
    return absl::StrCat("--method: unknown service ", parts[1],
                        " (linked in: regenatlas.*, grpc.health.v1.Health, "
                        "regenatlas.bench.v1.HelloService)");
  }
  const google::protobuf::MethodDescriptor* m = service->FindMethodByName(parts[2]);
  if (m == nullptr) return absl::StrCat("--method: ", parts[1], " has no method ", parts[2]);
  if (m->client_streaming() || m->server_streaming()) {
    return absl::StrCat("--method: ", parts[2], " is a streaming method; only unary ones are");
  }
  *descriptor = m;
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::StrCat("--request: cannot read ", path);
  std::stringstream text;
  text << in.rdbuf();
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(m->input_type());
  auto add = [&](absl::string_view json, std::string* error) {
    std::unique_ptr<google::protobuf::Message> msg(prototype->New());
    auto status = google::protobuf::util::JsonStringToMessage(std::string(json), msg.get());
    if (!status.ok()) {
      *error = status.ToString();
      return false;
    }
    std::string bytes;
    msg->SerializeToString(&bytes);
    grpc::Slice slice(bytes);
    out->emplace_back(&slice, 1);
    return true;
  };
  // One JSON document, else JSON Lines.
  std::string whole_error;
  if (add(absl::StripAsciiWhitespace(text.str()), &whole_error)) return "";
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text.str(), '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::string error;
    if (!add(line, &error)) {
      return absl::StrCat(path, ":", line_number, ": not a ", m->input_type()->full_name(),
                          " in JSON: ", line_number == 1 ? whole_error : error);
    }
  }
  if (out->empty()) return absl::StrCat(path, ": no request");
  return "";
}

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target, int index, bool fast_retry) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  // Its own connection, not one shared with the other channels.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("regenatlas.loadgen.channel", index);
  if (fast_retry) {
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 10);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 10);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 100);
  }
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

// Waits until the server's overall health is SERVING: one Watch stream with
// wait_for_ready (the call waits for the connection; the stream reports each
// change), or Check repeated every 10 ms when Watch is unimplemented.
// Returns an error message or "".
std::string WaitReady(const std::string& target, absl::Duration timeout) {
  const auto deadline = Clock::now() + absl::ToChronoNanoseconds(timeout);
  const auto system_deadline =
      std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout);
  std::shared_ptr<grpc::Channel> channel = MakeChannel(target, 0, /*fast_retry=*/true);
  std::unique_ptr<grpc::health::v1::Health::Stub> stub = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  {
    grpc::ClientContext context;
    context.set_wait_for_ready(true);
    context.set_deadline(system_deadline);
    std::unique_ptr<grpc::ClientReader<grpc::health::v1::HealthCheckResponse>> reader =
        stub->Watch(&context, request);
    while (reader->Read(&response)) {
      if (response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
        context.TryCancel();
        reader->Finish();
        return "";
      }
    }
    grpc::Status status = reader->Finish();
    if (status.error_code() != grpc::StatusCode::UNIMPLEMENTED) {
      return absl::StrCat("not ready within ", absl::FormatDuration(timeout), ": ",
                          CodeName(status.error_code()), " ", status.error_message());
    }
  }
  // Bounded by the deadline: every Check carries it.
  while (Clock::now() < deadline) {
    grpc::ClientContext context;
    context.set_wait_for_ready(true);
    context.set_deadline(system_deadline);
    grpc::Status status = stub->Check(&context, request, &response);
    if (status.ok() && response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return "";
    }
    if (!status.ok() && status.error_code() != grpc::StatusCode::UNAVAILABLE) {
      return absl::StrCat("health check failed: ", CodeName(status.error_code()), " ",
                          status.error_message());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return absl::StrCat("not SERVING within ", absl::FormatDuration(timeout));
}

// Sends each request once, in order, and prints the response in JSON (or
// {"error":…}) on its own line; each wait is bounded by the call's deadline.
// Returns the number of failed calls.
int PrintResponses(const Options& o, const google::protobuf::MethodDescriptor* method,
                   const std::vector<grpc::ByteBuffer>& requests, grpc::GenericStub* stub) {
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(method->output_type());
  int failed = 0;
  for (const grpc::ByteBuffer& request : requests) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(o.timeout));
    for (const auto& [key, value] : o.metadata) context.AddMetadata(key, value);
    grpc::ByteBuffer response;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    stub->UnaryCall(&context, o.method, grpc::StubOptions(), &request, &response,
                    [&](grpc::Status s) {
                      std::lock_guard<std::mutex> lock(mu);
                      status = std::move(s);
                      done = true;
                      cv.notify_one();
                    });
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return done; });
    }
    if (!status.ok()) {
      ++failed;
      std::printf("{\"error\":%s}\n", JsonString(absl::StrCat(CodeName(status.error_code()), ": ",
                                                              status.error_message()))
                                          .c_str());
      continue;
    }
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (response.Dump(&slices).ok()) {
      for (const grpc::Slice& slice : slices) {
        bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
      }
    }
    std::unique_ptr<google::protobuf::Message> message(prototype->New());
    std::string json;
    if (!message->ParseFromString(bytes) ||
        !google::protobuf::util::MessageToJsonString(*message, &json).ok()) {
      ++failed;
      std::printf("{\"error\":\"response does not parse as %s\"}\n",
                  method->output_type()->full_name().c_str());
      continue;
    }
    std::printf("%s\n", json.c_str());
  }
  return failed;
}

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

// The closed loop: `concurrency` slots, each with one call in flight at a
// time; a slot's completion callback (on a gRPC thread) records the result
// and starts the slot's next call until the window ends; then Run() cancels
// the calls still in flight and waits until every slot has retired.
class ClosedLoop {
 public:
  ClosedLoop(const Options& o, std::vector<grpc::ByteBuffer> requests,
             std::vector<std::unique_ptr<grpc::GenericStub>> stubs)
      : options_(o), requests_(std::move(requests)), stubs_(std::move(stubs)) {
    slots_.reserve(o.concurrency);
    for (int i = 0; i < o.concurrency; ++i) {
      auto slot = std::make_unique<Slot>();
      slot->stub = stubs_[i % stubs_.size()].get();
      slots_.push_back(std::move(slot));
    }
  }

  // Runs warmup + window; returns when every call has finished.
  void Run() {
    const int64_t start = NowNs();
    window_start_ = start + absl::ToInt64Nanoseconds(options_.warmup);
    window_end_ = window_start_ + absl::ToInt64Nanoseconds(options_.duration);
    active_ = static_cast<int>(slots_.size());
    for (auto& slot : slots_) Issue(slot.get());
    // The window is a span of time: nothing to wait for but the clock.
    std::this_thread::sleep_until(Clock::time_point(std::chrono::nanoseconds(window_end_)));
    stopping_.store(true);
    for (auto& slot : slots_) {
      std::lock_guard<std::mutex> lock(slot->mu);
      if (slot->in_flight) {
        slot->context->TryCancel();
        ++cancelled_at_end_;
      }
    }
    std::unique_lock<std::mutex> lock(mu_);
    // Cancelled calls complete promptly; the per-call deadline bounds the rest.
    done_.wait_for(lock, absl::ToChronoNanoseconds(options_.timeout + absl::Seconds(5)),
                   [this] { return active_ == 0; });
    finished_ = active_ == 0;
  }

  bool finished() const { return finished_; }

  std::string ResultJson() const {
    const double window_s = absl::ToDoubleSeconds(options_.duration);
    const uint64_t ok = latency_.count();
    uint64_t errors = 0;
    std::string by_code;
    for (int c = 1; c < static_cast<int>(errors_.size()); ++c) {
      const uint64_t n = errors_[c].load();
      if (n == 0) continue;
      errors += n;
      absl::StrAppend(&by_code, by_code.empty() ? "" : ",", JsonString(CodeName(c)), ":", n);
    }
    auto ms = [](double ns) { return absl::StrFormat("%.3f", ns / 1e6); };
    std::string latency = "null";
    if (ok > 0) {
      latency = absl::StrCat(
          "{\"p50\":", ms(latency_.QuantileNs(0.50)), ",\"p90\":", ms(latency_.QuantileNs(0.90)),
          ",\"p99\":", ms(latency_.QuantileNs(0.99)), ",\"p999\":", ms(latency_.QuantileNs(0.999)),
          ",\"mean\":", ms(latency_.MeanNs()),
          ",\"max\":", ms(static_cast<double>(latency_.MaxNs())), "}");
    }
    std::string first_error;
    {
      std::lock_guard<std::mutex> lock(mu_);
      first_error = first_error_;
    }
    return absl::StrCat(
        "{\"target\":", JsonString(options_.target), ",\"method\":", JsonString(options_.method),
        ",\"requests\":", requests_.size(), ",\"concurrency\":", options_.concurrency,
        ",\"channels\":", options_.channels, ",\"duration_s\":", absl::StrFormat("%.3f", window_s),
        ",\"warmup_s\":", absl::StrFormat("%.3f", absl::ToDoubleSeconds(options_.warmup)),
        ",\"calls\":", ok + errors, ",\"ok\":", ok,
        ",\"qps\":", absl::StrFormat("%.1f", static_cast<double>(ok) / window_s), ",\"errors\":{",
        by_code, "}", ",\"first_error\":", first_error.empty() ? "null" : JsonString(first_error),
        ",\"latency_ms\":", latency, ",\"response_bytes_mean\":",
        absl::StrFormat("%.0f", ok == 0 ? 0.0 : static_cast<double>(response_bytes_.load()) / ok),
        ",\"cancelled_at_end\":", cancelled_at_end_, "}");
  }

 private:
  // One outstanding call at a time. `mu` guards the fields: they are set on
  // the thread that starts a call and read on the gRPC thread that completes
  // it, and the main thread cancels through `context`.
  struct Slot {
    grpc::GenericStub* stub = nullptr;
    std::mutex mu;
    std::unique_ptr<grpc::ClientContext> context;
    grpc::ByteBuffer response;
    int64_t start_ns = 0;
    bool in_flight = false;
  };

  // Starts the slot's next call, or retires the slot once the window is over
  // (checked under the slot's lock, so that Run() either sees the call in
  // flight and cancels it or the slot sees `stopping_`).
  void Issue(Slot* slot) {
    const grpc::ByteBuffer* request = &requests_[next_request_.fetch_add(1) % requests_.size()];
    grpc::ClientContext* context;
    grpc::ByteBuffer* response;
    {
      std::lock_guard<std::mutex> lock(slot->mu);
      const int64_t now = NowNs();
      if (stopping_.load() || now >= window_end_) {
        std::lock_guard<std::mutex> done_lock(mu_);
        if (--active_ == 0) done_.notify_all();
        return;
      }
      slot->context = std::make_unique<grpc::ClientContext>();
      slot->context->set_deadline(std::chrono::system_clock::now() +
                                  absl::ToChronoNanoseconds(options_.timeout));
      for (const auto& [key, value] : options_.metadata) slot->context->AddMetadata(key, value);
      slot->response.Clear();
      slot->start_ns = now;
      slot->in_flight = true;
      context = slot->context.get();
      response = &slot->response;
    }
    slot->stub->UnaryCall(context, options_.method, grpc::StubOptions(), request, response,
                          [this, slot](grpc::Status status) { OnDone(slot, status); });
  }

  void OnDone(Slot* slot, const grpc::Status& status) {
    const int64_t end = NowNs();
    int64_t start;
    size_t bytes;
    {
      std::lock_guard<std::mutex> lock(slot->mu);
      slot->in_flight = false;
      start = slot->start_ns;
      bytes = slot->response.Length();
    }
    if (end >= window_start_ && end < window_end_) {
      if (status.ok()) {
        latency_.Record(end - start);
        response_bytes_.fetch_add(bytes, std::memory_order_relaxed);
      } else {
        errors_[std::min<int>(status.error_code(), 16)].fetch_add(1);
        std::lock_guard<std::mutex> lock(mu_);
        if (first_error_.empty()) {
          first_error_ = absl::StrCat(CodeName(status.error_code()), ": ",
                                      status.error_message().substr(0, 300));
        }
      }
    }
    Issue(slot);
  }

  const Options& options_;
  const std::vector<grpc::ByteBuffer> requests_;
  const std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  std::vector<std::unique_ptr<Slot>> slots_;
  int64_t window_start_ = 0;
  int64_t window_end_ = 0;
  std::atomic<uint64_t> next_request_{0};
  std::atomic<bool> stopping_{false};
  Histogram latency_;
  std::array<std::atomic<uint64_t>, 17> errors_{};
  std::atomic<uint64_t> response_bytes_{0};
  int cancelled_at_end_ = 0;  // main thread only
  mutable std::mutex mu_;
  std::condition_variable done_;
  int active_ = 0;           // guarded by mu_
  std::string first_error_;  // guarded by mu_
  bool finished_ = false;
};

int Run(int argc, char** argv) {
  Options o;
  if (std::string error = ParseFlags(argc, argv, &o); !error.empty()) {
    std::fprintf(stderr, "regenatlas_loadgen: %s\n", error.c_str());
    return 2;
  }
  if (o.help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (o.version) {
    std::printf("regenatlas_loadgen %s (gRPC %s, protobuf %s)\n", REGENATLAS_VERSION,
                grpc::Version().c_str(),
                google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION).c_str());
    return 0;
  }
  if (o.target.empty()) {
    std::fprintf(stderr, "regenatlas_loadgen: --target is required (see --help)\n");
    return 2;
  }
  if (o.wait_ready > absl::ZeroDuration()) {
    const int64_t start = NowNs();
    if (std::string error = WaitReady(o.target, o.wait_ready); !error.empty()) {
      std::fprintf(stderr, "regenatlas_loadgen: %s: %s\n", o.target.c_str(), error.c_str());
      return 1;
    }
    if (o.method.empty()) {
      std::printf("{\"ready\":true,\"waited_ms\":%.1f}\n", (NowNs() - start) / 1e6);
      return 0;
    }
  }
  if (o.method.empty() || o.request_file.empty()) {
    std::fprintf(stderr, "regenatlas_loadgen: --method and --request are required (see --help)\n");
    return 2;
  }
  LinkDescriptors();
  std::vector<grpc::ByteBuffer> requests;
  const google::protobuf::MethodDescriptor* descriptor = nullptr;
  if (std::string error = LoadRequests(o.method, o.request_file, &requests, &descriptor);
      !error.empty()) {
    std::fprintf(stderr, "regenatlas_loadgen: %s\n", error.c_str());
    return error.rfind("--", 0) == 0 ? 2 : 1;
  }
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  for (int i = 0; i < o.channels; ++i) {
    std::shared_ptr<grpc::Channel> channel = MakeChannel(o.target, i, /*fast_retry=*/false);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      std::fprintf(stderr, "regenatlas_loadgen: cannot connect to %s within 10s\n",
                   o.target.c_str());
      return 1;
    }
    stubs.push_back(std::make_unique<grpc::GenericStub>(channel));
  }
  if (o.print_response) return PrintResponses(o, descriptor, requests, stubs[0].get()) ? 1 : 0;
  ClosedLoop loop(o, std::move(requests), std::move(stubs));
  loop.Run();
  if (!loop.finished()) {
    // Calls still in flight reference the loop: report and leave without
    // destroying it.
    std::fprintf(stderr, "regenatlas_loadgen: calls did not finish after cancellation\n");
    std::printf("%s\n", loop.ResultJson().c_str());
    std::fflush(stdout);
    std::_Exit(1);
  }
  std::printf("%s\n", loop.ResultJson().c_str());
  return 0;
}

}  // namespace
}  // namespace regenatlas::bench

int main(int argc, char** argv) { return regenatlas::bench::Run(argc, argv); }
