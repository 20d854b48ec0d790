"""Heteroskedastic cross-section SFA: ``ef.sfa(..., uhet=, vhet=)`` (efficiency/sfa/het.py).

References and checks:
* sfaR's own regression test ``tests/sfacross.R`` / ``sfacross.Rout.save`` (github hdakpo/sfaR, sfaR
  2.0.0.9000): ``sfacross(log(tc/wf) ~ log(y) + log(wl/wf) + log(wk/wf), udist = "hnormal",
  uhet = ~regu, data = utility, S = -1)`` printed logLik 56.41206 and the coefficients, standard errors
  and efficiency summaries rounded to 3 decimals; asserted to the printed precision (the data are
  the oracle's ``data/sfaR/utility.csv``).
* the oracle's sfaR 1.0.1 references (homoskedastic, ``Zu_(Intercept)`` / ``Zv_(Intercept)``) through
  the constant-only model uhet=[], vhet=[]: llf 1e-4, parameters 1e-4, standard errors 1e-3 relative.
* the constant-only model equals the homoskedastic ``sfa`` (llf and efficiency 1e-6);
* an independent log-likelihood (scipy.stats, the textbook density) equals ours at the optimum to
  1e-8, and its own scipy maximisation reaches the same llf to 1e-4;
* simulations with known delta / phi (n = 2 000, seeds below) recover them within 4 standard errors;
* marginal effects equal a numerical derivative of E[u|z];
* bad input: NaN, unknown column, unsupported combinations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

import efficiency as ef
from efficiency.errors import DataError, SpecError


def _utility(oracle):
    u = pd.read_csv(oracle / "data" / "sfaR" / "utility.csv")
    return pd.DataFrame({"lc": np.log(u.tc / u.wf), "ly": np.log(u.y), "lwl": np.log(u.wl / u.wf),
                         "lwk": np.log(u.wk / u.wf), "regu": u.regu.astype(float)})


UTIL = dict(output="lc", inputs=["ly", "lwl", "lwk"], form="linear", cost=True)


# --------------------------------------------------------------------------------------------------
# sfaR's printed example
# --------------------------------------------------------------------------------------------------

#: sfacross.Rout.save, cd_u_h: coefficient and standard error, rounded to 3 decimals by R
SFAR_CD_U_H = {"(Intercept)": (-2.388, 0.194), "ly": (0.993, 0.008), "lwl": (0.016, 0.028),
               "lwk": (0.718, 0.042), "Zu_(Intercept)": (-2.572, 0.112), "Zu_regu": (1.023, 0.117),
               "Zv_(Intercept)": (-5.083, 0.218)}
#: summary() of the efficiencies: Min, 1st Qu, Median, Mean, 3rd Qu, Max
SFAR_CD_U_H_EFF = {"u": (0.027, 0.124, 0.238, 0.310, 0.411, 1.340),
                   "jlms": (0.262, 0.663, 0.789, 0.754, 0.883, 0.973),
                   "efficiency": (0.263, 0.665, 0.791, 0.756, 0.885, 0.974),
                   "lower": (0.225, 0.569, 0.678, 0.655, 0.766, 0.913),
                   "upper": (0.305, 0.771, 0.914, 0.854, 0.988, 0.999),
                   "efficiency_reciprocal": (1.028, 1.135, 1.272, 1.414, 1.513, 3.830)}


def test_sfar_utility_uhet_example(oracle):
    r = ef.sfa(_utility(oracle), uhet=["regu"], **UTIL)
    assert r.converged
    assert r.llf == pytest.approx(56.41206, abs=6e-6)          # printed to 7 significant digits
    assert list(r.params.index) == list(SFAR_CD_U_H)
    for name, (est, se) in SFAR_CD_U_H.items():
        assert r.params[name] == pytest.approx(est, abs=5.01e-4), name
        assert r.std_errors[name] == pytest.approx(se, abs=5.01e-4), name
    frame = r.to_frame()
    for col, ref in SFAR_CD_U_H_EFF.items():
        v = frame[col].to_numpy()
        ours = [v.min(), *np.quantile(v, [0.25, 0.5]), v.mean(), np.quantile(v, 0.75), v.max()]
        np.testing.assert_allclose(ours, ref, atol=5.01e-4, rtol=0, err_msg=col)
    assert r.uhet.index.tolist() == ["Zu_(Intercept)", "Zu_regu"]
    assert r.vhet.index.tolist() == ["Zv_(Intercept)"]
    assert list(r.marginal_effects.columns) == ["regu"]
    assert "Mean marginal effects on E[u]: regu" in r.summary()


# --------------------------------------------------------------------------------------------------
# constant-only: the homoskedastic model, and sfaR's homoskedastic references
# --------------------------------------------------------------------------------------------------

SFAR_HOMO = {
    "front41_hnormal": ("frontier/front41Data.csv", dict(output="output", inputs=["capital", "labour"])),
    "front41_exponential": ("frontier/front41Data.csv", dict(output="output", inputs=["capital", "labour"],
                                                            dist="exponential")),
    "rice_hnormal": ("frontier/riceProdPhil.csv", dict(output="PROD", inputs=["AREA", "LABOR", "NPK"])),
}


@pytest.mark.parametrize("model", sorted(SFAR_HOMO))
def test_constant_only_equals_sfar_reference(oracle, model):
    file, kw = SFAR_HOMO[model]
    folder = oracle / "ref" / "sfa_sfaR"
    ref = pd.read_csv(folder / "sfaR_summary.csv").set_index("model").loc[model]
    rows = pd.read_csv(folder / "sfaR_coefficients.csv").query("model == @model").set_index("param")
    r = ef.sfa(pd.read_csv(oracle / "data" / file), uhet=[], vhet=[], **kw)
    assert r.converged
    assert r.llf == pytest.approx(ref["logLik"], abs=1e-4)
    assert list(r.params.index) == list(rows.index)
    np.testing.assert_allclose(r.params.to_numpy(), rows["estimate"].to_numpy(), atol=1e-4, rtol=1e-3)
    np.testing.assert_allclose(r.std_errors.to_numpy(), rows["std_error"].to_numpy(), rtol=1e-3)
    eff = pd.read_csv(folder / f"{model}_efficiencies.csv")
    np.testing.assert_allclose(r.efficiency.to_numpy(), eff["teBC"].to_numpy(), atol=1e-4)
    np.testing.assert_allclose(r.jlms.to_numpy(), eff["teJLMS"].to_numpy(), atol=1e-4)


@pytest.mark.parametrize("dist", ["half-normal", "exponential"])
@pytest.mark.parametrize("cost", [False, True])
def test_constant_only_equals_homoskedastic(dist, cost):
    y, X, _, _ = _simulate(500, 11, dist=dist, cost=cost, delta=(-1.5, 0.0), phi=(-3.0, 0.0))
    df = pd.DataFrame({"y": y, "x1": X[:, 1], "x2": X[:, 2]})
    kw = dict(output="y", inputs=["x1", "x2"], form="linear", dist=dist, cost=cost)
    h = ef.sfa(df, **kw)
    r = ef.sfa(df, uhet=[], vhet=[], **kw)
    r1 = ef.sfa(df, uhet="1", vhet=["1"], **kw)           # sfaR's ~1 spelling
    assert r1.llf == r.llf
    assert h.uhet is None and h.sigma_u_i is None          # homoskedastic results carry no new fields
    assert r.llf == pytest.approx(h.llf, abs=1e-6)
    np.testing.assert_allclose(r.efficiency.to_numpy(), h.efficiency.to_numpy(), atol=1e-6)
    np.testing.assert_allclose(r.jlms.to_numpy(), h.jlms.to_numpy(), atol=1e-6)
    assert r.params["Zu_(Intercept)"] == pytest.approx(np.log(h.sigma_u_sq), abs=1e-4)
    assert r.params["Zv_(Intercept)"] == pytest.approx(np.log(h.sigma_v_sq), abs=1e-4)
    assert r.sigma_u_sq == pytest.approx(h.sigma_u_sq, rel=1e-4)
    assert r.marginal_effects is None


# --------------------------------------------------------------------------------------------------
# simulation, independent likelihood, marginal effects
# --------------------------------------------------------------------------------------------------

def _simulate(n, seed, *, dist="half-normal", cost=False, delta=(-1.0, 0.8), phi=(-3.0, 0.6)):
    """y = 1 + 0.5 x1 + 0.3 x2 + v - s u; sigma_u^2 = exp(delta0 + delta1 z), sigma_v^2 = exp(phi0 + phi1 w)."""
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.normal(size=n)])
    z, w = rng.normal(size=n), rng.normal(size=n)
    su, sv = np.exp(0.5 * (delta[0] + delta[1] * z)), np.exp(0.5 * (phi[0] + phi[1] * w))
    u = np.abs(rng.normal(size=n)) * su if dist == "half-normal" else rng.exponential(size=n) * su
    s = -1.0 if cost else 1.0
    y = X @ np.array([1.0, 0.5, 0.3]) + rng.normal(size=n) * sv - s * u
    return y, X, z, w


def _frame(y, X, z, w):
    return pd.DataFrame({"y": y, "x1": X[:, 1], "x2": X[:, 2], "z": z, "w": w})


@pytest.mark.parametrize("dist,cost,seed", [("half-normal", False, 2024), ("half-normal", True, 7),
                                            ("exponential", False, 99)])
def test_simulation_recovers_parameters(dist, cost, seed):
    """n = 2 000; |estimate - truth| < 4 standard errors for every parameter."""
    truth = {"(Intercept)": 1.0, "x1": 0.5, "x2": 0.3, "Zu_(Intercept)": -1.0, "Zu_z": 0.8,
             "Zv_(Intercept)": -3.0, "Zv_w": 0.6}
    df = _frame(*_simulate(2000, seed, dist=dist, cost=cost))
    r = ef.sfa(df, output="y", inputs=["x1", "x2"], form="linear", dist=dist, cost=cost, uhet=["z"], vhet=["w"])
    assert r.converged
    for name, value in truth.items():
        assert abs(r.params[name] - value) < 4.0 * r.std_errors[name], (name, r.params[name], r.std_errors[name])


def _independent_loglik(theta, y, X, Zu, Zv, s, dist):
    """The textbook density with scipy.stats, written from scratch."""
    k, pu = X.shape[1], Zu.shape[1]
    beta, delta, phi = theta[:k], theta[k:k + pu], theta[k + pu:]
    eps = s * (y - X @ beta)
    su, sv = np.sqrt(np.exp(Zu @ delta)), np.sqrt(np.exp(Zv @ phi))
    if dist == "half-normal":
        sig = np.sqrt(su ** 2 + sv ** 2)
        lam = su / sv
        return np.sum(np.log(2.0) - np.log(sig) + stats.norm.logpdf(eps / sig) + stats.norm.logcdf(-eps * lam / sig))
    return np.sum(-np.log(su) + sv ** 2 / (2 * su ** 2) + eps / su + stats.norm.logcdf(-eps / sv - sv / su))


@pytest.mark.parametrize("dist,cost", [("half-normal", False), ("half-normal", True), ("exponential", True)])
def test_independent_likelihood_and_maximisation(dist, cost):
    y, X, z, w = _simulate(600, 5, dist=dist, cost=cost)
    r = ef.sfa(_frame(y, X, z, w), output="y", inputs=["x1", "x2"], form="linear", dist=dist, cost=cost,
               uhet=["z"], vhet=["w"])
    Zu = np.column_stack([np.ones_like(z), z])
    Zv = np.column_stack([np.ones_like(w), w])
    s = -1.0 if cost else 1.0
    theta = r.params.to_numpy()
    assert _independent_loglik(theta, y, X, Zu, Zv, s, dist) == pytest.approx(r.llf, abs=1e-8)
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    start = np.concatenate([beta + np.array([s * 0.3, 0, 0]), [np.log(0.1), 0.0, np.log(0.05), 0.0]])
    res = optimize.minimize(lambda t: -_independent_loglik(t, y, X, Zu, Zv, s, dist), start, method="BFGS",
                            options={"gtol": 1e-7, "maxiter": 5000})
    assert -res.fun == pytest.approx(r.llf, abs=1e-4)
    np.testing.assert_allclose(res.x, theta, atol=2e-3)


@pytest.mark.parametrize("dist", ["half-normal", "exponential"])
def test_marginal_effects_are_the_derivative_of_eu(dist):
    y, X, z, w = _simulate(400, 3, dist=dist)
    df = _frame(y, X, z, w)
    df["z2"] = np.random.default_rng(1).uniform(size=len(df))
    r = ef.sfa(df, output="y", inputs=["x1", "x2"], form="linear", dist=dist, uhet=["z", "z2"], vhet=["w"])
    d = r.uhet.to_numpy()
    Z = np.column_stack([np.ones(len(df)), df["z"], df["z2"]])

    def eu(Zm):            # unconditional E[u | z] with sigma_u = exp(z'delta / 2)
        su = np.exp(0.5 * Zm @ d)
        return su * np.sqrt(2.0 / np.pi) if dist == "half-normal" else su
    h = 1e-6
    for j, col in enumerate(["z", "z2"], start=1):
        Zp, Zm = Z.copy(), Z.copy()
        Zp[:, j] += h
        Zm[:, j] -= h
        num = (eu(Zp) - eu(Zm)) / (2 * h)
        np.testing.assert_allclose(r.marginal_effects[col].to_numpy(), num, rtol=1e-7, atol=1e-10)
    np.testing.assert_allclose(r.sigma_u_i.to_numpy(), np.exp(0.5 * Z @ d), rtol=1e-12)


def test_efficiency_uses_each_observations_sigmas():
    y, X, z, w = _simulate(300, 8)
    r = ef.sfa(_frame(y, X, z, w), output="y", inputs=["x1", "x2"], form="linear", uhet=["z"], vhet=["w"])
    eps = r.residuals.to_numpy()
    su2, sv2 = r.sigma_u_i.to_numpy() ** 2, r.sigma_v_i.to_numpy() ** 2
    mstar, sstar = -eps * su2 / (su2 + sv2), np.sqrt(su2 * sv2 / (su2 + sv2))
    eu = mstar + sstar * stats.norm.pdf(mstar / sstar) / stats.norm.cdf(mstar / sstar)
    bc = np.exp(-mstar + 0.5 * sstar ** 2) * stats.norm.cdf(mstar / sstar - sstar) / stats.norm.cdf(mstar / sstar)
    np.testing.assert_allclose(r.u_mean.to_numpy(), eu, rtol=1e-9)
    np.testing.assert_allclose(r.efficiency.to_numpy(), bc, rtol=1e-9)


# --------------------------------------------------------------------------------------------------
# bad input
# --------------------------------------------------------------------------------------------------

def _small():
    y, X, z, w = _simulate(200, 4)
    return _frame(y, X, z, w)


def test_nan_in_covariate_names_column_and_row():
    df = _small()
    df.loc[17, "z"] = np.nan
    with pytest.raises(DataError, match=r"column 'z', row 18 \(id '17'\): missing value"):
        ef.sfa(df, output="y", inputs=["x1", "x2"], form="linear", uhet=["z"])
    df = _small()
    df.loc[3, "w"] = np.nan
    with pytest.raises(DataError, match=r"'w'"):
        ef.sfa(df, output="y", inputs=["x1", "x2"], form="linear", vhet=["w"])


def test_unknown_and_bad_columns():
    df = _small()
    with pytest.raises(DataError, match=r"unknown uhet column 'zz'"):
        ef.sfa(df, output="y", inputs=["x1", "x2"], form="linear", uhet=["zz"])
    with pytest.raises(DataError, match=r"unknown vhet column 'ww'"):
        ef.sfa(df, output="y", inputs=["x1", "x2"], form="linear", vhet=["ww"])
    df["c"] = 1.0
    with pytest.raises(DataError, match=r"constant"):
        ef.sfa(df, output="y", inputs=["x1", "x2"], form="linear", uhet=["c"])


def test_unsupported_combinations():
    df = _small()
    with pytest.raises(SpecError, match="truncated-normal"):
        ef.sfa(df, output="y", inputs=["x1", "x2"], form="linear", dist="truncated-normal", uhet=["z"])
    with pytest.raises(SpecError, match="cross-section"):
        ef.sfa(df, output="y", inputs=["x1", "x2"], form="linear", z=["w"], uhet=["z"])


def test_cli_uhet_vhet(tmp_path):
    from click.testing import CliRunner
    import cli
    df = _small()
    path = tmp_path / "d.csv"
    df.to_csv(path, index=False)
    out = tmp_path / "eff.csv"
    res = CliRunner().invoke(cli.main, ["sfa", str(path), "--output", "y", "--inputs", "x1,x2", "--form", "linear",
                                        "--uhet", "z", "--vhet", "w", "-o", str(out)])
    assert res.exit_code == 0, res.output
    est = pd.read_csv(tmp_path / "eff_estimates.csv").set_index("param")
    r = ef.sfa(df, output="y", inputs=["x1", "x2"], form="linear", uhet=["z"], vhet=["w"])
    for name in ["Zu_(Intercept)", "Zu_z", "Zv_(Intercept)", "Zv_w"]:
        assert est.loc[name, "estimate"] == pytest.approx(r.params[name], rel=1e-9)
    assert pd.read_csv(out)["efficiency"].to_numpy() == pytest.approx(r.efficiency.to_numpy(), rel=1e-9)
