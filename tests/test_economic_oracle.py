"""Cost, revenue and profit efficiency (``ef.economic``) against the external oracle.

References (``ref/economic/<data set>/``, README_more.md section 1): R Benchmarking 0.33 ``cost.opt``,
``revenue.opt``, ``profit.opt`` (``bm_*``: unrestricted) and deaR 1.5.3 ``model_profit`` (``deaR_*``;
``restricted_optimal = TRUE`` is ``restricted=True``; deaR's profit files are always restricted).
Coelli_1998 and riceProdPhil_1990 have references; pigdata and usagri_1995 are blind (references
kept back): there every value is checked against LPs written here independently with
``scipy.optimize.linprog``, in the lambda-only form (module section "independent LPs").

Conventions of the comparisons:

* efficiencies (economic, technical, allocative): 1e-6 absolute; observed and optimal cost, revenue
  and profit: 1e-6 relative to max(1, |reference|);
* optimal input/output vectors are not unique: ours are checked for feasibility (the point lies in
  the technology of the data, by an independent LP; restricted: x* <= x0, y* >= y0) and optimality
  (prices x our vector = the reference's optimal value), never element by element;
* an empty ``profit_eff`` (max profit not > 0) is NaN in ours; ``unbounded`` TRUE is status 'unbounded';
* deaR's profit ``eff`` is observed / max profit whatever their signs (it can be negative or > 1):
  compared with our observed / optimal profit, not with ``profit_efficiency`` (README_more.md);
* deaR rows left empty by lp_solve failures (``errors.csv``) are skipped, and ours must be optimal there.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

import efficiency as ef

EFF_TOL = 1e-6
VALUE_RTOL = 1e-6
FEAS_TOL = 1e-7          # violation of the technology by a point, relative to the column means

#: data set -> (data file under data/, row filter, id, inputs, outputs, input prices, output prices)
DATASETS = {
    "Coelli_1998": ("deaR/Coelli_1998.csv", None, "dmus", ["input1", "input2"], ["output"],
                    ["price_input1", "price_input2"], ["price_output"]),
    "riceProdPhil_1990": ("frontier/riceProdPhil.csv", ("YEARDUM", 1), "FMERCODE", ["AREA", "LABOR", "NPK", "OTHER"],
                          ["PROD"], ["AREAP", "LABORP", "NPKP", "OTHERP"], ["PRICE"]),
    "pigdata": ("Benchmarking/pigdata.csv", None, "firm", [f"x{i}" for i in range(1, 7)], ["y2", "y4"],
                [f"w{i}" for i in range(1, 7)], ["p2", "p4"]),
    "usagri_1995": ("productivity/usagri.csv", ("Years", 1995), "States",
                    ["q.capital", "q.land", "q.labor", "q.materials"], ["q.livestock", "q.crop", "q.other"],
                    ["p.capital", "p.land", "p.labor", "p.materials"], ["p.livestock", "p.crop", "p.other"]),
}
REFERENCED = ["Coelli_1998", "riceProdPhil_1990"]
BLIND = ["pigdata", "usagri_1995"]

FILE = re.compile(r"^(bm|deaR)_(cost|revenue|profit)_(crs|vrs)(?:_(restricted|unrestricted))?\.csv$")


# --------------------------------------------------------------------------------------------------
# Data and our runs
# --------------------------------------------------------------------------------------------------

def load(oracle: Path, name: str) -> pd.DataFrame:
    path, keep, *_ = DATASETS[name]
    df = pd.read_csv(oracle / "data" / path)
    if keep is not None:
        df = df[df[keep[0]] == keep[1]].reset_index(drop=True)
    return df


def run(df: pd.DataFrame, name: str, kind: str, rts: str, restricted: bool, **kw) -> ef.EconomicResult:
    _, _, id_, X, Y, W, P = DATASETS[name]
    prices = {}
    if kind != "revenue":
        prices["input_prices"] = W
    if kind != "cost":
        prices["output_prices"] = P
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ef.SolveWarning)     # CRS profit: 'unbounded' is expected and checked
        return ef.economic(df, id=id_, inputs=X, outputs=Y, kind=kind, rts=rts, restricted=restricted, **prices, **kw)


def arrays(df: pd.DataFrame, name: str):
    _, _, _, X, Y, W, P = DATASETS[name]
    return (df[X].to_numpy(float), df[Y].to_numpy(float), df[W].to_numpy(float), df[P].to_numpy(float))


def close_value(ours, ref) -> np.ndarray:
    ours, ref = np.asarray(ours, float), np.asarray(ref, float)
    return np.abs(ours - ref) <= VALUE_RTOL * np.maximum(1.0, np.abs(ref))


# --------------------------------------------------------------------------------------------------
# Independent LPs (scipy linprog, lambda-only form, columns scaled by their means)
# --------------------------------------------------------------------------------------------------

def _rts_rows(rts: str, n: int):
    """(A_ub, b_ub, A_eq, b_eq) rows on sum(lambda) for the RTS."""
    one = np.ones((1, n))
    return {"crs": (None, None, None, None), "vrs": (None, None, one, [1.0]),
            "nirs": (one, [1.0], None, None), "ndrs": (-one, [-1.0], None, None)}[rts]


def _lp(c, A_ub, b_ub, rts):
    n = c.size
    R_ub, r_ub, A_eq, b_eq = _rts_rows(rts, n)
    if R_ub is not None:
        A_ub, b_ub = (np.vstack([A_ub, R_ub]), np.concatenate([b_ub, r_ub])) if A_ub is not None else (R_ub, r_ub)
    return linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs")


def independent(X, Y, W, P, o: int, kind: str, rts: str, restricted: bool) -> tuple[int, float]:
    """(linprog status, optimal cost / revenue / profit) of DMU o, over lambda only:

    cost    min sum_j (w_o . x_j) lam_j  s.t. Y'lam >= y_o  (restricted: X'lam <= x_o)
    revenue max sum_j (p_o . y_j) lam_j  s.t. X'lam <= x_o  (restricted: Y'lam >= y_o)
    profit  max sum_j (p_o . y_j - w_o . x_j) lam_j          (restricted: both)

    (with prices >= 0 the optimal x is X'lam and the optimal y is Y'lam)."""
    sx, sy = X.mean(axis=0), Y.mean(axis=0)
    Xs, Ys = X / sx, Y / sy
    rows, rhs = [], []
    if kind == "revenue" or (restricted and kind != "revenue"):
        rows.append(Xs.T)
        rhs.append(Xs[o])
    if kind == "cost" or (restricted and kind != "cost"):
        rows.append(-Ys.T)
        rhs.append(-Ys[o])
    c = {"cost": X @ W[o], "revenue": -(Y @ P[o]), "profit": X @ W[o] - Y @ P[o]}[kind]
    scale = np.abs(c).max()
    res = _lp(c / scale, np.vstack(rows) if rows else None, np.concatenate(rhs) if rows else None, rts)
    value = res.fun * scale if res.status == 0 else np.nan
    return res.status, (value if kind == "cost" else -value)


def radial_score(X, Y, o: int, rts: str, orientation: str) -> float:
    """Farrell theta (input) or phi (output) by linprog: variables [score, lambda]."""
    sx, sy = X.mean(axis=0), Y.mean(axis=0)
    Xs, Ys = X / sx, Y / sy
    n = X.shape[0]
    if orientation == "input":      # min theta: X'lam - theta x_o <= 0, -Y'lam <= -y_o
        c = np.r_[1.0, np.zeros(n)]
        A = np.vstack([np.c_[-Xs[o][:, None], Xs.T], np.c_[np.zeros((Ys.shape[1], 1)), -Ys.T]])
        b = np.r_[np.zeros(Xs.shape[1]), -Ys[o]]
    else:                           # max phi: X'lam <= x_o, phi y_o - Y'lam <= 0
        c = np.r_[-1.0, np.zeros(n)]
        A = np.vstack([np.c_[np.zeros((Xs.shape[1], 1)), Xs.T], np.c_[Ys[o][:, None], -Ys.T]])
        b = np.r_[Xs[o], np.zeros(Ys.shape[1])]
    R_ub, r_ub, A_eq, b_eq = _rts_rows(rts, n)
    if R_ub is not None:
        A, b = np.vstack([A, np.c_[0.0, R_ub]]), np.r_[b, r_ub]
    if A_eq is not None:
        A_eq = np.c_[0.0, A_eq]
    res = linprog(c, A_ub=A, b_ub=b, A_eq=A_eq, b_eq=b_eq, bounds=[(None, None)] + [(0, None)] * n, method="highs")
    assert res.status == 0
    return abs(res.fun)


def violation(X, Y, x, y, rts: str) -> float:
    """Smallest t >= 0 with X'lam <= x + t sx, Y'lam >= y - t sy (lambda >= 0, RTS): 0 iff (x, y) is
    in the technology of (X, Y); relative to the column means."""
    sx, sy = X.mean(axis=0), Y.mean(axis=0)
    Xs, Ys = X / sx, Y / sy
    n = X.shape[0]
    c = np.r_[1.0, np.zeros(n)]
    A = np.vstack([np.c_[-np.ones((Xs.shape[1], 1)), Xs.T], np.c_[-np.ones((Ys.shape[1], 1)), -Ys.T]])
    b = np.r_[x / sx, -y / sy]
    R_ub, r_ub, A_eq, b_eq = _rts_rows(rts, n)
    if R_ub is not None:
        A, b = np.vstack([A, np.c_[0.0, R_ub]]), np.r_[b, r_ub]
    if A_eq is not None:
        A_eq = np.c_[0.0, A_eq]
    res = linprog(c, A_ub=A, b_ub=b, A_eq=A_eq, b_eq=b_eq, bounds=(0, None), method="highs")
    assert res.status == 0
    return res.fun


def check_points(df, name, r: ef.EconomicResult, kind: str, rts: str, restricted: bool, rows=None) -> None:
    """Our optimal vectors: in the technology, within the restriction, and priced at our optimal value."""
    X, Y, W, P = arrays(df, name)
    rows = range(len(df)) if rows is None else rows
    f = r.to_frame()
    for o in rows:
        if r.status.iloc[o] != "optimal":
            continue
        x = r.optimal_inputs.iloc[o].to_numpy() if r.optimal_inputs is not None else X[o]
        y = r.optimal_outputs.iloc[o].to_numpy() if r.optimal_outputs is not None else Y[o]
        assert violation(X, Y, x, y, rts) <= FEAS_TOL, (name, kind, rts, o)
        assert np.all(x >= -FEAS_TOL * X.mean(axis=0)) and np.all(y >= -FEAS_TOL * Y.mean(axis=0))
        if restricted and kind != "revenue":
            assert np.all(x <= X[o] + FEAS_TOL * X.mean(axis=0)), (name, kind, o)
        if restricted and kind != "cost":
            assert np.all(y >= Y[o] - FEAS_TOL * Y.mean(axis=0)), (name, kind, o)
        value = {"cost": W[o] @ x, "revenue": P[o] @ y, "profit": P[o] @ y - W[o] @ x}[kind]
        assert close_value(value, f[f"optimal_{kind}"].iloc[o]), (name, kind, o)


# --------------------------------------------------------------------------------------------------
# The reference files
# --------------------------------------------------------------------------------------------------

def reference_files(oracle: Path, name: str) -> list[Path]:
    return sorted((oracle / "ref" / "economic" / name).glob("*.csv"))


def dear_failures(oracle: Path, name: str) -> dict[tuple[str, str, bool], set[str]]:
    """errors.csv: (kind, rts, restricted) -> DMU labels deaR left empty."""
    table = pd.read_csv(oracle / "ref" / "economic" / "errors.csv")
    out = {}
    for label, error in zip(table["label"], table["error"]):
        m = re.match(rf"{re.escape(name)} deaR (cost|revenue|profit) (crs|vrs) restricted_optimal = (TRUE|FALSE)", label)
        if m:
            dmus = error.split("DMU(s):")[-1].split()
            out[(m.group(1), m.group(2), m.group(3) == "TRUE")] = set(dmus)
    return out


def test_every_reference_file_is_known(oracle):
    """Every file of ref/economic/ follows a name this module compares (none is silently skipped), and the
    data sets with references are exactly those of REFERENCED."""
    folders = sorted(p.name for p in (oracle / "ref" / "economic").iterdir() if p.is_dir())
    assert folders == sorted(REFERENCED)
    for name in folders:
        files = reference_files(oracle, name)
        assert len(files) == 16
        for path in files:
            assert FILE.match(path.name), path


@pytest.mark.parametrize("name", REFERENCED)
def test_reference_files(oracle, name):
    df = load(oracle, name)
    ids = df[DATASETS[name][2]].astype(str).to_numpy()
    failures = dear_failures(oracle, name)
    checked = 0
    for path in reference_files(oracle, name):
        source, kind, rts, restr = FILE.match(path.name).groups()
        restricted = source == "deaR" and (kind == "profit" or restr == "restricted")
        ref = pd.read_csv(path)
        assert ref.iloc[:, 0].astype(str).tolist() == ids.tolist(), path.name
        r = run(df, name, kind, rts, restricted)
        f = r.to_frame().reset_index(drop=True)
        if source == "bm":
            _compare_benchmarking(ref, f, kind, path.name)
        else:
            skip = np.isin(ids, list(failures.get((kind, rts, bool(restricted)), ())))
            _compare_dear(ref, f, kind, path.name, skip)
        check_points(df, name, r, kind, rts, restricted)
        checked += 1
    assert checked == 16


def _near(ours, ref, tol, what):
    ours, ref = np.asarray(ours, float), np.asarray(ref, float)
    both_nan = np.isnan(ours) & np.isnan(ref)
    ok = both_nan | (np.abs(ours - ref) <= tol)
    assert ok.all(), f"{what}: max diff {np.nanmax(np.abs(ours - ref))} at rows {np.flatnonzero(~ok)[:5]}"


def _near_value(ours, ref, what):
    ours, ref = np.asarray(ours, float), np.asarray(ref, float)
    ok = (np.isnan(ours) & np.isnan(ref)) | close_value(ours, ref)
    assert ok.all(), f"{what}: rows {np.flatnonzero(~ok)[:5]}: ours {ours[~ok][:3]}, reference {ref[~ok][:3]}"


def _compare_benchmarking(ref: pd.DataFrame, f: pd.DataFrame, kind: str, what: str) -> None:
    _near_value(f[f"observed_{kind}"], ref[f"observed_{kind}"], what + " observed")
    if kind == "cost":
        _near_value(f["optimal_cost"], ref["min_cost"], what + " min_cost")
        _near(f["cost_efficiency"], ref["cost_eff"], EFF_TOL, what + " cost_eff")
        _near(f["technical_efficiency"], ref["te_in"], EFF_TOL, what + " te_in")
        _near(f["allocative_efficiency"], ref["alloc_eff"], EFF_TOL, what + " alloc_eff")
    elif kind == "revenue":
        _near_value(f["optimal_revenue"], ref["max_revenue"], what + " max_revenue")
        _near(f["revenue_efficiency"], ref["revenue_eff"], EFF_TOL, what + " revenue_eff")
        _near(f["technical_efficiency"], ref["te_out_shephard"], EFF_TOL, what + " te_out_shephard")
        _near(f["allocative_efficiency"], ref["alloc_eff"], EFF_TOL, what + " alloc_eff")
    else:
        unbounded = ref["unbounded"].astype(str).str.upper() == "TRUE"
        assert ((f["status"] == "unbounded") == unbounded).all(), what
        bounded = ~unbounded.to_numpy()
        _near_value(f["optimal_profit"][bounded], ref["max_profit"][bounded], what + " max_profit")
        _near(f["profit_efficiency"], ref["profit_eff"], EFF_TOL, what + " profit_eff")
        assert f["optimal_profit"][~bounded].isna().all()


def _compare_dear(ref: pd.DataFrame, f: pd.DataFrame, kind: str, what: str, skip: np.ndarray) -> None:
    keep = ~skip
    assert (f["status"] == "optimal").all(), what
    assert ref["eff"][keep].notna().all() and ref["objval"][keep].notna().all(), what
    _near_value(f[f"optimal_{kind}"][keep], ref["objval"][keep], what + " objval")
    if kind == "profit":     # deaR: observed / max, whatever the signs
        ratio = f["observed_profit"] / f["optimal_profit"]
        _near(ratio[keep], ref["eff"][keep], EFF_TOL, what + " eff (observed / max)")
    else:
        _near(f[f"{kind}_efficiency"][keep], ref["eff"][keep], EFF_TOL, what + " eff")


def test_dear_example_coelli_cost_efficiency(oracle):
    """ref/deaR_examples/Coelli_1998_cost_efficiency.csv (Coelli, Rao and Battese 1998, p. 166)."""
    df = load(oracle, "Coelli_1998")
    ref = pd.read_csv(oracle / "ref" / "deaR_examples" / "Coelli_1998_cost_efficiency.csv")
    for rts in ("crs", "vrs"):
        f = run(df, "Coelli_1998", "cost", rts, False).to_frame()
        _near(f["cost_efficiency"], ref[f"deaR_cost_eff_{rts}"], EFF_TOL, rts)
        _near(f["cost_efficiency"], ref[f"bm_cost_eff_{rts}"], EFF_TOL, rts)
        _near_value(f["optimal_cost"], ref[f"bm_min_cost_{rts}"], rts)
        _near(f["technical_efficiency"], ref[f"bm_tech_eff_in_{rts}"], EFF_TOL, rts)
        _near(f["allocative_efficiency"], ref[f"bm_alloc_eff_{rts}"], EFF_TOL, rts)


# --------------------------------------------------------------------------------------------------
# Blind data sets: independent LPs on a sample of DMUs
# --------------------------------------------------------------------------------------------------

CASES = [(kind, rts, restricted) for kind in ("cost", "revenue", "profit") for rts in ("crs", "vrs")
         for restricted in (False, True)]


def sample_rows(n: int, k: int = 12, seed: int = 13) -> np.ndarray:
    return np.sort(np.random.default_rng(seed).choice(n, size=min(k, n), replace=False))


@pytest.mark.parametrize("name", BLIND)
@pytest.mark.parametrize("kind, rts, restricted", CASES)
def test_blind_data_sets_against_independent_lps(oracle, name, kind, rts, restricted):
    df = load(oracle, name)
    X, Y, W, P = arrays(df, name)
    r = run(df, name, kind, rts, restricted)
    f = r.to_frame()
    rows = sample_rows(len(df))
    for o in rows:
        status, value = independent(X, Y, W, P, o, kind, rts, restricted)
        if status == 3:
            assert f["status"].iloc[o] == "unbounded", (name, kind, rts, o)
            assert np.isnan(f[f"optimal_{kind}"].iloc[o]) and np.isnan(f[f"{kind}_efficiency"].iloc[o])
            continue
        assert status == 0 and f["status"].iloc[o] == "optimal", (name, kind, rts, o, status)
        assert close_value(f[f"optimal_{kind}"].iloc[o], value), (name, kind, rts, o, f[f"optimal_{kind}"].iloc[o], value)
        observed = {"cost": W[o] @ X[o], "revenue": P[o] @ Y[o], "profit": P[o] @ Y[o] - W[o] @ X[o]}[kind]
        assert close_value(f[f"observed_{kind}"].iloc[o], observed)
        eff = {"cost": value / observed, "revenue": observed / value,
               "profit": observed / value if value > 0 else np.nan}[kind]
        ours = f[f"{kind}_efficiency"].iloc[o]
        assert (np.isnan(eff) and np.isnan(ours)) or abs(ours - eff) <= EFF_TOL, (name, kind, rts, o, ours, eff)
        if kind != "profit":
            score = radial_score(X, Y, o, rts, "input" if kind == "cost" else "output")
            te = score if kind == "cost" else 1.0 / score
            assert abs(f["technical_efficiency"].iloc[o] - te) <= EFF_TOL, (name, kind, rts, o)
            assert abs(f["allocative_efficiency"].iloc[o] - eff / te) <= EFF_TOL
    check_points(df, name, r, kind, rts, restricted, rows)


@pytest.mark.parametrize("name", BLIND)
def test_blind_crs_profit_is_unbounded_for_every_dmu(oracle, name):
    """README_more.md: under CRS Benchmarking's maximal profit is unbounded for all DMUs of pigdata and
    usagri_1995; under VRS it is finite for all."""
    df = load(oracle, name)
    with pytest.warns(ef.SolveWarning, match=r"unbounded.*rts='vrs'"):
        r = ef.economic(df, id=DATASETS[name][2], inputs=DATASETS[name][3], outputs=DATASETS[name][4],
                        kind="profit", input_prices=DATASETS[name][5], output_prices=DATASETS[name][6], rts="crs")
    assert (r.status == "unbounded").all()
    assert r.optimal.isna().all() and r.efficiency.isna().all() and r.optimal_inputs.isna().all().all()
    v = run(df, name, "profit", "vrs", False)
    assert (v.status == "optimal").all() and np.isfinite(v.optimal).all()


def test_pigdata_screened_equals_unscreened(oracle):
    """pigdata (248 DMUs): the default backend solves against the frame; the same values as the HiGHS loop
    against every DMU."""
    df = load(oracle, "pigdata")
    for kind, rts, restricted in CASES:
        if kind == "profit" and rts == "crs" and not restricted:
            continue                                  # unbounded everywhere (above)
        a = run(df, "pigdata", kind, rts, restricted)
        b = run(df, "pigdata", kind, rts, restricted, solver="highs", screen=False)
        assert (a.status == "optimal").all() and (b.status == "optimal").all()
        _near(a.efficiency, b.efficiency, 1e-9, (kind, rts, restricted))
        _near_value(a.optimal, b.optimal, (kind, rts, restricted))
        if a.technical is not None:
            _near(a.technical, b.technical, 1e-9, (kind, rts, restricted))
