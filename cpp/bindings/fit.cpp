// Bindings of the batched curve fitter. Python validates and lays out every array; these check
// shapes only, as a backstop.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <optional>
#include <stdexcept>

#include "frontierkit/fit.hpp"

namespace py = pybind11;
using Arr = py::array_t<double, py::array::c_style>;
using Flags = py::array_t<std::uint8_t, py::array::c_style>;

namespace {

namespace fit = frontierkit::fit;

// Checks shapes and fills the batch description (everything except the solver settings).
fit::Batch describe(int model, int space, int loss, double f_scale, const Arr& x, const Arr& y, const Arr& w) {
    if (x.ndim() != 3 || y.ndim() != 2 || w.ndim() != 2)
        throw std::invalid_argument("x must be 3-D (K or 1, M, v); y and weights 2-D (K, M)");
    const auto K = y.shape(0), M = y.shape(1), v = x.shape(2);
    if (w.shape(0) != K || w.shape(1) != M || x.shape(1) != M || (x.shape(0) != K && x.shape(0) != 1))
        throw std::invalid_argument("x, y and weights disagree in shape");
    if (v < 1 || v > fit::kMaxParams) throw std::invalid_argument("x must have 1 to 10 inputs");
    if ((model == fit::kChinchilla || model == fit::kKaplanND) && v != 2)
        throw std::invalid_argument("chinchilla and kaplan_nd take 2 inputs (ln N, ln D)");
    const int P = fit::n_params(model, static_cast<int>(v));
    if (P < 1 || P > fit::kMaxParams) throw std::invalid_argument("unknown model, or too many parameters");
    if (M > 2147483647) throw std::invalid_argument("too many points per problem");
    fit::Batch b{};
    b.model = model;
    b.v = static_cast<int>(v);
    b.P = P;
    b.space = space;
    b.loss = loss;
    b.f_scale = f_scale;
    b.K = K;
    b.M = M;
    b.x = x.data();
    b.x_shared = x.shape(0) == 1 && K != 1;
    b.y = y.data();
    b.w = w.data();
    return b;
}

}  // namespace

void register_fit(py::module_& m) {
    m.def(
        "fit_batch",
        [](int model, int space, int loss, double f_scale, const Arr& x, const Arr& y, const Arr& w, int max_iter,
           double xtol, double ftol, double gtol, const Arr& lo, const Arr& hi, const Flags& fixed,
           std::optional<Arr> base, std::optional<Arr> starts, int n_grid, int n_agree, int threads) {
            fit::Batch b = describe(model, space, loss, f_scale, x, y, w);
            const py::ssize_t K = b.K, P = b.P;
            if (lo.ndim() != 1 || hi.ndim() != 1 || fixed.ndim() != 1 || lo.shape(0) != P || hi.shape(0) != P ||
                fixed.shape(0) != P)
                throw std::invalid_argument("bounds and fixed must have one entry per parameter");
            if (base && (base->ndim() != 2 || base->shape(0) != K || base->shape(1) != P))
                throw std::invalid_argument("base must have shape (K, P)");
            if (starts && (starts->ndim() != 3 || starts->shape(0) != K || starts->shape(2) != P || starts->shape(1) < 1))
                throw std::invalid_argument("starts must have shape (K, S, P)");
            if (n_grid < 0 || (!starts && n_grid < 1))
                throw std::invalid_argument("n_grid must be positive when no starts are given");
            if (starts && starts->shape(1) + n_grid > fit::kMaxStarts)
                throw std::invalid_argument("at most 32 starts per problem");
            if (n_agree < 0) throw std::invalid_argument("n_agree must be non-negative");
            b.max_iter = max_iter;
            b.xtol = xtol;
            b.ftol = ftol;
            b.gtol = gtol;
            b.lo = lo.data();
            b.hi = hi.data();
            b.fixed = fixed.data();
            b.base = base ? base->data() : nullptr;
            b.starts = starts ? starts->data() : nullptr;
            b.n_given = starts ? static_cast<int>(starts->shape(1)) : 0;
            b.n_grid = n_grid;
            b.n_agree = n_agree;
            Arr params({K, P});
            Arr cost(K);
            py::array_t<std::int32_t> status(K), n_iter(K), n_at_best(K);
            const fit::BatchOutput out{params.mutable_data(), cost.mutable_data(), status.mutable_data(),
                                       n_iter.mutable_data(), n_at_best.mutable_data()};
            {
                // Safe without the GIL: the arrays stay referenced by this frame and the kernel
                // touches no Python object.
                py::gil_scoped_release nogil;
                fit::fit_batch(b, out, threads);
            }
            return py::make_tuple(params, cost, status, n_iter, n_at_best);
        },
        py::arg("model"), py::arg("space"), py::arg("loss"), py::arg("f_scale"), py::arg("x").noconvert(),
        py::arg("y").noconvert(), py::arg("weights").noconvert(), py::arg("max_iter"), py::arg("xtol"),
        py::arg("ftol"), py::arg("gtol"), py::arg("lo").noconvert(), py::arg("hi").noconvert(),
        py::arg("fixed").noconvert(), py::arg("base").noconvert(), py::arg("starts").noconvert(),
        py::arg("n_grid"), py::arg("n_agree"), py::arg("threads"),
        "Fit K problems: (params, cost, status, n_iter, n_at_best), parameters internal.");
    m.def(
        "fit_objective",
        [](int model, int space, int loss, double f_scale, const Arr& x, const Arr& y, const Arr& w, const Arr& params,
           int threads) {
            fit::Batch b = describe(model, space, loss, f_scale, x, y, w);
            if (b.K != 1 || x.shape(0) != 1) throw std::invalid_argument("fit_objective takes one problem (K = 1)");
            if (params.ndim() != 2 || params.shape(1) != b.P) throw std::invalid_argument("params must have shape (S, P)");
            const py::ssize_t S = params.shape(0);
            Arr cost(S);
            {
                py::gil_scoped_release nogil;  // as above
                fit::objectives(b, params.data(), S, cost.mutable_data(), threads);
            }
            return cost;
        },
        py::arg("model"), py::arg("space"), py::arg("loss"), py::arg("f_scale"), py::arg("x").noconvert(),
        py::arg("y").noconvert(), py::arg("weights").noconvert(), py::arg("params").noconvert(), py::arg("threads"),
        "Objective of one problem at S internal parameter vectors (S,); inf where undefined.");
    m.def(
        "fit_residuals",
        [](int model, int space, const Arr& x, const Arr& y, const Arr& params, int threads) {
            Arr w({y.shape(0), y.shape(1)});
            fit::Batch b = describe(model, space, 0, 1.0, x, y, w);
            if (params.ndim() != 2 || params.shape(0) != b.K || params.shape(1) != b.P)
                throw std::invalid_argument("params must have shape (K, P)");
            Arr r({b.K, b.M});
            Arr J({static_cast<py::ssize_t>(b.K), static_cast<py::ssize_t>(b.M), static_cast<py::ssize_t>(b.P)});
            Flags ok({b.K, b.M});
            {
                py::gil_scoped_release nogil;  // as above
                fit::residuals(b, params.data(), r.mutable_data(), J.mutable_data(), ok.mutable_data(), threads);
            }
            return py::make_tuple(r, J, ok);
        },
        py::arg("model"), py::arg("space"), py::arg("x").noconvert(), py::arg("y").noconvert(),
        py::arg("params").noconvert(), py::arg("threads"),
        "Residuals (K, M), Jacobian (K, M, P) and defined-mask at internal parameters.");
}
