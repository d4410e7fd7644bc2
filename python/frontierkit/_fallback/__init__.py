"""Pure-Python backends used when the compiled modules are missing: numba, then NumPy.

Both follow the C++ semantics exactly (same ranks, same tie and duplicate rules); they are
quadratic in the set size but keep memory O(n) (numba) or O(block x n) (NumPy).
"""

from __future__ import annotations

import numpy as np

__all__ = ["lex_order", "earlier_copy"]


def lex_order(data: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Row order that is lexicographic within each set (sets stay in place), ties by index."""
    n, d = data.shape
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    set_id = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
    # +0.0 folds -0.0 into 0.0 so that equal values sort as equal.
    keys = [data[:, k] + 0.0 for k in range(d - 1, -1, -1)]
    return np.lexsort([*keys, set_id]).astype(np.int64)


def earlier_copy(sorted_rows: np.ndarray, order: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """For rows in lexicographic order: True where the previous row of the same set is identical."""
    n = sorted_rows.shape[0]
    same = np.zeros(n, dtype=bool)
    if n > 1:
        same[1:] = np.all(sorted_rows[1:] == sorted_rows[:-1], axis=1)
        starts = offsets[:-1]  # a set's first row has no predecessor in its set
        same[starts[starts < n]] = False
    return same
