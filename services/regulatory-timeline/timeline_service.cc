#include "services/regulatory-timeline/timeline_service.h"

#include <thread>

#include "absl/strings/str_cat.h"
#include "common/paging.h"
#include "common/rpc.h"

namespace regenatlas::timeline {

grpc::ServerUnaryReactor* TimelineService::CreateEvent(Ctx* ctx, const v1::CreateEventRequest* req,
                                                     v1::Event* resp) {
  return Reply(ctx, timeline_->CreateEvent(req->event_id(), req->event()), resp);
}

grpc::ServerUnaryReactor* TimelineService::GetEvent(Ctx* ctx, const v1::GetEventRequest* req,
                                                  v1::Event* resp) {
  return Reply(ctx, timeline_->events().Get(req->name()), resp);
}

grpc::ServerUnaryReactor* TimelineService::BatchGetEvents(Ctx* ctx, const v1::BatchGetEventsRequest* req,
                                                      v1::BatchGetEventsResponse* resp) {
  if (req->names_size() > kMaxPageSize) {
    return Reply(ctx, absl::InvalidArgumentError("names: at most 1000 per call"));
  }
  for (int i = 0; i < req->names_size(); ++i) {
    absl::StatusOr<v1::Event> r = timeline_->events().Get(req->names(i));
    if (!r.ok()) {
      return Reply(ctx, absl::Status(r.status().code(),
                                     absl::StrCat("names[", i, "]: ", r.status().message())));
    }
    *resp->add_events() = *std::move(r);
  }
  return Reply(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* TimelineService::ListEvents(Ctx* ctx, const v1::ListEventsRequest* req,
                                                  v1::ListEventsResponse* resp) {
  auto page = timeline_->ListEvents(
      ListQuery{req->page_size(), req->page_token(), req->filter(), req->order_by()});
  if (page.ok()) {
    FillPage(*page, resp->mutable_events(), resp->mutable_next_page_token());
    if (req->show_total_size()) resp->set_total_size(page->total_size);
  }
  return Reply(ctx, page.status());
}

grpc::ServerUnaryReactor* TimelineService::UpdateEvent(Ctx* ctx, const v1::UpdateEventRequest* req,
                                                     v1::Event* resp) {
  return Reply(ctx, timeline_->UpdateEvent(req->event(), req->update_mask()), resp);
}

grpc::ServerUnaryReactor* TimelineService::DeleteEvent(Ctx* ctx, const v1::DeleteEventRequest* req,
                                                     google::protobuf::Empty* resp) {
  return Reply(ctx, timeline_->DeleteEvent(req->name(), req->etag()));
}

grpc::ServerUnaryReactor* TimelineService::CreatePolicy(Ctx* ctx, const v1::CreatePolicyRequest* req,
                                                     v1::Policy* resp) {
  return Reply(ctx, timeline_->policies().Create(req->policy_id(), req->policy()), resp);
}

grpc::ServerUnaryReactor* TimelineService::GetPolicy(Ctx* ctx, const v1::GetPolicyRequest* req,
                                                  v1::Policy* resp) {
  return Reply(ctx, timeline_->policies().Get(req->name()), resp);
}

grpc::ServerUnaryReactor* TimelineService::BatchGetPolicies(Ctx* ctx, const v1::BatchGetPoliciesRequest* req,
                                                      v1::BatchGetPoliciesResponse* resp) {
  if (req->names_size() > kMaxPageSize) {
    return Reply(ctx, absl::InvalidArgumentError("names: at most 1000 per call"));
  }
  for (int i = 0; i < req->names_size(); ++i) {
    absl::StatusOr<v1::Policy> r = timeline_->policies().Get(req->names(i));
    if (!r.ok()) {
      return Reply(ctx, absl::Status(r.status().code(),
                                     absl::StrCat("names[", i, "]: ", r.status().message())));
    }
    *resp->add_policies() = *std::move(r);
  }
  return Reply(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* TimelineService::ListPolicies(Ctx* ctx, const v1::ListPoliciesRequest* req,
                                                  v1::ListPoliciesResponse* resp) {
  auto page = timeline_->ListPolicies(
      ListQuery{req->page_size(), req->page_token(), req->filter(), req->order_by()});
  if (page.ok()) {
    FillPage(*page, resp->mutable_policies(), resp->mutable_next_page_token());
    if (req->show_total_size()) resp->set_total_size(page->total_size);
  }
  return Reply(ctx, page.status());
}

grpc::ServerUnaryReactor* TimelineService::UpdatePolicy(Ctx* ctx, const v1::UpdatePolicyRequest* req,
                                                     v1::Policy* resp) {
  return Reply(ctx, timeline_->policies().Update(req->policy(), req->update_mask()), resp);
}

grpc::ServerUnaryReactor* TimelineService::DeletePolicy(Ctx* ctx, const v1::DeletePolicyRequest* req,
                                                     google::protobuf::Empty* resp) {
  return Reply(ctx, timeline_->policies().Delete(req->name(), req->etag()));
}

grpc::ServerUnaryReactor* TimelineService::GetProductTimeline(
    Ctx* ctx, const v1::GetProductTimelineRequest* req, v1::ProductTimeline* resp) {
  return Reply(ctx, timeline_->GetProductTimeline(req->product()), resp);
}

grpc::ServerUnaryReactor* TimelineService::ComputeMilestoneIntervals(
    Ctx* ctx, const v1::ComputeMilestoneIntervalsRequest* req,
    v1::ComputeMilestoneIntervalsResponse* resp) {
  return Reply(ctx, timeline_->ComputeMilestoneIntervals(*req), resp);
}

grpc::ServerUnaryReactor* TimelineService::ListFirsts(Ctx* ctx, const v1::ListFirstsRequest* req,
                                                     v1::ListFirstsResponse* resp) {
  return Reply(ctx, timeline_->ListFirsts(*req), resp);
}

// One WatchEvents call. A worker thread pulls matching changes from the
// change log and writes them one at a time; between changes it waits on
// the store with a timeout so that cancellation is noticed promptly.
class TimelineService::Watcher final : public grpc::ServerWriteReactor<v1::WatchEventsResponse> {
 public:
  Watcher(TimelineService* service, Timeline::WatchQuery query)
      : service_(service), query_(std::move(query)) {}

  void Start() {
    std::thread([this] { Run(); }).detach();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) cancelled_ = true;
  }

  void OnCancel() override { Stop(absl::CancelledError("watch cancelled")); }

  void OnDone() override {
    service_->Unregister(this);
    delete this;
  }

  // Asks the worker to end the stream with `status`.
  void Stop(absl::Status status) {
    absl::MutexLock lock(&mu_);
    if (!cancelled_) {
      cancelled_ = true;
      stop_status_ = std::move(status);
    }
  }

 private:
  void Run() {
    absl::Status end = absl::OkStatus();
    for (;;) {
      {
        absl::MutexLock lock(&mu_);
        if (cancelled_) {
          end = stop_status_;
          break;
        }
      }
      absl::StatusOr<std::vector<WatchChange>> changes = service_->timeline_->ReadChanges(query_, 16);
      if (!changes.ok()) {
        end = changes.status();
        break;
      }
      if (changes->empty()) {
        service_->timeline_->WaitForChange(query_.position.after_seq, absl::Milliseconds(200));
        continue;
      }
      bool stopped = false;
      for (WatchChange& change : *changes) {
        absl::MutexLock lock(&mu_);
        if (cancelled_) {
          stopped = true;
          break;
        }
        response_ = std::move(change.response);
        writing_ = true;
        StartWrite(&response_);
        // One message in flight: wait for it (or for cancellation).
        auto done = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !writing_ || cancelled_; };
        mu_.Await(absl::Condition(&done));
        if (writing_) {
          // Cancelled mid-write: the write still completes (or fails); wait
          // so that response_ outlives it.
          auto written = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return !writing_; };
          mu_.Await(absl::Condition(&written));
        }
      }
      if (stopped) {
        absl::MutexLock lock(&mu_);
        end = stop_status_;
        break;
      }
    }
    // After Finish the reactor may be deleted at any time: touch nothing.
    Finish(ToGrpcStatus(end));
  }

  TimelineService* const service_;
  Timeline::WatchQuery query_;
  absl::Mutex mu_;
  v1::WatchEventsResponse response_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool cancelled_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status stop_status_ ABSL_GUARDED_BY(mu_) = absl::CancelledError("watch cancelled");
};

grpc::ServerWriteReactor<v1::WatchEventsResponse>* TimelineService::WatchEvents(
    Ctx* ctx, const v1::WatchEventsRequest* req) {
  absl::StatusOr<Timeline::WatchQuery> query = timeline_->PrepareWatch(*req);
  if (!query.ok()) {
    // A reactor that fails at once: still needs OnDone to free it.
    class Failed final : public grpc::ServerWriteReactor<v1::WatchEventsResponse> {
     public:
      explicit Failed(const absl::Status& s) { Finish(ToGrpcStatus(s)); }
      void OnDone() override { delete this; }
    };
    return new Failed(query.status());
  }
  auto* watcher = new Watcher(this, *std::move(query));
  {
    absl::MutexLock lock(&mu_);
    if (shut_down_) {
      watcher->Stop(absl::UnavailableError("server shutting down; resume elsewhere"));
    }
    watchers_.insert(watcher);
  }
  watcher->Start();
  return watcher;
}

void TimelineService::Unregister(Watcher* watcher) {
  absl::MutexLock lock(&mu_);
  watchers_.erase(watcher);
}

void TimelineService::Shutdown() {
  absl::MutexLock lock(&mu_);
  shut_down_ = true;
  for (Watcher* w : watchers_) {
    w->Stop(absl::UnavailableError("server shutting down; resume with the last resume_token"));
  }
}

TimelineService::~TimelineService() {
  // Watchers end when the server shuts down; wait for them to unregister.
  absl::MutexLock lock(&mu_);
  auto empty = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return watchers_.empty(); };
  mu_.AwaitWithTimeout(absl::Condition(&empty), absl::Seconds(10));
}

}  // namespace regenatlas::timeline
