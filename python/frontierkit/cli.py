"""The ``frontierkit`` command line: ``demo``, ``front``, ``hv`` and ``hvc``."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import __version__, backend
from .datasets import sphere_front, uniform_points
from .hypervolume import hv_contributions, hypervolume
from .pareto import is_nondominated, pareto_rank


class CliError(Exception):
    """A problem with the user's files or options: printed as one line, exit status 2."""


def _read_points(path: str, columns: str | None) -> tuple[np.ndarray, list[str]]:
    p = Path(path)
    if not p.is_file():
        raise CliError(f"no such file: {path}")
    if p.suffix == ".npy":
        try:
            data = np.load(p, allow_pickle=False)
        except Exception as exc:
            raise CliError(f"cannot read {path} as .npy: {exc}") from exc
        if data.ndim != 2:
            raise CliError(
                f"{path} must hold a 2-D array (rows = points), but it has shape {data.shape}"
            )
        names = [str(i) for i in range(data.shape[1])]
    else:
        with p.open(newline="") as fh:
            rows = [r for r in csv.reader(fh) if r and any(c.strip() for c in r)]
        if not rows:
            raise CliError(f"{path} is empty")
        header = rows[0]
        try:
            [float(c) for c in header]
            names = [str(i) for i in range(len(header))]
        except ValueError:
            names = [c.strip() for c in header]
            rows = rows[1:]
        try:
            data = np.array([[float(c) for c in r] for r in rows], dtype=float)
        except ValueError as exc:
            raise CliError(f"{path}: every cell must be a number ({exc})") from exc
        if data.ndim != 2 or (len(rows) and data.shape[1] != len(names)):
            raise CliError(f"{path}: every row must have {len(names)} values")
        data = data.reshape(len(rows), len(names))
    if columns:
        idx = [_column_index(c, names, path) for c in columns.split(",")]
        data, names = data[:, idx], [names[i] for i in idx]
    return data, names


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
    """Write the points with one more column as CSV to ``path``.

    None or '-' is standard output; returns True when it went to a file.
    """
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
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and documentation)."""
    parser = argparse.ArgumentParser(
        prog="frontierkit",
        description="Fast, exact frontier analysis: Pareto fronts and ranks, hypervolume.",
        epilog="Examples:\n  frontierkit demo\n  frontierkit front points.csv --maximise accuracy "
        "--out ranks.csv\n  frontierkit hv points.csv --ref 1.1",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"frontierkit {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser(
        "demo",
        help="rank generated benchmark fronts; print front sizes, hypervolume and timings",
        epilog="Example:\n  frontierkit demo --n 100000 --d 3",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument("--n", type=int, default=100_000, help="points per set (default 100000)")
    demo.add_argument("--d", type=int, default=3, help="objectives (default 3)")
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.set_defaults(run=_cmd_demo)
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
    front.add_argument("--out", help="output CSV (default: standard output)")
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
    for p in (hv, hvc):
        p.add_argument("file", help="CSV (optional header) or .npy file, one point per row")
        p.add_argument("--ref", required=True, help=ref_help)
        p.add_argument("--columns", help="comma-separated columns to use (names or indices)")
        p.add_argument(
            "--maximise", help="comma-separated columns to maximise (names or indices), or 'all'"
        )
    hv.add_argument(
        "--json", action="store_true", help="print a JSON object instead of the bare number"
    )
    hv.set_defaults(run=_cmd_hv)
    hvc.add_argument("--out", help="output CSV (default: standard output)")
    hvc.set_defaults(run=_cmd_hvc)
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
