// Batched curve fitting on the GPU: one thread per problem, the whole fit (variable-projection
// starts, Levenberg-Marquardt polish of each start, the l1 continuation) on the device. The
// per-problem code is fit::fit_one from cpp/include/frontierkit/fit.hpp, the function the CPU
// driver runs, so the CPU tests exercise the device logic. A thread keeps its problem's small
// matrices, its starts and (for problems of up to 64 points) the grid basis in local memory, so
// the launcher raises the per-thread stack to the kernel's frame when the default is smaller.
#include <cuda_runtime.h>

#include <stdexcept>
#include <string>

#include "fit_batch.hpp"

namespace frontierkit::cuda {

namespace {

void check(cudaError_t e, const char* what) {
    if (e != cudaSuccess) throw std::runtime_error(std::string("CUDA error in ") + what + ": " + cudaGetErrorString(e));
}

constexpr int kThreads = 128;

__global__ void __launch_bounds__(kThreads) fit_problems(fit::Batch b, fit::BatchOutput out) {
    const std::int64_t k = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
    if (k >= b.K) return;
    fit::fit_one(b, out, k);
}

}  // namespace

void fit_batch_device(const fit::Batch& b, const fit::BatchOutput& out, void* stream) {
    if (b.K <= 0) return;
    cudaFuncAttributes attr{};
    check(cudaFuncGetAttributes(&attr, fit_problems), "cudaFuncGetAttributes");
    std::size_t stack = 0;
    check(cudaDeviceGetLimit(&stack, cudaLimitStackSize), "cudaDeviceGetLimit");
    const std::size_t need = attr.localSizeBytes + 1024;
    if (stack < need) check(cudaDeviceSetLimit(cudaLimitStackSize, need), "cudaDeviceSetLimit");
    const auto s = static_cast<cudaStream_t>(stream);
    const std::int64_t blocks = (b.K + kThreads - 1) / kThreads;
    if (blocks > 2147483647LL) throw std::invalid_argument("too many problems for one launch");
    fit_problems<<<static_cast<unsigned>(blocks), kThreads, 0, s>>>(b, out);
    check(cudaGetLastError(), "fit_problems launch");
}

}  // namespace frontierkit::cuda
