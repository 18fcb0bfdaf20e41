// Fuzzes the LFM2 tool-call parser (model output is untrusted text).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "chat/tool_call.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto r = pocketops::chat::parse_tool_calls(text);
  if (!r.error) (void)pocketops::chat::tool_calls_to_openai(r.calls);
  return 0;
}
