"""Distribution dynamics of a score: classic and spatial Markov chains (issue 18).

The classic chain (Quah 1993, "Empirical cross-section dynamics in economic growth"): the scores of a
balanced panel are cut into k classes (by default the k quantile classes of the pooled panel, i.e.
all units and periods together, as PySAL's giddy does with ``fixed=True``), every unit's move between
two consecutive periods is counted, n_ij = number of moves from class i to class j, and the maximum
likelihood estimate of the transition matrix is p_ij = n_ij / sum_j n_ij (Anderson and Goodman 1957).
The ergodic (steady-state) distribution pi solves pi P = pi, sum(pi) = 1; it exists and is unique when
the chain has exactly one closed communicating class.

The spatial Markov chain (Rey 2001, "Spatial empirics for economic growth and convergence",
Geographical Analysis 33, 195-214): each move of unit i from period t to t + 1 is also classed by
the spatial lag of its neighbours in the initial period t, L_it = sum_j w_ij y_jt with row-
standardised weights w (the neighbours' mean); the lag is cut into k pooled quantile classes as the
scores are. One k x k transition matrix per lag class: P(l)_ij = n_ijl / sum_j n_ijl.

Plain numpy: only building the weights from a neighbours table or coordinates needs libpysal
(:func:`efficiency.regional.spatial.spatial_weights`). A row of a transition matrix with no moves
out of its class is NaN (not a made-up row), with an EfficiencyWarning; the ergodic distribution is
then NaN too.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import format_id
from ..errors import DataError, EfficiencyWarning, SpecError
from ..results import Result
from .spatial import _stacklevel, _weights_for, score_panel

__all__ = ["MarkovResult", "ergodic_distribution", "fig_markov", "homogeneity_test", "markov"]


def ergodic_distribution(P: np.ndarray) -> np.ndarray:
    """The steady state pi of a transition matrix (pi P = pi, sum pi = 1): the solution of
    (P' - I) pi = 0 with the last equation replaced by sum(pi) = 1 (|pi_i| < 1e-14 set to 0). NaN when P has a NaN row or the
    steady state is not unique (eigenvalue 1 of multiplicity > 1: several closed classes)."""
    P = np.asarray(P, dtype=np.float64)
    k = P.shape[0]
    if not np.isfinite(P).all():
        return np.full(k, np.nan)
    ones = np.sum(np.abs(np.linalg.eigvals(P) - 1.0) < 1e-9)
    if ones != 1:
        return np.full(k, np.nan)
    A = P.T - np.eye(k)
    A[-1, :] = 1.0
    b = np.zeros(k)
    b[-1] = 1.0
    pi = np.linalg.solve(A, b)
    pi[np.abs(pi) < 1e-14] = 0.0            # rounding noise of the states no chain stays in (e.g. -1e-17)
    return pi


def homogeneity_test(counts: np.ndarray) -> pd.Series:
    """Test that the transition matrices of m regimes are equal (Bickenbach and Bode 2003, "Evaluating
    the Markov property in studies of economic convergence", International Regional Science Review
    26, 363-392), here of the spatial Markov chain's lag classes (Rey 2001's test of spatial
    dependence in the dynamics). ``counts``: m x k x k move counts. With p_ij the pooled and p_ij(l)
    the regime-l probabilities, n_i(l) the moves out of class i in regime l:

        Q  = sum_l sum_i sum_j n_i(l) (p_ij(l) - p_ij)^2 / p_ij          (cells with p_ij > 0)
        LR = 2 sum_l sum_i sum_j n_ij(l) ln(p_ij(l) / p_ij)               (cells with n_ij(l) > 0)

    both chi-square with sum_i (a_i - 1)(b_i - 1) degrees of freedom under H0, a_i the number of
    positive p_ij in row i, b_i the number of regimes with moves out of class i."""
    from scipy import stats

    M = np.asarray(counts, dtype=np.float64)
    pooled = M.sum(axis=0)
    p = _row_normalise(pooled)
    p = np.where(np.isfinite(p), p, 0.0)
    n_il = M.sum(axis=2)                                   # m x k
    p_l = np.where(n_il[:, :, None] > 0, M / np.where(n_il > 0, n_il, 1.0)[:, :, None], 0.0)
    pos = p > 0
    Q = float(np.sum(np.where(pos, n_il[:, :, None] * (p_l - p) ** 2 / np.where(pos, p, 1.0), 0.0)))
    use = M > 0
    LR = 2.0 * float(np.sum(np.where(use, M * np.log(np.where(use, p_l, 1.0) / np.where(pos, p, 1.0)), 0.0)))
    a = pos.sum(axis=1)
    b = (n_il > 0).sum(axis=0)
    dof = int(np.sum((a - 1).clip(min=0) * (b - 1).clip(min=0)))
    pq = float(stats.chi2.sf(Q, dof)) if dof > 0 else np.nan
    plr = float(stats.chi2.sf(LR, dof)) if dof > 0 else np.nan
    return pd.Series({"Q": Q, "Q_pvalue": pq, "LR": LR, "LR_pvalue": plr, "dof": dof}, name="homogeneity")


def _quantile_breaks(values: np.ndarray, k: int) -> np.ndarray:
    """Upper bounds of the k pooled quantile classes except the last (the j/k quantiles, linear
    interpolation, j = 1..k-1), without repeats and below the maximum (ties merge classes, as
    mapclassify's Quantiles does)."""
    q = np.quantile(values, np.arange(1, k) / k)
    q = np.unique(q)
    return q[q < values.max()]


def _classify(values: np.ndarray, breaks: np.ndarray) -> np.ndarray:
    """Class of each value: 0 for y <= breaks[0], j for breaks[j-1] < y <= breaks[j] (right-closed)."""
    return np.searchsorted(breaks, values, side="left")


def _labels(breaks: np.ndarray, lo: float, hi: float) -> tuple[str, ...]:
    edges = [min(lo, *breaks[:1]), *breaks.tolist(), max(hi, *breaks[-1:])]
    out = [f"[{edges[0]:.4g}, {edges[1]:.4g}]"]
    out += [f"({edges[j]:.4g}, {edges[j + 1]:.4g}]" for j in range(1, len(edges) - 1)]
    return tuple(out)


def _row_normalise(counts: np.ndarray) -> np.ndarray:
    sums = counts.sum(axis=-1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(sums > 0, counts / np.where(sums > 0, sums, 1.0), np.nan)


def _check_breaks(breaks, role: str) -> np.ndarray:
    try:
        b = np.asarray(breaks, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise SpecError(f"{role}: expected increasing numbers, got {breaks!r}") from None
    if b.size == 0 or not np.isfinite(b).all() or np.any(np.diff(b) <= 0):
        raise SpecError(f"{role}: expected finite, strictly increasing numbers (the upper bounds of every class "
                        f"but the last), got {breaks!r}")
    return b


@dataclass(frozen=True)
class MarkovResult(Result):
    """Markov transition matrices of a score's classes (see the module docstring).

    ``labels``: the class intervals (upper bound included); ``breaks``: their upper bounds except the
    last; ``classes``: the class index (0-based) of every unit (rows, input order) x period (columns);
    ``counts`` / ``P``: the k x k move counts and transition probabilities (rows: class in t, columns:
    class in t + 1; a row without moves is NaN); ``initial``: the class shares in the first period;
    ``ergodic``: the steady state of P; ``n_transitions``: units x (periods - 1).

    Spatial Markov (when neighbours were given, else None): ``lag_breaks`` / ``lag_labels`` (classes of
    the neighbours' mean score), ``spatial_counts`` and ``spatial_P`` (arrays lag class x k x k),
    ``spatial_ergodic`` (DataFrame lag class x class), ``lag_classes`` (units x periods) and
    ``homogeneity`` (Q, Q_pvalue, LR, LR_pvalue, dof: :func:`homogeneity_test` of the lag classes'
    matrices; small p-values mean the neighbours' class matters for the moves)."""

    value_name: str
    id_name: str
    period_name: str
    periods: tuple
    labels: tuple
    breaks: np.ndarray
    classes: pd.DataFrame
    counts: pd.DataFrame
    P: pd.DataFrame
    initial: pd.Series
    ergodic: pd.Series
    n_transitions: int
    lag_breaks: np.ndarray | None = None
    lag_labels: tuple | None = None
    lag_classes: pd.DataFrame | None = None
    spatial_counts: np.ndarray | None = None
    spatial_P: np.ndarray | None = None
    spatial_ergodic: pd.DataFrame | None = None
    homogeneity: pd.Series | None = None

    @property
    def k(self) -> int:
        return len(self.labels)

    @property
    def spatial(self) -> bool:
        return self.spatial_P is not None

    def to_frame(self) -> pd.DataFrame:
        """Long table: ``lag_class`` ('all' for the classic chain, then each lag class of the spatial
        chain), ``from_class``, ``to_class``, ``count``, ``probability``, ``status`` ('ok', or 'no
        transitions' for a row of the matrix without moves)."""
        k = self.k
        mats = [("all", self.counts.to_numpy(), self.P.to_numpy())]
        if self.spatial:
            mats += [(self.lag_labels[m], self.spatial_counts[m], self.spatial_P[m]) for m in range(len(self.lag_labels))]
        parts = []
        for name, c, p in mats:
            parts.append(pd.DataFrame({"lag_class": name, "from_class": np.repeat(self.labels, k),
                                       "to_class": np.tile(self.labels, k), "count": c.ravel().astype(np.int64),
                                       "probability": p.ravel(),
                                       "status": np.repeat(np.where(c.sum(axis=1) > 0, "ok", "no transitions"), k)}))
        return pd.concat(parts, ignore_index=True)

    @property
    def status(self) -> pd.Series:
        return self.to_frame()["status"]

    def summary(self) -> str:
        fmt = lambda v: "   nan" if not np.isfinite(v) else f"{v:6.3f}"
        lines = [(f"Markov chain of {self.value_name!r}: {self.classes.shape[0]} units, {len(self.periods)} periods, "
                 f"{self.n_transitions} transitions, {self.k} classes")]

        def block(title, counts, P, pi):
            lines.append(title)
            for i, lab in enumerate(self.labels):
                lines.append(f"  {lab:>22} n={int(counts[i].sum()):5d}  " + " ".join(fmt(v) for v in P[i]))
            lines.append(f"  {'ergodic':>22}          " + " ".join(fmt(v) for v in pi))

        block("transition matrix (rows: class in t, columns: class in t + 1)", self.counts.to_numpy(),
              self.P.to_numpy(), self.ergodic.to_numpy())
        lines.append(f"  {'initial':>22}          " + " ".join(fmt(v) for v in self.initial.to_numpy()))
        if self.spatial:
            for m, lab in enumerate(self.lag_labels):
                block(f"spatial lag class {lab}", self.spatial_counts[m], self.spatial_P[m],
                      self.spatial_ergodic.to_numpy()[m])
            h = self.homogeneity
            lines.append(f"homogeneity across lag classes (Bickenbach and Bode 2003): Q = {h['Q']:.4g} "
                         f"(p = {h['Q_pvalue']:.4g}), LR = {h['LR']:.4g} (p = {h['LR_pvalue']:.4g}), dof {int(h['dof'])}")
        return "\n".join(lines)


def markov(data, value: str, id: str, period: str, classes: int | None = 4, breaks=None, neighbours=None,
           coordinates=None, k: int | None = None, threshold: float | None = None, lag_breaks=None,
           symmetric: bool = True, radius: float | None = None) -> MarkovResult:
    """Classic (Quah 1993) and, with ``neighbours`` or ``coordinates``, spatial (Rey 2001) Markov
    transition matrices of the score ``value`` over a balanced panel (``id`` x ``period``).

    Classes: ``classes`` pooled quantile classes (quantiles of all unit-period values; tied quantiles
    merge classes, with an EfficiencyWarning), or ``breaks``, the upper bounds of every class but the
    last (then there are len(breaks) + 1 classes). A class is right-closed: (b_{j-1}, b_j].
    The weights for the spatial chain come from
    :func:`~efficiency.regional.spatial.spatial_weights` (a neighbours table, dict or libpysal W, or
    coordinates with ``k`` / ``threshold``), always row-standardised so that the lag is the
    neighbours' mean; ``lag_breaks`` fixes the lag classes (default: ``classes`` pooled quantiles of
    the lag over all periods, as giddy's Spatial_Markov with fixed=True). A unit without neighbours
    is a DataError for the spatial chain (its lag is undefined).
    """
    if period is None:
        raise SpecError("period: a Markov chain needs the period column (period='year')")
    panel = score_panel(data, value, id, period, what="a Markov chain", min_units=2)
    Y = panel.Y
    U, T = Y.shape
    if T < 2:
        raise DataError(f"{panel.source}: column {period!r} holds one period; a Markov chain needs at least two")
    if breaks is None:
        if isinstance(classes, bool) or not isinstance(classes, (int, np.integer)) or classes < 2:
            raise SpecError(f"classes: expected an integer >= 2, got {classes!r}")
        b = _quantile_breaks(Y.ravel(), int(classes))
        if b.size + 1 < classes:
            warnings.warn(f"{panel.source}: column {value!r}: tied values give only {b.size + 1} distinct quantile "
                          f"classes of the {classes} asked for; using {b.size + 1}", EfficiencyWarning, stacklevel=_stacklevel())
    else:
        b = _check_breaks(breaks, "breaks")
        if classes not in (None, 4, b.size + 1):
            raise SpecError(f"classes={classes} and breaks ({b.size} bounds, i.e. {b.size + 1} classes) disagree")
    kk = b.size + 1
    if breaks is None and kk == 1:
        raise DataError(f"{panel.source}: column {value!r} takes one value ({Y.flat[0]:g}) in every row; there is "
                        "no movement between classes to count")
    C = _classify(Y, b)
    labels = _labels(b, float(Y.min()), float(Y.max()))
    counts = np.zeros((kk, kk), dtype=np.int64)
    for t in range(T - 1):
        np.add.at(counts, (C[:, t], C[:, t + 1]), 1)
    P = _row_normalise(counts.astype(np.float64))
    empty = [labels[i] for i in range(kk) if counts[i].sum() == 0]
    if empty:
        one = len(empty) == 1
        warnings.warn(f"{panel.source}: column {value!r}: no unit is in class{'' if one else 'es'} {', '.join(empty)} "
                      f"before the last period; {'its row' if one else 'their rows'} of the transition matrix "
                      f"{'is' if one else 'are'} NaN (and so is the ergodic distribution)", EfficiencyWarning,
                      stacklevel=_stacklevel())
    pi = ergodic_distribution(P)
    if not empty and np.isnan(pi).any():
        warnings.warn(f"{panel.source}: column {value!r}: the chain has several closed classes; its ergodic "
                      "distribution is not unique (NaN)", EfficiencyWarning, stacklevel=_stacklevel())
    initial = np.bincount(C[:, 0], minlength=kk) / U
    lab_index = pd.Index(labels, name="class")
    periods = panel.periods
    units = panel.units
    frame = lambda a: pd.DataFrame(a, index=units, columns=pd.Index(periods, name=period))
    out = {"value_name": value, "id_name": panel.id_name, "period_name": period, "periods": tuple(periods.tolist()),
               "labels": labels, "breaks": b, "classes": frame(C),
               "counts": pd.DataFrame(counts, index=lab_index, columns=pd.Index(labels, name="to_class")),
               "P": pd.DataFrame(P, index=lab_index, columns=pd.Index(labels, name="to_class")),
               "initial": pd.Series(initial, index=lab_index, name="initial"),
               "ergodic": pd.Series(pi, index=lab_index, name="ergodic"), "n_transitions": int(U * (T - 1))}
    if neighbours is None and coordinates is None:
        if lag_breaks is not None:
            raise SpecError("lag_breaks: the spatial Markov chain needs neighbours or coordinates")
        return MarkovResult(**out)
    w = _weights_for(panel, neighbours, coordinates, k, threshold, "r", symmetric, radius)
    W = w.sparse.tocsr()
    card = np.diff(W.indptr)
    if (card == 0).any():
        u = int(np.flatnonzero(card == 0)[0])
        raise DataError(f"neighbours: unit {format_id(units[u])!r} has no neighbours; the spatial Markov chain "
                        "conditions each move on the neighbours' mean score, undefined for an island")
    L = W @ Y
    if lag_breaks is None:
        lb = _quantile_breaks(L.ravel(), kk)
        if lb.size + 1 < kk:
            warnings.warn(f"{panel.source}: spatial lag of {value!r}: tied values give only {lb.size + 1} distinct "
                          f"quantile classes of the {kk} asked for; using {lb.size + 1}", EfficiencyWarning,
                          stacklevel=_stacklevel())
    else:
        lb = _check_breaks(lag_breaks, "lag_breaks")
    m = lb.size + 1
    LC = _classify(L, lb)
    scounts = np.zeros((m, kk, kk), dtype=np.int64)
    for t in range(T - 1):
        np.add.at(scounts, (LC[:, t], C[:, t], C[:, t + 1]), 1)
    SP = _row_normalise(scounts.astype(np.float64))
    lag_labels = _labels(lb, float(L.min()), float(L.max()))
    holes = [(lag_labels[a], labels[i]) for a in range(m) for i in range(kk) if scounts[a, i].sum() == 0]
    if holes:
        shown = "; ".join(f"lag {a}, class {c}" for a, c in holes[:5]) + ("; ..." if len(holes) > 5 else "")
        warnings.warn(f"{panel.source}: column {value!r}: {len(holes)} row(s) of the spatial Markov matrices have no "
                      f"moves ({shown}); they are NaN", EfficiencyWarning, stacklevel=_stacklevel())
    serg = np.vstack([ergodic_distribution(SP[a]) for a in range(m)])
    return MarkovResult(**out, lag_breaks=lb, lag_labels=lag_labels, lag_classes=frame(LC), spatial_counts=scounts,
                        spatial_P=SP, spatial_ergodic=pd.DataFrame(serg, index=pd.Index(lag_labels, name="lag_class"),
                                                                   columns=lab_index),
                        homogeneity=homogeneity_test(scounts))


def fig_markov(result: MarkovResult):
    """Heatmap of the transition matrix P (rows: class in t, columns: class in t + 1), each cell
    annotated with its probability and move count; for a spatial chain, one more panel per lag
    class. Returns a matplotlib Figure."""
    from ..plotting import pyplot

    plt = pyplot()
    mats = [("all units", result.counts.to_numpy(), result.P.to_numpy())]
    if result.spatial:
        mats += [(f"lag class {a + 1}: neighbours' mean\nin {lab}", result.spatial_counts[a], result.spatial_P[a])
                 for a, lab in enumerate(result.lag_labels)]
    n = len(mats)
    cols = min(n, 3)
    rows = -(-n // cols)
    k = result.k
    size = 1.4 + 0.7 * k
    fig, axes = plt.subplots(rows, cols, figsize=(size * cols + 2.2, size * rows + 1.2), squeeze=False,
                             layout="constrained")
    image = None
    for idx, (ax, (title, c, p)) in enumerate(zip(axes.ravel(), mats)):
        image = ax.imshow(np.ma.masked_invalid(p), vmin=0.0, vmax=1.0, cmap="Blues")
        for i in range(k):
            for j in range(k):
                v = p[i, j]
                text = "-" if not np.isfinite(v) else f"{v:.2f}\n({int(c[i, j])})"
                ax.text(j, i, text, ha="center", va="center", fontsize=7,
                        color="white" if np.isfinite(v) and v > 0.6 else "black")
        ax.set_xticks(range(k), result.labels, rotation=45, ha="right", fontsize=7)
        if idx % cols == 0:
            ax.set_yticks(range(k), result.labels, fontsize=7)
            ax.set_ylabel(f"class in {result.period_name} t")
        else:
            ax.set_yticks(range(k), [""] * k)
        if idx + cols >= n:
            ax.set_xlabel(f"class in {result.period_name} t + 1")
        ax.set_title(title, fontsize=8)
    for ax in axes.ravel()[n:]:
        ax.set_visible(False)
    fig.suptitle(f"Markov transition probabilities of {result.value_name} (move counts in brackets)", fontsize=10)
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label="probability")
    return fig
