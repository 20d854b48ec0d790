"""Three-stage DEA (Fried, Lovell, Schmidt and Yaisawarng 2002)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import efficiency as ef
from cli import main


def _data(n=120, seed=5):
    """Inputs inflated by a bad environment z (and noise): stage 1 blames managers for it."""
    rng = np.random.default_rng(seed)
    z = rng.uniform(0, 1, n)
    x1, x2 = rng.uniform(5, 10, n), rng.uniform(5, 10, n)
    waste = np.abs(rng.normal(0, 0.15, n))
    y = (x1 ** 0.5 * x2 ** 0.5) * np.exp(-waste)
    x1 = x1 * (1 + 0.8 * z)                  # the environment raises input use
    return pd.DataFrame({"dmu": [f"d{i}" for i in range(n)], "x1": x1, "x2": x2, "y": y, "z": z})


def test_three_stage_adjusts_for_environment():
    df = _data()
    r = ef.three_stage(df, id="dmu", inputs=["x1", "x2"], outputs=["y"], environment=["z"], rts="vrs")
    # stage 1 is plain DEA
    d1 = ef.dea(df, id="dmu", inputs=["x1", "x2"], outputs=["y"], rts="vrs")
    np.testing.assert_allclose(r.stage1.scores.to_numpy(), d1.scores.to_numpy(), atol=1e-9)
    # total slacks: x - target >= 0, and the x1 slack grows with z (stage-2 coefficient > 0)
    assert (r.slacks.to_numpy() >= 0).all()
    fit = r.stage2["x1"]
    assert fit.cost and fit.form == "linear"
    assert fit.params["z"] > 0 and abs(fit.params["z"]) > 2 * fit.std_errors["z"]
    # adjustment formula: x + (max f - f) + (max v - v)
    f = r.environment_effect["x1"].to_numpy()
    v = r.noise["x1"].to_numpy()
    np.testing.assert_allclose(r.adjusted["x1"].to_numpy(), df["x1"].to_numpy() + (f.max() - f) + (v.max() - v))
    assert (r.adjusted.to_numpy() >= df[["x1", "x2"]].to_numpy() - 1e-12).all()
    # DMUs in a bad environment (high z) gain the most from the adjustment
    gain = (r.scores - r.scores_stage1).to_numpy()
    assert np.corrcoef(gain, df["z"])[0, 1] > 0.3
    # stage 3 is DEA on the adjusted inputs
    adj = df.copy()
    adj[["x1", "x2"]] = r.adjusted.to_numpy()
    d3 = ef.dea(adj, id="dmu", inputs=["x1", "x2"], outputs=["y"], rts="vrs")
    np.testing.assert_allclose(r.scores.to_numpy(), d3.scores.to_numpy(), atol=1e-9)
    frame = r.to_frame()
    assert list(frame.index) == list(df["dmu"])
    assert {"efficiency", "efficiency_stage1", "slack_x1", "adjusted_x2"} <= set(frame.columns)
    assert "Stage 2 x1" in r.summary()
    st2 = r.stage2_frame()
    assert set(st2["variable"]) <= {"x1", "x2"}


def test_three_stage_errors():
    df = _data(30)
    with pytest.raises(ef.DataError, match="unknown environment column 'w'"):
        ef.three_stage(df, id="dmu", inputs=["x1", "x2"], outputs=["y"], environment=["w"])
    with pytest.raises(ef.SpecError, match="orientation"):
        ef.three_stage(df, id="dmu", inputs=["x1", "x2"], outputs=["y"], environment=["z"], orientation="none")


def test_cli_three_stage(tmp_path):
    df = _data(60)
    path = tmp_path / "d.csv"
    df.to_csv(path, index=False)
    out, st2 = tmp_path / "o.csv", tmp_path / "s2.csv"
    res = CliRunner().invoke(main, ["three-stage", str(path), "--id", "dmu", "--inputs", "x1,x2", "--outputs", "y",
                                    "--environment", "z", "-o", str(out), "--stage2", str(st2), "--quiet"])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    r = ef.three_stage(df, id="dmu", inputs=["x1", "x2"], outputs=["y"], environment=["z"])
    assert list(table.columns[:3]) == ["dmu", "efficiency", "status"]
    np.testing.assert_allclose(table["efficiency"], r.scores.to_numpy(), rtol=1e-9)
    assert "z" in set(pd.read_csv(st2)["param"])


def _wasteful(n=60, seed=1):
    """x2 wasted by most DMUs by a similar factor (its slack: large for most, 0 for a few): stage-2
    fits that end at a bound of gamma."""
    rng = np.random.default_rng(seed)
    z = rng.uniform(0, 1, n)
    x1, x2 = rng.uniform(5, 10, n), rng.uniform(5, 10, n)
    y = x1 ** 0.5 * x2 ** 0.5
    x2 = x2 * np.where(rng.random(n) < 0.1, 1.0, 1.8 + 0.05 * rng.normal(size=n))
    return pd.DataFrame({"dmu": [f"d{i}" for i in range(n)], "x1": x1, "x2": x2, "y": y, "z": z})


def test_stage2_convergence_problems_are_warned_with_the_slack_variable():
    import warnings

    df = _wasteful()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = ef.three_stage(df, id="dmu", inputs=["x1", "x2"], outputs=["y"], environment=["z"])
    conv = [str(w.message) for w in caught if issubclass(w.category, ef.ConvergenceWarning)]
    skew = [str(w.message) for w in caught if issubclass(w.category, ef.SkewnessWarning)]
    for var, fit in r.stage2.items():
        troubled = (not fit.converged) or fit.fallback or bool(fit.at_bound)
        named = [m for m in conv if f"stage 2, the SFA of the slack of {var!r}" in m]
        assert len(named) == int(troubled), (var, conv)
    # x1's slack is 0 for the efficient DMUs and noiseless otherwise: gamma -> 1; x2's is skewed the wrong
    # way: gamma -> 0 (the OLS line)
    assert r.stage2["x1"].at_bound == ("gamma",) and r.stage2["x1"].gamma > 1.0 - 1e-5
    assert any("slack of 'x1'" in m and "upper bound 1" in m for m in conv)
    assert r.stage2["x2"].at_bound == ("gamma",) and r.stage2["x2"].gamma < 1e-5
    assert any("slack of 'x2'" in m and "lower bound 0" in m for m in conv)
    assert any("slack of 'x2'" in m and "skewed the wrong way" in m for m in skew)
    assert r.stage2["x2"].llf == pytest.approx(r.stage2["x2"].llf_ols, abs=1e-9)
    assert "Stage 2 x1:" in r.summary() and "gamma at a bound" in r.summary()


@pytest.mark.filterwarnings("ignore::efficiency.errors.ConvergenceWarning")
def test_three_stage_orientation_aliases_and_keyword_only_solver():
    df = _data(40)
    kw = dict(id="dmu", inputs=["x1", "x2"], outputs=["y"], environment=["z"])
    a = ef.three_stage(df, orientation="in", **kw)
    b = ef.three_stage(df, orientation="input", **kw)
    assert a.orientation == "input"
    np.testing.assert_array_equal(a.scores.to_numpy(), b.scores.to_numpy())
    assert ef.three_stage(df, orientation="out", **kw).orientation == "output"
    with pytest.raises(ef.SpecError, match="orientation"):
        ef.three_stage(df, orientation="graph", **kw)
    with pytest.raises(TypeError):
        ef.three_stage(df, "dmu", ["x1", "x2"], ["y"], ["z"], "vrs", "input", "half-normal", None)
