// _core bindings for non-dominated sorting. Python has already validated, converted to
// C-contiguous float64 and grouped rows by set; this layer only rechecks shapes.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <stdexcept>
#include <string>

#include "checks.hpp"
#include "frontierkit/pareto.hpp"

namespace py = pybind11;
using frontierkit::index_t;

using frontierkit_bindings::check_sets;
using frontierkit_bindings::Offsets;
using frontierkit_bindings::Points;

void register_pareto(py::module_& m) {
    m.def(
        "pareto_rank",
        [](const Points& pts, const Offsets& offsets, int threads) {
            check_sets(pts, offsets);
            const std::size_t n = pts.shape(0), d = pts.shape(1);
            py::array_t<std::int32_t> ranks(static_cast<py::ssize_t>(n));
            const double* p = pts.data();
            const index_t* o = offsets.data();
            std::int32_t* r = ranks.mutable_data();
            const std::size_t nsets = offsets.shape(0) - 1;
            {
                // Safe without the GIL: the arrays are kept alive by the caller's references
                // and the kernel touches no Python object.
                py::gil_scoped_release nogil;
                frontierkit::pareto::pareto_rank_sets(p, d, o, nsets, r, threads);
            }
            return ranks;
        },
        py::arg("points").noconvert(), py::arg("offsets").noconvert(), py::arg("threads"),
        "0-based Pareto rank of every row, within its set.");
    m.def(
        "nondominated",
        [](const Points& pts, const Offsets& offsets, bool keep_weakly, int threads) {
            check_sets(pts, offsets);
            const std::size_t n = pts.shape(0), d = pts.shape(1);
            py::array_t<bool> mask(static_cast<py::ssize_t>(n));
            const double* p = pts.data();
            const index_t* o = offsets.data();
            auto* out = reinterpret_cast<std::uint8_t*>(mask.mutable_data());
            const std::size_t nsets = offsets.shape(0) - 1;
            bool nan = false;
            {
                py::gil_scoped_release nogil;  // as above
                nan = frontierkit::pareto::nondominated_sets(p, d, o, nsets, keep_weakly, out, threads);
            }
            return py::make_tuple(mask, nan);
        },
        py::arg("points").noconvert(), py::arg("offsets").noconvert(), py::arg("keep_weakly"), py::arg("threads"),
        "(mask of the rows not dominated within their set, whether some row holds NaN).");
}
