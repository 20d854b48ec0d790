"""The regional study of a three-dimension analysis (issue 18): what ``efficiency score`` adds on top of
the scores when the data have periods (and groups, and neighbours).

With a period, for each analysed score column (``[regional] values``; default: the composite, the
coordination degree and each dimension's score):

* **disparity**, with a group column: the Dagum (1997) Gini decomposition per period
  (:func:`efficiency.regional.disparity.dagum_gini`) and the Theil T and L indices with their
  within/between split (:func:`~efficiency.regional.disparity.theil`);
* **distribution dynamics**: kernel densities per period (:func:`~efficiency.regional.disparity.score_density`)
  and the Markov transition matrix between quantile classes (:func:`efficiency.regional.markov.markov`),
  spatial (Rey 2001) when neighbours are given;
* **convergence**: sigma convergence and absolute beta convergence, pooled and with unit fixed effects
  (:func:`efficiency.regional.convergence.convergence`);
* **spatial dependence**, with ``neighbours`` or ``coordinates``: global and local Moran's I
  (:func:`efficiency.regional.spatial.moran`, needs the optional ``[spatial]`` packages);
* **threshold effects**, with ``[regional.threshold]``: Hansen's (1999) panel threshold regression on
  the scores (a second stage; :func:`efficiency.threshold.threshold`).

Without a ``[regional]`` table the study runs what the data allow (period, group) and records in
``notes`` what it could not compute and why (e.g. two periods are too few for fixed-effects beta
convergence; the report and ``Analysis.summary()`` show them); with the table, what it asks for must
succeed (the error is raised).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..data import RawTable, _labels, _numeric_column
from ..errors import DataError, SpecError

__all__ = ["RegionalStudy", "regional_study"]


@dataclass(frozen=True, eq=False)
class RegionalStudy:
    """The regional study's results (module docstring); ``tables()`` as the workbook stores them."""

    values: tuple[str, ...]
    dagum: object | None = None
    theil: object | None = None
    density: pd.DataFrame | None = None
    convergence: dict = field(default_factory=dict)
    markov: object | None = None
    moran: dict = field(default_factory=dict)
    threshold: object | None = None
    notes: tuple[str, ...] = ()

    def tables(self) -> dict[str, pd.DataFrame]:
        out: dict[str, pd.DataFrame] = {}
        if self.dagum is not None:
            out["dagum"] = self.dagum.to_frame()
            out["dagum_groups"] = self.dagum.within_groups
            out["dagum_pairs"] = self.dagum.between_groups
        if self.theil is not None:
            out["theil"] = self.theil.to_frame()
        if self.density is not None:
            out["density"] = self.density
        if self.convergence:
            out["convergence"] = _stack({v: r.to_frame() for v, r in self.convergence.items()})
            out["convergence_speed"] = _stack({v: r.speed for v, r in self.convergence.items()})
            out["sigma"] = _stack({v: r.sigma for v, r in self.convergence.items()})
        if self.markov is not None:
            out["markov"] = self.markov.to_frame()
        if self.moran:
            out["moran"] = _stack({v: r.to_frame() for v, r in self.moran.items()})
            out["moran_local"] = _stack({v: r.local for v, r in self.moran.items()})
        if self.threshold is not None:
            out["threshold"] = self.threshold.to_frame()
            out["threshold_tests"] = threshold_tests(self.threshold)
            out["threshold_estimates"] = self.threshold.conf_int().rename_axis("threshold").reset_index()
        return out


def _stack(parts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One table of per-variable tables, with a leading ``variable`` column (unless they have one)."""
    frames = []
    for v, f in parts.items():
        f = f.reset_index(drop=isinstance(f.index, pd.RangeIndex))
        if "variable" not in f.columns:
            f.insert(0, "variable", v)
        frames.append(f)
    return pd.concat(frames, ignore_index=True)


def threshold_tests(res) -> pd.DataFrame:
    """One row per test of k against k - 1 thresholds: F, its bootstrap p-value and critical values."""
    rows = []
    for k in range(1, res.n_thresholds + 1):
        row = {"thresholds": k, "F": res.F[k - 1], "pvalue": np.nan if res.pvalues is None else res.pvalues[k - 1]}
        if res.critical_values is not None:
            row.update({f"critical_{c}": v for c, v in res.critical_values.loc[k].items()})
        rows.append(row)
    return pd.DataFrame(rows)


def _frame(sp, scores: pd.DataFrame, raw: RawTable) -> pd.DataFrame:
    """The scores table plus the data columns a threshold regression names (validated as numbers)."""
    t = sp.regional.threshold if sp.regional else None
    if t is None:
        return scores
    names = [t.y, *t.regime_dependent, *t.regime_independent, t.variable]
    extra = [c for c in dict.fromkeys(names) if c not in scores.columns]
    if not extra:
        return scores
    ids = _labels(raw, [sp.id, sp.period])
    out = scores.copy()
    for c in extra:
        out[c] = _numeric_column(raw, c, ids, nonnegative=False)
    return out


def regional_study(sp, scores: pd.DataFrame, raw: RawTable, *, solver=None) -> RegionalStudy | None:
    """The regional study of an analysis (module docstring); None without a period."""
    if not sp.period:
        return None
    from .convergence import convergence
    from .disparity import dagum_gini, score_density, theil
    from .markov import markov

    reg = sp.regional
    strict = reg is not None
    values = list(reg.values) if reg and reg.values else \
        ["composite", "coordination"] + [f"score_{n}" for n in sp.names]
    first = values[0]
    notes: list[str] = []

    def attempt(what: str, fn):
        try:
            return fn()
        except (DataError, SpecError) as exc:
            if strict:
                raise
            notes.append(f"{what}: not computed ({exc})")
            return None

    frame = _frame(sp, scores, raw)
    key = dict(id=sp.id, period=sp.period)
    dagum = th = None
    if sp.group:
        dagum = attempt("Dagum Gini decomposition", lambda: dagum_gini(frame, value=values, group=sp.group, **key))
        th = attempt("Theil indices", lambda: theil(frame, value=values, group=sp.group, **key))
    density = attempt("kernel densities", lambda: pd.concat(
        [score_density(frame, value=v, **key).assign(variable=v) for v in values], ignore_index=True))
    if density is not None:
        density = density[["variable"] + [c for c in density.columns if c != "variable"]]
    conv = {}
    for v in values:
        r = attempt(f"convergence of {v}", lambda v=v: convergence(frame, value=v, group=sp.group, **key))
        if r is not None:
            conv[v] = r
    space = {}
    if reg is not None and (reg.neighbours or reg.coordinates):
        space = dict(neighbours=reg.neighbours, coordinates=reg.coordinates,
                     k=reg.k if reg.coordinates else None)
    mk = attempt(f"Markov chain of {first}", lambda: markov(frame, value=first,
                                                            classes=reg.markov_classes if reg else 4, **key, **space))
    moran = {}
    if space:
        from .spatial import moran as _moran
        for v in values:
            moran[v] = _moran(frame, value=v, permutations=reg.permutations, seed=reg.seed, **key, **space)
    thr = None
    if reg is not None and reg.threshold is not None:
        from ..threshold import threshold
        t = reg.threshold
        grid = t.grid if t.grid is not None else min(400, int(pd.Series(frame[t.variable]).nunique()))
        thr = threshold(frame, id=sp.id, period=sp.period, y=t.y, regime_dependent=list(t.regime_dependent),
                        regime_independent=list(t.regime_independent), threshold=t.variable,
                        n_thresholds=t.n_thresholds, trim=t.trim, grid=grid, B=t.B, alpha=t.alpha, seed=t.seed)
    return RegionalStudy(tuple(values), dagum, th, density, conv, mk, moran, thr, tuple(_merge(notes)))


def _merge(notes: list[str]) -> list[str]:
    """One note per reason: "convergence of a: not computed (R)" and "... of b ... (R)" read as one."""
    out: dict[str, list[str]] = {}
    for n in notes:
        head, _, reason = n.partition(": not computed ")
        what, _, value = head.partition(" of ")
        out.setdefault(f"{what}\0{reason}", []).append(value)
    return [f"{k.split(chr(0))[0]}{' of ' + ', '.join(v) if any(v) else ''}: not computed {k.split(chr(0))[1]}"
            for k, v in out.items()]

