"""``efficiency.dea``: the public entry point of the DEA models (DESIGN section 10)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from solvers import LPStatus, STATUS_LABELS

from ..data import FrontierData, frontier_data, reference_data, require_positive_rows
from ..errors import SolveWarning, SpecError
from ..spec import RTS, Model, Orientation
from .envelopment import Envelopment, backend, column_scale
from .fdh import fdh
from .radial import Discretion, radial
from .results import SCORE_TOL, DEAResult

IMPLEMENTED = (Model.RADIAL, Model.FDH)


def _score(farrell: np.ndarray, orientation: Orientation) -> np.ndarray:
    """Efficiency in (0, 1]: theta (input), 1/phi (output, Shephard), G (graph)."""
    if orientation == Orientation.OUTPUT:
        with np.errstate(divide="ignore"):
            return 1.0 / farrell
    return farrell.copy()


def _warn_unsolved(status: np.ndarray, what: str) -> None:
    bad = status != LPStatus.OPTIMAL
    if bad.any():
        labels, counts = np.unique(STATUS_LABELS[status[bad]], return_counts=True)
        detail = ", ".join(f"{c} {lab}" for lab, c in zip(labels, counts))
        warnings.warn(f"{what}: {int(bad.sum())} of {status.size} DMUs have no score ({detail}); their "
                      "efficiency is NaN and `status` says why", SolveWarning, stacklevel=3)


def _rts_class(crs: np.ndarray, vrs: np.ndarray, nirs: np.ndarray) -> np.ndarray:
    """Returns to scale at each DMU from its CRS, VRS and NIRS scores (Faere, Grosskopf and Lovell
    1985): CRS = VRS -> 'constant'; otherwise NIRS = VRS -> 'decreasing', else 'increasing'."""
    out = np.where(np.abs(crs - vrs) <= SCORE_TOL * np.maximum(1.0, np.abs(vrs)), "constant",
                   np.where(np.abs(nirs - vrs) <= SCORE_TOL * np.maximum(1.0, np.abs(vrs)),
                            "decreasing", "increasing")).astype(object)
    out[np.isnan(crs) | np.isnan(vrs) | np.isnan(nirs)] = None
    return out


def dea(data=None, id=None, inputs=None, outputs=None, undesirable=None, model="radial", rts="vrs",
        orientation="input", super_efficiency=False, direction=None, reference=None, solver=None,
        client=None, *, slacks: bool = True, scale: bool = False, nondiscretionary=None,
        noncontrollable=None, screen: bool | None = None) -> DEAResult:
    """Score DMUs with a DEA model and return a :class:`DEAResult`.

    ``data`` is a DataFrame or CSV path (``inputs``/``outputs`` are column names, ``id`` the id
    column; omitted, the row labels are used), or ``None`` with ``inputs``/``outputs`` as arrays.
    ``model``: 'radial' (CCR/BCC, Charnes-Cooper-Rhodes 1978, Banker-Charnes-Cooper 1984) or 'fdh'
    (Deprins-Simar-Tulkens 1984). ``rts``: 'crs', 'vrs', 'nirs', 'ndrs' (ignored by FDH).
    ``orientation``: 'input', 'output' or 'graph' (hyperbolic). ``reference``: another set of DMUs
    (same columns) whose frontier the data are measured against. ``solver``: 'highs' (default),
    'scipy', 'pulp' or 'pulp:NAME'. ``slacks``: run phase II (max slack sum, data units).
    ``scale``: also compute scale efficiency CRS/VRS and the returns-to-scale class.
    ``nondiscretionary``: input/output columns the DMU cannot change, kept at their level instead of
    being scaled (Banker and Morey 1986); ``noncontrollable``: columns held exactly at their level
    (equality rows, as deaR's ``nc_inputs``). ``screen``: find the frame (extreme-efficient DMUs,
    Dula 2011) first and solve every LP against it only; default on with the numba backend.
    """
    model = Model.parse(model, name="model")
    rts = RTS.parse(rts, name="rts")
    orientation = Orientation.parse(orientation, name="orientation")
    if model not in IMPLEMENTED:
        raise SpecError(f"model: {model.value!r} is not available in this version; use 'radial' or 'fdh'")
    if orientation == Orientation.NONE:
        raise SpecError(f"orientation: the {model.value} model needs 'input', 'output' or 'graph'")
    if super_efficiency:
        raise SpecError("super_efficiency: not available in this version")
    if direction is not None:
        raise SpecError("direction: only the directional distance model (model='ddf') takes a direction")
    if client is not None:
        raise SpecError("client: distributed execution is not available in this version")
    if undesirable is not None and len(undesirable) > 0:
        raise SpecError(f"undesirable: the {model.value} model takes no undesirable outputs; use "
                        "model='sbm' or model='ddf'")
    fd = frontier_data(data, id=id, inputs=inputs, outputs=outputs)
    ref = None if reference is None else reference_data(reference, fd, id=id)
    why = f"{'input' if orientation != Orientation.OUTPUT else 'output'}-oriented {model.value} DEA"
    require_positive_rows(fd, "inputs" if orientation != Orientation.OUTPUT else "outputs", why)

    discretion = _discretion(fd, nondiscretionary, noncontrollable)
    if discretion is not None and model != Model.RADIAL:
        raise SpecError(f"nondiscretionary/noncontrollable: only the radial model takes them, not {model.value!r}")
    Xr, Yr = (None, None) if ref is None else (ref.X, ref.Y)
    if model == Model.FDH:
        lp = None
        env = fdh(fd.X, fd.Y, Xr, Yr, orientation=orientation)
        solver_name = "enumeration"
    else:
        lp = backend(solver)
        env = radial(fd.X, fd.Y, Xr, Yr, rts=rts, orientation=orientation, solver=lp, slacks=slacks,
                     discretion=discretion, screen=screen)
        solver_name = lp.name
    _warn_unsolved(env.status, f"{model.value} DEA")
    if env.fallback:
        warnings.warn(f"{env.fallback} LPs could not be solved by the numba core and were solved by HiGHS",
                      SolveWarning, stacklevel=2)
    if env.slack_status is not None:
        lost = (env.status == LPStatus.OPTIMAL) & (env.slack_status != LPStatus.OPTIMAL)
        if lost.any():
            warnings.warn(f"phase II (slacks) failed for {int(lost.sum())} DMUs; their slacks and "
                          "targets are NaN", SolveWarning, stacklevel=2)

    se = rc = None
    if scale and model == Model.RADIAL:
        by_rts = {rts: env.farrell}
        for r in (RTS.CRS, RTS.VRS, RTS.NIRS):
            if r not in by_rts:
                by_rts[r] = radial(fd.X, fd.Y, Xr, Yr, rts=r, orientation=orientation, solver=lp,
                                   slacks=False, discretion=discretion, screen=screen).farrell
        crs, vrs, nirs = (_score(by_rts[r], orientation) for r in (RTS.CRS, RTS.VRS, RTS.NIRS))
        se = pd.Series(crs / vrs, index=fd.ids, name="scale_efficiency")
        rc = pd.Series(_rts_class(crs, vrs, nirs), index=fd.ids, name="rts_class", dtype=object)
    elif scale:
        raise SpecError(f"scale: scale efficiency needs the radial model, not {model.value!r}")
    return _result(fd, ref, env, model.value, "fdh" if model == Model.FDH else rts.value,
                   orientation, solver_name, se, rc)


def _discretion(fd: FrontierData, nondiscretionary, noncontrollable) -> Discretion | None:
    """Masks of the non-discretionary and non-controllable columns (None when there are none)."""
    nd, nc = (_names(v) for v in (nondiscretionary, noncontrollable))
    if not nd and not nc:
        return None
    for option, names in (("nondiscretionary", nd), ("noncontrollable", nc)):
        for name in names:
            if name not in fd.input_names and name not in fd.output_names:
                raise SpecError(f"{option}: {name!r} is not one of the inputs or outputs "
                                f"({', '.join(fd.input_names + fd.output_names)})")
    both = set(nd) & set(nc)
    if both:
        raise SpecError(f"{sorted(both)[0]!r} is both non-discretionary and non-controllable")
    mask = lambda cols, names: np.array([c in names for c in cols], dtype=bool)  # noqa: E731
    return Discretion(mask(fd.input_names, nd), mask(fd.output_names, nd), mask(fd.input_names, nc),
                      mask(fd.output_names, nc))


def _names(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return list(value)


def _result(fd: FrontierData, ref: FrontierData | None, env: Envelopment, model: str, rts: str,
            orientation: Orientation, solver_name: str, se=None, rc=None) -> DEAResult:
    ids = fd.ids
    status = pd.Series(STATUS_LABELS[env.status], index=ids, name="status", dtype=object)
    farrell = pd.Series(env.farrell, index=ids, name="farrell")
    scores = pd.Series(_score(env.farrell, orientation), index=ids, name="efficiency")
    slacks = targets = None
    if env.slack_x is not None:
        names = list(fd.input_names) + list(fd.output_names)
        slacks = pd.DataFrame(np.hstack([env.slack_x, env.slack_y]), index=ids, columns=names)
        tx, ty = env.target_x, env.target_y
        targets = pd.DataFrame(np.hstack([tx, ty]), index=ids, columns=names)
    ref_ids = fd.ids if ref is None else ref.ids
    Xr, Yr = (fd.X, fd.Y) if ref is None else (ref.X, ref.Y)
    cs = np.concatenate([column_scale(fd.X, Xr), column_scale(fd.Y, Yr)])
    return DEAResult(model, rts, orientation.value, ids, fd.input_names, fd.output_names,
                     ref_ids, scores, farrell, status, slacks, targets, env.lambdas, cs, solver_name, se, rc)
