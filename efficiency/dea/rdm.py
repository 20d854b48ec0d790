"""Range directional model, RDM (Silva Portela, Thanassoulis and Simpson 2004), and its inverse, IRDM.

A directional distance function under VRS whose direction is DMU o's range of possible improvement,
measured from the ideal point of the reference set (the smallest input and the largest output
observed there):

    R-_io = x_io - min_j x_ij,   R+_ro = max_j y_rj - y_ro

    beta* = max beta  s.t.  X_r' lam <= x_o - beta R-_o,  Y_r' lam >= y_o + beta R+_o,  sum(lam) = 1

Orientation 'none' uses both ranges, 'input' only R- (outputs held), 'output' only R+ (inputs held).
The RDM efficiency is 1 - beta* in [0, 1] (0 when o can reach the ideal point along its ranges).
Both the ranges and the VRS technology move with a change of units or a translation of a variable,
so beta* is units and translation invariant: the model takes negative data (the point of the paper).
IRDM uses 1/R (0 where R = 0) as the direction: it gives priority to the variables where o is
closest to the ideal, for targets; its beta is neither bounded by 1 nor units invariant, so it is no
efficiency measure (Portela et al. 2004), and ``efficiency`` is left NaN (``beta`` holds it).

As deaR's ``model_rdm`` (``maxslack = TRUE``), phase II maximises the sum of slacks in data units
at beta*. A DMU whose direction is zero in every component (already at the ideal in every variable
the orientation measures) has no bounded beta: status 'unbounded' (deaR writes 1e30).

The LPs are those of ``directional.ddf`` (the numba core, frame screening: beta* depends on the
technology only). Negative values are translated away first, a change that leaves the VRS model,
the ranges and beta* as they are (and is undone in the targets).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from solvers import LPSolver, LPStatus

from ..spec import RTS, Orientation
from .directional import ddf
from .envelopment import Envelopment, column_scale
from .radial import merge_rows


def ranges(X: np.ndarray, Y: np.ndarray, Xr: np.ndarray, Yr: np.ndarray, orientation: Orientation,
           inverse: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The direction (g_x, g_y) of each DMU: its ranges R-, R+ (IRDM: their inverses, 0 for 0)."""
    gx = X - Xr.min(axis=0) if orientation != Orientation.OUTPUT else np.zeros_like(X)
    gy = Yr.max(axis=0) - Y if orientation != Orientation.INPUT else np.zeros_like(Y)
    if inverse:
        with np.errstate(divide="ignore"):
            gx, gy = (np.where(g != 0, 1.0 / g, 0.0) for g in (gx, gy))
    return gx, gy


def _shift(*blocks: np.ndarray) -> np.ndarray:
    """Per column, a translation that makes every value positive where some is negative (0 elsewhere)."""
    both = np.vstack(blocks)
    low = both.min(axis=0)
    return np.where(low < 0, -low + np.abs(both).mean(axis=0), 0.0)


def rdm(X: np.ndarray, Y: np.ndarray, Xr: np.ndarray | None = None, Yr: np.ndarray | None = None, *,
        orientation: Orientation = Orientation.NONE, inverse: bool = False, solver: LPSolver,
        slacks: bool = True, screen: bool | None = None) -> Envelopment:
    """beta* of RDM (IRDM with ``inverse``) of the rows of (X, Y) against (Xr, Yr) (default:
    themselves); ``farrell`` holds beta*; slacks and targets in data units."""
    if Xr is None:
        Xr, Yr = X, Y
    n = X.shape[0]
    gx, gy = ranges(X, Y, Xr, Yr, orientation, inverse)
    live = np.flatnonzero((gx != 0).any(axis=1) | (gy != 0).any(axis=1))
    cx, cy = _shift(X, Xr), _shift(Y, Yr)
    if not live.size:                          # every DMU at the ideal point: no direction anywhere
        return Envelopment(np.full(n, np.nan), np.full(n, LPStatus.UNBOUNDED, dtype=np.int8),
                           sp.csr_array((n, Xr.shape[0])))
    # Each direction divided by its largest component in units of its column's scale (beta scaled back
    # below): an IRDM direction 1/R on data of 1e9 is ~1e-18 per unit, which LP solvers read as zero.
    scale = np.concatenate([column_scale(X + cx, Xr + cx), column_scale(Y + cy, Yr + cy)])
    size = (np.abs(np.hstack([gx, gy])[live]) / scale).max(axis=1)
    env = ddf(X[live] + cx, Y[live] + cy, None, Xr + cx, Yr + cy, gx=gx[live] / size[:, None],
              gy=gy[live] / size[:, None], rts=RTS.VRS, solver=solver, slacks=slacks, screen=screen, label="RDM")
    beta = env.farrell / size
    if slacks:                                 # targets back in the data's origin
        env = Envelopment(beta, env.status, env.lambdas, env.slack_x, env.slack_y, env.target_x - cx,
                          env.target_y - cy, env.slack_status, env.usage)
    else:
        env = Envelopment(beta, env.status, env.lambdas, usage=env.usage)
    parts = [(live, env, None)]
    out = merge_rows(n, Xr.shape[0], parts)
    dead = np.setdiff1d(np.arange(n), live)
    status = out.status.copy()
    status[dead] = LPStatus.UNBOUNDED
    slack_status = None if out.slack_status is None else out.slack_status.copy()
    if slack_status is not None:
        slack_status[dead] = LPStatus.NOT_SOLVED
    return Envelopment(out.farrell, status, out.lambdas, out.slack_x, out.slack_y, out.target_x, out.target_y,
                       slack_status, out.usage)
