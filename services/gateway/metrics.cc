#include "services/gateway/metrics.h"

#include "absl/strings/str_cat.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace regenatlas::gateway {

struct Metrics::Families {
  prometheus::Family<prometheus::Counter>* calls;
  prometheus::Family<prometheus::Histogram>* latency;
  prometheus::Family<prometheus::Counter>* backend_calls;
};

absl::StatusOr<std::unique_ptr<Metrics>> Metrics::Start(const std::string& listen) {
  std::unique_ptr<Metrics> m(new Metrics());
  m->registry_ = std::make_shared<prometheus::Registry>();
  m->families_ = std::make_shared<Families>();
  m->families_->calls = &prometheus::BuildCounter()
                             .Name("regenatlas_calls_total")
                             .Help("Calls at the public port by method and final status code")
                             .Register(*m->registry_);
  m->families_->latency = &prometheus::BuildHistogram()
                               .Name("regenatlas_call_latency_seconds")
                               .Help("Latency of calls at the public port by method")
                               .Register(*m->registry_);
  m->families_->backend_calls = &prometheus::BuildCounter()
                                     .Name("regenatlas_backend_calls_total")
                                     .Help("Calls forwarded to each backend by final status code")
                                     .Register(*m->registry_);
  // civetweb throws on a port it cannot bind; turn that into a startup error.
  try {
    m->exposer_ = std::make_unique<prometheus::Exposer>(listen);
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("metrics: cannot listen on ", listen, ": ", e.what()));
  }
  m->exposer_->RegisterCollectable(m->registry_);
  std::vector<int> ports = m->exposer_->GetListeningPorts();
  m->port_ = ports.empty() ? 0 : ports.front();
  return m;
}

Metrics::~Metrics() = default;

CallObserver Metrics::Observer() {
  std::shared_ptr<Families> f = families_;
  return [f](const std::string& method, const std::string& backend, grpc::StatusCode code,
             absl::Duration latency) {
    const std::string code_text = absl::StrCat(static_cast<int>(code));
    f->calls->Add({{"method", method}, {"code", code_text}}).Increment();
    static const prometheus::Histogram::BucketBoundaries kBuckets = {
        0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
    f->latency->Add({{"method", method}}, kBuckets).Observe(absl::ToDoubleSeconds(latency));
    f->backend_calls->Add({{"backend", backend}, {"code", code_text}}).Increment();
  };
}

}  // namespace regenatlas::gateway
