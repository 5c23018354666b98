#include "common/call_gate.h"

#include <atomic>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"

namespace regenatlas {
namespace {

struct Refusals {
  // Entries in `by_context`: lets the admitted path skip the lock.
  std::atomic<int> size{0};
  absl::Mutex mu;
  absl::flat_hash_map<const void*, grpc::Status> by_context ABSL_GUARDED_BY(mu);
};

Refusals& Table() {
  // Never destroyed: calls may end while the process exits.
  static Refusals* table = new Refusals;
  return *table;
}

}  // namespace

void RefuseCall(const grpc::ServerContextBase* context, grpc::Status status) {
  Refusals& t = Table();
  absl::MutexLock lock(&t.mu);
  if (t.by_context.insert_or_assign(context, std::move(status)).second) t.size.fetch_add(1);
}

std::optional<grpc::Status> TakeRefusal(const grpc::ServerContextBase* context) {
  Refusals& t = Table();
  // Acquire pairs with the release of the increment: a refusal recorded
  // before the handler ran (same call, gRPC orders the two) is seen.
  if (t.size.load(std::memory_order_acquire) == 0) return std::nullopt;
  absl::MutexLock lock(&t.mu);
  auto it = t.by_context.find(context);
  if (it == t.by_context.end()) return std::nullopt;
  grpc::Status status = std::move(it->second);
  t.by_context.erase(it);
  t.size.fetch_sub(1);
  return status;
}

void ForgetRefusal(const grpc::ServerContextBase* context) { (void)TakeRefusal(context); }

}  // namespace regenatlas
