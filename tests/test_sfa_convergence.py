"""How an SFA fit reaches (or does not reach) its estimate (issue 12): Newton's stopping rule on large
samples, the evaluation budget on likelihoods without an interior maximum, the fallback and bound
flags with their ConvergenceWarning, NaN standard errors at a bound, the kernels' thread count, the
summary table's layout, and the renamed options (``alpha`` for ``level``)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize
from scipy.special import expit

import efficiency as ef
from benchmarks.sfa import half_normal_data
from efficiency.sfa import _kernel, fit as sfa_fit
from efficiency.sfa.likelihood import TNModel

INPUTS = ["x1", "x2", "x3"]


def _independent_fit(df: pd.DataFrame) -> tuple[np.ndarray, float]:
    """The half-normal MLE by scipy BFGS on the numpy twin of the likelihood (``loglik_numpy``), from
    another start than ours (OLS, intercept + 0.2, sigma_sq twice the residual variance, gamma 1/2)."""
    n = len(df)
    y = np.log(df["y"].to_numpy())
    X = np.column_stack([np.ones(n), np.log(df[INPUTS].to_numpy())])
    model = TNModel(y, X)

    def f(t):
        p = np.r_[t[:4], np.exp(t[4]), expit(t[5])]
        ll, g = model.loglik_numpy(p)
        g = g.copy()
        g[4] *= p[4]
        g[5] *= p[5] * (1.0 - p[5])
        return -ll / n, -g / n

    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    resid = y - X @ beta
    start = np.r_[beta[0] + 0.2, beta[1:], np.log(2.0 * resid.var()), 0.0]
    res = optimize.minimize(f, start, jac=True, method="BFGS", options={"gtol": 1e-11, "maxiter": 1000})
    assert res.success or np.max(np.abs(res.jac)) < 1e-9, res.message      # (or stopped by rounding there)
    return np.r_[res.x[:4], np.exp(res.x[4]), expit(res.x[5])], -res.fun * n


@pytest.mark.parametrize("n", [1_000, 10_000])
def test_newton_converges_on_a_large_half_normal_cross_section(n):
    """Newton's method used to stall in its line search here (rounding noise of f) and fall back to
    BFGS; with the Newton-decrement stopping rule it converges in a handful of iterations."""
    df = half_normal_data(n)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ef.ConvergenceWarning)
        s = ef.sfa(df, output="y", inputs=INPUTS)
    assert s.method == sfa_fit.NEWTON and not s.fallback
    assert s.converged and s.at_bound == () and s.convergence_notes == ()
    assert s.n_iter <= 6
    p, llf = _independent_fit(df)
    np.testing.assert_allclose(s.estimates["estimate"].to_numpy(), p, rtol=0, atol=1e-8)
    assert s.llf == pytest.approx(llf, rel=1e-12)
    assert np.all(np.isfinite(s.std_errors))


def test_newton_stopping_rule_on_a_sample_that_used_to_fall_back():
    """A seed on which the old line search backtracked on rounding noise until it failed (then BFGS
    with some 2 000 Hessian evaluations): now Newton, few evaluations."""
    n = 3_000
    rng = np.random.default_rng(4_000)
    lx = rng.uniform(np.log(10), np.log(100), size=(n, 3))
    ly = 1.0 + lx @ np.array([0.3, 0.3, 0.3]) + rng.normal(0, 0.2, n) - np.abs(rng.normal(0, 0.3, n))
    df = pd.DataFrame(np.exp(lx), columns=INPUTS)
    df["y"] = np.exp(ly)
    s = ef.sfa(df, output="y", inputs=INPUTS)
    assert s.method == sfa_fit.NEWTON and s.converged and not s.fallback
    assert s.n_evaluations <= 20
    p, _ = _independent_fit(df)
    np.testing.assert_allclose(s.estimates["estimate"].to_numpy(), p, rtol=0, atol=1e-8)


# --------------------------------------------------------------------------------------------------
# Likelihoods without an interior maximum: bounded work, best point, not converged, warned
# --------------------------------------------------------------------------------------------------

def _rice(oracle):
    rice = pd.read_csv(oracle / "data" / "frontier" / "riceProdPhil.csv")
    rice["cost"] = rice["LABOR"] * rice["LABORP"] + rice["NPK"] * rice["NPKP"]
    return rice


@pytest.fixture
def kernel_calls(monkeypatch):
    calls = [0]
    original = _kernel.tn_cross_section

    def counted(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)
    monkeypatch.setattr(_kernel, "tn_cross_section", counted)
    return calls


def test_truncated_normal_without_interior_maximum_stops_at_the_budget(oracle, kernel_calls):
    """R frontier's truncated-normal rice cross-section: the likelihood rises as mu -> -infinity towards
    the exponential model's (oracle caveat 7). The fit stops at the budget with the best point found."""
    rice = _rice(oracle)
    t0 = time.perf_counter()
    with pytest.warns(ef.ConvergenceWarning, match="did not converge.*budget of 1000 likelihood evaluations"):
        s = ef.sfa(rice, output="PROD", inputs=["AREA", "LABOR", "NPK"], dist="truncated-normal")
    assert time.perf_counter() - t0 < 5.0
    assert kernel_calls[0] <= 2 * sfa_fit.MAX_EVALUATIONS + 100          # two starts, plus grid and polishing
    assert s.n_evaluations <= 2 * sfa_fit.MAX_EVALUATIONS
    assert not s.converged and s.fallback
    assert s.mu < -100.0 and s.gamma > 0.999
    expo = ef.sfa(rice, output="PROD", inputs=["AREA", "LABOR", "NPK"], dist="exponential")
    assert expo.converged
    assert expo.llf - 1e-4 < s.llf <= expo.llf + 1e-8                  # the supremum, nearly reached
    assert "NO" in s.summary() and "stopped at the budget" in s.summary()


def test_bc95_cost_frontier_without_intercept_stops_at_the_budget(oracle, kernel_calls):
    """R frontier's BC95 cost frontier on riceProdPhil with z = EDYRS, BANRAT and no z intercept:
    sigma_sq and -delta grow without bound and gamma -> 1."""
    rice = _rice(oracle)
    kw = dict(output="cost", inputs=["PROD", "AREA", "LABORP", "NPKP"], cost=True)
    t0 = time.perf_counter()
    with pytest.warns(ef.ConvergenceWarning) as caught:
        s = ef.sfa(rice, z=["EDYRS", "BANRAT"], z_intercept=False, **kw)
    assert time.perf_counter() - t0 < 5.0
    assert kernel_calls[0] <= 2 * sfa_fit.MAX_EVALUATIONS + 100
    text = " ".join(str(w.message) for w in caught)
    assert "did not converge" in text and "gamma at a bound" in text and "upper bound 1" in text
    assert not s.converged and s.at_bound == ("gamma",) and s.fallback
    assert s.gamma > 1.0 - sfa_fit.G_BOUND
    assert np.isnan(s.std_errors["gamma"]) and np.isnan(s.vcov.loc["gamma"]).all()
    assert (s.delta < -1000.0).all() and s.sigma_sq > 1000.0
    hn = ef.sfa(rice, **kw)                          # delta = 0 nests the half-normal cost frontier
    assert hn.converged and s.llf > hn.llf


# --------------------------------------------------------------------------------------------------
# Fallback and bounds are reported
# --------------------------------------------------------------------------------------------------

def test_fallback_to_bfgs_is_recorded_and_warned(monkeypatch):
    df = half_normal_data(1_000)
    newton = ef.sfa(df, output="y", inputs=INPUTS)

    def failing(model, t0, scale, budget, **kw):
        return optimize.OptimizeResult(x=t0, fun=1e30, jac=np.zeros_like(t0), nit=0, success=False,
                                       message="made to fail")
    monkeypatch.setattr(sfa_fit, "newton", failing)
    with pytest.warns(ef.ConvergenceWarning, match=r"fell back from Newton \(analytic Hessian\) to BFGS"):
        s = ef.sfa(df, output="y", inputs=INPUTS)
    assert s.fallback and s.method == "BFGS (Newton fallback)" and s.converged
    assert any("made to fail" in note for note in s.convergence_notes)
    assert "fell back" in s.summary()
    np.testing.assert_allclose(s.estimates["estimate"], newton.estimates["estimate"], atol=1e-6)


def test_models_without_hessian_use_bfgs_without_warning():
    """BFGS is the primary optimiser of the panels and the exponential: not a fallback."""
    df = half_normal_data(1_000)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ef.ConvergenceWarning)
        s = ef.sfa(df, output="y", inputs=INPUTS, dist="exponential")
    assert s.method == "BFGS" and not s.fallback and s.converged


def test_gamma_at_zero_has_nan_standard_error():
    """Wrong skew: gamma -> 0 (Waldman 1982); gamma's standard error is NaN, the others are OLS-like and
    finite, the summary says why."""
    df = half_normal_data(500)
    df["y"] = 1.0 / df["y"]
    with pytest.warns(ef.SkewnessWarning), pytest.warns(ef.ConvergenceWarning, match="lower bound 0"):
        s = ef.sfa(df, output="y", inputs=INPUTS)
    assert s.at_bound == ("gamma",) and s.gamma < sfa_fit.G_BOUND
    assert np.isnan(s.std_errors["gamma"]) and np.isnan(s.estimates.loc["gamma", "p_value"])
    assert np.isnan(s.vcov["gamma"]).all()
    free = s.std_errors.drop("gamma")
    assert np.all(np.isfinite(free)) and np.all(free > 0)
    # gamma = 0 is OLS: the coefficients are the OLS ones, sigma_sq the ML residual variance
    np.testing.assert_allclose(s.params, s.ols_params, atol=1e-4)
    assert "At a bound: gamma" in s.summary()


# --------------------------------------------------------------------------------------------------
# Threads of the kernels
# --------------------------------------------------------------------------------------------------

def test_fit_threads(monkeypatch):
    import numba
    assert _kernel.fit_threads(_kernel.PARALLEL_MIN_N - 1) == 1
    monkeypatch.setattr(_kernel, "idle_cpus", lambda: 1)                # a busy machine
    assert _kernel.fit_threads(10 ** 7) == 1
    monkeypatch.setattr(_kernel, "idle_cpus", lambda: 64)               # an idle one
    assert _kernel.fit_threads(10 ** 7) == numba.get_num_threads()
    assert _kernel.fit_threads(_kernel.PARALLEL_MIN_N) == min(numba.get_num_threads(), 4)   # 4 chunks of work


def test_idle_cpus_counts_other_processes_only():
    import os
    cpus = len(os.sched_getaffinity(0))
    assert 1 <= _kernel.idle_cpus() <= cpus
    assert _kernel._own_running() >= 1                   # this thread is running while it asks


def test_small_fits_run_the_kernel_on_one_thread(monkeypatch):
    import numba
    seen = []
    original = _kernel.tn_cross_section

    def spy(*args, **kwargs):
        seen.append(numba.get_num_threads())
        return original(*args, **kwargs)
    monkeypatch.setattr(_kernel, "tn_cross_section", spy)
    before = numba.get_num_threads()
    ef.sfa(half_normal_data(2_000), output="y", inputs=INPUTS)
    assert seen and set(seen) == {1}
    assert numba.get_num_threads() == before               # restored


#: run in a fresh process: the fit of test_thread_count_does_not_change_the_fit, as JSON (floats in hex)
_THREADS_CHILD = """
import hashlib, json
import numba
import efficiency as ef
from benchmarks.sfa import half_normal_data
from efficiency.sfa import _kernel

seen = []
kernel = _kernel.tn_cross_section
def spy(*args, **kwargs):
    seen.append(numba.get_num_threads())
    return kernel(*args, **kwargs)
_kernel.tn_cross_section = spy
_kernel.idle_cpus = lambda: 64                  # an idle machine: the fit may use every thread of the pool
s = ef.sfa(half_normal_data(_kernel.PARALLEL_MIN_N + 5_000), output="y", inputs=["x1", "x2", "x3"])
print(json.dumps({"pool": numba.config.NUMBA_NUM_THREADS, "kernel_threads": sorted(set(seen)),
                  "converged": s.converged, "llf": s.llf.hex(),
                  "estimates": [float(v).hex() for v in s.estimates["estimate"]],
                  "efficiency": hashlib.sha256(s.efficiency.to_numpy().tobytes()).hexdigest()}))
"""


def test_thread_count_does_not_change_the_fit():
    """The same fit (n = PARALLEL_MIN_N + 5 000, 5 chunks of work) in two fresh processes, numba's pool at
    NUMBA_NUM_THREADS=1 and =2 (read when numba is imported; the pytest-xdist workers run one thread, see
    conftest.py): the kernels ran on 1 and on 2 threads, and the log-likelihood, the estimates and the
    efficiencies are bit for bit the same (partial sums added in a fixed order)."""
    root = Path(__file__).resolve().parents[1]
    path = os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH", "")) if p)
    procs = {n: subprocess.Popen([sys.executable, "-c", _THREADS_CHILD], cwd=root, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env=dict(os.environ, NUMBA_NUM_THREADS=str(n), PYTHONPATH=path))
             for n in (1, 2)}
    out = {}
    for n, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr
        out[n] = json.loads(stdout.strip().splitlines()[-1])
        assert out[n]["pool"] == n and out[n]["kernel_threads"] == [n], out[n]
        assert out[n]["converged"]
    one, two = out[1], out[2]
    assert one["llf"] == two["llf"]
    assert one["estimates"] == two["estimates"]
    assert one["efficiency"] == two["efficiency"]


# --------------------------------------------------------------------------------------------------
# Summary layout, lambda, renamed options
# --------------------------------------------------------------------------------------------------

def test_summary_columns_never_touch_for_any_magnitude():
    s = ef.sfa(half_normal_data(300), output="y", inputs=INPUTS)
    values = np.array([16240.2869627888, 8.770482, -1.23456789e12, 3.2e-13, -7.5e-300, 0.0])
    ses = np.array([0.0123, 1.5e-11, 4.4e10, 2.0e-14, 1e-301, np.nan])
    est = s.estimates.copy()
    est["estimate"], est["std_error"] = values, ses
    est["z_value"] = values / ses
    big = dataclasses.replace(s, estimates=est)
    lines = big.summary().splitlines()
    top = next(i for i, line in enumerate(lines) if line.lstrip().startswith("coef"))
    rows = lines[top + 2:top + 2 + len(est)]
    for (name, row), line in zip(est.iterrows(), rows):
        tokens = line.split()
        assert len(tokens) == 7, line                       # name, coef, se, z, p, lower, upper
        assert tokens[0] == name
        got = float(tokens[1])
        assert got == pytest.approx(row["estimate"], rel=1e-5, abs=5e-7 if abs(row["estimate"]) >= 1e-4 else 0)
        se = float(tokens[2])
        assert (np.isnan(se) and np.isnan(row["std_error"])) or se == pytest.approx(row["std_error"], rel=1e-5)
    assert all(len(line) <= max(len(r) for r in rows) for line in lines[:top])


def test_lambda_with_no_noise_is_infinite():
    s = ef.sfa(half_normal_data(300), output="y", inputs=INPUTS)
    edge = dataclasses.replace(s, gamma=1.0)
    assert edge.lambda_ == np.inf
    assert "lambda = sigma_u/sigma_v = inf" in edge.summary()


def test_alpha_replaces_level():
    df = half_normal_data(300)
    a = ef.sfa(df, output="y", inputs=INPUTS, alpha=0.10)
    b = ef.sfa(df, output="y", inputs=INPUTS)
    assert a.alpha == 0.10 and b.alpha == 0.05
    assert np.all(a.upper - a.lower < b.upper - b.lower)       # 90% bounds inside the 95% ones
    with pytest.warns(FutureWarning, match="use alpha = 1 - level"):
        old = ef.sfa(df, output="y", inputs=INPUTS, level=0.90)
    assert old.alpha == pytest.approx(0.10)
    np.testing.assert_allclose(old.lower, a.lower, rtol=1e-12)
    with pytest.warns(FutureWarning, match="use 1 - alpha"):
        assert a.level == pytest.approx(0.90)
    with pytest.raises(ef.SpecError, match="alpha"):
        ef.sfa(df, output="y", inputs=INPUTS, alpha=1.5)
    with pytest.raises(ef.SpecError, match="not both"), pytest.warns(FutureWarning):
        ef.sfa(df, output="y", inputs=INPUTS, alpha=0.1, level=0.9)
    assert "[90%" in a.summary()


def test_warning_classes_are_exported():
    from efficiency.errors import ConvergenceWarning, SkewnessWarning
    from efficiency.sfa import SkewnessWarning as FromSfa
    assert ef.ConvergenceWarning is ConvergenceWarning and ef.SkewnessWarning is SkewnessWarning is FromSfa
    assert issubclass(ConvergenceWarning, ef.EfficiencyWarning) and issubclass(SkewnessWarning, ef.EfficiencyWarning)
