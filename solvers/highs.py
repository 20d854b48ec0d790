"""HiGHS backends: ``highs`` (highspy, warm-started) and ``scipy`` (``scipy.optimize.linprog``).

``highs`` passes the batch's base LP to HiGHS once; between problems it changes only the varying
columns' coefficients and costs, the row bounds and the zeroed column, then re-solves with the
dual simplex from the previous optimal basis (Huangfu and Hall 2018). A problem that ends in any
other state than optimal, infeasible or unbounded is solved again from scratch before its status is
believed. ``scipy`` builds and solves every problem independently: slow, but a third, simple path.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .base import (
    LP,
    MILP,
    Backend,
    BackendError,
    BatchSolution,
    LPBatch,
    LPProblem,
    LPStatus,
    SolutionBuilder,
    quiet_stdout,
)

#: Primal and dual feasibility tolerance given to HiGHS (its default is 1e-7).
FEASIBILITY_TOL = 1e-9
#: The same for LPs the caller scaled row by row (``HighsSolver.prescaled``), solved without HiGHS's
#: own scaling: rows in units of the evaluated DMU, where a tighter tolerance is meaningful.
PRESCALED_TOL = 1e-10


def _highspy():
    try:
        import highspy
    except ImportError:  # pragma: no cover - highspy is a dependency
        return None
    return highspy


def _status(hs, model_status) -> LPStatus:
    ms = hs.HighsModelStatus
    if model_status == ms.kOptimal:
        return LPStatus.OPTIMAL
    if model_status == ms.kInfeasible:
        return LPStatus.INFEASIBLE
    if model_status in (ms.kUnbounded, ms.kUnboundedOrInfeasible):
        return LPStatus.UNBOUNDED
    if model_status in (ms.kIterationLimit, ms.kTimeLimit):
        return LPStatus.ITERATION_LIMIT
    return LPStatus.NUMERICAL


class HighsSolver(Backend):
    """Warm-started HiGHS dual simplex through highspy (HiGHS's branch and bound for integer columns)."""

    name = "highs"
    solves = frozenset({LP, MILP})

    def __init__(self, option: str | None = None):
        self.hs = _highspy()
        if self.hs is None:
            raise BackendError("solver 'highs' needs the highspy package (pip install highspy)")
        if option not in (None, "unscaled"):
            raise BackendError(f"solver 'highs:{option}': the only option is 'unscaled' (no HiGHS scaling)")
        self.unscaled = option == "unscaled"

    def prescaled(self) -> "HighsSolver":
        """HiGHS without its own scaling and with tolerances of PRESCALED_TOL, for LPs already scaled
        row by row (``solvers.envelopment.refine``): HiGHS's scaling would otherwise undo the
        caller's."""
        return HighsSolver("unscaled")

    def _new(self, base: LPProblem):
        hs = self.hs
        with quiet_stdout():
            h = hs.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("primal_feasibility_tolerance", FEASIBILITY_TOL)
        h.setOptionValue("dual_feasibility_tolerance", FEASIBILITY_TOL)
        if self.unscaled:
            h.setOptionValue("simplex_scale_strategy", 0)
            h.setOptionValue("primal_feasibility_tolerance", PRESCALED_TOL)
            h.setOptionValue("dual_feasibility_tolerance", PRESCALED_TOL)
        lp = hs.HighsLp()
        nrow, ncol = base.A.shape
        lp.num_col_, lp.num_row_ = ncol, nrow
        lp.col_cost_ = np.asarray(base.c, dtype=np.float64)
        lp.col_lower_ = np.where(np.isfinite(base.col_lower), base.col_lower, -hs.kHighsInf)
        lp.col_upper_ = np.where(np.isfinite(base.col_upper), base.col_upper, hs.kHighsInf)
        lp.row_lower_ = np.zeros(nrow)
        lp.row_upper_ = np.zeros(nrow)
        A = sp.csc_array(base.A)
        lp.a_matrix_.format_ = hs.MatrixFormat.kColwise
        lp.a_matrix_.start_ = A.indptr.astype(np.int32)
        lp.a_matrix_.index_ = A.indices.astype(np.int32)
        lp.a_matrix_.value_ = A.data.astype(np.float64)
        if base.integer is not None and np.any(base.integer):
            lp.integrality_ = [hs.HighsVarType.kInteger if v else hs.HighsVarType.kContinuous for v in base.integer]
            h.setOptionValue("mip_rel_gap", 1e-9)
            h.setOptionValue("mip_feasibility_tolerance", FEASIBILITY_TOL)
        h.passModel(lp)
        return h

    def solve_batch(self, batch: LPBatch) -> BatchSolution:
        hs = self.hs
        base = batch.base
        nrow, ncol = base.A.shape
        h = self._new(base)
        rows = np.arange(nrow, dtype=np.int32)
        vary = batch.vary_cols.astype(np.int32)
        big = hs.kHighsInf
        out = SolutionBuilder(len(batch), ncol)
        current = base.A[:, vary].copy() if vary.size else None    # the varying columns as HiGHS holds them
        for k in range(len(batch)):
            if batch.col_values is not None:
                block = batch.col_values[k]
                for i, q in zip(*np.nonzero(block != current)):       # only the entries that change
                    h.changeCoeff(int(i), int(vary[q]), float(block[i, q]))
                current = block
            if batch.costs is not None and vary.size:
                h.changeColsCost(vary.size, vary, batch.costs[k].astype(np.float64))
            lo = np.where(np.isfinite(batch.row_lower[k]), batch.row_lower[k], -big)
            hi = np.where(np.isfinite(batch.row_upper[k]), batch.row_upper[k], big)
            h.changeRowsBounds(nrow, rows, lo, hi)
            fixed = -1 if batch.fix_zero is None else int(batch.fix_zero[k])
            if fixed >= 0:
                h.changeColBounds(fixed, 0.0, 0.0)
            status = self._run(h)
            if status not in (LPStatus.OPTIMAL, LPStatus.INFEASIBLE, LPStatus.UNBOUNDED):
                h.clearSolver()          # distrust the warm start: solve again from scratch
                status = self._run(h)
            if status == LPStatus.OPTIMAL:
                x = np.asarray(h.getSolution().col_value)
                out.set(k, status, float(h.getInfo().objective_function_value), x)
            else:
                out.set(k, status)
                h.clearSolver()
            if fixed >= 0:
                lo_c, hi_c = base.col_lower[fixed], base.col_upper[fixed]
                h.changeColBounds(fixed, lo_c if np.isfinite(lo_c) else -big, hi_c if np.isfinite(hi_c) else big)
        return out.build(self.name)

    def _run(self, h) -> LPStatus:
        h.run()
        return _status(self.hs, h.getModelStatus())


class ScipySolver(Backend):
    """Every problem built and solved on its own with ``scipy.optimize.linprog(method='highs')``
    (``scipy.optimize.milp`` when it has integer columns)."""

    name = "scipy"
    solves = frozenset({LP, MILP})

    def __init__(self, option: str | None = None):
        self.method = option or "highs"

    def solve_batch(self, batch: LPBatch) -> BatchSolution:
        from scipy.optimize import linprog

        nvar = batch.base.A.shape[1]
        out = SolutionBuilder(len(batch), nvar)
        for k in range(len(batch)):
            p = batch.problem(k)
            if p.integer is not None and np.any(p.integer):
                self._milp(p, k, out)
                continue
            eq = p.row_lower == p.row_upper
            up = ~eq & np.isfinite(p.row_upper)
            lo = ~eq & np.isfinite(p.row_lower)
            A_ub = np.vstack([p.A[up], -p.A[lo]])
            b_ub = np.concatenate([p.row_upper[up], -p.row_lower[lo]])
            bounds = [(None if not np.isfinite(a) else a, None if not np.isfinite(b) else b)
                      for a, b in zip(p.col_lower, p.col_upper)]
            res = linprog(p.c, A_ub=A_ub if A_ub.size else None, b_ub=b_ub if A_ub.size else None,
                          A_eq=p.A[eq] if eq.any() else None, b_eq=p.row_lower[eq] if eq.any() else None,
                          bounds=bounds, method=self.method,
                          options={"primal_feasibility_tolerance": 1e-9, "dual_feasibility_tolerance": 1e-9})
            status = LPStatus(res.status) if res.status in (0, 1, 2, 3, 4) else LPStatus.NUMERICAL
            out.set(k, status, float(res.fun) if status == LPStatus.OPTIMAL else np.nan,
                    res.x if status == LPStatus.OPTIMAL else None)
        return out.build(self.name)

    @staticmethod
    def _milp(p: LPProblem, k: int, out: SolutionBuilder) -> None:
        """Problem k with integer columns, by ``scipy.optimize.milp`` (HiGHS's branch and bound)."""
        from scipy.optimize import Bounds, LinearConstraint, milp

        res = milp(p.c, constraints=LinearConstraint(p.A, p.row_lower, p.row_upper), integrality=p.integer.astype(int),
                   bounds=Bounds(p.col_lower, p.col_upper), options={"mip_rel_gap": 1e-9})
        status = {0: LPStatus.OPTIMAL, 1: LPStatus.ITERATION_LIMIT, 2: LPStatus.INFEASIBLE,
                  3: LPStatus.UNBOUNDED}.get(res.status, LPStatus.NUMERICAL)
        out.set(k, status, float(res.fun) if status == LPStatus.OPTIMAL else np.nan,
                res.x if status == LPStatus.OPTIMAL else None)


#: (name, factory, available, description) of the backends of this module (``solvers.registry``).
BACKENDS = (
    ("highs", HighsSolver, lambda: _highspy() is not None,
     "HiGHS dual simplex via highspy, LP built once and warm-started between DMUs"),
    ("scipy", ScipySolver, lambda: True, "scipy.optimize.linprog (HiGHS), every LP built and solved on its own"),
)
