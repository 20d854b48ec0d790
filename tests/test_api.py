"""The Python API contract of ``efficiency.dea`` (DESIGN section 10) on small hand-checked data."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pandas as pd
import pytest

import efficiency as ef

# Coelli, Rao and Battese (1998) p. 166 / DEAP 2.1 example EG1: CCR input scores 0.5, 1, 5/6, 5/7, 1.
COELLI = pd.DataFrame({"dmu": ["DMU1", "DMU2", "DMU3", "DMU4", "DMU5"],
                       "input1": [2.0, 2, 6, 3, 6], "input2": [5.0, 4, 6, 2, 2], "output": [1.0, 2, 3, 1, 2]})
SPEC = dict(id="dmu", inputs=["input1", "input2"], outputs=["output"])


def test_dataframe_csv_and_arrays_give_the_same_scores(tmp_path):
    path = tmp_path / "coelli.csv"
    COELLI.to_csv(path, index=False)
    a = ef.dea(COELLI, rts="crs", **SPEC)
    b = ef.dea(str(path), rts="crs", **SPEC)
    c = ef.dea(inputs=COELLI[["input1", "input2"]].to_numpy(), outputs=COELLI["output"].to_numpy(), rts="crs")
    np.testing.assert_allclose(a.scores, [0.5, 1, 5 / 6, 5 / 7, 1], atol=1e-12)
    np.testing.assert_array_equal(a.scores.to_numpy(), b.scores.to_numpy())
    np.testing.assert_allclose(c.scores.to_numpy(), a.scores.to_numpy(), atol=1e-12)
    assert list(a.scores.index) == list(b.scores.index) == ["DMU1", "DMU2", "DMU3", "DMU4", "DMU5"]
    assert a.scores.index.name == "dmu" and list(c.scores.index) == [0, 1, 2, 3, 4]


def test_to_frame_columns_slacks_targets_and_peers():
    r = ef.dea(COELLI, rts="crs", **SPEC)
    df = r.to_frame()
    assert list(df.columns) == ["efficiency", "status", "farrell", "slack_input1", "slack_input2", "slack_output",
                                "target_input1", "target_input2", "target_output", "lambda_sum", "peers"]
    assert df.index.name == "dmu" and (df["status"] == "optimal").all()
    # DEAP 2.1 EG1: firm 1 has an input-2 slack of 0.5 and peer firm 2 with weight 0.5.
    assert df.loc["DMU1", "slack_input2"] == pytest.approx(0.5, abs=1e-9)
    assert df.loc["DMU1", "target_input2"] == pytest.approx(2.0, abs=1e-9)
    assert df.loc["DMU1", "peers"] == "DMU2" and df.loc["DMU1", "lambda_sum"] == pytest.approx(0.5)
    assert df.loc["DMU3", "peers"] == "DMU2;DMU5"
    peers = r.peers()
    assert list(peers.columns) == ["dmu", "peer", "lambda"]
    row = peers[(peers.dmu == "DMU3")].set_index("peer")["lambda"]
    assert row.to_dict() == pytest.approx({"DMU2": 1.0, "DMU5": 0.5}, abs=1e-9)
    assert r.lambdas.loc["DMU4", "DMU2"] == pytest.approx(r.lambda_matrix.toarray()[3, 1])
    assert r.efficient.tolist() == [False, True, False, False, True]


def test_output_orientation_reports_shephard_score_and_farrell_measure():
    r = ef.dea(COELLI, rts="crs", orientation="output", **SPEC)
    np.testing.assert_allclose(r.farrell, [2, 1, 1.2, 1.4, 1], atol=1e-12)
    np.testing.assert_allclose(r.scores, 1 / np.array([2, 1, 1.2, 1.4, 1]), atol=1e-12)
    np.testing.assert_allclose(r.targets["output"], [2, 2, 3.6, 1.4, 2], atol=1e-9)


def test_scale_efficiency_and_returns_to_scale_class():
    r = ef.dea(COELLI, rts="vrs", scale=True, **SPEC)
    np.testing.assert_allclose(r.scale_efficiency, [0.5, 1, 5 / 6, 5 / 7, 1], atol=1e-12)
    assert r.rts_class.tolist() == ["increasing", "constant", "decreasing", "increasing", "constant"]
    assert {"scale_efficiency", "rts_class"} <= set(r.to_frame().columns)
    assert ef.dea(COELLI, **SPEC).scale_efficiency is None


def test_graph_orientation_crs_is_square_root_of_input_score():
    g = ef.dea(COELLI, rts="crs", orientation="graph", **SPEC)
    np.testing.assert_allclose(g.scores, np.sqrt([0.5, 1, 5 / 6, 5 / 7, 1]), atol=1e-12)


def test_reference_set_scores_can_exceed_one():
    ref = COELLI.iloc[[0, 2, 3]]
    r = ef.dea(COELLI, rts="crs", reference=ref, **SPEC)
    # DMU2 and DMU5 are outside the frontier spanned by DMU1, DMU3 and DMU4.
    assert r.scores["DMU2"] > 1 and r.scores["DMU5"] > 1
    assert list(r.reference_ids) == ["DMU1", "DMU3", "DMU4"]
    direct = ef.dea(COELLI.iloc[[0, 2, 3]], rts="crs", **SPEC)
    np.testing.assert_allclose(r.scores[["DMU1", "DMU3", "DMU4"]], direct.scores, atol=1e-12)


def test_composite_id_keeps_both_columns():
    panel = pd.concat([COELLI.assign(year=2020), COELLI.assign(year=2021, output=COELLI.output * 1.1)])
    r = ef.dea(panel, id=["dmu", "year"], inputs=["input1", "input2"], outputs=["output"], rts="crs")
    df = r.to_frame().reset_index()
    assert list(df.columns[:3]) == ["dmu", "year", "efficiency"]
    assert df.loc[0, "peers"] == "DMU2/2021"
    assert list(r.peers().columns) == ["dmu", "year", "peer", "lambda"]


def test_id_omitted_uses_row_labels():
    r = ef.dea(COELLI.set_index("dmu"), inputs=["input1", "input2"], outputs=["output"])
    assert list(r.scores.index) == list(COELLI.dmu)
    r2 = ef.dea(COELLI, inputs=["input1", "input2"], outputs=["output"])
    assert list(r2.scores.index) == [0, 1, 2, 3, 4] and r2.scores.index.name == "dmu"


def test_result_is_frozen_and_has_a_summary():
    r = ef.dea(COELLI, rts="crs", **SPEC)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.scores = None
    text = r.summary()
    assert "constant returns to scale" in text and "input orientation" in text
    assert "Efficient (score 1, no slack): 2 of 5" in text and "5 optimal" in text


def test_options_accept_aliases_and_reject_unknown_values():
    a = ef.dea(COELLI, rts="CCR", orientation="in", **SPEC)
    b = ef.dea(COELLI, rts=ef.RTS.CRS, orientation=ef.Orientation.INPUT, **SPEC)
    np.testing.assert_array_equal(a.scores, b.scores)
    with pytest.raises(ef.SpecError, match="rts"):
        ef.dea(COELLI, rts="xrs", **SPEC)
    with pytest.raises(ef.SpecError, match="orientation"):
        ef.dea(COELLI, orientation="none", **SPEC)
    with pytest.raises(ef.SpecError, match="undesirable"):
        ef.dea(COELLI, undesirable=["input1"], id="dmu", inputs=["input2"], outputs=["output"])


def _fdh_brute(X, Y, orientation):
    """FDH by its definition: the best single dominating DMU."""
    out = []
    for o in range(len(X)):
        best = np.inf if orientation == "input" else -np.inf
        for j in range(len(X)):
            if orientation == "input" and np.all(Y[j] >= Y[o]):
                best = min(best, np.max(X[j] / X[o]))
            if orientation == "output" and np.all(X[j] <= X[o]):
                best = max(best, np.min(Y[j] / Y[o]))
        out.append(best)
    return np.array(out)


@pytest.mark.parametrize("orientation", ["input", "output"])
def test_fdh_matches_its_definition(orientation):
    rng = np.random.default_rng(5)
    X, Y = rng.integers(1, 6, (40, 2)).astype(float), rng.integers(1, 6, (40, 2)).astype(float)
    r = ef.dea(inputs=X, outputs=Y, model="fdh", orientation=orientation)
    np.testing.assert_allclose(r.farrell, _fdh_brute(X, Y, orientation), atol=1e-12)
    # The peer reproduces the target exactly, and slacks are non-negative.
    assert (r.slacks.to_numpy() >= -1e-12).all()
    assert np.all(r.lambda_matrix.sum(axis=1) == 1)


def test_fdh_graph_matches_enumeration():
    rng = np.random.default_rng(6)
    X, Y = rng.uniform(1, 5, (25, 2)), rng.uniform(1, 5, (25, 1))
    r = ef.dea(inputs=X, outputs=Y, model="fdh", orientation="graph")
    brute = [min(max(np.max(X[j] / X[o]), np.max(Y[o] / Y[j])) for j in range(25)) for o in range(25)]
    np.testing.assert_allclose(r.scores, brute, atol=1e-12)


def test_every_combination_runs_and_keeps_order():
    shuffled = COELLI.iloc[[3, 0, 4, 2, 1]]
    for rts, orientation in itertools.product(["crs", "vrs", "nirs", "ndrs"], ["input", "output", "graph"]):
        r = ef.dea(shuffled, rts=rts, orientation=orientation, **SPEC)
        assert list(r.to_frame().index) == list(shuffled.dmu)
        assert ((r.scores > 0) & (r.scores <= 1 + 1e-9)).all()


def test_nondiscretionary_and_noncontrollable_inputs():
    """Banker-Morey: a non-discretionary input is not contracted; a non-controllable one is held."""
    df = pd.DataFrame({"id": list("ABCD"), "x": [2.0, 4, 4, 6], "z": [4.0, 1, 4, 2], "y": [1.0, 1, 1, 1]})
    spec = dict(id="id", inputs=["x", "z"], outputs=["y"], rts="crs")
    nd = ef.dea(df, nondiscretionary=["z"], **spec)
    # C (x=4, z=4): min theta s.t. lam_A x_A... A (2, 4) covers z=4 with x=2: theta = 0.5.
    assert nd.scores["C"] == pytest.approx(0.5, abs=1e-12)
    assert nd.targets.loc["C", "z"] == pytest.approx(4.0 - nd.slacks.loc["C", "z"])
    plain = ef.dea(df, **spec)
    assert (nd.scores <= plain.scores + 1e-12).all()          # z need not shrink: a looser constraint
    nc = ef.dea(df, noncontrollable="z", **spec)
    np.testing.assert_allclose(nc.targets["z"], df["z"], atol=1e-9)   # held exactly
    np.testing.assert_allclose(nc.slacks["z"], 0.0, atol=1e-12)
    with pytest.raises(ef.SpecError, match="not one of the inputs or outputs"):
        ef.dea(df, nondiscretionary=["w"], **spec)
    with pytest.raises(ef.SpecError, match="only the radial model"):
        ef.dea(df, model="fdh", nondiscretionary=["z"], id="id", inputs=["x", "z"], outputs=["y"])


def test_api_function_survives_importing_its_subpackage():
    import importlib

    importlib.import_module("efficiency.dea.radial")
    importlib.import_module("efficiency.dea")
    assert callable(ef.dea) and ef.dea.__name__ == "dea"


def test_one_dmu_against_a_reference_set():
    """A single DMU may be scored against a given frontier; alone (its own frontier) it is refused."""
    X = np.array([[1.0, 2.0], [2.0, 1.0], [2.0, 2.0]])
    Y = np.ones((3, 1))
    r = ef.dea(inputs=X[[2]], outputs=Y[[2]], reference=(X, Y), rts="crs")
    assert r.scores.tolist() == pytest.approx([0.75], abs=1e-12)
    with pytest.raises(ef.DataError, match="1 DMU; at least 2"):
        ef.dea(inputs=X[[2]], outputs=Y[[2]])
