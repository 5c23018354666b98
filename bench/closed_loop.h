#ifndef REGENATLAS_BENCH_CLOSED_LOOP_H_
#define REGENATLAS_BENCH_CLOSED_LOOP_H_

// The load generator's driver: a closed loop of unary calls through generic
// stubs, timed into a warmup and a measured window, and the summary of what
// completed within the window.

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "bench/latency_histogram.h"
#include "bench/loadgen_options.h"
#include "bench/loadgen_report.h"

namespace regenatlas::bench {

// The steady clock in nanoseconds since its epoch; the loop's time base.
int64_t NowNs();

// The closed loop: `concurrency` slots, each with one call in flight at a
// time; a slot's completion callback (on a gRPC thread) records the result
// and starts the slot's next call until the window ends; then Run() cancels
// the calls still in flight and waits until every slot has retired.
class ClosedLoop {
 public:
  // `o` must outlive the loop; slots are spread over `stubs` round-robin.
  ClosedLoop(const Options& o, std::vector<grpc::ByteBuffer> requests,
             std::vector<std::unique_ptr<grpc::GenericStub>> stubs);

  // Runs warmup + window; returns when every call has finished, or when the
  // calls still in flight outlast their deadline (then finished() is false).
  void Run();

  bool finished() const { return finished_; }
  size_t requests() const { return requests_.size(); }

  // What completed within the window (so far, while calls are in flight).
  RunSummary Summary() const;

 private:
  // One outstanding call at a time. `mu` guards the fields: they are set on
  // the thread that starts a call and read on the gRPC thread that completes
  // it, and the main thread cancels through `context`.
  struct Slot {
    grpc::GenericStub* stub = nullptr;
    std::mutex mu;
    std::unique_ptr<grpc::ClientContext> context;
    grpc::ByteBuffer response;
    int64_t start_ns = 0;
    bool in_flight = false;
  };

  // Starts the slot's next call, or retires the slot once the window is over
  // (checked under the slot's lock, so that Run() either sees the call in
  // flight and cancels it or the slot sees `stopping_`).
  void Issue(Slot* slot);
  void OnDone(Slot* slot, const grpc::Status& status);

  const Options& options_;
  const std::vector<grpc::ByteBuffer> requests_;
  const std::vector<std::unique_ptr<grpc::GenericStub>> stubs_;
  std::vector<std::unique_ptr<Slot>> slots_;
  int64_t window_start_ = 0;
  int64_t window_end_ = 0;
  std::atomic<uint64_t> next_request_{0};
  std::atomic<bool> stopping_{false};
  Histogram latency_;
  std::array<std::atomic<uint64_t>, kStatusCodes> errors_{};
  std::atomic<uint64_t> response_bytes_{0};
  int cancelled_at_end_ = 0;  // main thread only
  mutable std::mutex mu_;
  std::condition_variable done_;
  int active_ = 0;           // guarded by mu_
  std::string first_error_;  // guarded by mu_
  bool finished_ = false;
};

}  // namespace regenatlas::bench

#endif  // REGENATLAS_BENCH_CLOSED_LOOP_H_
