// Memory read bandwidth probe: the decode roofline of this machine, measured
// in the same process and minute as a benchmark (a shared host's bandwidth
// moves too much for a fixed figure).
#pragma once
#include <cstddef>

#include "kernels/thread_pool.h"

namespace pocketops::kernels {

// Streams a freshly allocated buffer of `bytes` (well above the last-level
// cache) on every thread of the pool, `passes` times, with the widest loads
// this CPU has (KernelSet::read_sum of the best set); returns the best pass
// in GB/s (1e9 bytes). The buffer is freed before returning.
double read_bandwidth_gbs(ThreadPool& pool, size_t bytes = size_t(256) << 20, int passes = 5);

}  // namespace pocketops::kernels
