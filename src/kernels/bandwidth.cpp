// Read-bandwidth probe: each thread sums its slice with the widest loads the
// best kernel set on this CPU has (KernelSet::read_sum; the scalar loop
// below elsewhere). On an Emerald Rapids VM the scalar loop read ~20% less
// than 512-bit loads, which made decode look faster than its roofline.
#include "kernels/bandwidth.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>

#include "common/error.h"
#include "kernels/dispatch.h"

namespace pocketops::kernels {

namespace {
uint64_t sum_words(const uint64_t* p, size_t n) {  // independent accumulators
  uint64_t a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    a += p[i];
    b += p[i + 1];
    c += p[i + 2];
    d += p[i + 3];
    e += p[i + 4];
    f += p[i + 5];
    g += p[i + 6];
    h += p[i + 7];
  }
  for (; i < n; ++i) a += p[i];
  return a + b + c + d + e + f + g + h;
}
}  // namespace

double read_bandwidth_gbs(ThreadPool& pool, size_t bytes, int passes) {
  const size_t words = std::max<size_t>(bytes / 8, 1024);
  std::unique_ptr<uint64_t, void (*)(void*)> buf(
      static_cast<uint64_t*>(std::aligned_alloc(64, (words * 8 + 63) / 64 * 64)), std::free);
  if (!buf) throw Error("bandwidth probe: cannot allocate " + std::to_string(words * 8) + " bytes");
  uint64_t* p = buf.get();
  const int nt = pool.size();
  const size_t per = (words + nt - 1) / nt;
  auto lo = [&](int t) { return std::min(words, per * t); };  // thread t's slice [lo(t), lo(t + 1))
  // Touch every page from the thread that will read it.
  pool.run_on_all([&](int t) {
    for (size_t i = lo(t); i < lo(t + 1); ++i) p[i] = i;
  });
  // The machine's bandwidth, whichever set the caller measures with.
  const ReadSumFn widest = available_kernel_sets().front()->read_sum;
  const ReadSumFn sum = widest ? widest : sum_words;
  std::atomic<uint64_t> sink{0};
  double best = 0;
  for (int k = 0; k < std::max(passes, 1); ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    pool.run_on_all([&](int t) { sink.fetch_add(sum(p + lo(t), lo(t + 1) - lo(t)), std::memory_order_relaxed); });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s > 0) best = std::max(best, static_cast<double>(words * 8) / s / 1e9);
  }
  return best;
}

}  // namespace pocketops::kernels
