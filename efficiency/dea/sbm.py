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

Super-SBM (Tone 2002), for an SBM-efficient DMU o, against the others, with bad outputs as in Tone
(2004) (a bad output that must grow to reach the others' frontier is a shortfall, like a good
output that must shrink):

    delta* = min (1 + (1/m) sum_i t-_i / x_io) / (1 - (1/(s+k)) (sum_r tg_r / y_ro + sum_l tb_l / b_lo))
    s.t.  X_r' lam <= x_o + t-,  Y_r' lam >= y_o - tg,  B_r' lam <= b_o + tb,  tg <= y_o,
          t-, tg, tb >= 0,  lam_o = 0, RTS row

which without bad outputs is Tone's (2002) min ((1/m) sum xbar_i / x_io) / ((1/s) sum ybar_r / y_ro)
with xbar = x_o + t-, ybar = y_o - tg. Input orientation keeps the outputs (tg = tb = 0), output
orientation the inputs (t- = 0). Inefficient DMUs keep their SBM score. The additive model
maximises the sum of slacks in data units.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from solvers import LPBatch, LPProblem, LPSolver, LPStatus, Usage

from ..spec import RTS, Orientation
from .envelopment import (GRS, Envelopment, column_scale, frame as find_frame, rts_bounds, solve, solve_batch,
                          use_frame, with_reference, on_reference)
from .fdh import fdh_slacks
from .frh import frh_additive, frh_sbm


def _replace_zeros(Y: np.ndarray, Yr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Zeros -> 1/100 of the smallest positive value of the column (Tone 2001, case 2)."""
    both = np.vstack([Y, Yr])
    tiny = np.array([c[c > 0].min() / 100.0 if np.any(c > 0) else 1.0 for c in both.T])
    return np.where(Y > 0, Y, tiny), np.where(Yr > 0, Yr, tiny)


def _frame(R: np.ndarray, k_in: int, rts: RTS, solver, screen, exclude) -> np.ndarray | None:
    """The frame of the reference rows R (inputs and bad outputs first) when screening applies."""
    why_not = "a reference DMU is left out per DMU" if exclude is not None else None
    return find_frame(R, k_in, rts) if use_frame(solver, screen, R.shape[0], why_not) else None


def _rts_rows(rts: RTS | GRS) -> list[tuple[float, float, float]]:
    """The RTS rows in Charnes-Cooper form, (a, lo, hi) for lo <= sum(Lambda) - a t <= hi: lambda's
    bounds L <= sum(lambda) <= U become L t <= sum(Lambda) <= U t (one row when L = U or a bound is
    absent; none under CRS)."""
    bounds = rts_bounds(rts)
    if bounds is None:
        return []
    lo, hi = bounds
    if lo == hi:
        return [(lo, 0.0, 0.0)]
    rows = []
    if lo > 0:
        rows.append((lo, 0.0, np.inf))
    if np.isfinite(hi):
        rows.append((hi, -np.inf, 0.0))
    return rows


def _sbm_fdh(X, Y, B, Xr, Yr, Br, orientation: Orientation) -> Envelopment:
    """SBM under FDH (module ``fdh``): rho at the best dominating observed DMU."""
    n, m = X.shape
    s, k = Y.shape[1], B.shape[1]
    aux_i = 0.0 if orientation == Orientation.OUTPUT else 1.0
    aux_o = 0.0 if orientation == Orientation.INPUT else 1.0
    npos = np.maximum((X > 0).sum(axis=1), 1)
    with np.errstate(divide="ignore"):
        w_in = np.where(X > 0, 1.0 / (npos[:, None] * X), 0.0)
    w_out = 1.0 / ((s + k) * np.hstack([Y, B]))

    def value(rows, dx, dy, db):
        short = np.einsum("cji,ci->cj", dx, w_in[rows])
        gain = np.einsum("cjr,cr->cj", np.concatenate([dy, db], axis=2), w_out[rows])
        return (1.0 - aux_i * short) / (1.0 + aux_o * gain), np.ones(short.shape, dtype=bool)

    return fdh_slacks(X, Y, Xr, Yr, value, maximise=False, B=B, Br=Br)


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
    if rts == RTS.FDH:
        return _sbm_fdh(X, Y, B, Xr, Yr, Br, orientation)
    if rts == RTS.FRH:
        npos = np.maximum((X > 0).sum(axis=1), 1)
        with np.errstate(divide="ignore"):
            w_in = np.where(X > 0, 1.0 / (npos[:, None] * X), 0.0)
        return frh_sbm(X, Y, B, Xr, Yr, Br, orientation=orientation, w_in=w_in,
                       w_out=1.0 / ((s + k) * np.hstack([Y, B])), solver=solver)
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
    # variables [t, Lambda (nr), S- (m), S+ (s), Sb (k)]; rows [norm, inputs, outputs, bads, RTS (q)]
    rts_rows = _rts_rows(rts)
    q = len(rts_rows)
    nrow = 1 + m + s + k + q
    ncol = 1 + nr + m + s + k
    A = np.zeros((nrow, ncol))
    A[1:1 + m, 1:1 + nr] = Xrs.T
    A[1 + m:1 + m + s, 1:1 + nr] = Yrs.T
    A[1 + m + s:1 + m + s + k, 1:1 + nr] = Brs.T
    lo = np.zeros(nrow)
    hi = np.zeros(nrow)
    lo[0] = hi[0] = 1.0
    for r, (_, a, b) in enumerate(rts_rows):
        A[nrow - q + r, 1:1 + nr] = 1.0
        lo[nrow - q + r], hi[nrow - q + r] = a, b
    base = LPProblem(np.zeros(ncol), A, lo, hi, np.zeros(ncol), np.full(ncol, np.inf))
    vary = np.concatenate([[0], np.arange(1 + nr, ncol)])
    p = vary.size
    cols = np.zeros((n, nrow, p))
    cols[:, 0, 0] = 1.0                                   # t in the normalisation row
    cols[:, 1:1 + m, 0] = -Xs
    cols[:, 1 + m:1 + m + s, 0] = -Ys
    cols[:, 1 + m + s:1 + m + s + k, 0] = -Bs
    for r, (a, _, _) in enumerate(rts_rows):
        cols[:, nrow - q + r, 0] = -a
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
    lam = on_reference(lam, frame, n_ref)
    sx_, sy_, sb_ = slack[:, :m], slack[:, m:m + s], slack[:, m + s:]
    return Envelopment(rho, sol.status, lam, sx_, sy_, X - sx_, Y + sy_, sol.status.copy(), sol.usage, sb_, B - sb_)


def super_sbm(X: np.ndarray, Y: np.ndarray, B: np.ndarray | None = None, *, rts: RTS, orientation: Orientation,
              solver: LPSolver, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray, Usage]:
    """delta* of super-SBM (Tone 2002; bad outputs as Tone 2004) of the DMUs ``candidates`` (indices),
    each against all the others (module docstring), with their statuses and the backends' usage.

    Charnes-Cooper form, variables [t, Lambda (n), T- (m), Tg (s), Tb (k)] (t times lambda and the
    slacks: input increases, good output decreases, bad output increases):

        min  t + (1/m) sum_i T-_i / x_io
        s.t. t - (1/(s+k)) (sum_r Tg_r / y_ro + sum_l Tb_l / b_lo) = 1
             X' Lambda - T- <= t x_o,  Y' Lambda + Tg >= t y_o,  B' Lambda - Tb <= t b_o,
             Tg <= t y_o,  Lambda_o = 0,  RTS row on sum(Lambda) against t.

    Input orientation fixes Tg = Tb = 0 (t = 1); output orientation fixes T- = 0 and t = 1 and
    minimises the mean shortfall ratio m*, delta* = 1 / (1 - m*).
    """
    B = np.zeros((X.shape[0], 0)) if B is None else B
    X, _ = _replace_zeros(X, X)           # as deaR, zero inputs too are replaced in super-SBM
    Y, _ = _replace_zeros(Y, Y)
    k = B.shape[1]
    if k:
        B, _ = _replace_zeros(B, B)
    n, m = X.shape
    s = Y.shape[1]
    Xs, Ys = X / column_scale(X), Y / column_scale(Y)
    Bs = B / column_scale(B) if k else B
    rts_rows = _rts_rows(rts)
    q = len(rts_rows)
    # rows [norm, inputs (m), goods (s), bads (k), ybar >= 0 (s), RTS (q)]
    nrow = 1 + m + 2 * s + k + q
    ncol = 1 + n + m + s + k
    tm, tg, tb = 1 + n, 1 + n + m, 1 + n + m + s          # first columns of T-, Tg, Tb
    A = np.zeros((nrow, ncol))
    ri, rg, rb, ry = 1, 1 + m, 1 + m + s, 1 + m + s + k   # first rows of each block
    A[ri:ri + m, 1:1 + n] = Xs.T
    A[ri:ri + m, tm:tm + m] = -np.eye(m)
    A[rg:rg + s, 1:1 + n] = Ys.T
    A[rg:rg + s, tg:tg + s] = np.eye(s)
    A[rb:rb + k, 1:1 + n] = Bs.T
    A[rb:rb + k, tb:tb + k] = -np.eye(k)
    A[ry:ry + s, tg:tg + s] = np.eye(s)
    lo = np.concatenate([[1.0], np.full(m, -np.inf), np.zeros(s), np.full(k, -np.inf), np.full(s, -np.inf)])
    hi = np.concatenate([[1.0], np.zeros(m), np.full(s, np.inf), np.zeros(k), np.zeros(s)])
    for r, (_, a, b) in enumerate(rts_rows):
        A[nrow - q + r, 1:1 + n] = 1.0
    lo = np.concatenate([lo, [a for _, a, _ in rts_rows]])
    hi = np.concatenate([hi, [b for _, _, b in rts_rows]])
    col_hi = np.full(ncol, np.inf)
    if orientation == Orientation.INPUT:
        col_hi[tg:] = 0.0                                 # outputs, good and bad, stay as observed
    elif orientation == Orientation.OUTPUT:
        col_hi[tm:tg] = 0.0                               # inputs stay as observed
    base = LPProblem(np.zeros(ncol), A, lo, hi, np.zeros(ncol), col_hi)
    idx = np.asarray(candidates, dtype=np.int64)
    K = idx.size
    vary = np.concatenate([[0], np.arange(tm, ncol)])     # t, T-, Tg, Tb
    cols = np.zeros((K, nrow, vary.size))
    cols[:, 0, 0] = 1.0
    cols[:, ri:ri + m, 0] = -Xs[idx]
    cols[:, rg:rg + s, 0] = -Ys[idx]
    cols[:, rb:rb + k, 0] = -Bs[idx]
    cols[:, ry:ry + s, 0] = -Ys[idx]
    for r, (a, _, _) in enumerate(rts_rows):
        cols[:, nrow - q + r, 0] = -a
    for j in range(m + s + k):                            # the T columns: their rows of A
        cols[:, :, 1 + j] = A[:, tm + j]
    shortfall = 1.0 / ((s + k) * np.hstack([Ys[idx], Bs[idx]]))
    costs = np.zeros((K, vary.size))
    if orientation == Orientation.OUTPUT:                 # t = 1 by the norm row; min the mean shortfall
        costs[:, 1 + m:] = shortfall
    else:
        costs[:, 0] = 1.0
        costs[:, 1:1 + m] = 1.0 / (m * Xs[idx])
        if orientation == Orientation.NONE:
            cols[:, 0, 1 + m:] = -shortfall
    sol = solve_batch(solver, LPBatch(base, np.tile(lo, (K, 1)), np.tile(hi, (K, 1)), vary, cols, costs,
                                      idx + 1))
    delta = np.where(sol.status == LPStatus.OPTIMAL, sol.objective, np.nan)
    if orientation == Orientation.OUTPUT:
        with np.errstate(divide="ignore"):
            delta = 1.0 / (1.0 - delta)
    return delta, sol.status, sol.usage


def additive(X: np.ndarray, Y: np.ndarray, Xr=None, Yr=None, *, rts: RTS | GRS, solver: LPSolver,
             exclude: np.ndarray | None = None, screen: bool | None = None,
             weights: np.ndarray | None = None) -> Envelopment:
    """The additive model: max w's (slacks in data units; w = 1 by default, else ``weights``, one per
    input then output, the same for every DMU) s.t. X_r' lam + s- = x_o, Y_r' lam - s+ = y_o, RTS
    row; ``farrell`` holds the optimal w's. Under FDH (``rts='fdh'``) by enumeration."""
    from .radial import Discretion, _Setup
    if Xr is None:
        Xr, Yr = X, Y
    n, m = X.shape
    w = np.ones(m + Y.shape[1]) if weights is None else np.asarray(weights, dtype=float)
    if rts == RTS.FDH:
        def value(rows, dx, dy, db):
            v = np.concatenate([dx, dy], axis=2) @ w
            return v, np.ones(v.shape, dtype=bool)
        return fdh_slacks(X, Y, Xr, Yr, value, maximise=True)
    if rts == RTS.FRH:
        return frh_additive(X, Y, Xr, Yr, weights=w, solver=solver)
    sx, sy = column_scale(X, Xr), column_scale(Y, Yr)
    R = np.hstack([Xr / sx, Yr / sy])
    n_ref = R.shape[0]
    frame = _frame(R, m, rts, solver, screen, exclude)
    if frame is not None:
        R = R[frame]
    S = _Setup(R, m, rts, Discretion.none(m, Y.shape[1]), np.concatenate([sx, sy]) * w)
    b = np.hstack([X / sx, Y / sy])
    sol = solve(solver, S.problem(b, np.zeros_like(b), 0.0, 0.0, 0.0, True, exclude), "additive DEA")
    lam = sol.lambdas
    lam = on_reference(lam, frame, n_ref)
    slack = sol.slack * np.concatenate([sx, sy])
    total = np.where(sol.status == LPStatus.OPTIMAL, slack @ w, np.nan)
    return Envelopment(total, sol.status, lam, slack[:, :m], slack[:, m:], X - slack[:, :m], Y + slack[:, m:],
                       sol.slack_status, sol.usage)
