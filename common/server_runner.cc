#include "common/server_runner.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"
#include "common/log.h"
#include "common/tsan.h"
#include "google/protobuf/descriptor.h"
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
  CallInterceptor(const ServerCallObserver* observer, bool log_failures,
                  const std::set<std::string>* served, std::string method, void* handlers_sync)
      : handlers_sync_(handlers_sync),
        observer_(observer),
        log_failures_(log_failures),
        served_(served),
        method_(std::move(method)),
        start_(absl::Now()) {
    // gRPC creates, runs and destroys an interceptor on different threads,
    // ordered only by its own (uninstrumented) synchronisation: these
    // annotations make that order visible to ThreadSanitizer.
    TsanRelease(this);
  }
  ~CallInterceptor() override { TsanAcquire(this); }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    TsanAcquire(this);
    InterceptOnce(methods);
    TsanRelease(this);
    // The call may end (and this interceptor go) inside Proceed.
    void* const handlers_sync = handlers_sync_;
    methods->Proceed();
    // The method handler runs inside Proceed and uses the service object;
    // ServerRunner::Shutdown acquires this before anyone destroys services
    // (gRPC's own ordering of the two is invisible to ThreadSanitizer).
    TsanRelease(handlers_sync);
  }

 private:
  void* const handlers_sync_;
  void InterceptOnce(grpc::experimental::InterceptorBatchMethods* methods) {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* metadata = methods->GetRecvInitialMetadata();
      if (metadata != nullptr) {
        auto it = metadata->find("x-request-id");
        if (it != metadata->end()) request_id_.assign(it->second.data(), it->second.size());
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      // gRPC answers a request it cannot deserialize with a bare
      // UNIMPLEMENTED; for a method we serve, that is a bad request.
      if (status.error_code() == grpc::StatusCode::UNIMPLEMENTED &&
          status.error_message().empty()) {
        const auto* pool = google::protobuf::DescriptorPool::generated_pool();
        const std::string full = method_.size() > 1 ? method_.substr(1) : method_;
        const size_t slash = full.rfind('/');
        const auto* m = slash == std::string::npos
                            ? nullptr
                            : pool->FindMethodByName(
                                  absl::StrCat(full.substr(0, slash), ".", full.substr(slash + 1)));
        if (m != nullptr && served_->count(m->service()->full_name()) > 0) {
          status = ToGrpcStatus(absl::InvalidArgumentError(
              absl::StrCat("request: cannot be parsed as ", m->input_type()->full_name())));
          methods->ModifySendStatus(status);
        }
      }
      if (observer_ != nullptr && *observer_) {
        (*observer_)(method_, status.error_code(), absl::Now() - start_);
      }
      if (log_failures_ && !status.ok() && status.error_code() != grpc::StatusCode::CANCELLED) {
        Log(LogLevel::kInfo, "call failed",
            {{"method", method_},
             {"request_id", request_id_},
             {"code", absl::StrCat(status.error_code())},
             {"error", std::string(absl::string_view(status.error_message()).substr(0, 300))}});
      }
    }
  }

  const ServerCallObserver* observer_;
  const bool log_failures_;
  const std::set<std::string>* served_;
  const std::string method_;
  const absl::Time start_;
  std::string request_id_;
};

class CallInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  CallInterceptorFactory(const ServerCallObserver* observer, bool log_failures,
                         const std::set<std::string>* served, void* handlers_sync)
      : observer_(observer),
        log_failures_(log_failures),
        served_(served),
        handlers_sync_(handlers_sync) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new CallInterceptor(observer_, log_failures_, served_, info->method(), handlers_sync_);
  }

 private:
  const ServerCallObserver* observer_;
  const bool log_failures_;
  const std::set<std::string>* served_;
  void* const handlers_sync_;
};

}  // namespace

ServerRunner::ServerRunner(ServerOptions options) : options_(std::move(options)) {}

ServerRunner::~ServerRunner() { Shutdown(); }

void ServerRunner::AddService(grpc::Service* service, const std::string& health_name,
                              bool serving_at_start) {
  services_.push_back({service, health_name, serving_at_start});
  if (!health_name.empty()) served_.insert(health_name);
}

void ServerRunner::AddInterceptorFactory(
    std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface> factory) {
  interceptor_factories_.push_back(std::move(factory));
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
  builder.AddChannelArgument(GRPC_ARG_MAX_CONCURRENT_STREAMS, options_.max_concurrent_streams);
  builder.SetMaxReceiveMessageSize(options_.max_receive_message_bytes);
  if (options_.max_connection_age > absl::ZeroDuration()) {
    const int ms = static_cast<int>(absl::ToInt64Milliseconds(options_.max_connection_age));
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_MS, ms);
    builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_AGE_GRACE_MS, ms);
  }
  if (!options_.listen.empty()) {
    builder.AddListeningPort(
        options_.listen,
        options_.credentials ? options_.credentials : grpc::InsecureServerCredentials(), &port_);
  }
  // The local socket: only this user can enter the directory.
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern =
      absl::StrCat(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp", "/regenatlas-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::InternalError(absl::StrCat(
        "cannot create a private directory for the local socket: ", std::strerror(errno)));
  }
  socket_dir_ = pattern;
  const std::string local_address = absl::StrCat("unix:", socket_dir_, "/grpc.sock");
  int local_port = 0;
  builder.AddListeningPort(local_address, grpc::InsecureServerCredentials(), &local_port);
  {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
    creators.push_back(std::make_unique<CallInterceptorFactory>(
        &options_.observer, options_.log_failures, &served_, &handlers_sync_));
    for (auto& factory : interceptor_factories_) creators.push_back(std::move(factory));
    interceptor_factories_.clear();
    builder.experimental().SetInterceptorCreators(std::move(creators));
  }
  builder.RegisterService(&health_);
  for (const Registered& r : services_) builder.RegisterService(r.service);
  server_ = builder.BuildAndStart();
  if (server_ == nullptr || (!options_.listen.empty() && port_ == 0) || local_port == 0) {
    server_.reset();
    RemoveSocketDir();
    return absl::UnavailableError(absl::StrCat("cannot listen on ", options_.listen));
  }
  grpc::ChannelArguments local_args;
  local_args.SetInt(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, 64 << 20);
  local_ = grpc::CreateCustomChannel(local_address, grpc::InsecureChannelCredentials(), local_args);
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

std::shared_ptr<grpc::Channel> ServerRunner::LocalChannel() { return local_; }

void ServerRunner::RemoveSocketDir() {
  if (socket_dir_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(socket_dir_, ignored);
  socket_dir_.clear();
}

void ServerRunner::Shutdown() { Shutdown(absl::Now() + options_.shutdown_grace); }

void ServerRunner::Shutdown(absl::Time deadline) {
  if (server_ == nullptr || shut_down_) return;
  shut_down_ = true;
  health_.Shutdown();
  for (const auto& hook : shutdown_hooks_) hook();
  server_->Shutdown(absl::ToChronoTime(deadline));
  server_->Wait();
  server_.reset();
  TsanAcquire(&handlers_sync_);
  RemoveSocketDir();
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
