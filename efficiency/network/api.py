"""``ef.network``: network (two-stage, multi-stage) and dynamic DEA from a table (DESIGN section 11).

**Two-stage form** (the DESIGN contract): ``inputs``, ``intermediates`` and ``outputs`` are lists of
column names; inputs -> stage 1 -> intermediates -> stage 2 -> outputs. The divisions are named
``stage1`` and ``stage2``.

**General form** (any number of divisions, inputs entering any division, final outputs leaving any
division): ``inputs`` and ``outputs`` are dicts division -> columns, and ``intermediates`` the links,
a list of ``(source, target, columns)`` (``(source, target, columns, kind)`` for nsbm's 'free' or
'fixed' links) or a dict ``{(source, target): columns}``. The divisions are ordered as they are first
named in ``inputs``, then ``intermediates``, then ``outputs`` (or as ``divisions`` lists them; every
name must then be one of them). A division may have no input or output columns of its own (a middle
stage whose only input and output are links), but it needs something in and something out.

**One multiplier for several columns** (relational and additive models): ``same_multiplier={"x1":
["p1_x1", "p2_x1"], "y1": ["p1_y_final", "p1_y_to_p3"]}`` gives the columns of a group one multiplier.
This is how Kao (2009)'s relational network is written: an input shared by several processes (its
parts in each process's columns) has one weight, and a process's product has one weight whether it
leaves the system as a final output or goes on to another process as an intermediate (its two parts,
the final-output column and the link column, in one group). A group holds inputs only, or final
outputs and intermediates only.

Every error names the file and column (and row): unknown columns, a column used twice (an
intermediate that is also an input or output), negative values, a link to or from an unknown
division, a division without inputs or outputs, a DMU whose division has all its inputs zero.
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from solvers import LP, STATUS_LABELS

from ..data import RawTable, _as_name_list, _id_columns, _labels, _numeric_column, _unknown_column, as_raw_table
from ..dea.envelopment import backend, report_usage
from ..errors import DataError, SpecError
from ..multiplier import warn_unsolved
from ..spec import RTS, Orientation
from .model import Division, Link, Network, NetworkSolution
from .multiplier_models import MODEL_RTS, MODELS as MULTIPLIER_MODELS, is_series, solve_model
from .results import NetworkResult

__all__ = ["network", "NETWORK_MODELS", "build_network"]

NETWORK_MODELS = ("relational", "additive", "leader-follower", "centralised", "nsbm", "dynamic-sbm")
_ALIASES = {"centralized": "centralised", "leader_follower": "leader-follower", "leaderfollower": "leader-follower",
            "dynamic_sbm": "dynamic-sbm", "dsbm": "dynamic-sbm", "network-sbm": "nsbm"}
LINK_KINDS = ("free", "fixed")
CARRYOVER_KINDS = ("good", "bad", "free", "fixed")
#: Models that take each option (others refuse it with a SpecError).
_TAKES = {"leader": ("leader-follower",), "priority": ("relational", "additive", "centralised"),
          "same_multiplier": ("relational", "additive"), "weights": ("nsbm", "dynamic-sbm"),
          "undesirable": ("nsbm", "dynamic-sbm"), "period": ("dynamic-sbm",), "carryovers": ("dynamic-sbm",)}
_TWO_STAGE = ("stage1", "stage2")


# --------------------------------------------------------------------------------------------------
# The layout: divisions, their columns, links
# --------------------------------------------------------------------------------------------------

@dataclass
class Layout:
    """Division names in order, per division its input, output and bad-output columns, and the links
    (source, target, columns, kind)."""

    names: list[str]
    inputs: dict[str, list[str]] = field(default_factory=dict)
    outputs: dict[str, list[str]] = field(default_factory=dict)
    bad: dict[str, list[str]] = field(default_factory=dict)
    links: list[tuple[str, str, list[str], str]] = field(default_factory=list)
    two_stage: bool = False


def _is_columns(value) -> bool:
    """A column list (or one comma-separated string), as opposed to a dict or a list of links."""
    if value is None or isinstance(value, str):
        return True
    if isinstance(value, dict):
        return False
    return all(isinstance(v, str) for v in value)


def _division_name(name, option: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise SpecError(f"{option}: division names must be non-empty strings, got {name!r}")
    return name.strip()


def _per_division(value, option: str) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SpecError(f"{option}: with named divisions, give a dict division -> columns (e.g. "
                        f"{option}={{'rd': ['a', 'b']}}), not {type(value).__name__}")
    return {_division_name(k, option): _as_name_list(v, option) for k, v in value.items()}


def _links(value) -> list[tuple[str, str, list[str], str]]:
    """Links from a list of (source, target, columns[, kind]) or a dict {(source, target[, kind]): columns}."""
    if value is None:
        return []
    items = list(value.items()) if isinstance(value, dict) else [(None, v) for v in value]
    out = []
    for key, item in items:
        parts = (tuple(key) + (item,)) if key is not None else item
        if key is not None and isinstance(key, tuple) and len(key) == 3:
            parts = (key[0], key[1], item, key[2])
        if not isinstance(parts, (tuple, list)) or len(parts) not in (3, 4):
            raise SpecError(f"intermediates: {item!r} is no link; give (source, target, [columns]) or "
                            "(source, target, [columns], 'free'|'fixed'), or a dict {(source, target): [columns]}")
        source, target = (_division_name(parts[0], "intermediates"), _division_name(parts[1], "intermediates"))
        cols = _as_name_list(parts[2], "intermediates")
        kind = parts[3] if len(parts) == 4 else "free"
        if not isinstance(kind, str) or kind.strip().lower() not in LINK_KINDS:
            raise SpecError(f"intermediates: link {source!r} -> {target!r}: kind {kind!r} is not one of "
                            f"{', '.join(map(repr, LINK_KINDS))}")
        if source == target:
            raise SpecError(f"intermediates: link {source!r} -> {target!r} goes from a division to itself")
        if not cols:
            raise SpecError(f"intermediates: link {source!r} -> {target!r} names no column")
        out.append((source, target, cols, kind.strip().lower()))
    return out


def layout(inputs, intermediates, outputs, undesirable=None, divisions=None) -> Layout:
    """The network's layout from the API's arguments (module docstring); SpecErrors for a bad layout."""
    if _is_columns(inputs) and _is_columns(outputs) and _is_columns(intermediates):
        if divisions is not None:
            raise SpecError("divisions: the two-stage form (inputs, intermediates, outputs as lists) has the "
                            "divisions 'stage1' and 'stage2'; give inputs and outputs as dicts to name divisions")
        ins, mids = _as_name_list(inputs, "inputs"), _as_name_list(intermediates, "intermediates")
        outs, bad = _as_name_list(outputs, "outputs"), _as_name_list(undesirable, "undesirable")
        if not ins:
            raise SpecError("inputs: no input columns given")
        if not outs and not bad:
            raise SpecError("outputs: no output columns given")
        if not mids:
            raise SpecError("intermediates: no intermediate columns given; a two-stage network passes intermediates "
                            "from stage 1 to stage 2 (a black box without them is ef.dea)")
        return Layout(list(_TWO_STAGE), {"stage1": ins, "stage2": []}, {"stage1": [], "stage2": outs},
                      {"stage1": [], "stage2": bad}, [("stage1", "stage2", mids, "free")], two_stage=True)
    if _is_columns(intermediates) and intermediates is not None:
        raise SpecError("intermediates: with inputs/outputs per division, intermediates are links: a list of "
                        "(source, target, [columns]) or a dict {(source, target): [columns]}")
    if not isinstance(inputs, dict) and inputs is not None:
        raise SpecError("inputs: with links between named divisions, give inputs as a dict division -> columns")
    if not isinstance(outputs, dict) and outputs is not None:
        raise SpecError("outputs: with links between named divisions, give outputs as a dict division -> columns")
    ins, outs = _per_division(inputs, "inputs"), _per_division(outputs, "outputs")
    bad = _per_division(undesirable, "undesirable") if undesirable is not None else {}
    links = _links(intermediates)
    mentioned = list(dict.fromkeys(list(ins) + [n for s, t, _, _ in links for n in (s, t)] + list(outs) + list(bad)))
    if divisions is not None:
        names = [_division_name(d, "divisions") for d in ([divisions] if isinstance(divisions, str) else divisions)]
        if len(set(names)) != len(names):
            raise SpecError(f"divisions: {names!r} names a division twice")
        for where, group in (("inputs", ins), ("outputs", outs), ("undesirable", bad)):
            for d in group:
                _known(d, names, where)
        for s, t, _, _ in links:
            _known(s, names, f"intermediates (link {s!r} -> {t!r})")
            _known(t, names, f"intermediates (link {s!r} -> {t!r})")
    else:
        names = mentioned
    if not names:
        raise SpecError("inputs/outputs: no division given")
    lay = Layout(names, {d: ins.get(d, []) for d in names}, {d: outs.get(d, []) for d in names},
                 {d: bad.get(d, []) for d in names}, links)
    for d in names:
        gets = lay.inputs[d] or any(t == d for _, t, _, _ in links)
        gives = lay.outputs[d] or lay.bad[d] or any(s == d for s, _, _, _ in links)
        hint = _hint(d, [n for n in names if n != d])
        if not gets:
            raise SpecError(f"division {d!r} has no inputs: no input columns and no intermediates it receives{hint}")
        if not gives:
            raise SpecError(f"division {d!r} produces nothing: no output columns and no intermediates it passes "
                            f"on{hint}")
    return lay


def _hint(name: str, names: list[str]) -> str:
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.6)
    return f" (is it a misspelt {close[0]!r}?)" if close else ""


def _known(name: str, names: list[str], where: str) -> None:
    if name not in names:
        raise SpecError(f"{where}: unknown division {name!r}{_hint(name, names)}; divisions: "
                        f"{', '.join(map(repr, names))}")


# --------------------------------------------------------------------------------------------------
# Data
# --------------------------------------------------------------------------------------------------

def _raw(data, inputs, intermediates, outputs) -> tuple[RawTable, object, object, object]:
    """The table; arrays (data=None, two-stage form) become columns x1.., z1.., y1.."""
    if data is not None:
        return as_raw_table(data), inputs, intermediates, outputs
    blocks = {}
    for prefix, value, role in (("x", inputs, "inputs"), ("z", intermediates, "intermediates"),
                                ("y", outputs, "outputs")):
        if value is None or isinstance(value, (str, dict)) or (not isinstance(value, np.ndarray)
                                                               and _is_columns(value)):
            raise DataError("<arrays>: give data (a DataFrame or CSV path), or inputs, intermediates and outputs as "
                            "arrays (rows are DMUs)")
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise DataError(f"<arrays>: {role} are not numeric") from None
        arr = arr[:, None] if arr.ndim == 1 else arr
        if arr.ndim != 2:
            raise DataError(f"<arrays>: {role} must be a 1-D or 2-D array (rows are DMUs)")
        blocks[prefix] = arr
    n = blocks["x"].shape[0]
    for prefix, role in (("z", "intermediates"), ("y", "outputs")):
        if blocks[prefix].shape[0] != n:
            raise DataError(f"<arrays>: inputs have {n} rows but {role} have {blocks[prefix].shape[0]}")
    cols = {f"{p}{j + 1}": blocks[p][:, j] for p in ("x", "z", "y") for j in range(blocks[p].shape[1])}
    frame = pd.DataFrame(cols, index=pd.RangeIndex(n, name="dmu"))
    names = lambda p: [f"{p}{j + 1}" for j in range(blocks[p].shape[1])]  # noqa: E731
    return RawTable(frame, "<arrays>", None), names("x"), names("z"), names("y")


def build_network(raw: RawTable, lay: Layout, id=None, *, nonnegative: bool = True) -> tuple[Network, pd.Index]:
    """The validated :class:`Network` of ``lay`` read from ``raw``, and the DMU ids."""
    frame = raw.frame
    repeated = frame.columns[frame.columns.duplicated()]
    if len(repeated):
        raise DataError(f"{raw.source}: column {str(repeated[0])!r} appears more than once")
    id_cols = _id_columns(id)
    of = (lambda d: "") if lay.two_stage else (lambda d: f" of {d}")  # noqa: E731
    roles: list[tuple[str, str]] = []
    for d in lay.names:
        roles += [(c, f"input{of(d)}") for c in lay.inputs[d]]
    for s, t, cols, _ in lay.links:
        roles += [(c, "intermediate" if lay.two_stage else f"intermediate {s} -> {t}") for c in cols]
    for d in lay.names:
        roles += [(c, f"output{of(d)}") for c in lay.outputs[d]]
        roles += [(c, f"undesirable output{of(d)}") for c in lay.bad[d]]
    seen: dict[str, str] = {}
    for c, role in roles:
        if c not in frame.columns:
            raise _unknown_column(raw.source, c, role, list(frame.columns))
        if c in id_cols:
            raise DataError(f"{raw.source}: column {c!r} is the id column and cannot be an {role}")
        if c in seen:
            same = f"twice (as {role})" if seen[c] == role else f"as {seen[c]} and as {role}"
            raise DataError(f"{raw.source}: column {c!r} is used {same}; a column has one role in the network")
        seen[c] = role
    n = len(frame)
    if n < 2:
        raise DataError(f"{raw.source}: {n} DMU{'s' if n != 1 else ''}; at least 2 are needed")
    ids = _labels(raw, id_cols)
    values: dict[str, np.ndarray] = {}
    for c, _ in roles:
        v = _numeric_column(raw, c, ids, nonnegative=nonnegative)
        if not np.any(v != 0):
            raise DataError(f"{raw.source}: column {c!r} is zero in every row; it carries no information and cannot "
                            "be used")
        values[c] = v

    def block(cols: list[str]) -> np.ndarray:
        return np.column_stack([values[c] for c in cols]) if cols else np.zeros((n, 0))

    divs = tuple(Division(d, block(lay.inputs[d]), block(lay.outputs[d]), block(lay.bad[d]), tuple(lay.inputs[d]),
                          tuple(lay.outputs[d]), tuple(lay.bad[d])) for d in lay.names)
    links = tuple(Link(s, t, block(cols), tuple(cols), kind) for s, t, cols, kind in lay.links)
    return Network(divs, links), ids


def require_inputs(net: Network, raw: RawTable, ids: pd.Index, model: str) -> None:
    """DataError for the first DMU with every input of a division zero (inputs and intermediates received):
    the division's efficiency (a ratio to its virtual input) is undefined."""
    for d in net.divisions:
        cols = list(d.input_names) + [c for link in net.links if link.target == d.name for c in link.names]
        arr = np.hstack([d.X] + [link.Z for link in net.links if link.target == d.name])
        bad = ~(arr > 0).any(axis=1)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            more = f" ({int(bad.sum()) - 1} more DMUs like it)" if bad.sum() > 1 else ""
            what = "inputs" if d.name not in _TWO_STAGE else ("inputs" if d.name == "stage1" else "intermediates")
            raise DataError(f"{raw.source}: columns {', '.join(map(repr, cols))}, {raw.where(i, ids[i])}: all {what} "
                            f"of division {d.name!r} are zero; the {model} model cannot evaluate it{more}")


# --------------------------------------------------------------------------------------------------
# Options
# --------------------------------------------------------------------------------------------------

def _model(model) -> str:
    key = str(model).strip().lower().replace(" ", "-") if isinstance(model, str) else model
    key = _ALIASES.get(key, key)
    if key not in NETWORK_MODELS:
        raise SpecError(f"model: {model!r} is not one of {', '.join(map(repr, NETWORK_MODELS))}")
    return key


def _division_index(value, names: tuple[str, ...], option: str) -> int:
    """A division given by name or as 'stage<k>' (the k-th division)."""
    if isinstance(value, str):
        key = value.strip()
        if key in names:
            return names.index(key)
        low = key.lower()
        if low.startswith("stage") and low[5:].isdigit() and 1 <= int(low[5:]) <= len(names):
            return int(low[5:]) - 1
    stages = tuple(f"stage{k + 1}" for k in range(len(names)))
    allowed = ", ".join(repr(n) for n in names) + ("" if names == stages else f", or 'stage1'..'stage{len(names)}'")
    raise SpecError(f"{option}: {value!r} is no division; give one of {allowed}")


def _priority(value, names: tuple[str, ...]) -> tuple[int, ...]:
    items = [value] if isinstance(value, str) else list(value)
    if not items:
        raise SpecError("priority: give a division (or several, in order)")
    order = [_division_index(v, names, "priority") for v in items]
    if len(set(order)) != len(order):
        raise SpecError(f"priority: {value!r} names a division twice")
    return tuple(order)


def _refuse(model: str, given: dict) -> None:
    for option, value in given.items():
        if value is not None and model not in _TAKES[option]:
            users = " and ".join(repr(m) for m in _TAKES[option])
            raise SpecError(f"{option}: model={model!r} does not take it; it is an option of model={users}")


def _weights(value, names: tuple[str, ...]) -> np.ndarray | None:
    if value is None:
        return None
    if isinstance(value, dict):
        for k in value:
            if k not in names:
                raise SpecError(f"weights: {k!r} is no division; divisions: {', '.join(map(repr, names))}")
        vals = [value.get(d, 0.0) for d in names]
    else:
        vals = list(np.atleast_1d(value))
        if len(vals) != len(names):
            raise SpecError(f"weights: {len(vals)} weights for {len(names)} divisions ({', '.join(names)})")
    try:
        w = np.asarray(vals, dtype=np.float64)
    except (TypeError, ValueError):
        raise SpecError(f"weights: {value!r} are not numbers") from None
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise SpecError(f"weights: {value!r}: weights must be finite, non-negative and not all zero")
    return w


# --------------------------------------------------------------------------------------------------
# Dynamic SBM: periods as divisions, carry-overs as links
# --------------------------------------------------------------------------------------------------

def _dynamic_network(data, id, period, inputs, outputs, undesirable, carryovers) -> tuple[Network, pd.Index, dict]:
    """The panel as a network: one division per period (ascending), each with that period's inputs,
    outputs and bad outputs; the carry-over columns of period t's rows as links t -> t + 1 of their kind
    ('good', 'bad', 'free', 'fixed'; Tone and Tsutsui 2010), and the last period's carry-overs (no link
    leaves it) as ``terminal``: kind -> (n, c). A balanced panel is required."""
    from ..panel import panel_layout

    if period is None:
        raise SpecError("period: model='dynamic-sbm' needs the period column (period='year')")
    if not isinstance(carryovers, dict) or not carryovers:
        raise SpecError("carryovers: model='dynamic-sbm' needs a dict kind -> columns, kinds "
                        f"{', '.join(map(repr, CARRYOVER_KINDS))} (e.g. carryovers={{'good': ['capital']}})")
    for name, value in (("inputs", inputs), ("outputs", outputs)):
        if not _is_columns(value):
            raise SpecError(f"{name}: model='dynamic-sbm' takes one list of columns (the same in every period)")
    carry = []
    for kind, cols in carryovers.items():
        k = str(kind).strip().lower()
        if k not in CARRYOVER_KINDS:
            raise SpecError(f"carryovers: kind {kind!r} is not one of {', '.join(map(repr, CARRYOVER_KINDS))}")
        carry += [(c, k) for c in _as_name_list(cols, "carryovers")]
    outs = _as_name_list(outputs, "outputs")
    carry_cols = [c for c, _ in carry]
    panel = panel_layout(data, id, period, inputs, outs + carry_cols, undesirable, what="dynamic SBM")
    panel.require_balanced("dynamic SBM")
    fd, s = panel.fd, len(outs)
    divs, links, terminal = [], [], {}
    names = [str(p) for p in panel.periods]
    for k, name in enumerate(names):
        rows = panel.grid[:, k]
        divs.append(Division(name, fd.X[rows], fd.Y[rows][:, :s], fd.B[rows], fd.input_names, tuple(outs),
                             fd.undesirable_names))
        for kind in CARRYOVER_KINDS:
            idx = [s + j for j, (_, kk) in enumerate(carry) if kk == kind]
            if not idx:
                continue
            if k + 1 < len(names):
                links.append(Link(name, names[k + 1], fd.Y[rows][:, idx], tuple(fd.output_names[i] for i in idx),
                                  kind))
            else:
                terminal[kind] = fd.Y[rows][:, idx]
    return Network(tuple(divs), tuple(links)), panel.units, terminal


def _import(module: str, what: str):
    """The module efficiency.network.<module>, or a SpecError when this installation lacks it."""
    name = f"efficiency.network.{module}"
    if importlib.util.find_spec(name) is None:
        raise SpecError(f"model={what!r}: {name} is not available in this installation")
    return importlib.import_module(name)


# --------------------------------------------------------------------------------------------------
# The API
# --------------------------------------------------------------------------------------------------

def network(data=None, id=None, inputs=None, intermediates=None, outputs=None, model="relational", rts="crs",
            orientation="input", leader=None, priority="stage1", *, divisions=None, same_multiplier=None,
            undesirable=None, weights=None, period=None, carryovers=None, solver=None,
            screen: bool | None = None) -> NetworkResult:
    """Network DEA: the overall efficiency of every DMU and the efficiency of each of its divisions.

    ``data``: a DataFrame or CSV path (or None with ``inputs``, ``intermediates``, ``outputs`` as arrays,
    two-stage form); ``id`` the id column(s). ``inputs``/``intermediates``/``outputs``: the two-stage form
    (lists of columns: inputs -> stage 1 -> intermediates -> stage 2 -> outputs) or the general form
    (dicts division -> columns, and links ``(source, target, [columns])``); see the module docstring.
    ``model``:

    * 'relational' (CRS) - Kao and Hwang (2008) two-stage, Kao (2009) general networks: overall =
      system output / system input; two stages: overall = stage1 x stage2;
    * 'additive' (CRS, VRS) - Chen, Cook, Li and Zhu (2009): overall = sum of w_k x stage k, w_k the
      stages' shares of the virtual input (output orientation: of the virtual output, harmonic);
    * 'leader-follower' (CRS, two-stage) - Liang, Cook and Zhu (2008): the ``leader`` ('stage1' or
      'stage2') keeps its CCR efficiency, the follower maximises its own; overall = product;
    * 'centralised' (CRS, two-stage) - Liang, Cook and Zhu (2008): max stage1 x stage2 (= relational);
    * 'nsbm' - network SBM (Tone and Tsutsui 2009), ``efficiency.network.sbm``; ``weights`` per division,
      links 'free' or 'fixed', ``undesirable`` bad outputs (a list: stage 2's; or a dict per division);
    * 'dynamic-sbm' - dynamic SBM (Tone and Tsutsui 2010), ``efficiency.network.dynamic``: a panel with
      ``period`` and ``carryovers`` (dict 'good'|'bad'|'free'|'fixed' -> columns; a carry-over in period
      t's row goes from t to t + 1); the divisions are the periods, ``weights`` per period.

    ``priority`` (relational, additive, centralised): the division whose efficiency is maximised first
    among the optimal splits ('stage1', 'stage2', a division name, or a list in order). ``same_multiplier``
    (relational, additive): ``{group: [columns]}`` sharing one multiplier (Kao 2009's shared inputs and
    products that are partly final, partly intermediate). ``divisions``: the division names in order
    (general form; optional). ``solver``: the LP backend (default numba, which hands these LPs to HiGHS),
    'highs', 'scipy', 'pulp', ...; ``screen``: solve each division's rows against its frame only (default
    from 64 DMUs). Options a model does not take are SpecErrors.

    ``to_frame()``: id, ``efficiency``, ``<division>_efficiency`` (``stage1_efficiency``,
    ``stage2_efficiency`` in the two-stage form), ``weight_<division>`` (additive, nsbm), ``status``,
    ``target_<column>``, then the model's other columns (multipliers ``v_``/``u_``/``w_``, slacks).
    """
    model = _model(model)
    _refuse(model, {"leader": leader, "same_multiplier": same_multiplier, "weights": weights,
                    "undesirable": undesirable, "period": period, "carryovers": carryovers,
                    "priority": None if priority in (None, "stage1") else priority})
    rts_e = RTS.parse(rts, name="rts")
    orient = Orientation.parse(orientation, name="orientation")
    if model in MULTIPLIER_MODELS:
        if rts_e not in MODEL_RTS[model]:
            allowed = ", ".join(repr(r.value) for r in MODEL_RTS[model])
            why = " (use model='additive' for VRS)" if rts_e == RTS.VRS else ""
            raise SpecError(f"rts: model={model!r} takes {allowed}, not {rts_e.value!r}{why}")
        if orient not in (Orientation.INPUT, Orientation.OUTPUT):
            raise SpecError(f"orientation: model={model!r} is 'input' or 'output', not {orient.value!r}")
    if screen not in (None, True, False):
        raise SpecError(f"screen: expected True, False or None, got {screen!r}")
    lp = backend(solver)
    module = {"nsbm": ("sbm", "nsbm"), "dynamic-sbm": ("dynamic", "dynamic_sbm")}.get(model)
    solve_other = getattr(_import(module[0], model), module[1]) if module else None

    terminal = None
    if model == "dynamic-sbm":
        net, ids, terminal = _dynamic_network(data, id, period, inputs, outputs, undesirable, carryovers)
    else:
        raw, inputs, intermediates, outputs = _raw(data, inputs, intermediates, outputs)
        lay = layout(inputs, intermediates, outputs, undesirable, divisions)
        if model in MULTIPLIER_MODELS:
            bad_kind = [(s, t, k) for s, t, _, k in lay.links if k != "free"]
            if bad_kind:
                s, t, k = bad_kind[0]
                raise SpecError(f"intermediates: link {s!r} -> {t!r} is {k!r}; link kinds are an nsbm option (the "
                                f"model {model!r} treats every link as free)")
        net, ids = build_network(raw, lay, id)
    names = net.names
    order: tuple[int, ...] = ()
    lead = None
    if model in ("leader-follower", "centralised"):
        _require_series(net, model)
    if model in MULTIPLIER_MODELS:
        require_inputs(net, raw, ids, model)
        if model != "leader-follower":
            order = _priority("stage1" if priority is None else priority, names)
        else:
            lead = _division_index("stage1" if leader is None else leader, names, "leader")
        sol, _ = solve_model(net, model, rts=rts_e, orientation=orient, solver=lp, priority=order,
                             leader=lead or 0, ties=same_multiplier, screen=screen)
    else:                       # nsbm(network, ...) or dynamic_sbm(network, ...): the other modules' solvers
        more = {} if terminal is None else {"terminal": terminal}
        sol = solve_other(net, rts=rts_e, orientation=orient, weights=_weights(weights, names), solver=lp,
                          screen=screen, **more)
    return _result(sol, net, ids, model, rts_e, orient, lp, solver is not None, order, lead)


def _require_series(net: Network, model: str) -> None:
    """Liang, Cook and Zhu's models: two stages in series, inputs -> stage 1 -> links -> stage 2 -> outputs."""
    if not is_series(net):
        raise SpecError(f"model={model!r} (Liang, Cook and Zhu 2008) evaluates two stages in series: inputs -> stage "
                        "1 -> intermediates -> stage 2 -> outputs, no other inputs or outputs; use 'relational' or "
                        "'additive' for other networks")


def _structure(net: Network) -> tuple[str, ...]:
    lines = []
    for d in net.divisions:
        parts = []
        if d.input_names:
            parts.append("inputs " + ", ".join(d.input_names))
        for link in net.links:
            if link.target == d.name:
                parts.append(f"from {link.source}: " + ", ".join(link.names))
        if d.output_names:
            parts.append("outputs " + ", ".join(d.output_names))
        if d.bad_names:
            parts.append("bad outputs " + ", ".join(d.bad_names))
        for link in net.links:
            if link.source == d.name:
                kind = "" if link.kind == "free" else f" ({link.kind})"
                parts.append(f"to {link.target}{kind}: " + ", ".join(link.names))
        lines.append(f"{d.name}: " + "; ".join(parts))
    return tuple(lines)


def _to_one(e: np.ndarray) -> np.ndarray:
    """Efficiencies above 1 by rounding only (<= 1 + 1e-9) set to 1 (DESIGN section 3)."""
    return np.where((e > 1.0) & (e <= 1.0 + 1e-9), 1.0, e)


def _result(sol: NetworkSolution, net: Network, ids: pd.Index, model: str, rts: RTS, orient: Orientation, lp,
            explicit: bool, order: tuple[int, ...], lead: int | None) -> NetworkResult:
    names = net.names
    n, K = len(ids), len(names)
    status = np.asarray(sol.status, dtype=np.int8)
    warn_unsolved(status, f"network DEA ({model})")
    label = report_usage(sol.usage, lp, explicit, f"network DEA ({model})", kind=LP, stacklevel=4)
    divs = _to_one(np.asarray(sol.divisions, dtype=float).reshape(n, K))
    weights = None if sol.weights is None else pd.DataFrame(np.asarray(sol.weights, dtype=float).reshape(n, K),
                                                            index=ids, columns=list(names))
    targets = pd.DataFrame({c: np.asarray(v, dtype=float) for c, v in sol.targets.items()}, index=ids) \
        if sol.targets else None
    extra = pd.DataFrame({c: np.asarray(v) for c, v in sol.extra.items()}, index=ids) if sol.extra else None
    priority = None
    if model in ("relational", "additive", "centralised"):
        priority = tuple(names[p] for p in list(order) + [p for p in range(K) if p not in order])
    res = NetworkResult(model, rts.value, orient.value, ids, tuple(names),
                        pd.Series(_to_one(np.asarray(sol.overall, dtype=float)), index=ids, name="efficiency"),
                        pd.DataFrame(divs, index=ids, columns=list(names)), weights,
                        pd.Series(STATUS_LABELS[status], index=ids, name="status", dtype=object),
                        targets, extra, label, _structure(net), priority,
                        None if lead is None else names[lead])
    cols = res.to_frame().columns
    if cols.duplicated().any():
        raise SpecError(f"the result table would have two columns {str(cols[cols.duplicated()][0])!r}; rename the "
                        "division or column behind it")
    return res

