// Builds the synthetic vocabulary: shapes resemble a real byte-level BPE
// (tokens spanning several JSON elements, partial UTF-8, leading spaces/quotes).
#include "chat/grammar_synthetic_vocab.h"

#include <random>
#include <unordered_set>

#include "common/error.h"

namespace pocketops::chat {

SyntheticVocab make_synthetic_vocab(size_t n, uint32_t seed) {
  require(n >= 300, "synthetic vocab: need at least 300 tokens");
  SyntheticVocab v;
  std::unordered_set<std::string> seen;
  auto add = [&](const std::string& s) {
    if (v.tokens.size() >= n || s.empty() || !seen.insert(s).second) return;
    v.tokens.push_back(s);
  };
  for (int b = 0; b < 256; ++b) add(std::string(1, static_cast<char>(b)));
  // Specials: EOS plus a few control tokens (their text must never be matched).
  v.eos_ids.push_back(static_cast<int32_t>(v.tokens.size()));
  add("<|im_end|>");
  for (const char* s : {"<|im_start|>", "<|endoftext|>", "<|tool_call_start|>", "<|pad|>"}) add(s);
  const size_t n_special = v.tokens.size();

  const char* fragments[] = {
      "{\"", "\":", "\": \"", "\",", "\", \"", "\"},", "\"}", "},", "}]", "]}", "\":\"", "\": ", ", \"", "\n",
      "\n  ", "\n    ", "\n      ", "  ", "    ", "true", "false", "null", "\"\n", "\\n", "\\\"", "\\u", "\\\\",
      "\\t", "\\u00", "[\"", "\"]", "[{", "}}", "{}", "[]", "\":[", "\":{", "\": [", "\": {", "\":\"\"", "\"\"",
      ",\n", ",\n  ", "{\n", "{\n  ", "}\n", "]\n", "0.", ".5", "e+", "e-", "E+", "-1", "1e", "00", "000", "0000",
      "\":true", "\":false", "\":null", "\": true", "\": false", "\": null", "{\"name\":", "\"name\"", "\"id\"",
      "\"type\"", "\"value\"", "\"items\"", "\"status\"", "()", "();", "::", "->", "=>", "!=", "==", "&&", "||",
      "\xC3\xA9", "\xC3\xBC", "\xE4\xB8\xAD", "\xE6\x96\x87", "\xF0\x9F\x98\x80", "\xF0\x9F", "\x98\x80", "\xE4\xB8",
      "\xAD", "\xC3", "\xA9\"", "\"\xC3\xA9", "\xE2\x82\xAC", "\xE2\x80\x94", "\xED\x9F\xBF", "\xEF\xBF\xBD",
  };
  for (const char* f : fragments) add(f);
  for (int i = 0; i < 1000; ++i) add(std::to_string(i));

  std::mt19937 rng(seed);
  auto pick = [&](const char* chars) {
    std::string s(chars);
    return s[std::uniform_int_distribution<size_t>(0, s.size() - 1)(rng)];
  };
  const char* cons = "bcdfghjklmnprstvwxyz";
  const char* vow = "aeiou";
  auto word = [&]() {
    std::string w;
    int syl = std::uniform_int_distribution<int>(1, 4)(rng);
    for (int k = 0; k < syl; ++k) {
      w += pick(cons);
      w += pick(vow);
      if (rng() % 3 == 0) w += pick(cons);
    }
    return w;
  };
  const char* prefixes[] = {"", " ", "\"", " \"", "_", ".", "\n", "(", "/", "-"};
  const char* suffixes[] = {"", "\"", "\",", "\":", "\": ", ",", ".", "s", "ed", "ing", "()", "\"}", "\\n"};
  std::uniform_int_distribution<int> pre(0, 9), suf(0, 12), kind(0, 99);
  size_t guard = 0;
  while (v.tokens.size() < n && ++guard < n * 50) {
    int k = kind(rng);
    if (k < 80) {
      std::string w = word();
      if (rng() % 4 == 0) w[0] = static_cast<char>(w[0] - 'a' + 'A');
      int p = pre(rng), s = suf(rng);
      add(std::string(prefixes[p < 5 ? p : (rng() % 2 ? 0 : p)]) + w + (s < 4 ? suffixes[s] : (rng() % 3 ? "" : suffixes[s])));
    } else if (k < 92) {
      // Random printable ASCII (including quotes, backslashes, brackets).
      std::string s;
      int len = std::uniform_int_distribution<int>(2, 6)(rng);
      for (int i = 0; i < len; ++i) s += static_cast<char>(std::uniform_int_distribution<int>(0x20, 0x7E)(rng));
      add(s);
    } else if (k < 97) {
      // Valid multi-byte UTF-8 (2-4 byte sequences), sometimes with ASCII.
      std::string s = rng() % 2 ? " " : "";
      int cnt = std::uniform_int_distribution<int>(1, 3)(rng);
      for (int i = 0; i < cnt; ++i) {
        uint32_t cp;
        do cp = std::uniform_int_distribution<uint32_t>(0x80, 0x1FFFF)(rng);
        while (cp >= 0xD800 && cp <= 0xDFFF);
        if (cp < 0x800) {
          s += static_cast<char>(0xC0 | (cp >> 6));
          s += static_cast<char>(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
          s += static_cast<char>(0xE0 | (cp >> 12));
          s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          s += static_cast<char>(0x80 | (cp & 0x3F));
        } else {
          s += static_cast<char>(0xF0 | (cp >> 18));
          s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
          s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
          s += static_cast<char>(0x80 | (cp & 0x3F));
        }
      }
      add(s);
    } else {
      // Arbitrary bytes (often invalid UTF-8 or control characters).
      std::string s;
      int len = std::uniform_int_distribution<int>(2, 4)(rng);
      for (int i = 0; i < len; ++i) s += static_cast<char>(rng() & 0xFF);
      add(s);
    }
  }
  // Filler if the generator ran dry (only for huge n).
  for (uint64_t i = 0; v.tokens.size() < n; ++i) add("tok" + std::to_string(i));
  v.never_allowed.assign(v.tokens.size(), false);
  for (size_t i = 256; i < n_special; ++i) v.never_allowed[i] = (static_cast<int32_t>(i) != v.eos_ids[0]);
  return v;
}

}  // namespace pocketops::chat
