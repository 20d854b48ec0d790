"""Properties of radial DEA and FDH that hold for any data (hypothesis): unit and order invariance,
the ordering of technologies, CRS duality, irrelevance of dominated DMUs, feasibility of targets."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import efficiency as ef

TOL = 1e-7
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def production_data(draw, min_n=2, max_n=10):
    """Positive inputs and outputs; values from a small grid (ties, duplicates) or continuous."""
    n = draw(st.integers(min_n, max_n))
    m = draw(st.integers(1, 3))
    s = draw(st.integers(1, 3))
    grid = draw(st.booleans())
    elems = (st.integers(1, 5).map(float) if grid else
             st.floats(0.1, 100.0, allow_nan=False, allow_infinity=False))
    X = draw(arrays(np.float64, (n, m), elements=elems))
    Y = draw(arrays(np.float64, (n, s), elements=elems))
    return X, Y


def scores(X, Y, **kw):
    return ef.dea(inputs=X, outputs=Y, **kw).scores.to_numpy()


@SETTINGS
@given(production_data(), st.sampled_from(["crs", "vrs", "nirs", "ndrs"]),
       st.sampled_from(["input", "output"]), st.data())
def test_scores_do_not_depend_on_units(data, rts, orientation, draw):
    X, Y = data
    j = draw.draw(st.integers(0, X.shape[1] + Y.shape[1] - 1))
    factor = draw.draw(st.sampled_from([1e-3, 0.37, 12.5, 1e3]))
    X2, Y2 = X.copy(), Y.copy()
    if j < X.shape[1]:
        X2[:, j] *= factor
    else:
        Y2[:, j - X.shape[1]] *= factor
    np.testing.assert_allclose(scores(X2, Y2, rts=rts, orientation=orientation),
                               scores(X, Y, rts=rts, orientation=orientation), atol=TOL)


@SETTINGS
@given(production_data(), st.sampled_from(["crs", "vrs"]), st.sampled_from(["input", "output"]),
       st.randoms(use_true_random=False))
def test_scores_follow_the_dmus_when_rows_are_permuted(data, rts, orientation, rnd):
    X, Y = data
    perm = np.array(rnd.sample(range(X.shape[0]), X.shape[0]))
    base = scores(X, Y, rts=rts, orientation=orientation)
    np.testing.assert_allclose(scores(X[perm], Y[perm], rts=rts, orientation=orientation), base[perm], atol=TOL)


@SETTINGS
@given(production_data())
def test_technologies_are_nested(data):
    """Input orientation: CRS <= NIRS, NDRS <= VRS <= FDH (a larger technology, a lower score)."""
    X, Y = data
    crs, nirs, ndrs, vrs = (scores(X, Y, rts=r) for r in ("crs", "nirs", "ndrs", "vrs"))
    fdh = scores(X, Y, model="fdh")
    assert np.all(crs <= nirs + TOL) and np.all(crs <= ndrs + TOL)
    assert np.all(nirs <= vrs + TOL) and np.all(ndrs <= vrs + TOL)
    assert np.all(vrs <= fdh + TOL)
    assert np.all((0 < crs) & (fdh <= 1 + TOL))
    # NIRS equals CRS or VRS at every DMU (Faere, Grosskopf and Lovell 1985).
    assert np.all(np.minimum(np.abs(nirs - crs), np.abs(nirs - vrs)) <= TOL)


@SETTINGS
@given(production_data())
def test_crs_input_score_is_inverse_farrell_output(data):
    X, Y = data
    theta = ef.dea(inputs=X, outputs=Y, rts="crs", orientation="input").farrell.to_numpy()
    phi = ef.dea(inputs=X, outputs=Y, rts="crs", orientation="output").farrell.to_numpy()
    np.testing.assert_allclose(theta, 1.0 / phi, atol=TOL)


@SETTINGS
@given(production_data(), st.sampled_from(["crs", "vrs", "nirs", "ndrs"]), st.sampled_from(["input", "output"]),
       st.data())
def test_adding_a_dominated_dmu_changes_no_score(data, rts, orientation, draw):
    X, Y = data
    n = X.shape[0]
    w = np.asarray(draw.draw(arrays(np.float64, n, elements=st.floats(0.0, 1.0))))
    w = w / w.sum() if w.sum() > 0 else np.full(n, 1.0 / n)
    worse = draw.draw(st.floats(0.0, 0.5))
    x_new = w @ X * (1.0 + worse)                   # a convex combination, made worse
    y_new = w @ Y * (1.0 - worse)
    X2, Y2 = np.vstack([X, x_new]), np.vstack([Y, y_new])
    np.testing.assert_allclose(scores(X2, Y2, rts=rts, orientation=orientation)[:n],
                               scores(X, Y, rts=rts, orientation=orientation), atol=1e-6)


@SETTINGS
@given(production_data(), st.sampled_from(["crs", "vrs", "nirs", "ndrs"]), st.sampled_from(["input", "output"]))
def test_targets_lie_in_the_technology_and_are_efficient(data, rts, orientation):
    X, Y = data
    r = ef.dea(inputs=X, outputs=Y, rts=rts, orientation=orientation)
    m = X.shape[1]
    tx, ty = r.targets.iloc[:, :m].to_numpy(), r.targets.iloc[:, m:].to_numpy()
    lam = r.lambda_matrix.toarray()
    scale = max(X.max(), Y.max())
    assert np.all(r.slacks.to_numpy() >= -1e-7 * scale)
    np.testing.assert_allclose(lam @ X, tx, atol=1e-6 * scale)   # phase II equalities
    np.testing.assert_allclose(lam @ Y, ty, atol=1e-6 * scale)
    total = lam.sum(axis=1)
    if rts == "vrs":
        np.testing.assert_allclose(total, 1.0, atol=1e-7)
    elif rts == "nirs":
        assert np.all(total <= 1 + 1e-7)
    elif rts == "ndrs":
        assert np.all(total >= 1 - 1e-7)
    # A projection is radially efficient against the original technology.
    proj = ef.dea(inputs=tx, outputs=ty, reference=(X, Y), rts=rts, orientation=orientation, slacks=False)
    np.testing.assert_allclose(proj.scores, 1.0, atol=1e-6)
