// The reader opens every fixture model and sees the LFM2 metadata and tensors.
#include <gtest/gtest.h>

#include <filesystem>

#include "gguf/gguf_reader.h"
#include "support/fixtures.h"

using namespace pocketops::gguf;

TEST(GgufFixtures, OpensEveryModel) {
  POCKETOPS_REQUIRE_FIXTURES();
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(pocketops::testing::fixtures_dir() + "/models")) {
    if (e.path().extension() != ".gguf") continue;
    auto f = File::open(e.path().string());
    EXPECT_EQ(f->get_string("general.architecture"), "lfm2") << e.path();
    EXPECT_EQ(f->get("lfm2.attention.head_count_kv").size(), 6u);
    EXPECT_EQ(f->get("tokenizer.ggml.tokens").size(), 4112u);
    EXPECT_NE(f->find_tensor("token_embd.weight"), nullptr);
    EXPECT_NE(f->find_tensor("blk.2.attn_q_norm.weight"), nullptr);
    ++n;
  }
  EXPECT_EQ(n, 11);
}
