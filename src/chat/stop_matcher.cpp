// StopMatcher implementation: the held-back buffer never exceeds the longest
// stop string (plus an unfinished UTF-8 sequence), so each push is cheap.
#include "chat/stop_matcher.h"

#include <algorithm>

namespace pocketops::chat {

namespace {

// Bytes at the end of s that form an incomplete (so far valid-looking) UTF-8 sequence.
size_t incomplete_utf8_tail(std::string_view s) {
  const size_t n = s.size();
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    const auto c = static_cast<unsigned char>(s[n - back]);
    if ((c & 0xC0) == 0x80) continue;  // continuation byte: keep looking for the lead
    size_t need = 0;
    if ((c & 0xE0) == 0xC0) need = 2;
    else if ((c & 0xF0) == 0xE0) need = 3;
    else if ((c & 0xF8) == 0xF0) need = 4;
    return need > back ? back : 0;
  }
  return 0;
}

}  // namespace

StopMatcher::StopMatcher(std::vector<std::string> stops) {
  for (auto& s : stops)
    if (!s.empty()) stops_.push_back(std::move(s));
}

void StopMatcher::reset() {
  held_.clear();
  stopped_ = false;
}

StopMatcher::Result StopMatcher::push(std::string_view chunk) {
  Result r;
  if (stopped_) return r;
  held_.append(chunk);
  // Earliest complete stop string.
  size_t best = std::string::npos;
  const std::string* which = nullptr;
  for (const auto& s : stops_) {
    const size_t at = held_.find(s);
    if (at == std::string::npos) continue;
    if (at < best || (at == best && s.size() > which->size())) {
      best = at;
      which = &s;
    }
  }
  if (which) {
    r.text = held_.substr(0, best);
    r.stopped = true;
    r.stop = *which;
    stopped_ = true;
    held_.clear();
    return r;
  }
  // Longest suffix of held_ that is a proper prefix of some stop string.
  size_t keep = 0;
  for (const auto& s : stops_) {
    const size_t maxk = std::min(s.size() - 1, held_.size());
    for (size_t k = maxk; k > keep; --k) {
      if (held_.compare(held_.size() - k, k, s, 0, k) == 0) {
        keep = k;
        break;
      }
    }
  }
  keep = std::max(keep, incomplete_utf8_tail(held_));
  r.text = held_.substr(0, held_.size() - keep);
  held_.erase(0, held_.size() - keep);
  return r;
}

std::string StopMatcher::flush() {
  std::string out;
  out.swap(held_);
  return out;
}

}  // namespace pocketops::chat
