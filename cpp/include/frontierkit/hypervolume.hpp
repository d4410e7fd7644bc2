// Exact hypervolume, exclusive contributions and improvement (minimisation): the hypervolume is
// the measure of the union of the boxes [p, ref] over the rows p that strictly dominate ref.
// Plain C++ (no Python); the Python layer negates maximised objectives (and their reference
// values) before calling in.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "frontierkit/common.hpp"

namespace frontierkit::hv {

// Hypervolume of the (n, d) row-major points with reference ref[0..d). +inf when a row that
// strictly dominates ref has -inf somewhere or ref has +inf somewhere (and some row counts); NaN
// when a row holds NaN (the Python layer turns that into its error).
// `threads` <= 0 uses every core (only the d >= 5 algorithms use more than one).
double hypervolume(const double* pts, std::size_t n, std::size_t d, const double* ref, int threads = 1);

// Batched: set s is rows offsets[s] .. offsets[s+1]-1; out[s] its hypervolume. `threads` <= 0
// uses every core.
void hypervolume_sets(const double* pts, std::size_t d, const index_t* offsets, std::size_t nsets,
                      const double* ref, double* out, int threads);

// Exclusive contribution of every row, out[0..n): the measure covered by the row's box and by no
// other row's box. Rows that do not strictly dominate ref, weakly dominated rows and duplicated
// rows contribute 0. Infinite coordinates: +inf exactly when the row's exclusive region is
// unbounded.
void contributions(const double* pts, std::size_t n, std::size_t d, const double* ref, double* out,
                   int threads);

// For each of the m candidate rows, the hypervolume it would add to the n rows of pts on its own:
// HV(pts + {c}) - HV(pts).
void improvement(const double* pts, std::size_t n, const double* cand, std::size_t m, std::size_t d,
                 const double* ref, double* out, int threads);

namespace detail {

// The algorithms take m >= 1 rows (row-major, m x d) that are all finite and all strictly dominate
// the finite ref; rows may be dominated by or equal to others.
double hv2d(const double* rows, std::size_t m, const double* ref);
double hv3d(const double* rows, std::size_t m, const double* ref);
double hv4d(const double* rows, std::size_t m, const double* ref);
// Any d >= 2 (d >= 5 is where it is used); `threads` <= 0 uses every core.
double hv_wfg(const double* rows, std::size_t m, std::size_t d, const double* ref, int threads);

// Exclusive contributions, out[0..m): 0 for a row that another row weakly dominates (so each of
// two equal rows gets 0). Same preconditions on the rows as above.
void hvc2d(const double* rows, std::size_t m, const double* ref, double* out);
void hvc3d(const double* rows, std::size_t m, const double* ref, double* out);
void hvc4d(const double* rows, std::size_t m, const double* ref, double* out);
void hvc_wfg(const double* rows, std::size_t m, std::size_t d, const double* ref, double* out, int threads);

}  // namespace detail

}  // namespace frontierkit::hv
