"""The Luenberger productivity indicator on a panel (units x periods), from directional distances.

Chambers, R. G., Faere, R. and Grosskopf, S. (1996), "Productivity growth in APEC countries", Pacific
Economic Review 1, 181-190; Chambers, R. G. (2002), "Exact nonradial input, output, and productivity
measurement", Economic Theory 20, 751-765; the pure efficiency / scale split of the efficiency change
as in Epure, M., Kerstens, K. and Prior, D. (2011), "Technology-based total factor productivity and
benchmarking: new proposals and an application", Omega 39, 608-619 (and Briec and Kerstens 2009).

Notation: D^T(S) = beta, the directional distance (DESIGN section 4) of the period-S data of a unit
against the technology of period T, in the direction g of that observation (default g = (x, y, b),
the proportional graph direction of ``ef.dea(model="ddf")``). beta >= 0 inside the technology (0 on its
frontier) and < 0 for data beyond it (another period's frontier). For consecutive periods s -> t:

* ``kind="adjacent"`` (Chambers, Faere and Grosskopf 1996):
  L = 1/2 [ (D^s(s) - D^s(t)) + (D^t(s) - D^t(t)) ],
  LEC = D^s(s) - D^t(t) (efficiency change), LTC = 1/2 [ (D^t(t) - D^s(t)) + (D^t(s) - D^s(s)) ]
  (technical change), so that L = LEC + LTC.
* ``kind="sequential"``: the technology of period p is spanned by the data of all periods <= p
  (Shestalova 2003; no technical regress); then the adjacent formulas.
* ``kind="global"`` (the additive analogue of Pastor and Lovell 2005 and Oh 2010): one technology G of
  all periods pooled: L = D^G(s) - D^G(t), LEC as above, LTC = [D^G(s) - D^s(s)] - [D^G(t) - D^t(t)]
  (the change in the best-practice gap).
* ``kind="biennial"`` (the additive analogue of Pastor, Asmild and Lovell 2011): the technology B of
  the two periods of each pair pooled: L = D^B(s) - D^B(t), LEC as above, LTC = [D^B(s) - D^s(s)] -
  [D^B(t) - D^t(t)]. Every observation lies in its biennial technology: no infeasible cross-period LP.

Values > 0 mean improvement (the indicator is a difference, not a ratio; 0 = no change). The index,
LEC and LTC come from CRS distances. Under ``rts`` 'vrs', 'nirs' or 'ndrs' the efficiency change is
split further into pure efficiency change PEC = D_v^s(s) - D_v^t(t) (distances under that rts, against
each period's own technology) and scale efficiency change SEC = [D^s(s) - D_v^s(s)] - [D^t(t) -
D_v^t(t)] = LEC - PEC (Epure, Kerstens and Prior 2011), the additive counterpart of the
Faere-Grosskopf-Norris-Zhang decomposition of ``ef.malmquist``.

With bad outputs (``undesirable``), every distance is the directional distance with the bad outputs
under weak disposability (equality rows, Chung, Faere and Grosskopf 1997), the Luenberger form of the
Malmquist-Luenberger index; ``direction="output"`` (g = (0, y, b): inputs held, good outputs raised,
bad outputs cut) gives exactly the betas of ``ef.malmquist(..., undesirable=...)``.

The distances are computed by ``efficiency.malmquist``'s machinery (one batched DDF call per technology
and returns-to-scale assumption, through ``efficiency.dea.directional.ddf``): the numba core and the
frame screening apply as they do for ``ef.dea(model="ddf")``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from solvers import LPStatus, Usage

from .dea.directional import ddf
from .dea.envelopment import backend, report_usage
from .errors import SolveWarning, SpecError
from .malmquist import MISSING, Kind, _distances, _row_status, _Store, _take
from .panel import id_columns, panel_layout
from .results import Result
from .spec import RTS, _Option

__all__ = ["luenberger", "LuenbergerResult", "LuenbergerKind"]

#: Returns to scale the indicator takes (the FGNZ-style split needs a bound on sum(lambda)).
RTS_TAKEN = (RTS.CRS, RTS.VRS, RTS.NIRS, RTS.NDRS)


class LuenbergerKind(_Option):
    """Which technologies the Luenberger indicator compares."""

    ADJACENT = "adjacent"
    SEQUENTIAL = "sequential"
    GLOBAL = "global"
    BIENNIAL = "biennial"

    @classmethod
    def _aliases(cls):
        return {"contemporaneous": "adjacent"}


_KIND_NAMES = {"adjacent": "adjacent periods (Chambers, Faere and Grosskopf 1996)",
               "sequential": "sequential frontier", "global": "global frontier",
               "biennial": "biennial frontier (Pastor, Asmild and Lovell 2011)"}
#: Names of the two cross-technology distance columns (data of period_from / period_to).
_CROSS = {"adjacent": ("from_to", "to_from"), "sequential": ("from_to", "to_from"),
          "global": ("from_global", "to_global"), "biennial": ("from_biennial", "to_biennial")}


# --------------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class LuenbergerResult(Result):
    """Luenberger productivity indicators, one row per unit and pair of consecutive periods.

    Rows: units in the order of their first appearance in the input, then ``period_from`` ascending.
    ``luenberger`` = ``effch`` + ``techch`` (> 0: improvement); ``pech`` + ``sech`` = ``effch`` under an
    rts other than CRS (else ``None``). ``status`` is 'optimal', 'missing' (the unit is absent in one
    of the two periods) or the first unsolved LP's status; values that could not be computed are NaN.
    ``distances`` holds the directional distances (betas) behind each row (see :func:`luenberger`).
    """

    kind: str
    rts: str
    direction: str                   # 'proportional', 'unit', 'input', 'output' or 'custom'
    id_names: tuple[str, ...]
    period_name: str
    periods: np.ndarray              # the distinct periods, ascending
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    undesirable_names: tuple[str, ...]
    solver: str
    ids: pd.Index                    # unit id of each row (a MultiIndex for a composite id)
    period_from: np.ndarray
    period_to: np.ndarray
    luenberger: np.ndarray
    effch: np.ndarray
    techch: np.ndarray
    pech: np.ndarray | None
    sech: np.ndarray | None
    status: np.ndarray               # object array of labels
    distances: pd.DataFrame          # d_* (and v_*) columns, RangeIndex aligned with the rows

    @property
    def n_rows(self) -> int:
        return len(self.period_from)

    def to_frame(self) -> pd.DataFrame:
        """The result table: id column(s) (named as in the input), period_from, period_to, luenberger,
        effch, techch (+ pech, sech), status, then the distance columns. The index is a plain
        RangeIndex (ids repeat across periods)."""
        cols: dict[str, object] = id_columns(self.ids, self.id_names)
        cols["period_from"] = self.period_from
        cols["period_to"] = self.period_to
        cols["luenberger"] = self.luenberger
        cols["effch"] = self.effch
        cols["techch"] = self.techch
        if self.pech is not None:
            cols["pech"] = self.pech
            cols["sech"] = self.sech
        cols["status"] = self.status
        for c in self.distances.columns:
            cols[c] = self.distances[c].to_numpy()
        return pd.DataFrame(cols)

    def summary(self) -> str:
        """Text report: model, panel size, arithmetic means of luenberger/effch/techch (and pech/sech)
        per pair of periods and overall (the indicator is additive), and the row statuses."""
        names = ["luenberger", "effch", "techch"] + (["pech", "sech"] if self.pech is not None else [])
        values = {nm: getattr(self, nm) for nm in names}
        split = "" if self.rts == "crs" else f"; CRS-based indicator, pech/sech from {self.rts.upper()}"
        units = len(self.ids.unique())
        lines = [f"Luenberger productivity indicator, {_KIND_NAMES[self.kind]}, {self.rts.upper()}, direction "
                 f"{self.direction}{split}",
                 f"Units: {units}; periods: {len(self.periods)} ({self.periods[0]} to {self.periods[-1]}); "
                 f"inputs: {', '.join(self.input_names)}; outputs: {', '.join(self.output_names)}; " +
                 (f"undesirable: {', '.join(self.undesirable_names)}; " if self.undesirable_names else "") +
                 f"solver: {self.solver}",
                 "Means (over rows with a value; > 0 = improvement):"]
        lines.append(f"  {'from':>10} {'to':>10} " + " ".join(f"{nm:>10}" for nm in names) + f" {'rows':>6}")
        for a, b in zip(self.periods[:-1], self.periods[1:]):
            sel = (self.period_from == a) & (self.period_to == b)
            lines.append(f"  {a!s:>10} {b!s:>10} " + " ".join(f"{_mean(values[nm][sel]):>10.4f}" for nm in names)
                         + f" {int(np.isfinite(self.luenberger[sel]).sum()):>6}")
        lines.append(f"  {'all':>10} {'':>10} " + " ".join(f"{_mean(values[nm]):>10.4f}" for nm in names)
                     + f" {int(np.isfinite(self.luenberger).sum()):>6}")
        labels, counts = np.unique(self.status.astype(str), return_counts=True)
        lines.append("Status: " + ", ".join(f"{c} {lab}" for lab, c in zip(labels, counts)))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<LuenbergerResult {self.kind} {self.rts} {self.direction}: {self.n_rows} rows, "
                f"{len(self.periods)} periods>")


def _mean(v: np.ndarray) -> float:
    v = np.asarray(v, dtype=float)
    v = v[np.isfinite(v)]
    return float(v.mean()) if v.size else float("nan")


# --------------------------------------------------------------------------------------------------
# Distances
# --------------------------------------------------------------------------------------------------

class _DDFContext:
    """The ``ctx`` of ``efficiency.malmquist._distances``: directional distances beta of data points
    against the technology of reference rows, in the direction of each evaluated point."""

    def __init__(self, fd, g, lp, screen):
        self.fd, self.g, self.lp, self.screen = fd, g, lp, screen
        self.usage = Usage()

    def evaluate(self, data: list[tuple[np.ndarray, np.ndarray]], ref_rows: np.ndarray, rts: RTS):
        """(beta, beta, status) of data points against the technology spanned by the rows
        ``ref_rows``: one batched LP call. ``data`` lists pairs (rows whose inputs, rows whose outputs
        and bad outputs), as ``malmquist._Context.evaluate``; the direction's input part comes with the
        inputs, its output and bad-output parts with the outputs."""
        fd = self.fd
        x_rows = np.concatenate([d[0] for d in data])
        y_rows = np.concatenate([d[1] for d in data])
        bads = fd.B.shape[1] > 0
        gx, gy, gb = self.g[0][x_rows], self.g[1][y_rows], self.g[2][y_rows]
        env = ddf(fd.X[x_rows], fd.Y[y_rows], fd.B[y_rows] if bads else None, fd.X[ref_rows], fd.Y[ref_rows],
                  fd.B[ref_rows] if bads else None, gx=gx, gy=gy, gb=gb if bads else None, rts=rts,
                  solver=self.lp, slacks=False, screen=self.screen, label="Luenberger")
        value = np.where(env.status == LPStatus.OPTIMAL, env.farrell, np.nan)
        self.usage = self.usage + env.usage
        return value, value, env.status.astype(np.int8)


def _own(ctx: _DDFContext, kind: str, rts: RTS, by_period: list[np.ndarray]) -> _Store:
    """Each period's data against its own technology (sequential: the periods up to it)."""
    store = _Store(ctx.fd.n)
    for k, rows in enumerate(by_period):
        ref = np.concatenate(by_period[:k + 1]) if kind == "sequential" else rows
        store.put(rows, *ctx.evaluate([(rows, rows)], ref, rts))
    return store


def _gather(store: _Store, idx: np.ndarray):
    return _take(store.value, idx, np.nan), _take(store.status, idx, LPStatus.NOT_SOLVED).astype(np.int8)


# --------------------------------------------------------------------------------------------------
# Public entry point
# --------------------------------------------------------------------------------------------------

def luenberger(panel, id=None, period=None, inputs=None, outputs=None, undesirable=None, direction="proportional",
               rts="crs", kind="adjacent", *, solver=None, screen: bool | None = None,
               client=None) -> LuenbergerResult:
    """Luenberger productivity indicators of a panel; returns a :class:`LuenbergerResult`.

    ``panel``/``id``/``period``/``inputs``/``outputs``/``undesirable`` as for :func:`efficiency.malmquist`
    (a DataFrame or CSV path, one row per unit and period; numeric periods). Each row compares two
    consecutive periods (``period_from`` -> ``period_to``) of one unit; values > 0 mean improvement.

    ``direction``: the direction of every directional distance, taken from the evaluated observation:
    'proportional' (default, g = (x, y, b)), 'unit' (all ones), 'input' (x, 0, 0), 'output' (0, y, b),
    or one vector of length inputs + outputs + undesirable (components > 0 cut inputs and bad outputs
    and raise outputs), as ``ef.dea(model="ddf", direction=...)``. ``kind``: 'adjacent' (Chambers,
    Faere and Grosskopf 1996), 'sequential', 'global' or 'biennial' (see the module docstring for the
    formulas). ``rts``: 'crs' (default), 'vrs', 'nirs' or 'ndrs': luenberger, effch and techch always
    come from CRS distances; under another rts, pech (pure efficiency change under that rts) and
    sech = effch - pech (scale efficiency change) are added (Epure, Kerstens and Prior 2011).

    Table columns after the indicators and ``status``: the betas ``d_from_from``, ``d_from_to``,
    ``d_to_from``, ``d_to_to`` (data period first, then technology; adjacent and sequential), or
    ``d_from_from``, ``d_to_to``, ``d_from_global``, ``d_to_global`` (global) / ``d_from_biennial``,
    ``d_to_biennial`` (biennial); under an rts other than CRS also ``v_from_from`` and ``v_to_to``.

    Unbalanced panels: each period's technology is spanned by the units present in it; a unit absent
    in either period of a pair gets its row with NaN values and status 'missing'. An LP without an
    optimum (e.g. a cross-period LP with bad outputs in the direction (0, y, b)) gives NaN where it
    enters and its status in the row, and one :class:`SolveWarning` counts them. ``solver``: the LP
    backend (default numba); ``screen``: frame screening of each technology (default: with the numba
    backend from 64 reference units, and never with bad outputs); ``client``: a Dask client.
    """
    kind = LuenbergerKind.parse(kind, name="kind").value
    rts = RTS.parse(rts, name="rts")
    if rts not in RTS_TAKEN:
        raise SpecError(f"rts: the Luenberger indicator takes 'crs', 'vrs', 'nirs' or 'ndrs', not {rts.value!r}")
    p = panel_layout(panel, id, period, inputs, outputs, undesirable, what="a Luenberger indicator")
    fd = p.fd
    from .dea.api import _direction
    g = _direction(fd, direction)
    label = direction.lower() if isinstance(direction, str) else ("proportional" if direction is None else "custom")

    lp = backend(solver)
    if client is not None:
        from .distributed import distribute
        lp = distribute(lp, client)
    ctx = _DDFContext(fd, g, lp, screen)
    T, U = p.T, len(p.units)
    u_idx = np.repeat(np.arange(U), T - 1)
    k_idx = np.tile(np.arange(T - 1), U)
    rs, rt = p.grid[u_idx, k_idx], p.grid[u_idx, k_idx + 1]
    present = (rs >= 0) & (rt >= 0)
    ps, pt = np.where(present, rs, -1), np.where(present, rt, -1)

    # the CRS distances, technology by technology (efficiency.malmquist's batching: one LP call each)
    both = [np.flatnonzero((p.grid[:, k] >= 0) & (p.grid[:, k + 1] >= 0)) for k in range(T - 1)]
    pairs = [(p.grid[b, k], p.grid[b, k + 1]) for k, b in enumerate(both)]   # units present in k and k+1
    stores = _distances(ctx, Kind.parse(kind), RTS.CRS, p.by_period, None, pairs)
    own = stores["own"]
    fx, tx = _gather(stores["a"], ps), _gather(stores["b"], pt)      # from vs cross tech, to vs cross tech
    ff, tt = _gather(own, ps), _gather(own, pt)

    d_ss, d_tt, d_x_s, d_x_t = ff[0], tt[0], fx[0], tx[0]
    if kind in ("adjacent", "sequential"):
        # d_x_s = D^t(s) (from data, to technology), d_x_t = D^s(t) (to data, from technology)
        ind = 0.5 * ((d_ss - d_x_t) + (d_x_s - d_tt))
        effch = d_ss - d_tt
        techch = 0.5 * ((d_tt - d_x_t) + (d_x_s - d_ss))
    else:                                                 # one technology G (global, biennial) per pair
        ind = d_x_s - d_x_t
        effch = d_ss - d_tt
        techch = (d_x_s - d_ss) - (d_x_t - d_tt)
    names = _CROSS[kind]
    if kind in ("adjacent", "sequential"):
        dist = {"d_from_from": d_ss, "d_from_to": d_x_s, "d_to_from": d_x_t, "d_to_to": d_tt}
    else:
        dist = {"d_from_from": d_ss, "d_to_to": d_tt, f"d_{names[0]}": d_x_s, f"d_{names[1]}": d_x_t}
    statuses = [ff[1], fx[1], tx[1], tt[1]]
    pech = sech = None
    if rts != RTS.CRS:
        vown = _own(ctx, kind, rts, p.by_period)
        vff, vtt = _gather(vown, ps), _gather(vown, pt)
        pech = vff[0] - vtt[0]
        sech = (d_ss - vff[0]) - (d_tt - vtt[0])
        statuses += [vff[1], vtt[1]]
        dist.update({"v_from_from": vff[0], "v_to_to": vtt[0]})
    status = _row_status(np.stack(statuses, axis=1), present)
    for arr in (ind, effch, techch) + (() if pech is None else (pech, sech)):
        arr[~present] = np.nan
    for arr in dist.values():
        arr[~present] = np.nan

    failed = (status != "optimal") & (status != MISSING)
    if failed.any():
        labels, counts = np.unique(status[failed].astype(str), return_counts=True)
        detail = ", ".join(f"{c} {lab}" for lab, c in zip(labels, counts))
        why = ""
        if kind in ("adjacent", "sequential") and np.all(np.stack([ff[1], tt[1]])[:, failed] == LPStatus.OPTIMAL):
            why = ("; each is a cross-period LP (one period's data against another technology) without an optimum, "
                   "because the data lie outside that technology along the direction (common with bad outputs "
                   "under weak disposability); kind='biennial' or 'global' has none")
        warnings.warn(f"luenberger: {int(failed.sum())} of {u_idx.size} rows have an LP without an optimum "
                      f"({detail}){why}; their values are NaN where it enters and `status` says why",
                      SolveWarning, stacklevel=2)
    solver_label = report_usage(ctx.usage, lp, solver is not None, "luenberger")
    return LuenbergerResult(
        kind=kind, rts=rts.value, direction=label, id_names=tuple(p.id_cols), period_name=p.period,
        periods=p.periods, input_names=fd.input_names, output_names=fd.output_names,
        undesirable_names=fd.undesirable_names, solver=solver_label, ids=p.units.take(u_idx),
        period_from=p.periods[k_idx], period_to=p.periods[k_idx + 1], luenberger=ind, effch=effch,
        techch=techch, pech=pech, sech=sech, status=status, distances=pd.DataFrame(dist))
