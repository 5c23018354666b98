// Call-context propagation over gRPC metadata and the mapping of a backend's
// status (common/client_call.h).

#include "common/client_call.h"

#include <chrono>

#include "absl/strings/str_cat.h"
#include "common/grpc_status.h"

namespace regenatlas {
namespace {

constexpr const char* kRequestId = "x-request-id";
constexpr const char* kTraceparent = "traceparent";
constexpr const char* kTracestate = "tracestate";
constexpr const char* kBaggage = "baggage";

std::string Find(const std::multimap<grpc::string_ref, grpc::string_ref>& metadata,
                 const char* key) {
  auto it = metadata.find(key);
  return it == metadata.end() ? std::string() : std::string(it->second.data(), it->second.size());
}

}  // namespace

CallContext CallContextOf(const grpc::ServerContextBase* context) {
  CallContext call;
  const auto deadline = context->deadline();
  // gRPC reports "no deadline" as a time far in the future.
  if (deadline < std::chrono::system_clock::now() + std::chrono::hours(24 * 365)) {
    call.deadline = absl::FromChrono(deadline);
  }
  const auto& metadata = context->client_metadata();
  call.request_id = Find(metadata, kRequestId);
  call.traceparent = Find(metadata, kTraceparent);
  call.tracestate = Find(metadata, kTracestate);
  call.baggage = Find(metadata, kBaggage);
  return call;
}

void Stamp(const CallContext& call, absl::Duration timeout, grpc::ClientContext* out) {
  const absl::Time fallback = absl::Now() + timeout;
  out->set_deadline(absl::ToChronoTime(call.deadline < fallback ? call.deadline : fallback));
  if (!call.request_id.empty()) out->AddMetadata(kRequestId, call.request_id);
  if (!call.traceparent.empty()) out->AddMetadata(kTraceparent, call.traceparent);
  if (!call.tracestate.empty()) out->AddMetadata(kTracestate, call.tracestate);
  if (!call.baggage.empty()) out->AddMetadata(kBaggage, call.baggage);
}

absl::Status FromBackend(const grpc::Status& status, absl::string_view backend,
                         absl::string_view method) {
  if (status.ok()) return absl::OkStatus();
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::UNAUTHENTICATED:
      return FromGrpcStatus(status);
    case grpc::StatusCode::UNIMPLEMENTED:
      return absl::FailedPreconditionError(
          absl::StrCat(backend, ": ", method, " is not implemented by the backend"));
    default: {
      const absl::Status mapped = FromGrpcStatus(status);
      return absl::Status(mapped.code(),
                          absl::StrCat(backend, " ", method, ": ", status.error_message()));
    }
  }
}

}  // namespace regenatlas
