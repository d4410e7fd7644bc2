"""NumPy fallback for non-dominated sorting (lexicographic order + blocked dominance tests)."""

from __future__ import annotations

import numpy as np

from . import earlier_copy, lex_order

_BLOCK_ELEMENTS = 1 << 22  # cap on block x n x d booleans held at once


def _dominated_by_any(cand: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Flag each row of ``rows`` that some row of ``cand`` dominates."""
    m, d = rows.shape
    out = np.zeros(m, dtype=bool)
    if m == 0 or cand.shape[0] == 0:
        return out
    block = max(1, _BLOCK_ELEMENTS // max(1, cand.shape[0] * d))
    for a in range(0, m, block):
        r = rows[a : a + block, None, :]
        le = np.all(cand[None, :, :] <= r, axis=2)
        lt = np.any(cand[None, :, :] < r, axis=2)
        out[a : a + block] = np.any(le & lt, axis=1)
    return out


def pareto_rank(data: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Ranks by peeling fronts: front k is the non-dominated part of what fronts < k left."""
    ranks = np.empty(data.shape[0], dtype=np.int32)
    for s in range(len(offsets) - 1):
        rows = data[offsets[s] : offsets[s + 1]]
        left = np.arange(rows.shape[0])
        r = np.empty(rows.shape[0], dtype=np.int32)
        front = 0
        while left.size:
            sub = rows[left]
            dom = _dominated_by_any(sub, sub)
            r[left[~dom]] = front
            left = left[dom]
            front += 1
        ranks[offsets[s] : offsets[s + 1]] = r
    return ranks


def nondominated(data: np.ndarray, offsets: np.ndarray, keep_weakly: bool) -> np.ndarray:
    """Mask of non-dominated rows within each set."""
    mask = np.empty(data.shape[0], dtype=bool)
    for s in range(len(offsets) - 1):
        rows = data[offsets[s] : offsets[s + 1]]
        mask[offsets[s] : offsets[s + 1]] = ~_dominated_by_any(rows, rows)
    if not keep_weakly:
        mask &= ~_has_earlier_copy(data, offsets)
    return mask


def _has_earlier_copy(data: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    order = lex_order(data, offsets)
    copy_sorted = earlier_copy(data[order], order, offsets)
    out = np.zeros(data.shape[0], dtype=bool)
    out[order] = copy_sorted
    return out
