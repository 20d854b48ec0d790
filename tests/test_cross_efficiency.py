"""``ef.cross_efficiency``: properties, hand-derived cases, secondary-goal optimality, errors and CLI.

The matrix is checked against its definition recomputed entry by entry from the raters' weights; the
Doyle-Green LPs through their unique objective values (``secondary_value``), never weight by weight.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import cli
import efficiency as ef
from efficiency.errors import SolveWarning, SpecError
from test_multiplier import cobb, KWC, DMU5, KW5, CCR_INPUT

METHODS = [("arbitrary", "II"), ("aggressive", "II"), ("benevolent", "II"), ("aggressive", "III"),
           ("benevolent", "III")]


def weights_of(r, n_in: int):
    w = r.weights.to_numpy()
    return w[:, :n_in], w[:, n_in:-1], w[:, -1]


def secondary_value(v, u, u0, X, Y, orientation: str, secondary: str, correction: bool) -> np.ndarray:
    """Each rater d's Doyle-Green objective at weights (v, u, u0), free of their normalisation:
    II: sum_{j != d} (u.y_j + u0 - v.x_j) / (v.x_d | u.y_d); III input: sum_{j != d} (u.y_j + u0) /
    sum_{j != d} v.x_j (corrected: sum u.y_j / sum (v.x_j - u0)); III output: -sum (v.x_j - u0) / sum u.y_j."""
    n = X.shape[0]
    out = np.empty(n)
    for d in range(n):
        o = np.arange(n) != d
        uy, vx = Y[o] @ u[d], X[o] @ v[d]
        if secondary == "II":
            out[d] = np.sum(uy + u0[d] - vx) / (X[d] @ v[d] if orientation == "input" else Y[d] @ u[d])
        elif orientation == "input":
            out[d] = np.sum(uy) / np.sum(vx - u0[d]) if correction else np.sum(uy + u0[d]) / np.sum(vx)
        else:
            out[d] = -np.sum(vx - u0[d]) / np.sum(uy)
    return out


def loop_matrix(v, u, u0, X, Y, orientation: str, correction: bool, own) -> np.ndarray:
    """The ratings E[d, j] by their definition, one pair at a time."""
    n = X.shape[0]
    E = np.empty((n, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        _fill(E, v, u, u0, X, Y, orientation, correction, own)
    return E


def _fill(E, v, u, u0, X, Y, orientation, correction, own):
    n = X.shape[0]
    for d in range(n):
        for j in range(n):
            if orientation == "output" or correction:
                E[d, j] = (u[d] @ Y[j]) / (v[d] @ X[j] - u0[d])
            else:
                E[d, j] = (u[d] @ Y[j] + u0[d]) / (v[d] @ X[j])
        if correction:
            E[d, d] = own[d]


@pytest.mark.parametrize("method,secondary", METHODS)
@pytest.mark.parametrize("orientation", ["input", "output"])
def test_diagonal_is_ccr_efficiency_and_matrix_is_its_definition(method, secondary, orientation):
    df = cobb(30, seed=9)
    X, Y = df[KWC["inputs"]].to_numpy(), df[KWC["outputs"]].to_numpy()
    r = ef.cross_efficiency(df, rts="crs", orientation=orientation, method=method, secondary=secondary, **KWC)
    ccr = ef.dea(df, rts="crs", orientation="input", slacks=False, **KWC).scores.to_numpy()
    E = r.matrix.to_numpy()
    np.testing.assert_allclose(np.diag(E), ccr, atol=1e-8)
    np.testing.assert_allclose(r.scores.to_numpy(), ccr, atol=1e-9)
    assert E.min() >= 0 and E.max() <= 1 + 1e-9, "CRS ratings lie in [0, 1]"
    v, u, u0 = weights_of(r, 3)
    np.testing.assert_allclose(E, loop_matrix(v, u, u0, X, Y, orientation, False, None), rtol=1e-12, atol=1e-15)
    assert list(r.matrix.index) == list(df.unit) and list(r.matrix.columns) == list(df.unit)
    assert (r.status == "optimal").all() and r.method == method
    assert r.secondary == (None if method == "arbitrary" else secondary)


def test_table_is_the_summaries_of_the_matrix():
    r = ef.cross_efficiency(DMU5, rts="crs", **KW5)
    E = r.matrix.to_numpy()
    t = r.to_frame()
    assert list(t.columns) == ["efficiency", "cross_efficiency", "cross_efficiency_peer", "maverick", "rank", "status"]
    n = len(E)
    e = E.mean(axis=0)
    peer = (E.sum(axis=0) - np.diag(E)) / (n - 1)
    np.testing.assert_allclose(t["efficiency"], CCR_INPUT, atol=1e-9)
    np.testing.assert_allclose(t["cross_efficiency"], e, rtol=1e-14)
    np.testing.assert_allclose(t["cross_efficiency_peer"], peer, rtol=1e-14)
    np.testing.assert_allclose(t["maverick"], np.abs(np.array(CCR_INPUT) - e) / e, rtol=1e-12)
    order = np.argsort(-e)
    assert list(t["rank"].to_numpy()[order]) == sorted(t["rank"])
    assert t["rank"].min() == 1 and t["rank"].max() <= n
    np.testing.assert_allclose(r.appraisal, E.mean(axis=1), rtol=1e-14)
    m = r.matrix_table()
    assert m.index.name == "rating_dmu" and list(m.columns) == list(DMU5.dmu)
    assert "Cross-efficiency, arbitrary, crs" in r.summary()


def test_ranks_share_ties():
    # two identical DMUs get identical ratings from everyone: the same (lowest) rank
    df = pd.concat([DMU5, DMU5.iloc[[1]].assign(dmu="DMU2b")], ignore_index=True)
    t = ef.cross_efficiency(df, rts="crs", **KW5).to_frame()
    assert t.loc["DMU2", "cross_efficiency"] == pytest.approx(t.loc["DMU2b", "cross_efficiency"], rel=1e-12)
    assert t.loc["DMU2", "rank"] == t.loc["DMU2b", "rank"]


@pytest.mark.parametrize("orientation", ["input", "output"])
@pytest.mark.parametrize("secondary", ["II", "III"])
def test_secondary_goal_is_optimal(orientation, secondary):
    """The aggressive weights give the others' objective no higher than any other optimum of the rater
    (the arbitrary weights are one), the benevolent no lower; the rater's own efficiency is kept."""
    df = cobb(25, seed=12)
    X, Y = df[KWC["inputs"]].to_numpy(), df[KWC["outputs"]].to_numpy()
    for rts in ("crs", "vrs"):
        corr = orientation == "input" and rts == "vrs"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SolveWarning)            # aggressive VRS raters may be unbounded
            runs = {m: ef.cross_efficiency(df, rts=rts, orientation=orientation, method=m, secondary=secondary,
                                           **KWC) for m in ("arbitrary", "aggressive", "benevolent")}
        val = {m: secondary_value(*weights_of(r, 3), X, Y, orientation, secondary, corr) for m, r in runs.items()}
        ok = (runs["aggressive"].status == "optimal").to_numpy()
        assert ok.sum() >= 15, "most raters have a bounded aggressive LP"
        scale = np.maximum(1.0, np.abs(val["arbitrary"]))
        assert np.all(val["aggressive"][ok] <= val["arbitrary"][ok] + 1e-9 * scale[ok])
        assert np.all(val["benevolent"] >= val["arbitrary"] - 1e-9 * scale)
        assert np.any(val["benevolent"] > val["aggressive"] + 1e-6 * scale)
        for m, r in runs.items():
            own = np.diag(r.matrix.to_numpy())
            np.testing.assert_allclose(own[r.status == "optimal"], r.scores.to_numpy()[r.status == "optimal"],
                                       atol=1e-8, err_msg=f"{m}: the rater's own efficiency is kept")


ABC = pd.DataFrame({"id": ["A", "B", "C"], "x": [1.0, 2.0, 4.0], "y": [1.0, 3.0, 4.0]})
KW3 = dict(id="id", inputs=["x"], outputs=["y"])


def test_vrs_input_negative_ratings_and_lim_zhu_correction():
    """One input, one output, A(1,1), B(2,3), C(4,4), VRS: every optimal hyperplane of C (u y + u0 = v x
    through C with B below it) has u >= 2v, so C rates A (u + u0)/v = 4 - 3u/v <= -2; corrected,
    u/(v - u0) = u/(4u - 3v) lies in [1/4, 2/5]."""
    plain = ef.cross_efficiency(ABC, rts="vrs", correction=False, **KW3)
    assert plain.matrix.loc["C", "A"] <= -2 + 1e-9
    fixed = ef.cross_efficiency(ABC, rts="vrs", **KW3)                       # default: corrected under VRS input
    assert fixed.correction and not plain.correction
    assert 0.25 - 1e-9 <= fixed.matrix.loc["C", "A"] <= 0.4 + 1e-9
    assert (fixed.matrix.to_numpy() >= 0).all()
    np.testing.assert_allclose(np.diag(fixed.matrix.to_numpy()), 1.0, atol=1e-9)
    X, Y = ABC[["x"]].to_numpy(), ABC[["y"]].to_numpy()
    v, u, u0 = weights_of(fixed, 1)
    np.testing.assert_allclose(fixed.matrix.to_numpy(), loop_matrix(v, u, u0, X, Y, "input", True, np.ones(3)),
                               rtol=1e-12)
    assert not ef.cross_efficiency(ABC, rts="crs", **KW3).correction
    assert not ef.cross_efficiency(ABC, rts="vrs", orientation="output", **KW3).correction


def test_unbounded_aggressive_rater_is_data():
    """C's aggressive method II LP under VRS is unbounded: keeping v = 1/4 and u0 = 1 - 4u, u can grow
    without limit (u >= 1/2 keeps A and B below the plane) and the others' deviations
    (0.75 - 3u) + (0.5 - u) fall without bound. Its row is NaN, its status 'unbounded', the means are
    over the other raters."""
    with pytest.warns(SolveWarning, match=re.escape("1 of 3 raters have no optimum (1 unbounded)")):
        r = ef.cross_efficiency(ABC, rts="vrs", method="aggressive", secondary="II", **KW3)
    assert r.status.to_dict() == {"A": "optimal", "B": "optimal", "C": "unbounded"}
    assert r.matrix.loc["C"].isna().all() and r.matrix.loc[["A", "B"]].notna().all().all()
    t = r.to_frame()
    np.testing.assert_allclose(t["cross_efficiency"], r.matrix.loc[["A", "B"]].mean(axis=0), rtol=1e-14)
    assert t.loc["C", "status"] == "unbounded"


def test_screening_equals_plain_computation():
    """From 64 DMUs every LP uses the frame's rows only: the same own efficiencies and the same (unique)
    secondary objective values as the plain LPs."""
    df = cobb(90, seed=14)
    X, Y = df[KWC["inputs"]].to_numpy(), df[KWC["outputs"]].to_numpy()
    for orientation, secondary, method in (("input", "II", "aggressive"), ("output", "III", "benevolent")):
        fast = ef.cross_efficiency(df, method=method, secondary=secondary, orientation=orientation, **KWC)
        plain = ef.cross_efficiency(df, method=method, secondary=secondary, orientation=orientation,
                                    solver="highs", screen=False, **KWC)
        np.testing.assert_allclose(fast.scores.to_numpy(), plain.scores.to_numpy(), atol=1e-9)
        a = secondary_value(*weights_of(fast, 3), X, Y, orientation, secondary, False)
        b = secondary_value(*weights_of(plain, 3), X, Y, orientation, secondary, False)
        np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(np.diag(fast.matrix.to_numpy()), fast.scores.to_numpy(), atol=1e-8)
        # the screened weights are feasible for every DMU, not only the frame's
        v, u, u0 = weights_of(fast, 3)
        assert (u @ Y.T + u0[:, None] - v @ X.T).max() <= 1e-7 * np.abs(v @ X.T).max()


@pytest.mark.parametrize("options,message", [
    (dict(method="nice"), "method: 'nice' is not one of 'arbitrary', 'aggressive', 'benevolent'"),
    (dict(method="aggressive", secondary="IV"), "secondary: 'IV' is not one of 'II', 'III'"),
    (dict(orientation="output", correction=True), "Lim and Zhu's correction is for the input orientation"),
    (dict(correction="yes"), "correction: expected True, False or None"),
    (dict(rts="fdh"), "the multiplier form takes crs, vrs, nirs, ndrs, not 'fdh'"),
    (dict(orientation="none"), "'input' or 'output', not 'none'"),
])
def test_bad_options_are_spec_errors(options, message):
    with pytest.raises(SpecError, match=re.escape(message)):
        ef.cross_efficiency(DMU5, **{**KW5, **options})


def run(*args):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


SPEC5 = ["--id", "dmu", "--inputs", "input1,input2", "--outputs", "output"]


def test_cli_cross_efficiency_and_matrix(tmp_path):
    data = tmp_path / "d.csv"
    DMU5.to_csv(data, index=False)
    out, mat = tmp_path / "ce.csv", tmp_path / "m.csv"
    res = run("cross-efficiency", data, *SPEC5, "--method", "benevolent", "--secondary", "iii", "-o", out,
              "--matrix", mat, "--summary")
    assert res.exit_code == 0, res.output
    want = ef.cross_efficiency(DMU5, method="benevolent", secondary="III", **KW5)
    got = pd.read_csv(out)
    assert list(got.columns) == ["dmu", "efficiency", "cross_efficiency", "cross_efficiency_peer", "maverick", "rank",
                                 "status"]
    np.testing.assert_allclose(got["cross_efficiency"], want.to_frame()["cross_efficiency"], rtol=1e-12)
    m = pd.read_csv(mat, index_col=0)
    assert m.index.name == "rating_dmu" and list(m.columns) == list(DMU5.dmu)
    np.testing.assert_allclose(m.to_numpy(), want.matrix.to_numpy(), rtol=1e-12)
    assert "benevolent (Doyle-Green method III)" in res.output


@pytest.mark.parametrize("args,message", [
    (["--orientation", "output", "--correction"], "Lim and Zhu's correction is for the input orientation"),
    (["--outputs", "output,nope"], "unknown output column 'nope'"),
])
def test_cli_cross_efficiency_errors_exit_1(tmp_path, args, message):
    data = tmp_path / "d.csv"
    DMU5.to_csv(data, index=False)
    base = ["--id", "dmu", "--inputs", "input1,input2"] + ([] if "--outputs" in args else ["--outputs", "output"])
    res = run("cross-efficiency", data, *base, *args)
    assert res.exit_code == 1 and "error:" in res.output and message in res.output
