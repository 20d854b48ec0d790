"""Malmquist productivity indices on a panel (units x periods), DESIGN section 5.

Notation: e^T(S) is the efficiency of the data of period S against the technology of period T, in the
toolkit's (0, 1] convention (section 3): the Farrell input theta under input orientation, the Shephard
output distance 1/phi under output orientation (so e^T(S) > 1 when period-S data lie beyond the
period-T frontier). For consecutive periods s -> t:

* ``kind="adjacent"`` (Faere, Grosskopf, Norris and Zhang 1994):
  M = sqrt( e^s(t)/e^s(s) * e^t(t)/e^t(s) ), EC = e^t(t)/e^s(s), TC = M/EC
  = sqrt( e^s(t)/e^t(t) * e^s(s)/e^t(s) ).
* ``kind="base"``: one fixed base technology b (default the first period): M = e^b(t)/e^b(s),
  EC = e^t(t)/e^s(s), TC = M/EC.
* ``kind="sequential"`` (Shestalova 2003): the technology of period p is spanned by the data of all
  periods <= p (no technical regress); then the adjacent formulas.
* ``kind="global"`` (Pastor and Lovell 2005): one technology of all periods pooled: M = e^G(t)/e^G(s),
  EC = e^t(t)/e^s(s), TC = M/EC (the change in the best-practice gap).

Values > 1 mean improvement in both orientations. Under ``rts`` other than CRS the
Faere-Grosskopf-Norris-Zhang decomposition is used (as R productivity and deaR ``type2="fgnz"``):
malmquist, effch and techch come from CRS distances; pech = e_rts^t(t)/e_rts^s(s) is the change in
pure (VRS, NIRS or NDRS) efficiency against each period's own technology and sech = effch/pech.

With bad outputs (``undesirable``) the index is the Malmquist-Luenberger index (Chung, Faere and
Grosskopf 1997): D^T(S) is the directional distance beta of period-S data against the period-T
technology in the direction g = (0, y, b) (inputs held, good outputs expanded, bad outputs contracted,
weak disposability of the bads), and e = 1/(1 + D) enters the same formulas:
ML = sqrt( (1+D^s(s))/(1+D^s(t)) * (1+D^t(s))/(1+D^t(t)) ), MLEC = (1+D^s(s))/(1+D^t(t)),
MLTC = ML/MLEC; ``kind="global"`` gives the global ML index of Oh (2010). The orientation plays no part.

Each technology is evaluated once for all the data rows it is needed for (one batched LP call per
technology and returns-to-scale assumption), so panels of thousands of units take seconds.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from solvers import LPStatus, STATUS_LABELS, Usage

from .data import (FrontierData, RawTable, _as_name_list, _unknown_column, as_raw_table, format_id,
                   frontier_data, require_positive_rows)
from .dea.directional import ddf
from .dea.envelopment import backend, report_usage
from .dea.radial import radial
from ._compat import moved_to_keywords
from .errors import DataError, SolveWarning, SpecError
from .results import Result
from .spec import RTS, Orientation, _Option

__all__ = ["malmquist", "MalmquistResult", "Kind"]

#: Row status of a unit that is absent in one of the two periods.
MISSING = "missing"


class Kind(_Option):
    """Which technologies a Malmquist index compares (DESIGN section 5)."""

    ADJACENT = "adjacent"
    BASE = "base"
    SEQUENTIAL = "sequential"
    GLOBAL = "global"

    @classmethod
    def _aliases(cls):
        return {"fixed": "base", "fixed-base": "base", "contemporaneous": "adjacent"}


#: Names of the two cross-technology distance columns per kind (data period, then technology).
_CROSS = {Kind.ADJACENT: ("from_to", "to_from"), Kind.SEQUENTIAL: ("from_to", "to_from"),
          Kind.BASE: ("from_base", "to_base"), Kind.GLOBAL: ("from_global", "to_global")}
_KIND_NAMES = {Kind.ADJACENT: "adjacent periods (Faere, Grosskopf, Norris and Zhang 1994)",
               Kind.BASE: "fixed base period", Kind.SEQUENTIAL: "sequential frontier (Shestalova 2003)",
               Kind.GLOBAL: "global frontier (Pastor and Lovell 2005)"}


# --------------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MalmquistResult(Result):
    """Malmquist (or Malmquist-Luenberger) indices, one row per unit and pair of consecutive periods.

    Rows: units in the order of their first appearance in the input, then ``period_from`` ascending.
    ``malmquist``, ``effch`` (efficiency change) and ``techch`` (technical change) are > 1 for
    improvement; ``pech`` (pure efficiency change) and ``sech`` (scale efficiency change, effch/pech)
    are ``None`` under CRS. ``status`` is 'optimal', 'missing' (the unit is absent in one of the two
    periods) or the first unsolved LP's status ('infeasible', ...); values that could not be computed
    are NaN. ``distances`` holds the distances behind each row (see :func:`malmquist`); under an rts
    other than CRS, ``v_status`` is the status of the cross-period distances under that rts (which the
    CRS-based indices do not use). ``cumulative`` holds running products per unit (or ``None``).
    """

    kind: str
    rts: str
    orientation: str                 # 'none' for the Malmquist-Luenberger index
    id_names: tuple[str, ...]
    period_name: str
    periods: np.ndarray              # the distinct periods, ascending
    base: object | None              # the base period (kind 'base'), else None
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    undesirable_names: tuple[str, ...]
    solver: str
    ids: pd.Index                    # unit id of each row (a MultiIndex for a composite id)
    period_from: np.ndarray
    period_to: np.ndarray
    malmquist: np.ndarray
    effch: np.ndarray
    techch: np.ndarray
    pech: np.ndarray | None
    sech: np.ndarray | None
    status: np.ndarray               # object array of labels
    distances: pd.DataFrame          # d_* (and v_*) columns, RangeIndex aligned with the rows
    v_status: np.ndarray | None
    cumulative: pd.DataFrame | None  # cum_malmquist, cum_effch, cum_techch (+ cum_pech, cum_sech)

    @property
    def luenberger(self) -> bool:
        """True for the Malmquist-Luenberger index (bad outputs; distances are DDF betas)."""
        return len(self.undesirable_names) > 0

    @property
    def n_rows(self) -> int:
        return len(self.period_from)

    def to_frame(self) -> pd.DataFrame:
        """The result table: id column(s) (named as in the input), period_from, period_to, malmquist,
        effch, techch (+ pech, sech), (+ cum_* with ``cumulative``), status, then the distance columns
        (+ v_status). The index is a plain RangeIndex (ids repeat across periods)."""
        ids = self.ids
        cols: dict[str, object] = {}
        if isinstance(ids, pd.MultiIndex):
            for level, name in enumerate(self.id_names):
                cols[name] = ids.get_level_values(level).to_numpy()
        else:
            cols[self.id_names[0]] = ids.to_numpy()
        cols["period_from"] = self.period_from
        cols["period_to"] = self.period_to
        cols["malmquist"] = self.malmquist
        cols["effch"] = self.effch
        cols["techch"] = self.techch
        if self.pech is not None:
            cols["pech"] = self.pech
            cols["sech"] = self.sech
        if self.cumulative is not None:
            for c in self.cumulative.columns:
                cols[c] = self.cumulative[c].to_numpy()
        cols["status"] = self.status
        for c in self.distances.columns:
            cols[c] = self.distances[c].to_numpy()
        if self.v_status is not None:
            cols["v_status"] = self.v_status
        return pd.DataFrame(cols)

    def summary(self) -> str:
        """Text report: model, panel size, geometric means of malmquist/effch/techch (and pech/sech)
        per pair of periods and overall, and the row statuses."""
        what = "Malmquist-Luenberger index" if self.luenberger else "Malmquist index"
        orient = "" if self.luenberger else f", {self.orientation} orientation"
        base = f" {self.base}" if self.base is not None else ""
        decomposition = ("" if self.rts == "crs" else
                         f"; CRS-based index, pech/sech from {self.rts.upper()} (Faere-Grosskopf-Norris-Zhang)")
        units = len(pd.unique(self.ids)) if not isinstance(self.ids, pd.MultiIndex) else len(self.ids.unique())
        lines = [f"{what}, {_KIND_NAMES[Kind(self.kind)]}{base}, {self.rts.upper()}{orient}{decomposition}",
                 f"Units: {units}; periods: {len(self.periods)} ({self.periods[0]} to {self.periods[-1]}); "
                 f"inputs: {', '.join(self.input_names)}; outputs: {', '.join(self.output_names)}; " +
                 (f"undesirable: {', '.join(self.undesirable_names)}; " if self.luenberger else "") +
                 f"solver: {self.solver}",
                 "Geometric means (over rows with a value):"]
        names = ["malmquist", "effch", "techch"] + (["pech", "sech"] if self.pech is not None else [])
        values = {nm: getattr(self, nm) for nm in names}
        head = f"  {'from':>10} {'to':>10} " + " ".join(f"{nm:>10}" for nm in names) + f" {'rows':>6}"
        lines.append(head)
        pairs = list(zip(self.periods[:-1], self.periods[1:]))
        for a, b in pairs:
            sel = (self.period_from == a) & (self.period_to == b)
            lines.append(f"  {a!s:>10} {b!s:>10} " + " ".join(f"{_geomean(values[nm][sel]):>10.4f}" for nm in names)
                         + f" {int(np.isfinite(self.malmquist[sel]).sum()):>6}")
        lines.append(f"  {'all':>10} {'':>10} " + " ".join(f"{_geomean(values[nm]):>10.4f}" for nm in names)
                     + f" {int(np.isfinite(self.malmquist).sum()):>6}")
        labels, counts = np.unique(self.status.astype(str), return_counts=True)
        lines.append("Status: " + ", ".join(f"{c} {lab}" for lab, c in zip(labels, counts)))
        if self.v_status is not None:
            bad = (self.v_status != "optimal") & (self.v_status != MISSING)
            if bad.any():
                lines.append(f"{self.rts.upper()} cross-period distances not computed in {int(bad.sum())} rows "
                             "(v_status; the indices do not use them)")
        return "\n".join(lines)

    def __repr__(self) -> str:
        what = "ML" if self.luenberger else "Malmquist"
        return (f"<MalmquistResult {what} {self.kind} {self.rts} {self.orientation}: {self.n_rows} rows, "
                f"{len(self.periods)} periods>")


def _geomean(v: np.ndarray) -> float:
    v = np.asarray(v, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    return float(np.exp(np.log(v).mean())) if v.size else float("nan")


# --------------------------------------------------------------------------------------------------
# Panel validation
# --------------------------------------------------------------------------------------------------

def _period_values(raw: RawTable, period: str, id_cols: list[str]) -> np.ndarray:
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


def _period_output(values: np.ndarray) -> np.ndarray:
    """Periods as int64 when every one is a whole number, else float64."""
    if np.all(values == np.round(values)) and np.all(np.abs(values) < 2.0 ** 53):
        return values.astype(np.int64)
    return values


def _as_period(value, periods: np.ndarray, source: str):
    """The index of ``value`` (the base period) among ``periods``; SpecError if absent."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = None
    hit = np.flatnonzero(periods == v) if v is not None else np.array([], dtype=int)
    if not hit.size:
        shown = ", ".join(str(p) for p in periods[:20]) + (", ..." if len(periods) > 20 else "")
        raise SpecError(f"base: period {value!r} is not in the panel {source} (periods: {shown})")
    return int(hit[0])


# --------------------------------------------------------------------------------------------------
# Distances
# --------------------------------------------------------------------------------------------------

@dataclass
class _Context:
    fd: FrontierData
    orientation: Orientation
    lp: object
    screen: bool | None
    ml: bool
    usage: Usage = Usage()

    def evaluate(self, eval_rows: np.ndarray, ref_rows: np.ndarray, rts: RTS):
        """(stored value, efficiency e in the (0, 1] convention, status) of the data rows ``eval_rows``
        against the technology spanned by ``ref_rows``: one batched LP call."""
        fd = self.fd
        X, Y = fd.X[eval_rows], fd.Y[eval_rows]
        Xr, Yr = fd.X[ref_rows], fd.Y[ref_rows]
        if self.ml:
            B, Br = fd.B[eval_rows], fd.B[ref_rows]
            env = ddf(X, Y, B, Xr, Yr, Br, gx=np.zeros_like(X), gy=Y, gb=B, rts=rts, solver=self.lp,
                      slacks=False, screen=self.screen, label="Malmquist-Luenberger")
            ok = env.status == LPStatus.OPTIMAL
            value = np.where(ok, env.farrell, np.nan)
            with np.errstate(divide="ignore", invalid="ignore"):
                e = 1.0 / (1.0 + value)
        else:
            env = radial(X, Y, Xr, Yr, rts=rts, orientation=self.orientation, solver=self.lp, slacks=False,
                         screen=self.screen)
            ok = env.status == LPStatus.OPTIMAL
            farrell = np.where(ok, env.farrell, np.nan)
            if self.orientation == Orientation.OUTPUT:
                with np.errstate(divide="ignore", invalid="ignore"):
                    value = 1.0 / farrell
            else:
                value = farrell
            e = value
        self.usage = self.usage + env.usage
        return value, e, env.status.astype(np.int8)


class _Store:
    """Per data row: stored value, efficiency e and status of one kind of distance (NaN / not solved
    until filled)."""

    def __init__(self, n: int):
        self.value = np.full(n, np.nan)
        self.e = np.full(n, np.nan)
        self.status = np.full(n, LPStatus.NOT_SOLVED, dtype=np.int8)

    def put(self, rows, value, e, status) -> None:
        self.value[rows], self.e[rows], self.status[rows] = value, e, status


def _distances(ctx: _Context, kind: Kind, rts: RTS, by_period: list[np.ndarray], base_k: int | None):
    """Stores of the distances every row needs: 'own' (own-period technology) and the two cross ones,
    'a' and 'b': for adjacent/sequential, a = against the next period's technology, b = against the
    previous one's; for base/global a = b = against the base/global technology."""
    n = ctx.fd.n
    own = _Store(n)
    T = len(by_period)
    if kind in (Kind.ADJACENT, Kind.SEQUENTIAL):
        nxt, prv = _Store(n), _Store(n)
        for k in range(T):
            ref = by_period[k] if kind == Kind.ADJACENT else np.concatenate(by_period[:k + 1])
            parts = [(own, by_period[k])]
            if k > 0:
                parts.append((nxt, by_period[k - 1]))      # period k-1 data vs the period-k technology
            if k < T - 1:
                parts.append((prv, by_period[k + 1]))      # period k+1 data vs the period-k technology
            rows = np.concatenate([p[1] for p in parts])
            value, e, status = ctx.evaluate(rows, ref, rts)
            start = 0
            for store, r in parts:
                sl = slice(start, start + r.size)
                store.put(r, value[sl], e[sl], status[sl])
                start += r.size
        return own, nxt, prv
    cross = _Store(n)
    every = np.arange(n)
    if kind == Kind.GLOBAL:
        value, e, status = ctx.evaluate(every, every, rts)
        cross.put(every, value, e, status)
    for k in range(T):
        if kind == Kind.BASE and k == base_k:
            value, e, status = ctx.evaluate(every, by_period[k], rts)
            cross.put(every, value, e, status)
            r = by_period[k]
            own.put(r, value[r], e[r], status[r])
        else:
            value, e, status = ctx.evaluate(by_period[k], by_period[k], rts)
            own.put(by_period[k], value, e, status)
    return own, cross, cross


def _take(a: np.ndarray, idx: np.ndarray, fill):
    out = np.where(idx >= 0, a[np.maximum(idx, 0)], fill)
    return out


# --------------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------------

def malmquist(panel, id=None, period=None, inputs=None, outputs=None, undesirable=None, kind="adjacent",
              rts="crs", orientation="input", *_positional, solver=None, base=None, cumulative: bool = False,
              screen: bool | None = None, client=None) -> MalmquistResult:
    """Malmquist productivity indices of a panel; returns a :class:`MalmquistResult`.

    ``panel`` is a DataFrame or CSV path with one row per unit and period: ``id`` names the unit id
    column (or several, a composite id), ``period`` the period column (numeric, e.g. years; sorted
    ascending numerically), ``inputs``/``outputs``/``undesirable`` the data columns (lists or
    comma-separated strings). Each row compares two consecutive periods (``period_from`` ->
    ``period_to``) of one unit; values > 1 mean improvement.

    ``kind``: 'adjacent' (Faere, Grosskopf, Norris and Zhang 1994), 'base' (fixed base period
    ``base``, default the first period), 'sequential' (Shestalova 2003: the technology of a period is
    spanned by the data of all periods up to it) or 'global' (Pastor and Lovell 2005: one technology of
    all periods pooled). ``rts``: 'crs', 'vrs', 'nirs' or 'ndrs'; the index, effch and techch are
    always computed from CRS distances, and under another rts pech (change in efficiency under that
    rts, against each period's own technology) and sech = effch/pech are added
    (Faere-Grosskopf-Norris-Zhang decomposition, as R productivity and deaR ``type2="fgnz"``).
    ``orientation``: 'input' or 'output'. ``client``: a ``dask.distributed.Client``; each
    technology's batch of LPs is then solved on its cluster in chunks of units (same results).

    With ``undesirable`` (bad outputs) the Malmquist-Luenberger index (Chung, Faere and Grosskopf
    1997) is computed from directional distances beta in the direction (0, y, b) under weak
    disposability of the bad outputs, with e = 1/(1 + beta) in the same formulas (``kind='global'``
    is the global ML of Oh 2010). ``orientation`` is then ignored (the result says 'none'); the index,
    MLEC and MLTC are reported as ``malmquist``, ``effch`` and ``techch``.

    Distance columns of the table (data period first, then technology; ``d_to_from`` is the data of
    ``period_to`` against the technology of ``period_from``): adjacent and sequential ``d_from_from,
    d_from_to, d_to_from, d_to_to``; base ``d_from_from, d_to_to, d_from_base, d_to_base``; global
    ``d_from_from, d_to_to, d_from_global, d_to_global``. They hold CRS scores in the (0, 1]
    convention (input theta; output 1/phi, the Shephard distance), which exceed 1 for data beyond
    another period's frontier; for the Malmquist-Luenberger index they hold beta (free in sign).
    Under an rts other than CRS the same distances under that rts follow as ``v_*`` columns, with
    ``v_status`` for their cross-period LPs: those can be infeasible (NaN), which does not touch the
    CRS-based index of the row.

    Unbalanced panels: each period's technology is spanned by the units present in it; a unit absent
    in either period of a pair still gets its row, with NaN values and status 'missing'. An LP without
    an optimum gives NaN values and its status in the row, and one :class:`SolveWarning` counts them.
    Rows come in the order of each unit's first appearance in the input, then by ``period_from``.

    ``cumulative``: add ``cum_malmquist``, ``cum_effch``, ``cum_techch`` (+ ``cum_pech``, ``cum_sech``),
    the running products over each unit's rows (NaN from the first NaN on). ``solver``: the LP backend
    as for :func:`efficiency.dea`; ``screen``: frame screening of each technology (default with the
    numba backend).
    """
    solver = moved_to_keywords("malmquist", _positional, solver=solver)
    kind = Kind.parse(kind)
    rts = RTS.parse(rts, name="rts")
    orientation = Orientation.parse(orientation, name="orientation")
    bad_names = _as_name_list(undesirable, "undesirable")
    ml = len(bad_names) > 0
    if not ml and orientation not in (Orientation.INPUT, Orientation.OUTPUT):
        raise SpecError(f"orientation: the Malmquist index takes 'input' or 'output', not {orientation.value!r}")
    if base is not None and kind != Kind.BASE:
        raise SpecError(f"base: a base period is used only with kind='base', not kind={kind.value!r}")
    id_cols = _as_name_list(id, "id")
    if not id_cols:
        raise SpecError("id: a panel needs the unit id column (id='region')")
    if period is None or not isinstance(period, str) or not period.strip():
        raise SpecError("period: a panel needs the period column (period='year')")
    if period in id_cols:
        raise SpecError(f"period: {period!r} is also the id column; give the unit id and the period separately")

    raw = as_raw_table(panel, what="panel")
    for role, names in (("input", inputs), ("output", outputs), ("undesirable output", bad_names)):
        if period in _as_name_list(names, role):
            raise DataError(f"{raw.source}: column {period!r} is the period column and cannot be an {role}")
    pvals = _period_values(raw, period, id_cols)
    fd = frontier_data(raw, id=id_cols + [period], inputs=inputs, outputs=outputs, undesirable=bad_names or None,
                       what="panel")
    if ml:
        none = ~(np.hstack([fd.Y, fd.B]) > 0).any(axis=1)
        if none.any():
            i = int(np.flatnonzero(none)[0])
            raise DataError(f"{fd.source}: {fd.where(i)}: every output and bad output is zero; the direction "
                            "(0, y, b) of the Malmquist-Luenberger index is zero there")
    else:
        block = "inputs" if orientation == Orientation.INPUT else "outputs"
        require_positive_rows(fd, block, f"the {orientation.value}-oriented Malmquist index")

    # Units (first appearance) and periods (ascending numerically).
    units_index = fd.ids.droplevel(-1) if len(id_cols) > 1 else fd.ids.get_level_values(0)
    codes, units = units_index.factorize()
    periods_f, pcode = np.unique(pvals, return_inverse=True)
    T, U, n = len(periods_f), len(units), fd.n
    if T < 2:
        raise DataError(f"{fd.source}: column {period!r} holds one period ({format_id(_period_output(periods_f)[0])}); "
                        "a Malmquist index needs at least two")
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
    periods = _period_output(periods_f)
    base_k = None
    if kind == Kind.BASE:
        base_k = 0 if base is None else _as_period(base, periods_f, fd.source)
    by_period = [np.flatnonzero(pcode == k) for k in range(T)]

    lp = backend(solver)
    if client is not None:
        from .distributed import distribute
        lp = distribute(lp, client)        # each technology's LP batch chunked by unit on the cluster
    ctx = _Context(fd, orientation, lp, screen, ml)
    own, a, b = _distances(ctx, kind, RTS.CRS, by_period, base_k)
    extra = None if rts == RTS.CRS else _distances(ctx, kind, rts, by_period, base_k)

    # Rows: units in order of first appearance, then period_from ascending.
    u_idx = np.repeat(np.arange(U), T - 1)
    k_idx = np.tile(np.arange(T - 1), U)
    rs, rt = grid[u_idx, k_idx], grid[u_idx, k_idx + 1]
    present = (rs >= 0) & (rt >= 0)
    n_rows = u_idx.size
    nan = np.nan
    ps, pt = np.where(present, rs, -1), np.where(present, rt, -1)

    def gather(store: _Store, idx):
        return (_take(store.value, idx, nan), _take(store.e, idx, nan),
                _take(store.status, idx, LPStatus.NOT_SOLVED).astype(np.int8))

    ff, tt = gather(own, ps), gather(own, pt)
    fx, tx = gather(a, ps), gather(b, pt)                 # from vs cross tech, to vs cross tech
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind in (Kind.ADJACENT, Kind.SEQUENTIAL):
            # fx = d_from_to = e^t(s), tx = d_to_from = e^s(t)
            m_index = np.sqrt((tx[1] / ff[1]) * (tt[1] / fx[1]))
        else:
            m_index = tx[1] / fx[1]
        effch = tt[1] / ff[1]
        techch = m_index / effch
    statuses = [ff[2], fx[2], tx[2], tt[2]]
    cross_names = _CROSS[kind]
    if kind in (Kind.ADJACENT, Kind.SEQUENTIAL):
        dist = {"d_from_from": ff[0], "d_from_to": fx[0], "d_to_from": tx[0], "d_to_to": tt[0]}
    else:
        dist = {"d_from_from": ff[0], "d_to_to": tt[0], f"d_{cross_names[0]}": fx[0], f"d_{cross_names[1]}": tx[0]}
    pech = sech = v_status = None
    n_v_bad = 0
    v_detail = ""
    if extra is not None:
        vown, va, vb = extra
        vff, vtt = gather(vown, ps), gather(vown, pt)
        vfx, vtx = gather(va, ps), gather(vb, pt)
        with np.errstate(divide="ignore", invalid="ignore"):
            pech = vtt[1] / vff[1]
            sech = effch / pech
        statuses += [vff[2], vtt[2]]
        dist.update({"v_from_from": vff[0], "v_to_to": vtt[0], f"v_{cross_names[0]}": vfx[0],
                     f"v_{cross_names[1]}": vtx[0]})
        vst = np.stack([vfx[2], vtx[2]], axis=1)
        v_status = _row_status(vst, present)
        vbad = vst[present] != LPStatus.OPTIMAL
        n_v_bad = int(vbad.sum())
        if n_v_bad:
            labels, counts = np.unique(STATUS_LABELS[vst[present][vbad]], return_counts=True)
            v_detail = ", ".join(f"{c} {lab}" for lab, c in zip(labels, counts))
    status = _row_status(np.stack(statuses, axis=1), present)
    for arr in (m_index, effch, techch) + (() if pech is None else (pech, sech)):
        arr[~present] = nan

    cum = None
    if cumulative:
        cols = {"cum_malmquist": m_index, "cum_effch": effch, "cum_techch": techch}
        if pech is not None:
            cols.update({"cum_pech": pech, "cum_sech": sech})
        cum = pd.DataFrame({k: np.cumprod(v.reshape(U, T - 1), axis=1).ravel() for k, v in cols.items()})

    # Warnings: unsolved LPs (one SolveWarning), cross-period LPs under the rts, numba fallbacks.
    failed = (status != "optimal") & (status != MISSING)
    what = "Malmquist-Luenberger" if ml else "malmquist"
    if failed.any():
        labels, counts = np.unique(status[failed].astype(str), return_counts=True)
        detail = ", ".join(f"{c} {lab}" for lab, c in zip(labels, counts))
        own = np.stack([ff[2], tt[2]] + ([] if extra is None else [vff[2], vtt[2]]))
        why = ""
        if kind != Kind.GLOBAL and np.all(own[:, failed] == LPStatus.OPTIMAL):
            against = {Kind.ADJACENT: "the adjacent period's technology", Kind.BASE: "the base period's technology",
                       Kind.SEQUENTIAL: "the earlier periods' sequential technology"}[kind]
            why = (f": each is a cross-period LP (one period's data against {against}), infeasible because the "
                   "data lie outside that technology" + (" (common with bad outputs under weak disposability)"
                                                         if ml else "") +
                   "; kind='global' (one technology of all periods, which holds every observation) has none")
        warnings.warn(f"{what}: {int(failed.sum())} of {n_rows} rows have an LP without an optimum ({detail})"
                      f"{why}; their values are NaN where it enters and `status` says why", SolveWarning, stacklevel=2)
    if n_v_bad:
        warnings.warn(f"{what}: {n_v_bad} {rts.value.upper()} cross-period distances could not be computed "
                      f"({v_detail}); they are NaN in v_{cross_names[0]}/v_{cross_names[1]} and `v_status` says "
                      "why; the CRS-based malmquist, effch and techch do not use them", SolveWarning, stacklevel=2)
    solver_label = report_usage(ctx.usage, lp, solver is not None, what)

    return MalmquistResult(
        kind=kind.value, rts=rts.value, orientation="none" if ml else orientation.value,
        id_names=tuple(id_cols), period_name=period, periods=periods,
        base=None if base_k is None else periods[base_k].item(),
        input_names=fd.input_names, output_names=fd.output_names, undesirable_names=fd.undesirable_names,
        solver=solver_label, ids=units.take(u_idx), period_from=periods[k_idx], period_to=periods[k_idx + 1],
        malmquist=m_index, effch=effch, techch=techch, pech=pech, sech=sech, status=status,
        distances=pd.DataFrame(dist), v_status=v_status, cumulative=cum)


def _row_status(st: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Per row: 'missing' where the unit is absent, else the first non-optimal LP status among the
    columns of ``st`` (rows x LPs), else 'optimal'."""
    bad = st != LPStatus.OPTIMAL
    first = st[np.arange(st.shape[0]), np.argmax(bad, axis=1)]
    labels = np.where(bad.any(axis=1), STATUS_LABELS[first], "optimal").astype(object)
    labels[~present] = MISSING
    return labels
