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
        for (int j = 0; j < 8; ++j) {
          uint8_t sc, m;
          k_scale_min(j, b->scales, &sc, &m);
          o[q4_k_scales(g) + j * g + r] = sc;
          o[q4_k_mins(g) + (j / 2) * 2 * g + 2 * r + (j & 1)] = m;
        }
        std::memcpy(o + q4_k_d(g) + 2 * r, &b->d, 2);
        std::memcpy(o + q4_k_dmin(g) + 2 * r, &b->dmin, 2);
      }
    }
  return total;
}

}  // namespace

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
        // unsigned 6-bit values in element order (ggml Q6_K bit layout)
        for (int h = 0; h < 2; ++h) {
          const uint8_t* ql = b->ql + 64 * h;
          const uint8_t* qh = b->qh + 32 * h;
          uint8_t* y = q + 128 * h;
          for (int l = 0; l < 32; ++l) {
            y[l] = static_cast<uint8_t>((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4));
            y[l + 32] = static_cast<uint8_t>((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4));
            y[l + 64] = static_cast<uint8_t>((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4));
            y[l + 96] = static_cast<uint8_t>((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4));
          }
        }
        for (int s = 0; s < 4; ++s) {
          uint8_t* st = o + s * q6_k_step(g);
          for (int i = 0; i < 4; ++i)
            for (int e = 0; e < 4; ++e) {
              const int k = 4 * i + e;
              auto v = [&](int sub) { return q[16 * sub + k]; };
              st[i * vec + 4 * r + e] = static_cast<uint8_t>((v(s) & 0xF) | ((v(s + 4) & 0xF) << 4));
              st[(4 + i) * vec + 4 * r + e] = static_cast<uint8_t>((v(s + 8) & 0xF) | ((v(s + 12) & 0xF) << 4));
              st[(8 + i) * vec + 4 * r + e] = static_cast<uint8_t>((v(s) >> 4) | ((v(s + 4) >> 4) << 2) |
                                                                   ((v(s + 8) >> 4) << 4) | ((v(s + 12) >> 4) << 6));
            }
        }
        for (int j = 0; j < 16; ++j) o[q6_k_scales(g) + j * g + r] = static_cast<uint8_t>(b->scales[j]);
        std::memcpy(o + q6_k_d(g) + 2 * r, &b->d, 2);
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
