"""Spatial dependence of a score: spatial weights, global and local Moran's I (issue 18).

Spatial weights come from a neighbours table (unit, neighbour), a dict, a libpysal ``W``, or
coordinates (k nearest neighbours or a distance band); :func:`spatial_weights` returns a libpysal
``W`` whose row order is the order of the ids given (never re-sorted).

Moran's I (Moran 1950; Cliff and Ord 1981) of a variable y over n units with weights w_ij:

    I = n / S0 * z'Wz / z'z,     z = y - mean(y),  S0 = sum_ij w_ij,

with E[I] = -1 / (n - 1), its variance under normality and under randomisation (Cliff and Ord 1981,
ch. 2), and a permutation test. The local statistic (Anselin 1995, LISA) is
I_i = (n - 1) z_i sum_j w_ij z_j / z'z with z standardised, its conditional-permutation pseudo p-value
and the Moran-scatter quadrant of each unit (HH: high value among high neighbours, LH, LL, HL).

The statistics are computed by PySAL's maintained implementation (``esda.Moran`` for I, its moments
and its permutation test; ``esda.Moran_Local`` for I_i, E[I_i] and the quadrants; the weights by
``libpysal``): the optional extra ``[spatial]``. One piece is written here: the conditional
permutation test of the local I_i (the same scheme as esda's ``crand``, drawn with a seeded numpy
Generator), because esda's kernel is compiled by numba in every new process (15-40 s on first use),
too slow for a command-line call. This module also reads and checks the data, aligns the weights
with the units, seeds the permutations and lays out the results. libpysal and esda are imported
when a function needs them; when they are missing the function raises a
:class:`~efficiency.errors.SpecError` that names the package and the extra.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import (
    RawTable,
    _as_name_list,
    _id_values,
    _numeric_column,
    _unknown_column,
    as_raw_table,
    format_id,
)
from ..errors import DataError, EfficiencyWarning, SpecError
from ..panel import period_output, period_values, require_balanced_cells, unit_period_cells
from ..results import Result

__all__ = ["MoranResult", "ScorePanel", "fig_moran", "moran", "score_panel", "spatial_weights"]

_EXTRA = "pip install 'innovation-efficiency[spatial]'"
_TRANSFORMS = {"r": "R", "b": "B", "d": "D", "v": "V", "o": "O"}
_QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}


def _stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first caller outside the ``efficiency`` package
    (for a warning raised by the function that calls this one)."""
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_globals.get("__name__", "").startswith("efficiency"):
        frame, level = frame.f_back, level + 1
    return level


def _require(package: str, what: str):
    """Import an optional package (libpysal, esda), or raise a SpecError naming it and the extra."""
    import importlib

    try:
        return importlib.import_module(package)
    except ImportError:
        raise SpecError(f"{what} needs the optional package {package!r} ({_EXTRA})") from None


# --------------------------------------------------------------------------------------------------
# A panel of one score (units x periods), balanced
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ScorePanel:
    """One score column of a table, laid out units x periods: ``Y[u, t]`` is the value of unit
    ``units[u]`` (order of first appearance) in period ``periods[t]`` (ascending; a single period
    ``None`` without a period column). ``rows[u, t]`` is its data row. Every unit has every period."""

    source: str
    id_name: str
    period_name: str | None
    value_name: str
    units: pd.Index
    periods: np.ndarray | None
    Y: np.ndarray
    rows: np.ndarray


def score_panel(data, value: str, id: str, period: str | None = None, *, what: str,
                min_units: int = 3) -> ScorePanel:
    """Read and check a score table: a DataFrame or CSV path with a unit id column, an optional numeric
    period column and the numeric ``value`` column (any sign). Errors (DataError) name the file,
    column and row: a missing id or value, a non-numeric value or period, a unit twice in a period,
    and a unit without a row in some period (``what`` needs a balanced panel)."""
    id_cols = _as_name_list(id, "id")
    if len(id_cols) != 1:
        raise SpecError(f"id: {what} needs one unit id column (id='region'), got {id!r}")
    id_name = id_cols[0]
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"value: {what} needs the score column (value='efficiency'), got {value!r}")
    if period is not None and (not isinstance(period, str) or not period.strip()):
        raise SpecError(f"period: expected a column name, got {period!r}")
    if period == id_name or value in (id_name, period):
        raise SpecError(f"id={id_name!r}, period={period!r}, value={value!r}: the three columns must differ")
    raw = as_raw_table(data, what="scores")
    frame = raw.frame
    for col, role in ((id_name, "id"), (value, "value"), (period, "period")):
        if col is not None and col not in frame.columns:
            raise _unknown_column(raw.source, col, role, list(frame.columns))
    idcol = frame[id_name]
    miss = idcol.isna().to_numpy() | idcol.map(lambda v: isinstance(v, str) and not v.strip()).to_numpy()
    if miss.any():
        i = int(np.flatnonzero(miss)[0])
        raise DataError(f"{raw.source}: column {id_name!r}, {raw.where(i)}: missing id")
    ids = _id_values(idcol, from_text=raw.lines is not None)
    if ids.dtype == object:
        ids = np.array([v.strip() if isinstance(v, str) else v for v in ids], dtype=object)
    row_ids = pd.Index(ids, name=id_name)
    y = _numeric_column(raw, value, row_ids, nonnegative=False)
    codes, units = row_ids.factorize()
    units = pd.Index(units, name=id_name)
    if period is None:
        pcode = np.zeros(len(frame), dtype=np.int64)
        periods = None
        T = 1
    else:
        pvals = period_values(raw, period, [id_name])
        periods_f, pcode = np.unique(pvals, return_inverse=True)
        periods = period_output(periods_f)
        T = len(periods_f)
    U = len(units)
    grid, r = unit_period_cells(codes, pcode, U, T)
    if r is not None:
        first = int(np.flatnonzero((codes == codes[r]) & (pcode == pcode[r]))[0])
        where = (" (a panel? give the period column, period='year')" if period is None
                 else f" in period {format_id(periods[pcode[r]])}")
        cols = ", ".join(repr(c) for c in [id_name] + ([period] if period else []))
        raise DataError(f"{raw.source}: column{'s' if period else ''} {cols}: unit {format_id(units[codes[r]])!r} "
                        f"appears twice, in {raw.where(first)} and {raw.where(r)}{where}")
    require_balanced_cells(grid, raw.source, [id_name, period], lambda u: format_id(units[u]),
                           lambda t: format_id(periods[t]), what)
    if U < min_units:
        raise DataError(f"{raw.source}: column {id_name!r}: {U} unit{'s' if U != 1 else ''}; {what} needs at "
                        f"least {min_units}")
    return ScorePanel(raw.source, id_name, period, value, units, periods, y[grid], grid)


# --------------------------------------------------------------------------------------------------
# Spatial weights
# --------------------------------------------------------------------------------------------------

def _id_lookup(ids: list) -> dict[str, int]:
    """Position of each id, keyed by its text (a CSV names units as text, the data may hold int64)."""
    out: dict[str, int] = {}
    for pos, v in enumerate(ids):
        key = format_id(v).strip()
        if key in out:
            raise SpecError(f"ids: {format_id(ids[out[key]])!r} and {format_id(v)!r} are the same unit name "
                            "(ids must be unique)")
        out[key] = pos
    return out


def _cell_text(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v).strip()


def _neighbours_table(neighbours, lookup: dict[str, int], ids: list) -> tuple[list[set], str]:
    """Neighbour sets (positions) from a two-column table: unit, neighbour (file/row named on error)."""
    raw: RawTable = as_raw_table(neighbours, what="neighbours")
    frame = raw.frame
    if frame.shape[1] != 2:
        raise DataError(f"{raw.source}: a neighbours table has two columns (unit, neighbour); this one has "
                        f"{frame.shape[1]}: {', '.join(repr(str(c)) for c in frame.columns[:10])}")
    if len(frame) == 0:
        raise DataError(f"{raw.source}: the neighbours table has no rows")
    cols = [str(c) for c in frame.columns]
    sets: list[set] = [set() for _ in ids]
    a_col, b_col = (frame.iloc[:, j].map(_cell_text).to_numpy() for j in range(2))
    for i in range(len(frame)):
        pos = []
        for col, cell in ((cols[0], a_col[i]), (cols[1], b_col[i])):
            if not cell:
                raise DataError(f"{raw.source}: column {col!r}, {raw.where(i)}: missing unit")
            if cell not in lookup:
                shown = ", ".join(repr(format_id(v)) for v in ids[:10]) + (", ..." if len(ids) > 10 else "")
                raise DataError(f"{raw.source}: column {col!r}, {raw.where(i)}: unknown unit {cell!r}; it is not "
                                f"one of the {len(ids)} units of the data ({shown})")
            pos.append(lookup[cell])
        if pos[0] == pos[1]:
            raise DataError(f"{raw.source}: {raw.where(i)}: unit {a_col[i]!r} is listed as its own neighbour")
        sets[pos[0]].add(pos[1])
    return sets, raw.source


def _coordinates(coordinates, lookup: dict[str, int], ids: list) -> np.ndarray:
    """An (n, 2) array of x, y in the order of ``ids``: from an array, or a table whose first three
    columns are the unit id, x and y."""
    n = len(ids)
    if isinstance(coordinates, np.ndarray):
        arr = np.asarray(coordinates, dtype=np.float64)
        if arr.shape != (n, 2):
            raise DataError(f"<coordinates array>: shape {arr.shape}; expected ({n}, 2), one row (x, y) per unit "
                            "in the order of the ids")
        bad = np.flatnonzero(~np.isfinite(arr).all(axis=1))
        if bad.size:
            raise DataError(f"<coordinates array>: row {bad[0] + 1} (unit {format_id(ids[bad[0]])!r}): missing or "
                            "infinite coordinate")
        return arr
    raw = as_raw_table(coordinates, what="coordinates")
    frame = raw.frame
    if frame.shape[1] < 3:
        raise DataError(f"{raw.source}: a coordinates table has three columns (unit id, x, y); this one has "
                        f"{frame.shape[1]}")
    cols = [str(c) for c in frame.columns[:3]]
    names = frame.iloc[:, 0].map(_cell_text).to_numpy()
    tags = pd.Index(names)
    xy = np.column_stack([_numeric_column(raw, c, tags, nonnegative=False) for c in cols[1:]])
    out = np.full((n, 2), np.nan)
    seen: dict[int, int] = {}
    for i, cell in enumerate(names):
        if not cell:
            raise DataError(f"{raw.source}: column {cols[0]!r}, {raw.where(i)}: missing unit")
        if cell not in lookup:
            raise DataError(f"{raw.source}: column {cols[0]!r}, {raw.where(i)}: unknown unit {cell!r}; it is not "
                            f"one of the {n} units of the data")
        pos = lookup[cell]
        if pos in seen:
            raise DataError(f"{raw.source}: column {cols[0]!r}: unit {cell!r} appears twice, in "
                            f"{raw.where(seen[pos])} and {raw.where(i)}")
        seen[pos] = i
        out[pos] = xy[i]
    absent = [ids[p] for p in range(n) if p not in seen]
    if absent:
        raise DataError(f"{raw.source}: column {cols[0]!r}: no coordinates for unit {format_id(absent[0])!r}"
                        + (f" ({len(absent) - 1} more units)" if len(absent) > 1 else ""))
    return out


def _warn_islands(sets: list[set], ids: list, origin: str) -> None:
    lonely = [format_id(ids[p]) for p, s in enumerate(sets) if not s]
    if lonely:
        shown = ", ".join(repr(v) for v in lonely[:10]) + (", ..." if len(lonely) > 10 else "")
        warnings.warn(f"{origin}: {len(lonely)} unit{'s have' if len(lonely) > 1 else ' has'} no neighbours "
                      f"(island{'s' if len(lonely) > 1 else ''}: {shown}); the spatial lag of an island is 0",
                      EfficiencyWarning, stacklevel=_stacklevel())


def spatial_weights(ids, neighbours=None, coordinates=None, k: int | None = None, threshold: float | None = None,
                    transform: str = "r", symmetric: bool = True, radius: float | None = None):
    """Spatial weights over the units ``ids`` (their order is the row order of the result), as a libpysal
    ``W`` (``w.id_order == list(ids)``).

    Give exactly one of

    * ``neighbours``: a table (DataFrame or CSV path) of two columns, unit and neighbour, one pair per
      row (the column names are free); or a dict ``{unit: [neighbours]}``; or a libpysal ``W`` (its
      units must be ``ids``; its weights are kept and re-ordered to ``ids``). Contiguity is symmetric:
      with ``symmetric=True`` (default) a pair listed once, (a, b), makes a a neighbour of b and b a
      neighbour of a; with ``symmetric=False`` the pairs are read as given, as directed links (b is a
      neighbour of a). Repeated pairs count once (binary weights). A unit or neighbour that is not
      one of ``ids`` is a DataError naming the file, column and row; so is a unit listed as its own
      neighbour. A unit without neighbours (an island) gives an EfficiencyWarning naming it.
    * ``coordinates``: a table whose first three columns are the unit id, x and y (one row per unit),
      or an (n, 2) array in the order of ``ids``, with ``k`` (the k nearest neighbours, libpysal
      ``KNN``; not symmetric in general) or ``threshold`` (every unit within Euclidean distance
      ``threshold``, libpysal ``DistanceBand``, binary). Distances are Euclidean in the coordinates'
      units (projected coordinates); with ``radius`` (e.g. 6371.0 for km) the coordinates are
      longitude and latitude in degrees and distances are great-circle distances (arc * radius).

    ``transform`` is libpysal's: "r" row-standardised (each row sums to 1; default, islands keep a
    zero row), "b" binary, "d" doubly standardised, "v" variance stabilising, "o" as built.
    """
    tf = _TRANSFORMS.get(str(transform).lower()) if transform is not None else None
    if tf is None:
        raise SpecError(f"transform: {transform!r} is not one of 'r' (row-standardised), 'b' (binary), 'd', 'v', 'o'")
    if (neighbours is None) == (coordinates is None):
        raise SpecError("spatial_weights: give either neighbours (a table of unit, neighbour pairs) or "
                        "coordinates (id, x, y), not " + ("both" if neighbours is not None else "neither"))
    if neighbours is not None and (k is not None or threshold is not None or radius is not None):
        raise SpecError("k, threshold and radius apply to coordinates, not to a neighbours table")
    ids = list(pd.Index(ids).tolist())
    if len(ids) < 2:
        raise DataError(f"spatial weights need at least two units, got {len(ids)}")
    lookup = _id_lookup(ids)
    weights_mod = _require("libpysal", "spatial weights").weights
    n = len(ids)
    if coordinates is not None:
        if (k is None) == (threshold is None):
            raise SpecError("coordinates: give k (k nearest neighbours) or threshold (distance band), "
                            + ("not both" if k is not None else "one of them"))
        xy = _coordinates(coordinates, lookup, ids)
        extra = {} if radius is None else {"radius": float(radius)}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if k is not None:
                if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k < n:
                    raise SpecError(f"k: the number of nearest neighbours must be an integer in 1..{n - 1}, got {k!r}")
                built = weights_mod.KNN.from_array(xy, k=int(k), **extra)
                origin = f"{k} nearest neighbours"
            else:
                if not isinstance(threshold, (int, float, np.number)) or not threshold > 0:
                    raise SpecError(f"threshold: the distance band must be a positive number, got {threshold!r}")
                built = weights_mod.DistanceBand.from_array(xy, threshold=float(threshold), binary=True,
                                                            silence_warnings=True, **extra)
                origin = f"distance band {threshold:g}"
        sets = [{int(j) for j in built.neighbors[p]} for p in range(n)]
        wts = None
    elif isinstance(neighbours, weights_mod.W):
        given = neighbours
        pos = {}
        for key in given.id_order:
            text = format_id(key).strip()
            if text not in lookup:
                raise DataError(f"neighbours (a libpysal W): unknown unit {format_id(key)!r}; it is not one of the "
                                f"{n} units of the data")
            pos[key] = lookup[text]
        if len(pos) != n:
            absent = [ids[p] for p in range(n) if p not in set(pos.values())]
            raise DataError(f"neighbours (a libpysal W): no row for unit {format_id(absent[0])!r}")
        sets = [set() for _ in ids]
        wts = [{} for _ in ids]
        for key in given.id_order:
            for nb, wt in zip(given.neighbors[key], given.weights[key]):
                sets[pos[key]].add(pos[nb])
                wts[pos[key]][pos[nb]] = float(wt)
        origin = "neighbours (a libpysal W)"
        if tf != "O":
            wts = None          # the transform is applied to the binary links, as for a table
    else:
        if isinstance(neighbours, dict):
            sets = [set() for _ in ids]
            for unit, nbs in neighbours.items():
                a = format_id(unit).strip()
                if a not in lookup:
                    raise DataError(f"<neighbours dict>: unknown unit {a!r}; it is not one of the {n} units of the data")
                for nb in ([nbs] if isinstance(nbs, (str, int, np.integer)) else list(nbs)):
                    b = format_id(nb).strip()
                    if b not in lookup:
                        raise DataError(f"<neighbours dict>: key {a!r}: unknown neighbour {b!r}")
                    if b == a:
                        raise DataError(f"<neighbours dict>: key {a!r}: a unit cannot be its own neighbour")
                    sets[lookup[a]].add(lookup[b])
            origin = "<neighbours dict>"
        else:
            sets, origin = _neighbours_table(neighbours, lookup, ids)
        if symmetric:
            for p in range(n):
                for q in list(sets[p]):
                    sets[q].add(p)
        wts = None
    _warn_islands(sets, ids, origin)
    order = [sorted(s) for s in sets]
    nb = {ids[p]: [ids[q] for q in order[p]] for p in range(n)}
    wt = {ids[p]: ([1.0] * len(order[p]) if wts is None else [wts[p][q] for q in order[p]]) for p in range(n)}
    w = weights_mod.W(nb, wt, id_order=ids, silence_warnings=True)
    if tf != "O":
        w.transform = tf
    return w


# --------------------------------------------------------------------------------------------------
# Moran's I
# --------------------------------------------------------------------------------------------------

@contextlib.contextmanager
def _global_numpy_seed(seed: int | None):
    """Seed numpy's global generator (esda.Moran permutes with it) and restore its state afterwards."""
    if seed is None:
        yield
        return
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


@dataclass(frozen=True)
class MoranResult(Result):
    """Global and local Moran's I of ``value``, one global row per period.

    ``table`` (``to_frame()``): the period column (when there is one), ``n``, ``I``, ``EI`` (= -1/(n-1)),
    ``VI_norm``, ``z_norm``, ``p_norm`` (normality), ``VI_rand``, ``z_rand``, ``p_rand``
    (randomisation; both p two-sided), ``EI_sim``, ``z_sim``, ``p_sim`` (permutation: the pseudo
    p-value (m + 1) / (permutations + 1), m the number of permuted I at least as extreme as the
    observed one in its own direction (esda's folded one-sided rule); NaN when permutations=0) and
    ``status`` ('ok', or 'constant' when the score does not vary: I undefined, NaN).

    ``local``: one row per unit x period (units in order of first appearance): the id, the period,
    ``value``, ``std_value`` (z_i = (y_i - mean) / sd, sd with divisor n), ``lag`` (sum_j w_ij z_j),
    ``Ii``, ``EI`` (analytic expectation under total randomisation, Sokal et al. 1998), ``z``
    (permutation z of Ii: (Ii - mean of permuted) / their sd), ``p`` (conditional-permutation
    pseudo p-value, folded as above), ``quadrant`` (HH, LH, LL, HL of the Moran scatter plot: the
    sign of z_i, then of the lag; None for an island) and ``significant`` (p <= alpha)."""

    value_name: str
    id_name: str
    period_name: str | None
    periods: tuple
    table: pd.DataFrame
    local: pd.DataFrame
    weights: object
    transform: str
    permutations: int
    seed: int | None
    alpha: float

    @property
    def status(self) -> pd.Series:
        return self.table["status"]

    @property
    def I(self) -> pd.Series:
        return self.table["I"]

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        w = self.weights
        lines = [(f"Moran's I of {self.value_name!r}: {w.n} units, {len(self.periods)} period(s); weights "
                 f"transform {self.transform}, mean neighbours {w.mean_neighbors:.3g}, islands {len(w.islands)}; "
                 f"{self.permutations} permutations (seed {self.seed})")]
        t = self.table
        head = f"{'period':>10} {'I':>9} {'E[I]':>9} {'z_norm':>8} {'p_norm':>8} {'z_rand':>8} {'p_rand':>8} {'p_sim':>8}"
        lines.append(head)
        for r in range(len(t)):
            row = t.iloc[r]
            per = "-" if self.period_name is None else format_id(row[self.period_name])
            lines.append(f"{per:>10} {row['I']:9.4f} {row['EI']:9.4f} {row['z_norm']:8.3f} {row['p_norm']:8.4f} "
                         f"{row['z_rand']:8.3f} {row['p_rand']:8.4f} {row['p_sim']:8.4f}")
        loc = self.local
        sig = loc[loc["significant"]]
        counts = sig["quadrant"].value_counts()
        lines.append(f"local: {len(sig)} of {len(loc)} unit-periods significant at {self.alpha:g} ("
                     + ", ".join(f"{q} {int(counts.get(q, 0))}" for q in ("HH", "LH", "LL", "HL")) + ")")
        return "\n".join(lines)


_GLOBAL_COLUMNS = ["n", "I", "EI", "VI_norm", "z_norm", "p_norm", "VI_rand", "z_rand", "p_rand", "EI_sim", "z_sim",
                   "p_sim"]


def moran(data, value: str, id: str, period: str | None = None, neighbours=None, coordinates=None,
          k: int | None = None, threshold: float | None = None, transform: str | None = None,
          permutations: int = 999, seed: int | None = None, alpha: float = 0.05,
          symmetric: bool = True, radius: float | None = None) -> MoranResult:
    """Global and local Moran's I of the score ``value`` per period (one cross-section without
    ``period``), with the weights from :func:`spatial_weights` (``neighbours`` or ``coordinates`` with
    ``k``/``threshold``; ``transform`` default "r"; a libpysal W given as ``neighbours`` keeps its
    own weights unless ``transform`` is given).

    Computed by ``esda.Moran`` (global; Cliff and Ord 1981 moments and its permutation test) and
    ``esda.Moran_Local`` (Anselin 1995: I_i, E[I_i], quadrants); the local conditional permutations
    are drawn here with numpy (see the module docstring). Permutations are seeded: period t of the
    global test uses the t-th seed spawned from ``seed`` (numpy SeedSequence) in numpy's global
    generator (which esda.Moran uses; its state is restored afterwards), the local test a Generator
    spawned from ``seed + 1``; the same seed gives the same p-values, ``seed=None`` fresh ones.
    The panel must be balanced (every unit in every period) with at least 4 units; see
    :class:`MoranResult` for the columns.
    """
    if isinstance(permutations, bool) or not isinstance(permutations, (int, np.integer)) or permutations < 0:
        raise SpecError(f"permutations: expected a non-negative integer, got {permutations!r}")
    if not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        raise SpecError(f"alpha: expected a number in (0, 1), got {alpha!r}")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise SpecError(f"seed: expected a non-negative integer or None, got {seed!r}")
    panel = score_panel(data, value, id, period, what="Moran's I", min_units=4)   # VI_rand divides by n - 3
    w = _weights_for(panel, neighbours, coordinates, k, threshold, transform, symmetric, radius)
    esda = _require("esda", "Moran's I")
    tf = w.transform
    T = panel.Y.shape[1]
    seeds = ([None] * T if seed is None else
             [int(s.generate_state(1)[0]) for s in np.random.SeedSequence(int(seed)).spawn(T)])
    rows, local_parts, status = [], [], []
    ids = panel.units
    n = len(ids)
    islands = np.array([len(w.neighbors[u]) == 0 for u in w.id_order])
    W_sp = w.sparse.tocsr()
    neigh = [W_sp.indices[W_sp.indptr[i]:W_sp.indptr[i + 1]] for i in range(n)]
    wvals = [W_sp.data[W_sp.indptr[i]:W_sp.indptr[i + 1]] for i in range(n)]
    local_rngs = [np.random.default_rng(s) for s in
                  (np.random.SeedSequence(None if seed is None else int(seed) + 1).spawn(T))]
    constant = []
    for t in range(T):
        y = panel.Y[:, t]
        per = {} if panel.period_name is None else {panel.period_name: panel.periods[t]}
        if np.ptp(y) == 0:
            constant.append(t)
            rows.append({**per, "n": n, **{c: np.nan for c in _GLOBAL_COLUMNS[1:]}, "EI": -1.0 / (n - 1)})
            status.append("constant")
            nanv = np.full(n, np.nan)
            local_parts.append(pd.DataFrame({panel.id_name: ids.to_numpy(), **{k_: np.repeat(v, n) for k_, v in per.items()},
                                             "value": y, "std_value": nanv, "lag": nanv, "Ii": nanv, "EI": nanv,
                                             "z": nanv, "p": nanv, "quadrant": None, "significant": False}))
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            with _global_numpy_seed(seeds[t]):
                g = esda.Moran(y, w, transformation=tf, permutations=int(permutations), two_tailed=True)
            loc = esda.Moran_Local(y, w, transformation=tf, permutations=0, n_jobs=1)
        sim = bool(permutations)
        rows.append({**per, "n": n, "I": float(g.I), "EI": float(g.EI), "VI_norm": float(g.VI_norm),
                     "z_norm": float(g.z_norm), "p_norm": float(g.p_norm), "VI_rand": float(g.VI_rand),
                     "z_rand": float(g.z_rand), "p_rand": float(g.p_rand),
                     "EI_sim": float(g.EI_sim) if sim else np.nan, "z_sim": float(g.z_sim) if sim else np.nan,
                     "p_sim": float(g.p_sim) if sim else np.nan})
        status.append("ok")
        z = (y - y.mean()) / y.std()
        Ii = np.asarray(loc.Is, dtype=float)
        if sim:
            z_loc, p_loc = _local_permutations(z, Ii, neigh, wvals, int(permutations), local_rngs[t])
        else:
            z_loc = p_loc = np.full(n, np.nan)
        quad = np.array([_QUADRANTS[int(q)] for q in loc.q], dtype=object)
        quad[islands] = None
        local_parts.append(pd.DataFrame({
            panel.id_name: ids.to_numpy(), **{k_: np.repeat(v, n) for k_, v in per.items()},
            "value": y, "std_value": z, "lag": W_sp @ z, "Ii": Ii, "EI": np.asarray(loc.EI, dtype=float),
            "z": z_loc, "p": p_loc,
            "quadrant": quad, "significant": (p_loc <= alpha) & ~islands}))
    if constant:
        shown = ", ".join(format_id(panel.periods[t]) if panel.periods is not None else "-" for t in constant[:10])
        warnings.warn(f"{panel.source}: column {value!r} does not vary in period(s) {shown}; Moran's I is "
                      "undefined there (NaN, status 'constant')", EfficiencyWarning, stacklevel=_stacklevel())
    table = pd.DataFrame(rows)
    table["status"] = status
    local = pd.concat(local_parts, ignore_index=True)
    return MoranResult(value, panel.id_name, panel.period_name,
                       tuple(panel.periods.tolist()) if panel.periods is not None else (None,), table, local, w,
                       tf, int(permutations), seed, float(alpha))


def _local_permutations(z: np.ndarray, Ii: np.ndarray, neigh: list, wvals: list, permutations: int,
                        rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Conditional permutation test of the local Moran's I (Anselin 1995): z_i held fixed,
    its k_i neighbours' values drawn without replacement from the other n - 1 units, ``permutations``
    times, as esda's ``crand`` does (one draw of the permuted ids shared by all units). Returns the
    permutation z, (Ii - mean) / sd of the draws, and the folded pseudo p-value (m + 1) / (P + 1), m
    the number of draws at least as large as Ii (or, when fewer than half are, as small). Draws equal
    to Ii up to rounding (1e-12 relative: the same neighbours in another order, whose sum is rounded
    differently) count as at least as large. Islands get NaN."""
    n = z.size
    kmax = max((len(a) for a in neigh), default=0)
    zp = np.full(n, np.nan)
    pp = np.full(n, np.nan)
    if kmax == 0:
        return zp, pp
    ids = rng.permuted(np.tile(np.arange(n - 1), (permutations, 1)), axis=1)[:, :kmax]
    den = float(z @ z)
    for i in range(n):
        k = len(neigh[i])
        if k == 0:
            continue
        draw = ids[:, :k].copy()
        draw[draw >= i] += 1                       # skip unit i itself
        sims = (n - 1) * z[i] * (z[draw] @ wvals[i]) / den
        larger = int((sims >= Ii[i] - 1e-12 * max(1.0, abs(Ii[i]))).sum())   # ties within rounding count
        larger = min(larger, permutations - larger)
        pp[i] = (larger + 1.0) / (permutations + 1.0)
        sd = sims.std()
        zp[i] = (Ii[i] - sims.mean()) / sd if sd > 0 else np.nan
    return zp, pp


def _weights_for(panel: ScorePanel, neighbours, coordinates, k, threshold, transform, symmetric, radius):
    """The weights over the panel's units (in their order) from the options of moran / markov."""
    wmod = None
    if neighbours is not None and not isinstance(neighbours, (str, os.PathLike, pd.DataFrame, dict)):
        wmod = _require("libpysal", "spatial weights").weights
    if wmod is not None and isinstance(neighbours, wmod.W):
        return spatial_weights(panel.units, neighbours=neighbours, transform="o" if transform is None else transform)
    return spatial_weights(panel.units, neighbours=neighbours, coordinates=coordinates, k=k, threshold=threshold,
                           transform="r" if transform is None else transform, symmetric=symmetric, radius=radius)


def fig_moran(result: MoranResult, period=None):
    """Moran scatter plot of one period (default: the last): the standardised score z (x) against its
    spatial lag Wz (y), the least-squares line through the origin (slope z'Wz / z'z, which is Moran's
    I under row-standardised weights without islands), the quadrant axes, and the units significant at
    ``alpha`` coloured by quadrant. Returns a matplotlib Figure."""
    from ..plotting import pyplot

    plt = pyplot()
    loc = result.local
    if result.period_name is not None:
        if period is None:
            period = result.periods[-1]
        pick = loc[result.period_name] == period
        if not pick.any():
            raise SpecError(f"period: {period!r} is not one of the periods {list(result.periods)}")
        loc = loc[pick]
        row = result.table[result.table[result.period_name] == period].iloc[0]
    else:
        row = result.table.iloc[0]
    fig, ax = plt.subplots(figsize=(6, 5.5))
    z, lag = loc["std_value"].to_numpy(), loc["lag"].to_numpy()
    colours = {"HH": "#d7191c", "LH": "#abd9e9", "LL": "#2c7bb6", "HL": "#fdae61"}
    sig = loc["significant"].to_numpy()
    ax.scatter(z[~sig], lag[~sig], s=22, color="0.6", label="not significant")
    for q, col in colours.items():
        mask = sig & (loc["quadrant"].to_numpy() == q)
        if mask.any():
            ax.scatter(z[mask], lag[mask], s=30, color=col, edgecolor="k", linewidth=0.4,
                       label=f"{q} (p <= {result.alpha:g})")
    if np.isfinite(z).all() and (z @ z) > 0:
        slope = float(z @ lag / (z @ z))
        xs = np.array([z.min(), z.max()])
        ax.plot(xs, slope * xs, color="k", linewidth=1.2, label=f"slope {slope:.3f}")
    ax.axhline(0, color="0.4", linewidth=0.8, linestyle="--")
    ax.axvline(0, color="0.4", linewidth=0.8, linestyle="--")
    ax.set_xlabel(f"{result.value_name} (standardised)")
    ax.set_ylabel(f"spatial lag of {result.value_name} (standardised)")
    when = "" if result.period_name is None else f", {result.period_name} {format_id(period)}"
    ax.set_title(f"Moran scatter plot{when}: I = {row['I']:.4f}, p_sim = {row['p_sim']:.3g}")
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return fig
