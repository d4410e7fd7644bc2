"""frontierkit.integrations.botorch against BoTorch's own functions and classes."""

from __future__ import annotations

import doctest
import sys
import types
import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("botorch")

import botorch.utils.multi_objective as bt_mo  # noqa: E402
import botorch.utils.multi_objective.box_decompositions.box_decomposition as bt_bd  # noqa: E402
import botorch.utils.multi_objective.box_decompositions.dominated as bt_dom  # noqa: E402
import botorch.utils.multi_objective.box_decompositions.non_dominated as bt_nd  # noqa: E402
import botorch.utils.multi_objective.box_decompositions.utils as bt_bd_utils  # noqa: E402
import botorch.utils.multi_objective.hypervolume as bt_hv  # noqa: E402
import botorch.utils.multi_objective.pareto as bt_pareto  # noqa: E402
from botorch.exceptions.errors import BotorchTensorDimensionError  # noqa: E402

from frontierkit.integrations import botorch as fkb  # noqa: E402

BT_IS_ND = bt_pareto.is_non_dominated
BT_HV = bt_hv.Hypervolume
BT_FAST_ND = bt_nd.FastNondominatedPartitioning
BT_DOM = bt_dom.DominatedPartitioning


@pytest.fixture(autouse=True)
def _always_uninstall():
    yield
    fkb.uninstall()


def _outcomes(gen, shape, kind, dtype=torch.float64):
    """Random outcomes: 'ties' draws from a 4-level grid (many ties and duplicates)."""
    if kind == "ties":
        return torch.randint(0, 4, shape, generator=gen).to(dtype) / 4
    if kind == "sphere":
        Y = torch.rand(shape, generator=gen, dtype=torch.float64).abs()
        return (Y / Y.norm(dim=-1, keepdim=True)).to(dtype)
    return torch.rand(shape, generator=gen, dtype=torch.float64).to(dtype)


# --- is_non_dominated --------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("maximize", [True, False])
@pytest.mark.parametrize("deduplicate", [True, False])
def test_is_non_dominated_matches_botorch(dtype, maximize, deduplicate):
    gen = torch.Generator().manual_seed(7)
    for batch in [(), (3,), (2, 3)]:
        for n in [0, 1, 2, 9, 40]:
            for m in [1, 2, 3, 4, 5]:
                for kind in ["ties", "uniform"]:
                    Y = _outcomes(gen, (*batch, n, m), kind, dtype)
                    got = fkb.is_non_dominated(Y, maximize=maximize, deduplicate=deduplicate)
                    want = BT_IS_ND(Y, maximize=maximize, deduplicate=deduplicate)
                    assert got.dtype == torch.bool and got.device == Y.device
                    assert torch.equal(got, want), (batch, n, m, kind)


def test_is_non_dominated_keeps_the_first_copy():
    Y = torch.tensor([[0.0, 0.0], [1.0, 2.0], [2.0, 1.0], [1.0, 2.0], [2.0, 1.0]])
    assert fkb.is_non_dominated(Y).tolist() == [False, True, True, False, False]
    assert fkb.is_non_dominated(Y, deduplicate=False).tolist() == [False, True, True, True, True]
    assert torch.equal(fkb.is_non_dominated(Y), BT_IS_ND(Y))


@pytest.mark.parametrize("deduplicate", [True, False])
def test_is_non_dominated_large_sets_match_botorch_loop(deduplicate):
    # n > 1000 takes BoTorch's other (loop) path.
    gen = torch.Generator().manual_seed(3)
    for m, kind in [(2, "ties"), (3, "uniform"), (4, "ties")]:
        Y = _outcomes(gen, (1500, m), kind)
        got = fkb.is_non_dominated(Y, deduplicate=deduplicate)
        assert torch.equal(got, BT_IS_ND(Y, deduplicate=deduplicate)), (m, kind)


def test_is_non_dominated_infinities_and_awkward_tensors():
    inf = float("inf")
    Y = torch.tensor(
        [[inf, 0.0], [inf, 0.0], [-inf, 5.0], [1.0, -inf], [0.0, 5.0], [-0.0, 5.0], [0.0, -0.0]]
    )
    for maximize in (True, False):
        for dedup in (True, False):
            want = BT_IS_ND(Y, maximize=maximize, deduplicate=dedup)
            assert torch.equal(fkb.is_non_dominated(Y, maximize, dedup), want)
    gen = torch.Generator().manual_seed(5)
    base = _outcomes(gen, (30, 6), "ties").requires_grad_(True)
    strided = base[:, ::2]  # not contiguous, requires grad
    assert torch.equal(fkb.is_non_dominated(strided), BT_IS_ND(strided))
    half = _outcomes(gen, (20, 3), "ties").to(torch.bfloat16)
    assert torch.equal(fkb.is_non_dominated(half), BT_IS_ND(half))


def test_is_non_dominated_nan_follows_botorch():
    nan = float("nan")
    Y = torch.tensor([[1.0, nan], [0.5, 0.5], [nan, nan], [0.2, 3.0], [0.5, 0.5]])
    for dedup in (True, False):
        assert torch.equal(
            fkb.is_non_dominated(Y, deduplicate=dedup), BT_IS_ND(Y, deduplicate=dedup)
        )


def test_is_non_dominated_rejects_non_tensors():
    with pytest.raises(TypeError, match="'Y' must be a torch.Tensor, but it is ndarray"):
        fkb.is_non_dominated(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"'Y' must have shape \(\*batch_shape, n, m\)"):
        fkb.is_non_dominated(torch.zeros(3))


# --- hypervolume -------------------------------------------------------------------------


@pytest.mark.parametrize("m", [2, 3, 4, 5])
def test_hypervolume_class_matches_botorch(m):
    gen = torch.Generator().manual_seed(10 + m)
    ref = torch.full((m,), 0.05, dtype=torch.float64)
    for n in [1, 5, 25]:
        for kind in ["uniform", "sphere", "ties"]:
            Y = _outcomes(gen, (n, m), kind)
            pareto_Y = Y[BT_IS_ND(Y)]
            want = BT_HV(ref).compute(pareto_Y)
            got = fkb.Hypervolume(ref).compute(pareto_Y)
            assert isinstance(got, float)
            assert got == pytest.approx(want, rel=1e-10, abs=0), (n, kind)
            # Dominated rows and rows below the reference point add nothing.
            assert fkb.Hypervolume(ref).compute(Y - 0.1) == pytest.approx(
                BT_HV(ref).compute((Y - 0.1)[BT_IS_ND(Y - 0.1)]), rel=1e-10, abs=1e-15
            )


def test_hypervolume_class_interface():
    hv = fkb.Hypervolume(ref_point=torch.tensor([1.0, 2.0]))
    assert isinstance(hv, BT_HV)
    assert torch.equal(hv.ref_point, torch.tensor([1.0, 2.0]))
    assert hv.compute(torch.empty(0, 2)) == 0.0
    with pytest.raises(ValueError, match="'pareto_Y' must have 2 objectives") as info:
        hv.compute(torch.zeros(4, 3))
    assert isinstance(info.value, BotorchTensorDimensionError)
    with pytest.raises(BotorchTensorDimensionError, match="'pareto_Y' must be 2-D"):
        hv.compute(torch.zeros(1, 4, 2))


def test_hypervolume_function_batches_and_dtypes():
    gen = torch.Generator().manual_seed(4)
    for m in [2, 3, 4]:
        ref = torch.zeros(m, dtype=torch.float64)
        Y = _outcomes(gen, (2, 3, 20, m), "uniform")
        got = fkb.hypervolume(Y, ref)
        assert got.shape == (2, 3) and got.dtype == torch.float64
        for idx in np.ndindex(2, 3):
            want = BT_HV(ref).compute(Y[idx])
            assert got[idx].item() == pytest.approx(want, rel=1e-10, abs=0)
        one = fkb.hypervolume(Y[0, 0], ref.tolist())
        assert one.shape == () and one.item() == got[0, 0].item()
        # float32 is computed in float64 and returned as float32.
        got32 = fkb.hypervolume(Y.float(), 0.0)
        assert got32.dtype == torch.float32
        want32 = fkb.hypervolume(Y.float().double(), 0.0)
        torch.testing.assert_close(got32, want32.float(), rtol=1e-7, atol=0)
    assert fkb.hypervolume(torch.empty(3, 0, 2), 0.0).tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match=r"'ref_point' must have shape \(2,\)"):
        fkb.hypervolume(torch.ones(3, 2), torch.zeros(3))
    with pytest.raises(ValueError, match="must not contain NaN"):
        fkb.hypervolume(torch.tensor([[1.0, float("nan")]]), 0.0)


# --- box decompositions ------------------------------------------------------------------


def _same_decomposition(a, b):
    # The intermediate local upper bounds and defining points too, where BoTorch keeps them.
    for name in ("_U", "_Z", "_U2", "_Z2"):
        assert hasattr(a, name) == hasattr(b, name), name
        if hasattr(a, name):
            assert torch.equal(getattr(a, name), getattr(b, name)), name
    assert torch.equal(a.hypercell_bounds, b.hypercell_bounds)
    assert a.hypercell_bounds.dtype == b.hypercell_bounds.dtype
    assert torch.equal(a.pareto_Y, b.pareto_Y)
    want = a.compute_hypervolume()
    got = b.compute_hypervolume()
    assert got.shape == want.shape and got.dtype == want.dtype
    # float32: BoTorch sums cell volumes in float32, frontierkit computes in float64.
    rtol = 1e-10 if want.dtype == torch.float64 else 1e-5
    torch.testing.assert_close(got, want, rtol=rtol, atol=1e-14)


@pytest.mark.parametrize(
    "ours, theirs",
    [(fkb.FastNondominatedPartitioning, BT_FAST_ND), (fkb.DominatedPartitioning, BT_DOM)],
)
def test_partitionings_equal_botorch(ours, theirs):
    gen = torch.Generator().manual_seed(11)
    for m, n in [(2, 15), (3, 1), (3, 25), (4, 12)]:
        for kind in ["sphere", "uniform", "ties"]:
            for dtype in (torch.float64, torch.float32):
                Y = _outcomes(gen, (n, m), kind, dtype)
                ref = torch.full((m,), 0.1, dtype=dtype)
                b = ours(ref_point=ref, Y=Y)
                assert isinstance(b, theirs)
                _same_decomposition(theirs(ref_point=ref, Y=Y), b)
    # m = 2 with a batch dimension (BoTorch's closed form, frontierkit's volumes).
    Y = _outcomes(gen, (4, 10, 2), "uniform")
    _same_decomposition(theirs(torch.zeros(2).double(), Y), ours(torch.zeros(2).double(), Y))
    # No point better than the reference point, and no data at all.
    Y = -_outcomes(gen, (5, 3), "uniform")
    _same_decomposition(theirs(torch.zeros(3).double(), Y), ours(torch.zeros(3).double(), Y))
    assert ours(torch.zeros(3)).compute_hypervolume().item() == 0.0


@pytest.mark.parametrize(
    "ours, theirs",
    [(fkb.FastNondominatedPartitioning, BT_FAST_ND), (fkb.DominatedPartitioning, BT_DOM)],
)
def test_partitioning_updates_equal_botorch(ours, theirs):
    gen = torch.Generator().manual_seed(12)
    ref = torch.zeros(3, dtype=torch.float64)
    a, b = theirs(ref), ours(ref)
    for step in range(4):
        Y = _outcomes(gen, (6, 3), "sphere" if step % 2 else "uniform")
        a.update(Y)
        b.update(Y)
        _same_decomposition(a, b)


def _acquisition_values(partitioning_cls, acq_cls, model, ref, Y, X):
    from botorch.sampling import SobolQMCNormalSampler

    partitioning = partitioning_cls(ref_point=ref, Y=Y)
    sampler = SobolQMCNormalSampler(torch.Size([32]), seed=0)
    with warnings.catch_warnings():
        # qEHVI warns that qLogEHVI is preferable; this test compares both.
        warnings.filterwarnings("ignore", message=".*has known numerical issues")
        acq = acq_cls(
            model=model, ref_point=ref.tolist(), partitioning=partitioning, sampler=sampler
        )
        return acq(X).detach()


def test_acquisition_values_equal_botorch():
    from botorch.acquisition.multi_objective.logei import qLogExpectedHypervolumeImprovement
    from botorch.acquisition.multi_objective.monte_carlo import qExpectedHypervolumeImprovement
    from botorch.models import SingleTaskGP

    gen = torch.Generator().manual_seed(0)
    train_X = torch.rand(14, 2, generator=gen, dtype=torch.float64)
    x0, x1 = train_X[:, 0], train_X[:, 1]
    train_Y = torch.stack([torch.sin(3 * x0), torch.cos(2 * (x0 + x1)), x1**2 - x0], dim=-1)
    model = SingleTaskGP(train_X, train_Y)  # hyperparameters left at their initial values
    ref = train_Y.min(dim=0).values - 0.1
    X = torch.rand(6, 2, 2, generator=gen, dtype=torch.float64)
    with torch.no_grad():
        Y_mean = model.posterior(train_X).mean
    for acq_cls in (qExpectedHypervolumeImprovement, qLogExpectedHypervolumeImprovement):
        for Y in (train_Y, Y_mean):
            want = _acquisition_values(BT_FAST_ND, acq_cls, model, ref, Y, X)
            got = _acquisition_values(fkb.FastNondominatedPartitioning, acq_cls, model, ref, Y, X)
            torch.testing.assert_close(got, want, rtol=1e-8, atol=0)


# --- install / uninstall -----------------------------------------------------------------


def test_install_swaps_and_uninstall_restores_exactly():
    from botorch.acquisition.multi_objective import utils as acq_utils
    from botorch.optim import initializers

    holders = [bt_pareto, bt_bd, bt_bd_utils, acq_utils, initializers]
    Y = torch.rand(30, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    before = BT_DOM(torch.zeros(3, dtype=torch.float64), Y)
    fkb.install()
    fkb.install()  # twice is harmless
    for mod in holders:
        assert mod.is_non_dominated is fkb.is_non_dominated, mod.__name__
    assert bt_hv.Hypervolume is fkb.Hypervolume
    assert bt_mo.is_non_dominated is fkb.is_non_dominated
    assert bt_mo.Hypervolume is fkb.Hypervolume
    assert bt_nd.FastNondominatedPartitioning is BT_FAST_ND  # not asked for
    # BoTorch's own code now runs on frontierkit and still gives its answers.
    after = BT_DOM(torch.zeros(3, dtype=torch.float64), Y)
    assert torch.equal(after.pareto_Y, before.pareto_Y)
    assert torch.equal(after.hypercell_bounds, before.hypercell_bounds)
    fkb.uninstall()
    for mod in holders:
        assert mod.is_non_dominated is BT_IS_ND, mod.__name__
    assert bt_hv.Hypervolume is BT_HV
    assert bt_mo.is_non_dominated is BT_IS_ND
    assert bt_mo.Hypervolume is BT_HV
    fkb.uninstall()  # twice is harmless
    assert bt_pareto.is_non_dominated is BT_IS_ND


def test_install_partitioning_and_late_modules():
    import botorch.utils.multi_objective.box_decompositions as bt_boxes
    from botorch.acquisition import input_constructors

    fkb.install(partitioning=True)
    assert bt_nd.FastNondominatedPartitioning is fkb.FastNondominatedPartitioning
    assert bt_dom.DominatedPartitioning is fkb.DominatedPartitioning
    assert bt_hv.FastNondominatedPartitioning is fkb.FastNondominatedPartitioning
    assert bt_hv.DominatedPartitioning is fkb.DominatedPartitioning
    assert bt_boxes.FastNondominatedPartitioning is fkb.FastNondominatedPartitioning
    assert input_constructors.FastNondominatedPartitioning is fkb.FastNondominatedPartitioning
    assert bt_pareto.is_non_dominated is fkb.is_non_dominated
    # A BoTorch module imported after install() that bound a replacement gets the original.
    late = types.ModuleType("botorch._frontierkit_late_test")
    late.is_non_dominated = bt_pareto.is_non_dominated
    late.Partitioning = bt_nd.FastNondominatedPartitioning
    sys.modules[late.__name__] = late
    try:
        fkb.uninstall()
        assert late.is_non_dominated is BT_IS_ND
        assert late.Partitioning is BT_FAST_ND
    finally:
        del sys.modules[late.__name__]
    for mod in (bt_nd, bt_hv, bt_boxes, input_constructors):
        assert mod.FastNondominatedPartitioning is BT_FAST_ND, mod.__name__
    assert bt_dom.DominatedPartitioning is BT_DOM
    assert bt_hv.DominatedPartitioning is BT_DOM


def test_docstring_examples():
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(fkb):
        runner.run(test)
    assert runner.failures == 0
    assert runner.tries > 10


# --- CUDA ----------------------------------------------------------------------------------


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device for torch")
def test_cuda_tensors(monkeypatch):
    gen = torch.Generator().manual_seed(21)
    for kind in ("ties", "uniform"):
        Y = _outcomes(gen, (3, 500, 3), kind)
        for dtype in (torch.float32, torch.float64):
            Yd = Y.to(device="cuda", dtype=dtype)
            for dedup in (True, False):
                got = fkb.is_non_dominated(Yd, deduplicate=dedup)
                assert got.device == Yd.device and got.dtype == torch.bool
                assert torch.equal(got.cpu(), BT_IS_ND(Y.to(dtype), deduplicate=dedup))
    ref = torch.zeros(3, dtype=torch.float64)
    for m in (2, 3, 4):
        Y = _outcomes(gen, (4, 50, m), "sphere")
        got = fkb.hypervolume(Y.cuda(), ref[:m].cuda())
        assert got.device.type == "cuda"
        torch.testing.assert_close(got.cpu(), fkb.hypervolume(Y, ref[:m]), rtol=1e-12, atol=0)
        assert fkb.Hypervolume(ref[:m].cuda()).compute(Y[0].cuda()) == pytest.approx(
            BT_HV(ref[:m]).compute(Y[0]), rel=1e-10
        )
    Y = _outcomes(gen, (20, 3), "sphere")
    bd = fkb.FastNondominatedPartitioning(ref.cuda(), Y.cuda())
    assert bd.hypercell_bounds.device.type == "cuda"
    assert torch.equal(bd.hypercell_bounds.cpu(), BT_FAST_ND(ref, Y).hypercell_bounds)
    # Without CuPy: a host copy, the same answers.
    monkeypatch.setattr(fkb, "_cupy_usable", lambda: False)
    Y = _outcomes(gen, (2, 300, 3), "ties")
    got = fkb.is_non_dominated(Y.cuda())
    assert got.device.type == "cuda"
    assert torch.equal(got.cpu(), BT_IS_ND(Y))
