"""Partial frontiers (efficiency.partial): order-m (Cazals, Florens and Simar 2002) and order-alpha
(Aragon, Daouia and Thomas-Agnan 2005; Daouia and Simar 2007).

Checked: a hand example; an independent brute-force recomputation (enumeration of every m-tuple of
draws, the quantile definition by counting); the limits (order-m -> FDH as m grows, order-alpha = FDH
at alpha = 1); order-m >= FDH (theta); Monte Carlo against the exact value within its standard error;
seeds; orientation; robustness to one outlier; bad input."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import efficiency as ef
from efficiency.errors import DataError, SpecError

# Hand example: one input x, one output y.
HAND = pd.DataFrame({"dmu": ["A", "B", "C", "D", "E"], "x": [2.0, 4.0, 3.0, 6.0, 5.0],
                     "y": [1.0, 2.0, 2.0, 3.0, 1.0]})


def _data(n=50, seed=1, m=2, s=1):
    rng = np.random.default_rng(seed)
    X = rng.uniform(1, 10, (n, m))
    Y = (X.prod(axis=1) ** (0.6 / m))[:, None] * rng.uniform(0.5, 1.0, (n, s))
    return X, Y


# ---------------------------------------------------------------------------------------------------
# Independent brute force (plain Python loops; no code shared with the module)
# ---------------------------------------------------------------------------------------------------

def _dominating_ratios(X, Y, o, orientation):
    out = []
    for j in range(X.shape[0]):
        if orientation == "input" and all(Y[j, r] >= Y[o, r] for r in range(Y.shape[1])):
            out.append(max(X[j, i] / X[o, i] for i in range(X.shape[1])))
        if orientation == "output" and all(X[j, i] <= X[o, i] for i in range(X.shape[1])):
            out.append(min(Y[j, r] / Y[o, r] for r in range(Y.shape[1])))
    return out


def _brute_order_m(X, Y, m, orientation):
    """E[min (input) / max (output) of m draws], by P(extreme = v) over the distinct values v."""
    res = []
    for o in range(X.shape[0]):
        r = _dominating_ratios(X, Y, o, orientation)
        N = len(r)
        total = 0.0
        for v in sorted(set(r)):
            if orientation == "input":      # P(min >= v) - P(min > v)
                p = (sum(t >= v for t in r) / N) ** m - (sum(t > v for t in r) / N) ** m
            else:                           # P(max <= v) - P(max < v)
                p = (sum(t <= v for t in r) / N) ** m - (sum(t < v for t in r) / N) ** m
            total += p * v
        res.append(total)
    return np.array(res)


def _extreme_moment(X, Y, m, orientation, power):
    """E[extreme^power] of m draws, by enumeration over distinct values (as _brute_order_m)."""
    res = []
    for o in range(X.shape[0]):
        r = _dominating_ratios(X, Y, o, orientation)
        N = len(r)
        total = 0.0
        for v in sorted(set(r)):
            if orientation == "input":
                p = (sum(t >= v for t in r) / N) ** m - (sum(t > v for t in r) / N) ** m
            else:
                p = (sum(t <= v for t in r) / N) ** m - (sum(t < v for t in r) / N) ** m
            total += p * v ** power
        res.append(total)
    return np.array(res)


def _brute_order_alpha(X, Y, alpha, orientation):
    """inf{theta : #{r <= theta} / N > 1 - alpha} (input); sup{lam : #{s >= lam} / N > 1 - alpha}."""
    res = []
    for o in range(X.shape[0]):
        r = _dominating_ratios(X, Y, o, orientation)
        N = len(r)
        if orientation == "input":
            res.append(min(t for t in r if sum(u <= t for u in r) / N > 1 - alpha))
        else:
            res.append(max(t for t in r if sum(u >= t for u in r) / N > 1 - alpha))
    return np.array(res)


# ---------------------------------------------------------------------------------------------------
# Hand example
# ---------------------------------------------------------------------------------------------------

def test_hand_example_order_m_exact():
    r = ef.partial_frontier(HAND, id="dmu", inputs="x", outputs="y", m=2, B=None)
    f = r.to_frame()
    assert list(f.index) == ["A", "B", "C", "D", "E"]
    assert list(f.columns) == ["efficiency", "status", "farrell", "n_dominating"]
    # E: ratios 0.4, 0.6, 0.8, 1.0, 1.2 -> E[min of 2] = 0.4 + 0.2 (16 + 9 + 4 + 1) / 25 = 0.64
    assert f.loc["E", "efficiency"] == pytest.approx(0.64, abs=1e-12)
    # B: dominated in y by B, C, D: ratios 1, 0.75, 1.5 -> 0.75 + 0.25 * 4/9 + 0.5 * 1/9 = 11/12
    assert f.loc["B", "efficiency"] == pytest.approx(11 / 12, abs=1e-12)
    assert f.loc["D", "efficiency"] == pytest.approx(1.0, abs=1e-12)       # only D itself
    assert f.loc["E", "n_dominating"] == 5 and f.loc["B", "n_dominating"] == 3
    assert (f["status"] == "optimal").all()
    # order-m is >= FDH, FDH(E) = 0.4, FDH(B) = 0.75
    assert f.loc["E", "efficiency"] > 0.4 and f.loc["B", "efficiency"] > 0.75


def test_hand_example_output_and_alpha():
    out = ef.partial_frontier(HAND, id="dmu", inputs="x", outputs="y", orientation="output", m=1, B=None)
    # E: dominated in x by A, B, C, E with y ratios 1, 2, 2, 1: lambda_1 = mean = 1.5
    assert out.farrell["E"] == pytest.approx(1.5, abs=1e-12)
    assert out.scores["E"] == pytest.approx(1 / 1.5, abs=1e-12)
    out2 = ef.partial_frontier(HAND, id="dmu", inputs="x", outputs="y", orientation="output", m=2, B=None)
    assert out2.farrell["E"] == pytest.approx(2 - 0.25, abs=1e-12)          # 2 - (2/4)^2 * 1
    for alpha, want in ((1.0, 0.4), (0.9, 0.4), (0.8, 0.6), (0.5, 0.8), (0.1, 1.2)):
        a = ef.partial_frontier(HAND, id="dmu", inputs="x", outputs="y", method="order-alpha", alpha=alpha)
        assert a.scores["E"] == pytest.approx(want, abs=1e-12), alpha
    # (1 - alpha) N = 1 exactly at alpha = 0.8, N = 5: the second smallest (k = floor(1) + 1 = 2)
    a = ef.partial_frontier(HAND, id="dmu", inputs="x", outputs="y", method="order-alpha", alpha=0.5,
                            orientation="output")
    assert a.farrell["E"] == pytest.approx(1.0, abs=1e-12)                 # ratios 1,1,2,2: k = 3rd largest
    assert a.std_error is None and "std_error" not in a.to_frame().columns


def test_exact_equals_enumeration_of_all_draws():
    X, Y = _data(n=7, seed=3)
    for orientation in ("input", "output"):
        r = ef.partial_frontier(inputs=X, outputs=Y, m=3, B=None, orientation=orientation).farrell.to_numpy()
        for o in range(7):
            v = _dominating_ratios(X, Y, o, orientation)
            pick = min if orientation == "input" else max
            tuples = list(itertools.product(v, repeat=3))
            assert r[o] == pytest.approx(sum(pick(t) for t in tuples) / len(tuples), rel=1e-12)


# ---------------------------------------------------------------------------------------------------
# Brute force, limits, ordering
# ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("orientation", ["input", "output"])
def test_brute_force_recomputation(orientation):
    X, Y = _data(n=40, seed=5, m=2, s=2)
    for m in (1, 5, 30):
        r = ef.partial_frontier(inputs=X, outputs=Y, m=m, B=None, orientation=orientation)
        np.testing.assert_allclose(r.farrell.to_numpy(), _brute_order_m(X, Y, m, orientation), rtol=1e-12)
    for alpha in (0.87, 0.93, 0.99, 1.0):
        a = ef.partial_frontier(inputs=X, outputs=Y, method="order-alpha", alpha=alpha, orientation=orientation)
        np.testing.assert_allclose(a.farrell.to_numpy(), _brute_order_alpha(X, Y, alpha, orientation), rtol=0)


@pytest.mark.parametrize("orientation", ["input", "output"])
def test_limits_are_fdh(orientation):
    X, Y = _data(n=50, seed=1)
    fdh = ef.dea(inputs=X, outputs=Y, model="fdh", orientation=orientation).scores.to_numpy()
    a1 = ef.partial_frontier(inputs=X, outputs=Y, method="order-alpha", alpha=1, orientation=orientation)
    np.testing.assert_array_equal(a1.scores.to_numpy(), fdh)
    # exact order-m approaches FDH within the bound ((N - 1) / N)^m (r_(N) - r_(1))
    prev = np.inf
    for m in (25, 100, 500, 2000):
        e = ef.partial_frontier(inputs=X, outputs=Y, m=m, B=None, orientation=orientation)
        gap = np.abs(e.farrell.to_numpy() - (fdh if orientation == "input" else 1 / fdh))
        N = e.n_dominating.to_numpy()
        for o in range(50):
            v = _dominating_ratios(X, Y, o, orientation)
            assert gap[o] <= ((N[o] - 1) / N[o]) ** m * (max(v) - min(v)) + 1e-12
        assert gap.max() < prev
        prev = gap.max()
    np.testing.assert_allclose(ef.partial_frontier(inputs=X, outputs=Y, m=500, B=None,
                                                   orientation=orientation).scores.to_numpy(), fdh, atol=5e-5)
    np.testing.assert_allclose(ef.partial_frontier(inputs=X, outputs=Y, m=2000, B=None,
                                                   orientation=orientation).scores.to_numpy(), fdh, atol=1e-6)
    # Monte Carlo at m = 500 is close too
    mc = ef.partial_frontier(inputs=X, outputs=Y, m=500, B=200, seed=0, orientation=orientation)
    np.testing.assert_allclose(mc.scores.to_numpy(), fdh, atol=2e-3)


@pytest.mark.parametrize("orientation", ["input", "output"])
def test_partial_scores_at_least_fdh(orientation):
    X, Y = _data(n=60, seed=9, m=3, s=2)
    fdh = ef.dea(inputs=X, outputs=Y, model="fdh", orientation=orientation).scores.to_numpy()
    for kw in ({"m": 1, "B": None}, {"m": 10, "B": None}, {"m": 10, "B": 50, "seed": 1},
               {"method": "order-alpha", "alpha": 0.9}, {"method": "order-alpha", "alpha": 0.5}):
        r = ef.partial_frontier(inputs=X, outputs=Y, orientation=orientation, **kw)
        assert (r.scores.to_numpy() >= fdh - 1e-15).all(), kw
    # some DMUs lie beyond the partial frontier (score > 1) and keep that value
    r = ef.partial_frontier(inputs=X, outputs=Y, orientation=orientation, m=5, B=None)
    assert (r.scores > 1).any() and np.isfinite(r.scores).all()
    # order-m decreases (theta) in m; order-alpha increases as alpha falls
    t = [ef.partial_frontier(inputs=X, outputs=Y, orientation=orientation, m=m, B=None).scores.to_numpy()
         for m in (2, 5, 20)]
    assert (t[0] >= t[1] - 1e-12).all() and (t[1] >= t[2] - 1e-12).all()


def test_monte_carlo_matches_exact_and_seeds():
    X, Y = _data(n=50, seed=2, m=2, s=2)
    for orientation in ("input", "output"):
        exact = ef.partial_frontier(inputs=X, outputs=Y, m=10, B=None, orientation=orientation)
        mc = ef.partial_frontier(inputs=X, outputs=Y, m=10, B=2000, seed=11, orientation=orientation)
        se = mc.std_error.to_numpy()
        diff = mc.farrell.to_numpy() - exact.farrell.to_numpy()
        # the true standard error from the exact distribution of the extreme of 10 draws
        true_se = np.sqrt(_extreme_moment(X, Y, 10, orientation, 2) - exact.farrell.to_numpy() ** 2) / np.sqrt(2000)
        np.testing.assert_allclose(exact.farrell.to_numpy(), _extreme_moment(X, Y, 10, orientation, 1), rtol=1e-12)
        assert (np.abs(diff) <= 5 * true_se + 1e-12).all()
        ok = true_se > 1e-6
        z = diff[ok] / true_se[ok]
        assert abs(z.mean()) < 0.5 and 0.6 < z.std() < 1.4
        # the reported standard error estimates the true one
        assert np.median(se[ok] / true_se[ok]) == pytest.approx(1.0, abs=0.15)
        # se is of the right size: sd of min of 10 draws / sqrt(B)
        assert 0 < np.nanmax(se) < 0.05
    a = ef.partial_frontier(inputs=X, outputs=Y, m=10, B=100, seed=5).to_frame()
    b = ef.partial_frontier(inputs=X, outputs=Y, m=10, B=100, seed=5).to_frame()
    c = ef.partial_frontier(inputs=X, outputs=Y, m=10, B=100, seed=6).to_frame()
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["farrell"], c["farrell"])
    assert list(a.columns) == ["efficiency", "status", "farrell", "std_error", "n_dominating"]


def test_monte_carlo_against_literal_draws():
    """Literal draws of m DMU indices with replacement (rng.integers) give the same distribution."""
    X, Y = _data(n=30, seed=4)
    mc = ef.partial_frontier(inputs=X, outputs=Y, m=8, B=4000, seed=1)
    rng = np.random.default_rng(123)
    for o in range(30):
        v = np.array(_dominating_ratios(X, Y, o, "input"))
        lit = v[rng.integers(0, v.size, (4000, 8))].min(axis=1).mean()
        assert abs(mc.farrell.iloc[o] - lit) <= 6 * mc.std_error.iloc[o] + 1e-12


def test_orientation_is_not_symmetric_and_uses_the_right_side():
    X, Y = _data(n=40, seed=8)
    i = ef.partial_frontier(inputs=X, outputs=Y, m=10, B=None, orientation="input")
    o = ef.partial_frontier(inputs=X, outputs=Y, m=10, B=None, orientation="out")      # alias
    assert o.orientation == "output"
    assert not np.allclose(i.scores, o.scores)
    np.testing.assert_array_equal(i.n_dominating, [(Y[:, 0] >= Y[j, 0]).sum() for j in range(40)])
    np.testing.assert_array_equal(o.n_dominating, [(X <= X[j]).all(axis=1).sum() for j in range(40)])
    np.testing.assert_allclose(o.scores * o.farrell, 1.0, rtol=1e-15)


def test_reference_set_and_infeasible():
    X, Y = _data(n=30, seed=6)
    ref = (X[:20], Y[:20])
    r = ef.partial_frontier(inputs=X[20:], outputs=Y[20:], m=3, B=None, reference=ref)
    np.testing.assert_allclose(r.farrell.to_numpy(), [
        np.mean([min(t) for t in itertools.product(
            [max(X[j] / X[o]) for j in range(20) if (Y[j] >= Y[o]).all()], repeat=3)])
        if any((Y[j] >= Y[o]).all() for j in range(20)) else np.nan for o in range(20, 30)], rtol=1e-10)
    # a DMU above every reference output: no dominating DMU -> NaN, 'infeasible'
    top = ef.partial_frontier(inputs=[[5.0]], outputs=[[1e6]], m=5, B=20, seed=1,
                              reference=(X[:, :1], Y))
    assert top.status.iloc[0] == "infeasible" and np.isnan(top.scores.iloc[0])
    assert top.n_dominating.iloc[0] == 0 and "1 infeasible" in top.summary()


def test_robust_to_one_outlier():
    rng = np.random.default_rng(7)
    n = 200
    x = rng.uniform(1, 10, n)
    y = np.sqrt(x) * rng.uniform(0.6, 1.0, n)
    X, Y = x[:, None], y[:, None]
    X2, Y2 = np.vstack([X, [[1.0]]]), np.vstack([Y, [[5.0]]])        # tiny input, huge output
    fdh = lambda A, B: ef.dea(inputs=A, outputs=B, model="fdh").scores.to_numpy()[:n]
    d_fdh = np.abs(fdh(X, Y) - fdh(X2, Y2))
    om = lambda A, B: ef.partial_frontier(inputs=A, outputs=B, m=10, B=None).scores.to_numpy()[:n]
    d_m = np.abs(om(X, Y) - om(X2, Y2))
    oa = lambda A, B: ef.partial_frontier(inputs=A, outputs=B, method="order-alpha",
                                          alpha=0.95).scores.to_numpy()[:n]
    d_a = np.abs(oa(X, Y) - oa(X2, Y2))
    assert np.median(d_fdh) > 0.4                         # FDH: the outlier pulls every score down
    assert np.median(d_m) < 0.2 * np.median(d_fdh)
    assert np.median(d_a) < 0.1 * np.median(d_fdh)


def test_dataframe_ids_summary_and_repr():
    r = ef.partial_frontier(HAND, id="dmu", inputs=["x"], outputs=["y"], m=3, B=50, seed=2)
    assert r.ids.name == "dmu" and list(r.scores.index) == list("ABCDE")
    text = r.summary()
    assert "Order-m" in text and "m = 3" in text and "B = 50" in text and "5 optimal" in text
    assert "Beyond the partial frontier" in text
    assert "order-m input" in repr(r)
    assert isinstance(r, ef.PartialFrontierResult) and r.efficiency is r.scores and not r.exact
    t = ef.partial_frontier(HAND, id="dmu", inputs="x", outputs="y", method="order-alpha").summary()
    assert "alpha = 0.95" in t


# ---------------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kw, match", [
    ({"m": 0}, "m: must be an integer >= 1"),
    ({"m": 2.5}, "m: must be an integer"),
    ({"B": 0}, "B: must be an integer >= 1"),
    ({"method": "order-alpha", "alpha": 0.0}, r"alpha: must be in \(0, 1\]"),
    ({"method": "order-alpha", "alpha": 1.01}, r"alpha: must be in \(0, 1\]"),
    ({"method": "order-beta"}, "method"),
    ({"orientation": "graph"}, "orientation"),
    ({"seed": -1}, "seed"),
])
def test_bad_options(kw, match):
    with pytest.raises(SpecError, match=match):
        ef.partial_frontier(HAND, id="dmu", inputs="x", outputs="y", **kw)


def test_bad_data_names_column_and_row():
    bad = HAND.copy()
    bad.loc[2, "x"] = 0.0
    with pytest.raises(DataError, match=r"column 'x', row 3 .*id 'C'.*input-oriented order-m"):
        ef.partial_frontier(bad, id="dmu", inputs="x", outputs="y")
    # a zero input is fine for the output orientation, a zero output is not
    ef.partial_frontier(bad, id="dmu", inputs="x", outputs="y", orientation="output", B=None)
    bad2 = HAND.copy()
    bad2.loc[4, "y"] = 0.0
    with pytest.raises(DataError, match=r"column 'y', row 5 .*id 'E'"):
        ef.partial_frontier(bad2, id="dmu", inputs="x", outputs="y", orientation="output")
    neg = HAND.copy()
    neg.loc[0, "y"] = -1.0
    with pytest.raises(DataError, match=r"column 'y', row 1 .*negative"):
        ef.partial_frontier(neg, id="dmu", inputs="x", outputs="y")
    with pytest.raises(DataError, match="unknown input column 'z'"):
        ef.partial_frontier(HAND, id="dmu", inputs="z", outputs="y")
