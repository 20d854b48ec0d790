"""Weighted additive models: the range adjusted measure RAM (Cooper, Park and Pastor 1999), the bounded
adjusted measure BAM (Cooper, Pastor, Borras, Aparicio and Pastor 2011) and the additive model with
the user's slack weights (Charnes et al. 1985; deaR's ``model_additive`` with ``weight_slack_i``/``_o``).

For DMU o with slack weights w-_o (inputs) and w+_o (outputs), in data units:

    max  w-_o' s- + w+_o' s+
    s.t. X_r' lam + s- = x_o,   Y_r' lam - s+ = y_o,   lam >= 0,  RTS row
         BAM, unless VRS or FDH:  X_r' lam >= x_min,  Y_r' lam <= y_max

* RAM: w-_i = 1 / ((m + s) R-_i), w+_r = 1 / ((m + s) R+_r) with R the range (max - min) of each
  variable; the RAM efficiency 1 - objective lies in [0, 1] under VRS (and FDH), the technology the
  measure was defined for, so other returns to scale are refused.
* BAM: w-_io = 1 / ((m + s)(x_io - x_min,i)), w+_ro = 1 / ((m + s)(y_max,r - y_ro)); the bounds rows
  keep the projection within the observed bounds under any returns to scale (they hold by themselves
  under VRS), so the BAM efficiency 1 - objective lies in [0, 1] (the rows as in Cooper et al. 2011
  and the DataEnvelopmentAnalysis.jl implementation of its CRS case).

A variable whose range (RAM) or distance to the bound (BAM) is zero has weight 0: its slack is 0 in
every feasible solution anyway (VRS, or the bounds rows). Ranges, minima and maxima are taken over
the evaluated and the reference DMUs together (the same set when no reference set is given). Both
measures are units invariant and, under VRS, translation invariant.

Shared weights (RAM, a weight vector) solve as envelopment LPs (``sbm.additive``: the numba core, frame
screening); per-DMU weights (BAM, a weight matrix) as LP batches (HiGHS), screened as well unless the
BAM bounds rows are present: they bound the combination of reference DMUs itself, which the frame
(a subset spanning the same free-disposal technology) does not preserve.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from solvers import LPBatch, LPProblem, LPSolver, LPStatus

from ..spec import RTS
from .envelopment import (GRS, Envelopment, column_scale, frame as find_frame, on_reference, rts_bounds, solve_batch,
                          use_frame)
from .fdh import fdh_slacks
from .frh import frh_additive
from .sbm import additive


def _inverse(d: np.ndarray) -> np.ndarray:
    """1/d where d > 0, else 0."""
    with np.errstate(divide="ignore"):
        return np.where(d > 0, 1.0 / d, 0.0)


def ram_weights(X, Y, Xr, Yr) -> np.ndarray:
    """RAM slack weights (m + s,): 1 / ((m + s) range) per variable, 0 for a constant one."""
    both = np.hstack([np.vstack([X, Xr]), np.vstack([Y, Yr])])
    return _inverse(both.shape[1] * (both.max(axis=0) - both.min(axis=0)))


def bam_weights(X, Y, Xr, Yr) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """BAM slack weights (n, m + s) and the bounds x_min (m,), y_max (s,)."""
    x_min = np.vstack([X, Xr]).min(axis=0)
    y_max = np.vstack([Y, Yr]).max(axis=0)
    k = X.shape[1] + Y.shape[1]
    return _inverse(k * np.hstack([X - x_min, y_max - Y])), x_min, y_max


def weighted_additive(X: np.ndarray, Y: np.ndarray, Xr: np.ndarray | None = None, Yr: np.ndarray | None = None,
                      *, weights: np.ndarray, rts: RTS | GRS, solver: LPSolver, screen: bool | None = None,
                      bounds: tuple[np.ndarray, np.ndarray] | None = None) -> Envelopment:
    """max of the weighted slack sum (module docstring) of the rows of (X, Y) against (Xr, Yr).

    ``weights``: (m + s,) for every DMU, or (n, m + s) one row per DMU, in data units. ``bounds``:
    (x_min, y_max) for the BAM rows (ignored under VRS and FDH, where they hold anyway). ``farrell``
    holds the optimal weighted slack sum."""
    if Xr is None:
        Xr, Yr = X, Y
    n, m = X.shape
    s = Y.shape[1]
    W = np.asarray(weights, dtype=float)
    if rts == RTS.FDH:
        Wn = np.broadcast_to(W, (n, m + s))

        def value(rows, dx, dy, db):
            v = np.einsum("cjk,ck->cj", np.concatenate([dx, dy], axis=2), Wn[rows])
            return v, np.ones(v.shape, dtype=bool)

        return fdh_slacks(X, Y, Xr, Yr, value, maximise=True)
    if rts == RTS.FRH:
        return frh_additive(X, Y, Xr, Yr, weights=W, solver=solver)
    if rts == RTS.VRS:
        bounds = None
    if W.ndim == 1 and bounds is None:
        return additive(X, Y, Xr, Yr, rts=rts, solver=solver, screen=screen, weights=W)
    W = np.broadcast_to(W, (n, m + s))
    sx, sy = column_scale(X, Xr), column_scale(Y, Yr)
    scale = np.concatenate([sx, sy])
    Xrs, Yrs = Xr / sx, Yr / sy
    n_ref = Xr.shape[0]
    why_not = ("BAM's bounds rows bound the combination of reference DMUs itself, which the frame does not "
               "preserve" if bounds is not None else None)
    frame = None
    if use_frame(solver, screen, n_ref, why_not):
        frame = find_frame(np.hstack([Xrs, Yrs]), m, rts)
        Xrs, Yrs = Xrs[frame], Yrs[frame]
    nr = Xrs.shape[0]
    rts_row = rts_bounds(rts)
    q = rts_row is not None
    nb = (m + s) if bounds is not None else 0
    # variables [lam (nr), s- (m), s+ (s)]; rows [inputs (m), outputs (s), RTS (q), bounds (m + s)]
    nrow, ncol = m + s + q + nb, nr + m + s
    A = np.zeros((nrow, ncol))
    A[:m, :nr] = Xrs.T
    A[m:m + s, :nr] = Yrs.T
    A[:m, nr:nr + m] = np.eye(m)
    A[m:m + s, nr + m:] = -np.eye(s)
    lo, hi = np.zeros((n, nrow)), np.zeros((n, nrow))
    lo[:, :m] = hi[:, :m] = X / sx
    lo[:, m:m + s] = hi[:, m:m + s] = Y / sy
    if q:
        A[m + s, :nr] = 1.0
        lo[:, m + s], hi[:, m + s] = rts_row
    if nb:
        x_min, y_max = bounds
        A[m + s + q:m + s + q + m, :nr] = Xrs.T
        A[m + s + q + m:, :nr] = Yrs.T
        lo[:, m + s + q:m + s + q + m], hi[:, m + s + q:m + s + q + m] = x_min / sx, np.inf
        lo[:, m + s + q + m:], hi[:, m + s + q + m:] = -np.inf, y_max / sy
    base = LPProblem(np.zeros(ncol), A, lo[0], hi[0], np.zeros(ncol), np.full(ncol, np.inf))
    vary = np.arange(nr, ncol)
    sol = solve_batch(solver, LPBatch(base, lo, hi, vary, None, -W * scale), "weighted additive DEA")
    ok = sol.status == LPStatus.OPTIMAL
    slack = np.where(ok[:, None], sol.x[:, nr:].toarray() * scale, np.nan)
    lam = sp.csr_array(sol.x[:, :nr])
    lam = on_reference(lam, frame, n_ref)
    total = np.where(ok, np.sum(W * np.nan_to_num(slack), axis=1), np.nan)
    sx_, sy_ = slack[:, :m], slack[:, m:]
    return Envelopment(total, sol.status, lam, sx_, sy_, X - sx_, Y + sy_, sol.status.copy(), sol.usage)
