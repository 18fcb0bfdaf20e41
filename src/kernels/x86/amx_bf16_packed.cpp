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

#include "kernels/x86/amx_tiles.inc"       // TileConfig, load_tile_config, tiles_after
#include "kernels/x86/prefetch.inc"        // prefetch_lines
#include "kernels/x86/amx_bf16_tiles.inc"  // kK, bf16_a_tile, tiles_all_tokens

PackedGemmFn g_dp_bf16 = nullptr;  // the avx512 set's BF16 packed GEMM

// Tokens [t0, t1) in tiles of m (t1 - t0 a multiple of m), all row groups
// of rows [r0, r0 + n_rows) of the packed matrix; at: the A tiles. With
// stream, the call from token 0 prefetches the weights (a later call finds
// them read already).
void tiles(int m, int64_t t0, int64_t t1, int64_t n, const uint8_t* packed, int64_t r0, int64_t n_rows,
           const uint8_t* at, float* y, int64_t ldy, bool stream) {
  const size_t gb = static_cast<size_t>(n / 2) * 64;
  configure_bf16(m);
  for (int64_t g0 = 0; g0 < n_rows; g0 += 2 * kG) {
    const uint8_t* pw = packed + ((r0 + g0) / kG) * gb;
    const int64_t nr = n_rows - g0;
    const size_t next = static_cast<size_t>(m * n) * 2;
    int64_t t = t0;
    for (; t + 2 * m <= t1; t += 2 * m) {
      if (nr > kG) block<2, 2>(m, pw, gb, n, at + t * n * 2, next, y + g0 + t * ldy, ldy, nr, stream && t == 0, false);
      else block<2, 1>(m, pw, gb, n, at + t * n * 2, next, y + g0 + t * ldy, ldy, nr, stream && t == 0, false);
    }
    if (t < t1) {
      if (nr > kG) block<1, 2>(m, pw, gb, n, at + t * n * 2, next, y + g0 + t * ldy, ldy, nr, stream && t == 0, false);
      else block<1, 1>(m, pw, gb, n, at + t * n * 2, next, y + g0 + t * ldy, ldy, nr, stream && t == 0, false);
    }
  }
}

// All n_tok tokens: full 16-token tiles, then one of the last n_tok % 16.
// The caller releases the tiles.
void tiles_all_tokens(int64_t n, const uint8_t* packed, int64_t r0, int64_t n_rows, const uint8_t* at, int64_t n_tok,
                      float* y, int64_t ldy, bool stream) {
  const int64_t full = n_tok / 16 * 16;
  if (full > 0) tiles(16, 0, full, n, packed, r0, n_rows, at, y, ldy, stream);
  if (n_tok > full) tiles(static_cast<int>(n_tok - full), full, n_tok, n, packed, r0, n_rows, at, y, ldy, stream);
}

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
  for (int64_t t = 0; t < n_tok; ++t)
    for (int64_t c = 0; c < n / kK; ++c)
      _mm512_store_si512(o + bf16_a_tile(t, c, n, n_tok), _mm512_loadu_si512(a + t * as + c * 64));
  return 0;
}

void pg_bf16(int64_t n, const uint8_t* packed, int64_t r0, int64_t n_rows, const uint8_t* a, size_t as,
             const void* prep, int64_t n_tok, float* y, int64_t ldy) {
  if (!on_tiles(n)) {
    g_dp_bf16(n, packed, r0, n_rows, a, as, prep, n_tok, y, ldy);
    return;
  }
  const uint8_t* at = tiles_after(prep, 0);
  if (n_tok <= 16) {  // one token tile: straight through, the weights streamed once
    tiles_all_tokens(n, packed, r0, n_rows, at, n_tok, y, ldy, true);
  } else {  // panels (amx_bf16_tiles.inc): the same sums, A tiles from L2
    const size_t gb = static_cast<size_t>(n / 2) * 64;
    for_each_panel(n, n_rows, [&](int64_t g0, int64_t nr, int64_t k0, int64_t kc) {
      panel_all_tokens(n, k0, kc, packed + ((r0 + g0) / kG) * gb + k0 * 32, gb, nr, at, n_tok, y + g0, ldy, true);
    });
  }
  _tile_release();
}

#undef PO_STORE_RESULT
#undef PO_LOAD_RESULT

}  // namespace

void fill_amx_bf16(KernelSet& k) {
  const int t = static_cast<int>(TensorType::BF16);
  g_dp_bf16 = k.packed_gemm[t];  // its prep writes nothing: ours replaces it
  k.packed_gemm[t] = pg_bf16;
  k.packed_prep[t] = prep_tiles;
}

}  // namespace pocketops::kernels::x86
#endif
