"""Three-stage DEA (Fried, Lovell, Schmidt and Yaisawarng 2002, J. Productivity Analysis 17, 157-174).

1. DEA on the raw data; each DMU's total slack of each input (radial plus non-radial: x - target) or,
   output-oriented, of each output (target - y).
2. For each slack, a stochastic frontier of the cost type, slack = f(z; beta) + v + u, on the
   environmental variables z (linear form with intercept, u half-normal by default): f(z) is the
   environment's effect, v statistical noise ("luck") and u managerial inefficiency. The noise is
   predicted as E[v|e] = e - E[u|e] (Jondrow et al. 1982).
3. Every DMU is put in the least favourable environment and the unluckiest state of nature:
   input-oriented, x_adj = x + [max f - f] + [max v - v]; output-oriented, the mirror image
   y_adj = y + [f - min f] + [v - min v]. DEA is run again on the adjusted data.

A stage-2 fit that did not converge, fell back to another optimiser or stopped with gamma at a bound
(gamma = 0: the slack shows no managerial inefficiency) is kept, and a ``ConvergenceWarning`` names
its slack variable; its ``SFAResult`` (``stage2[variable]``) records what happened.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .data import _as_name_list, _labels, _numeric_column, _unknown_column, as_raw_table, RawTable
from .errors import DataError, EfficiencyWarning, SpecError
from .spec import Orientation


@dataclass(frozen=True)
class ThreeStageResult:
    """Stage-1 and stage-3 DEA results, total slacks, the stage-2 SFA fits (one per slack variable;
    ``None`` where the slack did not vary, so nothing was adjusted) and the adjusted data."""

    orientation: str
    rts: str
    ids: pd.Index
    environment: tuple[str, ...]
    stage1: object                 # DEAResult
    stage3: object                 # DEAResult
    slacks: pd.DataFrame           # total slacks, one column per adjusted variable
    stage2: dict                   # variable -> SFAResult | None
    adjusted: pd.DataFrame         # adjusted inputs (input orientation) or outputs (output orientation)
    environment_effect: pd.DataFrame   # f(z) per DMU and variable
    noise: pd.DataFrame                # E[v|e] per DMU and variable

    @property
    def scores_stage1(self) -> pd.Series:
        return self.stage1.scores

    @property
    def scores(self) -> pd.Series:
        """Stage-3 scores (adjusted for environment and luck)."""
        return self.stage3.scores

    def to_frame(self) -> pd.DataFrame:
        """Indexed by id: efficiency (stage 3), status, efficiency_stage1, slack_<col>, adjusted_<col>."""
        df = pd.DataFrame({"efficiency": self.stage3.scores.to_numpy(), "status": self.stage3.status.to_numpy(),
                           "efficiency_stage1": self.stage1.scores.to_numpy()}, index=self.ids)
        for c in self.slacks.columns:
            df[f"slack_{c}"] = self.slacks[c].to_numpy()
        for c in self.adjusted.columns:
            df[f"adjusted_{c}"] = self.adjusted[c].to_numpy()
        return df

    def stage2_frame(self) -> pd.DataFrame:
        """Long table of the stage-2 estimates: variable, param, estimate, std_error, z_value, p_value."""
        rows = []
        for var, res in self.stage2.items():
            if res is None:
                continue
            est = res.estimates.reset_index().rename(columns={"index": "param"})
            est.insert(0, "variable", var)
            rows.append(est)
            rows.append(pd.DataFrame({"variable": [var], "param": ["logLik"], "estimate": [res.llf]}))
        return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
            columns=["variable", "param", "estimate", "std_error", "z_value", "p_value"])

    def summary(self) -> str:
        s1, s3 = self.stage1.scores.dropna(), self.stage3.scores.dropna()
        lines = [f"Three-stage DEA (Fried, Lovell, Schmidt and Yaisawarng 2002), {self.orientation} orientation, "
                 f"{self.rts.upper()}; environment: {', '.join(self.environment)}",
                 f"Stage 1 efficiency: mean {s1.mean():.4f}, min {s1.min():.4f}",
                 f"Stage 3 efficiency: mean {s3.mean():.4f}, min {s3.min():.4f}"]
        for var, res in self.stage2.items():
            if res is None:
                lines.append(f"Stage 2 {var}: slack constant, not adjusted")
                continue
            coefs = ", ".join(f"{k} {v:.4g}" for k, v in res.params.items())
            state = [] if res.converged else ["NOT CONVERGED"]
            state += [f"fell back to {res.method}"] if res.fallback else []
            state += [f"{', '.join(res.at_bound)} at a bound"] if res.at_bound else []
            lines.append(f"Stage 2 {var}: {coefs}; gamma {res.gamma:.4f}, logLik {res.llf:.4f}"
                         + (f" ({'; '.join(state)})" if state else ""))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<ThreeStageResult {self.orientation} {self.rts}: {len(self.ids)} DMUs>"


def three_stage(data, id=None, inputs=None, outputs=None, environment=None, rts="vrs", orientation="input",
                dist="half-normal", *, solver=None) -> ThreeStageResult:
    """Three-stage DEA of Fried, Lovell, Schmidt and Yaisawarng (2002); see the module docstring.

    ``data``: DataFrame or CSV path; ``inputs``, ``outputs`` and ``environment`` (the environmental
    variables z of stage 2) are column names. Stages 1 and 3 are radial DEA (``efficiency.dea``) with
    ``rts`` and ``orientation`` ('input' or 'in' adjusts inputs, 'output' or 'out' outputs); stage 2
    is ``efficiency.sfa`` with form 'linear', ``cost=True`` and the given ``dist``. ``solver``: the
    LP backend of stages 1 and 3 (keyword only).
    """
    from .dea.api import dea
    from .sfa.api import sfa

    orient = Orientation.parse(orientation, name="orientation")
    if orient not in (Orientation.INPUT, Orientation.OUTPUT):
        raise SpecError(f"orientation: {orientation!r}; three-stage DEA is 'input' or 'output' oriented")
    orientation = orient.value
    raw = as_raw_table(data)
    env = _as_name_list(environment, "environment")
    if not env:
        raise DataError(f"{raw.source}: no environment columns given (the z of stage 2)")
    ins, outs = _as_name_list(inputs, "inputs"), _as_name_list(outputs, "outputs")
    for c in env:
        if c not in raw.frame.columns:
            raise _unknown_column(raw.source, c, "environment", list(raw.frame.columns))
        if c in ins or c in outs:
            raise DataError(f"{raw.source}: column {c!r} is both an environment variable and an input/output")
    r1 = dea(raw, id=id, inputs=ins, outputs=outs, rts=rts, orientation=orientation, solver=solver)
    ids = r1.ids
    idx = _labels(raw, _as_name_list(id, "id"))
    zdata = pd.DataFrame({c: _numeric_column(raw, c, idx, nonnegative=False) for c in env}, index=ids)
    adjust = ins if orientation == "input" else outs
    level = pd.DataFrame({c: _numeric_column(raw, c, idx, nonnegative=True) for c in adjust}, index=ids)
    targets = r1.targets[adjust]
    slack = (level - targets) if orientation == "input" else (targets - level)
    slack = slack.clip(lower=0.0)
    stage2, adjusted, effect, noise = {}, level.copy(), {}, {}
    name = "__slack__"
    for c in adjust:
        s = slack[c].to_numpy()
        if not np.all(np.isfinite(s)) or np.ptp(s) <= 1e-12 * max(1.0, np.abs(s).max()):
            stage2[c] = None
            warnings.warn(EfficiencyWarning(f"{raw.source}: the stage-1 slack of {c!r} is constant (or not "
                                            "computed); it is not adjusted"), stacklevel=2)
            effect[c] = np.zeros(len(s))
            noise[c] = np.zeros(len(s))
            continue
        frame = zdata.copy()
        frame[name] = s
        frame.index = pd.RangeIndex(len(s), name="dmu")
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res = sfa(frame, output=name, inputs=env, form="linear", dist=dist, cost=True)
        for w in caught:                    # the same category, naming the slack variable
            category = w.category if issubclass(w.category, Warning) else EfficiencyWarning
            text = str(w.message).replace("<data DataFrame>: ", "")
            warnings.warn(category(f"{raw.source}: stage 2, the SFA of the slack of {c!r}: {text}"), stacklevel=2)
        res = _relabel(res, ids, f"slack_{c}")
        stage2[c] = res
        X = np.column_stack([np.ones(len(s)), zdata.to_numpy()])
        f = X @ res.params.to_numpy()
        v = res.residuals.to_numpy() - res.u_mean.to_numpy()
        effect[c], noise[c] = f, v
        x = level[c].to_numpy()
        adjusted[c] = (x + (f.max() - f) + (v.max() - v)) if orientation == "input" else \
            (x + (f - f.min()) + (v - v.min()))
    frame3 = raw.frame.copy()
    for c in adjust:
        frame3[c] = adjusted[c].to_numpy()
    raw3 = RawTable(frame3, f"{raw.source} (stage-3 adjusted)", raw.lines, raw.decimal_comma)
    r3 = dea(raw3, id=id, inputs=ins, outputs=outs, rts=rts, orientation=orientation, solver=solver)
    return ThreeStageResult(orientation, str(getattr(r1, "rts", rts)), ids, tuple(env), r1, r3, slack, stage2,
                            adjusted, pd.DataFrame(effect, index=ids), pd.DataFrame(noise, index=ids))


def _relabel(res, ids, dependent):
    """The SFA result with the DMU ids of the DEA stages and the slack's name."""
    from dataclasses import replace

    fields = {}
    for f in ("efficiency", "jlms", "lower", "upper", "u_mean", "efficiency_reciprocal", "residuals"):
        fields[f] = pd.Series(getattr(res, f).to_numpy(), index=ids, name=getattr(res, f).name)
    return replace(res, ids=ids, dependent=dependent, **fields)
