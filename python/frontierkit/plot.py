"""Plots of fronts and fits (matplotlib, the optional ``plot`` extra).

- :func:`front`: points coloured by Pareto rank; in 2-D each front drawn as its attainment
  staircase (the boundary of the region it dominates), in 3-D a scatter.
- :func:`fit`: a fitted law on log-log axes with its data, a delta-method confidence band and the
  extrapolation beyond the data marked (also ``FitResult.plot()``).

Every function draws on ``ax`` when given (else on a new figure's axes) and returns the axes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._validate import to_host

__all__ = ["fit", "front"]


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "frontierkit.plot needs matplotlib: pip install 'frontierkit[plot]'"
        ) from exc
    return plt


def _new_axes(ax: Any, three_d: bool = False) -> Any:
    if ax is not None:
        return ax
    plt = _pyplot()
    fig = plt.figure(figsize=(6.4, 4.8))
    return fig.add_subplot(projection="3d") if three_d else fig.add_subplot()


def _staircase(pts: np.ndarray, flip: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the attainment staircase of 2-D points, as line coordinates.

    The boundary of the region the points dominate, in the user's units (``flip`` marks the
    maximised axes).
    """
    q = pts * np.where(flip, -1.0, 1.0)  # minimisation
    q = q[np.lexsort((q[:, 1], q[:, 0]))]
    keep = np.concatenate([[True], q[1:, 1] < np.minimum.accumulate(q[:-1, 1])])
    q = q[keep]
    xs = np.repeat(q[:, 0], 2)[1:]
    ys = np.repeat(q[:, 1], 2)[:-1]
    out = np.column_stack([xs, ys]) * np.where(flip, -1.0, 1.0)
    return out[:, 0], out[:, 1]


def front(
    points: Any,
    /,
    ranks: Any = None,
    *,
    maximise: bool | Any = False,
    max_fronts: int = 10,
    labels: Any = None,
    ax: Any = None,
) -> Any:
    """Draw points coloured by Pareto rank (2-D or 3-D).

    Parameters
    ----------
    points : array_like, shape (n, 2) or (n, 3)
        The points (NumPy or CuPy).
    ranks : array_like of int, optional
        Their ranks (0 = non-dominated); computed with :func:`frontierkit.pareto_rank` when None.
    maximise : bool or sequence of bool
        Objectives to maximise (used for the ranks and the staircases' orientation).
    max_fronts : int
        Fronts drawn in colour (with a staircase in 2-D); later fronts are grey.
    labels : sequence of str, optional
        Axis labels (one per objective).
    ax : matplotlib Axes, optional
        Where to draw (a 3-D axes for 3 objectives); a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import frontierkit as fk
    >>> ax = fk.plot.front(fk.datasets.uniform_points(200, 2, seed=0))
    >>> ax.get_xlabel()
    'objective 0'

    """
    pts = np.asarray(to_host(points), dtype=float)
    if pts.ndim != 2 or pts.shape[1] not in (2, 3):
        raise ValueError(f"'points' must have shape (n, 2) or (n, 3), but it has {pts.shape}")
    d = pts.shape[1]
    if ranks is None:
        from .pareto import pareto_rank

        ranks = pareto_rank(pts, maximise=maximise)
    rk = np.asarray(to_host(ranks)).astype(int)
    if rk.shape != (len(pts),):
        raise ValueError(f"'ranks' must have one value per point ({len(pts)}), not {rk.shape}")
    flip = np.broadcast_to(np.asarray(maximise, dtype=bool), (d,))
    ax = _new_axes(ax, d == 3)
    plt = _pyplot()
    cmap = plt.get_cmap("viridis")
    n_col = int(min(max_fronts, rk.max() + 1)) if len(rk) else 0
    rest = rk >= n_col
    if rest.any():
        ax.scatter(*pts[rest].T, s=6, color="0.75", label=f"rank >= {n_col}")
    for r in range(n_col):  # the first fronts on top
        sel = rk == r
        color = cmap(r / max(n_col - 1, 1))
        label = f"rank {r}" if r < 5 else None
        ax.scatter(*pts[sel].T, s=10, color=color, label=label, zorder=2 * (n_col - r) + 1)
        if d == 2 and sel.any():
            xs, ys = _staircase(pts[sel], flip)
            ax.plot(xs, ys, color=color, lw=1.0, zorder=2 * (n_col - r))
    names = list(labels) if labels is not None else [f"objective {j}" for j in range(d)]
    if len(names) != d:
        raise ValueError(f"'labels' must have {d} names, but it has {len(names)}")
    ax.set_xlabel(names[0])
    ax.set_ylabel(names[1])
    if d == 3:
        ax.set_zlabel(names[2])
    if n_col:
        ax.legend(loc="best", fontsize="small")
    return ax


def fit(
    result: Any,
    x: Any = None,
    y: Any = None,
    *,
    index: int = 0,
    level: float = 0.95,
    extend: float = 1.0,
    xlabel: str | None = None,
    ylabel: str | None = None,
    ax: Any = None,
) -> Any:
    """Draw a fitted law on log-log axes: its data, the curve, a confidence band, extrapolation.

    Parameters
    ----------
    result : FitResult
        The fit (of one problem, or of a batch: then ``index`` chooses one).
    x, y : array_like, optional
        The data it was fitted to (as given to :func:`frontierkit.fit_curves`), drawn as points.
        For models of several inputs, one curve is drawn per distinct value of the other inputs,
        against the first; for (N, D) laws on IsoFLOP data (more than 8 distinct D), one curve
        per compute budget 6 N D instead. Without data the curve spans the fitted range of the
        first input.
    index : int
        The problem of a batch to draw.
    level : float
        Level of the band: the delta-method interval of the prediction (from ``result.cov``; no
        band where it is undefined, e.g. for the l1 loss).
    extend : float
        Draw the law up to ``extend`` times the largest fitted x (dashed beyond the data), e.g.
        10 to show a decade of extrapolation.
    xlabel, ylabel : str, optional
        Axis labels (default "x" or "x[0]", and "y").
    ax : matplotlib Axes, optional
        Where to draw; a new figure when None.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np, frontierkit as fk
    >>> x = np.geomspace(1, 1e3, 20)
    >>> res = fk.fit_curves("saturating_power", x, 2 * x**-0.5 + 0.3)
    >>> ax = res.plot(x, 2 * x**-0.5 + 0.3, extend=10)
    >>> ax.get_xscale(), ax.get_yscale()
    ('log', 'log')

    """
    if not isinstance(extend, (int, float)) or not extend >= 1.0:
        raise ValueError(f"'extend' must be a number >= 1, but it is {extend!r}")
    one = result.take(index) if np.ndim(result.params) == 2 else result
    v = one.settings["inputs"]
    lo, hi = one.settings["x_range"]
    ax = _new_axes(ax)
    xa: Any
    ya: Any
    if x is not None and y is not None:
        xa = np.asarray(to_host(x), dtype=float)
        ya = np.asarray(to_host(y), dtype=float)
        if ya.ndim == 2:
            ya = ya[index]
        if xa.ndim == 2 and v == 1:
            xa = xa[index]
        xa = xa.reshape(len(ya), v)
    else:
        xa, ya = None, None
    if xa is None and v > 1:
        raise ValueError("'x' and 'y' are needed to draw a model of several inputs")
    groups = [None] if v == 1 else np.unique(xa[:, 1:], axis=0)
    # (N, D) laws on IsoFLOP data (every run its own D): one curve per compute budget 6 N D.
    isoflop = one.model in ("chinchilla", "kaplan_nd") and len(groups) > 8
    if isoflop:
        budget = np.round(np.log10(6.0 * xa[:, 0] * xa[:, 1]), 1)
        groups = np.unique(budget)
    plt = _pyplot()
    for g, other in enumerate(groups):
        color = plt.get_cmap("tab10")(g % 10)
        if xa is not None:
            if other is None:
                sel = np.ones(len(ya), bool)
            elif isoflop:
                sel = budget == other
            else:
                sel = (xa[:, 1:] == other).all(axis=1)
            ax.scatter(xa[sel, 0], ya[sel], s=12, color=color, zorder=3)
            lo_g, hi_g = np.nanmin(xa[sel, 0]), np.nanmax(xa[sel, 0])
        else:
            lo_g, hi_g = lo, hi
        grid = np.geomspace(lo_g, hi_g * extend, 200)
        if other is None:
            gx = grid
        elif isoflop:
            gx = np.column_stack([grid, 10.0**other / (6.0 * grid)])
        else:
            gx = np.column_stack([grid, np.tile(other, (200, 1))])
        pred = one.predict(gx)
        band = one.predict_ci(gx, level)
        inside = grid <= hi_g * (1 + 1e-12)
        if other is None:
            label = None
        elif isoflop:
            label = f"C = {10.0**other:.2g}"
        else:
            label = ", ".join(f"{o:.3g}" for o in other)
        ax.plot(grid[inside], pred[inside], color=color, lw=1.5, label=label)
        if (~inside).any():
            ax.plot(grid[~inside], pred[~inside], color=color, lw=1.5, ls="--")
        if np.isfinite(band).any():
            ax.fill_between(grid, band[:, 0], band[:, 1], color=color, alpha=0.2, lw=0)
    if extend > 1.0:
        ax.axvline(hi, color="0.5", lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel or ("x" if v == 1 else "x[0]"))
    ax.set_ylabel(ylabel or "y")
    values = np.asarray(to_host(one.params))
    shown = ", ".join(f"{n}={p:.3g}" for n, p in zip(one.param_names, values))
    ax.set_title(f"{one.model}: {shown}", fontsize="small")
    if len(groups) > 1:
        ax.legend(title="FLOPs (6 N D)" if isoflop else "other inputs", fontsize="small")
    return ax
