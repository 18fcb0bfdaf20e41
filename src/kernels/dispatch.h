// Runtime kernel selection: one table of function pointers per instruction
// set (scalar reference, AVX2, AVX-512 with VNNI, AVX-512 with VNNI + BF16,
// the latter with AMX-INT8 tiles,
// NEON and NEON with dot products on aarch64),
// chosen once from the CPU's features. Model code only calls matmul(); SIMD
// code only fills tables.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gguf/tensor_type.h"
#include "kernels/attention.h"

namespace pocketops::kernels {

constexpr int kMaxTypes = 40;

// dot of one weight row with one activation row (activation_type format)
using VecDotFn = float (*)(int64_t n, const void* w, const void* a);
// activation row (float) -> activation format
using QuantizeFn = void (*)(const float* x, void* dst, int64_t n);
// Tile: for r in [0,n_rows), t in [0,n_tok): y[t*ldy + r] = dot(w + r*w_stride, a + t*a_stride)
using GemmFn = void (*)(int64_t n, const uint8_t* w, size_t w_stride, int64_t n_rows, const uint8_t* a,
                        size_t a_stride, int64_t n_tok, float* y, int64_t ldy);

// Optional repacked weight layouts (row-interleaved groups of pack_rows rows,
// produced once at load). PackFn returns the packed size (0: unsupported) and
// writes it when dst is non-null. PackedPrepFn computes per-call activation
// side data (size returned when out is null). PackedGemmFn computes rows
// [r0, r0+n_rows) (r0 a multiple of pack_rows) for n_tok tokens:
// y[t*ldy + r - r0] = dot(row r, a + t*a_stride).
using PackFn = size_t (*)(int64_t rows, int64_t cols, const uint8_t* w, size_t w_stride, uint8_t* dst);
using PackedPrepFn = size_t (*)(int64_t n, const uint8_t* a, size_t a_stride, int64_t n_tok, void* out);
// Dequantizes row r of a packed matrix (cols floats), e.g. embedding lookups
// in a tied output projection.
using PackedRowFn = void (*)(const uint8_t* packed, int64_t cols, int64_t r, float* y);
using PackedGemmFn = void (*)(int64_t n, const uint8_t* packed, int64_t r0, int64_t n_rows, const uint8_t* a,
                              size_t a_stride, const void* prep, int64_t n_tok, float* y, int64_t ldy);

// attention.h: causal GQA attention over F16 K/V rows for a tile of query
// tokens (scores: attention_scratch(a) floats), SwiGLU.
using AttnF16Fn = void (*)(const AttnTile& a, float* scores);
using SwigluFn = void (*)(const float* g, const float* u, float* y, int64_t n);
// Wrapping sum of `words` 64-bit words with the set's widest loads: the
// read-bandwidth probe (bandwidth.h), so the decode roofline is what this
// CPU's vector loads can stream, as in /work/shared/perf's AVX-512 probe.
using ReadSumFn = uint64_t (*)(const uint64_t* p, size_t words);

// Batches of up to this many tokens give every token exactly (bit for bit)
// the result a single-token call gives it, in every kernel set: speculative
// verification relies on it, so greedy output with drafts equals greedy
// output without them even where two logits nearly tie. Larger batches
// (prefill) may use kernels with another float summation order, or with
// BF16 products (KernelSet::bf16_prefill).
constexpr int64_t kExactBatchTokens = 64;

struct KernelSet {
  std::string name;
  VecDotFn vec_dot[kMaxTypes] = {};
  GemmFn gemm[kMaxTypes] = {};        // optional; falls back to vec_dot loops
  QuantizeFn quantize[kMaxTypes] = {}; // by activation type
  int pack_rows = 0;
  PackFn pack[kMaxTypes] = {};
  PackedPrepFn packed_prep[kMaxTypes] = {};
  PackedGemmFn packed_gemm[kMaxTypes] = {};
  PackedRowFn packed_row[kMaxTypes] = {};  // optional
  AttnF16Fn attn_f16 = nullptr;  // optional (scalar reference otherwise)
  SwigluFn swiglu = nullptr;
  ReadSumFn read_sum = nullptr;  // optional (a scalar loop otherwise)
  // Batches of more than kExactBatchTokens tokens over packed weights of
  // this type round weights and activations to BF16 for their products
  // (amx: Q4_0, Q8_0 and Q4_K prefill on AMX-BF16 tiles) instead of multiplying
  // the 8-bit activation blocks as integers: as precise, another rounding.
  bool bf16_prefill[kMaxTypes] = {};
  // Tokens per attention call the set wants for batches of more than
  // kExactBatchTokens tokens (0: 16 query rows per call, as decode's tiles),
  // and whether calls that allow it (AttnTile::bf16_ok) round q, k, p and v
  // to BF16 (amx: attention on AMX-BF16 tiles, 16 tokens per call so K and
  // V convert once for 64 query rows).
  int attn_tokens = 0;
  bool bf16_attention = false;
};

// The scalar reference set (always available).
const KernelSet& scalar_kernels();
// Sets available on this CPU, best first (always ends with scalar).
std::vector<const KernelSet*> available_kernel_sets();
// The set in use: best available, or POCKETOPS_KERNELS=scalar|avx2|avxvnni|avx512vnni|avx512|amx|neon|neon-dotprod
// when set.
const KernelSet& active_kernels();
// The set's converter from floats to activation format `at` (F16 for the KV
// cache, Q8_0, ...); the scalar reference's when the set has none. Results are
// byte-identical either way.
QuantizeFn activation_quantizer(const KernelSet& ks, gguf::TensorType at);
// Overrides the active set (tests, benchmarks); name must be available.
void set_active_kernels(const std::string& name);

// What this CPU has that the process cannot use, as one sentence for
// `info` and `bench` (empty when nothing): today, AMX on a Xeon that has it
// but whose VM or OS kernel does not expose it (prefill ~1.5-2x slower).
std::string unused_cpu_features();

// What the CPUID of an x86 CPU says about AMX, and the sentence for it
// (unused_cpu_features: a pure function, so tests can give any CPU).
struct AmxFacts {
  bool intel = false;
  int family = 0, model = 0;  // display family and model (CPUID leaf 1)
  bool in_cpuid = false;      // AMX-TILE/INT8/BF16 reported
  bool usable = false;        // ... and the OS grants the tile state
};
std::string amx_note(const AmxFacts& f);

// For the hooks below: a named set filled by an ISA's fill function, living
// for the whole process.
const KernelSet* make_kernel_set(const char* name, void (*fill)(KernelSet&));

// Registration hooks implemented by the SIMD translation units (return
// nullptr when the CPU lacks the features or the build lacks the code).
const KernelSet* avx2_kernels();        // AVX2 + FMA + F16C + BMI2
const KernelSet* avxvnni_kernels();     // + AVX-VNNI (Alder Lake and later client cores, Sierra Forest), no AVX-512
const KernelSet* avx512vnni_kernels();  // + AVX-512 F/BW/VL/DQ/VNNI (Cascade Lake, Ice Lake)
const KernelSet* avx512_kernels();      // + AVX512-BF16 (Zen 4, Sapphire Rapids)
const KernelSet* amx_kernels();         // + AMX-TILE/AMX-INT8 tiles for multi-token GEMM (Sapphire Rapids and later)
// The avx512 set as on AMD, vdpbf16ps for packed BF16 weights, where the
// avx512 set itself keeps FMAs (Intel): for tests, so that kernel is checked
// on every host with AVX512-BF16. nullptr elsewhere; not in available_kernel_sets().
const KernelSet* avx512_dpbf16_kernels();
const KernelSet* neon_kernels();          // aarch64 Advanced SIMD (every ARMv8 CPU)
const KernelSet* neon_dotprod_kernels();  // + SDOT (ARMv8.2 dotprod: Neoverse N1, Cortex-A76 and later)

}  // namespace pocketops::kernels
