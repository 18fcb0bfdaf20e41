// Scalar dequantization for F32/F16/BF16, Q4_0/Q4_1/Q5_0/Q5_1/Q8_0 and the
// K-quants Q2_K..Q6_K (block layouts per the GGUF/ggml format).
#include "kernels/dequantize.h"

#include <cstring>

#include "common/error.h"
#include "kernels/fp16.h"
#include "kernels/quant_blocks.h"

namespace pocketops::kernels {

using gguf::TensorType;

bool is_supported_weight_type(TensorType t) {
  switch (t) {
    case TensorType::F32: case TensorType::F16: case TensorType::BF16: case TensorType::Q4_0:
    case TensorType::Q4_1: case TensorType::Q5_0: case TensorType::Q5_1: case TensorType::Q8_0:
    case TensorType::Q2_K: case TensorType::Q3_K: case TensorType::Q4_K: case TensorType::Q5_K:
    case TensorType::Q6_K: return true;
    default: return false;
  }
}

namespace {

void deq_q4_0(const BlockQ4_0* b, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += QK) {
    float d = fp16_to_fp32(b[i].d);
    for (int j = 0; j < QK / 2; ++j) {
      y[j] = ((b[i].qs[j] & 0xF) - 8) * d;
      y[j + QK / 2] = ((b[i].qs[j] >> 4) - 8) * d;
    }
  }
}

void deq_q4_1(const BlockQ4_1* b, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += QK) {
    float d = fp16_to_fp32(b[i].d), m = fp16_to_fp32(b[i].m);
    for (int j = 0; j < QK / 2; ++j) {
      y[j] = (b[i].qs[j] & 0xF) * d + m;
      y[j + QK / 2] = (b[i].qs[j] >> 4) * d + m;
    }
  }
}

template <typename B>
uint32_t qh_of(const B& b) {
  uint32_t qh;
  std::memcpy(&qh, b.qh, 4);
  return qh;
}

void deq_q5_0(const BlockQ5_0* b, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += QK) {
    float d = fp16_to_fp32(b[i].d);
    uint32_t qh = qh_of(b[i]);
    for (int j = 0; j < QK / 2; ++j) {
      int x0 = (b[i].qs[j] & 0xF) | (((qh >> j) & 1) << 4);
      int x1 = (b[i].qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4);
      y[j] = (x0 - 16) * d;
      y[j + QK / 2] = (x1 - 16) * d;
    }
  }
}

void deq_q5_1(const BlockQ5_1* b, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += QK) {
    float d = fp16_to_fp32(b[i].d), m = fp16_to_fp32(b[i].m);
    uint32_t qh = qh_of(b[i]);
    for (int j = 0; j < QK / 2; ++j) {
      int x0 = (b[i].qs[j] & 0xF) | (((qh >> j) & 1) << 4);
      int x1 = (b[i].qs[j] >> 4) | (((qh >> (j + 16)) & 1) << 4);
      y[j] = x0 * d + m;
      y[j + QK / 2] = x1 * d + m;
    }
  }
}

void deq_q8_0(const BlockQ8_0* b, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i, y += QK) {
    float d = fp16_to_fp32(b[i].d);
    for (int j = 0; j < QK; ++j) y[j] = b[i].qs[j] * d;
  }
}

void deq_q2_k(const BlockQ2_K* b, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    float d = fp16_to_fp32(b[i].d), dmin = fp16_to_fp32(b[i].dmin);
    const uint8_t* q = b[i].qs;
    int is = 0;
    for (int n = 0; n < QK_K; n += 128) {
      int shift = 0;
      for (int j = 0; j < 4; ++j) {
        for (int half = 0; half < 2; ++half) {
          uint8_t sc = b[i].scales[is++];
          float dl = d * (sc & 0xF), ml = dmin * (sc >> 4);
          for (int l = 0; l < 16; ++l) *y++ = dl * ((q[l + 16 * half] >> shift) & 3) - ml;
        }
        shift += 2;
      }
      q += 32;
    }
  }
}

void deq_q3_k(const BlockQ3_K* b, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    float d_all = fp16_to_fp32(b[i].d);
    // Unpack the 16 6-bit scales.
    uint32_t aux[4];
    std::memcpy(aux, b[i].scales, 12);
    const uint32_t kmask1 = 0x03030303, kmask2 = 0x0f0f0f0f;
    uint32_t tmp = aux[2];
    aux[2] = ((aux[0] >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4);
    aux[3] = ((aux[1] >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4);
    aux[0] = (aux[0] & kmask2) | (((tmp >> 0) & kmask1) << 4);
    aux[1] = (aux[1] & kmask2) | (((tmp >> 2) & kmask1) << 4);
    int8_t scales[16];
    std::memcpy(scales, aux, 16);
    const uint8_t* q = b[i].qs;
    const uint8_t* hm = b[i].hmask;
    uint8_t m = 1;
    int is = 0;
    for (int n = 0; n < QK_K; n += 128) {
      int shift = 0;
      for (int j = 0; j < 4; ++j) {
        for (int half = 0; half < 2; ++half) {
          float dl = d_all * (scales[is++] - 32);
          for (int l = 0; l < 16; ++l) {
            int idx = l + 16 * half;
            *y++ = dl * (static_cast<int8_t>((q[idx] >> shift) & 3) - ((hm[idx] & m) ? 0 : 4));
          }
        }
        shift += 2;
        m <<= 1;
      }
      q += 32;
    }
  }
}

void deq_q4_k(const BlockQ4_K* b, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    float d = fp16_to_fp32(b[i].d), dmin = fp16_to_fp32(b[i].dmin);
    const uint8_t* q = b[i].qs;
    for (int j = 0, is = 0; j < QK_K; j += 64, is += 2, q += 32) {
      uint8_t sc, m;
      k_scale_min(is, b[i].scales, &sc, &m);
      float d1 = d * sc, m1 = dmin * m;
      k_scale_min(is + 1, b[i].scales, &sc, &m);
      float d2 = d * sc, m2 = dmin * m;
      for (int l = 0; l < 32; ++l) *y++ = d1 * (q[l] & 0xF) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * (q[l] >> 4) - m2;
    }
  }
}

void deq_q5_k(const BlockQ5_K* b, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    float d = fp16_to_fp32(b[i].d), dmin = fp16_to_fp32(b[i].dmin);
    const uint8_t* ql = b[i].qs;
    const uint8_t* qh = b[i].qh;
    uint8_t u1 = 1, u2 = 2;
    for (int j = 0, is = 0; j < QK_K; j += 64, is += 2, ql += 32, u1 <<= 2, u2 <<= 2) {
      uint8_t sc, m;
      k_scale_min(is, b[i].scales, &sc, &m);
      float d1 = d * sc, m1 = dmin * m;
      k_scale_min(is + 1, b[i].scales, &sc, &m);
      float d2 = d * sc, m2 = dmin * m;
      for (int l = 0; l < 32; ++l) *y++ = d1 * ((ql[l] & 0xF) + (qh[l] & u1 ? 16 : 0)) - m1;
      for (int l = 0; l < 32; ++l) *y++ = d2 * ((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
    }
  }
}

void deq_q6_k(const BlockQ6_K* b, float* y, int64_t nb) {
  for (int64_t i = 0; i < nb; ++i) {
    float d = fp16_to_fp32(b[i].d);
    const uint8_t* ql = b[i].ql;
    const uint8_t* qh = b[i].qh;
    const int8_t* sc = b[i].scales;
    for (int n = 0; n < QK_K; n += 128, y += 128, ql += 64, qh += 32, sc += 8) {
      for (int l = 0; l < 32; ++l) {
        int is = l / 16;
        int q1 = ((ql[l] & 0xF) | (((qh[l] >> 0) & 3) << 4)) - 32;
        int q2 = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) - 32;
        int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
        int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
        y[l] = d * sc[is] * q1;
        y[l + 32] = d * sc[is + 2] * q2;
        y[l + 64] = d * sc[is + 4] * q3;
        y[l + 96] = d * sc[is + 6] * q4;
      }
    }
  }
}

}  // namespace

void dequantize_row(TensorType t, const void* src, float* dst, int64_t n) {
  switch (t) {
    case TensorType::F32: std::memcpy(dst, src, n * sizeof(float)); return;
    case TensorType::F16: {
      const uint16_t* s = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) dst[i] = fp16_to_fp32(s[i]);
      return;
    }
    case TensorType::BF16: {
      const uint16_t* s = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) dst[i] = bf16_to_fp32(s[i]);
      return;
    }
    case TensorType::Q4_0: deq_q4_0(static_cast<const BlockQ4_0*>(src), dst, n / QK); return;
    case TensorType::Q4_1: deq_q4_1(static_cast<const BlockQ4_1*>(src), dst, n / QK); return;
    case TensorType::Q5_0: deq_q5_0(static_cast<const BlockQ5_0*>(src), dst, n / QK); return;
    case TensorType::Q5_1: deq_q5_1(static_cast<const BlockQ5_1*>(src), dst, n / QK); return;
    case TensorType::Q8_0: deq_q8_0(static_cast<const BlockQ8_0*>(src), dst, n / QK); return;
    case TensorType::Q2_K: deq_q2_k(static_cast<const BlockQ2_K*>(src), dst, n / QK_K); return;
    case TensorType::Q3_K: deq_q3_k(static_cast<const BlockQ3_K*>(src), dst, n / QK_K); return;
    case TensorType::Q4_K: deq_q4_k(static_cast<const BlockQ4_K*>(src), dst, n / QK_K); return;
    case TensorType::Q5_K: deq_q5_k(static_cast<const BlockQ5_K*>(src), dst, n / QK_K); return;
    case TensorType::Q6_K: deq_q6_k(static_cast<const BlockQ6_K*>(src), dst, n / QK_K); return;
    default: throw Error("dequantize: unsupported tensor type " + gguf::type_name(t));
  }
}

}  // namespace pocketops::kernels
