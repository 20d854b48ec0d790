"""Multi-directional efficiency analysis, MEA (Bogetoft and Hougaard 1999; Bogetoft and Otto 2011,
pp. 121-124; R Benchmarking's ``mea``).

For DMU o, first the potential improvement of each variable on its own, all the others held at o's
level (Benchmarking's ``minDirection``):

    d_i = max { t : (x_o - t e_i, y_o) in T }   (each input i; orientation 'input' or 'none')
    d_r = max { t : (x_o, y_o + t e_r) in T }   (each output r; orientation 'output' or 'none')

(x_o - d, y_o + d) is o's ideal point. Then the directional distance along that direction:

    beta* = max beta  s.t.  X_r' lam <= x_o - beta d_x,  Y_r' lam >= y_o + beta d_y,  lam >= 0, RTS row

beta* (in [0, 1] in the own technology) is what Benchmarking's ``mea()`` returns as ``eff``: the
share of the DMU's own potential improvements that can be realised together. It is no efficiency
in (0, 1]: a DMU whose only fault is the excess of one input has beta* = 1 whatever the size of
that excess (the literature builds several MEA scores from beta* and d), so ``efficiency`` is left
NaN and beta* is reported. A DMU that cannot improve any variable on its own has d = 0: beta* = 0,
as in Benchmarking. Both steps are directional distance LPs (``directional.ddf``:
the numba core, frame screening), or their FDH enumeration under rts='fdh'. Phase II maximises the
slacks in data units at beta*. Units invariant; under VRS also translation invariant.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from solvers import LPSolver, LPStatus, Usage

from ..spec import RTS, Orientation
from .directional import ddf
from .envelopment import GRS, Envelopment, column_scale
from .fdh import fdh_ddf
from .radial import merge_rows


#: Relative size (to the DMU's value and the column's scale) below which an improvement counts as 0.
ZERO = 1e-9
#: Order in which the statuses of a DMU's direction LPs decide its own (indexed by LPStatus code).
_SEVERITY = np.zeros(len(LPStatus), dtype=np.int8)
for _rank, _code in enumerate((LPStatus.OPTIMAL, LPStatus.NOT_SOLVED, LPStatus.ITERATION_LIMIT, LPStatus.NUMERICAL,
                               LPStatus.UNBOUNDED, LPStatus.INFEASIBLE)):
    _SEVERITY[_code] = _rank


def _distance(X, Y, Xr, Yr, gx, gy, rts, solver, slacks, screen) -> Envelopment:
    if rts == RTS.FDH:
        return fdh_ddf(X, Y, Xr, Yr, gx=gx, gy=gy)
    return ddf(X, Y, None, Xr, Yr, None, gx=gx, gy=gy, rts=rts, solver=solver, slacks=slacks, screen=screen,
               label="MEA")


def directions(X, Y, Xr, Yr, *, rts: RTS | GRS, orientation: Orientation, solver: LPSolver,
               screen: bool | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, Usage]:
    """(d_x, d_y, status, usage): each variable's own potential improvement (module docstring); the
    status is the gravest of the DMU's LPs (optimal only when every one was; an infeasible one wins,
    whatever another backend's verdict on a sister LP)."""
    n, m = X.shape
    s = Y.shape[1]
    dx, dy = np.zeros((n, m)), np.zeros((n, s))
    status = np.full(n, LPStatus.OPTIMAL, dtype=np.int8)
    usage = Usage()
    steps = ([(0, i) for i in range(m)] if orientation != Orientation.OUTPUT else []) + \
            ([(1, r) for r in range(s)] if orientation != Orientation.INPUT else [])
    unit = (column_scale(X, Xr), column_scale(Y, Yr))
    for side, k in steps:
        gx, gy = np.zeros((n, m)), np.zeros((n, s))
        (gx if side == 0 else gy)[:, k] = unit[side][k]      # the variable alone, one column mean a unit
        env = _distance(X, Y, Xr, Yr, gx, gy, rts, solver, False, screen)
        usage = usage + env.usage
        (dx if side == 0 else dy)[:, k] = env.farrell * unit[side][k]
        status = np.where(_SEVERITY[env.status] > _SEVERITY[status], env.status, status).astype(np.int8)
    # A potential improvement within the LPs' accuracy of 0 is 0 (as Benchmarking's test of a zero
    # direction): a direction of rounding noise would make beta arbitrarily large.
    for d, V, Vr in ((dx, X, Xr), (dy, Y, Yr)):
        unit = np.maximum(np.abs(V), column_scale(V, Vr))
        d[np.abs(d) <= ZERO * unit] = 0.0
    return dx, dy, status, usage


def mea(X: np.ndarray, Y: np.ndarray, Xr: np.ndarray | None = None, Yr: np.ndarray | None = None, *,
        rts: RTS | GRS = RTS.VRS, orientation: Orientation = Orientation.INPUT, solver: LPSolver,
        slacks: bool = True, screen: bool | None = None) -> Envelopment:
    """beta* of MEA (module docstring) of the rows of (X, Y) against (Xr, Yr) (default: themselves);
    ``farrell`` holds beta*; slacks and targets in data units."""
    own = Xr is None
    if own:
        Xr, Yr = X, Y
    n = X.shape[0]
    dx, dy, status, usage = directions(X, Y, Xr, Yr, rts=rts, orientation=orientation, solver=solver, screen=screen)
    ok = status == LPStatus.OPTIMAL
    moving = ok & ((dx != 0).any(axis=1) | (dy != 0).any(axis=1))
    still = np.flatnonzero(ok & ~moving)           # no variable can improve on its own: beta = 0
    live = np.flatnonzero(moving)
    parts = []
    if live.size:
        env = _distance(X[live], Y[live], Xr, Yr, dx[live], dy[live], rts, solver, slacks, screen)
        usage = usage + env.usage
        if slacks:
            env = Envelopment(env.farrell, env.status, env.lambdas, env.slack_x, env.slack_y, env.target_x,
                              env.target_y, env.slack_status, env.usage)
        else:
            env = Envelopment(env.farrell, env.status, env.lambdas, usage=env.usage)
        parts.append((live, env, None))
    if still.size:                                 # o itself is its target, with no slack in any variable
        k = still.size
        zero_x, zero_y = np.zeros((k, X.shape[1])), np.zeros((k, Y.shape[1]))
        lam = (sp.csr_array((np.ones(k), (np.arange(k), still)), shape=(k, Xr.shape[0])) if own
               else sp.csr_array((k, Xr.shape[0])))
        opt = np.full(k, LPStatus.OPTIMAL, dtype=np.int8)
        parts.append((still, Envelopment(np.zeros(k), opt, lam, zero_x, zero_y, X[still], Y[still], opt.copy())
                      if slacks else Envelopment(np.zeros(k), opt, lam), None))
    if not parts:
        return Envelopment(np.full(n, np.nan), status, sp.csr_array((n, Xr.shape[0])), usage=usage)
    parts.sort(key=lambda p: -p[0].size)           # merge_rows takes its fields from the first part
    out = merge_rows(n, Xr.shape[0], parts)
    final = np.where(ok, out.status, status).astype(np.int8)
    slack_status = None if out.slack_status is None else np.where(ok, out.slack_status, LPStatus.NOT_SOLVED)
    return Envelopment(np.where(final == LPStatus.OPTIMAL, out.farrell, np.nan), final, out.lambdas, out.slack_x,
                       out.slack_y, out.target_x, out.target_y, slack_status, usage)
