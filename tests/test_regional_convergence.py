"""Sigma and beta convergence (efficiency.regional.convergence).

Checked: exact recovery of beta, lambda and the half-life from noise-free data; the fixed-effects
estimates against the least-squares dummy-variable regression (numpy, written here); the fixed-effects
and pooled estimates, clustered and conventional standard errors against linearmodels (PanelOLS with
entity effects, PooledOLS; test-only dependency) on balanced and unbalanced panels; the sigma table
against numpy and the cv trend against numpy.polyfit; bad input (file, column, row)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from efficiency.errors import DataError, SpecError
from efficiency.regional.convergence import convergence


def _panel(U=14, T=7, seed=1, drop=()):
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(U):
        y = rng.uniform(0.3, 1.0)
        for t in range(T):
            rows.append({"region": f"r{u:02d}", "year": 2010 + t, "eff": y, "area": "east" if u % 3 else "west",
                         "rd": float(rng.normal()), "open": float(rng.uniform())})
            y = float(np.clip(y * np.exp(0.15 * (0.7 - y) + rng.normal(0, 0.05)), 0.05, 1.5))
    df = pd.DataFrame(rows)
    return df.drop(list(drop)).reset_index(drop=True) if drop else df


def _growth(df, controls=()):
    d = df.sort_values(["region", "year"]).copy()
    d["ln_y"] = np.log(d["eff"])
    d["g"] = d.groupby("region")["ln_y"].shift(-1) - d["ln_y"]
    d = d[d.groupby("region")["year"].shift(-1) == d["year"] + 1]
    return d


def test_noise_free_recovery():
    a, b = 0.05, -0.3                           # ln y(t+1) - ln y(t) = a + b ln y(t)
    rows = []
    for u, y0 in enumerate(np.linspace(0.2, 0.9, 8)):
        ln = math.log(y0)
        for t in range(5):
            rows.append({"id": u, "t": t, "y": math.exp(ln)})
            ln = ln + a + b * ln
    r = convergence(pd.DataFrame(rows), value="y", id="id", period="t")
    for name in ("pooled", "fe"):
        m = r.models[name]
        assert m.beta == pytest.approx(b, abs=1e-12)
        assert m.speed == pytest.approx(-math.log(1 + b), abs=1e-12)
        assert m.half_life == pytest.approx(math.log(2) / -math.log(0.7), abs=1e-10)
    assert r.models["pooled"].params["const"] == pytest.approx(a, abs=1e-12)
    assert r.main == "fe" and r.beta == pytest.approx(b, abs=1e-12)
    sp = r.speed.set_index("model")
    assert bool(sp.loc["fe", "converging"]) and sp.loc["fe", "half_life"] == pytest.approx(1.9433, abs=1e-4)


def test_fixed_effects_equal_lsdv():
    df = _panel(seed=4)
    r = convergence(df, value="eff", id="region", period="year", controls=["rd"])
    d = _growth(df)
    D = pd.get_dummies(d["region"]).to_numpy(dtype=float)
    for name, cols in (("fe", ["ln_y"]), ("fe_conditional", ["ln_y", "rd"])):
        Z = np.column_stack([d[cols].to_numpy(), D])
        coef, *_ = np.linalg.lstsq(Z, d["g"].to_numpy(), rcond=None)
        np.testing.assert_allclose(r.models[name].params[cols], coef[:len(cols)], rtol=1e-10)
        e = d["g"].to_numpy() - Z @ coef
        s2 = e @ e / (len(d) - Z.shape[1])
        se = np.sqrt(np.diag(s2 * np.linalg.inv(Z.T @ Z)))[:len(cols)]
        np.testing.assert_allclose(r.models[name].bse_conventional[cols], se, rtol=1e-9)
    assert r.main == "fe_conditional" and list(r.params.index) == ["const", "ln_y", "rd"]


@pytest.mark.parametrize("drop", [(), (5, 17, 40, 41, 90)])
def test_against_linearmodels(drop):
    import linearmodels as lm          # test extra (pyproject): a maintained panel estimator
    df = _panel(drop=drop)
    r = convergence(df, value="eff", id="region", period="year", controls=["rd", "open"], group="area")
    d = _growth(df).set_index(["region", "year"])
    d["const"] = 1.0
    for name, cols in (("fe", ["const", "ln_y"]), ("fe_conditional", ["const", "ln_y", "rd", "open"])):
        mine = r.models[name]
        ref = lm.PanelOLS(d["g"], d[cols], entity_effects=True).fit(cov_type="clustered", cluster_entity=True)
        np.testing.assert_allclose(mine.params.to_numpy(), ref.params.to_numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(mine.bse.to_numpy(), ref.std_errors.to_numpy(), rtol=0, atol=1e-10)
        assert mine.nobs == ref.nobs
        ref = lm.PanelOLS(d["g"], d[cols], entity_effects=True).fit()
        np.testing.assert_allclose(mine.bse_conventional.to_numpy(), ref.std_errors.to_numpy(), rtol=0, atol=1e-10)
        np.testing.assert_allclose(mine.pvalues_conventional.to_numpy(), ref.pvalues.to_numpy(), rtol=0, atol=1e-10)
        assert mine.rsquared == pytest.approx(ref.rsquared_within, abs=1e-12)
    mine = r.models["pooled"]
    ref = lm.PooledOLS(d["g"], d[["const", "ln_y"]]).fit(cov_type="clustered", cluster_entity=True)
    np.testing.assert_allclose(mine.params.to_numpy(), ref.params.to_numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(mine.bse.to_numpy(), ref.std_errors.to_numpy(), rtol=0, atol=1e-10)
    ref = lm.PooledOLS(d["g"], d[["const", "ln_y"]]).fit()
    np.testing.assert_allclose(mine.bse_conventional.to_numpy(), ref.std_errors.to_numpy(), rtol=0, atol=1e-10)


def test_inference_and_tables():
    from scipy import stats
    df = _panel(seed=8)
    r = convergence(df, value="eff", id="region", period="year")
    m = r.models["fe"]
    t = m.params / m.bse
    np.testing.assert_allclose(r.pvalues, 2 * stats.t.sf(np.abs(t), 13), rtol=1e-12)     # t(G - 1), G = 14
    ci = r.conf_int(0.1)
    q = stats.t.ppf(0.95, 13)
    np.testing.assert_allclose(ci["upper"] - r.params, q * r.bse, rtol=1e-12)
    f = r.to_frame()
    assert list(f["model"]) == ["pooled", "pooled", "fe", "fe"] and list(f["term"]) == ["const", "ln_y"] * 2
    assert f.loc[3, "coef"] == pytest.approx(r.beta) and f.loc[3, "std_err"] == pytest.approx(r.bse["ln_y"])
    assert r.nobs == 14 * 6 and "clustered by unit" in r.summary()
    assert r.models["fe"].beta < 0               # the simulated scores converge


def test_sigma_table_and_trend():
    df = _panel(seed=2, drop=(3,))
    r = convergence(df, value="eff", id="region", period="year", group="area")
    s = r.sigma
    assert list(s.columns) == ["year", "area", "n", "mean", "sd", "cv", "sd_log"]
    assert list(s["area"][:3]) == ["(all)", "west", "east"] and list(s["year"][:4]) == [2010, 2010, 2010, 2011]
    for _, row in s.iterrows():
        sel = df[df["year"] == row["year"]]
        if row["area"] != "(all)":
            sel = sel[sel["area"] == row["area"]]
        y = sel["eff"].to_numpy()
        assert row["n"] == y.size
        assert row["cv"] == pytest.approx(np.std(y, ddof=1) / np.mean(y), rel=1e-12)
        assert row["sd_log"] == pytest.approx(np.std(np.log(y), ddof=1), rel=1e-12)
    allrows = s[s["area"] == "(all)"]
    slope, _ = np.polyfit(allrows["year"].to_numpy(float), allrows["cv"].to_numpy(), 1)
    tr = r.sigma_trend.set_index("area")
    assert tr.loc["(all)", "slope"] == pytest.approx(slope, rel=1e-9)
    x = allrows["year"].to_numpy(float)
    res = allrows["cv"].to_numpy() - np.polyval(np.polyfit(x, allrows["cv"].to_numpy(), 1), x)
    se = math.sqrt(res @ res / (len(x) - 2) / np.sum((x - x.mean()) ** 2))
    assert tr.loc["(all)", "se"] == pytest.approx(se, rel=1e-9) and tr.loc["(all)", "periods"] == 7


def test_errors(tmp_path):
    df = _panel(U=4, T=4)
    with pytest.raises(SpecError, match="period"):
        convergence(df, value="eff", id="region", period=None)
    with pytest.raises(SpecError, match="id"):
        convergence(df, value="eff", id=None, period="year")
    with pytest.raises(DataError, match=r"column 'eff', row 3 \(id 'r00/2012'\): value 0; .*positive"):
        convergence(df.assign(eff=np.where(df.index == 2, 0.0, df["eff"])), value="eff", id="region", period="year")
    path = tmp_path / "p.csv"
    bad = df.astype(object)
    bad.loc[6, "rd"] = ""
    bad.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"p\.csv: column 'rd', row 7 \(line 8, id 'r01/2012'\): missing value"):
        convergence(str(path), value="eff", id="region", period="year", controls=["rd"])
    with pytest.raises(DataError, match="unknown control column 'gdp'"):
        convergence(df, value="eff", id="region", period="year", controls=["gdp"])
    with pytest.raises(DataError, match="duplicate id 'r00/2010'"):
        convergence(pd.concat([df, df.iloc[:1]]), value="eff", id="region", period="year")
    two = df[df["year"] <= 2011]
    with pytest.raises(DataError, match="fe regression cannot be estimated"):
        convergence(two, value="eff", id="region", period="year")
    with pytest.raises(DataError, match="group 'west' has no units in period 2011"):
        convergence(df[~((df["area"] == "west") & (df["year"] == 2011))], value="eff", id="region", period="year",
                    group="area")
