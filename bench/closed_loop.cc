// The closed-loop driver of regenatlas_loadgen (bench/closed_loop.h).

#include "bench/closed_loop.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace regenatlas::bench {

using Clock = std::chrono::steady_clock;

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

ClosedLoop::ClosedLoop(const Options& o, std::vector<grpc::ByteBuffer> requests,
                       std::vector<std::unique_ptr<grpc::GenericStub>> stubs)
    : options_(o), requests_(std::move(requests)), stubs_(std::move(stubs)) {
  slots_.reserve(o.concurrency);
  for (int i = 0; i < o.concurrency; ++i) {
    auto slot = std::make_unique<Slot>();
    slot->stub = stubs_[i % stubs_.size()].get();
    slots_.push_back(std::move(slot));
  }
}

void ClosedLoop::Run() {
  const int64_t start = NowNs();
  window_start_ = start + absl::ToInt64Nanoseconds(options_.warmup);
  window_end_ = window_start_ + absl::ToInt64Nanoseconds(options_.duration);
  active_ = static_cast<int>(slots_.size());
  for (auto& slot : slots_) Issue(slot.get());
  // The window is a span of time: nothing to wait for but the clock.
  std::this_thread::sleep_until(Clock::time_point(std::chrono::nanoseconds(window_end_)));
  stopping_.store(true);
  for (auto& slot : slots_) {
    std::lock_guard<std::mutex> lock(slot->mu);
    if (slot->in_flight) {
      slot->context->TryCancel();
      ++cancelled_at_end_;
    }
  }
  std::unique_lock<std::mutex> lock(mu_);
  // Cancelled calls complete promptly; the per-call deadline bounds the rest.
  done_.wait_for(lock, absl::ToChronoNanoseconds(options_.timeout + absl::Seconds(5)),
                 [this] { return active_ == 0; });
  finished_ = active_ == 0;
}

RunSummary ClosedLoop::Summary() const {
  RunSummary s;
  s.ok = latency_.count();
  for (int c = 0; c < kStatusCodes; ++c) s.errors[c] = errors_[c].load();
  {
    std::lock_guard<std::mutex> lock(mu_);
    s.first_error = first_error_;
  }
  s.p50_ns = latency_.QuantileNs(0.50);
  s.p90_ns = latency_.QuantileNs(0.90);
  s.p99_ns = latency_.QuantileNs(0.99);
  s.p999_ns = latency_.QuantileNs(0.999);
  s.mean_ns = latency_.MeanNs();
  s.max_ns = static_cast<double>(latency_.MaxNs());
  s.response_bytes = response_bytes_.load();
  s.cancelled_at_end = cancelled_at_end_;
  return s;
}

void ClosedLoop::Issue(Slot* slot) {
  const grpc::ByteBuffer* request = &requests_[next_request_.fetch_add(1) % requests_.size()];
  grpc::ClientContext* context;
  grpc::ByteBuffer* response;
  {
    std::lock_guard<std::mutex> lock(slot->mu);
    const int64_t now = NowNs();
    if (stopping_.load() || now >= window_end_) {
      std::lock_guard<std::mutex> done_lock(mu_);
      if (--active_ == 0) done_.notify_all();
      return;
    }
    slot->context = std::make_unique<grpc::ClientContext>();
    slot->context->set_deadline(std::chrono::system_clock::now() +
                                absl::ToChronoNanoseconds(options_.timeout));
    for (const auto& [key, value] : options_.metadata) slot->context->AddMetadata(key, value);
    slot->response.Clear();
    slot->start_ns = now;
    slot->in_flight = true;
    context = slot->context.get();
    response = &slot->response;
  }
  slot->stub->UnaryCall(context, options_.method, grpc::StubOptions(), request, response,
                        [this, slot](grpc::Status status) { OnDone(slot, status); });
}

void ClosedLoop::OnDone(Slot* slot, const grpc::Status& status) {
  const int64_t end = NowNs();
  int64_t start;
  size_t bytes;
  {
    std::lock_guard<std::mutex> lock(slot->mu);
    slot->in_flight = false;
    start = slot->start_ns;
    bytes = slot->response.Length();
  }
  if (end >= window_start_ && end < window_end_) {
    if (status.ok()) {
      latency_.Record(end - start);
      response_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    } else {
      errors_[std::min<int>(status.error_code(), kStatusCodes - 1)].fetch_add(1);
      std::lock_guard<std::mutex> lock(mu_);
      if (first_error_.empty()) {
        first_error_ = absl::StrCat(CodeName(status.error_code()), ": ",
                                    status.error_message().substr(0, 300));
      }
    }
  }
  Issue(slot);
}

}  // namespace regenatlas::bench
