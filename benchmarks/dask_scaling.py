#!/usr/bin/env python
"""Time frontierkit.dask against the in-memory calls: threads, and a LocalCluster of processes.

Cells (defaults; every size is an option):

* ``hypervolume``: 100,000 sets of 100 points in 3-D (uniform in [0, 1)^3, reference 1.1), chunks
  of 10,000 sets;
* ``pareto_rank``: the same batch;
* ``hv_approx``: 2,000 sets of 100 points in 3-D, 4,096 samples per set, seed 1;
* ``fit``: 100,000 noisy saturating power laws ``a x^-b + c`` of 20 points (shared x, 1e3..1e6),
  chunks of 10,000 curves.

Each cell is timed (median of ``--repeat`` runs) four ways on the SAME data:

* ``in-memory``: the frontierkit function on a NumPy array (its kernels already share a call's
  work among every core);
* ``dask threads``: ``frontierkit.dask`` on ``da.from_array`` of that array, dask's default
  threaded scheduler (one thread per core);
* ``cluster``: ``frontierkit.dask`` on a ``LocalCluster(n_workers, threads_per_worker,
  processes=True)`` (``--workers 2 --threads-per-worker 1`` by default), the input already
  persisted on the workers (built there with ``dask.array.random`` for the point sets, sent
  once for the curves): the time a computation takes on data that lives on the cluster;
* ``cluster + transfer`` (``--transfer``): the same from the client's NumPy array, so the chunks
  travel to the workers in the timed run.

Every result is checked to equal the in-memory one exactly (NaN in the same places). Absolute
times depend on the machine: the script prints its CPU count and name with the table.

Usage: ``PYTHONPATH=python python benchmarks/dask_scaling.py [--quick] [--workers 2]``
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np

import frontierkit as fk

try:
    import dask
    import dask.array as da
    import distributed
except ImportError:  # pragma: no cover
    sys.exit("this benchmark needs dask: pip install 'dask[array,distributed]'")

import frontierkit.dask as fkd


def _median_time(func, repeat):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = func()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def _check(got, want, what):
    got, want = np.asarray(got), np.asarray(want)
    if not np.array_equal(got, want, equal_nan=got.dtype.kind == "f"):
        raise SystemExit(f"{what}: the dask result differs from the in-memory one")


def _cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _curves(k, m, seed):
    rng = np.random.default_rng(seed)
    x = np.geomspace(1e3, 1e6, m)
    a, b, c = rng.uniform(5, 50, k), rng.uniform(0.1, 0.6, k), rng.uniform(1, 3, k)
    y = a[:, None] * x ** -b[:, None] + c[:, None]
    return x, y * (1.0 + 0.01 * rng.standard_normal(y.shape))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", type=int, default=100_000)
    ap.add_argument("--n", type=int, default=100)
    ap.add_argument("--d", type=int, default=3)
    ap.add_argument("--chunk-sets", type=int, default=10_000)
    ap.add_argument("--mc-sets", type=int, default=2_000)
    ap.add_argument("--mc-samples", type=int, default=4096)
    ap.add_argument("--curves", type=int, default=100_000)
    ap.add_argument("--points", type=int, default=20)
    ap.add_argument("--chunk-curves", type=int, default=10_000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads-per-worker", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--transfer", action="store_true", help="also time sending the input")
    ap.add_argument("--quick", action="store_true", help="a tenth of every size, one repeat")
    args = ap.parse_args()
    if args.quick:
        for name in ("sets", "chunk_sets", "mc_sets", "curves", "chunk_curves"):
            setattr(args, name, max(1, getattr(args, name) // 10))
        args.repeat = 1

    # Worker processes import frontierkit: from a source tree, they need its location too.
    root = str(Path(fk.__file__).resolve().parents[1])
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    warnings.simplefilter("ignore", ResourceWarning)
    warnings.filterwarnings("ignore", message="Sending large graph")  # the transfer cells
    load_before = os.getloadavg()[0]
    cluster = distributed.LocalCluster(
        n_workers=args.workers,
        threads_per_worker=args.threads_per_worker,
        processes=True,
        dashboard_address=None,
        silence_logs=40,
    )
    client = distributed.Client(cluster)

    shape = (args.sets, args.n, args.d)
    chunks = (args.chunk_sets, args.n, args.d)
    on_workers = da.random.default_rng(0).random(shape, chunks=chunks)
    pts = on_workers.compute(scheduler="threads")  # the same values, on the client
    on_workers = client.persist(on_workers)
    distributed.wait(on_workers)
    local = da.from_array(pts, chunks=chunks)
    mc_shape = (args.mc_sets, args.n, args.d)
    mc_pts, mc_local, mc_workers = (
        pts[: args.mc_sets],
        local[: args.mc_sets],
        on_workers[: args.mc_sets],
    )

    x, y = _curves(args.curves, args.points, 0)
    y_local = da.from_array(y, chunks=(args.chunk_curves, args.points))
    y_workers = client.persist(y_local)
    distributed.wait(y_workers)

    mc = dict(n_samples=args.mc_samples, seed=1)
    cells = [
        (
            f"hypervolume {shape}",
            lambda: fk.hypervolume(pts, ref=1.1),
            lambda a: fkd.hypervolume(a, ref=1.1),
            local,
            on_workers,
        ),
        (
            f"pareto_rank {shape}",
            lambda: fk.pareto_rank(pts),
            lambda a: fkd.pareto_rank(a),
            local,
            on_workers,
        ),
        (
            f"hv_approx {mc_shape}, {args.mc_samples} samples",
            lambda: fk.hv_approx(mc_pts, ref=1.1, **mc).value,
            lambda a: fkd.hv_approx(a, ref=1.1, **mc).value,
            mc_local,
            mc_workers,
        ),
        (
            f"fit saturating_power ({args.curves}, {args.points})",
            lambda: fk.fit_curves("saturating_power", x, y).params,
            lambda a: fkd.fit_curves("saturating_power", x, a).params,
            y_local,
            y_workers,
        ),
    ]
    rows = []
    for name, in_memory, lazy, arr_local, arr_workers in cells:
        t_mem, want = _median_time(in_memory, args.repeat)
        ways = [(arr_local, "threads", "threads"), (arr_workers, client, "cluster")]
        if args.transfer:
            ways.append((arr_local, client, "cluster + transfer"))
        row = [name, t_mem]
        for arr, scheduler, label in ways:
            t, got = _median_time(
                lambda a=arr, s=scheduler, f=lazy: f(a).compute(scheduler=s), args.repeat
            )
            _check(got, want, f"{name}, {label}")
            row.append(t)
        rows.append(row)
        print(f"done: {name}", file=sys.stderr)

    client.close()
    cluster.close()

    shape_cl = f"{args.workers}x{args.threads_per_worker}"
    head = ["cell", "in-memory (s)", "dask threads (s)", f"cluster {shape_cl} (s)"]
    if args.transfer:
        head.append("cluster + transfer (s)")
    print(
        f"\n{os.cpu_count()} CPUs ({_cpu_name()}), frontierkit {fk.__version__} "
        f"({fk.backend()}), dask {dask.__version__}, distributed {distributed.__version__}; "
        f"chunks of {args.chunk_sets} sets / {args.chunk_curves} curves, median of {args.repeat}; "
        f"1-minute load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after\n"
    )
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] + ["---:"] * (len(head) - 1)) + "|")
    for row in rows:
        print("| " + " | ".join([row[0]] + [f"{t:.3f}" for t in row[1:]]) + " |")
    print("\nEvery dask result equals the in-memory one exactly.")


if __name__ == "__main__":
    main()
