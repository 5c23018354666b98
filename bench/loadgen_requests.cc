// regenatlas_loadgen's call catalogue: the linked-in APIs, request files and
// --print_response (bench/loadgen_requests.h).

#include "bench/loadgen_requests.h"

#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "bench/loadgen_report.h"
#include "common/json.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "hello.grpc.pb.h"
#include "regenatlas/analytics/v1/analytics_service.pb.h"
#include "regenatlas/catalog/v1/catalog_service.pb.h"
#include "regenatlas/gateway/v1/gateway_service.pb.h"
#include "regenatlas/timeline/v1/timeline_service.pb.h"

namespace regenatlas::bench {

void LinkDescriptors() {
  for (const google::protobuf::Descriptor* d :
       {catalog::v1::GetTrialRequest::descriptor(),
        timeline::v1::GetProductTimelineRequest::descriptor(),
        analytics::v1::GetPipelineBreakdownRequest::descriptor(),
        gateway::v1::GetProductDossierRequest::descriptor(),
        grpc::health::v1::HealthCheckRequest::descriptor(), v1::SayHelloRequest::descriptor()}) {
    (void)d;
  }
}

std::string LoadRequests(const std::string& method, const std::string& path,
                         std::vector<grpc::ByteBuffer>* out,
                         const google::protobuf::MethodDescriptor** descriptor) {
  std::vector<std::string> parts = absl::StrSplit(method, '/');
  if (parts.size() != 3 || !parts[0].empty() || parts[1].empty() || parts[2].empty()) {
    return absl::StrCat("--method: expected /pkg.Service/Method, got \"", method, "\"");
  }
  const google::protobuf::DescriptorPool* pool = google::protobuf::DescriptorPool::generated_pool();
  const google::protobuf::ServiceDescriptor* service = pool->FindServiceByName(parts[1]);
  if (service == nullptr) {
    return absl::StrCat("--method: unknown service ", parts[1],
                        " (linked in: regenatlas.*, grpc.health.v1.Health, "
                        "regenatlas.bench.v1.HelloService)");
  }
  const google::protobuf::MethodDescriptor* m = service->FindMethodByName(parts[2]);
  if (m == nullptr) return absl::StrCat("--method: ", parts[1], " has no method ", parts[2]);
  if (m->client_streaming() || m->server_streaming()) {
    return absl::StrCat("--method: ", parts[2], " is a streaming method; only unary ones are");
  }
  *descriptor = m;
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::StrCat("--request: cannot read ", path);
  std::stringstream text;
  text << in.rdbuf();
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(m->input_type());
  auto add = [&](absl::string_view json, std::string* error) {
    std::unique_ptr<google::protobuf::Message> msg(prototype->New());
    auto status = google::protobuf::util::JsonStringToMessage(std::string(json), msg.get());
    if (!status.ok()) {
      *error = status.ToString();
      return false;
    }
    std::string bytes;
    msg->SerializeToString(&bytes);
    grpc::Slice slice(bytes);
    out->emplace_back(&slice, 1);
    return true;
  };
  // One JSON document, else JSON Lines.
  std::string whole_error;
  if (add(absl::StripAsciiWhitespace(text.str()), &whole_error)) return "";
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(text.str(), '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty() || line[0] == '#') continue;
    std::string error;
    if (!add(line, &error)) {
      return absl::StrCat(path, ":", line_number, ": not a ", m->input_type()->full_name(),
                          " in JSON: ", line_number == 1 ? whole_error : error);
    }
  }
  if (out->empty()) return absl::StrCat(path, ": no request");
  return "";
}

int PrintResponses(const Options& o, const google::protobuf::MethodDescriptor* method,
                   const std::vector<grpc::ByteBuffer>& requests, grpc::GenericStub* stub) {
  const google::protobuf::Message* prototype =
      google::protobuf::MessageFactory::generated_factory()->GetPrototype(method->output_type());
  int failed = 0;
  for (const grpc::ByteBuffer& request : requests) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoNanoseconds(o.timeout));
    for (const auto& [key, value] : o.metadata) context.AddMetadata(key, value);
    grpc::ByteBuffer response;
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    grpc::Status status;
    stub->UnaryCall(&context, o.method, grpc::StubOptions(), &request, &response,
                    [&](grpc::Status s) {
                      std::lock_guard<std::mutex> lock(mu);
                      status = std::move(s);
                      done = true;
                      cv.notify_one();
                    });
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return done; });
    }
    if (!status.ok()) {
      ++failed;
      std::printf("{\"error\":%s}\n", JsonString(absl::StrCat(CodeName(status.error_code()), ": ",
                                                              status.error_message()))
                                          .c_str());
      continue;
    }
    std::vector<grpc::Slice> slices;
    std::string bytes;
    if (response.Dump(&slices).ok()) {
      for (const grpc::Slice& slice : slices) {
        bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
      }
    }
    std::unique_ptr<google::protobuf::Message> message(prototype->New());
    std::string json;
    if (!message->ParseFromString(bytes) ||
        !google::protobuf::util::MessageToJsonString(*message, &json).ok()) {
      ++failed;
      std::printf("{\"error\":\"response does not parse as %s\"}\n",
                  method->output_type()->full_name().c_str());
      continue;
    }
    std::printf("%s\n", json.c_str());
  }
  return failed;
}

}  // namespace regenatlas::bench
