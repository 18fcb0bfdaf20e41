// Hand-written scanner for the llama-3 pre-tokenizer pattern: one left-to-right
// pass over code points, trying the pattern's alternatives in order.
#include "tokenizer/pretokenize.h"

#include <utf8proc.h>

#include "tokenizer/utf8.h"

namespace pocketops::tokenizer {

namespace {

bool is_white_space(uint32_t cp) {
  // Unicode White_Space property (PropList.txt).
  if (cp >= 0x09 && cp <= 0x0D) return true;
  switch (cp) {
    case 0x20: case 0x85: case 0xA0: case 0x1680: case 0x2028: case 0x2029:
    case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

uint8_t compute_class(uint32_t cp) {
  uint8_t c = is_white_space(cp) ? kCpSpace : 0;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(cp))) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO:
      c |= kCpLetter;
      break;
    case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL: case UTF8PROC_CATEGORY_NO:
      c |= kCpNumber;
      break;
    default:
      break;
  }
  return c;
}

struct AsciiClasses {
  uint8_t cls[128];
  AsciiClasses() {
    for (uint32_t i = 0; i < 128; ++i) cls[i] = compute_class(i);
  }
};

inline uint32_t ascii_lower(uint32_t c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }

}  // namespace

uint8_t codepoint_class(uint32_t cp) {
  static const AsciiClasses ascii;
  if (cp < 128) return ascii.cls[cp];
  if (cp > 0x10FFFF) return 0;
  return compute_class(cp);
}

std::vector<size_t> split_llama3(const std::vector<uint32_t>& cps) {
  const size_t n = cps.size();
  std::vector<uint8_t> cls(n);
  for (size_t i = 0; i < n; ++i) cls[i] = codepoint_class(cps[i]);
  auto is = [&](size_t i, uint8_t bit) { return i < n && (cls[i] & bit); };
  auto is_rn = [&](size_t i) { return i < n && (cps[i] == '\r' || cps[i] == '\n'); };
  auto is_other = [&](size_t i) { return i < n && !(cls[i] & (kCpLetter | kCpNumber | kCpSpace)); };

  std::vector<size_t> lens;
  lens.reserve(n / 3 + 1);
  size_t p = 0;
  while (p < n) {
    const uint32_t c = cps[p];
    size_t q = p;  // end of the piece found at p

    // (?i:'s|'t|'re|'ve|'m|'ll|'d)
    if (c == '\'' && p + 1 < n) {
      const uint32_t c1 = ascii_lower(cps[p + 1]);
      if (c1 == 's' || c1 == 't' || c1 == 'm' || c1 == 'd') {
        q = p + 2;
      } else if (p + 2 < n) {
        const uint32_t c2 = ascii_lower(cps[p + 2]);
        if ((c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l')) q = p + 3;
      }
    }
    // [^\r\n\p{L}\p{N}]?\p{L}+
    if (q == p && !is_rn(p) && !is(p, kCpNumber) && (is(p, kCpLetter) || is(p + 1, kCpLetter))) {
      q = p + 1;
      while (is(q, kCpLetter)) ++q;
    }
    // \p{N}{1,3}
    if (q == p && is(p, kCpNumber)) {
      while (q < p + 3 && is(q, kCpNumber)) ++q;
    }
    // ' ?[^\s\p{L}\p{N}]+[\r\n]*'  (a lone trailing space also ends here; \s+ would take it the same way)
    if (q == p) {
      const size_t s = (c == ' ') ? p + 1 : p;
      if (is_other(s) || (c == ' ' && s == n)) {
        q = s;
        while (is_other(q)) ++q;
        while (is_rn(q)) ++q;
      }
    }
    // \s*[\r\n]+ | \s+(?!\S) | \s+
    if (q == p) {
      size_t m = p, last_rn = 0;
      while (is(m, kCpSpace)) {
        if (cps[m] == '\r' || cps[m] == '\n') last_rn = m + 1;
        ++m;
      }
      if (last_rn > 0) q = last_rn;
      else if (m - p > 1 && m < n) q = m - 1;
      else q = m;
    }
    if (q == p) q = p + 1;  // nothing matched: one code point on its own
    lens.push_back(q - p);
    p = q;
  }
  return lens;
}

PreTokens pretokenize_llama3(std::string_view input) {
  PreTokens out;
  const std::vector<uint32_t> cps = decode_utf8_lenient(input);
  const std::vector<size_t> lens = split_llama3(cps);
  out.text.reserve(input.size() + 8);
  out.ends.reserve(lens.size());
  size_t k = 0;
  for (size_t len : lens) {
    for (size_t j = 0; j < len; ++j) append_utf8(out.text, cps[k + j]);
    k += len;
    out.ends.push_back(out.text.size());
  }
  return out;
}

}  // namespace pocketops::tokenizer
