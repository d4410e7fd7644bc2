"""Every check and conversion of user input, in one place, with one message template.

Message template: "'<arg>' must <expectation>, but <what it is>". Wrong type or dtype raises
TypeError, wrong value or shape raises ValueError.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = [
    "Prepared",
    "is_cupy",
    "prepare_points",
    "prepare_ref",
    "raise_nan",
    "screen_prepared",
    "check_n_stop",
    "to_input_layout",
]


def is_cupy(x: Any) -> bool:
    """Return True for a CuPy ndarray (checked without importing CuPy)."""
    return type(x).__module__.split(".")[0] == "cupy"


def to_host(a: Any) -> Any:
    """Return a CuPy array copied to the host; anything else as it is."""
    return a.get() if is_cupy(a) else a


def level_quantile(level: float, dof: int | None = None) -> float:
    """Return the quantile z of a two-sided interval ``estimate -+ z * stderr``.

    The interval has confidence ``level``; z is normal, or Student's t with ``dof`` degrees of
    freedom (the Cornish-Fisher expansion of Hill, CACM 13(10), 1970, to the 1/dof^4 term: within
    1e-3 for dof >= 5).
    """
    if not 0 < level < 1:
        raise ValueError(f"'level' must be between 0 and 1, but it is {level}")
    from statistics import NormalDist

    z = NormalDist().inv_cdf(0.5 + level / 2)
    if dof is None:
        return z
    v = float(dof)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / v + g2 / v**2 + g3 / v**3 + g4 / v**4


@dataclass(frozen=True)
class Prepared:
    """Validated points ready for a kernel.

    ``data`` is C-contiguous float64 (NumPy or CuPy), minimisation in every column, rows grouped
    by set; set ``s`` is rows ``offsets[s]:offsets[s+1]``. ``perm[k]`` is the input row of grouped
    row ``k`` (None when the grouping is the input order). ``batch`` is ``(b, n)`` for 3-D input.
    ``screened`` is False when the NaN screen was left to the kernel (see :func:`prepare_points`).
    """

    data: Any
    offsets: np.ndarray
    perm: np.ndarray | None
    batch: tuple[int, int] | None
    labels: np.ndarray | None
    cupy: bool
    original: Any
    screened: bool = True

    @property
    def n(self) -> int:
        return int(self.data.shape[0])

    @property
    def d(self) -> int:
        return int(self.data.shape[1])

    @property
    def host(self) -> np.ndarray:
        """``data`` as a NumPy array (copied from the device for CuPy input)."""
        return self.data.get() if self.cupy else self.data


def _xp(cupy: bool) -> Any:
    if cupy:
        import cupy as cp

        return cp
    return np


def _check_dtype(dtype: np.dtype, name: str) -> None:
    # dtype.kind: signed/unsigned integer or float (bool is "b"); cheaper than issubdtype, which
    # matters for the many small calls an optimizer makes.
    if dtype.kind not in "iuf":
        raise TypeError(
            f"'{name}' must hold real numbers (integer or float), but its dtype is {dtype}"
        )


def _maximise_flags(maximise: Any, d: int) -> np.ndarray:
    if isinstance(maximise, (bool, np.bool_)):
        return np.full(d, bool(maximise))
    try:
        flags = np.asarray(maximise)
    except Exception as exc:  # pragma: no cover - exotic objects
        raise TypeError(
            f"'maximise' must be a bool or a sequence of bools, but it is {maximise!r}"
        ) from exc
    if flags.ndim != 1 or flags.dtype != np.bool_:
        raise TypeError(f"'maximise' must be a bool or a sequence of bools, but it is {maximise!r}")
    if flags.shape[0] != d:
        raise ValueError(
            f"'maximise' must have length {d} (one flag per objective), "
            f"but it has length {flags.shape[0]}"
        )
    return flags


def _first_nan_row(mask_rows: np.ndarray) -> int:
    return int(np.flatnonzero(mask_rows)[0])


def _screen_nan(flat: Any, batch: tuple[int, int] | None, name: str, cupy: bool) -> None:
    """Raise ValueError naming the first row of the (rows, d) array ``flat`` that holds NaN."""
    if not np.issubdtype(np.dtype(flat.dtype), np.floating) or not flat.size:
        return
    xp = _xp(cupy)
    # min() propagates NaN, so one reduction screens the whole array; the row is located only
    # when there is one.
    if not bool(xp.isnan(flat.min())):
        return
    nan_rows = xp.isnan(flat).any(axis=1)
    row = _first_nan_row(np.asarray(nan_rows.get() if cupy else nan_rows))
    if batch is not None:
        raise ValueError(
            f"'{name}' must not contain NaN, but row {row % batch[1]} of set {row // batch[1]} does"
        )
    raise ValueError(f"'{name}' must not contain NaN, but row {row} does")


def screen_prepared(prep: Prepared, name: str = "points") -> None:
    """Run the NaN screen for input prepared with ``screen_nan=False`` (a no-op otherwise)."""
    if prep.screened:
        return
    arr = prep.original if prep.cupy else np.asarray(prep.original)
    _screen_nan(arr.reshape(-1, arr.shape[-1]), prep.batch, name, prep.cupy)


def raise_nan(prep: Prepared, name: str = "points") -> None:
    """Raise the NaN error for input whose screen was left to a kernel that reported NaN."""
    screen_prepared(prep, name)
    raise AssertionError("a kernel reported NaN that the input does not hold")  # pragma: no cover


def prepare_points(
    points: Any,
    *,
    maximise: Any = False,
    sets: Any = None,
    name: str = "points",
    screen_nan: bool = True,
) -> Prepared:
    """Validate ``points`` (and ``maximise``, ``sets``) and convert them for the kernels.

    ``screen_nan=False`` leaves the NaN screen to a kernel that does it in a pass it makes
    anyway; the caller must then call :func:`raise_nan` when the kernel reports NaN.
    """
    # Fast path for the common call (a C-contiguous float64 matrix, minimisation, one set): the
    # same checks in a few microseconds, which matters to optimisers calling once per generation.
    if (
        type(points) is np.ndarray
        and points.dtype == np.float64
        and points.ndim == 2
        and maximise is False
        and sets is None
        and points.flags.c_contiguous
        and points.shape[1] >= 1
    ):
        n_rows = points.shape[0]
        low = points.min() if screen_nan and n_rows else 0.0
        if low == low:  # not NaN
            offsets = np.array([0, n_rows], dtype=np.int64)
            return Prepared(points, offsets, None, None, None, False, points, screen_nan)
        # NaN: the general path below names the row.
    cupy = is_cupy(points)
    xp = _xp(cupy)
    if cupy:
        arr = points
    else:
        if isinstance(points, (str, bytes)) or points is None:
            raise TypeError(
                f"'{name}' must be an array of numbers, but it is {type(points).__name__}"
            )
        try:
            arr = np.asarray(points)
        except Exception as exc:
            raise ValueError(f"'{name}' must be a rectangular array of numbers: {exc}") from exc
    _check_dtype(np.dtype(arr.dtype), name)
    if arr.ndim not in (2, 3):
        raise ValueError(
            f"'{name}' must be a 2-D array of shape (n, d) or a 3-D batch of shape (b, n, d), "
            f"but it has shape {tuple(arr.shape)}"
        )
    d = int(arr.shape[-1])
    if d < 1 and arr.shape[-2] > 0:
        raise ValueError(
            f"'{name}' must have at least one objective (column), "
            f"but it has shape {tuple(arr.shape)}"
        )
    batch: tuple[int, int] | None = None
    if arr.ndim == 3:
        if sets is not None:
            raise ValueError(f"'sets' must be None when '{name}' is a 3-D batch of shape (b, n, d)")
        b, n = int(arr.shape[0]), int(arr.shape[1])
        batch = (b, n)
        flat = arr.reshape(b * n, d)
    else:
        flat = arr
    flags = _maximise_flags(maximise, d)
    if screen_nan:
        _screen_nan(flat, batch, name, cupy)
    # One conversion: float64, C order, maximised columns negated (a copy; the input is never
    # written to).
    if flags.any():
        data = xp.array(flat, dtype=xp.float64, order="C", copy=True)
        cols = np.flatnonzero(flags)
        data[:, cols] = -data[:, cols]
    else:
        data = xp.ascontiguousarray(flat, dtype=xp.float64)
    n_total = int(data.shape[0])
    perm = None
    labels = None
    if batch is not None:
        offsets = np.arange(0, n_total + 1, max(batch[1], 1), dtype=np.int64)
        if batch[1] == 0:
            offsets = np.zeros(batch[0] + 1, dtype=np.int64)
    elif sets is not None:
        lab = np.asarray(sets.get() if is_cupy(sets) else sets)
        if lab.ndim != 1:
            raise ValueError(
                f"'sets' must be 1-D (one label per row), but it has shape {lab.shape}"
            )
        if lab.shape[0] != n_total:
            raise ValueError(
                f"'sets' must have length {n_total} (one label per row), "
                f"but it has length {lab.shape[0]}"
            )
        labels, codes = np.unique(lab, return_inverse=True)
        codes = codes.reshape(-1)
        counts = np.bincount(codes, minlength=len(labels))
        offsets = np.zeros(len(labels) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        if n_total and bool(np.any(codes[1:] < codes[:-1])):
            perm = np.argsort(codes, kind="stable")
            data = data[xp.asarray(perm)] if cupy else data[perm]
    else:
        offsets = np.array([0, n_total], dtype=np.int64)
    return Prepared(data, offsets, perm, batch, labels, cupy, points, screen_nan)


def prepare_ref(ref: Any, prep: Prepared, maximise: Any, name: str = "ref") -> np.ndarray:
    """Validate a reference point for ``prep`` and turn it into minimisation like the points.

    One value per objective or one scalar for all, no NaN; maximised entries are negated. Returns
    float64 of length d.
    """
    if isinstance(ref, (str, bytes)) or ref is None:
        raise TypeError(f"'{name}' must be a sequence of numbers, but it is {ref!r}")
    if is_cupy(ref):
        ref = ref.get()
    try:
        arr = np.asarray(ref)
    except Exception as exc:
        raise ValueError(f"'{name}' must be a 1-D sequence of numbers: {exc}") from exc
    _check_dtype(np.dtype(arr.dtype), name)
    d = prep.d
    if arr.ndim == 0:  # one value for every objective
        arr = np.full(d, arr)
    if arr.ndim != 1 or arr.shape[0] != d:
        raise ValueError(
            f"'{name}' must have length {d} (one value per objective), but it has shape {arr.shape}"
        )
    out = np.array(arr, dtype=np.float64)
    values = out.tolist()  # d numbers: a Python scan beats a NumPy reduction's call overhead
    if any(v != v for v in values):
        bad = next(i for i, v in enumerate(values) if v != v)
        raise ValueError(f"'{name}' must not contain NaN, but entry {bad} is NaN")
    if maximise is not False:
        flags = _maximise_flags(maximise, d)
        out[flags] = -out[flags]
    return out + 0.0


def to_input_layout(prep: Prepared, values: Any) -> Any:
    """Put per-row kernel output back into the input's layout.

    Grouped order, NumPy or CuPy in; the input's array type, row order and batch shape out.
    """
    if prep.cupy:
        import cupy as cp

        values = cp.asarray(values)
    elif not isinstance(values, np.ndarray):
        values = values.get()
    if prep.perm is not None:
        out = values.copy()
        perm = prep.perm
        if prep.cupy:
            import cupy as cp

            perm = cp.asarray(perm)
        out[perm] = values
        values = out
    if prep.batch is not None:
        values = values.reshape(prep.batch)
    return values


def check_n_stop(n_stop: Any) -> int | None:
    """Validate ``n_stop`` of nondominated_sort."""
    if n_stop is None:
        return None
    if isinstance(n_stop, (bool, np.bool_)) or not isinstance(n_stop, (int, np.integer)):
        raise TypeError(f"'n_stop' must be an int or None, but it is {n_stop!r}")
    if n_stop < 0:
        raise ValueError(f"'n_stop' must be >= 0, but it is {n_stop}")
    return int(n_stop)
