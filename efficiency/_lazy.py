"""A module imported on first attribute access (keeps ``import efficiency`` fast: scipy.stats alone
costs about 0.4 s)."""

from __future__ import annotations

import importlib


class LazyModule:
    """Stands for the module ``name``; imports it when an attribute is first read."""

    def __init__(self, name: str):
        self._name = name
        self._module = None

    def __getattr__(self, attr: str):
        if self._module is None:
            self._module = importlib.import_module(self._name)
        return getattr(self._module, attr)
