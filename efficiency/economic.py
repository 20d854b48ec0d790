"""Economic efficiency in DEA: cost, revenue and profit efficiency with observed prices.

Faere, Grosskopf and Lovell (1985, *The Measurement of Efficiency of Production*, ch. 3, 4, 9; 1994,
*Production Frontiers*); Coelli, Rao, O'Donnell and Battese (2005, *An Introduction to Efficiency and
Productivity Analysis*, 2nd ed., ch. 8.2-8.4). For DMU o with inputs x_o, outputs y_o, input prices
w_o >= 0 and output prices p_o >= 0, against the technology spanned by all DMUs (X, Y) under the
returns to scale ``rts`` (the RTS row on sum(lam): CRS none, VRS = 1, NIRS <= 1, NDRS >= 1):

* cost:    C(y_o, w_o) = min w_o'x      s.t. X'lam <= x,    Y'lam >= y_o, lam >= 0, RTS row
  cost efficiency CE = C / w_o'x_o; technical efficiency TE = input theta (radial, same RTS);
  allocative efficiency AE = CE / TE.
* revenue: R(x_o, p_o) = max p_o'y      s.t. X'lam <= x_o,  Y'lam >= y,   lam >= 0, RTS row
  revenue efficiency RE = p_o'y_o / R; TE = Shephard 1/phi (radial output, same RTS); AE = RE / TE.
* profit:  Pi(p_o, w_o) = max p_o'y - w_o'x  s.t. X'lam <= x, Y'lam >= y, lam >= 0, RTS row
  profit efficiency PE = (p_o'y_o - w_o'x_o) / Pi, only where Pi is finite and > 0 (else NaN: the
  ratio has no meaning as an efficiency when the maximum is 0 or negative). Under CRS Pi is 0 or
  unbounded (Coelli et al. 2005, p. 183): an unbounded LP is the status 'unbounded' with NaN values.

These are Benchmarking's ``cost.opt``, ``revenue.opt`` and ``profit.opt`` (Bogetoft and Otto 2011).
``restricted=True`` adds x <= x_o (cost), y >= y_o (revenue), both (profit): deaR's ``model_profit``
with ``restricted_optimal = TRUE`` - the optimum is searched only among points that dominate nothing
the DMU already has. TE and AE keep their meaning: the radial projection satisfies the restriction,
so CE <= TE (RE <= TE) still holds.

Profit has no technical/allocative split here. A multiplicative split PE = TE x AE with a radial (or
hyperbolic) TE in (0, 1] does not exist in general: the observed profit can be negative and the
ratio PE is undefined whenever Pi <= 0. The decomposition the literature uses for profit is additive
and in a directional distance (Chambers, Chung and Faere 1998, Nerlovian efficiency); that is a
different measure, so ``technical`` and ``allocative`` are None for profit and the table leaves those
columns out.

Optimal input/output vectors are in general not unique (any point of an optimal face will do, e.g.
when a price is 0); the optimal value and the efficiencies are. Values are solved on column-scaled
data (every column divided by its mean; prices multiplied by it) with each DMU's objective divided by
the sum of its scaled prices, and mapped back to data units. The cost, revenue and profit optimum of
a linear objective with non-negative prices over a freely disposable technology is reached on the
technology's frame (extreme-efficient DMUs, Dula 2011), which spans the same technology: with
``screen`` (default: with the numba backend, from 64 DMUs) every LP is solved against the frame only.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from solvers import LP, LPBatch, LPProblem, LPSolver, LPStatus, STATUS_LABELS, Usage

from .data import (FrontierData, RawTable, _numeric_column, _unknown_column, as_raw_table, format_id,
                   frontier_data, require_positive_rows)
from .dea.envelopment import (backend, column_scale, frame as find_frame, report_usage, rts_bounds, solve_batch,
                              use_frame)
from .dea.radial import radial
from .errors import DataError, SolveWarning, SpecError
from .results import Result
from .spec import RTS, Orientation

__all__ = ["economic", "EconomicResult", "KINDS"]

KINDS = ("cost", "revenue", "profit")
#: Returns to scale the economic models take (the RTS row of the envelopment technology).
SUPPORTED_RTS = (RTS.CRS, RTS.VRS, RTS.NIRS, RTS.NDRS)
#: Relative amount by which a ratio bounded by 1 (or by TE) may miss its bound by rounding alone;
#: such values are set to the bound (as ``efficiency.dea`` does for its scores).
ROUNDING = 1e-9

_RTS_NAMES = {"crs": "constant", "vrs": "variable", "nirs": "non-increasing", "ndrs": "non-decreasing"}


@dataclass(frozen=True)
class EconomicResult(Result):
    """Cost, revenue or profit efficiency of every DMU (module docstring), indexed by the input's ids.

    ``efficiency``: CE = min cost / observed cost, RE = observed / max revenue, or PE = observed / max
    profit (where the max is finite and > 0, else NaN); ``technical``: input theta (cost) or Shephard
    1/phi (revenue), None for profit; ``allocative`` = efficiency / technical (None for profit);
    ``observed`` and ``optimal``: cost, revenue or profit in data units; ``optimal_inputs`` /
    ``optimal_outputs``: an optimal point (one of possibly many), columns named after the inputs /
    outputs, None where the model has no such choice (outputs of cost, inputs of revenue);
    ``input_prices`` / ``output_prices``: the prices used, one row per DMU; ``status`` per DMU:
    'optimal', or why there is no value ('unbounded' for profit under CRS and NDRS where it is).
    """

    kind: str
    rts: str
    restricted: bool
    ids: pd.Index
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    efficiency: pd.Series
    technical: pd.Series | None
    allocative: pd.Series | None
    observed: pd.Series
    optimal: pd.Series
    optimal_inputs: pd.DataFrame | None
    optimal_outputs: pd.DataFrame | None
    input_prices: pd.DataFrame | None
    output_prices: pd.DataFrame | None
    status: pd.Series
    solver: str

    def to_frame(self) -> pd.DataFrame:
        """id, ``<kind>_efficiency``, ``technical_efficiency`` and ``allocative_efficiency`` (cost and
        revenue), ``observed_<kind>``, ``optimal_<kind>``, ``optimal_<column>`` per input (cost,
        profit) and per output (revenue, profit), ``status``."""
        df = pd.DataFrame({f"{self.kind}_efficiency": self.efficiency.to_numpy()}, index=self.ids)
        if self.technical is not None:
            df["technical_efficiency"] = self.technical.to_numpy()
            df["allocative_efficiency"] = self.allocative.to_numpy()
        df[f"observed_{self.kind}"] = self.observed.to_numpy()
        df[f"optimal_{self.kind}"] = self.optimal.to_numpy()
        for block in (self.optimal_inputs, self.optimal_outputs):
            if block is not None:
                for c in block.columns:
                    df[f"optimal_{c}"] = block[c].to_numpy()
        df["status"] = self.status.to_numpy()
        return df

    def summary(self) -> str:
        """Model, DMUs, solver, the distribution of the efficiencies and the statuses."""
        restricted = (", restricted (" + {"cost": "x* <= x0", "revenue": "y* >= y0", "profit": "x* <= x0, y* >= y0"}
                      [self.kind] + ")") if self.restricted else ""
        lines = [f"{self.kind.capitalize()} efficiency (DEA), {_RTS_NAMES.get(self.rts, self.rts)} returns to "
                 f"scale{restricted}",
                 f"DMUs: {len(self.ids)}; inputs: {', '.join(self.input_names)}; outputs: "
                 f"{', '.join(self.output_names)}; solver: {self.solver}"]
        parts = [(f"{self.kind.capitalize()} efficiency", self.efficiency)]
        if self.technical is not None:
            parts += [("Technical efficiency", self.technical), ("Allocative efficiency", self.allocative)]
        for label, s in parts:
            ok = s.dropna()
            if len(ok):
                lines.append(f"{label}: mean {ok.mean():.4f}, min {ok.min():.4f}, median {ok.median():.4f}, "
                             f"max {ok.max():.4f} ({len(ok)} DMUs)")
            else:
                lines.append(f"{label}: none defined")
        ok = self.efficiency.dropna()
        if len(ok):
            lines.append("Lowest: " + ", ".join(f"{format_id(i)} {v:.4f}" for i, v in
                                                ok.nsmallest(min(5, len(ok))).items()))
        counts = self.status.value_counts()
        lines.append("Status: " + ", ".join(f"{int(v)} {k}" for k, v in counts.items()))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<EconomicResult {self.kind} {self.rts}{' restricted' if self.restricted else ''}: {len(self.ids)} DMUs>"


def economic(data=None, id=None, inputs=None, outputs=None, kind="cost", input_prices=None, output_prices=None,
             rts="vrs", *, solver=None, restricted: bool = False, screen: bool | None = None) -> EconomicResult:
    """Cost, revenue or profit efficiency (module docstring) of every DMU; an :class:`EconomicResult`.

    ``data``: a DataFrame or CSV path (``inputs``/``outputs`` column names, ``id`` the id column(s)),
    or None with ``inputs``/``outputs`` arrays. ``kind``: 'cost' (needs ``input_prices``), 'revenue'
    (``output_prices``) or 'profit' (both). Prices, per input (output) in the order of ``inputs``
    (``outputs``): column names of ``data`` (one price per DMU; a list or a comma-separated string),
    a dict {variable: column}, one vector of numbers for every DMU, or an (n, m) array. Prices must be
    finite and >= 0, and not all 0 for a DMU. ``rts``: 'crs', 'vrs', 'nirs', 'ndrs' (or their aliases
    ccr, bcc, drs, irs). ``solver``: the LP backend (default numba: its envelopment LPs give TE, and
    HiGHS solves the economic LPs); ``restricted``: deaR's ``restricted_optimal`` (x* <= x0 for cost,
    y* >= y0 for revenue, both for profit); ``screen``: solve against the frame (extreme-efficient
    DMUs) only; default on with the numba backend from 64 DMUs.
    """
    kind = _kind(kind)
    rts = RTS.parse(rts, name="rts")
    if rts not in SUPPORTED_RTS:
        raise SpecError(f"rts: economic efficiency takes {', '.join(r.value for r in SUPPORTED_RTS)}, not {rts.value!r}")
    if not isinstance(restricted, (bool, np.bool_)):
        raise SpecError(f"restricted: expected True or False, got {restricted!r}")
    _check_price_options(kind, input_prices, output_prices)
    raw = None if data is None or isinstance(data, FrontierData) else as_raw_table(data)
    fd = frontier_data(raw if raw is not None else data, id=id, inputs=inputs, outputs=outputs)
    W = _prices(raw, fd, input_prices, "input") if kind != "revenue" else None
    P = _prices(raw, fd, output_prices, "output") if kind != "cost" else None
    _check_zero_prices(fd, W, P, kind)
    if kind == "cost":
        require_positive_rows(fd, "inputs", "cost efficiency (its technical part, the input-oriented radial score)")
    elif kind == "revenue":
        require_positive_rows(fd, "outputs", "revenue efficiency (its technical part, the output-oriented radial "
                                             "score)")
    chosen = (fd.input_names if W is not None else ()) + (fd.output_names if P is not None else ())
    if kind in chosen:                             # optimal_<column> would be the optimal_<kind> column
        raise SpecError(f"a column named {kind!r} is an input or output: its optimal_{kind} column would clash "
                        f"with the optimal {kind}; rename it")

    lp = backend(solver)
    xopt, yopt, code, usage = _optimise(fd.X, fd.Y, W, P, rts=rts, restricted=bool(restricted), solver=lp,
                                        screen=screen)
    ok = code == LPStatus.OPTIMAL
    cost_o = None if W is None else (W * fd.X).sum(axis=1)
    rev_o = None if P is None else (P * fd.Y).sum(axis=1)
    cost_opt = None if W is None else np.where(ok, (W * np.nan_to_num(xopt)).sum(axis=1), np.nan)
    rev_opt = None if P is None else np.where(ok, (P * np.nan_to_num(yopt)).sum(axis=1), np.nan)
    technical = allocative = None
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "cost":
            observed, optimal = cost_o, cost_opt
            eff = np.where(observed > 0, optimal / observed, np.nan)
        elif kind == "revenue":
            observed, optimal = rev_o, rev_opt
            eff = np.where(optimal > 0, observed / optimal, np.nan)
        else:
            observed, optimal = rev_o - cost_o, rev_opt - cost_opt
            eff = np.where(np.isfinite(optimal) & (optimal > 0), observed / optimal, np.nan)
        eff = _to_one(eff)
        if kind != "profit":
            env = radial(fd.X, fd.Y, rts=rts, orientation=Orientation.INPUT if kind == "cost" else Orientation.OUTPUT,
                         solver=lp, slacks=False, screen=screen)
            usage = usage + env.usage
            te_ok = env.status == LPStatus.OPTIMAL
            te = np.where(te_ok, env.farrell if kind == "cost" else 1.0 / env.farrell, np.nan)
            te = _to_one(te)
            # CE <= TE (the radial projection is a feasible point): a ratio above TE by rounding only is TE
            eff = np.where((eff > te) & (eff <= te * (1.0 + ROUNDING)), te, eff)
            technical, allocative = te, eff / te
            code = np.where(ok & ~te_ok, env.status, code).astype(np.int8)
    _warn_unsolved(code, kind, rts)
    label = report_usage(usage, lp, solver is not None, f"{kind} efficiency", kind=LP)

    ids = fd.ids
    series = lambda v, name: pd.Series(v, index=ids, name=name)  # noqa: E731
    frame = lambda a, names: None if a is None else pd.DataFrame(a, index=ids, columns=list(names))  # noqa: E731
    return EconomicResult(
        kind, rts.value, bool(restricted), ids, fd.input_names, fd.output_names,
        series(eff, f"{kind}_efficiency"),
        None if technical is None else series(technical, "technical_efficiency"),
        None if allocative is None else series(allocative, "allocative_efficiency"),
        series(observed, f"observed_{kind}"), series(optimal, f"optimal_{kind}"),
        frame(xopt, fd.input_names), frame(yopt, fd.output_names), frame(W, fd.input_names),
        frame(P, fd.output_names), pd.Series(STATUS_LABELS[code], index=ids, name="status", dtype=object), label)


# --------------------------------------------------------------------------------------------------
# The LPs
# --------------------------------------------------------------------------------------------------

def _optimise(X: np.ndarray, Y: np.ndarray, W: np.ndarray | None, P: np.ndarray | None, *, rts: RTS,
              restricted: bool, solver: LPSolver, screen: bool | None
              ) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray, Usage]:
    """Optimal inputs (W given) and outputs (P given) of every DMU in data units (NaN rows where the
    LP has no optimum), the LP statuses and the backends' usage.

    One LP per DMU, column-scaled (sx, sy the column means), variables [lam (n_ref), x (m if W),
    y (s if P)]; rows:

        inputs   X'lam - x <= 0        (no x variables: X'lam <= x_o)
        outputs  Y'lam - y >= 0        (no y variables: Y'lam >= y_o)
        RTS      sum(lam) in rts_bounds
        restricted:  x <= x_o (cost, profit),  y >= y_o (revenue, profit)

    minimising (w_o'x - p_o'y) / (sum of the DMU's scaled prices). Only the costs of x and y and the
    row bounds differ between DMUs: one base LP, warm-started from DMU to DMU by HiGHS.
    """
    n, m = X.shape
    s = Y.shape[1]
    sx, sy = column_scale(X), column_scale(Y)
    Xs, Ys = X / sx, Y / sy
    R = np.hstack([Xs, Ys])
    if use_frame(solver, screen, n):
        R = R[find_frame(R, m, rts)]
    nr = R.shape[0]
    kx = m if W is not None else 0
    ky = s if P is not None else 0
    bounds = rts_bounds(rts)
    rx = kx if restricted else 0
    ry = ky if restricted else 0
    nrow = m + s + (bounds is not None) + rx + ry
    ncol = nr + kx + ky
    A = np.zeros((nrow, ncol))
    A[:m, :nr] = R[:, :m].T
    A[m:m + s, :nr] = R[:, m:].T
    A[:kx, nr:nr + kx] = -np.eye(kx)
    A[m:m + ky, nr + kx:] = -np.eye(ky)
    lo = np.zeros((n, nrow))
    hi = np.zeros((n, nrow))
    lo[:, :m] = -np.inf
    hi[:, :m] = 0.0 if kx else Xs
    lo[:, m:m + s] = 0.0 if ky else Ys
    hi[:, m:m + s] = np.inf
    r = m + s
    if bounds is not None:
        A[r, :nr] = 1.0
        lo[:, r], hi[:, r] = bounds
        r += 1
    if rx:                                         # x <= x_o
        A[r:r + rx, nr:nr + kx] = np.eye(rx)
        lo[:, r:r + rx], hi[:, r:r + rx] = -np.inf, Xs
        r += rx
    if ry:                                         # y >= y_o
        A[r:r + ry, nr + kx:] = np.eye(ry)
        lo[:, r:r + ry], hi[:, r:r + ry] = Ys, np.inf
    costs = np.hstack([W * sx if kx else np.zeros((n, 0)), -P * sy if ky else np.zeros((n, 0))])
    costs /= np.abs(costs).sum(axis=1, keepdims=True)      # > 0: no DMU has only zero prices
    base = LPProblem(np.zeros(ncol), A, lo[0], hi[0], np.zeros(ncol), np.full(ncol, np.inf))
    sol = solve_batch(solver, LPBatch(base, lo, hi, np.arange(nr, ncol), None, costs), "economic efficiency")
    ok = (sol.status == LPStatus.OPTIMAL)[:, None]
    xopt = np.where(ok, sol.x[:, nr:nr + kx].toarray() * sx, np.nan) if kx else None
    yopt = np.where(ok, sol.x[:, nr + kx:].toarray() * sy, np.nan) if ky else None
    return xopt, yopt, sol.status, sol.usage


# --------------------------------------------------------------------------------------------------
# Options and prices
# --------------------------------------------------------------------------------------------------

def _kind(kind) -> str:
    if isinstance(kind, str) and kind.strip().lower() in KINDS:
        return kind.strip().lower()
    raise SpecError(f"kind: {kind!r} is not one of {', '.join(map(repr, KINDS))}")


def _given(prices) -> bool:
    if prices is None:
        return False
    if isinstance(prices, str):
        return bool(prices.strip())
    return True


def _check_price_options(kind: str, input_prices, output_prices) -> None:
    need = {"cost": ("input_prices",), "revenue": ("output_prices",), "profit": ("input_prices", "output_prices")}
    given = {"input_prices": _given(input_prices), "output_prices": _given(output_prices)}
    for name in need[kind]:
        if not given[name]:
            raise SpecError(f"{name}: kind={kind!r} needs {name.replace('_', ' ')} (column names, one per "
                            f"{name.split('_')[0]}, or one vector for every DMU)")
    for name, present in given.items():
        if present and name not in need[kind]:
            other = "revenue" if name == "output_prices" else "cost"
            raise SpecError(f"{name}: {kind} efficiency does not use {name.replace('_', ' ')}; leave them out, "
                            f"or use kind='profit' (both prices) or kind={other!r}")


def _prices(raw: RawTable | None, fd: FrontierData, prices, role: str) -> np.ndarray:
    """Prices of the inputs (``role`` 'input') or outputs as an (n, k) array, checked (finite, >= 0)."""
    option = f"{role}_prices"
    names = fd.input_names if role == "input" else fd.output_names
    k, n = len(names), fd.n
    if isinstance(prices, dict):
        unknown = [v for v in prices if v not in names]
        if unknown:
            raise SpecError(f"{option}: {unknown[0]!r} is not one of the {role}s ({', '.join(names)})")
        missing = [v for v in names if v not in prices]
        if missing:
            raise SpecError(f"{option}: no price for the {role} {missing[0]!r} (every {role} needs one: "
                            f"{', '.join(names)})")
        prices = [prices[v] for v in names]
    if isinstance(prices, str):
        prices = [p.strip() for p in prices.split(",") if p.strip()]
    if isinstance(prices, (list, tuple)) and prices and all(isinstance(p, str) for p in prices):
        return _price_columns(raw, fd, list(prices), role)
    if isinstance(prices, (list, tuple)) and any(isinstance(p, str) for p in prices):
        raise SpecError(f"{option}: give column names or numbers, not both ({list(prices)!r})")
    try:
        arr = np.asarray(prices, dtype=np.float64)
    except (TypeError, ValueError):
        raise SpecError(f"{option}: expected column names, one number per {role}, or an (n, {k}) array; got "
                        f"{prices!r}") from None
    per_dmu = arr.ndim == 2
    if arr.ndim == 1:
        if arr.shape[0] != k:
            raise SpecError(f"{option}: {arr.shape[0]} price{'s' if arr.shape[0] != 1 else ''} for {k} {role}"
                            f"{'s' if k != 1 else ''} ({', '.join(names)})")
        arr = np.tile(arr, (n, 1))
    elif arr.ndim != 2 or arr.shape != (n, k):
        raise SpecError(f"{option}: an array of prices must have shape ({n}, {k}) (DMUs x {role}s), got "
                        f"{arr.shape}")
    for j in range(k):
        col = arr[:, j]
        for mask, problem in ((~np.isfinite(col), "missing or infinite price"), (col < 0, "negative price")):
            bad = np.flatnonzero(mask)
            if bad.size:
                i = int(bad[0])
                where = f", {fd.where(i)}" if per_dmu else ""
                raise DataError(f"{option}: the price of {role} {names[j]!r}{where}: {problem} ({col[i]:g})")
    return np.ascontiguousarray(arr)


def _price_columns(raw: RawTable | None, fd: FrontierData, columns: list[str], role: str) -> np.ndarray:
    option = f"{role}_prices"
    names = fd.input_names if role == "input" else fd.output_names
    if raw is None:
        raise SpecError(f"{option}: column names need a table (data= a DataFrame or CSV path); with arrays give "
                        f"one vector of prices or an (n, {len(names)}) array")
    if len(columns) != len(names):
        raise SpecError(f"{option}: {len(columns)} price column{'s' if len(columns) != 1 else ''} for "
                        f"{len(names)} {role}{'s' if len(names) != 1 else ''} ({', '.join(names)}); give one per "
                        f"{role}, in the same order")
    used = {c: "input" for c in fd.input_names} | {c: "output" for c in fd.output_names}
    used |= {c: "id" for c in (fd.ids.names or []) if c is not None}
    cols = []
    for c in columns:
        if c not in raw.frame.columns:
            raise _unknown_column(raw.source, c, f"{role} price", list(raw.frame.columns))
        if c in used:
            raise SpecError(f"{option}: column {c!r} is the {used[c]} column {c!r}, not a price")
        values = _numeric_column(raw, c, fd.ids, nonnegative=False)
        bad = np.flatnonzero(values < 0)
        if bad.size:
            i = int(bad[0])
            more = f" ({bad.size - 1} more rows like it)" if bad.size > 1 else ""
            raise DataError(f"{raw.source}: column {c!r}, {raw.where(i, fd.ids[i])}: negative price "
                            f"{values[i]:g}; prices must be >= 0{more}")
        cols.append(values)
    return np.ascontiguousarray(np.column_stack(cols))


def _check_zero_prices(fd: FrontierData, W, P, kind: str) -> None:
    """Every DMU needs a price > 0 somewhere: with all prices 0 there is nothing to minimise or maximise."""
    blocks = [b for b in (W, P) if b is not None]
    zero = ~np.any(np.hstack(blocks) > 0, axis=1)
    if zero.any():
        i = int(np.flatnonzero(zero)[0])
        more = f" ({int(zero.sum()) - 1} more DMUs like it)" if zero.sum() > 1 else ""
        what = {"cost": "input prices", "revenue": "output prices", "profit": "input and output prices"}[kind]
        raise DataError(f"{fd.source}: {fd.where(i)}: all {what} are 0; its {kind} efficiency is undefined{more}")


# --------------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------------

def _to_one(v: np.ndarray) -> np.ndarray:
    """Ratios in (0, 1] that exceed 1 by rounding only, set to 1."""
    return np.where((v > 1.0) & (v <= 1.0 + ROUNDING), 1.0, v)


def _warn_unsolved(code: np.ndarray, kind: str, rts: RTS) -> None:
    bad = code != LPStatus.OPTIMAL
    if not bad.any():
        return
    labels, counts = np.unique(STATUS_LABELS[code[bad]], return_counts=True)
    detail = ", ".join(f"{c} {lab}" for lab, c in zip(labels, counts))
    hint = ""
    if kind == "profit" and "unbounded" in labels:
        hint = (f"; under {rts.value.upper()} the maximal profit is unbounded as soon as one point of the "
                "technology makes a profit (use rts='vrs' or 'nirs', or restricted=True)")
    warnings.warn(f"{kind} efficiency: {int(bad.sum())} of {code.size} DMUs have no optimal {kind} ({detail}); their "
                  f"values are NaN and `status` says why{hint}", SolveWarning, stacklevel=3)
