// frontierkit._cuda: CUDA kernels on device memory the caller owns (CuPy arrays). Python passes
// raw device pointers and the caller's current stream; nothing here synchronises the device.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <stdexcept>

#include "fit_batch.hpp"
#include "hv_batch.hpp"
#include "hv_mc.hpp"
#include "pareto_bitset.hpp"

namespace py = pybind11;

namespace {

void register_pareto(py::module_& m) {
    m.def(
        "pareto_rank",
        [](std::uintptr_t points, std::int64_t n, int d, const py::array_t<std::int64_t, py::array::c_style>& offsets,
           std::uintptr_t ranks, std::uintptr_t dup, bool first_front_only, std::uintptr_t stream) {
            if (offsets.ndim() != 1 || offsets.shape(0) < 1) throw std::invalid_argument("offsets must be 1-D");
            if (offsets.at(0) != 0 || offsets.at(offsets.shape(0) - 1) != n)
                throw std::invalid_argument("offsets must start at 0 and end at n");
            if (n > 0 && d < 1) throw std::invalid_argument("d must be >= 1");
            const std::int64_t* o = offsets.data();
            const std::int64_t nsets = offsets.shape(0) - 1;
            // Safe without the GIL: only device memory owned by live CuPy arrays and the
            // offsets buffer (kept alive by the caller) are touched.
            py::gil_scoped_release nogil;
            frontierkit::cuda::pareto_rank_device(reinterpret_cast<const double*>(points), n, d, o, nsets,
                                                  reinterpret_cast<std::int32_t*>(ranks),
                                                  reinterpret_cast<std::uint8_t*>(dup), first_front_only,
                                                  reinterpret_cast<void*>(stream));
        },
        py::arg("points"), py::arg("n"), py::arg("d"), py::arg("offsets"), py::arg("ranks"), py::arg("dup"),
        py::arg("first_front_only"), py::arg("stream"));
}

void register_hypervolume(py::module_& m) {
    m.def(
        "hypervolume",
        [](std::uintptr_t points, std::int64_t n, int d, const py::array_t<std::int64_t, py::array::c_style>& offsets,
           const py::array_t<double, py::array::c_style>& ref, std::uintptr_t out, std::uintptr_t stream) {
            if (offsets.ndim() != 1 || offsets.shape(0) < 1) throw std::invalid_argument("offsets must be 1-D");
            if (offsets.at(0) != 0 || offsets.at(offsets.shape(0) - 1) != n)
                throw std::invalid_argument("offsets must start at 0 and end at n");
            if (d < 1 || d > 3) throw std::invalid_argument("the CUDA hypervolume handles d = 1, 2 or 3 only");
            if (ref.ndim() != 1 || ref.shape(0) != d) throw std::invalid_argument("ref must have d values");
            const std::int64_t* o = offsets.data();
            const double* r = ref.data();
            const std::int64_t nsets = offsets.shape(0) - 1;
            // Safe without the GIL: only device memory owned by live CuPy arrays and the offsets
            // and ref buffers (held by this call's arguments, read before it returns) are touched.
            py::gil_scoped_release nogil;
            frontierkit::cuda::hypervolume_batch_device(reinterpret_cast<const double*>(points), n, d, o, nsets, r,
                                                        reinterpret_cast<double*>(out),
                                                        reinterpret_cast<void*>(stream));
        },
        py::arg("points"), py::arg("n"), py::arg("d"), py::arg("offsets"), py::arg("ref"), py::arg("out"),
        py::arg("stream"));
}

void register_fit(py::module_& m) {
    namespace fit = frontierkit::fit;
    m.def(
        "fit_batch",
        [](int model, int space, int loss, double f_scale, std::int64_t K, std::int64_t M, int v, std::uintptr_t x,
           bool x_shared, std::uintptr_t y, std::uintptr_t w, int max_iter, double xtol, double ftol, double gtol,
           std::uintptr_t lo, std::uintptr_t hi, std::uintptr_t fixed, std::uintptr_t base, std::uintptr_t starts,
           int n_given, int n_grid, int n_agree, std::uintptr_t params, std::uintptr_t cost, std::uintptr_t status,
           std::uintptr_t n_iter, std::uintptr_t n_at_best, std::uintptr_t stream) {
            if (v < 1 || v > fit::kMaxParams) throw std::invalid_argument("x must have 1 to 10 inputs");
            if ((model == fit::kChinchilla || model == fit::kKaplanND) && v != 2)
                throw std::invalid_argument("chinchilla and kaplan_nd take 2 inputs (ln N, ln D)");
            const int P = fit::n_params(model, v);
            if (P < 1 || P > fit::kMaxParams) throw std::invalid_argument("unknown model, or too many parameters");
            if (K < 0 || M < 0 || M > 2147483647) throw std::invalid_argument("bad batch shape");
            if (n_grid < 0 || n_agree < 0 || n_given < 0 || n_given + n_grid > fit::kMaxStarts ||
                (starts == 0 && n_grid < 1))
                throw std::invalid_argument("starts: at most 32 per problem, and a grid when none is given");
            fit::Batch b{};
            b.model = model;
            b.v = v;
            b.P = P;
            b.space = space;
            b.loss = loss;
            b.f_scale = f_scale;
            b.K = K;
            b.M = M;
            b.x = reinterpret_cast<const double*>(x);
            b.x_shared = x_shared;
            b.y = reinterpret_cast<const double*>(y);
            b.w = reinterpret_cast<const double*>(w);
            b.max_iter = max_iter;
            b.xtol = xtol;
            b.ftol = ftol;
            b.gtol = gtol;
            b.lo = reinterpret_cast<const double*>(lo);
            b.hi = reinterpret_cast<const double*>(hi);
            b.fixed = reinterpret_cast<const unsigned char*>(fixed);
            b.base = base ? reinterpret_cast<const double*>(base) : nullptr;
            b.starts = starts ? reinterpret_cast<const double*>(starts) : nullptr;
            b.n_given = starts ? n_given : 0;
            b.n_grid = n_grid;
            b.n_agree = n_agree;
            const fit::BatchOutput out{reinterpret_cast<double*>(params), reinterpret_cast<double*>(cost),
                                       reinterpret_cast<std::int32_t*>(status), reinterpret_cast<std::int32_t*>(n_iter),
                                       reinterpret_cast<std::int32_t*>(n_at_best)};
            // Safe without the GIL: only device memory owned by live CuPy arrays is touched.
            py::gil_scoped_release nogil;
            frontierkit::cuda::fit_batch_device(b, out, reinterpret_cast<void*>(stream));
        },
        py::arg("model"), py::arg("space"), py::arg("loss"), py::arg("f_scale"), py::arg("K"), py::arg("M"),
        py::arg("v"), py::arg("x"), py::arg("x_shared"), py::arg("y"), py::arg("w"), py::arg("max_iter"),
        py::arg("xtol"), py::arg("ftol"), py::arg("gtol"), py::arg("lo"), py::arg("hi"), py::arg("fixed"),
        py::arg("base"), py::arg("starts"), py::arg("n_given"), py::arg("n_grid"), py::arg("n_agree"),
        py::arg("params"), py::arg("cost"), py::arg("status"), py::arg("n_iter"), py::arg("n_at_best"),
        py::arg("stream"));
}

void register_mc(py::module_& m) {
    namespace fc = frontierkit::cuda;
    // Safe without the GIL: only device memory owned by live CuPy arrays is touched.
    auto sets = [](std::uintptr_t pts, std::uintptr_t offsets, std::int64_t nsets, int d, std::uintptr_t ref,
                   std::uintptr_t lo, std::uintptr_t cdf, std::uintptr_t log_box, std::uintptr_t log_sum) {
        if (nsets < 0) throw std::invalid_argument("nsets must be >= 0");
        return fc::McSets{reinterpret_cast<const double*>(pts), reinterpret_cast<const std::int64_t*>(offsets),
                          nsets, d, reinterpret_cast<const double*>(ref), reinterpret_cast<double*>(lo),
                          reinterpret_cast<double*>(cdf), reinterpret_cast<double*>(log_box),
                          reinterpret_cast<double*>(log_sum)};
    };
    m.def(
        "mc_prepare",
        [sets](std::uintptr_t pts, std::uintptr_t offsets, std::int64_t nsets, int d, std::uintptr_t ref,
               std::uintptr_t lo, std::uintptr_t cdf, std::uintptr_t log_box, std::uintptr_t log_sum,
               std::uintptr_t stream) {
            const fc::McSets s = sets(pts, offsets, nsets, d, ref, lo, cdf, log_box, log_sum);
            py::gil_scoped_release nogil;
            fc::mc_prepare_device(s, reinterpret_cast<void*>(stream));
        },
        py::arg("points"), py::arg("offsets"), py::arg("nsets"), py::arg("d"), py::arg("ref"), py::arg("lo"),
        py::arg("cdf"), py::arg("log_box"), py::arg("log_sum"), py::arg("stream"));
    m.def(
        "mc_sums",
        [sets](std::uintptr_t pts, std::uintptr_t offsets, std::int64_t nsets, int d, std::uintptr_t ref,
               std::uintptr_t lo, std::uintptr_t cdf, std::uintptr_t count, std::uintptr_t est, std::uint64_t seed,
               int kind, int replicates, int blocks, std::uintptr_t part, std::uintptr_t out, std::uintptr_t stream) {
            if (kind != 0 && kind != 2) throw std::invalid_argument("kind must be 0 (main) or 2 (pilot)");
            const fc::McSets s = sets(pts, offsets, nsets, d, ref, lo, cdf, 0, 0);
            py::gil_scoped_release nogil;
            fc::mc_sums_device(s, reinterpret_cast<const std::int64_t*>(count), reinterpret_cast<const int*>(est),
                               seed, kind, replicates, blocks, reinterpret_cast<double*>(part),
                               reinterpret_cast<double*>(out), reinterpret_cast<void*>(stream));
        },
        py::arg("points"), py::arg("offsets"), py::arg("nsets"), py::arg("d"), py::arg("ref"), py::arg("lo"),
        py::arg("cdf"), py::arg("count"), py::arg("est"), py::arg("seed"), py::arg("kind"), py::arg("replicates"),
        py::arg("blocks"), py::arg("part"), py::arg("out"), py::arg("stream"));
    m.def(
        "hvc",
        [](std::uintptr_t pts, std::uintptr_t offsets, std::uintptr_t row_set, std::int64_t n_total, int d,
           std::uintptr_t ref, std::uint64_t seed, std::int64_t n_samples, int blocks, std::uintptr_t hi,
           std::uintptr_t logv, std::uintptr_t miss, std::uintptr_t stream) {
            if (n_total < 0 || n_samples < 1) throw std::invalid_argument("bad sizes");
            py::gil_scoped_release nogil;
            const auto* p = reinterpret_cast<const double*>(pts);
            const auto* o = reinterpret_cast<const std::int64_t*>(offsets);
            const auto* rs = reinterpret_cast<const std::int64_t*>(row_set);
            fc::hvc_boxes_device(p, o, rs, n_total, d, reinterpret_cast<const double*>(ref),
                                 reinterpret_cast<double*>(hi), reinterpret_cast<double*>(logv),
                                 reinterpret_cast<void*>(stream));
            fc::hvc_miss_device(p, o, rs, n_total, d, reinterpret_cast<const double*>(hi),
                                reinterpret_cast<const double*>(logv), seed, n_samples, blocks,
                                reinterpret_cast<std::int64_t*>(miss), reinterpret_cast<void*>(stream));
        },
        py::arg("points"), py::arg("offsets"), py::arg("row_set"), py::arg("n_total"), py::arg("d"), py::arg("ref"),
        py::arg("seed"), py::arg("n_samples"), py::arg("blocks"), py::arg("hi"), py::arg("logv"), py::arg("miss"),
        py::arg("stream"));
}

}  // namespace

PYBIND11_MODULE(_cuda, m) {
    m.doc() = "frontierkit CUDA kernels (internal; use the frontierkit API with CuPy arrays).";
    register_pareto(m);
    register_hypervolume(m);
    register_fit(m);
    register_mc(m);
    m.def("device_count", &frontierkit::cuda::device_count, "Number of usable CUDA devices.");
}
