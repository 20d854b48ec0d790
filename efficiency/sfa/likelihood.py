"""Log-likelihoods and their analytic gradients for stochastic frontier models.

The model is y = x'beta + v - s*u with s = 1 for a production and s = -1 for a cost frontier
(Aigner, Lovell and Schmidt 1977; Meeusen and van den Broeck 1977), v ~ N(0, sigma_v^2) and u >= 0.
With eps = s*(y - x'beta) = s*v - u every model below is written for a production frontier.

Parameters are those of R's ``frontier`` (Coelli's FRONTIER 4.1): the frontier coefficients beta,
``sigma_sq`` = sigma_u^2 + sigma_v^2, ``gamma`` = sigma_u^2 / sigma_sq, then the parameters of the
mean of u (``mu``, or the inefficiency-effects coefficients ``delta``) and the decay ``eta``.

* Truncated-normal family (``TNModel``): u_it = exp(-eta (t - T)) u_i with u_i ~ N+(mu_i, sigma_u^2).
  This one likelihood covers the half-normal cross-section (Aigner et al. 1977; mu = 0), the
  truncated normal (Stevenson 1980; mu free), the Battese-Coelli (1992) panel with time-varying
  decay eta (and its time-invariant special case eta = 0) and, with one group per observation and
  mu_it = z_it'delta, the Battese-Coelli (1995) inefficiency-effects model.
* Exponential (``ExpModel``): u ~ Exp with mean sigma_u (Meeusen and van den Broeck 1977); here
  sigma_u^2 = gamma * sigma_sq is the variance of u, so sigma_u = sqrt(exp(Zu)) of sfaR.

The conditional distribution of u given the residuals is N+(mu*, sigma*^2) in every model; it gives
the Battese-Coelli (1988) predictor E[exp(-u)|e], the Jondrow, Lovell, Materov and Schmidt (1982)
predictor E[u|e] and the Horrace-Schmidt (1996) confidence bounds (``conditional``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import log_ndtr, ndtri_exp

LOG_2PI = float(np.log(2.0 * np.pi))
_HALF_LOG_2PI = 0.5 * LOG_2PI


def _mills(x: np.ndarray, log_cdf: np.ndarray) -> np.ndarray:
    """phi(x) / Phi(x), stable in both tails."""
    return np.exp(-0.5 * x * x - _HALF_LOG_2PI - log_cdf)


@dataclass
class TNModel:
    """Data of a truncated-normal-family model (see the module docstring).

    ``group`` maps each observation to its firm (0..G-1), ``None`` when each observation is its own
    group (cross-sections and BC95). ``tt`` is t - T for the BC92 decay (``None``: no decay
    parameter). ``Z`` (G x p) gives mu_g = Z delta; p = 0 is the half-normal.
    """

    y: np.ndarray
    X: np.ndarray
    sign: float = 1.0
    Z: np.ndarray | None = None
    group: np.ndarray | None = None
    n_groups: int = 0
    tt: np.ndarray | None = None
    fixed_eta: float = 0.0

    def __post_init__(self):
        # cross-sections and BC95 (one observation per group, no decay) run on the fused numba kernel
        self.fused = self.group is None and self.tt is None
        if self.fused:
            self._Xc = np.ascontiguousarray(self.X, dtype=float)
            self._yc = np.ascontiguousarray(self.y, dtype=float)
            self._Zc = np.ascontiguousarray(self.Z if self.Z is not None else np.zeros((len(self.y), 0)),
                                            dtype=float)
        if self.group is not None:
            self.T = np.bincount(self.group, minlength=self.n_groups).astype(float)
        else:
            self.n_groups = len(self.y)
            self.T = 1.0

    @property
    def k(self) -> int:
        return self.X.shape[1]

    @property
    def pz(self) -> int:
        return 0 if self.Z is None else self.Z.shape[1]

    @property
    def has_eta(self) -> bool:
        return self.tt is not None

    @property
    def n_params(self) -> int:
        return self.k + 2 + self.pz + int(self.has_eta)

    def _sum(self, v):
        return v if self.group is None else np.bincount(self.group, weights=v, minlength=self.n_groups)

    def _expand(self, v):
        return v if self.group is None or np.ndim(v) == 0 else v[self.group]

    def unpack(self, p):
        k, pz = self.k, self.pz
        eta = p[k + 2 + pz] if self.has_eta else self.fixed_eta
        return p[:k], p[k], p[k + 1], p[k + 2:k + 2 + pz], eta

    @property
    def has_hessian(self) -> bool:
        """True when ``loglik_hessian`` gives the analytic Hessian (cross-sections and BC95)."""
        return self.fused

    def _kernel(self, p, mode: int):
        from ._kernel import tn_cross_section
        k, pz = self.k, self.pz
        p = np.asarray(p, dtype=float)
        return tn_cross_section(self._yc, self._Xc, self._Zc, float(self.sign), np.ascontiguousarray(p[:k]),
                                np.ascontiguousarray(p[k + 2:k + 2 + pz]), float(p[k]), float(p[k + 1]), mode)

    def loglik_hessian(self, p):
        """(log-likelihood, gradient, Hessian) at natural parameters p, all analytic (fused kernel)."""
        if not self.fused:
            raise NotImplementedError("analytic Hessian: cross-section and BC95 models only")
        ll, g, H = self._kernel(p, 2)
        return float(ll), g, H

    def loglik(self, p, grad: bool = True, per_group: bool = False):
        """Log-likelihood at natural parameters p = (beta, sigma_sq, gamma, delta, [eta]) and, with
        ``grad``, its gradient; ``per_group`` returns the log-likelihood of each group instead."""
        if self.fused and not per_group:
            ll, g, _ = self._kernel(p, int(grad))
            return float(ll) if not grad else (float(ll), g)
        return self.loglik_numpy(p, grad, per_group)

    def loglik_numpy(self, p, grad: bool = True, per_group: bool = False):
        """``loglik`` in numpy (every model of the family; the twin of the fused kernel)."""
        beta, S, g, delta, eta = self.unpack(p)
        eps = self.sign * (self.y - self.X @ beta)
        et = None if (self.tt is None and eta == 0.0) else np.exp(-eta * self.tt)
        if self.group is None:
            q, r, e2 = (1.0 if et is None else et * et), (eps if et is None else et * eps), eps * eps
        else:
            q = self.T if et is None else self._sum(et * et)
            r = self._sum(eps if et is None else et * eps)
            e2 = self._sum(eps * eps)
        mu = self.Z @ delta if self.pz else 0.0
        T = self.T
        Ve, Vu = (1.0 - g) * S, g * S
        D = Ve + Vu * q
        M = D * Vu * Ve
        sM = np.sqrt(M)
        a = (mu * Ve - Vu * r) / sM
        su = np.sqrt(Vu)
        lPa = log_ndtr(a)
        if self.pz:
            b = mu / su
            lPb = log_ndtr(b)
        else:
            b, lPb = 0.0, -np.log(2.0)
        llg = (-0.5 * T * LOG_2PI - 0.5 * (T - 1.0) * np.log(Ve) - 0.5 * np.log(D) - e2 / (2.0 * Ve)
               - mu * mu / (2.0 * Vu) + lPa + 0.5 * a * a - lPb)
        if per_group:
            return llg
        ll = float(np.sum(llg))
        if not grad:
            return ll
        hp = _mills(a, lPa) + a
        lam_b = _mills(b, lPb) if self.pz else 0.0
        c = hp * Vu / sM
        d_eps = -eps / Ve - (self._expand(c) if et is None else self._expand(c) * et)
        out = np.empty(self.n_params)
        out[:self.k] = -self.sign * (self.X.T @ d_eps)
        dVe = (-(T - 1.0) / (2.0 * Ve) - 1.0 / (2.0 * D) + e2 / (2.0 * Ve * Ve)
               + hp * (mu / sM - a * Vu * (Ve + D) / (2.0 * M)))
        dVu = (-q / (2.0 * D) + mu * mu / (2.0 * Vu * Vu) + hp * (-r / sM - a * Ve * (D + q * Vu) / (2.0 * M))
               + lam_b * b / (2.0 * Vu))
        out[self.k] = np.sum((1.0 - g) * dVe + g * dVu)
        out[self.k + 1] = S * np.sum(dVu - dVe)
        if self.pz:
            dmu = -mu / Vu + hp * Ve / sM - lam_b / su
            out[self.k + 2:self.k + 2 + self.pz] = self.Z.T @ dmu
        if self.has_eta:
            ett = self.tt * (et if et is not None else 1.0)
            dq = -2.0 * self._sum(ett * (et if et is not None else 1.0))
            dr = -self._sum(ett * eps)
            out[-1] = np.sum(-Vu * dq / (2.0 * D) + hp * (-Vu * dr / sM - a * Vu * Vu * Ve * dq / (2.0 * M)))
        return ll, out

    def conditional(self, p):
        """(mu*, sigma*, h): u_it | e ~ h_it * N+(mu*_g, sigma*_g^2), arrays per observation."""
        beta, S, g, delta, eta = self.unpack(p)
        eps = self.sign * (self.y - self.X @ beta)
        if self.fused:                      # one observation per group, no decay
            mu = self.Z @ delta if self.pz else 0.0
            Ve, Vu = (1.0 - g) * S, g * S
            return (mu * Ve - Vu * eps) / S, np.full_like(eps, np.sqrt(Vu * Ve / S)), np.ones_like(eps)
        et = np.ones_like(eps) if (self.tt is None and eta == 0.0) else np.exp(-eta * self.tt)
        q, r = self._sum(et * et), self._sum(et * eps)
        mu = self.Z @ delta if self.pz else 0.0
        Ve, Vu = (1.0 - g) * S, g * S
        D = Ve + Vu * q
        mstar = (mu * Ve - Vu * r) / D
        sstar = np.sqrt(Vu * Ve / D)
        return self._expand(mstar) * np.ones_like(eps), self._expand(sstar) * np.ones_like(eps), et


@dataclass
class ExpModel:
    """Normal-exponential cross-section (Meeusen and van den Broeck 1977); p = (beta, sigma_sq, gamma)."""

    y: np.ndarray
    X: np.ndarray
    sign: float = 1.0

    @property
    def k(self) -> int:
        return self.X.shape[1]

    @property
    def n_params(self) -> int:
        return self.k + 2

    pz = 0
    has_eta = False
    has_hessian = False

    def unpack(self, p):
        return p[:self.k], p[self.k], p[self.k + 1], p[self.k + 2:self.k + 2], 0.0

    def loglik(self, p, grad: bool = True, per_group: bool = False):
        beta, S, g = p[:self.k], p[self.k], p[self.k + 1]
        eps = self.sign * (self.y - self.X @ beta)
        su, sv = np.sqrt(g * S), np.sqrt((1.0 - g) * S)
        c = -eps / sv - sv / su
        lPc = log_ndtr(c)
        lli = -np.log(su) + sv * sv / (2.0 * su * su) + eps / su + lPc
        if per_group:
            return lli
        ll = float(np.sum(lli))
        if not grad:
            return ll
        lam = _mills(c, lPc)
        d_eps = 1.0 / su - lam / sv
        n = len(eps)
        d_su = -n / su - n * sv * sv / su ** 3 - np.sum(eps) / su ** 2 + np.sum(lam) * sv / su ** 2
        d_sv = n * sv / su ** 2 + np.sum(lam * (eps / sv ** 2 - 1.0 / su))
        out = np.empty(self.n_params)
        out[:self.k] = -self.sign * (self.X.T @ d_eps)
        out[self.k] = d_su * su / (2.0 * S) + d_sv * sv / (2.0 * S)
        out[self.k + 1] = d_su * su / (2.0 * g) - d_sv * sv / (2.0 * (1.0 - g))
        return ll, out

    def conditional(self, p):
        beta, S, g = p[:self.k], p[self.k], p[self.k + 1]
        eps = self.sign * (self.y - self.X @ beta)
        su, sv = np.sqrt(g * S), np.sqrt((1.0 - g) * S)
        mstar = -eps - sv * sv / su
        return mstar, np.full_like(eps, sv), np.ones_like(eps)


def predictions(mstar, sstar, h, alpha: float = 0.05):
    """Efficiency predictors from u | e ~ h * N+(mu*, sigma*^2), per observation.

    Returns a dict: ``bc88`` = E[exp(-u)|e] (Battese and Coelli 1988), ``bc88_reciprocal`` =
    E[exp(u)|e], ``u`` = E[u|e] (Jondrow et al. 1982), ``jlms`` = exp(-E[u|e]), ``mode`` = the mode of
    u|e, ``u_lower``/``u_upper`` bounds of u and ``lower``/``upper`` bounds of exp(-u) with confidence
    1 - ``alpha`` (Horrace and Schmidt 1996).
    """
    from ._kernel import predict_core
    mstar, sstar, h = (np.ascontiguousarray(np.broadcast_to(v, np.shape(mstar)), dtype=float)
                       for v in (mstar, sstar, h))
    out = predict_core(mstar, sstar, h, float(np.log1p(-alpha / 2.0)), float(np.log(alpha / 2.0)))
    # quantiles of N+(mu*, s*^2) at (1 - alpha/2) and alpha/2: mu* - s* Phi^-1(c Phi(mu*/s*))
    lo = np.maximum(mstar - sstar * ndtri_exp(out[5]), 0.0)
    hi = mstar - sstar * ndtri_exp(out[6])
    return {"bc88": out[0], "bc88_reciprocal": out[1], "u": out[2], "jlms": out[3],
            "mode": out[4], "u_lower": h * lo, "u_upper": h * hi,
            "lower": np.exp(-h * hi), "upper": np.exp(-h * lo)}
