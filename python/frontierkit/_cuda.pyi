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
def device_count() -> int: ...
