"""Seeded synthetic DEA data for the benchmarks (DESIGN section 8).

* :func:`cobb_douglas`: the everyday case - a decreasing-returns Cobb-Douglas frontier with
  half-normal inefficiency; the frame (extreme-efficient DMUs) is a small fraction of n.
* :func:`dula`: the literature's standard stress suite in the manner of Dula (2011) - a chosen share
  of the DMUs is placed exactly on a strictly concave frontier (every one of them extreme-efficient
  under VRS), the rest strictly inside; the frame size is therefore known and controlled.

J. H. Dula (2011), "An algorithm for data envelopment analysis", INFORMS Journal on Computing 23(2),
284-296 (data sets of 25,000-100,000 DMUs, dimension 5-20, density 1%-25%).

Both return numpy arrays with one row per DMU; all values are strictly positive.
"""

from __future__ import annotations

import numpy as np

#: Sum of the Cobb-Douglas input elasticities (decreasing returns to scale).
CD_RETURNS = 0.8
#: Scale of the half-normal inefficiency u (efficiency exp(-u)).
CD_SIGMA_U = 0.3
#: Exponent p of the output frontier ||y||_p = q (p > 1: the transformation curve is concave).
CD_OUTPUT_P = 2.0

#: Offset of the inputs in :func:`dula`: x = DULA_OFFSET - w_in, so inputs lie in (0.5, 1.5).
DULA_OFFSET = 1.5
#: Every unnormalised sphere coordinate is at least this (keeps all coordinates away from 0).
DULA_FLOOR = 0.25
#: Range of the inefficiency factors of the interior DMUs in :func:`dula` (at least 1%).
DULA_INEFF = (0.01, 0.30)


def cobb_douglas(n: int, m: int = 3, s: int = 2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Cobb-Douglas data with half-normal inefficiency: returns (X, Y), shapes (n, m) and (n, s).

    * Inputs: half of the columns lognormal (mu 0, sigma 0.5) times 10, the others uniform on
      [1, 20].
    * Frontier output aggregate q = prod_i x_i^a_i with elasticities a (random Dirichlet shares of
      ``CD_RETURNS`` = 0.8: decreasing returns to scale).
    * Outputs split by random shares w_j ~ U(0.2, 1) on the concave output frontier
      ||y||_2 = q: y* = q w / ||w||_2.
    * Observed outputs y = y* exp(-u), u half-normal with scale 0.3 (mean efficiency about 0.79).
    """
    _check(n, m, s)
    rng = np.random.default_rng(seed)
    X = np.empty((n, m))
    half = (m + 1) // 2
    X[:, :half] = 10.0 * rng.lognormal(0.0, 0.5, size=(n, half))
    X[:, half:] = rng.uniform(1.0, 20.0, size=(n, m - half))
    a = CD_RETURNS * rng.dirichlet(np.full(m, 4.0))
    q = np.exp(np.log(X) @ a)
    w = rng.uniform(0.2, 1.0, size=(n, s))
    w /= np.linalg.norm(w, ord=CD_OUTPUT_P, axis=1, keepdims=True)
    u = np.abs(rng.normal(0.0, CD_SIGMA_U, size=n))
    Y = q[:, None] * w * np.exp(-u)[:, None]
    return X, Y


def dula(n: int, m: int, s: int, share_efficient: float, seed: int = 0
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dula-style data with a known frame: returns (X, Y, efficient), ``efficient`` the sorted
    indices of the K = round(share_efficient * n) DMUs placed on the frontier (at least 1 when the
    share is positive).

    Construction (d = m + s):

    1. Frontier points. Draw g with coordinates DULA_FLOOR + |N(0, 1)| and set w = g / ||g||_2:
       points on the unit sphere, strictly inside the positive orthant (every coordinate positive).
       The DMU is x = DULA_OFFSET - w[:m] (inputs, in (0.5, 1.5)) and y = w[m:] (outputs).
       For weights v > 0 (inputs) and u > 0 (outputs), u'y - v'x = a'w - DULA_OFFSET * sum(v) with
       a = (v, u), and a'w over the unit sphere has the unique maximiser w = a / ||a||. So the
       frontier DMU w_k is the unique maximiser of u'y - v'x with (v, u) = w_k > 0 over all the
       DMUs: it is extreme-efficient in the VRS technology (a supporting hyperplane with strictly
       positive weights touches the free-disposal convex hull at it alone). The frontier surface
       maps inputs to outputs concavely (the ball is convex).
    2. Interior points. A random convex combination (Dirichlet weights) of 2 to min(d, 5) + 1
       distinct frontier DMUs (it lies in the VRS hull), then outputs shrunk by a factor (1 - f)
       and inputs inflated by (1 + g), f and g independent U(0.01, 0.30): strictly dominated by a
       point of the hull (by at least 1% in every output and input), so never extreme and never
       efficient.
    3. Rows shuffled.

    Interior points lie in the hull of the frontier DMUs, so the VRS frame is exactly the K frontier
    DMUs (tests/test_bench.py checks this with ``solvers.screening.frame``). Under CRS the frame is a
    subset of them (the extreme rays of the cone), its size not controlled.

    Numerically, a frontier DMU counts as extreme only if it sticks out of its neighbours' hull by
    more than the frame tolerance (1e-9 relative); random points on a one-dimensional frontier
    (m = s = 1) at very high density can come closer than that. At d >= 5 the gaps are orders of
    magnitude larger.
    """
    _check(n, m, s)
    if not 0.0 < share_efficient <= 1.0:
        raise ValueError(f"share_efficient must be in (0, 1], got {share_efficient}")
    rng = np.random.default_rng(seed)
    d = m + s
    k = min(n, max(1, int(round(share_efficient * n))))
    g = DULA_FLOOR + np.abs(rng.normal(size=(k, d)))
    W = g / np.linalg.norm(g, axis=1, keepdims=True)
    front = np.hstack([DULA_OFFSET - W[:, :m], W[:, m:]])

    rest = n - k
    inner = np.empty((rest, d))
    if rest:
        if k == 1:
            inner[:] = front[0]
        else:
            most = min(k, min(d, 5) + 1)
            sizes = rng.integers(2, most + 1, size=rest)
            for size in np.unique(sizes):
                rows = np.flatnonzero(sizes == size)
                pick = _distinct(rng, rows.size, k, size)
                lam = rng.dirichlet(np.ones(size), size=rows.size)
                inner[rows] = np.einsum("rk,rkj->rj", lam, front[pick])
        f = rng.uniform(*DULA_INEFF, size=(rest, 1))
        h = rng.uniform(*DULA_INEFF, size=(rest, 1))
        inner[:, :m] *= 1.0 + h
        inner[:, m:] *= 1.0 - f
    P = np.vstack([front, inner])
    order = rng.permutation(n)
    P = P[order]
    efficient = np.sort(np.flatnonzero(order < k))
    return np.ascontiguousarray(P[:, :m]), np.ascontiguousarray(P[:, m:]), efficient


def _distinct(rng: np.random.Generator, rows: int, k: int, size: int) -> np.ndarray:
    """rows x size indices in [0, k), distinct within each row (rows with a repeat are redrawn)."""
    pick = rng.integers(0, k, size=(rows, size))
    while True:
        srt = np.sort(pick, axis=1)
        bad = np.flatnonzero((np.diff(srt, axis=1) == 0).any(axis=1))
        if not bad.size:
            return pick
        pick[bad] = rng.integers(0, k, size=(bad.size, size))


def _check(n: int, m: int, s: int) -> None:
    if n < 1 or m < 1 or s < 1:
        raise ValueError(f"need n, m, s >= 1, got n={n}, m={m}, s={s}")
