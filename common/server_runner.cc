#include "common/server_runner.h"

#include <csignal>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"

namespace regenatlas {

using grpc::health::v1::HealthCheckResponse;

ServerRunner::ServerRunner(ServerOptions options) : options_(std::move(options)) {}

ServerRunner::~ServerRunner() { Shutdown(); }

void ServerRunner::AddService(grpc::Service* service, const std::string& health_name,
                              bool serving_at_start) {
  services_.push_back({service, health_name, serving_at_start});
}

void ServerRunner::AddShutdownHook(std::function<void()> hook) {
  shutdown_hooks_.push_back(std::move(hook));
}

absl::Status ServerRunner::Start() {
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  // gRPC enables SO_REUSEPORT by default, which would let a second server
  // share a port already in use instead of failing at startup.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  if (!options_.listen.empty()) {
    builder.AddListeningPort(options_.listen,
                             options_.credentials ? options_.credentials
                                                  : grpc::InsecureServerCredentials(),
                             &port_);
  }
  builder.RegisterService(&health_);
  for (const Registered& r : services_) builder.RegisterService(r.service);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || (!options_.listen.empty() && port_ == 0)) {
    server_.reset();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.listen));
  }
  health_.SetStatus("", HealthCheckResponse::SERVING);
  for (const Registered& r : services_) {
    health_.SetStatus(r.name, r.serving_at_start ? HealthCheckResponse::SERVING
                                                 : HealthCheckResponse::NOT_SERVING);
  }
  if (!options_.listen.empty()) {
    Log(LogLevel::kInfo, "server listening",
        {{"address", options_.listen}, {"port", absl::StrCat(port_)}});
  }
  return absl::OkStatus();
}

std::shared_ptr<grpc::Channel> ServerRunner::InProcessChannel() {
  return server_->InProcessChannel(grpc::ChannelArguments());
}

void ServerRunner::Shutdown() {
  if (server_ == nullptr || shut_down_) return;
  shut_down_ = true;
  health_.Shutdown();
  for (const auto& hook : shutdown_hooks_) hook();
  Log(LogLevel::kInfo, "shutting down",
      {{"grace", absl::FormatDuration(options_.shutdown_grace)}});
  server_->Shutdown(std::chrono::system_clock::now() +
                    absl::ToChronoMilliseconds(options_.shutdown_grace));
  server_->Wait();
  Log(LogLevel::kInfo, "server stopped");
}

namespace {
sigset_t TerminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}
}  // namespace

void BlockTerminationSignals() {
  sigset_t set = TerminationSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForTerminationSignal() {
  sigset_t set = TerminationSignals();
  int sig = 0;
  while (sigwait(&set, &sig) != 0) {
  }
  return sig;
}

}  // namespace regenatlas
