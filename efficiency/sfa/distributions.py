"""More inefficiency distributions and the scaling property model for cross-section SFA.

y = x'beta + v - s*u (s = 1 production, -1 cost); eps = s*(y - x'beta) = v - u (production form),
v_i ~ N(0, sigma_v,i^2), sigma_v,i^2 = exp(Zv_i'phi) (``Zv_(Intercept)`` alone unless ``vhet``).
Parameter names and parameterisations are those of R sfaR's ``sfacross``.

Normal-gamma (``dist="gamma"``; Greene 1990, 2003), u ~ Gamma(shape P, scale sigma_u),
sigma_u^2 = exp(Zu_i'delta) (``Zu_(Intercept)``), f(u) = u^(P-1) exp(-u/sigma_u) / (Gamma(P) sigma_u^P).
With mu_i = -eps_i - sigma_v^2 / sigma_u and z ~ N+(mu_i, sigma_v^2) (normal truncated at 0):

    l_i = -P log sigma_u - log Gamma(P) + sigma_v^2 / (2 sigma_u^2) + eps_i / sigma_u
          + log Phi(-eps_i / sigma_v - sigma_v / sigma_u) + log H_i,     H_i = E[z^(P-1)]

(the exponential model's log-density plus log H_i - (P - 1) log sigma_u - log Gamma(P); P = 1 gives
H = 1 and the exponential model exactly, whatever the draws). H_i is simulated (Greene 2003) with
R draws F_ir in (0, 1): z_ir = mu_i - sigma_v Phi^-1((1 - F_ir) Phi(mu_i / sigma_v)) (inverse CDF of
the truncated normal), H_i = mean_r z_ir^(P-1). The draws are sfaR's: the base-2 Halton (van der
Corput) sequence without its first 11 points, filled row by row (observation i takes points
11 + i R .. 11 + i R + R - 1), so sfaR's ``simType="halton"`` fits are reproduced; ``seed`` adds a
random shift modulo 1 (Cranley-Patterson) for independent replications. ``draws="exact"`` evaluates
H_i in closed form: for z ~ N+(mu, s^2) and nu > -1,

    E[z^nu] = s^nu Gamma(nu + 1) exp(-mu^2 / (4 s^2)) D_(-nu-1)(-mu / s) / (sqrt(2 pi) Phi(mu / s))

(D the parabolic cylinder function; Gradshteyn and Ryzhik 3.462.1). Efficiency: u | eps has density
proportional to u^(P-1) times the N+(mu_i, sigma_v^2) density, so E[u|e] = E[z^P] / E[z^(P-1)],
E[exp(-u)|e] = E[z^(P-1) exp(-z)] / E[z^(P-1)] (and E[exp(u)|e] likewise), by the same draws (or the
closed form, with exp(-z) phi((z - mu)/s) = exp(-mu + s^2/2) phi((z - mu + s^2)/s)).

Generalized exponential (``dist="genexponential"``; sfaR), f(u) = 2/sigma_u exp(-u/sigma_u)
(1 - exp(-u/sigma_u)), sigma_u^2 = exp(Zu_i'delta): the law of the maximum of two Exp(sigma_u), so
f = 2 Exp(sigma_u) - Exp(sigma_u/2) (densities) and, with A = eps/sigma_u + sigma_v^2/(2 sigma_u^2),
a = -eps/sigma_v - sigma_v/sigma_u, B = 2 eps/sigma_u + 2 sigma_v^2/sigma_u^2,
b = -eps/sigma_v - 2 sigma_v/sigma_u:

    l_i = log 2 - log sigma_u + log(exp(A) Phi(a) - exp(B) Phi(b))

u | eps is the difference w1 N+(m1, sigma_v^2) - w2 N+(m2, sigma_v^2) (w1 = e^A Phi(a),
w2 = e^B Phi(b), m1 = sigma_v a, m2 = sigma_v b), which gives E[u|e], E[exp(-u)|e], E[exp(u)|e].

Scaling property (``scaling=True``; Wang and Schmidt 2002; Alvarez, Amsler, Orea and Schmidt 2006):
u_i = h_i u*_i, h_i = exp(z_i'delta) (z: the ``uhet`` columns, no intercept: ``Zscale_<col>``),
u* ~ N+(tau, exp(cu)) (``tau``, ``cu``; dist="half-normal" fixes tau = 0). Then
u_i ~ N+(tau h_i, exp(cu) h_i^2), the truncated-normal likelihood with these observation-specific
mu_i, sigma_u,i, and u_i | eps_i ~ N+(mu*_i, sigma*_i^2). E[u_i] = h_i E[u*], so the marginal effects
are dE[u_i]/dz_k = delta_k E[u_i] (the shape of the distribution does not depend on z).

Per-observation log-likelihoods are functions of a few indices (eps, the variance indices, the
scalars P or tau, cu); their partial derivatives are central differences of the vectorised
per-observation function and the gradient follows by the chain rule; the Hessian (standard errors)
is central differences of that gradient. Maximisation: ``het.maximise_het`` (BFGS, then Newton).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import gammaln, log_ndtr, logsumexp, ndtri_exp

from .het import gradient_hessian
from .likelihood import _mills, predictions

EXTRA_DISTS = ("gamma", "genexponential")
SCALING_DISTS = ("half-normal", "truncated-normal")
DEFAULT_DRAWS = 100            # sfaR's Nsim
HALTON_SKIP = 11               # sfaR: burn = 10, plus the leading 0 of the sequence
_HALF_LOG_2PI = 0.5 * float(np.log(2.0 * np.pi))
LOG2 = float(np.log(2.0))


# --------------------------------------------------------------------------------------------------
# Draws
# --------------------------------------------------------------------------------------------------

def halton(length: int, base: int = 2, skip: int = HALTON_SKIP) -> np.ndarray:
    """Points skip .. skip + length - 1 of the Halton (radical-inverse) sequence in ``base``, the
    sequence starting 0, 1/2, 1/4, 3/4, ... (as sfaR's / mlogit's ``halton``)."""
    idx = np.arange(skip, skip + length, dtype=np.int64)
    out = np.zeros(length)
    f = 1.0 / base
    while np.any(idx > 0):
        out += f * (idx % base)
        idx //= base
        f /= base
    return out


def draw_matrix(n: int, draws: int, seed=None) -> np.ndarray:
    """n x draws uniforms: sfaR's Halton matrix (row by row); with ``seed``, randomly shifted mod 1."""
    F = halton(n * draws).reshape(n, draws)
    if seed is not None:
        F = np.mod(F + np.random.default_rng(seed).random(), 1.0)
    return F


# --------------------------------------------------------------------------------------------------
# Per-observation log-likelihoods
# --------------------------------------------------------------------------------------------------

def _tn_log_moment(nu, mu, s):
    """log E[z^nu] for z ~ N+(mu, s^2), nu > -1, in closed form (parabolic cylinder function)."""
    from scipy.special import pbdv
    x = mu / s
    d = pbdv(-nu - 1.0, -x)[0]
    return nu * np.log(s) + gammaln(nu + 1.0) - x * x / 4.0 + np.log(d) - _HALF_LOG_2PI - log_ndtr(x)


def _gamma_z(mu, sv, F):
    """Draws of z ~ N+(mu, sv^2) per row (mu, sv column vectors, F the uniforms)."""
    with np.errstate(divide="ignore"):
        lq = np.log1p(-F) + log_ndtr(mu / sv)
    z = mu - sv * ndtri_exp(lq)
    return np.maximum(z, 1e-300)


def gamma_loglik(eps, a, b, P, F=None):
    """Normal-gamma log-density per observation; ``F`` the uniforms (None: the closed form)."""
    if not np.isfinite(P) or P <= 0.0:
        return np.full(np.shape(eps), -np.inf)
    su, sv = np.exp(0.5 * a), np.exp(0.5 * b)
    base = -P * 0.5 * a - gammaln(P) + sv * sv / (2.0 * su * su) + eps / su + log_ndtr(-eps / sv - sv / su)
    if P == 1.0:
        return base
    mu = -eps - sv * sv / su
    if F is None:
        return base + _tn_log_moment(P - 1.0, mu, sv)
    z = _gamma_z(mu[:, None], sv[:, None] if np.ndim(sv) else sv, F)
    return base + logsumexp((P - 1.0) * np.log(z), axis=1) - np.log(F.shape[1])


def genexp_loglik(eps, a, b):
    """Generalized-exponential-normal log-density per observation."""
    su, sv = np.exp(0.5 * a), np.exp(0.5 * b)
    r = sv / su
    A = eps / su + 0.5 * r * r
    B = 2.0 * eps / su + 2.0 * r * r
    la = log_ndtr(-eps / sv - r)
    lb = log_ndtr(-eps / sv - 2.0 * r)
    t1, t2 = A + la, B + lb
    # log(e^t1 - e^t2), t1 > t2 always (the density is positive)
    with np.errstate(divide="ignore", invalid="ignore"):
        return LOG2 - 0.5 * a + t1 + np.log1p(-np.exp(t2 - t1))


def scaling_loglik(eps, w, b, tau, cu):
    """Truncated normal with mu_i = tau exp(w_i), sigma_u,i^2 = exp(cu + 2 w_i) (w_i = z_i'delta)."""
    h = np.exp(w)
    mu = tau * h
    su2, sv2 = np.exp(cu + 2.0 * w), np.exp(b)
    S = su2 + sv2
    mstar = (mu * sv2 - su2 * eps) / S
    sstar = np.sqrt(su2 * sv2 / S)
    return (-0.5 * np.log(S) - _HALF_LOG_2PI - 0.5 * (mu + eps) ** 2 / S + log_ndtr(mstar / sstar)
            - log_ndtr(mu / np.sqrt(su2)))


# --------------------------------------------------------------------------------------------------
# A model: p = (beta, then one coefficient block per index matrix, then the scalars)
# --------------------------------------------------------------------------------------------------

@dataclass
class IndexModel:
    """Per-observation l(eps, index_1, ..., index_m, scalars) with index_j = M_j @ block_j."""

    y: np.ndarray
    X: np.ndarray
    mats: list
    n_scalars: int
    fun: object                     # fun(eps, indices (list), scalars (list)) -> l per observation
    sign: float = 1.0
    fixed: dict = field(default_factory=dict)

    @property
    def k(self) -> int:
        return self.X.shape[1]

    @property
    def n_params(self) -> int:
        return self.k + sum(M.shape[1] for M in self.mats) + self.n_scalars

    def split(self, p):
        p = np.asarray(p, dtype=float)
        out, j = [p[:self.k]], self.k
        for M in self.mats:
            out.append(p[j:j + M.shape[1]])
            j += M.shape[1]
        return out[0], out[1:], list(p[j:])

    def parts(self, p):
        beta, blocks, scal = self.split(p)
        eps = self.sign * (self.y - self.X @ beta)
        return eps, [M @ c for M, c in zip(self.mats, blocks)], scal

    def per_obs(self, p):
        eps, idx, scal = self.parts(p)
        with np.errstate(all="ignore"):
            return self.fun(eps, idx, scal)

    def loglik(self, p, grad: bool = True, per_obs: bool = False):
        eps, idx, scal = self.parts(p)
        with np.errstate(all="ignore"):
            ll = self.fun(eps, idx, scal)
        if per_obs:
            return ll
        total = float(np.sum(ll))
        if not grad:
            return total
        if not np.isfinite(total):
            return total, np.full(self.n_params, np.nan)
        args = [eps] + idx
        gparts = []
        for j in range(len(args)):
            h = 1e-6 * np.maximum(1.0, np.abs(args[j]))
            up = [v + h if i == j else v for i, v in enumerate(args)]
            dn = [v - h if i == j else v for i, v in enumerate(args)]
            with np.errstate(all="ignore"):
                d = (self.fun(up[0], up[1:], scal) - self.fun(dn[0], dn[1:], scal)) / (2.0 * h)
            gparts.append(d)
        g = [-self.sign * (self.X.T @ gparts[0])] + [M.T @ d for M, d in zip(self.mats, gparts[1:])]
        for j in range(len(scal)):
            h = 1e-6 * max(1.0, abs(scal[j]))
            su, sd = list(scal), list(scal)
            su[j] += h
            sd[j] -= h
            with np.errstate(all="ignore"):
                g.append(np.array([(np.sum(self.fun(eps, idx, su)) - np.sum(self.fun(eps, idx, sd))) / (2.0 * h)]))
        return total, np.concatenate(g)

    def hessian(self, p):
        """Central differences of the (numerical) gradient, step 1e-4 (the gradient's own step is 1e-6)."""
        return gradient_hessian(lambda q: self.loglik(q)[1], p, 1e-4)


# --------------------------------------------------------------------------------------------------
# Efficiency predictors
# --------------------------------------------------------------------------------------------------

def _nplus_moments(m, s):
    """E[u], E[exp(-u)], E[exp(u)] for u ~ N+(m, s^2) (vectors)."""
    lp = log_ndtr(m / s)
    eu = m + s * _mills(m / s, lp)
    em = np.exp(-m + 0.5 * s * s + log_ndtr(m / s - s) - lp)
    ep = np.exp(m + 0.5 * s * s + log_ndtr(m / s + s) - lp)
    return eu, em, ep


def gamma_predictions(eps, a, b, P, F=None):
    """E[u|e], E[exp(-u)|e], E[exp(u)|e] of the normal-gamma model (simulated with ``F``, or exact)."""
    su, sv = np.exp(0.5 * a), np.exp(0.5 * b)
    mu = -eps - sv * sv / su
    sv = np.broadcast_to(sv, np.shape(mu))
    shift = lambda d: d * mu + 0.5 * sv * sv + log_ndtr((mu + d * sv * sv) / sv) - log_ndtr(mu / sv)  # noqa: E731
    if F is None:
        l0 = _tn_log_moment(P - 1.0, mu, sv)
        u = np.exp(_tn_log_moment(P, mu, sv) - l0)
        em = np.exp(shift(-1.0) + _tn_log_moment(P - 1.0, mu - sv * sv, sv) - l0)
        ep = np.exp(shift(1.0) + _tn_log_moment(P - 1.0, mu + sv * sv, sv) - l0)
        return u, em, ep
    # E[z^nu g(z)] for the shifted truncated normals N+(mu -/+ sv^2, sv^2) by the same uniforms (as sfaR)
    lmean = lambda m, nu: logsumexp(nu * np.log(_gamma_z(m[:, None], sv[:, None], F)), axis=1)  # noqa: E731
    l0 = lmean(mu, P - 1.0)
    u = np.exp(lmean(mu, P) - l0)
    em = np.exp(shift(-1.0) + lmean(mu - sv * sv, P - 1.0) - l0)
    ep = np.exp(shift(1.0) + lmean(mu + sv * sv, P - 1.0) - l0)
    return u, em, ep


def genexp_predictions(eps, a, b):
    su, sv = np.exp(0.5 * a), np.exp(0.5 * b)
    r = sv / su
    m1, m2 = -eps - sv * r, -eps - 2.0 * sv * r
    t1 = eps / su + 0.5 * r * r + log_ndtr(m1 / sv)
    t2 = 2.0 * eps / su + 2.0 * r * r + log_ndtr(m2 / sv)
    q = np.exp(t2 - t1)                       # w2 / w1 < 1
    sv = np.broadcast_to(sv, np.shape(m1))
    e1, e2 = _nplus_moments(m1, sv), _nplus_moments(m2, sv)
    return tuple((x1 - q * x2) / (1.0 - q) for x1, x2 in zip(e1, e2))


# --------------------------------------------------------------------------------------------------
# The fit behind sfa(dist="gamma" | "genexponential", or scaling=True)
# --------------------------------------------------------------------------------------------------

def check_draws(draws, seed):
    """Validate ``draws`` (a positive int or "exact") and ``seed``; returns (draws, seed)."""
    from ..errors import SpecError
    if draws is None:
        draws = DEFAULT_DRAWS
    if isinstance(draws, str):
        if draws.lower().strip() != "exact":
            raise SpecError(f"draws: {draws!r} is neither a number of Halton draws nor 'exact'")
        draws = "exact"
    elif isinstance(draws, bool) or not isinstance(draws, (int, np.integer)) or draws < 1:
        raise SpecError(f"draws: {draws!r} is not a positive integer (Halton draws per observation) or 'exact'")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise SpecError(f"seed: {seed!r} is not a non-negative integer")
    return draws, seed


def sfa_distribution(raw, y, X, names, dep, ids, sign, *, form, dist, cost, alpha, uhet, vhet,
                     scaling=False, draws=None, seed=None, stacklevel=4):
    """The models of this module behind ``sfa``: returns an ``SFAResult``. ``uhet``/``vhet`` are
    (Z, parameter names) pairs with the intercept column (for ``scaling`` the Zu intercept is dropped:
    the z's of h = exp(z'delta))."""
    from scipy import stats
    from ..errors import ConvergenceWarning
    from ._kernel import kernel_threads
    from .fit import grid_start, kodde_palm, maximise, ols, warn_wrong_skewness
    from .het import maximise_het
    from .likelihood import ExpModel, TNModel
    from .results import SFAResult

    (Zu, u_names), (Zv, v_names) = uhet, vhet
    n, k = len(y), X.shape[1]
    beta_ols, resid, llf_ols = ols(y, X)
    skew = float(stats.skew(resid))
    warn_wrong_skewness(raw.source, skew, cost, stacklevel)

    F = None
    if dist == "gamma":
        F = None if draws == "exact" else draw_matrix(n, int(draws), seed)
    with kernel_threads(n):
        if scaling:
            base = TNModel(y, X, sign, Z=np.ones((n, 1))) if dist == "truncated-normal" else TNModel(y, X, sign)
        else:
            base = ExpModel(y, X, sign)
        hom = maximise(base, [grid_start(base, beta_ols, resid, exponential=not scaling, intercept=0)])
    S, g = hom.params[k], hom.params[k + 1]
    su2, sv2 = max(g * S, 1e-8 * S), max((1.0 - g) * S, 1e-8 * S)
    zu_rest, zv_rest = np.zeros(Zu.shape[1] - 1), np.zeros(Zv.shape[1] - 1)
    if scaling:
        Zs = Zu[:, 1:]
        s_names = ["Zscale_" + c[len("Zu_"):] for c in u_names[1:]]
        if dist == "truncated-normal":
            fun = lambda eps, idx, sc: scaling_loglik(eps, idx[0], idx[1], sc[0], sc[1])  # noqa: E731
            start = np.concatenate([hom.params[:k], zu_rest, [hom.params[k + 2], np.log(su2)],
                                    [np.log(sv2)], zv_rest])
            # scalars last in the model; sfaR's order (tau, cu before Zv_) is restored for the output
            model = IndexModel(y, X, [Zs, Zv], 2, fun, sign)
            extra_names = ["tau", "cu"]
        else:
            fun = lambda eps, idx, sc: scaling_loglik(eps, idx[0], idx[1], 0.0, sc[0])  # noqa: E731
            start = np.concatenate([hom.params[:k], zu_rest, [np.log(su2)], [np.log(sv2)], zv_rest])
            model = IndexModel(y, X, [Zs, Zv], 1, fun, sign)
            extra_names = ["cu"]
        nz = Zs.shape[1]
        # internal order: beta, delta, phi, scalars; start given in sfaR's order -> reorder
        ns = len(extra_names)
        start = np.concatenate([start[:k + nz], start[k + nz + ns:], start[k + nz:k + nz + ns]])
    elif dist == "gamma":
        fun = lambda eps, idx, sc: gamma_loglik(eps, idx[0], idx[1], sc[0], F)  # noqa: E731
        model = IndexModel(y, X, [Zu, Zv], 1, fun, sign)
        start = np.concatenate([hom.params[:k], [np.log(su2)], zu_rest, [np.log(sv2)], zv_rest, [1.0]])
        extra_names = ["P"]
    else:
        fun = lambda eps, idx, sc: genexp_loglik(eps, idx[0], idx[1])  # noqa: E731
        model = IndexModel(y, X, [Zu, Zv], 0, fun, sign)
        # E[u] = 1.5 sigma_u for the generalized exponential
        beta0 = hom.params[:k].copy()
        start = np.concatenate([beta0, [np.log(su2 / 2.25)], zu_rest, [np.log(sv2)], zv_rest])
        extra_names = []
    fit = maximise_het(model, start)
    if scaling and dist == "truncated-normal":
        # the truncated-normal fit's mu can lead to a maximum at tau -> -inf (the exponential limit):
        # also start from tau = 0 and tau = sigma_u / 2 (u* near half-normal) and keep the best
        for tau0 in (0.0, 0.5 * np.sqrt(su2)):
            s2 = start.copy()
            s2[-2] = tau0
            other = maximise_het(model, s2)
            if other.llf > fit.llf + 1e-9:
                fit = other
    if dist == "gamma" and not scaling:
        # P = 1 is the exponential fit; also try from P = 1/2 and 2 and keep the best
        for P0 in (0.5, 2.0):
            s2 = start.copy()
            s2[-1] = P0
            other = maximise_het(model, s2)
            if other.llf > fit.llf + 1e-9:
                fit = other
    p = fit.params
    if not fit.converged:
        warnings.warn(ConvergenceWarning(f"{raw.source}: the {dist} SFA fit did not converge. "
                                         + "; ".join(fit.notes)), stacklevel=stacklevel)
    beta, blocks, scal = model.split(p)
    eps, idx, _ = model.parts(p)
    b = idx[1]
    sv2_i = np.exp(b)
    vcov_int = fit.vcov
    if scaling:
        nz = Zs.shape[1]
        ns = len(extra_names)
        order = list(range(k + nz)) + list(range(len(p) - ns, len(p))) + list(range(k + nz, len(p) - ns))
        par_names = list(names) + s_names + extra_names + v_names
        delta = blocks[0]
        tau = scal[0] if dist == "truncated-normal" else 0.0
        cu = scal[-1]
        hh = np.exp(idx[0])
        mu_i, su2_i = tau * hh, np.exp(cu) * hh * hh
        S_i = su2_i + sv2_i
        mstar, sstar = (mu_i * sv2_i - su2_i * eps) / S_i, np.sqrt(su2_i * sv2_i / S_i)
        pr = predictions(mstar, sstar, np.ones(n), alpha)
        u_hat, em, ep = pr["u"], pr["bc88"], pr["bc88_reciprocal"]
        lower, upper = pr["lower"], pr["upper"]
        scu = np.exp(0.5 * cu)
        eu_star = tau + scu * float(_mills(np.array([tau / scu]), log_ndtr(np.array([tau / scu])))[0])
        e_u = hh * eu_star
        me = pd.DataFrame(np.outer(e_u, delta), index=ids, columns=[c[len("Zscale_"):] for c in s_names])
        var_u = scale_u2 = su2_i
        lr_df = nz + ns
    else:
        order = list(range(len(p)))
        par_names = list(names) + u_names + v_names + extra_names
        a = idx[0]
        if dist == "gamma":
            P = scal[0]
            u_hat, em, ep = gamma_predictions(eps, a, b, P, F)
            var_u = P * np.exp(a)
        else:
            u_hat, em, ep = genexp_predictions(eps, a, b)
            var_u = 1.25 * np.exp(a)
        scale_u2 = np.exp(a)
        lower = upper = np.full(n, np.nan)
        me = None
        lr_df = Zu.shape[1] + len(extra_names)
    p_out = p[order]
    vcov = vcov_int[np.ix_(order, order)]
    se = np.sqrt(np.where(np.diag(vcov) > 0, np.diag(vcov), np.nan))
    zval = p_out / se
    estimates = pd.DataFrame({"estimate": p_out, "std_error": se, "z_value": zval,
                              "p_value": 2.0 * stats.norm.sf(np.abs(zval))}, index=par_names)
    vcov_df = pd.DataFrame(vcov, index=par_names, columns=par_names)
    sig_sq = float(np.mean(var_u) + np.mean(sv2_i))
    lr = 2.0 * (fit.llf - llf_ols)
    lr_p, lr_crit = kodde_palm(lr, lr_df)
    series = lambda v, name: pd.Series(v, index=ids, name=name)  # noqa: E731
    nu = Zu.shape[1]
    method = fit.method + (f"; {'closed-form' if F is None else f'{F.shape[1]} Halton'} integral"
                           if dist == "gamma" and not scaling else "")
    return SFAResult(
        form=form, dist=dist, cost=bool(cost), panel=None, dependent=dep, ids=ids,
        params=pd.Series(p_out, index=par_names, name="params"), estimates=estimates, vcov=vcov_df,
        llf=fit.llf, llf_ols=float(llf_ols), sigma_sq=sig_sq, gamma=float(np.mean(var_u)) / sig_sq,
        mu=float(scal[0]) if scaling and dist == "truncated-normal" else None, eta=None, delta=None,
        efficiency=series(em, "efficiency"), jlms=series(np.exp(-u_hat), "jlms"),
        lower=series(lower, "lower"), upper=series(upper, "upper"), u_mean=series(u_hat, "u"),
        efficiency_reciprocal=series(ep, "efficiency_reciprocal"),
        residuals=series(y - X @ beta, "residual"), ols_params=pd.Series(beta_ols, index=names, name="ols"),
        skewness=skew, lr_statistic=float(lr), lr_df=lr_df, lr_critical=lr_crit, lr_pvalue=lr_p,
        nobs=n, n_firms=None, n_periods=None, converged=fit.converged, n_iter=fit.n_iter,
        method=method, marginal_effects=me, alpha=float(alpha), fallback=False, at_bound=(),
        convergence_notes=tuple(fit.notes), n_evaluations=fit.n_evals,
        uhet=None if scaling else pd.Series(p[k:k + nu], index=u_names, name="uhet"),
        vhet=pd.Series(blocks[1], index=v_names, name="vhet"),
        sigma_u_i=series(np.sqrt(scale_u2), "sigma_u"), sigma_v_i=series(np.sqrt(sv2_i), "sigma_v"))


def check_options(dist, panel, z_names, uhet, vhet, scaling, draws, seed, extra):
    """Validate the options of this module's models (called by ``sfa`` before reading the data).
    Returns (uhet, vhet, draws, seed) with uhet/vhet as lists of column names (sfaR's "1" dropped)."""
    from ..data import _as_name_list
    from ..errors import SpecError
    if not isinstance(scaling, (bool, np.bool_)):
        raise SpecError(f"scaling: {scaling!r} is not True or False")
    if not extra:
        raise SpecError("draws/seed: simulated likelihood is used by dist='gamma' only")
    if panel is not None or z_names:
        raise SpecError(f"dist={dist!r}{' with scaling=True' if scaling else ''} is for cross-sections; it cannot "
                        f"be combined with {'z (inefficiency effects)' if z_names else f'panel={panel!r}'}")
    uhet, vhet = ([c for c in _as_name_list(v, nm) if c != "1"] for v, nm in ((uhet, "uhet"), (vhet, "vhet")))
    if scaling:
        if dist not in SCALING_DISTS:
            raise SpecError(f"scaling=True: u = exp(z'delta) u* with u* half-normal or truncated normal; "
                            f"dist={dist!r} is not available")
        if not uhet:
            raise SpecError("scaling=True: give the scaling variables z of h = exp(z'delta) as uhet=[...] "
                            "(no intercept; sfaR's Zscale_)")
    if dist == "gamma":
        draws, seed = check_draws(draws, seed)
    elif draws is not None or seed is not None:
        raise SpecError(f"draws/seed: simulated likelihood is used by dist='gamma' only, not dist={dist!r}")
    return uhet, vhet, draws, seed
