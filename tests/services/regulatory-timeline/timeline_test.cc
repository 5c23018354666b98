#include "services/regulatory-timeline/timeline.h"

#include "gtest/gtest.h"
#include "regenatlas/timeline/v1/timeline_service.grpc.pb.h"
#include "services/regulatory-timeline/timeline_service.h"
#include "tests/testing/server_fixture.h"

namespace regenatlas::timeline {
namespace {

using timeline::v1::RegulatoryTimelineService;

Policy ValidPolicy() {
  Policy p;
  p.set_kind(timeline::v1::POLICY_KIND_GUIDANCE);
  p.set_issuer("CDE");
  p.set_jurisdiction("CN");
  p.mutable_date()->set_year(2024);
  p.mutable_date()->set_month(5);
  p.set_title("人源干细胞产品药学研究与评价技术指导原则");
  auto* src = p.add_sources();
  src->set_source("sources/review-cell-therapy-drugs");
  return p;
}

class TimelineServerTest : public regenatlas::testing::ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    timeline_ = std::make_unique<Timeline>(store_.get(), TimelineOptions{Clock()});
    service_ = std::make_unique<TimelineService>(timeline_.get());
    runner_->AddService(service_.get(), "regenatlas.timeline.v1.RegulatoryTimelineService");
    StartServer();
    stub_ = RegulatoryTimelineService::NewStub(channel_);
  }

  grpc::Status Create(const std::string& id, const Policy& p, Policy* out) {
    timeline::v1::CreatePolicyRequest req;
    req.set_policy_id(id);
    *req.mutable_policy() = p;
    return stub_->CreatePolicy(Ctx().get(), req, out);
  }

  std::unique_ptr<Timeline> timeline_;
  std::unique_ptr<TimelineService> service_;
  std::unique_ptr<RegulatoryTimelineService::Stub> stub_;
};

TEST_F(TimelineServerTest, PolicyLifecycleWithUpdateMask) {
  Policy created;
  ASSERT_TRUE(Create("cde-hsc-guidance", ValidPolicy(), &created).ok());
  EXPECT_EQ(created.name(), "policies/cde-hsc-guidance");

  now_ += absl::Seconds(60);
  timeline::v1::UpdatePolicyRequest update;
  update.mutable_policy()->set_name(created.name());
  update.mutable_policy()->set_title_en("Guidance on CMC of human stem-cell products");
  update.mutable_policy()->set_etag(created.etag());
  update.mutable_update_mask()->add_paths("title_en");
  Policy updated;
  ASSERT_TRUE(stub_->UpdatePolicy(Ctx().get(), update, &updated).ok());
  EXPECT_EQ(updated.title_en(), "Guidance on CMC of human stem-cell products");
  EXPECT_EQ(updated.title(), created.title());
  EXPECT_EQ(updated.update_time().seconds(), 1750000060);
  // The old etag is now stale.
  EXPECT_EQ(stub_->UpdatePolicy(Ctx().get(), update, &updated).error_code(),
            grpc::StatusCode::ABORTED);

  timeline::v1::ListPoliciesRequest list;
  timeline::v1::ListPoliciesResponse resp;
  ASSERT_TRUE(stub_->ListPolicies(Ctx().get(), list, &resp).ok());
  ASSERT_EQ(resp.policies_size(), 1);

  timeline::v1::DeletePolicyRequest del;
  del.set_name(created.name());
  google::protobuf::Empty empty;
  ASSERT_TRUE(stub_->DeletePolicy(Ctx().get(), del, &empty).ok());
  EXPECT_EQ(stub_->DeletePolicy(Ctx().get(), del, &empty).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(TimelineServerTest, InvalidPoliciesNameTheField) {
  struct Case {
    std::function<void(Policy&)> mutate;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](Policy& p) { p.set_kind(timeline::v1::POLICY_KIND_UNSPECIFIED); }, "policy.kind"},
      {[](Policy& p) { p.set_kind(static_cast<timeline::v1::PolicyKind>(42)); }, "policy.kind"},
      {[](Policy& p) { p.set_jurisdiction("China"); }, "policy.jurisdiction"},
      {[](Policy& p) { p.clear_date(); }, "policy.date"},
      {[](Policy& p) { p.mutable_date()->set_month(13); }, "policy.date.month"},
      {[](Policy& p) {
         p.mutable_date()->set_month(4);
         p.mutable_date()->set_day(31);
       },
       "policy.date.day"},
      {[](Policy& p) { p.clear_title(); }, "policy.title"},
      {[](Policy& p) { p.clear_sources(); }, "policy.sources"},
      {[](Policy& p) { p.mutable_sources(0)->set_source("review"); }, "policy.sources[0].source"},
  };
  for (const Case& c : cases) {
    Policy p = ValidPolicy();
    c.mutate(p);
    Policy out;
    grpc::Status s = Create("p", p, &out);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << c.field;
    EXPECT_EQ(s.error_message().substr(0, c.field.size()), c.field) << s.error_message();
  }
  timeline::v1::ListPoliciesResponse resp;
  ASSERT_TRUE(stub_->ListPolicies(Ctx().get(), {}, &resp).ok());
  EXPECT_EQ(resp.policies_size(), 0);
  EXPECT_EQ(store_->LastChangeSeq(), 0u);
}

}  // namespace
}  // namespace regenatlas::timeline
