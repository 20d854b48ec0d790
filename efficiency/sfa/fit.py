"""Maximum-likelihood estimation: OLS / corrected-OLS starting values with a grid over gamma (as
FRONTIER 4.1 does), then, on an unconstrained parameterisation (log sigma_sq, logit gamma):

* models with an analytic Hessian (cross-sections, BC95): Newton's method with a line search
  (``newton``), which converges in a handful of iterations;
* the others, or when Newton's method fails: BFGS with the analytic gradient, with a fallback
  (L-BFGS-B, then Nelder-Mead) when BFGS fails;

a few Newton steps on the Hessian at the end, and the Hessian (analytic, or central differences of
the analytic gradient) for the standard errors.
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
    """OLS coefficients, residuals and the Gaussian log-likelihood at sigma^2 = SSR / n.

    Normal equations in the column-scaled design with two steps of iterative refinement (Bjorck
    1996, sec. 2.9) when its condition number is below 1e5 (accurate to rounding there, and a
    fraction of the cost of an SVD for n >> k); otherwise the SVD least-squares solver."""
    G = X.T @ X
    d = 1.0 / np.sqrt(np.maximum(np.diag(G), 1e-300))
    Gs = G * np.outer(d, d)
    w = np.linalg.eigvalsh(Gs)
    if w[0] > 1e-10 * w[-1]:
        beta = d * np.linalg.solve(Gs, d * (X.T @ y))
        for _ in range(2):
            beta += d * np.linalg.solve(Gs, d * (X.T @ (y - X @ beta)))
    else:
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


def _theta_point(model, t, scale):
    """-loglik / scale, its gradient and Hessian in theta = (beta, log sigma_sq, logit gamma, delta)
    from one analytic evaluation, and (loglik, gradient, Hessian) in the natural parameters; ``None``
    where the log-likelihood is not finite."""
    p = _to_p(model, t)
    k = model.k
    with np.errstate(all="ignore"):
        ll, g, H = model.loglik_hessian(p)
    if not (np.isfinite(ll) and np.all(np.isfinite(g)) and np.all(np.isfinite(H))):
        return None
    d = np.ones(len(t))                          # d p / d theta, then the second-derivative terms
    d[k], d[k + 1] = p[k], p[k + 1] * (1.0 - p[k + 1])
    Ht = H * np.outer(d, d)
    Ht[k, k] += g[k] * p[k]
    Ht[k + 1, k + 1] += g[k + 1] * d[k + 1] * (1.0 - 2.0 * p[k + 1])
    return -ll / scale, -g * d / scale, -Ht / scale, (ll, g, H)


def newton(model, t0, scale, *, gtol: float = 1e-10, maxiter: int = 100):
    """Minimise -loglik / scale over theta by Newton's method with the analytic Hessian: a
    Levenberg-Marquardt shift where the Hessian is not positive definite and a backtracking
    (Armijo) line search (Nocedal and Wright 2006, ch. 3). Converges in a few iterations from the
    FRONTIER start; returns a scipy ``OptimizeResult`` (success when max |gradient| < ``gtol``)."""
    t = np.asarray(t0, dtype=float)
    cur = _theta_point(model, t, scale)
    if cur is None:
        return optimize.OptimizeResult(x=t, fun=1e30, jac=np.zeros_like(t), nit=0, success=False)
    f, g, H, natural = cur
    nit = 0
    while np.max(np.abs(g)) >= gtol and nit < maxiter:
        nit += 1
        w = np.linalg.eigvalsh(H)
        shift = 0.0 if w[0] > 1e-12 * max(w[-1], 1e-300) else (-w[0] + 1e-8 * max(abs(w[-1]), 1.0))
        d = -np.linalg.solve(H + shift * np.eye(len(t)), g)
        slope = float(g @ d)
        step, accepted = 1.0, False
        while step > 1e-12:
            trial = _theta_point(model, t + step * d, scale)
            # Armijo, with room for rounding once f no longer resolves the progress
            if trial is not None and trial[0] <= f + 1e-4 * step * slope + 4e-16 * abs(f):
                accepted = True
                break
            step *= 0.5
        if not accepted:
            break
        t = t + step * d
        f, g, H, natural = trial
    return optimize.OptimizeResult(x=t, fun=f, jac=g, hess=H, nit=nit, natural=natural,
                                   success=bool(np.max(np.abs(g)) < gtol))


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
    gradient, symmetrised (for the models without ``loglik_hessian``)."""
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
        res = None
        if getattr(model, "has_hessian", False):
            res = newton(model, t0, scale)
            method, nit = "Newton (analytic Hessian)", int(res.nit)
            gamma = _to_p(model, res.x)[model.k + 1]
            if not (res.success and 1e-5 < gamma < 1.0 - 1e-5):   # gamma at a bound: the BFGS route
                res = None
        if res is None:
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
    analytic = getattr(model, "has_hessian", False)
    if analytic and "natural" in res:
        ll, g, H = res.natural
    elif analytic:
        ll, g, H = model.loglik_hessian(p)
    else:
        ll, g = model.loglik(p)
        H = gradient_hessian(model, p)
    if polish:                              # Newton steps in the natural parameters
        for _ in range(6):              # (without an analytic Hessian, the one at the BFGS solution is kept)
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
                        trial = model.loglik_hessian(pn) if analytic else model.loglik(pn)
                    # a higher log-likelihood, or one equal to rounding with a smaller gradient
                    if np.isfinite(trial[0]) and (trial[0] > ll or (
                            trial[0] >= ll - 1e-12 and np.max(np.abs(trial[1])) < np.max(np.abs(g)))):
                        improved = True
                        break
                lam *= 0.5
            if not improved:
                break
            p = pn
            if analytic:
                ll, g, H = trial
            else:
                ll, g = trial
            if np.max(np.abs(g)) < 1e-9 * scale:
                break
        if not analytic and np.max(np.abs(g)) > 1e-6 * scale:     # moved noticeably: the Hessian there
            H = gradient_hessian(model, p)
    try:
        vcov = np.linalg.inv(-H)
    except np.linalg.LinAlgError:
        vcov = np.full_like(H, np.nan)
    # first-order conditions; with gamma at a bound (e.g. wrong skew: gamma -> 0) the log-likelihood is
    # flat in gamma there and the condition is taken on the logit scale of gamma (the optimiser's)
    kg = model.k + 1
    gs = g / scale
    inner = np.delete(gs, kg)
    bound = p[kg] < 1e-5 or p[kg] > 1.0 - 1e-5
    kkt = abs(gs[kg]) * (p[kg] * (1.0 - p[kg]) if bound else 1.0) < 1e-4
    converged = bool(np.isfinite(ll) and kkt and (inner.size == 0 or np.max(np.abs(inner)) < 1e-4))
    return Fit(p, float(ll), H, vcov, converged, nit, method, g)


def kodde_palm(lr: float, df: int, alpha: float = 0.05):
    """p-value and critical value of the one-sided LR test of gamma = 0 (plus df - 1 other
    restrictions): the mixed chi-square 1/2 chi2(df-1) + 1/2 chi2(df) of Kodde and Palm (1986)."""
    def sf(c):
        lo = (1.0 if c <= 0 else 0.0) if df == 1 else stats.chi2.sf(c, df - 1)
        return 0.5 * lo + 0.5 * stats.chi2.sf(c, df)
    crit = optimize.brentq(lambda c: sf(c) - alpha, 1e-8, 200.0)
    return float(sf(max(lr, 0.0)) if lr > 0 else 1.0), float(crit)
