"""Free disposal hull (Deprins, Simar and Tulkens 1984), by enumeration, no LP.

The FDH technology is the free-disposal closure of the observed DMUs. DMU o's score is the best
radial comparison with one observed DMU j that dominates it in the other dimension:

* input:  theta* = min over j with y_j >= y_o of  max_i x_ij / x_io
* output: phi*   = max over j with x_j <= x_o of  min_r y_rj / y_ro
* graph:  G*     = min over j of max(max_i x_ij / x_io, max_r y_ro / y_rj)

A ratio with a zero denominator does not bind when its numerator is also zero; an input x_io = 0
with x_ij > 0 rules j out (theta x_io cannot reach it), and an output y_ro = 0 never binds in the
output measure (as the LP formulation of deaR has it). The peer is the optimal j with the largest
slack sum in data units; slacks are a_x x_o - x_j and y_j - a_y y_o as in the radial model.
Work is chunked so that memory stays O(chunk x n_ref), never n x n.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from solvers import LPStatus

from ..spec import Orientation
from .envelopment import Envelopment

#: Budget of float64 cells per chunk of the enumeration.
CHUNK_CELLS = 1_000_000


def _ratio_max(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """max_i num[j, i] / den[o, i] -> (chunk, n_ref), with 0/0 ignored and a/0 = inf for a > 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = num[None, :, :] / den[:, None, :]
    r = np.where(np.isnan(r), 0.0, r)            # 0/0: does not bind
    return r.max(axis=2) if r.shape[2] else np.zeros(r.shape[:2])


def fdh(X: np.ndarray, Y: np.ndarray, Xr: np.ndarray | None = None, Yr: np.ndarray | None = None, *,
        orientation: Orientation = Orientation.INPUT, exclude: np.ndarray | None = None) -> Envelopment:
    """FDH scores (Farrell measure), statuses, peer, slacks and lambdas of (X, Y) against (Xr, Yr)."""
    if Xr is None:
        Xr, Yr = X, Y
    n, m = X.shape
    s = Y.shape[1]
    nr = Xr.shape[0]
    score = np.full(n, np.nan)
    status = np.full(n, LPStatus.INFEASIBLE, dtype=np.int8)
    peer = np.full(n, -1, dtype=np.int64)
    chunk = max(1, CHUNK_CELLS // max(1, nr * max(m, s, 1)))
    for start in range(0, n, chunk):
        o = np.arange(start, min(n, start + chunk))
        x, y = X[o], Y[o]
        if orientation == Orientation.INPUT:
            allowed = (Yr[None, :, :] >= y[:, None, :]).all(axis=2)
            value = _ratio_max(Xr, x)                      # theta needed to cover each j
            sign = 1.0                                     # minimise
        elif orientation == Orientation.OUTPUT:
            allowed = (Xr[None, :, :] <= x[:, None, :]).all(axis=2)
            with np.errstate(divide="ignore", invalid="ignore"):
                r = Yr[None, :, :] / y[:, None, :]
            r = np.where(y[:, None, :] > 0, r, np.inf)     # y_ro = 0 never binds
            value = r.min(axis=2)
            sign = -1.0                                    # maximise
        else:
            allowed = np.ones((o.size, nr), dtype=bool)
            value = np.maximum(_ratio_max(Xr, x), _ratio_max_rev(y, Yr))
            sign = 1.0
        if exclude is not None:
            ex = exclude[o]
            rows = np.flatnonzero(ex >= 0)
            allowed[rows, ex[rows]] = False
        obj = np.where(allowed, sign * value, np.inf)
        best = obj.min(axis=1)
        finite = np.isfinite(best)
        unb = (best == -np.inf)
        sc = sign * best
        # Among the optimal peers, the one with the largest slack sum in data units.
        tie = np.isclose(obj, best[:, None], rtol=1e-12, atol=0.0) & allowed & np.isfinite(obj)
        ax = np.where(orientation == Orientation.OUTPUT, 1.0, sc)
        ay = (sc if orientation == Orientation.OUTPUT else
              (1.0 / sc if orientation == Orientation.GRAPH else np.ones_like(sc)))
        with np.errstate(invalid="ignore", over="ignore"):
            sx = ax[:, None, None] * x[:, None, :] - Xr[None, :, :]
            sy = Yr[None, :, :] - ay[:, None, None] * y[:, None, :]
            total = sx.sum(axis=2) + sy.sum(axis=2)
        total = np.where(tie, total, -np.inf)
        j = total.argmax(axis=1)
        ok = finite
        score[o[ok]] = sc[ok]
        status[o[ok]] = LPStatus.OPTIMAL
        status[o[unb]] = LPStatus.UNBOUNDED
        peer[o[ok]] = j[ok]
    ok = peer >= 0
    ax = np.where(orientation == Orientation.OUTPUT, 1.0, score)
    ay = score if orientation == Orientation.OUTPUT else (
        1.0 / score if orientation == Orientation.GRAPH else np.ones(n))
    slack_x = np.full((n, m), np.nan)
    slack_y = np.full((n, s), np.nan)
    slack_x[ok] = ax[ok, None] * X[ok] - Xr[peer[ok]]
    slack_y[ok] = Yr[peer[ok]] - ay[ok, None] * Y[ok]
    rows = np.flatnonzero(ok)
    lam = sp.csr_array((np.ones(rows.size), (rows, peer[ok])), shape=(n, nr))
    return Envelopment(score, status, lam, slack_x, slack_y, ax[:, None] * X - slack_x,
                       ay[:, None] * Y + slack_y, status.copy())


def _ratio_max_rev(y: np.ndarray, Yr: np.ndarray) -> np.ndarray:
    """max_r y[o, r] / Yr[j, r] -> (chunk, n_ref), 0/0 ignored, a/0 = inf (graph measure)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = y[:, None, :] / Yr[None, :, :]
    r = np.where(np.isnan(r), 0.0, r)
    return r.max(axis=2) if r.shape[2] else np.zeros(r.shape[:2])


# --------------------------------------------------------------------------------------------------
# FDH technology for the other models: enumeration over the observed DMUs (rts="fdh")
# --------------------------------------------------------------------------------------------------
#
# Under FDH the intensity vector picks one observed reference DMU j (lambda binary, sum 1), so each
# model's LP becomes a choice of the best j: the model's value at the point of j, among the j whose
# point the model can reach from DMU o (for the slack models: j dominates o, x_j <= x_o, y_j >= y_o,
# b_j <= b_o). The optimum is exact (no integer programme is needed); among optimal peers the one
# with the largest slack sum in data units is reported, as in the radial FDH above.

def best_peer(X: np.ndarray, Y: np.ndarray, Xr: np.ndarray, Yr: np.ndarray, value, *, maximise: bool,
              B: np.ndarray | None = None, Br: np.ndarray | None = None,
              dominance: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each row o of (X, Y, B), the reference row j (of Xr, Yr, Br) that optimises ``value``.

    ``value(rows, dx, dy, db)`` gets the evaluated rows and the room of every reference DMU j in each
    variable, dx = x_o - x_j, dy = y_j - y_o, db = b_o - b_j (arrays (chunk, n_ref, .)), and returns
    (value (chunk, n_ref), feasible (chunk, n_ref)); with ``dominance`` only the j that dominate o
    (dx, dy, db >= 0) are considered. Returns (the best value, NaN where no j is feasible; LPStatus
    codes; the peer's index, -1 where none)."""
    n, nr = X.shape[0], Xr.shape[0]
    B = np.zeros((n, 0)) if B is None else B
    Br = np.zeros((nr, 0)) if Br is None else Br
    width = X.shape[1] + Y.shape[1] + B.shape[1]
    score = np.full(n, np.nan)
    status = np.full(n, LPStatus.INFEASIBLE, dtype=np.int8)
    peer = np.full(n, -1, dtype=np.int64)
    chunk = max(1, CHUNK_CELLS // max(1, nr * max(width, 1)))
    sign = -1.0 if maximise else 1.0
    for start in range(0, n, chunk):
        o = np.arange(start, min(n, start + chunk))
        dx = X[o][:, None, :] - Xr[None, :, :]
        dy = Yr[None, :, :] - Y[o][:, None, :]
        db = B[o][:, None, :] - Br[None, :, :]
        val, ok = value(o, dx, dy, db)
        if dominance:
            ok = ok & (dx >= 0).all(axis=2) & (dy >= 0).all(axis=2) & (db >= 0).all(axis=2)
        ok &= ~np.isnan(val)
        obj = np.where(ok, sign * val, np.inf)
        best = obj.min(axis=1)
        found = np.isfinite(best) | (best == -np.inf)
        tie = ok & (obj <= best[:, None] + 1e-12 * np.maximum(1.0, np.abs(best[:, None])))
        total = np.where(tie, dx.sum(axis=2) + dy.sum(axis=2) + db.sum(axis=2), -np.inf)
        j = total.argmax(axis=1)
        rows = o[found]
        score[rows] = sign * best[found]
        status[rows] = np.where(np.isfinite(best[found]), LPStatus.OPTIMAL, LPStatus.UNBOUNDED)
        peer[rows] = j[found]
    return score, status, peer


def peer_lambdas(peer: np.ndarray, n_ref: int) -> sp.csr_array:
    """The one-hot intensity matrix of the peers (rows without a peer are empty)."""
    rows = np.flatnonzero(peer >= 0)
    return sp.csr_array((np.ones(rows.size), (rows, peer[rows])), shape=(peer.size, n_ref))


def _at_peer(X, Y, Xr, Yr, peer):
    """(x_j, y_j) of each row's peer, NaN where it has none."""
    ok = peer >= 0
    tx = np.full(X.shape, np.nan)
    ty = np.full(Y.shape, np.nan)
    tx[ok], ty[ok] = Xr[peer[ok]], Yr[peer[ok]]
    return tx, ty


def fdh_slacks(X, Y, Xr, Yr, value, *, maximise: bool, B=None, Br=None) -> Envelopment:
    """A slack model (SBM, additive, weighted additive) under FDH: its value at the best dominating
    observed DMU, whose point is the target; slacks x_o - x_j, y_j - y_o (and b_o - b_j)."""
    score, status, peer = best_peer(X, Y, Xr, Yr, value, maximise=maximise, B=B, Br=Br)
    tx, ty = _at_peer(X, Y, Xr, Yr, peer)
    sb = tb = None
    if B is not None:
        tb = np.full(B.shape, np.nan)
        tb[peer >= 0] = Br[peer[peer >= 0]]
        sb = B - tb
    return Envelopment(score, status, peer_lambdas(peer, Xr.shape[0]), X - tx, ty - Y, tx, ty, status.copy(),
                       slack_b=sb, target_b=tb)


def fdh_ddf(X, Y, Xr, Yr, *, gx: np.ndarray, gy: np.ndarray) -> Envelopment:
    """The directional distance under FDH: max over reference DMUs j of the largest beta with
    x_j <= x_o - beta g_x and y_j >= y_o + beta g_y (each constraint bounds beta on one side: from
    above where g > 0, from below where g < 0, and must hold at g = 0); then the slacks at the peer."""
    G = np.hstack([gx, gy])

    def value(rows, dx, dy, db):
        room = np.concatenate([dx, dy], axis=2)              # beta g <= room, per variable
        g = G[rows][:, None, :]
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = room / g
        hi = np.where(g > 0, ratio, np.inf).min(axis=2)
        lo = np.where(g < 0, ratio, -np.inf).max(axis=2)
        fixed = np.where(g == 0, room >= 0, True).all(axis=2)
        ok = fixed & (lo <= hi + 1e-12 * np.maximum(1.0, np.abs(hi)))
        return hi, ok

    beta, status, peer = best_peer(X, Y, Xr, Yr, value, maximise=True, dominance=False)
    tx, ty = _at_peer(X, Y, Xr, Yr, peer)
    b = beta[:, None]
    return Envelopment(beta, status, peer_lambdas(peer, Xr.shape[0]), X - b * gx - tx, ty - Y - b * gy, tx, ty,
                       status.copy())


def fdh_russell(X, Y, Xr, Yr, *, orientation: Orientation) -> Envelopment:
    """The Russell measure under FDH: input, min over dominating j of the mean of x_ij / x_io over the
    positive inputs (theta_i = x_ij / x_io); output, max of the mean of y_rj / y_ro over the positive
    outputs. Targets are the peer's point; the slacks are in the other side's variables."""
    inward = orientation == Orientation.INPUT
    own = X if inward else Y
    pos = own > 0
    npos = np.maximum(pos.sum(axis=1), 1)

    def value(rows, dx, dy, db):
        level = X[rows] if inward else Y[rows]
        at_j = level[:, None, :] - dx if inward else level[:, None, :] + dy
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(pos[rows][:, None, :], at_j / level[:, None, :], 0.0)
        return ratio.sum(axis=2) / npos[rows][:, None], np.ones(ratio.shape[:2], dtype=bool)

    mean, status, peer = best_peer(X, Y, Xr, Yr, value, maximise=not inward)
    tx, ty = _at_peer(X, Y, Xr, Yr, peer)
    with np.errstate(divide="ignore", invalid="ignore"):
        factors = np.where(pos, (tx if inward else ty) / own, np.nan)
    sx = np.zeros_like(X) if inward else X - tx             # the factors absorb their own side's slack
    sy = ty - Y if inward else np.where(pos, 0.0, ty - Y)   # (a zero output has no factor: its slack)
    solved = peer >= 0
    sx[~solved], sy[~solved] = np.nan, np.nan
    return Envelopment(mean, status, peer_lambdas(peer, Xr.shape[0]), sx, sy, tx, ty, status.copy(),
                       factors=factors)
