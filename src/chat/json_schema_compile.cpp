// Compiles a JSON Schema document (supported subset) into JsonSchema nodes,
// rejecting unsupported keywords with their JSON pointer, then computes each
// node's shortest instance so the automaton can always finish.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "chat/json_schema.h"
#include "common/error.h"

namespace pocketops::chat {

using ojson = nlohmann::ordered_json;

namespace {

constexpr int64_t kIntLimit = 9999999999999999LL;  // 16 digits
constexpr uint32_t kUnbounded = std::numeric_limits<uint32_t>::max();
constexpr int kInfDepth = 1 << 20;

const std::set<std::string>& annotation_keywords() {
  static const std::set<std::string> k = {"description", "title", "default", "examples", "$schema",
                                          "$id", "$comment", "$defs", "definitions", "readOnly",
                                          "writeOnly", "deprecated"};
  return k;
}

const std::set<std::string>& known_keywords() {
  static const std::set<std::string> k = [] {
    std::set<std::string> s = annotation_keywords();
    for (const char* w : {"type", "enum", "const", "anyOf", "oneOf", "$ref", "properties", "required",
                          "additionalProperties", "items", "minItems", "maxItems", "minLength", "maxLength",
                          "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"})
      s.insert(w);
    return s;
  }();
  return k;
}

std::string escape_pointer_token(const std::string& t) {
  std::string out;
  for (char c : t) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string show_ptr(const std::string& p) { return p.empty() ? "#" : "#" + p; }

std::string dump_value(const ojson& v) {
  try {
    return v.dump();
  } catch (const std::exception& e) {
    throw Error(std::string("json schema: value cannot be serialized: ") + e.what());
  }
}

}  // namespace

class SchemaCompiler {
 public:
  explicit SchemaCompiler(const ojson& root) : root_(root) {}

  std::shared_ptr<JsonSchema> run() {
    out_ = std::make_shared<JsonSchema>();
    if (!root_.is_object())
      throw Error("json schema: the schema must be a JSON object (got " + std::string(root_.type_name()) + ")");
    out_->any_string_ = new_node(NodeKind::String, "(key)");
    out_->root_ = compile(root_, "", 0);
    finish();
    return out_;
  }

  // JSON mode: an object with any keys and any values.
  std::shared_ptr<JsonSchema> any_object() {
    out_ = std::make_shared<JsonSchema>();
    out_->any_string_ = new_node(NodeKind::String, "(key)");
    uint32_t m = new_node(NodeKind::Map, "");
    out_->nodes_[m].child = any_value();
    out_->root_ = m;
    finish();
    return out_;
  }

 private:
  const ojson& root_;
  std::shared_ptr<JsonSchema> out_;
  std::map<std::string, uint32_t> refs_;      // target pointer -> node
  std::set<uint32_t> in_progress_;            // placeholders being compiled
  uint32_t any_value_ = kUnbounded;
  size_t literal_bytes_ = 0;

  std::vector<SchemaNode>& nodes() { return out_->nodes_; }

  uint32_t new_node(NodeKind k, const std::string& ptr) {
    if (nodes().size() >= SchemaLimits::kMaxNodes)
      throw Error("json schema: too many schema nodes (limit " + std::to_string(SchemaLimits::kMaxNodes) + ")");
    SchemaNode n;
    n.kind = k;
    n.pointer = ptr;
    nodes().push_back(std::move(n));
    return static_cast<uint32_t>(nodes().size() - 1);
  }

  uint32_t any_value() {
    if (any_value_ != kUnbounded) return any_value_;
    uint32_t u = new_node(NodeKind::Union, "(any)");
    any_value_ = u;
    uint32_t m = new_node(NodeKind::Map, "(any)");
    uint32_t a = new_node(NodeKind::Array, "(any)");
    uint32_t s = new_node(NodeKind::String, "(any)");
    uint32_t n = new_node(NodeKind::Number, "(any)");
    uint32_t l = new_node(NodeKind::Literal, "(any)");
    nodes()[m].child = u;
    nodes()[a].child = u;
    nodes()[l].literals = {"false", "null", "true"};
    nodes()[u].alts = {m, a, s, n, l};
    return u;
  }

  [[noreturn]] void fail(const std::string& ptr, const std::string& msg) {
    throw Error("json schema: " + msg + " at " + show_ptr(ptr));
  }

  // A non-negative integer keyword; upper limits above cap mean unbounded, lower ones are errors.
  uint32_t get_count(const ojson& s, const char* key, const std::string& ptr, uint32_t dflt, uint32_t cap) {
    auto it = s.find(key);
    if (it == s.end()) return dflt;
    const ojson& v = *it;
    double d = v.is_number() ? v.get<double>() : -1.0;
    if (!v.is_number() || !std::isfinite(d) || d < 0 || std::floor(d) != d || (v.is_number_integer() && !v.is_number_unsigned() && v.get<int64_t>() < 0))
      fail(ptr + "/" + key, std::string("'") + key + "' must be a non-negative integer");
    bool is_max = std::string(key).rfind("max", 0) == 0;
    if (d > cap) {
      if (is_max) return kUnbounded;
      fail(ptr + "/" + key, std::string("'") + key + "' is too large (limit " + std::to_string(cap) + ")");
    }
    return static_cast<uint32_t>(d);
  }

  void check_keywords(const ojson& s, const std::string& ptr) {
    for (auto it = s.begin(); it != s.end(); ++it) {
      if (!known_keywords().count(it.key()))
        fail(ptr + "/" + escape_pointer_token(it.key()), "unsupported keyword '" + it.key() + "'");
    }
  }

  // Keywords other than annotations next to a combinator are unsupported.
  void only_annotations_beside(const ojson& s, const std::string& ptr, const std::string& what) {
    for (auto it = s.begin(); it != s.end(); ++it) {
      if (it.key() == what || annotation_keywords().count(it.key())) continue;
      fail(ptr + "/" + escape_pointer_token(it.key()),
           "unsupported keyword '" + it.key() + "' beside '" + what + "' (only annotations may accompany it)");
    }
  }

  const ojson& resolve_pointer(const std::string& ref, const std::string& ptr) {
    if (ref.rfind("#/$defs/", 0) != 0 && ref.rfind("#/definitions/", 0) != 0)
      fail(ptr + "/$ref", "unsupported $ref '" + ref + "' (only #/$defs/... and #/definitions/... are supported)");
    const ojson* cur = &root_;
    size_t pos = 2;
    while (pos <= ref.size()) {
      size_t next = ref.find('/', pos);
      if (next == std::string::npos) next = ref.size();
      std::string tok = ref.substr(pos, next - pos);
      std::string un;
      for (size_t i = 0; i < tok.size(); ++i) {
        if (tok[i] == '~' && i + 1 < tok.size() && (tok[i + 1] == '0' || tok[i + 1] == '1')) {
          un += tok[i + 1] == '0' ? '~' : '/';
          ++i;
        } else {
          un += tok[i];
        }
      }
      if (!cur->is_object() || !cur->contains(un)) fail(ptr + "/$ref", "$ref '" + ref + "' does not resolve");
      cur = &(*cur)[un];
      pos = next + 1;
    }
    return *cur;
  }

  uint32_t compile_ref(const std::string& ref, const std::string& ptr, int depth) {
    auto it = refs_.find(ref);
    if (it != refs_.end()) return it->second;
    const ojson& target = resolve_pointer(ref, ptr);
    uint32_t ph = new_node(NodeKind::Union, ref.substr(1));
    refs_[ref] = ph;
    in_progress_.insert(ph);
    uint32_t t = compile(target, ref.substr(1), depth + 1);
    in_progress_.erase(ph);
    if (t == ph || in_progress_.count(t)) fail(ptr + "/$ref", "circular $ref '" + ref + "' with no value in between");
    SchemaNode copy = nodes()[t];
    copy.pointer = nodes()[ph].pointer;
    nodes()[ph] = std::move(copy);
    return ph;
  }

  // Adds node id (flattening unions) to alts; placeholders still being compiled cannot be flattened.
  void add_alt(std::vector<uint32_t>& alts, uint32_t id, const std::string& ptr) {
    if (in_progress_.count(id)) fail(ptr, "recursive $ref directly inside anyOf/oneOf/type is not supported");
    const SchemaNode& n = nodes()[id];
    if (n.kind == NodeKind::Union) {
      for (uint32_t a : std::vector<uint32_t>(n.alts)) add_alt(alts, a, ptr);
    } else if (std::find(alts.begin(), alts.end(), id) == alts.end()) {
      alts.push_back(id);
    }
    if (alts.size() > SchemaLimits::kMaxAlternatives)
      fail(ptr, "too many alternatives (limit " + std::to_string(SchemaLimits::kMaxAlternatives) + ")");
  }

  uint32_t make_union(std::vector<uint32_t> alts, const std::string& ptr) {
    if (alts.size() == 1) return alts[0];
    uint32_t u = new_node(NodeKind::Union, ptr);
    nodes()[u].alts = std::move(alts);
    return u;
  }

  static bool type_matches(const ojson& v, const std::string& t) {
    if (t == "object") return v.is_object();
    if (t == "array") return v.is_array();
    if (t == "string") return v.is_string();
    if (t == "boolean") return v.is_boolean();
    if (t == "null") return v.is_null();
    if (t == "number") return v.is_number();
    if (t == "integer")
      return v.is_number_integer() || (v.is_number_float() && std::isfinite(v.get<double>()) &&
                                        std::floor(v.get<double>()) == v.get<double>());
    return false;
  }

  std::vector<std::string> read_types(const ojson& s, const std::string& ptr) {
    static const std::set<std::string> valid = {"object", "array", "string", "number", "integer", "boolean", "null"};
    std::vector<std::string> types;
    const ojson& t = s["type"];
    auto add = [&](const ojson& v) {
      if (!v.is_string()) fail(ptr + "/type", "'type' must be a string or an array of strings");
      std::string name = v.get<std::string>();
      if (!valid.count(name)) fail(ptr + "/type", "unknown type '" + name + "'");
      if (std::find(types.begin(), types.end(), name) == types.end()) types.push_back(name);
    };
    if (t.is_array()) {
      if (t.empty()) fail(ptr + "/type", "'type' must not be an empty array");
      for (const auto& v : t) add(v);
    } else {
      add(t);
    }
    return types;
  }

  uint32_t compile(const ojson& s, const std::string& ptr, int depth) {
    if (depth > SchemaLimits::kMaxSchemaDepth)
      fail(ptr, "schema nested too deeply (limit " + std::to_string(SchemaLimits::kMaxSchemaDepth) + ")");
    if (s.is_boolean()) {
      if (s.get<bool>()) return any_value();
      fail(ptr, "schema 'false' admits no value");
    }
    if (!s.is_object()) fail(ptr, "a schema must be an object or a boolean (got " + std::string(s.type_name()) + ")");
    check_keywords(s, ptr);

    if (s.contains("$ref")) {
      only_annotations_beside(s, ptr, "$ref");
      if (!s["$ref"].is_string()) fail(ptr + "/$ref", "'$ref' must be a string");
      return compile_ref(s["$ref"].get<std::string>(), ptr, depth);
    }
    if (s.contains("anyOf") || s.contains("oneOf")) {
      const char* kw = s.contains("anyOf") ? "anyOf" : "oneOf";
      if (s.contains("anyOf") && s.contains("oneOf")) fail(ptr + "/oneOf", "'anyOf' and 'oneOf' together are not supported");
      only_annotations_beside(s, ptr, kw);
      const ojson& list = s[kw];
      if (!list.is_array() || list.empty()) fail(ptr + "/" + kw, std::string("'") + kw + "' must be a non-empty array");
      std::vector<uint32_t> alts;
      for (size_t i = 0; i < list.size(); ++i) {
        std::string p = ptr + "/" + kw + "/" + std::to_string(i);
        add_alt(alts, compile(list[i], p, depth + 1), p);
      }
      return make_union(std::move(alts), ptr);
    }

    std::vector<std::string> types;
    if (s.contains("type")) types = read_types(s, ptr);

    if (s.contains("enum") || s.contains("const")) {
      if (s.contains("enum") && s.contains("const")) fail(ptr + "/const", "'enum' and 'const' together are not supported");
      for (auto it = s.begin(); it != s.end(); ++it) {
        const std::string& k = it.key();
        if (k == "enum" || k == "const" || k == "type" || annotation_keywords().count(k)) continue;
        fail(ptr + "/" + escape_pointer_token(k), "unsupported keyword '" + k + "' beside enum/const");
      }
      std::vector<ojson> values;
      if (s.contains("const")) {
        values.push_back(s["const"]);
      } else {
        const ojson& e = s["enum"];
        if (!e.is_array() || e.empty()) fail(ptr + "/enum", "'enum' must be a non-empty array");
        if (e.size() > SchemaLimits::kMaxEnumValues)
          fail(ptr + "/enum", "enum has too many values (limit " + std::to_string(SchemaLimits::kMaxEnumValues) + ")");
        for (const auto& v : e) values.push_back(v);
      }
      std::vector<std::string> lits;
      for (const auto& v : values) {
        if (!types.empty() && std::none_of(types.begin(), types.end(), [&](const std::string& t) { return type_matches(v, t); }))
          continue;
        if (v.is_number_float() && !std::isfinite(v.get<double>())) continue;
        std::string d = dump_value(v);
        literal_bytes_ += d.size();
        if (literal_bytes_ > SchemaLimits::kMaxLiteralBytes)
          fail(ptr, "enum/const values are too large in total (limit " + std::to_string(SchemaLimits::kMaxLiteralBytes) + " bytes)");
        lits.push_back(std::move(d));
      }
      if (lits.empty()) fail(ptr, "no enum/const value matches the declared type");
      std::sort(lits.begin(), lits.end());
      lits.erase(std::unique(lits.begin(), lits.end()), lits.end());
      uint32_t id = new_node(NodeKind::Literal, ptr);
      nodes()[id].literals = std::move(lits);
      return id;
    }

    if (types.empty()) {
      // Infer from the keywords present; none means any value.
      if (s.contains("properties") || s.contains("required") || s.contains("additionalProperties")) types.push_back("object");
      if (s.contains("items") || s.contains("minItems") || s.contains("maxItems")) types.push_back("array");
      if (s.contains("minLength") || s.contains("maxLength")) types.push_back("string");
      if (s.contains("minimum") || s.contains("maximum") || s.contains("exclusiveMinimum") || s.contains("exclusiveMaximum"))
        types.push_back("number");
      if (types.empty()) return any_value();
    }
    std::vector<uint32_t> alts;
    for (const auto& t : types) add_alt(alts, compile_typed(s, t, ptr, depth), ptr);
    return make_union(std::move(alts), ptr);
  }

  uint32_t compile_typed(const ojson& s, const std::string& t, const std::string& ptr, int depth) {
    if (t == "object") return compile_object(s, ptr, depth);
    if (t == "array") {
      uint32_t id = new_node(NodeKind::Array, ptr);
      uint32_t mn = get_count(s, "minItems", ptr, 0, 4096);
      uint32_t mx = get_count(s, "maxItems", ptr, kUnbounded, 1u << 30);
      if (mn > mx) fail(ptr + "/minItems", "minItems is greater than maxItems");
      uint32_t item;
      if (s.contains("items")) {
        if (s["items"].is_array()) fail(ptr + "/items", "tuple-form 'items' (an array) is not supported");
        item = compile(s["items"], ptr + "/items", depth + 1);
      } else {
        item = any_value();
      }
      nodes()[id].child = item;
      nodes()[id].min_count = mn;
      nodes()[id].max_count = mx;
      return id;
    }
    if (t == "string") {
      uint32_t id = new_node(NodeKind::String, ptr);
      uint32_t mn = get_count(s, "minLength", ptr, 0, 65536);
      uint32_t mx = get_count(s, "maxLength", ptr, kUnbounded, 1u << 30);
      if (mn > mx) fail(ptr + "/minLength", "minLength is greater than maxLength");
      nodes()[id].min_count = mn;
      nodes()[id].max_count = mx;
      return id;
    }
    if (t == "number" || t == "integer") {
      bool bounded = s.contains("minimum") || s.contains("maximum") || s.contains("exclusiveMinimum") ||
                     s.contains("exclusiveMaximum");
      if (t == "number" && bounded) {
        const char* kw = s.contains("minimum") ? "minimum" : s.contains("maximum") ? "maximum"
                         : s.contains("exclusiveMinimum") ? "exclusiveMinimum" : "exclusiveMaximum";
        fail(ptr + "/" + kw, std::string("'") + kw + "' is only supported with type integer");
      }
      if (t == "number") return new_node(NodeKind::Number, ptr);
      uint32_t id = new_node(NodeKind::Integer, ptr);
      int64_t lo = -kIntLimit, hi = kIntLimit;
      auto num = [&](const char* kw) -> double {
        const ojson& v = s[kw];
        if (!v.is_number()) fail(ptr + "/" + kw, std::string("'") + kw + "' must be a number");
        double d = v.get<double>();
        if (!std::isfinite(d)) fail(ptr + "/" + kw, std::string("'") + kw + "' must be finite");
        return d;
      };
      auto clamp_ll = [](double d) -> int64_t {
        if (d > 1e17) return kIntLimit + 1;
        if (d < -1e17) return -kIntLimit - 1;
        return static_cast<int64_t>(d);
      };
      if (s.contains("minimum")) lo = std::max(lo, clamp_ll(std::ceil(num("minimum"))));
      if (s.contains("exclusiveMinimum")) lo = std::max(lo, clamp_ll(std::floor(num("exclusiveMinimum")) + 1));
      if (s.contains("maximum")) hi = std::min(hi, clamp_ll(std::floor(num("maximum"))));
      if (s.contains("exclusiveMaximum")) hi = std::min(hi, clamp_ll(std::ceil(num("exclusiveMaximum")) - 1));
      if (lo > hi || lo > kIntLimit || hi < -kIntLimit)
        fail(ptr, "no integer of at most 16 digits satisfies the minimum/maximum bounds");
      lo = std::max(lo, -kIntLimit);
      hi = std::min(hi, kIntLimit);
      nodes()[id].has_min = bounded;
      nodes()[id].has_max = bounded;
      nodes()[id].min_value = lo;
      nodes()[id].max_value = hi;
      return id;
    }
    uint32_t id = new_node(NodeKind::Literal, ptr);
    nodes()[id].literals = t == "boolean" ? std::vector<std::string>{"false", "true"} : std::vector<std::string>{"null"};
    return id;
  }

  uint32_t compile_object(const ojson& s, const std::string& ptr, int depth) {
    const ojson* props = nullptr;
    if (s.contains("properties")) {
      props = &s["properties"];
      if (!props->is_object()) fail(ptr + "/properties", "'properties' must be an object");
      if (props->size() > SchemaLimits::kMaxProperties)
        fail(ptr + "/properties", "too many properties (limit " + std::to_string(SchemaLimits::kMaxProperties) + ")");
    }
    std::set<std::string> required;
    if (s.contains("required")) {
      const ojson& r = s["required"];
      if (!r.is_array()) fail(ptr + "/required", "'required' must be an array of strings");
      for (const auto& v : r) {
        if (!v.is_string()) fail(ptr + "/required", "'required' must be an array of strings");
        std::string name = v.get<std::string>();
        if (!props || !props->contains(name))
          fail(ptr + "/required", "required property '" + name + "' is not listed in 'properties'");
        required.insert(name);
      }
    }
    const ojson* addl = s.contains("additionalProperties") ? &s["additionalProperties"] : nullptr;
    if (addl && !addl->is_boolean() && !addl->is_object())
      fail(ptr + "/additionalProperties", "'additionalProperties' must be a boolean or a schema");

    if (!props || props->empty()) {
      // No listed properties: free-form map unless additionalProperties is false.
      if (addl && addl->is_boolean() && !addl->get<bool>()) return new_node(NodeKind::Object, ptr);
      uint32_t id = new_node(NodeKind::Map, ptr);
      uint32_t child = (addl && addl->is_object()) ? compile(*addl, ptr + "/additionalProperties", depth + 1) : any_value();
      nodes()[id].child = child;
      return id;
    }
    if (addl && addl->is_object()) compile(*addl, ptr + "/additionalProperties", depth + 1);  // validated, not generated
    uint32_t id = new_node(NodeKind::Object, ptr);
    std::vector<SchemaProperty> list;
    for (auto it = props->begin(); it != props->end(); ++it) {
      SchemaProperty p;
      p.name = it.key();
      p.key_json = dump_value(ojson(it.key()));
      p.required = required.count(it.key()) > 0;
      p.node = compile(it.value(), ptr + "/properties/" + escape_pointer_token(it.key()), depth + 1);
      list.push_back(std::move(p));
    }
    nodes()[id].props = std::move(list);
    return id;
  }

  // Shortest instances by (depth, length), as a fixed point over the node graph.
  void finish() {
    auto& ns = nodes();
    size_t n = ns.size();
    std::vector<int> depth(n, kInfDepth);
    std::vector<uint64_t> len(n, UINT64_MAX);
    std::vector<uint32_t> choice(n, 0);
    constexpr uint64_t kCap = 1ull << 40;
    auto better = [](int d1, uint64_t l1, int d2, uint64_t l2) { return d1 < d2 || (d1 == d2 && l1 < l2); };
    bool changed = true;
    size_t rounds = 0;
    while (changed) {
      changed = false;
      if (++rounds > 2 * n + 5) throw Error("json schema: internal error computing minimal instances");
      for (size_t i = 0; i < n; ++i) {
        const SchemaNode& nd = ns[i];
        int d = kInfDepth;
        uint64_t l = UINT64_MAX;
        uint32_t ch = 0;
        switch (nd.kind) {
          case NodeKind::String: d = 1; l = 2 + nd.min_count; break;
          case NodeKind::Number: d = 1; l = 1; break;
          case NodeKind::Integer: d = 1; l = std::to_string(int_min_instance(nd)).size(); break;
          case NodeKind::Map: d = 1; l = 2; break;
          case NodeKind::Literal: {
            d = 1;
            for (size_t k = 0; k < nd.literals.size(); ++k)
              if (nd.literals[k].size() < l) l = nd.literals[k].size(), ch = static_cast<uint32_t>(k);
            break;
          }
          case NodeKind::Array: {
            if (nd.min_count == 0) { d = 1; l = 2; break; }
            if (depth[nd.child] >= kInfDepth) break;
            d = 1 + depth[nd.child];
            l = std::min(kCap, 2 + (len[nd.child] + 1) * nd.min_count);
            break;
          }
          case NodeKind::Object: {
            int md = 0;
            uint64_t total = 2;
            bool ok = true;
            for (const auto& p : nd.props) {
              if (!p.required) continue;
              if (depth[p.node] >= kInfDepth) { ok = false; break; }
              md = std::max(md, depth[p.node]);
              total = std::min(kCap, total + p.key_json.size() + 2 + len[p.node]);
            }
            if (ok) d = 1 + md, l = total;
            break;
          }
          case NodeKind::Union: {
            for (uint32_t a : nd.alts)
              if (depth[a] < kInfDepth && better(depth[a], len[a], d, l)) d = depth[a], l = len[a], ch = a;
            break;
          }
        }
        if (d < kInfDepth && better(d, l, depth[i], len[i])) {
          depth[i] = d;
          len[i] = l;
          choice[i] = ch;
          changed = true;
        }
      }
    }
    if (depth[out_->root_] >= kInfDepth) throw Error("json schema: the schema admits no finite value");
    if (depth[out_->root_] > SchemaLimits::kMaxValueDepth)
      throw Error("json schema: the schema requires values nested deeper than " +
                  std::to_string(SchemaLimits::kMaxValueDepth) + " levels");
    if (len[out_->root_] > (1u << 20)) throw Error("json schema: the smallest value the schema admits is too large");
    // Nodes whose smallest instance is too deep or too large can never be
    // entered (the automaton checks min_depth before every push).
    for (size_t i = 0; i < n; ++i) {
      bool usable = depth[i] <= SchemaLimits::kMaxValueDepth && len[i] <= (1u << 20);
      ns[i].min_depth = usable ? depth[i] : kInfDepth;
      ns[i].satisfiable = usable;
    }
    std::vector<int8_t> built(n, 0);
    for (size_t i = 0; i < n; ++i)
      if (ns[i].satisfiable) build_instance(static_cast<uint32_t>(i), choice, built);
  }

  static int64_t int_min_instance(const SchemaNode& nd) {
    if (nd.min_value <= 0 && nd.max_value >= 0) return 0;
    return nd.min_value > 0 ? nd.min_value : nd.max_value;
  }

  const std::string& build_instance(uint32_t i, const std::vector<uint32_t>& choice, std::vector<int8_t>& built) {
    auto& ns = nodes();
    if (built[i]) return ns[i].min_instance;
    std::string out;
    const SchemaNode& nd = ns[i];
    switch (nd.kind) {
      case NodeKind::String: out = "\"" + std::string(nd.min_count, 'a') + "\""; break;
      case NodeKind::Number: out = "0"; break;
      case NodeKind::Integer: out = std::to_string(int_min_instance(nd)); break;
      case NodeKind::Map: out = "{}"; break;
      case NodeKind::Literal: out = nd.literals[choice[i]]; break;
      case NodeKind::Array: {
        out = "[";
        if (nd.min_count > 0) {
          const std::string& item = build_instance(nd.child, choice, built);
          for (uint32_t k = 0; k < nd.min_count; ++k) {
            if (k) out += ",";
            out += item;
          }
        }
        out += "]";
        break;
      }
      case NodeKind::Object: {
        out = "{";
        bool first = true;
        for (size_t k = 0; k < nd.props.size(); ++k) {
          if (!ns[i].props[k].required) continue;
          uint32_t child = ns[i].props[k].node;
          std::string key = ns[i].props[k].key_json;
          const std::string& v = build_instance(child, choice, built);
          if (!first) out += ",";
          first = false;
          out += key + ":" + v;
        }
        out += "}";
        break;
      }
      case NodeKind::Union: out = build_instance(choice[i], choice, built); break;
    }
    ns[i].min_instance = std::move(out);
    built[i] = 1;
    return ns[i].min_instance;
  }
};

std::shared_ptr<const JsonSchema> compile_json_schema(const nlohmann::json& schema) {
  ojson o;
  try {
    o = ojson::parse(schema.dump());
  } catch (const std::exception& e) {
    throw Error(std::string("json schema: cannot read schema: ") + e.what());
  }
  return SchemaCompiler(o).run();
}

std::shared_ptr<const JsonSchema> compile_json_schema_text(std::string_view text) {
  // Refuse absurd nesting before parsing (the parser itself is not depth-limited).
  int depth = 0;
  bool in_str = false, esc = false;
  for (char c : text) {
    if (in_str) {
      if (esc) esc = false;
      else if (c == '\\') esc = true;
      else if (c == '"') in_str = false;
    } else if (c == '"') {
      in_str = true;
    } else if (c == '{' || c == '[') {
      if (++depth > 4 * SchemaLimits::kMaxSchemaDepth) throw Error("json schema: schema nested too deeply");
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  ojson o;
  try {
    o = ojson::parse(text.begin(), text.end());
  } catch (const std::exception& e) {
    throw Error(std::string("json schema: not valid JSON: ") + e.what());
  }
  return SchemaCompiler(o).run();
}

std::shared_ptr<const JsonSchema> any_json_object_schema() {
  static const ojson empty = ojson::object();
  return SchemaCompiler(empty).any_object();
}

}  // namespace pocketops::chat
