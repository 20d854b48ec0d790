"""``efficiency.dea``: the public entry point of the DEA models (DESIGN section 10)."""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd

from solvers import ENVELOPMENT, LP, MILP, LPStatus, STATUS_LABELS

from ..data import FrontierData, frontier_data, reference_data, require_positive_rows
from .._compat import moved_to_keywords
from ..errors import SolveWarning, SpecError
from ..spec import RTS, Model, Orientation
from .envelopment import GRS, Envelopment, backend, column_scale, report_usage
from .fdh import fdh, fdh_ddf
from .frh import frh
from .mea import mea
from .directional import ddf
from .radial import Discretion, radial
from .rdm import rdm
from .russell import russell
from .sbm import additive, sbm, super_sbm
from .weighted import bam_weights, ram_weights, weighted_additive
from .results import SCORE_TOL, DEAResult

ORIENTED = (Model.RADIAL, Model.FDH)
TAKES_BADS = (Model.SBM, Model.DDF)
DIRECTIONS = ("proportional", "unit", "input", "output")


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


def _check_options(model: Model, orientation: Orientation, super_efficiency: bool, direction, undesirable,
                   scale: bool) -> Orientation:
    """Reject option combinations a model cannot take; return the orientation it will use."""
    has_bads = undesirable is not None and len(undesirable) > 0
    if has_bads and model not in TAKES_BADS:
        raise SpecError(f"undesirable: the {model.value} model takes no undesirable outputs; use "
                        "model='sbm' or model='ddf'")
    if direction is not None and model != Model.DDF:
        raise SpecError("direction: only the directional distance model (model='ddf') takes a direction")
    if super_efficiency and model not in (Model.RADIAL, Model.SBM):
        raise SpecError(f"super_efficiency: available for the radial and sbm models, not {model.value!r}")
    if super_efficiency and has_bads and model != Model.SBM:
        raise SpecError("super_efficiency: with undesirable outputs only the sbm model (super-SBM, Tone 2002 "
                        "with Tone 2004's bad outputs)")
    if scale and model != Model.RADIAL:
        raise SpecError(f"scale: scale efficiency needs the radial model, not {model.value!r}")
    if model in ORIENTED and orientation == Orientation.NONE:
        raise SpecError(f"orientation: the {model.value} model needs 'input', 'output' or 'graph'")
    if model == Model.SBM and orientation == Orientation.GRAPH:
        raise SpecError("orientation: the sbm model is 'none' (non-oriented), 'input' or 'output'")
    if model in (Model.ADDITIVE, Model.DDF, Model.RAM, Model.BAM):
        return Orientation.NONE            # non-oriented models: the orientation plays no part
    return orientation


def _technology(model: Model, rts: RTS, rts_bounds, orientation: Orientation, *, inverse: bool, slack_weights,
                super_efficiency: bool, scale: bool, has_bads: bool, screen) -> RTS | GRS:
    """The returns to scale the model will use (``GRS`` with its bounds for rts='grs'), refusing the
    options of issue 13's models that do not fit together."""
    if rts_bounds is not None and rts != RTS.GRS:
        raise SpecError("rts_bounds: only with rts='grs' (generalised returns to scale, L <= sum(lambda) <= U)")
    if inverse and model != Model.RDM:
        raise SpecError("inverse: only the range directional model (model='rdm') has an inverse (IRDM)")
    if slack_weights is not None and model != Model.ADDITIVE:
        raise SpecError("slack_weights: only the additive model (model='additive') takes slack weights; "
                        "model='ram' and model='bam' set their own")
    if model == Model.RUSSELL and orientation not in (Orientation.INPUT, Orientation.OUTPUT):
        raise SpecError("orientation: the russell model is 'input' or 'output'")
    if model in (Model.RDM, Model.MEA) and orientation == Orientation.GRAPH:
        raise SpecError(f"orientation: the {model.value} model is 'none' (non-oriented), 'input' or 'output'")
    if model == Model.RDM and rts != RTS.VRS:
        raise SpecError(f"rts={rts.value!r}: the rdm model is VRS by construction (Silva Portela et al. 2004): "
                        "its ranges and its translation invariance need sum(lambda) = 1")
    if model == Model.RAM and rts not in (RTS.VRS, RTS.FDH):
        raise SpecError(f"rts={rts.value!r}: RAM's measure lies in [0, 1] only under VRS (Cooper, Park and Pastor "
                        "1999) or FDH; use model='bam' (bounded, any returns to scale) or model='additive' with "
                        "slack_weights")
    if rts == RTS.FRH:
        if model not in (Model.RADIAL, Model.SBM, Model.DDF, Model.ADDITIVE):
            raise SpecError(f"rts='frh' (free replicability hull): the radial, sbm, ddf and additive models, not "
                            f"{model.value!r}")
        if model == Model.RADIAL and orientation == Orientation.GRAPH:
            raise SpecError("rts='frh': the radial model in input or output orientation")
        if super_efficiency or scale:
            raise SpecError("rts='frh': no super-efficiency or scale")
        if has_bads and model != Model.SBM:
            raise SpecError(f"undesirable: bad outputs on the free replicability hull are taken by the sbm model, "
                            f"not {model.value!r}")
        if screen:
            raise SpecError("screen=True: the frame of a convex technology does not span the free replicability hull")
    if rts == RTS.FDH:
        if super_efficiency or scale:
            raise SpecError(f"{'super_efficiency' if super_efficiency else 'scale'}: not available with rts='fdh'")
        if model == Model.DDF and has_bads:
            raise SpecError("undesirable: the ddf model's bad outputs (weak disposability) are not available with "
                            "rts='fdh'")
        if screen:
            raise SpecError("screen=True: rts='fdh' solves no LP (it enumerates the observed DMUs); there is nothing "
                            "to screen")
    if rts != RTS.GRS:
        return rts
    if rts_bounds is None:
        raise SpecError("rts='grs' needs rts_bounds=(L, U) with 0 <= L <= 1 <= U (L <= sum(lambda) <= U)")
    try:
        lo, hi = (float(v) for v in rts_bounds)
    except (TypeError, ValueError):
        raise SpecError(f"rts_bounds: expected two numbers (L, U), got {rts_bounds!r}") from None
    if np.isnan(lo) or np.isnan(hi) or lo < 0 or not np.isfinite(lo):
        raise SpecError(f"rts_bounds: L = {lo:g} must be a finite number >= 0")
    if lo > hi:
        raise SpecError(f"rts_bounds: L = {lo:g} is greater than U = {hi:g}")
    if not lo <= 1.0 <= hi:
        raise SpecError(f"rts_bounds: ({lo:g}, {hi:g}) must contain 1 (L <= 1 <= U, as deaR requires): otherwise a "
                        "DMU is not in its own technology and its score could leave (0, 1]")
    return GRS(lo, hi)


def _slack_weights(fd: FrontierData, weights) -> np.ndarray:
    """The user's slack weights of the additive model: (m + s,) or (n, m + s), finite and >= 0."""
    k = fd.X.shape[1] + fd.Y.shape[1]
    W = np.asarray(weights, dtype=float)
    if W.shape not in ((k,), (fd.n, k)):
        raise SpecError(f"slack_weights: expected {k} weights (the inputs' slacks, then the outputs') or an array of "
                        f"shape ({fd.n}, {k}), got shape {W.shape}")
    if not np.all(np.isfinite(W)) or (W < 0).any():
        raise SpecError("slack_weights: weights must be finite and >= 0")
    return W


def dea(data=None, id=None, inputs=None, outputs=None, undesirable=None, model="radial", rts="vrs",
        orientation="input", super_efficiency=False, direction=None, reference=None, *_positional,
        solver=None, client=None, slacks: bool = True, scale: bool = False, nondiscretionary=None,
        noncontrollable=None, screen: bool | None = None, rts_bounds=None, inverse: bool = False,
        slack_weights=None, weight_bounds=None) -> DEAResult:
    """Score DMUs with a DEA model and return a :class:`DEAResult`.

    ``data`` is a DataFrame or CSV path (``inputs``/``outputs``/``undesirable`` are column names,
    ``id`` the id column(s); omitted, the row labels are used), or ``None`` with arrays.

    ``model``:

    * 'radial': CCR/BCC (Charnes-Cooper-Rhodes 1978, Banker-Charnes-Cooper 1984), orientation
      'input', 'output' or 'graph' (hyperbolic); ``super_efficiency``: Andersen-Petersen (1993);
    * 'fdh': free disposal hull (Deprins-Simar-Tulkens 1984);
    * 'sbm': slacks-based measure (Tone 2001), orientation 'none', 'input' or 'output'; with
      ``undesirable`` outputs (Tone 2003); ``super_efficiency``: super-SBM (Tone 2002) for the
      SBM-efficient DMUs, the SBM score for the others;
    * 'additive': maximal sum of slacks in data units (Charnes et al. 1985), ``r.slack_sum``; it has
      no efficiency in (0, 1], so ``efficiency`` is NaN;
    * 'ddf': directional distance beta (Chambers-Chung-Faere 1996), bad outputs under weak
      disposability (Chung-Faere-Grosskopf 1997); ``direction``: 'proportional' (default:
      g = (x_o, y_o, b_o)), 'unit' (all ones), 'input' (x_o, 0, 0), 'output' (0, y_o, b_o), one
      vector for all DMUs (inputs, outputs, bad outputs in order), or an n x (m + s + k) array;
      components > 0 cut inputs and bad outputs and raise outputs, components < 0 move the other
      way (e.g. -1 for a bad output that may grow), and each DMU's direction needs one > 0. The
      ``efficiency`` is 1/(1+beta), beta itself is ``r.beta``;
    * 'russell': the non-radial Russell measure (Faere and Lovell 1978; deaR ``model_nonradial``),
      orientation 'input' (one theta <= 1 per input, ``efficiency`` = their mean) or 'output' (one
      phi >= 1 per output, ``efficiency`` = 1 / their mean); the factors are ``r.factors``
      (columns ``theta_<input>`` / ``phi_<output>``);
    * 'rdm': range directional model (Silva Portela, Thanassoulis and Simpson 2004), VRS, orientation
      'none', 'input' or 'output', negative data allowed; ``efficiency`` = 1 - beta, beta in
      ``r.beta``; ``inverse=True``: IRDM, whose beta is no efficiency (``efficiency`` NaN);
    * 'mea': multi-directional efficiency analysis (Bogetoft and Hougaard 1999; Benchmarking ``mea``),
      orientation 'input', 'output' or 'none' (Benchmarking's 'in-out'): beta along the direction of
      each variable's own potential improvement (``r.beta``, Benchmarking's ``eff``); beta is no
      efficiency in (0, 1], so ``efficiency`` is NaN;
    * 'ram', 'bam': range adjusted (Cooper, Park and Pastor 1999; VRS or FDH) and bounded adjusted
      (Cooper, Pastor, Borras, Aparicio and Pastor 2011; any rts) measures, non-oriented weighted
      additive models; ``efficiency`` = 1 - the weighted slack sum (in [0, 1]), which is
      ``r.slack_sum``. ``model='additive'`` takes ``slack_weights`` (one weight per input then
      output slack in data units, or one such row per DMU; ``r.slack_sum`` is then the weighted sum).

    ``rts``: 'crs', 'vrs', 'nirs', 'ndrs' (ignored by model='fdh'); 'grs' with ``rts_bounds=(L, U)``,
    0 <= L <= 1 <= U: generalised returns to scale L <= sum(lambda) <= U (deaR's 'grs', Benchmarking's
    'vrs+'); 'fdh': the free disposal hull technology (one observed peer, no convexity) for the
    radial (= model='fdh'), sbm, ddf, additive, russell, ram, bam and mea models, solved exactly by
    enumeration (no LP); 'frh': the free replicability hull (integer lambdas; radial, sbm, ddf and additive
    models), a mixed-integer LP. ``solver`` and ``client`` are keyword-only (passed positionally after
    ``reference``, as before, they still work with a FutureWarning). ``reference``: another set of
    DMUs (same columns) whose frontier the data are measured against. ``solver``: 'numba' (default when numba
    is installed), 'highs', 'scipy', 'pulp' or 'pulp:NAME'. ``slacks``: run phase II (max slack sum,
    data units). ``scale``: also compute scale efficiency CRS/VRS and the returns-to-scale class.
    ``nondiscretionary``: input/output columns kept at their level instead of being scaled (Banker and
    Morey 1986); ``noncontrollable``: columns held exactly at their level (equality rows, as deaR's
    ``nc_inputs``). ``screen``: find the frame (extreme-efficient DMUs, Dula 2011) first and solve
    every LP against it only; default on with the numba backend. ``client``: a
    ``dask.distributed.Client``; the LPs are then solved on its cluster in chunks of DMUs (the
    reference set is broadcast once per batch), with the same results as in-process.
    ``weight_bounds``: weight restrictions of the radial model, input or output orientation (ratios of
    two input or two output weights, absolute bounds, virtual shares; the forms of ``ef.multiplier``),
    solved in envelopment form with one extra column per restriction (``efficiency.dea.assurance``):
    the efficiencies of ``ef.multiplier`` with the same bounds; no phase II (slacks are None).
    """
    solver, client = moved_to_keywords("dea", _positional, solver=solver, client=client)
    model = Model.parse(model, name="model")
    rts = RTS.parse(rts, name="rts")
    orientation = _check_options(model, Orientation.parse(orientation, name="orientation"), super_efficiency,
                                 direction, undesirable, scale)
    tech = _technology(model, rts, rts_bounds, orientation, inverse=inverse, slack_weights=slack_weights,
                       super_efficiency=super_efficiency, scale=scale,
                       has_bads=undesirable is not None and len(undesirable) > 0, screen=screen)
    signed = model == Model.RDM                # the range directional model takes negative data
    if client is not None:
        from ..distributed import _check_client
        _check_client(client)
    fd = frontier_data(data, id=id, inputs=inputs, outputs=outputs, undesirable=undesirable,
                       min_rows=1 if reference is not None else 2,   # one DMU against a given frontier
                       zero_columns=reference is not None,           # zero here, not in the reference
                       nonnegative=not signed)
    ref = None if reference is None else reference_data(reference, fd, id=id, nonnegative=not signed)
    if super_efficiency and ref is not None:
        raise SpecError("super_efficiency: each DMU leaves its own reference set; a separate reference "
                        "set cannot be combined with it")
    if model in ORIENTED or model == Model.RUSSELL:
        why = f"{'input' if orientation != Orientation.OUTPUT else 'output'}-oriented {model.value} DEA"
        require_positive_rows(fd, "inputs" if orientation != Orientation.OUTPUT else "outputs", why)
    elif model == Model.SBM and orientation != Orientation.OUTPUT:
        require_positive_rows(fd, "inputs", f"the {orientation.value}-oriented SBM")
    discretion = _discretion(fd, nondiscretionary, noncontrollable)
    if discretion is not None and model != Model.RADIAL:
        raise SpecError(f"nondiscretionary/noncontrollable: only the radial model takes them, not {model.value!r}")
    if discretion is not None and tech in (RTS.FDH, RTS.FRH):
        raise SpecError(f"nondiscretionary/noncontrollable: not available with rts={tech.value!r}")
    Xr, Yr, Br = (None, None, None) if ref is None else (ref.X, ref.Y, ref.B)
    B = fd.B if fd.B.shape[1] else None
    exclude = np.arange(fd.n) if super_efficiency else None
    lp = None if model == Model.FDH or tech == RTS.FDH else backend(solver)
    if lp is not None and client is not None:
        from ..distributed import distribute
        lp = distribute(lp, client)        # LP batches chunked by DMU on the Dask cluster
    if model == Model.FDH and screen:
        raise SpecError("screen=True: the fdh model solves no LP (it enumerates dominating DMUs); there is "
                        "nothing to screen")
    kind = LP if model in (Model.SBM, Model.RUSSELL, Model.BAM) else ENVELOPMENT   # LP batches, or envelopment LPs
    if tech == RTS.FRH:
        kind = MILP
    if weight_bounds is not None:          # assurance regions etc.: the envelopment LP with extra columns
        from .assurance import assurance_region, dea_restrictions
        restrictions = dea_restrictions(weight_bounds, fd, model=model, rts=tech, orientation=orientation,
                                        super_efficiency=super_efficiency, scale=scale, discretion=discretion)
        kind = LP
        env = assurance_region(fd.X, fd.Y, Xr, Yr, rts=tech, orientation=orientation, restrictions=restrictions,
                               solver=lp, screen=screen)
    elif model == Model.FDH or (model == Model.RADIAL and tech == RTS.FDH):
        env = fdh(fd.X, fd.Y, Xr, Yr, orientation=orientation)
    elif tech == RTS.FRH and model == Model.RADIAL:
        env = frh(fd.X, fd.Y, Xr, Yr, orientation=orientation, solver=lp, slacks=slacks)
    elif model == Model.RADIAL:
        env = radial(fd.X, fd.Y, Xr, Yr, rts=tech, orientation=orientation, solver=lp, slacks=slacks,
                     discretion=discretion, screen=screen, exclude=exclude)
    elif model == Model.ADDITIVE and slack_weights is not None:
        W = _slack_weights(fd, slack_weights)
        kind = LP if W.ndim == 2 and tech != RTS.FRH else kind
        env = weighted_additive(fd.X, fd.Y, Xr, Yr, weights=W, rts=tech, solver=lp, screen=screen)
    elif model == Model.ADDITIVE:
        env = additive(fd.X, fd.Y, Xr, Yr, rts=tech, solver=lp, screen=screen)
    elif model in (Model.RAM, Model.BAM):
        X_all, Y_all = (fd.X, fd.Y) if ref is None else (ref.X, ref.Y)
        if model == Model.RAM:
            W, bounds = ram_weights(fd.X, fd.Y, X_all, Y_all), None
        else:
            W, x_min, y_max = bam_weights(fd.X, fd.Y, X_all, Y_all)
            bounds = (x_min, y_max)
        env = weighted_additive(fd.X, fd.Y, Xr, Yr, weights=W, rts=tech, solver=lp, screen=screen, bounds=bounds)
    elif model == Model.DDF and tech == RTS.FDH:
        gx, gy, _ = _direction(fd, direction)
        env = fdh_ddf(fd.X, fd.Y, fd.X if Xr is None else Xr, fd.Y if Yr is None else Yr, gx=gx, gy=gy)
    elif model == Model.DDF:
        gx, gy, gb = _direction(fd, direction)
        env = ddf(fd.X, fd.Y, B, Xr, Yr, Br if B is not None else None, gx=gx, gy=gy, gb=gb, rts=tech, solver=lp,
                  slacks=slacks, screen=screen)
    elif model == Model.RUSSELL:
        env = russell(fd.X, fd.Y, Xr, Yr, rts=tech, orientation=orientation, solver=lp, slacks=slacks, screen=screen)
    elif model == Model.RDM:
        env = rdm(fd.X, fd.Y, Xr, Yr, orientation=orientation, inverse=inverse, solver=lp, slacks=slacks,
                  screen=screen)
    elif model == Model.MEA:
        env = mea(fd.X, fd.Y, Xr, Yr, rts=tech, orientation=orientation, solver=lp, slacks=slacks, screen=screen)
    else:
        env = sbm(fd.X, fd.Y, B, Xr, Yr, Br if B is not None else None, rts=tech, orientation=orientation,
                  solver=lp, screen=screen)
        if super_efficiency:
            env = _super_sbm(fd, env, tech, orientation, lp)
    _warn_unsolved(env.status, f"{model.value} DEA")
    if env.slack_status is not None and slacks:
        lost = (env.status == LPStatus.OPTIMAL) & (env.slack_status != LPStatus.OPTIMAL)
        if lost.any():
            warnings.warn(f"phase II (slacks) failed for {int(lost.sum())} DMUs; their slacks and "
                          "targets are NaN", SolveWarning, stacklevel=2)

    se = rc = None
    usage = env.usage
    if scale:
        by_rts = {tech: env.farrell}
        for r in (RTS.CRS, RTS.VRS, RTS.NIRS):
            if r not in by_rts:
                other = radial(fd.X, fd.Y, Xr, Yr, rts=r, orientation=orientation, solver=lp, slacks=False,
                               discretion=discretion, screen=screen, exclude=exclude)
                by_rts[r], usage = other.farrell, usage + other.usage
        crs, vrs, nirs = (_score(by_rts[r], orientation) for r in (RTS.CRS, RTS.VRS, RTS.NIRS))
        se = pd.Series(crs / vrs, index=fd.ids, name="scale_efficiency")
        rc = pd.Series(_rts_class(crs, vrs, nirs), index=fd.ids, name="rts_class", dtype=object)
    solver_name = "enumeration" if lp is None else report_usage(usage, lp, solver is not None,
                                                                f"{model.value} DEA", kind)
    return _result(fd, ref, env, model, "fdh" if model == Model.FDH else tech.value, orientation, solver_name,
                   super_efficiency, se, rc, inverse=inverse, tech=tech)


def _super_sbm(fd: FrontierData, env: Envelopment, rts: RTS | GRS, orientation: Orientation, lp) -> Envelopment:
    """Super-SBM (Tone 2002; bad outputs as Tone 2004) for the SBM-efficient DMUs; the others keep their
    SBM score."""
    efficient = np.flatnonzero((env.status == LPStatus.OPTIMAL) & (np.abs(env.farrell - 1.0) <= SCORE_TOL))
    if not efficient.size:
        return env
    delta, status, usage = super_sbm(fd.X, fd.Y, fd.B, rts=rts, orientation=orientation, solver=lp,
                                     candidates=efficient)
    farrell, st = env.farrell.copy(), env.status.copy()
    farrell[efficient] = delta
    st[efficient] = status
    return replace(env, farrell=farrell, status=st, usage=env.usage + usage)


def _direction(fd: FrontierData, direction) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The direction (g_x, g_y, g_b) per DMU, in data units."""
    X, Y, B = fd.X, fd.Y, fd.B
    n, k = fd.n, X.shape[1] + Y.shape[1] + B.shape[1]
    if direction is None or isinstance(direction, str):
        name = (direction or "proportional").lower()
        if name not in DIRECTIONS:
            raise SpecError(f"direction: {direction!r} is not one of {', '.join(map(repr, DIRECTIONS))}, a "
                            f"vector of length {k} or an array of shape ({n}, {k})")
        zero = (np.zeros_like(X), np.zeros_like(Y), np.zeros_like(B))
        g = {"proportional": (X, Y, B), "unit": (np.ones_like(X), np.ones_like(Y), np.ones_like(B)),
             "input": (X, zero[1], zero[2]), "output": (zero[0], Y, B)}[name]
    else:
        G = np.asarray(direction, dtype=float)
        if G.ndim == 1 and G.shape[0] == k:
            G = np.tile(G, (n, 1))
        if G.shape != (n, k):
            raise SpecError(f"direction: expected a vector of length {k} (inputs, outputs, undesirable "
                            f"outputs) or an array of shape ({n}, {k}), got shape {G.shape}")
        if not np.all(np.isfinite(G)):
            raise SpecError("direction: entries must be finite")
        m, s = X.shape[1], Y.shape[1]
        g = (G[:, :m], G[:, m:m + s], G[:, m + s:])
    # g > 0 improves (less input, more output, less bad output); g < 0 moves the other way (e.g.
    # g_b = -1: bad outputs may grow). Without an improving component, beta is unbounded.
    improving = (np.hstack(g) > 0).any(axis=1)
    if not improving.all():
        i = int(np.flatnonzero(~improving)[0])
        what = "zero" if not np.hstack(g)[i].any() else "without a positive (improving) component"
        raise SpecError(f"direction: it is {what} for the DMU in {fd.where(i)}; beta would be unbounded "
                        "(a direction needs at least one component > 0: an input or bad output to cut, or an "
                        "output to raise)")
    return g


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


#: Relative amount by which a value that must lie in (0, 1] (or a slack that must be >= 0) may miss
#: its bound by rounding alone; such values are set to the bound (1, or 0) exactly.
ROUNDING = 1e-9


def _to_bound(v: np.ndarray, bound: float, above: bool) -> np.ndarray:
    """``v`` with values beyond ``bound`` (above it when ``above``) by rounding only set to it."""
    tol = ROUNDING * max(1.0, abs(bound))
    over = (v > bound) & (v <= bound + tol) if above else (v < bound) & (v >= bound - tol)
    return np.where(over, bound, v)


def _result(fd: FrontierData, ref: FrontierData | None, env: Envelopment, model: Model, rts: str,
            orientation: Orientation, solver_name: str, super_eff: bool = False, se=None, rc=None, *,
            inverse: bool = False, tech: RTS | GRS | None = None) -> DEAResult:
    ids = fd.ids
    status = pd.Series(STATUS_LABELS[env.status], index=ids, name="status", dtype=object)
    own = ref is None and not super_eff        # the DMUs are in their technology: scores in (0, 1]
    value = env.farrell
    farrell = beta = slack_sum = factors = None
    if env.factors is not None:                # Russell: theta per input, or phi per output
        factors = pd.DataFrame(env.factors, index=ids, columns=list(
            fd.input_names if orientation == Orientation.INPUT else fd.output_names))
    if model in ORIENTED or model == Model.RUSSELL:
        if own:                                # theta, G <= 1; phi >= 1
            value = _to_bound(value, 1.0, above=orientation != Orientation.OUTPUT)
        elif orientation == Orientation.OUTPUT:
            # phi = 0 to rounding: the reference set cannot produce the DMU's outputs at all from its
            # inputs (efficiency 1/phi infinite), whatever the solver's last digits say
            value = np.where(np.abs(value) <= ROUNDING, 0.0, value)
        farrell = pd.Series(value, index=ids, name="farrell")
        eff = _score(value, orientation)
    elif model == Model.DDF:                   # beta >= 0 in the own technology; efficiency 1/(1+beta)
        if own:
            value = _to_bound(value, 0.0, above=False)
        beta = pd.Series(value, index=ids, name="beta")
        # beta = -1 (to rounding): no point of the reference technology lies along the direction but
        # the origin's side of it, e.g. a zero input that every reference DMU uses; infinitely far
        with np.errstate(divide="ignore", invalid="ignore"):
            eff = np.where(1.0 + value > ROUNDING, 1.0 / (1.0 + value), np.where(np.isnan(value), np.nan, np.inf))
    elif model == Model.ADDITIVE:              # no efficiency in (0, 1]: the slack sum is the measure
        slack_sum = pd.Series(value, index=ids, name="slack_sum")
        eff = np.full(fd.n, np.nan)
    elif model in (Model.RDM, Model.MEA):      # beta in [0, 1] in the own technology; RDM efficiency 1 - beta
        if own:
            value = _to_bound(value, 0.0, above=False)
        beta = pd.Series(value, index=ids, name="beta")
        eff = (np.full(fd.n, np.nan) if inverse or model == Model.MEA else
               _to_bound(1.0 - value, 0.0, above=False))
    elif model in (Model.RAM, Model.BAM):      # efficiency 1 - the weighted slack sum, in [0, 1]
        if own:
            value = _to_bound(value, 0.0, above=False)
        slack_sum = pd.Series(value, index=ids, name="slack_sum")
        eff = _to_bound(1.0 - value, 0.0, above=False)
    else:                                      # SBM rho (super-SBM delta >= 1)
        eff = value
    if own and model != Model.ADDITIVE:
        eff = _to_bound(eff, 1.0, above=True)
    scores = pd.Series(eff, index=ids, name="efficiency")
    slacks = targets = None
    if env.slack_x is not None:
        names = list(fd.input_names) + list(fd.output_names)
        blocks, tblocks = [env.slack_x, env.slack_y], [env.target_x, env.target_y]
        signs = [1.0] * fd.X.shape[1] + [-1.0] * fd.Y.shape[1]      # target = level - s (inputs), + s (outputs)
        if env.slack_b is not None and env.slack_b.shape[1]:
            names += list(fd.undesirable_names)
            blocks.append(env.slack_b)
            tblocks.append(env.target_b)
            signs += [1.0] * fd.B.shape[1]
        raw, traw = np.hstack(blocks), np.hstack(tblocks)
    ref_ids = fd.ids if ref is None else ref.ids
    Xr, Yr, Br = (fd.X, fd.Y, fd.B) if ref is None else (ref.X, ref.Y, ref.B)
    cs = np.concatenate([column_scale(fd.X, Xr), column_scale(fd.Y, Yr)] +
                        ([column_scale(fd.B, Br)] if env.slack_x is not None and raw.shape[1] > len(fd.input_names) +
                         len(fd.output_names) else []))
    if env.slack_x is not None:
        # A slack is >= 0: -1e-11 (a solver's rounding) is 0, and the target moves with it.
        tiny = (raw < 0) & (raw >= -ROUNDING * cs)
        fixed = np.where(tiny, 0.0, raw)
        traw = traw + np.array(signs) * (raw - fixed)
        slacks = pd.DataFrame(fixed, index=ids, columns=names)
        targets = pd.DataFrame(traw, index=ids, columns=names)
    return DEAResult("irdm" if inverse else model.value, rts, orientation.value, ids, fd.input_names,
                     fd.output_names, ref_ids, scores, farrell, status, slacks, targets, env.lambdas, cs, solver_name,
                     se, rc, fd.undesirable_names, super_eff, beta, slack_sum, factors,
                     (tech.lo, tech.hi) if isinstance(tech, GRS) else None)
