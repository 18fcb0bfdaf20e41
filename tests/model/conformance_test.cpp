// Conformance against the reference engine's logits for every fixture model
// and case (../shared/fixtures/logits): per-row cosine, max abs difference,
// top-1 agreement and greedy continuations, with per-type tolerances.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "kernels/dispatch.h"
#include "model/lfm2_model.h"
#include "support/fixtures.h"

using namespace pocketops;

namespace {

struct Tolerance {
  double min_cos;       // every row
  double mean_cos;      // average over rows
  double max_abs;       // every element (0 = not checked)
  double min_top1;      // fraction of rows whose argmax agrees
};

// Why these numbers (see ../shared/fixtures/README.md):
// - F32 is the oracle for the math; the reference keeps its KV cache in F16
//   (so do we), which bounds the difference at ~3e-3 absolute.
// - F16 weights: the reference rounds activations to F16 too (we do the same).
// - BF16: activations rounded to BF16 for the dot products: cosine >= 0.9997.
// - Quantized: 8-bit activation quantization (Q8_0 / Q8_1 / Q8_K, as the
//   reference does) + random networks amplify rounding; a wrong nibble order
//   or scale decode gives cosine far below 0.98.
Tolerance tolerance_for(const std::string& model) {
  if (model == "tiny-f32") return {0.99999, 0.999995, 1e-2, 0.97};
  if (model == "tiny-f16") return {0.99999, 0.999995, 2e-2, 0.95};
  if (model == "tiny-bf16") return {0.9999, 0.99997, 0.1, 0.9};
  // Measured here: min cos >= 0.9985, mean >= 0.9995 with the reference's
  // activation quantization; the README's bound for a float activation path
  // is min 0.991 / mean 0.996, so this still catches any format bug.
  // Top-1 over ~24 rows of near-tied random logits flips with summation
  // order (the README measures 70-100% agreement for quantized files).
  return {0.997, 0.999, 0, 0.7};
}

// A prompt longer than kExactBatchTokens on a kernel set that rounds such
// batches' products to BF16 for some matrix of the model (amx: Q4_0, Q8_0,
// Q4_K):
// the README's bound for an engine without 8-bit activation blocks. The
// extra rounding (2^-8 relative per weight and activation) is about half
// the reference's own 8-bit activation rounding, and these random networks
// amplify it (measured: min cos 0.9971, mean 0.9989 on the long case).
bool rounds_prompt_to_bf16(const model::Lfm2Model& m, size_t prompt_tokens) {
  if (static_cast<int64_t>(prompt_tokens) <= kernels::kExactBatchTokens) return false;
  const kernels::KernelSet& ks = kernels::active_kernels();
  for (const kernels::Matrix* x : m.weights().packable_matrices())
    if (x->data && x->packed_by == &ks && ks.bf16_prefill[static_cast<int>(x->type)]) return true;
  return false;
}
constexpr Tolerance kBf16PromptTolerance{0.991, 0.996, 0, 0.7};

std::vector<float> read_f32(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  in.seekg(0, std::ios::end);
  size_t n = static_cast<size_t>(in.tellg()) / 4;
  in.seekg(0);
  std::vector<float> v(n);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * 4));
  return v;
}

double cosine(const float* a, const float* b, int64_t n) {
  double ab = 0, aa = 0, bb = 0;
  for (int64_t i = 0; i < n; ++i) ab += double(a[i]) * b[i], aa += double(a[i]) * a[i], bb += double(b[i]) * b[i];
  return ab / std::sqrt(aa * bb);
}

int64_t argmax(const float* a, int64_t n) { return std::max_element(a, a + n) - a; }

// Second-best margin of the reference row: greedy ids are only compared
// where the top-2 margin is clear.
double top2_margin(const float* a, int64_t n) {
  float b1 = -INFINITY, b2 = -INFINITY;
  for (int64_t i = 0; i < n; ++i) {
    if (a[i] > b1) b2 = b1, b1 = a[i];
    else if (a[i] > b2) b2 = a[i];
  }
  return b1 - b2;
}

// (model, threads, kernel set): results must not depend on the thread count
// or on which kernel set (scalar reference or SIMD) computes them.
struct Case {
  std::string model;
  int threads;
  std::string kernels;  // "" = the best set for this CPU
};

// Selects a kernel set for the duration of a test.
class KernelScope {
 public:
  explicit KernelScope(const std::string& name) : saved_(kernels::active_kernels().name) {
    if (!name.empty()) kernels::set_active_kernels(name);
  }
  ~KernelScope() { kernels::set_active_kernels(saved_); }

 private:
  std::string saved_;
};

bool kernel_set_available(const std::string& name) {
  if (name.empty()) return true;
  for (const kernels::KernelSet* s : kernels::available_kernel_sets())
    if (s->name == name) return true;
  return false;
}

class Conformance : public ::testing::TestWithParam<Case> {};

TEST_P(Conformance, MatchesReferenceLogits) {
  POCKETOPS_REQUIRE_FIXTURES();
  const std::string name = GetParam().model;
  if (!kernel_set_available(GetParam().kernels))
    GTEST_SKIP() << "kernel set " << GetParam().kernels << " is not available on this CPU";
  KernelScope scope(GetParam().kernels);
  const std::string dir = pocketops::testing::fixtures_dir() + "/logits/" + name;
  auto model = model::Lfm2Model::load(pocketops::testing::fixtures_dir() + "/models/" + name + ".gguf");
  const int64_t V = model->n_vocab();
  const Tolerance tol = tolerance_for(name);
  kernels::ThreadPool pool(GetParam().threads);
  std::ifstream idx(dir + "/index.jsonl");
  std::string line;
  int cases = 0;
  while (std::getline(idx, line)) {
    auto c = nlohmann::json::parse(line);
    const std::string cname = c["case"];
    SCOPED_TRACE(name + "/" + cname);
    std::vector<int32_t> prompt = c["prompt"].get<std::vector<int32_t>>();
    std::vector<int64_t> rows = c["prompt_rows"].get<std::vector<int64_t>>();
    std::vector<int32_t> greedy = c["greedy"].get<std::vector<int32_t>>();
    const int decode = c["decode"];
    ASSERT_EQ(c["vocab"].get<int64_t>(), V);
    std::vector<float> ref = read_f32(dir + "/" + c["file"].get<std::string>());
    ASSERT_EQ(ref.size(), (rows.size() + decode) * V);

    model::Lfm2State st(model->config(), 4096);
    std::vector<float> got((rows.size() + decode) * V);
    model->forward(st, prompt, rows, got.data(), pool);
    // Decode steps feed the reference's greedy tokens (teacher forcing) so
    // every row is compared on the same input.
    for (int s = 0; s < decode; ++s) {
      int32_t tok = greedy[s];
      int64_t row0 = 0;
      model->forward(st, std::span<const int32_t>(&tok, 1), std::span<const int64_t>(&row0, 1),
                     got.data() + (rows.size() + s) * V, pool);
    }
    const int64_t n_rows = static_cast<int64_t>(rows.size()) + decode;
    double min_cos = 1, sum_cos = 0, max_abs = 0;
    int top1 = 0, greedy_checked = 0, greedy_ok = 0;
    for (int64_t r = 0; r < n_rows; ++r) {
      const float* a = got.data() + r * V;
      const float* b = ref.data() + r * V;
      double cs = cosine(a, b, V);
      min_cos = std::min(min_cos, cs);
      sum_cos += cs;
      for (int64_t i = 0; i < V; ++i) max_abs = std::max(max_abs, double(std::fabs(a[i] - b[i])));
      top1 += argmax(a, V) == argmax(b, V);
      // greedy[s] is the argmax of the row before decode step s.
      const int64_t gi = r - (static_cast<int64_t>(rows.size()) - 1);
      if (gi >= 0 && gi < decode && (r >= static_cast<int64_t>(rows.size()) || rows.back() == static_cast<int64_t>(prompt.size()) - 1)) {
        if (top2_margin(b, V) > 0.05) {
          ++greedy_checked;
          greedy_ok += argmax(a, V) == greedy[gi];
        }
      }
    }
    const double mean_cos = sum_cos / n_rows;
    const double top1_frac = double(top1) / n_rows;
    RecordProperty(cname + "_min_cos", std::to_string(min_cos));
    std::printf("  %-12s %-17s rows %4lld  min cos %.6f  mean cos %.6f  max|d| %.4g  top1 %.2f  greedy %d/%d\n",
                name.c_str(), cname.c_str(), static_cast<long long>(n_rows), min_cos, mean_cos, max_abs, top1_frac,
                greedy_ok, greedy_checked);
    const Tolerance& t = rounds_prompt_to_bf16(*model, prompt.size()) ? kBf16PromptTolerance : tol;
    EXPECT_GE(min_cos, t.min_cos);
    EXPECT_GE(mean_cos, t.mean_cos);
    if (t.max_abs > 0) {
      EXPECT_LE(max_abs, t.max_abs);
    }
    EXPECT_GE(top1_frac, t.min_top1);
    if (t.min_cos >= 0.9999) {
      EXPECT_EQ(greedy_ok, greedy_checked);
    }
    ++cases;
  }
  EXPECT_EQ(cases, 4);
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string s = info.param.model + "_t" + std::to_string(info.param.threads) +
                  (info.param.kernels.empty() ? "" : "_" + info.param.kernels);
  for (auto& ch : s)
    if (!isalnum(static_cast<unsigned char>(ch))) ch = '_';
  return s;
}

// Every fixture model with the best kernels on 2 threads.
INSTANTIATE_TEST_SUITE_P(Fixtures, Conformance,
                         ::testing::Values(Case{"tiny-f32", 2, ""}, Case{"tiny-f16", 2, ""}, Case{"tiny-bf16", 2, ""},
                                           Case{"tiny-q8_0", 2, ""}, Case{"tiny-q4_0", 2, ""}, Case{"tiny-q4_1", 2, ""},
                                           Case{"tiny-q5_0", 2, ""}, Case{"tiny-q5_1", 2, ""},
                                           Case{"tiny-q4_k_m", 2, ""}, Case{"tiny-q5_k_m", 2, ""},
                                           Case{"tiny-q6_k", 2, ""}),
                         case_name);

// The main file types again on one thread, and through the scalar reference.
INSTANTIATE_TEST_SUITE_P(OneThread, Conformance,
                         ::testing::Values(Case{"tiny-f32", 1, ""}, Case{"tiny-q4_0", 1, ""},
                                           Case{"tiny-q4_k_m", 1, ""}, Case{"tiny-q8_0", 1, ""},
                                           Case{"tiny-q4_0", 1, "scalar"}, Case{"tiny-q4_k_m", 2, "scalar"},
                                           Case{"tiny-bf16", 1, "scalar"}),
                         case_name);

// The smaller SIMD sets this CPU also has (skipped where it lacks them):
// AVX-512 without AMX (when amx is the best set), AVX-512 without BF16 (Cascade Lake / Ice Lake servers), AVX2 only (all
// three packed K-quant layouts) and AVX2 with AVX-VNNI; on
// aarch64 NEON without the dot-product extension.
INSTANTIATE_TEST_SUITE_P(OtherSets, Conformance,
                         ::testing::Values(Case{"tiny-q4_0", 2, "avx512"}, Case{"tiny-q8_0", 2, "avx512"},
                                           Case{"tiny-q4_k_m", 2, "avx512"}, Case{"tiny-bf16", 2, "avx512"},
                                           Case{"tiny-bf16", 2, "avx512vnni"}, Case{"tiny-q4_0", 2, "avx512vnni"},
                                           Case{"tiny-q4_k_m", 2, "avx512vnni"}, Case{"tiny-bf16", 2, "avx2"},
                                           Case{"tiny-q4_0", 2, "avx2"}, Case{"tiny-q4_k_m", 2, "avx2"},
                                           Case{"tiny-q5_k_m", 2, "avx2"}, Case{"tiny-q6_k", 2, "avx2"},
                                           Case{"tiny-q4_0", 2, "avxvnni"}, Case{"tiny-q8_0", 2, "avxvnni"},
                                           Case{"tiny-q4_k_m", 2, "avxvnni"}, Case{"tiny-q6_k", 2, "avxvnni"},
                                           Case{"tiny-q4_0", 2, "neon"}, Case{"tiny-q4_k_m", 2, "neon"}),
                         case_name);

}  // namespace
