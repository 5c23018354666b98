#ifndef REGENATLAS_BENCH_LOADGEN_CHANNEL_H_
#define REGENATLAS_BENCH_LOADGEN_CHANNEL_H_

// How regenatlas_loadgen reaches its target: its channels (one connection
// each) and the wait until the server's health is SERVING (--wait_ready).

#include <grpcpp/grpcpp.h>

#include <memory>
#include <string>

#include "absl/time/time.h"

namespace regenatlas::bench {

// A plaintext channel to `target` with its own connection (not shared with
// the other channels: `index` tells them apart) and no limit on response
// size; `fast_retry` reconnects every 10–100 ms instead of gRPC's backoff.
std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target, int index, bool fast_retry);

// Waits until the server's overall health is SERVING: one Watch stream with
// wait_for_ready (the call waits for the connection; the stream reports each
// change), or Check repeated every 10 ms when Watch is unimplemented.
// Returns an error message or "".
std::string WaitReady(const std::string& target, absl::Duration timeout);

}  // namespace regenatlas::bench

#endif  // REGENATLAS_BENCH_LOADGEN_CHANNEL_H_
