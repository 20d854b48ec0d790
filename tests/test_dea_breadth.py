"""Issue 13, DEA breadth inside ``ef.dea``: generalised returns to scale (rts='grs'), the Russell
measure (model='russell'), the range directional model and its inverse (model='rdm'), RAM, BAM and the
additive model with slack weights, multi-directional efficiency analysis (model='mea'), and the FDH
technology for the slack, directional, Russell and MEA models (rts='fdh').

Every model is checked against its LP written independently here (``scipy.optimize.linprog``, or
``scipy.optimize.milp`` for the FDH technology, whose intensity variables are binary), on data
divided by column means (an equivalent LP: each variable appears in one row), and against the
properties the papers state (GRS (0, inf) = CRS and (1, 1) = VRS; units and translation invariance;
Russell <= radial; BAM <= RAM). Bad options are SpecErrors; the CLI passes the new options through.
The comparisons with the R references are in ``test_dea_breadth_oracle.py``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

import cli
import efficiency as ef
from efficiency.errors import DataError, SolveWarning, SpecError

TOL = 1e-6
RTS_BOUNDS = {"crs": None, "vrs": (1.0, 1.0), "nirs": (0.0, 1.0), "ndrs": (1.0, np.inf)}


def quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


# --------------------------------------------------------------------------------------------------
# Independent LPs (each column divided by its mean absolute value: the same LP, better scaled)
# --------------------------------------------------------------------------------------------------

def _scaled(X, Y):
    sx = np.abs(X).mean(axis=0)
    sy = np.abs(Y).mean(axis=0)
    sx, sy = np.where(sx > 0, sx, 1.0), np.where(sy > 0, sy, 1.0)
    return X / sx, Y / sy, sx, sy


def _rts(n_before: int, n: int, bounds):
    """Rows L <= sum(lambda) <= U as A_ub rows over [other (n_before), lambda (n)] variables."""
    if bounds is None:
        return np.zeros((0, n_before + n)), np.zeros(0)
    lo, hi = bounds
    rows, rhs = [], []
    if np.isfinite(hi):
        rows.append(np.r_[np.zeros(n_before), np.ones(n)])
        rhs.append(hi)
    if lo > 0:
        rows.append(np.r_[np.zeros(n_before), -np.ones(n)])
        rhs.append(-lo)
    return np.array(rows).reshape(-1, n_before + n), np.array(rhs)


def _solve(c, A_ub, b_ub, bounds, A_eq=None, b_eq=None):
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds, method="highs",
                  options={"primal_feasibility_tolerance": 1e-10, "dual_feasibility_tolerance": 1e-10})
    return res


def radial_lp(X, Y, o, bounds, orientation="input"):
    """theta (input) or phi (output) of DMU o under L <= sum(lambda) <= U (None: CRS)."""
    X, Y, _, _ = _scaled(X, Y)
    n = X.shape[0]
    rts_A, rts_b = _rts(1, n, bounds)
    if orientation == "input":        # min theta: X'l - theta x_o <= 0, -Y'l <= -y_o
        A = np.vstack([np.c_[-X[o], X.T], np.c_[np.zeros(Y.shape[1]), -Y.T], rts_A])
        b = np.r_[np.zeros(X.shape[1]), -Y[o], rts_b]
        c = np.r_[1.0, np.zeros(n)]
    else:                             # max phi: X'l <= x_o, phi y_o - Y'l <= 0
        A = np.vstack([np.c_[np.zeros(X.shape[1]), X.T], np.c_[Y[o], -Y.T], rts_A])
        b = np.r_[X[o], np.zeros(Y.shape[1]), rts_b]
        c = np.r_[-1.0, np.zeros(n)]
    res = _solve(c, A, b, [(None, None)] + [(0, None)] * n)
    assert res.status == 0, res.message
    return res.x[0]


def russell_lp(X, Y, o, bounds, orientation="input"):
    """(mean factor, factors) of the Russell measure of DMU o; the mean runs over positive variables."""
    X, Y, _, _ = _scaled(X, Y)
    n, m = X.shape
    s = Y.shape[1]
    if orientation == "input":        # min mean theta: X'l - theta o x_o <= 0, -Y'l <= -y_o, theta <= 1
        pos = X[o] > 0
        A = np.vstack([np.c_[-np.diag(X[o]), X.T], np.c_[np.zeros((s, m)), -Y.T]])
        b = np.r_[np.zeros(m), -Y[o]]
        c = np.r_[np.where(pos, 1.0 / pos.sum(), 0.0), np.zeros(n)]
        fb = [(0, 1)] * m
        k = m
    else:                             # max mean phi: X'l <= x_o, phi o y_o - Y'l <= 0, phi >= 1
        pos = Y[o] > 0
        A = np.vstack([np.c_[np.zeros((m, s)), X.T], np.c_[np.diag(Y[o]), -Y.T]])
        b = np.r_[X[o], np.zeros(s)]
        c = np.r_[np.where(pos, -1.0 / pos.sum(), 0.0), np.zeros(n)]
        fb = [(1, None)] * s
        k = s
    rts_A, rts_b = _rts(k, n, bounds)
    res = _solve(c, np.vstack([A, rts_A]), np.r_[b, rts_b], fb + [(0, None)] * n)
    assert res.status == 0, res.message
    return abs(res.fun), np.where(pos, res.x[:k], np.nan)


def rdm_direction(X, Y, o, orientation="none", inverse=False):
    """(g_x, g_y) of DMU o: its ranges to the ideal point (IRDM: their inverses, 0 for 0)."""
    gx = X[o] - X.min(axis=0) if orientation != "output" else np.zeros(X.shape[1])
    gy = Y.max(axis=0) - Y[o] if orientation != "input" else np.zeros(Y.shape[1])
    if inverse:
        gx = np.array([1.0 / v if v != 0 else 0.0 for v in gx])
        gy = np.array([1.0 / v if v != 0 else 0.0 for v in gy])
    return gx, gy


def rdm_step(X, Y, o, orientation="none", inverse=False) -> float:
    """How far one unit of beta moves DMU o: max_k |g_k| / (column k's mean): the unit in which a
    difference in IRDM's beta (in units of data^2) is judged."""
    _, _, sx, sy = _scaled(X, Y)
    gx, gy = rdm_direction(X, Y, o, orientation, inverse)
    return float(np.max(np.abs(np.r_[gx / sx, gy / sy])))


def rdm_lp(X, Y, o, orientation="none", inverse=False):
    """beta of RDM (IRDM) of DMU o under VRS; None when its direction is zero (unbounded)."""
    gx, gy = rdm_direction(X, Y, o, orientation, inverse)
    if not (gx != 0).any() and not (gy != 0).any():
        return None
    Xs, Ys, sx, sy = _scaled(X, Y)
    n = X.shape[0]
    # max beta: X'l + beta gx <= x_o, -Y'l + beta gy <= -y_o, sum l = 1; beta = B beta' with B making the
    # direction's largest coefficient 1 (IRDM's 1/range on 1e9-scale data is ~1e-18)
    g = np.r_[gx / sx, gy / sy]
    B = 1.0 / np.abs(g).max()
    A = np.vstack([np.c_[gx / sx * B, Xs.T], np.c_[gy / sy * B, -Ys.T]])
    b = np.r_[Xs[o], -Ys[o]]
    res = _solve(np.r_[-1.0, np.zeros(n)], A, b, [(None, None)] + [(0, None)] * n,
                 A_eq=np.r_[0.0, np.ones(n)][None, :], b_eq=[1.0])
    assert res.status == 0, res.message
    return res.x[0] * B


def additive_lp(X, Y, o, w, bounds, x_min=None, y_max=None):
    """max w's (slacks in data units) of DMU o; with x_min/y_max the BAM bounds rows."""
    Xs, Ys, sx, sy = _scaled(X, Y)
    n, m = X.shape
    s = Y.shape[1]
    # variables [s- (m), s+ (s), lambda (n)]: X'l + s- = x_o, Y'l - s+ = y_o
    A_eq = np.vstack([np.c_[np.eye(m), np.zeros((m, s)), Xs.T], np.c_[np.zeros((s, m)), -np.eye(s), Ys.T]])
    b_eq = np.r_[Xs[o], Ys[o]]
    rts_A, rts_b = _rts(m + s, n, bounds)
    A_ub, b_ub = rts_A, rts_b
    if x_min is not None:              # X'l >= x_min, Y'l <= y_max
        A_ub = np.vstack([A_ub, np.c_[np.zeros((m, m + s)), -Xs.T], np.c_[np.zeros((s, m + s)), Ys.T]])
        b_ub = np.r_[b_ub, -x_min / sx, y_max / sy]
    c = -np.r_[np.asarray(w)[:m] * sx, np.asarray(w)[m:] * sy, np.zeros(n)]
    res = _solve(c, A_ub if A_ub.size else None, b_ub if A_ub.size else None, [(0, None)] * (m + s + n),
                 A_eq=A_eq, b_eq=b_eq)
    assert res.status == 0, res.message
    return -res.fun


def fdh_milp(X, Y, o, objective: str, orientation="none", g=None, w=None):
    """The model's optimum over the FDH technology (binary lambda, sum 1) by scipy's MILP (HiGHS):
    'additive' (max w's, raw units), 'sbm-input' (min 1 - mean s-/x), 'sbm-output' (max mean s+/y),
    'ddf' (max beta along g), 'russell-input' (min mean theta)."""
    n, m = X.shape
    s = Y.shape[1]
    if objective == "ddf":             # variables [beta, lambda]: X'l + beta gx <= x_o, -Y'l + beta gy <= -y_o
        A = np.vstack([np.c_[g[:m], X.T], np.c_[g[m:], -Y.T], np.r_[0.0, np.ones(n)][None, :]])
        lo = np.r_[np.full(m + s, -np.inf), 1.0]
        hi = np.r_[X[o], -Y[o], 1.0]
        res = milp(np.r_[-1.0, np.zeros(n)], integrality=np.r_[0, np.ones(n)],
                   bounds=Bounds(np.r_[-np.inf, np.zeros(n)], np.r_[np.inf, np.ones(n)]),
                   constraints=LinearConstraint(A, lo, hi), options={"mip_rel_gap": 0})
        return res.x[0]
    if objective == "russell-input":   # variables [theta (m), lambda]
        pos = X[o] > 0
        A = np.vstack([np.c_[-np.diag(X[o]), X.T], np.c_[np.zeros((s, m)), Y.T], np.r_[np.zeros(m), np.ones(n)]])
        lo = np.r_[np.full(m, -np.inf), Y[o], 1.0]
        hi = np.r_[np.zeros(m), np.full(s, np.inf), 1.0]
        res = milp(np.r_[np.where(pos, 1.0 / pos.sum(), 0.0), np.zeros(n)], integrality=np.r_[np.zeros(m), np.ones(n)],
                   bounds=Bounds(np.zeros(m + n), np.ones(m + n)), constraints=LinearConstraint(A, lo, hi),
                   options={"mip_rel_gap": 0})
        return res.fun
    # slack models, variables [s- (m), s+ (s), lambda (n)]
    A = np.vstack([np.c_[np.eye(m), np.zeros((m, s)), X.T], np.c_[np.zeros((s, m)), -np.eye(s), Y.T],
                   np.r_[np.zeros(m + s), np.ones(n)]])
    b = np.r_[X[o], Y[o], 1.0]
    if objective == "additive":
        c = -np.asarray(w, dtype=float)
    elif objective == "sbm-input":
        pos = X[o] > 0
        c = np.r_[np.where(pos, 1.0 / (pos.sum() * np.where(pos, X[o], 1.0)), 0.0), np.zeros(s)]
        c = -c
    else:                               # sbm-output: max mean s+/y
        c = np.r_[np.zeros(m), -1.0 / (s * Y[o])]
    res = milp(np.r_[c, np.zeros(n)], integrality=np.r_[np.zeros(m + s), np.ones(n)],
               bounds=Bounds(np.zeros(m + s + n), np.r_[np.full(m + s, np.inf), np.ones(n)]),
               constraints=LinearConstraint(A, b, b), options={"mip_rel_gap": 0})
    if objective == "additive":
        return -res.fun
    if objective == "sbm-input":
        return 1.0 + res.fun
    return 1.0 / (1.0 - res.fun)


# --------------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------------

#: Fried1993 (Ali and Seiford 1993), as in deaR: x1, x2 -> y.
FRIED = pd.DataFrame({
    "DMU": [f"Unit {i}" for i in range(1, 12)],
    "x1": [5, 16, 16, 17, 18, 23, 25, 27, 37, 42, 5], "x2": [13, 12, 26, 15, 14, 6, 10, 22, 14, 25, 17],
    "y": [12, 14, 25, 26, 8, 9, 27, 30, 31, 26.5, 12]})
FRIED_KW = dict(id="DMU", inputs=["x1", "x2"], outputs=["y"])


def synthetic(seed: int, n: int = 40, m: int = 3, s: int = 2, zeros: bool = False) -> pd.DataFrame:
    """Cobb-Douglas-like data with inefficiency, columns of very different scales."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(1, 10, (n, m))
    Y = (np.prod(X, axis=1) ** (0.7 / m) * np.exp(-np.abs(rng.normal(0, 0.3, n))))[:, None] * rng.uniform(
        0.5, 1.5, (n, s))
    if zeros:
        X[rng.random(n) < 0.2, -1] = 0.0
    scale = np.array([1.0, 1e3, 0.01, 7.0, 1e5][: m + s])
    cols = [f"x{i + 1}" for i in range(m)] + [f"y{r + 1}" for r in range(s)]
    return pd.DataFrame(np.hstack([X, Y]) * scale, columns=cols)


def assert_close_cols(a, b, rel, what=""):
    """|a - b| <= rel * max(|b|, the column's mean |b|), column by column."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    scale = np.maximum(np.abs(b), np.abs(b).mean(axis=0))
    bad = np.abs(a - b) > rel * np.maximum(scale, 1e-300)
    assert not bad.any(), f"{what}: {int(bad.sum())} entries differ, e.g. {a[bad][:3]} vs {b[bad][:3]}"


def names(df, prefix):
    return [c for c in df.columns if c.startswith(prefix) and c[1:].isdigit()]


def arrays(df):
    return df[names(df, "x")].to_numpy(float), df[names(df, "y")].to_numpy(float)


# --------------------------------------------------------------------------------------------------
# Generalised returns to scale
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("solver", [None, "highs"])
@pytest.mark.parametrize("orientation", ["input", "output"])
def test_grs_equals_its_lp(solver, orientation):
    df = synthetic(1)
    X, Y = arrays(df)
    r = quiet(ef.dea, df, inputs=names(df, "x"), outputs=names(df, "y"), rts="grs", rts_bounds=(0.8, 1.25),
              orientation=orientation, solver=solver)
    want = [radial_lp(X, Y, o, (0.8, 1.25), orientation) for o in range(len(df))]
    np.testing.assert_allclose(r.farrell, want, rtol=TOL, atol=TOL)
    assert r.rts == "grs" and r.rts_bounds == (0.8, 1.25)
    lam = r.to_frame()["lambda_sum"]
    assert ((lam >= 0.8 - 1e-9) & (lam <= 1.25 + 1e-9)).all()
    assert "0.8 <= sum(lambda) <= 1.25" in r.summary()


GRS_SPECIAL = [((0.0, np.inf), "crs"), ((1.0, 1.0), "vrs"), ((0.0, 1.0), "nirs"), ((1.0, np.inf), "ndrs")]
GRS_MODELS = [("radial", "input"), ("radial", "output"), ("radial", "graph"), ("sbm", "none"), ("additive", "none"),
              ("ddf", "none"), ("russell", "input"), ("russell", "output"), ("bam", "none")]


@pytest.mark.parametrize("bounds,rts", GRS_SPECIAL, ids=[r for _, r in GRS_SPECIAL])
@pytest.mark.parametrize("model,orientation", GRS_MODELS, ids=[f"{m}-{o}" for m, o in GRS_MODELS])
def test_grs_special_bounds_are_the_classical_technologies(bounds, rts, model, orientation):
    """GRS (0, inf) = CRS, (1, 1) = VRS, (0, 1) = NIRS, (1, inf) = NDRS, for every model that takes rts."""
    df = synthetic(2, n=30)
    kw = dict(inputs=names(df, "x"), outputs=names(df, "y"), model=model, orientation=orientation)
    a = quiet(ef.dea, df, rts="grs", rts_bounds=bounds, **kw).to_frame()
    b = quiet(ef.dea, df, rts=rts, **kw).to_frame()
    for col in ("efficiency", "farrell", "beta", "slack_sum"):
        if col in b:
            np.testing.assert_allclose(a[col], b[col], rtol=1e-7, atol=1e-8, err_msg=col)
    assert (a["status"] == b["status"]).all()


def sbm_lp(X, Y, o, bounds):
    """Non-oriented SBM rho (Tone 2001) of DMU o, Charnes-Cooper form, L t <= sum(Lambda) <= U t."""
    Xs, Ys, _, _ = _scaled(X, Y)
    n, m = X.shape
    s = Y.shape[1]
    # variables [t, Lambda (n), S- (m), S+ (s)]
    A_eq = np.vstack([np.r_[1.0, np.zeros(n + m), 1.0 / (s * Ys[o])],
                      np.c_[-Xs[o], Xs.T, np.eye(m), np.zeros((m, s))],
                      np.c_[-Ys[o], Ys.T, np.zeros((s, m)), -np.eye(s)]])
    b_eq = np.r_[1.0, np.zeros(m + s)]
    lo, hi = bounds
    A_ub = np.vstack([np.r_[-hi, np.ones(n), np.zeros(m + s)], np.r_[lo, -np.ones(n), np.zeros(m + s)]])
    c = np.r_[1.0, np.zeros(n), -1.0 / (m * Xs[o]), np.zeros(s)]
    res = _solve(c, A_ub, np.zeros(2), [(0, None)] * (1 + n + m + s), A_eq=A_eq, b_eq=b_eq)
    assert res.status == 0, res.message
    return res.fun


def ddf_lp(X, Y, o, g, bounds):
    """beta of the directional distance of DMU o along g (data units) under L <= sum(lambda) <= U."""
    Xs, Ys, sx, sy = _scaled(X, Y)
    n, m = X.shape
    rts_A, rts_b = _rts(1, n, bounds)
    A = np.vstack([np.c_[g[:m] / sx, Xs.T], np.c_[g[m:] / sy, -Ys.T], rts_A])
    res = _solve(np.r_[-1.0, np.zeros(n)], A, np.r_[Xs[o], -Ys[o], rts_b], [(None, None)] + [(0, None)] * n)
    assert res.status == 0, res.message
    return res.x[0]


@pytest.mark.parametrize("solver", [None, "highs"])
def test_grs_in_the_slack_and_directional_models_equals_their_lps(solver):
    """Both GRS bounds strictly around 1 (two RTS rows in SBM's Charnes-Cooper form)."""
    df = synthetic(16, n=30)
    X, Y = arrays(df)
    b = (0.8, 1.25)
    kw = dict(inputs=names(df, "x"), outputs=names(df, "y"), rts="grs", rts_bounds=b, solver=solver)
    n, m, s = len(df), X.shape[1], Y.shape[1]
    sbm = quiet(ef.dea, df, model="sbm", orientation="none", **kw).scores
    np.testing.assert_allclose(sbm, [sbm_lp(X, Y, o, b) for o in range(n)], rtol=0, atol=TOL)
    sbm_in = quiet(ef.dea, df, model="sbm", orientation="input", **kw).scores
    want = [1 - additive_lp(X, Y, o, np.r_[1.0 / (m * X[o]), np.zeros(s)], b) for o in range(n)]
    np.testing.assert_allclose(sbm_in, want, rtol=0, atol=TOL)
    ddf = quiet(ef.dea, df, model="ddf", **kw).beta
    np.testing.assert_allclose(ddf, [ddf_lp(X, Y, o, np.r_[X[o], Y[o]], b) for o in range(n)], rtol=0, atol=TOL)
    w = 1.0 / np.hstack([X, Y]).mean(axis=0)
    add = quiet(ef.dea, df, model="additive", slack_weights=w, **kw).slack_sum
    np.testing.assert_allclose(add, [additive_lp(X, Y, o, w, b) for o in range(n)], rtol=1e-7, atol=1e-9)


def test_grs_lies_between_crs_and_vrs():
    """CRS technology contains GRS(L, U), which contains VRS: theta_crs <= theta_grs <= theta_vrs, and
    the wider bounds give the lower score."""
    df = synthetic(3)
    kw = dict(inputs=names(df, "x"), outputs=names(df, "y"))
    crs, vrs = (ef.dea(df, rts=r, **kw).scores for r in ("crs", "vrs"))
    narrow = quiet(ef.dea, df, rts="grs", rts_bounds=(0.9, 1.1), **kw).scores
    wide = quiet(ef.dea, df, rts="grs", rts_bounds=(0.5, 2.0), **kw).scores
    assert (crs <= wide + 1e-9).all() and (wide <= narrow + 1e-9).all() and (narrow <= vrs + 1e-9).all()
    assert (narrow - wide > 1e-3).any() and (vrs - narrow > 1e-3).any()   # the bounds matter on these data


@pytest.mark.parametrize("bounds,message", [
    ((1.2, 0.8), "greater than U"), ((-0.5, 1.2), "must be a finite number >= 0"), ((1.1, 2.0), "must contain 1"),
    ((0.5, 0.9), "must contain 1"), ((np.nan, 1.0), "finite number"), (("a", 1), "two numbers"),
    ((1.0,), "two numbers")])
def test_grs_bad_bounds(bounds, message):
    with pytest.raises(SpecError, match=message):
        ef.dea(FRIED, rts="grs", rts_bounds=bounds, **FRIED_KW)


def test_grs_needs_bounds_and_bounds_need_grs():
    with pytest.raises(SpecError, match="rts='grs' needs rts_bounds"):
        ef.dea(FRIED, rts="grs", **FRIED_KW)
    with pytest.raises(SpecError, match="rts_bounds: only with rts='grs'"):
        ef.dea(FRIED, rts="vrs", rts_bounds=(0.8, 1.2), **FRIED_KW)
    with pytest.raises(SpecError, match="rts='grs' needs its bounds"):      # models without rts_bounds
        ef.malmquist(pd.DataFrame({"u": [1, 2, 1, 2], "t": [1, 1, 2, 2], "x": [1.0, 2, 1, 2], "y": [1.0, 1, 2, 1]}),
                     id="u", period="t", inputs=["x"], outputs=["y"], rts="grs")


# --------------------------------------------------------------------------------------------------
# Russell measure
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rts", ["crs", "vrs", "nirs", "ndrs", "grs"])
@pytest.mark.parametrize("orientation", ["input", "output"])
def test_russell_equals_its_lp(rts, orientation):
    df = synthetic(4, zeros=True)                      # zero inputs: no factor, out of the mean
    X, Y = arrays(df)
    bounds = (0.7, 1.5) if rts == "grs" else RTS_BOUNDS[rts]
    r = quiet(ef.dea, df, inputs=names(df, "x"), outputs=names(df, "y"), model="russell", rts=rts,
              rts_bounds=bounds if rts == "grs" else None, orientation=orientation)
    want = [russell_lp(X, Y, o, bounds, orientation)[0] for o in range(len(df))]
    np.testing.assert_allclose(r.farrell, want, rtol=TOL, atol=TOL)
    expected = np.array(want) if orientation == "input" else 1.0 / np.array(want)
    np.testing.assert_allclose(r.scores, expected, rtol=TOL, atol=TOL)
    own = X if orientation == "input" else Y
    f = r.factors.to_numpy()
    assert list(r.factors.columns) == names(df, "x" if orientation == "input" else "y")
    assert np.array_equal(np.isnan(f), own <= 0)      # NaN exactly for the zero variables
    np.testing.assert_allclose(np.nanmean(f, axis=1), want, rtol=1e-7)
    prefix = "theta_" if orientation == "input" else "phi_"
    frame = r.to_frame()
    assert [c for c in frame if c.startswith(prefix)] == [prefix + c for c in r.factors.columns]
    assert r.solver == "highs"                          # LP batches: the default backend hands them to HiGHS


@pytest.mark.parametrize("rts", ["crs", "vrs"])
def test_russell_targets_are_in_the_technology_and_slacks_maximal(rts):
    """The target (theta o x_o, y_o + s+) lies in the technology (the lambdas reproduce it) and its output
    slack sum is the maximum at the optimal thetas (an LP written here with the thetas fixed)."""
    df = synthetic(5)
    X, Y = arrays(df)
    r = ef.dea(df, inputs=names(df, "x"), outputs=names(df, "y"), model="russell", rts=rts)
    lam = r.lambda_matrix.toarray()
    tx, ty = r.targets[names(df, "x")].to_numpy(), r.targets[names(df, "y")].to_numpy()
    assert_close_cols(lam @ X, tx, 1e-7, "X' lambda")
    assert_close_cols(lam @ Y, ty, 1e-7, "Y' lambda")
    np.testing.assert_allclose(tx, r.factors.to_numpy() * X, rtol=1e-9)
    for o in range(0, len(df), 7):                      # max sum(Y' lam) s.t. X' lam <= theta* o x_o
        n = len(df)
        A = np.vstack([X.T, -Y.T] + ([np.ones((1, n))] if rts == "vrs" else []))
        A_eq = None
        b = np.r_[tx[o] * (1 + 1e-10), -Y[o]] if rts == "crs" else np.r_[tx[o] * (1 + 1e-10), -Y[o], 1.0]
        if rts == "vrs":
            A_eq, A, b = A[-1:], A[:-1], b[:-1]
        res = _solve(-Y.sum(axis=1), A, b, [(0, None)] * n, A_eq=A_eq, b_eq=[1.0] if rts == "vrs" else None)
        best = -res.fun - Y[o].sum()
        np.testing.assert_allclose(r.slacks[names(df, "y")].to_numpy()[o].sum(), best, rtol=1e-6, atol=1e-6 * Y.mean())


@pytest.mark.parametrize("rts", ["crs", "vrs", "grs"])
def test_russell_is_at_most_radial(rts):
    """theta = theta* for every input is feasible, so the Russell mean is <= the radial score (input),
    and the Russell mean phi >= radial phi (output); equal with one input (output)."""
    df = synthetic(6)
    kw = dict(inputs=names(df, "x"), outputs=names(df, "y"), rts=rts, rts_bounds=(0.8, 1.2) if rts == "grs" else None)
    rus = quiet(ef.dea, df, model="russell", **kw).scores
    rad = quiet(ef.dea, df, **kw).scores
    assert (rus <= rad + 1e-9).all() and (rad - rus > 1e-3).any()
    rus_o = quiet(ef.dea, df, model="russell", orientation="output", **kw).farrell
    rad_o = quiet(ef.dea, df, orientation="output", **kw).farrell
    assert (rus_o >= rad_o - 1e-9).all()
    one = dict(kw, outputs=names(df, "y")[:1])
    np.testing.assert_allclose(quiet(ef.dea, df, model="russell", orientation="output", **one).scores,
                               quiet(ef.dea, df, orientation="output", **one).scores, rtol=1e-8)


def test_russell_is_units_invariant():
    df = synthetic(7)
    kw = dict(inputs=names(df, "x"), outputs=names(df, "y"), model="russell", rts="vrs")
    other = df * np.array([1e-3, 50.0, 1e4, 0.2, 3.0])
    for orientation in ("input", "output"):
        a = ef.dea(df, orientation=orientation, **kw).scores.to_numpy()
        b = ef.dea(other, orientation=orientation, **kw).scores.to_numpy()
        np.testing.assert_allclose(a, b, rtol=1e-8)


def test_russell_options():
    with pytest.raises(SpecError, match="russell model is 'input' or 'output'"):
        ef.dea(FRIED, model="russell", orientation="none", **FRIED_KW)
    with pytest.raises(SpecError, match="russell model is 'input' or 'output'"):
        ef.dea(FRIED, model="nonradial", orientation="graph", **FRIED_KW)
    zero = FRIED.assign(x1=[0.0] + list(FRIED.x1[1:]), x2=[0.0] + list(FRIED.x2[1:]))
    with pytest.raises(DataError, match="Unit 1"):         # a DMU without any positive input
        ef.dea(zero, model="russell", **FRIED_KW)


# --------------------------------------------------------------------------------------------------
# Range directional model
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("orientation", ["none", "input", "output"])
@pytest.mark.parametrize("inverse", [False, True])
def test_rdm_equals_its_lp(orientation, inverse):
    df = FRIED
    X, Y = df[["x1", "x2"]].to_numpy(float), df[["y"]].to_numpy(float)
    r = quiet(ef.dea, df, model="rdm", orientation=orientation, inverse=inverse, **FRIED_KW)
    for o in range(len(df)):
        want = rdm_lp(X, Y, o, orientation, inverse)
        if want is None:                                  # zero direction (at the ideal): unbounded
            assert r.status.iloc[o] == "unbounded" and np.isnan(r.beta.iloc[o]) and np.isnan(r.scores.iloc[o])
        else:
            assert r.status.iloc[o] == "optimal"
            assert r.beta.iloc[o] == pytest.approx(want, rel=1e-8, abs=1e-9)
            assert np.isnan(r.scores.iloc[o]) if inverse else r.scores.iloc[o] == pytest.approx(1 - want, abs=1e-9)
    assert r.model == ("irdm" if inverse else "rdm")
    assert r.rts == "vrs"


def test_rdm_zero_direction_is_unbounded_with_a_warning():
    """Unit 9 of Fried1993 has the largest output: output RDM has no direction for it (deaR: 1e30)."""
    with pytest.warns(SolveWarning, match="1 unbounded"):
        r = ef.dea(FRIED, model="rdm", orientation="output", **FRIED_KW)
    assert list(r.status[r.status != "optimal"].index) == ["Unit 9"]


@pytest.mark.parametrize("orientation", ["none", "input", "output"])
def test_rdm_is_units_and_translation_invariant(orientation):
    """Silva Portela et al. (2004): RDM beta does not change with the units or with a translation of a
    variable (negative values included); IRDM is translation invariant too (its direction is 1/range),
    but not units invariant."""
    df = synthetic(8, n=30)
    kw = dict(inputs=names(df, "x"), outputs=names(df, "y"), model="rdm", orientation=orientation)
    base = ef.dea(df, **kw).beta.to_numpy()
    scaled = ef.dea(df * np.array([1e-3, 50.0, 1e4, 0.2, 3.0]), **kw).beta.to_numpy()
    shifted_df = df - df.mean() * np.array([1.5, 0.0, 0.5, 2.0, 0.7])      # several columns now negative
    assert (shifted_df < 0).any().sum() >= 3
    shifted = ef.dea(shifted_df, **kw).beta.to_numpy()
    np.testing.assert_allclose(scaled, base, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(shifted, base, rtol=1e-7, atol=1e-9)
    inv = ef.dea(df, inverse=True, **kw).beta.to_numpy()
    inv_shifted = ef.dea(shifted_df, inverse=True, **kw).beta.to_numpy()
    np.testing.assert_allclose(inv_shifted, inv, rtol=1e-6, atol=1e-9 * np.nanmax(np.abs(inv)))
    inv_scaled = ef.dea(df * np.array([1e-3, 50.0, 1e4, 0.2, 3.0]), inverse=True, **kw).beta.to_numpy()
    assert not np.allclose(inv_scaled, inv, rtol=1e-3)


def test_rdm_targets_with_negative_data():
    """Targets are in the data's own origin: x_o - beta R- - s-, y_o + beta R+ + s+, reproduced by the
    lambdas."""
    df = synthetic(9, n=25) - 3.0 * synthetic(9, n=25).mean()
    X, Y = arrays(df)
    r = ef.dea(df, inputs=names(df, "x"), outputs=names(df, "y"), model="rdm", orientation="none")
    lam = r.lambda_matrix.toarray()
    ok = (r.status == "optimal").to_numpy()
    tx, ty = r.targets[names(df, "x")].to_numpy(), r.targets[names(df, "y")].to_numpy()
    assert_close_cols((lam @ X)[ok], tx[ok], 1e-7, "X' lambda")
    assert_close_cols((lam @ Y)[ok], ty[ok], 1e-7, "Y' lambda")
    beta = r.beta.to_numpy()[:, None]
    np.testing.assert_allclose(tx[ok], (X - beta * (X - X.min(axis=0)) - r.slacks[names(df, "x")].to_numpy())[ok],
                               rtol=1e-9, atol=1e-9 * np.abs(X).mean())
    assert ((r.scores >= 0) & (r.scores <= 1)).all()


def test_rdm_options():
    with pytest.raises(SpecError, match="VRS by construction"):
        ef.dea(FRIED, model="rdm", rts="crs", **FRIED_KW)
    with pytest.raises(SpecError, match="rdm model is 'none'"):
        ef.dea(FRIED, model="rdm", orientation="graph", **FRIED_KW)
    with pytest.raises(SpecError, match="inverse: only the range directional model"):
        ef.dea(FRIED, model="radial", inverse=True, **FRIED_KW)
    neg = FRIED.assign(y=FRIED.y - 20)
    with pytest.raises(DataError, match="negative"):       # only RDM takes negative data
        ef.dea(neg, **FRIED_KW)
    assert (ef.dea(neg, model="rdm", orientation="none", **FRIED_KW).status == "optimal").sum() >= 10


# --------------------------------------------------------------------------------------------------
# RAM, BAM, weighted additive
# --------------------------------------------------------------------------------------------------

def _ram_w(X, Y):
    both = np.hstack([X, Y])
    rng = both.max(axis=0) - both.min(axis=0)
    return np.where(rng > 0, 1.0 / (both.shape[1] * np.where(rng > 0, rng, 1)), 0.0)


@pytest.mark.parametrize("solver", [None, "highs"])
def test_ram_equals_its_lp(solver):
    df = synthetic(10)
    X, Y = arrays(df)
    r = ef.dea(df, inputs=names(df, "x"), outputs=names(df, "y"), model="ram", solver=solver)
    w = _ram_w(X, Y)
    want = np.array([additive_lp(X, Y, o, w, (1.0, 1.0)) for o in range(len(df))])
    np.testing.assert_allclose(r.slack_sum, want, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(r.scores, 1.0 - want, atol=1e-9)
    assert ((r.scores >= 0) & (r.scores <= 1)).all() and r.orientation == "none"
    slack = r.slacks.to_numpy()
    np.testing.assert_allclose((slack * w).sum(axis=1), r.slack_sum, rtol=1e-9, atol=1e-12)
    assert r.solver == ("numba" if solver is None else "highs")


@pytest.mark.parametrize("rts", ["vrs", "crs", "nirs", "grs"])
def test_bam_equals_its_lp(rts):
    """BAM weights 1/((m+s)(x_o - x_min)) and 1/((m+s)(y_max - y_o)); the bounds rows X'l >= x_min,
    Y'l <= y_max outside VRS (Cooper et al. 2011)."""
    df = synthetic(11)
    X, Y = arrays(df)
    bounds = (0.8, 1.25) if rts == "grs" else RTS_BOUNDS[rts]
    r = quiet(ef.dea, df, inputs=names(df, "x"), outputs=names(df, "y"), model="bam", rts=rts,
              rts_bounds=bounds if rts == "grs" else None)
    k = X.shape[1] + Y.shape[1]
    d = np.hstack([X - X.min(axis=0), Y.max(axis=0) - Y])
    W = np.where(d > 0, 1.0 / (k * np.where(d > 0, d, 1)), 0.0)
    want = np.array([additive_lp(X, Y, o, W[o], bounds, X.min(axis=0), Y.max(axis=0)) for o in range(len(df))])
    np.testing.assert_allclose(r.slack_sum, want, rtol=1e-7, atol=1e-9)
    assert ((r.scores >= 0) & (r.scores <= 1)).all()


def test_bam_is_at_most_ram_and_both_are_invariant():
    """Under VRS the BAM weights are at least the RAM weights on the same feasible set: BAM <= RAM. Both
    are units invariant and, under VRS, translation invariant."""
    df = synthetic(12)
    kw = dict(inputs=names(df, "x"), outputs=names(df, "y"))
    ram, bam = (ef.dea(df, model=m, **kw).scores for m in ("ram", "bam"))
    assert (bam <= ram + 1e-9).all() and (ram - bam > 1e-3).any()
    moved = df * np.array([1e-3, 50.0, 1e4, 0.2, 3.0]) + np.array([5.0, 0.0, 100.0, 3.0, 0.0])
    for model, base in (("ram", ram), ("bam", bam)):
        np.testing.assert_allclose(ef.dea(moved, model=model, **kw).scores, base, rtol=1e-7, atol=1e-9)


def test_ram_other_rts_refused():
    with pytest.raises(SpecError, match="RAM's measure lies in"):
        ef.dea(FRIED, model="ram", rts="crs", **FRIED_KW)


def test_additive_slack_weights():
    df = synthetic(13)
    X, Y = arrays(df)
    kw = dict(inputs=names(df, "x"), outputs=names(df, "y"), model="additive")
    w = np.array([1.0, 2.0, 0.5, 3.0, 0.0])
    r = ef.dea(df, slack_weights=w, **kw)
    want = np.array([additive_lp(X, Y, o, w, (1.0, 1.0)) for o in range(len(df))])
    np.testing.assert_allclose(r.slack_sum, want, rtol=1e-7, atol=1e-7 * np.abs(want).max())
    assert r.scores.isna().all() and r.solver == "numba"
    W = np.tile(w, (len(df), 1))
    rm = quiet(ef.dea, df, slack_weights=W, **kw)             # one row per DMU: LP batches (HiGHS)
    np.testing.assert_allclose(rm.slack_sum, want, rtol=1e-7, atol=1e-7 * np.abs(want).max())
    assert rm.solver == "highs"
    ones = ef.dea(df, slack_weights=np.ones(5), **kw).slack_sum
    np.testing.assert_allclose(ones, ef.dea(df, **kw).slack_sum, rtol=1e-8, atol=1e-6)


@pytest.mark.parametrize("weights,message", [([1, 2], "expected 3 weights"), ([1, -1, 1], ">= 0"),
                                             ([1, np.inf, 1], "finite"), (np.ones((3, 3)), "shape")])
def test_additive_bad_slack_weights(weights, message):
    with pytest.raises(SpecError, match=message):
        ef.dea(FRIED, model="additive", slack_weights=weights, **FRIED_KW)
    with pytest.raises(SpecError, match="only the additive model"):
        ef.dea(FRIED, model="ram", slack_weights=[1, 1, 1], **FRIED_KW)


# --------------------------------------------------------------------------------------------------
# FDH technology for the other models (rts="fdh")
# --------------------------------------------------------------------------------------------------

def _fdh_data():
    df = synthetic(14, n=25, m=2, s=2)
    return df, *arrays(df)


def test_fdh_additive_and_weighted_equal_milp():
    df, X, Y = _fdh_data()
    kw = dict(inputs=names(df, "x"), outputs=names(df, "y"), rts="fdh")
    add = ef.dea(df, model="additive", **kw)
    w = np.array([0.5, 2.0, 1.0, 3.0])
    wtd = ef.dea(df, model="additive", slack_weights=w, **kw)
    ram = ef.dea(df, model="ram", **kw)
    wr = _ram_w(X, Y)
    for o in range(len(df)):
        assert add.slack_sum.iloc[o] == pytest.approx(fdh_milp(X, Y, o, "additive", w=np.ones(4)), rel=1e-9, abs=1e-6)
        assert wtd.slack_sum.iloc[o] == pytest.approx(fdh_milp(X, Y, o, "additive", w=w), rel=1e-9, abs=1e-6)
        assert ram.slack_sum.iloc[o] == pytest.approx(fdh_milp(X, Y, o, "additive", w=wr), rel=1e-9, abs=1e-9)
    assert add.solver == "enumeration" and add.rts == "fdh"
    assert (add.lambda_matrix.sum(axis=1) == 1).all()          # one observed peer
    # FDH is a subset of VRS: less slack to find
    assert (add.slack_sum <= ef.dea(df, model="additive", inputs=kw["inputs"], outputs=kw["outputs"]).slack_sum
            + 1e-6).all()


@pytest.mark.parametrize("orientation", ["input", "output"])
def test_fdh_sbm_equals_milp(orientation):
    df, X, Y = _fdh_data()
    r = ef.dea(df, inputs=names(df, "x"), outputs=names(df, "y"), model="sbm", rts="fdh", orientation=orientation)
    for o in range(len(df)):
        assert r.scores.iloc[o] == pytest.approx(fdh_milp(X, Y, o, f"sbm-{orientation}"), rel=1e-9)


def test_fdh_sbm_non_oriented_is_the_best_dominating_dmu():
    df, X, Y = _fdh_data()
    r = ef.dea(df, inputs=names(df, "x"), outputs=names(df, "y"), model="sbm", rts="fdh", orientation="none")
    for o in range(len(df)):
        rhos = [(1 - np.mean((X[o] - X[j]) / X[o])) / (1 + np.mean((Y[j] - Y[o]) / Y[o]))
                for j in range(len(df)) if (X[j] <= X[o]).all() and (Y[j] >= Y[o]).all()]
        assert r.scores.iloc[o] == pytest.approx(min(rhos), rel=1e-12)
    vrs = ef.dea(df, inputs=names(df, "x"), outputs=names(df, "y"), model="sbm", orientation="none").scores
    assert (r.scores >= vrs - 1e-9).all() and (r.scores - vrs > 1e-3).any()


@pytest.mark.parametrize("direction", ["proportional", "unit", "output", "mixed"])
def test_fdh_ddf_equals_milp(direction):
    df, X, Y = _fdh_data()
    n = len(df)
    if direction == "mixed":            # negative components bound beta from below
        G = np.tile([1.0, -0.5, 2.0, 0.0], (n, 1)) * np.hstack([X, Y]).mean(axis=0)
        arg = G
    else:
        G = {"proportional": np.hstack([X, Y]), "unit": np.ones((n, 4)),
             "output": np.hstack([np.zeros_like(X), Y])}[direction]
        arg = direction
    r = ef.dea(df, inputs=names(df, "x"), outputs=names(df, "y"), model="ddf", rts="fdh", direction=arg)
    for o in range(n):
        assert r.beta.iloc[o] == pytest.approx(fdh_milp(X, Y, o, "ddf", g=G[o]), rel=1e-9, abs=1e-9)
    lam = r.lambda_matrix.toarray()
    tx = r.targets[names(df, "x")].to_numpy()
    np.testing.assert_allclose(lam @ X, tx, rtol=1e-12)            # the target is the peer itself


def test_fdh_russell_and_radial():
    df, X, Y = _fdh_data()
    kw = dict(inputs=names(df, "x"), outputs=names(df, "y"), rts="fdh")
    r = ef.dea(df, model="russell", **kw)
    for o in range(len(df)):
        assert r.scores.iloc[o] == pytest.approx(fdh_milp(X, Y, o, "russell-input"), rel=1e-9)
    for orientation in ("input", "output", "graph"):
        a = ef.dea(df, orientation=orientation, **kw)
        b = ef.dea(df, model="fdh", inputs=kw["inputs"], outputs=kw["outputs"], orientation=orientation)
        np.testing.assert_array_equal(a.scores, b.scores)
        assert a.model == "radial" and a.rts == "fdh" and a.solver == "enumeration"


def test_fdh_options_refused():
    with pytest.raises(SpecError, match="super_efficiency: not available with rts='fdh'"):
        ef.dea(FRIED, rts="fdh", super_efficiency=True, **FRIED_KW)
    with pytest.raises(SpecError, match="scale: not available"):
        ef.dea(FRIED, rts="fdh", scale=True, **FRIED_KW)
    with pytest.raises(SpecError, match="nothing to screen"):
        ef.dea(FRIED, model="sbm", rts="fdh", screen=True, **FRIED_KW)
    with pytest.raises(SpecError, match="not available with rts='fdh'"):
        ef.dea(FRIED, rts="fdh", nondiscretionary=["x1"], **FRIED_KW)
    bads = FRIED.assign(b=FRIED.y / 2)
    with pytest.raises(SpecError, match="weak disposability"):
        ef.dea(bads, model="ddf", rts="fdh", undesirable=["b"], **FRIED_KW)
    with pytest.raises(SpecError, match="rdm model is VRS"):
        ef.dea(FRIED, model="rdm", rts="fdh", **FRIED_KW)
    r = ef.dea(bads, model="sbm", rts="fdh", undesirable=["b"], orientation="none", **FRIED_KW)   # SBM takes them
    assert r.status.eq("optimal").all() and r.slacks["b"].ge(0).all()


def test_unknown_model_and_rts():
    with pytest.raises(SpecError, match="model: 'frh' is not one of"):
        ef.dea(FRIED, model="frh", **FRIED_KW)
    with pytest.raises(SpecError, match=r"rts: 'vrs\+' is not one of"):
        ef.dea(FRIED, rts="vrs+", **FRIED_KW)


# --------------------------------------------------------------------------------------------------
# Multi-directional efficiency analysis
# --------------------------------------------------------------------------------------------------

def mea_lp(X, Y, o, bounds, orientation="input"):
    """beta of MEA for DMU o: each variable's own largest improvement (max t, the others held), then
    the directional distance along those improvements; 0 when none can improve (as Benchmarking)."""
    Xs, Ys, sx, sy = _scaled(X, Y)
    n, m = X.shape
    s = Y.shape[1]
    rts_A, rts_b = _rts(1, n, bounds)

    def ddf_lp(gx, gy):                # max beta: X'l + beta gx <= x_o, -Y'l + beta gy <= -y_o
        A = np.vstack([np.c_[gx, Xs.T], np.c_[gy, -Ys.T], rts_A])
        b = np.r_[Xs[o], -Ys[o], rts_b]
        res = _solve(np.r_[-1.0, np.zeros(n)], A, b, [(None, None)] + [(0, None)] * n)
        assert res.status == 0, res.message
        return res.x[0]

    d = np.zeros(m + s)
    steps = (list(range(m)) if orientation != "output" else []) + \
            ([m + r for r in range(s)] if orientation != "input" else [])
    for k in steps:
        e = np.zeros(m + s)
        e[k] = 1.0
        d[k] = ddf_lp(e[:m], e[m:])                     # in mean units
    d[np.abs(d) <= 1e-9] = 0.0
    if not d.any():
        return 0.0
    return ddf_lp(d[:m], d[m:])


@pytest.mark.parametrize("rts", ["crs", "vrs", "nirs", "grs"])
@pytest.mark.parametrize("orientation", ["input", "output", "none"])
def test_mea_equals_its_lp(rts, orientation):
    df = synthetic(15, n=30)
    X, Y = arrays(df)
    bounds = (0.8, 1.25) if rts == "grs" else RTS_BOUNDS[rts]
    r = quiet(ef.dea, df, inputs=names(df, "x"), outputs=names(df, "y"), model="mea", rts=rts, orientation=orientation,
              rts_bounds=bounds if rts == "grs" else None)
    want = [mea_lp(X, Y, o, bounds, orientation) for o in range(len(df))]
    np.testing.assert_allclose(r.beta, want, rtol=0, atol=TOL)
    assert ((r.beta >= -1e-9) & (r.beta <= 1 + 1e-9)).all() and r.scores.isna().all()
    assert r.model == "mea" and (r.status == "optimal").all()


def test_mea_fdh_and_invariance():
    df, X, Y = _fdh_data()
    kw = dict(inputs=names(df, "x"), outputs=names(df, "y"), model="mea")
    r = ef.dea(df, rts="fdh", **kw)
    for o in range(len(df)):                           # improvements by brute force, beta by MILP
        peers = [j for j in range(len(df)) if (Y[j] >= Y[o]).all()]
        d = np.array([X[o, i] - min(X[j, i] for j in peers if (np.delete(X[j], i) <= np.delete(X[o], i)).all())
                      for i in range(X.shape[1])])
        want = 0.0 if not d.any() else fdh_milp(X, Y, o, "ddf", g=np.r_[d, np.zeros(Y.shape[1])])
        assert r.beta.iloc[o] == pytest.approx(want, abs=1e-9)
    base = ef.dea(df, **kw).beta
    moved = ef.dea(df * np.array([1e-3, 50.0, 1e4, 0.2]) + np.array([5.0, 0.0, 2.0, 0.0]), **kw).beta
    np.testing.assert_allclose(moved, base, rtol=1e-7, atol=1e-9)        # units and translation (VRS)
    vrs = ef.dea(df, **kw)
    still = vrs.beta[vrs.beta == 0].index
    assert len(still) >= 3 and all(vrs.lambdas.loc[i, i] == 1.0 for i in still)   # its own peer


# --------------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------------

@pytest.fixture
def fried_csv(tmp_path):
    path = tmp_path / "fried.csv"
    FRIED.to_csv(path, index=False)
    return path


def _cli(*args):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def _table(result):
    from io import StringIO
    assert result.exit_code == 0, (result.exit_code, result.stderr, result.exception)
    return pd.read_csv(StringIO(result.stdout)).set_index("DMU")


BASE = ("--id", "DMU", "--inputs", "x1,x2", "--outputs", "y")


@pytest.mark.parametrize("args,kw", [
    (("--rts", "grs", "--rts-bounds", "0.8,1.2"), dict(rts="grs", rts_bounds=(0.8, 1.2))),
    (("--rts", "grs", "--rts-bounds", "0,inf", "--orientation", "output"),
     dict(rts="grs", rts_bounds=(0, np.inf), orientation="output")),
    (("--model", "russell", "--rts", "crs"), dict(model="russell", rts="crs")),
    (("--model", "rdm", "--orientation", "none"), dict(model="rdm", orientation="none")),
    (("--model", "rdm", "--orientation", "input", "--inverse"), dict(model="rdm", orientation="input", inverse=True)),
    (("--model", "ram"), dict(model="ram")),
    (("--model", "bam", "--rts", "crs"), dict(model="bam", rts="crs")),
    (("--model", "additive", "--slack-weights", "1,2,0.5"), dict(model="additive", slack_weights=[1, 2, 0.5])),
    (("--model", "sbm", "--rts", "fdh", "--orientation", "none"), dict(model="sbm", rts="fdh", orientation="none")),
    (("--model", "mea", "--orientation", "none", "--rts", "crs"), dict(model="mea", orientation="none", rts="crs")),
])
def test_cli_new_options(fried_csv, args, kw):
    out = _table(_cli("dea", fried_csv, *BASE, *args))
    want = quiet(ef.dea, FRIED, **FRIED_KW, **kw).to_frame()
    assert list(out.columns) == list(want.columns)
    for col in ("efficiency", "beta", "slack_sum", "farrell"):
        if col in want:
            np.testing.assert_allclose(out[col].to_numpy(float), want[col].to_numpy(float), rtol=1e-12, equal_nan=True)


def test_cli_russell_columns(fried_csv):
    out = _table(_cli("dea", fried_csv, *BASE, "--model", "russell"))
    assert {"theta_x1", "theta_x2"} <= set(out.columns)
    out = _table(_cli("dea", fried_csv, *BASE, "--model", "russell", "--orientation", "output"))
    assert "phi_y" in out.columns


@pytest.mark.parametrize("args,code,message", [
    (("--rts", "grs", "--rts-bounds", "1.2,0.8"), 1, "greater than U"),
    (("--rts", "grs"), 1, "needs rts_bounds"),
    (("--rts-bounds", "0.8,1.2"), 1, "only with rts='grs'"),
    (("--inverse",), 1, "only the range directional model"),
    (("--model", "ram", "--rts", "crs"), 1, "RAM's measure"),
    (("--rts", "grs", "--rts-bounds", "0.8"), 2, "expected 2 numbers"),
    (("--rts", "grs", "--rts-bounds", "a,b"), 2, "not a comma-separated list"),
    (("--model", "frh"), 2, "Invalid value for '--model'"),
])
def test_cli_bad_options(fried_csv, args, code, message):
    result = _cli("dea", fried_csv, *BASE, *args)
    assert result.exit_code == code
    assert message in result.stderr
