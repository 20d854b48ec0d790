"""Cross-efficiency against deaR 1.5.3 (``ref/crosseff/<ds>/``, README_more.md section 3).

Files per configuration ``cfg`` (crs_io, crs_oo, vrs_io, vrs_io_corr, vrs_oo) and method (arbitrary,
M2_agg, M2_ben, M3_agg, M3_ben): the matrix (row = rating DMU), the raters' weights, and a summary (the
DEA score ``eff`` and, per method, e/A self-included and not, and the maverick index). deaR's "oo"
values are Farrell ratios (v.x - u0)/u.y >= 1; ours are their reciprocals (Shephard, in (0, 1]).

What is unique, and compared exactly (1e-6): the efficiencies (the diagonal), and the Doyle-Green
objective value of every rater (``secondary_value``). A row of the matrix is compared exactly, or, where
it differs, deaR's weights must be another optimum of the same LP (feasible, the rater's efficiency
kept, the same objective value): a witness that this row is not unique. deaR's 'arbitrary' weights are
lp_solve's vertex; ours are the 'maximin' optimum (efficiency.multiplier), so their rows differ at DMUs
with many optimal weights. Where deaR's aggressive LP is unbounded it stops at its bound on the sum of
the weights (1e10, data units); ours reports the rater as 'unbounded' - exactly those raters.
Summaries are compared where every row agrees.

The data sets held back (Fortune500 and Airlines) are checked against the Doyle-Green LPs written here
with ``scipy.optimize.linprog`` (all DMUs as rows), and the diagonal against ``ef.dea``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

import efficiency as ef
from test_cross_efficiency import loop_matrix, secondary_value, weights_of
from test_multiplier_oracle import load

CE_SETS = ("Doyle_Green_1994", "Electric_plants", "Departments")
BLIND = ("Fortune500", "Airlines")
CFGS = {"crs_io": ("crs", "input", False), "crs_oo": ("crs", "output", False), "vrs_io": ("vrs", "input", False),
        "vrs_io_corr": ("vrs", "input", True), "vrs_oo": ("vrs", "output", False)}
METHODS = {"arbitrary": ("arbitrary", "II"), "M2_agg": ("aggressive", "II"), "M2_ben": ("benevolent", "II"),
           "M3_agg": ("aggressive", "III"), "M3_ben": ("benevolent", "III")}
TOL = 1e-6
CAP = 1e9          # deaR's weights at its bound on their sum (1e10): the LP was unbounded


def shephard(values: np.ndarray, orientation: str) -> np.ndarray:
    if orientation == "input":
        return values
    with np.errstate(divide="ignore"):
        return np.abs(1.0 / values)            # Inf and -Inf (deaR's 1/-0) -> 0


def dear_weights(W: pd.DataFrame, inputs, outputs, method: str, orientation: str):
    """(v, u, u0) of a deaR weights file in our convention: 'arbitrary' stores model_multiplier's
    multiplier_rts (u0 in io, -u0 in oo); M2/M3 store u0 as it is in both orientations."""
    v = W[[f"mult_in_{c}" for c in inputs]].to_numpy(float)
    u = W[[f"mult_out_{c}" for c in outputs]].to_numpy(float)
    u0 = W["mult_rts"].to_numpy(float) if "mult_rts" in W else np.zeros(len(W))
    if method == "arbitrary" and orientation == "output":
        u0 = -u0
    return v, u, u0


def optimum_kept(v, u, u0, X, Y, d, farrell, orientation, tol=1e-6) -> bool:
    """Weights of rater d are feasible (every DMU on or below the plane) and keep d's efficiency."""
    vx, uy = X @ v, Y @ u
    size = max(1.0, np.abs(vx).max(), np.abs(uy).max())
    if (uy + u0 - vx).max() > tol * size or min(v.min(), u.min()) < -tol * size:
        return False
    if orientation == "input":
        return abs((uy[d] + u0) / vx[d] - farrell) <= tol
    return abs((vx[d] - u0) / uy[d] - farrell) <= tol * max(1.0, farrell)


@pytest.mark.parametrize("name", CE_SETS)
@pytest.mark.parametrize("cfg", list(CFGS))
@pytest.mark.parametrize("mk", list(METHODS))
def test_cross_efficiency_matches_deaR(oracle, name, cfg, mk):
    rts, orientation, corr = CFGS[cfg]
    method, sec = METHODS[mk]
    df, id_, inputs, outputs = load(oracle, name)
    X, Y = df[inputs].to_numpy(float), df[outputs].to_numpy(float)
    folder = Path(oracle) / "ref" / "crosseff" / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ef.SolveWarning)
        r = ef.cross_efficiency(df, id=id_, inputs=inputs, outputs=outputs, rts=rts, orientation=orientation,
                                method=method, secondary=sec, correction=corr)
    summary = pd.read_csv(folder / f"summary_{cfg}.csv")
    assert [str(v) for v in summary["dmu"]] == [str(v) for v in df[id_]]
    farrell = summary["eff"].to_numpy(float)
    np.testing.assert_allclose(r.scores.to_numpy(), shephard(farrell, orientation), atol=TOL, err_msg="efficiency")
    ref = shephard(pd.read_csv(folder / f"{mk}_{cfg}_matrix.csv", index_col=0).to_numpy(float), orientation)
    W = pd.read_csv(folder / f"{mk}_{cfg}_weights.csv", index_col=0)
    v, u, u0 = dear_weights(W, inputs, outputs, mk, orientation)
    capped = np.abs(np.column_stack([v, u, u0])).sum(axis=1) >= CAP
    unbounded = (r.status == "unbounded").to_numpy()
    np.testing.assert_array_equal(unbounded, capped, err_msg="our unbounded raters are deaR's capped ones")
    assert (r.status[~unbounded] == "optimal").all()
    if capped.any():
        assert mk.endswith("_agg") and rts == "vrs", "only aggressive VRS LPs are unbounded here"
        assert r.matrix.to_numpy()[unbounded].size and np.isnan(r.matrix.to_numpy()[unbounded]).all()
    E = r.matrix.to_numpy()
    mine_v, mine_u, mine_u0 = weights_of(r, len(inputs))
    if mk != "arbitrary":
        ours_val = secondary_value(mine_v, mine_u, mine_u0, X, Y, orientation, sec, corr)[~unbounded]
        theirs_val = secondary_value(v, u, u0, X, Y, orientation, sec, corr)[~unbounded]
        np.testing.assert_allclose(ours_val, theirs_val, rtol=TOL, atol=TOL, err_msg="Doyle-Green objective values")
    differ = []
    for d in np.flatnonzero(~unbounded):
        same = np.allclose(E[d], ref[d], rtol=TOL, atol=TOL, equal_nan=True)
        if same:
            continue
        differ.append(d)
        what = f"{name} {cfg} {mk}: rater {df[id_][d]}"
        phi = farrell[d]
        assert optimum_kept(v[d], u[d], u0[d], X, Y, d, phi, orientation), f"{what}: deaR's weights are an optimum"
        assert optimum_kept(mine_v[d], mine_u[d], mine_u0[d], X, Y, d, phi, orientation), f"{what}: ours too"
    if not differ and not capped.any():
        # the summary columns follow from the matrix: e and A with and without the diagonal, maverick;
        # "oo" in deaR's Farrell scale, compared through reciprocals (deaR's Inf are 0 ratings here)
        with np.errstate(divide="ignore", invalid="ignore"):
            F = E if orientation == "input" else 1.0 / E
            n = len(F)
            e = F.mean(axis=0)
            peer = (F.sum(axis=0) - np.diag(F)) / (n - 1)
            a = F.mean(axis=1)
            mav = np.abs(farrell - e) / e
            for col, mine in (("e_selfapp", e), ("e_noself", peer), ("A_selfapp", a), ("maverick_selfapp", mav)):
                want = summary[f"{mk}_{col}"].to_numpy(float)
                if orientation == "output" and col != "maverick_selfapp":
                    mine, want = 1.0 / mine, 1.0 / want
                fin = np.isfinite(want)
                assert fin.sum() >= n // 2
                np.testing.assert_allclose(mine[fin], want[fin], rtol=TOL, atol=TOL, err_msg=f"summary {col}")
        if orientation == "input":
            t = r.to_frame()
            np.testing.assert_allclose(t["cross_efficiency"], summary[f"{mk}_e_selfapp"], rtol=TOL)
            np.testing.assert_allclose(t["cross_efficiency_peer"], summary[f"{mk}_e_noself"], rtol=TOL)
            np.testing.assert_allclose(t["maverick"], summary[f"{mk}_maverick_selfapp"], rtol=TOL, atol=TOL)
    np.testing.assert_allclose(E[~unbounded], loop_matrix(mine_v, mine_u, mine_u0, X, Y, orientation, corr,
                                                          r.scores.to_numpy())[~unbounded], rtol=1e-12, atol=1e-14)


def test_doyle_green_published_example(oracle):
    """ref/deaR_examples/Doyle_Green_1994_crosseff_e.csv (crs, input): the mean cross-efficiency of
    Doyle and Green's methods II and III; deaR's arbitrary column is its lp_solve vertex (README_more)."""
    ex = pd.read_csv(Path(oracle) / "ref" / "deaR_examples" / "Doyle_Green_1994_crosseff_e.csv")
    df, id_, inputs, outputs = load(oracle, "Doyle_Green_1994")
    assert list(ex["dmu"]) == list(df[id_])
    for col, (method, sec) in {"M2_agg": ("aggressive", "II"), "M3_agg": ("aggressive", "III"),
                               "M2_ben": ("benevolent", "II"), "M3_ben": ("benevolent", "III")}.items():
        r = ef.cross_efficiency(df, id=id_, inputs=inputs, outputs=outputs, method=method, secondary=sec)
        np.testing.assert_allclose(r.to_frame()["cross_efficiency"], ex[col], rtol=TOL, err_msg=col)
    summary = pd.read_csv(Path(oracle) / "ref" / "crosseff" / "Doyle_Green_1994" / "summary_crs_io.csv")
    np.testing.assert_allclose(ex["arbitrary"], summary["arbitrary_e_selfapp"], rtol=1e-12)


def test_blind_crosseff_sets_have_no_reference(oracle):
    present = {p.name for p in (Path(oracle) / "ref" / "crosseff").iterdir() if p.is_dir()}
    assert set(CE_SETS) <= present and not set(BLIND) & present


def linprog_secondary(X, Y, farrell, rts, orientation, sec, aggressive, corr):
    """Doyle and Green's LPs (module docstring of efficiency.cross_efficiency) for scipy.optimize.linprog:
    all DMUs as rows, columns divided by their means. Returns (objective value normalised as
    ``secondary_value``, status)."""
    n, m = X.shape
    s = Y.shape[1]
    Xs, Ys = X / X.mean(axis=0), Y / Y.mean(axis=0)
    A_ub = np.hstack([-Xs, Ys, np.ones((n, 1))])
    bounds = [(0, None)] * (m + s) + [(0, 0) if rts == "crs" else (None, None)]
    vals, codes = np.full(n, np.nan), np.zeros(n, int)
    for d in range(n):
        ox, oy = Xs.sum(axis=0) - Xs[d], Ys.sum(axis=0) - Ys[d]
        zx, zy = np.zeros(m), np.zeros(s)
        if sec == "II":
            goal = np.concatenate([-ox, oy, [n - 1.0]])
            norm = np.concatenate([Xs[d], zy, [0]]) if orientation == "input" else np.concatenate([zx, Ys[d], [0]])
            keep = (np.concatenate([zx, -Ys[d], [-1]]), -farrell[d]) if orientation == "input" else \
                (np.concatenate([Xs[d], zy, [-1]]), farrell[d])
        elif orientation == "input":
            goal = np.concatenate([zx, oy, [0.0 if corr else n - 1.0]])
            norm = np.concatenate([ox, zy, [-(n - 1.0) if corr else 0.0]])
            keep = (np.concatenate([farrell[d] * Xs[d], -Ys[d], [-1]]), 0.0)
        else:
            goal = np.concatenate([-ox, zy, [n - 1.0]])
            norm = np.concatenate([zx, oy, [0]])
            keep = (np.concatenate([Xs[d], -farrell[d] * Ys[d], [-1]]), 0.0)
        c = goal if aggressive else -goal
        res = linprog(c, A_ub=np.vstack([A_ub, keep[0]]), b_ub=np.concatenate([np.zeros(n), [keep[1] + 1e-10]]),
                      A_eq=norm[None], b_eq=[1.0], bounds=bounds, method="highs")
        codes[d] = res.status
        if res.status == 0:
            x = res.x
            v, u, u0 = x[:m] / X.mean(axis=0), x[m:m + s] / Y.mean(axis=0), x[-1]
            vals[d] = secondary_value(v[None].repeat(n, 0), u[None].repeat(n, 0), np.full(n, u0), X, Y, orientation,
                                      sec, corr)[d]
    return vals, codes


@pytest.mark.parametrize("name", BLIND)
@pytest.mark.parametrize("cfg", ["crs_io", "crs_oo", "vrs_io_corr", "vrs_oo"])
@pytest.mark.parametrize("mk", ["M2_agg", "M2_ben", "M3_agg", "M3_ben"])
def test_blind_sets_against_linprog(oracle, name, cfg, mk):
    rts, orientation, corr = CFGS[cfg]
    method, sec = METHODS[mk]
    df, id_, inputs, outputs = load(oracle, name)
    X, Y = df[inputs].to_numpy(float), df[outputs].to_numpy(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ef.SolveWarning)
        r = ef.cross_efficiency(df, id=id_, inputs=inputs, outputs=outputs, rts=rts, orientation=orientation,
                                method=method, secondary=sec, correction=corr)
    d = ef.dea(df, id=id_, inputs=inputs, outputs=outputs, rts=rts, orientation=orientation, slacks=False)
    np.testing.assert_allclose(r.scores.to_numpy(), d.scores.to_numpy(), atol=TOL)
    farrell = d.farrell.to_numpy()
    want, codes = linprog_secondary(X, Y, farrell, rts, orientation, sec, method == "aggressive", corr)
    np.testing.assert_array_equal(r.status.to_numpy() == "unbounded", codes == 3, err_msg="unbounded raters")
    assert set(codes) <= {0, 3}
    ok = codes == 0
    mine = secondary_value(*weights_of(r, len(inputs)), X, Y, orientation, sec, corr)
    np.testing.assert_allclose(mine[ok], want[ok], rtol=TOL, atol=TOL, err_msg=f"{name} {cfg} {mk}")
    E = r.matrix.to_numpy()
    np.testing.assert_allclose(np.diag(E)[ok], r.scores.to_numpy()[ok], atol=1e-8)
    assert np.isnan(E[~ok]).all()
