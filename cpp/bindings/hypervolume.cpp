// _core bindings for exact hypervolume. Python has already validated, converted to C-contiguous
// float64 (maximised objectives negated in points and ref) and grouped rows by set.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <stdexcept>

#include "checks.hpp"
#include "frontierkit/hv_approx.hpp"
#include "frontierkit/hypervolume.hpp"
#include "frontierkit/parallel.hpp"

namespace py = pybind11;
using frontierkit::index_t;

using frontierkit_bindings::check_sets;
using frontierkit_bindings::Offsets;
using Array = frontierkit_bindings::Points;

namespace {

void check_ref(const Array& ref, std::size_t d) {
    if (ref.ndim() != 1 || static_cast<std::size_t>(ref.shape(0)) != d)
        throw std::invalid_argument("ref must have one value per column of points");
}

}  // namespace

void register_hypervolume(py::module_& m) {
    // Every kernel below is safe without the GIL: it reads and writes only the buffers of the
    // arrays held by this call's arguments and its result, and touches no Python object.
    m.def(
        "hypervolume",
        [](const Array& pts, const Offsets& offsets, const Array& ref, int threads) {
            check_sets(pts, offsets);
            const std::size_t d = pts.shape(1);
            check_ref(ref, d);
            const std::size_t nsets = offsets.shape(0) - 1;
            py::array_t<double> out(static_cast<py::ssize_t>(nsets));
            const double* p = pts.data();
            const double* r = ref.data();
            const index_t* op = offsets.data();
            double* v = out.mutable_data();
            {
                py::gil_scoped_release nogil;
                frontierkit::hv::hypervolume_sets(p, d, op, nsets, r, v, threads);
            }
            return out;
        },
        py::arg("points").noconvert(), py::arg("offsets").noconvert(), py::arg("ref").noconvert(),
        py::arg("threads"), "Hypervolume of each set (minimisation).");
    m.def(
        "hv_approx",
        [](const Array& pts, const Offsets& offsets, const Array& ref, std::int64_t n_samples, std::uint64_t seed,
           int estimator, int replicates, double epsilon, double delta, int threads) {
            check_sets(pts, offsets);
            const std::size_t d = pts.shape(1);
            check_ref(ref, d);
            frontierkit::mc::Options o;
            o.n_samples = n_samples;
            o.seed = seed;
            o.estimator = estimator;
            o.replicates = replicates;
            o.epsilon = epsilon;
            o.delta = delta;
            o.threads = threads;
            const auto nsets = static_cast<py::ssize_t>(offsets.shape(0) - 1);
            py::array_t<double> value(nsets), err(nsets);
            py::array_t<int> used(nsets);
            py::array_t<std::int64_t> drawn(nsets);
            const double* p = pts.data();
            const double* r = ref.data();
            const index_t* op = offsets.data();
            double* v = value.mutable_data();
            double* e = err.mutable_data();
            int* u = used.mutable_data();
            std::int64_t* dr = drawn.mutable_data();
            {
                py::gil_scoped_release nogil;
                frontierkit::mc::hv_mc_sets(p, d, op, static_cast<std::size_t>(nsets), r, o, v, e, u, dr);
            }
            return py::make_tuple(value, err, used, drawn);
        },
        py::arg("points").noconvert(), py::arg("offsets").noconvert(), py::arg("ref").noconvert(),
        py::arg("n_samples"), py::arg("seed"), py::arg("estimator"), py::arg("replicates"), py::arg("epsilon"),
        py::arg("delta"), py::arg("threads"),
        "Monte Carlo (replicates 0, epsilon 0), randomised quasi-Monte Carlo (replicates > 1) or (epsilon, delta) "
        "stopping-rule hypervolume of each set: (value, stderr, estimator used: 0 box, 1 union, samples drawn).");
    m.def(
        "hvc_approx",
        [](const Array& pts, const Offsets& offsets, const Array& ref, std::int64_t n_samples, std::uint64_t seed,
           int threads) {
            check_sets(pts, offsets);
            const std::size_t d = pts.shape(1);
            check_ref(ref, d);
            if (n_samples < 2) throw std::invalid_argument("n_samples must be at least 2");
            const std::size_t nsets = offsets.shape(0) - 1;
            py::array_t<double> value(pts.shape(0)), err(pts.shape(0));
            const double* p = pts.data();
            const double* r = ref.data();
            const index_t* op = offsets.data();
            double* v = value.mutable_data();
            double* e = err.mutable_data();
            {
                py::gil_scoped_release nogil;
                frontierkit::mc::hvc_mc_sets(p, d, op, nsets, r, n_samples, seed, threads, v, e);
            }
            return py::make_tuple(value, err);
        },
        py::arg("points").noconvert(), py::arg("offsets").noconvert(), py::arg("ref").noconvert(),
        py::arg("n_samples"), py::arg("seed"), py::arg("threads"),
        "Monte Carlo exclusive contribution of every row: (value, stderr).");
    m.def(
        "hv_contributions",
        [](const Array& pts, const Offsets& offsets, const Array& ref, int threads) {
            check_sets(pts, offsets);
            const std::size_t d = pts.shape(1);
            check_ref(ref, d);
            const std::size_t nsets = offsets.shape(0) - 1;
            py::array_t<double> out(pts.shape(0));
            const double* p = pts.data();
            const double* r = ref.data();
            const index_t* op = offsets.data();
            double* v = out.mutable_data();
            {
                py::gil_scoped_release nogil;
                if (nsets == 1) {
                    frontierkit::hv::contributions(p, static_cast<std::size_t>(op[1]), d, r, v, threads);
                } else {
                    frontierkit::parallel_sets(nsets, op, threads, 256, [&](std::size_t s) {
                        frontierkit::hv::contributions(p + op[s] * d, static_cast<std::size_t>(op[s + 1] - op[s]), d,
                                                       r, v + op[s], 1);
                    });
                }
            }
            return out;
        },
        py::arg("points").noconvert(), py::arg("offsets").noconvert(), py::arg("ref").noconvert(),
        py::arg("threads"), "Exclusive hypervolume contribution of every row, within its set (minimisation).");
    m.def(
        "hv_improvement",
        [](const Array& pts, const Array& cand, const Array& ref, int threads) {
            if (pts.ndim() != 2 || cand.ndim() != 2 || cand.shape(1) != pts.shape(1))
                throw std::invalid_argument("points and candidates must be 2-D with the same number of columns");
            const std::size_t d = pts.shape(1);
            check_ref(ref, d);
            py::array_t<double> out(cand.shape(0));
            const double* p = pts.data();
            const double* c = cand.data();
            const double* r = ref.data();
            const std::size_t n = pts.shape(0), m = cand.shape(0);
            double* v = out.mutable_data();
            {
                py::gil_scoped_release nogil;
                frontierkit::hv::improvement(p, n, c, m, d, r, v, threads);
            }
            return out;
        },
        py::arg("points").noconvert(), py::arg("candidates").noconvert(), py::arg("ref").noconvert(),
        py::arg("threads"), "Hypervolume each candidate row would add to points on its own (minimisation).");
}
