// Host-callable launcher of the CUDA non-dominated sorting (no CUDA types in this header, so the
// pybind11 bindings build with the host compiler).
#pragma once

#include <cstdint>

namespace frontierkit::cuda {

// points: device pointer, rows grouped by set (row-major, n_total x d). offsets: HOST array of
// nsets + 1 row offsets. ranks (int32) and dup (uint8, 1 = an identical earlier row exists in the
// set): device outputs of n_total entries. With first_front_only, rows outside front 0 get -1.
// Everything runs on `stream`; the only host waits are on that stream (to learn how many rows
// are still unranked between peeling passes).
void pareto_rank_device(const double* points, std::int64_t n_total, int d, const std::int64_t* offsets,
                        std::int64_t nsets, std::int32_t* ranks, std::uint8_t* dup, bool first_front_only,
                        void* stream);

// Number of usable CUDA devices (0 when there is no driver or no device).
int device_count();

}  // namespace frontierkit::cuda
