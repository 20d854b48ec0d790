"""Weight restrictions of radial DEA: their parsing, their rows, and the envelopment form with them.

Three kinds of restriction, given in one ``weight_bounds`` mapping (or its text form, the CLI's
``--weight-bounds``); every bound is a pair ``(lo, hi)``, ``None`` (or +-inf) for an open end:

* ``("x2", "x1"): (lo, hi)`` or ``"x2/x1": (lo, hi)``: assurance region of type I (Thompson, Langemeier,
  Lee, Lee and Thrall 1990): lo <= v_x2 / v_x1 <= hi, the ratio of two input weights, or of two output
  weights (u); linked input-output ratios (type II) are refused. Benchmarking's ``dea.dual(DUAL=)``.
* ``"x1": (lo, hi)``: absolute bounds lo <= v_x1 <= hi on the weight itself, in data units and in the
  normalisation of the orientation (v.x_o = 1 input-oriented, u.y_o = 1 output-oriented), as pyDEA's
  absolute weight restrictions. They depend on the units of the data and can make an LP infeasible.
* ``"virtual:x1": (lo, hi)``: the share of the DMU's virtual input (output) that goes to x1, lo <=
  v_x1 x_1o / (v.x_o) <= hi (Wong and Beasley 1990, for the evaluated DMU o), in [0, 1]. With an
  input orientation and an input, it is pyDEA's virtual weight restriction v_x1 x_1o in [lo, hi].

All of them are linear rows g.(v, u) >= c of the multiplier LP (the ratio and share rows are
homogeneous, c = 0). Its dual, the envelopment LP, gets one extra non-negative column pi_k per row
(Charnes, Cooper, Wei and Huang 1989; Cooper, Seiford and Tone 2007, ch. 6):

* input:  min theta - c'pi  s.t.  X'lam + G_x'pi <= theta x_o,  Y'lam - G_y'pi >= y_o,  RTS row
* output: max phi + c'pi    s.t.  X'lam + G_x'pi <= x_o,        Y'lam - G_y'pi >= phi y_o, RTS row

(lam, pi >= 0; G_x, G_y the input and output parts of the rows). Its optimum is the multiplier
model's efficiency with the same restrictions, which is how ``ef.dea(weight_bounds=)`` scores DMUs.
The restrictions only shrink the set of weights u, v >= 0, so the constraint of a DMU outside the
frame (extreme-efficient DMUs) stays implied by those of the frame: both forms may be solved against
the frame alone.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from solvers import LPBatch, LPProblem, LPSolver, LPStatus

from ..errors import SpecError
from ..spec import RTS, Orientation
from .envelopment import Envelopment, rts_bounds, solve_batch, on_reference, scaled

__all__ = ["Restriction", "parse_weight_bounds", "restriction_rows", "assurance_region", "RADIAL_RTS"]

#: Returns to scale of the radial models that take weights (the sign of u0 follows from them).
RADIAL_RTS = (RTS.CRS, RTS.VRS, RTS.NIRS, RTS.NDRS)
VIRTUAL = "virtual:"


@dataclass(frozen=True)
class Restriction:
    """One parsed weight restriction: ``kind`` 'ratio' | 'absolute' | 'virtual'; ``side`` 'input' |
    'output'; ``a`` the column (index within its side), ``b`` the ratio's denominator (else -1);
    bounds ``lo`` (0: none) and ``hi`` (inf: none); ``label`` as the user wrote it."""

    kind: str
    side: str
    a: int
    b: int
    lo: float
    hi: float
    label: str

    def ratio_of(self, v: np.ndarray, u: np.ndarray, x_o: np.ndarray, y_o: np.ndarray) -> np.ndarray:
        """The restricted quantity of weights (v, u) (rows = DMUs) with data (x_o, y_o)."""
        w, z = (v, x_o) if self.side == "input" else (u, y_o)
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.kind == "ratio":
                return w[:, self.a] / w[:, self.b]
            if self.kind == "absolute":
                return w[:, self.a]
            return w[:, self.a] * z[:, self.a] / np.sum(w * z, axis=1)


def _bound(value, key: str, end: str) -> float:
    """One end of a bound as a float: None -> open (0 below, inf above)."""
    if value is None:
        return 0.0 if end == "lower" else math.inf
    try:
        f = float(value)
    except (TypeError, ValueError):
        raise SpecError(f"weight_bounds[{key!r}]: the {end} bound {value!r} is not a number") from None
    if math.isnan(f):
        raise SpecError(f"weight_bounds[{key!r}]: the {end} bound is NaN")
    if end == "lower" and f == -math.inf:
        return 0.0
    if f < 0:
        raise SpecError(f"weight_bounds[{key!r}]: the {end} bound {f:g} is negative; weights are "
                        "non-negative, so a bound must be >= 0 (None for no bound)")
    return f


def _parse_text(text: str) -> list[tuple[str, tuple]]:
    """'x2/x1=0.5:2, virtual:y1=0.1:, x3=:5' -> [('x2/x1', ('0.5', '2')), ('virtual:y1', ('0.1', None)), ...]
    (a key may come back: each entry is one more restriction)."""
    out: list = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        key, eq, rng = part.rpartition("=")
        lo, colon, hi = rng.partition(":")
        if not eq or not key.strip() or not colon:
            raise SpecError(f"weight_bounds: {part!r} is not KEY=LO:HI (e.g. x2/x1=0.5:2, x1=0:1, "
                            "virtual:x1=0.1:0.6; LO or HI may be left empty)")
        out.append((key.strip(), tuple(None if not t.strip() else t.strip() for t in (lo, hi))))
    if not out:
        raise SpecError("weight_bounds: no restriction given")
    return out


def _names(key, inputs: tuple[str, ...], outputs: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """(kind, column names) of one key."""
    known = set(inputs) | set(outputs)
    if isinstance(key, tuple):
        if len(key) != 2 or not all(isinstance(k, str) for k in key):
            raise SpecError(f"weight_bounds: key {key!r}: a ratio is a pair of column names (numerator, "
                            "denominator)")
        return "ratio", key
    if not isinstance(key, str):
        raise SpecError(f"weight_bounds: key {key!r} is neither a column name, 'a/b', 'virtual:a' nor a pair "
                        "of column names")
    if key in known:
        return "absolute", (key,)
    if key.startswith(VIRTUAL):
        return "virtual", (key[len(VIRTUAL):].strip(),)
    if "/" in key:
        a, _, b = key.partition("/")
        return "ratio", (a.strip(), b.strip())
    return "absolute", (key,)


def parse_weight_bounds(weight_bounds, inputs: tuple[str, ...], outputs: tuple[str, ...]) -> tuple[Restriction, ...]:
    """Validate ``weight_bounds`` (a mapping, its text form, or None) against the input and output
    names; :class:`SpecError` for an unknown column, a ratio that mixes an input and an output or names
    one column twice, a negative or NaN bound, lo > hi, a share above 1, or a pair that bounds nothing."""
    if weight_bounds is None:
        return ()
    if isinstance(weight_bounds, str):
        items = _parse_text(weight_bounds)
    elif isinstance(weight_bounds, dict):
        items = list(weight_bounds.items())
    else:
        raise SpecError(f"weight_bounds: expected a dict such as {{('x2', 'x1'): (0.5, 2)}} or text such as "
                        f"'x2/x1=0.5:2', got {type(weight_bounds).__name__}")
    out = []
    listing = f"inputs: {', '.join(inputs)}; outputs: {', '.join(outputs)}"
    for key, value in items:
        kind, cols = _names(key, inputs, outputs)
        label = key if isinstance(key, str) else "/".join(key)
        for c in cols:
            if c not in inputs and c not in outputs:
                raise SpecError(f"weight_bounds[{label!r}]: {c!r} is not one of the inputs or outputs ({listing})")
        sides = ["input" if c in inputs else "output" for c in cols]
        if kind == "ratio":
            if sides[0] != sides[1]:
                raise SpecError(f"weight_bounds[{label!r}]: a ratio bounds two input weights or two output "
                                f"weights; {cols[0]!r} is an {sides[0]} and {cols[1]!r} an {sides[1]}")
            if cols[0] == cols[1]:
                raise SpecError(f"weight_bounds[{label!r}]: a ratio of {cols[0]!r} with itself")
        if not isinstance(value, (tuple, list)) or len(value) != 2:
            raise SpecError(f"weight_bounds[{label!r}]: expected a pair (lo, hi), got {value!r}")
        lo, hi = _bound(value[0], label, "lower"), _bound(value[1], label, "upper")
        if lo > hi:
            raise SpecError(f"weight_bounds[{label!r}]: lower bound {lo:g} > upper bound {hi:g}")
        if kind == "virtual" and lo > 1:
            raise SpecError(f"weight_bounds[{label!r}]: a share of the virtual {sides[0]} lies in [0, 1]; the lower "
                            f"bound {lo:g} cannot be met")
        if lo == 0 and hi == math.inf:
            raise SpecError(f"weight_bounds[{label!r}]: (lo, hi) = {tuple(value)!r} bounds nothing")
        names = inputs if sides[0] == "input" else outputs
        out.append(Restriction(kind, sides[0], names.index(cols[0]), names.index(cols[1]) if kind == "ratio" else -1,
                               lo, hi, label))
    return tuple(out)


def restriction_rows(restrictions, Xs: np.ndarray, Ys: np.ndarray, sx: np.ndarray, sy: np.ndarray
                     ) -> tuple[np.ndarray, np.ndarray]:
    """The rows g.(v_s, u_s) >= c of the restrictions, per DMU, in the weights of the column-scaled data
    (v_s = v * sx, u_s = u * sy): G of shape (n, K, m + s) and c of shape (K,).

    ratio a/b >= lo: v_s,a - lo (sx_a / sx_b) v_s,b >= 0; <= hi: the same with -1 and hi, reversed.
    absolute >= lo: v_s,a >= lo sx_a; <= hi: -v_s,a >= -hi sx_a.
    virtual >= lo: v_s,a xs_ao - lo v_s.xs_o >= 0; <= hi: hi v_s.xs_o - v_s,a xs_ao >= 0 (none for hi >= 1).
    """
    n, m = Xs.shape
    s = Ys.shape[1]
    G, c = [], []
    for r in restrictions:
        off, sc, Z = (0, sx, Xs) if r.side == "input" else (m, sy, Ys)
        width = m if r.side == "input" else s
        for sign, bound in ((1.0, r.lo), (-1.0, r.hi)):
            if (sign > 0 and bound <= 0) or (sign < 0 and (bound == math.inf or (r.kind == "virtual" and bound >= 1))):
                continue
            g = np.zeros((n, m + s))
            const = 0.0
            if r.kind == "ratio":
                g[:, off + r.a] = sign
                g[:, off + r.b] = -sign * bound * sc[r.a] / sc[r.b]
            elif r.kind == "absolute":
                g[:, off + r.a] = sign
                const = sign * bound * sc[r.a]
            else:
                g[:, off:off + width] = -sign * bound * Z
                g[:, off + r.a] += sign * Z[:, r.a]
            G.append(g)
            c.append(const)
    if not G:
        return np.zeros((n, 0, m + s)), np.zeros(0)
    return np.stack(G, axis=1), np.asarray(c)


def assurance_region(X: np.ndarray, Y: np.ndarray, Xr: np.ndarray | None = None, Yr: np.ndarray | None = None, *,
                     rts: RTS, orientation: Orientation, restrictions, solver: LPSolver,
                     screen: bool | None = None) -> Envelopment:
    """Radial DEA scores (theta input, phi output) of the rows of (X, Y) against (Xr, Yr) (default:
    themselves) with weight restrictions: the envelopment LP with one extra column per restriction row
    (module docstring), generic LPs on column-scaled data. The lambdas are returned (on the reference
    DMUs); phase II slacks are not computed with restrictions (the extra columns change what a slack
    means), so slacks and targets are None."""
    if rts not in RADIAL_RTS:
        raise SpecError(f"weight_bounds: returns to scale {rts.value!r} is not one of crs, vrs, nirs, ndrs")
    if orientation not in (Orientation.INPUT, Orientation.OUTPUT):
        raise SpecError("weight_bounds: the orientation must be 'input' or 'output'")
    n, m = X.shape
    s = Y.shape[1]
    d = scaled(X, Y, Xr, Yr, rts=rts, solver=solver, screen=screen)
    sx, sy, Xs, Ys, Xrs, Yrs, frame, n_ref = d.sx, d.sy, d.Xs, d.Ys, d.Xrs, d.Yrs, d.frame, d.n_ref
    nr = Xrs.shape[0]
    G, c = restriction_rows(restrictions, Xs, Ys, sx, sy)
    K = G.shape[1]
    bounds = rts_bounds(rts)
    q = bounds is not None
    # variables [score, lam (nr), pi (K)]; rows [inputs (m), outputs (s), RTS]
    nrow, ncol = m + s + q, 1 + nr + K
    A = np.zeros((nrow, ncol))
    A[:m, 1:1 + nr] = Xrs.T
    A[m:m + s, 1:1 + nr] = Yrs.T
    if q:
        A[-1, 1:1 + nr] = 1.0
    vary = np.concatenate([[0], np.arange(1 + nr, ncol)])
    cols = np.zeros((n, nrow, 1 + K))
    cols[:, :m, 1:] = np.transpose(G[:, :, :m], (0, 2, 1))          # + G_x' pi in the input rows
    cols[:, m:m + s, 1:] = -np.transpose(G[:, :, m:], (0, 2, 1))    # - G_y' pi in the output rows
    lo = np.zeros((n, nrow))
    hi = np.zeros((n, nrow))
    costs = np.zeros((n, 1 + K))
    if orientation == Orientation.INPUT:      # X'lam + G_x'pi - theta x_o <= 0,  Y'lam - G_y'pi >= y_o
        cols[:, :m, 0] = -Xs
        lo[:, :m], hi[:, m:m + s] = -np.inf, np.inf
        lo[:, m:m + s] = Ys
        costs[:, 0], costs[:, 1:] = 1.0, -c
    else:                                     # X'lam + G_x'pi <= x_o,  Y'lam - G_y'pi - phi y_o >= 0
        cols[:, m:m + s, 0] = -Ys
        lo[:, :m], hi[:, :m] = -np.inf, Xs
        hi[:, m:m + s] = np.inf
        costs[:, 0], costs[:, 1:] = -1.0, -c
    if q:
        lo[:, -1], hi[:, -1] = bounds
    col_lo = np.zeros(ncol)
    col_lo[0] = -np.inf
    base = LPProblem(np.zeros(ncol), A, lo[0], hi[0], col_lo, np.full(ncol, np.inf))
    sol = solve_batch(solver, LPBatch(base, lo, hi, vary, cols, costs), "radial DEA with weight bounds")
    ok = sol.status == LPStatus.OPTIMAL
    # the optimal value is the multiplier efficiency: theta - c'pi (input), phi + c'pi (output); the
    # score variable alone when every restriction is homogeneous (c = 0)
    score = np.where(ok, sol.objective if orientation == Orientation.INPUT else -sol.objective, np.nan)
    lam = sp.csr_array(sol.x[:, 1:1 + nr])
    lam = on_reference(lam, frame, n_ref)
    return Envelopment(score, sol.status, lam, usage=sol.usage)


def dea_restrictions(weight_bounds, fd, *, model, rts, orientation: Orientation, super_efficiency: bool, scale: bool,
                     discretion) -> tuple[Restriction, ...]:
    """The restrictions of ``ef.dea(weight_bounds=)``, or :class:`SpecError` where the model cannot take
    them: only the radial model, input or output orientation, crs/vrs/nirs/ndrs, without
    super-efficiency, scale efficiency or non-discretionary variables."""
    if getattr(model, "value", model) != "radial":
        raise SpecError(f"weight_bounds: only the radial model takes weight restrictions, not {model.value!r}")
    if rts not in RADIAL_RTS:
        name = getattr(rts, "value", None) or type(rts).__name__.lower()
        raise SpecError(f"weight_bounds: returns to scale {name!r} is not one of crs, vrs, nirs, ndrs")
    if orientation not in (Orientation.INPUT, Orientation.OUTPUT):
        raise SpecError(f"weight_bounds: the orientation must be 'input' or 'output', not {orientation.value!r}")
    for flag, what in ((super_efficiency, "super_efficiency"), (scale, "scale"),
                       (discretion is not None, "nondiscretionary/noncontrollable")):
        if flag:
            raise SpecError(f"weight_bounds: not available together with {what}")
    return parse_weight_bounds(weight_bounds, fd.input_names, fd.output_names)
