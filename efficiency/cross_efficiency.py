"""Cross-efficiency evaluation (Sexton, Silkman and Hogan 1986; Doyle and Green 1994).

Every DMU d rates every DMU j with its own optimal multiplier weights (v_d, u_d, u0_d) of the radial
model (:mod:`efficiency.multiplier`; the hyperplane u.y + u0 = v.x):

* input orientation:  E_dj = (u_d.y_j + u0_d) / (v_d.x_j)
* output orientation: E_dj = u_d.y_j / (v_d.x_j - u0_d)      (Shephard: in (0, 1], the reciprocal of
  the Farrell ratio (v_d.x_j - u0_d) / u_d.y_j that deaR reports for "oo")

so E_dd is d's own efficiency and under CRS (u0 = 0) both are u_d.y_j / v_d.x_j. Under VRS the input
ratio can be negative; ``correction`` applies the Lim and Zhu (2015) form E_dj = u_d.y_j / (v_d.x_j -
u0_d), which is >= 0, with E_dd set to d's own efficiency (as deaR's ``correction = TRUE``).

``method`` chooses d's weights among its optima:

* 'arbitrary': the weights of ``ef.multiplier`` (Sexton et al. 1986; here the 'maximin' optimum of that
  model unless ``weights="solver"``), not a secondary goal on the others' ratings;
* 'aggressive' / 'benevolent': Doyle and Green (1994), with d's efficiency kept at its optimum, the
  others' ratings minimised / maximised, by ``secondary``:
  * 'II' (method II): the sum of the others' deviations from the hyperplane,
    sum_{j != d} (u.y_j + u0 - v.x_j), with v.x_d = 1 (input) or u.y_d = 1 (output);
  * 'III' (method III): the others' aggregate ratio, as a linear programme: input: sum_{j != d} (u.y_j
    + u0) with sum_{j != d} v.x_j = 1 (with ``correction``: sum u.y_j with sum (v.x_j - u0) = 1);
    output: sum_{j != d} (v.x_j - u0) with sum_{j != d} u.y_j = 1, maximised by the aggressive rater.
  These are the LPs of deaR's ``cross_efficiency`` (M2 and M3, with u0 under VRS, NIRS and NDRS).

Under VRS an aggressive (or benevolent) LP can be unbounded: the rater can push some ratings without
limit (u0 -> -inf). deaR then stops at an arbitrary bound on the weights' sum (1e10 in data units);
here such a rater's LP is data: its status is 'unbounded', its row of the matrix NaN (one aggregated
SolveWarning), and the means below are over the raters with a row.

Summaries of DMU k (column k of the matrix; deaR's names in brackets): ``cross_efficiency`` = the
mean of E_dk over every rater d, self included (deaR's ``e`` with ``selfapp = TRUE``);
``cross_efficiency_peer`` = the mean over d != k (``selfapp = FALSE``); ``maverick`` = |E_kk -
e_k| / e_k with the self-included mean (deaR's, Doyle and Green 1994's maverick index); ``rank``: 1 for
the highest cross-efficiency (ties share the lowest rank). With the output orientation these are means
of the Shephard ratings in (0, 1]; deaR's "oo" values are the Farrell reciprocals and their means.

Cost: n multiplier LPs (2n with the 'maximin' weights) or n multiplier LPs plus n secondary LPs, each
with one row per frame DMU (see :mod:`efficiency.multiplier` on screening), then the n x n matrix in
one product of the weight matrices with the data (O(n^2 (m + s)) flops, n^2 floats of memory): the LPs
dominate up to several thousand DMUs; the matrix's memory (8 n^2 bytes, 200 MB at n = 5 000) is the
limit beyond.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from solvers import LP, LPStatus, STATUS_LABELS

from .data import format_id
from .dea.envelopment import backend, column_scale, report_usage
from .errors import SpecError
from .multiplier import (Rows, Weights, build, checked_data, parse_options, solve_keeping, solve_weights,
                         warn_unsolved)
from .results import Result
from .spec import RTS, Orientation

__all__ = ["cross_efficiency", "CrossEfficiencyResult", "METHODS", "SECONDARY"]

METHODS = ("arbitrary", "aggressive", "benevolent")
SECONDARY = ("II", "III")


@dataclass(frozen=True)
class CrossEfficiencyResult(Result):
    """Cross-efficiency of every DMU (module docstring), indexed by the ids.

    ``matrix``: DataFrame, row = the rating DMU (whose weights), column = the rated DMU; ``scores``:
    each DMU's own efficiency (input theta, output 1/phi); ``weights``: the raters' weights (columns
    ``v_<input>``, ``u_<output>``, ``u0``, data units); ``status`` per rater: 'optimal', or why its
    weights (and its row) are missing; ``solver``: the backend(s) used.
    """

    method: str
    secondary: str | None
    rts: str
    orientation: str
    correction: bool
    ids: pd.Index
    scores: pd.Series
    matrix: pd.DataFrame
    weights: pd.DataFrame
    status: pd.Series
    solver: str

    @property
    def cross_efficiency(self) -> pd.Series:
        """Mean rating of each DMU over every rater with a row, self included (column means)."""
        return self.matrix.mean(axis=0, skipna=True).rename("cross_efficiency")

    @property
    def cross_efficiency_peer(self) -> pd.Series:
        """Mean rating of each DMU by the other raters (the diagonal left out)."""
        E = self.matrix.to_numpy(copy=True)
        np.fill_diagonal(E, np.nan)
        return pd.DataFrame(E, index=self.ids, columns=self.ids).mean(axis=0, skipna=True).rename(
            "cross_efficiency_peer")

    @property
    def appraisal(self) -> pd.Series:
        """Mean rating each DMU gives (row means, self included; deaR's ``A``)."""
        return self.matrix.mean(axis=1, skipna=True).rename("appraisal")

    @property
    def maverick(self) -> pd.Series:
        """|E_kk - e_k| / e_k, e_k the self-included mean (Doyle and Green 1994; deaR)."""
        e = self.cross_efficiency
        return ((self.scores - e).abs() / e).rename("maverick")

    def matrix_table(self) -> pd.DataFrame:
        """The matrix as a table to write: index ``rating_dmu``, one column per rated DMU (ids as text)."""
        names = [format_id(v) for v in self.ids]
        return pd.DataFrame(self.matrix.to_numpy(), index=pd.Index(names, name="rating_dmu"), columns=names)

    def to_frame(self) -> pd.DataFrame:
        """id, ``efficiency``, ``cross_efficiency``, ``cross_efficiency_peer``, ``maverick``, ``rank``,
        ``status``."""
        e = self.cross_efficiency
        df = pd.DataFrame({"efficiency": self.scores.to_numpy(), "cross_efficiency": e.to_numpy(),
                           "cross_efficiency_peer": self.cross_efficiency_peer.to_numpy(),
                           "maverick": self.maverick.to_numpy(),
                           "rank": e.rank(ascending=False, method="min").to_numpy()}, index=self.ids)
        df["status"] = self.status.to_numpy()
        return df

    def summary(self) -> str:
        """Method, the distribution of the cross-efficiencies, the top of the ranking, statuses."""
        how = self.method if self.method == "arbitrary" else f"{self.method} (Doyle-Green method {self.secondary})"
        corr = ", Lim-Zhu correction" if self.correction else ""
        t = self.to_frame()
        lines = [f"Cross-efficiency, {how}, {self.rts}, {self.orientation} orientation{corr}",
                 f"DMUs: {len(self.ids)}; solver: {self.solver}"]
        ok = t["cross_efficiency"].dropna()
        if len(ok):
            lines.append(f"Cross-efficiency: mean {ok.mean():.4f}, min {ok.min():.4f}, max {ok.max():.4f}; "
                         f"own efficiency: mean {t['efficiency'].mean():.4f}")
            top = t.sort_values("rank").head(5)
            lines.append("Best: " + ", ".join(f"{i} {v:.4f}" for i, v in top["cross_efficiency"].items()))
        lines.append("Status: " + ", ".join(f"{int(v)} {k}" for k, v in self.status.value_counts().items()))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<CrossEfficiencyResult {self.method} {self.rts} {self.orientation}: {len(self.ids)} DMUs>"


def ratings(V: np.ndarray, U: np.ndarray, u0: np.ndarray, X: np.ndarray, Y: np.ndarray, orientation: Orientation,
            correction: bool, own: np.ndarray) -> np.ndarray:
    """The matrix E[d, j] of the module docstring, from the raters' weights (rows of V, U, u0): two
    matrix products, vectorised over all n^2 pairs."""
    out = U @ Y.T
    den = V @ X.T
    with np.errstate(divide="ignore", invalid="ignore"):
        if orientation == Orientation.OUTPUT or correction:
            E = out / (den - u0[:, None])
        else:
            E = (out + u0[:, None]) / den
    if correction:
        np.fill_diagonal(E, own)
    return E


def _secondary(X, Y, w: Weights, *, rts: RTS, orientation: Orientation, secondary: str, benevolent: bool,
               correction: bool, solver) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, object]:
    """Doyle and Green's secondary-goal weights of every rater with an optimum (module docstring).
    Returns (v, u, u0, status, usage); rows of raters without weights stay NaN."""
    n, m = X.shape
    s = Y.shape[1]
    sx, sy = column_scale(X), column_scale(Y)
    Xs, Ys = X / sx, Y / sy
    Xf, Yf = (Xs, Ys) if w.frame is None else (Xs[w.frame], Ys[w.frame])
    G = np.zeros((n, 0, m + s))
    c = np.zeros(0)
    others_x, others_y = Xs.sum(axis=0) - Xs, Ys.sum(axis=0) - Ys       # sums over j != d
    k = n - 1.0
    zx, zy = np.zeros((n, m)), np.zeros((n, s))
    inward = orientation == Orientation.INPUT
    phi = w.farrell
    # keep_lo(rtol) / keep_hi(rtol): bounds of the row that keeps d's optimum, relaxed by rtol
    if secondary == "II":
        norm = np.hstack([Xs, zy]) if inward else np.hstack([zx, Ys])          # v.x_d = 1 | u.y_d = 1
        norm_u0, norm_rhs = 0.0, 1.0
        keep = np.hstack([zx, Ys]) if inward else np.hstack([Xs, zy])          # u.y_d + u0 >= theta
        keep_u0 = 1.0 if inward else -1.0                                      # | v.x_d - u0 <= phi
        if inward:
            keep_lo, keep_hi = (lambda r: phi * (1 - r)), (lambda r: np.full(n, np.inf))
        else:
            keep_lo, keep_hi = (lambda r: np.full(n, -np.inf)), (lambda r: phi * (1 + r))
        goal, goal_u0 = np.hstack([-others_x, others_y]), k                   # sum (u.y_j + u0 - v.x_j)
    else:
        # homogeneous: the others' sum normalised to n - 1 (their mean to 1; v.x_d is then about the DMU's
        # size relative to the mean, which scales the slack of the kept optimum), weights divided back by
        # n - 1 to deaR's normalisation (the sum 1)
        norm_rhs = k
        if inward:
            norm = np.hstack([others_x, zy])
            norm_u0 = -k if correction else 0.0                               # sum (v.x_j - u0) = n - 1
            keep = np.hstack([-phi[:, None] * Xs, Ys])                        # u.y_d + u0 - theta v.x_d >= 0
            keep_u0 = 1.0
            size = np.abs(phi) * np.maximum(1.0, Xs.sum(axis=1) / m)
            keep_lo, keep_hi = (lambda r: -r * size), (lambda r: np.full(n, np.inf))
            goal, goal_u0 = np.hstack([zx, others_y]), (0.0 if correction else k)
        else:
            norm, norm_u0 = np.hstack([zx, others_y]), 0.0
            keep = np.hstack([Xs, -phi[:, None] * Ys])                        # v.x_d - u0 - phi u.y_d <= 0
            keep_u0 = -1.0
            size = np.abs(phi) * np.maximum(1.0, Ys.sum(axis=1) / s)
            keep_lo, keep_hi = (lambda r: np.full(n, -np.inf)), (lambda r: r * size)
            goal, goal_u0 = np.hstack([-others_x, zy]), k                     # -sum (v.x_j - u0)
    sign = -1.0 if benevolent else 1.0                                        # min goal | max goal
    todo = np.flatnonzero(w.status == LPStatus.OPTIMAL)

    def make(kk, rtol):
        idx = todo[kk]
        coef = np.stack([norm[idx], keep[idx]], axis=1)
        lo = np.column_stack([np.full(idx.size, norm_rhs), keep_lo(rtol)[idx]])
        hi = np.column_stack([np.full(idx.size, norm_rhs), keep_hi(rtol)[idx]])
        rows = Rows(coef, np.array([norm_u0, keep_u0]), lo, hi)
        return build(Xf, Yf, rts, rows=rows, costs=sign * goal[idx], cost_u0=sign * goal_u0, G=G[idx], c=c)

    v, u, u0 = np.full((n, m), np.nan), np.full((n, s), np.nan), np.full(n, np.nan)
    status = w.status.copy()
    if not todo.size:
        return v, u, u0, status, w.usage
    label = f"cross-efficiency ({'benevolent' if benevolent else 'aggressive'}, method {secondary})"
    code, x, used = solve_keeping(solver, todo.size, make, label)
    ok = code == LPStatus.OPTIMAL
    status[todo] = code
    rows = todo[ok]
    scale = 1.0 if secondary == "II" else k
    v[rows] = x[ok, :m] / sx / scale
    u[rows] = x[ok, m:m + s] / sy / scale
    u0[rows] = x[ok, m + s] / scale
    return v, u, u0, status, w.usage + used


def cross_efficiency(data=None, id=None, inputs=None, outputs=None, rts="crs", orientation="input",
                     method="arbitrary", secondary="II", *, correction: bool | None = None, solver=None,
                     weights: str = "maximin", screen: bool | None = None) -> CrossEfficiencyResult:
    """Cross-efficiency matrix and summaries (module docstring); a :class:`CrossEfficiencyResult`.

    ``data``: a DataFrame or CSV path (``inputs``/``outputs`` column names, ``id`` the id column(s)), or
    None with arrays. ``rts``: 'crs' (default), 'vrs', 'nirs', 'ndrs'; ``orientation``: 'input' or
    'output'. ``method``: 'arbitrary' | 'aggressive' | 'benevolent'; ``secondary``: Doyle and Green's
    method 'II' or 'III' for the aggressive and benevolent formulations (ignored by 'arbitrary').
    ``correction``: Lim and Zhu's (2015) ratings under VRS (input orientation); default: on for an
    input orientation whenever u0 is not fixed at 0 (not CRS), off otherwise (deaR's default is off:
    pass False to reproduce it). ``weights``: how 'arbitrary' picks the multiplier weights ('maximin' or
    'solver', see ``ef.multiplier``). ``solver``/``screen``: as ``ef.multiplier``.
    """
    rts, orientation, weights = parse_options(rts, orientation, weights)
    if method not in METHODS:
        raise SpecError(f"method: {method!r} is not one of {', '.join(map(repr, METHODS))}")
    sec = str(secondary).upper() if secondary is not None else None
    if method != "arbitrary" and sec not in SECONDARY:
        raise SpecError(f"secondary: {secondary!r} is not one of 'II', 'III' (Doyle and Green's methods)")
    if correction is None:
        correction = orientation == Orientation.INPUT and rts != RTS.CRS
    if not isinstance(correction, (bool, np.bool_)):
        raise SpecError(f"correction: expected True, False or None, got {correction!r}")
    if correction and orientation != Orientation.INPUT:
        raise SpecError("correction: Lim and Zhu's correction is for the input orientation (output-oriented "
                        "ratings are never negative)")
    fd = checked_data(data, id, inputs, outputs, orientation, "cross-efficiency")
    if fd.n < 2:
        raise SpecError("cross-efficiency needs at least 2 DMUs")
    lp = backend(solver)
    first = solve_weights(fd.X, fd.Y, rts=rts, orientation=orientation, solver=lp,
                          weights=weights if method == "arbitrary" else "solver", screen=screen,
                          label="cross-efficiency (multiplier weights)")
    if method == "arbitrary":
        v, u, u0, status, usage = first.v, first.u, first.u0, first.status, first.usage
    else:
        v, u, u0, status, usage = _secondary(fd.X, fd.Y, first, rts=rts, orientation=orientation, secondary=sec,
                                             benevolent=method == "benevolent", correction=bool(correction),
                                             solver=lp)
    warn_unsolved(status, f"cross-efficiency ({method})", "raters")
    label = report_usage(usage, lp, solver is not None, "cross-efficiency", kind=LP)
    with np.errstate(divide="ignore"):
        own = first.farrell if orientation == Orientation.INPUT else 1.0 / first.farrell
    own = np.where((own > 1.0) & (own <= 1.0 + 1e-9), 1.0, own)
    E = ratings(v, u, u0, fd.X, fd.Y, orientation, bool(correction), own)
    E[status != LPStatus.OPTIMAL] = np.nan
    ids = fd.ids
    cols = [f"v_{c}" for c in fd.input_names] + [f"u_{c}" for c in fd.output_names] + ["u0"]
    return CrossEfficiencyResult(method, None if method == "arbitrary" else sec, rts.value, orientation.value,
                                 bool(correction), ids, pd.Series(own, index=ids, name="efficiency"),
                                 pd.DataFrame(E, index=ids, columns=ids),
                                 pd.DataFrame(np.column_stack([v, u, u0]), index=ids, columns=cols),
                                 pd.Series(STATUS_LABELS[status], index=ids, name="status", dtype=object), label)
