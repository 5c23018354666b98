#include "cmd/regenatlas/channels.h"

#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/support/client_interceptor.h"
#include "services/gateway/front.h"

namespace regenatlas::cli {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::FailedPreconditionError(absl::StrCat("cannot read ", path));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Sends this process's `service` key on every call to another RegenAtlas
// service (split topology), so that backends can tell their peers from
// anyone else on the network.
class ServiceKeyInterceptor : public grpc::experimental::Interceptor {
 public:
  explicit ServiceKeyInterceptor(const std::string* bearer) : bearer_(bearer) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->emplace("authorization", *bearer_);
    }
    methods->Proceed();
  }

 private:
  const std::string* bearer_;
};

class ServiceKeyInterceptorFactory : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit ServiceKeyInterceptorFactory(std::string key) : bearer_(absl::StrCat("Bearer ", key)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo*) override {
    return new ServiceKeyInterceptor(&bearer_);
  }

 private:
  const std::string bearer_;
};

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> PublicCredentials(const ServeOptions& o) {
  if (o.tls_cert.empty() && o.tls_key.empty()) {
    if (!o.tls_client_ca.empty()) {
      return absl::InvalidArgumentError("--tls_client_ca needs --tls_cert and --tls_key");
    }
    return grpc::InsecureServerCredentials();
  }
  if (o.tls_cert.empty() || o.tls_key.empty()) {
    return absl::InvalidArgumentError("--tls_cert and --tls_key go together");
  }
  absl::StatusOr<std::string> cert = ReadFile(o.tls_cert);
  if (!cert.ok()) return cert.status();
  absl::StatusOr<std::string> key = ReadFile(o.tls_key);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions ssl(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  if (!o.tls_client_ca.empty()) {
    absl::StatusOr<std::string> ca = ReadFile(o.tls_client_ca);
    if (!ca.ok()) return ca.status();
    ssl.pem_root_certs = *ca;
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  }
  return grpc::SslServerCredentials(ssl);
}

ChannelFactory RemoteChannel(const std::string& addr, const std::string& service,
                             const std::string& service_key) {
  return [addr, service, service_key] {
    std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> creators;
    if (!service_key.empty()) {
      creators.push_back(std::make_unique<ServiceKeyInterceptorFactory>(service_key));
    }
    return grpc::experimental::CreateCustomChannelWithInterceptors(
        addr, grpc::InsecureChannelCredentials(), gateway::BackendChannelArguments({service}),
        std::move(creators));
  };
}

}  // namespace regenatlas::cli
