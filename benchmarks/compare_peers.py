#!/usr/bin/env python
"""Time frontierkit's non-dominated sorting, hypervolume, Monte Carlo hypervolume and curve fitting
against peer libraries.

Every library runs on the SAME array in each cell, its result is checked against frontierkit's
(same Pareto ranks or first-front mask; hypervolumes and contributions equal within a relative
1e-10), and the medians are printed as a Markdown table with the ratio
``fastest agreeing peer time / frontierkit time`` (above 1: frontierkit is faster).

Data (fixed seed, reproducible with the recipe printed under the table):

* ``uniform``: ``np.random.default_rng(seed).random((n, d))``, points in ``[0, 1)^d``;
* ``sphere``: ``|N(0, 1)|`` rows scaled to unit length; such points lie on the positive part of
  the unit sphere and are all mutually non-dominated, the worst case for first-front filters
  and for hypervolume (every point counts);
* ``batch``: ``np.random.default_rng(seed).random((b, n, d))``, ``b`` independent sets;
  ``sphere batch``: the same shape, every row scaled onto the sphere as above.

Hypervolume cells use the reference point 1.1 in every objective (minimisation).

Curve-fitting cells ("fit" group) compare objectives, not parameters: a fit is judged by its cost
(SciPy's convention, ``0.5 * sum r**2`` for least squares; the Huber loss of Hoffmann et al. on
``log L`` for Chinchilla), recomputed here at each library's parameters, and frontierkit's must
be no worse than SciPy's within a relative 1e-9 (the count of worse fits is reported):

* ``sat``: ``K`` noisy saturating power laws ``y = a x^-b + c`` of 20 points each (x log-spaced
  over 1e6..1e9, ``a ~ U(5, 50)``, ``b ~ U(0.1, 0.6)``, ``c ~ U(1, 3)``, 1% multiplicative
  Gaussian noise): one ``fit_curves`` call against a Python loop of ``curve_fit``;
* ``chinchilla``: Epoch AI's 240 points extracted from Hoffmann et al.'s Figure 4
  (``../shared/data``, see ``--chinchilla-csv``; the cells are skipped without it), fitted with
  ``fit_chinchilla`` against SciPy's ``minimize(method="L-BFGS-B")`` from Hoffmann et al.'s
  4,500-start grid, and bootstrap refits against one L-BFGS-B run per resample.

Monte Carlo hypervolume cells ("mc" group, left out of the default run: they take about two
minutes, a minute more the first time, for the reference; ``--cells mc`` runs them) compare
estimates, which differ from run to run and from the exact volume, so each is judged by its
error against a reference, and the report gets a table of its own with the errors beside the
times:

* ``accuracy-matched`` (10 objectives, 10,000 sphere points): moocore's ``hv_approx`` with its
  defaults (``Rphi-FWE+``, 2^18 directions, deterministic) against frontierkit's
  ``hv_approx(method="mc")`` with as many samples as make its *reported* standard error equal
  to moocore's actual error: ``ceil(n_pilot * (stderr_pilot / moocore_error)^2)``, from a pilot
  run of 2^16 samples (another seed). The reference is one ``hv_approx`` of 2^25 samples
  (``--mc-reference-samples``; untimed, on every CPU: about a minute on two), cached in the system
  temporary directory under a key made of the data recipe, the sample count, the seed and
  frontierkit's version (``--no-mc-cache`` recomputes it);
* ``fpras`` (same data): pygmo's ``bf_fpras`` against ``hv_approx(method="fpras")``, both at
  epsilon = delta = 0.1, each with its relative error against the same reference;
* ``batch``: 1,000 sphere sets of 100 points in 8-D, 2^14 samples per set: one ``hv_approx``
  call on the (b, n, d) array against a Python loop of moocore's ``hv_approx(nsamples=2**14)``;
  both are judged against the exact volumes (``hypervolume``) of the first 100 sets.

Their peers always run in full (``--budget`` does not apply; each call takes seconds); a matched
frontierkit call predicted (from the pilot) to take over a minute is timed with fewer samples
and its time scaled up linearly (``≈``). Every estimate uses a fixed seed, so a rerun on the
same data reproduces it.

SciPy's loops over thousands of starts or resamples take minutes: they are timed on a leading
part of the loop (the grid is shuffled with a fixed seed first, so that part is a random sample)
and the whole loop is predicted linearly; the table marks such times with ``≈``.

Timing: one warm-up call (numba peers are also compiled on a tiny slice beforehand), then the
median of at least 3 timed calls, more for fast calls (about ``--repeat-time`` seconds per
library and cell). A call that took longer than one second in the warm-up counts as the first
sample. Peers with quadratic (or, for hypervolume in many dimensions, steeper) methods are
timed first on leading slices of the array; when a single call on the whole array is predicted
to take more than ``--budget`` seconds the cell says ``skipped (est. …)``.

Cores: thread pools are set to one thread, and the process is pinned to a single core unless
``--no-pin``. Sorting cells and every peer always run on that core. frontierkit's hypervolume
may use every core in the cells ``--unpin`` names (default ``hv5``: hypervolume and
contribution cells with d >= 5, the cells whose targets allow it), and its batched fits in every
fit cell unless ``--unpin none``; the table marks them. In the Monte Carlo cells frontierkit is
timed on the pinned core, and also on every core where ``--unpin`` allows it (the same rule as
for hypervolume cells), in a column of its own.

Usage::

    python benchmarks/compare_peers.py                        # every cell
    python benchmarks/compare_peers.py --quick                # smaller arrays, a smoke run
    python benchmarks/compare_peers.py --cells sort           # the sorting cells only
    python benchmarks/compare_peers.py --cells hv             # the hypervolume cells only
    python benchmarks/compare_peers.py --cells fit            # the curve-fitting cells only
    python benchmarks/compare_peers.py --cells mc             # the Monte Carlo cells (not run by
                                                              # default)
    python benchmarks/compare_peers.py --cells "d=3" batch    # cells whose name contains these
    python benchmarks/compare_peers.py --markdown table.md    # also write the report to a file
"""

from __future__ import annotations

import os

# Single-threaded: these must be set before NumPy, numba or any peer is imported.
for _var in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "NUMBA_NUM_THREADS",
    "TBB_NUM_THREADS",
):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import contextlib  # noqa: E402
import datetime  # noqa: E402
import gc  # noqa: E402
import hashlib  # noqa: E402
import importlib.metadata  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from dataclasses import dataclass, field, replace  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Callable  # noqa: E402

import numpy as np  # noqa: E402

import frontierkit as fk  # noqa: E402

Fn = Callable[[np.ndarray], np.ndarray]
HvFn = Callable[[np.ndarray, np.ndarray], Any]  # (points, ref) -> hypervolume(s) or contributions
FitFn = Callable[["FitData", np.ndarray], Any]  # (cell data, the items to fit) -> fits

DEFAULT_SEED = 12345
HV_REF = 1.1  # reference point, every objective (the data lies in [0, 1]^d)
HV_RTOL = 1e-10
# Contributions computed as hypervolume differences (a peer's WFG for d >= 4) carry an absolute
# error of many ulps of the whole volume, far above 1e-10 of the smallest contributions; this
# much of the reference box's volume (about 450 ulps) is tolerated on top of HV_RTOL.
HVC_ATOL_BOX = 1e-13
SORT_OPS = ("rank", "front")
HV_OPS = ("hv", "hvc")
FIT_OPS = ("sat", "varpro", "grid", "boot")
FIT_RTOL = 1e-9  # frontierkit's cost may exceed a peer's by this much (relative) at most
HOFFMANN_STARTS = 4500  # Hoffmann et al.'s grid: 5 alpha x 5 beta x 5 e x 6 a x 6 b
MC_OPS = ("hva", "fpras")  # Monte Carlo: accuracy-matched (or batched) hv_approx, FPRAS
MC_REF_LOG2 = 25  # the reference estimate draws 2**25 samples (--mc-reference-samples)
MC_REF_SEED = 101  # seeds of frontierkit's estimates: the reference, the pilot, the timed calls
MC_PILOT_SEED = 102
MC_SEED = 103
MC_PILOT_SAMPLES = 2**16
MC_BATCH_SAMPLES = 2**14  # per set, both libraries, in the batch cell
MC_BATCH_EXACT = 100  # the batch cell's estimates are checked on this many leading sets
FPRAS_EPS = 0.1
FPRAS_DELTA = 0.1
PYGMO_FPRAS_SEED = 0
# A matched frontierkit call predicted (from the pilot) to take longer than this is timed with
# fewer samples, about MC_PART_CALL seconds' worth, and its time scaled up linearly.
MC_MAX_CALL = 60.0
MC_PART_CALL = 15.0
FUNCTION_NAMES = {
    "rank": "pareto_rank",
    "front": "is_nondominated",
    "hv": "hypervolume",
    "hvc": "hv_contributions",
}


# --- cells -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One benchmark: an operation on one generated array."""

    op: str  # "rank" (Pareto ranks), "front" (first-front mask), "hv", "hvc" (contributions),
    # a fit: "sat" (saturating power laws), "varpro", "grid", "boot" (Chinchilla fits), or
    # Monte Carlo: "hva" (hv_approx, accuracy-matched, or batched), "fpras"
    dist: str  # "uniform", "sphere", "batch" (uniform sets), "sphere-batch"; fits: "curves"
    # (generated), "chinchilla" (the Epoch data)
    n: int  # points (per set for a batch; per curve for a fit)
    d: int  # objectives (inputs of a fitted model)
    b: int = 0  # sets in a batch (dist == "batch"); curves, grid starts or bootstrap resamples
    target: bool = False  # one of the targets the project set itself
    quick: int = 0  # n (or b for a batch or a fit) in --quick mode; 0: n // 10 (b // 10)
    budget: float = 0.0  # fits: peers run in full up to max(--budget, this) seconds per call

    @property
    def name(self) -> str:
        if self.group == "fit":
            return _fit_name(self)
        if self.group == "mc":
            return _mc_name(self)
        fn = FUNCTION_NAMES[self.op]
        if self.dist == "batch":
            return f"{fn} batch {self.b}x{self.n} d={self.d}"
        if self.dist == "sphere-batch":
            return f"{fn} sphere batch {self.b}x{self.n} d={self.d}"
        return f"{fn} {self.dist} n={_sci(self.n)} d={self.d}"

    @property
    def group(self) -> str:
        """'sort', 'hv', 'fit' or 'mc': a word ``--cells`` selects the whole group with."""
        if self.op in FIT_OPS:
            return "fit"
        if self.op in MC_OPS:
            return "mc"
        return "hv" if self.op in HV_OPS else "sort"

    @property
    def batched(self) -> bool:
        return self.dist in ("batch", "sphere-batch")

    @property
    def ref(self) -> np.ndarray:
        return np.full(self.d, HV_REF)

    def shrunk(self) -> Cell:
        """The --quick version of this cell (no longer a target: its size differs)."""
        if self.group == "fit":
            # The Chinchilla fits keep their data (and the grid its 4,500 starts).
            if self.op in ("varpro", "grid"):
                return self
            return replace(self, b=self.quick or self.b // 10, target=False)
        if self.batched:
            return Cell(self.op, self.dist, self.n, self.d, self.quick or self.b // 10)
        return Cell(self.op, self.dist, self.quick or self.n // 10, self.d)


def _sci(n: int) -> str:
    """1000 -> '1e3', 50000 -> '5e4'; below 1000 as it is (300 -> '300')."""
    if n < 1000:
        return str(n)
    exp = int(math.floor(math.log10(n)))
    mant = n / 10**exp
    return f"{mant:g}e{exp}" if mant != 1 else f"1e{exp}"


def _fit_name(cell: Cell) -> str:
    """'sat 10k x 20', 'chinchilla varpro', 'chinchilla hoffmann grid', 'chinchilla bootstrap
    4000'."""
    if cell.op == "sat":
        k = f"{cell.b // 1000}k" if cell.b % 1000 == 0 else str(cell.b)
        return f"sat {k} x {cell.n}"
    if cell.op == "boot":
        return f"chinchilla bootstrap {cell.b}"
    return {"varpro": "chinchilla varpro", "grid": "chinchilla hoffmann grid"}[cell.op]


def _mc_name(cell: Cell) -> str:
    """'hv_approx sphere n=1e4 d=10 accuracy-matched', 'hv_approx fpras sphere n=1e4 d=10
    eps=delta=0.1', 'hv_approx sphere batch 1000x100 d=8 2^14 samples/set'."""
    if cell.batched:
        k = int(math.log2(MC_BATCH_SAMPLES))
        return f"hv_approx sphere batch {cell.b}x{cell.n} d={cell.d} 2^{k} samples/set"
    data = f"{cell.dist} n={_sci(cell.n)} d={cell.d}"
    if cell.op == "fpras":
        eps = f"eps=delta={FPRAS_EPS:g}" if FPRAS_EPS == FPRAS_DELTA else f"eps={FPRAS_EPS:g}"
        return f"hv_approx fpras {data} {eps}"
    return f"hv_approx {data} accuracy-matched"


CELLS: list[Cell] = [
    Cell("rank", "uniform", 100_000, 2, target=True),
    Cell("rank", "uniform", 100_000, 3, target=True),
    Cell("rank", "uniform", 100_000, 10, target=True),
    Cell("front", "uniform", 1_000_000, 2, target=True),
    Cell("front", "uniform", 1_000_000, 3, target=True),
    Cell("front", "uniform", 100_000, 10, target=True),
    Cell("front", "sphere", 100_000, 3, target=True),
    Cell("front", "sphere", 100_000, 5, target=True),
    Cell("rank", "uniform", 10_000, 2),
    Cell("rank", "uniform", 10_000, 3),
    Cell("rank", "uniform", 10_000, 5),
    Cell("rank", "batch", 200, 3, b=1000),
    Cell("front", "batch", 200, 3, b=1000),
    # Hypervolume. --quick sizes are set by hand: the cost grows steeply with d, so a flat
    # tenth would leave the high-d cells either trivial or slow.
    Cell("hv", "sphere", 1_000_000, 2, target=True),
    Cell("hv", "sphere", 100_000, 3, target=True),
    Cell("hv", "sphere", 10_000, 4, target=True, quick=1000),
    Cell("hv", "sphere", 10_000, 5, target=True, quick=1000),
    Cell("hv", "sphere", 1_000, 6, target=True, quick=200),
    Cell("hv", "sphere", 300, 8, target=True, quick=60),
    Cell("hv", "sphere", 100, 10, target=True, quick=30),
    Cell("hvc", "sphere", 100_000, 2, target=True),
    Cell("hvc", "sphere", 10_000, 3, target=True),
    Cell("hvc", "sphere", 1_000, 4, target=True, quick=200),
    Cell("hvc", "sphere", 300, 6, target=True, quick=60),
    Cell("hvc", "sphere", 100, 8, target=True, quick=30),
    Cell("hv", "sphere-batch", 100, 3, b=10_000, target=True),
    Cell("hv", "uniform", 100_000, 3),
    Cell("hv", "uniform", 1_000, 5, quick=200),
    Cell("hv", "batch", 100, 3, b=10_000),
    # Curve fitting. SciPy's curve_fit runs on all 10,000 curves (about half a minute), so that
    # every fit is checked; the Chinchilla peers' loops are predicted from part of the loop.
    Cell("sat", "curves", 20, 1, b=10_000, target=True, quick=1000, budget=90.0),
    Cell("varpro", "chinchilla", 240, 2, b=HOFFMANN_STARTS, target=True),
    Cell("grid", "chinchilla", 240, 2, b=HOFFMANN_STARTS, target=True),
    Cell("boot", "chinchilla", 240, 2, b=4000, target=True, quick=400),
    # Monte Carlo hypervolume ("mc", only when --cells selects it): estimates judged by their
    # error against a reference (see run_mc_cell).
    Cell("hva", "sphere", 10_000, 10, target=True),
    Cell("fpras", "sphere", 10_000, 10),
    Cell("hva", "sphere-batch", 100, 8, b=1000),
]
GROUPS = ("sort", "hv", "fit", "mc")
DEFAULT_GROUPS = ("sort", "hv", "fit")  # the groups a run without --cells takes


def make_data(cell: Cell, seed: int) -> np.ndarray:
    """The array of a cell (C-contiguous float64)."""
    rng = np.random.default_rng(seed)
    if cell.dist == "uniform":
        return rng.random((cell.n, cell.d))
    if cell.dist == "batch":
        return rng.random((cell.b, cell.n, cell.d))
    if cell.dist == "sphere":
        x = np.abs(rng.standard_normal((cell.n, cell.d)))
        x /= np.linalg.norm(x, axis=1, keepdims=True)
        return x
    if cell.dist == "sphere-batch":
        x = np.abs(rng.standard_normal((cell.b, cell.n, cell.d)))
        x /= np.linalg.norm(x, axis=-1, keepdims=True)
        return x
    raise ValueError(f"unknown distribution {cell.dist!r}")


def data_recipe(cell: Cell, seed: int) -> str:
    """Python expression that rebuilds a cell's array."""
    rng = f"np.random.default_rng({seed})"
    if cell.dist == "uniform":
        return f"{rng}.random(({cell.n}, {cell.d}))"
    if cell.dist == "batch":
        return f"{rng}.random(({cell.b}, {cell.n}, {cell.d}))"
    if cell.dist == "sphere-batch":
        return (
            f"x = np.abs({rng}.standard_normal(({cell.b}, {cell.n}, {cell.d}))); "
            "x /= np.linalg.norm(x, axis=-1, keepdims=True)"
        )
    return (
        f"x = np.abs({rng}.standard_normal(({cell.n}, {cell.d}))); "
        "x /= np.linalg.norm(x, axis=1, keepdims=True)"
    )


# --- curve-fitting data and objectives -------------------------------------------------------

CHINCHILLA_CSV = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "chinchilla_svg_extracted_data.csv"
)
SAT_X = (1e6, 1e9)  # x of every saturating curve: log-spaced over this range
SAT_NOISE = 0.01  # multiplicative: y * (1 + 0.01 z), z ~ N(0, 1)
HUBER_DELTA = 1e-3  # Hoffmann et al.'s Huber threshold, on log L
BOOT_SEED = 0  # fit_chinchilla(..., bootstrap=B, seed=BOOT_SEED); the peers draw the same rows
GRID_SEED = 0  # the order of the grid's starts for the peers (leading parts are random samples)


@dataclass
class FitData:
    """The data of a fit cell.

    ``items`` is what a peer loops over, and what a prediction times a leading part of: the
    curves ``Y`` (K, M), the grid's starts (S, 5) as internal parameters (ln E, ln A, ln B,
    alpha, beta), or the resamples as weights (B, M), how often each point was drawn.
    """

    items: np.ndarray
    x: np.ndarray  # sat: the x shared by every curve (M,); Chinchilla: N and D (M, 2)
    y: np.ndarray | None = None  # Chinchilla: L (M,)
    key: str = ""  # a peer's loop over the same items runs once (the grid cells share one)
    recipe: str = ""
    cache: dict[Any, Any] = field(default_factory=dict)  # a peer's untimed setup


def load_chinchilla(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Epoch AI's 240 points (N, D, L): the five highest losses dropped, D = C / (6 N)."""
    import csv

    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    n = np.array([float(r["Model Size"]) for r in rows])
    c = np.array([float(r["Training FLOP"]) for r in rows])
    loss = np.array([float(r["loss"]) for r in rows])
    keep = loss < np.sort(loss)[-5]
    return n[keep], (c / (6 * n))[keep], loss[keep]


def hoffmann_grid() -> np.ndarray:
    """Hoffmann et al.'s 4,500 starts as (ln E, ln A, ln B, alpha, beta): e in {-1, -.5, .., 1},
    a, b in {0, 5, .., 25}, alpha, beta in {0, .5, .., 2}."""
    axes = (
        np.arange(-1.0, 1.01, 0.5),
        np.arange(0.0, 25.1, 5.0),
        np.arange(0.0, 25.1, 5.0),
        np.arange(0.0, 2.01, 0.5),
        np.arange(0.0, 2.01, 0.5),
    )
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 5)
    assert len(grid) == HOFFMANN_STARTS
    return grid


def resample_weights(m: int, b: int, seed: int) -> np.ndarray:
    """``b`` bootstrap resamples of ``m`` points as counts (b, m): row i draws ``m`` points with
    replacement, ``np.random.default_rng(seed).integers(0, m, (b, m))``."""
    draws = np.random.default_rng(seed).integers(0, m, size=(b, m))
    w = np.zeros((b, m))
    np.add.at(w, (np.arange(b)[:, None], draws), 1.0)
    return w


def make_fit_data(cell: Cell, seed: int, csv_path: Path) -> FitData | str:
    """The data of a fit cell, or why there is none (the Chinchilla file is missing)."""
    if cell.op == "sat":
        rng = np.random.default_rng(seed)
        x = np.geomspace(*SAT_X, cell.n)
        k = cell.b
        a, b, c = rng.uniform(5, 50, k), rng.uniform(0.1, 0.6, k), rng.uniform(1, 3, k)
        noise = 1 + SAT_NOISE * rng.standard_normal((k, cell.n))
        y = (a[:, None] * x ** -b[:, None] + c[:, None]) * noise
        recipe = (
            f"rng = np.random.default_rng({seed}); x = np.geomspace({SAT_X[0]:g}, {SAT_X[1]:g}, "
            f"{cell.n}); a, b, c = rng.uniform(5, 50, {k}), rng.uniform(0.1, 0.6, {k}), "
            f"rng.uniform(1, 3, {k}); Y = (a[:, None] * x ** -b[:, None] + c[:, None]) * "
            f"(1 + {SAT_NOISE:g} * rng.standard_normal(({k}, {cell.n})))"
        )
        return FitData(y, x, key=f"sat {seed} {k} {cell.n}", recipe=recipe)
    if not csv_path.is_file():
        return f"the Chinchilla data {csv_path} is missing (see --chinchilla-csv)"
    n, d, loss = load_chinchilla(csv_path)
    x = np.column_stack([n, d])
    src = f"Epoch's {len(loss)} points from {csv_path.name}"
    if cell.op == "boot":
        w = resample_weights(len(loss), cell.b, BOOT_SEED)
        recipe = (
            f"{src}; resample i draws the points np.random.default_rng({BOOT_SEED})"
            f".integers(0, {len(loss)}, ({cell.b}, {len(loss)}))[i]"
        )
        return FitData(w, x, loss, key=f"boot {cell.b}", recipe=recipe)
    grid = hoffmann_grid()[np.random.default_rng(GRID_SEED).permutation(HOFFMANN_STARTS)]
    recipe = f"{src}; the peers' starts: Hoffmann et al.'s grid, shuffled by seed {GRID_SEED}"
    return FitData(grid, x, loss, key="hoffmann grid", recipe=recipe)


def sat_cost(params: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``0.5 * sum (a x^-b + c - y)^2`` per curve, params (K, 3), y (K, M): SciPy's cost."""
    a, b, c = (params[:, j : j + 1] for j in range(3))
    with np.errstate(over="ignore", invalid="ignore"):
        r = a * np.exp(-b * np.log(x)) + c - y
    return 0.5 * np.sum(r * r, axis=1)


def chinchilla_cost(
    theta: np.ndarray, x: np.ndarray, loss: np.ndarray, w: Any = None
) -> np.ndarray:
    """Hoffmann et al.'s objective at S internal parameter rows (S, 5) = (ln E, ln A, ln B,
    alpha, beta): ``sum w * huber(log(E + A N^-alpha + B D^-beta) - log L)`` with SciPy's Huber
    (``0.5 r^2`` up to delta), weights (M,) or (S, M), one per row."""
    ln_e, ln_a, ln_b, alpha, beta = (theta[:, j : j + 1] for j in range(5))
    ln_n, ln_d = np.log(x[:, 0]), np.log(x[:, 1])
    with np.errstate(over="ignore", invalid="ignore"):
        pred = np.logaddexp(np.logaddexp(ln_a - alpha * ln_n, ln_b - beta * ln_d), ln_e)
        r = np.abs(pred - np.log(loss))
        h = np.where(r <= HUBER_DELTA, 0.5 * r * r, HUBER_DELTA * (r - 0.5 * HUBER_DELTA))
    return np.sum(h if w is None else w * h, axis=1)


def chinchilla_internal(params: np.ndarray) -> np.ndarray:
    """frontierkit's reported (E, A, B, alpha, beta) rows as (ln E, ln A, ln B, alpha, beta)."""
    theta = np.array(params, dtype=np.float64, ndmin=2)
    with np.errstate(divide="ignore", invalid="ignore"):
        theta[:, :3] = np.log(theta[:, :3])
    return theta


# --- libraries -------------------------------------------------------------------------------


@dataclass
class Impl:
    """What one library offers: functions returning 0-based ranks, a boolean mask, hypervolumes
    or per-row hypervolume contributions (``hv`` and ``hvc`` take the points and ``ref``).

    ``weak``: its first front keeps every copy of a non-dominated row (frontierkit's
    ``keep_weakly=True``); otherwise only the first copy (frontierkit's default).

    Fits (``sat``, ``varpro``, ``grid``, ``boot``, one per fit op) take the cell's
    :class:`FitData` and the items to fit (all of ``data.items`` or a leading part of them).
    frontierkit's return its result object; a peer's return one row of parameters per item
    (a curve's ``a, b, c``; Chinchilla's ln E, ln A, ln B, alpha, beta), NaN where it failed.

    Monte Carlo (peers only; ``run_mc_cell`` calls frontierkit itself): ``hv_approx(points,
    ref, nsamples)`` an estimate of one set's hypervolume (``nsamples`` None: the library's
    default), ``hv_fpras(points, ref, epsilon, delta)`` an (epsilon, delta) approximation.
    """

    version: str
    rank: Fn | None = None
    front: Fn | None = None
    weak: bool = True
    rank_batch: Fn | None = None  # one call on a (b, n, d) array; default: a loop over sets
    front_batch: Fn | None = None
    hv: HvFn | None = None
    hvc: HvFn | None = None
    hv_batch: HvFn | None = None  # one call on a (b, n, d) array; default: a loop over sets
    # Used instead of ``hv`` on data known to be mutually non-dominated (sphere cells), for a
    # library that needs such input and would otherwise pay for a filter first.
    hv_front_only: HvFn | None = None
    sat: FitFn | None = None
    varpro: FitFn | None = None
    grid: FitFn | None = None
    boot: FitFn | None = None
    hv_approx: Callable[[np.ndarray, np.ndarray, int | None], float] | None = None
    hv_fpras: Callable[[np.ndarray, np.ndarray, float, float], float] | None = None
    how: dict[str, str] = field(default_factory=dict)  # op -> what is called, for the notes

    def fit_function(self, cell: Cell, data: FitData) -> Fn | None:
        """The fit of ``cell`` as a function of the items (sliced for predictions)."""
        fn: FitFn | None = getattr(self, cell.op)
        if fn is None:
            return None
        return lambda items: fn(data, items)

    def function(self, cell: Cell) -> Fn | None:
        if cell.op in HV_OPS:
            return self._hv_function(cell)
        single = self.rank if cell.op == "rank" else self.front
        if cell.dist != "batch" or single is None:
            return single
        batched = self.rank_batch if cell.op == "rank" else self.front_batch
        return batched or _loop(single)

    def _hv_function(self, cell: Cell) -> Fn | None:
        ref = cell.ref
        if cell.op == "hvc":
            single = self.hvc
        elif cell.dist.startswith("sphere") and self.hv_front_only is not None:
            single = self.hv_front_only
        else:
            single = self.hv
        if single is None:
            return None
        if cell.batched and cell.op == "hv" and self.hv_batch is not None:
            batch = self.hv_batch
            return lambda x: batch(x, ref)
        if cell.batched:
            return lambda x: np.array([single(s, ref) for s in x])
        return lambda x: single(x, ref)


def _loop(fn: Fn) -> Fn:
    def run(x: np.ndarray) -> np.ndarray:
        return np.stack([fn(s) for s in x])

    return run


def _mask(n: int, idx: Any) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    out[np.asarray(idx, dtype=np.int64)] = True
    return out


def _ranks_from_fronts(n: int, fronts: Any) -> np.ndarray:
    out = np.full(n, -1, dtype=np.int64)
    for k, f in enumerate(fronts):
        out[np.asarray(f, dtype=np.int64)] = k
    return out


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def load_frontierkit() -> Impl:
    def chinchilla(data: FitData, **kw: Any) -> Any:
        return fk.fit_chinchilla(data.x[:, 0], data.x[:, 1], data.y, **kw)

    return Impl(
        version=fk.__version__,
        rank=fk.pareto_rank,
        front=fk.is_nondominated,
        weak=False,
        rank_batch=fk.pareto_rank,
        front_batch=fk.is_nondominated,
        hv=fk.hypervolume,
        hvc=fk.hv_contributions,
        hv_batch=fk.hypervolume,
        sat=lambda data, curves: fk.fit_curves("saturating_power", data.x, curves),
        varpro=lambda data, starts: chinchilla(data),
        grid=lambda data, starts: chinchilla(data, init="hoffmann"),
        boot=lambda data, w: chinchilla(data, bootstrap=len(w), seed=BOOT_SEED),
        how={
            "rank": "`pareto_rank`",
            "front": "`is_nondominated`",
            "batch": "one call on the (b, n, d) array",
            "hypervolume": "`hypervolume(F, ref)`",
            "contributions": "`hv_contributions(F, ref)`",
            "batched hypervolume": "one `hypervolume` call on the (b, n, d) array",
            "saturating power laws": '`fit_curves("saturating_power", x, Y)`, one call on the '
            "(K, 20) array (default options: variable-projection starts, least squares)",
            "Chinchilla": "`fit_chinchilla(N, D, L)` (variable-projection starts; Huber, "
            'delta 1e-3, on log L), and `init="hoffmann"` for the grid cell',
            "Chinchilla bootstrap": f"`fit_chinchilla(N, D, L, bootstrap=B, seed={BOOT_SEED})` "
            "(the full fit, then one warm-started refit per resample)",
            "Monte Carlo": f"`hv_approx(F, ref, n_samples=N, seed={MC_SEED})` (method `mc`, "
            "sampler `auto`), N matched to moocore's error as described under the table",
            "FPRAS": f'`hv_approx(F, ref, method="fpras", epsilon={FPRAS_EPS:g}, '
            f"delta={FPRAS_DELTA:g}, seed={MC_SEED})` (sampler `auto`)",
            "batched Monte Carlo": "one `hv_approx(X, ref, n_samples=2**"
            f"{int(math.log2(MC_BATCH_SAMPLES))}, seed={MC_SEED})` call on the (b, n, d) array",
        },
    )


def load_moocore() -> Impl:
    import moocore

    def hv(x: np.ndarray, ref: np.ndarray) -> float:
        return moocore.hypervolume(x, ref=ref)

    def hvc(x: np.ndarray, ref: np.ndarray) -> np.ndarray:
        return moocore.hv_contributions(x, ref=ref)

    def front_batch(x: np.ndarray) -> np.ndarray:
        b, n, d = x.shape
        sets = np.repeat(np.arange(b), n)
        return moocore.is_nondominated_within_sets(x.reshape(b * n, d), sets).reshape(b, n)

    def hv_approx(x: np.ndarray, ref: np.ndarray, nsamples: int | None) -> float:
        if nsamples is None:
            return moocore.hv_approx(x, ref=ref)
        return moocore.hv_approx(x, ref=ref, nsamples=nsamples)

    return Impl(
        version=_version("moocore"),
        rank=moocore.pareto_rank,
        front=moocore.is_nondominated,
        weak=False,
        front_batch=front_batch,
        hv=hv,
        hvc=hvc,
        hv_approx=hv_approx,
        how={
            "rank": "`pareto_rank`",
            "front": "`is_nondominated`",
            "batch": "ranks, a Python loop over the sets; first front, one "
            "`is_nondominated_within_sets` call",
            "hypervolume": "`hypervolume(F, ref=ref)`",
            "contributions": "`hv_contributions(F, ref=ref)` (default `ignore_dominated=True`: "
            "the same values as frontierkit's only on mutually non-dominated rows, hence "
            "sphere data)",
            "batched hypervolume": "a Python loop of `hypervolume` over the sets",
            "Monte Carlo": "`hv_approx(F, ref=ref)`, its defaults: method `Rphi-FWE+` "
            "(a deterministic low-discrepancy set of directions; the seed is unused), "
            "`nsamples=2**18`",
            "batched Monte Carlo": "a Python loop of `hv_approx(F, ref=ref, nsamples=2**"
            f"{int(math.log2(MC_BATCH_SAMPLES))})` over the sets (`Rphi-FWE+`)",
        },
    )


def load_pymoo() -> Impl:
    from pymoo.util.nds.non_dominated_sorting import NonDominatedSorting

    nds = NonDominatedSorting()

    def rank(x: np.ndarray) -> np.ndarray:
        return nds.do(x, return_rank=True)[1]

    def front(x: np.ndarray) -> np.ndarray:
        return _mask(len(x), nds.do(x, only_non_dominated_front=True))

    return Impl(
        version=_version("pymoo"),
        rank=rank,
        front=front,
        weak=True,
        how={
            "rank": "`NonDominatedSorting().do(F, return_rank=True)`",
            "front": "`NonDominatedSorting().do(F, only_non_dominated_front=True)`",
        },
    )


def load_pymoo_cython() -> Impl:
    from pymoo.functions import is_compiled, load_function

    if not is_compiled():
        raise ImportError("pymoo's compiled (Cython) functions are not available")
    ens = load_function("efficient_non_dominated_sort")
    find = load_function("find_non_dominated")

    def rank(x: np.ndarray) -> np.ndarray:
        return _ranks_from_fronts(len(x), ens(x))

    def front(x: np.ndarray) -> np.ndarray:
        return _mask(len(x), find(x))

    return Impl(
        version=_version("pymoo"),
        rank=rank,
        front=front,
        weak=True,
        how={
            "rank": '`load_function("efficient_non_dominated_sort")` (ENS-SS, Cython)',
            "front": '`load_function("find_non_dominated")` (Cython)',
        },
    )


def load_pygmo() -> Impl:
    import pygmo

    def rank(x: np.ndarray) -> np.ndarray:
        return np.asarray(pygmo.fast_non_dominated_sorting(x)[3], dtype=np.int64)

    def front(x: np.ndarray) -> np.ndarray:
        if x.shape[1] == 2:
            return _mask(len(x), pygmo.non_dominated_front_2d(x))
        return _mask(len(x), pygmo.fast_non_dominated_sorting(x)[0][0])

    # The object is built inside the timed call: copying the points in is part of pygmo's cost.
    def hv(x: np.ndarray, ref: np.ndarray) -> float:
        return pygmo.hypervolume(x).compute(ref)

    def hvc(x: np.ndarray, ref: np.ndarray) -> np.ndarray:
        return np.asarray(pygmo.hypervolume(x).contributions(ref))

    def fpras(x: np.ndarray, ref: np.ndarray, eps: float, delta: float) -> float:
        algo = pygmo.bf_fpras(eps=eps, delta=delta, seed=PYGMO_FPRAS_SEED)
        return pygmo.hypervolume(x).compute(ref, hv_algo=algo)

    return Impl(
        version=_version("pygmo"),
        rank=rank,
        front=front,
        weak=True,
        hv=hv,
        hvc=hvc,
        hv_fpras=fpras,
        how={
            "rank": "`fast_non_dominated_sorting(F)[3]`",
            "front": "d = 2, `non_dominated_front_2d(F)`; d > 2, "
            "`fast_non_dominated_sorting(F)[0][0]` (all fronts are computed)",
            "hypervolume": "`hypervolume(F).compute(ref)` (its default algorithm for the "
            "dimension)",
            "contributions": "`hypervolume(F).contributions(ref)`",
            "batched hypervolume": "a Python loop over the sets",
            "FPRAS": f"`hypervolume(F).compute(ref, hv_algo=bf_fpras(eps={FPRAS_EPS:g}, "
            f"delta={FPRAS_DELTA:g}, seed={PYGMO_FPRAS_SEED}))` (Bringmann and Friedrich's "
            "scheme; both objects are built inside the timed call)",
        },
    )


def load_paretoset() -> Impl:
    import paretoset

    def rank(x: np.ndarray) -> np.ndarray:
        return paretoset.paretorank(x, distinct=False) - 1

    def front(x: np.ndarray) -> np.ndarray:
        return paretoset.paretoset(x, distinct=True)

    return Impl(
        version=_version("paretoset"),
        rank=rank,
        front=front,
        weak=False,
        how={
            "rank": "`paretorank(F, distinct=False) - 1` (numba)",
            "front": "`paretoset(F, distinct=True)` (numba)",
        },
    )


def load_optuna() -> Impl:
    import optuna
    from optuna.study import _multi_objective as mo

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    fast_rank = getattr(mo, "_fast_non_domination_rank", None)
    is_front = getattr(mo, "_is_pareto_front", None)
    if fast_rank is None or is_front is None:
        raise ImportError(f"optuna {optuna.__version__} lacks the internal functions used here")

    def rank(x: np.ndarray) -> np.ndarray:
        return fast_rank(x)

    def front(x: np.ndarray) -> np.ndarray:
        return is_front(x, assume_unique_lexsorted=False)

    return Impl(
        version=_version("optuna"),
        rank=rank,
        front=front,
        weak=True,
        how={
            "rank": "`optuna.study._multi_objective._fast_non_domination_rank(F)` (internal)",
            "front": "`optuna.study._multi_objective._is_pareto_front(F, "
            "assume_unique_lexsorted=False)` (internal)",
        },
    )


def load_hvwfg() -> Impl:
    """The WFG reference code (While, Bradstreet, Barone) behind a thin Cython wrapper.

    Convention, read from hvwfg 1.0.2's source: minimisation, the caller's points and ``ref``
    as they are (the wrapper keeps rows ``<= ref`` and hands ``|row - ref|`` to the C code, which
    maximises from the origin). Two traps: the C code assumes a mutually non-dominated set
    (dominated rows give wrong volumes and can corrupt the heap), so rows that may be dominated
    go through ``moocore.is_nondominated`` first, inside the timed call; and ``hvwfg.hv``'s
    5-D dispatch (``hv5dr``) under-allocates and corrupts the heap from about ten points on, so
    5-D (like every d other than 4) calls the general ``wfg``.
    """
    import hvwfg
    import moocore  # the non-dominated filter hvwfg's C code needs

    def front_only(x: np.ndarray, ref: np.ndarray) -> float:
        fn = hvwfg.hv4dr if x.shape[1] == 4 else hvwfg.wfg
        return fn(np.ascontiguousarray(x, dtype=np.float64), np.ascontiguousarray(ref, np.float64))

    def hv(x: np.ndarray, ref: np.ndarray) -> float:
        return front_only(x[moocore.is_nondominated(x)], ref)

    return Impl(
        version=_version("hvwfg"),
        hv=hv,
        hv_front_only=front_only,
        how={
            "hypervolume": "d = 4, `hv4dr(F, ref)`; other d, `wfg(F, ref)` (never `hv5dr`: it "
            "corrupts the heap); sphere cells pass F as it is, other cells "
            "`F[moocore.is_nondominated(F)]` (WFG needs a non-dominated set; the filter is "
            "timed)",
            "batched hypervolume": "a Python loop over the sets",
        },
    )


def _sat_model(x: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
    return a * x**-b + c


def _sat_jacobian(x: np.ndarray, a: float, b: float, c: float) -> np.ndarray:
    p = x**-b
    return np.column_stack([p, -a * p * np.log(x), np.ones_like(x)])


def _sat_p0(log_x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """A user's start: c a tenth of the curve's range below its smallest value, then a and b
    from a straight line through (log x, log(y - c))."""
    span = float(y.max() - y.min()) or 1.0
    c = float(y.min()) - 0.1 * span
    slope, intercept = np.polyfit(log_x, np.log(y - c), 1)
    return math.exp(intercept), max(-slope, 1e-3), c


def _huber_lse(
    theta: np.ndarray, ln_n: np.ndarray, ln_d: np.ndarray, ln_l: np.ndarray, w: np.ndarray | None
) -> float:
    """Hoffmann et al.'s objective as Epoch AI's replication writes it: Huber (delta 1e-3) of
    ``log-sum-exp(a - alpha ln N, b - beta ln D, e) - ln L`` (e, a, b = ln E, ln A, ln B)."""
    ln_e, ln_a, ln_b, alpha, beta = theta
    r = np.logaddexp(np.logaddexp(ln_a - alpha * ln_n, ln_b - beta * ln_d), ln_e) - ln_l
    a = np.abs(r)
    h = np.where(a <= HUBER_DELTA, 0.5 * r * r, HUBER_DELTA * (a - 0.5 * HUBER_DELTA))
    return float(h.sum() if w is None else h @ w)


def _huber_lse_grad(
    theta: np.ndarray, ln_n: np.ndarray, ln_d: np.ndarray, ln_l: np.ndarray, w: np.ndarray | None
) -> tuple[float, np.ndarray]:
    """``_huber_lse`` and its gradient (written out by hand)."""
    ln_e, ln_a, ln_b, alpha, beta = theta
    t1, t2 = ln_a - alpha * ln_n, ln_b - beta * ln_d
    top = np.maximum(np.maximum(t1, t2), ln_e)
    e1, e2, e3 = np.exp(t1 - top), np.exp(t2 - top), np.exp(ln_e - top)
    s = e1 + e2 + e3
    r = top + np.log(s) - ln_l
    a = np.abs(r)
    inner = a <= HUBER_DELTA
    h = np.where(inner, 0.5 * r * r, HUBER_DELTA * (a - 0.5 * HUBER_DELTA))
    psi = np.where(inner, r, HUBER_DELTA * np.sign(r))  # d huber / d r
    if w is not None:
        h, psi = h * w, psi * w
    q = psi / s
    q1, q2 = q * e1, q * e2
    grad = np.array([q @ e3, q1.sum(), q2.sum(), -(q1 @ ln_n), -(q2 @ ln_d)])
    return float(h.sum()), grad


def load_scipy(jac: bool = False) -> Impl:
    """SciPy as a user fits with it: a Python loop of ``curve_fit`` (one call per curve), and
    ``minimize(method="L-BFGS-B")`` per start or resample of Hoffmann et al.'s Huber objective.
    ``jac``: analytic derivatives written by hand; otherwise SciPy's finite differences (as in
    Epoch AI's replication and most user code)."""
    from scipy.optimize import curve_fit, minimize

    objective = _huber_lse_grad if jac else _huber_lse
    sat_jac = _sat_jacobian if jac else None

    def sat(data: FitData, curves: np.ndarray) -> np.ndarray:
        x, log_x = data.x, np.log(data.x)
        out = np.full((len(curves), 3), np.nan)
        for i, y in enumerate(curves):
            try:
                out[i] = curve_fit(_sat_model, x, y, p0=_sat_p0(log_x, y), jac=sat_jac)[0]
            except RuntimeError:  # "Optimal parameters not found": no fit for this curve
                pass
        return out

    def lbfgs(data: FitData, theta0: np.ndarray, w: np.ndarray | None) -> np.ndarray:
        args = (np.log(data.x[:, 0]), np.log(data.x[:, 1]), np.log(data.y), w)
        return minimize(objective, theta0, args=args, method="L-BFGS-B", jac=jac).x

    def grid(data: FitData, starts: np.ndarray) -> np.ndarray:
        return np.array([lbfgs(data, t, None) for t in starts]).reshape(-1, 5)

    def full_fit(data: FitData) -> np.ndarray:
        """SciPy's own optimum on all points, the bootstrap refits' start (untimed: computed in
        the warm-up call): L-BFGS-B from the grid start with the lowest objective."""
        key = ("scipy full fit", jac)
        if key not in data.cache:
            starts = hoffmann_grid()
            best = starts[np.nanargmin(chinchilla_cost(starts, data.x, data.y))]
            data.cache[key] = lbfgs(data, best, None)
        return data.cache[key]

    def boot(data: FitData, weights: np.ndarray) -> np.ndarray:
        start = full_fit(data)
        return np.array([lbfgs(data, start, w) for w in weights]).reshape(-1, 5)

    fd = "analytic Jacobian (`jac=`)" if jac else "finite-difference Jacobian"
    fg = "analytic gradient (`jac=True`)" if jac else "finite-difference gradient"
    return Impl(
        version=_version("scipy"),
        sat=sat,
        varpro=grid,
        grid=grid,
        boot=boot,
        how={
            "saturating power laws": "a Python loop of `curve_fit(f, x, y, p0)`, one call per "
            f"curve, default method (`lm`) and tolerances, {fd}; p0: c a tenth of the curve's "
            "range below its minimum, a and b from a line fit of log(y - c) on log x; a curve "
            "whose fit raises (`maxfev` reached) counts as failed",
            "Chinchilla": '`minimize(f, theta0, method="L-BFGS-B")` from each of Hoffmann et '
            "al.'s 4,500 starts in turn (the best result wins), f the same Huber objective on "
            f"log-sum-exp(a - alpha ln N, b - beta ln D, e) as Epoch AI write it, {fg}, "
            "default tolerances",
            "Chinchilla bootstrap": "one L-BFGS-B run per resample (the objective weighted by "
            "how often each point was drawn), from SciPy's own full-data optimum (L-BFGS-B from "
            "the grid start with the lowest objective, computed once, untimed)",
        },
    )


PEER_LOADERS: dict[str, Callable[[], Impl]] = {
    "moocore": load_moocore,
    "pymoo": load_pymoo,
    "pymoo-cy": load_pymoo_cython,
    "pygmo": load_pygmo,
    "paretoset": load_paretoset,
    "optuna": load_optuna,
    "hvwfg": load_hvwfg,
    "scipy": load_scipy,
    "scipy-jac": lambda: load_scipy(jac=True),
}
# The groups of cells ("sort", "hv", "fit", "mc") each peer takes part in: a peer joins a run (is
# imported and gets a column) only when a selected cell is in one of its groups.
PEER_GROUPS: dict[str, tuple[str, ...]] = {
    "moocore": ("sort", "hv", "mc"),
    "pymoo": ("sort",),
    "pymoo-cy": ("sort",),
    "pygmo": ("sort", "hv", "mc"),
    "paretoset": ("sort",),
    "optuna": ("sort",),
    "hvwfg": ("hv",),
    "scipy": ("fit",),
    "scipy-jac": ("fit",),
}


# --- timing ----------------------------------------------------------------------------------


def _time_once(fn: Fn, x: np.ndarray) -> tuple[float, np.ndarray]:
    gc_was = gc.isenabled()
    gc.disable()
    try:
        t0 = time.perf_counter()
        out = fn(x)
        return time.perf_counter() - t0, out
    finally:
        if gc_was:
            gc.enable()


@dataclass(frozen=True)
class Growth:
    """How ``predict`` probes a peer: first slice, slice growth factor, exponent bounds."""

    start: int = 1000  # rows (sets for a batch)
    factor: int = 4
    max_expo: float = 2.5
    guess: float = 2.0  # exponent until two slices long enough to measure it were timed
    # Above 1: an estimate over the budget by less than this factor is probed further (on the
    # next slice, when that is predicted to fit the budget) before the peer is skipped.
    sure: float = 1.0
    trust: float = 0.05  # seconds a slice must take before its estimate is trusted


SORT_GROWTH = Growth()
SORT_BATCH_GROWTH = Growth(start=10)


def growth(cell: Cell) -> Growth:
    """The probe for a cell's peers."""
    if cell.group == "fit":
        # A loop over independent curves, starts or resamples: linear. The estimate rests on
        # 160 starts or resamples at least (the time per start varies with the start), and on
        # a slice of at least a second.
        return Growth(start=500 if cell.op == "sat" else 160, max_expo=1.0, guess=1.0, trust=1.0)
    if cell.op in SORT_OPS:
        return SORT_BATCH_GROWTH if cell.batched else SORT_GROWTH
    if cell.batched:
        return Growth(start=10, max_expo=1.5, guess=1.5)  # a loop over sets: linear
    # WFG-style methods grow far faster than n^2 in many dimensions (one peer takes minutes on
    # 100 points in 10-D): start small, double, and assume the steepest growth until measured.
    # Exponents measured on small slices wander, so a near miss is probed once more.
    steep = max(2.5, float(cell.d))
    return Growth(start=32, factor=2, max_expo=steep, guess=steep, sure=3.0)


def predict(
    fn: Fn,
    x: np.ndarray,
    budget: float,
    how: Growth | None = None,
    slices: list[tuple[int, float, Any]] | None = None,
) -> float | None:
    """Predict one call on all of ``x``; None when it fits in ``budget`` seconds.

    Times calls on leading slices (``x[:m]``, m growing ``how.factor``-fold, 4 by default) and
    extrapolates with the growth exponent measured between the last two slices (clamped to
    [1, ``how.max_expo``], 2.5 by default; ``how.guess``, 2 by default, until two slices have
    been timed). Returns the estimate once it exceeds the budget with a slice that took long
    enough to trust it (``how.trust`` seconds). ``slices``, when given, receives
    ``(m, seconds, result)`` of every timed slice.
    """
    if how is None:
        how = SORT_BATCH_GROWTH if x.ndim == 3 else SORT_GROWTH
    size = len(x)
    m = min(size, how.start)
    prev: tuple[int, float] | None = None
    while m < size:
        t, out = _time_once(fn, x[:m])
        if slices is not None:
            slices.append((m, t, out))
        if t > budget:
            return t * size / m
        expo = how.guess
        if prev is not None and prev[1] >= 2e-3:
            expo = min(how.max_expo, max(1.0, math.log(t / prev[1]) / math.log(m / prev[0])))
        est = t * (size / m) ** expo
        if est <= budget:
            return None
        if t >= how.trust and (est > how.sure * budget or t * how.factor**expo > budget):
            return est
        prev = (m, t)
        m = min(size, how.factor * m)
    return None


@dataclass
class Timing:
    median: float
    samples: int
    result: np.ndarray


def measure(fn: Fn, x: np.ndarray, repeat_time: float, min_repeats: int = 3) -> Timing:
    """Warm up, then take the median of ``min_repeats`` or more calls."""
    t, result = _time_once(fn, x)
    samples = [t] if t >= 1.0 else []
    want = max(min_repeats, min(100, int(repeat_time / max(t, 1e-7))))
    while len(samples) < want:
        samples.append(_time_once(fn, x)[0])
    return Timing(statistics.median(samples), len(samples), result)


# --- one cell --------------------------------------------------------------------------------


@dataclass
class Entry:
    """One library's outcome in one cell."""

    text: str  # what the table shows
    seconds: float | None = None  # median when timed (fits: or predicted)
    agrees: bool | None = None
    predicted: bool = False  # seconds extrapolated from part of a peer's loop
    note: str = ""  # fits: what the checks found, for the notes under the table


@dataclass
class Problem:
    cell: str
    library: str
    detail: str


def compare(cell: Cell, ref: np.ndarray, ref_weak: np.ndarray | None, out: Any, weak: bool) -> str:
    """'' when ``out`` matches frontierkit's result, else a description of the difference."""
    want = ref if cell.op == "rank" or not weak else ref_weak
    got = np.asarray(out)
    if got.shape != want.shape:
        return f"result shape {got.shape}, expected {want.shape}"
    got = got.astype(np.int64) if cell.op == "rank" else got.astype(bool)
    bad = np.flatnonzero((got != want).ravel())
    if bad.size == 0:
        return ""
    rows = np.unravel_index(bad[:5], want.shape)
    shown = ", ".join(
        f"row {tuple(int(i) for i in r) if want.ndim > 1 else int(r[0])}: "
        f"frontierkit {want[r].item()}, peer {got[r].item()}"
        for r in zip(*rows)
    )
    return f"{bad.size} of {want.size} values differ ({shown}{', ...' if bad.size > 5 else ''})"


def compare_hv(cell: Cell, want: np.ndarray, out: Any, atol: float) -> str:
    """'' when ``out`` equals frontierkit's hypervolume(s) or contributions within
    ``HV_RTOL`` (plus ``atol``), else a description of the difference."""
    got = np.asarray(out, dtype=np.float64)
    if got.shape != want.shape:
        return f"result shape {got.shape}, expected {want.shape}"
    with np.errstate(invalid="ignore"):
        ok = (got == want) | (np.abs(got - want) <= HV_RTOL * np.abs(want) + atol)
    bad = np.flatnonzero(~ok.ravel())
    if bad.size == 0:
        return ""
    if want.ndim == 0:
        return f"frontierkit {want.item()!r}, peer {got.item()!r}"
    unit = "set" if cell.batched else "row"
    shown = ", ".join(
        f"{unit} {int(i)}: frontierkit {float(want.flat[i])!r}, peer {float(got.flat[i])!r}"
        for i in bad[:5]
    )
    tol = f"relative {HV_RTOL:g}" + (f" + absolute {atol:.2g}" if atol else "")
    return (
        f"{bad.size} of {want.size} values differ beyond {tol} "
        f"({shown}{', ...' if bad.size > 5 else ''})"
    )


def _sort_reference(
    cell: Cell, x: np.ndarray, own: Timing, recipe: str, problems: list[Problem]
) -> Callable[[Impl, Any], str]:
    """frontierkit's own consistency checks; returns the check of a peer's result."""
    ref = np.asarray(own.result)
    ref = ref.astype(np.int64) if cell.op == "rank" else ref.astype(bool)
    ref_weak = None
    if cell.op == "front":
        ref_weak = np.asarray(fk.is_nondominated(x, keep_weakly=True), dtype=bool)
        if cell.dist == "sphere" and not ref.all():
            problems.append(
                Problem(
                    cell.name,
                    "frontierkit",
                    f"{int((~ref).sum())} rows of a mutually non-dominated set flagged as "
                    f"dominated ({recipe})",
                )
            )
    # Internal consistency: rank 0 is the first front (checked on a leading slice).
    sub = x[:100] if cell.dist == "batch" else x[:20000]
    rank0 = np.asarray(fk.pareto_rank(sub)) == 0
    if not np.array_equal(rank0, np.asarray(fk.is_nondominated(sub, keep_weakly=True))):
        problems.append(
            Problem(
                cell.name,
                "frontierkit",
                "pareto_rank == 0 differs from is_nondominated(keep_weakly=True) on the "
                f"leading {len(sub)} {'sets' if cell.dist == 'batch' else 'rows'} ({recipe})",
            )
        )
    return lambda lib, out: compare(cell, ref, ref_weak, out, lib.weak)


def _hv_reference(
    cell: Cell, x: np.ndarray, own: Timing, recipe: str, problems: list[Problem]
) -> Callable[[Impl, Any], str]:
    """frontierkit's own consistency checks; returns the check of a peer's result."""
    want = np.asarray(own.result, dtype=np.float64)
    ref = cell.ref

    def flag(detail: str) -> None:
        problems.append(Problem(cell.name, "frontierkit", f"{detail} ({recipe})"))

    if not np.isfinite(want).all():
        flag("non-finite result")
    if cell.batched:
        # The batched call against single calls on a few of its sets.
        k = min(len(x), 50)
        single = np.array([fk.hypervolume(s, ref) for s in x[:k]])
        if not np.allclose(single, want[:k], rtol=HV_RTOL, atol=0):
            flag(f"batched result differs from single calls on the leading {k} sets")
    elif cell.op == "hvc":
        # Exclusive regions are disjoint parts of the dominated region.
        total = float(fk.hypervolume(x, ref))
        if (want < 0).any() or want.sum() > total * (1 + 1e-9):
            flag(f"contributions negative or summing to {want.sum()!r} > hypervolume {total!r}")
    atol = 0.0
    if cell.op == "hvc":
        atol = HVC_ATOL_BOX * float(np.prod(ref - x.min(axis=0)))
    return lambda lib, out: compare_hv(cell, want, out, atol)


def _set_affinity(cpus: set[int]) -> None:
    """Every thread of the process on ``cpus`` (threads created later inherit the caller's)."""
    try:
        tids = [int(t) for t in os.listdir("/proc/self/task")]
    except OSError:
        tids = [0]
    for tid in tids:
        try:
            os.sched_setaffinity(tid, cpus)
        except OSError:  # a thread that ended meanwhile
            pass


@dataclass
class Cores:
    """Which CPUs the sorting cells and peers run on, and which frontierkit may use where."""

    pinned: set[int] | None = None  # None: --no-pin, nothing is restricted
    every: set[int] = field(default_factory=set)
    unpin: str = "none"  # "none", "hv5" (hypervolume cells with d >= 5), "hv" (all of them)

    def frontierkit_unpinned(self, cell: Cell) -> bool:
        """Whether frontierkit may use every CPU in ``cell`` (Monte Carlo cells: whether it is
        also timed on every CPU, beside its time on the pinned one)."""
        if self.pinned is None or len(self.every) < 2 or self.unpin == "none":
            return False
        if cell.group == "fit":  # batched fits thread over the problems
            return True
        if cell.group not in ("hv", "mc"):
            return False
        return self.unpin == "hv" or cell.d >= 5

    @contextlib.contextmanager
    def everywhere(self) -> Iterator[None]:
        """Every CPU inside the block, whatever the cell (untimed work: references)."""
        if self.pinned is None or len(self.every) < 2:
            yield
            return
        _set_affinity(self.every)
        try:
            yield
        finally:
            _set_affinity(self.pinned)

    @contextlib.contextmanager
    def for_frontierkit(self, cell: Cell) -> Iterator[bool]:
        """Every CPU inside the block where ``cell`` allows it (yields whether it does)."""
        if self.pinned is None or not self.frontierkit_unpinned(cell):
            yield False
            return
        _set_affinity(self.every)
        try:
            yield True
        finally:
            _set_affinity(self.pinned)


def run_cell(
    cell: Cell,
    libs: dict[str, Impl | str],
    seed: int,
    budget: float,
    repeat_time: float,
    problems: list[Problem],
    cores: Cores | None = None,
) -> dict[str, Entry]:
    """Time every library on one cell; ``libs`` maps a name to an Impl or a reason it is out."""
    x = make_data(cell, seed)
    pristine = x.copy()
    recipe = f"seed {seed}: {data_recipe(cell, seed)}"
    if cell.group == "hv":
        recipe += f"; ref = {HV_REF} in every objective"
    entries: dict[str, Entry] = {}

    cores = cores or Cores()
    mine = libs["frontierkit"]
    assert isinstance(mine, Impl)
    with cores.for_frontierkit(cell) as unpinned:
        own = measure(mine.function(cell), x, repeat_time)  # type: ignore[arg-type]
    reference = _hv_reference if cell.group == "hv" else _sort_reference
    check = reference(cell, x, own, recipe, problems)
    entries["frontierkit"] = Entry(_fmt(own.median), own.median, True)
    _progress(
        f"  frontierkit {_fmt(own.median)} ({own.samples} samples"
        + (f", {len(cores.every)} CPUs)" if unpinned else ")")
    )

    for name, lib in libs.items():
        if name == "frontierkit":
            continue
        if isinstance(lib, str):
            entries[name] = Entry(lib)
            continue
        fn = lib.function(cell)
        if fn is None:
            entries[name] = Entry("n/a")
            continue
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fn(x[:2] if cell.batched else x[:64])  # compile / warm caches
                est = predict(fn, x, budget, growth(cell))
                got = None if est is not None else measure(fn, x, repeat_time)
        except Exception as exc:  # a peer's failure is reported, never fatal
            entries[name] = Entry(f"error ({type(exc).__name__})")
            problems.append(Problem(cell.name, name, f"{type(exc).__name__}: {exc}"))
            _progress(f"  {name} failed: {type(exc).__name__}: {exc}")
        else:
            if got is None:
                entries[name] = Entry(f"skipped (est. {_fmt(est)})")
                _progress(f"  {name} skipped (est. {_fmt(est)} > {budget:g} s)")
            else:
                diff = check(lib, got.result)
                text = _fmt(got.median) + (" (differs)" if diff else "")
                if diff:
                    problems.append(Problem(cell.name, name, f"{diff}; data {recipe}"))
                entries[name] = Entry(text, got.median, not diff)
                _progress(f"  {name} {text} ({got.samples} samples)")
        if not np.array_equal(x, pristine):
            problems.append(Problem(cell.name, name, "modified its input array"))
            x[...] = pristine
    return entries


# --- one fit cell ----------------------------------------------------------------------------


def _short(exc: BaseException) -> str:
    """``Type: message``, the message's first line cut to 200 characters (pybind11 errors
    print the arguments, arrays included)."""
    lines = str(exc).strip().splitlines()
    msg = lines[0] if lines else ""
    return f"{type(exc).__name__}: {msg[:200]}{' …' if len(msg) > 200 or len(lines) > 1 else ''}"


def _gap(peer: np.ndarray, own: np.ndarray) -> str:
    """How far the peer's objectives lie above frontierkit's (relative), as a note."""
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = (peer - own) / np.abs(own)
    rel = rel[np.isfinite(rel)]
    if rel.size == 0:
        return ""
    return f"; peer objective / frontierkit's - 1: median {np.median(rel):.2g}, max {rel.max():.2g}"


def _first_bad(bad: np.ndarray, want: np.ndarray, got: np.ndarray, unit: str) -> str:
    i = int(np.flatnonzero(bad)[0])
    return f"e.g. {unit} {i}: {want[i]!r} vs {got[i]!r}"


@dataclass
class FitCheck:
    """frontierkit's fits in one cell, their objective recomputed here (``own``: per curve or
    resample; one value for a single fit), and the comparison of a peer's fits with them."""

    cell: Cell
    data: FitData
    own: np.ndarray
    note: str
    comparable: bool = True  # bootstrap: frontierkit drew the resamples this script draws

    def compare(self, out: np.ndarray) -> tuple[int, str, str]:
        """(how many of frontierkit's fits are worse than the peer's, a note, the details of
        the worse fits); ``out`` holds the peer's parameters for a leading part of the items."""
        data, m = self.data, len(out)
        size = len(data.items)
        part = "" if m == size else f" (the {m} timed of {size})"
        if self.cell.op == "sat":
            peer = sat_cost(out, data.x, data.items[:m])
            ok = np.isfinite(peer)
            with np.errstate(invalid="ignore"):
                worse = ok & ~(self.own[:m] <= peer * (1 + FIT_RTOL))
                better = ok & (self.own[:m] < peer * (1 - 1e-6))
            note = (
                f"{m} curves{part}: SciPy failed on {int((~ok).sum())}; frontierkit worse on "
                f"{int(worse.sum())} of the other {int(ok.sum())}, better (by more than 1e-6 "
                f"relative) on {int(better.sum())}{_gap(peer[ok], self.own[:m][ok])}"
            )
            unit = "curve"
        elif self.cell.op == "boot":
            if not self.comparable:
                return 0, f"{m} resamples{part} fitted; not compared (see frontierkit)", ""
            peer = chinchilla_cost(out, data.x, data.y, data.items[:m])
            with np.errstate(invalid="ignore"):
                worse = ~(self.own[:m] <= peer * (1 + FIT_RTOL))
                better = self.own[:m] < peer * (1 - 1e-6)
            note = (
                f"{m} resamples{part}: frontierkit worse on {int(worse.sum())}, better (by more "
                f"than 1e-6 relative) on {int(better.sum())}{_gap(peer, self.own[:m])}"
            )
            unit = "resample"
        else:
            costs = chinchilla_cost(out, data.x, data.y)
            best = float(np.nanmin(costs)) if np.isfinite(costs).any() else math.inf
            worse = np.array([not self.own[0] <= best * (1 + FIT_RTOL)])
            starts = f"{m} starts" if m == size else f"{m} of the {size} starts (the timed ones)"
            note = f"best objective over {starts}: {best:.12g}"
            peer, unit = np.array([best]), "fit"
        detail = ""
        if worse.any():
            rel = (self.own[:m] - peer) / np.abs(peer)
            i = int(np.nanargmax(np.where(worse, rel, -np.inf)))
            detail = (
                f"frontierkit's objective above the peer's on {int(worse.sum())} of {m} "
                f"{unit}s; worst: {unit} {i}, {self.own[i]!r} vs {peer[i]!r} (relative "
                f"{rel[i]:.2g})"
            )
        return int(worse.sum()), note, detail


def _fit_reference(cell: Cell, data: FitData, result: Any, problems: list[Problem]) -> FitCheck:
    """frontierkit's own checks: the reported cost is the objective recomputed here (relative
    1e-9) at the reported parameters; returns the check of a peer's fits."""

    def flag(detail: str) -> None:
        problems.append(Problem(cell.name, "frontierkit", f"{detail} ({data.recipe})"))

    def same(reported: np.ndarray, mine: np.ndarray, unit: str) -> bool:
        with np.errstate(invalid="ignore"):
            bad = ~(np.abs(reported - mine) <= 1e-9 * np.abs(mine))
        if bad.any():
            flag(
                f"reported cost differs from the objective recomputed at its parameters on "
                f"{int(bad.sum())} of {bad.size} {unit}s ({_first_bad(bad, reported, mine, unit)})"
            )
        return not bad.any()

    def statuses(status: Any) -> str:
        names, counts = np.unique(np.asarray(status).astype(str), return_counts=True)
        return ", ".join(f"{c} {s}" for s, c in zip(names, counts))

    if cell.op == "sat":
        own = sat_cost(np.asarray(result.params), data.x, data.items)
        same(np.asarray(result.cost, dtype=np.float64), own, "curve")
        note = f"status {statuses(result.status)}"
        return FitCheck(cell, data, own, note)
    fit = result.fit
    own = chinchilla_cost(chinchilla_internal(fit.params), data.x, data.y)
    same(np.atleast_1d(np.asarray(fit.cost, dtype=np.float64)), own, "fit")
    note = f"objective {own[0]:.12g}, status {statuses(fit.status)}"
    if cell.op != "boot":
        return FitCheck(cell, data, own, note)
    samples = result.boot.samples
    boot = chinchilla_cost(chinchilla_internal(samples.params), data.x, data.y, data.items)
    with np.errstate(invalid="ignore"):
        drawn = bool(np.all(np.abs(np.asarray(samples.cost) - boot) <= 1e-9 * np.abs(boot)))
    note += f"; resamples: status {statuses(samples.status)}"
    if not drawn:
        note += (
            "; its reported costs are not the objective on this script's resamples (another "
            "resampling scheme?), so the peers' refits are timed but not compared"
        )
    return FitCheck(cell, data, boot, note, comparable=drawn)


@dataclass
class FitRun:
    """A peer's loop in one fit cell: its time (measured, or predicted from ``m`` items) and
    its fits of the first ``m`` items."""

    seconds: float
    predicted: bool
    m: int
    out: np.ndarray
    samples: int
    cell: str  # the cell it was timed in (the grid cells share one run)


def _run_fit_peer(
    fn: Fn, cell: Cell, items: np.ndarray, budget: float, repeat_time: float
) -> FitRun:
    """Time a peer's loop: in full when predicted to fit ``budget`` (one call is enough when a
    call takes more than a second), else on a leading part, extrapolated linearly."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # curve_fit's OptimizeWarning and the like
        fn(items[:2])  # imports, caches, a peer's untimed setup
        slices: list[tuple[int, float, Any]] = []
        est = predict(fn, items, budget, growth(cell), slices)
        if est is None:
            got = measure(fn, items, repeat_time, min_repeats=1)
            return FitRun(got.median, False, len(items), got.result, got.samples, cell.name)
    m, _, out = slices[-1]
    return FitRun(est, True, m, out, 1, cell.name)


def run_fit_cell(
    cell: Cell,
    libs: dict[str, Impl | str],
    data: FitData | str,
    budget: float,
    repeat_time: float,
    problems: list[Problem],
    runs: dict[tuple[str, str], FitRun],
    cores: Cores,
) -> dict[str, Entry]:
    """Time every library on one fit cell. ``data`` is a reason when there is none; ``runs``
    keeps the peers' loops, which later cells on the same items reuse."""
    if isinstance(data, str):
        _progress(f"  skipped: {data}")
        return {
            k: Entry("skipped (no data)", note=data if k == "frontierkit" else "") for k in libs
        }
    mine = libs["frontierkit"]
    assert isinstance(mine, Impl)
    try:
        with cores.for_frontierkit(cell):
            own = measure(mine.fit_function(cell, data), data.items, repeat_time)  # type: ignore[arg-type]
    except Exception as exc:  # the cell cannot be checked; the other cells still run
        problems.append(Problem(cell.name, "frontierkit", _short(exc)))
        _progress(f"  frontierkit failed: {_short(exc)}")
        return {
            k: Entry(f"error ({type(exc).__name__})" if k == "frontierkit" else "—") for k in libs
        }
    check = _fit_reference(cell, data, own.result, problems)
    entries = {"frontierkit": Entry(_fmt(own.median), own.median, True, note=check.note)}
    _progress(f"  frontierkit {_fmt(own.median)} ({own.samples} samples); {check.note}")

    for name, lib in libs.items():
        if name == "frontierkit":
            continue
        if isinstance(lib, str):
            entries[name] = Entry(lib)
            continue
        fn = lib.fit_function(cell, data)
        if fn is None:
            entries[name] = Entry("n/a")
            continue
        pristine = data.items.copy()
        run = runs.get((name, data.key))
        if run is None:
            try:
                run = _run_fit_peer(fn, cell, data.items, max(budget, cell.budget), repeat_time)
            except Exception as exc:  # a peer's failure is reported, never fatal
                entries[name] = Entry(f"error ({type(exc).__name__})")
                problems.append(Problem(cell.name, name, _short(exc)))
                _progress(f"  {name} failed: {_short(exc)}")
                continue
            runs[(name, data.key)] = run
        worse, note, detail = check.compare(run.out)
        how = (
            f"predicted from {run.m} of {len(data.items)}"
            if run.predicted
            else f"{run.samples} sample{'s' if run.samples > 1 else ''}"
        )
        if run.cell != cell.name:
            how += f", the run of «{run.cell}»"
        text = ("≈ " if run.predicted else "") + _fmt(run.seconds)
        if worse:
            text += f" (fk worse on {worse})"
            problems.append(
                Problem(cell.name, "frontierkit", f"against {name}: {detail}; data {data.recipe}")
            )
        entries[name] = Entry(text, run.seconds, True, run.predicted, f"{note} ({how})")
        _progress(f"  {name} {text} ({how}); {note}")
        if not np.array_equal(data.items, pristine):
            problems.append(Problem(cell.name, name, "modified its input array"))
            data.items[...] = pristine
    return entries


# --- one Monte Carlo cell --------------------------------------------------------------------


@dataclass(frozen=True)
class MCReference:
    """What a Monte Carlo cell's estimates are judged against: one long ``hv_approx`` (a single
    set), or the exact volumes of a batch's leading sets."""

    value: Any  # float, or an array of exact volumes (b,)
    stderr: float  # 0 for exact volumes
    text: str  # how it was obtained, for the notes under the table


@dataclass
class MCResult:
    """One Monte Carlo cell: frontierkit on the pinned core (and on every CPU where ``--unpin``
    allows it), its one peer, how far each estimate lies from the reference, and notes."""

    own: Entry
    own_all: Entry | None  # None: not timed on every CPU
    peer: str
    other: Entry
    own_acc: str = ""
    peer_acc: str = ""
    notes: list[str] = field(default_factory=list)


# Per process: cells on the same data share one reference (and the first cell's name).
_MC_REFERENCES: dict[str, tuple[MCReference, str]] = {}


def _mc_cache_file(key: str) -> Path:
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / "frontierkit-compare-peers" / f"hv-ref-{digest}.json"


def mc_reference(
    cell: Cell, x: np.ndarray, recipe: str, log2: int, cores: Cores, cache: bool
) -> MCReference:
    """One set's reference: ``hv_approx`` of ``2**log2`` samples (seed ``MC_REF_SEED``) on every
    CPU, read from the cache file when it is there (and ``cache``), else computed (and saved)."""
    key = (
        f"{recipe}; hv_approx(x, ref, n_samples=2**{log2}, seed={MC_REF_SEED}); "
        f"frontierkit {fk.__version__}"
    )
    if key in _MC_REFERENCES:
        ref, first = _MC_REFERENCES[key]
        return replace(ref, text=f"as in «{first}» (the same data)")
    call = f"`hv_approx(F, ref, n_samples=2**{log2}, seed={MC_REF_SEED})`"
    path = _mc_cache_file(key)
    got: dict[str, Any] | None = None
    if cache and path.is_file():
        try:
            got = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(got, dict) or got.get("key") != key:
                got = None
        except (OSError, ValueError):
            got = None
    if got is not None:
        how = f"read from {path} (computed {got['date']} in {got['seconds']:.0f} s)"
        _progress(f"  reference {got['value']!r} +- {got['stderr']:.2g}, {how}")
    else:
        _progress(f"  reference: hv_approx with 2^{log2} samples on every CPU (untimed) ...")
        t0 = time.perf_counter()
        with cores.everywhere():
            est = fk.hv_approx(x, cell.ref, n_samples=2**log2, seed=MC_REF_SEED)
        got = {
            "key": key,
            "value": float(est.value),
            "stderr": float(est.stderr),
            "sampler": str(est.sampler),
            "seconds": time.perf_counter() - t0,
            "cpus": len(cores.every) if cores.pinned is not None else os.cpu_count(),
            "date": datetime.date.today().isoformat(),
        }
        how = f"computed here in {got['seconds']:.0f} s on {got['cpus']} CPUs"
        if cache:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(json.dumps(got, indent=1), encoding="utf-8")
                how += f", cached in {path}"
            except OSError as exc:
                how += f" (not cached: {type(exc).__name__})"
        _progress(f"  reference {got['value']!r} +- {got['stderr']:.2g} ({how})")
    text = (
        f"{call} = {got['value']:.7g} ± {got['stderr']:.2g} (standard error; "
        f"{got['sampler']} sampler), {how}"
    )
    ref = MCReference(float(got["value"]), float(got["stderr"]), text)
    _MC_REFERENCES[key] = (ref, cell.name)
    return ref


def _time_own(
    fn: Fn, x: np.ndarray, repeat_time: float, cell: Cell, cores: Cores
) -> tuple[Timing, Timing | None]:
    """frontierkit on the pinned core, then on every CPU where ``--unpin`` allows it."""
    own = measure(fn, x, repeat_time)
    both = None
    with cores.for_frontierkit(cell) as unpinned:
        if unpinned:
            both = measure(fn, x, repeat_time)
    return own, both


def _own_entries(
    own: Timing, both: Timing | None, cores: Cores, scale: float = 1.0
) -> tuple[Entry, Entry | None]:
    """frontierkit's entries; ``scale`` > 1: its calls were timed with ``1 / scale`` of the
    samples, and the time is predicted linearly (marked ``≈``)."""

    def entry(t: Timing) -> Entry:
        sec = t.median * scale
        return Entry(("≈ " if scale != 1.0 else "") + _fmt(sec), sec, True, scale != 1.0)

    one = entry(own)
    every = entry(both) if both is not None else None
    _progress(
        f"  frontierkit {one.text} ({own.samples} samples)"
        + (f"; {every.text} on {len(cores.every)} CPUs" if every is not None else "")
    )
    return one, every


def _time_peer(
    name: str, fn: Fn, x: np.ndarray, repeat_time: float, cell: Cell, problems: list[Problem]
) -> tuple[Entry, Any]:
    """A peer's median time and its result (None when it failed: reported, never fatal)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            got = measure(fn, x, repeat_time)
    except Exception as exc:
        problems.append(Problem(cell.name, name, _short(exc)))
        _progress(f"  {name} failed: {_short(exc)}")
        return Entry(f"error ({type(exc).__name__})"), None
    _progress(f"  {name} {_fmt(got.median)} ({got.samples} samples)")
    return Entry(_fmt(got.median), got.median, True), got.result


def _mc_matched(
    cell: Cell,
    x: np.ndarray,
    peer: Impl,
    reference: MCReference,
    repeat_time: float,
    problems: list[Problem],
    cores: Cores,
) -> MCResult:
    """moocore's default ``hv_approx`` against frontierkit's with the samples that make its
    reported standard error equal to moocore's actual error."""
    ref, want = cell.ref, float(reference.value)
    assert peer.hv_approx is not None
    approx = peer.hv_approx
    other, out = _time_peer(
        "moocore", lambda a: approx(a, ref, None), x, repeat_time, cell, problems
    )
    if out is None:
        return MCResult(Entry("not timed"), None, "moocore", other, notes=["moocore failed"])
    peer_err = abs(float(out) - want)
    # The pilot (another seed) measures frontierkit's standard error per sample, and roughly its
    # time per sample on the pinned core.
    t0 = time.perf_counter()
    pilot = fk.hv_approx(x, ref, n_samples=MC_PILOT_SAMPLES, seed=MC_PILOT_SEED)
    t_pilot = time.perf_counter() - t0
    target = max(peer_err, reference.stderr)
    n = math.ceil(MC_PILOT_SAMPLES * (pilot.stderr / target) ** 2)
    # moocore's error is measured against an estimate: within 2 of the reference's standard
    # errors either way, it would have given these sample counts.
    lo, hi = peer_err - 2 * reference.stderr, peer_err + 2 * reference.stderr
    n_lo = math.ceil(MC_PILOT_SAMPLES * (pilot.stderr / hi) ** 2)
    n_hi = f"{math.ceil(MC_PILOT_SAMPLES * (pilot.stderr / lo) ** 2):,}" if lo > 0 else "unbounded"
    notes = [
        f"moocore's estimate {float(out):.7g}: error {peer_err:.3g}, "
        f"{peer_err / reference.stderr:.1f} standard errors of the reference; an error 2 "
        f"reference standard errors smaller or larger would have matched N = {n_hi} or "
        f"{n_lo:,} samples (a larger reference, `--mc-reference-samples`, narrows this)",
        f"pilot: 2^{int(math.log2(MC_PILOT_SAMPLES))} samples (seed {MC_PILOT_SEED}), "
        f"standard error {pilot.stderr:.3g} ({pilot.sampler} sampler), so N = ceil(2^"
        f"{int(math.log2(MC_PILOT_SAMPLES))} × ({pilot.stderr:.3g} / {target:.3g})^2) = {n:,}",
    ]
    if target > peer_err:
        notes.append(
            "moocore's error is below the reference's standard error: matched to the latter"
        )
    n_timed, scale = n, 1.0
    predicted = t_pilot * n / MC_PILOT_SAMPLES
    if predicted > MC_MAX_CALL:
        n_timed = max(MC_PILOT_SAMPLES, math.ceil(n * MC_PART_CALL / predicted))
        scale = n / n_timed
        notes.append(
            f"a call with N samples was predicted to take {_fmt(predicted)}: timed with "
            f"{n_timed:,} samples and scaled by {scale:.3g} (`≈`)"
        )
    _progress(f"  moocore error {peer_err:.3g}; frontierkit N = {n:,} samples")
    fn = lambda a: fk.hv_approx(a, ref, n_samples=n_timed, seed=MC_SEED)  # noqa: E731
    own, both = _time_own(fn, x, repeat_time, cell, cores)
    est = own.result
    err = abs(float(est.value) - want)
    own_acc = f"error {err:.2g}, stderr {est.stderr:.2g}; {n_timed:,} samples ({est.sampler})"
    if est.sampler != pilot.sampler:
        notes.append(f"the pilot chose the {pilot.sampler} sampler, the timed calls {est.sampler}")
    bar = 4.0 * math.hypot(float(est.stderr), reference.stderr)
    if not np.isfinite(est.value) or err > bar:
        problems.append(
            Problem(
                cell.name,
                "frontierkit",
                f"estimate {float(est.value)!r} is {err:.3g} from the reference {want!r}, more "
                f"than 4 combined standard errors ({bar:.3g})",
            )
        )
    one, every = _own_entries(own, both, cores, scale)
    peer_acc = f"error {peer_err:.2g} ({peer_err / want:.2g} relative)"
    return MCResult(one, every, "moocore", other, own_acc, peer_acc, notes)


def _mc_fpras(
    cell: Cell,
    x: np.ndarray,
    peer: Impl | str,
    reference: MCReference,
    repeat_time: float,
    problems: list[Problem],
    cores: Cores,
) -> MCResult:
    """pygmo's ``bf_fpras`` against frontierkit's ``method="fpras"``, at the same epsilon and
    delta; both judged by their relative error."""
    ref, want = cell.ref, float(reference.value)

    def outside(name: str, value: float) -> None:
        rel = abs(value - want) / want
        if not rel <= FPRAS_EPS:
            problems.append(
                Problem(
                    cell.name,
                    name,
                    f"FPRAS estimate {value!r} lies {rel:.3g} (relative) from the reference "
                    f"{want!r}, beyond epsilon = {FPRAS_EPS:g} (allowed with probability "
                    f"{FPRAS_DELTA:g})",
                )
            )

    fn = lambda a: fk.hv_approx(  # noqa: E731
        a, ref, method="fpras", epsilon=FPRAS_EPS, delta=FPRAS_DELTA, seed=MC_SEED
    )
    try:
        own, both = _time_own(fn, x, repeat_time, cell, cores)
    except Exception as exc:  # an older build without method="fpras"
        problems.append(Problem(cell.name, "frontierkit", _short(exc)))
        _progress(f"  frontierkit failed: {_short(exc)}")
        own_text = Entry(f"error ({type(exc).__name__})")
        return MCResult(own_text, None, "pygmo", Entry("—"), notes=[])
    est = own.result
    outside("frontierkit", float(est.value))
    rel = abs(float(est.value) - want) / want
    own_acc = f"relative error {rel:.2g}; {int(est.n_samples):,} samples ({est.sampler})"
    one, every = _own_entries(own, both, cores)
    if isinstance(peer, str):
        return MCResult(one, every, "pygmo", Entry(peer), own_acc)
    assert peer.hv_fpras is not None
    fpras = peer.hv_fpras
    other, out = _time_peer(
        "pygmo", lambda a: fpras(a, ref, FPRAS_EPS, FPRAS_DELTA), x, repeat_time, cell, problems
    )
    peer_acc = ""
    if out is not None:
        outside("pygmo", float(out))
        peer_acc = f"relative error {abs(float(out) - want) / want:.2g}"
    return MCResult(one, every, "pygmo", other, own_acc, peer_acc)


def _mc_batch(
    cell: Cell,
    x: np.ndarray,
    peer: Impl,
    reference: MCReference,
    repeat_time: float,
    problems: list[Problem],
    cores: Cores,
) -> MCResult:
    """One batched ``hv_approx`` call against a loop of moocore's, the same samples per set;
    both judged on the exact volumes of the leading sets."""
    ref, exact = cell.ref, np.asarray(reference.value)
    k = len(exact)
    fn = lambda a: fk.hv_approx(a, ref, n_samples=MC_BATCH_SAMPLES, seed=MC_SEED)  # noqa: E731
    own, both = _time_own(fn, x, repeat_time, cell, cores)
    est = own.result
    value, se = np.asarray(est.value)[:k], np.asarray(est.stderr)[:k]
    rel = (value - exact) / exact
    cover = float(np.mean(np.abs(value - exact) <= 1.96 * se))
    own_acc = (
        f"RMS relative error {np.sqrt(np.mean(rel**2)):.2g}, mean stderr "
        f"{np.mean(se / exact):.2g} (relative); 95% intervals hold {cover:.0%}"
    )
    if not np.isfinite(np.asarray(est.value)).all() or cover < 0.85:
        problems.append(
            Problem(
                cell.name,
                "frontierkit",
                f"non-finite estimates, or 95% intervals holding only {cover:.0%} of the first "
                f"{k} exact volumes",
            )
        )
    one, every = _own_entries(own, both, cores)
    assert peer.hv_approx is not None
    approx = peer.hv_approx

    def loop(a: np.ndarray) -> np.ndarray:
        return np.array([approx(s, ref, MC_BATCH_SAMPLES) for s in a])

    other, out = _time_peer("moocore", loop, x, repeat_time, cell, problems)
    peer_acc = ""
    if out is not None:
        prel = (np.asarray(out)[:k] - exact) / exact
        peer_acc = f"RMS relative error {np.sqrt(np.mean(prel**2)):.2g}"
    return MCResult(one, every, "moocore", other, own_acc, peer_acc)


def run_mc_cell(
    cell: Cell,
    libs: dict[str, Impl | str],
    seed: int,
    repeat_time: float,
    problems: list[Problem],
    cores: Cores,
    ref_log2: int = MC_REF_LOG2,
    cache: bool = True,
) -> MCResult:
    """Time frontierkit and the cell's peer (moocore, or pygmo for FPRAS) on a Monte Carlo cell,
    and measure both estimates' errors against the reference."""
    x = make_data(cell, seed)
    pristine = x.copy()
    recipe = f"seed {seed}: {data_recipe(cell, seed)}; ref = {HV_REF} in every objective"
    name = "pygmo" if cell.op == "fpras" else "moocore"
    peer = libs.get(name, "not loaded")
    if cell.batched:
        k = min(len(x), MC_BATCH_EXACT)
        t0 = time.perf_counter()
        with cores.everywhere():
            exact = np.asarray(fk.hypervolume(x[:k], cell.ref), dtype=np.float64)
        reference = MCReference(
            exact,
            0.0,
            f"the exact `hypervolume` of the first {k} sets (computed here in "
            f"{time.perf_counter() - t0:.1f} s)",
        )
    else:
        reference = mc_reference(cell, x, recipe, ref_log2, cores, cache)
    if isinstance(peer, str) and cell.op != "fpras":
        # No accuracy to match, no loop to compare with: nothing to time.
        return MCResult(Entry("not timed"), None, name, Entry(peer), notes=[reference.text])
    run = {"fpras": _mc_fpras}.get(cell.op, _mc_batch if cell.batched else _mc_matched)
    result = run(cell, x, peer, reference, repeat_time, problems, cores)  # type: ignore[arg-type]
    result.notes.insert(0, f"reference: {reference.text}; data {recipe}")
    if not np.array_equal(x, pristine):
        problems.append(Problem(cell.name, f"frontierkit or {name}", "modified its input array"))
    return result


# --- report ----------------------------------------------------------------------------------


def _fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1.0:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds:.3g} s" if seconds < 100 else f"{seconds:.0f} s"


def _progress(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _checkout() -> str:
    """The git revision of the source tree this script sits in ('' outside a checkout)."""
    try:
        out = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=os.path.dirname(os.path.abspath(__file__)),
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip()


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


# Which cells a label of ``Impl.how`` describes: the notes show it only when such a cell ran.
HOW_SHOWN: dict[str, Callable[[Cell], bool]] = {
    "rank": lambda c: c.group == "sort",
    "front": lambda c: c.group == "sort",
    "batch": lambda c: c.group == "sort",
    "hypervolume": lambda c: c.op == "hv",
    "contributions": lambda c: c.op == "hvc",
    "batched hypervolume": lambda c: c.op == "hv" and c.batched,
    "saturating power laws": lambda c: c.op == "sat",
    "Chinchilla": lambda c: c.op in ("varpro", "grid"),
    "Chinchilla bootstrap": lambda c: c.op == "boot",
    "Monte Carlo": lambda c: c.op == "hva" and not c.batched,
    "FPRAS": lambda c: c.op == "fpras",
    "batched Monte Carlo": lambda c: c.op == "hva" and c.batched,
}


def _title(cells: list[Cell]) -> str:
    groups = {c.group for c in cells}
    if groups == {"sort"}:
        return "## frontierkit vs peers: non-dominated sorting, one CPU core"
    if groups == {"hv"}:
        return "## frontierkit vs peers: hypervolume"
    if groups == {"fit"}:
        return "## frontierkit vs peers: curve fitting"
    if groups == {"mc"}:
        return "## frontierkit vs peers: Monte Carlo hypervolume"
    topics = {
        "sort": "non-dominated sorting",
        "hv": "hypervolume",
        "mc": "Monte Carlo hypervolume",
        "fit": "curve fitting",
    }
    shown = [t for g, t in topics.items() if g in groups]
    return "## frontierkit vs peers: " + ", ".join(shown[:-1]) + " and " + shown[-1]


def _ratio(r: float) -> str:
    return f"{r:.2f}×" if r >= 0.1 else f"{r:.2g}×"


def render_mc(mc_rows: list[tuple[Cell, MCResult]], cores: Cores) -> list[str]:
    """The Monte Carlo cells' table: times, ratios and each estimate's error."""
    every = f"CPUs {sorted(cores.every)}" if cores.pinned is not None else "every CPU"
    lines = [
        "- ratio = peer / frontierkit on one CPU (above 1: frontierkit is faster); "
        f"`all CPUs`: frontierkit free to use {every} (where `--unpin` allows it; the peer "
        "still on one); accuracy: each estimate against the reference named below the table",
        "",
        "| cell | frontierkit | frontierkit, all CPUs | peer | peer time | ratio | "
        "ratio, all CPUs | frontierkit accuracy | peer accuracy |",
        "|---|---:|---:|---|---:|---:|---:|---|---|",
    ]

    def ratio(e: Entry | None, peer: Entry) -> str:
        if e is None or not e.seconds or not peer.seconds:
            return "—"
        return ("≈ " if e.predicted else "") + _ratio(peer.seconds / e.seconds)

    for cell, r in mc_rows:
        cols = [
            cell.name + (" *" if cell.target else ""),
            r.own.text,
            r.own_all.text if r.own_all is not None else "—",
            r.peer,
            r.other.text,
            ratio(r.own, r.other),
            ratio(r.own_all, r.other),
            r.own_acc or "—",
            r.peer_acc or "—",
        ]
        lines.append("| " + " | ".join(cols) + " |")
    return lines


def render(
    rows: list[tuple[Cell, dict[str, Entry]]],
    libs: dict[str, Impl | str],
    problems: list[Problem],
    args: argparse.Namespace,
    pinned: str,
    cores: Cores | None = None,
    mc_rows: list[tuple[Cell, MCResult]] | None = None,
) -> str:
    cores = cores or Cores()
    mc_rows = mc_rows or []
    cells = [c for c, _ in rows] + [c for c, _ in mc_rows]
    fitting = any(c.group == "fit" for c in cells)
    unpinned = {c.name for c in cells if cores.frontierkit_unpinned(c) and c.group != "mc"}
    peers = [k for k in libs if k != "frontierkit"]
    versions = ", ".join(
        f"{k} {v.version}" if isinstance(v, Impl) else f"{k} ({v})" for k, v in libs.items()
    )
    checkout = _checkout()
    legend = "`*` marks a target cell"
    if any(e.predicted for _, entries in rows for e in entries.values()):
        legend += (
            "; `≈` a peer time predicted from a timed leading part of its loop (linear in the "
            "number of curves, starts or resamples)"
        )
    if unpinned:
        legend += (
            f"; `†` a cell where frontierkit may use all {len(cores.every)} CPUs "
            "(peers are single-threaded and stay on one)"
        )
    lines = [
        _title(cells),
        "",
        f"- date: {datetime.date.today().isoformat()}; CPU: {_cpu_name()} ({pinned}); "
        f"Python {platform.python_version()}, NumPy {np.__version__}",
        f"- versions: {versions}" + (f"; source checkout {checkout}" if checkout else ""),
        f"- data seed {args.seed}{' (--quick sizes)' if args.quick else ''}; median of >= 3 "
        "calls after a warm-up"
        + ("; fit peers: one call when a call takes over a second" if fitting else "")
        + (
            f"; peers predicted to need more than {args.budget:g} s per call are skipped"
            + (" (fit cells: timed on part of their loop and predicted)" if fitting else "")
            + (" (Monte Carlo cells: never)" if mc_rows else "")
            if rows
            else ""
        ),
    ]
    if rows:
        lines += [
            "- ratio = fastest agreeing peer / frontierkit (above 1: frontierkit is faster); "
            + legend,
            "",
            "| cell | frontierkit | " + " | ".join(peers) + " | fastest peer | ratio |",
            "|---|---:|" + "---:|" * len(peers) + "---|---:|",
        ]
    for cell, entries in rows:
        timed = [
            (e.seconds, k)
            for k, e in entries.items()
            if k != "frontierkit" and e.seconds is not None and e.agrees
        ]
        own = entries["frontierkit"].seconds
        if timed and own:
            best_t, best = min(timed)
            r = best_t / own
            fastest, ratio = best, f"{r:.2f}×" if r >= 0.1 else f"{r:.2g}×"
            if entries[best].predicted:
                ratio = "≈ " + (f"{r:.0f}×" if r >= 100 else ratio)
        else:
            fastest, ratio = "—", "—"
        name = cell.name + (" *" if cell.target else "") + (" †" if cell.name in unpinned else "")
        cols = [entries["frontierkit"].text] + [entries[k].text for k in peers]
        lines.append(f"| {name} | " + " | ".join(cols) + f" | {fastest} | {ratio} |")
    if mc_rows:
        lines += ["", "### Monte Carlo hypervolume", ""] if rows else []
        lines += render_mc(mc_rows, cores)

    sorting = any(c.group == "sort" for c in cells)
    lines += ["", "What each column calls:", ""]
    for k, lib in libs.items():
        if isinstance(lib, Impl):
            shown = {op: v for op, v in lib.how.items() if any(map(HOW_SHOWN.get(op, bool), cells))}
            how = "; ".join(f"{op}, {v}" for op, v in shown.items())
            sem = ""
            if sorting and k != "frontierkit" and lib.front is not None:
                ref = "is_nondominated(keep_weakly=True)" if lib.weak else "is_nondominated()"
                sem = f" First front compared with `{ref}`."
            lines.append(f"- {k}: {how}.{sem}")
    if sorting:
        verb = "ranks" if all(c.group == "sort" for c in cells) else "ranks (or measures)"
        lines.append(
            "- batched cells: peers without a batched call run a Python loop over the sets; "
            f"frontierkit {verb} the whole (b, n, d) array in one call."
        )
    if any(c.group == "hv" for c in cells):
        lines.append(
            f"- hypervolume cells: reference point {HV_REF} in every objective, minimisation; "
            f"a peer agrees when within relative {HV_RTOL:g} of frontierkit (contributions: "
            f"per row, plus an absolute {HVC_ATOL_BOX:g} × the volume of the box between the "
            "rows' minimum and ref, for near-zero contributions computed as differences of "
            "whole volumes)."
        )
    if mc_rows:
        lines.append(
            f"- Monte Carlo cells: reference point {HV_REF} in every objective, minimisation; "
            "every estimate is judged against a reference (listed below): in the "
            "accuracy-matched cell frontierkit draws N = ceil(n_pilot × (pilot standard error / "
            "moocore's error)^2) samples, so that its reported standard error (`stderr`) equals "
            "moocore's actual error, and `error` is |estimate - reference|; FPRAS estimates "
            f"must lie within a relative epsilon = {FPRAS_EPS:g} of the volume with probability "
            f"at least 1 - delta = {1 - FPRAS_DELTA:g}; the batch cell's errors are against "
            f"exact volumes, with the share of frontierkit's 95% intervals that hold them. "
            "frontierkit's sample counts are per call (FPRAS: drawn by its stopping rule), and "
            'its sampler (`box` or `union`) is the one `sampler="auto"` chose.'
        )
    fits = [(c, e) for c, e in rows if c.group == "fit"]
    if fitting:
        rtol = f"{FIT_RTOL:.0e}".replace("e-0", "e-")
        lines.append(
            "- fit cells: frontierkit's batched fits thread over the problems on every CPU "
            "(`†`; on the pinned core with `--unpin none`), SciPy's loops run on one; a "
            "peer's loop that would take more than max(--budget, the cell's floor: 90 s for "
            "the saturating curves, so that SciPy fits every curve) is timed on a leading part "
            "and predicted. Objectives are recomputed here at every library's parameters: "
            "least squares `0.5 * sum r**2` (SciPy's cost, which frontierkit's `cost` also "
            "reports), Huber (delta 1e-3) on log L for Chinchilla. frontierkit's must be no "
            f"worse than a peer's within relative {rtol}; `(fk worse on n)` counts the fits "
            "where it is not."
        )
        lines.append(
            f"- fit data: saturating power laws at x log-spaced over {SAT_X[0]:g}..{SAT_X[1]:g}, "
            f"a ~ U(5, 50), b ~ U(0.1, 0.6), c ~ U(1, 3), {SAT_NOISE:.0%} multiplicative "
            "Gaussian noise (data seed as above); Chinchilla: Epoch AI's 240 points, Hoffmann et "
            "al.'s grid of 4,500 starts (e in {-1, -.5, .., 1}), bootstrap resamples drawn "
            f"with seed {BOOT_SEED}, as `fit_chinchilla(..., seed={BOOT_SEED})` draws them "
            "(checked: frontierkit's reported costs are the objective on these resamples)."
        )
    if "pymoo" in libs and isinstance(libs["pymoo"], Impl):
        lines.append(
            "- pymoo's `NonDominatedSorting` calls `moocore.pareto_rank` (all ranks, even for the "
            "first front only)."
        )
    if fitting:
        lines += ["", "### Fit checks", ""]
        for cell, entries in fits:
            for k, e in entries.items():
                if e.note:
                    lines.append(f"- {cell.name}, {k}: {e.note}")
    if mc_rows:
        lines += ["", "### Monte Carlo references and notes", ""]
        for cell, r in mc_rows:
            lines += [f"- {cell.name}: {note}" for note in r.notes]
    lines += ["", "### Disagreements and errors", ""]
    if problems:
        lines += [f"- {p.cell}, {p.library}: {p.detail}" for p in problems]
    else:
        said = []
        if rows:
            said.append(
                "every timed peer returned frontierkit's result"
                + (" (fits: frontierkit's objective no worse than the peer's)" if fitting else "")
            )
        if mc_rows:
            said.append(
                "every Monte Carlo estimate lies within its tolerance of the reference "
                "(frontierkit: 4 combined standard errors; FPRAS: epsilon; batch: 95% intervals "
                "holding at least 85% of the exact volumes)"
            )
        lines.append("None: " + "; ".join(said) + ".")
    return "\n".join(lines) + "\n"


# --- main ------------------------------------------------------------------------------------


def _pin() -> str:
    """Pin this process to one CPU so that no library can use a second core."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned"
    cpu = min(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpu})
    return f"pinned to CPU {cpu}"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="about 10x smaller arrays (smoke run)")
    p.add_argument(
        "--cells",
        nargs="+",
        metavar="TEXT",
        help="run the cells whose name contains any TEXT; 'sort', 'hv', 'fit' and 'mc' select "
        "a whole group (and only it); without --cells every group but 'mc' (Monte Carlo) runs",
    )
    p.add_argument("--markdown", metavar="FILE", help="also write the report to FILE")
    p.add_argument(
        "--chinchilla-csv",
        type=Path,
        default=CHINCHILLA_CSV,
        metavar="FILE",
        help="Epoch AI's Chinchilla points for the fit cells (default: ../shared/data beside "
        "the checkout); the cells that need them are skipped when the file is missing",
    )
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="data seed")
    p.add_argument(
        "--mc-reference-samples",
        type=int,
        default=MC_REF_LOG2,
        metavar="LOG2",
        help="Monte Carlo cells: the reference estimate draws 2**LOG2 samples (default "
        f"{MC_REF_LOG2})",
    )
    p.add_argument(
        "--no-mc-cache",
        action="store_true",
        help="Monte Carlo cells: compute the reference even when the cache in the system "
        f"temporary directory ({_mc_cache_file('').parent}) has it, and do not save it",
    )
    p.add_argument(
        "--budget",
        type=float,
        default=None,
        help="skip a peer predicted to need more seconds per call (default 8, --quick 2)",
    )
    p.add_argument(
        "--repeat-time",
        type=float,
        default=None,
        help="seconds of timed calls aimed at per library and cell (default 1, --quick 0.3)",
    )
    p.add_argument("--no-pin", action="store_true", help="do not pin the process to one CPU")
    p.add_argument(
        "--unpin",
        choices=("hv5", "hv", "none"),
        default="hv5",
        help="where frontierkit may use every CPU: hypervolume cells with d >= 5 (default), "
        "every hypervolume cell, or nowhere (peers and sorting cells always run on one CPU); "
        "Monte Carlo cells follow the same rule for their 'all CPUs' column",
    )
    p.add_argument("--list", action="store_true", help="list the cells and exit")
    args = p.parse_args(argv)
    if args.budget is None:
        args.budget = 2.0 if args.quick else 8.0
    if args.repeat_time is None:
        args.repeat_time = 0.3 if args.quick else 1.0

    cells = [c.shrunk() if args.quick else c for c in CELLS]
    if args.cells:
        # A group's word selects that group only ('hv' is also part of 'hv_approx ...').
        pats = [s.lower() for s in args.cells]
        cells = [
            c
            for c in cells
            if any(s == c.group if s in GROUPS else s in c.name.lower() for s in pats)
        ]
    else:
        cells = [c for c in cells if c.group in DEFAULT_GROUPS]
    if not cells:
        _progress("no cell matches --cells; --list shows them")
        return 1
    if args.list:
        for c in cells:
            print(c.name + (" *" if c.target else ""))
        return 0

    every = set(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else set()
    pinned = "not pinned" if args.no_pin else _pin()
    cores = Cores()
    if pinned != "not pinned":
        cores = Cores(set(os.sched_getaffinity(0)), every, args.unpin)
        if any(cores.frontierkit_unpinned(c) for c in cells if c.group != "mc"):
            pinned += f"; frontierkit free to use CPUs {sorted(every)} in the cells marked †"
        if any(cores.frontierkit_unpinned(c) for c in cells if c.group == "mc"):
            pinned += f"; Monte Carlo cells: frontierkit also timed on CPUs {sorted(every)}"
    groups = {c.group for c in cells}
    # Several builds may be importable (site-packages, a PYTHONPATH build): say which one runs.
    _progress(f"frontierkit {fk.__version__} from {os.path.dirname(fk.__file__ or '?')}")
    libs: dict[str, Impl | str] = {"frontierkit": load_frontierkit()}
    for name, loader in PEER_LOADERS.items():
        if not groups.intersection(PEER_GROUPS[name]):
            continue
        try:
            libs[name] = loader()
        except ImportError as exc:
            libs[name] = "not installed"
            _progress(f"{name}: not installed ({exc})")
        except Exception as exc:
            libs[name] = f"unusable ({type(exc).__name__})"
            _progress(f"{name}: unusable ({type(exc).__name__}: {exc})")

    problems: list[Problem] = []
    rows = []
    mc_rows: list[tuple[Cell, MCResult]] = []
    fit_runs: dict[tuple[str, str], FitRun] = {}
    start = time.perf_counter()
    for cell in cells:
        _progress(f"{cell.name}")
        if cell.group == "mc":
            mc = run_mc_cell(
                cell,
                libs,
                args.seed,
                args.repeat_time,
                problems,
                cores,
                args.mc_reference_samples,
                not args.no_mc_cache,
            )
            mc_rows.append((cell, mc))
            gc.collect()
            continue
        if cell.group == "fit":
            data = make_fit_data(cell, args.seed, args.chinchilla_csv)
            entries = run_fit_cell(
                cell, libs, data, args.budget, args.repeat_time, problems, fit_runs, cores
            )
        else:
            entries = run_cell(
                cell, libs, args.seed, args.budget, args.repeat_time, problems, cores
            )
        rows.append((cell, entries))
        gc.collect()
    _progress(f"done in {time.perf_counter() - start:.0f} s")

    report = render(rows, libs, problems, args, pinned, cores, mc_rows)
    print(report)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
