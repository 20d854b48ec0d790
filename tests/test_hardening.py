"""Issue 12's DEA items: screening only where it is valid and always when asked, results that say which
backend solved them, the kernel's certificate, badly scaled data, free production, directions with
negative components, scores and slacks at their bounds, zero columns against a reference set."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import efficiency as ef
from efficiency.dea import api
from efficiency.dea.envelopment import Envelopment
from efficiency.spec import Model, Orientation
from solvers import numba_core, screening


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


def _issue_data(n=100, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.uniform(1, 10, (n, 3))
    Y = (X.prod(axis=1) ** 0.25)[:, None] * rng.uniform(0.4, 1.0, (n, 2))
    return pd.DataFrame(np.hstack([X, Y]), columns=["x1", "x2", "x3", "y1", "y2"])


# --------------------------------------------------------------------------------------------------
# Screening
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rts", ["crs", "vrs"])
@pytest.mark.parametrize("orientation", ["input", "output"])
def test_noncontrollable_input_default_equals_plain_highs(rts, orientation):
    """The issue's case: 100 DMUs, m = 3, s = 2, one input non-controllable (screening gave wrong
    scores, some above 1 and some falsely infeasible)."""
    df = _issue_data()
    kw = dict(inputs=["x1", "x2", "x3"], outputs=["y1", "y2"], rts=rts, orientation=orientation,
              noncontrollable=["x3"])
    plain = ef.dea(df, solver="highs", screen=False, **kw)
    fast = ef.dea(df, **kw)
    assert (fast.status == "optimal").all() and (plain.status == "optimal").all()
    np.testing.assert_allclose(fast.scores, plain.scores, atol=1e-9)
    assert (fast.scores <= 1.0).all()
    with pytest.raises(ef.SpecError, match="non-controllable variables are equality rows"):
        ef.dea(df, screen=True, **kw)


def test_screen_true_screens_at_any_size(monkeypatch):
    df = _issue_data(n=20)
    calls = []
    real = screening.frame

    def counted(P, k_in, crs, **kw):
        calls.append(P.shape[0])
        return real(P, k_in, crs, **kw)

    monkeypatch.setattr(screening, "frame", counted)
    kw = dict(inputs=["x1", "x2", "x3"], outputs=["y1", "y2"], rts="vrs")
    screened = ef.dea(df, screen=True, **kw)
    assert calls == [20]                                  # screened, though below the default's 64
    ef.dea(df, **kw)
    assert calls == [20]                                  # the default does not screen 20 DMUs
    ef.dea(df, solver="highs", screen=True, **kw)
    assert calls == [20, 20]                              # any backend screens when asked
    plain = ef.dea(df, solver="highs", screen=False, **kw)
    np.testing.assert_allclose(screened.scores, plain.scores, atol=1e-9)


@pytest.mark.parametrize("kw, match", [
    (dict(model="fdh"), "fdh model solves no LP"),
    (dict(model="ddf", undesirable=["y2"], outputs=["y1"]), "undesirable outputs are equality rows"),
    (dict(noncontrollable=["x1"]), "non-controllable variables are equality rows"),
])
def test_screen_true_where_screening_is_not_valid_is_refused(kw, match):
    df = _issue_data(n=30)
    args = dict(inputs=["x1", "x2", "x3"], outputs=["y1", "y2"])
    args.update(kw)
    with pytest.raises(ef.SpecError, match=match):
        ef.dea(df, screen=True, **args)


# --------------------------------------------------------------------------------------------------
# Which backend solved the LPs
# --------------------------------------------------------------------------------------------------

def test_sbm_results_say_that_highs_solved_them():
    df = _issue_data(n=30)
    kw = dict(inputs=["x1", "x2", "x3"], outputs=["y1", "y2"], model="sbm")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        default = ef.dea(df, **kw)                        # the default picks HiGHS for SBM, silently
    assert default.solver == "highs" and "solver: highs" in default.summary()
    with pytest.warns(ef.SolveWarning, match=r"30 of 30 LPs were solved by another backend than 'numba' "
                                             r"\(highs 30\): it does not solve this kind of LP"):
        asked = ef.dea(df, solver="numba", **kw)
    assert asked.solver == "highs"
    np.testing.assert_allclose(asked.scores, default.scores, atol=1e-12)


def test_radial_results_say_numba():
    df = _issue_data(n=80)
    r = ef.dea(df, inputs=["x1", "x2", "x3"], outputs=["y1", "y2"])
    assert r.solver == "numba"
    m = ef.malmquist(pd.concat([df.assign(unit=range(80), year=2001), df.assign(unit=range(80), year=2002)]),
                     id="unit", period="year", inputs=["x1", "x2", "x3"], outputs=["y1", "y2"])
    assert m.solver == "numba"


# --------------------------------------------------------------------------------------------------
# The kernel's certificate and badly scaled data
# --------------------------------------------------------------------------------------------------

def _problem(X, Y):
    from efficiency.dea.envelopment import column_scale
    from efficiency.dea.radial import Discretion, _Setup
    from efficiency.spec import RTS
    sx, sy = column_scale(X), column_scale(Y)
    S = _Setup(np.hstack([X / sx, Y / sy]), X.shape[1], RTS.VRS, Discretion.none(X.shape[1], Y.shape[1]),
               np.concatenate([sx, sy]))
    return S.radial(X / sx, Y / sy, Orientation.INPUT, True, None)


def test_certificate_accepts_the_optimum_and_rejects_a_tampered_point():
    rng = np.random.default_rng(5)
    X, Y = rng.uniform(1, 5, (12, 2)), rng.uniform(1, 5, (12, 1))
    p = _problem(X, Y).rows(np.array([3]))
    tw = numba_core.twin()
    status, t, _, lam_idx, lam_val, slack, dual = numba_core.run_kernel(p, tw)
    assert status[0] == 0
    RT = np.ascontiguousarray(p.R.T)
    k = p.k
    d = np.empty(k)
    tw.row_scale(p.b[0], p.g[0], d)
    b, g, s_ub = p.b[0] * d, p.g[0] * d, p.slack_upper() * d
    w = p.weights() / d
    w = w / w.max()
    cnt = int((lam_idx[0] >= 0).sum())
    pi2 = np.concatenate([dual[0][:k] / d, dual[0][k:]])
    args = (RT, d, p.k_in, 1, p.rts_lo, p.rts_hi, b, g, 0.0, np.inf, 1.0, s_ub, w, -1, False, lam_idx[0],
            lam_val[0], cnt)
    sl = slack[0] * d
    assert tw.certify(*args, t[0], sl, pi2, np.zeros(k + 1)) == 0
    assert tw.certify(*args, t[0] * 0.99, sl, pi2, np.zeros(k + 1)) == 1          # infeasible theta
    lam = lam_val[0].copy()
    lam[0] *= 1.01
    bad = args[:-2] + (lam, cnt)
    assert tw.certify(*bad, t[0], sl, pi2, np.zeros(k + 1)) == 1                  # rows violated
    assert tw.certify(*args, t[0], sl, -pi2, np.zeros(k + 1)) == 1                # duals that prove nothing


@pytest.mark.parametrize("solver", ["numba", "highs", "scipy"])
def test_one_extreme_value_does_not_zero_the_other_scores(solver):
    """printf 'firm,x,y\\nA,1e14,1\\nB,1,1\\nC,2,1\\n': B and C score 1 and 0.5, A 1e-14."""
    df = pd.DataFrame({"firm": ["A", "B", "C"], "x": [1e14, 1.0, 2.0], "y": [1.0, 1.0, 1.0]})
    r = ef.dea(df, id="firm", inputs=["x"], outputs=["y"], rts="crs", solver=solver)
    assert (r.status == "optimal").all()
    np.testing.assert_allclose(r.scores[["B", "C"]], [1.0, 0.5], rtol=1e-12)
    assert 0 <= r.scores["A"] <= 1e-13


def test_free_production_gives_every_row_a_consistent_status():
    """A DMU with all inputs zero and positive outputs under CRS, output orientation: every LP is
    unbounded, with or without screening (it was once 0.0 'optimal' beside NaN 'unbounded')."""
    df = _issue_data(n=100)
    df.loc[7, ["x1", "x2", "x3"]] = 0.0
    kw = dict(inputs=["x1", "x2", "x3"], outputs=["y1", "y2"], rts="crs", orientation="output")
    for solver in (None, "highs"):
        with pytest.warns(ef.SolveWarning, match="100 of 100 DMUs have no score \\(100 unbounded\\)"):
            r = ef.dea(df, solver=solver, **kw)
        assert (r.status == "unbounded").all() and r.scores.isna().all()


# --------------------------------------------------------------------------------------------------
# Directions, bounds, reference sets
# --------------------------------------------------------------------------------------------------

def test_direction_with_a_growing_bad_output():
    """g_b = -1: the bad output may grow with beta; its target is b + beta."""
    df = _issue_data(n=40)
    df["co2"] = df["y1"] * 0.5
    kw = dict(inputs=["x1", "x2", "x3"], outputs=["y1"], undesirable=["co2"], model="ddf", rts="vrs")
    r = ef.dea(df, direction=[0, 0, 0, 1, -1], **kw)
    assert (r.status == "optimal").all() and (r.beta >= -1e-12).all()
    np.testing.assert_allclose(r.targets["co2"], df["co2"] + r.beta, atol=1e-9)
    np.testing.assert_allclose(r.scores, 1 / (1 + r.beta), rtol=1e-12)
    cut = ef.dea(df, direction=[0, 0, 0, 1, 1], **kw)               # cutting the bad output instead
    assert (r.beta >= cut.beta - 1e-9).all() and (r.beta > cut.beta + 1e-6).any()


@pytest.mark.parametrize("direction", [[0, 0, 0, 0, 0], [-1, 0, 0, 0, 0], [1, 0, 0, -1, 0]])
def test_direction_without_an_improving_component_is_refused(direction):
    df = _issue_data(n=10)
    G = np.tile(direction, (10, 1)).astype(float)
    G[4] = [0, 0, 0, -1, 0] if direction[0] == 1 else G[4]
    with pytest.raises(ef.SpecError, match="DMU in row"):
        ef.dea(df, inputs=["x1", "x2", "x3"], outputs=["y1", "y2"], model="ddf", direction=G)


def test_values_beyond_their_bound_by_rounding_are_the_bound():
    assert api._to_bound(np.array([1.0000000000000002, 1.1, 0.9, np.nan]), 1.0, above=True).tolist()[:3] == \
        [1.0, 1.1, 0.9]
    assert api._to_bound(np.array([-1e-13, -0.1, 0.2]), 0.0, above=False).tolist() == [0.0, -0.1, 0.2]
    # through the result: theta 1 + 2e-16, phi 1 - 1e-16, a slack of -1e-11 (data units, mean 3)
    X, Y = np.array([[1.0], [2.0], [6.0]]), np.array([[1.0], [1.0], [1.0]])
    fd = ef.frontier_data(inputs=X, outputs=Y)
    env = Envelopment(np.array([1.0 + 2e-16, 0.5, 1.0 / 6]), np.zeros(3, np.int8), sp.csr_array((3, 3)),
                      np.array([[-1e-11], [0.0], [0.0]]), np.zeros((3, 1)), np.array([[1.0], [1.0], [1.0]]),
                      np.ones((3, 1)), np.zeros(3, np.int8))
    r = api._result(fd, None, env, Model.RADIAL, "crs", Orientation.INPUT, "numba")
    assert r.scores.iloc[0] == 1.0 and r.farrell.iloc[0] == 1.0
    assert r.slacks.iloc[0, 0] == 0.0 and r.targets.iloc[0, 0] == 1.0 - 1e-11
    out = Envelopment(np.array([1.0 - 1e-16, 2.0, 6.0]), np.zeros(3, np.int8), sp.csr_array((3, 3)))
    r = api._result(fd, None, out, Model.RADIAL, "crs", Orientation.OUTPUT, "numba")
    assert r.farrell.iloc[0] == 1.0 and r.scores.iloc[0] == 1.0


def test_scores_in_the_own_technology_never_exceed_one():
    rng = np.random.default_rng(11)
    X = np.ceil(rng.uniform(0, 4, (150, 2))) + 1
    Y = np.ceil(rng.uniform(0, 4, (150, 2))) + 1
    X[100:], Y[100:] = X[:50], Y[:50]                                   # ties and duplicates
    for model, orientation in (("radial", "input"), ("radial", "output"), ("sbm", "none")):
        for rts in ("crs", "vrs"):
            r = ef.dea(inputs=X, outputs=Y, model=model, rts=rts, orientation=orientation)
            assert (r.scores <= 1.0).all() and (r.slacks >= 0).all().all(), (model, rts, orientation)


def test_a_column_zero_in_the_data_but_not_in_the_reference_set_is_accepted():
    df = pd.DataFrame({"x1": [1.0, 2, 3], "x2": [1.0, 1, 1], "y1": [0.0, 0, 0], "y2": [1.0, 2, 1]})
    ref = pd.DataFrame({"x1": [1.0, 2, 3], "x2": [1.0, 1, 1], "y1": [1.0, 2, 1], "y2": [1.0, 2, 1]})
    kw = dict(inputs=["x1", "x2"], outputs=["y1", "y2"], rts="crs")
    r = ef.dea(df, reference=ref, **kw)
    np.testing.assert_allclose(r.scores, [1.0, 1.0, 0.5], atol=1e-12)
    with pytest.raises(ef.DataError, match="'y1' is zero in every row of the data and of the reference set"):
        ef.dea(df, reference=df, **kw)
    with pytest.raises(ef.DataError, match="'y1' is zero in every row"):
        ef.dea(df, **kw)


def test_lps_whose_certificate_fails_go_to_highs_and_are_counted():
    """The twin kernel with an impossible certificate tolerance: every LP fails its certificate, is
    solved again by HiGHS, and the result says so (label and warning) with HiGHS's scores."""
    from solvers import numba_core

    tw = numba_core.twin()
    old = tw.CERT_TOL
    tw.CERT_TOL = -1.0                      # no point can be certified

    class Strict(numba_core.NumbaSolver):
        name = "twin"

        def solve_envelopment(self, problem, module=None):
            return super().solve_envelopment(problem, module=tw)

    try:
        df = _issue_data(n=12)
        kw = dict(inputs=["x1", "x2", "x3"], outputs=["y1", "y2"], rts="vrs", screen=False)
        with pytest.warns(ef.SolveWarning, match=r"12 of 12 LPs were solved by another backend than 'twin' "
                                                 r"\(highs 12\): its answer had no certified optimum"):
            r = ef.dea(df, solver=Strict(), **kw)
    finally:
        tw.CERT_TOL = old
    assert r.solver == "twin+highs (12 of 12 LPs)"
    plain = ef.dea(df, solver="highs", **kw)
    np.testing.assert_allclose(r.scores, plain.scores, atol=1e-9)
