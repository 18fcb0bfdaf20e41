// LFM2 tool-call parser (a small recursive-descent reader of Python call
// syntax with depth and range limits) and the formatting/conversion helpers.
#include "chat/tool_call.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "chat/chat_json.h"
#include "common/error.h"

namespace pocketops::chat {

using ojson = nlohmann::ordered_json;

namespace {

constexpr int kMaxDepth = 64;

// Length of the valid UTF-8 sequence at s[i], or 0 when invalid.
size_t utf8_len(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; }
  else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; }
  else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    const auto cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF))) return 0;
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;
  return n;
}

std::optional<size_t> first_invalid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const size_t n = utf8_len(s, i);
    if (!n) return i;
    i += n;
  }
  return std::nullopt;
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

struct ParseError {
  std::string msg;
};

bool is_ident_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }
int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Recursive-descent reader over one call block's text.
class Reader {
 public:
  explicit Reader(std::string_view s) : s_(s) {}

  std::vector<ToolCall> parse_block() {
    std::vector<ToolCall> calls;
    skip_ws();
    const bool bracketed = peek() == '[';
    if (bracketed) ++p_;
    skip_ws();
    if (bracketed && peek() == ']') fail("empty tool call list");
    for (;;) {
      calls.push_back(parse_call());
      skip_ws();
      if (peek() == ',') {
        ++p_;
        skip_ws();
        if (bracketed && peek() == ']') break;  // trailing comma
        if (!bracketed && at_end()) break;
        continue;
      }
      break;
    }
    skip_ws();
    if (bracketed) expect(']', "expected ',' or ']' after a call");
    skip_ws();
    if (!at_end()) fail("unexpected text after the call list");
    return calls;
  }

 private:
  [[noreturn]] void fail(const std::string& m) const {
    throw ParseError{m + " at offset " + std::to_string(p_)};
  }
  bool at_end() const { return p_ >= s_.size(); }
  char peek() const { return at_end() ? '\0' : s_[p_]; }
  void skip_ws() {
    while (!at_end() && (s_[p_] == ' ' || s_[p_] == '\n' || s_[p_] == '\t' || s_[p_] == '\r')) ++p_;
  }
  void expect(char c, const char* m) {
    if (peek() != c) fail(m);
    ++p_;
  }

  std::string ident() {
    if (at_end() || !is_ident_start(s_[p_])) fail("expected a name");
    const size_t b = p_;
    while (!at_end() && is_ident_char(s_[p_]) && p_ - b < 256) ++p_;
    if (!at_end() && is_ident_char(s_[p_])) fail("name longer than 256 characters");
    return std::string(s_.substr(b, p_ - b));
  }

  ToolCall parse_call() {
    ToolCall call;
    call.name = ident();
    skip_ws();
    expect('(', "expected '(' after the function name");
    skip_ws();
    while (peek() != ')') {
      if (at_end()) fail("unterminated argument list");
      const size_t save = p_;
      if (!is_ident_start(peek())) fail("positional arguments are not supported (use name=value)");
      std::string key = ident();
      skip_ws();
      if (peek() != '=') {
        p_ = save;
        fail("positional arguments are not supported (use name=value)");
      }
      ++p_;
      skip_ws();
      if (call.arguments.contains(key)) fail("duplicate argument '" + key + "'");
      call.arguments[key] = value(1);
      skip_ws();
      if (peek() == ',') {
        ++p_;
        skip_ws();
      } else if (peek() != ')') {
        fail("expected ',' or ')' in argument list");
      }
    }
    ++p_;
    return call;
  }

  ojson value(int depth) {
    if (depth > kMaxDepth) fail("values nested deeper than " + std::to_string(kMaxDepth) + " levels");
    skip_ws();
    const char c = peek();
    if (at_end()) fail("expected a value");
    if (c == '"' || c == '\'') return ojson(string_lit(false));
    if ((c == 'r' || c == 'R') && p_ + 1 < s_.size() && (s_[p_ + 1] == '"' || s_[p_ + 1] == '\'')) {
      ++p_;
      return ojson(string_lit(true));
    }
    if (c == '[' || c == '(') return sequence(c == '[' ? ']' : ')', depth);
    if (c == '{') return dict(depth);
    if (c == '-' || c == '+' || c == '.' || (c >= '0' && c <= '9')) return number();
    if (is_ident_start(c)) {
      const size_t b = p_;
      while (!at_end() && (is_ident_start(s_[p_]) || (s_[p_] >= '0' && s_[p_] <= '9'))) ++p_;
      const std::string_view w = s_.substr(b, p_ - b);
      if (w == "True" || w == "true") return ojson(true);
      if (w == "False" || w == "false") return ojson(false);
      if (w == "None" || w == "null") return ojson(nullptr);
      p_ = b;
      fail("unknown name '" + std::string(w.substr(0, 64)) + "' (only literals are allowed)");
    }
    fail(std::string("unexpected character '") + c + "'");
  }

  ojson sequence(char close, int depth) {
    ++p_;
    ojson arr = ojson::array();
    skip_ws();
    while (peek() != close) {
      if (at_end()) fail("unterminated list");
      arr.push_back(value(depth + 1));
      skip_ws();
      if (peek() == ',') {
        ++p_;
        skip_ws();
      } else if (peek() != close) {
        fail(std::string("expected ',' or '") + close + "'");
      }
    }
    ++p_;
    return arr;
  }

  ojson dict(int depth) {
    ++p_;
    ojson obj = ojson::object();
    skip_ws();
    while (peek() != '}') {
      if (at_end()) fail("unterminated dict");
      ojson k = value(depth + 1);
      std::string key;
      if (k.is_string()) key = k.get<std::string>();
      else if (k.is_number() || k.is_boolean() || k.is_null()) key = json_dumps(k);
      else fail("dict keys must be strings or numbers");
      skip_ws();
      expect(':', "expected ':' in dict");
      obj[key] = value(depth + 1);
      skip_ws();
      if (peek() == ',') {
        ++p_;
        skip_ws();
      } else if (peek() != '}') {
        fail("expected ',' or '}'");
      }
    }
    ++p_;
    return obj;
  }

  ojson number() {
    const size_t b = p_;
    bool neg = false;
    while (peek() == '-' || peek() == '+') {
      if (peek() == '-') neg = !neg;
      ++p_;
      skip_ws();
      if (p_ - b > 16) fail("too many signs");
    }
    const size_t nb = p_;
    while (!at_end() && (std::isalnum(static_cast<unsigned char>(s_[p_])) || s_[p_] == '.' || s_[p_] == '_' ||
                         ((s_[p_] == '+' || s_[p_] == '-') && (s_[p_ - 1] == 'e' || s_[p_ - 1] == 'E')))) {
      ++p_;
      if (p_ - nb > 400) fail("number literal too long");
    }
    std::string tok;
    for (size_t i = nb; i < p_; ++i)
      if (s_[i] != '_') tok += s_[i];
    if (tok.empty()) fail("expected a number");
    if (tok == "inf" || tok == "nan") fail("non-finite numbers are not allowed");
    int base = 10;
    std::string digits = tok;
    if (tok.size() > 2 && tok[0] == '0' && (tok[1] == 'x' || tok[1] == 'X')) base = 16;
    else if (tok.size() > 2 && tok[0] == '0' && (tok[1] == 'o' || tok[1] == 'O')) base = 8;
    else if (tok.size() > 2 && tok[0] == '0' && (tok[1] == 'b' || tok[1] == 'B')) base = 2;
    const bool is_float = base == 10 && tok.find_first_of(".eE") != std::string::npos;
    if (!is_float) {
      if (base != 10) digits = tok.substr(2);
      unsigned __int128 acc = 0;
      for (char ch : digits) {
        const int d = hexval(ch);
        if (d < 0 || d >= base) {
          p_ = nb;
          fail("malformed number '" + tok.substr(0, 64) + "'");
        }
        acc = acc * base + d;
        if (acc > static_cast<unsigned __int128>(UINT64_MAX)) {
          p_ = nb;
          fail("integer out of 64-bit range");
        }
      }
      const auto u = static_cast<uint64_t>(acc);
      if (neg) {
        if (u > static_cast<uint64_t>(INT64_MAX) + 1) {
          p_ = nb;
          fail("integer out of 64-bit range");
        }
        return ojson(u == static_cast<uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<int64_t>(u));
      }
      if (u <= static_cast<uint64_t>(INT64_MAX)) return ojson(static_cast<int64_t>(u));
      return ojson(u);
    }
    // Decimal float: digits [. digits] [e[+-]digits], validated before strtod.
    size_t i = 0;
    size_t nd = 0;
    while (i < tok.size() && std::isdigit(static_cast<unsigned char>(tok[i]))) ++i, ++nd;
    if (i < tok.size() && tok[i] == '.') {
      ++i;
      while (i < tok.size() && std::isdigit(static_cast<unsigned char>(tok[i]))) ++i, ++nd;
    }
    bool ok = nd > 0;
    if (ok && i < tok.size() && (tok[i] == 'e' || tok[i] == 'E')) {
      ++i;
      if (i < tok.size() && (tok[i] == '+' || tok[i] == '-')) ++i;
      size_t ne = 0;
      while (i < tok.size() && std::isdigit(static_cast<unsigned char>(tok[i]))) ++i, ++ne;
      ok = ne > 0;
    }
    if (!ok || i != tok.size()) {
      p_ = nb;
      fail("malformed number '" + tok.substr(0, 64) + "'");
    }
    errno = 0;
    double d = std::strtod(tok.c_str(), nullptr);
    if (!std::isfinite(d)) {
      p_ = nb;
      fail("float out of range");
    }
    return ojson(neg ? -d : d);
  }

  std::string string_lit(bool raw) {
    const char q = s_[p_++];
    std::string out;
    for (;;) {
      if (at_end()) fail("unterminated string");
      const char c = s_[p_];
      if (c == q) {
        ++p_;
        return out;
      }
      if (c == '\n' || c == '\r') fail("newline inside a string");
      if (c != '\\') {
        out += c;
        ++p_;
        continue;
      }
      if (p_ + 1 >= s_.size()) fail("unterminated string");
      const char e = s_[p_ + 1];
      if (raw) {  // r'..': backslash stays, but still escapes the quote char
        out += '\\';
        out += e;
        p_ += 2;
        continue;
      }
      p_ += 2;
      switch (e) {
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'v': out += '\v'; break;
        case 'a': out += '\a'; break;
        case '/': out += "\\/"; break;  // not a Python escape: kept as is
        case '\n': break;               // line continuation
        case 'x': out_cp(out, hex_digits(2)); break;
        case 'u': {
          uint32_t cp = hex_digits(4);
          if (cp >= 0xD800 && cp <= 0xDBFF && p_ + 1 < s_.size() && s_[p_] == '\\' && s_[p_ + 1] == 'u') {
            p_ += 2;
            const uint32_t lo = hex_digits(4);
            if (lo < 0xDC00 || lo > 0xDFFF) fail("unpaired surrogate in \\u escape");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          out_cp(out, cp);
          break;
        }
        case 'U': out_cp(out, hex_digits(8)); break;
        default:
          if (e >= '0' && e <= '7') {
            uint32_t v = e - '0';
            for (int k = 0; k < 2 && peek() >= '0' && peek() <= '7'; ++k) v = v * 8 + (s_[p_++] - '0');
            out_cp(out, v);
          } else {  // unknown escape: Python keeps the backslash
            out += '\\';
            --p_;
          }
      }
    }
  }

  uint32_t hex_digits(int n) {
    uint32_t v = 0;
    for (int k = 0; k < n; ++k) {
      const int d = p_ < s_.size() ? hexval(s_[p_]) : -1;
      if (d < 0) fail("malformed hex escape");
      v = v * 16 + d;
      ++p_;
    }
    return v;
  }
  void out_cp(std::string& out, uint32_t cp) {
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) fail("invalid code point in escape");
    append_utf8(out, cp);
  }

  std::string_view s_;
  size_t p_ = 0;
};

// JSON nesting depth of s (brackets outside strings), stopping early past limit.
int json_depth(std::string_view s, int limit) {
  int depth = 0, max_depth = 0;
  bool in_str = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (in_str) {
      if (c == '\\') ++i;
      else if (c == '"') in_str = false;
    } else if (c == '"') {
      in_str = true;
    } else if (c == '[' || c == '{') {
      max_depth = std::max(max_depth, ++depth);
      if (max_depth > limit) return max_depth;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return max_depth;
}

// Some prompts ask LFM2 for JSON calls: {"name": ..., "arguments": {...}} or a list of them.
std::vector<ToolCall> parse_json_block(std::string_view inner) {
  if (json_depth(inner, kMaxDepth + 2) > kMaxDepth + 2) throw ParseError{"JSON tool call nested too deeply"};
  const ojson j = ojson::parse(inner, nullptr, false);
  if (j.is_discarded()) throw ParseError{"neither Python call syntax nor valid JSON"};
  std::vector<ToolCall> out;
  auto one = [&](const ojson& o) {
    if (!o.is_object() || !o.contains("name") || !o["name"].is_string()) throw ParseError{"JSON tool call without a \"name\""};
    ToolCall c;
    c.name = o["name"].get<std::string>();
    if (c.name.empty() || c.name.size() > 256) throw ParseError{"bad function name in JSON tool call"};
    const char* keys[] = {"arguments", "parameters"};
    for (const char* k : keys) {
      if (!o.contains(k)) continue;
      ojson a = o[k];
      if (a.is_string()) {
        const auto& txt = a.get_ref<const std::string&>();
        if (json_depth(txt, kMaxDepth) > kMaxDepth) throw ParseError{"JSON tool call arguments nested too deeply"};
        a = ojson::parse(txt, nullptr, false);
      }
      if (!a.is_object()) throw ParseError{std::string("JSON tool call \"") + k + "\" is not an object"};
      c.arguments = std::move(a);
      break;
    }
    out.push_back(std::move(c));
  };
  if (j.is_array()) {
    if (j.empty()) throw ParseError{"empty tool call list"};
    for (const auto& e : j) one(e);
  } else {
    one(j);
  }
  return out;
}

bool looks_like_json(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')) ++i;
  if (i < s.size() && s[i] == '{') return true;
  if (i >= s.size() || s[i] != '[') return false;
  ++i;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')) ++i;
  return i < s.size() && s[i] == '{';
}

}  // namespace

ToolCallParse parse_tool_calls(std::string_view text) {
  ToolCallParse r;
  auto failed = [&](std::string msg) {
    r.calls.clear();
    r.content.assign(text);
    r.error = std::move(msg);
    return r;
  };
  if (auto bad = first_invalid_utf8(text)) return failed("invalid UTF-8 at byte " + std::to_string(*bad));
  size_t pos = 0;
  int block = 0;
  while (pos < text.size()) {
    const size_t s = text.find(kToolCallStart, pos);
    if (s == std::string_view::npos) {
      r.content.append(text.substr(pos));
      break;
    }
    r.content.append(text.substr(pos, s - pos));
    const size_t body = s + kToolCallStart.size();
    const size_t e = text.find(kToolCallEnd, body);
    ++block;
    if (e == std::string_view::npos) return failed("tool call block " + std::to_string(block) + ": missing <|tool_call_end|>");
    const std::string_view inner = text.substr(body, e - body);
    if (inner.find(kToolCallStart) != std::string_view::npos)
      return failed("tool call block " + std::to_string(block) + ": nested <|tool_call_start|>");
    try {
      if (looks_like_json(inner)) {
        for (auto& c : parse_json_block(inner)) r.calls.push_back(std::move(c));
      } else {
        Reader rd(inner);
        for (auto& c : rd.parse_block()) r.calls.push_back(std::move(c));
      }
    } catch (const ParseError& pe) {
      return failed("tool call block " + std::to_string(block) + ": " + pe.msg);
    } catch (const std::exception& ex) {  // e.g. allocation failure on absurd input
      return failed("tool call block " + std::to_string(block) + ": " + ex.what());
    }
    pos = e + kToolCallEnd.size();
  }
  if (r.content.find(kToolCallEnd) != std::string::npos) return failed("<|tool_call_end|> without <|tool_call_start|>");
  return r;
}

namespace {
void literal_rec(std::string& out, const ojson& v, int depth) {
  require(depth <= 512, "tool call arguments nested too deeply");
  if (v.is_boolean()) out += v.get<bool>() ? "True" : "False";
  else if (v.is_null()) out += "None";
  else if (v.is_array()) {
    out += '[';
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out += ", ";
      literal_rec(out, v[i], depth + 1);
    }
    out += ']';
  } else if (v.is_object()) {
    out += '{';
    bool first = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!first) out += ", ";
      first = false;
      json_quote_append(out, it.key());
      out += ": ";
      literal_rec(out, it.value(), depth + 1);
    }
    out += '}';
  } else {
    json_dumps_append(out, v);  // strings and numbers
  }
}
}  // namespace

std::string python_literal(const ojson& v) {
  std::string out;
  literal_rec(out, v, 0);
  return out;
}

std::string format_tool_calls(const std::vector<ToolCall>& calls) {
  if (calls.empty()) return "";
  std::string out(kToolCallStart);
  out += '[';
  for (size_t i = 0; i < calls.size(); ++i) {
    if (i) out += ", ";
    out += calls[i].name;
    out += '(';
    bool first = true;
    if (calls[i].arguments.is_object()) {
      for (auto it = calls[i].arguments.begin(); it != calls[i].arguments.end(); ++it) {
        if (!first) out += ", ";
        first = false;
        out += it.key();
        out += '=';
        out += python_literal(it.value());
      }
    }
    out += ')';
  }
  out += ']';
  out += kToolCallEnd;
  return out;
}

ojson tool_calls_to_openai(const std::vector<ToolCall>& calls, const std::string& id_prefix) {
  ojson arr = ojson::array();
  for (size_t i = 0; i < calls.size(); ++i) {
    ojson fn = ojson::object();
    fn["name"] = calls[i].name;
    fn["arguments"] = json_dumps(calls[i].arguments.is_null() ? ojson::object() : calls[i].arguments);
    ojson tc = ojson::object();
    tc["id"] = id_prefix + std::to_string(i);
    tc["type"] = "function";
    tc["function"] = std::move(fn);
    arr.push_back(std::move(tc));
  }
  return arr;
}

std::vector<ToolCall> tool_calls_from_openai(const ojson& tool_calls) {
  require(tool_calls.is_array(), "tool_calls must be an array");
  std::vector<ToolCall> out;
  for (size_t i = 0; i < tool_calls.size(); ++i) {
    const auto& tc = tool_calls[i];
    const std::string where = "tool_calls[" + std::to_string(i) + "]";
    require(tc.is_object(), where + " must be an object");
    const ojson* fn = tc.contains("function") ? &tc["function"] : &tc;
    require(fn->is_object(), where + ".function must be an object");
    require(fn->contains("name") && (*fn)["name"].is_string(), where + ": missing function name");
    ToolCall call;
    call.name = (*fn)["name"].get<std::string>();
    require(!call.name.empty() && call.name.size() <= 256, where + ": bad function name");
    for (char c : call.name) require(is_ident_char(c), where + ": function name '" + call.name + "' has characters LFM2 call syntax cannot carry");
    if (fn->contains("arguments")) {
      const auto& a = (*fn)["arguments"];
      if (a.is_string()) {
        const auto& s = a.get_ref<const std::string&>();
        require(json_depth(s, 512) <= 512, where + ": arguments nested too deeply");
        ojson parsed = s.empty() ? ojson::object() : ojson::parse(s, nullptr, false);
        require(!parsed.is_discarded(), where + ": arguments is not valid JSON");
        call.arguments = std::move(parsed);
      } else {
        call.arguments = a;
      }
      require(call.arguments.is_object(), where + ": arguments must be a JSON object");
    }
    for (auto it = call.arguments.begin(); it != call.arguments.end(); ++it) {
      require(!it.key().empty() && is_ident_start(it.key()[0]), where + ": argument name '" + it.key() + "' is not an identifier");
      for (char c : it.key()) require(is_ident_char(c), where + ": argument name '" + it.key() + "' is not an identifier");
    }
    out.push_back(std::move(call));
  }
  return out;
}

ojson make_tool_message(const ojson& result, const std::string& tool_call_id) {
  ojson m = ojson::object();
  m["role"] = "tool";
  m["content"] = result.is_string() ? result.get<std::string>() : json_dumps(result);
  if (!tool_call_id.empty()) m["tool_call_id"] = tool_call_id;
  return m;
}

}  // namespace pocketops::chat
