// SIMD attention over F16 KV rows and SwiGLU against the scalar references
// (odd lengths, several query-group sizes, extreme scores, non-64 head sizes).
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "kernels/attention.h"
#include "kernels/dispatch.h"
#include "kernels/fp16.h"

namespace pocketops::kernels {
namespace {

void check_attention(int64_t n_q, int64_t hd, int64_t npos, int64_t stride_extra, float mag, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.f, 1.f);
  const int64_t kv_stride = hd + stride_extra;
  std::vector<float> q(n_q * hd);
  for (auto& x : q) x = nd(rng) * mag;
  std::vector<uint16_t> k(npos * kv_stride), v(npos * kv_stride);
  for (auto& x : k) x = fp32_to_fp16(nd(rng));
  for (auto& x : v) x = fp32_to_fp16(nd(rng));
  std::vector<float> sc(n_q * npos), ref(n_q * hd);
  const float scale = 1.f / std::sqrt(static_cast<float>(hd));
  attention_f16_scalar(q.data(), n_q, k.data(), v.data(), kv_stride, npos, hd, scale, sc.data(), ref.data());
  for (const KernelSet* ks : available_kernel_sets()) {
    std::vector<float> out(n_q * hd + 3, 777.f);
    attention_f16_with(*ks, q.data(), n_q, k.data(), v.data(), kv_stride, npos, hd, scale, out.data());
    for (int i = 0; i < 3; ++i) ASSERT_EQ(out[n_q * hd + i], 777.f) << "wrote past the output";
    for (int64_t i = 0; i < n_q * hd; ++i)
      ASSERT_NEAR(out[i], ref[i], 2e-5f * (1.f + std::fabs(ref[i])) * std::sqrt(static_cast<float>(npos)) + 1e-5f)
          << ks->name << " n_q=" << n_q << " hd=" << hd << " npos=" << npos << " i=" << i;
  }
}

TEST(Attention, MatchesScalar) {
  uint32_t seed = 1;
  for (int64_t n_q : {1, 4, 9})
    for (int64_t npos : {1, 2, 15, 16, 17, 100, 513})
      check_attention(n_q, 64, npos, 448, 1.f, seed++);
  check_attention(4, 32, 33, 0, 1.f, seed++);
  check_attention(2, 24, 19, 5, 1.f, seed++);  // head size not a multiple of 16
  check_attention(4, 128, 40, 0, 1.f, seed++);
}

TEST(Attention, PeakedScoresStayFinite) {
  // huge query magnitudes: softmax saturates to one-hot without overflow
  check_attention(4, 64, 50, 0, 200.f, 99);
}

TEST(Swiglu, MatchesScalar) {
  std::mt19937 rng(5);
  std::normal_distribution<float> nd(0.f, 4.f);
  for (int64_t n : {1, 15, 16, 17, 1000}) {
    std::vector<float> g(n), u(n), ref(n);
    for (auto& x : g) x = nd(rng);
    for (auto& x : u) x = nd(rng);
    if (n > 4) {
      g[0] = 100.f;
      g[1] = -100.f;
      g[2] = 0.f;
      g[3] = -1e-30f;
    }
    swiglu_scalar(g.data(), u.data(), ref.data(), n);
    for (const KernelSet* ks : available_kernel_sets()) {
      std::vector<float> y(n + 1, 777.f);
      swiglu_with(*ks, g.data(), u.data(), y.data(), n);
      ASSERT_EQ(y[n], 777.f);
      for (int64_t i = 0; i < n; ++i)
        ASSERT_NEAR(y[i], ref[i], 3e-6f * std::fabs(ref[i]) + 1e-30f) << ks->name << " n=" << n << " g=" << g[i];
    }
  }
  // NaN propagates
  float g = NAN, u = 1.f, y = 0.f;
  for (const KernelSet* ks : available_kernel_sets()) {
    swiglu_with(*ks, &g, &u, &y, 1);
    EXPECT_TRUE(std::isnan(y)) << ks->name;
  }
}

}  // namespace
}  // namespace pocketops::kernels
