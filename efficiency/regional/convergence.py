"""Sigma and beta convergence of efficiency scores across units (issue 18).

**Sigma convergence** (Barro and Sala-i-Martin 1992, "Convergence", Journal of Political Economy 100,
223-251; Sala-i-Martin 1996): the dispersion of the scores falls over time. Per period, overall and
per group: the standard deviation sd (sample, ddof=1), the coefficient of variation cv = sd / mean
and the standard deviation of the log scores sd_log. ``sigma_trend`` regresses cv on the period value
by OLS (cv_t = a + b t): slope b < 0 is sigma convergence; its conventional standard error uses T - 2
degrees of freedom (NaN with two periods) and the p-value is two-sided t(T - 2).

**Absolute beta convergence**: with growth between consecutive periods of the panel
g_it = ln y_i,t+1 - ln y_it,

    g_it = alpha + beta ln y_it + e_it          (pooled OLS, model "pooled"),
    g_it = alpha_i + beta ln y_it + e_it        (unit fixed effects, within estimator, model "fe");

beta < 0 means convergence: low scores grow faster. The implied speed of convergence per period is
lambda = -ln(1 + beta) and the half-life ln 2 / lambda periods (NaN unless -1 < beta < 0). A period
is one step between consecutive periods of the data (e.g. one year with annual data).

**Conditional beta convergence** (model "fe_conditional", with ``controls``): the fixed-effects
regression with the control columns, measured in the start period t, added to ln y_it.

The within estimator demeans every variable by unit and adds back the grand mean, so that the
reported constant is the average unit effect, mean(g) - mean(x)'beta (as ``linearmodels.PanelOLS``
reports it). Standard errors:

* ``bse`` (the default everywhere): **clustered by unit**, the sandwich
  (X'X)^-1 (sum_i X_i'e_i e_i'X_i) (X'X)^-1 times N / (N - K) (N observations, K regressors with the
  constant); the unit effects are not counted, as they are nested in the clusters. This equals
  ``linearmodels`` ``PanelOLS(entity_effects=True).fit(cov_type="clustered", cluster_entity=True)``
  (and ``PooledOLS`` likewise for the pooled model); Stata's ``xtreg, fe vce(cluster id)`` further
  multiplies the variance by G / (G - 1). p-values and intervals use t(G - 1), G = number of units
  (clusters), as Cameron and Miller (2015) recommend with few clusters;
* ``bse_conventional``: homoskedastic, s^2 (X'X)^-1 with s^2 = e'e / (N - K - (G - 1)) for the fixed
  effects model (the G unit effects replace the constant) and e'e / (N - K) for pooled OLS; p-values
  t(df_resid).

Unbalanced panels are handled: a growth rate is formed only for a unit observed in two consecutive
periods of the data (a unit missing period t loses the growth rates t-1 -> t and t -> t+1); sigma
statistics use the units observed in each period. Scores must be positive (logarithms).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data import _as_name_list, format_id
from ..errors import DataError, SpecError
from ..panel import panel_keys
from ..results import Result
from .disparity import load_scores

__all__ = ["BetaRegression", "ConvergenceResult", "convergence"]

ALL = "(all)"


@dataclass(frozen=True)
class BetaRegression:
    """One beta-convergence regression (module docstring): ``params`` (const, ln_y, controls), ``bse``
    (clustered by unit), ``bse_conventional``, ``nobs``, ``n_clusters``, ``df_resid`` (conventional),
    ``rsquared`` (within R^2 for the fixed-effects models), ``cov`` / ``cov_conventional``."""

    name: str
    fixed_effects: bool
    params: pd.Series
    bse: pd.Series
    bse_conventional: pd.Series
    cov: pd.DataFrame
    cov_conventional: pd.DataFrame
    nobs: int
    n_clusters: int
    df_resid: int
    rsquared: float
    resid: np.ndarray = field(repr=False)

    @property
    def tvalues(self) -> pd.Series:
        return self.params / self.bse

    @property
    def pvalues(self) -> pd.Series:
        """Two-sided p-values of the clustered t statistics, t(G - 1)."""
        from scipy import stats
        return pd.Series(2 * stats.t.sf(np.abs(self.tvalues), self.n_clusters - 1), index=self.params.index)

    @property
    def pvalues_conventional(self) -> pd.Series:
        from scipy import stats
        t = self.params / self.bse_conventional
        return pd.Series(2 * stats.t.sf(np.abs(t), self.df_resid), index=self.params.index)

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Intervals params -/+ t_{1-alpha/2}(G - 1) x clustered se."""
        from scipy import stats
        q = stats.t.ppf(1 - alpha / 2, self.n_clusters - 1)
        return pd.DataFrame({"lower": self.params - q * self.bse, "upper": self.params + q * self.bse})

    @property
    def beta(self) -> float:
        return float(self.params["ln_y"])

    @property
    def speed(self) -> float:
        """lambda = -ln(1 + beta) per period (NaN unless -1 < beta < 0)."""
        return -math.log1p(self.beta) if -1 < self.beta < 0 else float("nan")

    @property
    def half_life(self) -> float:
        """ln 2 / lambda periods (NaN unless -1 < beta < 0)."""
        return math.log(2) / self.speed if -1 < self.beta < 0 else float("nan")


def _regress(name: str, g: np.ndarray, X: np.ndarray, terms: list[str], units: np.ndarray, fe: bool,
             source: str) -> BetaRegression:
    """OLS of g on [1, X] (pooled) or the within estimator with unit effects (``fe``)."""
    N = g.size
    codes, _ = pd.factorize(units)
    G = int(codes.max()) + 1
    if fe:
        cnt = np.bincount(codes, minlength=G).astype(float)

        def demean(a):
            a = a.reshape(N, -1)
            means = np.vstack([np.bincount(codes, weights=a[:, j], minlength=G) for j in range(a.shape[1])]).T
            return a - (means / cnt[:, None])[codes] + a.mean(axis=0)

        y = demean(g)[:, 0]
        Z = np.column_stack([np.ones(N), demean(X)])
        tss = float(np.sum((y - y.mean()) ** 2))
    else:
        y = g
        Z = np.column_stack([np.ones(N), X])
        tss = float(np.sum((g - g.mean()) ** 2))
    K = Z.shape[1]
    df = N - K - ((G - 1) if fe else 0)
    if df <= 0 or np.linalg.matrix_rank(Z) < K:
        raise DataError(f"{source}: the {name} regression cannot be estimated: {N} growth rates of {G} units for "
                        f"{K} coefficients{' and the unit effects' if fe else ''} (need more periods, units, or "
                        "control columns that vary within units)")
    ZtZi = np.linalg.inv(Z.T @ Z)
    b = ZtZi @ (Z.T @ y)
    e = y - Z @ b
    ze = np.vstack([np.bincount(codes, weights=Z[:, j] * e, minlength=G) for j in range(K)]).T   # G x K
    cov = N / (N - K) * ZtZi @ (ze.T @ ze) @ ZtZi
    cov = (cov + cov.T) / 2
    cov_c = float(e @ e) / df * ZtZi
    names = ["const"] + terms
    se = lambda c: pd.Series(np.sqrt(np.diag(c)), index=names)
    return BetaRegression(name, fe, pd.Series(b, index=names), se(cov), se(cov_c),
                          pd.DataFrame(cov, index=names, columns=names),
                          pd.DataFrame(cov_c, index=names, columns=names), N, G, df,
                          1.0 - float(e @ e) / tss if tss > 0 else float("nan"), e)


@dataclass(frozen=True)
class ConvergenceResult(Result):
    """Sigma and beta convergence (module docstring). ``models``: name -> :class:`BetaRegression`
    ("pooled", "fe", and "fe_conditional" with controls); ``params``, ``bse``, ``pvalues``,
    ``conf_int()``, ``nobs`` are those of the main model (``main``: "fe_conditional" with controls,
    else "fe"). ``to_frame()``: one row per (model, term). ``speed``: per model beta, lambda,
    half-life. ``sigma``: per period (and group) n, mean, sd, cv, sd_log; ``sigma_trend``: slope of cv
    on the period."""

    models: dict
    main: str
    sigma: pd.DataFrame
    sigma_trend: pd.DataFrame
    id: str
    period: str
    value: str
    controls: tuple
    group: str | None
    source: str

    @property
    def params(self) -> pd.Series:
        return self.models[self.main].params

    @property
    def bse(self) -> pd.Series:
        return self.models[self.main].bse

    @property
    def pvalues(self) -> pd.Series:
        return self.models[self.main].pvalues

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        return self.models[self.main].conf_int(alpha)

    @property
    def nobs(self) -> int:
        return self.models[self.main].nobs

    @property
    def beta(self) -> float:
        return self.models[self.main].beta

    @property
    def speed(self) -> pd.DataFrame:
        return pd.DataFrame([{"model": m.name, "beta": m.beta, "se": float(m.bse["ln_y"]),
                              "pvalue": float(m.pvalues["ln_y"]), "converging": m.beta < 0, "lambda": m.speed,
                              "half_life": m.half_life, "nobs": m.nobs, "units": m.n_clusters}
                             for m in self.models.values()])

    @property
    def status(self) -> pd.Series:
        return pd.Series("ok", index=self.to_frame().index, name="status")

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for m in self.models.values():
            ci = m.conf_int()
            for term in m.params.index:
                rows.append({"model": m.name, "term": term, "coef": m.params[term], "std_err": m.bse[term],
                             "t": m.tvalues[term], "pvalue": m.pvalues[term], "ci_lower": ci.loc[term, "lower"],
                             "ci_upper": ci.loc[term, "upper"], "std_err_conventional": m.bse_conventional[term],
                             "pvalue_conventional": m.pvalues_conventional[term], "nobs": m.nobs,
                             "units": m.n_clusters, "rsquared": m.rsquared})
        return pd.DataFrame(rows)

    def summary(self) -> str:
        lines = [f"Convergence of {self.value!r} ({self.source}): growth g = ln y(t+1) - ln y(t) on ln y(t)",
                 ("standard errors clustered by unit; beta < 0: convergence; lambda = -ln(1 + beta), "
                  "half-life = ln 2 / lambda (periods)")]
        for m in self.models.values():
            lines.append(f"\n{m.name} ({'unit fixed effects' if m.fixed_effects else 'pooled OLS'}): "
                         f"N = {m.nobs}, units = {m.n_clusters}, R2{' within' if m.fixed_effects else ''} = "
                         f"{m.rsquared:.4f}")
            tab = pd.DataFrame({"coef": m.params, "se(cluster)": m.bse, "p": m.pvalues,
                                "se(conv.)": m.bse_conventional})
            lines.append(tab.to_string(float_format=lambda v: f"{v:.5f}"))
            lines.append(f"beta = {m.beta:.5f}, lambda = {m.speed:.5f}, half-life = {m.half_life:.3f}")
        lines.append("\nsigma convergence (slope of cv on the period):")
        lines.append(self.sigma_trend.to_string(index=False, float_format=lambda v: f"{v:.5f}"))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<ConvergenceResult: beta = {self.beta:.5f} ({self.main}), N = {self.nobs}>"


def _trend(t: np.ndarray, c: np.ndarray) -> dict:
    """OLS slope of c on t with its conventional se (T - 2 df) and two-sided t p-value."""
    from scipy import stats
    T = t.size
    tc = t - t.mean()
    sxx = float(tc @ tc)
    b = float(tc @ (c - c.mean())) / sxx
    if T > 2:
        e = c - c.mean() - b * tc
        se = math.sqrt(float(e @ e) / (T - 2) / sxx)
        tv = b / se if se > 0 else float("nan")
        p = float(2 * stats.t.sf(abs(tv), T - 2)) if se > 0 else float("nan")
    else:
        se = tv = p = float("nan")
    return {"slope": b, "se": se, "t": tv, "pvalue": p, "periods": T}


def convergence(data, value, id, period, controls=None, group=None) -> ConvergenceResult:
    """Sigma convergence and absolute (pooled and fixed-effects) and conditional (fixed-effects with
    ``controls``) beta convergence of the scores ``value`` over the panel ``id`` x ``period``; see the
    module docstring. ``group``: optional group column for the sigma table (overall and per group)."""
    id_cols = panel_keys(id, period)
    if isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise SpecError(f"value: give one score column, got {list(value)!r}")
        value = value[0]
    ctrl = _as_name_list(controls, "controls")
    s = load_scores(data, [value], group=group, id=id_cols, period=period, what="a convergence analysis",
                    need_group=group is not None, positive=True, extra={"control": ctrl})
    v = s.values[value]
    T = len(s.periods)
    if T < 2:
        raise DataError(f"{s.source}: column {period!r} holds one period; convergence needs at least two")
    unit = s.ids.droplevel(-1) if len(id_cols) > 1 else s.ids.get_level_values(0)
    ucode, _ = unit.factorize()
    grid = np.full((int(ucode.max()) + 1, T), -1, dtype=np.int64)
    grid[ucode, s.period_codes] = np.arange(v.size)
    r0, r1 = [], []
    for k in range(T - 1):
        both = (grid[:, k] >= 0) & (grid[:, k + 1] >= 0)
        r0.append(grid[both, k])
        r1.append(grid[both, k + 1])
    r0, r1 = np.concatenate(r0), np.concatenate(r1)
    if r0.size < 3:
        raise DataError(f"{s.source}: columns {', '.join(repr(c) for c in id_cols + [period])}: {r0.size} unit(s) "
                        "observed in two consecutive periods; beta convergence needs growth rates of several units")
    lny = np.log(v)
    g = lny[r1] - lny[r0]
    X = lny[r0][:, None]
    units = ucode[r0]
    models = {"pooled": _regress("pooled", g, X, ["ln_y"], units, False, s.source),
              "fe": _regress("fe", g, X, ["ln_y"], units, True, s.source)}
    if ctrl:
        Xc = np.column_stack([X] + [s.values[c][r0] for c in ctrl])
        models["fe_conditional"] = _regress("fe_conditional", g, Xc, ["ln_y"] + ctrl, units, True, s.source)
    main = "fe_conditional" if ctrl else "fe"

    sets = [(ALL, np.ones(v.size, bool))]
    if group is not None:
        sets += [(gname, s.group_codes == j) for j, gname in enumerate(s.groups)]
    srows, trows = [], []
    tvals = np.asarray(s.periods, dtype=float)
    for gname, mask in sets:
        cvs = []
        for k, p in enumerate(s.periods):
            y = v[mask & (s.period_codes == k)]
            n = y.size
            sd = float(np.std(y, ddof=1)) if n > 1 else float("nan")
            mean = float(y.mean())
            sdl = float(np.std(np.log(y), ddof=1)) if n > 1 else float("nan")
            cvs.append(sd / mean)
            srows.append({period: p, **({group: gname} if group else {}), "n": n, "mean": mean, "sd": sd,
                          "cv": sd / mean, "sd_log": sdl})
        cvs = np.asarray(cvs)
        ok = np.isfinite(cvs)
        if ok.sum() >= 2:
            trend = _trend(tvals[ok], cvs[ok])
        else:
            trend = {"slope": float("nan"), "se": float("nan"), "t": float("nan"), "pvalue": float("nan"),
                     "periods": int(ok.sum())}
        trows.append({**({group: gname} if group else {}), "measure": "cv", **trend})
    sigma = pd.DataFrame(srows)
    if group is not None:                       # periods ascending, then (all) and the groups in order
        order = np.lexsort((np.repeat(np.arange(len(sets)), T), np.tile(np.arange(T), len(sets))))
        sigma = sigma.iloc[order].reset_index(drop=True)
    return ConvergenceResult(models, main, sigma, pd.DataFrame(trows), format_id(tuple(id_cols)) if len(id_cols) > 1
                             else id_cols[0], period, value, tuple(ctrl), group, s.source)
