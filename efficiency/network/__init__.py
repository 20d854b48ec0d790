"""Network DEA (DESIGN section 11, issue 15): two-stage and multi-stage networks, dynamic DEA.

``ef.network`` (:mod:`efficiency.network.api`) builds a :class:`~efficiency.network.model.Network` from a
table and solves it: the multiplier models of :mod:`efficiency.network.multiplier_models` (relational,
additive, leader-follower, centralised), network SBM (:mod:`efficiency.network.sbm`) and dynamic SBM
(:mod:`efficiency.network.dynamic`); results are :class:`NetworkResult`.
"""

from .api import network
from .results import NetworkResult

__all__ = ["network", "NetworkResult"]
