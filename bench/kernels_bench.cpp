// Kernel micro-benchmarks: decode-shaped (1 token) and prefill-shaped (512
// tokens) matmuls per weight type and kernel set (weight GB/s and GMAC/s),
// and GQA attention over an F16 KV cache at depth (GMAC/s).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "kernels/attention.h"
#include "kernels/bandwidth.h"
#include "kernels/fp16.h"
#include "kernels/dispatch.h"
#include "kernels/matmul.h"
#include "kernels/quantize.h"
#include "kernels/thread_pool.h"

namespace {

using namespace pocketops;
using gguf::TensorType;

const std::vector<uint8_t>& weights(TensorType t, int64_t rows, int64_t cols) {
  static std::map<std::tuple<int, int64_t, int64_t>, std::vector<uint8_t>> cache;
  auto key = std::make_tuple(static_cast<int>(t), rows, cols);
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  std::mt19937 rng(1);
  std::normal_distribution<float> nd(0.f, 0.02f);
  std::vector<float> x(rows * cols);
  for (auto& v : x) v = nd(rng);
  return cache[key] = kernels::quantize_matrix(t, x.data(), rows, cols);
}

kernels::ThreadPool& pool() {
  // POCKETOPS_BENCH_THREADS overrides the thread count (default: all cores)
  static kernels::ThreadPool p(std::getenv("POCKETOPS_BENCH_THREADS") ? std::atoi(std::getenv("POCKETOPS_BENCH_THREADS"))
                                                                      : kernels::default_thread_count());
  return p;
}

// POCKETOPS_BENCH_BEST=N: every benchmark times N single calls itself and
// reports the fastest (best_us, and GB/s / GMAC/s from it) and the 10th
// percentile (p10_us) instead of a mean over a fixed time. On a shared,
// noisy host the mean moves 20-50% between minutes while the best call
// moves a few percent, so A/B comparisons of kernels (alternating two
// builds) resolve differences of ~3%.
int best_of() {
  static const int n = [] {
    const char* env = std::getenv("POCKETOPS_BENCH_BEST");
    return env ? std::max(1, std::atoi(env)) : 0;
  }();
  return n;
}

// Runs call() as the benchmark's timed body and sets its counters: per call
// `bytes` weight bytes read and `macs` multiply-adds (0: no such counter).
template <class F>
void measure(benchmark::State& state, double bytes, double macs, F&& call) {
  if (const int n = best_of()) {
    std::vector<double> us;
    for (auto _ : state) {  // one iteration (see timing())
      for (int i = 0; i < n; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        call();
        us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
      }
    }
    std::sort(us.begin(), us.end());
    state.counters["best_us"] = us[0];
    state.counters["p10_us"] = us[us.size() / 10];
    if (bytes > 0) state.counters["GB/s"] = bytes / us[0] / 1e3;
    if (macs > 0) state.counters["GMAC/s"] = macs / us[0] / 1e3;
    return;
  }
  for (auto _ : state) call();
  const double iters = static_cast<double>(state.iterations());
  if (bytes > 0) state.counters["GB/s"] = benchmark::Counter(iters * bytes / 1e9, benchmark::Counter::kIsRate);
  if (macs > 0) state.counters["GMAC/s"] = benchmark::Counter(iters * macs / 1e9, benchmark::Counter::kIsRate);
}

// A registered benchmark's run length: min_time seconds (0: the library's
// default), or a single iteration that times best_of() calls.
void timing(benchmark::internal::Benchmark* b, double min_time) {
  b->UseRealTime();
  if (best_of()) b->Iterations(1);
  else if (min_time > 0) b->MinTime(min_time);
}

// The sets to measure: every available one, and on Intel the avx512 set
// with vdpbf16ps for BF16 weights (the avx512 set itself keeps FMAs there),
// so the two can still be compared (BF16 rows under "avx512-dpbf16").
std::vector<const kernels::KernelSet*> bench_sets() {
  std::vector<const kernels::KernelSet*> v = kernels::available_kernel_sets();
  if (const kernels::KernelSet* dp = kernels::avx512_dpbf16_kernels()) v.push_back(dp);
  return v;
}

// The kernel set named `set`, or null after marking the benchmark skipped.
const kernels::KernelSet* find_set(benchmark::State& state, const std::string& set) {
  for (const kernels::KernelSet* k : bench_sets())
    if (k->name == set) return k;
  state.SkipWithError(("kernel set not available: " + set).c_str());
  return nullptr;
}

void run(benchmark::State& state, TensorType t, const std::string& set, int64_t rows, int64_t cols, int64_t n_tok,
         bool packed) {
  const kernels::KernelSet* ks = find_set(state, set);
  if (!ks) return;
  const auto& w = weights(t, rows, cols);
  kernels::Matrix m{t, rows, cols, w.data(), gguf::row_bytes(t, cols)};
  std::shared_ptr<const uint8_t> pbuf;  // load-time layout (what the engine runs)
  if (packed) pbuf = kernels::pack_matrix_with(*ks, m);
  std::vector<float> x(n_tok * cols), y(n_tok * rows);
  std::mt19937 rng(2);
  std::normal_distribution<float> nd(0.f, 1.f);
  for (auto& v : x) v = nd(rng);
  measure(state, static_cast<double>(w.size()), static_cast<double>(rows) * cols * n_tok, [&] {
    kernels::matmul_with(*ks, m, x.data(), cols, n_tok, y.data(), rows, pool());
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  });
}

// Decode out of cache: one packed matrix copied until the copies
// total ~256 MiB, multiplied in turn (as a forward pass streams its layers),
// so GB/s is DRAM streaming, comparable with read_probe below.
void stream(benchmark::State& state, TensorType t, int64_t rows, int64_t cols, int64_t n_tok) {
  const kernels::KernelSet& ks = kernels::active_kernels();
  const auto& w = weights(t, rows, cols);
  kernels::Matrix m{t, rows, cols, w.data(), gguf::row_bytes(t, cols)};
  std::shared_ptr<const uint8_t> first = kernels::pack_matrix_with(ks, m);
  const size_t bytes = first ? ks.pack[static_cast<int>(t)](rows, cols, w.data(), m.row_stride, nullptr) : w.size();
  const int copies = static_cast<int>(std::max<size_t>(2, (size_t(256) << 20) / bytes));
  std::vector<std::vector<uint8_t>> bufs(copies);
  std::vector<kernels::Matrix> ms(copies, m);
  const uint8_t* src = first ? first.get() : w.data();
  for (int i = 0; i < copies; ++i) {
    bufs[i].resize(bytes + 64);  // packed kernels want 64-byte alignment
    uint8_t* al = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(bufs[i].data()) + 63) & ~uintptr_t(63));
    std::copy(src, src + bytes, al);
    // Make every copy's pages distinct: identical copies measured well above
    // DRAM bandwidth on a VM here (pages deduplicated by the host, most
    // likely). The timing does not depend on the values.
    for (size_t o = 0; o < bytes; o += 64) al[o] ^= static_cast<uint8_t>(i * 37 + (o >> 12) + 1);
    (first ? ms[i].packed : ms[i].data) = al;
  }
  std::vector<float> x(n_tok * cols), y(n_tok * rows);
  std::mt19937 rng(2);
  std::normal_distribution<float> nd(0.f, 1.f);
  for (auto& v : x) v = nd(rng);
  int i = 0;
  measure(state, static_cast<double>(bytes), 0, [&] {
    kernels::matmul_with(ks, ms[i], x.data(), cols, n_tok, y.data(), rows, pool());
    i = (i + 1) % copies;
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  });
}

void read_probe(benchmark::State& state) {
  double gbs = 0;
  for (auto _ : state) gbs = kernels::read_bandwidth_gbs(pool(), size_t(256) << 20, 3);
  state.counters["GB/s"] = gbs;
}

// One KV head's attention for n_tok new tokens (4 query heads, head size 64,
// the 1.2B model's group) after `depth` cached positions, one thread.
void attention(benchmark::State& state, const std::string& set, int64_t n_tok, int64_t depth) {
  const kernels::KernelSet* ks = find_set(state, set);
  if (!ks) return;
  const int64_t n_q = 4, hd = 64, npos = depth + n_tok;
  std::mt19937 rng(3);
  std::normal_distribution<float> nd(0.f, 1.f);
  std::vector<float> q(n_tok * n_q * hd), out(n_tok * n_q * hd);
  std::vector<uint16_t> k(npos * hd), v(npos * hd);
  for (auto& x : q) x = nd(rng);
  for (auto& x : k) x = kernels::fp32_to_fp16(nd(rng));
  for (auto& x : v) x = kernels::fp32_to_fp16(nd(rng));
  kernels::AttnTile a{q.data(), n_q * hd, n_tok, n_q, k.data(), v.data(), hd, depth + 1, hd, 0.125f, out.data(), n_q * hd};
  a.bf16_ok = n_tok > 1;  // as for a long prompt of a quantized model (the amx set's BF16 tiles)
  // QK and PV: 2 x 64 MACs per query head and visible position
  const double macs = 2.0 * hd * n_q * (n_tok * (depth + 1) + n_tok * (n_tok - 1) / 2.0);
  measure(state, 0, macs, [&] {
    kernels::attention_f16_with(*ks, a);
    benchmark::DoNotOptimize(out.data());
  });
}

void register_all() {
  benchmark::RegisterBenchmark("stream/read_probe", read_probe)->Unit(benchmark::kMillisecond)->Iterations(3);
  auto add_stream = [](TensorType t, int64_t rows, int64_t cols, int64_t n_tok) {
    const std::string name = "stream_" + std::to_string(rows) + "x" + std::to_string(cols) + "/" +
                             gguf::type_name(t) + "/tok" + std::to_string(n_tok);
    timing(benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& st) { stream(st, t, rows, cols, n_tok); })
               ->Unit(benchmark::kMicrosecond),
           1.0);
  };
  for (TensorType t : {TensorType::Q4_0, TensorType::Q8_0, TensorType::Q4_K, TensorType::Q6_K, TensorType::BF16})
    for (int64_t n_tok : {1, 8}) add_stream(t, 8192, 2048, n_tok);
  // the smaller decode shapes of the 1.2B model (out_proj; ffn_down)
  add_stream(TensorType::Q4_0, 2048, 2048, 1);
  add_stream(TensorType::Q4_0, 2048, 8192, 1);
  for (const kernels::KernelSet* k : kernels::available_kernel_sets())
    for (int64_t n_tok : {1, 16, 64}) {
      const std::string set = k->name;
      const std::string name = "attn_tok" + std::to_string(n_tok) + "_depth2048/" + set;
      timing(benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& st) { attention(st, set, n_tok, 2048); })
                 ->Unit(benchmark::kMicrosecond),
             0);
    }
  const TensorType types[] = {TensorType::Q4_0, TensorType::Q8_0, TensorType::Q4_K, TensorType::Q6_K,
                              TensorType::Q5_K, TensorType::F16,  TensorType::BF16, TensorType::Q4_1,
                              TensorType::Q5_0, TensorType::Q5_1, TensorType::F32};
  struct Shape {
    const char* name;
    int64_t rows, cols, n_tok;
  };
  const Shape shapes[] = {{"decode_2048x2048", 2048, 2048, 1},
                          {"decode_8192x2048", 8192, 2048, 1},
                          {"decode_2048x8192", 2048, 8192, 1},
                          {"verify8_8192x2048", 8192, 2048, 8},
                          {"prefill512_2048x2048", 2048, 2048, 512},
                          // the 1.2B model's ffn_gate / ffn_up and ffn_down
                          {"prefill512_8192x2048", 8192, 2048, 512},
                          {"prefill512_2048x8192", 2048, 8192, 512}};
  for (const Shape& s : shapes) {
    for (TensorType t : types) {
      for (const kernels::KernelSet* k : bench_sets()) {
        const std::string set = k->name;
        if (k == kernels::avx512_dpbf16_kernels() && t != TensorType::BF16) continue;  // only BF16 differs
        // row-major file layout, and the packed layout when the set has one
        for (bool packed : {false, true}) {
          if (packed && !k->pack[static_cast<int>(t)]) continue;
          const std::string name =
              std::string(s.name) + "/" + gguf::type_name(t) + "/" + set + (packed ? "/packed" : "");
          auto* b = benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& st) {
            run(st, t, set, s.rows, s.cols, s.n_tok, packed);
          });
          timing(b->Unit(benchmark::kMicrosecond), s.n_tok > 1 ? 0.5 : 0);
        }
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
