#include "services/gateway/front.h"

#include <optional>
#include <random>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/grpc_status.h"
#include "common/log.h"
#include "common/ref_counted.h"
#include "common/tsan.h"
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

// The grpc_type label of a method (metrics, access log).
const char* GrpcType(const google::protobuf::MethodDescriptor* m) {
  return m->client_streaming() ? (m->server_streaming() ? "bidi_stream" : "client_stream")
                               : (m->server_streaming() ? "server_stream" : "unary");
}

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
      paths_.push_back(
          absl::StrCat("/", descriptor->full_name(), "/", descriptor->method(i)->name()));
      const std::string& path = paths_.back();
      const google::protobuf::MethodDescriptor* m = descriptor->method(i);
      const char* type = GrpcType(m);
      if (!m->client_streaming() && !m->server_streaming()) {
        // Unary: gRPC reads the one request before the handler runs, and
        // the backend's answer is the whole response.
        AddMethod(new grpc::internal::RpcServiceMethod(
            path.c_str(), grpc::internal::RpcMethod::NORMAL_RPC, nullptr));
        MarkMethodRawCallback(
            i, new grpc::internal::CallbackUnaryHandler<ByteBuffer, ByteBuffer>(
                   [front, path, route](grpc::CallbackServerContext* ctx, const ByteBuffer* request,
                                        ByteBuffer* response) {
                     return front->NewUnaryCall(ctx, path, route, request, response);
                   }));
        continue;
      }
      AddMethod(new grpc::internal::RpcServiceMethod(
          path.c_str(), grpc::internal::RpcMethod::BIDI_STREAMING, nullptr));
      MarkMethodRawCallback(i, new grpc::internal::CallbackBidiHandler<ByteBuffer, ByteBuffer>(
                                   [front, path, route, type](grpc::CallbackServerContext* ctx) {
                                     return front->NewCall(ctx, path, route, type);
                                   }));
    }
  }

 private:
  std::deque<std::string> paths_;
};

// One forwarded call: the caller's stream on one side, the backend's on the
// other, one message in flight each way. Lifetime (common/ref_counted.h):
// gRPC's server-side reference is dropped in OnDone, the backend reactor's
// in Backend::OnDone; whichever comes last frees the call, so neither half
// can outlive the other's state. The observers hear of the call when it is
// freed, i.e. with both halves' outcomes.
class Front::Call final : public grpc::ServerBidiReactor<ByteBuffer, ByteBuffer>,
                          public RefCounted {
 public:
  Call(Front* front, grpc::CallbackServerContext* ctx, CallRecord record,
       std::shared_ptr<grpc::Channel> channel, bool streaming, absl::Time start)
      : front_(front),
        ctx_(ctx),
        channel_(std::move(channel)),
        streaming_(streaming),
        observers_(front->observers_),
        backend_(this),
        start_(start),
        record_(std::move(record)) {}

  ~Call() override {
    // Last reference: no reaction runs any more.
    absl::MutexLock lock(&mu_);
    record_.status = sent_;
    record_.latency = absl::Now() - start_;
    for (const auto& observer : *observers_) observer->OnDone(record_);
  }

  void Start() {
    // gRPC hands this object to other threads invisibly for TSan; every
    // reaction acquires what construction and Start published.
    TsanRelease(this);
    absl::MutexLock lock(&mu_);
    if (finished_) return;  // aborted by a shutdown before it started
    // The caller's deadline goes to the backend; cancellation follows
    // through OnCancel.
    client_ctx_.set_deadline(ctx_->deadline());
    client_ctx_.AddMetadata("x-request-id", record_.request_id);
    for (const char* forwarded : {"traceparent", "tracestate", "baggage"}) {
      auto it = ctx_->client_metadata().find(forwarded);
      if (it != ctx_->client_metadata().end()) {
        client_ctx_.AddMetadata(forwarded, std::string(it->second.data(), it->second.size()));
      }
    }
    grpc::GenericStub stub(channel_);
    Ref();  // the backend reactor's reference, dropped in Backend::OnDone
    stub.PrepareBidiStreamingCall(&client_ctx_, record_.method, grpc::StubOptions(), &backend_);
    // Backend operations are started from the caller side's reactions, i.e.
    // from outside the backend reactor's own: gRPC requires a hold so that
    // the backend call cannot complete (and free its state) while one is
    // being started. Released once neither direction starts any more.
    backend_.AddHold();
    hold_ = true;
    StartRead(&request_);
    backend_.StartRead(&response_);
    backend_.StartCall();
  }

  // Ends the call at once with UNAVAILABLE (shutdown of a streaming call).
  void Abort(const grpc::Status& status) {
    TsanAcquire(this);
    absl::MutexLock lock(&mu_);
    if (finished_) return;
    abort_ = status;
    client_ctx_.TryCancel();
    if (!writing_) FinishLocked(status);
  }

  // Caller side.
  void OnReadDone(bool ok) override {
    TsanAcquire(this);
    absl::MutexLock lock(&mu_);
    if (ok && !finished_ && !writes_closed_) {
      ++record_.messages_received;
      backend_.StartWrite(&request_);
      return;
    }
    if (!writes_closed_) {
      writes_closed_ = true;
      if (!ok && !finished_) backend_.StartWritesDone();
    }
    MaybeReleaseHoldLocked();
  }
  void OnWriteDone(bool ok) override {
    TsanAcquire(this);
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (ok) ++record_.messages_sent;
    if (!ok || abort_.has_value()) {
      if (!ok) client_ctx_.TryCancel();
      reads_closed_ = true;
      if (abort_.has_value()) FinishLocked(*abort_);
      MaybeReleaseHoldLocked();
      return;
    }
    if (!reads_closed_) backend_.StartRead(&response_);
    MaybeFinishLocked();
  }
  void OnCancel() override {
    TsanAcquire(this);
    {
      absl::MutexLock lock(&mu_);
      caller_cancelled_ = true;
    }
    client_ctx_.TryCancel();
  }
  void OnDone() override {
    TsanAcquire(this);
    front_->CallDone(this, streaming_);
    Unref();
  }

 private:
  // Backend side.
  class Backend final : public grpc::ClientBidiReactor<ByteBuffer, ByteBuffer> {
   public:
    explicit Backend(Call* call) : call_(call) {}
    void OnWriteDone(bool ok) override {
      TsanAcquire(call_);
      absl::MutexLock lock(&call_->mu_);
      if (ok && !call_->finished_) {
        call_->StartRead(&call_->request_);
        return;
      }
      call_->writes_closed_ = true;
      call_->MaybeReleaseHoldLocked();
    }
    void OnReadDone(bool ok) override {
      TsanAcquire(call_);
      absl::MutexLock lock(&call_->mu_);
      if (ok && !call_->finished_) {
        call_->writing_ = true;
        call_->StartWrite(&call_->response_);
        return;
      }
      // No more responses (or nobody to send them to).
      call_->reads_closed_ = true;
      call_->MaybeReleaseHoldLocked();
    }
    void OnDone(const grpc::Status& status) override {
      Call* call = call_;
      TsanAcquire(call);
      {
        absl::MutexLock lock(&call->mu_);
        call->backend_done_ = true;
        call->record_.forwarded = true;
        call->record_.backend_code = status.error_code();
        call->status_ = status;
        // CANCELLED that the caller did not ask for comes from the backend
        // going away (shutdown): the caller may retry elsewhere.
        if (status.error_code() == grpc::StatusCode::CANCELLED && !call->caller_cancelled_) {
          call->status_ = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                       "backend dropped the call (shutting down?); retry");
        }
        call->MaybeFinishLocked();
      }
      call->Unref();
    }

   private:
    Call* const call_;
  };

  void MaybeReleaseHoldLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!hold_ || !reads_closed_ || !writes_closed_) return;
    hold_ = false;
    backend_.RemoveHold();  // the backend may now complete: OnDone follows
  }

  void MaybeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!backend_done_ || writing_ || finished_) return;
    // The backend's trailers (e.g. x-resume-token) reach the caller.
    for (const auto& [key, value] : client_ctx_.GetServerTrailingMetadata()) {
      // grpc-* trailers (status, message, details) travel in status_.
      if (absl::StartsWith(absl::string_view(key.data(), key.size()), "grpc-")) continue;
      ctx_->AddTrailingMetadata(std::string(key.data(), key.size()),
                                std::string(value.data(), value.size()));
    }
    FinishLocked(status_);
  }

  void FinishLocked(const grpc::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    finished_ = true;
    sent_ = status;
    Finish(status);
  }

  Front* const front_;
  // Valid until OnDone (owned by gRPC); used only before Finish.
  grpc::CallbackServerContext* const ctx_;
  std::shared_ptr<grpc::Channel> channel_;
  const bool streaming_;
  const std::shared_ptr<const std::vector<std::shared_ptr<CallObserver>>> observers_;
  grpc::ClientContext client_ctx_;
  Backend backend_;
  absl::Mutex mu_;
  ByteBuffer request_ ABSL_GUARDED_BY(mu_);
  ByteBuffer response_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool backend_done_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool caller_cancelled_ ABSL_GUARDED_BY(mu_) = false;
  // The backend hold (see Start) and what keeps it.
  bool hold_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_closed_ ABSL_GUARDED_BY(mu_) = false;
  bool writes_closed_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> abort_ ABSL_GUARDED_BY(mu_);
  grpc::Status status_ ABSL_GUARDED_BY(mu_);
  grpc::Status sent_ ABSL_GUARDED_BY(mu_);
  const absl::Time start_;
  CallRecord record_ ABSL_GUARDED_BY(mu_);
};

Front::Front(FrontOptions options)
    : options_(std::move(options)),
      observers_(
          std::make_shared<const std::vector<std::shared_ptr<CallObserver>>>(options_.observers)),
      id_prefix_(RandomPrefix()) {
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
    if (options_.routes[i].local) {
      for (int m = 0; m < descriptor->method_count(); ++m) {
        local_methods_[absl::StrCat("/", descriptor->full_name(), "/",
                                    descriptor->method(m)->name())] = {
            i, GrpcType(descriptor->method(m))};
      }
      continue;
    }
    services_.push_back(std::make_unique<ForwardingService>(this, descriptor, i));
  }
}

Front::~Front() {
  // Orders this destruction after the last CallDone visibly (the server's
  // shutdown already did, through gRPC's uninstrumented synchronisation).
  absl::MutexLock lock(&mu_);
}

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

std::string Front::NextRequestId() { return absl::StrCat(id_prefix_, "-", next_id_.fetch_add(1)); }

std::optional<grpc::Status> Front::Admit(grpc::ServerContextBase* context, size_t route,
                                         absl::Time start, CallRecord* record) {
  for (const auto& observer : *observers_) observer->OnStart(record->method, record->grpc_type);
  std::multimap<std::string, std::string> metadata;
  for (const auto& [k, v] : context->client_metadata()) {
    metadata.emplace(std::string(k.data(), k.size()), std::string(v.data(), v.size()));
  }
  record->backend = options_.routes[route].backend;
  record->peer = context->peer();
  auto rid = metadata.find("x-request-id");
  record->request_id = rid != metadata.end() && !rid->second.empty() && rid->second.size() <= 128
                           ? rid->second
                           : NextRequestId();
  context->AddInitialMetadata("x-request-id", record->request_id);
  auto refuse = [&](const absl::Status& status) {
    record->status = ToGrpcStatus(status);
    record->latency = absl::Now() - start;
    for (const auto& observer : *observers_) observer->OnDone(*record);
    return record->status;
  };
  if (draining_.load()) {
    return refuse(absl::UnavailableError("server shutting down; retry on another replica"));
  }
  absl::StatusOr<Principal> principal = Authorize(options_.access, record->method, metadata);
  if (!principal.ok()) return refuse(principal.status());
  record->role = principal->id == "anonymous" ? "anonymous" : RoleName(principal->role);
  if (limiter_ != nullptr) {
    // Anonymous callers are limited per peer address, others per key.
    // The peer's address without its port: every connection has a new port.
    std::string peer = record->peer;
    if (size_t colon = peer.rfind(':'); colon != std::string::npos && colon > peer.find(':')) {
      peer = peer.substr(0, colon);
    }
    const std::string client =
        principal->id == "anonymous" ? absl::StrCat("peer:", peer) : principal->id;
    absl::Duration retry_after;
    absl::Status admitted = limiter_->Admit(client, &retry_after);
    if (!admitted.ok()) {
      context->AddTrailingMetadata("retry-after-ms",
                                   absl::StrCat(absl::ToInt64Milliseconds(retry_after) + 1));
      return refuse(admitted);
    }
  }
  // Admission: a bounded number of forwarded calls at a time, so that a
  // flood of callers costs a refusal each, not memory.
  if (in_flight_.fetch_add(1) >= options_.max_concurrent_calls) {
    in_flight_.fetch_sub(1);
    return refuse(absl::ResourceExhaustedError(
        absl::StrCat("server busy: ", options_.max_concurrent_calls,
                     " calls in flight (max_concurrent_calls); retry later")));
  }
  return std::nullopt;
}

grpc::ServerBidiReactor<ByteBuffer, ByteBuffer>* Front::NewCall(
    grpc::CallbackServerContext* context, const std::string& method, size_t route,
    const char* grpc_type) {
  const absl::Time start = absl::Now();
  CallRecord record;
  record.method = method;
  record.grpc_type = grpc_type;
  if (std::optional<grpc::Status> refused = Admit(context, route, start, &record)) {
    return new Refused(*refused);
  }
  const bool streaming = absl::string_view(grpc_type) != "unary";
  auto* call = new Call(this, context, std::move(record),
                        ChannelFor(options_.routes[route].service), streaming, start);
  if (streaming) {
    absl::MutexLock lock(&mu_);
    streams_.insert(call);
  }
  call->Start();
  return call;
}

void Front::CallDone(Call* call, bool streaming) {
  if (streaming) {
    absl::MutexLock lock(&mu_);
    streams_.erase(call);
  }
  ReleaseSlot();
}

void Front::StopAccepting() { draining_.store(true); }

bool Front::WaitForStreams(absl::Time deadline) {
  absl::MutexLock lock(&mu_);
  auto none = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return streams_.empty(); };
  return mu_.AwaitWithDeadline(absl::Condition(&none), deadline);
}

void Front::AbortStreams() {
  absl::MutexLock lock(&mu_);
  // Streams would hold the process for the whole grace period: they end
  // now, and the caller resumes elsewhere from the last token it received.
  for (Call* call : streams_) {
    call->Abort(grpc::Status(grpc::StatusCode::UNAVAILABLE,
                             "server shutting down; reconnect and resume with the last "
                             "resume_token received"));
  }
}

void Front::Drain() {
  StopAccepting();
  AbortStreams();
}

grpc::ChannelArguments BackendChannelArguments(const std::vector<std::string>& services) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  // Not GRPC_ARG_MIN_RECONNECT_BACKOFF_MS: gRPC also uses it as the connect
  // timeout, and 200 ms aborted handshakes on a loaded machine ("tcp
  // handshaker shutdown").
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
