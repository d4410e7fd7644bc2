// Shape checks shared by the _core bindings (Python validates first; these guard the kernels
// against internal misuse).
#pragma once
#include <pybind11/numpy.h>

#include <stdexcept>

#include "frontierkit/common.hpp"

namespace frontierkit_bindings {

namespace py = pybind11;
using Points = py::array_t<double, py::array::c_style>;
using Offsets = py::array_t<frontierkit::index_t, py::array::c_style>;

inline void check_sets(const Points& pts, const Offsets& offsets) {
    if (pts.ndim() != 2) throw std::invalid_argument("points must be 2-D");
    if (offsets.ndim() != 1 || offsets.shape(0) < 1)
        throw std::invalid_argument("offsets must be 1-D with at least one entry");
    auto o = offsets.unchecked<1>();
    if (o(0) != 0 || o(offsets.shape(0) - 1) != pts.shape(0))
        throw std::invalid_argument("offsets must start at 0 and end at the number of rows");
    for (py::ssize_t s = 1; s < offsets.shape(0); ++s)
        if (o(s) < o(s - 1)) throw std::invalid_argument("offsets must be non-decreasing");
    if (pts.shape(0) > 0 && pts.shape(1) < 1) throw std::invalid_argument("points need at least one column");
}

}  // namespace frontierkit_bindings
