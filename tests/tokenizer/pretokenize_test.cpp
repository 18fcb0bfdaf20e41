// The llama-3 pre-tokenizer: hand-picked splits, and a differential check of
// the hand-written scanner against PCRE2 running the pattern itself.
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "tokenizer/pretokenize.h"
#include "tokenizer/utf8.h"

using namespace pocketops::tokenizer;
using S = std::vector<std::string>;

namespace {

S split(const std::string& text) {
  const PreTokens p = pretokenize_llama3(text);
  S out;
  size_t start = 0;
  for (size_t e : p.ends) {
    out.push_back(p.text.substr(start, e - start));
    start = e;
  }
  return out;
}

// The pattern as given in the model's tokenizer.json, run by PCRE2 (UTF + UCP).
class PcreSplitter {
 public:
  PcreSplitter() {
    const char* pat =
        "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|"
        "\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    int err = 0;
    PCRE2_SIZE off = 0;
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pat), PCRE2_ZERO_TERMINATED, PCRE2_UTF | PCRE2_UCP, &err, &off,
                          nullptr);
    md_ = pcre2_match_data_create_from_pattern(code_, nullptr);
  }
  ~PcreSplitter() {
    pcre2_match_data_free(md_);
    pcre2_code_free(code_);
  }
  bool ok() const { return code_ != nullptr; }
  S split(const std::string& s) const {
    S out;
    size_t pos = 0;
    while (pos < s.size()) {
      int rc = pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(s.data()), s.size(), pos, 0, md_, nullptr);
      if (rc < 0) {
        out.push_back("<nomatch>");
        break;
      }
      PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md_);
      if (ov[0] != pos) out.push_back(s.substr(pos, ov[0] - pos));  // unmatched gap
      out.push_back(s.substr(ov[0], ov[1] - ov[0]));
      pos = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
    }
    return out;
  }

 private:
  pcre2_code* code_ = nullptr;
  pcre2_match_data* md_ = nullptr;
};

}  // namespace

TEST(PreTokenize, Basics) {
  EXPECT_EQ(split("Hello world"), (S{"Hello", " world"}));
  EXPECT_EQ(split(" Hello  world "), (S{" Hello", " ", " world", " "}));
  EXPECT_EQ(split("1234567"), (S{"123", "456", "7"}));
  EXPECT_EQ(split("a1b"), (S{"a", "1", "b"}));
  EXPECT_EQ(split("I'LL we'd they've it's"), (S{"I", "'LL", " we", "'d", " they", "'ve", " it", "'s"}));
  EXPECT_EQ(split("'x"), (S{"'x"}));
  EXPECT_EQ(split("hi!!!\n\nok"), (S{"hi", "!!!\n\n", "ok"}));
  EXPECT_EQ(split(" (x)"), (S{" (", "x", ")"}));
  EXPECT_EQ(split("a \n \n  b"), (S{"a", " \n \n", " ", " b"}));
  EXPECT_EQ(split("\r\n"), (S{"\r\n"}));
  EXPECT_EQ(split("x   "), (S{"x", "   "}));
  EXPECT_EQ(split(""), S{});
}

TEST(PreTokenize, UnicodeClasses) {
  EXPECT_EQ(split("нещо на"), (S{"нещо", " на"}));
  EXPECT_EQ(split("½x"), (S{"½", "x"}));  // No is a number
  EXPECT_EQ(split("\u00a0non\u3000x"), (S{"\u00a0non", "\u3000x"}));
  EXPECT_EQ(split("🚀🚀 ok"), (S{"🚀🚀", " ok"}));
  // U+0085 (NEL) has the White_Space property, as in the reference engine.
  EXPECT_EQ(codepoint_class(0x85), kCpSpace);
  EXPECT_EQ(split("a\u0085\u0085b"), (S{"a", "\u0085", "\u0085b"}));
}

TEST(PreTokenize, InvalidUtf8BecomesReplacementChar) {
  // 0xFF is not UTF-8: it becomes U+FFFD (a symbol), like the reference engine.
  EXPECT_EQ(split("a\xFF"), (S{"a", "\xEF\xBF\xBD"}));
  EXPECT_EQ(split("\xC3"), (S{"\xEF\xBF\xBD"}));                  // truncated sequence
  EXPECT_EQ(split("\xF4\x90\x80\x80"), (S{"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"}));  // > U+10FFFF
  EXPECT_EQ(split(std::string("a\0b", 3)), (S{"a", std::string("\0b", 2)}));
}

TEST(PreTokenize, MatchesPcre2OnRandomText) {
  PcreSplitter re;
  ASSERT_TRUE(re.ok());
  // Alphabet covering every branch of the pattern; U+0085 is left out because
  // PCRE2's \s does not include it while the reference engine's does.
  const std::vector<std::string> alphabet = {
      "a", "B", "z", "s", "S", "t", "r", "e", "v", "l", "L", "d", "m", "'", "'", " ", " ", " ", "  ", "\t", "\n", "\r",
      "\v", "\f", "0", "7", "9", "!", ".", ",", "(", "-", "_", "$", "\\", "é", "Ä", "ß", "ж", "ع", "中", "文", "ក",
      "ា", "½", "²", "٣", "Ⅻ", "\u00a0", "\u2009", "\u3000", "\u2028", "🚀", "😁", "\u200d", "️", "—", "～", "\x01",
      std::string("\0", 1), "\xEF\xBF\xBD"};
  std::mt19937 rng(1234);
  int compared = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    std::string s;
    const int len = 1 + static_cast<int>(rng() % 24);
    for (int i = 0; i < len; ++i) s += alphabet[rng() % alphabet.size()];
    ASSERT_EQ(split(s), re.split(s)) << "text: " << s;
    ++compared;
  }
  EXPECT_EQ(compared, 4000);
}

TEST(PreTokenize, ReencodingPreservesValidText) {
  const std::string s = "log: 2026-11-23 ERROR ✓ 服务器 — done\r\n";
  EXPECT_EQ(pretokenize_llama3(s).text, s);
  size_t total = 0;
  for (const auto& p : split(s)) total += p.size();
  EXPECT_EQ(total, s.size());
}
