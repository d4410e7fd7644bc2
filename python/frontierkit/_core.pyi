import numpy as np
import numpy.typing as npt

def pareto_rank(
    points: npt.NDArray[np.float64], offsets: npt.NDArray[np.int64], threads: int
) -> npt.NDArray[np.int32]: ...
def nondominated(
    points: npt.NDArray[np.float64],
    offsets: npt.NDArray[np.int64],
    keep_weakly: bool,
    threads: int,
) -> tuple[npt.NDArray[np.bool_], bool]: ...
def cuda_logic_pareto_rank(
    points: npt.NDArray[np.float64], offsets: npt.NDArray[np.int64], first_front_only: bool
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.uint8]]: ...
def cuda_logic_hypervolume(
    points: npt.NDArray[np.float64], offsets: npt.NDArray[np.int64], ref: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]: ...
def hypervolume(
    points: npt.NDArray[np.float64],
    offsets: npt.NDArray[np.int64],
    ref: npt.NDArray[np.float64],
    threads: int,
) -> npt.NDArray[np.float64]: ...
def hv_contributions(
    points: npt.NDArray[np.float64],
    offsets: npt.NDArray[np.int64],
    ref: npt.NDArray[np.float64],
    threads: int,
) -> npt.NDArray[np.float64]: ...
def hv_improvement(
    points: npt.NDArray[np.float64],
    candidates: npt.NDArray[np.float64],
    ref: npt.NDArray[np.float64],
    threads: int,
) -> npt.NDArray[np.float64]: ...
def fit_batch(
    model: int,
    space: int,
    loss: int,
    f_scale: float,
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    weights: npt.NDArray[np.float64],
    max_iter: int,
    xtol: float,
    ftol: float,
    gtol: float,
    lo: npt.NDArray[np.float64],
    hi: npt.NDArray[np.float64],
    fixed: npt.NDArray[np.uint8],
    base: npt.NDArray[np.float64] | None,
    starts: npt.NDArray[np.float64] | None,
    n_grid: int,
    n_agree: int,
    threads: int,
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int32],
    npt.NDArray[np.int32],
    npt.NDArray[np.int32],
]: ...
def fit_objective(
    model: int,
    space: int,
    loss: int,
    f_scale: float,
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    weights: npt.NDArray[np.float64],
    params: npt.NDArray[np.float64],
    threads: int,
) -> npt.NDArray[np.float64]: ...
def fit_residuals(
    model: int,
    space: int,
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    params: npt.NDArray[np.float64],
    threads: int,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.uint8]]: ...
def hv_approx(
    points: npt.NDArray[np.float64],
    offsets: npt.NDArray[np.int64],
    ref: npt.NDArray[np.float64],
    n_samples: int,
    seed: int,
    estimator: int,
    replicates: int,
    epsilon: float,
    delta: float,
    threads: int,
) -> tuple[
    npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.int32], npt.NDArray[np.int64]
]: ...
def hvc_approx(
    points: npt.NDArray[np.float64],
    offsets: npt.NDArray[np.int64],
    ref: npt.NDArray[np.float64],
    n_samples: int,
    seed: int,
    threads: int,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
