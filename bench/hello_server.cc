// regenatlas_hello: the hello-world anchor of the benchmark. A minimal gRPC
// server (callback API, the same toolchain, gRPC and compiler flags as
// RegenAtlas) with one unary method that does no work, so that RegenAtlas'
// figures can be read as ratios to what gRPC itself costs on this machine.
//
//   regenatlas_hello [--listen=127.0.0.1:0]
//
// Prints {"port":N} on stdout once it listens; stops on SIGTERM/SIGINT.

#include <grpcpp/grpcpp.h>
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>

#include "hello.grpc.pb.h"

namespace regenatlas::bench {
namespace {

// HelloService over the callback API: answers on the gRPC thread that
// received the call, with the context's default reactor.
class HelloServiceImpl final : public v1::HelloService::CallbackService {
 public:
  grpc::ServerUnaryReactor* SayHello(grpc::CallbackServerContext* context,
                                     const v1::SayHelloRequest* request,
                                     v1::SayHelloResponse* response) override {
    response->set_message("hello, " + request->name());
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

int Run(int argc, char** argv) {
  std::string listen = "127.0.0.1:0";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--listen=", 0) == 0) {
      listen = arg.substr(strlen("--listen="));
    } else if (arg == "--help" || arg == "-h") {
      std::printf(
          "Usage: regenatlas_hello [--listen=127.0.0.1:0]\n\n"
          "The benchmark's hello-world anchor: one unary method,\n"
          "/regenatlas.bench.v1.HelloService/SayHello. Prints {\"port\":N} once it\n"
          "listens; stops on SIGTERM/SIGINT.\n");
      return 0;
    } else {
      std::fprintf(stderr, "regenatlas_hello: unknown argument %s (see --help)\n", arg.c_str());
      return 2;
    }
  }
  // Blocked before gRPC starts its threads, so only sigwait() sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  HelloServiceImpl service;
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort(listen, grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::fprintf(stderr, "regenatlas_hello: cannot listen on %s\n", listen.c_str());
    return 1;
  }
  std::printf("{\"port\":%d}\n", port);
  std::fflush(stdout);

  int received = 0;
  sigwait(&signals, &received);
  server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  return 0;
}

}  // namespace
}  // namespace regenatlas::bench

int main(int argc, char** argv) { return regenatlas::bench::Run(argc, argv); }
