"""SFA unit tests: analytic gradients vs finite differences, recovery of simulated frontiers, the
Kodde-Palm critical values, the API contract (DESIGN section 10), bad input, and the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import efficiency as ef
from cli import main
from efficiency.errors import DataError, SpecError
from efficiency.sfa import SkewnessWarning
from efficiency.sfa.fit import kodde_palm
from efficiency.sfa.likelihood import ExpModel, TNModel


def _fd_grad(model, p, h=1e-6):
    g = np.zeros_like(p)
    for j in range(len(p)):
        step = h * max(1.0, abs(p[j]))
        pp, pm = p.copy(), p.copy()
        pp[j] += step
        pm[j] -= step
        g[j] = (model.loglik(pp, grad=False) - model.loglik(pm, grad=False)) / (2 * step)
    return g


def _small(seed=0, n=48):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    y = X @ [1.0, 0.5, 0.3] + rng.normal(0, 0.3, n) - np.abs(rng.normal(0, 0.5, n))
    return rng, X, y


@pytest.mark.parametrize("case", ["hn", "hn_cost", "tn", "bc95", "ti", "ti_tn", "bc92", "bc92_tn_unbalanced",
                                  "exp", "exp_cost"])
def test_gradient_matches_finite_differences(case):
    rng, X, y = _small()
    n = len(y)
    grp = np.repeat(np.arange(12), 4)
    tt = np.tile(np.arange(4) - 3.0, 12)
    if case == "bc92_tn_unbalanced":          # drop rows: firms with 1..4 periods
        keep = rng.random(n) < 0.7
        keep[::4] = True
        X, y, grp, tt = X[keep], y[keep], grp[keep], tt[keep]
    zc = np.column_stack([np.ones(len(y)), rng.normal(size=len(y))])
    base = np.r_[1.0, 0.5, 0.3, 0.35, 0.6]
    models = {
        "hn": (TNModel(y, X, 1.0), base),
        "hn_cost": (TNModel(y, X, -1.0), base),
        "tn": (TNModel(y, X, 1.0, Z=np.ones((n, 1))), np.r_[base, 0.2]),
        "bc95": (TNModel(y, X, 1.0, Z=zc), np.r_[base, 0.2, -0.3]),
        "ti": (TNModel(y, X, 1.0, group=grp, n_groups=12), base),
        "ti_tn": (TNModel(y, X, 1.0, Z=np.ones((12, 1)), group=grp, n_groups=12), np.r_[base, -0.4]),
        "bc92": (TNModel(y, X, 1.0, group=grp, n_groups=12, tt=tt), np.r_[base, 0.15]),
        "bc92_tn_unbalanced": (TNModel(y, X, -1.0, Z=np.ones((12, 1)), group=grp, n_groups=12, tt=tt),
                               np.r_[base, 0.2, -0.1]),
        "exp": (ExpModel(y, X, 1.0), base),
        "exp_cost": (ExpModel(y, X, -1.0), base),
    }
    model, p = models[case]
    ll, g = model.loglik(p)
    assert np.isfinite(ll)
    np.testing.assert_allclose(g, _fd_grad(model, p), rtol=1e-5, atol=1e-6)


def test_half_normal_cross_section_reduces_to_formula():
    """mu = 0 log-likelihood equals the Aigner-Lovell-Schmidt expression written out."""
    from scipy.stats import norm
    _, X, y = _small(1)
    p = np.r_[1.0, 0.5, 0.3, 0.4, 0.7]
    S, g = 0.4, 0.7
    e = y - X @ p[:3]
    lam = np.sqrt(g / (1 - g))
    direct = np.sum(0.5 * np.log(2 / np.pi) - 0.5 * np.log(S) + norm.logcdf(-e * lam / np.sqrt(S)) - e ** 2 / (2 * S))
    assert TNModel(y, X).loglik(p, grad=False) == pytest.approx(direct, rel=1e-12)


# --------------------------------------------------------------------------------------------------
# Simulated frontiers: parameters recovered within their standard errors
# --------------------------------------------------------------------------------------------------

def _simulate(n, seed, dist="half-normal", cost=False, su=0.4, sv=0.2):
    rng = np.random.default_rng(seed)
    x1, x2 = rng.lognormal(1.0, 0.5, n), rng.lognormal(2.0, 0.5, n)
    v = rng.normal(0, sv, n)
    u = np.abs(rng.normal(0, su, n)) if dist == "half-normal" else rng.exponential(su, n)
    s = -1.0 if cost else 1.0
    ly = 0.5 + 0.3 * np.log(x1) + 0.6 * np.log(x2) + v - s * u
    return pd.DataFrame({"y": np.exp(ly), "x1": x1, "x2": x2}), u


@pytest.mark.parametrize("dist,cost", [("half-normal", False), ("half-normal", True), ("exponential", False)])
def test_recovers_simulated_frontier(dist, cost):
    df, u = _simulate(3000, 7, dist, cost)
    s = ef.sfa(df, output="y", inputs=["x1", "x2"], dist=dist, cost=cost)
    truth = {"(Intercept)": 0.5, "log(x1)": 0.3, "log(x2)": 0.6}
    sig_u2 = 0.4 ** 2
    truth_sq, truth_g = sig_u2 + 0.04, sig_u2 / (sig_u2 + 0.04)
    for name, val in truth.items():
        assert abs(s.params[name] - val) < 3 * s.std_errors[name], name
    assert abs(s.sigma_sq - truth_sq) < 3 * s.std_errors["sigma_sq"]
    assert abs(s.gamma - truth_g) < 3 * s.std_errors["gamma"]
    # efficiency predictions track the true exp(-u)
    assert np.corrcoef(s.efficiency, np.exp(-u))[0, 1] > 0.7
    assert abs(s.efficiency.mean() - np.exp(-u).mean()) < 0.02
    assert s.lr_statistic > s.lr_critical and s.lr_pvalue < 0.05


def test_recovers_bc92_panel_unbalanced():
    rng = np.random.default_rng(3)
    firms, periods = 150, 6
    f = np.repeat(np.arange(firms), periods)
    t = np.tile(np.arange(1, periods + 1), firms)
    ui = np.abs(rng.normal(0, 0.4, firms))
    eta = 0.1
    u = np.exp(-eta * (t - periods)) * ui[f]
    x = rng.lognormal(1, 0.5, len(f))
    ly = 1.0 + 0.7 * np.log(x) + rng.normal(0, 0.15, len(f)) - u
    df = pd.DataFrame({"firm": f, "year": 2000 + t, "y": np.exp(ly), "x": x})
    df = df[rng.random(len(df)) < 0.85].sample(frac=1.0, random_state=1)     # unbalanced, shuffled
    s = ef.sfa(df, output="y", inputs=["x"], id="firm", period="year", panel="bc92")
    assert abs(s.eta - eta) < 3 * s.std_errors["eta"]
    assert abs(s.params["log(x)"] - 0.7) < 3 * s.std_errors["log(x)"]
    assert abs(s.gamma - 0.16 / (0.16 + 0.0225)) < 3 * s.std_errors["gamma"]
    assert list(s.ids.get_level_values("firm")) == list(df["firm"])           # input order kept
    uu = u[df.index.to_numpy()]
    assert np.corrcoef(s.efficiency, np.exp(-uu))[0, 1] > 0.9


def test_bc95_recovers_delta_and_marginal_effects():
    rng = np.random.default_rng(11)
    n = 3000
    z = rng.uniform(0, 2, n)
    mu = -0.2 + 0.5 * z
    from scipy.stats import truncnorm
    u = truncnorm.rvs((0 - mu) / 0.3, np.inf, loc=mu, scale=0.3, random_state=rng)
    x = rng.lognormal(1, 0.5, n)
    ly = 1.0 + 0.6 * np.log(x) + rng.normal(0, 0.15, n) - u
    df = pd.DataFrame({"y": np.exp(ly), "x": x, "z": z})
    s = ef.sfa(df, output="y", inputs=["x"], z=["z"])
    assert s.panel == "bc95" and s.dist == "truncated-normal"
    assert abs(s.delta["Z_z"] - 0.5) < 3 * s.std_errors["Z_z"]
    assert abs(s.delta["Z_(Intercept)"] + 0.2) < 3 * s.std_errors["Z_(Intercept)"]
    me = s.marginal_effects["z"]
    # numerical derivative of E[u] = mu + sigma_u lambda(mu/sigma_u) with respect to z
    from scipy.stats import norm
    su = np.sqrt(s.sigma_u_sq)
    Eu = lambda m: m + su * norm.pdf(m / su) / norm.cdf(m / su)  # noqa: E731
    m0 = s.delta["Z_(Intercept)"] + s.delta["Z_z"] * z[:5]
    h = 1e-6
    num = (Eu(m0 + s.delta["Z_z"] * h) - Eu(m0 - s.delta["Z_z"] * h)) / (2 * h)
    np.testing.assert_allclose(me.to_numpy()[:5], num, rtol=1e-6)


# --------------------------------------------------------------------------------------------------
# Tests, contract, warnings
# --------------------------------------------------------------------------------------------------

def test_kodde_palm_critical_values():
    # Kodde and Palm (1986), Table 1, alpha = 0.05
    for df, crit in [(1, 2.706), (2, 5.138), (3, 7.045), (4, 8.761)]:
        assert kodde_palm(1.0, df)[1] == pytest.approx(crit, abs=1e-3)
    p, crit = kodde_palm(2.706, 1)
    assert p == pytest.approx(0.05, abs=1e-3)


def test_api_contract_and_result_fields():
    df, _ = _simulate(200, 2)
    df.index = [f"f{i}" for i in range(200)]
    s = ef.sfa(df, output="y", inputs=["x2", "x1"])
    assert list(s.params.index) == ["(Intercept)", "log(x2)", "log(x1)"]
    assert s.mu is None and s.eta is None and s.delta is None
    assert isinstance(s, ef.SFAResult)
    assert (s.efficiency > 0).all() and (s.efficiency <= 1).all()
    assert (s.lower <= s.efficiency + 1e-12).all() and (s.efficiency <= s.upper + 1e-12).all()
    assert (s.jlms <= s.efficiency + 1e-12).all()            # exp(-E[u]) <= E[exp(-u)] (Jensen)
    frame = s.to_frame()
    assert list(frame.index) == list(df.index)
    assert list(frame.columns[:2]) == ["efficiency", "jlms"]
    assert s.aic == pytest.approx(-2 * s.llf + 2 * 5)
    assert s.bic == pytest.approx(-2 * s.llf + np.log(200) * 5)
    text = s.summary()
    assert "log(x2)" in text and "Kodde-Palm" in text and f"{s.llf:.6f}" in text
    est = s.estimates_frame()
    assert est.loc[est.param == "logLik", "estimate"].item() == pytest.approx(s.llf)


def test_numpy_arrays():
    df, _ = _simulate(300, 4)
    a = ef.sfa(df, output="y", inputs=["x1", "x2"])
    b = ef.sfa(output=df["y"].to_numpy(), inputs=df[["x1", "x2"]].to_numpy())
    np.testing.assert_allclose(a.params.to_numpy(), b.params.to_numpy(), rtol=1e-10)


def test_translog_and_trend_terms():
    df, _ = _simulate(400, 5)
    df["t"] = np.arange(400) % 5
    s = ef.sfa(df, output="y", inputs=["x1", "x2"], form="translog", trend="t")
    assert list(s.params.index) == ["(Intercept)", "log(x1)", "log(x2)", "I(0.5*log(x1)^2)", "log(x1)*log(x2)",
                                    "I(0.5*log(x2)^2)", "t", "I(0.5*t^2)", "t*log(x1)", "t*log(x2)"]
    assert abs(s.params["log(x1)"] - 0.3) < 4 * s.std_errors["log(x1)"]


def test_wrong_skew_warns():
    df, _ = _simulate(300, 6)
    df["y"] = 1.0 / df["y"]          # flips the sign of the composed error: positive skew
    with pytest.warns(SkewnessWarning, match="skewed the wrong way"), \
            pytest.warns(ef.ConvergenceWarning, match="gamma at a bound"):
        s = ef.sfa(df, output="y", inputs=["x1", "x2"])
    assert s.skewness > 0
    assert s.gamma < 1e-5 and s.at_bound == ("gamma",)
    assert s.converged          # the Kuhn-Tucker conditions hold with gamma at its bound
    assert s.method == "Newton (analytic Hessian)" and not s.fallback     # from the OLS start at the bound
    assert s.llf == pytest.approx(s.llf_ols, abs=1e-8)                    # gamma = 0 is OLS (Waldman 1982)


# --------------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------------

def _df():
    df, _ = _simulate(30, 8)
    return df


def test_nonpositive_value_under_log(tmp_path):
    df = _df()
    df.loc[4, "x2"] = 0.0
    with pytest.raises(DataError, match=r"column 'x2', row 5.*not positive.*logarithm"):
        ef.sfa(df, output="y", inputs=["x1", "x2"])
    df = _df()
    df.loc[2, "y"] = -1.0
    path = tmp_path / "d.csv"
    df.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"d.csv: column 'y', row 3 \(line 4.*value -1 is not positive"):
        ef.sfa(str(path), output="y", inputs=["x1", "x2"])
    # the linear form takes columns as given: negative values are fine there
    df["ly"] = np.log(_df()["y"]) - 5
    with pytest.warns(ef.ConvergenceWarning):         # (this odd model ends with gamma at a bound)
        assert np.isfinite(ef.sfa(df, output="ly", inputs=["x1", "x2"], form="linear").llf)


def test_constant_and_collinear_regressors():
    df = _df()
    df["c"] = 3.0
    with pytest.raises(DataError, match=r"term 'log\(c\)' \(column 'c'\) is constant"):
        ef.sfa(df, output="y", inputs=["x1", "c"])
    df["x3"] = df["x1"] ** 2           # log(x3) = 2 log(x1)
    with pytest.raises(DataError, match=r"'log\(x3\)' \(column 'x3'\) is collinear .*'x1'"):
        ef.sfa(df, output="y", inputs=["x1", "x2", "x3"])


def test_missing_and_unknown_columns():
    df = _df()
    df.loc[6, "x1"] = np.nan
    with pytest.raises(DataError, match=r"column 'x1', row 7.*missing"):
        ef.sfa(df, output="y", inputs=["x1", "x2"])
    with pytest.raises(DataError, match=r"unknown input column 'x9'"):
        ef.sfa(_df(), output="y", inputs=["x1", "x9"])


def test_panel_errors():
    df = _df()
    df["firm"] = np.arange(30) // 3
    df["year"] = np.arange(30) % 3
    with pytest.raises(SpecError, match="no period column"):
        ef.sfa(df, output="y", inputs=["x1"], id="firm", panel="bc92")
    with pytest.raises(DataError, match="unknown period column 'yr'"):
        ef.sfa(df, output="y", inputs=["x1"], id="firm", period="yr", panel="bc92")
    df.loc[5, "year"] = df.loc[4, "year"]
    with pytest.raises(DataError, match="duplicate id"):
        ef.sfa(df, output="y", inputs=["x1"], id="firm", period="year", panel="bc92")
    with pytest.raises(SpecError, match="exponential"):
        ef.sfa(_df(), output="y", inputs=["x1"], dist="exponential", z=["x2"])
    with pytest.raises(SpecError, match="form"):
        ef.sfa(_df(), output="y", inputs=["x1"], form="cubic")


# --------------------------------------------------------------------------------------------------
# CLI
# --------------------------------------------------------------------------------------------------

def test_cli_sfa(tmp_path):
    df, _ = _simulate(80, 9)
    df.insert(0, "firm", [f"F{i}" for i in range(80)])
    path = tmp_path / "d.csv"
    df.to_csv(path, index=False)
    out = tmp_path / "eff.csv"
    res = CliRunner().invoke(main, ["sfa", str(path), "--output", "y", "--inputs", "x1,x2", "--id", "firm",
                                    "-o", str(out)])
    assert res.exit_code == 0, res.output
    eff = pd.read_csv(out)
    est = pd.read_csv(tmp_path / "eff_estimates.csv")
    s = ef.sfa(df, output="y", inputs=["x1", "x2"], id="firm")
    assert list(eff.columns[:3]) == ["firm", "efficiency", "jlms"]
    np.testing.assert_allclose(eff["efficiency"], s.efficiency.to_numpy(), rtol=1e-12)
    assert list(est["param"][:5]) == ["(Intercept)", "log(x1)", "log(x2)", "sigma_sq", "gamma"]
    assert est.set_index("param").loc["logLik", "estimate"] == pytest.approx(s.llf)
    res = CliRunner().invoke(main, ["sfa", str(path), "--output", "y", "--inputs", "x1,nope"])
    assert res.exit_code == 1 and "unknown input column 'nope'" in res.output
    res = CliRunner().invoke(main, ["sfa", str(path), "--output", "y", "--inputs", "x1", "--dist", "weibull"])
    assert res.exit_code == 2


def test_statsmodels_names_bse_pvalues_conf_int():
    """bse, tvalues, pvalues and conf_int() (statsmodels' names) are the estimates table's columns and
    the Wald intervals built from them."""
    from scipy.stats import norm

    rng = np.random.default_rng(11)
    n = 300
    x = rng.uniform(1, 10, (n, 2))
    y = np.exp(0.5 + 0.3 * np.log(x[:, 0]) + 0.5 * np.log(x[:, 1]) + rng.normal(0, 0.1, n)
               - np.abs(rng.normal(0, 0.3, n)))
    r = ef.sfa(pd.DataFrame({"y": y, "x1": x[:, 0], "x2": x[:, 1]}), output="y", inputs=["x1", "x2"])
    est = r.estimates
    np.testing.assert_array_equal(r.bse.to_numpy(), est["std_error"].to_numpy())
    np.testing.assert_allclose(r.tvalues, est["estimate"] / est["std_error"], rtol=1e-12)
    np.testing.assert_allclose(r.pvalues, 2 * norm.sf(np.abs(r.tvalues)), rtol=1e-9)
    ci = r.conf_int(alpha=0.1)
    np.testing.assert_allclose(ci["upper"] - ci["lower"], 2 * norm.ppf(0.95) * est["std_error"], rtol=1e-12)
    assert list(ci.index) == list(est.index)
    assert (ci.loc["log(x2)", "lower"] < 0.5 < ci.loc["log(x2)", "upper"])
    assert r.nobs == n and r.aic == pytest.approx(-2 * r.llf + 2 * len(est))
    with pytest.raises(ValueError, match="alpha"):
        r.conf_int(alpha=1.5)
