"""frontierkit: fast, exact frontier analysis.

Non-dominated sorting (Pareto fronts and ranks), exact hypervolume and batched scaling-law fits on
NumPy and CuPy arrays, backed by a C++ core, optional CUDA kernels and numba / NumPy fallbacks.
"""

from __future__ import annotations

from . import datasets, plot
from ._backend import backend, backend_info
from ._warnings import FallbackWarning, FrontierkitWarning, PerformanceWarning
from .approx import HVCEstimate, HVEstimate, hv_approx, hvc_approx
from .fit import BootstrapResult, ChinchillaFit, FitResult, bootstrap, fit_chinchilla, fit_curves
from .hypervolume import hv_contributions, hv_improvement, hypervolume
from .pareto import filter_dominated, is_nondominated, nondominated_sort, pareto_rank

__version__ = "0.1.0"

__all__ = [
    "BootstrapResult",
    "ChinchillaFit",
    "FallbackWarning",
    "FitResult",
    "FrontierkitWarning",
    "HVCEstimate",
    "HVEstimate",
    "PerformanceWarning",
    "__version__",
    "backend",
    "backend_info",
    "bootstrap",
    "datasets",
    "filter_dominated",
    "fit_chinchilla",
    "fit_curves",
    "hv_approx",
    "hvc_approx",
    "hv_contributions",
    "hv_improvement",
    "hypervolume",
    "is_nondominated",
    "nondominated_sort",
    "pareto_rank",
    "plot",
]
