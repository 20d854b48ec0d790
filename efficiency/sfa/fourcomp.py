"""The four-component (generalised true random effects) stochastic frontier: ``sfa(..., panel="four-component")``.

Kumbhakar, Lien and Hardaker (2014), J. Productivity Analysis 41, 321-337; Colombi, Kumbhakar, Martini
and Vittadini (2014), J. Productivity Analysis 42, 123-136; Filippini and Greene (2016), J. Productivity
Analysis 45, 187-196. With s = 1 (production) or -1 (cost),

    y_it = beta_0 + x_it'beta + mu_i - s eta_i + v_it - s u_it,
    mu_i ~ N(0, sigma_mu^2)   random heterogeneity,      eta_i ~ N+(0, sigma_eta^2)   persistent inefficiency,
    v_it ~ N(0, sigma_v^2)    noise,                      u_it ~ N+(0, sigma_u^2)      transient inefficiency,

all independent. Estimated by the full maximum likelihood, simulated as Filippini and Greene (2016): given
the unit effect w_i = mu_i - eta_i the rows of unit i are independent normal-half-normal with
e_it = s (y_it - x_it'beta) - w_i, so

    log L = sum_i log( 1/R sum_r prod_t f(s (y_it - x_it'beta) - sigma_mu a_ir + sigma_eta b_ir) ),

f(e) = 2/S^(1/2) phi(e / S^(1/2)) Phi(-e lambda / S^(1/2)), S = sigma_u^2 + sigma_v^2, lambda = sigma_u / sigma_v,
with R two-dimensional draws per unit: a_ir standard normal, b_ir standard half-normal (inverse CDFs of the
two coordinates of a Halton point). This is a simulation of the exact (closed-skew-normal, Colombi et al.
2014) likelihood, which it approaches as R grows. Draws: ``seed=None`` (default) plain Halton in bases 2
(a, via ``panel_models.halton_normal``) and 3 (b), skipping the first 10 points, unit i taking the next R
consecutive points; an integer ``seed``: scrambled two-dimensional Halton (scipy.stats.qmc, seeded).
``draws`` = R (default 100).

Efficiency (simulated posterior means, as Greene 2005 for the true random effects), with the posterior
weights of the draws W_ir = prod_t f_itr / sum_r prod_t f_itr:

* persistent ``persistent_efficiency`` = E[exp(-eta_i) | e_i] = sum_r W_ir exp(-sigma_eta b_ir), one value per
  unit (repeated on its rows);
* transient ``transient_efficiency`` = E[exp(-u_it) | e_i] = sum_r W_ir E[exp(-u_it) | e_itr] (Battese-Coelli
  1988 for the normal-half-normal e_itr), per row;
* overall ``efficiency`` = persistent x transient (Kumbhakar, Lien and Hardaker 2014: OTE = PTE x RTE);
  ``jlms`` = exp(-(E[eta_i | e_i] + E[u_it | e_i])), ``u`` = E[eta_i | e_i] + E[u_it | e_i],
  ``efficiency_reciprocal`` the product of E[exp(eta_i) | e_i] and E[exp(u_it) | e_i]. No Horrace-Schmidt
  bounds (``lower``, ``upper`` NaN): the posteriors are mixtures.
* ``unit_effects`` = E[mu_i | e_i] (signed as y: s sum_r W_ir sigma_mu a_ir).

Parameters (``estimates``): the frontier coefficients with the intercept beta_0 (E[mu_i] = 0), then
``sigma_u``, ``sigma_v``, ``sigma_mu``, ``sigma_eta`` (sigma_u, sigma_v as the true random effects model of
``panel_models``, whose ``sigma_w`` is sigma_mu here), estimated as log sigma^2 (u, v) and log sigma (mu, eta)
with delta-method standard errors; ``sigma_sq``, ``gamma`` refer to the transient part. ``llf_ols`` is the
Gaussian random-effects model (sigma_u = sigma_eta = 0), LR test with 2 restrictions (Kodde-Palm).
Identification of sigma_mu against sigma_eta rests on the skewness of the unit effects: it needs many units,
and in small samples that split is sensitive to the draws (with N = 120 units, T = 4, sigma_eta moved by about
two standard errors between 100 plain and 100 scrambled Halton draws, while 500 draws agreed with plain 100
within 0.01): check it with more ``draws`` (or another ``seed``); the frontier coefficients are robust.

This module does not import ``efficiency.sfa.api``: the hook there passes the parsed data in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import logsumexp, ndtri

from .het import _pieces
from .panel_models import (
    HALTON_SKIP,
    _groups,
    _hn,
    _maximise,
    _re_gauss_llf,
    halton_normal,
    sort_by_unit,
    transient_posterior,
)
from .results import SFAResult
from .wangho import build_result


def _radical_inverse(i: np.ndarray, base: int) -> np.ndarray:
    i = i.copy()
    u = np.zeros(len(i))
    f = 1.0 / base
    while np.any(i > 0):
        u += f * (i % base)
        i //= base
        f /= base
    return u


def halton_pairs(n_units: int, draws: int, seed=None) -> tuple[np.ndarray, np.ndarray]:
    """(a, b), each (n_units, draws): a standard normal, b standard half-normal, from the two coordinates of a
    Halton sequence (plain bases 2 and 3 skipping the first ``HALTON_SKIP`` points when ``seed`` is None; the
    first coordinate is then exactly ``halton_normal``), scrambled and seeded otherwise."""
    m = n_units * draws
    if seed is None:
        a = halton_normal(n_units, draws, None)
        u = _radical_inverse(np.arange(HALTON_SKIP + 1, HALTON_SKIP + 1 + m, dtype=np.int64), 3)
    else:
        from scipy.stats import qmc
        try:
            eng = qmc.Halton(d=2, scramble=True, rng=np.random.default_rng(seed))
        except TypeError:                                   # scipy < 1.15
            eng = qmc.Halton(d=2, scramble=True, seed=seed)
        pts = np.clip(eng.random(m), 1e-15, 1.0 - 1e-15)
        a = ndtri(pts[:, 0]).reshape(n_units, draws)
        u = pts[:, 1]
    u = np.clip(u, 1e-15, 1.0 - 1e-15)
    return a, ndtri(0.5 + 0.5 * u).reshape(n_units, draws)


@dataclass
class FourComponentModel:
    """theta = (beta (k, with intercept), log sigma_u^2, log sigma_v^2, log sigma_mu, log sigma_eta);
    A (N, R) normal and B (N, R) half-normal draws."""

    y: np.ndarray
    X: np.ndarray
    group: np.ndarray
    n_groups: int
    A: np.ndarray
    B: np.ndarray
    sign: float = 1.0

    def __post_init__(self):
        sort_by_unit(self)

    def parts(self, th):
        k = self.X.shape[1]
        beta, a, b, lm, le = th[:k], th[k], th[k + 1], th[k + 2], th[k + 3]
        smu, seta = np.exp(lm), np.exp(le)
        r = self.sign * (self.ys - self.Xs @ beta)
        W = smu * self.A - seta * self.B                     # w_ir = mu_ir - eta_ir
        eps = r[:, None] - W[self.gs]
        return eps, a, b, smu, seta

    def loglik(self, th, grad=True, per_group=False):
        th = np.asarray(th, float)
        eps, a, b, smu, seta = self.parts(th)
        R = self.A.shape[1]
        if not grad:
            l = _pieces(eps, a, b, "half-normal", grad=False)
            llg = logsumexp(np.add.reduceat(l, self.starts, axis=0), axis=1) - np.log(R)
            return llg if per_group else float(np.sum(llg))
        l, le, la, lb = _hn(eps, a, b)
        Sr = np.add.reduceat(l, self.starts, axis=0)
        lse = logsumexp(Sr, axis=1)
        ll = float(np.sum(lse) - len(self.starts) * np.log(R))
        Wg = np.exp(Sr - lse[:, None])
        W = Wg[self.gs]
        q = np.sum(W * le, axis=1)
        qe = np.add.reduceat(W * le, self.starts, axis=0)   # (N, R): sum_t W_ir l_e,itr
        g = np.concatenate([-self.sign * (self.Xs.T @ q),
                            [np.sum(W * la), np.sum(W * lb),
                             np.sum(qe * (-smu * self.A)), np.sum(qe * (seta * self.B))]])
        return ll, g

    def posterior(self, th, alpha, chunk=1_000_000):
        """Per row (input order): E[exp(-u_it)|e_i], E[exp(u_it)|e_i], E[u_it|e_i]; per unit: E[exp(-eta_i)|e_i],
        E[exp(eta_i)|e_i], E[eta_i|e_i], E[mu_i|e_i]."""
        th = np.asarray(th, float)
        eps, a, b, smu, seta = self.parts(th)
        l = _pieces(eps, a, b, "half-normal", grad=False)
        Sr = np.add.reduceat(l, self.starts, axis=0)
        Wg = np.exp(Sr - logsumexp(Sr, axis=1)[:, None])
        eta = seta * self.B
        unit = (np.sum(Wg * np.exp(-eta), axis=1), np.sum(Wg * np.exp(eta), axis=1), np.sum(Wg * eta, axis=1),
                np.sum(Wg * smu * self.A, axis=1))
        return transient_posterior(eps, a, b, Wg[self.gs], alpha, self.order, chunk), unit


@dataclass(frozen=True)
class FourComponentResult(SFAResult):
    """:class:`SFAResult` of the four-component model, with ``efficiency`` = overall = persistent x transient,
    and per row ``persistent_efficiency`` (E[exp(-eta_i) | e_i], repeated on the unit's rows) and
    ``transient_efficiency`` (E[exp(-u_it) | e_i]); ``persistent`` is the persistent efficiency by unit."""

    persistent_efficiency: pd.Series | None = None
    transient_efficiency: pd.Series | None = None
    persistent: pd.Series | None = None

    def to_frame(self) -> pd.DataFrame:
        """efficiency (overall), persistent_efficiency, transient_efficiency, then the columns of
        :meth:`SFAResult.to_frame` (jlms, lower, upper, u, efficiency_reciprocal, residual)."""
        frame = super().to_frame()
        frame.insert(1, "persistent_efficiency", self.persistent_efficiency.to_numpy())
        frame.insert(2, "transient_efficiency", self.transient_efficiency.to_numpy())
        return frame


def sfa_four_component(raw, y, X, names, dep, ids, sign, *, period, form, dist, cost, alpha, draws=100, seed=None,
                       stacklevel=4):
    """``sfa(..., panel='four-component')``: see the module docstring. ``X`` has the intercept in column 0."""
    from scipy import stats

    from ..errors import DataError, SpecError
    from .fit import ols

    if dist != "half-normal":
        raise SpecError(f"panel='four-component': only dist='half-normal' is available, not {dist!r}")
    if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 2:
        raise SpecError(f"draws: {draws!r} is not an integer >= 2 (simulation draws per unit)")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
        raise SpecError(f"seed: {seed!r} is not an integer (or None: plain Halton draws)")
    group, uniq, _tt, n_periods, _pnum = _groups(ids, raw, period, "values")
    N, n = len(uniq), len(y)
    T_i = np.bincount(group, minlength=N)
    if T_i.max() < 2:
        raise DataError(f"{raw.source}: column {period!r}: every unit has one row (a panel with one period); the "
                        "four-component model cannot tell the unit effects mu_i - eta_i from v_it - u_it")
    beta_ols, resid, _ = ols(y, X)
    k = X.shape[1]
    s2 = float(resid @ resid) / max(n - k, 1)
    ub = np.bincount(group, resid, N) / T_i
    within = resid - ub[group]
    sv2w = float(within @ within) / max(float(np.sum(T_i - 1)), 1.0)     # sigma_v^2 + var(u): within part
    sw2 = max(float(np.var(ub)) - sv2w / T_i.mean(), 0.05 * s2)            # variance of the unit effect
    gm = 0.5
    Su = sv2w / (1.0 - 2.0 * gm / np.pi)
    Vu, Ve = gm * Su, (1.0 - gm) * Su
    seta = np.sqrt(0.5 * sw2 / (1.0 - 2.0 / np.pi))
    smu = np.sqrt(0.5 * sw2)
    beta0 = beta_ols.copy()
    beta0[0] += sign * np.sqrt(2.0 / np.pi) * (np.sqrt(Vu) + seta)
    A, B = halton_pairs(N, int(draws), seed)
    model = FourComponentModel(y, X, group, N, A, B, sign)
    t0 = np.r_[beta0, np.log(Vu), np.log(Ve), np.log(smu), np.log(seta)]
    fit = _maximise(model.loglik, t0, float(n))
    theta = fit.theta
    post, (pe, pe_r, pe_u, mu_mean) = model.posterior(theta, alpha)
    persistent = pe[group]
    eff = persistent * post[0]
    pr = {"bc88": eff, "bc88_reciprocal": pe_r[group] * post[1], "u": pe_u[group] + post[2],
          "jlms": np.exp(-(pe_u[group] + post[2]))}
    nanv = np.full(n, np.nan)
    a, b = theta[k], theta[k + 1]
    nat = theta.copy()
    jac = np.ones(len(theta))
    nat[k], nat[k + 1] = np.exp(0.5 * a), np.exp(0.5 * b)
    jac[k], jac[k + 1] = 0.5 * nat[k], 0.5 * nat[k + 1]
    nat[k + 2], nat[k + 3] = np.exp(theta[k + 2]), np.exp(theta[k + 3])
    jac[k + 2], jac[k + 3] = nat[k + 2], nat[k + 3]
    notes = [f"simulated ML with {int(draws)} "
             + ("plain Halton (bases 2, 3)" if seed is None else f"scrambled Halton (seed {seed})")
             + " draws per unit; llf_ols is the Gaussian random-effects model (sigma_u = sigma_eta = 0); "
             "efficiency = persistent x transient"]
    uidx = pd.Index(uniq, name=ids.names[0])
    series = lambda v, name: pd.Series(v, index=ids, name=name)
    return build_result(
        FourComponentResult, raw=raw, ids=ids, form=form, dist=dist, cost=cost, panel="four-component", dep=dep,
        fit=fit, theta=theta, nat=nat, jac=jac, fnames=list(names),
        extra_names=["sigma_u", "sigma_v", "sigma_mu", "sigma_eta"], llf_ols=_re_gauss_llf(y, X, group, N),
        lr_df=2, skew=float(stats.skew(resid)), beta_ols=beta_ols, pr=pr, lower=nanv, upper=nanv,
        resid_ml=y - X @ theta[:k], su2=float(np.exp(a)), sv2=float(np.exp(b)), n_firms=N, n_periods=n_periods,
        alpha=alpha, notes=notes, unit_effects=pd.Series(sign * mu_mean, index=uidx, name="mu"), draws=int(draws),
        stacklevel=stacklevel + 1, persistent_efficiency=series(persistent, "persistent_efficiency"),
        transient_efficiency=series(post[0], "transient_efficiency"),
        persistent=pd.Series(pe, index=uidx, name="persistent_efficiency"))
