#!/usr/bin/env python
"""Check and time frontierkit's CUDA paths on an NVIDIA GPU (needs CuPy).

For every case the CuPy result must equal the C++ backend's result on the same data (copied to
the host); then the CUDA call is timed: a few warm-up calls, then the median of ``--repeats``
calls, measured both with CUDA events around the call (device time on the current stream) and
with a host clock around the call plus ``Device().synchronize()`` (what a caller waits). The
C++ time on the same data (all cores, NumPy input) is shown for scale.

Cases are entries of ``CASES``: each kernel is one more ``Case`` with its own ``gpu`` and
``cpu`` functions and, for floating-point results (hypervolume), a tolerance.

Usage::

    python benchmarks/gpu.py                      # every case
    python benchmarks/gpu.py --cases batch        # cases whose name contains "batch"
    python benchmarks/gpu.py --markdown gpu.md    # also write the report to a file

Exit status: 0 when every GPU result equals the CPU result, 1 otherwise, 2 when the CUDA
backend is not usable here.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import os
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

import frontierkit as fk

SEED = 12345


# --- data ------------------------------------------------------------------------------------


def uniform(shape: tuple[int, ...], seed: int = SEED) -> np.ndarray:
    """Points uniform in ``[0, 1)^d``; a 3-D shape is a batch ``(b, n, d)``."""
    return np.random.default_rng(seed).random(shape)


def sphere(n: int, d: int, seed: int = SEED) -> np.ndarray:
    """``n`` mutually non-dominated points on the positive part of the unit sphere."""
    return sphere_batch((n, d), seed)


def sphere_batch(shape: tuple[int, ...], seed: int = SEED) -> np.ndarray:
    """Points on the positive part of the unit sphere, ``(n, d)`` or a batch ``(b, n, d)``."""
    x = np.abs(np.random.default_rng(seed).standard_normal(shape))
    x /= np.linalg.norm(x, axis=-1, keepdims=True)
    return x


# --- cases -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One CUDA path on one array.

    ``gpu`` takes the CuPy copy of ``make()``'s array, ``cpu`` the NumPy array; both return the
    result (CuPy / NumPy). ``rtol``/``atol`` None: results must be equal; else ``allclose``.
    """

    name: str
    make: Callable[[], np.ndarray]
    gpu: Callable[[Any], Any]
    cpu: Callable[[np.ndarray], Any]
    target_ms: float | None = None
    rtol: float | None = None
    atol: float = 0.0


SAT_X = np.geomspace(1.0, 1e3, 20)


def saturating_curves(k: int, seed: int = SEED) -> np.ndarray:
    """k noisy curves a x^-b + c on 20 shared points (1% multiplicative noise)."""
    rng = np.random.default_rng(seed)
    a, b, c = rng.uniform(2, 10, k), rng.uniform(0.2, 0.8, k), rng.uniform(1, 3, k)
    f = a[:, None] * SAT_X ** -b[:, None] + c[:, None]
    return f * np.exp(0.01 * rng.standard_normal((k, SAT_X.size)))


CHIN_N, CHIN_D = (a.ravel() for a in np.meshgrid(np.geomspace(1e8, 3e10, 16), np.geomspace(1e9, 1e12, 15)))


def chinchilla_runs(k: int, seed: int = SEED) -> np.ndarray:
    """k noisy copies of 240 Chinchilla-law losses (Hoffmann et al.'s parameters)."""
    rng = np.random.default_rng(seed)
    law = 1.69 + 406.4 * CHIN_N**-0.34 + 410.7 * CHIN_D**-0.28
    return law * np.exp(0.01 * rng.standard_normal((k, law.size)))


def _fit_sat(y: Any) -> Any:
    return fk.fit_curves("saturating_power", SAT_X, y).cost


def _fit_chin(y: Any) -> Any:
    x = np.column_stack([CHIN_N, CHIN_D])
    return fk.fit_curves("chinchilla", x, y, space="log", loss="huber", f_scale=1e-3).cost


def _rank(x: Any) -> Any:
    return fk.pareto_rank(x)


def _front(x: Any) -> Any:
    return fk.is_nondominated(x)


def _front_weak(x: Any) -> Any:
    return fk.is_nondominated(x, keep_weakly=True)


def _hv(x: Any) -> Any:
    return fk.hypervolume(x, np.full(x.shape[-1], 1.1))


def _hv_mc(n_samples: int, **kw: Any) -> Callable[[Any], Any]:
    def run(x: Any) -> Any:
        return fk.hv_approx(x, 1.1, n_samples=n_samples, seed=SEED, **kw).value

    return run


def _hvc_mc(x: Any) -> Any:
    return fk.hvc_approx(x, 1.1, n_samples=4096, seed=SEED).value


CASES: list[Case] = [
    # Targets: an H100 should rank these within the given time.
    Case("pareto_rank uniform n=5e4 d=10", lambda: uniform((50_000, 10)), _rank, _rank, 20.0),
    Case("pareto_rank batch 1000x200 d=3", lambda: uniform((1000, 200, 3)), _rank, _rank, 5.0),
    # More sizes of the same paths.
    Case("pareto_rank uniform n=1e4 d=3", lambda: uniform((10_000, 3)), _rank, _rank),
    Case("pareto_rank uniform n=1e5 d=3", lambda: uniform((100_000, 3)), _rank, _rank),
    Case("pareto_rank uniform n=5e4 d=5", lambda: uniform((50_000, 5)), _rank, _rank),
    Case("pareto_rank batch 100x1000 d=5", lambda: uniform((100, 1000, 5)), _rank, _rank),
    Case("pareto_rank batch 10000x100 d=2", lambda: uniform((10_000, 100, 2)), _rank, _rank),
    Case("is_nondominated uniform n=5e4 d=10", lambda: uniform((50_000, 10)), _front, _front),
    Case("is_nondominated uniform n=1e5 d=3", lambda: uniform((100_000, 3)), _front, _front),
    Case("is_nondominated sphere n=5e4 d=5", lambda: sphere(50_000, 5), _front, _front),
    Case(
        "is_nondominated(keep_weakly) uniform n=5e4 d=10",
        lambda: uniform((50_000, 10)),
        _front_weak,
        _front_weak,
    ),
    Case("is_nondominated batch 1000x200 d=3", lambda: uniform((1000, 200, 3)), _front, _front),
    # Batched exact hypervolume: one warp per set.
    Case(
        "hypervolume batch 100000x100 d=3", lambda: uniform((100_000, 100, 3)), _hv, _hv, rtol=1e-12
    ),
    Case(
        "hypervolume batch 100000x100 d=3 sphere",
        lambda: sphere_batch((100_000, 100, 3)),
        _hv,
        _hv,
        rtol=1e-12,
    ),
    Case(
        "hypervolume batch 10000x100 d=3", lambda: uniform((10_000, 100, 3)), _hv, _hv, rtol=1e-12
    ),
    Case(
        "hypervolume batch 10000x1000 d=2", lambda: uniform((10_000, 1000, 2)), _hv, _hv, rtol=1e-12
    ),
    Case("hypervolume batch 100x5000 d=3", lambda: uniform((100, 5000, 3)), _hv, _hv, rtol=1e-12),
    # Batched curve fitting: a thread per problem. Target: >= 1e6 saturating fits per second.
    # The device's exp and log differ from the host's in the last bits, so the fits agree to a
    # tolerance (the costs), not bit for bit.
    Case("fit saturating_power 1e6 x 20", lambda: saturating_curves(1_000_000), _fit_sat, _fit_sat, 1000.0,
         rtol=1e-9),
    Case("fit saturating_power 1e5 x 20", lambda: saturating_curves(100_000), _fit_sat, _fit_sat, rtol=1e-9),
    Case("fit chinchilla huber 4000 x 240", lambda: chinchilla_runs(4000), _fit_chin, _fit_chin, rtol=1e-9),
    # Monte Carlo hypervolume: the CPU's samples (Philox streams), many blocks per set. The box
    # sampler's counts are the CPU's exactly; the union sampler's sums agree to rounding.
    # Targets: 2^24 samples of a 10-objective set of 1e4 points in 100 ms.
    Case("hv_approx sphere n=1e4 d=10 2^24 box", lambda: sphere(10_000, 10),
         _hv_mc(2**24, sampler="box"), _hv_mc(2**24, sampler="box"), 100.0, rtol=1e-12),
    Case("hv_approx sphere n=1e4 d=10 2^18 union", lambda: sphere(10_000, 10),
         _hv_mc(2**18, sampler="union"), _hv_mc(2**18, sampler="union"), rtol=1e-12),
    Case("hv_approx batch 1000x100 d=8 2^14", lambda: sphere_batch((1000, 100, 8)),
         _hv_mc(2**14), _hv_mc(2**14), rtol=1e-12),
    Case("hv_approx qmc batch 1000x100 d=8 2^14", lambda: sphere_batch((1000, 100, 8)),
         _hv_mc(2**14, method="qmc"), _hv_mc(2**14, method="qmc"), rtol=1e-12),
    Case("hvc_approx batch 100x100 d=5 4096", lambda: sphere_batch((100, 100, 5)), _hvc_mc, _hvc_mc,
         rtol=1e-12),
]


# --- running ---------------------------------------------------------------------------------


@contextlib.contextmanager
def forced_backend(name: str) -> Iterator[None]:
    """Force ``FRONTIERKIT_BACKEND`` for the duration of the block."""
    old = os.environ.get("FRONTIERKIT_BACKEND")
    os.environ["FRONTIERKIT_BACKEND"] = name
    try:
        yield
    finally:
        if old is None:
            del os.environ["FRONTIERKIT_BACKEND"]
        else:
            os.environ["FRONTIERKIT_BACKEND"] = old


@dataclass
class Outcome:
    case: Case
    gpu_ms: float  # median, CUDA events
    wall_ms: float  # median, host clock + synchronize
    cpu_ms: float  # median of the C++ backend
    agrees: bool
    detail: str


def _compare(case: Case, got: np.ndarray, want: np.ndarray) -> str:
    """'' when equal (or close), else what differs."""
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape:
        return f"shape {got.shape} on the GPU, {want.shape} on the CPU"
    if case.rtol is None:
        bad = np.flatnonzero((got != want).ravel())
    else:
        bad = np.flatnonzero(~np.isclose(got, want, rtol=case.rtol, atol=case.atol).ravel())
    if bad.size == 0:
        return ""
    first = np.unravel_index(bad[0], want.shape)
    return (
        f"{bad.size} of {want.size} values differ; first at {tuple(map(int, first))}: "
        f"GPU {got[first].item()!r}, CPU {want[first].item()!r}"
    )


def run_case(case: Case, cp: Any, repeats: int, warmup: int, cpu_repeats: int) -> Outcome:
    host = case.make()
    with forced_backend("cpp"):
        cpu_times = []
        for _ in range(cpu_repeats):
            t0 = time.perf_counter()
            want = case.cpu(host)
            cpu_times.append(time.perf_counter() - t0)
    dev = cp.asarray(host)
    device = cp.cuda.Device()
    with forced_backend("cuda"):
        got = case.gpu(dev)
        device.synchronize()
        detail = _compare(case, cp.asnumpy(got), want)
        for _ in range(warmup):
            case.gpu(dev)
        device.synchronize()
        start, end = cp.cuda.Event(), cp.cuda.Event()
        events, walls = [], []
        for _ in range(repeats):
            t0 = time.perf_counter()
            start.record()
            case.gpu(dev)
            end.record()
            device.synchronize()
            walls.append(time.perf_counter() - t0)
            events.append(cp.cuda.get_elapsed_time(start, end))
    return Outcome(
        case,
        gpu_ms=statistics.median(events),
        wall_ms=1e3 * statistics.median(walls),
        cpu_ms=1e3 * statistics.median(cpu_times),
        agrees=not detail,
        detail=detail,
    )


# --- report ----------------------------------------------------------------------------------


def _ms(v: float) -> str:
    return f"{v:.3g} ms" if v < 1000 else f"{v / 1e3:.3g} s"


def render(outcomes: list[Outcome], cp: Any, args: argparse.Namespace) -> str:
    props = cp.cuda.runtime.getDeviceProperties(cp.cuda.Device().id)
    name = props["name"]
    name = name.decode() if isinstance(name, bytes) else str(name)
    runtime = cp.cuda.runtime.runtimeGetVersion()
    lines = [
        f"## frontierkit CUDA paths on {name}",
        "",
        f"- date: {datetime.date.today().isoformat()}; frontierkit {fk.__version__}, "
        f"CuPy {cp.__version__}, CUDA runtime {runtime // 1000}.{runtime % 1000 // 10}, "
        f"NumPy {np.__version__}",
        f"- median of {args.repeats} calls after {args.warmup} warm-up calls; GPU = CUDA events "
        "around the call, wall = host clock around the call and a device synchronize; CPU = "
        f"C++ backend on NumPy input, all {os.cpu_count()} cores, median of {args.cpu_repeats}",
        f"- data seed {SEED}; every GPU result is compared with the CPU result",
        "",
        "| case | GPU | wall | CPU (C++) | CPU / wall | target | agrees |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for o in outcomes:
        if o.case.target_ms is None:
            target = ""
        else:
            verdict = "met" if o.wall_ms < o.case.target_ms else "MISSED"
            target = f"< {o.case.target_ms:g} ms: {verdict}"
        lines.append(
            f"| {o.case.name} | {_ms(o.gpu_ms)} | {_ms(o.wall_ms)} | {_ms(o.cpu_ms)} | "
            f"{o.cpu_ms / o.wall_ms:.1f}× | {target} | {'yes' if o.agrees else 'NO'} |"
        )
    bad = [o for o in outcomes if not o.agrees]
    if bad:
        lines += ["", "### GPU and CPU results differ", ""]
        lines += [f"- {o.case.name} (seed {SEED}): {o.detail}" for o in bad]
    return "\n".join(lines) + "\n"


def _cuda_or_exit() -> Any:
    """CuPy, once frontierkit says its CUDA backend is usable; exit 2 with the reason if not."""
    cuda = fk.backend_info()["backends"]["cuda"]
    if not cuda["usable"]:
        print(f"frontierkit's CUDA backend is not usable here: {cuda['detail']}", file=sys.stderr)
        sys.exit(2)
    import cupy

    return cupy


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cases", nargs="+", metavar="TEXT", help="cases whose name contains a TEXT")
    p.add_argument("--markdown", metavar="FILE", help="also write the report to FILE")
    p.add_argument("--repeats", type=int, default=30, help="timed calls per case (default 30)")
    p.add_argument("--warmup", type=int, default=3, help="untimed calls first (default 3)")
    p.add_argument("--cpu-repeats", type=int, default=3, help="timed C++ calls (default 3)")
    args = p.parse_args(argv)

    cases = CASES
    if args.cases:
        pats = [s.lower() for s in args.cases]
        cases = [c for c in CASES if any(s in c.name.lower() for s in pats)]
        if not cases:
            print("no case matches", file=sys.stderr)
            return 2
    cp = _cuda_or_exit()

    outcomes = []
    for case in cases:
        print(case.name, file=sys.stderr, flush=True)
        outcomes.append(run_case(case, cp, args.repeats, args.warmup, args.cpu_repeats))
    report = render(outcomes, cp, args)
    print(report)
    if args.markdown:
        with open(args.markdown, "w", encoding="utf-8") as fh:
            fh.write(report)
    return 0 if all(o.agrees for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
