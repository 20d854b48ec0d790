"""The smoothed homogeneous bootstrap of Simar and Wilson (1998) for radial DEA scores.

Simar, L. and Wilson, P. W. (1998), "Sensitivity analysis of efficiency scores: how to bootstrap in
nonparametric frontier models", Management Science 44(1), 49-61; Simar and Wilson (2000), "Statistical
inference in nonparametric frontier models: the state of the art", Journal of Productivity Analysis
13, 49-78; Daraio, C. and Simar, L. (2007), Advanced Robust and Nonparametric Methods in Efficiency
Analysis, Springer, section 3.4; Silverman, B. W. (1986), Density Estimation for Statistics and Data
Analysis, Chapman and Hall. Consistency of the bootstrap: Kneip, Simar and Wilson (2008), Econometric
Theory 24, 1663-1697.

The bootstrap works on the distance delta >= 1: the Shephard input distance 1/theta under input
orientation, the Farrell output measure phi under output orientation. With delta_hat the DEA
estimates of the n DMUs:

1. **Bandwidth** (normal reference rule, Silverman 1986, eq. 3.31, on the reflected sample): take the
   k scores with delta_hat > 1 + 1e-6 (the efficient ones would put a point mass at 1), reflect
   them about 1 (2k values z, 2 - z), and compute h0 = 0.9 min(sd, IQR/1.349) (2k)^(-1/5) of the
   reflected set (sd alone when the IQR is below 1e-6); rescale it to the n scores,
   h = h0 sd(delta_hat)/sd(reflected) (2k/n)^(1/5) (Daraio and Simar 2007, eqs. 3.26-3.28). This is
   the rule of R Benchmarking's ``dea.boot``, computed on delta throughout.
2. **Each replication b** (reflection method of Silverman 1986, section 3.10): draw beta_1..beta_n
   with replacement from the 2n reflected values {delta_hat, 2 - delta_hat}; smooth,
   beta + h eps with eps ~ N(0, 1); correct the variance, delta* = mean(beta) + (beta + h eps -
   mean(beta)) / sqrt(1 + h^2 / var(reflected)); reflect values below 1 back (2 - delta*).
3. **Pseudo-sample** on the estimated frontier, moved inside by delta*: inputs x_j delta*_j /
   delta_hat_j (input orientation) or outputs y_j delta_hat_j / delta*_j (output); every DMU's
   original (x_o, y_o) is scored against that pseudo-reference: delta_hat*_{o,b}.
4. **Estimates** on the delta scale: bias = mean_b(delta_hat*) - delta_hat; bias-corrected
   delta_tilde = delta_hat - bias; the (1 - alpha) interval [delta_hat + q_{alpha/2},
   delta_hat + q_{1-alpha/2}] with q the quantiles of delta_hat - delta_hat* (Simar and Wilson 1998,
   eq. 4.9; R's quantile type 9); the variance of the replicates.

Results are reported on the toolkit's efficiency scale (DESIGN section 3: theta, or 1/phi): the
efficiency 1/delta_hat, bias_corrected 1/delta_tilde, the interval [1/upper_delta, 1/lower_delta],
bias = efficiency - bias_corrected, variance of 1/delta_hat*. The Farrell-scale values (theta, or
phi) that Benchmarking prints are in ``farrell``, ``farrell_bc``, ``farrell_lower``,
``farrell_upper``, ``farrell_variance``.

Reproducibility: replication b draws from ``numpy.random.default_rng([seed, b])``, its own stream,
so the same seed gives the same numbers however the replications are chunked and on any number of
Dask workers. Without a seed one is drawn and kept in ``result.seed``.

Each replication scores the n DMUs against one pseudo-reference set: the batched envelopment LPs
of the numba core. The replications of a chunk go to the kernel together (``_kernel.solve_stack``:
one parallel loop over every (replication, DMU) pair), so a chunk pays for one parallel region and
one Python round trip, not one per replication; from SCREEN_FROM DMUs up each replication's
pseudo-reference is screened for its frame first, one replication at a time.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from solvers import LPStatus

from ._compat import moved_to_keywords
from .data import frontier_data, require_positive_rows
from .errors import DataError, SolveWarning, SpecError
from .progress import Progress
from .spec import RTS, Orientation

__all__ = ["bootstrap", "BootstrapResult", "bandwidth", "draw_delta", "replicate", "pseudo_scores"]

#: Scores within this of 1 count as efficient when the bandwidth is computed.
EFFICIENT_TOL = 1e-6
#: Replications per chunk (a task on a Dask cluster; a progress step in-process).
CHUNK = 50
#: Pseudo-reference sets at least this large are screened for their frame first.
SCREEN_FROM = 2000


# --------------------------------------------------------------------------------------------------
# The pieces of the algorithm
# --------------------------------------------------------------------------------------------------

def _iqr(v: np.ndarray) -> float:
    q1, q3 = np.quantile(v, [0.25, 0.75])            # R's default (type 7) = numpy's linear
    return float(q3 - q1)


def bandwidth(delta: np.ndarray) -> float:
    """The smoothing bandwidth h for the distances ``delta`` (>= 1): Silverman's (1986, eq. 3.31)
    normal reference rule on the inefficient scores reflected about 1, rescaled to the full sample
    (Daraio and Simar 2007, eqs. 3.26-3.28). :class:`DataError` when every DMU is efficient."""
    delta = np.asarray(delta, dtype=float)
    delta = delta[np.isfinite(delta)]
    z = delta[delta > 1.0 + EFFICIENT_TOL]
    if z.size < 2:
        raise DataError("bootstrap: fewer than two DMUs are inefficient; the distribution of the scores "
                        "is degenerate and cannot be smoothed")
    refl = np.concatenate([z, 2.0 - z])
    sd = float(np.std(refl, ddof=1))
    spread = sd
    iqr = _iqr(refl) / 1.349
    if 1e-6 < iqr < sd:
        spread = iqr
    h0 = 0.9 * spread * refl.size ** -0.2
    adjust = float(np.std(delta, ddof=1)) / sd * (refl.size / delta.size) ** 0.2
    return adjust * h0


def draw_delta(delta: np.ndarray, h: float, rng: np.random.Generator) -> np.ndarray:
    """One smoothed, reflected, variance-corrected bootstrap draw delta* (>= 1) of the n scores
    (Simar and Wilson 1998, section 4; Daraio and Simar 2007, p. 62)."""
    n = delta.size
    refl = np.concatenate([delta, 2.0 - delta])
    beta = refl[rng.integers(0, refl.size, size=n)]
    eps = rng.standard_normal(n)
    mean = beta.mean()
    star = mean + (beta + h * eps - mean) / np.sqrt(1.0 + h * h / np.var(refl, ddof=1))
    return np.where(star < 1.0, 2.0 - star, star)


def _rng(seed: int, b: int) -> np.random.Generator:
    return np.random.default_rng([int(seed), int(b)])


def pseudo_scores(X, Y, delta, star, *, rts, orientation, solver, screen) -> np.ndarray:
    """delta_hat* of every DMU's (x_o, y_o) against the pseudo-sample whose DMU j lies inside the
    estimated frontier by star_j (>= 1): inputs x_j star_j / delta_j (input orientation) or outputs
    y_j delta_j / star_j (output). NaN where the LP has no optimal solution."""
    from .dea.radial import radial

    Xr, Yr = _pseudo_sample(X, Y, delta, star, orientation)
    env = radial(X, Y, Xr, Yr, rts=rts, orientation=orientation, solver=solver, slacks=False, screen=screen)
    out = 1.0 / env.farrell if orientation == Orientation.INPUT else env.farrell.copy()
    out[env.status != LPStatus.OPTIMAL] = np.nan
    return out


def replicate(reps, *, X, Y, delta, h, seed, rts, orientation, solver, screen, stars=None) -> np.ndarray:
    """The bootstrap distances delta_hat*_{o,b} (n x len(reps)) of replications ``reps``: with the
    smoothed draws of stream (seed, b), or with the given draws ``stars[:, b]``. Without screening,
    the replications' LPs go to the backend together (``solvers.envelopment.solve_stack``: one
    parallel kernel call for the numba core, not one per replication).

    Module-level (picklable) so that a Dask worker can run a chunk of replications."""
    from solvers.envelopment import solve_stack

    from .dea.radial import radial_problem

    out = np.empty((X.shape[0], len(reps)))
    draws = [draw_delta(delta, h, _rng(seed, b)) if stars is None else stars[:, b] for b in reps]
    if screen:
        for j, star in enumerate(draws):
            out[:, j] = pseudo_scores(X, Y, delta, star, rts=rts, orientation=orientation, solver=solver,
                                      screen=screen)
        return out
    problems = [radial_problem(X, Y, *_pseudo_sample(X, Y, delta, star, orientation), rts=rts,
                               orientation=orientation) for star in draws]
    for j, sol in enumerate(solve_stack(solver, problems)):
        d = 1.0 / sol.t if orientation == Orientation.INPUT else sol.t.copy()
        d[sol.status != LPStatus.OPTIMAL] = np.nan
        out[:, j] = d
    return out


def _pseudo_sample(X, Y, delta, star, orientation) -> tuple[np.ndarray, np.ndarray]:
    """The pseudo-sample: DMU j inside the estimated frontier by star_j (>= 1)."""
    if orientation == Orientation.INPUT:
        return X * (star / delta)[:, None], Y
    return X, Y * (delta / star)[:, None]


def _quantiles(D: np.ndarray, probs) -> np.ndarray:
    """Row quantiles ignoring NaN, R's type 9 (numpy 'normal_unbiased')."""
    return np.nanquantile(D, probs, axis=1, method="normal_unbiased").T


# --------------------------------------------------------------------------------------------------
# Result
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class BootstrapResult:
    """Simar-Wilson (1998) bootstrap of radial DEA scores; one entry per DMU, input order.

    Efficiency-scale fields (DESIGN section 3, in (0, 1]): ``efficiency``, ``bias`` (= efficiency -
    bias_corrected, >= 0 as a rule: DEA overstates efficiency), ``bias_corrected``, ``lower``,
    ``upper`` (the 1 - alpha interval) and ``variance``. Farrell-scale fields (theta, or phi >= 1
    under output orientation, as R Benchmarking's ``dea.boot`` prints them): ``farrell``,
    ``farrell_bc``, ``farrell_lower``, ``farrell_upper``, ``farrell_variance``. ``replicates``: the
    bootstrap distances delta* (n x B; 1/theta* or phi*), NaN where an LP failed. ``seed`` is the
    seed used (drawn when none was given), ``bandwidth`` the smoothing bandwidth h.
    """

    rts: str
    orientation: str
    B: int
    alpha: float
    seed: int
    bandwidth: float
    solver: str
    ids: pd.Index
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    efficiency: np.ndarray
    bias: np.ndarray
    bias_corrected: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    variance: np.ndarray
    farrell: np.ndarray
    farrell_bc: np.ndarray
    farrell_lower: np.ndarray
    farrell_upper: np.ndarray
    farrell_variance: np.ndarray
    replicates: np.ndarray
    failed: int                      # bootstrap LPs without an optimal solution

    @property
    def scores(self) -> pd.Series:
        return pd.Series(self.efficiency, index=self.ids, name="efficiency")

    def to_frame(self) -> pd.DataFrame:
        """id (index), efficiency, bias, bias_corrected, lower, upper, variance."""
        return pd.DataFrame({"efficiency": self.efficiency, "bias": self.bias,
                             "bias_corrected": self.bias_corrected, "lower": self.lower,
                             "upper": self.upper, "variance": self.variance}, index=self.ids)

    def summary(self) -> str:
        ok = np.isfinite(self.efficiency)
        width = self.upper - self.lower
        lines = [f"Simar-Wilson (1998) bootstrap of radial DEA, {self.rts.upper()}, {self.orientation} orientation",
                 f"DMUs: {self.efficiency.size}; replications B = {self.B}; seed {self.seed}; bandwidth "
                 f"h = {self.bandwidth:.6g}; solver: {self.solver}",
                 f"Mean efficiency {np.nanmean(self.efficiency):.4f}, bias-corrected "
                 f"{np.nanmean(self.bias_corrected):.4f}; mean bias {np.nanmean(self.bias):.4f}",
                 f"{100 * (1 - self.alpha):g}% intervals: mean width {np.nanmean(width):.4f} "
                 f"(min {np.nanmin(width):.4f}, max {np.nanmax(width):.4f}); {int(ok.sum())} DMUs scored"]
        if self.failed:
            lines.append(f"{self.failed} bootstrap LPs had no optimal solution and were left out")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<BootstrapResult {self.rts} {self.orientation}: {self.efficiency.size} DMUs, "
                f"B={self.B}, seed={self.seed}>")


# --------------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------------

def _orientation(value) -> Orientation:
    o = Orientation.parse(value, name="orientation")
    if o not in (Orientation.INPUT, Orientation.OUTPUT):
        raise SpecError("orientation: the Simar-Wilson bootstrap takes 'input' or 'output'")
    return o


def _rts(value) -> RTS:
    r = RTS.parse(value, name="rts")
    if r not in (RTS.CRS, RTS.VRS):
        raise SpecError("rts: the Simar-Wilson bootstrap takes 'crs' or 'vrs'")
    return r


def _seed(seed) -> int:
    if seed is None:
        return int(np.random.SeedSequence().entropy % (2 ** 63))
    try:
        value = int(seed)
    except (TypeError, ValueError):
        raise SpecError(f"seed: expected a non-negative integer, got {seed!r}") from None
    if value < 0 or value != seed:
        raise SpecError(f"seed: expected a non-negative integer, got {seed!r}")
    return value


def _check_replications(B, alpha) -> None:
    """SpecError unless ``B`` is an integer >= 2 and ``alpha`` lies in (0, 1) (shared with
    ``efficiency.malmquist_bootstrap``)."""
    if isinstance(B, bool) or not isinstance(B, (int, np.integer)) or B < 2:
        raise SpecError(f"B: the number of replications must be an integer >= 2, got {B!r}")
    if isinstance(alpha, bool) or not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        raise SpecError(f"alpha: must lie in (0, 1), got {alpha!r}")


def bootstrap_distances(X, Y, delta, *, B, seed, rts, orientation, solver, client=None, h=None,
                        stars=None, label="bootstrap") -> tuple[np.ndarray, float]:
    """The n x B matrix of bootstrap distances (and the bandwidth) for estimates ``delta`` >= 1;
    with ``stars`` (n x B), those draws replace the smoothed bootstrap's."""
    from . import distributed
    from .dea.envelopment import backend

    h = (bandwidth(delta) if stars is None else float("nan")) if h is None else h
    lp = backend(solver)
    screen = X.shape[0] >= SCREEN_FROM
    chunks = [np.arange(s, min(B, s + CHUNK)) for s in range(0, B, CHUNK)]
    shared = dict(X=X, Y=Y, delta=delta, h=h, seed=seed, rts=rts, orientation=orientation, solver=lp,
                  screen=screen, stars=stars)
    with Progress(B, label, unit="replications") as bar:
        parts = distributed.map_chunks(client, replicate, chunks, shared, progress=bar)
    return np.hstack(parts), h


def bootstrap(data=None, id=None, inputs=None, outputs=None, rts="vrs", orientation="input", B=2000,
              alpha=0.05, seed=None, *_positional, client=None, solver=None) -> BootstrapResult:
    """Simar-Wilson (1998) smoothed homogeneous bootstrap of radial DEA efficiency scores.

    ``data``/``id``/``inputs``/``outputs`` as in :func:`efficiency.dea`; ``rts`` 'crs' or 'vrs';
    ``orientation`` 'input' or 'output'; ``B`` replications (2000 by default: percentile intervals
    need many); ``alpha``: the intervals have coverage 1 - alpha; ``seed``: same seed, same numbers
    (on any number of workers); ``client``: a ``dask.distributed.Client`` to run the replications on
    (chunks of replications are tasks; the data are broadcast once). ``solver``: the LP backend
    (default numba). The module docstring gives the algorithm, the bandwidth rule and the scales.
    """
    from . import distributed
    from .dea.envelopment import backend
    from .dea.radial import radial

    client = moved_to_keywords("bootstrap", _positional, client=client)
    rts, orientation = _rts(rts), _orientation(orientation)
    _check_replications(B, alpha)
    seed = _seed(seed)
    distributed._check_client(client)
    fd = frontier_data(data, id=id, inputs=inputs, outputs=outputs)
    require_positive_rows(fd, "inputs" if orientation == Orientation.INPUT else "outputs",
                          f"{orientation.value}-oriented radial DEA", every=True)
    lp = backend(solver)
    env = radial(fd.X, fd.Y, rts=rts, orientation=orientation, solver=distributed.distribute(lp, client),
                 slacks=False)
    if (env.status != LPStatus.OPTIMAL).any():
        i = int(np.flatnonzero(env.status != LPStatus.OPTIMAL)[0])
        raise DataError(f"bootstrap: the DEA score of the DMU in {fd.where(i)} could not be computed")
    delta = 1.0 / env.farrell if orientation == Orientation.INPUT else env.farrell.copy()
    D, h = bootstrap_distances(fd.X, fd.Y, delta, B=int(B), seed=seed, rts=rts, orientation=orientation,
                               solver=lp, client=client)
    failed = int(np.isnan(D).sum())
    if failed:
        warnings.warn(f"bootstrap: {failed} of {D.size} bootstrap LPs had no optimal solution; they are left "
                      "out of the estimates", SolveWarning, stacklevel=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)      # all-NaN rows stay NaN
        bias_d = np.nanmean(D, axis=1) - delta
        q = _quantiles(delta[:, None] - D, [alpha / 2, 1 - alpha / 2])
        var_eff = np.nanvar(1.0 / D, axis=1, ddof=1)
        var_phi = np.nanvar(D, axis=1, ddof=1)
    bc_d = delta - bias_d
    lo_d, hi_d = delta + q[:, 0], delta + q[:, 1]
    eff, eff_bc = 1.0 / delta, 1.0 / bc_d
    lower, upper = 1.0 / hi_d, 1.0 / lo_d
    if orientation == Orientation.INPUT:
        farrell = (eff, eff_bc, lower, upper, var_eff)
    else:
        farrell = (delta, bc_d, lo_d, hi_d, var_phi)
    return BootstrapResult(rts.value, orientation.value, int(B), float(alpha), seed, float(h), lp.name, fd.ids,
                           fd.input_names, fd.output_names, eff, eff - eff_bc, eff_bc, lower, upper, var_eff,
                           *farrell, D, failed)
