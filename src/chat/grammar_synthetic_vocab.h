// A deterministic synthetic byte-level vocabulary (all bytes, JSON/code/English
// fragments, UTF-8 pieces, random strings) for constraint tests and benchmarks.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace pocketops::chat {

struct SyntheticVocab {
  std::vector<std::string> tokens;  // raw bytes per id; ids 0..255 are the single bytes
  std::vector<int32_t> eos_ids;     // one EOS token (special text)
  std::vector<bool> never_allowed;  // control tokens (special text, not EOS)
};

// n >= 300 tokens, reproducible for a given seed.
SyntheticVocab make_synthetic_vocab(size_t n, uint32_t seed = 1234);

}  // namespace pocketops::chat
