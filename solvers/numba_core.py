"""The ``numba`` backend: a DEA-specialised dense bounded revised simplex, parallel over DMUs.

The envelopment LP of a DMU has few rows (r = m + s, plus one for the returns-to-scale row) and many
columns (one per reference DMU). The kernel (``solvers/_kernel.py``) keeps the r x r basis inverse
dense and updates it in O(r^2) per pivot; pricing is one pass over the reference rows (Dantzig's
rule); DMUs are solved in parallel with ``numba.prange``. Compilation is cached on disk
(``cache=True``), so it is paid once per machine, not once per run.

Tolerance policy (the data reach the kernel column-scaled to mean 1, and the kernel divides each
DMU's rows by that DMU's own values, so absolute tolerances are relative to the DMU evaluated):

* primal feasibility 1e-9, reduced-cost optimality 1e-9, smallest pivot 1e-11;
* a crash basis on the best single reference DMU (an FDH-like start) replaces phase I when one is
  feasible; with the returns-to-scale row and no single DMU meeting the rows without t (many
  outputs), phase I starts from the DMU missing them least, with artificials only in the rows it
  misses; otherwise phase I starts from artificial variables. For the frame search's CRS
  directional distance (t in every row) the crash scales the DMU to where its two binding rows
  meet. The crash is computed row by row over all columns (vectorised loops);
* Harris two-pass ratio test: the step is the largest within bounds relaxed by 1e-9, and among the
  rows that allow it the pivot of largest magnitude is taken (stability over strict ratio order);
* B^-1 is recomputed by Gauss-Jordan with partial pivoting every 50 pivots and before every
  pricing pass that may end a phase, x_B recomputed from it: optimality is declared on a fresh
  factorisation only;
* phase I (artificials) is declared infeasible when the artificials' sum stays above PHASE1_TOL
  (1e-8) times the right-hand side's scale;
* partial pricing: with more than 128 reference columns (``_kernel.PARTIAL_MIN``) Dantzig's rule
  runs over a working set of columns (a restricted master, as in column generation against the
  frame), kept as one dense block of row-scaled data: the crash seeds it with the 16 best single
  DMUs (``SEED_SIZE``) and it lasts the whole LP (phases I, II and III); whenever the set offers no
  improving column, B^-1 is recomputed and one full pricing pass over all columns adds the 32 best
  improving ones (``WORKING_ADD``); optimality is only declared after a full pass on a fresh
  factorisation, so the optimum is that of the LP over all columns. On Dula's data (2000-5000 frame
  DMUs) this cuts the pricing work, which dominates, several-fold;
* anti-cycling: a pivot whose objective gain is at most 1e-10 counts as degenerate (rounding-level
  gains cycle as surely as zero ones); after 200 in a row, the textbook minimum-ratio test with the
  leaving row drawn at random (a fixed-seed generator: runs are reproducible) among the tied ones,
  until a pivot gains more. Bland's rule, used before, stalled for tens of thousands of pivots on
  Dula's degenerate data (dimension 20: hundreds of LPs per 20 000 ran into the iteration limit and
  went to HiGHS);
* at most 50,000 pivots per phase.

Each DMU's data rows are divided by the DMU's own value in them (``_kernel.row_scale``), so every
tolerance above is relative to the DMU evaluated, whatever its size. The final point of every LP is
then certified from scratch against the LP as given (``_kernel.certify``, CERT_TOL = 1e-7, each row
measured in units of the DMU's own value): primal feasibility of every row and bound, and optimality
by the duals (dual feasibility of every column, no duality gap, complementary slackness with the
point), for the score and for the slacks. An LP without a certified optimum is solved again inside
the kernel, with the strict ratio test and a stricter phase I, then without the row scaling. Every
LP still without one (a failed certificate, an iteration limit, a singular basis, or an infeasible
or unbounded verdict) is solved again with HiGHS, whose answer is checked in turn
(``envelopment.checked``); where it differs from the kernel's verdict it is kept and counted in
``EnvelopmentSolution.usage``, so that the model can say so.

``twin()`` returns the same kernel source executed as plain Python/numpy, without numba: the
reference implementation the tests compare the compiled kernel with.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from .base import ENVELOPMENT, Backend, BatchSolution, LPBatch, LPStatus, Usage
from .envelopment import (
    EnvelopmentProblem,
    EnvelopmentSolution,
    checked,
    replace_rows,
    solve_generic,
)

_KERNEL_PATH = Path(__file__).with_name("_kernel.py")
_twin = None


def available() -> bool:
    return importlib.util.find_spec("numba") is not None


def kernel():
    """The compiled kernel module (imports numba on first use)."""
    from . import _kernel
    return _kernel


def twin():
    """The kernel's source run as plain Python and numpy (no numba): the reference twin."""
    global _twin
    if _twin is None:
        spec = importlib.util.spec_from_file_location("solvers._kernel_twin", _KERNEL_PATH)
        module = importlib.util.module_from_spec(spec)
        module.__twin__ = True
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
        _twin = module
    return _twin


def run_kernel(problem: EnvelopmentProblem, module=None):
    """Raw kernel output for a problem: (status, t, work, lam_idx, lam_val, slack, dual); work (n x 4)
    holds each LP's iterations of phases I, II and III and its full pricing passes."""
    p = problem
    mod = module or kernel()
    R = np.ascontiguousarray(p.R, dtype=np.float64)
    return mod.solve_batch(R, int(p.k_in), int(p.rts_row), float(p.rts_lo), float(p.rts_hi),
                           np.ascontiguousarray(p.b, dtype=np.float64), np.ascontiguousarray(p.g, dtype=np.float64),
                           np.ascontiguousarray(p.t_lo, dtype=np.float64), np.ascontiguousarray(p.t_hi, dtype=np.float64),
                           float(p.c_t), np.ascontiguousarray(p.slack_upper(), dtype=np.float64),
                           np.ascontiguousarray(_weights(p), dtype=np.float64), p.exclusions(), bool(p.slacks))


def _weights(p: EnvelopmentProblem) -> np.ndarray:
    w = p.weights()
    return w / w.max() if w.max() > 0 else w


def kernel_solution(problem: EnvelopmentProblem, raw) -> EnvelopmentSolution:
    """Turn the kernel's arrays into an EnvelopmentSolution (phase III failures: slacks NaN)."""
    status, t, _, lam_idx, lam_val, slack, dual = raw
    n, nr = problem.n, problem.R.shape[0]
    slack_failed = status >= 10
    score_status = np.where(slack_failed, LPStatus.OPTIMAL, status).astype(np.int8)
    slack_status = np.full(n, LPStatus.NOT_SOLVED, dtype=np.int8)
    if problem.slacks:
        slack_status = np.where(slack_failed, status - 10,
                                np.where(score_status == LPStatus.OPTIMAL, LPStatus.OPTIMAL,
                                         LPStatus.NOT_SOLVED)).astype(np.int8)
    good = score_status == LPStatus.OPTIMAL
    t = np.where(good, t, np.nan)
    keep = (lam_idx >= 0) & good[:, None]
    rows = np.repeat(np.arange(n), lam_idx.shape[1])[keep.ravel()]
    lam = sp.csr_array((lam_val[keep], (rows, lam_idx[keep])), shape=(n, nr))
    slack_ok = (slack_status == LPStatus.OPTIMAL) if problem.slacks else good
    slack = np.where(slack_ok[:, None], slack, np.nan)
    return EnvelopmentSolution(score_status, t, lam, slack, slack_status, np.where(good[:, None], dual, np.nan))


class NumbaSolver(Backend):
    """Envelopment LPs in the numba kernel; generic LP batches are not its kind (``solves``): they
    go to HiGHS, and their solutions say so (``usage``)."""

    name = "numba"
    solves = frozenset({ENVELOPMENT})
    screen_by_default = True

    def __init__(self, option: str | None = None):
        self._highs = None

    @property
    def run_length(self) -> int:
        """The kernel's runs (``_kernel.solve_batch``): each LP of a run starts from the bases of the
        LPs before it."""
        return int(kernel().RUN)

    def lp_order(self, problem: EnvelopmentProblem) -> np.ndarray | None:
        """Neighbours alike (``_kernel.near_order``: Z-order of the input mix and the outputs), when
        the LPs have enough reference columns for the kernel's warm starts to apply."""
        if problem.R.shape[0] <= kernel().PARTIAL_MIN or problem.n <= 1:
            return None
        return kernel().near_order(np.ascontiguousarray(problem.b, dtype=np.float64),
                                   np.ascontiguousarray(problem.g, dtype=np.float64))

    @property
    def highs(self):
        if self._highs is None:
            from .highs import HighsSolver
            self._highs = HighsSolver()
        return self._highs

    def solve_batch(self, batch: LPBatch) -> BatchSolution:
        return self.highs.solve_batch(batch)

    def solve_envelopment(self, problem: EnvelopmentProblem, module=None) -> EnvelopmentSolution:
        """The kernel's solutions; every LP it did not end with a certified optimum (``_kernel.certify``)
        is solved again by HiGHS, and HiGHS's answer is kept, and counted in ``usage``, where it
        differs from the kernel's verdict."""
        return self._finish(problem, kernel_solution(problem, run_kernel(problem, module)))

    def solve_envelopment_stack(self, problems: list[EnvelopmentProblem]) -> list[EnvelopmentSolution]:
        """``solve_envelopment`` of several problems of the same shape (n DMUs, n_ref reference rows,
        the same options) in one kernel call (``_kernel.solve_stack``)."""
        if len(problems) == 0:
            return []
        p0 = problems[0]
        f = np.ascontiguousarray
        raw = kernel().solve_stack(
            f(np.stack([p.R.T for p in problems]), dtype=np.float64), int(p0.k_in), int(p0.rts_row),
            float(p0.rts_lo), float(p0.rts_hi), f(np.stack([p.b for p in problems]), dtype=np.float64),
            f(np.stack([p.g for p in problems]), dtype=np.float64), f(np.stack([p.t_lo for p in problems]), dtype=np.float64),
            f(np.stack([p.t_hi for p in problems]), dtype=np.float64), float(p0.c_t),
            f(p0.slack_upper(), dtype=np.float64), f(_weights(p0), dtype=np.float64),
            np.stack([p.exclusions() for p in problems]), bool(p0.slacks))
        return [self._finish(p, kernel_solution(p, tuple(a[j] for a in raw))) for j, p in enumerate(problems)]

    def _finish(self, problem: EnvelopmentProblem, sol: EnvelopmentSolution) -> EnvelopmentSolution:
        failed = sol.status != LPStatus.OPTIMAL
        if problem.slacks:
            failed |= sol.slack_status != LPStatus.OPTIMAL
        redo = np.flatnonzero(failed)
        if not redo.size:
            return replace(sol, usage=Usage.of(self.name, problem.n))
        sub = problem.rows(redo)
        again = checked(self.highs, sub, solve_generic(self.highs, sub))
        status, t, slack, slack_status = (sol.status.copy(), sol.t.copy(), sol.slack.copy(),
                                          sol.slack_status.copy())
        differs = again.status != status[redo]
        if problem.slacks:
            differs |= again.slack_status != slack_status[redo]
        status[redo], t[redo], slack[redo], slack_status[redo] = (again.status, again.t, again.slack,
                                                                   again.slack_status)
        lam = replace_rows(sol.lambdas, redo, again.lambdas)
        duals = sol.duals.copy()
        duals[redo] = np.nan
        k = int(differs.sum())
        return EnvelopmentSolution(status, t, lam, slack, slack_status, duals,
                                   Usage.of(self.name, problem.n - k) + Usage.of(self.highs.name, k))


#: (name, factory, available, description) of this module's backend (``solvers.registry``).
BACKENDS = (("numba", NumbaSolver, available,
             "DEA-specialised bounded simplex compiled with numba, parallel over DMUs (HiGHS for other LPs)"),)
