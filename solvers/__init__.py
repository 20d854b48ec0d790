"""LP backends behind one protocol (DESIGN section 2): ``highs``, ``scipy``, ``pulp[:NAME]``.

They know nothing of pandas or of the models' meaning; see :mod:`solvers.base`.
"""

from .base import (ENVELOPMENT, LP, MILP, Backend, BackendError, BatchSolution, LPBatch, LPProblem, LPSolver, LPStatus,
                   STATUS_LABELS, Usage)
from .registry import get_solver, register, registered

__all__ = ["ENVELOPMENT", "LP", "MILP", "Backend", "Usage", "BackendError", "BatchSolution", "LPBatch", "LPProblem", "LPSolver", "LPStatus",
           "STATUS_LABELS", "get_solver", "register", "registered"]
