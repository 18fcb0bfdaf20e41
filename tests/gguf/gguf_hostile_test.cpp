// Hostile and broken GGUF images: every one must end in a clear Error, never a
// crash, hang or huge allocation (this suite also runs under ASan/UBSan).
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "common/error.h"
#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"

using namespace pocketops::gguf;

namespace {

// Hand-assembles GGUF bytes so tests can write values no writer would.
struct Raw {
  std::vector<uint8_t> b;
  template <typename T>
  Raw& put(T v) {
    size_t n = b.size();
    b.resize(n + sizeof(T));
    std::memcpy(b.data() + n, &v, sizeof(T));
    return *this;
  }
  Raw& str(const std::string& s) {
    put<uint64_t>(s.size());
    b.insert(b.end(), s.begin(), s.end());
    return *this;
  }
  Raw& header(uint64_t n_tensors, uint64_t n_kv, uint32_t version = 3) {
    return put<uint32_t>(0x46554747).put<uint32_t>(version).put<uint64_t>(n_tensors).put<uint64_t>(n_kv);
  }
  Raw& pad(size_t align = 32) {
    while (b.size() % align) b.push_back(0);
    return *this;
  }
};

std::string error_of(const std::vector<uint8_t>& bytes) {
  try {
    File::from_bytes(bytes.data(), bytes.size(), "bad.gguf");
  } catch (const pocketops::Error& e) {
    return e.what();
  }
  return "";
}

std::vector<uint8_t> valid_file() {
  Writer w;
  w.set("general.architecture", make_string("lfm2"));
  w.set("tokenizer.ggml.tokens", make_string_array({"a", "b", "c"}));
  w.set("x.arr", make_i32_array({1, 2, 3}));
  w.add_tensor("w", TensorType::Q4_0, {64, 2}, std::vector<uint8_t>(18 * 4, 0x11));
  w.add_tensor("n", TensorType::F32, {8}, std::vector<uint8_t>(32, 0));
  return w.to_bytes();
}

}  // namespace

TEST(GgufHostile, EveryTruncationIsAnError) {
  auto good = valid_file();
  ASSERT_EQ(error_of(good), "");
  for (size_t n = 0; n < good.size(); ++n) {
    std::vector<uint8_t> cut(good.begin(), good.begin() + n);
    std::string err = error_of(cut);
    EXPECT_FALSE(err.empty()) << "prefix of " << n << " bytes was accepted";
    EXPECT_EQ(err.find('\n'), std::string::npos);
  }
}

TEST(GgufHostile, BadMagicAndVersion) {
  EXPECT_NE(error_of(Raw().put<uint32_t>(0x12345678).put<uint32_t>(3).put<uint64_t>(0).put<uint64_t>(0).b).find("magic"),
            std::string::npos);
  EXPECT_NE(error_of(Raw().header(0, 0, 1).b).find("version 1"), std::string::npos);
  EXPECT_NE(error_of(Raw().header(0, 0, 99).b).find("version 99"), std::string::npos);
  EXPECT_EQ(error_of(Raw().header(0, 0, 2).b), "");
}

TEST(GgufHostile, HugeCounts) {
  EXPECT_NE(error_of(Raw().header(1ull << 60, 0).b).find("tensor count"), std::string::npos);
  EXPECT_NE(error_of(Raw().header(0, ~0ull).b).find("metadata count"), std::string::npos);
}

TEST(GgufHostile, StringLength2Pow63) {
  Raw r;
  r.header(0, 1).put<uint64_t>(1ull << 63).put<uint64_t>(0);
  std::string e = error_of(r.b);
  EXPECT_NE(e.find("metadata key #0"), std::string::npos) << e;
  Raw v;
  v.header(0, 1).str("k").put<uint32_t>(8).put<uint64_t>(1ull << 63);
  e = error_of(v.b);
  EXPECT_NE(e.find("'k'"), std::string::npos) << e;
}

TEST(GgufHostile, ArrayLengthsAndNesting) {
  Raw a;
  a.header(0, 1).str("arr").put<uint32_t>(9).put<uint32_t>(4).put<uint64_t>(1ull << 62);
  EXPECT_NE(error_of(a.b).find("past the end"), std::string::npos);
  Raw s;
  s.header(0, 1).str("arr").put<uint32_t>(9).put<uint32_t>(8).put<uint64_t>(1ull << 40);
  EXPECT_NE(error_of(s.b).find("cannot fit"), std::string::npos);
  Raw deep;
  deep.header(0, 1).str("deep").put<uint32_t>(9);
  for (int i = 0; i < 20; ++i) deep.put<uint32_t>(9).put<uint64_t>(1);
  deep.put<uint32_t>(4).put<uint64_t>(0);
  for (int i = 0; i < 64; ++i) deep.put<uint8_t>(0);
  EXPECT_NE(error_of(deep.b).find("nested"), std::string::npos) << error_of(deep.b);
  Raw unk;
  unk.header(0, 1).str("k").put<uint32_t>(77);
  EXPECT_NE(error_of(unk.b).find("unknown value type 77"), std::string::npos);
  Raw unka;
  unka.header(0, 1).str("k").put<uint32_t>(9).put<uint32_t>(55).put<uint64_t>(0);
  EXPECT_NE(error_of(unka.b).find("unknown array element type"), std::string::npos);
}

TEST(GgufHostile, DuplicateKeys) {
  Raw r;
  r.header(0, 2).str("k").put<uint32_t>(4).put<uint32_t>(1).str("k").put<uint32_t>(4).put<uint32_t>(2);
  EXPECT_NE(error_of(r.b).find("duplicate metadata key 'k'"), std::string::npos);
}

namespace {
Raw one_tensor(const std::string& name, std::vector<uint64_t> dims, uint32_t type, uint64_t offset,
               size_t data_bytes) {
  Raw r;
  r.header(1, 0).str(name).put<uint32_t>(static_cast<uint32_t>(dims.size()));
  for (auto d : dims) r.put<uint64_t>(d);
  r.put<uint32_t>(type).put<uint64_t>(offset);
  r.pad();
  r.b.resize(r.b.size() + data_bytes, 0);
  return r;
}
}  // namespace

TEST(GgufHostile, TensorInfos) {
  EXPECT_EQ(error_of(one_tensor("t", {4}, 0, 0, 16).b), "");
  EXPECT_NE(error_of(one_tensor("t", std::vector<uint64_t>(100, 1), 0, 0, 16).b).find("n_dims 100"), std::string::npos);
  EXPECT_NE(error_of(one_tensor("t", {0}, 0, 0, 16).b).find("dimension 0 is 0"), std::string::npos);
  EXPECT_NE(error_of(one_tensor("t", {1ull << 30, 1ull << 30, 1ull << 30}, 0, 0, 16).b).find("overflow"),
            std::string::npos);
  EXPECT_NE(error_of(one_tensor("t", {4}, 200, 0, 16).b).find("unknown tensor type 200"), std::string::npos);
  EXPECT_NE(error_of(one_tensor("t", {4}, 0, 32, 16).b).find("outside the data section"), std::string::npos);
  EXPECT_NE(error_of(one_tensor("t", {4}, 0, 3, 64).b).find("not aligned"), std::string::npos);
  EXPECT_NE(error_of(one_tensor("t", {4}, 0, 1ull << 62, 16).b).find("outside"), std::string::npos);
  EXPECT_NE(error_of(one_tensor("t", {33}, 2, 0, 64).b).find("whole number"), std::string::npos);
  EXPECT_NE(error_of(one_tensor("t", {64}, 0, 0, 16).b).find("outside"), std::string::npos);
  Raw dup;
  dup.header(2, 0);
  for (int i = 0; i < 2; ++i) dup.str("same").put<uint32_t>(1).put<uint64_t>(4).put<uint32_t>(0).put<uint64_t>(0);
  dup.pad();
  dup.b.resize(dup.b.size() + 16);
  EXPECT_NE(error_of(dup.b).find("duplicate tensor 'same'"), std::string::npos);
}

TEST(GgufHostile, BadAlignment) {
  Raw r;
  r.header(0, 1).str("general.alignment").put<uint32_t>(4).put<uint32_t>(3);
  EXPECT_NE(error_of(r.b).find("alignment"), std::string::npos);
}

TEST(GgufHostile, RandomByteFlipsNeverCrash) {
  auto good = valid_file();
  uint32_t seed = 12345;
  for (int iter = 0; iter < 3000; ++iter) {
    auto bad = good;
    for (int k = 0; k < 4; ++k) {
      seed = seed * 1664525u + 1013904223u;
      bad[(seed >> 8) % bad.size()] = static_cast<uint8_t>(seed >> 24);
    }
    (void)error_of(bad);  // must either parse or throw Error; sanitizers catch the rest
  }
}
