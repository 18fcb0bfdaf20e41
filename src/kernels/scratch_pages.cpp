// map_scratch / unmap_scratch: anonymous mappings on Linux, aligned_alloc
// elsewhere.
#include "kernels/scratch_pages.h"

#include <cstdlib>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace pocketops::kernels {

void* map_scratch(size_t bytes) {
#if defined(__linux__)
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? nullptr : p;
#else
  return std::aligned_alloc(4096, bytes);
#endif
}

void unmap_scratch(void* p, size_t bytes) {
#if defined(__linux__)
  munmap(p, bytes);
#else
  (void)bytes;
  std::free(p);
#endif
}

}  // namespace pocketops::kernels
