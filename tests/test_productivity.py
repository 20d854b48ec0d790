"""``ef.productivity``: O'Donnell's identities, transitivity, the Lowe index (and Faere-Primont under NIRS/
NDRS) recomputed independently with ``scipy.optimize.linprog`` in the package's own LP forms, backends
and screening, row order, and bad input (issue 14)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.optimize import linprog

import efficiency as ef
from efficiency.productivity import NAMES
from solvers import Backend, BatchSolution, LPStatus, Usage
from solvers.highs import HighsSolver

INPUTS, OUTPUTS = ["x1", "x2", "x3"], ["y1", "y2"]
WCOLS, PCOLS = ["w1", "w2", "w3"], ["p1", "p2"]


def _panel(units=8, periods=4, seed=3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(periods):
        for u in range(units):
            x = rng.uniform(1, 10, 3)
            q = np.prod(x ** np.array([0.3, 0.3, 0.2])) * np.exp(-abs(rng.normal(0, 0.3))) * 1.04 ** t
            share = rng.uniform(0.2, 1.0, 2)
            y = q * share / np.linalg.norm(share)
            rows.append({"unit": f"u{u}", "year": 2000 + t, **dict(zip(INPUTS, x)), **dict(zip(OUTPUTS, y)),
                         **dict(zip(WCOLS, rng.uniform(0.5, 2.0, 3))), **dict(zip(PCOLS, rng.uniform(0.5, 2.0, 2)))})
    return pd.DataFrame(rows)


PANEL = _panel()


def _run(index, rts="vrs", orientation="output", data=None, **kw):
    prices = {"input_prices": WCOLS, "output_prices": PCOLS} if index == "lowe" else {}
    return ef.productivity(PANEL if data is None else data, id="unit", period="year", inputs=INPUTS,
                           outputs=OUTPUTS, index=index, rts=rts, orientation=orientation, **prices, **kw)


# --------------------------------------------------------------------------------------------------
# O'Donnell's identities, first periods, transitivity
# --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("index", ["hicks-moorsteen", "fare-primont", "lowe"])
@pytest.mark.parametrize("orientation", ["output", "input"])
@pytest.mark.parametrize("rts", ["vrs", "crs"])
def test_identities(index, orientation, rts):
    r = _run(index, rts, orientation)
    lv, ch = r.levels(), r.to_frame()
    assert lv["status"].eq("optimal").all() and ch["status"].eq("optimal").all()
    o = "o" if orientation == "output" else "i"
    for t, suffix in ((lv, ""), (ch, "_change")):
        def g(n, t=t, suffix=suffix):
            return t[n + suffix].to_numpy(float)
        ok = np.isfinite(g("tfp"))
        assert ok.sum() >= (24 if index == "hicks-moorsteen" and suffix else 32)
        for lhs, rhs in ((g("tfp"), g("mp") * g("tfpe")),
                         (g("tfp"), g("aggregate_output") / g("aggregate_input")),
                         (g("tfpe"), g(f"{o}te") * g(f"{o}se") * g("rme")),
                         (g("tfpe"), g(f"{o}te") * g(f"{o}me") * g(f"r{o}se")),
                         (g("tfpe"), g(f"{o}te") * g(f"{o}sme")),
                         (g(f"{o}sme"), g(f"{o}me") * g(f"r{o}se"))):
            np.testing.assert_allclose(lhs[ok], rhs[ok], rtol=1e-12, atol=0)
        if index == "lowe":
            eff = "re" if o == "o" else "ce"
            np.testing.assert_allclose(g(eff)[ok], (g(f"{o}te") * g(f"{o}me"))[ok], rtol=1e-12)
            np.testing.assert_allclose(g("profitability")[ok], (g("terms_of_trade") * g("tfp"))[ok], rtol=1e-12)
    # levels are efficiencies where they should be
    for name in ("tfpe", f"{o}te", f"{o}se", f"{o}me"):
        assert np.all(lv[name] <= 1 + 1e-9) and np.all(lv[name] > 0), name
    np.testing.assert_array_less(lv["tfp"] - 1e-12, lv["mp"])


@pytest.mark.parametrize("index", ["fare-primont", "lowe"])
def test_transitive_indices(index):
    r = _run(index)
    lv, ch = r.levels().set_index(["unit", "year"]), r.to_frame().set_index(["unit", "year"])
    cols = [c for c in ch.columns if c.endswith("_change")]
    first = ch.xs(2000, level="year")
    assert np.all(first[cols].to_numpy() == 1.0)                   # the first period is the base
    for unit in PANEL["unit"].unique():
        for t in (2000, 2001):
            # t -> t+2 from the levels equals the product of the two steps, and the package's changes
            # (over the first period) give the same ratio: one set of weights for every period
            for c in cols:
                name = c[:-len("_change")]
                a, b, d = (lv.loc[(unit, t + k), name] for k in (0, 1, 2))
                two = d / a
                np.testing.assert_allclose(two, (b / a) * (d / b), rtol=1e-12)
                np.testing.assert_allclose(two, ch.loc[(unit, t + 2), c] / ch.loc[(unit, t), c], rtol=1e-12)
    # the aggregates use the same weights in every period: AO is linear in y with fixed weights
    w = r.output_weights
    np.testing.assert_allclose(lv["aggregate_output"].to_numpy(),
                               PANEL.set_index(["unit", "year"]).loc[lv.index, OUTPUTS].to_numpy() @ w.to_numpy(),
                               rtol=1e-12)


def test_hicks_moorsteen_first_period_is_empty_and_not_transitive():
    r = _run("hicks-moorsteen")
    ch = r.to_frame()
    first = ch["year"] == 2000
    cols = [c for c in ch.columns if c.endswith("_change")]
    assert ch.loc[first, cols].isna().all().all() and ch.loc[~first, cols].notna().all().all()
    assert ch.loc[first, "status"].eq("optimal").all()
    # adjacent changes from each row's own prices: the product of two steps is not the ratio of levels
    lv = r.levels().set_index(["unit", "year"])
    chi = ch.set_index(["unit", "year"])
    two_steps = chi.xs(2001, level="year")["tfp_change"] * chi.xs(2002, level="year")["tfp_change"]
    levels = lv.xs(2002, level="year")["tfp"] / lv.xs(2000, level="year")["tfp"]
    assert np.max(np.abs(two_steps - levels)) > 1e-3


# --------------------------------------------------------------------------------------------------
# Independent recomputations (the package's own LP forms, scipy.optimize.linprog)
# --------------------------------------------------------------------------------------------------

def _lp(c, A_ub=None, b_ub=None, A_eq=None, b_eq=None, bounds=None, maximise=False):
    res = linprog(-np.asarray(c) if maximise else c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=b_eq, bounds=bounds,
                  method="highs")
    assert res.status == 0, res.message
    return (-res.fun if maximise else res.fun), res.x


def _rts_rows(n, rts, extra_cols=0):
    """(A_eq, b_eq, A_ub, b_ub) rows of sum(lambda) for the lambdas at the end of the variables."""
    row = np.r_[np.zeros(extra_cols), np.ones(n)][None, :]
    if rts == "vrs":
        return row, [1.0], None, None
    if rts == "nirs":
        return None, None, row, [1.0]
    if rts == "ndrs":
        return None, None, -row, [-1.0]
    return None, None, None, None


def _stack(a, b):
    if a is None:
        return b
    return a if b is None else np.vstack([a, b])


def _phi(x, y, Xr, Yr, rts):
    """max phi s.t. X'l <= x, Y'l >= phi y (variables [phi, l])."""
    n = Xr.shape[0]
    A = np.vstack([np.c_[np.zeros(len(x)), Xr.T], np.c_[y, -Yr.T]])
    Aeq, beq, Ar, br = _rts_rows(n, rts, 1)
    return _lp(np.r_[1.0, np.zeros(n)], _stack(A, Ar), np.r_[x, np.zeros(len(y)), br or []], Aeq, beq,
               [(None, None)] + [(0, None)] * n, maximise=True)[0]


def _theta(x, y, Xr, Yr, rts):
    """min theta s.t. X'l <= theta x, Y'l >= y."""
    n = Xr.shape[0]
    A = np.vstack([np.c_[-x, Xr.T], np.c_[np.zeros(len(y)), -Yr.T]])
    Aeq, beq, Ar, br = _rts_rows(n, rts, 1)
    return _lp(np.r_[1.0, np.zeros(n)], _stack(A, Ar), np.r_[np.zeros(len(x)), -y, br or []], Aeq, beq,
               [(None, None)] + [(0, None)] * n)[0]


def _mp(P, W, Xr, Yr, rts):
    """D.tfp: max P.y s.t. X'l <= x, Y'l >= y, W.x = 1, sum(l) (=, <=, >=) kappa (vars [y, x, l, kappa])."""
    n, m = Xr.shape
    s = Yr.shape[1]
    A = np.vstack([np.c_[np.zeros((m, s)), -np.eye(m), Xr.T, np.zeros(m)],
                   np.c_[np.eye(s), np.zeros((s, m)), -Yr.T, np.zeros(s)]])
    b = np.zeros(m + s)
    Aeq = [np.r_[np.zeros(s), W, np.zeros(n + 1)]]
    beq = [1.0]
    kap = np.r_[np.zeros(s + m), np.ones(n), -1.0]
    if rts == "vrs":
        Aeq.append(kap)
        beq.append(0.0)
    elif rts == "nirs":
        A, b = np.vstack([A, kap]), np.r_[b, 0.0]
    elif rts == "ndrs":
        A, b = np.vstack([A, -kap]), np.r_[b, 0.0]
    return _lp(np.r_[P, np.zeros(m + n + 1)], A, b, np.array(Aeq), beq, [(0, None)] * (s + m + n + 1),
               maximise=True)[0]


def _revenue(x, P, Xr, Yr, rts):
    """DO.teseme's mix LP: max P.y s.t. X'l <= x, Y'l >= y (vars [y, l])."""
    n, m = Xr.shape
    s = Yr.shape[1]
    A = np.vstack([np.c_[np.zeros((m, s)), Xr.T], np.c_[np.eye(s), -Yr.T]])
    Aeq, beq, Ar, br = _rts_rows(n, rts, s)
    return _lp(np.r_[P, np.zeros(n)], _stack(A, Ar), np.r_[x, np.zeros(s), br or []], Aeq, beq,
               [(0, None)] * (s + n), maximise=True)[0]


def _cost(y, W, Xr, Yr, rts):
    """DI.teseme's mix LP: min W.x s.t. X'l <= x, Y'l >= y (vars [x, l])."""
    n, m = Xr.shape
    A = np.vstack([np.c_[-np.eye(m), Xr.T], np.c_[np.zeros((len(y), m)), -Yr.T]])
    Aeq, beq, Ar, br = _rts_rows(n, rts, m)
    return _lp(np.r_[W, np.zeros(n)], _stack(A, Ar), np.r_[np.zeros(m), -y, br or []], Aeq, beq,
               [(0, None)] * (m + n))[0]


def _decomposition(X, Y, P, W, years, rts, orientation):
    """Levels of O'Donnell's decomposition for aggregation weights (P, W) on the scaled data."""
    out = {k: np.zeros(len(X)) for k in ("AO", "AI", "TFP", "MP", "TFPE", "TE", "SE", "ME", "RSE", "SME", "RME")}
    for i in range(len(X)):
        t = years == years[i]
        Xr, Yr = X[t], Y[t]
        AO, AI = P @ Y[i], W @ X[i]
        MP = _mp(P, W, Xr, Yr, rts)
        if orientation == "output":
            te = 1 / _phi(X[i], Y[i], Xr, Yr, rts)
            se = (1 / _phi(X[i], Y[i], Xr, Yr, "crs")) / te
            me = AO / (_revenue(X[i], P, Xr, Yr, rts) * te)
            rse = AO / (te * me) / AI / MP
        else:
            te = _theta(X[i], Y[i], Xr, Yr, rts)
            se = _theta(X[i], Y[i], Xr, Yr, "crs") / te
            me = _cost(Y[i], W, Xr, Yr, rts) / AI / te
            rse = AO / (AI * te * me) / MP
        for k, v in zip(out, (AO, AI, AO / AI, MP, AO / AI / MP, te, se, me, rse, me * rse, AO / AI / MP / te / se)):
            out[k][i] = v
    return out


def _compare_levels(r, ref, d, orientation, extra=()):
    o = "O" if orientation == "output" else "I"
    names = {"AO": "AO", "AI": "AI", "TFP": "TFP", "MP": "MP", "TFPE": "TFPE", "TE": f"{o}TE", "SE": f"{o}SE",
             "ME": f"{o}ME", "RSE": f"R{o}SE", "SME": f"{o}SME", "RME": "RME"}
    lv = r.levels().set_index(["unit", "year"]).loc[list(zip(d["unit"], d["year"]))]
    ch = r.to_frame().set_index(["unit", "year"]).loc[list(zip(d["unit"], d["year"]))]
    base = {u: i for i, (u, y) in enumerate(zip(d["unit"], d["year"])) if y == d["year"].min()}
    first = np.array([base[u] for u in d["unit"]])
    table = {names.get(k, k): v for k, v in ref.items()}
    table.update(dict(extra))
    for pkg, v in table.items():
        ours = NAMES[pkg]
        np.testing.assert_allclose(lv[ours].to_numpy(), v, rtol=1e-8, atol=1e-10, err_msg=pkg)
        np.testing.assert_allclose(ch[ours + "_change"].to_numpy(), v / v[first], rtol=1e-8, atol=1e-10, err_msg=pkg)


@pytest.mark.parametrize("orientation,rts", [("output", "vrs"), ("input", "vrs"), ("output", "crs"),
                                             ("input", "nirs")])
def test_lowe_recomputed_independently(orientation, rts):
    data = _panel(units=7, periods=3, seed=11)
    d = data.sort_values(["year", "unit"]).reset_index(drop=True)
    Xraw, Yraw = d[INPUTS].to_numpy(), d[OUTPUTS].to_numpy()
    wraw, praw = d[WCOLS].to_numpy(), d[PCOLS].to_numpy()
    X, Y = Xraw / Xraw.mean(axis=0), Yraw / Yraw.mean(axis=0)          # the package's scaled = TRUE
    P, W = praw.mean(axis=0), wraw.mean(axis=0)                          # representative prices: the means
    ref = _decomposition(X, Y, P, W, d["year"].to_numpy(), rts, orientation)
    rev, cost = (Yraw * praw).sum(axis=1), (Xraw * wraw).sum(axis=1)
    extra = {"REV": rev, "COST": cost, "PROF": rev / cost, "P": rev / ref["AO"], "W": cost / ref["AI"],
             "TT": (rev / ref["AO"]) / (cost / ref["AI"]),
             ("RE" if orientation == "output" else "CE"): ref["TE"] * ref["ME"]}
    r = _run("lowe", rts, orientation, data=data.sample(frac=1.0, random_state=1))     # input order is free
    _compare_levels(r, ref, d, orientation, extra.items())
    np.testing.assert_allclose(r.output_weights.to_numpy(), P / Yraw.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(r.input_weights.to_numpy(), W / Xraw.mean(axis=0), rtol=1e-12)


def _shadow(xo, yo, Xr, Yr, rts, side):
    """The package's DO.shdu / DI.shdu with its NIRS/NDRS column signs (vars [u, v, w])."""
    n, m = Xr.shape
    s = Yr.shape[1]
    col = {"vrs": (1.0, (None, None)), "crs": (0.0, (0, 0))}
    if side == "output":
        sign, wb = col.get(rts) or ((1.0, (0, None)) if rts == "nirs" else (-1.0, (0, None)))
        # -Y u + X v + sign w >= 0, u.yo = 1, min v.xo + sign w; prices u / objective
        A = np.c_[Yr, -Xr, -sign * np.ones(n)]
        val, z = _lp(np.r_[np.zeros(s), xo, sign], A, np.zeros(n), np.r_[yo, np.zeros(m), 0][None], [1.0],
                     [(0, None)] * (s + m) + [wb])
        return z[:s] / val
    sign, wb = col.get(rts) or ((-1.0, (0, None)) if rts == "nirs" else (1.0, (0, None)))
    # Y u - X v + sign w <= 0, v.xo = 1, max u.yo + sign w; prices v / objective
    A = np.c_[Yr, -Xr, sign * np.ones(n)]
    val, z = _lp(np.r_[yo, np.zeros(m), sign], A, np.zeros(n), np.r_[np.zeros(s), xo, 0][None], [1.0],
                 [(0, None)] * (s + m) + [wb], maximise=True)
    return z[s:s + m] / val


@pytest.mark.parametrize("rts,orientation", [("nirs", "output"), ("ndrs", "input"), ("ndrs", "output")])
def test_fare_primont_recomputed_independently(rts, orientation):
    data = _panel(units=7, periods=3, seed=5)
    d = data.sort_values(["year", "unit"]).reset_index(drop=True)
    X = d[INPUTS].to_numpy() / d[INPUTS].to_numpy().mean(axis=0)
    Y = d[OUTPUTS].to_numpy() / d[OUTPUTS].to_numpy().mean(axis=0)
    P = _shadow(X.mean(axis=0), Y.mean(axis=0), X, Y, rts, "output")
    W = _shadow(X.mean(axis=0), Y.mean(axis=0), X, Y, rts, "input")
    ref = _decomposition(X, Y, P, W, d["year"].to_numpy(), rts, orientation)
    r = _run("fare-primont", rts, orientation, data=data)
    _compare_levels(r, ref, d, orientation)


# --------------------------------------------------------------------------------------------------
# Backends, screening, row order
# --------------------------------------------------------------------------------------------------

def _values(r):
    lv, ch = r.levels(), r.to_frame()
    return np.hstack([lv.iloc[:, 2:-1].to_numpy(float), ch.iloc[:, 2:-1].to_numpy(float)])


@pytest.mark.parametrize("index", ["hicks-moorsteen", "fare-primont", "lowe"])
def test_backends_agree(index):
    data = _panel(units=9, periods=3, seed=8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ef.SolveWarning)     # numba asked for: HiGHS solves the generic LPs
        runs = {s: _run(index, "vrs", "output", data=data, solver=s) for s in ("numba", "highs", "scipy")}
    assert runs["scipy"].solver == "scipy" and runs["highs"].solver == "highs"
    assert runs["numba"].solver.startswith("numba")
    ref = _values(runs["highs"])
    assert np.isfinite(ref).sum() > 0.8 * ref.size       # Hicks-Moorsteen: the first period has no changes
    for s in ("numba", "scipy"):
        np.testing.assert_allclose(_values(runs[s]), ref, rtol=1e-8, atol=1e-9, err_msg=s)


def test_screening_does_not_change_results():
    data = _panel(units=70, periods=2, seed=9)
    a = _run("hicks-moorsteen", "vrs", "input", data=data, screen=True)
    b = _run("hicks-moorsteen", "vrs", "input", data=data, screen=False, solver="highs")
    va, vb = _values(a), _values(b)
    changes = slice(a.levels().shape[1] - 3, None)
    np.testing.assert_allclose(va[:, changes], vb[:, changes], rtol=1e-7, atol=1e-9)
    lv_a, lv_b = a.levels(), b.levels()
    for c in ("aggregate_output", "aggregate_input", "tfp", "ite", "ise"):   # untouched by tied prices
        np.testing.assert_allclose(lv_a[c], lv_b[c], rtol=1e-8)


def test_row_order_and_ids_are_kept():
    shuffled = PANEL.sample(frac=1.0, random_state=4).reset_index(drop=True)
    a, b = _run("hicks-moorsteen"), _run("hicks-moorsteen", data=shuffled)
    assert list(b.to_frame()["unit"]) == list(shuffled["unit"])
    assert list(b.levels()["year"]) == list(shuffled["year"])
    key = ["unit", "year"]
    m = a.to_frame().merge(b.to_frame(), on=key, suffixes=("_a", "_b"))
    np.testing.assert_allclose(m["tfp_change_a"], m["tfp_change_b"], rtol=1e-9)
    assert list(a.to_frame().columns[:5]) == ["unit", "year", "tfp_change", "mp_change", "tfpe_change"]
    assert list(_run("lowe", orientation="input").levels().columns[-2:]) == ["ce", "status"]


def test_names_and_summary():
    r = _run("lowe")
    assert set(NAMES) >= {"AO", "AI", "TFP", "MP", "TFPE", "OTE", "OSE", "OME", "ROSE", "OSME", "RME", "ITE", "ISE",
                          "IME", "RISE", "ISME", "REV", "COST", "PROF", "P", "W", "TT", "RE", "CE"}
    assert {NAMES[k] + "_change" for k in ("REV", "COST", "PROF", "P", "W", "TT", "RE")} <= set(r.to_frame().columns)
    text = r.summary()
    assert "Lowe TFP index" in text and "first period" in text and "32 optimal" in text
    assert "ProductivityResult lowe vrs output" in repr(r)
    assert r.status.eq("optimal").all() and isinstance(r, ef.ProductivityResult)
    assert ef.productivity is not None and _run("hm").index == "hicks-moorsteen"
    assert _run("fareprim", orientation="in").orientation == "input"


# --------------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------------

def _call(data=None, **kw):
    args = {"id": "unit", "period": "year", "inputs": INPUTS, "outputs": OUTPUTS}
    args.update(kw)
    return ef.productivity(PANEL if data is None else data, **args)


def test_duplicated_unit_period():
    bad = pd.concat([PANEL, PANEL.iloc[[3]]], ignore_index=True)
    with pytest.raises(ef.DataError, match=r"columns 'unit', 'year': duplicate id 'u3/2000' in row 4 and row 33"):
        _call(bad)


def test_non_numeric_and_missing_period(tmp_path):
    bad = PANEL.copy().astype({"year": object})
    bad.loc[5, "year"] = "2001a"
    with pytest.raises(ef.DataError, match=r"column 'year', row 6.*'2001a' is not a number"):
        _call(bad)
    path = tmp_path / "p.csv"
    bad.loc[5, "year"] = ""
    bad.to_csv(path, index=False)
    with pytest.raises(ef.DataError, match=r"p\.csv: column 'year', row 6 \(line 7.*missing period"):
        _call(str(path))


def test_lowe_prices():
    with pytest.raises(ef.SpecError, match="input_prices: the Lowe index needs"):
        _call(index="lowe", output_prices=PCOLS)
    bad = PANEL.copy()
    bad.loc[4, "p2"] = np.nan
    with pytest.raises(ef.DataError, match=r"column 'p2', row 5.*missing value"):
        _call(bad, index="lowe", input_prices=WCOLS, output_prices=PCOLS)
    bad = PANEL.copy()
    bad.loc[2, "w1"] = -1.0
    with pytest.raises(ef.DataError, match=r"column 'w1', row 3.*negative price"):
        _call(bad, index="lowe", input_prices=WCOLS, output_prices=PCOLS)
    bad = PANEL.copy()
    bad.loc[6, PCOLS] = 0.0
    with pytest.raises(ef.DataError, match=r"row 7.*every output price is 0"):
        _call(bad, index="lowe", input_prices=WCOLS, output_prices=PCOLS)
    with pytest.raises(ef.SpecError, match="2 price columns for 3 inputs"):
        _call(index="lowe", input_prices=WCOLS[:2], output_prices=PCOLS)
    with pytest.raises(ef.DataError, match="unknown input price column 'w9'"):
        _call(index="lowe", input_prices=["w1", "w2", "w9"], output_prices=PCOLS)


@pytest.mark.parametrize("index", ["hicks-moorsteen", "fare-primont"])
def test_prices_for_other_indices_are_refused(index):
    with pytest.raises(ef.SpecError, match="takes no output prices; leave them out, or use index='lowe'"):
        _call(index=index, output_prices=PCOLS)


def test_unknown_columns_and_options():
    with pytest.raises(ef.DataError, match="unknown input column 'x9'"):
        _call(inputs=["x1", "x9"])
    with pytest.raises(ef.DataError, match="unknown period column 'yr'"):
        _call(period="yr")
    with pytest.raises(ef.SpecError, match="index: 'malmquist' is not one of"):
        _call(index="malmquist")
    with pytest.raises(ef.SpecError, match="orientation: the productivity indices take 'output' or 'input'"):
        _call(orientation="graph")
    with pytest.raises(ef.SpecError, match="rts: the productivity indices take"):
        _call(rts="fdh")
    with pytest.raises(ef.SpecError, match="id: a panel needs"):
        _call(id=None)


def test_unbalanced_panel_and_zero_rows():
    with pytest.raises(ef.DataError, match=r"unit 'u2' has no row for period 2001.*balanced panel"):
        _call(PANEL.drop(index=10))
    bad = PANEL.copy()
    bad.loc[3, OUTPUTS] = 0.0
    with pytest.raises(ef.DataError, match=r"column 'y1', row 4.*all outputs zero"):
        _call(bad)


class _FirstInfeasible(Backend):
    """HiGHS, except that the first LP of every batch is reported infeasible."""

    name = "first-infeasible"

    def solve_batch(self, batch):
        sol = HighsSolver().solve_batch(batch)
        status, objective = sol.status.copy(), sol.objective.copy()
        status[0], objective[0] = LPStatus.INFEASIBLE, np.nan
        x = sol.x.toarray()
        x[0] = 0.0
        return BatchSolution(status, objective, sp.csr_array(x), Usage.of(self.name, len(batch)))


def test_lps_without_optimum_are_reported_per_row():
    with pytest.warns(ef.SolveWarning, match="rows have an LP without an optimum"):
        r = _call(index="hicks-moorsteen", solver=_FirstInfeasible())
    for table in (r.levels(), r.to_frame()):
        bad = (table["status"] != "optimal").to_numpy()
        assert bad.any() and (~bad).any()
        assert set(table.loc[bad, "status"]) == {"infeasible"}
        values = table.iloc[:, 2:-1].to_numpy(float)
        assert np.isnan(values[bad]).all()
        first = (table["year"] == 2000).to_numpy() & (table is not None) & ("tfp_change" in table)
        assert np.isfinite(values[~bad & ~first]).all()
    # Faere-Primont: its one pair of shadow prices failed, so every row
    with pytest.warns(ef.SolveWarning, match="32 of 32 rows"):
        r = _call(index="fare-primont", solver=_FirstInfeasible())
    assert r.status.eq("infeasible").all() and r.levels()["tfp"].isna().all()


@pytest.mark.parametrize("index", ["hicks-moorsteen", "fare-primont", "lowe"])
@pytest.mark.parametrize("rts", ["crs", "vrs", "nirs", "ndrs"])
@pytest.mark.parametrize("orientation", ["output", "input"])
def test_default_path_equals_plain_highs(index, rts, orientation):
    """The default path (numba core, its duals as shadow prices, each period's frame from 64 units)
    against the plain computation (HiGHS on every LP against all units, no screening) for every index,
    returns to scale and orientation. Hicks-Moorsteen's first-period levels of tied shadow prices (MP,
    TFPE, mix terms; module docstring) are compared where they are unique."""
    data = _panel(units=70, periods=2, seed=21)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ef.SolveWarning)
        a = _run(index, rts, orientation, data=data)
        b = _run(index, rts, orientation, data=data, solver="highs", screen=False)
    if index != "hicks-moorsteen":
        np.testing.assert_allclose(_values(a), _values(b), rtol=1e-7, atol=1e-9)
        return
    ch_a, ch_b = a.to_frame(), b.to_frame()
    cols = [c for c in ch_a.columns if c.endswith("_change")]
    np.testing.assert_allclose(ch_a[cols].to_numpy(float), ch_b[cols].to_numpy(float), rtol=1e-7, atol=1e-9)
    lv_a, lv_b = a.levels(), b.levels()
    o = "o" if orientation == "output" else "i"
    for c in ("aggregate_output", "aggregate_input", "tfp", f"{o}te", f"{o}se"):
        np.testing.assert_allclose(lv_a[c], lv_b[c], rtol=1e-8, err_msg=c)
