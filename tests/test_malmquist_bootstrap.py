"""Simar-Wilson (1999) bootstrap of the Malmquist index (efficiency.malmquist_bootstrap): estimates equal
ef.malmquist, one replication recomputed by hand, the joint (bivariate) resampling, seeds, Dask,
coverage on a data-generating process without productivity change, unbalanced panels, errors."""

from __future__ import annotations

import sys
import warnings

import distributed
import numpy as np
import pandas as pd
import pytest

import efficiency as ef
from efficiency.errors import DataError, EfficiencyWarning, SpecError
from efficiency.malmquist_bootstrap import bandwidth_pairs, draw_pairs, kernel_factors, malmquist_bootstrap

mb = sys.modules["efficiency.malmquist_bootstrap"]     # ef.malmquist_bootstrap is the function

KW = dict(id="unit", period="year", inputs=["x1", "x2"], outputs=["y1"])


def _panel(units: int, periods: int, seed: int, change: float = 1.0) -> pd.DataFrame:
    """Cobb-Douglas CRS frontier y = sqrt(x1 x2), each unit with the same half-normal inefficiency in
    every period (inputs drawn anew each period); outputs times ``change`` per period. With change = 1
    neither the frontier nor any unit's efficiency changes: the true Malmquist index, effch and techch
    are 1 for every unit."""
    rng = np.random.default_rng(seed)
    u = np.abs(rng.normal(0.0, 0.3, units))
    parts = []
    for t in range(periods):
        x = rng.uniform(1.0, 10.0, (units, 2))
        y = np.sqrt(x[:, 0] * x[:, 1]) * np.exp(-u) * change ** t
        parts.append(pd.DataFrame({"unit": [f"u{i}" for i in range(units)], "year": 2001 + t, "x1": x[:, 0],
                                   "x2": x[:, 1], "y1": y}))
    return pd.concat(parts, ignore_index=True)


def _covers(t: pd.DataFrame, c: str) -> pd.Series:
    return (t[f"{c}_lower"] <= 1.0) & (t[f"{c}_upper"] >= 1.0)


# ------------------------------------------------------------------------------------------------
# Estimates and one replication by hand
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("rts,orientation", [("crs", "input"), ("vrs", "output")])
def test_estimates_equal_malmquist_and_table(rts, orientation):
    df = _panel(15, 3, 1)
    r = malmquist_bootstrap(df, rts=rts, orientation=orientation, B=20, seed=3, **KW)
    t = r.to_frame()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ef.SolveWarning)          # VRS cross-period LPs it does not use
        m = ef.malmquist(df, rts=rts, orientation=orientation, **KW).to_frame()
    comps = ["malmquist", "effch", "techch"] + (["pech", "sech"] if rts == "vrs" else [])
    assert r.components == tuple(comps)
    np.testing.assert_allclose(t[comps].to_numpy(), m[comps].to_numpy(), rtol=1e-9)
    assert (t[["unit", "period_from", "period_to"]].to_numpy() == m[["unit", "period_from", "period_to"]].to_numpy()).all()
    cols = ["unit", "period_from", "period_to"]
    for c in comps:
        cols += [c, f"{c}_bias_corrected", f"{c}_lower", f"{c}_upper", f"{c}_significant"]
    assert list(t.columns) == cols + ["status"]
    assert (t["status"] == "optimal").all() and r.solver == "numba"
    np.testing.assert_allclose(r.bandwidth, (4 / (5 * 15)) ** (1 / 6), rtol=1e-15)
    for c in comps:
        D = r.replicates[c]
        assert D.shape == (30, 20) and np.isfinite(D).all()
        np.testing.assert_allclose(t[f"{c}_bias_corrected"], 2 * t[c] - D.mean(axis=1), rtol=1e-12)
        q = np.quantile(t[c].to_numpy()[:, None] - D, [0.025, 0.975], axis=1, method="normal_unbiased")
        np.testing.assert_allclose(t[f"{c}_lower"], t[c] + q[0], rtol=1e-12)
        np.testing.assert_allclose(t[f"{c}_upper"], t[c] + q[1], rtol=1e-12)
        assert (t[f"{c}_significant"] == ((t[f"{c}_lower"] > 1) | (t[f"{c}_upper"] < 1))).all()
    np.testing.assert_allclose(r.replicates["malmquist"], r.replicates["effch"] * r.replicates["techch"], rtol=1e-12)
    if rts == "vrs":
        np.testing.assert_allclose(r.replicates["pech"] * r.replicates["sech"], r.replicates["effch"], rtol=1e-12)
    text = r.summary()
    assert "Simar-Wilson (1999)" in text and "B = 20; seed 3" in text and f"{r.bandwidth[0]:.4f}" in text


@pytest.mark.parametrize("rts,orientation", [("crs", "input"), ("vrs", "output")])
def test_one_replication_by_hand(rts, orientation):
    """Replication b of pair 0: draw the pairs with the documented stream, build the pseudo-samples,
    score the data with ef.dea against them, apply the Malmquist formulas."""
    df = _panel(12, 2, 2)
    seed, b = 7, 3
    r = malmquist_bootstrap(df, B=5, seed=seed, rts=rts, orientation=orientation, **KW)
    p1, p2 = df[df.year == 2001].reset_index(drop=True), df[df.year == 2002].reset_index(drop=True)
    dea = dict(id="unit", inputs=["x1", "x2"], outputs=["y1"], orientation=orientation, slacks=False)
    d = [1.0 / ef.dea(p, rts=rts, **dea).scores.to_numpy() for p in (p1, p2)]     # 1/theta, or phi
    assert r.bandwidth[0] == bandwidth_pairs(12)
    L1, L2 = kernel_factors(*d)
    gs, gt = draw_pairs(d[0], d[1], bandwidth_pairs(12), L1, L2, np.random.default_rng([seed, 0, b]))
    assert (gs >= 1).all() and (gt >= 1).all()
    if orientation == "input":
        pseudo = [p.assign(x1=p.x1 * g / dd, x2=p.x2 * g / dd) for p, g, dd in ((p1, gs, d[0]), (p2, gt, d[1]))]
    else:
        pseudo = [p.assign(y1=p.y1 * dd / g) for p, g, dd in ((p1, gs, d[0]), (p2, gt, d[1]))]

    def e(data, tech, tech_rts="crs"):
        return ef.dea(data, rts=tech_rts, reference=pseudo[tech], **dea).scores.to_numpy()

    ss, st, tt, ts = e(p1, 0), e(p2, 0), e(p2, 1), e(p1, 1)
    np.testing.assert_allclose(r.replicates["malmquist"][:, b], np.sqrt(st / ss * tt / ts), rtol=1e-9)
    np.testing.assert_allclose(r.replicates["effch"][:, b], tt / ss, rtol=1e-9)
    np.testing.assert_allclose(r.replicates["techch"][:, b], np.sqrt(st / tt * ss / ts), rtol=1e-9)
    if rts == "vrs":
        pech = e(p2, 1, "vrs") / e(p1, 0, "vrs")
        np.testing.assert_allclose(r.replicates["pech"][:, b], pech, rtol=1e-9)
        np.testing.assert_allclose(r.replicates["sech"][:, b], tt / ss / pech, rtol=1e-9)
    assert not np.allclose(r.replicates["malmquist"][:, b], r.estimate["malmquist"])


def test_pairs_are_drawn_jointly():
    """A unit's two distances are drawn together and smoothed with the kernel of their correlation: the
    draws keep a perfect or a perfectly negative correlation between the periods (drawing each period
    on its own would give none); the kernels are the covariance of the pairs and of the reflected pairs."""
    rng = np.random.default_rng(0)
    d = 1.0 + rng.exponential(0.3, 400)
    h = bandwidth_pairs(400)
    for dt, sign in ((d, 1.0), (1.0 + d.max() - d, -1.0), (1.0 + rng.exponential(0.3, 400), 0.0)):
        L1, L2 = kernel_factors(d, dt)
        np.testing.assert_allclose(L1 @ L1.T, np.cov(d, dt), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(L2 @ L2.T, np.cov(d, 2.0 - dt), rtol=1e-12, atol=1e-15)
        gs, gt = draw_pairs(d, dt, h, L1, L2, np.random.default_rng(1))
        assert (gs >= 1).all() and (gt >= 1).all()
        corr = np.corrcoef(gs, gt)[0, 1]
        if sign:
            assert sign * corr > 0.95, corr
        else:
            assert abs(corr) < 0.15, corr
        # smoothed, not resampled: the draws are new values, spread like the estimates
        assert not np.isin(gs, d).any()
        assert 0.6 < gs.std() / d.std() < 1.1


# ------------------------------------------------------------------------------------------------
# Seeds and Dask
# ------------------------------------------------------------------------------------------------

def test_seed_reproducible_and_independent_of_chunking(monkeypatch):
    df = _panel(10, 3, 4)
    a = malmquist_bootstrap(df, B=30, seed=5, rts="vrs", **KW)
    monkeypatch.setattr(mb, "CHUNK", 7)                             # 5 chunks instead of 1
    c = malmquist_bootstrap(df, B=30, seed=5, rts="vrs", **KW)
    pd.testing.assert_frame_equal(a.to_frame(), c.to_frame(), check_exact=True)
    for name in a.components:
        np.testing.assert_array_equal(a.replicates[name], c.replicates[name])
    d = malmquist_bootstrap(df, B=30, seed=6, rts="vrs", **KW)
    assert not np.allclose(a.replicates["malmquist"], d.replicates["malmquist"])
    np.testing.assert_array_equal(a.estimate, d.estimate)           # the estimates do not depend on it
    e = malmquist_bootstrap(df, B=8, rts="vrs", **KW)               # a seed is drawn and kept
    f = malmquist_bootstrap(df, B=8, seed=e.seed, rts="vrs", **KW)
    np.testing.assert_array_equal(e.replicates["techch"], f.replicates["techch"])


def test_dask_equals_in_process():
    df = _panel(12, 2, 5)
    kw = dict(B=60, seed=9, rts="vrs", orientation="output", **KW)
    local = malmquist_bootstrap(df, **kw)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        with distributed.get_task_stream(client) as tasks:
            remote = malmquist_bootstrap(df, client=client, **kw)
        assert len(tasks.data) >= 2                       # two chunks of replications ran on the cluster
        lr = ef.luenberger(df, id="unit", period="year", inputs=["x1", "x2"], outputs=["y1"], rts="vrs",
                           client=client)
    pd.testing.assert_frame_equal(local.to_frame(), remote.to_frame(), check_exact=True)
    for name in local.components:
        np.testing.assert_array_equal(local.replicates[name], remote.replicates[name])
    pd.testing.assert_frame_equal(lr.to_frame(), ef.luenberger(df, id="unit", period="year", inputs=["x1", "x2"],
                                                               outputs=["y1"], rts="vrs").to_frame(),
                                  check_exact=True)


# ------------------------------------------------------------------------------------------------
# Coverage
# ------------------------------------------------------------------------------------------------

def test_coverage_without_and_with_productivity_change():
    flat = malmquist_bootstrap(_panel(40, 2, 0), B=300, seed=1, **KW).to_frame()
    # no change: the 95% intervals cover 1 for most units (every true value is 1)
    assert _covers(flat, "malmquist").mean() >= 0.75
    assert _covers(flat, "effch").mean() >= 0.8 and _covers(flat, "techch").mean() >= 0.8
    # the interval holds the estimate in the typical case
    inside = (flat["malmquist_lower"] <= flat["malmquist"]) & (flat["malmquist"] <= flat["malmquist_upper"])
    assert inside.mean() >= 0.9
    assert (flat["malmquist_upper"] > flat["malmquist_lower"]).all()
    # 30% more output from the same inputs: technical progress, significant for nearly everyone
    grow = malmquist_bootstrap(_panel(40, 2, 0, change=1.3), B=300, seed=1, **KW).to_frame()
    assert (grow["malmquist_significant"] & (grow["malmquist_lower"] > 1)).mean() >= 0.9
    assert (grow["techch_significant"] & (grow["techch_lower"] > 1)).mean() >= 0.9
    assert _covers(grow, "effch").mean() >= 0.8                   # efficiency did not change


# ------------------------------------------------------------------------------------------------
# Panels and errors
# ------------------------------------------------------------------------------------------------

def test_unbalanced_panel_rows_are_missing_with_a_warning():
    df = _panel(10, 3, 6)
    df = df[~((df.unit == "u3") & (df.year == 2002))]
    with pytest.warns(EfficiencyWarning, match=r"unbalanced: in 2 rows \(unit, pair of periods\) the unit is present in only one .*units present in both"):
        r = malmquist_bootstrap(df, B=10, seed=1, **KW)
    t = r.to_frame()
    assert len(t) == 20
    miss = t["unit"] == "u3"
    assert (t.loc[miss, "status"] == "missing").all() and (t.loc[~miss, "status"] == "optimal").all()
    assert t.loc[miss, ["malmquist", "malmquist_lower", "effch_upper"]].isna().all().all()
    assert t.loc[miss, "malmquist_significant"].isna().all()
    assert list(r.n_units) == [9, 9]
    # the estimates are those of the balanced panel of the units present in both periods
    sub = df[df.unit != "u3"]
    m = ef.malmquist(sub[sub.year <= 2002], **KW).to_frame()
    np.testing.assert_allclose(t.loc[~miss & (t.period_from == 2001), "malmquist"], m["malmquist"], rtol=1e-9)


def test_errors(tmp_path):
    df = _panel(6, 2, 7)
    with pytest.raises(SpecError, match=r"B: the number of replications must be an integer >= 2, got 1"):
        malmquist_bootstrap(df, B=1, **KW)
    with pytest.raises(SpecError, match=r"B: .* got 2.5"):
        malmquist_bootstrap(df, B=2.5, **KW)
    with pytest.raises(SpecError, match=r"alpha: must lie in \(0, 1\), got 1.5"):
        malmquist_bootstrap(df, alpha=1.5, **KW)
    with pytest.raises(SpecError, match=r"seed: expected a non-negative integer, got -1"):
        malmquist_bootstrap(df, seed=-1, **KW)
    with pytest.raises(SpecError, match=r"rts: the Simar-Wilson bootstrap takes 'crs' or 'vrs'"):
        malmquist_bootstrap(df, rts="nirs", **KW)
    with pytest.raises(SpecError, match=r"orientation: the Simar-Wilson bootstrap takes 'input' or 'output'"):
        malmquist_bootstrap(df, orientation="graph", **KW)
    with pytest.raises(SpecError, match=r"client: expected a dask.distributed.Client"):
        malmquist_bootstrap(df, client="tcp://x", **KW)
    path = tmp_path / "dup.csv"
    pd.concat([df, df.iloc[[0]]], ignore_index=True).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"dup\.csv: columns 'unit', 'year': duplicate id 'u0/2001' in row 1 \(line 2\) and row 13"):
        malmquist_bootstrap(path, **KW)
    bad = df.astype({"year": object})
    bad.loc[4, "year"] = "y2"
    with pytest.raises(DataError, match=r"column 'year', row 5 .*'y2' is not a number"):
        malmquist_bootstrap(bad, **KW)
    with pytest.raises(DataError, match=r"one period .*a Malmquist index needs at least two"):
        malmquist_bootstrap(df[df.year == 2001], **KW)
    zero = df.copy()
    zero.loc[3, "x2"] = 0.0
    with pytest.raises(DataError, match=r"column 'x2', row 4 .*a zero in inputs; the bootstrap of the "
                                        r"input-oriented Malmquist index cannot evaluate it"):
        malmquist_bootstrap(zero, **KW)
    few = df[df.unit.isin(["u0", "u1"]) | (df.year == 2001)]
    with pytest.raises(DataError, match=r"periods 2001 and 2002 have 2 unit\(s\) present in both; .*at least 3"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EfficiencyWarning)
            malmquist_bootstrap(few, **KW)
    with pytest.raises(TypeError):
        malmquist_bootstrap(df, "unit", "year", ["x1", "x2"], ["y1"], "crs", "input", 10, 0.05, 1, "highs")
