// Monte Carlo hypervolume on the GPU: the samples of the CPU estimators (the same Philox
// streams, the same per-sample functions of frontierkit/hv_approx.hpp), spread over blocks of
// kMcThreads threads, many blocks per (set, replicate). Sums are formed in a fixed order (each
// thread's samples in order, a block's threads in order, a set's blocks in order), so a seed gives
// the same estimate on every run and every GPU; the box estimator's sums are counts, equal to the
// CPU's exactly, the union estimator's agree with them to rounding.
#include <cuda_runtime.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "frontierkit/hv_approx.hpp"
#include "hv_mc.hpp"

namespace frontierkit::cuda {

namespace {

namespace mc = frontierkit::mc;

void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess) throw std::runtime_error(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(e));
}

// Roberts' lattice increments for m = d (box) and d + 1 (union) coordinates, passed by value.
struct Alpha {
    double box[kMcMaxD];
    double uni[kMcMaxD + 1];
};

__device__ mc::SetView set_view(const McSets& s, std::int64_t set) {
    const std::int64_t a = s.offsets[set];
    return mc::SetView{s.pts + a * s.d, s.offsets[set + 1] - a, s.d, s.lo + set * s.d, s.ref, s.cdf + a};
}

__global__ void mc_prepare(McSets s) {
    const std::int64_t set = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (set >= s.nsets) return;
    const std::int64_t a = s.offsets[set], n = s.offsets[set + 1] - a;
    if (n == 0) return;
    mc::prepare_set(s.pts + a * s.d, n, s.d, s.ref, s.lo + set * s.d, s.cdf + a, s.log_box + set, s.log_sum + set);
}

__global__ void __launch_bounds__(kMcThreads)
    mc_sums(McSets s, const std::int64_t* __restrict__ count, const int* __restrict__ est, std::uint64_t seed, int kind,
            int replicates, int blocks, Alpha alpha, double* __restrict__ part) {
    __shared__ double sums[kMcThreads * 3];
    const std::int64_t g = blockIdx.x;
    const int b = static_cast<int>(g % blocks);
    const std::int64_t sr = g / blocks, set = sr / replicates;
    const int k = static_cast<int>(sr % replicates);
    double mine[3] = {0.0, 0.0, 0.0};
    const std::int64_t n = count[set];
    if (n > 0) {
        const mc::SetView v = set_view(s, set);
        const int e = est[set];
        const int m = s.d + (e == mc::kEstBox ? 0 : 1);
        double r[kMcMaxD + 1], u[kMcMaxD], shift[kMcMaxD + 1];
        const double* sh = nullptr;
        if (replicates > 1) {
            mc::uniforms(seed, mc::kQmcShift | static_cast<std::uint32_t>(set), static_cast<std::uint64_t>(k), m, shift);
            sh = shift;
        }
        const auto stream = static_cast<std::uint32_t>(set << 2) | static_cast<std::uint32_t>(kind + e);
        mc::thread_sums(v, e, seed, stream, n, static_cast<std::int64_t>(b) * kMcThreads + threadIdx.x,
                        static_cast<std::int64_t>(blocks) * kMcThreads, sh, e == mc::kEstBox ? alpha.box : alpha.uni,
                        r, u, mine);
    }
    for (int c = 0; c < 3; ++c) sums[threadIdx.x * 3 + c] = mine[c];
    __syncthreads();
    if (threadIdx.x == 0) {
        double t[3] = {0.0, 0.0, 0.0};
        for (int i = 0; i < kMcThreads; ++i)
            for (int c = 0; c < 3; ++c) t[c] += sums[i * 3 + c];
        for (int c = 0; c < 3; ++c) part[g * 3 + c] = t[c];
    }
}

__global__ void mc_reduce(const double* __restrict__ part, std::int64_t nsr, int blocks, double* __restrict__ out) {
    const std::int64_t sr = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (sr >= nsr) return;
    double t[3] = {0.0, 0.0, 0.0};
    for (int b = 0; b < blocks; ++b)
        for (int c = 0; c < 3; ++c) t[c] += part[(sr * blocks + b) * 3 + c];
    for (int c = 0; c < 3; ++c) out[sr * 3 + c] = t[c];
}

__global__ void hvc_boxes(const double* __restrict__ pts, const std::int64_t* __restrict__ offsets,
                          const std::int64_t* __restrict__ row_set, std::int64_t n_total, int d,
                          const double* __restrict__ ref, double* __restrict__ hi, double* __restrict__ logv) {
    const std::int64_t i = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (i >= n_total) return;
    const std::int64_t a = offsets[row_set[i]];
    logv[i] = mc::exclusive_box(pts + a * d, offsets[row_set[i] + 1] - a, d, i - a, ref, hi + i * d);
}

__global__ void __launch_bounds__(kMcThreads)
    hvc_miss(const double* __restrict__ pts, const std::int64_t* __restrict__ offsets,
             const std::int64_t* __restrict__ row_set, int d, const double* __restrict__ hi,
             const double* __restrict__ logv, std::uint64_t seed, std::int64_t n_samples, int blocks,
             unsigned long long* __restrict__ miss) {
    __shared__ unsigned long long total;
    const std::int64_t g = blockIdx.x;
    const int b = static_cast<int>(g % blocks);
    const std::int64_t row = g / blocks;
    if (isinf(logv[row])) return;  // uniform over the block: an empty box has no samples
    if (threadIdx.x == 0) total = 0;
    __syncthreads();
    const std::int64_t set = row_set[row], a = offsets[set];
    double r[kMcMaxD], u[kMcMaxD];
    const std::int64_t mine =
        mc::thread_misses(pts + a * d, offsets[set + 1] - a, d, row - a, hi + row * d, seed,
                          static_cast<std::uint32_t>(set), n_samples, static_cast<std::int64_t>(b) * kMcThreads + threadIdx.x,
                          static_cast<std::int64_t>(blocks) * kMcThreads, r, u);
    if (mine) atomicAdd(&total, static_cast<unsigned long long>(mine));
    __syncthreads();
    if (threadIdx.x == 0 && total) atomicAdd(miss + row, total);
}

unsigned grid_for(std::int64_t items, int per_block) {
    const std::int64_t g = (items + per_block - 1) / per_block;
    if (g > 2147483647LL) throw std::invalid_argument("too much work for one launch");
    return static_cast<unsigned>(g);
}

void check_d(int d) {
    if (d < 1 || d > kMcMaxD) throw std::invalid_argument("the CUDA Monte Carlo hypervolume takes 1 to 64 objectives");
}

}  // namespace

void mc_prepare_device(const McSets& s, void* stream) {
    check_d(s.d);
    if (s.nsets == 0) return;
    mc_prepare<<<grid_for(s.nsets, 128), 128, 0, static_cast<cudaStream_t>(stream)>>>(s);
    check(cudaGetLastError(), "mc_prepare launch");
}

void mc_sums_device(const McSets& s, const std::int64_t* count, const int* est, std::uint64_t seed, int kind,
                    int replicates, int blocks, double* part, double* out, void* stream) {
    check_d(s.d);
    if (replicates < 1 || blocks < 1) throw std::invalid_argument("replicates and blocks must be positive");
    const std::int64_t nsr = s.nsets * replicates;
    if (nsr == 0) return;
    Alpha alpha{};
    const std::vector<double> ab = mc::lattice_alpha(s.d), au = mc::lattice_alpha(s.d + 1);
    for (int j = 0; j < s.d; ++j) alpha.box[j] = ab[static_cast<std::size_t>(j)];
    for (int j = 0; j <= s.d; ++j) alpha.uni[j] = au[static_cast<std::size_t>(j)];
    const auto st = static_cast<cudaStream_t>(stream);
    mc_sums<<<grid_for(nsr * blocks, 1), kMcThreads, 0, st>>>(s, count, est, seed, kind, replicates, blocks, alpha,
                                                               part);
    check(cudaGetLastError(), "mc_sums launch");
    mc_reduce<<<grid_for(nsr, 128), 128, 0, st>>>(part, nsr, blocks, out);
    check(cudaGetLastError(), "mc_reduce launch");
}

void hvc_boxes_device(const double* pts, const std::int64_t* offsets, const std::int64_t* row_set,
                      std::int64_t n_total, int d, const double* ref, double* hi, double* logv, void* stream) {
    check_d(d);
    if (n_total == 0) return;
    hvc_boxes<<<grid_for(n_total, 128), 128, 0, static_cast<cudaStream_t>(stream)>>>(pts, offsets, row_set, n_total,
                                                                                       d, ref, hi, logv);
    check(cudaGetLastError(), "hvc_boxes launch");
}

void hvc_miss_device(const double* pts, const std::int64_t* offsets, const std::int64_t* row_set, std::int64_t n_total,
                     int d, const double* hi, const double* logv, std::uint64_t seed, std::int64_t n_samples,
                     int blocks, std::int64_t* miss, void* stream) {
    check_d(d);
    if (n_total == 0) return;
    if (blocks < 1) throw std::invalid_argument("blocks must be positive");
    hvc_miss<<<grid_for(n_total * blocks, 1), kMcThreads, 0, static_cast<cudaStream_t>(stream)>>>(
        pts, offsets, row_set, d, hi, logv, seed, n_samples, blocks, reinterpret_cast<unsigned long long*>(miss));
    check(cudaGetLastError(), "hvc_miss launch");
}

}  // namespace frontierkit::cuda
