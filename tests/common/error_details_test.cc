#include "common/error_details.h"

#include "common/grpc_status.h"
#include "google/protobuf/unknown_field_set.h"
#include "gtest/gtest.h"

namespace regenatlas {
namespace {

using google::protobuf::UnknownFieldSet;

// The Any details of a serialized google.rpc.Status, by type URL.
std::map<std::string, std::string> Details(const std::string& status_bytes) {
  UnknownFieldSet status;
  EXPECT_TRUE(status.ParseFromString(status_bytes));
  std::map<std::string, std::string> out;
  for (int i = 0; i < status.field_count(); ++i) {
    if (status.field(i).number() != 3) continue;
    UnknownFieldSet any;
    EXPECT_TRUE(any.ParseFromString(status.field(i).length_delimited()));
    std::string type, value;
    for (int j = 0; j < any.field_count(); ++j) {
      if (any.field(j).number() == 1) type = any.field(j).length_delimited();
      if (any.field(j).number() == 2) value = any.field(j).length_delimited();
    }
    out[type] = value;
  }
  return out;
}

TEST(ErrorDetailsTest, InvalidArgumentNamesTheField) {
  grpc::Status s = ToGrpcStatus(absl::InvalidArgumentError("event.date.month: 13 is not a month"));
  auto details = Details(s.error_details());
  ASSERT_TRUE(details.count("type.googleapis.com/google.rpc.BadRequest"));
  ASSERT_TRUE(details.count("type.googleapis.com/google.rpc.ErrorInfo"));
  EXPECT_FALSE(details.count("type.googleapis.com/google.rpc.RetryInfo"));
  UnknownFieldSet bad, violation;
  ASSERT_TRUE(bad.ParseFromString(details["type.googleapis.com/google.rpc.BadRequest"]));
  ASSERT_TRUE(violation.ParseFromString(bad.field(0).length_delimited()));
  EXPECT_EQ(violation.field(0).length_delimited(), "event.date.month");
  EXPECT_EQ(violation.field(1).length_delimited(), "13 is not a month");
  EXPECT_EQ(ErrorReason(absl::InvalidArgumentError("event.date.month: x")), "INVALID_FIELD");
}

TEST(ErrorDetailsTest, RetryInfoCarriesTheLimiterDelay) {
  absl::Status limited = absl::ResourceExhaustedError("rate limit of 1 calls/s exceeded");
  SetRetryAfter(limited, absl::Milliseconds(250));
  grpc::Status s = ToGrpcStatus(limited);
  auto details = Details(s.error_details());
  UnknownFieldSet retry, duration;
  ASSERT_TRUE(retry.ParseFromString(details["type.googleapis.com/google.rpc.RetryInfo"]));
  ASSERT_TRUE(duration.ParseFromString(retry.field(0).length_delimited()));
  ASSERT_EQ(duration.field_count(), 1);  // seconds = 0 is not written
  EXPECT_EQ(duration.field(0).number(), 2);
  EXPECT_EQ(duration.field(0).varint(), 250000000u);
  EXPECT_EQ(ErrorReason(limited), "RATE_LIMITED");
}

TEST(ErrorDetailsTest, FieldOfOnlyTakesFieldPaths) {
  EXPECT_EQ(FieldOf("names[3]: not found"), "names[3]");
  EXPECT_EQ(FieldOf("products/x not found"), "");
  EXPECT_EQ(FieldOf("server busy: 1000 calls"), "");
}

}  // namespace
}  // namespace regenatlas
