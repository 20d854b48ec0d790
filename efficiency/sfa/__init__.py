"""Stochastic frontier analysis (DESIGN section 6): likelihoods with analytic gradients
(``likelihood``), the maximum-likelihood estimator (``fit``), the public function ``sfa`` (``api``)
and its result (``results``)."""

from .api import SkewnessWarning, frontier_terms, sfa
from .results import SFAResult

__all__ = ["sfa", "SFAResult", "SkewnessWarning", "frontier_terms"]
