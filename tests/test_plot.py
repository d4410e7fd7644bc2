"""Plots render to PNG without a display (matplotlib's Agg backend)."""

from __future__ import annotations

import numpy as np
import pytest

import frontierkit as fk

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")


def _png(ax, tmp_path, name):
    path = tmp_path / name
    ax.figure.savefig(path)
    plt.close(ax.figure)
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    return path


@pytest.mark.parametrize("d", [2, 3])
def test_front_renders(tmp_path, d):
    pts = fk.datasets.uniform_points(400, d, seed=1)
    ax = fk.plot.front(pts, labels=[f"f{j}" for j in range(d)])
    assert ax.get_xlabel() == "f0"
    # one scatter per drawn front plus the grey rest; in 2-D one staircase line per front
    ranks = fk.pareto_rank(pts)
    n_col = min(10, ranks.max() + 1)
    assert len(ax.collections) == n_col + (ranks.max() >= 10)
    if d == 2:
        assert len(ax.lines) == n_col
    _png(ax, tmp_path, f"front{d}.png")


def test_front_staircase_bounds_the_dominated_region():
    pts = np.array([[1.0, 3.0], [2.0, 2.0], [3.0, 1.0], [2.5, 2.5]])
    ax = fk.plot.front(pts, ranks=[0, 0, 0, 1])
    xs, ys = ax.lines[0].get_data()
    np.testing.assert_array_equal(xs, [1, 2, 2, 3, 3])
    np.testing.assert_array_equal(ys, [3, 3, 2, 2, 1])
    plt.close(ax.figure)
    ax = fk.plot.front(-pts, maximise=True)  # the same staircase, mirrored
    xs, ys = ax.lines[0].get_data()
    np.testing.assert_array_equal(xs, [-1, -2, -2, -3, -3])
    np.testing.assert_array_equal(ys, [-3, -3, -2, -2, -1])
    plt.close(ax.figure)


def test_front_bad_input():
    with pytest.raises(ValueError, match="'points' must have shape"):
        fk.plot.front(np.zeros((5, 4)))
    with pytest.raises(ValueError, match="'ranks' must have one value per point"):
        fk.plot.front(np.zeros((5, 2)), ranks=[0, 1])
    with pytest.raises(ValueError, match="'labels' must have 2 names"):
        fk.plot.front(np.zeros((5, 2)), labels=["a"])


def test_fit_plot_renders_with_band_and_extrapolation(tmp_path):
    x = np.geomspace(1, 1e3, 20)
    rng = np.random.default_rng(0)
    y = (2 * x**-0.5 + 0.3) * np.exp(0.02 * rng.standard_normal((3, 20)))
    res = fk.fit_curves("saturating_power", x, y)
    ax = res.plot(x, y, index=2, extend=10, xlabel="steps")
    assert ax.get_xscale() == "log" and ax.get_xlabel() == "steps"
    solid, dashed = ax.lines[0], ax.lines[1]
    assert solid.get_linestyle() == "-" and dashed.get_linestyle() == "--"
    assert dashed.get_xdata().min() > 1e3 and dashed.get_xdata().max() == pytest.approx(1e4)
    assert len(ax.collections) == 2  # data points and the band
    _png(ax, tmp_path, "fit.png")
    # The band is predict_ci's: the interval holds the curve.
    band = res.predict_ci(x, 0.95)
    pred = res.predict(x)
    assert band.shape == (3, 20, 2)
    assert (band[..., 0] < pred).all() and (pred < band[..., 1]).all()
    one = res.take(2)
    np.testing.assert_allclose(one.predict_ci(x), band[2])


def test_fit_plot_two_inputs_one_curve_per_group(tmp_path):
    rng = np.random.default_rng(1)
    n, d = (a.ravel() for a in np.meshgrid(np.geomspace(1e8, 1e10, 6), np.geomspace(1e9, 1e11, 4)))
    loss = (1.69 + 406.4 * n**-0.34 + 410.7 * d**-0.28) * np.exp(0.01 * rng.standard_normal(24))
    fit = fk.fit_chinchilla(n, d, loss).fit
    ax = fit.plot(np.column_stack([n, d]), loss)
    assert len(ax.get_legend().get_texts()) == 4
    _png(ax, tmp_path, "chinchilla.png")
    with pytest.raises(ValueError, match="needed to draw a model of several inputs"):
        fit.plot()
    with pytest.raises(ValueError, match="'extend'"):
        fit.plot(np.column_stack([n, d]), loss, extend=0.5)


def test_bootstrap_progress_gives_the_same_refits():
    rng = np.random.default_rng(0)
    x = np.geomspace(1, 100, 25)
    y = 2 * x**-0.3 + 0.5 + 0.01 * rng.standard_normal((3, 25))
    xs = x ** np.array([[1.0], [1.5], [3.0]])  # one x row per problem, different spans
    for xx in (x, xs):
        a = fk.bootstrap("saturating_power", xx, y, n_resamples=300, seed=1)
        seen = []
        b = fk.bootstrap(
            "saturating_power", xx, y, n_resamples=300, seed=1, progress=lambda *t: seen.append(t)
        )
        assert seen[0] == (64, 900) and seen[-1] == (900, 900) and len(seen) == 15
        for field in ("params", "cost", "status", "cov"):
            np.testing.assert_array_equal(getattr(a.samples, field), getattr(b.samples, field))
