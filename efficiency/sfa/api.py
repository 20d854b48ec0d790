"""``efficiency.sfa``: stochastic frontier analysis (DESIGN sections 6 and 10).

Production and cost frontiers y = x'beta + v - s*u (Aigner, Lovell and Schmidt 1977; Meeusen and van
den Broeck 1977) with u half-normal, truncated normal (Stevenson 1980) or exponential; panels of
Battese and Coelli (1992: u_it = exp(-eta (t - T)) u_i, and its time-invariant case eta = 0; for the
time t see ``sfa``'s ``bc92_time``) and the inefficiency-effects model of Battese and Coelli (1995:
u_it ~ N+(z_it'delta, sigma_u^2)).
Efficiency: Battese and Coelli (1988) E[exp(-u)|e] and Jondrow et al. (1982) exp(-E[u|e]).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from .._lazy import LazyModule

stats = LazyModule("scipy.stats")

from .._threads import single_threaded_blas
from ._kernel import kernel_threads
from ..data import _as_name_list, _labels, _numeric_column, _unknown_column, _id_values, as_raw_table, RawTable
from ..errors import ConvergenceWarning, DataError, SkewnessWarning, SpecError
from .fit import G_BOUND, G_MIN, grid_start, kodde_palm, maximise, ols, warn_wrong_skewness
from .likelihood import ExpModel, TNModel, _mills, predictions
from .results import SFAResult

FORMS = ("cobb-douglas", "translog", "linear")
DISTS = ("half-normal", "truncated-normal", "exponential", "gamma", "genexponential")
PANELS = (None, "ti", "bc92", "bc95", "k90", "tfe", "tre", "wang-ho", "four-component")
# k90/tfe/tre: efficiency.sfa.panel_models; wang-ho: efficiency.sfa.wangho; four-component: efficiency.sfa.fourcomp
SIMULATED_PANELS = ("tre", "four-component")       # draws= and seed= are theirs
BC92_TIMES = ("values", "index")
_ALIASES = {"cd": "cobb-douglas", "cobb_douglas": "cobb-douglas", "cobbdouglas": "cobb-douglas", "tl": "translog",
            "hn": "half-normal", "half_normal": "half-normal", "halfnormal": "half-normal", "hnormal": "half-normal",
            "tn": "truncated-normal", "truncated_normal": "truncated-normal", "tnormal": "truncated-normal",
            "truncnorm": "truncated-normal", "exp": "exponential", "none": None, "": None, "bc88": "ti",
            "pitt-lee": "ti"}
_ALIASES.update({"genexpo": "genexponential", "generalized-exponential": "genexponential",
                 "normal-gamma": "gamma"})
_ALIASES.update({"wangho": "wang-ho", "wang_ho": "wang-ho", "fdml": "wang-ho", "four_component": "four-component",
                 "fourcomponent": "four-component", "4c": "four-component"})

#: SkewnessWarning is defined in efficiency.errors (importable from here too)
__all__ = ["sfa", "frontier_terms", "SkewnessWarning", "ConvergenceWarning"]


def _option(value, allowed, name):
    v = value.lower().strip() if isinstance(value, str) else value
    v = _ALIASES.get(v, v)
    if v not in allowed:
        shown = ", ".join(repr(a) for a in allowed if a is not None)
        raise SpecError(f"{name}: {value!r} is not one of {shown}")
    return v


# --------------------------------------------------------------------------------------------------
# Design matrices
# --------------------------------------------------------------------------------------------------

def _column(raw: RawTable, name: str, ids, role: str) -> np.ndarray:
    if name not in raw.frame.columns:
        raise _unknown_column(raw.source, name, role, list(raw.frame.columns))
    return _numeric_column(raw, name, ids, nonnegative=False)


def _log(raw, name, values, ids, form) -> np.ndarray:
    bad = np.flatnonzero(values <= 0)
    if bad.size:
        i = int(bad[0])
        more = f" ({bad.size - 1} more rows like it)" if bad.size > 1 else ""
        raise DataError(f"{raw.source}: column {name!r}, {raw.where(i, ids[i])}: value {values[i]:g} is not "
                        f"positive, but the {form} form takes its logarithm{more}; use form='linear' with "
                        "transformed columns")
    return np.log(values)


def _check_design(raw, X: np.ndarray, names: list[str], sources: list[tuple[str, ...]], what: str) -> None:
    """Constant and collinear regressors, named by their data columns (column 0 is the intercept)."""
    from ._kernel import column_ranges
    if X.shape[0] <= X.shape[1]:
        raise DataError(f"{raw.source}: {X.shape[0]} rows for {X.shape[1]} {what} coefficients; more rows are "
                        "needed")
    lo, hi = column_ranges(np.ascontiguousarray(X, dtype=float))
    for j in range(1, X.shape[1]):
        if lo[j] == hi[j]:
            cols = " and ".join(repr(c) for c in sources[j])
            raise DataError(f"{raw.source}: {what} term {names[j]!r} (column {cols}) is constant "
                            f"({lo[j]:g} in every row); it cannot be told apart from the intercept")
    scale = np.maximum(np.maximum(np.abs(lo), np.abs(hi)), 1e-300)
    # screen on the scaled Gram matrix: singular values of X / scale above 1e-6 of the largest are
    # resolved by it; only a nearly singular design needs the SVDs below
    w = np.linalg.eigvalsh((X.T @ X) / np.outer(scale, scale))
    if w[0] > 1e-12 * w[-1]:
        full = None
    else:
        Xs = X / scale
        full = np.linalg.svd(Xs, compute_uv=False)
    for j in (range(2, X.shape[1] + 1) if full is not None and full[-1] <= 1e-9 * full[0] else ()):
        sv = np.linalg.svd(Xs[:, :j], compute_uv=False)
        if sv[-1] <= 1e-9 * sv[0]:
            others = sorted({c for s in sources[1:j - 1] for c in s})
            cols = " and ".join(repr(c) for c in sources[j - 1])
            raise DataError(f"{raw.source}: {what} term {names[j - 1]!r} (column {cols}) is collinear with "
                            f"the intercept and the earlier terms (columns {', '.join(map(repr, others))}); "
                            "drop one of them")


def _variance_design(raw, names, ids, role, prefix):
    """(1, columns) of uhet/vhet with the parameter names Zu_(Intercept), Zu_<col>, ..."""
    n = len(raw.frame)
    cols = [_column(raw, c, ids, role) for c in names]
    Z = np.column_stack([np.ones(n)] + cols)
    pnames = [f"{prefix}_(Intercept)"] + [f"{prefix}_{c}" for c in names]
    if names:
        _check_design(raw, Z, pnames, [()] + [(c,) for c in names], f"{role} (variance of {role[0]})")
    return Z, pnames


def frontier_terms(raw: RawTable, output: str, inputs: list[str], form: str, ids, trend: str | None = None):
    """Dependent variable and regressors of a Cobb-Douglas, translog or linear frontier from columns.

    Cobb-Douglas: log(y) on 1, log(x_j) (and t). Translog: also I(0.5*log(x_j)^2) and
    log(x_j)*log(x_k) (and t, I(0.5*t^2), t*log(x_j)). Linear: the columns as given.
    Returns (y, X, names, dependent name, source columns of each term).
    """
    yv = _column(raw, output, ids, "output")
    xs = [_column(raw, c, ids, "input") for c in inputs]
    if form == "linear":
        y, dep = yv, output
        base, bnames = xs, list(inputs)
    else:
        y, dep = _log(raw, output, yv, ids, form), f"log({output})"
        base, bnames = [_log(raw, c, v, ids, form) for c, v in zip(inputs, xs)], [f"log({c})" for c in inputs]
    cols, names, sources = [np.ones(len(y))], ["(Intercept)"], [()]
    for c, v, nm in zip(inputs, base, bnames):
        cols.append(v), names.append(nm), sources.append((c,))
    if form == "translog":
        m = len(inputs)
        for i in range(m):
            for j in range(i, m):
                if i == j:
                    cols.append(0.5 * base[i] ** 2), names.append(f"I(0.5*{bnames[i]}^2)")
                else:
                    cols.append(base[i] * base[j]), names.append(f"{bnames[i]}*{bnames[j]}")
                sources.append(tuple(dict.fromkeys((inputs[i], inputs[j]))))
    if trend is not None:
        t = _column(raw, trend, ids, "trend")
        cols.append(t), names.append(trend), sources.append((trend,))
        if form == "translog":
            cols.append(0.5 * t * t), names.append(f"I(0.5*{trend}^2)"), sources.append((trend,))
            for c, v, nm in zip(inputs, base, bnames):
                cols.append(t * v), names.append(f"{trend}*{nm}"), sources.append((trend, c))
    X = np.column_stack(cols)
    return y, X, names, dep, sources


# --------------------------------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------------------------------

@single_threaded_blas
def sfa(data=None, output=None, inputs=None, form="cobb-douglas", dist="half-normal", cost=False, id=None,
        period=None, panel=None, z=None, *, trend=None, z_intercept: bool = True, alpha: float = 0.05,
        bc92_time: str = "values", level: float | None = None, uhet=None, vhet=None,
        scaling: bool = False, draws=None, seed=None,
        latent_classes: int | None = None, class_covariates=None, latent_starts: int = 10,
        latent_seed: int = 0) -> SFAResult:
    """Fit a stochastic frontier by maximum likelihood and predict efficiencies.

    ``data``: DataFrame or CSV path (``output``, ``inputs``, ``id``, ``period``, ``z``, ``trend`` are
    column names), or ``None`` with ``output`` a 1-D and ``inputs`` a 2-D array (columns y, x1, x2...).
    ``form``: 'cobb-douglas' (logs of output and inputs), 'translog' (plus halved squares and
    cross-products of the logs) or 'linear' (columns used as given, e.g. already logged); ``trend``
    adds a time-trend column (and its square and interactions in the translog).
    ``dist``: u half-normal (Aigner, Lovell and Schmidt 1977), truncated normal (Stevenson 1980) or
    exponential (Meeusen and van den Broeck 1977). ``cost=True`` fits a cost frontier (u raises cost).
    ``panel``: None (cross-section, or pooled rows), 'ti' (time-invariant u_i, needs ``id``),
    'bc92' (Battese and Coelli 1992, u_it = exp(-eta (t - T)) u_i; needs ``id`` and ``period``;
    unbalanced panels allowed), 'bc95' (Battese and Coelli 1995, u_it ~ N+(z_it'delta, sigma_u^2),
    needs ``z``; given ``z`` alone implies it). ``z_intercept``: delta includes an intercept.
    'k90' (Kumbhakar 1990), 'tfe' and 'tre' (Greene 2005 true fixed / random effects; ``draws`` Halton
    draws per unit, default 100, ``seed``: scrambled Halton) need ``id`` and ``period``, half-normal u;
    see :mod:`efficiency.sfa.panel_models`. 'wang-ho' (Wang and Ho 2010: fixed effects alpha_i removed by
    first differences, u_it = exp(z_it'delta) u_i*, u_i* half-normal or, with dist='truncated-normal',
    truncated normal; ``z`` are the columns of the scaling function, no constant; see
    :mod:`efficiency.sfa.wangho`) and 'four-component' (Kumbhakar, Lien and Hardaker 2014; Colombi et al.
    2014: random heterogeneity mu_i, persistent eta_i and transient u_it inefficiency, simulated ML as
    Filippini and Greene 2016 with ``draws`` and ``seed`` as for 'tre'; see :mod:`efficiency.sfa.fourcomp`)
    need ``id`` and ``period`` too.

    ``bc92_time``: the time t - T of the BC92 decay, T the latest period of the panel (so u_iT = u_i
    at the last period, for every firm). 'values' (default): the period column's own values, t - T =
    period - latest period: eta is the decay per unit of the period column (per year, say), and a
    gap of two years counts twice. 'index': the distinct periods observed are numbered 1..T in
    order and t is that number, as R ``frontier`` (``sfa`` on a ``pdata.frame``) and FRONTIER 4.1
    do; gaps then count as one period. The two agree when the periods are consecutive integers;
    with equally spaced periods (every k years) they give the same likelihood and eta_index = k
    eta_values. A period column that is not numeric is numbered 1..T (sorted) under either.

    Parameterisation and results as R ``frontier``: see :class:`SFAResult`. A warning
    (:class:`SkewnessWarning`) is raised when the OLS residuals are skewed the wrong way, and a
    :class:`ConvergenceWarning` when the fit did not converge, fell back to another optimiser than
    Newton's method (BFGS for the models without an analytic Hessian), or stopped with gamma at a
    bound (0 or 1); the result records which (``converged``, ``method``, ``fallback``,
    ``at_bound``, ``convergence_notes``). ``alpha``: the Horrace-Schmidt (1996) efficiency bounds
    ``lower``/``upper`` have confidence 1 - alpha (``level`` = 1 - alpha is the deprecated old name).

    ``uhet``, ``vhet`` (as R sfaR's ``sfacross``): columns of the variances of u and of v,
    sigma_u,i^2 = exp(Zu_i'delta), sigma_v,i^2 = exp(Zv_i'phi), each with an intercept (an empty
    list or "1": the intercept only); cross-sections, half-normal or exponential u (Caudill, Ford and Gropper
    1995; Hadri 1999). See :mod:`efficiency.sfa.het`.

    ``latent_classes`` = K in 2..5 (as R sfaR's ``sfalcmcross``): the latent-class frontier of Orea and
    Kumbhakar (2004), a cross-section with half-normal u, each class its own frontier and variances,
    prior class probabilities a multinomial logit in ``class_covariates`` (columns; an intercept always);
    ``latent_starts`` seeded starts (``latent_seed``). See :mod:`efficiency.sfa.latent`.
    """
    form = _option(form, FORMS, "form")
    dist = _option(dist, DISTS, "dist")
    panel = _option(panel, PANELS, "panel")
    if level is not None:
        warnings.warn("sfa: 'level' is deprecated and will be removed; use alpha = 1 - level (the "
                      "Horrace-Schmidt bounds have confidence 1 - alpha)", FutureWarning, stacklevel=3)
        if not isinstance(level, (int, float)) or not 0.0 < level < 1.0:
            raise SpecError(f"level: {level!r} is not in (0, 1)")
        if alpha != 0.05:
            raise SpecError("give alpha, or the deprecated level (= 1 - alpha), not both")
        alpha = 1.0 - float(level)
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0.0 < alpha < 1.0:
        raise SpecError(f"alpha: {alpha!r} is not in (0, 1)")
    bc92_time = _option(bc92_time, BC92_TIMES, "bc92_time")
    z_names = _as_name_list(z, "z")
    if z_names and panel is None:
        panel = "bc95"
    if panel == "bc95" and not z_names:
        raise SpecError("panel='bc95': give the inefficiency-effects columns z (e.g. z=['age', 'education'])")
    if panel == "wang-ho" and not z_names:
        raise SpecError("panel='wang-ho': give the columns of the scaling function h_it = exp(z_it'delta) as z "
                        "(e.g. z=['age']; no constant: it is absorbed by sigma_u)")
    if z_names and panel not in ("bc95", "wang-ho"):
        raise SpecError(f"z: inefficiency effects are the Battese-Coelli (1995) model (or the scaling function of "
                        f"panel='wang-ho'); they cannot be combined with panel={panel!r}")
    extra = dist in ("gamma", "genexponential") or scaling is not False     # efficiency.sfa.distributions
    if extra or ((draws is not None or seed is not None) and panel not in SIMULATED_PANELS):
        from .distributions import check_options as _extra_options
        uhet, vhet, draws, seed = _extra_options(dist, panel, z_names, uhet, vhet, scaling, draws, seed, extra)
    het = not extra and (uhet is not None or vhet is not None)
    if het:
        from .het import HET_DISTS
        # "1" (sfaR's ~1) or an empty list: the intercept only
        uhet, vhet = ([c for c in _as_name_list(v, nm) if c != "1"] for v, nm in ((uhet, "uhet"), (vhet, "vhet")))
        if panel is not None or z_names:
            raise SpecError(f"uhet/vhet: the heteroskedastic model is for cross-sections; it cannot be combined "
                            f"with {'z (inefficiency effects)' if z_names else f'panel={panel!r}'}")
        if dist not in HET_DISTS:
            raise SpecError(f"uhet/vhet: dist={dist!r} is not available; use one of "
                            f"{', '.join(repr(d) for d in HET_DISTS)}")
    if latent_classes is not None or class_covariates is not None:
        from .latent import check_options
        latent_classes, class_covariates = check_options(latent_classes, class_covariates, dist=dist, panel=panel,
                                                         z=z_names, het=het)
    if dist == "exponential" and panel is not None:
        raise SpecError(f"dist='exponential' is available for cross-sections only, not panel={panel!r}")
    if panel == "bc95" and dist == "half-normal":
        dist = "truncated-normal"        # BC95: u ~ N+(z'delta, sigma_u^2)

    if data is None:
        if output is None or inputs is None:
            raise DataError("<arrays>: give data (a DataFrame or CSV path), or output and inputs as arrays")
        Xa = np.asarray(inputs, dtype=float)
        Xa = Xa[:, None] if Xa.ndim == 1 else Xa
        frame = pd.DataFrame(Xa, columns=[f"x{j + 1}" for j in range(Xa.shape[1])])
        frame.insert(0, "y", np.asarray(output, dtype=float).ravel())
        raw = RawTable(frame, "<arrays>", None)
        output, inputs = "y", list(frame.columns[1:])
    else:
        raw = as_raw_table(data)
        if not isinstance(output, str) or not output:
            raise DataError(f"{raw.source}: give the output (dependent variable) column as a string")
        inputs = _as_name_list(inputs, "inputs")
    if not inputs:
        raise DataError(f"{raw.source}: no input columns given")
    if output in inputs:
        raise DataError(f"{raw.source}: column {output!r} is both the output and an input; a frontier of a "
                        "column on itself fits exactly and has no inefficiency to estimate")
    if len(raw.frame) == 0:
        raise DataError(f"{raw.source}: the table has no data rows (only a header)")
    id_cols = _as_name_list(id, "id")
    if panel in ("ti", "bc92") and not id_cols:
        raise SpecError(f"panel={panel!r}: give the firm column (id=...)")
    if panel in ("k90", "tfe", "tre", "wang-ho", "four-component") and (not id_cols or period is None):
        raise SpecError(f"panel={panel!r}: give the unit column (id=...) and the period column (period=..., "
                        "--period COL); " + ("no id column given" if not id_cols else "no period column given"))
    if panel == "bc92" and period is None:
        raise SpecError("panel='bc92': no period column given; the Battese-Coelli (1992) decay "
                        "exp(-eta (t - T)) needs the period of each row (period='year', --period COL)")
    for c in id_cols + ([period] if period is not None else []):
        if c not in raw.frame.columns:
            raise _unknown_column(raw.source, c, "id" if c in id_cols else "period", list(raw.frame.columns))
    n = len(raw.frame)
    if period is not None and id_cols:
        ids = _labels(raw, id_cols + [period])
    elif id_cols and panel == "ti":
        ids = _labels(raw, [])
        vals = [_id_values(raw.frame[c], from_text=raw.lines is not None) for c in id_cols]
        ids = pd.Index(vals[0], name=id_cols[0]) if len(vals) == 1 else pd.MultiIndex.from_arrays(vals, names=id_cols)
    else:
        ids = _labels(raw, id_cols + ([period] if period is not None else []))
    y, X, names, dep, sources = frontier_terms(raw, output, inputs, form, ids, trend)
    if np.ptp(y) == 0:
        value = y[0] if form == "linear" else np.exp(y[0])
        raise DataError(f"{raw.source}: the output column {output!r} is constant ({value:g} in every row); "
                        "there is no variation for a frontier to explain")
    _check_design(raw, X, names, sources, "frontier")
    sign = -1.0 if cost else 1.0
    if panel == "wang-ho":
        from .wangho import sfa_wang_ho
        Zh = np.column_stack([_column(raw, c, ids, "z") for c in z_names])
        _check_design(raw, np.column_stack([np.ones(n), Zh]), ["(Intercept)"] + [f"Z_{c}" for c in z_names],
                      [()] + [(c,) for c in z_names], "scaling-function (z)")
        return sfa_wang_ho(raw, y, X, names, dep, ids, sign, Zh, z_names, period=period, form=form, dist=dist,
                           cost=cost, alpha=alpha, sources=sources)
    if panel == "four-component":
        from .fourcomp import sfa_four_component
        return sfa_four_component(raw, y, X, names, dep, ids, sign, period=period, form=form, dist=dist,
                                  cost=cost, alpha=alpha, draws=100 if draws is None else draws, seed=seed)
    if panel in ("k90", "tfe", "tre"):
        from .panel_models import sfa_panel_model
        return sfa_panel_model(raw, y, X, names, dep, ids, sign, panel=panel, period=period, form=form, dist=dist,
                               cost=cost, alpha=alpha, bc92_time=bc92_time, draws=100 if draws is None else draws,
                               seed=seed, sources=sources)
    if extra:
        from .distributions import sfa_distribution
        return sfa_distribution(raw, y, X, names, dep, ids, sign, form=form, dist=dist, cost=cost, alpha=alpha,
                                uhet=_variance_design(raw, uhet, ids, "uhet", "Zu"),
                                vhet=_variance_design(raw, vhet, ids, "vhet", "Zv"), scaling=bool(scaling),
                                draws=draws, seed=seed)
    if latent_classes is not None:
        from .latent import sfa_latent
        return sfa_latent(raw, y, X, names, dep, ids, sign, form=form, cost=cost, K=latent_classes, alpha=alpha,
                          covariates=class_covariates, column=lambda c: _column(raw, c, ids, "class covariate"),
                          check=_check_design, n_starts=latent_starts, seed=latent_seed)
    if het:
        from .het import sfa_het
        return sfa_het(raw, y, X, names, dep, ids, sign, form=form, dist=dist, cost=cost, alpha=alpha,
                       uhet=_variance_design(raw, uhet, ids, "uhet", "Zu"),
                       vhet=_variance_design(raw, vhet, ids, "vhet", "Zv"))

    group = tt = None
    n_groups = n_firms = n_periods = None
    if panel in ("ti", "bc92"):
        firm = ids.droplevel(-1) if (period is not None and isinstance(ids, pd.MultiIndex)) else ids
        group, uniq = pd.factorize(firm)
        n_groups = n_firms = len(uniq)
        if period is not None:
            pvals = raw.frame[period]
            pnum = pd.to_numeric(pvals, errors="coerce").to_numpy(dtype=float)
            if np.isnan(pnum).any():
                order = np.sort(pd.unique(pvals.astype(str)))
                pnum = np.searchsorted(order, pvals.astype(str).to_numpy()).astype(float) + 1.0
            levels, index = np.unique(pnum, return_inverse=True)
            n_periods = len(levels)
            if panel == "bc92":
                t = pnum if bc92_time == "values" else index.astype(float) + 1.0
                tt = t - t.max()
                if np.ptp(pnum) == 0:
                    raise DataError(f"{raw.source}: column {period!r}: every row has the same period; BC92 "
                                    "needs several periods")
    Z = None
    delta_names: list[str] = []
    if panel == "bc95":
        zcols = [_column(raw, c, ids, "z") for c in z_names]
        Z = np.column_stack(([np.ones(n)] if z_intercept else []) + zcols)
        delta_names = (["Z_(Intercept)"] if z_intercept else []) + [f"Z_{c}" for c in z_names]
        if z_intercept:
            _check_design(raw, Z, delta_names, [()] + [(c,) for c in z_names], "inefficiency-effects (z)")
    elif dist == "truncated-normal":
        Z = np.ones((n_groups or n, 1))
        delta_names = ["mu"]

    if dist == "exponential":
        model = ExpModel(y, X, sign)
    else:
        model = TNModel(y, X, sign, Z=Z, group=group, n_groups=n_groups or 0, tt=tt)

    beta_ols, resid, llf_ols = ols(y, X)
    if float(resid @ resid) <= 1e-24 * float((y - y.mean()) @ (y - y.mean())):
        raise DataError(f"{raw.source}: the output {dep!r} is an exact function of the frontier terms (the OLS "
                        "residuals are all zero); there is no noise or inefficiency to estimate")
    skew = float(stats.skew(resid))
    warn_wrong_skewness(raw.source, skew, cost, stacklevel=3)
    with kernel_threads(n):
        starts = [grid_start(model, beta_ols, resid, exponential=dist == "exponential", intercept=0)]
        if sign * skew > 0 and dist != "exponential":
            # wrong skew: OLS with gamma at its bound 0 is a maximum of the likelihood (Waldman 1982), which
            # the iterations from the grid only approach; start there too (the better fit is kept)
            starts.append(np.concatenate([beta_ols, [float(resid @ resid) / n, G_MIN],
                                          np.zeros(model.n_params - X.shape[1] - 2)]))
        if model.n_params > X.shape[1] + 2:      # mu/delta/eta: also start from the half-normal fit
            base = TNModel(y, X, sign, group=group, n_groups=n_groups or 0)
            hn = maximise(base, [grid_start(base, beta_ols, resid, exponential=False, intercept=0)], polish=False)
            extra = np.zeros(model.n_params - len(hn.params))
            starts.append(np.concatenate([hn.params, extra]))
        fit = maximise(model, starts)
        p, k = fit.params, X.shape[1]
        mstar, sstar, h = model.conditional(p)
        pr = predictions(mstar, sstar, h, alpha)

    par_names = list(names) + ["sigma_sq", "gamma"] + delta_names + (["eta"] if model.has_eta else [])
    at_bound = tuple(par_names[j] for j in fit.at_bound)
    notes = list(fit.notes)
    if fit.at_bound:
        notes.append(_bound_note(float(p[k + 1])))
    singular = [nm for j, nm in enumerate(par_names) if j not in fit.at_bound and not fit.vcov[j, j] > 0]
    if singular:
        notes.append(f"no standard error (NaN) for {', '.join(singular)}: the negative Hessian is not positive "
                     "definite there, so the point is not a regular maximum")
    if fit.fallback or not fit.converged or at_bound:
        what = (["did not converge"] if not fit.converged else []) + \
               ([f"fell back from {fit.primary} to {fit.method}"] if fit.fallback else []) + \
               ([f"stopped with {', '.join(at_bound)} at a bound"] if at_bound else [])
        warnings.warn(ConvergenceWarning(f"{raw.source}: the SFA fit {', '.join(what)}. " + "; ".join(notes)),
                      stacklevel=3)
    se = np.sqrt(np.where(np.diag(fit.vcov) > 0, np.diag(fit.vcov), np.nan))
    zval = p / se
    estimates = pd.DataFrame({"estimate": p, "std_error": se, "z_value": zval,
                              "p_value": 2.0 * stats.norm.sf(np.abs(zval))}, index=par_names)
    vcov = pd.DataFrame(fit.vcov, index=par_names, columns=par_names)

    resid_ml = y - X @ p[:k]
    lr = 2.0 * (fit.llf - llf_ols)
    lr_df = 1 + model.pz + int(model.has_eta)
    lr_p, lr_crit = kodde_palm(lr, lr_df)

    me = None
    delta = None
    mu = None
    if panel == "bc95":
        delta = pd.Series(p[k + 2:k + 2 + model.pz], index=delta_names, name="delta")
        su = np.sqrt(p[k + 1] * p[k])
        x = (Z @ delta.to_numpy()) / su
        lam = _mills(x, stats.norm.logcdf(x))
        factor = 1.0 - lam * (x + lam)
        me = pd.DataFrame({c: delta[f"Z_{c}"] * factor for c in z_names}, index=ids)
    elif dist == "truncated-normal":
        mu = float(p[k + 2])

    series = lambda v, name: pd.Series(v, index=ids, name=name)  # noqa: E731
    return SFAResult(
        form=form, dist=dist, cost=bool(cost), panel=panel, dependent=dep, ids=ids,
        params=pd.Series(p[:k], index=names, name="params"), estimates=estimates, vcov=vcov,
        llf=fit.llf, llf_ols=float(llf_ols), sigma_sq=float(p[k]), gamma=float(p[k + 1]), mu=mu,
        eta=float(p[-1]) if model.has_eta else None, delta=delta,
        efficiency=series(pr["bc88"], "efficiency"), jlms=series(pr["jlms"], "jlms"),
        lower=series(pr["lower"], "lower"), upper=series(pr["upper"], "upper"), u_mean=series(pr["u"], "u"),
        efficiency_reciprocal=series(pr["bc88_reciprocal"], "efficiency_reciprocal"),
        residuals=series(resid_ml, "residual"), ols_params=pd.Series(beta_ols, index=names, name="ols"),
        skewness=skew, lr_statistic=float(lr), lr_df=lr_df, lr_critical=lr_crit, lr_pvalue=lr_p,
        nobs=n, n_firms=n_firms, n_periods=n_periods, converged=fit.converged, n_iter=fit.n_iter,
        method=fit.method, marginal_effects=me, alpha=float(alpha), fallback=fit.fallback, at_bound=at_bound,
        convergence_notes=tuple(notes), n_evaluations=fit.n_evals,
        bc92_time=bc92_time if panel == "bc92" else None)


def _bound_note(gamma: float) -> str:
    """Why gamma sits at a bound, in words (for the warning and the summary)."""
    if gamma < G_BOUND:
        return (f"gamma = {gamma:.3g} is at its lower bound 0: sigma_u^2 -> 0, the data show no inefficiency "
                "(the frontier is the OLS line); its standard error is not defined (NaN)")
    return (f"gamma = 1 - {1.0 - gamma:.2g} is at its upper bound 1: sigma_v^2 -> 0, no noise is left, or the "
            "likelihood has no interior maximum (sigma_u^2 growing while mu or delta run to -infinity); "
            "its standard error is not defined (NaN)")
