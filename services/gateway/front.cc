#include "services/gateway/front.h"

#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/grpc_status.h"
#include "common/log.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/impl/codegen/server_callback_handlers.h"
#include "grpcpp/impl/rpc_service_method.h"

namespace regenatlas::gateway {
namespace {

using grpc::ByteBuffer;

// A reactor that ends the call at once with `status` (refused calls).
class Refused final : public grpc::ServerBidiReactor<ByteBuffer, ByteBuffer> {
 public:
  explicit Refused(const grpc::Status& status) { Finish(status); }
  void OnDone() override { delete this; }
};

std::string RandomPrefix() {
  std::random_device rd;
  return absl::StrFormat("%08x", rd());
}

}  // namespace

// One proto service whose every method is a raw bidi handler forwarding
// to the route's backend.
class Front::ForwardingService : public grpc::Service {
 public:
  ForwardingService(Front* front, const google::protobuf::ServiceDescriptor* descriptor,
                    size_t route) {
    for (int i = 0; i < descriptor->method_count(); ++i) {
      // RpcServiceMethod keeps the char pointer: the deque keeps it stable.
      paths_.push_back(absl::StrCat("/", descriptor->full_name(), "/", descriptor->method(i)->name()));
      const std::string& path = paths_.back();
      AddMethod(new grpc::internal::RpcServiceMethod(
          path.c_str(), grpc::internal::RpcMethod::BIDI_STREAMING, nullptr));
      MarkMethodRawCallback(
          i, new grpc::internal::CallbackBidiHandler<ByteBuffer, ByteBuffer>(
                 [front, path, route](grpc::CallbackServerContext* ctx) {
                   return front->NewCall(ctx, path, route);
                 }));
    }
  }

 private:
  std::deque<std::string> paths_;
};

// One forwarded call: the caller's stream on one side, the backend's on the
// other, one message in flight each way.
class Front::Call final : public grpc::ServerBidiReactor<ByteBuffer, ByteBuffer> {
 public:
  Call(Front* front, grpc::CallbackServerContext* ctx, std::string method, std::string backend,
       std::shared_ptr<grpc::Channel> channel, std::string request_id)
      : front_(front),
        ctx_(ctx),
        method_(std::move(method)),
        backend_label_(std::move(backend)),
        channel_(std::move(channel)),
        request_id_(std::move(request_id)),
        backend_(this),
        start_(absl::Now()) {}

  void Start() {
    // A child context: the caller's deadline and cancellation propagate.
    client_ctx_ = grpc::ClientContext::FromCallbackServerContext(*ctx_);
    client_ctx_->AddMetadata("x-request-id", request_id_);
    for (const char* forwarded : {"traceparent", "tracestate"}) {
      auto it = ctx_->client_metadata().find(forwarded);
      if (it != ctx_->client_metadata().end()) {
        client_ctx_->AddMetadata(forwarded, std::string(it->second.data(), it->second.size()));
      }
    }
    grpc::GenericStub stub(channel_);
    stub.PrepareBidiStreamingCall(client_ctx_.get(), method_, grpc::StubOptions(), &backend_);
    StartRead(&request_);
    backend_.StartRead(&response_);
    backend_.StartCall();
  }

  // Caller side. Once the backend call is done its reactor must not be
  // used again.
  void OnReadDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    if (backend_done_) return;
    if (ok) {
      backend_.StartWrite(&request_);
    } else {
      backend_.StartWritesDone();
    }
  }
  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      client_ctx_->TryCancel();
    } else if (!backend_done_) {
      backend_.StartRead(&response_);
    }
    MaybeFinishLocked();
  }
  void OnCancel() override {
    if (client_ctx_) client_ctx_->TryCancel();
  }
  void OnDone() override {
    if (front_->options_.observer) {
      front_->options_.observer(method_, backend_label_, status_.error_code(), absl::Now() - start_);
    }
    if (!status_.ok() && status_.error_code() != grpc::StatusCode::CANCELLED) {
      Log(LogLevel::kInfo, "call failed",
          {{"method", method_}, {"backend", backend_label_}, {"request_id", request_id_},
           {"code", absl::StrCat(status_.error_code())}, {"error", status_.error_message()}});
    }
    delete this;
  }

 private:
  // Backend side.
  class Backend final : public grpc::ClientBidiReactor<ByteBuffer, ByteBuffer> {
   public:
    explicit Backend(Call* call) : call_(call) {}
    void OnWriteDone(bool ok) override {
      absl::MutexLock lock(&call_->mu_);
      if (ok && !call_->finished_) call_->StartRead(&call_->request_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) return;  // no more responses; OnDone follows
      absl::MutexLock lock(&call_->mu_);
      call_->writing_ = true;
      call_->StartWrite(&call_->response_);
    }
    void OnDone(const grpc::Status& status) override {
      absl::MutexLock lock(&call_->mu_);
      call_->backend_done_ = true;
      call_->status_ = status;
      call_->MaybeFinishLocked();
    }

   private:
    Call* call_;
  };

  void MaybeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!backend_done_ || writing_ || finished_) return;
    finished_ = true;
    Finish(status_);
  }

  Front* const front_;
  grpc::CallbackServerContext* const ctx_;
  const std::string method_;
  const std::string backend_label_;
  std::shared_ptr<grpc::Channel> channel_;
  const std::string request_id_;
  std::unique_ptr<grpc::ClientContext> client_ctx_;
  Backend backend_;
  ByteBuffer request_;
  ByteBuffer response_;
  absl::Mutex mu_;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool backend_done_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status status_;
  const absl::Time start_;
};

Front::Front(FrontOptions options) : options_(std::move(options)), id_prefix_(RandomPrefix()) {
  if (options_.rate_limit_qps > 0) {
    limiter_ = std::make_unique<RateLimiter>(options_.rate_limit_qps, options_.rate_limit_burst,
                                             options_.clock);
  }
  absl::MutexLock lock(&mu_);
  channels_.resize(options_.routes.size());
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (size_t i = 0; i < options_.routes.size(); ++i) {
    const auto* descriptor = pool->FindServiceByName(options_.routes[i].service);
    if (descriptor == nullptr) {
      Log(LogLevel::kError, "unknown routed service", {{"service", options_.routes[i].service}});
      continue;
    }
    services_.push_back(std::make_unique<ForwardingService>(this, descriptor, i));
  }
}

Front::~Front() = default;

std::vector<grpc::Service*> Front::Services() {
  std::vector<grpc::Service*> out;
  for (auto& s : services_) out.push_back(s.get());
  return out;
}

std::shared_ptr<grpc::Channel> Front::ChannelFor(const std::string& service) {
  for (size_t i = 0; i < options_.routes.size(); ++i) {
    if (options_.routes[i].service != service) continue;
    absl::MutexLock lock(&mu_);
    if (channels_[i] == nullptr) channels_[i] = options_.routes[i].connect();
    return channels_[i];
  }
  return nullptr;
}

std::string Front::NextRequestId() {
  return absl::StrCat(id_prefix_, "-", next_id_.fetch_add(1));
}

grpc::ServerBidiReactor<ByteBuffer, ByteBuffer>* Front::NewCall(
    grpc::CallbackServerContext* context, const std::string& method, size_t route) {
  std::multimap<std::string, std::string> metadata;
  for (const auto& [k, v] : context->client_metadata()) {
    metadata.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
  }
  auto rid = metadata.find("x-request-id");
  const std::string request_id = rid != metadata.end() && !rid->second.empty() && rid->second.size() <= 128
                                     ? rid->second
                                     : NextRequestId();
  context->AddInitialMetadata("x-request-id", request_id);
  absl::StatusOr<Principal> principal = Authorize(options_.access, method, metadata);
  if (!principal.ok()) {
    if (options_.observer) {
      options_.observer(method, options_.routes[route].backend,
                        static_cast<grpc::StatusCode>(principal.status().code()), absl::ZeroDuration());
    }
    return new Refused(ToGrpcStatus(principal.status()));
  }
  if (limiter_ != nullptr) {
    // Anonymous callers are limited per peer address, others per key.
    // The peer's address without its port: every connection has a new port.
    std::string peer = context->peer();
    if (size_t colon = peer.rfind(':'); colon != std::string::npos && colon > peer.find(':')) {
      peer = peer.substr(0, colon);
    }
    const std::string client = principal->id == "anonymous" ? absl::StrCat("peer:", peer) : principal->id;
    absl::Duration retry_after;
    absl::Status admitted = limiter_->Admit(client, &retry_after);
    if (!admitted.ok()) {
      context->AddTrailingMetadata("retry-after-ms",
                                   absl::StrCat(absl::ToInt64Milliseconds(retry_after) + 1));
      if (options_.observer) {
        options_.observer(method, options_.routes[route].backend,
                          grpc::StatusCode::RESOURCE_EXHAUSTED, absl::ZeroDuration());
      }
      return new Refused(ToGrpcStatus(admitted));
    }
  }
  auto* call = new Call(this, context, method, options_.routes[route].backend,
                        ChannelFor(options_.routes[route].service), request_id);
  call->Start();
  return call;
}

grpc::ChannelArguments BackendChannelArguments(const std::vector<std::string>& services) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  args.SetInt(GRPC_ARG_ENABLE_RETRIES, 1);
  std::vector<std::string> names;
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  for (const std::string& service : services) {
    const auto* d = pool->FindServiceByName(service);
    if (d == nullptr) continue;
    for (int i = 0; i < d->method_count(); ++i) {
      const std::string& m = d->method(i)->name();
      if (d->method(i)->server_streaming()) continue;
      for (const char* read : {"Get", "List", "BatchGet", "Search", "Count", "Compute", "Resolve",
                               "Estimate", "Compare"}) {
        if (absl::StartsWith(m, read)) {
          names.push_back(absl::StrFormat(R"({"service":"%s","method":"%s"})", service, m));
          break;
        }
      }
    }
  }
  if (!names.empty()) {
    args.SetServiceConfigJSON(absl::StrCat(
        R"({"methodConfig":[{"name":[)", absl::StrJoin(names, ","),
        R"(],"retryPolicy":{"maxAttempts":3,"initialBackoff":"0.1s","maxBackoff":"1s",)"
        R"("backoffMultiplier":2,"retryableStatusCodes":["UNAVAILABLE"]}}]})"));
  }
  return args;
}

}  // namespace regenatlas::gateway
