"""Dense bounded revised primal simplex for DEA envelopment LPs (compiled by numba in numba_core).

This module is plain Python + numpy. ``numba_core`` compiles it with numba; the *twin* is the same
source executed without numba (``numba_core.twin()``), which the tests compare with the compiled
kernel and with HiGHS. Keep it to the subset of Python that numba compiles: arrays, scalars, loops.

The LP of one DMU (rows: k = m + s data rows, then the RTS row when q = 1):

    sum_j lam_j R[j, i] + s_i - g_i t = b_i     i <  k_in   (inputs: slack s_i >= 0 adds)
    sum_j lam_j R[j, i] - s_i - g_i t = b_i     i >= k_in   (outputs: slack subtracts)
    sum_j lam_j + e                   = 1       (q = 1; e in [rts_lo, rts_hi])
    lam >= 0, t in [t_lo, t_hi], 0 <= s_i <= s_ub_i

Phase I (artificials, min their sum), phase II (min c_t t), phase III when asked: t fixed at its
optimum, max sum_i w_i s_i (the max-slack step of two-stage DEA). Variables are numbered
[lam_0 .. lam_{nr-1}, t, s_0 .. s_{k-1}, e, a_0 .. a_{r-1}] (e present only when q = 1).
"""

import numpy as np

try:  # the twin sets __twin__ before executing this source
    __twin__  # noqa: B018
except NameError:
    __twin__ = False

if __twin__:
    def jit(*args, **kwargs):
        return (lambda f: f) if not (len(args) == 1 and callable(args[0])) else args[0]
    prange = range
else:
    from numba import njit as jit, prange  # noqa: F401

# Status codes (as solvers.base.LPStatus).
OPTIMAL, ITERATION_LIMIT, INFEASIBLE, UNBOUNDED, NUMERICAL = 0, 1, 2, 3, 4
STOPPED = 5            # internal: phase II reached the caller's target objective (``solve_one``'s stop)

FEAS_TOL = 1e-9        # primal feasibility: the Harris ratio test's relaxation (rows scaled to the DMU)
STRICT_TOL = 0.0       # the relaxation of the second attempt at an LP without a certified optimum
OPT_TOL = 1e-9         # reduced-cost optimality
PIVOT_TOL = 1e-11      # smallest |alpha| accepted as a pivot
REFACTOR_EVERY = 50    # iterations between recomputations of B^-1 and x_B
DEGENERATE_RUN = 200   # degenerate pivots in a row before the randomised ratio test takes over
PARTIAL_MIN = 128      # partial pricing (a working set of columns) above this many reference columns
SEED_SIZE = 16         # columns the crash puts in the working set (the best single reference DMUs)
WORK_CAP = 512        # most columns a working set holds (copied, row-scaled, into one dense block)
WORKING_ADD = 32       # columns a full pricing pass adds to the working set (the best improving ones)
DEGENERATE_GAIN = 1e-10   # objective gain at or below which a pivot counts as degenerate
MAX_ITER = 50000       # per phase
SEED_PREV = 8          # solve_batch: an LP's working set starts with the basic lambdas of the SEED_PREV LPs before it
RUN = 256              # solve_batch: LPs per run (rows a, a + 1, ... of a run seed each other; runs are independent)
MU_MAX = 1e6           # largest |mu pi2| / max(1, |pi3|) in the slack LP's certificate (certify)
CERT_TOL = 1e-7        # the final point's certificate (relative): residuals, bounds, reduced costs, gap
ROUND_TOL = 1e-13       # certify: rounding allowed per unit of the dual objective's terms (see certify)
ROW_FLOOR = 1e-100     # smallest row size used by the per-DMU row scaling
PHASE1_TOL = 1e-8      # phase I: a sum of artificials above this (times the rhs scale) is infeasibility
STRICT_PHASE1_TOL = 1e-9   # the same in the second attempt


@jit(cache=True)
def _column(j, RT, d, nr, k, k_in, q, g, asign, col):
    """Write column j of the row-scaled constraint matrix into col (length r): data row i of a
    reference column is RT[i, j] d[i] (``solve_one`` scales each data row by d[i])."""
    r = k + q
    for i in range(r):
        col[i] = 0.0
    if j < nr:
        for i in range(k):
            col[i] = RT[i, j] * d[i]
        if q == 1:
            col[k] = 1.0
    elif j == nr:
        for i in range(k):
            col[i] = -g[i]
    elif j <= nr + k:
        i = j - nr - 1
        col[i] = 1.0 if i < k_in else -1.0
    elif q == 1 and j == nr + k + 1:
        col[k] = 1.0
    else:
        p = j - (nr + 1 + k + q)
        col[p] = asign[p]


@jit(cache=True)
def _nonzero_rows(pi, d, k, pd, nzr):
    """pd[i] = pi_i d_i (the duals on the unscaled data rows); nzr[:nnz] the rows with pi_i != 0.
    Returns nnz."""
    nnz = 0
    for i in range(k):
        pd[i] = pi[i] * d[i]
        if pi[i] != 0.0:
            nzr[nnz] = i
            nnz += 1
    return nnz


@jit(cache=True)
def _price(A, n, p, rows, nrows, c0, out):
    """out[j] = c0 - sum_a p[rows[a]] A[rows[a], j] for the first n columns of A: reduced costs of
    reference columns, the rows with a nonzero dual only. Rows are taken four at a time, so each
    pass over out carries four rows' products (one load and store of out per four rows, not per
    row); the loops over j are the ones the compiler vectorises."""
    a = 0
    first = True
    while a < nrows or first:
        left = nrows - a
        if left >= 4:
            i0 = rows[a]
            i1 = rows[a + 1]
            i2 = rows[a + 2]
            i3 = rows[a + 3]
            p0 = p[i0]
            p1 = p[i1]
            p2 = p[i2]
            p3 = p[i3]
            if first:
                for j in range(n):
                    out[j] = c0 - (p0 * A[i0, j] + p1 * A[i1, j] + p2 * A[i2, j] + p3 * A[i3, j])
            else:
                for j in range(n):
                    out[j] -= p0 * A[i0, j] + p1 * A[i1, j] + p2 * A[i2, j] + p3 * A[i3, j]
            a += 4
        elif left >= 2:
            i0 = rows[a]
            i1 = rows[a + 1]
            p0 = p[i0]
            p1 = p[i1]
            if first:
                for j in range(n):
                    out[j] = c0 - (p0 * A[i0, j] + p1 * A[i1, j])
            else:
                for j in range(n):
                    out[j] -= p0 * A[i0, j] + p1 * A[i1, j]
            a += 2
        elif left == 1:
            i0 = rows[a]
            p0 = p[i0]
            if first:
                for j in range(n):
                    out[j] = c0 - p0 * A[i0, j]
            else:
                for j in range(n):
                    out[j] -= p0 * A[i0, j]
            a += 1
        else:
            for j in range(n):
                out[j] = c0
        first = False


@jit(cache=True)
def _count_below(x, n, thr):
    """How many of x[:n] are below thr (a loop the compiler vectorises: a pass that finds none skips
    the scan of its candidates)."""
    c = 0
    for j in range(n):
        c += x[j] < thr
    return c


@jit(cache=True)
def _work_add(j, RT, d, k, work, inwork, wcol, nwork):
    """Column j joins the working set: its index, and its row-scaled data copied into the dense
    block wcol (k x WORK_CAP), so that pricing the set reads contiguous memory."""
    nw = nwork[0]
    if nw >= work.shape[0] or inwork[j]:
        return
    work[nw] = j
    inwork[j] = True
    for i in range(k):
        wcol[i, nw] = RT[i, j] * d[i]
    nwork[0] = nw + 1


@jit(cache=True)
def _refactor(RT, d, nr, k, k_in, q, g, asign, b, basis, xN, isbasic, Binv, xB, nvar):
    """B^-1 by Gauss-Jordan with partial pivoting, then x_B = B^-1 (b - N x_N). False if singular."""
    r = k + q
    M = np.zeros((r, 2 * r))
    col = np.zeros(r)
    for p in range(r):
        _column(basis[p], RT, d, nr, k, k_in, q, g, asign, col)
        for i in range(r):
            M[i, p] = col[i]
        M[p, r + p] = 1.0
    for c in range(r):
        piv = c
        big = abs(M[c, c])
        for i in range(c + 1, r):
            if abs(M[i, c]) > big:
                big = abs(M[i, c])
                piv = i
        if big < 1e-13:
            return False
        if piv != c:
            for jj in range(2 * r):
                tmp = M[c, jj]
                M[c, jj] = M[piv, jj]
                M[piv, jj] = tmp
        inv = 1.0 / M[c, c]
        for jj in range(2 * r):
            M[c, jj] *= inv
        for i in range(r):
            if i != c and M[i, c] != 0.0:
                f = M[i, c]
                for jj in range(2 * r):
                    M[i, jj] -= f * M[c, jj]
    for i in range(r):
        for jj in range(r):
            Binv[i, jj] = M[i, r + jj]
    # rhs = b - sum over nonbasic non-lambda columns (nonbasic lambdas sit at 0)
    rhs = np.zeros(r)
    for i in range(k):
        rhs[i] = b[i]
    if q == 1:
        rhs[k] = 1.0
    for j in range(nr, nvar):
        if not isbasic[j] and xN[j] != 0.0:
            _column(j, RT, d, nr, k, k_in, q, g, asign, col)
            for i in range(r):
                rhs[i] -= col[i] * xN[j]
    # x_B = B^-1 rhs, then one step of iterative refinement, x_B += B^-1 (rhs - B x_B) (an
    # ill-conditioned basis on degenerate data otherwise leaves row residuals the certificate rejects)
    res = rhs.copy()
    for i in range(r):
        xB[i] = 0.0
    for step in range(2):
        if step == 1:
            for p in range(r):
                _column(basis[p], RT, d, nr, k, k_in, q, g, asign, col)
                for i in range(r):
                    res[i] -= col[i] * xB[p]
        for i in range(r):
            acc = 0.0
            for jj in range(r):
                acc += Binv[i, jj] * res[jj]
            xB[i] += acc
    return True


@jit(cache=True, inline="always")
def _reduced_cost(j, pi, c, nr, k, k_in, q, g, asign):
    """c_j - pi'a_j of a column that is not a lambda (t, a slack, e, an artificial), from its few
    nonzeros (``_column`` writes them)."""
    if j == nr:
        dj = c[j]
        for i in range(k):
            dj -= pi[i] * -g[i]
        return dj
    if j <= nr + k:
        i = j - nr - 1
        return c[j] - pi[i] * (1.0 if i < k_in else -1.0)
    if q == 1 and j == nr + k + 1:
        return c[j] - pi[k]
    p = j - (nr + 1 + k + q)
    return c[j] - pi[p] * asign[p]


@jit(cache=True)
def _lcg(state):
    """The next state of a Park-Miller generator (deterministic: the twin draws the same numbers)."""
    return (state * 48271) % 2147483647


@jit(cache=True)
def _phase(RT, d, nr, k, k_in, q, g, asign, b, c, lb, ub, basis, isbasic, xN, Binv, xB, nvar, excl, harris,
           work, inwork, wcol, nwork, stop, dl):
    """Primal simplex from a feasible basis until optimal; returns (status, iterations).

    Pricing (Dantzig's rule) of the reference columns: with more than PARTIAL_MIN of them, over a
    working set only (partial pricing; a restricted master in the manner of column generation). The
    set (``work``: indices; ``wcol``: their row-scaled data in one dense block; ``nwork[0]``: its
    size; ``nwork[1]`` counts the LP's full pricing passes) belongs to the LP, not to the phase: the
    crash seeds it with the SEED_SIZE best single reference DMUs and it carries over from phase I to
    II and III. Whenever it offers no improving
    column, B^-1 and x_B are recomputed and all columns are priced in one pass with the fresh duals;
    the WORKING_ADD best improving ones outside the set join it (up to WORK_CAP columns). Optimality
    is declared only after such a full pass on a fresh factorisation, so the optimum is that of the
    LP over all columns. Harris two-pass ratio test (largest pivot among the rows within the relaxed
    step) and bound flips. Anti-cycling: after DEGENERATE_RUN degenerate pivots in a row, the
    textbook ratio test with the leaving row drawn at random among the tied ones (a cycle then has
    probability 0; Bland's rule, tried before, stalls for tens of thousands of pivots on Dula's
    data), until a pivot gains again.

    ``stop`` (phase II of the frame search's membership test): return STOPPED as soon as the
    objective c_t t is at or below it; the point is then feasible but not proven optimal.

    ``dl`` (length nr) receives the reduced costs of the lambdas at each full pass; at OPTIMAL they
    are those at the final duals (optimality is declared only after a full pass on a fresh
    factorisation, with no pivot since)."""
    r = k + q
    pi = np.zeros(r)
    alpha = np.zeros(r)
    col = np.zeros(r)
    dw = np.empty(work.shape[0])
    pd = np.empty(k)                     # pi_i d_i: the duals on the unscaled data rows
    nzr = np.empty(k, dtype=np.int64)    # the data rows with a nonzero dual
    partial_ok = nr > PARTIAL_MIN
    topv = np.empty(WORKING_ADD)
    topj = np.empty(WORKING_ADD, dtype=np.int64)
    cand = np.empty(nr + 1, dtype=np.int64)
    rng = 12345 + nr + 7919 * k
    degenerate = 0
    since = 0
    it = 0
    fresh = False            # B^-1 and x_B freshly recomputed since the last pivot
    while it < MAX_ITER:
        it += 1
        if since >= REFACTOR_EVERY:
            since = 0
            if not _refactor(RT, d, nr, k, k_in, q, g, asign, b, basis, xN, isbasic, Binv, xB, nvar):
                return NUMERICAL, it
            fresh = True
        if stop > -np.inf:       # early stop: the objective c_t t has reached the target
            tv = xN[nr]
            for p in range(r):
                if basis[p] == nr:
                    tv = xB[p]
            if c[nr] * tv <= stop:
                return STOPPED, it
        stalled = degenerate >= DEGENERATE_RUN
        # duals pi = c_B B^-1
        for i in range(r):
            acc = 0.0
            for p in range(r):
                acc += c[basis[p]] * Binv[p, i]
            pi[i] = acc
        # pricing: reduced costs of the lambdas (zero cost): -pi_q - sum_i pi_i d_i RT[i, j]
        enter = -1
        direction = 0
        best = 0.0
        piq = pi[k] if q == 1 else 0.0
        nw = nwork[0]
        nnz = _nonzero_rows(pi, d, k, pd, nzr)
        if partial_ok and nw > 0:
            _price(wcol, nw, pi, nzr, nnz, -piq, dw)
            for a in range(nw):
                dj = dw[a]
                if dj < -OPT_TOL and -dj > best:
                    j = work[a]
                    if isbasic[j] or j == excl:
                        continue
                    best = -dj
                    enter = j
                    direction = 1
        if enter < 0 and partial_ok and not fresh:
            # the working set is exhausted: the full pass that may declare optimality prices with
            # duals from a fresh factorisation
            since = 0
            if not _refactor(RT, d, nr, k, k_in, q, g, asign, b, basis, xN, isbasic, Binv, xB, nvar):
                return NUMERICAL, it
            fresh = True
            for i in range(r):
                acc = 0.0
                for p in range(r):
                    acc += c[basis[p]] * Binv[p, i]
                pi[i] = acc
            piq = pi[k] if q == 1 else 0.0
            nnz = _nonzero_rows(pi, d, k, pd, nzr)
        if enter < 0:
            nwork[1] += 1
            _price(RT, nr, pd, nzr, nnz, -piq, dl)
            # the improving columns, gathered first without a branch per column (their signs are
            # mixed while the duals are far from optimal: a branch would be mispredicted)
            nc = 0
            for j in range(nr):
                cand[nc] = j
                nc += dl[j] < -OPT_TOL
            nt = 0
            lo = 0
            for a in range(nc):
                j = cand[a]
                dj = dl[j]
                if isbasic[j] or j == excl:
                    continue
                if -dj > best:
                    best = -dj
                    enter = j
                    direction = 1
                # the WORKING_ADD best improving columns outside the set (written out here and in
                # _crash: a shared helper, even inlined, made the n = 100 000 VRS run 15% slower)
                if partial_ok and not inwork[j]:
                    if nt < WORKING_ADD:
                        topv[nt] = -dj
                        topj[nt] = j
                        nt += 1
                        if nt == WORKING_ADD:
                            lo = 0
                            for a2 in range(1, WORKING_ADD):
                                if topv[a2] < topv[lo]:
                                    lo = a2
                    elif -dj > topv[lo]:      # replaces the smallest of the best WORKING_ADD
                        topv[lo] = -dj
                        topj[lo] = j
                        lo = 0
                        for a2 in range(1, WORKING_ADD):
                            if topv[a2] < topv[lo]:
                                lo = a2
            for a in range(nt):
                _work_add(topj[a], RT, d, k, work, inwork, wcol, nwork)
        for j in range(nr, nvar):
            if isbasic[j] or lb[j] == ub[j]:
                continue
            dj = _reduced_cost(j, pi, c, nr, k, k_in, q, g, asign)
            up = xN[j] < ub[j] and dj < -OPT_TOL        # can increase and should
            down = xN[j] > lb[j] and dj > OPT_TOL       # can decrease and should
            if (up or down) and abs(dj) > best:
                best = abs(dj)
                enter = j
                direction = 1 if up else -1
        if enter < 0:
            if not fresh:        # optimal on an updated B^-1: check again on a fresh one
                since = 0
                if not _refactor(RT, d, nr, k, k_in, q, g, asign, b, basis, xN, isbasic, Binv, xB, nvar):
                    return NUMERICAL, it
                fresh = True
                continue
            return OPTIMAL, it
        # alpha = B^-1 a_enter
        _column(enter, RT, d, nr, k, k_in, q, g, asign, col)
        for i in range(r):
            acc = 0.0
            for jj in range(r):
                acc += Binv[i, jj] * col[jj]
            alpha[i] = acc
        # Harris ratio test, pass 1: the largest step within the relaxed bounds
        tmax = np.inf
        relax = 0.0 if stalled else harris
        for p in range(r):
            dp = direction * alpha[p]
            v = basis[p]
            if dp > PIVOT_TOL:
                if lb[v] > -np.inf:
                    t = (xB[p] - lb[v] + relax) / dp
                    if t < tmax:
                        tmax = t
            elif dp < -PIVOT_TOL:
                if ub[v] < np.inf:
                    t = (ub[v] - xB[p] + relax) / (-dp)
                    if t < tmax:
                        tmax = t
        # pass 2: among the rows whose exact ratio is within tmax, the largest pivot
        leave = -1
        step = np.inf
        bestpiv = 0.0
        ties = 0
        for p in range(r):
            dp = direction * alpha[p]
            v = basis[p]
            t = np.inf
            if dp > PIVOT_TOL and lb[v] > -np.inf:
                t = (xB[p] - lb[v]) / dp
            elif dp < -PIVOT_TOL and ub[v] < np.inf:
                t = (ub[v] - xB[p]) / (-dp)
            if t <= tmax and t < np.inf:
                if stalled:
                    ties += 1                    # a random row among the tied ones (reservoir)
                    rng = _lcg(rng)
                    if rng % ties == 0:
                        leave = p
                        step = t
                elif abs(alpha[p]) > bestpiv:
                    bestpiv = abs(alpha[p])
                    leave = p
                    step = t
        if step < 0.0:
            step = 0.0
        # the entering variable's room: to the bound it moves towards (it may start between its bounds,
        # e.g. the RTS variable e of GRS at 0 in [1 - U, 1 - L])
        span = (ub[enter] - xN[enter]) if direction == 1 else (xN[enter] - lb[enter])
        if leave < 0 and not span < np.inf:
            return UNBOUNDED, it
        if span <= step:                        # bound flip: no basis change
            newval = ub[enter] if direction == 1 else lb[enter]
            delta = newval - xN[enter]
            for p in range(r):
                xB[p] -= alpha[p] * delta
            xN[enter] = newval
            degenerate = 0
            fresh = False
            since += 1
            continue
        # A pivot that gains (almost) nothing counts as degenerate: rounding-level gains can cycle.
        degenerate = degenerate + 1 if step * best <= DEGENERATE_GAIN else 0
        delta = direction * step
        for p in range(r):
            xB[p] -= alpha[p] * delta
        v = basis[leave]
        xN[v] = lb[v] if direction * alpha[leave] > 0 else ub[v]
        isbasic[v] = False
        entering_value = xN[enter] + delta
        isbasic[enter] = True
        basis[leave] = enter
        xB[leave] = entering_value
        xN[enter] = 0.0
        fresh = False
        since += 1
        # B^-1 update: eliminate alpha in every row but the pivot row
        piv = alpha[leave]
        for jj in range(r):
            Binv[leave, jj] /= piv
        for i in range(r):
            if i != leave and alpha[i] != 0.0:
                f = alpha[i]
                for jj in range(r):
                    Binv[i, jj] -= f * Binv[leave, jj]
    return ITERATION_LIMIT, it


@jit(cache=True)
def _crash(RT, d, nr, k, k_in, q, b, g, t_lo, t_hi, c_t, s_ub, excl, e_ok, basis, isbasic, xN, asign, work, inwork,
           wcol, nwork):
    """A feasible starting basis on one reference DMU j (an FDH-like start), so phase I is skipped.

    With the RTS row (q = 1) lam_j = 1; without it lam_j is the smallest multiple of DMU j meeting the
    rows that do not involve t. t is then the best value the remaining rows allow, and the basis is
    {lam_j, t, the slacks of the other rows}. The best j (lowest c_t t) is taken: returns 1. With the
    RTS row, when no j meets the rows without t (many outputs: no single frame DMU dominates the
    evaluated one), the j missing them least (scaled) is taken with the artificials of the rows it
    misses in the basis instead of their slacks, and phase I starts from there: returns 2. Returns 0
    (no crash) when no j gives a start, or when some slack is bounded above (equality rows), or e
    cannot be 0.

    Without the RTS row and with t in every row (the frame search's directional distance: max t, every
    row an upper bound on t, one intercept per sign of g), lam_j is where the two binding rows meet
    and the basis is {lam_j, t, the slacks of the other rows}. The SEED_SIZE best j seed the working
    set of partial pricing. The columns are evaluated row by row (loops over the columns that the
    compiler vectorises), then the best one is taken."""
    if q == 1 and not e_ok:
        return 0
    for i in range(k):
        if s_ub[i] < np.inf:
            return 0
    # q = 0 with t in every row, all of them upper bounds on t, to be maximised, and one intercept
    # per sign of g (the frame search's directional distance): lam_j from the two binding rows
    twosided = q == 0 and c_t < 0.0 and t_lo == -np.inf and t_hi == np.inf
    beta_d = np.nan
    beta_i = np.nan
    for i in range(k):
        gi = g[i]
        if gi == 0.0 or (i < k_in) == (gi > 0.0):
            twosided = False
            break
        beta = -b[i] / gi
        if gi < 0.0:
            if beta_d != beta_d:
                beta_d = beta
            elif abs(beta - beta_d) > 1e-12 * max(1.0, abs(beta_d)):
                twosided = False
        else:
            if beta_i != beta_i:
                beta_i = beta
            elif abs(beta - beta_i) > 1e-12 * max(1.0, abs(beta_i)):
                twosided = False
    if not (beta_d > beta_i):            # both groups present, the lines cross at lam > 0
        twosided = False
    lamv = np.empty(nr)
    lov = np.empty(nr)
    hiv = np.empty(nr)
    ok = np.empty(nr, dtype=np.bool_)
    viol = np.zeros(nr)                  # q = 1: how far DMU j misses the rows without t (scaled)
    for j in range(nr):
        lov[j] = t_lo
        hiv[j] = t_hi
        ok[j] = True
    if q == 1:
        for j in range(nr):
            lamv[j] = 1.0
        for i in range(k):               # rows without t: DMU j itself must meet them
            if g[i] != 0.0:
                continue
            di = d[i]
            bi = b[i]
            if i < k_in:
                for j in range(nr):
                    v = RT[i, j] * di - bi
                    if v > 0.0:
                        ok[j] = False
                        viol[j] += v
            else:
                for j in range(nr):
                    v = RT[i, j] * di - bi
                    if v < 0.0:
                        ok[j] = False
                        viol[j] -= v
    elif twosided:
        # every row bounds t from above, t <= alpha_ij lam + beta_i, with one intercept beta_D for
        # the rows with g < 0 (alpha <= 0 on non-negative data) and one, beta_I, for those with
        # g > 0: max over lam of the lower envelope is where the steepest falling line
        # (slope -A_j) meets the flattest rising one (slope B_j): lam = (beta_D - beta_I) / (A_j + B_j)
        amax = np.zeros(nr)
        bmin = np.full(nr, np.inf)
        for i in range(k):
            gi = g[i]
            dg = d[i] / gi               # one division per row, not per column
            if gi < 0.0:
                for j in range(nr):
                    a = -(RT[i, j] * dg)
                    if not a <= amax[j]:
                        amax[j] = a
            else:
                for j in range(nr):
                    a = RT[i, j] * dg
                    if not a >= bmin[j]:
                        bmin[j] = a
        for j in range(nr):
            ok[j] = amax[j] > 0.0 and bmin[j] > 0.0 and bmin[j] < np.inf
            lamv[j] = (beta_d - beta_i) / (amax[j] + bmin[j]) if ok[j] else 0.0
    else:
        lamhi = np.empty(nr)
        found = np.zeros(nr, dtype=np.bool_)
        for j in range(nr):
            lamv[j] = 0.0
            lamhi[j] = np.inf
        for i in range(k):               # the smallest multiple of DMU j meeting the rows without t
            if g[i] != 0.0:
                continue
            di = d[i]
            bi = b[i]
            if i >= k_in:                # lam r >= b
                for j in range(nr):
                    rj = RT[i, j] * di
                    if rj > 0.0:
                        v = bi / rj
                        if v > lamv[j]:
                            lamv[j] = v
                            found[j] = True
                    elif bi > 0.0:
                        lamv[j] = np.inf
            else:                        # lam r <= b
                for j in range(nr):
                    rj = RT[i, j] * di
                    if rj > 0.0:
                        lamhi[j] = min(lamhi[j], bi / rj)
                    elif bi < 0.0:
                        lamv[j] = np.inf
        for j in range(nr):
            ok[j] = found[j] and lamv[j] <= lamhi[j] and lamv[j] < np.inf
    for i in range(k):                   # the range of t the rows with t allow
        gi = g[i]
        if gi == 0.0:
            continue
        di = d[i]
        bi = b[i]
        ri = 1.0 / gi                    # (a product: a division per column would bound the loop)
        if (i < k_in) == (gi > 0.0):     # input rows: g t >= v - b; outputs: g t <= v - b
            for j in range(nr):
                bound = (lamv[j] * RT[i, j] * di - bi) * ri
                if bound > lov[j]:
                    lov[j] = bound
        else:
            for j in range(nr):
                bound = (lamv[j] * RT[i, j] * di - bi) * ri
                if bound < hiv[j]:
                    hiv[j] = bound
    # each j's start value c_t t (inf where j gives none), in one loop the compiler vectorises; then
    # the best j and the SEED_SIZE best, in a scan that mostly compares with a threshold
    key = np.empty(nr)
    for j in range(nr):
        lo = lov[j]
        hi = hiv[j]
        t = lo if c_t >= 0.0 else hi
        key[j] = c_t * t if (ok[j] and lo <= hi and abs(t) < np.inf) else np.inf
    if excl >= 0:
        key[excl] = np.inf
    best = np.inf
    bj = -1
    seed = work.shape[0] > 0
    topv = np.empty(SEED_SIZE)
    topj = np.empty(SEED_SIZE, dtype=np.int64)
    nt = 0
    worst = 0
    thr = np.inf                         # what a start must beat to matter
    for j in range(nr):
        val = key[j]
        if val < thr:
            if val < best:
                best = val
                bj = j
            if not seed:
                thr = best
            elif nt < SEED_SIZE:
                topv[nt] = val
                topj[nt] = j
                nt += 1
                if nt == SEED_SIZE:
                    worst = 0
                    for a in range(1, SEED_SIZE):
                        if topv[a] > topv[worst]:
                            worst = a
                    thr = topv[worst]
            else:                        # replaces the worst of the SEED_SIZE best
                topv[worst] = val
                topj[worst] = j
                worst = 0
                for a in range(1, SEED_SIZE):
                    if topv[a] > topv[worst]:
                        worst = a
                thr = topv[worst]
    pj = -1                              # q = 1, no j meets the rows without t: the one missing them least
    if bj < 0 and q == 1:
        pviol = np.inf
        pval = np.inf
        for j in range(nr):
            lo = lov[j]
            hi = hiv[j]
            t = lo if c_t >= 0.0 else hi
            if j == excl or not (lo <= hi and abs(t) < np.inf):
                continue
            val = c_t * t
            if viol[j] < pviol or (viol[j] == pviol and val < pval):
                pj = j
                pviol = viol[j]
                pval = val
    for a in range(nt):
        _work_add(topj[a], RT, d, k, work, inwork, wcol, nwork)
    partial = False
    if bj < 0:
        if pj < 0:
            return 0
        bj = pj
        partial = True
    # the rows that fix lam_bj (q = 0) and t: the first row reaching the bound, as the scan above
    lam = lamv[bj]
    bli = -1
    if twosided:                         # the steepest falling row fixes lam, the flattest rising one t
        amax = 0.0
        bmin = np.inf
        bti = -1
        for i in range(k):
            a = RT[i, bj] * d[i] / g[i]
            if g[i] < 0.0:
                if -a > amax:
                    amax = -a
                    bli = i
            elif a < bmin:
                bmin = a
                bti = i
        bt = hiv[bj]
    else:
        if q == 0:
            acc = 0.0
            for i in range(k):
                if g[i] == 0.0 and i >= k_in:
                    rj = RT[i, bj] * d[i]
                    if rj > 0.0 and b[i] / rj > acc:
                        acc = b[i] / rj
                        bli = i
        lo = t_lo
        hi = t_hi
        ilo = -1
        ihi = -1
        for i in range(k):
            gi = g[i]
            if gi == 0.0:
                continue
            bound = (lam * RT[i, bj] * d[i] - b[i]) / gi
            if (i < k_in) == (gi > 0.0):
                if bound > lo:
                    lo = bound
                    ilo = i
            elif bound < hi:
                hi = bound
                ihi = i
        if c_t >= 0.0:
            bt, bti = lo, ilo
        else:
            bt, bti = hi, ihi
    count = 1 + (1 if bti >= 0 else 0)
    for i in range(k):
        if i != bti and i != bli:
            count += 1
    if count != k + q:
        return 0
    p = 0
    basis[p] = bj
    isbasic[bj] = True
    p += 1
    if bti >= 0:
        basis[p] = nr
        isbasic[nr] = True
        xN[nr] = 0.0
        p += 1
    else:
        xN[nr] = bt
    for i in range(k):
        if i != bti and i != bli:
            v = RT[i, bj] * d[i] - b[i]
            if partial and g[i] == 0.0 and ((i < k_in and v > 0.0) or (i >= k_in and v < 0.0)):
                a = nr + 1 + k + q + i           # a missed row: its artificial, signed to be >= 0
                asign[i] = -1.0 if i < k_in else 1.0
                basis[p] = a
                isbasic[a] = True
            else:
                basis[p] = nr + 1 + i
                isbasic[nr + 1 + i] = True
            p += 1
    return 2 if partial else 1


@jit(cache=True)
def _crash_among(work, wcol, nw, nr, k, k_in, q, b, g, t_lo, t_hi, c_t, s_ub, e_ok, basis, isbasic, xN, asign):
    """``_crash`` over the first nw columns of the working set only (their row-scaled data: wcol),
    with the basis written in the LP's own variable indices (column work[a], t at nr, the slacks and
    artificials after it). Returns ``_crash``'s code (0: none of these columns gives a start)."""
    r = k + q
    RTc = np.empty((k, nw))
    for i in range(k):
        for a in range(nw):
            RTc[i, a] = wcol[i, a]
    nvc = nw + 1 + k + q + r
    basis_c = np.empty(r, dtype=np.int64)
    isbasic_c = np.zeros(nvc, dtype=np.bool_)
    xN_c = np.zeros(nvc)
    none = np.empty(0, dtype=np.int64)
    code = _crash(RTc, np.ones(k), nw, k, k_in, q, b, g, t_lo, t_hi, c_t, s_ub, -1, e_ok, basis_c, isbasic_c, xN_c,
                  asign, none, np.zeros(0, dtype=np.bool_), np.empty((k, 0)), np.zeros(2, dtype=np.int64))
    if code == 0:
        return 0
    for p in range(r):
        v = basis_c[p]
        v = work[v] if v < nw else v - nw + nr
        basis[p] = v
        isbasic[v] = True
    xN[nr] = xN_c[nw]
    return code


@jit(cache=True)
def row_scale(b, g, d):
    """d[i] = 1 / max(|b_i|, |g_i|) (1 where both are 0): each data row measured in units of the
    evaluated DMU's own value, so that every tolerance is relative to that DMU (a DMU whose values
    are 1e-14 of the column's mean is solved as accurately as one at the mean)."""
    for i in range(b.shape[0]):
        m = max(abs(b[i]), abs(g[i]))
        d[i] = 1.0 / max(m, ROW_FLOOR) if m > 0.0 else 1.0


@jit(cache=True)
def solve_one(RT, k_in, q, rts_lo, rts_hi, b0, g0, t_lo, t_hi, c_t, s_ub0, w0, excl, slacks,
              lam_idx, lam_val, slack_out, dual_out, seed_cols, stop=-np.inf):
    """Solve the LP of one DMU against the reference columns RT (k x n_ref); fills lam_idx/lam_val
    (basic lambdas, -1 padded), slack_out and dual_out (phase II duals of the LP as given); returns
    (status, t, work): work = [iterations of phase I, II and III, full pricing passes over all the
    reference columns], summed over the attempts. The data rows are scaled by ``row_scale`` first, and the final point is
    certified (``certify``). An LP without a certified optimum (a failed certificate, an iteration
    limit, a singular basis) is solved again with the strict ratio test (no Harris relaxation:
    degenerate runs then cannot drift outside the bounds) and a tenfold stricter phase I (a point
    just outside the technology is then infeasible, not a barely feasible basis), and then once more
    so without the row scaling (which can hide a reduced cost in a row where the DMU's value is 0
    and the direction tiny); if all fail, the status says so (a failed certificate: NUMERICAL;
    phase III: 10 + the code).

    ``seed_cols``: reference columns (-1: none) that join the working set on the first attempt, and
    among which the crash looks for a start first (``solve_batch``: the basic lambdas of the LPs
    before it in its run).

    With a finite ``stop``, phase II ends as soon as its objective c_t t reaches ``stop``: the status
    is then OPTIMAL and t a feasible value at least that good, certified primal feasible only (the
    frame search asks whether a DMU lies inside a technology, not how deep); slacks are skipped."""
    its = np.zeros(4, dtype=np.int64)
    nwork = np.zeros(2, dtype=np.int64)
    for attempt in range(3):
        for i in range(lam_idx.shape[0]):
            lam_idx[i] = -1
            lam_val[i] = 0.0
        harris = FEAS_TOL if attempt == 0 else STRICT_TOL
        phase1 = PHASE1_TOL if attempt == 0 else STRICT_PHASE1_TOL
        nwork[0] = 0
        status, t = _solve_once(RT, k_in, q, rts_lo, rts_hi, b0, g0, t_lo, t_hi, c_t, s_ub0, w0, excl, slacks,
                                lam_idx, lam_val, slack_out, dual_out, harris, phase1, attempt < 2, stop, its, nwork,
                                seed_cols if attempt == 0 else seed_cols[:0])
        if status == OPTIMAL or status == INFEASIBLE or status == UNBOUNDED:
            break
    its[3] = nwork[1]
    return status, t, its


@jit(cache=True)
def _solve_once(RT, k_in, q, rts_lo, rts_hi, b0, g0, t_lo, t_hi, c_t, s_ub0, w0, excl, slacks,
                lam_idx, lam_val, slack_out, dual_out, harris, phase1, scaled, stop, its, nwork, seed_cols):
    """One attempt of ``solve_one``: Harris relaxation ``harris``, phase I infeasibility threshold
    ``phase1``, rows scaled to the DMU (``scaled``) or as given; ``seed_cols`` join the working set."""
    k, nr = RT.shape
    r = k + q
    nvar = nr + 1 + k + q + r
    d = np.ones(k)
    if scaled:
        row_scale(b0, g0, d)
    b = np.empty(k)
    g = np.empty(k)
    s_ub = np.empty(k)
    w = np.empty(k)
    wmax = 0.0
    for i in range(k):
        b[i] = b0[i] * d[i]
        g[i] = g0[i] * d[i]
        s_ub[i] = s_ub0[i] * d[i]
        w[i] = w0[i] / d[i]              # slack s' = d s: its weight is w / d
        wmax = max(wmax, w[i])
    if wmax > 0.0:
        for i in range(k):
            w[i] /= wmax
    lb = np.zeros(nvar)
    ub = np.full(nvar, np.inf)
    lb[nr] = t_lo
    ub[nr] = t_hi
    for i in range(k):
        ub[nr + 1 + i] = s_ub[i]
    if q == 1:
        lb[nr + k + 1] = rts_lo
        ub[nr + k + 1] = rts_hi
    if excl >= 0:
        ub[excl] = 0.0
    xN = np.zeros(nvar)
    t0 = t_lo if t_lo > -np.inf else (t_hi if t_hi < np.inf else 0.0)
    xN[nr] = t0
    e0 = 0.0
    if q == 1:
        e0 = rts_lo if rts_lo > 0.0 else (rts_hi if rts_hi < 0.0 else 0.0)
        xN[nr + k + 1] = e0
    asign = np.ones(r)
    basis = np.empty(r, dtype=np.int64)
    isbasic = np.zeros(nvar, dtype=np.bool_)
    Binv = np.zeros((r, r))
    xB = np.zeros(r)
    c = np.zeros(nvar)
    dl2 = np.empty(nr)                     # phase II's last pricing pass: the certificate's d2
    partial_ok = nr > PARTIAL_MIN
    cap = min(nr, WORK_CAP) if partial_ok else 0
    work = np.empty(cap, dtype=np.int64)
    inwork = np.zeros(nr if partial_ok else 0, dtype=np.bool_)
    wcol = np.empty((k, cap))
    # 1: a feasible basis on one reference DMU; 2: the same with artificials in the rows it misses.
    # With seed columns (the bases of the LPs before it, neighbours alike) the crash looks at them
    # first, and at every column only when none of them gives a start.
    crashed = 0
    if partial_ok:
        for a in range(seed_cols.shape[0]):
            j = seed_cols[a]
            if 0 <= j < nr and j != excl:
                _work_add(j, RT, d, k, work, inwork, wcol, nwork)
        if nwork[0] > 0:
            crashed = _crash_among(work, wcol, nwork[0], nr, k, k_in, q, b, g, t_lo, t_hi, c_t, s_ub, e0 == 0.0,
                                   basis, isbasic, xN, asign)
    if crashed == 0:
        crashed = _crash(RT, d, nr, k, k_in, q, b, g, t_lo, t_hi, c_t, s_ub, excl, e0 == 0.0, basis, isbasic, xN,
                         asign, work, inwork, wcol, nwork)
    if crashed > 0:
        if not _refactor(RT, d, nr, k, k_in, q, g, asign, b, basis, xN, isbasic, Binv, xB, nvar):
            crashed = 0
        else:
            for p in range(r):
                v = basis[p]
                if xB[p] < lb[v] - harris or xB[p] > ub[v] + harris:
                    crashed = 0
        if crashed == 0:                    # back to the artificial start
            for j in range(nvar):
                isbasic[j] = False
            for i in range(r):
                asign[i] = 1.0
            xN[nr] = t0
    if crashed != 1:
        if crashed == 0:
            # artificials: a = b + g t0 (minus e0 in the RTS row), sign chosen to make them non-negative
            for i in range(r):
                res = (b[i] + g[i] * t0) if i < k else 1.0 - e0
                asign[i] = -1.0 if res < 0.0 else 1.0
                a = nr + 1 + k + q + i
                basis[i] = a
                isbasic[a] = True
                for jj in range(r):
                    Binv[i, jj] = 0.0
                Binv[i, i] = asign[i]
                xB[i] = abs(res)
        for i in range(r):
            c[nr + 1 + k + q + i] = 1.0
        status, it = _phase(RT, d, nr, k, k_in, q, g, asign, b, c, lb, ub, basis, isbasic, xN, Binv, xB, nvar,
                               excl, harris, work, inwork, wcol, nwork, -np.inf, dl2)
        its[0] += it
        if status != OPTIMAL:
            return status, np.nan
        infeas = 0.0
        scale = 1.0
        for i in range(k):
            scale = max(scale, abs(b[i]))
        for p in range(r):
            if basis[p] > nr + k + q:
                infeas += abs(xB[p])
        if infeas > phase1 * scale:
            return INFEASIBLE, np.nan
    for i in range(r):                     # artificials leave the problem
        a = nr + 1 + k + q + i
        ub[a] = 0.0
        c[a] = 0.0
        if not isbasic[a]:
            xN[a] = 0.0
    c[nr] = c_t
    status, it = _phase(RT, d, nr, k, k_in, q, g, asign, b, c, lb, ub, basis, isbasic, xN, Binv, xB, nvar, excl,
                           harris, work, inwork, wcol, nwork, stop, dl2)
    its[1] += it
    stopped = status == STOPPED
    if stopped:
        slacks = False
    elif status != OPTIMAL:
        return status, np.nan
    pi2 = np.zeros(r)
    for i in range(r):
        acc = 0.0
        for p in range(r):
            acc += c[basis[p]] * Binv[p, i]
        pi2[i] = acc
    t = xN[nr]
    for p in range(r):
        if basis[p] == nr:
            t = xB[p]
    pi3 = np.zeros(r)
    if slacks:
        lb[nr] = t
        ub[nr] = t
        c[nr] = 0.0
        for i in range(k):
            c[nr + 1 + i] = -w[i]
        status, it = _phase(RT, d, nr, k, k_in, q, g, asign, b, c, lb, ub, basis, isbasic, xN, Binv, xB, nvar,
                               excl, harris, work, inwork, wcol, nwork, -np.inf, np.empty(nr))
        its[2] += it
        if status != OPTIMAL:
            return status + 10, t   # +10: the score is good, phase III failed
        for i in range(r):
            acc = 0.0
            for p in range(r):
                acc += c[basis[p]] * Binv[p, i]
            pi3[i] = acc
    for i in range(k):
        slack_out[i] = xN[nr + 1 + i]
    cnt = 0
    for p in range(r):
        v = basis[p]
        if v < nr:
            lam_idx[cnt] = v
            lam_val[cnt] = xB[p]
            cnt += 1
        elif v > nr and v <= nr + k:
            slack_out[v - nr - 1] = xB[p]
    verdict = certify(RT, d, k_in, q, rts_lo, rts_hi, b, g, t_lo, t_hi, c_t, s_ub, w, excl, slacks,
                      lam_idx, lam_val, cnt, t, slack_out, pi2, pi3, stopped, dl2)
    for i in range(k):                     # back to the LP as given: s = s' / d, pi = pi' d
        slack_out[i] /= d[i]
        dual_out[i] = pi2[i] * d[i]
    if q == 1:
        dual_out[k] = pi2[k]
    if verdict == 1:
        return NUMERICAL, np.nan
    if verdict == 2:
        return NUMERICAL + 10, t
    return OPTIMAL, t


@jit(cache=True)
def _dual_check(RT, d, k_in, q, rts_lo, rts_hi, b, g, t_lo, t_hi, c_t, s_ub, cs, excl, t, pi, pis,
                lam_idx, lam_val, cnt, sl, e, dl, given):
    """Dual feasibility of pi for min c_t t + cs's over the row-scaled LP (t in [t_lo, t_hi]) and
    complementary slackness with the point (lambda, t, s, e); returns (feasible, dual objective,
    scale of its terms, complementarity error sum_j |d_j| * (distance of x_j from its bound)). The
    complementarity error bounds what a reduced cost within the tolerance can still be worth at
    this point (a reduced cost of -4e-10 on a slack of 1e7 is not zero). ``dl`` (length nr) holds
    the lambdas' reduced costs at pi on return; with ``given`` the caller has computed them.
    The tolerances and the scale are those of the duals ``pis`` (pi itself, or for ``certify``'s
    slack LP pi3 where pi = pi3 + mu pi2: the mu pi2 part must hold exactly, up to rounding)."""
    k, nr = RT.shape
    tol = CERT_TOL
    dobj = 0.0
    mag = 0.0
    comp = 0.0
    for i in range(k):
        dobj += b[i] * pi[i]
        mag += abs(b[i] * pis[i])
    piq = 0.0
    psq = 0.0
    if q == 1:
        piq = pi[k]
        psq = pis[k]
        dobj += piq
        mag += abs(psq)
    # lambdas: reduced cost -pi'a_j >= 0 (lower bound 0, no upper bound); row by row over the columns
    # (the scale |pi_q| + sum_i |pi_i d_i RT[i, j]| only for the columns below -tol)
    pd = np.empty(k)
    nzr = np.empty(k, dtype=np.int64)
    nnz = _nonzero_rows(pi, d, k, pd, nzr)
    if not given:
        _price(RT, nr, pd, nzr, nnz, -piq, dl)
    for j in range(nr if _count_below(dl, nr, -tol) > 0 else 0):
        if dl[j] < -tol and j != excl:
            aj = abs(psq)
            for i in range(k):
                aj += abs(pis[i] * d[i] * RT[i, j])
            if dl[j] < -tol * max(1.0, aj):
                return False, dobj, mag, comp
    for c in range(cnt):                  # the basic lambdas are the nonzero ones
        j = lam_idx[c]
        dj = -piq
        for i in range(k):
            dj -= pi[i] * d[i] * RT[i, j]
        comp += abs(dj) * abs(lam_val[c])
    # t
    dt = c_t
    dts = c_t
    at = abs(c_t)
    for i in range(k):
        dt += pi[i] * g[i]
        dts += pis[i] * g[i]
        at += abs(pis[i] * g[i])
    ok, term = _bound_term(dt, t_lo, t_hi, tol * max(1.0, at))
    if not ok:
        return False, dobj, mag, comp
    dobj += term
    mag += abs(_bound_term(dts, t_lo, t_hi, np.inf)[1])
    comp += abs(dt) * _distance(t, t_lo, t_hi)
    # slacks: +1 in input rows, -1 in output rows; bounds [0, s_ub]
    for i in range(k):
        ds = cs[i] - (pi[i] if i < k_in else -pi[i])
        ok, term = _bound_term(ds, 0.0, s_ub[i], tol * max(1.0, abs(cs[i]) + abs(pis[i])))
        if not ok:
            return False, dobj, mag, comp
        dobj += term
        mag += abs(_bound_term(cs[i] - (pis[i] if i < k_in else -pis[i]), 0.0, s_ub[i], np.inf)[1])
        comp += abs(ds) * _distance(sl[i], 0.0, s_ub[i])
    if q == 1:
        ok, term = _bound_term(-piq, rts_lo, rts_hi, tol * max(1.0, abs(psq)))
        if not ok:
            return False, dobj, mag, comp
        dobj += term
        mag += abs(_bound_term(-psq, rts_lo, rts_hi, np.inf)[1])
        comp += abs(piq) * _distance(e, rts_lo, rts_hi)
    return True, dobj, mag, comp


@jit(cache=True)
def _distance(x, lo, hi):
    """Distance of x from its nearest finite bound (|x| when both are infinite)."""
    dist = np.inf
    if lo > -np.inf:
        dist = abs(x - lo)
    if hi < np.inf:
        dist = min(dist, abs(hi - x))
    return abs(x) if dist == np.inf else dist


@jit(cache=True)
def _bound_term(dj, lo, hi, tol):
    """min of dj x over lo <= x <= hi: (dual feasible within tol, value; an infinite bound with
    |dj| <= tol counts as 0)."""
    if dj > 0.0:
        if lo > -np.inf:
            return True, dj * lo
        return dj <= tol, 0.0
    if dj < 0.0:
        if hi < np.inf:
            return True, dj * hi
        return -dj <= tol, 0.0
    return True, 0.0


@jit(cache=True)
def certify(RT, d, k_in, q, rts_lo, rts_hi, b, g, t_lo, t_hi, c_t, s_ub, w, excl, slacks,
            lam_idx, lam_val, cnt, t, sl, pi2, pi3, primal_only=False, d2_given=None):
    """Check the final point of one LP from scratch, on the row-scaled LP: primal feasibility of
    (lambda, t, s, e) - every row's residual and every bound, within CERT_TOL relative to the row's
    size - and optimality, by the duals: pi2 must be dual feasible for the score LP (min c_t t) with
    no duality gap, and with ``slacks`` pi3 likewise for the slack LP (max w's at t fixed).
    The gap allowed is CERT_TOL relative to the objective plus ROUND_TOL per unit of the dual
    objective's terms (their rounding): a near-singular basis has duals of 1e9 whose terms cancel,
    and a tolerance relative to those terms would let any point pass.
    ``d2_given``: the lambdas' reduced costs at pi2 as phase II's last pricing pass computed them
    (the same numbers: the same duals, from the same factorisation, priced by the same ``_price``);
    None: computed here.
    Returns 0 (certified), 1 (the score is not) or 2 (the score is, the slacks are not)."""
    k, nr = RT.shape
    tol = CERT_TOL
    # primal: rows
    lamsum = 0.0
    for c in range(cnt):
        j = lam_idx[c]
        if lam_val[c] < -tol or (j == excl and abs(lam_val[c]) > tol):
            return 1
        lamsum += lam_val[c]
    for i in range(k):
        acc = -g[i] * t - b[i]
        mag = abs(g[i] * t) + abs(b[i])
        neg = 0.0                         # what negative lambdas take away in this row
        for c in range(cnt):
            v = RT[i, lam_idx[c]] * d[i] * lam_val[c]
            acc += v
            mag += abs(v)
            if lam_val[c] < 0.0:
                neg += abs(v)
        acc += sl[i] if i < k_in else -sl[i]
        mag += abs(sl[i])
        if abs(acc) > tol * max(1.0, mag) or neg > tol * max(1.0, mag):
            return 1
        if sl[i] < -tol * max(1.0, mag) or sl[i] > s_ub[i] + tol * max(1.0, mag):
            return 1
    if q == 1:
        e = 1.0 - lamsum
        if e < rts_lo - tol * max(1.0, lamsum) or e > rts_hi + tol * max(1.0, lamsum):
            return 1
    if t < t_lo - tol * max(1.0, abs(t)) or t > t_hi + tol * max(1.0, abs(t)):
        return 1
    if primal_only:
        return 0
    # optimality of the score: pi2 dual feasible, no gap, complementary with the point
    e = 1.0 - lamsum
    zero = np.zeros(k)
    if d2_given is None:
        d2 = np.empty(nr)
        given = False
    else:
        d2 = d2_given
        given = True
    ok, dobj, mag, comp = _dual_check(RT, d, k_in, q, rts_lo, rts_hi, b, g, t_lo, t_hi, c_t, s_ub, zero, excl, t,
                                      pi2, pi2, lam_idx, lam_val, cnt, sl, e, d2, given)
    bound = tol * max(1.0, abs(c_t * t)) + ROUND_TOL * mag
    if not ok or abs(c_t * t - dobj) > bound or comp > bound:
        return 1
    if slacks:
        cs = np.empty(k)
        pobj = 0.0
        for i in range(k):
            cs[i] = -w[i]
            pobj -= w[i] * sl[i]
        # The slack LP's dual: y = pi3 + mu pi2, mu >= 0 the least that makes the reduced cost
        # d3_j + mu d2_j of every lambda pi3 does not certify non-negative (d2_j > 0 there: the
        # lambda is off phase II's optimal face, 0 at every point of the slack LP). With t fixed, pi2 prices the slack LP's
        # primal objective-free part at (almost) no gap, so y has pi3's gap plus mu times phase II's.
        r = k + q
        pd = np.empty(k)
        nzr = np.empty(k, dtype=np.int64)
        nnz = _nonzero_rows(pi3, d, k, pd, nzr)
        dy = np.empty(nr)
        _price(RT, nr, pd, nzr, nnz, -(pi3[k] if q == 1 else 0.0), dy)
        # mu from the lambdas that pi3 alone does not certify (below -tol relative, as _dual_check)
        mu = 0.0
        for j in range(nr if _count_below(dy, nr, -tol) > 0 else 0):
            if dy[j] < -tol and d2[j] > 0.0 and j != excl:
                aj = abs(pi3[k]) if q == 1 else 0.0
                for i in range(k):
                    aj += abs(pd[i] * RT[i, j])
                if dy[j] < -tol * max(1.0, aj):
                    mu = max(mu, -dy[j] / d2[j])
        big2 = 0.0
        big3 = 1.0
        for i in range(r):
            big2 = max(big2, abs(pi2[i]))
            big3 = max(big3, abs(pi3[i]))
        if mu * big2 > MU_MAX * big3:      # rounding in mu pi2 could reach the tolerance
            return 2
        y = np.empty(r)
        for i in range(r):
            y[i] = pi3[i] + mu * pi2[i]
        if mu > 0.0:
            for j in range(nr):
                dy[j] += mu * d2[j]
        ok, dobj, mag, comp = _dual_check(RT, d, k_in, q, rts_lo, rts_hi, b, g, t, t, 0.0, s_ub, cs, excl, t, y,
                                          pi3, lam_idx, lam_val, cnt, sl, e, dy, True)
        bound = tol * max(1.0, abs(pobj)) + ROUND_TOL * mag
        if not ok or abs(pobj - dobj) > bound or comp > bound:
            return 2
    return 0


@jit(cache=True)
def near_order(B, G):
    """An order of the DMUs in which neighbours have alike LPs: the Morton (Z-order) codes of
    |b_i| + |g_i| / sum|g| (the first 60 rows; for the input-oriented radial LP, the input mix and
    the outputs: DMUs that differ only in the scale of their inputs have the same point), each
    column scaled to [0, 1] and cut into 2^(60 // k) levels; ties keep the given order. A Z-order
    curve keeps most points next to points near them (Morton 1966)."""
    n = B.shape[0]
    k = min(B.shape[1], 60)
    V = np.empty((n, k))
    for o in range(n):
        gs = 0.0
        for i in range(B.shape[1]):
            gs += abs(G[o, i])
        gs = gs if gs > 0.0 else 1.0
        for i in range(k):
            V[o, i] = abs(B[o, i]) + abs(G[o, i]) / gs
    bits = min(20, 60 // max(k, 1))
    levels = (1 << bits) - 1
    code = np.zeros(n, dtype=np.int64)
    for i in range(k):
        lo = V[:, i].min() if n > 0 else 0.0
        hi = V[:, i].max() if n > 0 else 0.0
        span = hi - lo if hi > lo else 1.0
        for o in range(n):
            x = (V[o, i] - lo) / span
            qv = np.int64(x * levels) if x == x else np.int64(0)
            for bb in range(bits):
                if (qv >> bb) & 1:
                    code[o] |= np.int64(1) << (bb * k + i)
    return np.argsort(code, kind="mergesort")


@jit(cache=True, inline="always")
def _remember(seedc, pos, lam_idx):
    """The basic lambdas of a run's LP at position pos join the run's seeds (``seedc``: the bases of
    the SEED_PREV LPs before the next one, oldest overwritten)."""
    r = lam_idx.shape[0]
    slot = pos % SEED_PREV
    for i in range(r):
        seedc[slot * r + i] = lam_idx[i]


@jit(cache=True, parallel=True)
def solve_batch(R, k_in, q, rts_lo, rts_hi, B, G, t_lo, t_hi, c_t, s_ub, w, excl, slacks):
    """solve_one for every row of B/G (DMUs in parallel; t bounds per DMU). Returns status, t,
    work (n x 4: iterations of phases I, II and III, full pricing passes; ``solve_one``), basic lambda
    indices/values (n x r, -1 padded), slacks (n x k), phase II duals (n x r).
    A status of 10 + code means the score is good but phase III (slacks) ended with that code.

    The rows are cut into runs of RUN (rows 0..RUN-1, RUN..2 RUN-1, ...), solved in parallel; within
    a run, with partial pricing (more than PARTIAL_MIN reference columns), each LP's working set
    starts with the basic lambdas of the SEED_PREV LPs before it: rows given in ``near_order`` have
    near optimal facets (fewer pivots and full pricing passes). An LP's answer (among alternative
    optima) depends on the rows before it in its run, never on the threads: a caller that splits a
    batch keeps the answers by cutting it at multiples of RUN."""
    n, k = B.shape
    r = k + q
    RT = np.ascontiguousarray(R.T)
    status = np.zeros(n, dtype=np.int8)
    t = np.full(n, np.nan)
    iters = np.zeros((n, 4), dtype=np.int64)
    lam_idx = np.full((n, r), -1, dtype=np.int64)
    lam_val = np.zeros((n, r))
    slack = np.zeros((n, k))
    dual = np.zeros((n, r))
    nruns = (n + RUN - 1) // RUN
    for c in prange(nruns):
        seedc = np.full(SEED_PREV * r, -1, dtype=np.int64)
        for o in range(c * RUN, min(n, (c + 1) * RUN)):
            st, to, it = solve_one(RT, k_in, q, rts_lo, rts_hi, B[o], G[o], t_lo[o], t_hi[o], c_t, s_ub, w, excl[o],
                                   slacks, lam_idx[o], lam_val[o], slack[o], dual[o], seedc)
            status[o] = st
            t[o] = to
            iters[o, :] = it
            _remember(seedc, o - c * RUN, lam_idx[o])
    return status, t, iters, lam_idx, lam_val, slack, dual


@jit(cache=True, parallel=True)
def solve_stack(RTs, k_in, q, rts_lo, rts_hi, Bs, Gs, t_lo, t_hi, c_t, s_ub, w, excl, slacks):
    """``solve_batch`` for a stack of problems of the same shape, each with its own reference columns
    (RTs: nb x k x n_ref) and DMUs (Bs, Gs: nb x n x k; t_lo, t_hi, excl: nb x n), all LPs in one
    parallel loop: many small problems (the bootstrap's replications) pay for one parallel region,
    not one each. Returns the arrays of ``solve_batch`` with a leading axis of length nb."""
    nb, n, k = Bs.shape
    r = k + q
    status = np.zeros((nb, n), dtype=np.int8)
    t = np.full((nb, n), np.nan)
    iters = np.zeros((nb, n, 4), dtype=np.int64)
    lam_idx = np.full((nb, n, r), -1, dtype=np.int64)
    lam_val = np.zeros((nb, n, r))
    slack = np.zeros((nb, n, k))
    dual = np.zeros((nb, n, r))
    for i in prange(nb * n):
        j = i // n
        o = i - j * n
        st, to, it = solve_one(RTs[j], k_in, q, rts_lo, rts_hi, Bs[j, o], Gs[j, o], t_lo[j, o], t_hi[j, o], c_t,
                               s_ub, w, excl[j, o], slacks, lam_idx[j, o], lam_val[j, o], slack[j, o], dual[j, o],
                               np.empty(0, dtype=np.int64))
        status[j, o] = st
        t[j, o] = to
        iters[j, o, :] = it
    return status, t, iters, lam_idx, lam_val, slack, dual


# --------------------------------------------------------------------------------------------------
# Frame (extreme-efficient DMUs) in the manner of Dula's BuildHull (2011)
# --------------------------------------------------------------------------------------------------

@jit(cache=True)
def _first_columns(RT, nf):
    """RT[:, :nf] as a C-contiguous array. The kernel is compiled for the layout it is given: on a
    slice (strided rows) its loops over the columns are not vectorised."""
    k = RT.shape[0]
    out = np.empty((k, nf))
    for i in range(k):
        for j in range(nf):
            out[i, j] = RT[i, j]
    return out


@jit(cache=True)
def _ddf(RT, k_in, q, p, excl, dual, lam_idx, lam_val, slack, stop=-np.inf, seed_cols=np.empty(0, dtype=np.int64)):
    """max beta s.t. (x_o (1 - beta), y_o (1 + beta)) in T(RT) (beta free): (status, beta).

    beta < 0: the point lies outside the technology spanned by the columns of RT; the phase II
    duals then define a hyperplane u'y - v'x - w <= 0 valid on them and violated at the point.
    With ``stop`` = tol the LP ends as soon as beta >= -tol is reached (the point is inside): only a
    point outside needs the optimum and its hyperplane."""
    k = p.shape[0]
    g = np.empty(k)
    for i in range(k):
        g[i] = -p[i] if i < k_in else p[i]
    s_ub = np.full(k, np.inf)
    w = np.zeros(k)
    st, beta, _ = solve_one(RT, k_in, q, 0.0, 0.0, p, g, -np.inf, np.inf, -1.0, s_ub, w, excl, False,
                            lam_idx, lam_val, slack, dual, seed_cols, stop)
    return st, beta


@jit(cache=True)
def _scan(P, k_in, q, u, v, candidate, tiebreak):
    """The candidate maximising u'y - v'x (VRS, q = 1) or u'y / v'x (CRS, q = 0); ties (relative
    1e-12) broken by the strictly positive secondary weights ``tiebreak``. Returns (index, ties > 1)."""
    n, k = P.shape
    best = -np.inf
    arg = -1
    vals = np.full(n, -np.inf)
    for j in range(n):
        if not candidate[j]:
            continue
        uy = 0.0
        vx = 0.0
        for i in range(k_in):
            vx += v[i] * P[j, i]
        for i in range(k_in, k):
            uy += u[i - k_in] * P[j, i]
        if q == 1:
            h = uy - vx
        elif vx > 1e-300:
            h = uy / vx
        else:
            h = np.inf if uy > 0.0 else -np.inf
        vals[j] = h
        if h > best:
            best = h
            arg = j
    if arg < 0:
        return -1, True
    tol = 1e-12 * max(1.0, abs(best)) if best < np.inf else 0.0
    ties = 0
    second = -np.inf
    for j in range(n):
        if candidate[j] and (vals[j] >= best - tol):
            ties += 1
            sy = 0.0
            sx = 0.0
            for i in range(k_in):
                sx += tiebreak[i] * P[j, i]
            for i in range(k_in, k):
                sy += tiebreak[i] * P[j, i]
            sc = sy - sx if q == 1 else (sy / sx if sx > 1e-300 else np.inf)
            if sc > second:
                second = sc
                arg = j
    return arg, ties > 1 or best == np.inf


@jit(cache=True, parallel=True)
def build_frame(P, k_in, q, order, block, tol, tiebreak):
    """Indices of the extreme-efficient DMUs of P (n x k; inputs then outputs), under VRS (q = 1) or
    CRS (q = 0), in the manner of Dula's BuildHull (2011): DMUs are tested, in ``order`` and in
    parallel blocks, against the technology spanned by the frame found so far; a DMU outside it
    yields a separating hyperplane, whose maximiser over the DMUs not yet known to be inside is an
    extreme-efficient DMU and joins the frame; then the DMU is tested again. Members chosen among
    ties are checked against the rest of the frame at the end and dropped if they are not extreme.
    A membership LP stops as soon as it finds the DMU inside (``_ddf``'s stop); a DMU outside is
    tested again warm from its last LP's basis (and the new member). Returns (frame indices, number
    of LPs solved)."""
    n, k = P.shape
    r = k + q
    RT = np.empty((k, n))
    members = np.empty(n, dtype=np.int64)
    in_frame = np.zeros(n, dtype=np.bool_)
    candidate = np.ones(n, dtype=np.bool_)
    unsure = np.zeros(n, dtype=np.bool_)
    nf = 0
    lps = 0
    u = np.empty(k - k_in)
    v = np.empty(k_in)
    # Start from the maximiser of the strictly positive tie-break weights (an extreme DMU).
    for i in range(k_in):
        v[i] = tiebreak[i]
    for i in range(k_in, k):
        u[i - k_in] = tiebreak[i]
    j0, _ = _scan(P, k_in, q, u, v, candidate, tiebreak)
    members[0] = j0
    in_frame[j0] = True
    candidate[j0] = False
    for i in range(k):
        RT[i, 0] = P[j0, i]
    nf = 1
    beta = np.empty(block)
    blis = np.full((block, r), -1, dtype=np.int64)  # each block LP's basic lambdas: the re-test's seeds
    seeds = np.full(r + 1, -1, dtype=np.int64)
    RF = _first_columns(RT, nf)                     # the frame so far, contiguous
    for start in range(0, n, block):
        stop = min(n, start + block)
        nb = stop - start
        for t in prange(nb):
            o = order[start + t]
            beta[t] = 0.0
            if not in_frame[o]:
                d = np.empty(r)
                li = np.empty(r, dtype=np.int64)
                lv = np.empty(r)
                sl = np.empty(k)
                st, b = _ddf(RF, k_in, q, P[o], -1, d, li, lv, sl, tol)
                beta[t] = b if st == OPTIMAL else -np.inf
                for i in range(r):
                    blis[t, i] = li[i]
        lps += nb
        d = np.empty(r)
        li = np.empty(r, dtype=np.int64)
        lv = np.empty(r)
        sl = np.empty(k)
        for t in range(nb):
            o = order[start + t]
            if in_frame[o]:
                continue
            if beta[t] >= -tol:                   # inside the frame's technology already
                candidate[o] = False
                continue
            for i in range(r):                    # warm from the block LP's basis
                seeds[i] = blis[t, i]
            seeds[r] = -1
            while True:
                st, b = _ddf(RF, k_in, q, P[o], -1, d, li, lv, sl, tol, seeds)
                lps += 1
                if st == OPTIMAL and b >= -tol:
                    candidate[o] = False
                    break
                j = -1
                tied = True
                if st == OPTIMAL:
                    for i in range(k_in):
                        v[i] = -d[i]
                    for i in range(k_in, k):
                        u[i - k_in] = d[i]
                    j, tied = _scan(P, k_in, q, u, v, candidate, tiebreak)
                if j < 0 or in_frame[j]:
                    j = o                          # numerical trouble: keep o itself, check it later
                    tied = True
                members[nf] = j
                in_frame[j] = True
                candidate[j] = False
                unsure[j] = tied
                for i in range(k):
                    RT[i, nf] = P[j, i]
                nf += 1
                RF = _first_columns(RT, nf)
                if j == o:
                    break
                for i in range(r):                # warm from this LP's basis and the new member
                    seeds[i] = li[i]
                seeds[r] = nf - 1
    # Members picked among ties (or kept for numerical trouble): drop those inside the others' hull.
    doubtful = np.empty(nf, dtype=np.int64)
    nd = 0
    for a in range(nf):
        if unsure[members[a]]:
            doubtful[nd] = members[a]
            nd += 1
    for c in range(nd):
        j = doubtful[c]
        pos = -1
        for a in range(nf):
            if members[a] == j:
                pos = a
        last = nf - 1                              # move j to the end and test it against the rest
        members[pos] = members[last]
        members[last] = j
        for i in range(k):
            tmp = RT[i, pos]
            RT[i, pos] = RT[i, last]
            RT[i, last] = tmp
        st, b = _ddf(_first_columns(RT, nf - 1), k_in, q, P[j], -1, d, li, lv, sl, tol)
        lps += 1
        if st == OPTIMAL and b >= -tol:
            in_frame[j] = False
            nf -= 1
    out = np.empty(nf, dtype=np.int64)
    for a in range(nf):
        out[a] = members[a]
    return np.sort(out), lps


@jit(cache=True, parallel=True)
def outside(P, k_in, q, F, tol):
    """True for the rows of P not shown to lie within ``tol`` (directional distance) of the technology
    spanned by the rows of F (VRS, q = 1, or CRS, q = 0); each row's LP stops as soon as a point of
    that technology within ``tol`` is found. A row whose LP ends otherwise counts as outside.
    Rows are taken in ``near_order`` in runs of RUN, each LP warm from the bases of the SEED_PREV
    before it (as ``solve_batch``; the verdicts do not depend on the start)."""
    n, k = P.shape
    r = k + q
    RT = np.ascontiguousarray(F.T)
    out = np.ones(n, dtype=np.bool_)
    order = near_order(P, P) if F.shape[0] > PARTIAL_MIN else np.arange(n)
    nruns = (n + RUN - 1) // RUN
    for c in prange(nruns):
        d = np.empty(r)
        li = np.empty(r, dtype=np.int64)
        lv = np.empty(r)
        sl = np.empty(k)
        seedc = np.full(SEED_PREV * r, -1, dtype=np.int64)
        for a in range(c * RUN, min(n, (c + 1) * RUN)):
            o = order[a]
            st, b = _ddf(RT, k_in, q, P[o], -1, d, li, lv, sl, tol, seedc)
            out[o] = not (st == OPTIMAL and b >= -tol)
            _remember(seedc, a - c * RUN, li)
    return out
