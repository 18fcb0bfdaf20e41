// Scalar reference quantizers. Activation quantizers follow the reference
// engine's rounding (roundf / nearest-int) so integer dot products agree.
#include "kernels/quantize.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "common/error.h"
#include "kernels/fp16.h"
#include "kernels/quant_blocks.h"

namespace pocketops::kernels {

using gguf::TensorType;

namespace {

inline int nearest_int(float f) { return static_cast<int>(std::lrintf(f)); }

void q8_0(const float* x, BlockQ8_0* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += QK) {
    float amax = 0;
    for (int j = 0; j < QK; ++j) amax = std::max(amax, std::fabs(x[j]));
    float d = amax / 127.f, id = d ? 1.f / d : 0.f;
    y[i].d = fp32_to_fp16(d);
    for (int j = 0; j < QK; ++j) y[i].qs[j] = static_cast<int8_t>(std::roundf(x[j] * id));
  }
}

void q8_1(const float* x, BlockQ8_1* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += QK) {
    float amax = 0;
    for (int j = 0; j < QK; ++j) amax = std::max(amax, std::fabs(x[j]));
    float d = amax / 127.f, id = d ? 1.f / d : 0.f;
    y[i].d = fp32_to_fp16(d);
    int sum = 0;
    for (int j = 0; j < QK; ++j) {
      y[i].qs[j] = static_cast<int8_t>(std::roundf(x[j] * id));
      sum += y[i].qs[j];
    }
    y[i].s = fp32_to_fp16(sum * d);
  }
}

void q8_k(const float* x, BlockQ8_K* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += QK_K) {
    float amax = 0, maxv = 0;
    for (int j = 0; j < QK_K; ++j) {
      float ax = std::fabs(x[j]);
      if (ax > amax) {
        amax = ax;
        maxv = x[j];
      }
    }
    if (amax == 0) {
      y[i].d = 0;
      std::memset(y[i].qs, 0, sizeof(y[i].qs));
      std::memset(y[i].bsums, 0, sizeof(y[i].bsums));
      continue;
    }
    float iscale = -127.f / maxv;
    for (int j = 0; j < QK_K; ++j) y[i].qs[j] = static_cast<int8_t>(std::min(127, nearest_int(iscale * x[j])));
    for (int j = 0; j < QK_K / 16; ++j) {
      int s = 0;
      for (int l = 0; l < 16; ++l) s += y[i].qs[j * 16 + l];
      y[i].bsums[j] = static_cast<int16_t>(s);
    }
    y[i].d = 1.f / iscale;
  }
}

void q4_0(const float* x, BlockQ4_0* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += QK) {
    float amax = 0, maxv = 0;
    for (int j = 0; j < QK; ++j)
      if (std::fabs(x[j]) > amax) amax = std::fabs(x[j]), maxv = x[j];
    float d = maxv / -8.f, id = d ? 1.f / d : 0.f;
    y[i].d = fp32_to_fp16(d);
    for (int j = 0; j < QK / 2; ++j) {
      int a = std::min(15, static_cast<int>(x[j] * id + 8.5f));
      int b = std::min(15, static_cast<int>(x[j + QK / 2] * id + 8.5f));
      y[i].qs[j] = static_cast<uint8_t>(a | (b << 4));
    }
  }
}

void q4_1(const float* x, BlockQ4_1* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += QK) {
    float mn = x[0], mx = x[0];
    for (int j = 1; j < QK; ++j) mn = std::min(mn, x[j]), mx = std::max(mx, x[j]);
    float d = (mx - mn) / 15.f, id = d ? 1.f / d : 0.f;
    y[i].d = fp32_to_fp16(d);
    y[i].m = fp32_to_fp16(mn);
    for (int j = 0; j < QK / 2; ++j) {
      int a = std::min(15, static_cast<int>((x[j] - mn) * id + 0.5f));
      int b = std::min(15, static_cast<int>((x[j + QK / 2] - mn) * id + 0.5f));
      y[i].qs[j] = static_cast<uint8_t>(a | (b << 4));
    }
  }
}

template <typename B>
void q5_common(const float* x, B* y, bool with_min, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += QK) {
    float d, id, mn = 0;
    if (with_min) {
      float mx = x[0];
      mn = x[0];
      for (int j = 1; j < QK; ++j) mn = std::min(mn, x[j]), mx = std::max(mx, x[j]);
      d = (mx - mn) / 31.f;
    } else {
      float amax = 0, maxv = 0;
      for (int j = 0; j < QK; ++j)
        if (std::fabs(x[j]) > amax) amax = std::fabs(x[j]), maxv = x[j];
      d = maxv / -16.f;
    }
    id = d ? 1.f / d : 0.f;
    y[i].d = fp32_to_fp16(d);
    if constexpr (sizeof(B) == sizeof(BlockQ5_1)) y[i].m = fp32_to_fp16(mn);
    uint32_t qh = 0;
    for (int j = 0; j < QK / 2; ++j) {
      float off = with_min ? 0.5f : 16.5f;
      int a = std::min(31, static_cast<int>((x[j] - mn) * id + off));
      int b = std::min(31, static_cast<int>((x[j + QK / 2] - mn) * id + off));
      y[i].qs[j] = static_cast<uint8_t>((a & 0xF) | ((b & 0xF) << 4));
      qh |= static_cast<uint32_t>((a >> 4) & 1) << j;
      qh |= static_cast<uint32_t>((b >> 4) & 1) << (j + 16);
    }
    std::memcpy(y[i].qh, &qh, 4);
  }
}

// Packs 8 six-bit scales and mins into the 12-byte K-quant layout.
void pack_k_scales(const uint8_t* ls, const uint8_t* lm, uint8_t* s) {
  std::memset(s, 0, 12);
  for (int j = 0; j < 8; ++j) {
    if (j < 4) {
      s[j] = ls[j];
      s[j + 4] = lm[j];
    } else {
      s[j + 4] = (ls[j] & 0xF) | ((lm[j] & 0xF) << 4);
      s[j - 4] |= (ls[j] >> 4) << 6;
      s[j] |= (lm[j] >> 4) << 6;
    }
  }
}

// Shared Q4_K / Q5_K: per 32-element sub-block an affine scale/min, both
// quantized to 6 bits against the super-block's d / dmin. levels = 15 or 31.
void k_affine(const float* x, int levels, uint16_t* d_out, uint16_t* dmin_out, uint8_t* scales, uint8_t* L) {
  float sc[8], mn[8];
  float max_sc = 0, max_mn = 0;
  for (int j = 0; j < 8; ++j) {
    const float* v = x + 32 * j;
    float lo = v[0], hi = v[0];
    for (int l = 1; l < 32; ++l) lo = std::min(lo, v[l]), hi = std::max(hi, v[l]);
    lo = std::min(lo, 0.f);
    sc[j] = (hi - lo) / levels;
    mn[j] = -lo;
    max_sc = std::max(max_sc, sc[j]);
    max_mn = std::max(max_mn, mn[j]);
  }
  float d = max_sc / 63.f, dmin = max_mn / 63.f;
  uint8_t ls[8], lm[8];
  for (int j = 0; j < 8; ++j) {
    ls[j] = static_cast<uint8_t>(std::min(63, d ? nearest_int(sc[j] / d) : 0));
    lm[j] = static_cast<uint8_t>(std::min(63, dmin ? nearest_int(mn[j] / dmin) : 0));
  }
  *d_out = fp32_to_fp16(d);
  *dmin_out = fp32_to_fp16(dmin);
  pack_k_scales(ls, lm, scales);
  float dd = fp16_to_fp32(*d_out), dm = fp16_to_fp32(*dmin_out);
  for (int j = 0; j < 8; ++j) {
    float s = dd * ls[j], m = dm * lm[j];
    for (int l = 0; l < 32; ++l) {
      int q = s ? nearest_int((x[32 * j + l] + m) / s) : 0;
      L[32 * j + l] = static_cast<uint8_t>(std::clamp(q, 0, levels));
    }
  }
}

void q4_k(const float* x, BlockQ4_K* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += QK_K) {
    uint8_t L[QK_K];
    k_affine(x, 15, &y[i].d, &y[i].dmin, y[i].scales, L);
    uint8_t* q = y[i].qs;
    for (int j = 0; j < QK_K; j += 64, q += 32)
      for (int l = 0; l < 32; ++l) q[l] = static_cast<uint8_t>(L[j + l] | (L[j + l + 32] << 4));
  }
}

void q5_k(const float* x, BlockQ5_K* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += QK_K) {
    uint8_t L[QK_K];
    k_affine(x, 31, &y[i].d, &y[i].dmin, y[i].scales, L);
    std::memset(y[i].qh, 0, sizeof(y[i].qh));
    uint8_t* ql = y[i].qs;
    uint8_t m1 = 1, m2 = 2;
    for (int n = 0; n < QK_K; n += 64, ql += 32, m1 <<= 2, m2 <<= 2) {
      for (int j = 0; j < 32; ++j) {
        int l1 = L[n + j], l2 = L[n + j + 32];
        if (l1 > 15) l1 -= 16, y[i].qh[j] |= m1;
        if (l2 > 15) l2 -= 16, y[i].qh[j] |= m2;
        ql[j] = static_cast<uint8_t>(l1 | (l2 << 4));
      }
    }
  }
}

void q6_k(const float* x, BlockQ6_K* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, x += QK_K) {
    float scales[16];
    float max_scale = 0, max_abs_scale = 0;
    for (int ib = 0; ib < 16; ++ib) {
      float amax = 0, maxv = 0;
      for (int l = 0; l < 16; ++l)
        if (std::fabs(x[16 * ib + l]) > amax) amax = std::fabs(x[16 * ib + l]), maxv = x[16 * ib + l];
      scales[ib] = maxv / -32.f;
      if (std::fabs(scales[ib]) > max_abs_scale) max_abs_scale = std::fabs(scales[ib]), max_scale = scales[ib];
    }
    uint8_t L[QK_K] = {};
    if (max_abs_scale == 0) {
      std::memset(&y[i], 0, sizeof(BlockQ6_K));
      for (int l = 0; l < QK_K / 2; ++l) y[i].ql[l] = 0;  // all zero weights
      // q = 32 means 0; encode it so dequantization yields exact zeros.
      for (int l = 0; l < QK_K; ++l) L[l] = 32;
    } else {
      float iscale = -128.f / max_scale;
      y[i].d = fp32_to_fp16(1.f / iscale);
      for (int ib = 0; ib < 16; ++ib) y[i].scales[ib] = static_cast<int8_t>(std::min(127, nearest_int(iscale * scales[ib])));
      float d = fp16_to_fp32(y[i].d);
      for (int ib = 0; ib < 16; ++ib) {
        float ds = d * y[i].scales[ib];
        for (int l = 0; l < 16; ++l) {
          int q = ds ? nearest_int(x[16 * ib + l] / ds) : 0;
          L[16 * ib + l] = static_cast<uint8_t>(std::clamp(q, -32, 31) + 32);
        }
      }
    }
    uint8_t* ql = y[i].ql;
    uint8_t* qh = y[i].qh;
    for (int j = 0; j < QK_K; j += 128, ql += 64, qh += 32) {
      for (int l = 0; l < 32; ++l) {
        uint8_t a = L[j + l], b = L[j + l + 32], c = L[j + l + 64], e = L[j + l + 96];
        ql[l] = static_cast<uint8_t>((a & 0xF) | ((c & 0xF) << 4));
        ql[l + 32] = static_cast<uint8_t>((b & 0xF) | ((e & 0xF) << 4));
        qh[l] = static_cast<uint8_t>((a >> 4) | ((b >> 4) << 2) | ((c >> 4) << 4) | ((e >> 4) << 6));
      }
    }
  }
}

}  // namespace

bool can_quantize(TensorType t) {
  switch (t) {
    case TensorType::F32: case TensorType::F16: case TensorType::BF16: case TensorType::Q4_0:
    case TensorType::Q4_1: case TensorType::Q5_0: case TensorType::Q5_1: case TensorType::Q8_0:
    case TensorType::Q8_1: case TensorType::Q4_K: case TensorType::Q5_K: case TensorType::Q6_K:
    case TensorType::Q8_K: return true;
    default: return false;
  }
}

void quantize_row(TensorType t, const float* x, void* dst, int64_t n) {
  switch (t) {
    case TensorType::F32: std::memcpy(dst, x, n * sizeof(float)); return;
    case TensorType::F16: {
      uint16_t* o = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < n; ++i) o[i] = fp32_to_fp16(x[i]);
      return;
    }
    case TensorType::BF16: {
      uint16_t* o = static_cast<uint16_t*>(dst);
      for (int64_t i = 0; i < n; ++i) o[i] = fp32_to_bf16(x[i]);
      return;
    }
    case TensorType::Q4_0: q4_0(x, static_cast<BlockQ4_0*>(dst), n / QK); return;
    case TensorType::Q4_1: q4_1(x, static_cast<BlockQ4_1*>(dst), n / QK); return;
    case TensorType::Q5_0: q5_common(x, static_cast<BlockQ5_0*>(dst), false, n / QK); return;
    case TensorType::Q5_1: q5_common(x, static_cast<BlockQ5_1*>(dst), true, n / QK); return;
    case TensorType::Q8_0: q8_0(x, static_cast<BlockQ8_0*>(dst), n / QK); return;
    case TensorType::Q8_1: q8_1(x, static_cast<BlockQ8_1*>(dst), n / QK); return;
    case TensorType::Q4_K: q4_k(x, static_cast<BlockQ4_K*>(dst), n / QK_K); return;
    case TensorType::Q5_K: q5_k(x, static_cast<BlockQ5_K*>(dst), n / QK_K); return;
    case TensorType::Q6_K: q6_k(x, static_cast<BlockQ6_K*>(dst), n / QK_K); return;
    case TensorType::Q8_K: q8_k(x, static_cast<BlockQ8_K*>(dst), n / QK_K); return;
    default: throw Error("quantize: unsupported tensor type " + gguf::type_name(t));
  }
}

std::vector<uint8_t> quantize_matrix(TensorType t, const float* src, int64_t rows, int64_t cols) {
  size_t rb = gguf::row_bytes(t, cols);
  std::vector<uint8_t> out(rb * rows);
  for (int64_t r = 0; r < rows; ++r) quantize_row(t, src + r * cols, out.data() + r * rb, cols);
  return out;
}

}  // namespace pocketops::kernels
