// AMX-BF16 tiles for BF16 weights (Sapphire Rapids and later Xeons) over the
// avx512 set's packed 16-bit layout (avx512_packed_16bit.cpp): a group's 64-
// byte vector p holds the pair (2p, 2p + 1) of 16 rows, which is one row of
// a BF16 B tile, so 16 consecutive vectors are the B tile of 32 columns and
// load straight from the packed weights. The prep copies the BF16
// activation rows into A tiles (token rows 4 KiB apart would share one L1
// set), and TDPBF16PS accumulates in fp32 over the whole row: no per-block
// scaling. 2 x 2 tiles (two token tiles x two row groups) share each A and
// B load. Every batch goes through the tiles, decode too (an A tile of one
// row): a result row depends only on its own A row, so a token's sums are
// the same in any batch (kExactBatchTokens) and verification keeps the
// tiles.
#if defined(__x86_64__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)  // a GCC-only warning
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "kernels/dispatch.h"
#include "kernels/x86/x86_sets.h"

namespace pocketops::kernels::x86 {
namespace {

using gguf::TensorType;

#include "kernels/x86/amx_tiles.inc"  // TileConfig, load_tile_config, tiles_after
#include "kernels/x86/prefetch.inc"   // prefetch_lines

constexpr int kG = 16;          // rows per packed group
constexpr int kK = 32;          // columns per tile multiply (16 bf16 pairs)
PackedGemmFn g_dp_bf16 = nullptr;  // the avx512 set's BF16 packed GEMM

// Whether rows of n columns go through tiles (all tokens: full 16-token
// tiles and a last, lower one); otherwise the avx512 vdpbf16ps kernels take
// the whole matrix, every batch.
bool on_tiles(int64_t n) { return n % kK == 0; }

// The prep: each tile's activations (h tokens) per 32 columns as an A tile
// (h rows of 64 bytes), tiles one after another, 64-aligned.
size_t prep_tiles(int64_t n, const uint8_t* a, size_t as, int64_t n_tok, void* out) {
  if (!on_tiles(n)) return 0;
  if (!out) return static_cast<size_t>(n_tok * n) * 2 + 64;
  uint8_t* o = const_cast<uint8_t*>(tiles_after(out, 0));
  for (int64_t t0 = 0; t0 < n_tok; t0 += 16) {
    const int64_t h = n_tok - t0 < 16 ? n_tok - t0 : 16;
    for (int64_t t = 0; t < h; ++t)
      for (int64_t c = 0; c < n / kK; ++c)
        _mm512_store_si512(o + (t0 * n / kK + c * h + t) * 64, _mm512_loadu_si512(a + (t0 + t) * as + c * 64));
  }
  return 0;
}

// Tiles 0-3: results (token tile i, group j at 2i + j; m tokens x 16 fp32),
// 4/5: activations of token tile i (m x 32 bf16), 6/7: weights of group j
// (16 pairs x 16 rows).
void configure(int m) {
  TileConfig c;
  std::memset(&c, 0, sizeof c);
  c.palette = 1;
  for (int i = 0; i < 4; ++i) {
    c.rows[i] = static_cast<uint8_t>(m);
    c.colsb[i] = 64;
  }
  for (int i = 4; i < 6; ++i) {
    c.rows[i] = static_cast<uint8_t>(m);
    c.colsb[i] = 64;
  }
  for (int i = 6; i < 8; ++i) {
    c.rows[i] = 16;
    c.colsb[i] = 64;
  }
  load_tile_config(c);
}

// m result rows (a tile stored at buf) -> y, the first n_rows < 16 columns.
inline void copy_rows(int m, const float* buf, float* y, int64_t ldy, int64_t n_rows) {
  const __mmask16 mk = static_cast<__mmask16>((1u << n_rows) - 1);
  for (int t = 0; t < m; ++t) _mm512_mask_storeu_ps(y + t * ldy, mk, _mm512_load_ps(buf + 16 * t));
}

// Result tile `reg` -> y: straight for a full group, through a buffer for the
// last, partial one (the next rows belong to another chunk). A macro: the
// tile number must be a literal for the intrinsic.
#define PO_STORE_RESULT(reg, yp, nr)                                   \
  do {                                                                 \
    if ((nr) >= kG) {                                                  \
      _tile_stored(reg, (yp), static_cast<long>(ldy * sizeof(float))); \
    } else {                                                           \
      alignas(64) float buf_[16 * 16];                                 \
      _tile_stored(reg, buf_, 64);                                     \
      copy_rows(m, buf_, (yp), ldy, (nr));                             \
    }                                                                  \
  } while (0)

// kT token tiles (of m tokens; A tiles at at, the second's after the
// first's) x kGr row groups (the second at pw + gb) over all n columns.
// stream: the first pass over these groups, which prefetches the B tiles
// 2 KiB ahead into L1 (decode streams from DRAM: ~30% slower without).
template <int kT, int kGr>
void block(int m, const uint8_t* pw, size_t gb, int64_t n, const uint8_t* at, float* y, int64_t ldy, int64_t n_rows,
           bool stream) {
  _tile_zero(0);
  if constexpr (kGr == 2) _tile_zero(1);
  if constexpr (kT == 2) _tile_zero(2);
  if constexpr (kT == 2 && kGr == 2) _tile_zero(3);
  const uint8_t* at1 = at + m * n * 2;  // the second token tile's A tiles
  for (int64_t k = 0; k < n; k += kK) {
    const uint8_t* w = pw + k * 32;  // 16 pairs of 64 bytes per 32 columns
    const int64_t ao = (k / kK) * m * 64;
    if (stream) {
      prefetch_lines(w + 2048, 16);
      if constexpr (kGr == 2) prefetch_lines(w + gb + 2048, 16);
    }
    _tile_loadd(4, at + ao, 64);
    _tile_loadd(6, w, 64);
    _tile_dpbf16ps(0, 4, 6);
    if constexpr (kGr == 2) {
      _tile_loadd(7, w + gb, 64);
      _tile_dpbf16ps(1, 4, 7);
    }
    if constexpr (kT == 2) {
      _tile_loadd(5, at1 + ao, 64);
      _tile_dpbf16ps(2, 5, 6);
      if constexpr (kGr == 2) _tile_dpbf16ps(3, 5, 7);
    }
  }
  PO_STORE_RESULT(0, y, n_rows);
  if constexpr (kGr == 2) PO_STORE_RESULT(1, y + kG, n_rows - kG);
  if constexpr (kT == 2) {
    PO_STORE_RESULT(2, y + m * ldy, n_rows);
    if constexpr (kGr == 2) PO_STORE_RESULT(3, y + m * ldy + kG, n_rows - kG);
  }
}

// Tokens [t0, t1) in tiles of m (t1 - t0 a multiple of m), all row groups;
// at: the prep's A tiles. Only the call from token 0 streams the weights
// (prefetches them); a later call finds them read already.
void tiles(int m, int64_t t0, int64_t t1, int64_t n, const uint8_t* packed, int64_t r0, int64_t n_rows,
           const uint8_t* at, float* y, int64_t ldy) {
  const size_t gb = static_cast<size_t>(n / 2) * 64;
  configure(m);
  for (int64_t g0 = 0; g0 < n_rows; g0 += 2 * kG) {
    const uint8_t* pw = packed + ((r0 + g0) / kG) * gb;
    const int64_t nr = n_rows - g0;
    int64_t t = t0;
    for (; t + 2 * m <= t1; t += 2 * m) {
      if (nr > kG) block<2, 2>(m, pw, gb, n, at + t * n * 2, y + g0 + t * ldy, ldy, nr, t == 0);
      else block<2, 1>(m, pw, gb, n, at + t * n * 2, y + g0 + t * ldy, ldy, nr, t == 0);
    }
    if (t < t1) {
      if (nr > kG) block<1, 2>(m, pw, gb, n, at + t * n * 2, y + g0 + t * ldy, ldy, nr, t == 0);
      else block<1, 1>(m, pw, gb, n, at + t * n * 2, y + g0 + t * ldy, ldy, nr, t == 0);
    }
  }
}

void pg_bf16(int64_t n, const uint8_t* packed, int64_t r0, int64_t n_rows, const uint8_t* a, size_t as,
             const void* prep, int64_t n_tok, float* y, int64_t ldy) {
  if (!on_tiles(n)) {
    g_dp_bf16(n, packed, r0, n_rows, a, as, prep, n_tok, y, ldy);
    return;
  }
  const int64_t full = n_tok / 16 * 16;
  const uint8_t* at = tiles_after(prep, 0);
  if (full > 0) tiles(16, 0, full, n, packed, r0, n_rows, at, y, ldy);
  if (n_tok > full) tiles(static_cast<int>(n_tok - full), full, n_tok, n, packed, r0, n_rows, at, y, ldy);
  _tile_release();
}

#undef PO_STORE_RESULT

}  // namespace

void fill_amx_bf16(KernelSet& k) {
  const int t = static_cast<int>(TensorType::BF16);
  g_dp_bf16 = k.packed_gemm[t];  // its prep writes nothing: ours replaces it
  k.packed_gemm[t] = pg_bf16;
  k.packed_prep[t] = prep_tiles;
}

}  // namespace pocketops::kernels::x86
#endif
