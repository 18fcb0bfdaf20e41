// Which kernel sets this build and CPU offer: the scalar reference always and
// last, the ISA's SIMD sets where the CPU has them, so the SIMD-vs-scalar
// tests in this folder never pass by having nothing to compare.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "kernels/dispatch.h"

#if defined(__aarch64__)
#include <sys/auxv.h>
#endif
#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace pocketops::kernels {
namespace {

std::set<std::string> names() {
  std::set<std::string> s;
  for (const KernelSet* k : available_kernel_sets()) s.insert(k->name);
  return s;
}

TEST(KernelSets, ScalarLastAndNamesUnique) {
  const auto sets = available_kernel_sets();
  ASSERT_FALSE(sets.empty());
  EXPECT_EQ(sets.back()->name, "scalar");
  EXPECT_EQ(names().size(), sets.size());
}

TEST(KernelSets, TheCpusSimdSetsAreOffered) {
  const auto n = names();
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    EXPECT_TRUE(n.count("avx2"));
  }
  if (__builtin_cpu_supports("avx512vnni")) {
    EXPECT_TRUE(n.count("avx512vnni"));
  }
  // AVX-VNNI (CPUID.(7,1):EAX bit 4, sub-leaf 1 present): the avxvnni set, with avx2 beside it
  unsigned a = 0, b = 0, c = 0, d = 0;
  const bool leaf71 = __get_cpuid_count(7, 0, &a, &b, &c, &d) && a >= 1;
  const bool avx_vnni = leaf71 && __get_cpuid_count(7, 1, &a, &b, &c, &d) && (a & (1u << 4)) != 0;
  if (avx_vnni && n.count("avx2")) {
    EXPECT_TRUE(n.count("avxvnni"));
  }
  if (n.count("avxvnni")) {
    EXPECT_TRUE(avx_vnni);
    EXPECT_TRUE(n.count("avx2"));
  }
  EXPECT_FALSE(n.count("neon"));
  // amx is the avx512 set with AMX tiles on top: never offered without it
  if (n.count("amx")) {
    EXPECT_TRUE(n.count("avx512"));
  }
#elif defined(__aarch64__)
  EXPECT_TRUE(n.count("neon")) << "every aarch64 CPU has Advanced SIMD";
  const bool dotprod = (getauxval(AT_HWCAP) & (1ul << 20)) != 0;  // HWCAP_ASIMDDP
  EXPECT_EQ(n.count("neon-dotprod") == 1, dotprod);
  EXPECT_FALSE(n.count("avx2"));
#else
  EXPECT_EQ(n.size(), 1u);
#endif
}

TEST(KernelSets, EverySimdSetCoversTheModelTypes) {
  using gguf::TensorType;
  for (const KernelSet* k : available_kernel_sets()) {
    if (k->name == "scalar") continue;
    for (TensorType t : {TensorType::F32, TensorType::F16, TensorType::BF16, TensorType::Q4_0, TensorType::Q8_0,
                         TensorType::Q4_K, TensorType::Q5_K, TensorType::Q6_K})
      EXPECT_NE(k->vec_dot[static_cast<int>(t)], nullptr) << k->name << " " << gguf::type_name(t);
    for (TensorType t : {TensorType::F16, TensorType::Q8_0, TensorType::Q8_K})
      EXPECT_NE(k->quantize[static_cast<int>(t)], nullptr) << k->name << " " << gguf::type_name(t);
  }
}

TEST(KernelSets, AmxNoteNamesAHiddenOrUngrantedAmxOnly) {
  AmxFacts f;
  f.intel = true;
  f.family = 6;
  for (int model : {0x8F, 0xCF, 0xAD, 0xAE}) {  // Sapphire, Emerald, Granite Rapids
    f.model = model;
    const std::string hidden = amx_note(f);
    EXPECT_NE(hidden.find("does not report it"), std::string::npos) << hidden;
    EXPECT_NE(hidden.find("prefill"), std::string::npos) << hidden;
    f.in_cpuid = true;
    EXPECT_NE(amx_note(f).find("OS kernel"), std::string::npos) << amx_note(f);
    f.usable = true;
    EXPECT_EQ(amx_note(f), "") << "AMX in use: nothing to say";
    f.in_cpuid = f.usable = false;
  }
  f.model = 0x6A;  // Ice Lake Xeon: no AMX to miss
  EXPECT_EQ(amx_note(f), "");
  f.model = 0xCF;
  f.intel = false;  // the same numbers on another vendor mean something else
  EXPECT_EQ(amx_note(f), "");
  // on this host: empty whenever the amx set is in use
  if (amx_kernels()) {
    EXPECT_EQ(unused_cpu_features(), "");
  }
}

}  // namespace
}  // namespace pocketops::kernels
