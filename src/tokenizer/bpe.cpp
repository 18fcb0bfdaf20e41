// BPE merge table (open-addressing hash of id pairs) and the heap-driven
// merge loop; stale heap entries are detected by comparing symbol lengths.
#include "tokenizer/bpe.h"

#include <algorithm>

namespace pocketops::tokenizer {

namespace {
constexpr uint64_t kEmpty = ~0ull;
inline size_t hash_key(uint64_t k) {
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdull;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ull;
  k ^= k >> 33;
  return static_cast<size_t>(k);
}
}  // namespace

void BpeMerges::grow() {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(old.empty() ? 1024 : old.size() * 2, Slot{kEmpty, {0, 0}});
  const size_t mask = slots_.size() - 1;
  for (const Slot& s : old) {
    if (s.key == kEmpty) continue;
    size_t i = hash_key(s.key) & mask;
    while (slots_[i].key != kEmpty) i = (i + 1) & mask;
    slots_[i] = s;
  }
}

void BpeMerges::add(int32_t left, int32_t right, int32_t rank, int32_t result) {
  if ((count_ + 1) * 2 > slots_.size()) grow();
  const uint64_t k = key_of(left, right);
  const size_t mask = slots_.size() - 1;
  size_t i = hash_key(k) & mask;
  while (slots_[i].key != kEmpty) {
    if (slots_[i].key == k) return;  // keep the first (lowest) rank
    i = (i + 1) & mask;
  }
  slots_[i] = Slot{k, {rank, result}};
  ++count_;
}

const BpeMerges::Merge* BpeMerges::find(int32_t left, int32_t right) const {
  if (slots_.empty() || left < 0 || right < 0) return nullptr;
  const uint64_t k = key_of(left, right);
  const size_t mask = slots_.size() - 1;
  size_t i = hash_key(k) & mask;
  while (slots_[i].key != kEmpty) {
    if (slots_[i].key == k) return &slots_[i].merge;
    i = (i + 1) & mask;
  }
  return nullptr;
}

void BpeMerges::apply(const int32_t* ids, size_t n, std::vector<Piece>& out, Scratch& sc) const {
  if (n == 0) return;
  auto& syms = sc.syms;
  auto& heap = sc.heap;
  syms.resize(n);
  heap.clear();
  for (size_t i = 0; i < n; ++i)
    syms[i] = {ids[i], static_cast<int32_t>(i) - 1, i + 1 < n ? static_cast<int32_t>(i + 1) : -1, 1};
  const Scratch::Worse worse;
  auto consider = [&](int32_t l, int32_t r) {
    if (l < 0 || r < 0) return;
    const Merge* m = find(syms[l].id, syms[r].id);
    if (!m) return;
    const uint64_t order = (static_cast<uint64_t>(static_cast<uint32_t>(m->rank)) << 32) | static_cast<uint32_t>(l);
    heap.push_back({order, syms[l].len, syms[r].len});
    std::push_heap(heap.begin(), heap.end(), worse);
  };
  for (size_t i = 1; i < n; ++i) consider(static_cast<int32_t>(i - 1), static_cast<int32_t>(i));

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), worse);
    const Scratch::Cand c = heap.back();
    heap.pop_back();
    const auto left = static_cast<int32_t>(c.order & 0xFFFFFFFFu);
    auto& L = syms[left];
    // Stale when the left symbol was merged away or has grown since this was
    // queued, or the right one has (equal lengths at fixed starts = equal texts).
    if (L.len != c.left_len || L.next < 0) continue;
    const int32_t right = L.next;
    auto& R = syms[right];
    if (R.len != c.right_len) continue;
    const Merge* m = find(L.id, R.id);
    L.len += R.len;
    L.id = m->result;
    R.len = 0;
    L.next = R.next;
    if (R.next >= 0) syms[R.next].prev = left;
    consider(L.prev, left);
    consider(left, L.next);
  }
  for (int32_t i = 0; i >= 0; i = syms[i].next) out.push_back({syms[i].id, static_cast<uint32_t>(i), syms[i].len});
}

}  // namespace pocketops::tokenizer
