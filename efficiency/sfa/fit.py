"""Maximum-likelihood estimation: OLS / corrected-OLS starting values with a grid over gamma (as
FRONTIER 4.1 does), then, on an unconstrained parameterisation (log sigma_sq, logit gamma):

* models with an analytic Hessian (cross-sections, BC95): Newton's method with a line search
  (``newton``), which converges in a handful of iterations;
* the others: BFGS with the analytic gradient;
* when that primary optimiser fails: BFGS (after Newton), then L-BFGS-B, then Nelder-Mead; the fit
  records that it fell back (``Fit.fallback``) and the caller warns;

a few Newton steps on the Hessian at the end, and the Hessian (analytic, or central differences of
the analytic gradient) for the standard errors. Every optimisation from one start may spend at most
``MAX_EVALUATIONS`` likelihood evaluations: a likelihood without an interior maximum (the truncated
normal whose mu runs to -infinity, e.g.) is followed that far, no further, and the best point found is
returned as not converged. The budget counts evaluations rather than seconds, so that a fit gives the
same numbers on a quiet and on a busy machine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from .._lazy import LazyModule

optimize = LazyModule("scipy.optimize")
stats = LazyModule("scipy.stats")
from scipy.special import expit, logit

G_MIN, G_MAX = 1e-10, 1.0 - 1e-10
#: gamma within this of 0 or 1 is at its bound (no inefficiency, or no noise)
G_BOUND = 1e-5
#: likelihood evaluations (with or without gradient and Hessian) allowed to the optimisation from one start
MAX_EVALUATIONS = 1000
NEWTON = "Newton (analytic Hessian)"


def warn_wrong_skewness(source: str, skew: float, cost: bool, stacklevel: int, residuals: str = "OLS") -> None:
    """A :class:`SkewnessWarning` when the residuals' skewness has the wrong sign for the frontier
    (positive for production, negative for cost; Waldman 1982): the data then show no inefficiency and
    the ML gamma tends to 0. ``stacklevel`` counts from the caller, as for ``warnings.warn``."""
    if (-1.0 if cost else 1.0) * skew > 0:
        import warnings

        from ..errors import SkewnessWarning

        warnings.warn(SkewnessWarning(
            f"{source}: the {residuals} residuals are skewed the wrong way for a {'cost' if cost else 'production'} "
            f"frontier (skewness {skew:.4f}, expected {'>' if cost else '<'} 0): the data show no inefficiency, "
            "gamma is likely to go to 0 and the efficiencies to 1"), stacklevel=stacklevel + 1)


@dataclass
class Fit:
    params: np.ndarray          # natural parameters (beta, sigma_sq, gamma, delta, [eta])
    llf: float
    hessian: np.ndarray
    vcov: np.ndarray            # NaN in the rows and columns of parameters at a bound
    converged: bool             # first-order (Kuhn-Tucker) conditions hold and the budget was not spent
    n_iter: int
    method: str                 # the optimiser(s) that produced the estimate
    gradient: np.ndarray
    primary: str = NEWTON       # the optimiser the model calls for
    fallback: bool = False      # ``method`` is not ``primary``: the primary optimiser failed
    at_bound: tuple = ()        # indices of the parameters at a bound (gamma at 0 or 1)
    stopped: bool = False       # the evaluation budget ran out
    n_evals: int = 0            # likelihood evaluations spent (every start, polishing excluded)
    notes: list = field(default_factory=list)   # what happened, in words (for the warning and summary)


class _Exhausted(Exception):
    """The evaluation budget of one optimisation ran out."""


class _Budget:
    """Likelihood evaluations of one optimisation, capped at ``limit``; keeps the best point seen."""

    def __init__(self, limit: int):
        self.limit, self.used = int(limit), 0
        self.best: tuple[np.ndarray, float] | None = None
        self.stage = ""                     # the optimiser running
        self.nit = 0                        # iterations of the optimisers that finished
        self.notes: list[str] = []          # what failed so far

    def spend(self):
        if self.used >= self.limit:
            raise _Exhausted
        self.used += 1

    def seen(self, t, f):
        if np.isfinite(f) and f < 1e29 and (self.best is None or f < self.best[1]):
            self.best = (np.array(t, dtype=float), float(f))


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


def _objective(model, scale, budget: _Budget):
    def f(t):
        budget.spend()
        p = _to_p(model, t)
        with np.errstate(all="ignore"):
            ll, g = model.loglik(p)
        if not np.isfinite(ll) or not np.all(np.isfinite(g)):
            return 1e30, np.zeros_like(t)
        k = model.k
        g = g.copy()
        g[k] *= p[k]
        g[k + 1] *= p[k + 1] * (1.0 - p[k + 1])
        budget.seen(t, -ll / scale)
        return -ll / scale, -g / scale
    return f


def _theta_point(model, t, scale, budget: _Budget):
    """-loglik / scale, its gradient and Hessian in theta = (beta, log sigma_sq, logit gamma, delta)
    from one analytic evaluation, and (loglik, gradient, Hessian) in the natural parameters; ``None``
    where the log-likelihood is not finite."""
    budget.spend()
    p = _to_p(model, t)
    k = model.k
    with np.errstate(all="ignore"):
        ll, g, H = model.loglik_hessian(p)
    if not (np.isfinite(ll) and np.all(np.isfinite(g)) and np.all(np.isfinite(H))):
        return None
    d = np.ones(len(t))                          # d p / d theta, then the second-derivative terms
    d[k], d[k + 1] = p[k], p[k + 1] * (1.0 - p[k + 1])
    with np.errstate(all="ignore"):
        Ht = H * np.outer(d, d)
        Ht[k, k] += g[k] * p[k]
        Ht[k + 1, k + 1] += g[k + 1] * d[k + 1] * (1.0 - 2.0 * p[k + 1])
    if not np.all(np.isfinite(Ht)):
        return None
    budget.seen(t, -ll / scale)
    return -ll / scale, -g * d / scale, -Ht / scale, (ll, g, H)


#: f = -loglik / n is resolved to about this many units in the last place (sums of n rounded terms)
_F_ULPS = 64.0


def _newton_direction(H, g):
    """-H^-1 g, with a Levenberg-Marquardt shift where H is not positive definite; (d, shift)."""
    w = np.linalg.eigvalsh(H)
    shift = 0.0 if w[0] > 1e-12 * max(w[-1], 1e-300) else (-w[0] + 1e-8 * max(abs(w[-1]), 1.0))
    return -np.linalg.solve(H + shift * np.eye(len(g)), g), shift


def newton(model, t0, scale, budget: _Budget, *, gtol: float = 1e-10, maxiter: int = 50):
    """Minimise f = -loglik / scale over theta by Newton's method with the analytic Hessian: a
    Levenberg-Marquardt shift where the Hessian is not positive definite and a backtracking
    (Armijo) line search (Nocedal and Wright 2006, ch. 3). Converges in a few iterations from the
    FRONTIER start; returns a scipy ``OptimizeResult`` (success when max |gradient| < ``gtol``).

    Stopping rule: besides the gradient test, the Newton decrement lambda^2 = -g'd (twice the
    decrease the quadratic model predicts for the full step d; Boyd and Vandenberghe 2004, sec.
    9.5.1). Once lambda^2 / 2 is below what f resolves in floating point (``_F_ULPS`` units in the
    last place of f), a line search can no longer tell a better point from rounding - it would
    backtrack on noise, iteration after iteration - so the full Newton step is taken (near the
    optimum it leaves an error of the order of the square of the current one) and the iteration
    stops with success. Without this rule large samples (n = 10 000 and more, where the gradient
    of f is itself only resolved to about 1e-10) could wander through hundreds of line-search
    evaluations and fail over to BFGS.

    gamma is kept in [G_MIN, G_MAX] (logit gamma clamped): where it reaches a clamp and the Newton
    step points further out, gamma is held there and the step is taken in the other parameters (an
    active set; the first-order condition of the bound is then the sign of the step). Without it the
    flat likelihood beyond the clamp made Newton crawl through its whole budget."""
    t = np.asarray(t0, dtype=float)
    kg = model.k + 1
    t_lo, t_hi = float(logit(G_MIN)), float(logit(G_MAX))
    t[kg] = min(max(t[kg], t_lo), t_hi)
    cur = _theta_point(model, t, scale, budget)
    if cur is None:
        return optimize.OptimizeResult(x=t, fun=1e30, jac=np.zeros_like(t), nit=0, success=False,
                                       message="the log-likelihood is not finite at the start")
    f, g, H, natural = cur
    free = np.ones(len(t), dtype=bool)
    nit, message = 0, "gradient below tolerance"
    converged = bool(np.max(np.abs(g)) < gtol)
    while not converged and nit < maxiter:
        nit += 1
        d, shift = _newton_direction(H, g)
        free[:] = True
        if (t[kg] >= t_hi and d[kg] > 0) or (t[kg] <= t_lo and d[kg] < 0):      # gamma held at its clamp
            free[kg] = False
            d = np.zeros_like(t)
            d[free], shift = _newton_direction(H[np.ix_(free, free)], g[free])
            if np.max(np.abs(g[free])) < gtol:
                converged = True
                break
        slope = float(g @ d)
        resolution = _F_ULPS * np.finfo(float).eps * max(abs(f), np.finfo(float).tiny)
        if shift == 0.0 and -0.5 * slope <= resolution:
            trial = _theta_point(model, t + d, scale, budget)
            if trial is not None and trial[0] <= f + resolution:
                t = t + d
                f, g, H, natural = trial
            converged, message = True, "Newton decrement below the resolution of the log-likelihood"
            break
        step, accepted = 1.0, False
        while step > 1e-12:
            tn = t + step * d
            tn[kg] = min(max(tn[kg], t_lo), t_hi)
            trial = _theta_point(model, tn, scale, budget)
            # Armijo, with room for rounding once f no longer resolves the progress
            if trial is not None and trial[0] <= f + 1e-4 * step * slope + 4e-16 * abs(f):
                accepted = True
                break
            step *= 0.5
        if not accepted:
            message = "the line search found no better point"
            break
        t = tn
        f, g, H, natural = trial
        converged = bool(np.max(np.abs(g[free])) < gtol)
    else:
        if not converged:
            message = f"no convergence in {maxiter} iterations"
    if converged and not free[kg]:
        message = "converged with gamma held at its bound"
    return optimize.OptimizeResult(x=t, fun=f, jac=g, hess=H, nit=nit, natural=natural, success=converged,
                                   message=message)


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


def _bad(res) -> bool:
    gnorm = np.max(np.abs(res.jac)) if getattr(res, "jac", None) is not None else np.inf
    return not np.isfinite(res.fun) or res.fun >= 1e29 or (not res.success and gnorm > 1e-5)


def _from_start(model, t0, scale, budget: _Budget, analytic: bool):
    """Optimise from one start (theta): the primary optimiser, then the fallbacks where it fails.
    Returns (scipy result, method, iterations); ``budget.notes`` says what failed. Raises
    ``_Exhausted`` past the budget (``budget.stage`` is then the optimiser that was running)."""
    f = _objective(model, scale, budget)
    nit, res = 0, None
    if analytic:
        budget.stage = NEWTON
        res = newton(model, t0, scale, budget)
        method, nit = NEWTON, int(res.nit)
        budget.nit = nit
        if not res.success:
            budget.notes.append(f"Newton's method failed ({res.message})")
            res = None
    if res is None:
        method = budget.stage = "BFGS (Newton fallback)" if analytic else "BFGS"
        res = optimize.minimize(f, t0, jac=True, method="BFGS", options={"gtol": 1e-9, "maxiter": 2000})
        nit = budget.nit = nit + int(res.nit)
    if _bad(res):
        budget.notes.append(f"BFGS failed ({str(res.message).rstrip('.')})")
        budget.stage = "L-BFGS-B (fallback)"
        alt = optimize.minimize(f, res.x if np.isfinite(res.fun) and res.fun < 1e29 else t0, jac=True,
                                method="L-BFGS-B", options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 5000})
        if alt.fun < res.fun:
            res, method, nit = alt, budget.stage, nit + int(alt.nit)
        budget.nit = nit
        gnorm = np.max(np.abs(f(res.x)[1]))
        if gnorm > 1e-5:
            budget.notes.append(f"L-BFGS-B ended with max |gradient| / n = {gnorm:.2g}")
            budget.stage = "Nelder-Mead + BFGS (fallback)"
            nm = optimize.minimize(lambda t: f(t)[0], res.x, method="Nelder-Mead",
                                   options={"xatol": 1e-10, "fatol": 1e-14, "maxiter": 20000})
            if nm.fun < res.fun:
                res = optimize.minimize(f, nm.x, jac=True, method="BFGS", options={"gtol": 1e-9})
                method, nit = budget.stage, nit + int(nm.nit) + int(res.nit)
    return res, method, nit


def maximise(model, starts, *, polish: bool = True, max_evaluations: int = MAX_EVALUATIONS) -> Fit:
    """Maximise the log-likelihood from each start (natural parameters); keep the best.

    Each start may spend ``max_evaluations`` likelihood evaluations; past them the best point that
    start reached is kept, and the fit is not converged (``Fit.stopped``)."""
    scale = float(len(model.y))
    analytic = bool(getattr(model, "has_hessian", False))
    primary = NEWTON if analytic else "BFGS"
    best, n_evals = None, 0
    for p0 in starts:
        budget = _Budget(max_evaluations)
        try:
            res, method, nit = _from_start(model, _to_theta(model, p0), scale, budget, analytic)
            stopped = False
        except _Exhausted:
            if budget.best is None:
                continue
            t, fun = budget.best
            res = optimize.OptimizeResult(x=t, fun=fun, jac=None, success=False)
            method, nit, stopped = budget.stage, budget.nit, True
            budget.notes.append(f"{budget.stage.split(' (')[0]} stopped at the budget of {budget.limit} likelihood "
                                "evaluations without converging; the best point it found is reported")
        notes = budget.notes
        n_evals += budget.used
        if best is None or res.fun < best[0].fun:
            best = (res, method, nit, notes, stopped)
    if best is None:
        raise RuntimeError("no start gave a finite log-likelihood")
    res, method, nit, notes, stopped = best
    p = _to_p(model, res.x)
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
    kg = model.k + 1
    at_bound = (kg,) if (p[kg] < G_BOUND or p[kg] > 1.0 - G_BOUND) else ()
    # the covariance of the free parameters (the bound ones held at their bound); the bound ones have
    # none: the log-likelihood is not regular there (the true value may lie on the bound)
    free = [j for j in range(len(p)) if j not in at_bound]
    vcov = np.full_like(H, np.nan)
    try:
        inv = np.linalg.inv(-H[np.ix_(free, free)])
        vcov[np.ix_(free, free)] = 0.5 * (inv + inv.T)             # symmetric to the last bit
    except np.linalg.LinAlgError:
        notes.append("the Hessian is singular: no standard errors")
    # first-order conditions; with gamma at a bound (e.g. wrong skew: gamma -> 0) the log-likelihood is
    # flat in gamma there and the condition is taken on the logit scale of gamma (the optimiser's)
    gs = g / scale
    inner = np.delete(gs, kg)
    kkt = abs(gs[kg]) * (p[kg] * (1.0 - p[kg]) if at_bound else 1.0) < 1e-4
    converged = bool(np.isfinite(ll) and kkt and (inner.size == 0 or np.max(np.abs(inner)) < 1e-4)
                     and not stopped)
    if not converged and not stopped:
        notes.append(f"the first-order conditions do not hold (max |gradient| / n = {np.max(np.abs(gs)):.2g})")
    return Fit(p, float(ll), H, vcov, converged, nit, method, g, primary=primary,
               fallback=method != primary, at_bound=at_bound, stopped=stopped, n_evals=n_evals, notes=notes)


def kodde_palm(lr: float, df: int, alpha: float = 0.05):
    """p-value and critical value of the one-sided LR test of gamma = 0 (plus df - 1 other
    restrictions): the mixed chi-square 1/2 chi2(df-1) + 1/2 chi2(df) of Kodde and Palm (1986)."""
    def sf(c):
        lo = (1.0 if c <= 0 else 0.0) if df == 1 else stats.chi2.sf(c, df - 1)
        return 0.5 * lo + 0.5 * stats.chi2.sf(c, df)
    crit = optimize.brentq(lambda c: sf(c) - alpha, 1e-8, 200.0)
    return float(sf(max(lr, 0.0)) if lr > 0 else 1.0), float(crit)
