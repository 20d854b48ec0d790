"""Classic and spatial Markov chains (efficiency.regional.markov): hand counts, giddy, ergodic checks."""

from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd
import pytest

from efficiency.errors import DataError, EfficiencyWarning, SpecError
from efficiency.regional.markov import (
    ergodic_distribution,
    fig_markov,
    homogeneity_test,
    markov,
)

IDS = [f"r{i:02d}" for i in range(12)]
PAIRS = [(IDS[i], IDS[(i + 1) % 12]) for i in range(12)] + [(IDS[0], IDS[5]), (IDS[2], IDS[9]), (IDS[3], IDS[7])]


def _panel(seed=5, T=6):
    rng = np.random.default_rng(seed)
    Y = np.cumsum(rng.normal(size=(12, T)), axis=1) + rng.normal(size=(12, 1)) * 2
    df = pd.DataFrame({"id": np.repeat(IDS, T), "year": np.tile(np.arange(2000, 2000 + T), 12), "v": Y.ravel()})
    return df, Y


def test_hand_counted_small_panel():
    # 3 units, 3 periods, classes by breaks: (-inf, 1] -> 0, (1, 2] -> 1, (2, inf) -> 2
    df = pd.DataFrame({"u": list("aaabbbccc"), "t": [1, 2, 3] * 3,
                       "s": [0.5, 1.5, 2.5, 1.0, 1.0, 3.0, 2.5, 1.5, 0.2]})
    r = markov(df, value="s", id="u", period="t", breaks=[1.0, 2.0])
    # a: 0->1, 1->2; b: 0->0, 0->2; c: 2->1, 1->0
    expect = np.array([[1, 1, 1], [1, 0, 1], [0, 1, 0]])
    np.testing.assert_array_equal(r.counts.to_numpy(), expect)
    np.testing.assert_allclose(r.P.to_numpy(), expect / expect.sum(axis=1, keepdims=True), rtol=0, atol=0)
    np.testing.assert_array_equal(r.classes.to_numpy(), [[0, 1, 2], [0, 0, 2], [2, 1, 0]])
    np.testing.assert_allclose(r.initial.to_numpy(), [2 / 3, 0, 1 / 3])
    assert r.labels == ("[0.2, 1]", "(1, 2]", "(2, 3]")
    assert r.n_transitions == 6
    # stationary distribution of this P by hand: pi0 = pi0/3 + pi1/2, pi2 = pi0/3 + pi1/2, pi1 = pi0/3 + pi2
    np.testing.assert_allclose(r.ergodic.to_numpy(), [0.3, 0.4, 0.3], rtol=0, atol=1e-15)
    t = r.to_frame()
    assert list(t.columns) == ["lag_class", "from_class", "to_class", "count", "probability", "status"]
    assert len(t) == 9 and (t["lag_class"] == "all").all() and t["count"].sum() == 6


def test_rows_sum_to_one_and_ergodic_is_stationary():
    df, _ = _panel()
    r = markov(df, value="v", id="id", period="year", classes=3)
    P = r.P.to_numpy()
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    pi = r.ergodic.to_numpy()
    assert np.abs(pi @ P - pi).max() < 1e-12 and abs(pi.sum() - 1) < 1e-12
    rng = np.random.default_rng(0)
    Q = rng.random((6, 6))
    Q /= Q.sum(axis=1, keepdims=True)
    q = ergodic_distribution(Q)
    assert np.abs(q @ Q - q).max() < 1e-12
    two_closed = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.25, 0.25]])
    assert np.isnan(ergodic_distribution(two_closed)).all()


def test_equals_giddy_markov_and_spatial_markov():
    giddy = pytest.importorskip("giddy.markov")
    from efficiency.regional.spatial import spatial_weights

    df, Y = _panel()
    nb = pd.DataFrame(PAIRS, columns=["a", "b"])
    r = markov(df, value="v", id="id", period="year", neighbours=nb)
    g = giddy.Markov(r.classes.to_numpy(), summary=False)
    np.testing.assert_array_equal(g.transitions, r.counts.to_numpy())
    np.testing.assert_allclose(r.P.to_numpy(), g.p, rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(r.ergodic.to_numpy(), g.steady_state, rtol=1e-12, atol=1e-14)
    w = spatial_weights(IDS, neighbours=nb)
    sm = giddy.Spatial_Markov(Y, w, k=4, m=4, fixed=True)
    np.testing.assert_array_equal(sm.class_ids, r.classes.to_numpy())
    np.testing.assert_allclose(r.breaks, sm.cutoffs, rtol=1e-15)
    np.testing.assert_allclose(r.lag_breaks, sm.lag_cutoffs, rtol=1e-15)
    np.testing.assert_array_equal(sm.lclass_ids, r.lag_classes.to_numpy())
    np.testing.assert_array_equal(sm.T, r.spatial_counts)
    filled = r.spatial_counts.sum(axis=2) > 0
    np.testing.assert_allclose(r.spatial_P[filled], sm.P[filled], rtol=1e-15, atol=1e-15)
    assert np.isnan(r.spatial_P[~filled]).all()             # giddy leaves these rows 0; here they are NaN
    for a in range(4):
        if np.isfinite(r.spatial_ergodic.to_numpy()[a]).all():
            np.testing.assert_allclose(r.spatial_ergodic.to_numpy()[a], np.asarray(sm.S[a], float).ravel(), atol=1e-12)
    h = r.homogeneity
    assert h["dof"] == sm.dof_hom and h["dof"] > 0
    assert h["Q"] == pytest.approx(sm.Q, rel=1e-12) and h["LR"] == pytest.approx(sm.LR, rel=1e-12)
    assert h["Q_pvalue"] == pytest.approx(sm.Q_p_value, rel=1e-9) and h["LR_pvalue"] == pytest.approx(sm.LR_p_value, rel=1e-9)
    t = r.to_frame()
    assert len(t) == 5 * 16 and t.loc[t["lag_class"] != "all", "count"].sum() == 12 * 5


def test_homogeneity_by_hand():
    # two regimes, two classes; pooled counts [[3, 1], [2, 2]]
    M = np.array([[[2, 0], [1, 1]], [[1, 1], [1, 1]]])
    # pooled p = [[0.75, 0.25], [0.5, 0.5]]; row 1 is the same in both regimes
    Q = 2 * ((1 - 0.75) ** 2 / 0.75 + (0 - 0.25) ** 2 / 0.25) + 2 * ((0.5 - 0.75) ** 2 / 0.75 + (0.5 - 0.25) ** 2 / 0.25)
    LR = 2 * (2 * np.log(1 / 0.75) + 1 * np.log(0.5 / 0.75) + 1 * np.log(0.5 / 0.25))
    h = homogeneity_test(M)
    assert h["Q"] == pytest.approx(Q, rel=1e-14) and h["LR"] == pytest.approx(LR, rel=1e-14)
    assert h["dof"] == 2                                    # rows: (2 - 1)(2 - 1) each
    assert h["Q_pvalue"] == pytest.approx(np.exp(-Q / 2), rel=1e-12)   # chi2 with 2 dof: sf = exp(-x/2)


def test_unit_missing_a_period_is_an_error(tmp_path):
    df, _ = _panel()
    path = tmp_path / "scores.csv"
    df.drop(index=15).to_csv(path, index=False)             # r02, 2003
    with pytest.raises(DataError, match=r"scores\.csv: columns 'id', 'year': unit 'r02' has no row for period 2003"):
        markov(path, value="v", id="id", period="year")
    with pytest.raises(SpecError, match="period"):
        markov(df, value="v", id="id", period=None)


def test_ties_merge_quantile_classes_with_a_warning():
    df, _ = _panel()
    rng = np.random.default_rng(2)
    df["v"] = np.where(df.index % 4 == 0, rng.random(len(df)) * 0.9, 1.0)   # 3/4 of the scores on the frontier
    with pytest.warns(EfficiencyWarning, match="only 2 distinct quantile classes of the 4"):
        r = markov(df, value="v", id="id", period="year")
    assert r.k == 2 and r.labels[1].endswith(", 1]")
    assert (r.classes.to_numpy() == 1).sum() == 54                           # the scores of 1.0


def test_empty_row_is_nan_with_a_warning():
    df = pd.DataFrame({"u": list("aabbcc"), "t": [1, 2] * 3, "s": [0.5, 0.6, 0.7, 2.5, 0.4, 0.3]})
    with pytest.warns(EfficiencyWarning, match=r"no unit is in classes \(1, 2\], \(2, 2.5\] before the last"):
        r = markov(df, value="s", id="u", period="t", breaks=[1.0, 2.0])
    assert np.isnan(r.P.to_numpy()[1:]).all() and np.isnan(r.ergodic).all()
    np.testing.assert_array_equal(r.P.to_numpy()[0], [2 / 3, 0, 1 / 3])
    assert list(r.status) == ["ok"] * 3 + ["no transitions"] * 6


def test_classic_chain_needs_no_libpysal(monkeypatch):
    monkeypatch.setitem(sys.modules, "libpysal", None)
    df, _ = _panel()
    r = markov(df, value="v", id="id", period="year")
    assert r.k == 4 and not r.spatial
    with pytest.raises(SpecError, match="optional package 'libpysal'"):
        markov(df, value="v", id="id", period="year", neighbours=pd.DataFrame(PAIRS))


def test_island_is_an_error_for_the_spatial_chain():
    pytest.importorskip("libpysal")
    df, _ = _panel()
    with pytest.warns(EfficiencyWarning, match="island: 'r11'"), \
            pytest.raises(DataError, match="unit 'r11' has no neighbours"):
        markov(df, value="v", id="id", period="year", neighbours=pd.DataFrame(PAIRS[:10]))


def test_fig_markov_panels():
    pytest.importorskip("libpysal")
    df, _ = _panel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EfficiencyWarning)
        r = markov(df, value="v", id="id", period="year", neighbours=pd.DataFrame(PAIRS))
    fig = fig_markov(r)
    visible = [ax for ax in fig.axes if ax.get_visible() and ax.get_title()]
    assert len(visible) == 5
    texts = [t.get_text() for t in visible[0].texts]
    assert f"{r.P.iloc[0, 0]:.2f}\n({int(r.counts.iloc[0, 0])})" in texts
    assert "transition matrix" in r.summary()
