"""SFA result object (DESIGN sections 3, 6 and 10): frozen, pandas out, in the input's row order."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from .._lazy import LazyModule

stats = LazyModule("scipy.stats")

_DIST = {"half-normal": "half-normal", "truncated-normal": "truncated normal", "exponential": "exponential"}
_PANEL = {None: "cross-section", "ti": "panel, time-invariant inefficiency (Pitt-Lee; BC92 with eta = 0)",
          "bc92": "panel, Battese-Coelli (1992) time-varying decay",
          "bc95": "Battese-Coelli (1995) inefficiency effects"}


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
    1982), ``lower``/``upper`` the Horrace-Schmidt bounds of exp(-u), per row in input order.
    ``lr_statistic`` = 2 (llf - llf_ols) tests "no inefficiency" against the mixed chi-square of
    Kodde and Palm (1986) with ``lr_df`` restrictions (``lr_critical`` at 5%, ``lr_pvalue``).
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
    level: float = 0.95

    # ---------------------------------------------------------------------------------------------
    @property
    def std_errors(self) -> pd.Series:
        return self.estimates["std_error"]

    @property
    def sigma_u_sq(self) -> float:
        return self.gamma * self.sigma_sq

    @property
    def sigma_v_sq(self) -> float:
        return (1.0 - self.gamma) * self.sigma_sq

    @property
    def lambda_(self) -> float:
        """sigma_u / sigma_v."""
        return float(np.sqrt(self.sigma_u_sq / self.sigma_v_sq))

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
        return pd.DataFrame({"efficiency": self.efficiency.to_numpy(), "jlms": self.jlms.to_numpy(),
                             "lower": self.lower.to_numpy(), "upper": self.upper.to_numpy(),
                             "u": self.u_mean.to_numpy(),
                             "efficiency_reciprocal": self.efficiency_reciprocal.to_numpy(),
                             "residual": self.residuals.to_numpy()}, index=self.ids)

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
        """A statsmodels-like text table of the estimates and the model's statistics."""
        w = 78
        kind = "cost" if self.cost else "production"
        left = [("Dep. variable:", self.dependent), ("Frontier:", kind), ("Form:", self.form),
                ("u distribution:", _DIST.get(self.dist, self.dist)), ("Model:", _PANEL[self.panel]),
                ("Observations:", str(self.nobs))]
        right = [("Log-likelihood:", f"{self.llf:.6f}"), ("OLS log-lik.:", f"{self.llf_ols:.6f}"),
                 ("AIC:", f"{self.aic:.4f}"), ("BIC:", f"{self.bic:.4f}"),
                 ("Mean eff. (BC88):", f"{self.mean_efficiency:.6f}"),
                 ("Converged:", f"{'yes' if self.converged else 'NO'} ({self.method}, {self.n_iter} it.)")]
        if self.n_firms is not None:
            left[-1] = ("Obs. / firms:", f"{self.nobs} / {self.n_firms}")
        lines = ["Stochastic frontier analysis (maximum likelihood)".center(w), "=" * w]
        for (a, b), (c, d) in zip(left, right):
            lines.append(f"{a:<16}{b[:22]:<23}{c:<18}{d}")
        lines.append("=" * w)
        lines.append(f"{'':<22}{'coef':>11}{'std err':>11}{'z':>9}{'P>|z|':>8}{'[0.025':>9}{'0.975]':>9}")
        lines.append("-" * w)
        crit = stats.norm.ppf(0.975)
        for name, row in self.estimates.iterrows():
            est, se = row["estimate"], row["std_error"]
            lo, hi = est - crit * se, est + crit * se
            lines.append(f"{str(name)[:22]:<22}{est:>11.6f}{se:>11.6f}{row['z_value']:>9.3f}"
                         f"{row['p_value']:>8.3f}{lo:>9.3f}{hi:>9.3f}")
        lines.append("=" * w)
        lines.append(f"sigma_u^2 = {self.sigma_u_sq:.6f}, sigma_v^2 = {self.sigma_v_sq:.6f}, "
                     f"lambda = sigma_u/sigma_v = {self.lambda_:.6f}")
        lines.append(f"LR test of no inefficiency: {self.lr_statistic:.4f}, df = {self.lr_df}, mixed chi2 "
                     f"(Kodde-Palm) 5% critical value {self.lr_critical:.3f}, p = {self.lr_pvalue:.4g}")
        sk_ok = (self.skewness <= 0) if not self.cost else (self.skewness >= 0)
        lines.append(f"Skewness of OLS residuals: {self.skewness:.4f}"
                     + ("" if sk_ok else "  WRONG SIGN: the data show no inefficiency"))
        if self.marginal_effects is not None:
            me = self.marginal_effects.mean()
            lines.append("Mean marginal effects on E[u]: " + ", ".join(f"{k} {v:.6f}" for k, v in me.items()))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<SFAResult {self.form} {self.dist} {'cost' if self.cost else 'production'} "
                f"{self.panel or 'cross-section'}: n={self.nobs}, llf={self.llf:.4f}>")
