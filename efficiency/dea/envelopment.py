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

from solvers import BackendError, LPSolver, get_solver

from ..errors import SolverError
from ..spec import RTS


def backend(spec) -> LPSolver:
    """The LP backend named by ``spec`` (None: HiGHS), raising :class:`SolverError` if unusable."""
    try:
        return get_solver(spec)
    except BackendError as exc:
        raise SolverError(str(exc)) from None


def solve(solver: LPSolver, batch):
    """Solve a batch, turning a backend's failure into :class:`SolverError`."""
    try:
        return solver.solve_batch(batch)
    except BackendError as exc:
        raise SolverError(str(exc)) from None


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


def replace_rows(A: sp.csr_array, rows: np.ndarray, B: sp.csr_array) -> sp.csr_array:
    """A copy of sparse ``A`` whose rows ``rows`` are replaced by the rows of ``B`` (in order)."""
    A, B = sp.coo_array(A), sp.coo_array(B)
    keep = ~np.isin(A.row, rows)
    r = np.concatenate([A.row[keep], np.asarray(rows, dtype=np.int64)[B.row]])
    c = np.concatenate([A.col[keep], B.col])
    d = np.concatenate([A.data[keep], B.data])
    return sp.csr_array((d, (r, c)), shape=A.shape)
