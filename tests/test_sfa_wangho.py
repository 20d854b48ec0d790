"""Wang and Ho (2010) first-difference fixed-effect SFA, ``sfa(..., panel='wang-ho')``
(efficiency.sfa.wangho): simulation recovery (N, T, seed in each test), the likelihood against a
brute-force evaluation of the first-differenced model (numerical integration over u_i*), the efficiency
predictor against its defining integral, and bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import integrate, stats

import efficiency as ef
from efficiency.errors import DataError, SpecError
from efficiency.sfa.wangho import WangHoModel

BETA = (0.5, 0.3)


def simulate(N, T, seed, su=0.8, sv=0.2, delta=0.5, mu=0.0):
    """y_it = alpha_i + 0.5 x1 + 0.3 x2 + v_it - exp(delta z_it) u_i*, alpha_i correlated with x1; T may be
    an array of per-unit lengths (unbalanced)."""
    rng = np.random.default_rng(seed)
    Ts = np.full(N, T) if np.isscalar(T) else np.asarray(T)
    i = np.repeat(np.arange(N), Ts)
    t = np.concatenate([np.arange(1, k + 1) for k in Ts])
    n = len(i)
    alpha = rng.normal(size=N)
    x1 = rng.normal(size=n) + 0.5 * alpha[i]
    x2 = rng.normal(size=n)
    z = rng.normal(size=n)
    ustar = stats.truncnorm.rvs((0 - mu) / su, np.inf, loc=mu, scale=su, size=N, random_state=rng)
    u = np.exp(delta * z) * ustar[i]
    y = alpha[i] + BETA[0] * x1 + BETA[1] * x2 + sv * rng.normal(size=n) - u
    d = pd.DataFrame({"firm": i, "year": 2000 + t, "y": y, "x1": x1, "x2": x2, "z": z})
    return d, u, alpha


def fit(d, **kw):
    return ef.sfa(d, output="y", inputs=["x1", "x2"], form="linear", id="firm", period="year", panel="wang-ho",
                  z=kw.pop("z", ["z"]), **kw)


def fd_unit_llf(y, X, h, beta, su, sv, mu=0.0, sign=1.0):
    """Brute force for one unit: the first-differenced residual e = s (Dy - DX beta) = Dv - (Dh) u*, Dv ~
    N(0, sv^2 tridiag(-1, 2, -1)), the density integrated numerically over u* ~ N+(mu, su^2)."""
    T = len(y)
    D = np.diff(np.eye(T), axis=0)
    e = sign * (D @ y - D @ X @ beta)
    g = D @ h
    Sig = sv ** 2 * (D @ D.T)
    Sinv = np.linalg.inv(Sig)
    const = -0.5 * (T - 1) * np.log(2 * np.pi) - 0.5 * np.linalg.slogdet(Sig)[1]
    lnorm = np.log(su) + stats.norm.logcdf(mu / su)            # N+(mu, su^2) density normaliser

    def logf(u):                       # log of N(e + g u; 0, Sigma) x N+(u; mu, su^2)
        r = e + g * u
        return const - 0.5 * r @ Sinv @ r - 0.5 * np.log(2 * np.pi) - 0.5 * ((u - mu) / su) ** 2 - lnorm

    c = max(logf(x) for x in np.linspace(0, mu + 8 * su, 200))
    val = integrate.quad(lambda u: np.exp(logf(u) - c), 0, np.inf, epsabs=0, epsrel=1e-12, limit=200)[0]
    post_mean_exp = [integrate.quad(lambda u, ht=ht: np.exp(-ht * u + logf(u) - c), 0, np.inf, epsabs=0,
                                    epsrel=1e-12, limit=200)[0] / val for ht in h]
    return c + np.log(val), np.array(post_mean_exp)


def test_loglik_equals_first_difference_brute_force():
    """Unbalanced panel (T_i = 1..6), truncated-normal u*, cost and production: the within-computed
    likelihood of WangHoModel equals, unit by unit, the first-difference density integrated over u*."""
    d, _, _ = simulate(7, [1, 2, 3, 4, 5, 6, 3], seed=3)
    g = d.firm.to_numpy()
    X, Z, y = d[["x1", "x2"]].to_numpy(), d[["z"]].to_numpy(), d.y.to_numpy()
    beta, delta, su, sv, mu = np.array([0.45, 0.35]), np.array([0.4]), 0.7, 0.25, 0.3
    for sign in (1.0, -1.0):
        m = WangHoModel(y, X, Z, g, 7, sign, truncated=True)
        th = np.r_[beta, delta, np.log(su ** 2), np.log(sv ** 2), mu]
        per = m.loglik(th, per_group=True)
        assert per[0] == pytest.approx(0.0, abs=1e-12)          # one row: nothing left after differencing
        for i in range(1, 7):
            r = g == i
            ref, _ = fd_unit_llf(y[r], X[r], np.exp(Z[r] @ delta), beta, su, sv, mu, sign)
            assert per[i] == pytest.approx(ref, rel=1e-9, abs=1e-9)
        assert m.loglik(th, grad=False) == pytest.approx(per.sum(), rel=1e-14)


def test_gradient_matches_central_differences():
    d, _, _ = simulate(40, 4, seed=5)
    g = d.firm.to_numpy()
    m = WangHoModel(d.y.to_numpy(), d[["x1", "x2"]].to_numpy(), d[["z"]].to_numpy(), g, 40, 1.0, truncated=True)
    th = np.array([0.4, 0.2, 0.3, -0.5, -2.0, 0.3])
    _, grad = m.loglik(th)
    num = np.array([(m.loglik(th + e * 1e-6, grad=False) - m.loglik(th - e * 1e-6, grad=False)) / 2e-6
                    for e in np.eye(len(th))])
    np.testing.assert_allclose(grad, num, rtol=1e-6, atol=1e-6)


def test_fit_llf_and_efficiency_by_integration():
    """Small panel (N = 40, T = 4, seed 11): the reported llf is the brute-force first-difference likelihood
    at the reported estimates; BC88 efficiency = E[exp(-h_it u*) | e_i] by integration over the posterior;
    alpha_i = mean_t(y - x'beta + E[u_it | e_i])."""
    d, _, _ = simulate(40, 4, seed=11)
    r = fit(d)
    p = r.params
    est = r.estimates["estimate"]
    beta, delta, su, sv = p.to_numpy(), np.array([est["Z_z"]]), est["sigma_u"], est["sigma_v"]
    total = 0.0
    for i in range(40):
        rows = (d.firm == i).to_numpy()
        X = d.loc[rows, ["x1", "x2"]].to_numpy()
        h = np.exp(d.loc[rows, "z"].to_numpy() * delta[0])
        ll, eff = fd_unit_llf(d.y.to_numpy()[rows], X, h, beta, su, sv)
        total += ll
        if i < 5:
            np.testing.assert_allclose(r.efficiency.to_numpy()[rows], eff, rtol=1e-9)
            a = np.mean(d.y.to_numpy()[rows] - X @ beta + r.u_mean.to_numpy()[rows])
            assert r.unit_effects.iloc[i] == pytest.approx(a, rel=1e-12)
    assert r.llf == pytest.approx(total, rel=1e-10)
    assert r.converged


def test_recovers_simulated_parameters():
    """N = 500, T = 6, seed 1; beta = (0.5, 0.3), delta = 0.5, sigma_u = 0.8, sigma_v = 0.2: every estimate
    within 4 standard errors of the truth, efficiency and alpha_i tracked closely."""
    d, u, alpha = simulate(500, 6, seed=1)
    r = fit(d)
    truth = pd.Series({"x1": 0.5, "x2": 0.3, "Z_z": 0.5, "sigma_u": 0.8, "sigma_v": 0.2})
    z = (r.estimates["estimate"] - truth) / r.bse
    assert list(r.estimates.index) == list(truth.index)
    assert np.all(np.abs(z) < 4), z
    assert r.converged and r.panel == "wang-ho" and r.nobs == 3000 and r.n_firms == 500
    assert np.corrcoef(r.efficiency, np.exp(-u))[0, 1] > 0.9
    assert np.corrcoef(r.unit_effects, alpha)[0, 1] > 0.95
    assert r.lr_df == 2 and r.llf > r.llf_ols + 100
    assert list(r.delta.index) == ["Z_z"] and r.mu is None
    assert set(r.to_frame().columns) >= {"efficiency", "jlms", "lower", "upper", "u", "residual"}
    assert "Wang and Ho" in r.summary()
    assert np.all((r.lower <= r.efficiency) & (r.efficiency <= r.upper))

    # a cost frontier of -y is the production frontier of y
    dc = d.assign(y=-d.y)
    rc = fit(dc, cost=True)
    assert rc.llf == pytest.approx(r.llf, rel=1e-8)
    np.testing.assert_allclose(rc.params, -r.params, rtol=1e-5)
    np.testing.assert_allclose(rc.efficiency, r.efficiency, rtol=1e-5)


def test_truncated_normal_nests_half_normal():
    """N = 200, T = 5, seed 2, u* ~ N+(0.5, 0.6^2): the truncated-normal fit has llf >= the half-normal fit
    (mu = 0 is inside its parameter space) and reports mu."""
    d, _, _ = simulate(200, 5, seed=2, su=0.6, mu=0.5)
    r0 = fit(d)
    r1 = fit(d, dist="truncated-normal")
    assert r1.llf >= r0.llf - 1e-8
    assert r1.mu == r1.estimates.loc["mu", "estimate"] and r1.lr_df == 3
    assert list(r1.panel_params.index) == ["sigma_u", "sigma_v", "mu"]


def test_bad_input():
    d, _, _ = simulate(30, 3, seed=4)
    with pytest.raises(SpecError, match="wang-ho.*z"):
        ef.sfa(d, output="y", inputs=["x1", "x2"], form="linear", id="firm", period="year", panel="wang-ho")
    with pytest.raises(SpecError, match="period"):
        ef.sfa(d, output="y", inputs=["x1", "x2"], form="linear", id="firm", panel="wang-ho", z=["z"])
    with pytest.raises(SpecError, match="exponential"):
        fit(d, dist="exponential")
    one = d[d.year == 2001]
    with pytest.raises(DataError, match="one row"):
        fit(one)
    bad = d.copy()
    bad.loc[7, "z"] = np.nan
    with pytest.raises(DataError, match="'z'") as err:
        fit(bad)
    assert "row" in str(err.value)
    inv = d.assign(z=d.firm.astype(float))         # time-invariant h: not identified
    with pytest.raises(DataError, match="do not vary within"):
        fit(inv)
    with pytest.raises(DataError, match="constant"):
        fit(d.assign(z=1.0))
    with pytest.raises(DataError, match="'w'.*does not vary within"):
        ef.sfa(d.assign(w=d.firm * 1.0), output="y", inputs=["x1", "w"], form="linear", id="firm", period="year",
               panel="wang-ho", z=["z"])
    single = pd.concat([d, d.iloc[[0]].assign(firm=99)], ignore_index=True)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        r = fit(single)
    assert any("single row" in str(x.message) for x in w)
    assert r.n_firms == 31 and np.isfinite(r.efficiency.iloc[-1])


def test_row_order_is_kept_and_irrelevant():
    """N = 60, T = 4, seed 8: shuffling the rows gives the same fit; outputs follow the input rows and ids."""
    d, _, _ = simulate(60, 4, seed=8)
    r = fit(d)
    perm = np.random.default_rng(0).permutation(len(d))
    ds = d.iloc[perm].reset_index(drop=True)
    rs = fit(ds)
    assert rs.llf == pytest.approx(r.llf, rel=1e-10)
    assert list(rs.ids) == list(zip(ds.firm, ds.year))
    np.testing.assert_allclose(rs.efficiency.to_numpy(), r.efficiency.to_numpy()[perm], rtol=1e-7)
    np.testing.assert_allclose(rs.unit_effects.sort_index(), r.unit_effects.sort_index(), rtol=1e-7)
