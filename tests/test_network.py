"""ef.network: the multiplier models (relational, centralised, additive, leader-follower) against
independent LPs written here (scipy.optimize.linprog: the envelopment duals of the models' LPs, and the
efficiency splits with the other Charnes-Cooper normalisation), their identities, the backends, the
result table, and the errors on bad input (DESIGN sections 3 and 11)."""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

import efficiency as ef
from efficiency.errors import DataError, SolveWarning, SpecError

OPTS = {"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10}
KEEP = 1e-9           # relative slack of a kept optimum in the independent LPs


# --------------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------------

def two_stage_data(n: int = 24, seed: int = 5) -> pd.DataFrame:
    """A two-stage technology with inefficiency in both stages: 2 inputs -> 2 intermediates -> 2 outputs."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(1.0, 10.0, (n, 2))
    Z = np.exp(np.log(X) @ [0.4, 0.4])[:, None] * rng.uniform(0.4, 1.0, (n, 2)) * [3.0, 0.5]
    Y = np.exp(np.log(Z) @ [0.5, 0.4])[:, None] * rng.uniform(0.4, 1.0, (n, 2)) * [20.0, 1.0]
    ids = [f"firm{k:02d}" for k in rng.permutation(n)]            # ids not in sorted order
    return pd.DataFrame({"id": ids, "x1": X[:, 0], "x2": X[:, 1], "z1": Z[:, 0], "z2": Z[:, 1],
                         "y1": Y[:, 0], "y2": Y[:, 1]})


KW = dict(id="id", inputs=["x1", "x2"], intermediates=["z1", "z2"], outputs=["y1", "y2"])


def arrays(df: pd.DataFrame):
    """X, Z, Y divided by their column means (every model here is invariant to column scaling)."""
    X, Z, Y = (df[c].to_numpy(float) for c in (["x1", "x2"], ["z1", "z2"], ["y1", "y2"]))
    return X / X.mean(0), Z / Z.mean(0), Y / Y.mean(0)


# --------------------------------------------------------------------------------------------------
# Independent formulations (linprog)
# --------------------------------------------------------------------------------------------------

def _lp(c, A_ub=None, b_ub=None, A_eq=None, b_eq=None, bounds=None):
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs", options=OPTS)
    assert res.status == 0, res.message
    return res


def relational_envelopment(X, Z, Y, o) -> float:
    """Kao and Hwang (2008)'s overall efficiency from the dual of their LP: min theta s.t. sum mu x <= theta
    x_o, sum mu z >= sum pi z, sum pi y >= y_o (mu: stage 1's intensities, pi: stage 2's)."""
    n, m = X.shape
    c = np.r_[1.0, np.zeros(2 * n)]
    A = np.vstack([np.c_[-X[o][:, None], X.T, np.zeros((m, n))],
                   np.c_[np.zeros((Z.shape[1], 1)), -Z.T, Z.T],
                   np.c_[np.zeros((Y.shape[1], 1)), np.zeros((Y.shape[1], n)), -Y.T]])
    b = np.r_[np.zeros(m + Z.shape[1]), -Y[o]]
    return _lp(c, A, b, bounds=[(None, None)] + [(0, None)] * 2 * n).fun


def _stage_rows(X, Z, Y, vrs=False):
    """Rows (*) on (v, w, u[, uA, uB]) <= 0: w.z_j (+ uA) - v.x_j and u.y_j (+ uB) - w.z_j."""
    n, m, s = X.shape[0], X.shape[1], Y.shape[1]
    r1 = np.c_[-X, Z, np.zeros((n, s))]
    r2 = np.c_[np.zeros((n, m)), -Z, Y]
    if vrs:
        r1 = np.c_[r1, np.ones(n), np.zeros(n)]
        r2 = np.c_[r2, np.zeros(n), np.ones(n)]
    return np.vstack([r1, r2])


def relational_split(X, Z, Y, o, E, first="stage1") -> tuple[float, float]:
    """The split with ``first`` maximal among Kao-Hwang optima, normalised by u.y_o = 1 (we normalise by
    v.x_o = 1): v.x_o <= 1/E (the ratio kept), max w.z_o (e1 = E w.z_o) or min w.z_o (e2 = 1/w.z_o)."""
    m, l, s = X.shape[1], Z.shape[1], Y.shape[1]
    A = _stage_rows(X, Z, Y)
    keep = np.r_[X[o], np.zeros(l + s)]
    obj = np.r_[np.zeros(m), Z[o], np.zeros(s)]
    res = _lp(-obj if first == "stage1" else obj, np.vstack([A, keep]), np.r_[np.zeros(len(A)), (1 + KEEP) / E],
              [np.r_[np.zeros(m + l), Y[o]]], [1.0])
    wz = obj @ res.x
    if first == "stage1":
        return E * wz, 1.0 / (E * wz) * E
    return E * wz, 1.0 / wz


def ccr(Xin, Yout, o) -> float:
    """CCR input efficiency (envelopment): min theta s.t. sum lam x <= theta x_o, sum lam y >= y_o."""
    n, m = Xin.shape
    A = np.vstack([np.c_[-Xin[o][:, None], Xin.T], np.c_[np.zeros((Yout.shape[1], 1)), -Yout.T]])
    b = np.r_[np.zeros(m), -Yout[o]]
    return _lp(np.r_[1.0, np.zeros(n)], A, b, bounds=[(None, None)] + [(0, None)] * n).fun


def leader_follower(X, Z, Y, o, leader="stage1") -> tuple[float, float]:
    """Liang, Cook and Zhu (2008): the leader's CCR efficiency (envelopment), then the follower's with the
    other normalisation (ours: the follower's virtual input = 1): stage 1 leads -> u.y_o = 1, min w.z_o
    (e2 = 1/w.z_o) keeping w.z_o >= e1 v.x_o; stage 2 leads -> w.z_o = 1, min v.x_o (e1 = 1/v.x_o)
    keeping u.y_o >= e2 w.z_o."""
    m, l, s = X.shape[1], Z.shape[1], Y.shape[1]
    A = _stage_rows(X, Z, Y)
    if leader == "stage1":
        e1 = ccr(X, Z, o)
        keep = -np.r_[-e1 * (1 - KEEP) * X[o], Z[o], np.zeros(s)]          # w.z_o - e1 v.x_o >= 0
        res = _lp(np.r_[np.zeros(m), Z[o], np.zeros(s)], np.vstack([A, keep]), np.zeros(len(A) + 1),
                  [np.r_[np.zeros(m + l), Y[o]]], [1.0])
        return e1, 1.0 / res.fun
    e2 = ccr(Z, Y, o)
    keep = -np.r_[np.zeros(m), -e2 * (1 - KEEP) * Z[o], Y[o]]              # u.y_o - e2 w.z_o >= 0
    res = _lp(np.r_[X[o], np.zeros(l + s)], np.vstack([A, keep]), np.zeros(len(A) + 1),
              [np.r_[np.zeros(m), Z[o], np.zeros(s)]], [1.0])
    return 1.0 / res.fun, e2


def additive_envelopment(X, Z, Y, o, vrs=False, output=False) -> float:
    """Chen, Cook, Li and Zhu (2009)'s overall efficiency from the dual of their LP
    max eta.z_o + u.y_o (+ uA + uB) s.t. v.x_o + eta.z_o (- uA - uB) = 1 and the rows (*):
    min theta s.t. sum lam x <= theta x_o; theta z_o + sum lam z - sum mu z >= z_o; sum mu y >= y_o;
    VRS: sum lam = sum mu = 1 (input) or = theta (output: the intercepts sit in the denominator)."""
    n, m, s = X.shape[0], X.shape[1], Y.shape[1]
    A = np.vstack([np.c_[-X[o][:, None], X.T, np.zeros((m, n))],
                   np.c_[-Z[o][:, None], -Z.T, Z.T],
                   np.c_[np.zeros((s, 1)), np.zeros((s, n)), -Y.T]])
    b = np.r_[np.zeros(m), -Z[o], -Y[o]]
    A_eq = b_eq = None
    if vrs:
        t = -1.0 if output else 0.0
        A_eq = [np.r_[t, np.ones(n), np.zeros(n)], np.r_[t, np.zeros(n), np.ones(n)]]
        b_eq = [0.0, 0.0] if output else [1.0, 1.0]
    return _lp(np.r_[1.0, np.zeros(2 * n)], A, b, A_eq, b_eq, bounds=[(None, None)] + [(0, None)] * 2 * n).fun


def additive_first(X, Z, Y, o, E, first="stage1", vrs=False) -> float:
    """Input orientation: the largest efficiency of stage ``first`` among the optima of Chen et al.'s LP
    (their model (8)), normalised by the stage's virtual output = 1 (ours: by its virtual input): min D_k
    s.t. N_k = 1, sum N - E sum D >= 0, the rows (*); e_k = 1/min."""
    m, l, s = X.shape[1], Z.shape[1], Y.shape[1]
    w = 2 if vrs else 0
    A = _stage_rows(X, Z, Y, vrs)
    N1 = np.r_[np.zeros(m), Z[o], np.zeros(s), [1.0, 0.0][:w]]
    D1 = np.r_[X[o], np.zeros(l + s), np.zeros(w)]
    N2 = np.r_[np.zeros(m + l), Y[o], [0.0, 1.0][:w]]
    D2 = np.r_[np.zeros(m), Z[o], np.zeros(s), np.zeros(w)]
    N, D = (N1, D1) if first == "stage1" else (N2, D2)
    keep = -(N1 + N2 - E * (1 - KEEP) * (D1 + D2))
    res = linprog(D, A_ub=np.vstack([A, keep]), b_ub=np.zeros(len(A) + 1), A_eq=[N], b_eq=[1.0],
                  bounds=[(0, None)] * (m + l + s) + [(None, None)] * w, method="highs", options=OPTS)
    if res.status == 2:             # N_k > 0 is impossible at the optimum (VRS): no positive efficiency
        return np.nan
    assert res.status == 0, res.message
    return 1.0 / res.fun


def check_multipliers(f: pd.DataFrame, df: pd.DataFrame, vrs: bool = False, output: bool = False) -> None:
    """The reported multipliers (data units) keep both stages of every DMU at a ratio <= 1 and give the
    reported efficiencies: e1 = N1 / D1, e2 = N2 / D2, overall = sum N / sum D (two-stage)."""
    X, Z, Y = (df[c].to_numpy(float) for c in (["x1", "x2"], ["z1", "z2"], ["y1", "y2"]))
    for o in range(len(df)):
        v, w, u = (f[[f"{p}_{c}" for c in cols]].iloc[o].to_numpy(float)
                   for p, cols in (("v", ("x1", "x2")), ("w", ("z1", "z2")), ("u", ("y1", "y2"))))
        a1, a2 = (f["u0_stage1"].iloc[o], f["u0_stage2"].iloc[o]) if vrs else (0.0, 0.0)
        scale = v @ X[o] + w @ Z[o]
        assert (w @ Z.T + a1 - v @ X.T <= 1e-8 * scale).all()
        assert (u @ Y.T + a2 - w @ Z.T <= 1e-8 * scale).all()
        N1, D1 = (w @ Z[o], v @ X[o] - a1) if output else (w @ Z[o] + a1, v @ X[o])
        N2, D2 = (u @ Y[o], w @ Z[o] - a2) if output else (u @ Y[o] + a2, w @ Z[o])
        assert (N1 + N2) / (D1 + D2) == pytest.approx(f["efficiency"].iloc[o], abs=1e-8)
        if D1 > 1e-6 * (D1 + D2):
            assert N1 / D1 == pytest.approx(f["stage1_efficiency"].iloc[o], abs=1e-6)
        if D2 > 1e-6 * (D1 + D2):
            assert N2 / D2 == pytest.approx(f["stage2_efficiency"].iloc[o], abs=1e-6)


# --------------------------------------------------------------------------------------------------
# Cross-checks on random data
# --------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def df():
    return two_stage_data()


def test_relational_against_the_envelopment_dual_and_the_other_normalisation(df):
    r = ef.network(df, **KW)
    X, Z, Y = arrays(df)
    f = r.to_frame()
    assert list(f.index) == list(df["id"])
    assert (f["status"] == "optimal").all()
    for o in range(len(df)):
        E = relational_envelopment(X, Z, Y, o)
        assert f["efficiency"].iloc[o] == pytest.approx(E, abs=1e-8)
        e1, e2 = relational_split(X, Z, Y, o, E, "stage1")
        assert f["stage1_efficiency"].iloc[o] == pytest.approx(e1, abs=2e-7)
        assert f["stage2_efficiency"].iloc[o] == pytest.approx(e2, abs=2e-7)
    assert (f["efficiency"] < 1 - 1e-6).sum() > len(df) // 2            # the data are not trivial


def test_relational_priority_stage2(df):
    a = ef.network(df, **KW).to_frame()
    b = ef.network(df, priority="stage2", **KW).to_frame()
    X, Z, Y = arrays(df)
    np.testing.assert_allclose(a["efficiency"], b["efficiency"], atol=1e-12)
    assert (a["stage1_efficiency"] >= b["stage1_efficiency"] - 1e-9).all()
    assert (b["stage2_efficiency"] >= a["stage2_efficiency"] - 1e-9).all()
    for o in range(len(df)):
        e1, e2 = relational_split(X, Z, Y, o, a["efficiency"].iloc[o], "stage2")
        assert b["stage1_efficiency"].iloc[o] == pytest.approx(e1, abs=2e-7)
        assert b["stage2_efficiency"].iloc[o] == pytest.approx(e2, abs=2e-7)


#: Five DMUs (1 input, 2 intermediates, 1 output) whose relational split is not unique for B, C and D.
TOY = pd.DataFrame({"id": list("ABCDE"), "x1": [3.0, 4, 4, 5, 2], "z1": [3.0, 5, 2, 2, 5], "z2": [3.0, 3, 4, 3, 5],
                    "y1": [4.0, 1, 1, 3, 5]})
TOY_KW = dict(id="id", inputs=["x1"], intermediates=["z1", "z2"], outputs=["y1"])


def test_priority_where_the_split_is_not_unique():
    """Stage 1 first gives B, C, D the largest stage-1 efficiency among the optima, stage 2 first the
    largest stage-2 one (the values are the independent LPs', exact fractions here)."""
    a = ef.network(TOY, **TOY_KW).divisions
    b = ef.network(TOY, priority="stage2", **TOY_KW).divisions
    np.testing.assert_allclose(a.loc[["B", "C", "D"]], [[0.45, 1 / 6], [0.4, 0.1875], [0.24, 0.75]], atol=1e-9)
    np.testing.assert_allclose(b.loc[["B", "C", "D"]], [[0.3, 0.25], [0.25, 0.3], [0.18, 1.0]], atol=1e-9)
    X, Z, Y = (TOY[c].to_numpy(float) for c in (["x1"], ["z1", "z2"], ["y1"]))
    for o in range(5):
        E = relational_envelopment(X, Z, Y, o)
        np.testing.assert_allclose(a.iloc[o], relational_split(X, Z, Y, o, E, "stage1"), atol=1e-7)
        np.testing.assert_allclose(b.iloc[o], relational_split(X, Z, Y, o, E, "stage2"), atol=1e-7)
    add1 = ef.network(TOY, model="additive", **TOY_KW).to_frame()
    add2 = ef.network(TOY, model="additive", priority="stage2", **TOY_KW).to_frame()
    np.testing.assert_allclose(add1["efficiency"], add2["efficiency"], atol=1e-12)
    assert (add1["stage1_efficiency"] >= add2["stage1_efficiency"] - 1e-9).all()
    assert (add2["stage2_efficiency"] >= add1["stage2_efficiency"] - 1e-9).all()
    for o in range(5):
        E = additive_envelopment(X, Z, Y, o)
        assert add1["stage1_efficiency"].iloc[o] == pytest.approx(additive_first(X, Z, Y, o, E, "stage1"), abs=1e-7)
        assert add2["stage2_efficiency"].iloc[o] == pytest.approx(additive_first(X, Z, Y, o, E, "stage2"), abs=1e-7)


@pytest.mark.parametrize("priority", ["stage1", "stage2"])
def test_relational_identities(df, priority):
    f = ef.network(df, priority=priority, **KW).to_frame()
    np.testing.assert_allclose(f["stage1_efficiency"] * f["stage2_efficiency"], f["efficiency"], rtol=0, atol=1e-9)
    for c in ("efficiency", "stage1_efficiency", "stage2_efficiency"):
        assert ((f[c] > 0) & (f[c] <= 1)).all(), c


def test_centralised_equals_relational(df):
    a = ef.network(df, model="relational", **KW)
    c = ef.network(df, model="centralised", **KW)
    np.testing.assert_allclose(c.scores, a.scores, atol=1e-12)
    np.testing.assert_allclose(c.divisions, a.divisions, atol=1e-9)
    f = c.to_frame()
    np.testing.assert_allclose(f["stage1_efficiency"] * f["stage2_efficiency"], f["efficiency"], atol=1e-9)
    assert c.model == "centralised" and "Liang, Cook and Zhu" in c.summary()


@pytest.mark.parametrize("leader", ["stage1", "stage2"])
def test_leader_follower_against_ccr_and_the_other_normalisation(df, leader):
    f = ef.network(df, model="leader-follower", leader=leader, **KW).to_frame()
    X, Z, Y = arrays(df)
    rel = ef.network(df, **KW).scores.to_numpy()
    for o in range(len(df)):
        e1, e2 = leader_follower(X, Z, Y, o, leader)            # the follower's optimum moves with the
        assert f["stage1_efficiency"].iloc[o] == pytest.approx(e1, abs=1e-6)      # leader's kept level
        assert f["stage2_efficiency"].iloc[o] == pytest.approx(e2, abs=1e-6)
    np.testing.assert_allclose(f["efficiency"], f["stage1_efficiency"] * f["stage2_efficiency"], atol=1e-12)
    assert (f["efficiency"].to_numpy() <= rel + 1e-9).all()          # the centralised optimum bounds it
    # the leader's score is its own CCR efficiency: the black-box DEA of that stage (another code path)
    stage = (["x1", "x2"], ["z1", "z2"]) if leader == "stage1" else (["z1", "z2"], ["y1", "y2"])
    own = ef.dea(df, id="id", inputs=stage[0], outputs=stage[1], rts="crs").scores
    np.testing.assert_allclose(f[f"{leader}_efficiency"], own, atol=1e-8)


@pytest.mark.parametrize("rts", ["crs", "vrs"])
@pytest.mark.parametrize("priority", ["stage1", "stage2"])
def test_additive_against_the_envelopment_dual_and_the_other_normalisation(df, rts, priority):
    """The overall efficiency is the dual's; the first stage's is the largest among the optima (the other
    normalisation); the split is one of the optima (the multipliers are feasible and give the scores)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SolveWarning)
        r = ef.network(df, model="additive", rts=rts, priority=priority, **KW)
    f = r.to_frame()
    X, Z, Y = arrays(df)
    vrs = rts == "vrs"
    for o in range(len(df)):
        E = additive_envelopment(X, Z, Y, o, vrs)
        assert f["efficiency"].iloc[o] == pytest.approx(E, abs=1e-8)
        ours = f[f"{priority}_efficiency"].iloc[o]
        if np.isnan(ours):
            # VRS: every optimum leaves the stage no virtual input (its ratio 0/0; the other normalisation
            # then only finds noise at a huge scale)
            assert f[f"weight_{priority}"].iloc[o] < 1e-6
            continue
        first = additive_first(X, Z, Y, o, E, priority, vrs)
        assert ours == pytest.approx(first, abs=1e-6)   # moves with the kept optimum E by ~100 x its error
    check_multipliers(f, df, vrs)
    assert f[["stage1_efficiency", "stage2_efficiency"]].notna().sum().sum() >= 2 * len(df) - 2
    f = f.dropna()
    w = f[["weight_stage1", "weight_stage2"]]
    np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(f["weight_stage1"] * f["stage1_efficiency"] + f["weight_stage2"] *
                               f["stage2_efficiency"], f["efficiency"], atol=1e-9)
    for c in ("efficiency", "stage1_efficiency", "stage2_efficiency"):
        assert ((f[c] > 0) & (f[c] <= 1)).all(), c


def test_additive_vrs_degenerate_split_is_nan():
    """Under VRS the additive model's optimum may need the intermediates' multipliers at 0 (stage 1 with
    its intercept carries the score; Ang and Chen 2016): stage 2's ratio is then 0/0 - NaN, with a
    warning, and the overall efficiency is still the dual's."""
    rng = np.random.default_rng(0)
    n = 60
    X = rng.uniform(1, 10, (n, 2))
    Z = np.exp(np.log(X) @ [0.4, 0.4])[:, None] * rng.uniform(0.5, 1, (n, 2))
    Y = np.exp(np.log(Z) @ [0.5, 0.5])[:, None] * rng.uniform(0.5, 1, (n, 2))
    with pytest.warns(SolveWarning, match=r"leaves a division with a virtual input of 0"):
        r = ef.network(inputs=X, intermediates=Z, outputs=Y, model="additive", rts="vrs")
    f = r.to_frame()
    nan = f["stage2_efficiency"].isna()
    assert 0 < nan.sum() < n // 4
    assert (f["status"] == "optimal").all() and f["stage1_efficiency"].notna().all()
    Xs, Zs, Ys = X / X.mean(0), Z / Z.mean(0), Y / Y.mean(0)
    for o in np.flatnonzero(nan):
        assert f["efficiency"].iloc[o] == pytest.approx(additive_envelopment(Xs, Zs, Ys, o, True), abs=1e-8)
        assert f["weight_stage2"].iloc[o] == pytest.approx(0.0, abs=1e-6)
        assert f["efficiency"].iloc[o] == pytest.approx(f["stage1_efficiency"].iloc[o], abs=1e-8)


def test_additive_weights_are_the_stages_sizes(df):
    """w1 = v.x / (v.x + eta.z), w2 = eta.z / (v.x + eta.z) with the reported multipliers."""
    f = ef.network(df, model="additive", **KW).to_frame()
    vx = f["v_x1"] * df["x1"].to_numpy() + f["v_x2"] * df["x2"].to_numpy()
    ez = f["w_z1"] * df["z1"].to_numpy() + f["w_z2"] * df["z2"].to_numpy()
    uy = f["u_y1"] * df["y1"].to_numpy() + f["u_y2"] * df["y2"].to_numpy()
    np.testing.assert_allclose(f["weight_stage1"], vx / (vx + ez), atol=1e-9)
    np.testing.assert_allclose(f["weight_stage2"], ez / (vx + ez), atol=1e-9)
    np.testing.assert_allclose(f["stage1_efficiency"], ez / vx, atol=1e-8)
    np.testing.assert_allclose(f["efficiency"], (ez + uy) / (vx + ez), atol=1e-8)
    np.testing.assert_allclose(vx + ez, 1.0, atol=1e-9)                 # scaled as the model's LP


def test_additive_output_orientation(df):
    """Output orientation: the envelopment dual with the intercepts in the denominator; under CRS the same
    efficiencies as the input orientation, weights from the virtual outputs, 1/E = sum w_k / e_k."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SolveWarning)
        vrs = ef.network(df, model="additive", rts="vrs", orientation="output", **KW).to_frame()
    X, Z, Y = arrays(df)
    for o in range(len(df)):
        assert vrs["efficiency"].iloc[o] == pytest.approx(additive_envelopment(X, Z, Y, o, True, True), abs=1e-8)
    crs_in = ef.network(df, model="additive", **KW).to_frame()
    crs_out = ef.network(df, model="additive", orientation="output", **KW).to_frame()
    cols = ["efficiency", "stage1_efficiency", "stage2_efficiency"]
    np.testing.assert_allclose(crs_out[cols], crs_in[cols], atol=1e-8)
    check_multipliers(vrs, df, vrs=True, output=True)
    for f in (crs_out, vrs):
        ok = (f[cols] > 0).all(axis=1)         # a stage with no virtual output (VRS) has efficiency 0, weight 0
        assert ok.sum() >= len(df) - 3
        assert (f.loc[~ok, ["weight_stage1", "weight_stage2"]].min(axis=1) < 1e-9).all()
        inv = f["weight_stage1"] / f["stage1_efficiency"] + f["weight_stage2"] / f["stage2_efficiency"]
        np.testing.assert_allclose(inv[ok], 1 / f["efficiency"][ok], rtol=1e-9)
    uy = crs_out["u_y1"] * df["y1"].to_numpy() + crs_out["u_y2"] * df["y2"].to_numpy()
    ez = crs_out["w_z1"] * df["z1"].to_numpy() + crs_out["w_z2"] * df["z2"].to_numpy()
    np.testing.assert_allclose(crs_out["weight_stage2"], uy / (uy + ez), atol=1e-9)


def test_relational_orientation_does_not_matter_under_crs(df):
    a = ef.network(df, **KW)
    b = ef.network(df, orientation="output", **KW)
    np.testing.assert_allclose(b.divisions, a.divisions, atol=1e-9)
    np.testing.assert_allclose(b.scores, a.scores, atol=1e-12)


def test_multipliers_satisfy_every_constraint(df):
    """The reported multipliers (data units) keep every stage of every DMU at a ratio <= 1 and reproduce
    the reported efficiencies."""
    f = ef.network(df, **KW).to_frame()
    v = f[["v_x1", "v_x2"]].to_numpy()
    w = f[["w_z1", "w_z2"]].to_numpy()
    u = f[["u_y1", "u_y2"]].to_numpy()
    X, Z, Y = (df[c].to_numpy() for c in (["x1", "x2"], ["z1", "z2"], ["y1", "y2"]))
    for o in range(len(df)):
        assert (w[o] @ Z.T <= v[o] @ X.T * (1 + 1e-7)).all()
        assert (u[o] @ Y.T <= w[o] @ Z.T * (1 + 1e-7)).all()
    np.testing.assert_allclose(np.einsum("ij,ij->i", v, X), 1.0, atol=1e-9)
    np.testing.assert_allclose(np.einsum("ij,ij->i", u, Y), f["efficiency"], atol=1e-8)
    np.testing.assert_allclose(np.einsum("ij,ij->i", w, Z), f["stage1_efficiency"], atol=1e-8)


def test_targets_are_the_radial_projections_of_the_stages(df):
    f = ef.network(df, **KW).to_frame()
    for c in ("x1", "x2"):
        np.testing.assert_allclose(f[f"target_{c}"], df[c].to_numpy() * f["stage1_efficiency"], rtol=1e-12)
    for c in ("z1", "z2"):
        np.testing.assert_allclose(f[f"target_{c}"], df[c].to_numpy() * f["stage2_efficiency"], rtol=1e-12)
    out = ef.network(df, orientation="output", **KW).to_frame()
    np.testing.assert_allclose(out["target_y1"], df["y1"].to_numpy() / out["stage2_efficiency"], rtol=1e-12)
    np.testing.assert_allclose(out["target_z1"], df["z1"].to_numpy() / out["stage1_efficiency"], rtol=1e-12)


# --------------------------------------------------------------------------------------------------
# Backends, screening, arrays
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("model,rts", [("relational", "crs"), ("additive", "vrs"), ("leader-follower", "crs")])
def test_backends_agree(df, model, rts):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SolveWarning)        # numba hands these LPs to HiGHS, and says so;
        base = ef.network(df, model=model, rts=rts, solver="highs", **KW)           # VRS: a degenerate split
        others = {s: ef.network(df, model=model, rts=rts, solver=s, **KW) for s in ("scipy", "numba")}
    assert base.solver == "highs" and others["scipy"].solver == "scipy"
    assert others["numba"].solver.startswith("numba+highs") or others["numba"].solver == "highs"
    for s, r in others.items():
        np.testing.assert_allclose(r.scores, base.scores, atol=1e-8, err_msg=s)
        np.testing.assert_allclose(r.divisions, base.divisions, atol=1e-6, err_msg=s)


@pytest.mark.parametrize("model,rts", [("relational", "crs"), ("additive", "crs"), ("additive", "vrs"),
                                       ("leader-follower", "crs")])
def test_screening_keeps_the_optima(model, rts):
    """Rows of DMUs outside each stage's frame are implied: the same efficiencies with and without them."""
    big = two_stage_data(90, seed=11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SolveWarning)
        a = ef.network(big, model=model, rts=rts, screen=True, **KW)
        b = ef.network(big, model=model, rts=rts, screen=False, **KW)
    np.testing.assert_allclose(a.scores, b.scores, atol=1e-9)
    np.testing.assert_allclose(a.divisions, b.divisions, atol=1e-6)


def test_screening_with_shared_multipliers():
    """Kao (2009)'s network with shared inputs and products at 120 DMUs: each process's frame (in its
    multipliers' columns) keeps the optima."""
    rng = np.random.default_rng(3)
    n = 120
    d = {"dmu": np.arange(n)}
    for p in (1, 2, 3):
        for i in (1, 2):
            d[f"p{p}_x{i}"] = rng.uniform(1, 6, n)
    for k in (1, 2):
        total = (d[f"p{k}_x1"] * d[f"p{k}_x2"]) ** 0.45 * rng.uniform(0.5, 1, n)
        share = rng.uniform(0.3, 0.7, n)
        d[f"p{k}_y_final"], d[f"p{k}_y_to_p3"] = total * share, total * (1 - share)
    d["p3_y"] = (d["p3_x1"] * d["p3_x2"] * d["p1_y_to_p3"] * d["p2_y_to_p3"]) ** 0.22 * rng.uniform(0.5, 1, n)
    data = pd.DataFrame(d)
    a = ef.network(data, screen=True, **KAO_2009)
    b = ef.network(data, screen=False, **KAO_2009)
    np.testing.assert_allclose(a.scores, b.scores, atol=1e-9)
    np.testing.assert_allclose(a.divisions, b.divisions, atol=1e-8)
    assert a.divisions.notna().all().all()
    for o in (0, 7, 50):
        assert a.scores.iloc[o] == pytest.approx(kao_2009_dual(data, o), abs=1e-8)


def test_arrays_in_the_two_stage_form(df):
    X, Z, Y = (df[c].to_numpy() for c in (["x1", "x2"], ["z1", "z2"], ["y1", "y2"]))
    r = ef.network(inputs=X, intermediates=Z, outputs=Y)
    np.testing.assert_allclose(r.scores, ef.network(df, **KW).scores.to_numpy(), atol=1e-12)
    assert list(r.to_frame().columns[:4]) == ["efficiency", "stage1_efficiency", "stage2_efficiency", "status"]
    assert "target_x1" in r.to_frame() and r.ids.name == "dmu"


# --------------------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------------------

def test_result_table_and_summary(df):
    r = ef.network(df, model="additive", **KW)
    f = r.to_frame()
    assert list(f.columns[:6]) == ["efficiency", "stage1_efficiency", "stage2_efficiency", "weight_stage1",
                                  "weight_stage2", "status"]
    assert f.index.name == "id" and list(f.index) == list(df["id"])
    assert [c for c in f.columns if c.startswith("target_")] == ["target_x1", "target_x2", "target_z1", "target_z2"]
    assert {"v_x1", "w_z2", "u_y1"} <= set(f.columns)
    assert r.scores.name == "efficiency" and (r.status == "optimal").all()
    assert list(r.divisions.columns) == ["stage1", "stage2"]
    low = r.divisions.idxmin(axis=1)
    assert (r.bottleneck == low).all()
    text = r.summary()
    assert "Chen, Cook, Li and Zhu" in text and "stage1:" in text and "Bottleneck" in text and "24 optimal" in text
    assert "weight" not in ef.network(df, **KW).to_frame().columns.str.cat()


def test_named_divisions_general_form(df):
    """The general form with division names: columns <name>_efficiency; the same numbers as the two-stage
    form; priority and leader by name."""
    kw = dict(id="id", inputs={"rd": ["x1", "x2"]}, intermediates=[("rd", "transform", ["z1", "z2"])],
              outputs={"transform": ["y1", "y2"]})
    r = ef.network(df, priority="transform", **kw)
    f = r.to_frame()
    assert list(f.columns[:3]) == ["efficiency", "rd_efficiency", "transform_efficiency"]
    two = ef.network(df, priority="stage2", **KW)
    np.testing.assert_allclose(f[["rd_efficiency", "transform_efficiency"]], two.divisions, atol=1e-12)
    lf = ef.network(df, model="leader-follower", leader="transform", **kw)
    np.testing.assert_allclose(lf.scores, ef.network(df, model="leader-follower", leader="stage2", **KW).scores,
                               atol=1e-12)
    assert r.priority == ("transform", "rd") and lf.leader == "transform"
    d = ef.network(df, intermediates={("rd", "transform"): ["z1", "z2"]}, divisions=["rd", "transform"],
                   **{k: v for k, v in kw.items() if k != "intermediates"})
    np.testing.assert_allclose(d.scores, r.scores, atol=1e-12)


def test_three_stage_series_and_a_parallel_input(df):
    """A middle stage with no columns of its own; an input entering the last stage; Kao (2009)'s
    inefficiency identity 1 - E = sum_p d_p (1 - e_p) with d_p = D_p / system input."""
    rng = np.random.default_rng(8)
    n = 24
    x = rng.uniform(1, 10, (n, 3))
    z1 = np.exp(np.log(x[:, :2]) @ [0.4, 0.4]) * rng.uniform(0.5, 1, n)
    z2 = np.exp(np.log(x[:, :2]) @ [0.3, 0.5]) * rng.uniform(0.5, 1, n)
    z3 = z1 ** 0.9 * rng.uniform(0.5, 1, n)
    q = np.exp(np.log(np.c_[z2, z3, x[:, 2]]) @ [0.3, 0.3, 0.3])
    data = pd.DataFrame({"id": np.arange(n), "x1": x[:, 0], "x2": x[:, 1], "x3": x[:, 2], "z1": z1, "z2": z2,
                         "z3": z3, "y1": q * rng.uniform(0.5, 1, n), "y2": 2 * q * rng.uniform(0.5, 1, n)})
    kw = dict(id="id", inputs={"a": ["x1", "x2"], "c": ["x3"]},
              intermediates=[("a", "b", ["z1"]), ("b", "c", ["z3"]), ("a", "c", ["z2"])],
              outputs={"c": ["y1", "y2"]})
    degenerate = r"for 8 DMUs the optimal split leaves a division with a virtual input of 0"
    with pytest.warns(SolveWarning, match=degenerate):
        default = ef.network(data, **kw)
    assert default.division_names == ("a", "c", "b")                     # first named in inputs, then links
    with pytest.warns(SolveWarning, match=degenerate):
        r = ef.network(data, divisions=["a", "b", "c"], **kw)
    f = r.to_frame()
    assert r.division_names == ("a", "b", "c")
    g = lambda c: data[c].to_numpy()  # noqa: E731
    vx = f["v_x1"] * g("x1") + f["v_x2"] * g("x2") + f["v_x3"] * g("x3")
    Da = f["v_x1"] * g("x1") + f["v_x2"] * g("x2")
    Db = f["w_z1"] * g("z1")
    Dc = f["v_x3"] * g("x3") + f["w_z3"] * g("z3") + f["w_z2"] * g("z2")
    eff = f[["a_efficiency", "b_efficiency", "c_efficiency"]]
    D = pd.DataFrame({"a": Da, "b": Db, "c": Dc})
    share = D.to_numpy() / vx.to_numpy()[:, None]
    # where every optimum leaves a division no virtual input (here: b's path unused), its ratio is 0/0
    nan = eff.isna().to_numpy()
    assert nan.sum() <= len(data) // 2 and not nan[:, 2].any()
    assert (share[nan] < 1e-6).all()
    slack = np.nansum(share * (1 - eff.to_numpy()), axis=1)
    np.testing.assert_allclose(1 - f["efficiency"], slack, atol=1e-8)
    assert (eff.fillna(0) <= 1).all().all()


def test_kao_2009_structure_in_code():
    """Kao (2009)'s 3-process example (section 3, the data of the oracle folder written here): the system
    efficiencies printed to 4 digits and our independent dual."""
    d = pd.DataFrame({"dmu": list("ABCDE"),
                      "p1_x1": [3, 2, 3, 4, 5], "p1_x2": [5, 3, 4, 6, 6], "p1_y_final": [2, 1, 1, 2, 3],
                      "p1_y_to_p3": [2, 1, 1, 1, 1], "p2_x1": [4, 2, 5, 5, 5], "p2_x2": [3, 1, 3, 5, 4],
                      "p2_y_final": [2, 1, 1, 3, 2], "p2_y_to_p3": [1, 1, 1, 1, 2], "p3_x1": [4, 3, 3, 5, 4],
                      "p3_x2": [6, 3, 7, 3, 5], "p3_y": [1, 1, 2, 1, 3]})
    r = ef.network(d, **KAO_2009)
    np.testing.assert_allclose(r.scores.round(4), [0.5227, 0.5952, 0.5682, 0.4821, 0.8])
    for o in range(5):
        assert r.scores.iloc[o] == pytest.approx(kao_2009_dual(d, o), abs=1e-9)


KAO_2009 = dict(id="dmu", model="relational",
                inputs={"p1": ["p1_x1", "p1_x2"], "p2": ["p2_x1", "p2_x2"], "p3": ["p3_x1", "p3_x2"]},
                intermediates=[("p1", "p3", ["p1_y_to_p3"]), ("p2", "p3", ["p2_y_to_p3"])],
                outputs={"p1": ["p1_y_final"], "p2": ["p2_y_final"], "p3": ["p3_y"]},
                same_multiplier={"x1": ["p1_x1", "p2_x1", "p3_x1"], "x2": ["p1_x2", "p2_x2", "p3_x2"],
                                 "y1": ["p1_y_final", "p1_y_to_p3"], "y2": ["p2_y_final", "p2_y_to_p3"]})


def kao_2009_dual(d: pd.DataFrame, o: int) -> float:
    """The dual of Kao (2009)'s model for the example: min theta s.t., per input i, sum_p sum_j lam_pj x_pij
    <= theta x_io (x_io the system's input); per product of P1 and P2, sum_j lam_kj y_kj(total) - sum_j
    lam_3j y_kj(to P3) >= y_ko(final); sum_j lam_3j y_3j >= y_3o."""
    n = len(d)
    g = lambda c: d[c].to_numpy(float)  # noqa: E731
    xt = [g("p1_x1") + g("p2_x1") + g("p3_x1"), g("p1_x2") + g("p2_x2") + g("p3_x2")]
    A, b = [], []
    for i in (1, 2):
        A.append(np.r_[-xt[i - 1][o], g(f"p1_x{i}"), g(f"p2_x{i}"), g(f"p3_x{i}")])
        b.append(0.0)
    for k in (1, 2):
        total = g(f"p{k}_y_final") + g(f"p{k}_y_to_p3")
        lam = [np.zeros(n), np.zeros(n), -g(f"p{k}_y_to_p3")]
        lam[k - 1] = total
        A.append(-np.r_[0.0, *lam])
        b.append(-g(f"p{k}_y_final")[o])
    A.append(-np.r_[0.0, np.zeros(2 * n), g("p3_y")])
    b.append(-g("p3_y")[o])
    return _lp(np.r_[1.0, np.zeros(3 * n)], np.array(A), b, bounds=[(None, None)] + [(0, None)] * 3 * n).fun


# --------------------------------------------------------------------------------------------------
# Bad input and options
# --------------------------------------------------------------------------------------------------

@pytest.fixture()
def csv(tmp_path, df):
    path = tmp_path / "firms.csv"
    df.to_csv(path, index=False)
    return path


def test_intermediate_that_is_also_an_input_or_output(csv):
    with pytest.raises(DataError, match=r"firms\.csv: column 'z1' is used as input and as intermediate"):
        ef.network(csv, id="id", inputs=["x1", "z1"], intermediates=["z1", "z2"], outputs=["y1"])
    with pytest.raises(DataError, match=r"column 'y1' is used as intermediate and as output"):
        ef.network(csv, id="id", inputs=["x1"], intermediates=["z1", "y1"], outputs=["y1"])


def test_unknown_column_names_file_and_column(csv):
    with pytest.raises(DataError, match=r"firms\.csv: unknown intermediate column 'Z1'; did you mean 'z1'"):
        ef.network(csv, id="id", inputs=["x1"], intermediates=["Z1"], outputs=["y1"])


def test_negative_intermediate_names_file_column_and_row(tmp_path, df):
    bad = df.copy()
    bad.loc[3, "z2"] = -1.5
    path = tmp_path / "neg.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"neg\.csv: column 'z2', row 4 \(line 5, id 'firm\d+'\): negative value -1\.5"):
        ef.network(path, **KW)


def test_all_intermediates_zero_for_a_dmu(df):
    bad = df.copy()
    bad.loc[2, ["z1", "z2"]] = 0.0
    with pytest.raises(DataError, match=r"columns 'z1', 'z2', row 3 \(id 'firm\d+'\): all intermediates of division "
                                        r"'stage2' are zero"):
        ef.network(bad, **KW)


def test_link_to_an_unknown_division(df):
    kw = dict(inputs={"rd": ["x1", "x2"]}, outputs={"transform": ["y1", "y2"]})
    with pytest.raises(SpecError, match=r"unknown division 'transfrom' \(is it a misspelt 'transform'\?\)"):
        ef.network(df, id="id", intermediates=[("rd", "transfrom", ["z1", "z2"])], divisions=["rd", "transform"], **kw)
    with pytest.raises(SpecError, match=r"division 'transfrom' produces nothing.*misspelt 'transform'"):
        ef.network(df, id="id", intermediates=[("rd", "transfrom", ["z1", "z2"])], **kw)


def test_division_without_inputs(df):
    with pytest.raises(SpecError, match=r"division 'b' has no inputs"):
        ef.network(df, id="id", inputs={"a": ["x1", "x2"]}, intermediates=[("a", "c", ["z1"])],
                   outputs={"b": ["y1"], "c": ["y2"]})


@pytest.mark.parametrize("kwargs,match", [
    (dict(model="relational", rts="vrs"), r"rts: model='relational' takes 'crs', not 'vrs' \(use model='additive'"),
    (dict(model="relational", leader="stage2"), r"leader: model='relational' does not take it"),
    (dict(model="leader-follower", priority="stage2"), r"priority: model='leader-follower' does not take it"),
    (dict(model="additive", weights=[1, 1]), r"weights: model='additive' does not take it"),
    (dict(model="leader-follower", leader="stage3"), r"leader: 'stage3' is no division"),
    (dict(priority="first"), r"priority: 'first' is no division"),
    (dict(model="two-stage"), r"model: 'two-stage' is not one of"),
    (dict(model="additive", orientation="none"), r"orientation: model='additive' is 'input' or 'output'"),
    (dict(model="relational", same_multiplier={"x": ["x1", "y1"]}), r"group 'x' mixes inputs with outputs"),
    (dict(model="relational", same_multiplier={"x": ["x1", "q"]}), r"'q' is none of the network's"),
])
def test_bad_options(df, kwargs, match):
    with pytest.raises(SpecError, match=match):
        ef.network(df, **{**KW, **kwargs})


def test_link_kinds_and_series_shape_are_checked(df):
    kw = dict(id="id", inputs={"a": ["x1", "x2"]}, outputs={"b": ["y1"]})
    with pytest.raises(SpecError, match=r"link 'a' -> 'b' is 'fixed'; link kinds are an nsbm option"):
        ef.network(df, intermediates=[("a", "b", ["z1"], "fixed")], **kw)
    with pytest.raises(SpecError, match=r"Liang, Cook and Zhu 2008\) evaluates two stages in series"):
        ef.network(df, model="centralised", id="id", inputs={"a": ["x1"], "b": ["x2"]},
                   intermediates=[("a", "b", ["z1"])], outputs={"b": ["y1"]})


def test_nsbm_dispatch_without_the_module(df, monkeypatch):
    api = importlib.import_module("efficiency.network.api")     # ef.network is the function
    monkeypatch.setattr(api.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(SpecError, match=r"model='nsbm': efficiency\.network\.sbm is not available"):
        ef.network(df, model="nsbm", **KW)
    with pytest.raises(SpecError, match=r"model='dynamic-sbm'"):
        ef.network(df.assign(year=2020), model="dynamic-sbm", id="id", period="year", inputs=["x1"], outputs=["y1"],
                   carryovers={"good": ["z1"]})


NETWORK_OPTIONS = ([("relational", "crs", o, p, None) for o in ("input", "output") for p in ("stage1", "stage2")]
                   + [("centralised", "crs", "input", p, None) for p in ("stage1", "stage2")]
                   + [("leader-follower", "crs", "input", "stage1", lead) for lead in ("stage1", "stage2")]
                   + [("additive", r, o, p, None) for r in ("crs", "vrs") for o in ("input", "output")
                      for p in ("stage1", "stage2")])


@pytest.mark.parametrize("model,rts,orientation,priority,leader", NETWORK_OPTIONS)
def test_default_path_equals_plain_highs(model, rts, orientation, priority, leader):
    """The default path (numba backend, each stage's rows cut to its frame from 64 DMUs) against the
    plain computation (HiGHS, every DMU's rows, no screening), for every option of the multiplier models."""
    big = two_stage_data(90, seed=13)
    kw = dict(model=model, rts=rts, orientation=orientation, **KW)
    if model == "leader-follower":
        kw["leader"] = leader
    else:
        kw["priority"] = priority
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SolveWarning)
        fast = ef.network(big, **kw)
        plain = ef.network(big, solver="highs", screen=False, **kw)
    np.testing.assert_allclose(fast.scores, plain.scores, atol=1e-9)
    np.testing.assert_allclose(fast.divisions, plain.divisions, atol=1e-6)
