"""Three-dimension analysis (DESIGN section 7): coupling, coordination, bands, bottlenecks, regime on
hand-computed cases; per-dimension scores equal to direct ``efficiency.dea`` / ``efficiency.sfa`` calls
on the same columns; Malmquist, change in D, group frontiers and technology gap ratios."""

from __future__ import annotations

import importlib
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import efficiency as ef
from efficiency.dimensions import (BANDS, analyze, band, bottleneck, clip_unit, composite, coordination,
                                   coupling, regime)

REPO = Path(__file__).resolve().parents[1]
PROVINCES = REPO / "sample_data" / "provinces.csv"
TECH_IN = ["rd_expenditure", "rd_personnel", "basic_research"]
TECH_OUT = ["invention_patents", "pct_applications"]
IND_IN = ["industrial_investment", "energy_consumption"]
IND_OUT = ["high_tech_output"]
BAD = ["co2_emissions"]


@pytest.fixture(scope="module")
def panel() -> pd.DataFrame:
    df = pd.read_csv(PROVINCES)
    return df[df["year"].isin([2019, 2020, 2021])].reset_index(drop=True)


def spec_dict(**dims) -> dict:
    return {"data": {"id": "province", "period": "year"}, "dimensions": dims}


# --------------------------------------------------------------------------------------------------
# Coupling and coordination on hand-computed cases
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("k", [2, 3, 5])
@pytest.mark.parametrize("u", [0.05, 0.37, 1.0])
def test_equal_scores_give_full_coupling(k, u):
    assert coupling(np.full(k, u))[0] == 1.0


def test_one_zero_gives_zero_coupling():
    C = coupling([[0.0, 0.8, 0.9], [0.5, 0.0, 0.5], [1.0, 1.0, 0.0]])
    assert C.tolist() == [0.0, 0.0, 0.0]


def test_all_zero_is_defined_as_zero_coupling_and_coordination():
    C = coupling([0.0, 0.0, 0.0])
    assert C.tolist() == [0.0]
    assert coordination(C, composite([0.0, 0.0, 0.0])).tolist() == [0.0]


def test_coupling_hand_computed():
    # k = 2: C = sqrt(0.5 * 1) / 0.75 = 0.9428090415820634 (= 2 sqrt(U1 U2) / (U1 + U2))
    assert coupling([0.5, 1.0])[0] == pytest.approx(2 * np.sqrt(0.5) / 1.5, rel=1e-14)
    assert coupling([0.5, 1.0])[0] == pytest.approx(0.9428090415820634, rel=1e-14)
    # k = 3: GM(0.2, 0.4, 0.8) = 0.4, AM = 1.4 / 3, C = 6/7; T = 7/15; D = sqrt(6/7 * 7/15) = sqrt(0.4)
    U = np.array([[0.2, 0.4, 0.8]])
    C, T = coupling(U), composite(U)
    assert C[0] == pytest.approx(6 / 7, rel=1e-14)
    assert T[0] == pytest.approx(7 / 15, rel=1e-14)
    assert coordination(C, T)[0] == pytest.approx(np.sqrt(0.4), rel=1e-14)


def test_coupling_never_leaves_unit_interval():
    rng = np.random.default_rng(7)
    U = np.vstack([rng.uniform(0, 1, (2000, 3)), rng.uniform(0, 1, (2000, 3)) ** 8,
                   np.full((5, 3), 1 - 1e-16), [[1e-300, 1.0, 1.0], [1.0, 1.0, 1.0], [1e-12, 1e-12, 1e-12]]])
    C = coupling(U)
    assert np.all((C >= 0) & (C <= 1))
    # C = GM / AM: check against the textbook form k [prod / (sum)^k]^(1/k) where it is representable
    mid = U[:2000]
    ref = 3 * (mid.prod(axis=1) / mid.sum(axis=1) ** 3) ** (1 / 3)
    assert np.allclose(C[:2000], ref, rtol=1e-12)


def test_nan_score_propagates():
    U = [[np.nan, 0.5, 0.5]]
    assert np.isnan(coupling(U)[0])
    assert bottleneck(U, ["a", "b", "c"], 0.6)[0] is None
    assert regime(U, 0.6)[0] is None
    assert band([np.nan])[0] is None


def test_weights_normalised():
    U = np.array([[0.2, 0.4, 0.8]])
    assert composite(U, [2, 1, 1])[0] == pytest.approx(0.5 * 0.2 + 0.25 * 0.4 + 0.25 * 0.8, rel=1e-14)
    assert composite(U, [20, 10, 10])[0] == pytest.approx(0.4, rel=1e-14)
    assert composite(U, [0, 0, 3])[0] == pytest.approx(0.8, rel=1e-14)


def test_bands():
    D = [0.0, 0.05, 0.1, 0.25, 0.3999, 0.4, 0.5, 0.59999, 0.6, 0.75, 0.8, 0.9, 0.95, 1.0]
    assert band(D).tolist() == [
        "extreme disorder", "extreme disorder", "serious disorder", "moderate disorder", "mild disorder",
        "verge of disorder", "barely coordinated", "barely coordinated", "primary coordination",
        "intermediate coordination", "good coordination", "quality coordination", "quality coordination",
        "quality coordination"]
    assert len(BANDS) == 10


def test_bottleneck_and_regime_rules():
    names = ["technology", "factor", "industry"]
    U = np.array([[0.5, 0.9, 0.3],     # two below: spec order, whatever the scores
                  [0.3, 0.9, 0.5],     # the same two, other scores: the same text
                  [0.7, 0.6, 0.95],    # exactly at the threshold reaches it
                  [0.59, 0.9, 0.9],    # one below
                  [0.2, 0.2, 0.9]])    # tie below
    assert bottleneck(U, names, 0.6).tolist() == ["technology,industry", "technology,industry", "", "technology",
                                                  "technology,factor"]
    assert bottleneck(U[:, ::-1], names[::-1], 0.6).tolist() == ["industry,technology", "industry,technology", "",
                                                                 "technology", "factor,technology"]
    assert regime(U, 0.6).tolist() == ["traditional", "traditional", "new-quality", "traditional", "traditional"]
    assert regime(U, 0.2).tolist() == ["new-quality"] * 5


def test_bottleneck_follows_the_spec_on_sample_data(panel):
    a = analyze(panel, REPO / "sample_data" / "innovation.toml")
    names = ["technology", "factor", "industry"]
    U = a.scores[[f"score_{n}" for n in names]].to_numpy()
    want = [",".join(n for n, u in zip(names, row) if u < 0.6) for row in U]
    assert a.scores["bottleneck"].tolist() == want
    # rows whose bottlenecks, lowest first, would read in another order: the data do exercise the rule
    below = U < 0.6
    unsorted = [r for r in range(len(U)) if below[r].sum() > 1 and np.any(np.diff(U[r][below[r]]) < 0)]
    assert len(unsorted) >= 5
    counts = a.scores["bottleneck"].value_counts()
    assert len({frozenset(k.split(",")) for k in counts.index}) == len(counts)   # each set counted once
    assert a.summary_table["main_bottleneck"].tolist()[-1] == "industry"


# --------------------------------------------------------------------------------------------------
# Scores in (0, 1]: rounding above 1 is 1, model values above 1 stay
# --------------------------------------------------------------------------------------------------

def test_clip_unit_only_moves_rounding():
    got = clip_unit([1.0000000000000002, 1 + 1e-12, 1 + 1e-9, 1 + 2e-9, 1.5, np.nan, 0.3, 1.0, 0.9999999999999999])
    assert got[:4].tolist() == [1.0, 1.0, 1.0, 1 + 2e-9]
    assert got[4] == 1.5 and np.isnan(got[5])
    assert got[6:].tolist() == [0.3, 1.0, 0.9999999999999999]


def test_composite_and_coordination_of_rounded_ones_are_exactly_one():
    U = np.array([[1.0000000000000002, 1.0, 1.0], [1.0, 1 + 4e-16, 1 + 1e-15], [1 / 3, 1 / 3, 1 / 3]])
    T = composite(U, [1, 1, 1])
    assert T[:2].tolist() == [1.0, 1.0] and T[2] == pytest.approx(1 / 3, rel=1e-15)
    assert coordination(coupling(U[:1]), T[:1]).tolist() == [1.0]
    assert coordination([1.0], [1.0000000000000004]).tolist() == [1.0]
    # super-efficiency-like scores (a model that allows them) are not touched
    assert composite([[1.2, 1.4]])[0] == pytest.approx(1.3, rel=1e-15)


def test_analyze_stores_rounding_above_one_as_one(panel, monkeypatch):
    """The DEA scores are inflated by 4e-16 (relative): efficient units get 1.0000000000000004, which
    analyze stores as exactly 1; every other score passes unchanged."""
    api = importlib.import_module("efficiency.dea.api")
    real = api.dea
    inflated = []

    def dea(*args, **kw):
        scores = real(*args, **kw).scores * (1 + 4e-16)
        inflated.append(scores)
        return SimpleNamespace(scores=scores)

    monkeypatch.setattr(api, "dea", dea)
    spec = spec_dict(technology={"inputs": TECH_IN, "outputs": TECH_OUT, "model": "radial"},
                     industry={"inputs": IND_IN, "outputs": IND_OUT, "model": "radial", "orientation": "output"})
    spec["data"]["group"] = "zone"
    spec["dimensions"]["technology"]["malmquist"] = spec["dimensions"]["industry"]["malmquist"] = False
    a = analyze(panel, spec)
    raw = np.concatenate([s.to_numpy() for s in inflated])
    assert (raw > 1).sum() >= 20                       # the inflated efficient scores did reach analyze
    s = a.scores
    for col in ("score_technology", "score_industry", "composite", "coupling", "coordination"):
        assert s[col].max() == 1.0, col
    top = s["score_technology"] == 1.0
    assert top.sum() >= 9 and (s.loc[top, "coordination"] <= 1.0).all()
    g = a.groups
    for col in ("group_technology", "meta_technology", "tgr_technology", "group_industry", "tgr_industry"):
        assert g[col].max() == 1.0, col
    direct = np.empty(len(panel))                  # the first three calls: technology, 2019, 2020, 2021
    for k, year in enumerate((2019, 2020, 2021)):
        direct[(panel["year"] == year).to_numpy()] = inflated[k].to_numpy()
    below = (direct <= 1.0)
    np.testing.assert_array_equal(s.loc[below, "score_technology"], direct[below])
    assert (s.loc[~below, "score_technology"] == 1.0).all() and (direct[~below] < 1 + 1e-15).all()


def test_sample_spec_scores_never_exceed_one():
    """The data that produced 1.0000000000000002 (``efficiency score`` on the sample panel)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")                 # the sample spec raises no warning either
        a = analyze(PROVINCES, REPO / "sample_data" / "innovation.toml")
    s = a.scores
    cols = ["score_technology", "score_factor", "score_industry", "composite", "coupling", "coordination"]
    assert (s[cols] <= 1.0).all().all()
    assert [(s[c] == 1.0).sum() >= 1 for c in cols[:3]] == [True] * 3
    for d in ("technology", "factor", "industry"):
        assert (a.groups[f"tgr_{d}"] <= 1.0).all() and (a.groups[f"group_{d}"] <= 1.0).all()


# --------------------------------------------------------------------------------------------------
# Scores equal direct calls
# --------------------------------------------------------------------------------------------------

def test_period_scores_equal_direct_dea(panel):
    spec = spec_dict(technology={"inputs": TECH_IN, "outputs": TECH_OUT, "model": "sbm", "orientation": "input"},
                     factor={"inputs": ["capital_stock", "employment"], "outputs": ["value_added"],
                             "model": "radial", "rts": "crs", "orientation": "output"},
                     industry={"inputs": IND_IN, "outputs": IND_OUT, "undesirable": BAD, "model": "ddf",
                               "malmquist": False},
                     hull={"inputs": ["capital_stock"], "outputs": ["value_added"], "model": "fdh"})
    a = analyze(panel, spec)
    s = a.scores
    assert list(s.columns[:2]) == ["province", "year"]
    for year in (2019, 2020, 2021):
        rows = panel["year"] == year
        sub = panel[rows]
        tech = ef.dea(sub, id="province", inputs=TECH_IN, outputs=TECH_OUT, model="sbm", rts="vrs",
                      orientation="input").scores.to_numpy()
        fac = ef.dea(sub, id="province", inputs=["capital_stock", "employment"], outputs=["value_added"],
                     model="radial", rts="crs", orientation="output").scores.to_numpy()
        beta = ef.dea(sub, id="province", inputs=IND_IN, outputs=IND_OUT, undesirable=BAD, model="ddf",
                      rts="vrs").to_frame()["beta"].to_numpy()
        hull = ef.dea(sub, id="province", inputs=["capital_stock"], outputs=["value_added"],
                      model="fdh").scores.to_numpy()
        got = s[rows.to_numpy()]
        np.testing.assert_allclose(got["score_technology"], tech, rtol=1e-12)
        np.testing.assert_allclose(got["score_factor"], fac, rtol=1e-12)
        np.testing.assert_allclose(got["score_industry"], 1 / (1 + beta), rtol=1e-12)   # DDF: 1/(1+beta)
        np.testing.assert_allclose(got["score_hull"], hull, rtol=1e-12)
    U = s[[f"score_{n}" for n in ("technology", "factor", "industry", "hull")]].to_numpy()
    np.testing.assert_allclose(s["composite"], U.mean(axis=1), rtol=1e-14)
    np.testing.assert_allclose(s["coupling"], np.exp(np.log(U).mean(axis=1)) / U.mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(s["coordination"], np.sqrt(s["coupling"] * s["composite"]), rtol=1e-14)


def test_pooled_and_sequential_frontiers_equal_direct_dea(panel):
    dims = {"technology": {"inputs": TECH_IN, "outputs": TECH_OUT, "model": "radial", "frontier": "pooled"},
            "industry": {"inputs": IND_IN, "outputs": IND_OUT, "model": "radial", "frontier": "sequential"}}
    a = analyze(panel, spec_dict(**dims))
    pooled = ef.dea(panel, id=["province", "year"], inputs=TECH_IN, outputs=TECH_OUT, rts="vrs").scores
    np.testing.assert_allclose(a.scores["score_technology"], pooled.to_numpy(), rtol=1e-12)
    for year in (2019, 2020, 2021):
        rows = (panel["year"] == year).to_numpy()
        ref = panel[panel["year"] <= year]
        seq = ef.dea(panel[rows], id=["province", "year"], inputs=IND_IN, outputs=IND_OUT, rts="vrs",
                     reference=ref).scores
        np.testing.assert_allclose(a.scores.loc[rows, "score_industry"], seq.to_numpy(), rtol=1e-12)
    # the sequential frontier of the first year is that year's own frontier
    first = ef.dea(panel[panel["year"] == 2019], id="province", inputs=IND_IN, outputs=IND_OUT).scores
    np.testing.assert_allclose(a.scores.loc[(panel["year"] == 2019).to_numpy(), "score_industry"], first,
                               rtol=1e-12)
    # Malmquist kinds follow the frontier: pooled -> global, sequential -> sequential
    assert dict(a.malmquist.groupby("dimension")["kind"].first()) == {"technology": "global",
                                                                    "industry": "sequential"}


def test_sfa_dimension_equals_direct_sfa(panel):
    dims = {"technology": {"inputs": ["rd_expenditure", "rd_personnel"], "outputs": ["invention_patents"],
                           "model": "sfa"},
            "industry": {"inputs": IND_IN, "outputs": IND_OUT, "model": "radial"}}
    a = analyze(panel, spec_dict(**dims))
    direct = ef.sfa(panel, output="invention_patents", inputs=["rd_expenditure", "rd_personnel"],
                    form="cobb-douglas", dist="half-normal", cost=False)
    np.testing.assert_allclose(a.scores["score_technology"], np.asarray(direct.efficiency, float), rtol=1e-10)
    assert a.dimensions.set_index("dimension").loc["technology", "frontier"] == "pooled"
    assert set(a.malmquist["dimension"]) == {"industry"}        # no Malmquist for SFA


def test_malmquist_and_change_in_coordination(panel):
    dims = {"technology": {"inputs": TECH_IN, "outputs": TECH_OUT, "model": "radial"},
            "industry": {"inputs": IND_IN, "outputs": IND_OUT, "undesirable": BAD, "model": "sbm"}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = analyze(panel, spec_dict(**dims))
        direct = ef.malmquist(panel, id="province", period="year", inputs=TECH_IN, outputs=TECH_OUT,
                              kind="adjacent", rts="vrs", orientation="input").to_frame()
        ml = ef.malmquist(panel, id="province", period="year", inputs=IND_IN, outputs=IND_OUT, undesirable=BAD,
                          kind="adjacent", rts="vrs").to_frame()
    mq = a.malmquist
    t = mq[mq["dimension"] == "technology"].reset_index(drop=True)
    for c in ("period_from", "period_to", "malmquist", "effch", "techch", "pech", "sech"):
        np.testing.assert_allclose(t[c].to_numpy(float), direct[c].to_numpy(float), rtol=1e-12)
    i = mq[mq["dimension"] == "industry"].reset_index(drop=True)
    np.testing.assert_allclose(i["malmquist"].to_numpy(float), ml["malmquist"].to_numpy(float), rtol=1e-12)
    dyn = a.dynamics
    assert len(dyn) == 31 * 2
    assert list(dyn.columns[:3]) == ["province", "period_from", "period_to"]
    D = a.scores.set_index(["province", "year"])["coordination"]
    row = dyn[(dyn["province"] == "Hubei") & (dyn["period_from"] == 2019)].iloc[0]
    assert row["coordination_change"] == pytest.approx(D[("Hubei", 2020)] - D[("Hubei", 2019)], abs=1e-15)
    np.testing.assert_allclose(dyn["malmquist_technology"].to_numpy(float), direct["malmquist"].to_numpy(float),
                               rtol=1e-12)


def test_adjacent_ml_warning_explains_the_cross_period_lps(panel):
    dims = {"industry": {"inputs": IND_IN, "outputs": IND_OUT, "undesirable": BAD, "model": "sbm"}}
    with pytest.warns(ef.SolveWarning) as record:
        a = analyze(panel, spec_dict(**dims))
    assert [str(w.message) for w in record] == [
        "dimension 'industry', Malmquist kind 'adjacent' (spec key dimensions.industry.malmquist): "
        "Malmquist-Luenberger: 6 of 62 rows have an LP without an optimum (6 infeasible): each is a cross-period "
        "LP (one period's data against the adjacent period's technology), infeasible because the data lie outside "
        "that technology (common with bad outputs under weak disposability); kind='global' (one technology of all "
        "periods, which holds every observation) has none; their values are NaN where it enters and `status` "
        "says why"]
    assert (a.malmquist["status"] == "infeasible").sum() == 6 and a.malmquist["malmquist"].isna().sum() == 6
    dims["industry"]["malmquist"] = "global"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = analyze(panel, spec_dict(**dims))
    assert g.malmquist["kind"].unique().tolist() == ["global"]
    assert (g.malmquist["status"] == "optimal").all() and g.malmquist["malmquist"].notna().all()


def test_group_frontier_meta_frontier_and_gap_ratio(panel):
    spec = spec_dict(technology={"inputs": TECH_IN, "outputs": TECH_OUT, "model": "radial"},
                     industry={"inputs": IND_IN, "outputs": IND_OUT, "model": "sbm"})
    spec["data"]["group"] = "zone"
    a = analyze(panel, spec)
    g = a.groups
    assert list(g.columns[:3]) == ["province", "year", "zone"]
    rows = ((panel["year"] == 2020) & (panel["zone"] == "west")).to_numpy()
    direct = ef.dea(panel[rows], id="province", inputs=TECH_IN, outputs=TECH_OUT, rts="vrs").scores
    np.testing.assert_allclose(g.loc[rows, "group_technology"], direct.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(g["meta_technology"], a.scores["score_technology"], rtol=0)
    np.testing.assert_allclose(g["tgr_technology"], g["meta_technology"] / g["group_technology"], rtol=1e-15)
    for d in ("technology", "industry"):
        assert (g[f"tgr_{d}"] <= 1).all() and (g[f"tgr_{d}"] > 0).all()
        assert (g[f"group_{d}"] >= g[f"meta_{d}"] - 1e-9).all()
    s = a.group_summary
    west = s[(s["group"] == "west") & (s["dimension"] == "technology")].iloc[0]
    m = (panel["zone"] == "west").to_numpy()
    assert west["tgr"] == pytest.approx(g.loc[m, "tgr_technology"].mean(), rel=1e-14)
    assert west["rows"] == m.sum()


def test_rows_keep_input_order_and_ids(panel):
    shuffled = panel.sample(frac=1.0, random_state=3).reset_index(drop=True)
    spec = spec_dict(technology={"inputs": TECH_IN, "outputs": TECH_OUT, "model": "radial"},
                     industry={"inputs": IND_IN, "outputs": IND_OUT, "model": "radial"})
    a, b = analyze(panel, spec), analyze(shuffled, spec)
    assert b.scores["province"].tolist() == shuffled["province"].tolist()
    assert b.scores["year"].tolist() == shuffled["year"].tolist()
    left = a.to_frame().sort_index()
    right = b.to_frame().sort_index()
    pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=1e-12)
    assert a.to_frame().index.names == ["province", "year"]


def test_cross_section_without_period():
    df = pd.read_csv(PROVINCES)
    df = df[df["year"] == 2023]
    spec = {"data": {"id": "province"},
            "dimensions": {"technology": {"inputs": TECH_IN, "outputs": TECH_OUT},
                           "industry": {"inputs": IND_IN, "outputs": IND_OUT}},
            "composite": {"weights": {"technology": 3, "industry": 1}, "threshold": 0.7}}
    a = analyze(df, spec)
    assert a.malmquist is None and a.dynamics is None and a.groups is None
    assert list(a.scores.columns) == ["province", "score_technology", "score_industry", "composite", "coupling",
                                      "coordination", "band", "bottleneck", "regime", "obstacle_technology",
                                      "obstacle_industry", "main_obstacle"]
    s = a.scores
    np.testing.assert_allclose(s["composite"], 0.75 * s["score_technology"] + 0.25 * s["score_industry"],
                               rtol=1e-14)
    # obstacle degree: the weighted shortfall's share, by hand
    gt, gi = 0.75 * (1 - s["score_technology"]), 0.25 * (1 - s["score_industry"])
    gt, gi = gt.where(gt > 1e-9, 0.0), gi.where(gi > 1e-9, 0.0)
    tot = gt + gi
    np.testing.assert_allclose(s["obstacle_technology"], np.where(tot > 0, gt / tot.where(tot > 0, 1), 0), rtol=1e-14)
    np.testing.assert_allclose(s["obstacle_industry"], np.where(tot > 0, gi / tot.where(tot > 0, 1), 0), rtol=1e-14)
    expect = np.where(tot == 0, "", np.where(gt >= gi, "technology", "industry"))
    assert list(s["main_obstacle"]) == list(expect)
    assert (tot == 0).any() and (tot > 0).any()
    below = (s[["score_technology", "score_industry"]] < 0.7).any(axis=1)
    assert ((s["regime"] == "traditional") == below).all()
    assert set(a.tables()) == {"scores", "summary", "dimensions"}


def test_analyze_from_csv_path_and_toml_text(panel, tmp_path):
    path = tmp_path / "p.csv"
    panel.to_csv(path, index=False)
    text = ('[data]\nid = "province"\nperiod = "year"\n\n[dimensions.technology]\ninputs = '
            '["rd_expenditure", "rd_personnel"]\noutputs = ["invention_patents"]\n')
    a = ef.analyze(str(path), text)
    direct = ef.dea(panel[panel["year"] == 2021], id="province", inputs=["rd_expenditure", "rd_personnel"],
                    outputs=["invention_patents"]).scores
    np.testing.assert_allclose(a.scores.loc[(panel["year"] == 2021).to_numpy(), "score_technology"], direct,
                               rtol=1e-12)
    # a single dimension couples with itself: C = 1
    assert (a.scores["coupling"] == 1.0).all()
