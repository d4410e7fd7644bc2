"""Backend discovery and choice: C++ (``_core``), CUDA (``_cuda``), numba, NumPy.

NumPy input runs on the compiled C++ module; CuPy input on the CUDA module with the caller's
current stream; when a compiled module is missing the numba fallback (if numba is installed) and
then the NumPy fallback take over. ``FRONTIERKIT_BACKEND=cpp|cuda|numba|numpy`` forces one.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import warnings
from functools import cache
from types import ModuleType
from typing import Any, Literal

from ._warnings import FallbackWarning

Backend = Literal["cpp", "cuda", "numba", "numpy"]
BACKENDS: tuple[Backend, ...] = ("cpp", "cuda", "numba", "numpy")
ENV_VAR = "FRONTIERKIT_BACKEND"

__all__ = ["BACKENDS", "backend", "backend_info"]


@cache
def _import(name: str) -> tuple[ModuleType | None, str]:
    try:
        return importlib.import_module(name), "ok"
    except Exception as exc:  # an ImportError, or a broken shared library
        return None, f"{type(exc).__name__}: {exc}"


def core_module() -> ModuleType | None:
    """Return the compiled C++ module, or None."""
    return _import("frontierkit._core")[0]


def cuda_module() -> ModuleType | None:
    """Return the compiled CUDA module, or None."""
    return _import("frontierkit._cuda")[0]


@cache
def _cuda_status() -> tuple[bool, bool, str]:
    mod, why = _import("frontierkit._cuda")
    if mod is None:
        return False, False, f"frontierkit._cuda not importable ({why})"
    if importlib.util.find_spec("cupy") is None:
        return True, False, "CuPy is not installed"
    try:
        import cupy

        if not cupy.is_available():
            return True, False, "CuPy finds no CUDA device"
    except Exception as exc:
        return True, False, f"CuPy failed: {exc}"
    if mod.device_count() < 1:
        return True, False, "no CUDA device"
    return True, True, "ok"


@cache
def _numba_status() -> tuple[bool, str]:
    if importlib.util.find_spec("numba") is None:
        return False, "numba is not installed"
    return True, "ok"


def backend_info() -> dict[str, Any]:
    """Say which backends are importable and usable, and which one NumPy input would use.

    Returns
    -------
    dict
        ``{"backends": {name: {"importable": bool, "usable": bool, "detail": str}},
        "default": name, "forced": name or None}``. CUDA is usable when the module imports AND
        a device is present.

    Examples
    --------
    >>> import frontierkit as fk
    >>> info = fk.backend_info()
    >>> sorted(info["backends"])
    ['cpp', 'cuda', 'numba', 'numpy']

    """
    core, core_why = _import("frontierkit._core")
    cuda_imp, cuda_use, cuda_why = _cuda_status()
    numba_ok, numba_why = _numba_status()
    backends = {
        "cpp": {"importable": core is not None, "usable": core is not None, "detail": core_why},
        "cuda": {"importable": cuda_imp, "usable": cuda_use, "detail": cuda_why},
        "numba": {"importable": numba_ok, "usable": numba_ok, "detail": numba_why},
        "numpy": {"importable": True, "usable": True, "detail": "ok"},
    }
    forced = os.environ.get(ENV_VAR) or None
    return {"backends": backends, "default": _auto(False, warn=False), "forced": forced}


def _usable(name: str) -> tuple[bool, str]:
    if name == "cpp":
        mod, why = _import("frontierkit._core")
        return mod is not None, why
    if name == "cuda":
        _, ok, why = _cuda_status()
        return ok, why
    if name == "numba":
        return _numba_status()
    return True, "ok"


def _auto(is_cupy: bool, *, warn: bool = True) -> Backend:
    if is_cupy:
        if _usable("cuda")[0]:
            return "cuda"
        if warn:
            warnings.warn(
                f"CuPy input but the CUDA backend is not usable ({_usable('cuda')[1]}); "
                "computing on the host",
                FallbackWarning,
                stacklevel=4,
            )
    if _usable("cpp")[0]:
        return "cpp"
    name: Backend = "numba" if _usable("numba")[0] else "numpy"
    if warn:
        warnings.warn(
            f"the compiled module frontierkit._core is not importable; using the {name} fallback",
            FallbackWarning,
            stacklevel=4,
        )
    return name


def backend(is_cupy: bool = False) -> Backend:
    """Name the backend a call would use now (for NumPy input, or CuPy input if ``is_cupy``)."""
    forced = os.environ.get(ENV_VAR)
    if forced:
        if forced not in BACKENDS:
            raise ValueError(
                f"{ENV_VAR} must be one of {', '.join(BACKENDS)}, but it is {forced!r}"
            )
        ok, why = _usable(forced)
        if not ok:
            raise RuntimeError(f"{ENV_VAR}={forced} but that backend is not usable: {why}")
        return forced  # type: ignore[return-value]
    return _auto(is_cupy)
