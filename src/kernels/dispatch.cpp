// Kernel set registry and CPU-feature based selection.
#include "kernels/dispatch.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "common/error.h"
#include "kernels/quantize.h"
#include "kernels/vec_dot.h"

namespace pocketops::kernels {

using gguf::TensorType;

namespace {

template <TensorType T>
float scalar_dot(int64_t n, const void* w, const void* a) {
  return vec_dot_scalar(T, n, w, a);
}
template <TensorType T>
void scalar_quant(const float* x, void* dst, int64_t n) {
  quantize_row(T, x, dst, n);
}

KernelSet make_scalar() {
  KernelSet k;
  k.name = "scalar";
#define PO_T(t) k.vec_dot[static_cast<int>(TensorType::t)] = scalar_dot<TensorType::t>;
  PO_T(F32) PO_T(F16) PO_T(BF16) PO_T(Q4_0) PO_T(Q4_1) PO_T(Q5_0) PO_T(Q5_1) PO_T(Q8_0)
  PO_T(Q2_K) PO_T(Q3_K) PO_T(Q4_K) PO_T(Q5_K) PO_T(Q6_K)
#undef PO_T
#define PO_Q(t) k.quantize[static_cast<int>(TensorType::t)] = scalar_quant<TensorType::t>;
  PO_Q(F32) PO_Q(F16) PO_Q(BF16) PO_Q(Q8_0) PO_Q(Q8_1) PO_Q(Q8_K)
#undef PO_Q
  return k;
}

const KernelSet* g_active = nullptr;
std::once_flag g_once;

void choose() {
  auto sets = available_kernel_sets();
  g_active = sets.front();
  const char* env = std::getenv("POCKETOPS_KERNELS");
  if (!env || !*env) return;
  for (const KernelSet* s : sets) {
    if (s->name == env) {
      g_active = s;
      return;
    }
  }
  // A misspelt or unsupported set is not silently ignored: the user asked for something.
  std::string names;
  for (const KernelSet* s : sets) names += " " + s->name;
  std::fprintf(stderr, "pocketops: POCKETOPS_KERNELS=%s is not a kernel set this CPU can run (available:%s); using %s\n",
               env, names.c_str(), g_active->name.c_str());
}

}  // namespace

#if !(defined(__x86_64__) || defined(_M_X64))
// Non-x86 builds compile no x86/ sources: no x86 sets.
const KernelSet* avx2_kernels() { return nullptr; }
const KernelSet* avxvnni_kernels() { return nullptr; }
const KernelSet* avx512vnni_kernels() { return nullptr; }
const KernelSet* avx512_kernels() { return nullptr; }
const KernelSet* amx_kernels() { return nullptr; }
const KernelSet* avx512_dpbf16_kernels() { return nullptr; }
#endif
#if !defined(__aarch64__)
// Only aarch64 builds compile the arm/ sources.
const KernelSet* neon_kernels() { return nullptr; }
const KernelSet* neon_dotprod_kernels() { return nullptr; }
#endif

std::string amx_note(const AmxFacts& f) {
  if (!f.intel || f.usable) return {};
  constexpr const char* kGain = "; prefill would run ~1.5-2x faster with it";
  if (f.in_cpuid)
    return std::string("the CPU has AMX but the OS kernel does not grant processes its tile state (Linux 5.16 or "
                       "later does)") + kGain;
  // Xeons with AMX: Sapphire Rapids (model 0x8F), Emerald Rapids (0xCF),
  // Granite Rapids (0xAD, 0xAE); a VM usually reports the host's model.
  const int m = f.model;
  if (f.family != 6 || (m != 0x8F && m != 0xCF && m != 0xAD && m != 0xAE)) return {};
  return std::string("this Xeon generation has AMX, but this machine does not report it (a VM whose hypervisor "
                     "hides it? another instance type or VM CPU model may pass it through)") + kGain;
}

#if !(defined(__x86_64__) || defined(_M_X64))
std::string unused_cpu_features() { return {}; }
#endif

const KernelSet* make_kernel_set(const char* name, void (*fill)(KernelSet&)) {
  auto* k = new KernelSet();  // never freed: sets are used until exit
  k->name = name;
  fill(*k);
  return k;
}

const KernelSet& scalar_kernels() {
  static const KernelSet k = make_scalar();
  return k;
}

std::vector<const KernelSet*> available_kernel_sets() {
  std::vector<const KernelSet*> v;
  if (const KernelSet* k = amx_kernels()) v.push_back(k);
  if (const KernelSet* k = avx512_kernels()) v.push_back(k);
  if (const KernelSet* k = avx512vnni_kernels()) v.push_back(k);
  if (const KernelSet* k = avxvnni_kernels()) v.push_back(k);
  if (const KernelSet* k = avx2_kernels()) v.push_back(k);
  if (const KernelSet* k = neon_dotprod_kernels()) v.push_back(k);
  if (const KernelSet* k = neon_kernels()) v.push_back(k);
  v.push_back(&scalar_kernels());
  return v;
}

const KernelSet& active_kernels() {
  std::call_once(g_once, choose);
  return *g_active;
}

QuantizeFn activation_quantizer(const KernelSet& ks, TensorType at) {
  const int i = static_cast<int>(at);
  if (i < 0 || i >= kMaxTypes) return nullptr;
  return ks.quantize[i] ? ks.quantize[i] : scalar_kernels().quantize[i];
}

void set_active_kernels(const std::string& name) {
  std::call_once(g_once, choose);
  for (const KernelSet* s : available_kernel_sets()) {
    if (s->name == name) {
      g_active = s;
      return;
    }
  }
  std::string names;
  for (const KernelSet* s : available_kernel_sets()) names += " " + s->name;
  throw Error("kernel set '" + name + "' is not available on this CPU (available:" + names + ")");
}

}  // namespace pocketops::kernels
