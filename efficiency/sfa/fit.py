"""Maximum-likelihood estimation: OLS / corrected-OLS starting values with a grid over gamma (as
FRONTIER 4.1 does), BFGS on an unconstrained parameterisation with the analytic gradient, a
fallback (L-BFGS-B, then Nelder-Mead) when BFGS fails, a few Newton steps on the Hessian at the end,
and the Hessian by central differences of the analytic gradient (standard errors).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from .._lazy import LazyModule

optimize = LazyModule("scipy.optimize")
stats = LazyModule("scipy.stats")
from scipy.special import expit, logit

G_MIN, G_MAX = 1e-10, 1.0 - 1e-10


@dataclass
class Fit:
    params: np.ndarray          # natural parameters (beta, sigma_sq, gamma, delta, [eta])
    llf: float
    hessian: np.ndarray
    vcov: np.ndarray
    converged: bool
    n_iter: int
    method: str
    gradient: np.ndarray


def ols(y: np.ndarray, X: np.ndarray):
    """OLS coefficients, residuals and the Gaussian log-likelihood at sigma^2 = SSR / n."""
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    n = len(y)
    ssr = float(resid @ resid)
    llf = -0.5 * n * (np.log(2.0 * np.pi) + np.log(ssr / n) + 1.0)
    return beta, resid, llf


def _to_theta(model, p):
    t = np.array(p, dtype=float)
    k = model.k
    t[k] = np.log(p[k])
    t[k + 1] = logit(np.clip(p[k + 1], G_MIN, G_MAX))
    return t


def _to_p(model, t):
    p = np.array(t, dtype=float)
    k = model.k
    with np.errstate(over="ignore"):
        p[k] = np.exp(t[k])
    p[k + 1] = np.clip(expit(t[k + 1]), G_MIN, G_MAX)
    return p


def _objective(model, scale):
    def f(t):
        p = _to_p(model, t)
        with np.errstate(all="ignore"):
            ll, g = model.loglik(p)
        if not np.isfinite(ll) or not np.all(np.isfinite(g)):
            return 1e30, np.zeros_like(t)
        k = model.k
        g = g.copy()
        g[k] *= p[k]
        g[k + 1] *= p[k + 1] * (1.0 - p[k + 1])
        return -ll / scale, -g / scale
    return f


def grid_start(model, beta_ols, resid, *, exponential: bool, intercept: int | None):
    """FRONTIER-style start: for gamma on a grid, shift the OLS intercept by E[u] and scale the OLS
    variance to sigma_sq; keep the best log-likelihood (delta and eta start at 0)."""
    n, k = len(resid), model.k
    s2 = float(resid @ resid) / max(n - k, 1)
    best, best_ll = None, -np.inf
    for g in np.linspace(0.1, 0.9, 9):          # FRONTIER 4.1 grid
        if exponential:
            S = s2
            Eu = np.sqrt(g * S)
        else:
            S = s2 / (1.0 - 2.0 * g / np.pi)
            Eu = np.sqrt(2.0 * g * S / np.pi)
        beta = beta_ols.copy()
        if intercept is not None:
            beta[intercept] += model.sign * Eu
        p = np.concatenate([beta, [S, g], np.zeros(model.n_params - k - 2)])
        with np.errstate(all="ignore"):
            ll = model.loglik(p, grad=False)
        if np.isfinite(ll) and ll > best_ll:
            best, best_ll = p, ll
    if best is None:
        best = np.concatenate([beta_ols, [s2, 0.5], np.zeros(model.n_params - k - 2)])
    return best


def gradient_hessian(model, p):
    """Hessian of the log-likelihood at natural parameters p: central differences of the analytic
    gradient, symmetrised."""
    m = len(p)
    H = np.empty((m, m))
    k = model.k
    for j in range(m):
        h = 1e-6 * max(1.0, abs(p[j]))
        if j == k + 1:
            h = min(h, 0.5 * p[j], 0.5 * (1.0 - p[j]))
        if j == k:
            h = min(h, 0.5 * p[j])
        pp, pm = p.copy(), p.copy()
        pp[j] += h
        pm[j] -= h
        with np.errstate(all="ignore"):
            H[:, j] = (model.loglik(pp)[1] - model.loglik(pm)[1]) / (2.0 * h)
    return 0.5 * (H + H.T)


def maximise(model, starts, *, polish: bool = True) -> Fit:
    """Maximise the log-likelihood from each start (natural parameters); keep the best."""
    scale = float(len(model.y))
    f = _objective(model, scale)
    best = None
    for p0 in starts:
        t0 = _to_theta(model, p0)
        res = optimize.minimize(f, t0, jac=True, method="BFGS", options={"gtol": 1e-9, "maxiter": 2000})
        method, nit = "BFGS", int(res.nit)
        gnorm = np.max(np.abs(res.jac)) if res.jac is not None else np.inf
        if not np.isfinite(res.fun) or res.fun >= 1e29 or (not res.success and gnorm > 1e-5):
            alt = optimize.minimize(f, res.x if np.isfinite(res.fun) and res.fun < 1e29 else t0, jac=True,
                                    method="L-BFGS-B", options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 5000})
            if alt.fun < res.fun:
                res, method, nit = alt, "L-BFGS-B (BFGS fallback)", nit + int(alt.nit)
            gnorm = np.max(np.abs(f(res.x)[1]))
            if gnorm > 1e-5:
                nm = optimize.minimize(lambda t: f(t)[0], res.x, method="Nelder-Mead",
                                       options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 20000})
                if nm.fun < res.fun:
                    res = optimize.minimize(f, nm.x, jac=True, method="BFGS", options={"gtol": 1e-9})
                    method, nit = "Nelder-Mead + BFGS (fallback)", nit + int(nm.nit) + int(res.nit)
        if best is None or res.fun < best[0].fun:
            best = (res, method, nit)
    res, method, nit = best
    p = _to_p(model, res.x)
    ll, g = model.loglik(p)
    H = gradient_hessian(model, p)
    if polish:                              # Newton steps in the natural parameters
        for _ in range(6):              # quasi-Newton: the Hessian of the BFGS solution is kept
            if np.max(np.abs(g)) < 1e-9 * scale:
                break
            try:
                step = np.linalg.solve(H, g)
            except np.linalg.LinAlgError:
                break
            lam = 1.0
            improved = False
            while lam > 1e-4:
                pn = p - lam * step
                k = model.k
                if pn[k] > 0 and G_MIN <= pn[k + 1] <= G_MAX:
                    with np.errstate(all="ignore"):
                        lln = model.loglik(pn, grad=False)
                    if np.isfinite(lln) and lln >= ll - 1e-12:
                        improved = True
                        break
                lam *= 0.5
            if not improved:
                break
            p = pn
            ll, g = model.loglik(p)
            if np.max(np.abs(g)) < 1e-9 * scale:
                break
        if np.max(np.abs(g)) > 1e-6 * scale:     # moved noticeably: the Hessian at the new point
            H = gradient_hessian(model, p)
    try:
        vcov = np.linalg.inv(-H)
    except np.linalg.LinAlgError:
        vcov = np.full_like(H, np.nan)
    gnorm = float(np.max(np.abs(g))) / scale
    converged = bool(np.isfinite(ll) and gnorm < 1e-4)
    return Fit(p, float(ll), H, vcov, converged, nit, method, g)


def kodde_palm(lr: float, df: int, alpha: float = 0.05):
    """p-value and critical value of the one-sided LR test of gamma = 0 (plus df - 1 other
    restrictions): the mixed chi-square 1/2 chi2(df-1) + 1/2 chi2(df) of Kodde and Palm (1986)."""
    def sf(c):
        lo = (1.0 if c <= 0 else 0.0) if df == 1 else stats.chi2.sf(c, df - 1)
        return 0.5 * lo + 0.5 * stats.chi2.sf(c, df)
    crit = optimize.brentq(lambda c: sf(c) - alpha, 1e-8, 200.0)
    return float(sf(max(lr, 0.0)) if lr > 0 else 1.0), float(crit)
