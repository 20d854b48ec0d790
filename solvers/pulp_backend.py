"""PuLP backend: ``pulp`` (CBC) or any PuLP solver by name, ``pulp:GLPK_CMD``.

Every problem of a batch is written as a PuLP model and handed to the chosen solver. This is the
slowest backend (one process per LP for the command-line solvers) and the most general: whatever
solver PuLP can drive (CBC, GLPK, HiGHS, Gurobi, CPLEX, ...) can score DEA models.

CBC is PuLP's ``COIN_CMD`` when a ``cbc`` program is installed (PuLP 4 style, e.g. ``pip install
pulp[cbc]``), else the CBC binary bundled with PuLP 2-3 (``PULP_CBC_CMD``, deprecated by PuLP 3.3;
its deprecation warning is silenced here because the choice is ours, not the user's).
"""

from __future__ import annotations

import warnings

import numpy as np

from .base import (
    LP,
    MILP,
    Backend,
    BackendError,
    BatchSolution,
    LPBatch,
    LPStatus,
    SolutionBuilder,
    quiet_stdout,
)

CBC_NAMES = ("COIN_CMD", "PULP_CBC_CMD")


def _pulp():
    try:
        import pulp
    except ImportError:  # pragma: no cover - pulp is a dependency
        return None
    return pulp


class PulpSolver(Backend):
    """Solve each LP through PuLP with the named solver (default CBC), integer columns too."""

    solves = frozenset({LP, MILP})

    def __init__(self, option: str | None = None):
        pulp = _pulp()
        if pulp is None:  # pragma: no cover
            raise BackendError("solver 'pulp' needs the pulp package (pip install pulp)")
        self.pulp = pulp
        available = pulp.listSolvers(onlyAvailable=True)
        wanted = option or next((c for c in CBC_NAMES if c in available), CBC_NAMES[-1])
        known = {s.lower(): s for s in pulp.listSolvers()}
        if wanted.lower() not in known:
            raise BackendError(f"solver 'pulp:{wanted}': PuLP knows no solver {wanted!r}; "
                               f"known: {', '.join(sorted(known.values()))}")
        self.solver_name = known[wanted.lower()]
        self.name = "pulp" if option is None else f"pulp:{self.solver_name}"
        # CBC's and GLPK's tolerances (1e-7) apply to their own scaled LPs and their answers come through
        # files with 8 significant digits: bounds are met to about 1e-5 of a small DMU's own values
        self.accuracy = 1e-9 if self.solver_name.upper().startswith("HIGHS") else 1e-4
        if self.solver_name not in available:
            avail = ", ".join(available) or "none"
            raise BackendError(f"solver {self.name!r} is not installed on this machine (PuLP finds "
                               f"no working {self.solver_name}); available PuLP solvers: {avail}")

    def solve_batch(self, batch: LPBatch) -> BatchSolution:
        pulp = self.pulp
        nvar = batch.base.A.shape[1]
        out = SolutionBuilder(len(batch), nvar)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            engine = pulp.getSolver(self.solver_name, msg=False)
        for k in range(len(batch)):
            p = batch.problem(k)
            prob = pulp.LpProblem("lp", pulp.LpMinimize)
            # PuLP >= 3.3 attaches variables to the model (prob.add_variable); older PuLP builds them alone.
            new_var = getattr(prob, "add_variable", None) or pulp.LpVariable
            integer = np.zeros(len(p.c), dtype=bool) if p.integer is None else p.integer
            xs = [new_var(f"x{j}", lowBound=float(lo) if np.isfinite(lo) else None,
                          upBound=float(hi) if np.isfinite(hi) else None,
                          cat="Integer" if integer[j] else "Continuous")
                  for j, (lo, hi) in enumerate(zip(p.col_lower, p.col_upper))]
            prob += pulp.LpAffineExpression([(xs[j], float(p.c[j])) for j in np.flatnonzero(p.c)])
            for i in range(p.A.shape[0]):
                nz = np.flatnonzero(p.A[i])
                expr = pulp.LpAffineExpression([(xs[j], float(p.A[i, j])) for j in nz])
                lo, hi = p.row_lower[i], p.row_upper[i]
                if lo == hi:
                    prob += expr == float(lo), f"r{i}"
                else:
                    if np.isfinite(lo):
                        prob += expr >= float(lo), f"r{i}l"
                    if np.isfinite(hi):
                        prob += expr <= float(hi), f"r{i}u"
            with quiet_stdout():
                code = prob.solve(engine)
            status = {1: LPStatus.OPTIMAL, -1: LPStatus.INFEASIBLE, -2: LPStatus.UNBOUNDED,
                      0: LPStatus.NOT_SOLVED}.get(code, LPStatus.NUMERICAL)
            if status == LPStatus.OPTIMAL:
                x = np.array([v.varValue if v.varValue is not None else 0.0 for v in xs])
                out.set(k, status, float(p.c @ x), x)
            else:
                out.set(k, status)
        return out.build(self.name)


#: (name, factory, available, description) of this module's backend (``solvers.registry``).
BACKENDS = (("pulp", PulpSolver, lambda: _pulp() is not None,
             "PuLP with CBC by default; any PuLP solver by name, e.g. pulp:GLPK_CMD"),)
