"""Malmquist and Malmquist-Luenberger indices (efficiency.malmquist): identities, hand-computed kinds,
unbalanced panels, infeasible LPs, cumulative products, errors, backends. The decompositions other than
FGNZ and the biennial kind in detail: test_malmquist_decomp.py."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import efficiency as ef
from efficiency.errors import DataError, SolveWarning, SpecError
from efficiency.malmquist import MalmquistResult, malmquist

KINDS = ("adjacent", "base", "sequential", "global", "biennial")
INDEX = ["malmquist", "effch", "techch"]


def _panel(rng: np.random.Generator, units: int, periods: int, *, m: int = 2, s: int = 2, k: int = 0,
           shuffle: bool = False) -> pd.DataFrame:
    """Random positive panel: ids 'u0'.., periods 2001.., inputs x*, outputs y*, bad outputs b*."""
    n = units * periods
    df = pd.DataFrame({"unit": [f"u{i}" for i in range(units)] * periods,
                       "year": np.repeat(2001 + np.arange(periods), units)})
    for j in range(m):
        df[f"x{j + 1}"] = rng.uniform(1.0, 10.0, n)
    for j in range(s):
        df[f"y{j + 1}"] = rng.uniform(1.0, 10.0, n)
    for j in range(k):
        df[f"b{j + 1}"] = rng.uniform(1.0, 10.0, n)
    if shuffle:
        df = df.sample(frac=1.0, random_state=int(rng.integers(1 << 30))).reset_index(drop=True)
    return df


def _cols(df: pd.DataFrame, prefix: str) -> list[str]:
    return [c for c in df.columns if c.startswith(prefix) and c[len(prefix):].isdigit()]


def _run(df, **kw) -> MalmquistResult:
    kw.setdefault("inputs", _cols(df, "x"))
    kw.setdefault("outputs", _cols(df, "y"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SolveWarning)
        return malmquist(df, id="unit", period="year", **kw)


# ------------------------------------------------------------------------------------------------
# Identities
# ------------------------------------------------------------------------------------------------

@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**31 - 1), kind=st.sampled_from(KINDS), rts=st.sampled_from(["crs", "vrs", "nirs"]),
       orientation=st.sampled_from(["input", "output"]), units=st.integers(3, 8), periods=st.integers(2, 4))
def test_decomposition_identities(seed, kind, rts, orientation, units, periods):
    df = _panel(np.random.default_rng(seed), units, periods)
    t = _run(df, kind=kind, rts=rts, orientation=orientation).to_frame()
    assert len(t) == units * (periods - 1)
    assert (t["status"] == "optimal").all()
    np.testing.assert_allclose(t["malmquist"], t["effch"] * t["techch"], rtol=1e-12)
    if rts != "crs":
        np.testing.assert_allclose(t["pech"] * t["sech"], t["effch"], rtol=1e-12)
    # own-period CRS scores are efficiencies in (0, 1]
    assert ((t["d_from_from"] > 0) & (t["d_from_from"] <= 1 + 1e-9)).all()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rts", ["crs", "vrs"])
@pytest.mark.parametrize("orientation", ["input", "output"])
def test_identical_periods_give_one(kind, rts, orientation):
    one = _panel(np.random.default_rng(1), 7, 1)
    df = pd.concat([one, one.assign(year=2002), one.assign(year=2003)], ignore_index=True)
    t = _run(df, kind=kind, rts=rts, orientation=orientation).to_frame()
    cols = INDEX + (["pech", "sech"] if rts == "vrs" else [])
    np.testing.assert_allclose(t[cols].to_numpy(), 1.0, atol=1e-9)


def test_crs_index_does_not_depend_on_orientation():
    df = _panel(np.random.default_rng(2), 9, 3)
    a = _run(df, orientation="input").to_frame()
    b = _run(df, orientation="output").to_frame()
    np.testing.assert_allclose(a[INDEX], b[INDEX], rtol=1e-9)


# ------------------------------------------------------------------------------------------------
# Hand-computed kinds (one input, one output, CRS: e = (y/x) / best ratio of the technology)
# ------------------------------------------------------------------------------------------------

HAND = pd.DataFrame({"unit": ["A", "B"] * 3, "year": [1, 1, 2, 2, 3, 3], "x1": [1.0] * 6,
                     "y1": [1.0, 2.0, 2.0, 4.0, 1.0, 3.0]})
# best y/x: period 1: 2, period 2: 4, period 3: 3; periods <= 2 and <= 3: 4; all pooled: 4


def _hand(kind, **kw) -> pd.DataFrame:
    return _run(HAND, kind=kind, **kw).to_frame().set_index(["unit", "period_from"])


def test_hand_adjacent():
    t = _hand("adjacent")
    # A 2 -> 3: e2(2) = .5, e3(3) = 1/3, e2(3) = .25, e3(2) = 2/3
    r = t.loc[("A", 2)]
    assert r[["d_from_from", "d_to_to", "d_to_from", "d_from_to"]].tolist() == pytest.approx([.5, 1 / 3, .25, 2 / 3])
    assert r["malmquist"] == pytest.approx(0.5)
    assert r["effch"] == pytest.approx(2 / 3)
    assert r["techch"] == pytest.approx(0.75)
    # B 1 -> 2: M = ratio change 2, EC = 1, TC = 2
    assert t.loc[("B", 1), INDEX].tolist() == pytest.approx([2.0, 1.0, 2.0])


def test_hand_sequential():
    t = _hand("sequential")
    # technology of period 3 = periods 1..3 (best 4): no technical regress
    assert t.loc[("A", 2), INDEX].tolist() == pytest.approx([0.5, 0.5, 1.0])
    assert t.loc[("B", 2), INDEX].tolist() == pytest.approx([0.75, 0.75, 1.0])
    assert t.loc[("B", 2), "d_to_to"] == pytest.approx(0.75)


def test_hand_base_and_global():
    b = _hand("base")
    assert list(b.columns[b.columns.str.startswith("d_")]) == ["d_from_from", "d_to_to", "d_from_base", "d_to_base"]
    # base period 1 (best 2): e1(2) for A = 1, e1(3) = .5
    assert b.loc[("A", 2), ["d_from_base", "d_to_base"]].tolist() == pytest.approx([1.0, 0.5])
    assert b.loc[("A", 2), INDEX].tolist() == pytest.approx([0.5, 2 / 3, 0.75])
    b3 = _run(HAND, kind="base", base=3)
    assert b3.base == 3
    assert b3.to_frame()["d_to_base"].iloc[0] == pytest.approx(2 / 3)   # A period 2 vs best 3
    g = _hand("global")
    assert list(g.columns[g.columns.str.startswith("d_")]) == ["d_from_from", "d_to_to", "d_from_global",
                                                               "d_to_global"]
    assert g.loc[("A", 2), ["d_from_global", "d_to_global"]].tolist() == pytest.approx([0.5, 0.25])
    assert g.loc[("A", 2), INDEX].tolist() == pytest.approx([0.5, 2 / 3, 0.75])


def test_table_layout_and_summary():
    m = _run(HAND, rts="vrs", cumulative=True)
    t = m.to_frame()
    assert list(t.columns) == ["unit", "period_from", "period_to", "malmquist", "effch", "techch", "pech", "sech",
                               "cum_malmquist", "cum_effch", "cum_techch", "cum_pech", "cum_sech", "status",
                               "d_from_from", "d_from_to", "d_to_from", "d_to_to", "v_from_from", "v_to_to",
                               "v_from_to", "v_to_from", "v_status"]
    assert t["period_from"].dtype == np.int64
    assert m.kind == "adjacent" and m.rts == "vrs" and m.orientation == "input" and m.id_names == ("unit",)
    text = m.summary()
    assert "Geometric means" in text and "all" in text
    gm = np.exp(np.log(t.loc[t.period_from == 1, "malmquist"]).mean())
    assert f"{gm:.4f}" in text
    crs = _run(HAND).to_frame()
    assert "pech" not in crs.columns and "v_status" not in crs.columns


# ------------------------------------------------------------------------------------------------
# Unbalanced panels, infeasible LPs, cumulative products
# ------------------------------------------------------------------------------------------------

def test_unbalanced_panel_keeps_every_row_in_order():
    df = _panel(np.random.default_rng(3), 6, 3)
    gone = (df.unit == "u2") & (df.year == 2002)
    df = df[~gone].iloc[::-1].reset_index(drop=True)          # reversed: u5 appears first
    t = _run(df).to_frame()
    assert len(t) == 6 * 2
    assert list(pd.unique(t["unit"])) == ["u5", "u4", "u3", "u2", "u1", "u0"]
    assert (t.groupby("unit", sort=False)["period_from"].apply(list) == pd.Series([[2001, 2002]] * 6)
            .set_axis(pd.unique(t["unit"]))).all()
    miss = t["unit"] == "u2"
    assert (t.loc[miss, "status"] == "missing").all()
    assert t.loc[miss, INDEX + ["d_from_from", "d_to_to"]].isna().all().all()
    assert (t.loc[~miss, "status"] == "optimal").all()
    # each period's technology is spanned by the units present in it
    p2 = df[df.year == 2002]
    r = ef.dea(p2, id="unit", inputs=["x1", "x2"], outputs=["y1", "y2"], rts="crs", slacks=False)
    own = t[t.period_from == 2002].set_index("unit")["d_from_from"]
    np.testing.assert_allclose(own.loc[r.scores.index], r.scores, atol=1e-9)


def test_vrs_cross_period_infeasible():
    df = pd.DataFrame({"unit": list("ABC") * 2, "year": [1] * 3 + [2] * 3,
                       "x1": [2.0, 4.0, 6.0, 2.0, 4.0, 6.0], "y1": [1.0, 2.0, 2.5, 1.0, 2.0, 9.0]})
    with pytest.warns(SolveWarning, match=r"1 VRS cross-period distances .*infeasible"):
        m = malmquist(df, id="unit", period="year", inputs=["x1"], outputs=["y1"], rts="vrs")
    t = m.to_frame().set_index("unit")
    # C in period 2 produces more than any period-1 unit: no VRS input contraction reaches it
    assert np.isnan(t.loc["C", "v_to_from"])
    assert t.loc["C", "v_status"] == "infeasible"
    assert t.loc["C", "status"] == "optimal"
    assert np.isfinite(t.loc["C", INDEX + ["pech", "sech"]].astype(float)).all()
    assert (t.loc[["A", "B"], "v_status"] == "optimal").all()


def test_crs_lp_failure_is_a_row_status():
    # Output y2 is zero for everyone in period 1: period-2 data with y2 > 0 lie outside the period-1
    # technology, whatever the input contraction.
    df = pd.DataFrame({"unit": list("ABC") * 2, "year": [1] * 3 + [2] * 3, "x1": [2.0, 3.0, 4.0] * 2,
                       "y1": [1.0, 2.0, 2.5, 1.5, 2.0, 3.0], "y2": [0.0, 0.0, 0.0, 0.0, 1.0, 0.0]})
    with pytest.warns(SolveWarning, match=r"1 of 3 rows .*infeasible"):
        m = malmquist(df, id="unit", period="year", inputs=["x1"], outputs=["y1", "y2"])
    t = m.to_frame().set_index("unit")
    assert len(t) == 3
    assert t.loc["B", "status"] == "infeasible"
    assert np.isnan(t.loc["B", "malmquist"]) and np.isnan(t.loc["B", "d_to_from"])
    assert np.isfinite(t.loc["B", "effch"])
    assert (t.loc[["A", "C"], "status"] == "optimal").all()


def test_cumulative_products():
    df = _panel(np.random.default_rng(4), 5, 5)
    df = df[~((df.unit == "u1") & (df.year == 2003))]
    t = _run(df, rts="vrs", cumulative=True).to_frame()
    for unit, g in t.groupby("unit"):
        for c in INDEX + ["pech", "sech"]:
            v = g[c].to_numpy()
            expect = np.cumprod(v)
            if unit == "u1":
                assert np.isnan(v[1]) and np.isnan(v[2])
                assert np.isnan(g[f"cum_{c}"].to_numpy()[1:]).all()      # NaN after a NaN
            np.testing.assert_allclose(g[f"cum_{c}"], expect, rtol=1e-12)
    assert "cum_malmquist" not in _run(df).to_frame().columns


# ------------------------------------------------------------------------------------------------
# Malmquist-Luenberger
# ------------------------------------------------------------------------------------------------

def test_luenberger_identical_periods_and_identities():
    one = _panel(np.random.default_rng(5), 8, 1, k=1)
    same = pd.concat([one, one.assign(year=2002)], ignore_index=True)
    for kind in KINDS:
        t = _run(same, undesirable=["b1"], kind=kind).to_frame()
        np.testing.assert_allclose(t[INDEX].to_numpy(), 1.0, atol=1e-9)
    df = _panel(np.random.default_rng(6), 8, 3, k=1)
    for kind in ("adjacent", "global"):
        m = _run(df, undesirable=["b1"], kind=kind, rts="vrs")
        assert m.luenberger and m.orientation == "none"
        t = m.to_frame()
        ok = t["status"] == "optimal"
        assert ok.any()
        np.testing.assert_allclose(t.loc[ok, "malmquist"], t.loc[ok, "effch"] * t.loc[ok, "techch"], rtol=1e-12)
        np.testing.assert_allclose(t.loc[ok, "pech"] * t.loc[ok, "sech"], t.loc[ok, "effch"], rtol=1e-12)


def test_luenberger_formulas_and_betas():
    df = _panel(np.random.default_rng(7), 8, 2, k=1)
    t = _run(df, undesirable=["b1"]).to_frame()
    ok = t["status"] == "optimal"
    assert ok.any()
    d = t[ok]
    ml = np.sqrt((1 + d.d_from_from) / (1 + d.d_to_from) * (1 + d.d_from_to) / (1 + d.d_to_to))
    np.testing.assert_allclose(d["malmquist"], ml, rtol=1e-12)
    np.testing.assert_allclose(d["effch"], (1 + d.d_from_from) / (1 + d.d_to_to), rtol=1e-12)
    # the own-period betas are the DDF in the direction (0, y, b) of dea()
    p1 = df[df.year == 2001]
    r = ef.dea(p1, id="unit", inputs=["x1", "x2"], outputs=["y1", "y2"], undesirable=["b1"], model="ddf",
               rts="crs", direction="output", slacks=False)
    np.testing.assert_allclose(t.set_index("unit")["d_from_from"].loc[r.beta.index], r.beta, atol=1e-9)
    # global ML: one pooled technology, so the betas against it are >= 0
    g = _run(df, undesirable=["b1"], kind="global").to_frame()
    assert (g[["d_from_global", "d_to_global"]] >= -1e-9).all().all()
    np.testing.assert_allclose(g["malmquist"], (1 + g.d_from_global) / (1 + g.d_to_global), rtol=1e-12)


# ------------------------------------------------------------------------------------------------
# Inputs and errors
# ------------------------------------------------------------------------------------------------

def test_csv_path_numeric_period_order_and_composite_id(tmp_path):
    df = _panel(np.random.default_rng(8), 4, 3)
    df["year"] = df["year"].map({2001: 9, 2002: 10, 2003: 11})          # 9 < 10 numerically, not as text
    path = tmp_path / "panel.csv"
    df.sample(frac=1.0, random_state=0).to_csv(path, index=False)
    m = malmquist(path, id="unit", period="year", inputs="x1,x2", outputs="y1,y2")
    t = m.to_frame()
    assert list(m.periods) == [9, 10, 11]
    assert t.groupby("unit")["period_from"].apply(list).map(lambda v: v == [9, 10]).all()
    ref = _run(df.assign(year=df.year)).to_frame().set_index(["unit", "period_from"]).sort_index()
    np.testing.assert_allclose(t.set_index(["unit", "period_from"]).sort_index()["malmquist"], ref["malmquist"],
                               rtol=1e-12)
    two = df.assign(group="g", region=df["unit"])
    c = malmquist(two, id=["group", "region"], period="year", inputs=["x1", "x2"], outputs=["y1", "y2"]).to_frame()
    assert list(c.columns[:4]) == ["group", "region", "period_from", "period_to"]
    np.testing.assert_allclose(np.sort(c["malmquist"]), np.sort(t["malmquist"]), rtol=1e-12)


def test_errors(tmp_path):
    df = _panel(np.random.default_rng(9), 4, 2)
    kw = dict(id="unit", period="year", inputs=["x1", "x2"], outputs=["y1", "y2"])
    path = tmp_path / "dup.csv"
    pd.concat([df, df.iloc[[1]]], ignore_index=True).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"dup\.csv.*'unit'.*'year'.*row 2 \(line 3.*row 9 \(line 10"):
        malmquist(path, **kw)
    bad = df.astype({"year": object})
    bad.loc[3, "year"] = "2002b"
    with pytest.raises(DataError, match=r"column 'year', row 4 .*'2002b' is not a number"):
        malmquist(bad, **kw)
    bad.loc[3, "year"] = None
    with pytest.raises(DataError, match=r"column 'year', row 4 .*missing period"):
        malmquist(bad, **kw)
    with pytest.raises(DataError, match=r"one period"):
        malmquist(df[df.year == 2001], **kw)
    with pytest.raises(DataError, match=r"'y2' is used as output and as undesirable output"):
        malmquist(df, undesirable=["y2"], **kw)
    with pytest.raises(SpecError, match=r"kind: 'chained' is not one of"):
        malmquist(df, kind="chained", **kw)
    with pytest.raises(SpecError, match=r"base: period 1999 is not in the panel"):
        malmquist(df, kind="base", base=1999, **kw)
    with pytest.raises(SpecError, match=r"base: .*only with kind='base'"):
        malmquist(df, base=2001, **kw)
    with pytest.raises(SpecError, match=r"orientation"):
        malmquist(df, orientation="graph", **kw)
    with pytest.raises(DataError, match=r"'year' is the period column and cannot be an input"):
        malmquist(df, **{**kw, "inputs": ["x1", "year"]})
    with pytest.raises(DataError, match=r"unknown period column 'yaer'.*did you mean 'year'"):
        malmquist(df, **{**kw, "period": "yaer"})


def test_highs_equals_default():
    df = _panel(np.random.default_rng(10), 70, 3)          # >= 64 reference units: screened technologies
    for kind, rts, orientation in (("adjacent", "vrs", "input"), ("sequential", "crs", "output"),
                                   ("global", "vrs", "output"), ("base", "nirs", "input")):
        a = _run(df, kind=kind, rts=rts, orientation=orientation).to_frame()
        b = _run(df, kind=kind, rts=rts, orientation=orientation, solver="highs").to_frame()
        num = a.select_dtypes("number").columns
        np.testing.assert_allclose(a[num].to_numpy(float), b[num].to_numpy(float), atol=1e-6)
        assert (a["status"] == b["status"]).all()
    a = _run(df.assign(b1=df.x1 * 0.5 + 1.0), undesirable=["b1"]).to_frame()
    b = _run(df.assign(b1=df.x1 * 0.5 + 1.0), undesirable=["b1"], solver="highs").to_frame()
    num = a.select_dtypes("number").columns
    np.testing.assert_allclose(a[num].to_numpy(float), b[num].to_numpy(float), atol=1e-6)
