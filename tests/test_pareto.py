"""Non-dominated sorting: every function, every host backend, against tests/reference.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import frontierkit as fk
from reference import nondominated_mask, pareto_ranks, pareto_ranks_matrix


def random_sets():
    """(seed, points) cases: ties and duplicates, all equal, one point, d = 1..10."""
    rng = np.random.default_rng(20261123)
    cases = []
    for d in range(1, 11):
        for n in (0, 1, 2, 7, 60, 150):
            seed = int(rng.integers(1 << 31))
            r = np.random.default_rng(seed)
            cases.append((seed, r.integers(0, 3, size=(n, d)).astype(float)))  # many ties
            cases.append((seed, r.random((n, d))))
    cases.append((0, np.ones((40, 4))))
    cases.append((1, np.repeat(np.random.default_rng(1).random((10, 3)), 4, axis=0)))
    return cases


CASES = random_sets()


@pytest.mark.parametrize("case", range(len(CASES)))
def test_rank_and_front_match_reference(case, backend, guard):
    seed, pts = CASES[case]
    pts = guard(pts)
    want = pareto_ranks(pts)
    msg = f"seed={seed} shape={pts.shape} backend={backend}"
    np.testing.assert_array_equal(fk.pareto_rank(pts), want, err_msg=msg)
    for keep in (False, True):
        mask = fk.is_nondominated(pts, keep_weakly=keep)
        np.testing.assert_array_equal(mask, nondominated_mask(pts, keep), err_msg=msg)
        np.testing.assert_array_equal(fk.filter_dominated(pts, keep_weakly=keep), pts[mask])
    fronts = fk.nondominated_sort(pts)
    assert sum(len(f) for f in fronts) == len(pts)
    for k, f in enumerate(fronts):
        np.testing.assert_array_equal(f, np.flatnonzero(want == k), err_msg=msg)


@pytest.mark.parametrize("d", [2, 3, 4, 6])
def test_large_random_against_reference_and_moocore(d, backend):
    moocore = pytest.importorskip("moocore")
    seed = 1000 + d
    rng = np.random.default_rng(seed)
    n = 400 if backend != "numpy" else 250
    pts = np.round(rng.random((n, d)), 1)  # coarse grid: plenty of ties and duplicates
    want = pareto_ranks(pts)
    np.testing.assert_array_equal(fk.pareto_rank(pts), want, err_msg=f"seed={seed}")
    np.testing.assert_array_equal(fk.pareto_rank(pts), moocore.pareto_rank(pts))
    for keep in (False, True):
        np.testing.assert_array_equal(
            fk.is_nondominated(pts, keep_weakly=keep),
            moocore.is_nondominated(pts, keep_weakly=keep),
            err_msg=f"seed={seed} keep_weakly={keep}",
        )


@pytest.mark.parametrize("d", [2, 3, 5, 10])
@pytest.mark.parametrize("kind", ["uniform", "sphere", "grid"])
def test_cpp_large_inputs_match_numba(d, kind, monkeypatch):
    """Bigger sets (prefilter and divide-and-conquer paths) against the independent numba path."""
    pytest.importorskip("numba")
    seed = 77 * d + len(kind)
    rng = np.random.default_rng(seed)
    n = 6000
    if kind == "uniform":
        pts = rng.random((n, d))
    elif kind == "sphere":
        pts = np.abs(rng.standard_normal((n, d)))
        pts /= np.linalg.norm(pts, axis=1, keepdims=True)
    else:
        pts = rng.integers(0, 6, size=(n, d)).astype(float)
    monkeypatch.setenv("FRONTIERKIT_BACKEND", "cpp")
    got_r, got_m = fk.pareto_rank(pts), fk.is_nondominated(pts)
    monkeypatch.setenv("FRONTIERKIT_BACKEND", "numba")
    np.testing.assert_array_equal(got_r, fk.pareto_rank(pts), err_msg=f"seed={seed}")
    np.testing.assert_array_equal(got_m, fk.is_nondominated(pts), err_msg=f"seed={seed}")


def _staircase_adversaries():
    """3-D inputs whose per-front staircases need quadratic moves (the C++ staircase sweep gives
    up and hands them to the divide and conquer), near-adversaries that stay under budget, and
    late rows that cover long runs of a staircase spread over many blocks of the first-front
    sweep (see also test_3d_first_front_run_across_blocks)."""
    rng = np.random.default_rng(31)
    n = 2500
    i = np.arange(n)
    one_front = np.c_[i, n - i, i]  # every new row lands at the start of one long staircase
    jitter = np.c_[i // 3, n - i + rng.integers(0, 3, n), i + rng.integers(0, 40, n)]
    few_fronts = np.c_[i % 5, n - i // 5, i // 5 + (i % 5)]
    ties = np.c_[np.zeros(n), n - i, i] % 97
    return {"one_front": one_front, "jitter": jitter, "few_fronts": few_fronts, "ties": ties}


def test_matrix_reference_agrees_with_loop_reference():
    pts = np.random.default_rng(5).integers(0, 4, size=(120, 3)).astype(float)
    np.testing.assert_array_equal(pareto_ranks_matrix(pts), pareto_ranks(pts))


@pytest.mark.parametrize("name", sorted(_staircase_adversaries()))
def test_3d_ranks_on_staircase_adversaries(name, backend):
    pts = _staircase_adversaries()[name].astype(float)
    if backend == "numpy":
        pts = pts[::3]
    want = pareto_ranks_matrix(pts)
    np.testing.assert_array_equal(fk.pareto_rank(pts), want, err_msg=name)
    np.testing.assert_array_equal(fk.pareto_rank(pts[::-1]), want[::-1], err_msg=name)
    np.testing.assert_array_equal(fk.is_nondominated(pts, keep_weakly=True), want == 0, err_msg=name)
    np.testing.assert_array_equal(fk.is_nondominated(pts[:300], keep_weakly=True), pareto_ranks_matrix(pts[:300]) == 0)


@pytest.mark.parametrize("a", [100.5, 333.5, 700.5])
def test_3d_first_front_run_across_blocks(a, backend):
    """A long staircase, one row covering a run of it that spans many blocks, then probes just
    above that row in z at every y: a probe is dominated exactly when its y is >= a, so a step
    left behind by the cover (anywhere along the run, at a block edge included) is caught."""
    n = 1000
    i = np.arange(n)
    stairs = np.c_[i, n - i, i]
    probes = np.c_[n + 1 + np.arange(n + 1), np.arange(n + 1), np.full(n + 1, a + 0.25)]
    pts = np.r_[stairs, [[n, a, a]], probes].astype(float)
    if backend == "numpy":
        pts = np.r_[stairs[::4], [[n, a, a]], probes[::4]].astype(float)
    want = pareto_ranks_matrix(pts)
    np.testing.assert_array_equal(fk.is_nondominated(pts, keep_weakly=True), want == 0)
    np.testing.assert_array_equal(fk.pareto_rank(pts), want)


def _2d_cases():
    """Two objectives: thousands of fronts (past the counted search's linear first level), runs of
    equal first objective, duplicates, signed zeros and infinities, either side of the size where
    the sort changes method."""
    rng = np.random.default_rng(2)
    i = np.arange(3000.0)
    chain = np.c_[i + rng.random(3000) * 0.5, i + rng.random(3000) * 0.5]  # ~3000 fronts
    runs = np.c_[rng.integers(0, 20, 3000), rng.integers(0, 200, 3000) / 7].astype(float)
    special = rng.choice([-np.inf, -1.0, -0.0, 0.0, 1.0, np.inf], size=(600, 2))
    out = {"chain": chain, "chain_and_noise": np.r_[chain, rng.random((500, 2)) * 3000], "runs": runs}
    out["special"] = special
    for n in (255, 256, 257):
        out[f"runs_{n}"] = runs[:n]
        out[f"random_{n}"] = rng.random((n, 2))
    return out


@pytest.mark.parametrize("name", sorted(_2d_cases()))
def test_2d_ranks_adversarial(name, backend):
    pts = _2d_cases()[name]
    if backend == "numpy":
        pts = pts[:700]
    want = pareto_ranks_matrix(pts)
    np.testing.assert_array_equal(fk.pareto_rank(pts), want, err_msg=name)
    np.testing.assert_array_equal(fk.pareto_rank(pts[::-1]), want[::-1], err_msg=name)
    np.testing.assert_array_equal(fk.is_nondominated(pts, keep_weakly=True), want == 0, err_msg=name)


finite = st.floats(-3, 3, allow_nan=False).map(lambda v: round(v))
special = st.sampled_from([-np.inf, np.inf, 0.0, -0.0, 1.0, 1e300, -1e300])


@settings(max_examples=150, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        st.tuples(st.integers(0, 14), st.integers(1, 5)),
        elements=st.one_of(finite, special),
    )
)
def test_hypothesis_small_adversarial(pts):
    want = pareto_ranks(pts)
    np.testing.assert_array_equal(fk.pareto_rank(pts), want)
    np.testing.assert_array_equal(fk.is_nondominated(pts), nondominated_mask(pts, False))
    np.testing.assert_array_equal(
        fk.is_nondominated(pts, keep_weakly=True), nondominated_mask(pts, True)
    )


def test_infinities_are_exact_in_3d(backend):
    pts = np.array([[np.inf, 0, 0], [1, 1, 1], [np.inf, 0, 1], [-np.inf, 5, 5], [1, 1, np.inf]])
    np.testing.assert_array_equal(fk.pareto_rank(pts), pareto_ranks(pts))
    np.testing.assert_array_equal(fk.is_nondominated(pts), nondominated_mask(pts))


def test_maximise_is_negation(backend):
    rng = np.random.default_rng(5)
    pts = rng.integers(0, 4, size=(80, 3)).astype(float)
    np.testing.assert_array_equal(fk.pareto_rank(pts, maximise=True), fk.pareto_rank(-pts))
    flags = [True, False, True]
    neg = pts * np.array([-1, 1, -1])
    np.testing.assert_array_equal(fk.pareto_rank(pts, maximise=flags), fk.pareto_rank(neg))
    np.testing.assert_array_equal(
        fk.is_nondominated(pts, maximise=np.array(flags)), fk.is_nondominated(neg)
    )


def test_dtypes_and_layouts_give_float64_results(backend):
    rng = np.random.default_rng(9)
    ints = rng.integers(-5, 5, size=(50, 4))
    ref = fk.pareto_rank(ints.astype(np.float64))
    np.testing.assert_array_equal(fk.pareto_rank(ints), ref)
    np.testing.assert_array_equal(fk.pareto_rank(ints.astype(np.float32)), ref)
    np.testing.assert_array_equal(fk.pareto_rank(np.asfortranarray(ints)), ref)
    wide = np.zeros((50, 8))
    wide[:, ::2] = ints
    np.testing.assert_array_equal(fk.pareto_rank(wide[:, ::2]), ref)  # non-contiguous view
    np.testing.assert_array_equal(fk.pareto_rank(ints.tolist()), ref)


def test_row_order_invariance(backend):
    rng = np.random.default_rng(3)
    pts = rng.integers(0, 5, size=(120, 3)).astype(float)
    perm = rng.permutation(len(pts))
    np.testing.assert_array_equal(fk.pareto_rank(pts)[perm], fk.pareto_rank(pts[perm]))


def test_empty_and_single(backend):
    for d in (1, 3):
        empty = np.zeros((0, d))
        assert fk.pareto_rank(empty).shape == (0,)
        assert fk.is_nondominated(empty).shape == (0,)
        assert fk.filter_dominated(empty).shape == (0, d)
        assert fk.nondominated_sort(empty) == []
        one = np.ones((1, d))
        np.testing.assert_array_equal(fk.pareto_rank(one), [0])
        np.testing.assert_array_equal(fk.is_nondominated(one), [True])


def test_d1_is_dense_ranking(backend):
    pts = np.array([[3.0], [1.0], [3.0], [2.0], [1.0]])
    np.testing.assert_array_equal(fk.pareto_rank(pts), [2, 0, 2, 1, 0])
    np.testing.assert_array_equal(fk.is_nondominated(pts), [False, True, False, False, False])


def test_batched_3d_equals_one_by_one(backend):
    rng = np.random.default_rng(11)
    batch = rng.integers(0, 4, size=(7, 30, 3)).astype(float)
    ranks = fk.pareto_rank(batch)
    mask = fk.is_nondominated(batch)
    assert ranks.shape == (7, 30) and mask.shape == (7, 30)
    for s in range(7):
        np.testing.assert_array_equal(ranks[s], pareto_ranks(batch[s]))
        np.testing.assert_array_equal(mask[s], nondominated_mask(batch[s]))
    fronts = fk.nondominated_sort(batch)
    assert len(fronts) == 7
    np.testing.assert_array_equal(fronts[2][0], np.flatnonzero(ranks[2] == 0))
    kept = fk.filter_dominated(batch)
    np.testing.assert_array_equal(kept[4], batch[4][mask[4]])


def test_sets_labels_rank_within_each_set(backend):
    rng = np.random.default_rng(12)
    pts = rng.integers(0, 4, size=(90, 2)).astype(float)
    labels = rng.choice(np.array(["a", "b", "c"]), size=90)
    ranks = fk.pareto_rank(pts, sets=labels)
    mask = fk.is_nondominated(pts, sets=labels, keep_weakly=True)
    for lab in "abc":
        rows = labels == lab
        np.testing.assert_array_equal(ranks[rows], pareto_ranks(pts[rows]))
        np.testing.assert_array_equal(mask[rows], nondominated_mask(pts[rows], True))
    per_set = fk.nondominated_sort(pts, sets=labels)
    rows_b = np.flatnonzero(labels == "b")
    np.testing.assert_array_equal(per_set[1][0], rows_b[pareto_ranks(pts[rows_b]) == 0])


def test_sets_many_labels_cpp_threads():
    """Enough work for the C++ batch to use threads: still identical to one-by-one."""
    rng = np.random.default_rng(13)
    pts = rng.random((40000, 3))
    labels = rng.integers(0, 50, size=40000)
    ranks = fk.pareto_rank(pts, sets=labels)
    for lab in (0, 17, 49):
        rows = labels == lab
        np.testing.assert_array_equal(ranks[rows], fk.pareto_rank(pts[rows]))


def test_n_stop():
    pts = np.array([[1, 1], [2, 2], [3, 3], [4, 4], [1.5, 0.5]])
    assert [f.tolist() for f in fk.nondominated_sort(pts, n_stop=2)] == [[0, 4]]
    assert [f.tolist() for f in fk.nondominated_sort(pts, n_stop=3)] == [[0, 4], [1]]
    assert fk.nondominated_sort(pts, n_stop=0) == []
    assert len(fk.nondominated_sort(pts, n_stop=100)) == 4


def test_cuda_logic_on_host_matches_reference():
    """The CUDA kernels' per-element functions, run over the same grid on the CPU."""
    core = pytest.importorskip("frontierkit._core")
    rng = np.random.default_rng(21)
    sizes = [0, 1, 31, 32, 33, 70, 300]
    for d in (1, 2, 3, 9, 17):
        pts = np.concatenate([rng.integers(0, 3, size=(n, d)).astype(float) for n in sizes])
        offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
        ranks, dup = core.cuda_logic_pareto_rank(pts, offsets, False)
        first, _ = core.cuda_logic_pareto_rank(pts, offsets, True)
        for s in range(len(sizes)):
            a, b = offsets[s], offsets[s + 1]
            want = pareto_ranks(pts[a:b])
            np.testing.assert_array_equal(ranks[a:b], want, err_msg=f"d={d} set={s}")
            np.testing.assert_array_equal(first[a:b] == 0, want == 0)
            keep = (want == 0) & (dup[a:b] == 0)
            np.testing.assert_array_equal(keep, nondominated_mask(pts[a:b], False))
