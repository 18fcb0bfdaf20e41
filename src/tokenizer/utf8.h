// UTF-8 helpers for the tokenizer: the reference engine's lenient decoder,
// an encoder, and a strict validator used by the streaming detokenizer.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pocketops::tokenizer {

inline constexpr uint32_t kReplacementChar = 0xFFFD;

// Decodes like the reference engine: well-formed-looking sequences decode
// without overlong/surrogate checks; a byte that cannot start a sequence (or a
// truncated sequence, or one decoding above U+10FFFF) becomes U+FFFD and
// consumes one byte.
std::vector<uint32_t> decode_utf8_lenient(std::string_view s);

// Appends the UTF-8 encoding of cp (cp <= 0x10FFFF; larger values append U+FFFD).
void append_utf8(std::string& out, uint32_t cp);

// Length of the UTF-8 sequence started by lead byte b (1 for ASCII and for
// bytes that cannot start a sequence).
inline size_t utf8_seq_len(uint8_t b) {
  if (b < 0xC0) return 1;
  if (b < 0xE0) return 2;
  if (b < 0xF0) return 3;
  if (b < 0xF8) return 4;
  return 1;
}

// Strict validation of one sequence at s[i] (RFC 3629: no overlongs, no
// surrogates, max U+10FFFF). Returns the sequence length when valid; 0 when
// the bytes are a valid but truncated prefix that runs into the end of s;
// -k when invalid, k = bytes to replace with one U+FFFD (maximal subpart).
int check_utf8_at(std::string_view s, size_t i);

// Whole-string strict check.
bool is_valid_utf8(std::string_view s);

}  // namespace pocketops::tokenizer
