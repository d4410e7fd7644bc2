"""Reversible replacement of functions in other libraries' modules (install / uninstall)."""

from __future__ import annotations

import importlib
import sys
from typing import Any


class Patches:
    """Module attributes to replace: ``(module name, attribute, replacement)`` triples.

    :meth:`apply` imports the modules, keeps the originals and sets the replacements (a second
    call does nothing); :meth:`restore` puts the very same original objects back.
    """

    def __init__(self, targets: tuple[tuple[str, str, Any], ...]) -> None:
        self.targets = targets
        self.saved: dict[tuple[str, str], Any] = {}

    def apply(self) -> None:
        """Replace every target (all modules are imported first, so a failure changes nothing)."""
        if self.saved:
            return
        modules = [importlib.import_module(name) for name, _, _ in self.targets]
        for module, (name, attr, replacement) in zip(modules, self.targets):
            self.saved[(name, attr)] = getattr(module, attr)
            setattr(module, attr, replacement)

    def restore(self) -> None:
        """Put back the originals (a no-op when nothing is replaced)."""
        while self.saved:
            (name, attr), original = self.saved.popitem()
            setattr(sys.modules[name], attr, original)

    def active(self) -> bool:
        """Say whether the replacements are in place."""
        return bool(self.saved)
