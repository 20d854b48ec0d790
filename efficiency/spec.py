"""Model options as enums with string values (DESIGN section 2).

Every public function accepts either the enum member or its string value (case-insensitive, with the
common aliases of R Benchmarking and deaR: ``in``/``io``, ``out``/``oo``, ``drs``/``irs``...).
"""

from __future__ import annotations

from enum import Enum

from .errors import SpecError


class _Option(str, Enum):
    """String enum whose ``parse`` accepts members, values and aliases, with a clear error."""

    @classmethod
    def _aliases(cls) -> dict[str, str]:
        return {}

    @classmethod
    def parse(cls, value, *, name: str | None = None):
        if isinstance(value, cls):
            return value
        if isinstance(value, str):
            key = value.strip().lower().replace("_", "-")
            key = cls._aliases().get(key, key)
            for member in cls:
                if member.value == key:
                    return member
        allowed = ", ".join(repr(m.value) for m in cls)
        raise SpecError(f"{name or cls.__name__.lower()}: {value!r} is not one of {allowed}")

    def __str__(self) -> str:
        return self.value


class RTS(_Option):
    """Returns to scale of the technology: the row on sum(lambda)."""

    CRS = "crs"    # constant (CCR): no row
    VRS = "vrs"    # variable (BCC): sum = 1
    NIRS = "nirs"  # non-increasing: sum <= 1 (Benchmarking "drs")
    NDRS = "ndrs"  # non-decreasing: sum >= 1 (Benchmarking "irs")

    @classmethod
    def _aliases(cls):
        return {"ccr": "crs", "bcc": "vrs", "drs": "nirs", "irs": "ndrs", "vrs-nirs": "nirs"}


class Orientation(_Option):
    """Direction in which a DMU is projected onto the frontier."""

    INPUT = "input"    # contract inputs (theta)
    OUTPUT = "output"  # expand outputs (phi)
    GRAPH = "graph"    # hyperbolic: (G x, y / G)
    NONE = "none"      # non-oriented (additive, SBM, DDF)

    @classmethod
    def _aliases(cls):
        return {"in": "input", "io": "input", "out": "output", "oo": "output",
                "no": "none", "non-oriented": "none", "hyperbolic": "graph"}


class Model(_Option):
    """DEA formulation (DESIGN section 4)."""

    RADIAL = "radial"
    FDH = "fdh"
    SBM = "sbm"
    ADDITIVE = "additive"
    DDF = "ddf"

    @classmethod
    def _aliases(cls):
        return {"ccr": "radial", "bcc": "radial", "basic": "radial", "directional": "ddf"}
