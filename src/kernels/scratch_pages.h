// Page-granular memory for the kernels' per-thread scratch buffers
// (x86/scratch.inc), mapped and unmapped directly: a buffer that grows
// returns its old pages at once, and large blocks never pass through
// malloc, whose mmap threshold rises each time a large block is freed (the
// model's later buffers then stay on the heap: a 4096-token prompt peaked
// 20 MB higher when the AMX attention's buffer grew through malloc).
#pragma once
#include <cstddef>

namespace pocketops::kernels {

// bytes (a multiple of the page size) of zeroed, page-aligned memory, or
// nullptr when the system has none.
void* map_scratch(size_t bytes);
void unmap_scratch(void* p, size_t bytes);

}  // namespace pocketops::kernels
