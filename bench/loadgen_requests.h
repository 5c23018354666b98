#ifndef REGENATLAS_BENCH_LOADGEN_REQUESTS_H_
#define REGENATLAS_BENCH_LOADGEN_REQUESTS_H_

// What regenatlas_loadgen sends: the methods it can call (every linked-in
// API), the requests read from a JSON / JSON Lines file and serialised once,
// and --print_response, which sends each once and shows the answer.

#include <google/protobuf/descriptor.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <string>
#include <vector>

#include "bench/loadgen_options.h"

namespace regenatlas::bench {

// Makes the generated descriptors of every API part of the binary (a static
// library contributes only the objects something refers to), so that
// --method can name any of them.
void LinkDescriptors();

// Reads the request file and serialises each request for `method`
// ("/pkg.Service/Method"); returns an error message or "". Errors about the
// flags themselves start with "--".
std::string LoadRequests(const std::string& method, const std::string& path,
                         std::vector<grpc::ByteBuffer>* out,
                         const google::protobuf::MethodDescriptor** descriptor);

// Sends each request once, in order, and prints the response in JSON (or
// {"error":…}) on its own line; each wait is bounded by the call's deadline.
// Returns the number of failed calls.
int PrintResponses(const Options& o, const google::protobuf::MethodDescriptor* method,
                   const std::vector<grpc::ByteBuffer>& requests, grpc::GenericStub* stub);

}  // namespace regenatlas::bench

#endif  // REGENATLAS_BENCH_LOADGEN_REQUESTS_H_
