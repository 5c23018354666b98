// Helpers shared by the computed views of Analytics: recording upstream
// calls and building the shown arithmetic steps.

#include "services/market-analytics/computations_internal.h"

#include <utility>

#include "absl/strings/str_cat.h"

namespace regenatlas::analytics::internal {

std::string Method(absl::string_view service, absl::string_view method) {
  return absl::StrCat(service, method);
}

void Record(google::protobuf::RepeatedPtrField<analytics::v1::UpstreamCall>* calls,
            absl::string_view method, const google::protobuf::Message& request) {
  analytics::v1::UpstreamCall* c = calls->Add();
  c->set_method(std::string(method));
  c->set_request(request.ShortDebugString());
}

analytics::v1::ArithmeticStep Step(std::string description, double left, absl::string_view op,
                                   double right, double result, std::string unit) {
  analytics::v1::ArithmeticStep s;
  s.set_description(std::move(description));
  s.set_left(left);
  s.set_operator_(std::string(op));
  s.set_right(right);
  s.set_result(result);
  s.set_unit(std::move(unit));
  return s;
}

}  // namespace regenatlas::analytics::internal
