#include "services/gateway/gateway_service.h"

#include <atomic>

#include <future>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/resource_name.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "regenatlas/analytics/v1/analytics_service.grpc.pb.h"
#include "regenatlas/catalog/v1/catalog_service.grpc.pb.h"
#include "regenatlas/timeline/v1/timeline_service.grpc.pb.h"

namespace regenatlas::gateway {

using grpc::health::v1::Health;
using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

GatewayService::GatewayService(GatewayOptions options)
    : options_(std::move(options)), channels_(options_.backends.size()) {}

std::shared_ptr<grpc::Channel> GatewayService::ChannelOf(size_t i) {
  absl::MutexLock lock(&mu_);
  if (channels_[i] == nullptr) channels_[i] = options_.backends[i].connect();
  return channels_[i];
}

grpc::ServerUnaryReactor* GatewayService::ListBackends(
    grpc::CallbackServerContext* context, const gateway::v1::ListBackendsRequest* request,
    gateway::v1::ListBackendsResponse* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const size_t n = options_.backends.size();
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
  struct State {
    std::vector<Check> checks;
    std::atomic<size_t> remaining;
    explicit State(size_t n) : checks(n), remaining(n) {}
  };
  auto state = std::make_shared<State>(n);
  auto deadline = context->deadline();
  const auto fallback = std::chrono::system_clock::now() +
                        absl::ToChronoMilliseconds(options_.default_deadline);
  if (deadline > fallback) deadline = fallback;
  for (size_t i = 0; i < n; ++i) {
    gateway::v1::Backend* b = response->add_backends();
    b->set_service(options_.backends[i].service);
    b->set_target(options_.backends[i].target);
  }
  for (size_t i = 0; i < n; ++i) {
    Check& check = state->checks[i];
    check.context.set_deadline(deadline);
    check.request.set_service(options_.backends[i].service);
    check.start = absl::Now();
    Health::Stub stub(ChannelOf(i));
    stub.async()->Check(&check.context, &check.request, &check.response,
                        [state, i, response, reactor](grpc::Status status) {
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
                          if (--state->remaining == 0) reactor->Finish(grpc::Status::OK);
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

constexpr char kCatalog[] = "regenatlas.catalog.v1.CatalogService";
constexpr char kTimeline[] = "regenatlas.timeline.v1.RegulatoryTimelineService";
constexpr char kAnalytics[] = "regenatlas.analytics.v1.MarketAnalyticsService";

// Runs one section's calls and records how it went.
template <typename Fn>
gateway::v1::DossierSection RunSection(const std::string& name, const std::string& backend,
                                       std::chrono::system_clock::time_point deadline, Fn fn) {
  gateway::v1::DossierSection section;
  section.set_name(name);
  section.set_backend(backend);
  const absl::Time start = absl::Now();
  grpc::Status s = fn(deadline);
  section.set_latency_micros(absl::ToInt64Microseconds(absl::Now() - start));
  section.set_ok(s.ok());
  if (!s.ok()) {
    static const char* kCodes[] = {"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT",
                                   "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
                                   "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
                                   "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL",
                                   "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"};
    const int c = static_cast<int>(s.error_code());
    section.set_code(c >= 0 && c <= 16 ? kCodes[c] : "UNKNOWN");
    section.set_error(s.error_message());
  }
  return section;
}

std::unique_ptr<grpc::ClientContext> ContextUntil(std::chrono::system_clock::time_point deadline) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(deadline);
  return ctx;
}

}  // namespace

grpc::ServerUnaryReactor* GatewayService::GetProductDossier(
    grpc::CallbackServerContext* context, const gateway::v1::GetProductDossierRequest* request,
    gateway::v1::ProductDossier* response) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  absl::StatusOr<std::string> id = ParseResourceName(request->product(), "products", "product");
  if (!id.ok()) {
    reactor->Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, std::string(id.status().message())));
    return reactor;
  }
  auto deadline = context->deadline();
  const auto cap = std::chrono::system_clock::now() + absl::ToChronoMilliseconds(options_.default_deadline * 5);
  if (deadline > cap) deadline = cap;
  const std::string product = request->product();
  std::shared_ptr<grpc::Channel> catalog = ChannelFor(kCatalog);
  std::shared_ptr<grpc::Channel> timeline = ChannelFor(kTimeline);
  std::shared_ptr<grpc::Channel> analytics = ChannelFor(kAnalytics);
  // The callback thread must not block: the sections run on a worker that
  // finishes the call.
  std::thread([=]() {
    gateway::v1::ProductDossier dossier;
    catalog::v1::Product product_record;
    auto product_section = std::async(std::launch::async, [&] {
      return RunSection("product", kCatalog, deadline, [&](auto d) {
        catalog::v1::GetProductRequest req;
        req.set_name(product);
        return catalog::v1::CatalogService::NewStub(catalog)->GetProduct(ContextUntil(d).get(), req,
                                                                          &product_record);
      });
    });
    std::vector<catalog::v1::Trial> trials;
    auto trials_section = std::async(std::launch::async, [&] {
      return RunSection("trials", kCatalog, deadline, [&](auto d) {
        catalog::v1::ListTrialsRequest req;
        req.set_filter(absl::StrCat("product = \"", product, "\""));
        req.set_page_size(1000);
        catalog::v1::ListTrialsResponse resp;
        grpc::Status s = catalog::v1::CatalogService::NewStub(catalog)->ListTrials(
            ContextUntil(d).get(), req, &resp);
        for (auto& t : *resp.mutable_trials()) trials.push_back(std::move(t));
        return s;
      });
    });
    timeline::v1::ProductTimeline product_timeline;
    auto timeline_section = std::async(std::launch::async, [&] {
      return RunSection("timeline", kTimeline, deadline, [&](auto d) {
        timeline::v1::GetProductTimelineRequest req;
        req.set_product(product);
        return timeline::v1::RegulatoryTimelineService::NewStub(timeline)->GetProductTimeline(
            ContextUntil(d).get(), req, &product_timeline);
      });
    });
    analytics::v1::ListPricePointsResponse prices;
    auto prices_section = std::async(std::launch::async, [&] {
      return RunSection("prices", kAnalytics, deadline, [&](auto d) {
        analytics::v1::ListPricePointsRequest req;
        req.set_filter(absl::StrCat("product = \"", product, "\""));
        req.set_page_size(1000);
        return analytics::v1::MarketAnalyticsService::NewStub(analytics)->ListPricePoints(
            ContextUntil(d).get(), req, &prices);
      });
    });
    gateway::v1::DossierSection ps = product_section.get();
    if (!ps.ok() && ps.code() == "NOT_FOUND") {
      trials_section.wait();
      timeline_section.wait();
      prices_section.wait();
      reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND, ps.error()));
      return;
    }
    // Landscapes need the product's indications.
    std::vector<analytics::v1::IndicationLandscape> landscapes;
    gateway::v1::DossierSection ls;
    if (ps.ok()) {
      ls = RunSection("landscapes", kAnalytics, deadline, [&](auto d) {
        auto stub = analytics::v1::MarketAnalyticsService::NewStub(analytics);
        for (const std::string& indication : product_record.indications()) {
          analytics::v1::GetIndicationLandscapeRequest req;
          req.set_indication(indication);
          req.set_page_size(100);
          analytics::v1::IndicationLandscape landscape;
          grpc::Status s = stub->GetIndicationLandscape(ContextUntil(d).get(), req, &landscape);
          if (!s.ok()) return s;
          landscapes.push_back(std::move(landscape));
        }
        return grpc::Status::OK;
      });
    } else {
      ls.set_name("landscapes");
      ls.set_backend(kAnalytics);
      ls.set_code("FAILED_PRECONDITION");
      ls.set_error("needs the product's indications, which the catalog did not return");
    }
    *dossier.mutable_product() = product_record;
    for (auto& t : trials) *dossier.add_trials() = std::move(t);
    *dossier.mutable_timeline() = product_timeline;
    for (auto& p : *prices.mutable_price_points()) *dossier.add_prices() = std::move(p);
    for (auto& l : landscapes) *dossier.add_landscapes() = std::move(l);
    bool complete = true;
    for (gateway::v1::DossierSection section :
         {ps, trials_section.get(), timeline_section.get(), prices_section.get(), ls}) {
      complete = complete && section.ok();
      *dossier.add_sections() = std::move(section);
    }
    dossier.set_complete(complete);
    *response = std::move(dossier);
    reactor->Finish(grpc::Status::OK);
  }).detach();
  return reactor;
}

}  // namespace regenatlas::gateway
