// Scalar reference dot products (integer accumulation per block, like the
// reference engine); every SIMD kernel is tested against these.
#include <cstring>
#include <vector>

#include "common/error.h"
#include "kernels/dequantize.h"
#include "kernels/fp16.h"
#include "kernels/quant_blocks.h"
#include "kernels/vec_dot.h"

namespace pocketops::kernels {

using gguf::TensorType;

TensorType activation_type(TensorType t) {
  switch (t) {
    case TensorType::F32: return TensorType::F32;
    case TensorType::F16: return TensorType::F16;
    case TensorType::BF16: return TensorType::BF16;
    case TensorType::Q4_0: case TensorType::Q5_0: case TensorType::Q8_0: return TensorType::Q8_0;
    case TensorType::Q4_1: case TensorType::Q5_1: return TensorType::Q8_1;
    case TensorType::Q2_K: case TensorType::Q3_K: case TensorType::Q4_K: case TensorType::Q5_K:
    case TensorType::Q6_K: return TensorType::Q8_K;
    default: throw Error("no activation format for tensor type " + gguf::type_name(t));
  }
}

namespace {

float dot_f32(int64_t n, const float* w, const float* a) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(w[i]) * a[i];
  return static_cast<float>(s);
}

float dot_f16(int64_t n, const uint16_t* w, const uint16_t* a) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(fp16_to_fp32(w[i])) * fp16_to_fp32(a[i]);
  return static_cast<float>(s);
}

float dot_bf16(int64_t n, const uint16_t* w, const uint16_t* a) {
  double s = 0;
  for (int64_t i = 0; i < n; ++i) s += static_cast<double>(bf16_to_fp32(w[i])) * bf16_to_fp32(a[i]);
  return static_cast<float>(s);
}

uint32_t load_qh(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

float dot_q4_0(int64_t nb, const BlockQ4_0* x, const BlockQ8_0* y) {
  float s = 0;
  for (int64_t i = 0; i < nb; ++i) {
    int sumi = 0;
    for (int j = 0; j < QK / 2; ++j)
      sumi += ((x[i].qs[j] & 0xF) - 8) * y[i].qs[j] + ((x[i].qs[j] >> 4) - 8) * y[i].qs[j + QK / 2];
    s += sumi * fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d);
  }
  return s;
}

float dot_q4_1(int64_t nb, const BlockQ4_1* x, const BlockQ8_1* y) {
  float s = 0;
  for (int64_t i = 0; i < nb; ++i) {
    int sumi = 0;
    for (int j = 0; j < QK / 2; ++j)
      sumi += (x[i].qs[j] & 0xF) * y[i].qs[j] + (x[i].qs[j] >> 4) * y[i].qs[j + QK / 2];
    s += fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d) * sumi + fp16_to_fp32(x[i].m) * fp16_to_fp32(y[i].s);
  }
  return s;
}

float dot_q5_0(int64_t nb, const BlockQ5_0* x, const BlockQ8_0* y) {
  float s = 0;
  for (int64_t i = 0; i < nb; ++i) {
    uint32_t qh = load_qh(x[i].qh);
    int sumi = 0;
    for (int j = 0; j < QK / 2; ++j) {
      int x0 = ((x[i].qs[j] & 0xF) | (((qh >> j) & 1) << 4)) - 16;
      int x1 = ((x[i].qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4)) - 16;
      sumi += x0 * y[i].qs[j] + x1 * y[i].qs[j + QK / 2];
    }
    s += sumi * fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d);
  }
  return s;
}

float dot_q5_1(int64_t nb, const BlockQ5_1* x, const BlockQ8_1* y) {
  float s = 0;
  for (int64_t i = 0; i < nb; ++i) {
    uint32_t qh = load_qh(x[i].qh);
    int sumi = 0;
    for (int j = 0; j < QK / 2; ++j) {
      int x0 = (x[i].qs[j] & 0xF) | (((qh >> j) & 1) << 4);
      int x1 = (x[i].qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4);
      sumi += x0 * y[i].qs[j] + x1 * y[i].qs[j + QK / 2];
    }
    s += fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d) * sumi + fp16_to_fp32(x[i].m) * fp16_to_fp32(y[i].s);
  }
  return s;
}

float dot_q8_0(int64_t nb, const BlockQ8_0* x, const BlockQ8_0* y) {
  float s = 0;
  for (int64_t i = 0; i < nb; ++i) {
    int sumi = 0;
    for (int j = 0; j < QK; ++j) sumi += x[i].qs[j] * y[i].qs[j];
    s += sumi * fp16_to_fp32(x[i].d) * fp16_to_fp32(y[i].d);
  }
  return s;
}

float dot_q4_k(int64_t nb, const BlockQ4_K* x, const BlockQ8_K* y) {
  float s = 0;
  for (int64_t i = 0; i < nb; ++i) {
    int sum_q = 0, sum_m = 0;
    const uint8_t* q = x[i].qs;
    const int8_t* a = y[i].qs;
    for (int j = 0; j < 8; j += 2, q += 32, a += 64) {
      uint8_t sc0, m0, sc1, m1;
      k_scale_min(j, x[i].scales, &sc0, &m0);
      k_scale_min(j + 1, x[i].scales, &sc1, &m1);
      int s0 = 0, s1 = 0;
      for (int l = 0; l < 32; ++l) {
        s0 += (q[l] & 0xF) * a[l];
        s1 += (q[l] >> 4) * a[l + 32];
      }
      sum_q += sc0 * s0 + sc1 * s1;
      sum_m += m0 * (y[i].bsums[2 * j] + y[i].bsums[2 * j + 1]) + m1 * (y[i].bsums[2 * j + 2] + y[i].bsums[2 * j + 3]);
    }
    s += y[i].d * (fp16_to_fp32(x[i].d) * sum_q - fp16_to_fp32(x[i].dmin) * sum_m);
  }
  return s;
}

float dot_q5_k(int64_t nb, const BlockQ5_K* x, const BlockQ8_K* y) {
  float s = 0;
  for (int64_t i = 0; i < nb; ++i) {
    int sum_q = 0, sum_m = 0;
    const uint8_t* q = x[i].qs;
    const uint8_t* qh = x[i].qh;
    const int8_t* a = y[i].qs;
    uint8_t u1 = 1, u2 = 2;
    for (int j = 0; j < 8; j += 2, q += 32, a += 64, u1 <<= 2, u2 <<= 2) {
      uint8_t sc0, m0, sc1, m1;
      k_scale_min(j, x[i].scales, &sc0, &m0);
      k_scale_min(j + 1, x[i].scales, &sc1, &m1);
      int s0 = 0, s1 = 0;
      for (int l = 0; l < 32; ++l) {
        s0 += ((q[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) * a[l];
        s1 += ((q[l] >> 4) + (qh[l] & u2 ? 16 : 0)) * a[l + 32];
      }
      sum_q += sc0 * s0 + sc1 * s1;
      sum_m += m0 * (y[i].bsums[2 * j] + y[i].bsums[2 * j + 1]) + m1 * (y[i].bsums[2 * j + 2] + y[i].bsums[2 * j + 3]);
    }
    s += y[i].d * (fp16_to_fp32(x[i].d) * sum_q - fp16_to_fp32(x[i].dmin) * sum_m);
  }
  return s;
}

float dot_q6_k(int64_t nb, const BlockQ6_K* x, const BlockQ8_K* y) {
  float s = 0;
  for (int64_t i = 0; i < nb; ++i) {
    const uint8_t* ql = x[i].ql;
    const uint8_t* qh = x[i].qh;
    const int8_t* sc = x[i].scales;
    const int8_t* a = y[i].qs;
    int sumi = 0;
    for (int n = 0; n < QK_K; n += 128, ql += 64, qh += 32, sc += 8, a += 128) {
      int part[8] = {};
      for (int l = 0; l < 32; ++l) {
        int is = l / 16;
        int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
        int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
        int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        part[is] += q1 * a[l];
        part[is + 2] += q2 * a[l + 32];
        part[is + 4] += q3 * a[l + 64];
        part[is + 6] += q4 * a[l + 96];
      }
      for (int k = 0; k < 8; ++k) sumi += sc[k] * part[k];
    }
    s += fp16_to_fp32(x[i].d) * y[i].d * sumi;
  }
  return s;
}

// Q2_K / Q3_K: dequantize the weight row and dot it with the Q8_K activations.
float dot_dequant_q8k(TensorType t, int64_t n, const void* w, const BlockQ8_K* y) {
  std::vector<float> row(n);
  dequantize_row(t, w, row.data(), n);
  float s = 0;
  for (int64_t b = 0; b < n / QK_K; ++b) {
    float sb = 0;
    for (int j = 0; j < QK_K; ++j) sb += row[b * QK_K + j] * y[b].qs[j];
    s += sb * y[b].d;
  }
  return s;
}

}  // namespace

float vec_dot_scalar(TensorType t, int64_t n, const void* w, const void* a) {
  switch (t) {
    case TensorType::F32: return dot_f32(n, static_cast<const float*>(w), static_cast<const float*>(a));
    case TensorType::F16: return dot_f16(n, static_cast<const uint16_t*>(w), static_cast<const uint16_t*>(a));
    case TensorType::BF16: return dot_bf16(n, static_cast<const uint16_t*>(w), static_cast<const uint16_t*>(a));
    case TensorType::Q4_0: return dot_q4_0(n / QK, static_cast<const BlockQ4_0*>(w), static_cast<const BlockQ8_0*>(a));
    case TensorType::Q4_1: return dot_q4_1(n / QK, static_cast<const BlockQ4_1*>(w), static_cast<const BlockQ8_1*>(a));
    case TensorType::Q5_0: return dot_q5_0(n / QK, static_cast<const BlockQ5_0*>(w), static_cast<const BlockQ8_0*>(a));
    case TensorType::Q5_1: return dot_q5_1(n / QK, static_cast<const BlockQ5_1*>(w), static_cast<const BlockQ8_1*>(a));
    case TensorType::Q8_0: return dot_q8_0(n / QK, static_cast<const BlockQ8_0*>(w), static_cast<const BlockQ8_0*>(a));
    case TensorType::Q4_K: return dot_q4_k(n / QK_K, static_cast<const BlockQ4_K*>(w), static_cast<const BlockQ8_K*>(a));
    case TensorType::Q5_K: return dot_q5_k(n / QK_K, static_cast<const BlockQ5_K*>(w), static_cast<const BlockQ8_K*>(a));
    case TensorType::Q6_K: return dot_q6_k(n / QK_K, static_cast<const BlockQ6_K*>(w), static_cast<const BlockQ8_K*>(a));
    case TensorType::Q2_K: case TensorType::Q3_K:
      return dot_dequant_q8k(t, n, w, static_cast<const BlockQ8_K*>(a));
    default: throw Error("vec_dot: unsupported tensor type " + gguf::type_name(t));
  }
}

}  // namespace pocketops::kernels
