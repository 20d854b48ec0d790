"""Frame search shortcuts (issue 17): thinning large sets against a sample's frame, and membership LPs
that stop as soon as their DMU is found inside, give the plain search's frame.

``solvers.screening.frame`` thins sets of ``SPLIT_MIN`` (20 000) DMUs and more: it finds the frame of
a sample, drops every DMU inside that frame's technology (``_kernel.outside``, one parallel pass) and
searches the rest. The frame is the only thing screening hands to the models, so equal frames mean
equal results for every model and option that screens; the LP results are also checked at a size
where thinning is on, against HiGHS over all DMUs without screening.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

import efficiency as ef
from benchmarks.data import cobb_douglas, dula
from solvers import numba_core, screening


def _scaled(X, Y):
    P = np.hstack([X, Y])
    return P / P.mean(axis=0)


@pytest.mark.parametrize("crs", [False, True])
@pytest.mark.parametrize("source", ["dula", "cobb_douglas"])
def test_thinned_frame_equals_the_plain_search(monkeypatch, crs, source):
    """Thresholds lowered so that thinning (recursively) runs on 4 000 DMUs."""
    monkeypatch.setattr(screening, "SPLIT_MIN", 1000)
    monkeypatch.setattr(screening, "SAMPLE_MIN", 150)
    if source == "dula":
        X, Y, eff = dula(4000, 3, 2, 0.08, seed=5)
    else:
        X, Y = cobb_douglas(4000, 3, 2, seed=5)
        eff = None
    P = _scaled(X, Y)
    thinned = screening.frame(P, 3, crs)
    plain = screening.frame(P, 3, crs, thin=False)
    np.testing.assert_array_equal(thinned, plain)
    if eff is not None and not crs:
        np.testing.assert_array_equal(plain, eff)                   # the planted VRS frame
    assert 0 < plain.size < 4000


@pytest.mark.parametrize("crs", [False, True])
def test_thinning_at_its_real_threshold(crs):
    X, Y, eff = dula(screening.SPLIT_MIN, 2, 3, 0.01, seed=2)
    P = _scaled(X, Y)
    thinned = screening.frame(P, 2, crs)
    np.testing.assert_array_equal(thinned, screening.frame(P, 2, crs, thin=False))
    if not crs:
        np.testing.assert_array_equal(thinned, eff)


def test_dea_with_thinning_equals_highs_over_all_dmus():
    """n = 20 000 (thinning on): 150 sampled DMUs' scores and slacks against HiGHS over all DMUs."""
    n = screening.SPLIT_MIN
    X, Y = cobb_douglas(n, 3, 2, seed=1)
    cols = ["x0", "x1", "x2", "y0", "y1"]
    df = pd.DataFrame(np.hstack([X, Y]), columns=cols)
    fast = ef.dea(df, inputs=cols[:3], outputs=cols[3:], rts="vrs", slacks=True)
    assert fast.solver == "numba"
    rows = np.random.default_rng(0).choice(n, 150, replace=False)
    plain = ef.dea(df.iloc[rows], inputs=cols[:3], outputs=cols[3:], rts="vrs", slacks=True,
                   reference=df, solver="highs", screen=False)
    np.testing.assert_allclose(fast.scores.to_numpy()[rows], plain.scores.to_numpy(), rtol=0, atol=1e-6)
    np.testing.assert_allclose(fast.slacks.to_numpy()[rows], plain.slacks.to_numpy(), rtol=0, atol=1e-6)


def _ddf_beta(F, p, m, crs):
    """max beta: (x (1 - beta), y (1 + beta)) in the technology of the rows F, by HiGHS."""
    k = F.shape[0]
    x, y = p[:m], p[m:]
    A = np.vstack([np.c_[F[:, :m].T, x[:, None]], np.c_[-F[:, m:].T, y[:, None]]])
    res = linprog(np.r_[np.zeros(k), -1.0], A_ub=A, b_ub=np.r_[x, -y],
                  A_eq=None if crs else np.r_[np.ones(k), 0.0][None, :], b_eq=None if crs else [1.0],
                  bounds=[(0, None)] * k + [(None, None)], method="highs")
    assert res.status == 0
    return -res.fun


@pytest.mark.parametrize("crs", [False, True])
def test_outside_agrees_with_a_plain_lp(crs):
    """``_kernel.outside`` (membership LPs with the early stop) against HiGHS's directional distance,
    on points inside, outside and on the frontier of a technology of 300 reference DMUs (partial
    pricing on); and the compiled kernel against its twin."""
    X, Y, eff = dula(2000, 2, 2, 0.3, seed=9)
    P = _scaled(X, Y)
    F = np.ascontiguousarray(P[eff[::2]])                     # half the frame: some frame DMUs are outside
    rows = np.random.default_rng(4).choice(2000, 120, replace=False)
    Q = np.ascontiguousarray(np.vstack([P[rows], F[:10], P[eff[1::2]][:40]]))
    out = numba_core.kernel().outside(Q, 2, 0 if crs else 1, F, screening.TOL)
    beta = np.array([_ddf_beta(F, p, 2, crs) for p in Q])
    assert np.all(out == (beta < -1e-7)), (out, beta)        # no point within 1e-7 of the boundary
    assert 10 < out.sum() < len(Q) - 100
    twin = numba_core.twin().outside(Q[:30], 2, 0 if crs else 1, F, screening.TOL)
    np.testing.assert_array_equal(twin, out[:30])
