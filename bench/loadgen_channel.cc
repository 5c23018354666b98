// regenatlas_loadgen's channels and readiness wait (bench/loadgen_channel.h).

#include "bench/loadgen_channel.h"

#include <chrono>
#include <thread>

#include "absl/strings/str_cat.h"
#include "bench/loadgen_report.h"
#include "grpc/health/v1/health.grpc.pb.h"

namespace regenatlas::bench {

std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target, int index, bool fast_retry) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(-1);
  // Its own connection, not one shared with the other channels.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  args.SetInt("regenatlas.loadgen.channel", index);
  if (fast_retry) {
    args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 10);
    args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 10);
    args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 100);
  }
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

std::string WaitReady(const std::string& target, absl::Duration timeout) {
  const auto deadline = std::chrono::steady_clock::now() + absl::ToChronoNanoseconds(timeout);
  const auto system_deadline =
      std::chrono::system_clock::now() + absl::ToChronoNanoseconds(timeout);
  std::shared_ptr<grpc::Channel> channel = MakeChannel(target, 0, /*fast_retry=*/true);
  std::unique_ptr<grpc::health::v1::Health::Stub> stub = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckRequest request;
  grpc::health::v1::HealthCheckResponse response;
  {
    grpc::ClientContext context;
    context.set_wait_for_ready(true);
    context.set_deadline(system_deadline);
    std::unique_ptr<grpc::ClientReader<grpc::health::v1::HealthCheckResponse>> reader =
        stub->Watch(&context, request);
    while (reader->Read(&response)) {
      if (response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
        context.TryCancel();
        reader->Finish();
        return "";
      }
    }
    grpc::Status status = reader->Finish();
    if (status.error_code() != grpc::StatusCode::UNIMPLEMENTED) {
      return absl::StrCat("not ready within ", absl::FormatDuration(timeout), ": ",
                          CodeName(status.error_code()), " ", status.error_message());
    }
  }
  // Bounded by the deadline: every Check carries it.
  while (std::chrono::steady_clock::now() < deadline) {
    grpc::ClientContext context;
    context.set_wait_for_ready(true);
    context.set_deadline(system_deadline);
    grpc::Status status = stub->Check(&context, request, &response);
    if (status.ok() && response.status() == grpc::health::v1::HealthCheckResponse::SERVING) {
      return "";
    }
    if (!status.ok() && status.error_code() != grpc::StatusCode::UNAVAILABLE) {
      return absl::StrCat("health check failed: ", CodeName(status.error_code()), " ",
                          status.error_message());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return absl::StrCat("not SERVING within ", absl::FormatDuration(timeout));
}

}  // namespace regenatlas::bench
