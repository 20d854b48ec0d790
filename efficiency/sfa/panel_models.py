"""Panel stochastic frontiers beyond BC92/BC95: ``sfa(..., panel="k90" | "tfe" | "tre")``.

y_it = x_it'beta + v_it - s u_it (s = 1 production, -1 cost), v_it ~ N(0, sigma_v^2), half-normal u.
With eps = s (y - ...) every formula is written for a production frontier.

* ``k90``: Kumbhakar (1990) time-varying inefficiency u_it = g(t) u_i, g(t) = [1 + exp(b t + c t^2)]^-1,
  u_i ~ N+(0, sigma_u^2). t is the BC92 time of this package: t = period - latest period
  (``bc92_time='values'``) or index - T (``'index'``), so t = 0 at the last period and there
  u_iT = u_i / 2 for every firm (Kumbhakar's b t + c t^2 has no constant, so where t = 0 lies is part
  of the model: Stata's ``sfpanel, model(kumb90)`` with t = 1..T is a different normalisation). Per
  firm, with e_it = y_it - x_it'beta, q_i = sum_t g_t^2, r_i = sum_t g_t e_it, D_i = sigma_v^2 +
  sigma_u^2 q_i, A_i = -r_i sigma_u / (sigma_v sqrt(D_i)):
      l_i = log 2 - T_i/2 log(2 pi) - (T_i - 1)/2 log sigma_v^2 - 1/2 log D_i - sum_t e_it^2 / (2 sigma_v^2)
            + A_i^2 / 2 + log Phi(A_i).
  b = c = 0 is the time-invariant model (``panel='ti'``) with sigma_u,ti = sigma_u / 2.
  u_i | e_i ~ N+(mu*_i, sigma*_i^2), mu* = -sigma_u^2 r_i / D_i, sigma*^2 = sigma_u^2 sigma_v^2 / D_i;
  the predictors of u_it = g_t u_i follow (Battese-Coelli 1988, JLMS, Horrace-Schmidt bounds).
* ``tfe``: Greene's (2005) true fixed effects y_it = alpha_i + x_it'beta + v_it - s u_it with the
  normal-half-normal density of each e_it = y_it - alpha_i - x_it'beta,
      l_it = log 2 - log(2 pi)/2 - log(S)/2 - e^2 / (2 S) + log Phi(-e lambda / sqrt(S)),
  S = sigma_u^2 + sigma_v^2, lambda = sigma_u / sigma_v, maximised over (alpha_1..alpha_N, beta,
  sigma_u, sigma_v). The N unit intercepts are concentrated out: for given (beta, sigma) each alpha_i
  solves its own one-dimensional concave problem (a safeguarded Newton iteration, vectorised over
  units); the outer Newton steps use the profile Hessian, which is the Schur complement
  H_gg - H_ga H_aa^-1 H_ag of the full Hessian (H_aa is diagonal: each alpha_i enters only its own
  unit's rows), so no N x N matrix is ever formed. Standard errors of (beta, sigma_u, sigma_v) are
  the partitioned inverse of that Hessian. The alphas are reported in ``unit_effects``.
  Incidental parameters: with T fixed the ML estimate of sigma_v is inconsistent (biased down, roughly
  by the factor sqrt((T - 1) / T) as in the within estimator of a linear model) and sigma_u is
  distorted with it; beta is much less affected. Chen, Schmidt and Wang (2014) remove the problem by
  a within-transformation likelihood (closed skew normal); not implemented here. Prefer T >= 10.
* ``tre``: Greene's (2005) true random effects y_it = w_i + x_it'beta + v_it - s u_it,
  w_i ~ N(0, sigma_w^2), by simulated ML: with draws h_ir (r = 1..R) of N(0, 1) per unit,
      log L = sum_i log( 1/R sum_r prod_t f(s (y_it - x_it'beta) - sigma_w h_ir) ),
  (w_i = s sigma_w h_ir: for a cost frontier the draws enter with the sign of u, so that fitting -y as
  a cost frontier gives exactly the production fit of y; w is symmetric, so the model is the same),
  f the normal-half-normal density above. Draws: ``seed=None`` (default) plain Halton in base 2,
  skipping the first 10 points, unit i taking the next R consecutive points (Train 2009, ch. 9;
  Greene's practice); an integer ``seed`` gives scrambled Halton (scipy.stats.qmc.Halton, scramble=True,
  seeded), reproducible for that seed. Efficiency as Greene (2005): E[exp(-u_it) | e_i] = sum_r
  W_ir E[exp(-u_it) | e_itr], W_ir = prod_t f_itr / sum_r prod_t f_itr (and E[u_it | e_i] likewise);
  ``unit_effects`` = E[w_i | e_i] = s sum_r W_ir sigma_w h_ir. No Horrace-Schmidt bounds (``lower``,
  ``upper`` are NaN): the posterior of u_it is a mixture.

Parameters reported (``estimates``): the frontier coefficients (no intercept for tfe: the alphas
take it), then ``sigma_u``, ``sigma_v`` (and ``sigma_w`` for tre; ``b``, ``c`` for k90), as Stata's
``sfpanel`` reports sigma_u and sigma_v (its ``theta`` is sigma_w, its ``bt``/``ct`` are b and c).
They are estimated on log scales (log sigma^2, log sigma_w) and their standard errors come by the delta
method. ``sigma_sq`` and ``gamma`` of the result are sigma_u^2 + sigma_v^2 and sigma_u^2 / sigma_sq.

This module does not import ``efficiency.sfa.api``: the hook there passes the parsed data in.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import log_ndtr, logsumexp, ndtri

from .het import _pieces
from .likelihood import _mills, predictions

PANEL_MODELS = ("k90", "tfe", "tre")
LOG2 = float(np.log(2.0))
LOG_2PI = float(np.log(2.0 * np.pi))
HALTON_SKIP = 10
#: tfe: sigma_v is kept above this multiple of the starting sigma_u (the likelihood may rise towards sigma_v = 0
#: for small T)
SV_RATIO_MIN = 1e-2


# --------------------------------------------------------------------------------------------------
# Shared pieces
# --------------------------------------------------------------------------------------------------

def halton_normal(n_units: int, draws: int, seed=None) -> np.ndarray:
    """(n_units, draws) standard normal draws from a one-dimensional Halton sequence: plain base 2
    (skipping the first ``HALTON_SKIP`` points, consecutive blocks of ``draws`` per unit) when
    ``seed`` is None, scrambled Halton (scipy.stats.qmc, seeded) otherwise."""
    m = n_units * draws
    if seed is None:
        i = np.arange(HALTON_SKIP + 1, HALTON_SKIP + 1 + m, dtype=np.int64)
        u = np.zeros(m)
        f = 0.5
        while np.any(i > 0):
            u += f * (i % 2)
            i //= 2
            f *= 0.5
    else:
        from scipy.stats import qmc
        try:
            eng = qmc.Halton(d=1, scramble=True, rng=np.random.default_rng(seed))
        except TypeError:                                   # scipy < 1.15
            eng = qmc.Halton(d=1, scramble=True, seed=seed)
        u = eng.random(m)[:, 0]
    u = np.clip(u, 1e-15, 1.0 - 1e-15)
    return ndtri(u).reshape(n_units, draws)


def _hn(eps, a, b):
    """Normal-half-normal log density with log sigma_u^2 = a, log sigma_v^2 = b: (l, l_e, l_a, l_b)."""
    return _pieces(eps, a, b, "half-normal")


def _hn_ee(eps, a, b):
    """d^2 l / d eps^2 = -1/S - k^2 m (t + m), t = -eps k, k = lambda / sqrt(S), m = phi(t)/Phi(t)."""
    su2, sv2 = np.exp(a), np.exp(b)
    S = su2 + sv2
    kk = np.exp(0.5 * (a - b)) / np.sqrt(S)
    t = -eps * kk
    m = _mills(t, log_ndtr(t))
    return -1.0 / S - kk * kk * m * (t + m)


def _second_ab(eps, a, b, h=1e-5):
    """(l_ea, l_eb, l_aa, l_ab, l_bb) per observation: central differences of the analytic
    first derivatives in the scalars a and b."""
    _, ep, ap, bp = _hn(eps, a + h, b)
    _, em, am, bm = _hn(eps, a - h, b)
    l_ea, l_aa, l_ba = (ep - em) / (2 * h), (ap - am) / (2 * h), (bp - bm) / (2 * h)
    _, ep, ap, bp = _hn(eps, a, b + h)
    _, em, am, bm = _hn(eps, a, b - h)
    l_eb, l_ab, l_bb = (ep - em) / (2 * h), (ap - am) / (2 * h), (bp - bm) / (2 * h)
    return l_ea, l_eb, l_aa, 0.5 * (l_ab + l_ba), l_bb


@dataclass
class PanelFit:
    theta: np.ndarray
    llf: float
    gradient: np.ndarray
    hessian: np.ndarray
    converged: bool
    n_iter: int
    n_evals: int
    method: str
    notes: list


def _fd_hessian(grad, theta, h=1e-5):
    m = len(theta)
    H = np.empty((m, m))
    for j in range(m):
        step = h * max(1.0, abs(theta[j]))
        tp, tm = theta.copy(), theta.copy()
        tp[j] += step
        tm[j] -= step
        H[:, j] = (grad(tp) - grad(tm)) / (2.0 * step)
    return 0.5 * (H + H.T)


def _maximise(fun, theta0, n: float, *, gtol: float = 1e-9, maxiter: int = 30) -> PanelFit:
    """Maximise fun(theta) -> (ll, gradient): BFGS on -ll/n, then Newton steps on the Hessian from
    central differences of the analytic gradient until max |gradient| / n < ``gtol``."""
    from scipy import optimize
    evals = [0]

    def f(t):
        evals[0] += 1
        with np.errstate(all="ignore"):
            ll, g = fun(t)
        if not np.isfinite(ll) or not np.all(np.isfinite(g)):
            return 1e30, np.zeros_like(t)
        return -ll / n, -g / n

    def grad(t):
        evals[0] += 1
        with np.errstate(all="ignore"):
            return fun(t)[1]

    res = optimize.minimize(f, np.asarray(theta0, float), jac=True, method="BFGS",
                            options={"gtol": 1e-8, "maxiter": 3000})
    t = res.x if np.isfinite(res.fun) and res.fun < 1e29 else np.asarray(theta0, float)
    nit = int(res.nit)
    ll, g = fun(t)
    H = _fd_hessian(grad, t)
    notes: list[str] = []
    for _ in range(maxiter):
        if np.max(np.abs(g)) / n < gtol:
            break
        w = np.linalg.eigvalsh(-H)
        shift = 0.0 if w[0] > 1e-12 * max(w[-1], 1e-300) else (-w[0] + 1e-8 * max(abs(w[-1]), 1.0))
        d = np.linalg.solve(-H + shift * np.eye(len(t)), g)
        lam, ok = 1.0, False
        while lam > 1e-10:
            tn = t + lam * d
            with np.errstate(all="ignore"):
                trial = fun(tn)
            evals[0] += 1
            if np.isfinite(trial[0]) and (trial[0] > ll or (trial[0] >= ll - 1e-12 * max(1.0, abs(ll))
                                                            and np.max(np.abs(trial[1])) < np.max(np.abs(g)))):
                ok = True
                break
            lam *= 0.5
        if not ok:
            break
        nit += 1
        t, (ll, g) = tn, trial
        H = _fd_hessian(grad, t)
    converged = bool(np.isfinite(ll) and np.max(np.abs(g)) / n < 1e-6)
    if not converged:
        notes.append(f"the first-order conditions do not hold (max |gradient| / n = {np.max(np.abs(g)) / n:.2g})")
    return PanelFit(t, float(ll), g, H, converged, nit, evals[0], "BFGS + Newton (numerical Hessian)", notes)


def _groups(ids, raw, period, bc92_time):
    """(unit codes 0..N-1, unit labels, t - T per row (BC92 time) or None, number of periods)."""
    firm = ids.droplevel(-1) if isinstance(ids, pd.MultiIndex) else ids
    group, uniq = pd.factorize(firm)
    pvals = raw.frame[period]
    pnum = pd.to_numeric(pvals, errors="coerce").to_numpy(dtype=float)
    if np.isnan(pnum).any():
        order = np.sort(pd.unique(pvals.astype(str)))
        pnum = np.searchsorted(order, pvals.astype(str).to_numpy()).astype(float) + 1.0
    levels, index = np.unique(pnum, return_inverse=True)
    t = pnum if bc92_time == "values" else index.astype(float) + 1.0
    return group, uniq, t - t.max(), len(levels), pnum


# --------------------------------------------------------------------------------------------------
# Kumbhakar (1990)
# --------------------------------------------------------------------------------------------------

@dataclass
class K90Model:
    """theta = (beta (k), log sigma_u^2, log sigma_v^2, b, c)."""

    y: np.ndarray
    X: np.ndarray
    group: np.ndarray
    n_groups: int
    tt: np.ndarray
    sign: float = 1.0
    fix_bc: bool = False            # b = c = 0 held fixed (theta without them)

    def __post_init__(self):
        self.T = np.bincount(self.group, minlength=self.n_groups).astype(float)

    def _sum(self, v):
        return np.bincount(self.group, weights=v, minlength=self.n_groups)

    def split(self, th):
        k = self.X.shape[1]
        bc = (0.0, 0.0) if self.fix_bc else (th[k + 2], th[k + 3])
        return th[:k], th[k], th[k + 1], bc[0], bc[1]

    def parts(self, th):
        beta, a, bb, b, c = self.split(np.asarray(th, float))
        e = self.sign * (self.y - self.X @ beta)
        gt = 1.0 / (1.0 + np.exp(b * self.tt + c * self.tt ** 2))
        return e, gt, np.exp(a), np.exp(bb)

    def loglik(self, th, grad=True, per_group=False):
        e, gt, Vu, Ve = self.parts(th)
        q, r, e2 = self._sum(gt * gt), self._sum(gt * e), self._sum(e * e)
        T = self.T
        D = Ve + Vu * q
        A = -r * np.sqrt(Vu / (Ve * D))
        lPA = log_ndtr(A)
        llg = (LOG2 - 0.5 * T * LOG_2PI - 0.5 * (T - 1.0) * np.log(Ve) - 0.5 * np.log(D) - e2 / (2.0 * Ve)
               + 0.5 * A * A + lPA)
        if per_group:
            return llg
        ll = float(np.sum(llg))
        if not grad:
            return ll
        m = _mills(A, lPA) + A
        d_r = -m * np.sqrt(Vu / (Ve * D))
        d_e2 = -1.0 / (2.0 * Ve)
        d_q = -Vu / (2.0 * D) - m * A * Vu / (2.0 * D)
        d_Vu = -q / (2.0 * D) + m * A * (1.0 / (2.0 * Vu) - q / (2.0 * D))
        d_Ve = (-(T - 1.0) / (2.0 * Ve) - 1.0 / (2.0 * D) + e2 / (2.0 * Ve * Ve)
                + m * A * (-1.0 / (2.0 * Ve) - 1.0 / (2.0 * D)))
        d_e = d_r[self.group] * gt + 2.0 * d_e2 * e
        out = [-self.sign * (self.X.T @ d_e), [np.sum(d_Vu) * Vu, np.sum(d_Ve) * Ve]]
        if not self.fix_bc:
            dg = -gt * (1.0 - gt)                       # d g / d (b t + c t^2)
            w = d_q[self.group] * 2.0 * gt * dg + d_r[self.group] * e * dg
            out.append([np.sum(w * self.tt), np.sum(w * self.tt ** 2)])
        return ll, np.concatenate(out)

    def conditional(self, th):
        e, gt, Vu, Ve = self.parts(th)
        q, r = self._sum(gt * gt), self._sum(gt * e)
        D = Ve + Vu * q
        return (-Vu * r / D)[self.group], np.sqrt(Vu * Ve / D)[self.group], gt


# --------------------------------------------------------------------------------------------------
# True fixed effects (Greene 2005)
# --------------------------------------------------------------------------------------------------

@dataclass
class TFEModel:
    """gamma = (beta (slopes), a = log sigma_u^2, b = log sigma_v^2); delta_i = s alpha_i concentrated out."""

    y: np.ndarray
    X: np.ndarray
    group: np.ndarray
    n_groups: int
    sign: float = 1.0

    def __post_init__(self):
        self.delta = None
        self.inner_iter = 0

    def _sum(self, v):
        return np.bincount(self.group, weights=v, minlength=self.n_groups)

    def residual(self, gam):
        return self.sign * (self.y - self.X @ gam[:self.X.shape[1]])

    def solve_delta(self, gam, tol=1e-10, maxiter=100):
        """delta_i maximising unit i's log-likelihood given gam: Newton per unit (each unit's problem is
        concave: the normal-half-normal density is log-concave), vectorised, with step halving for the
        units whose log-likelihood would fall."""
        k = self.X.shape[1]
        a, b = gam[k], gam[k + 1]
        r = self.residual(gam)
        g = self.group
        sd = np.sqrt(np.exp(a) + np.exp(b))
        cnt = np.bincount(g, minlength=self.n_groups)
        d = self.delta if self.delta is not None else self._sum(r) / cnt
        ll = self._sum(_hn(r - d[g], a, b)[0])
        for it in range(maxiter):
            eps = r - d[g]
            _, le, _, _ = _hn(eps, a, b)
            f = self._sum(le)                          # d l_i / d delta_i = -sum l_e
            h = self._sum(_hn_ee(eps, a, b))           # d^2 l_i / d delta_i^2 = sum l_ee < 0
            step = f / h                               # Newton: delta - (-f) / h
            if np.max(np.abs(f) * sd / cnt) < tol or np.max(np.abs(step)) < 1e-14 * sd:
                break
            lam = np.ones_like(d)
            for _ in range(30):
                dn = d + lam * step
                lln = self._sum(_hn(r - dn[g], a, b)[0])
                bad = ~(lln >= ll - 1e-13 * np.abs(ll))
                if not bad.any():
                    break
                lam = np.where(bad, 0.5 * lam, lam)
            else:
                dn = np.where(bad, d, dn)
                lln = np.where(bad, ll, lln)
            d, ll = dn, lln
        self.inner_iter += it + 1
        self.delta = d
        return d

    def profile(self, gam):
        """Profile log-likelihood and its gradient (envelope theorem) in gam."""
        k = self.X.shape[1]
        d = self.solve_delta(gam)
        eps = self.residual(gam) - d[self.group]
        l, le, la, lb = _hn(eps, gam[k], gam[k + 1])
        return float(np.sum(l)), np.concatenate([-self.sign * (self.X.T @ le), [np.sum(la), np.sum(lb)]])

    def blocks(self, gam):
        """Full Hessian blocks at (delta(gam), gam): diag H_dd (N), H_dg (N x m), H_gg (m x m)."""
        k = self.X.shape[1]
        a, b = gam[k], gam[k + 1]
        eps = self.residual(gam) - self.delta[self.group]
        lee = _hn_ee(eps, a, b)
        l_ea, l_eb, l_aa, l_ab, l_bb = _second_ab(eps, a, b)
        s, X = self.sign, self.X
        Hdd = self._sum(lee)
        Hdg = np.column_stack([np.column_stack([self._sum(s * lee * X[:, j]) for j in range(k)]) if k else
                               np.zeros((self.n_groups, 0)), -self._sum(l_ea), -self._sum(l_eb)])
        m = k + 2
        Hgg = np.empty((m, m))
        Hgg[:k, :k] = X.T @ (lee[:, None] * X)
        Hgg[:k, k] = Hgg[k, :k] = -s * (X.T @ l_ea)
        Hgg[:k, k + 1] = Hgg[k + 1, :k] = -s * (X.T @ l_eb)
        Hgg[k, k], Hgg[k, k + 1], Hgg[k + 1, k + 1] = np.sum(l_aa), np.sum(l_ab), np.sum(l_bb)
        Hgg[k + 1, k] = Hgg[k, k + 1]
        return Hdd, Hdg, Hgg

    def schur(self, gam):
        Hdd, Hdg, Hgg = self.blocks(gam)
        return Hgg - Hdg.T @ (Hdg / Hdd[:, None]), Hdd, Hdg


def _fit_tfe(model: TFEModel, gam0, n, *, gtol=1e-9, maxiter=100) -> PanelFit:
    """Newton's method on the profile likelihood with the Schur-complement Hessian (line search;
    BFGS when Newton stalls), then the Hessian for the standard errors."""
    gam = np.asarray(gam0, float)
    ll, g = model.profile(gam)
    evals, nit, notes = 1, 0, []
    method = "Newton (profile likelihood, Schur-complement Hessian)"
    # log sigma_v^2 is held >= b_min: sigma_v >= SV_RATIO_MIN x the starting sigma_u (a fixed bound, so that
    # the active set does not move with sigma_u)
    b_min = gam[-2] + 2.0 * np.log(SV_RATIO_MIN)
    held = False
    for nit in range(1, maxiter + 1):
        free = np.ones(len(gam), dtype=bool)
        held = gam[-1] <= b_min + 1e-12 and g[-1] < 0
        if held:
            free[-1] = False
        if np.max(np.abs(g[free])) / n < (1e-7 if held else gtol):
            nit -= 1
            break
        Hs, _, _ = model.schur(gam)
        Hf = Hs[np.ix_(free, free)]
        w = np.linalg.eigvalsh(-Hf)
        shift = 0.0 if w[0] > 1e-12 * max(w[-1], 1e-300) else (-w[0] + 1e-8 * max(abs(w[-1]), 1.0))
        d = np.zeros(len(gam))
        d[free] = np.linalg.solve(-Hf + shift * np.eye(int(free.sum())), g[free])
        big = np.max(np.abs(d[-2:]))
        if big > 1.0:                                   # at most a factor e in sigma_u^2, sigma_v^2 per step
            d *= 1.0 / big
        lam, ok, keep = 1.0, False, model.delta.copy()
        while lam > 1e-10:
            model.delta = keep.copy()
            tn = gam + lam * d
            tn[-1] = max(tn[-1], b_min)
            with np.errstate(all="ignore"):
                trial = model.profile(tn)
            evals += 1
            if np.isfinite(trial[0]) and (trial[0] > ll or (trial[0] >= ll - 1e-12 * max(1.0, abs(ll))
                                                            and np.max(np.abs(trial[1])) < np.max(np.abs(g)))):
                ok = True
                break
            lam *= 0.5
        if not ok:
            model.delta = keep
            model.profile(gam)
            break
        gam, (ll, g) = tn, trial
    if held:
        notes.append(f"sigma_v is at its lower bound ({SV_RATIO_MIN:g} x the starting sigma_u): the likelihood rises "
                     "towards sigma_v = 0, the incidental-parameters failure of true fixed effects with few periods "
                     "(each unit's best row put on the frontier); no standard error for sigma_v")
    elif np.max(np.abs(g)) / n > 1e-6:
        from scipy import optimize
        notes.append("Newton on the profile likelihood stalled; BFGS continued")
        method = "BFGS (profile likelihood)"

        def f(t):
            with np.errstate(all="ignore"):
                v, gr = model.profile(t)
            return (-v / n, -gr / n) if np.isfinite(v) else (1e30, np.zeros_like(t))
        res = optimize.minimize(f, gam, jac=True, method="BFGS", options={"gtol": 1e-10, "maxiter": 2000})
        gam = res.x
        ll, g = model.profile(gam)
        nit += int(res.nit)
        evals += int(res.nfev)
    Hs, _, _ = model.schur(gam)
    gf = g[:-1] if held else g
    converged = bool(np.isfinite(ll) and np.max(np.abs(gf)) / n < 1e-6)
    if not converged:
        notes.append(f"the first-order conditions do not hold (max |gradient| / n = {np.max(np.abs(gf)) / n:.2g})")
    fit = PanelFit(gam, float(ll), g, Hs, converged, nit, evals, method, notes)
    fit.at_bound = ("sigma_v",) if held else ()
    return fit


# --------------------------------------------------------------------------------------------------
# True random effects (Greene 2005), simulated ML
# --------------------------------------------------------------------------------------------------

def sort_by_unit(model) -> None:
    """Give a simulated-likelihood model (with ``y``, ``X``, ``group``) its rows sorted by unit (stable),
    so that per-unit sums are np.add.reduceat over contiguous blocks: ``order`` (sorted position ->
    input row), ``gs`` the sorted units, ``starts`` each unit's first sorted row, ``Xs``, ``ys``."""
    model.order = np.argsort(model.group, kind="stable")
    gs = model.group[model.order]
    model.starts = np.flatnonzero(np.r_[True, gs[1:] != gs[:-1]])
    model.gs = gs
    model.Xs = model.X[model.order]
    model.ys = model.y[model.order]


@dataclass
class TREModel:
    """theta = (beta (k), log sigma_u^2, log sigma_v^2, log sigma_w); H = (N, R) normal draws."""

    y: np.ndarray
    X: np.ndarray
    group: np.ndarray
    n_groups: int
    H: np.ndarray
    sign: float = 1.0

    def __post_init__(self):
        sort_by_unit(self)
        self.Hs = self.H[self.gs]                          # (n, R) draws of each row's unit

    def parts(self, th):
        k = self.X.shape[1]
        beta, a, b, lw = th[:k], th[k], th[k + 1], th[k + 2]
        sw = np.exp(lw)
        r = self.sign * (self.ys - self.Xs @ beta)
        eps = r[:, None] - sw * self.Hs                    # s (y - x'beta - s sigma_w h): w_i = s sigma_w h
        return eps, a, b, sw

    def loglik(self, th, grad=True):
        """(log-likelihood, gradient) by the fused numba kernel :func:`efficiency.sfa._kernel.tre_loglik`
        (the same sums as :meth:`loglik_numpy`, which the tests compare it with)."""
        from ._kernel import kernel_threads, tre_loglik

        th = np.asarray(th, float)
        k = self.X.shape[1]
        r = self.sign * (self.ys - self.Xs @ th[:k])
        starts = np.r_[self.starts, len(self.ys)].astype(np.int64)
        with kernel_threads(len(self.ys) * self.H.shape[1]):          # work: rows x draws
            ll, G = tre_loglik(r, self.Xs, starts, self.H, float(self.sign), float(th[k]), float(th[k + 1]),
                               float(np.exp(th[k + 2])), bool(grad))
        total = float(np.sum(ll))
        return (total, G.sum(axis=0)) if grad else total

    def loglik_numpy(self, th, grad=True):
        """The same as :meth:`loglik` with numpy arrays of all rows x draws (the reference)."""
        th = np.asarray(th, float)
        eps, a, b, sw = self.parts(th)
        R = self.H.shape[1]
        if not grad:
            l = _pieces(eps, a, b, "half-normal", grad=False)
            Sr = np.add.reduceat(l, self.starts, axis=0)
            return float(np.sum(logsumexp(Sr, axis=1)) - len(self.starts) * np.log(R))
        l, le, la, lb = _hn(eps, a, b)
        Sr = np.add.reduceat(l, self.starts, axis=0)          # (N, R)
        lse = logsumexp(Sr, axis=1)
        ll = float(np.sum(lse) - len(self.starts) * np.log(R))
        W = np.exp(Sr - lse[:, None])[self.gs]                # posterior weights per row
        q = np.sum(W * le, axis=1)
        g = np.concatenate([-self.sign * (self.Xs.T @ q),
                            [np.sum(W * la), np.sum(W * lb), np.sum(W * le * (-sw * self.Hs))]])
        return ll, g

    def posterior(self, th, alpha, chunk=1_000_000):
        """Greene's (2005) simulated E[exp(-u)|e_i], E[exp(u)|e_i], E[u|e_i] per row (input order),
        and E[w_i | e_i] per unit."""
        th = np.asarray(th, float)
        eps, a, b, sw = self.parts(th)
        l = _pieces(eps, a, b, "half-normal", grad=False)
        Sr = np.add.reduceat(l, self.starts, axis=0)
        W = np.exp(Sr - logsumexp(Sr, axis=1)[:, None])
        w_mean = np.sum(W * sw * self.H, axis=1)
        return transient_posterior(eps, a, b, W[self.gs], alpha, self.order, chunk), w_mean


def transient_posterior(eps, a, b, Wr, alpha, order, chunk=1_000_000) -> np.ndarray:
    """The simulated posterior means of the rows' normal-half-normal inefficiency (Greene 2005):
    E[exp(-u)|e], E[exp(u)|e] and E[u|e] per row (3 x n, rows back in input order via ``order``), each
    the mean over the R draws of the predictor given eps[row, r] (log sigma_u^2 = a, log sigma_v^2 = b),
    weighted by the draws' posterior weights Wr (n x R); ``chunk`` bounds the temporaries (rows x R)."""
    su2, sv2 = np.exp(a), np.exp(b)
    S = su2 + sv2
    n, R = eps.shape
    out = np.empty((3, n))
    rows = max(1, chunk // R)
    for i0 in range(0, n, rows):
        e = eps[i0:i0 + rows]
        ef_ = e.ravel()
        pr = predictions(-ef_ * su2 / S, np.full(ef_.shape, np.sqrt(su2 * sv2 / S)), np.ones(ef_.shape), alpha)
        w = Wr[i0:i0 + rows]
        for j, key in enumerate(("bc88", "bc88_reciprocal", "u")):
            out[j, i0:i0 + rows] = np.sum(w * pr[key].reshape(e.shape), axis=1)
    res = np.empty_like(out)
    res[:, order] = out
    return res


def _re_gauss_llf(y, X, group, n_groups):
    """Maximised log-likelihood of the Gaussian random-effects model y = w_i + x'beta + v (sigma_u = 0)."""
    from scipy import optimize
    T = np.bincount(group, minlength=n_groups).astype(float)
    k = X.shape[1]

    def nll(th):
        e = y - X @ th[:k]
        Ve, Vw = np.exp(th[k]), np.exp(th[k + 1])
        se, e2 = np.bincount(group, e, n_groups), np.bincount(group, e * e, n_groups)
        D = Ve + T * Vw
        return -np.sum(-0.5 * T * LOG_2PI - 0.5 * (T - 1) * np.log(Ve) - 0.5 * np.log(D)
                       - (e2 - Vw * se * se / D) / (2 * Ve))
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    v = np.var(y - X @ beta)
    res = optimize.minimize(nll, np.r_[beta, np.log(0.5 * v), np.log(0.5 * v)], method="BFGS",
                            options={"gtol": 1e-8})
    return float(-res.fun)


# --------------------------------------------------------------------------------------------------
# The estimator behind the hook in sfa()
# --------------------------------------------------------------------------------------------------

def sfa_panel_model(raw, y, X, names, dep, ids, sign, *, panel, period, form, dist, cost, alpha, bc92_time,
                    draws=100, seed=None, sources=None, stacklevel=4):
    """``sfa(..., panel='k90' | 'tfe' | 'tre')``: returns an :class:`SFAResult` (see the module docstring).
    ``X`` has the intercept in column 0 (dropped for tfe)."""
    from scipy import stats
    from ..errors import ConvergenceWarning, DataError, SpecError
    from .fit import kodde_palm, ols, warn_wrong_skewness
    from .results import SFAResult

    if dist != "half-normal":
        raise SpecError(f"panel={panel!r}: only dist='half-normal' is available, not {dist!r}")
    group, uniq, tt, n_periods, pnum = _groups(ids, raw, period, bc92_time)
    N, n = len(uniq), len(y)
    T_i = np.bincount(group, minlength=N)
    if panel == "k90" and np.ptp(pnum) == 0:
        raise DataError(f"{raw.source}: column {period!r}: every row has the same period; the Kumbhakar (1990) "
                        "model needs several periods")
    if panel == "tfe" and T_i.max() < 2:
        raise DataError(f"{raw.source}: column {period!r}: every unit has one row (a panel with one period); true "
                        "fixed effects need at least two periods per unit (its intercept alpha_i would fit each "
                        "row exactly)")
    if panel == "tre":
        if isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 2:
            raise SpecError(f"draws: {draws!r} is not an integer >= 2 (simulation draws per unit)")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))):
            raise SpecError(f"seed: {seed!r} is not an integer (or None: plain Halton draws)")
    k = X.shape[1]
    notes: list[str] = []
    unit_effects = None
    lower = upper = None

    if panel == "tfe":
        Xs, snames = X[:, 1:], list(names[1:])
        if (T_i == 1).any():
            j = int(np.flatnonzero(T_i == 1)[0])
            warnings.warn(f"{raw.source}: {int((T_i == 1).sum())} unit(s) with a single row (e.g. "
                          f"{uniq[j]!r}): their alpha_i fits that row, they add nothing on beta", UserWarning,
                          stacklevel=stacklevel)
        cnt = T_i.astype(float)
        dm = lambda v: v - (np.bincount(group, v, N) / cnt)[group]  # noqa: E731
        Xw = np.column_stack([dm(Xs[:, j]) for j in range(Xs.shape[1])])
        for j in range(Xs.shape[1]):
            if np.max(np.abs(Xw[:, j])) <= 1e-10 * max(1.0, np.max(np.abs(Xs[:, j]))):
                cols = " and ".join(repr(c) for c in (sources[j + 1] if sources else (snames[j],)))
                raise DataError(f"{raw.source}: frontier term {snames[j]!r} (column {cols}) does not vary within "
                                "units; true fixed effects cannot tell it apart from the unit intercepts alpha_i")
        yw = dm(y)
        beta_w = np.linalg.lstsq(Xw, yw, rcond=None)[0]
        resid = yw - Xw @ beta_w
        dof = max(n - N - Xs.shape[1], 1)
        s2 = float(resid @ resid) / dof
        llf_ols = -0.5 * n * (LOG_2PI + np.log(float(resid @ resid) / n) + 1.0)
        beta_ols = beta_w
        model = TFEModel(y, Xs, group, N, sign)
        best = None
        for lam in (0.5, 1.0, 2.0):                     # starts over lambda = sigma_u / sigma_v
            sv2 = s2 / (1.0 + lam * lam * (1.0 - 2.0 / np.pi))
            g0 = np.r_[beta_w, np.log(lam * lam * sv2), np.log(sv2)]
            model.delta = None
            with np.errstate(all="ignore"):
                v = model.profile(g0)[0]
            if np.isfinite(v) and (best is None or v > best[0]):
                best = (v, g0)
        model.delta = None
        fit = _fit_tfe(model, best[1], float(n))
        gam = fit.theta
        model.profile(gam)
        delta = model.delta
        alpha_i = sign * delta
        unit_effects = pd.Series(alpha_i, index=pd.Index(uniq, name=ids.names[0]), name="alpha")
        beta_hat = gam[:-2]
        a, b = gam[-2], gam[-1]
        eps = sign * (y - Xs @ beta_hat) - delta[group]
        su2, sv2 = np.exp(a), np.exp(b)
        S = su2 + sv2
        pr = predictions(-eps * su2 / S, np.full(n, np.sqrt(su2 * sv2 / S)), np.ones(n), alpha)
        resid_ml = y - alpha_i[group] - Xs @ beta_hat
        fnames, kf = snames, Xs.shape[1]
        theta, extra_names = gam, []
        lr_df = 1
        notes.append("true fixed effects: sigma_v (and sigma_u) carry the incidental-parameters bias of "
                     f"fixed T (here T = {n / N:.3g} rows per unit on average); Chen, Schmidt and Wang (2014)")
    else:
        beta_ols, resid, llf_ols = ols(y, X)
        s2 = float(resid @ resid) / max(n - k, 1)
        fnames, kf = list(names), k
        if panel == "k90":
            model = K90Model(y, X, group, N, tt, sign)
            best = None
            for gm in np.linspace(0.1, 0.9, 9):
                S0 = s2 / (1.0 - 2.0 * gm / np.pi)
                Vu, Ve = 4.0 * gm * S0, (1.0 - gm) * S0          # u_it = u_i / 2 at b = c = 0
                beta0 = beta_ols.copy()
                beta0[0] += sign * np.sqrt(2.0 * gm * S0 / np.pi)
                t0 = np.r_[beta0, np.log(Vu), np.log(Ve), 0.0, 0.0]
                with np.errstate(all="ignore"):
                    v = model.loglik(t0, grad=False)
                if np.isfinite(v) and (best is None or v > best[0]):
                    best = (v, t0)
            fit = _maximise(model.loglik, best[1], float(n))
            theta = fit.theta
            mstar, sstar, h = model.conditional(theta)
            pr = predictions(mstar, sstar, h, alpha)
            extra_names = ["b", "c"]
            lr_df = 3
        else:
            Hd = halton_normal(N, int(draws), seed)
            model = TREModel(y, X, group, N, Hd, sign)
            gm = 0.5
            S0 = s2 / (1.0 - 2.0 * gm / np.pi)
            ub = np.bincount(group, resid, N) / T_i
            sw0 = np.sqrt(max(np.var(ub) - s2 / T_i.mean(), 0.05 * s2))
            beta0 = beta_ols.copy()
            beta0[0] += sign * np.sqrt(2.0 * gm * S0 / np.pi)
            t0 = np.r_[beta0, np.log(gm * S0), np.log((1 - gm) * S0), np.log(sw0)]
            fit = _maximise(model.loglik, t0, float(n))
            theta = fit.theta
            post, w_mean = model.posterior(theta, alpha)
            pr = {"bc88": post[0], "bc88_reciprocal": post[1], "u": post[2], "jlms": np.exp(-post[2])}
            lower = upper = np.full(n, np.nan)
            unit_effects = pd.Series(sign * w_mean, index=pd.Index(uniq, name=ids.names[0]), name="w")
            extra_names = ["sigma_w"]
            llf_ols = _re_gauss_llf(y, X, group, N)
            lr_df = 1
            notes.append(f"simulated ML with {int(draws)} "
                         + ("plain Halton (base 2)" if seed is None else f"scrambled Halton (seed {seed})")
                         + " draws per unit; llf_ols is the Gaussian random-effects model (sigma_u = 0)")
        resid_ml = y - X @ theta[:k]
        a, b = theta[k], theta[k + 1]

    skew = float(stats.skew(resid))
    warn_wrong_skewness(raw.source, skew, cost, stacklevel, "within OLS" if panel == "tfe" else "OLS")
    if not fit.converged or getattr(fit, "at_bound", ()):
        warnings.warn(ConvergenceWarning(f"{raw.source}: the {panel} SFA fit "
                                         + ("did not converge. " if not fit.converged else "stopped at a bound. ")
                                         + "; ".join(fit.notes)), stacklevel=stacklevel)

    # natural parameters: sigma_u = exp(a/2), sigma_v = exp(b/2), sigma_w = exp(lw); b, c as they are
    m = len(theta)
    nat = theta.copy()
    J = np.eye(m)
    nat[kf], nat[kf + 1] = np.exp(0.5 * a), np.exp(0.5 * b)
    J[kf, kf], J[kf + 1, kf + 1] = 0.5 * nat[kf], 0.5 * nat[kf + 1]
    if panel == "tre":
        nat[kf + 2] = np.exp(theta[kf + 2])
        J[kf + 2, kf + 2] = nat[kf + 2]
    at_bound = getattr(fit, "at_bound", ())
    try:
        Hh = fit.hessian
        if at_bound:                        # sigma_v held at its bound: the others conditional on it
            keep = np.arange(m) != kf + 1
            inv = np.full((m, m), np.nan)
            inv[np.ix_(keep, keep)] = np.linalg.inv(-Hh[np.ix_(keep, keep)])
        else:
            inv = np.linalg.inv(-Hh)
        vc = (0.5 * (inv + inv.T)) * np.outer(np.diag(J), np.diag(J))      # J is diagonal
    except np.linalg.LinAlgError:
        vc = np.full((m, m), np.nan)
        notes.append("the Hessian is singular: no standard errors")
    par_names = fnames + ["sigma_u", "sigma_v"] + extra_names
    se = np.sqrt(np.where(np.diag(vc) > 0, np.diag(vc), np.nan))
    zval = nat / se
    estimates = pd.DataFrame({"estimate": nat, "std_error": se, "z_value": zval,
                              "p_value": 2.0 * stats.norm.sf(np.abs(zval))}, index=par_names)
    vcov = pd.DataFrame(vc, index=par_names, columns=par_names)
    su2, sv2 = float(np.exp(a)), float(np.exp(b))
    lr = 2.0 * (fit.llf - llf_ols)
    lr_p, lr_crit = kodde_palm(lr, lr_df)
    series = lambda v, name: pd.Series(v, index=ids, name=name)  # noqa: E731
    lower = pr["lower"] if lower is None else lower
    upper = pr["upper"] if upper is None else upper
    return SFAResult(
        form=form, dist=dist, cost=bool(cost), panel=panel, dependent=dep, ids=ids,
        params=pd.Series(nat[:kf], index=fnames, name="params"), estimates=estimates, vcov=vcov,
        llf=fit.llf, llf_ols=float(llf_ols), sigma_sq=su2 + sv2, gamma=su2 / (su2 + sv2), mu=None, eta=None,
        delta=None, efficiency=series(pr["bc88"], "efficiency"), jlms=series(pr["jlms"], "jlms"),
        lower=series(lower, "lower"), upper=series(upper, "upper"), u_mean=series(pr["u"], "u"),
        efficiency_reciprocal=series(pr["bc88_reciprocal"], "efficiency_reciprocal"),
        residuals=series(resid_ml, "residual"), ols_params=pd.Series(beta_ols, index=fnames, name="ols"),
        skewness=skew, lr_statistic=float(lr), lr_df=lr_df, lr_critical=lr_crit, lr_pvalue=lr_p,
        nobs=n, n_firms=N, n_periods=n_periods, converged=fit.converged, n_iter=fit.n_iter,
        method=fit.method, alpha=float(alpha), at_bound=tuple(at_bound), convergence_notes=tuple(fit.notes + notes),
        n_evaluations=fit.n_evals, bc92_time=bc92_time if panel == "k90" else None,
        unit_effects=unit_effects, panel_params=pd.Series(nat[kf:], index=par_names[kf:], name="panel_params"),
        draws=int(draws) if panel == "tre" else None)
