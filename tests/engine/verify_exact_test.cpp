// Speculative verification reproduces plain greedy decoding exactly: in every
// kernel set and for every weight type, a batch of tokens (one sampled + the
// drafts) gives each position bit for bit the logits that one decode step
// per token gives, and leaves the same KV cache and conv state behind. Without
// that, greedy output with drafts could differ where two logits nearly tie
// (a random 350M model diverged after 84 tokens before this held).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "kernels/dispatch.h"
#include "kernels/thread_pool.h"
#include "model/lfm2_model.h"
#include "synth_model.h"

using namespace pocketops;
using pocketops::testing::test_tokens;

namespace {

TEST(VerifyExact, BatchLogitsAndStateEqualDecodeSteps) {
  const std::string saved = kernels::active_kernels().name;
  kernels::ThreadPool pool(2);
  for (const char* type : {"f32", "f16", "bf16", "q8_0", "q4_0", "q5_0", "q4_k_m", "q6_k"})
    for (const kernels::KernelSet* ks : kernels::available_kernel_sets()) {
      SCOPED_TRACE(std::string(type) + " / " + ks->name);
      kernels::set_active_kernels(ks->name);  // before loading: the set packs the weights
      auto m = model::Lfm2Model::load(pocketops::testing::synthetic_model(type));
      const int64_t V = m->n_vocab();
      const auto prompt = test_tokens(21, 3), batch = test_tokens(9, 11);
      model::Lfm2State a(m->config(), 64), b(m->config(), 64);
      const int64_t last = static_cast<int64_t>(prompt.size()) - 1;
      std::vector<float> la(V), lb(V);
      m->forward(a, prompt, std::span<const int64_t>(&last, 1), la.data(), pool);
      m->forward(b, prompt, std::span<const int64_t>(&last, 1), lb.data(), pool);
      std::vector<int64_t> rows(batch.size());
      for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int64_t>(i);
      std::vector<float> verify(batch.size() * V), step(V);
      model::BatchTrace trace;
      m->forward(a, batch, rows, verify.data(), pool, &trace);  // one verification batch
      const int64_t zero = 0;
      for (size_t i = 0; i < batch.size(); ++i) {  // the same tokens one decode step at a time
        m->forward(b, std::span<const int32_t>(&batch[i], 1), std::span<const int64_t>(&zero, 1), step.data(), pool);
        EXPECT_EQ(std::memcmp(step.data(), verify.data() + i * V, sizeof(float) * V), 0) << "position " << i;
      }
      // what the batch left in the caches: the next step agrees too
      const int32_t next = 77;
      m->forward(a, std::span<const int32_t>(&next, 1), std::span<const int64_t>(&zero, 1), la.data(), pool);
      m->forward(b, std::span<const int32_t>(&next, 1), std::span<const int64_t>(&zero, 1), lb.data(), pool);
      EXPECT_EQ(std::memcmp(la.data(), lb.data(), sizeof(float) * V), 0) << "step after the batch";
    }
  kernels::set_active_kernels(saved);
}

}  // namespace
