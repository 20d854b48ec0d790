"""The Russell measure (Faere and Lovell 1978): non-radial, one factor per input or per output.

For DMU o against reference DMUs (X_r, Y_r), with P the inputs (outputs) of o that are positive:

* input:  min (1/|P|) sum_{i in P} theta_i  s.t.  X_r' lam <= theta o x_o,  Y_r' lam >= y_o,
          0 <= theta_i <= 1,  lam >= 0,  RTS row
* output: max (1/|P|) sum_{r in P} phi_r    s.t.  X_r' lam <= x_o,  Y_r' lam >= phi o y_o,
          phi_r >= 1,  lam >= 0,  RTS row

(o: elementwise). This is deaR's ``model_nonradial`` (whose input rows are equalities; at an optimum
they bind for every positive input, since a slack would let its theta fall). Phase II, as deaR's
``maxslack = TRUE`` with unit weights, maximises the slacks of the other side in data units at the
optimal factors: the output slacks sum(Y_r' lam - y_o) (input) or the input slacks sum(x_o - X_r' lam)
(output). Targets: (theta* o x_o, Y_r' lam) and (X_r' lam, phi* o y_o).

A zero input (output) has no factor: as in Faere, Lovell and Grosskopf's definition, the mean runs
over the positive ones (deaR instead counts a zero input with theta = 0), and its factor is NaN; its
row holds as X_r' lam <= 0 (input), or Y_r' lam >= 0 (output, where its "slack" is Y_r' lam). The
efficiency is the mean theta (input) and 1 / mean phi (output, the Shephard side of section 3; mean
phi is ``farrell``). With one input (output) the measure is the radial one; otherwise it is at most
the radial score (theta = theta* for all i is feasible). Scaling a variable's unit leaves it unchanged.

The LPs are generic (one factor per variable): solved as LP batches (HiGHS with the default backend),
against the frame of the reference set where screening applies: the measure depends on the
technology only, which the frame spans, and at the optimum the factor rows bind for every positive
variable, so the frame's combinations reach the same point.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from solvers import LPBatch, LPProblem, LPSolver, LPStatus, Usage
from solvers.envelopment import SLACK_MARGINS, replace_rows

from ..spec import RTS, Orientation
from .envelopment import GRS, Envelopment, rts_bounds, solve_batch, on_reference, scaled
from .fdh import fdh_russell


def russell(X: np.ndarray, Y: np.ndarray, Xr: np.ndarray | None = None, Yr: np.ndarray | None = None, *,
            rts: RTS | GRS = RTS.VRS, orientation: Orientation = Orientation.INPUT, solver: LPSolver,
            slacks: bool = True, screen: bool | None = None) -> Envelopment:
    """Russell measure of the rows of (X, Y) against (Xr, Yr) (module docstring): ``farrell`` = mean
    theta (input) or mean phi (output), ``factors`` = theta per input or phi per output (NaN for a
    zero variable), phase II slacks and targets in data units."""
    if Xr is None:
        Xr, Yr = X, Y
    if rts == RTS.FDH:
        return fdh_russell(X, Y, Xr, Yr, orientation=orientation)
    inward = orientation == Orientation.INPUT
    n, m = X.shape
    s = Y.shape[1]
    d = scaled(X, Y, Xr, Yr, rts=rts, solver=solver, screen=screen)
    sx, sy, Xs, Ys, Xrs, Yrs, frame, n_ref = d.sx, d.sy, d.Xs, d.Ys, d.Xrs, d.Yrs, d.frame, d.n_ref
    nr = Xrs.shape[0]
    rts_row = rts_bounds(rts)
    q = rts_row is not None
    own = Xs if inward else Ys                 # the side with the factors
    k = own.shape[1]
    pos = own > 0
    npos = np.maximum(pos.sum(axis=1), 1)

    # Phase I. Variables [factor (k), lam (nr)]; rows [inputs (m), outputs (s), RTS (q)].
    nrow = m + s + q
    A = np.zeros((nrow, k + nr))
    A[:m, k:] = Xrs.T
    A[m:m + s, k:] = Yrs.T
    if q:
        A[m + s, k:] = 1.0
    lo, hi = np.zeros((n, nrow)), np.zeros((n, nrow))
    cols = np.zeros((n, nrow, k))
    first = 0 if inward else m                 # first row of the factors' side
    cols[:, first + np.arange(k), np.arange(k)] = -own
    if inward:                                 # X' lam - theta x_o <= 0,  Y' lam >= y_o
        lo[:, :m], hi[:, :m] = -np.inf, 0.0
        lo[:, m:m + s], hi[:, m:m + s] = Ys, np.inf
        f_lo, f_hi, sign = 0.0, 1.0, 1.0
    else:                                      # X' lam <= x_o,  Y' lam - phi y_o >= 0
        lo[:, :m], hi[:, :m] = -np.inf, Xs
        lo[:, m:m + s], hi[:, m:m + s] = 0.0, np.inf
        f_lo, f_hi, sign = 1.0, np.inf, -1.0
    if q:
        lo[:, m + s], hi[:, m + s] = rts_row
    costs = sign * np.where(pos, 1.0 / npos[:, None], 0.0)
    col_lo = np.concatenate([np.full(k, f_lo), np.zeros(nr)])
    col_hi = np.concatenate([np.full(k, f_hi), np.full(nr, np.inf)])
    base = LPProblem(np.zeros(k + nr), A, lo[0], hi[0], col_lo, col_hi)
    sol = solve_batch(solver, LPBatch(base, lo, hi, np.arange(k), cols, costs), "Russell DEA")
    status, usage = sol.status.copy(), sol.usage
    ok = status == LPStatus.OPTIMAL
    factors = np.where(ok[:, None] & pos, sol.x[:, :k].toarray(), np.nan)
    mean = np.where(ok, sign * sol.objective, np.nan)
    lam = sp.csr_array(sol.x[:, k:])
    out_x, out_y = None, None
    slack_status = None
    if slacks:
        lam, slack_status, more = _phase2(Xs, Ys, Xrs, Yrs, factors, ok, inward, rts_row, sx, sy, solver, lam)
        usage = usage + more
        out_x, out_y = lam @ Xrs * sx, lam @ Yrs * sy
    lam = on_reference(lam, frame, n_ref)
    if not slacks:
        return Envelopment(mean, status, lam, usage=usage, factors=factors)
    good = ok & (slack_status == LPStatus.OPTIMAL)
    f = np.nan_to_num(factors)
    if inward:                                 # targets (theta* x_o, Y' lam)
        tx = np.where(pos, f * X, X)
        ty = out_y
        sl_x, sl_y = np.zeros_like(X), ty - Y
    else:                                      # targets (X' lam, phi* y_o); a zero output's slack is Y' lam
        tx = out_x
        ty = np.where(pos, f * Y, out_y)
        sl_x, sl_y = X - tx, np.where(pos, 0.0, ty)
    nan = ~good[:, None]
    return Envelopment(mean, status, lam, np.where(nan, np.nan, sl_x), np.where(nan, np.nan, sl_y),
                       np.where(nan, np.nan, tx), np.where(nan, np.nan, ty), slack_status, usage,
                       factors=factors)


def _phase2(Xs, Ys, Xrs, Yrs, factors, ok, inward, rts_row, sx, sy, solver, lam):
    """Max slacks of the other side (data units) at the optimal factors: input, max sum_r (Y' lam)_r
    s.t. X' lam <= theta* o x_o, Y' lam >= y_o; output, min sum_i (X' lam)_i s.t. X' lam <= x_o,
    Y' lam >= phi* o y_o (each with the RTS row). A point the solver put a hair outside the
    technology gets the factors nudged outward by SLACK_MARGINS in turn."""
    n, m = Xs.shape
    s = Ys.shape[1]
    nr = Xrs.shape[0]
    q = rts_row is not None
    A = np.vstack([Xrs.T, Yrs.T] + ([np.ones((1, nr))] if q else []))
    # cost per lam_j: -(sum of its outputs in data units) (input) or +(sum of its inputs) (output)
    c = -(Yrs * sy).sum(axis=1) if inward else (Xrs * sx).sum(axis=1)
    c = c / max(1.0, np.abs(c).max())
    f = np.nan_to_num(factors, nan=1.0)
    status = np.full(n, LPStatus.NOT_SOLVED, dtype=np.int8)
    usage = Usage()
    todo = np.flatnonzero(ok)
    for margin in SLACK_MARGINS:
        if not todo.size:
            break
        lo = np.zeros((todo.size, A.shape[0]))
        hi = np.zeros((todo.size, A.shape[0]))
        if inward:
            lo[:, :m], hi[:, :m] = -np.inf, f[todo] * Xs[todo] * (1.0 + margin)
            lo[:, m:m + s], hi[:, m:m + s] = Ys[todo], np.inf
        else:
            lo[:, :m], hi[:, :m] = -np.inf, Xs[todo]
            lo[:, m:m + s], hi[:, m:m + s] = f[todo] * Ys[todo] * (1.0 - margin), np.inf
        if q:
            lo[:, m + s], hi[:, m + s] = rts_row
        base = LPProblem(c, A, lo[0], hi[0], np.zeros(nr), np.full(nr, np.inf))
        sol = solve_batch(solver, LPBatch(base, lo, hi), "Russell DEA (slacks)")
        usage = usage + sol.usage
        good = sol.status == LPStatus.OPTIMAL
        status[todo] = sol.status
        lam = replace_rows(lam, todo[good], sp.csr_array(sol.x[np.flatnonzero(good)]))
        todo = todo[~good]
    return lam, status, usage
