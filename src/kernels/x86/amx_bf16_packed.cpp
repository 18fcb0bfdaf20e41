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
  tiles_all_tokens(n, packed, r0, n_rows, tiles_after(prep, 0), n_tok, y, ldy, true);
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
