// The AVX512-BF16 part of the avx512 set (the only file built with
// -mavx512bf16): BF16 weights with vdpbf16ps, one instruction per pair of
// columns of 16 rows and token, over the packed layout of
// avx512_packed_16bit.cpp (which the avx512vnni set uses with FMAs), and the
// row-major BF16 dot. vdpbf16ps flushes bf16 denormals to zero.
#if defined(__x86_64__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // a GCC-only warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstdint>
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/x86/x86_sets.h"

namespace pocketops::kernels::x86 {
namespace {

#include "kernels/x86/token_tiles.inc"
#include "kernels/x86/tile16.inc"

using gguf::TensorType;

// One column pair of 16 rows (dword r = (w[r][2 pair], w[r][2 pair + 1]))
// times T tokens' activations as BF16 pairs: one vdpbf16ps per token.
struct DpStep {
  template <int T>
  static inline void step(__m512* acc, const uint8_t* v, const uint8_t* a, size_t as, int64_t pair) {
    const __m512bh w = (__m512bh)_mm512_load_si512(v);
#pragma GCC unroll 8
    for (int t = 0; t < T; ++t) {
      int32_t x;
      std::memcpy(&x, a + t * as + pair * 4, 4);
      acc[t] = _mm512_dpbf16_ps(acc[t], w, (__m512bh)_mm512_set1_epi32(x));
    }
  }
};

void pg_bf16_dp(int64_t n, const uint8_t* packed, int64_t r0, int64_t n_rows, const uint8_t* a, size_t as, const void*,
                int64_t n_tok, float* y, int64_t ldy) {
  gemm16<DpStep>(n, packed, r0, n_rows, a, as, n_tok, y, ldy);
}

size_t prep_none(int64_t, const uint8_t*, size_t, int64_t, void*) { return 0; }

inline float bf16_f32(uint16_t h) {  // local (ISA safety rules)
  const uint32_t u = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

// Row-major BF16 x BF16 dot.
float vd_bf16_512(int64_t n, const void* vw, const void* va) {
  const uint16_t* w = static_cast<const uint16_t*>(vw);
  const uint16_t* a = static_cast<const uint16_t*>(va);
  __m512 s0 = _mm512_setzero_ps(), s1 = s0;
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    s0 = _mm512_dpbf16_ps(s0, (__m512bh)_mm512_loadu_si512(w + i), (__m512bh)_mm512_loadu_si512(a + i));
    s1 = _mm512_dpbf16_ps(s1, (__m512bh)_mm512_loadu_si512(w + i + 32), (__m512bh)_mm512_loadu_si512(a + i + 32));
  }
  for (; i + 32 <= n; i += 32)
    s0 = _mm512_dpbf16_ps(s0, (__m512bh)_mm512_loadu_si512(w + i), (__m512bh)_mm512_loadu_si512(a + i));
  float s = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
  for (; i < n; ++i) s += bf16_f32(w[i]) * bf16_f32(a[i]);
  return s;
}

}  // namespace

// packed_dp false keeps the FMA tiles of avx512_packed_16bit.cpp for packed
// BF16 weights (the caller decides per vendor, cpu_features.cpp): on an
// Emerald Rapids Xeon without AMX, vdpbf16ps issued at ~1.25 per ns per core
// against ~5.2 512-bit FMAs (40 against 84 G multiply-adds per second), so
// the FMA tiles were faster at every batch size (1.2B BF16: pp512 58-67 ->
// 97-100 tok/s, verify 8 1.69 -> 1.46x, decode the same); on Zen 4
// vdpbf16ps prefill is ~1.5x the FMA tiles.
void fill_avx512_bf16(KernelSet& k, bool packed_dp) {
  const int b = static_cast<int>(TensorType::BF16);
  k.vec_dot[b] = vd_bf16_512;
  if (packed_dp && k.pack[b]) {  // same packed layout (avx512_packed_16bit.cpp), BF16 activations as they are
    k.packed_gemm[b] = pg_bf16_dp;
    k.packed_prep[b] = prep_none;
  }
}

}  // namespace pocketops::kernels::x86
#endif
