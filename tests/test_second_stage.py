"""Second stage (Simar and Wilson 2007): recovery of known coefficients on their simulation design."""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import efficiency as ef
from efficiency.second_stage import BiasedRegressionWarning, truncreg

BETA = np.array([0.5, 0.5])      # Simar and Wilson (2007), section 5: beta_1 = beta_2 = 0.5, sigma_e = 1
SIGMA = 1.0


def sw2007(n, seed):
    """x ~ U(6, 16), z ~ N(2, 2^2), delta = 0.5 + 0.5 z + e >= 1 (e normal, truncated), y = x^(3/4) / delta
    (one input, one output; delta is the Farrell output distance)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(6, 16, n)
    z = rng.normal(2, 2, n)
    mu = BETA[0] + BETA[1] * z
    delta = stats.truncnorm.rvs((1 - mu) / SIGMA, np.inf, loc=mu, scale=SIGMA, random_state=rng)
    return pd.DataFrame({"x": x, "y": x ** 0.75 / delta, "z": z}), delta


def test_truncated_regression_recovers_the_coefficients_of_true_scores():
    df, delta = sw2007(3000, 0)
    Z = np.column_stack([np.ones(len(df)), df["z"]])
    beta, sigma, _, _, converged = truncreg(delta, Z, lo=1.0)
    assert converged
    np.testing.assert_allclose(beta, BETA, atol=0.12)
    assert sigma == pytest.approx(SIGMA, abs=0.08)
    # OLS on the same truncated data is far off (the reason for the truncated model)
    ols = np.linalg.lstsq(Z, delta, rcond=None)[0]
    assert ols[1] < 0.4


@pytest.mark.parametrize("method", ["sw1", "sw2"])
def test_simar_wilson_recovers_known_coefficients(method):
    df, _ = sw2007(500, 7)
    r = ef.second_stage(df, inputs=["x"], outputs=["y"], environment=["z"], orientation="output", rts="vrs",
                        method=method, B=200, B1=30, seed=1, scale="distance")
    t = r.to_frame()
    assert list(t.index) == ["(intercept)", "z", "sigma"]
    assert list(t.columns) == ["estimate", "std_error", "z", "p_value", "lower", "upper"]
    truth = {"(intercept)": BETA[0], "z": BETA[1], "sigma": SIGMA}
    for term, value in truth.items():
        row = t.loc[term]
        assert abs(row["estimate"] - value) <= 3 * row["std_error"], (term, row.to_dict())
        assert row["lower"] <= value <= row["upper"], (term, row.to_dict())
    assert t.loc["z", "p_value"] < 1e-6 and 0.02 < t.loc["z", "std_error"] < 0.1
    # same seed, same numbers
    again = ef.second_stage(df, inputs=["x"], outputs=["y"], environment=["z"], orientation="output", rts="vrs",
                            method=method, B=200, B1=30, seed=1, scale="distance")
    pd.testing.assert_frame_equal(t, again.to_frame(), check_exact=True)
    if method == "sw2":
        assert (r.bias_corrected >= r.scores - 1e-12).all()     # phi_bc >= phi_hat
    assert "Simar-Wilson (2007) Algorithm" in r.summary()


def test_efficiency_scale_has_the_opposite_sign():
    df, _ = sw2007(300, 3)
    r = ef.second_stage(df, inputs=["x"], outputs=["y"], environment=["z"], orientation="output", method="sw1",
                        B=50, seed=2)
    assert r.scale == "efficiency"
    assert r.params["z"] < 0 and r.to_frame().loc["z", "upper"] < 0     # more z, more inefficiency
    assert ((r.scores > 0) & (r.scores <= 1 + 1e-12)).all()


@pytest.mark.parametrize("method", ["tobit", "ols"])
def test_tobit_and_ols_warn_and_are_biased(method):
    df, _ = sw2007(500, 7)
    with pytest.warns(BiasedRegressionWarning, match="biased"):
        r = ef.second_stage(df, inputs=["x"], outputs=["y"], environment=["z"], orientation="output", method=method,
                            scale="distance")
    t = r.to_frame()
    assert t.loc["z", "estimate"] < 0.35               # attenuated: the truth is 0.5
    assert t.loc["z", "std_error"] > 0 and np.isfinite(t.loc["z", "p_value"])
    assert "biased" in r.summary()


def test_tobit_matches_a_direct_likelihood_maximisation():
    df, _ = sw2007(200, 11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BiasedRegressionWarning)
        r = ef.second_stage(df, inputs=["x"], outputs=["y"], environment=["z"], orientation="output", method="tobit",
                            scale="distance")
    y = r.scores.to_numpy()
    cens = np.abs(y - 1) <= 1e-6
    Z = np.column_stack([np.ones(len(y)), df["z"]])

    def nll(p):
        mu, s = Z @ p[:2], np.exp(p[2])
        return -(stats.norm.logcdf((1 - mu[cens]) / s).sum() + stats.norm.logpdf(y[~cens], mu[~cens], s).sum())

    from scipy.optimize import minimize
    best = minimize(nll, [1.0, 0.1, 0.0], method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-11,
                                                                           "maxiter": 20000}).x
    np.testing.assert_allclose(r.params.iloc[:2], best[:2], atol=1e-4)
    assert r.params["sigma"] == pytest.approx(np.exp(best[2]), abs=1e-4)


def test_bad_options():
    df, _ = sw2007(50, 1)
    with pytest.raises(ef.SpecError, match="method"):
        ef.second_stage(df, inputs=["x"], outputs=["y"], environment=["z"], method="probit")
    with pytest.raises(ef.SpecError, match="environment"):
        ef.second_stage(df, inputs=["x"], outputs=["y"], environment=[])
    with pytest.raises(ef.DataError, match="'w'"):
        ef.second_stage(df, inputs=["x"], outputs=["y"], environment=["w"])


def test_cli_second_stage(tmp_path):
    from click.testing import CliRunner

    from cli import main

    df, _ = sw2007(200, 5)
    path = tmp_path / "d.csv"
    df.to_csv(path, index_label="dmu")
    res = CliRunner().invoke(main, ["second-stage", str(path), "--id", "dmu", "--inputs", "x", "--outputs", "y",
                                    "--environment", "z", "--method", "sw1", "--orientation", "output",
                                    "--scale", "distance", "--B", "50",
                                    "--seed", "4", "--quiet", "-o", str(tmp_path / "coef.csv")])
    assert res.exit_code == 0, res.output
    assert "Algorithm 1" in res.output and "(intercept)" in res.output
    coef = pd.read_csv(tmp_path / "coef.csv")
    assert list(coef["term"]) == ["(intercept)", "z", "sigma"]
    api = ef.second_stage(df, inputs=["x"], outputs=["y"], environment=["z"], orientation="output", scale="distance",
                          method="sw1", B=50, seed=4)
    np.testing.assert_allclose(coef["estimate"], api.params, rtol=1e-12)


# --------------------------------------------------------------------------------------------------
# Issue 12: the default method, convergence checks, names
# --------------------------------------------------------------------------------------------------

def test_default_method_is_the_double_bootstrap(tmp_path):
    import inspect

    from click.testing import CliRunner

    from cli import main

    assert inspect.signature(ef.second_stage).parameters["method"].default == "sw2"
    df, _ = sw2007(60, 2)
    r = ef.second_stage(df, inputs=["x"], outputs=["y"], environment=["z"], orientation="output", B=20, B1=10,
                        seed=3)
    assert r.method == "sw2" and r.B1 == 10 and r.bias_corrected is not None
    path = tmp_path / "d.csv"
    df.to_csv(path, index_label="dmu")
    res = CliRunner().invoke(main, ["second-stage", str(path), "--id", "dmu", "--inputs", "x", "--outputs", "y",
                                    "--environment", "z", "--orientation", "output", "--B", "20", "--B1", "10",
                                    "--seed", "3", "--quiet"])
    assert res.exit_code == 0, res.output
    assert "Algorithm 2" in res.output
    assert f"{r.params['z']:.5f}" in res.output                 # the same fit as the API's default


def _failing_every(k, first=False):
    """A wrapper of second_stage._fit whose k-th, 2k-th, ... calls (and the first, if asked) report no
    convergence (as BFGS does when it stops early), leaving the estimate itself as computed."""
    mod = importlib.import_module("efficiency.second_stage")   # (efficiency.second_stage is the function)
    original = mod._fit
    calls = [0]

    def fit(nll, start, args):
        calls[0] += 1
        x, ll, ok, res = original(nll, start, args)
        fail = (first and calls[0] == 1) or (not first and calls[0] > 1 and (calls[0] - 1) % k == 0)
        return x, ll, ok and not fail, res
    return fit, calls


def test_failed_bootstrap_refits_are_counted_and_left_out(monkeypatch):
    mod = importlib.import_module("efficiency.second_stage")   # (efficiency.second_stage is the function)

    df, _ = sw2007(300, 7)
    kw = dict(inputs=["x"], outputs=["y"], environment=["z"], orientation="output", method="sw1", B=40, seed=5,
              scale="distance")
    full = ef.second_stage(df, **kw)
    assert full.B_used == 40 and full.converged and full.replicates.shape == (40, 3)
    fit, calls = _failing_every(4)                   # refits 4, 8, ..., 40: 10 of the 40 fail
    monkeypatch.setattr(mod, "_fit", fit)
    with pytest.warns(ef.ConvergenceWarning, match=r"10 of 40 bootstrap refits .* did not converge.* other 30"):
        r = ef.second_stage(df, **kw)
    assert calls[0] == 41 and r.converged
    assert r.B_used == 30 and r.replicates.shape == (30, 3)
    kept = np.array([b for b in range(40) if (b + 1) % 4 != 0])
    np.testing.assert_array_equal(r.replicates, full.replicates[kept])    # the others, unchanged
    np.testing.assert_allclose(r.to_frame()["std_error"], full.replicates[kept].std(axis=0, ddof=1), rtol=1e-12)
    np.testing.assert_array_equal(r.params, full.params)
    assert "10 of 40 refits did not converge" in r.summary()


def test_point_estimate_that_did_not_converge_warns(monkeypatch):
    mod = importlib.import_module("efficiency.second_stage")   # (efficiency.second_stage is the function)

    df, _ = sw2007(200, 9)
    fit, _ = _failing_every(0, first=True)
    monkeypatch.setattr(mod, "_fit", fit)
    with pytest.warns(ef.ConvergenceWarning, match="optimiser of the truncated regression did not converge"):
        r = ef.second_stage(df, inputs=["x"], outputs=["y"], environment=["z"], orientation="output", method="sw1",
                            B=10, seed=1)
    assert not r.converged and "did not converge" in r.summary()


def test_truncreg_flags_a_fit_stopped_early():
    df, delta = sw2007(300, 0)
    Z = np.column_stack([np.ones(len(df)), df["z"]])
    *_, converged = truncreg(delta, Z, lo=1.0)
    assert converged
    from efficiency.second_stage import _fit, _truncreg_nll
    from scipy import optimize

    stopped = optimize.minimize(_truncreg_nll, np.zeros(3), args=(delta, Z, 1.0, np.inf), jac=True, method="BFGS",
                                options={"maxiter": 2})
    assert not stopped.success and np.max(np.abs(stopped.jac)) > 1e-3
    x, ll, ok, res = _fit(_truncreg_nll, stopped.x, (delta, Z, 1.0, np.inf))
    assert ok                                        # from there BFGS converges


def test_renamed_options_and_fields():
    df, _ = sw2007(150, 4)
    kw = dict(inputs=["x"], outputs=["y"], orientation="output", method="sw1", B=10, seed=2)
    r = ef.second_stage(df, environment=["z"], **kw)
    with pytest.warns(FutureWarning, match="use 'environment'"):
        old = ef.second_stage(df, env=["z"], **kw)
    pd.testing.assert_frame_equal(r.to_frame(), old.to_frame())
    with pytest.raises(ef.SpecError, match="not both"), pytest.warns(FutureWarning):
        ef.second_stage(df, environment=["z"], env=["z"], **kw)
    assert r.nobs == int(r.used.sum()) and r.nobs < r.n
    assert np.isfinite(r.llf)
    with pytest.warns(FutureWarning, match="use nobs"):
        assert r.n_used == r.nobs
    with pytest.warns(FutureWarning, match="use llf"):
        assert r.loglik == r.llf
    with pytest.raises(TypeError):                   # client and solver are keyword-only
        ef.second_stage(df, None, ["x"], ["y"], ["z"], "vrs", "output", "sw1", 10, 0.05, 2, None)


def test_cli_env_is_a_hidden_deprecated_alias(tmp_path):
    from click.testing import CliRunner

    from cli import main

    df, _ = sw2007(80, 6)
    path = tmp_path / "d.csv"
    df.to_csv(path, index_label="dmu")
    base = ["second-stage", str(path), "--id", "dmu", "--inputs", "x", "--outputs", "y", "--method", "sw1",
            "--orientation", "output", "--B", "10", "--seed", "1", "--quiet"]
    new = CliRunner().invoke(main, base + ["--environment", "z"])
    old = CliRunner().invoke(main, base + ["--env", "z"])
    assert new.exit_code == 0 and old.exit_code == 0, (new.output, old.output)
    assert "--env is deprecated" in old.stderr and "use --environment" in old.stderr
    assert new.stdout == old.stdout
    assert CliRunner().invoke(main, base).exit_code == 2                          # required
    assert CliRunner().invoke(main, base + ["--environment", "z", "--env", "z"]).exit_code == 2
    help_text = CliRunner().invoke(main, ["second-stage", "--help"]).output
    assert "--environment" in help_text and "--env " not in help_text and "[default: sw2]" in help_text
