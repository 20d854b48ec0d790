"""Spatial weights and Moran's I (efficiency.regional.spatial): equal to the formula and to esda."""

from __future__ import annotations

import itertools
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from efficiency.errors import DataError, EfficiencyWarning, SpecError

pytest.importorskip("libpysal")
esda = pytest.importorskip("esda")

from efficiency.regional.spatial import fig_moran, moran, spatial_weights

IDS = [f"u{i}" for i in range(8)]
# a ring u0-u1-...-u7-u0 with two chords; each pair listed once
PAIRS = [(IDS[i], IDS[(i + 1) % 8]) for i in range(8)] + [("u0", "u4"), ("u2", "u6")]
YEARS = [2001, 2002, 2003]


def _panel(seed=1):
    rng = np.random.default_rng(seed)
    y = rng.random((8, 3))
    y[:4] += 0.6                                   # some spatial clustering
    return pd.DataFrame({"region": np.repeat(IDS, 3), "year": np.tile(YEARS, 8), "eff": y.ravel()}), y


def _binary(ids, pairs):
    pos = {u: i for i, u in enumerate(ids)}
    A = np.zeros((len(ids), len(ids)))
    for a, b in pairs:
        A[pos[a], pos[b]] = A[pos[b], pos[a]] = 1.0
    return A


def test_weights_symmetrised_row_standardised_in_given_order():
    order = IDS[::-1]
    w = spatial_weights(order, neighbours=pd.DataFrame(PAIRS, columns=["unit", "neighbour"]))
    assert w.id_order == order
    dense = w.full()[0]
    A = _binary(order, PAIRS)
    np.testing.assert_allclose(dense, A / A.sum(axis=1, keepdims=True), rtol=0, atol=1e-15)
    wb = spatial_weights(order, neighbours=pd.DataFrame(PAIRS), transform="b")
    np.testing.assert_array_equal(wb.full()[0], A)


def test_directed_links_when_not_symmetric():
    w = spatial_weights(IDS[:3], neighbours={"u0": ["u1"], "u1": ["u2"], "u2": ["u0"]}, transform="b",
                        symmetric=False)
    np.testing.assert_array_equal(w.full()[0], [[0, 1, 0], [0, 0, 1], [1, 0, 0]])


def test_unknown_unit_names_file_column_and_row(tmp_path):
    path = tmp_path / "nb.csv"
    path.write_text("unit,neighbour\nu0,u1\nu1,Atlantis\n")
    with pytest.raises(DataError, match=r"nb\.csv: column 'neighbour', row 2 \(line 3\): unknown unit 'Atlantis'"):
        spatial_weights(IDS, neighbours=path)
    path.write_text("unit,neighbour\nu0,u0\n")
    with pytest.raises(DataError, match="own neighbour"):
        spatial_weights(IDS, neighbours=path)
    path.write_text("unit,neighbour,weight\nu0,u1,1\n")
    with pytest.raises(DataError, match="two columns"):
        spatial_weights(IDS, neighbours=path)


def test_island_warns_and_names_the_unit():
    with pytest.warns(EfficiencyWarning, match=r"island: 'u7'"):
        w = spatial_weights(IDS, neighbours=pd.DataFrame([(IDS[i], IDS[i + 1]) for i in range(6)]))
    assert w.islands == ["u7"]


def test_integer_ids_match_csv_text(tmp_path):
    path = tmp_path / "nb.csv"
    path.write_text("a,b\n11,12\n12,13\n")
    w = spatial_weights([13, 12, 11], neighbours=path, transform="b")
    assert w.id_order == [13, 12, 11]
    assert sorted(w.neighbors[12]) == [11, 13]


def test_knn_and_distance_band_from_coordinates():
    xy = np.array([[0.0, 0.0], [1.0, 0.0], [3.0, 0.0], [3.0, 1.5], [10.0, 0.0]])
    ids = ["a", "b", "c", "d", "e"]
    table = pd.DataFrame({"id": ids[::-1], "x": xy[::-1, 0], "y": xy[::-1, 1]})   # rows in another order
    w = spatial_weights(ids, coordinates=table, k=1, transform="b")
    assert {u: list(w.neighbors[u]) for u in ids} == {"a": ["b"], "b": ["a"], "c": ["d"], "d": ["c"], "e": ["c"]}
    with pytest.warns(EfficiencyWarning, match="island: 'e'"):
        wd = spatial_weights(ids, coordinates=xy, threshold=1.9, transform="b")   # b-c is 2 apart
    assert {u: sorted(wd.neighbors[u]) for u in ids} == {"a": ["b"], "b": ["a"], "c": ["d"], "d": ["c"], "e": []}
    with pytest.raises(SpecError, match=r"give k \(k nearest neighbours\) or threshold"):
        spatial_weights(ids, coordinates=xy)
    with pytest.raises(DataError, match="no coordinates for unit 'e'"):
        spatial_weights(ids, coordinates=table.iloc[1:], k=1)


def test_missing_libpysal_is_a_clear_spec_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "libpysal", None)
    with pytest.raises(SpecError, match=r"optional package 'libpysal' \(pip install 'innovation-efficiency\[spatial\]'\)"):
        spatial_weights(IDS, neighbours=pd.DataFrame(PAIRS))


def test_missing_esda_is_a_clear_spec_error(monkeypatch):
    df, _ = _panel()
    monkeypatch.setitem(sys.modules, "esda", None)
    with pytest.raises(SpecError, match="optional package 'esda'"):
        moran(df, value="eff", id="region", period="year", neighbours=pd.DataFrame(PAIRS))


def test_global_moran_equals_the_formula_and_esda():
    df, y = _panel()
    r = moran(df, value="eff", id="region", period="year", neighbours=pd.DataFrame(PAIRS), permutations=99, seed=7)
    A = _binary(IDS, PAIRS)
    W = A / A.sum(axis=1, keepdims=True)
    w = spatial_weights(IDS, neighbours=pd.DataFrame(PAIRS))
    t = r.to_frame()
    assert list(t["year"]) == YEARS and list(t["status"]) == ["ok"] * 3
    for k in range(3):
        z = y[:, k] - y[:, k].mean()
        hand = 8 / W.sum() * (z @ W @ z) / (z @ z)
        assert abs(t["I"].iloc[k] - hand) < 1e-12
        ref = esda.Moran(y[:, k], w, permutations=0)
        for col in ("I", "EI", "VI_norm", "z_norm", "p_norm", "VI_rand", "z_rand", "p_rand"):
            assert t[col].iloc[k] == pytest.approx(float(getattr(ref, col)), rel=1e-13, abs=1e-15), col
        loc = r.local[r.local["year"] == YEARS[k]]
        ref_l = esda.Moran_Local(y[:, k], w, permutations=0)
        np.testing.assert_allclose(loc["Ii"], ref_l.Is, rtol=1e-13, atol=1e-15)
        zs = (y[:, k] - y[:, k].mean()) / y[:, k].std()
        np.testing.assert_allclose(loc["Ii"], 7 * zs * (W @ zs) / (zs @ zs), rtol=1e-12, atol=1e-14)
        quad = np.where(zs > 0, np.where(W @ zs > 0, "HH", "HL"), np.where(W @ zs > 0, "LH", "LL"))
        assert list(loc["quadrant"]) == list(quad)
        assert list(loc["region"]) == IDS
    assert t["EI"].iloc[0] == pytest.approx(-1 / 7, abs=1e-15)


def test_ids_order_of_the_input_kept_and_weights_object_accepted():
    df, _y = _panel()
    df = df.iloc[::-1].reset_index(drop=True)          # units now first seen in reverse order
    w = spatial_weights(IDS, neighbours=pd.DataFrame(PAIRS))
    r1 = moran(df, value="eff", id="region", period="year", neighbours=w, permutations=0)
    r2 = moran(df, value="eff", id="region", period="year", neighbours=pd.DataFrame(PAIRS), permutations=0)
    assert list(r1.local["region"].iloc[:8]) == IDS[::-1]
    np.testing.assert_array_equal(r1.table["I"], r2.table["I"])
    assert list(r1.table["year"]) == YEARS


def test_permutation_pvalues_reproducible_with_a_seed():
    df, _ = _panel()
    nb = pd.DataFrame(PAIRS)
    state = np.random.get_state()[1].copy()
    a = moran(df, value="eff", id="region", period="year", neighbours=nb, permutations=199, seed=11)
    assert np.array_equal(np.random.get_state()[1], state)          # the global generator is left as it was
    b = moran(df, value="eff", id="region", period="year", neighbours=nb, permutations=199, seed=11)
    c = moran(df, value="eff", id="region", period="year", neighbours=nb, permutations=199, seed=12)
    np.testing.assert_array_equal(a.table["p_sim"], b.table["p_sim"])
    np.testing.assert_array_equal(a.local["p"], b.local["p"])
    assert not np.array_equal(a.local["p"], c.local["p"])
    p = a.table["p_sim"].to_numpy()
    assert np.all((p >= 1 / 200) & (p <= 0.5 + 1 / 200))
    assert np.allclose(p * 200, np.round(p * 200))                  # (m + 1) / (P + 1)


def test_local_conditional_permutation_matches_exact_enumeration():
    """For a small map the conditional permutation distribution of I_i is enumerable: the k_i
    neighbours' values are an ordered draw without replacement from the other n - 1 values."""
    ids = ["a", "b", "c", "d", "e", "f"]
    pairs = [("a", "b"), ("a", "c"), ("b", "c"), ("c", "d"), ("d", "e"), ("e", "f"), ("a", "f")]
    y = np.array([0.9, 0.8, 0.75, 0.3, 0.2, 0.4])
    df = pd.DataFrame({"id": ids, "v": y})
    r = moran(df, value="v", id="id", neighbours=pd.DataFrame(pairs), permutations=9999, seed=3)
    w = spatial_weights(ids, neighbours=pd.DataFrame(pairs))
    z = (y - y.mean()) / y.std()
    for i, u in enumerate(ids):
        nbrs = [ids.index(v) for v in w.neighbors[u]]
        wi = np.array(w.weights[u])
        Ii = 5 * z[i] * (wi @ z[nbrs]) / (z @ z)
        others = [j for j in range(6) if j != i]
        sims = np.array([5 * z[i] * (wi @ z[list(c)]) / (z @ z) for c in itertools.permutations(others, len(nbrs))])
        q = np.mean(sims >= Ii - 1e-12)
        exact = min(q, 1 - q)
        assert r.local["p"].iloc[i] == pytest.approx(exact, abs=0.02), u


def test_unbalanced_panel_and_constant_period():
    df, _ = _panel()
    with pytest.raises(DataError, match="unit 'u3' has no row for period 2002"):
        moran(df.drop(index=10), value="eff", id="region", period="year", neighbours=pd.DataFrame(PAIRS))
    df.loc[df["year"] == 2002, "eff"] = 0.5
    with pytest.warns(EfficiencyWarning, match="does not vary in period"):
        r = moran(df, value="eff", id="region", period="year", neighbours=pd.DataFrame(PAIRS), permutations=9)
    assert list(r.status) == ["ok", "constant", "ok"]
    assert np.isnan(r.table["I"].iloc[1]) and np.isfinite(r.table["I"].iloc[0])


def test_bad_values_name_the_row(tmp_path):
    path = tmp_path / "scores.csv"
    path.write_text("region,eff\nu0,0.5\nu1,abc\nu2,0.7\n")
    with pytest.raises(DataError, match=r"scores\.csv: column 'eff', row 2 \(line 3, id 'u1'\): 'abc' is not a number"):
        moran(path, value="eff", id="region", neighbours=pd.DataFrame(PAIRS[:2]))


def test_fig_moran_slope_is_I():
    df, _ = _panel()
    r = moran(df, value="eff", id="region", period="year", neighbours=pd.DataFrame(PAIRS), permutations=19, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = fig_moran(r, period=2002)
    ax = fig.axes[0]
    assert "spatial lag" in ax.get_ylabel() and "2002" in ax.get_title()
    line = ax.get_lines()[0]
    x, yv = line.get_data()
    assert (yv[1] - yv[0]) / (x[1] - x[0]) == pytest.approx(r.table["I"].iloc[1], rel=1e-12)
    assert "Moran's I of 'eff'" in r.summary()


def test_great_circle_distances_with_radius():
    # one degree of longitude: 111.19 km on the equator, 19.31 km at 80 degrees north
    lonlat = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 80.0], [1.0, 80.0]])
    with pytest.warns(EfficiencyWarning, match="islands: 'a', 'b'"):
        w = spatial_weights(list("abcd"), coordinates=lonlat, threshold=110.0, radius=6371.0, transform="b")
    assert dict(w.neighbors) == {"a": [], "b": [], "c": ["d"], "d": ["c"]}
    w = spatial_weights(list("abcd"), coordinates=lonlat, threshold=112.0, radius=6371.0, transform="b")
    assert dict(w.neighbors) == {"a": ["b"], "b": ["a"], "c": ["d"], "d": ["c"]}


def test_warning_points_at_the_caller():
    with pytest.warns(EfficiencyWarning) as record:
        spatial_weights(IDS, neighbours=pd.DataFrame([(IDS[i], IDS[i + 1]) for i in range(6)]))
    assert record[0].filename == __file__


def test_too_few_units_and_a_panel_without_period():
    df, _ = _panel()
    with pytest.raises(DataError, match=r"unit 'u0' appears twice, in row 1 and row 2 \(a panel\? give the period"):
        moran(df, value="eff", id="region", neighbours=pd.DataFrame(PAIRS))
    small = pd.DataFrame({"region": IDS[:3], "eff": [0.1, 0.5, 0.9]})
    with pytest.raises(DataError, match="3 units; Moran's I needs at least 4"):
        moran(small, value="eff", id="region", neighbours=pd.DataFrame(PAIRS[:2]))
    with pytest.raises(DataError, match="unknown value column 'score'"):
        moran(small, value="score", id="region", neighbours=pd.DataFrame(PAIRS[:2]))


def test_moran_from_coordinates_csv_with_integer_ids(tmp_path):
    rng = np.random.default_rng(4)
    codes = list(range(101, 113))
    xy = rng.random((12, 2)) * 10
    pd.DataFrame({"code": codes, "x": xy[:, 0], "y": xy[:, 1]}).to_csv(tmp_path / "xy.csv", index=False)
    v = rng.random(12)
    pd.DataFrame({"code": codes, "eff": v}).to_csv(tmp_path / "s.csv", index=False)
    r = moran(tmp_path / "s.csv", value="eff", id="code", coordinates=tmp_path / "xy.csv", k=3, permutations=0)
    d = np.linalg.norm(xy[:, None] - xy[None], axis=2)
    np.fill_diagonal(d, np.inf)
    W = np.zeros((12, 12))
    for i in range(12):
        W[i, np.argsort(d[i])[:3]] = 1 / 3
    z = v - v.mean()
    assert r.table["I"].iloc[0] == pytest.approx(12 / W.sum() * (z @ W @ z) / (z @ z), rel=1e-12)
    assert list(r.local["code"]) == codes and r.weights.id_order == codes
    assert np.isnan(r.table["p_sim"].iloc[0]) and r.local["p"].isna().all()
