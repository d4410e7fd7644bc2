// _core bindings for exact hypervolume. Python has already validated, converted to C-contiguous
// float64 (maximised objectives negated in points and ref) and grouped rows by set.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <stdexcept>

#include "checks.hpp"
#include "frontierkit/hypervolume.hpp"

namespace py = pybind11;
using frontierkit::index_t;

using frontierkit_bindings::check_sets;
using frontierkit_bindings::Offsets;
using Array = frontierkit_bindings::Points;

void register_hypervolume(py::module_& m) {
    m.def(
        "hypervolume",
        [](const Array& pts, const Offsets& offsets, const Array& ref, int threads) {
            check_sets(pts, offsets);
            const std::size_t d = pts.shape(1);
            if (ref.ndim() != 1 || static_cast<std::size_t>(ref.shape(0)) != d)
                throw std::invalid_argument("ref must have one value per column of points");
            const std::size_t nsets = offsets.shape(0) - 1;
            py::array_t<double> out(static_cast<py::ssize_t>(nsets));
            const double* p = pts.data();
            const double* r = ref.data();
            const index_t* op = offsets.data();
            double* v = out.mutable_data();
            {
                py::gil_scoped_release nogil;  // the kernel touches no Python object
                frontierkit::hv::hypervolume_sets(p, d, op, nsets, r, v, threads);
            }
            return out;
        },
        py::arg("points").noconvert(), py::arg("offsets").noconvert(), py::arg("ref").noconvert(),
        py::arg("threads"), "Hypervolume of each set (minimisation).");
}
