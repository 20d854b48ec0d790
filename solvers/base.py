"""The LP backend protocol: problems, batches of related problems, solutions, status codes.

Backends know nothing of pandas or of what the LPs mean. An :class:`LPProblem` is

    minimise c'x  subject to  row_lower <= A x <= row_upper,  col_lower <= x <= col_upper

with a dense ``A`` (DEA matrices are dense, with few rows and many columns). An :class:`LPBatch` is a
family of K such problems that share ``A`` except for a few *varying* columns (e.g. the -x_o column of
the radial score) and differ in their row bounds, the costs of the varying columns and, optionally,
one column fixed at zero (a DMU left out of its own reference set). Backends may exploit that: the
HiGHS backend builds the LP once and changes only those entries between warm-started solves.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Protocol, runtime_checkable

import numpy as np
import scipy.sparse as sp

INF = np.inf


@contextlib.contextmanager
def quiet_stdout():
    """Silence the process's standard output (file descriptor 1) for a moment: some solver libraries
    print banners from C code (HiGHS >= 1.16 does so whenever a solver object is created), which
    would corrupt a result table written to stdout."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):   # no real stdout (e.g. captured by a test runner)
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), fd)
            try:
                yield
            finally:
                sys.stdout.flush()
                os.dup2(saved, fd)
    finally:
        os.close(saved)


class LPStatus(IntEnum):
    """Outcome of one LP, numbered like ``scipy.optimize.linprog``'s status."""

    OPTIMAL = 0
    ITERATION_LIMIT = 1
    INFEASIBLE = 2
    UNBOUNDED = 3
    NUMERICAL = 4
    NOT_SOLVED = 5

    @property
    def label(self) -> str:
        """Lower-case name used in result tables ('optimal', 'infeasible', ...)."""
        return self.name.lower()


STATUS_LABELS = np.array([s.label for s in LPStatus], dtype=object)


@dataclass(frozen=True)
class LPProblem:
    """min c'x s.t. row_lower <= A x <= row_upper, col_lower <= x <= col_upper (A dense); with
    ``integer`` (a boolean per column) a mixed-integer LP, for backends that declare ``MILP``."""

    c: np.ndarray
    A: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    col_lower: np.ndarray
    col_upper: np.ndarray
    integer: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.A.shape


@dataclass(frozen=True)
class LPBatch:
    """K LPs sharing ``base`` except in ``vary_cols`` (values, costs), row bounds and one zeroed column.

    ``col_values[k]`` is the (nrow, p) block of the varying columns of problem k; ``costs[k]`` their
    costs (``None``: the base costs); ``row_lower[k]``/``row_upper[k]`` the row bounds;
    ``fix_zero[k]`` a column fixed at 0 in problem k, or -1.
    """

    base: LPProblem
    row_lower: np.ndarray                      # (K, nrow)
    row_upper: np.ndarray                      # (K, nrow)
    vary_cols: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    col_values: np.ndarray | None = None       # (K, nrow, p)
    costs: np.ndarray | None = None            # (K, p)
    fix_zero: np.ndarray | None = None         # (K,)

    def __len__(self) -> int:
        return self.row_lower.shape[0]

    def rows(self, idx: np.ndarray) -> "LPBatch":
        """The batch of problems ``idx`` only."""
        pick = lambda a: None if a is None else a[idx]  # noqa: E731
        return LPBatch(self.base, self.row_lower[idx], self.row_upper[idx], self.vary_cols,
                       pick(self.col_values), pick(self.costs), pick(self.fix_zero))

    def problem(self, k: int) -> LPProblem:
        """Problem k on its own (used by simple backends and tests)."""
        b = self.base
        A, c = b.A, b.c
        col_lower, col_upper = b.col_lower, b.col_upper
        if self.col_values is not None and self.vary_cols.size:
            A = A.copy()
            A[:, self.vary_cols] = self.col_values[k]
        if self.costs is not None and self.vary_cols.size:
            c = c.copy()
            c[self.vary_cols] = self.costs[k]
        if self.fix_zero is not None and self.fix_zero[k] >= 0:
            col_lower, col_upper = col_lower.copy(), col_upper.copy()
            col_lower[self.fix_zero[k]] = col_upper[self.fix_zero[k]] = 0.0
        return LPProblem(c, A, self.row_lower[k], self.row_upper[k], col_lower, col_upper, b.integer)


@dataclass(frozen=True)
class Usage:
    """Which backend gave the answer kept for how many LPs (one DMU's problem counts once).

    Results carry it so that they can say how they were computed: ``numba``, ``highs``, or
    ``numba+highs (3 of 500 LPs)`` when a backend handed some problems over to another."""

    counts: tuple[tuple[str, int], ...] = ()

    @classmethod
    def of(cls, name: str, k: int) -> "Usage":
        return cls(((name, int(k)),) if k else ())

    def __add__(self, other: "Usage") -> "Usage":
        merged: dict[str, int] = dict(self.counts)
        for name, k in other.counts:
            merged[name] = merged.get(name, 0) + k
        return Usage(tuple((name, k) for name, k in merged.items() if k))

    @property
    def total(self) -> int:
        return sum(k for _, k in self.counts)

    def by(self, name: str) -> int:
        """LPs whose answer came from backend ``name``."""
        return dict(self.counts).get(name, 0)

    def others(self, name: str) -> int:
        """LPs whose answer came from another backend than ``name``."""
        return self.total - self.by(name)

    def label(self, requested: str | None = None) -> str:
        """``name`` when one backend solved every LP, else ``main+other (k of n LPs)``, the main
        backend being ``requested`` when given (else the one that solved the most)."""
        if not self.counts:
            return requested or ""
        names = [name for name, _ in sorted(self.counts, key=lambda c: -c[1])]
        main = requested if requested in names else names[0]
        if len(names) == 1:
            return main
        rest = [name for name in names if name != main]
        return f"{main}+{'+'.join(rest)} ({self.others(main)} of {self.total} LPs)"


@dataclass(frozen=True)
class BatchSolution:
    """Solutions of an :class:`LPBatch`: status and objective per problem, primal values sparse."""

    status: np.ndarray        # (K,) int8 LPStatus codes
    objective: np.ndarray     # (K,) NaN where not optimal
    x: sp.csr_array           # (K, nvar) primal values; rows of unsolved problems are empty
    usage: Usage = Usage()    # which backend solved the problems


def stack(parts: list["BatchSolution"]) -> "BatchSolution":
    """Solutions of consecutive sub-batches, as one."""
    usage = Usage()
    for p in parts:
        usage = usage + p.usage
    return BatchSolution(np.concatenate([p.status for p in parts]), np.concatenate([p.objective for p in parts]),
                         sp.csr_array(sp.vstack([p.x for p in parts])), usage)


class SolutionBuilder:
    """Collects per-problem results of a batch into a :class:`BatchSolution`."""

    def __init__(self, k: int, nvar: int):
        self.status = np.full(k, LPStatus.NOT_SOLVED, dtype=np.int8)
        self.objective = np.full(k, np.nan)
        self._nvar = nvar
        self._idx: list[np.ndarray] = [np.zeros(0, np.int64)] * k
        self._val: list[np.ndarray] = [np.zeros(0)] * k

    def set(self, k: int, status: LPStatus, objective: float = np.nan, x: np.ndarray | None = None):
        self.status[k] = status
        if status == LPStatus.OPTIMAL and x is not None:
            self.objective[k] = objective
            nz = np.flatnonzero(x)
            self._idx[k] = nz
            self._val[k] = np.asarray(x, dtype=np.float64)[nz]

    def build(self, name: str) -> BatchSolution:
        """The batch's solution, every problem solved by backend ``name``."""
        counts = np.fromiter((a.size for a in self._idx), dtype=np.int64, count=len(self._idx))
        indptr = np.concatenate([[0], np.cumsum(counts)])
        indices = np.concatenate(self._idx) if self._idx else np.zeros(0, np.int64)
        data = np.concatenate(self._val) if self._val else np.zeros(0)
        x = sp.csr_array((data, indices, indptr), shape=(len(self._idx), self._nvar))
        return BatchSolution(self.status, self.objective, x, Usage.of(name, len(self._idx)))


#: Kinds of problem a backend can declare in ``solves``: any :class:`LPBatch` ("lp"), batches with
#: integer columns ("milp"), and the DEA envelopment family of ``solvers.envelopment`` solved natively
#: ("envelopment"; without it, those problems reach the backend as LP batches).
LP, MILP, ENVELOPMENT = "lp", "milp", "envelopment"


@runtime_checkable
class LPSolver(Protocol):
    """An LP backend: solves every problem of a batch, and declares what it solves.

    ``solves``: the kinds of problem it solves itself (``LP``, ``ENVELOPMENT``); models hand the
    others to a backend that declares them, and say so. ``screen_by_default``: whether models
    should find the frame (extreme-efficient DMUs) first when the user does not say: worth it when
    each LP's cost grows with its columns faster than the frame search costs (the numba core).
    ``accuracy``: the relative accuracy of the points it returns (its feasibility tolerance, or the
    digits it reports); answers are checked against the LP to that accuracy. Optional (callers
    read them with ``getattr``; ``Backend`` has the defaults 1 and None): ``run_length``: an
    LP's answer (among alternative optima) may depend on the LPs before it in its run of that many
    rows of a batch (warm starts); a caller that splits a batch cuts it at multiples of
    ``run_length`` and gets the same answers. ``lp_order(problem)``: a permutation of the rows of
    an envelopment problem that the backend solves fastest, or None."""

    name: str
    solves: frozenset
    screen_by_default: bool
    accuracy: float

    def solve_batch(self, batch: LPBatch) -> BatchSolution: ...


class Backend:
    """Defaults for backends: any LP batch, no screening unless asked."""

    name = "backend"
    solves = frozenset({LP})
    screen_by_default = False
    accuracy = 1e-9
    run_length = 1

    def lp_order(self, problem) -> "np.ndarray | None":
        """An order of the problem's LPs (a permutation of its rows) that the backend solves fastest,
        or None: the given order."""
        return None

    def prescaled(self) -> "LPSolver":
        """The backend for LPs the caller has already scaled row by row (a backend that rescales
        internally can undo that scaling and should not): itself by default."""
        return self


class BackendError(RuntimeError):
    """A backend that is unknown, not installed, or failed as a whole (the models re-raise it as
    ``efficiency.SolverError``)."""
