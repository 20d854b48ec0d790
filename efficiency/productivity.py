"""Multiplicatively complete total factor productivity indices (O'Donnell 2008, 2012), as R productivity
1.1.0 computes them: Hicks-Moorsteen (``hicksmoorsteen``), Faere-Primont (``fareprim``) and Lowe
(``lowe``), with the package's defaults ``tech.change = TRUE`` (one technology per period),
``tech.reg = TRUE`` (technical regress allowed: the period's own data span it), ``scaled = TRUE`` and
``shadow = FALSE``.

A TFP index is aggregate output over aggregate input, TFP = AO / AI, with linear aggregates
AO = P.y and AI = W.x. Every quantity column is first divided by its mean over the whole panel (the
package's ``scaled = TRUE``); below, x and y are those scaled quantities. The indices differ in the
aggregation weights (P, W):

* Faere-Primont: one pair for the whole panel, the shadow prices of the panel's mean point
  (x-bar, y-bar) against the technology of all periods pooled (``DO.shdu``/``DI.shdu``): P = u / phi from
  the output multiplier LP ``min v.x-bar + w s.t. u.y-bar = 1, u.y_j - v.x_j - w <= 0`` and
  W = v / theta from the input multiplier LP ``max u.y-bar + w s.t. v.x-bar = 1, u.y_j - v.x_j + w <= 0``
  (w free under VRS, 0 under CRS, signed under NIRS/NDRS); so P.y-bar = 1/phi and W.x-bar = 1/theta.
* Lowe: P and W are the means over the panel of the observed output and input prices (columns, one
  per output and input), applied to the *scaled* quantities: AO = sum_r pbar_r y_r / ybar_r. In data
  units the aggregation weight of output r is pbar_r / ybar_r (``output_weights``), and likewise for
  inputs. Revenue, cost and profitability use the observed prices and quantities: REV = p.y, COST = w.x,
  PROF = REV / COST, the implicit price indices P = REV / AO and W = COST / AI, and the terms of trade
  TT = P / W.
* Hicks-Moorsteen: for unit i, periods s = t - 1 and t (s = t in the first period), the output and
  input quantity indices of the geometric mean of the two Malmquist-type indices (``hs`` with the
  period-s technology, ``it`` with the period-t one): shadow prices P_hs at (x_s, y_t) and W_hs at
  (x_t, y_s) against the period-s technology, P_it at (x_t, y_s) and W_it at (x_s, y_t) against the
  period-t technology; AO = Q_t = sqrt(P_hs.y_t P_it.y_t), AI = X_t = sqrt(W_hs.x_t W_it.x_t), and the same
  prices give Q_s, X_s for period s.

The decomposition (O'Donnell 2012; the package's ``DO.teseme``/``DI.teseme`` and ``D.tfp``), each against
the technology of the row's period, under ``rts``:

* MP, the maximal TFP (``D.tfp``): max P.y / W.x over the technology, which is max_j P.y_j / W.x_j over the
  period's units (a linear-fractional program whose Charnes-Cooper LP the package solves; its
  optimum is a vertex, whatever the returns to scale); TFPE = TFP / MP. Hicks-Moorsteen: the geometric
  mean of MP under (P_hs, W_hs) and under (P_it, W_it).
* Output orientation: OTE = 1/phi (the Shephard output distance under ``rts``), OSE = OTE_CRS / OTE,
  OME = P.y / (R * OTE) with R = max P.y over the technology at the unit's inputs (revenue
  maximisation), ROSE = AO / (OTE OME) / AI / MP, OSME = OME ROSE, RME = TFPE / OTE / OSE;
  Lowe adds RE = OTE OME. Identities: TFPE = OTE OSE RME = OTE OME ROSE = OTE OSME.
* Input orientation: ITE = theta, ISE = ITE_CRS / ITE, IME = C / (W.x) / ITE with C = min W.x at the
  unit's outputs (cost minimisation), RISE = AO / (AI ITE IME) / MP, ISME = IME RISE,
  RME = TFPE / ITE / ISE; Lowe adds CE = ITE IME.
  Hicks-Moorsteen: OME (IME) is the geometric mean of those under the ``hs`` and ``it`` prices.

Changes (the package's ``Changes``):

* Faere-Primont and Lowe: each level over the same unit's level in the **first period** of the panel
  (the package's default ``by.id = NULL, by.year = NULL``), so the first period is 1 and the change
  from t to t + 2 is the product of the two steps (the indices are transitive).
* Hicks-Moorsteen: adjacent periods, from the row's own prices: dAO = Q_t / Q_s, dAI = X_t / X_s,
  dTFP = TFP / TFP_s, dMP = MP / MP_s and dTFPE = TFPE / TFPE_s (period-s values under the row's
  prices and the period-s technology); dOTE, dOSE (dITE, dISE) over the unit's previous level; dOME,
  dROSE, dOSME, dRME (dIME, ...) over their period-s values under the row's prices. The first period
  has no change (NaN, the package's NA). TFP change = MP change x TFPE change in every row.

Names (productivity -> here; levels / changes):

======================  =====================  ===============================
productivity            ``levels()``           ``to_frame()``
======================  =====================  ===============================
AO, AI                  aggregate_output,      aggregate_output_change,
                        aggregate_input        aggregate_input_change
TFP, MP, TFPE           tfp, mp, tfpe          tfp_change, mp_change, tfpe_change
OTE, OSE, OME           ote, ose, ome          ote_change, ose_change, ome_change
ROSE, OSME, RME         rose, osme, rme        rose_change, osme_change, rme_change
ITE, ISE, IME           ite, ise, ime          ite_change, ise_change, ime_change
RISE, ISME              rise, isme             rise_change, isme_change
RE (out), CE (in)       re, ce                 re_change, ce_change
REV, COST, PROF         revenue, cost,         revenue_change, cost_change,
                        profitability          profitability_change
P, W, TT                output_price,          output_price_change,
                        input_price,           input_price_change,
                        terms_of_trade         terms_of_trade_change
======================  =====================  ===============================

**How.** Each period's technology is spanned by its frame (extreme-efficient units, Dula 2011), which
spans the same technology (``screen``): the shadow-price (multiplier) LPs have one row per frame unit,
the revenue and cost LPs one column per frame unit, MP is a maximum over the frame. Radial distances
and, for the common prices of Faere-Primont and Lowe, revenue maximisation (the output score of
(x_o, 1) against the aggregated output P.y_j) and cost minimisation run as envelopment LPs (the numba
core by default); the other LPs are generic batches (HiGHS by default, warm-started), one batch per
technology. Shadow prices are not unique where the point lies on the frontier (every
extreme-efficient unit at its own data, in the first period of Hicks-Moorsteen): there a second LP
keeps the optimum and maximises the smallest weight (in the units of the scaled data), as
``ef.multiplier(weights="maximin")``, so that the choice does not depend on the backend or the row
order. The package keeps whichever optimum lp_solve's simplex path ends at, which no rule on the
optimal face reproduces: on the reference panel (VRS, 6 such units) the maximin choice is lp_solve's
for 2 units; for the other 4 the first-period levels of MP, TFPE and the mix terms differ (their
changes are not affected: the first period has none, and later rows price mixed-period points, whose
shadow prices are unique in general). Faere-Primont's prices at the mean point are unique in general.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from solvers import ENVELOPMENT, BackendError, LPBatch, LPProblem, LPSolver, LPStatus, STATUS_LABELS, Usage
from solvers.envelopment import EnvelopmentProblem, solve_stack

from .data import _as_name_list, require_positive_rows
from .dea.envelopment import (SCREEN_MIN, backend, column_scale, frame as find_frame, report_usage, rts_bounds, solve,
                              solve_batch)
from .dea.radial import radial, radial_problem
from .economic import _price_columns
from .errors import DataError, SolverError, SolveWarning, SpecError
from .panel import geomean, panel_layout
from .multiplier import solve_chunked, solve_keeping
from .results import Result
from .spec import RTS, Orientation, _Option

__all__ = ["NAMES", "Index", "ProductivityResult", "productivity"]

#: Relative distance from 1 of a shadow-price LP's optimum at which the point counts as on the
#: frontier (its shadow prices are then tied, and the maximin choice is made).
ON_FRONTIER = 1e-8
#: Rows of the (rows x frame) ratio matrices of MP computed at once.
RATIO_CHUNK = 2048
#: Revenue (cost) LPs with per-row prices handed to the numba core in one stacked call.
STACK_CHUNK = 2048


class Index(_Option):
    """Which multiplicatively complete TFP index (O'Donnell 2012)."""

    HICKS_MOORSTEEN = "hicks-moorsteen"
    FARE_PRIMONT = "fare-primont"
    LOWE = "lowe"

    @classmethod
    def _aliases(cls):
        return {"hm": "hicks-moorsteen", "hicksmoorsteen": "hicks-moorsteen", "hicks moorsteen": "hicks-moorsteen",
                "fp": "fare-primont", "fareprim": "fare-primont", "faere-primont": "fare-primont",
                "färe-primont": "fare-primont", "fare primont": "fare-primont", "primont": "fare-primont"}


_INDEX_NAMES = {Index.HICKS_MOORSTEEN: "Hicks-Moorsteen", Index.FARE_PRIMONT: "Faere-Primont", Index.LOWE: "Lowe"}

#: productivity 1.1.0 column name -> level name here (changes: the same with '_change'; the package's
#: change columns carry a 'd' prefix).
NAMES = {"AO": "aggregate_output", "AI": "aggregate_input", "TFP": "tfp", "MP": "mp", "TFPE": "tfpe",
         "OTE": "ote", "OSE": "ose", "OME": "ome", "ROSE": "rose", "OSME": "osme",
         "ITE": "ite", "ISE": "ise", "IME": "ime", "RISE": "rise", "ISME": "isme", "RME": "rme",
         "RE": "re", "CE": "ce", "REV": "revenue", "COST": "cost", "PROF": "profitability",
         "P": "output_price", "W": "input_price", "TT": "terms_of_trade"}

_PRICE_LEVELS = ["revenue", "cost", "profitability", "output_price", "input_price", "terms_of_trade"]


def _quantity_levels(orientation: Orientation, lowe: bool) -> list[str]:
    o = "o" if orientation == Orientation.OUTPUT else "i"
    names = ["tfp", "mp", "tfpe", f"{o}te", f"{o}se", f"{o}me", f"r{o}se", f"{o}sme", "rme"]
    if lowe:
        names.append("re" if o == "o" else "ce")
    return ["aggregate_output", "aggregate_input"] + names


# --------------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ProductivityResult(Result):
    """Levels and changes of a TFP index (module docstring), one row per unit and period, input order.

    ``to_frame()``: the changes (id column(s) and period as given, ``tfp_change``, ``mp_change``,
    ``tfpe_change``, the efficiency changes, ``aggregate_output_change``, ``aggregate_input_change``,
    Lowe's price changes, ``status``); ``levels()``: the levels (``aggregate_output``, ...,
    ``status``). ``output_weights`` / ``input_weights``: the aggregation weights per unit of each
    output / input in data units (Faere-Primont: the shadow prices of the mean point; Lowe: mean price
    over mean quantity; None for Hicks-Moorsteen, whose prices differ per row). ``status`` per row:
    'optimal', or the first LP of the row (or, for a change, of the row it is compared with) that
    ended without an optimum; its values are then NaN.
    """

    index: str
    rts: str
    orientation: str
    id_names: tuple[str, ...]
    period_name: str
    periods: np.ndarray
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    input_price_names: tuple[str, ...] | None
    output_price_names: tuple[str, ...] | None
    output_weights: pd.Series | None
    input_weights: pd.Series | None
    solver: str
    changes: pd.DataFrame
    level_table: pd.DataFrame
    status: pd.Series

    def to_frame(self) -> pd.DataFrame:
        """The changes: id column(s), period, ``tfp_change``, ``mp_change``, ``tfpe_change``, the
        efficiency changes, the aggregate changes, (Lowe) price changes, ``status``."""
        return self.changes.copy()

    def levels(self) -> pd.DataFrame:
        """The levels: id column(s), period, ``aggregate_output``, ``aggregate_input``, ``tfp``, ``mp``,
        ``tfpe``, the efficiencies, (Lowe) ``re``/``ce`` and the price levels, ``status``."""
        return self.level_table.copy()

    def summary(self) -> str:
        """Index, technology, panel, solver; geometric means of the TFP, MP and TFPE changes per period;
        statuses."""
        ch = self.changes
        name = _INDEX_NAMES[Index(self.index)]
        base = ("changes over the unit's first period" if self.index != Index.HICKS_MOORSTEEN.value
                else "changes over the previous period")
        units = len(ch) // max(1, len(self.periods))
        lines = [f"{name} TFP index (O'Donnell 2012; R productivity), {self.rts.upper()}, {self.orientation} "
                 f"orientation; {base}",
                 f"Units: {units}; periods: {len(self.periods)} ({self.periods[0]} to {self.periods[-1]}); inputs: "
                 f"{', '.join(self.input_names)}; outputs: {', '.join(self.output_names)}; solver: {self.solver}",
                 "Geometric means (over rows with a value):",
                 f"  {'period':>10} {'tfp_change':>12} {'mp_change':>12} {'tfpe_change':>12} {'rows':>6}"]
        per = ch[self.period_name].to_numpy()
        for p in self.periods:
            sel = per == p
            vals = [geomean(ch[c].to_numpy()[sel]) for c in ("tfp_change", "mp_change", "tfpe_change")]
            lines.append(f"  {p!s:>10} " + " ".join(f"{v:>12.4f}" for v in vals) +
                         f" {int(np.isfinite(ch['tfp_change'].to_numpy()[sel]).sum()):>6}")
        counts = self.status.value_counts()
        lines.append("Status: " + ", ".join(f"{int(v)} {k}" for k, v in counts.items()))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<ProductivityResult {self.index} {self.rts} {self.orientation}: {len(self.changes)} rows, "
                f"{len(self.periods)} periods>")


# --------------------------------------------------------------------------------------------------
# The LPs
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Tech:
    """One period's technology: its units' scaled data and the frame that spans it."""

    X: np.ndarray          # (n_t, m) all units of the period (scaled)
    Y: np.ndarray
    Xf: np.ndarray         # the frame's rows (or all rows without screening)
    Yf: np.ndarray


class _Codes:
    """Per-row LP status: the first code other than optimal that reaches the row is kept."""

    def __init__(self, n: int):
        self.code = np.full(n, LPStatus.OPTIMAL, dtype=np.int8)

    def add(self, rows, codes) -> None:
        rows = np.asarray(rows)
        codes = np.broadcast_to(np.asarray(codes, dtype=np.int8), rows.shape)
        cur = self.code[rows]
        self.code[rows] = np.where(cur == LPStatus.OPTIMAL, codes, cur)


class _Solver:
    """The LP work of one call: the backend, screening, and the usage of every backend."""

    def __init__(self, lp: LPSolver, rts: RTS, screen: bool | None):
        self.lp = lp
        self.rts = rts
        self.screen = screen
        self.usage = Usage()
        self.native = ENVELOPMENT in lp.solves                 # envelopment LPs (and their duals) natively
        self.stack = hasattr(lp, "solve_envelopment_stack")

    def tech(self, X: np.ndarray, Y: np.ndarray) -> _Tech:
        """The technology of (X, Y) with its frame (``screen=None``: from SCREEN_MIN units on)."""
        use = X.shape[0] >= SCREEN_MIN if self.screen is None else bool(self.screen)
        if use:
            rows = find_frame(np.hstack([X, Y]), X.shape[1], self.rts)
            return _Tech(X, Y, X[rows], Y[rows])
        return _Tech(X, Y, X, Y)

    def distance(self, X, Y, tech: _Tech, orientation: Orientation, rts: RTS) -> tuple[np.ndarray, np.ndarray]:
        """(efficiency in (0, 1]: theta or 1/phi, status) of the rows (X, Y) against ``tech`` (its frame,
        which spans the CRS cone of the period too)."""
        env = radial(X, Y, tech.Xf, tech.Yf, rts=rts, orientation=orientation, solver=self.lp, slacks=False,
                     screen=False if tech.Xf is not tech.X else self.screen)
        self.usage = self.usage + env.usage
        ok = env.status == LPStatus.OPTIMAL
        with np.errstate(divide="ignore", invalid="ignore"):
            e = np.where(ok, env.farrell if orientation == Orientation.INPUT else 1.0 / env.farrell, np.nan)
        return e, env.status.astype(np.int8)

    def shadow(self, x: np.ndarray, y: np.ndarray, tech: _Tech, side: str, label: str):
        """Shadow prices at the points (x_k, y_k) against ``tech`` (``DO.shdu`` for side 'output',
        ``DI.shdu`` for 'input'): (prices, status); P = u / phi (K, s) or W = v / theta (K, m).

        Output: phi = min v.x_k + w s.t. u.y_k = 1, u.y_f - v.x_f - w <= 0 (f in the frame); input:
        theta = max u.y_k + w s.t. v.x_k = 1, u.y_f - v.x_f + w <= 0; u, v >= 0, w free under VRS, 0
        under CRS, w >= 0 (output) / <= 0 (input) under NIRS and the reverse under NDRS. Where the
        optimum is 1 (the point on the frontier: the prices are tied) a second LP keeps it and
        maximises the smallest weight (module docstring)."""
        K, m = x.shape
        s = y.shape[1]
        out = side == "output"
        zx, zy = np.zeros((K, m)), np.zeros((K, s))
        norm = np.hstack([zx, y]) if out else np.hstack([x, zy])            # u.y_k = 1 | v.x_k = 1
        obj = np.hstack([x, zy]) if out else np.hstack([zx, -y])            # min v.x_k + w | -(u.y_k + w)

        def phase1(idx):
            return self._multiplier(tech, out, norm[idx], None, obj[idx], None, None)

        value = np.full(K, np.nan)
        status = np.full(K, LPStatus.NOT_SOLVED, dtype=np.int8)
        w = np.full((K, m + s), np.nan)
        todo = np.arange(K)
        if self.native:
            # the envelopment LP's duals are the multipliers: output v = -pi_x, u = pi_y; input the same
            # (the numba core certifies them); its fallbacks to HiGHS carry none and are solved below
            orient = Orientation.OUTPUT if out else Orientation.INPUT
            problem = radial_problem(x, y, tech.Xf, tech.Yf, rts=self.rts, orientation=orient, slacks=False)
            env = solve(self.lp, problem, label)
            self.usage = self.usage + env.usage
            sx, sy = column_scale(x, tech.Xf), column_scale(y, tech.Yf)
            have = np.isfinite(env.duals[:, :m + s]).all(axis=1) if env.duals is not None else np.zeros(K, bool)
            ok1 = env.status == LPStatus.OPTIMAL
            done = have | ~ok1
            status[done] = env.status[done]
            value[done & ok1] = env.t[done & ok1]
            w[done] = np.hstack([-env.duals[done, :m] / sx, env.duals[done, m:m + s] / sy]) if done.any() else 0.0
            todo = np.flatnonzero(~done)
        if todo.size:
            sol = solve_chunked(self.lp, todo.size, lambda k: phase1(todo[k]), label)
            self.usage = self.usage + sol.usage
            status[todo] = sol.status
            value[todo] = np.where(sol.status == LPStatus.OPTIMAL, sol.objective if out else -sol.objective, np.nan)
            w[todo] = sol.x.toarray()[:, :m + s]
        ok = status == LPStatus.OPTIMAL
        value[~ok] = np.nan
        tied = np.flatnonzero(ok & (np.abs(value - 1.0) <= ON_FRONTIER))
        if tied.size:
            keep = np.hstack([x, zy]) if out else np.hstack([zx, y])        # v.x_k + w <= phi | u.y_k + w >= theta

            def phase2(k, rtol):
                idx = tied[k]
                target = value[idx] * (1.0 + rtol if out else 1.0 - rtol)
                lo = np.full(idx.size, -np.inf) if out else target
                hi = target if out else np.full(idx.size, np.inf)
                return self._multiplier(tech, out, norm[idx], keep[idx], np.zeros((idx.size, m + s)), lo, hi)

            status2, x2, used = solve_keeping(self.lp, tied.size, phase2, label + " (tied prices)")
            self.usage = self.usage + used
            good = status2 == LPStatus.OPTIMAL
            w[tied[good]] = x2[good, :m + s]
        with np.errstate(divide="ignore", invalid="ignore"):
            prices = np.maximum(w[:, m:] if out else w[:, :m], 0.0) / value[:, None]
        prices[~ok] = np.nan
        return prices, status

    def _optimum_stacked(self, pts, prices, tech: _Tech, out: bool, label: str):
        """``optimum`` as stacked envelopment problems (``_stacked_problems``) in the numba core, in
        chunks of STACK_CHUNK points."""
        K = pts.shape[0]
        opt = np.full(K, np.nan)
        status = np.full(K, LPStatus.NOT_SOLVED, dtype=np.int8)
        try:
            for start in range(0, K, STACK_CHUNK):
                sl = slice(start, min(K, start + STACK_CHUNK))
                sols = solve_stack(self.lp, _stacked_problems(pts[sl], prices[sl], tech, out, self.rts))
                status[sl] = [sol.status[0] for sol in sols]
                opt[sl] = [sol.t[0] for sol in sols]
                for sol in sols:
                    self.usage = self.usage + sol.usage
        except BackendError as exc:
            raise SolverError(str(exc)) from None
        opt[status != LPStatus.OPTIMAL] = np.nan
        return opt, status

    def _multiplier(self, tech: _Tech, out: bool, norm, keep, costs, keep_lo, keep_hi) -> LPBatch:
        """A batch of shadow-price LPs, variables [v (m), u (s), w+, w-, (t)] (w = w+ - w-): the
        normalisation row, one row per frame unit; with ``keep`` (phase 2) the optimum kept and the
        smallest weight t <= v_i, u_r maximised."""
        Xf, Yf = tech.Xf, tech.Yf
        m, s = Xf.shape[1], Yf.shape[1]
        K, p = norm.shape[0], m + s
        second = keep is not None
        E = 2 if second else 1
        F = Xf.shape[0]
        nrow, ncol = E + F + (p if second else 0), p + 2 + int(second)
        sign = -1.0 if out else 1.0                   # of w in the frame rows
        A = np.zeros((nrow, ncol))
        A[E:E + F, :m] = -Xf
        A[E:E + F, m:p] = Yf
        A[E:E + F, p], A[E:E + F, p + 1] = sign, -sign
        if second:
            A[1, p], A[1, p + 1] = 1.0, -1.0
            A[E + F:, :p] = np.eye(p)                 # weight - t >= 0
            A[E + F:, p + 2] = -1.0
        cols = np.broadcast_to(A[:, :p], (K, nrow, p)).copy()
        cols[:, 0, :] = norm
        lo, hi = np.empty((K, nrow)), np.empty((K, nrow))
        lo[:, 0] = hi[:, 0] = 1.0
        if second:
            cols[:, 1, :] = keep
            lo[:, 1], hi[:, 1] = keep_lo, keep_hi
            lo[:, E + F:], hi[:, E + F:] = 0.0, np.inf
        lo[:, E:E + F], hi[:, E:E + F] = -np.inf, 0.0
        col_lo, col_hi = np.zeros(ncol), np.full(ncol, np.inf)
        w_lo, w_hi = _w_range(self.rts, out)
        if w_hi <= 0:
            col_hi[p] = 0.0                           # w <= 0: no positive part
        if w_lo >= 0:
            col_hi[p + 1] = 0.0                       # w >= 0: no negative part
        c = np.zeros(ncol)
        if second:
            c[p + 2] = -1.0
        else:
            c[p], c[p + 1] = (1.0, -1.0) if out else (-1.0, 1.0)
        base = LPProblem(c, A, lo[0], hi[0], col_lo, col_hi)
        return LPBatch(base, lo, hi, np.arange(p), cols, costs)

    def optimum(self, pts: np.ndarray, prices: np.ndarray, tech: _Tech, side: str, label: str):
        """Revenue max P_k.y at the inputs pts_k (side 'output') or cost min W_k.x at the outputs pts_k
        (side 'input') over ``tech``, one price vector per point: (optimum, status).

        Variables lambda (one per frame unit): max (Y_f P_k).lambda s.t. X_f'lambda <= x_k, RTS row, or
        min (X_f W_k).lambda s.t. Y_f'lambda >= y_k, RTS row. (The package's LPs carry the optimal
        outputs or inputs as variables; with non-negative prices they sit at Y_f'lambda, X_f'lambda.)"""
        K = pts.shape[0]
        out = side == "output"
        if self.native and self.stack:
            return self._optimum_stacked(pts, prices, tech, out, label)
        A_data = (tech.Xf if out else tech.Yf).T
        value = (tech.Yf if out else tech.Xf) @ prices.T                    # (F, K): P_k.y_f | W_k.x_f
        F = A_data.shape[1]
        bounds = rts_bounds(self.rts)
        nrow = A_data.shape[0] + (bounds is not None)
        A = np.zeros((nrow, F))
        A[:A_data.shape[0]] = A_data
        lo = np.empty((K, nrow))
        hi = np.empty((K, nrow))
        d = A_data.shape[0]
        if out:
            lo[:, :d], hi[:, :d] = -np.inf, pts
        else:
            lo[:, :d], hi[:, :d] = pts, np.inf
        if bounds is not None:
            A[d] = 1.0
            lo[:, d], hi[:, d] = bounds
        size = np.abs(value).max(axis=0)
        size = np.where(size > 0, size, 1.0)
        costs = (-value if out else value).T / size[:, None]
        base = LPProblem(np.zeros(F), A, lo[0], hi[0], np.zeros(F), np.full(F, np.inf))
        sol = solve_batch(self.lp, LPBatch(base, lo, hi, np.arange(F), None, costs), label)
        self.usage = self.usage + sol.usage
        ok = sol.status == LPStatus.OPTIMAL
        opt = np.where(ok, (-sol.objective if out else sol.objective) * size, np.nan)
        return opt, sol.status.astype(np.int8)


def _stacked_problems(pts: np.ndarray, prices: np.ndarray, tech: _Tech, out: bool, rts: RTS) -> list:
    """One envelopment problem per point, each against its own aggregated technology: revenue max at
    x_k is the output score of (x_k, 1) against (X_f, Y_f P_k); cost min at y_k the input score of
    (1, y_k) against (X_f W_k, Y_f). Column-scaled; t is the optimum itself."""
    bounds = rts_bounds(rts)
    e_lo, e_hi = (0.0, 0.0) if bounds is None else (1.0 - bounds[1], 1.0 - bounds[0])
    fixed = tech.Xf if out else tech.Yf
    agg = (tech.Yf if out else tech.Xf) @ prices.T                         # (F, K)
    sf = column_scale(fixed, pts)
    sa = np.abs(agg).mean(axis=0)
    sa = np.where(sa > 0, sa, 1.0)
    fs = fixed / sf
    problems = []
    for k in range(pts.shape[0]):
        col = (agg[:, k] / sa[k])[:, None]
        if out:
            R = np.hstack([fs, col])
            b = np.concatenate([pts[k] / sf, [0.0]])[None, :]
            g = np.concatenate([np.zeros(fs.shape[1]), [1.0 / sa[k]]])[None, :]
            k_in, c_t = fs.shape[1], -1.0
        else:
            R = np.hstack([col, fs])
            b = np.concatenate([[0.0], pts[k] / sf])[None, :]
            g = np.concatenate([[1.0 / sa[k]], np.zeros(fs.shape[1])])[None, :]
            k_in, c_t = 1, 1.0
        problems.append(EnvelopmentProblem(R, k_in, b, g, np.zeros(1), np.full(1, np.inf), c_t, bounds is not None,
                                           e_lo, e_hi, slacks=False))
    return problems


def _w_range(rts: RTS, out: bool) -> tuple[float, float]:
    """Range of the shadow-price LPs' w (the dual of the envelopment LP's returns-to-scale row)."""
    if rts == RTS.CRS:
        return 0.0, 0.0
    if rts == RTS.VRS:
        return -np.inf, np.inf
    nonneg = (rts == RTS.NIRS) == out              # output: NIRS w >= 0; input: NDRS w >= 0
    return (0.0, np.inf) if nonneg else (-np.inf, 0.0)


def _max_ratio(P: np.ndarray, W: np.ndarray, tech: _Tech) -> tuple[np.ndarray, np.ndarray]:
    """MP (``D.tfp``) for each price pair (P_k, W_k): max_f P_k.y_f / W_k.x_f over the frame, the optimum
    of the package's LP max P.y s.t. W.x = 1, (x, y) in the technology (its Charnes-Cooper form, whose
    optimum lies at a unit of the frame whatever the returns to scale). A unit with W.x_f = 0 < P.y_f
    makes it unbounded: (MP, status)."""
    K = P.shape[0]
    mp = np.full(K, np.nan)
    status = np.full(K, LPStatus.OPTIMAL, dtype=np.int8)
    for start in range(0, K, RATIO_CHUNK):
        sl = slice(start, min(K, start + RATIO_CHUNK))
        num = P[sl] @ tech.Yf.T
        den = W[sl] @ tech.Xf.T
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(den > 0, num / den, np.where(num > 0, np.inf, -np.inf))
        best = ratio.max(axis=1)
        bad = ~np.isfinite(best)
        mp[sl] = np.where(bad, np.nan, best)
        status[sl] = np.where(np.isinf(best) & (best > 0), LPStatus.UNBOUNDED,
                              np.where(bad, LPStatus.NUMERICAL, LPStatus.OPTIMAL))
    invalid = ~(np.all(np.isfinite(P), axis=1) & np.all(np.isfinite(W), axis=1))
    mp[invalid] = np.nan
    status[invalid] = LPStatus.NOT_SOLVED
    return mp, status


# --------------------------------------------------------------------------------------------------
# The indices
# --------------------------------------------------------------------------------------------------

@dataclass
class _Panel:
    X: np.ndarray                 # (n, m) scaled quantities
    Y: np.ndarray                 # (n, s)
    by_period: list[np.ndarray]   # rows of each period, units in a common order
    grid: np.ndarray              # (U, T) row of unit u in period k


def _components(orientation: Orientation, lv: dict, te: np.ndarray, se: np.ndarray, me: np.ndarray) -> None:
    """The efficiency levels of O'Donnell's decomposition into ``lv`` (AO, AI, TFP, MP, TFPE set)."""
    o = "o" if orientation == Orientation.OUTPUT else "i"
    with np.errstate(divide="ignore", invalid="ignore"):
        if o == "o":
            rse = lv["aggregate_output"] / (te * me) / lv["aggregate_input"] / lv["mp"]
        else:
            rse = lv["aggregate_output"] / (lv["aggregate_input"] * te * me) / lv["mp"]
        lv[f"{o}te"], lv[f"{o}se"], lv[f"{o}me"] = te, se, me
        lv[f"r{o}se"] = rse
        lv[f"{o}sme"] = me * rse
        lv["rme"] = lv["tfpe"] / te / se


def _common_prices(ctx: _Solver, pn: _Panel, orientation: Orientation, P: np.ndarray, W: np.ndarray, codes: _Codes,
                   label: str) -> dict:
    """Levels of an index with one pair of aggregation weights (Faere-Primont, Lowe)."""
    n = pn.X.shape[0]
    lv = {"aggregate_output": pn.Y @ P, "aggregate_input": pn.X @ W}
    with np.errstate(divide="ignore", invalid="ignore"):
        lv["tfp"] = lv["aggregate_output"] / lv["aggregate_input"]
    mp, te, se, me = (np.full(n, np.nan) for _ in range(4))
    for rows in pn.by_period:
        tech = ctx.tech(pn.X[rows], pn.Y[rows])
        mp[rows], st = _max_ratio(np.tile(P, (rows.size, 1)), np.tile(W, (rows.size, 1)), tech)
        codes.add(rows, st)
        te[rows], se[rows], me[rows] = _own_efficiencies(ctx, pn.X[rows], pn.Y[rows], tech, orientation, codes, rows)
        # mix: revenue max P.y at x_o (output score of (x_o, 1) against the aggregate output P.y_j), or
        # cost min W.x at y_o (input score of (1, y_o) against the aggregate input W.x_j)
        if orientation == Orientation.OUTPUT:
            q = (tech.X, (tech.Y @ P)[:, None])
            opt, st = ctx.distance(pn.X[rows], np.ones((rows.size, 1)), _Tech(*q, *q), orientation, ctx.rts)
            with np.errstate(divide="ignore", invalid="ignore"):
                me[rows] = (pn.Y[rows] @ P) * opt / te[rows]         # opt = 1 / R
        else:
            c = ((tech.X @ W)[:, None], tech.Y)
            opt, st = ctx.distance(np.ones((rows.size, 1)), pn.Y[rows], _Tech(*c, *c), orientation, ctx.rts)
            with np.errstate(divide="ignore", invalid="ignore"):
                me[rows] = opt / (pn.X[rows] @ W) / te[rows]         # opt = C
        codes.add(rows, st)
    lv["mp"] = mp
    with np.errstate(divide="ignore", invalid="ignore"):
        lv["tfpe"] = lv["tfp"] / mp
    _components(orientation, lv, te, se, me)
    return lv


def _own_efficiencies(ctx: _Solver, X, Y, tech: _Tech, orientation: Orientation, codes: _Codes, rows):
    """(TE under rts, SE = TE_CRS / TE, NaN mix placeholder) of the rows against their own period."""
    te, st = ctx.distance(X, Y, tech, orientation, ctx.rts)
    codes.add(rows, st)
    if ctx.rts == RTS.CRS:
        te_crs = te
    else:
        te_crs, st = ctx.distance(X, Y, tech, orientation, RTS.CRS)
        codes.add(rows, st)
    with np.errstate(divide="ignore", invalid="ignore"):
        se = te_crs / te
    return te, se, np.full(X.shape[0], np.nan)


def _base_changes(pn: _Panel, lv: dict, codes: np.ndarray) -> tuple[dict, np.ndarray]:
    """Faere-Primont and Lowe changes: each level over the unit's level in the first period."""
    first = np.empty(pn.X.shape[0], dtype=np.int64)
    for k, rows in enumerate(pn.by_period):
        first[rows] = pn.by_period[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        ch = {f"{name}_change": v / v[first] for name, v in lv.items()}
    status = np.where(codes == LPStatus.OPTIMAL, codes[first], codes).astype(np.int8)
    return ch, status


def _hicks_moorsteen(ctx: _Solver, pn: _Panel, orientation: Orientation, codes: _Codes) -> tuple[dict, dict, np.ndarray]:
    """Levels, changes and change statuses of the Hicks-Moorsteen index (module docstring)."""
    X, Y = pn.X, pn.Y
    n, m = X.shape
    s = Y.shape[1]
    T = len(pn.by_period)
    out = orientation == Orientation.OUTPUT
    techs = [ctx.tech(X[r], Y[r]) for r in pn.by_period]
    prev = np.arange(n)                                   # row of the same unit in the previous period
    for k in range(1, T):
        prev[pn.by_period[k]] = pn.by_period[k - 1]
    te, se = np.full(n, np.nan), np.full(n, np.nan)
    for k, rows in enumerate(pn.by_period):
        te[rows], se[rows], _ = _own_efficiencies(ctx, X[rows], Y[rows], techs[k], orientation, codes, rows)

    # Shadow prices: hs against the period-s technology, it against the period-t one (s = t - 1).
    P_hs, W_hs, P_it, W_it = (np.full((n, d), np.nan) for d in (s, m, s, m))
    for k, tech in enumerate(techs):
        rows = pn.by_period[k]
        nxt = pn.by_period[k + 1] if k + 1 < T else np.zeros(0, dtype=np.int64)
        if k == 0:      # the first period: s = t, both pairs are the prices at the unit's own data
            P, st = ctx.shadow(X[rows], Y[rows], tech, "output", "Hicks-Moorsteen shadow prices")
            P_hs[rows] = P_it[rows] = P
            codes.add(rows, st)
            W, st = ctx.shadow(X[rows], Y[rows], tech, "input", "Hicks-Moorsteen shadow prices")
            W_hs[rows] = W_it[rows] = W
            codes.add(rows, st)
            own_it = np.zeros(0, dtype=np.int64)
        else:
            own_it = rows
        t_rows = np.concatenate([own_it, nxt])          # rows whose prices come from this technology
        if not t_rows.size:
            continue
        nk = own_it.size
        # it (rows of period k): output prices at (x_t, y_s), input prices at (x_s, y_t);
        # hs (rows of period k + 1, whose s is k): output prices at (x_s, y_t), input prices at (x_t, y_s)
        xo = np.vstack([X[own_it], X[prev[nxt]]])
        yo = np.vstack([Y[prev[own_it]], Y[nxt]])
        xi = np.vstack([X[prev[own_it]], X[nxt]])
        yi = np.vstack([Y[own_it], Y[prev[nxt]]])
        P, st_o = ctx.shadow(xo, yo, tech, "output", "Hicks-Moorsteen shadow prices")
        W, st_i = ctx.shadow(xi, yi, tech, "input", "Hicks-Moorsteen shadow prices")
        P_it[own_it], W_it[own_it] = P[:nk], W[:nk]
        P_hs[nxt], W_hs[nxt] = P[nk:], W[nk:]
        codes.add(t_rows, st_o)
        codes.add(t_rows, st_i)

    with np.errstate(divide="ignore", invalid="ignore"):
        Qt = np.sqrt(np.sum(P_hs * Y, axis=1) * np.sum(P_it * Y, axis=1))
        Xt = np.sqrt(np.sum(W_hs * X, axis=1) * np.sum(W_it * X, axis=1))
        Qs = np.sqrt(np.sum(P_hs * Y[prev], axis=1) * np.sum(P_it * Y[prev], axis=1))
        Xs = np.sqrt(np.sum(W_hs * X[prev], axis=1) * np.sum(W_it * X[prev], axis=1))

    # MP (own technology: t; previous: s) and the mix efficiencies under both price pairs.
    mp_t, mp_s = np.full(n, np.nan), np.full(n, np.nan)
    me_t = {"hs": np.full(n, np.nan), "it": np.full(n, np.nan)}
    me_s = {"hs": np.full(n, np.nan), "it": np.full(n, np.nan)}
    s_codes = _Codes(n)                                   # LPs of a row's period-s values
    prices = {"hs": (P_hs, W_hs), "it": (P_it, W_it)}
    for k, tech in enumerate(techs):
        rows = pn.by_period[k]
        nxt = pn.by_period[k + 1] if k + 1 < T else np.zeros(0, dtype=np.int64)
        a_hs, st_a = _max_ratio(P_hs[rows], W_hs[rows], tech)
        a_it, st_b = _max_ratio(P_it[rows], W_it[rows], tech)
        mp_t[rows] = np.sqrt(a_hs * a_it)
        codes.add(rows, st_a)
        codes.add(rows, st_b)
        if nxt.size:
            b_hs, st_a = _max_ratio(P_hs[nxt], W_hs[nxt], tech)
            b_it, st_b = _max_ratio(P_it[nxt], W_it[nxt], tech)
            mp_s[nxt] = np.sqrt(b_hs * b_it)
            s_codes.add(nxt, st_a)
            s_codes.add(nxt, st_b)
        # revenue (cost) optima against this technology: at the data of the rows of period k (their own
        # mix efficiency) and at the period-k data of the rows of period k + 1 (their period-s values);
        # in the first period the hs and it prices are the same
        for key, (P, W) in prices.items():
            own = rows if (k > 0 or key == "hs") else np.zeros(0, dtype=np.int64)
            owners = np.concatenate([own, nxt])
            at = np.concatenate([own, prev[nxt]])
            if not owners.size:
                continue
            pr = (P if out else W)[owners]
            obs = Y[at] if out else X[at]
            valid = np.all(np.isfinite(pr), axis=1)
            opt = np.full(owners.size, np.nan)
            st = np.full(owners.size, LPStatus.NOT_SOLVED, dtype=np.int8)
            if valid.any():
                pts = X[at] if out else Y[at]
                opt[valid], st[valid] = ctx.optimum(pts[valid], pr[valid], tech, "output" if out else "input",
                                                    "Hicks-Moorsteen revenue" if out else "Hicks-Moorsteen cost")
            st = np.where(valid, st, LPStatus.OPTIMAL)        # rows without prices carry the prices' status
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = (np.sum(pr * obs, axis=1) / opt) if out else (opt / np.sum(pr * obs, axis=1))
                me_t[key][own] = ratio[:own.size] / te[own]
                me_s[key][nxt] = ratio[own.size:] / te[prev[nxt]]
            codes.add(own, st[:own.size])
            s_codes.add(nxt, st[own.size:])
        if k == 0:
            me_t["it"][rows] = me_t["hs"][rows]
    with np.errstate(divide="ignore", invalid="ignore"):
        me = np.sqrt(me_t["hs"] * me_t["it"])
        me2 = np.sqrt(me_s["hs"] * me_s["it"])
        lv = {"aggregate_output": Qt, "aggregate_input": Xt, "tfp": Qt / Xt, "mp": mp_t}
        lv["tfpe"] = lv["tfp"] / mp_t
        _components(orientation, lv, te, se, me)
        # period-s values under the row's prices (the package's Qs, Xs, TFP2, MP2, TFPE2, OME2, ...)
        lv2 = {"aggregate_output": Qs, "aggregate_input": Xs, "tfp": Qs / Xs, "mp": mp_s}
        lv2["tfpe"] = lv2["tfp"] / mp_s
        _components(orientation, lv2, te[prev], se[prev], me2)
        ch = {f"{name}_change": lv[name] / lv2[name] for name in lv}
        o = "o" if out else "i"
        for name in (f"{o}te", f"{o}se"):         # over the unit's own previous level
            ch[f"{name}_change"] = lv[name] / lv[name][prev]
    first = pn.by_period[0]
    for v in ch.values():
        v[first] = np.nan
    status = codes.code.copy()
    status = np.where(status == LPStatus.OPTIMAL, codes.code[prev], status)
    status = np.where(status == LPStatus.OPTIMAL, s_codes.code, status).astype(np.int8)
    status[first] = codes.code[first]
    return lv, ch, status


# --------------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------------

def productivity(data, id=None, period=None, inputs=None, outputs=None, index="hicks-moorsteen", rts="vrs",
                 orientation="output", input_prices=None, output_prices=None, *, solver=None,
                 screen: bool | None = None) -> ProductivityResult:
    """Levels and changes of a multiplicatively complete TFP index on a balanced panel (module
    docstring); a :class:`ProductivityResult`.

    ``data``: a DataFrame or CSV path, one row per unit and period; ``id`` the unit id column (or
    several), ``period`` the period column (numeric, e.g. years), ``inputs``/``outputs`` the quantity
    columns (lists or comma-separated strings). ``index``: 'hicks-moorsteen' (R productivity's
    ``hicksmoorsteen``), 'fare-primont' (``fareprim``) or 'lowe' (``lowe``, which needs
    ``input_prices`` and ``output_prices``: price columns, one per input / output in the same order,
    >= 0; the other indices take no prices). ``rts``: 'vrs' (default), 'crs', 'nirs', 'ndrs';
    ``orientation``: 'output' (default) or 'input'. ``solver``: the LP backend (default numba for the
    envelopment LPs, HiGHS for the others); ``screen``: solve against each period's frame (default from
    64 units per period; the results do not depend on it).

    Rows of both tables keep the input's order. Faere-Primont and Lowe changes are over the unit's first
    period (1 there); Hicks-Moorsteen changes are over the previous period (NaN in the first).
    """
    index = Index.parse(index, name="index")
    rts = RTS.parse(rts, name="rts")
    if rts not in (RTS.CRS, RTS.VRS, RTS.NIRS, RTS.NDRS):
        raise SpecError(f"rts: the productivity indices take 'crs', 'vrs', 'nirs' or 'ndrs', not {rts.value!r}")
    orientation = Orientation.parse(orientation, name="orientation")
    if orientation not in (Orientation.INPUT, Orientation.OUTPUT):
        raise SpecError(f"orientation: the productivity indices take 'output' or 'input', not {orientation.value!r}")
    if screen is not None and not isinstance(screen, (bool, np.bool_)):
        raise SpecError(f"screen: expected True, False or None, got {screen!r}")
    given = {"input_prices": _given(input_prices), "output_prices": _given(output_prices)}
    if index == Index.LOWE:
        for name, present in given.items():
            if not present:
                raise SpecError(f"{name}: the Lowe index needs {name.replace('_', ' ')} (column names, one per "
                                f"{name.split('_')[0]}, in the order of the {name.split('_')[0]}s)")
    else:
        for name, present in given.items():
            if present:
                raise SpecError(f"{name}: the {_INDEX_NAMES[index]} index aggregates with shadow prices and takes no "
                                f"{name.replace('_', ' ')}; leave them out, or use index='lowe'")
    price_names = {}
    if index == Index.LOWE:
        for role, prices in (("input", input_prices), ("output", output_prices)):
            names = _as_name_list(prices, f"{role}_prices")
            if not names or not all(isinstance(p, str) for p in names):
                raise SpecError(f"{role}_prices: give the price columns by name, one per {role}")
            price_names[role] = names
    layout = panel_layout(data, id, period, inputs, outputs, what=f"the {_INDEX_NAMES[index]} index",
                          other_columns={f"{r} price": v for r, v in price_names.items()})
    raw, fd, id_cols, units, grid = layout.raw, layout.fd, layout.id_cols, layout.units, layout.grid
    T, U, n = layout.T, len(units), fd.n
    require_positive_rows(fd, "inputs", f"the {_INDEX_NAMES[index]} index (its input aggregate and shadow prices)")
    require_positive_rows(fd, "outputs", f"the {_INDEX_NAMES[index]} index (its output aggregate and shadow prices)")
    Wp = Pp = None
    if index == Index.LOWE:
        Wp = _price_columns(raw, fd, price_names["input"], "input")
        Pp = _price_columns(raw, fd, price_names["output"], "output")
        for arr, role in ((Wp, "input"), (Pp, "output")):
            zero = ~np.any(arr > 0, axis=1)
            if zero.any():
                i = int(np.flatnonzero(zero)[0])
                more = f" ({int(zero.sum()) - 1} more rows like it)" if zero.sum() > 1 else ""
                raise DataError(f"{fd.source}: {fd.where(i)}: every {role} price is 0 (columns "
                                f"{', '.join(price_names[role])}); the Lowe index's "
                                f"{'revenue' if role == 'output' else 'cost'} and profitability are undefined{more}")

    layout.require_balanced(f"{_INDEX_NAMES[index]} index")
    if U < 2:
        raise DataError(f"{fd.source}: column(s) {', '.join(repr(c) for c in id_cols)}: one unit; a technology "
                        "needs at least two")
    by_period = [grid[:, k] for k in range(T)]
    mean_x, mean_y = fd.X.mean(axis=0), fd.Y.mean(axis=0)
    pn = _Panel(fd.X / mean_x, fd.Y / mean_y, by_period, grid)

    lp = backend(solver)
    ctx = _Solver(lp, rts, screen)
    codes = _Codes(n)
    out_w = in_w = None
    what = f"{_INDEX_NAMES[index]} index"
    if index == Index.HICKS_MOORSTEEN:
        lv, ch, st = _hicks_moorsteen(ctx, pn, orientation, codes)
    else:
        if index == Index.FARE_PRIMONT:
            pooled = ctx.tech(pn.X, pn.Y)
            xbar, ybar = pn.X.mean(axis=0)[None, :], pn.Y.mean(axis=0)[None, :]
            P, st_p = ctx.shadow(xbar, ybar, pooled, "output", "Faere-Primont shadow prices")
            W, st_w = ctx.shadow(xbar, ybar, pooled, "input", "Faere-Primont shadow prices")
            bad = [c for c in (st_p[0], st_w[0]) if c != LPStatus.OPTIMAL]
            if bad:
                codes.add(np.arange(n), bad[0])
                P, W = np.full(pn.Y.shape[1], np.nan), np.full(pn.X.shape[1], np.nan)
            else:
                P, W = P[0], W[0]
        else:
            P, W = Pp.mean(axis=0), Wp.mean(axis=0)
        lv = _common_prices(ctx, pn, orientation, P, W, codes, what)
        if index == Index.LOWE:
            o = orientation == Orientation.OUTPUT
            lv["re" if o else "ce"] = lv["ote"] * lv["ome"] if o else lv["ite"] * lv["ime"]
            rev, cost = np.sum(fd.Y * Pp, axis=1), np.sum(fd.X * Wp, axis=1)
            with np.errstate(divide="ignore", invalid="ignore"):
                price = {"revenue": rev, "cost": cost, "profitability": rev / cost,
                         "output_price": rev / lv["aggregate_output"], "input_price": cost / lv["aggregate_input"]}
                price["terms_of_trade"] = price["output_price"] / price["input_price"]
            lv = {**price, **lv}
        out_w = pd.Series(P / mean_y, index=list(fd.output_names), name="output_weights")
        in_w = pd.Series(W / mean_x, index=list(fd.input_names), name="input_weights")
        ch, st = _base_changes(pn, lv, codes.code)

    # NaN where the row's LPs failed.
    lcode = codes.code
    for v in lv.values():
        v[lcode != LPStatus.OPTIMAL] = np.nan
    for v in ch.values():
        v[st != LPStatus.OPTIMAL] = np.nan
    failed = st != LPStatus.OPTIMAL
    if failed.any() or (lcode != LPStatus.OPTIMAL).any():
        bad = (lcode != LPStatus.OPTIMAL) | failed
        labels, counts = np.unique(STATUS_LABELS[np.where(lcode != LPStatus.OPTIMAL, lcode, st)[bad]],
                                   return_counts=True)
        detail = ", ".join(f"{c} {lab}" for lab, c in zip(labels, counts))
        warnings.warn(f"{what}: {int(bad.sum())} of {n} rows have an LP without an optimum ({detail}); their values "
                      "are NaN where it enters and `status` says why", SolveWarning, stacklevel=2)
    label = report_usage(ctx.usage, lp, solver is not None, what, kind="lp")

    # Tables, input order.
    ids = fd.ids
    head: dict[str, object] = {}
    for level, name in enumerate(id_cols):
        head[name] = ids.get_level_values(level).to_numpy()
    periods = layout.periods
    head[period] = layout.row_periods
    level_names = (_PRICE_LEVELS if index == Index.LOWE else []) + _quantity_levels(orientation, index == Index.LOWE)
    o = "o" if orientation == Orientation.OUTPUT else "i"
    change_order = ["tfp", "mp", "tfpe", f"{o}te", f"{o}se", f"{o}me", f"r{o}se", f"{o}sme", "rme",
                    "aggregate_output", "aggregate_input"]
    if index == Index.LOWE:
        change_order += (["re"] if o == "o" else ["ce"]) + _PRICE_LEVELS
    status_l = STATUS_LABELS[lcode].astype(object)
    status_c = STATUS_LABELS[st].astype(object)
    level_table = pd.DataFrame({**head, **{nm: lv[nm] for nm in level_names}, "status": status_l})
    changes = pd.DataFrame({**head, **{f"{nm}_change": ch[f"{nm}_change"] for nm in change_order},
                            "status": status_c})
    return ProductivityResult(
        index=index.value, rts=rts.value, orientation=orientation.value, id_names=tuple(id_cols),
        period_name=period, periods=periods, input_names=fd.input_names, output_names=fd.output_names,
        input_price_names=tuple(price_names["input"]) if Wp is not None else None,
        output_price_names=tuple(price_names["output"]) if Pp is not None else None,
        output_weights=out_w, input_weights=in_w, solver=label, changes=changes, level_table=level_table,
        status=pd.Series(status_c, name="status"))


def _given(prices) -> bool:
    if prices is None:
        return False
    if isinstance(prices, str):
        return bool(prices.strip())
    try:
        return len(prices) > 0
    except TypeError:
        return True
