// CUDA non-dominated sorting: tiled all-pairs dominance into bitsets plus front peeling, batched
// over sets. The per-element logic is in pareto_bitset.cuh (also run on the host by the tests).
// Work O(n^2 d) per set for the bitsets, O(n^2 / 32) words for all peeling passes together;
// memory n * ceil(n / 32) words per set.
#include <cuda_runtime.h>

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "pareto_bitset.cuh"
#include "pareto_bitset.hpp"

namespace frontierkit::cuda {

namespace {

void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess) throw std::runtime_error(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(e));
}

struct SetInfo {
    std::int64_t row_off;   // first row of the set
    std::int64_t n;         // rows in the set
    std::int64_t dom_off;   // first bitset word of the set's n x W block
    std::int64_t rem_off;   // first word of the set's remaining-rows bitset
};

__global__ void dominance_tiles(const double* __restrict__ pts, int d, const SetInfo* __restrict__ sets,
                                std::int64_t set0, std::uint32_t* __restrict__ dom, std::uint8_t* __restrict__ dup) {
    const SetInfo s = sets[set0 + blockIdx.z];
    const std::int64_t r0 = static_cast<std::int64_t>(blockIdx.x) * kTileRows;
    const std::int64_t c0 = static_cast<std::int64_t>(blockIdx.y) * kTileCols;
    if (r0 >= s.n || c0 >= s.n) return;  // uniform over the block
    __shared__ double rows[kTileRows][kDimChunk];
    const int t = threadIdx.x, lane = t & 31, warp = t >> 5;
    const std::int64_t j = c0 + t;
    const bool valid = j < s.n;
    const double* P = pts + s.row_off * d;
    std::uint64_t le_mask = ~0ULL, lt_mask = 0ULL;
    for (int k0 = 0; k0 < d; k0 += kDimChunk) {
        const int kc = min(kDimChunk, d - k0);
        for (int e = t; e < kTileRows * kDimChunk; e += blockDim.x) {
            const int r = e / kDimChunk, k = e % kDimChunk;
            rows[r][k] = (r0 + r < s.n && k < kc) ? P[(r0 + r) * d + k0 + k] : 0.0;
        }
        double pj[kDimChunk];
        for (int k = 0; k < kc; ++k) pj[k] = valid ? P[j * d + k0 + k] : 0.0;
        __syncthreads();
        for (int r = 0; r < kTileRows; ++r) {
            bool le = (le_mask >> r) & 1ULL, lt = (lt_mask >> r) & 1ULL;
            dom_accumulate(pj, rows[r], kc, le, lt);
            le_mask = le ? (le_mask | (1ULL << r)) : (le_mask & ~(1ULL << r));
            lt_mask = lt ? (lt_mask | (1ULL << r)) : lt_mask;
        }
        __syncthreads();
    }
    const std::int64_t W = words_for(s.n);
    const std::int64_t w = c0 / 32 + warp;
    for (int r = 0; r < kTileRows; ++r) {
        const std::int64_t i = r0 + r;
        if (i >= s.n) break;  // uniform over the block
        const bool le = (le_mask >> r) & 1ULL, lt = (lt_mask >> r) & 1ULL;
        const unsigned word = __ballot_sync(0xffffffffu, dominator_bit(valid, le, lt));
        const unsigned copies = __ballot_sync(0xffffffffu, earlier_copy_bit(valid, le, lt, j, i));
        if (lane == 0) {
            if (w < W) dom[s.dom_off + i * W + w] = word;
            if (copies) dup[s.row_off + i] = 1;
        }
    }
}

__global__ void init_rows(const SetInfo* __restrict__ sets, std::int64_t nsets, std::int64_t n_total,
                          std::int32_t* __restrict__ set_of_row, std::uint32_t* __restrict__ rem) {
    const std::int64_t g = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
    if (g >= n_total) return;
    std::int64_t lo = 0, hi = nsets;  // last set whose first row is <= g (skips empty sets)
    while (hi - lo > 1) {
        const std::int64_t mid = (lo + hi) / 2;
        (sets[mid].row_off <= g ? lo : hi) = mid;
    }
    set_of_row[g] = static_cast<std::int32_t>(lo);
    const std::int64_t i = g - sets[lo].row_off;
    atomicOr(rem + sets[lo].rem_off + i / 32, 1u << (i % 32));
}

__global__ void peel_pass(const std::uint32_t* __restrict__ dom, const SetInfo* __restrict__ sets,
                          const std::int32_t* __restrict__ set_of_row, const std::uint32_t* __restrict__ rem,
                          std::uint32_t* __restrict__ newly, std::int32_t* __restrict__ start,
                          std::int32_t* __restrict__ rank, std::int64_t n_total, std::int32_t front) {
    const std::int64_t g = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
    if (g >= n_total || rank[g] >= 0) return;
    const SetInfo s = sets[set_of_row[g]];
    const std::int64_t i = g - s.row_off, W = words_for(s.n);
    if (peel_is_front(dom + s.dom_off + i * W, rem + s.rem_off, W, start + g)) {
        rank[g] = front;
        atomicOr(newly + s.rem_off + i / 32, 1u << (i % 32));
    }
}

__global__ void retire(std::uint32_t* __restrict__ rem, std::uint32_t* __restrict__ newly, std::int64_t words,
                       unsigned long long* __restrict__ left) {
    const std::int64_t w = blockIdx.x * static_cast<std::int64_t>(blockDim.x) + threadIdx.x;
    if (w >= words) return;
    const std::uint32_t v = rem[w] & ~newly[w];
    rem[w] = v;
    newly[w] = 0;
    if (v) atomicAdd(left, static_cast<unsigned long long>(__popc(v)));
}

template <class T>
T* device_alloc(std::size_t count, cudaStream_t st) {
    void* p = nullptr;
    check(cudaMallocAsync(&p, std::max<std::size_t>(count, 1) * sizeof(T), st), "cudaMallocAsync");
    return static_cast<T*>(p);
}

}  // namespace

void pareto_rank_device(const double* points, std::int64_t n_total, int d, const std::int64_t* offsets,
                        std::int64_t nsets, std::int32_t* ranks, std::uint8_t* dup, bool first_front_only,
                        void* stream) {
    if (n_total == 0 || nsets == 0) return;
    cudaStream_t st = static_cast<cudaStream_t>(stream);
    std::vector<SetInfo> info(nsets);
    std::int64_t dom_words = 0, rem_words = 0, max_n = 0;
    for (std::int64_t s = 0; s < nsets; ++s) {
        const std::int64_t n = offsets[s + 1] - offsets[s];
        info[s] = {offsets[s], n, dom_words, rem_words};
        dom_words += n * words_for(n);
        rem_words += words_for(n);
        max_n = std::max(max_n, n);
    }
    SetInfo* d_sets = device_alloc<SetInfo>(nsets, st);
    std::uint32_t* dom = device_alloc<std::uint32_t>(dom_words, st);
    std::uint32_t* rem = device_alloc<std::uint32_t>(rem_words, st);
    std::uint32_t* newly = device_alloc<std::uint32_t>(rem_words, st);
    std::int32_t* start = device_alloc<std::int32_t>(n_total, st);
    std::int32_t* set_of_row = device_alloc<std::int32_t>(n_total, st);
    unsigned long long* left = device_alloc<unsigned long long>(1, st);
    unsigned long long* host_left = nullptr;
    check(cudaMallocHost(&host_left, sizeof(unsigned long long)), "cudaMallocHost");
    auto release = [&] {
        cudaFreeAsync(d_sets, st);
        cudaFreeAsync(dom, st);
        cudaFreeAsync(rem, st);
        cudaFreeAsync(newly, st);
        cudaFreeAsync(start, st);
        cudaFreeAsync(set_of_row, st);
        cudaFreeAsync(left, st);
        cudaStreamSynchronize(st);  // the pinned word may still be a copy target
        cudaFreeHost(host_left);
    };
    try {
        check(cudaMemcpyAsync(d_sets, info.data(), nsets * sizeof(SetInfo), cudaMemcpyHostToDevice, st), "copy sets");
        check(cudaMemsetAsync(newly, 0, rem_words * sizeof(std::uint32_t), st), "memset");
        check(cudaMemsetAsync(rem, 0, rem_words * sizeof(std::uint32_t), st), "memset");
        check(cudaMemsetAsync(start, 0, n_total * sizeof(std::int32_t), st), "memset");
        check(cudaMemsetAsync(dup, 0, n_total, st), "memset");
        check(cudaMemsetAsync(ranks, 0xff, n_total * sizeof(std::int32_t), st), "memset");  // -1
        const unsigned rows_blocks = static_cast<unsigned>((n_total + 255) / 256);
        init_rows<<<rows_blocks, 256, 0, st>>>(d_sets, nsets, n_total, set_of_row, rem);
        const unsigned gx = static_cast<unsigned>((max_n + kTileRows - 1) / kTileRows);
        const unsigned gy = static_cast<unsigned>((max_n + kTileCols - 1) / kTileCols);
        for (std::int64_t s0 = 0; s0 < nsets; s0 += 65535) {
            const unsigned gz = static_cast<unsigned>(std::min<std::int64_t>(65535, nsets - s0));
            dominance_tiles<<<dim3(gx, gy, gz), kTileCols, 0, st>>>(points, d, d_sets, s0, dom, dup);
        }
        check(cudaGetLastError(), "dominance kernel launch");
        const unsigned word_blocks = static_cast<unsigned>((rem_words + 255) / 256);
        for (std::int32_t front = 0;; ++front) {
            peel_pass<<<rows_blocks, 256, 0, st>>>(dom, d_sets, set_of_row, rem, newly, start, ranks, n_total, front);
            if (first_front_only) break;
            check(cudaMemsetAsync(left, 0, sizeof(unsigned long long), st), "memset");
            retire<<<word_blocks, 256, 0, st>>>(rem, newly, rem_words, left);
            check(cudaMemcpyAsync(host_left, left, sizeof(unsigned long long), cudaMemcpyDeviceToHost, st), "copy count");
            check(cudaStreamSynchronize(st), "peeling pass");
            if (*host_left == 0) break;
        }
        check(cudaGetLastError(), "peeling kernels");
    } catch (...) {
        release();
        throw;
    }
    release();
}

}  // namespace frontierkit::cuda

namespace frontierkit::cuda {

int device_count() {
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess) {
        cudaGetLastError();  // clear the sticky "no device" error
        return 0;
    }
    return count;
}

}  // namespace frontierkit::cuda
