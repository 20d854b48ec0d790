"""Two-stage and network DEA in multiplier (ratio) form: the relational, additive, leader-follower and
centralised models.

A network has K divisions (stages, processes). Division p of DMU j turns its inputs and the links it
receives into its final outputs and the links it sends on. With non-negative multipliers q (one per
input, output and link column, or one per group of columns that share a multiplier) its virtual output
and input are

    N_pj = q . out_pj (+ u0_p)      D_pj = q . in_pj (- u0_p)

(``out`` holds the final outputs and outgoing links, ``in`` the inputs and incoming links; the free
intercept u0_p exists under VRS only and sits on the output side under the input orientation, on the
input side under the output orientation, as in the BCC multiplier model). Every model keeps every
division of every DMU at a ratio of at most 1,

    N_pj <= D_pj        (p = 1..K, j = 1..n)        (*)

a link carries one multiplier whether its source makes it or its target uses it, and the efficiency of
division p of DMU o is e_p = N_po / D_po. The models (DMU o; every ratio below is maximised over (*)
by the Charnes-Cooper transformation: its denominator set to 1):

* ``relational`` - Kao and Hwang (2008, EJOR 185, 418-429) for two stages and Kao (2009, EJOR 192,
  949-962) for general networks, CRS: the system efficiency E = sum of the final outputs / sum of the
  inputs (all divisions', virtual). In a two-stage series E = e_1 x e_2 (the virtual intermediate is
  the first stage's output and the second's input); in general 1 - E = sum_p d_p (1 - e_p), d_p =
  D_p / the system's virtual input (Kao 2009: the system's inefficiency slack is the sum of the
  processes'). Kao and Hwang's constraint of the whole system (outputs <= inputs) is the sum of (*)
  and is left out.
* ``centralised`` - Liang, Cook and Zhu (2008, NRL 55, 643-653), two-stage series, CRS: max e_1 x e_2
  = u.y / v.x over (*) with one multiplier for the intermediates in both stages; the same LP as the
  relational model (they show the two coincide).
* ``additive`` - Chen, Cook, Li and Zhu (2009, EJOR 196, 1170-1176), CRS and VRS, any network (Cook,
  Zhu, Bi and Yang 2010): E = sum_p N_p / sum_p D_p = sum_p w_p e_p with w_p = D_p / sum_q D_q, the
  division's share of the network's virtual input (two stages: w_1 = v.x / (v.x + eta.z), w_2 =
  eta.z / (v.x + eta.z)). Output orientation: Farrell 1/E = sum_p w_p / e_p with w_p = N_p / sum N,
  the share of the virtual output (Chen et al.'s output-oriented model, weights from the outputs).
* ``leader-follower`` - Liang, Cook and Zhu (2008), two-stage series, CRS: the leader's CCR efficiency
  e_L* over its own rows of (*), then the follower's e_F = max N_F / D_F over all rows of (*) keeping
  N_L / D_L = e_L*; E = e_L* x e_F.

**The split is not unique.** Every model but leader-follower fixes E; the division efficiencies then
depend on which optimal multipliers are taken. ``priority`` (the divisions in order; default: the
first stage first) makes the choice: max e_first keeping E (Kao and Hwang 2008, section 4; Chen et al.
2009, model (8)), then the next division keeping both, and so on (K - 1 LPs). The last division's
efficiency then follows from the model's identity (e_2 = E / e_1 in a two-stage relational model,
e_2 = (E - w_1 e_1) / w_2 in the additive one), so the identities hold to rounding.

**Degenerate splits.** Without the non-Archimedean lower bound on the multipliers of the papers, an
optimum may put a division's virtual input at 0 (under VRS the additive model's overall optimum can
need the intermediates' multipliers at 0: stage 1 alone, with its intercept, carries the score). The
division's ratio is then 0/0 (Ang and Chen 2016 discuss this pitfall of the additive model). Where the
split found gives a division less than 1e-4 of the system's virtual input (output-oriented additive
model: output), the optimum of the same LPs that gives it the largest share is taken instead (one more
LP for those DMUs); if that share is still below 5e-7 the division's efficiency is NaN, with a
SolveWarning (the overall efficiency is unaffected). A division whose efficiency later LPs keep also
keeps at least 1e-6 of the system's virtual input (else the kept ratio would hold at 0/0). The
output-oriented additive model may report 0 for a stage with no virtual output at any optimum.

**Orientation.** Under CRS the ratios are homogeneous: input and output orientation give the same
efficiencies (and the same split); the additive model then differs only in its weights (input or
output sizes). Under VRS (additive) the orientation places the intercepts as above.

**How.** Every LP is solved on column-scaled data (each multiplier's columns divided by their common
mean; multipliers scaled back), as a batch of generic LPs (``solvers.LPBatch``) through the toolkit's
backends (the numba default hands them to HiGHS, warm-started between DMUs). The rows of (*) for
division p are the multiplier constraints of a DEA technology in p's own inputs and outputs; the rows
of DMUs outside that technology's frame (extreme-efficient DMUs, Dula 2011) are implied by the frame's
for every q >= 0 (``efficiency.multiplier``), so with ``screen`` (default from 64 DMUs) each division
keeps the rows of its frame only: the same optima, far smaller LPs.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from solvers import LPBatch, LPProblem, LPSolver, LPStatus, Usage

from ..dea.envelopment import SCREEN_MIN, column_scale, frame as find_frame, solve_batch
from ..errors import SolveWarning, SpecError
from ..multiplier import KEEP_RTOLS, RETRY
from ..progress import Progress
from ..spec import RTS, Orientation
from .model import Network, NetworkSolution

__all__ = ["MODELS", "compile_network", "solve_model", "Compiled"]

#: The models of this module (``ef.network(model=...)``).
MODELS = ("relational", "additive", "leader-follower", "centralised")
#: Returns to scale each model takes.
MODEL_RTS = {"relational": (RTS.CRS,), "centralised": (RTS.CRS,), "leader-follower": (RTS.CRS,),
             "additive": (RTS.CRS, RTS.VRS)}
#: Bytes of per-DMU LP columns built at a time (the varying columns of a batch are dense).
CHUNK_BYTES = 32 * 2 ** 20
#: A division's virtual input below this (scaled units) leaves its efficiency undefined (NaN).
TINY = 1e-12
#: A division whose virtual input is below this share of the system's (the model's normalising form) at
#: the optimal split has no defined efficiency (NaN): its ratio is 0/0 in exact arithmetic and noise in
#: floating point.
UNDEFINED = 5e-7
#: A split whose last division has less than this share of the system's virtual input is replaced by
#: the optimum (of the same LPs) that gives it the largest share.
RESCUE = 1e-4
#: Divisions whose efficiency a later LP keeps also keep at least this share of the system's virtual
#: input (else the kept ratio N - e D >= 0 would hold at N = D = 0, an undefined ratio).
FLOOR = 1e-6


# --------------------------------------------------------------------------------------------------
# The network as linear forms on the multipliers
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Compiled:
    """A network on column-scaled data: P multipliers (``groups``, named by their column or the name of
    the group of columns that share it; ``kinds`` 'v' input, 'u' output, 'w' link), their ``scale``,
    and per division p the scaled ``out[p]`` (n, P) (final outputs and links sent) and ``inp[p]``
    (n, P) (inputs and links received); ``sys_out``/``sys_in`` (n, P) the whole system's final outputs
    and inputs (links are internal)."""

    names: tuple[str, ...]
    groups: tuple[str, ...]
    kinds: tuple[str, ...]
    scale: np.ndarray
    out: np.ndarray
    inp: np.ndarray
    sys_out: np.ndarray
    sys_in: np.ndarray

    @property
    def K(self) -> int:
        return len(self.names)

    @property
    def P(self) -> int:
        return len(self.groups)

    @property
    def n(self) -> int:
        return self.sys_in.shape[0]


def compile_network(network: Network, ties: dict | None = None) -> Compiled:
    """The linear forms of ``network`` (module docstring). ``ties``: group name -> column names that share
    one multiplier (inputs only, or final outputs and links only); SpecErrors name the offending column."""
    K = len(network.divisions)
    role: dict[str, tuple[str, int, np.ndarray]] = {}        # column -> (kind, division or link index, values)
    for p, d in enumerate(network.divisions):
        if d.B.shape[1]:
            raise SpecError(f"division {d.name!r}: bad outputs ({', '.join(d.bad_names)}) are an nsbm option; the "
                            "multiplier models take none")
        for j, c in enumerate(d.input_names):
            role[c] = ("v", p, d.X[:, j])
        for j, c in enumerate(d.output_names):
            role[c] = ("u", p, d.Y[:, j])
    for k, link in enumerate(network.links):
        if link.kind != "free":
            raise SpecError(f"link {link.source!r} -> {link.target!r}: kind {link.kind!r} is an nsbm option; the "
                            "multiplier models treat every link as free")
        for j, c in enumerate(link.names):
            role[c] = ("w", k, link.Z[:, j])
    group_of: dict[str, str] = {}
    for g, cols in (ties or {}).items():
        if not isinstance(g, str) or not g.strip():
            raise SpecError(f"same_multiplier: group names must be non-empty strings, got {g!r}")
        cols = [cols] if isinstance(cols, str) else list(cols)
        if len(cols) < 1:
            raise SpecError(f"same_multiplier: group {g!r} names no column")
        kinds = set()
        for c in cols:
            if c not in role:
                raise SpecError(f"same_multiplier: group {g!r}: {c!r} is none of the network's input, output or "
                                "intermediate columns")
            if c in group_of:
                raise SpecError(f"same_multiplier: column {c!r} is in two groups ({group_of[c]!r} and {g!r})")
            group_of[c] = g
            kinds.add("v" if role[c][0] == "v" else "uw")
        if len(kinds) > 1:
            raise SpecError(f"same_multiplier: group {g!r} mixes inputs with outputs or intermediates; a group "
                            "shares one multiplier among inputs, or among final outputs and intermediates")
    for g in (ties or {}):
        if g in role and group_of.get(g) != g:
            raise SpecError(f"same_multiplier: group name {g!r} is also a column outside that group; rename the "
                            "group")
    groups: list[str] = []
    index: dict[str, int] = {}
    kinds_of: list[str] = []
    for c, (kind, _, _) in role.items():                     # in order: division inputs, outputs, links
        key = group_of.get(c, c)
        if key not in index:
            index[key] = len(groups)
            groups.append(key)
            kinds_of.append(kind)
        elif kinds_of[index[key]] != kind:
            kinds_of[index[key]] = "u"                       # a product that leaves and goes on
    P, n = len(groups), network.n
    cols_of = [[c for c in role if index[group_of.get(c, c)] == g] for g in range(P)]
    scale = np.array([column_scale(np.concatenate([role[c][2] for c in cols])[:, None])[0] for cols in cols_of])
    out = np.zeros((K, n, P))
    inp = np.zeros((K, n, P))
    sys_out = np.zeros((n, P))
    sys_in = np.zeros((n, P))
    pos = {d.name: p for p, d in enumerate(network.divisions)}
    for c, (kind, where, values) in role.items():
        g = index[group_of.get(c, c)]
        v = values / scale[g]
        if kind == "v":
            inp[where, :, g] += v
            sys_in[:, g] += v
        elif kind == "u":
            out[where, :, g] += v
            sys_out[:, g] += v
        else:
            link = network.links[where]
            out[pos[link.source], :, g] += v
            inp[pos[link.target], :, g] += v
    return Compiled(network.names, tuple(groups), tuple(kinds_of), scale, out, inp, sys_out, sys_in)


# --------------------------------------------------------------------------------------------------
# Batches of ratio LPs
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Setup:
    """What every LP of a run shares: the compiled network, the intercepts' bounds and placement, the
    rows (*) of each division (frame rows only when screening) and the backend."""

    C: Compiled
    rts: RTS
    orientation: Orientation
    rows: tuple[np.ndarray, ...]            # per division: the DMUs whose rows (*) the LPs hold
    solver: LPSolver
    label: str

    @property
    def nv(self) -> int:
        return self.C.P + self.C.K

    def N(self, p: int, idx: np.ndarray) -> np.ndarray:
        """Virtual output forms of division p for DMUs idx: (len(idx), P + K)."""
        f = np.zeros((idx.size, self.nv))
        f[:, :self.C.P] = self.C.out[p, idx]
        if self.rts == RTS.VRS and self.orientation == Orientation.INPUT:
            f[:, self.C.P + p] = 1.0
        return f

    def D(self, p: int, idx: np.ndarray) -> np.ndarray:
        """Virtual input forms of division p for DMUs idx."""
        f = np.zeros((idx.size, self.nv))
        f[:, :self.C.P] = self.C.inp[p, idx]
        if self.rts == RTS.VRS and self.orientation == Orientation.OUTPUT:
            f[:, self.C.P + p] = -1.0
        return f

    def cone(self, divisions) -> np.ndarray:
        """The rows (*) of ``divisions``: (R, P + K), each <= 0."""
        blocks = []
        for p in divisions:
            r = self.rows[p]
            b = np.zeros((r.size, self.nv))
            b[:, :self.C.P] = self.C.out[p, r] - self.C.inp[p, r]
            b[:, self.C.P + p] = 1.0
            blocks.append(b)
        return np.vstack(blocks)


@dataclass(frozen=True)
class Keep:
    """A kept ratio num / den >= level per DMU (homogeneous row num - level den >= 0)."""

    num: np.ndarray
    den: np.ndarray
    level: np.ndarray


def _batch(S: Setup, cone: np.ndarray, num: np.ndarray, den: np.ndarray, keeps: list[Keep], rtol: float) -> LPBatch:
    """max num.x s.t. den.x = 1, the kept ratios, the rows ``cone``; one LP per row of num/den."""
    k, nv = num.shape
    E = 1 + len(keeps)
    A = np.vstack([np.zeros((E, nv)), cone])
    nrow = A.shape[0]
    cols = np.broadcast_to(A, (k, nrow, nv)).copy()
    cols[:, 0, :] = den
    lo = np.empty((k, nrow))
    hi = np.empty((k, nrow))
    lo[:, 0] = hi[:, 0] = 1.0
    for e, kp in enumerate(keeps, start=1):
        cols[:, e, :] = kp.num - (kp.level * (1.0 - rtol))[:, None] * kp.den
        lo[:, e], hi[:, e] = 0.0, np.inf
    lo[:, E:], hi[:, E:] = -np.inf, 0.0
    col_lo = np.zeros(nv)
    col_hi = np.full(nv, np.inf)
    if S.rts == RTS.VRS:
        col_lo[S.C.P:] = -np.inf
    else:
        col_hi[S.C.P:] = 0.0
    base = LPProblem(np.zeros(nv), A, lo[0], hi[0], col_lo, col_hi)
    return LPBatch(base, lo, hi, np.arange(nv), cols, -num)


def _chunks(S: Setup, count: int, nrow: int):
    size = max(1, min(512, CHUNK_BYTES // (8 * nrow * S.nv)))
    return [np.arange(a, min(count, a + size)) for a in range(0, count, size)]


def solve_ratio(S: Setup, divisions, idx: np.ndarray, num: np.ndarray, den: np.ndarray, keeps: list[Keep] | None = None,
                what: str = "") -> tuple[np.ndarray, np.ndarray, np.ndarray, Usage]:
    """max num.x / den.x over the rows (*) of ``divisions`` (and the kept ratios) for the DMUs ``idx``.
    A kept ratio is held exactly first, then relaxed by KEEP_RTOLS in turn for the LPs that fail.
    Returns (status codes, optimal ratio (NaN if none), solutions (len(idx), P + K), usage)."""
    keeps = keeps or []
    cone = S.cone(divisions)
    count = idx.size
    status = np.full(count, LPStatus.NOT_SOLVED, dtype=np.int8)
    value = np.full(count, np.nan)
    x = np.zeros((count, S.nv))
    usage = Usage()
    todo = np.arange(count)
    label = S.label + (f" ({what})" if what else "")
    for rtol in (KEEP_RTOLS if keeps else (0.0,)):
        parts = _chunks(S, todo.size, cone.shape[0] + 1 + len(keeps))
        with Progress(todo.size, label) as bar:
            for part in parts:
                rows = todo[part]
                ks = [Keep(kp.num[rows], kp.den[rows], kp.level[rows]) for kp in keeps]
                sol = solve_batch(S.solver, _batch(S, cone, num[rows], den[rows], ks, rtol), label)
                status[rows] = sol.status
                ok = sol.status == LPStatus.OPTIMAL
                value[rows] = np.where(ok, -sol.objective, np.nan)
                x[rows] = sol.x.toarray()
                usage = usage + sol.usage
                bar.advance(rows.size)
        todo = todo[np.isin(status[todo], RETRY)]
        if not todo.size:
            break
    return status, value, x, usage


def frames(C: Compiled, rts: RTS, screen: bool | None) -> tuple[np.ndarray, ...]:
    """Per division, the DMUs whose rows (*) the LPs need: the frame of the division's technology (its
    inputs and links received against its outputs and links sent) when screening, else all."""
    if screen is None:
        screen = C.n >= SCREEN_MIN
    everyone = np.arange(C.n)
    if not screen:
        return tuple(everyone for _ in range(C.K))
    out = []
    for p in range(C.K):
        ins = np.flatnonzero(np.any(C.inp[p] != 0, axis=0))
        outs = np.flatnonzero(np.any(C.out[p] != 0, axis=0))
        R = np.hstack([C.inp[p][:, ins], C.out[p][:, outs]])
        out.append(np.asarray(find_frame(R, ins.size, rts), dtype=np.int64))
    return tuple(out)


# --------------------------------------------------------------------------------------------------
# The models
# --------------------------------------------------------------------------------------------------

def is_series(network: Network) -> bool:
    """Two divisions in series: inputs -> division 1 -> links -> division 2 -> outputs, nothing else."""
    d = network.divisions
    return (len(d) == 2 and d[0].X.shape[1] > 0 and d[0].Y.shape[1] == 0 and d[1].X.shape[1] == 0
            and d[1].Y.shape[1] > 0 and len(network.links) > 0
            and all(link.source == d[0].name and link.target == d[1].name for link in network.links))


def _clip(e: np.ndarray) -> np.ndarray:
    """Efficiencies above 1 by rounding only (<= 1 + 1e-9) set to 1."""
    return np.where((e > 1.0) & (e <= 1.0 + 1e-9), 1.0, e)


def _values(S: Setup, x: np.ndarray, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Virtual outputs and inputs (len(idx), K) of every division at the solutions x."""
    N = np.column_stack([np.einsum("ij,ij->i", S.N(p, idx), x) for p in range(S.C.K)])
    D = np.column_stack([np.einsum("ij,ij->i", S.D(p, idx), x) for p in range(S.C.K)])
    return N, D


def _system(S: Setup, model: str, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The forms whose ratio is the model's overall efficiency."""
    if model == "additive":
        return (sum(S.N(p, idx) for p in range(S.C.K)), sum(S.D(p, idx) for p in range(S.C.K)))
    num = np.zeros((idx.size, S.nv))
    den = np.zeros((idx.size, S.nv))
    num[:, :S.C.P] = S.C.sys_out[idx]
    den[:, :S.C.P] = S.C.sys_in[idx]
    return num, den


def solve_model(network: Network, model: str, *, rts: RTS, orientation: Orientation, solver: LPSolver,
                priority: tuple[int, ...] = (), leader: int = 0, ties: dict | None = None,
                screen: bool | None = None) -> tuple[NetworkSolution, Compiled]:
    """Solve one of MODELS (module docstring) for every DMU. ``priority``: division indices, in the order
    their efficiencies are maximised (the others follow in network order); ``leader``: the leader's index
    (leader-follower). Returns the solution (``weights``: the additive model's w_p; ``targets``: the
    radial projections the division efficiencies imply; ``extra``: the multipliers) and the compiled
    network."""
    if model not in MODELS:
        raise SpecError(f"model: {model!r} is not one of {', '.join(map(repr, MODELS))}")
    C = compile_network(network, ties)
    S = Setup(C, rts, orientation, frames(C, rts, screen), solver, f"network DEA ({model})")
    n, K = C.n, C.K
    everyone = np.arange(n)
    overall = np.full(n, np.nan)
    eff = np.full((n, K), np.nan)
    x = np.zeros((n, S.nv))
    weights = None
    if model == "leader-follower":
        follower = 1 - leader
        st, eL, _, usage = solve_ratio(S, [leader], everyone, S.N(leader, everyone), S.D(leader, everyone),
                                       what="leader")
        todo = np.flatnonzero(st == LPStatus.OPTIMAL)
        status = st.copy()
        sys_den = _system(S, "relational", todo)[1]
        keeps = [Keep(S.N(leader, todo), S.D(leader, todo), eL[todo]),
                 Keep(S.D(leader, todo), sys_den, np.full(todo.size, FLOOR))]
        st2, eF, x2, used = solve_ratio(S, [0, 1], todo, S.N(follower, todo), S.D(follower, todo), keeps,
                                        what="follower")
        usage = usage + used
        status[todo] = st2
        good = todo[st2 == LPStatus.OPTIMAL]
        eff[good, leader] = _clip(eL[good])
        eff[good, follower] = _clip(eF[st2 == LPStatus.OPTIMAL])
        overall[good] = eff[good, leader] * eff[good, follower]
        x[todo] = x2
        norm = _system(S, "relational", everyone)[1]
    else:
        num, den = _system(S, model, everyone)
        status, E, x1, usage = solve_ratio(S, range(K), everyone, num, den, what="overall")
        good = np.flatnonzero(status == LPStatus.OPTIMAL)
        overall[good] = _clip(E[good])
        x[good] = x1[good]
        order = list(priority) + [p for p in range(K) if p not in priority]
        last = order[-1]
        # the divisions' sizes: virtual inputs (output-oriented additive model: virtual outputs)
        by_output = model == "additive" and orientation == Orientation.OUTPUT
        size, sys_size = (S.N, num) if by_output else (S.D, den)
        active = good
        kept: list[tuple[int, np.ndarray]] = []                # (division, its efficiency) for the DMUs in active
        degenerate = np.zeros((n, K), dtype=bool)         # prioritised divisions left no virtual input
        dropped = 0

        def keeps_of(idx: np.ndarray, sel: np.ndarray) -> list[Keep]:
            """E, the prioritised divisions' efficiencies and their floors, for DMUs idx (= active[sel])."""
            ks = [Keep(num[idx], den[idx], E[idx])]
            ks += [Keep(S.N(q, idx), S.D(q, idx), e[sel]) for q, e in kept]
            ks += [Keep(S.D(q, idx), den[idx], np.full(idx.size, FLOOR)) for q, _ in kept]
            return ks

        def widen(q: int, forms, sys_forms, extra: list[Keep] | None = None) -> None:
            """Where the point found gives division q a share of ``forms`` below RESCUE, take the optimum (of
            the same LPs) that gives it the largest share: its ratio (or its part of the identity) is 0/0
            noise otherwise."""
            nonlocal usage
            share = (np.einsum("ij,ij->i", forms(q, active), x[active])
                     / np.einsum("ij,ij->i", sys_forms[active], x[active]))
            sel = np.flatnonzero(share < RESCUE)
            if not sel.size:
                return
            idx = active[sel]
            ks = keeps_of(idx, sel) + [Keep(k.num[sel], k.den[sel], k.level[sel]) for k in (extra or [])]
            st, _, xr, used = solve_ratio(S, range(K), idx, forms(q, idx), sys_forms[idx], ks,
                                          what=f"split, largest share of {C.names[q]}")
            usage = usage + used
            ok = st == LPStatus.OPTIMAL
            x[idx[ok]] = xr[ok]

        for step, p in enumerate(order[:-1]):
            if not active.size:
                break
            st, ep, xp, used = solve_ratio(S, range(K), active, S.N(p, active), S.D(p, active),
                                           keeps_of(active, np.arange(active.size)),
                                           what=f"split, {C.names[p]} first" if step == 0 else f"split, {C.names[p]}")
            usage = usage + used
            ok = st == LPStatus.OPTIMAL
            dropped += int((~ok).sum())
            x[active[ok]] = xp[ok]
            kept = [(q, e[ok]) for q, e in kept]
            active, ep = active[ok], ep[ok]
            widen(p, S.D, den, [Keep(S.N(p, active), S.D(p, active), ep)])
            share = (np.einsum("ij,ij->i", S.D(p, active), x[active])
                     / np.einsum("ij,ij->i", den[active], x[active]))
            bad = share <= UNDEFINED                      # every optimum leaves it (almost) no virtual input
            degenerate[active[bad], p] = True
            kept = [(q, e[~bad]) for q, e in kept] + [(p, ep[~bad])]
            active = active[~bad]
        if dropped:
            warnings.warn(f"network DEA ({model}): for {dropped} DMUs an LP of the efficiency split (priority) had "
                          "no optimum; their division efficiencies come from the last LP of the split that had one",
                          SolveWarning, stacklevel=3)
        if K > 1 and active.size:
            widen(last, size, sys_size)
        Nv, Dv = _values(S, x[good], good)
        xg = x[good]
        defined = Dv / np.einsum("ij,ij->i", den[good], xg)[:, None] > UNDEFINED      # the ratio N / D
        e = np.where(defined, Nv / np.where(defined, Dv, 1.0), np.nan)
        at = np.searchsorted(good, active)
        for q, value in kept:                  # the prioritised divisions: their LPs' optima
            e[at, q] = value
        sizes = Nv if by_output else Dv
        w = sizes / np.einsum("ij,ij->i", sys_size[good], xg)[:, None]
        rest = [p for p in range(K) if p != last]
        Eg = E[good]
        with np.errstate(divide="ignore", invalid="ignore"):
            # the last division's efficiency from the model's identity, where its share makes that precise
            if model == "additive" and not by_output:
                e_last = (Eg - np.nansum(w[:, rest] * e[:, rest], axis=1)) / w[:, last]
            elif model == "additive":
                e_last = w[:, last] / (1.0 / Eg - np.nansum(w[:, rest] / e[:, rest], axis=1))
            else:                                           # 1 - E = sum_p d_p (1 - e_p)
                e_last = 1.0 - (1.0 - Eg - np.nansum(w[:, rest] * (1.0 - e[:, rest]), axis=1)) / w[:, last]
        precise = defined[:, last] & (w[:, last] > UNDEFINED)
        e[:, last] = np.where(precise, e_last, e[:, last])
        e[degenerate[good]] = np.nan
        if model == "additive":
            weights = np.full((n, K), np.nan)
            weights[good] = np.where((w < 0) & (w > -1e-9), 0.0, w)        # rounding below 0
        undefined = int(np.isnan(e).any(axis=1).sum())
        if undefined:
            warnings.warn(f"network DEA ({model}): for {undefined} DMUs the optimal split leaves a division with a "
                          f"virtual input of 0 (below {UNDEFINED:g} of the system's at every optimum found: e.g. the "
                          "multipliers of its path all 0); that division's efficiency is undefined (NaN); "
                          "the overall efficiency is not affected", SolveWarning, stacklevel=3)
        eff[good] = _clip(e)
        norm = den
    # multipliers in data units, scaled so that the model's normalising form is 1
    scale_by = np.einsum("ij,ij->i", norm, x)
    with np.errstate(divide="ignore", invalid="ignore"):
        xs = x / np.where(np.abs(scale_by) > TINY, scale_by, np.nan)[:, None]
    solved = np.isfinite(overall)
    extra = {}
    for g, (name, kind) in enumerate(zip(C.groups, C.kinds)):
        extra[f"{kind}_{name}"] = np.where(solved, xs[:, g] / C.scale[g], np.nan)
    if rts == RTS.VRS:
        for p, name in enumerate(C.names):
            extra[f"u0_{name}"] = np.where(solved, xs[:, C.P + p], np.nan)
    targets = _targets(network, eff, orientation)
    return NetworkSolution(overall, eff, status, usage, weights, targets, extra), C


def _targets(network: Network, eff: np.ndarray, orientation: Orientation) -> dict:
    """Radial projections the division efficiencies imply: input orientation, every division's inputs and
    links received times its efficiency; output orientation, its final outputs and links sent divided by
    it (each at a ratio of 1 under the optimal multipliers)."""
    pos = {d.name: p for p, d in enumerate(network.divisions)}
    t = {}
    inward = orientation == Orientation.INPUT
    for p, d in enumerate(network.divisions):
        cols, vals = (d.input_names, d.X) if inward else (d.output_names, d.Y)
        for j, c in enumerate(cols):
            with np.errstate(divide="ignore", invalid="ignore"):
                t[c] = vals[:, j] * eff[:, p] if inward else vals[:, j] / eff[:, p]
    for link in network.links:
        p = pos[link.target] if inward else pos[link.source]
        for j, c in enumerate(link.names):
            with np.errstate(divide="ignore", invalid="ignore"):
                t[c] = link.Z[:, j] * eff[:, p] if inward else link.Z[:, j] / eff[:, p]
    return t
