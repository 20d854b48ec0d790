"""Fixed-effects panel threshold regression of Hansen (1999), with sequential estimation of up to three
thresholds, bootstrap tests of their number and likelihood-ratio confidence intervals.

Hansen, B. E. (1999), "Threshold effects in non-dynamic panels: estimation, testing, and inference",
Journal of Econometrics 93, 345-368 (sections 2-4); the conventions below are those of Hansen's
GAUSS/MATLAB programs for the paper (as ported to R by pdR's ``ptm``).

Model (balanced panel, units i = 1..n, periods t = 1..T, thresholds gamma_1 < ... < gamma_K):

    y_it = mu_i + x_it' theta + sum_j c_it' beta_j 1(gamma_{j-1} <= q_it < gamma_j) + e_it,

with gamma_0 = -inf, gamma_{K+1} = +inf: ``regime_dependent`` columns c (coefficients beta_j in
regime j = 1..K+1), ``regime_independent`` columns x, threshold variable q. The lower regime is
q < gamma (strict), as in Hansen's code (``thresh < gamma``).

* **Fixed effects**: deviations from the unit means. ``within="hansen"`` (default) then deletes the
  last period of every unit (Hansen 1999, p. 348: "the stacked data ... with one time period
  deleted"; his code drops period T), so the regression uses n (T - 1) observations;
  ``within="full"`` keeps all T demeaned periods: the textbook within estimator (linearmodels
  ``PanelOLS(entity_effects=True)``, Stata ``xtreg, fe``). Hansen's published numbers need "hansen".
* **Grid** (his code): the N distinct values of q sorted, s = trim, trim + 1/grid, ..., 1 - trim
  (``floor(grid (1 - 2 trim)) + 1`` points) and the candidates are the floor(s N)-th smallest
  distinct values. With thresholds already fixed, the candidates whose position p (1-based) in that
  grid satisfies nn - grid trim <= p < nn + grid trim are dropped, nn = the number of grid values
  below a fixed threshold (Hansen's trimming around each fixed threshold).
* **Estimation**: S(gamma) the SSR of the within regression concentrated over the grid (computed for
  every candidate at once: Frisch-Waugh with the regime-dependent interactions projected off the
  other regressors); gamma_1 = argmin S (the first minimum); gamma_2 = argmin S(gamma_1, gamma) given
  gamma_1; the refinement re-estimates gamma_1 given gamma_2 (Hansen 1999, section 4; Bai 1997);
  gamma_3 = argmin S(gamma_1, gamma_2, gamma) given the (unrefined) sequential estimates. The reported
  thresholds are, ascending: [gamma_1]; [gamma_1^r, gamma_2]; [gamma_1^r, gamma_2, gamma_3].
* **Tests**: F_k = n (T - 1) (S_{k-1} - S_k) / S_k for k = 1..K thresholds (S_0: the linear
  fixed-effects model; S_{k-1}: the model with the k - 1 sequential estimates). Bootstrap (Hansen 1999,
  section 3.2 and his code): the regressors are held fixed; the transformed residuals of the
  (k - 1)-threshold model are resampled by unit (n units drawn with replacement, each bringing its
  whole residual vector), added to that model's fitted values, and the k thresholds re-estimated
  sequentially from scratch in each replication; p = the share of bootstrap F above F_k; the critical
  values are the ceil(0.90 B)-th, ceil(0.95 B)-th and ceil(0.99 B)-th smallest bootstrap F.
* **Confidence intervals** (Hansen 1999, section 3.1, Theorem 1): LR(gamma) = (S(gamma) - S(gamma_hat))
  / sigma2_hat, sigma2_hat = S(gamma_hat) / (n (T - 1)); the interval is the range of the grid points
  with LR(gamma) <= c(alpha) = -2 ln(1 - sqrt(1 - alpha)) (7.35 for alpha = 0.05). gamma_1^r and
  gamma_2 use the LR of their own (conditional) search, as Hansen's Figures 2-3.
* **Coefficients**: OLS on the transformed data at the reported thresholds; ``bse`` are the White
  (heteroskedasticity-robust, HC0, no small-sample factor) standard errors as in Hansen's code,
  ``bse_ols`` the homoskedastic ones with s^2 = S / (n (T - 1) - k); ``coef_pvalues`` two-sided
  normal p-values of params / bse. ``pvalues`` are the bootstrap p-values of the threshold tests
  (DESIGN section 11).

Reproducibility: replication b of test k draws its units from ``numpy.random.default_rng([seed, k,
b])``, so the same seed gives the same numbers in-process and on any number of Dask workers
(``client=``, via :func:`efficiency.distributed.map_chunks`, as :mod:`efficiency.bootstrap`).

Hansen's application (the pdR ``invest`` data): y = invest_t, x = (q, q^2, q^3, d, q d)_{t-1},
c = cf_{t-1}, threshold q = d_{t-1} (lagged regressors: T = 14 years 1974-1987 used, 565 firms).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from itertools import pairwise

import numpy as np
import pandas as pd

from .data import (
    _as_name_list,
    _labels,
    _numeric_column,
    _unknown_column,
    as_raw_table,
    format_id,
)
from .errors import DataError, SpecError
from .panel import panel_keys, period_values, require_balanced_cells, unit_period_cells
from .progress import Progress
from .results import Result

__all__ = ["ThresholdResult", "critical_value", "fig_threshold", "threshold"]

#: Replications per chunk (a task on a Dask cluster; a progress step in-process).
CHUNK = 50
#: Singular values below this (relative) count as zero when the interaction block is inverted.
RCOND = 1e-12
_NAMES = {1: "single", 2: "double", 3: "triple"}


def critical_value(alpha: float) -> float:
    """c(alpha) = -2 ln(1 - sqrt(1 - alpha)): the 1 - alpha quantile of the asymptotic distribution of
    LR(gamma0) (Hansen 1999, eq. 3.4 / Hansen 2000, Theorem 2); 7.35 for alpha = 0.05."""
    return -2.0 * math.log(1.0 - math.sqrt(1.0 - alpha))


# --------------------------------------------------------------------------------------------------
# The transformed design
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Design:
    """The balanced panel as (n, T) arrays in unit-major order, transformed once.

    ``y`` (N,) and ``X`` (N, kx) are transformed (N = n * kept periods); ``C`` (n, T, kc) the raw
    regime-dependent values, ``q`` (n, T) the threshold variable, ``grid`` the m candidates. After
    :func:`_prepared`: ``Q0`` an orthonormal basis of the linear model's regressors [x, c]
    (transformed), ``Dt0`` (N, m kc) the transformed interactions c 1(q < gamma) of every grid point
    with [x, c] projected off, ``G0`` = Dt0'Dt0 and ``A0`` (m, kc, kc) its diagonal blocks."""

    y: np.ndarray
    X: np.ndarray
    C: np.ndarray
    q: np.ndarray
    grid: np.ndarray
    drop: bool
    grid_n: int
    trim: float
    Q0: np.ndarray | None = None
    Dt0: np.ndarray | None = None
    G0: np.ndarray | None = None
    A0: np.ndarray | None = None

    @property
    def n(self) -> int:
        return self.q.shape[0]

    @property
    def ty(self) -> int:
        """n (T - 1): the scale of F and LR (Hansen's ``ty``)."""
        return self.q.shape[0] * (self.q.shape[1] - 1)

    def within(self, a: np.ndarray) -> np.ndarray:
        """Deviations from the unit means of an (n, T, ...) array, the last period deleted under
        Hansen's convention, stacked unit-major into (N, ...)."""
        a = a - a.mean(axis=1, keepdims=True)
        if self.drop:
            a = a[:, :-1]
        return a.reshape((a.shape[0] * a.shape[1],) + a.shape[2:])

    def interaction(self, gammas) -> np.ndarray:
        """The transformed c_it 1(q_it < gamma) for each gamma: (N, len(gammas), kc)."""
        gammas = np.asarray(gammas, dtype=float)
        ind = self.q[:, :, None] < gammas[None, None, :]                       # (n, T, G)
        return self.within(ind[:, :, :, None] * self.C[:, :, None, :])         # (N, G, kc)

    def base(self, fixed) -> np.ndarray:
        """The regressors of the model with the thresholds ``fixed``: x, c and c 1(q < gamma_f)."""
        parts = [self.X, self.within(self.C)]
        if len(fixed):
            D = self.interaction(sorted(fixed))
            parts.append(D.reshape(D.shape[0], -1))
        return np.column_stack(parts)

    def keep(self, fixed) -> np.ndarray:
        """Mask of the grid without the points within ``grid trim`` positions of each fixed threshold
        (Hansen's code: 1-based position p dropped when nn - grid trim <= p < nn + grid trim, nn the
        number of grid points below the fixed threshold)."""
        keep = np.ones(self.grid.size, dtype=bool)
        pos = np.arange(1, self.grid.size + 1)
        width = self.grid_n * self.trim
        for f in fixed:
            nn = int(np.count_nonzero(self.grid < f))
            keep &= ~((pos >= nn - width) & (pos < nn + width))
        return keep


def _prepared(des: _Design) -> _Design:
    """``des`` with Q0, Dt0 and A0 computed (once; every search reuses them)."""
    Q0 = _basis(des.base([]))
    D = des.interaction(des.grid)
    N, m, kc = D.shape
    D = D.reshape(N, m * kc)
    D -= Q0 @ (Q0.T @ D)
    G0 = D.T @ D
    A0 = np.ascontiguousarray(np.einsum("gigj->gij", G0.reshape(m, kc, m, kc)))
    return replace(des, Q0=Q0, Dt0=D, G0=G0, A0=A0)


def _basis(Z: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the column space of Z (singular values below RCOND s_max dropped)."""
    if Z.shape[1] == 0:
        return Z
    U, s, _ = np.linalg.svd(Z, full_matrices=False)
    return U[:, s > RCOND * max(float(s[0]), 1e-300)] if s.size else U


def _search(des: _Design, fixed, Y: np.ndarray):
    """S(gamma) over the candidates given the thresholds ``fixed``, for each column of ``Y`` (N, R).

    Returns (candidates, S (G, R), S_fixed (R,)): S_fixed is the SSR of the model with ``fixed``
    alone."""
    E0 = Y - des.Q0 @ (des.Q0.T @ Y)
    return _search_from(des, fixed, E0, des.Dt0.T @ E0)


def _search_from(des: _Design, fixed, E0: np.ndarray, B0: np.ndarray):
    """:func:`_search` from the residuals E0 = M0 Y of the linear model and B0 = Dt0' E0.

    Frisch-Waugh: the interactions of the fixed thresholds (grid points F, so columns Dt0_F of Dt0)
    have the orthonormal basis P = Dt0_F V L^(-1/2) (G0_FF = V L V', zero eigenvalues dropped); with
    U = P'Dt0 = L^(-1/2) V' G0_F. and PE = P'E0 = L^(-1/2) V' B0_F (no pass over the data):
    e'e = E0'E0 - PE'PE, D~(gamma) = Dt0(gamma) - P U(gamma), b = D~'e = B0 - U'PE,
    A = D~'D~ = A0 - U'U and S(gamma) = e'e - b' A^+ b."""
    keep = des.keep(fixed)
    if not keep.any():
        raise DataError(f"threshold: no grid point is left for threshold {len(fixed) + 1} after trimming "
                        f"around {', '.join(f'{g:g}' for g in fixed)}; lower trim")
    m, kc = des.A0.shape[0], des.A0.shape[1]
    ee = np.einsum("nr,nr->r", E0, E0)
    b, A = B0, des.A0
    if len(fixed):
        at = np.searchsorted(des.grid, np.asarray(fixed, dtype=float))
        cols = (at[:, None] * kc + np.arange(kc)[None, :]).ravel()
        lam, V = np.linalg.eigh(des.G0[np.ix_(cols, cols)])
        ok = lam > RCOND * max(float(lam.max()), 1e-300)
        W = V[:, ok] / np.sqrt(lam[ok])                                        # P = Dt0_F W
        if W.shape[1]:
            U = W.T @ des.G0[cols, :]                                          # (p, m kc)
            PE = W.T @ B0[cols, :]                                             # (p, R)
            b = B0 - U.T @ PE
            U3 = U.reshape(-1, m, kc)
            A = des.A0 - np.einsum("pgi,pgj->gij", U3, U3)
            ee = ee - np.einsum("pr,pr->r", PE, PE)
    b3 = b.reshape(m, kc, -1)[keep]
    Ainv = np.linalg.pinv(A[keep], rcond=RCOND, hermitian=True)
    S = ee[None, :] - np.einsum("gir,gij,gjr->gr", b3, Ainv, b3)
    return des.grid[keep], S, ee


@dataclass(frozen=True)
class _Stage:
    """One threshold search on the original data: the candidates, S over them, the estimate."""

    fixed: tuple
    cand: np.ndarray
    S: np.ndarray
    S_fixed: float

    @property
    def index(self) -> int:
        return int(np.argmin(self.S))

    @property
    def gamma(self) -> float:
        return float(self.cand[self.index])

    @property
    def ssr(self) -> float:
        return float(self.S[self.index])

    def lr(self, ty: int) -> np.ndarray:
        return (self.S - self.ssr) / (self.ssr / ty)


def _stage(des: _Design, fixed) -> _Stage:
    cand, S, ee = _search(des, list(fixed), des.y[:, None])
    return _Stage(tuple(fixed), cand, S[:, 0], float(ee[0]))


def _sequential_F(des: _Design, Y: np.ndarray, k: int) -> np.ndarray:
    """Bootstrap F_k of each column of Y: the k thresholds estimated sequentially from scratch
    (Hansen's code: no refinement inside the bootstrap), F = ty (S_{k-1} - S_k) / S_k. Replications
    that share their earlier thresholds share one search."""
    R = Y.shape[1]
    E0 = Y - des.Q0 @ (des.Q0.T @ Y)
    B0 = des.Dt0.T @ E0
    cand, S, ee = _search_from(des, [], E0, B0)
    at = np.argmin(S, axis=0)
    fixed = [(float(cand[a]),) for a in at]
    prev, cur = ee, S[at, np.arange(R)]
    for _ in range(1, k):
        prev = cur.copy()
        new_fixed = list(fixed)
        for key in sorted(set(fixed)):
            cols = np.array([r for r in range(R) if fixed[r] == key])
            cand, S, _ = _search_from(des, list(key), E0[:, cols], B0[:, cols])
            a = np.argmin(S, axis=0)
            cur[cols] = S[a, np.arange(cols.size)]
            for j, r in enumerate(cols):
                new_fixed[r] = key + (float(cand[a[j]]),)
        fixed = new_fixed
    return des.ty * (prev - cur) / cur


def _replicate(chunk, *, des: _Design, nulls: dict, seed: int) -> np.ndarray:
    """Bootstrap F statistics of the replications ``chunk`` ([(k, b), ...], one k): the residuals of
    the (k - 1)-threshold model resampled by unit from stream default_rng([seed, k, b]).

    Module-level (picklable) so that a Dask worker can run a chunk."""
    k = chunk[0][0]
    fitted, resid = nulls[k]
    E = resid.reshape(des.n, -1)
    Y = np.empty((fitted.size, len(chunk)))
    for j, (_, b) in enumerate(chunk):
        units = np.random.default_rng([int(seed), int(k), int(b)]).integers(0, des.n, size=des.n)
        Y[:, j] = fitted + E[units].ravel()
    return _sequential_F(des, Y, k)


# --------------------------------------------------------------------------------------------------
# The result
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ThresholdResult(Result):
    """Hansen's (1999) fixed-effects panel threshold regression (see the module docstring).

    ``thresholds`` ascending (regime j: thresholds[j-2] <= q < thresholds[j-1]); ``F`` one statistic
    per added threshold (k = 1..K); ``pvalues`` their bootstrap p-values (None when B = 0);
    ``critical_values`` the bootstrap 10%, 5%, 1% critical values (rows k); ``params``, ``bse``
    (White), ``bse_ols``, ``coef_pvalues`` the coefficients at the reported thresholds; ``ssr`` the
    SSR S_0..S_K of the sequential models; ``sigma2`` = S / (n (T - 1)) of the reported model;
    ``lr`` per threshold a DataFrame (gamma, lr) of LR over its search grid; ``conf_int()`` the
    LR-inversion intervals."""

    y: str
    regime_dependent: list
    regime_independent: list
    threshold_variable: str
    n_thresholds: int
    thresholds: list
    F: list
    pvalues: list | None
    critical_values: pd.DataFrame | None
    params: pd.Series
    bse: pd.Series
    bse_ols: pd.Series
    coef_pvalues: pd.Series
    ssr: list
    sigma2: float
    lr: dict
    intervals: pd.DataFrame
    boot_F: dict
    n_units: int
    n_periods: int
    nobs: int
    trim: float
    grid: int
    within: str
    B: int
    alpha: float
    seed: int | None
    c_alpha: float
    status: pd.Series = field(repr=False)

    def conf_int(self, alpha: float | None = None) -> pd.DataFrame:
        """The (1 - alpha) intervals of the thresholds: [min, max] of the grid points with LR(gamma)
        <= c(alpha) (rows gamma1.., columns lower, upper); ``alpha`` defaults to the fit's."""
        if alpha is None or alpha == self.alpha:
            return self.intervals.copy()
        return _intervals(self.lr, self.thresholds, critical_value(alpha))

    def to_frame(self) -> pd.DataFrame:
        """The coefficient table: coef, std_err (White), std_err_ols, t (coef / White se), p_value
        (normal), status; indexed by the parameter names."""
        t = self.params / self.bse
        return pd.DataFrame({"coef": self.params, "std_err": self.bse, "std_err_ols": self.bse_ols,
                             "t": t, "p_value": self.coef_pvalues, "status": self.status})

    def summary(self) -> str:
        head = (f"Fixed-effects panel threshold regression (Hansen 1999): y = {self.y}, threshold variable "
                f"{self.threshold_variable}")
        sizes = (f"units n = {self.n_units}, periods T = {self.n_periods}, n (T - 1) = "
                 f"{self.n_units * (self.n_periods - 1)}; within = {self.within}; grid = {self.grid}, trim = "
                 f"{self.trim}; B = {self.B}, seed {self.seed}")
        lines = [head, sizes, ""]
        if self.n_thresholds:
            lines.append("Tests for threshold effects (bootstrap, fixed regressors, residuals resampled by unit)")
            lines.append(f"{'':<10}{'F':>12}{'p-value':>10}{'10%':>10}{'5%':>10}{'1%':>10}")
            for k in range(1, self.n_thresholds + 1):
                p = "" if self.pvalues is None else f"{self.pvalues[k - 1]:10.3f}"
                cv = ("" if self.critical_values is None else
                      "".join(f"{v:10.2f}" for v in self.critical_values.loc[k]))
                lines.append(f"{_NAMES[k]:<10}{self.F[k - 1]:12.2f}{p:>10}{cv}")
            lines.append("")
            level = f"{100 * (1 - self.alpha):g}%"
            lines.append(f"Threshold estimates ({level} LR intervals, c = {self.c_alpha:.3f})")
            for name, row in self.intervals.iterrows():
                lines.append(f"  {name:<8}{row['estimate']:>12.4f}   [{row['lower']:.4f}, {row['upper']:.4f}]")
            lines.append("")
        lines.append("Coefficients (White standard errors)")
        lines.append(self.to_frame().drop(columns="status").to_string(float_format=lambda v: f"{v:.4f}"))
        return "\n".join(lines)


def _intervals(lr: dict, thresholds, c: float) -> pd.DataFrame:
    rows = {}
    for j, g in enumerate(thresholds):
        curve = lr[f"gamma{j + 1}"]
        inside = curve["gamma"].to_numpy()[curve["lr"].to_numpy() <= c]
        rows[f"gamma{j + 1}"] = (g, float(inside.min()), float(inside.max()))
    return pd.DataFrame.from_dict(rows, orient="index", columns=["estimate", "lower", "upper"])


# --------------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------------

def _options(n_thresholds, trim, grid, B, alpha, within):
    if isinstance(n_thresholds, bool) or not isinstance(n_thresholds, (int, np.integer)) or not 0 <= n_thresholds <= 3:
        raise SpecError(f"n_thresholds: must be 1, 2 or 3 (0: the linear fixed-effects model), got {n_thresholds!r}")
    if isinstance(trim, bool) or not isinstance(trim, (int, float)) or not 0 < trim < 0.5:
        raise SpecError(f"trim: the share trimmed at each end of the threshold grid must lie in (0, 0.5), got {trim!r}")
    if isinstance(grid, bool) or not isinstance(grid, (int, np.integer)) or grid < 2:
        raise SpecError(f"grid: the number of quantiles must be an integer >= 2, got {grid!r}")
    if isinstance(B, bool) or not isinstance(B, (int, np.integer)) or B < 0 or B == 1:
        raise SpecError(f"B: the number of bootstrap replications must be 0 (no bootstrap) or an integer >= 2, "
                        f"got {B!r}")
    if isinstance(alpha, bool) or not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        raise SpecError(f"alpha: must lie in (0, 1), got {alpha!r}")
    if within not in ("hansen", "full"):
        raise SpecError(f"within: 'hansen' (demeaned, last period deleted) or 'full' (all periods), got {within!r}")


def _load(data, id, period, y, dep, indep, thr):
    """(raw, {column: (n, T) values}) of a balanced panel, unit-major, periods
    ascending; DataErrors name the file, column and row (or the missing unit-period)."""
    id_cols = panel_keys(id, period)
    raw = as_raw_table(data, what="panel")
    frame = raw.frame
    columns = [y] + dep + indep + [thr]
    for role, names in (("dependent", [y]), ("regime-dependent", dep), ("regime-independent", indep),
                        ("threshold", [thr])):
        for c in names:
            if c not in frame.columns:
                raise _unknown_column(raw.source, c, role, list(frame.columns))
            if c == period or c in id_cols:
                raise SpecError(f"{raw.source}: column {c!r} is the {'period' if c == period else 'id'} column and "
                                f"cannot be a {role} variable")
    pvals = period_values(raw, period, id_cols)
    ids = _labels(raw, id_cols + [period])
    units_index = ids.droplevel(-1) if len(id_cols) > 1 else ids.get_level_values(0)
    codes, units = units_index.factorize()
    periods_f, pcode = np.unique(pvals, return_inverse=True)
    U, T = len(units), len(periods_f)
    if T < 2:
        raise DataError(f"{raw.source}: column {period!r} holds one period; a fixed-effects panel needs at least two")
    cell, r = unit_period_cells(codes, pcode, U, T)
    if r is not None:
        raise DataError(f"{raw.source}: columns {', '.join(repr(c) for c in id_cols + [period])}: unit "
                        f"{format_id(units[codes[r]])!r} appears twice in period {periods_f[pcode[r]]:g} "
                        f"({raw.where(r)})")
    require_balanced_cells(cell, raw.source, id_cols + [period], lambda u: format_id(units[u]),
                           lambda k: f"{periods_f[k]:g}", "the panel threshold model")
    values = {c: _numeric_column(raw, c, ids, nonnegative=False)[cell] for c in dict.fromkeys(columns)}
    return raw, values


def _make_grid(q: np.ndarray, grid: int, trim: float, source: str, column: str) -> np.ndarray:
    """Hansen's grid: the floor(s N)-th smallest of the N distinct values, s = trim + j / grid,
    j = 0..floor(grid (1 - 2 trim)) (R's seq(trim, 1 - trim, by = 1 / grid))."""
    distinct = np.unique(q)
    N = distinct.size
    m = math.floor((grid - 2 * grid * trim) + 1e-10) + 1
    s = trim + np.arange(m) * (1.0 / grid)
    pos = np.floor(s * N).astype(np.int64)
    if pos[0] < 1 or np.any(np.diff(pos) == 0) or pos[-1] > N:
        raise DataError(f"{source}: threshold column {column!r} has {N} distinct values, too few for a grid of "
                        f"{grid} quantiles trimmed by {trim:g} at each end ({m} distinct grid points); lower grid")
    return distinct[pos - 1]


# --------------------------------------------------------------------------------------------------
# The estimator
# --------------------------------------------------------------------------------------------------

def threshold(data, *, id=None, period=None, y=None, regime_dependent=None, regime_independent=None,
              threshold=None, n_thresholds: int = 1, trim: float = 0.05, grid: int = 400, B: int = 300,
              alpha: float = 0.05, seed=None, client=None, within: str = "hansen") -> ThresholdResult:
    """Hansen's (1999) fixed-effects panel threshold regression (module docstring for the method).

    ``data``: a balanced panel (DataFrame or CSV path) with unit ``id`` and ``period`` columns;
    ``y`` the dependent column; ``regime_dependent`` the columns whose slopes switch at the
    thresholds of the column ``threshold``; ``regime_independent`` the other regressors (may include
    the threshold variable); ``n_thresholds`` 1..3 thresholds estimated sequentially (0: the linear
    fixed-effects model); ``trim``/``grid`` the candidate grid; ``B`` bootstrap replications per test
    (0: no bootstrap); ``alpha`` the level of the threshold intervals; ``seed`` (drawn when None,
    kept in ``result.seed``); ``client`` a ``dask.distributed.Client`` for the bootstrap;
    ``within``: "hansen" (demeaned, last period deleted: Hansen's estimator) or "full"."""
    from . import distributed
    from .bootstrap import _seed

    if y is None or threshold is None:
        raise SpecError("threshold: give y= (the dependent column) and threshold= (the threshold variable)")
    dep = _as_name_list(regime_dependent, "regime_dependent")
    indep = _as_name_list(regime_independent, "regime_independent")
    if not dep:
        raise SpecError("regime_dependent: give at least one column whose coefficient switches at the threshold")
    _options(n_thresholds, trim, grid, B, alpha, within)
    for c in dep + indep:
        if c == y:
            raise SpecError(f"column {y!r} is the dependent variable and cannot be a regressor")
    both = [c for c in dep if c in indep]
    if both or len(set(dep)) < len(dep) or len(set(indep)) < len(indep):
        name = both[0] if both else next(c for c in dep + indep if (dep + indep).count(c) > 1)
        raise SpecError(f"column {name!r} is given twice among the regressors")
    seed = _seed(seed) if B else (None if seed is None else _seed(seed))
    distributed._check_client(client)
    raw, v = _load(data, id, period, y, dep, indep, threshold)
    n, T = v[y].shape
    qgrid = _make_grid(v[threshold], int(grid), float(trim), raw.source, threshold)
    C = np.stack([v[c] for c in dep], axis=2)
    des0 = _Design(np.empty(0), np.empty((0, 0)), C, v[threshold], qgrid, within == "hansen", int(grid), float(trim))
    X = np.column_stack([des0.within(v[c]) for c in indep]) if indep else np.empty((des0.within(v[y]).size, 0))
    des = _Design(des0.within(v[y]), X, C, v[threshold], qgrid, within == "hansen", int(grid), float(trim))
    _check_rank(des, dep, indep, raw.source)
    des = _prepared(des)

    K = int(n_thresholds)
    stages = []
    for k in range(K):
        stages.append(_stage(des, [s.gamma for s in stages]))
    ssr = [stages[0].S_fixed] if K else [_fit(des, [])[2]]
    ssr += [s.ssr for s in stages]
    F = [des.ty * (ssr[k] - ssr[k + 1]) / ssr[k + 1] for k in range(K)]
    # reported thresholds and the searches their intervals come from
    reported = []
    if K >= 1:
        first = _stage(des, [stages[1].gamma]) if K >= 2 else stages[0]
        reported = [first] + stages[1:]
    order = np.argsort([s.gamma for s in reported], kind="stable")
    reported = [reported[i] for i in order]
    thresholds = [s.gamma for s in reported]
    lr = {f"gamma{j + 1}": pd.DataFrame({"gamma": s.cand, "lr": s.lr(des.ty)}) for j, s in enumerate(reported)}
    c_alpha = critical_value(alpha)
    intervals = _intervals(lr, thresholds, c_alpha) if K else pd.DataFrame(columns=["estimate", "lower", "upper"])

    pvalues = crit = None
    boot_F = {}
    if K and B:
        nulls = {}
        for k in range(1, K + 1):
            fitted, resid, _, _ = _fit(des, [s.gamma for s in stages[:k - 1]])
            nulls[k] = (fitted, resid)
        chunks = [[(k, b) for b in range(s, min(B, s + CHUNK))] for k in range(1, K + 1) for s in range(0, B, CHUNK)]
        with Progress(K * B, "threshold bootstrap", unit="replications") as bar:
            parts = distributed.map_chunks(client, _replicate, chunks, {"des": des, "nulls": nulls, "seed": seed},
                                           progress=bar)
        for chunk, part in zip(chunks, parts):
            boot_F.setdefault(chunk[0][0], []).append(part)
        boot_F = {k: np.concatenate(p) for k, p in boot_F.items()}
        pvalues = [float(np.mean(boot_F[k] > F[k - 1])) for k in range(1, K + 1)]
        crit = pd.DataFrame({f"{lab}%": [float(np.sort(boot_F[k])[math.ceil(p * B) - 1]) for k in range(1, K + 1)]
                             for lab, p in (("10", 0.90), ("5", 0.95), ("1", 0.99))},
                            index=pd.Index(range(1, K + 1), name="n_thresholds"))

    params, bse, bse_ols, sigma2 = _coefficients(des, thresholds, dep, indep)
    coef_p = pd.Series(_normal_p((params / bse).to_numpy()), index=params.index)
    status = pd.Series(np.where(np.isfinite(bse.to_numpy()), "ok", "not identified"), index=params.index)
    return ThresholdResult(y, dep, indep, threshold, K, thresholds, F, pvalues, crit, params, bse, bse_ols, coef_p,
                           ssr, sigma2, lr, intervals, boot_F, n, T, n * T, float(trim), int(grid), within, int(B),
                           float(alpha), seed, c_alpha, status)


def _check_rank(des: _Design, dep, indep, source: str) -> None:
    """DataError when a regressor does not vary within units (absorbed by the fixed effects) or the
    transformed regressors are collinear."""
    Z = des.base([])
    names = indep + dep
    for j, name in enumerate(names):
        if not np.any(np.abs(Z[:, j]) > 1e-12 * max(1.0, float(np.abs(Z[:, j]).max(initial=0.0)))):
            raise DataError(f"{source}: column {name!r} does not vary over time within any unit; the fixed effects "
                            "absorb it")
    if np.linalg.matrix_rank(Z) < Z.shape[1]:
        raise DataError(f"{source}: the within-transformed regressors {', '.join(map(repr, names))} are collinear")


def _fit(des: _Design, fixed):
    """(fitted, residuals, SSR, regressors) of the transformed y on the model with thresholds ``fixed``."""
    Z = des.base(fixed)
    coef, *_ = np.linalg.lstsq(Z, des.y, rcond=None)
    fitted = Z @ coef
    resid = des.y - fitted
    return fitted, resid, float(resid @ resid), Z


def _regimes(des: _Design, thresholds) -> np.ndarray:
    """The transformed c_it 1(regime j) for j = 1..K+1: (N, kc, K + 1)."""
    edges = [-np.inf] + list(thresholds) + [np.inf]
    cols = []
    for lo, hi in pairwise(edges):
        ind = (des.q >= lo) & (des.q < hi)
        cols.append(des.within(ind[:, :, None] * des.C))
    return np.stack(cols, axis=2)


def _coefficients(des: _Design, thresholds, dep, indep):
    """OLS on the transformed data at the thresholds: params (regime-dependent by variable and regime,
    then the regime-independent), White (HC0) and homoskedastic standard errors, sigma2."""
    K = len(thresholds)
    R = _regimes(des, thresholds)
    names = [f"{c}:regime{j + 1}" if K else c for c in dep for j in range(K + 1)]
    Z = np.column_stack([R.reshape(R.shape[0], -1), des.X])
    names += list(indep)
    ZZ = Z.T @ Z
    try:
        ZZi = np.linalg.inv(ZZ)
        if not np.all(np.isfinite(ZZi)) or np.linalg.matrix_rank(Z) < Z.shape[1]:
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        raise DataError("threshold: the regressors at the estimated thresholds are collinear (a regime without "
                        "within-unit variation of the regime-dependent variables)") from None
    beta = ZZi @ (Z.T @ des.y)
    e = des.y - Z @ beta
    Ze = Z * e[:, None]
    white = np.sqrt(np.diag(ZZi @ (Ze.T @ Ze) @ ZZi))
    S = float(e @ e)
    ols = np.sqrt(np.diag(ZZi) * S / (des.ty - Z.shape[1]))
    idx = pd.Index(names)
    return pd.Series(beta, idx), pd.Series(white, idx), pd.Series(ols, idx), S / des.ty


def _normal_p(z: np.ndarray) -> np.ndarray:
    from scipy.special import ndtr

    return 2.0 * ndtr(-np.abs(z))


# --------------------------------------------------------------------------------------------------
# Figure
# --------------------------------------------------------------------------------------------------

def fig_threshold(result: ThresholdResult):
    """Hansen's (1999) Figures 1-3: LR(gamma) over the search grid of each reported threshold, with
    the critical value c(alpha) as a dashed line. Returns the matplotlib Figure."""
    from .plotting import pyplot

    plt = pyplot()
    K = len(result.thresholds)
    if K == 0:
        raise SpecError("fig_threshold: the model has no threshold (n_thresholds = 0)")
    fig, axes = plt.subplots(1, K, figsize=(5 * K, 4), squeeze=False)
    for j, ax in enumerate(axes[0]):
        curve = result.lr[f"gamma{j + 1}"]
        ax.plot(curve["gamma"], curve["lr"], color="black", lw=1)
        ax.axhline(result.c_alpha, color="red", ls="--", lw=1,
                   label=f"c({result.alpha:g}) = {result.c_alpha:.2f}")
        ax.set_xlabel(f"threshold {j + 1} ({result.threshold_variable})")
        ax.set_ylabel("likelihood ratio")
        ax.set_title(f"gamma{j + 1} = {result.thresholds[j]:.4g}")
        ax.legend(loc="best", fontsize=8)
    fig.tight_layout()
    return fig
