"""``ef.multiplier`` and ``ef.dea(weight_bounds=)``: values, properties, backends, screening, errors, CLI.

Weights are not unique, so they are checked for feasibility and optimality (``check_weights`` of
tests/test_multiplier_oracle.py), never compared entry by entry; efficiencies are unique and compared
to 1e-9 (1e-4 relative with PuLP/CBC, whose answers carry 8 digits).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import cli
import efficiency as ef
from benchmarks.data import cobb_douglas
from efficiency.errors import DataError, SolveWarning, SpecError
from test_multiplier_oracle import check_ratios, check_weights

MULT = sys.modules["efficiency.multiplier"]          # the module (ef.multiplier is the function)

# Coelli, Rao and Battese (1998) / DEAP example EG1: two inputs, one output.
DMU5 = pd.DataFrame({"dmu": ["DMU1", "DMU2", "DMU3", "DMU4", "DMU5"], "input1": [2.0, 2, 6, 3, 6],
                     "input2": [5.0, 4, 6, 2, 2], "output": [1.0, 2, 3, 1, 2]})
CCR_INPUT = [0.5, 1.0, 0.8333333333333334, 0.7142857142857143, 1.0]
KW5 = dict(id="dmu", inputs=["input1", "input2"], outputs=["output"])
CONFIGS = [(rts, o) for rts in ("crs", "vrs", "nirs", "ndrs") for o in ("input", "output")]
TOL = 1e-9


def cobb(n: int, seed: int = 3, m: int = 3, s: int = 2) -> pd.DataFrame:
    X, Y = cobb_douglas(n, m, s, seed=seed)
    df = pd.DataFrame(np.hstack([X, Y]), columns=[f"x{i + 1}" for i in range(m)] + [f"y{r + 1}" for r in range(s)])
    df.insert(0, "unit", [f"u{k:03d}" for k in range(n)])
    return df


KWC = dict(id="unit", inputs=["x1", "x2", "x3"], outputs=["y1", "y2"])


def farrell(r) -> np.ndarray:
    eff = r.scores.to_numpy()
    return eff if r.orientation == "input" else 1.0 / eff


def assert_weights(r, df, kw, tol=1e-7):
    X, Y = df[kw["inputs"]].to_numpy(float), df[kw["outputs"]].to_numpy(float)
    check_weights(X, Y, r.v.to_numpy(), r.u.to_numpy(), r.u0.to_numpy(), farrell(r), orientation=r.orientation,
                  rts=r.rts, what=f"{r.rts} {r.orientation} weights", tol=tol)
    u0 = r.u0.to_numpy()
    if r.rts == "nirs":
        assert u0.max() <= tol, "NIRS: u0 <= 0"
    if r.rts == "ndrs":
        assert u0.min() >= -tol, "NDRS: u0 >= 0"


# ------------------------------------------------------------------------------------------------
# Values and the table
# ------------------------------------------------------------------------------------------------

def test_ccr_example_values_and_table():
    r = ef.multiplier(DMU5, rts="crs", orientation="input", **KW5)
    np.testing.assert_allclose(r.scores.to_numpy(), CCR_INPUT, atol=TOL)
    t = r.to_frame()
    assert list(t.index) == list(DMU5.dmu) and t.index.name == "dmu"
    assert list(t.columns) == ["efficiency", "v_input1", "v_input2", "u_output", "u0", "virtual_input1",
                               "virtual_input2", "virtual_output", "status"]
    assert (t["status"] == "optimal").all() and (t["u0"] == 0).all()
    # input orientation: the virtual inputs sum to 1, the virtual outputs to the efficiency
    np.testing.assert_allclose(t[["virtual_input1", "virtual_input2"]].sum(axis=1), 1.0, atol=TOL)
    np.testing.assert_allclose(t["virtual_output"], CCR_INPUT, atol=TOL)
    np.testing.assert_allclose(t["virtual_input1"], t["v_input1"] * DMU5["input1"].to_numpy(), rtol=1e-12)
    assert_weights(r, DMU5, KW5)
    # DMU1 (2, 5 -> 1), theta 1/2: with u = theta = 1/2 and 2 v1 + 5 v2 = 1, DMU2 (2, 4 -> 2) stays on or
    # below the plane only if 1 <= 2 v1 + 4 v2 = 1 - v2: the optimum is unique, v = (1/2, 0), u = 1/2
    np.testing.assert_allclose(r.v.loc["DMU1"], [0.5, 0.0], atol=1e-9)
    np.testing.assert_allclose(r.u.loc["DMU1"], [0.5], atol=1e-9)
    assert "Multiplier form" in r.summary() and "5 optimal" in r.summary()


def test_output_orientation_is_shephard_and_virtual_outputs_sum_to_one():
    r = ef.multiplier(DMU5, rts="crs", orientation="output", **KW5)
    np.testing.assert_allclose(r.scores.to_numpy(), CCR_INPUT, atol=TOL)   # CRS: 1/phi = theta
    t = r.to_frame()
    np.testing.assert_allclose(t["virtual_output"], 1.0, atol=TOL)
    np.testing.assert_allclose(t[["virtual_input1", "virtual_input2"]].sum(axis=1) - t["u0"], 1.0 / np.array(CCR_INPUT),
                               rtol=1e-9)


def test_arrays_and_csv_path(tmp_path):
    X, Y = DMU5[["input1", "input2"]].to_numpy(), DMU5[["output"]].to_numpy()
    r = ef.multiplier(inputs=X, outputs=Y, rts="crs")
    np.testing.assert_allclose(r.scores.to_numpy(), CCR_INPUT, atol=TOL)
    assert list(r.to_frame().columns[:4]) == ["efficiency", "v_x1", "v_x2", "u_y1"]
    path = tmp_path / "d.csv"
    DMU5.to_csv(path, index=False)
    np.testing.assert_allclose(ef.multiplier(str(path), rts="crs", **KW5).scores.to_numpy(), CCR_INPUT, atol=TOL)


# ------------------------------------------------------------------------------------------------
# Multiplier = envelopment, every backend
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("solver", [None, "highs", "scipy"])
@pytest.mark.parametrize("rts,orientation", CONFIGS)
def test_equals_envelopment_for_every_dmu_and_backend(solver, rts, orientation):
    df = cobb(40, seed=5)
    r = ef.multiplier(df, rts=rts, orientation=orientation, solver=solver, **KWC)
    d = ef.dea(df, rts=rts, orientation=orientation, solver=solver, slacks=False, **KWC)
    np.testing.assert_allclose(r.scores.to_numpy(), d.scores.to_numpy(), atol=1e-8, rtol=1e-8)
    assert (r.status == "optimal").all()
    assert_weights(r, df, KWC)
    assert r.solver == ("highs" if solver is None else solver)   # numba hands generic LPs to HiGHS


PULP_CASES = [("pulp:HiGHS", rts, o) for rts, o in CONFIGS] + [("pulp", rts, o) for rts, o in CONFIGS
                                                                if (rts, o) != ("vrs", "output")]


@pytest.mark.parametrize("solver,rts,orientation", PULP_CASES)
def test_equals_envelopment_with_pulp(solver, rts, orientation):
    """PuLP with HiGHS, and with CBC (its default), on a small set. CBC is left out of VRS output: there a
    DMU with the smallest value of an input has an unbounded optimal face (v_i and u0 grow together,
    v.x_o - u0 unchanged), CBC answers a point far along it (weights ~1e9) with 8 significant digits,
    and the objective it implies is off by ~10. HiGHS returns a vertex in double precision."""
    df = cobb(10, seed=8)
    r = ef.multiplier(df, rts=rts, orientation=orientation, solver=solver, weights="solver", **KWC)
    d = ef.dea(df, rts=rts, orientation=orientation, solver="highs", slacks=False, **KWC)
    tol = 1e-8 if solver == "pulp:HiGHS" else 1e-4
    np.testing.assert_allclose(r.scores.to_numpy(), d.scores.to_numpy(), rtol=tol, atol=tol)
    assert r.solver == solver and (r.status == "optimal").all()
    assert_weights(r, df, KWC, tol=max(tol, 1e-7))


@pytest.mark.parametrize("rts,orientation", CONFIGS)
def test_screening_equals_plain_computation(rts, orientation):
    """From 64 DMUs the LPs have one row per frame DMU: the same efficiencies as the plain LPs (all rows,
    HiGHS, no screening), with weights feasible for every DMU."""
    df = cobb(120, seed=11)
    X, Y = df[KWC["inputs"]].to_numpy(), df[KWC["outputs"]].to_numpy()
    from efficiency.dea.envelopment import backend
    w = MULT.solve_weights(X, Y, rts=ef.RTS(rts), orientation=ef.Orientation(orientation), solver=backend(None))
    assert w.frame is not None and 0 < w.frame.size < 60, "screened against a frame much smaller than n"
    fast = ef.multiplier(df, rts=rts, orientation=orientation, **KWC)
    plain = ef.multiplier(df, rts=rts, orientation=orientation, solver="highs", screen=False, **KWC)
    np.testing.assert_allclose(fast.scores.to_numpy(), plain.scores.to_numpy(), atol=1e-9, rtol=1e-9)
    assert_weights(fast, df, KWC)
    assert_weights(plain, df, KWC)
    bounds = {"x2/x1": (0.5, 2.0), "virtual:y1": (0.3, None)}
    fast = ef.multiplier(df, rts=rts, orientation=orientation, weight_bounds=bounds, **KWC)
    plain = ef.multiplier(df, rts=rts, orientation=orientation, weight_bounds=bounds, solver="highs", screen=False,
                          **KWC)
    np.testing.assert_allclose(fast.scores.to_numpy(), plain.scores.to_numpy(), atol=1e-9, rtol=1e-9)
    env = ef.dea(df, rts=rts, orientation=orientation, weight_bounds=bounds, **KWC)           # screened too
    env_plain = ef.dea(df, rts=rts, orientation=orientation, weight_bounds=bounds, solver="highs", screen=False, **KWC)
    np.testing.assert_allclose(env.scores.to_numpy(), plain.scores.to_numpy(), atol=1e-8, rtol=1e-8)
    np.testing.assert_allclose(env_plain.scores.to_numpy(), plain.scores.to_numpy(), atol=1e-8, rtol=1e-8)


def test_u0_sign_and_returns_to_scale():
    """u0 > 0 at the increasing-returns end of a VRS frontier, < 0 at the decreasing end (one input, one
    output: A(1,1), B(2,3), C(4,4): the hyperplane of A-B has u0 = 1/2 > 0, of B-C u0 < 0)."""
    df = pd.DataFrame({"id": ["A", "B", "C"], "x": [1.0, 2.0, 4.0], "y": [1.0, 3.0, 4.0]})
    kw = dict(id="id", inputs=["x"], outputs=["y"])
    r = ef.multiplier(df, rts="vrs", orientation="input", **kw)
    np.testing.assert_allclose(r.scores.to_numpy(), 1.0, atol=TOL)
    assert r.u0["A"] > 0 and r.u0["C"] < 0
    np.testing.assert_allclose([r.v.loc["A", "x"], r.u.loc["A", "y"], r.u0["A"]], [1.0, 0.5, 0.5], atol=1e-9)
    assert ef.multiplier(df, rts="nirs", **kw).u0.max() <= TOL
    assert ef.multiplier(df, rts="ndrs", **kw).u0.min() >= -TOL


def test_maximin_weights_lean_least_on_zeros():
    """weights='maximin' maximises the smallest weight in column-mean units among the optima: never below
    the backend's first optimum, above it somewhere, same efficiencies."""
    df = cobb(50, seed=2)
    scale = np.concatenate([df[KWC["inputs"]].mean().to_numpy(), df[KWC["outputs"]].mean().to_numpy()])
    for rts, orientation in (("crs", "input"), ("vrs", "output")):
        a = ef.multiplier(df, rts=rts, orientation=orientation, **KWC)
        b = ef.multiplier(df, rts=rts, orientation=orientation, weights="solver", **KWC)
        np.testing.assert_allclose(a.scores.to_numpy(), b.scores.to_numpy(), atol=TOL)
        low_a = (pd.concat([a.v, a.u], axis=1).to_numpy() * scale).min(axis=1)
        low_b = (pd.concat([b.v, b.u], axis=1).to_numpy() * scale).min(axis=1)
        assert (low_a >= low_b - 1e-9).all()
        assert (low_a > low_b + 1e-6).any()
        assert a.weights == "maximin" and b.weights == "solver"
        assert_weights(a, df, KWC)
        assert_weights(b, df, KWC)


# ------------------------------------------------------------------------------------------------
# Weight restrictions
# ------------------------------------------------------------------------------------------------

BOUNDS = {
    "ratio": {("x2", "x1"): (0.5, 2.0), ("y2", "y1"): (0.2, 1.0)},
    "absolute": {"x1": (0.01, None), "y1": (None, 0.2)},
    "virtual": {"virtual:x1": (0.2, 0.6), "virtual:y2": (None, 0.5)},
}


def check_bounds(r, df, kind):
    v, u = r.v.to_numpy(), r.u.to_numpy()
    X, Y = df[KWC["inputs"]].to_numpy(), df[KWC["outputs"]].to_numpy()
    if kind == "ratio":
        check_ratios(v, u, BOUNDS["ratio"], KWC["inputs"], KWC["outputs"], "ratio bounds")
    elif kind == "absolute":
        assert v[:, 0].min() >= 0.01 * (1 - 1e-7) and u[:, 0].max() <= 0.2 * (1 + 1e-7)
    else:
        with np.errstate(invalid="ignore"):             # all output weights 0 (VRS input: u0 = theta)
            share_x1 = v[:, 0] * X[:, 0] / (v * X).sum(axis=1)
            share_y2 = u[:, 1] * Y[:, 1] / (u * Y).sum(axis=1)
        assert share_x1.min() >= 0.2 - 1e-7 and share_x1.max() <= 0.6 + 1e-7
        assert np.nanmax(share_y2) <= 0.5 + 1e-7


@pytest.mark.parametrize("kind", list(BOUNDS))
@pytest.mark.parametrize("rts,orientation", CONFIGS)
def test_weight_bounds_hold_and_envelopment_agrees(kind, rts, orientation):
    df = cobb(30, seed=4)
    bounds = BOUNDS[kind]
    r = ef.multiplier(df, rts=rts, orientation=orientation, weight_bounds=bounds, **KWC)
    assert (r.status == "optimal").all()
    assert_weights(r, df, KWC)
    check_bounds(r, df, kind)
    free = ef.multiplier(df, rts=rts, orientation=orientation, **KWC).scores.to_numpy()
    assert (r.scores.to_numpy() <= free + 1e-9).all(), "restricting the weights never raises an efficiency"
    assert (r.scores.to_numpy() < free - 1e-6).any(), "these restrictions bind for some DMU"
    d = ef.dea(df, rts=rts, orientation=orientation, weight_bounds=bounds, **KWC)
    np.testing.assert_allclose(d.scores.to_numpy(), r.scores.to_numpy(), atol=1e-8, rtol=1e-8)
    assert d.slacks is None and d.lambda_matrix.shape == (30, 30)
    assert d.solver == "highs"


def test_text_form_equals_dict_form_and_summary_lists_restrictions():
    df = cobb(25, seed=6)
    text = "x2/x1=0.5:2, y2/y1=0.2:1, x1=0.01:, virtual:x1=0.2:0.6"
    as_dict = {("x2", "x1"): (0.5, 2), ("y2", "y1"): (0.2, 1), "x1": (0.01, None), "virtual:x1": (0.2, 0.6)}
    a = ef.multiplier(df, weight_bounds=text, **KWC)
    b = ef.multiplier(df, weight_bounds=as_dict, **KWC)
    np.testing.assert_allclose(a.scores.to_numpy(), b.scores.to_numpy(), atol=0)
    assert len(a.restrictions) == 4 and "x2/x1 (ratio) in [0.5, 2]" in a.summary()
    assert "virtual:x1 (virtual share) in [0.2, 0.6]" in a.summary()


def test_impossible_absolute_bound_is_data_not_an_exception():
    """v_x1 >= 10 cannot meet v.x_o = 1 (x1 >= 1): every LP is infeasible; NaN, status, one warning."""
    df = cobb(12, seed=1)
    with pytest.warns(SolveWarning, match="12 of 12 DMUs have no optimum .*12 infeasible"):
        r = ef.multiplier(df, rts="crs", weight_bounds={"x1": (10, None)}, **KWC)
    assert r.scores.isna().all() and (r.status == "infeasible").all()
    assert r.to_frame()["v_x1"].isna().all()
    with pytest.warns(SolveWarning):
        d = ef.dea(df, rts="crs", weight_bounds={"x1": (10, None)}, **KWC)
    assert d.scores.isna().all() and (d.status != "optimal").all()


BAD_BOUNDS = [
    ({("x2", "x1"): (2.0, 0.5)}, "lower bound 2 > upper bound 0.5"),
    ({("x9", "x1"): (0.5, 2)}, "'x9' is not one of the inputs or outputs"),
    ({"zz": (0, 1)}, "'zz' is not one of the inputs or outputs"),
    ({("y1", "x1"): (0.5, 2)}, "'y1' is an output and 'x1' an input"),
    ({("x2", "x1"): (-1, 2)}, "the lower bound -1 is negative"),
    ({"x1": (0, -2)}, "the upper bound -2 is negative"),
    ({("x2", "x1"): (float("nan"), 2)}, "the lower bound is NaN"),
    ({("x1", "x1"): (0.5, 2)}, "a ratio of 'x1' with itself"),
    ({("x2", "x1"): 0.5}, "expected a pair (lo, hi)"),
    ({("x2", "x1"): ("a", 2)}, "'a' is not a number"),
    ({"virtual:x1": (1.5, None)}, "lies in [0, 1]"),
    ({"x1": (None, None)}, "bounds nothing"),
    ({("x2", "x1", "x3"): (0, 1)}, "a ratio is a pair of column names"),
    ("x2/x1=0.5", "is not KEY=LO:HI"),
    ([(("x2", "x1"), (0.5, 2))], "expected a dict"),
]


@pytest.mark.parametrize("bounds,message", BAD_BOUNDS)
def test_bad_weight_bounds_are_spec_errors(bounds, message):
    df = cobb(10)
    with pytest.raises(SpecError, match=_re(message)):
        ef.multiplier(df, weight_bounds=bounds, **KWC)
    with pytest.raises(SpecError, match=_re(message)):
        ef.dea(df, weight_bounds=bounds, **KWC)


def _re(text: str) -> str:
    import re
    return re.escape(text)


@pytest.mark.parametrize("options,message", [
    (dict(model="sbm"), "only the radial model takes weight restrictions"),
    (dict(super_efficiency=True), "not available together with super_efficiency"),
    (dict(scale=True), "not available together with scale"),
    (dict(orientation="graph"), "the orientation must be 'input' or 'output'"),
    (dict(nondiscretionary=["x1"]), "nondiscretionary/noncontrollable"),
])
def test_dea_weight_bounds_only_with_the_radial_model(options, message):
    with pytest.raises(SpecError, match=_re(message)):
        ef.dea(cobb(10), weight_bounds={"x2/x1": (0.5, 2)}, **{**KWC, **options})


@pytest.mark.parametrize("options,error,message", [
    (dict(rts="fdh"), SpecError, "the multiplier form takes crs, vrs, nirs, ndrs, not 'fdh'"),
    (dict(orientation="graph"), SpecError, "'input' or 'output', not 'graph'"),
    (dict(weights="best"), SpecError, "weights: 'best' is not one of 'maximin', 'solver'"),
    (dict(inputs=["x1", "nope"]), DataError, "unknown input column 'nope'"),
])
def test_option_and_data_errors(options, error, message):
    with pytest.raises(error, match=_re(message)):
        ef.multiplier(cobb(10), **{**KWC, **options})


def test_dmu_without_inputs_is_a_data_error():
    df = cobb(6)
    df.loc[2, ["x1", "x2", "x3"]] = 0.0
    with pytest.raises(DataError, match="all inputs zero; the input-oriented multiplier form"):
        ef.multiplier(df, **KWC)


# ------------------------------------------------------------------------------------------------
# CLI
# ------------------------------------------------------------------------------------------------

def run(*args):
    return CliRunner().invoke(cli.main, [str(a) for a in args])


@pytest.fixture
def dmu5_csv(tmp_path) -> Path:
    path = tmp_path / "dmu5.csv"
    DMU5.to_csv(path, index=False)
    return path


SPEC5 = ["--id", "dmu", "--inputs", "input1,input2", "--outputs", "output"]


def test_cli_multiplier_writes_the_api_table(dmu5_csv, tmp_path):
    out = tmp_path / "w.csv"
    res = run("multiplier", dmu5_csv, *SPEC5, "--rts", "crs", "--weight-bounds", "input2/input1=0.5:2", "-o", out)
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out)
    want = ef.multiplier(DMU5, rts="crs", weight_bounds={("input2", "input1"): (0.5, 2)}, **KW5).to_frame()
    assert list(got.columns) == ["dmu"] + list(want.columns)
    np.testing.assert_allclose(got["efficiency"], want["efficiency"], rtol=1e-12)
    np.testing.assert_allclose(got["v_input2"] / got["v_input1"], np.clip(want["v_input2"] / want["v_input1"], 0.5, 2),
                               rtol=1e-6)
    # repeated --weight-bounds add up; stdout without -o
    res = run("multiplier", dmu5_csv, *SPEC5, "--weight-bounds", "input2/input1=0.5:", "--weight-bounds",
              "input2/input1=:2", "--summary")
    assert res.exit_code == 0
    assert "input2/input1 (ratio) in [0.5, inf]" in res.output and "dmu,efficiency,v_input1" in res.output


@pytest.mark.parametrize("bounds,message", [
    ("input2/input1=2:0.5", "lower bound 2 > upper bound 0.5"),
    ("input2/output=0.5:2", "'input2' is an input and 'output' an output"),
    ("nope=0:1", "'nope' is not one of the inputs or outputs"),
    ("input1=-1:", "negative"),
    ("input1", "is not KEY=LO:HI"),
])
def test_cli_bad_weight_bounds_exit_1(dmu5_csv, bounds, message):
    res = run("multiplier", dmu5_csv, *SPEC5, "--weight-bounds", bounds)
    assert res.exit_code == 1
    assert "error:" in res.output and message in res.output


def test_cli_multiplier_bad_column_exit_1(dmu5_csv):
    res = run("multiplier", dmu5_csv, "--id", "dmu", "--inputs", "input1,inputX", "--outputs", "output")
    assert res.exit_code == 1 and "unknown input column 'inputX'" in res.output
