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

With ``screen`` (by default with the numba backend from 64 reference DMUs) the frame of the reference
set is found first (``solvers.screening``, Dula 2011) and every LP is solved against the frame only:
the same scores and slack sums, with lambdas on extreme-efficient DMUs. Not with non-controllable
variables: their equality rows break the free disposability the frame assumes (a DMU that is not
extreme can be the one that meets an equality exactly), so those models are never screened and
``screen=True`` is a SpecError there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from solvers import LPSolver, LPStatus, Usage
from solvers.envelopment import EnvelopmentProblem, EnvelopmentSolution, replace_rows

from ..spec import RTS, Orientation
from .envelopment import Envelopment, column_scale, frame as find_frame, rts_bounds, solve, use_frame, on_reference

#: Relative width at which the hyperbolic bisection stops.
GRAPH_RTOL = 1e-12
#: Relative nudges of G* into the technology tried, in turn, when the hyperbolic slack LP is
#: infeasible (the bisection ends within the LP tolerance of the frontier, possibly just outside).
GRAPH_MARGINS = (0.0, 1e-11, 1e-10, 1e-9, 1e-8, 1e-7)


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


@dataclass(frozen=True)
class _Setup:
    """What every LP of one radial model shares: the reference rows, RTS row, discretion, weights."""

    R: np.ndarray            # (n_ref, m + s) scaled reference rows
    m: int
    rts: RTS
    d: Discretion
    w: np.ndarray            # phase III weights: column scales, 0 for non-discretionary

    def problem(self, b, g, t_lo, t_hi, c_t, slacks, exclude) -> EnvelopmentProblem:
        n = b.shape[0]
        bounds = rts_bounds(self.rts)                 # on sum(lam); the row is sum(lam) + e = 1
        e_lo, e_hi = (0.0, 0.0) if bounds is None else (1.0 - bounds[1], 1.0 - bounds[0])
        nc = np.concatenate([self.d.nc_x, self.d.nc_y])
        return EnvelopmentProblem(self.R, self.m, b, g, np.full(n, float(t_lo)), np.full(n, float(t_hi)),
                                  float(c_t), bounds is not None, e_lo, e_hi,
                                  np.where(nc, 0.0, np.inf), self.w, exclude, slacks)

    def radial(self, X, Y, orientation, slacks, exclude) -> EnvelopmentProblem:
        """theta (input) or phi (output) on the free variables; the others at their level."""
        d, zx, zy = self.d, np.zeros_like(X), np.zeros_like(Y)
        if orientation == Orientation.INPUT:
            b = np.hstack([np.where(d.free_x, 0.0, X), Y])
            g = np.hstack([np.where(d.free_x, X, 0.0), zy])
            return self.problem(b, g, 0.0, np.inf, 1.0, slacks, exclude)
        b = np.hstack([X, np.where(d.free_y, 0.0, Y)])
        g = np.hstack([zx, np.where(d.free_y, Y, 0.0)])
        return self.problem(b, g, 0.0, np.inf, -1.0, slacks, exclude)

    def at(self, X, Y, G, exclude) -> EnvelopmentProblem:
        """The fixed hyperbolic point (G x_o, y_o / G): a feasibility LP, then its max slacks."""
        b = np.hstack([np.where(self.d.free_x, G[:, None] * X, X), np.where(self.d.free_y, Y / G[:, None], Y)])
        return self.problem(b, np.zeros_like(b), 0.0, 0.0, 0.0, True, exclude)


def _graph(S: _Setup, X, Y, solver, exclude) -> tuple[np.ndarray, np.ndarray, int]:
    """Hyperbolic graph efficiency G* by bisection on the fixed point G = theta(G).

    theta(G) is the input-oriented score of (x_o, y_o / G): an LP optimum, exact to rounding, where a
    feasibility test of (G x_o, y_o / G) is only as sharp as the LP's feasibility tolerance. The point
    (G x_o, y_o / G) is in the technology exactly when theta(G) <= G, and theta is non-increasing in G,
    so bisection finds G*. It is bracketed by sqrt(theta_CRS) from below when every variable is
    discretionary (G* under CRS, whose technology contains the others), and by 0 otherwise.
    Returns (G*, status, usage of the backends).
    """
    n = X.shape[0]
    sub = (lambda v, rows: None if v is None else v[rows])  # noqa: E731
    crs = _Setup(S.R, S.m, RTS.CRS, S.d, S.w)
    first = solve(solver, crs.radial(X, Y, Orientation.INPUT, False, exclude))
    status, usage = first.status.copy(), first.usage
    plain = S.d.free_x.all() and S.d.free_y.all()
    if plain and S.rts == RTS.CRS:
        return np.sqrt(first.t), status, usage

    def inside(rows: np.ndarray, G: np.ndarray) -> np.ndarray:
        nonlocal usage
        Yg = np.where(S.d.free_y, Y[rows] / G[:, None], Y[rows])
        sol = solve(solver, S.radial(X[rows], Yg, Orientation.INPUT, False, sub(exclude, rows)))
        usage = usage + sol.usage
        return (sol.status == LPStatus.OPTIMAL) & (sol.t <= G)

    lo = np.sqrt(first.t) if plain else np.zeros(n)
    idx = np.flatnonzero(status == LPStatus.OPTIMAL)
    hi = np.where(status == LPStatus.OPTIMAL, np.maximum(np.nan_to_num(lo), 1.0), np.nan)
    # Make the upper end feasible (it is 1 for a DMU in its own reference set; not always otherwise).
    feas = inside(idx, hi[idx])
    for _ in range(60):
        bad = idx[~feas]
        if bad.size == 0:
            break
        hi[bad] *= 4.0
        feas[np.isin(idx, bad)] = inside(bad, hi[bad])
    status[idx[~feas]] = LPStatus.INFEASIBLE
    live = idx[feas]
    while live.size:
        mid = 0.5 * (lo[live] + hi[live])
        f = inside(live, mid)
        hi[live[f]] = mid[f]
        lo[live[~f]] = mid[~f]
        live = live[(hi[live] - lo[live]) > GRAPH_RTOL * hi[live]]
    return np.where(status == LPStatus.OPTIMAL, hi, np.nan), status, usage


def _graph_slacks(S: _Setup, X, Y, G, status, solver, exclude) -> EnvelopmentSolution:
    """Max slacks at (G x_o, y_o / G), nudging G into the technology where the LP is infeasible."""
    n = X.shape[0]
    todo = np.flatnonzero(status == LPStatus.OPTIMAL)
    sl = np.full((n, S.R.shape[1]), np.nan)
    sl_status = np.full(n, LPStatus.NOT_SOLVED, dtype=np.int8)
    lam = sp.csr_array((n, S.R.shape[0]))
    usage = Usage()
    for margin in GRAPH_MARGINS:
        if not todo.size:
            break
        g = G[todo] * (1.0 + margin)
        sol = solve(solver, S.at(X[todo], Y[todo], g, None if exclude is None else exclude[todo]))
        usage = usage + sol.usage
        good = (sol.status == LPStatus.OPTIMAL) & (sol.slack_status == LPStatus.OPTIMAL)
        rows = todo[good]
        sl[rows] = sol.slack[good]
        sl_status[todo] = np.where(sol.status == LPStatus.OPTIMAL, sol.slack_status, sol.status)
        lam = replace_rows(lam, rows, sol.lambdas[np.flatnonzero(good)])
        G[rows] = g[good] if margin else G[rows]
        todo = todo[~good]
    return EnvelopmentSolution(status, G, lam, sl, sl_status, None, usage)


def radial(X: np.ndarray, Y: np.ndarray, Xr: np.ndarray | None = None, Yr: np.ndarray | None = None, *,
           rts: RTS = RTS.VRS, orientation: Orientation = Orientation.INPUT, solver: LPSolver,
           slacks: bool = True, exclude: np.ndarray | None = None,
           discretion: Discretion | None = None, screen: bool | None = None) -> Envelopment:
    """Radial DEA scores of the rows of (X, Y) against the reference (Xr, Yr) (default: themselves).

    Returns the Farrell measure (theta <= 1 input, phi >= 1 output, G <= 1 graph), statuses, phase II
    slacks in data units (when ``slacks``) and lambdas. ``exclude[k]`` is a reference row left out
    when evaluating row k (super-efficiency), or -1. ``discretion`` marks non-discretionary and
    non-controllable variables (default: all discretionary). ``screen``: solve against the frame of
    the reference set only (default: with the numba backend).
    """
    if Xr is None:
        Xr, Yr = X, Y
    n, m = X.shape
    d = discretion or Discretion.none(m, Y.shape[1])
    sx, sy = column_scale(X, Xr), column_scale(Y, Yr)
    Xs, Ys = X / sx, Y / sy
    R = np.hstack([Xr / sx, Yr / sy])
    n_ref = R.shape[0]
    why_not = ("non-controllable variables are equality rows, which break the free disposability the frame "
               "assumes" if d.nc_x.any() or d.nc_y.any() else None)
    frame = None
    if use_frame(solver, screen, n_ref, why_not):
        frame = find_frame(R, m, rts)
        if exclude is not None:
            return _split_exclusions(X, Y, Xr, Yr, frame, rts=rts, orientation=orientation, solver=solver,
                                     slacks=slacks, exclude=exclude, discretion=discretion)
        R = R[frame]
    w = np.concatenate([np.where(d.nd_x, 0.0, sx), np.where(d.nd_y, 0.0, sy)])
    S = _Setup(R, m, rts, d, w)
    if orientation == Orientation.GRAPH:
        G, status, usage = _graph(S, Xs, Ys, solver, exclude)
        if slacks:
            sol = _graph_slacks(S, Xs, Ys, G.copy(), status, solver, exclude)
            usage = usage + sol.usage
        else:
            sol = EnvelopmentSolution(status, G, sp.csr_array((n, R.shape[0])), np.full((n, R.shape[1]), np.nan),
                                      np.full(n, LPStatus.NOT_SOLVED, dtype=np.int8))
        score, proj = G, sol.t
        ax, ay = proj, 1.0 / proj
    else:
        sol = solve(solver, S.radial(Xs, Ys, orientation, slacks, exclude))
        score, usage = sol.t, sol.usage
        one = np.ones(n)
        ax, ay = (score, one) if orientation == Orientation.INPUT else (one, score)
    lam = sol.lambdas
    lam = on_reference(lam, frame, n_ref)
    if not slacks:
        return Envelopment(score, sol.status, lam, usage=usage)
    slack = sol.slack * np.concatenate([sx, sy])
    slack_x, slack_y = slack[:, :m], slack[:, m:]
    rx, ry = _targets(X, Y, ax, ay, d)
    return Envelopment(score, sol.status, lam, slack_x, slack_y, rx - slack_x, ry + slack_y, sol.slack_status,
                       usage)


def radial_problem(X: np.ndarray, Y: np.ndarray, Xr: np.ndarray, Yr: np.ndarray, *, rts: RTS,
                   orientation: Orientation, slacks: bool = False) -> EnvelopmentProblem:
    """The envelopment LPs of input- or output-oriented radial DEA of (X, Y) against (Xr, Yr), as
    ``radial`` builds them (column-scaled; every variable discretionary; no frame): for callers that
    solve many such problems together (``solvers.envelopment.solve_stack``)."""
    m = X.shape[1]
    sx, sy = column_scale(X, Xr), column_scale(Y, Yr)
    S = _Setup(np.hstack([Xr / sx, Yr / sy]), m, rts, Discretion.none(m, Y.shape[1]), np.concatenate([sx, sy]))
    return S.radial(X / sx, Y / sy, orientation, slacks, None)


def _split_exclusions(X, Y, Xr, Yr, frame, *, exclude, **kw) -> Envelopment:
    """Super-efficiency with a frame (DESIGN section 8): a DMU whose excluded reference row is in the
    frame is solved against all the other reference rows (the frame of the others can hold DMUs that
    were not extreme while it was there); any other DMU against the frame alone, since leaving out a
    non-extreme DMU does not change the technology."""
    n = X.shape[0]
    hit = np.isin(exclude, frame)
    a, b = np.flatnonzero(hit), np.flatnonzero(~hit)
    parts = []
    if a.size:
        parts.append((a, radial(X[a], Y[a], Xr, Yr, exclude=exclude[a], screen=False, **kw), None))
    if b.size:
        parts.append((b, radial(X[b], Y[b], Xr[frame], Yr[frame], screen=False, **kw), frame))
    return merge_rows(n, Xr.shape[0], parts)


def merge_rows(n: int, n_ref: int, parts) -> Envelopment:
    """One Envelopment from (rows, Envelopment, reference columns or None) parts covering rows 0..n-1."""
    first = parts[0][1]

    def block(name):
        if getattr(first, name) is None:
            return None
        template = getattr(first, name)
        out = np.full((n,) + template.shape[1:], np.nan if template.dtype.kind == "f" else 0,
                      dtype=template.dtype)
        for rows, env, _ in parts:
            out[rows] = getattr(env, name)
        return out

    lam_rows, lam_cols, lam_vals = [], [], []
    for rows, env, cols in parts:
        coo = sp.coo_array(env.lambdas)
        lam_rows.append(rows[coo.row])
        lam_cols.append(coo.col if cols is None else cols[coo.col])
        lam_vals.append(coo.data)
    lam = sp.csr_array((np.concatenate(lam_vals), (np.concatenate(lam_rows), np.concatenate(lam_cols))),
                       shape=(n, n_ref))
    return Envelopment(block("farrell"), block("status"), lam, block("slack_x"), block("slack_y"),
                       block("target_x"), block("target_y"), block("slack_status"),
                       sum((env.usage for _, env, _ in parts), Usage()), block("slack_b"), block("target_b"))


def _targets(X, Y, ax, ay, d: Discretion) -> tuple[np.ndarray, np.ndarray]:
    """The radial point (a_x x_o, a_y y_o) on the controllable variables, the rest as observed."""
    return (np.where(d.free_x, ax[:, None] * X, X), np.where(d.free_y, ay[:, None] * Y, Y))
