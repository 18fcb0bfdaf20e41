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
    uint32_t sub_lo = 0;       // all tokens of the subtree: sorted[sub_lo .. sub_hi)
    uint32_t sub_hi = 0;
    // Most code points any token of the subtree adds from this node's byte on,
    // if all of them are plain string content from here (else kNotPlain).
    uint32_t plain_ext = 0;
    uint8_t byte = 0;
  };
  static constexpr uint32_t kNotPlain = 0xFFFFFFFFu;
  struct Trie {
    std::vector<Node> nodes;   // nodes[0] is the root (empty prefix)
    std::vector<int32_t> toks;
    std::vector<int32_t> sorted;  // token ids in key order
  };

  size_t vocab_size() const { return bytes_.size(); }
  const std::string& token_bytes(int32_t id) const { return bytes_[static_cast<size_t>(id)]; }
  bool is_eos(int32_t id) const { return eos_[static_cast<size_t>(id)] != 0; }
  // Tokens that can never be produced as text (control/special, empty).
  bool is_blocked(int32_t id) const { return blocked_[static_cast<size_t>(id)] != 0; }
  const std::vector<int32_t>& eos_ids() const { return eos_ids_; }

  // Every producible token.
  const Trie& all() const { return all_; }
  // Inside a string body, a token is one of three kinds:
  //  - plain: only string content (printable ASCII but '"' and '\\', valid
  //    UTF-8, possibly ending inside a multi-byte sequence); allowed exactly
  //    when its code points fit. Sorted by code-point count (plain_cps()).
  //  - leaving: c code points of content, then '"' or '\\' and a suffix;
  //    body_suffixes()[c] is a trie of those suffixes (from the '"' or '\\').
  //  - anything else (raw control bytes, invalid UTF-8): never allowed there.
  const std::vector<int32_t>& plain_tokens() const { return plain_; }
  const std::vector<Trie>& body_suffixes() const { return suffixes_; }
  const std::vector<uint32_t>& plain_cps() const { return plain_cp_; }
  size_t max_token_bytes() const { return max_len_; }

 private:
  friend std::shared_ptr<const TokenTrie> build_token_trie(const std::vector<std::string>&,
                                                           const std::vector<int32_t>&,
                                                           const std::vector<bool>&);
  std::vector<std::string> bytes_;
  std::vector<uint8_t> eos_, blocked_;
  std::vector<int32_t> eos_ids_;
  Trie all_;
  std::vector<Trie> suffixes_;
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
