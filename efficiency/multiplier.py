"""The multiplier (dual) form of radial DEA, with weight restrictions (DESIGN section 11).

Charnes, Cooper and Rhodes (1978) for CRS, Banker, Charnes and Cooper (1984) for VRS. For DMU o with
input weights v >= 0, output weights u >= 0 and the free variable u0 (all DMUs j):

* input:  efficiency theta = max u.y_o + u0      s.t.  v.x_o = 1,  u.y_j + u0 <= v.x_j
* output: Farrell phi      = min v.x_o - u0      s.t.  u.y_o = 1,  u.y_j + u0 <= v.x_j;  efficiency = 1/phi

(the duals of the envelopment LPs of ``ef.dea``: the same efficiencies). u0 is the intercept of the
supporting hyperplane u.y + u0 = v.x, which every DMU lies on or below; its range is the returns-to-
scale row of the envelopment form: CRS u0 = 0, VRS free, NIRS u0 <= 0, NDRS u0 >= 0. Where it is
unique, u0 > 0 means increasing, u0 = 0 constant and u0 < 0 decreasing returns to scale at the DMU's
projection (Banker, Charnes and Cooper 1984; Banker and Thrall 1992). In other packages' signs:
deaR's ``multiplier_rts`` is u0 (io) and -u0 (oo); Benchmarking's ``gamma2 - gamma1`` is u0 in both.

``weight_bounds`` adds restrictions on the weights: ratios of two input or two output weights
(assurance regions, Thompson et al. 1990), absolute bounds, and bounds on the share of a virtual
input or output (Wong and Beasley 1990); see :mod:`efficiency.dea.assurance` for the forms.

**Which optimal weights.** The weights of a DMU are rarely unique (every extreme-efficient and every
degenerate DMU has many). With ``weights="maximin"`` (the default) a second LP keeps the efficiency at
its optimum and maximises the smallest weight, each weight measured in the units
of the column-scaled data (v_i times the mean of input i, u_r times the mean of output r, so the
choice does not depend on the data's units): the optimal weights that lean least on zeros, as the
non-Archimedean epsilon of the textbook model does, without choosing epsilon. (Should that LP fail
at the exact optimum, it is relaxed by 1e-9, then 1e-7 relative; failing still, the first LP's weights
are kept.) ``weights="solver"``
returns the first optimum the backend finds (one LP per DMU, faster; which vertex depends on the
backend). The efficiency is the first LP's optimum either way.

**How.** Every LP is solved on column-scaled data (weights scaled back), as a batch of generic LPs
(``solvers.LPBatch``; the numba default hands them to HiGHS, warm-started between DMUs). The LP has
one row per DMU; the rows of DMUs outside the frame (the extreme-efficient DMUs, Dula 2011) are
implied by the frame's rows for every u, v >= 0 (a dominated DMU's x_j >= sum lam_f x_f, y_j <= sum
lam_f y_f with sum lam_f = 1, or any sum under CRS, gives u.y_j + u0 <= v.x_j), so with ``screen``
(default: from 64 DMUs, whatever the backend) the LPs have one row per frame DMU only: the same
optimal values, and weights feasible for every DMU.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from solvers import LP, BatchSolution, LPBatch, LPProblem, LPSolver, LPStatus, STATUS_LABELS, Usage
from solvers.base import stack

from .data import FrontierData, format_id, frontier_data, require_positive_rows
from .dea.assurance import RADIAL_RTS, Restriction, parse_weight_bounds, restriction_rows
from .dea.envelopment import (DEFAULT_CHUNK, SCREEN_MIN, backend, column_scale, frame as find_frame, report_usage,
                              solve_batch)
from .errors import SolveWarning, SpecError
from .progress import Progress
from .results import Result
from .spec import RTS, Orientation

__all__ = ["multiplier", "MultiplierResult", "WEIGHT_CHOICES"]

#: How the optimal weights are chosen among the optima (module docstring).
WEIGHT_CHOICES = ("maximin", "solver")
#: Relative slacks of the optimal efficiency when a second LP keeps it, tried in turn for the LPs that
#: are infeasible with the one before (the first LP's optimum is exact to the backend's tolerance, not
#: to the last digit; a slack of 1e-9 can already move a secondary goal by 1e-5, so none comes first).
KEEP_RTOLS = (0.0, 1e-9, 1e-7)
#: Statuses of a second LP that are retried with the next slack.
RETRY = (LPStatus.INFEASIBLE, LPStatus.NUMERICAL, LPStatus.ITERATION_LIMIT, LPStatus.NOT_SOLVED)

_RTS_NAMES = {"crs": "constant returns to scale (CCR)", "vrs": "variable returns to scale (BCC)",
              "nirs": "non-increasing returns to scale", "ndrs": "non-decreasing returns to scale"}


# --------------------------------------------------------------------------------------------------
# The LPs
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rows:
    """Per-DMU rows of a multiplier LP: ``coef`` (K, E, m + s) on (v, u), ``u0`` (E,) on u0 (the same for
    every DMU), bounds ``lo``/``hi`` (K, E)."""

    coef: np.ndarray
    u0: np.ndarray
    lo: np.ndarray
    hi: np.ndarray


def u0_bounds(rts: RTS) -> tuple[float, float]:
    """Range of u0: the dual of the returns-to-scale row (CRS none, VRS =, NIRS <=, NDRS >=)."""
    return {RTS.CRS: (0.0, 0.0), RTS.VRS: (-np.inf, np.inf), RTS.NIRS: (-np.inf, 0.0), RTS.NDRS: (0.0, np.inf)}[rts]


def build(Xf: np.ndarray, Yf: np.ndarray, rts: RTS, *, rows: Rows, costs: np.ndarray, cost_u0: float,
          G: np.ndarray, c: np.ndarray, maximin: bool = False) -> LPBatch:
    """A batch of multiplier-type LPs, one per DMU k (scaled data), variables [v (m), u (s), u0, (t)]:

        min costs[k].(v, u) + cost_u0 u0 (- t)
        s.t. rows[k] (normalisation, the fixed optimum, ...),  u.y_f + u0 - v.x_f <= 0 for the rows
             (x_f, y_f) of (Xf, Yf),  G[k].(v, u) >= c (weight restrictions),
             (v_i - t >= 0, u_r - t >= 0: the smallest weight, maximised, when ``maximin``),
             v, u, t >= 0, u0 in the range of ``rts``.
    """
    m, s = Xf.shape[1], Yf.shape[1]
    p, F, R, E = m + s, Xf.shape[0], G.shape[1], rows.coef.shape[1]
    K = costs.shape[0]
    top, first_restr = E, E + F
    nrow = E + F + R + (p if maximin else 0)
    ncol = p + 1 + int(maximin)
    A = np.zeros((nrow, ncol))
    A[:E, p] = rows.u0
    A[top:first_restr, :m] = -Xf
    A[top:first_restr, m:p] = Yf
    A[top:first_restr, p] = 1.0
    if maximin:
        A[first_restr + R:, :p] = np.eye(p)
        A[first_restr + R:, p + 1] = -1.0
    cols = np.broadcast_to(A[:, :p], (K, nrow, p)).copy()
    cols[:, :E, :] = rows.coef
    cols[:, first_restr:first_restr + R, :] = G
    lo = np.empty((K, nrow))
    hi = np.empty((K, nrow))
    lo[:, :E], hi[:, :E] = rows.lo, rows.hi
    lo[:, top:first_restr], hi[:, top:first_restr] = -np.inf, 0.0
    lo[:, first_restr:first_restr + R], hi[:, first_restr:first_restr + R] = c, np.inf
    lo[:, first_restr + R:], hi[:, first_restr + R:] = 0.0, np.inf
    base_c = np.zeros(ncol)
    base_c[p] = cost_u0
    col_lo = np.zeros(ncol)
    col_hi = np.full(ncol, np.inf)
    col_lo[p], col_hi[p] = u0_bounds(rts)
    if maximin:
        base_c[p + 1] = -1.0
    base = LPProblem(base_c, A, lo[0], hi[0], col_lo, col_hi)
    return LPBatch(base, lo, hi, np.arange(p), cols, costs)


def solve_chunked(solver: LPSolver, n: int, make, label: str) -> BatchSolution:
    """Solve the LPs of DMUs 0..n-1, built ``make(rows)`` a chunk of DMUs at a time (the per-DMU columns
    of an LP with one row per DMU are large), with a progress bar on long runs."""
    size = DEFAULT_CHUNK
    if n <= size:
        return solve_batch(solver, make(np.arange(n)), label)
    parts = []
    with Progress(n, label) as bar:
        for start in range(0, n, size):
            idx = np.arange(start, min(n, start + size))
            parts.append(solve_batch(solver, make(idx), label))
            bar.advance(idx.size)
    return stack(parts)


def solve_keeping(solver: LPSolver, count: int, make, label: str) -> tuple[np.ndarray, np.ndarray, Usage]:
    """Solve the LPs 0..count-1 that keep a first LP's optimum, built ``make(idx, rtol)`` with the kept
    value relaxed by ``rtol``: exactly first, then by KEEP_RTOLS in turn for those that fail. Returns
    (status codes, dense primal values, usage)."""
    status = np.full(count, LPStatus.NOT_SOLVED, dtype=np.int8)
    x = None
    usage = Usage()
    todo = np.arange(count)
    for rtol in KEEP_RTOLS:
        sol = solve_chunked(solver, todo.size, lambda k: make(todo[k], rtol), label)  # noqa: B023
        dense = sol.x.toarray()
        if x is None:
            x = np.zeros((count, dense.shape[1]))
        x[todo], status[todo] = dense, sol.status
        usage = usage + sol.usage
        todo = todo[np.isin(sol.status, RETRY)]
        if not todo.size:
            break
    return status, x, usage


@dataclass(frozen=True)
class Weights:
    """Optimal multipliers of n DMUs in data units: ``farrell`` (theta input, phi output), ``v`` (n, m),
    ``u`` (n, s), ``u0`` (n,), LPStatus codes ``status``, ``usage`` of the backends, and ``frame`` (the
    frame rows used, None without screening)."""

    farrell: np.ndarray
    v: np.ndarray
    u: np.ndarray
    u0: np.ndarray
    status: np.ndarray
    usage: Usage
    frame: np.ndarray | None


def screened(Xs: np.ndarray, Ys: np.ndarray, rts: RTS, screen: bool | None) -> np.ndarray | None:
    """The frame's rows (indices) when screening applies: ``screen=None`` from SCREEN_MIN DMUs on."""
    if screen is None:
        screen = Xs.shape[0] >= SCREEN_MIN
    return find_frame(np.hstack([Xs, Ys]), Xs.shape[1], rts) if screen else None


def solve_weights(X: np.ndarray, Y: np.ndarray, *, rts: RTS, orientation: Orientation,
                  restrictions: tuple[Restriction, ...] = (), solver: LPSolver, weights: str = "maximin",
                  screen: bool | None = None, label: str = "multiplier DEA") -> Weights:
    """The multiplier LPs (module docstring) of every row of (X, Y), against all rows."""
    n, m = X.shape
    s = Y.shape[1]
    sx, sy = column_scale(X), column_scale(Y)
    Xs, Ys = X / sx, Y / sy
    frame = screened(Xs, Ys, rts, screen)
    Xf, Yf = (Xs, Ys) if frame is None else (Xs[frame], Ys[frame])
    G, c = restriction_rows(restrictions, Xs, Ys, sx, sy)
    inward = orientation == Orientation.INPUT
    zx, zy = np.zeros((n, m)), np.zeros((n, s))
    norm = np.hstack([Xs, zy]) if inward else np.hstack([zx, Ys])          # v.x_o = 1 | u.y_o = 1
    obj = np.hstack([zx, -Ys]) if inward else np.hstack([Xs, zy])           # min -(u.y_o) | v.x_o, then -u0
    ones = np.ones((n, 1, 1))

    def phase1(idx):
        rows = Rows(norm[idx, None, :], np.zeros(1), ones[idx, 0], ones[idx, 0])
        return build(Xf, Yf, rts, rows=rows, costs=obj[idx], cost_u0=-1.0, G=G[idx], c=c)

    sol = solve_chunked(solver, n, phase1, label)
    ok = sol.status == LPStatus.OPTIMAL
    farrell = np.where(ok, -sol.objective if inward else sol.objective, np.nan)
    x = sol.x.toarray()
    usage = sol.usage
    todo = np.flatnonzero(ok)
    if weights == "maximin" and todo.size:
        # keep the optimum: u.y_o + u0 >= theta  |  v.x_o - u0 <= phi (relaxed only if infeasible as it is)
        keep = np.hstack([zx, Ys]) if inward else np.hstack([Xs, zy])
        u0_sign = 1.0 if inward else -1.0

        def phase2(k, rtol):
            idx = todo[k]
            target = farrell[idx] * (1.0 - rtol if inward else 1.0 + rtol)
            coef = np.stack([norm[idx], keep[idx]], axis=1)
            lo = np.column_stack([np.ones(idx.size), target if inward else np.full(idx.size, -np.inf)])
            hi = np.column_stack([np.ones(idx.size), np.full(idx.size, np.inf) if inward else target])
            rows = Rows(coef, np.array([0.0, u0_sign]), lo, hi)
            return build(Xf, Yf, rts, rows=rows, costs=np.zeros((idx.size, m + s)), cost_u0=0.0, G=G[idx], c=c,
                         maximin=True)

        status2, x2, used = solve_keeping(solver, todo.size, phase2, label + " (maximin weights)")
        usage = usage + used
        good = status2 == LPStatus.OPTIMAL              # else: keep the first LP's weights
        x[todo[good], :m + s + 1] = x2[good, :m + s + 1]
    v = np.where(ok[:, None], x[:, :m] / sx, np.nan)
    u = np.where(ok[:, None], x[:, m:m + s] / sy, np.nan)
    u0 = np.where(ok, x[:, m + s], np.nan)
    return Weights(farrell, v, u, u0, sol.status, usage, frame)


# --------------------------------------------------------------------------------------------------
# Result and API
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MultiplierResult(Result):
    """Efficiencies and optimal weights of the multiplier form (module docstring), indexed by the ids.

    ``scores``: the efficiency in (0, 1] (input theta; output 1/phi, Shephard), as ``ef.dea``;
    ``v`` / ``u``: input / output weights in data units, columns named after the inputs / outputs;
    ``u0``: the free variable (0 under CRS); ``status`` per DMU; ``restrictions``: the weight
    restrictions parsed from ``weight_bounds``; ``weights``: how the optimum was chosen ('maximin' or
    'solver'); ``solver``: the backend(s) that solved the LPs. NaN where a DMU has no optimum.
    """

    rts: str
    orientation: str
    ids: pd.Index
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    scores: pd.Series
    v: pd.DataFrame
    u: pd.DataFrame
    u0: pd.Series
    status: pd.Series
    restrictions: tuple[Restriction, ...]
    weights: str
    solver: str
    X: np.ndarray
    Y: np.ndarray

    @property
    def virtual_inputs(self) -> pd.DataFrame:
        """v_i x_io per DMU (they sum to 1 under the input orientation)."""
        return self.v * self.X

    @property
    def virtual_outputs(self) -> pd.DataFrame:
        """u_r y_ro per DMU (they sum to 1 under the output orientation)."""
        return self.u * self.Y

    def to_frame(self) -> pd.DataFrame:
        """id, ``efficiency``, ``v_<input>``..., ``u_<output>``..., ``u0``, ``virtual_<input>``...,
        ``virtual_<output>``..., ``status``."""
        df = pd.DataFrame({"efficiency": self.scores.to_numpy()}, index=self.ids)
        for c in self.input_names:
            df[f"v_{c}"] = self.v[c].to_numpy()
        for c in self.output_names:
            df[f"u_{c}"] = self.u[c].to_numpy()
        df["u0"] = self.u0.to_numpy()
        vi, vo = self.virtual_inputs, self.virtual_outputs
        for c in self.input_names:
            df[f"virtual_{c}"] = vi[c].to_numpy()
        for c in self.output_names:
            df[f"virtual_{c}"] = vo[c].to_numpy()
        df["status"] = self.status.to_numpy()
        return df

    def summary(self) -> str:
        """Model, restrictions, the distribution of the efficiencies, zero weights, statuses."""
        lines = [f"Multiplier form of radial DEA, {_RTS_NAMES.get(self.rts, self.rts)}, {self.orientation} "
                 f"orientation; weights: {self.weights}",
                 f"DMUs: {len(self.ids)}; inputs: {', '.join(self.input_names)}; outputs: "
                 f"{', '.join(self.output_names)}; solver: {self.solver}"]
        if self.restrictions:
            lines.append("Weight restrictions: " + "; ".join(_describe(r) for r in self.restrictions))
        ok = self.scores.dropna()
        if len(ok):
            lines.append(f"Efficiency: mean {ok.mean():.4f}, min {ok.min():.4f}, median {ok.median():.4f}, "
                         f"max {ok.max():.4f}; efficient (1 to 1e-9): {int((ok >= 1 - 1e-9).sum())} of {len(ok)}")
            w = pd.concat([self.v, self.u], axis=1).loc[ok.index]
            scale = np.concatenate([column_scale(self.X), column_scale(self.Y)])
            zero = (w.to_numpy() * scale <= 1e-9).sum(axis=0)
            lines.append("DMUs with a zero weight: " + ", ".join(f"{c} {int(z)}" for c, z in zip(w.columns, zero)))
            lines.append("Lowest: " + ", ".join(f"{format_id(i)} {v:.4f}" for i, v in
                                                ok.nsmallest(min(5, len(ok))).items()))
        lines.append("Status: " + ", ".join(f"{int(v)} {k}" for k, v in self.status.value_counts().items()))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<MultiplierResult {self.rts} {self.orientation}: {len(self.ids)} DMUs>"


def _describe(r: Restriction) -> str:
    hi = "inf" if r.hi == np.inf else f"{r.hi:g}"
    what = {"ratio": "ratio", "absolute": "weight", "virtual": "virtual share"}[r.kind]
    return f"{r.label} ({what}) in [{r.lo:g}, {hi}]"


def parse_options(rts, orientation, weights) -> tuple[RTS, Orientation, str]:
    """Validated (rts, orientation, weights) of the multiplier-based models."""
    rts = RTS.parse(rts, name="rts")
    if rts not in RADIAL_RTS:
        raise SpecError(f"rts: the multiplier form takes {', '.join(r.value for r in RADIAL_RTS)}, not {rts.value!r}")
    orientation = Orientation.parse(orientation, name="orientation")
    if orientation not in (Orientation.INPUT, Orientation.OUTPUT):
        raise SpecError(f"orientation: the multiplier form is 'input' or 'output', not {orientation.value!r}")
    if weights not in WEIGHT_CHOICES:
        raise SpecError(f"weights: {weights!r} is not one of {', '.join(map(repr, WEIGHT_CHOICES))}")
    return rts, orientation, weights


def checked_data(data, id, inputs, outputs, orientation: Orientation, what: str) -> FrontierData:
    """The validated data; every DMU needs a positive input (input orientation: v.x_o = 1) or output."""
    fd = frontier_data(data, id=id, inputs=inputs, outputs=outputs)
    if orientation == Orientation.INPUT:
        require_positive_rows(fd, "inputs", f"the input-oriented {what} (v.x_o = 1)")
    else:
        require_positive_rows(fd, "outputs", f"the output-oriented {what} (u.y_o = 1)")
    return fd


def warn_unsolved(status: np.ndarray, what: str, unit: str = "DMUs") -> None:
    """One aggregated SolveWarning for the LPs without an optimum."""
    bad = status != LPStatus.OPTIMAL
    if bad.any():
        labels, counts = np.unique(STATUS_LABELS[status[bad]], return_counts=True)
        detail = ", ".join(f"{k} {lab}" for lab, k in zip(labels, counts))
        warnings.warn(f"{what}: {int(bad.sum())} of {status.size} {unit} have no optimum ({detail}); their values "
                      "are NaN and `status` says why", SolveWarning, stacklevel=3)


def multiplier(data=None, id=None, inputs=None, outputs=None, rts="vrs", orientation="input", weight_bounds=None, *,
               solver=None, weights: str = "maximin", screen: bool | None = None) -> MultiplierResult:
    """The multiplier (dual) form of radial DEA (module docstring): efficiencies and optimal weights.

    ``data``: a DataFrame or CSV path (``inputs``/``outputs`` column names, ``id`` the id column(s)), or
    None with arrays. ``rts``: 'crs', 'vrs', 'nirs', 'ndrs'; ``orientation``: 'input' or 'output'.
    ``weight_bounds``: a dict (or the text ``"x2/x1=0.5:2, x1=0:1, virtual:y1=0.2:"``):
    ``("x2", "x1"): (lo, hi)`` or ``"x2/x1": (lo, hi)`` bounds the ratio v_x2 / v_x1 (two inputs, or two
    outputs), ``"x1": (lo, hi)`` the weight itself, ``"virtual:x1": (lo, hi)`` the share v_x1 x_1o /
    v.x_o of the virtual input (``None`` for an open end); see :mod:`efficiency.dea.assurance`.
    ``weights``: 'maximin' (maximise the smallest scaled weight among the optima) or 'solver' (the
    backend's first optimum). ``solver``: the LP backend (default numba, which hands these LPs to
    HiGHS), 'highs', 'scipy', 'pulp', ...; ``screen``: solve against the frame only (default from 64
    DMUs).
    """
    rts, orientation, weights = parse_options(rts, orientation, weights)
    fd = checked_data(data, id, inputs, outputs, orientation, "multiplier form")
    restrictions = parse_weight_bounds(weight_bounds, fd.input_names, fd.output_names)
    lp = backend(solver)
    w = solve_weights(fd.X, fd.Y, rts=rts, orientation=orientation, restrictions=restrictions, solver=lp,
                      weights=weights, screen=screen)
    warn_unsolved(w.status, "multiplier DEA")
    label = report_usage(w.usage, lp, solver is not None, "multiplier DEA", kind=LP)
    ids = fd.ids
    with np.errstate(divide="ignore"):
        eff = w.farrell if orientation == Orientation.INPUT else 1.0 / w.farrell
    eff = np.where((eff > 1.0) & (eff <= 1.0 + 1e-9), 1.0, eff)          # rounding above 1
    return MultiplierResult(rts.value, orientation.value, ids, fd.input_names, fd.output_names,
                            pd.Series(eff, index=ids, name="efficiency"),
                            pd.DataFrame(w.v, index=ids, columns=list(fd.input_names)),
                            pd.DataFrame(w.u, index=ids, columns=list(fd.output_names)),
                            pd.Series(w.u0, index=ids, name="u0"),
                            pd.Series(STATUS_LABELS[w.status], index=ids, name="status", dtype=object),
                            restrictions, weights, label, fd.X, fd.Y)
