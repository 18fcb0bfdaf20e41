// Pre-tokenizer of the llama-3 family (used by LFM2): splits text into the
// pieces matched by
//   (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//    ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
// with the reference engine's Unicode conventions (\s = White_Space property,
// so U+0085 counts; invalid UTF-8 bytes become U+FFFD before splitting).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pocketops::tokenizer {

// Character classes the pattern needs, per code point.
enum : uint8_t { kCpLetter = 1, kCpNumber = 2, kCpSpace = 4 };
uint8_t codepoint_class(uint32_t cp);

// The pre-tokenized text: `text` is the input re-encoded from its code points
// (identical to the input when it is valid UTF-8) and `ends` the byte offset
// where each piece ends (pieces are contiguous from 0).
struct PreTokens {
  std::string text;
  std::vector<size_t> ends;
};

PreTokens pretokenize_llama3(std::string_view input);

// Split on code point indices (exposed for tests): lengths in code points.
std::vector<size_t> split_llama3(const std::vector<uint32_t>& cps);

}  // namespace pocketops::tokenizer
