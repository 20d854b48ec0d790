"""Second stage (Simar and Wilson 2007): recovery of known coefficients on their simulation design."""

from __future__ import annotations

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
    beta, sigma, _, _ = truncreg(delta, Z, lo=1.0)
    np.testing.assert_allclose(beta, BETA, atol=0.12)
    assert sigma == pytest.approx(SIGMA, abs=0.08)
    # OLS on the same truncated data is far off (the reason for the truncated model)
    ols = np.linalg.lstsq(Z, delta, rcond=None)[0]
    assert ols[1] < 0.4


@pytest.mark.parametrize("method", ["sw1", "sw2"])
def test_simar_wilson_recovers_known_coefficients(method):
    df, _ = sw2007(500, 7)
    r = ef.second_stage(df, inputs=["x"], outputs=["y"], env=["z"], orientation="output", rts="vrs",
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
    again = ef.second_stage(df, inputs=["x"], outputs=["y"], env=["z"], orientation="output", rts="vrs",
                            method=method, B=200, B1=30, seed=1, scale="distance")
    pd.testing.assert_frame_equal(t, again.to_frame(), check_exact=True)
    if method == "sw2":
        assert (r.bias_corrected >= r.scores - 1e-12).all()     # phi_bc >= phi_hat
    assert "Simar-Wilson (2007) Algorithm" in r.summary()


def test_efficiency_scale_has_the_opposite_sign():
    df, _ = sw2007(300, 3)
    r = ef.second_stage(df, inputs=["x"], outputs=["y"], env=["z"], orientation="output", B=50, seed=2)
    assert r.scale == "efficiency"
    assert r.params["z"] < 0 and r.to_frame().loc["z", "upper"] < 0     # more z, more inefficiency
    assert ((r.scores > 0) & (r.scores <= 1 + 1e-12)).all()


@pytest.mark.parametrize("method", ["tobit", "ols"])
def test_tobit_and_ols_warn_and_are_biased(method):
    df, _ = sw2007(500, 7)
    with pytest.warns(BiasedRegressionWarning, match="biased"):
        r = ef.second_stage(df, inputs=["x"], outputs=["y"], env=["z"], orientation="output", method=method,
                            scale="distance")
    t = r.to_frame()
    assert t.loc["z", "estimate"] < 0.35               # attenuated: the truth is 0.5
    assert t.loc["z", "std_error"] > 0 and np.isfinite(t.loc["z", "p_value"])
    assert "biased" in r.summary()


def test_tobit_matches_a_direct_likelihood_maximisation():
    df, _ = sw2007(200, 11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BiasedRegressionWarning)
        r = ef.second_stage(df, inputs=["x"], outputs=["y"], env=["z"], orientation="output", method="tobit",
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
        ef.second_stage(df, inputs=["x"], outputs=["y"], env=["z"], method="probit")
    with pytest.raises(ef.SpecError, match="env"):
        ef.second_stage(df, inputs=["x"], outputs=["y"], env=[])
    with pytest.raises(ef.DataError, match="'w'"):
        ef.second_stage(df, inputs=["x"], outputs=["y"], env=["w"])


def test_cli_second_stage(tmp_path):
    from click.testing import CliRunner

    from cli import main

    df, _ = sw2007(200, 5)
    path = tmp_path / "d.csv"
    df.to_csv(path, index_label="dmu")
    res = CliRunner().invoke(main, ["second-stage", str(path), "--id", "dmu", "--inputs", "x", "--outputs", "y",
                                    "--env", "z", "--orientation", "output", "--scale", "distance", "--B", "50",
                                    "--seed", "4", "--quiet", "-o", str(tmp_path / "coef.csv")])
    assert res.exit_code == 0, res.output
    assert "Algorithm 1" in res.output and "(intercept)" in res.output
    coef = pd.read_csv(tmp_path / "coef.csv")
    assert list(coef["term"]) == ["(intercept)", "z", "sigma"]
    api = ef.second_stage(df, inputs=["x"], outputs=["y"], env=["z"], orientation="output", scale="distance",
                          B=50, seed=4)
    np.testing.assert_allclose(coef["estimate"], api.params, rtol=1e-12)
