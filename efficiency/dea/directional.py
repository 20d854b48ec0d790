"""Directional distance function (Chambers, Chung and Faere 1996), with undesirable outputs under weak
disposability (Chung, Faere and Grosskopf 1997).

For DMU o and direction g = (g_x, g_y, g_b), against reference DMUs (X_r, Y_r, B_r):

    beta* = max beta  s.t.  X_r' lam <= x_o - beta g_x,   Y_r' lam >= y_o + beta g_y,
                            B_r' lam  = b_o - beta g_b,   lam >= 0, RTS row

The bad-output rows are equalities (weak disposability: bads can be cut only together with goods).
beta* = 0 for a DMU on the frontier in that direction; beta is free, so a DMU outside the reference
technology (another period's frontier, a reference set) gets a negative beta. With ``slacks`` the
slacks are maximised at beta* (the bad-output rows have none). The frame screening of
``solvers.screening`` applies when there are no bad outputs (their equality rows break free
disposability, which the frame assumes).
"""

from __future__ import annotations

import numpy as np

from solvers import LPSolver
from solvers.envelopment import EnvelopmentProblem

from ..spec import RTS
from .frh import frh_ddf
from .envelopment import (Envelopment, column_scale, frame as find_frame, on_reference, rts_bounds, solve, use_frame,
                          with_reference)


def ddf(X: np.ndarray, Y: np.ndarray, B: np.ndarray | None = None, Xr: np.ndarray | None = None,
        Yr: np.ndarray | None = None, Br: np.ndarray | None = None, *, gx: np.ndarray, gy: np.ndarray,
        gb: np.ndarray | None = None, rts: RTS = RTS.VRS, solver: LPSolver, slacks: bool = False,
        exclude: np.ndarray | None = None, screen: bool | None = None, label: str = "DDF") -> Envelopment:
    """beta* of the rows of (X, Y, B) in the direction (gx, gy, gb) (arrays of the same shapes, in data
    units) against the reference (Xr, Yr, Br) (default: themselves). ``farrell`` holds beta*."""
    n, m = X.shape
    s = Y.shape[1]
    B, Xr, Yr, Br = with_reference(X, Y, B, Xr, Yr, Br)
    k_b = B.shape[1]
    if rts == RTS.FRH:                                    # integer lambdas: a MILP (module frh)
        return frh_ddf(X, Y, Xr, Yr, gx=gx, gy=gy, solver=solver, slacks=slacks)
    gb = np.zeros_like(B) if gb is None else gb
    scale = np.concatenate([column_scale(X, Xr), column_scale(Y, Yr), column_scale(B, Br) if k_b else []])
    R = np.hstack([Xr, Yr, Br]) / scale
    b = np.hstack([X, Y, B]) / scale
    g = np.hstack([-gx, gy, -gb]) / scale
    n_ref = R.shape[0]
    why_not = ("undesirable outputs are equality rows (weak disposability), which break the free disposability "
               "the frame assumes" if k_b else "a reference DMU is left out per DMU" if exclude is not None else None)
    frame = None
    if use_frame(solver, screen, n_ref, why_not):
        frame = find_frame(R, m, rts)
        R = R[frame]
    bounds = rts_bounds(rts)
    e_lo, e_hi = (0.0, 0.0) if bounds is None else (1.0 - bounds[1], 1.0 - bounds[0])
    s_ub = np.concatenate([np.full(m + s, np.inf), np.zeros(k_b)])
    problem = EnvelopmentProblem(R, m, b, g, np.full(n, -np.inf), np.full(n, np.inf), -1.0, bounds is not None,
                                 e_lo, e_hi, s_ub, scale, exclude, slacks)
    sol = solve(solver, problem, label)
    lam = sol.lambdas
    lam = on_reference(lam, frame, n_ref)
    if not slacks:
        return Envelopment(sol.t, sol.status, lam, usage=sol.usage)
    slack = sol.slack * scale
    beta = sol.t[:, None]
    tx = X - beta * gx - slack[:, :m]
    ty = Y + beta * gy + slack[:, m:m + s]
    tb = B - beta * gb                                    # equality rows: no slack
    return Envelopment(sol.t, sol.status, lam, slack[:, :m], slack[:, m:m + s], tx, ty, sol.slack_status,
                       sol.usage, np.zeros_like(B), tb)
