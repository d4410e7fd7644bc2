import numpy as np
import numpy.typing as npt

def pareto_rank(
    points: int,
    n: int,
    d: int,
    offsets: npt.NDArray[np.int64],
    ranks: int,
    dup: int,
    first_front_only: bool,
    stream: int,
) -> None: ...
def hypervolume(
    points: int,
    n: int,
    d: int,
    offsets: npt.NDArray[np.int64],
    ref: npt.NDArray[np.float64],
    out: int,
    stream: int,
) -> None: ...
def fit_batch(
    model: int,
    space: int,
    loss: int,
    f_scale: float,
    K: int,
    M: int,
    v: int,
    x: int,
    x_shared: bool,
    y: int,
    w: int,
    max_iter: int,
    xtol: float,
    ftol: float,
    gtol: float,
    lo: int,
    hi: int,
    fixed: int,
    base: int,
    starts: int,
    n_given: int,
    n_grid: int,
    n_agree: int,
    params: int,
    cost: int,
    status: int,
    n_iter: int,
    n_at_best: int,
    stream: int,
) -> None: ...
def device_count() -> int: ...
