// Host replicas of the CUDA kernels, so tests check the device logic on machines without a GPU;
// they are not user-facing paths.
// - Non-dominated sorting (cuda/pareto_bitset.cu): the same tiles, the same per-element functions
//   from cuda/pareto_bitset.cuh, a warp ballot emulated by packing 32 lanes, and the same peeling
//   passes; it holds O(n^2) bits like the device code.
// - Batched hypervolume (cuda/hv_batch.cu): per set, the warp's steps one lane at a time with the
//   functions of cuda/hv_batch.cuh: screening and compaction, the same bitonic network, the same
//   sweep, in a slot laid out as on the device.
// - Monte Carlo hypervolume (cuda/hv_mc.cu): the same per-set preparation, every thread's sums
//   of every block, added in the device's order (threads of a block, then blocks of a set), and
//   the contribution kernels' boxes and miss counts.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "../../cuda/hv_batch.cuh"
#include "../../cuda/hv_mc.hpp"
#include "../../cuda/pareto_bitset.cuh"
#include "frontierkit/common.hpp"
#include "frontierkit/hv_approx.hpp"

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

void hv_batch_replica(const double* pts, int d, const index_t* off, std::size_t nsets, const double* ref,
                      double* out) {
    std::vector<double> buf;  // a slot, 8-byte aligned like the device's
    for (std::size_t s = 0; s < nsets; ++s) {
        const std::int64_t n = off[s + 1] - off[s];
        const double* P = pts + off[s] * d;
        buf.assign(static_cast<std::size_t>((fc::hv_slot_bytes(n, d) + 7) / 8), 0.0);
        const fc::HvSlot slot = fc::hv_slot(reinterpret_cast<unsigned char*>(buf.data()), n, d);
        // The warp's ballot compaction keeps counted rows in input order, as this loop does.
        std::int32_t m = 0;
        bool unbounded = false;
        double low = ref[0];
        for (std::int64_t i = 0; i < n; ++i) {
            bool inf = false;
            if (!fc::hv_row_counts(P + i * d, ref, d, &inf)) continue;
            unbounded = unbounded || inf;
            if (d == 1)
                low = std::min(low, P[i]);
            else
                for (int k = 0; k < d; ++k) slot.col[k][m] = P[i * d + k];
            ++m;
        }
        if (m == 0 || unbounded) {
            out[s] = m == 0 ? 0.0 : fc::hv_infinity();
            continue;
        }
        if (d == 1) {
            out[s] = ref[0] - low;
            continue;
        }
        const double* key = slot.col[fc::hv_key_column(d)];
        const std::int32_t p2 = static_cast<std::int32_t>(fc::hv_pow2(m));
        for (std::int32_t t = 0; t < p2; ++t) slot.order[t] = t;
        for (std::int32_t k = 2; k <= p2; k <<= 1)
            for (std::int32_t j = k >> 1; j > 0; j >>= 1)
                for (std::int32_t t = 0; t < p2 / 2; ++t) fc::hv_bitonic_exchange(slot.order, key, m, k, j, t);
        out[s] = d == 2 ? fc::hv2d_sweep(slot.col[0], slot.col[1], slot.order, m, ref)
                        : fc::hv3d_sweep(slot.col[0], slot.col[1], slot.col[2], slot.order, m, ref, slot.stair_x,
                                         slot.stair_y);
    }
}

using Doubles = py::array_t<double, py::array::c_style>;
using Ints = py::array_t<index_t, py::array::c_style>;

void check_mc(const Doubles& pts, const Ints& offsets, const Doubles& ref) {
    if (pts.ndim() != 2 || offsets.ndim() != 1 || offsets.shape(0) < 1 || ref.ndim() != 1 ||
        ref.shape(0) != pts.shape(1))
        throw std::invalid_argument("points must be 2-D, offsets 1-D and ref of length d");
    if (offsets.at(0) != 0 || offsets.at(offsets.shape(0) - 1) != pts.shape(0))
        throw std::invalid_argument("offsets must start at 0 and end at the number of rows");
    if (pts.shape(1) < 1 || pts.shape(1) > fc::kMcMaxD) throw std::invalid_argument("d must be 1 to 64");
}

py::tuple mc_prepare_replica(const Doubles& pts, const Ints& offsets, const Doubles& ref) {
    check_mc(pts, offsets, ref);
    const int d = static_cast<int>(pts.shape(1));
    const py::ssize_t nsets = offsets.shape(0) - 1;
    Doubles lo({nsets, static_cast<py::ssize_t>(d)}), cdf(pts.shape(0)), log_box(nsets), log_sum(nsets);
    std::fill(lo.mutable_data(), lo.mutable_data() + nsets * d, 0.0);
    std::fill(log_box.mutable_data(), log_box.mutable_data() + nsets, 0.0);
    std::fill(log_sum.mutable_data(), log_sum.mutable_data() + nsets, 0.0);
    for (py::ssize_t s = 0; s < nsets; ++s) {
        const index_t a = offsets.at(s), n = offsets.at(s + 1) - a;
        if (n > 0)
            frontierkit::mc::prepare_set(pts.data() + a * d, n, d, ref.data(), lo.mutable_data() + s * d,
                                         cdf.mutable_data() + a, log_box.mutable_data() + s,
                                         log_sum.mutable_data() + s);
    }
    return py::make_tuple(lo, cdf, log_box, log_sum);
}

Doubles mc_sums_replica(const Doubles& pts, const Ints& offsets, const Doubles& ref, const Doubles& lo,
                        const Doubles& cdf, const Ints& count, const py::array_t<int, py::array::c_style>& est,
                        std::uint64_t seed, int kind, int replicates, int blocks) {
    namespace mc = frontierkit::mc;
    check_mc(pts, offsets, ref);
    const int d = static_cast<int>(pts.shape(1));
    const py::ssize_t nsets = offsets.shape(0) - 1;
    if (replicates < 1 || blocks < 1) throw std::invalid_argument("replicates and blocks must be positive");
    if (count.shape(0) != nsets || est.shape(0) != nsets || lo.size() != nsets * d || cdf.shape(0) != pts.shape(0))
        throw std::invalid_argument("count, est, lo and cdf must match the sets");
    const std::vector<double> ab = mc::lattice_alpha(d), au = mc::lattice_alpha(d + 1);
    Doubles out({nsets * replicates, static_cast<py::ssize_t>(3)});
    double* o = out.mutable_data();
    std::vector<double> r(d + 1), u(d), shift(d + 1), part(static_cast<std::size_t>(blocks) * 3);
    for (py::ssize_t set = 0; set < nsets; ++set)
        for (int k = 0; k < replicates; ++k) {
            const index_t a = offsets.at(set);
            const mc::SetView v{pts.data() + a * d, offsets.at(set + 1) - a, d, lo.data() + set * d, ref.data(),
                                cdf.data() + a};
            const index_t n = count.at(set);
            const int e = est.at(set), m = d + (e == mc::kEstBox ? 0 : 1);
            if (replicates > 1 && n > 0)
                mc::uniforms(seed, mc::kQmcShift | static_cast<std::uint32_t>(set), static_cast<std::uint64_t>(k), m,
                             shift.data());
            const auto stream = static_cast<std::uint32_t>(set << 2) | static_cast<std::uint32_t>(kind + e);
            for (int b = 0; b < blocks; ++b) {  // a block: its threads' sums added in thread order
                double t[3] = {0.0, 0.0, 0.0};
                for (int th = 0; th < fc::kMcThreads; ++th) {
                    double mine[3] = {0.0, 0.0, 0.0};
                    if (n > 0)
                        mc::thread_sums(v, e, seed, stream, n, static_cast<std::int64_t>(b) * fc::kMcThreads + th,
                                        static_cast<std::int64_t>(blocks) * fc::kMcThreads,
                                        replicates > 1 ? shift.data() : nullptr,
                                        e == mc::kEstBox ? ab.data() : au.data(), r.data(), u.data(), mine);
                    for (int c = 0; c < 3; ++c) t[c] += mine[c];
                }
                for (int c = 0; c < 3; ++c) part[static_cast<std::size_t>(b) * 3 + c] = t[c];
            }
            double t[3] = {0.0, 0.0, 0.0};  // then the blocks, in order
            for (int b = 0; b < blocks; ++b)
                for (int c = 0; c < 3; ++c) t[c] += part[static_cast<std::size_t>(b) * 3 + c];
            for (int c = 0; c < 3; ++c) o[(set * replicates + k) * 3 + c] = t[c];
        }
    return out;
}

py::tuple hvc_replica(const Doubles& pts, const Ints& offsets, const Ints& row_set, const Doubles& ref,
                      std::uint64_t seed, std::int64_t n_samples) {
    namespace mc = frontierkit::mc;
    check_mc(pts, offsets, ref);
    const int d = static_cast<int>(pts.shape(1));
    const py::ssize_t n = pts.shape(0);
    if (row_set.shape(0) != n) throw std::invalid_argument("row_set must have one label per row");
    Doubles hi({n, static_cast<py::ssize_t>(d)}), logv(n);
    Ints miss(n);
    std::vector<double> r(d), u(d);
    for (py::ssize_t i = 0; i < n; ++i) {
        const index_t s = row_set.at(i), a = offsets.at(s), m = offsets.at(s + 1) - a;
        double* h = hi.mutable_data() + i * d;
        logv.mutable_data()[i] = mc::exclusive_box(pts.data() + a * d, m, d, i - a, ref.data(), h);
        miss.mutable_data()[i] =
            std::isinf(logv.at(i)) ? 0
                                   : mc::thread_misses(pts.data() + a * d, m, d, i - a, h, seed,
                                                       static_cast<std::uint32_t>(s), n_samples, 0, 1, r.data(), u.data());
    }
    return py::make_tuple(hi, logv, miss);
}

}  // namespace

void register_cuda_logic(py::module_& m) {
    m.def("cuda_logic_mc_prepare", &mc_prepare_replica, py::arg("points").noconvert(), py::arg("offsets").noconvert(),
          py::arg("ref").noconvert(), "Host replica of the CUDA Monte Carlo preparation: (lo, cdf, log_box, log_sum).");
    m.def("cuda_logic_mc_sums", &mc_sums_replica, py::arg("points").noconvert(), py::arg("offsets").noconvert(),
          py::arg("ref").noconvert(), py::arg("lo").noconvert(), py::arg("cdf").noconvert(),
          py::arg("count").noconvert(), py::arg("est").noconvert(), py::arg("seed"), py::arg("kind"),
          py::arg("replicates"), py::arg("blocks"),
          "Host replica of the CUDA Monte Carlo sums: (sets x replicates, 3) sums of z, z^2 and work.");
    m.def("cuda_logic_hvc", &hvc_replica, py::arg("points").noconvert(), py::arg("offsets").noconvert(),
          py::arg("row_set").noconvert(), py::arg("ref").noconvert(), py::arg("seed"), py::arg("n_samples"),
          "Host replica of the CUDA contribution kernels: (hi, logv, misses).");
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
    m.def(
        "cuda_logic_hypervolume",
        [](const py::array_t<double, py::array::c_style>& pts, const py::array_t<index_t, py::array::c_style>& offsets,
           const py::array_t<double, py::array::c_style>& ref) {
            if (pts.ndim() != 2 || offsets.ndim() != 1 || offsets.shape(0) < 1 || ref.ndim() != 1)
                throw std::invalid_argument("points must be 2-D, offsets and ref 1-D");
            const py::ssize_t n = pts.shape(0);
            const int d = static_cast<int>(pts.shape(1));
            if (d < 1 || d > 3) throw std::invalid_argument("the CUDA hypervolume handles d = 1, 2 or 3 only");
            if (ref.shape(0) != d) throw std::invalid_argument("ref must have one value per column of points");
            if (offsets.at(0) != 0 || offsets.at(offsets.shape(0) - 1) != n)
                throw std::invalid_argument("offsets must start at 0 and end at the number of rows");
            for (py::ssize_t s = 1; s < offsets.shape(0); ++s)
                if (offsets.at(s) < offsets.at(s - 1)) throw std::invalid_argument("offsets must be non-decreasing");
            const std::size_t nsets = offsets.shape(0) - 1;
            py::array_t<double> out(static_cast<py::ssize_t>(nsets));
            hv_batch_replica(pts.data(), d, offsets.data(), nsets, ref.data(), out.mutable_data());
            return out;
        },
        py::arg("points").noconvert(), py::arg("offsets").noconvert(), py::arg("ref").noconvert(),
        "Host replica of the CUDA batched hypervolume (for tests): one volume per set.");
}
