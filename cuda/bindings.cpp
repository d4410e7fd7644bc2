// frontierkit._cuda: CUDA kernels on device memory the caller owns (CuPy arrays). Python passes
// raw device pointers and the caller's current stream; nothing here synchronises the device.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cstdint>
#include <stdexcept>

#include "hv_batch.hpp"
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

}  // namespace

PYBIND11_MODULE(_cuda, m) {
    m.doc() = "frontierkit CUDA kernels (internal; use the frontierkit API with CuPy arrays).";
    register_pareto(m);
    register_hypervolume(m);
    m.def("device_count", &frontierkit::cuda::device_count, "Number of usable CUDA devices.");
}
