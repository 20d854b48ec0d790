"""The result of ``ef.network`` (DESIGN sections 3 and 11): overall and division efficiencies per DMU.

Column names of ``to_frame()``: one rule for every model - ``<division>_efficiency`` and
``weight_<division>``, the division named as given. The two-stage form (``inputs``, ``intermediates``,
``outputs`` as lists) names its divisions ``stage1`` and ``stage2``, so its columns are the contract's
``stage1_efficiency``, ``stage2_efficiency``, ``weight_stage1``, ``weight_stage2``; a network given
with named divisions (``inputs={"rd": [...], "transform": [...]}``) has ``rd_efficiency``,
``transform_efficiency``; dynamic SBM's divisions are its periods (``2021_efficiency``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..data import format_id
from ..results import Result

#: Tolerance below 1 within which a division counts as efficient in the summary (classification only).
SCORE_TOL = 1e-9

MODEL_NAMES = {
    "relational": "Relational network DEA (Kao and Hwang 2008; Kao 2009), multiplicative",
    "additive": "Additive efficiency decomposition (Chen, Cook, Li and Zhu 2009)",
    "leader-follower": "Leader-follower two-stage DEA (Liang, Cook and Zhu 2008)",
    "centralised": "Centralised two-stage DEA (Liang, Cook and Zhu 2008)",
    "nsbm": "Network SBM (Tone and Tsutsui 2009)",
    "dynamic-sbm": "Dynamic SBM (Tone and Tsutsui 2010)",
}


@dataclass(frozen=True)
class NetworkResult(Result):
    """Overall and division efficiencies of a network DEA model, indexed by the input's ids in order.

    ``scores``: the overall (system) efficiency in (0, 1] (``efficiency`` column); ``divisions``: one
    column per division (stage, process, period) with its efficiency, columns named after the divisions;
    ``weights``: the division weights of the model (additive decomposition, NSBM divisional weights),
    None for the others; ``status`` per DMU; ``targets``: projections per data column (None where the
    model defines none); ``extra``: further per-DMU columns (the multipliers of the multiplier models:
    ``v_<input>``, ``u_<output>``, ``w_<intermediate>``, ``u0_<division>`` under VRS; the slacks of the
    SBM models); ``solver``: the backend(s) that solved the LPs. ``priority``: the division order of the
    efficiency split (models that fix it), ``leader``: the leader (leader-follower). NaN where a DMU has
    no optimum.
    """

    model: str
    rts: str
    orientation: str
    ids: pd.Index
    division_names: tuple[str, ...]
    scores: pd.Series
    divisions: pd.DataFrame
    weights: pd.DataFrame | None
    status: pd.Series
    targets: pd.DataFrame | None
    extra: pd.DataFrame | None
    solver: str
    structure: tuple[str, ...] = ()
    priority: tuple[str, ...] | None = None
    leader: str | None = None

    @property
    def efficiency(self) -> pd.Series:
        """The overall efficiency (same as ``scores``)."""
        return self.scores

    @property
    def bottleneck(self) -> pd.Series:
        """Per DMU, the division with the lowest efficiency (the first of ties; None without scores)."""
        values = self.divisions.to_numpy(dtype=float)
        out = np.full(len(self.ids), None, dtype=object)
        ok = np.isfinite(values).any(axis=1)
        if ok.any():
            filled = np.where(np.isfinite(values[ok]), values[ok], np.inf)
            out[ok] = np.asarray(self.division_names, dtype=object)[np.argmin(filled, axis=1)]
        return pd.Series(out, index=self.ids, name="bottleneck", dtype=object)

    def columns(self) -> dict[str, str]:
        """Division name -> its efficiency column in ``to_frame()``."""
        return {d: f"{d}_efficiency" for d in self.division_names}

    def to_frame(self) -> pd.DataFrame:
        """id, ``efficiency``, ``<division>_efficiency``..., ``weight_<division>``... (models with weights),
        ``status``, ``target_<column>``... (models with projections), then the model's other columns."""
        df = pd.DataFrame({"efficiency": self.scores.to_numpy()}, index=self.ids)
        for d, col in self.columns().items():
            df[col] = self.divisions[d].to_numpy()
        if self.weights is not None:
            for d in self.division_names:
                df[f"weight_{d}"] = self.weights[d].to_numpy()
        df["status"] = self.status.to_numpy()
        if self.targets is not None:
            for c in self.targets.columns:
                df[f"target_{c}"] = self.targets[c].to_numpy()
        if self.extra is not None:
            for c in self.extra.columns:
                df[c] = self.extra[c].to_numpy()
        return df

    def summary(self) -> str:
        """Model, network, the distribution of the overall and division efficiencies, bottlenecks, statuses."""
        head = MODEL_NAMES.get(self.model, self.model)
        opts = [f"rts {self.rts}", f"{self.orientation} orientation"]
        if self.leader is not None:
            opts.append(f"leader {self.leader}")
        if self.priority:
            opts.append("split: " + " > ".join(self.priority) + " first")
        lines = [f"{head}; {', '.join(opts)}",
                 f"DMUs: {len(self.ids)}; divisions: {', '.join(self.division_names)}; solver: {self.solver}"]
        lines += [f"  {s}" for s in self.structure]
        parts = [("Overall", self.scores)] + [(d, self.divisions[d]) for d in self.division_names]
        width = max(len(label) for label, _ in parts)
        for label, s in parts:
            ok = s.dropna()
            if len(ok):
                lines.append(f"{label:<{width}}  mean {ok.mean():.4f}, min {ok.min():.4f}, median {ok.median():.4f}, "
                             f"max {ok.max():.4f}; efficient (1 to 1e-9): {int((ok >= 1 - SCORE_TOL).sum())} of "
                             f"{len(ok)}")
            else:
                lines.append(f"{label:<{width}}  none solved")
        if self.weights is not None:
            w = self.weights.dropna()
            if len(w):
                lines.append("Mean weights: " + ", ".join(f"{d} {w[d].mean():.4f}" for d in self.division_names))
        b = self.bottleneck.dropna()
        if len(b) and len(self.division_names) > 1:
            counts = b.value_counts()
            lines.append("Bottleneck (lowest division): " + ", ".join(f"{d} {int(counts.get(d, 0))}"
                                                                     for d in self.division_names))
            ok = self.scores.dropna()
            low = ok.nsmallest(min(5, len(ok)))
            lines.append("Lowest overall: " + ", ".join(f"{format_id(i)} {v:.4f} ({self.bottleneck[i]})"
                                                         for i, v in low.items()))
        lines.append("Status: " + ", ".join(f"{int(v)} {k}" for k, v in self.status.value_counts().items()))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<NetworkResult {self.model} {self.rts}: {len(self.ids)} DMUs, {len(self.division_names)} divisions>"
