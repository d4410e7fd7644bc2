"""numba fallback for non-dominated sorting.

Rows are put in lexicographic order within each set (so a row can only be dominated by an
earlier one); the first front keeps a list of the non-dominated rows found so far and tests each
new row against it (Sort-Filter-Skyline); ranks take 1 + the highest rank among earlier
dominators. O(n^2 d) time, O(n) memory.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from . import earlier_copy, lex_order


@njit(cache=True, nogil=True)
def _dominates(a: np.ndarray, b: np.ndarray) -> bool:
    strict = False
    for k in range(a.shape[0]):
        if a[k] > b[k]:
            return False
        if a[k] < b[k]:
            strict = True
    return strict


@njit(cache=True, nogil=True)
def _ranks_sorted(rows: np.ndarray, offsets: np.ndarray, out: np.ndarray) -> None:
    for s in range(offsets.shape[0] - 1):
        a, b = offsets[s], offsets[s + 1]
        for i in range(a, b):
            r = 0
            for j in range(a, i):
                if out[j] + 1 > r and _dominates(rows[j], rows[i]):
                    r = out[j] + 1
            out[i] = r


@njit(cache=True, nogil=True)
def _front_sorted(rows: np.ndarray, offsets: np.ndarray, out: np.ndarray) -> None:
    front = np.empty(rows.shape[0], dtype=np.int64)
    for s in range(offsets.shape[0] - 1):
        a, b = offsets[s], offsets[s + 1]
        size = 0
        for i in range(a, b):
            dominated = False
            for f in range(size):
                if _dominates(rows[front[f]], rows[i]):
                    dominated = True
                    break
            out[i] = not dominated
            if not dominated:
                front[size] = i
                size += 1


def pareto_rank(data: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    order = lex_order(data, offsets)
    rows = np.ascontiguousarray(data[order])
    r = np.empty(data.shape[0], dtype=np.int32)
    _ranks_sorted(rows, offsets.astype(np.int64), r)
    out = np.empty_like(r)
    out[order] = r
    return out


def nondominated(data: np.ndarray, offsets: np.ndarray, keep_weakly: bool) -> np.ndarray:
    order = lex_order(data, offsets)
    rows = np.ascontiguousarray(data[order])
    m = np.empty(data.shape[0], dtype=np.bool_)
    _front_sorted(rows, offsets.astype(np.int64), m)
    if not keep_weakly:
        m &= ~earlier_copy(rows, order, offsets)
    out = np.empty_like(m)
    out[order] = m
    return out
