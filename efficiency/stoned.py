"""StoNED / CNLS: convex nonparametric least squares and its stochastic step (DESIGN section 11, issue 16).

Step 1, CNLS (Kuosmanen 2008): the quadratic programme

    min  sum_i w_i e_i^2
    s.t. y_i = alpha_i + beta_i'x_i + e_i                         (one hyperplane per observation)
         alpha_i + beta_i'x_i <= alpha_h + beta_h'x_i  for all i, h  (Afriat: concave; >= convex for cost)
         beta_i >= 0                                               (monotone)
         alpha_i = 0 under rts="crs"

is solved with Clarabel (``clarabel``, an interior-point conic solver) in the fitted values phi_i =
alpha_i + beta_i'x_i and the slopes: the Afriat rows read phi_i <= phi_h + beta_h'(x_i - x_h) (m + 2
nonzeros), the Hessian is diagonal and positive definite in phi (the fitted values are unique) and
zero in beta. Written in (alpha, beta) instead, Clarabel stopped at reduced accuracy
('AlmostSolved') on most rounds and fitted values were off by up to 2e-4 at n = 500; in (phi, beta)
every solve ends 'Solved'. The rows are found by **constraint generation** (Lee, Johnson,
Moreno-Centeno and Kuosmanen 2013): the model starts with the Afriat rows of each observation's 8
nearest neighbours in x, is solved, then every pair (i, h) is checked in blocks (never an n x n array
at once) and, for every hyperplane h that is violated, its most violated row (i, h) is added (Clarabel
has no warm start, so the enlarged QP is solved again) until no Afriat inequality is violated by
more than 1e-7 (relative to the data, which are scaled to mean 1). The solution equals the one with
all n(n - 1) rows at once (tested to 1e-6 relative at n = 60 and 150) and n = 2 000, 2 inputs, takes
13-15 s (log-CNLS 30 s) on a shared 2-core machine, n = 500 1 s against ~300 s for the full QP
(benchmarks/results/stoned.md).

Why Clarabel: CNLS has a positive *semi*definite Hessian (the slopes do not enter the objective and
are not unique). HiGHS's QP solver (highspy) is an active-set method that needs a positive definite
reduced Hessian and stops with non-convex/solve errors on this problem; a ridge large enough to help
it moves the fitted values. Benchmarking itself uses quadprog (dual active set) with a 1e-10 ridge.
An interior-point method handles the semidefinite Hessian directly and is accurate to ~1e-9;
Clarabel is maintained, on PyPI with wheels, and takes the sparse problem as is.

Multiplicative model (``multiplicative=True``, the default), two objectives:

* ``objective="log"`` (default): **log-CNLS** (Kuosmanen and Kortelainen 2012; pyStoNED's
  multiplicative CNLS), ln y_i = ln(alpha_i + beta_i'x_i) + e_i, min sum_i e_i^2 under the same
  constraints. Not a QP and not convex: it is solved by Gauss-Newton (SQP) steps, each the weighted
  CNLS QP above (weights 1/phi0^2, working target phi0 (ln y - ln phi0 + 1), from linearising ln phi
  at the current phi0), with a halving line search on the true objective, starting from the ratio
  solution, until the objective changes by less than 1e-10 relative. The result is a local optimum
  (a KKT point of the all-pairs problem: tested against scipy's SLSQP), the one reached from the QP
  approximation; no ridge (it is solved exactly).
* ``objective="ratio"``: Benchmarking's ``stoned(..., MULT = 1)``, a QP approximation of the
  multiplicative model, min sum_i ((alpha_i + beta_i'x_i) / y_i - 1)^2 (w_i = 1/y_i^2 above): the
  reference reproduced to 1e-4 (oracle tests), with Benchmarking's ridge.

Both have residual ln y - ln yhat. ``multiplicative=False`` is additive CNLS (Benchmarking's MULT = 0;
``objective`` is then a SpecError). Benchmarking forces MULT = 1 under crs; here crs with the
additive model is allowed (alpha = 0).

Step 2 (Kuosmanen and Kortelainen 2012), half-normal u, on the CNLS residuals, as Benchmarking 0.33:

* MM: M2, M3 = central moments (M3 sign-flipped for cost); sigma_u = (M3 / (sqrt(2/pi)(1 - 4/pi)))^(1/3),
  sigma_v = sqrt(M2 - (pi - 2)/pi sigma_u^2). M3 > 0 (wrong skewness): a SkewnessWarning and
  sigma_u = sigma_v = NaN, so efficiency and front are NaN (Benchmarking prints a message, same NaNs).
* PSL: the pseudo-likelihood in lambda = sigma_u/sigma_v with sigma^2 = mean(e^2) / (1 - 2 lambda^2 /
  (pi (1 + lambda^2))), maximised over lambda >= 0 (grid, then bounded Brent); lambda = 0 when the
  boundary is best (wrong skewness), giving sigma_u = 0 and efficiency 1.
* ``efficiency`` and ``front`` exactly as Benchmarking's ``$eff`` and ``$front`` (README_more section
  7): eps = residual -+ sigma_u sqrt(2/pi) (- production, + cost), mu* = -eps sigma_u^2 / sigma^2,
  E = mu* + sigma_u sigma_v phi(eps) / (1 - Phi(eps)) (Keshvari and Kuosmanen's correction as coded
  there); efficiency = exp(-E) (multiplicative) or 1 - E / y (additive); front = fit * exp(+-sigma_u
  sqrt(2/pi)) or fit +- sigma_u sqrt(2/pi).

Ridge: Benchmarking (README_more section 7) adds 1e-10 max(D) to the diagonal of its QP matrix D (in
the data's units, D = M'S^2M in (alpha, beta)) before quadprog. That tie-break moves the fitted
values by up to ~2e-4 relative on front41Data, so the QP models (additive, ratio) take
``ridge=1e-10`` by default and add the same term (in (phi, beta), alpha_i = phi_i - beta_i'x_i: a
1 + m block per observation), which also makes alpha, beta unique (the minimum-norm coefficients);
``ridge=0`` gives the exact CNLS optimum. log-CNLS takes no ridge.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .data import frontier_data
from .errors import DataError, SkewnessWarning, SolverError, SpecError
from .results import Result

__all__ = ["StonedResult", "stoned"]

_SQ2PI = math.sqrt(2.0 / math.pi)


# --------------------------------------------------------------------------------------------------
# Step 1: CNLS by constraint generation
# --------------------------------------------------------------------------------------------------

@dataclass
class _CNLSFit:
    alpha: np.ndarray          # (n,) intercepts (zeros under crs)
    beta: np.ndarray           # (n, m) slopes
    yhat: np.ndarray           # (n,) alpha_i + beta_i'x_i
    status: str                # Clarabel's status of the last solve ('Solved', ...)
    rounds: int                # QP solves
    n_afriat: int              # Afriat rows in the final model
    max_violation: float       # largest Afriat violation of the final solution (data units)
    objective: float           # sum of squared QP residuals (Benchmarking's solutionNorm)
    keys: np.ndarray | None = None   # the final row set (i * n + h), reused by the log-CNLS iterations


def _solve_qp(P, q, A, b, n_eq: int, n_nonneg: int, *, eps: float = 1e-9, max_iter: int = 400):
    """min 0.5 z'Pz + q'z s.t. A z + s = b, s in {0}^n_eq x R+^n_nonneg, with Clarabel (interior point).

    ``P`` is the upper triangle (CSC). Returns (z, status); status is Clarabel's status as text."""
    import clarabel

    cones = []
    if n_eq:
        cones.append(clarabel.ZeroConeT(n_eq))
    if n_nonneg:
        cones.append(clarabel.NonnegativeConeT(n_nonneg))
    st = clarabel.DefaultSettings()
    st.verbose = False
    st.tol_gap_abs = eps
    st.tol_gap_rel = eps
    st.tol_feas = eps
    st.tol_ktratio = 1e-8
    st.max_iter = max_iter
    st.max_threads = 2
    sol = clarabel.DefaultSolver(P, q, A, b, cones, st).solve()
    status = str(sol.status)
    return np.asarray(sol.x, dtype=float), status


_OK = ("Solved", "AlmostSolved")


def _cnls(X: np.ndarray, y: np.ndarray, *, vrs: bool, cost: bool, multiplicative: bool,
          constraints: str = "generate", neighbours: int | None = None, tol: float = 1e-7,
          max_rounds: int = 200, ridge: float = 0.0, weights: np.ndarray | None = None,
          target: np.ndarray | None = None, keys0: np.ndarray | None = None) -> _CNLSFit:
    """Solve the CNLS QP; ``constraints="all"`` puts all n(n - 1) Afriat rows in at once (reference).

    Formulation in the fitted values: z = (phi | beta row-major by observation), phi_i = alpha_i +
    beta_i'x_i, objective 0.5 sum_i s_i^2 (t_i - phi_i)^2 (s = 1, t = y additive; s = 1/y, t = y for
    the ratio model; ``weights`` = s and ``target`` = t in the data's units override both, as the
    log-CNLS iterations do), Afriat rows phi_i <= phi_h + beta_h'(x_i - x_h) (>= for cost: m + 2
    nonzeros each), beta >= 0, and under crs the equalities phi_i = beta_i'x_i. The Hessian is
    diagonal and positive definite in phi (the fitted values are unique) and zero in beta (slopes
    need not be unique) plus the ridge, which is Benchmarking's ridge * max(D) on (alpha, beta),
    alpha_i = phi_i - beta_i'x_i: a 1 + m block per observation. Data are scaled (x by column means, y
    by its mean); the Afriat rows and fitted values are invariant to that, and ``tol`` is relative.

    Constraint generation (Lee et al. 2013): start with each observation's ``neighbours`` nearest
    neighbours in standardised x; after each solve check all n(n - 1) pairs in blocks of 512 rows and
    add, for every hyperplane h that is violated, its single most violated row (i, h); stop when no
    row is violated by more than ``tol``. Adding per *hyperplane* (not per observation) matters: an
    interior-point solution puts loosely constrained hyperplanes at the centre of their feasible set,
    tilted so that they dip below far observations, and pinning each at its worst point converges in
    ~10 rounds at n = 500-2 000 (adding the 10 worst rows per observation needed ~35 rows per
    observation at n = 500 and did not finish at n = 2 000, see benchmarks/results/stoned.md).
    """
    import scipy.sparse as sp

    n, m = X.shape
    sy = float(np.mean(np.abs(y))) or 1.0
    sx = np.mean(np.abs(X), axis=0)
    sx[sx == 0] = 1.0
    Xs, ys = X / sx, y / sy
    ar = np.arange(n)
    nv = n + n * m
    if weights is not None:
        s, ts = np.asarray(weights, float) * sy, np.asarray(target, float) / sy
    else:
        s, ts = (1.0 / ys if multiplicative else np.ones(n)), ys
    # Hessian: s^2 on phi; ridge lam_a alpha_i^2 + sum_j lam_bj beta_ij^2 with alpha_i = phi_i - x_i'beta_i
    la = np.zeros(n)
    lb = np.zeros((n, m))
    if ridge > 0:
        # Benchmarking's tie-break: ridge * max(D) on the diagonal of D = M'S^2M in the *original* units
        # (alpha_o = sy alpha, beta_o = sy beta / sx); rescaled to the variables used here
        ta = np.full(n, sy)
        tb = np.broadcast_to(sy / sx, (n, m))
        dg = [s * s / ta ** 2 if vrs else np.zeros(n)] + [(Xs[:, j] * s) ** 2 / tb[:, j] ** 2 for j in range(m)]
        dmax = float(np.max(np.concatenate(dg)))
        if not multiplicative or weights is not None:
            dmax *= sy * sy
        scale = 1.0 if (multiplicative and weights is None) else 1.0 / (sy * sy)
        if vrs:
            la = ridge * dmax * ta ** 2 * scale
        lb = ridge * dmax * tb ** 2 * scale
    rr, cc, vv = [ar], [ar], [s * s + la]
    for j in range(m):
        bj = n + ar * m + j
        rr.append(ar), cc.append(bj), vv.append(-la * Xs[:, j])
        for k in range(j, m):
            rr.append(bj), cc.append(n + ar * m + k)
            vv.append(la * Xs[:, j] * Xs[:, k] + (lb[:, j] if k == j else 0.0))
    P = sp.csc_matrix((np.concatenate(vv), (np.concatenate(rr), np.concatenate(cc))), shape=(nv, nv))
    P.sort_indices()
    q = np.concatenate([-(s * s) * ts, np.zeros(n * m)])
    # fixed rows: crs equalities phi_i - x_i'beta_i = 0, then beta >= 0 (-beta <= 0)
    fixed = []
    if not vrs:
        ix = np.column_stack([ar] + [n + ar * m + j for j in range(m)])
        vl = np.column_stack([np.ones(n)] + [-Xs[:, j] for j in range(m)])
        fixed.append(sp.csr_matrix((vl.ravel(), ix.ravel(), np.arange(n + 1) * (m + 1)), shape=(n, nv)))
    fixed.append(sp.csr_matrix((-np.ones(n * m), n + np.arange(n * m), np.arange(n * m + 1)), shape=(n * m, nv)))
    n_eq = 0 if vrs else n
    sign = -1.0 if cost else 1.0       # production: phi_i - phi_h - beta_h'(x_i - x_h) <= 0

    def rows_of(keys: np.ndarray):
        i, h = keys // n, keys % n
        k = keys.size
        idx = np.empty((k, m + 2), dtype=np.int64)
        val = np.empty((k, m + 2))
        idx[:, 0], val[:, 0] = i, 1.0
        idx[:, 1], val[:, 1] = h, -1.0
        d = Xs[i] - Xs[h]
        for j in range(m):
            idx[:, 2 + j], val[:, 2 + j] = n + h * m + j, -d[:, j]
        return sp.csr_matrix(((sign * val).ravel(), idx.ravel(), np.arange(k + 1) * (m + 2)), shape=(k, nv))

    if constraints == "all":
        ii, hh = np.nonzero(~np.eye(n, dtype=bool))
        keys = ii * n + hh
    elif constraints == "generate":
        k = min(n - 1, neighbours if neighbours is not None else max(8, 2 * (m + 1)))
        keys = np.zeros(0, dtype=np.int64)
        if k > 0:
            from scipy.spatial import cKDTree

            sd = Xs.std(axis=0)
            Z = (Xs - Xs.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
            _, nbr = cKDTree(Z).query(Z, k=k + 1)
            nbr = np.asarray(nbr).reshape(n, -1)
            ii = np.repeat(ar, nbr.shape[1])
            hh = nbr.ravel()
            ok = (hh != ii) & (hh < n)
            keys = ii[ok] * n + hh[ok]
        if keys0 is not None:
            keys = np.concatenate([keys, keys0])
        keys = np.unique(keys)
    else:  # pragma: no cover - internal
        raise ValueError(constraints)

    rounds = 0
    while True:
        A = sp.vstack(fixed + [rows_of(keys)], format="csc")
        A.sort_indices()
        z, status = _solve_qp(P, q, A, np.zeros(A.shape[0]), n_eq, A.shape[0] - n_eq)
        rounds += 1
        if status not in _OK:
            raise SolverError(f"stoned: Clarabel did not solve the CNLS quadratic programme ({status}; "
                              f"n = {n}, {keys.size} Afriat rows, round {rounds})")
        phi = z[:n]
        beta = z[n:].reshape(n, m)
        c0 = phi - np.einsum("ij,ij->i", Xs, beta)          # intercepts of the hyperplanes
        worst = 0.0
        best = np.full(n, -np.inf)                           # per hyperplane h: worst violation, at row
        arg = np.zeros(n, dtype=np.int64)
        for b0 in range(0, n, 512):
            r = ar[b0:b0 + 512]
            F = c0[None, :] + Xs[r] @ beta.T                 # F[i, h]: hyperplane h at x_i
            v = (F - phi[r, None]) if cost else (phi[r, None] - F)
            v[np.arange(r.size), r] = -np.inf
            a = np.argmax(v, axis=0)
            va = v[a, ar]
            up = va > best
            best[up], arg[up] = va[up], r[a[up]]
        worst = max(0.0, float(best.max()))
        if constraints == "all" or rounds >= max_rounds:
            break
        sel = best > tol
        new = np.setdiff1d(arg[sel] * n + ar[sel], keys)
        if new.size == 0:
            break
        keys = np.union1d(keys, new)
    alpha = c0 if vrs else np.zeros(n)
    e = s * (ts - phi)
    return _CNLSFit(alpha * sy, beta * sy / sx[None, :], phi * sy, status, rounds, int(keys.size), worst * sy,
                    float(e @ e) * (sy * sy if (weights is None and not multiplicative) else 1.0), keys)


def _log_cnls(X: np.ndarray, y: np.ndarray, start: _CNLSFit, *, vrs: bool, cost: bool,
              rel_tol: float = 1e-10, max_iter: int = 200) -> tuple[_CNLSFit, int, bool]:
    """log-CNLS (Kuosmanen and Kortelainen 2012): min sum_i (ln y_i - ln phi_i)^2, phi_i = alpha_i +
    beta_i'x_i, under the same Afriat and monotonicity constraints, by Gauss-Newton (SQP) steps.

    At the current phi0 the residual ln y - ln phi is linearised, ln phi ~ ln phi0 + (phi - phi0)/phi0,
    which makes the step the weighted CNLS QP min sum_i (t_i - phi_i)^2 / phi0_i^2 with working target
    t = phi0 (ln y - ln phi0 + 1); the new point is phi0 + a (phi_QP - phi0) (and the same for alpha,
    beta: a convex combination of two feasible points is feasible) with a halving line search on the
    true objective. Starts from ``start`` (the ratio QP solution) and stops when the objective changes
    by less than ``rel_tol`` relative. The problem is not convex: the result is a local optimum (a KKT
    point), the one reached from the QP approximation. Returns (fit, iterations, converged)."""
    ly = np.log(y)
    cur = start
    if not np.all(cur.yhat > 0):
        raise SolverError("stoned: the ratio QP start of log-CNLS has a nonpositive fitted value; "
                          "log-CNLS needs phi > 0 (use objective='ratio')")
    f0 = float(np.sum((ly - np.log(cur.yhat)) ** 2))
    keys = cur.keys
    rounds = cur.rounds
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        phi0 = cur.yhat
        qp = _cnls(X, y, vrs=vrs, cost=cost, multiplicative=False, ridge=0.0, weights=1.0 / phi0,
                   target=phi0 * (ly - np.log(phi0) + 1.0), keys0=keys)
        keys = qp.keys
        rounds += qp.rounds
        a, f = 1.0, math.inf
        while a >= 1e-10:
            phi = phi0 + a * (qp.yhat - phi0)
            if np.all(phi > 0):
                f = float(np.sum((ly - np.log(phi)) ** 2))
                if f <= f0:
                    break
            a *= 0.5
        if not f <= f0:          # no descent along the Gauss-Newton direction: a stationary point
            converged = True
            break
        cur = _CNLSFit(cur.alpha + a * (qp.alpha - cur.alpha), cur.beta + a * (qp.beta - cur.beta), phi,
                       qp.status, rounds, int(keys.size), max(cur.max_violation, qp.max_violation), f, keys)
        change = (f0 - f) / max(f0, 1e-300)
        f0 = f
        if change < rel_tol:
            converged = True
            break
    cur.rounds = rounds
    cur.objective = f0
    return cur, it, converged


# --------------------------------------------------------------------------------------------------
# Step 2: sigma_u, sigma_v, efficiency (Benchmarking 0.33 conventions)
# --------------------------------------------------------------------------------------------------

def _moments(resid: np.ndarray, cost: bool) -> tuple[float, float]:
    c = resid - resid.mean()
    m2 = float(np.mean(c * c))
    m3 = float(np.mean(c * c * c))
    return m2, (-m3 if cost else m3)


def _mm(resid: np.ndarray, cost: bool) -> tuple[float, float]:
    m2, m3 = _moments(resid, cost)
    if m3 > 0:
        return math.nan, math.nan
    su = (m3 / (_SQ2PI * (1.0 - 4.0 / math.pi))) ** (1.0 / 3.0) if m3 < 0 else 0.0
    rest = m2 - (math.pi - 2.0) / math.pi * su * su
    return su, (math.sqrt(rest) if rest >= 0 else math.nan)


def _psl_negll(lmd: float, e: np.ndarray) -> float:
    from scipy.special import log_ndtr

    sc = math.sqrt(2.0 * lmd * lmd / math.pi / (1.0 + lmd * lmd))
    si = math.sqrt(float(np.mean(e * e)) / (1.0 - sc * sc))
    ep = e - si * sc
    return -(-e.size * math.log(si) + float(np.sum(log_ndtr(-ep * lmd / si))) - 0.5 * float(ep @ ep) / si ** 2)


def _psl(resid: np.ndarray, cost: bool) -> tuple[float, float, float]:
    """(sigma_u, sigma_v, lambda) maximising Benchmarking's pseudo-likelihood over lambda >= 0."""
    from scipy.optimize import minimize_scalar

    e = -resid if cost else resid
    grid = np.concatenate([[0.0], np.geomspace(1e-3, 1e3, 121)])
    vals = np.array([_psl_negll(g, e) for g in grid])
    k = int(np.argmin(vals))
    lam = float(grid[k])
    if k > 0:
        lo = float(grid[k - 1])
        hi = float(grid[min(k + 1, grid.size - 1)])
        r = minimize_scalar(_psl_negll, bounds=(lo, hi), args=(e,), method="bounded",
                            options={"xatol": 1e-12, "maxiter": 500})
        if r.fun <= vals[k]:
            lam = float(r.x)
    sc = math.sqrt(2.0 * lam * lam / math.pi / (1.0 + lam * lam))
    sig_sq = float(np.mean(resid * resid)) / (1.0 - sc * sc)
    sv = math.sqrt(sig_sq / (1.0 + lam * lam))
    return sv * lam, sv, lam


def _efficiency(resid, y, yhat, su, sv, cost: bool, multiplicative: bool):
    """Benchmarking 0.33's ``$eff`` and ``$front`` (see the module docstring)."""
    from scipy.stats import norm

    if not (np.isfinite(su) and np.isfinite(sv)):
        nan = np.full(resid.shape, np.nan)
        return nan, nan.copy()
    shift = su * _SQ2PI
    comp = resid + shift if cost else resid - shift
    s2 = su * su + sv * sv
    mu_star = -comp * su * su / s2 if s2 > 0 else np.zeros_like(comp)
    ratio = np.exp(norm.logpdf(comp) - norm.logsf(comp))
    cond = mu_star + (su * sv) * ratio
    if multiplicative:
        eff = np.exp(-cond)
        front = yhat * math.exp(-shift if cost else shift)
    else:
        eff = 1.0 - cond / y
        front = yhat - shift if cost else yhat + shift
    return eff, front


# --------------------------------------------------------------------------------------------------
# Result and API
# --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class StonedResult(Result):
    """StoNED fit: CNLS frontier (``fitted``), residuals, slopes and the step-2 variance estimates."""

    ids: pd.Index
    input_names: tuple[str, ...]
    output_name: str
    y: np.ndarray
    fitted: np.ndarray
    residual: np.ndarray
    efficiency: np.ndarray
    front: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray
    sigma_u: float
    sigma_v: float
    lambda_: float
    m2: float
    m3: float                   # third central moment of the residuals (sign-flipped for cost)
    ssr: float                  # objective: sum of squared QP residuals (Benchmarking's solutionNorm);
    #                             log-CNLS: sum (ln y - ln fitted)^2
    rts: str
    cost: bool
    multiplicative: bool
    method: str
    rounds: int
    n_afriat: int
    max_violation: float
    solver: str = "clarabel"
    qp_status: str = "Solved"    # Clarabel's status of the last QP solve
    complete: bool = True        # constraint generation ended with no Afriat row violated beyond tol
    objective: str | None = None  # multiplicative model: "log" (log-CNLS) or "ratio" (QP approx.); None additive
    gn_iterations: int = 0       # log-CNLS: Gauss-Newton steps (0 otherwise)
    converged: bool = True       # log-CNLS: the relative objective change fell below 1e-10

    @property
    def nobs(self) -> int:
        return int(self.y.size)

    @property
    def status(self) -> pd.Series:
        """'optimal'; 'almost solved' when Clarabel stopped at its reduced accuracy ('AlmostSolved') or
        constraint generation stopped at its round limit with Afriat rows still violated, or log-CNLS
        stopped at its iteration limit; 'nonpositive
        fit' where the multiplicative model's frontier value is not positive."""
        ok = "optimal" if self.qp_status == "Solved" and self.complete and self.converged else "almost solved"
        st = np.where(np.isfinite(self.fitted) & np.isfinite(self.residual), ok, "nonpositive fit")
        return pd.Series(st, index=self.ids, name="status")

    @property
    def mean_efficiency(self) -> float:
        return float(np.mean(self.efficiency))

    def to_frame(self) -> pd.DataFrame:
        cols = {"fitted": self.fitted, "residual": self.residual, "efficiency": self.efficiency,
                "front": self.front, "alpha": self.alpha}
        for j, nm in enumerate(self.input_names):
            cols[f"beta_{nm}"] = self.beta[:, j]
        df = pd.DataFrame(cols, index=self.ids)
        df["status"] = self.status.to_numpy()
        return df

    def summary(self) -> str:
        gn = f" in {self.gn_iterations} Gauss-Newton steps" if self.gn_iterations else ""
        kind = ("additive" if not self.multiplicative else
                "multiplicative, log-CNLS (Kuosmanen and Kortelainen 2012)" if self.objective == "log" else
                "multiplicative, ratio QP approximation (Benchmarking MULT=1)")
        lines = [
            f"StoNED / CNLS ({'cost' if self.cost else 'production'} frontier, {self.rts}, {kind}, {self.method})",
            f"  output: {self.output_name}; inputs: {', '.join(self.input_names)}; n = {self.nobs}",
            (f"  CNLS: {'sum of squared log residuals' if self.objective == 'log' else 'SSR'} = {self.ssr:.6g}; "
             f"{self.rounds} QP solve(s){gn}, {self.n_afriat} Afriat rows "
             f"(of {self.nobs * (self.nobs - 1)}), max violation {self.max_violation:.2e}"),
            f"  residual moments: M2 = {self.m2:.6g}, M3 = {self.m3:.6g}",
            f"  sigma_u = {self.sigma_u:.6g}, sigma_v = {self.sigma_v:.6g}, lambda = {self.lambda_:.6g}",
            f"  mean efficiency = {np.nanmean(self.efficiency) if np.isfinite(self.efficiency).any() else math.nan:.6g}",
        ]
        if self.m3 > 0:
            lines.append("  wrong skewness: the third moment of the residuals is positive")
        return "\n".join(lines)


def stoned(data=None, output=None, inputs=None, rts: str = "vrs", cost: bool = False,
           multiplicative: bool = True, method: str = "MM", id=None, *, objective: str | None = None,
           solver=None, ridge: float | None = None) -> StonedResult:
    """StoNED (Kuosmanen and Kortelainen 2012): CNLS frontier, then MM or PSL for sigma_u, sigma_v.

    ``data`` is a DataFrame or CSV path with ``output`` (one column name) and ``inputs`` (names); or
    ``data=None`` with ``output`` an array (n,) and ``inputs`` an array (n, m). See the module
    docstring for the model, conventions and the reference (Benchmarking 0.33 ``stoned``).
    ``objective`` (multiplicative model only): ``"log"`` (default) is log-CNLS, min sum (ln y -
    ln(alpha_i + beta_i'x_i))^2 (Kuosmanen and Kortelainen 2012; pyStoNED's multiplicative CNLS),
    a non-convex problem solved to a local optimum by Gauss-Newton steps from the ``"ratio"``
    solution; ``"ratio"`` is Benchmarking's MULT = 1 QP approximation, min sum ((alpha_i +
    beta_i'x_i)/y_i - 1)^2. Giving ``objective`` with ``multiplicative=False`` is a SpecError.
    ``ridge`` (default 1e-10, Benchmarking's value, for the QP models; 0 for log-CNLS, which is solved
    exactly and takes no ridge) adds ridge * max(D) to the diagonal of the QP Hessian D in the data's
    units: a tie-break that makes the hyperplane coefficients unique (the minimum-norm ones) and
    reproduces Benchmarking's fitted values to ~1e-7; ``ridge=0`` is the exact CNLS optimum (fitted
    values then differ from Benchmarking's by up to ~2e-4 relative on front41Data).
    """
    if objective is not None and not multiplicative:
        raise SpecError(f"stoned: objective={objective!r} is for the multiplicative model; additive CNLS "
                        "(multiplicative=False) is least squares in y")
    obj = None
    if multiplicative:
        obj = "log" if objective is None else str(objective).lower()
        if obj not in ("log", "ratio"):
            raise SpecError(f"stoned: objective must be 'log' (log-CNLS) or 'ratio' (Benchmarking's QP "
                            f"approximation), got {objective!r}")
    if ridge is None:
        ridge = 0.0 if obj == "log" else 1e-10
    if not (np.isfinite(ridge) and ridge >= 0):
        raise SpecError(f"stoned: ridge must be a finite number >= 0, got {ridge!r}")
    if obj == "log" and ridge > 0:
        raise SpecError(f"stoned: ridge={ridge!r} is the tie-break of the QP models; log-CNLS is solved "
                        "without one (use objective='ratio' for Benchmarking's QP with its ridge)")
    rts_l = str(rts).lower()
    if rts_l not in ("vrs", "crs"):
        raise SpecError(f"stoned: rts must be 'vrs' or 'crs', got {rts!r}")
    meth = str(method).upper()
    if meth not in ("MM", "PSL"):
        raise SpecError(f"stoned: method must be 'MM' or 'PSL', got {method!r}")
    if solver not in (None, "clarabel"):
        raise SpecError(f"stoned: solver must be None or 'clarabel' (the interior-point QP solver), got {solver!r}")
    if data is None:
        if output is None or inputs is None:
            raise DataError("<arrays>: give data (a DataFrame or CSV path), or output and inputs as arrays")
        fd = frontier_data(None, inputs=np.asarray(inputs, dtype=float), outputs=np.asarray(output, dtype=float),
                           nonnegative=False)
        out_name = fd.output_names[0]
    else:
        if not isinstance(output, str):
            raise DataError("stoned: give the output column as a string")
        if inputs is None or (not isinstance(inputs, str) and len(list(inputs)) == 0):
            raise DataError("stoned: no input columns given")
        fd = frontier_data(data, id=id, inputs=inputs, outputs=[output], nonnegative=False)
        out_name = output
    if fd.Y.shape[1] != 1:
        raise DataError(f"{fd.source}: stoned takes one output column, got {fd.Y.shape[1]}")
    X, y = fd.X, fd.Y[:, 0]
    n, m = X.shape
    if n < 3:
        raise DataError(f"{fd.source}: {n} rows; CNLS needs at least 3")
    if multiplicative:
        bad = np.flatnonzero(y <= 0)
        if bad.size:
            more = f" ({bad.size - 1} more rows like it)" if bad.size > 1 else ""
            raise DataError(f"{fd.cell(out_name, int(bad[0]))}: value {y[bad[0]]:g} is not positive; the "
                            f"multiplicative model takes log y (use multiplicative=False for additive CNLS){more}")
    for j in range(m):
        if np.ptp(X[:, j]) == 0:
            raise DataError(f"{fd.source}: input column {fd.input_names[j]!r} is constant; it carries no information")

    fit = _cnls(X, y, vrs=rts_l == "vrs", cost=bool(cost), multiplicative=bool(multiplicative), ridge=float(ridge))
    gn_it, converged = 0, True
    if obj == "log":
        fit, gn_it, converged = _log_cnls(X, y, fit, vrs=rts_l == "vrs", cost=bool(cost))
    yhat = fit.yhat
    if multiplicative:
        with np.errstate(invalid="ignore", divide="ignore"):
            resid = np.where(yhat > 0, np.log(y) - np.log(np.where(yhat > 0, yhat, 1.0)), np.nan)
    else:
        resid = y - yhat
    ok = np.isfinite(resid)
    m2, m3 = _moments(resid[ok], bool(cost)) if ok.sum() > 2 else (math.nan, math.nan)
    if meth == "MM":
        su, sv = _mm(resid[ok], bool(cost))
        lam = su / sv if (np.isfinite(su) and np.isfinite(sv) and sv > 0) else math.nan
        if not np.isfinite(su):
            warnings.warn(f"{fd.source}: wrong skewness? The third moment of the CNLS residuals is "
                          f"{'negative' if cost else 'positive'} (M3 = {m3:.4g} after the cost sign flip); "
                          "the method of moments gives no sigma_u, so efficiency is NaN (try method='PSL')",
                          SkewnessWarning, stacklevel=2)
    else:
        su, sv, lam = _psl(resid[ok], bool(cost))
        if m3 > 0:
            warnings.warn(f"{fd.source}: wrong skewness (M3 = {m3:.4g}); the pseudo-likelihood puts "
                          "sigma_u = 0", SkewnessWarning, stacklevel=2)
    eff, front = _efficiency(resid, y, yhat, su, sv, bool(cost), bool(multiplicative))
    complete = fit.max_violation <= 1e-7 * max(1.0, float(np.mean(np.abs(y))))
    if fit.status != "Solved" or not complete or not converged:
        from .errors import SolveWarning
        what = (f"Clarabel ended with status {fit.status!r} (reduced accuracy)" if fit.status != "Solved" else
                f"constraint generation stopped after {fit.rounds} QP solves with an Afriat row violated by "
                f"{fit.max_violation:.3g}" if not complete else
                f"log-CNLS stopped after {gn_it} Gauss-Newton steps before the objective settled")
        warnings.warn(f"{fd.source}: stoned: {what}; the fitted frontier is approximate and `status` says "
                      "'almost solved'", SolveWarning, stacklevel=2)
    return StonedResult(fd.ids, tuple(fd.input_names), out_name, y, yhat, resid, eff, front, fit.alpha,
                        fit.beta, float(su), float(sv), float(lam), m2, m3, fit.objective, rts_l, bool(cost),
                        bool(multiplicative), meth, fit.rounds, fit.n_afriat, fit.max_violation,
                        qp_status=fit.status, complete=complete, objective=obj, gn_iterations=gn_it,
                        converged=converged)
