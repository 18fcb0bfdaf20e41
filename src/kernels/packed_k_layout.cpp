// Packing to the row-interleaved K-quant layout and single-row dequantization
// from it (see packed_k_layout.h). Load-time code, plain C++.
#include "kernels/packed_k_layout.h"

#include <cstring>
#include <string>
#include <type_traits>

#include "common/error.h"
#include "kernels/fp16.h"
#include "kernels/quant_blocks.h"

namespace pocketops::kernels::packed_k {
namespace {

template <bool kQ5>
size_t pack_q45_k(int g, int64_t rows, int64_t cols, const uint8_t* w, size_t ws, uint8_t* dst) {
  using Block = std::conditional_t<kQ5, BlockQ5_K, BlockQ4_K>;
  const size_t bytes = kQ5 ? q5_k_bytes(g) : q4_k_bytes(g);
  if (cols % QK_K != 0 || rows <= 0 || g <= 0) return 0;
  const int64_t nsb = cols / QK_K, ng = (rows + g - 1) / g;
  const size_t total = static_cast<size_t>(ng * nsb) * bytes;
  if (!dst) return total;
  const size_t vec = 4 * static_cast<size_t>(g);
  for (int64_t gi = 0; gi < ng; ++gi)
    for (int64_t sb = 0; sb < nsb; ++sb) {
      uint8_t* o = dst + static_cast<size_t>(gi * nsb + sb) * bytes;
      if ((gi + 1) * g > rows) std::memset(o, 0, bytes);  // padding rows: zero scales, mins and d
      for (int r = 0; r < g; ++r) {
        const int64_t row = gi * g + r;
        if (row >= rows) break;
        const Block* b = reinterpret_cast<const Block*>(w + row * ws) + sb;
        if constexpr (kQ5)
          for (int i = 0; i < 8; ++i) std::memcpy(o + q5_k_high(g) + i * vec + 4 * r, b->qh + 4 * i, 4);
        for (int c = 0; c < 4; ++c)
          for (int i = 0; i < 8; ++i) std::memcpy(o + (c * 8 + i) * vec + 4 * r, b->qs + 32 * c + 4 * i, 4);
        q45_k_row_meta(g, o, r, reinterpret_cast<const uint8_t*>(b));
      }
    }
  return total;
}

}  // namespace

void q45_k_row_meta(int g, uint8_t* o, int r, const uint8_t* block) {
  // Q4_K and Q5_K share the first 16 bytes: d, dmin, 12 bytes of scales
  const BlockQ4_K* b = reinterpret_cast<const BlockQ4_K*>(block);
  for (int j = 0; j < 8; ++j) {
    uint8_t sc, m;
    k_scale_min(j, b->scales, &sc, &m);
    o[q4_k_scales(g) + j * g + r] = sc;
    o[q4_k_mins(g) + (j / 2) * 2 * g + 2 * r + (j & 1)] = m;
  }
  std::memcpy(o + q4_k_d(g) + 2 * r, &b->d, 2);
  std::memcpy(o + q4_k_dmin(g) + 2 * r, &b->dmin, 2);
}

void q6_k_row_meta(int g, uint8_t* o, int r, const uint8_t* block) {
  const BlockQ6_K* b = reinterpret_cast<const BlockQ6_K*>(block);
  for (int j = 0; j < 16; ++j) o[q6_k_scales(g) + j * g + r] = static_cast<uint8_t>(b->scales[j]);
  std::memcpy(o + q6_k_d(g) + 2 * r, &b->d, 2);
}

size_t pack_q4_k(int g, int64_t rows, int64_t cols, const uint8_t* w, size_t ws, uint8_t* dst) {
  return pack_q45_k<false>(g, rows, cols, w, ws, dst);
}

size_t pack_q5_k(int g, int64_t rows, int64_t cols, const uint8_t* w, size_t ws, uint8_t* dst) {
  return pack_q45_k<true>(g, rows, cols, w, ws, dst);
}

size_t pack_q6_k(int g, int64_t rows, int64_t cols, const uint8_t* w, size_t ws, uint8_t* dst) {
  if (cols % QK_K != 0 || rows <= 0 || g <= 0) return 0;
  const size_t bytes = q6_k_bytes(g), vec = 4 * static_cast<size_t>(g);
  const int64_t nsb = cols / QK_K, ng = (rows + g - 1) / g;
  const size_t total = static_cast<size_t>(ng * nsb) * bytes;
  if (!dst) return total;
  // Byte-wise arithmetic on 4- and 8-byte words (SWAR: every shift is
  // masked back into its own byte, so the result does not depend on the
  // byte order) instead of byte by byte: the 110 MB Q6_K output matrix of a
  // 1.2B file is the longest single job of the load (~1.1 GB/s of source
  // either way in isolation, as GCC vectorized parts of the byte loops; in
  // a 1.2B Q4_0 load, 2 threads, the Q6_K job took 173-198 -> 126-167 ms).
  constexpr uint64_t kLo4 = 0x0F0F0F0F0F0F0F0Full, kLo2 = 0x0303030303030303ull;
  constexpr uint32_t kLo4w = 0x0F0F0F0Fu, kLo2w = 0x03030303u;
  uint8_t q[QK_K];
  for (int64_t gi = 0; gi < ng; ++gi)
    for (int64_t sb = 0; sb < nsb; ++sb) {
      uint8_t* o = dst + static_cast<size_t>(gi * nsb + sb) * bytes;
      if ((gi + 1) * g > rows) std::memset(o, 0, bytes);  // padding rows: zero scales and d
      else std::memset(o + q6_k_d(g) + 2 * g, 0, 2 * g);             // the tail padding
      for (int r = 0; r < g; ++r) {
        const int64_t row = gi * g + r;
        if (row >= rows) break;
        const BlockQ6_K* b = reinterpret_cast<const BlockQ6_K*>(w + row * ws) + sb;
        // unsigned 6-bit values in element order (ggml Q6_K bit layout), 8 at a time
        for (int h = 0; h < 2; ++h) {
          for (int l = 0; l < 32; l += 8) {
            uint64_t ql0, ql1, qh;
            std::memcpy(&ql0, b->ql + 64 * h + l, 8);
            std::memcpy(&ql1, b->ql + 64 * h + l + 32, 8);
            std::memcpy(&qh, b->qh + 32 * h + l, 8);
            const uint64_t y[4] = {(ql0 & kLo4) | ((qh & kLo2) << 4), (ql1 & kLo4) | (((qh >> 2) & kLo2) << 4),
                                   ((ql0 >> 4) & kLo4) | (((qh >> 4) & kLo2) << 4),
                                   ((ql1 >> 4) & kLo4) | (((qh >> 6) & kLo2) << 4)};
            for (int u = 0; u < 4; ++u) std::memcpy(q + 128 * h + 32 * u + l, &y[u], 8);
          }
        }
        // per step s and vector i: the 4 values 4i..4i+3 of sub-blocks s, s+4, s+8, s+12
        for (int s = 0; s < 4; ++s) {
          uint8_t* st = o + s * q6_k_step(g);
          for (int i = 0; i < 4; ++i) {
            uint32_t v[4];
            for (int u = 0; u < 4; ++u) std::memcpy(&v[u], q + 16 * (s + 4 * u) + 4 * i, 4);
            const uint32_t n0 = (v[0] & kLo4w) | ((v[1] & kLo4w) << 4);
            const uint32_t n1 = (v[2] & kLo4w) | ((v[3] & kLo4w) << 4);
            const uint32_t hb = ((v[0] >> 4) & kLo2w) | (((v[1] >> 4) & kLo2w) << 2) | (((v[2] >> 4) & kLo2w) << 4) |
                                (((v[3] >> 4) & kLo2w) << 6);
            std::memcpy(st + i * vec + 4 * r, &n0, 4);
            std::memcpy(st + (4 + i) * vec + 4 * r, &n1, 4);
            std::memcpy(st + (8 + i) * vec + 4 * r, &hb, 4);
          }
        }
        q6_k_row_meta(g, o, r, reinterpret_cast<const uint8_t*>(b));
      }
    }
  return total;
}

void row_q6_k(int g, const uint8_t* packed, int64_t cols, int64_t r, float* y) {
  const size_t bytes = q6_k_bytes(g), vec = 4 * static_cast<size_t>(g);
  const int64_t nsb = cols / QK_K, gi = r / g;
  const int rr = static_cast<int>(r % g);
  for (int64_t sb = 0; sb < nsb; ++sb) {
    const uint8_t* o = packed + static_cast<size_t>(gi * nsb + sb) * bytes;
    uint16_t dh;
    std::memcpy(&dh, o + q6_k_d(g) + 2 * rr, 2);
    const float d = fp16_to_fp32(dh);
    for (int sub = 0; sub < 16; ++sub) {
      const int s = sub % 4, u = sub / 4;
      const uint8_t* st = o + s * q6_k_step(g);
      const int sc = static_cast<int8_t>(o[q6_k_scales(g) + sub * g + rr]);
      for (int k = 0; k < 16; ++k) {
        const int i = k / 4, e = k % 4;
        const uint8_t nb = st[((u >> 1) * 4 + i) * vec + 4 * rr + e];
        const int lo = (u & 1) ? nb >> 4 : nb & 0xF;
        const int hi = (st[(8 + i) * vec + 4 * rr + e] >> (2 * u)) & 3;
        y[sb * QK_K + 16 * sub + k] = d * sc * ((lo | (hi << 4)) - 32);
      }
    }
  }
}

namespace {

// PackFn / PackedRowFn entries for a fixed group height
template <int G>
size_t pack_q4_k_g(int64_t rows, int64_t cols, const uint8_t* w, size_t ws, uint8_t* dst) {
  return pack_q4_k(G, rows, cols, w, ws, dst);
}
template <int G>
size_t pack_q5_k_g(int64_t rows, int64_t cols, const uint8_t* w, size_t ws, uint8_t* dst) {
  return pack_q5_k(G, rows, cols, w, ws, dst);
}
template <int G>
size_t pack_q6_k_g(int64_t rows, int64_t cols, const uint8_t* w, size_t ws, uint8_t* dst) {
  return pack_q6_k(G, rows, cols, w, ws, dst);
}
template <int G>
void row_q6_k_g(const uint8_t* packed, int64_t cols, int64_t r, float* y) {
  row_q6_k(G, packed, cols, r, y);
}

template <int G>
void fill_g(KernelSet& k) {
  k.pack[static_cast<int>(gguf::TensorType::Q4_K)] = pack_q4_k_g<G>;
  k.pack[static_cast<int>(gguf::TensorType::Q5_K)] = pack_q5_k_g<G>;
  k.pack[static_cast<int>(gguf::TensorType::Q6_K)] = pack_q6_k_g<G>;
  k.packed_row[static_cast<int>(gguf::TensorType::Q6_K)] = row_q6_k_g<G>;
}

}  // namespace

void fill_packing(KernelSet& k, int g) {
  if (g == 8) fill_g<8>(k);
  else if (g == 16) fill_g<16>(k);
  else throw Error("packed K-quant layout: unsupported group height " + std::to_string(g));
}

}  // namespace pocketops::kernels::packed_k
