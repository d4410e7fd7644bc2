// Host-callable launcher of the batched CUDA curve fitter (no CUDA types in this header, so the
// pybind11 bindings build with the host compiler).
#pragma once

#include "frontierkit/fit.hpp"

namespace frontierkit::cuda {

// Fits the K problems of `b` on the device: every pointer in `b` (x, y, w, lo, hi, fixed, base,
// starts) and in `out` is device memory; b.base and b.starts may be null. The same per-problem
// function as the CPU driver (fit::fit_one), one thread per problem. Queued on `stream`; returns
// without waiting for the device.
void fit_batch_device(const fit::Batch& b, const fit::BatchOutput& out, void* stream);

}  // namespace frontierkit::cuda
