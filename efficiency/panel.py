"""Panels (units x periods) for the indices of change over time (Malmquist, Luenberger, the TFP
indices, the Malmquist bootstrap, window analysis): the id and period columns validated once, with
errors that name the file, column and row.

Periods are numeric (e.g. years) and sorted ascending numerically; units keep the order of their
first appearance in the input; a unit appears at most once per period.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .data import FrontierData, RawTable, _as_name_list, _unknown_column, as_raw_table, format_id, frontier_data
from .errors import DataError, SpecError


def period_values(raw: RawTable, period: str, id_cols: list[str]) -> np.ndarray:
    """The period column as float64, with a DataError naming the file, column and row of the first
    missing or non-numeric period."""
    frame = raw.frame
    if period not in frame.columns:
        raise _unknown_column(raw.source, period, "period", list(frame.columns))
    col = frame[period]

    def ident(i: int):
        vals = tuple(frame[c].iloc[i] for c in id_cols if c in frame.columns)
        return None if not vals else (vals[0] if len(vals) == 1 else vals)

    def fail(i: int, problem: str, count: int) -> None:
        more = f" ({count - 1} more rows like it)" if count > 1 else ""
        raise DataError(f"{raw.source}: column {period!r}, {raw.where(i, ident(i))}: {problem}; periods must be "
                        f"numeric (e.g. years){more}")

    if pd.api.types.is_bool_dtype(col.dtype):
        fail(0, "boolean period", len(col))
    if pd.api.types.is_numeric_dtype(col.dtype):
        values = col.to_numpy(dtype=np.float64, na_value=np.nan)
        text = None
    else:
        text = col.map(lambda v: "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v).strip())
        values = pd.to_numeric(text, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        rows = np.flatnonzero(bad)
        i = int(rows[0])
        if text is None or not text.iloc[i] or text.iloc[i].lower() in ("na", "nan", "n/a", "null", "none"):
            fail(i, "missing period", rows.size)
        fail(i, f"{text.iloc[i]!r} is not a number", rows.size)
    return values


def period_output(values: np.ndarray) -> np.ndarray:
    """Periods as int64 when every one is a whole number, else float64."""
    if np.all(values == np.round(values)) and np.all(np.abs(values) < 2.0 ** 53):
        return values.astype(np.int64)
    return values


def id_columns(ids: pd.Index, id_names) -> dict[str, np.ndarray]:
    """The unit id column(s) of a result table, named as in the input (a MultiIndex for a composite id)."""
    if isinstance(ids, pd.MultiIndex):
        return {name: ids.get_level_values(level).to_numpy() for level, name in enumerate(id_names)}
    return {id_names[0]: ids.to_numpy()}


def geomean(v) -> float:
    """Geometric mean of the finite positive values (NaN when there are none): the mean of a ratio index."""
    v = np.asarray(v, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    return float(np.exp(np.log(v).mean())) if v.size else float("nan")


def panel_keys(id, period) -> list[str]:
    """The unit id column(s), with SpecErrors for a missing id or period, or a period that is the id."""
    id_cols = _as_name_list(id, "id")
    if not id_cols:
        raise SpecError("id: a panel needs the unit id column (id='region')")
    if period is None or not isinstance(period, str) or not period.strip():
        raise SpecError("period: a panel needs the period column (period='year')")
    if period in id_cols:
        raise SpecError(f"period: {period!r} is also the id column; give the unit id and the period separately")
    return id_cols


@dataclass(frozen=True)
class Panel:
    """A validated panel: ``fd`` (ids = unit id(s) + period, data rows in input order), the raw table,
    the units in order of first appearance, the periods ascending (``periods_f`` float64, ``periods``
    as output: int64 when whole), ``grid[u, k]`` the data row of unit u in period k (-1: absent) and
    ``by_period[k]`` the data rows of period k."""

    fd: FrontierData
    raw: RawTable
    id_cols: list
    period: str
    units: pd.Index
    periods_f: np.ndarray
    periods: np.ndarray
    grid: np.ndarray
    by_period: list

    @property
    def T(self) -> int:
        return len(self.periods)

    @property
    def row_periods(self) -> np.ndarray:
        """The period (as output) of each data row, in input order."""
        out = np.empty(self.fd.n, dtype=self.periods.dtype)
        for k, rows in enumerate(self.by_period):
            out[rows] = self.periods[k]
        return out

    def pairs(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """For each pair of consecutive periods (k, k + 1): the data rows in k and in k + 1 of the
        units present in both."""
        both = [(self.grid[:, k] >= 0) & (self.grid[:, k + 1] >= 0) for k in range(self.T - 1)]
        return [(self.grid[b, k], self.grid[b, k + 1]) for k, b in enumerate(both)]

    def require_balanced(self, what: str) -> None:
        """DataError naming the first unit and period without a row, for indices that need every unit
        in every period."""
        require_balanced_cells(self.grid, self.fd.source, self.id_cols + [self.period],
                               lambda u: format_id(self.units[u]), lambda k: f"{self.periods_f[k]:g}", f"the {what}")


def unit_period_cells(codes: np.ndarray, pcode: np.ndarray, n_units: int, n_periods: int):
    """The (units x periods) array of the data row of each unit-period (-1 where there is none), and
    the first row that repeats a unit-period already seen (None when none does; the caller raises)."""
    key = codes.astype(np.int64) * n_periods + pcode
    again = pd.Series(key).duplicated(keep="first").to_numpy()
    cells = np.full((n_units, n_periods), -1, dtype=np.int64)
    cells[codes, pcode] = np.arange(len(key))
    return cells, (int(np.flatnonzero(again)[0]) if again.any() else None)


def require_balanced_cells(cells: np.ndarray, source: str, columns, unit_text, period_text, what: str) -> None:
    """DataError naming the file, the id and period columns, and the first unit and period without a
    row of ``cells`` (from :func:`unit_period_cells`): ``what`` (e.g. "the panel threshold model")
    needs every unit in every period."""
    missing = cells < 0
    if missing.any():
        u, k = (int(v[0]) for v in np.nonzero(missing))
        count = int(missing.sum())
        more = f" ({count - 1} more unit-periods missing)" if count > 1 else ""
        raise DataError(f"{source}: columns {', '.join(repr(c) for c in columns)}: unit {unit_text(u)!r} has no "
                        f"row for period {period_text(k)}; {what} needs a balanced panel (every unit in every "
                        f"period){more}")


def panel_layout(data, id, period, inputs, outputs, undesirable=None, *, what: str,
                 other_columns: dict[str, list[str]] | None = None, min_periods: int = 2) -> Panel:
    """Validate a panel (a DataFrame or CSV path): the unit id and period columns (numeric periods, at
    least two, no unit twice in a period), the data columns as ``frontier_data`` checks them, and no
    data column (nor one of ``other_columns``, role -> names, e.g. prices) that is the period column.
    ``what`` names the index in the messages ("a Malmquist index"), which needs ``min_periods``."""
    id_cols = panel_keys(id, period)
    bad_names = _as_name_list(undesirable, "undesirable")
    raw = as_raw_table(data, what="panel")
    roles = [("input", inputs), ("output", outputs), ("undesirable output", bad_names)]
    roles += list((other_columns or {}).items())
    for role, names in roles:
        if period in _as_name_list(names, role):
            raise DataError(f"{raw.source}: column {period!r} is the period column and cannot be an {role}")
    pvals = period_values(raw, period, id_cols)
    fd = frontier_data(raw, id=id_cols + [period], inputs=inputs, outputs=outputs, undesirable=bad_names or None,
                       what="panel")
    units_index = fd.ids.droplevel(-1) if len(id_cols) > 1 else fd.ids.get_level_values(0)
    codes, units = units_index.factorize()
    periods_f, pcode = np.unique(pvals, return_inverse=True)
    T, U, n = len(periods_f), len(units), fd.n
    if T < min_periods:
        raise DataError(f"{fd.source}: column {period!r} holds one period ({format_id(period_output(periods_f)[0])}); "
                        f"{what} needs at least two")
    key = codes.astype(np.int64) * T + pcode
    again = pd.Series(key).duplicated(keep="first").to_numpy()
    if again.any():                                      # duplicates of (unit, numeric period)
        r = int(np.flatnonzero(again)[0])
        first = int(np.flatnonzero(key == key[r])[0])
        raise DataError(f"{fd.source}: columns {', '.join(repr(c) for c in id_cols + [period])}: unit "
                        f"{format_id(units[codes[r]])!r} appears twice in period {periods_f[pcode[r]]:g}, in "
                        f"{fd.where(first)} and {fd.where(r)}")
    grid = np.full((U, T), -1, dtype=np.int64)
    grid[codes, pcode] = np.arange(n)
    by_period = [np.flatnonzero(pcode == k) for k in range(T)]
    return Panel(fd, raw, id_cols, period, units, periods_f, period_output(periods_f), grid, by_period)
