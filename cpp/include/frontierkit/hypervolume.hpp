// Exact hypervolume (minimisation): the measure of the union of the boxes [p, ref] over the rows p
// that strictly dominate ref. Plain C++ (no Python); the Python layer negates maximised
// objectives (and their reference values) before calling in.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "frontierkit/common.hpp"

namespace frontierkit::hv {

// Hypervolume of the (n, d) row-major points with reference ref[0..d). +inf when a row that
// strictly dominates ref has -inf somewhere or ref has +inf somewhere (and some row counts).
double hypervolume(const double* pts, std::size_t n, std::size_t d, const double* ref);

// Batched: set s is rows offsets[s] .. offsets[s+1]-1; out[s] its hypervolume. `threads` <= 0
// uses every core.
void hypervolume_sets(const double* pts, std::size_t d, const index_t* offsets, std::size_t nsets,
                      const double* ref, double* out, int threads);

namespace detail {

// The algorithms take m rows (row-major, m x d) that all strictly dominate ref and are finite;
// they may reorder the rows in place.
double hv2d(double* rows, std::size_t m, const double* ref);
double hv3d(double* rows, std::size_t m, const double* ref);
double hv_wfg(double* rows, std::size_t m, std::size_t d, const double* ref);

}  // namespace detail

}  // namespace frontierkit::hv
