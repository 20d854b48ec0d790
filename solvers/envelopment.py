"""The DEA envelopment LP family, solved by the numba core when the backend has it, else as LPBatches.

One :class:`EnvelopmentProblem` describes n LPs (one per evaluated DMU) over the same reference rows R
(n_ref x k, k = m inputs then s outputs, column-scaled by the caller):

    sum_j lam_j R[j, i] + s_i - g_i t = b_i   (inputs, i < k_in)
    sum_j lam_j R[j, i] - s_i - g_i t = b_i   (outputs)
    sum_j lam_j + e = 1, e in [rts_lo, rts_hi] (when ``rts_row``)
    lam >= 0, t in [t_lo, t_hi], 0 <= s <= s_ub, lam_excl = 0

minimising c_t t and then, with ``slacks``, maximising sum w_i s_i with t held at its optimum
(two-stage DEA). Radial input/output scores, hyperbolic steps and directional distances are all of
this form. Backends without a ``solve_envelopment`` method get it as two :class:`LPBatch` es.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse as sp

from .base import ENVELOPMENT, BackendError, LPBatch, LPProblem, LPSolver, LPStatus, Usage

#: Relative nudges of t* into the technology, tried in turn when the slack LP is infeasible: a score
#: is only as exact as its solver (CBC through PuLP returns 8 significant digits), and a point a hair
#: outside the technology has no slack solution.
SLACK_MARGINS = (0.0, 1e-11, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6)


@dataclass(frozen=True)
class EnvelopmentProblem:
    R: np.ndarray                 # (n_ref, k) reference rows, inputs then outputs
    k_in: int                     # number of input columns
    b: np.ndarray                 # (n, k) right-hand sides
    g: np.ndarray                 # (n, k) coefficients of t
    t_lo: np.ndarray              # (n,)
    t_hi: np.ndarray              # (n,)
    c_t: float                    # cost of t (1 minimise, -1 maximise)
    rts_row: bool = False
    rts_lo: float = 0.0
    rts_hi: float = 0.0
    s_ub: np.ndarray | None = None    # (k,) slack upper bounds (0: an equality row), default inf
    w: np.ndarray | None = None       # (k,) phase III weights (>= 0)
    excl: np.ndarray | None = None    # (n,) reference row fixed at 0, or -1
    slacks: bool = True

    @property
    def n(self) -> int:
        return self.b.shape[0]

    @property
    def k(self) -> int:
        return self.R.shape[1]

    def rows(self, idx: np.ndarray) -> "EnvelopmentProblem":
        """The same problem for a subset of the DMUs."""
        return replace(self, b=self.b[idx], g=self.g[idx], t_lo=self.t_lo[idx], t_hi=self.t_hi[idx],
                       excl=None if self.excl is None else self.excl[idx])

    def slack_upper(self) -> np.ndarray:
        return np.full(self.k, np.inf) if self.s_ub is None else self.s_ub

    def weights(self) -> np.ndarray:
        return np.ones(self.k) if self.w is None else self.w

    def exclusions(self) -> np.ndarray:
        return np.full(self.n, -1, dtype=np.int64) if self.excl is None else self.excl.astype(np.int64)


@dataclass(frozen=True)
class EnvelopmentSolution:
    status: np.ndarray            # (n,) LPStatus of the score LP
    t: np.ndarray                 # (n,) optimal t (NaN where not optimal)
    lambdas: sp.csr_array         # (n, n_ref)
    slack: np.ndarray             # (n, k) NaN where not computed
    slack_status: np.ndarray      # (n,) LPStatus of the slack LP (NOT_SOLVED when not run)
    duals: np.ndarray | None = None   # (n, k + rts_row) phase II duals (numba core only)
    usage: Usage = Usage()        # which backend's answer was kept, per LP


def solve_envelopment(solver: LPSolver, problem: EnvelopmentProblem) -> EnvelopmentSolution:
    """Solve with the backend's own envelopment method if it declares one, else as generic LPs whose
    answers are checked (``check_primal``); LPs that fail the check are solved again, row-scaled
    (``refine``), and marked NUMERICAL if they fail again."""
    if ENVELOPMENT in solver.solves:
        return solver.solve_envelopment(problem)
    return checked(solver, problem, solve_generic(solver, problem))


def solve_stack(solver: LPSolver, problems: list[EnvelopmentProblem]) -> list[EnvelopmentSolution]:
    """``solve_envelopment`` of several problems of the same shape: in one call where the backend
    offers ``solve_envelopment_stack`` (the numba core), else one after another."""
    stack_fn = getattr(solver, "solve_envelopment_stack", None) if ENVELOPMENT in solver.solves else None
    if stack_fn is not None:
        return stack_fn(problems)
    return [solve_envelopment(solver, p) for p in problems]


def _lp_batch(p: EnvelopmentProblem, b: np.ndarray, g: np.ndarray, cost_t: float, cost_s: np.ndarray,
              t_lo: np.ndarray | None, t_hi: np.ndarray | None) -> LPBatch:
    """Variables [lam (n_ref), t, s (k), e]; equality rows; t's column (= -g) varies per DMU."""
    nr, k = p.R.shape
    q = int(p.rts_row)
    ncol = nr + 1 + k + q
    A = np.zeros((k + q, ncol))
    A[:k, :nr] = p.R.T
    A[np.arange(k), nr + 1 + np.arange(k)] = np.where(np.arange(k) < p.k_in, 1.0, -1.0)
    col_lo, col_hi = np.zeros(ncol), np.full(ncol, np.inf)
    col_hi[nr + 1:nr + 1 + k] = p.slack_upper()
    if q:
        A[k, :nr] = 1.0
        A[k, nr + 1 + k] = 1.0
        col_lo[-1], col_hi[-1] = p.rts_lo, p.rts_hi
    # t's bounds are per DMU, the batch's are shared: use the loosest, then t's column carries them.
    col_lo[nr] = -np.inf if t_lo is None else np.min(t_lo)
    col_hi[nr] = np.inf if t_hi is None else np.max(t_hi)
    c = np.zeros(ncol)
    c[nr] = cost_t
    c[nr + 1:nr + 1 + k] = cost_s
    rhs = np.hstack([b, np.ones((p.n, q))])
    base = LPProblem(c, A, rhs[0], rhs[0], col_lo, col_hi)
    col = np.zeros((p.n, k + q, 1))
    col[:, :k, 0] = -g
    return LPBatch(base, rhs, rhs, np.array([nr]), col, None, p.excl)


def solve_generic(solver: LPSolver, p: EnvelopmentProblem) -> EnvelopmentSolution:
    """The envelopment problems as LPBatches: the score LP, then the slack LP at t*."""
    nr, k = p.R.shape
    n = p.n
    if not (np.all(p.t_lo == p.t_lo[0]) and np.all(p.t_hi == p.t_hi[0])):
        raise BackendError("per-DMU bounds on t are only supported by the numba core")
    sol = solver.solve_batch(_lp_batch(p, p.b, p.g, p.c_t, np.zeros(k), p.t_lo, p.t_hi))
    status = sol.status.copy()
    t = sol.x[:, [nr]].toarray().ravel()
    t[status != LPStatus.OPTIMAL] = np.nan
    lam = sp.csr_array(sol.x[:, :nr])
    slack = np.where((status == LPStatus.OPTIMAL)[:, None], sol.x[:, nr + 1:nr + 1 + k].toarray(), np.nan)
    slack_status = np.full(n, LPStatus.NOT_SOLVED, dtype=np.int8)
    if p.slacks:
        w = p.weights()
        w = w / w.max() if w.max() > 0 else w
        todo = np.flatnonzero(status == LPStatus.OPTIMAL)
        for margin in SLACK_MARGINS:
            if not todo.size:
                break
            sub = p.rows(todo)
            tt = t[todo] + np.sign(p.c_t) * margin * np.maximum(1.0, np.abs(t[todo]))  # worse = inside
            b2 = sub.b + sub.g * tt[:, None]
            s2 = solver.solve_batch(_lp_batch(sub, b2, np.zeros_like(b2), 0.0, -w, None, None))
            good = s2.status == LPStatus.OPTIMAL
            slack_status[todo] = s2.status
            slack[todo[good]] = s2.x[np.flatnonzero(good)][:, nr + 1:nr + 1 + k].toarray()
            lam = replace_rows(lam, todo[good], sp.csr_array(s2.x[np.flatnonzero(good)][:, :nr]))
            slack[todo[~good]] = np.nan
            todo = todo[~good]
    return EnvelopmentSolution(status, t, lam, slack, slack_status, None, Usage.of(solver.name, n))


#: Relative tolerance of ``check_primal`` (a row's residual or a bound's violation, in units of the
#: evaluated DMU's own value in that row).
CHECK_TOL = 1e-7


def row_sizes(p: EnvelopmentProblem) -> np.ndarray:
    """(n, k): the evaluated DMU's size in each data row, max(|b_i|, |g_i|) (1 where both are 0):
    the unit in which that row's residuals and slacks are judged (as the numba core scales rows)."""
    size = np.maximum(np.abs(p.b), np.abs(p.g))
    return np.where(size > 0, size, 1.0)


def check_primal(p: EnvelopmentProblem, sol: EnvelopmentSolution, accuracy: float = 1e-9) -> np.ndarray:
    """(n,) True where an LP reported optimal has a point (lambda, t, s) that violates a row or a
    bound by more than CHECK_TOL relative to the evaluated DMU's own values (``row_sizes``): e.g. a
    slack of -3e-14 in a row where the DMU's value is 3e-14, which a solver's absolute feasibility
    tolerance lets through and which can turn a score of 1 into 0. ``accuracy``: the backend's own
    (a coarser one widens the check)."""
    ok = sol.status == LPStatus.OPTIMAL
    bad = np.zeros(p.n, dtype=bool)
    if not ok.any():
        return bad
    rows = np.flatnonzero(ok)
    lam = sp.csr_array(sol.lambdas)[rows]
    t = sol.t[rows]
    sub = p.rows(rows)
    size = row_sizes(sub)
    sign = np.where(np.arange(p.k) < p.k_in, 1.0, -1.0)
    slack = np.nan_to_num(sol.slack[rows]) if p.slacks else None
    if slack is None or not np.all(np.isfinite(sol.slack[rows])):
        slack = None
    ref = lam @ p.R
    mag = abs(lam) @ np.abs(p.R) + np.abs(sub.g * t[:, None]) + np.abs(sub.b)
    rel = max(CHECK_TOL, accuracy)
    tol = rel * size + 1e-2 * accuracy * mag     # relative to the DMU, plus the rounding of the terms
    if slack is None:                      # no slacks reported: the row as an inequality
        gap = ref - sub.g * t[:, None] - sub.b
        viol = np.where(sign > 0, gap, -gap)     # inputs: ref <= b + g t; outputs: ref >= ...
        s_ub = p.slack_upper()
        viol = np.where(np.isfinite(s_ub) & (s_ub == 0), np.abs(gap), viol)
        bad_rows = (viol > tol).any(axis=1)
    else:
        resid = ref + sign * slack - sub.g * t[:, None] - sub.b
        bad_rows = (np.abs(resid) > tol).any(axis=1)
        bad_rows |= (slack < -tol).any(axis=1) | (slack > p.slack_upper() + tol).any(axis=1)
    # a negative lambda, however small, is judged by what it takes away in each row
    neg = lam.copy()
    neg.data = np.minimum(neg.data, 0.0)
    bad_rows |= (abs(neg) @ np.abs(p.R) > tol).any(axis=1)
    if p.rts_row:
        e = 1.0 - np.asarray(lam.sum(axis=1)).ravel()
        bad_rows |= (e < p.rts_lo - rel) | (e > p.rts_hi + rel)
    slack_t = rel * np.maximum(1, np.abs(t))
    bad_rows |= (t < sub.t_lo - slack_t) | (t > sub.t_hi + slack_t)
    bad[rows] = bad_rows
    return bad


def refine(solver: LPSolver, p: EnvelopmentProblem) -> EnvelopmentSolution:
    """Solve each DMU's LP on its own with every data row divided by the DMU's own value in it
    (``row_sizes``), so that the solver's absolute tolerances become relative to that DMU; the
    solution is mapped back to the LP as given (slacks times the row size). The backend's
    ``prescaled()`` variant tries first; where its answer fails ``check_primal`` or its slack LP
    fails, the backend as it is tries the same scaled LP."""
    parts = []
    variants = [solver.prescaled(), solver]
    for o in range(p.n):
        one_o = p.rows(np.array([o]))
        size = row_sizes(one_o)[0]
        one = replace(one_o, R=p.R / size, b=one_o.b / size, g=one_o.g / size, s_ub=p.slack_upper() / size,
                      w=p.weights() * size)
        for variant in variants:
            sol = solve_generic(variant, one)
            sol = replace(sol, slack=sol.slack * size)
            good = sol.status[0] != LPStatus.OPTIMAL or not check_primal(one_o, sol, solver.accuracy)[0]
            if good and (not p.slacks or sol.status[0] != LPStatus.OPTIMAL or sol.slack_status[0] == LPStatus.OPTIMAL):
                break
        parts.append(sol)
    return concat(parts)


def checked(solver: LPSolver, p: EnvelopmentProblem, sol: EnvelopmentSolution) -> EnvelopmentSolution:
    """``sol`` with every LP that fails ``check_primal``, or ended without an optimum, solved again by
    ``refine``, whose verdict is kept; an optimum that fails the check again gets status NUMERICAL
    (never a wrong score marked optimal)."""
    bad = check_primal(p, sol, solver.accuracy)
    if p.slacks:
        bad |= (sol.slack_status == LPStatus.OPTIMAL) & ~np.all(np.isfinite(sol.slack), axis=1)
    # A verdict without an optimum has no certificate to check: it is confirmed on the row-scaled LP
    # (an LP whose optimum lies far from the data's scale, e.g. theta = 1e5 against another set's
    # frontier, can look infeasible to a solver's absolute tolerances).
    bad |= np.isin(sol.status, (LPStatus.INFEASIBLE, LPStatus.UNBOUNDED, LPStatus.NUMERICAL,
                                LPStatus.ITERATION_LIMIT))
    idx = np.flatnonzero(bad)
    if not idx.size:
        return sol
    sub = p.rows(idx)
    again = refine(solver, sub)
    still = check_primal(sub, again, solver.accuracy)      # the refined verdict stands unless it fails too
    status, t, slack, slack_status = sol.status.copy(), sol.t.copy(), sol.slack.copy(), sol.slack_status.copy()
    status[idx] = np.where(still, LPStatus.NUMERICAL, again.status)
    t[idx] = np.where(still, np.nan, again.t)
    slack[idx] = np.where(still[:, None], np.nan, again.slack)
    slack_status[idx] = np.where(still, LPStatus.NOT_SOLVED, again.slack_status)
    lam = replace_rows(sol.lambdas, idx[~still], again.lambdas[np.flatnonzero(~still)])
    lam = replace_rows(lam, idx[still], sp.csr_array((int(still.sum()), lam.shape[1])))
    return replace(sol, status=status, t=t, slack=slack, slack_status=slack_status, lambdas=lam,
                   duals=None if sol.duals is None else np.where(bad[:, None], np.nan, sol.duals))


def concat(parts: list[EnvelopmentSolution]) -> EnvelopmentSolution:
    """The solutions of consecutive row blocks of one problem, stacked (``place`` at consecutive rows)."""
    bounds = np.cumsum([0] + [p.t.size for p in parts])
    return place(parts, [np.arange(a, b) for a, b in zip(bounds[:-1], bounds[1:])], int(bounds[-1]))


def place(parts: list[EnvelopmentSolution], where: list[np.ndarray], n: int) -> EnvelopmentSolution:
    """The solutions of row blocks of one problem of n DMUs, part i being those of the rows where[i]
    (together a partition of 0..n-1): each part written straight to its rows (no stacked copy to
    reorder afterwards)."""
    first = parts[0]
    status = np.empty(n, dtype=first.status.dtype)
    t = np.empty(n)
    slack = np.empty((n, first.slack.shape[1]))
    slack_status = np.empty(n, dtype=first.slack_status.dtype)
    duals = None if any(p.duals is None for p in parts) else np.empty((n, first.duals.shape[1]))
    lams = [sp.csr_array(p.lambdas) for p in parts]
    counts = np.zeros(n, dtype=np.int64)
    for p, w, lam in zip(parts, where, lams):
        status[w], t[w], slack[w], slack_status[w] = p.status, p.t, p.slack, p.slack_status
        if duals is not None:
            duals[w] = p.duals
        counts[w] = np.diff(lam.indptr)
    # the lambdas' CSR arrays filled in place: row w[i] of the whole takes row i of its part
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    indices = np.empty(indptr[-1], dtype=np.int64)
    data = np.empty(indptr[-1])
    for w, lam in zip(where, lams):
        per_row = np.diff(lam.indptr)
        row = np.repeat(np.arange(per_row.size), per_row)
        pos = indptr[np.asarray(w)[row]] + (np.arange(lam.indices.size) - lam.indptr[row])
        indices[pos] = lam.indices
        data[pos] = lam.data
    lam = sp.csr_array((data, indices, indptr), shape=(n, first.lambdas.shape[1]))
    return EnvelopmentSolution(status, t, lam, slack, slack_status, duals, sum((p.usage for p in parts), Usage()))


def replace_rows(A: sp.csr_array, rows: np.ndarray, B: sp.csr_array) -> sp.csr_array:
    """A copy of sparse ``A`` whose rows ``rows`` are replaced by the rows of ``B`` (in order)."""
    A, B = sp.coo_array(A), sp.coo_array(B)
    keep = ~np.isin(A.row, rows)
    r = np.concatenate([A.row[keep], np.asarray(rows, dtype=np.int64)[B.row]])
    c = np.concatenate([A.col[keep], B.col])
    d = np.concatenate([A.data[keep], B.data])
    return sp.csr_array((d, (r, c)), shape=A.shape)
