// Host replica of the CUDA non-dominated sorting grid (cuda/pareto_bitset.cu): the same tiles,
// the same per-element functions from cuda/pareto_bitset.cuh, a warp ballot emulated by packing
// 32 lanes, and the same peeling passes. It exists so tests check the device logic on machines
// without a GPU; it holds O(n^2) bits like the device code and is not a user-facing path.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "../../cuda/pareto_bitset.cuh"
#include "frontierkit/common.hpp"

namespace py = pybind11;
namespace fc = frontierkit::cuda;
using frontierkit::index_t;

namespace {

void replica(const double* pts, std::size_t d, const index_t* off, std::size_t nsets, bool first_only,
             std::int32_t* rank, std::uint8_t* dup) {
    for (std::size_t s = 0; s < nsets; ++s) {
        const std::int64_t n = off[s + 1] - off[s];
        const std::int64_t W = fc::words_for(n);
        const double* P = pts + off[s] * d;
        std::vector<std::uint32_t> dom(static_cast<std::size_t>(n * W), 0);
        for (std::int64_t r0 = 0; r0 < n; r0 += fc::kTileRows)
            for (std::int64_t c0 = 0; c0 < n; c0 += fc::kTileCols)
                for (int t = 0; t < fc::kTileCols; ++t) {
                    const std::int64_t j = c0 + t;
                    const bool valid = j < n;
                    for (int r = 0; r < fc::kTileRows && r0 + r < n; ++r) {
                        const std::int64_t i = r0 + r;
                        bool le = true, lt = false;
                        for (std::size_t k0 = 0; k0 < d; k0 += fc::kDimChunk) {
                            const int kc = static_cast<int>(std::min<std::size_t>(fc::kDimChunk, d - k0));
                            if (valid) fc::dom_accumulate(P + j * d + k0, P + i * d + k0, kc, le, lt);
                        }
                        if (fc::dominator_bit(valid, le, lt)) dom[i * W + j / 32] |= 1u << (j % 32);
                        if (fc::earlier_copy_bit(valid, le, lt, j, i)) dup[off[s] + i] = 1;
                    }
                }
        std::vector<std::uint32_t> rem(W, 0), newly(W, 0);
        for (std::int64_t i = 0; i < n; ++i) rem[i / 32] |= 1u << (i % 32);
        std::vector<std::int32_t> start(n, 0);
        std::int32_t* rk = rank + off[s];
        std::fill(rk, rk + n, -1);
        std::int64_t left = n;
        for (std::int32_t front = 0; left > 0; ++front) {
            for (std::int64_t i = 0; i < n; ++i)
                if (rk[i] < 0 && fc::peel_is_front(dom.data() + i * W, rem.data(), W, &start[i])) {
                    rk[i] = front;
                    newly[i / 32] |= 1u << (i % 32);
                }
            left = 0;
            for (std::int64_t w = 0; w < W; ++w) {
                rem[w] &= ~newly[w];
                newly[w] = 0;
                left += __builtin_popcount(rem[w]);
            }
            if (first_only) break;
        }
    }
}

}  // namespace

void register_cuda_logic(py::module_& m) {
    m.def(
        "cuda_logic_pareto_rank",
        [](const py::array_t<double, py::array::c_style>& pts,
           const py::array_t<index_t, py::array::c_style>& offsets, bool first_front_only) {
            if (pts.ndim() != 2 || offsets.ndim() != 1 || offsets.shape(0) < 1)
                throw std::invalid_argument("points must be 2-D and offsets 1-D");
            const std::size_t n = pts.shape(0);
            if (offsets.at(0) != 0 || offsets.at(offsets.shape(0) - 1) != static_cast<index_t>(n))
                throw std::invalid_argument("offsets must start at 0 and end at the number of rows");
            py::array_t<std::int32_t> rank(static_cast<py::ssize_t>(n));
            py::array_t<std::uint8_t> dup(static_cast<py::ssize_t>(n));
            std::fill(dup.mutable_data(), dup.mutable_data() + n, 0);
            replica(pts.data(), pts.shape(1), offsets.data(), offsets.shape(0) - 1, first_front_only,
                    rank.mutable_data(), dup.mutable_data());
            return py::make_tuple(rank, dup);
        },
        py::arg("points").noconvert(), py::arg("offsets").noconvert(), py::arg("first_front_only"),
        "Host replica of the CUDA sorting grid (for tests): (ranks, has_earlier_copy).");
}
