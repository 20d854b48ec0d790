"""The base class of every result object (DESIGN section 3): pandas out, one row per unit, input order.

A result is a frozen dataclass that extends :class:`Result` and provides

* ``to_frame()``: the table the CLI writes, indexed by the input's id(s), in the input's order;
* ``summary()``: a short text report;
* ``status``: a pandas Series (same index) of per-row outcomes ('optimal', 'infeasible', ...; for
  fits, 'converged' / 'not converged'), so that a row without a result is data, never an exception;
* ``solver``: for LP-based models, which backend solved the LPs (``solvers.Usage.label``).

``status`` is declared here as an annotation only: subclasses hold it as a dataclass field or define
it as a property.
"""

from __future__ import annotations

import pandas as pd


class Result:
    """Base of the toolkit's result objects (see the module docstring)."""

    status: pd.Series

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - every subclass defines it
        raise NotImplementedError

    def summary(self) -> str:  # pragma: no cover - every subclass defines it
        raise NotImplementedError
