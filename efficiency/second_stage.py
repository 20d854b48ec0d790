"""Second-stage regression of DEA scores on environmental variables.

Simar, L. and Wilson, P. W. (2007), "Estimation and inference in two-stage, semi-parametric models of
production processes", Journal of Econometrics 136, 31-64: the DEA scores are serially correlated and
bounded, so a censored (Tobit) or OLS regression of them on environmental variables z is biased and
its conventional inference invalid. Their model is delta_i = z_i beta + e_i >= 1 with e_i normal,
truncated so that delta_i >= 1, estimated by truncated-normal maximum likelihood with bootstrap
inference:

* ``method="sw1"`` (Algorithm 1): truncated regression of the inefficient DEA scores on z, then a
  parametric bootstrap of it (B replications: new scores drawn from the fitted truncated model at the
  same z, re-estimated);
* ``method="sw2"`` (Algorithm 2, double bootstrap; the default): the fitted model of Algorithm 1
  generates B1 (default 100) pseudo-samples of the production data (inputs x_i delta*_i /
  delta_hat_i, or outputs y_i delta_hat_i / delta*_i, as in Simar and Wilson 1998), which
  bias-correct every DEA score (2 delta_hat - mean delta_hat*); the bias-corrected scores are
  regressed on z and that regression is bootstrapped as in Algorithm 1 (B replications);
* ``method="tobit"`` (censored at 1) and ``method="ols"``: for comparison only, with conventional
  (Hessian / OLS) standard errors; a warning says they are biased.

``scale`` picks the dependent variable. ``"efficiency"`` (default): the toolkit's score in (0, 1]
(theta, or 1/phi; DESIGN section 3), truncated to (0, 1], so that a positive coefficient means higher
efficiency. ``"distance"``: Simar and Wilson's own delta >= 1 (Shephard input 1/theta, Farrell output
phi), truncated at 1 from below, where a positive coefficient means more inefficiency.

Confidence intervals are Simar and Wilson's (2007, section 4) basic bootstrap intervals
[2 beta_hat - q_{1-alpha/2}, 2 beta_hat - q_{alpha/2}] from the quantiles q of the bootstrap
estimates; standard errors are the bootstrap standard deviations, p-values the two-sided normal ones
of beta_hat / se. Replication b draws from ``numpy.random.default_rng([seed, b])`` (the double
bootstrap's first loop from ``[seed, 1, b]``, the second from ``[seed, 2, b]``).

Every maximum-likelihood fit is checked: a point estimate whose optimiser did not converge gives a
``ConvergenceWarning`` (``converged`` is False in the result); a bootstrap refit that did not converge
is left out of the standard errors and intervals, never averaged in, and a ``ConvergenceWarning``
counts them (``B_used`` is the number of replications used).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .data import as_raw_table, frontier_data, require_positive_rows, _as_name_list, _numeric_column
from .errors import ConvergenceWarning, DataError, EfficiencyWarning, SpecError
from .progress import Progress
from .spec import Orientation

__all__ = ["second_stage", "SecondStageResult", "truncreg", "tobit", "BiasedRegressionWarning"]

METHODS = ("sw1", "sw2", "tobit", "ols")
SCALES = ("efficiency", "distance")
#: Scores within this of 1 count as efficient (left out of the truncated regression).
EFFICIENT_TOL = 1e-6
_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)


class BiasedRegressionWarning(EfficiencyWarning):
    """Tobit or OLS on DEA scores: biased, inconsistent, invalid inference (Simar and Wilson 2007)."""


# --------------------------------------------------------------------------------------------------
# Truncated and censored normal regression (maximum likelihood)
# --------------------------------------------------------------------------------------------------

def _log_mass(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """log(Phi(b) - Phi(a)) for a < b, accurate in both tails."""
    from scipy import special
    upper = a > 0                          # both in the upper tail: use the mirror image
    la = np.where(upper, special.log_ndtr(-b), special.log_ndtr(a))
    lb = np.where(upper, special.log_ndtr(-a), special.log_ndtr(b))
    with np.errstate(divide="ignore"):
        return lb + np.log1p(-np.exp(la - lb))


def _pdf_times(x: np.ndarray, logden: np.ndarray, mult: bool) -> np.ndarray:
    """phi(x) / exp(logden) (times x when ``mult``), 0 at infinite x."""
    fin = np.isfinite(x)
    xs = np.where(fin, x, 0.0)
    with np.errstate(over="ignore", invalid="ignore"):      # far from the optimum: inf, and BFGS backs off
        r = np.exp(-0.5 * xs * xs - _LOG_SQRT_2PI - logden)
        if mult:
            r = r * xs
    return np.where(fin, r, 0.0)


def _truncreg_nll(params, y, Z, lo, hi):
    beta, log_s = params[:-1], params[-1]
    s = np.exp(log_s)
    mu = Z @ beta
    r = (y - mu) / s
    a, b = (lo - mu) / s, (hi - mu) / s
    logP = _log_mass(a, b)
    ll = -0.5 * r * r - log_s - _LOG_SQRT_2PI - logP
    fa, fb = _pdf_times(a, logP, False), _pdf_times(b, logP, False)
    afa, bfb = _pdf_times(a, logP, True), _pdf_times(b, logP, True)
    d_mu = r / s + (fb - fa) / s
    d_logs = r * r - 1.0 + (bfb - afa)
    grad = np.concatenate([Z.T @ d_mu, [d_logs.sum()]])
    return -ll.sum(), -grad


def _ols(y, Z):
    beta, *_ = np.linalg.lstsq(Z, y, rcond=None)
    resid = y - Z @ beta
    return beta, resid


#: a fit has converged when BFGS says so, or when it stopped (e.g. "precision loss") with every gradient
#: component of the negative log-likelihood below this times the number of observations
GRAD_TOL = 1e-6


def _fit(nll, start, args):
    """BFGS on the negative log-likelihood; returns (params, loglik, converged, scipy result)."""
    from scipy import optimize
    res = optimize.minimize(nll, start, args=args, jac=True, method="BFGS",
                            options={"gtol": 1e-8, "maxiter": 500})
    n = len(args[0])
    finite = bool(np.isfinite(res.fun) and np.all(np.isfinite(res.x)))
    small = res.jac is not None and bool(np.all(np.abs(res.jac) <= GRAD_TOL * max(n, 1)))
    return res.x, -res.fun, finite and (bool(res.success) or small), res


def _hessian_se(nll, x, args) -> np.ndarray:
    """Standard errors from the numerical Hessian (central differences of the analytic gradient)."""
    k = x.size
    H = np.empty((k, k))
    for j in range(k):
        step = 1e-5 * max(1.0, abs(x[j]))
        e = np.zeros(k)
        e[j] = step
        H[:, j] = (nll(x + e, *args)[1] - nll(x - e, *args)[1]) / (2 * step)
    H = 0.5 * (H + H.T)
    try:
        cov = np.linalg.inv(H)
    except np.linalg.LinAlgError:
        return np.full(k, np.nan)
    return np.sqrt(np.where(np.diag(cov) > 0, np.diag(cov), np.nan))


def truncreg(y, Z, lo=-np.inf, hi=np.inf, start=None):
    """Truncated-normal regression y = Z beta + e, e ~ N(0, sigma^2), observed only in (lo, hi).

    Returns (beta, sigma, llf, params, converged) with params = (beta, log sigma); ``converged``:
    see ``GRAD_TOL``."""
    y, Z = np.asarray(y, float), np.asarray(Z, float)
    if start is None:
        b0, resid = _ols(y, Z)
        start = np.concatenate([b0, [np.log(max(resid.std(), 1e-3))]])
    x, ll, ok, _ = _fit(_truncreg_nll, start, (y, Z, lo, hi))
    return x[:-1], float(np.exp(x[-1])), ll, x, ok


def _tobit_nll(params, y, Z, c, censored, side):
    """Censored at c: from below (side = -1, y <= c observed as c) or from above (side = +1)."""
    from scipy import special
    beta, log_s = params[:-1], params[-1]
    s = np.exp(log_s)
    mu = Z @ beta
    r = (y - mu) / s
    q = side * (mu - c) / s                  # log P(censored) = log Phi(q)
    lq = special.log_ndtr(q)
    ll = np.where(censored, lq, -0.5 * r * r - log_s - _LOG_SQRT_2PI)
    mills = np.exp(-0.5 * q * q - _LOG_SQRT_2PI - lq)
    d_mu = np.where(censored, mills * side / s, r / s)
    d_logs = np.where(censored, -mills * q, r * r - 1.0)
    grad = np.concatenate([Z.T @ d_mu, [d_logs.sum()]])
    return -ll.sum(), -grad


def tobit(y, Z, c, side):
    """Tobit regression censored at ``c`` (side -1: from below, +1: from above); returns (params, se,
    llf, converged)."""
    y, Z = np.asarray(y, float), np.asarray(Z, float)
    censored = np.abs(y - c) <= EFFICIENT_TOL
    b0, resid = _ols(y, Z)
    start = np.concatenate([b0, [np.log(max(resid.std(), 1e-3))]])
    x, ll, ok, _ = _fit(_tobit_nll, start, (y, Z, c, censored, side))
    return x, _hessian_se(_tobit_nll, x, (y, Z, c, censored, side)), ll, ok


def _draw(rng, mu, sigma, lo, hi):
    """Draws from N(mu, sigma^2) truncated to (lo, hi)."""
    from scipy import stats
    return stats.truncnorm.rvs((lo - mu) / sigma, (hi - mu) / sigma, loc=mu, scale=sigma, random_state=rng)


# --------------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------------

_METHOD_NAMES = {"sw1": "Simar-Wilson (2007) Algorithm 1: truncated regression, parametric bootstrap",
                 "sw2": "Simar-Wilson (2007) Algorithm 2: bias-corrected scores, truncated regression, "
                        "double bootstrap",
                 "tobit": "Tobit (censored at 1), Hessian standard errors - biased, for comparison only",
                 "ols": "OLS, conventional standard errors - biased, for comparison only"}


@dataclass(frozen=True)
class SecondStageResult:
    """Coefficients of a second-stage regression (``table``: estimate, std_error, z, p_value, lower,
    upper; rows '(intercept)', the environmental variables, 'sigma'). ``scores`` are the DEA scores
    on the regression's scale (``bias_corrected`` too for Algorithm 2); ``n`` the DMUs scored,
    ``nobs`` those that entered the regression (``used`` says which); ``llf`` the log-likelihood of
    the regression; ``converged`` whether its optimiser converged; ``replicates`` the bootstrap
    estimates of the refits that converged (``B_used`` x k; None for tobit/ols), ``B_used`` their
    number (B minus the refits left out)."""

    method: str
    scale: str
    rts: str
    orientation: str
    B: int | None
    B1: int | None
    alpha: float
    seed: int | None
    n: int
    nobs: int
    table: pd.DataFrame
    scores: pd.Series
    bias_corrected: pd.Series | None
    used: np.ndarray
    replicates: np.ndarray | None
    llf: float
    converged: bool = True
    B_used: int | None = None

    @property
    def params(self) -> pd.Series:
        return self.table["estimate"]

    @property
    def n_used(self) -> int:
        """Deprecated name of ``nobs``."""
        warnings.warn("SecondStageResult.n_used is deprecated and will be removed; use nobs", FutureWarning,
                      stacklevel=2)
        return self.nobs

    @property
    def loglik(self) -> float:
        """Deprecated name of ``llf``."""
        warnings.warn("SecondStageResult.loglik is deprecated and will be removed; use llf", FutureWarning,
                      stacklevel=2)
        return self.llf

    def to_frame(self) -> pd.DataFrame:
        """The coefficient table, indexed by term."""
        return self.table.copy()

    def summary(self) -> str:
        dep = ("efficiency score in (0, 1] (theta or 1/phi); a positive coefficient raises efficiency"
               if self.scale == "efficiency" else
               "distance delta >= 1 (1/theta or phi); a positive coefficient raises inefficiency")
        lines = [_METHOD_NAMES[self.method],
                 f"DEA: radial, {self.rts.upper()}, {self.orientation} orientation; dependent variable: {dep}",
                 f"Observations: {self.nobs} of {self.n} DMUs" +
                 (" (efficient DMUs left out of the truncated regression)" if self.method == "sw1" else "") +
                 (f"; bootstrap B = {self.B}" if self.B else "") + (f", B1 = {self.B1}" if self.B1 else "") +
                 (f"; seed {self.seed}" if self.seed is not None else "") + f"; log-likelihood {self.llf:.4f}"]
        if self.B and self.B_used is not None and self.B_used < self.B:
            lines.append(f"Bootstrap: {self.B - self.B_used} of {self.B} refits did not converge and are left out; "
                         f"standard errors and intervals use {self.B_used}")
        if not self.converged:
            lines.append("WARNING: the optimiser of the regression did not converge; the estimates are unreliable")
        lines.append("")
        ci = f"{100 * (1 - self.alpha):g}% interval"
        head = f"{'term':<20} {'estimate':>11} {'std_error':>11} {'z':>8} {'p_value':>8}   {ci}"
        lines.append(head)
        lines.append("-" * len(head))
        for term, row in self.table.iterrows():
            lines.append(f"{str(term):<20} {row['estimate']:>11.5f} {row['std_error']:>11.5f} {row['z']:>8.3f} "
                         f"{row['p_value']:>8.4f}   [{row['lower']:.5f}, {row['upper']:.5f}]")
        if self.method in ("tobit", "ols"):
            lines.append("Warning: Tobit/OLS on DEA scores is biased and its inference invalid "
                         "(Simar and Wilson 2007); use method sw1 or sw2.")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<SecondStageResult {self.method} {self.scale}: {len(self.table) - 1} coefficients, nobs={self.nobs}>"


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------

def _environment(data, fd, env, id) -> tuple[np.ndarray, list[str]]:
    """The environmental variables as an n x p array (validated like the production data)."""
    names = _as_name_list(env, "environment")
    if not names:
        raise SpecError("environment: give at least one environmental variable")
    raw = as_raw_table(data)
    for name in names:
        if name not in raw.frame.columns:
            from .data import _unknown_column
            raise _unknown_column(raw.source, name, "environmental variable", list(raw.frame.columns))
    Z = np.column_stack([_numeric_column(raw, name, fd.ids, nonnegative=False) for name in names])
    return Z, names


def _basic_table(est, reps, names, alpha):
    se = np.nanstd(reps, axis=0, ddof=1)
    q = np.nanquantile(reps, [alpha / 2, 1 - alpha / 2], axis=0)
    lower, upper = 2 * est - q[1], 2 * est - q[0]
    return _table(est, se, lower, upper, names)


def _table(est, se, lower, upper, names):
    from scipy import stats
    with np.errstate(divide="ignore", invalid="ignore"):
        z = est / se
    p = 2 * stats.norm.sf(np.abs(z))
    z[-1] = p[-1] = np.nan                       # no test of sigma = 0
    return pd.DataFrame({"estimate": est, "std_error": se, "z": z, "p_value": p, "lower": lower,
                         "upper": upper}, index=pd.Index(names, name="term"))


def second_stage(data=None, id=None, inputs=None, outputs=None, environment=None, rts="vrs", orientation="input",
                 method="sw2", B=2000, alpha=0.05, seed=None, *, client=None, B1=100, scale="efficiency",
                 solver=None, env=None) -> SecondStageResult:
    """Regress radial DEA scores on the environmental variables ``environment`` (column names) - Simar
    and Wilson (2007) Algorithm 2 (``method='sw2'``, the default: bias-corrected scores, double
    bootstrap) or 1 (``'sw1'``), or Tobit/OLS for comparison.

    ``B``: bootstrap replications of the regression (Algorithm 1, and the second loop of 2); ``B1``:
    replications of the DEA bias correction in Algorithm 2 (100, as Simar and Wilson); ``scale``:
    'efficiency' (default) or 'distance' (see the module docstring); ``client`` (keyword only): a
    ``dask.distributed.Client`` for the DEA replications of Algorithm 2; ``solver`` (keyword only): the
    LP backend. ``env`` is the deprecated old name of ``environment``. Returns a
    :class:`SecondStageResult`; ``.summary()`` prints the coefficient table. Fits that did not converge
    give a ``ConvergenceWarning`` (module docstring).
    """
    from . import distributed
    from .bootstrap import _orientation, _rts, _seed, bootstrap_distances
    from .dea.envelopment import backend
    from .dea.radial import radial

    from scipy import stats

    if env is not None:
        warnings.warn("second_stage: 'env' is deprecated and will be removed; use 'environment'", FutureWarning,
                      stacklevel=2)
        if environment is not None:
            raise SpecError("second_stage: give 'environment' (the new name) or 'env' (the deprecated one), not both")
        environment = env
    method = str(method).lower()
    if method not in METHODS:
        raise SpecError(f"method: {method!r} is not one of {', '.join(map(repr, METHODS))}")
    scale = str(scale).lower()
    if scale not in SCALES:
        raise SpecError(f"scale: {scale!r} is not one of {', '.join(map(repr, SCALES))}")
    rts, orientation = _rts(rts), _orientation(orientation)
    for name, value in (("B", B), ("B1", B1)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 2:
            raise SpecError(f"{name}: the number of replications must be an integer >= 2, got {value!r}")
    if not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        raise SpecError(f"alpha: must lie in (0, 1), got {alpha!r}")
    seed = _seed(seed) if method in ("sw1", "sw2") else None
    distributed._check_client(client)
    if data is None:
        raise SpecError("data: the second stage needs a table with the environmental variables")
    fd = frontier_data(data, id=id, inputs=inputs, outputs=outputs)
    require_positive_rows(fd, "inputs" if orientation == Orientation.INPUT else "outputs",
                          f"{orientation.value}-oriented radial DEA", every=True)
    Zraw, znames = _environment(data, fd, environment, id)
    n = fd.n
    Z = np.column_stack([np.ones(n), Zraw])
    names = ["(intercept)", *znames, "sigma"]
    if n <= Z.shape[1] + 1:
        raise DataError(f"{fd.source}: {n} DMUs are too few for {Z.shape[1]} coefficients and sigma")

    lp = backend(solver)
    envl = radial(fd.X, fd.Y, rts=rts, orientation=orientation, solver=distributed.distribute(lp, client),
                  slacks=False)
    delta = 1.0 / envl.farrell if orientation == Orientation.INPUT else envl.farrell.copy()
    if not np.all(np.isfinite(delta)):
        i = int(np.flatnonzero(~np.isfinite(delta))[0])
        raise DataError(f"second stage: the DEA score of the DMU in {fd.where(i)} could not be computed")
    if scale == "efficiency":
        to_scale = lambda d: 1.0 / d               # noqa: E731
        lo, hi, bound, side = 0.0, 1.0, 1.0, +1
    else:
        to_scale = lambda d: d                     # noqa: E731
        lo, hi, bound, side = 1.0, np.inf, 1.0, -1
    from_scale = to_scale                          # 1/x and the identity are their own inverses
    y = to_scale(delta)
    scores = pd.Series(y, index=fd.ids, name=scale)

    if method in ("tobit", "ols"):
        warnings.warn(f"{method}: a {'Tobit' if method == 'tobit' else 'OLS'} regression of DEA scores is biased "
                      "and its standard errors invalid (Simar and Wilson 2007); use method 'sw1' or 'sw2'",
                      BiasedRegressionWarning, stacklevel=2)
        crit = stats.norm.ppf(1 - alpha / 2)
        if method == "ols":
            beta, resid = _ols(y, Z)
            dof = n - Z.shape[1]
            s2 = resid @ resid / dof
            se_b = np.sqrt(np.diag(s2 * np.linalg.inv(Z.T @ Z)))
            est = np.concatenate([beta, [np.sqrt(s2)]])
            se = np.concatenate([se_b, [np.sqrt(s2) / np.sqrt(2 * dof)]])
            ll = float(-0.5 * n * (np.log(2 * np.pi * resid @ resid / n) + 1))
            ok = True                              # closed form
        else:
            x, se_x, ll, ok = tobit(y, Z, bound, side)
            _check_point(ok, "the Tobit regression")
            est = np.concatenate([x[:-1], [np.exp(x[-1])]])
            se = np.concatenate([se_x[:-1], [np.exp(x[-1]) * se_x[-1]]])
        table = _table(est, se, est - crit * se, est + crit * se, names)
        return SecondStageResult(method, scale, rts.value, orientation.value, None, None, float(alpha), None,
                                 n, n, table, scores, None, np.ones(n, bool), None, float(ll), converged=bool(ok))

    def regress(yv, Zv, start=None):
        return truncreg(yv, Zv, lo, hi, start)

    def parametric_bootstrap(Zv, beta, sigma, stream, start):
        """B refits on draws from the fitted model; those that did not converge are left out."""
        mu = Zv @ beta
        reps = np.empty((B, Zv.shape[1] + 1))
        ok = np.zeros(B, dtype=bool)
        with Progress(B, "truncated regression bootstrap", unit="replications") as bar:
            for b in range(B):
                rng = np.random.default_rng([seed, *stream, b])
                ystar = _draw(rng, mu, sigma, lo, hi)
                bb, ss, _, _, ok[b] = regress(ystar, Zv, start)
                reps[b] = np.concatenate([bb, [ss]])
                bar.advance(1)
        if not ok.all():
            warnings.warn(ConvergenceWarning(
                f"second stage: {int((~ok).sum())} of {B} bootstrap refits of the truncated regression did not "
                f"converge; they are left out, and the standard errors and intervals use the other {int(ok.sum())}"),
                stacklevel=3)
        return reps[ok]

    bc_series = None
    if method == "sw1":
        used = delta > 1.0 + EFFICIENT_TOL
        if used.sum() <= Z.shape[1] + 1:
            raise DataError(f"{fd.source}: only {int(used.sum())} DMUs are inefficient; too few for the "
                            "truncated regression")
        beta, sigma, ll, x, ok = regress(y[used], Z[used])
        _check_point(ok, "the truncated regression")
        reps = parametric_bootstrap(Z[used], beta, sigma, (), x)
    else:
        beta0, sigma0, _, x0, ok0 = regress(y[delta > 1.0 + EFFICIENT_TOL], Z[delta > 1.0 + EFFICIENT_TOL])
        _check_point(ok0, "the truncated regression of Algorithm 2's first step (it generates the "
                          "bias-correction bootstrap)")
        mu0 = Z @ beta0
        stars = np.empty((n, B1))
        for b in range(B1):
            draw = _draw(np.random.default_rng([seed, 1, b]), mu0, sigma0, lo, hi)
            stars[:, b] = np.maximum(from_scale(draw), 1.0)
        D, _ = bootstrap_distances(fd.X, fd.Y, delta, B=B1, seed=seed, rts=rts, orientation=orientation,
                                   solver=lp, client=client, stars=stars, label="bias-correction bootstrap")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            delta_bc = 2.0 * delta - np.nanmean(D, axis=1)
        y_bc = to_scale(np.maximum(delta_bc, 1.0))
        bc_series = pd.Series(y_bc, index=fd.ids, name=f"{scale}_bias_corrected")
        used = (delta_bc > 1.0 + EFFICIENT_TOL) & np.isfinite(delta_bc)
        beta, sigma, ll, x, ok = regress(y_bc[used], Z[used], x0)
        _check_point(ok, "the truncated regression of the bias-corrected scores")
        ok = ok and ok0
        reps = parametric_bootstrap(Z[used], beta, sigma, (2,), x)
    est = np.concatenate([beta, [sigma]])
    table = _basic_table(est, reps, names, alpha)
    return SecondStageResult(method, scale, rts.value, orientation.value, int(B), int(B1) if method == "sw2" else None,
                             float(alpha), seed, n, int(used.sum()), table, scores, bc_series, used, reps, float(ll),
                             converged=bool(ok), B_used=int(len(reps)))


def _check_point(converged: bool, what: str) -> None:
    if not converged:
        warnings.warn(ConvergenceWarning(f"second stage: the optimiser of {what} did not converge (BFGS neither "
                                         "succeeded nor reached a zero gradient); the estimates are unreliable"),
                      stacklevel=3)
