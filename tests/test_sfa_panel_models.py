"""Panel SFA models of efficiency.sfa.panel_models: Kumbhakar (1990), true fixed and true random
effects (Greene 2005). Simulations with known parameters (n, T and seed given in each test),
independent log-likelihoods written here from the textbook formulas, and bad input."""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

import efficiency as ef
from efficiency.errors import DataError, SpecError

BETA = (1.0, 0.5, 0.3)


def simulate(model, N, T, seed, su=0.4, sv=0.2, sw=0.3, b=0.3, c=-0.05):
    """Production panel y = a_i + 0.5 x1 + 0.3 x2 + v - u (rows firm-major, periods 1..T)."""
    rng = np.random.default_rng(seed)
    i = np.repeat(np.arange(N), T)
    t = np.tile(np.arange(1, T + 1), N)
    x1, x2 = rng.normal(size=N * T), rng.normal(size=N * T)
    v = sv * rng.normal(size=N * T)
    if model == "k90":
        u = np.abs(su * rng.normal(size=N))[i] / (1 + np.exp(b * (t - T) + c * (t - T) ** 2))
        a = BETA[0]
    elif model == "tfe":
        u = np.abs(su * rng.normal(size=N * T))
        a = (BETA[0] + rng.normal(size=N) + 0.5 * x1.reshape(N, T).mean(1))[i]   # alpha_i correlated with x
    else:
        u = np.abs(su * rng.normal(size=N * T))
        a = BETA[0] + sw * rng.normal(size=N)[i]
    y = a + BETA[1] * x1 + BETA[2] * x2 + v - u
    return pd.DataFrame({"firm": i, "year": 2000 + t, "y": y, "x1": x1, "x2": x2})


def fit(d, panel, **kw):
    return ef.sfa(d, output="y", inputs=["x1", "x2"], form="linear", id="firm", period="year", panel=panel, **kw)


def hn_logpdf(e, su, sv):
    """log density of e = v - u, v ~ N(0, sv^2), u ~ N+(0, su^2): skew normal, shape -su/sv."""
    return stats.skewnorm.logpdf(e, -su / sv, scale=np.hypot(su, sv))


# ------------------------------------------------------------------------------------------------
# Kumbhakar (1990)
# ------------------------------------------------------------------------------------------------

def k90_llf(d, beta, su, sv, b, c):
    """Direct formula: u_it = g_t u_i, per firm the closed-form integral over u_i."""
    X = np.column_stack([np.ones(len(d)), d.x1, d.x2])
    e = d.y.to_numpy() - X @ beta
    t = d.year.to_numpy() - d.year.max()
    g = 1.0 / (1.0 + np.exp(b * t + c * t * t))
    total = 0.0
    for _, idx in d.groupby("firm").indices.items():
        ei, gi, T = e[idx], g[idx], len(idx)
        s2 = 1.0 / (1.0 / su ** 2 + gi @ gi / sv ** 2)           # posterior variance of u_i
        m = -s2 * (gi @ ei) / sv ** 2
        total += (np.log(2.0) - T * np.log(sv) - T / 2 * np.log(2 * np.pi) - np.log(su)
                  + 0.5 * np.log(s2) - 0.5 * (ei @ ei / sv ** 2 - m * m / s2) + stats.norm.logcdf(m / np.sqrt(s2)))
    return total


def test_k90_recovers_and_matches_independent_llf():
    d = simulate("k90", 300, 8, seed=11)          # N = 300 firms, T = 8, seed 11
    r = fit(d, "k90")
    est, se = r.estimates["estimate"], r.estimates["std_error"]
    truth = {"(Intercept)": 1.0, "x1": 0.5, "x2": 0.3, "sigma_u": 0.4, "sigma_v": 0.2, "b": 0.3, "c": -0.05}
    for k, v in truth.items():
        assert abs(est[k] - v) < 4 * se[k], (k, est[k], se[k])
    assert list(r.estimates.index) == list(truth)
    p = est.to_numpy()
    ll = k90_llf(d, p[:3], *p[3:])
    assert abs(ll - r.llf) < 1e-8
    res = optimize.minimize(lambda q: -k90_llf(d, q[:3], *q[3:]), p * 1.02, method="Nelder-Mead",
                            options={"xatol": 1e-9, "fatol": 1e-11, "maxiter": 20000, "maxfev": 20000})
    assert -res.fun <= r.llf + 1e-4 and abs(-res.fun - r.llf) < 1e-4
    assert r.unit_effects is None and r.nobs == 2400 and r.n_firms == 300
    assert np.isfinite(r.bse).all() and r.pvalues.shape == (7,) and r.conf_int().shape == (7, 2)


def test_k90_with_b_c_zero_is_the_time_invariant_model():
    from efficiency.sfa.likelihood import TNModel
    from efficiency.sfa.panel_models import K90Model
    d = simulate("k90", 100, 5, seed=3)
    X = np.column_stack([np.ones(len(d)), d.x1, d.x2])
    g = d.firm.to_numpy()
    beta, su, sv = np.array([1.1, 0.45, 0.25]), 0.5, 0.2
    k90 = K90Model(d.y.to_numpy(), X, g, 100, (d.year - d.year.max()).to_numpy(float), fix_bc=True)
    ll_k90 = k90.loglik(np.r_[beta, np.log(su ** 2), np.log(sv ** 2)], grad=False)
    ti = TNModel(d.y.to_numpy(), X, 1.0, group=g, n_groups=100)
    Vu = su ** 2 / 4.0                                   # u_it = u_i / 2 when b = c = 0
    ll_ti = ti.loglik(np.r_[beta, Vu + sv ** 2, Vu / (Vu + sv ** 2)], grad=False)
    assert abs(ll_k90 - ll_ti) < 1e-9
    # and the public ti fit's optimum is a point of the k90 family with b = c = 0
    r = fit(d, "ti")
    Vu = r.sigma_u_sq
    ll = k90_llf(d, r.params.to_numpy(), 2 * np.sqrt(Vu), np.sqrt(r.sigma_v_sq), 0.0, 0.0)
    assert abs(ll - r.llf) < 1e-8


# ------------------------------------------------------------------------------------------------
# True fixed effects
# ------------------------------------------------------------------------------------------------

def test_tfe_large_panel_fast_first_order_conditions_and_llf():
    d = simulate("tfe", 1000, 5, seed=5, su=0.3, sv=0.3)     # N = 1000, T = 5
    t0 = time.perf_counter()
    r = fit(d, "tfe")
    elapsed = time.perf_counter() - t0
    assert elapsed < 10.0
    assert r.converged
    assert list(r.estimates.index) == ["x1", "x2", "sigma_u", "sigma_v"]
    assert "(Intercept)" not in r.params.index
    assert len(r.unit_effects) == 1000
    est = r.estimates["estimate"]
    alpha = r.unit_effects.to_numpy()[d.firm.to_numpy()]
    e = d.y.to_numpy() - alpha - d.x1.to_numpy() * est["x1"] - d.x2.to_numpy() * est["x2"]
    su, sv = est["sigma_u"], est["sigma_v"]
    assert abs(hn_logpdf(e, su, sv).sum() - r.llf) < 1e-8
    # d llf / d alpha_i = -sum_t d log f(e_it) / de = 0 for every unit (central differences)
    h = 1e-6
    score = (hn_logpdf(e + h, su, sv) - hn_logpdf(e - h, su, sv)) / (2 * h)
    per_unit = np.bincount(d.firm.to_numpy(), score)
    assert np.max(np.abs(per_unit)) < 1e-5
    # scipy on the full likelihood in the common parameters (alphas concentrated by scipy too) cannot do better
    assert abs(est["x1"] - 0.5) < 4 * r.bse["x1"] and abs(est["x2"] - 0.3) < 4 * r.bse["x2"]


def test_tfe_recovers_parameters_with_longer_panels():
    d = simulate("tfe", 200, 20, seed=7)           # N = 200, T = 20: incidental-parameter bias small
    r = fit(d, "tfe")
    est, se = r.estimates["estimate"], r.estimates["std_error"]
    for k, v in {"x1": 0.5, "x2": 0.3, "sigma_u": 0.4, "sigma_v": 0.2}.items():
        # sigma_v: the incidental-parameters bias of order 1/T is added to the Monte Carlo error
        tol = 4 * se[k] + (0.2 * 0.5 / 20 if k == "sigma_v" else 0.0)
        assert abs(est[k] - v) < tol, (k, est[k], se[k])
    # an independent profile check: scipy on the full likelihood from our optimum does not improve it
    firm = d.firm.to_numpy()
    X = d[["x1", "x2"]].to_numpy()

    def full(q):
        a = q[4:][firm]
        return -hn_logpdf(d.y.to_numpy() - a - X @ q[:2], np.exp(q[2]), np.exp(q[3])).sum()
    q0 = np.r_[est["x1"], est["x2"], np.log(est["sigma_u"]), np.log(est["sigma_v"]), r.unit_effects.to_numpy()]
    res = optimize.minimize(full, q0 + 1e-3, method="L-BFGS-B", options={"ftol": 1e-15, "gtol": 1e-9,
                                                                          "maxfun": 100000})
    assert -res.fun <= r.llf + 1e-4 and abs(-res.fun - r.llf) < 1e-3


# ------------------------------------------------------------------------------------------------
# True random effects
# ------------------------------------------------------------------------------------------------

def halton2(n, skip=10):
    """Radical inverse in base 2 of the integers skip+1 .. skip+n (plain Halton)."""
    out = []
    for i in range(skip + 1, skip + n + 1):
        f, x = 0.5, 0.0
        while i:
            x += f * (i & 1)
            i >>= 1
            f *= 0.5
        out.append(x)
    return np.array(out)


def tre_llf(d, beta, su, sv, sw, draws):
    N = d.firm.nunique()
    H = stats.norm.ppf(halton2(N * draws)).reshape(N, draws)
    X = np.column_stack([np.ones(len(d)), d.x1, d.x2])
    e = d.y.to_numpy() - X @ beta
    total = 0.0
    for i, idx in d.groupby("firm").indices.items():
        lw = hn_logpdf(e[idx][:, None] - sw * H[i][None, :], su, sv).sum(axis=0)
        total += np.log(np.mean(np.exp(lw)))
    return total


def test_tre_recovers_and_matches_independent_simulated_llf():
    d = simulate("tre", 1000, 5, seed=9)           # N = 1000, T = 5, seed 9, 100 plain Halton draws
    r = fit(d, "tre")
    est, se = r.estimates["estimate"], r.estimates["std_error"]
    truth = {"(Intercept)": 1.0, "x1": 0.5, "x2": 0.3, "sigma_u": 0.4, "sigma_v": 0.2, "sigma_w": 0.3}
    assert list(r.estimates.index) == list(truth)
    for k, v in truth.items():
        assert abs(est[k] - v) < 4 * se[k], (k, est[k], se[k])
    p = est.to_numpy()
    assert abs(tre_llf(d, p[:3], *p[3:], draws=100) - r.llf) < 1e-8
    assert r.draws == 100 and len(r.unit_effects) == 1000
    assert r.efficiency.between(0, 1).all()


def test_tre_scipy_reaches_our_optimum_and_seeded_draws():
    d = simulate("tre", 150, 4, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = fit(d, "tre", draws=30)
    p = r.estimates["estimate"].to_numpy()
    f = lambda q: -tre_llf(d, q[:3], np.exp(q[3]), np.exp(q[4]), np.exp(q[5]), draws=30)  # noqa: E731
    q0 = np.r_[p[:3], np.log(p[3:])]
    res = optimize.minimize(f, q0 + 0.01, method="BFGS", options={"gtol": 1e-7})
    assert abs(-res.fun - r.llf) < 1e-4 and -res.fun <= r.llf + 1e-4
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = fit(d, "tre", draws=30, seed=4)
        b = fit(d, "tre", draws=30, seed=4)
    assert a.llf == b.llf and a.llf != r.llf


# ------------------------------------------------------------------------------------------------
# Bad input
# ------------------------------------------------------------------------------------------------

def test_bad_input():
    d = simulate("tfe", 30, 3, seed=1)
    one = d[d.year == d.year.min()]
    with pytest.raises(DataError, match="one period|one row"):
        fit(one, "tfe")
    with pytest.raises(SpecError, match="period"):
        ef.sfa(d, output="y", inputs=["x1", "x2"], form="linear", id="firm", panel="tfe")
    with pytest.raises(SpecError, match="id"):
        ef.sfa(d, output="y", inputs=["x1", "x2"], form="linear", period="year", panel="k90")
    bad = d.astype({"year": float})
    bad.loc[4, "year"] = np.nan
    with pytest.raises(DataError, match="'year'.*row"):
        fit(bad, "tre")
    with pytest.raises(DataError, match="'x9'"):
        ef.sfa(d, output="y", inputs=["x1", "x9"], form="linear", id="firm", period="year", panel="k90")
    with pytest.raises(SpecError, match="half-normal"):
        fit(d, "tfe", dist="truncated-normal")
    with pytest.raises(SpecError, match="draws"):
        fit(d, "tre", draws=1)
    d2 = d.assign(z=d.firm * 1.0)
    with pytest.raises(DataError, match="'z'.*within"):
        ef.sfa(d2, output="y", inputs=["x1", "z"], form="linear", id="firm", period="year", panel="tfe")


def test_tfe_few_periods_stops_at_the_sigma_v_bound():
    # N = 1000, T = 5, lambda = 2, seed 1: the TFE likelihood rises all the way to sigma_v = 0 (incidental
    # parameters); the fit stops at the bound, says so, and stays fast
    d = simulate("tfe", 1000, 5, seed=1)
    t0 = time.perf_counter()
    with pytest.warns(ef.ConvergenceWarning, match="sigma_v"):
        r = fit(d, "tfe")
    assert time.perf_counter() - t0 < 10.0
    assert r.at_bound == ("sigma_v",) and np.isnan(r.bse["sigma_v"]) and np.isfinite(r.bse["x1"])
    assert abs(r.params["x1"] - 0.5) < 0.02 and abs(r.params["x2"] - 0.3) < 0.02


@pytest.mark.parametrize("panel", ["k90", "tfe", "tre"])
def test_cost_frontier_of_minus_y_is_the_production_fit(panel):
    d = simulate(panel, 150, 6, seed=4, **({"su": 0.3, "sv": 0.3} if panel == "tfe" else {}))
    kw = {"draws": 20} if panel == "tre" else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = fit(d, panel, **kw)
        c = fit(d.assign(y=-d.y), panel, cost=True, **kw)
    assert abs(p.llf - c.llf) < 1e-8
    np.testing.assert_allclose(c.params, -p.params, atol=1e-7)
    np.testing.assert_allclose(c.panel_params, p.panel_params, atol=1e-7)
    np.testing.assert_allclose(c.efficiency, p.efficiency, atol=1e-7)
    if p.unit_effects is not None:
        np.testing.assert_allclose(c.unit_effects, -p.unit_effects, atol=1e-6)


@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_tre_fused_kernel_equals_numpy_likelihood_and_gradient(sign):
    """The fused numba kernel (the fit's path) against the numpy evaluation over all rows x draws, on an
    unbalanced panel with rows out of unit order, production and cost, away from and near the optimum."""
    from importlib import import_module

    pm = import_module("efficiency.sfa.panel_models")
    rng = np.random.default_rng(11)
    N = 120
    T_i = rng.integers(1, 7, N)
    g = np.repeat(np.arange(N), T_i)
    n = g.size
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    y = X @ [1.0, 0.5, 0.3] + 0.3 * rng.normal(size=N)[g] + 0.15 * rng.normal(size=n) - sign * np.abs(
        0.3 * rng.normal(size=n))
    perm = rng.permutation(n)
    m = pm.TREModel(y[perm], X[perm], g[perm], N, pm.halton_normal(N, 40, 5), sign)
    for th in ([1.1, 0.45, 0.35, np.log(0.08), np.log(0.02), np.log(0.25)],
               [0.2, -0.3, 1.2, np.log(2.0), np.log(0.5), np.log(0.01)]):
        ll, g_fused = m.loglik(np.array(th))
        ll_np, g_np = m.loglik_numpy(np.array(th))
        assert ll == pytest.approx(ll_np, rel=1e-13)
        np.testing.assert_allclose(g_fused, g_np, rtol=1e-11, atol=1e-9)
        assert m.loglik(np.array(th), grad=False) == pytest.approx(ll_np, rel=1e-13)
