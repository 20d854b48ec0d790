"""Dynamic SBM (Tone and Tsutsui 2010, "Dynamic DEA: a slacks-based measure approach", Omega 38,
145-156): DMUs observed over periods t = 1..T, linked by carry-overs that one period makes and the
next one uses.

DMU o, period t, inputs x_t (m), outputs y_t (s), carry-overs z_t of four kinds made in period t and
used in period t + 1, one intensity vector lambda^t per period:

    x_ot = X_t' lam^t + s-_t,          y_ot = Y_t' lam^t - s+_t,
    good carry-over  (desirable, like an output):   z^good_ot = Z^good_t' lam^t - s^good_t,
    bad carry-over   (undesirable, like an input):  z^bad_ot  = Z^bad_t'  lam^t + s^bad_t,
    free carry-over  (discretionary):               z^free_ot = Z^free_t' lam^t + s^free_t (s^free free),
    fixed carry-over (non-discretionary):           z^fix_ot  = Z^fix_t'  lam^t,
    continuity, every kind a, t = 1..T-1:           Z^a_t' lam^t = Z^a_t' lam^(t+1),
    RTS row per period (VRS: sum lam^t = 1), lam^t, s-, s+, s^good, s^bad >= 0.

The carry-over of the last period enters only that period's rows. With period weights w^t >= 0
summing to 1 (the paper's W^t / T; default equal) and

    A_t = 1 - (sum_i s-_it / x_iot + sum_i s^bad_it / z^bad_iot) / (m + nbad),
    B_t = 1 + (sum_r s+_rt / y_rot + sum_i s^good_it / z^good_iot) / (s + ngood),

the overall efficiencies are input-oriented sum_t w^t A_t (period efficiency A_t), output-oriented
1 / sum_t w^t B_t (period efficiency 1 / B_t) and non-oriented sum_t w^t A_t / sum_t w^t B_t (period
efficiency A_t / B_t) - the block LP of network SBM (``efficiency.network.sbm.solve_blocks``) with the
periods as blocks, bad carry-overs among the inputs, good ones among the outputs, fixed ones as
non-discretionary rows, and every carry-over a free link from period t to t + 1. Bad outputs (an
extension: the paper has none) join B_t as in SBM with undesirable outputs (Tone 2004). Zeros: a zero
input or bad carry-over drops out of its period's mean, a zero output or good carry-over is replaced by
one hundredth of the smallest positive value of its column in that period (in the continuity rows too),
as ``efficiency.dea.sbm`` does. With one period dynamic SBM is network SBM with one division.
"""

from __future__ import annotations

import numpy as np

from solvers import LPStatus

from ..dea.envelopment import backend, use_frame
from ..dea.sbm import _replace_zeros
from ..errors import DataError, SpecError
from .model import Link, Network, NetworkSolution
from .sbm import NO_FRAME, Block, Tie, check_block, parse_orientation, parse_rts, parse_weights, solve_blocks

#: Carry-over kinds (Tone and Tsutsui 2010), with the aliases accepted.
CARRY_KINDS = ("good", "bad", "free", "fixed")
_ALIASES = {"desirable": "good", "undesirable": "bad", "discretionary": "free", "non-discretionary": "fixed",
            "nondiscretionary": "fixed"}


def _kind(kind) -> str:
    key = str(kind).strip().lower().replace("_", "-")
    key = _ALIASES.get(key, key)
    if key not in CARRY_KINDS:
        raise SpecError(f"dynamic SBM: carry-over kind {kind!r} is not one of {', '.join(CARRY_KINDS)}")
    return key


def _panel(A, name: str, T: int | None, n: int | None) -> np.ndarray:
    """A (T, n, c) float array."""
    arr = np.asarray(A, dtype=float)
    if arr.ndim != 3:
        raise DataError(f"dynamic SBM: {name} has shape {arr.shape}, expected (periods, DMUs, columns)")
    if (T is not None and arr.shape[0] != T) or (n is not None and arr.shape[1] != n):
        raise DataError(f"dynamic SBM: {name} has shape {arr.shape}, expected ({T}, {n}, columns)")
    return arr


def _labels(given, prefix: str, c: int) -> tuple[str, ...]:
    given = tuple(given or ())
    return given if len(given) == c else tuple(f"{prefix}{j + 1}" for j in range(c))


def _from_arrays(X, Y, carry, bad_outputs, input_names, output_names, carry_names, periods):
    """Per-period lists from the (T, n, c) arrays."""
    X = _panel(X, "X (inputs)", None, None)
    T, n = X.shape[:2]
    Y = _panel(Y, "Y (outputs)", T, n)
    B = np.zeros((T, n, 0)) if bad_outputs is None else _panel(bad_outputs, "bad outputs", T, n)
    kinds: dict[str, np.ndarray] = {}
    for kind, Z in dict(carry or {}).items():
        key = _kind(kind)
        if key in kinds:
            raise SpecError(f"dynamic SBM: carry-over kind {key!r} given twice")
        kinds[key] = _panel(Z, f"carry-overs {key!r}", T, n)
    cn = {_kind(k): v for k, v in (carry_names or {}).items()}
    labels = tuple(str(p) for p in periods) if periods is not None and len(periods) == T else \
        tuple(str(t + 1) for t in range(T))
    xn, yn = _labels(input_names, "x", X.shape[2]), _labels(output_names, "y", Y.shape[2])
    bn = _labels(None, "b", B.shape[2])
    zn = {k: _labels(cn.get(k), f"{k}_", kinds[k].shape[2]) for k in kinds}
    periods_data = []
    for t in range(T):
        Z = {k: (kinds[k][t], zn[k]) for k in kinds}
        periods_data.append((X[t], xn, Y[t], yn, B[t], bn, Z))
    return labels, n, periods_data


def _from_network(net: Network, terminal):
    """Per-period lists from a Network: one division per period in order, links t -> t + 1 whose kind is
    a carry-over kind; ``terminal``: kind -> (n, c) the last period's carry-overs (the network cannot
    hold them: no link leaves the last period)."""
    divs = net.divisions
    T, n = len(divs), net.n
    labels = tuple(d.name for d in divs)
    index = {name: t for t, name in enumerate(labels)}
    carry: list[dict] = [{} for _ in range(T)]
    for link in net.links:
        if not isinstance(link, Link):
            raise SpecError(f"dynamic SBM: link {link!r} is not a Link")
        a, b = index.get(link.source), index.get(link.target)
        if a is None or b is None or b != a + 1:
            raise SpecError(f"dynamic SBM: carry-over {link.source} -> {link.target} does not join a period to the "
                            f"next one (periods in order: {', '.join(labels)})")
        key = _kind(link.kind)
        Z = np.asarray(link.Z, dtype=float)
        names = _labels(link.names, f"{key}_", Z.shape[1] if Z.ndim == 2 else 0)
        if key in carry[a]:
            Z0, n0 = carry[a][key]
            Z, names = np.hstack([Z0, Z]), n0 + names
        carry[a][key] = (Z, names)
    for kind, Z in dict(terminal or {}).items():
        key = _kind(kind)
        Z = np.asarray(Z, dtype=float)
        names = carry[T - 2][key][1] if T > 1 and key in carry[T - 2] else ()
        names = _labels(names, f"{key}_", Z.shape[1] if Z.ndim == 2 else 0)
        if key in carry[T - 1]:
            raise SpecError(f"dynamic SBM: terminal carry-overs {key!r} given twice")
        carry[T - 1][key] = (Z, names)
    periods_data = []
    for t, d in enumerate(divs):
        periods_data.append((d.X, _labels(d.input_names, "x", np.shape(d.X)[1]), d.Y,
                             _labels(d.output_names, "y", np.shape(d.Y)[1]), d.B,
                             _labels(d.bad_names, "b", np.shape(d.B)[1]), carry[t]))
    return labels, n, periods_data


def dynamic_sbm(X, Y=None, carry: dict | None = None, *, rts="crs", orientation="input", period_weights=None,
                weights=None, solver=None, screen: bool | None = None, bad_outputs=None, terminal: dict | None = None,
                input_names=None, output_names=None, carry_names: dict | None = None,
                periods=None) -> NetworkSolution:
    """Dynamic SBM (Tone and Tsutsui 2010) of n DMUs over T periods (module docstring).

    Data, either as arrays: ``X`` (T, n, m) inputs, ``Y`` (T, n, s) outputs, ``carry``: kind ->
    (T, n, c_kind) carry-overs, kinds 'good', 'bad', 'free', 'fixed' (carry[kind][t] is made in period
    t and used in t + 1; that of the last period enters its own rows only), ``bad_outputs`` (T, n, k)
    (optional); ``input_names``, ``output_names``, ``carry_names`` (kind -> names) and ``periods``
    (T labels) name the columns of ``targets`` and ``extra``;
    or as a :class:`Network` passed as ``X``: one division per period in order (its X, Y, B and names),
    links from each period to the next whose ``kind`` is the carry-over kind and whose Z holds period
    t's carry-overs; ``terminal``: kind -> (n, c) the last period's carry-overs (a network has no link
    out of the last period: without ``terminal`` the last period has no carry-over rows).

    ``rts``: 'crs', 'vrs', 'nirs', 'ndrs' for every period (or one per period); ``orientation``:
    'input', 'output' or 'none'; ``period_weights`` (alias ``weights``): None (equal), (T,) or (n, T),
    normalised to sum 1; ``solver``: an LPSolver or backend name; ``screen``: as network SBM (never
    screens; True is a :class:`SpecError`).

    Returns a :class:`NetworkSolution`: ``overall`` (n,), ``divisions`` (n, T) the period
    efficiencies, ``weights`` (n, T) the period weights used, ``status``, ``usage``; ``targets``:
    '<column>@<period>' -> projection (inputs x - s-, outputs y + s+, bad outputs b - sb, good
    carry-overs z + s^good, bad z - s^bad, free Z' lam^t, fixed observed); ``extra``:
    'slack_<column>@<period>' (free carry-overs: the signed z - Z' lam^t), 'lambda_sum@<period>',
    'input_term@<period>', 'output_term@<period>' (A_t, B_t).
    """
    orientation = parse_orientation(orientation)
    if weights is not None and period_weights is not None:
        raise SpecError("dynamic SBM: give period_weights or weights (the same thing), not both")
    period_weights = weights if period_weights is None else period_weights
    if isinstance(X, Network):
        if Y is not None or carry is not None or bad_outputs is not None:
            raise SpecError("dynamic SBM: with a Network, the data are its divisions and links (Y, carry and "
                            "bad_outputs must be None)")
        if not X.divisions:
            raise SpecError("dynamic SBM: a Network with at least one period")
        labels, n, raw = _from_network(X, terminal)
    else:
        if Y is None:
            raise SpecError("dynamic SBM: X (periods, DMUs, inputs) and Y (periods, DMUs, outputs), or a Network")
        if terminal is not None:
            raise SpecError("dynamic SBM: terminal is for the Network form; with arrays, carry[kind][-1] is the "
                            "last period's carry-overs")
        labels, n, raw = _from_arrays(X, Y, carry, bad_outputs, input_names, output_names, carry_names, periods)
    T = len(labels)
    rts_t = parse_rts(rts, T, "period")
    w = parse_weights(period_weights, n, T, "period", "period_weights")
    solver = backend(solver)
    use_frame(solver, screen, n, NO_FRAME)          # SpecError for screen=True; never screens
    data = []
    for t, (Xt, xn, Yt, yn, Bt, bn, Zt) in enumerate(raw):
        where = f"period {labels[t]}"
        Xt = check_block(Xt, n, f"{where} inputs", xn)
        Yt = check_block(Yt, n, f"{where} outputs", yn)
        Bt = check_block(Bt, n, f"{where} bad outputs", bn)
        Z = {}
        for k in CARRY_KINDS:
            M, names = Zt.get(k, (np.zeros((n, 0)), ()))
            Z[k] = (check_block(M, n, f"{where} {k} carry-overs", names), names)
        if Yt.shape[1]:
            Yt, _ = _replace_zeros(Yt, Yt)
        if Bt.shape[1]:
            Bt, _ = _replace_zeros(Bt, Bt)
        if Z["good"][0].shape[1]:
            Z["good"] = (_replace_zeros(Z["good"][0], Z["good"][0])[0], Z["good"][1])
        data.append((Xt, xn, Yt, yn, Bt, bn, Z))
    blocks = [Block(np.hstack([Xt, Z["bad"][0]]), np.hstack([Yt, Z["good"][0]]), Bt, Z["fixed"][0], rts_t[t])
              for t, (Xt, _, Yt, _, Bt, _, Z) in enumerate(data)]
    ties = []
    for t in range(T - 1):
        Zc = np.hstack([data[t][6][k][0] for k in CARRY_KINDS])
        if Zc.shape[1]:
            ties.append(Tie(t, t + 1, Zc))
    res = solve_blocks(blocks, ties, w, orientation, solver, "dynamic SBM")
    ok = res.status == LPStatus.OPTIMAL
    targets, extra = {}, {}
    for t, (Xt, xn, Yt, yn, Bt, bn, Z) in enumerate(data):
        p = labels[t]
        m, s = Xt.shape[1], Yt.shape[1]
        sx, sy = res.slack_x[t], res.slack_y[t]
        cols = [(Xt, sx[:, :m], xn, -1.0), (Z["bad"][0], sx[:, m:], Z["bad"][1], -1.0),
                (Yt, sy[:, :s], yn, 1.0), (Z["good"][0], sy[:, s:], Z["good"][1], 1.0),
                (Bt, res.slack_b[t], bn, -1.0)]
        for M, S, names, sign in cols:
            for j, nm in enumerate(names):
                targets[f"{nm}@{p}"] = np.where(ok, M[:, j] + sign * S[:, j], np.nan)
                extra[f"slack_{nm}@{p}"] = S[:, j].copy()
        Zf, fn = Z["free"]
        free = np.where(ok[:, None], res.lambdas[t] @ Zf, np.nan)
        for j, nm in enumerate(fn):
            targets[f"{nm}@{p}"] = free[:, j]
            extra[f"slack_{nm}@{p}"] = np.where(ok, Zf[:, j] - free[:, j], np.nan)
        Zx, xn_ = Z["fixed"]
        for j, nm in enumerate(xn_):
            targets[f"{nm}@{p}"] = np.where(ok, Zx[:, j], np.nan)
        extra[f"lambda_sum@{p}"] = res.lambda_sum[:, t].copy()
        extra[f"input_term@{p}"] = res.A[:, t].copy()
        extra[f"output_term@{p}"] = res.Bterm[:, t].copy()
    return NetworkSolution(overall=res.overall, divisions=res.divisions, status=res.status, usage=res.usage,
                           weights=w, targets=targets, extra=extra)
