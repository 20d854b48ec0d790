"""The Luenberger productivity indicator (efficiency.luenberger): identities, an independent
recomputation with scipy's linprog, backends, the fast path, bad outputs, unbalanced panels, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

import efficiency as ef
from efficiency.errors import DataError, SolveWarning, SpecError
from efficiency.luenberger import LuenbergerResult, luenberger

KINDS = ("adjacent", "sequential", "global", "biennial")
INDEX = ["luenberger", "effch", "techch"]
DIST = ["d_from_from", "d_from_to", "d_to_from", "d_to_to"]


def _panel(seed: int, units: int, periods: int, *, k: int = 0, trend: float = 0.0) -> pd.DataFrame:
    """Random positive panel: ids 'u0'.., years 2001.., inputs x1 x2, outputs y1 y2 (growing by
    ``trend`` a year), bad outputs b*."""
    rng = np.random.default_rng(seed)
    n = units * periods
    df = pd.DataFrame({"unit": [f"u{i}" for i in range(units)] * periods,
                       "year": np.repeat(2001 + np.arange(periods), units)})
    grow = (1.0 + trend) ** (df["year"].to_numpy() - 2001)
    df["x1"], df["x2"] = rng.uniform(1.0, 10.0, n), rng.uniform(1.0, 10.0, n)
    df["y1"], df["y2"] = rng.uniform(1.0, 10.0, n) * grow, rng.uniform(1.0, 10.0, n) * grow
    for j in range(k):
        df[f"b{j + 1}"] = rng.uniform(1.0, 10.0, n)
    return df


def _run(df, **kw) -> LuenbergerResult:
    kw.setdefault("inputs", ["x1", "x2"])
    kw.setdefault("outputs", ["y1", "y2"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SolveWarning)
        return luenberger(df, id="unit", period="year", **kw)


# ------------------------------------------------------------------------------------------------
# Identities
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("rts", ["crs", "vrs", "nirs", "ndrs"])
def test_identities(kind, rts):
    df = _panel(1, 9, 4)
    t = _run(df, kind=kind, rts=rts).to_frame()
    assert len(t) == 9 * 3 and (t["status"] == "optimal").all()
    np.testing.assert_allclose(t["luenberger"], t["effch"] + t["techch"], rtol=0, atol=1e-12)
    assert t["luenberger"].abs().max() > 1e-3                  # not trivially zero
    if rts == "crs":
        assert "pech" not in t.columns
    else:
        np.testing.assert_allclose(t["effch"], t["pech"] + t["sech"], rtol=0, atol=1e-12)
        # own-period betas: >= 0, and the technology under rts lies inside the CRS one
        assert (t[["v_from_from", "v_to_to"]] >= -1e-9).all().all()
        assert (t["v_from_from"] <= t["d_from_from"] + 1e-9).all()
    assert (t[["d_from_from", "d_to_to"]] >= -1e-9).all().all()


@pytest.mark.parametrize("direction", ["proportional", "unit", "input", "output", [1.0, 2.0, 0.5, 1.0]])
def test_identical_periods_give_zero(direction):
    one = _panel(2, 7, 1)
    df = pd.concat([one, one.assign(year=2002), one.assign(year=2003)], ignore_index=True)
    for kind in KINDS:
        t = _run(df, kind=kind, rts="vrs", direction=direction).to_frame()
        np.testing.assert_allclose(t[INDEX + ["pech", "sech"]].to_numpy(), 0.0, atol=1e-9)


def test_growth_shows_as_technical_progress():
    # every output grows 10% a year, inputs do not: the frontier moves out for everyone
    one = _panel(3, 10, 1)
    df = pd.concat([one, one.assign(year=2002, y1=one.y1 * 1.1, y2=one.y2 * 1.1)], ignore_index=True)
    t = _run(df).to_frame()
    np.testing.assert_allclose(t["effch"], 0.0, atol=1e-9)         # same position against the frontier
    assert (t["techch"] > 0.02).all() and (t["luenberger"] > 0.02).all()
    # CRS, g = (x, y): (x(1 - b), y(1 + b)) lies on a frontier where (1 + b)/(1 - b) = 1/D_o(x, y)
    # (D_o the Shephard output distance, homogeneous of degree 1 in y and -1 in x), and the period-2
    # frontier is the period-1 one with outputs times 1.1: closed forms for the cross-period betas
    d = t[DIST]
    np.testing.assert_allclose(d["d_to_to"], d["d_from_from"], atol=1e-9)
    odds = (1 + d["d_from_from"]) / (1 - d["d_from_from"])
    beta = lambda r: (r - 1) / (r + 1)  # noqa: E731
    np.testing.assert_allclose(d["d_from_to"], beta(1.1 * odds), atol=1e-9)
    np.testing.assert_allclose(d["d_to_from"], beta(odds / 1.1), atol=1e-9)
    np.testing.assert_allclose(t["techch"], 0.5 * (beta(1.1 * odds) - beta(odds / 1.1)), atol=1e-9)


# ------------------------------------------------------------------------------------------------
# Independent recomputation with scipy.optimize.linprog
# ------------------------------------------------------------------------------------------------

def _beta(x, y, b, Xr, Yr, Br, g, rts):
    """max beta s.t. Xr'l <= x - beta gx, Yr'l >= y + beta gy, Br'l = b - beta gb, l >= 0, rts row."""
    m, s, k = x.size, y.size, b.size
    gx, gy, gb = g[:m], g[m:m + s], g[m + s:]
    n = Xr.shape[0]
    c = np.r_[-1.0, np.zeros(n)]
    A_ub = [np.c_[gx[:, None], Xr.T], np.c_[gy[:, None], -Yr.T]]
    b_ub = [x, -y]
    A_eq, b_eq = [], []
    if k:
        A_eq.append(np.c_[gb[:, None], Br.T])
        b_eq.append(b)
    if rts == "vrs":
        A_eq.append(np.r_[0.0, np.ones(n)][None, :])
        b_eq.append([1.0])
    res = linprog(c, A_ub=np.vstack(A_ub), b_ub=np.concatenate(b_ub),
                  A_eq=np.vstack(A_eq) if A_eq else None, b_eq=np.concatenate(b_eq) if b_eq else None,
                  bounds=[(None, None)] + [(0, None)] * n, method="highs")
    return -res.fun if res.status == 0 else np.nan


@pytest.mark.parametrize("case", ["crs-proportional", "vrs-unit", "bads-output", "global", "biennial"])
def test_against_linprog(case):
    bads = case == "bads-output"
    df = _panel(4, 6, 3, k=1 if bads else 0, trend=0.05)
    kind = case if case in ("global", "biennial") else "adjacent"
    rts = "vrs" if case == "vrs-unit" else "crs"
    direction = {"vrs-unit": "unit", "bads-output": "output"}.get(case, "proportional")
    kw = dict(kind=kind, rts=rts, direction=direction)
    if bads:
        kw["undesirable"] = ["b1"]
    t = _run(df, **kw).to_frame()
    X, Y = df[["x1", "x2"]].to_numpy(), df[["y1", "y2"]].to_numpy()
    Bd = df[["b1"]].to_numpy() if bads else np.zeros((len(df), 0))
    G = {"proportional": np.hstack([X, Y, Bd]), "unit": np.ones((len(df), 4)),
         "output": np.hstack([np.zeros_like(X), Y, Bd])}[direction]
    year = df["year"].to_numpy()

    def D(data_row, tech_years, r="crs"):
        ref = np.isin(year, tech_years)
        return _beta(X[data_row], Y[data_row], Bd[data_row], X[ref], Y[ref], Bd[ref], G[data_row], r)

    checked = 0
    for _, row in t.iterrows():
        s, u = row["period_from"], row["period_to"]
        i = int(np.flatnonzero((df.unit == row["unit"]) & (year == s))[0])
        j = int(np.flatnonzero((df.unit == row["unit"]) & (year == u))[0])
        ss, tt = D(i, [s]), D(j, [u])
        if kind == "adjacent":
            st, ts = D(i, [u]), D(j, [s])                  # D^t(s), D^s(t)
            expect = {"d_from_from": ss, "d_from_to": st, "d_to_from": ts, "d_to_to": tt,
                      "luenberger": 0.5 * ((ss - ts) + (st - tt)), "effch": ss - tt,
                      "techch": 0.5 * ((tt - ts) + (st - ss))}
        else:
            techs = sorted(set(year)) if kind == "global" else [s, u]
            gs, gt = D(i, techs), D(j, techs)
            expect = {"d_from_from": ss, "d_to_to": tt, f"d_from_{kind}": gs, f"d_to_{kind}": gt,
                      "luenberger": gs - gt, "effch": ss - tt, "techch": (gs - ss) - (gt - tt)}
        if rts == "vrs":
            vs, vt = D(i, [s], "vrs"), D(j, [u], "vrs")
            expect.update(v_from_from=vs, v_to_to=vt, pech=vs - vt, sech=(ss - vs) - (tt - vt))
        got = row[list(expect)].to_numpy(float)
        want = np.array(list(expect.values()))
        assert np.array_equal(np.isnan(got), np.isnan(want)), (case, row["unit"], got, want)
        np.testing.assert_allclose(got, want, atol=1e-7, err_msg=f"{case} {row['unit']} {s}")
        assert row["status"] == ("optimal" if np.isfinite(want).all() else "infeasible")
        checked += np.isfinite(want).all()
    assert checked >= len(t) // 2


# ------------------------------------------------------------------------------------------------
# Bad outputs: the ML direction, infeasible cross-period LPs
# ------------------------------------------------------------------------------------------------

def test_bad_outputs_match_malmquist_luenberger_and_infeasible_rows_are_kept():
    df = _panel(5, 10, 3, k=1)
    with pytest.warns(SolveWarning, match=r"luenberger: \d+ of 20 rows have an LP without an optimum \(\d+ infeasible\)"):
        r = luenberger(df, id="unit", period="year", inputs=["x1", "x2"], outputs=["y1", "y2"], undesirable="b1",
                       direction="output")
    t = r.to_frame()
    assert len(t) == 20
    bad = t["status"] != "optimal"
    assert bad.any() and (t.loc[bad, "status"] == "infeasible").all()
    assert t.loc[bad, "luenberger"].isna().all() and t.loc[~bad, "luenberger"].notna().all()
    assert t.loc[bad, "effch"].notna().all()                       # own-period LPs are feasible
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SolveWarning)
        m = ef.malmquist(df, id="unit", period="year", inputs=["x1", "x2"], outputs=["y1", "y2"],
                         undesirable="b1").to_frame()
    np.testing.assert_allclose(t[DIST].to_numpy(float), m[DIST].to_numpy(float), atol=1e-9)   # NaN where NaN
    # the biennial indicator has no infeasible LP on the same panel; global neither
    for kind in ("biennial", "global"):
        b = luenberger(df, id="unit", period="year", inputs=["x1", "x2"], outputs=["y1", "y2"], undesirable="b1",
                       direction="output", kind=kind).to_frame()
        assert (b["status"] == "optimal").all() and b["luenberger"].notna().all()
        np.testing.assert_allclose(b["luenberger"], b["effch"] + b["techch"], atol=1e-12)
    assert r.undesirable_names == ("b1",) and r.direction == "output"


# ------------------------------------------------------------------------------------------------
# Backends and the fast path
# ------------------------------------------------------------------------------------------------

def test_numba_highs_scipy_agree():
    df = _panel(6, 12, 3, k=1)
    for kw in (dict(rts="vrs"), dict(kind="biennial", direction="unit", rts="nirs"),
               dict(undesirable="b1", kind="sequential")):
        tabs = {s: _run(df, solver=s, **kw) for s in ("numba", "highs", "scipy")}
        assert {s: r.solver for s, r in tabs.items()} == {"numba": "numba", "highs": "highs", "scipy": "scipy"}
        a = tabs["numba"].to_frame()
        num = a.select_dtypes("number").columns
        for s in ("highs", "scipy"):
            b = tabs[s].to_frame()
            np.testing.assert_allclose(a[num].to_numpy(float), b[num].to_numpy(float), atol=1e-7)
            assert (a["status"] == b["status"]).all()


FAST_CASES = [dict(kind="adjacent", rts="vrs"), dict(kind="sequential", rts="crs", direction="unit"),
              dict(kind="global", rts="nirs", direction="input"), dict(kind="biennial", rts="ndrs", direction="output"),
              dict(kind="adjacent", direction=[1.0, 0.5, 2.0, 1.0]), dict(kind="adjacent", undesirable="b1"),
              dict(kind="global", undesirable="b1", direction="output", rts="vrs")]


@pytest.mark.parametrize("case", FAST_CASES, ids=lambda c: "-".join(str(v) for v in c.values()))
def test_fast_path_equals_plain_highs(case):
    df = _panel(7, 70, 3, k=1)                         # >= 64 reference units: screened technologies
    kw = dict(case)
    if "undesirable" in kw and isinstance(kw.get("direction"), list):
        kw["direction"] = kw["direction"] + [1.0]
    a = _run(df, **kw).to_frame()
    b = _run(df, solver="highs", screen=False, **kw).to_frame()
    num = a.select_dtypes("number").columns
    np.testing.assert_allclose(a[num].to_numpy(float), b[num].to_numpy(float), atol=1e-6)
    assert (a["status"] == b["status"]).all()
    assert a["luenberger"].notna().sum() > 100


def test_screening_is_used_by_default_and_refused_with_bad_outputs():
    df = _panel(8, 70, 2, k=1)
    with pytest.raises(SpecError, match=r"screen=True: frame screening is not valid here"):
        _run(df, undesirable="b1", screen=True)
    # screening does not change the numbers (asked for explicitly, even below 64 units)
    small = _panel(9, 12, 2)
    a, b = _run(small, screen=True).to_frame(), _run(small, screen=False).to_frame()
    np.testing.assert_allclose(a[INDEX + DIST].to_numpy(float), b[INDEX + DIST].to_numpy(float), atol=1e-9)


# ------------------------------------------------------------------------------------------------
# Panels, table, errors
# ------------------------------------------------------------------------------------------------

def test_unbalanced_panel_rows_order_and_own_technology():
    df = _panel(10, 6, 3)
    gone = (df.unit == "u2") & (df.year == 2002)
    df = df[~gone].iloc[::-1].reset_index(drop=True)          # reversed: u5 appears first
    t = _run(df, rts="vrs").to_frame()
    assert len(t) == 12
    assert list(pd.unique(t["unit"])) == ["u5", "u4", "u3", "u2", "u1", "u0"]
    miss = t["unit"] == "u2"
    assert (t.loc[miss, "status"] == "missing").all()
    assert t.loc[miss, INDEX + ["pech", "sech"] + DIST].isna().all().all()
    assert (t.loc[~miss, "status"] == "optimal").all()
    p2 = df[df.year == 2002]
    r = ef.dea(p2, id="unit", inputs=["x1", "x2"], outputs=["y1", "y2"], model="ddf", rts="crs", slacks=False)
    own = t[t.period_from == 2002].set_index("unit")["d_from_from"]
    np.testing.assert_allclose(own.loc[r.beta.index], r.beta, atol=1e-9)


def test_table_layout_summary_and_composite_id(tmp_path):
    df = _panel(11, 5, 3)
    r = _run(df, rts="vrs")
    t = r.to_frame()
    assert list(t.columns) == ["unit", "period_from", "period_to", "luenberger", "effch", "techch", "pech", "sech",
                               "status"] + DIST + ["v_from_from", "v_to_to"]
    assert t["period_from"].dtype == np.int64
    text = r.summary()
    assert "Luenberger productivity indicator" in text and "solver: numba" in text
    assert f"{t.loc[t.period_from == 2001, 'luenberger'].mean():.4f}" in text
    assert r.kind == "adjacent" and r.rts == "vrs" and r.direction == "proportional"
    g = _run(df, kind="global").to_frame()
    assert list(g.columns[-4:]) == ["d_from_from", "d_to_to", "d_from_global", "d_to_global"]
    path = tmp_path / "p.csv"
    df.assign(group="g").to_csv(path, index=False)
    c = luenberger(path, id=["group", "unit"], period="year", inputs="x1,x2", outputs="y1,y2").to_frame()
    assert list(c.columns[:4]) == ["group", "unit", "period_from", "period_to"]
    np.testing.assert_allclose(c["luenberger"], _run(df).to_frame()["luenberger"], atol=1e-12)


def test_errors(tmp_path):
    df = _panel(12, 4, 2)
    kw = dict(id="unit", period="year", inputs=["x1", "x2"], outputs=["y1", "y2"])
    path = tmp_path / "dup.csv"
    pd.concat([df, df.iloc[[1]]], ignore_index=True).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"dup\.csv.*'unit'.*'year'.*u1.*row 2 \(line 3.*row 9 \(line 10"):
        luenberger(path, **kw)
    bad = df.astype({"year": object})
    bad.loc[3, "year"] = "2002b"
    with pytest.raises(DataError, match=r"column 'year', row 4 .*'2002b' is not a number"):
        luenberger(bad, **kw)
    with pytest.raises(DataError, match=r"one period .*Luenberger indicator needs at least two"):
        luenberger(df[df.year == 2001], **kw)
    with pytest.raises(SpecError, match=r"kind: 'base' is not one of 'adjacent', 'sequential', 'global', 'biennial'"):
        luenberger(df, kind="base", **kw)
    with pytest.raises(SpecError, match=r"rts: the Luenberger indicator takes 'crs', 'vrs', 'nirs' or 'ndrs', not 'fdh'"):
        luenberger(df, rts="fdh", **kw)
    with pytest.raises(SpecError, match=r"direction: 'diagonal' is not one of"):
        luenberger(df, direction="diagonal", **kw)
    with pytest.raises(SpecError, match=r"direction: expected a vector of length 4"):
        luenberger(df, direction=[1.0, 1.0], **kw)
    zero = df.copy()
    zero.loc[2, ["x1", "x2"]] = 0.0
    with pytest.raises(SpecError, match=r"direction: it is zero for the DMU in row 3"):
        luenberger(zero, direction="input", **kw)
    with pytest.raises(DataError, match=r"'year' is the period column and cannot be an input"):
        luenberger(df, **{**kw, "inputs": ["x1", "year"]})
    with pytest.raises(SpecError, match=r"id: a panel needs the unit id column"):
        luenberger(df, **{**kw, "id": None})
    with pytest.raises(DataError, match=r"'y2' is used as output and as undesirable output"):
        luenberger(df, undesirable=["y2"], **kw)
