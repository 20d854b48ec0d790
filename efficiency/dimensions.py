"""Innovation efficiency in several dimensions (DESIGN section 7): ``efficiency.analyze(data, spec)``.

For every unit (and period) the analysis computes:

* U_i, the efficiency of each dimension i = 1..k in (0, 1], from the dimension's own model on its own
  columns: DEA scores as :func:`efficiency.dea` reports them (input theta, output 1/phi (Shephard),
  SBM rho of Tone 2001/2004, FDH), for the directional distance function the efficiency 1/(1 + beta)
  (beta is the DDF inefficiency; Chung, Faere and Grosskopf 1997), for SFA the Battese-Coelli (1988)
  E[exp(-u) | e] from :func:`efficiency.sfa`. With a period the DEA frontier is each period's own
  ("period", default), all periods pooled ("pooled") or all periods up to the current one
  ("sequential", Shestalova 2003). An SFA dimension uses one frontier over all rows ("pooled";
  with ``panel`` a BC92 or time-invariant panel model) unless it asks for "period". A score above 1
  by rounding only (at most ``ROUNDING_TOL``) is stored as exactly 1, as are the composite,
  coordination, group scores and gap ratios below, which must also lie in (0, 1];
* the composite T = sum_i w_i U_i, weights normalised to sum 1;
* the coupling degree C = (prod_i U_i)^(1/k) / ((1/k) sum_i U_i), the geometric over the arithmetic
  mean of the U_i. This is the capacity-coupling coefficient of the coupling coordination degree
  model as used in regional studies (Liu, Li and Song 2005, Journal of Natural Resources 20(1);
  written there as C = k [prod U_i / (sum U_i)^k]^(1/k), the same quantity), in the form that
  Wang, Kong, Ren, Zhi and Dai (2021, Journal of Natural Resources 36(3)) recommend because it spreads
  over the whole of [0, 1]: by the AM-GM inequality 0 <= C <= 1, C = 1 exactly when all U_i are equal,
  C = 0 when any U_i is 0. C is clipped to [0, 1] against rounding; when every U_i is 0 the ratio is
  0/0 and C is defined as 0 (there is no system to couple; D is then 0 as well);
* the coordination degree D = sqrt(C T) and its band (:data:`BANDS`, the ten-band scale);
* the bottleneck dimension(s): those with U_i below the threshold (default 0.6), in the spec's order of
  dimensions, joined by "," (so equal sets read the same and count together); empty when none. The
  regime is "new-quality" when every dimension reaches the threshold, "traditional" otherwise (a
  dimension below the critical value pulls the system back).

With a period: the Malmquist index of each DEA dimension (:func:`efficiency.malmquist` on the
dimension's columns: radial distances with the FGNZ decomposition, the Malmquist-Luenberger index
when the dimension has bad outputs; kind after the frontier unless set: period -> adjacent,
sequential -> sequential, pooled -> global), and the change in D between consecutive periods.
With a group: the DEA score of each dimension against the frontier of the unit's own group (group
frontier) and against all units (meta-frontier, the dimension's score), and the technology gap ratio
TGR = meta / group in (0, 1] (O'Donnell, Rao and Battese 2008). SFA dimensions get no Malmquist index
and no group frontier.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .data import RawTable, _labels, _numeric_column, as_raw_table
from .errors import DataError, SpecError
from .spec import BANDS, REGRESSION_MODELS, AnalysisSpec, DimensionSpec, load_spec

__all__ = ["analyze", "Analysis", "coupling", "composite", "coordination", "band", "bottleneck", "regime",
           "clip_unit", "BANDS", "entropy_weights", "obstacle_degree", "main_obstacle"]

NEW_QUALITY = "new-quality"
TRADITIONAL = "traditional"
#: Classification tolerance of "U_i reaches the threshold" (never applied to stored values).
THRESHOLD_TOL = 1e-9
#: Relative excess over 1 that is rounding, not a result: a score that must lie in (0, 1] and exceeds 1
#: by at most this much (1.0000000000000002 from an LP or a weighted sum) is stored as exactly 1.
ROUNDING_TOL = 1e-9


# --------------------------------------------------------------------------------------------------
# Composite, coupling, coordination, bottleneck (arrays: rows units, columns dimensions)
# --------------------------------------------------------------------------------------------------

def clip_unit(values) -> np.ndarray:
    """``values`` with those in (1, 1 + ROUNDING_TOL] set to exactly 1: rounding of a score that must lie
    in (0, 1]. Values further above 1 (super-efficiency, another reference set) and NaN are kept."""
    a = np.array(values, dtype=float)
    a[(a > 1.0) & (a <= 1.0 + ROUNDING_TOL)] = 1.0
    return a


def _matrix(U) -> np.ndarray:
    U = np.asarray(U, dtype=float)
    return U[None, :] if U.ndim == 1 else U


def composite(U, weights=None) -> np.ndarray:
    """T = sum_i w_i U_i per row, with the weights normalised to sum 1 (default equal); a T above 1 by
    rounding only is 1 (:func:`clip_unit`)."""
    U = _matrix(U)
    w = np.ones(U.shape[1]) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (U.shape[1],) or np.any(w < 0) or not w.sum() > 0:
        raise SpecError("weights: one non-negative weight per dimension, summing to a positive number")
    return clip_unit(U @ (w / w.sum()))


def entropy_weights(U, normalisation: str = "min-max") -> np.ndarray:
    """Weights of the k dimensions by the entropy weight method (Shannon entropy of each column;
    Zeleny 1982; Hwang and Yoon 1981, section 2.2): with the n rows of scores x_ij (rows with a NaN
    left out), the column shares p_ij = z_ij / sum_i z_ij of z = the min-max normalised scores
    (x_ij - min_i x_ij) / (max_i x_ij - min_i x_ij) ("min-max", the usual form in regional studies) or
    of the scores themselves ("sum", the classic form and that of pymcdm's ``entropy_weights``), the
    entropy e_j = -(1 / ln n) sum_i p_ij ln p_ij with 0 ln 0 = 0 (the limit; no shift of the data), the
    divergence d_j = 1 - e_j, and w_j = d_j / sum_j d_j. A column without variation (or of zeros)
    carries no information: d_j = 0. When no column varies, the weights are undefined: DataError."""
    U = _matrix(U)
    if normalisation not in ("min-max", "sum"):
        raise SpecError(f"entropy normalisation: expected 'min-max' or 'sum', got {normalisation!r}")
    U = U[~np.isnan(U).any(axis=1)]
    n = U.shape[0]
    if n < 2:
        raise DataError(f"entropy weights: {n} complete rows of scores; at least 2 are needed")
    if normalisation == "min-max":
        lo, span = U.min(axis=0), np.ptp(U, axis=0)
        Z = np.where(span > 0, (U - lo) / np.where(span > 0, span, 1.0), 0.0)
    else:
        if np.any(U < 0):
            raise DataError("entropy weights ('sum'): the scores must be non-negative")
        Z = U
    tot = Z.sum(axis=0)
    P = Z / np.where(tot > 0, tot, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(P > 0, P * np.log(P), 0.0)
    e = np.where(tot > 0, -plogp.sum(axis=0) / np.log(n), 1.0)
    if normalisation == "sum":
        e = np.where(np.ptp(U, axis=0) > 0, e, 1.0)      # constant column: exactly no information
    d = np.clip(1.0 - e, 0.0, None)
    if not d.sum() > 0:
        raise DataError("entropy weights: no dimension's scores vary across the rows, so the entropy weight "
                        "method gives no weights; give fixed weights ([composite] weights = {...})")
    return d / d.sum()


def obstacle_degree(U, weights) -> np.ndarray:
    """Obstacle degree of each dimension per row (the obstacle degree model of regional studies): the
    weighted shortfall w_j (1 - U_ij) as a share of the row's total sum_j w_j (1 - U_ij), so the k
    degrees sum to 1 (a shortfall up to THRESHOLD_TOL = 1e-9 is rounding and counts as 0); a row at the frontier in every dimension (no shortfall) has 0 throughout, and a
    row with a NaN score NaN throughout."""
    U = _matrix(U)
    w = np.asarray(weights, dtype=float)
    gap = 1.0 - U
    short = w[None, :] * np.where(gap > THRESHOLD_TOL, gap, 0.0)     # 1 - 1e-15 is at the frontier
    tot = short.sum(axis=1, keepdims=True)
    out = np.where(tot > 0, short / np.where(tot > 0, tot, 1.0), 0.0)
    out[np.isnan(U).any(axis=1)] = np.nan
    return out


def main_obstacle(O, names) -> np.ndarray:
    """Per row the dimension with the largest obstacle degree ("" when there is no shortfall, None for NaN)."""
    O = _matrix(O)
    out = np.full(O.shape[0], "", dtype=object)
    bad = np.isnan(O).any(axis=1)
    pos = ~bad & (O.max(axis=1, initial=0.0) > 0)
    out[pos] = np.asarray(names, dtype=object)[np.argmax(O[pos], axis=1)]
    out[bad] = None
    return out


def coupling(U) -> np.ndarray:
    """Coupling degree C = (prod U_i)^(1/k) / ((1/k) sum U_i) per row (geometric over arithmetic
    mean), in [0, 1] (AM-GM; clipped against rounding): exactly 1 when all U_i are equal, 0 when one
    is 0, 0 by definition when all are 0 (0/0: no system to couple); NaN when a U_i is NaN. Scores
    must be non-negative."""
    U = _matrix(U)
    if np.any(U < 0):
        raise DataError("coupling: dimension scores must be non-negative")
    k = U.shape[1]
    with np.errstate(divide="ignore", invalid="ignore"):
        gm = np.exp(np.log(U).mean(axis=1))          # log 0 = -inf -> gm = 0
        am = U.mean(axis=1)
        c = np.where(am > 0, gm / np.where(am > 0, am, 1.0), 0.0)
    c = np.clip(c, 0.0, 1.0)
    if k:
        c[(U.max(axis=1) == U.min(axis=1)) & (am > 0)] = 1.0   # equal scores: exactly 1, not 1 - 1e-16
    c[np.isnan(U).any(axis=1)] = np.nan
    return c if k else np.full(U.shape[0], np.nan)


def coordination(C, T) -> np.ndarray:
    """Coupling coordination degree D = sqrt(C T); a D above 1 by rounding only is 1 (:func:`clip_unit`)."""
    return clip_unit(np.sqrt(np.clip(np.asarray(C, dtype=float) * np.asarray(T, dtype=float), 0.0, None)))


def band(D) -> np.ndarray:
    """Name of the coordination band of each D (:data:`BANDS`); None for NaN."""
    D = np.atleast_1d(np.asarray(D, dtype=float))
    lows = np.array([b[0] for b in BANDS])
    idx = np.clip(np.searchsorted(lows, D + 1e-12, side="right") - 1, 0, len(BANDS) - 1)
    out = np.array([BANDS[i][1] for i in idx], dtype=object)
    out[np.isnan(D)] = None
    return out


def bottleneck(U, names, threshold: float, stages: dict | None = None) -> np.ndarray:
    """Per row, the dimensions with U_i below ``threshold`` in the order of ``names`` (the spec's), joined
    by ","; "" when every dimension reaches it; None when a score is NaN. The order never depends on the
    scores, so the same set of bottlenecks is always the same text (``value_counts`` counts it once).
    ``stages``: dimension name -> per row the name of its weakest stage (network dimensions); such a
    dimension is named "dimension:stage" (e.g. "technology:transform")."""
    U = _matrix(U)
    stages = stages or {}
    out = np.empty(U.shape[0], dtype=object)
    for r, row in enumerate(U):
        if np.isnan(row).any():
            out[r] = None
            continue
        out[r] = ",".join(name + (f":{stages[name][r]}" if name in stages and stages[name][r] else "")
                          for name, u in zip(names, row) if u < threshold - THRESHOLD_TOL)
    return out


def _weakest_stage(sp: AnalysisSpec, stages: dict) -> dict:
    """Network dimension name -> per row the name of its stage with the lowest efficiency (None if all NaN)."""
    out = {}
    for d in sp.dimensions:
        if d.name not in stages:
            continue
        values = stages[d.name]
        labels = np.full(len(values), None, dtype=object)
        ok = np.isfinite(values).any(axis=1)
        if ok.any():
            k = np.argmin(np.where(np.isfinite(values[ok]), values[ok], np.inf), axis=1)
            labels[ok] = np.asarray([st for st, _, _ in d.stages], dtype=object)[k]
        out[d.name] = labels
    return out


def regime(U, threshold: float) -> np.ndarray:
    """'new-quality' when every dimension reaches the threshold, else 'traditional' (None for NaN)."""
    U = _matrix(U)
    out = np.where((U >= threshold - THRESHOLD_TOL).all(axis=1), NEW_QUALITY, TRADITIONAL).astype(object)
    out[np.isnan(U).any(axis=1)] = None
    return out


# --------------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class Analysis:
    """Result of :func:`analyze`. Tables have plain columns and keep the input's ids and row order:

    * ``scores``: id (, period) (, group), score_<dimension> for each, composite, coupling,
      coordination, band, bottleneck, regime;
    * ``summary``: per period (or 'all'): units, mean of each score, composite, coupling and
      coordination, the share of units in the new-quality regime and the most frequent bottleneck;
    * ``dimensions``: the spec, one row per dimension (model, frontier, columns, weight);
    * ``malmquist`` (with a period): dimension, id, period_from, period_to, malmquist, effch,
      techch (+ pech, sech), status;
    * ``productivity`` (with a period, for dimensions with ``dynamics = "hicks-moorsteen"``,
      ``"fare-primont"`` or ``"lowe"``): dimension, index, id, period_from, period_to, tfp_change,
      mp_change, tfpe_change, then the technical, scale and mix efficiency changes of
      :func:`efficiency.productivity`;
    * ``dynamics`` (with a period): id, period_from, period_to, coordination_from, coordination_to,
      coordination_change (D_to - D_from), then malmquist_<dimension> for each dimension with a
      Malmquist index and tfp_change_<dimension> for each with a TFP index;
    * ``groups`` (with a group): id (, period), group, then group_<d>, meta_<d>, tgr_<d> per DEA
      dimension; ``group_summary``: group, dimension, mean group and meta scores, mean TGR.

    Tables not computed are None.
    """

    spec: AnalysisSpec
    scores: pd.DataFrame
    summary_table: pd.DataFrame
    dimensions: pd.DataFrame
    malmquist: pd.DataFrame | None
    dynamics: pd.DataFrame | None
    groups: pd.DataFrame | None
    group_summary: pd.DataFrame | None
    source: str
    cross_efficiency: pd.DataFrame | None = None
    productivity: pd.DataFrame | None = None
    #: the composite's weights as used, normalised, in the order of the dimensions (the spec's fixed
    #: weights, or the entropy weights computed from the scores)
    weights: tuple[float, ...] = ()
    #: with a period: the regional study on the scores (:mod:`efficiency.regional.study`)
    regional: object | None = None

    @property
    def key_columns(self) -> list[str]:
        return [self.spec.id] + ([self.spec.period] if self.spec.period else [])

    def to_frame(self) -> pd.DataFrame:
        """The scores table indexed by id (and period), as the CLI writes it."""
        return self.scores.set_index(self.key_columns)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The named tables that were computed: scores, summary, dimensions, malmquist, dynamics,
        groups, group_summary (plain columns)."""
        named = {"scores": self.scores, "summary": self.summary_table, "dimensions": self.dimensions,
                 "malmquist": self.malmquist, "dynamics": self.dynamics, "groups": self.groups,
                 "group_summary": self.group_summary, "cross_efficiency": self.cross_efficiency,
                 "productivity": self.productivity}
        if self.regional is not None:
            named.update(self.regional.tables())
        return {k: v for k, v in named.items() if v is not None}

    def report(self, directory) -> Path:
        """Write the HTML report, its PNG figures and the xlsx workbook into ``directory``; returns
        the path of ``index.html``."""
        from .report import write_report

        return write_report(self, directory)

    def summary(self) -> str:
        """Short text: spec, rows, mean scores and the regime and band counts."""
        s = self.scores
        lines = [f"Innovation efficiency in {len(self.spec.dimensions)} dimensions ({self.source}): "
                 f"{len(s)} rows"]
        for d in self.spec.dimensions:
            lines.append(f"  {d.name:<16} {d.model:<6} {self.spec.frontier_of(d):<10} "
                         f"mean score {s['score_' + d.name].mean():.4f}")
        lines.append(f"  composite {s['composite'].mean():.4f}, coupling {s['coupling'].mean():.4f}, "
                     f"coordination {s['coordination'].mean():.4f}")
        counts = s["regime"].value_counts()
        lines.append("  regime: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        if self.regional is not None:
            lines.append("  regional study: " + ", ".join(k for k in self.regional.tables()))
            lines += [f"  regional study, {n}" for n in self.regional.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<Analysis {', '.join(self.spec.names)}: {len(self.scores)} rows, tables "
                f"{', '.join(self.tables())}>")


# --------------------------------------------------------------------------------------------------
# Data preparation
# --------------------------------------------------------------------------------------------------

def _prepare(raw: RawTable, spec: AnalysisSpec) -> tuple[pd.DataFrame, np.ndarray | None]:
    """A clean table: the id (, period) (, group) columns as given, then every dimension column as
    float64 (DataError naming file, column and row for a bad cell); and the numeric periods."""
    frame = raw.frame
    keys = [spec.id] + ([spec.period] if spec.period else [])
    ids = _labels(raw, keys)            # missing ids, duplicate (id, period)
    work = {}
    if len(keys) == 1:
        work[spec.id] = ids.to_numpy()
    else:
        for level, name in enumerate(keys):
            work[name] = ids.get_level_values(level).to_numpy()
    periods = None
    if spec.period:
        from .panel import period_output as _period_output, period_values as _period_values

        periods = _period_values(raw, spec.period, [spec.id])
        work[spec.period] = _period_output(periods)
    if spec.group:
        g = frame[spec.group]
        miss = g.isna().to_numpy() | g.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy()
        if miss.any():
            i = int(np.flatnonzero(miss)[0])
            raise DataError(f"{raw.source}: column {spec.group!r}, {raw.where(i, ids[i])}: missing group")
        work[spec.group] = g.map(lambda v: v.strip() if isinstance(v, str) else v).to_numpy()
    for c in spec.columns:
        work[c] = _numeric_column(raw, c, ids, nonnegative=True)
    return pd.DataFrame(work), periods


# --------------------------------------------------------------------------------------------------
# Scoring one dimension
# --------------------------------------------------------------------------------------------------

def _network_block(dim: DimensionSpec, frame: pd.DataFrame, keys: list[str], solver) -> tuple[np.ndarray, np.ndarray]:
    """Overall and stage efficiencies (n, stages) of a network dimension's rows (ef.network)."""
    from .network import network

    if len(frame) == 1:                 # a unit alone spans its own frontier
        return np.ones(1), np.ones((1, len(dim.stages)))
    kw = {"priority": dim.priority} if dim.priority else {}
    if dim.leader:
        kw["leader"] = dim.leader
    r = network(frame, id=keys, model=dim.network, rts=dim.rts, orientation=dim.orientation,
                inputs={st: list(i) for st, i, _ in dim.stages if i},
                outputs={st: list(o) for st, _, o in dim.stages if o},
                intermediates=[(a, b, list(c), kind) for a, b, c, kind in dim.links],
                divisions=[st for st, _, _ in dim.stages], solver=solver, **kw)
    f = r.to_frame()
    stages = np.column_stack([f[f"{st}_efficiency"].to_numpy(dtype=float) for st, _, _ in dim.stages])
    return f["efficiency"].to_numpy(dtype=float), stages


def _dea_block(dim: DimensionSpec, work: pd.DataFrame, keys: list[str], rows: np.ndarray,
               ref_rows: np.ndarray | None, solver, stages_out: np.ndarray | None = None) -> np.ndarray:
    """Efficiency in (0, 1] of ``rows`` against the frontier of ``ref_rows`` (None: of ``rows``); for a
    network dimension the overall efficiency, its stage efficiencies written into ``stages_out``."""
    from .dea.api import dea

    if rows.size == 0:
        return np.zeros(0)
    if dim.model == "network":
        overall, stages = _network_block(dim, work.iloc[rows], keys, solver)
        if stages_out is not None:
            stages_out[rows] = stages
        return overall
    if ref_rows is None and rows.size == 1:
        return np.ones(1)               # a unit alone spans its own frontier
    frame = work.iloc[rows]
    ref = None if ref_rows is None or np.array_equal(ref_rows, rows) else work.iloc[ref_rows]
    r = dea(frame, id=keys, inputs=list(dim.inputs), outputs=list(dim.outputs),
            undesirable=list(dim.undesirable) or None, model=dim.model, rts=dim.rts,
            orientation=dim.orientation, direction=dim.direction, reference=ref, solver=solver,
            **({"rts_bounds": dim.rts_bounds} if dim.rts_bounds is not None else {}))
    return r.scores.to_numpy(dtype=float)        # the efficiency in (0, 1] of every model (DDF: 1/(1+beta))


def _frontier_runs(frontier: str, periods: np.ndarray | None, subset: np.ndarray):
    """(rows to score, reference rows or None) per frontier run, over the row indices ``subset``."""
    if periods is None or frontier == "pooled":
        yield subset, None
        return
    p = periods[subset]
    for t in np.unique(p):
        rows = subset[p == t]
        yield rows, (None if frontier == "period" else subset[p <= t])


class _Prefixed:
    """Re-issue the warnings raised inside (SolveWarning of unsolved LPs...) prefixed with the
    dimension they concern."""

    def __init__(self, what: str, ignore: str | None = None):
        self.what, self.ignore = what, ignore

    def __enter__(self):
        self._cm = warnings.catch_warnings(record=True)
        self._log = self._cm.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self._cm.__exit__(*exc)
        seen = set()
        for w in self._log:
            text = f"{self.what}: {w.message}"
            if self.ignore and self.ignore in str(w.message):
                continue
            if text not in seen:
                seen.add(text)
                warnings.warn(text, w.category, stacklevel=3)
        return False


def _dea_scores(dim, work, keys, periods, frontier, solver, subset=None, what=None,
                stages_out: np.ndarray | None = None) -> np.ndarray:
    n = len(work)
    subset = np.arange(n) if subset is None else subset
    out = np.full(n, np.nan)
    with _Prefixed(what or f"dimension {dim.name!r}"):
        for rows, ref in _frontier_runs(frontier, periods, subset):
            out[rows] = _dea_block(dim, work, keys, rows, ref, solver, stages_out)
    return out


def _sfa_scores(dim: DimensionSpec, spec: AnalysisSpec, work: pd.DataFrame, periods, frontier) -> np.ndarray:
    from .sfa.api import sfa

    out = np.full(len(work), np.nan)
    for rows, _ in _frontier_runs(frontier, periods, np.arange(len(work))):
        frame = work.iloc[rows].reset_index(drop=True)
        kw = {}
        if dim.panel is not None:
            kw = {"id": spec.id, "period": spec.period, "panel": dim.panel}
        if dim.uhet is not None:
            kw["uhet"] = list(dim.uhet)
        if dim.vhet is not None:
            kw["vhet"] = list(dim.vhet)
        if dim.latent_classes is not None:
            kw["latent_classes"] = dim.latent_classes
        if dim.z:
            kw["z"] = list(dim.z)
        res = sfa(frame, output=dim.outputs[0], inputs=list(dim.inputs), form=dim.form, dist=dim.dist,
                  cost=dim.cost, **kw)
        eff = np.asarray(getattr(res, "efficiency"), dtype=float).reshape(-1)
        if eff.size != rows.size:
            raise SpecError(f"dimensions.{dim.name}: efficiency.sfa returned {eff.size} efficiencies for "
                            f"{rows.size} rows")
        out[rows] = eff
    return out


def _stoned_scores(dim: DimensionSpec, work: pd.DataFrame, periods, frontier) -> np.ndarray:
    """StoNED efficiencies (:func:`efficiency.stoned`) of a one-output dimension, per frontier run."""
    from .stoned import stoned

    out = np.full(len(work), np.nan)
    mult = dim.objective != "additive"
    for rows, _ in _frontier_runs(frontier, periods, np.arange(len(work))):
        frame = work.iloc[rows].reset_index(drop=True)
        res = stoned(frame, output=dim.outputs[0], inputs=list(dim.inputs), rts=dim.rts, cost=dim.cost,
                     multiplicative=mult, objective=dim.objective if mult else None, method=dim.method)
        out[rows] = res.to_frame()["efficiency"].to_numpy(dtype=float)
    return out


# --------------------------------------------------------------------------------------------------
# analyze
# --------------------------------------------------------------------------------------------------

def analyze(data, spec, *, solver=None) -> Analysis:
    """Score units on every dimension of ``spec`` and compute composite, coupling, coordination,
    bottlenecks, dynamics and group gaps (module docstring; DESIGN section 7).

    ``data``: a DataFrame or CSV path. ``spec``: a TOML file path, TOML text, a dict of the same shape
    or an :class:`~efficiency.spec.AnalysisSpec`. ``solver``: the LP backend, as for
    :func:`efficiency.dea`. Returns an :class:`Analysis`.
    """
    sp = load_spec(spec)
    raw = as_raw_table(data, what="data")
    sp.check_columns(list(raw.frame.columns), data_source=raw.source)
    if len(raw.frame) < 2:
        raise DataError(f"{raw.source}: {len(raw.frame)} rows; at least 2 are needed")
    work, periods = _prepare(raw, sp)
    keys = [sp.id] + ([sp.period] if sp.period else [])
    names = list(sp.names)

    stages = {d.name: np.full((len(work), len(d.stages)), np.nan) for d in sp.dimensions if d.model == "network"}
    U = clip_unit(np.column_stack([          # every unit is in its own reference set: U_i in (0, 1]
        _sfa_scores(d, sp, work, periods, sp.frontier_of(d)) if d.model == "sfa"
        else _stoned_scores(d, work, periods, sp.frontier_of(d)) if d.model == "stoned"
        else _dea_scores(d, work, keys, periods, sp.frontier_of(d), solver, stages_out=stages.get(d.name))
        for d in sp.dimensions]))
    if sp.weighting == "entropy":
        weights = tuple(float(w) for w in entropy_weights(U, sp.entropy_normalisation))
    else:
        weights = sp.weights
    T = composite(U, weights)
    O = obstacle_degree(U, weights)
    C = coupling(U)
    D = coordination(C, T)
    lead = {k: work[k].to_numpy() for k in keys}
    if sp.group:
        lead[sp.group] = work[sp.group].to_numpy()
    stage_cols = {f"score_{d.name}:{st}": clip_unit(stages[d.name][:, k])
                  for d in sp.dimensions if d.name in stages for k, (st, _, _) in enumerate(d.stages)}
    scores = pd.DataFrame({**lead, **{f"score_{nm}": U[:, j] for j, nm in enumerate(names)}, **stage_cols,
                           "composite": T, "coupling": C, "coordination": D, "band": band(D),
                           "bottleneck": bottleneck(U, names, sp.threshold, _weakest_stage(sp, stages)),
                           "regime": regime(U, sp.threshold),
                           **{f"obstacle_{nm}": O[:, j] for j, nm in enumerate(names)},
                           "main_obstacle": main_obstacle(O, names)})

    dims = pd.DataFrame({
        "dimension": names, "label": [d.title for d in sp.dimensions], "model": [d.model for d in sp.dimensions],
        "rts": [None if d.model in ("fdh", "sfa") else d.rts for d in sp.dimensions],
        "orientation": [d.orientation if d.model not in ("ddf", *REGRESSION_MODELS) else None for d in sp.dimensions],
        "frontier": [sp.frontier_of(d) if sp.period else "cross-section" for d in sp.dimensions],
        "inputs": [", ".join(d.inputs) for d in sp.dimensions],
        "outputs": [", ".join(d.outputs) for d in sp.dimensions],
        "undesirable": [", ".join(d.undesirable) for d in sp.dimensions],
        "weight": list(weights), "weighting": sp.weighting, "threshold": sp.threshold})

    mq = dyn = tfp = None
    if sp.period:
        mq, tfp, dyn = _dynamics(sp, work, scores, periods, solver)
    grp = gsum = None
    if sp.group:
        grp, gsum = _groups(sp, work, keys, periods, U, solver)
    ce = _cross_efficiency(sp, work, keys, periods, solver)
    from .regional.study import regional_study

    reg = regional_study(sp, scores, raw)
    return Analysis(sp, scores, _summary(sp, scores), dims, mq, dyn, grp, gsum, raw.source, ce, tfp, weights, reg)


def _cross_efficiency(sp: AnalysisSpec, work: pd.DataFrame, keys: list[str], periods, solver) -> pd.DataFrame | None:
    """Cross-efficiency ranks of the radial dimensions that ask for them (``cross_efficiency``): among
    the units of each period (frontier 'period' or 'sequential'), or of all rows ('pooled'), with
    the dimension's rts and orientation (Sexton et al. 1986; Doyle and Green 1994 for the aggressive
    and benevolent methods): dimension, id (, period), efficiency, cross_efficiency,
    cross_efficiency_peer, maverick, rank."""
    from .cross_efficiency import cross_efficiency

    frames = []
    for d in sp.dimensions:
        if d.cross_efficiency is None:
            continue
        runs = [np.arange(len(work))] if periods is None or sp.frontier_of(d) == "pooled" else \
            [np.flatnonzero(periods == p) for p in np.unique(periods)]
        for rows in runs:
            if rows.size < 2:
                continue
            with _Prefixed(f"dimension {d.name!r}, cross-efficiency"):
                r = cross_efficiency(work.iloc[rows], id=keys, inputs=list(d.inputs), outputs=list(d.outputs),
                                     rts=d.rts, orientation=d.orientation,
                                     method=d.cross_efficiency, solver=solver)
            f = r.to_frame().reset_index()
            f.insert(0, "dimension", d.name)
            f.insert(1, "method", d.cross_efficiency)
            frames.append(f)
    return pd.concat(frames, ignore_index=True) if frames else None


def _summary(sp: AnalysisSpec, scores: pd.DataFrame) -> pd.DataFrame:
    cols = [f"score_{n}" for n in sp.names] + ["composite", "coupling", "coordination"]
    parts = [(p, scores[scores[sp.period] == p]) for p in sorted(scores[sp.period].unique())] \
        if sp.period else []
    parts.append(("all", scores))
    rows = []
    for label, s in parts:
        row = {"period": label, "units": len(s)}
        row.update({c: s[c].mean() for c in cols})
        row["new_quality_share"] = float((s["regime"] == NEW_QUALITY).mean())
        b = s["bottleneck"].dropna()
        flat = pd.Series([x for v in b for x in v.split(",") if x])
        row["main_bottleneck"] = flat.value_counts().index[0] if len(flat) else ""
        row.update({f"obstacle_{n}": s[f"obstacle_{n}"].mean() for n in sp.names})
        rows.append(row)
    out = pd.DataFrame(rows)
    if not sp.period:
        out = out.drop(columns="period")
    else:
        out["period"] = out["period"].astype(object)
    return out


def _dynamics(sp: AnalysisSpec, work, scores, periods, solver):
    from .malmquist import malmquist

    frames = []
    for d in sp.dimensions:
        kind = sp.malmquist_kind(d)
        if kind is None:
            continue
        cols = list(d.inputs) + list(d.outputs) + list(d.undesirable)
        # the VRS cross-period distances (v_* columns) are not reported here: no warning about them
        with _Prefixed(f"dimension {d.name!r}, Malmquist kind {kind!r} (spec key dimensions.{d.name}.malmquist)",
                       ignore="VRS cross-period distances"):
            r = malmquist(work[[sp.id, sp.period] + cols], id=sp.id, period=sp.period, inputs=list(d.inputs),
                          outputs=list(d.outputs), undesirable=list(d.undesirable) or None, kind=kind,
                          rts="crs" if d.model == "fdh" else ("vrs" if d.rts == "grs" else d.rts),
                          orientation=d.orientation if d.orientation in ("input", "output") else "input",
                          solver=solver)
        f = r.to_frame()
        keep = [sp.id, "period_from", "period_to", "malmquist", "effch", "techch"] + \
            [c for c in ("pech", "sech") if c in f.columns] + ["status"]
        f = f[keep]
        f.insert(0, "dimension", d.name)
        f.insert(1, "kind", kind)
        frames.append(f)
    mq = pd.concat(frames, ignore_index=True) if frames else None
    tfp = _productivity(sp, work, solver)

    # change in D between consecutive periods, per unit, in the order of first appearance
    P = np.unique(periods)
    unit = scores[sp.id].to_numpy()
    units = pd.unique(unit)
    D = {(u, p): d for u, p, d in zip(unit, periods, scores["coordination"].to_numpy())}
    pout = scores[sp.period].to_numpy()
    plabel = {float(a): b for a, b in zip(periods, pout)}
    rows = []
    for u in units:
        for a, b in zip(P[:-1], P[1:]):
            da, db = D.get((u, a), np.nan), D.get((u, b), np.nan)
            rows.append({sp.id: u, "period_from": plabel[a], "period_to": plabel[b],
                         "coordination_from": da, "coordination_to": db, "coordination_change": db - da})
    dyn = pd.DataFrame(rows)
    if mq is not None:
        for name, f in mq.groupby("dimension", sort=False):
            m = f.set_index([sp.id, "period_from", "period_to"])["malmquist"]
            idx = pd.MultiIndex.from_frame(dyn[[sp.id, "period_from", "period_to"]])
            dyn[f"malmquist_{name}"] = m.reindex(idx).to_numpy()
    if tfp is not None:
        for name, f in tfp.groupby("dimension", sort=False):
            m = f.set_index([sp.id, "period_from", "period_to"])["tfp_change"]
            idx = pd.MultiIndex.from_frame(dyn[[sp.id, "period_from", "period_to"]])
            dyn[f"tfp_change_{name}"] = m.reindex(idx).to_numpy()
    return mq, tfp, dyn


def _productivity(sp: AnalysisSpec, work, solver) -> pd.DataFrame | None:
    """The TFP index (O'Donnell 2012) of each dimension with ``dynamics`` other than 'malmquist', on
    the dimension's columns: rts 'crs' when the dimension is CRS, else 'vrs'; the dimension's
    orientation when it is 'input' or 'output', else 'output' (the package's default). Each row is the
    change from the unit's previous period to ``period_to``."""
    from .productivity import productivity

    frames = []
    for d in sp.dimensions:
        index = sp.productivity_index(d)
        if index is None:
            continue
        cols = list(dict.fromkeys(d.inputs + d.outputs + d.input_prices + d.output_prices))
        with _Prefixed(f"dimension {d.name!r}, dynamics {index!r} (spec key dimensions.{d.name}.dynamics)"):
            r = productivity(work[[sp.id, sp.period] + cols], id=sp.id, period=sp.period, inputs=list(d.inputs),
                             outputs=list(d.outputs), index=index, rts="crs" if d.rts == "crs" else "vrs",
                             orientation=d.orientation if d.orientation in ("input", "output") else "output",
                             input_prices=list(d.input_prices) or None,
                             output_prices=list(d.output_prices) or None, solver=solver)
        f = _with_period_from(r.to_frame().reset_index(drop=True), sp, chained=index != "hicks-moorsteen")
        f.insert(0, "dimension", d.name)
        f.insert(1, "index", index)
        frames.append(f)
    return pd.concat(frames, ignore_index=True) if frames else None


def _with_period_from(f: pd.DataFrame, sp: AnalysisSpec, chained: bool) -> pd.DataFrame:
    """A per-(unit, period) change table with ``period_from`` (the unit's previous period) and
    ``period_to`` in place of the period column; the unit's first period (no change) is dropped.
    ``chained``: the changes are over the unit's first period (Faere-Primont and Lowe, as R
    productivity reports them; transitive indices), turned here into changes over the previous period
    (the ratio of consecutive rows)."""
    f = f.sort_values([sp.id, sp.period], kind="stable", key=lambda c: c if c.name == sp.period else
                      c.map({u: i for i, u in enumerate(pd.unique(f[sp.id]))}))
    by = f.groupby(sp.id, sort=False)
    prev = by[sp.period].shift(1)
    if chained:
        change = [c for c in f.columns if c.endswith("_change")]
        f = f.copy()
        f[change] = f[change].to_numpy() / by[change].shift(1).to_numpy()
    keep = prev.notna().to_numpy()
    out = f.loc[keep].copy()
    out.insert(1, "period_from", prev[keep].to_numpy())
    out = out.rename(columns={sp.period: "period_to"})
    first = [sp.id, "period_from", "period_to"]
    cols = first + [c for c in out.columns if c not in first]
    return out[cols].reset_index(drop=True)


def _groups(sp: AnalysisSpec, work, keys, periods, U, solver):
    g = work[sp.group].to_numpy()
    groups = pd.unique(g)
    out = {k: work[k].to_numpy() for k in keys}
    out[sp.group] = g
    summary = []
    for j, d in enumerate(sp.dimensions):
        if d.model in REGRESSION_MODELS:
            continue
        frontier = sp.frontier_of(d)
        gs = np.full(len(work), np.nan)
        for grp in groups:
            subset = np.flatnonzero(g == grp)
            part = _dea_scores(d, work, keys, periods, frontier, solver, subset=subset,
                               what=f"dimension {d.name!r}, group {grp!r}")
            gs[subset] = part[subset]
        gs = clip_unit(gs)
        meta = U[:, j]
        with np.errstate(divide="ignore", invalid="ignore"):
            tgr = clip_unit(meta / gs)                 # meta <= group: TGR in (0, 1]
        out[f"group_{d.name}"] = gs
        out[f"meta_{d.name}"] = meta
        out[f"tgr_{d.name}"] = tgr
        for grp in groups:
            m = g == grp
            summary.append({"group": grp, "dimension": d.name, "rows": int(m.sum()),
                            "group_score": float(np.nanmean(gs[m])), "meta_score": float(np.nanmean(meta[m])),
                            "tgr": float(np.nanmean(tgr[m]))})
    if len(out) == len(keys) + 1:
        return None, None
    return pd.DataFrame(out), pd.DataFrame(summary)


def check(data, spec) -> str:
    """Validate ``spec`` and ``data`` together without solving anything: the spec's keys, models and
    weights, its columns against the data, the id/period/group columns and every cell a dimension uses.
    Returns a one-paragraph description; raises SpecError or DataError."""
    sp = load_spec(spec)
    raw = as_raw_table(data, what="data")
    sp.check_columns(list(raw.frame.columns), data_source=raw.source)
    work, periods = _prepare(raw, sp)
    lines = [f"ok: {sp.source} with {raw.source}: {len(work)} rows"
             + (f", {len(np.unique(periods))} periods" if periods is not None else "")
             + (f", {work[sp.group].nunique()} groups" if sp.group else "")]
    for d, w in zip(sp.dimensions, sp.weights):
        w_text = "entropy" if sp.weighting == "entropy" else f"{w:.4g}"
        frontier = sp.frontier_of(d) if sp.period else "cross-section"
        lines.append(f"  {d.name}: {d.model}, {len(d.inputs)} inputs, {len(d.outputs)} outputs"
                     + (f", {len(d.undesirable)} undesirable" if d.undesirable else "")
                     + f", frontier {frontier}, weight {w_text}")
    lines.append(f"  threshold {sp.threshold:g}")
    return "\n".join(lines)
