// The JSON pushdown automaton: per-kind byte transitions, anyOf threads,
// bounded whitespace/numbers, nesting checks that keep every state completable.
#include "chat/grammar_pda.h"

#include <algorithm>

namespace pocketops::chat {

namespace {

constexpr uint32_t kRoot = 0xFFFFFFFFu;

// Sub-states (PdaFrame::pc) per node kind.
enum RootPc : uint8_t { R_START, R_DONE };
enum ObjPc : uint8_t { O_START, O_FIRST, O_KEY, O_COLON, O_VALUE, O_AFTER, O_NEXT };
enum MapPc : uint8_t { M_START, M_FIRST, M_COLON, M_VALUE, M_AFTER, M_NEXT };
enum ArrPc : uint8_t { A_START, A_FIRST, A_AFTER, A_NEXT };
enum StrPc : uint8_t { S_START, S_BODY, S_ESC, S_U, S_LBS, S_LU, S_L, S_UTF8 };
enum NumPc : uint8_t { N_START, N_NEG, N_ZERO, N_INT, N_FRAC0, N_FRAC, N_EXP0, N_EXPS, N_EXP };

inline bool is_ws(uint8_t b) { return b == ' ' || b == '\n' || b == '\t' || b == '\r'; }
inline bool is_digit(uint8_t b) { return b >= '0' && b <= '9'; }
inline int hex_val(uint8_t b) {
  if (b >= '0' && b <= '9') return b - '0';
  if (b >= 'a' && b <= 'f') return b - 'a' + 10;
  if (b >= 'A' && b <= 'F') return b - 'A' + 10;
  return -1;
}

// UTF-8: allowed range of the next continuation byte, by code (see S_UTF8).
constexpr uint8_t kContLo[5] = {0x80, 0xA0, 0x80, 0x90, 0x80};
constexpr uint8_t kContHi[5] = {0xBF, 0xBF, 0x9F, 0xBF, 0x8F};

inline uint64_t magnitude(const PdaFrame& f) { return (static_cast<uint64_t>(f.m) << 32) | f.n; }
inline void set_magnitude(PdaFrame& f, uint64_t v) {
  f.n = static_cast<uint32_t>(v);
  f.m = static_cast<uint32_t>(v >> 32);
}

// Can an integer whose magnitude starts with the d digits of p (sign neg) still end in [lo, hi]?
bool int_feasible(uint64_t p, int d, bool neg, int64_t lo, int64_t hi) {
  if (p == 0) return !neg && lo <= 0 && hi >= 0;
  uint64_t pw = 1;
  for (int j = 0; d + j <= SchemaLimits::kMaxIntDigits; ++j, pw *= 10) {
    uint64_t a = p * pw, b = a + pw - 1;
    int64_t x = neg ? -static_cast<int64_t>(b) : static_cast<int64_t>(a);
    int64_t y = neg ? -static_cast<int64_t>(a) : static_cast<int64_t>(b);
    if (x <= hi && y >= lo) return true;
  }
  return false;
}

inline int64_t int_value(const PdaFrame& f) {
  int64_t v = static_cast<int64_t>(magnitude(f));
  return f.ws ? -v : v;
}

// Property index range [idx, lim] a key may name next: up to and including the first required one.
inline uint32_t first_required(const SchemaNode& nd, uint32_t idx) {
  uint32_t np = static_cast<uint32_t>(nd.props.size());
  while (idx < np && !nd.props[idx].required) ++idx;
  return idx;
}

}  // namespace

PdaFrame JsonPda::fresh(uint32_t node) const {
  PdaFrame f{node, 0, 0, 0, 0, 0};
  if (node != kRoot && sc_.node(node).kind == NodeKind::Literal)
    f.m = static_cast<uint32_t>(sc_.node(node).literals.size()) << 16;
  return f;
}

void JsonPda::init(PdaState& st) const {
  st.clear();
  st.frames.push_back(fresh(kRoot));
  st.ends.push_back(1);
}

bool JsonPda::feasible(uint32_t node, uint32_t level) const {
  return static_cast<int64_t>(level) + sc_.node(node).min_depth <= SchemaLimits::kMaxValueDepth;
}

bool JsonPda::accepting(const PdaFrame& f) const {
  if (f.node == kRoot) return false;
  const SchemaNode& nd = sc_.node(f.node);
  switch (nd.kind) {
    case NodeKind::Number: return f.pc == N_ZERO || f.pc == N_INT || f.pc == N_FRAC || f.pc == N_EXP;
    case NodeKind::Integer: {
      if (f.pc != N_ZERO && f.pc != N_INT) return false;
      int64_t v = int_value(f);
      return v >= nd.min_value && v <= nd.max_value;
    }
    case NodeKind::Literal: return nd.literals[f.m & 0xFFFF].size() == f.n;
    default: return false;
  }
}

JsonPda::Res JsonPda::step_frame(PdaFrame& f, uint8_t b, uint32_t level, uint32_t& child) const {
  auto go = [&f](uint8_t pc) {
    f.pc = pc;
    f.ws = 0;
  };
  // Whitespace slot: optional "\r", optional one "\n", then up to kMaxIndent
  // spaces/tabs. PdaFrame::ws bits: 0-4 spaces/tabs, 5 newline seen, 6 CR seen.
  auto ws = [&f, b]() {
    if (b == '\r') {
      if (f.ws != 0) return kReject;
      f.ws = 0x40;
      return kConsumed;
    }
    if (b == '\n') {
      if (f.ws & 0x3F) return kReject;
      f.ws |= 0x20;
      return kConsumed;
    }
    if ((f.ws & 0x1F) >= SchemaLimits::kMaxIndent) return kReject;
    ++f.ws;
    return kConsumed;
  };

  if (f.node == kRoot) {
    if (f.pc != R_START) return kReject;
    f.pc = R_DONE;
    child = sc_.root();
    return kPush;
  }
  const SchemaNode& nd = sc_.node(f.node);
  switch (nd.kind) {
    case NodeKind::Object: {
      const auto& props = nd.props;
      const uint32_t np = static_cast<uint32_t>(props.size());
      if (f.pc != O_START && f.pc != O_KEY && is_ws(b)) return ws();
      switch (f.pc) {
        case O_START:
          if (b != '{') return kReject;
          go(O_FIRST);
          return kConsumed;
        case O_FIRST:
        case O_NEXT: {
          if (b == '}' && f.pc == O_FIRST) return first_required(nd, f.n) >= np ? kConsumedPop : kReject;
          if (b != '"') return kReject;
          uint32_t lim = std::min(first_required(nd, f.n), np == 0 ? 0 : np - 1);
          for (uint32_t j = f.n; j < np && j <= lim; ++j) {
            if (!feasible(props[j].node, level)) continue;
            go(O_KEY);
            f.m = j;
            f.s = 1;
            return kConsumed;
          }
          return kReject;
        }
        case O_KEY: {
          const std::string& cur = props[f.m].key_json;
          const uint32_t s = f.s;
          uint32_t lim = std::min(first_required(nd, f.n), np - 1);
          for (uint32_t j = f.m; j <= lim; ++j) {
            const std::string& k = props[j].key_json;
            if (k.size() <= s || static_cast<uint8_t>(k[s]) != b) continue;
            if (j != f.m && (k.compare(0, s, cur, 0, s) != 0 || !feasible(props[j].node, level))) continue;
            f.m = j;
            f.s = static_cast<uint16_t>(s + 1);
            if (f.s == k.size()) go(O_COLON);
            return kConsumed;
          }
          return kReject;
        }
        case O_COLON:
          if (b != ':') return kReject;
          go(O_VALUE);
          return kConsumed;
        case O_VALUE:
          f.n = f.m + 1;
          go(O_AFTER);
          child = props[f.m].node;
          return kPush;
        case O_AFTER: {
          if (b == '}') return first_required(nd, f.n) >= np ? kConsumedPop : kReject;
          if (b != ',' || f.n >= np) return kReject;
          uint32_t lim = std::min(first_required(nd, f.n), np - 1);
          for (uint32_t j = f.n; j <= lim; ++j) {
            if (feasible(props[j].node, level)) {
              go(O_NEXT);
              return kConsumed;
            }
          }
          return kReject;
        }
      }
      return kReject;
    }
    case NodeKind::Map: {
      if (f.pc != M_START && is_ws(b)) return ws();
      switch (f.pc) {
        case M_START:
          if (b != '{') return kReject;
          go(M_FIRST);
          return kConsumed;
        case M_FIRST:
        case M_NEXT:
          if (b == '}' && f.pc == M_FIRST) return kConsumedPop;
          if (b != '"' || !feasible(nd.child, level)) return kReject;
          go(M_COLON);
          child = sc_.any_string();
          return kPush;
        case M_COLON:
          if (b != ':') return kReject;
          go(M_VALUE);
          return kConsumed;
        case M_VALUE:
          go(M_AFTER);
          child = nd.child;
          return kPush;
        case M_AFTER:
          if (b == '}') return kConsumedPop;
          if (b != ',') return kReject;
          go(M_NEXT);
          return kConsumed;
      }
      return kReject;
    }
    case NodeKind::Array: {
      if (f.pc != A_START && is_ws(b)) return ws();
      switch (f.pc) {
        case A_START:
          if (b != '[') return kReject;
          go(A_FIRST);
          return kConsumed;
        case A_FIRST:
          if (b == ']') return nd.min_count == 0 ? kConsumedPop : kReject;
          if (nd.max_count == 0 || !feasible(nd.child, level)) return kReject;
          f.n = 1;
          go(A_AFTER);
          child = nd.child;
          return kPush;
        case A_AFTER:
          if (b == ']') return f.n >= nd.min_count ? kConsumedPop : kReject;
          if (b != ',' || f.n >= nd.max_count || !feasible(nd.child, level)) return kReject;
          go(A_NEXT);
          return kConsumed;
        case A_NEXT:
          ++f.n;
          go(A_AFTER);
          child = nd.child;
          return kPush;
      }
      return kReject;
    }
    case NodeKind::String: {
      switch (f.pc) {
        case S_START:
          if (b != '"') return kReject;
          f.pc = S_BODY;
          return kConsumed;
        case S_BODY: {
          if (b == '"') return f.n >= nd.min_count ? kConsumedPop : kReject;
          if (f.n >= nd.max_count || b < 0x20) return kReject;
          if (b == '\\') {
            ++f.n;
            f.pc = S_ESC;
            return kConsumed;
          }
          if (b < 0x80) {
            ++f.n;
            return kConsumed;
          }
          uint16_t rem, code = 0;
          if (b >= 0xC2 && b <= 0xDF) rem = 1;
          else if (b == 0xE0) rem = 2, code = 1;
          else if (b == 0xED) rem = 2, code = 2;
          else if (b >= 0xE1 && b <= 0xEF) rem = 2;
          else if (b == 0xF0) rem = 3, code = 3;
          else if (b >= 0xF1 && b <= 0xF3) rem = 3;
          else if (b == 0xF4) rem = 3, code = 4;
          else return kReject;
          ++f.n;
          f.pc = S_UTF8;
          f.s = static_cast<uint16_t>(rem | (code << 8));
          return kConsumed;
        }
        case S_UTF8: {
          uint16_t rem = f.s & 0xFF, code = f.s >> 8;
          if (b < kContLo[code] || b > kContHi[code]) return kReject;
          --rem;
          f.s = rem;
          if (rem == 0) f.pc = S_BODY;
          return kConsumed;
        }
        case S_ESC:
          if (b == 'u') {
            f.pc = S_U;
            f.s = 0;
            f.m = 0;
            return kConsumed;
          }
          if (b == '"' || b == '\\' || b == '/' || b == 'b' || b == 'f' || b == 'n' || b == 'r' || b == 't') {
            f.pc = S_BODY;
            return kConsumed;
          }
          return kReject;
        case S_U: {
          int h = hex_val(b);
          if (h < 0) return kReject;
          if (f.s == 1 && f.m == 0xD && h >= 0xC) return kReject;  // lone low surrogate
          f.m = f.m * 16 + static_cast<uint32_t>(h);
          if (++f.s == 4) {
            f.s = 0;
            f.pc = (f.m >= 0xD800 && f.m <= 0xDBFF) ? S_LBS : S_BODY;
            if (f.pc == S_BODY) f.m = 0;
          }
          return kConsumed;
        }
        case S_LBS:
          if (b != '\\') return kReject;
          f.pc = S_LU;
          return kConsumed;
        case S_LU:
          if (b != 'u') return kReject;
          f.pc = S_L;
          f.s = 0;
          return kConsumed;
        case S_L: {
          int h = hex_val(b);
          if (h < 0 || (f.s == 0 && h != 0xD) || (f.s == 1 && h < 0xC)) return kReject;
          if (++f.s == 4) {
            f.s = 0;
            f.m = 0;
            f.pc = S_BODY;
          }
          return kConsumed;
        }
      }
      return kReject;
    }
    case NodeKind::Integer: {
      const int64_t lo = nd.min_value, hi = nd.max_value;
      switch (f.pc) {
        case N_START:
          if (b == '-') {
            if (lo > -1) return kReject;
            f.pc = N_NEG;
            f.ws = 1;
            return kConsumed;
          }
          if (b == '0') {
            if (lo > 0 || hi < 0) return kReject;
            f.pc = N_ZERO;
            set_magnitude(f, 0);
            return kConsumed;
          }
          [[fallthrough]];
        case N_NEG:
          if (b < '1' || b > '9' || !int_feasible(b - '0', 1, f.ws != 0, lo, hi)) return kReject;
          f.pc = N_INT;
          f.s = 1;
          set_magnitude(f, b - '0');
          return kConsumed;
        case N_INT:
          if (is_digit(b) && f.s < SchemaLimits::kMaxIntDigits) {
            uint64_t p = magnitude(f) * 10 + (b - '0');
            if (int_feasible(p, f.s + 1, f.ws != 0, lo, hi)) {
              set_magnitude(f, p);
              ++f.s;
              return kConsumed;
            }
          }
          return accepting(f) ? kPopRefeed : kReject;
        case N_ZERO:
          return accepting(f) ? kPopRefeed : kReject;
      }
      return kReject;
    }
    case NodeKind::Number: {
      switch (f.pc) {
        case N_START:
          if (b == '-') {
            f.pc = N_NEG;
            return kConsumed;
          }
          [[fallthrough]];
        case N_NEG:
          if (b == '0') {
            f.pc = N_ZERO;
            return kConsumed;
          }
          if (b < '1' || b > '9') return kReject;
          f.pc = N_INT;
          f.s = 1;
          return kConsumed;
        case N_ZERO:
        case N_INT:
          if (f.pc == N_INT && is_digit(b) && f.s < SchemaLimits::kMaxIntDigits) {
            ++f.s;
            return kConsumed;
          }
          if (b == '.') {
            f.pc = N_FRAC0;
            f.s = 0;
            return kConsumed;
          }
          if (b == 'e' || b == 'E') {
            f.pc = N_EXP0;
            f.s = 0;
            return kConsumed;
          }
          return kPopRefeed;
        case N_FRAC0:
          if (!is_digit(b)) return kReject;
          f.pc = N_FRAC;
          f.s = 1;
          return kConsumed;
        case N_FRAC:
          if (is_digit(b) && f.s < SchemaLimits::kMaxFracDigits) {
            ++f.s;
            return kConsumed;
          }
          if (b == 'e' || b == 'E') {
            f.pc = N_EXP0;
            f.s = 0;
            return kConsumed;
          }
          return kPopRefeed;
        case N_EXP0:
          if (b == '+' || b == '-') {
            f.pc = N_EXPS;
            return kConsumed;
          }
          [[fallthrough]];
        case N_EXPS:
          if (!is_digit(b)) return kReject;
          f.pc = N_EXP;
          f.s = 1;
          return kConsumed;
        case N_EXP:
          if (is_digit(b) && f.s < SchemaLimits::kMaxExpDigits) {
            ++f.s;
            return kConsumed;
          }
          return kPopRefeed;
      }
      return kReject;
    }
    case NodeKind::Literal: {
      const auto& lits = nd.literals;
      const uint32_t off = f.n, lo = f.m & 0xFFFF, hi = f.m >> 16;
      // Within [lo, hi) all literals share the first `off` bytes and are sorted,
      // so the byte at `off` (-1 when the literal ends there) is non-decreasing.
      auto key = [&](uint32_t k) { return lits[k].size() > off ? static_cast<int>(static_cast<uint8_t>(lits[k][off])) : -1; };
      uint32_t a = lo, e = hi;
      while (a < e) {
        uint32_t mid = (a + e) / 2;
        if (key(mid) < b) a = mid + 1;
        else e = mid;
      }
      uint32_t z = a, e2 = hi;
      while (z < e2) {
        uint32_t mid = (z + e2) / 2;
        if (key(mid) <= b) z = mid + 1;
        else e2 = mid;
      }
      if (a < z) {
        f.n = off + 1;
        f.m = a | (z << 16);
        return kConsumed;
      }
      return lits[lo].size() == off ? kPopRefeed : kReject;
    }
    case NodeKind::Union: return kReject;  // never on a stack
  }
  return kReject;
}

void JsonPda::commit(PdaState& dst, size_t base) const {
  const size_t len = dst.frames.size() - base;
  for (size_t i = 0; i < dst.ends.size(); ++i) {
    size_t bi = dst.begin(i);
    if (dst.ends[i] - bi == len && std::equal(dst.frames.begin() + bi, dst.frames.begin() + dst.ends[i], dst.frames.begin() + base)) {
      dst.frames.resize(base);
      return;
    }
  }
  if (dst.ends.size() >= kMaxThreads) {
    dst.frames.resize(base);
    return;
  }
  dst.ends.push_back(static_cast<uint32_t>(dst.frames.size()));
}

void JsonPda::push_value(PdaState& dst, size_t base, uint32_t child, uint8_t b) const {
  const uint32_t level = static_cast<uint32_t>(dst.frames.size() - base - 1);  // level of the parent
  const SchemaNode& cn = sc_.node(child);
  uint32_t unused = 0;
  if (cn.kind != NodeKind::Union) {
    if (!feasible(child, level)) {
      dst.frames.resize(base);
      return;
    }
    dst.frames.push_back(fresh(child));
    if (step_frame(dst.frames.back(), b, level + 1, unused) == kConsumed) commit(dst, base);
    else dst.frames.resize(base);
    return;
  }
  dst.scratch.assign(dst.frames.begin() + base, dst.frames.end());
  dst.frames.resize(base);
  for (uint32_t alt : cn.alts) {
    if (!feasible(alt, level)) continue;
    size_t b2 = dst.frames.size();
    dst.frames.insert(dst.frames.end(), dst.scratch.begin(), dst.scratch.end());
    dst.frames.push_back(fresh(alt));
    if (step_frame(dst.frames.back(), b, level + 1, unused) == kConsumed) commit(dst, b2);
    else dst.frames.resize(b2);
  }
}

void JsonPda::feed(PdaState& dst, size_t base, uint8_t b) const {
  for (;;) {
    const uint32_t level = static_cast<uint32_t>(dst.frames.size() - base - 1);
    uint32_t child = 0;
    Res r = step_frame(dst.frames.back(), b, level, child);
    switch (r) {
      case kConsumed: commit(dst, base); return;
      case kConsumedPop:
        dst.frames.pop_back();
        commit(dst, base);
        return;
      case kReject: dst.frames.resize(base); return;
      case kPopRefeed:
        dst.frames.pop_back();
        if (dst.frames.size() == base) return;  // cannot happen: the root never pops
        continue;
      case kPush: push_value(dst, base, child, b); return;
    }
  }
}

bool JsonPda::step(const PdaState& src, uint8_t b, PdaState& dst) const {
  dst.clear();
  for (size_t i = 0; i < src.threads(); ++i) {
    size_t base = dst.frames.size();
    dst.frames.insert(dst.frames.end(), src.frames.begin() + src.begin(i), src.frames.begin() + src.ends[i]);
    feed(dst, base, b);
  }
  return !dst.dead();
}

bool JsonPda::complete(const PdaState& st) const {
  for (size_t i = 0; i < st.threads(); ++i) {
    size_t bi = st.begin(i), len = st.ends[i] - bi;
    if (st.frames[bi].pc != R_DONE) continue;
    if (len == 1 || (len == 2 && accepting(st.frames[bi + 1]))) return true;
  }
  return false;
}

bool JsonPda::in_string_body(const PdaState& st, uint32_t* room) const {
  uint32_t best = 0;
  if (st.dead()) return false;
  for (size_t i = 0; i < st.threads(); ++i) {
    const PdaFrame& top = st.frames[st.ends[i] - 1];
    if (top.node == kRoot) return false;
    const SchemaNode& nd = sc_.node(top.node);
    if (nd.kind != NodeKind::String || top.pc != S_BODY) return false;
    best = std::max(best, nd.max_count > top.n ? nd.max_count - top.n : 0u);
  }
  *room = best;
  return true;
}

void JsonPda::finish_frame(const PdaFrame& f, uint32_t level, std::string& out) const {
  if (f.node == kRoot) {
    if (f.pc == R_START) out += sc_.node(sc_.root()).min_instance;
    return;
  }
  const SchemaNode& nd = sc_.node(f.node);
  auto required_rest = [&](uint32_t idx, bool first) {
    for (uint32_t j = idx; j < nd.props.size(); ++j) {
      if (!nd.props[j].required) continue;
      if (!first) out += ',';
      first = false;
      out += nd.props[j].key_json;
      out += ':';
      out += sc_.node(nd.props[j].node).min_instance;
    }
  };
  switch (nd.kind) {
    case NodeKind::Object: {
      const uint32_t np = static_cast<uint32_t>(nd.props.size());
      switch (f.pc) {
        case O_START: out += nd.min_instance; return;
        case O_FIRST: required_rest(f.n, true); break;
        case O_KEY:
          out.append(nd.props[f.m].key_json, f.s);
          [[fallthrough]];
        case O_COLON:
          out += ':';
          [[fallthrough]];
        case O_VALUE:
          out += sc_.node(nd.props[f.m].node).min_instance;
          required_rest(f.m + 1, false);
          break;
        case O_AFTER: required_rest(f.n, false); break;
        case O_NEXT:
          if (first_required(nd, f.n) < np) {
            required_rest(f.n, true);
          } else {
            for (uint32_t j = f.n; j < np; ++j) {
              if (!feasible(nd.props[j].node, level)) continue;
              out += nd.props[j].key_json + ":" + sc_.node(nd.props[j].node).min_instance;
              break;
            }
          }
          break;
      }
      out += '}';
      return;
    }
    case NodeKind::Map: {
      const std::string& v = sc_.node(nd.child).min_instance;
      switch (f.pc) {
        case M_START: out += "{}"; return;
        case M_COLON: out += ":" + v; break;
        case M_VALUE: out += v; break;
        case M_NEXT: out += "\"\":" + v; break;
        default: break;
      }
      out += '}';
      return;
    }
    case NodeKind::Array: {
      const std::string& v = sc_.node(nd.child).min_instance;
      uint32_t have = f.n;
      switch (f.pc) {
        case A_START: out += nd.min_instance; return;
        case A_FIRST:
          for (uint32_t k = 0; k < nd.min_count; ++k) out += (k ? "," : "") + v;
          break;
        case A_AFTER:
          for (uint32_t k = have; k < nd.min_count; ++k) out += "," + v;
          break;
        case A_NEXT:
          out += v;
          for (uint32_t k = have + 1; k < nd.min_count; ++k) out += "," + v;
          break;
      }
      out += ']';
      return;
    }
    case NodeKind::String: {
      uint32_t n = f.n;
      switch (f.pc) {
        case S_START: out += nd.min_instance; return;
        case S_BODY: break;
        case S_ESC: out += 'n'; break;
        case S_U: {
          uint32_t v = f.m;
          for (uint32_t k = f.s; k < 4; ++k) out += '0', v *= 16;
          if (v >= 0xD800 && v <= 0xDBFF) out += "\\udc00";
          break;
        }
        case S_LBS: out += "\\udc00"; break;
        case S_LU: out += "udc00"; break;
        case S_L: out.append(std::string("dc00"), f.s); break;
        case S_UTF8: {
          uint16_t rem = f.s & 0xFF, code = f.s >> 8;
          out += static_cast<char>(kContLo[code]);
          for (uint16_t k = 1; k < rem; ++k) out += static_cast<char>(0x80);
          break;
        }
      }
      if (n < nd.min_count) out.append(nd.min_count - n, 'a');
      out += '"';
      return;
    }
    case NodeKind::Number:
      if (f.pc == N_START || f.pc == N_NEG || f.pc == N_FRAC0 || f.pc == N_EXP0 || f.pc == N_EXPS) out += '0';
      return;
    case NodeKind::Integer: {
      const int64_t lo = nd.min_value, hi = nd.max_value;
      if (f.pc == N_START) {
        out += nd.min_instance;
      } else if (f.pc == N_NEG) {
        out += std::to_string(std::max<int64_t>(1, -hi));
      } else if (f.pc == N_INT && !accepting(f)) {
        const uint64_t p = magnitude(f);
        const bool neg = f.ws != 0;
        // Allowed magnitudes for this sign.
        const int64_t mlo = neg ? std::max<int64_t>(1, -hi) : std::max<int64_t>(0, lo);
        const int64_t mhi = neg ? -lo : hi;
        uint64_t pw = 10;
        for (int j = 1; f.s + j <= SchemaLimits::kMaxIntDigits; ++j, pw *= 10) {
          int64_t a = static_cast<int64_t>(p * pw), bnd = a + static_cast<int64_t>(pw) - 1;
          int64_t x = std::max(a, mlo), y = std::min(bnd, mhi);
          if (x <= y) {
            out += std::to_string(x).substr(f.s);
            break;
          }
        }
      }
      return;
    }
    case NodeKind::Literal:
      out.append(nd.literals[f.m & 0xFFFF], f.n);
      return;
    case NodeKind::Union: return;
  }
}

std::string JsonPda::shortest_completion(const PdaState& st) const {
  if (complete(st)) return {};
  std::string best;
  bool have = false;
  for (size_t i = 0; i < st.threads(); ++i) {
    std::string out;
    size_t bi = st.begin(i);
    for (size_t k = st.ends[i]; k-- > bi;) finish_frame(st.frames[k], static_cast<uint32_t>(k - bi), out);
    if (!have || out.size() < best.size()) best = std::move(out), have = true;
  }
  return best;
}

}  // namespace pocketops::chat
