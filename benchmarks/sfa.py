"""SFA speed benchmark (not a test): half-normal cross-section, n = 100 000, 5 regressors; then the
optimiser cases of issue 12.

``efficiency.sfa`` (fused numba likelihood with analytic gradient and Hessian, trust-region Newton,
standard errors, efficiency predictions) is timed against the plain scipy route: the Aigner, Lovell and
Schmidt (1977) log-likelihood written in numpy/scipy.special and maximised by
``scipy.optimize.minimize`` (BFGS, finite-difference gradient) from the same FRONTIER-style start,
in the same run. For reference it also times that scipy BFGS run on efficiency's compiled likelihood
(what the optimiser alone contributes). Each route runs ``--repeat`` times, interleaved; the best time
counts (the machines are noisy).

The second table (``cases``) times ``efficiency.sfa`` on the fits that used to go wrong, with the
likelihood evaluations (calls of the fused kernel: grid, optimiser, polishing), iterations, the
optimiser that produced the estimate and whether it converged:

* ``hn_<n>``: a plain half-normal Cobb-Douglas cross-section (3 inputs uniform on [10, 100],
  sigma_v = 0.2, sigma_u = 0.3, ``numpy.random.default_rng(7 + n)``) at n = 1 000, 10 000 and
  100 000, on which Newton's method used to stall in its line search and fall back to BFGS;
* ``bc95_cost_noint`` and ``tn_rice``: two of R frontier's test models without an interior maximum
  (riceProdPhil: the BC95 cost frontier log(cost) ~ log(PROD, AREA, LABORP, NPKP) | EDYRS + BANRAT - 1,
  and the truncated-normal production frontier log(PROD) ~ log(AREA, LABOR, NPK)), which now stop
  at the evaluation budget and report the best point found, not converged.

``--busy K`` runs K CPU-bound processes (``while True: pass``) during the cases, to see that the
kernels do not collapse on a busy machine; they are killed afterwards. Run: ``python -m
benchmarks.sfa [--n N] [--seed S] [--repeat R] [--busy K] [--save]`` (``--save`` also writes
``benchmarks/results/sfa.md``).
"""

from __future__ import annotations

import argparse
import contextlib
import platform
import subprocess
import sys
import time
import warnings
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


def half_normal_data(n: int) -> pd.DataFrame:
    """The cross-section of issue 12: Cobb-Douglas in 3 inputs, half-normal u, seed 7 + n."""
    rng = np.random.default_rng(7 + n)
    lx = rng.uniform(np.log(10), np.log(100), size=(n, 3))
    ly = 1.0 + lx @ np.array([0.3, 0.3, 0.3]) + rng.normal(0, 0.2, n) - np.abs(rng.normal(0, 0.3, n))
    df = pd.DataFrame(np.exp(lx), columns=["x1", "x2", "x3"])
    df["y"] = np.exp(ly)
    return df


def _rice() -> pd.DataFrame:
    """R frontier's riceProdPhil from the oracle (EFFICIENCY_ORACLE, else ../shared/oracle), with cost."""
    import os
    oracle = os.environ.get("EFFICIENCY_ORACLE") or Path(__file__).resolve().parents[2] / "shared" / "oracle"
    rice = pd.read_csv(Path(oracle) / "data" / "frontier" / "riceProdPhil.csv")
    rice["cost"] = rice["LABOR"] * rice["LABORP"] + rice["NPK"] * rice["NPKP"]
    return rice


def cases() -> dict:
    """name -> sfa() keyword arguments (the rice cases need the oracle's riceProdPhil.csv)."""
    out = {f"hn_{n}": (lambda n=n: dict(data=half_normal_data(n), output="y", inputs=["x1", "x2", "x3"]))
           for n in (1_000, 10_000, 100_000)}
    out["bc95_cost_noint"] = lambda: dict(data=_rice(), output="cost", inputs=["PROD", "AREA", "LABORP", "NPKP"],
                                          z=["EDYRS", "BANRAT"], z_intercept=False, cost=True)
    out["tn_rice"] = lambda: dict(data=_rice(), output="PROD", inputs=["AREA", "LABOR", "NPK"],
                                  dist="truncated-normal")
    return out


@contextlib.contextmanager
def counted_kernel():
    """Count calls of the fused likelihood kernel (every evaluation of a cross-section / BC95 model)."""
    from efficiency.sfa import _kernel
    calls = [0]
    original = _kernel.tn_cross_section

    def wrapper(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)
    _kernel.tn_cross_section = wrapper
    try:
        yield calls
    finally:
        _kernel.tn_cross_section = original


@contextlib.contextmanager
def busy(k: int):
    """k CPU-bound processes for the duration of the block."""
    procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(k)]
    try:
        time.sleep(0.5 if k else 0.0)
        yield
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()


def run_cases(repeat: int = 3, load: int = 0) -> str:
    """The optimiser cases (module docstring): best time of ``repeat``, kernel evaluations, iterations,
    optimiser, converged; and the kernel's time per call on one thread and on numba's threads."""
    import numba

    import efficiency as ef
    from efficiency.sfa import _kernel
    from efficiency.sfa.likelihood import TNModel

    ef.sfa(**cases()["hn_1000"]())                           # warm-up
    rows = []
    with busy(load):
        for name, make in cases().items():
            try:
                kw = make()
            except FileNotFoundError:
                rows.append(f"{name:<16} (riceProdPhil.csv not found; set EFFICIENCY_ORACLE)")
                continue
            times = []
            for _ in range(repeat):
                with counted_kernel() as calls, warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    t0 = time.perf_counter()
                    s = ef.sfa(**kw)
                    times.append(time.perf_counter() - t0)
            rows.append(f"{name:<16} {s.nobs:>7} {min(times):>8.3f} {calls[0]:>7} {s.n_iter:>5}  "
                        f"{'yes' if s.converged else 'NO':<4} {s.method}")
        kernel = []
        for n in (1_000, 10_000, 100_000):
            df = half_normal_data(n)
            X = np.column_stack([np.ones(n), np.log(df[["x1", "x2", "x3"]].to_numpy())])
            model = TNModel(np.log(df["y"].to_numpy()), X)
            p = np.r_[1.0, 0.3, 0.3, 0.3, 0.13, 0.7]
            per = {}
            top = numba.get_num_threads()
            for threads in sorted({1, top, _kernel.fit_threads(n)}):
                numba.set_num_threads(threads)
                try:
                    model.loglik_hessian(p)
                    reps = max(5, int(2e6 // n))
                    t0 = time.perf_counter()
                    for _ in range(reps):
                        model.loglik_hessian(p)
                    per[threads] = (time.perf_counter() - t0) / reps * 1e3
                finally:
                    numba.set_num_threads(top)
            kernel.append(f"n = {n:>7}: " + ", ".join(f"{t} thread{'s' if t > 1 else ''} {ms:.3f} ms"
                                                       for t, ms in per.items())
                          + f"; a fit uses {_kernel.fit_threads(n)}")
    head = (f"Optimiser cases ({load} CPU-bound process{'es' if load != 1 else ''} running; best of {repeat}; "
            f"evals = kernel calls)\n"
            f"{'case':<16} {'n':>7} {'seconds':>8} {'evals':>7} {'iter':>5}  conv optimiser")
    return "\n".join([head, *rows, "Kernel time per call (log-likelihood, gradient, Hessian):", *kernel]) + "\n"


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=12345)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--busy", type=int, default=0, metavar="K",
                    help="CPU-bound processes to run during the optimiser cases")
    ap.add_argument("--save", action="store_true", help="also write benchmarks/results/sfa.md")
    args = ap.parse_args(argv)
    text = run(args.n, args.seed, args.repeat)
    print(text, end="")
    more = "\n" + run_cases(args.repeat, args.busy)
    print(more, end="")
    text += more
    if args.save:
        import numba
        import scipy
        out = Path(__file__).resolve().parent / "results" / "sfa.md"
        out.write_text(f"# efficiency benchmarks: SFA\n\n- machine: {platform.platform()}; python "
                       f"{platform.python_version()}; numpy {np.__version__}; scipy {scipy.__version__}; "
                       f"numba {numba.__version__}\n- command: python -m benchmarks.sfa "
                       f"--n {args.n} --seed {args.seed} --repeat {args.repeat} --busy {args.busy}\n\n"
                       f"```\n{text}```\n")


if __name__ == "__main__":
    main()
