// What the generation loop needs from a decoding constraint (JSON schema,
// tool-call grammar...): a mask of allowed next tokens and state advance.
#pragma once
#include <cstddef>
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
  // Some further token could still be accepted.
  virtual bool can_continue() const = 0;
  // Bytes still needed to finish at the least, and the tokens that start that
  // shortest completion (used when the token budget is about to run out).
  virtual size_t completion_bytes() const = 0;
  virtual void completion_mask(std::vector<uint8_t>& mask) const = 0;
  // Upper bound on how much one freely chosen token can lengthen the shortest
  // completion; the loop starts finishing this early so it never runs short.
  virtual size_t max_growth() const = 0;
};

}  // namespace pocketops::engine
