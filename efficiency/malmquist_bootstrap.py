"""Bootstrap confidence intervals for the Malmquist index and its components (Simar and Wilson 1999).

Simar, L. and Wilson, P. W. (1999), "Estimating and bootstrapping Malmquist indices", European Journal
of Operational Research 115, 459-471; the univariate smoothed bootstrap it extends: Simar and Wilson
(1998), Management Science 44, 49-61 (``efficiency.bootstrap``); Silverman, B. W. (1986), Density
Estimation for Statistics and Data Analysis, Chapman and Hall, sections 3.10 and 4.

The index is the adjacent-period Malmquist index of ``ef.malmquist`` (Faere, Grosskopf, Norris and
Zhang 1994; values > 1 mean improvement): with e^T(S) the radial efficiency (input theta, or output
1/phi) of the period-S data against the period-T technology, for the pair of periods s -> t

    malmquist = sqrt( e^s(t)/e^s(s) * e^t(t)/e^t(s) ),   effch = e^t(t)/e^s(s),
    techch = sqrt( e^s(t)/e^t(t) * e^s(s)/e^t(s) )        (= malmquist/effch),

from CRS distances, and under ``rts="vrs"`` pech = v^t(t)/v^s(s) (VRS distances against each period's
own technology) and sech = effch/pech.

The bootstrap (per pair of periods, on the n units present in both):

1. **Estimates.** delta_k = (delta_k^s, delta_k^t) >= 1: the distances of unit k's period-s and
   period-t data to their own period's frontier under ``rts`` (the technology of the data-generating
   process): the Shephard input distance 1/theta (input orientation) or the Farrell output measure phi
   (output orientation). The index and its components at the observed data.
2. **Reflection** (Silverman 1986, section 3.10, in two dimensions): the 4n pairs (d^s, d^t),
   (2 - d^s, d^t), (2 - d^s, 2 - d^t), (d^s, 2 - d^t). The first and third kind (the pair itself and
   its reflection through (1, 1)) keep the sign of the correlation between a unit's two distances, the
   second and fourth (reflected in one coordinate) flip it. The kernel of the first kind has the shape
   Sigma_1, the sample covariance matrix of the n pairs (d^s, d^t); that of the second kind Sigma_2, the
   covariance matrix of the reflected pairs (d^s, 2 - d^t) (Sigma_1 with the off-diagonal negated), as
   in Simar and Wilson (1999). (The covariance of the 2n pairs of the first kind about their
   centre (1, 1) would be sum (d^s - 1)(d^t - 1) >= 0: it cannot represent units whose distances in the
   two periods are negatively correlated.)
3. **Bandwidth**: h = (4 / (5 n))^(1/6), the rule of Simar and Wilson (1999) for the bivariate normal
   kernel of shape Sigma (the kernel's covariance is h^2 Sigma).
4. **Each replication b** draws n pairs beta_1..beta_n with replacement from the 4n reflected pairs,
   smooths them with eps_i ~ N(0, Sigma_1) or N(0, Sigma_2) according to the kind of pair drawn,
   corrects the variance, gamma_i = beta_bar + (beta_i + h eps_i - beta_bar) / sqrt(1 + h^2) (beta_bar
   the mean of the n drawn pairs), and reflects components below 1 back (2 - gamma). Unit k's two
   distances are drawn *jointly*: the bootstrap keeps the dependence between a unit's efficiency in
   the two periods, which the index is built on.
5. **Pseudo-samples**: each period's data moved from its estimated frontier to gamma* inside it, as
   in ``efficiency.bootstrap``: inputs x gamma*/delta-hat (input orientation) or outputs
   y delta-hat/gamma* (output orientation), one pseudo-technology per period. The observed data of
   both periods are scored against both pseudo-technologies under CRS (and, under VRS, against their
   own period's under VRS): the bootstrap values c*_{k,b} of every component c.
6. **Estimates** (Simar and Wilson 1999, as their 1998 eq. 4.9): bias = mean_b(c*) - c-hat;
   bias-corrected c~ = c-hat - bias = 2 c-hat - mean_b(c*); the (1 - alpha) interval
   [c-hat + q_{alpha/2}, c-hat + q_{1-alpha/2}] with q the quantiles of c-hat - c* (R's type 9, as
   ``efficiency.bootstrap``). The change is significant at level alpha when the interval excludes 1.
   Bias correction adds noise: it lowers the mean squared error only where bias^2 > variance / 3
   (Simar and Wilson's rule of thumb); ``bias`` and ``variance`` are in the result to apply it.

Reproducibility: replication b of pair k draws from ``numpy.random.default_rng([seed, k, b])``, so
the same seed gives the same numbers however replications are chunked and on any number of Dask
workers. The LPs of a chunk of replications go to the backend together
(``solvers.envelopment.solve_stack``: one parallel kernel call of the numba core); from
``bootstrap.SCREEN_FROM`` units up each pseudo-technology is screened for its frame first.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from solvers import STATUS_LABELS, LPStatus, Usage

from .bootstrap import CHUNK, SCREEN_FROM, _check_replications, _orientation, _pseudo_sample, _quantiles, _rts, _seed
from .data import require_positive_rows
from .errors import DataError, EfficiencyWarning, SolveWarning
from .panel import geomean, id_columns, panel_layout
from .malmquist import MISSING
from .progress import Progress
from .results import Result
from .spec import RTS, Orientation

__all__ = ["malmquist_bootstrap", "MalmquistBootstrapResult", "bandwidth_pairs", "kernel_factors", "draw_pairs"]

#: Order of the e-arrays of one evaluation: CRS e^s(s), e^s(t), e^t(t), e^t(s), then VRS v^s(s), v^t(t).
_CRS_PARTS = ("ss", "st", "tt", "ts")
_VRS_PARTS = ("vss", "vtt")


# --------------------------------------------------------------------------------------------------
# The pieces of the algorithm
# --------------------------------------------------------------------------------------------------

def bandwidth_pairs(n: int) -> float:
    """h = (4 / (5 n))^(1/6), Simar and Wilson's (1999) bandwidth for n pairs."""
    return (4.0 / (5.0 * n)) ** (1.0 / 6.0)


def _reflected(ds: np.ndarray, dt: np.ndarray) -> np.ndarray:
    """The 4n reflected pairs: (ds, dt), (2 - ds, dt), (2 - ds, 2 - dt), (ds, 2 - dt), in blocks of n."""
    return np.vstack([np.column_stack([ds, dt]), np.column_stack([2.0 - ds, dt]),
                      np.column_stack([2.0 - ds, 2.0 - dt]), np.column_stack([ds, 2.0 - dt])])


def _chol2(S: np.ndarray) -> np.ndarray:
    """Lower-triangular L with L L' = S for a 2 x 2 positive semi-definite S (singular allowed)."""
    a = np.sqrt(max(S[0, 0], 0.0))
    b = S[1, 0] / a if a > 0 else 0.0
    c = np.sqrt(max(S[1, 1] - b * b, 0.0))
    return np.array([[a, 0.0], [b, c]])


def kernel_factors(ds: np.ndarray, dt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cholesky factors of Sigma_1, the covariance matrix of the pairs (ds, dt), and Sigma_2, that of
    the reflected pairs (ds, 2 - dt) (step 2 of the module docstring)."""
    S1 = np.cov(np.vstack([ds, dt]))
    S2 = S1 * np.array([[1.0, -1.0], [-1.0, 1.0]])
    return _chol2(S1), _chol2(S2)


def draw_pairs(ds: np.ndarray, dt: np.ndarray, h: float, L1: np.ndarray, L2: np.ndarray,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """One smoothed, reflected, variance-corrected bivariate draw (gamma*^s, gamma*^t) >= 1 of the n
    pairs of distances (Simar and Wilson 1999; steps 2-4 of the module docstring)."""
    n = ds.size
    R = _reflected(ds, dt)
    idx = rng.integers(0, 4 * n, size=n)
    beta = R[idx]
    z = rng.standard_normal((n, 2))
    keep = (idx < n) | ((idx >= 2 * n) & (idx < 3 * n))
    eps = np.where(keep[:, None], z @ L1.T, z @ L2.T)
    mean = beta.mean(axis=0)
    gamma = mean + (beta + h * eps - mean) / np.sqrt(1.0 + h * h)
    gamma = np.where(gamma < 1.0, 2.0 - gamma, gamma)
    return gamma[:, 0], gamma[:, 1]


def _rng(seed: int, pair: int, b: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), int(pair), int(b)])


def evaluate(Xs, Ys, Xt, Yt, refs, *, rts, orientation, solver, screen):
    """The efficiencies e of the observed data of both periods against pseudo-technologies: for each
    reference (Xrs, Yrs, Xrt, Yrt) of ``refs`` (the pseudo-samples of periods s and t), the CRS
    e^s(s), e^s(t), e^t(t), e^t(s) and, under VRS, v^s(s), v^t(t). Returns (dict part -> (n, R)
    array, NaN where an LP has no optimum; dict part -> (n, R) LP status; Usage)."""
    from solvers.envelopment import solve_stack

    from .dea.radial import radial, radial_problem

    n, R = Xs.shape[0], len(refs)
    Xst, Yst, Xts, Yts = np.vstack([Xs, Xt]), np.vstack([Ys, Yt]), np.vstack([Xt, Xs]), np.vstack([Yt, Ys])
    jobs = [(RTS.CRS, [(Xst, Yst, r[0], r[1]) for r in refs] + [(Xts, Yts, r[2], r[3]) for r in refs])]
    if rts != RTS.CRS:
        jobs.append((rts, [(Xs, Ys, r[0], r[1]) for r in refs] + [(Xt, Yt, r[2], r[3]) for r in refs]))
    values, status, usage = {}, {}, Usage()
    for tech, problems in jobs:
        if screen:
            sols = [radial(*p, rts=tech, orientation=orientation, solver=solver, slacks=False, screen=True)
                    for p in problems]
            ts = [(s.farrell, s.status, s.usage) for s in sols]
        else:
            sols = solve_stack(solver, [radial_problem(*p, rts=tech, orientation=orientation) for p in problems])
            ts = [(s.t, s.status, s.usage) for s in sols]
        t = np.stack([x[0] for x in ts], axis=1)                 # (rows, 2R)
        st = np.stack([x[1] for x in ts], axis=1).astype(np.int8)
        for _, _, u in ts:
            usage = usage + u
        ok = st == LPStatus.OPTIMAL
        with np.errstate(divide="ignore", invalid="ignore"):
            e = np.where(ok, t if orientation == Orientation.INPUT else 1.0 / t, np.nan)
        if tech == RTS.CRS:
            values.update(ss=e[:n, :R], st=e[n:, :R], tt=e[:n, R:], ts=e[n:, R:])
            status.update(ss=st[:n, :R], st=st[n:, :R], tt=st[:n, R:], ts=st[n:, R:])
        else:
            values.update(vss=e[:, :R], vtt=e[:, R:])
            status.update(vss=st[:, :R], vtt=st[:, R:])
    return values, status, usage


def components(e: dict) -> dict:
    """malmquist, effch, techch (+ pech, sech) from the efficiencies of :func:`evaluate`."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = {"malmquist": np.sqrt((e["st"] / e["ss"]) * (e["tt"] / e["ts"])),
               "effch": e["tt"] / e["ss"],
               "techch": np.sqrt((e["st"] / e["tt"]) * (e["ss"] / e["ts"]))}
        if "vss" in e:
            out["pech"] = e["vtt"] / e["vss"]
            out["sech"] = out["effch"] / out["pech"]
    return out


def replicate(reps, *, Xs, Ys, Xt, Yt, ds, dt, h, L1, L2, seed, pair, rts, orientation, solver, screen):
    """The bootstrap values of every component (dict name -> (n, len(reps))) of replications ``reps``
    of pair ``pair``, and the backends' Usage. Module-level (picklable) for Dask workers."""
    refs = []
    for b in reps:
        gs, gt = draw_pairs(ds, dt, h, L1, L2, _rng(seed, pair, b))
        refs.append(_pseudo_sample(Xs, Ys, ds, gs, orientation) + _pseudo_sample(Xt, Yt, dt, gt, orientation))
    e, _, usage = evaluate(Xs, Ys, Xt, Yt, refs, rts=rts, orientation=orientation, solver=solver, screen=screen)
    return components(e), usage


# --------------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class MalmquistBootstrapResult(Result):
    """Simar-Wilson (1999) bootstrap of the adjacent-period Malmquist index; one row per unit and pair
    of consecutive periods (units in order of first appearance, then ``period_from``).

    ``components``: the names of the bootstrapped components ('malmquist', 'effch', 'techch', and
    'pech', 'sech' under VRS). DataFrames with one column per component, rows aligned with the table:
    ``estimate`` (the index at the data, as ``ef.malmquist``), ``bias`` (mean of the replicates minus
    the estimate), ``bias_corrected`` (estimate - bias), ``lower``/``upper`` (the 1 - alpha interval)
    and ``variance`` (of the replicates). ``replicates``: component -> (rows x B) bootstrap values (NaN
    where an LP failed). ``bandwidth``: h per pair of periods; ``n_units``: units bootstrapped per pair.
    ``status``: 'optimal', 'missing' (unit absent in a period of the pair) or an LP status of the
    estimate. ``seed``: the seed used (drawn when none was given).
    """

    rts: str
    orientation: str
    B: int
    alpha: float
    seed: int
    solver: str
    id_names: tuple[str, ...]
    period_name: str
    periods: np.ndarray
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    ids: pd.Index
    period_from: np.ndarray
    period_to: np.ndarray
    components: tuple[str, ...]
    estimate: pd.DataFrame
    bias: pd.DataFrame
    bias_corrected: pd.DataFrame
    lower: pd.DataFrame
    upper: pd.DataFrame
    variance: pd.DataFrame
    replicates: dict
    bandwidth: np.ndarray
    n_units: np.ndarray
    status: np.ndarray
    failed: int                      # bootstrap values left out (an LP without an optimum)

    @property
    def significant(self) -> pd.DataFrame:
        """Per component: True where the interval excludes 1 (a significant change at level alpha),
        False where it covers 1, <NA> where there is no interval."""
        out = {}
        for c in self.components:
            lo, hi = self.lower[c].to_numpy(), self.upper[c].to_numpy()
            flag = pd.array((lo > 1.0) | (hi < 1.0), dtype="boolean")
            flag[~(np.isfinite(lo) & np.isfinite(hi))] = pd.NA
            out[c] = flag
        return pd.DataFrame(out)

    def to_frame(self) -> pd.DataFrame:
        """id column(s), period_from, period_to, then for each component c: c, c_bias_corrected,
        c_lower, c_upper, c_significant (the interval excludes 1); then status."""
        cols: dict[str, object] = id_columns(self.ids, self.id_names)
        cols["period_from"] = self.period_from
        cols["period_to"] = self.period_to
        sig = self.significant
        for c in self.components:
            cols[c] = self.estimate[c].to_numpy()
            cols[f"{c}_bias_corrected"] = self.bias_corrected[c].to_numpy()
            cols[f"{c}_lower"] = self.lower[c].to_numpy()
            cols[f"{c}_upper"] = self.upper[c].to_numpy()
            cols[f"{c}_significant"] = sig[c].array
        cols["status"] = self.status
        return pd.DataFrame(cols)

    def summary(self) -> str:
        """Model, sample, bandwidths; per pair of periods the geometric mean of each component and how
        many rows change significantly (up / down)."""
        lines = [f"Simar-Wilson (1999) bootstrap of the Malmquist index, adjacent periods, {self.rts.upper()}, "
                 f"{self.orientation} orientation",
                 f"Units: {len(self.ids.unique())}; periods: {len(self.periods)} ({self.periods[0]} to "
                 f"{self.periods[-1]}); B = {self.B}; seed {self.seed}; alpha {self.alpha:g}; solver: {self.solver}",
                 f"Geometric means; significant rows at {100 * (1 - self.alpha):g}% (interval above 1 / below 1):"]
        lines.append(f"  {'from':>8} {'to':>8} {'h':>7} " + " ".join(f"{c:>17}" for c in self.components))
        sig = self.significant
        for k, (a, b) in enumerate(zip(self.periods[:-1], self.periods[1:])):
            sel = (self.period_from == a) & (self.period_to == b)
            cells = []
            for c in self.components:
                up = int((sig[c][sel] & (self.lower[c][sel] > 1.0)).fillna(False).sum())
                down = int((sig[c][sel] & (self.upper[c][sel] < 1.0)).fillna(False).sum())
                cells.append(f"{geomean(self.estimate[c].to_numpy()[sel]):>8.4f} {up:>3}/{down:<4}")
            lines.append(f"  {a!s:>8} {b!s:>8} {self.bandwidth[k]:>7.4f} " + " ".join(cells))
        labels, counts = np.unique(self.status.astype(str), return_counts=True)
        lines.append("Status: " + ", ".join(f"{c} {lab}" for lab, c in zip(labels, counts)))
        if self.failed:
            lines.append(f"{self.failed} bootstrap values had an LP without an optimum and were left out")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<MalmquistBootstrapResult {self.rts} {self.orientation}: {len(self.period_from)} rows, "
                f"B={self.B}, seed={self.seed}>")


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------

def malmquist_bootstrap(panel, id=None, period=None, inputs=None, outputs=None, rts="crs", orientation="input",
                        B=2000, alpha=0.05, seed=None, *, solver=None,
                        client=None) -> MalmquistBootstrapResult:
    """Simar-Wilson (1999) bootstrap of the adjacent-period Malmquist index and its components.

    ``panel``/``id``/``period``/``inputs``/``outputs`` as for :func:`efficiency.malmquist`; ``rts``:
    'crs' or 'vrs' (the technology of the data-generating process; the index, effch and techch come
    from CRS distances as in ``ef.malmquist``, and under 'vrs' pech and sech are bootstrapped too);
    ``orientation``: 'input' or 'output'; ``B`` replications (2000 by default: percentile intervals
    need many); ``alpha``: the intervals have coverage 1 - alpha; ``seed``: same seed, same numbers (on
    any number of workers); ``client``: a ``dask.distributed.Client`` to run chunks of replications on;
    ``solver``: the LP backend (default numba). The module docstring gives the algorithm.

    The bootstrap resamples each unit's pair of distances jointly, so each pair of periods is
    estimated and bootstrapped on the units present in both: on an unbalanced panel a unit absent in
    one of the two periods gets its row with status 'missing', the technologies of that pair are
    spanned by the units present in both periods (which can make the estimates differ from
    ``ef.malmquist``'s, whose technologies hold every unit of the period), and an
    :class:`EfficiencyWarning` says so.
    """
    from . import distributed
    from .dea.envelopment import backend, report_usage
    from .dea.radial import radial

    rts, orientation = _rts(rts), _orientation(orientation)
    _check_replications(B, alpha)
    B, alpha = int(B), float(alpha)
    seed = _seed(seed)
    distributed._check_client(client)
    p = panel_layout(panel, id, period, inputs, outputs, None, what="a Malmquist index")
    fd = p.fd
    require_positive_rows(fd, "inputs" if orientation == Orientation.INPUT else "outputs",
                          f"the bootstrap of the {orientation.value}-oriented Malmquist index", every=True)
    lp = backend(solver)
    T, U = p.T, len(p.units)
    u_idx = np.repeat(np.arange(U), T - 1)
    k_idx = np.tile(np.arange(T - 1), U)
    rows_n = u_idx.size
    names = ("malmquist", "effch", "techch") + (("pech", "sech") if rts != RTS.CRS else ())
    est = {c: np.full(rows_n, np.nan) for c in names}
    reps = {c: np.full((rows_n, B), np.nan) for c in names}
    status = np.full(rows_n, MISSING, dtype=object)
    h_pair, n_pair = np.full(T - 1, np.nan), np.zeros(T - 1, dtype=np.int64)
    usage = Usage()
    left_out = 0
    screen = False
    with Progress(B * (T - 1), "Malmquist bootstrap", unit="replications") as bar:
        for k in range(T - 1):
            both = np.flatnonzero((p.grid[:, k] >= 0) & (p.grid[:, k + 1] >= 0))
            left_out += int(((p.grid[:, k] >= 0) | (p.grid[:, k + 1] >= 0)).sum()) - both.size
            if both.size < 3:
                raise DataError(f"{fd.source}: periods {p.periods[k]} and {p.periods[k + 1]} have {both.size} "
                                f"unit(s) present in both; the Malmquist bootstrap needs at least 3")
            rs, rt = p.grid[both, k], p.grid[both, k + 1]
            Xs, Ys, Xt, Yt = fd.X[rs], fd.Y[rs], fd.X[rt], fd.Y[rt]
            n = both.size
            screen = n >= SCREEN_FROM
            # 1. the distances to each period's own frontier under rts (the DGP), and the estimates
            dist = []
            for X, Y, rows in ((Xs, Ys, rs), (Xt, Yt, rt)):
                env = radial(X, Y, rts=rts, orientation=orientation, solver=distributed.distribute(lp, client),
                             slacks=False)
                usage = usage + env.usage
                if (env.status != LPStatus.OPTIMAL).any():
                    i = int(np.flatnonzero(env.status != LPStatus.OPTIMAL)[0])
                    raise DataError(f"malmquist_bootstrap: the DEA score of the unit in {fd.where(int(rows[i]))} "
                                    "against its own period could not be computed")
                dist.append(1.0 / env.farrell if orientation == Orientation.INPUT else env.farrell.copy())
            ds, dt = dist
            e, st, u = evaluate(Xs, Ys, Xt, Yt, [(Xs, Ys, Xt, Yt)], rts=rts, orientation=orientation, solver=lp,
                                screen=screen)
            usage = usage + u
            row = both * (T - 1) + k                      # rows of the table: unit-major, then period_from
            for c, v in components(e).items():
                est[c][row] = v[:, 0]
            st_all = np.stack([st[part][:, 0] for part in st], axis=1)
            bad = st_all != LPStatus.OPTIMAL
            first = st_all[np.arange(n), np.argmax(bad, axis=1)]
            status[row] = np.where(bad.any(axis=1), STATUS_LABELS[first], "optimal")
            # 2-5. the bootstrap
            h = bandwidth_pairs(n)
            L1, L2 = kernel_factors(ds, dt)
            h_pair[k], n_pair[k] = h, n
            chunks = [np.arange(s, min(B, s + CHUNK)) for s in range(0, B, CHUNK)]
            shared = dict(Xs=Xs, Ys=Ys, Xt=Xt, Yt=Yt, ds=ds, dt=dt, h=h, L1=L1, L2=L2, seed=seed, pair=k, rts=rts,
                          orientation=orientation, solver=lp, screen=screen)
            parts = distributed.map_chunks(client, replicate, chunks, shared, progress=bar)
            for (vals, u), chunk in zip(parts, chunks):
                usage = usage + u
                for c in names:
                    reps[c][row[:, None], chunk[None, :]] = vals[c]
    if left_out:
        warnings.warn(f"malmquist_bootstrap: the panel is unbalanced: in {left_out} rows (unit, pair of periods) the "
                      "unit is present in only one of the two periods; they are 'missing', and each pair of periods is "
                      "estimated and bootstrapped on the units present in both (their pairs of distances are "
                      "resampled jointly), so its technologies are spanned by those units only and the estimates can "
                      "differ from ef.malmquist's", EfficiencyWarning, stacklevel=2)
    failed = sum(int((np.isnan(reps[c]) & np.isfinite(est[c])[:, None]).sum()) for c in names)
    if failed:
        warnings.warn(f"malmquist_bootstrap: {failed} bootstrap values had an LP without an optimum; they are "
                      "left out of the estimates", SolveWarning, stacklevel=2)
    unsolved = (status != "optimal") & (status != MISSING)
    if unsolved.any():
        warnings.warn(f"malmquist_bootstrap: {int(unsolved.sum())} rows have an LP without an optimum at the data; "
                      "their values are NaN and `status` says why", SolveWarning, stacklevel=2)
    stats = {key: {} for key in ("bias", "bc", "lower", "upper", "variance")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)             # all-NaN rows stay NaN
        for c in names:
            D, c_hat = reps[c], est[c]
            bias = np.nanmean(D, axis=1) - c_hat
            q = _quantiles(c_hat[:, None] - D, [alpha / 2, 1 - alpha / 2])
            stats["bias"][c] = bias
            stats["bc"][c] = c_hat - bias
            stats["lower"][c], stats["upper"][c] = c_hat + q[:, 0], c_hat + q[:, 1]
            stats["variance"][c] = np.nanvar(D, axis=1, ddof=1)
    solver_label = report_usage(usage, lp, solver is not None, "malmquist_bootstrap")
    frame = lambda d: pd.DataFrame({c: d[c] for c in names})  # noqa: E731
    return MalmquistBootstrapResult(
        rts=rts.value, orientation=orientation.value, B=B, alpha=alpha, seed=seed, solver=solver_label,
        id_names=tuple(p.id_cols), period_name=p.period, periods=p.periods, input_names=fd.input_names,
        output_names=fd.output_names, ids=p.units.take(u_idx), period_from=p.periods[k_idx],
        period_to=p.periods[k_idx + 1], components=names, estimate=frame(est), bias=frame(stats["bias"]),
        bias_corrected=frame(stats["bc"]), lower=frame(stats["lower"]), upper=frame(stats["upper"]),
        variance=frame(stats["variance"]), replicates=reps, bandwidth=h_pair, n_units=n_pair, status=status,
        failed=failed)
