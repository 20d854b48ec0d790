"""Issue 13 models against the external oracle: ``ref/grs/``, ``ref/nonradial/`` and ``ref/rdm/``
(deaR 1.5.3 and Benchmarking 0.33; README_more.md sections 4 and 5).

* GRS: deaR ``model_basic(rts = "grs", L, U)`` and Benchmarking ``dea(RTS = "vrs+", param = c(0, U, L, U))``
  against ``ef.dea(rts="grs", rts_bounds=(L, U))`` (Farrell theta, phi), plus their CRS and VRS columns.
* Russell: deaR ``model_nonradial`` (maxslack = TRUE): ``mean_eff`` = our ``farrell`` (mean theta, or
  mean phi), to 1e-6. The per-variable factors, slacks and targets are not unique: ours (and deaR's)
  are checked for feasibility - the point (theta o x_o, y_o), or (x_o, phi o y_o), lies in the
  technology - and for optimality: the factors average to the unique score, and the phase II slack
  sum (unique: the optimum of the max-slack LP) equals deaR's.
* RDM / IRDM: deaR ``model_rdm``: ``beta`` to 1e-6 (IRDM, whose beta is in units of (data)^2: the
  move a difference in beta makes, in units of the columns' means, to 1e-6); deaR's 1e30 (a zero
  direction) is our status 'unbounded'; the phase II slack sums equal deaR's.

Data sets whose references are kept back (README_more.md: grs Airlines and Coelli_1998; nonradial and
rdm Hotels and Power_plants) are checked against the models' LPs written in ``test_dea_breadth.py``
(scipy linprog), for every DMU. A folder of the oracle without a spec here fails the test that lists
them, so that no reference file goes unchecked.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest

import efficiency as ef
from oracle_specs import SPECS
from test_dea_breadth import _solve, radial_lp, rdm_lp, rdm_step, russell_lp

#: README_more.md: data sets of each family, and those whose references are held back.
FAMILIES = {"grs": {"Electric_plants", "Fried1993", "Airlines", "Coelli_1998"},
            "nonradial": {"Fried1993", "Electric_plants", "Hotels", "Power_plants", "Coelli_1998"},
            "rdm": {"Fried1993", "Electric_plants", "Hotels", "Power_plants", "Coelli_1998"}}
HELD_BACK = {"grs": {"Airlines", "Coelli_1998"}, "nonradial": {"Hotels", "Power_plants"},
             "rdm": {"Hotels", "Power_plants"}}
GRS_FILES = {"grs_L0.8_U1.2.csv": (0.8, 1.2), "grs_L0.5_U2.csv": (0.5, 2.0)}
NONRADIAL_FILES = [f"nonradial_{r}_{o}.csv" for r in ("crs", "vrs") for o in ("io", "oo")]
RDM_FILES = [f"{k}_{o}.csv" for k in ("rdm", "irdm") for o in ("no", "io", "oo")]
TOL = 1e-6
DEAR_INF = 1e29            # deaR writes 1e30 for an unbounded beta


def quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


def load(oracle, name: str):
    spec = SPECS[name]
    df = pd.read_csv(oracle / "data" / spec.file)
    return df, dict(id=spec.id, inputs=list(spec.inputs), outputs=list(spec.outputs))


def read(oracle, family: str, name: str, file: str, df: pd.DataFrame, id_col: str) -> pd.DataFrame:
    ref = pd.read_csv(oracle / "ref" / family / name / file)
    assert list(ref["dmu"].astype(str)) == list(df[id_col].astype(str)), f"{family}/{name}/{file}: DMU order"
    return ref


def present(oracle, family: str) -> list[str]:
    return sorted(p.name for p in (oracle / "ref" / family).iterdir() if p.is_dir())


def in_technology(X, Y, x, y, bounds, rel=1e-7) -> bool:
    """Whether (x, y) lies in the technology of (X, Y) with L <= sum(lambda) <= U (None: CRS), up to a
    relative tolerance: an LP written here (feasibility, on mean-scaled columns)."""
    s = np.r_[np.abs(X).mean(axis=0), np.abs(Y).mean(axis=0)]
    n = X.shape[0]
    A = np.vstack([X.T / s[:X.shape[1], None], -Y.T / s[X.shape[1]:, None]])
    b = np.r_[x / s[:X.shape[1]] + rel * np.maximum(1, np.abs(x) / s[:X.shape[1]]),
              -y / s[X.shape[1]:] + rel * np.maximum(1, np.abs(y) / s[X.shape[1]:])]
    if bounds is not None:
        A = np.vstack([A, np.ones((1, n)), -np.ones((1, n))])
        b = np.r_[b, bounds[1] + rel, -bounds[0] + rel]
    return _solve(np.zeros(n), A, b, [(0, None)] * n).status == 0


def test_every_family_folder_is_specified(oracle):
    """The folders present are the README's data sets less the held-back ones (so none goes unchecked)."""
    for family, listed in FAMILIES.items():
        folders = set(present(oracle, family))
        assert folders <= listed, f"{family}: folders without a spec here: {folders - listed}"
        assert folders | HELD_BACK[family] == listed, f"{family}: missing {listed - folders - HELD_BACK[family]}"
        assert all(name in SPECS for name in listed)


# --------------------------------------------------------------------------------------------------
# GRS
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(FAMILIES["grs"] - HELD_BACK["grs"]))
@pytest.mark.parametrize("file", sorted(GRS_FILES))
@pytest.mark.parametrize("solver", [None, "highs"])
def test_grs_reference(oracle, name, file, solver):
    df, kw = load(oracle, name)
    ref = read(oracle, "grs", name, file, df, kw["id"])
    bounds = GRS_FILES[file]
    for orientation, cols in (("input", ("deaR_grs_io", "bm_vrsplus_in")),
                              ("output", ("deaR_grs_oo", "bm_vrsplus_out"))):
        r = quiet(ef.dea, df, **kw, rts="grs", rts_bounds=bounds, orientation=orientation, solver=solver)
        assert (r.status == "optimal").all()
        for col in cols:
            np.testing.assert_allclose(r.farrell, ref[col], rtol=0, atol=TOL, err_msg=f"{name} {file} {col}")
        suffix = "in" if orientation == "input" else "out"
        for rts in ("crs", "vrs"):
            np.testing.assert_allclose(quiet(ef.dea, df, **kw, rts=rts, orientation=orientation, solver=solver).farrell,
                                       ref[f"{rts}_{suffix}"], rtol=0, atol=TOL)
    # the bounds bind somewhere: GRS differs from both CRS and VRS on these data
    assert (np.abs(ref["deaR_grs_io"] - ref["crs_in"]) > 1e-3).any()


@pytest.mark.parametrize("name", sorted(HELD_BACK["grs"]))
def test_grs_held_back_against_lp(oracle, name):
    df, kw = load(oracle, name)
    X, Y = df[kw["inputs"]].to_numpy(float), df[kw["outputs"]].to_numpy(float)
    for bounds in GRS_FILES.values():
        for orientation in ("input", "output"):
            r = quiet(ef.dea, df, **kw, rts="grs", rts_bounds=bounds, orientation=orientation)
            want = [radial_lp(X, Y, o, bounds, orientation) for o in range(len(df))]
            np.testing.assert_allclose(r.farrell, want, rtol=0, atol=TOL, err_msg=f"{name} {bounds} {orientation}")


# --------------------------------------------------------------------------------------------------
# Russell (deaR model_nonradial)
# --------------------------------------------------------------------------------------------------

def _check_russell(name, file, r, ref, X, Y, orientation, bounds):
    np.testing.assert_allclose(r.farrell, ref["mean_eff"], rtol=0, atol=TOL, err_msg=f"{name} {file} mean_eff")
    prefix = "theta_" if orientation == "input" else "phi_"
    cols = [c for c in ref if c.startswith(prefix)]
    ours = r.factors.to_numpy()
    theirs = ref[cols].to_numpy()
    np.testing.assert_allclose(np.nanmean(ours, axis=1), r.farrell, rtol=1e-9)
    for o in range(len(ref)):                       # both factor vectors give points of the technology
        for f in (ours[o], theirs[o]):
            x, y = (f * X[o], Y[o]) if orientation == "input" else (X[o], f * Y[o])
            assert in_technology(X, Y, x, y, bounds), f"{name} {file} DMU {o}: factors {f} outside"
    side = "sy_" if orientation == "input" else "sx_"
    sl = [c for c in ref if c.startswith(side)]
    mine = r.slacks[[c[3:] for c in sl]].to_numpy().sum(axis=1)
    theirs_sum = ref[sl].to_numpy().sum(axis=1)
    scale = max(1.0, float(np.abs((Y if orientation == "input" else X).sum(axis=1)).mean()))
    np.testing.assert_allclose(mine, theirs_sum, rtol=0, atol=TOL * scale, err_msg=f"{name} {file} slack sum")


@pytest.mark.parametrize("name", sorted(FAMILIES["nonradial"] - HELD_BACK["nonradial"]))
@pytest.mark.parametrize("file", NONRADIAL_FILES)
def test_russell_reference(oracle, name, file):
    df, kw = load(oracle, name)
    ref = read(oracle, "nonradial", name, file, df, kw["id"])
    rts, o = re.match(r"nonradial_(\w+)_(io|oo)\.csv", file).groups()
    orientation = "input" if o == "io" else "output"
    r = ef.dea(df, **kw, model="russell", rts=rts, orientation=orientation)
    X, Y = df[kw["inputs"]].to_numpy(float), df[kw["outputs"]].to_numpy(float)
    _check_russell(name, file, r, ref, X, Y, orientation, None if rts == "crs" else (1.0, 1.0))
    if rts == "crs" and orientation == "input":     # README: mean_eff <= radial theta for every DMU
        assert (r.scores <= ef.dea(df, **kw, rts="crs").scores + 1e-9).all()


@pytest.mark.parametrize("name", sorted(HELD_BACK["nonradial"]))
@pytest.mark.parametrize("rts", ["crs", "vrs"])
@pytest.mark.parametrize("orientation", ["input", "output"])
def test_russell_held_back_against_lp(oracle, name, rts, orientation):
    df, kw = load(oracle, name)
    X, Y = df[kw["inputs"]].to_numpy(float), df[kw["outputs"]].to_numpy(float)
    bounds = None if rts == "crs" else (1.0, 1.0)
    r = ef.dea(df, **kw, model="russell", rts=rts, orientation=orientation)
    want = [russell_lp(X, Y, o, bounds, orientation)[0] for o in range(len(df))]
    np.testing.assert_allclose(r.farrell, want, rtol=0, atol=TOL, err_msg=f"{name} {rts} {orientation}")
    f = r.factors.to_numpy()
    for o in range(len(df)):
        x, y = (f[o] * X[o], Y[o]) if orientation == "input" else (X[o], f[o] * Y[o])
        assert in_technology(X, Y, x, y, bounds)
    example = oracle / "ref" / "deaR_examples" / "Hotels_nonradial_oo_vrs.csv"
    if name == "Hotels" and rts == "vrs" and orientation == "output" and example.exists():   # README: = file
        np.testing.assert_allclose(r.farrell, pd.read_csv(example)["mean_eff"], atol=TOL)


# --------------------------------------------------------------------------------------------------
# RDM and IRDM (deaR model_rdm)
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(FAMILIES["rdm"] - HELD_BACK["rdm"]))
@pytest.mark.parametrize("file", RDM_FILES)
@pytest.mark.parametrize("solver", [None, "highs"])
def test_rdm_reference(oracle, name, file, solver):
    df, kw = load(oracle, name)
    ref = read(oracle, "rdm", name, file, df, kw["id"])
    kind, o = re.match(r"(i?rdm)_(no|io|oo)\.csv", file).groups()
    inverse = kind == "irdm"
    r = quiet(ef.dea, df, **kw, model="rdm", orientation={"no": "none", "io": "input", "oo": "output"}[o],
              inverse=inverse, solver=solver)
    beta = ref["beta"].to_numpy()
    unbounded = beta >= DEAR_INF
    assert (r.status[unbounded] == "unbounded").all() and r.beta[unbounded].isna().all()
    assert (r.status[~unbounded] == "optimal").all()
    finite = beta[~unbounded]
    X, Y = df[kw["inputs"]].to_numpy(float), df[kw["outputs"]].to_numpy(float)
    if inverse:                                         # beta in units of (data)^2: judged by the move
        orient = {"no": "none", "io": "input", "oo": "output"}[o]
        step = np.array([rdm_step(X, Y, k, orient, True) for k in np.flatnonzero(~unbounded)])
        assert (np.abs(r.beta[~unbounded] - finite) * step <= TOL * np.maximum(1.0, np.abs(finite) * step)).all()
        assert r.scores.isna().all()
    else:
        np.testing.assert_allclose(r.beta[~unbounded], finite, rtol=0, atol=TOL, err_msg=f"{name} {file}")
        np.testing.assert_allclose(r.scores[~unbounded], 1.0 - finite, rtol=0, atol=TOL)
    sl = [c for c in ref if c.startswith(("sx_", "sy_"))]
    mine = r.slacks[[c[3:] for c in sl]].to_numpy().sum(axis=1)[~unbounded]
    scale = max(1.0, float(np.abs(np.hstack([X, Y])).sum(axis=1).mean()))
    np.testing.assert_allclose(mine, ref[sl].to_numpy().sum(axis=1)[~unbounded], rtol=0, atol=TOL * scale)


@pytest.mark.parametrize("name", sorted(HELD_BACK["rdm"]))
@pytest.mark.parametrize("orientation", ["none", "input", "output"])
@pytest.mark.parametrize("inverse", [False, True])
def test_rdm_held_back_against_lp(oracle, name, orientation, inverse):
    df, kw = load(oracle, name)
    X, Y = df[kw["inputs"]].to_numpy(float), df[kw["outputs"]].to_numpy(float)
    r = quiet(ef.dea, df, **kw, model="rdm", orientation=orientation, inverse=inverse)
    want = [rdm_lp(X, Y, o, orientation, inverse) for o in range(len(df))]
    for o, w in enumerate(want):
        if w is None:
            assert r.status.iloc[o] == "unbounded"
        elif inverse:                                   # beta in units of (data)^2: judged by the move
            step = rdm_step(X, Y, o, orientation, inverse)
            assert abs(r.beta.iloc[o] - w) * step <= TOL * max(1.0, abs(w) * step), (name, o, r.beta.iloc[o], w)
        else:
            assert r.beta.iloc[o] == pytest.approx(w, abs=TOL), (name, o)
