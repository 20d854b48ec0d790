"""Wang and Ho (2010) fixed-effect stochastic frontier by first differences: ``sfa(..., panel="wang-ho")``.

Wang, H.-J. and Ho, C.-W. (2010), "Estimating fixed-effect panel stochastic frontier models by model
transformation", Journal of Econometrics 157, 286-296 (Stata: ``sfpanel, model(fdml)``, Belotti,
Daidone, Ilardi and Atella 2013, Stata Journal 13(4)). The model, with s = 1 (production) or -1 (cost),

    y_it = alpha_i + x_it'beta + v_it - s u_it,   u_it = h_it u_i*,   h_it = exp(z_it'delta),
    v_it ~ N(0, sigma_v^2),   u_i* ~ N+(mu, sigma_u^2)   (mu = 0: half-normal, the default),

has a scaling-property inefficiency: the shape of u is the same for every row of a unit, only its scale
h_it moves (z has no constant: it would be absorbed by sigma_u). Differencing over t removes alpha_i
without touching u_i*: with e_i = s (Delta y_i - Delta X_i beta) and g_i = Delta h_i (T_i - 1 vectors),
e_i = Delta v_i - g_i u_i*, Delta v_i ~ N(0, Sigma_i), Sigma_i = sigma_v^2 P, P = tridiag(-1, 2, -1)
((T_i - 1) x (T_i - 1), |P| = T_i). Their closed form of the density of e_i (section 3):

    sigma**^2 = 1 / (g'Sigma^-1 g + 1/sigma_u^2),    mu** = sigma**^2 (mu/sigma_u^2 - e'Sigma^-1 g),
    l_i = -(T_i - 1)/2 log(2 pi) - 1/2 log|Sigma_i| - e'Sigma^-1 e / 2 + (mu**^2/sigma**^2 - mu^2/sigma_u^2) / 2
          + log(sigma** Phi(mu**/sigma**)) - log(sigma_u Phi(mu/sigma_u)).

As they show, the within transformation gives the same likelihood: D'(D D')^-1 D = I - 11'/T for the
difference matrix D, so e'Sigma^-1 e = sum_t (r_it - rbar_i)^2 / sigma_v^2 with r_it = s (y_it - x_it'beta)
in levels, and likewise e'Sigma^-1 g and g'Sigma^-1 g with the unit-demeaned h_it; that is how it is
computed here (vectorised over units, each with its own T_i: unbalanced panels are fine). The result is
invariant to which period is dropped by the differencing. A unit with one row has no difference: its
likelihood term is 0 (a warning says how many); its efficiency is the prior E[exp(-h u*)].

Efficiency (their eq. 13 and after): u_i* | e_i ~ N+(mu**, sigma**^2), so E[u_it | e_i] = h_it (mu** +
sigma** phi/Phi) (JLMS), E[exp(-u_it) | e_i] (Battese-Coelli 1988) and the Horrace-Schmidt bounds follow
as for any u = h N+(mu*, sigma*^2). The fixed effects are recovered afterwards as
alpha_i = mean_t (y_it - x_it'beta + s E[u_it | e_i]) (``unit_effects``).

Parameters (``estimates``): the frontier slopes (no intercept: alpha_i take it), the h-function
coefficients ``Z_<column>`` (also in ``delta``), then ``sigma_u``, ``sigma_v`` (and ``mu`` with
dist='truncated-normal'), estimated on log scales for the variances (delta method for their standard
errors). ``llf_ols`` is the within-transformed Gaussian model (no inefficiency), the LR test has
1 + len(delta) (+1 with mu) restrictions (Kodde-Palm mixed chi-square).

This module does not import ``efficiency.sfa.api``: the hook there passes the parsed data in.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import log_ndtr

from .likelihood import _mills, predictions
from .panel_models import LOG_2PI, _groups, _maximise

LOG2 = float(np.log(2.0))


@dataclass
class WangHoModel:
    """theta = (beta (k, no intercept), delta (m), log sigma_u^2, log sigma_v^2[, mu])."""

    y: np.ndarray
    X: np.ndarray
    Z: np.ndarray
    group: np.ndarray
    n_groups: int
    sign: float = 1.0
    truncated: bool = False

    def __post_init__(self):
        self.T = np.bincount(self.group, minlength=self.n_groups).astype(float)

    def _sum(self, v):
        return np.bincount(self.group, weights=v, minlength=self.n_groups)

    def demean(self, v):
        return v - (self._sum(v) / self.T)[self.group]

    def split(self, th):
        k, m = self.X.shape[1], self.Z.shape[1]
        mu = th[k + m + 2] if self.truncated else 0.0
        return th[:k], th[k:k + m], th[k + m], th[k + m + 1], mu

    def pieces(self, th):
        beta, d, a, b, mu = self.split(np.asarray(th, float))
        r = self.sign * (self.y - self.X @ beta)
        h = np.exp(self.Z @ d)
        rt, ht = self.demean(r), self.demean(h)
        Vu, Ve = np.exp(a), np.exp(b)
        A, B, C = self._sum(ht * ht) / Ve, self._sum(ht * rt) / Ve, self._sum(rt * rt) / Ve
        P = A + 1.0 / Vu                       # 1 / sigma**^2
        q = mu / Vu - B                        # mu** / sigma**^2
        return r, h, rt, ht, Vu, Ve, A, B, C, P, q, mu, a, b

    def loglik(self, th, grad=True, per_group=False):
        _r, h, rt, ht, Vu, Ve, A, B, C, P, q, mu, a, b = self.pieces(th)
        T = self.T
        t = q / np.sqrt(P)
        lPt = log_ndtr(t)
        t0 = mu / np.sqrt(Vu)
        lP0 = log_ndtr(t0)
        llg = (-0.5 * (T - 1.0) * (LOG_2PI + b) - 0.5 * np.log(T) - 0.5 * C + q * q / (2.0 * P)
               - mu * mu / (2.0 * Vu) - 0.5 * np.log(P) + lPt - 0.5 * a - lP0)
        if per_group:
            return llg
        ll = float(np.sum(llg))
        if not grad:
            return ll
        lam, lam0 = _mills(t, lPt), _mills(t0, lP0)
        l_q = q / P + lam / np.sqrt(P)
        l_P = -q * q / (2.0 * P * P) - 1.0 / (2.0 * P) - lam * q / (2.0 * P ** 1.5)
        g = self.group
        g_beta = self.sign / Ve * (self.X.T @ (l_q[g] * ht + rt))
        g_delta = self.Z.T @ (h * (2.0 * l_P[g] * ht - l_q[g] * rt)) / Ve
        g_a = np.sum(-l_q * mu / Vu - l_P / Vu + mu * mu / (2.0 * Vu) - 0.5 + lam0 * mu / (2.0 * np.sqrt(Vu)))
        g_b = np.sum(-0.5 * (T - 1.0) + l_q * B - l_P * A + 0.5 * C)
        out = [g_beta, g_delta, [g_a, g_b]]
        if self.truncated:
            out.append([np.sum(l_q / Vu - mu / Vu - lam0 / np.sqrt(Vu))])
        return ll, np.concatenate(out)

    def conditional(self, th):
        """(mu**, sigma**) per row (of the row's unit) and h_it: u_it | e_i ~ h_it N+(mu**, sigma**^2)."""
        pc = self.pieces(th)
        h, P, q, g = pc[1], pc[9], pc[10], self.group
        return (q / P)[g], (1.0 / np.sqrt(P))[g], h


def build_result(cls, *, raw, ids, form, dist, cost, panel, dep, fit, theta, nat, jac, fnames, extra_names,
                 llf_ols, lr_df, skew, beta_ols, pr, lower, upper, resid_ml, su2, sv2, n_firms, n_periods, alpha,
                 notes, unit_effects=None, delta=None, mu=None, draws=None, stacklevel=4, **extra):
    """An :class:`SFAResult` (or subclass ``cls``) from a fit of one of the panel models of this module and
    :mod:`efficiency.sfa.fourcomp`: ``nat`` the reported parameters, ``jac`` the diagonal of
    d nat / d theta (delta method), ``pr`` the predictors (keys of ``likelihood.predictions``)."""
    from scipy import stats

    from ..errors import ConvergenceWarning
    from .fit import kodde_palm, warn_wrong_skewness

    warn_wrong_skewness(raw.source, skew, cost, stacklevel, "within OLS" if panel == "wang-ho" else "OLS")
    if not fit.converged:
        warnings.warn(ConvergenceWarning(f"{raw.source}: the {panel} SFA fit did not converge. "
                                         + "; ".join(fit.notes)), stacklevel=stacklevel)
    m = len(theta)
    kf = len(fnames)
    try:
        inv = np.linalg.inv(-fit.hessian)
        vc = (0.5 * (inv + inv.T)) * np.outer(jac, jac)
    except np.linalg.LinAlgError:
        vc = np.full((m, m), np.nan)
        notes.append("the Hessian is singular: no standard errors")
    par_names = list(fnames) + list(extra_names)
    se = np.sqrt(np.where(np.diag(vc) > 0, np.diag(vc), np.nan))
    if np.isnan(se).any():
        notes.append("no standard error (NaN) for " + ", ".join(p for p, s in zip(par_names, se) if np.isnan(s))
                     + ": the negative Hessian is not positive definite there")
    zval = nat / se
    estimates = pd.DataFrame({"estimate": nat, "std_error": se, "z_value": zval,
                              "p_value": 2.0 * stats.norm.sf(np.abs(zval))}, index=par_names)
    vcov = pd.DataFrame(vc, index=par_names, columns=par_names)
    lr = 2.0 * (fit.llf - llf_ols)
    lr_p, lr_crit = kodde_palm(lr, lr_df)
    n = len(ids)
    series = lambda v, name: pd.Series(v, index=ids, name=name)
    pp = [j for j, p in enumerate(par_names[kf:]) if not p.startswith("Z_")]
    return cls(
        form=form, dist=dist, cost=bool(cost), panel=panel, dependent=dep, ids=ids,
        params=pd.Series(nat[:kf], index=fnames, name="params"), estimates=estimates, vcov=vcov,
        llf=fit.llf, llf_ols=float(llf_ols), sigma_sq=su2 + sv2, gamma=su2 / (su2 + sv2), mu=mu, eta=None,
        delta=delta, efficiency=series(pr["bc88"], "efficiency"), jlms=series(pr["jlms"], "jlms"),
        lower=series(lower, "lower"), upper=series(upper, "upper"), u_mean=series(pr["u"], "u"),
        efficiency_reciprocal=series(pr["bc88_reciprocal"], "efficiency_reciprocal"),
        residuals=series(resid_ml, "residual"), ols_params=pd.Series(beta_ols, index=fnames, name="ols"),
        skewness=float(skew), lr_statistic=float(lr), lr_df=lr_df, lr_critical=lr_crit, lr_pvalue=lr_p,
        nobs=n, n_firms=n_firms, n_periods=n_periods, converged=fit.converged, n_iter=fit.n_iter,
        method=fit.method, alpha=float(alpha), convergence_notes=tuple(fit.notes + notes),
        n_evaluations=fit.n_evals, unit_effects=unit_effects,
        panel_params=pd.Series(nat[kf:][pp], index=[par_names[kf + j] for j in pp], name="panel_params"),
        draws=draws, **extra)


def sfa_wang_ho(raw, y, X, names, dep, ids, sign, Z, z_names, *, period, form, dist, cost, alpha,
                sources=None, stacklevel=4):
    """``sfa(..., panel='wang-ho')``: see the module docstring. ``X`` has the intercept in column 0 (dropped:
    the alpha_i take it), ``Z`` the h-function columns (no constant)."""
    from scipy import stats

    from ..errors import DataError, SpecError
    from .results import SFAResult

    if dist not in ("half-normal", "truncated-normal"):
        raise SpecError(f"panel='wang-ho': dist={dist!r} is not available; use 'half-normal' or 'truncated-normal'")
    group, uniq, _tt, n_periods, _pnum = _groups(ids, raw, period, "values")
    N, n = len(uniq), len(y)
    T_i = np.bincount(group, minlength=N)
    if T_i.max() < 2:
        raise DataError(f"{raw.source}: column {period!r}: every unit has one row (a panel with one period); the "
                        "Wang-Ho first-difference model needs at least two periods per unit")
    if (T_i == 1).any():
        j = int(np.flatnonzero(T_i == 1)[0])
        warnings.warn(f"{raw.source}: {int((T_i == 1).sum())} unit(s) with a single row (e.g. {uniq[j]!r}): "
                      "first differences leave nothing of them; they add nothing to the likelihood",
                      UserWarning, stacklevel=stacklevel)
    truncated = dist == "truncated-normal"
    Xs, fnames = X[:, 1:], list(names[1:])
    model = WangHoModel(y, Xs, Z, group, N, sign, truncated)
    Xw = np.column_stack([model.demean(Xs[:, j]) for j in range(Xs.shape[1])])
    for j in range(Xs.shape[1]):
        if np.max(np.abs(Xw[:, j])) <= 1e-10 * max(1.0, np.max(np.abs(Xs[:, j]))):
            cols = " and ".join(repr(c) for c in (sources[j + 1] if sources else (fnames[j],)))
            raise DataError(f"{raw.source}: frontier term {fnames[j]!r} (column {cols}) does not vary within "
                            "units; first differences remove it with the fixed effects alpha_i")
    Zw = np.column_stack([model.demean(Z[:, j]) for j in range(Z.shape[1])])
    if np.all(np.abs(Zw) <= 1e-10 * max(1.0, np.max(np.abs(Z)))):
        raise DataError(f"{raw.source}: z columns {', '.join(map(repr, z_names))} do not vary within any unit: "
                        "then h_it is constant within units, first differences remove u_i* with alpha_i, and "
                        "the Wang-Ho model is not identified")
    yw = model.demean(y)
    beta_w = np.linalg.lstsq(Xw, yw, rcond=None)[0]
    resid_w = yw - Xw @ beta_w
    rss = float(resid_w @ resid_w)
    dof_v = float(np.sum(T_i - 1))
    Ve_ols = rss / dof_v
    llf_ols = float(np.sum(-0.5 * (T_i - 1) * (LOG_2PI + np.log(Ve_ols)) - 0.5 * np.log(T_i)) - 0.5 * dof_v)
    skew = float(stats.skew(resid_w))

    m = Z.shape[1]
    zsd = np.maximum(Z.std(axis=0), 1e-12)
    best = None
    for c in (-1.0, -0.3, 0.3, 1.0):
        for ratio in (0.5, 2.0):
            t0 = np.r_[beta_w, c / zsd / np.sqrt(m), np.log(ratio * Ve_ols), np.log(Ve_ols)]
            if truncated:
                t0 = np.r_[t0, 0.0]
            with np.errstate(all="ignore"):
                v = model.loglik(t0, grad=False)
            if np.isfinite(v) and (best is None or v > best[0]):
                best = (v, t0)
    fit = _maximise(model.loglik, best[1], float(n))
    theta = fit.theta
    k = Xs.shape[1]
    beta, d, a, b, mu = model.split(theta)
    mstar, sstar, h = model.conditional(theta)
    pr = predictions(mstar, sstar, h, alpha)
    alpha_i = model._sum(y - Xs @ beta + sign * pr["u"]) / T_i
    unit_effects = pd.Series(alpha_i, index=pd.Index(uniq, name=ids.names[0]), name="alpha")
    resid_ml = y - alpha_i[group] - Xs @ beta

    nat = theta.copy()
    jac = np.ones(len(theta))
    nat[k + m], nat[k + m + 1] = np.exp(0.5 * a), np.exp(0.5 * b)
    jac[k + m], jac[k + m + 1] = 0.5 * nat[k + m], 0.5 * nat[k + m + 1]
    delta_names = [f"Z_{c}" for c in z_names]
    extra_names = delta_names + ["sigma_u", "sigma_v"] + (["mu"] if truncated else [])
    notes = [(f"first-difference likelihood of Wang and Ho (2010) over {N} units ({int((T_i >= 2).sum())} with "
              "two or more rows); llf_ols is the within Gaussian model (no inefficiency)")]
    return build_result(
        SFAResult, raw=raw, ids=ids, form=form, dist=dist, cost=cost, panel="wang-ho", dep=dep, fit=fit,
        theta=theta, nat=nat, jac=jac, fnames=fnames, extra_names=extra_names, llf_ols=llf_ols,
        lr_df=1 + m + int(truncated), skew=skew, beta_ols=beta_w, pr=pr, lower=pr["lower"], upper=pr["upper"],
        resid_ml=resid_ml, su2=float(np.exp(a)), sv2=float(np.exp(b)), n_firms=N, n_periods=n_periods,
        alpha=alpha, notes=notes, unit_effects=unit_effects, mu=float(mu) if truncated else None,
        delta=pd.Series(d, index=delta_names, name="delta"), stacklevel=stacklevel + 1)
