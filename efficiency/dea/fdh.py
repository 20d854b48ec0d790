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
