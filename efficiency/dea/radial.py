"""Radial DEA in envelopment form: CCR (Charnes, Cooper and Rhodes 1978), BCC (Banker, Charnes and
Cooper 1984), NIRS and NDRS; input, output and hyperbolic graph orientation; phase II slacks.

For DMU o with inputs x_o and outputs y_o, against reference DMUs with inputs X_r and outputs Y_r:

* input:  theta* = min theta  s.t. X_r' lam <= theta x_o,  Y_r' lam >= y_o,  lam >= 0, RTS row
* output: phi*   = max phi    s.t. X_r' lam <= x_o,        Y_r' lam >= phi y_o, lam >= 0, RTS row
* graph:  G*     = min G      s.t. X_r' lam <= G x_o,      Y_r' lam >= y_o / G  (Faere, Grosskopf and
  Lovell 1985). Under CRS G* = sqrt(theta*) exactly; otherwise G* is the fixed point G = theta(G) of
  the input score theta(G) of (x_o, y_o / G), found by bisection to a relative width of 1e-12.

RTS row on sum(lam): CRS none, VRS = 1, NIRS <= 1, NDRS >= 1. Phase II (Ali and Seiford 1993; Cooper,
Seiford and Tone 2007, ch. 3) then maximises the sum of slacks in data units at the optimal score:

    max 1's- + 1's+  s.t.  X_r' lam + s- = a_x x_o,  Y_r' lam - s+ = a_y y_o,  RTS row

with (a_x, a_y) = (theta*, 1), (1, phi*) or (G*, 1/G*). Targets are (a_x x_o - s-, a_y y_o + s+).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from solvers import LPBatch, LPProblem, LPSolver, LPStatus

from ..spec import RTS, Orientation
from .envelopment import Envelopment, column_scale, replace_rows, rts_bounds, solve

#: Relative width at which the hyperbolic bisection stops.
GRAPH_RTOL = 1e-12
#: Relative margins tried, in turn, to move the phase II point into the technology when its LP is
#: infeasible: a score is only as exact as its solver's tolerance (the hyperbolic bisection ends
#: within it; CBC through PuLP returns 8 significant digits), so the point (a_x x_o, a_y y_o) can lie
#: a hair outside the technology, where the phase II equalities have no solution.
PHASE2_MARGINS = (0.0, 1e-11, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6)


def _base(Xr: np.ndarray, Yr: np.ndarray, rts: RTS, lead: int, trail: int, cost: np.ndarray) -> LPProblem:
    """LP skeleton with ``lead`` free-to-set columns before the lambdas and ``trail`` after; rows are
    the m input rows, the s output rows, then the RTS row if any; row bounds are set per problem."""
    nr, m = Xr.shape
    s = Yr.shape[1]
    bounds = rts_bounds(rts)
    nrow = m + s + (bounds is not None)
    A = np.zeros((nrow, lead + nr + trail))
    A[:m, lead:lead + nr] = Xr.T
    A[m:m + s, lead:lead + nr] = Yr.T
    if bounds is not None:
        A[m + s, lead:lead + nr] = 1.0
    ncol = A.shape[1]
    return LPProblem(cost, A, np.zeros(nrow), np.zeros(nrow), np.zeros(ncol), np.full(ncol, np.inf))


@dataclass(frozen=True)
class Discretion:
    """Which inputs and outputs the DMU controls (Banker and Morey 1986).

    ``nd_x``/``nd_y``: non-discretionary, kept at their observed level instead of being scaled by the
    score, and left out of the phase II slack objective; ``nc_x``/``nc_y``: non-controllable, held
    at exactly the observed level (an equality row, no slack), as deaR's ``nc_inputs`` does.
    """

    nd_x: np.ndarray
    nd_y: np.ndarray
    nc_x: np.ndarray
    nc_y: np.ndarray

    @classmethod
    def none(cls, m: int, s: int) -> "Discretion":
        return cls(np.zeros(m, bool), np.zeros(s, bool), np.zeros(m, bool), np.zeros(s, bool))

    @property
    def free_x(self) -> np.ndarray:
        """Inputs scaled by the score."""
        return ~(self.nd_x | self.nc_x)

    @property
    def free_y(self) -> np.ndarray:
        return ~(self.nd_y | self.nc_y)


def _rows(rts: RTS, k: int, in_lo, in_hi, out_lo, out_hi) -> tuple[np.ndarray, np.ndarray]:
    """Row bounds (K, nrow) from per-block bounds, with the RTS row appended."""
    lo, hi = [np.hstack([a, b]) for a, b in ((in_lo, out_lo), (in_hi, out_hi))]
    bounds = rts_bounds(rts)
    if bounds is not None:
        lo = np.hstack([lo, np.full((k, 1), bounds[0])])
        hi = np.hstack([hi, np.full((k, 1), bounds[1])])
    return lo, hi


def _targets(X, Y, ax, ay, d: Discretion) -> tuple[np.ndarray, np.ndarray]:
    """The radial point (a_x x_o, a_y y_o) on the controllable variables, the rest as observed."""
    return (np.where(d.free_x, ax[:, None] * X, X), np.where(d.free_y, ay[:, None] * Y, Y))


def _exclude(exclude: np.ndarray | None, offset: int) -> np.ndarray | None:
    if exclude is None:
        return None
    return np.where(exclude >= 0, exclude + offset, -1)


def _phase1(X, Y, Xr, Yr, rts, orientation, solver, exclude, d: Discretion):
    """theta* (input) or phi* (output) for every evaluated DMU, with statuses and lambdas."""
    n, m = X.shape
    s = Y.shape[1]
    nr = Xr.shape[0]
    inp = orientation == Orientation.INPUT
    cost = np.zeros(1 + nr)
    cost[0] = 1.0 if inp else -1.0
    base = _base(Xr, Yr, rts, 1, 0, cost)
    nrow = base.A.shape[0]
    col = np.zeros((n, nrow, 1))
    x_lo = np.where(d.nc_x, X, -np.inf)
    y_hi = np.where(d.nc_y, Y, np.inf)
    if inp:
        col[:, :m, 0] = np.where(d.free_x, -X, 0.0)
        lo, hi = _rows(rts, n, x_lo, np.where(d.free_x, 0.0, X), Y, y_hi)
    else:
        col[:, m:m + s, 0] = np.where(d.free_y, -Y, 0.0)
        lo, hi = _rows(rts, n, x_lo, X, np.where(d.free_y, 0.0, Y), y_hi)
    batch = LPBatch(base, lo, hi, np.array([0]), col, None, _exclude(exclude, 1))
    sol = solve(solver, batch)
    score = sol.x[:, [0]].toarray().ravel()
    score[sol.status != LPStatus.OPTIMAL] = np.nan
    return score, sol.status, sol.x[:, 1:]


def _graph(X, Y, Xr, Yr, rts, solver, exclude, d: Discretion):
    """Hyperbolic graph efficiency G* by bisection on the fixed point G = theta(G).

    theta(G) is the input-oriented score of (x_o, y_o / G): an LP optimum, exact to rounding, where a
    feasibility test of (G x_o, y_o / G) is only as sharp as the LP's feasibility tolerance. The point
    (G x_o, y_o / G) is in the technology exactly when theta(G) <= G, and theta is non-increasing in G,
    so bisection finds G*. It is bracketed by sqrt(theta_CRS) from below when every variable is
    discretionary (G* under CRS, whose technology contains the others), and by 0 otherwise.
    """
    n = X.shape[0]
    plain = d.free_x.all() and d.free_y.all()
    theta, status, lam = _phase1(X, Y, Xr, Yr, RTS.CRS, Orientation.INPUT, solver, exclude, d)
    if plain and rts == RTS.CRS:
        return np.sqrt(theta), status, lam

    def inside(rows: np.ndarray, G: np.ndarray) -> np.ndarray:
        Yg = np.where(d.free_y, Y[rows] / G[:, None], Y[rows])
        t, st, _ = _phase1(X[rows], Yg, Xr, Yr, rts, Orientation.INPUT, solver,
                           None if exclude is None else exclude[rows], d)
        return (st == LPStatus.OPTIMAL) & (t <= G)

    lo = np.sqrt(theta) if plain else np.zeros(n)
    ok = status == LPStatus.OPTIMAL
    idx = np.flatnonzero(ok)
    hi = np.where(ok, np.maximum(np.nan_to_num(lo), 1.0), np.nan)
    # Make the upper end feasible (it is 1 for a DMU in its own reference set; not always otherwise).
    feas = inside(idx, hi[idx])
    for _ in range(60):
        bad = idx[~feas]
        if bad.size == 0:
            break
        hi[bad] *= 4.0
        feas[np.isin(idx, bad)] = inside(bad, hi[bad])
    status = status.copy()
    status[idx[~feas]] = LPStatus.INFEASIBLE
    live = idx[feas]
    while live.size:
        mid = 0.5 * (lo[live] + hi[live])
        f = inside(live, mid)
        hi[live[f]] = mid[f]
        lo[live[~f]] = mid[~f]
        live = live[(hi[live] - lo[live]) > GRAPH_RTOL * hi[live]]
    G = np.where(status == LPStatus.OPTIMAL, hi, np.nan)
    return G, status, sp.csr_array((n, Xr.shape[0]))


def _phase2(X, Y, Xr, Yr, rts, ax, ay, weights_x, weights_y, solver, exclude, d: Discretion):
    """Max-sum-of-slacks LP at fixed (a_x, a_y); returns slacks (scaled units), lambdas, status."""
    n, m = X.shape
    s = Y.shape[1]
    nr = Xr.shape[0]
    w = np.concatenate([np.where(d.nd_x, 0.0, weights_x), np.where(d.nd_y, 0.0, weights_y)])
    w = w / w.max() if w.max() > 0 else w
    cost = np.concatenate([np.zeros(nr), -w])
    base = _base(Xr, Yr, rts, 0, m + s, cost)
    base.A[:m, nr:nr + m] = np.eye(m)
    base.A[m:m + s, nr + m:] = -np.eye(s)
    base.col_upper[nr:] = np.where(np.concatenate([d.nc_x, d.nc_y]), 0.0, np.inf)
    rx, ry = _targets(X, Y, ax, ay, d)
    lo, hi = _rows(rts, n, rx, rx, ry, ry)
    sol = solve(solver, LPBatch(base, lo, hi, fix_zero=_exclude(exclude, 0)))
    slk = sol.x[:, nr:].toarray()
    bad = sol.status != LPStatus.OPTIMAL
    slk[bad] = np.nan
    return slk[:, :m], slk[:, m:], sol.x[:, :nr], sol.status


def radial(X: np.ndarray, Y: np.ndarray, Xr: np.ndarray | None = None, Yr: np.ndarray | None = None, *,
           rts: RTS = RTS.VRS, orientation: Orientation = Orientation.INPUT, solver: LPSolver,
           slacks: bool = True, exclude: np.ndarray | None = None,
           discretion: Discretion | None = None) -> Envelopment:
    """Radial DEA scores of the rows of (X, Y) against the reference (Xr, Yr) (default: themselves).

    Returns the Farrell measure (theta <= 1 input, phi >= 1 output, G <= 1 graph), statuses, phase II
    slacks in data units (when ``slacks``) and lambdas. ``exclude[k]`` is a reference row left out
    when evaluating row k (super-efficiency), or -1. ``discretion`` marks non-discretionary and
    non-controllable variables (default: all discretionary).
    """
    if Xr is None:
        Xr, Yr = X, Y
    d = discretion or Discretion.none(X.shape[1], Y.shape[1])
    sx = column_scale(X, Xr)
    sy = column_scale(Y, Yr)
    Xs, Ys, Xrs, Yrs = X / sx, Y / sy, Xr / sx, Yr / sy
    if orientation == Orientation.GRAPH:
        score, status, lam = _graph(Xs, Ys, Xrs, Yrs, rts, solver, exclude, d)
        ax, ay = score.copy(), 1.0 / score
    else:
        score, status, lam = _phase1(Xs, Ys, Xrs, Yrs, rts, orientation, solver, exclude, d)
        one = np.ones_like(score)
        ax, ay = (score.copy(), one) if orientation == Orientation.INPUT else (one, score.copy())
    if not slacks:
        return Envelopment(score, status, sp.csr_array(lam))
    ok = np.flatnonzero(status == LPStatus.OPTIMAL)
    n, m, s = X.shape[0], X.shape[1], Y.shape[1]
    slack_x = np.full((n, m), np.nan)
    slack_y = np.full((n, s), np.nan)
    slack_status = np.full(n, LPStatus.NOT_SOLVED, dtype=np.int8)
    lam = sp.csr_array(lam)
    todo = ok
    for margin in PHASE2_MARGINS:
        if not todo.size:
            break
        if margin and orientation == Orientation.OUTPUT:
            ay[todo] = score[todo] * (1.0 - margin)
        elif margin:
            ax[todo] = score[todo] * (1.0 + margin)
            if orientation == Orientation.GRAPH:
                ay[todo] = 1.0 / ax[todo]
        sxo, syo, lam_ok, st2 = _phase2(Xs[todo], Ys[todo], Xrs, Yrs, rts, ax[todo], ay[todo], sx, sy,
                                        solver, None if exclude is None else exclude[todo], d)
        slack_x[todo] = sxo * sx
        slack_y[todo] = syo * sy
        slack_status[todo] = st2
        good = st2 == LPStatus.OPTIMAL   # where phase II failed, phase I's lambdas stay
        lam = replace_rows(lam, todo[good], sp.csr_array(lam_ok)[np.flatnonzero(good)])
        todo = todo[~good]
    rx, ry = _targets(X, Y, ax, ay, d)
    target_x = rx - slack_x
    target_y = ry + slack_y
    return Envelopment(score, status, lam, slack_x, slack_y, target_x, target_y, slack_status)
