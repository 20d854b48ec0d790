"""CLI of the regional study (issue 18): disparity, convergence, moran, markov and threshold write the
tables of the API, and bad input exits with code 1 and a message naming the file, column and row."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
from click.testing import CliRunner

import cli
import efficiency as ef
from efficiency.threshold import threshold as threshold_fit

INVEST = os.path.join(os.environ.get("EFFICIENCY_ORACLE", "../shared/oracle"), "data", "pdR", "invest.csv")


def run(*args):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


def test_cli_disparity_and_convergence(tmp_path):
    rng = np.random.default_rng(0)
    df = pd.DataFrame([{"region": f"r{u}", "year": 2015 + t, "area": "ab"[u % 2],
                        "eff": float(rng.uniform(0.3, 1)), "rd": float(rng.normal())}
                       for u in range(8) for t in range(4)])
    p = tmp_path / "s.csv"
    df.to_csv(p, index=False)
    out = tmp_path / "d.csv"
    r = run("disparity", p, "--value", "eff", "--group", "area", "--period", "year", "-o", out)
    assert r.exit_code == 0, r.output
    api = ef.dagum_gini(str(p), value="eff", group="area", period="year").to_frame()
    pd.testing.assert_frame_equal(pd.read_csv(out), api, check_dtype=False)
    out = tmp_path / "t.csv"
    r = run("disparity", p, "--value", "eff", "--group", "area", "--period", "year", "--measure", "theil", "-o", out)
    assert r.exit_code == 0, r.output
    api = ef.theil(str(p), value="eff", group="area", period="year").to_frame()
    np.testing.assert_allclose(pd.read_csv(out)["theil_t"], api["theil_t"], rtol=1e-14)
    out = tmp_path / "c.csv"
    r = run("convergence", p, "--value", "eff", "--id", "region", "--period", "year", "--controls", "rd", "-o", out)
    assert r.exit_code == 0, r.output
    api = ef.convergence(str(p), value="eff", id="region", period="year", controls=["rd"]).to_frame()
    np.testing.assert_allclose(pd.read_csv(out)["coef"], api["coef"], rtol=1e-14)
    r = run("disparity", p, "--value", "eff", "--group", "nope")
    assert r.exit_code == 1 and "unknown group column 'nope'" in r.output


def test_cli_moran_and_markov(tmp_path):
    rng = np.random.default_rng(0)
    ids = [f"p{i}" for i in range(10)]
    pd.DataFrame({"prov": np.repeat(ids, 3), "year": np.tile([2019, 2020, 2021], 10),
                  "eff": rng.random(30)}).to_csv(tmp_path / "s.csv", index=False)
    pd.DataFrame([(ids[i], ids[(i + 1) % 10]) for i in range(10)]).to_csv(tmp_path / "nb.csv", index=False)
    r = run("moran", tmp_path / "s.csv", "--value", "eff", "--id", "prov", "--period", "year",
            "--neighbours", tmp_path / "nb.csv", "--seed", "1")
    assert r.exit_code == 0 and r.output.splitlines()[0].startswith("year,n,I,EI,")
    api = ef.moran(str(tmp_path / "s.csv"), value="eff", id="prov", period="year",
                   neighbours=str(tmp_path / "nb.csv"), seed=1).to_frame()
    np.testing.assert_allclose(pd.read_csv(__import__("io").StringIO(r.output))["I"], api["I"], rtol=1e-12)
    r = run("markov", tmp_path / "s.csv", "--value", "eff", "--id", "prov", "--period", "year", "--classes", "3")
    assert r.exit_code == 0 and r.output.splitlines()[0] == "lag_class,from_class,to_class,count,probability,status"
    (tmp_path / "bad.csv").write_text("a,b\np0,Atlantis\n")
    r = run("moran", tmp_path / "s.csv", "--value", "eff", "--id", "prov", "--period", "year",
            "--neighbours", tmp_path / "bad.csv")
    assert r.exit_code == 1 and "row 1 (line 2): unknown unit 'Atlantis'" in r.output


def test_cli_threshold(tmp_path):
    """Hansen's investment panel, the paper's regressors lagged one year (as tests/test_threshold.py)."""
    df = pd.read_csv(INVEST).sort_values(["firm", "year"])
    lag = df.groupby("firm")[["q", "cf", "debt"]].shift(1)
    df = df.assign(q1=lag["q"], q2=lag["q"] ** 2, q3=lag["q"] ** 3, d1=lag["debt"], qd=lag["q"] * lag["debt"],
                   cf1=lag["cf"]).dropna()
    p = tmp_path / "invest.csv"
    df.to_csv(p, index=False)
    out = tmp_path / "h.csv"
    r = run("threshold", p, "--id", "firm", "--period", "year", "--y", "invest", "--regime-dependent", "cf1",
            "--regime-independent", "q1,q2,q3,d1,qd", "--threshold", "d1", "--B", "0", "--trim", "0.01", "-o", out)
    assert r.exit_code == 0, r.output
    api = threshold_fit(df, id="firm", period="year", y="invest", regime_dependent=["cf1"],
                        regime_independent=["q1", "q2", "q3", "d1", "qd"], threshold="d1", B=0, trim=0.01)
    assert api.thresholds[0] == 0.0157                      # Hansen (1999): gamma_1 = 0.0157
    got = pd.read_csv(out).set_index("parameter")
    np.testing.assert_allclose(got["coef"], api.params.to_numpy(), rtol=1e-12)
    r = run("threshold", p, "--id", "firm", "--period", "year", "--y", "invest", "--regime-dependent", "nope",
            "--threshold", "d1", "--B", "0")
    assert r.exit_code == 1 and "nope" in r.output
