"""Slacks-based measure (Tone 2001), with undesirable outputs (Tone 2003/2004), super-SBM (Tone 2002)
and the additive model (Charnes, Cooper, Golany, Seiford and Stutz 1985).

SBM of DMU o (inputs x, good outputs y, bad outputs b; m, s, k of them), non-oriented:

    rho* = min (1 - (1/m) sum_i s-_i / x_io) / (1 + (1/(s+k)) (sum_r s+_r / y_ro + sum_l sb_l / b_lo))
    s.t.  X_r' lam + s- = x_o,  Y_r' lam - s+ = y_o,  B_r' lam + sb = b_o,  lam >= 0, RTS row

solved as an LP by the Charnes-Cooper transformation (t = 1 / denominator). Input orientation keeps
the numerator only (rho = 1 - mean input slack ratio), output orientation the denominator only
(rho = 1 / (1 + mean output slack ratio)). Zeros follow Tone (2001) and deaR: a zero input drops out
of the mean (its weight is 0 and the mean is over the positive inputs), a zero output is replaced by
one hundredth of the smallest positive value of that output ("case 2" of Tone 2001).

Super-SBM (Tone 2002), for an SBM-efficient DMU o, against the others:

    delta* = min ((1/m) sum_i xbar_i / x_io) / ((1/s) sum_r ybar_r / y_ro)
    s.t.  xbar >= X_r' lam,  ybar <= Y_r' lam,  xbar >= x_o,  0 <= ybar <= y_o,  lam_o = 0, RTS row

(input orientation fixes ybar = y_o, output orientation xbar = x_o). Inefficient DMUs keep their
SBM score. The additive model maximises the sum of slacks in data units.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from solvers import LPBatch, LPProblem, LPSolver, LPStatus, Usage

from ..spec import RTS, Orientation
from .envelopment import (Envelopment, column_scale, frame as find_frame, rts_bounds, solve, solve_batch, use_frame,
                          with_reference)


def _replace_zeros(Y: np.ndarray, Yr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Zeros -> 1/100 of the smallest positive value of the column (Tone 2001, case 2)."""
    both = np.vstack([Y, Yr])
    tiny = np.array([c[c > 0].min() / 100.0 if np.any(c > 0) else 1.0 for c in both.T])
    return np.where(Y > 0, Y, tiny), np.where(Yr > 0, Yr, tiny)


def _frame(R: np.ndarray, k_in: int, rts: RTS, solver, screen, exclude) -> np.ndarray | None:
    """The frame of the reference rows R (inputs and bad outputs first) when screening applies."""
    why_not = "a reference DMU is left out per DMU" if exclude is not None else None
    return find_frame(R, k_in, rts) if use_frame(solver, screen, R.shape[0], why_not) else None


def _rts_row(rts: RTS) -> tuple[float, float] | None:
    """Bounds of sum(Lambda) - t (Charnes-Cooper form of the RTS row)."""
    bounds = rts_bounds(rts)
    if bounds is None:
        return None
    return (-np.inf if bounds[0] == -np.inf else 0.0, np.inf if bounds[1] == np.inf else 0.0)


def sbm(X: np.ndarray, Y: np.ndarray, B: np.ndarray | None = None, Xr=None, Yr=None, Br=None, *,
        rts: RTS = RTS.VRS, orientation: Orientation = Orientation.NONE, solver: LPSolver,
        exclude: np.ndarray | None = None, screen: bool | None = None) -> Envelopment:
    """SBM scores rho (``farrell``), slacks, targets and lambdas of the rows of (X, Y, B)."""
    n, m = X.shape
    s = Y.shape[1]
    B, Xr, Yr, Br = with_reference(X, Y, B, Xr, Yr, Br)
    k = B.shape[1]
    Y, Yr = _replace_zeros(Y, Yr)
    if k:
        B, Br = _replace_zeros(B, Br)
    sx, sy, sb = column_scale(X, Xr), column_scale(Y, Yr), column_scale(B, Br) if k else np.ones(0)
    Xs, Ys, Bs = X / sx, Y / sy, B / sb
    Xrs, Yrs, Brs = Xr / sx, Yr / sy, Br / sb
    n_ref = Xr.shape[0]
    frame = _frame(np.hstack([Xrs, Brs, Yrs]), m + k, rts, solver, screen, exclude)
    if frame is not None:
        Xrs, Yrs, Brs = Xrs[frame], Yrs[frame], Brs[frame]
    nr = Xrs.shape[0]
    aux_i = 0.0 if orientation == Orientation.OUTPUT else 1.0
    aux_o = 0.0 if orientation == Orientation.INPUT else 1.0
    # variables [t, Lambda (nr), S- (m), S+ (s), Sb (k)]; rows [norm, inputs, outputs, bads, RTS]
    rts_row = _rts_row(rts)
    q = rts_row is not None
    nrow = 1 + m + s + k + q
    ncol = 1 + nr + m + s + k
    A = np.zeros((nrow, ncol))
    A[1:1 + m, 1:1 + nr] = Xrs.T
    A[1 + m:1 + m + s, 1:1 + nr] = Yrs.T
    A[1 + m + s:1 + m + s + k, 1:1 + nr] = Brs.T
    if q:
        A[-1, 1:1 + nr] = 1.0
    lo = np.zeros(nrow)
    hi = np.zeros(nrow)
    lo[0] = hi[0] = 1.0
    if q:
        lo[-1], hi[-1] = rts_row
    base = LPProblem(np.zeros(ncol), A, lo, hi, np.zeros(ncol), np.full(ncol, np.inf))
    vary = np.concatenate([[0], np.arange(1 + nr, ncol)])
    p = vary.size
    cols = np.zeros((n, nrow, p))
    cols[:, 0, 0] = 1.0                                   # t in the normalisation row
    cols[:, 1:1 + m, 0] = -Xs
    cols[:, 1 + m:1 + m + s, 0] = -Ys
    cols[:, 1 + m + s:1 + m + s + k, 0] = -Bs
    if q:
        cols[:, -1, 0] = -1.0
    npos = np.maximum((Xs > 0).sum(axis=1), 1)
    with np.errstate(divide="ignore"):
        w_in = np.where(Xs > 0, 1.0 / (npos[:, None] * Xs), 0.0)
    w_out = 1.0 / ((s + k) * np.hstack([Ys, Bs]))
    for i in range(m):                                    # S-: +1 in its input row
        cols[:, 1 + i, 1 + i] = 1.0
    for r in range(s):                                    # S+: -1 in its output row, weight in row 0
        cols[:, 1 + m + r, 1 + m + r] = -1.0
        cols[:, 0, 1 + m + r] = aux_o * w_out[:, r]
    for j in range(k):                                    # Sb: +1 in its bad-output row, weight in row 0
        cols[:, 1 + m + s + j, 1 + m + s + j] = 1.0
        cols[:, 0, 1 + m + s + j] = aux_o * w_out[:, s + j]
    costs = np.zeros((n, p))
    costs[:, 0] = 1.0
    costs[:, 1:1 + m] = -aux_i * w_in
    fix = None if exclude is None else np.where(exclude >= 0, exclude + 1, -1)
    sol = solve_batch(solver, LPBatch(base, np.tile(lo, (n, 1)), np.tile(hi, (n, 1)), vary, cols, costs, fix))
    ok = sol.status == LPStatus.OPTIMAL
    t = sol.x[:, [0]].toarray().ravel()
    t_safe = np.where(ok & (t > 0), t, np.nan)
    rho = np.where(ok, sol.objective, np.nan)
    dense = sol.x[:, 1 + nr:].toarray() / t_safe[:, None]
    slack = dense * np.concatenate([sx, sy, sb])
    lam = sp.csr_array(sol.x[:, 1:1 + nr].multiply(np.nan_to_num(1.0 / t_safe)[:, None]))
    if frame is not None:
        coo = sp.coo_array(lam)
        lam = sp.csr_array((coo.data, (coo.row, frame[coo.col])), shape=(n, n_ref))
    sx_, sy_, sb_ = slack[:, :m], slack[:, m:m + s], slack[:, m + s:]
    return Envelopment(rho, sol.status, lam, sx_, sy_, X - sx_, Y + sy_, sol.status.copy(), sol.usage, sb_, B - sb_)


def super_sbm(X: np.ndarray, Y: np.ndarray, *, rts: RTS, orientation: Orientation, solver: LPSolver,
              candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray, Usage]:
    """delta* (Tone 2002) of the DMUs ``candidates`` (indices), each against all the others."""
    X, _ = _replace_zeros(X, X)           # as deaR, zero inputs too are replaced in super-SBM
    Y, _ = _replace_zeros(Y, Y)
    n, m = X.shape
    s = Y.shape[1]
    sx, sy = column_scale(X), column_scale(Y)
    Xs, Ys = X / sx, Y / sy
    rts_row = _rts_row(rts)
    q = rts_row is not None
    # variables [t, Lambda (n), xbar (m), ybar (s)]; rows [norm, X'L - xbar <= 0, Y'L - ybar >= 0,
    # xbar - t x_o >= 0, ybar - t y_o <= 0, RTS]
    nrow = 1 + 2 * (m + s) + q
    ncol = 1 + n + m + s
    A = np.zeros((nrow, ncol))
    A[1:1 + m, 1:1 + n] = Xs.T
    A[1:1 + m, 1 + n:1 + n + m] = -np.eye(m)
    A[1 + m:1 + m + s, 1:1 + n] = Ys.T
    A[1 + m:1 + m + s, 1 + n + m:] = -np.eye(s)
    r3 = 1 + m + s
    A[r3:r3 + m, 1 + n:1 + n + m] = np.eye(m)
    A[r3 + m:r3 + m + s, 1 + n + m:] = np.eye(s)
    lo = np.concatenate([[1.0], np.full(m, -np.inf), np.zeros(s), np.zeros(m), np.full(s, -np.inf)])
    hi = np.concatenate([[1.0], np.zeros(m), np.full(s, np.inf), np.full(m, np.inf), np.zeros(s)])
    if orientation == Orientation.INPUT:                  # ybar = t y_o
        lo[r3 + m:r3 + m + s] = 0.0
    elif orientation == Orientation.OUTPUT:               # xbar = t x_o
        hi[r3:r3 + m] = 0.0
    if q:
        A[-1, 1:1 + n] = 1.0
        lo = np.append(lo, rts_row[0])
        hi = np.append(hi, rts_row[1])
    c = np.zeros(ncol)
    base = LPProblem(c, A, lo, hi, np.zeros(ncol), np.full(ncol, np.inf))
    idx = np.asarray(candidates, dtype=np.int64)
    K = idx.size
    vary = np.concatenate([[0], np.arange(1 + n, ncol)])
    cols = np.zeros((K, nrow, vary.size))
    cols[:, r3:r3 + m, 0] = -Xs[idx]
    cols[:, r3 + m:r3 + m + s, 0] = -Ys[idx]
    if q:
        cols[:, -1, 0] = -1.0
    for i in range(m):
        cols[:, 1 + i, 1 + i] = -1.0
        cols[:, r3 + i, 1 + i] = 1.0
    for r in range(s):
        cols[:, 1 + m + r, 1 + m + r] = -1.0
        cols[:, r3 + m + r, 1 + m + r] = 1.0
    costs = np.zeros((K, vary.size))
    if orientation == Orientation.OUTPUT:                 # max mean ybar / y_o, t fixed by row 0
        cols[:, 0, 0] = 1.0
        costs[:, 1 + m:] = -1.0 / (s * Ys[idx])
    else:
        costs[:, 1:1 + m] = 1.0 / (m * Xs[idx])
        if orientation == Orientation.INPUT:
            cols[:, 0, 0] = 1.0
        else:
            cols[:, 0, 1 + m:] = 1.0 / (s * Ys[idx])
    sol = solve_batch(solver, LPBatch(base, np.tile(lo, (K, 1)), np.tile(hi, (K, 1)), vary, cols, costs,
                                      idx + 1))
    delta = np.where(sol.status == LPStatus.OPTIMAL, sol.objective, np.nan)
    if orientation == Orientation.OUTPUT:
        delta = -1.0 / delta
    return delta, sol.status, sol.usage


def additive(X: np.ndarray, Y: np.ndarray, Xr=None, Yr=None, *, rts: RTS, solver: LPSolver,
             exclude: np.ndarray | None = None, screen: bool | None = None) -> Envelopment:
    """The additive model: max sum of slacks (data units) s.t. X_r' lam + s- = x_o, Y_r' lam - s+ = y_o."""
    from .radial import Discretion, _Setup
    if Xr is None:
        Xr, Yr = X, Y
    n, m = X.shape
    sx, sy = column_scale(X, Xr), column_scale(Y, Yr)
    R = np.hstack([Xr / sx, Yr / sy])
    n_ref = R.shape[0]
    frame = _frame(R, m, rts, solver, screen, exclude)
    if frame is not None:
        R = R[frame]
    S = _Setup(R, m, rts, Discretion.none(m, Y.shape[1]), np.concatenate([sx, sy]))
    b = np.hstack([X / sx, Y / sy])
    sol = solve(solver, S.problem(b, np.zeros_like(b), 0.0, 0.0, 0.0, True, exclude), "additive DEA")
    lam = sol.lambdas
    if frame is not None:
        coo = sp.coo_array(lam)
        lam = sp.csr_array((coo.data, (coo.row, frame[coo.col])), shape=(n, n_ref))
    slack = sol.slack * np.concatenate([sx, sy])
    total = np.where(sol.status == LPStatus.OPTIMAL, slack.sum(axis=1), np.nan)
    return Envelopment(total, sol.status, lam, slack[:, :m], slack[:, m:], X - slack[:, :m], Y + slack[:, m:],
                       sol.slack_status, sol.usage)
