"""StoNED / CNLS: constraint generation, Afriat feasibility, CRS, monotonicity, bad input, CLI."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

import efficiency as ef
from efficiency.errors import DataError, SkewnessWarning, SpecError


def _data(n=60, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.uniform(1.0, 10.0, size=(n, 2))
    y = 2.0 * X[:, 0] ** 0.4 * X[:, 1] ** 0.3 * np.exp(rng.normal(0, 0.1, n) - np.abs(rng.normal(0, 0.2, n)))
    return pd.DataFrame({"firm": [f"f{i}" for i in range(n)], "y": y, "x1": X[:, 0], "x2": X[:, 1]})


def _full_qp(X, y, *, vrs, cost, multiplicative, ridge=1e-10):
    """CNLS with all n(n - 1) Afriat rows at once, written independently of efficiency.stoned:
    variables (alpha, beta, e) with e kept and the fit rows as equalities (Clarabel ZeroConeT)."""
    import clarabel

    n, m = X.shape
    na = n if vrs else 0
    nv = na + n * m + n
    s = 1.0 / y if multiplicative else np.ones(n)
    # ridge as Benchmarking: ridge * max(D) on alpha, beta, D = M'S^2M in the data's units
    D = np.concatenate([s ** 2] * (1 if vrs else 0) + [((X[:, j] * s) ** 2) for j in range(m)])
    r = ridge * D.max()
    diag = np.concatenate([np.full(na + n * m, r), np.full(n, 1.0)])
    P = sp.triu(sp.diags(diag), format="csc")
    q = np.zeros(nv)
    rows, cols, vals = [], [], []
    for i in range(n):                       # s_i (alpha_i + beta_i'x_i) + e_i = s_i y_i
        if vrs:
            rows.append(i), cols.append(i), vals.append(s[i])
        for j in range(m):
            rows.append(i), cols.append(na + i * m + j), vals.append(s[i] * X[i, j])
        rows.append(i), cols.append(na + n * m + i), vals.append(1.0)
    Aeq = sp.csc_matrix((vals, (rows, cols)), shape=(n, nv))
    ii, hh = np.nonzero(~np.eye(n, dtype=bool))
    k = ii.size
    rr, cc, vv = [], [], []
    sign = 1.0 if cost else -1.0             # production: alpha_i + beta_i'x_i - alpha_h - beta_h'x_i <= 0
    for t in range(m):
        rr += [np.arange(k), np.arange(k)]
        cc += [na + ii * m + t, na + hh * m + t]
        vv += [-sign * X[ii, t], sign * X[ii, t]]
    if vrs:
        rr += [np.arange(k), np.arange(k)]
        cc += [ii, hh]
        vv += [-sign * np.ones(k), sign * np.ones(k)]
    Aaf = sp.csc_matrix((np.concatenate(vv), (np.concatenate(rr), np.concatenate(cc))), shape=(k, nv))
    Ab = sp.csc_matrix((-np.ones(n * m), (np.arange(n * m), na + np.arange(n * m))), shape=(n * m, nv))
    A = sp.vstack([Aeq, Aaf, Ab], format="csc")
    b = np.concatenate([s * y, np.zeros(k + n * m)])
    st = clarabel.DefaultSettings()
    st.verbose = False
    st.tol_gap_abs = st.tol_gap_rel = st.tol_feas = 1e-10
    sol = clarabel.DefaultSolver(P, q, A, b, [clarabel.ZeroConeT(n), clarabel.NonnegativeConeT(k + n * m)],
                                 st).solve()
    assert str(sol.status) in ("Solved", "AlmostSolved")
    x = np.asarray(sol.x)
    alpha = x[:na] if vrs else np.zeros(n)
    beta = x[na:na + n * m].reshape(n, m)
    return alpha + np.einsum("ij,ij->i", X, beta), alpha, beta


@pytest.mark.parametrize("rts,cost,mult", [("vrs", False, False), ("vrs", False, True), ("crs", False, True),
                                           ("vrs", True, True)])
def test_generation_equals_full_qp(rts, cost, mult):
    df = _data()
    if cost:
        df["y"] = 1.0 / df["y"] * 10
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkewnessWarning)
        r = ef.stoned(df, output="y", inputs=["x1", "x2"], rts=rts, cost=cost, multiplicative=mult, id="firm",
                      objective="ratio" if mult else None)
    full, _, _ = _full_qp(df[["x1", "x2"]].to_numpy(), df["y"].to_numpy(), vrs=rts == "vrs", cost=cost,
                          multiplicative=mult)
    np.testing.assert_allclose(r.fitted, full, rtol=1e-6)
    assert r.n_afriat < 60 * 59                 # generation used a subset of the rows
    # the Afriat inequalities hold at the solution (all pairs), relative to the data
    X = df[["x1", "x2"]].to_numpy()
    F = r.alpha[None, :] + X @ r.beta.T          # F[i, h]: hyperplane h at x_i
    gap = (F - r.fitted[:, None]) if cost else (r.fitted[:, None] - F)
    assert gap.max() <= 1e-6 * df["y"].abs().mean()
    assert r.beta.min() >= -1e-8 * np.abs(r.beta).max()   # monotone
    if rts == "crs":
        assert np.all(r.alpha == 0)


def test_generation_equals_full_qp_n150():
    """n = 150 (22 350 Afriat rows in the full QP): generation keeps a fraction and matches to 1e-6."""
    df = _data(150, seed=11)
    r = ef.stoned(df, output="y", inputs=["x1", "x2"], multiplicative=False, method="PSL")
    full, _, _ = _full_qp(df[["x1", "x2"]].to_numpy(), df["y"].to_numpy(), vrs=True, cost=False,
                          multiplicative=False)
    np.testing.assert_allclose(r.fitted, full, rtol=1e-6)
    assert r.n_afriat < 150 * 149 / 4 and set(r.status) == {"optimal"}


def test_ridge_zero_is_exact_cnls():
    df = _data(40, seed=5)
    r0 = ef.stoned(df, output="y", inputs=["x1", "x2"], multiplicative=False, ridge=0.0, method="PSL")
    r1 = ef.stoned(df, output="y", inputs=["x1", "x2"], multiplicative=False, method="PSL")
    assert r0.ssr <= r1.ssr * (1 + 1e-8)           # exact optimum (interior-point accuracy)
    np.testing.assert_allclose(r0.fitted, r1.fitted, rtol=1e-3)


def test_frame_and_summary():
    df = _data()
    r = ef.stoned(df, output="y", inputs=["x1", "x2"], id="firm", method="PSL")
    f = r.to_frame()
    assert list(f.index) == list(df["firm"])
    assert {"fitted", "residual", "efficiency", "beta_x1", "beta_x2", "status"} <= set(f.columns)
    np.testing.assert_allclose(f["residual"].to_numpy(), np.log(df["y"].to_numpy()) - np.log(f["fitted"].to_numpy()))
    assert "StoNED" in r.summary() and np.isfinite(r.sigma_u) and r.solver == "clarabel"


def test_reduced_accuracy_is_reported(monkeypatch):
    """A QP that Clarabel solves only to its reduced tolerances ('AlmostSolved') is no silent optimum:
    the result says 'almost solved' and a SolveWarning is raised; a clean solve says 'optimal'."""
    import importlib

    st = importlib.import_module("efficiency.stoned")

    df = _data(30, seed=2)
    clean = ef.stoned(df, output="y", inputs=["x1", "x2"], method="PSL")
    assert set(clean.status) == {"optimal"} and clean.qp_status == "Solved"
    solve = st._solve_qp
    monkeypatch.setattr(st, "_solve_qp", lambda *a, **k: (solve(*a, **k)[0], "AlmostSolved"))
    with pytest.warns(ef.SolveWarning, match="AlmostSolved"):
        r = ef.stoned(df, output="y", inputs=["x1", "x2"], method="PSL")
    assert set(r.status) == {"almost solved"}
    np.testing.assert_allclose(r.fitted, clean.fitted, rtol=1e-9)


def _csv(tmp_path, df, name="d.csv"):
    p = tmp_path / name
    df.to_csv(p, index=False)
    return p


def test_bad_input(tmp_path):
    df = _data(20)
    bad = df.copy()
    bad.loc[4, "x2"] = np.nan
    p = _csv(tmp_path, bad, "nan.csv")
    with pytest.raises(DataError, match=r"nan\.csv.*x2|x2.*nan\.csv") as e:
        ef.stoned(str(p), output="y", inputs=["x1", "x2"], id="firm")
    assert "5" in str(e.value) or "f4" in str(e.value)          # the row
    neg = df.copy()
    neg.loc[7, "y"] = -1.0
    p = _csv(tmp_path, neg, "neg.csv")
    with pytest.raises(DataError, match=r"neg\.csv") as e:
        ef.stoned(str(p), output="y", inputs=["x1", "x2"], id="firm")
    assert "'y'" in str(e.value) or " y" in str(e.value)
    assert "not positive" in str(e.value)
    ef.stoned(str(p), output="y", inputs=["x1", "x2"], id="firm", multiplicative=False, method="PSL")
    p = _csv(tmp_path, df, "ok.csv")
    with pytest.raises(DataError, match=r"ok\.csv.*'x3'"):
        ef.stoned(str(p), output="y", inputs=["x1", "x3"], id="firm")
    with pytest.raises(SpecError):
        ef.stoned(df, output="y", inputs=["x1", "x2"], rts="drs")
    with pytest.raises(SpecError):
        ef.stoned(df, output="y", inputs=["x1", "x2"], method="ML")


def test_cli_equals_api(tmp_path):
    from click.testing import CliRunner

    import cli

    df = _data(40)
    p = _csv(tmp_path, df)
    res = CliRunner().invoke(cli.main, ["stoned", str(p), "--output", "y", "--inputs", "x1,x2", "--id", "firm",
                                        "--method", "PSL", "--rts", "crs"])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(io.StringIO(res.stdout), index_col=0)
    api = ef.stoned(df, output="y", inputs=["x1", "x2"], id="firm", method="PSL", rts="crs").to_frame()
    np.testing.assert_allclose(got["fitted"], api["fitted"], rtol=1e-12)
    np.testing.assert_allclose(got["efficiency"], api["efficiency"], rtol=1e-12)
    res = CliRunner().invoke(cli.main, ["stoned", str(p), "--output", "y", "--inputs", "x1,x2", "--additive",
                                        "--cost", "--method", "MM"])
    assert res.exit_code == 0, res.output
    res = CliRunner().invoke(cli.main, ["stoned", str(p), "--output", "nope", "--inputs", "x1,x2"])
    assert res.exit_code != 0 and "nope" in res.output


def _log_problem(X, y):
    """log-CNLS on all n(n - 1) Afriat rows for scipy: z = (alpha, beta row-major), f, gradient, rows."""
    n, m = X.shape
    ly = np.log(y)

    def phi(z):
        return z[:n] + np.einsum("ij,ij->i", X, z[n:].reshape(n, m))

    def f(z):
        return float(np.sum((ly - np.log(np.maximum(phi(z), 1e-300))) ** 2))

    def grad(z):
        p = phi(z)
        g = -2.0 * (ly - np.log(p)) / p
        return np.concatenate([g, (g[:, None] * X).ravel()])

    ii, hh = np.nonzero(~np.eye(n, dtype=bool))      # alpha_h + beta_h'x_i - alpha_i - beta_i'x_i >= 0
    G = np.zeros((ii.size, n + n * m))
    r = np.arange(ii.size)
    np.add.at(G, (r, hh), 1.0)
    np.add.at(G, (r, ii), -1.0)
    for j in range(m):
        np.add.at(G, (r, n + hh * m + j), X[ii, j])
        np.add.at(G, (r, n + ii * m + j), -X[ii, j])
    cons = [{"type": "ineq", "fun": lambda z: G @ z, "jac": lambda z: G}]
    bounds = [(None, None)] * n + [(0.0, None)] * (n * m)
    return f, grad, phi, cons, bounds


def test_log_cnls_is_a_local_optimum():
    """log-CNLS (Kuosmanen and Kortelainen 2012) at n = 40: scipy's SLSQP on the all-pairs problem does
    not improve on it, and an SLSQP solve started from an independently computed ratio-QP solution (this
    file's Clarabel code) reaches the same fitted values to 1e-5."""
    from scipy.optimize import minimize

    df = _data(40, seed=7)
    X, y = df[["x1", "x2"]].to_numpy(), df["y"].to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkewnessWarning)
        r = ef.stoned(df, output="y", inputs=["x1", "x2"], id="firm", method="PSL")
        q = ef.stoned(df, output="y", inputs=["x1", "x2"], id="firm", method="PSL", objective="ratio")
    assert r.objective == "log" and q.objective == "ratio" and r.converged and r.gn_iterations >= 1
    np.testing.assert_allclose(r.residual, np.log(y) - np.log(r.fitted), rtol=1e-12)
    assert r.ssr == pytest.approx(float(np.sum(r.residual ** 2)), rel=1e-9)
    # log-CNLS minimises the log residuals: better than the ratio approximation, which it starts from
    assert r.ssr < float(np.sum(q.residual ** 2)) * (1 - 1e-3)
    f, grad, phi, cons, bounds = _log_problem(X, y)
    z = np.concatenate([r.alpha, r.beta.ravel()])
    assert f(z) == pytest.approx(r.ssr, rel=1e-9)
    assert min(cons[0]["fun"](z)) >= -1e-7 * y.mean() and r.beta.min() >= -1e-9
    opts = {"ftol": 1e-14, "maxiter": 500}
    s1 = minimize(f, z, jac=grad, constraints=cons, bounds=bounds, method="SLSQP", options=opts)
    assert s1.fun >= r.ssr * (1 - 1e-7)                      # no better point nearby
    _, a0, b0 = _full_qp(X, y, vrs=True, cost=False, multiplicative=True)
    s2 = minimize(f, np.concatenate([a0, b0.ravel()]), jac=grad, constraints=cons, bounds=bounds,
                  method="SLSQP", options=opts)
    assert s2.fun == pytest.approx(r.ssr, rel=1e-6)
    np.testing.assert_allclose(phi(s2.x), r.fitted, rtol=1e-5)


def test_objective_keyword():
    df = _data(30, seed=4)
    with pytest.raises(SpecError, match="multiplicative"):
        ef.stoned(df, output="y", inputs=["x1", "x2"], multiplicative=False, objective="log")
    with pytest.raises(SpecError, match="objective"):
        ef.stoned(df, output="y", inputs=["x1", "x2"], objective="nls")
    with pytest.raises(SpecError, match="ridge"):
        ef.stoned(df, output="y", inputs=["x1", "x2"], objective="log", ridge=1e-10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkewnessWarning)
        d = ef.stoned(df, output="y", inputs=["x1", "x2"], method="PSL")
        g = ef.stoned(df, output="y", inputs=["x1", "x2"], method="PSL", objective="LOG")
        a = ef.stoned(df, output="y", inputs=["x1", "x2"], method="PSL", multiplicative=False)
    assert d.objective == "log" and a.objective is None and a.gn_iterations == 0
    np.testing.assert_array_equal(d.fitted, g.fitted)
    assert "log-CNLS" in d.summary() and "Gauss-Newton" in d.summary()
