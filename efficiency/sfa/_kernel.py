"""Fused numba kernel: log-likelihood, gradient and analytic Hessian of the normal / truncated-normal
cross-section stochastic frontier in one pass over the data.

Covers the half-normal model of Aigner, Lovell and Schmidt (1977), the truncated normal of Stevenson
(1980) and the Battese and Coelli (1995) inefficiency-effects model (mu_i = z_i'delta), all with one
observation per group and no decay. Per observation, with e = s (y - x'beta), S = sigma_sq, g = gamma,

    l = -log(2 pi)/2 - log(S)/2 - (e + mu)^2 / (2 S) + log Phi(a) - log Phi(b),
    a = mu P - e R,   b = mu B,   P = sqrt((1-g) / (g S)),  R = sqrt(g / ((1-g) S)),  B = 1 / sqrt(g S)

(the Battese and Coelli 1993/1995 log-likelihood in FRONTIER's parameterisation; for mu = 0 the last
term is the constant log(1/2)). The kernel
differentiates l twice in (e, mu, S, g) and maps the result to the parameters (beta, S, gamma, delta)
by the chain rule: de/dbeta = -s x, dmu/ddelta = z. ``log_phi_mills`` gives log Phi(x) and the inverse
Mills ratio phi(x)/Phi(x), accurate in both tails (an asymptotic series below x = -20).
Also here: the efficiency predictors of every model (``predict_core``), column ranges for the
design checks (``column_ranges``) and the thread count of a fit (``kernel_threads``).

Threads. The parallel loops split their work statically between numba's threads and wait for the
slowest: when another process holds a core, every kernel call waits for a descheduled thread
(measured on 2 cores with one busy-looping process: n = 10 000, 0.68 ms per call on one thread,
10 ms on two). A fit therefore runs the kernels on one thread below ``PARALLEL_MIN_N`` observations
(where two threads gained at most 1.3x on a quiet machine) and otherwise on no more threads than
there are idle cores when it starts (``idle_cpus``). BLAS runs on one thread meanwhile
(``efficiency._threads.single_threaded_blas`` around ``sfa``): numba threads x BLAS threads never
exceed the cores. The partial sums are added in a fixed order, so the thread count does not change
the result.
"""

from __future__ import annotations

import glob
import math
import os
from contextlib import contextmanager

import numpy as np
from numba import njit, prange

_SQRT1_2 = 1.0 / math.sqrt(2.0)
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_LOG_HALF = math.log(0.5)
_CHUNK = 8192          # observations per partial sum (parallel over chunks, summed in a fixed order)
#: below this many observations a fit's kernels run on one thread
PARALLEL_MIN_N = 4 * _CHUNK


def _own_running() -> int:
    """Threads of this process that are running now (Linux; the caller's at least): numba's workers
    keep spinning for a while after a parallel loop and must not count as another task's load."""
    count = 0
    for stat in glob.glob("/proc/self/task/*/stat"):
        try:
            with open(stat) as fh:
                text = fh.read()
            count += text[text.rindex(")") + 2] == "R"
        except (OSError, ValueError, IndexError):
            continue
    return max(count, 1)


def idle_cpus() -> int:
    """Cores this process may use that no other process is running on now (Linux: the runnable
    tasks of /proc/loadavg less this process's running threads); all usable cores where that cannot
    be read."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:                      # not Linux
        cpus = os.cpu_count() or 1
    own = _own_running()
    try:
        with open("/proc/loadavg") as fh:
            running = int(fh.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return cpus
    return max(1, min(cpus, cpus - (running - own)))


def fit_threads(n: int) -> int:
    """Threads for the kernels of a fit on n observations (module docstring): 1 below
    ``PARALLEL_MIN_N``, else numba's thread count capped by the chunks of work and the idle cores."""
    import numba
    if n < PARALLEL_MIN_N:
        return 1
    return max(1, min(numba.get_num_threads(), -(-n // _CHUNK), idle_cpus()))


@contextmanager
def kernel_threads(n: int):
    """Run the block with numba's thread count set to ``fit_threads(n)`` (restored afterwards)."""
    import numba
    before = numba.get_num_threads()
    numba.set_num_threads(min(before, fit_threads(n)))
    try:
        yield
    finally:
        numba.set_num_threads(before)


@njit(cache=True, error_model="numpy")
def log_phi_mills(x, mills=True):
    """(log Phi(x), phi(x) / Phi(x)) for the standard normal, to full precision in both tails (the
    ratio is 0.0 when ``mills`` is false)."""
    if x > 0.0:
        t = 0.5 * math.erfc(x * _SQRT1_2)                  # 1 - Phi(x), no cancellation
        lp = math.log1p(-t)
        return lp, (math.exp(-0.5 * x * x - _HALF_LOG_2PI - lp) if mills else 0.0)
    if x > -20.0:
        p = 0.5 * math.erfc(-x * _SQRT1_2)                 # relative precision for x < 0 too
        return math.log(p), (math.exp(-0.5 * x * x - _HALF_LOG_2PI) / p if mills else 0.0)
    inv = 1.0 / (x * x)                                    # Phi(x) = phi(x)/(-x) * sum_k (-1)^k (2k-1)!! x^-2k
    s, term = 1.0, 1.0
    for j in range(1, 20):
        term *= -(2.0 * j - 1.0) * inv
        s += term
    return -0.5 * x * x - _HALF_LOG_2PI - math.log(-x) + math.log(s), -x / s


@njit(cache=True, error_model="numpy")
def _dot3(a, b, c):
    """sum_i a_i b_i c_i with four running sums (instruction-level parallelism, fixed order)."""
    n = a.shape[0]
    s0 = s1 = s2 = s3 = 0.0
    n4 = n - n % 4
    for i in range(0, n4, 4):
        s0 += a[i] * b[i] * c[i]
        s1 += a[i + 1] * b[i + 1] * c[i + 1]
        s2 += a[i + 2] * b[i + 2] * c[i + 2]
        s3 += a[i + 3] * b[i + 3] * c[i + 3]
    for i in range(n4, n):
        s0 += a[i] * b[i] * c[i]
    return (s0 + s1) + (s2 + s3)


@njit(cache=True, error_model="numpy")
def _chunk(y, X, Z, sign, beta, delta, S, g, mode, lo, hi, acc):
    """Observations lo..hi-1: add l, for ``mode`` >= 1 its gradient in (beta, S, gamma, delta) and
    for ``mode`` 2 its Hessian to acc = [ll, grad, H_SS, H_Sg, H_gg, H_S,delta, H_g,delta,
    H_beta,S, H_beta,g, H_beta,beta (k x k, upper triangle), H_beta,delta (k x pz),
    H_delta,delta (pz x pz, upper triangle)]. All sums stay in numba (BLAS threads would compete
    with numba's)."""
    k = X.shape[1]
    pz = Z.shape[1]
    npar = k + 2 + pz
    P = math.sqrt((1.0 - g) / (g * S))
    R = math.sqrt(g / ((1.0 - g) * S))
    B = 1.0 / math.sqrt(g * S)
    kap = 1.0 / (g * (1.0 - g))
    # derivatives of P, R, B in S and g (closed forms of the powers above)
    P_S, R_S, B_S = -P / (2.0 * S), -R / (2.0 * S), -B / (2.0 * S)
    P_g, R_g, B_g = -0.5 * P * kap, 0.5 * R * kap, -B / (2.0 * g)
    P_SS, R_SS, B_SS = 0.75 * P / (S * S), 0.75 * R / (S * S), 0.75 * B / (S * S)
    P_Sg, R_Sg, B_Sg = P * kap / (4.0 * S), -R * kap / (4.0 * S), B / (4.0 * g * S)
    P_gg, R_gg, B_gg = P * kap * kap * (0.75 - g), R * kap * kap * (g - 0.25), 0.75 * B / (g * g)
    iS2 = 1.0 / S
    l0 = -_HALF_LOG_2PI - 0.5 * math.log(S)
    ll = h_SS = h_Sg = h_gg = 0.0
    gr = np.zeros(npar)                     # local sums (kept apart from acc for the compiler)
    hz = np.zeros(2 * pz)
    hx = np.zeros(2 * k)
    hb = np.zeros(k * k + k * pz + pz * pz)
    nl = hi - lo if mode == 2 else 0        # the chunk transposed, and weights, for the cross-products
    XT = np.empty((k, nl))
    ZT = np.empty((pz, nl))
    wee = np.empty(nl)
    wemu = np.empty(nl)
    wmumu = np.empty(nl)
    for i in range(lo, hi):
        xb = 0.0
        for j in range(k):
            xb += X[i, j] * beta[j]
        e = sign * (y[i] - xb)
        mu = 0.0
        for j in range(pz):
            mu += Z[i, j] * delta[j]
        w = e + mu
        a = mu * P - e * R
        lpa, ma = log_phi_mills(a, mode > 0)
        if pz > 0:
            b = mu * B
            lpb, mb = log_phi_mills(b, mode > 0)
        else:
            b, lpb, mb = 0.0, _LOG_HALF, 0.0
        ll += l0 - 0.5 * w * w * iS2 + lpa - lpb
        if mode == 0:
            continue
        a_S = mu * P_S - e * R_S
        a_g = mu * P_g - e * R_g
        l_e = -w * iS2 - ma * R
        l_S = -0.5 * iS2 + 0.5 * w * w * iS2 * iS2 + ma * a_S
        l_g = ma * a_g
        l_mu = 0.0
        if pz > 0:
            l_mu = -w * iS2 + ma * P - mb * B
            l_S -= mb * mu * B_S
            l_g -= mb * mu * B_g
        t = -sign * l_e
        for j in range(k):
            gr[j] += t * X[i, j]
        gr[k] += l_S
        gr[k + 1] += l_g
        for j in range(pz):
            gr[k + 2 + j] += l_mu * Z[i, j]
        if mode == 1:
            continue
        La = -ma * (ma + a)                                # (log Phi)''(a)
        l_ee = -iS2 + La * R * R
        l_eS = w * iS2 * iS2 - La * R * a_S - ma * R_S
        l_eg = -La * R * a_g - ma * R_g
        h_SS += 0.5 * iS2 * iS2 - w * w * iS2 * iS2 * iS2 + La * a_S * a_S + ma * (mu * P_SS - e * R_SS)
        h_Sg += La * a_S * a_g + ma * (mu * P_Sg - e * R_Sg)
        h_gg += La * a_g * a_g + ma * (mu * P_gg - e * R_gg)
        if pz > 0:
            Lb = -mb * (mb + b)
            l_emu = -iS2 - La * R * P
            l_mumu = -iS2 + La * P * P - Lb * B * B
            l_muS = w * iS2 * iS2 + La * P * a_S + ma * P_S - Lb * B * mu * B_S - mb * B_S
            l_mug = La * P * a_g + ma * P_g - Lb * B * mu * B_g - mb * B_g
            h_SS -= Lb * mu * mu * B_S * B_S + mb * mu * B_SS
            h_Sg -= Lb * mu * mu * B_S * B_g + mb * mu * B_Sg
            h_gg -= Lb * mu * mu * B_g * B_g + mb * mu * B_gg
            for j in range(pz):
                zj = Z[i, j]
                hz[j] += l_muS * zj
                hz[pz + j] += l_mug * zj
                ZT[j, i - lo] = zj
            wemu[i - lo] = -sign * l_emu
            wmumu[i - lo] = l_mumu
        for j in range(k):
            xj = X[i, j]
            hx[j] -= sign * l_eS * xj
            hx[k + j] -= sign * l_eg * xj
            XT[j, i - lo] = xj
        wee[i - lo] = l_ee
    for j in range(k if nl > 0 else 0):                    # contiguous (vectorised) cross-products
        for m in range(j, k):
            hb[j * k + m] = _dot3(wee, XT[j], XT[m])
        for m in range(pz):
            hb[k * k + j * pz + m] = _dot3(wemu, XT[j], ZT[m])
    for j in range(pz if nl > 0 else 0):
        for m in range(j, pz):
            hb[k * k + k * pz + j * pz + m] = _dot3(wmumu, ZT[j], ZT[m])
    acc[0] += ll
    acc[1:1 + npar] += gr
    h0 = 1 + npar
    acc[h0] += h_SS
    acc[h0 + 1] += h_Sg
    acc[h0 + 2] += h_gg
    acc[h0 + 3:h0 + 3 + 2 * pz] += hz
    acc[h0 + 3 + 2 * pz:h0 + 3 + 2 * pz + 2 * k] += hx
    c0 = h0 + 3 + 2 * pz + 2 * k
    acc[c0:c0 + hb.shape[0]] += hb


@njit(cache=True, parallel=True, error_model="numpy")
def _sums(y, X, Z, sign, beta, delta, S, g, mode):
    """Chunked partial sums (``_chunk``) added in a fixed order: the result does not depend on the
    number of threads."""
    n = y.shape[0]
    k = X.shape[1]
    pz = Z.shape[1]
    npar = k + 2 + pz
    nc = (n + _CHUNK - 1) // _CHUNK
    parts = np.zeros((nc, 1 + npar + 3 + 2 * pz + 2 * k + k * k + k * pz + pz * pz))
    for c in prange(nc):
        _chunk(y, X, Z, sign, beta, delta, S, g, mode, c * _CHUNK, min(n, (c + 1) * _CHUNK), parts[c])
    acc = np.zeros(parts.shape[1])
    for c in range(nc):
        acc += parts[c]
    return acc


def tn_cross_section(y, X, Z, sign, beta, delta, S, g, mode):
    """Log-likelihood, and for ``mode`` >= 1 the gradient, for ``mode`` 2 the Hessian (else None), of
    the cross-section truncated-normal frontier (module docstring) at (beta, S = sigma_sq,
    g = gamma, delta); Z has zero columns for mu = 0."""
    acc = _sums(y, X, Z, sign, beta, delta, S, g, mode)
    k, pz = X.shape[1], Z.shape[1]
    npar = k + 2 + pz
    grad = acc[1:1 + npar].copy()
    if mode < 2:
        return acc[0], grad, None
    iS, iG, h0 = k, k + 1, 1 + npar
    c0 = h0 + 3 + 2 * pz + 2 * k
    H = np.empty((npar, npar))
    H[:k, :k] = acc[c0:c0 + k * k].reshape(k, k)
    H[:k, iS] = acc[c0 - 2 * k:c0 - k]
    H[:k, iG] = acc[c0 - k:c0]
    H[iS, iS], H[iS, iG], H[iG, iG] = acc[h0], acc[h0 + 1], acc[h0 + 2]
    if pz:
        H[:k, k + 2:] = acc[c0 + k * k:c0 + k * k + k * pz].reshape(k, pz)
        H[iS, k + 2:] = acc[h0 + 3:h0 + 3 + pz]
        H[iG, k + 2:] = acc[h0 + 3 + pz:h0 + 3 + 2 * pz]
        H[k + 2:, k + 2:] = acc[c0 + k * k + k * pz:].reshape(pz, pz)
    iu = np.triu_indices(npar, 1)
    H[iu[1], iu[0]] = H[iu]
    return acc[0], grad, H


@njit(cache=True, parallel=True, error_model="numpy")
def predict_core(mstar, sstar, h, log_lo, log_hi):
    """Per observation, for u = h * N+(mstar, sstar^2): rows E[exp(-u)|e] (Battese and Coelli 1988),
    E[exp(u)|e], E[u|e] (Jondrow et al. 1982), exp(-E[u|e]), the mode of u|e, and the logs of the
    lower-tail probabilities whose normal quantiles give the Horrace-Schmidt (1996) bounds:
    log(c Phi(mstar/sstar)) for c = ``log_lo``, ``log_hi`` given as logs."""
    n = mstar.shape[0]
    out = np.empty((7, n))
    for i in prange(n):
        m, s, hh = mstar[i], sstar[i], h[i]
        a = m / s
        la, mills = log_phi_mills(a)
        half = 0.5 * hh * hh * s * s
        out[0, i] = math.exp(log_phi_mills(a - hh * s, False)[0] - la - hh * m + half)
        out[1, i] = math.exp(log_phi_mills(a + hh * s, False)[0] - la + hh * m + half)
        u = hh * (m + s * mills)
        out[2, i] = u
        out[3, i] = math.exp(-u)
        out[4, i] = hh * max(m, 0.0)
        out[5, i] = log_lo + la
        out[6, i] = log_hi + la
    return out


@njit(cache=True, error_model="numpy")
def column_ranges(X):
    """The smallest and largest value of each column of X, in one pass over its rows."""
    n, k = X.shape
    lo = np.full(k, np.inf)
    hi = np.full(k, -np.inf)
    for i in range(n):
        for j in range(k):
            lo[j] = min(lo[j], X[i, j])
            hi[j] = max(hi[j], X[i, j])
    return lo, hi


@njit(cache=True, parallel=True, error_model="numpy")
def tre_loglik(r, Xs, starts, H, sign, a, b, sw, grad):
    """Simulated log-likelihood of the true random effects frontier (Greene 2005) and its gradient,
    fused: for unit i (rows starts[i]:starts[i+1] of ``r`` = s (y - x'beta) and ``Xs``, sorted by unit)
    and draw d, eps = r - sw H[i, d], S_id = sum over the unit's rows of the normal-half-normal log
    density l(eps; a = log sigma_u^2, b = log sigma_v^2); the unit's contribution is
    log mean_d exp(S_id), and the gradient (beta, a, b, log sigma_w) weights each draw's derivatives
    by its posterior weight exp(S_id) / sum_d exp(S_id). One pass over rows x draws (each normal
    tail evaluated once), no n x R temporaries; units in parallel. Returns (contributions (N,),
    gradient contributions (N, k + 3))."""
    N = starts.size - 1
    R = H.shape[1]
    k = Xs.shape[1]
    su2, sv2 = math.exp(a), math.exp(b)
    S = su2 + sv2
    kk = math.exp(0.5 * (a - b)) / math.sqrt(S)
    c0 = math.log(2.0) - _HALF_LOG_2PI - 0.5 * math.log(S)
    ll = np.empty(N)
    G = np.zeros((N, k + 3)) if grad else np.zeros((0, k + 3))
    Tmax = 0
    for i in range(N):
        Tmax = max(Tmax, starts[i + 1] - starts[i])
    for i in prange(N):
        lo, hi = starts[i], starts[i + 1]
        Sd = np.empty(R)
        LE = np.empty((R, Tmax)) if grad else np.empty((0, 0))
        dA = np.empty(R)
        dB = np.empty(R)
        dW = np.empty(R)
        best = -np.inf
        for d in range(R):
            hw = sw * H[i, d]
            s = 0.0
            ga = gb = gw = 0.0
            for row in range(lo, hi):
                e = r[row] - hw
                t = -e * kk
                lp, m = log_phi_mills(t, grad)
                s += c0 - e * e / (2.0 * S) + lp
                if grad:
                    le = -e / S - m * kk
                    LE[d, row - lo] = le
                    ga += -su2 / (2.0 * S) + e * e * su2 / (2.0 * S * S) + m * t * sv2 / (2.0 * S)
                    gb += -sv2 / (2.0 * S) + e * e * sv2 / (2.0 * S * S) - m * t * (S + sv2) / (2.0 * S)
                    gw -= le * hw
            Sd[d] = s
            dA[d] = ga
            dB[d] = gb
            dW[d] = gw
            best = max(best, s)
        tot = 0.0
        for d in range(R):
            tot += math.exp(Sd[d] - best)
        lse = best + math.log(tot)
        ll[i] = lse - math.log(R)
        if grad:
            ga = gb = gw = 0.0
            for d in range(R):
                W = math.exp(Sd[d] - lse)
                ga += W * dA[d]
                gb += W * dB[d]
                gw += W * dW[d]
                for row in range(lo, hi):
                    q = W * LE[d, row - lo]
                    for j in range(k):
                        G[i, j] -= sign * Xs[row, j] * q
            G[i, k] = ga
            G[i, k + 1] = gb
            G[i, k + 2] = gw
    return ll, G
