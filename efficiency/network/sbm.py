"""Network SBM (Tone and Tsutsui 2009, "Network DEA: a slacks-based measure approach", EJOR 197,
243-252), and the block LP that it shares with dynamic SBM (``efficiency.network.dynamic``).

DMU o, divisions k = 1..K with their own inputs x^k (m_k), final outputs y^k (r_k) and bad outputs
b^k (k_k), one intensity vector lambda^k per division, and links z^(k,h) (division k makes them,
division h uses them):

    x_o^k = X^k' lam^k + s^k-,   y_o^k = Y^k' lam^k - s^k+,   b_o^k = B^k' lam^k + s^kb,
    RTS row per division (VRS: sum lam^k = 1), lam^k, s >= 0,
    free link  (discretionary):      Z^(k,h)' lam^h = Z^(k,h)' lam^k     (the link may change),
    fixed link (non-discretionary):  Z^(k,h)' lam^k = z_o^(k,h) = Z^(k,h)' lam^h.

With division weights w^k >= 0, sum w^k = 1 (default equal), the division's input and output terms

    A_k = 1 - (1/m_k) sum_i s^k-_i / x^k_io,
    B_k = 1 + (1/(r_k + k_k)) (sum_r s^k+_r / y^k_ro + sum_l s^kb_l / b^k_lo)

give the overall efficiencies (Tone and Tsutsui 2009, section 3):

    input-oriented   theta* = min sum_k w^k A_k              division k: A_k
    output-oriented  tau*   = 1 / max sum_k w^k B_k          division k: 1 / B_k
    non-oriented     rho*   = min sum_k w^k A_k / sum_k w^k B_k    division k: A_k / B_k

so that the input-oriented overall score is the weighted mean of the division scores and the output-
oriented one their weighted harmonic mean. All three are one LP per DMU by the Charnes-Cooper
transformation (t = 1 / sum_k w^k B_k; input orientation: t = 1), as ``efficiency.dea.sbm`` solves
plain SBM; the LPs of all DMUs go through the toolkit's batched backends (``solve_batch``).

Bad outputs follow SBM with undesirable outputs (Tone 2004): they join the division's output term.
Zeros follow ``efficiency.dea.sbm`` (Tone 2001, deaR): a zero input drops out of its division's mean
(m_k counts the DMU's positive inputs), a zero good or bad output is replaced by one hundredth of the
smallest positive value of its column. A division without inputs (outputs) has A_k = 1 (B_k = 1).
With one division and no links NSBM is SBM (``ef.dea(model="sbm")``), in every orientation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from solvers import BatchSolution, LPBatch, LPProblem, LPStatus, Usage
from solvers.base import stack

from ..dea.envelopment import DEFAULT_CHUNK, GRS, backend, column_scale, solve_batch, use_frame
from ..dea.sbm import _replace_zeros, _rts_rows
from ..errors import DataError, SpecError
from ..progress import Progress
from ..spec import RTS, Orientation
from .model import Division, Link, Network, NetworkSolution

#: Why frame screening (``screen=True``) is refused: the frame of one technology assumes free
#: disposability of every variable, which the links' equality rows between divisions break.
NO_FRAME = ("links are equality rows between the divisions' intensity vectors, so the frame of a "
            "single technology does not span the network technology")

#: Bytes of the varying-column block of one batch of LPs handed to a backend (the batch is built and
#: solved in chunks of DMUs that keep it below this).
BATCH_BYTES = 32 * 2 ** 20

LINK_KINDS = ("free", "fixed")


# ----------------------------------------------------------------------------------------------------
# The block LP: K blocks (divisions, periods) with their own lambdas, tied by equality rows.

@dataclass(frozen=True)
class Block:
    """One division (period) of the block LP, on data already made SBM-ready (zeros of Y and B
    replaced): X (n, m) inputs whose slacks form the input term A, Y (n, s) good and B (n, k) bad
    outputs whose slacks form the output term B, F (n, f) non-discretionary rows F' lam = f_o, and
    the returns-to-scale row on sum(lam)."""

    X: np.ndarray
    Y: np.ndarray
    B: np.ndarray
    F: np.ndarray
    rts: RTS | GRS


@dataclass(frozen=True)
class Tie:
    """Equality rows Z' lam^a = Z' lam^b between blocks a and b (a link, a carry-over)."""

    a: int
    b: int
    Z: np.ndarray


@dataclass(frozen=True)
class BlockSolution:
    """The block LP's answer per DMU (data units): ``overall`` the optimal value, ``A``/``Bterm``
    (n, K) the blocks' input and output terms, ``divisions`` (n, K) the block efficiencies of the
    orientation, slacks per block (``slack_x``, ``slack_y``, ``slack_b``: lists of (n, .)), ``tie``
    the values Z' lam^a of every tie (list of (n, l)), ``lambda_sum`` (n, K), ``lambdas`` one sparse
    (n, n) matrix per block, ``t`` the Charnes-Cooper scale, ``status``, ``usage``."""

    overall: np.ndarray
    A: np.ndarray
    Bterm: np.ndarray
    divisions: np.ndarray
    slack_x: list
    slack_y: list
    slack_b: list
    tie: list
    lambda_sum: np.ndarray
    lambdas: list
    t: np.ndarray
    status: np.ndarray
    usage: Usage


def _input_weights(Xs: np.ndarray) -> np.ndarray:
    """1 / (m_o x_io) for the positive inputs (m_o: the DMU's number of positive inputs), 0 for zeros:
    the weights of the input slacks in A (``efficiency.dea.sbm``'s convention)."""
    npos = np.maximum((Xs > 0).sum(axis=1), 1)
    with np.errstate(divide="ignore"):
        return np.where(Xs > 0, 1.0 / (npos[:, None] * Xs), 0.0)


def solve_order(scaled: list[list[np.ndarray]]) -> np.ndarray:
    """An order of the DMUs in which consecutive LPs are alike, so that a warm-started backend
    (HiGHS) re-solves each from a nearby optimal basis: every DMU's mix (its shares of each block's
    input, output and fixed columns, scaled data) projected on the first two principal components,
    then a snake through sqrt(n / 4) strips of the first component. Results do not depend on it (the
    optimal values are unique); on the benchmark's two-stage chain it halves the simplex time."""
    n = scaled[0][0].shape[0]
    feats = []
    for Ps in scaled:
        for group in (Ps[0], np.hstack([Ps[1], Ps[2]]), Ps[3]):
            if group.shape[1] > 1:
                tot = group.sum(axis=1, keepdims=True)
                feats.append(np.divide(group, tot, out=np.zeros_like(group), where=tot > 0))
    if not feats or n < 16:
        return np.arange(n)
    F = np.hstack(feats)
    F = F - F.mean(axis=0)
    try:
        U = F @ np.linalg.svd(F, full_matrices=False)[2][:2].T
    except np.linalg.LinAlgError:          # pragma: no cover - the natural order is as good a fallback
        return np.arange(n)
    if U.shape[1] < 2:
        return np.argsort(U[:, 0], kind="stable")
    bins = max(1, round(np.sqrt(n / 4.0)))
    strip = np.minimum(np.argsort(np.argsort(U[:, 0], kind="stable"), kind="stable") * bins // n, bins - 1)
    return np.lexsort((np.where(strip % 2 == 0, U[:, 1], -U[:, 1]), strip))


def solve_blocks(blocks: list[Block], ties: list[Tie], weights: np.ndarray, orientation: Orientation,
                 solver, label: str = "network SBM") -> BlockSolution:
    """Solve the block LP of every DMU (module docstring) with block weights ``weights`` (n, K), rows
    summing to 1, on backend ``solver`` (an LPSolver).

    Charnes-Cooper form, variables [t, Lambda^1..Lambda^K (n each), then per block S- (m), S+ (s),
    Sb (k)] (t times lambda and the slacks), data column-scaled by their means:

        min  t - aux_i sum_k w^k sum_i S^k-_i / (m_k x^k_io)
        s.t. t + aux_o sum_k w^k (sum_r S^k+_r / y^k_ro + sum_l S^kb_l / b^k_lo) / (r_k + k_k) = 1
             X^k' Lambda^k + S^k- = t x^k_o,  Y^k' Lambda^k - S^k+ = t y^k_o,  B^k' Lambda^k + S^kb = t b^k_o,
             F^k' Lambda^k = t f^k_o,  RTS rows on sum(Lambda^k) against t,
             Z' Lambda^a - Z' Lambda^b = 0 for every tie,

    aux_i = 0 under output orientation, aux_o = 0 under input orientation (then t = 1). The oriented
    models need no transformation (input: min sum_k w^k A_k; output: max sum_k w^k B_k, overall
    1 / max): they are solved in that direct form, t fixed at 1 by the first row and the DMU's data in
    the row bounds, so that only row bounds and costs change from one DMU to the next and the
    backend's warm start keeps its factorised basis (HiGHS); the non-oriented model has its data in
    the t column instead.
    """
    K = len(blocks)
    n = blocks[0].X.shape[0]
    aux_i = 0.0 if orientation == Orientation.OUTPUT else 1.0
    aux_o = 0.0 if orientation == Orientation.INPUT else 1.0
    # scaled data and slack weights per block
    scaled, w_in, w_out, scales = [], [], [], []
    for blk in blocks:
        parts = [blk.X, blk.Y, blk.B, blk.F]
        sc = [column_scale(P) if P.shape[1] else np.ones(0) for P in parts]
        Ps = [P / s for P, s in zip(parts, sc)]
        scaled.append(Ps)
        scales.append(sc)
        w_in.append(_input_weights(Ps[0]))
        out = np.hstack([Ps[1], Ps[2]])
        w_out.append(1.0 / (out.shape[1] * out) if out.shape[1] else np.zeros((n, 0)))
    tie_scale = [column_scale(tie.Z) if tie.Z.shape[1] else np.ones(0) for tie in ties]
    tie_Zs = [tie.Z / s for tie, s in zip(ties, tie_scale)]
    # layout
    dims = [(Ps[0].shape[1], Ps[1].shape[1], Ps[2].shape[1], Ps[3].shape[1]) for Ps in scaled]
    rts_rows = [_rts_rows(blk.rts) for blk in blocks]
    lam0 = 1 + np.arange(K) * n                                    # first column of Lambda^k
    nslack = [m + s + k for m, s, k, _ in dims]
    slack0 = 1 + K * n + np.concatenate([[0], np.cumsum(nslack)[:-1]]).astype(int)
    ncol = 1 + K * n + int(sum(nslack))
    row0 = []                                                      # first row of block k
    r = 1
    for (m, s, k, f), q in zip(dims, rts_rows):
        row0.append(r)
        r += m + s + k + f + len(q)
    tie0 = []
    for Zs in tie_Zs:
        tie0.append(r)
        r += Zs.shape[1]
    nrow = r
    A = np.zeros((nrow, ncol))
    lo = np.zeros(nrow)
    hi = np.zeros(nrow)
    lo[0] = hi[0] = 1.0
    for kb, (Ps, (m, s, k, f), q) in enumerate(zip(scaled, dims, rts_rows)):
        lam = slice(lam0[kb], lam0[kb] + n)
        r = row0[kb]
        for P in Ps:
            A[r:r + P.shape[1], lam] = P.T
            r += P.shape[1]
        for a_, lo_, hi_ in q:
            A[r, lam] = 1.0
            lo[r], hi[r] = lo_, hi_
            r += 1
        c = slack0[kb]                                             # the slacks' constant entries
        rx, ry, rb = row0[kb], row0[kb] + m, row0[kb] + m + s
        A[rx:rx + m, c:c + m] = np.eye(m)
        A[ry:ry + s, c + m:c + m + s] = -np.eye(s)
        A[rb:rb + k, c + m + s:c + m + s + k] = np.eye(k)
    for tie, Zs, r in zip(ties, tie_Zs, tie0):
        A[r:r + Zs.shape[1], lam0[tie.a]:lam0[tie.a] + n] += Zs.T
        A[r:r + Zs.shape[1], lam0[tie.b]:lam0[tie.b] + n] -= Zs.T
    direct = orientation != Orientation.NONE
    A[0, 0] = 1.0                                                  # t in the normalisation row
    for kb, (m, s, k, f) in enumerate(dims):                       # t in the RTS rows: sum(Lambda) - a t
        r = row0[kb] + m + s + k + f
        for a_, _, _ in rts_rows[kb]:
            A[r, 0] = -a_
            r += 1
    c0 = np.zeros(ncol)
    c0[0] = 1.0
    base = LPProblem(c0, A, lo, hi, np.zeros(ncol), np.full(ncol, np.inf))
    vary = np.concatenate([[] if direct else [0], np.arange(1 + K * n, ncol)]).astype(np.int64)
    p = vary.size
    shift = 1 + K * n - (0 if direct else 1)                       # column - shift = position in vary

    def batch(rows: np.ndarray) -> LPBatch:
        """The LPs of DMUs ``rows``."""
        c = rows.size
        costs = np.zeros((c, p))
        row_lo, row_hi = np.tile(lo, (c, 1)), np.tile(hi, (c, 1))
        cols = None
        if not direct:
            cols = np.zeros((c, nrow, p))
            cols[:, :, :] = A[:, vary]
            costs[:, 0] = 1.0
        for kb, (Ps, (m, s, k, f)) in enumerate(zip(scaled, dims)):
            r = row0[kb]
            for P in Ps:                                           # the DMU's -x_o, -y_o, -b_o, -f_o
                if direct:                                         # ... in the row bounds (t = 1)
                    row_lo[:, r:r + P.shape[1]] = row_hi[:, r:r + P.shape[1]] = P[rows]
                else:                                              # ... in the t column
                    cols[:, r:r + P.shape[1], 0] = -P[rows]
                r += P.shape[1]
            j = slack0[kb] - shift                                 # position of S^k- among vary
            w = weights[rows, kb][:, None]
            costs[:, j:j + m] = -aux_i * w * w_in[kb][rows]
            if direct:                                             # output: min 1 - (sum_k w^k B_k - 1)
                costs[:, j + m:j + m + s + k] = -aux_o * w * w_out[kb][rows]
            else:
                cols[:, 0, j + m:j + m + s + k] = w * w_out[kb][rows]
        return LPBatch(base, row_lo, row_hi, vary, cols, costs)

    chunk = int(max(1, min(DEFAULT_CHUNK, BATCH_BYTES // max(1, 8 * (nrow * (1 if direct else p) + p)))))
    order = solve_order(scaled)
    parts = []
    with Progress(n, label) as bar:
        for start in range(0, n, chunk):
            rows = order[start:start + chunk]
            parts.append(solve_batch(solver, batch(rows), label))
            bar.advance(rows.size)
    sol = stack(parts) if len(parts) > 1 else parts[0]
    back = np.empty(n, dtype=np.int64)
    back[order] = np.arange(n)                                     # DMU i was solved at position back[i]
    sol = BatchSolution(sol.status[back], sol.objective[back], sp.csr_array(sol.x[back]), sol.usage)
    status = sol.status.astype(np.int8).copy()
    ok = status == LPStatus.OPTIMAL
    t = sol.x[:, [0]].toarray().ravel()
    # t = 0 at an optimum: the outputs can grow without bound (efficiency -> 0); no finite score
    unbounded = ok & ~(t > 1e-12)
    status[unbounded] = LPStatus.UNBOUNDED
    ok &= ~unbounded
    t_safe = np.where(ok, t, np.nan)
    overall = np.where(ok, sol.objective, np.nan)
    if orientation == Orientation.OUTPUT:                          # objective = 2 - sum_k w^k B_k
        overall = 1.0 / (2.0 - overall)
    S = sol.x[:, 1 + K * n:].toarray() / t_safe[:, None]
    A_t = np.ones((n, K))
    B_t = np.ones((n, K))
    slack_x, slack_y, slack_b, lambdas = [], [], [], []
    lam_sum = np.zeros((n, K))
    inv_t = np.nan_to_num(1.0 / t_safe)
    for kb, ((m, s, k, f), sc) in enumerate(zip(dims, scales)):
        j = slack0[kb] - 1 - K * n
        sx_, sy_, sb_ = S[:, j:j + m], S[:, j + m:j + m + s], S[:, j + m + s:j + m + s + k]
        A_t[:, kb] = 1.0 - (w_in[kb] * sx_).sum(axis=1)
        B_t[:, kb] = 1.0 + (w_out[kb] * np.hstack([sy_, sb_])).sum(axis=1)
        slack_x.append(sx_ * sc[0])
        slack_y.append(sy_ * sc[1])
        slack_b.append(sb_ * sc[2])
        lam = sp.csr_array(sol.x[:, lam0[kb]:lam0[kb] + n].multiply(inv_t[:, None]))
        lambdas.append(lam)
        lam_sum[:, kb] = np.where(ok, np.asarray(lam.sum(axis=1)).ravel(), np.nan)
    A_t[~ok] = np.nan
    B_t[~ok] = np.nan
    if orientation == Orientation.INPUT:
        div = A_t
    elif orientation == Orientation.OUTPUT:
        div = 1.0 / B_t
    else:
        div = A_t / B_t
    tie_values = [np.where(ok[:, None], lambdas[tie.a] @ tie.Z, np.nan) for tie in ties]
    return BlockSolution(overall, A_t, B_t, div, slack_x, slack_y, slack_b, tie_values, lam_sum, lambdas,
                         t_safe, status, sol.usage)


# ----------------------------------------------------------------------------------------------------
# Shared option and data checks

def parse_rts(rts, K: int, what: str = "division") -> list[RTS | GRS]:
    """One RTS (enum, string or GRS) for every block, or a sequence of K of them."""
    if isinstance(rts, (list, tuple)):
        if len(rts) != K:
            raise SpecError(f"rts: {len(rts)} values for {K} {what}s; give one for all or one per {what}")
        out = [r if isinstance(r, GRS) else RTS.parse(r, name="rts") for r in rts]
    else:
        out = [rts if isinstance(rts, GRS) else RTS.parse(rts, name="rts")] * K
    for r in out:
        if not isinstance(r, GRS) and r in (RTS.FDH, RTS.FRH, RTS.GRS):
            raise SpecError(f"rts={r.value!r} is not available for network and dynamic SBM; use 'crs', 'vrs', "
                            "'nirs' or 'ndrs'")
    return out


def parse_orientation(orientation) -> Orientation:
    o = Orientation.parse(orientation, name="orientation")
    if o == Orientation.GRAPH:
        raise SpecError("orientation='graph' is not available for network and dynamic SBM; use 'input', "
                        "'output' or 'none'")
    return o


def parse_weights(weights, n: int, K: int, what: str = "division", name: str = "weights") -> np.ndarray:
    """Block weights as (n, K) rows summing to 1: None -> equal; one value per block (K,), or one row per
    DMU (n, K); non-negative, not all zero (then normalised)."""
    if weights is None:
        return np.full((n, K), 1.0 / K)
    w = np.asarray(weights, dtype=float)
    if w.ndim == 1:
        if w.size != K:
            raise SpecError(f"{name}: {w.size} values for {K} {what}s")
        w = np.tile(w, (n, 1))
    elif w.shape != (n, K):
        raise SpecError(f"{name}: shape {w.shape}, expected ({K},) or ({n}, {K})")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise SpecError(f"{name}: {what} weights must be finite and non-negative")
    total = w.sum(axis=1)
    if np.any(total <= 0):
        raise SpecError(f"{name}: the {what} weights of a DMU sum to 0")
    return w / total[:, None]


def check_block(M, n: int, where: str, names=()) -> np.ndarray:
    """A non-negative finite (n, c) float array; :class:`DataError` naming ``where`` and the column."""
    A = np.asarray(M, dtype=float)
    if A.ndim == 1 and A.size == 0:
        A = A.reshape(n, 0)
    if A.ndim != 2 or A.shape[0] != n:
        raise DataError(f"{where}: shape {A.shape}, expected ({n}, columns)")
    bad = ~np.isfinite(A) | (A < 0)
    if bad.any():
        r, c = (int(v[0]) for v in np.nonzero(bad))
        col = names[c] if c < len(names) else f"column {c + 1}"
        what = "missing or infinite" if not np.isfinite(A[r, c]) else "negative"
        raise DataError(f"{where}, {col}, row {r + 1}: {what} value {A[r, c]!r}; network and dynamic SBM need "
                        "finite non-negative data")
    return A


# ----------------------------------------------------------------------------------------------------
# Network SBM

def _names(given, prefix: str, c: int) -> tuple[str, ...]:
    given = tuple(given or ())
    return given if len(given) == c else tuple(f"{prefix}{j + 1}" for j in range(c))


def _link_kind(link: Link) -> str:
    kind = str(link.kind).strip().lower().replace("_", "-")
    kind = {"discretionary": "free", "non-discretionary": "fixed", "nondiscretionary": "fixed"}.get(kind, kind)
    if kind not in LINK_KINDS:
        raise SpecError(f"link {link.source} -> {link.target}: kind {link.kind!r} is not one of 'free', 'fixed'")
    return kind


def nsbm(network: Network, *, rts="crs", orientation="input", weights=None, solver=None,
         screen: bool | None = None) -> NetworkSolution:
    """Network SBM (Tone and Tsutsui 2009) of every DMU of ``network`` (module docstring).

    ``rts``: 'crs', 'vrs', 'nirs', 'ndrs' (an RTS, a string or a GRS), one for every division or a
    sequence with one per division; ``orientation``: 'input', 'output' or 'none' (non-oriented);
    ``weights``: division weights, None (equal), one per division or an (n, K) array, normalised to
    sum 1; ``solver``: an LPSolver or a backend name (None: the default backend, whose generic LPs go
    to HiGHS when it solves envelopment LPs only); ``screen``: frame screening is not valid for
    network models (``NO_FRAME``): None or False, True is a :class:`SpecError`.

    Returns a :class:`NetworkSolution`: ``overall`` (n,), ``divisions`` (n, K) the division
    efficiencies, ``weights`` (n, K) the division weights used, ``status``, ``usage``; ``targets``: the
    projection of every input (x - s-), good output (y + s+), bad output (b - sb) and link (free: the
    common value Z' lam^source = Z' lam^target; fixed: observed) by column name (qualified as
    '<division>:<name>' where a name recurs); ``extra``: 'slack_<name>' per input and output column,
    'lambda_sum_<division>', and 'input_term_<division>' / 'output_term_<division>' (A_k, B_k).
    """
    orientation = parse_orientation(orientation)
    if not isinstance(network, Network) or not network.divisions:
        raise SpecError("nsbm: a Network with at least one division")
    divs = network.divisions
    K = len(divs)
    n = np.asarray(divs[0].X).shape[0]
    names = [d.name for d in divs]
    if len(set(names)) != K:
        raise SpecError(f"nsbm: division names must be unique, got {names}")
    index = {name: k for k, name in enumerate(names)}
    rts_k = parse_rts(rts, K)
    w = parse_weights(weights, n, K)
    solver = backend(solver)
    use_frame(solver, screen, n, NO_FRAME)          # SpecError for screen=True; never screens
    # divisions: checked, zeros of good and bad outputs replaced (efficiency.dea.sbm)
    data, col_names = [], []
    for d in divs:
        if not isinstance(d, Division):
            raise SpecError(f"nsbm: division {d!r} is not a Division")
        X = check_block(d.X, n, f"division {d.name!r} inputs", d.input_names)
        Y = check_block(d.Y, n, f"division {d.name!r} outputs", d.output_names)
        B = check_block(d.B, n, f"division {d.name!r} bad outputs", d.bad_names)
        if Y.shape[1]:
            Y, _ = _replace_zeros(Y, Y)
        if B.shape[1]:
            B, _ = _replace_zeros(B, B)
        data.append([X, Y, B])
        col_names.append((_names(d.input_names, f"{d.name}_x", X.shape[1]),
                          _names(d.output_names, f"{d.name}_y", Y.shape[1]),
                          _names(d.bad_names, f"{d.name}_b", B.shape[1])))
    fixed = [[] for _ in range(K)]                  # per division: fixed link columns (F rows)
    ties, links = [], []
    for link in network.links:
        if not isinstance(link, Link):
            raise SpecError(f"nsbm: link {link!r} is not a Link")
        for end in (link.source, link.target):
            if end not in index:
                raise SpecError(f"link {link.source} -> {link.target}: unknown division {end!r} (divisions: "
                                f"{', '.join(names)})")
        if link.source == link.target:
            raise SpecError(f"link {link.source} -> {link.target}: a link joins two different divisions")
        Z = check_block(link.Z, n, f"link {link.source} -> {link.target}", link.names)
        kind = _link_kind(link)
        a, b = index[link.source], index[link.target]
        if kind == "free":
            ties.append(Tie(a, b, Z))
        else:
            fixed[a].append(Z)
            fixed[b].append(Z)
        links.append((link, Z, kind, len(ties) - 1 if kind == "free" else None))
    blocks = [Block(X, Y, B, np.hstack(fixed[k]) if fixed[k] else np.zeros((n, 0)), rts_k[k])
              for k, (X, Y, B) in enumerate(data)]
    res = solve_blocks(blocks, ties, w, orientation, solver, "network SBM")
    ok = res.status == LPStatus.OPTIMAL
    # targets and slacks by column name
    seen: dict[str, int] = {}
    for xs, ys, bs in col_names:
        for nm in (*xs, *ys, *bs):
            seen[nm] = seen.get(nm, 0) + 1
    targets, extra = {}, {}

    def key(div: str, nm: str) -> str:
        return nm if seen.get(nm, 0) == 1 else f"{div}:{nm}"

    for k, ((X, Y, B), (xs, ys, bs)) in enumerate(zip(data, col_names)):
        for M, S, nms, sign, prefix in ((X, res.slack_x[k], xs, -1.0, "slack_"), (Y, res.slack_y[k], ys, 1.0, "slack_"),
                                        (B, res.slack_b[k], bs, -1.0, "slack_")):
            for j, nm in enumerate(nms):
                kk = key(names[k], nm)
                targets[kk] = np.where(ok, M[:, j] + sign * S[:, j], np.nan)
                extra[prefix + kk] = S[:, j].copy()
        extra[f"lambda_sum_{names[k]}"] = res.lambda_sum[:, k].copy()
        extra[f"input_term_{names[k]}"] = res.A[:, k].copy()
        extra[f"output_term_{names[k]}"] = res.Bterm[:, k].copy()
    for link, Z, kind, ti in links:
        lnames = _names(link.names, f"{link.source}->{link.target}_z", Z.shape[1])
        value = res.tie[ti] if kind == "free" else np.where(ok[:, None], Z, np.nan)
        for j, nm in enumerate(lnames):
            kk = nm if nm not in targets else f"{link.source}->{link.target}:{nm}"
            targets[kk] = value[:, j].copy()
    return NetworkSolution(overall=res.overall, divisions=res.divisions, status=res.status, usage=res.usage,
                           weights=w, targets=targets, extra=extra)
