// The front's path for unary methods (front.h): one raw unary call to the
// backend per call, where the streaming path (front.cc) needs a bidi stream
// on each side and a dozen operations for the same one request and answer.

#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "common/ref_counted.h"
#include "common/tsan.h"
#include "grpcpp/generic/generic_stub.h"
#include "services/gateway/front.h"

namespace regenatlas::gateway {

using grpc::ByteBuffer;

// One forwarded unary call. The caller's request buffer (gRPC's until
// OnDone, which cannot come before Finish) is sent as is; the backend
// writes its answer straight into the caller's response buffer. Lifetime
// (common/ref_counted.h): gRPC's server-side reference is dropped in
// OnDone, the backend callback's when it has finished the call; the last
// one frees the call and tells the observers, with both outcomes.
class Front::UnaryCall final : public grpc::ServerUnaryReactor, public RefCounted {
 public:
  UnaryCall(Front* front, grpc::CallbackServerContext* ctx, CallRecord record, absl::Time start)
      : front_(front),
        ctx_(ctx),
        observers_(front->observers_),
        start_(start),
        record_(std::move(record)) {}

  ~UnaryCall() override {
    absl::MutexLock lock(&mu_);
    record_.status = sent_;
    record_.latency = absl::Now() - start_;
    for (const auto& observer : *observers_) observer->OnDone(record_);
  }

  void Start(std::shared_ptr<grpc::Channel> channel, const ByteBuffer* request,
             ByteBuffer* response) {
    // gRPC hands this object to other threads invisibly for TSan; every
    // reaction acquires what construction and Start published.
    std::string method;
    {
      absl::MutexLock lock(&mu_);
      client_ctx_.set_deadline(ctx_->deadline());
      client_ctx_.AddMetadata("x-request-id", record_.request_id);
      for (const char* forwarded : {"traceparent", "tracestate", "baggage"}) {
        auto it = ctx_->client_metadata().find(forwarded);
        if (it != ctx_->client_metadata().end()) {
          client_ctx_.AddMetadata(forwarded, std::string(it->second.data(), it->second.size()));
        }
      }
      record_.messages_received = 1;
      method = record_.method;
      response_ = response;
      // A raw request buffer can be without slices (a call cancelled before
      // its message arrived: gRPC still runs a ByteBuffer handler), and
      // sending one aborts the process ("API misuse ... INVALID_MESSAGE",
      // found by e2e_stress): send one empty slice instead. The same below
      // for answers.
      if (!request->Valid()) {
        grpc::Slice empty;
        empty_request_ = ByteBuffer(&empty, 1);
        request = &empty_request_;
      }
    }
    Ref();  // the backend callback's reference, dropped in OnBackendDone
    TsanRelease(this);
    // Not under mu_: the callback may run on this thread before UnaryCall
    // returns (a channel that fails at once).
    grpc::GenericStub(std::move(channel))
        .UnaryCall(&client_ctx_, method, grpc::StubOptions(), request, response,
                   [this](grpc::Status status) { OnBackendDone(std::move(status)); });
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
    front_->ReleaseSlot();
    Unref();
  }

 private:
  void OnBackendDone(grpc::Status status) {
    TsanAcquire(this);
    {
      absl::MutexLock lock(&mu_);
      record_.forwarded = true;
      record_.backend_code = status.error_code();
      // CANCELLED that the caller did not ask for comes from the backend
      // going away (shutdown): the caller may retry elsewhere.
      if (status.error_code() == grpc::StatusCode::CANCELLED && !caller_cancelled_) {
        status = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                              "backend dropped the call (shutting down?); retry");
      }
      if (status.ok()) {
        record_.messages_sent = 1;
        // An answer without slices, as in Start.
        if (!response_->Valid()) {
          grpc::Slice empty;
          *response_ = ByteBuffer(&empty, 1);
        }
      }
      // The backend's trailers reach the caller; grpc-* ones (status,
      // message, details) travel in the status.
      for (const auto& [key, value] : client_ctx_.GetServerTrailingMetadata()) {
        if (absl::StartsWith(absl::string_view(key.data(), key.size()), "grpc-")) continue;
        ctx_->AddTrailingMetadata(std::string(key.data(), key.size()),
                                  std::string(value.data(), value.size()));
      }
      sent_ = status;
      Finish(status);
    }
    Unref();
  }

  Front* const front_;
  // Valid until OnDone (owned by gRPC); used only before Finish.
  grpc::CallbackServerContext* const ctx_;
  const std::shared_ptr<const std::vector<std::shared_ptr<CallObserver>>> observers_;
  grpc::ClientContext client_ctx_;
  // The caller's response buffer (gRPC's until OnDone).
  ByteBuffer* response_ = nullptr;
  // Sent instead of an empty request buffer; outlives the backend call.
  ByteBuffer empty_request_;
  const absl::Time start_;
  absl::Mutex mu_;
  bool caller_cancelled_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status sent_ ABSL_GUARDED_BY(mu_);
  CallRecord record_ ABSL_GUARDED_BY(mu_);
};

grpc::ServerUnaryReactor* Front::NewUnaryCall(grpc::CallbackServerContext* context,
                                              const std::string& method, size_t route,
                                              const ByteBuffer* request, ByteBuffer* response) {
  const absl::Time start = absl::Now();
  CallRecord record;
  record.method = method;
  record.grpc_type = "unary";
  if (std::optional<grpc::Status> refused = Admit(context, route, start, &record)) {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(*refused);
    return reactor;
  }
  auto* call = new UnaryCall(this, context, std::move(record), start);
  call->Start(ChannelFor(options_.routes[route].service), request, response);
  return call;
}

}  // namespace regenatlas::gateway
