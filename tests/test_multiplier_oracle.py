"""The multiplier form and weight restrictions against the external oracle (``ref/multiplier/<ds>/``).

README_more.md section 2: deaR's ``model_multiplier`` (``deaR_multiplier_{crs,vrs}_{io,oo}.csv``) and
Benchmarking's ``dea.dual`` (``bm_dual_{crs,vrs}_{in,out}.csv``; with an assurance region
``bm_dual_AR_*.csv`` and its matrix ``bm_dual_AR_matrix.csv``). Weights are not unique, so they are
compared through what is unique: every efficiency (to 1e-6), and for the weights feasibility (every
DMU on or below the hyperplane, the normalisation, the sign of u0, the restrictions) and optimality
(they attain the efficiency) - ours and the references' alike, which also pins down the references'
sign conventions (deaR's ``mult_rts`` is u0 in io and -u0 in oo; Benchmarking's gamma2 - gamma1 is u0).

The data sets whose references are held back (multiplier Hotels, Power_plants, Fortune500 and
charnes1981) are checked against the multiplier LP written here with ``scipy.optimize.linprog`` (every
DMU's LP, all DMUs as rows, columns divided by their means), with and without an assurance region, and
against ``ef.dea`` (the envelopment form).
"""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

import efficiency as ef
from oracle_specs import load_dataset

EFF_TOL = 1e-6           # efficiencies (relative to max(1, |reference|) for Farrell phi)
FEAS_TOL = 1e-7          # weights: rows, normalisation, objective, restrictions (relative)

MULTIPLIER_SETS = ("Airlines", "Coelli_1998", "Departments", "Doyle_Green_1994", "Electric_plants", "Fried1993")
BLIND_SETS = ("Hotels", "Power_plants", "Fortune500", "charnes1981")
AR_SETS = ("Doyle_Green_1994", "Electric_plants", "Fried1993")
CONFIGS = [(rts, o) for rts in ("crs", "vrs") for o in ("input", "output")]
DEAR = {"input": "io", "output": "oo"}
BM = {"input": "in", "output": "out"}


def load(oracle: Path, name: str):
    """(DataFrame, id, inputs, outputs) of a data set of README_more.md section 2 (Departments is model
    DEA1 of Tomkins and Green: Total_income = Res_co_income + Other_res_income + Other_income)."""
    if name == "Departments":
        df = pd.read_csv(Path(oracle) / "data" / "deaR" / "Departments.csv")
        df["Total_income"] = df["Res_co_income"] + df["Other_res_income"] + df["Other_income"]
        return df, "Departments", ["Staff"], ["Undergrad", "Research_post", "Taught_post", "Total_income"]
    return load_dataset(oracle, name)


def ref_weights(ref: pd.DataFrame, inputs, outputs, source: str, orientation: str):
    """(v, u, u0) of a reference file in our convention."""
    v = ref[[f"mult_in_{c}" for c in inputs]].to_numpy(float)
    u = ref[[f"mult_out_{c}" for c in outputs]].to_numpy(float)
    if "gamma1" in ref:                                 # Benchmarking: u0 = gamma2 - gamma1 in both orientations
        u0 = (ref["gamma2"] - ref["gamma1"]).to_numpy(float)
    elif "mult_rts" in ref:                             # deaR: u0 (io), -u0 (oo)
        u0 = ref["mult_rts"].to_numpy(float) * (1.0 if orientation == "input" else -1.0)
    else:
        u0 = np.zeros(len(ref))
    return v, u, u0


def check_weights(X, Y, v, u, u0, farrell, *, orientation: str, rts: str, what: str, tol: float = FEAS_TOL):
    """Feasibility and optimality of weights (v, u, u0) (rows = evaluated DMUs, data units) for the
    multiplier LPs whose optimum is ``farrell`` (theta input, phi output)."""
    n = X.shape[0]
    vx, uy = v @ X.T, u @ Y.T                        # [o, j]
    size = np.maximum(1.0, np.maximum(np.abs(vx), np.abs(uy)))
    excess = (uy + u0[:, None] - vx) / size
    assert excess.max() <= tol, f"{what}: a DMU lies above DMU {int(np.argmax(excess.max(axis=1)))}'s hyperplane by " \
                                f"{excess.max():.2e}"
    assert v.min() >= -tol * np.abs(v).max() and u.min() >= -tol * max(np.abs(u).max(), 1e-300), f"{what}: negative weight"
    own_x, own_y = np.diag(vx), np.diag(uy)
    if orientation == "input":
        np.testing.assert_allclose(own_x, 1.0, atol=tol, err_msg=f"{what}: v.x_o = 1")
        np.testing.assert_allclose(own_y + u0, farrell, atol=tol, err_msg=f"{what}: u.y_o + u0 = theta")
    else:
        np.testing.assert_allclose(own_y, 1.0, atol=tol, err_msg=f"{what}: u.y_o = 1")
        np.testing.assert_allclose(own_x - u0, farrell, rtol=tol, err_msg=f"{what}: v.x_o - u0 = phi")
    assert u0.shape == (n,)
    if rts == "crs":
        assert np.abs(u0).max() <= tol, f"{what}: u0 = 0 under CRS"
    if rts == "nirs":
        assert u0.max() <= tol, f"{what}: u0 <= 0 under NIRS"
    if rts == "ndrs":
        assert u0.min() >= -tol, f"{what}: u0 >= 0 under NDRS"


def farrell_of(r) -> np.ndarray:
    eff = r.scores.to_numpy()
    return eff if r.orientation == "input" else 1.0 / eff


def ours(df, id_, inputs, outputs, rts, orientation, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("error")                 # every LP of these data sets has an optimum
        return ef.multiplier(df, id=id_, inputs=inputs, outputs=outputs, rts=rts, orientation=orientation, **kw)


@pytest.mark.parametrize("name", MULTIPLIER_SETS)
@pytest.mark.parametrize("rts,orientation", CONFIGS)
def test_multiplier_matches_deaR_and_benchmarking(oracle, name, rts, orientation):
    df, id_, inputs, outputs = load(oracle, name)
    X, Y = df[inputs].to_numpy(float), df[outputs].to_numpy(float)
    r = ours(df, id_, inputs, outputs, rts, orientation)
    mine = farrell_of(r)
    folder = Path(oracle) / "ref" / "multiplier" / name
    files = {"deaR": folder / f"deaR_multiplier_{rts}_{DEAR[orientation]}.csv",
             "Benchmarking": folder / f"bm_dual_{rts}_{BM[orientation]}.csv"}
    for source, path in files.items():
        ref = pd.read_csv(path)
        assert [str(v) for v in ref["dmu"]] == [str(v) for v in df[id_]], f"{path.name}: DMUs in data order"
        phi = ref["eff"].to_numpy(float)
        np.testing.assert_allclose(mine, phi, rtol=EFF_TOL, atol=EFF_TOL, err_msg=f"{name} {path.name}: efficiency")
        v, u, u0 = ref_weights(ref, inputs, outputs, source, orientation)
        check_weights(X, Y, v, u, u0, phi, orientation=orientation, rts=rts, what=f"{source} {path.name} weights",
                      tol=1e-6)
    check_weights(X, Y, r.v.to_numpy(), r.u.to_numpy(), r.u0.to_numpy(), mine, orientation=orientation, rts=rts,
                  what=f"our weights ({name} {rts} {orientation})")
    np.testing.assert_allclose(mine, farrell_of(r), rtol=0)   # the table's efficiency is the same number
    assert (r.status == "optimal").all()


def ar_bounds(oracle: Path, name: str) -> dict:
    """bm_dual_AR_matrix.csv as our weight_bounds: 'input:Fuel/Labor' -> ('Fuel', 'Labor'): (lo, hi)."""
    m = pd.read_csv(Path(oracle) / "ref" / "multiplier" / name / "bm_dual_AR_matrix.csv")
    out = {}
    for label, lo, hi in m.itertuples(index=False):
        _, _, ratio = label.partition(":")
        num, _, den = ratio.partition("/")
        out[(num, den)] = (float(lo), float(hi))
    return out


def check_ratios(v, u, bounds, inputs, outputs, what, tol=1e-7):
    """lo w_b <= w_a <= hi w_b (the linear form: a weight pair at 0 meets every ratio bound)."""
    for (a, b), (lo, hi) in bounds.items():
        w, names = (v, inputs) if a in inputs else (u, outputs)
        wa, wb = w[:, names.index(a)], w[:, names.index(b)]
        size = max(np.abs(wa).max(), np.abs(wb).max() * max(lo, hi, 1.0))    # the weights' own magnitude
        assert np.all(wa - lo * wb >= -tol * size) and np.all(hi * wb - wa >= -tol * size), \
            f"{what}: {a}/{b} outside [{lo}, {hi}]"
        both = (wa > 0) & (wb > 0)
        assert both.any(), f"{what}: {a}/{b}: the ratio is defined for some DMU"


@pytest.mark.parametrize("name", AR_SETS)
@pytest.mark.parametrize("rts,orientation", CONFIGS)
def test_assurance_region_matches_benchmarking(oracle, name, rts, orientation):
    """bm_dual_AR_*: Benchmarking's dea.dual(DUAL=A); ours in multiplier and in envelopment form."""
    df, id_, inputs, outputs = load(oracle, name)
    X, Y = df[inputs].to_numpy(float), df[outputs].to_numpy(float)
    bounds = ar_bounds(oracle, name)
    assert bounds, "the AR matrix names at least one ratio"
    ref = pd.read_csv(Path(oracle) / "ref" / "multiplier" / name / f"bm_dual_AR_{rts}_{BM[orientation]}.csv")
    phi = ref["eff"].to_numpy(float)
    r = ours(df, id_, inputs, outputs, rts, orientation, weight_bounds=bounds)
    np.testing.assert_allclose(farrell_of(r), phi, rtol=EFF_TOL, atol=EFF_TOL, err_msg=f"{name} AR multiplier")
    d = ef.dea(df, id=id_, inputs=inputs, outputs=outputs, rts=rts, orientation=orientation, weight_bounds=bounds)
    np.testing.assert_allclose(d.farrell.to_numpy(), phi, rtol=EFF_TOL, atol=EFF_TOL, err_msg=f"{name} AR envelopment")
    v, u, u0 = ref_weights(ref, inputs, outputs, "Benchmarking", orientation)
    check_weights(X, Y, v, u, u0, phi, orientation=orientation, rts=rts, what="Benchmarking AR weights", tol=1e-6)
    check_ratios(v, u, bounds, inputs, outputs, "Benchmarking AR weights", tol=1e-6)
    check_weights(X, Y, r.v.to_numpy(), r.u.to_numpy(), r.u0.to_numpy(), farrell_of(r), orientation=orientation,
                  rts=rts, what="our AR weights")
    check_ratios(r.v.to_numpy(), r.u.to_numpy(), bounds, inputs, outputs, "our AR weights")
    # the restriction binds somewhere: the AR efficiency is below the unrestricted one for some DMU
    free = farrell_of(ours(df, id_, inputs, outputs, rts, orientation))
    worse = (phi < free - 1e-6) if orientation == "input" else (phi > free + 1e-6)
    assert worse.any() and ((phi <= free + 1e-9) if orientation == "input" else (phi >= free - 1e-9)).all()


def test_blind_multiplier_sets_have_no_reference(oracle):
    """The held-back data sets (README_more.md) have no folder; when they appear, compare them with R."""
    root = Path(oracle) / "ref" / "multiplier"
    present = {p.name for p in root.iterdir() if p.is_dir()}
    assert set(MULTIPLIER_SETS) <= present
    assert not set(BLIND_SETS) & present, f"references of {sorted(set(BLIND_SETS) & present)} arrived: add them " \
                                          "to MULTIPLIER_SETS"


def linprog_multiplier(X, Y, rts: str, orientation: str, ratios=()):
    """The multiplier LP of every DMU written out for scipy.optimize.linprog, all DMUs as rows; data
    divided by column means (weights scaled back). ``ratios``: (side, a, b, lo, hi) in column indices.
    Returns (Farrell measure, v, u, u0)."""
    n, m = X.shape
    s = Y.shape[1]
    mx, my = X.mean(axis=0), Y.mean(axis=0)
    Xs, Ys = X / mx, Y / my
    A_rows = np.hstack([-Xs, Ys, np.ones((n, 1))])          # u.y_j + u0 - v.x_j <= 0
    A_ub, b_ub = [A_rows], [np.zeros(n)]
    for side, a, b, lo, hi in ratios:                        # lo <= w_a / w_b <= hi in data units,
        off, sc = (0, mx) if side == "input" else (m, my)   # times sc_a (rows of order 1 for HiGHS)
        row = np.zeros(m + s + 1)
        row[off + a], row[off + b] = -1.0, lo * sc[a] / sc[b]
        A_ub.append(row[None])
        row = np.zeros(m + s + 1)
        row[off + a], row[off + b] = 1.0, -hi * sc[a] / sc[b]
        A_ub.append(row[None])
        b_ub.append(np.zeros(2))
    A_ub, b_ub = np.vstack(A_ub), np.concatenate(b_ub)
    u0b = {"crs": (0, 0), "vrs": (None, None)}[rts]
    bounds = [(0, None)] * (m + s) + [u0b]
    out = np.full(n, np.nan)
    W = np.full((n, m + s + 1), np.nan)
    for o in range(n):
        if orientation == "input":
            c = np.concatenate([np.zeros(m), -Ys[o], [-1.0]])
            A_eq = np.concatenate([Xs[o], np.zeros(s + 1)])[None]
        else:
            c = np.concatenate([Xs[o], np.zeros(s), [-1.0]])
            A_eq = np.concatenate([np.zeros(m), Ys[o], [0.0]])[None]
        res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=[1.0], bounds=bounds, method="highs")
        assert res.status == 0, f"linprog: DMU {o}: {res.message}"
        out[o] = -res.fun if orientation == "input" else res.fun
        W[o] = res.x
    return out, W[:, :m] / mx, W[:, m:m + s] / my, W[:, -1]


@pytest.mark.parametrize("name", BLIND_SETS)
@pytest.mark.parametrize("rts,orientation", CONFIGS)
def test_blind_sets_against_linprog_and_envelopment(oracle, name, rts, orientation):
    df, id_, inputs, outputs = load(oracle, name)
    X, Y = df[inputs].to_numpy(float), df[outputs].to_numpy(float)
    r = ours(df, id_, inputs, outputs, rts, orientation)
    want, v, u, u0 = linprog_multiplier(X, Y, rts, orientation)
    np.testing.assert_allclose(farrell_of(r), want, rtol=EFF_TOL, atol=EFF_TOL, err_msg=f"{name}: vs linprog")
    d = ef.dea(df, id=id_, inputs=inputs, outputs=outputs, rts=rts, orientation=orientation, slacks=False)
    np.testing.assert_allclose(r.scores.to_numpy(), d.scores.to_numpy(), rtol=EFF_TOL, atol=EFF_TOL,
                               err_msg=f"{name}: vs ef.dea")
    check_weights(X, Y, v, u, u0, want, orientation=orientation, rts=rts, what="linprog weights", tol=1e-6)
    check_weights(X, Y, r.v.to_numpy(), r.u.to_numpy(), r.u0.to_numpy(), farrell_of(r), orientation=orientation,
                  rts=rts, what=f"our weights ({name})")


@pytest.mark.parametrize("name", ("Hotels", "Power_plants", "Fortune500"))
@pytest.mark.parametrize("rts,orientation", CONFIGS)
def test_blind_sets_with_assurance_region(oracle, name, rts, orientation):
    """An assurance region on the first two inputs (and outputs) of a held-back data set: ours in both
    forms against linprog with the same ratio rows."""
    df, id_, inputs, outputs = load(oracle, name)
    X, Y = df[inputs].to_numpy(float), df[outputs].to_numpy(float)
    # bounds around the data's own price-free ratio of column means: restrictive but feasible
    k_in = X[:, 0].mean() / X[:, 1].mean()
    k_out = Y[:, 0].mean() / Y[:, 1].mean()
    bounds = {(inputs[1], inputs[0]): (0.5 * k_in, 2.0 * k_in), (outputs[1], outputs[0]): (0.25 * k_out, 4.0 * k_out)}
    ratios = [("input", 1, 0, 0.5 * k_in, 2.0 * k_in), ("output", 1, 0, 0.25 * k_out, 4.0 * k_out)]
    want, *_ = linprog_multiplier(X, Y, rts, orientation, ratios)
    r = ours(df, id_, inputs, outputs, rts, orientation, weight_bounds=bounds)
    np.testing.assert_allclose(farrell_of(r), want, rtol=EFF_TOL, atol=EFF_TOL, err_msg=f"{name}: AR vs linprog")
    d = ef.dea(df, id=id_, inputs=inputs, outputs=outputs, rts=rts, orientation=orientation, weight_bounds=bounds)
    np.testing.assert_allclose(d.scores.to_numpy(), r.scores.to_numpy(), rtol=EFF_TOL, atol=EFF_TOL)
    check_ratios(r.v.to_numpy(), r.u.to_numpy(), bounds, inputs, outputs, f"our AR weights ({name})")
    free = ours(df, id_, inputs, outputs, rts, orientation).scores.to_numpy()
    assert (r.scores.to_numpy() <= free + 1e-9).all()           # restrictions never raise an efficiency
    if rts == "crs":                                             # (under VRS all 6 Power_plants stay at 1)
        assert (r.scores.to_numpy() < free - 1e-6).any(), "the restriction binds for some DMU"
    assert math.isfinite(float(np.nanmax(want)))
