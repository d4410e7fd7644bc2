// frontierkit._core: the compiled CPU kernels. One registration function per family.
#include <pybind11/pybind11.h>

namespace py = pybind11;

void register_pareto(py::module_& m);
void register_cuda_logic(py::module_& m);
void register_hypervolume(py::module_& m);
void register_fit(py::module_& m);

PYBIND11_MODULE(_core, m) {
    m.doc() = "frontierkit compiled CPU kernels (internal; use the frontierkit API).";
    register_pareto(m);
    register_cuda_logic(m);
    register_hypervolume(m);
    register_fit(m);
}
