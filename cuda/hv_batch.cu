// Batched exact hypervolume on the GPU for d = 1, 2, 3: one warp per set, the set's counted rows
// staged in shared memory (global scratch for sets too large for it), a bitonic sort by x (2-D) or z
// (3-D) and a one-lane sweep. The per-set logic is in hv_batch.cuh (also run on the host by
// the tests). Made for many small sets (1e4 - 1e5 sets of ~100 rows); a single large set runs on
// one warp and is better left to the CPU.
#include <cuda_runtime.h>

#include <algorithm>
#include <climits>
#include <stdexcept>
#include <string>
#include <vector>

#include "hv_batch.cuh"
#include "hv_batch.hpp"

namespace frontierkit::cuda {

namespace {

void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess) throw std::runtime_error(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(e));
}

constexpr int kWarpsMax = 8;
// Dynamic shared memory a block may use without opting in on every architecture we build for.
constexpr std::int64_t kSharedBudget = 48 * 1024;
// Sets whose slot fits this run kWarpsMax to a block; larger ones that still fit the budget get
// a launch of their own with fewer warps a block, so that a few of them in a batch do not cut
// the occupancy of all the small sets.
constexpr std::int64_t kSmallSlot = kSharedBudget / kWarpsMax;

struct Ref {
    double v[3];
};

// Which sets one launch handles and where their slots are. A set of n rows works in its warp's
// slice of shared memory (slices of hv_slot_bytes(cap) bytes) when shared_min < n <= shared_max,
// in global scratch when n > global_min, and is left to the other launch otherwise.
struct Sets {
    const std::int64_t* offsets;      // device, nsets + 1; null when every set has `stride` rows
    std::int64_t stride;
    std::int64_t cap;
    std::int64_t shared_min, shared_max, global_min;
    unsigned char* scratch;
    const std::int64_t* scratch_off;  // device, per set; null when every set has `stride` rows
};

template <int D>
__global__ void __launch_bounds__(kWarpsMax * 32)
    hv_sets(const double* __restrict__ pts, std::int64_t nsets, Sets sets, Ref ref, double* __restrict__ out) {
    extern __shared__ __align__(16) unsigned char smem[];
    const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
    const std::int64_t s = static_cast<std::int64_t>(blockIdx.x) * (blockDim.x >> 5) + warp;
    if (s >= nsets) return;  // uniform over the warp, and no block-wide barrier follows
    std::int64_t r0 = s * sets.stride, rows = sets.stride;
    if (sets.offsets) {
        r0 = sets.offsets[s];
        rows = sets.offsets[s + 1] - r0;
    }
    const bool global = rows > sets.global_min;
    if (!global && (rows <= sets.shared_min || rows > sets.shared_max)) return;  // the other launch's
    const std::int32_t n = static_cast<std::int32_t>(rows);  // the launcher checks the range
    const double* P = pts + r0 * D;

    HvSlot slot{};
    if constexpr (D >= 2) {
        unsigned char* base = global ? sets.scratch + (sets.scratch_off ? sets.scratch_off[s] : s * hv_slot_bytes(n, D))
                                     : smem + warp * hv_slot_bytes(sets.cap, D);
        slot = hv_slot(base, n, D);
    }

    // Screen and compact: lane l takes row b + l; the ballot keeps counted rows in input order.
    std::int32_t m = 0;
    bool unbounded = false;
    double low = ref.v[0];  // d = 1: the volume is ref - the lowest counted row
    for (std::int32_t b = 0; b < n; b += 32) {
        const std::int32_t i = b + lane;
        double p[D] = {};
        bool keep = false, inf = false;
        if (i < n) {
            for (int k = 0; k < D; ++k) p[k] = P[static_cast<std::int64_t>(i) * D + k];
            keep = hv_row_counts(p, ref.v, D, &inf);
        }
        const unsigned kept = __ballot_sync(0xffffffffu, keep);
        const bool any_inf = __any_sync(0xffffffffu, inf);  // called by every lane, every round
        unbounded = unbounded || any_inf;
        if (keep) {
            if constexpr (D == 1) {
                low = fmin(low, p[0]);
            } else {
                const std::int32_t at = m + __popc(kept & ((1u << lane) - 1u));
                for (int k = 0; k < D; ++k) slot.col[k][at] = p[k];
            }
        }
        m += __popc(kept);
    }
    if (m == 0 || unbounded) {
        if (lane == 0) out[s] = m == 0 ? 0.0 : hv_infinity();
        return;
    }
    if constexpr (D == 1) {
        for (int w = 16; w > 0; w >>= 1) low = fmin(low, __shfl_xor_sync(0xffffffffu, low, w));
        if (lane == 0) out[s] = ref.v[0] - low;
    } else {
        const double* key = slot.col[hv_key_column(D)];
        const std::int32_t p2 = static_cast<std::int32_t>(hv_pow2(m));
        for (std::int32_t t = lane; t < p2; t += 32) slot.order[t] = t;
        __syncwarp();  // also orders the compaction's writes before the sort reads them
        for (std::int32_t k = 2; k <= p2; k <<= 1)
            for (std::int32_t j = k >> 1; j > 0; j >>= 1) {
                for (std::int32_t t = lane; t < p2 / 2; t += 32) hv_bitonic_exchange(slot.order, key, m, k, j, t);
                __syncwarp();
            }
        if (lane == 0) {
            if constexpr (D == 2)
                out[s] = hv2d_sweep(slot.col[0], slot.col[1], slot.order, m, ref.v);
            else
                out[s] = hv3d_sweep(slot.col[0], slot.col[1], slot.col[2], slot.order, m, ref.v, slot.stair_x,
                                    slot.stair_y);
        }
    }
}

template <class T>
T* device_alloc(std::size_t count, cudaStream_t st) {
    void* p = nullptr;
    check(cudaMallocAsync(&p, std::max<std::size_t>(count, 1) * sizeof(T), st), "cudaMallocAsync");
    return static_cast<T*>(p);
}

// Largest n whose slot takes at most `bytes` (slot sizes grow with n).
std::int64_t rows_within(std::int64_t bytes, int d) {
    std::int64_t lo = 0, hi = INT32_MAX / 2;
    while (lo < hi) {
        const std::int64_t mid = lo + (hi - lo + 1) / 2;
        if (hv_slot_bytes(mid, d) <= bytes)
            lo = mid;
        else
            hi = mid - 1;
    }
    return lo;
}

}  // namespace

void hypervolume_batch_device(const double* points, std::int64_t n_total, int d, const std::int64_t* offsets,
                              std::int64_t nsets, const double* ref, double* out, void* stream) {
    if (d < 1 || d > 3) throw std::invalid_argument("the CUDA hypervolume handles d = 1, 2 or 3 only");
    if (nsets <= 0) return;
    if (offsets[0] != 0 || offsets[nsets] != n_total)
        throw std::invalid_argument("offsets must start at 0 and end at the number of rows");
    cudaStream_t st = static_cast<cudaStream_t>(stream);

    // Size classes (d = 1 needs no slot: one class, all "small").
    const std::int64_t small_max = d == 1 ? INT64_MAX : rows_within(kSmallSlot, d);
    const std::int64_t shared_max = d == 1 ? INT64_MAX : rows_within(kSharedBudget, d);
    const std::int64_t stride = offsets[1] - offsets[0];
    bool uniform = true;
    std::int64_t cap_small = -1, cap_medium = -1, big_bytes = 0;
    std::vector<std::int64_t> scratch_off;
    for (std::int64_t s = 0; s < nsets; ++s) {
        const std::int64_t n = offsets[s + 1] - offsets[s];
        if (n < 0) throw std::invalid_argument("offsets must be non-decreasing");
        if (n > INT32_MAX / 2) throw std::invalid_argument("a set has too many rows for the CUDA hypervolume");
        uniform = uniform && n == stride;
        if (n <= small_max) {
            cap_small = std::max(cap_small, n);
        } else if (n <= shared_max) {
            cap_medium = std::max(cap_medium, n);
        } else {
            if (scratch_off.empty()) scratch_off.assign(nsets, -1);
            scratch_off[s] = big_bytes;  // with uniform sets this is s * hv_slot_bytes(stride)
            big_bytes += hv_slot_bytes(n, d);
        }
    }

    std::int64_t* d_offsets = nullptr;
    std::int64_t* d_scratch_off = nullptr;
    unsigned char* scratch = nullptr;
    auto release = [&] {
        // Stream-ordered: freed once the kernels are done, without waiting for them here.
        if (d_offsets) cudaFreeAsync(d_offsets, st);
        if (d_scratch_off) cudaFreeAsync(d_scratch_off, st);
        if (scratch) cudaFreeAsync(scratch, st);
    };
    try {
        Sets sets{nullptr, stride, 0, -1, small_max, shared_max, nullptr, nullptr};
        if (!uniform) {
            d_offsets = device_alloc<std::int64_t>(nsets + 1, st);
            check(cudaMemcpyAsync(d_offsets, offsets, (nsets + 1) * sizeof(std::int64_t), cudaMemcpyHostToDevice, st),
                  "copy offsets");
            sets.offsets = d_offsets;
        }
        if (big_bytes > 0) {
            scratch = device_alloc<unsigned char>(big_bytes, st);
            sets.scratch = scratch;
            if (!uniform) {
                d_scratch_off = device_alloc<std::int64_t>(nsets, st);
                check(cudaMemcpyAsync(d_scratch_off, scratch_off.data(), nsets * sizeof(std::int64_t),
                                      cudaMemcpyHostToDevice, st),
                      "copy scratch offsets");
                sets.scratch_off = d_scratch_off;
            }
        }
        Ref r{{0.0, 0.0, 0.0}};
        for (int k = 0; k < d; ++k) r.v[k] = ref[k];
        auto launch = [&](const Sets& which) {
            const std::int64_t slot = hv_slot_bytes(which.cap, d);
            const int warps =
                slot == 0 ? kWarpsMax : static_cast<int>(std::clamp<std::int64_t>(kSharedBudget / slot, 1, kWarpsMax));
            const std::int64_t blocks = (nsets + warps - 1) / warps;
            if (blocks > INT32_MAX) throw std::invalid_argument("too many sets for one launch");
            const dim3 grid(static_cast<unsigned>(blocks)), block(32 * warps);
            const std::size_t shared = static_cast<std::size_t>(slot) * warps;
            if (d == 1)
                hv_sets<1><<<grid, block, 0, st>>>(points, nsets, which, r, out);
            else if (d == 2)
                hv_sets<2><<<grid, block, shared, st>>>(points, nsets, which, r, out);
            else
                hv_sets<3><<<grid, block, shared, st>>>(points, nsets, which, r, out);
            check(cudaGetLastError(), "hypervolume kernel launch");
        };
        if (cap_small >= 0 || big_bytes > 0) {  // small sets in shared memory, large ones in scratch
            sets.cap = std::max<std::int64_t>(cap_small, 0);
            launch(sets);
        }
        if (cap_medium >= 0) {  // the sets between: shared memory, fewer warps a block
            sets.cap = cap_medium;
            sets.shared_min = small_max;
            sets.shared_max = shared_max;
            sets.global_min = INT64_MAX;
            launch(sets);
        }
    } catch (...) {
        release();
        throw;
    }
    release();
}

}  // namespace frontierkit::cuda
