// regenatlas_loadgen: a closed-loop gRPC load generator for unary methods.
//
//   regenatlas_loadgen --target=127.0.0.1:50051
//       --method=/regenatlas.catalog.v1.CatalogService/GetTrial
//       --request=bench/requests/get_trial.jsonl --concurrency=64 --duration=10s
//
// Keeps exactly --concurrency calls in flight (a finished call starts the next
// one at once) for --warmup + --duration and prints one line of JSON: QPS,
// latency percentiles, errors by status code. See --help and
// docs/performance.md.
//
// Requests are JSON (proto3 JSON mapping) converted with the descriptors of
// the linked-in generated code: every RegenAtlas API, grpc.health.v1 and the
// benchmark's hello anchor. Each request is serialised once; calls go through
// the generic stub with the serialised bytes (no per-call serialisation).
//
// This file is the entry point (modes, exit statuses); the parts are
// loadgen_options (flags, --help), loadgen_requests (what it sends),
// loadgen_channel (connections, --wait_ready), closed_loop (the driver) and
// loadgen_report (the JSON line).

#include <google/protobuf/stubs/common.h>
#include <grpcpp/grpcpp.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "bench/closed_loop.h"
#include "bench/loadgen_channel.h"
#include "bench/loadgen_options.h"
#include "bench/loadgen_report.h"
#include "bench/loadgen_requests.h"

namespace regenatlas::bench {
namespace {

int Run(int argc, char** argv) {
  Options o;
  if (std::string error = ParseFlags(argc, argv, &o); !error.empty()) {
    std::fprintf(stderr, "regenatlas_loadgen: %s\n", error.c_str());
    return 2;
  }
  if (o.help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (o.version) {
    std::printf("regenatlas_loadgen %s (gRPC %s, protobuf %s)\n", REGENATLAS_VERSION,
                grpc::Version().c_str(),
                google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION).c_str());
    return 0;
  }
  if (o.target.empty()) {
    std::fprintf(stderr, "regenatlas_loadgen: --target is required (see --help)\n");
    return 2;
  }
  if (o.wait_ready > absl::ZeroDuration()) {
    const int64_t start = NowNs();
    if (std::string error = WaitReady(o.target, o.wait_ready); !error.empty()) {
      std::fprintf(stderr, "regenatlas_loadgen: %s: %s\n", o.target.c_str(), error.c_str());
      return 1;
    }
    if (o.method.empty()) {
      std::printf("{\"ready\":true,\"waited_ms\":%.1f}\n", (NowNs() - start) / 1e6);
      return 0;
    }
  }
  if (o.method.empty() || o.request_file.empty()) {
    std::fprintf(stderr, "regenatlas_loadgen: --method and --request are required (see --help)\n");
    return 2;
  }
  LinkDescriptors();
  std::vector<grpc::ByteBuffer> requests;
  const google::protobuf::MethodDescriptor* descriptor = nullptr;
  if (std::string error = LoadRequests(o.method, o.request_file, &requests, &descriptor);
      !error.empty()) {
    std::fprintf(stderr, "regenatlas_loadgen: %s\n", error.c_str());
    return error.rfind("--", 0) == 0 ? 2 : 1;
  }
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  for (int i = 0; i < o.channels; ++i) {
    std::shared_ptr<grpc::Channel> channel = MakeChannel(o.target, i, /*fast_retry=*/false);
    if (!channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10))) {
      std::fprintf(stderr, "regenatlas_loadgen: cannot connect to %s within 10s\n",
                   o.target.c_str());
      return 1;
    }
    stubs.push_back(std::make_unique<grpc::GenericStub>(channel));
  }
  if (o.print_response) return PrintResponses(o, descriptor, requests, stubs[0].get()) ? 1 : 0;
  ClosedLoop loop(o, std::move(requests), std::move(stubs));
  loop.Run();
  if (!loop.finished()) {
    // Calls still in flight reference the loop: report and leave without
    // destroying it.
    std::fprintf(stderr, "regenatlas_loadgen: calls did not finish after cancellation\n");
    std::printf("%s\n", ReportJson(o, loop.requests(), loop.Summary()).c_str());
    std::fflush(stdout);
    std::_Exit(1);
  }
  std::printf("%s\n", ReportJson(o, loop.requests(), loop.Summary()).c_str());
  return 0;
}

}  // namespace
}  // namespace regenatlas::bench

int main(int argc, char** argv) { return regenatlas::bench::Run(argc, argv); }
