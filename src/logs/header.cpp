// Hand-written header scanners (no regex on the hot path). The entry point
// dispatches on the first byte; each family scanner either claims the line or
// leaves the whole line as the message.
#include "logs/header.h"

#include <nlohmann/json.hpp>

#include <cstring>

namespace pocketops::logs {

namespace {

using sv = std::string_view;
constexpr size_t npos = sv::npos;

inline bool dig(char c) { return c >= '0' && c <= '9'; }
inline bool alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool upper(char c) { return c >= 'A' && c <= 'Z'; }
inline bool blank(char c) { return c == ' ' || c == '\t'; }
inline char lower(char c) { return upper(c) ? static_cast<char>(c + 32) : c; }

inline size_t skip_blank(sv s, size_t i) {
  while (i < s.size() && blank(s[i])) ++i;
  return i;
}
inline size_t token_end(sv s, size_t i) {
  while (i < s.size() && !blank(s[i])) ++i;
  return i;
}
inline size_t digits_end(sv s, size_t i) {
  while (i < s.size() && dig(s[i])) ++i;
  return i;
}
// Exactly n digits at i.
inline bool ndig(sv s, size_t i, size_t n) {
  if (i + n > s.size()) return false;
  for (size_t k = 0; k < n; ++k)
    if (!dig(s[i + k])) return false;
  return true;
}
inline bool all_digits(sv t) {
  if (t.empty()) return false;
  for (char c : t)
    if (!dig(c)) return false;
  return true;
}
inline bool ieq(sv a, const char* b) {
  size_t n = std::strlen(b);
  if (a.size() != n) return false;
  for (size_t i = 0; i < n; ++i)
    if (lower(a[i]) != b[i]) return false;
  return true;
}

bool is_month(sv s, size_t i) {
  if (i + 3 > s.size()) return false;
  static const char* kMonths = "janfebmaraprmayjunjulaugsepoctnovdec";
  char a = lower(s[i]), b = lower(s[i + 1]), c = lower(s[i + 2]);
  for (int m = 0; m < 12; ++m)
    if (kMonths[m * 3] == a && kMonths[m * 3 + 1] == b && kMonths[m * 3 + 2] == c) return true;
  return false;
}
bool is_dayname(sv s, size_t i) {
  if (i + 3 > s.size()) return false;
  static const char* kDays = "monthuwedthufrisatsun";
  char a = lower(s[i]), b = lower(s[i + 1]), c = lower(s[i + 2]);
  for (int d = 0; d < 7; ++d)
    if (kDays[d * 3] == a && kDays[d * 3 + 1] == b && kDays[d * 3 + 2] == c) return true;
  return false;
}

// H[H]:MM:SS with an optional [.,]fraction. Returns the end or npos.
size_t scan_time(sv s, size_t i) {
  size_t h = digits_end(s, i);
  if (h == i || h - i > 2 || h >= s.size() || s[h] != ':') return npos;
  if (!ndig(s, h + 1, 2) || h + 3 >= s.size() || s[h + 3] != ':' || !ndig(s, h + 4, 2)) return npos;
  size_t e = h + 6;
  if (e + 1 < s.size() && (s[e] == '.' || s[e] == ',') && dig(s[e + 1])) e = digits_end(s, e + 1);
  return e;
}
// Z, +hh:mm, +hhmm, +hh or a " AM"/" PM" suffix.
size_t scan_tz(sv s, size_t i) {
  if (i < s.size() && s[i] == 'Z') return i + 1;
  if (i < s.size() && (s[i] == '+' || s[i] == '-') && ndig(s, i + 1, 2)) {
    size_t e = i + 3;
    if (e < s.size() && s[e] == ':' && ndig(s, e + 1, 2)) return e + 3;
    if (ndig(s, e, 2)) return e + 2;
    return e;
  }
  return i;
}
// YYYY-MM-DD / YYYY/MM/DD / YYYY.MM.DD followed by [T ]time and zone, or the
// BGL form YYYY-MM-DD-HH.MM.SS.ffffff. Returns the end or npos.
size_t scan_iso(sv s, size_t i) {
  if (!ndig(s, i, 4) || i + 10 > s.size()) return npos;
  char sep = s[i + 4];
  if (sep != '-' && sep != '/' && sep != '.') return npos;
  if (!ndig(s, i + 5, 2) || s[i + 7] != sep || !ndig(s, i + 8, 2)) return npos;
  size_t e = i + 10;
  if (e < s.size() && (s[e] == 'T' || s[e] == ' ' || s[e] == '_')) {
    size_t t = scan_time(s, e + 1);
    if (t != npos) return scan_tz(s, t);
  }
  if (e < s.size() && s[e] == '-' && ndig(s, e + 1, 2) && e + 9 <= s.size() && s[e + 3] == '.' &&
      ndig(s, e + 4, 2) && s[e + 6] == '.' && ndig(s, e + 7, 2)) {  // BGL
    size_t t = e + 9;
    if (t + 1 < s.size() && s[t] == '.' && dig(s[t + 1])) t = digits_end(s, t + 1);
    return t;
  }
  return e;  // date only
}

inline bool ident_char(char c) {
  return alpha(c) || dig(c) || c == '_' || c == '.' || c == '-' || c == '$' || c == '/' || c == '@' ||
         c == '#' || c == '(' || c == ')' || static_cast<unsigned char>(c) >= 0x80;
}
bool is_ident(sv t) {
  if (t.empty() || t.size() > 128) return false;
  bool has_alpha = false;
  for (char c : t) {
    if (!ident_char(c)) return false;
    if (alpha(c)) has_alpha = true;
  }
  return has_alpha;
}
bool is_dotted_ident(sv t) {
  if (!is_ident(t) || t.find('.') == npos || t.front() == '.' || t.back() == '.') return false;
  for (char c : t)
    if (c == '/' || c == '(' || c == ')') return false;
  return true;
}

// "name:" or "name[pid]:" or "name[pid]" at i. Returns the end (past ':') or npos.
size_t scan_tag(sv s, size_t i, Header& h) {
  size_t e = token_end(s, i);
  sv t = s.substr(i, e - i);
  if (t.size() < 2) return npos;
  bool colon = t.back() == ':';
  sv core = colon ? t.substr(0, t.size() - 1) : t;
  sv name = core, pid;
  if (!core.empty() && core.back() == ']') {
    size_t lb = core.rfind('[');
    if (lb == npos || lb == 0) return npos;
    pid = core.substr(lb + 1, core.size() - lb - 2);
    name = core.substr(0, lb);
    if (!all_digits(pid)) return npos;
  } else if (!colon) {
    return npos;
  }
  if (name.find("://") != npos || !is_ident(name)) return npos;
  h.component = name;
  h.pid = pid;
  return e;
}

// Syslog severity digit to a level.
sv severity_level(int sev) {
  static const char* k[] = {"emergency", "alert", "critical", "error", "warning", "notice", "info", "debug"};
  return k[sev & 7];
}

void set_message(Header& h, sv s, size_t i) {
  i = skip_blank(s, i);
  h.message = i < s.size() ? s.substr(i) : sv();
}

// Matching close bracket at i (s[i] == '['), nested; npos when unbalanced.
size_t close_bracket(sv s, size_t i) {
  int depth = 0;
  size_t lim = std::min(s.size(), i + 512);
  for (size_t k = i; k < lim; ++k) {
    if (s[k] == '[') ++depth;
    else if (s[k] == ']' && --depth == 0) return k;
  }
  return npos;
}

// What follows a timestamp: separators, [brackets], pid, level, host + tag,
// component. Sets the message to the remainder.
void parse_tail(sv s, size_t i, Header& h, bool letter_levels) {
  const size_t n = s.size();
  i = skip_blank(s, i);
  if (i < n && s[i] == ',') i = skip_blank(s, i + 1);
  // "host tag[pid]: msg" (journald short-iso, rsyslog RFC 3339 files).
  {
    size_t e1 = token_end(s, i);
    sv t1 = s.substr(i, e1 - i);
    size_t i2 = skip_blank(s, e1);
    if (!t1.empty() && t1.back() != ':' && canonical_level(t1).empty() && !all_digits(t1) && t1[0] != '[' &&
        is_ident(t1) && i2 < n) {
      Header tmp;
      size_t e2 = scan_tag(s, i2, tmp);
      if (e2 != npos && (!tmp.pid.empty() || s[e2 - 1] == ':') && tmp.component.find('.') == npos) {
        h.host = t1;
        h.component = tmp.component;
        h.pid = tmp.pid;
        set_message(h, s, e2);
        return;
      }
    }
  }
  sv thread;
  bool saw_pid = false;
  for (int f = 0; f < 8 && i < n; ++f) {
    i = skip_blank(s, i);
    if (i >= n) break;
    char c = s[i];
    if ((c == '-' || c == '|' || c == ':') && (i + 1 >= n || blank(s[i + 1]))) {
      ++i;
      continue;
    }
    if (c == '[') {
      size_t j = close_bracket(s, i);
      if (j == npos) break;
      sv in = s.substr(i + 1, j - i - 1);
      sv lvl = canonical_level(in);
      if (!lvl.empty() && h.level.empty()) {
        h.level = lvl;
      } else if (in.size() > 4 && in.substr(0, 4) == "pid ") {
        size_t pe = digits_end(in, 4);
        h.pid = in.substr(4, pe - 4);
      } else if (size_t colon = in.rfind(':'); colon != npos && !canonical_level(in.substr(colon + 1)).empty() &&
                                                h.level.empty()) {
        h.level = canonical_level(in.substr(colon + 1));
        if (colon > 0) h.component = in.substr(0, colon);
      } else if (in.substr(0, 4) == "req-" && !h.component.empty()) {
        i = j + 1;  // OpenStack request context: header, not message
        break;
      } else if (in.substr(0, 6) == "client" || !h.component.empty()) {
        break;  // request context / client: part of the message
      } else if (thread.empty() && h.component.empty()) {
        thread = in;
      } else {
        break;
      }
      i = j + 1;
      continue;
    }
    size_t e = token_end(s, i);
    sv t = s.substr(i, e - i);
    sv tc = t.back() == ':' ? t.substr(0, t.size() - 1) : t;
    if (h.level.empty()) {
      sv lvl = canonical_level(tc);
      if (lvl.empty() && letter_levels && saw_pid && t.size() == 1 && std::strchr("VDIWEFA", t[0]))
        lvl = canonical_level(t);
      if (!lvl.empty()) {
        h.level = lvl;
        i = e;
        if (t.back() == ':') break;
        continue;
      }
    }
    if (all_digits(t) && h.level.empty() && h.component.empty()) {
      if (h.pid.empty()) h.pid = t;
      saw_pid = true;
      i = e;
      continue;
    }
    if (size_t hash = t.find('#'); hash != npos && hash > 0 && t.back() == ':' && all_digits(t.substr(0, hash))) {
      h.pid = t.substr(0, hash);  // nginx "pid#tid:"
      i = e;
      break;
    }
    if (t.size() > 1 && t.back() == ':' && h.component.empty()) {
      Header tmp;
      if (scan_tag(s, i, tmp) != npos && (!h.level.empty() || tmp.component.find('.') != npos || !tmp.pid.empty() ||
                                          letter_levels)) {
        h.component = tmp.component;
        if (!tmp.pid.empty()) h.pid = tmp.pid;
        i = e;
        break;
      }
    }
    size_t after = skip_blank(s, e);
    if (h.component.empty() && is_ident(t) && after + 1 < n && s[after] == '-' && blank(s[after + 1]) &&
        (after > e) && (!h.level.empty() || thread.size() || f == 0 || t.find('.') != npos)) {
      h.component = t;  // "name - message" (log4j, Python, Proxifier)
      i = skip_blank(s, after + 1);
      if (h.level.empty()) {  // Python "name - LEVEL - msg"
        size_t e2 = token_end(s, i);
        sv lvl = canonical_level(s.substr(i, e2 - i));
        size_t a2 = skip_blank(s, e2);
        if (!lvl.empty() && a2 < n && s[a2] == '-') {
          h.level = lvl;
          i = a2 + 1;
        }
      }
      break;
    }
    if (!h.level.empty() && h.component.empty() && t.size() <= 8 && after >= e + 2 && after < n) {
      bool caps = true;
      for (char ch : t) caps &= upper(ch) || dig(ch);
      if (caps) {  // Windows CBS "Info   CBS    message"
        h.component = t;
        i = e;
        break;
      }
    }
    if (!h.level.empty() && h.component.empty() && is_dotted_ident(t)) {
      h.component = t;  // "INFO nova.compute.manager [req-...] msg"
      i = e;
      continue;
    }
    break;
  }
  if (h.component.empty() && !thread.empty()) h.component = thread;
  set_message(h, s, i);
}

// Mmm dd HH:MM:SS[.frac] [YYYY] [host] [tag[pid]:] msg
bool parse_bsd(sv s, size_t i, Header& h) {
  size_t start = i;
  if (!is_month(s, i) || i + 4 >= s.size() || s[i + 3] != ' ') return false;
  size_t d = skip_blank(s, i + 4);
  size_t de = digits_end(s, d);
  if (de == d || de - d > 2 || de >= s.size() || s[de] != ' ') return false;
  size_t t = scan_time(s, de + 1);
  if (t == npos) return false;
  if (t + 5 <= s.size() && s[t] == ' ' && ndig(s, t + 1, 4) && (t + 5 == s.size() || s[t + 5] == ' ')) t += 5;
  h.ts = s.substr(start, t - start);
  h.format = "syslog";
  size_t hs = skip_blank(s, t);
  if (hs >= s.size()) {
    h.message = {};
    return true;
  }
  size_t tag = scan_tag(s, hs, h);
  if (tag != npos) {  // no host field
    set_message(h, s, tag);
    return true;
  }
  size_t he = token_end(s, hs);
  h.host = s.substr(hs, he - hs);
  size_t ts2 = skip_blank(s, he);
  if (ts2 < s.size()) {
    size_t te = scan_tag(s, ts2, h);
    if (te != npos) {
      set_message(h, s, te);
      return true;
    }
  }
  set_message(h, s, ts2);
  return true;
}

// <PRI>... : RFC 5424 or RFC 3164 after the priority.
bool parse_pri(sv s, Header& h) {
  size_t e = digits_end(s, 1);
  if (e == 1 || e - 1 > 3 || e >= s.size() || s[e] != '>') return false;
  int pri = 0;
  for (size_t k = 1; k < e; ++k) pri = pri * 10 + (s[k] - '0');
  if (pri > 191) return false;
  size_t i = e + 1;
  h.level = severity_level(pri % 8);
  if (i + 1 < s.size() && dig(s[i]) && s[i + 1] == ' ') {  // RFC 5424
    h.format = "rfc5424";
    size_t p = i + 2;
    sv f[5];
    for (int k = 0; k < 5; ++k) {
      size_t fe = token_end(s, p);
      f[k] = s.substr(p, fe - p);
      if (f[k] == "-") f[k] = {};
      p = fe < s.size() ? fe + 1 : fe;
    }
    h.ts = f[0];
    h.host = f[1];
    h.component = f[2];
    h.pid = f[3];
    // structured data: "-" or [..][..]
    if (p < s.size() && s[p] == '-') {
      ++p;
    } else {
      while (p < s.size() && s[p] == '[') {
        bool quoted = false;
        size_t k = p + 1;
        for (; k < s.size(); ++k) {
          if (s[k] == '\\') {
            ++k;
            continue;
          }
          if (s[k] == '"') quoted = !quoted;
          else if (s[k] == ']' && !quoted) break;
        }
        p = k < s.size() ? k + 1 : k;
      }
    }
    if (p + 3 <= s.size() && s.substr(p, 4) == " \xEF\xBB\xBF") p += 4;
    set_message(h, s, p);
    return true;
  }
  sv lvl = h.level;
  sv rest = s.substr(i);
  Header inner;
  if (parse_bsd(rest, 0, inner)) {
    h = inner;
  } else if (size_t t = scan_iso(rest, 0); t != npos) {
    h.ts = rest.substr(0, t);
    parse_tail(rest, t, h, false);
  } else {
    size_t te = scan_tag(rest, 0, h);
    set_message(h, rest, te == npos ? 0 : te);
  }
  h.level = lvl;
  h.format = "syslog";
  return true;
}

// [ts] ... : dmesg, Apache error log, Proxifier, dmesg -T.
bool parse_bracket(sv s, Header& h) {
  size_t j = s.find(']');
  if (j == npos || j > 64) return false;
  sv in = s.substr(1, j - 1);
  size_t k = skip_blank(in, 0);
  size_t de = digits_end(in, k);
  if (de > k && de < in.size() && in[de] == '.' && digits_end(in, de + 1) == in.size()) {
    h.ts = in.substr(k);
    h.component = "kernel";
    h.format = "dmesg";
    set_message(h, s, j + 1);
    return true;
  }
  bool has_digit = false, has_colon = false;
  for (char c : in) {
    has_digit |= dig(c);
    has_colon |= c == ':';
  }
  if (!(has_digit && has_colon)) return false;
  h.ts = in;
  h.format = is_dayname(in, 0) ? "apache-error" : "bracket";
  parse_tail(s, j + 1, h, false);
  return true;
}

// Apache / nginx access log: host ident user [dd/Mon/yyyy:HH:MM:SS zone] "req" status size ...
bool parse_access(sv s, Header& h) {
  size_t e1 = token_end(s, 0);
  size_t p = e1;
  for (int k = 0; k < 2; ++k) {
    p = skip_blank(s, p);
    if (p >= s.size() || s[p] == '[') return false;
    p = token_end(s, p);
  }
  p = skip_blank(s, p);
  if (p + 21 > s.size() || s[p] != '[' || !ndig(s, p + 1, 2) || s[p + 3] != '/' || !is_month(s, p + 4)) return false;
  size_t q = s.find(']', p);
  if (q == npos) return false;
  h.host = s.substr(0, e1);
  h.ts = s.substr(p + 1, q - p - 1);
  h.component = "access";
  h.format = "access";
  set_message(h, s, q + 1);
  // Level from the status code that follows the quoted request.
  size_t r = s.find('"', q);
  if (r != npos) r = s.find('"', r + 1);
  if (r != npos) {
    size_t st = skip_blank(s, r + 1);
    if (ndig(s, st, 3)) h.level = s[st] == '5' ? "error" : s[st] == '4' ? "warning" : "info";
  }
  return true;
}

// klog / glog: Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg
bool parse_klog(sv s, Header& h) {
  if (s.size() < 20 || !std::strchr("IWEF", s[0]) || !ndig(s, 1, 4) || s[5] != ' ') return false;
  size_t t = scan_time(s, 6);
  if (t == npos) return false;
  h.ts = s.substr(1, t - 1);
  h.level = canonical_level(s.substr(0, 1));
  h.format = "klog";
  size_t p = skip_blank(s, t);
  size_t pe = digits_end(s, p);
  if (pe > p) h.pid = s.substr(p, pe - p);
  p = skip_blank(s, pe);
  size_t b = s.find("] ", p);
  if (b != npos && b - p < 128) {
    h.component = s.substr(p, b - p);
    set_message(h, s, b + 1);
  } else {
    set_message(h, s, p);
  }
  return true;
}

// Supercomputer logs with an epoch prefix: BGL and Thunderbird.
bool parse_epoch_prefixed(sv s, Header& h) {
  size_t e1 = token_end(s, 0);
  if (e1 == 0 || e1 > 32) return false;
  size_t p2 = skip_blank(s, e1), e2 = token_end(s, p2);
  if (e2 - p2 < 9 || e2 - p2 > 10 || !all_digits(s.substr(p2, e2 - p2))) return false;
  size_t p3 = skip_blank(s, e2), e3 = token_end(s, p3);
  if (e3 - p3 != 10 || s[p3 + 4] != '.' || s[p3 + 7] != '.') return false;
  size_t p4 = skip_blank(s, e3), e4 = token_end(s, p4);
  if (e4 == p4) return false;
  h.host = s.substr(p4, e4 - p4);
  size_t p5 = skip_blank(s, e4);
  size_t t5 = scan_iso(s, p5);
  if (t5 != npos && t5 - p5 > 19) {  // BGL: ts node type component level msg
    h.ts = s.substr(p5, t5 - p5);
    h.format = "bgl";
    size_t p = skip_blank(s, t5);
    p = skip_blank(s, token_end(s, p));  // node again
    p = skip_blank(s, token_end(s, p));  // RAS
    size_t ce = token_end(s, p);
    h.component = s.substr(p, ce - p);
    size_t lp = skip_blank(s, ce), le = token_end(s, lp);
    sv lvl = canonical_level(s.substr(lp, le - lp));
    if (!lvl.empty()) {
      h.level = lvl;
      set_message(h, s, le);
    } else {
      set_message(h, s, ce);
    }
    return true;
  }
  Header inner;
  sv rest = s.substr(p5);
  if (parse_bsd(rest, 0, inner)) {  // Thunderbird
    sv host = h.host;
    h = inner;
    h.host = host;
    h.format = "thunderbird";
    return true;
  }
  h.host = {};
  return false;
}

// HPC: id node component state epoch flag msg
bool parse_hpc(sv s, Header& h) {
  size_t p[7], e[7];
  size_t q = 0;
  for (int k = 0; k < 6; ++k) {
    p[k] = skip_blank(s, q);
    e[k] = token_end(s, p[k]);
    if (e[k] == p[k]) return false;
    q = e[k];
  }
  if (!all_digits(s.substr(p[0], e[0] - p[0])) || e[4] - p[4] < 9 || e[4] - p[4] > 10 ||
      !all_digits(s.substr(p[4], e[4] - p[4])) || e[5] - p[5] != 1 || !dig(s[p[5]]))
    return false;
  h.host = s.substr(p[1], e[1] - p[1]);
  h.component = s.substr(p[2], e[2] - p[2]);
  h.ts = s.substr(p[4], e[4] - p[4]);
  h.format = "hpc";
  set_message(h, s, e[5]);
  return true;
}

// Windows Event Viewer CSV export: Level,Date and Time,Source,Event ID,Task Category,Message
bool parse_windows_csv(sv s, Header& h) {
  sv f[5];
  size_t p = 0;
  for (int k = 0; k < 5; ++k) {
    if (p >= s.size()) return false;
    size_t e;
    if (s[p] == '"') {
      e = s.find('"', p + 1);
      if (e == npos) return false;
      f[k] = s.substr(p + 1, e - p - 1);
      ++e;
    } else {
      e = s.find(',', p);
      if (e == npos) return false;
      f[k] = s.substr(p, e - p);
    }
    if (e >= s.size() || s[e] != ',') return false;
    p = e + 1;
  }
  sv lvl = canonical_level(f[0]);
  if (lvl.empty() || !all_digits(f[3])) return false;
  bool date_ok = false;
  for (char c : f[1]) date_ok |= c == ':';
  if (!date_ok) return false;
  h.level = lvl;
  h.ts = f[1];
  h.component = f[2];
  h.format = "windows-csv";
  sv msg = s.substr(p);
  if (msg.size() >= 2 && msg.front() == '"' && msg.back() == '"') msg = msg.substr(1, msg.size() - 2);
  h.message = msg;
  return true;
}

bool parse_json(sv s, Header& h, HeaderScratch& sc);

// Lines that start with a digit.
bool parse_digit_start(sv s, Header& h, HeaderScratch& sc) {
  if (size_t t = scan_iso(s, 0); t != npos) {
    h.ts = s.substr(0, t);
    h.format = "iso";
    if (t < s.size() && s[t] == ',') ++t;  // Windows CBS "2016-09-28 04:30:30, Info"
    // Kubernetes CRI: ts stdout|stderr F|P msg
    size_t p = skip_blank(s, t), e = token_end(s, p);
    sv st = s.substr(p, e - p);
    if (st == "stdout" || st == "stderr") {
      size_t p2 = skip_blank(s, e), e2 = token_end(s, p2);
      if (e2 - p2 == 1 && (s[p2] == 'F' || s[p2] == 'P')) {
        sv ts = h.ts;
        sv inner = s.substr(std::min(s.size(), e2 + 1));
        parse_header(inner, h, sc);
        h.ts = ts;
        h.format = "cri";
        return true;
      }
    }
    parse_tail(s, t, h, false);
    return true;
  }
  // HealthApp: yyyyMMdd-HH:mm:ss:SSS|component|pid|msg
  if (ndig(s, 0, 8) && s.size() > 9 && s[8] == '-') {
    size_t bar = s.find('|');
    if (bar != npos && bar < 32) {
      h.ts = s.substr(0, bar);
      h.format = "pipe";
      size_t b2 = s.find('|', bar + 1);
      size_t b3 = b2 == npos ? npos : s.find('|', b2 + 1);
      if (b3 != npos) {
        h.component = s.substr(bar + 1, b2 - bar - 1);
        h.pid = s.substr(b2 + 1, b3 - b2 - 1);
        h.message = s.substr(b3 + 1);
      } else {
        h.message = s.substr(bar + 1);
      }
      return true;
    }
  }
  // HDFS: yyMMdd HHmmss pid LEVEL component: msg
  if (ndig(s, 0, 6) && s.size() > 14 && s[6] == ' ' && ndig(s, 7, 6) && s[13] == ' ') {
    h.ts = s.substr(0, 13);
    h.format = "hdfs";
    parse_tail(s, 13, h, false);
    return true;
  }
  // Spark: yy/MM/dd HH:mm:ss
  if (ndig(s, 0, 2) && s.size() > 17 && s[2] == '/' && ndig(s, 3, 2) && s[5] == '/' && ndig(s, 6, 2) && s[8] == ' ') {
    size_t t = scan_time(s, 9);
    if (t != npos) {
      h.ts = s.substr(0, t);
      h.format = "yy/mm/dd";
      parse_tail(s, t, h, false);
      return true;
    }
  }
  // Android logcat threadtime: MM-DD HH:MM:SS.mmm pid tid L tag: msg
  if (ndig(s, 0, 2) && s.size() > 18 && s[2] == '-' && ndig(s, 3, 2) && s[5] == ' ') {
    size_t t = scan_time(s, 6);
    if (t != npos) {
      h.ts = s.substr(0, t);
      h.format = "logcat";
      parse_tail(s, t, h, true);
      return true;
    }
  }
  // Time only (logback default): HH:MM:SS.mmm [thread] LEVEL logger - msg
  if (size_t t = scan_time(s, 0); t != npos && (t == s.size() || blank(s[t]))) {
    h.ts = s.substr(0, t);
    h.format = "time";
    parse_tail(s, t, h, false);
    return true;
  }
  if (parse_hpc(s, h)) return true;
  if (parse_access(s, h)) return true;
  return false;
}

bool parse_alpha_start(sv s, Header& h) {
  if (parse_klog(s, h)) return true;
  if (parse_bsd(s, 0, h)) return true;
  // ctime: Mon Jan  2 03:04:05 2024 ...
  if (is_dayname(s, 0) && s.size() > 24 && s[3] == ' ' && is_month(s, 4)) {
    size_t d = skip_blank(s, 8), de = digits_end(s, d);
    size_t t = de > d ? scan_time(s, de + 1) : npos;
    if (t != npos) {
      if (t + 5 <= s.size() && s[t] == ' ' && ndig(s, t + 1, 4)) t += 5;
      h.ts = s.substr(0, t);
      h.format = "ctime";
      parse_tail(s, t, h, false);
      return true;
    }
  }
  if (parse_windows_csv(s, h)) return true;
  if (parse_access(s, h)) return true;
  // Python logging default: LEVEL:logger:message
  size_t c1 = s.find(':');
  if (c1 != npos && c1 < 12) {
    sv lvl = canonical_level(s.substr(0, c1));
    size_t c2 = s.find(':', c1 + 1);
    if (!lvl.empty() && c2 != npos && is_ident(s.substr(c1 + 1, c2 - c1 - 1))) {
      h.level = lvl;
      h.component = s.substr(c1 + 1, c2 - c1 - 1);
      h.format = "python-basic";
      set_message(h, s, c2 + 1);
      return true;
    }
  }
  return false;
}

// Copies a JSON scalar into scratch slot k as text.
bool json_text(const nlohmann::json& v, std::string& out) {
  if (v.is_string()) {
    out = v.get_ref<const std::string&>();
    return true;
  }
  if (v.is_number()) {
    out = v.dump();
    return true;
  }
  return false;
}

bool parse_json(sv s, Header& h, HeaderScratch& sc) {
  auto j = nlohmann::json::parse(s, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return false;
  auto take = [&](std::initializer_list<const char*> keys, int slot, sv& dst) {
    for (const char* k : keys) {
      auto it = j.find(k);
      if (it != j.end() && json_text(*it, sc.field[slot])) {
        dst = sc.field[slot];
        return true;
      }
    }
    return false;
  };
  sv msg;
  bool has_msg = take({"msg", "message", "log", "MESSAGE", "@message", "text", "Message"}, 0, msg);
  take({"time", "ts", "timestamp", "@timestamp", "t", "datetime", "date", "__REALTIME_TIMESTAMP", "TimeCreated"}, 1,
       h.ts);
  sv lvl;
  if (take({"level", "severity", "lvl", "loglevel", "levelname", "log.level", "PRIORITY", "LevelDisplayName", "Level"},
           2, lvl)) {
    if (lvl.size() == 1 && dig(lvl[0])) h.level = severity_level(lvl[0] - '0');
    else h.level = canonical_level(lvl);
  }
  take({"logger", "logger_name", "component", "caller", "name", "module", "SYSLOG_IDENTIFIER", "source", "app",
        "service", "ProviderName", "_COMM"},
       3, h.component);
  take({"host", "hostname", "_HOSTNAME", "node", "MachineName"}, 4, h.host);
  take({"pid", "_PID", "process_id", "ProcessId"}, 5, h.pid);
  h.format = "json";
  if (!has_msg) {
    h.message = s;  // structured event without a message: template the whole object
    return true;
  }
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) msg.remove_suffix(1);
  h.message = msg;
  // Docker / Kubernetes json-file: the "log" text may carry its own header.
  if (!msg.empty() && msg[0] != '{') {
    Header inner;
    HeaderScratch dummy;
    parse_header(msg, inner, dummy);
    if (inner.format != "plain") {
      if (h.ts.empty()) h.ts = inner.ts;
      if (h.level.empty()) h.level = inner.level;
      if (h.component.empty()) h.component = inner.component;
      if (h.host.empty()) h.host = inner.host;
      if (h.pid.empty()) h.pid = inner.pid;
      h.message = inner.message;  // all views into sc.field[0] (msg) or slots
    }
  }
  return true;
}

}  // namespace

std::string_view canonical_level(std::string_view w) {
  if (w.empty() || w.size() > 13) return {};
  if (w.size() == 1) {
    switch (w[0]) {
      case 'V': return "trace";
      case 'D': return "debug";
      case 'I': return "info";
      case 'W': return "warning";
      case 'E': return "error";
      case 'F': case 'A': return "critical";
      default: return {};
    }
  }
  if (!alpha(w[0])) return {};
  if (ieq(w, "info") || ieq(w, "information") || ieq(w, "informational")) return "info";
  if (ieq(w, "warn") || ieq(w, "warning")) return "warning";
  if (ieq(w, "error") || ieq(w, "err")) return "error";
  if (ieq(w, "debug") || ieq(w, "dbg")) return "debug";
  if (ieq(w, "trace") || ieq(w, "verbose") || ieq(w, "finest") || ieq(w, "finer") || ieq(w, "fine")) return "trace";
  if (ieq(w, "notice")) return "notice";
  if (ieq(w, "critical") || ieq(w, "crit") || ieq(w, "fatal") || ieq(w, "severe") || ieq(w, "panic") ||
      ieq(w, "failure"))
    return "critical";
  if (ieq(w, "alert")) return "alert";
  if (ieq(w, "emerg") || ieq(w, "emergency")) return "emergency";
  return {};
}

void parse_header(std::string_view s, Header& h, HeaderScratch& sc) {
  h = Header{};
  h.message = s;
  h.format = "plain";
  if (s.empty()) return;
  char c = s[0];
  Header saved = h;
  bool ok = false;
  if (c == '{') ok = parse_json(s, h, sc);
  else if (c == '<') ok = parse_pri(s, h);
  else if (c == '[') ok = parse_bracket(s, h);
  else if (dig(c)) ok = parse_digit_start(s, h, sc);
  else if (alpha(c)) ok = parse_alpha_start(s, h);
  else if (c == '"') ok = parse_windows_csv(s, h);
  if (!ok && (c == '-' || upper(c))) {
    h = saved;
    ok = parse_epoch_prefixed(s, h);
  }
  if (!ok) {
    h = saved;
    // Bare "LEVEL: message" / "[LEVEL] message".
    size_t e = token_end(s, 0);
    sv t = s.substr(0, e);
    if (t.size() > 2 && t.front() == '[' && t.back() == ']') t = t.substr(1, t.size() - 2);
    else if (t.size() > 1 && t.back() == ':') t.remove_suffix(1);
    sv lvl = t.size() > 1 ? canonical_level(t) : sv();
    if (!lvl.empty() && e < s.size()) {
      h.level = lvl;
      set_message(h, s, e);
    }
  }
}

}  // namespace pocketops::logs
