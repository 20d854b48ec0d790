"""The network of a network DEA model, as the solvers of every model take it (no pandas): divisions
(stages, processes) with their own inputs and final outputs, and links (intermediate products) from
one division to another; and the solution every model returns.

``efficiency.network.api`` builds these from a table; ``relational``/``additive``/... (two-stage
multiplier models) and ``sbm`` (network SBM, Tone and Tsutsui 2009) and ``dynamic`` (dynamic SBM,
Tone and Tsutsui 2010) solve them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from solvers import Usage


@dataclass(frozen=True)
class Division:
    """One division (stage, process) of n DMUs: its own inputs X (n, m), final outputs Y (n, s) and bad
    outputs B (n, k) (any of them may have 0 columns), with their column names."""

    name: str
    X: np.ndarray
    Y: np.ndarray
    B: np.ndarray
    input_names: tuple[str, ...] = ()
    output_names: tuple[str, ...] = ()
    bad_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Link:
    """Intermediate products Z (n, l) made by division ``source`` and used by division ``target``.
    ``kind``: 'free' (discretionary: the link may change, as long as what the source makes and the
    target uses agree) or 'fixed' (non-discretionary: kept at its observed level) - Tone and Tsutsui
    (2009); the two-stage multiplier models treat links as 'free'."""

    source: str
    target: str
    Z: np.ndarray
    names: tuple[str, ...] = ()
    kind: str = "free"


@dataclass(frozen=True)
class Network:
    """Divisions in order (for series networks: the order of the stages) and the links between them."""

    divisions: tuple[Division, ...]
    links: tuple[Link, ...] = ()

    @property
    def n(self) -> int:
        return self.divisions[0].X.shape[0]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(d.name for d in self.divisions)


@dataclass(frozen=True)
class NetworkSolution:
    """What a network model returns for n DMUs and K divisions (or T periods for dynamic SBM).

    ``overall`` (n,): the overall (system) efficiency in (0, 1]; ``divisions`` (n, K): each division's
    (period's) efficiency; ``weights`` (n, K) or None: the division weights of the model (additive
    decomposition, NSBM divisional weights); ``status`` (n,) LPStatus codes; ``usage`` which backend
    solved how many LPs; ``targets``: column name -> (n,) projection of that column (inputs, outputs,
    links, carry-overs), where the model defines them; ``extra``: further per-DMU columns (name ->
    (n,)), e.g. slacks."""

    overall: np.ndarray
    divisions: np.ndarray
    status: np.ndarray
    usage: Usage = Usage()
    weights: np.ndarray | None = None
    targets: dict = field(default_factory=dict)
    extra: dict = field(default_factory=dict)
