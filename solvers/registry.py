"""The registry of LP backends: names ('highs', 'pulp:GLPK_CMD', ...) to solver objects.

It imports the built-in backends (``highs``, ``numba_core``, ``pulp_backend``) on first use and
registers the entries each declares in its ``BACKENDS``; backends import only :mod:`solvers.base`, so
the import graph has no cycle. Other backends register with :func:`register`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from .base import BackendError, LPSolver


@dataclass(frozen=True)
class _Entry:
    factory: Callable[[str | None], LPSolver]   # option (text after ':') -> solver
    available: Callable[[], bool]
    description: str


_REGISTRY: dict[str, _Entry] = {}
_LOADED = False


def register(name: str, factory: Callable[[str | None], LPSolver], available: Callable[[], bool],
             description: str) -> None:
    """Register a backend under ``name``; ``factory(option)`` builds it, ``option`` being the text
    after a colon in ``name:option`` (e.g. ``pulp:GLPK_CMD``)."""
    _REGISTRY[name] = _Entry(factory, available, description)


def _load_builtin() -> None:
    """Register the built-in backends (deferred, so that importing solvers stays cheap)."""
    global _LOADED
    if _LOADED:
        return
    from . import highs, numba_core, pulp_backend
    for module in (highs, numba_core, pulp_backend):
        for entry in module.BACKENDS:
            _REGISTRY.setdefault(entry[0], _Entry(*entry[1:]))
    _LOADED = True


def registered() -> list[tuple[str, bool, str]]:
    """(name, available, description) of every registered backend."""
    _load_builtin()
    return [(name, e.available(), e.description) for name, e in _REGISTRY.items()]


def get_solver(spec: str | LPSolver | None, *, default: str = "highs") -> LPSolver:
    """The backend named by ``spec`` ('highs', 'pulp', 'pulp:GLPK_CMD', ...), or ``spec`` itself."""
    if spec is None:
        spec = default
    if not isinstance(spec, str):
        if isinstance(spec, LPSolver):
            return spec
        raise BackendError(f"solver: expected a name or an LPSolver, got {type(spec).__name__} (a backend has "
                           "`name`, `solves`, `screen_by_default`, `accuracy` and `solve_batch`; subclass "
                           "solvers.Backend for the defaults)")
    _load_builtin()
    name, _, option = spec.strip().partition(":")
    key = name.lower()
    if key not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY))
        raise BackendError(f"solver {spec!r} is unknown; registered solvers: {known}")
    entry = _REGISTRY[key]
    if not entry.available():
        raise BackendError(f"solver {spec!r} is not available on this machine ({entry.description})")
    return entry.factory(option or None)
