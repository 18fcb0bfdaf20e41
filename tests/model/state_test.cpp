// Lfm2State sizes: the KV cache estimate `info` prints (kv_bytes_for) is
// what a state of that context actually allocates.
#include <gtest/gtest.h>

#include "model/lfm2_state.h"

using pocketops::model::Lfm2Config;
using pocketops::model::Lfm2State;

TEST(Lfm2State, KvBytesForMatchesAnAllocatedState) {
  Lfm2Config cfg;
  cfg.n_layer = 5;
  cfg.n_embd = 64;
  cfg.head_dim = 16;
  cfg.n_head = 4;
  cfg.n_head_kv = {0, 0, 2, 0, 1};  // attention at 2 and 4, different kv heads
  for (int64_t ctx : {1, 7, 256}) {
    Lfm2State st(cfg, ctx);
    EXPECT_EQ(Lfm2State::kv_bytes_for(cfg, ctx), st.kv_bytes()) << "ctx " << ctx;
    // K and V, F16, per position: (2 + 1) kv heads x 16 dims
    EXPECT_EQ(st.kv_bytes(), static_cast<size_t>(ctx) * 2 * 3 * 16 * 2) << "ctx " << ctx;
  }
  cfg.n_head_kv = {0, 0, 0, 0, 0};  // no attention layer: no cache
  EXPECT_EQ(Lfm2State::kv_bytes_for(cfg, 4096), 0u);
}
