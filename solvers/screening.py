"""Frame pre-screening: the extreme-efficient DMUs, found first, in the manner of Dula's BuildHull.

J. H. Dula (2011), "An algorithm for data envelopment analysis", INFORMS Journal on Computing 23(2),
284-296. The frame of a DEA technology is the set of its extreme-efficient DMUs; it spans the same
technology as all DMUs, so every DMU's LP solved against the frame alone has the same optimal
score and the same maximal slack sum, with far fewer columns.

* VRS: extreme points of the free-disposal convex hull. The VRS frame also spans the NIRS and NDRS
  technologies (their points are the VRS hull's points scaled down to the origin, or up), so it
  serves them too, as a superset of their own frames.
* CRS: extreme rays of the free-disposal cone; a subset of the VRS frame.

A model that changes the reference set changes the frame (DESIGN section 8): super-efficiency of a
frame DMU needs the frame of the others, and a cross-period Malmquist LP the reference period's.

The algorithm (``solvers/_kernel.build_frame``, compiled with numba) tests DMUs in parallel blocks
against the technology of the frame found so far with a directional-distance LP; a DMU outside it
gives a separating hyperplane (the LP's duals), and the DMU that maximises that hyperplane
(u'y - v'x under VRS, the ratio u'y / v'x under CRS) is extreme-efficient and joins the frame. A
maximiser chosen among ties is checked against the rest of the frame at the end. Points within a
relative distance ``tol`` (1e-9) of the frame's technology count as inside; a membership LP stops
as soon as it finds its DMU inside.

Large sets (``SPLIT_MIN`` DMUs and more) are first thinned: the frame F0 of about 1/SAMPLE_SHARE
of the DMUs (at least SAMPLE_MIN), those most likely to be efficient along SAMPLE_DIRECTIONS
weight vectors (VRS; CRS: one), is found (recursively), then every DMU is
tested against the technology of F0 in one parallel pass (``_kernel.outside``). A DMU inside it is
inside the technology of all DMUs and is not extreme (the frame's technology is the same whichever
DMUs span it), so the frame of all DMUs is the frame of F0 and the DMUs outside. The search over
all DMUs scans every remaining candidate for each new frame member (O(n) each, sequentially);
thinning first makes those scans run over thousands of DMUs, not 100 000.
"""

from __future__ import annotations

import numpy as np

from . import numba_core

#: Directional distance below which a DMU counts as inside the frame's technology.
TOL = 1e-9
BLOCK = 512
#: Sets of at least this many DMUs are thinned against the frame of a sample first.
SPLIT_MIN = 20000
SAMPLE_SHARE = 20
SAMPLE_MIN = 5000
#: VRS: the sample is the union of the best DMUs along this many directions (the tie-break weights
#: and fixed random perturbations of them); its frame then covers more of the frontier than one
#: direction's best (n = 100 000 VRS: a first frame of 1 250 DMUs leaves 14 000 DMUs outside, not
#: 28 000). CRS frames are small; there a larger first frame costs the pass over all DMUs more than
#: it saves (n = 100 000: 0.41 s against 0.27 s), so CRS samples along the tie-break weights only.
SAMPLE_DIRECTIONS = 8


def _tiebreak(k: int) -> np.ndarray:
    """Fixed strictly positive weights (deterministic) used to pick an extreme point among ties."""
    return 1.0 + 0.5 * np.sin(np.arange(1, k + 1) * 12.9898) ** 2


def _score(P: np.ndarray, k_in: int, crs: bool, w: np.ndarray) -> np.ndarray:
    """How efficient each row looks along the weights w: u'y / v'x (CRS) or u'y - v'x (VRS)."""
    if crs:
        return (P[:, k_in:] @ w[k_in:]) / np.maximum(P[:, :k_in] @ w[:k_in], 1e-300)
    return P[:, k_in:] @ w[k_in:] - P[:, :k_in] @ w[:k_in]


def frame(P: np.ndarray, k_in: int, crs: bool, *, module=None, thin: bool = True) -> np.ndarray:
    """Indices (sorted) of the extreme-efficient rows of P = [X | Y] (column-scaled), VRS or CRS.
    ``thin``: thin large sets against a sample's frame first (module docstring); the search itself
    is the same either way and so is its result."""
    mod = module or numba_core.kernel()
    P = np.ascontiguousarray(P, dtype=np.float64)
    n, k = P.shape
    tb = _tiebreak(k)
    # Likely-efficient DMUs first: by the tie-break direction's value.
    order = np.argsort(-_score(P, k_in, crs, tb), kind="stable").astype(np.int64)
    if thin and n >= SPLIT_MIN:
        directions = 1 if crs else SAMPLE_DIRECTIONS
        each = max(SAMPLE_MIN, n // SAMPLE_SHARE) // directions
        rng = np.random.default_rng(0)
        picks = [order[:each]]
        for _ in range(directions - 1):
            w = tb * rng.uniform(0.25, 4.0, k)
            picks.append(np.argsort(-_score(P, k_in, crs, w), kind="stable")[:each])
        sample = np.unique(np.concatenate(picks))
        f0 = sample[frame(P[sample], k_in, crs, module=mod)]
        keep = mod.outside(P, int(k_in), 0 if crs else 1, np.ascontiguousarray(P[f0]), TOL)
        keep[f0] = True
        rest = np.flatnonzero(keep)
        # thin again only what thinning halved (it always ends: n shrinks each time)
        return rest[frame(P[rest], k_in, crs, module=mod, thin=rest.size <= n // 2)]
    idx, _ = mod.build_frame(P, int(k_in), 0 if crs else 1, order, BLOCK, TOL, tb)
    return idx
