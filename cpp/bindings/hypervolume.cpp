// _core bindings for exact hypervolume. Python has already validated, converted to C-contiguous
// float64 (maximised objectives negated in points and ref) and grouped rows by set.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <stdexcept>

#include "frontierkit/hypervolume.hpp"

namespace py = pybind11;
using frontierkit::index_t;

namespace {

using Array = py::array_t<double, py::array::c_style>;
using Offsets = py::array_t<index_t, py::array::c_style>;

}  // namespace

void register_hypervolume(py::module_& m) {
    m.def(
        "hypervolume",
        [](const Array& pts, const Offsets& offsets, const Array& ref, int threads) {
            if (pts.ndim() != 2) throw std::invalid_argument("points must be 2-D");
            const std::size_t n = pts.shape(0), d = pts.shape(1);
            if (ref.ndim() != 1 || static_cast<std::size_t>(ref.shape(0)) != d)
                throw std::invalid_argument("ref must have one value per column of points");
            if (offsets.ndim() != 1 || offsets.shape(0) < 1) throw std::invalid_argument("offsets must be 1-D");
            auto o = offsets.unchecked<1>();
            if (o(0) != 0 || o(offsets.shape(0) - 1) != static_cast<index_t>(n))
                throw std::invalid_argument("offsets must start at 0 and end at the number of rows");
            for (py::ssize_t s = 1; s < offsets.shape(0); ++s)
                if (o(s) < o(s - 1)) throw std::invalid_argument("offsets must be non-decreasing");
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
