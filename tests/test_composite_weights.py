"""The composite's entropy weights ([composite] weights = "entropy") and the obstacle degree."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from efficiency import analyze
from efficiency.dimensions import entropy_weights, main_obstacle, obstacle_degree
from efficiency.errors import DataError, SpecError

# Hwang and Yoon (1981)'s fighter-aircraft decision matrix (4 alternatives x 6 attributes), the usual
# worked example of the entropy method (benefit and cost attributes alike enter as given here).
AIRCRAFT = np.array([[2.0, 1500, 20000, 5.5, 5, 9], [2.5, 2700, 18000, 6.5, 3, 5],
                     [1.8, 2000, 21000, 4.5, 7, 7], [2.2, 1800, 20000, 5.0, 5, 5]])


def _by_hand(X, minmax):
    """The textbook steps, one column at a time, with plain Python loops."""
    n, k = X.shape
    d = []
    for j in range(k):
        col = [float(v) for v in X[:, j]]
        if minmax:
            lo, hi = min(col), max(col)
            col = [(v - lo) / (hi - lo) for v in col]
        tot = sum(col)
        e = -sum((v / tot) * np.log(v / tot) for v in col if v > 0) / np.log(n)
        d.append(1 - e)
    return np.array(d) / sum(d)


def test_sum_normalisation_by_hand_and_pymcdm():
    w = entropy_weights(AIRCRAFT, "sum")
    np.testing.assert_allclose(w, _by_hand(AIRCRAFT, False), rtol=1e-13)
    np.testing.assert_allclose(w.sum(), 1.0, rtol=1e-15)
    import pymcdm            # a maintained MCDM library (test extra): the same weights on positive data
    np.testing.assert_allclose(w, pymcdm.weights.entropy_weights(AIRCRAFT), rtol=1e-12)


def test_min_max_normalisation_by_hand():
    w = entropy_weights(AIRCRAFT, "min-max")
    np.testing.assert_allclose(w, _by_hand(AIRCRAFT, True), rtol=1e-13)
    # min-max puts a 0 in every column: 0 ln 0 = 0, no shift of the data
    assert np.all(np.isfinite(w)) and np.all(w > 0)


def test_properties():
    rng = np.random.default_rng(3)
    U = rng.uniform(0.2, 1.0, (50, 3))
    w = entropy_weights(U)
    # invariant to positive affine changes of a column (min-max) and to scaling (sum)
    V = U.copy()
    V[:, 1] = 3 * V[:, 1] + 2
    np.testing.assert_allclose(entropy_weights(V), w, rtol=1e-12)
    np.testing.assert_allclose(entropy_weights(U * [1, 7, 0.5], "sum"), entropy_weights(U, "sum"), rtol=1e-12)
    # a column without variation gets weight 0; the more dispersed column gets more weight
    U[:, 2] = 0.7
    w = entropy_weights(U)
    assert w[2] == 0.0 and w[:2].sum() == pytest.approx(1.0)
    W = np.column_stack([np.r_[np.ones(49), 0.1], rng.uniform(0.1, 1, 50)])
    w = entropy_weights(W, "sum")
    assert w[0] < w[1]          # one outlier in 50: little dispersion by the entropy measure
    # rows with NaN are left out
    U2 = np.vstack([U, [np.nan, 0.5, 0.5]])
    np.testing.assert_allclose(entropy_weights(U2), entropy_weights(U), rtol=1e-15)


def test_errors():
    with pytest.raises(DataError, match="no dimension's scores vary"):
        entropy_weights(np.full((5, 3), 0.8))
    with pytest.raises(DataError, match="at least 2"):
        entropy_weights(np.array([[0.5, 0.6]]))
    with pytest.raises(SpecError, match="normalisation"):
        entropy_weights(AIRCRAFT, "z-score")


def test_obstacle_degree():
    U = np.array([[1.0, 0.5, 0.8], [1.0, 1.0, 1 - 1e-15], [0.2, np.nan, 0.4], [0.6, 0.6, 0.6]])
    w = np.array([0.5, 0.3, 0.2])
    O = obstacle_degree(U, w)
    np.testing.assert_allclose(O[0], [0.0, 0.15 / 0.19, 0.04 / 0.19], rtol=1e-14)
    np.testing.assert_array_equal(O[1], [0.0, 0.0, 0.0])       # at the frontier: no obstacle
    assert np.isnan(O[2]).all()
    np.testing.assert_allclose(O[3], w, rtol=1e-14)             # equal shortfalls: the weights
    np.testing.assert_allclose(O[[0, 3]].sum(axis=1), 1.0, rtol=1e-15)
    assert list(main_obstacle(O, ["a", "b", "c"])) == ["b", "", None, "a"]


def test_spec_entropy_weights(tmp_path):
    rng = np.random.default_rng(5)
    n = 30
    df = pd.DataFrame({"unit": [f"u{i}" for i in range(n)], "x1": rng.uniform(1, 5, n), "x2": rng.uniform(1, 5, n),
                       "y1": rng.uniform(1, 5, n), "y2": rng.uniform(1, 5, n)})
    dims = {"a": {"inputs": ["x1"], "outputs": ["y1"]}, "b": {"inputs": ["x2"], "outputs": ["y1", "y2"]}}
    fixed = analyze(df, {"data": {"id": "unit"}, "dimensions": dims})
    a = analyze(df, {"data": {"id": "unit"}, "dimensions": dims, "composite": {"weights": "entropy"}})
    U = a.scores[["score_a", "score_b"]].to_numpy()
    np.testing.assert_allclose(U, fixed.scores[["score_a", "score_b"]].to_numpy(), rtol=0, atol=0)
    w = entropy_weights(U)
    np.testing.assert_allclose(a.weights, w, rtol=1e-15)
    np.testing.assert_allclose(a.scores["composite"], np.minimum(U @ w, 1.0), rtol=1e-14)
    np.testing.assert_allclose(a.dimensions["weight"], w, rtol=1e-15)
    assert list(a.dimensions["weighting"]) == ["entropy", "entropy"]
    np.testing.assert_allclose(a.scores[["obstacle_a", "obstacle_b"]], obstacle_degree(U, w), rtol=1e-15)
    s = analyze(df, {"data": {"id": "unit"}, "dimensions": dims,
                     "composite": {"weights": "entropy", "entropy_normalisation": "sum"}})
    np.testing.assert_allclose(s.weights, entropy_weights(U, "sum"), rtol=1e-15)
    assert fixed.weights == (0.5, 0.5)
    with pytest.raises(SpecError, match="entropy_normalisation"):
        analyze(df, {"data": {"id": "unit"}, "dimensions": dims, "composite": {"entropy_normalisation": "sum"}})
    with pytest.raises(SpecError, match="entropy_normalisation"):
        analyze(df, {"data": {"id": "unit"}, "dimensions": dims,
                     "composite": {"weights": "entropy", "entropy_normalisation": "zscore"}})
    report = a.report(tmp_path / "rep")
    assert "entropy weights" in report.read_text(encoding="utf-8")
