// Host-callable launchers of the Monte Carlo hypervolume kernels (no CUDA types here, so the
// pybind11 bindings build with the host compiler). Every pointer is device memory the caller
// owns; everything is queued on `stream` and the calls return without waiting for the device.
// The per-sample logic is frontierkit/hv_approx.hpp's (shared with the CPU estimators), and
// cpp/bindings/cuda_logic.cpp runs the same decomposition on the host for the tests.
#pragma once

#include <cstdint>

namespace frontierkit::cuda {

// The largest d the kernels take (their per-thread scratch is fixed).
constexpr int kMcMaxD = 64;
// Threads per block of the sampling kernels; each (set, replicate) gets `blocks` blocks.
constexpr int kMcThreads = 128;

// Sets of counted rows, sorted within each set by decreasing box volume (row-major, n_total x d),
// offsets nsets + 1 (device). lo (nsets x d), cdf (n_total), log_box and log_sum (nsets) are
// filled by mc_prepare_device, one thread per non-empty set.
struct McSets {
    const double* pts;
    const std::int64_t* offsets;
    std::int64_t nsets;
    int d;
    const double* ref;  // device, d values
    double* lo;
    double* cdf;
    double* log_box;
    double* log_sum;
};

void mc_prepare_device(const McSets& s, void* stream);

// Sample sums of every (set, replicate): out[(set * R + k) * 3 + {0, 1, 2}] = sum z, sum z^2 and
// the rows examined, over samples 0 .. count[set] - 1 of estimator est[set] (0 box, 1 union;
// sets with count 0 get zeros). kind 0: the main stream (set << 2 | est), kind 2: the pilot's
// (set << 2 | 2 + est). replicates > 1: quasi-Monte Carlo, replicate k's lattice shifted by the
// uniforms of stream 0x40000000 | set, counter k. Thread t of block b takes samples b T + t +
// j B T (T threads, B blocks) and sums them in order; a block's thread sums are added in thread
// order, and the B block sums of a (set, replicate) in block order by a second kernel, into
// `part` (device scratch of nsets * R * blocks * 3 doubles) and then `out`.
void mc_sums_device(const McSets& s, const std::int64_t* count, const int* est, std::uint64_t seed, int kind,
                    int replicates, int blocks, double* part, double* out, void* stream);

// Exclusive contributions, rows of every set as they are (counted rows only): logv[i] = log
// vol of row i's sampling box [p_i, hi_i] (-inf when empty), hi (n_total x d); then miss[i]
// (int64, zeroed by the caller) = the samples of n_samples that no other row of the set
// dominates, sample t of row i from stream 0x80000000 | set, counter i * 2^32 + t (i counted
// within its set).
void hvc_boxes_device(const double* pts, const std::int64_t* offsets, const std::int64_t* row_set,
                      std::int64_t n_total, int d, const double* ref, double* hi, double* logv, void* stream);
void hvc_miss_device(const double* pts, const std::int64_t* offsets, const std::int64_t* row_set, std::int64_t n_total,
                     int d, const double* hi, const double* logv, std::uint64_t seed, std::int64_t n_samples,
                     int blocks, std::int64_t* miss, void* stream);

}  // namespace frontierkit::cuda
