"""Latent-class stochastic frontier (Orea and Kumbhakar 2004), as R sfaR's ``sfalcmcross``.

Cross-section, K = 2..5 classes, u half-normal. y = x'beta_j + v - s*u in class j (s = 1 production,
-1 cost); eps_ij = s*(y_i - x_i'beta_j), sigma_u,j^2 = exp(delta_j), sigma_v,j^2 = exp(phi_j)
(sfaR's ``Zu_(Intercept)`` and ``Zv_(Intercept)``), S_j = sigma_u,j^2 + sigma_v,j^2:

    f_j(eps) = 2 / sqrt(S_j) phi(eps / sqrt(S_j)) Phi(-eps sigma_u,j / (sigma_v,j sqrt(S_j)))

Prior class probabilities: a multinomial logit in the class covariates h_i (an intercept first),
pi_ij = exp(h_i'theta_j) / sum_m exp(h_i'theta_m), theta_K = 0 (the last class is the reference, as
sfaR). Log-likelihood sum_i log sum_j pi_ij f_j(eps_ij); posterior class probabilities
w_ij = pi_ij f_j(eps_ij) / sum_m pi_im f_m(eps_im) (Bayes). The gradient is analytic:

    d/dbeta_j = -s X' (w_.j * dlog f_j/deps),  d/d(delta_j, phi_j) = sum_i w_ij dlog f_j/d(.),
    d/dtheta_j = H' (w_.j - pi_.j)

and the Hessian (standard errors) central differences of it.

Estimation: several seeded starts (sfaR's own start: the one-class fit with the slopes of the
other classes scaled by 0.98; OLS residual quantile groups; random subsets of observations each
giving one class's OLS line), each improved by EM (weighted one-class ML per class, weighted logit),
the best non-degenerate one (every class holding at least as many expected observations as it has
parameters) then maximised on the full likelihood by BFGS and Newton steps (``het.maximise_het``).

Label switching: classes are numbered by decreasing average prior probability (Cl1 is the largest
class); the logit is then re-expressed against the new last class.

Parameter names: ``Cl<j>_<frontier term>``, ``Cl<j>_Zu_(Intercept)``, ``Cl<j>_Zv_(Intercept)`` for
j = 1..K, then the logit ``Cl<j>_thet_<covariate>`` (``Cl<j>_thet_(Intercept)``) for j = 1..K-1.
sfaR's ``coef`` repeats the per-class names without a class prefix and calls the logit
coefficients ``Cl<j>_<covariate>``; the order is the same.

Efficiency: per class the BC88 / JLMS predictors with that class's frontier; ``efficiency`` uses the
most likely class of each observation (sfaR's ``teBC_c``), ``efficiency_posterior`` the
posterior-weighted average sum_j w_ij E[exp(-u)|eps_ij, j].
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import log_softmax, logsumexp

from .het import _pieces, gradient_hessian, maximise_het
from .likelihood import predictions

MAX_CLASSES = 5
OBS_PER_PARAM = 10
_SQRT_2_PI = float(np.sqrt(2.0 / np.pi))


@dataclass
class LatentModel:
    """p = (beta_1, delta_1, phi_1, ..., beta_K, delta_K, phi_K, theta_1, ..., theta_{K-1})."""

    y: np.ndarray
    X: np.ndarray
    H: np.ndarray          # class covariates, intercept first
    K: int
    sign: float = 1.0

    @property
    def k(self) -> int:
        return self.X.shape[1]

    @property
    def m(self) -> int:
        """Parameters per class: the frontier and the two variances."""
        return self.k + 2

    @property
    def q(self) -> int:
        return self.H.shape[1]

    @property
    def n_params(self) -> int:
        return self.K * self.m + (self.K - 1) * self.q

    def split(self, p):
        p = np.asarray(p, dtype=float)
        C = p[:self.K * self.m].reshape(self.K, self.m)
        T = np.vstack([p[self.K * self.m:].reshape(self.K - 1, self.q), np.zeros((1, self.q))])
        return C[:, :self.k], C[:, self.k], C[:, self.k + 1], T

    def join(self, B, A, V, T):
        C = np.column_stack([B, A, V])
        return np.concatenate([C.ravel(), (T[:-1] - T[-1]).ravel()])

    def eps(self, p):
        B = self.split(p)[0]
        return self.sign * (self.y[:, None] - self.X @ B.T)

    def log_prior(self, p):
        T = self.split(p)[3]
        return log_softmax(self.H @ T.T, axis=1)

    def class_loglik(self, p, grad=False):
        """log f_j(eps_ij) (n x K) and, with ``grad``, its derivatives in eps, delta_j, phi_j."""
        _, A, V, _ = self.split(p)
        e = self.eps(p)
        a = np.broadcast_to(A, e.shape)
        b = np.broadcast_to(V, e.shape)
        return _pieces(e, a, b, "half-normal", grad=grad)

    def posterior(self, p):
        lj = self.log_prior(p) + self.class_loglik(p)
        return np.exp(lj - logsumexp(lj, axis=1, keepdims=True))

    def loglik(self, p, grad: bool = True, per_obs: bool = False):
        lp = self.log_prior(p)
        if per_obs or not grad:
            ll = logsumexp(lp + self.class_loglik(p), axis=1)
            return ll if per_obs else float(np.sum(ll))
        L, le, la, lb = self.class_loglik(p, grad=True)
        lj = lp + L
        lli = logsumexp(lj, axis=1)
        W = np.exp(lj - lli[:, None])
        gB = -self.sign * (W * le).T @ self.X                      # K x k
        gA = np.sum(W * la, axis=0)
        gV = np.sum(W * lb, axis=0)
        gT = (W - np.exp(lp)).T @ self.H                            # K x q
        g = np.concatenate([np.column_stack([gB, gA, gV]).ravel(), gT[:-1].ravel()])
        return float(np.sum(lli)), g

    def hessian(self, p):
        """Central differences of the analytic gradient, symmetrised."""
        return gradient_hessian(lambda q: self.loglik(q)[1], p)

    def conditional(self, p):
        """(mu*, sigma*) of u | eps, class j: n x K each."""
        _, A, V, _ = self.split(p)
        su2, sv2 = np.exp(A), np.exp(V)
        S = su2 + sv2
        return -self.eps(p) * su2 / S, np.broadcast_to(np.sqrt(su2 * sv2 / S), (len(self.y), self.K))


# --------------------------------------------------------------------------------------------------
# Starting values and EM
# --------------------------------------------------------------------------------------------------

def _class_from_weights(y, X, w, sign):
    """(beta, delta, phi) of a class from weighted OLS and the half-normal moments."""
    sw = np.sqrt(np.maximum(w, 0.0))
    beta = np.linalg.lstsq(X * sw[:, None], y * sw, rcond=None)[0]
    r = y - X @ beta
    s2 = max(float(np.sum(w * r * r) / max(np.sum(w), 1e-12)), 1e-12 * (float(np.var(y)) + 1e-300))
    su2 = sv2 = s2 / (2.0 - 2.0 / np.pi)
    beta = beta.copy()
    beta[0] += sign * _SQRT_2_PI * np.sqrt(su2)
    return beta, np.log(su2), np.log(sv2)


def _start_from_weights(model: LatentModel, W):
    parts = [_class_from_weights(model.y, model.X, W[:, j], model.sign) for j in range(model.K)]
    B = np.array([b for b, _, _ in parts])
    A = np.array([a for _, a, _ in parts])
    V = np.array([v for _, _, v in parts])
    T = np.zeros((model.K, model.q))
    share = np.clip(W.mean(axis=0), 1e-3, None)
    T[:, 0] = np.log(share / share[-1])
    return model.join(B, A, V, T)


def _weighted_class_fit(model: LatentModel, w, start):
    """Maximise sum_i w_i log f(eps_i; beta, delta, phi) over one class's parameters."""
    from scipy import optimize
    X, y, s, k = model.X, model.y, model.sign, model.k
    tot = max(float(np.sum(w)), 1e-12)

    def f(c):
        e = s * (y - X @ c[:k])
        with np.errstate(all="ignore"):
            ll, le, la, lb = _pieces(e, np.full_like(e, c[k]), np.full_like(e, c[k + 1]), "half-normal")
        val = -float(w @ ll) / tot
        if not np.isfinite(val):
            return 1e30, np.zeros_like(c)
        g = np.concatenate([s * (X.T @ (w * le)), [w @ la, w @ lb]]) / tot
        return val, g

    res = optimize.minimize(f, start, jac=True, method="BFGS", options={"maxiter": 30, "gtol": 1e-8})
    return res.x if np.isfinite(res.fun) and res.fun < f(start)[0] + 1e-12 else np.asarray(start)


def _weighted_logit(model: LatentModel, W, T0):
    """Maximise sum_ij w_ij log pi_ij over theta (theta_K = 0)."""
    if model.q == 1:
        share = np.clip(W.mean(axis=0), 1e-10, None)
        T = np.zeros((model.K, 1))
        T[:, 0] = np.log(share / share[-1])
        return T
    from scipy import optimize
    K, q, H = model.K, model.q, model.H

    def f(t):
        T = np.vstack([t.reshape(K - 1, q), np.zeros((1, q))])
        lp = log_softmax(H @ T.T, axis=1)
        g = -((W - np.exp(lp)).T @ H)[:-1].ravel()
        return -float(np.sum(W * lp)), g

    t0 = (T0[:-1] - T0[-1]).ravel()
    res = optimize.minimize(f, t0, jac=True, method="BFGS", options={"maxiter": 50})
    return np.vstack([res.x.reshape(K - 1, q), np.zeros((1, q))])


def _em(model: LatentModel, p, iters: int, tol: float = 1e-9):
    """Generalised EM from p: returns (p, llf)."""
    ll = model.loglik(p, grad=False)
    for _ in range(iters):
        W = model.posterior(p)
        B, A, V, T = model.split(p)
        B, A, V = B.copy(), A.copy(), V.copy()
        for j in range(model.K):
            c = _weighted_class_fit(model, W[:, j], np.concatenate([B[j], [A[j], V[j]]]))
            B[j], A[j], V[j] = c[:model.k], c[model.k], c[model.k + 1]
        T = _weighted_logit(model, W, T)
        pn = model.join(B, A, V, T)
        with np.errstate(all="ignore"):
            lln = model.loglik(pn, grad=False)
        if not np.isfinite(lln):
            break
        p, done = pn, abs(lln - ll) <= tol * max(1.0, abs(ll))
        ll = lln
        if done:
            break
    return p, ll


def _valid(model: LatentModel, p) -> bool:
    """Every class holds at least as many expected observations as it has parameters, and its
    variances are finite and not degenerate (sigma_v,j^2 above 1e-6 var(y): with sigma_v -> 0 the
    likelihood can grow on a boundary where a class's frontier envelopes its observations)."""
    with np.errstate(all="ignore"):
        W = model.posterior(p)
    _, A, V, _ = model.split(p)
    floor = np.log(1e-6 * max(float(np.var(model.y)), 1e-300))   # sigma_v,j -> 0: a degenerate boundary
    return bool(np.all(np.isfinite(W)) and np.all(W.sum(axis=0) >= model.m)
                and np.all(np.abs(A) < 50) and np.all(V > floor) and np.all(V < 50))


def _order(model: LatentModel, p):
    """Label rule: classes by decreasing average prior probability (Cl1 the largest)."""
    B, A, V, T = model.split(p)
    share = np.exp(model.log_prior(p)).mean(axis=0)
    idx = np.argsort(-share, kind="stable")
    return model.join(B[idx], A[idx], V[idx], T[idx]), idx


def starts(model: LatentModel, n_starts: int, seed: int):
    """Starting vectors: sfaR's (the one-class fit, class j's slopes times 0.98^(j-1)), OLS residual
    quantile groups, then random subsets each giving one class's OLS line."""
    n, K, k = len(model.y), model.K, model.k
    b0, a0, v0 = _class_from_weights(model.y, model.X, np.ones(n), model.sign)
    one = np.concatenate([b0, [a0, v0]])
    for _ in range(5):
        one = _weighted_class_fit(model, np.ones(n), one)
    B = np.array([one[:k] * 0.98 ** j for j in range(K)])
    out = [model.join(B, np.full(K, one[k]), np.full(K, one[k + 1]), np.zeros((K, model.q)))]
    beta = np.linalg.lstsq(model.X, model.y, rcond=None)[0]
    r = model.y - model.X @ beta
    groups = np.minimum((np.argsort(np.argsort(r)) * K) // n, K - 1)
    out.append(_start_from_weights(model, np.eye(K)[groups]))
    rng = np.random.default_rng(seed)
    size = min(n, max(3 * k, 2 * k + 5))
    for _ in range(max(n_starts - 2, 0)):
        lines = []
        for j in range(K):
            sub = rng.choice(n, size=size, replace=False)
            lines.append(np.linalg.lstsq(model.X[sub], model.y[sub], rcond=None)[0])
        D = np.column_stack([(model.y - model.X @ b) ** 2 for b in lines])
        out.append(_start_from_weights(model, np.eye(K)[np.argmin(D, axis=1)]))
    return out


@dataclass
class LatentFit:
    params: np.ndarray
    llf: float
    vcov: np.ndarray
    converged: bool
    n_iter: int
    n_evals: int
    method: str
    notes: list
    n_valid_starts: int


def fit_latent(model: LatentModel, *, n_starts: int = 10, seed: int = 0, em_short: int = 25,
               em_long: int = 300, n_polish: int = 3) -> LatentFit:
    """Multiple seeded starts, short EM from each, long EM and full ML from the best ``n_polish``;
    the best valid (non-degenerate) maximum is kept and its classes ordered (``_order``)."""
    cands = []
    for p0 in starts(model, n_starts, seed):
        with np.errstate(all="ignore"):
            p, ll = _em(model, p0, em_short)
        if np.isfinite(ll):
            cands.append((ll, p))
    cands.sort(key=lambda t: -t[0])
    cands = [c for c in cands if _valid(model, c[1])] + [c for c in cands if not _valid(model, c[1])]
    best = fallback = None
    n_valid = 0
    for ll0, p in cands[:n_polish]:
        with np.errstate(all="ignore"):
            p, _ = _em(model, p, em_long)
            fit = maximise_het(model, p)
        if not np.isfinite(fit.llf):
            continue
        if not _valid(model, fit.params):
            if fallback is None or fit.llf > fallback.llf:
                fallback = fit
            continue
        n_valid += 1
        if best is None or fit.llf > best.llf + 1e-9:
            best = fit
    if best is None:
        if fallback is None:
            return None
        best = fallback
        best.converged = False
        best.notes.append("no start reached an interior maximum: the best one has a class with sigma_v -> 0 or "
                          f"fewer than {model.m} expected observations (a degenerate boundary of the mixture "
                          "likelihood); consider fewer classes")
    p, idx = _order(model, best.params)
    vcov = best.vcov
    if np.any(idx != np.arange(model.K)):
        H = model.hessian(p)
        try:
            inv = np.linalg.inv(-H)
            vcov = 0.5 * (inv + inv.T)
        except np.linalg.LinAlgError:
            vcov = np.full_like(H, np.nan)
    return LatentFit(p, float(model.loglik(p, grad=False)), vcov, best.converged, best.n_iter, best.n_evals,
                     "EM + " + best.method, list(best.notes), n_valid)


# --------------------------------------------------------------------------------------------------
# The model behind sfa(..., latent_classes=K)
# --------------------------------------------------------------------------------------------------

def param_names(names, K, h_names):
    per = list(names) + ["Zu_(Intercept)", "Zv_(Intercept)"]
    return [f"Cl{j + 1}_{nm}" for j in range(K) for nm in per] + \
           [f"Cl{j + 1}_thet_{c}" for j in range(K - 1) for c in h_names]


def check_options(K, covariates, *, dist, panel, z, het):
    """Validate ``latent_classes`` and ``class_covariates``; returns (K, list of covariate columns)."""
    from ..data import _as_name_list
    from ..errors import SpecError
    if K is None:
        raise SpecError("class_covariates: give latent_classes=K (2 to 5) too; the covariates are those of the "
                        "prior class probabilities of the latent-class model")
    if isinstance(K, bool) or not isinstance(K, (int, np.integer)) or not 2 <= int(K) <= MAX_CLASSES:
        raise SpecError(f"latent_classes: {K!r} is not an integer from 2 to {MAX_CLASSES}")
    if dist != "half-normal":
        raise SpecError(f"latent_classes: dist={dist!r} is not available; the latent-class model (as sfaR's "
                        "sfalcmcross) has half-normal u")
    if panel is not None or z or het:
        what = "z (inefficiency effects)" if z else ("uhet/vhet" if het else f"panel={panel!r}")
        raise SpecError(f"latent_classes: the latent-class model is for cross-sections; it cannot be combined "
                        f"with {what}")
    cols = [c for c in _as_name_list(covariates, "class_covariates") if c != "1"]
    return int(K), cols


def sfa_latent(raw, y, X, names, dep, ids, sign, *, form, cost, K, alpha, covariates=(), column=None,
               check=None, n_starts: int = 10, seed: int = 0, stacklevel: int = 4):
    """Fit the latent-class model. ``covariates``: the class-covariate columns; ``column(name)`` reads one
    as floats (naming the row of a bad cell), ``check(raw, H, names, sources, what)`` rejects constant
    and collinear ones (both from the hook in ``api``). Returns an ``SFAResult``."""
    from scipy import stats
    from ..errors import ConvergenceWarning, DataError
    from .fit import ols, warn_wrong_skewness
    from .results import SFAResult

    n, k = len(y), X.shape[1]
    covariates = list(covariates or ())
    H = np.column_stack([np.ones(n)] + [column(c) for c in covariates])
    h_names = ["(Intercept)"] + covariates
    if covariates and check is not None:
        check(raw, H, h_names, [()] + [(c,) for c in covariates], "class-covariate (logit)")
    model = LatentModel(np.asarray(y, float), np.asarray(X, float), np.asarray(H, float), K, sign)
    need = OBS_PER_PARAM * K * model.m
    if n < need:
        raise DataError(f"{raw.source}: {n} rows are too few for {K} latent classes: each class has {model.m} "
                        f"parameters ({k} frontier terms and the two variances), and the model needs at least "
                        f"{OBS_PER_PARAM} rows per class parameter ({need} rows); use fewer classes or frontier "
                        "terms")
    beta_ols, resid, llf_ols = ols(y, X)
    skew = float(stats.skew(resid))
    warn_wrong_skewness(raw.source, skew, cost, stacklevel)
    fit = fit_latent(model, n_starts=n_starts, seed=seed)
    if fit is None:
        raise DataError(f"{raw.source}: no start of the {K}-class model reached a finite log-likelihood; the data "
                        f"do not support {K} classes: use fewer")
    p = fit.params
    notes = list(fit.notes)
    if not fit.converged:
        warnings.warn(ConvergenceWarning(f"{raw.source}: the latent-class SFA fit did not converge. "
                                         + "; ".join(notes)), stacklevel=stacklevel)
    par_names = param_names(names, K, h_names)
    se = np.sqrt(np.where(np.diag(fit.vcov) > 0, np.diag(fit.vcov), np.nan))
    zval = p / se
    estimates = pd.DataFrame({"estimate": p, "std_error": se, "z_value": zval,
                              "p_value": 2.0 * stats.norm.sf(np.abs(zval))}, index=par_names)
    vcov = pd.DataFrame(fit.vcov, index=par_names, columns=par_names)

    W = model.posterior(p)
    prior = np.exp(model.log_prior(p))
    cls = np.argmax(W, axis=1)
    rows = np.arange(n)
    mstar, sstar = model.conditional(p)
    pr = predictions(mstar.ravel(), np.ascontiguousarray(sstar).ravel(), np.ones(n * K), alpha)
    pr = {key: v.reshape(n, K) for key, v in pr.items()}
    B, A, V, _ = model.split(p)
    cols = [f"Cl{j + 1}" for j in range(K)]
    series = lambda v, name: pd.Series(v, index=ids, name=name)  # noqa: E731
    su2, sv2 = np.exp(A), np.exp(V)
    lr = 2.0 * (fit.llf - llf_ols)
    return SFAResult(
        form=form, dist="half-normal", cost=bool(cost), panel=None, dependent=dep, ids=ids,
        params=pd.Series(p, index=par_names, name="params"), estimates=estimates, vcov=vcov,
        llf=fit.llf, llf_ols=float(llf_ols), sigma_sq=float(su2[0] + sv2[0]), gamma=float(su2[0] / (su2[0] + sv2[0])),
        mu=None, eta=None, delta=None,
        efficiency=series(pr["bc88"][rows, cls], "efficiency"), jlms=series(pr["jlms"][rows, cls], "jlms"),
        lower=series(pr["lower"][rows, cls], "lower"), upper=series(pr["upper"][rows, cls], "upper"),
        u_mean=series(pr["u"][rows, cls], "u"),
        efficiency_reciprocal=series(pr["bc88_reciprocal"][rows, cls], "efficiency_reciprocal"),
        residuals=series(y - np.einsum("ij,ij->i", X, B[cls]), "residual"),
        ols_params=pd.Series(beta_ols, index=names, name="ols"),
        skewness=skew, lr_statistic=float(lr), lr_df=int(model.n_params - (k + 1)), lr_critical=float("nan"),
        lr_pvalue=float("nan"), nobs=n, n_firms=None, n_periods=None, converged=fit.converged,
        n_iter=fit.n_iter, method=fit.method, marginal_effects=None, alpha=float(alpha), fallback=False,
        at_bound=(), convergence_notes=tuple(notes), n_evaluations=fit.n_evals,
        latent_classes=K,
        posterior=pd.DataFrame(W, index=ids, columns=cols),
        prior=pd.DataFrame(prior, index=ids, columns=cols),
        classes=pd.Series(cls + 1, index=ids, name="class"),
        efficiency_posterior=series(np.sum(W * pr["bc88"], axis=1), "efficiency_posterior"),
        jlms_posterior=series(np.sum(W * pr["jlms"], axis=1), "jlms_posterior"),
        class_efficiency=pd.DataFrame(pr["bc88"], index=ids, columns=cols),
        class_sigmas=pd.DataFrame({"sigma_u": np.sqrt(su2), "sigma_v": np.sqrt(sv2),
                                   "prior_share": prior.mean(axis=0), "posterior_share": W.mean(axis=0)},
                                  index=cols))
