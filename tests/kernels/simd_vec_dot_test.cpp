// SIMD dot products, GEMM tiles and matmul_with against the scalar reference
// for every kernel set this CPU has and every weight type.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "kernels/dequantize.h"
#include "kernels/dispatch.h"
#include "kernels/fp16.h"
#include "kernels/matmul.h"
#include "kernels/quant_blocks.h"
#include "kernels/quantize.h"
#include "kernels/thread_pool.h"
#include "kernels/vec_dot.h"

namespace pocketops::kernels {
namespace {

using gguf::TensorType;

const TensorType kTypes[] = {TensorType::F32,  TensorType::F16,  TensorType::BF16, TensorType::Q4_0,
                             TensorType::Q4_1, TensorType::Q5_0, TensorType::Q5_1, TensorType::Q8_0,
                             TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K};

std::vector<const KernelSet*> simd_sets() {
  std::vector<const KernelSet*> v;
  for (const KernelSet* k : available_kernel_sets())
    if (k->name != "scalar") v.push_back(k);
  return v;
}

int64_t block_of(TensorType t) { return gguf::type_info(t).block_size; }

// Byte offsets of the fp16 scale fields inside one block (patched to sane
// values when a block is filled with random bytes).
std::vector<size_t> fp16_fields(TensorType t) {
  switch (t) {
    case TensorType::Q4_0: case TensorType::Q5_0: case TensorType::Q8_0: return {0};
    case TensorType::Q4_1: case TensorType::Q5_1: case TensorType::Q4_K: case TensorType::Q5_K: return {0, 2};
    case TensorType::Q6_K: return {offsetof(BlockQ6_K, d)};
    default: return {};
  }
}

enum class Fill { kQuantized, kRawBytes, kZero };

// rows x n weights of type t.
std::vector<uint8_t> make_weights(TensorType t, int64_t rows, int64_t n, float mag, Fill fill, std::mt19937& rng) {
  const size_t rb = gguf::row_bytes(t, n);
  if (fill == Fill::kZero) {
    std::vector<float> z(rows * n, 0.f);
    return quantize_matrix(t, z.data(), rows, n);
  }
  if (fill == Fill::kRawBytes && !fp16_fields(t).empty()) {
    std::vector<uint8_t> w(rb * rows);
    std::uniform_int_distribution<int> byte(0, 255);
    for (auto& b : w) b = static_cast<uint8_t>(byte(rng));
    const size_t bs = gguf::type_info(t).type_size;
    std::uniform_real_distribution<float> sc(-0.05f * mag, 0.05f * mag);
    for (size_t off = 0; off < w.size(); off += bs)
      for (size_t f : fp16_fields(t)) {
        uint16_t h = fp32_to_fp16(sc(rng));
        std::memcpy(&w[off + f], &h, 2);
      }
    return w;
  }
  std::normal_distribution<float> nd(0.f, mag);
  std::vector<float> x(rows * n);
  for (auto& v : x) v = nd(rng);
  return quantize_matrix(t, x.data(), rows, n);
}

// Activation rows (already in activation format) from random floats.
std::vector<uint8_t> make_acts(TensorType t, int64_t n_tok, int64_t n, float mag, bool zero, std::mt19937& rng) {
  const TensorType at = activation_type(t);
  std::normal_distribution<float> nd(0.f, mag);
  std::vector<float> x(n_tok * n);
  for (auto& v : x) v = zero ? 0.f : nd(rng);
  const size_t ab = gguf::row_bytes(at, n);
  std::vector<uint8_t> a(ab * n_tok);
  for (int64_t r = 0; r < n_tok; ++r) quantize_row(at, x.data() + r * n, a.data() + r * ab, n);
  return a;
}

// Activation row -> floats (test-local: dequantize_row has no Q8_1 / Q8_K).
std::vector<float> act_floats(TensorType at, const uint8_t* a, int64_t n) {
  std::vector<float> f(n);
  if (at == TensorType::Q8_0 || at == TensorType::Q8_1) {
    const size_t bs = at == TensorType::Q8_0 ? sizeof(BlockQ8_0) : sizeof(BlockQ8_1);
    const size_t qoff = at == TensorType::Q8_0 ? offsetof(BlockQ8_0, qs) : offsetof(BlockQ8_1, qs);
    for (int64_t b = 0; b < n / QK; ++b) {
      uint16_t d;
      std::memcpy(&d, a + b * bs, 2);
      const int8_t* q = reinterpret_cast<const int8_t*>(a + b * bs + qoff);
      for (int j = 0; j < QK; ++j) f[b * QK + j] = fp16_to_fp32(d) * q[j];
    }
  } else if (at == TensorType::Q8_K) {
    const BlockQ8_K* y = reinterpret_cast<const BlockQ8_K*>(a);
    for (int64_t b = 0; b < n / QK_K; ++b)
      for (int j = 0; j < QK_K; ++j) f[b * QK_K + j] = y[b].d * y[b].qs[j];
  } else {
    dequantize_row(at, a, f.data(), n);
  }
  return f;
}

// Tolerance for one dot: float summation order only (integer sums are exact).
double tolerance(TensorType t, const uint8_t* w, const uint8_t* a, int64_t n) {
  std::vector<float> wf(n);
  dequantize_row(t, w, wf.data(), n);
  std::vector<float> af = act_floats(activation_type(t), a, n);
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += std::fabs(static_cast<double>(wf[i]) * af[i]);
  return 3e-5 * s + 1e-30;
}

std::vector<int64_t> lengths(TensorType t) {
  if (block_of(t) == QK_K) return {256, 512, 2048, 8192};
  if (block_of(t) == QK) return {32, 64, 96, 160, 2048, 8192};
  return {1, 7, 16, 33, 100, 256, 2048, 8191};
}

class SimdDot : public ::testing::TestWithParam<TensorType> {};

TEST_P(SimdDot, VecDotMatchesScalar) {
  const TensorType t = GetParam();
  const int ti = static_cast<int>(t);
  const auto sets = simd_sets();
  if (sets.empty()) GTEST_SKIP() << "no SIMD kernel set on this CPU";
  std::mt19937 rng(42 + ti);
  const VecDotFn ref = scalar_kernels().vec_dot[ti];
  int checked = 0;
  for (int64_t n : lengths(t)) {
    for (Fill fill : {Fill::kQuantized, Fill::kRawBytes, Fill::kZero}) {
      for (float mag : {1e-3f, 1.f, 1e3f}) {
        for (bool zero_act : {false, true}) {
          auto w = make_weights(t, 1, n, mag, fill, rng);
          auto a = make_acts(t, 1, n, mag, zero_act, rng);
          const float want = ref(n, w.data(), a.data());
          const double tol = tolerance(t, w.data(), a.data(), n);
          for (const KernelSet* k : sets) {
            if (!k->vec_dot[ti]) continue;
            const float got = k->vec_dot[ti](n, w.data(), a.data());
            ASSERT_NEAR(got, want, tol) << k->name << " " << gguf::type_name(t) << " n=" << n
                                        << " fill=" << static_cast<int>(fill) << " mag=" << mag;
            ++checked;
          }
        }
      }
    }
  }
  EXPECT_GT(checked, 0);
}

TEST_P(SimdDot, GemmTilesMatchScalar) {
  const TensorType t = GetParam();
  const int ti = static_cast<int>(t);
  std::mt19937 rng(7 + ti);
  const VecDotFn ref = scalar_kernels().vec_dot[ti];
  const TensorType at = activation_type(t);
  bool any = false;
  for (const KernelSet* k : simd_sets()) {
    if (!k->gemm[ti]) continue;
    any = true;
    for (int64_t n : {block_of(t) == QK_K ? int64_t{512} : int64_t{96}, int64_t{2048}}) {
      for (Fill fill : {Fill::kQuantized, Fill::kRawBytes}) {
        for (int64_t rows : {1, 3, 7, 17}) {
          for (int64_t toks : {1, 2, 3, 4, 5, 8, 9}) {
            const size_t rb = gguf::row_bytes(t, n), ab = gguf::row_bytes(at, n);
            auto w = make_weights(t, rows, n, 1.f, fill, rng);
            auto a = make_acts(t, toks, n, 1.f, false, rng);
            const int64_t ldy = rows + 3;
            std::vector<float> y(ldy * toks, -999.f);
            k->gemm[ti](n, w.data(), rb, rows, a.data(), ab, toks, y.data(), ldy);
            for (int64_t tk = 0; tk < toks; ++tk) {
              for (int64_t r = 0; r < rows; ++r) {
                const float want = ref(n, w.data() + r * rb, a.data() + tk * ab);
                ASSERT_NEAR(y[tk * ldy + r], want, tolerance(t, w.data() + r * rb, a.data() + tk * ab, n))
                    << k->name << " " << gguf::type_name(t) << " rows=" << rows << " toks=" << toks << " r=" << r
                    << " t=" << tk;
              }
              for (int64_t r = rows; r < ldy; ++r) ASSERT_EQ(y[tk * ldy + r], -999.f) << "wrote outside the tile";
            }
          }
        }
      }
    }
  }
  if (!any) GTEST_SKIP() << "no SIMD GEMM kernel for " << gguf::type_name(t);
}

TEST_P(SimdDot, MatmulWithActiveMatchesScalar) {
  const TensorType t = GetParam();
  std::mt19937 rng(99 + static_cast<int>(t));
  const int64_t cols = block_of(t) == QK_K ? 512 : 192, rows = 77;
  auto wbytes = make_weights(t, rows, cols, 0.5f, Fill::kQuantized, rng);
  Matrix w = dense_matrix(t, rows, cols, wbytes.data());
  for (int threads : {1, 2}) {
    ThreadPool pool(threads);
    for (int64_t n_tok : {1, 3, 70}) {
      const int64_t ldx = cols + 5, ldy = rows + 2;
      std::vector<float> x(ldx * n_tok);
      std::normal_distribution<float> nd(0.f, 1.f);
      for (auto& v : x) v = nd(rng);
      std::vector<float> want(ldy * n_tok, 0.f), got(ldy * n_tok, 0.f);
      matmul_with(scalar_kernels(), w, x.data(), ldx, n_tok, want.data(), ldy, pool);
      for (const KernelSet* k : available_kernel_sets()) {
        std::fill(got.begin(), got.end(), 0.f);
        matmul_with(*k, w, x.data(), ldx, n_tok, got.data(), ldy, pool);
        // activations are quantized identically, so only summation order differs
        std::vector<float> wf(cols);
        for (int64_t r = 0; r < rows; ++r) {
          dequantize_row(t, w.data + r * w.row_stride, wf.data(), cols);
          for (int64_t tk = 0; tk < n_tok; ++tk) {
            double mag = 0;
            for (int64_t c = 0; c < cols; ++c) mag += std::fabs(wf[c] * x[tk * ldx + c]);
            ASSERT_NEAR(got[tk * ldy + r], want[tk * ldy + r], 1e-4 * mag + 1e-6)
                << k->name << " " << gguf::type_name(t) << " threads=" << threads << " n_tok=" << n_tok;
          }
        }
        EXPECT_EQ(got[ldy - 1], 0.f) << "wrote into the ldy padding";
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Types, SimdDot, ::testing::ValuesIn(kTypes),
                         [](const auto& info) { return gguf::type_name(info.param); });

}  // namespace
}  // namespace pocketops::kernels
