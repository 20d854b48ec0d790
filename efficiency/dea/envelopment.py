"""Shared pieces of the envelopment-form LPs: column scaling, the returns-to-scale row, the backend.

All DEA LPs are solved on *column-scaled* data: every input and output column is divided by its mean
over the evaluated and reference DMUs. Radial scores, FDH scores and the lambdas are invariant to
that scaling; slacks are scaled back to the data's units, and the phase II objective weights each
scaled slack by its column's scale so that the slack sum maximised is the sum in the data's units
(as deaR and DEAP do). Scaling is what keeps badly scaled data (columns of 1e9 beside columns of 1)
from misleading the LP solver.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from solvers import ENVELOPMENT, LP, BackendError, BatchSolution, LPBatch, LPSolver, Usage, get_solver
from solvers.base import stack
from solvers.envelopment import EnvelopmentProblem, EnvelopmentSolution, place, solve_envelopment

from ..errors import SolverError, SpecError
from ..progress import Progress
from ..spec import RTS


def default_solver() -> str:
    """'numba' when numba is installed, else 'highs'."""
    from solvers import numba_core
    return "numba" if numba_core.available() else "highs"


def backend(spec) -> LPSolver:
    """The LP backend named by ``spec`` (None: numba if installed, else HiGHS); :class:`SolverError`
    if it cannot be used."""
    try:
        return get_solver(spec if spec is not None else default_solver())
    except BackendError as exc:
        raise SolverError(str(exc)) from None


#: DMUs per call to a backend: progress is reported between chunks.
CHUNK = {"numba": 8192}
DEFAULT_CHUNK = 512


def lp_backend(solver: LPSolver) -> LPSolver:
    """A backend for generic LP batches: ``solver`` when it declares them (``solves``), else HiGHS
    (the numba core solves envelopment LPs only); results say which one solved them (``usage``)."""
    if LP in solver.solves:
        return solver
    return backend("highs")


def report_usage(usage: Usage, solver: LPSolver, explicit: bool, what: str = "DEA", kind: str = ENVELOPMENT,
                 stacklevel: int = 3) -> str:
    """The result's ``solver`` label (``Usage.label``), with a :class:`SolveWarning` whenever some LPs
    were solved by another backend than ``solver``: a fallback of the numba core, or a model whose
    LPs (of ``kind``) the backend does not declare. The only silent case is a default backend
    (``explicit`` False) that does not solve ``kind`` and handed all its LPs to the backend of that
    kind (SBM's LPs to HiGHS): the label says so."""
    from ..errors import SolveWarning
    name = solver.name
    other = usage.others(name)
    native = kind in solver.solves
    if other and (explicit or native):
        others = ", ".join(f"{n} {k}" for n, k in usage.counts if n != name)
        why = ("its answer had no certified optimum (the numba core's certificate failed, or it stopped "
               "without an optimum) and another backend's answer differs" if native else
               "it does not solve this kind of LP")
        warnings.warn(f"{what}: {other} of {usage.total} LPs were solved by another backend than {name!r} "
                      f"({others}): {why}; `solver` in the result says so", SolveWarning, stacklevel=stacklevel)
    if native and other and not usage.by(name):          # every LP fell back: still the asked backend's run
        return f"{name}+{'+'.join(n for n, _ in usage.counts)} ({other} of {usage.total} LPs)"
    return usage.label(name)


def solve_batch(solver: LPSolver, batch: LPBatch, label: str = "DEA") -> BatchSolution:
    """Solve generic LPs in chunks (with a progress bar on long runs) on ``lp_backend(solver)``;
    :class:`SolverError` on failure."""
    solver = lp_backend(solver)
    try:
        if len(batch) <= DEFAULT_CHUNK:
            return solver.solve_batch(batch)
        parts = []
        with Progress(len(batch), label) as bar:
            for start in range(0, len(batch), DEFAULT_CHUNK):
                rows = np.arange(start, min(len(batch), start + DEFAULT_CHUNK))
                parts.append(solver.solve_batch(batch.rows(rows)))
                bar.advance(rows.size)
        return stack(parts)
    except BackendError as exc:
        raise SolverError(str(exc)) from None


def solve(solver: LPSolver, problem: EnvelopmentProblem, label: str = "DEA") -> EnvelopmentSolution:
    """Solve envelopment LPs in chunks (with a progress bar on long runs), turning a backend's failure
    into :class:`SolverError`. The LPs go to the backend in its preferred order (``lp_order``: the
    numba core's neighbours first), cut into chunks at multiples of its ``run_length``, so the
    answers do not depend on the chunks (in-process or on a Dask cluster); each chunk's answers are
    written to its rows of the problem (``place``), in the problem's order."""
    size = CHUNK.get(solver.name, DEFAULT_CHUNK)
    run = max(1, int(getattr(solver, "run_length", 1)))
    size = max(run, size // run * run)
    order_fn = getattr(solver, "lp_order", None)
    order = order_fn(problem) if order_fn is not None and ENVELOPMENT in solver.solves else None
    try:
        if problem.n <= size or getattr(solver, "chunks_itself", False):
            if order is None:
                return solve_envelopment(solver, problem)
            return place([solve_envelopment(solver, problem.rows(order))], [order], problem.n)
        idx = np.arange(problem.n) if order is None else order
        parts, where = [], []
        with Progress(problem.n, label) as bar:
            for start in range(0, problem.n, size):
                rows = idx[start:start + size]
                parts.append(solve_envelopment(solver, problem.rows(rows)))
                where.append(rows)
                bar.advance(rows.size)
        return place(parts, where, problem.n)
    except BackendError as exc:
        raise SolverError(str(exc)) from None


#: Below this many reference DMUs, frame screening is not worth its overhead: ``screen=None`` (the
#: default) leaves it off there; ``screen=True`` screens at any size.
SCREEN_MIN = 64


def use_frame(solver: LPSolver, screen: bool | None, n_ref: int, why_not: str | None = None) -> bool:
    """Whether to find the frame of the reference set first (``solvers.screening``).

    ``screen=None``: when the backend declares ``screen_by_default`` and there are at least
    SCREEN_MIN reference DMUs; ``True``: at any size; ``False``: never. ``why_not`` says why the
    frame would not span this model's technology (e.g. equality rows break the free disposability
    the frame assumes): screening is then off by default, and asking for it is a :class:`SpecError`.
    """
    if screen is None:
        return why_not is None and solver.screen_by_default and n_ref >= SCREEN_MIN
    if screen and why_not is not None:
        raise SpecError(f"screen=True: frame screening is not valid here ({why_not}); use screen=None or False")
    return bool(screen)


def frame(R: np.ndarray, k_in: int, rts: RTS | GRS) -> np.ndarray:
    """Indices of the extreme-efficient rows of R (inputs first): the CRS frame under CRS, the VRS
    frame (which spans the NIRS, NDRS and GRS technologies too) otherwise."""
    from solvers import screening
    return screening.frame(R, k_in, crs=rts == RTS.CRS)


def on_reference(lam: sp.csr_array, frame: np.ndarray | None, n_ref: int) -> sp.csr_array:
    """Lambdas solved against the frame (columns = frame rows) as lambdas on all ``n_ref`` reference
    rows; unchanged without a frame."""
    if frame is None:
        return lam
    coo = sp.coo_array(lam)
    return sp.csr_array((coo.data, (coo.row, frame[coo.col])), shape=(lam.shape[0], n_ref))


@dataclass(frozen=True)
class Scaled:
    """A model's data divided by the column means (``column_scale``): the evaluated rows (Xs, Ys) and
    the reference rows (Xrs, Yrs), cut to the frame when screening applies (``frame``: their
    indices among the ``n_ref`` reference rows, None without screening)."""

    sx: np.ndarray
    sy: np.ndarray
    Xs: np.ndarray
    Ys: np.ndarray
    Xrs: np.ndarray
    Yrs: np.ndarray
    frame: np.ndarray | None
    n_ref: int


def scaled(X, Y, Xr=None, Yr=None, *, rts=None, solver=None, screen=False, why_not: str | None = None) -> Scaled:
    """Column-scaled data against the reference (Xr, Yr) (default: the rows themselves), with the
    reference cut to its frame when ``use_frame(solver, screen, n_ref, why_not)`` says so."""
    if Xr is None:
        Xr, Yr = X, Y
    sx, sy = column_scale(X, Xr), column_scale(Y, Yr)
    Xrs, Yrs = Xr / sx, Yr / sy
    rows = None
    if solver is not None and use_frame(solver, screen, Xr.shape[0], why_not):
        rows = frame(np.hstack([Xrs, Yrs]), X.shape[1], rts)
        Xrs, Yrs = Xrs[rows], Yrs[rows]
    return Scaled(sx, sy, X / sx, Y / sy, Xrs, Yrs, rows, Xr.shape[0])


def with_reference(X, Y, B, Xr, Yr, Br):
    """(B, Xr, Yr, Br) with the defaults of the models that take bad outputs: no bad outputs is an
    n x 0 block, and the reference technology is the evaluated rows themselves."""
    B = np.zeros((X.shape[0], 0)) if B is None else B
    if Xr is None:
        Xr, Yr, Br = X, Y, B
    Br = np.zeros((Xr.shape[0], 0)) if Br is None else Br
    return B, Xr, Yr, Br


def column_scale(*blocks: np.ndarray) -> np.ndarray:
    """Mean absolute value of each column over the stacked blocks (1 where it is 0); the mean for
    non-negative data (only the range directional model takes negative values)."""
    stacked = np.abs(np.vstack(blocks))
    scale = stacked.mean(axis=0) if stacked.shape[0] else np.ones(stacked.shape[1])
    return np.where(scale > 0, scale, 1.0)


@dataclass(frozen=True)
class GRS:
    """Generalised returns to scale: ``lo <= sum(lambda) <= hi`` (deaR's ``rts = "grs"`` with L, U;
    Benchmarking's ``"vrs+"`` with individual bounds 0 and U). The models take it wherever they take
    an :class:`RTS`. As technologies, (0, inf) is CRS, (1, 1) VRS, (0, 1) NIRS and (1, inf) NDRS. The
    VRS frame spans every such technology (a DMU dominated by a convex combination of frame DMUs
    keeps its lambda sum when replaced by it), so frame screening stays valid."""

    lo: float
    hi: float
    value = "grs"                       # as the RTS enum's value (result tables, labels)

    def __str__(self) -> str:
        return f"grs({self.lo:g}, {self.hi:g})"


def rts_bounds(rts: RTS | GRS) -> tuple[float, float] | None:
    """Bounds on sum(lambda) for a returns-to-scale assumption (None: no row, CRS); a
    :class:`SpecError` for one that is no bound on sum(lambda) (FDH, or 'grs' without its bounds)."""
    if isinstance(rts, GRS):
        return (rts.lo, rts.hi)
    table = {RTS.CRS: None, RTS.VRS: (1.0, 1.0), RTS.NIRS: (-np.inf, 1.0), RTS.NDRS: (1.0, np.inf)}
    if rts not in table:
        why = ("needs its bounds L <= sum(lambda) <= U, which ef.dea takes as rts_bounds=(L, U); it is not "
               "available here" if rts == RTS.GRS else
               "(the free disposal hull) is not available here: it is no convex technology, and this model's "
               "LPs need one; ef.dea takes it for the radial, sbm, ddf, additive, russell, ram, bam and mea models")
        raise SpecError(f"rts={rts.value!r} {why}")
    return table[rts]


@dataclass(frozen=True)
class Envelopment:
    """Solution of a DEA model for n evaluated DMUs against n_ref reference DMUs (data units).

    ``farrell`` is the model's own measure (theta, phi, hyperbolic G, mean Russell factor, beta, slack
    sum, ...); ``status`` LPStatus codes;
    ``usage`` which backend's answer was kept for how many LPs;
    ``slack_x``/``slack_y`` the phase II slacks and ``target_x``/``target_y`` the projections (None
    when not computed); ``lambdas`` the intensity weights, sparse (n, n_ref); ``slack_status`` the
    phase II statuses (None when not run).
    """

    farrell: np.ndarray
    status: np.ndarray
    lambdas: sp.csr_array
    slack_x: np.ndarray | None = None
    slack_y: np.ndarray | None = None
    target_x: np.ndarray | None = None
    target_y: np.ndarray | None = None
    slack_status: np.ndarray | None = None
    usage: Usage = Usage()            # which backend solved how many LPs
    slack_b: np.ndarray | None = None     # undesirable outputs (models that take them)
    target_b: np.ndarray | None = None
    factors: np.ndarray | None = None     # Russell: theta per input (input) or phi per output (output)

