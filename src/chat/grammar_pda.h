// Byte-level pushdown automaton over a compiled JsonSchema: a state is a small
// set of stacks ("threads", one per live anyOf alternative) of 16-byte frames.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "chat/json_schema.h"

namespace pocketops::chat {

// One value being parsed. Field use depends on the node kind (see grammar_pda.cpp).
struct PdaFrame {
  uint32_t node;
  uint8_t pc;   // sub-state within the value
  uint8_t ws;   // whitespace bytes in the current slot (numbers: sign flag)
  uint16_t s;   // small counter (key offset, hex digits, UTF-8 bytes pending, digit count)
  uint32_t n;   // counter (property index, items, code points, literal offset, magnitude low)
  uint32_t m;   // aux (matched key, hex value, literal range, magnitude high)
  bool operator==(const PdaFrame&) const = default;
};
static_assert(sizeof(PdaFrame) == 16, "PdaFrame must stay packed");

struct PdaState {
  std::vector<PdaFrame> frames;  // all threads, back to back
  std::vector<uint32_t> ends;    // thread i = frames[begin(i) .. ends[i])
  std::vector<PdaFrame> scratch;  // working space of step()

  size_t threads() const { return ends.size(); }
  size_t begin(size_t i) const { return i ? ends[i - 1] : 0; }
  bool dead() const { return ends.empty(); }
  void clear() {
    frames.clear();
    ends.clear();
  }
  void copy_from(const PdaState& o) {
    frames.assign(o.frames.begin(), o.frames.end());
    ends.assign(o.ends.begin(), o.ends.end());
  }
};

class JsonPda {
 public:
  static constexpr size_t kMaxThreads = 32;

  explicit JsonPda(const JsonSchema& schema) : sc_(schema) {}

  void init(PdaState& st) const;
  // dst = src after byte b (dst must not alias src); false when no thread survives.
  bool step(const PdaState& src, uint8_t b, PdaState& dst) const;
  // Some thread holds a complete top-level value.
  bool complete(const PdaState& st) const;
  // True when every thread is inside the body of a string (no escape or UTF-8
  // sequence pending); *room = most code points any of them may still add.
  bool in_string_body(const PdaState& st, uint32_t* room) const;
  // Shortest byte string that completes the document (empty when complete).
  std::string shortest_completion(const PdaState& st) const;

 private:
  enum Res : uint8_t { kConsumed, kConsumedPop, kReject, kPopRefeed, kPush };
  Res step_frame(PdaFrame& f, uint8_t b, uint32_t level, uint32_t& child) const;
  void feed(PdaState& dst, size_t base, uint8_t b) const;
  void push_value(PdaState& dst, size_t base, uint32_t child, uint8_t b) const;
  void commit(PdaState& dst, size_t base) const;
  bool feasible(uint32_t node, uint32_t level) const;
  bool accepting(const PdaFrame& f) const;
  void finish_frame(const PdaFrame& f, uint32_t level, std::string& out) const;
  PdaFrame fresh(uint32_t node) const;

  const JsonSchema& sc_;
};

}  // namespace pocketops::chat
