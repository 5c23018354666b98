#include "services/gateway/metrics.h"

#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/process_stats.h"
#include "common/version.h"
#include "prometheus/collectable.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/metric_family.h"
#include "prometheus/registry.h"

namespace regenatlas::gateway {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Histogram;
using prometheus::MetricFamily;
using prometheus::MetricType;

// Milliseconds to seconds: point reads take well under a millisecond, so
// the buckets start lower than the conventional 5 ms.
const Histogram::BucketBoundaries& Buckets() {
  static const auto* const kBuckets =
      new Histogram::BucketBoundaries{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                      0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
  return *kBuckets;
}

// "/pkg.Service/Method" → {"pkg.Service", "Method"}.
std::pair<std::string, std::string> SplitMethod(absl::string_view path) {
  if (!path.empty() && path[0] == '/') path.remove_prefix(1);
  const size_t slash = path.find('/');
  if (slash == absl::string_view::npos) return {std::string(path), ""};
  return {std::string(path.substr(0, slash)), std::string(path.substr(slash + 1))};
}

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

class CallMetrics final : public CallObserver {
 public:
  explicit CallMetrics(std::shared_ptr<prometheus::Registry> registry)
      : registry_(std::move(registry)),
        started_(prometheus::BuildCounter()
                     .Name("grpc_server_started_total")
                     .Help("Total number of RPCs started on the server.")
                     .Register(*registry_)),
        handled_(prometheus::BuildCounter()
                     .Name("grpc_server_handled_total")
                     .Help("Total number of RPCs completed on the server, regardless of "
                           "success or failure.")
                     .Register(*registry_)),
        handling_(prometheus::BuildHistogram()
                      .Name("grpc_server_handling_seconds")
                      .Help("Histogram of response latency (seconds) of gRPC that had been "
                            "application-level handled by the server.")
                      .Register(*registry_)),
        received_(prometheus::BuildCounter()
                      .Name("grpc_server_msg_received_total")
                      .Help("Total number of RPC stream messages received on the server.")
                      .Register(*registry_)),
        sent_(prometheus::BuildCounter()
                  .Name("grpc_server_msg_sent_total")
                  .Help("Total number of gRPC stream messages sent by the server.")
                  .Register(*registry_)),
        client_handled_(prometheus::BuildCounter()
                            .Name("grpc_client_handled_total")
                            .Help("Total number of RPCs completed by the client (calls "
                                  "forwarded to a backend), regardless of success or failure.")
                            .Register(*registry_)),
        client_handling_(prometheus::BuildHistogram()
                             .Name("grpc_client_handling_seconds")
                             .Help("Histogram of response latency (seconds) of the gRPC until "
                                   "it is finished by the application (forwarded calls).")
                             .Register(*registry_)),
        in_flight_(prometheus::BuildGauge()
                       .Name("regenatlas_calls_in_flight")
                       .Help("Calls at the public port that have started and not ended.")
                       .Register(*registry_)
                       .Add({})) {}

  void OnStart(absl::string_view method, const char* grpc_type) override {
    in_flight_.Increment();
    auto [service, name] = SplitMethod(method);
    started_.Add({{"grpc_type", grpc_type}, {"grpc_service", service}, {"grpc_method", name}})
        .Increment();
  }

  void OnDone(const CallRecord& r) override {
    in_flight_.Decrement();
    auto [service, name] = SplitMethod(r.method);
    const prometheus::Labels labels = {
        {"grpc_type", r.grpc_type}, {"grpc_service", service}, {"grpc_method", name}};
    prometheus::Labels with_code = labels;
    with_code.emplace("grpc_code", CodeName(r.status.error_code()));
    handled_.Add(with_code).Increment();
    const double seconds = absl::ToDoubleSeconds(r.latency);
    handling_.Add(labels, Buckets()).Observe(seconds);
    if (r.messages_received > 0) {
      received_.Add(labels).Increment(static_cast<double>(r.messages_received));
    }
    if (r.messages_sent > 0) sent_.Add(labels).Increment(static_cast<double>(r.messages_sent));
    if (r.forwarded) {
      prometheus::Labels client = labels;
      client.emplace("grpc_code", CodeName(r.backend_code));
      client_handled_.Add(client).Increment();
      client_handling_.Add(labels, Buckets()).Observe(seconds);
    }
  }

 private:
  // Calls may report after Metrics is gone: the families live as long as
  // the last observer reference.
  const std::shared_ptr<prometheus::Registry> registry_;
  Family<Counter>& started_;
  Family<Counter>& handled_;
  Family<Histogram>& handling_;
  Family<Counter>& received_;
  Family<Counter>& sent_;
  Family<Counter>& client_handled_;
  Family<Histogram>& client_handling_;
  prometheus::Gauge& in_flight_;
};

MetricFamily Gauge(std::string name, std::string help, double value,
                   MetricType type = MetricType::Gauge) {
  MetricFamily f{std::move(name), std::move(help), type, {}};
  prometheus::ClientMetric m;
  if (type == MetricType::Counter) {
    m.counter.value = value;
  } else {
    m.gauge.value = value;
  }
  f.metric.push_back(std::move(m));
  return f;
}

// Figures read when Prometheus scrapes: the process, the store, the build.
class ScrapeTimeGauges final : public prometheus::Collectable {
 public:
  explicit ScrapeTimeGauges(MetricsOptions options) : options_(std::move(options)) {}

  std::vector<MetricFamily> Collect() const override {
    std::vector<MetricFamily> out;
    const ProcessStats p = ReadProcessStats();
    out.push_back(Gauge("process_cpu_seconds_total",
                        "Total user and system CPU time spent in "
                        "seconds.",
                        p.cpu_seconds, MetricType::Counter));
    out.push_back(Gauge("process_resident_memory_bytes", "Resident memory size in bytes.",
                        static_cast<double>(p.resident_bytes)));
    out.push_back(Gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.",
                        static_cast<double>(p.virtual_bytes)));
    out.push_back(Gauge("process_open_fds", "Number of open file descriptors.",
                        static_cast<double>(p.open_fds)));
    out.push_back(Gauge("process_max_fds", "Maximum number of open file descriptors.",
                        static_cast<double>(p.max_fds)));
    out.push_back(Gauge("process_start_time_seconds",
                        "Start time of the process since unix epoch in seconds.",
                        p.start_time_seconds));
    out.push_back(Gauge("process_threads", "Number of OS threads in the process.",
                        static_cast<double>(p.threads)));
    MetricFamily build =
        Gauge("regenatlas_build_info", "Always 1; the labels name the running build.", 1);
    build.metric[0].label = {{"version", Version()}};
    out.push_back(std::move(build));
    if (options_.store_stats) AddStore(options_.store_stats(), out);
    return out;
  }

 private:
  static void AddStore(const storage::StoreStats& s, std::vector<MetricFamily>& out) {
    auto gauge = [&out](const char* name, const char* help, uint64_t v) {
      out.push_back(Gauge(absl::StrCat("regenatlas_rocksdb_", name), help, static_cast<double>(v)));
    };
    auto counter = [&out](const char* name, const char* help, uint64_t v) {
      out.push_back(Gauge(absl::StrCat("regenatlas_rocksdb_", name), help, static_cast<double>(v),
                          MetricType::Counter));
    };
    gauge("live_sst_bytes", "Size of the live SST files (the store on disk).", s.live_sst_bytes);
    gauge("memtable_bytes", "Size of all memtables.", s.memtable_bytes);
    gauge("estimated_keys", "Estimated number of keys.", s.estimated_keys);
    gauge("block_cache_usage_bytes", "Memory used by the block cache.", s.block_cache_usage_bytes);
    gauge("block_cache_capacity_bytes", "Capacity of the block cache.",
          s.block_cache_capacity_bytes);
    gauge("block_cache_pinned_bytes", "Pinned block cache memory.", s.block_cache_pinned_bytes);
    gauge("pending_compaction_bytes", "Estimated bytes compaction still has to rewrite.",
          s.pending_compaction_bytes);
    gauge("running_compactions", "Compactions running now.", s.running_compactions);
    gauge("running_flushes", "Memtable flushes running now.", s.running_flushes);
    gauge("write_stopped", "1 while writes are stopped by a stall.", s.write_stopped ? 1 : 0);
    gauge("delayed_write_rate_bytes", "Write rate (bytes/s) while writes are slowed down, else 0.",
          s.delayed_write_rate);
    counter("write_stall_stops_total", "Write stalls that stopped writes.", s.write_stall_stops);
    counter("write_stall_slowdowns_total", "Write stalls that slowed writes down.",
            s.write_stall_slowdowns);
    gauge("last_sequence", "Sequence number of the last committed change.", s.last_seq);
  }

  const MetricsOptions options_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Metrics>> Metrics::Start(MetricsOptions options) {
  std::unique_ptr<Metrics> m(new Metrics());
  m->registry_ = std::make_shared<prometheus::Registry>();
  m->observer_ = std::make_shared<CallMetrics>(m->registry_);
  const std::string listen = options.listen;
  m->gauges_ = std::make_shared<ScrapeTimeGauges>(std::move(options));
  // civetweb throws on a port it cannot bind; turn that into a startup error.
  try {
    m->exposer_ = std::make_unique<prometheus::Exposer>(listen);
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("metrics: cannot listen on ", listen, ": ", e.what()));
  }
  m->exposer_->RegisterCollectable(m->registry_);
  m->exposer_->RegisterCollectable(m->gauges_);
  std::vector<int> ports = m->exposer_->GetListeningPorts();
  m->port_ = ports.empty() ? 0 : ports.front();
  return m;
}

Metrics::~Metrics() = default;

}  // namespace regenatlas::gateway
