"""DEA formulations (radial, FDH) and their result object."""

from .api import dea
from .results import DEAResult

__all__ = ["dea", "DEAResult"]
