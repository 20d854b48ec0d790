"""SFA result object (DESIGN sections 3, 6 and 10): frozen, pandas out, in the input's row order."""

from __future__ import annotations

import textwrap
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from .._lazy import LazyModule

stats = LazyModule("scipy.stats")

_DIST = {"half-normal": "half-normal", "truncated-normal": "truncated normal", "exponential": "exponential"}
_PANEL = {None: "cross-section", "ti": "panel, time-invariant inefficiency (Pitt-Lee; BC92 with eta = 0)",
          "bc92": "panel, Battese-Coelli (1992) time-varying decay",
          "bc95": "Battese-Coelli (1995) inefficiency effects",
          "k90": "panel, Kumbhakar (1990) time-varying inefficiency",
          "tfe": "panel, true fixed effects (Greene 2005)",
          "tre": "panel, true random effects (Greene 2005, simulated ML)",
          "wang-ho": "panel, fixed effects by first differences (Wang and Ho 2010)",
          "four-component": "panel, four-component random effects (Kumbhakar-Lien-Hardaker 2014; simulated ML, "
                            "Filippini-Greene 2016)"}


@dataclass(frozen=True)
class SFAResult:
    """A fitted stochastic frontier, parameterised as R's ``frontier`` reports it.

    ``params``: intercept, then the frontier coefficients in the order given (names as R writes
    them, e.g. ``log(capital)``). ``sigma_sq`` = sigma_u^2 + sigma_v^2, ``gamma`` = sigma_u^2 /
    sigma_sq (for the exponential, sigma_u^2 is the variance of u: sigma_u is its mean), ``mu``
    (truncated normal), ``eta`` (BC92 decay), ``delta`` (BC95 inefficiency effects); ``None`` where
    the model has no such parameter. ``estimates`` holds every parameter with its standard error
    (inverse of the negative Hessian), z value and p value; ``vcov`` the covariance matrix.

    ``efficiency`` = E[exp(-u)|e] (Battese and Coelli 1988), ``jlms`` = exp(-E[u|e]) (Jondrow et al.
    1982), ``lower``/``upper`` the Horrace-Schmidt bounds of exp(-u) with confidence 1 - ``alpha``,
    per row in input order. ``lr_statistic`` = 2 (llf - llf_ols) tests "no inefficiency" against the
    mixed chi-square of Kodde and Palm (1986) with ``lr_df`` restrictions (``lr_critical`` at 5%,
    ``lr_pvalue``).

    How the estimate was found: ``converged`` (the first-order conditions hold, on the logit scale
    of gamma at a bound, and the evaluation budget was not spent), ``method`` (the optimiser that
    produced it), ``fallback`` (True when that is not the optimiser the model calls for: Newton's
    method, or BFGS for the models without an analytic Hessian), ``at_bound`` (names of the
    parameters at a bound: gamma at 0 or 1; their standard errors and covariances are NaN, those of
    the others are conditional on them), ``convergence_notes`` (what failed, in words),
    ``n_evaluations`` (likelihood evaluations spent). ``bc92_time`` is the BC92 time convention
    ('values' or 'index', see ``efficiency.sfa``; None for other models).
    """

    form: str
    dist: str
    cost: bool
    panel: str | None
    dependent: str
    ids: pd.Index
    params: pd.Series
    estimates: pd.DataFrame
    vcov: pd.DataFrame
    llf: float
    llf_ols: float
    sigma_sq: float
    gamma: float
    mu: float | None
    eta: float | None
    delta: pd.Series | None
    efficiency: pd.Series
    jlms: pd.Series
    lower: pd.Series
    upper: pd.Series
    u_mean: pd.Series
    efficiency_reciprocal: pd.Series
    residuals: pd.Series
    ols_params: pd.Series
    skewness: float
    lr_statistic: float
    lr_df: int
    lr_critical: float
    lr_pvalue: float
    nobs: int
    n_firms: int | None
    n_periods: int | None
    converged: bool
    n_iter: int
    method: str
    marginal_effects: pd.DataFrame | None = None
    alpha: float = 0.05
    fallback: bool = False
    at_bound: tuple[str, ...] = ()
    convergence_notes: tuple[str, ...] = ()
    n_evaluations: int = 0
    bc92_time: str | None = None
    # heteroskedastic model (uhet/vhet; see efficiency.sfa.het): the Zu_ and Zv_ coefficients and each
    # observation's sigma_u and sigma_v; None for the other models
    uhet: pd.Series | None = None
    vhet: pd.Series | None = None
    sigma_u_i: pd.Series | None = None
    sigma_v_i: pd.Series | None = None
    # panel models k90/tfe/tre (see efficiency.sfa.panel_models): the unit intercepts alpha_i (tfe) or
    # E[w_i | e_i] (tre) by unit, the variance/decay parameters (sigma_u, sigma_v, sigma_w, b, c) and
    # the number of simulation draws per unit (tre); None for the other models
    unit_effects: pd.Series | None = None
    panel_params: pd.Series | None = None
    draws: int | None = None
    # latent-class model (latent_classes=K; see efficiency.sfa.latent): posterior and prior class
    # probabilities (n x K), the most likely class (1..K), the posterior-weighted BC88 / JLMS, each
    # class's BC88 efficiency, and per class sigma_u, sigma_v and shares; None for the other models
    latent_classes: int | None = None
    posterior: pd.DataFrame | None = None
    prior: pd.DataFrame | None = None
    classes: pd.Series | None = None
    efficiency_posterior: pd.Series | None = None
    jlms_posterior: pd.Series | None = None
    class_efficiency: pd.DataFrame | None = None
    class_sigmas: pd.DataFrame | None = None

    # ---------------------------------------------------------------------------------------------
    @property
    def std_errors(self) -> pd.Series:
        return self.estimates["std_error"]

    @property
    def bse(self) -> pd.Series:
        """Standard errors of every estimated parameter (statsmodels' name; the rows of ``estimates``)."""
        return self.estimates["std_error"].rename("bse")

    @property
    def tvalues(self) -> pd.Series:
        """estimate / standard error (asymptotically normal: z values)."""
        return self.estimates["z_value"].rename("tvalues")

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values of the z values."""
        return self.estimates["p_value"].rename("pvalues")

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Wald confidence intervals estimate -/+ z_(1 - alpha/2) x standard error of every estimated
        parameter, columns ``lower`` and ``upper`` (statsmodels' ``conf_int``; NaN where the standard error
        is, e.g. at a bound)."""
        if not 0.0 < alpha < 1.0:
            raise ValueError(f"alpha: expected a number in (0, 1), got {alpha!r}")
        from scipy.stats import norm

        z = norm.ppf(1.0 - alpha / 2.0)
        est, se = self.estimates["estimate"], self.estimates["std_error"]
        return pd.DataFrame({"lower": est - z * se, "upper": est + z * se})

    @property
    def sigma_u_sq(self) -> float:
        return self.gamma * self.sigma_sq

    @property
    def sigma_v_sq(self) -> float:
        return (1.0 - self.gamma) * self.sigma_sq

    @property
    def lambda_(self) -> float:
        """sigma_u / sigma_v (infinite when sigma_v^2 = 0)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return float(np.sqrt(np.float64(self.sigma_u_sq) / np.float64(self.sigma_v_sq)))

    @property
    def level(self) -> float:
        """Deprecated: the confidence level 1 - ``alpha`` of the efficiency bounds."""
        warnings.warn("SFAResult.level is deprecated and will be removed; use 1 - alpha", FutureWarning,
                      stacklevel=2)
        return 1.0 - self.alpha

    @property
    def n_params(self) -> int:
        return len(self.estimates)

    @property
    def aic(self) -> float:
        return -2.0 * self.llf + 2.0 * self.n_params

    @property
    def bic(self) -> float:
        return -2.0 * self.llf + np.log(self.nobs) * self.n_params

    @property
    def mean_efficiency(self) -> float:
        return float(self.efficiency.mean())

    def to_frame(self) -> pd.DataFrame:
        """The efficiency table the CLI writes, indexed by id (and period): efficiency (BC88), jlms,
        lower, upper, u (E[u|e]), efficiency_reciprocal (E[exp(u)|e]), residual."""
        frame = pd.DataFrame({"efficiency": self.efficiency.to_numpy(), "jlms": self.jlms.to_numpy(),
                             "lower": self.lower.to_numpy(), "upper": self.upper.to_numpy(),
                             "u": self.u_mean.to_numpy(),
                             "efficiency_reciprocal": self.efficiency_reciprocal.to_numpy(),
                             "residual": self.residuals.to_numpy()}, index=self.ids)
        if self.latent_classes is not None:   # latent classes: the class, posterior-weighted efficiency, posteriors
            extra = {"class": self.classes.to_numpy(), "efficiency_posterior": self.efficiency_posterior.to_numpy(),
                     "jlms_posterior": self.jlms_posterior.to_numpy(),
                     **{f"posterior_{c}": self.posterior[c].to_numpy() for c in self.posterior.columns}}
            return pd.concat([frame, pd.DataFrame(extra, index=self.ids)], axis=1)
        return frame

    def estimates_frame(self) -> pd.DataFrame:
        """The estimates table the CLI writes: param, estimate, std_error, z_value, p_value, then
        rows for the log-likelihood, the OLS log-likelihood, the LR test, AIC and BIC."""
        table = self.estimates.reset_index().rename(columns={"index": "param"})
        extra = pd.DataFrame({"param": ["logLik", "logLik_ols", "lr_statistic", "lr_critical_5pct",
                                        "lr_pvalue", "aic", "bic", "mean_efficiency"],
                              "estimate": [self.llf, self.llf_ols, self.lr_statistic, self.lr_critical,
                                           self.lr_pvalue, self.aic, self.bic, self.mean_efficiency]})
        return pd.concat([table, extra], ignore_index=True)

    def summary(self) -> str:
        """A statsmodels-like text table of the estimates and the model's statistics. Column widths
        follow the widest entry (two spaces between columns), so numbers of any magnitude stay apart;
        values outside [1e-4, 1e9) are written in exponent notation."""
        kind = "cost" if self.cost else "production"
        left = [("Dep. variable:", self.dependent), ("Frontier:", kind), ("Form:", self.form),
                ("u distribution:", _DIST.get(self.dist, self.dist)), ("Model:", _PANEL[self.panel]),
                ("Observations:", str(self.nobs))]
        right = [("Log-likelihood:", _num(self.llf, 6)), ("OLS log-lik.:", _num(self.llf_ols, 6)),
                 ("AIC:", _num(self.aic, 4)), ("BIC:", _num(self.bic, 4)),
                 ("Mean eff. (BC88):", _num(self.mean_efficiency, 6)),
                 ("Converged:", "yes" if self.converged else "NO")]
        if self.n_firms is not None:
            left[-1] = ("Obs. / firms:", f"{self.nobs} / {self.n_firms}")
        if self.bc92_time is not None:
            left.append(("BC92 time t:", "period values" if self.bc92_time == "values" else "period index 1..T"))
            right.append(("", ""))
        lw = max(len(a) for a, _ in left) + 1
        rw = max(len(a) for a, _ in right) + 1
        lv = max(len(b) for _, b in left) + 2
        header = [f"{a:<{lw}}{b:<{lv}}{c:<{rw}}{d}" for (a, b), (c, d) in zip(left, right)]

        crit = float(stats.norm.ppf(1.0 - self.alpha / 2.0))
        pct = f"{100.0 * (1.0 - self.alpha):g}%"
        heads = ["", "coef", "std err", "z", "P>|z|", f"[{pct}", "interval]"]
        rows = []
        for name, row in self.estimates.iterrows():
            est, se = float(row["estimate"]), float(row["std_error"])
            pv = float(row["p_value"])
            rows.append([str(name), _num(est, 6), _num(se, 6), _num(row["z_value"], 3),
                         f"{pv:.3f}" if np.isfinite(pv) else "nan", _num(est - crit * se, 6), _num(est + crit * se, 6)])
        widths = [max(len(r[j]) for r in [heads] + rows) for j in range(len(heads))]
        line = lambda cells: "  ".join(c.ljust(widths[0]) if j == 0 else c.rjust(widths[j])  # noqa: E731
                                       for j, c in enumerate(cells))
        table = [line(heads)] + [line(r) for r in rows]
        w = max(78, max(len(t) for t in header + table))

        lines = ["Stochastic frontier analysis (maximum likelihood)".center(w), "=" * w, *header, "=" * w,
                 table[0], "-" * w, *table[1:], "=" * w]
        wrap = lambda text: textwrap.wrap(text, w, subsequent_indent="    ")  # noqa: E731
        lines += wrap(f"Optimiser: {self.method}, {self.n_iter} iterations, {self.n_evaluations} likelihood "
                      f"evaluations" + ("; fell back: the primary optimiser failed" if self.fallback else ""))
        if self.at_bound:
            lines += wrap(f"At a bound: {', '.join(self.at_bound)} (std err NaN: the likelihood is not regular "
                          "at a bound; the other standard errors hold it fixed there)")
        for note in self.convergence_notes:
            lines += wrap(f"Note: {note}")
        if self.latent_classes is not None:
            lines += wrap(f"Latent classes: {self.latent_classes} (Orea-Kumbhakar 2004; classes numbered by decreasing "
                          "average prior probability; efficiency from each observation's most likely class)")
            for c, r in self.class_sigmas.iterrows():
                lines.append(f"  {c}: sigma_u = {_num(r['sigma_u'], 6)}, sigma_v = {_num(r['sigma_v'], 6)}, prior share "
                             f"{_num(r['prior_share'], 4)}, assigned {int((self.classes == int(c[2:])).sum())} obs.")
        elif self.uhet is not None:
            lines += wrap("Heteroskedastic: sigma_u,i^2 = exp(Zu_i'delta), sigma_v,i^2 = exp(Zv_i'phi); sample means "
                          f"sigma_u^2 = {_num(self.sigma_u_sq, 6)}, sigma_v^2 = {_num(self.sigma_v_sq, 6)} "
                          "(sigma_sq and gamma are these means)")
        else:
            lines.append(f"sigma_u^2 = {_num(self.sigma_u_sq, 6)}, sigma_v^2 = {_num(self.sigma_v_sq, 6)}, "
                         f"lambda = sigma_u/sigma_v = {_num(self.lambda_, 6)}")
        if self.latent_classes is None:
            lines.append(f"LR test of no inefficiency: {_num(self.lr_statistic, 4)}, df = {self.lr_df}, mixed chi2 "
                         f"(Kodde-Palm) 5% critical value {self.lr_critical:.3f}, p = {self.lr_pvalue:.4g}")
        sk_ok = (self.skewness <= 0) if not self.cost else (self.skewness >= 0)
        lines.append(f"Skewness of OLS residuals: {self.skewness:.4f}"
                     + ("" if sk_ok else "  WRONG SIGN: the data show no inefficiency"))
        if self.marginal_effects is not None:
            me = self.marginal_effects.mean()
            lines.append("Mean marginal effects on E[u]: " + ", ".join(f"{k} {_num(v, 6)}" for k, v in me.items()))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<SFAResult {self.form} {self.dist} {'cost' if self.cost else 'production'} "
                f"{self.panel or 'cross-section'}: n={self.nobs}, llf={self.llf:.4f}>")


def _num(x, decimals: int) -> str:
    """x with ``decimals`` decimals, or in exponent notation (``decimals`` significant digits) outside
    [1e-4, 1e9) where fixed decimals would hide it or run long; 'nan' and 'inf' as such."""
    x = float(x)
    if not np.isfinite(x):
        return "nan" if np.isnan(x) else ("inf" if x > 0 else "-inf")
    if x == 0.0 or 1e-4 <= abs(x) < 1e9:
        return f"{x:.{decimals}f}"
    return f"{x:.{max(decimals - 1, 1)}e}"
