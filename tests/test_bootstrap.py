"""Simar-Wilson (1998) bootstrap: reproducibility, the bandwidth rule, interval properties, coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import efficiency as ef
import importlib

bs = importlib.import_module("efficiency.bootstrap")   # the module (efficiency.bootstrap is the function)
from efficiency.errors import DataError, SpecError


def _data(n=40, seed=0):
    """One input, one output, CRS frontier y = x; true input efficiency theta = exp(-u)."""
    rng = np.random.default_rng(seed)
    y = rng.uniform(1, 10, n)
    theta = np.exp(-np.abs(rng.normal(0, 0.3, n)))
    x = y / theta
    return pd.DataFrame({"x": x, "y": y}, index=pd.Index([f"u{i}" for i in range(n)], name="unit")), theta


def test_same_seed_same_numbers_other_seed_other_numbers():
    df, _ = _data()
    a = ef.bootstrap(df, inputs=["x"], outputs=["y"], rts="vrs", B=200, seed=42)
    b = ef.bootstrap(df, inputs=["x"], outputs=["y"], rts="vrs", B=200, seed=42)
    c = ef.bootstrap(df, inputs=["x"], outputs=["y"], rts="vrs", B=200, seed=43)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame(), check_exact=True)
    assert not np.allclose(a.bias_corrected, c.bias_corrected)
    assert list(a.to_frame().columns[:5]) == ["efficiency", "bias", "bias_corrected", "lower", "upper"]
    assert a.to_frame().index.name == "unit"


def test_chunking_does_not_change_the_numbers(monkeypatch):
    df, _ = _data(30, seed=4)
    a = ef.bootstrap(df, inputs=["x"], outputs=["y"], rts="crs", orientation="output", B=90, seed=5)
    monkeypatch.setattr(bs, "CHUNK", 7)
    b = ef.bootstrap(df, inputs=["x"], outputs=["y"], rts="crs", orientation="output", B=90, seed=5)
    np.testing.assert_array_equal(a.replicates, b.replicates)
    # replication b depends only on (seed, b): the first 40 of a longer run are the same
    c = ef.bootstrap(df, inputs=["x"], outputs=["y"], rts="crs", orientation="output", B=40, seed=5)
    np.testing.assert_array_equal(a.replicates[:, :40], c.replicates)


def test_seed_is_kept_when_drawn():
    df, _ = _data(20)
    a = ef.bootstrap(df, inputs=["x"], outputs=["y"], B=20)
    b = ef.bootstrap(df, inputs=["x"], outputs=["y"], B=20, seed=a.seed)
    np.testing.assert_array_equal(a.replicates, b.replicates)


def test_bandwidth_by_hand():
    delta = np.array([1.0, 1.0, 1.1, 1.25, 1.4, 1.05, 1.6, 1.0])
    z = delta[delta > 1 + 1e-6]                             # 5 inefficient
    refl = np.concatenate([z, 2 - z])                       # 10 values, mean 1
    sd = refl.std(ddof=1)
    q1, q3 = np.quantile(refl, [0.25, 0.75])
    spread = min(sd, (q3 - q1) / 1.349)
    expected = 0.9 * spread * 10 ** -0.2 * delta.std(ddof=1) / sd * (10 / 8) ** 0.2
    assert bs.bandwidth(delta) == pytest.approx(expected, rel=1e-12)
    assert bs.bandwidth(delta) == pytest.approx(0.1150361, abs=1e-7)
    with pytest.raises(DataError, match="inefficient"):
        bs.bandwidth(np.array([1.0, 1.0, 1.3]))


def test_draws_are_reflected_above_one_and_keep_the_spread():
    rng = np.random.default_rng(0)
    delta = 1 + np.abs(rng.normal(0, 0.2, 500))
    h = bs.bandwidth(delta)
    star = np.concatenate([bs.draw_delta(delta, h, np.random.default_rng([1, b])) for b in range(40)])
    assert star.min() >= 1.0
    # the draws follow the reflected-kernel density of delta: same mean and variance, within MC error
    assert star.mean() == pytest.approx(delta.mean(), abs=0.01)
    assert star.std() == pytest.approx(delta.std(), rel=0.05)


@pytest.mark.parametrize("rts,orientation", [("vrs", "input"), ("crs", "output")])
def test_interval_contains_the_bias_corrected_score(rts, orientation):
    df, _ = _data(50, seed=2)
    r = ef.bootstrap(df, inputs=["x"], outputs=["y"], rts=rts, orientation=orientation, B=300, seed=1)
    t = r.to_frame()
    assert (t["lower"] <= t["bias_corrected"] + 1e-12).all() and (t["bias_corrected"] <= t["upper"] + 1e-12).all()
    # DEA overstates efficiency: bias >= 0, the corrected score and the interval lie below the estimate
    assert (t["bias"] > 0).all()
    assert (t["upper"] <= t["efficiency"] + 1e-9).all()
    np.testing.assert_allclose(t["bias"], t["efficiency"] - t["bias_corrected"], rtol=0, atol=1e-15)
    assert (t["efficiency"] <= 1 + 1e-9).all() and (t["lower"] > 0).all()
    # Farrell scale (Benchmarking's): output orientation reports phi = 1 / efficiency
    if orientation == "output":
        np.testing.assert_allclose(r.farrell, 1 / r.efficiency)
        np.testing.assert_allclose(r.farrell_lower, 1 / r.upper)
    assert "Simar-Wilson" in r.summary()


def test_bad_options():
    df, _ = _data(20)
    with pytest.raises(SpecError, match="rts"):
        ef.bootstrap(df, inputs=["x"], outputs=["y"], rts="nirs", B=10)
    with pytest.raises(SpecError, match="orientation"):
        ef.bootstrap(df, inputs=["x"], outputs=["y"], orientation="graph", B=10)
    with pytest.raises(SpecError, match="B"):
        ef.bootstrap(df, inputs=["x"], outputs=["y"], B=1)
    with pytest.raises(SpecError, match="seed"):
        ef.bootstrap(df, inputs=["x"], outputs=["y"], B=10, seed=-3)
    with pytest.raises(DataError, match="column 'w'"):
        ef.bootstrap(df, inputs=["w"], outputs=["y"], B=10)


@pytest.mark.slow
def test_coverage_near_nominal():
    """Known true efficiency (one input, one output, CRS frontier y = x): over 30 data sets of 100
    DMUs the 95% intervals cover the true theta in 80-99% of the cases (Simar and Wilson 2000 report
    coverage slightly below nominal for small samples). B = 500 keeps the test within the suite's
    time budget; the interval ends' Monte Carlo error at that B is well inside the band."""
    hits = []
    for rep in range(30):
        df, theta = _data(100, seed=100 + rep)
        r = ef.bootstrap(df, inputs=["x"], outputs=["y"], rts="crs", B=500, seed=rep)
        hits.append((r.lower <= theta) & (theta <= r.upper))
    coverage = float(np.mean(hits))
    assert 0.80 <= coverage <= 0.99, coverage


def test_cli_bootstrap(tmp_path):
    from click.testing import CliRunner

    from cli import main

    df, _ = _data(25, seed=9)
    path = tmp_path / "d.csv"
    df.reset_index().to_csv(path, index=False)
    args = ["bootstrap", str(path), "--id", "unit", "--inputs", "x", "--outputs", "y", "--B", "60", "--seed", "3",
            "--quiet"]
    res = CliRunner().invoke(main, args + ["-o", str(tmp_path / "out.csv")])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(tmp_path / "out.csv")
    assert list(table.columns[:6]) == ["unit", "efficiency", "bias", "bias_corrected", "lower", "upper"]
    api = ef.bootstrap(df, inputs=["x"], outputs=["y"], B=60, seed=3).to_frame()
    np.testing.assert_allclose(table["bias_corrected"], api["bias_corrected"], rtol=1e-12)
    bad = CliRunner().invoke(main, ["bootstrap", str(path), "--inputs", "nope", "--outputs", "y", "--B", "10"])
    assert bad.exit_code == 1 and "nope" in bad.output
    assert CliRunner().invoke(main, args + ["--rts", "nirs"]).exit_code == 2
