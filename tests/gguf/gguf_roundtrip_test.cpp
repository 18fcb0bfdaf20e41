// GGUF writer -> reader round trip of every metadata type and tensor layout.
#include <gtest/gtest.h>

#include "gguf/gguf_reader.h"
#include "gguf/gguf_writer.h"

using namespace pocketops::gguf;

TEST(GgufRoundTrip, MetadataAndTensors) {
  Writer w;
  w.set("general.architecture", make_string("lfm2"));
  w.set("a.u32", make_u32(7));
  w.set("a.i32", make_i32(-3));
  w.set("a.u64", make_u64(1ull << 40));
  w.set("a.f32", make_f32(1.5f));
  w.set("a.bool", make_bool(true));
  w.set("a.ints", make_i32_array({0, 0, 2, 0}));
  w.set("a.strs", make_string_array({"x", "", "hello"}));
  Value nested;
  nested.type = ValueType::ARRAY;
  nested.elem_type = ValueType::ARRAY;
  nested.owned = true;
  nested.arrays = {make_i32_array({1, 2}), make_i32_array({3})};
  nested.count = 2;
  w.set("a.nested", nested);
  std::vector<uint8_t> t1(4 * 6);
  for (size_t i = 0; i < t1.size(); ++i) t1[i] = static_cast<uint8_t>(i);
  w.add_tensor("t1", TensorType::F32, {3, 2}, t1);
  w.add_tensor("t2", TensorType::Q8_0, {32}, std::vector<uint8_t>(34, 1));
  auto bytes = w.to_bytes();
  auto f = File::from_bytes(bytes.data(), bytes.size());
  EXPECT_EQ(f->version(), 3u);
  EXPECT_EQ(f->get_string("general.architecture"), "lfm2");
  EXPECT_EQ(f->get_int("a.u32"), 7);
  EXPECT_EQ(f->get_int("a.i32"), -3);
  EXPECT_EQ(f->get("a.u64").as_uint(), 1ull << 40);
  EXPECT_FLOAT_EQ(f->get_float("a.f32", 0), 1.5f);
  EXPECT_TRUE(f->get_bool("a.bool", false));
  const Value& ints = f->get("a.ints");
  ASSERT_EQ(ints.size(), 4u);
  EXPECT_EQ(ints.int_at(2), 2);
  const Value& strs = f->get("a.strs");
  EXPECT_EQ(strs.string_at(2), "hello");
  EXPECT_EQ(strs.string_at(1), "");
  const Value& nv = f->get("a.nested");
  ASSERT_EQ(nv.size(), 2u);
  EXPECT_EQ(nv.array_at(0).int_at(1), 2);
  EXPECT_EQ(nv.array_at(1).int_at(0), 3);
  ASSERT_EQ(f->tensors().size(), 2u);
  const TensorInfo* ti = f->find_tensor("t1");
  ASSERT_NE(ti, nullptr);
  EXPECT_EQ(ti->ne[0], 3);
  EXPECT_EQ(ti->ne[1], 2);
  EXPECT_EQ(ti->nbytes, 24u);
  EXPECT_EQ(ti->data[5], 5);
  EXPECT_EQ(f->find_tensor("t2")->offset % 32, 0u);
  EXPECT_EQ(f->find_tensor("nope"), nullptr);
}

TEST(GgufRoundTrip, CustomAlignment) {
  Writer w(64);
  w.add_tensor("a", TensorType::F32, {3}, std::vector<uint8_t>(12, 0));
  w.add_tensor("b", TensorType::F32, {3}, std::vector<uint8_t>(12, 0));
  auto bytes = w.to_bytes();
  auto f = File::from_bytes(bytes.data(), bytes.size());
  EXPECT_EQ(f->alignment(), 64u);
  EXPECT_EQ(f->data_offset() % 64, 0u);
  EXPECT_EQ(f->find_tensor("b")->offset, 64u);
}
