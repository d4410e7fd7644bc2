"""frontierkit as the Pareto and hypervolume backend of BoTorch.

BoTorch (https://botorch.org) works on torch tensors and maximises every objective. This module
gives it frontierkit's kernels with BoTorch's own signatures and semantics:

- :func:`is_non_dominated`, a drop-in for ``botorch.utils.multi_objective.pareto.is_non_dominated``
  (same mask, duplicates and batch dimensions included);
- :class:`Hypervolume` (a subclass of BoTorch's) and :func:`hypervolume`, exact hypervolumes;
- :class:`FastNondominatedPartitioning` and :class:`DominatedPartitioning`, subclasses of
  BoTorch's box decompositions to pass as ``partitioning=`` to qEHVI / qLogEHVI (or to use for
  hypervolumes): the same cells, computed by a NumPy port of the same algorithm, and the
  hypervolume from frontierkit;
- :func:`install` / :func:`uninstall`, an opt-in swap of BoTorch's ``is_non_dominated`` and
  ``Hypervolume`` (and, if asked, of the two partitionings) in the BoTorch modules that bind them,
  restored exactly by :func:`uninstall`.

CPU tensors reach the kernels as NumPy views (``Tensor.numpy()``; the one copy made is the
negation that turns BoTorch's maximisation into frontierkit's minimisation, and a float32
tensor's widening to float64, which is exact and keeps every comparison as it was). CUDA
tensors go to CuPy through DLPack and the results come back the same way when CuPy and
frontierkit's CUDA module are usable; otherwise they are copied to the host. Results come back
as BoTorch returns them: masks as bool tensors on the input's device, ``Hypervolume.compute`` as
a float, box decompositions as tensors of the input's dtype and device.

Examples
--------
>>> import torch
>>> from frontierkit.integrations import botorch as fkb
>>> Y = torch.tensor([[1.0, 2.0], [2.0, 1.0], [0.5, 0.5], [1.0, 2.0]])
>>> fkb.is_non_dominated(Y)
tensor([ True,  True, False, False])
>>> fkb.Hypervolume(torch.zeros(2)).compute(Y)
3.0

"""

from __future__ import annotations

import importlib
import sys
import threading
from functools import cache
from typing import Any

import numpy as np
import torch
from botorch.exceptions.errors import BotorchTensorDimensionError
from botorch.utils.multi_objective import hypervolume as _bt_hypervolume
from botorch.utils.multi_objective import pareto as _bt_pareto
from botorch.utils.multi_objective.box_decompositions import dominated as _bt_dominated
from botorch.utils.multi_objective.box_decompositions import non_dominated as _bt_non_dominated
from torch import Tensor

import frontierkit as fk

__all__ = [
    "DominatedPartitioning",
    "FastNondominatedPartitioning",
    "Hypervolume",
    "hypervolume",
    "install",
    "is_non_dominated",
    "uninstall",
]

# BoTorch's own objects, taken before anything is swapped: the NaN path delegates to the first,
# the classes below subclass the others, and uninstall() puts them back.
_BT_IS_NON_DOMINATED = _bt_pareto.is_non_dominated
_BT_HYPERVOLUME = _bt_hypervolume.Hypervolume
_BT_FAST_ND = _bt_non_dominated.FastNondominatedPartitioning
_BT_DOMINATED = _bt_dominated.DominatedPartitioning

# frontierkit's CUDA hypervolume kernel covers d <= 3 and gives each set one warp, which suits
# sets up to this size (larger ones are computed on the host).
_CUDA_HV_MAX_D = 3
_CUDA_HV_MAX_SET = 8192


class _DimensionError(ValueError, BotorchTensorDimensionError):
    """A wrong shape: a ValueError, and BoTorch's BotorchTensorDimensionError for its callers."""


# --- tensor <-> array ----------------------------------------------------------------------


@cache
def _cupy_usable() -> bool:
    """Say whether CuPy imports and frontierkit's CUDA backend can run (checked once)."""
    try:
        import cupy  # noqa: F401
    except Exception:
        return False
    return bool(fk.backend_info()["backends"]["cuda"]["usable"])


def _minimisation_form(Y: Tensor, maximize: bool) -> Tensor:
    """``Y`` detached as contiguous float64, negated when maximising (exact).

    frontierkit's quickest path takes minimisation float64 rows: negating here (one copy, which
    frontierkit's own ``maximise`` flip would make too) lets every call take it; a float64
    tensor that is minimised already is handed over as it is.
    """
    Y = Y.detach().to(torch.float64)
    return (torch.neg(Y) if maximize else Y).contiguous()


def _host_array(Y: Tensor) -> np.ndarray:
    """Return a NumPy view of a CPU tensor (a host copy of a CUDA one); never written to."""
    if Y.device.type != "cpu":
        Y = Y.cpu()
    return Y.resolve_conj().resolve_neg().numpy()


def _on_cupy(Y: Tensor) -> bool:
    return Y.device.type == "cuda" and _cupy_usable()


def _cupy_array(Y: Tensor) -> Any:
    """Return a CuPy view of a CUDA tensor through DLPack (no copy)."""
    import cupy

    return cupy.from_dlpack(Y.resolve_conj().resolve_neg())


def _ref_array(ref_point: Any, m: int) -> np.ndarray:
    """Return the reference point as a float64 vector of length ``m`` (scalars broadcast)."""
    if isinstance(ref_point, Tensor):
        ref = _host_array(ref_point.detach().to(torch.float64))
    else:
        ref = np.asarray(ref_point, dtype=np.float64)
    if ref.ndim == 0:
        ref = np.full(m, float(ref))
    if ref.shape != (m,):
        raise _DimensionError(
            f"'ref_point' must have shape ({m},) (one value per objective), "
            f"but it has shape {tuple(ref.shape)}"
        )
    return ref


# --- is_non_dominated --------------------------------------------------------------------


def is_non_dominated(Y: Tensor, maximize: bool = True, deduplicate: bool = True) -> Tensor:
    """Mask of the non-dominated rows of each set, with BoTorch's semantics.

    A drop-in for ``botorch.utils.multi_objective.pareto.is_non_dominated``: the same signature
    and the same mask, computed by frontierkit's sorting kernels instead of all-pairs tensor
    comparisons.

    Parameters
    ----------
    Y : Tensor, shape (*batch_shape, n, m)
        Outcomes, one point per row; every batch element is a separate set. CPU or CUDA, any
        floating dtype.
    maximize : bool, optional
        Maximise every objective (BoTorch's default) or minimise them.
    deduplicate : bool, optional
        Keep only the first copy of identical non-dominated rows (True, BoTorch's default) or
        every copy (False).

    Returns
    -------
    Tensor of bool, shape (*batch_shape, n)
        True for the rows that no row of their set dominates, on ``Y``'s device.

    Notes
    -----
    Input with NaN, with no objective (``m == 0``) or of a non-floating dtype is handed to
    BoTorch's own function, whose treatment of NaN (and of integers) it keeps. CUDA tensors run on
    frontierkit's CUDA kernel through DLPack when CuPy is installed, and on a host copy
    otherwise. Algorithms and complexity: :func:`frontierkit.is_nondominated`.

    Examples
    --------
    >>> import torch
    >>> from frontierkit.integrations.botorch import is_non_dominated
    >>> Y = torch.tensor([[1.0, 2.0], [2.0, 1.0], [1.0, 2.0], [0.0, 0.0]])
    >>> is_non_dominated(Y)
    tensor([ True,  True, False, False])
    >>> is_non_dominated(Y, deduplicate=False)
    tensor([ True,  True,  True, False])
    >>> is_non_dominated(Y, maximize=False)
    tensor([False, False, False,  True])

    """
    if not isinstance(Y, Tensor):
        raise TypeError(f"'Y' must be a torch.Tensor, but it is {type(Y).__name__}")
    if Y.ndim < 2:
        raise ValueError(
            f"'Y' must have shape (*batch_shape, n, m), but it has shape {tuple(Y.shape)}"
        )
    out_shape = Y.shape[:-1]
    n, m = Y.shape[-2], Y.shape[-1]
    if Y.numel() == 0 and m > 0:
        return torch.zeros(out_shape, dtype=torch.bool, device=Y.device)
    if m == 0 or not (Y.is_floating_point()) or bool(torch.isnan(Y).any()):
        return _BT_IS_NON_DOMINATED(Y, maximize=maximize, deduplicate=deduplicate)
    flat = _minimisation_form(Y, bool(maximize)).reshape(-1, n, m)
    if flat.shape[0] == 1:
        flat = flat[0]  # one set: frontierkit's 2-D path
    keep_weakly = not bool(deduplicate)
    if _on_cupy(flat):
        import cupy

        with cupy.cuda.Device(flat.device.index):
            mask = fk.is_nondominated(_cupy_array(flat), keep_weakly=keep_weakly)
            # bool through DLPack as bytes: older DLPack versions have no bool type.
            out = torch.from_dlpack(mask.view(cupy.uint8)).view(torch.bool)
        return out.reshape(out_shape)
    mask = fk.is_nondominated(_host_array(flat), keep_weakly=keep_weakly)
    return torch.from_numpy(mask).reshape(out_shape).to(Y.device)


# --- hypervolume -------------------------------------------------------------------------


def _volumes(Y: Tensor, ref: np.ndarray) -> Tensor:
    """Hypervolume (maximisation) of each set of ``Y`` (shape (b, n, m)), float64, on Y's device."""
    b, n, m = Y.shape
    Z = _minimisation_form(Y, True)
    if _on_cupy(Z) and m <= _CUDA_HV_MAX_D and n <= _CUDA_HV_MAX_SET:
        import cupy

        with cupy.cuda.Device(Z.device.index):
            vols = fk.hypervolume(_cupy_array(Z), -ref)
            return torch.from_dlpack(vols)
    if b == 1:  # one set: frontierkit's 2-D path
        vol = fk.hypervolume(_host_array(Z[0]), -ref)
        return torch.tensor([vol], dtype=torch.float64, device=Y.device)
    vols = fk.hypervolume(_host_array(Z), -ref)
    return torch.from_numpy(np.asarray(vols, dtype=np.float64)).to(Y.device)


def hypervolume(Y: Tensor, ref_point: Any) -> Tensor:
    """Exact hypervolume that each set of ``Y`` dominates, maximising every objective.

    Parameters
    ----------
    Y : Tensor, shape (*batch_shape, n, m)
        Outcomes (any points: dominated rows, duplicates and rows not better than
        ``ref_point`` are allowed and add nothing). CPU or CUDA.
    ref_point : Tensor or array_like, shape (m,), or float
        The reference point, which every counted point must exceed in every objective.

    Returns
    -------
    Tensor, shape batch_shape
        One hypervolume per set (a 0-d tensor for ``(n, m)`` input), in ``Y``'s floating dtype
        (float64 for other input) and on its device.

    Raises
    ------
    ValueError
        ``ref_point`` of the wrong shape, or NaN in ``Y`` (from :func:`frontierkit.hypervolume`).
    TypeError
        ``Y`` is not a tensor.

    Notes
    -----
    The volume is computed in float64 by :func:`frontierkit.hypervolume` (exact: sweeps in
    O(n log n) for m <= 3, HV4D+ in O(n^2) for m = 4, a sweep over it for m = 5, WFG above;
    see there); CUDA tensors with m <= 3 and sets of up to 8192 rows stay on the device (DLPack
    and CuPy), others are copied to the host. BoTorch's
    ``DominatedPartitioning(ref_point, Y).compute_hypervolume()`` gives the same values.

    Examples
    --------
    >>> import torch
    >>> from frontierkit.integrations.botorch import hypervolume
    >>> hypervolume(torch.tensor([[1.0, 2.0], [2.0, 1.0]]), torch.zeros(2))
    tensor(3.)
    >>> hypervolume(torch.tensor([[[1.0, 1.0]], [[2.0, 3.0]]], dtype=torch.float64), 0.0)
    tensor([1., 6.], dtype=torch.float64)

    """
    if not isinstance(Y, Tensor):
        raise TypeError(f"'Y' must be a torch.Tensor, but it is {type(Y).__name__}")
    if Y.ndim < 2:
        raise ValueError(
            f"'Y' must have shape (*batch_shape, n, m), but it has shape {tuple(Y.shape)}"
        )
    n, m = Y.shape[-2], Y.shape[-1]
    ref = _ref_array(ref_point, m)
    dtype = Y.dtype if Y.is_floating_point() else torch.float64
    batch_shape = Y.shape[:-2]
    if n == 0 or Y.numel() == 0:
        return torch.zeros(batch_shape, dtype=dtype, device=Y.device)
    vols = _volumes(Y.reshape(-1, n, m), ref)
    return vols.reshape(batch_shape).to(dtype)


class Hypervolume(_BT_HYPERVOLUME):
    """Exact hypervolume with frontierkit, in place of BoTorch's ``Hypervolume`` (maximisation).

    A subclass of ``botorch.utils.multi_objective.hypervolume.Hypervolume`` with the same
    constructor, ``ref_point`` property and ``compute`` method; only ``compute`` changes, from
    BoTorch's Python dimension sweep to :func:`frontierkit.hypervolume` (float64, on the host:
    a CUDA tensor is copied there, as the result is a Python float anyway).

    Parameters
    ----------
    ref_point : Tensor, shape (m,)
        The reference point (maximisation).

    Examples
    --------
    >>> import torch
    >>> from frontierkit.integrations.botorch import Hypervolume
    >>> hv = Hypervolume(ref_point=torch.tensor([0.0, 0.0, 0.0]))
    >>> hv.compute(torch.tensor([[1.0, 1.0, 1.0], [2.0, 0.5, 0.5]]))
    1.25

    """

    def compute(self, pareto_Y: Tensor) -> float:
        """Hypervolume that the rows of ``pareto_Y`` dominate.

        Parameters
        ----------
        pareto_Y : Tensor, shape (n, m)
            Outcomes (maximisation). They need not be non-dominated: dominated rows, duplicates
            and rows not better than the reference point add nothing.

        Returns
        -------
        float
            The hypervolume, computed in float64.

        Raises
        ------
        ValueError
            ``pareto_Y`` with a number of objectives other than the reference point's, or not
            2-D; the exception is also BoTorch's ``BotorchTensorDimensionError``. NaN in
            ``pareto_Y``.

        Examples
        --------
        >>> import torch
        >>> from frontierkit.integrations.botorch import Hypervolume
        >>> Hypervolume(torch.tensor([0.0, 0.0])).compute(torch.tensor([[1.0, 2.0], [2.0, 1.0]]))
        3.0

        """
        m = int(self._ref_point.shape[0])
        if pareto_Y.shape[-1] != m:
            raise _DimensionError(
                f"'pareto_Y' must have {m} objectives (columns) like the reference point, "
                f"but it has {pareto_Y.shape[-1]}"
            )
        if pareto_Y.ndim != 2:
            raise _DimensionError(
                f"'pareto_Y' must be 2-D, of shape (n, m), but it has shape {tuple(pareto_Y.shape)}"
            )
        if pareto_Y.shape[0] == 0:
            return 0.0
        ref = _ref_array(self.ref_point, m)
        points = _host_array(_minimisation_form(pareto_Y, True))
        return float(fk.hypervolume(points, -ref))


# --- box decompositions ------------------------------------------------------------------
#
# BoTorch's FastNondominatedPartitioning and DominatedPartitioning run Algorithm 1 of Lacour,
# Klamroth & Fonseca (2017): for each new point, the local upper bounds it strictly dominates
# are split, one child per objective that the defining points allow. BoTorch loops over points
# in Python with several small tensor operations each. The functions below run the same steps,
# in the same order, on NumPy arrays, so that the bounds, their defining points and the cells
# come out identical (comparisons and copies only: no arithmetic, hence no rounding), in the
# same order, and in the tensor's own dtype.


def _local_upper_bounds(points: np.ndarray, U: np.ndarray, Z: np.ndarray) -> tuple[Any, Any]:
    """Add ``points`` (minimisation) one by one to the local upper bounds and defining points.

    ``U`` is (k, m), ``Z`` is (k, m, m); returns the new ``U`` and ``Z``.
    """
    m = U.shape[1]
    others = [np.array([i for i in range(m) if i != j], dtype=np.intp) for j in range(m)]
    # BoTorch rebuilds U and Z at every point as [bounds not hit] + [children]. Here a removed
    # bound is only marked dead and children go to the end of a growing buffer, so the live rows,
    # read in buffer order, are the same sequence without copying every (m, m) block each time.
    k = U.shape[0]
    cap = max(64, 2 * k)
    Ub = np.empty((cap, m), dtype=U.dtype)
    Zb = np.empty((cap, m, m), dtype=Z.dtype)
    alive = np.zeros(cap, dtype=bool)
    Ub[:k], Zb[:k], alive[:k] = U, Z, True
    for z in points:
        hit = (Ub[:k] > z).all(axis=1)
        hit &= alive[:k]
        rows = np.flatnonzero(hit)
        if rows.size == 0:
            continue
        A = Ub[rows]
        AZ = Zb[rows]
        alive[rows] = False
        children = []
        for j in range(m):
            # A child in direction j exists when z[j] is at least the j-th coordinate of every
            # other defining point of the bound.
            ok = z[j] >= AZ[:, others[j], j].max(axis=1)
            if ok.any():
                child = A[ok]  # a copy (boolean indexing)
                child[:, j] = z[j]
                child_Z = AZ[ok]
                child_Z[:, j, :] = z
                children.append((child, child_Z))
        added = sum(c.shape[0] for c, _ in children)
        if k + added > cap:  # compact (live rows in order), and grow if still short
            live = np.flatnonzero(alive[:k])
            cap = max(cap, 2 * (live.size + added))
            Ub2 = np.empty((cap, m), dtype=U.dtype)
            Zb2 = np.empty((cap, m, m), dtype=Z.dtype)
            k = live.size
            Ub2[:k], Zb2[:k] = Ub[live], Zb[live]
            Ub, Zb = Ub2, Zb2
            alive = np.zeros(cap, dtype=bool)
            alive[:k] = True
        for child, child_Z in children:
            e = k + child.shape[0]
            Ub[k:e], Zb[k:e], alive[k:e] = child, child_Z, True
            k = e
    live = np.flatnonzero(alive[:k])
    return Ub[live], Zb[live]


def _partition_bounds(Z: np.ndarray, U: np.ndarray, ref: np.ndarray) -> np.ndarray:
    """Cells ``(2, k, m)`` of the local upper bounds (Lacour et al., Eq. 2), empty ones dropped."""
    k, m = U.shape
    bounds = np.empty((2, k, m), dtype=U.dtype)
    bounds[0, :, 0] = Z[:, 0, 0]
    bounds[1, :, 0] = ref[0]
    for j in range(1, m):
        bounds[0, :, j] = Z[:, :j, j].max(axis=1)
        bounds[1, :, j] = U[:, j]
    empty = (bounds[1] <= bounds[0]).any(axis=-1)
    return bounds[:, ~empty]


def _np(t: Tensor) -> np.ndarray:
    return _host_array(t.detach())


def _tensor(a: np.ndarray, like: Tensor) -> Tensor:
    return torch.from_numpy(np.ascontiguousarray(a)).to(device=like.device, dtype=like.dtype)


class _FrontierkitPartitioning:
    """Share what the two partitionings have in common.

    The Pareto set by :func:`is_non_dominated`, the first Lacour pass (local upper bounds of the
    minimisation problem) on NumPy, incremental updates, and the hypervolume by
    :func:`hypervolume`. Mixed into subclasses of BoTorch's ``FastPartitioning`` (attributes
    ``_neg_Y``, ``_neg_pareto_Y``, ``_U``, ``_Z`` as there).
    """

    _neg_Y: Tensor | None
    _neg_pareto_Y: Tensor | None
    _neg_ref_point: Tensor
    batch_shape: torch.Size
    num_outcomes: int
    sort: Tensor

    def _unbatched(self) -> bool:
        return len(self.batch_shape) == 0 and self._neg_ref_point.ndim == 1

    def _compute_pareto_Y(self) -> Tensor:
        if self._neg_Y is None or not self._unbatched() or self._neg_Y.shape[-2] == 0:
            return super()._compute_pareto_Y()  # type: ignore[misc]
        Y = -self._neg_Y
        ref = -self._neg_ref_point
        mask = is_non_dominated(Y) & (Y > ref).all(dim=-1)
        pareto_Y = -Y[mask]
        if bool(self.sort):
            pareto_Y = pareto_Y[torch.argsort(pareto_Y[:, 0])]
        return pareto_Y

    def _partition_space(self) -> None:
        if not self._unbatched() or self.num_outcomes < 2:
            super()._partition_space()  # type: ignore[misc]
            return
        m = self.num_outcomes
        neg_ref = _np(self._neg_ref_point)
        U = neg_ref[None, :].copy()
        # The dummy defining points of Lacour et al., Sec. 2.1, with -inf for their 0.
        Z = np.full((1, m, m), -np.inf, dtype=U.dtype)
        Z[0, np.arange(m), np.arange(m)] = U[0]
        U, Z = _local_upper_bounds(_np(self._neg_pareto_Y), U, Z)  # type: ignore[arg-type]
        self.register_buffer("_U", _tensor(U, self._neg_ref_point))  # type: ignore[attr-defined]
        self._Z = _tensor(Z, self._neg_ref_point)
        self._get_partitioning()  # type: ignore[attr-defined]

    def update(self, Y: Tensor) -> None:
        """Add new outcomes and update the decomposition (incrementally for m >= 3).

        Parameters
        ----------
        Y : Tensor, shape (*batch_shape, n, m)
            The new outcomes.

        """
        if self._update_neg_Y(Y=Y):  # type: ignore[attr-defined]
            self.reset()  # type: ignore[attr-defined]
            return
        assert self._neg_pareto_Y is not None  # set when _neg_Y was
        if self.num_outcomes == 2 or self._neg_pareto_Y.shape[-2] == 0:
            self.reset()  # type: ignore[attr-defined]
            return
        Y = Y[(Y > -self._neg_ref_point).all(dim=-1)]
        Y_all = torch.cat([self._neg_pareto_Y, -Y], dim=-2)
        mask = is_non_dominated(-Y_all)
        n_new = int(mask[-Y.shape[-2] :].sum())
        self._neg_pareto_Y = Y_all[mask]
        if n_new > 0:
            U, Z = _local_upper_bounds(
                _np(self._neg_pareto_Y[-n_new:]),
                _np(self._U),  # type: ignore[attr-defined]
                _np(self._Z),  # type: ignore[has-type]
            )
            self._U = _tensor(U, self._neg_ref_point)
            self._Z = _tensor(Z, self._neg_ref_point)
            self._get_partitioning()  # type: ignore[attr-defined]

    def _compute_hypervolume_if_y_has_data(self) -> Tensor:
        assert self._neg_pareto_Y is not None
        pareto_Y = -self._neg_pareto_Y
        ref = -self._neg_ref_point
        if ref.ndim == 1:
            return hypervolume(pareto_Y, ref)
        # A batched reference point: one frontierkit call per set.
        return torch.stack([hypervolume(p, r) for p, r in zip(pareto_Y, ref)])


class FastNondominatedPartitioning(_FrontierkitPartitioning, _BT_FAST_ND):
    """BoTorch's ``FastNondominatedPartitioning``, computed with NumPy and frontierkit.

    A subclass of ``botorch.utils.multi_objective.box_decompositions.FastNondominatedPartitioning``
    (maximisation) to pass as ``partitioning=`` to qEHVI, qLogEHVI and EHVI. It gives the same
    cells as BoTorch's, in the same order, so acquisition values are the same. What changes:

    - the Pareto set: :func:`is_non_dominated` (frontierkit's kernels);
    - for m >= 3, both passes of Lacour et al.'s Algorithm 1 (the local lower bounds, then the
      cells of the non-dominated region) and the cell bounds, on NumPy arrays instead of a
      Python loop of small tensor operations; ``update()`` likewise;
    - ``compute_hypervolume()``: :func:`hypervolume` (exact, float64) instead of the ideal
      box's volume less the cells' volumes.

    For m = 2 the cells come from BoTorch's own closed form (already vectorised), batches
    included.

    Parameters
    ----------
    ref_point : Tensor, shape (m,)
        The reference point (maximisation).
    Y : Tensor, shape (*batch_shape, n, m), optional
        The outcomes (a batch dimension only for m = 2, as in BoTorch).

    Notes
    -----
    Algorithm: R. Lacour, K. Klamroth, C. M. Fonseca, "A box decomposition algorithm to compute
    the hypervolume indicator", Computers & Operations Research 79, 2017, run twice as in
    BoTorch (Yang et al., 2019). O(n * k * m) time for k local upper bounds, which grows as
    O(n^floor(m/2)) in the worst case.

    Examples
    --------
    >>> import torch
    >>> from frontierkit.integrations.botorch import FastNondominatedPartitioning
    >>> Y = torch.tensor([[3.0, 1.0, 1.0], [1.0, 3.0, 1.0], [1.0, 1.0, 3.0]], dtype=torch.float64)
    >>> bd = FastNondominatedPartitioning(ref_point=torch.zeros(3, dtype=torch.float64), Y=Y)
    >>> bd.compute_hypervolume()
    tensor(7., dtype=torch.float64)
    >>> bd.get_hypercell_bounds().shape
    torch.Size([2, 6, 3])

    """

    def _get_partitioning(self) -> None:
        m = self.num_outcomes
        ref = _np(-self._neg_ref_point)  # the maximisation reference point
        U2 = np.full((1, m), np.inf, dtype=ref.dtype)
        Z2 = np.broadcast_to(ref, (1, m, m)).copy()
        Z2[0, np.arange(m), np.arange(m)] = np.inf
        U2, Z2 = _local_upper_bounds(-_np(self._U), U2, Z2)
        self._U2 = _tensor(U2, self._neg_ref_point)
        self._Z2 = _tensor(Z2, self._neg_ref_point)
        cells = _partition_bounds(Z2, U2, np.full(m, np.inf, dtype=ref.dtype))
        self.hypercell_bounds = _tensor(cells, self._neg_ref_point)


class DominatedPartitioning(_FrontierkitPartitioning, _BT_DOMINATED):
    """BoTorch's ``DominatedPartitioning``, computed with NumPy and frontierkit.

    A subclass of ``botorch.utils.multi_objective.box_decompositions.DominatedPartitioning``
    (maximisation): the same cells of the dominated region, in the same order (for m >= 3 by
    the NumPy port of Lacour et al.'s Algorithm 1, for m = 2 by BoTorch's closed form), the
    Pareto set by :func:`is_non_dominated` and ``compute_hypervolume()`` by :func:`hypervolume`.
    BoTorch's qNEHVI builds one per posterior sample to get its initial hypervolumes.

    Parameters
    ----------
    ref_point : Tensor, shape (m,)
        The reference point (maximisation).
    Y : Tensor, shape (*batch_shape, n, m), optional
        The outcomes (a batch dimension only for m = 2, as in BoTorch).

    Examples
    --------
    >>> import torch
    >>> from frontierkit.integrations.botorch import DominatedPartitioning
    >>> Y = torch.tensor([[3.0, 1.0, 1.0], [1.0, 3.0, 1.0], [1.0, 1.0, 3.0]], dtype=torch.float64)
    >>> bd = DominatedPartitioning(ref_point=torch.zeros(3, dtype=torch.float64), Y=Y)
    >>> bd.compute_hypervolume()
    tensor(7., dtype=torch.float64)
    >>> bd.get_hypercell_bounds().shape
    torch.Size([2, 3, 3])

    """

    def _get_partitioning(self) -> None:
        cells = _partition_bounds(_np(self._Z), _np(self._U), _np(self._neg_ref_point))
        # Back to maximisation: swap lower and upper bounds and negate.
        self.hypercell_bounds = _tensor(-cells[::-1], self._neg_ref_point)


# --- install / uninstall -----------------------------------------------------------------

# BoTorch modules that bind the swapped objects at import (botorch 0.18): install() imports
# them, so that every binding exists before the swap; names that a BoTorch version lacks are
# skipped. Any other BoTorch module already imported is searched too.
_USER_MODULES = (
    "botorch.utils.multi_objective",
    "botorch.utils.multi_objective.pareto",
    "botorch.utils.multi_objective.hypervolume",
    "botorch.utils.multi_objective.optimize",
    "botorch.utils.multi_objective.box_decompositions",
    "botorch.utils.multi_objective.box_decompositions.box_decomposition",
    "botorch.utils.multi_objective.box_decompositions.utils",
    "botorch.utils.multi_objective.box_decompositions.dominated",
    "botorch.utils.multi_objective.box_decompositions.non_dominated",
    "botorch.acquisition.factory",
    "botorch.acquisition.input_constructors",
    "botorch.acquisition.multi_objective.utils",
    "botorch.acquisition.multi_objective.multi_output_risk_measures",
    "botorch.acquisition.multi_objective.hypervolume_knowledge_gradient",
    "botorch.optim.initializers",
)

_LAZY_PACKAGE = "botorch.utils.multi_objective"  # resolves its names on first access

_lock = threading.Lock()
# (module name, attribute) -> BoTorch's object that install() replaced there.
_patched: dict[tuple[str, str], Any] = {}


def _swaps(partitioning: bool) -> list[tuple[Any, Any]]:
    pairs: list[tuple[Any, Any]] = [
        (_BT_IS_NON_DOMINATED, is_non_dominated),
        (_BT_HYPERVOLUME, Hypervolume),
    ]
    if partitioning:
        pairs += [
            (_BT_FAST_ND, FastNondominatedPartitioning),
            (_BT_DOMINATED, DominatedPartitioning),
        ]
    return pairs


def _botorch_modules() -> list[tuple[str, Any]]:
    return [
        (name, mod)
        for name, mod in list(sys.modules.items())
        if (name == "botorch" or name.startswith("botorch.")) and mod is not None
    ]


def install(*, partitioning: bool = False) -> None:
    """Make BoTorch use frontierkit: swap its functions in the modules that bind them.

    Every BoTorch module attribute that holds ``is_non_dominated`` or ``Hypervolume`` (the
    defining modules ``botorch.utils.multi_objective.pareto`` / ``.hypervolume``, the modules
    that import them, such as the box decompositions, ``botorch.acquisition.multi_objective.utils``
    and ``botorch.optim.initializers``, and the package ``botorch.utils.multi_objective``) is set
    to this module's :func:`is_non_dominated` / :class:`Hypervolume`. Nothing else is changed:
    no method, no default argument, no object outside BoTorch's modules. Calling it again is
    harmless (it adds what the options ask and was not yet swapped).

    Parameters
    ----------
    partitioning : bool, optional
        Also swap ``FastNondominatedPartitioning`` and ``DominatedPartitioning`` for this module's
        subclasses wherever BoTorch's modules bind them (qNEHVI, the acquisition factory and
        input constructors, the hypervolume utilities). Off by default.

    Notes
    -----
    Code that imported a name before ``install()`` (``from botorch... import is_non_dominated``
    in the caller's own module) keeps BoTorch's object; default arguments bound at BoTorch's
    import (``compute_sample_box_decomposition(partitioning=DominatedPartitioning)``) too.

    Examples
    --------
    >>> import botorch.utils.multi_objective.pareto as pareto
    >>> from frontierkit.integrations import botorch as fkb
    >>> fkb.install()
    >>> pareto.is_non_dominated is fkb.is_non_dominated
    True
    >>> fkb.uninstall()
    >>> pareto.is_non_dominated is fkb.is_non_dominated
    False

    """
    with _lock:
        for name in _USER_MODULES:
            try:
                importlib.import_module(name)
            except ImportError:  # a module this BoTorch version does not have
                continue
        lazy = sys.modules.get(_LAZY_PACKAGE)
        for original, _ in _swaps(partitioning):
            if lazy is not None and original.__name__ in getattr(lazy, "__all__", ()):
                getattr(lazy, original.__name__)  # cache the lazy name, so it is swapped too
        for original, replacement in _swaps(partitioning):
            for mod_name, mod in _botorch_modules():
                namespace = getattr(mod, "__dict__", {})
                for attr, value in list(namespace.items()):
                    if value is original:
                        _patched[(mod_name, attr)] = original
                        setattr(mod, attr, replacement)


def uninstall() -> None:
    """Undo :func:`install`: put BoTorch's own objects back where it swapped them.

    Each swapped attribute gets back the very object it held (``is``-identical). A BoTorch
    module imported after :func:`install` that bound one of this module's replacements gets
    BoTorch's object as well. Harmless when nothing is installed.

    Examples
    --------
    >>> import botorch.utils.multi_objective.hypervolume as bt_hv
    >>> from frontierkit.integrations import botorch as fkb
    >>> original = bt_hv.Hypervolume
    >>> fkb.install()
    >>> fkb.uninstall()
    >>> bt_hv.Hypervolume is original
    True

    """
    with _lock:
        pairs = _swaps(True)
        for (mod_name, attr), original in list(_patched.items()):
            mod = sys.modules.get(mod_name)
            current = getattr(mod, attr, None)
            # Put back only what is still ours: a later patch by someone else stays.
            if mod is not None and any(current is new for _, new in pairs):
                setattr(mod, attr, original)
        _patched.clear()
        for _, mod in _botorch_modules():
            namespace = getattr(mod, "__dict__", {})
            for attr, value in list(namespace.items()):
                for old, new in pairs:
                    if value is new:
                        setattr(mod, attr, old)
