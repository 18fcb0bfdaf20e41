// aarch64 CPU feature checks (the kernel's HWCAP bits) and the neon_kernels() /
// neon_dotprod_kernels() hooks: dot-product code runs only when the CPU has SDOT.
#if defined(__aarch64__)
#include <sys/auxv.h>

#include "kernels/arm/arm_sets.h"
#include "kernels/dispatch.h"

#ifndef HWCAP_ASIMD
#define HWCAP_ASIMD (1 << 1)
#endif
#ifndef HWCAP_ASIMDDP
#define HWCAP_ASIMDDP (1 << 20)
#endif

namespace pocketops::kernels {

namespace {

bool has(unsigned long bit) { return (getauxval(AT_HWCAP) & bit) != 0; }

}  // namespace

const KernelSet* neon_kernels() {
  static const KernelSet* k = has(HWCAP_ASIMD) ? make_kernel_set("neon", arm::fill_neon_kernels) : nullptr;
  return k;
}

const KernelSet* neon_dotprod_kernels() {
  static const KernelSet* k = has(HWCAP_ASIMD) && has(HWCAP_ASIMDDP)
                                  ? make_kernel_set("neon-dotprod", arm::fill_neon_dotprod_kernels)
                                  : nullptr;
  return k;
}

}  // namespace pocketops::kernels
#endif
