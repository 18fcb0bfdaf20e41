// GPT-2 byte <-> unicode tables: printable Latin-1 bytes map to themselves,
// the other 68 bytes to U+0100.. in byte order.
#include "tokenizer/byte_unicode.h"

#include <array>

#include "tokenizer/utf8.h"

namespace pocketops::tokenizer {
namespace {

struct Tables {
  std::array<uint32_t, 256> to_cp{};
  std::array<std::string, 256> to_text;
  std::array<int16_t, 512> from_cp{};  // all mapped code points are < 0x144
  Tables() {
    from_cp.fill(-1);
    uint32_t next = 256;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
      to_cp[b] = printable ? static_cast<uint32_t>(b) : next++;
      from_cp[to_cp[b]] = static_cast<int16_t>(b);
      append_utf8(to_text[b], to_cp[b]);
    }
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

}  // namespace

uint32_t byte_to_codepoint(uint8_t b) { return tables().to_cp[b]; }
const std::string& byte_to_mapped(uint8_t b) { return tables().to_text[b]; }
int codepoint_to_byte(uint32_t cp) { return cp < 512 ? tables().from_cp[cp] : -1; }

std::string bytes_to_mapped(std::string_view raw) {
  const Tables& t = tables();
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) out += t.to_text[c];
  return out;
}

std::string mapped_to_bytes(std::string_view text, bool* all_mapped) {
  if (all_mapped) *all_mapped = true;
  std::string out;
  out.reserve(text.size());
  for (uint32_t cp : decode_utf8_lenient(text)) {
    const int b = codepoint_to_byte(cp);
    if (b >= 0) {
      out.push_back(static_cast<char>(b));
    } else {
      if (all_mapped) *all_mapped = false;
      append_utf8(out, cp);
    }
  }
  return out;
}

}  // namespace pocketops::tokenizer
