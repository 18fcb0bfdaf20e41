// SIMD attention over F16 KV rows and SwiGLU against the scalar references
// (odd lengths, several query-group sizes, extreme scores, non-64 head sizes).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "kernels/attention.h"
#include "kernels/dispatch.h"
#include "kernels/fp16.h"

namespace pocketops::kernels {
namespace {

// n_tok query tokens (token t sees npos0 + t positions), strides wider than
// the rows so that a kernel mixing up tokens, heads or strides fails.
void check_attention(int64_t n_tok, int64_t n_q, int64_t hd, int64_t npos0, int64_t stride_extra, float mag,
                     uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> nd(0.f, 1.f);
  const int64_t kv_stride = hd + stride_extra, q_stride = n_q * hd + 7, out_stride = n_q * hd + 5;
  const int64_t npos_max = npos0 + n_tok - 1;
  std::vector<float> q(n_tok * q_stride);
  for (auto& x : q) x = nd(rng) * mag;
  // one row past the last visible position holds garbage that must not be read into any result
  std::vector<uint16_t> k((npos_max + 1) * kv_stride), v((npos_max + 1) * kv_stride);
  for (auto& x : k) x = fp32_to_fp16(nd(rng));
  for (auto& x : v) x = fp32_to_fp16(nd(rng));
  for (int64_t e = 0; e < hd; ++e) k[npos_max * kv_stride + e] = v[npos_max * kv_stride + e] = 0x7E00;  // NaN
  const float scale = 1.f / std::sqrt(static_cast<float>(hd));
  const int64_t out_len = n_tok * out_stride + 3;
  std::vector<float> ref(out_len, 777.f);
  AttnTile a{q.data(), q_stride, n_tok, n_q, k.data(), v.data(), kv_stride, npos0, hd, scale, ref.data(), out_stride};
  std::vector<float> sc(attention_scratch(a));
  attention_f16_scalar(a, sc.data());
  // A set that rounds q, k, p and v to BF16 (KernelSet::bf16_attention, for
  // calls that need not be exact): each score moves by up to 2^-8 of
  // scale * sum_d |q_d k_d| (two 2^-9 roundings), each weight and value by
  // 2^-9 relative; the output by that times the largest visible |v|.
  auto bf16_tol = [&](int64_t t, int64_t h) {
    const float* qh = q.data() + t * q_stride + h * hd;
    double smax = 0, vmax = 0;
    for (int64_t j = 0; j < npos0 + t; ++j) {
      double s = 0;
      for (int64_t e = 0; e < hd; ++e) {
        s += std::fabs(qh[e] * fp16_to_fp32(k[j * kv_stride + e]));
        vmax = std::max<double>(vmax, std::fabs(fp16_to_fp32(v[j * kv_stride + e])));
      }
      smax = std::max(smax, s * scale);
    }
    return static_cast<float>((3.0 / 512 + 2.0 * smax / 256) * vmax + 1e-5);
  };
  // Every set as the model calls it for prompts of F32 / F16 models, and
  // for sets that may round to BF16: allowed to, and allowed but exact.
  struct Mode {
    bool bf16_ok, exact;
  };
  for (const KernelSet* ks : available_kernel_sets())
    for (Mode mode : {Mode{false, false}, Mode{true, false}, Mode{true, true}}) {
      if (mode.bf16_ok && !ks->bf16_attention) continue;  // the same kernels as without
      const bool exact = mode.exact || !mode.bf16_ok;     // a tight bound
      std::vector<float> out(out_len, 777.f);
      a.out = out.data();
      a.exact = mode.exact;
      a.bf16_ok = mode.bf16_ok;
      attention_f16_with(*ks, a);
      for (int64_t t = 0; t < n_tok; ++t) {
        for (int64_t i = n_q * hd; i < out_stride && t * out_stride + i < out_len; ++i)
          ASSERT_EQ(out[t * out_stride + i], 777.f) << "wrote between tokens' rows";
        std::vector<float> loose(n_q, 0.f);
        if (ks->bf16_attention && !exact)
          for (int64_t h = 0; h < n_q; ++h) loose[h] = bf16_tol(t, h);
        for (int64_t i = 0; i < n_q * hd; ++i) {
          const float r = ref[t * out_stride + i], o = out[t * out_stride + i];
          const float tight = 2e-5f * (1.f + std::fabs(r)) * std::sqrt(static_cast<float>(npos0 + t)) + 1e-5f;
          ASSERT_NEAR(o, r, std::max(tight, loose[i / hd]))
              << ks->name << (mode.exact ? " exact" : "") << (mode.bf16_ok ? " bf16_ok" : "") << " n_tok=" << n_tok << " n_q=" << n_q << " hd=" << hd
              << " npos0=" << npos0 << " t=" << t << " i=" << i;
        }
      }
      for (int i = 0; i < 3; ++i) ASSERT_EQ(out[out_len - 3 + i], 777.f) << "wrote past the output";
    }
}

TEST(Attention, MatchesScalar) {
  uint32_t seed = 1;
  for (int64_t n_q : {1, 4, 9})
    for (int64_t npos : {1, 2, 15, 16, 17, 100, 513})
      check_attention(1, n_q, 64, npos, 448, 1.f, seed++);
  check_attention(1, 4, 32, 33, 0, 1.f, seed++);
  check_attention(1, 2, 24, 19, 5, 1.f, seed++);  // head size not a multiple of 16
  check_attention(1, 4, 128, 40, 0, 1.f, seed++);
}

TEST(Attention, CausalTokenTilesMatchScalar) {
  // several tokens per call: each sees one more position than the one before
  uint32_t seed = 100;
  for (int64_t n_tok : {2, 3, 4, 5, 8, 13})
    for (int64_t n_q : {1, 3, 4, 8})
      for (int64_t npos0 : {1, 14, 16, 31, 70})
        check_attention(n_tok, n_q, 64, npos0, 448, 1.f, seed++);
  check_attention(4, 17, 64, 20, 0, 1.f, seed++);  // group wider than one tile
  // full 16-row tiles (a row per vector lane) with partial ones after them,
  // over many position blocks
  for (int64_t n_q : {1, 2, 4, 16})
    for (int64_t n_tok : {16 / n_q, 16 / n_q + 1, 32 / n_q + 3})
      for (int64_t npos0 : {1, 9, 300}) check_attention(n_tok, n_q, 64, npos0, 448, 1.f, seed++);
  check_attention(5, 2, 24, 9, 3, 1.f, seed++);
  check_attention(3, 4, 128, 21, 0, 1.f, seed++);
}

TEST(Attention, LongPromptTilesMatchScalar) {
  // the tiles of long prompts (the amx set's BF16 tiles: 16 tokens per
  // call, several calls' worth here, partial 16- and 32-position blocks)
  uint32_t seed = 300;
  for (int64_t n_tok : {8, 16, 21, 40})
    for (int64_t npos0 : {1, 17, 300, 1000}) check_attention(n_tok, 4, 64, npos0, 448, 1.f, seed++);
  check_attention(16, 1, 64, 33, 0, 1.f, seed++);
  check_attention(16, 9, 64, 70, 0, 1.f, seed++);
}

TEST(Attention, PeakedScoresStayFinite) {
  // huge query magnitudes: softmax saturates to one-hot without overflow
  check_attention(1, 4, 64, 50, 0, 200.f, 99);
  check_attention(4, 4, 64, 50, 0, 200.f, 98);
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
