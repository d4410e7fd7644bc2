#!/usr/bin/env python
"""Time frontierkit.integrations.botorch against BoTorch's own functions, and end to end.

Every cell runs both on the SAME tensor and checks that they agree (identical masks and cells,
hypervolumes and acquisition values within a relative 1e-10 / 1e-8) before timing. The table
gives the median time of each and the ratio ``BoTorch time / frontierkit time`` (above 1:
frontierkit is faster). Absolute times hold for the machine printed above the table only.

Cells (float64, CPU tensors, fixed seeds):

* ``is_non_dominated``: n = 2,000 / 5,000 / 10,000 points, m = 3 / 4 / 5, ``uniform``
  (``torch.rand``: a small front) and ``sphere`` (rows of ``|N(0, 1)|`` scaled to unit length: all
  points non-dominated, BoTorch's worst case); BoTorch takes its loop path above 1,000 points.
* ``Hypervolume.compute``: non-dominated ``sphere`` fronts of 200 / 500 / 1,000 points,
  m = 3 / 4, reference point 0, against BoTorch's ``Hypervolume`` (a Python dimension sweep).
* ``FastNondominatedPartitioning`` / ``DominatedPartitioning``: building the box decomposition
  (what qEHVI / qLogEHVI take as ``partitioning=``) of ``sphere`` fronts, m = 3 / 4.
* end to end, BoTorch's code as a user calls it, without and with
  ``install(partitioning=True)``: constructing qNEHVI (m = 3, 3-D inputs, 20 baseline points, 32
  posterior samples: one FastNondominatedPartitioning per sample); qLogEHVI through BoTorch's
  ``get_acquisition_function`` (its FastNondominatedPartitioning of the posterior mean's front,
  m = 3 with 40 points, m = 4 with 30) and one evaluation; and (full run only) that qLogEHVI
  with one ``optimize_acqf`` (2 restarts, 32 raw samples, 20 iterations), where the optimiser's
  model evaluations dominate. The GP keeps its initial hyperparameters (no fitting).

BoTorch calls that take over ``--budget`` seconds once are timed once; the others are repeated
(``--repeat``) and the median kept. ``--quick`` runs the smaller cells only.

Run: ``PYTHONPATH=python python benchmarks/integrations_speed_botorch.py [--quick]``
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
import warnings
from collections.abc import Callable
from typing import Any

import torch
from botorch.utils.multi_objective.box_decompositions.dominated import (
    DominatedPartitioning as BtDominated,
)
from botorch.utils.multi_objective.box_decompositions.non_dominated import (
    FastNondominatedPartitioning as BtFastND,
)
from botorch.utils.multi_objective.hypervolume import Hypervolume as BtHypervolume
from botorch.utils.multi_objective.pareto import is_non_dominated as bt_is_non_dominated

from frontierkit.integrations import botorch as fkb


def _time(fn: Callable[..., Any], args: tuple, repeat: int, budget: float) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn(*args)
    first = time.perf_counter() - t0
    if first > budget:
        return first, out
    times = [first]
    for _ in range(repeat - 1):
        t0 = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def _points(kind: str, n: int, m: int, seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    if kind == "sphere":
        Y = torch.randn(n, m, generator=gen, dtype=torch.float64).abs()
        return Y / Y.norm(dim=-1, keepdim=True)
    return torch.rand(n, m, generator=gen, dtype=torch.float64)


def _fmt(t: float) -> str:
    return f"{t * 1e3:.2f} ms" if t < 1 else f"{t:.2f} s"


def _row(rows: list, group: str, case: str, t_bt: float, t_fk: float) -> None:
    rows.append((group, case, t_bt, t_fk))
    print(
        f"  {group:34s} {case:34s} BoTorch {_fmt(t_bt):>10s}  frontierkit {_fmt(t_fk):>10s}"
        f"  x{t_bt / t_fk:,.1f}",
        flush=True,
    )


def bench_is_non_dominated(rows: list, quick: bool, repeat: int, budget: float) -> None:
    sizes = [2000, 5000] if quick else [2000, 5000, 10000]
    for m in (3, 4, 5):
        for n in sizes:
            for kind in ("uniform", "sphere"):
                Y = _points(kind, n, m, seed=n + m)
                t_bt, want = _time(bt_is_non_dominated, (Y,), repeat, budget)
                t_fk, got = _time(fkb.is_non_dominated, (Y,), repeat, budget)
                assert torch.equal(got, want), (n, m, kind)
                _row(rows, "is_non_dominated", f"{kind} n={n} m={m}", t_bt, t_fk)


def bench_hypervolume(rows: list, quick: bool, repeat: int, budget: float) -> None:
    sizes = [200, 500] if quick else [200, 500, 1000]
    for m in (3, 4):
        for n in sizes:
            Y = _points("sphere", n, m, seed=n * m)
            ref = torch.zeros(m, dtype=torch.float64)
            t_bt, want = _time(BtHypervolume(ref).compute, (Y,), repeat, budget)
            t_fk, got = _time(fkb.Hypervolume(ref).compute, (Y,), repeat, budget)
            assert abs(got - want) <= 1e-10 * abs(want), (n, m, got, want)
            _row(rows, "Hypervolume.compute", f"sphere n={n} m={m}", t_bt, t_fk)


def bench_partitioning(rows: list, quick: bool, repeat: int, budget: float) -> None:
    cases = [(3, 50), (3, 100), (4, 25), (4, 50)]
    if not quick:
        cases += [(3, 200), (4, 100)]
    for bt_cls, fk_cls in (
        (BtFastND, fkb.FastNondominatedPartitioning),
        (BtDominated, fkb.DominatedPartitioning),
    ):
        for m, n in cases:
            Y = _points("sphere", n, m, seed=7 * n + m)
            ref = torch.zeros(m, dtype=torch.float64)
            t_bt, want = _time(bt_cls, (ref, Y), repeat, budget)
            t_fk, got = _time(fk_cls, (ref, Y), repeat, budget)
            assert torch.equal(got.hypercell_bounds, want.hypercell_bounds), (n, m)
            cells = want.hypercell_bounds.shape[-2]
            _row(rows, bt_cls.__name__, f"sphere n={n} m={m} ({cells} cells)", t_bt, t_fk)


def _model(n: int, d: int, m: int, seed: int) -> tuple[Any, torch.Tensor, torch.Tensor]:
    from botorch.models import SingleTaskGP

    gen = torch.Generator().manual_seed(seed)
    X = torch.rand(n, d, generator=gen, dtype=torch.float64)
    cols = [torch.sin((j + 2) * X.sum(-1)) + X[:, j % d] ** 2 for j in range(m)]
    Y = torch.stack(cols, dim=-1)
    return SingleTaskGP(X, Y), X, Y


def _qnehvi(model: Any, X: torch.Tensor, ref: torch.Tensor, samples: int) -> torch.Tensor:
    from botorch.acquisition.multi_objective.monte_carlo import (
        qNoisyExpectedHypervolumeImprovement,
    )
    from botorch.sampling import SobolQMCNormalSampler

    acq = qNoisyExpectedHypervolumeImprovement(
        model=model,
        ref_point=ref.tolist(),
        X_baseline=X,
        sampler=SobolQMCNormalSampler(torch.Size([samples]), seed=0),
        prune_baseline=False,
    )
    Xt = torch.rand(
        4, 1, X.shape[-1], generator=torch.Generator().manual_seed(1), dtype=torch.float64
    )
    return acq(Xt).detach()


def _qlogehvi(model: Any, X: torch.Tensor, ref: torch.Tensor, optimize: bool) -> torch.Tensor:
    """BoTorch's factory path: qLogEHVI on the posterior mean's front; optionally a step."""
    from botorch.acquisition.factory import get_acquisition_function
    from botorch.acquisition.multi_objective.objective import IdentityMCMultiOutputObjective
    from botorch.optim import optimize_acqf

    with torch.no_grad():
        mean = model.posterior(X).mean
    acq = get_acquisition_function(
        "qLogEHVI",
        model,
        IdentityMCMultiOutputObjective(),
        X,
        mc_samples=32,
        seed=0,
        ref_point=ref.tolist(),
        Y=mean,
    )
    if not optimize:
        Xt = torch.rand(
            8, 1, X.shape[-1], generator=torch.Generator().manual_seed(1), dtype=torch.float64
        )
        return acq(Xt).detach()
    bounds = torch.stack([torch.zeros(X.shape[-1]), torch.ones(X.shape[-1])]).double()
    torch.manual_seed(0)
    cand, _ = optimize_acqf(
        acq, bounds=bounds, q=1, num_restarts=2, raw_samples=32, options={"maxiter": 20}
    )
    return cand


def _both(fn: Callable[..., Any], args: tuple, repeat: int, budget: float) -> tuple:
    """Time ``fn`` with BoTorch as it is, then with install(partitioning=True)."""
    t_bt, want = _time(fn, args, repeat, budget)
    fkb.install(partitioning=True)
    try:
        t_fk, got = _time(fn, args, repeat, budget)
    finally:
        fkb.uninstall()
    return t_bt, want, t_fk, got


def bench_end_to_end(rows: list, quick: bool, repeat: int, budget: float) -> None:
    samples = 16 if quick else 32
    model, X, Y = _model(20, 3, 3, seed=0)
    ref = Y.min(dim=0).values - 0.1
    t_bt, want, t_fk, got = _both(_qnehvi, (model, X, ref, samples), repeat, budget)
    torch.testing.assert_close(got, want, rtol=1e-8, atol=0)
    _row(rows, "end to end", f"qNEHVI init, m=3, 20 pts, {samples} samples", t_bt, t_fk)

    for m, n in ((3, 40), (4, 30)):
        model, X, Y = _model(n, 3, m, seed=m)
        ref = Y.min(dim=0).values - 0.1
        t_bt, want, t_fk, got = _both(_qlogehvi, (model, X, ref, False), repeat, budget)
        torch.testing.assert_close(got, want, rtol=1e-8, atol=0)
        _row(rows, "end to end", f"qLogEHVI factory + 1 eval, m={m}, {n} pts", t_bt, t_fk)
    if not quick:
        model, X, Y = _model(40, 3, 3, seed=3)
        ref = Y.min(dim=0).values - 0.1
        t_bt, want, t_fk, got = _both(_qlogehvi, (model, X, ref, True), repeat, budget)
        torch.testing.assert_close(got, want, rtol=1e-8, atol=1e-12)
        _row(rows, "end to end", "qLogEHVI + optimize_acqf, m=3, 40 pts", t_bt, t_fk)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller cells only")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per call (median)")
    parser.add_argument(
        "--budget", type=float, default=2.0, help="a call slower than this (s) is timed once"
    )
    parser.add_argument(
        "--groups", default="nd,hv,part,e2e", help="comma-separated: nd, hv, part, e2e"
    )
    args = parser.parse_args(argv)
    import botorch

    print(
        f"machine: {platform.machine()} {platform.processor() or ''} "
        f"{os.cpu_count()} CPUs, torch {torch.__version__} ({torch.get_num_threads()} threads),"
        f" botorch {botorch.__version__}, {time.strftime('%Y-%m-%d')}"
    )
    rows: list = []
    groups = set(args.groups.split(","))
    with warnings.catch_warnings():
        # qNEHVI / optimize_acqf may warn about numerics or optimisation; timings only here.
        warnings.simplefilter("ignore")
        if "nd" in groups:
            bench_is_non_dominated(rows, args.quick, args.repeat, args.budget)
        if "hv" in groups:
            bench_hypervolume(rows, args.quick, args.repeat, args.budget)
        if "part" in groups:
            bench_partitioning(rows, args.quick, args.repeat, args.budget)
        if "e2e" in groups:
            bench_end_to_end(rows, args.quick, args.repeat, args.budget)
    print()
    print("| what | case | BoTorch | frontierkit | BoTorch / frontierkit |")
    print("| --- | --- | ---: | ---: | ---: |")
    for group, case, t_bt, t_fk in rows:
        print(f"| {group} | {case} | {_fmt(t_bt)} | {_fmt(t_fk)} | {t_bt / t_fk:,.1f} |")


if __name__ == "__main__":
    main()
