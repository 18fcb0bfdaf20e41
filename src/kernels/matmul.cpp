// matmul: quantize activations once per row into the weight type's activation
// format, then split output rows across threads; per tile, use the set's GEMM
// kernel when it has one, else a vec_dot loop.
#include "kernels/matmul.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "common/error.h"
#include "kernels/dequantize.h"
#include "kernels/dispatch.h"
#include "kernels/vec_dot.h"

namespace pocketops::kernels {

using gguf::TensorType;

namespace {

// Quantizes n_tok activation rows into format `at` (or uses x as is for F32).
const uint8_t* quantize_activations(QuantizeFn quant, TensorType at, const float* x, int64_t ldx, int64_t cols,
                                    int64_t n_tok, ThreadPool& pool) {
  if (at == TensorType::F32 && ldx == cols) return reinterpret_cast<const uint8_t*>(x);
  const size_t a_stride = gguf::row_bytes(at, cols);
  thread_local std::vector<uint8_t> abuf;
  if (abuf.size() < a_stride * n_tok) abuf.resize(a_stride * n_tok);
  uint8_t* dst = abuf.data();
  if (n_tok >= 4) {
    pool.parallel_for(n_tok, [&](int64_t t, int) { quant(x + t * ldx, dst + t * a_stride, cols); });
  } else {
    for (int64_t t = 0; t < n_tok; ++t) quant(x + t * ldx, dst + t * a_stride, cols);
  }
  return dst;
}

// One output matrix of a (multi-)matmul: how its row chunks are computed.
struct Plan {
  const Matrix* w;
  float* y;
  int64_t ldy;
  PackedGemmFn pg = nullptr;  // packed path when set
  const void* prep = nullptr;
  GemmFn gemm = nullptr;
  VecDotFn dot = nullptr;
};

void run_chunk(const Plan& p, int64_t r0, int64_t r1, const uint8_t* act, size_t a_stride, int64_t n_tok) {
  const Matrix& w = *p.w;
  if (p.pg) {
    p.pg(w.cols, w.packed, r0, r1 - r0, act, a_stride, p.prep, n_tok, p.y + r0, p.ldy);
    return;
  }
  constexpr int64_t kTokTile = 64;
  const uint8_t* wr = w.data + r0 * w.row_stride;
  for (int64_t t0 = 0; t0 < n_tok; t0 += kTokTile) {
    const int64_t tn = std::min(kTokTile, n_tok - t0);
    if (p.gemm) {
      p.gemm(w.cols, wr, w.row_stride, r1 - r0, act + t0 * a_stride, a_stride, tn, p.y + t0 * p.ldy + r0, p.ldy);
    } else {
      for (int64_t t = t0; t < t0 + tn; ++t)
        for (int64_t r = r0; r < r1; ++r) p.y[t * p.ldy + r] = p.dot(w.cols, w.data + r * w.row_stride, act + t * a_stride);
    }
  }
}

}  // namespace

void matmul_many_with(const KernelSet& ks, std::span<const MatmulTarget> outs, const float* x, int64_t ldx,
                      int64_t n_tok, ThreadPool& pool) {
  if (n_tok <= 0 || outs.empty()) return;
  const int64_t cols = outs[0].w->cols;
  const TensorType at = activation_type(outs[0].w->type);
  for (const MatmulTarget& o : outs) {
    if (o.w->cols != cols || activation_type(o.w->type) != at) {  // no shared activations: one by one
      for (const MatmulTarget& oo : outs) matmul_many_with(ks, std::span<const MatmulTarget>(&oo, 1), x, ldx, n_tok, pool);
      return;
    }
  }
  QuantizeFn quant = activation_quantizer(ks, at);
  if (!quant) throw Error("matmul: no activation kernel for " + gguf::type_name(at));
  const size_t a_stride = gguf::row_bytes(at, cols);
  const uint8_t* act = quantize_activations(quant, at, x, ldx, cols, n_tok, pool);

  // Row chunks: enough tasks to balance threads (decode: ~8 per thread over
  // all outputs together), multiples of 16 rows; bigger for prefill tiles.
  const int nt = pool.size();
  int64_t total_rows = 0;
  for (const MatmulTarget& o : outs) total_rows += o.w->rows;
  int64_t chunk = std::max<int64_t>(16, (total_rows / (nt * 8) + 15) / 16 * 16);

  constexpr size_t kMaxOuts = 4;
  if (outs.size() > kMaxOuts) throw Error("matmul: too many outputs sharing one input");
  Plan plans[kMaxOuts];
  thread_local std::vector<uint8_t> preps[kMaxOuts];
  for (size_t i = 0; i < outs.size(); ++i) {
    const Matrix& w = *outs[i].w;
    const int ti = static_cast<int>(w.type);
    Plan& p = plans[i];
    p.w = &w;
    p.y = outs[i].y;
    p.ldy = outs[i].ldy;
    if (w.packed && w.packed_by == &ks && ks.packed_gemm[ti] && ks.packed_prep[ti] && 16 % ks.pack_rows == 0) {
      const size_t need = ks.packed_prep[ti](w.cols, act, a_stride, n_tok, nullptr);
      if (preps[i].size() < need) preps[i].resize(need);
      ks.packed_prep[ti](w.cols, act, a_stride, n_tok, preps[i].data());
      p.pg = ks.packed_gemm[ti];
      p.prep = preps[i].data();
    } else {
      p.dot = ks.vec_dot[ti] ? ks.vec_dot[ti] : scalar_kernels().vec_dot[ti];
      p.gemm = ks.gemm[ti];
      if (!p.dot) throw Error("matmul: no kernel for " + gguf::type_name(w.type));
    }
    // token tiles of the unpacked GEMMs and prefill want taller chunks
    if (n_tok > 8 || (n_tok > 1 && !p.pg)) chunk = std::max<int64_t>(chunk, 64);
  }
  // Tasks: row ranges of `chunk` rows, handed out in order. For decode and
  // verification (<= 8 tokens) the last nt chunks of the last output are
  // split in quarters, so the threads finish a job together: a thread that
  // takes the last full chunk otherwise leaves the other waiting for up to a
  // chunk (perf, 1.2B Q4_0, 2 threads: pool waiting 16.5 -> 11.5 samples per
  // decode step of ~190, the matmuls unchanged; an 8-token verification
  // 25 -> 17 waiting, +5 in its matmuls).
  struct Task {
    uint32_t plan;
    int64_t r0, r1;
  };
  thread_local std::vector<Task> tasks;
  tasks.clear();
  const size_t n_outs = outs.size();
  const int64_t small = std::max<int64_t>(16, chunk / 4 / 16 * 16);  // tail chunk: a quarter, whole groups
  for (size_t i = 0; i < n_outs; ++i) {
    const int64_t rows = plans[i].w->rows;
    const int64_t tail_from = i + 1 == n_outs && n_tok <= 8 ? rows - nt * chunk : rows;
    for (int64_t r = 0; r < rows;) {
      const int64_t step = r >= tail_from ? small : chunk;
      const int64_t r1 = std::min(rows, r + step);
      tasks.push_back({static_cast<uint32_t>(i), r, r1});
      r = r1;
    }
  }
  const Task* task_list = tasks.data();  // (tasks is this thread's; workers get the pointer)
  pool.parallel_for(static_cast<int64_t>(tasks.size()), [&](int64_t task, int) {
    const Task& tk = task_list[task];
    run_chunk(plans[tk.plan], tk.r0, tk.r1, act, a_stride, n_tok);
  });
}

void matmul_with(const KernelSet& ks, const Matrix& w, const float* x, int64_t ldx, int64_t n_tok, float* y,
                 int64_t ldy, ThreadPool& pool) {
  const MatmulTarget o{&w, y, ldy};
  matmul_many_with(ks, std::span<const MatmulTarget>(&o, 1), x, ldx, n_tok, pool);
}

void matmul_many(std::span<const MatmulTarget> outs, const float* x, int64_t ldx, int64_t n_tok, ThreadPool& pool) {
  matmul_many_with(active_kernels(), outs, x, ldx, n_tok, pool);
}

namespace {
// Best effort (errors ignored): populate the page tables of [p, p+n).
void prefault(const void* p, size_t n, bool write) {
#if defined(__linux__) && defined(MADV_POPULATE_READ)
  const uintptr_t page = 4096;
  const uintptr_t a = reinterpret_cast<uintptr_t>(p) & ~(page - 1);
  const uintptr_t b = (reinterpret_cast<uintptr_t>(p) + n + page - 1) & ~(page - 1);
  if (b > a) ::madvise(reinterpret_cast<void*>(a), b - a, write ? MADV_POPULATE_WRITE : MADV_POPULATE_READ);
#else
  (void)p;
  (void)n;
  (void)write;
#endif
}
}  // namespace

Matrix dense_matrix(gguf::TensorType type, int64_t rows, int64_t cols, const uint8_t* data) {
  Matrix m;
  m.type = type;
  m.rows = rows;
  m.cols = cols;
  m.data = data;
  m.row_stride = gguf::row_bytes(type, cols);
  return m;
}

std::shared_ptr<const uint8_t> pack_matrix_with(const KernelSet& ks, Matrix& w, const PackDoneFn& done) {
  const int ti = static_cast<int>(w.type);
  if (ti < 0 || ti >= kMaxTypes || !ks.pack[ti] || !ks.packed_gemm[ti] || w.rows <= 0 || !w.data) return nullptr;
  const size_t bytes = ks.pack[ti](w.rows, w.cols, w.data, w.row_stride, nullptr);
  if (bytes == 0) return nullptr;
  // Matrices of 2 MiB or more start on a 2 MiB boundary and ask for
  // transparent huge pages over their whole 2 MiB pieces (the tail stays on
  // small pages, so the resident size does not grow): decode streams the
  // weights once per token, and with 4 KiB pages every page is a TLB miss
  // (and, in a VM, a nested walk). The mmapped file is usually on large
  // pages already. Q4_0 decode here: median 61 -> 64 tok/s over 7 process
  // pairs; Q4_K_M (software prefetch into L2) unchanged.
  constexpr size_t kHuge = size_t(2) << 20;
  void* p = nullptr;  // posix_memalign: aligned_alloc wants a size that is a multiple of the alignment
  if (::posix_memalign(&p, bytes >= kHuge ? kHuge : 64, (bytes + 63) / 64 * 64) != 0) p = nullptr;
  if (!p) throw Error("out of memory repacking a " + std::to_string(bytes) + "-byte weight matrix");
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (bytes >= kHuge) ::madvise(p, bytes / kHuge * kHuge, MADV_HUGEPAGE);  // best effort
#endif
  std::shared_ptr<const uint8_t> buf(static_cast<const uint8_t*>(p), [](const uint8_t* q) {
    std::free(const_cast<uint8_t*>(q));
  });
  // Packed layouts are group-major, so a chunk of whole groups packs into the
  // matching slice of the buffer (offset = packed size of the rows before it).
  const int64_t step = ks.pack_rows > 0 ? std::max<int64_t>(1, 4096 / ks.pack_rows) * ks.pack_rows : w.rows;
  for (int64_t r0 = 0; r0 < w.rows; r0 += step) {
    const int64_t n = std::min(step, w.rows - r0);
    const size_t off = r0 == 0 ? 0 : ks.pack[ti](r0, w.cols, w.data, w.row_stride, nullptr);
    const size_t end = r0 + n >= w.rows ? bytes : ks.pack[ti](r0 + n, w.cols, w.data, w.row_stride, nullptr);
    // Map the chunk's source and destination pages in one call each instead
    // of one page fault per 4 KiB (faults are expensive in VMs).
    prefault(w.data + r0 * w.row_stride, static_cast<size_t>(n) * w.row_stride, false);
    prefault(static_cast<uint8_t*>(p) + off, end - off, true);
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
