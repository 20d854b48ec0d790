"""DEA result object (DESIGN section 3): frozen, pandas out, indexed by the input's DMU ids in order."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..data import format_id
from ..results import Result

#: Classification tolerances (never applied to stored values).
SCORE_TOL = 1e-9     # |score - 1| below which a DMU counts as radially efficient
LAMBDA_TOL = 1e-9    # lambda above which a reference DMU counts as a peer
SLACK_TOL = 1e-9     # slack / column mean above which a slack counts as nonzero

_MODEL_NAMES = {"radial": "Radial DEA", "fdh": "Free disposal hull (FDH)",
                "sbm": "Slacks-based measure (SBM, Tone 2001)", "additive": "Additive DEA (sum of slacks)",
                "ddf": "Directional distance function",
                "russell": "Russell measure (non-radial, Faere and Lovell 1978)",
                "rdm": "Range directional model (RDM, Silva Portela et al. 2004)",
                "irdm": "Inverse range directional model (IRDM, Silva Portela et al. 2004)",
                "ram": "Range adjusted measure (RAM, Cooper, Park and Pastor 1999)",
                "bam": "Bounded adjusted measure (BAM, Cooper et al. 2011)",
                "mea": "Multi-directional efficiency analysis (MEA, Bogetoft and Hougaard 1999)"}
_RTS_NAMES = {"crs": "constant returns to scale (CCR)", "vrs": "variable returns to scale (BCC)",
              "nirs": "non-increasing returns to scale", "ndrs": "non-decreasing returns to scale",
              "grs": "generalised returns to scale", "fdh": "free disposal, no convexity"}


@dataclass(frozen=True)
class DEAResult(Result):
    """Scores and projections of a DEA model.

    ``scores`` is the efficiency in (0, 1] for every model (input theta, output 1/phi, graph G, SBM
    rho, DDF 1/(1+beta), Russell mean theta or 1/mean phi; RDM 1 - beta, RAM and BAM 1 - the
    weighted slack sum, which lie in [0, 1]; super-efficiency and scores against another reference
    set may exceed 1; NaN for the additive model, whose measure is ``slack_sum``, and for IRDM and
    MEA, whose beta is no efficiency); ``farrell`` the radial model's Farrell measure (theta, phi >= 1, or G;
    Russell: mean theta, or mean phi >= 1); ``beta`` the DDF's, RDM's or MEA's directional distance;
    ``factors`` the Russell measure's theta per input (input orientation) or phi per output (output);
    ``rts_bounds`` (L, U) under rts 'grs'; ``status`` the LP outcome per DMU ('optimal', 'infeasible', ...).
    ``slacks`` and ``targets`` are in data units with the input and output column names; ``None``
    when not computed. ``lambda_matrix`` holds the intensity weights (n x n_ref, sparse).
    """

    model: str
    rts: str
    orientation: str
    ids: pd.Index                  # named after the id column(s); MultiIndex for a composite id
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    reference_ids: pd.Index
    scores: pd.Series
    farrell: pd.Series | None
    status: pd.Series
    slacks: pd.DataFrame | None
    targets: pd.DataFrame | None
    lambda_matrix: sp.csr_array
    column_scale: np.ndarray
    solver: str
    scale_efficiency: pd.Series | None = None
    rts_class: pd.Series | None = None
    undesirable_names: tuple[str, ...] = ()
    super_efficiency: bool = False
    beta: pd.Series | None = None          # DDF: the directional distance (efficiency = 1/(1+beta)); RDM
    slack_sum: pd.Series | None = None     # additive: the maximal (weighted) slack sum in data units; RAM, BAM
    factors: pd.DataFrame | None = None    # Russell: theta per input, or phi per output
    rts_bounds: tuple[float, float] | None = None   # rts 'grs': L <= sum(lambda) <= U

    # ---------------------------------------------------------------------------------------------
    @cached_property
    def lambdas(self) -> pd.DataFrame:
        """Intensity weights as a dense DataFrame: rows evaluated DMUs, columns reference DMUs."""
        return pd.DataFrame(self.lambda_matrix.toarray(), index=self.ids, columns=self.reference_ids)

    @property
    def efficient(self) -> pd.Series:
        """Pareto-Koopmans efficient: score 1 (>= 1 with super-efficiency; a slack sum of 0 for the
        additive model) and every slack zero, within the classification tolerances."""
        if self.model == "additive":
            gap = self.slack_sum / float(np.mean(self.column_scale))
        elif self.model == "irdm":             # beta in units of (data)^2: directions are 1 / ranges
            gap = self.beta / float(np.mean(self.column_scale)) ** 2
        elif self.model == "mea":              # beta: the share of the potential improvements
            gap = self.beta
        else:
            gap = self.scores - 1.0
        radial = (self.status == "optimal") & ((gap >= -SCORE_TOL) if self.super_efficiency
                                               else (gap.abs() <= SCORE_TOL))
        if self.slacks is None:
            return radial.rename("efficient")
        rel = self.slacks.to_numpy() / self.column_scale
        return (radial & pd.Series(np.all(rel <= SLACK_TOL, axis=1), index=self.ids)).rename("efficient")

    def peers(self, tol: float = LAMBDA_TOL) -> pd.DataFrame:
        """Long table (id column(s), peer, lambda) of the reference DMUs with lambda > tol, in input
        order; peers keep their id's type, and a composite peer id is written 'Beijing/2023'."""
        lam = sp.coo_array(self.lambda_matrix)
        keep = lam.data > tol
        order = np.lexsort((lam.col[keep], lam.row[keep]))
        rows, cols, vals = lam.row[keep][order], lam.col[keep][order], lam.data[keep][order]
        table = self.ids[rows].to_frame(index=False)
        ref = self.reference_ids
        table["peer"] = ([format_id(v) for v in ref[cols]] if isinstance(ref, pd.MultiIndex)
                         else ref[cols].to_numpy())
        table["lambda"] = vals
        return table

    def to_frame(self) -> pd.DataFrame:
        """The table the CLI writes, indexed by id: efficiency, status, farrell, slack_<col>,
        target_<col>, lambda_sum, peers (';'-separated), and scale columns when computed."""
        df = pd.DataFrame({"efficiency": self.scores, "status": self.status}, index=self.ids)
        if self.farrell is not None:
            df["farrell"] = self.farrell.to_numpy()
        if self.beta is not None:
            df["beta"] = self.beta.to_numpy()
        if self.slack_sum is not None:
            df["slack_sum"] = self.slack_sum.to_numpy()
        if self.factors is not None:
            prefix = "theta_" if self.orientation == "input" else "phi_"
            for c in self.factors.columns:
                df[prefix + c] = self.factors[c].to_numpy()
        if self.slacks is not None:
            for c in self.slacks.columns:
                df[f"slack_{c}"] = self.slacks[c].to_numpy()
        if self.targets is not None:
            for c in self.targets.columns:
                df[f"target_{c}"] = self.targets[c].to_numpy()
        lam = self.lambda_matrix
        solved = (self.status == "optimal").to_numpy()
        df["lambda_sum"] = np.where(solved, np.asarray(lam.sum(axis=1)).ravel(), np.nan)
        ref = np.array([format_id(v) for v in self.reference_ids], dtype=object)
        peers = []
        for i in range(lam.shape[0]):
            lo, hi = lam.indptr[i], lam.indptr[i + 1]
            cols = np.sort(lam.indices[lo:hi][lam.data[lo:hi] > LAMBDA_TOL])
            peers.append(";".join(ref[cols]))
        df["peers"] = peers
        if self.scale_efficiency is not None:
            df["scale_efficiency"] = self.scale_efficiency.to_numpy()
        if self.rts_class is not None:
            df["rts_class"] = self.rts_class.to_numpy()
        return df

    def summary(self) -> str:
        """A short text report: model, counts, score distribution, efficient DMUs, statuses."""
        s = self.slack_sum if self.model == "additive" else self.beta if self.model in ("irdm", "mea") else self.scores
        ok = s.dropna()
        counts = self.status.value_counts()
        kind = _MODEL_NAMES.get(self.model, self.model) + (", super-efficiency" if self.super_efficiency else "")
        scale = _RTS_NAMES.get(self.rts, self.rts) + (
            f" ({self.rts_bounds[0]:g} <= sum(lambda) <= {self.rts_bounds[1]:g})" if self.rts_bounds else "")
        orient = "non-oriented" if self.orientation == "none" else f"{self.orientation} orientation"
        lines = [
            f"{kind}, {scale}, {orient}",
            f"DMUs: {len(s)} evaluated against {len(self.reference_ids)} reference DMUs; "
            f"inputs: {', '.join(self.input_names)}; outputs: {', '.join(self.output_names)}; " +
            (f"undesirable: {', '.join(self.undesirable_names)}; " if self.undesirable_names else "") +
            f"solver: {self.solver}",
        ]
        if len(ok):
            q = ok.quantile([0.0, 0.25, 0.5, 0.75, 1.0]).to_numpy()
            label = {"additive": "Slack sum", "irdm": "Beta (IRDM)", "mea": "Beta (MEA)"}.get(self.model, "Efficiency")
            lines.append(f"{label}: mean {ok.mean():.4f}, min {q[0]:.4f}, Q1 {q[1]:.4f}, median {q[2]:.4f}, "
                         f"Q3 {q[3]:.4f}, max {q[4]:.4f}")
            eff = self.efficient
            best = {"additive": "slack sum 0", "irdm": "beta 0, no slack", "mea": "beta 0, no slack"}.get(
                self.model, "score 1, no slack")
            lines.append(f"Efficient ({best}): {int(eff.sum())} of {len(s)} ({100.0 * eff.mean():.1f}%)")
            if self.beta is not None:
                b = self.beta.dropna()
                lines.append(f"Beta (directional distance): mean {b.mean():.4f}, max {b.max():.4f}")
            additive = self.model in ("additive", "irdm", "mea")       # larger is worse
            worst = ok.nlargest(min(5, len(ok))) if additive else ok.nsmallest(min(5, len(ok)))
            lines.append(("Largest: " if additive else "Lowest: ") +
                         ", ".join(f"{format_id(i)} {v:.4f}" for i, v in worst.items()))
        lines.append("Status: " + ", ".join(f"{int(v)} {k}" for k, v in counts.items()))
        if self.scale_efficiency is not None and self.rts_class is not None:
            rc = self.rts_class.value_counts()
            lines.append("Returns to scale: " + ", ".join(f"{int(v)} {k}" for k, v in rc.items()))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<DEAResult {self.model} {self.rts} {self.orientation}: {len(self.ids)} DMUs>"
