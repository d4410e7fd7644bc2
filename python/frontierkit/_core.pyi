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
