"""Hansen's (1999) fixed-effects panel threshold regression (efficiency.threshold).

* Hansen's application on the pdR ``invest`` panel (the oracle's data/pdR/invest.csv): y = invest_t,
  regressors lagged one year (q, q^2, q^3, d, q d regime-independent, cf regime-dependent, threshold
  d), 565 firms x 14 years, grid 400, trim 1%: the published thresholds 0.0157 and 0.5362.
* The SSR and F against an independent direct least-squares computation; the coefficients against
  linearmodels' PanelOLS (within="full").
* Simulations: a known threshold recovered; bootstrap p-value not small without a threshold, ~0 with
  a strong one; seeded reproducibility; in-process == Dask.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pandas as pd
import pytest

from efficiency.errors import DataError, SpecError
from efficiency.threshold import critical_value, fig_threshold, threshold

INDEP = ["q1", "q2", "q3", "d1", "qd"]


@pytest.fixture(scope="module")
def invest(oracle):
    d = pd.read_csv(oracle / "data" / "pdR" / "invest.csv").sort_values(["firm", "year"])
    g = d.groupby("firm")
    lag = pd.DataFrame({"firm": d.firm, "year": d.year, "invest": d.invest, "q1": g.q.shift(),
                        "cf1": g.cf.shift(), "d1": g.debt.shift()}).dropna().reset_index(drop=True)
    lag["q2"] = lag.q1 ** 2
    lag["q3"] = lag.q1 ** 3
    lag["qd"] = lag.q1 * lag.d1
    return lag


@pytest.fixture(scope="module")
def hansen(invest):
    return threshold(invest, id="firm", period="year", y="invest", regime_dependent=["cf1"],
                     regime_independent=INDEP, threshold="d1", n_thresholds=2, trim=0.01, grid=400, B=0)


def _direct_ssr(frame, thresholds, drop_last=True):
    """SSR of the fixed-effects regression of invest on INDEP and cf1 by regime, by plain lstsq on the
    demeaned data (the last year deleted, as Hansen): independent of the module's Frisch-Waugh path."""
    f = frame.sort_values(["firm", "year"])
    edges = [-np.inf] + sorted(thresholds) + [np.inf]
    cols = {c: f[c] for c in INDEP}
    for j, (lo, hi) in enumerate(pairwise(edges)):
        cols[f"r{j}"] = f.cf1 * ((f.d1 >= lo) & (f.d1 < hi))
    Z = pd.DataFrame(cols)
    Z["y"] = f.invest
    Z["firm"] = f.firm.to_numpy()
    W = Z.groupby("firm").transform(lambda s: s - s.mean())
    if drop_last:
        W = W[f.year.to_numpy() != f.year.max()]
    X = W.drop(columns="y").to_numpy()
    coef, *_ = np.linalg.lstsq(X, W["y"].to_numpy(), rcond=None)
    e = W["y"].to_numpy() - X @ coef
    return float(e @ e)


def test_hansen_thresholds_published(hansen):
    # Hansen (1999): gamma1 = 0.0157 (single), gamma2 = 0.5362 (double); the grid values themselves
    assert hansen.thresholds == [0.0157, 0.53616]
    assert hansen.n_units == 565 and hansen.n_periods == 14
    assert [round(f, 2) for f in hansen.F] == [32.65, 25.80]
    ci = hansen.conf_int()
    assert ci.loc["gamma1", ["lower", "upper"]].tolist() == [0.01392, 0.01806]
    assert ci.loc["gamma2", ["lower", "upper"]].tolist() == [0.53049, 0.56287]
    assert critical_value(0.05) == pytest.approx(7.352, abs=5e-4)


def test_hansen_ssr_and_F_match_direct_least_squares(invest, hansen):
    S0 = _direct_ssr(invest, [])
    S1 = _direct_ssr(invest, [0.0157])
    S2 = _direct_ssr(invest, [0.0157, 0.53616])
    assert hansen.ssr == pytest.approx([S0, S1, S2], rel=1e-11)
    ty = 565 * 13
    assert hansen.F[0] == pytest.approx(ty * (S0 - S1) / S1, rel=1e-9)
    assert hansen.F[1] == pytest.approx(ty * (S1 - S2) / S2, rel=1e-9)
    # the estimate is the minimum of S over the grid: a neighbouring grid point does worse
    lr = hansen.lr["gamma1"]
    assert lr["lr"].min() == 0.0 and lr.loc[lr["lr"].idxmin(), "gamma"] == 0.0157
    assert hansen.sigma2 == pytest.approx(S2 / ty, rel=1e-11)


def test_hansen_coefficients(invest, hansen):
    p = hansen.params
    assert list(p.index) == ["cf1:regime1", "cf1:regime2", "cf1:regime3"] + INDEP
    # the regime slopes of cash flow against a direct least-squares fit at the same thresholds
    f = invest.sort_values(["firm", "year"])
    edges = [-np.inf, 0.0157, 0.53616, np.inf]
    Z = {c: f[c] for c in INDEP}
    for j in range(3):
        Z[f"r{j}"] = f.cf1 * ((f.d1 >= edges[j]) & (f.d1 < edges[j + 1]))
    Z = pd.DataFrame(Z)
    Z["y"] = f.invest
    Z["firm"] = f.firm.to_numpy()
    W = Z.groupby("firm").transform(lambda s: s - s.mean())[f.year.to_numpy() != 1987]
    X = W[[f"r{j}" for j in range(3)] + INDEP].to_numpy()
    b, *_ = np.linalg.lstsq(X, W["y"].to_numpy(), rcond=None)
    np.testing.assert_allclose(p.to_numpy(), b, rtol=1e-9, atol=1e-13)
    e = W["y"].to_numpy() - X @ b
    XXi = np.linalg.inv(X.T @ X)
    white = np.sqrt(np.diag(XXi @ (X * e[:, None] ** 2).T @ X @ XXi))
    np.testing.assert_allclose(hansen.bse.to_numpy(), white, rtol=1e-9)
    frame = hansen.to_frame()
    assert list(frame.columns) == ["coef", "std_err", "std_err_ols", "t", "p_value", "status"]
    assert (frame["status"] == "ok").all()
    assert "0.0157" in hansen.summary() and "double" in hansen.summary()


def test_within_full_equals_panelols(invest):
    import linearmodels as lm          # test extra (pyproject): a maintained panel estimator
    h0 = threshold(invest, id="firm", period="year", y="invest", regime_dependent=["cf1"],
                   regime_independent=INDEP, threshold="d1", n_thresholds=0, B=0, within="full")
    data = invest.set_index(["firm", "year"])
    ref = lm.PanelOLS(data["invest"], data[["cf1"] + INDEP], entity_effects=True).fit()
    np.testing.assert_allclose(h0.params[["cf1"] + INDEP].to_numpy(), ref.params.to_numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(h0.bse_ols[["cf1"] + INDEP].to_numpy(), ref.std_errors.to_numpy(), rtol=1e-8)
    assert h0.thresholds == [] and h0.F == [] and h0.pvalues is None
    # with a threshold: the regime regression at the estimated threshold is PanelOLS on the interactions
    h1 = threshold(invest, id="firm", period="year", y="invest", regime_dependent=["cf1"],
                   regime_independent=INDEP, threshold="d1", n_thresholds=1, trim=0.01, B=0, within="full")
    g = h1.thresholds[0]
    data = data.assign(r1=data.cf1 * (data.d1 < g), r2=data.cf1 * (data.d1 >= g))
    ref = lm.PanelOLS(data["invest"], data[["r1", "r2"] + INDEP], entity_effects=True).fit()
    np.testing.assert_allclose(h1.params.to_numpy(), ref.params.to_numpy(), rtol=1e-10, atol=1e-14)
    assert h1.ssr[1] == pytest.approx(float(ref.resid_ss), rel=1e-10)


def _simulate(n=150, T=6, delta=0.0, seed=7, gamma=0.4):
    rng = np.random.default_rng(seed)
    mu = rng.normal(size=(n, 1))
    q = rng.uniform(size=(n, T))
    x = rng.normal(size=(n, T)) + 0.5 * mu
    z = rng.normal(size=(n, T))
    y = mu + 1.0 * x + delta * x * (q < gamma) + 0.5 * z + rng.normal(scale=0.5, size=(n, T))
    return pd.DataFrame({"unit": np.repeat(np.arange(n), T), "t": np.tile(np.arange(T), n), "y": y.ravel(),
                         "x": x.ravel(), "z": z.ravel(), "q": q.ravel()})


def _fit(frame, **kw):
    args = {"id": "unit", "period": "t", "y": "y", "regime_dependent": ["x"], "regime_independent": ["z"],
            "threshold": "q", "n_thresholds": 1, "grid": 100, "trim": 0.05}
    args.update(kw)
    return threshold(frame, **args)


def test_simulation_recovers_threshold_and_bootstrap_size_power():
    # strong threshold at 0.4 (slope 1 above, 2 below): n = 150, T = 6, seed 7, B = 49
    strong = _fit(_simulate(delta=1.0), B=49, seed=3)
    assert abs(strong.thresholds[0] - 0.4) < 0.02
    lo, hi = strong.conf_int().loc["gamma1", ["lower", "upper"]]
    assert lo <= 0.4 <= hi
    assert strong.params["x:regime1"] == pytest.approx(2.0, abs=0.1)
    assert strong.params["x:regime2"] == pytest.approx(1.0, abs=0.1)
    assert strong.pvalues == [0.0]
    # no threshold: the p-value is not small
    null = _fit(_simulate(delta=0.0), B=49, seed=3)
    assert null.pvalues[0] > 0.2
    assert list(null.critical_values.columns) == ["10%", "5%", "1%"]
    assert null.boot_F[1].shape == (49,)


def test_seeded_reproducibility_and_two_thresholds():
    frame = _simulate(delta=1.0, seed=11)
    a = _fit(frame, B=20, seed=5, n_thresholds=2)
    b = _fit(frame, B=20, seed=5, n_thresholds=2)
    c = _fit(frame, B=20, seed=6, n_thresholds=2)
    np.testing.assert_array_equal(a.boot_F[2], b.boot_F[2])
    assert a.pvalues == b.pvalues
    assert not np.array_equal(a.boot_F[2], c.boot_F[2])
    assert len(a.F) == 2 and a.thresholds == sorted(a.thresholds)
    assert list(a.conf_int().index) == ["gamma1", "gamma2"]


def test_dask_equals_in_process():
    import distributed                 # a dependency (dask[distributed])
    frame = _simulate(delta=0.5, seed=2)
    local = _fit(frame, B=12, seed=9, n_thresholds=2)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        remote = _fit(frame, B=12, seed=9, n_thresholds=2, client=client)
    for k in (1, 2):
        np.testing.assert_array_equal(local.boot_F[k], remote.boot_F[k])
    assert local.pvalues == remote.pvalues


def test_bad_input(tmp_path):
    frame = _simulate(n=30, T=4)
    with pytest.raises(DataError, match=r"unit '3' has no row for period 2"):
        _fit(frame.drop(index=14), B=0)
    bad = frame.copy()
    bad.loc[5, "z"] = np.nan
    with pytest.raises(DataError, match=r"column 'z', row 6.*missing value"):
        _fit(bad, B=0)
    with pytest.raises(DataError, match=r"'q' has 120 distinct values, too few"):
        _fit(frame, B=0, grid=400)
    for k in (4, -1, 1.5):
        with pytest.raises(SpecError, match="n_thresholds"):
            _fit(frame, B=0, n_thresholds=k)
    with pytest.raises(SpecError, match="trim"):
        _fit(frame, B=0, trim=0.5)
    with pytest.raises(DataError, match="unknown regime-dependent column 'w'"):
        _fit(frame, B=0, regime_dependent=["w"])
    with pytest.raises(SpecError, match="given twice"):
        _fit(frame, B=0, regime_independent=["x"])
    path = tmp_path / "p.csv"
    frame.drop(index=14).to_csv(path, index=False)
    with pytest.raises(DataError, match=str(path)):
        _fit(str(path), B=0)
    const = frame.assign(c=np.repeat(np.arange(30.0), 4))
    with pytest.raises(DataError, match="'c' does not vary over time"):
        _fit(const, B=0, regime_independent=["z", "c"])


def test_figure(hansen):
    fig = fig_threshold(hansen)
    assert len(fig.axes) == 2
    line = fig.axes[0].lines[1]
    assert line.get_ydata()[0] == pytest.approx(critical_value(0.05))
    from efficiency.plotting import pyplot

    pyplot().close(fig)


def test_hansen_triple_and_refinement(invest, hansen):
    h3 = threshold(invest, id="firm", period="year", y="invest", regime_dependent=["cf1"],
                   regime_independent=INDEP, threshold="d1", n_thresholds=3, trim=0.01, grid=400, B=0)
    # the first two tests are those of the double-threshold fit; the third searches given (0.0157, 0.53616)
    assert h3.F[:2] == pytest.approx(hansen.F, rel=1e-12)
    assert round(h3.F[2], 2) == 12.20
    assert h3.thresholds == [0.0157, 0.50604, 0.53616]
    assert h3.ssr[3] == pytest.approx(_direct_ssr(invest, h3.thresholds), rel=1e-11)
    # the refined first threshold (given gamma2) is Hansen's 0.0157 again
    assert hansen.lr["gamma1"]["gamma"].size < 393
