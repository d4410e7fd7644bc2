#!/usr/bin/env python
"""Time frontierkit's non-dominated sorting against peer libraries, single-threaded.

Every library runs on the SAME array in each cell, its result is checked against frontierkit's
(same Pareto ranks, or the same first-front mask), and the medians are printed as a Markdown
table with the ratio ``fastest peer time / frontierkit time`` (above 1: frontierkit is faster).

Data (fixed seed, reproducible with the recipe printed under the table):

* ``uniform``: ``np.random.default_rng(seed).random((n, d))``, points in ``[0, 1)^d``;
* ``sphere``: ``|N(0, 1)|`` rows scaled to unit length; such points lie on the positive part of
  the unit sphere and are all mutually non-dominated, the worst case for first-front filters;
* ``batch``: ``np.random.default_rng(seed).random((b, n, d))``, ``b`` independent sets.

Timing: one warm-up call (numba peers are also compiled on a tiny slice beforehand), then the
median of at least 3 timed calls, more for fast calls (about ``--repeat-time`` seconds per
library and cell). A call that took longer than one second in the warm-up counts as the first
sample. Peers with quadratic methods are timed first on leading slices of the array; when a
single call on the whole array is predicted to take more than ``--budget`` seconds the cell
says ``skipped (est. …)``. The whole process runs on one CPU core (thread pools set to one
thread, and the process pinned to a single core unless ``--no-pin``).

Usage::

    python benchmarks/compare_peers.py                        # every cell, a few minutes
    python benchmarks/compare_peers.py --quick                # smaller arrays, a smoke run
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
import datetime  # noqa: E402
import gc  # noqa: E402
import importlib.metadata  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from typing import Any, Callable  # noqa: E402

import numpy as np  # noqa: E402

import frontierkit as fk  # noqa: E402

Fn = Callable[[np.ndarray], np.ndarray]

DEFAULT_SEED = 12345


# --- cells -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One benchmark: an operation on one generated array."""

    op: str  # "rank" (Pareto ranks) or "front" (first-front mask)
    dist: str  # "uniform", "sphere" or "batch"
    n: int  # points (per set for a batch)
    d: int  # objectives
    b: int = 0  # sets in a batch (dist == "batch")
    target: bool = False  # one of the targets the project set itself
    quick: int = 0  # n (or b for a batch) in --quick mode; 0: n // 10 (b // 10)

    @property
    def name(self) -> str:
        fn = "pareto_rank" if self.op == "rank" else "is_nondominated"
        if self.dist == "batch":
            return f"{fn} batch {self.b}x{self.n} d={self.d}"
        return f"{fn} {self.dist} n={_sci(self.n)} d={self.d}"

    def shrunk(self) -> Cell:
        """The --quick version of this cell (no longer a target: its size differs)."""
        if self.dist == "batch":
            return Cell(self.op, self.dist, self.n, self.d, self.quick or self.b // 10)
        return Cell(self.op, self.dist, self.quick or self.n // 10, self.d)


def _sci(n: int) -> str:
    """1000 -> '1e3', 50000 -> '5e4'."""
    exp = int(math.floor(math.log10(n)))
    mant = n / 10**exp
    return f"{mant:g}e{exp}" if mant != 1 else f"1e{exp}"


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
]


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
    raise ValueError(f"unknown distribution {cell.dist!r}")


def data_recipe(cell: Cell, seed: int) -> str:
    """Python expression that rebuilds a cell's array."""
    rng = f"np.random.default_rng({seed})"
    if cell.dist == "uniform":
        return f"{rng}.random(({cell.n}, {cell.d}))"
    if cell.dist == "batch":
        return f"{rng}.random(({cell.b}, {cell.n}, {cell.d}))"
    return (
        f"x = np.abs({rng}.standard_normal(({cell.n}, {cell.d}))); "
        "x /= np.linalg.norm(x, axis=1, keepdims=True)"
    )


# --- libraries -------------------------------------------------------------------------------


@dataclass
class Impl:
    """What one library offers: functions returning 0-based ranks or a boolean mask.

    ``weak``: its first front keeps every copy of a non-dominated row (frontierkit's
    ``keep_weakly=True``); otherwise only the first copy (frontierkit's default).
    """

    version: str
    rank: Fn | None = None
    front: Fn | None = None
    weak: bool = True
    rank_batch: Fn | None = None  # one call on a (b, n, d) array; default: a loop over sets
    front_batch: Fn | None = None
    how: dict[str, str] = field(default_factory=dict)  # op -> what is called, for the notes

    def function(self, cell: Cell) -> Fn | None:
        single = self.rank if cell.op == "rank" else self.front
        if cell.dist != "batch" or single is None:
            return single
        batched = self.rank_batch if cell.op == "rank" else self.front_batch
        return batched or _loop(single)


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
    return Impl(
        version=fk.__version__,
        rank=fk.pareto_rank,
        front=fk.is_nondominated,
        weak=False,
        rank_batch=fk.pareto_rank,
        front_batch=fk.is_nondominated,
        how={
            "rank": "`pareto_rank`",
            "front": "`is_nondominated`",
            "batch": "one call on the (b, n, d) array",
        },
    )


def load_moocore() -> Impl:
    import moocore

    def front_batch(x: np.ndarray) -> np.ndarray:
        b, n, d = x.shape
        sets = np.repeat(np.arange(b), n)
        return moocore.is_nondominated_within_sets(x.reshape(b * n, d), sets).reshape(b, n)

    return Impl(
        version=_version("moocore"),
        rank=moocore.pareto_rank,
        front=moocore.is_nondominated,
        weak=False,
        front_batch=front_batch,
        how={
            "rank": "`pareto_rank`",
            "front": "`is_nondominated`",
            "batch": "ranks, a Python loop over the sets; first front, one "
            "`is_nondominated_within_sets` call",
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

    return Impl(
        version=_version("pygmo"),
        rank=rank,
        front=front,
        weak=True,
        how={
            "rank": "`fast_non_dominated_sorting(F)[3]`",
            "front": "d = 2, `non_dominated_front_2d(F)`; d > 2, "
            "`fast_non_dominated_sorting(F)[0][0]` (all fronts are computed)",
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


PEER_LOADERS: dict[str, Callable[[], Impl]] = {
    "moocore": load_moocore,
    "pymoo": load_pymoo,
    "pymoo-cy": load_pymoo_cython,
    "pygmo": load_pygmo,
    "paretoset": load_paretoset,
    "optuna": load_optuna,
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


def predict(fn: Fn, x: np.ndarray, budget: float) -> float | None:
    """Predict one call on all of ``x``; None when it fits in ``budget`` seconds.

    Times calls on leading slices (``x[:m]``, m growing 4-fold) and extrapolates with the
    growth exponent measured between the last two slices (clamped to [1, 2.5]; 2 until two
    slices have been timed). Returns the estimate once it exceeds the budget with a slice that
    took long enough to trust it.
    """
    size = len(x)
    m = min(size, 10 if x.ndim == 3 else 1000)
    prev: tuple[int, float] | None = None
    while m < size:
        t, _ = _time_once(fn, x[:m])
        if t > budget:
            return t * size / m
        expo = 2.0
        if prev is not None and prev[1] >= 2e-3:
            expo = min(2.5, max(1.0, math.log(t / prev[1]) / math.log(m / prev[0])))
        est = t * (size / m) ** expo
        if est <= budget:
            return None
        if t >= 0.05:
            return est
        prev = (m, t)
        m = min(size, 4 * m)
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
    seconds: float | None = None  # median when timed
    agrees: bool | None = None


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


def run_cell(
    cell: Cell,
    libs: dict[str, Impl | str],
    seed: int,
    budget: float,
    repeat_time: float,
    problems: list[Problem],
) -> dict[str, Entry]:
    """Time every library on one cell; ``libs`` maps a name to an Impl or a reason it is out."""
    x = make_data(cell, seed)
    pristine = x.copy()
    recipe = f"seed {seed}: {data_recipe(cell, seed)}"
    entries: dict[str, Entry] = {}

    mine = libs["frontierkit"]
    assert isinstance(mine, Impl)
    own = measure(mine.function(cell), x, repeat_time)  # type: ignore[arg-type]
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
    entries["frontierkit"] = Entry(_fmt(own.median), own.median, True)
    _progress(f"  frontierkit {_fmt(own.median)} ({own.samples} samples)")

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
                fn(x[:2] if cell.dist == "batch" else x[:64])  # compile / warm caches
                est = predict(fn, x, budget)
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
                diff = compare(cell, ref, ref_weak, got.result, lib.weak)
                text = _fmt(got.median) + (" (differs)" if diff else "")
                if diff:
                    problems.append(Problem(cell.name, name, f"{diff}; data {recipe}"))
                entries[name] = Entry(text, got.median, not diff)
                _progress(f"  {name} {text} ({got.samples} samples)")
        if not np.array_equal(x, pristine):
            problems.append(Problem(cell.name, name, "modified its input array"))
            x[...] = pristine
    return entries


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


def render(
    rows: list[tuple[Cell, dict[str, Entry]]],
    libs: dict[str, Impl | str],
    problems: list[Problem],
    args: argparse.Namespace,
    pinned: str,
) -> str:
    peers = [k for k in libs if k != "frontierkit"]
    versions = ", ".join(
        f"{k} {v.version}" if isinstance(v, Impl) else f"{k} ({v})" for k, v in libs.items()
    )
    checkout = _checkout()
    lines = [
        "## frontierkit vs peers: non-dominated sorting, one CPU core",
        "",
        f"- date: {datetime.date.today().isoformat()}; CPU: {_cpu_name()} ({pinned}); "
        f"Python {platform.python_version()}, NumPy {np.__version__}",
        f"- versions: {versions}" + (f"; source checkout {checkout}" if checkout else ""),
        f"- data seed {args.seed}{' (--quick sizes)' if args.quick else ''}; median of >= 3 "
        f"calls after a warm-up; peers predicted to need more than {args.budget:g} s per call "
        "are skipped",
        "- ratio = fastest agreeing peer / frontierkit (above 1: frontierkit is faster); "
        "`*` marks a target cell",
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
            fastest, ratio = best, f"{best_t / own:.2f}×"
        else:
            fastest, ratio = "—", "—"
        name = cell.name + (" *" if cell.target else "")
        cols = [entries["frontierkit"].text] + [entries[k].text for k in peers]
        lines.append(f"| {name} | " + " | ".join(cols) + f" | {fastest} | {ratio} |")

    lines += ["", "What each column calls:", ""]
    for k, lib in libs.items():
        if isinstance(lib, Impl):
            how = "; ".join(f"{op}, {v}" for op, v in lib.how.items())
            sem = ""
            if k != "frontierkit" and lib.front is not None:
                ref = "is_nondominated(keep_weakly=True)" if lib.weak else "is_nondominated()"
                sem = f" First front compared with `{ref}`."
            lines.append(f"- {k}: {how}.{sem}")
    lines.append(
        "- batched cells: peers without a batched call run a Python loop over the sets; "
        "frontierkit ranks the whole (b, n, d) array in one call."
    )
    if "pymoo" in libs and isinstance(libs["pymoo"], Impl):
        lines.append(
            "- pymoo's `NonDominatedSorting` calls `moocore.pareto_rank` (all ranks, even for the "
            "first front only)."
        )
    lines += ["", "### Disagreements and errors", ""]
    if problems:
        lines += [f"- {p.cell}, {p.library}: {p.detail}" for p in problems]
    else:
        lines.append("None: every timed peer returned frontierkit's result.")
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
        "--cells", nargs="+", metavar="TEXT", help="run the cells whose name contains any TEXT"
    )
    p.add_argument("--markdown", metavar="FILE", help="also write the report to FILE")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="data seed")
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
    p.add_argument("--list", action="store_true", help="list the cells and exit")
    args = p.parse_args(argv)
    if args.budget is None:
        args.budget = 2.0 if args.quick else 8.0
    if args.repeat_time is None:
        args.repeat_time = 0.3 if args.quick else 1.0

    cells = [c.shrunk() if args.quick else c for c in CELLS]
    if args.cells:
        pats = [s.lower() for s in args.cells]
        cells = [c for c in cells if any(s in c.name.lower() for s in pats)]
    if not cells:
        _progress("no cell matches --cells; --list shows them")
        return 1
    if args.list:
        for c in cells:
            print(c.name + (" *" if c.target else ""))
        return 0

    pinned = "not pinned" if args.no_pin else _pin()
    libs: dict[str, Impl | str] = {"frontierkit": load_frontierkit()}
    for name, loader in PEER_LOADERS.items():
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
    start = time.perf_counter()
    for cell in cells:
        _progress(f"{cell.name}")
        rows.append(
            (cell, run_cell(cell, libs, args.seed, args.budget, args.repeat_time, problems))
        )
        gc.collect()
    _progress(f"done in {time.perf_counter() - start:.0f} s")

    report = render(rows, libs, problems, args, pinned)
    print(report)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
