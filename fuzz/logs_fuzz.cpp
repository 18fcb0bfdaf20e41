// Fuzzes log header detection, masking and template mining line by line.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "logs/log_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static pocketops::logs::LogParser parser;
  std::string_view all(reinterpret_cast<const char*>(data), size);
  size_t start = 0;
  while (start <= all.size()) {
    size_t nl = all.find('\n', start);
    if (nl == std::string_view::npos) nl = all.size();
    (void)parser.parse(all.substr(start, nl - start));
    start = nl + 1;
  }
  return 0;
}
