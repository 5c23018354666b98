#include "common/server_runner.h"

#include <csignal>

#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/support/server_interceptor.h"

namespace regenatlas {

using grpc::health::v1::HealthCheckResponse;

namespace {

// Logs every failed call with the request id the caller (the public face)
// sent in x-request-id, and reports method, status and latency to the
// observer when there is one.
class CallInterceptor : public grpc::experimental::Interceptor {
 public:
  CallInterceptor(const ServerCallObserver* observer, std::string method)
      : observer_(observer), method_(std::move(method)), start_(absl::Now()) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* metadata = methods->GetRecvInitialMetadata();
      if (metadata != nullptr) {
        auto it = metadata->find("x-request-id");
        if (it != metadata->end()) request_id_.assign(it->second.data(), it->second.size());
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      const grpc::Status status = methods->GetSendStatus();
      if (observer_ != nullptr && *observer_) {
        (*observer_)(method_, status.error_code(), absl::Now() - start_);
      }
      if (!status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
        Log(LogLevel::kInfo, "call failed",
            {{"method", method_}, {"request_id", request_id_},
             {"code", absl::StrCat(status.error_code())}, {"error", status.error_message()}});
      }
    }
    methods->Proceed();
  }

 private:
  const ServerCallObserver* observer_;
  const std::string method_;
  const absl::Time start_;
  std::string request_id_;
};

class CallInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit CallInterceptorFactory(const ServerCallObserver* observer) : observer_(observer) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CallInterceptor(observer_, info->method());
  }

 private:
  const ServerCallObserver* observer_;
};

}  // namespace

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
  {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(std::make_unique<CallInterceptorFactory>(&options_.observer));
    builder.experimental().SetInterceptorCreators(std::move(creators));
  }
  builder.RegisterService(&health_);
  for (const Registered& r : services_) builder.RegisterService(r.service);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || (!options_.listen.empty() && port_ == 0)) {
    server_.reset();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.listen));
  }
  in_process_ = server_->InProcessChannel(grpc::ChannelArguments());
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

std::shared_ptr<grpc::Channel> ServerRunner::InProcessChannel() { return in_process_; }

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
  server_.reset();
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
