"""The ``frontierkit`` command line: demo, front, hv, hvc, hv-approx and fit."""

from __future__ import annotations

import argparse
import csv
import dataclasses
import inspect
import json
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, get_args

import numpy as np

from . import __version__, backend
from . import fit as _fit
from .approx import hv_approx
from .datasets import scaling_law_runs, sphere_front, uniform_points
from .hypervolume import hv_contributions, hypervolume
from .pareto import is_nondominated, pareto_rank


class CliError(Exception):
    """A problem with the user's files or options: printed as one line, exit status 2."""


def _read_points(path: str, columns: str | None) -> tuple[np.ndarray, list[str]]:
    """Read the numeric columns ``columns`` (comma-separated names or indices; all when None)."""
    table = _read_table(path)
    pairs = [table.numbers(spec) for spec in (columns.split(",") if columns else table.names)]
    return np.column_stack([col for _, col in pairs]), [name for name, _ in pairs]


def _column_index(spec: str, names: list[str], path: str) -> int:
    spec = spec.strip()
    if spec in names:
        return names.index(spec)
    if spec.isdigit() and int(spec) < len(names):
        return int(spec)
    raise CliError(f"{path} has no column {spec!r} (columns: {', '.join(names)})")


def _maximise_flags(spec: str | None, names: list[str], path: str) -> list[bool]:
    if not spec:
        return [False] * len(names)
    if spec == "all":
        return [True] * len(names)
    chosen = {_column_index(c, names, path) for c in spec.split(",")}
    return [i in chosen for i in range(len(names))]


def _cmd_front(args: argparse.Namespace) -> int:
    data, names = _read_points(args.file, args.columns)
    flags = _maximise_flags(args.maximise, names, args.file)
    try:
        ranks = pareto_rank(data, maximise=flags)
    except (ValueError, TypeError) as exc:
        raise CliError(f"{args.file}: {exc}") from exc
    if _write_points(args.out, names, data, "rank", [str(int(r)) for r in ranks]):
        sizes = np.bincount(ranks) if len(ranks) else np.zeros(0, int)
        head = f"{len(ranks)} points, {len(sizes)} fronts (front 0: {sizes[:1].sum()} points)"
        print(f"{head} -> {args.out}")
    _plot_points(args.plot, data, names, flags)
    return 0


def _parse_ref(spec: str, d: int) -> np.ndarray:
    try:
        values = [float(v) for v in spec.split(",")]
    except ValueError as exc:
        raise CliError(f"--ref must be numbers separated by commas, not {spec!r}") from exc
    if len(values) == 1:
        values = values * d
    if len(values) != d:
        raise CliError(
            f"--ref must have {d} values (one per objective) or one for all, "
            f"but it has {len(values)}"
        )
    return np.array(values)


def _write_points(
    path: str | None, names: list[str], data: np.ndarray, column: str, values: list[str]
) -> bool:
    """Write the points with one more column to ``path``: CSV, or JSON for a ``.json`` name.

    None or '-' is standard output (CSV); returns True when it went to a file.
    """
    if path not in (None, "-") and Path(path).suffix.lower() == ".json":
        records = [
            {**{n: float(x) for n, x in zip(names, row)}, column: json.loads(v)}
            for row, v in zip(data, values)
        ]
        with open(path, "w") as fh:
            json.dump({"columns": names, "rows": records}, fh, indent=1, allow_nan=False)
            fh.write("\n")
        return True
    out = sys.stdout if path in (None, "-") else open(path, "w", newline="")
    try:
        writer = csv.writer(out)
        writer.writerow([*names, column])
        for row, v in zip(data, values):
            writer.writerow([*(repr(float(x)) for x in row), v])
    finally:
        if out is not sys.stdout:
            out.close()
    return out is not sys.stdout


def _pyplot() -> Any:
    """matplotlib.pyplot on the Agg backend (files only), or a one-line error."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise CliError("--plot needs matplotlib: pip install 'frontierkit[plot]'") from exc
    return plt


def _save_plot(ax: Any, path: str) -> None:
    plt = _pyplot()
    try:
        ax.figure.savefig(path, dpi=120, bbox_inches="tight")
    except ValueError as exc:  # an unknown image format
        raise CliError(f"--plot: {exc}") from exc
    finally:
        plt.close(ax.figure)
    print(f"plot -> {path}", file=sys.stderr)


def _plot_points(path: str | None, data: np.ndarray, names: list[str], flags: list[bool]) -> None:
    """--plot of the points' fronts (2 or 3 objectives)."""
    if path is None:
        return
    if data.shape[1] not in (2, 3):
        raise CliError(f"--plot draws 2 or 3 objectives, but there are {data.shape[1]}")
    _pyplot()
    from .plot import front as plot_front

    _save_plot(plot_front(data, maximise=flags, labels=names), path)


class _Progress:
    """A progress bar on standard error, drawn only when it is a terminal (or when forced)."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.label, self.enabled, self.start = label, enabled, time.perf_counter()

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        width = 30
        filled = int(width * done / max(total, 1))
        took = time.perf_counter() - self.start
        eta = took / done * (total - done) if done else 0.0
        bar = "#" * filled + "-" * (width - filled)
        end = "\n" if done >= total else ""
        msg = f"\r{self.label} [{bar}] {done}/{total} {took:.1f}s, {eta:.1f}s left"
        print(msg, end=end, file=sys.stderr, flush=True)


def _progress_wanted(args: argparse.Namespace) -> bool:
    return bool(getattr(args, "progress", False)) or sys.stderr.isatty()


def _cmd_hv(args: argparse.Namespace) -> int:
    data, names = _read_points(args.file, args.columns)
    flags = _maximise_flags(args.maximise, names, args.file)
    ref = _parse_ref(args.ref, len(names))
    try:
        value, seconds = _timed(hypervolume, data, ref, maximise=flags)
    except (ValueError, TypeError) as exc:
        raise CliError(f"{args.file}: {exc}") from exc
    if args.json:
        print(
            json.dumps(
                {
                    "hypervolume": value,
                    "n": int(data.shape[0]),
                    "columns": names,
                    "ref": ref.tolist(),
                    "maximise": flags,
                    "seconds": seconds,
                }
            )
        )
    else:
        print(repr(value))
    _plot_points(args.plot, data, names, flags)
    return 0


def _cmd_hv_approx(args: argparse.Namespace) -> int:
    data, names = _read_points(args.file, args.columns)
    flags = _maximise_flags(args.maximise, names, args.file)
    ref = _parse_ref(args.ref, len(names))
    extra = {}
    if args.method == "fpras":
        extra = {"epsilon": args.epsilon, "delta": args.delta}
    elif args.epsilon is not None or args.delta is not None:
        raise CliError("--epsilon and --delta apply to --method fpras only")
    try:
        est, seconds = _timed(
            hv_approx, data, ref, maximise=flags, n_samples=args.samples, method=args.method,
            seed=args.seed, **extra,
        )  # fmt: skip
    except (ValueError, TypeError) as exc:
        raise CliError(f"{args.file}: {exc}") from exc
    lo, hi = est.bound() if args.method == "fpras" else est.ci(0.95)
    record = {
        "estimate": est.value,
        "stderr": est.stderr,
        "interval": [lo, hi],
        "interval_kind": (
            f"guaranteed with probability >= {1 - est.delta:g}"
            if args.method == "fpras"
            else "95% confidence"
        ),
        "method": est.method,
        "sampler": est.sampler,
        "n_samples": est.n_samples,
        "seed": est.seed,
        "n": int(data.shape[0]),
        "columns": names,
        "ref": ref.tolist(),
        "maximise": flags,
        "seconds": seconds,
    }
    if args.method == "fpras":
        record.update(epsilon=est.epsilon, delta=est.delta)
    if args.json:
        print(json.dumps(record))
    else:
        print(
            f"{est.value!r} +- {est.stderr:.3g} (standard error); {record['interval_kind']} "
            f"interval [{lo:.6g}, {hi:.6g}]; {est.n_samples} {est.sampler} samples, "
            f"seed {est.seed} ({seconds * 1e3:.1f} ms)"
        )
    _plot_points(args.plot, data, names, flags)
    return 0


def _cmd_hvc(args: argparse.Namespace) -> int:
    data, names = _read_points(args.file, args.columns)
    flags = _maximise_flags(args.maximise, names, args.file)
    ref = _parse_ref(args.ref, len(names))
    try:
        contrib = hv_contributions(data, ref, maximise=flags)
    except (ValueError, TypeError) as exc:
        raise CliError(f"{args.file}: {exc}") from exc
    if _write_points(args.out, names, data, "contribution", [repr(float(c)) for c in contrib]):
        least = int(np.argmin(contrib)) if len(contrib) else -1
        print(f"{len(contrib)} points, least contributor: row {least} -> {args.out}")
    _plot_points(args.plot, data, names, flags)
    return 0


def _timed(func, *args, **kwargs):
    start = time.perf_counter()
    out = func(*args, **kwargs)
    return out, time.perf_counter() - start


def _cmd_demo(args: argparse.Namespace) -> int:
    print(f"frontierkit {__version__} demo (backend: {backend()}, seed {args.seed})")
    for label, pts in (
        (f"uniform random, n={args.n}, d={args.d}", uniform_points(args.n, args.d, seed=args.seed)),
        (f"sphere front,   n={args.n}, d={args.d}", sphere_front(args.n, args.d, seed=args.seed)),
    ):
        ranks, t_rank = _timed(pareto_rank, pts)
        mask, t_front = _timed(is_nondominated, pts)
        sizes = np.bincount(ranks)
        head = ", ".join(str(s) for s in sizes[:8]) + (", ..." if len(sizes) > 8 else "")
        print(f"\n{label}")
        print(f"  first front: {int(mask.sum())} points ({t_front * 1e3:.2f} ms)")
        print(f"  all ranks:   {len(sizes)} fronts of sizes [{head}] ({t_rank * 1e3:.2f} ms)")
        ref = np.full(args.d, 1.1)
        vol, t_hv = _timed(hypervolume, pts, ref)
        print(f"  hypervolume: {vol:.6g} with ref = 1.1 in every objective ({t_hv * 1e3:.2f} ms)")
        est, t_mc = _timed(hv_approx, pts, ref, n_samples=2**16, seed=args.seed)
        lo, hi = est.ci(0.95)
        print(
            f"  Monte Carlo: {est.value:.6g} +- {est.stderr:.2g}, 95% interval [{lo:.6g}, "
            f"{hi:.6g}] from {est.n_samples} samples ({t_mc * 1e3:.2f} ms)"
        )
    fit = _demo_scaling_law(args.seed)
    if args.plot is not None:
        plt = _pyplot()
        from .plot import front as plot_front

        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
        pts = uniform_points(500, 2, seed=args.seed)
        plot_front(pts, ax=left, labels=["objective 0", "objective 1"])
        left.set_title("500 random points: fronts and their staircases", fontsize="small")
        runs = scaling_law_runs(5, 9, seed=args.seed)
        fit.fit.plot(np.column_stack([runs.N, runs.D]), runs.L, ax=right, xlabel="N (parameters)",
                     ylabel="loss", extend=3.0)  # fmt: skip
        _save_plot(left, args.plot)
    return 0


def _demo_scaling_law(seed: int, n_boot: int = 200) -> Any:
    """Fit the Chinchilla law to generated IsoFLOP runs; estimates next to the truth."""
    n_budgets, per_budget = 5, 9
    runs = scaling_law_runs(n_budgets, per_budget, seed=seed)
    fit, t_fit = _timed(_fit.fit_chinchilla, runs.N, runs.D, runs.L, bootstrap=n_boot, seed=seed)
    print(
        f"\nscaling law, {runs.N.size} synthetic IsoFLOP runs ({n_budgets} budgets "
        f"{runs.C.min():.0e}..{runs.C.max():.0e} FLOPs, {per_budget} sizes each, "
        f"{runs.noise:.1%} noise)"
    )
    how = fit.fit.settings
    print(
        f"  chinchilla fit: {how['loss']} loss on {how['space']} L, {n_boot} bootstrap refits, "
        f"{fit.fit.status} ({t_fit * 1e3:.2f} ms)"
    )
    ci = fit.ci(0.95)
    for name, value in fit.params.items():
        lo, hi = ci[name]
        true = f"(true {runs.truth[name]:g})"
        print(f"  {name + ':':<6} {value:8.4g} {true:<14} 95% interval [{lo:.4g}, {hi:.4g}]")
    budgets = np.array([1e21, 1e23])
    opt = fit.compute_optimal(budgets)
    true_n, true_d = runs.compute_optimal(budgets)
    for j, c in enumerate(budgets):
        for key, truth in (("N_opt", true_n[j]), ("D_opt", true_d[j])):
            lo, hi = opt[f"{key}_ci"][j]
            true = f"(true {truth:.3g})"
            print(
                f"  {key} at C = {c:.0e}: {opt[key][j]:.3g} {true:<16} "
                f"95% interval [{lo:.3g}, {hi:.3g}]"
            )
    return fit


# --- fit ----------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Table:
    """A CSV or .npy file whose cells are parsed column by column."""

    path: str
    names: list[str]
    rows: list[list[str]] | np.ndarray  # CSV cells as text, or the .npy array
    places: list[str]  # where each row is, for messages: "line 5" (CSV) or "row 4" (.npy)

    def column(self, spec: str) -> tuple[str, int]:
        j = _column_index(spec, self.names, self.path)
        return self.names[j], j

    def numbers(self, spec: str) -> tuple[str, np.ndarray]:
        name, j = self.column(spec)
        if isinstance(self.rows, np.ndarray):
            return name, self.rows[:, j].astype(float)
        out = np.empty(len(self.rows))
        for i, row in enumerate(self.rows):
            try:
                out[i] = float(row[j])
            except ValueError:
                raise CliError(
                    f"{self.path}, {self.places[i]}: column {name!r} holds {row[j].strip()!r}, "
                    "not a number (every cell must be a number)"
                ) from None
        return name, out

    def labels(self, spec: str) -> tuple[str, list[str]]:
        name, j = self.column(spec)
        if isinstance(self.rows, np.ndarray):
            return name, [format(float(v), "g") for v in self.rows[:, j]]
        return name, [row[j].strip() for row in self.rows]


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def _read_table(path: str) -> _Table:
    p = Path(path)
    if not p.is_file():
        raise CliError(f"no such file: {path}")
    if p.suffix == ".npy":
        try:
            data = np.load(p, allow_pickle=False)
        except Exception as exc:
            raise CliError(f"cannot read {path} as .npy: {exc}") from exc
        if data.ndim != 2 or data.dtype.kind not in "iufb":
            raise CliError(
                f"{path} must hold a 2-D array of numbers (rows = points), but it has shape "
                f"{data.shape} and dtype {data.dtype}"
            )
        names = [str(j) for j in range(data.shape[1])]
        return _Table(path, names, data.astype(float), [f"row {i}" for i in range(len(data))])
    with p.open(newline="") as fh:
        reader = csv.reader(fh)
        rows = [(reader.line_num, r) for r in reader if r and any(c.strip() for c in r)]
    if not rows:
        raise CliError(f"{path} is empty")
    header = rows[0][1]
    if all(_is_number(c) for c in header):
        names = [str(j) for j in range(len(header))]
    else:
        names = [c.strip() for c in header]
        rows = rows[1:]
        if not rows:
            raise CliError(f"{path} has a header row but no data")
    for line, r in rows:
        if len(r) != len(names):
            raise CliError(
                f"{path}, line {line}: every row must have {len(names)} values, "
                f"but this one has {len(r)}"
            )
    return _Table(path, names, [r for _, r in rows], [f"line {line}" for line, _ in rows])


def _fit_defaults(model: str) -> dict[str, Any]:
    """Loss, f_scale and space as the library defaults them (fit_chinchilla's for chinchilla)."""
    func = _fit.fit_chinchilla if model == "chinchilla" else _fit.fit_curves
    params = inspect.signature(func).parameters
    return {key: params[key].default for key in ("loss", "f_scale", "space")}


def _fit_options(args: argparse.Namespace) -> dict[str, Any]:
    opts = _fit_defaults(args.model)
    losses, spaces = get_args(_fit.Loss), get_args(_fit.Space)
    if args.loss is not None:
        if args.loss not in losses:
            raise CliError(f"--loss must be one of {', '.join(losses)}, not {args.loss!r}")
        opts["loss"] = args.loss
    if args.space is not None:
        if args.space not in spaces:
            raise CliError(f"--space must be one of {', '.join(spaces)}, not {args.space!r}")
        opts["space"] = args.space
    if args.f_scale is not None:
        if not (args.f_scale > 0 and math.isfinite(args.f_scale)):
            raise CliError(f"--f-scale must be positive, not {args.f_scale:g}")
        opts["f_scale"] = args.f_scale
    return opts


def _parse_budgets(spec: str | None, model: str) -> list[float] | None:
    if spec is None:
        return None
    if model != "chinchilla":
        raise CliError(f"--compute-optimal needs --model chinchilla, not {model}")
    try:
        values = [float(v) for v in spec.split(",")]
    except ValueError:
        raise CliError(
            f"--compute-optimal must be FLOP budgets separated by commas, not {spec!r}"
        ) from None
    if not all(v > 0 and math.isfinite(v) for v in values):
        raise CliError(f"--compute-optimal budgets must be positive, not {spec!r}")
    return values


def _check_fit_data(
    table: _Table,
    model: str,
    x: np.ndarray,
    x_names: list[str],
    y: np.ndarray,
    y_name: str,
    space: str,
) -> None:
    """One line naming the column and line of the first cell the fit cannot use."""
    where = table.places
    bad: np.ndarray = np.argwhere(~np.isfinite(x))
    if bad.size:
        i, j = bad[0]
        raise CliError(
            f"{table.path}, {where[i]}: column {x_names[j]!r} holds {float(x[i, j])}, but --x "
            "columns must be finite (only --y may hold NaN, for a missing point)"
        )
    if getattr(_fit.MODELS[model], "log_inputs", True):
        bad = np.argwhere(x <= 0)
        if bad.size:
            i, j = bad[0]
            raise CliError(
                f"{table.path}, {where[i]}: column {x_names[j]!r} is {x[i, j]:g}, but model "
                f"{model} needs positive values there (it takes their logarithm)"
            )
    bad = np.flatnonzero(np.isinf(y))
    if bad.size:
        raise CliError(
            f"{table.path}, {where[bad[0]]}: column {y_name!r} must be finite "
            "(NaN marks a missing point)"
        )
    if space == "log":
        bad = np.flatnonzero(y <= 0)
        if bad.size:
            raise CliError(
                f"{table.path}, {where[bad[0]]}: column {y_name!r} is {y[bad[0]]:g}, but "
                "--space log needs positive values there"
            )


def _take(res: Any, i: int, k: int) -> Any:
    """Problem ``i`` of a batched result: every array field with a leading axis of ``k``."""
    parts = {}
    for field in dataclasses.fields(res):
        value = getattr(res, field.name)
        if isinstance(value, np.ndarray) and value.ndim and value.shape[0] == k:
            parts[field.name] = value[i]
    return dataclasses.replace(res, **parts)


def _run_fits(
    model: str,
    x: np.ndarray,
    y: np.ndarray,
    groups: list[np.ndarray] | None,
    opts: dict[str, Any],
    n_boot: int,
    seed: int,
    progress: Any = None,
) -> tuple[Any, list[tuple[Any, Any]]]:
    """Fit one curve, or one per group in one batched call.

    Returns the FitResult of the call (for ``--report``) and a (fit, bootstrap or None) pair
    per curve.
    """
    one_input = _fit.MODELS[model].inputs == 1
    if groups is None:
        if model == "chinchilla":
            cf = _fit.fit_chinchilla(
                x[:, 0], x[:, 1], y, bootstrap=n_boot, seed=seed, progress=progress, **opts
            )
            return cf.fit, [(cf.fit, cf.boot)]
        xs = x[:, 0] if one_input else x
        if n_boot:
            boot = _fit.bootstrap(
                model, xs, y, n_resamples=n_boot, seed=seed, progress=progress, **opts
            )
            return boot.fit, [(boot.fit, boot)]
        res = _fit.fit_curves(model, xs, y, seed=seed, **opts)
        return res, [(res, None)]
    # Ragged groups: pad y with NaN (a dropped point) and x with a point of the same group.
    k, m = len(groups), max(len(g) for g in groups)
    yb = np.full((k, m), np.nan)
    xb = np.empty((k, m, x.shape[1]))
    for i, rows in enumerate(groups):
        yb[i, : len(rows)] = y[rows]
        xb[i, : len(rows)] = x[rows]
        xb[i, len(rows) :] = x[rows[0]]
    xs = xb[..., 0] if one_input else xb
    if n_boot:
        boot = _fit.bootstrap(
            model, xs, yb, n_resamples=n_boot, seed=seed, progress=progress, **opts
        )
        per = [
            dataclasses.replace(boot, fit=_take(boot.fit, i, k), samples=_take(boot.samples, i, k))
            for i in range(k)
        ]
        return boot.fit, [(b.fit, b) for b in per]
    res = _fit.fit_curves(model, xs, yb, seed=seed, **opts)
    return res, [(_take(res, i, k), None) for i in range(k)]


def _number(v: Any) -> float | None:
    """Return a float for JSON: None for NaN and infinities."""
    v = float(v)
    return v if math.isfinite(v) else None


def _curve_record(fit: Any, boot: Any, level: float, budgets: list[float] | None) -> dict[str, Any]:
    names = list(fit.param_names)
    rec: dict[str, Any] = {
        "params": dict(zip(names, map(float, fit.params))),
        "stderr": dict(zip(names, map(float, fit.stderr))),
    }
    if boot is not None:
        rec["ci"] = {n: [float(a), float(b)] for n, (a, b) in zip(names, boot.ci(level))}
    rec["cost"] = float(fit.cost)
    rec["status"] = str(fit.status)
    if budgets is not None:
        opt = _fit.ChinchillaFit(fit=fit, boot=boot).compute_optimal(np.array(budgets), level)
        rows = []
        for j, c in enumerate(budgets):
            row: dict[str, Any] = {"C": c}
            for key in ("N_opt", "D_opt"):
                row[key] = float(opt[key][j])
                if f"{key}_ci" in opt:
                    row[f"{key}_ci"] = [float(v) for v in opt[f"{key}_ci"][j]]
            rows.append(row)
        rec["compute_optimal"] = rows
    return rec


def _json_ready(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _json_ready(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_json_ready(v) for v in obj]
    if isinstance(obj, float):
        return _number(obj)
    return obj


def _fit_csv_rows(meta: dict[str, Any], curves: list[dict[str, Any]]) -> list[list[str]]:
    names = meta["param_names"]
    boot = meta["bootstrap"] > 0
    header = ([meta["group"]] if meta["group"] else []) + ["n"]
    for n in names:
        header += [n, f"{n}_stderr"] + ([f"{n}_lo", f"{n}_hi"] if boot else [])
    header += ["cost", "status"]
    for c in meta["compute_optimal"] or []:
        for key in ("N_opt", "D_opt"):
            header += [f"{key}@{c:g}"] + ([f"{key}@{c:g}_lo", f"{key}@{c:g}_hi"] if boot else [])
    out = [header]
    for rec in curves:
        row = ([rec["group"]] if meta["group"] else []) + [str(rec["n"])]
        for n in names:
            row += [repr(rec["params"][n]), repr(rec["stderr"][n])]
            row += [repr(v) for v in rec["ci"][n]] if boot else []
        row += [repr(rec["cost"]), rec["status"]]
        for opt in rec.get("compute_optimal", []):
            for key in ("N_opt", "D_opt"):
                row += [repr(opt[key])] + [repr(v) for v in opt.get(f"{key}_ci", [])]
        out.append(row)
    return out


def _print_fit_table(meta: dict[str, Any], curves: list[dict[str, Any]]) -> None:
    print(f"{meta['model']}: {meta['form']}")
    settings = f"{meta['loss']} loss (f_scale {meta['f_scale']:g}) on {meta['space']} residuals" + (
        f", {meta['bootstrap']} bootstrap resamples" if meta["bootstrap"] else ""
    )
    print(
        f"{meta['file']}: y = {meta['y']}, x = {', '.join(meta['x'])}; {settings} "
        f"({meta['seconds'] * 1e3:.2f} ms)"
    )
    extra = [f"{key}(C={c:g})" for c in meta["compute_optimal"] or [] for key in ("N_opt", "D_opt")]
    width = max(9, *(len(n) for n in [*meta["param_names"], *extra]))
    pct = f"{100 * (meta['level'] or 0.95):g}%"
    for rec in curves:
        head = f"{meta['group']} = {rec['group']}: " if meta["group"] else ""
        print(f"\n{head}{rec['n']} points, cost {rec['cost']:.6g}, {rec['status']}")
        line = f"  {'parameter':<{width}} {'estimate':>12} {'stderr':>11}"
        print(line + (f"   {pct} interval" if "ci" in rec else ""))
        ci = rec.get("ci", {})
        rows = [(n, v, rec["stderr"][n], ci.get(n)) for n, v in rec["params"].items()]
        for opt in rec.get("compute_optimal", []):
            for key in ("N_opt", "D_opt"):
                rows.append((f"{key}(C={opt['C']:g})", opt[key], None, opt.get(f"{key}_ci")))
        for name, value, err, q in rows:
            line = f"  {name:<{width}} {value:>12.6g} {'-' if err is None else f'{err:.4g}':>11}"
            print(line + (f"   [{q[0]:.6g}, {q[1]:.6g}]" if q is not None else ""))
    if meta["compute_optimal"] and not meta["bootstrap"]:
        print("\n(intervals of N_opt and D_opt need --bootstrap)")


def _cmd_fit(args: argparse.Namespace) -> int:
    model = args.model
    if model not in _fit.MODELS:
        raise CliError(f"unknown model {model!r} (models: {', '.join(_fit.MODELS)})")
    spec = _fit.MODELS[model]
    opts = _fit_options(args)
    if args.bootstrap < 0:
        raise CliError(f"--bootstrap must be 0 (none) or a resample count, not {args.bootstrap}")
    if args.level is not None and not args.bootstrap:
        raise CliError("--level sets the bootstrap intervals: add --bootstrap B")
    level = 0.95 if args.level is None else args.level
    if not 0 < level < 1:
        raise CliError(f"--level must be between 0 and 1, not {level:g}")
    budgets = _parse_budgets(args.compute_optimal, model)
    out_kind = None
    if args.out is not None:
        out_kind = Path(args.out).suffix.lower()
        if out_kind not in (".csv", ".json"):
            raise CliError(f"--out must name a .csv or .json file, not {args.out!r}")
    x_specs = [c.strip() for c in args.x.split(",")]
    if spec.inputs is not None and len(x_specs) != spec.inputs:
        which = " (N and D, in that order)" if spec.inputs == 2 else ""
        raise CliError(
            f"model {model} takes {spec.inputs} --x column(s){which}, but --x names "
            f"{len(x_specs)}: {args.x}"
        )

    table = _read_table(args.file)
    x_cols = [table.numbers(c) for c in x_specs]
    x_names = [name for name, _ in x_cols]
    x = np.stack([values for _, values in x_cols], axis=1)
    y_name, y = table.numbers(args.y)
    _check_fit_data(table, model, x, x_names, y, y_name, opts["space"])
    if args.group:
        group_name, labels = table.labels(args.group)
        order = list(dict.fromkeys(labels))
        rows: dict[Any, list[int]] = {label: [] for label in order}
        for i, label in enumerate(labels):
            rows[label].append(i)
        groups: list[np.ndarray] | None = [np.array(rows[label]) for label in order]
    else:
        group_name, order, groups = None, [None], None  # type: ignore[list-item]
    for label, idx in zip(order, groups or [np.arange(len(y))]):
        if np.isnan(y[idx]).all():
            where = f" (group {group_name} = {label})" if group_name else ""
            raise CliError(f"{args.file}: column {y_name!r} has no values to fit{where}")

    try:
        bar = _Progress(f"bootstrap of {model}", _progress_wanted(args)) if args.bootstrap else None
        (result, pairs), seconds = _timed(
            _run_fits, model, x, y, groups, opts, args.bootstrap, args.seed, bar
        )
        curves = []
        for label, idx, (f, b) in zip(order, groups or [np.arange(len(y))], pairs):
            rec: dict[str, Any] = {"group": label} if group_name else {}
            rec["n"] = int(np.isfinite(y[idx]).sum())
            curves.append({**rec, **_curve_record(f, b, level, budgets)})
    except (ValueError, TypeError) as exc:
        if "inputs per point" in str(exc):
            raise CliError(f"model {model} cannot take {len(x_specs)} --x columns ({exc})") from exc
        raise CliError(f"{args.file}: {exc}") from exc
    meta = {
        "model": model,
        "form": spec.form,
        "file": args.file,
        "x": x_names,
        "y": y_name,
        "group": group_name,
        "param_names": list(result.param_names),
        **opts,
        "bootstrap": args.bootstrap,
        "level": level if args.bootstrap else None,
        "seed": args.seed,
        "compute_optimal": budgets,
        "seconds": seconds,
    }
    if out_kind == ".json":
        with open(args.out, "w") as fh:
            json.dump(_json_ready({**meta, "fits": curves}), fh, indent=2, allow_nan=False)
            fh.write("\n")
    elif out_kind == ".csv":
        with open(args.out, "w", newline="") as fh:
            csv.writer(fh).writerows(_fit_csv_rows(meta, curves))
    else:
        _print_fit_table(meta, curves)
    if args.out is not None:
        fits = f"{len(curves)} fits" if len(curves) > 1 else "1 fit"
        print(f"{fits} of {model} to {len(y)} rows ({seconds * 1e3:.2f} ms) -> {args.out}")
    if args.report:
        print("\n" + result.report())
    if args.plot is not None:
        _plot_fits(args.plot, model, x, y, x_names, y_name, groups, order, pairs)
    return 0


def _plot_fits(path, model, x, y, x_names, y_name, groups, order, pairs) -> None:
    """--plot of a fit: one panel per curve (the first 6 groups)."""
    plt = _pyplot()
    one_input = _fit.MODELS[model].inputs == 1
    shown = list(zip(order, groups or [np.arange(len(y))], pairs))[:6]
    cols = min(3, len(shown))
    rows = -(-len(shown) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5.0 * cols, 4.0 * rows), squeeze=False)
    for ax, (label, idx, (f, _b)) in zip(axes.ravel(), shown):
        xs = x[idx, 0] if one_input else x[idx]
        f.plot(xs, y[idx], ax=ax, xlabel=x_names[0], ylabel=y_name, extend=2.0)
        if label is not None:
            ax.set_title(f"{label}: {ax.get_title()}", fontsize="small")
    for ax in axes.ravel()[len(shown) :]:
        ax.set_visible(False)
    _save_plot(axes[0, 0], path)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser (exposed for tests and documentation)."""
    parser = argparse.ArgumentParser(
        prog="frontierkit",
        description="Fast, exact frontier analysis: Pareto fronts and ranks, hypervolume, "
        "scaling-law fits.",
        epilog="Examples:\n  frontierkit demo\n  frontierkit front points.csv --maximise accuracy "
        "--out ranks.csv\n  frontierkit hv points.csv --ref 1.1\n"
        "  frontierkit fit runs.csv --model chinchilla --x N,D --y loss --bootstrap 500\n"
        "  frontierkit hv-approx front10d.npy --ref 1.1 --samples 1000000",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"frontierkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo",
        help="rank generated benchmark fronts and fit a generated scaling law; print the "
        "results and timings",
        epilog="Example:\n  frontierkit demo --n 100000 --d 3",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument("--n", type=int, default=100_000, help="points per set (default 100000)")
    demo.add_argument("--d", type=int, default=3, help="objectives (default 3)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument(
        "--plot", metavar="FILE.png", help="draw a 2-D front and the scaling-law fit to FILE.png"
    )
    demo.set_defaults(run=_cmd_demo)
    fit = sub.add_parser(
        "fit",
        help="fit a scaling law (or another curve) to the columns of a CSV or .npy file",
        epilog="Examples:\n"
        "  frontierkit fit runs.csv --model chinchilla --x N,D --y loss --bootstrap 500 "
        "--compute-optimal 1e21,1e23\n"
        "  frontierkit fit curves.csv --model saturating_power --x step --y loss --group run "
        "--out fits.csv\n"
        "  frontierkit fit sweep.csv --model log_quadratic --x lr,batch --y loss --report\n"
        "chinchilla is fitted as fit_chinchilla does (Huber loss, f_scale 1e-3, on log L), the\n"
        "other models as fit_curves does (l2 loss, linear residuals); --loss, --f-scale and\n"
        "--space change that. NaN in the --y column marks a missing point. --group fits one\n"
        "curve per distinct value of a column (in order of first appearance), in one batched\n"
        "call. Without --bootstrap the table gives standard errors; with it, also percentile\n"
        "intervals. --out writes CSV (one row per curve) or JSON, by the file's extension.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fit.add_argument("file", help="CSV (optional header) or .npy file, one observation per row")
    fit.add_argument(
        "--model", required=True, metavar="MODEL", help=f"one of: {', '.join(_fit.MODELS)}"
    )
    fit.add_argument(
        "--x",
        required=True,
        metavar="COLS",
        help="input column(s), comma-separated names or indices (chinchilla, kaplan_nd: N,D)",
    )
    fit.add_argument("--y", required=True, metavar="COL", help="target column (name or index)")
    fit.add_argument(
        "--group", metavar="COL", help="fit one curve per distinct value of this column"
    )
    fit.add_argument("--loss", help=f"one of: {', '.join(get_args(_fit.Loss))}")
    fit.add_argument("--f-scale", type=float, help="scale of the robust loss")
    fit.add_argument("--space", help="residuals in 'linear' or 'log' space")
    fit.add_argument(
        "--bootstrap",
        type=int,
        default=0,
        metavar="B",
        help="bootstrap resamples for percentile intervals (default 0: none)",
    )
    fit.add_argument("--level", type=float, help="level of the bootstrap intervals (default 0.95)")
    fit.add_argument("--seed", type=int, default=0, help="bootstrap seed (default 0)")
    fit.add_argument(
        "--compute-optimal",
        metavar="C[,C2...]",
        help="chinchilla: compute-optimal N and D for these FLOP budgets (C = 6 N D)",
    )
    fit.add_argument(
        "--out", metavar="FILE", help="write FILE.csv or FILE.json (default: a table on stdout)"
    )
    fit.add_argument(
        "--report", action="store_true", help="print every choice behind the fit as well"
    )
    fit.add_argument(
        "--plot", metavar="FILE.png", help="draw the data, the fitted law and its 95%% band"
    )
    fit.add_argument(
        "--progress",
        action="store_true",
        help="show a progress bar for the bootstrap (shown anyway on a terminal)",
    )
    fit.set_defaults(run=_cmd_fit)
    front = sub.add_parser(
        "front",
        help="Pareto rank of every point of a CSV or .npy file",
        epilog="Examples:\n  frontierkit front points.csv\n"
        "  frontierkit front runs.csv --columns loss,cost --maximise 0 --out ranks.csv\n"
        "A CSV may have a header row; columns are chosen by name or 0-based index. Rank 0 is\n"
        "the non-dominated front. Objectives are minimised unless named in --maximise.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    front.add_argument("file", help="CSV (optional header) or .npy file, one point per row")
    front.add_argument("--columns", help="comma-separated columns to use (names or indices)")
    front.add_argument(
        "--maximise", help="comma-separated columns to maximise (names or indices), or 'all'"
    )
    front.add_argument("--out", help="output .csv or .json (default: CSV on standard output)")
    front.add_argument("--plot", metavar="FILE.png", help="draw the fronts (2 or 3 objectives)")
    front.set_defaults(run=_cmd_front)
    ref_help = "reference point: one value per objective, comma-separated, or one value for all"
    hv = sub.add_parser(
        "hv",
        help="exact hypervolume of the points of a CSV or .npy file",
        epilog="Examples:\n  frontierkit hv points.csv --ref 1.1\n"
        "  frontierkit hv runs.csv --columns loss,accuracy --maximise accuracy --ref 3,0 --json\n"
        "--ref is read in the file's units (for a maximised column, a value below every point).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    hvc = sub.add_parser(
        "hvc",
        help="exclusive hypervolume contribution of every point of a CSV or .npy file",
        epilog="Examples:\n  frontierkit hvc points.csv --ref 1.1\n"
        "  frontierkit hvc runs.csv --columns loss,cost --ref 3,100 --out contributions.csv\n"
        "Dominated and duplicated points contribute 0.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    hva = sub.add_parser(
        "hv-approx",
        help="Monte Carlo hypervolume (with a standard error) of the points of a CSV or .npy file",
        epilog="Examples:\n  frontierkit hv-approx points.csv --ref 1.1\n"
        "  frontierkit hv-approx front10d.npy --ref 1.1 --samples 1000000 --seed 3 --json\n"
        "  frontierkit hv-approx front10d.npy --ref 1.1 --method fpras --epsilon 0.01\n"
        "For many objectives or large sets, where the exact volume is too slow. mc and qmc print\n"
        "a 95% confidence interval; fpras an interval that holds with probability 1 - delta.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    for p in (hv, hvc, hva):
        p.add_argument("file", help="CSV (optional header) or .npy file, one point per row")
        p.add_argument("--ref", required=True, help=ref_help)
        p.add_argument("--columns", help="comma-separated columns to use (names or indices)")
        p.add_argument(
            "--maximise", help="comma-separated columns to maximise (names or indices), or 'all'"
        )
        p.add_argument("--plot", metavar="FILE.png", help="draw the fronts (2 or 3 objectives)")
    for p in (hv, hva):
        p.add_argument(
            "--json", action="store_true", help="print a JSON object instead of the plain result"
        )
    hv.set_defaults(run=_cmd_hv)
    hvc.add_argument("--out", help="output .csv or .json (default: CSV on standard output)")
    hvc.set_defaults(run=_cmd_hvc)
    hva.add_argument("--samples", type=int, default=2**16, help="samples (mc, qmc; default 65536)")
    hva.add_argument(
        "--method", choices=["mc", "qmc", "fpras"], default="mc", help="estimator (default mc)"
    )
    hva.add_argument("--epsilon", type=float, help="fpras: relative error (default 0.01)")
    hva.add_argument("--delta", type=float, help="fpras: failure probability (default 0.05)")
    hva.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    hva.set_defaults(run=_cmd_hv_approx)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``frontierkit`` command."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.run(args))
    except CliError as exc:
        print(f"frontierkit {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"frontierkit {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
