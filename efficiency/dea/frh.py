"""Radial DEA on the free replicability hull (FRH; Tulkens 1993; Benchmarking's rts "add"): the
technology of every sum of non-negative integer multiples of the observed DMUs, with free disposal
(additivity and replicability without convexity).

For DMU o against reference DMUs (X_r, Y_r):

* input:  theta* = min theta  s.t. X_r' lam <= theta x_o,  Y_r' lam >= y_o,  lam in Z+^n
* output: phi*   = max phi    s.t. X_r' lam <= x_o,        Y_r' lam >= phi y_o,  lam in Z+^n

a mixed-integer LP (lam integer, theta or phi continuous), solved by a backend that declares MILP
(HiGHS's branch and bound for the default backend; the numba core solves LPs only). The FRH
technology lies between FDH (lam a unit vector) and CRS (lam real), so FDH >= FRH >= CRS scores
(input orientation). No frame screening: the frame of a convex technology need not span FRH.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from solvers import MILP, LPBatch, LPProblem, LPSolver, LPStatus

from ..spec import Orientation
from .envelopment import Envelopment, backend, scaled, solve_batch


def milp_backend(solver: LPSolver) -> LPSolver:
    """``solver`` when it declares mixed-integer LPs, else HiGHS (results say which, ``usage``)."""
    return solver if MILP in solver.solves else backend("highs")


def frh(X: np.ndarray, Y: np.ndarray, Xr: np.ndarray | None = None, Yr: np.ndarray | None = None, *,
        orientation: Orientation, solver: LPSolver) -> Envelopment:
    """theta* (input) or phi* (output) of the rows of (X, Y) on the FRH of (Xr, Yr) (default: themselves).

    Variables [t, lam (n_ref)], t the score; rows: inputs X_r' lam - g_x t <= b_x, outputs
    Y_r' lam - g_y t >= b_y with (g, b) = (x_o, 0 | 0, y_o) for input orientation and (0, x_o | y_o, 0)
    for output; column-scaled like every other model."""
    n, m = X.shape
    s = Y.shape[1]
    d = scaled(X, Y, Xr, Yr)                    # no frame: it need not span the FRH
    Xs, Ys, Xrs, Yrs = d.Xs, d.Ys, d.Xrs, d.Yrs
    nr = Xrs.shape[0]
    A = np.zeros((m + s, 1 + nr))
    A[:m, 1:] = Xrs.T
    A[m:, 1:] = Yrs.T
    integer = np.ones(1 + nr, dtype=bool)
    integer[0] = False
    inp = orientation == Orientation.INPUT
    c = np.zeros(1 + nr)
    c[0] = 1.0 if inp else -1.0
    base = LPProblem(c, A, np.zeros(m + s), np.zeros(m + s), np.zeros(1 + nr), np.full(1 + nr, np.inf), integer)
    cols = np.zeros((n, m + s, 1))
    lo, hi = np.zeros((n, m + s)), np.zeros((n, m + s))
    if inp:                                     # X' lam - x_o t <= 0,  Y' lam >= y_o
        cols[:, :m, 0] = -Xs
        lo[:, :m], hi[:, :m] = -np.inf, 0.0
        lo[:, m:], hi[:, m:] = Ys, np.inf
    else:                                       # X' lam <= x_o,  Y' lam - y_o t >= 0
        cols[:, m:, 0] = -Ys
        lo[:, :m], hi[:, :m] = -np.inf, Xs
        lo[:, m:], hi[:, m:] = 0.0, np.inf
    sol = solve_batch(milp_backend(solver), LPBatch(base, lo, hi, np.array([0]), cols))
    ok = sol.status == LPStatus.OPTIMAL
    t = np.where(ok, sol.x[:, [0]].toarray().ravel(), np.nan)
    lam = sp.csr_array(sol.x[:, 1:])
    return Envelopment(t, sol.status, lam, usage=sol.usage)
