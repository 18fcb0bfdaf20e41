// Byte trie over a vocabulary's token strings, built once per vocabulary and
// shared by every JsonConstraint; lets the mask walk prune whole subtrees.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace pocketops::chat {

class TokenTrie {
 public:
  struct Node {
    uint32_t first_child = 0;  // children are contiguous, sorted by byte
    uint32_t n_children = 0;
    uint32_t tok_begin = 0;    // tokens whose bytes end here: toks[tok_begin .. tok_end)
    uint32_t tok_end = 0;
    uint8_t byte = 0;
  };
  struct Trie {
    std::vector<Node> nodes;   // nodes[0] is the root (empty prefix)
    std::vector<int32_t> toks;
  };

  size_t vocab_size() const { return bytes_.size(); }
  const std::string& token_bytes(int32_t id) const { return bytes_[static_cast<size_t>(id)]; }
  bool is_eos(int32_t id) const { return eos_[static_cast<size_t>(id)] != 0; }
  // Tokens that can never be produced as text (control/special, empty).
  bool is_blocked(int32_t id) const { return blocked_[static_cast<size_t>(id)] != 0; }
  const std::vector<int32_t>& eos_ids() const { return eos_ids_; }

  // Every producible token.
  const Trie& all() const { return all_; }
  // Producible tokens that are NOT plain string content (see plain_tokens()).
  const Trie& special() const { return special_; }
  // Tokens made only of bytes that continue a JSON string body unchanged
  // (printable ASCII except '"' and '\\', and complete valid UTF-8 sequences),
  // sorted by their code-point count (plain_cps() holds the counts).
  const std::vector<int32_t>& plain_tokens() const { return plain_; }
  const std::vector<uint32_t>& plain_cps() const { return plain_cp_; }
  size_t max_token_bytes() const { return max_len_; }

 private:
  friend std::shared_ptr<const TokenTrie> build_token_trie(const std::vector<std::string>&,
                                                           const std::vector<int32_t>&,
                                                           const std::vector<bool>&);
  std::vector<std::string> bytes_;
  std::vector<uint8_t> eos_, blocked_;
  std::vector<int32_t> eos_ids_;
  Trie all_, special_;
  std::vector<int32_t> plain_;
  std::vector<uint32_t> plain_cp_;
  size_t max_len_ = 0;
};

// token_bytes[i] = raw bytes of token i. eos_ids are allowed exactly when the
// document is complete; never_allowed (may be empty, else one flag per token)
// marks control tokens. Tokens with empty text are never allowed. Throws
// pocketops::Error on out-of-range ids or mismatched sizes.
std::shared_ptr<const TokenTrie> build_token_trie(const std::vector<std::string>& token_bytes,
                                                  const std::vector<int32_t>& eos_ids,
                                                  const std::vector<bool>& never_allowed);

}  // namespace pocketops::chat
