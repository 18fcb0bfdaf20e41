// Broken, truncated and hostile model files through the CLI: exit code 1 and
// one line that says what is wrong — never a crash, hang or huge allocation.
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <functional>

#include "cli_support.h"
#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"
#include "synth/lfm2_synth.h"

using namespace pocketops;
using namespace pocketops::testing;

namespace {

const std::string& base_model() {
  static const std::string p = [] {
    std::string path = tmp_path("base.gguf");
    synth::write_synthetic_model(path, synth::synth_shape("tiny"), "q4_0", 3);
    return path;
  }();
  return p;
}

// Copies the base model, letting the test edit metadata / tensors on the way.
struct Mutation {
  std::function<void(const std::string& key, gguf::Value& v, bool& keep)> kv;
  std::function<void(gguf::TensorInfo& t, std::vector<uint8_t>& data, bool& keep)> tensor;
};

std::string mutated(const std::string& name, const Mutation& m) {
  auto f = gguf::File::open(base_model());
  gguf::Writer w;
  for (const auto& [k, v0] : f->metadata()) {
    gguf::Value v = v0;
    bool keep = true;
    if (m.kv) m.kv(k, v, keep);
    if (!keep) continue;
    // Re-own values read from the file so the writer can serialize them.
    if (v.type == gguf::ValueType::STRING) v = gguf::make_string(std::string(v.as_string()));
    else if (v.type == gguf::ValueType::ARRAY && v.elem_type == gguf::ValueType::STRING) {
      std::vector<std::string> s;
      for (uint64_t i = 0; i < v.size(); ++i) s.emplace_back(v.string_at(i));
      v = gguf::make_string_array(std::move(s));
    } else if (v.type == gguf::ValueType::ARRAY) {
      std::vector<int32_t> s;
      for (uint64_t i = 0; i < v.size(); ++i) s.push_back(static_cast<int32_t>(v.int_at(i)));
      v = gguf::make_i32_array(s);
    } else {
      gguf::Value o = v;
      o.owned = true;
      std::memcpy(o.inline_bytes, v.payload(), gguf::scalar_size(v.type));
      o.raw = nullptr;
      v = o;
    }
    w.set(k, v);
  }
  for (auto t : f->tensors()) {
    std::vector<uint8_t> data(t.data, t.data + t.nbytes);
    bool keep = true;
    if (m.tensor) m.tensor(t, data, keep);
    if (!keep) continue;
    std::vector<int64_t> ne(t.ne, t.ne + t.n_dims);
    w.add_tensor(t.name, t.type, ne, data);
  }
  std::string out = tmp_path(name + ".gguf");
  w.write(out);
  return out;
}

void expect_one_line_error(const std::string& model, const std::string& needle) {
  for (std::string cmd : {"generate -n 1 -p hi -m ", "run -n 1 -p hi -m "}) {
    auto r = cli(cmd + model);
    EXPECT_EQ(r.rc, 1) << cmd << model << "\n" << r.out;
    EXPECT_EQ(r.out.rfind("error: ", 0), 0u) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    EXPECT_NE(r.out.find(needle), std::string::npos) << "expected '" << needle << "' in: " << r.out;
  }
}

}  // namespace

TEST(HostileModel, BaseModelLoads) {
  auto r = cli("generate -n 2 -p hi -m " + base_model());
  EXPECT_EQ(r.rc, 0) << r.out;
}

TEST(HostileModel, WrongArchitecture) {
  auto p = mutated("arch", {[](const std::string& k, gguf::Value& v, bool&) {
                              if (k == "general.architecture") v = gguf::make_string("llama");
                            },
                            nullptr});
  expect_one_line_error(p, "architecture 'llama' is not supported");
}

TEST(HostileModel, MissingTensor) {
  auto p = mutated("missing", {nullptr, [](gguf::TensorInfo& t, std::vector<uint8_t>&, bool& keep) {
                                 keep = t.name != "blk.3.ffn_up.weight";
                               }});
  expect_one_line_error(p, "missing tensor 'blk.3.ffn_up.weight'");
}

TEST(HostileModel, MisShapedTensor) {
  auto p = mutated("shape", {nullptr, [](gguf::TensorInfo& t, std::vector<uint8_t>&, bool&) {
                               if (t.name == "blk.2.attn_k.weight") std::swap(t.ne[0], t.ne[1]);
                             }});
  expect_one_line_error(p, "tensor 'blk.2.attn_k.weight' has shape");
}

TEST(HostileModel, MetadataInconsistencies) {
  auto kv = mutated("kv", {[](const std::string& k, gguf::Value& v, bool&) {
                             if (k == "lfm2.attention.head_count_kv") v = gguf::make_i32_array({0, 0, 2});
                           },
                           nullptr});
  expect_one_line_error(kv, "head_count_kv");
  auto heads = mutated("heads", {[](const std::string& k, gguf::Value& v, bool&) {
                                   if (k == "lfm2.attention.head_count") v = gguf::make_u32(0);
                                 },
                                 nullptr});
  expect_one_line_error(heads, "head_count");
  auto nolayers = mutated("blocks", {[](const std::string& k, gguf::Value&, bool& keep) {
                                       keep = k != "lfm2.block_count";
                                     },
                                     nullptr});
  expect_one_line_error(nolayers, "missing metadata key 'lfm2.block_count'");
}

TEST(HostileModel, VocabAndMergesInconsistent) {
  auto merges = mutated("merges", {[](const std::string& k, gguf::Value& v, bool&) {
                                     if (k == "tokenizer.ggml.merges") v = gguf::make_string_array({"zz\xC4\xA0 qq"});
                                   },
                                   nullptr});
  auto r = cli("generate -n 1 -p hi -m " + merges);
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  auto toks = mutated("tokens", {[](const std::string& k, gguf::Value& v, bool&) {
                                   if (k == "tokenizer.ggml.tokens") v = gguf::make_string_array({"a", "b"});
                                 },
                                 nullptr});
  r = cli("generate -n 1 -p hi -m " + toks);
  EXPECT_EQ(r.rc, 1) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
}

TEST(HostileModel, TruncatedGarbageAndNonFiles) {
  std::ifstream in(base_model(), std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  for (size_t cut : {size_t{0}, size_t{3}, size_t{30}, bytes.size() / 3, bytes.size() - 1}) {
    std::string p = tmp_path("cut" + std::to_string(cut) + ".gguf");
    std::ofstream(p, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(cut));
    for (std::string cmd : {"info -m ", "generate -n 1 -p hi -m "}) {
      auto r = cli(cmd + p);
      EXPECT_EQ(r.rc, 1) << cut << ": " << r.out;
      EXPECT_EQ(r.out.rfind("error: ", 0), 0u) << r.out;
      EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    }
    std::remove(p.c_str());
  }
  std::string junk = tmp_path("junk.gguf");
  std::ofstream(junk, std::ios::binary) << std::string(4096, '\x7f');
  auto r = cli("info -m " + junk);
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.out.find("bad magic"), std::string::npos) << r.out;
  r = cli("info -m /tmp");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.out.find("not a regular file"), std::string::npos) << r.out;
  r = cli("info -m /nonexistent.gguf");
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.out.find("No such file"), std::string::npos) << r.out;
}

TEST(HostileModel, OversizedPromptAndContext) {
  auto r = cli("generate -n 1 --ctx 8 -p 'this prompt is certainly longer than eight tokens of context' -m " + base_model());
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.out.find("context"), std::string::npos) << r.out;
  r = cli("run -n 1 --ctx 999999999 -p hi -m " + base_model());
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.out.find("exceeds the model's trained context"), std::string::npos) << r.out;
}
