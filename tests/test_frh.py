"""Radial DEA on the free replicability hull (integer lambdas; Benchmarking's rts "add"): a hand
example, brute force over integer combinations, FDH >= FRH >= CRS, every MILP backend, errors."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

import efficiency as ef

X = np.array([[2.0], [3.0], [5.0], [4.0], [7.0]])
Y = np.array([[1.0], [2.0], [3.0], [1.0], [4.0]])


def test_hand_example():
    """(7, 4) is beaten by two copies of (3, 2) = (6, 4): theta = 6/7 on the FRH, 1 on the FDH."""
    r = ef.dea(inputs=X, outputs=Y, rts="frh")
    np.testing.assert_allclose(r.scores, [1, 1, 1, 0.5, 6 / 7], rtol=1e-9)
    assert r.solver == "highs" and (r.status == "optimal").all()
    assert ef.dea(inputs=X, outputs=Y, model="fdh").scores.iloc[4] == 1.0
    lam = r.lambda_matrix.toarray()[4]
    np.testing.assert_allclose(lam, [0, 2, 0, 0, 0], atol=1e-9)          # integer peers
    out = ef.dea(inputs=X, outputs=Y, rts="frh", orientation="output")
    np.testing.assert_allclose(out.farrell.iloc[3], 2.0, rtol=1e-9)       # (4, 1) -> 2 x (2, 1) = (4, 2)


def _brute(X, Y, o, limit=4):
    """min theta over integer lambda in {0..limit}^n (input orientation)."""
    best = np.inf
    for lam in itertools.product(range(limit + 1), repeat=X.shape[0]):
        lam = np.array(lam, dtype=float)
        if not lam.any() or np.any(lam @ Y < Y[o] - 1e-12):
            continue
        best = min(best, np.max((lam @ X) / X[o]))
    return best


def test_equals_brute_force_over_integer_combinations():
    rng = np.random.default_rng(3)
    Xs = rng.integers(1, 6, (5, 2)).astype(float)
    Ys = rng.integers(1, 6, (5, 1)).astype(float)
    r = ef.dea(inputs=Xs, outputs=Ys, rts="frh")
    want = [_brute(Xs, Ys, o) for o in range(5)]
    np.testing.assert_allclose(r.scores, want, rtol=1e-9)


@pytest.mark.parametrize("orientation", ["input", "output"])
def test_lies_between_fdh_and_crs(orientation):
    rng = np.random.default_rng(8)
    Xs, Ys = rng.uniform(1, 10, (40, 2)), rng.uniform(1, 10, (40, 2))
    frh = ef.dea(inputs=Xs, outputs=Ys, rts="frh", orientation=orientation).scores.to_numpy()
    fdh = ef.dea(inputs=Xs, outputs=Ys, model="fdh", orientation=orientation).scores.to_numpy()
    crs = ef.dea(inputs=Xs, outputs=Ys, rts="crs", orientation=orientation).scores.to_numpy()
    assert np.all(crs <= frh + 1e-9) and np.all(frh <= fdh + 1e-9)
    assert np.any(frh < fdh - 1e-6) and np.any(frh > crs + 1e-6)


@pytest.mark.parametrize("solver", ["highs", "scipy", "pulp"])
def test_every_milp_backend_agrees(solver):
    rng = np.random.default_rng(5)
    Xs, Ys = rng.uniform(1, 10, (15, 2)), rng.uniform(1, 10, (15, 1))
    ref = ef.dea(inputs=Xs, outputs=Ys, rts="frh")
    got = ef.dea(inputs=Xs, outputs=Ys, rts="frh", solver=solver)
    np.testing.assert_allclose(got.scores, ref.scores, rtol=1e-6)
    assert got.solver == solver


def test_the_numba_backend_hands_the_milps_to_highs_and_says_so():
    with pytest.warns(ef.SolveWarning, match="it does not solve this kind of LP"):
        r = ef.dea(inputs=X, outputs=Y, rts="frh", solver="numba")
    assert r.solver == "highs"


@pytest.mark.parametrize("kw, match", [
    (dict(model="sbm"), "the radial model"),
    (dict(orientation="graph"), "input or output orientation"),
    (dict(super_efficiency=True), "no super-efficiency"),
    (dict(screen=True), "does not span the free replicability hull"),
    (dict(noncontrollable=["x1"]), "not available with rts='frh'"),
])
def test_options_that_do_not_fit_are_refused(kw, match):
    with pytest.raises(ef.SpecError, match=match):
        ef.dea(inputs=X, outputs=Y, rts="frh", **kw)


def test_add_is_benchmarkings_name():
    assert ef.dea(inputs=X, outputs=Y, rts="add").rts == "frh"
