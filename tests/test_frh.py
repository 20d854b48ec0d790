"""DEA on the free replicability hull (integer lambdas; Benchmarking's rts "add"): a hand example,
brute force over integer combinations for the radial, SBM, DDF and additive models, FDH >= FRH >= CRS,
every MILP backend, errors."""

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


def _combinations(n, limit=6):
    """Every integer lambda in {0..limit}^n but 0, as rows (the data's inputs are 1..6, so a lambda
    above 6 exceeds every DMU's inputs)."""
    lam = np.array(list(itertools.product(range(limit + 1), repeat=n)), dtype=float)
    return lam[lam.any(axis=1)]


def _brute_slacks(X, Y, B, o, value):
    """The best ``value(s-, s+, sb)`` (max) over integer lambdas that dominate DMU o (bads as inputs)."""
    lam = _combinations(X.shape[0])
    sx, sy, sb = X[o] - lam @ X, lam @ Y - Y[o], B[o] - lam @ B
    ok = np.all(sx >= -1e-12, axis=1) & np.all(sy >= -1e-12, axis=1) & np.all(sb >= -1e-12, axis=1)
    return np.max(value(sx[ok], sy[ok], sb[ok]))


def _data(seed, n=5, k=0):
    """n - 1 random DMUs with values 1..6 and a last one, (6, 6 | 1, 1 | 6), that some are sure to beat."""
    rng = np.random.default_rng(seed)
    X, Y, B = (rng.integers(1, 7, (n, 2)).astype(float), rng.integers(1, 7, (n, 2)).astype(float),
               rng.integers(1, 7, (n, k)).astype(float))
    X[-1], Y[-1], B[-1] = 6.0, 1.0, 6.0
    return X, Y, B


@pytest.mark.parametrize("orientation", ["none", "input", "output"])
@pytest.mark.parametrize("k", [0, 1])
def test_sbm_equals_brute_force(orientation, k):
    """rho = (1 - mean s-/x) / (1 + mean (s+/y, sb/b)) at its best integer combination (Dinkelbach
    converges to the ratio's minimum; input and output orientation keep one side)."""
    X, Y, B = _data(11 + k, k=k)
    s = Y.shape[1] + k
    aux_i, aux_o = float(orientation != "output"), float(orientation != "input")
    r = ef.dea(inputs=X, outputs=Y, undesirable=B if k else None, model="sbm", rts="frh", orientation=orientation)
    want = [-_brute_slacks(X, Y, B, o, lambda sx, sy, sb, o=o: -(1 - aux_i * np.mean(sx / X[o], axis=1))
                           / (1 + aux_o * (np.sum(sy / Y[o], axis=1) + np.sum(sb / B[o], axis=1)) / s))
            for o in range(X.shape[0])]
    np.testing.assert_allclose(r.scores, want, rtol=1e-9)
    assert (r.status == "optimal").all() and r.solver == "highs"
    assert np.any(r.scores < 1 - 1e-6)


def test_ddf_equals_brute_force():
    """max beta with lam'X <= x_o - beta g_x, lam'Y >= y_o + beta g_y, g = (x_o, y_o), and its slacks."""
    X, Y, _ = _data(5)
    r = ef.dea(inputs=X, outputs=Y, model="ddf", rts="frh")
    lam = _combinations(5)
    for o in range(5):
        beta = np.min(np.hstack([(X[o] - lam @ X) / X[o], (lam @ Y - Y[o]) / Y[o]]), axis=1).max()
        assert r.beta.iloc[o] == pytest.approx(beta, abs=1e-9)
    assert np.any(r.beta > 1e-6)
    f = r.to_frame()                                   # targets: an integer combination, beta and slacks
    for o in range(5):
        t = f.iloc[o]
        np.testing.assert_allclose([t.target_x1, t.target_x2], X[o] * (1 - t.beta) - [t.slack_x1, t.slack_x2],
                                   atol=1e-9)
        combo = r.lambda_matrix.toarray()[o]
        np.testing.assert_allclose(combo, np.round(combo), atol=1e-9)
        np.testing.assert_allclose(combo @ X, [t.target_x1, t.target_x2], atol=1e-9)   # targets = the combination


@pytest.mark.parametrize("weighted", [False, True])
def test_additive_equals_brute_force(weighted):
    X, Y, _ = _data(7)
    w = np.array([0.5, 2.0, 1.0, 3.0]) if weighted else np.ones(4)
    r = ef.dea(inputs=X, outputs=Y, model="additive", rts="frh", slack_weights=w if weighted else None)
    want = [_brute_slacks(X, Y, np.zeros((5, 0)), o, lambda sx, sy, sb: np.hstack([sx, sy]) @ w) for o in range(5)]
    np.testing.assert_allclose(r.slack_sum, want, rtol=1e-9, atol=1e-9)
    assert np.any(np.asarray(want) > 0)


def test_radial_slacks_are_the_largest_at_the_score():
    """Phase II on the FRH: the largest slack sum among the integer combinations that reach the score."""
    r = ef.dea(inputs=X, outputs=Y, rts="frh")
    f = r.to_frame()
    assert f.slack_x1.iloc[3] == pytest.approx(0.0, abs=1e-9)      # (4, 1): theta = 0.5 by (2, 1), no slack
    assert f.target_x1.iloc[4] == pytest.approx(6.0, abs=1e-9)     # (7, 4): 6/7 x 7 = 6 = 2 x 3
    out = ef.dea(inputs=X, outputs=Y, rts="frh", orientation="output").to_frame()
    # (4, 1): phi = 2 by 2 x (2, 1) = (4, 2) or by (3, 2); phase II takes the one with the input slack 1
    assert out.farrell.iloc[3] == pytest.approx(2.0, abs=1e-9)
    assert out.slack_x1.iloc[3] == pytest.approx(1.0, abs=1e-9)
    assert out.target_x1.iloc[3] == pytest.approx(3.0, abs=1e-9)


@pytest.mark.parametrize("model", ["sbm", "ddf", "additive"])
def test_slack_models_lie_between_fdh_and_convex(model):
    rng = np.random.default_rng(2)
    Xs, Ys = rng.uniform(1, 10, (25, 2)), rng.uniform(1, 10, (25, 2))
    value = {"sbm": "scores", "ddf": "beta", "additive": "slack_sum"}[model]
    got = {rts: getattr(ef.dea(inputs=Xs, outputs=Ys, model=model, rts=rts), value).to_numpy()
           for rts in ("fdh", "frh", "crs")}
    sign = 1.0 if model == "sbm" else -1.0             # sbm scores fall as the technology grows
    assert np.all(sign * got["crs"] <= sign * got["frh"] + 1e-9)
    assert np.all(sign * got["frh"] <= sign * got["fdh"] + 1e-9)
    assert np.any(np.abs(got["frh"] - got["fdh"]) > 1e-6)


@pytest.mark.parametrize("model, orientation", [("sbm", "none"), ("ddf", "input"), ("additive", "input")])
@pytest.mark.parametrize("solver", ["scipy", "pulp"])
def test_slack_models_agree_on_every_milp_backend(model, orientation, solver):
    rng = np.random.default_rng(6)
    Xs, Ys = rng.uniform(1, 10, (12, 2)), rng.uniform(1, 10, (12, 1))
    kw = dict(inputs=Xs, outputs=Ys, model=model, rts="frh", orientation=orientation)
    ref, got = ef.dea(**kw), ef.dea(solver=solver, **kw)
    value = {"sbm": "scores", "ddf": "beta", "additive": "slack_sum"}[model]
    np.testing.assert_allclose(getattr(got, value), getattr(ref, value), rtol=1e-6, atol=1e-7)
    assert got.solver == solver


@pytest.mark.parametrize("kw, match", [
    (dict(model="russell"), "the radial, sbm, ddf and additive models"),
    (dict(model="bam"), "the radial, sbm, ddf and additive models"),
    (dict(model="ddf", undesirable=[[1.0]] * 5), "taken by the sbm model"),
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
