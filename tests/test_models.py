"""SBM, additive, directional distance and super-efficiency through the public API (small, hand-checked
examples; the oracle files are in test_oracle_models.py), and their properties."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import efficiency as ef

# Tone (2001), EJOR 130, p. 505: SBM A 0.798, B 0.568, C 1, D 0.667, E 1; CCR A 0.9, B 0.833.
TONE = pd.DataFrame({"dmu": list("ABCDE"), "x1": [4.0, 6, 8, 8, 2], "x2": [3.0, 3, 1, 1, 4],
                     "y1": [2.0, 2, 6, 6, 1], "y2": [3.0, 3, 2, 1, 4]})
SPEC = dict(id="dmu", inputs=["x1", "x2"], outputs=["y1", "y2"])
# Tone (2003): one input, a good and a bad output; SBM-VRS values from deaR.
TONE2003 = pd.DataFrame({"dmu": list("ABCDEFGHI"), "x": [1.0] * 9, "yg": [1.0, 2, 6, 8, 9, 5, 4, 6, 4],
                         "yb": [1.0, 1, 2, 4, 7, 2, 3, 4, 6]})


def test_sbm_reproduces_tone_2001():
    r = ef.dea(TONE, model="sbm", orientation="none", rts="crs", **SPEC)
    np.testing.assert_allclose(r.scores, [0.7979797979797, 0.5681818181818, 1, 0.6666666666667, 1], atol=1e-9)
    # Slacks of A (Tone 2001 Table 2): s-_2 = 0.357, s+_1 = 0.714.
    np.testing.assert_allclose(r.slacks.loc["A"], [0, 0.3571428571, 0.7142857143, 0], atol=1e-8)
    df = r.to_frame()
    assert "farrell" not in df.columns and list(df.columns[:2]) == ["efficiency", "status"]
    assert r.summary().startswith("Slacks-based measure (SBM, Tone 2001), constant returns to scale (CCR), "
                                  "non-oriented")


def test_sbm_with_undesirable_outputs_reproduces_tone_2003():
    r = ef.dea(TONE2003, id="dmu", inputs=["x"], outputs=["yg"], undesirable=["yb"], model="sbm",
               orientation="none", rts="vrs")
    np.testing.assert_allclose(r.scores, [2 / 3, 1, 1, 1, 1, 10 / 11, 12 / 17, 0.8, 0.6], atol=1e-9)
    assert list(r.slacks.columns) == ["x", "yg", "yb"]
    np.testing.assert_allclose(r.targets["yb"].to_numpy(), TONE2003["yb"] - r.slacks["yb"].to_numpy(), atol=1e-12)


def test_additive_and_ddf_scores_and_columns():
    a = ef.dea(TONE, model="additive", rts="vrs", **SPEC)
    np.testing.assert_allclose(a.slack_sum, [1, 3, 0, 1, 0], atol=1e-9)
    assert a.scores.isna().all()                  # no efficiency in (0, 1] for the additive model
    np.testing.assert_allclose(a.to_frame()["slack_sum"], [1, 3, 0, 1, 0], atol=1e-9)
    assert a.efficient.tolist() == [False, False, True, False, True]
    d = ef.dea(TONE, model="ddf", rts="crs", **SPEC)
    beta = np.array([1 / 19, 1 / 11, 0, 0, 0])                                          # Benchmarking
    np.testing.assert_allclose(d.beta, beta, atol=1e-9)
    np.testing.assert_allclose(d.scores, 1 / (1 + beta), atol=1e-9)                     # efficiency in (0, 1]
    assert (d.scores.iloc[2:] == 1.0).all()                                             # frontier units: 1
    u = ef.dea(TONE, model="ddf", rts="crs", direction="unit", **SPEC)
    np.testing.assert_allclose(u.beta, [5 / 31, 9 / 31, 0, 0, 0], atol=1e-9)
    v = ef.dea(TONE, model="ddf", rts="crs", direction=[1, 1, 1, 1], **SPEC)
    np.testing.assert_allclose(v.beta, u.beta, atol=1e-12)
    frame = d.to_frame()
    assert frame["beta"].tolist() == d.beta.tolist() and frame["efficiency"].tolist() == d.scores.tolist()
    # targets: x - beta g_x - s-, y + beta g_y + s+
    np.testing.assert_allclose(d.targets["x1"].to_numpy(),
                               TONE["x1"] * (1 - d.beta.to_numpy()) - d.slacks["x1"].to_numpy(), atol=1e-9)


def _super_sbm_by_definition(X, Y, B, o, rts, orientation):
    """delta* of super-SBM with bad outputs for DMU o straight from its definition (sbm.py): the
    fractional programme min N/D over (lambda, t-, tg, tb) solved by Dinkelbach's method with
    scipy's linprog on the untransformed variables (no Charnes-Cooper form); None if infeasible."""
    from scipy.optimize import linprog
    n, m = X.shape
    s, k = Y.shape[1], B.shape[1]
    x, y, b = X[o], Y[o], B[o]
    nv = n + m + s + k
    A = np.zeros((m + s + k + s, nv))
    A[:m, :n], A[:m, n:n + m] = X.T, -np.eye(m)                       # X' lam - t- <= x
    A[m:m + s, :n], A[m:m + s, n + m:n + m + s] = -Y.T, -np.eye(s)     # -(Y' lam) - tg <= -y
    A[m + s:m + s + k, :n], A[m + s:m + s + k, n + m + s:] = B.T, -np.eye(k)   # B' lam - tb <= b
    A[m + s + k:, n + m:n + m + s] = np.eye(s)                        # tg <= y
    rhs = np.concatenate([x, -y, b, y])
    eq = dict(A_eq=np.r_[np.ones(n), np.zeros(m + s + k)][None, :], b_eq=[1.0]) if rts == "vrs" else {}
    bounds = [(0, 0) if j == o else (0, None) for j in range(n)]
    bounds += [(0, 0 if orientation == "output" else None)] * m
    bounds += [(0, 0 if orientation == "input" else None)] * (s + k)
    num = np.r_[np.zeros(n), 1.0 / (m * x), np.zeros(s + k)]                     # N = 1 + num.z
    den = np.r_[np.zeros(n + m), 1.0 / ((s + k) * y), 1.0 / ((s + k) * b)]       # D = 1 - den.z
    if orientation == "output":
        res = linprog(den, A_ub=A, b_ub=rhs, bounds=bounds, method="highs", **eq)
        return None if res.status == 2 else 1.0 / (1.0 - res.fun)
    # min N - q D, q updated to N/D until N - q D = 0; D >= 1e-9 keeps the ratio defined
    A2, rhs2 = np.vstack([A, den[None, :]]), np.r_[rhs, 1.0 - 1e-9]
    q = 1.0
    for _ in range(100):
        res = linprog(num + q * den, A_ub=A2, b_ub=rhs2, bounds=bounds, method="highs", **eq)
        if res.status == 2:
            return None
        z = res.x
        N, D = 1.0 + num @ z, 1.0 - den @ z
        if abs(N - q * D) <= 1e-13:
            break
        q = N / D
    return q


@pytest.mark.parametrize("rts", ["crs", "vrs"])
@pytest.mark.parametrize("orientation", ["none", "input", "output"])
def test_super_sbm_with_undesirable_outputs_matches_its_definition(rts, orientation):
    rng = np.random.default_rng(12)
    n = 30
    X = rng.uniform(1, 10, (n, 2))
    Y = rng.uniform(1, 10, (n, 2))
    B = rng.uniform(1, 10, (n, 1))
    df = pd.DataFrame(np.hstack([X, Y, B]), columns=["x1", "x2", "y1", "y2", "co2"])
    kw = dict(inputs=["x1", "x2"], outputs=["y1", "y2"], undesirable=["co2"], model="sbm", rts=rts,
              orientation=orientation)
    plain = ef.dea(df, **kw)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sup = ef.dea(df, super_efficiency=True, **kw)
    efficient = np.flatnonzero(np.abs(plain.scores.to_numpy() - 1) <= 1e-9)
    assert efficient.size >= 3
    others = np.setdiff1d(np.arange(n), efficient)
    np.testing.assert_allclose(sup.scores.to_numpy()[others], plain.scores.to_numpy()[others], atol=1e-12)
    checked = 0
    for o in efficient:
        want = _super_sbm_by_definition(X, Y, B, o, rts, orientation)
        if sup.status.iloc[o] == "infeasible":             # oriented: held outputs or inputs may be out of reach
            assert orientation != "none" and want is None, f"DMU {o}: infeasible, by definition {want}"
            continue
        assert sup.status.iloc[o] == "optimal" and sup.scores.iloc[o] >= 1 - 1e-9
        np.testing.assert_allclose(sup.scores.iloc[o], want, rtol=1e-7, err_msg=f"DMU {o}")
        checked += 1
    assert checked >= 2
    infeasible = int((sup.status != "optimal").sum())
    assert [str(w.message) for w in caught if issubclass(w.category, ef.SolveWarning)] == (
        [f"sbm DEA: {infeasible} of {n} DMUs have no score ({infeasible} infeasible); their efficiency is NaN and "
         "`status` says why"] if infeasible else [])


def test_radial_super_efficiency_andersen_petersen():
    r = ef.dea(TONE, rts="crs", super_efficiency=True, **SPEC)
    np.testing.assert_allclose(r.scores, [0.9, 5 / 6, 2, 1, 8 / 3], atol=1e-9)          # deaR/Benchmarking
    with pytest.warns(ef.SolveWarning, match="2 infeasible"):
        v = ef.dea(TONE, rts="vrs", super_efficiency=True, **SPEC)
    assert v.status.tolist() == ["optimal", "optimal", "infeasible", "optimal", "infeasible"]
    assert np.isnan(v.scores["C"]) and "C" in v.to_frame().index      # kept, never dropped


def test_super_sbm_for_efficient_dmus_and_sbm_for_the_others():
    plain = ef.dea(TONE, model="sbm", orientation="none", rts="crs", **SPEC)
    sup = ef.dea(TONE, model="sbm", orientation="none", rts="crs", super_efficiency=True, **SPEC)
    np.testing.assert_allclose(sup.scores[["C", "E"]], [4 / 3, 16 / 11], atol=1e-9)        # deaR
    np.testing.assert_allclose(sup.scores[["A", "B", "D"]], plain.scores[["A", "B", "D"]], atol=1e-12)


def test_option_errors():
    with pytest.raises(ef.SpecError, match="direction: expected a vector of length 4"):
        ef.dea(TONE, model="ddf", direction=[1, 1, 1], **SPEC)
    with pytest.raises(ef.SpecError, match="direction: 'sideways'"):
        ef.dea(TONE, model="ddf", direction="sideways", **SPEC)
    with pytest.raises(ef.SpecError, match="direction: it is zero"):
        ef.dea(TONE, model="ddf", direction=[0, 0, 0, 0], **SPEC)
    with pytest.raises(ef.SpecError, match="only the directional distance model"):
        ef.dea(TONE, model="sbm", direction="unit", **SPEC)
    with pytest.raises(ef.SpecError, match="super_efficiency: available for the radial and sbm"):
        ef.dea(TONE, model="ddf", super_efficiency=True, **SPEC)
    with pytest.raises(ef.DataError, match="'y2' is used as output and as undesirable output"):
        ef.dea(TONE, model="sbm", undesirable=["y2"], **SPEC)
    with pytest.raises(ef.SpecError, match="orientation"):
        ef.dea(TONE, model="sbm", orientation="graph", **SPEC)


@st.composite
def data(draw):
    n = draw(st.integers(3, 10))
    m, s = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    elems = st.floats(0.5, 20.0)
    return (np.asarray(draw(arrays(np.float64, (n, m), elements=elems))),
            np.asarray(draw(arrays(np.float64, (n, s), elements=elems))))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data(), st.sampled_from(["crs", "vrs"]))
def test_sbm_never_exceeds_the_radial_score(d, rts):
    X, Y = d
    sbm = ef.dea(inputs=X, outputs=Y, model="sbm", orientation="none", rts=rts).scores.to_numpy()
    sbm_in = ef.dea(inputs=X, outputs=Y, model="sbm", orientation="input", rts=rts).scores.to_numpy()
    theta = ef.dea(inputs=X, outputs=Y, rts=rts).scores.to_numpy()
    assert np.all(sbm <= theta + 1e-9) and np.all(sbm_in <= theta + 1e-9) and np.all(sbm <= sbm_in + 1e-9)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data(), st.sampled_from(["crs", "vrs"]), st.sampled_from(["radial", "sbm"]))
def test_super_efficiency_is_at_least_one_exactly_for_the_efficient(d, rts, model):
    X, Y = d
    orientation = "input" if model == "radial" else "none"
    plain = ef.dea(inputs=X, outputs=Y, model=model, rts=rts, orientation=orientation)
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ef.SolveWarning)      # VRS super-efficiency may be infeasible
        sup = ef.dea(inputs=X, outputs=Y, model=model, rts=rts, orientation=orientation, super_efficiency=True)
    eff = (plain.scores - 1).abs() <= 1e-9
    solved = sup.status == "optimal"
    assert np.all(sup.scores[eff & solved] >= 1 - 1e-9)
    np.testing.assert_allclose(sup.scores[~eff], plain.scores[~eff], atol=1e-8)
    assert (sup.status[~eff] == "optimal").all()
