// Masking pass: splits a message into whitespace tokens and replaces the
// variable parts (numbers, ids, addresses, paths, ...) with "<*>".
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pocketops::logs {

inline constexpr std::string_view kWildcard = "<*>";
// Byte that stands for a span already masked by a user rule (see rules.h).
inline constexpr char kPremasked = '\x01';

struct MaskedToken {
  uint32_t off, len;            // masked text inside MaskedLine::text
  std::string_view original;    // the token as it appeared in the message
  uint32_t param_begin, param_end;  // its params inside MaskedLine::params
};

struct MaskedLine {
  std::string text;  // masked tokens joined by single spaces
  std::vector<MaskedToken> tokens;
  std::vector<std::string_view> params;
  std::string_view token(size_t i) const { return {text.data() + tokens[i].off, tokens[i].len}; }
  void clear() {
    text.clear();
    tokens.clear();
    params.clear();
  }
};

struct MaskerOptions {
  size_t max_tokens = 256;       // the rest of a longer message becomes one trailing <*>
  size_t max_token_bytes = 96;   // longer tokens are always variable
};

// Masks `msg` into `out` (cleared first). `premasked` supplies, in order, the
// params for each kPremasked byte in msg (from user masks); may be null.
void mask_message(std::string_view msg, MaskedLine& out, const MaskerOptions& opt = {},
                  const std::vector<std::string_view>* premasked = nullptr);

}  // namespace pocketops::logs
