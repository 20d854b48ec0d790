"""Regional disparity (efficiency.regional.disparity): Dagum (1997) Gini decomposition, Theil T and L
(Shorrocks 1980), kernel densities and their figures.

Checked: a hand-computed Dagum example (exact fractions); every component against a plain O(n^2)
double loop written here; G = G_w + G_nb + G_t to 1e-12; scale invariance; the Theil indices against
their direct formulas and the within + between identity; zero inequality for equal scores; the kernel
densities against scipy's gaussian_kde and Scott's rule; the figures; bad input (file, column, row)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from efficiency.errors import DataError, SpecError
from efficiency.regional.disparity import (
    dagum_gini,
    fig_dagum,
    fig_density,
    score_density,
    theil,
)

# Hand example: group A = {1, 3}, group B = {2, 6}.
#   G_AA = 4 / (2 * 4 * 2) = 1/4, G_BB = 8 / (2 * 4 * 4) = 1/4, G_AB = 10 / (2 * 2 * 6) = 5/12,
#   G = 32 / (2 * 16 * 3) = 1/3; p = (1/2, 1/2), s = (1/3, 2/3); G_w = 1/8;
#   B is richer: d = (1 + 5 + 3 + 0) / 4 = 9/4, p = 1/4, D = 8/10; weight = 1/2;
#   G_nb = 5/12 * 1/2 * 4/5 = 1/6, G_t = 5/12 * 1/2 * 1/5 = 1/24.
HAND = pd.DataFrame({"id": [1, 2, 3, 4], "g": ["A", "A", "B", "B"], "y": [1.0, 3.0, 2.0, 6.0]})


def _panel(seed=3, periods=(2019, 2017, 2018), groups=("east", "west", "centre"), n_per=(7, 5, 9)):
    rng = np.random.default_rng(seed)
    rows = []
    for p in periods:
        for g, n in zip(groups, n_per):
            for i in range(n):
                rows.append({"unit": f"{g}{i}", "year": p, "area": g,
                             "eff": float(rng.uniform(0.2, 1.0)), "eff2": float(rng.uniform(0.5, 1.0))})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------------------
# Plain double loops (no code shared with the module)
# --------------------------------------------------------------------------------------------------

def _loop_sum(a, b):
    return sum(abs(x - y) for x in a for y in b)


def _loop_dagum(y, g):
    labels = list(dict.fromkeys(g))
    parts = {k: [v for v, h in zip(y, g) if h == k] for k in labels}
    n, mean = len(y), sum(y) / len(y)
    G = _loop_sum(y, y) / (2 * n * n * mean)
    p = {k: len(v) / n for k, v in parts.items()}
    m = {k: sum(v) / len(v) for k, v in parts.items()}
    s = {k: len(parts[k]) * m[k] / (n * mean) for k in labels}
    gjj = {k: _loop_sum(v, v) / (2 * len(v) ** 2 * m[k]) for k, v in parts.items()}
    Gw = sum(gjj[k] * p[k] * s[k] for k in labels)
    Gnb = Gt = 0.0
    pairs = {}
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            j, h = (a, b) if m[a] >= m[b] else (b, a)
            gjh = _loop_sum(parts[j], parts[h]) / (len(parts[j]) * len(parts[h]) * (m[j] + m[h]))
            d = sum(x - z for x in parts[j] for z in parts[h] if x > z) / (len(parts[j]) * len(parts[h]))
            q = sum(z - x for x in parts[j] for z in parts[h] if z > x) / (len(parts[j]) * len(parts[h]))
            D = (d - q) / (d + q)
            w = p[j] * s[h] + p[h] * s[j]
            Gnb += gjh * w * D
            Gt += gjh * w * (1 - D)
            pairs[(j, h)] = (gjh, D)
    return G, Gw, Gnb, Gt, gjj, pairs


# --------------------------------------------------------------------------------------------------
# Dagum
# --------------------------------------------------------------------------------------------------

def test_dagum_hand_example():
    r = dagum_gini(HAND, value="y", group="g", id="id")
    row = r.to_frame().iloc[0]
    assert row["gini"] == pytest.approx(1 / 3, abs=1e-15)
    assert row["within"] == pytest.approx(1 / 8, abs=1e-15)
    assert row["net_between"] == pytest.approx(1 / 6, abs=1e-15)
    assert row["transvariation"] == pytest.approx(1 / 24, abs=1e-15)
    assert row["within_share"] == pytest.approx(3 / 8, abs=1e-15)
    assert row["net_between_share"] == pytest.approx(1 / 2, abs=1e-15)
    assert row["transvariation_share"] == pytest.approx(1 / 8, abs=1e-15)
    w = r.within_groups
    assert list(w["g"]) == ["A", "B"]
    np.testing.assert_allclose(w["gini"], [0.25, 0.25], atol=1e-15)
    np.testing.assert_allclose(w["score_share"], [1 / 3, 2 / 3], atol=1e-15)
    b = r.between_groups.iloc[0]
    assert (b["g_j"], b["g_h"]) == ("B", "A")             # the richer group first, as Dagum
    assert b["gini_jh"] == pytest.approx(5 / 12, abs=1e-15)
    assert b["d_jh"] == pytest.approx(9 / 4, abs=1e-15)
    assert b["p_jh"] == pytest.approx(1 / 4, abs=1e-15)
    assert b["D_jh"] == pytest.approx(0.8, abs=1e-15)
    assert b["weight"] == pytest.approx(0.5, abs=1e-15)
    assert "Dagum" in r.summary() and list(r.status) == ["ok"]


def test_dagum_against_double_loop_and_identity():
    df = _panel()
    r = dagum_gini(df, value=["eff", "eff2"], group="area", id="unit", period="year")
    t = r.to_frame()
    assert list(t["variable"]) == ["eff"] * 3 + ["eff2"] * 3
    assert list(t["year"]) == [2017, 2018, 2019] * 2            # numeric period order
    assert list(r.within_groups["area"][:3]) == ["east", "west", "centre"]   # first appearance
    np.testing.assert_allclose(t["within"] + t["net_between"] + t["transvariation"], t["gini"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(t["within_share"] + t["net_between_share"] + t["transvariation_share"], 1.0,
                               atol=1e-12)
    for _, row in t.iterrows():
        part = df[df["year"] == row["year"]]
        G, Gw, Gnb, Gt, gjj, pairs = _loop_dagum(list(part[row["variable"]]), list(part["area"]))
        assert row["gini"] == pytest.approx(G, rel=1e-12)
        assert row["within"] == pytest.approx(Gw, rel=1e-12)
        assert row["net_between"] == pytest.approx(Gnb, rel=1e-12)
        assert row["transvariation"] == pytest.approx(Gt, rel=1e-12)
        w = r.within_groups[(r.within_groups["variable"] == row["variable"]) & (r.within_groups["year"] == row["year"])]
        np.testing.assert_allclose(w["gini"], [gjj[k] for k in w["area"]], rtol=1e-12)
        assert w["contribution"].sum() == pytest.approx(row["within"], rel=1e-12)
        b = r.between_groups[(r.between_groups["variable"] == row["variable"])
                             & (r.between_groups["year"] == row["year"])]
        assert len(b) == 3
        for _, br in b.iterrows():
            gjh, D = pairs[(br["area_j"], br["area_h"])]
            assert br["gini_jh"] == pytest.approx(gjh, rel=1e-12)
            assert br["D_jh"] == pytest.approx(D, rel=1e-12)
            assert br["mean_j"] >= br["mean_h"]
        assert b["net_between"].sum() == pytest.approx(row["net_between"], rel=1e-12)


def test_dagum_scale_invariance_and_csv(tmp_path):
    df = _panel(seed=5)
    a = dagum_gini(df, value="eff", group="area", period="year").to_frame()
    scaled = df.assign(eff=df["eff"] * 7.3)
    b = dagum_gini(scaled, value="eff", group="area", period="year").to_frame()
    cols = ["gini", "within", "net_between", "transvariation"]
    np.testing.assert_allclose(a[cols], b[cols], rtol=1e-12)
    path = tmp_path / "scores.csv"
    df.to_csv(path, index=False)
    c = dagum_gini(str(path), value="eff", group="area", period="year", id="unit").to_frame()
    np.testing.assert_allclose(a[cols], c[cols], rtol=1e-15)


def test_dagum_equal_scores_and_large_n_is_fast():
    eq = pd.DataFrame({"g": ["a", "b"] * 5, "y": [0.7] * 10})
    row = dagum_gini(eq, value="y", group="g").to_frame().iloc[0]
    assert row["gini"] == 0.0 and row["within"] == 0.0 and np.isnan(row["within_share"])
    rng = np.random.default_rng(0)
    big = pd.DataFrame({"g": rng.integers(0, 4, 200_000), "y": rng.uniform(0.1, 1, 200_000)})
    row = dagum_gini(big, value="y", group="g").to_frame().iloc[0]
    assert row["within"] + row["net_between"] + row["transvariation"] == pytest.approx(row["gini"], abs=1e-12)
    assert row["gini"] == pytest.approx(0.9 / (3 * 1.1), abs=2e-3)   # uniform(a, b): (b - a) / (3 (a + b))


def test_dagum_errors(tmp_path):
    with pytest.raises(DataError, match="1 group .*at least 2 groups"):
        dagum_gini(HAND.assign(g="A"), value="y", group="g")
    df = _panel()
    gone = df[~((df["year"] == 2018) & (df["area"] == "west"))]
    with pytest.raises(DataError, match="group 'west' has no units in period 2018"):
        dagum_gini(gone, value="eff", group="area", period="year")
    path = tmp_path / "bad.csv"
    bad = HAND.astype(object)
    bad.loc[2, "y"] = "n/a"
    bad.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"bad\.csv: column 'y', row 3 \(line 4, id '3'\): missing value"):
        dagum_gini(str(path), value="y", group="g", id="id")
    bad.loc[2, "y"] = "abc"
    bad.to_csv(path, index=False)
    with pytest.raises(DataError, match="'abc' is not a number"):
        dagum_gini(str(path), value="y", group="g", id="id")
    with pytest.raises(DataError, match="row 2.*negative|value -1"):
        dagum_gini(HAND.assign(y=[1.0, -1.0, 2.0, 3.0]), value="y", group="g")
    with pytest.raises(DataError, match="missing group"):
        dagum_gini(HAND.assign(g=["A", None, "B", "B"]), value="y", group="g")
    with pytest.raises(DataError, match="unknown group column 'grp'"):
        dagum_gini(HAND, value="y", group="grp")
    with pytest.raises(DataError, match="columns 'unit', 'year': duplicate id 'east0/2019' in row 1 and row 64"):
        dagum_gini(pd.concat([df, df.iloc[:1]]), value="eff", group="area", period="year", id="unit")
    with pytest.raises(SpecError, match="group"):
        dagum_gini(HAND, value="y", group=None)


# --------------------------------------------------------------------------------------------------
# Theil
# --------------------------------------------------------------------------------------------------

def test_theil_direct_formulas_and_decomposition():
    df = _panel(seed=11)
    r = theil(df, value="eff", group="area", period="year")
    t = r.to_frame()
    assert list(t["year"]) == [2017, 2018, 2019]
    np.testing.assert_allclose(t["theil_t_within"] + t["theil_t_between"], t["theil_t"], atol=1e-12, rtol=0)
    np.testing.assert_allclose(t["theil_l_within"] + t["theil_l_between"], t["theil_l"], atol=1e-12, rtol=0)
    for _, row in t.iterrows():
        part = df[df["year"] == row["year"]]
        y = list(part["eff"])
        mu = sum(y) / len(y)
        T = sum(v / mu * np.log(v / mu) for v in y) / len(y)
        L = sum(np.log(mu / v) for v in y) / len(y)
        assert row["theil_t"] == pytest.approx(T, rel=1e-12)
        assert row["theil_l"] == pytest.approx(L, rel=1e-12)
        Tb = Lb = 0.0
        for g, gp in part.groupby("area"):
            mg, ng = gp["eff"].mean(), len(gp)
            Tb += ng * mg / (len(y) * mu) * np.log(mg / mu)
            Lb += ng / len(y) * np.log(mu / mg)
            grow = r.groups[(r.groups["year"] == row["year"]) & (r.groups["area"] == g)].iloc[0]
            Tg = np.mean(gp["eff"] / mg * np.log(gp["eff"] / mg))
            assert grow["theil_t"] == pytest.approx(Tg, rel=1e-12)
            assert grow["theil_l"] == pytest.approx(np.mean(np.log(mg / gp["eff"])), rel=1e-12)
        assert row["theil_t_between"] == pytest.approx(Tb, rel=1e-11)
        assert row["theil_l_between"] == pytest.approx(Lb, rel=1e-11)
        g = r.groups[r.groups["year"] == row["year"]]
        assert g["theil_t_contribution"].sum() == pytest.approx(row["theil_t_within"], rel=1e-12)
        assert g["theil_l_contribution"].sum() == pytest.approx(row["theil_l_within"], rel=1e-12)


def test_theil_equal_values_and_errors():
    row = theil(pd.DataFrame({"g": ["a", "b", "a"], "y": [0.8, 0.8, 0.8]}), value="y", group="g").to_frame().iloc[0]
    assert row["theil_t"] == 0.0 and row["theil_l"] == 0.0
    assert row["theil_t_between"] == 0.0 and np.isnan(row["theil_t_within_share"])
    # between groups only: every unit equals its group's mean
    row = theil(pd.DataFrame({"g": ["a", "a", "b", "b"], "y": [1.0, 1.0, 3.0, 3.0]}), value="y",
                group="g").to_frame().iloc[0]
    assert row["theil_t_within"] == 0.0 and row["theil_t_between_share"] == pytest.approx(1.0, abs=1e-15)
    assert row["theil_t"] == pytest.approx((0.5 * np.log(0.5) + 1.5 * np.log(1.5)) / 2, rel=1e-14)
    with pytest.raises(DataError, match=r"column 'y', row 2 \(id 'b'\): value 0; a Theil index needs positive"):
        theil(pd.DataFrame({"k": ["a", "b"], "g": ["x", "y"], "y": [1.0, 0.0]}), value="y", group="g", id="k")


# --------------------------------------------------------------------------------------------------
# Kernel densities and figures
# --------------------------------------------------------------------------------------------------

def test_score_density_matches_gaussian_kde():
    from scipy.stats import gaussian_kde
    df = _panel(seed=2)
    d = score_density(df, value="eff", period="year", grid=150)
    assert list(d.columns) == ["year", "x", "density", "bandwidth", "n"]
    assert list(pd.unique(d["year"])) == [2017, 2018, 2019]
    assert len(d) == 3 * 150
    x = d["x"].to_numpy()[:150]
    for p, part in d.groupby("year"):
        y = df.loc[df["year"] == p, "eff"].to_numpy()
        np.testing.assert_allclose(part["density"], gaussian_kde(y)(x), rtol=1e-13)
        h = len(y) ** (-1 / 5) * np.std(y, ddof=1)                     # Scott's rule
        assert part["bandwidth"].iloc[0] == pytest.approx(h, rel=1e-12)
        assert np.trapezoid(part["density"], x) == pytest.approx(1.0, abs=2e-3)
    s = score_density(df, value="eff", period="year", bandwidth="silverman")
    y = df.loc[df["year"] == 2017, "eff"].to_numpy()
    assert s["bandwidth"].iloc[0] == pytest.approx((len(y) * 3 / 4) ** (-1 / 5) * np.std(y, ddof=1), rel=1e-12)
    with pytest.raises(SpecError, match="bandwidth"):
        score_density(df, value="eff", period="year", bandwidth="wide")
    with pytest.raises(DataError, match="in period 2018: every score is 0.5"):
        score_density(df.assign(eff=np.where(df["year"] == 2018, 0.5, df["eff"])), value="eff", period="year")


def test_figures():
    from efficiency.plotting import pyplot
    plt = pyplot()
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"year": np.repeat(np.arange(2008, 2020), 15), "eff": rng.beta(5, 2, 180),
                       "area": np.tile(["n", "s", "w"], 60)})
    fig = fig_density(score_density(df, value="eff", period="year"))
    ax = fig.axes[0]
    assert len(ax.get_lines()) == 12 and ax.get_xlabel() == "eff" and ax.get_ylabel() == "density"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [str(y) for y in range(2008, 2020)]
    assert ax.get_lines()[0].get_color() != ax.get_lines()[-1].get_color()
    plt.close(fig)
    r = dagum_gini(df, value="eff", group="area", period="year")
    fig = fig_dagum(r)
    a1, a2 = fig.axes
    heights = np.zeros(12)
    for patch in a1.patches:
        heights[round(patch.get_x() + patch.get_width() / 2)] += patch.get_height()
    np.testing.assert_allclose(heights, r.to_frame()["gini"], atol=1e-12)
    assert len(a2.get_lines()) == 3 and a2.get_ylabel()
    plt.close(fig)
