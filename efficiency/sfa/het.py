"""Heteroskedastic cross-section SFA (Caudill, Ford and Gropper 1995; Hadri 1999; Wang 2002).

y = x'beta + v - s*u, s = 1 production, -1 cost; eps = s*(y - x'beta) = s*v - u, and per observation

    sigma_u,i^2 = exp(Zu_i'delta)   (Zu_i = (1, uhet columns))   -> sfaR's Zu_(Intercept), Zu_<var>
    sigma_v,i^2 = exp(Zv_i'phi)     (Zv_i = (1, vhet columns))   -> sfaR's Zv_(Intercept), Zv_<var>

* half-normal (u_i ~ N+(0, sigma_u,i^2)), with S_i = sigma_u,i^2 + sigma_v,i^2 and
  t_i = -eps_i sigma_u,i / (sigma_v,i sqrt(S_i)):
      l_i = log 2 - log(2 pi)/2 - log(S_i)/2 - eps_i^2 / (2 S_i) + log Phi(t_i)
* exponential (u_i ~ Exp with mean sigma_u,i, the parameterisation of sfaR: sigma_u = sqrt(exp(Zu))),
  c_i = -eps_i / sigma_v,i - sigma_v,i / sigma_u,i:
      l_i = -log sigma_u,i + sigma_v,i^2 / (2 sigma_u,i^2) + eps_i / sigma_u,i + log Phi(c_i)

Both are functions of (eps_i, a_i = log sigma_u,i^2, b_i = log sigma_v,i^2) only; ``_pieces`` gives
l_i and its three partial derivatives, and the gradient in (beta, delta, phi) is -s X'l_eps, Zu'l_a,
Zv'l_b. The Hessian (standard errors, Newton steps) is central differences of that analytic gradient,
as for the other models without an analytic Hessian (``fit.gradient_hessian``).

u_i | eps_i ~ N+(mu*_i, sigma*_i^2) with the observation's own sigmas: half-normal
mu* = -eps sigma_u^2 / S, sigma* = sigma_u sigma_v / sqrt(S); exponential mu* = -eps - sigma_v^2 /
sigma_u, sigma* = sigma_v; the BC88 / JLMS predictors and bounds follow (``likelihood.predictions``).

Marginal effects on the unconditional E[u_i] (Wang 2002): E[u_i] = sigma_u,i sqrt(2/pi) (half-normal),
sigma_u,i (exponential), and sigma_u,i = exp(Zu_i'delta / 2), so
dE[u_i]/dz_k = delta_k / 2 * E[u_i].
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import log_ndtr

from .likelihood import _mills, predictions

LOG2 = float(np.log(2.0))
_HALF_LOG_2PI = 0.5 * float(np.log(2.0 * np.pi))
SQRT_2_PI = float(np.sqrt(2.0 / np.pi))
HET_DISTS = ("half-normal", "exponential")


def _pieces(eps, a, b, dist: str, grad: bool = True):
    """Per-observation log-likelihood l(eps, a, b) and, with ``grad``, (l_eps, l_a, l_b)."""
    su2, sv2 = np.exp(a), np.exp(b)
    if dist == "half-normal":
        S = su2 + sv2
        t = -eps * np.exp(0.5 * (a - b)) / np.sqrt(S)
        lPt = log_ndtr(t)
        ll = LOG2 - _HALF_LOG_2PI - 0.5 * np.log(S) - eps * eps / (2.0 * S) + lPt
        if not grad:
            return ll
        m = _mills(t, lPt)
        l_eps = -eps / S - m * np.exp(0.5 * (a - b)) / np.sqrt(S)
        l_a = -su2 / (2.0 * S) + eps * eps * su2 / (2.0 * S * S) + m * t * sv2 / (2.0 * S)
        l_b = -sv2 / (2.0 * S) + eps * eps * sv2 / (2.0 * S * S) - m * t * (S + sv2) / (2.0 * S)
        return ll, l_eps, l_a, l_b
    su, sv = np.exp(0.5 * a), np.exp(0.5 * b)
    c = -eps / sv - sv / su
    lPc = log_ndtr(c)
    r = sv2 / (2.0 * su2)
    ll = -0.5 * a + r + eps / su + lPc
    if not grad:
        return ll
    m = _mills(c, lPc)
    l_eps = 1.0 / su - m / sv
    l_a = -0.5 - r - eps / (2.0 * su) + m * sv / (2.0 * su)
    l_b = r + m * (eps / (2.0 * sv) - sv / (2.0 * su))
    return ll, l_eps, l_a, l_b



def gradient_hessian(gradient, p, rel_step: float = 1e-5) -> np.ndarray:
    """The Hessian of a log-likelihood as central differences of its ``gradient`` (a function of the
    parameters), step ``rel_step`` x max(1, |p_j|), symmetrised: the standard errors of the models
    whose second derivatives are not written out (heteroskedastic, latent-class, gamma, ...)."""
    p = np.asarray(p, dtype=float)
    m = len(p)
    H = np.empty((m, m))
    for j in range(m):
        h = rel_step * max(1.0, abs(p[j]))
        pp, pm = p.copy(), p.copy()
        pp[j] += h
        pm[j] -= h
        with np.errstate(all="ignore"):
            H[:, j] = (gradient(pp) - gradient(pm)) / (2.0 * h)
    return 0.5 * (H + H.T)

@dataclass
class HetModel:
    """Data of a heteroskedastic cross-section; p = (beta (k), delta (Zu columns), phi (Zv columns))."""

    y: np.ndarray
    X: np.ndarray
    Zu: np.ndarray
    Zv: np.ndarray
    sign: float = 1.0
    dist: str = "half-normal"

    @property
    def k(self) -> int:
        return self.X.shape[1]

    @property
    def pu(self) -> int:
        return self.Zu.shape[1]

    @property
    def pv(self) -> int:
        return self.Zv.shape[1]

    @property
    def n_params(self) -> int:
        return self.k + self.pu + self.pv

    def split(self, p):
        k, pu = self.k, self.pu
        return p[:k], p[k:k + pu], p[k + pu:]

    def parts(self, p):
        """(eps, a = log sigma_u^2, b = log sigma_v^2) per observation."""
        beta, delta, phi = self.split(np.asarray(p, dtype=float))
        return self.sign * (self.y - self.X @ beta), self.Zu @ delta, self.Zv @ phi

    def loglik(self, p, grad: bool = True, per_obs: bool = False):
        eps, a, b = self.parts(p)
        if per_obs or not grad:
            ll = _pieces(eps, a, b, self.dist, grad=False)
            return ll if per_obs else float(np.sum(ll))
        ll, l_eps, l_a, l_b = _pieces(eps, a, b, self.dist)
        g = np.concatenate([-self.sign * (self.X.T @ l_eps), self.Zu.T @ l_a, self.Zv.T @ l_b])
        return float(np.sum(ll)), g

    def hessian(self, p):
        """Central differences of the analytic gradient, symmetrised."""
        return gradient_hessian(lambda q: self.loglik(q)[1], p)

    def conditional(self, p):
        """(mu*, sigma*, h) of u_i | eps_i ~ N+(mu*_i, sigma*_i^2), per observation."""
        eps, a, b = self.parts(p)
        su2, sv2 = np.exp(a), np.exp(b)
        if self.dist == "half-normal":
            S = su2 + sv2
            return -eps * su2 / S, np.sqrt(su2 * sv2 / S), np.ones_like(eps)
        su, sv = np.sqrt(su2), np.sqrt(sv2)
        return -eps - sv2 / su, sv, np.ones_like(eps)

    def u_mean(self, p):
        """Unconditional E[u_i] with the observation's sigma_u,i."""
        _, a, _ = self.parts(p)
        su = np.exp(0.5 * a)
        return su * SQRT_2_PI if self.dist == "half-normal" else su

    def marginal_effects(self, p):
        """dE[u_i]/dz_k = delta_k / 2 * E[u_i] (Wang 2002), a column per Zu column but the intercept."""
        _, delta, _ = self.split(np.asarray(p, dtype=float))
        return np.outer(self.u_mean(p), 0.5 * delta[1:])


@dataclass
class HetFit:
    params: np.ndarray
    llf: float
    gradient: np.ndarray
    hessian: np.ndarray
    vcov: np.ndarray
    converged: bool
    n_iter: int
    n_evals: int
    method: str
    notes: list


def maximise_het(model: HetModel, start, *, gtol: float = 1e-8, maxiter: int = 100) -> HetFit:
    """Maximise the log-likelihood: BFGS on -l/n with the analytic gradient, then Newton steps on the
    numerical Hessian (with a backtracking line search) until max |gradient| / n < ``gtol``."""
    from scipy import optimize
    n = float(len(model.y))
    evals = [0]

    def f(p):
        evals[0] += 1
        with np.errstate(all="ignore"):
            ll, g = model.loglik(p)
        if not np.isfinite(ll) or not np.all(np.isfinite(g)):
            return 1e30, np.zeros_like(p)
        return -ll / n, -g / n

    p = np.asarray(start, dtype=float)
    notes: list[str] = []
    res = optimize.minimize(f, p, jac=True, method="BFGS", options={"gtol": 1e-9, "maxiter": 2000})
    if np.isfinite(res.fun) and res.fun < 1e29:
        p = res.x
    nit = int(res.nit)
    method = "BFGS + Newton (numerical Hessian)"
    ll, g = model.loglik(p)
    H = model.hessian(p)
    for _ in range(maxiter):
        if np.max(np.abs(g)) / n < gtol:
            break
        try:
            w = np.linalg.eigvalsh(-H)
            shift = 0.0 if w[0] > 1e-12 * max(w[-1], 1e-300) else (-w[0] + 1e-8 * max(abs(w[-1]), 1.0))
            step = np.linalg.solve(-H + shift * np.eye(len(p)), g)
        except np.linalg.LinAlgError:
            break
        lam, improved = 1.0, False
        while lam > 1e-8:
            pn = p + lam * step
            with np.errstate(all="ignore"):
                trial = model.loglik(pn)
            evals[0] += 1
            if np.isfinite(trial[0]) and (trial[0] > ll or (trial[0] >= ll - 1e-12 * max(1.0, abs(ll))
                                                            and np.max(np.abs(trial[1])) < np.max(np.abs(g)))):
                improved = True
                break
            lam *= 0.5
        if not improved:
            break
        nit += 1
        p, (ll, g) = pn, trial
        H = model.hessian(p)
    converged = bool(np.isfinite(ll) and np.max(np.abs(g)) / n < 1e-6)
    if not converged:
        notes.append(f"the first-order conditions do not hold (max |gradient| / n = {np.max(np.abs(g)) / n:.2g})")
    vcov = np.full_like(H, np.nan)
    try:
        inv = np.linalg.inv(-H)
        vcov = 0.5 * (inv + inv.T)
    except np.linalg.LinAlgError:
        notes.append("the Hessian is singular: no standard errors")
    return HetFit(p, float(ll), g, H, vcov, converged, nit, evals[0], method, notes)


def sfa_het(raw, y, X, names, dep, ids, sign, *, form, dist, cost, uhet, vhet, alpha, stacklevel=4):
    """The heteroskedastic model behind ``sfa(..., uhet=, vhet=)``: returns an ``SFAResult``. ``uhet`` and
    ``vhet`` are (Z, parameter names) pairs: the variance covariates with their intercept column."""
    from scipy import stats
    from ..errors import ConvergenceWarning
    from ._kernel import kernel_threads
    from .fit import grid_start, kodde_palm, maximise, ols, warn_wrong_skewness
    from .likelihood import ExpModel, TNModel
    from .results import SFAResult

    (Zu, u_names), (Zv, v_names) = uhet, vhet
    n, k = len(y), X.shape[1]
    beta_ols, resid, llf_ols = ols(y, X)
    skew = float(stats.skew(resid))
    warn_wrong_skewness(raw.source, skew, cost, stacklevel)
    model = HetModel(y, X, Zu, Zv, sign, dist)
    with kernel_threads(n):
        # start: the homoskedastic fit (its llf is reached with the slopes of Zu and Zv at 0)
        base = ExpModel(y, X, sign) if dist == "exponential" else TNModel(y, X, sign)
        hom = maximise(base, [grid_start(base, beta_ols, resid, exponential=dist == "exponential", intercept=0)])
    S, g = hom.params[k], hom.params[k + 1]
    su2, sv2 = max(g * S, 1e-8 * S), max((1.0 - g) * S, 1e-8 * S)
    start = np.concatenate([hom.params[:k], [np.log(su2)], np.zeros(Zu.shape[1] - 1), [np.log(sv2)],
                            np.zeros(Zv.shape[1] - 1)])
    fit = maximise_het(model, start)
    p = fit.params
    if not fit.converged:
        warnings.warn(ConvergenceWarning(f"{raw.source}: the heteroskedastic SFA fit did not converge. "
                                         + "; ".join(fit.notes)), stacklevel=stacklevel)
    par_names = list(names) + u_names + v_names
    se = np.sqrt(np.where(np.diag(fit.vcov) > 0, np.diag(fit.vcov), np.nan))
    zval = p / se
    estimates = pd.DataFrame({"estimate": p, "std_error": se, "z_value": zval,
                              "p_value": 2.0 * stats.norm.sf(np.abs(zval))}, index=par_names)
    vcov = pd.DataFrame(fit.vcov, index=par_names, columns=par_names)
    mstar, sstar, h = model.conditional(p)
    pr = predictions(mstar, sstar, h, alpha)
    eps, a, b = model.parts(p)
    su2_i, sv2_i = np.exp(a), np.exp(b)
    sig_sq = float(np.mean(su2_i) + np.mean(sv2_i))
    lr = 2.0 * (fit.llf - llf_ols)
    lr_df = Zu.shape[1] + Zv.shape[1] - 1
    lr_p, lr_crit = kodde_palm(lr, lr_df)
    u_cols = [c[len("Zu_"):] for c in u_names[1:]]
    me = pd.DataFrame(model.marginal_effects(p), index=ids, columns=u_cols) if u_cols else None
    series = lambda v, name: pd.Series(v, index=ids, name=name)  # noqa: E731
    return SFAResult(
        form=form, dist=dist, cost=bool(cost), panel=None, dependent=dep, ids=ids,
        params=pd.Series(p, index=par_names, name="params"), estimates=estimates, vcov=vcov,
        llf=fit.llf, llf_ols=float(llf_ols), sigma_sq=sig_sq, gamma=float(np.mean(su2_i)) / sig_sq, mu=None,
        eta=None, delta=None,
        efficiency=series(pr["bc88"], "efficiency"), jlms=series(pr["jlms"], "jlms"),
        lower=series(pr["lower"], "lower"), upper=series(pr["upper"], "upper"), u_mean=series(pr["u"], "u"),
        efficiency_reciprocal=series(pr["bc88_reciprocal"], "efficiency_reciprocal"),
        residuals=series(y - X @ p[:k], "residual"), ols_params=pd.Series(beta_ols, index=names, name="ols"),
        skewness=skew, lr_statistic=float(lr), lr_df=lr_df, lr_critical=lr_crit, lr_pvalue=lr_p,
        nobs=n, n_firms=None, n_periods=None, converged=fit.converged, n_iter=fit.n_iter,
        method=fit.method, marginal_effects=me, alpha=float(alpha), fallback=False, at_bound=(),
        convergence_notes=tuple(fit.notes), n_evaluations=fit.n_evals,
        uhet=pd.Series(p[k:k + Zu.shape[1]], index=u_names, name="uhet"),
        vhet=pd.Series(p[k + Zu.shape[1]:], index=v_names, name="vhet"),
        sigma_u_i=series(np.sqrt(su2_i), "sigma_u"), sigma_v_i=series(np.sqrt(sv2_i), "sigma_v"))
