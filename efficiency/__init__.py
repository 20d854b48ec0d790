"""innovation-efficiency: DEA, SFA and Malmquist measures of how efficiently enterprises and regions
turn innovation resources into results (DESIGN section 10 is the public API).

    import efficiency as ef
    r = ef.dea("provinces.csv", id="province", inputs=["rd_expenditure", "rd_personnel"],
               outputs=["invention_patents"], rts="vrs", orientation="input")
    r.to_frame()

The API functions are bound here eagerly: the subpackage ``efficiency.dea`` shares the function's
name, and importing it later would otherwise replace ``efficiency.dea`` the function with the module.
Everything else (numba, the LP backends) loads on first use, so ``import efficiency`` stays fast.
"""

from __future__ import annotations

from importlib import import_module

from .errors import (ConvergenceWarning, DataError, EfficiencyError, EfficiencyWarning,
                     SkewnessWarning, SolverError, SolveWarning, SpecError)
from .dea.api import dea  # noqa: E402  (must follow the subpackage import; see above)
from .malmquist import MalmquistResult, malmquist  # noqa: E402
from .dimensions import Analysis, analyze  # noqa: E402
from .bootstrap import BootstrapResult, bootstrap  # noqa: E402
from .second_stage import SecondStageResult, second_stage  # noqa: E402
from .sfa.api import sfa  # noqa: E402  (the function, bound over the subpackage efficiency.sfa)
from .sfa.results import SFAResult  # noqa: E402
from .three_stage import ThreeStageResult, three_stage  # noqa: E402
from .economic import EconomicResult, economic  # noqa: E402  (the function, bound over the module)
from .window import WindowResult, window  # noqa: E402
from .multiplier import MultiplierResult, multiplier  # noqa: E402  (the function, bound over the module)
from .cross_efficiency import CrossEfficiencyResult, cross_efficiency  # noqa: E402
from .luenberger import LuenbergerResult, luenberger  # noqa: E402
from .malmquist_bootstrap import MalmquistBootstrapResult, malmquist_bootstrap  # noqa: E402
from .productivity import ProductivityResult, productivity  # noqa: E402  (the function, bound over the module)
from .network import NetworkResult, network  # noqa: E402  (the function, bound over the subpackage)
from .partial import PartialFrontierResult, partial_frontier  # noqa: E402
from .stoned import StonedResult, stoned  # noqa: E402
from .threshold import ThresholdResult, threshold  # noqa: E402  (the function, bound over the module)

__version__ = "0.1.0"

_LAZY = {
    "DEAResult": ("efficiency.dea.results", "DEAResult"),
    "FrontierData": ("efficiency.data", "FrontierData"),
    "frontier_data": ("efficiency.data", "frontier_data"),
    "read_csv": ("efficiency.data", "read_csv"),
    "RTS": ("efficiency.spec", "RTS"),
    "Orientation": ("efficiency.spec", "Orientation"),
    "Model": ("efficiency.spec", "Model"),
    # the regional study (issue 18): imported on first use
    "dagum_gini": ("efficiency.regional.disparity", "dagum_gini"),
    "DagumResult": ("efficiency.regional.disparity", "DagumResult"),
    "theil": ("efficiency.regional.disparity", "theil"),
    "TheilResult": ("efficiency.regional.disparity", "TheilResult"),
    "score_density": ("efficiency.regional.disparity", "score_density"),
    "convergence": ("efficiency.regional.convergence", "convergence"),
    "ConvergenceResult": ("efficiency.regional.convergence", "ConvergenceResult"),
    "spatial_weights": ("efficiency.regional.spatial", "spatial_weights"),
    "moran": ("efficiency.regional.spatial", "moran"),
    "MoranResult": ("efficiency.regional.spatial", "MoranResult"),
    "markov": ("efficiency.regional.markov", "markov"),
    "MarkovResult": ("efficiency.regional.markov", "MarkovResult"),
}

__all__ = ["dea", "economic", "EconomicResult", "malmquist", "window", "WindowResult", "MalmquistResult", "analyze", "Analysis", "sfa", "SFAResult", "three_stage", "ThreeStageResult", "bootstrap", "BootstrapResult", "second_stage", "SecondStageResult", "DataError", "EfficiencyError", "EfficiencyWarning", "SolverError", "SolveWarning", "SpecError",
           "ConvergenceWarning", "SkewnessWarning",
           "multiplier", "MultiplierResult", "cross_efficiency", "CrossEfficiencyResult",
           "luenberger", "LuenbergerResult", "malmquist_bootstrap", "MalmquistBootstrapResult",
           "productivity", "ProductivityResult",
           "network", "NetworkResult",
           "partial_frontier", "PartialFrontierResult",
           "stoned", "StonedResult",
           "threshold", "ThresholdResult",
           *_LAZY]


def __getattr__(name: str):
    try:
        module, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'efficiency' has no attribute {name!r}") from None
    value = getattr(import_module(module), attr)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
