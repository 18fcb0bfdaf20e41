// Hand-written token scanner for the masking pass: one pass over each token
// collects character-class facts, then a short rule list decides what varies.
#include "logs/masker.h"

#include <cstring>

namespace pocketops::logs {

namespace {

using sv = std::string_view;

inline bool ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f'; }
inline bool dig(char c) { return c >= '0' && c <= '9'; }
inline bool lower_alpha(char c) { return c >= 'a' && c <= 'z'; }
inline bool alpha(char c) { return lower_alpha(c) || (c >= 'A' && c <= 'Z'); }
inline bool lead_punct(char c) { return c == '(' || c == '[' || c == '{' || c == '<' || c == '"' || c == '\''; }
inline bool trail_punct(char c) {
  return c == ')' || c == ']' || c == '}' || c == '>' || c == '"' || c == '\'' || c == ',' || c == ';' || c == ':' ||
         c == '.' || c == '!' || c == '?';
}

bool ieq(sv a, const char* b) {
  size_t n = std::strlen(b);
  if (a.size() != n) return false;
  for (size_t i = 0; i < n; ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    if (c != b[i]) return false;
  }
  return true;
}

// Top-level domains that mark a dotted lower-case word as a host name.
bool is_tld(sv t) {
  static const char* k[] = {"com", "net", "org", "edu", "gov", "mil", "io", "local", "lan", "internal", "localdomain",
                            "corp", "home", "arpa", "hk", "cn", "jp", "de", "uk", "fr", "ru", "br", "in", "au", "ca",
                            "us", "eu", "info", "biz", "cloud", "dev", "co", "nl", "it", "es", "se", "ch", "kr", "tw"};
  for (const char* x : k)
    if (ieq(t, x)) return true;
  return false;
}

// A user-name keyword: the word after it is a variable.
bool is_user_keyword(sv core) { return ieq(core, "user") || ieq(core, "username") || ieq(core, "account"); }

struct Emitter {
  MaskedLine& out;
  void token(sv original, sv prefix, bool var, sv core, sv suffix) {
    if (!out.tokens.empty()) out.text.push_back(' ');
    uint32_t off = static_cast<uint32_t>(out.text.size());
    uint32_t pb = static_cast<uint32_t>(out.params.size());
    out.text.append(prefix);
    if (var) {
      out.text.append(kWildcard);
      out.params.push_back(core);
    } else {
      out.text.append(core);
    }
    out.text.append(suffix);
    out.tokens.push_back({off, static_cast<uint32_t>(out.text.size() - off), original, pb,
                          static_cast<uint32_t>(out.params.size())});
  }
};

// Is the whole core a variable? (prev/next give the neighbouring raw tokens.)
bool core_is_variable(sv c, bool after_user_kw, sv prev, sv next) {
  bool has_digit = false, all_hex = true, dotted_lower = true;
  size_t dots = 0;
  for (char ch : c) {
    if (dig(ch)) {
      has_digit = true;
      break;
    }
    if (!((ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F'))) all_hex = false;
    if (ch == '.') ++dots;
    else if (!(lower_alpha(ch) || ch == '-')) dotted_lower = false;
  }
  if (has_digit) return true;  // numbers, ids, addresses, times, sizes, durations
  if (c.size() >= 2 && (c[0] == '/' || (c[0] == '~' && c[1] == '/') || (c[0] == '.' && (c[1] == '/' || c[1] == '.'))))
    return true;  // path
  if (c.find('\\') != sv::npos && c.size() > 2) return true;  // Windows path
  if (c.find("://") != sv::npos) return true;                  // URL
  if (size_t at = c.find('@'); at != sv::npos && at > 0 && c.find('.', at) != sv::npos) return true;  // email
  if (all_hex && c.size() >= 12) return true;
  if (dotted_lower && dots >= 1 && c.back() != '.') {
    size_t last = c.rfind('.');
    if (is_tld(c.substr(last + 1))) return true;  // host name
  }
  bool word = alpha(c[0]);
  if (word && after_user_kw) return true;
  if (word && ieq(prev, "for") && (next == "from" || next == "port")) return true;  // "password for root from"
  return false;
}

void mask_token(sv tok, Emitter& em, bool after_user_kw, sv prev, sv next, size_t max_token_bytes) {
  if (tok.size() > max_token_bytes) {
    em.token(tok, {}, true, tok, {});
    return;
  }
  size_t l = 0, r = tok.size();
  while (l < r && lead_punct(tok[l])) ++l;
  while (r > l && trail_punct(tok[r - 1])) --r;
  if (l == r) {  // punctuation only
    em.token(tok, {}, false, tok, {});
    return;
  }
  sv prefix = tok.substr(0, l), core = tok.substr(l, r - l), suffix = tok.substr(r);
  // key=value: keep the key.
  size_t eq = core.find('=');
  if (eq != sv::npos && eq > 0 && alpha(core[0])) {
    bool keyish = true;
    for (size_t k = 0; k < eq; ++k) {
      char ch = core[k];
      if (!(alpha(ch) || dig(ch) || ch == '_' || ch == '-' || ch == '.')) {
        keyish = false;
        break;
      }
    }
    if (keyish) {
      sv value = core.substr(eq + 1);
      std::string_view kp(prefix.data(), prefix.size() + eq + 1);  // prefix + "key="
      if (value.empty()) em.token(tok, {}, false, tok, {});
      else em.token(tok, kp, true, value, suffix);
      return;
    }
  }
  // key:value with an alphabetic key and a value that carries digits.
  size_t colon = core.find(':');
  if (colon != sv::npos && colon >= 2 && colon + 1 < core.size() && core[colon + 1] != '/' && core[colon + 1] != ':') {
    bool alpha_key = true;
    for (size_t k = 0; k < colon; ++k)
      if (!(alpha(core[k]) || core[k] == '_')) {
        alpha_key = false;
        break;
      }
    sv value = core.substr(colon + 1);
    bool vdig = false;
    for (char ch : value) vdig |= dig(ch);
    if (alpha_key && vdig) {
      std::string_view kp(prefix.data(), prefix.size() + colon + 1);
      em.token(tok, kp, true, value, suffix);
      return;
    }
  }
  if (core_is_variable(core, after_user_kw, prev, next)) em.token(tok, prefix, true, core, suffix);
  else em.token(tok, {}, false, tok, {});
}

// Token with bytes masked by user rules: each kPremasked byte becomes <*>.
void premasked_token(sv tok, Emitter& em, const std::vector<sv>* pre, size_t& pre_idx) {
  MaskedLine& out = em.out;
  if (!out.tokens.empty()) out.text.push_back(' ');
  uint32_t off = static_cast<uint32_t>(out.text.size());
  uint32_t pb = static_cast<uint32_t>(out.params.size());
  for (char ch : tok) {
    if (ch == kPremasked) {
      out.text.append(kWildcard);
      out.params.push_back(pre && pre_idx < pre->size() ? (*pre)[pre_idx] : sv());
      ++pre_idx;
    } else {
      out.text.push_back(ch);
    }
  }
  out.tokens.push_back(
      {off, static_cast<uint32_t>(out.text.size() - off), tok, pb, static_cast<uint32_t>(out.params.size())});
}

}  // namespace

void mask_message(std::string_view msg, MaskedLine& out, const MaskerOptions& opt,
                  const std::vector<std::string_view>* premasked) {
  out.clear();
  Emitter em{out};
  const size_t n = msg.size();
  size_t max_tokens = opt.max_tokens < 2 ? 2 : opt.max_tokens;
  size_t pre_idx = 0;
  size_t i = 0;
  while (i < n && ws(msg[i])) ++i;
  sv prev;
  bool after_user_kw = false;
  while (i < n) {
    size_t e = i;
    while (e < n && !ws(msg[e])) ++e;
    sv tok = msg.substr(i, e - i);
    size_t ni = e;
    while (ni < n && ws(msg[ni])) ++ni;
    if (out.tokens.size() + 1 == max_tokens && ni < n) {
      // Too many tokens: the rest of the message is one trailing parameter.
      size_t end = n;
      while (end > i && ws(msg[end - 1])) --end;
      em.token(msg.substr(i, end - i), {}, true, msg.substr(i, end - i), {});
      break;
    }
    size_t ne = ni;
    while (ne < n && !ws(msg[ne])) ++ne;
    sv next = msg.substr(ni, ne - ni);
    if (tok.find(kPremasked) != sv::npos) {
      premasked_token(tok, em, premasked, pre_idx);
      after_user_kw = false;
    } else {
      mask_token(tok, em, after_user_kw, prev, next, opt.max_token_bytes);
      size_t l = 0, r = tok.size();
      while (l < r && lead_punct(tok[l])) ++l;
      while (r > l && trail_punct(tok[r - 1])) --r;
      after_user_kw = is_user_keyword(tok.substr(l, r - l)) && tok.back() != '=';
    }
    prev = tok;
    i = ni;
  }
}

}  // namespace pocketops::logs
