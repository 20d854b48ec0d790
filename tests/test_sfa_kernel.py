"""The fused numba SFA kernel (efficiency/sfa/_kernel.py): log Phi and the Mills ratio in both tails,
log-likelihood and gradient against the numpy twin, the analytic Hessian against finite differences,
Newton's method against the BFGS route, and the efficiency predictors in the tails."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.special import log_ndtr, ndtr
from scipy.stats import truncnorm

import efficiency as ef
from efficiency.sfa import _kernel
from efficiency.sfa.likelihood import TNModel, predictions


def test_log_phi_and_mills_match_scipy_in_both_tails():
    xs = np.concatenate([np.linspace(-60.0, 40.0, 5001), [-20.0, -20.0 + 1e-12, -1e-300, 0.0, 1e-300, 5.0, 38.0]])
    got = np.array([_kernel.log_phi_mills(x) for x in xs])
    ref = log_ndtr(xs)
    np.testing.assert_allclose(got[:, 0], ref, rtol=1e-13, atol=1e-16)
    mid = xs > -37.0                     # ndtr is accurate to full relative precision here
    ref_m = np.exp(-0.5 * xs[mid] ** 2) / np.sqrt(2.0 * np.pi) / ndtr(xs[mid])
    np.testing.assert_allclose(got[mid, 1], ref_m, rtol=1e-12, atol=1e-300)   # (subnormals for x > 37)
    tail = xs <= -20.0                   # asymptotically -x + 1/(-x) - 2/(-x)^3 + ...
    x = -xs[tail]
    np.testing.assert_allclose(got[tail, 1], x + 1 / x - 2 / x ** 3 + 10 / x ** 5 - 74 / x ** 7 + 706 / x ** 9 - 8162 / x ** 11,
                               rtol=1e-12)
    assert _kernel.log_phi_mills(1.0, False)[1] == 0.0


def _data(seed=3, n=300):
    rng = np.random.default_rng(seed)
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 3))])
    y = X @ [1.0, 0.3, 0.2, 0.1] + rng.normal(0, 0.3, n) - np.abs(rng.normal(0, 0.5, n))
    Z = np.column_stack([np.ones(n), rng.normal(size=n)])
    return X, y, Z


CASES = {"hn": (None, 1.0), "hn_cost": (None, -1.0), "tn": ("tn", 1.0), "tn_cost": ("tn", -1.0),
         "bc95": ("bc95", 1.0), "bc95_cost": ("bc95", -1.0)}


def _model(case):
    X, y, Z = _data()
    kind, sign = CASES[case]
    Zm = None if kind is None else (Z[:, :1] if kind == "tn" else Z)
    p = np.r_[1.1, 0.25, 0.2, 0.05, 0.4, 0.7, [0.2, -0.3][:0 if Zm is None else Zm.shape[1]]]
    return TNModel(y, X, sign, Z=Zm), p


@pytest.mark.parametrize("case", sorted(CASES))
def test_kernel_matches_numpy_twin(case):
    model, p = _model(case)
    assert model.fused and model.has_hessian
    ll, g = model.loglik(p)
    ll_np, g_np = model.loglik_numpy(p)
    assert ll == pytest.approx(ll_np, rel=1e-13)
    np.testing.assert_allclose(g, g_np, rtol=1e-10, atol=1e-10)
    assert model.loglik(p, grad=False) == ll
    ll_h, g_h, _ = model.loglik_hessian(p)
    assert ll_h == ll
    np.testing.assert_array_equal(g_h, g)


@pytest.mark.parametrize("case", sorted(CASES))
def test_analytic_hessian_matches_finite_differences(case):
    model, p = _model(case)
    _, _, H = model.loglik_hessian(p)
    fd = np.empty_like(H)
    for j in range(len(p)):
        h = 1e-6 * max(1.0, abs(p[j]))
        pp, pm = p.copy(), p.copy()
        pp[j] += h
        pm[j] -= h
        fd[:, j] = (model.loglik_numpy(pp)[1] - model.loglik_numpy(pm)[1]) / (2 * h)
    np.testing.assert_array_equal(H, H.T)
    np.testing.assert_allclose(H, fd, rtol=1e-6, atol=1e-6 * np.max(np.abs(H)))


def test_chunked_sums_cover_every_observation():
    """n spanning several kernel chunks (and a partial last one): same as the numpy twin."""
    rng = np.random.default_rng(5)
    n = 2 * _kernel._CHUNK + 17
    X = np.column_stack([np.ones(n), rng.normal(size=(n, 2))])
    y = X @ [1.0, 0.3, 0.2] + rng.normal(0, 0.3, n) - np.abs(rng.normal(0, 0.5, n))
    model, p = TNModel(y, X), np.r_[1.0, 0.3, 0.2, 0.35, 0.6]
    ll, g = model.loglik(p)
    ll_np, g_np = model.loglik_numpy(p)
    assert ll == pytest.approx(ll_np, rel=1e-12)
    np.testing.assert_allclose(g, g_np, rtol=1e-9)


def _frame(seed, n=400, mu=0.0):
    rng = np.random.default_rng(seed)
    X = rng.lognormal(1.0, 0.5, size=(n, 2))
    u = truncnorm.rvs(-mu / 0.4, np.inf, loc=mu, scale=0.4, size=n, random_state=seed) if mu else \
        np.abs(rng.normal(0, 0.4, n))
    ly = 0.5 + np.log(X) @ [0.4, 0.3] + rng.normal(0, 0.2, n) - u
    df = pd.DataFrame(X, columns=["x1", "x2"])
    df["y"] = np.exp(ly)
    df["z1"] = rng.normal(size=n)
    return df


@pytest.mark.parametrize("kw", [dict(), dict(cost=True), dict(dist="truncated-normal"), dict(z=["z1"])])
def test_newton_agrees_with_bfgs_route(monkeypatch, kw):
    df = _frame(11, mu=0.2 if kw.get("dist") else 0.0)
    if kw.get("cost"):
        df["y"] = 1.0 / df["y"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        newton = ef.sfa(df, output="y", inputs=["x1", "x2"], **kw)
        monkeypatch.setattr(TNModel, "has_hessian", property(lambda self: False))
        bfgs = ef.sfa(df, output="y", inputs=["x1", "x2"], **kw)
    assert newton.method == "Newton (analytic Hessian)"
    assert bfgs.method.startswith(("BFGS", "L-BFGS-B"))
    assert newton.converged and bfgs.converged
    assert newton.llf == pytest.approx(bfgs.llf, abs=1e-8)
    np.testing.assert_allclose(newton.estimates["estimate"], bfgs.estimates["estimate"], atol=1e-5)
    # analytic Hessian vs central differences of the gradient
    np.testing.assert_allclose(newton.estimates["std_error"], bfgs.estimates["std_error"], rtol=1e-4)
    np.testing.assert_allclose(newton.efficiency, bfgs.efficiency, atol=1e-6)


def test_predictions_match_formulas_and_stay_finite_in_the_tails():
    rng = np.random.default_rng(2)
    m = rng.normal(0, 0.5, 200)
    s = np.exp(rng.normal(-1.5, 0.3, 200))
    h = np.exp(rng.normal(0, 0.2, 200))
    got = predictions(m, s, h, 0.1)
    a = m / s
    la = log_ndtr(a)
    np.testing.assert_allclose(got["bc88"], np.exp(log_ndtr(a - h * s) - la - h * m + 0.5 * (h * s) ** 2), rtol=1e-12)
    np.testing.assert_allclose(got["u"], h * (m + s * np.exp(-0.5 * a * a - la) / np.sqrt(2 * np.pi)), rtol=1e-10)
    # Horrace-Schmidt: the bounds are quantiles of N+(m, s^2), scaled by h
    lo_q = truncnorm.ppf(0.05, -a, np.inf, loc=m, scale=s)
    hi_q = truncnorm.ppf(0.95, -a, np.inf, loc=m, scale=s)
    np.testing.assert_allclose(got["u_lower"], h * lo_q, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(got["u_upper"], h * hi_q, rtol=1e-8)
    # a fully efficient firm (mu* far below 0): E[u|e] ~ s^2/|mu*|, bounds near 0, efficiency near 1
    tail = predictions(np.array([-50.0, -2000.0]), np.array([0.01, 0.01]), np.ones(2))
    np.testing.assert_allclose(tail["u"], [0.01 ** 2 / 50.0, 0.01 ** 2 / 2000.0], rtol=1e-3)
    for key in ("u_lower", "u_upper", "lower", "upper", "bc88", "jlms"):
        assert np.all(np.isfinite(tail[key])), key
    assert np.all(tail["upper"] <= 1.0) and np.all(tail["lower"] > 0.999)
    assert np.all(tail["u_lower"] <= tail["u"]) and np.all(tail["u"] <= tail["u_upper"])
