"""Malmquist productivity indices on a panel (units x periods), DESIGN section 5.

Notation: e^T(S) is the efficiency of the data of period S against the technology of period T, in the
toolkit's (0, 1] convention (section 3): the Farrell input theta under input orientation, the Shephard
output distance 1/phi under output orientation (so e^T(S) > 1 when period-S data lie beyond the
period-T frontier). e is a CRS distance, v the same distance under ``rts``; m is the mixed-period
point (x^t, y^s): the inputs of the later period with the outputs of the earlier one. For consecutive
periods s -> t:

* ``kind="adjacent"`` (Faere, Grosskopf, Norris and Zhang 1994):
  M = sqrt( e^s(t)/e^s(s) * e^t(t)/e^t(s) ), EC = e^t(t)/e^s(s), TC = M/EC
  = sqrt( e^s(t)/e^t(t) * e^s(s)/e^t(s) ).
* ``kind="base"``: one fixed base technology b (default the first period): M = e^b(t)/e^b(s),
  EC = e^t(t)/e^s(s), TC = M/EC.
* ``kind="sequential"`` (Shestalova 2003): the technology of period p is spanned by the data of all
  periods <= p (no technical regress); then the adjacent formulas.
* ``kind="global"`` (Pastor and Lovell 2005): one technology of all periods pooled: M = e^G(t)/e^G(s),
  EC = e^t(t)/e^s(s), TC = M/EC (the change in the best-practice gap).
* ``kind="biennial"`` (Pastor, Asmild and Lovell 2011): the technology B of the pair (s, t) is spanned
  by the data of both periods, so it holds both observations and no LP is infeasible, under VRS too:
  M = e^B(t)/e^B(s), EC = e^t(t)/e^s(s), TC = M/EC = [e^B(t)/e^t(t)] / [e^B(s)/e^s(s)] (the change in
  the gap between each period's frontier and the biennial one; technical regress is possible).

Values > 1 mean improvement in both orientations. ``decomposition`` says how the index is split:

* ``"fgnz"`` (default; Faere, Grosskopf, Norris and Zhang 1994, as R productivity and deaR
  ``type2="fgnz"``): malmquist, effch and techch from CRS distances as above; under another ``rts``
  pech = v^t(t)/v^s(s), the change in pure (VRS, NIRS or NDRS) efficiency against each period's own
  technology, and sech = effch/pech. With ``tc_vrs=True`` (rts='vrs'; deaR's ``tc_vrs=TRUE``, which
  deaR 1.5.3 applies to ``type2="bias"`` only) technical change is measured on the VRS frontiers:
  techch = M_v/pech, M_v being the kind's index formula on VRS distances (adjacent: techch =
  sqrt( v^s(t)/v^t(t) * v^s(s)/v^t(s) )), effch = e^t(t)/e^s(s) stays CRS, malmquist = effch * techch
  (then no longer the CRS index), pech and sech as before.
* ``"rd"`` (Ray and Desli 1997, in the form of Grifell-Tatje and Lovell 1999 that deaR ``type2="rd"``
  computes: the components of the period-s index, not geometric means of both periods; rts='vrs'):
  techch = v^s(t)/v^t(t), pech = v^t(t)/v^s(s), sech = [v^s(s)/e^s(s)] / [v^s(t)/e^s(t)],
  malmquist = techch * pech * sech (= e^s(t)/e^s(s), the period-s CRS index), effch = pech * sech.
* ``"gl"`` (Grifell-Tatje and Lovell 1999, the generalized Malmquist index; deaR ``type2="gl"``;
  rts='vrs'): techch and pech as rd, sech = [v^s(s)/e^s(s)] / [v^s(m)/e^s(m)], malmquist = techch *
  pech * sech, effch = pech * sech.
* ``"bias"`` (Faere, Grifell-Tatje, Grosskopf and Lovell 1997; deaR ``type2="bias"``): technical change
  = output bias x input bias x magnitude: obtech = sqrt( e^s(t)/e^t(t) * e^t(m)/e^s(m) ), ibtech =
  sqrt( e^t(s)/e^s(s) * e^s(m)/e^t(m) ), matech = e^s(s)/e^t(s), techch = obtech * ibtech * matech
  (= the FGNZ TC), effch = e^t(t)/e^s(s), malmquist = effch * techch; pech and sech as fgnz. With
  ``tc_vrs=True`` the three parts (and techch) use the VRS distances v instead of e.
* ``"rts"`` (R Benchmarking ``malmquist``/``malmq`` with RTS = "vrs", "drs", "irs"): malmquist, effch
  and techch all from the distances under ``rts`` itself (the kind's formulas with v in place of e;
  no pech/sech). Under VRS this is not a proper total factor productivity index: it misstates
  productivity change whenever returns to scale are not constant (Grifell-Tatje and Lovell 1995).

rd, gl and bias are defined for ``kind`` 'adjacent' and 'sequential' (deaR's "cont" and "seq") and for
the radial index only. Where a component's LP has no solution, every value built from it is NaN (the
index too when it is the product of the components, as deaR computes it) and ``status`` says why.

With bad outputs (``undesirable``) the index is the Malmquist-Luenberger index (Chung, Faere and
Grosskopf 1997): D^T(S) is the directional distance beta of period-S data against the period-T
technology in the direction g = (0, y, b) (inputs held, good outputs expanded, bad outputs contracted,
weak disposability of the bads), and e = 1/(1 + D) enters the same formulas:
ML = sqrt( (1+D^s(s))/(1+D^s(t)) * (1+D^t(s))/(1+D^t(t)) ), MLEC = (1+D^s(s))/(1+D^t(t)),
MLTC = ML/MLEC; ``kind="global"`` gives the global ML index of Oh (2010), ``kind="biennial"`` the
biennial ML index (every observation lies in the technology of its pair, so every LP is feasible).
The orientation plays no part.

Each technology is evaluated once for all the data rows it is needed for (one batched LP call per
technology and returns-to-scale assumption), so panels of thousands of units take seconds.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from solvers import LPStatus, STATUS_LABELS, Usage

from .data import (FrontierData, _as_name_list, require_positive_rows)
from .dea.directional import ddf
from .dea.envelopment import backend, report_usage
from .dea.radial import radial
from ._compat import moved_to_keywords
from .errors import DataError, SolveWarning, SpecError
from .panel import geomean, id_columns, panel_layout
from .results import Result
from .spec import RTS, Orientation, _Option

__all__ = ["malmquist", "MalmquistResult", "Kind", "Decomposition"]

#: Row status of a unit that is absent in one of the two periods.
MISSING = "missing"


class Kind(_Option):
    """Which technologies a Malmquist index compares (DESIGN section 5)."""

    ADJACENT = "adjacent"
    BASE = "base"
    SEQUENTIAL = "sequential"
    GLOBAL = "global"
    BIENNIAL = "biennial"

    @classmethod
    def _aliases(cls):
        return {"fixed": "base", "fixed-base": "base", "contemporaneous": "adjacent"}


class Decomposition(_Option):
    """How the Malmquist index is split into its components (module docstring)."""

    FGNZ = "fgnz"      # Faere, Grosskopf, Norris and Zhang (1994)
    RD = "rd"          # Ray and Desli (1997), as Grifell-Tatje and Lovell (1999) and deaR
    GL = "gl"          # Grifell-Tatje and Lovell (1999), generalized
    BIAS = "bias"      # Faere, Grifell-Tatje, Grosskopf and Lovell (1997): biased technical change
    RTS = "rts"        # every distance under rts (R Benchmarking's malmq)

    @classmethod
    def _aliases(cls):
        return {"ray-desli": "rd", "grifell-lovell": "gl", "generalized": "gl", "generalised": "gl",
                "biased": "bias", "benchmarking": "rts"}


#: Names of the two cross-technology distance columns per kind (data period, then technology).
_CROSS = {Kind.ADJACENT: ("from_to", "to_from"), Kind.SEQUENTIAL: ("from_to", "to_from"),
          Kind.BASE: ("from_base", "to_base"), Kind.GLOBAL: ("from_global", "to_global"),
          Kind.BIENNIAL: ("from_biennial", "to_biennial")}
_KIND_NAMES = {Kind.ADJACENT: "adjacent periods (Faere, Grosskopf, Norris and Zhang 1994)",
               Kind.BASE: "fixed base period", Kind.SEQUENTIAL: "sequential frontier (Shestalova 2003)",
               Kind.GLOBAL: "global frontier (Pastor and Lovell 2005)",
               Kind.BIENNIAL: "biennial frontier (Pastor, Asmild and Lovell 2011)"}
_DECOMPOSITION_NAMES = {
    Decomposition.FGNZ: "Faere-Grosskopf-Norris-Zhang", Decomposition.RD: "Ray-Desli (Grifell-Tatje-Lovell form)",
    Decomposition.GL: "Grifell-Tatje-Lovell generalized",
    Decomposition.BIAS: "Faere-Grifell-Tatje-Grosskopf-Lovell biased technical change",
    Decomposition.RTS: "every distance under rts (Benchmarking malmq)"}
#: Kinds the decompositions built on adjacent technologies (and mixed-period data) are defined for.
_ADJACENT_ONLY = (Kind.ADJACENT, Kind.SEQUENTIAL)
#: Mixed-period distances (data: inputs of period_to, outputs of period_from) each decomposition needs,
#: against the technology of period_from and/or period_to.
_MIXES = {Decomposition.GL: ("mix_from",), Decomposition.BIAS: ("mix_from", "mix_to")}


# --------------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MalmquistResult(Result):
    """Malmquist (or Malmquist-Luenberger) indices, one row per unit and pair of consecutive periods.

    Rows: units in the order of their first appearance in the input, then ``period_from`` ascending.
    ``malmquist``, ``effch`` (efficiency change) and ``techch`` (technical change) are > 1 for
    improvement; ``pech`` (pure efficiency change) and ``sech`` (scale efficiency change, effch/pech)
    are ``None`` under CRS and with ``decomposition='rts'``; ``obtech``, ``ibtech`` and ``matech``
    (output-biased, input-biased and magnitude parts of techch) are ``None`` but with
    ``decomposition='bias'``. ``status`` is 'optimal', 'missing' (the unit is absent in one of the two
    periods) or the first unsolved status among the LPs the row's values are built from ('infeasible',
    ...); values that could not be computed are NaN. ``distances`` holds the distances behind each row
    (see :func:`malmquist`); under an rts other than CRS, ``v_status`` is the status of the
    cross-period (and mixed-period) distances under that rts, which enter the values only with
    decompositions rd, gl or ``tc_vrs``. ``cumulative`` holds running products per unit (or ``None``).
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
    decomposition: str = "fgnz"      # fgnz | rd | gl | bias | rts
    tc_vrs: bool = False             # technical change on the VRS frontiers (fgnz, bias)
    obtech: np.ndarray | None = None   # decomposition 'bias': output-biased technical change
    ibtech: np.ndarray | None = None   # input-biased technical change
    matech: np.ndarray | None = None   # magnitude of technical change

    @property
    def luenberger(self) -> bool:
        """True for the Malmquist-Luenberger index (bad outputs; distances are DDF betas)."""
        return len(self.undesirable_names) > 0

    @property
    def n_rows(self) -> int:
        return len(self.period_from)

    def to_frame(self) -> pd.DataFrame:
        """The result table: id column(s) (named as in the input), period_from, period_to, malmquist,
        effch, techch (+ pech, sech) (+ obtech, ibtech, matech), (+ cum_* with ``cumulative``), status,
        then the distance columns (+ v_status). The index is a plain RangeIndex (ids repeat across
        periods)."""
        cols: dict[str, object] = id_columns(self.ids, self.id_names)
        cols["period_from"] = self.period_from
        cols["period_to"] = self.period_to
        cols["malmquist"] = self.malmquist
        cols["effch"] = self.effch
        cols["techch"] = self.techch
        if self.pech is not None:
            cols["pech"] = self.pech
            cols["sech"] = self.sech
        if self.obtech is not None:
            cols["obtech"] = self.obtech
            cols["ibtech"] = self.ibtech
            cols["matech"] = self.matech
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
        """Text report: model, decomposition, panel size, geometric means of malmquist/effch/techch
        (and pech/sech, obtech/ibtech/matech) per pair of periods and overall, and the row statuses."""
        what = "Malmquist-Luenberger index" if self.luenberger else "Malmquist index"
        orient = "" if self.luenberger else f", {self.orientation} orientation"
        base = f" {self.base}" if self.base is not None else ""
        dec = Decomposition(self.decomposition)
        rts = self.rts.upper()
        if dec == Decomposition.RTS:
            decomposition = f"; every distance under {rts} (Benchmarking malmq)" if self.rts != "crs" else ""
        elif dec == Decomposition.FGNZ and self.rts == "crs":
            decomposition = ""
        elif dec == Decomposition.FGNZ:
            decomposition = (f"; CRS-based index, pech/sech from {rts} (Faere-Grosskopf-Norris-Zhang)" if not
                             self.tc_vrs else f"; CRS effch x techch on the {rts} frontiers (tc_vrs), pech/sech "
                                              f"from {rts}")
        else:
            decomposition = f"; {_DECOMPOSITION_NAMES[dec]} decomposition" + (
                f", technical change on the {rts} frontiers (tc_vrs)" if self.tc_vrs else "")
        units = len(pd.unique(self.ids)) if not isinstance(self.ids, pd.MultiIndex) else len(self.ids.unique())
        lines = [f"{what}, {_KIND_NAMES[Kind(self.kind)]}{base}, {self.rts.upper()}{orient}{decomposition}",
                 f"Units: {units}; periods: {len(self.periods)} ({self.periods[0]} to {self.periods[-1]}); "
                 f"inputs: {', '.join(self.input_names)}; outputs: {', '.join(self.output_names)}; " +
                 (f"undesirable: {', '.join(self.undesirable_names)}; " if self.luenberger else "") +
                 f"solver: {self.solver}",
                 "Geometric means (over rows with a value):"]
        names = ["malmquist", "effch", "techch"] + (["pech", "sech"] if self.pech is not None else []) + \
            (["obtech", "ibtech", "matech"] if self.obtech is not None else [])
        values = {nm: getattr(self, nm) for nm in names}
        head = f"  {'from':>10} {'to':>10} " + " ".join(f"{nm:>10}" for nm in names) + f" {'rows':>6}"
        lines.append(head)
        pairs = list(zip(self.periods[:-1], self.periods[1:]))
        for a, b in pairs:
            sel = (self.period_from == a) & (self.period_to == b)
            lines.append(f"  {a!s:>10} {b!s:>10} " + " ".join(f"{geomean(values[nm][sel]):>10.4f}" for nm in names)
                         + f" {int(np.isfinite(self.malmquist[sel]).sum()):>6}")
        lines.append(f"  {'all':>10} {'':>10} " + " ".join(f"{geomean(values[nm]):>10.4f}" for nm in names)
                     + f" {int(np.isfinite(self.malmquist).sum()):>6}")
        labels, counts = np.unique(self.status.astype(str), return_counts=True)
        lines.append("Status: " + ", ".join(f"{c} {lab}" for lab, c in zip(labels, counts)))
        if self.v_status is not None:
            bad = (self.v_status != "optimal") & (self.v_status != MISSING)
            if bad.any():
                used = (self.decomposition in ("rd", "gl") or self.tc_vrs)
                lines.append(f"{self.rts.upper()} cross-period distances not computed in {int(bad.sum())} rows "
                             + ("(v_status)" if used else "(v_status; the indices do not use them)"))
        return "\n".join(lines)

    def __repr__(self) -> str:
        what = "ML" if self.luenberger else "Malmquist"
        dec = "" if self.decomposition == "fgnz" and not self.tc_vrs else \
            f" {self.decomposition}{'+tc_vrs' if self.tc_vrs else ''}"
        return (f"<MalmquistResult {what} {self.kind} {self.rts} {self.orientation}{dec}: {self.n_rows} rows, "
                f"{len(self.periods)} periods>")


# --------------------------------------------------------------------------------------------------
# Panel validation
# --------------------------------------------------------------------------------------------------

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

    def evaluate(self, data: list[tuple[np.ndarray, np.ndarray]], ref_rows: np.ndarray, rts: RTS):
        """(stored value, efficiency e in the (0, 1] convention, status) of data points against the
        technology spanned by the rows ``ref_rows``: one batched LP call. ``data`` lists pairs (rows
        whose inputs, rows whose outputs and bad outputs): equal for observed data, different for the
        mixed-period points (x^t, y^s)."""
        fd = self.fd
        x_rows = np.concatenate([d[0] for d in data])
        y_rows = np.concatenate([d[1] for d in data])
        X, Y = fd.X[x_rows], fd.Y[y_rows]
        Xr, Yr = fd.X[ref_rows], fd.Y[ref_rows]
        if self.ml:
            B, Br = fd.B[y_rows], fd.B[ref_rows]
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


def _solve_parts(ctx: _Context, ref: np.ndarray, rts: RTS, parts: list) -> None:
    """One LP call for the technology spanned by ``ref``: ``parts`` lists (store, rows the values go to,
    rows of the inputs, rows of the outputs)."""
    parts = [p for p in parts if p[1].size]
    if not parts:
        return
    value, e, status = ctx.evaluate([(p[2], p[3]) for p in parts], ref, rts)
    start = 0
    for store, rows, _, _ in parts:
        sl = slice(start, start + rows.size)
        store.put(rows, value[sl], e[sl], status[sl])
        start += rows.size


def _distances(ctx: _Context, kind: Kind, rts: RTS, by_period: list[np.ndarray], base_k: int | None,
               pairs: list[tuple[np.ndarray, np.ndarray]], mixes: tuple[str, ...] = ()) -> dict[str, _Store]:
    """Stores of the distances every row needs: 'own' (own-period technology) and the two cross ones,
    'a' and 'b': for adjacent/sequential, a = against the next period's technology, b = against the
    previous one's; for base/global a = b = against the base/global technology; for biennial a = against
    the technology of the pair the row starts, b = of the pair it ends. ``mixes`` (adjacent/sequential):
    'mix_from' and/or 'mix_to', the mixed point (x^t, y^s) of each pair (s, t) against the technology of
    s or t, stored at the period-s row; ``pairs[k]`` holds the aligned rows of the units present in
    periods k and k+1."""
    n = ctx.fd.n
    own = _Store(n)
    T = len(by_period)
    if kind in (Kind.ADJACENT, Kind.SEQUENTIAL):
        nxt, prv = _Store(n), _Store(n)
        mix = {name: _Store(n) for name in mixes}
        for k in range(T):
            ref = by_period[k] if kind == Kind.ADJACENT else np.concatenate(by_period[:k + 1])
            r = by_period[k]
            parts = [(own, r, r, r)]
            if k > 0:
                r = by_period[k - 1]                       # period k-1 data vs the period-k technology
                parts.append((nxt, r, r, r))
                if "mix_to" in mix:                        # (x^k, y^(k-1)) vs the period-k technology
                    s, t = pairs[k - 1]
                    parts.append((mix["mix_to"], s, t, s))
            if k < T - 1:
                r = by_period[k + 1]                       # period k+1 data vs the period-k technology
                parts.append((prv, r, r, r))
                if "mix_from" in mix:                      # (x^(k+1), y^k) vs the period-k technology
                    s, t = pairs[k]
                    parts.append((mix["mix_from"], s, t, s))
            _solve_parts(ctx, ref, rts, parts)
        return {"own": own, "a": nxt, "b": prv, **mix}
    a = _Store(n)
    b = a
    if kind == Kind.GLOBAL:
        every = np.arange(n)
        _solve_parts(ctx, every, rts, [(a, every, every, every)])
    if kind == Kind.BIENNIAL:
        b = _Store(n)
        for k in range(T - 1):
            s, t = by_period[k], by_period[k + 1]
            _solve_parts(ctx, np.concatenate([s, t]), rts, [(a, s, s, s), (b, t, t, t)])
    for k in range(T):
        r = by_period[k]
        if kind == Kind.BASE and k == base_k:
            every = np.arange(n)
            _solve_parts(ctx, r, rts, [(a, every, every, every)])
            own.put(r, a.value[r], a.e[r], a.status[r])
        else:
            _solve_parts(ctx, r, rts, [(own, r, r, r)])
    return {"own": own, "a": a, "b": b}


def _take(a: np.ndarray, idx: np.ndarray, fill):
    out = np.where(idx >= 0, a[np.maximum(idx, 0)], fill)
    return out


# --------------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------------

def malmquist(panel, id=None, period=None, inputs=None, outputs=None, undesirable=None, kind="adjacent",
              rts="crs", orientation="input", *_positional, solver=None, base=None, cumulative: bool = False,
              screen: bool | None = None, client=None, decomposition="fgnz", tc_vrs: bool = False
              ) -> MalmquistResult:
    """Malmquist productivity indices of a panel; returns a :class:`MalmquistResult`.

    ``panel`` is a DataFrame or CSV path with one row per unit and period: ``id`` names the unit id
    column (or several, a composite id), ``period`` the period column (numeric, e.g. years; sorted
    ascending numerically), ``inputs``/``outputs``/``undesirable`` the data columns (lists or
    comma-separated strings). Each row compares two consecutive periods (``period_from`` ->
    ``period_to``) of one unit; values > 1 mean improvement.

    ``kind``: 'adjacent' (Faere, Grosskopf, Norris and Zhang 1994), 'base' (fixed base period
    ``base``, default the first period), 'sequential' (Shestalova 2003: the technology of a period is
    spanned by the data of all periods up to it), 'global' (Pastor and Lovell 2005: one technology of
    all periods pooled) or 'biennial' (Pastor, Asmild and Lovell 2011: the technology of each pair of
    periods is spanned by the data of both, so no LP is infeasible). ``rts``: 'crs', 'vrs', 'nirs' or
    'ndrs'. ``orientation``: 'input' or 'output'. ``client``: a ``dask.distributed.Client``; each
    technology's batch of LPs is then solved on its cluster in chunks of units (same results).

    ``decomposition`` (formulas in the module docstring): 'fgnz' (default; Faere, Grosskopf, Norris and
    Zhang 1994, as R productivity and deaR ``type2="fgnz"``): the index, effch and techch from CRS
    distances, and under another rts pech (change in efficiency under that rts, against each period's
    own technology) and sech = effch/pech; 'rd' (Ray and Desli 1997) and 'gl' (Grifell-Tatje and
    Lovell 1999), as deaR ``type2="rd"``/``"gl"``, need rts='vrs'; 'bias' (Faere, Grifell-Tatje,
    Grosskopf and Lovell 1997) adds ``obtech``, ``ibtech`` and ``matech``, techch = their product; rd,
    gl and bias take kind 'adjacent' or 'sequential' and no bad outputs. 'rts': malmquist, effch and
    techch from the distances under ``rts`` (R Benchmarking's ``malmquist``; under VRS not a proper
    TFP index, Grifell-Tatje and Lovell 1995). ``tc_vrs=True`` (decomposition 'fgnz' or 'bias',
    rts='vrs'; deaR's ``tc_vrs``): technical change measured on the VRS frontiers, malmquist = effch
    (CRS) x techch (VRS). A combination that does not apply is a :class:`SpecError`, never silently
    changed.

    With ``undesirable`` (bad outputs) the Malmquist-Luenberger index (Chung, Faere and Grosskopf
    1997) is computed from directional distances beta in the direction (0, y, b) under weak
    disposability of the bad outputs, with e = 1/(1 + beta) in the same formulas (``kind='global'``
    is the global ML of Oh 2010, ``kind='biennial'`` the biennial ML). ``orientation`` is then ignored
    (the result says 'none'); the index, MLEC and MLTC are reported as ``malmquist``, ``effch`` and
    ``techch``.

    Distance columns of the table (data period first, then technology; ``d_to_from`` is the data of
    ``period_to`` against the technology of ``period_from``): adjacent and sequential ``d_from_from,
    d_from_to, d_to_from, d_to_to`` (+ ``d_mix_from``, ``d_mix_to`` for gl and bias: the mixed point,
    inputs of ``period_to`` with outputs of ``period_from``, against the technology of ``period_from`` /
    ``period_to``); base ``d_from_from, d_to_to, d_from_base, d_to_base``; global ``d_from_from,
    d_to_to, d_from_global, d_to_global``; biennial ``d_from_from, d_to_to, d_from_biennial,
    d_to_biennial``. They hold CRS scores (with decomposition 'rts': scores under ``rts``) in the
    (0, 1] convention (input theta; output 1/phi, the Shephard distance), which exceed 1 for data beyond
    another period's frontier; for the Malmquist-Luenberger index they hold beta (free in sign).
    Under an rts other than CRS (decompositions other than 'rts') the same distances under that rts
    follow as ``v_*`` columns, with ``v_status`` for their cross-period LPs: those can be infeasible
    (NaN), which touches only the values built from them (fgnz and bias without ``tc_vrs`` use none).

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
    decomposition = Decomposition.parse(decomposition, name="decomposition")
    bad_names = _as_name_list(undesirable, "undesirable")
    ml = len(bad_names) > 0
    if not ml and orientation not in (Orientation.INPUT, Orientation.OUTPUT):
        raise SpecError(f"orientation: the Malmquist index takes 'input' or 'output', not {orientation.value!r}")
    if base is not None and kind != Kind.BASE:
        raise SpecError(f"base: a base period is used only with kind='base', not kind={kind.value!r}")
    tc_vrs = _check_decomposition(decomposition, tc_vrs, kind, rts, ml)
    pn = panel_layout(panel, id, period, inputs, outputs, bad_names, what="a Malmquist index")
    fd, id_cols, units, periods_f, periods, grid = pn.fd, pn.id_cols, pn.units, pn.periods_f, pn.periods, pn.grid
    T, U = pn.T, len(units)
    if ml:
        none = ~(np.hstack([fd.Y, fd.B]) > 0).any(axis=1)
        if none.any():
            i = int(np.flatnonzero(none)[0])
            raise DataError(f"{fd.source}: {fd.where(i)}: every output and bad output is zero; the direction "
                            "(0, y, b) of the Malmquist-Luenberger index is zero there")
    else:
        block = "inputs" if orientation == Orientation.INPUT else "outputs"
        require_positive_rows(fd, block, f"the {orientation.value}-oriented Malmquist index")
    base_k = None
    if kind == Kind.BASE:
        base_k = 0 if base is None else _as_period(base, periods_f, fd.source)
    by_period = pn.by_period
    pairs = pn.pairs()                                   # units present in k and k+1

    lp = backend(solver)
    if client is not None:
        from .distributed import distribute
        lp = distribute(lp, client)        # each technology's LP batch chunked by unit on the cluster
    ctx = _Context(fd, orientation, lp, screen, ml)
    # The primary distances (d_*) are CRS, or under rts with decomposition 'rts'; the secondary ones
    # (v_*) are under rts when it is not CRS.
    primary = rts if decomposition == Decomposition.RTS else RTS.CRS
    mixes = _MIXES.get(decomposition, ())
    first = _distances(ctx, kind, primary, by_period, base_k, pairs, mixes)
    second = None if (primary == rts) else _distances(ctx, kind, rts, by_period, base_k, pairs, mixes)

    # Rows: units in order of first appearance, then period_from ascending.
    u_idx = np.repeat(np.arange(U), T - 1)
    k_idx = np.tile(np.arange(T - 1), U)
    rs, rt = grid[u_idx, k_idx], grid[u_idx, k_idx + 1]
    present = (rs >= 0) & (rt >= 0)
    n_rows = u_idx.size
    nan = np.nan
    ps, pt = np.where(present, rs, -1), np.where(present, rt, -1)

    def gather(stores: dict[str, _Store]) -> dict[str, tuple]:
        """Per row: (value, e, status) of ff, tt (own technologies), fx, tx (cross) and the mixes."""
        def one(store: _Store, idx):
            return (_take(store.value, idx, nan), _take(store.e, idx, nan),
                    _take(store.status, idx, LPStatus.NOT_SOLVED).astype(np.int8))
        out = {"ff": one(stores["own"], ps), "tt": one(stores["own"], pt), "fx": one(stores["a"], ps),
               "tx": one(stores["b"], pt)}
        for name in mixes:
            out[name] = one(stores[name], ps)
        return out

    c = gather(first)
    v = None if second is None else gather(second)
    comp, used = _components(decomposition, kind, {k: x[1] for k, x in c.items()},
                             None if v is None else {k: x[1] for k, x in v.items()}, tc_vrs)

    cross_names = _CROSS[kind]
    names = {"ff": "from_from", "tt": "to_to", "fx": cross_names[0], "tx": cross_names[1], "mix_from": "mix_from",
             "mix_to": "mix_to"}
    order = ["ff", "fx", "tx", "tt"] if kind in _ADJACENT_ONLY else ["ff", "tt", "fx", "tx"]
    order += list(mixes)
    dist = {f"d_{names[k]}": c[k][0] for k in order}
    statuses = [c[k][2] for k in ("ff", "fx", "tx", "tt") + tuple(mixes) if ("c", k) in used]
    v_status = None
    n_v_bad = 0
    v_detail = ""
    if v is not None:
        dist.update({f"v_{names[k]}": v[k][0] for k in ["ff", "tt", "fx", "tx", *mixes]})
        statuses += [v[k][2] for k in ("ff", "tt", "fx", "tx") + tuple(mixes) if ("v", k) in used]
        cross = ["fx", "tx", *mixes]
        vst = np.stack([v[k][2] for k in cross], axis=1)
        v_status = _row_status(vst, present)
        unused = np.stack([v[k][2] for k in cross if ("v", k) not in used] or
                          [np.full(n_rows, LPStatus.OPTIMAL, dtype=np.int8)], axis=1)
        vbad = unused[present] != LPStatus.OPTIMAL
        n_v_bad = int(vbad.sum())
        if n_v_bad:
            labels, counts = np.unique(STATUS_LABELS[unused[present][vbad]], return_counts=True)
            v_detail = ", ".join(f"{c_} {lab}" for lab, c_ in zip(labels, counts))
    status = _row_status(np.stack(statuses, axis=1), present)
    for arr in comp.values():
        if arr is not None:
            arr[~present] = nan

    cum = None
    if cumulative:
        cols = {f"cum_{k}": comp[k] for k in ("malmquist", "effch", "techch", "pech", "sech") if comp[k] is not None}
        cum = pd.DataFrame({k: np.cumprod(x.reshape(U, T - 1), axis=1).ravel() for k, x in cols.items()})

    # Warnings: unsolved LPs (one SolveWarning), unused cross-period LPs under the rts, numba fallbacks.
    failed = (status != "optimal") & (status != MISSING)
    what = "Malmquist-Luenberger" if ml else "malmquist"
    if failed.any():
        labels, counts = np.unique(status[failed].astype(str), return_counts=True)
        detail = ", ".join(f"{c_} {lab}" for lab, c_ in zip(labels, counts))
        own_st = np.stack([c["ff"][2], c["tt"][2]] + ([] if v is None else [v["ff"][2], v["tt"][2]]))
        why = ""
        if kind not in (Kind.GLOBAL, Kind.BIENNIAL) and np.all(own_st[:, failed] == LPStatus.OPTIMAL):
            against = {Kind.ADJACENT: "the adjacent period's technology", Kind.BASE: "the base period's technology",
                       Kind.SEQUENTIAL: "the earlier periods' sequential technology"}[kind]
            why = (f": each is a cross-period LP (one period's data against {against}), infeasible because the "
                   "data lie outside that technology" + (" (common with bad outputs under weak disposability)"
                                                         if ml else "") +
                   "; kind='global' (one technology of all periods, which holds every observation) has none")
        warnings.warn(f"{what}: {int(failed.sum())} of {n_rows} rows have an LP without an optimum ({detail})"
                      f"{why}; their values are NaN where it enters and `status` says why", SolveWarning, stacklevel=2)
    if n_v_bad:
        unused_names = "/".join(f"v_{names[k]}" for k in ["fx", "tx", *mixes] if ("v", k) not in used)
        warnings.warn(f"{what}: {n_v_bad} {rts.value.upper()} cross-period distances could not be computed "
                      f"({v_detail}); they are NaN in {unused_names} and `v_status` says why; the "
                      + ("CRS-based malmquist, effch and techch do not use them" if decomposition == Decomposition.FGNZ
                         else f"{decomposition.value} components do not use them"), SolveWarning, stacklevel=2)
    solver_label = report_usage(ctx.usage, lp, solver is not None, what)

    return MalmquistResult(
        kind=kind.value, rts=rts.value, orientation="none" if ml else orientation.value,
        id_names=tuple(id_cols), period_name=period, periods=periods,
        base=None if base_k is None else periods[base_k].item(),
        input_names=fd.input_names, output_names=fd.output_names, undesirable_names=fd.undesirable_names,
        solver=solver_label, ids=units.take(u_idx), period_from=periods[k_idx], period_to=periods[k_idx + 1],
        malmquist=comp["malmquist"], effch=comp["effch"], techch=comp["techch"], pech=comp["pech"],
        sech=comp["sech"], status=status, distances=pd.DataFrame(dist), v_status=v_status, cumulative=cum,
        decomposition=decomposition.value, tc_vrs=tc_vrs, obtech=comp["obtech"], ibtech=comp["ibtech"],
        matech=comp["matech"])


def _check_decomposition(decomposition: Decomposition, tc_vrs, kind: Kind, rts: RTS, ml: bool) -> bool:
    """SpecError for a decomposition that does not apply to ``kind``, ``rts``, bad outputs or
    ``tc_vrs``; returns ``tc_vrs`` as a bool."""
    if not isinstance(tc_vrs, (bool, np.bool_)):
        raise SpecError(f"tc_vrs: expected True or False, got {tc_vrs!r}")
    tc_vrs = bool(tc_vrs)
    d = decomposition.value
    if decomposition in (Decomposition.RD, Decomposition.GL, Decomposition.BIAS):
        if kind not in _ADJACENT_ONLY:
            raise SpecError(f"decomposition: {d!r} compares the technologies of two adjacent periods (deaR's 'cont' "
                            f"and 'seq'); it takes kind='adjacent' or 'sequential', not kind={kind.value!r}")
        if ml:
            raise SpecError(f"decomposition: {d!r} is defined for the radial Malmquist index; with undesirable "
                            "outputs (Malmquist-Luenberger) use 'fgnz' or 'rts'")
    if decomposition in (Decomposition.RD, Decomposition.GL) and rts != RTS.VRS:
        raise SpecError(f"decomposition: {d!r} splits the CRS index into VRS technical change, pure efficiency "
                        f"change and scale change; it needs rts='vrs', not rts={rts.value!r} (deaR switches "
                        "to 'vrs' by itself; here it is not changed silently)")
    if decomposition == Decomposition.BIAS and rts not in (RTS.CRS, RTS.VRS, RTS.NIRS, RTS.NDRS):
        raise SpecError(f"decomposition: 'bias' takes rts 'crs', 'vrs', 'nirs' or 'ndrs', not {rts.value!r}")
    if tc_vrs:
        if decomposition not in (Decomposition.FGNZ, Decomposition.BIAS):
            raise SpecError(f"tc_vrs: measuring technical change on VRS frontiers applies to decomposition "
                            f"'fgnz' or 'bias', not {d!r}" + (" (whose techch is VRS already)" if decomposition in
                                                              (Decomposition.RD, Decomposition.GL) else
                                                              " (whose distances are all under rts already)"))
        if rts != RTS.VRS:
            raise SpecError(f"tc_vrs: technical change on VRS frontiers needs rts='vrs', not rts={rts.value!r}")
    return tc_vrs


def _components(decomposition: Decomposition, kind: Kind, c: dict, v: dict | None, tc_vrs: bool):
    """The index and its components per row from the efficiencies e of the primary (``c``) and secondary
    (``v``) distances: ff = e^s(s), tt = e^t(t), fx = e^t(s) or against the kind's cross technology,
    tx = e^s(t) or likewise, mix_from = e^s(m), mix_to = e^t(m). Returns (components, used): the
    arrays (None where not defined) and the set of ('c' | 'v', distance) pairs they are built from."""
    paired = kind in _ADJACENT_ONLY

    def index(e):
        if paired:                          # fx = e^t(s), tx = e^s(t)
            return np.sqrt((e["tx"] / e["ff"]) * (e["tt"] / e["fx"]))
        return e["tx"] / e["fx"]

    out = dict.fromkeys(("malmquist", "effch", "techch", "pech", "sech", "obtech", "ibtech", "matech"))
    cross = {("c", "ff"), ("c", "fx"), ("c", "tx"), ("c", "tt")}
    with np.errstate(divide="ignore", invalid="ignore"):
        if decomposition in (Decomposition.FGNZ, Decomposition.RTS, Decomposition.BIAS):
            effch = c["tt"] / c["ff"]
            used = {("c", "ff"), ("c", "tt")}
            if decomposition == Decomposition.BIAS:
                e, s = (v, "v") if tc_vrs else (c, "c")
                out["obtech"] = np.sqrt((e["tx"] * e["mix_to"]) / (e["tt"] * e["mix_from"]))
                out["ibtech"] = np.sqrt((e["fx"] * e["mix_from"]) / (e["ff"] * e["mix_to"]))
                out["matech"] = e["ff"] / e["fx"]
                techch = out["obtech"] * out["ibtech"] * out["matech"]
                used |= {(s, k) for k in ("ff", "tt", "fx", "tx", "mix_from", "mix_to")}
            elif tc_vrs:
                techch = index(v) / (v["tt"] / v["ff"])
                used |= {("v", k) for k in ("ff", "fx", "tx", "tt")}
            else:
                techch = index(c) / effch
                used = cross
            out["effch"], out["techch"] = effch, techch
            out["malmquist"] = effch * techch if (tc_vrs or decomposition == Decomposition.BIAS) else index(c)
            if v is not None:
                out["pech"] = v["tt"] / v["ff"]
                out["sech"] = effch / out["pech"]
                used |= {("v", "ff"), ("v", "tt")}
        else:                                # rd, gl: period-s components (Grifell-Tatje and Lovell 1999)
            out["techch"] = v["tx"] / v["tt"]
            out["pech"] = v["tt"] / v["ff"]
            at = "tx" if decomposition == Decomposition.RD else "mix_from"
            out["sech"] = (v["ff"] / c["ff"]) / (v[at] / c[at])
            out["effch"] = out["pech"] * out["sech"]
            out["malmquist"] = out["techch"] * out["effch"]
            used = {("v", "tx"), ("v", "tt"), ("v", "ff"), ("c", "ff"), ("v", at), ("c", at)}
    return out, used


def _row_status(st: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Per row: 'missing' where the unit is absent, else the first non-optimal LP status among the
    columns of ``st`` (rows x LPs), else 'optimal'."""
    bad = st != LPStatus.OPTIMAL
    first = st[np.arange(st.shape[0]), np.argmax(bad, axis=1)]
    labels = np.where(bad.any(axis=1), STATUS_LABELS[first], "optimal").astype(object)
    labels[~present] = MISSING
    return labels
