"""SFA speed benchmark (not a test): half-normal cross-section, n = 100 000, 5 regressors.

``efficiency.sfa`` (fused numba likelihood with analytic gradient and Hessian, trust-region Newton,
standard errors, efficiency predictions) is timed against the plain scipy route: the Aigner, Lovell and
Schmidt (1977) log-likelihood written in numpy/scipy.special and maximised by
``scipy.optimize.minimize`` (BFGS, finite-difference gradient) from the same FRONTIER-style start,
in the same run. For reference it also times that scipy BFGS run on efficiency's compiled likelihood
(what the optimiser alone contributes). Each route runs ``--repeat`` times, interleaved; the best time
counts (the machines are noisy). Run: ``python -m benchmarks.sfa [--n N] [--seed S] [--repeat R]
[--save]`` (``--save`` also writes ``benchmarks/results/sfa.md``).
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import expit, log_ndtr


def make_data(n: int, k: int = 5, seed: int = 12345) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.lognormal(1.0, 0.6, size=(n, k))
    beta = np.linspace(0.1, 0.3, k)
    ly = 0.5 + np.log(X) @ beta + rng.normal(0, 0.2, n) - np.abs(rng.normal(0, 0.4, n))
    df = pd.DataFrame(X, columns=[f"x{j + 1}" for j in range(k)])
    df["y"] = np.exp(ly)
    return df


def als_loglik(y, X, beta, S, g):
    """Half-normal production frontier log-likelihood (Aigner, Lovell and Schmidt 1977), sigma_sq = S,
    gamma = g, written as a scipy user would."""
    e = y - X @ beta
    lam = np.sqrt(g / (1.0 - g))
    return float(len(y) * (0.5 * np.log(2.0 / np.pi) - 0.5 * np.log(S))
                 + np.sum(log_ndtr(-e * lam / np.sqrt(S))) - np.sum(e * e) / (2.0 * S))


def scipy_route(y, X, loglik):
    """OLS, the FRONTIER 4.1 gamma grid, then BFGS with finite-difference gradients on
    theta = (beta, log sigma_sq, logit gamma). Returns (llf, function evaluations)."""
    n, k = X.shape
    beta, *_ = np.linalg.lstsq(X, y, rcond=None)
    resid = y - X @ beta
    s2 = float(resid @ resid) / (n - k)
    best, best_ll = None, -np.inf
    for g in np.linspace(0.1, 0.9, 9):
        S = s2 / (1.0 - 2.0 * g / np.pi)
        b = beta.copy()
        b[0] += np.sqrt(2.0 * g * S / np.pi)
        ll = loglik(y, X, b, S, g)
        if ll > best_ll:
            best, best_ll = np.r_[b, np.log(S), np.log(g / (1.0 - g))], ll
    f = lambda t: -loglik(y, X, t[:k], np.exp(t[k]), expit(t[k + 1])) / n  # noqa: E731
    res = optimize.minimize(f, best, method="BFGS")
    return -res.fun * n, res.nfev + 9


def run(n: int = 100_000, seed: int = 12345, repeat: int = 3) -> str:
    import efficiency as ef
    from efficiency.sfa.likelihood import TNModel

    df = make_data(n, seed=seed)
    inputs = [c for c in df.columns if c != "y"]
    y = np.log(df["y"].to_numpy())
    X = np.column_stack([np.ones(n), np.log(df[inputs].to_numpy())])
    model = TNModel(y, X)
    compiled = lambda y, X, b, S, g: model.loglik(np.r_[b, S, g], grad=False)  # noqa: E731
    ef.sfa(df.head(500), output="y", inputs=inputs)          # warm-up: imports, first calls
    scipy_route(y[:500], X[:500], compiled)
    times = {"ours": [], "scipy": [], "scipy_compiled": []}
    for _ in range(repeat):
        t0 = time.perf_counter()
        s = ef.sfa(df, output="y", inputs=inputs)
        times["ours"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        llf_scipy, nfev = scipy_route(y, X, als_loglik)
        times["scipy"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        llf_comp, nfev_comp = scipy_route(y, X, compiled)
        times["scipy_compiled"].append(time.perf_counter() - t0)
    t = {key: min(v) for key, v in times.items()}
    lines = [f"SFA half-normal cross-section, n = {n}, {len(inputs)} regressors (+ intercept); best of {repeat}",
             f"efficiency.sfa ({s.method}; SEs, efficiencies): {t['ours']:8.3f} s  llf {s.llf:.6f}",
             f"scipy: numpy likelihood, BFGS, numerical gradient (no SEs): {t['scipy']:8.3f} s  llf {llf_scipy:.6f} "
             f"({nfev} evaluations)",
             f"  (reference: the same on efficiency's compiled likelihood:  {t['scipy_compiled']:8.3f} s  "
             f"llf {llf_comp:.6f}, {nfev_comp} evaluations)",
             f"ratio scipy / ours: {t['scipy'] / t['ours']:.2f}x "
             f"(compiled-likelihood scipy / ours: {t['scipy_compiled'] / t['ours']:.2f}x)"]
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--save", action="store_true", help="also write benchmarks/results/sfa.md")
    args = ap.parse_args(argv)
    text = run(args.n, args.seed, args.repeat)
    print(text, end="")
    if args.save:
        import numba
        import scipy
        out = Path(__file__).resolve().parent / "results" / "sfa.md"
        out.write_text(f"# efficiency benchmarks: SFA\n\n- machine: {platform.platform()}; python "
                       f"{platform.python_version()}; numpy {np.__version__}; scipy {scipy.__version__}; "
                       f"numba {numba.__version__}\n- command: python -m benchmarks.sfa "
                       f"--n {args.n} --seed {args.seed} --repeat {args.repeat}\n\n```\n{text}```\n")


if __name__ == "__main__":
    main()
