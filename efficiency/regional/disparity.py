"""Regional disparity of efficiency scores: the Dagum Gini decomposition, the Theil indices and kernel
densities of the scores per period (issue 18).

Input: a DataFrame or CSV path with an optional unit id column, an optional (numeric) period column,
a group column (e.g. the region's macro-area) and one or more value columns (efficiency scores). Every
index is computed per value column and per period; output rows keep the periods in ascending numeric
order and the groups in the order of their first appearance in the input.

**Dagum (1997)**, "A new approach to the decomposition of the Gini income inequality ratio", Empirical
Economics 22, 515-531. With n units in k groups, group j holding n_j units of mean Y_j, overall mean
Y, population shares p_j = n_j / n and score shares s_j = n_j Y_j / (n Y):

* overall Gini G = sum_j sum_h sum_i sum_r |y_ji - y_hr| / (2 n^2 Y);
* within-group Gini G_jj = sum_i sum_r |y_ji - y_jr| / (2 n_j^2 Y_j);
* between-group Gini G_jh = sum_i sum_r |y_ji - y_hr| / (n_j n_h (Y_j + Y_h));
* within contribution G_w = sum_j G_jj p_j s_j;
* gross between contribution G_gb = sum_{pairs j, h} G_jh (p_j s_h + p_h s_j), split into the
  net between contribution G_nb = sum_{pairs} G_jh (p_j s_h + p_h s_j) D_jh and the
  transvariation intensity G_t = sum_{pairs} G_jh (p_j s_h + p_h s_j) (1 - D_jh);
* relative economic affluence D_jh = (d_jh - p_jh) / (d_jh + p_jh), where, as in Dagum, the pair is
  ordered so that Y_j >= Y_h: d_jh = E[(y_j - y_h)+] (the gross economic affluence) and
  p_jh = E[(y_h - y_j)+] (the first moment of transvariation), over all n_j n_h pairs.

G = G_w + G_nb + G_t holds exactly (up to rounding), since d_jh + p_jh = G_jh (Y_j + Y_h). A group of
all-zero scores has G_jj = 0 (no inequality; its score share is 0 anyway); when both groups of a pair
are the same constant, d_jh + p_jh = 0 and D_jh is set to 0 (G_jh = 0, so it contributes nothing).
Shares are the components divided by G (NaN when G = 0: every score equal). The double sums are
computed from the gaps between sorted values, O(n log n) per group pair, never as n x n arrays.

**Theil** (Shorrocks 1980, "The class of additively decomposable inequality measures", Econometrica
48, 613-625): with the same notation, Theil T = GE(1) = (1/n) sum_i (y_i / Y) ln(y_i / Y) and the mean
log deviation L = GE(0) = (1/n) sum_i ln(Y / y_i), decomposed exactly as

    T = sum_j s_j T_j  +  sum_j s_j ln(Y_j / Y)        (within + between),
    L = sum_j p_j L_j  +  sum_j p_j ln(Y / Y_j),

T_j and L_j being the indices within group j. Both need positive scores.

**Kernel densities**: :func:`score_density` evaluates ``scipy.stats.gaussian_kde`` of the scores of
each period on one common grid, with Scott's rule (bandwidth factor n^(-1/5), the default) or
Silverman's (n * 3 / 4)^(-1/5); the kernel's standard deviation (factor times the sample standard
deviation with ddof=1) is reported as ``bandwidth``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import (
    RawTable,
    _as_name_list,
    _labels,
    _numeric_column,
    _unknown_column,
    as_raw_table,
    format_id,
)
from ..errors import DataError, SpecError
from ..panel import period_output, period_values
from ..results import Result

__all__ = ["DagumResult", "TheilResult", "dagum_gini", "fig_dagum", "fig_density", "score_density", "theil"]

#: The column that names the value (score) column in the output tables.
VARIABLE = "variable"


# --------------------------------------------------------------------------------------------------
# Validated input: scores by period and group
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scores:
    """Validated scores: ``values[name]`` float64 per data row (input order), the group of each row as a
    code into ``groups`` (first appearance), the period code of each row into ``periods`` (ascending;
    one pseudo-period None without a period column), and the raw table for messages."""

    raw: RawTable
    ids: pd.Index
    values: dict
    group: str | None
    group_codes: np.ndarray | None
    groups: pd.Index | None
    period: str | None
    period_codes: np.ndarray
    periods: list

    @property
    def source(self) -> str:
        return self.raw.source

    def rows(self, k: int) -> np.ndarray:
        return np.flatnonzero(self.period_codes == k)

    def period_text(self, k: int) -> str:
        return "" if self.period is None else f" in period {format_id(self.periods[k])}"


def _name(value, role: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"{role}: give one column name, got {value!r}")
    return value


def load_scores(data, value, *, group=None, id=None, period=None, what: str, need_group: bool = True,
                positive: bool = False, nonnegative: bool = False, min_groups: int = 2,
                extra: dict | None = None) -> Scores:
    """Validate the scores table (see :class:`Scores`). Errors name the file, column and row: unknown
    columns, missing or non-numeric scores, a missing group, (with ``need_group``) fewer than
    ``min_groups`` groups or a group with no unit in a period, scores <= 0 with ``positive`` (or < 0
    with ``nonnegative``), a unit twice in a period. ``extra`` (role -> names) adds numeric columns
    (e.g. controls) to ``values``."""
    raw = as_raw_table(data, what="scores")
    frame = raw.frame
    names = _as_name_list(value, "value")
    if not names:
        raise SpecError("value: give the score column(s), e.g. value='efficiency'")
    group = _name(group, "group")
    period = _name(period, "period")
    id_cols = _as_name_list(id, "id")
    if need_group and group is None:
        raise SpecError("group: give the group column (e.g. group='area')")
    keys = [(c, "id") for c in id_cols] + [(period, "period"), (group, "group")]
    roles = [(n, "value") for n in names] + [(n, r) for r, ns in (extra or {}).items() for n in ns]
    for col, role in keys + roles:
        if col is not None and col not in frame.columns:
            raise _unknown_column(raw.source, col, role, list(frame.columns))
    used: dict = {}
    for col, role in keys + roles:
        if col is None:
            continue
        if col in used:
            raise DataError(f"{raw.source}: column {col!r} is used as {used[col]} and as {role}")
        used[col] = role
    if len(frame) < 2:
        raise DataError(f"{raw.source}: {len(frame)} row{'s' if len(frame) != 1 else ''}; at least 2 are needed")
    ids = _labels(raw, id_cols + ([period] if id_cols and period else []))
    if period is not None:
        pv = period_values(raw, period, id_cols)
        pf, pcode = np.unique(pv, return_inverse=True)
        periods = list(period_output(pf))
        if id_cols:                                  # a unit at most once per (numeric) period
            unit = ids.droplevel(-1) if len(id_cols) > 1 else ids.get_level_values(0)
            key = pd.Series(list(zip(unit.factorize()[0], pcode)))
            again = key.duplicated().to_numpy()
            if again.any():
                r = int(np.flatnonzero(again)[0])
                first = int(np.flatnonzero((key == key.iloc[r]).to_numpy())[0])
                raise DataError(f"{raw.source}: columns {', '.join(repr(c) for c in id_cols + [period])}: unit "
                                f"{format_id(unit[r])!r} appears twice in period {format_id(periods[pcode[r]])}, "
                                f"in {raw.where(first)} and {raw.where(r)}")
    else:
        pcode = np.zeros(len(frame), dtype=np.int64)
        periods = [None]
    values = {}
    for col, role in roles:
        v = _numeric_column(raw, col, ids, nonnegative=False)
        if role == "value":
            bad = (v <= 0) if positive else (v < 0) if nonnegative else np.zeros(v.size, bool)
            if bad.any():
                i = int(np.flatnonzero(bad)[0])
                more = f" ({int(bad.sum()) - 1} more rows like it)" if bad.sum() > 1 else ""
                need = "positive scores (logarithms)" if positive else "non-negative scores"
                raise DataError(f"{raw.source}: column {col!r}, {raw.where(i, ids[i])}: value {v[i]:g}; {what} "
                                f"needs {need}{more}")
        values[col] = v
    gcodes = groups = None
    if group is not None:
        col = frame[group]
        miss = col.isna().to_numpy() | col.map(lambda x: isinstance(x, str) and not x.strip()).to_numpy()
        if miss.any():
            i = int(np.flatnonzero(miss)[0])
            raise DataError(f"{raw.source}: column {group!r}, {raw.where(i, ids[i])}: missing group")
        gcodes, groups = pd.Index(col.to_numpy()).factorize()
        groups = pd.Index(groups, name=group)
        if need_group and len(groups) < min_groups:
            raise DataError(f"{raw.source}: column {group!r} holds {len(groups)} group "
                            f"({format_id(groups[0])!r}); {what} needs at least {min_groups} groups")
        if need_group:
            for k, p in enumerate(periods):
                present = np.zeros(len(groups), bool)
                present[gcodes[pcode == k]] = True
                if not present.all():
                    g = groups[int(np.flatnonzero(~present)[0])]
                    raise DataError(f"{raw.source}: column {group!r}: group {format_id(g)!r} has no units in "
                                    f"period {format_id(p)} (column {period!r}); {what} needs every group "
                                    "in every period")
    return Scores(raw, ids, values, group, gcodes, groups, period, pcode, periods)


def _ratio(total: float):
    """c -> c / total, or NaN when total is 0 (shares of an index that is 0: no inequality)."""
    return (lambda c: c / total) if total > 0 else (lambda c: float("nan"))


def _lead_columns(s: Scores, name: str, k: int) -> dict:
    out = {VARIABLE: name}
    if s.period is not None:
        out[s.period] = s.periods[k]
    return out


# --------------------------------------------------------------------------------------------------
# Sums of absolute differences from sorted values
# --------------------------------------------------------------------------------------------------

def abs_diff_within(x: np.ndarray) -> float:
    """sum_i sum_r |x_i - x_r| over all ordered pairs, from the gaps of the sorted values:
    2 sum_k k (n - k) (x_(k+1) - x_(k)), a sum of non-negative terms (exactly 0 for equal values)."""
    xs = np.sort(x)
    n = xs.size
    k = np.arange(1, n, dtype=float)
    return float(2.0 * np.dot(k * (n - k), np.diff(xs)))


def abs_diff_between(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """(sum_i sum_r |x_i - y_r|, sum_i sum_r (x_i - y_r)+) from the pooled sorted values: each gap
    between consecutive pooled values is crossed by (#x below)(#y above) + (#y below)(#x above) pairs,
    of which (#y below)(#x above) have x > y. O((n + m) log(n + m)), non-negative terms only."""
    n, m = x.size, y.size
    z = np.concatenate([x, y])
    order = np.argsort(z, kind="stable")
    gaps = np.diff(z[order])
    cx = np.cumsum(order < n)[:-1].astype(float)        # x values at or below each gap
    cy = np.arange(1, n + m, dtype=float) - cx
    pos = float(np.dot(gaps, cy * (n - cx)))
    return pos + float(np.dot(gaps, cx * (m - cy))), pos


# --------------------------------------------------------------------------------------------------
# Dagum Gini
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DagumResult(Result):
    """Dagum's (1997) Gini decomposition per value column and period (module docstring).

    ``to_frame()``: one row per (variable, period): n, mean, gini, within (G_w), net_between (G_nb),
    transvariation (G_t), between (G_nb + G_t) and their shares of G. ``within_groups``: per (variable,
    period, group): n, mean, pop_share p_j, score_share s_j, gini (G_jj), contribution (p_j s_j G_jj),
    share of G. ``between_groups``: per (variable, period, pair), pairs in the order of the groups' first
    appearance, the richer group (higher mean) as ``<group>_j``: means, gini_jh (G_jh), d_jh, p_jh,
    D_jh, weight (p_j s_h + p_h s_j), net_between, transvariation (contributions to G)."""

    table: pd.DataFrame
    within_groups: pd.DataFrame
    between_groups: pd.DataFrame
    value: tuple
    group: str
    period: str | None
    source: str

    @property
    def status(self) -> pd.Series:
        return pd.Series("ok", index=self.table.index, name="status")

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        t = self.table
        lines = [f"Dagum (1997) Gini decomposition by {self.group!r} ({self.source}): G = G_w + G_nb + G_t",
                 (f"{len(self.within_groups[self.group].unique())} groups, "
                  f"{len(t)} row(s) (variable x period)")]
        cols = ([self.period] if self.period else []) + ["gini", "within", "net_between", "transvariation",
                                                          "within_share", "net_between_share",
                                                          "transvariation_share"]
        for name, part in t.groupby(VARIABLE, sort=False):
            lines.append(f"\n{name}:")
            lines.append(part[cols].to_string(index=False, float_format=lambda v: f"{v:.4f}"))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<DagumResult: {len(self.table)} rows, group {self.group!r}>"


def _dagum_period(y: np.ndarray, codes: np.ndarray, k: int):
    """(overall row, per-group rows, per-pair rows) of one period's scores ``y`` in groups ``codes``."""
    n = y.size
    mean = float(y.mean())
    parts = [y[codes == j] for j in range(k)]
    nj = np.array([p.size for p in parts], dtype=float)
    mj = np.array([p.mean() for p in parts])
    pj = nj / n
    sj = nj * mj / (n * mean)
    gjj = np.array([abs_diff_within(p) / (2.0 * p.size ** 2 * m) if m > 0 else 0.0 for p, m in zip(parts, mj)])
    gini = abs_diff_within(y) / (2.0 * n * n * mean)
    contrib_w = gjj * pj * sj
    pairs = []
    for a in range(k):
        for b in range(a + 1, k):
            j, h = (a, b) if mj[a] >= mj[b] else (b, a)      # Dagum: Y_j >= Y_h
            total, pos = abs_diff_between(parts[j], parts[h])
            d = pos / (nj[j] * nj[h])
            p = (total - pos) / (nj[j] * nj[h])
            gjh = total / (nj[j] * nj[h] * (mj[j] + mj[h]))
            D = (d - p) / (d + p) if d + p > 0 else 0.0
            w = pj[j] * sj[h] + pj[h] * sj[j]
            pairs.append((j, h, gjh, d, p, D, w, gjh * w * D, gjh * w * (1.0 - D)))
    G_w = float(contrib_w.sum())
    G_nb = float(sum(r[7] for r in pairs))
    G_t = float(sum(r[8] for r in pairs))
    return (n, mean, gini, G_w, G_nb, G_t), (nj, mj, pj, sj, gjj, contrib_w), pairs


def dagum_gini(data, value, group, id=None, period=None) -> DagumResult:
    """Dagum's (1997) Gini decomposition of the scores by group, per period (see the module docstring).

    ``value``: one score column or several (a list or comma-separated string), each decomposed
    separately; ``group``: the group column (at least two groups, every group in every period);
    ``period``: optional numeric period column; ``id``: optional unit id column (checked unique per
    period, used in messages). Scores must be non-negative with a positive mean in each period.
    """
    s = load_scores(data, value, group=group, id=id, period=period, what="a Dagum Gini decomposition",
                    nonnegative=True)
    k = len(s.groups)
    rows, wrows, brows = [], [], []
    for name, v in s.values.items():
        for t in range(len(s.periods)):
            idx = s.rows(t)
            y = v[idx]
            if not y.mean() > 0:
                raise DataError(f"{s.source}: column {name!r}: every score is 0{s.period_text(t)}; the Gini "
                                "index needs a positive mean")
            (n, mean, G, G_w, G_nb, G_t), (nj, mj, pj, sj, gjj, cw), pairs = _dagum_period(y, s.group_codes[idx], k)
            lead = _lead_columns(s, name, t)
            share = _ratio(G)
            rows.append({**lead, "n": n, "mean": mean, "gini": G, "within": G_w, "net_between": G_nb,
                         "transvariation": G_t, "between": G_nb + G_t, "within_share": share(G_w),
                         "net_between_share": share(G_nb), "transvariation_share": share(G_t),
                         "between_share": share(G_nb + G_t)})
            for j in range(k):
                wrows.append({**lead, s.group: s.groups[j], "n": int(nj[j]), "mean": mj[j], "pop_share": pj[j],
                              "score_share": sj[j], "gini": gjj[j], "contribution": cw[j],
                              "share": share(cw[j])})
            for j, h, gjh, d, p, D, w, nb, tv in pairs:
                brows.append({**lead, f"{s.group}_j": s.groups[j], f"{s.group}_h": s.groups[h],
                              "n_j": int(nj[j]), "n_h": int(nj[h]), "mean_j": mj[j], "mean_h": mj[h],
                              "gini_jh": gjh, "d_jh": d, "p_jh": p, "D_jh": D, "weight": w,
                              "net_between": nb, "transvariation": tv})
    return DagumResult(pd.DataFrame(rows), pd.DataFrame(wrows), pd.DataFrame(brows), tuple(s.values), s.group,
                       s.period, s.source)


# --------------------------------------------------------------------------------------------------
# Theil
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TheilResult(Result):
    """Theil T (GE(1)) and mean log deviation L (GE(0)) with Shorrocks' (1980) within/between split.

    ``to_frame()``: per (variable, period): n, mean, theil_t, theil_t_within, theil_t_between, their
    shares of theil_t, and the same for theil_l. ``groups``: per (variable, period, group): n, mean,
    pop_share p_j, score_share s_j, theil_t (T_j), theil_l (L_j), theil_t_contribution (s_j T_j),
    theil_l_contribution (p_j L_j) and their shares of the totals."""

    table: pd.DataFrame
    groups: pd.DataFrame
    value: tuple
    group: str
    period: str | None
    source: str

    @property
    def status(self) -> pd.Series:
        return pd.Series("ok", index=self.table.index, name="status")

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        cols = ([self.period] if self.period else []) + ["theil_t", "theil_t_within", "theil_t_between",
                                                          "theil_l", "theil_l_within", "theil_l_between"]
        lines = [f"Theil T and L (Shorrocks 1980) decomposed by {self.group!r} ({self.source})"]
        for name, part in self.table.groupby(VARIABLE, sort=False):
            lines.append(f"\n{name}:")
            lines.append(part[cols].to_string(index=False, float_format=lambda v: f"{v:.5f}"))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<TheilResult: {len(self.table)} rows, group {self.group!r}>"


def theil(data, value, group, period=None, id=None) -> TheilResult:
    """Theil T and L indices of the scores with the within/between decomposition by group (Shorrocks
    1980), per period; see the module docstring. Scores must be positive. Arguments as
    :func:`dagum_gini`."""
    s = load_scores(data, value, group=group, id=id, period=period, what="a Theil index", positive=True)
    k = len(s.groups)
    rows, grows = [], []
    for name, v in s.values.items():
        for t in range(len(s.periods)):
            idx = s.rows(t)
            y, codes = v[idx], s.group_codes[idx]
            n = y.size
            mean = float(y[0] + np.mean(y - y[0]))          # shifted means: exact for equal scores
            r = y / mean
            T = float(np.mean(r * np.log(r)))
            L = float(np.mean(-np.log(r)))
            nj = np.bincount(codes, minlength=k).astype(float)
            ref = y[np.unique(codes, return_index=True)[1]]
            mj = ref + np.bincount(codes, weights=y - ref[codes], minlength=k) / nj
            pj, sj = nj / n, nj * mj / (n * mean)
            rj = y / mj[codes]
            Tj = np.bincount(codes, weights=rj * np.log(rj), minlength=k) / nj
            Lj = np.bincount(codes, weights=-np.log(rj), minlength=k) / nj
            Tw, Tb = float(np.sum(sj * Tj)), float(np.sum(sj * np.log(mj / mean)))
            Lw, Lb = float(np.sum(pj * Lj)), float(np.sum(pj * np.log(mean / mj)))
            sT, sL = _ratio(T), _ratio(L)
            lead = _lead_columns(s, name, t)
            rows.append({**lead, "n": n, "mean": mean, "theil_t": T, "theil_t_within": Tw, "theil_t_between": Tb,
                         "theil_t_within_share": sT(Tw), "theil_t_between_share": sT(Tb), "theil_l": L,
                         "theil_l_within": Lw, "theil_l_between": Lb, "theil_l_within_share": sL(Lw),
                         "theil_l_between_share": sL(Lb)})
            for j in range(k):
                grows.append({**lead, s.group: s.groups[j], "n": int(nj[j]), "mean": mj[j], "pop_share": pj[j],
                              "score_share": sj[j], "theil_t": Tj[j], "theil_l": Lj[j],
                              "theil_t_contribution": sj[j] * Tj[j], "theil_l_contribution": pj[j] * Lj[j],
                              "theil_t_contribution_share": sT(sj[j] * Tj[j]),
                              "theil_l_contribution_share": sL(pj[j] * Lj[j])})
    return TheilResult(pd.DataFrame(rows), pd.DataFrame(grows), tuple(s.values), s.group, s.period, s.source)


# --------------------------------------------------------------------------------------------------
# Kernel densities and figures
# --------------------------------------------------------------------------------------------------

BANDWIDTHS = ("scott", "silverman")


def score_density(data, value, period=None, grid: int = 200, bandwidth: str = "scott", id=None) -> pd.DataFrame:
    """Gaussian kernel density of the scores of each period (``scipy.stats.gaussian_kde``), on one grid
    of ``grid`` points common to every period, from min(score) - 3 h to max(score) + 3 h, h the largest
    kernel standard deviation; the density integrates to 1 over the real line, so with scores in
    (0, 1] part of the mass lies above 1 (no boundary correction).

    ``bandwidth``: "scott" (default; factor n^(-1/5)) or "silverman" (factor (3n/4)^(-1/5)); the kernel
    standard deviation h = factor x sd(scores, ddof=1) of the period is the ``bandwidth`` column.
    Returns a DataFrame with columns (period,) x, density, bandwidth, n; periods ascending. A period
    with fewer than two units, or all scores equal, has no density: DataError.
    """
    from scipy.stats import gaussian_kde

    if bandwidth not in BANDWIDTHS:
        raise SpecError(f"bandwidth: {bandwidth!r} is not one of {', '.join(BANDWIDTHS)}")
    if isinstance(grid, bool) or not isinstance(grid, (int, np.integer)) or grid < 2:
        raise SpecError(f"grid: give the number of grid points (an integer >= 2), got {grid!r}")
    names = _as_name_list(value, "value")
    if len(names) != 1:
        raise SpecError(f"value: give one score column for a density, got {names!r}")
    s = load_scores(data, names, id=id, period=period, what="a kernel density", need_group=False)
    v = s.values[names[0]]
    kdes = []
    for t in range(len(s.periods)):
        y = v[s.rows(t)]
        if y.size < 2 or np.all(y == y[0]):
            raise DataError(f"{s.source}: column {names[0]!r}{s.period_text(t)}: "
                            f"{'one unit' if y.size < 2 else f'every score is {y[0]:g}'}; a kernel density "
                            "needs at least two different scores")
        kde = gaussian_kde(y, bw_method=bandwidth)
        kdes.append((kde, float(np.sqrt(kde.covariance[0, 0])), y))
    h = max(b for _, b, _ in kdes)
    x = np.linspace(float(v.min()) - 3 * h, float(v.max()) + 3 * h, int(grid))
    parts = []
    for t, (kde, b, y) in enumerate(kdes):
        part = {} if s.period is None else {s.period: np.repeat(np.asarray([s.periods[t]]), x.size)}
        part.update({"x": x, "density": kde(x), "bandwidth": b, "n": y.size})
        parts.append(pd.DataFrame(part))
    out = pd.concat(parts, ignore_index=True)
    out.attrs.update(value=names[0], period=s.period, bandwidth_rule=bandwidth)
    return out


def fig_density(result: pd.DataFrame, title: str | None = None):
    """Overlaid kernel densities of :func:`score_density`, one line per period coloured along the
    viridis colormap (early periods dark, late periods light), legend by period in columns."""
    from ..plotting import pyplot
    plt = pyplot()
    period = result.attrs.get("period")
    if period is None:
        period = next((c for c in result.columns if c not in ("x", "density", "bandwidth", "n")), None)
    fig, ax = plt.subplots(figsize=(7.5, 4.5))
    groups = [(None, result)] if period is None else list(result.groupby(period, sort=True))
    cmap = plt.get_cmap("viridis")
    for i, (p, part) in enumerate(groups):
        colour = cmap(i / max(1, len(groups) - 1) * 0.9)
        ax.plot(part["x"], part["density"], color=colour, lw=1.4, label="all" if p is None else str(p))
    ax.set_xlabel(result.attrs.get("value", "score"))
    ax.set_ylabel("density")
    rule = result.attrs.get("bandwidth_rule", "scott")
    ax.set_title(title or f"Kernel density of the scores (Gaussian kernel, {rule.title()} bandwidth)")
    ax.legend(title=period, fontsize=7, ncol=max(1, int(np.ceil(len(groups) / 10))), loc="upper left")
    ax.set_ylim(bottom=0)
    fig.tight_layout()
    return fig


def fig_dagum(result: DagumResult, value: str | None = None):
    """Two panels for one value column (the first by default): the Dagum decomposition per period as
    stacked contributions (within, net between, transvariation; their sum is G), and the within-group
    Ginis G_jj over the periods, one line per group."""
    from ..plotting import pyplot
    plt = pyplot()
    name = value if value is not None else result.value[0]
    if name not in result.value:
        raise SpecError(f"value: {name!r} is not one of the decomposed columns {list(result.value)}")
    t = result.table[result.table[VARIABLE] == name]
    w = result.within_groups[result.within_groups[VARIABLE] == name]
    labels = [str(p) for p in t[result.period]] if result.period else ["all"]
    x = np.arange(len(labels))
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4.2))
    bottom = np.zeros(len(labels))
    for col, lab, colour in (("within", "within groups G_w", "tab:blue"),
                             ("net_between", "net between G_nb", "tab:orange"),
                             ("transvariation", "transvariation G_t", "tab:green")):
        vals = t[col].to_numpy(dtype=float)
        a1.bar(x, vals, bottom=bottom, label=lab, color=colour)
        bottom += vals
    a1.plot(x, t["gini"], "k.", label="Gini G")
    a1.set_xticks(x, labels, rotation=45 if len(labels) > 6 else 0)
    a1.set_xlabel(result.period or "")
    a1.set_ylabel("contribution to the Gini index")
    a1.set_title(f"Dagum decomposition of {name}")
    a1.legend(fontsize=7)
    cmap = plt.get_cmap("tab10" if w[result.group].nunique() <= 10 else "tab20")
    for i, (g, part) in enumerate(w.groupby(result.group, sort=False)):
        a2.plot(np.arange(len(part)), part["gini"], marker="o", label=str(g), color=cmap(i % cmap.N))
    a2.set_xticks(x, labels, rotation=45 if len(labels) > 6 else 0)
    a2.set_xlabel(result.period or "")
    a2.set_ylabel("within-group Gini G_jj")
    a2.set_title("Within-group Gini by group")
    a2.legend(title=result.group, fontsize=7)
    fig.tight_layout()
    return fig
