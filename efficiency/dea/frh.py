"""DEA on the free replicability hull (FRH; Tulkens 1993; Benchmarking's rts "add"): the technology of
every sum of non-negative integer multiples of the observed DMUs, with free disposal (additivity and
replicability without convexity). Every model is its LP with the lambdas declared integer, a
mixed-integer LP (MILP) solved by a backend that declares MILP (HiGHS's branch and bound for the
default backend; the numba core solves LPs only, and the result says so).

For DMU o against reference DMUs (X_r, Y_r), lam in Z+^n:

* directional distance (``frh_ddf``): beta* = max beta  s.t. X_r' lam <= x_o - beta g_x,
  Y_r' lam >= y_o + beta g_y; the radial scores are its special cases, input theta* = 1 - beta* with
  g = (x_o, 0) and output phi* = 1 + beta* with g = (0, y_o) (``frh``);
* weighted additive (``frh_additive``): max w'(s-, s+)  s.t. X_r' lam + s- = x_o, Y_r' lam - s+ = y_o;
* SBM (``frh_sbm``; Tone 2001, bad outputs as Tone 2003): input orientation maximises the mean input
  slack ratio and output orientation the mean output slack ratio (both weighted additive MILPs); the
  non-oriented ratio rho = (1 - a's-) / (1 + b'(s+, sb)) is minimised by Dinkelbach's (1967)
  parametric method: q_0 = 1, then the additive MILP max a's- + q_k b'(s+, sb) and q_{k+1} = rho at its
  solution, until 1 - q_k - (a's- + q_k b's+) >= -1e-9 (finitely many steps, each one a MILP).

Slacks (phase II, ``slacks=True``) of the radial and directional models: the largest sum of slacks
(in the column-scaled units of every model) at the optimal score, again with integer lambdas. The FRH
technology lies between FDH (lam a unit vector) and CRS (lam real), so FDH >= FRH >= CRS scores
(input orientation). No frame screening: the frame of a convex technology need not span FRH.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from solvers import MILP, LPBatch, LPProblem, LPSolver, LPStatus

from ..spec import Orientation
from .envelopment import Envelopment, backend, scaled, solve_batch

#: Dinkelbach's stopping rule on 1 - q - v(q) (v the additive MILP's optimum) and its step limit.
DINKELBACH_TOL = 1e-9
DINKELBACH_STEPS = 50


def milp_backend(solver: LPSolver) -> LPSolver:
    """``solver`` when it declares mixed-integer LPs, else HiGHS (results say which, ``usage``)."""
    return solver if MILP in solver.solves else backend("highs")


def frh_ddf(X: np.ndarray, Y: np.ndarray, Xr: np.ndarray | None = None, Yr: np.ndarray | None = None, *,
            gx: np.ndarray, gy: np.ndarray, solver: LPSolver, slacks: bool = False,
            beta_bounds: tuple[float, float] = (-np.inf, np.inf)) -> Envelopment:
    """beta* of the rows of (X, Y) in the directions (gx, gy) (data units, the shapes of X and Y) on the
    FRH of (Xr, Yr) (default: themselves); ``farrell`` holds beta*.

    Variables [beta, lam (n_ref)]; rows X_r' lam + g_x beta <= x_o, Y_r' lam - g_y beta >= y_o,
    column-scaled like every other model; ``beta_bounds`` bound beta (the radial scores keep theta,
    phi >= 0)."""
    n, m = X.shape
    s = Y.shape[1]
    d = scaled(X, Y, Xr, Yr)                    # no frame: it need not span the FRH
    nr = d.Xrs.shape[0]
    A = np.zeros((m + s, 1 + nr))
    A[:m, 1:] = d.Xrs.T
    A[m:, 1:] = d.Yrs.T
    integer = np.ones(1 + nr, dtype=bool)
    integer[0] = False
    c = np.zeros(1 + nr)
    c[0] = -1.0
    col_lo, col_hi = np.zeros(1 + nr), np.full(1 + nr, np.inf)
    col_lo[0], col_hi[0] = beta_bounds
    base = LPProblem(c, A, np.zeros(m + s), np.zeros(m + s), col_lo, col_hi, integer)
    cols = np.zeros((n, m + s, 1))
    cols[:, :m, 0] = gx / d.sx
    cols[:, m:, 0] = -gy / d.sy
    lo, hi = np.zeros((n, m + s)), np.zeros((n, m + s))
    lo[:, :m], hi[:, :m] = -np.inf, d.Xs
    lo[:, m:], hi[:, m:] = d.Ys, np.inf
    lp = milp_backend(solver)
    sol = solve_batch(lp, LPBatch(base, lo, hi, np.array([0]), cols))
    ok = sol.status == LPStatus.OPTIMAL
    beta = np.where(ok, sol.x[:, [0]].toarray().ravel(), np.nan)
    lam = sp.csr_array(sol.x[:, 1:])
    if not slacks:
        return Envelopment(beta, sol.status, lam, usage=sol.usage)
    # phase II: the largest scaled slack sum at (x_o - beta* g_x, y_o + beta* g_y), lambdas integer
    # beta* as the rounded integer lambdas reach it exactly (beta* is exact only to the MILP's tolerance)
    b = np.nan_to_num(np.minimum(beta, _reached(lam, X, Y, Xr, Yr, gx, gy)))[:, None]
    weights = np.broadcast_to(np.concatenate([1.0 / d.sx, 1.0 / d.sy]), (n, m + s))
    two = frh_additive(X - b * gx, Y + b * gy, X if Xr is None else Xr, Y if Yr is None else Yr,
                       weights=weights, solver=lp)
    slack_status = np.where(ok, two.status, sol.status)
    keep = ok & (two.status == LPStatus.OPTIMAL)
    sx_ = np.where(keep[:, None], two.slack_x, np.nan)
    sy_ = np.where(keep[:, None], two.slack_y, np.nan)
    lam = sp.csr_array(np.where(keep[:, None], two.lambdas.toarray(), lam.toarray()))
    return Envelopment(beta, sol.status, lam, sx_, sy_, two.target_x, two.target_y, slack_status,
                       sol.usage + two.usage)


def _reached(lam: sp.csr_array, X, Y, Xr, Yr, gx, gy) -> np.ndarray:
    """The largest beta that the lambdas ``lam``, rounded to integers, reach exactly:
    min_i (x_io - (X_r' lam)_i) / g_xi and min_r ((Y_r' lam)_r - y_ro) / g_yr over positive g."""
    lam = sp.csr_array(lam)
    lam.data = np.round(lam.data)
    Xr, Yr = (X, Y) if Xr is None else (Xr, Yr)
    with np.errstate(divide="ignore", invalid="ignore"):
        gaps = np.hstack([np.where(gx > 0, (X - lam @ Xr) / gx, np.inf), np.where(gy > 0, (lam @ Yr - Y) / gy, np.inf)])
    return gaps.min(axis=1)


def frh(X: np.ndarray, Y: np.ndarray, Xr: np.ndarray | None = None, Yr: np.ndarray | None = None, *,
        orientation: Orientation, solver: LPSolver, slacks: bool = False) -> Envelopment:
    """theta* (input) or phi* (output) of the rows of (X, Y) on the FRH of (Xr, Yr): ``frh_ddf`` in the
    direction (x_o, 0), theta = 1 - beta, or (0, y_o), phi = 1 + beta."""
    inp = orientation == Orientation.INPUT
    gx, gy = (X, np.zeros_like(Y)) if inp else (np.zeros_like(X), Y)
    env = frh_ddf(X, Y, Xr, Yr, gx=gx, gy=gy, solver=solver, slacks=slacks,
                  beta_bounds=(-np.inf, 1.0) if inp else (-1.0, np.inf))
    score = 1.0 - env.farrell if inp else 1.0 + env.farrell
    return Envelopment(score, env.status, env.lambdas, env.slack_x, env.slack_y, env.target_x, env.target_y,
                       env.slack_status, env.usage)


def frh_additive(X: np.ndarray, Y: np.ndarray, Xr: np.ndarray | None = None, Yr: np.ndarray | None = None, *,
                 weights: np.ndarray, solver: LPSolver) -> Envelopment:
    """max w'(s-, s+) of the rows of (X, Y) on the FRH of (Xr, Yr), ``weights`` (n, m + s) or (m + s,)
    in data units; ``farrell`` holds the optimal weighted slack sum."""
    n, m = X.shape
    s = Y.shape[1]
    d = scaled(X, Y, Xr, Yr)
    scale = np.concatenate([d.sx, d.sy])
    nr = d.Xrs.shape[0]
    W = np.broadcast_to(np.asarray(weights, dtype=float), (n, m + s))
    A = np.zeros((m + s, nr + m + s))                # variables [lam (nr), s- (m), s+ (s)]
    A[:m, :nr] = d.Xrs.T
    A[m:, :nr] = d.Yrs.T
    A[:m, nr:nr + m] = np.eye(m)
    A[m:, nr + m:] = -np.eye(s)
    b = np.hstack([d.Xs, d.Ys])
    integer = np.zeros(nr + m + s, dtype=bool)
    integer[:nr] = True
    ncol = nr + m + s
    base = LPProblem(np.zeros(ncol), A, b[0], b[0], np.zeros(ncol), np.full(ncol, np.inf), integer)
    sol = solve_batch(milp_backend(solver), LPBatch(base, b, b, np.arange(nr, ncol), None, -W * scale),
                      "additive DEA on the FRH")
    ok = sol.status == LPStatus.OPTIMAL
    slack = np.where(ok[:, None], sol.x[:, nr:].toarray() * scale, np.nan)
    total = np.where(ok, np.sum(W * np.nan_to_num(slack), axis=1), np.nan)
    sx_, sy_ = slack[:, :m], slack[:, m:]
    return Envelopment(total, sol.status, sp.csr_array(sol.x[:, :nr]), sx_, sy_, X - sx_, Y + sy_,
                       sol.status.copy(), sol.usage)


def frh_sbm(X: np.ndarray, Y: np.ndarray, B: np.ndarray, Xr: np.ndarray, Yr: np.ndarray, Br: np.ndarray, *,
            orientation: Orientation, w_in: np.ndarray, w_out: np.ndarray, solver: LPSolver) -> Envelopment:
    """SBM rho of the rows of (X, Y, B) on the FRH of (Xr, Yr, Br) (module docstring); ``w_in`` (n, m)
    the weights a of the input slacks (1 / (m_o x_io), 0 for a zero input) and ``w_out`` (n, s + k)
    those b of the good and bad output slacks (1 / ((s + k) y_ro)); zeros already replaced (sbm)."""
    n, m = X.shape
    s = Y.shape[1]
    XB, XBr = np.hstack([X, B]), np.hstack([Xr, Br])           # bad outputs are contracted like inputs

    def solve(q: np.ndarray, rows: np.ndarray) -> Envelopment:
        """max a's- + q b'(s+, sb) for the DMUs ``rows`` (q = 0: input orientation; a = 0: output)."""
        a = np.zeros((rows.size, m)) if orientation == Orientation.OUTPUT else w_in[rows]
        qb = q[rows, None] * w_out[rows]
        W = np.hstack([a, qb[:, s:], qb[:, :s]])               # columns [inputs, bads, outputs]
        return frh_additive(XB[rows], Y[rows], XBr, Yr, weights=W, solver=solver)

    def rho(env: Envelopment) -> np.ndarray:
        short = np.sum(w_in * env.slack_x[:, :m], axis=1) if orientation != Orientation.OUTPUT else 0.0
        gain = (np.sum(w_out * np.hstack([env.slack_y, env.slack_x[:, m:]]), axis=1)
                if orientation != Orientation.INPUT else 0.0)
        return (1.0 - short) / (1.0 + gain)

    q = np.zeros(n) if orientation == Orientation.INPUT else np.ones(n)
    env = solve(q, np.arange(n))
    usage, status = env.usage, env.status
    if orientation == Orientation.NONE:                         # Dinkelbach's parametric steps
        for _ in range(DINKELBACH_STEPS):
            ok = env.status == LPStatus.OPTIMAL
            todo = np.flatnonzero(ok & (1.0 - q - np.nan_to_num(env.farrell) < -DINKELBACH_TOL))
            if not todo.size:
                break
            q = q.copy()
            q[todo] = rho(env)[todo]
            step = solve(q, todo)
            usage = usage + step.usage
            env = _put(env, step, todo)
        status = env.status.copy()
        status[todo] = LPStatus.NUMERICAL                       # no convergence within the step limit
    ok = status == LPStatus.OPTIMAL
    value = np.where(ok, rho(env), np.nan)
    sx_, sb_ = env.slack_x[:, :m], env.slack_x[:, m:]
    return Envelopment(value, status, env.lambdas, sx_, env.slack_y, X - sx_, Y + env.slack_y,
                       status.copy(), usage, slack_b=sb_, target_b=B - sb_)


def _put(old: Envelopment, new: Envelopment, rows: np.ndarray) -> Envelopment:
    """``old`` with its rows ``rows`` replaced by the rows of ``new`` (solved for those rows only)."""
    def mix(a, b):
        out = np.array(a, copy=True)
        out[rows] = b
        return out
    lam = old.lambdas.toarray()
    lam[rows] = new.lambdas.toarray()
    return Envelopment(mix(old.farrell, new.farrell), mix(old.status, new.status), sp.csr_array(lam),
                       mix(old.slack_x, new.slack_x), mix(old.slack_y, new.slack_y), mix(old.target_x, new.target_x),
                       mix(old.target_y, new.target_y), mix(old.slack_status, new.slack_status))
