// Fuzzes the GGUF reader and the LFM2 config/weight binding on arbitrary bytes:
// every input must parse or end in pocketops::Error.
#include <cstddef>
#include <cstdint>

#include "common/error.h"
#include "gguf/gguf_reader.h"
#include "model/lfm2_config.h"
#include "model/lfm2_weights.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto f = pocketops::gguf::File::from_bytes(data, size, "fuzz.gguf");
    for (const auto& [k, v] : f->metadata()) (void)v.describe();
    auto cfg = pocketops::model::Lfm2Config::from_gguf(*f);
    (void)pocketops::model::Lfm2Weights::bind(*f, cfg);
  } catch (const pocketops::Error&) {
  }
  return 0;
}
