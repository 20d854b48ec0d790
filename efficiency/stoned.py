"""StoNED / CNLS: convex nonparametric least squares and its stochastic step (DESIGN section 11, issue 16).

Step 1, CNLS (Kuosmanen 2008): the quadratic programme

    min  sum_i w_i e_i^2
    s.t. y_i = alpha_i + beta_i'x_i + e_i                         (one hyperplane per observation)
         alpha_i + beta_i'x_i <= alpha_h + beta_h'x_i  for all i, h  (Afriat: concave; >= convex for cost)
         beta_i >= 0                                               (monotone)
         alpha_i = 0 under rts="crs"

is solved with Clarabel (``clarabel``, an interior-point conic solver) by **constraint generation**
(Lee, Johnson, Moreno-Centeno and Kuosmanen 2013): the model starts with the Afriat rows of each
observation's nearest neighbours in x, is solved, then every pair (i, h) is checked in blocks (never
an n x n array at once) and the most violated rows of each observation are added; Clarabel has no
warm start, so the enlarged QP is simply solved again, until no Afriat inequality is violated by more
than ``tol`` (relative to the data, which are scaled to mean 1). The solution equals the one with all
n(n - 1) rows at once (tested), and n = 2 000 takes seconds.

Why Clarabel: CNLS has a positive *semi*definite Hessian (only the n residuals enter the objective;
the n(m + 1) hyperplane coefficients do not, and are not unique). HiGHS's QP solver (highspy) is an
active-set method that needs a positive definite reduced Hessian and stops with non-convex/solve
errors on this problem; a ridge large enough to help it moves the fitted values. Benchmarking itself
uses quadprog (dual active set) with a 1e-10 ridge. An interior-point method handles the semidefinite
Hessian directly and is accurate to ~1e-9; Clarabel is maintained, on PyPI with wheels, and takes
the sparse problem as is. The residual e = S(y - alpha - beta'x) is substituted out, so the QP has
n(m + 1) variables (n m under crs), the rows beta >= 0 and the Afriat rows (all A z <= 0).

``multiplicative=True`` is the model of Benchmarking's ``stoned(..., MULT = 1)``: its QP approximation
of the multiplicative model, min sum_i ((alpha_i + beta_i'x_i) / y_i - 1)^2 (w_i = 1/y_i^2 in the
form above), with residual log y - log yhat. It is the default because it is the reference we
reproduce to 1e-4 (and StoNED with a multiplicative error is the usual specification); it is *not*
log-CNLS (ln y = ln(alpha + beta'x) + e, a non-convex problem not offered here). ``multiplicative=False``
is additive CNLS (Benchmarking's MULT = 0). Benchmarking forces MULT = 1 under crs; here crs with the
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
the data's units) before quadprog. That tie-break moves the fitted values by up to ~2e-4 relative
on front41Data, so ``ridge=1e-10`` (default) does the same here (and makes alpha, beta unique: the
minimum-norm coefficients); ``ridge=0`` gives the exact CNLS optimum.
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

__all__ = ["stoned", "StonedResult"]

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


def _afriat_rows(pairs: np.ndarray, Xs: np.ndarray, n: int, m: int, vrs: bool):
    """CSR arrays of the Afriat rows for pairs (i, h): alpha_h - alpha_i + (beta_h - beta_i)'x_i."""
    i, h = pairs[:, 0], pairs[:, 1]
    k = pairs.shape[0]
    na = n if vrs else 0
    per = 2 * (m + 1) if vrs else 2 * m
    idx = np.empty((k, per), dtype=np.int64)
    val = np.empty((k, per))
    c = 0
    if vrs:
        idx[:, 0], val[:, 0] = h, 1.0
        idx[:, 1], val[:, 1] = i, -1.0
        c = 2
    xi = Xs[i]
    for j in range(m):
        idx[:, c], val[:, c] = na + h * m + j, xi[:, j]
        idx[:, c + 1], val[:, c + 1] = na + i * m + j, -xi[:, j]
        c += 2
    starts = np.arange(k + 1, dtype=np.int64) * per
    return starts, idx.ravel(), val.ravel()


def _violations(alpha, beta, Xs, yhat, cost: bool, block: int = 512):
    """Yield (rows, viol) blocks: viol[r, h] = how much the Afriat row (i = rows[r], h) is violated."""
    n = Xs.shape[0]
    for s in range(0, n, block):
        rows = np.arange(s, min(s + block, n))
        F = alpha[None, :] + Xs[rows] @ beta.T          # hyperplane h evaluated at x_i
        v = (F - yhat[rows, None]) if cost else (yhat[rows, None] - F)
        v[np.arange(rows.size), rows] = -np.inf
        yield rows, v


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
    sol = clarabel.DefaultSolver(P, q, A, b, cones, st).solve()
    status = str(sol.status)
    return np.asarray(sol.x, dtype=float), status


_OK = ("Solved", "AlmostSolved")


def _cnls(X: np.ndarray, y: np.ndarray, *, vrs: bool, cost: bool, multiplicative: bool,
          constraints: str = "generate", neighbours: int | None = None, per_round: int = 10,
          tol: float = 1e-7, max_rounds: int = 200, ridge: float = 0.0) -> _CNLSFit:
    """Solve the CNLS QP; ``constraints="all"`` puts all n(n - 1) Afriat rows in at once (reference).

    Variables z = (alpha | beta row-major by observation); the residual e = S(y - Mz) is substituted
    out (M: row i holds 1 at alpha_i and x_i at beta_i; S = I, or diag(1/y) for the multiplicative
    approximation), so the objective is 0.5 z'(M'S^2M)z - (M'S^2y)'z + const with a block-diagonal,
    positive semidefinite Hessian. Rows: beta >= 0 and the Afriat rows, all in Clarabel's
    nonnegative cone (A z <= b). Data are scaled (x by column means, y by its mean) first; the Afriat
    rows and the fitted values are invariant to that scaling, and ``tol`` is relative to it.
    """
    import scipy.sparse as sp

    n, m = X.shape
    sy = float(np.mean(np.abs(y))) or 1.0
    sx = np.mean(np.abs(X), axis=0)
    sx[sx == 0] = 1.0
    Xs, ys = X / sx, y / sy
    na = n if vrs else 0
    nv = na + n * m
    s = 1.0 / ys if multiplicative else np.ones(n)
    per = (1 if vrs else 0) + m
    idx = np.empty((n, per), dtype=np.int64)
    val = np.empty((n, per))
    c = 0
    if vrs:
        idx[:, 0], val[:, 0] = np.arange(n), s
        c = 1
    for j in range(m):
        idx[:, c + j], val[:, c + j] = na + np.arange(n) * m + j, Xs[:, j] * s
    SM = sp.csr_matrix((val.ravel(), idx.ravel(), np.arange(n + 1) * per), shape=(n, nv))
    sys_ = s * ys
    H = (SM.T @ SM).tocsc()
    if ridge > 0:
        # Benchmarking's tie-break: ridge * max(D) on the diagonal of D = M'S^2M in the *original* units
        # (alpha_o = sy alpha, beta_o = sy beta / sx); rescaled to the variables used here
        t = np.concatenate([np.full(na, sy), (sy / sx)[None, :].repeat(n, 0).ravel()])
        dmax = float(abs(H.diagonal() / (t * t)).max()) if multiplicative else \
            float(abs(H.diagonal() * sy * sy / (t * t)).max())
        lam = ridge * dmax * t * t if multiplicative else ridge * dmax * t * t / (sy * sy)
        H = (H + sp.diags(lam)).tocsc()
    P = sp.triu(H, format="csc")
    P.sort_indices()
    q = -np.asarray(SM.T @ sys_).ravel()
    # beta >= 0  <=>  -beta <= 0
    nb = n * m
    blocks = [sp.csr_matrix((-np.ones(nb), na + np.arange(nb), np.arange(nb + 1)), shape=(nb, nv))]
    sign = 1.0 if cost else -1.0      # production: -(Afriat row) <= 0; cost: Afriat row <= 0

    def add(pairs: np.ndarray) -> None:
        if pairs.size == 0:
            return
        st, ix, vl = _afriat_rows(pairs, Xs, n, m, vrs)
        blocks.append(sp.csr_matrix((sign * vl, ix, st), shape=(pairs.shape[0], nv)))

    have: set[int] = set()
    if constraints == "all":
        ii, hh = np.nonzero(~np.eye(n, dtype=bool))
        add(np.column_stack([ii, hh]))
        n_rows = n * (n - 1)
    elif constraints == "generate":
        k = min(n - 1, neighbours if neighbours is not None else max(8, 2 * (m + 1)))
        if k > 0:
            from scipy.spatial import cKDTree

            sd = Xs.std(axis=0)
            Z = (Xs - Xs.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
            _, nbr = cKDTree(Z).query(Z, k=k + 1)
            nbr = np.asarray(nbr).reshape(n, -1)
            ii = np.repeat(np.arange(n), nbr.shape[1])
            hh = nbr.ravel()
            keep = (hh != ii) & (hh < n)
            keys = np.unique(ii[keep] * n + hh[keep])
            have.update(keys.tolist())
            add(np.column_stack([keys // n, keys % n]))
        n_rows = len(have)
    else:  # pragma: no cover - internal
        raise ValueError(constraints)

    rounds = 0
    while True:
        A = sp.vstack(blocks, format="csc")
        A.sort_indices()
        z, status = _solve_qp(P, q, A, np.zeros(A.shape[0]), 0, A.shape[0])
        rounds += 1
        if status not in _OK:
            raise SolverError(f"stoned: Clarabel did not solve the CNLS quadratic programme ({status}; "
                              f"n = {n}, {n_rows} Afriat rows, round {rounds})")
        alpha = z[:na] if vrs else np.zeros(n)
        beta = z[na:].reshape(n, m)
        yhat = alpha + np.einsum("ij,ij->i", Xs, beta)
        worst = 0.0
        new = []
        for rows, v in _violations(alpha, beta, Xs, yhat, cost):
            worst = max(worst, float(v.max()))
            if constraints == "all":
                continue
            r_idx, h_idx = np.nonzero(v > tol)
            if r_idx.size == 0:
                continue
            keys = rows[r_idx] * n + h_idx
            fresh = np.fromiter((kk not in have for kk in keys.tolist()), dtype=bool, count=keys.size)
            r_idx, h_idx, keys = r_idx[fresh], h_idx[fresh], keys[fresh]
            if keys.size == 0:
                continue
            # at most per_round most violated new rows per observation
            vals = v[r_idx, h_idx]
            order = np.lexsort((-vals, r_idx))
            r_s = r_idx[order]
            first = np.r_[0, np.flatnonzero(np.diff(r_s)) + 1]
            rank = np.arange(r_s.size) - np.repeat(first, np.diff(np.r_[first, r_s.size]))
            chosen = keys[order][rank < per_round]
            have.update(chosen.tolist())
            new.append(chosen)
        if not new or rounds >= max_rounds:
            break
        keys = np.concatenate(new)
        add(np.column_stack([keys // n, keys % n]))
        n_rows = len(have)
    e = s * (ys - yhat)
    return _CNLSFit(alpha * sy, beta * sy / sx[None, :], yhat * sy, status, rounds, n_rows, worst * sy,
                    float(e @ e) * (1.0 if multiplicative else sy * sy))


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
    ssr: float                  # sum of squared QP residuals (Benchmarking's solutionNorm)
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

    @property
    def nobs(self) -> int:
        return int(self.y.size)

    @property
    def status(self) -> pd.Series:
        """'optimal'; 'almost solved' when Clarabel stopped at its reduced accuracy ('AlmostSolved') or
        constraint generation stopped at its round limit with Afriat rows still violated; 'nonpositive
        fit' where the multiplicative model's frontier value is not positive."""
        ok = "optimal" if self.qp_status == "Solved" and self.complete else "almost solved"
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
        kind = "multiplicative (Benchmarking MULT=1 QP approximation)" if self.multiplicative else "additive"
        lines = [
            f"StoNED / CNLS ({'cost' if self.cost else 'production'} frontier, {self.rts}, {kind}, {self.method})",
            f"  output: {self.output_name}; inputs: {', '.join(self.input_names)}; n = {self.nobs}",
            f"  CNLS: SSR = {self.ssr:.6g}; {self.rounds} QP solve(s), {self.n_afriat} Afriat rows "
            f"(of {self.nobs * (self.nobs - 1)}), max violation {self.max_violation:.2e}",
            f"  residual moments: M2 = {self.m2:.6g}, M3 = {self.m3:.6g}",
            f"  sigma_u = {self.sigma_u:.6g}, sigma_v = {self.sigma_v:.6g}, lambda = {self.lambda_:.6g}",
            f"  mean efficiency = {np.nanmean(self.efficiency) if np.isfinite(self.efficiency).any() else math.nan:.6g}",
        ]
        if self.m3 > 0:
            lines.append("  wrong skewness: the third moment of the residuals is positive")
        return "\n".join(lines)


def stoned(data=None, output=None, inputs=None, rts: str = "vrs", cost: bool = False,
           multiplicative: bool = True, method: str = "MM", id=None, *, solver=None,
           ridge: float = 1e-10) -> StonedResult:
    """StoNED (Kuosmanen and Kortelainen 2012): CNLS frontier, then MM or PSL for sigma_u, sigma_v.

    ``data`` is a DataFrame or CSV path with ``output`` (one column name) and ``inputs`` (names); or
    ``data=None`` with ``output`` an array (n,) and ``inputs`` an array (n, m). See the module
    docstring for the model, conventions and the reference (Benchmarking 0.33 ``stoned``).
    ``ridge`` (default 1e-10, Benchmarking's value) adds ridge * max(D) to the diagonal of the QP
    Hessian D in the data's units: a tie-break that makes the hyperplane coefficients unique (the
    minimum-norm ones) and reproduces Benchmarking's fitted values to ~1e-7; ``ridge=0`` is the exact
    CNLS optimum (fitted values then differ from Benchmarking's by up to ~2e-4 relative on front41Data).
    """
    if not (np.isfinite(ridge) and ridge >= 0):
        raise SpecError(f"stoned: ridge must be a finite number >= 0, got {ridge!r}")
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
    if fit.status != "Solved" or not complete:
        from .errors import SolveWarning
        what = (f"Clarabel ended with status {fit.status!r} (reduced accuracy)" if fit.status != "Solved" else
                f"constraint generation stopped after {fit.rounds} QP solves with an Afriat row violated by "
                f"{fit.max_violation:.3g}")
        warnings.warn(f"{fd.source}: stoned: {what}; the fitted frontier is approximate and `status` says "
                      "'almost solved'", SolveWarning, stacklevel=2)
    return StonedResult(fd.ids, tuple(fd.input_names), out_name, y, yhat, resid, eff, front, fit.alpha,
                        fit.beta, float(su), float(sv), float(lam), m2, m3, fit.objective, rts_l, bool(cost),
                        bool(multiplicative), meth, fit.rounds, fit.n_afriat, fit.max_violation,
                        qp_status=fit.status, complete=complete)
