// What the generation loop needs from a decoding constraint (JSON schema,
// tool-call grammar...): a mask of allowed next tokens and state advance.
#pragma once
#include <cstdint>
#include <vector>

namespace pocketops::engine {

class TokenConstraint {
 public:
  virtual ~TokenConstraint() = default;
  // mask.size() == n_vocab; 1 = allowed next.
  virtual void allowed(std::vector<uint8_t>& mask) = 0;
  // Advances with the chosen token; false if it was not allowed.
  virtual bool accept(int32_t token) = 0;
  // The output so far is complete (generation may stop / EOS allowed).
  virtual bool complete() const = 0;
};

}  // namespace pocketops::engine
