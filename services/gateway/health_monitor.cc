#include "services/gateway/health_monitor.h"

#include "grpc/health/v1/health.grpc.pb.h"

namespace regenatlas::gateway {

using grpc::health::v1::HealthCheckResponse;

HealthMonitor::HealthMonitor(HealthService* target, std::vector<MonitoredBackend> backends,
                             absl::Duration interval)
    : target_(target), backends_(std::move(backends)), interval_(interval) {}

HealthMonitor::~HealthMonitor() { Stop(); }

void HealthMonitor::CheckOnce() {
  for (const MonitoredBackend& b : backends_) {
    auto stub = grpc::health::v1::Health::NewStub(b.channel());
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(interval_));
    grpc::health::v1::HealthCheckRequest req;
    req.set_service(b.service);
    HealthCheckResponse resp;
    grpc::Status s = stub->Check(&ctx, req, &resp);
    target_->SetStatus(b.service, s.ok() ? resp.status() : HealthCheckResponse::NOT_SERVING);
  }
}

void HealthMonitor::Start() {
  thread_ = std::thread([this] {
    do {
      CheckOnce();
    } while (!stop_.WaitForNotificationWithTimeout(interval_));
  });
}

void HealthMonitor::Stop() {
  if (!stop_.HasBeenNotified()) stop_.Notify();
  if (thread_.joinable()) thread_.join();
}

}  // namespace regenatlas::gateway
