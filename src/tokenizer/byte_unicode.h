// The GPT-2 byte <-> unicode mapping used by byte-level BPE vocabularies:
// every byte is shown as one printable code point (e.g. space -> U+0120 'Ġ').
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace pocketops::tokenizer {

// Code point that stands for byte b.
uint32_t byte_to_codepoint(uint8_t b);
// UTF-8 text of byte_to_codepoint(b).
const std::string& byte_to_mapped(uint8_t b);
// Byte that code point cp stands for, or -1 when cp is not in the mapping.
int codepoint_to_byte(uint32_t cp);

// Maps raw bytes to their byte-level text (each byte -> one code point).
std::string bytes_to_mapped(std::string_view raw);
// Inverse: decodes a vocab entry back to raw bytes. Code points outside the
// mapping are passed through as their own UTF-8 (sets *all_mapped = false).
std::string mapped_to_bytes(std::string_view text, bool* all_mapped = nullptr);

}  // namespace pocketops::tokenizer
