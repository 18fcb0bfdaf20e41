// AVX-512 (F/BW/VL/DQ + VNNI) kernels: the shared 256-bit kernels with
// vpdpbusd integer dot products, a 512-bit F32 dot, and the packed 512-bit
// kernels. This is the avx512vnni set (Cascade Lake / Ice Lake servers);
// the avx512 set adds the BF16 kernels of avx512bf16_packed.cpp on top.
#if defined(__x86_64__)
// GCC 12 warns about _mm512_undefined_* inside its own intrinsic headers.
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // a GCC-only warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/quant_blocks.h"
#include "kernels/x86/x86_sets.h"

namespace pocketops::kernels::x86 {
namespace {
#define PO_VNNI 1
#include "kernels/x86/dot256.inc"
#include "kernels/x86/gemm256.inc"
#undef PO_VNNI

float vd_f32_512(int64_t n, const void* vw, const void* va) {
  const float* w = static_cast<const float*>(vw);
  const float* a = static_cast<const float*>(va);
  __m512 s0 = _mm512_setzero_ps(), s1 = s0;
  int64_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm512_fmadd_ps(_mm512_loadu_ps(w + i), _mm512_loadu_ps(a + i), s0);
    s1 = _mm512_fmadd_ps(_mm512_loadu_ps(w + i + 16), _mm512_loadu_ps(a + i + 16), s1);
  }
  for (; i + 16 <= n; i += 16) s0 = _mm512_fmadd_ps(_mm512_loadu_ps(w + i), _mm512_loadu_ps(a + i), s0);
  float s = _mm512_reduce_add_ps(_mm512_add_ps(s0, s1));
  for (; i < n; ++i) s += w[i] * a[i];
  return s;
}

// Bandwidth probe (KernelSet::read_sum): 512-bit loads, four accumulators
// (measured here ~20% above the scalar loop on an Emerald Rapids VM).
uint64_t read_sum_512(const uint64_t* p, size_t words) {
  __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0;
  size_t i = 0;
  for (; i + 32 <= words; i += 32) {
    s0 = _mm512_add_epi64(s0, _mm512_loadu_si512(p + i));
    s1 = _mm512_add_epi64(s1, _mm512_loadu_si512(p + i + 8));
    s2 = _mm512_add_epi64(s2, _mm512_loadu_si512(p + i + 16));
    s3 = _mm512_add_epi64(s3, _mm512_loadu_si512(p + i + 24));
  }
  // lanes summed as unsigned (_mm512_reduce_add_epi64 adds as signed long
  // long: overflow, undefined, in GCC's header)
  alignas(64) uint64_t lanes[8];
  _mm512_store_si512(lanes, _mm512_add_epi64(_mm512_add_epi64(s0, s1), _mm512_add_epi64(s2, s3)));
  uint64_t s = 0;
  for (uint64_t v : lanes) s += v;
  for (; i < words; ++i) s += p[i];
  return s;
}

}  // namespace

void fill_avx512_kernels(KernelSet& k) {
  fill_256(k);
  fill_gemm_256(k);
  k.vec_dot[static_cast<int>(TensorType::F32)] = vd_f32_512;
  k.read_sum = read_sum_512;
  // F16 keeps the 256-bit kernel: measured faster on Zen 4 than 512-bit
  // vcvtph2ps; so does BF16 unless the CPU has vdpbf16ps (fill_avx512_bf16).
  fill_avx512_packed(k);
  fill_avx512_packed_k(k);
  fill_avx512_packed_16bit(k);
  fill_avx512_rows(k);
}

}  // namespace pocketops::kernels::x86
#endif
