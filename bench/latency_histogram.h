#ifndef REGENATLAS_BENCH_LATENCY_HISTOGRAM_H_
#define REGENATLAS_BENCH_LATENCY_HISTOGRAM_H_

// The load generator's latency histogram: lock-free recording from the gRPC
// completion threads, quantiles for the report.

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>

namespace regenatlas::bench {

// Latency histogram with log-linear (HDR-style) buckets: exact below 128 ns,
// then 128 buckets per power of two, so any recorded value is reported
// within 0.8 %; values up to 2^42 ns (73 min), larger ones land in the last
// bucket. Record() is lock-free and may be called from any thread.
class Histogram {
 public:
  Histogram() {
    for (std::atomic<uint64_t>& c : counts_) c.store(0, std::memory_order_relaxed);
  }

  void Record(int64_t ns) {
    const uint64_t v = ns < 0 ? 0 : static_cast<uint64_t>(ns);
    counts_[Index(v)].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(v, std::memory_order_relaxed);
    uint64_t max = max_.load(std::memory_order_relaxed);
    while (v > max && !max_.compare_exchange_weak(max, v, std::memory_order_relaxed)) {
    }
  }

  uint64_t count() const { return count_.load(); }
  double MeanNs() const { return count() == 0 ? 0 : static_cast<double>(sum_.load()) / count(); }
  uint64_t MaxNs() const { return max_.load(); }

  // The value at quantile q (0 < q <= 1): the middle of the bucket holding
  // the ceil(q * count)-th smallest value, capped at the exact maximum.
  double QuantileNs(double q) const {
    const uint64_t n = count();
    if (n == 0) return 0;
    const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(q * n)));
    uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
      seen += counts_[i].load(std::memory_order_relaxed);
      if (seen >= rank) {
        const double mid = LowerBound(i) + (Width(i) - 1) / 2.0;
        return std::min(mid, static_cast<double>(MaxNs()));
      }
    }
    return static_cast<double>(MaxNs());
  }

 private:
  static constexpr int kSubBits = 7;
  static constexpr uint64_t kSub = uint64_t{1} << kSubBits;
  static constexpr int kMaxExp = 42;
  static constexpr int kBuckets = static_cast<int>(kSub) * (kMaxExp - kSubBits + 2);

  static int Index(uint64_t v) {
    if (v < kSub) return static_cast<int>(v);
    int exp = 63 - __builtin_clzll(v);
    if (exp > kMaxExp) return kBuckets - 1;
    const int shift = exp - kSubBits;
    const uint64_t mantissa = (v >> shift) - kSub;
    return static_cast<int>(kSub + static_cast<uint64_t>(shift) * kSub + mantissa);
  }
  static uint64_t LowerBound(int i) {
    if (i < static_cast<int>(kSub)) return static_cast<uint64_t>(i);
    const int shift = i / static_cast<int>(kSub) - 1;
    return (kSub + static_cast<uint64_t>(i) % kSub) << shift;
  }
  static uint64_t Width(int i) {
    return i < static_cast<int>(kSub) ? 1 : uint64_t{1} << (i / static_cast<int>(kSub) - 1);
  }

  std::array<std::atomic<uint64_t>, kBuckets> counts_;
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_{0};
  std::atomic<uint64_t> max_{0};
};

}  // namespace regenatlas::bench

#endif  // REGENATLAS_BENCH_LATENCY_HISTOGRAM_H_
