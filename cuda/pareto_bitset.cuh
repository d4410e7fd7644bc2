// Per-element logic of the CUDA non-dominated sorting, shared by the device kernels
// (pareto_bitset.cu) and by a host replica in _core that runs the same grid on the CPU, so the
// logic is tested on machines without a GPU.
//
// Method: all-pairs dominance in tiles (kTileRows rows x kTileCols candidate dominators per
// block, objectives streamed in chunks of kDimChunk through shared memory) packed into one
// bitset row per point ("which rows of my set dominate me"), then front peeling: in pass k a
// still-unranked row joins front k iff none of its dominators is still unranked. Each row keeps
// the first bitset word that still holds an unranked dominator, so the scans over all passes
// cost O(n^2 / 32) words in total. Batched: every set has its own bitsets; one launch serves all.
#pragma once

#include <cstdint>

#if defined(__CUDACC__)
#define FK_HD __host__ __device__ __forceinline__
#else
#define FK_HD inline
#endif

namespace frontierkit::cuda {

constexpr int kTileRows = 64;
constexpr int kTileCols = 256;
constexpr int kDimChunk = 8;

FK_HD std::int64_t words_for(std::int64_t n) { return (n + 31) / 32; }

// Fold objectives [0, kc) of candidate pj against row pi into the running flags:
// le = pj <= pi in every objective so far, lt = pj < pi in some objective so far.
FK_HD void dom_accumulate(const double* pj, const double* pi, int kc, bool& le, bool& lt) {
    for (int k = 0; k < kc; ++k) {
        le = le && (pj[k] <= pi[k]);
        lt = lt || (pj[k] < pi[k]);
    }
}

// Candidate j dominates row i.
FK_HD bool dominator_bit(bool valid, bool le, bool lt) { return valid && le && lt; }

// Candidate j is an identical copy of row i that comes before it.
FK_HD bool earlier_copy_bit(bool valid, bool le, bool lt, std::int64_t j, std::int64_t i) {
    return valid && le && !lt && j < i;
}

// Row i (bitset row `dom`, W words) belongs to the current front iff no bit of dom & rem is set.
// *start is the first word that may still hold an unranked dominator; it only moves forward.
FK_HD bool peel_is_front(const std::uint32_t* dom, const std::uint32_t* rem, std::int64_t W,
                         std::int32_t* start) {
    for (std::int64_t w = *start; w < W; ++w)
        if (dom[w] & rem[w]) {
            *start = static_cast<std::int32_t>(w);
            return false;
        }
    *start = static_cast<std::int32_t>(W);
    return true;
}

}  // namespace frontierkit::cuda
