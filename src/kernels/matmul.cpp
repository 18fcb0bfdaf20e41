// matmul: quantize activations once per row into the weight type's activation
// format, then split output rows across threads; per tile, use the set's GEMM
// kernel when it has one, else a vec_dot loop.
#include "kernels/matmul.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

#include "common/error.h"
#include "kernels/dequantize.h"
#include "kernels/dispatch.h"
#include "kernels/vec_dot.h"

namespace pocketops::kernels {

using gguf::TensorType;

void matmul_with(const KernelSet& ks, const Matrix& w, const float* x, int64_t ldx, int64_t n_tok, float* y,
                 int64_t ldy, ThreadPool& pool) {
  if (n_tok <= 0 || w.rows <= 0) return;
  const int ti = static_cast<int>(w.type);
  const TensorType at = activation_type(w.type);
  const int ai = static_cast<int>(at);
  VecDotFn dot = ks.vec_dot[ti] ? ks.vec_dot[ti] : scalar_kernels().vec_dot[ti];
  QuantizeFn quant = ks.quantize[ai] ? ks.quantize[ai] : scalar_kernels().quantize[ai];
  GemmFn gemm = ks.gemm[ti];
  if (!dot || !quant) throw Error("matmul: no kernel for " + gguf::type_name(w.type));

  // Activations in their dot-product format, one row per token.
  const size_t a_stride = gguf::row_bytes(at, w.cols);
  thread_local std::vector<uint8_t> abuf;
  const uint8_t* act;
  if (at == TensorType::F32 && ldx == w.cols) {
    act = reinterpret_cast<const uint8_t*>(x);
  } else {
    if (abuf.size() < a_stride * n_tok) abuf.resize(a_stride * n_tok);
    uint8_t* dst = abuf.data();
    if (n_tok >= 4) {
      pool.parallel_for(n_tok, [&](int64_t t, int) { quant(x + t * ldx, dst + t * a_stride, w.cols); });
    } else {
      for (int64_t t = 0; t < n_tok; ++t) quant(x + t * ldx, dst + t * a_stride, w.cols);
    }
    act = dst;
  }

  // Row chunks: enough tasks to balance threads, multiples of 16 rows.
  const int nt = pool.size();
  if (w.packed && w.packed_by == &ks && ks.packed_gemm[ti] && ks.packed_prep[ti] && 16 % ks.pack_rows == 0) {
    thread_local std::vector<uint8_t> prep;
    const size_t need = ks.packed_prep[ti](w.cols, act, a_stride, n_tok, nullptr);
    if (prep.size() < need) prep.resize(need);
    ks.packed_prep[ti](w.cols, act, a_stride, n_tok, prep.data());
    PackedGemmFn pg = ks.packed_gemm[ti];
    const void* pp = prep.data();
    // decode: ~8 tasks per thread; prefill: row chunks x token tiles
    int64_t chunk = std::max<int64_t>(16, (w.rows / (nt * 8) + 15) / 16 * 16);
    if (n_tok > 8) chunk = std::max<int64_t>(chunk, 64);
    const int64_t n_chunks = (w.rows + chunk - 1) / chunk;
    pool.parallel_for(n_chunks, [&](int64_t c, int) {
      const int64_t r0 = c * chunk, r1 = std::min(w.rows, r0 + chunk);
      pg(w.cols, w.packed, r0, r1 - r0, act, a_stride, pp, n_tok, y + r0, ldy);
    });
    return;
  }
  int64_t chunk = std::max<int64_t>(16, (w.rows / (nt * 8) + 15) / 16 * 16);
  if (n_tok > 1) chunk = std::max<int64_t>(chunk, 64);
  const int64_t n_chunks = (w.rows + chunk - 1) / chunk;
  constexpr int64_t kTokTile = 64;
  pool.parallel_for(n_chunks, [&](int64_t c, int) {
    const int64_t r0 = c * chunk, r1 = std::min(w.rows, r0 + chunk);
    const uint8_t* wr = w.data + r0 * w.row_stride;
    for (int64_t t0 = 0; t0 < n_tok; t0 += kTokTile) {
      const int64_t tn = std::min(kTokTile, n_tok - t0);
      if (gemm) {
        gemm(w.cols, wr, w.row_stride, r1 - r0, act + t0 * a_stride, a_stride, tn, y + t0 * ldy + r0, ldy);
      } else {
        for (int64_t t = t0; t < t0 + tn; ++t)
          for (int64_t r = r0; r < r1; ++r)
            y[t * ldy + r] = dot(w.cols, w.data + r * w.row_stride, act + t * a_stride);
      }
    }
  });
}

std::shared_ptr<const uint8_t> pack_matrix_with(const KernelSet& ks, Matrix& w, const PackDoneFn& done) {
  const int ti = static_cast<int>(w.type);
  if (ti < 0 || ti >= kMaxTypes || !ks.pack[ti] || !ks.packed_gemm[ti] || w.rows <= 0 || !w.data) return nullptr;
  const size_t bytes = ks.pack[ti](w.rows, w.cols, w.data, w.row_stride, nullptr);
  if (bytes == 0) return nullptr;
  void* p = std::aligned_alloc(64, (bytes + 63) / 64 * 64);
  if (!p) throw Error("out of memory repacking a " + std::to_string(bytes) + "-byte weight matrix");
  std::shared_ptr<const uint8_t> buf(static_cast<const uint8_t*>(p), [](const uint8_t* q) {
    std::free(const_cast<uint8_t*>(q));
  });
  // Packed layouts are group-major, so a chunk of whole groups packs into the
  // matching slice of the buffer (offset = packed size of the rows before it).
  const int64_t step = ks.pack_rows > 0 ? std::max<int64_t>(1, 4096 / ks.pack_rows) * ks.pack_rows : w.rows;
  for (int64_t r0 = 0; r0 < w.rows; r0 += step) {
    const int64_t n = std::min(step, w.rows - r0);
    const size_t off = r0 == 0 ? 0 : ks.pack[ti](r0, w.cols, w.data, w.row_stride, nullptr);
    ks.pack[ti](n, w.cols, w.data + r0 * w.row_stride, w.row_stride, static_cast<uint8_t*>(p) + off);
    if (done) done(w.data + r0 * w.row_stride, static_cast<size_t>(n) * w.row_stride);
  }
  w.packed = buf.get();
  w.packed_by = &ks;
  return buf;
}

std::shared_ptr<const uint8_t> pack_matrix(Matrix& w, const PackDoneFn& done) {
  return pack_matrix_with(active_kernels(), w, done);
}

void matrix_row(const Matrix& w, int64_t r, float* y) {
  const int ti = static_cast<int>(w.type);
  if (w.packed && w.packed_by && ti >= 0 && ti < kMaxTypes) {
    const KernelSet* ks = static_cast<const KernelSet*>(w.packed_by);
    if (ks->packed_row[ti]) {
      ks->packed_row[ti](w.packed, w.cols, r, y);
      return;
    }
  }
  dequantize_row(w.type, w.data + static_cast<size_t>(r) * w.row_stride, y, w.cols);
}

void matmul(const Matrix& w, const float* x, int64_t ldx, int64_t n_tok, float* y, int64_t ldy, ThreadPool& pool) {
  matmul_with(active_kernels(), w, x, ldx, n_tok, y, ldy, pool);
}

}  // namespace pocketops::kernels
