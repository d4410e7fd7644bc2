// Non-dominated sorting: first front, Pareto ranks, batched over sets. Minimisation throughout;
// the Python layer negates maximised objectives before calling in. Plain C++ (no Python).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "frontierkit/common.hpp"

namespace frontierkit::pareto {

// 0-based Pareto rank of every row of the row-major (n, d) array `pts`; equal rows get equal rank.
void pareto_rank(const double* pts, std::size_t n, std::size_t d, std::int32_t* ranks);

// mask[i] = 1 if row i is not dominated by any row. With keep_weakly = false only the first
// (lowest index) of several identical non-dominated rows is marked. Returns true (and leaves mask
// unspecified) when a row holds NaN: the screen costs no extra pass over the input.
bool nondominated(const double* pts, std::size_t n, std::size_t d, bool keep_weakly,
                  std::uint8_t* mask);

// Batched: set s is rows offsets[s] .. offsets[s+1]-1. `threads` <= 0 uses every core.
void pareto_rank_sets(const double* pts, std::size_t d, const index_t* offsets,
                      std::size_t nsets, std::int32_t* ranks, int threads);
bool nondominated_sets(const double* pts, std::size_t d, const index_t* offsets,
                       std::size_t nsets, bool keep_weakly, std::uint8_t* mask, int threads);

namespace detail {

// The algorithms below take m DISTINCT rows `u` (row-major, m x d) in lexicographic order.
// ranks: r[i] = rank of row i. front: nd[i] = 1 if row i is non-dominated.
void ranks_1d(std::size_t m, std::int32_t* r);
void front_1d(std::size_t m, std::uint8_t* nd);
void front_2d_sweep(const double* u, std::size_t m, std::uint8_t* nd);
// All ranks in d = 3 by binary search over per-front staircases; false (r unspecified) when the
// staircases need more than O(m log m) moves, and the caller must use ranks_jfb.
bool ranks_3d_staircase(const double* u, std::size_t m, std::int32_t* r);
// First front in d = 3: the lexicographic sweep over a blocked staircase.
void front_3d(const double* u, std::size_t m, std::uint8_t* nd);
// All ranks in d = 2 of rows in any order, duplicates included (n < 2^32).
void ranks_2d(const double* pts, std::size_t n, std::int32_t* ranks);
// Jensen-Fortin-Buzdalov divide and conquer, d >= 2. With first_front_only, r is 0/1 (dominated).
void ranks_jfb(const double* u, std::size_t m, std::size_t d, std::int32_t* r,
               bool first_front_only);

// Rows of pts that are not strictly dominated by a few pivot rows chosen by smallest coordinate
// sum; the non-dominated rows and every duplicate of them always survive. Returns their indices.
std::vector<index_t> pivot_prefilter(const double* pts, std::size_t n, std::size_t d);

// Dense rank of the values v[0..m) (equal values share a rank); returns the number of ranks.
std::size_t dense_ranks(const double* v, std::size_t m, std::size_t stride, std::int32_t* out);

}  // namespace detail
}  // namespace frontierkit::pareto
