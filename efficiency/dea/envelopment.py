"""Shared pieces of the envelopment-form LPs: column scaling, the returns-to-scale row, the backend.

All DEA LPs are solved on *column-scaled* data: every input and output column is divided by its mean
over the evaluated and reference DMUs. Radial scores, FDH scores and the lambdas are invariant to
that scaling; slacks are scaled back to the data's units, and the phase II objective weights each
scaled slack by its column's scale so that the slack sum maximised is the sum in the data's units
(as deaR and DEAP do). Scaling is what keeps badly scaled data (columns of 1e9 beside columns of 1)
from misleading the LP solver.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from solvers import BackendError, BatchSolution, LPBatch, LPSolver, get_solver
from solvers.base import stack
from solvers.envelopment import EnvelopmentProblem, EnvelopmentSolution, concat, solve_envelopment

from ..errors import SolverError
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


def solve_batch(solver: LPSolver, batch: LPBatch, label: str = "DEA") -> BatchSolution:
    """Solve generic LPs in chunks (with a progress bar on long runs); :class:`SolverError` on failure."""
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
    into :class:`SolverError`."""
    size = CHUNK.get(getattr(solver, "name", ""), DEFAULT_CHUNK)
    try:
        if problem.n <= size:
            return solve_envelopment(solver, problem)
        parts = []
        with Progress(problem.n, label) as bar:
            for start in range(0, problem.n, size):
                rows = np.arange(start, min(problem.n, start + size))
                parts.append(solve_envelopment(solver, problem.rows(rows)))
                bar.advance(rows.size)
        return concat(parts)
    except BackendError as exc:
        raise SolverError(str(exc)) from None


def with_reference(X, Y, B, Xr, Yr, Br):
    """(B, Xr, Yr, Br) with the defaults of the models that take bad outputs: no bad outputs is an
    n x 0 block, and the reference technology is the evaluated rows themselves."""
    B = np.zeros((X.shape[0], 0)) if B is None else B
    if Xr is None:
        Xr, Yr, Br = X, Y, B
    Br = np.zeros((Xr.shape[0], 0)) if Br is None else Br
    return B, Xr, Yr, Br


def column_scale(*blocks: np.ndarray) -> np.ndarray:
    """Mean of each column over the stacked blocks (1 where the mean is 0)."""
    stacked = np.vstack(blocks)
    scale = stacked.mean(axis=0) if stacked.shape[0] else np.ones(stacked.shape[1])
    return np.where(scale > 0, scale, 1.0)


def rts_bounds(rts: RTS) -> tuple[float, float] | None:
    """Bounds on sum(lambda) for a returns-to-scale assumption (None: no row, CRS)."""
    return {RTS.CRS: None, RTS.VRS: (1.0, 1.0), RTS.NIRS: (-np.inf, 1.0),
            RTS.NDRS: (1.0, np.inf)}[rts]


@dataclass(frozen=True)
class Envelopment:
    """Solution of a DEA model for n evaluated DMUs against n_ref reference DMUs (data units).

    ``farrell`` is the model's own measure (theta, phi, hyperbolic G, ...); ``status`` LPStatus codes;
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
    fallback: int = 0                 # LPs the numba core handed over to HiGHS
    slack_b: np.ndarray | None = None     # undesirable outputs (models that take them)
    target_b: np.ndarray | None = None

