#include "services/gateway/gateway_service.h"

#include <algorithm>
#include <atomic>
#include <functional>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/blocking_counter.h"
#include "common/paging.h"
#include "common/resource_name.h"
#include "common/rpc.h"
#include "common/tsan.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "regenatlas/analytics/v1/analytics_service.grpc.pb.h"
#include "regenatlas/catalog/v1/catalog_service.grpc.pb.h"
#include "regenatlas/timeline/v1/timeline_service.grpc.pb.h"

namespace regenatlas::gateway {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

namespace {

constexpr const char* kCatalog = catalog::v1::CatalogService::service_full_name();
constexpr const char* kTimeline = timeline::v1::RegulatoryTimelineService::service_full_name();
constexpr const char* kAnalytics = analytics::v1::MarketAnalyticsService::service_full_name();

// The dossier's backend calls: the caller's deadline, capped.
ClientOptions DossierClientOptions(const GatewayOptions& options) {
  return ClientOptions{options.default_deadline * 5};
}

}  // namespace

GatewayService::GatewayService(GatewayOptions options, ExecutorOptions executor)
    : GatewayService(std::move(options), std::make_shared<Executor>(std::move(executor))) {}

GatewayService::GatewayService(GatewayOptions options, std::shared_ptr<Executor> executor)
    : options_(std::move(options)),
      channels_(options_.backends.size()),
      catalog_([this] { return ChannelFor(kCatalog); }, DossierClientOptions(options_)),
      timeline_([this] { return ChannelFor(kTimeline); }, DossierClientOptions(options_)),
      analytics_([this] { return ChannelFor(kAnalytics); }, DossierClientOptions(options_)),
      executor_(std::move(executor)) {}

std::shared_ptr<grpc::Channel> GatewayService::ChannelOf(size_t i) {
  absl::MutexLock lock(&mu_);
  if (channels_[i] == nullptr) channels_[i] = options_.backends[i].connect();
  return channels_[i];
}

grpc::ServerUnaryReactor* GatewayService::ListBackends(
    grpc::CallbackServerContext* context, const gateway::v1::ListBackendsRequest* request,
    gateway::v1::ListBackendsResponse* response) {
  if (grpc::ServerUnaryReactor* refused = Refused(context)) return refused;
  // Paged in configuration order (AIP-158): the token holds the index of the
  // next backend and is bound to the configured services, so a token of a
  // differently configured gateway is refused.
  absl::StatusOr<int> limit = NormalizePageSize(request->page_size());
  if (!limit.ok()) return Reply(context, limit.status());
  std::string query = "backends";
  for (const BackendOptions& b : options_.backends) absl::StrAppend(&query, "|", b.service);
  size_t first = 0;
  if (!request->page_token().empty()) {
    absl::StatusOr<std::string> position = DecodePageToken(request->page_token(), query);
    if (!position.ok()) return Reply(context, position.status());
    if (!absl::SimpleAtoi(*position, &first) || first > options_.backends.size()) {
      return Reply(context, absl::InvalidArgumentError("page_token: malformed"));
    }
  }
  const size_t end = std::min(options_.backends.size(), first + static_cast<size_t>(*limit));
  if (end < options_.backends.size()) {
    response->set_next_page_token(EncodePageToken(query, absl::StrCat(end)));
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const size_t n = end - first;
  if (n == 0) {
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
  // Each check runs concurrently; the last one to finish completes the call.
  struct Check {
    grpc::ClientContext context;
    HealthCheckRequest request;
    HealthCheckResponse response;
    absl::Time start;
  };
  // The mutex orders the setup (this thread) and the callbacks (gRPC's
  // threads) visibly for ThreadSanitizer; the last callback finishes.
  struct State {
    absl::Mutex mu;
    std::vector<Check> checks;
    size_t remaining;
    explicit State(size_t n) : checks(n), remaining(n) {}
  };
  auto state = std::make_shared<State>(n);
  auto deadline = context->deadline();
  const auto fallback =
      std::chrono::system_clock::now() + absl::ToChronoMilliseconds(options_.default_deadline);
  if (deadline > fallback) deadline = fallback;
  {
    absl::MutexLock lock(&state->mu);
    for (size_t i = 0; i < n; ++i) {
      gateway::v1::Backend* b = response->add_backends();
      b->set_service(options_.backends[first + i].service);
      b->set_target(options_.backends[first + i].target);
    }
  }
  for (size_t i = 0; i < n; ++i) {
    Check& check = state->checks[i];
    {
      absl::MutexLock lock(&state->mu);
      check.context.set_deadline(deadline);
      check.request.set_service(options_.backends[first + i].service);
      check.start = absl::Now();
    }
    // gRPC hands `state` to its callback threads invisibly for TSan.
    TsanRelease(state.get());
    Health::Stub stub(ChannelOf(first + i));
    stub.async()->Check(&check.context, &check.request, &check.response,
                        [state, i, response, reactor](grpc::Status status) {
                          TsanAcquire(state.get());
                          absl::ReleasableMutexLock lock(&state->mu);
                          Check& c = state->checks[i];
                          gateway::v1::Backend* b = response->mutable_backends(static_cast<int>(i));
                          b->set_latency_micros(absl::ToInt64Microseconds(absl::Now() - c.start));
                          if (!status.ok()) {
                            b->set_health(gateway::v1::BACKEND_HEALTH_UNREACHABLE);
                            b->set_error(status.error_message());
                          } else if (c.response.status() == HealthCheckResponse::SERVING) {
                            b->set_health(gateway::v1::BACKEND_HEALTH_SERVING);
                          } else {
                            b->set_health(gateway::v1::BACKEND_HEALTH_NOT_SERVING);
                          }
                          const bool last = --state->remaining == 0;
                          lock.Release();
                          if (last) reactor->Finish(grpc::Status::OK);
                        });
  }
  return reactor;
}

std::shared_ptr<grpc::Channel> GatewayService::ChannelFor(const std::string& service) {
  for (size_t i = 0; i < options_.backends.size(); ++i) {
    if (options_.backends[i].service == service) return ChannelOf(i);
  }
  return nullptr;
}

namespace {

// One backend call of the dossier: its context, outcome and latency.
// Its fields are written by the issuing thread and by gRPC's callback
// thread; the mutex makes their order visible to ThreadSanitizer (gRPC's
// own hand-off is not instrumented).
struct SectionCall {
  grpc::ClientContext context;
  absl::Mutex mu;
  grpc::Status status ABSL_GUARDED_BY(mu);
  absl::Time start ABSL_GUARDED_BY(mu);
  absl::Duration latency ABSL_GUARDED_BY(mu);
  // Completion callback of the async stub: records and counts down.
  std::function<void(grpc::Status)> Done(absl::BlockingCounter* counter) {
    {
      absl::MutexLock lock(&mu);
      start = absl::Now();
    }
    // gRPC hands this object to its callback thread invisibly for TSan.
    TsanRelease(this);
    return [this, counter](grpc::Status s) {
      TsanAcquire(this);
      {
        absl::MutexLock lock(&mu);
        status = std::move(s);
        latency = absl::Now() - start;
      }
      counter->DecrementCount();
    };
  }
  grpc::Status Status() {
    absl::MutexLock lock(&mu);
    return status;
  }
  absl::Duration Latency() {
    absl::MutexLock lock(&mu);
    return latency;
  }
};

gateway::v1::DossierSection SectionOf(const std::string& name, const std::string& backend,
                                      const grpc::Status& s, absl::Duration latency) {
  gateway::v1::DossierSection section;
  section.set_name(name);
  section.set_backend(backend);
  section.set_latency_micros(absl::ToInt64Microseconds(latency));
  section.set_ok(s.ok());
  if (!s.ok()) {
    static const char* kCodes[] = {"OK",
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
    const int c = static_cast<int>(s.error_code());
    section.set_code(c >= 0 && c <= 16 ? kCodes[c] : "UNKNOWN");
    section.set_error(s.error_message());
  }
  return section;
}

}  // namespace

grpc::ServerUnaryReactor* GatewayService::GetProductDossier(
    grpc::CallbackServerContext* context, const gateway::v1::GetProductDossierRequest* request,
    gateway::v1::ProductDossier* response) {
  return Dossier(context, request->product(), response);
}

grpc::ServerUnaryReactor* GatewayService::ComputeProductDossier(
    grpc::CallbackServerContext* context, const gateway::v1::ComputeProductDossierRequest* request,
    gateway::v1::ProductDossier* response) {
  return Dossier(context, request->product(), response);
}

grpc::ServerUnaryReactor* GatewayService::Dossier(grpc::CallbackServerContext* context,
                                                  const std::string& product,
                                                  gateway::v1::ProductDossier* response) {
  absl::StatusOr<std::string> id = ParseResourceName(product, "products", "product");
  if (!id.ok()) return Reply(context, id.status());
  // The fan-out waits for the backends, so it runs on the executor; the
  // four sections are in flight at once (async calls on the client
  // libraries' shared stubs, stamped with this call's deadline — capped at
  // 5 × default_deadline —, request id and trace context), the landscapes
  // after them because they need the product's indications.
  // `product` is the request's, which outlives the call (common/rpc.h).
  return RunUnary(context, executor_.get(), [this, &product, response]() -> absl::Status {
    catalog::v1::CatalogService::Stub* catalog = catalog_.stub();
    timeline::v1::RegulatoryTimelineService::Stub* timeline = timeline_.stub();
    analytics::v1::MarketAnalyticsService::Stub* analytics = analytics_.stub();
    if (catalog == nullptr || timeline == nullptr || analytics == nullptr) {
      return absl::UnavailableError("a backend of the dossier has no channel");
    }
    const CallContext& call = CallContext::Current();
    const absl::Duration timeout = catalog_.options().timeout;
    SectionCall product_call, trials_call, timeline_call, prices_call;
    for (SectionCall* c : {&product_call, &trials_call, &timeline_call, &prices_call}) {
      Stamp(call, timeout, &c->context);
    }
    catalog::v1::GetProductRequest product_req;
    product_req.set_name(product);
    catalog::v1::Product product_record;
    catalog::v1::ListTrialsRequest trials_req;
    trials_req.set_filter(absl::StrCat("product = \"", product, "\""));
    trials_req.set_page_size(1000);
    catalog::v1::ListTrialsResponse trials;
    timeline::v1::ComputeProductTimelineRequest timeline_req;
    timeline_req.set_product(product);
    timeline::v1::ProductTimeline product_timeline;
    analytics::v1::ListPricePointsRequest prices_req;
    prices_req.set_filter(absl::StrCat("product = \"", product, "\""));
    prices_req.set_page_size(1000);
    analytics::v1::ListPricePointsResponse prices;
    absl::BlockingCounter pending(4);
    catalog->async()->GetProduct(&product_call.context, &product_req, &product_record,
                                 product_call.Done(&pending));
    catalog->async()->ListTrials(&trials_call.context, &trials_req, &trials,
                                 trials_call.Done(&pending));
    timeline->async()->ComputeProductTimeline(&timeline_call.context, &timeline_req,
                                              &product_timeline, timeline_call.Done(&pending));
    analytics->async()->ListPricePoints(&prices_call.context, &prices_req, &prices,
                                        prices_call.Done(&pending));
    pending.Wait();
    gateway::v1::DossierSection ps =
        SectionOf("product", kCatalog, product_call.Status(), product_call.Latency());
    if (product_call.Status().error_code() == grpc::StatusCode::NOT_FOUND) {
      return absl::NotFoundError(product_call.Status().error_message());
    }
    std::vector<analytics::v1::IndicationLandscape> landscapes;
    gateway::v1::DossierSection ls;
    if (ps.ok()) {
      const absl::Time start = absl::Now();
      grpc::Status s;
      for (const std::string& indication : product_record.indications()) {
        grpc::ClientContext ctx;
        Stamp(call, timeout, &ctx);
        analytics::v1::ComputeIndicationLandscapeRequest req;
        req.set_indication(indication);
        req.set_page_size(100);
        analytics::v1::IndicationLandscape landscape;
        s = analytics->ComputeIndicationLandscape(&ctx, req, &landscape);
        if (!s.ok()) break;
        landscapes.push_back(std::move(landscape));
      }
      ls = SectionOf("landscapes", kAnalytics, s, absl::Now() - start);
    } else {
      ls.set_name("landscapes");
      ls.set_backend(kAnalytics);
      ls.set_code("FAILED_PRECONDITION");
      ls.set_error("needs the product's indications, which the catalog did not return");
    }
    gateway::v1::ProductDossier dossier;
    *dossier.mutable_product() = std::move(product_record);
    for (auto& t : *trials.mutable_trials()) *dossier.add_trials() = std::move(t);
    *dossier.mutable_timeline() = std::move(product_timeline);
    for (auto& p : *prices.mutable_price_points()) *dossier.add_prices() = std::move(p);
    for (auto& l : landscapes) *dossier.add_landscapes() = std::move(l);
    bool complete = true;
    for (gateway::v1::DossierSection section :
         {ps, SectionOf("trials", kCatalog, trials_call.Status(), trials_call.Latency()),
          SectionOf("timeline", kTimeline, timeline_call.Status(), timeline_call.Latency()),
          SectionOf("prices", kAnalytics, prices_call.Status(), prices_call.Latency()), ls}) {
      complete = complete && section.ok();
      *dossier.add_sections() = std::move(section);
    }
    dossier.set_complete(complete);
    *response = std::move(dossier);
    return absl::OkStatus();
  });
}

}  // namespace regenatlas::gateway
