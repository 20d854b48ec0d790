"""Stochastic frontier analysis (DESIGN section 6): likelihoods with analytic gradients
(``likelihood``), the maximum-likelihood estimator (``fit``), the public function ``sfa`` (``api``)
and its result (``results``). The warnings ``SkewnessWarning`` and ``ConvergenceWarning`` live in
``efficiency.errors`` and are importable from here too."""

from ..errors import ConvergenceWarning, SkewnessWarning
from .api import frontier_terms, sfa
from .results import SFAResult

__all__ = ["sfa", "SFAResult", "SkewnessWarning", "ConvergenceWarning", "frontier_terms"]
