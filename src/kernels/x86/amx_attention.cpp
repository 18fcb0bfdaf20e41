// AMX-BF16 attention for the query tiles of long prompts (amx set; calls
// that accept BF16 rounding and need not reproduce decode: AttnTile::bf16_ok
// on, exact off, 8 or more tokens, head size 64). Per call (one KV head,
// its n_q query heads): K and V of the visible positions are converted once
// to BF16 B tiles (K transposed: a tile row holds one pair of dimensions of
// 16 positions; V: a row holds one pair of positions of 16 dimensions);
// each head's queries are A tiles (a row per token); the scores Q K^T come
// out of the tiles in fp32; softmax runs on them with AVX-512 and writes P
// back as BF16 A tiles; P V accumulates in four result tiles (64
// dimensions). q, k, p and v are rounded to BF16 (an 8-bit significand),
// every sum is fp32; the model allows it only for models whose matmuls
// round as much (KernelSet::bf16_attention, docs/kernels.md "AMX
// attention"). Everything else goes to the avx512 set's kernel.
#if defined(__x86_64__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // a GCC-only warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "kernels/attention.h"
#include "kernels/dispatch.h"
#include "kernels/x86/x86_sets.h"

namespace pocketops::kernels::x86 {
namespace {

#include "kernels/x86/amx_tiles.inc"    // configure_bf16, bf16_pairs, Scratch
#include "kernels/x86/avx512_math.inc"  // exp512, ldh, transpose16

AttnF16Fn g_attn_avx512 = nullptr;  // the avx512 set's kernel, for the other calls

constexpr int64_t kHd = 64, kTok = 16;  // head size; tokens per tile (rows of an A tile)
constexpr int64_t kMinTokens = 8;       // fewer: the conversions would cost more than they save

thread_local Scratch t_buf;

// K rows [0, n_pos) -> B tiles, 16 positions at a time: block b's two
// tiles at kt + 2048 b (dimensions 0-31, then 32-63); row r of a tile holds
// dimensions (2r, 2r + 1) of its 16 positions (zeros past n_pos).
void convert_k(const AttnTile& a, int64_t n_pos, uint8_t* kt) {
  for (int64_t j0 = 0; j0 < n_pos; j0 += 16) {
    __m512 lo[16], hi[16];  // position p's dimension pairs 0-15 and 16-31 as dwords
#pragma GCC unroll 1
    for (int p = 0; p < 16; ++p) {
      if (j0 + p < n_pos) {
        const uint16_t* kr = a.k + (j0 + p) * a.kv_stride;
        lo[p] = _mm512_castsi512_ps((__m512i)_mm512_cvtne2ps_pbh(ldh(kr + 16), ldh(kr)));
        hi[p] = _mm512_castsi512_ps((__m512i)_mm512_cvtne2ps_pbh(ldh(kr + 48), ldh(kr + 32)));
      } else {
        lo[p] = hi[p] = _mm512_setzero_ps();
      }
    }
    transpose16(lo);
    transpose16(hi);
    uint8_t* o = kt + (j0 / 16) * 2048;
#pragma GCC unroll 16
    for (int r = 0; r < 16; ++r) {
      _mm512_store_ps(reinterpret_cast<float*>(o + 64 * r), lo[r]);
      _mm512_store_ps(reinterpret_cast<float*>(o + 1024 + 64 * r), hi[r]);
    }
  }
}

// V rows [0, n_pos) -> B tiles, 32 positions at a time: block b's four
// tiles (dimensions 16c..16c+15) at vt + 4096 b + 1024 c; row r holds
// positions (2r, 2r + 1) of the block for the 16 dimensions (zeros past
// n_pos).
void convert_v(const AttnTile& a, int64_t n_pos, uint8_t* vt) {
  for (int64_t j0 = 0; j0 < n_pos; j0 += 32) {
    uint8_t* o = vt + (j0 / 32) * 4096;
    for (int r = 0; r < 16; ++r) {
      const int64_t j = j0 + 2 * r;
#pragma GCC unroll 4
      for (int c = 0; c < 4; ++c) {
        const __m512 x = j < n_pos ? ldh(a.v + j * a.kv_stride + 16 * c) : _mm512_setzero_ps();
        const __m512 y = j + 1 < n_pos ? ldh(a.v + (j + 1) * a.kv_stride + 16 * c) : _mm512_setzero_ps();
        _mm512_store_si512(o + 1024 * c + 64 * r, bf16_pairs(x, y));
      }
    }
  }
}

// Tokens [t0, t0 + m) of the call (m <= 16) for every query head, with K
// and V already converted. s: m rows of ns fp32 scores; pt: m x ns BF16 (A
// tiles of 32 positions, m rows each); qa: 2 A tiles; ob: 4 result tiles.
void token_tile(const AttnTile& a, int64_t t0, int m, const uint8_t* kt, const uint8_t* vt, float* s, int64_t ns,
                uint8_t* pt, uint8_t* qa, float* ob) {
  const int64_t last = a.npos0 + t0 + m - 1;  // positions the tile's last token sees
  const int64_t nb16 = (last + 15) / 16, nb32 = (last + 31) / 32;
  const __m512 scale = _mm512_set1_ps(a.scale);
  configure_bf16(m);
  for (int64_t h = 0; h < a.n_q; ++h) {
    // queries of head h as two A tiles (dimensions 0-31, 32-63)
    for (int t = 0; t < m; ++t) {
      const float* q = a.q + (t0 + t) * a.q_stride + h * kHd;
      _mm512_store_si512(qa + 64 * t, (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(q + 16), _mm512_loadu_ps(q)));
      _mm512_store_si512(qa + 1024 + 64 * t,
                         (__m512i)_mm512_cvtne2ps_pbh(_mm512_loadu_ps(q + 48), _mm512_loadu_ps(q + 32)));
    }
    _tile_loadd(4, qa, 64);
    _tile_loadd(5, qa + 1024, 64);
    for (int64_t b = 0; b < nb16; ++b) {
      _tile_zero(0);
      _tile_loadd(6, kt + 2048 * b, 64);
      _tile_loadd(7, kt + 2048 * b + 1024, 64);
      _tile_dpbf16ps(0, 4, 6);
      _tile_dpbf16ps(0, 5, 7);
      _tile_stored(0, s + 16 * b, static_cast<long>(ns * sizeof(float)));
    }
    // softmax per token over its visible positions; P as BF16 A tiles
    float inv[kTok];
    for (int t = 0; t < m; ++t) {
      float* st = s + t * ns;
      const int64_t vis = a.npos0 + t0 + t;
      __m512 mx = _mm512_set1_ps(-INFINITY);
      for (int64_t j = 0; j < vis; j += 16) {
        const __mmask16 mk = vis - j >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << (vis - j)) - 1);
        mx = _mm512_mask_max_ps(mx, mk, mx, _mm512_mul_ps(_mm512_loadu_ps(st + j), scale));
      }
      const __m512 vm = _mm512_set1_ps(_mm512_reduce_max_ps(mx));
      __m512 sum = _mm512_setzero_ps();
      for (int64_t j = 0; j < nb32 * 32; j += 32) {
        __m512 e[2];
#pragma GCC unroll 2
        for (int u = 0; u < 2; ++u) {
          const int64_t jj = j + 16 * u, left = vis - jj;
          const __mmask16 mk = left >= 16 ? static_cast<__mmask16>(0xFFFF)
                               : left <= 0 ? static_cast<__mmask16>(0)
                                           : static_cast<__mmask16>((1u << left) - 1);
          e[u] = mk ? _mm512_maskz_mov_ps(mk, exp512(_mm512_fmsub_ps(_mm512_maskz_loadu_ps(mk, st + jj), scale, vm)))
                    : _mm512_setzero_ps();
          sum = _mm512_add_ps(sum, e[u]);
        }
        _mm512_store_si512(pt + ((j / 32) * m + t) * 64, (__m512i)_mm512_cvtne2ps_pbh(e[1], e[0]));
      }
      inv[t] = 1.f / _mm512_reduce_add_ps(sum);
    }
    // P V over the 32-position blocks, four result tiles of 16 dimensions
    _tile_zero(0);
    _tile_zero(1);
    _tile_zero(2);
    _tile_zero(3);
    for (int64_t b = 0; b < nb32; ++b) {
      const uint8_t* vb = vt + 4096 * b;
      _tile_loadd(4, pt + b * m * 64, 64);
      _tile_loadd(6, vb, 64);
      _tile_dpbf16ps(0, 4, 6);
      _tile_loadd(7, vb + 1024, 64);
      _tile_dpbf16ps(1, 4, 7);
      _tile_loadd(6, vb + 2048, 64);
      _tile_dpbf16ps(2, 4, 6);
      _tile_loadd(7, vb + 3072, 64);
      _tile_dpbf16ps(3, 4, 7);
    }
    _tile_stored(0, ob, 256);
    _tile_stored(1, ob + 16, 256);
    _tile_stored(2, ob + 32, 256);
    _tile_stored(3, ob + 48, 256);
    for (int t = 0; t < m; ++t) {
      float* out = a.out + (t0 + t) * a.out_stride + h * kHd;
      const __m512 w = _mm512_set1_ps(inv[t]);
#pragma GCC unroll 4
      for (int c = 0; c < 4; ++c) _mm512_storeu_ps(out + 16 * c, _mm512_mul_ps(_mm512_load_ps(ob + 64 * t + 16 * c), w));
    }
  }
}

void attn_amx(const AttnTile& a, float* scores) {
  if (!a.bf16_ok || a.exact || a.hd != kHd || a.n_tok < kMinTokens) {
    g_attn_avx512(a, scores);
    return;
  }
  const int64_t n_pos = a.npos0 + a.n_tok - 1;  // positions the last token sees
  const int64_t ns = (n_pos + 31) / 32 * 32;     // score row stride: whole 32-position blocks
  const size_t kt_bytes = static_cast<size_t>((n_pos + 15) / 16) * 2048;
  const size_t vt_bytes = static_cast<size_t>(ns / 32) * 4096;
  const size_t s_bytes = static_cast<size_t>(kTok * ns) * sizeof(float), p_bytes = static_cast<size_t>(kTok * ns) * 2;
  uint8_t* buf = t_buf.get(kt_bytes + vt_bytes + s_bytes + p_bytes + 2048 + 4096);
  if (!buf) {  // no memory: the avx512 kernel needs none beyond `scores`
    g_attn_avx512(a, scores);
    return;
  }
  uint8_t* kt = buf;
  uint8_t* vt = kt + kt_bytes;
  float* s = reinterpret_cast<float*>(vt + vt_bytes);
  uint8_t* pt = reinterpret_cast<uint8_t*>(s) + s_bytes;
  uint8_t* qa = pt + p_bytes;
  float* ob = reinterpret_cast<float*>(qa + 2048);
  convert_k(a, n_pos, kt);
  convert_v(a, n_pos, vt);
  for (int64_t t0 = 0; t0 < a.n_tok; t0 += kTok) {
    const int m = static_cast<int>(a.n_tok - t0 < kTok ? a.n_tok - t0 : kTok);
    token_tile(a, t0, m, kt, vt, s, ns, pt, qa, ob);
  }
  _tile_release();
}

}  // namespace

void fill_amx_attention(KernelSet& k) {
  g_attn_avx512 = k.attn_f16;
  k.attn_f16 = attn_amx;
  k.attn_tokens = kTok;
  k.bf16_attention = true;
}

}  // namespace pocketops::kernels::x86
#endif
