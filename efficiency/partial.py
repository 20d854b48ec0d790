"""Partial frontiers robust to outliers: order-m and order-alpha efficiency (no LP, no convexity).

Both measure DMU o against a *partial* frontier that lies inside the full FDH frontier, so a few
extreme (or erroneous) DMUs cannot move every other score. Notation: D_o is the set of reference DMUs
that dominate o on the other side (input orientation: y_j >= y_o; output orientation: x_j <= x_o),
N_o = |D_o|, and for j in D_o the FDH-type ratio

* input:  r_j = max_i x_ij / x_io   (the theta at which o's inputs cover j's),
* output: s_j = min_r y_rj / y_ro   (the phi up to which j's outputs cover o's),

so that FDH is theta = min_j r_j and phi = max_j s_j (Deprins, Simar and Tulkens 1984).

**Order-m** (Cazals, Florens and Simar 2002): the expected FDH score against m DMUs drawn with
replacement from D_o (the empirical conditional distribution of X given Y >= y_o):
theta_m = E[min(r_J1, ..., r_Jm)] = int_0^inf (1 - F(u))^m du with F the empirical distribution of
the r_j. With r_(1) <= ... <= r_(N) sorted, exactly

    theta_m = r_(1) + sum_{k=1}^{N-1} ((N - k) / N)^m (r_(k+1) - r_(k)),
    lambda_m = s_(N) - sum_{k=1}^{N-1} (k / N)^m (s_(k+1) - s_(k))     (output: E[max of m draws]).

``B=None`` computes this exact value; an integer B estimates it by B Monte Carlo draws of m DMUs as
in the paper (``numpy.random.default_rng(seed)``; with the ratios sorted, the minimum of m drawn
ratios is the ratio at the smallest drawn position, so one B x m block of uniforms per DMU is all).
The Monte Carlo standard error of the Farrell measure is std(replicates, ddof=1) / sqrt(B).
As m -> inf both tend to FDH: |theta_m - theta_FDH| <= ((N - 1) / N)^m (r_(N) - r_(1)).

**Order-alpha** (Aragon, Daouia and Thomas-Agnan 2005; Daouia and Simar 2007, multivariate): the
conditional quantile measures theta_alpha = inf{theta : F(theta x_o | y_o) > 1 - alpha} with
F(x | y) = P(X <= x | Y >= y), and lambda_alpha = sup{lambda : S(lambda y_o | x_o) > 1 - alpha} with
S(y | x) = P(Y >= y | X <= x). Empirically (exact, no simulation), with k = floor((1 - alpha) N) + 1:

    theta_alpha = r_(k)    (the k-th smallest ratio),  lambda_alpha = s_(N + 1 - k)  (k-th largest).

At alpha = 1, k = 1: FDH exactly. (1 - alpha) N within 1e-9 of an integer counts as that integer, so
that alpha = 0.95 with N = 20 gives k = 2 as the exact arithmetic does.

Scores follow DESIGN section 3 (input theta, output 1/lambda), but a partial frontier does not
envelop every DMU: a score may exceed 1 ("super-efficient" relative to the partial frontier). The
value is kept as computed, in (0, inf); ``farrell`` holds theta or lambda as in the papers.
Evaluated DMUs need positive inputs (input orientation) or outputs (output orientation); reference
DMUs may have zeros. A DMU that no reference DMU dominates (possible only with ``reference=``) gets
NaN and status 'infeasible'. Work is chunked: memory O(chunk x n_ref), never n x n.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .data import format_id, frontier_data, reference_data, require_positive_rows
from .errors import SpecError
from .results import Result
from .spec import Orientation

__all__ = ["PartialFrontierResult", "partial_frontier"]

#: Budget of float64 cells per chunk (ratios, and the B x m uniforms of order-m).
CHUNK_CELLS = 2_000_000
METHODS = ("order-m", "order-alpha")
_NAMES = {"order-m": "Order-m (Cazals, Florens and Simar 2002)",
          "order-alpha": "Order-alpha (Aragon, Daouia and Thomas-Agnan 2005; Daouia and Simar 2007)"}


@dataclass(frozen=True)
class PartialFrontierResult(Result):
    """Order-m or order-alpha efficiency; one entry per DMU, input order.

    ``scores`` is the efficiency (input theta, output 1/lambda) in (0, inf): values above 1 mean
    "beyond the partial frontier" and are kept. ``farrell`` is theta (input) or lambda (output) as in
    the papers. ``std_error`` (order-m with Monte Carlo, B given) is the Monte Carlo standard error of
    ``farrell``; ``None`` for the exact order-m (B=None) and for order-alpha. ``n_dominating`` is
    N_o, the number of reference DMUs that dominate each DMU (the sample the measure is drawn from).
    """

    method: str
    orientation: str
    m: int | None
    B: int | None
    alpha: float | None
    seed: int | None
    ids: pd.Index
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    n_reference: int
    scores: pd.Series
    farrell: pd.Series
    status: pd.Series
    n_dominating: pd.Series
    std_error: pd.Series | None = None

    @property
    def efficiency(self) -> pd.Series:
        return self.scores

    @property
    def exact(self) -> bool:
        """True when the scores carry no Monte Carlo error (order-alpha, or order-m with B=None)."""
        return self.std_error is None

    def to_frame(self) -> pd.DataFrame:
        """id (index), efficiency, status, farrell, std_error (order-m by Monte Carlo only),
        n_dominating."""
        df = pd.DataFrame({"efficiency": self.scores.to_numpy(), "status": self.status.to_numpy(),
                           "farrell": self.farrell.to_numpy()}, index=self.ids)
        if self.std_error is not None:
            df["std_error"] = self.std_error.to_numpy()
        df["n_dominating"] = self.n_dominating.to_numpy()
        return df

    def summary(self) -> str:
        """A short text report: method, parameters, score distribution, DMUs beyond the frontier."""
        if self.method == "order-m":
            par = f"m = {self.m}, " + ("exact (B = None)" if self.B is None else
                                       f"Monte Carlo B = {self.B}, seed {self.seed}")
        else:
            par = f"alpha = {self.alpha:g}"
        ok = self.scores.dropna()
        lines = [f"{_NAMES[self.method]}, {self.orientation} orientation, {par}",
                 (f"DMUs: {len(self.scores)} evaluated against {self.n_reference} reference DMUs; "
                  f"inputs: {', '.join(self.input_names)}; outputs: {', '.join(self.output_names)}")]
        if len(ok):
            q = ok.quantile([0.0, 0.25, 0.5, 0.75, 1.0]).to_numpy()
            lines.append(f"Efficiency: mean {ok.mean():.4f}, min {q[0]:.4f}, Q1 {q[1]:.4f}, median {q[2]:.4f}, "
                         f"Q3 {q[3]:.4f}, max {q[4]:.4f}")
            above = int((ok > 1.0 + 1e-9).sum())
            lines.append(f"Beyond the partial frontier (efficiency > 1): {above} of {len(ok)} "
                         f"({100.0 * above / len(ok):.1f}%)")
            worst = ok.nsmallest(min(5, len(ok)))
            lines.append("Lowest: " + ", ".join(f"{format_id(i)} {v:.4f}" for i, v in worst.items()))
            if self.std_error is not None:
                se = self.std_error.dropna()
                lines.append(f"Monte Carlo standard error of farrell: mean {se.mean():.2e}, max {se.max():.2e}")
        counts = self.status.value_counts()
        lines.append("Status: " + ", ".join(f"{int(v)} {k}" for k, v in counts.items()))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<PartialFrontierResult {self.method} {self.orientation}: {len(self.ids)} DMUs>"


# --------------------------------------------------------------------------------------------------
# Kernels
# --------------------------------------------------------------------------------------------------

def _ratios(x: np.ndarray, y: np.ndarray, Xr: np.ndarray, Yr: np.ndarray, inward: bool) -> np.ndarray:
    """(chunk, n_ref) FDH-type ratios, +inf where j does not dominate o, so that sorting ascending
    puts D_o first; output ratios are negated (-s_j), so that the same sort serves both. Built one
    column at a time: (chunk, n_ref) temporaries only."""
    own, ref_own, other, ref_other = (x, Xr, y, Yr) if inward else (y, Yr, x, Xr)
    v = ref_own[None, :, 0] / own[:, None, 0]                # own > 0 (checked); x_j / x_o as FDH
    tmp = np.empty_like(v)
    for i in range(1, own.shape[1]):
        np.divide(ref_own[None, :, i], own[:, None, i], out=tmp)
        (np.maximum if inward else np.minimum)(v, tmp, out=v)
    if not inward:
        np.negative(v, out=v)
    dom = np.ones(v.shape, dtype=bool)
    for r in range(other.shape[1]):                           # inward: y_j >= y_o; else x_j <= x_o
        a, b = (ref_other[None, :, r], other[:, None, r]) if inward else (other[:, None, r], ref_other[None, :, r])
        dom &= a >= b
    v[~dom] = np.inf
    return v


def _order_alpha_k(alpha: float, N: np.ndarray) -> np.ndarray:
    """k = floor((1 - alpha) N) + 1 (1-based), with (1 - alpha) N near an integer taken as it."""
    t = (1.0 - alpha) * N
    near = np.abs(t - np.round(t)) <= 1e-9 * np.maximum(1.0, N)
    t = np.where(near, np.round(t), t)
    return np.floor(t).astype(np.int64) + 1


def _exact_order_m(v: np.ndarray, N: np.ndarray, m: int) -> np.ndarray:
    """E[min of m draws] from the first N[i] sorted values of each row (ascending), by the integral
    of the empirical survival function: v_(1) + sum_k ((N - k) / N)^m (v_(k+1) - v_(k))."""
    c, w = v.shape
    out = np.full(c, np.nan)
    has = N > 0
    if not has.any() or w == 0:
        return out
    kmax = int(N.max())
    vv = v[:, :kmax]
    k = np.arange(1, kmax, dtype=np.float64)                  # k = 1..kmax-1
    Nf = np.maximum(N, 1).astype(np.float64)[:, None]
    surv = np.clip((Nf - k[None, :]) / Nf, 0.0, 1.0) ** m     # ((N - k) / N)^m, 0 for k >= N
    with np.errstate(invalid="ignore"):
        gaps = np.diff(vv, axis=1)
    inside = k[None, :] < Nf                                  # gaps between the first N values
    gaps = np.where(inside, gaps, 0.0)
    out[has] = vv[has, 0] + (surv[has] * gaps[has]).sum(axis=1)
    return out


def _compute(x, y, Xr, Yr, *, inward: bool, method: str, m: int, B: int | None, alpha: float,
             rng: np.random.Generator | None):
    n = x.shape[0]
    nr = Xr.shape[0]
    width = max(x.shape[1], y.shape[1], 1)
    farrell = np.full(n, np.nan)
    ndom = np.zeros(n, dtype=np.int64)
    se = np.full(n, np.nan) if (method == "order-m" and B is not None) else None
    per_row = nr * width + (B * m if se is not None else 0)
    chunk = max(1, CHUNK_CELLS // max(1, per_row))
    sign = 1.0 if inward else -1.0          # output ratios are negated: min of -s = -max s
    for start in range(0, n, chunk):
        o = slice(start, min(n, start + chunk))
        v = np.sort(_ratios(x[o], y[o], Xr, Yr, inward), axis=1)
        N = np.isfinite(v).sum(axis=1)
        ndom[o] = N
        has = N > 0
        if method == "order-alpha":
            k = _order_alpha_k(alpha, N)
            rows = np.flatnonzero(has)
            val = np.full(v.shape[0], np.nan)
            val[rows] = v[rows, k[rows] - 1]
            farrell[o] = sign * val
        elif B is None:
            farrell[o] = sign * _exact_order_m(v, N, m)
        else:
            u = rng.random((v.shape[0], B, m))                 # consumed in C order: chunk-independent
            umin = u.min(axis=2)                               # the smallest drawn position wins
            pos = np.minimum((umin * N[:, None]).astype(np.int64), np.maximum(N - 1, 0)[:, None])
            rep = np.take_along_axis(v, pos, axis=1) * sign    # (chunk, B) replicate scores
            rep[~has] = np.nan
            farrell[o] = rep.mean(axis=1)
            se[o] = rep.std(axis=1, ddof=1) / np.sqrt(B) if B > 1 else np.nan
    return farrell, ndom, se


# --------------------------------------------------------------------------------------------------
# API
# --------------------------------------------------------------------------------------------------

def _int_option(value, name: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        if isinstance(value, (float, np.floating)) and float(value).is_integer():
            value = int(value)
        else:
            raise SpecError(f"{name}: must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise SpecError(f"{name}: must be an integer >= {minimum}, got {value!r}")
    return int(value)


def partial_frontier(data=None, id=None, inputs=None, outputs=None, method: str = "order-m",
                     orientation: str = "input", m: int = 25, B: int | None = 200, alpha: float = 0.95,
                     seed: int | None = None, reference=None) -> PartialFrontierResult:
    """Order-m or order-alpha efficiency of every DMU (see the module docstring for the formulas).

    ``method``: 'order-m' (Cazals, Florens and Simar 2002; ``m`` DMUs drawn, ``B`` Monte Carlo
    draws, ``B=None`` for the exact expectation; ``seed`` for numpy's default_rng) or 'order-alpha'
    (Aragon, Daouia and Thomas-Agnan 2005; Daouia and Simar 2007; ``alpha`` in (0, 1], 1 = FDH).
    ``orientation``: 'input' or 'output'. ``reference``: DMUs that span the frontier (a DataFrame,
    CSV path or arrays, as in ``ef.dea``); by default the DMUs themselves.
    """
    if not isinstance(method, str) or method.strip().lower().replace("_", "-") not in METHODS:
        raise SpecError(f"method: {method!r} is not one of 'order-m', 'order-alpha'")
    method = method.strip().lower().replace("_", "-")
    orient = Orientation.parse(orientation, name="orientation")
    if orient not in (Orientation.INPUT, Orientation.OUTPUT):
        raise SpecError(f"orientation: partial frontiers are 'input' or 'output', not {orient.value!r}")
    inward = orient == Orientation.INPUT
    if method == "order-m":
        m = _int_option(m, "m", 1)
        B = None if B is None else _int_option(B, "B", 1)
        alpha_used = None
        if seed is not None:
            try:
                np.random.SeedSequence(seed)
            except (TypeError, ValueError):
                raise SpecError(f"seed: {seed!r} is not a valid seed (a non-negative integer)") from None
    else:
        try:
            a = float(alpha)
        except (TypeError, ValueError):
            raise SpecError(f"alpha: must be a number in (0, 1], got {alpha!r}") from None
        if isinstance(alpha, bool) or not (0.0 < a <= 1.0):
            raise SpecError(f"alpha: must be in (0, 1] (1 gives FDH), got {alpha!r}")
        alpha_used = a
    fd = frontier_data(data, id=id, inputs=inputs, outputs=outputs,
                       min_rows=1 if reference is not None else 2, zero_columns=reference is not None)
    why = f"the {orient.value}-oriented {method} measure (a ratio to each of its {'inputs' if inward else 'outputs'})"
    require_positive_rows(fd, "inputs" if inward else "outputs", why, every=True)
    ref = fd if reference is None else reference_data(reference, fd, id=id)
    rng = np.random.default_rng(seed) if method == "order-m" and B is not None else None
    farrell, ndom, se = _compute(fd.X, fd.Y, ref.X, ref.Y, inward=inward, method=method,
                                 m=m if method == "order-m" else 0, B=B if method == "order-m" else None,
                                 alpha=alpha_used or 1.0, rng=rng)
    with np.errstate(divide="ignore"):
        eff = farrell if inward else 1.0 / farrell
    status = np.where(ndom > 0, "optimal", "infeasible").astype(object)
    idx = fd.ids
    return PartialFrontierResult(
        method=method, orientation=orient.value, m=m if method == "order-m" else None,
        B=B if method == "order-m" else None, alpha=alpha_used,
        seed=seed if rng is not None else None, ids=idx, input_names=fd.input_names,
        output_names=fd.output_names, n_reference=ref.n,
        scores=pd.Series(eff, index=idx, name="efficiency"),
        farrell=pd.Series(farrell, index=idx, name="farrell"),
        status=pd.Series(status, index=idx, name="status"),
        n_dominating=pd.Series(ndom, index=idx, name="n_dominating"),
        std_error=None if se is None else pd.Series(se, index=idx, name="std_error"))
