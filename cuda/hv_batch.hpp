// Host-callable launcher of the batched CUDA hypervolume (no CUDA types in this header, so the
// pybind11 bindings build with the host compiler).
#pragma once

#include <cstdint>

namespace frontierkit::cuda {

// Exact hypervolume of every set, d = 1, 2 or 3 (std::invalid_argument otherwise), minimisation.
// points: device pointer, rows grouped by set (row-major, n_total x d), maximised objectives
// already negated. offsets: HOST array of nsets + 1 non-decreasing row offsets from 0 to n_total.
// ref: HOST array of d values. out: device array of nsets volumes. Only rows that strictly
// dominate ref count; a counted row with -inf, or +inf in ref, makes the set's volume +inf; a set
// with no counted row gets 0. Everything is queued on `stream` (scratch allocated and freed in
// stream order) and the call returns without waiting for the device.
void hypervolume_batch_device(const double* points, std::int64_t n_total, int d, const std::int64_t* offsets,
                              std::int64_t nsets, const double* ref, double* out, void* stream);

}  // namespace frontierkit::cuda
