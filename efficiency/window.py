"""DEA window analysis (Charnes, Clark, Cooper and Golany 1985; Cooper, Seiford and Tone 2007, ch. 11).

A panel of units observed in T periods is cut into the T - w + 1 windows of ``width`` w consecutive
periods. In each window every (unit, period) observation is a DMU of its own and all of them are
scored together against the window's frontier, with any model of :func:`efficiency.dea`. A unit
therefore gets up to w scores per window and up to w scores per period (one from each window that
holds the period): the window table lays them out, unit by window by period.

Summaries per unit (Cooper, Seiford and Tone 2007, section 11.2.1): ``mean`` and ``std`` of all its
scores, ``min``/``max``/``range``; ``ldw``, the largest difference between two of its scores within
one window (the greatest change inside a window); ``ldp``, the largest difference between the scores
of one period in different windows (how much a period's score depends on its window); per window
and per period, the mean over the unit's scores (the "row" and "column" views of the window table).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .data import format_id
from .errors import SpecError
from .results import Result

__all__ = ["window", "WindowResult"]


@dataclass(frozen=True)
class WindowResult(Result):
    """Scores of a window analysis: one row per (unit, window, period), in the order of the windows,
    then of the input rows.

    ``windows`` are (first period, last period) pairs; ``table`` has the id column(s), ``window``
    (e.g. '2015-2017'), ``window_start``, the period column, ``efficiency`` and ``status`` (and the
    ``beta``/``slack_sum`` columns of models that have them); ``model``/``rts``/``orientation`` and
    ``solver`` are those of the underlying :func:`efficiency.dea` runs."""

    id_names: tuple[str, ...]
    period_name: str
    width: int
    windows: tuple[tuple[object, object], ...]
    model: str
    rts: str
    orientation: str
    solver: str
    table: pd.DataFrame

    @property
    def status(self) -> pd.Series:
        return self.table["status"]

    def to_frame(self) -> pd.DataFrame:
        """The long window table: id column(s), window, window_start, period, efficiency, status, ..."""
        return self.table.copy()

    def matrix(self) -> pd.DataFrame:
        """The classic window table: rows (unit, window), columns the periods, cells the scores."""
        keys = list(self.id_names) + ["window"]
        return self.table.pivot_table(index=keys, columns=self.period_name, values="efficiency", sort=False,
                                      dropna=False, aggfunc="first")

    def unit_summary(self) -> pd.DataFrame:
        """Per unit: mean, std, min, max, range of its scores, ldw (largest difference within a window),
        ldp (largest difference of one period across windows), and the number of scores."""
        t = self.table
        ids = list(self.id_names)
        g = t.groupby(ids, sort=False)["efficiency"]
        out = pd.DataFrame({"mean": g.mean(), "std": g.std(ddof=0), "min": g.min(), "max": g.max()})
        out["range"] = out["max"] - out["min"]
        spread = lambda s: s.max() - s.min()  # noqa: E731
        within = t.groupby(ids + ["window"], sort=False)["efficiency"].agg(spread)
        out["ldw"] = within.groupby(level=ids, sort=False).max()
        out["ldp"] = t.groupby(ids + [self.period_name], sort=False)["efficiency"].agg(spread).groupby(
            level=ids, sort=False).max()
        out["scores"] = g.count()
        return out

    def window_means(self) -> pd.DataFrame:
        """Mean score of each unit in each window (rows units, columns windows)."""
        return self.table.pivot_table(index=list(self.id_names), columns="window", values="efficiency",
                                      aggfunc="mean", sort=False)

    def period_means(self) -> pd.DataFrame:
        """Mean score of each unit in each period over the windows that hold it."""
        return self.table.pivot_table(index=list(self.id_names), columns=self.period_name, values="efficiency",
                                      aggfunc="mean", sort=False)

    def summary(self) -> str:
        t = self.table
        ok = t["efficiency"].dropna()
        counts = t["status"].value_counts()
        lines = [f"DEA window analysis (Charnes et al. 1985): {self.model} DEA, {self.rts.upper()}, "
                 f"{self.orientation} orientation; window width {self.width}, {len(self.windows)} windows "
                 f"({', '.join(f'{a}-{b}' for a, b in self.windows)}); solver: {self.solver}",
                 f"Scores: {len(t)} ({t.groupby(list(self.id_names), sort=False).ngroups} units); mean "
                 f"{ok.mean():.4f}, min {ok.min():.4f}, max {ok.max():.4f}" if len(ok) else "Scores: none",
                 "Mean by window: " + ", ".join(f"{w} {v:.4f}" for w, v in
                                                t.groupby("window", sort=False)["efficiency"].mean().items()),
                 "Status: " + ", ".join(f"{int(v)} {k}" for k, v in counts.items())]
        u = self.unit_summary()
        if len(u):
            worst = u["ldw"].nlargest(min(3, len(u)))
            lines.append("Largest change within a window: " +
                         ", ".join(f"{format_id(i)} {v:.4f}" for i, v in worst.items()))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<WindowResult width {self.width}: {len(self.windows)} windows, {len(self.table)} scores>"


def window(panel, id=None, period=None, inputs=None, outputs=None, undesirable=None, width: int = 3, *,
           solver=None, **dea_options) -> WindowResult:
    """Window analysis of a panel (module docstring): ``panel`` a DataFrame or CSV path with one row per
    unit and period; ``id`` the unit id column(s), ``period`` the numeric period column; ``width`` the
    number of consecutive periods in a window (2 <= width <= T; width = T is one pooled window).
    ``inputs``/``outputs``/``undesirable`` and every other keyword (``model``, ``rts``,
    ``orientation``, ``direction``, ``nondiscretionary``, ...) are those of :func:`efficiency.dea`,
    which scores each window. Units absent in some periods are scored where present."""
    from .dea.api import dea
    from .panel import panel_layout

    if isinstance(width, bool) or not isinstance(width, (int, np.integer)) or width < 1:
        raise SpecError(f"width: the number of periods in a window must be an integer >= 1, got {width!r}")
    for bad in ("reference", "super_efficiency", "client"):
        if dea_options.get(bad):
            raise SpecError(f"{bad}: not available in a window analysis (each window is its own reference set)")
    pn = panel_layout(panel, id, period, inputs, outputs, undesirable, what="a window analysis", min_periods=1)
    fd, id_cols, periods, T = pn.fd, pn.id_cols, pn.periods, pn.T
    if width > T:
        raise SpecError(f"width: {width} periods in a window, but the panel has {T}")
    pcode = np.empty(fd.n, dtype=np.int64)
    for k, rows in enumerate(pn.by_period):
        pcode[rows] = k
    parts, windows, solvers = [], [], set()
    model = rts = orientation = None
    for k in range(T - width + 1):
        rows = np.flatnonzero((pcode >= k) & (pcode < k + width))
        sub = replace(fd, X=fd.X[rows], Y=fd.Y[rows], B=fd.B[rows], ids=fd.ids[rows],
                      lines=None if fd.lines is None else fd.lines[rows])
        r = dea(sub, solver=solver, undesirable=list(fd.undesirable_names) or None, **dea_options)
        model, rts, orientation = r.model, r.rts, r.orientation
        solvers.add(r.solver)
        label = f"{format_id(periods[k])}-{format_id(periods[k + width - 1])}"
        windows.append((periods[k].item(), periods[k + width - 1].item()))
        frame = r.to_frame()
        block = fd.ids[rows].to_frame(index=False)
        block = block.iloc[:, :len(id_cols)].copy()
        block.insert(len(id_cols), "window", label)
        block.insert(len(id_cols) + 1, "window_start", periods[k])
        block.insert(len(id_cols) + 2, period, periods[pcode[rows]])
        block["efficiency"] = frame["efficiency"].to_numpy()
        block["status"] = frame["status"].to_numpy()
        for extra in ("beta", "slack_sum"):
            if extra in frame:
                block[extra] = frame[extra].to_numpy()
        parts.append(block)
    table = pd.concat(parts, ignore_index=True)
    return WindowResult(tuple(id_cols), period, int(width), tuple(windows), model, rts, orientation,
                        " / ".join(sorted(solvers)), table)
