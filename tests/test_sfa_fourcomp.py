"""Four-component random-effects SFA, ``sfa(..., panel='four-component')`` (efficiency.sfa.fourcomp):
the simulated likelihood against the same sum written out here and against the exact likelihood of one
unit by numerical double integration over (mu_i, eta_i), the simulated posterior efficiencies against
their defining integrals, simulation recovery (N, T, seed in each test), and bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.special import log_ndtr

import efficiency as ef
from efficiency.errors import DataError, SpecError
from efficiency.sfa.fourcomp import FourComponentModel, halton_pairs

TRUTH = {"(Intercept)": 1.0, "x1": 0.5, "x2": 0.3, "sigma_u": 0.3, "sigma_v": 0.1, "sigma_mu": 0.1,
         "sigma_eta": 0.4}


def simulate(N, T, seed, su=0.3, sv=0.1, smu=0.1, seta=0.4):
    """y_it = 1 + 0.5 x1 + 0.3 x2 + mu_i - eta_i + v_it - u_it (rows unit-major, periods 1..T)."""
    rng = np.random.default_rng(seed)
    i = np.repeat(np.arange(N), T)
    t = np.tile(np.arange(1, T + 1), N)
    x1, x2 = rng.normal(size=N * T), rng.normal(size=N * T)
    mu, eta = smu * rng.normal(size=N), np.abs(seta * rng.normal(size=N))
    u = np.abs(su * rng.normal(size=N * T))
    y = 1.0 + 0.5 * x1 + 0.3 * x2 + mu[i] - eta[i] + sv * rng.normal(size=N * T) - u
    return pd.DataFrame({"firm": i, "year": 2000 + t, "y": y, "x1": x1, "x2": x2}), u, eta[i]


def fit(d, **kw):
    return ef.sfa(d, output="y", inputs=["x1", "x2"], form="linear", id="firm", period="year",
                  panel="four-component", **kw)


def nhn_logpdf(e, su, sv):
    """log density of e = v - u, v ~ N(0, sv^2), u ~ N+(0, su^2) (Aigner, Lovell and Schmidt 1977)."""
    S = su * su + sv * sv
    return np.log(2.0) - 0.5 * np.log(2 * np.pi * S) - e * e / (2 * S) + log_ndtr(-e * su / sv / np.sqrt(S))


def bc88(e, su, sv):
    """E[exp(-u) | e] for one normal-half-normal e (Battese and Coelli 1988)."""
    S = su * su + sv * sv
    ms, ss = -e * su * su / S, su * sv / np.sqrt(S)
    return np.exp(-ms + 0.5 * ss * ss + stats.norm.logcdf(ms / ss - ss) - stats.norm.logcdf(ms / ss))


def test_simulated_llf_is_the_sum_over_draws_and_gradient():
    """N = 6 units, T = 3, seed 7, 50 Halton draws: loglik = sum_i log(1/R sum_r prod_t f(r_it - w_ir)),
    w_ir = sigma_mu a_ir - sigma_eta b_ir, written out; analytic gradient = central differences."""
    d, _, _ = simulate(6, 3, seed=7)
    X = np.column_stack([np.ones(len(d)), d.x1, d.x2])
    g = d.firm.to_numpy()
    A, B = halton_pairs(6, 50)
    assert np.all(B > 0)
    np.testing.assert_allclose(A[0, :3], stats.norm.ppf([13 / 16, 3 / 16, 11 / 16]))    # 11, 12, 13 in base 2
    np.testing.assert_allclose(B[0, :3], stats.halfnorm.ppf([19 / 27, 4 / 27, 13 / 27]))  # and 3
    th = np.array([0.9, 0.45, 0.35, np.log(0.3 ** 2), np.log(0.15 ** 2), np.log(0.2), np.log(0.35)])
    for sign in (1.0, -1.0):
        m = FourComponentModel(d.y.to_numpy(), X, g, 6, A, B, sign)
        r = sign * (d.y.to_numpy() - X @ th[:3])
        ref = 0.0
        for i in range(6):
            w = 0.2 * A[i] - 0.35 * B[i]
            dens = np.exp(np.sum(nhn_logpdf(r[g == i][:, None] - w[None, :], 0.3, 0.15), axis=0))
            ref += np.log(dens.mean())
        assert m.loglik(th, grad=False) == pytest.approx(ref, rel=1e-12)
        ll, grad = m.loglik(th)
        assert ll == pytest.approx(ref, rel=1e-12)
        num = np.array([(m.loglik(th + e * 1e-6, grad=False) - m.loglik(th - e * 1e-6, grad=False)) / 2e-6
                        for e in np.eye(len(th))])
        np.testing.assert_allclose(grad, num, rtol=1e-6, atol=1e-6)


def test_simulation_approaches_the_exact_likelihood_and_posteriors():
    """One unit, T = 3, at sigma_u = 0.3, sigma_v = 0.15, sigma_mu = 0.2, sigma_eta = 0.4: the exact
    likelihood and the posterior means E[exp(-eta) | e], E[exp(-u_t) | e] by double integration over
    (mu, eta) (tensor Gauss-Legendre); the simulated ones with R Halton draws converge to them (errors
    measured in the log-likelihood: 0.023 at R = 100, 8.5e-6 at R = 20000; in the posterior means 3.3e-5
    and 1.2e-6 at R = 20000)."""
    su, sv, smu, seta = 0.3, 0.15, 0.2, 0.4
    r = np.array([-0.5, -0.2, -0.7])

    def gl(m):
        """tensor Gauss-Legendre rule with m x m nodes on mu in [-8 sigma_mu, 8 sigma_mu], eta in [0, 8 sigma_eta]"""
        x, w = np.polynomial.legendre.leggauss(m)
        mu, wm = 8 * smu * x, 8 * smu * w
        eta, we = 4 * seta * (x + 1), 4 * seta * w
        M, E = np.meshgrid(mu, eta, indexing="ij")
        e = r[:, None, None] - M + E                                   # (T, m, m)
        dens = np.exp(np.sum(nhn_logpdf(e, su, sv), axis=0) + stats.norm.logpdf(M, scale=smu)
                      + stats.halfnorm.logpdf(E, scale=seta)) * np.outer(wm, we)
        L = dens.sum()
        return L, np.sum(np.exp(-E) * dens) / L, np.sum(bc88(e[1], su, sv) * dens) / L

    L, pe, te = gl(300)
    assert np.allclose(gl(200), (L, pe, te), rtol=1e-11, atol=0)      # the rule has converged
    th = np.array([0.0, np.log(su ** 2), np.log(sv ** 2), np.log(smu), np.log(seta)])
    errs = []
    for R in (100, 20000):
        A, B = halton_pairs(1, R)
        m = FourComponentModel(r.copy(), np.ones((3, 1)), np.zeros(3, dtype=int), 1, A, B, 1.0)
        errs.append(abs(m.loglik(th, grad=False) - np.log(L)))
    assert errs[0] < 0.05 and errs[1] < 5e-5 and errs[1] < errs[0] / 100
    post, unit = m.posterior(th, 0.05)
    assert unit[0][0] == pytest.approx(pe, abs=1e-4)
    assert post[0][1] == pytest.approx(te, abs=1e-5)


def test_recovers_simulated_parameters():
    """N = 500, T = 6, seed 1, 100 Halton draws; beta = (1, 0.5, 0.3), sigma_u = 0.3, sigma_v = 0.1,
    sigma_mu = 0.1, sigma_eta = 0.4: every estimate within 4 standard errors (measured: all |z| < 2.6),
    overall efficiency correlates 0.89 with the true exp(-eta_i - u_it)."""
    d, u, eta = simulate(500, 6, seed=1)
    r = fit(d)
    truth = pd.Series(TRUTH)
    assert list(r.estimates.index) == list(truth.index)
    z = (r.estimates["estimate"] - truth) / r.bse
    assert np.all(np.abs(z) < 4), z
    assert r.converged and r.panel == "four-component" and r.draws == 100 and r.n_firms == 500
    assert np.corrcoef(r.efficiency, np.exp(-u - eta))[0, 1] > 0.85
    assert np.corrcoef(r.persistent_efficiency, np.exp(-eta))[0, 1] > 0.8
    assert np.corrcoef(r.transient_efficiency, np.exp(-u))[0, 1] > 0.8
    np.testing.assert_allclose(r.efficiency, r.persistent_efficiency * r.transient_efficiency, rtol=1e-14)
    f = r.to_frame()
    assert list(f.columns[:3]) == ["efficiency", "persistent_efficiency", "transient_efficiency"]
    assert {"jlms", "lower", "upper", "u", "efficiency_reciprocal", "residual"} <= set(f.columns)
    assert f.index.equals(r.ids) and f["lower"].isna().all()
    # persistent efficiency is one value per unit
    assert (f.groupby(level=0)["persistent_efficiency"].nunique() == 1).all()
    assert r.persistent.index.name == "firm" and len(r.persistent) == 500
    assert r.lr_df == 2 and r.llf > r.llf_ols
    assert list(r.panel_params.index) == ["sigma_u", "sigma_v", "sigma_mu", "sigma_eta"]
    assert "four-component" in r.summary()


def test_cost_mirror_and_seeded_draws():
    """N = 120, T = 4, seed 3, 30 draws: a cost frontier of -y is the production frontier of y (same llf,
    coefficients negated, same efficiencies, unit effects E[mu_i | e_i] negated); a seed gives scrambled
    draws, reproducibly."""
    d, _, _ = simulate(120, 4, seed=3)
    r = fit(d, draws=30)
    rc = fit(d.assign(y=-d.y), draws=30, cost=True)
    assert rc.llf == pytest.approx(r.llf, rel=1e-8)
    np.testing.assert_allclose(rc.params, -r.params, rtol=1e-5)
    np.testing.assert_allclose(rc.efficiency, r.efficiency, rtol=1e-5)
    np.testing.assert_allclose(rc.unit_effects, -r.unit_effects, rtol=1e-4, atol=1e-7)
    s1, s2 = fit(d, draws=30, seed=5), fit(d, draws=30, seed=5)
    assert s1.llf == s2.llf and s1.llf != r.llf
    # another set of 30 draws moves the frontier coefficients by less than their standard errors (the split of
    # the unit effect between sigma_mu and sigma_eta is more sensitive to the draws at this small N)
    assert np.all(np.abs(s1.params - r.params) < r.bse[r.params.index])


def test_bad_input():
    d, _, _ = simulate(20, 3, seed=4)
    with pytest.raises(SpecError, match="period"):
        ef.sfa(d, output="y", inputs=["x1", "x2"], form="linear", id="firm", panel="four-component")
    with pytest.raises(SpecError, match="half-normal"):
        fit(d, dist="truncated-normal")
    with pytest.raises(SpecError, match="draws"):
        fit(d, draws=1)
    with pytest.raises(SpecError, match="seed"):
        fit(d, seed="x")
    with pytest.raises(DataError, match="one row"):
        fit(d[d.year == 2001])
    bad = d.copy()
    bad.loc[4, "x2"] = np.nan
    with pytest.raises(DataError, match="'x2'") as err:
        fit(bad)
    assert "row" in str(err.value)


def test_row_order_within_units_is_irrelevant():
    """N = 40, T = 4, seed 9, 20 draws: reversing the rows within each unit (the units keep their order of
    first appearance, by which the draws are dealt) gives the same fit; outputs follow the input rows."""
    d, _, _ = simulate(40, 4, seed=9)
    r = fit(d, draws=20)
    perm = np.concatenate([np.arange(4 * i, 4 * i + 4)[::-1] for i in range(40)])
    ds = d.iloc[perm].reset_index(drop=True)
    rs = fit(ds, draws=20)
    assert rs.llf == pytest.approx(r.llf, rel=1e-10)
    assert list(rs.ids) == list(zip(ds.firm, ds.year))
    np.testing.assert_allclose(rs.to_frame().to_numpy(), r.to_frame().to_numpy()[perm], rtol=1e-6, atol=1e-12)
