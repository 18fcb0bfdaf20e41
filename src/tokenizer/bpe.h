// Rank-based byte-pair merging over token ids: the merge table (pair of ids ->
// rank and merged id) and the merge loop (lowest rank first, leftmost on ties).
#pragma once
#include <cstddef>
#include <cstdint>
#include <queue>
#include <vector>

namespace pocketops::tokenizer {

class BpeMerges {
 public:
  struct Merge {
    int32_t rank;
    int32_t result;  // merged token id, or -1 when the merged text is not in the vocab
  };
  // A finished symbol: token id (-1: not a vocab entry) and its byte span in the word.
  struct Piece {
    int32_t id;
    uint32_t start;
    uint32_t len;
  };

  // Adds a merge; the first one added for a pair wins (later duplicates are ignored).
  void add(int32_t left, int32_t right, int32_t rank, int32_t result);
  const Merge* find(int32_t left, int32_t right) const;
  size_t size() const { return count_; }

  // Merges `n` initial symbols (one per byte; id -1 never merges). Appends the
  // resulting pieces to `out`. `scratch` is reusable state between calls.
  struct Scratch;
  void apply(const int32_t* ids, size_t n, std::vector<Piece>& out, Scratch& scratch) const;

  struct Scratch {
    // Symbol i starts at byte i of the word (starts never move when merging).
    struct Sym {
      int32_t id;
      int32_t prev, next;
      uint32_t len;
    };
    // A queued merge of the symbols at `left` and `left + left_len`; `order`
    // packs (rank, left) so the smallest value is the next merge to apply.
    struct Cand {
      uint64_t order;
      uint32_t left_len, right_len;
    };
    struct Worse {
      bool operator()(const Cand& a, const Cand& b) const { return a.order > b.order; }
    };
    std::vector<Sym> syms;
    std::vector<Cand> heap;
  };

 private:
  struct Slot {
    uint64_t key;
    Merge merge;
  };
  static uint64_t key_of(int32_t l, int32_t r) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(l)) << 32) | static_cast<uint32_t>(r);
  }
  void grow();
  std::vector<Slot> slots_;  // open addressing, key ~0 = empty
  size_t count_ = 0;
};

}  // namespace pocketops::tokenizer
