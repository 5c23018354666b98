// The front's admission for services registered on its own server
// (Route::local): no forwarding hop. A server interceptor makes the same
// decision as the forwarding path (Front::Admit) when the caller's metadata
// arrives; a refusal is recorded for the handler to finish the call with
// (common/call_gate.h), and an admitted call holds its slot and is reported
// to the observers when it ends.

#include <map>
#include <memory>
#include <optional>

#include "common/call_gate.h"
#include "common/tsan.h"
#include "services/gateway/front.h"

namespace regenatlas::gateway {

using grpc::experimental::InterceptionHookPoints;

// One call of a local method. gRPC creates it with the call, runs
// Intercept at each hook on its threads (never two at once) and destroys
// it with the call's context, after the last hook.
class Front::LocalCall final : public grpc::experimental::Interceptor {
 public:
  LocalCall(Front* front, grpc::experimental::ServerRpcInfo* info, size_t route,
            const char* grpc_type)
      : front_(front),
        context_(info->server_context()),
        route_(route),
        observers_(front->observers_),
        start_(absl::Now()) {
    record_.method = info->method();
    record_.grpc_type = grpc_type;
    // gRPC's hand-offs between its threads are invisible to ThreadSanitizer.
    TsanRelease(this);
  }

  ~LocalCall() override {
    TsanAcquire(this);
    if (refused_) ForgetRefusal(context_);  // the handler may not have run
    if (!admitted_) return;                 // Admit told the observers
    record_.status = status_;
    record_.latency = absl::Now() - start_;
    record_.forwarded = true;
    record_.backend_code = status_.error_code();
    for (const auto& observer : *observers_) observer->OnDone(record_);
    front_->ReleaseSlot();
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    TsanAcquire(this);
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      Enter(methods->GetRecvInitialMetadata());
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      ++record_.messages_received;
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_MESSAGE)) {
      ++record_.messages_sent;
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      status_ = methods->GetSendStatus();
    }
    TsanRelease(this);
    methods->Proceed();
  }

 private:
  void Enter(std::multimap<grpc::string_ref, grpc::string_ref>* metadata) {
    std::optional<grpc::Status> refused = front_->Admit(context_, route_, start_, &record_);
    if (refused.has_value()) {
      refused_ = true;
      RefuseCall(context_, *std::move(refused));
      return;
    }
    admitted_ = true;
    // The handler reads the request id from the caller's metadata
    // (common/call_context.h): make it the one Admit chose and returned to
    // the caller, as the forwarding path sends it to the backend. The map
    // is the context's; record_ outlives the handler.
    if (metadata == nullptr) return;
    auto it = metadata->find("x-request-id");
    if (it != metadata->end() && it->second == record_.request_id) return;
    metadata->erase("x-request-id");
    metadata->emplace("x-request-id", record_.request_id);
  }

  Front* const front_;
  // Only a key for the refusal table (the context owns this interceptor).
  grpc::ServerContextBase* const context_;
  const size_t route_;
  const std::shared_ptr<const std::vector<std::shared_ptr<CallObserver>>> observers_;
  const absl::Time start_;
  CallRecord record_;
  grpc::Status status_{grpc::StatusCode::CANCELLED, "call ended without a status"};
  bool admitted_ = false;
  bool refused_ = false;
};

class Front::LocalFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit LocalFactory(Front* front) : front_(front) {}

  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    auto it = front_->local_methods_.find(absl::string_view(info->method()));
    if (it == front_->local_methods_.end()) return nullptr;
    return new LocalCall(front_, info, it->second.route, it->second.grpc_type);
  }

 private:
  Front* const front_;
};

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
Front::LocalInterceptorFactory() {
  return std::make_unique<LocalFactory>(this);
}

}  // namespace regenatlas::gateway
