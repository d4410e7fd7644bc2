"""The README's Python examples run as written (default backend)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("index", range(len(_python_blocks())))
def test_readme_example_runs(index):
    code = _python_blocks()[index]
    try:
        exec(compile(code, f"README.md block {index}", "exec"), {})
    except ModuleNotFoundError as exc:  # an optional library (the integrations extra) is missing
        if (exc.name or "").split(".")[0] == "frontierkit":
            raise
        pytest.skip(f"needs {exc.name}")
