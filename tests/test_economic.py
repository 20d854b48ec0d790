"""``ef.economic`` and ``efficiency economic``: cost, revenue and profit efficiency (efficiency/economic.py).

Properties of the measures (Faere, Grosskopf and Lovell 1985; Coelli et al. 2005, ch. 8), the price
arguments, screening (frame) against the plain HiGHS loop, the result object, bad input (API and CLI,
exit code 1). The comparisons with R Benchmarking and deaR are in ``test_economic_oracle.py``.
"""

from __future__ import annotations

import dataclasses
import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import cli
import efficiency as ef
from efficiency.errors import DataError, SolveWarning, SpecError
from efficiency.results import Result

ECON = sys.modules["efficiency.economic"]      # the module (ef.economic is the function)
RTS = ("crs", "vrs", "nirs", "ndrs")

# Coelli, Rao and Battese (1998), p. 166 (deaR's Coelli_1998): prices w = (1, 3), p as in deaR.
COELLI = pd.DataFrame({"dmu": ["DMU1", "DMU2", "DMU3", "DMU4", "DMU5"], "x1": [2, 2, 6, 3, 6], "x2": [5, 4, 6, 2, 2],
                       "y": [1, 2, 3, 1, 2], "w1": [1] * 5, "w2": [3] * 5, "p": [2, 3, 2, 3, 3]})
COELLI_CE_CRS = [6 / 17, 12 / 14, 18 / 24, 6 / 9, 1.0]           # min cost / observed (book values)
COELLI_XOPT_CRS = [[3, 1], [6, 2], [9, 3], [3, 1], [6, 2]]


def make(n: int = 40, m: int = 2, s: int = 2, seed: int = 0, price_scale: float = 1.0) -> pd.DataFrame:
    """Cobb-Douglas-like data with inefficiency and random positive prices; columns x*, y*, w*, p*."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(1.0, 10.0, (n, m))
    q = np.prod(X, axis=1) ** (0.8 / m)
    Y = q[:, None] * rng.uniform(0.2, 1.0, (n, s)) * np.exp(-np.abs(rng.normal(0, 0.3, (n, 1))))
    W = rng.uniform(0.5, 3.0, (n, m))
    P = rng.uniform(0.5, 3.0, (n, s)) * price_scale
    cols = {"dmu": [f"D{i}" for i in range(n)]}
    cols |= {f"x{j + 1}": X[:, j] for j in range(m)} | {f"y{j + 1}": Y[:, j] for j in range(s)}
    cols |= {f"w{j + 1}": W[:, j] for j in range(m)} | {f"p{j + 1}": P[:, j] for j in range(s)}
    return pd.DataFrame(cols)


def spec(df: pd.DataFrame) -> dict:
    xs = [c for c in df.columns if c.startswith("x")]
    ys = [c for c in df.columns if c.startswith("y")]
    return dict(id="dmu", inputs=xs, outputs=ys)


def econ(df: pd.DataFrame, kind: str, **kw) -> ef.EconomicResult:
    s = spec(df)
    prices = {}
    if kind != "revenue":
        prices["input_prices"] = ["w" + c[1:] for c in s["inputs"]]
    if kind != "cost":
        prices["output_prices"] = ["p" + c[1:] for c in s["outputs"]]
    return ef.economic(df, kind=kind, **s, **prices, **kw)


# --------------------------------------------------------------------------------------------------
# Values and properties
# --------------------------------------------------------------------------------------------------

def test_coelli_book_example():
    """Coelli, Rao and Battese (1998), p. 166, CRS: the published cost efficiencies and cost-minimising
    input bundles (unique here), TE = theta (0.5, 1, 0.833, 0.714, 1)."""
    r = ef.economic(COELLI, id="dmu", inputs=["x1", "x2"], outputs=["y"], input_prices=["w1", "w2"], rts="crs")
    np.testing.assert_allclose(r.efficiency, COELLI_CE_CRS, atol=1e-12)
    np.testing.assert_allclose(r.technical, [0.5, 1.0, 5 / 6, 5 / 7, 1.0], atol=1e-12)
    np.testing.assert_allclose(r.optimal_inputs.to_numpy(), COELLI_XOPT_CRS, atol=1e-9)
    np.testing.assert_allclose(r.observed, [17, 14, 24, 9, 12])
    assert r.optimal_outputs is None and r.output_prices is None
    assert (r.status == "optimal").all()


@pytest.mark.parametrize("kind", ["cost", "revenue"])
@pytest.mark.parametrize("rts", RTS)
@pytest.mark.parametrize("restricted", [False, True])
def test_decomposition_economic_is_technical_times_allocative(kind, rts, restricted):
    """CE = TE x AE (to the last bit: AE is defined as CE / TE), AE in (0, 1], CE <= TE <= 1, and TE is
    ef.dea's radial score (input theta for cost, Shephard 1/phi for revenue) under the same rts."""
    df = make(40, seed=1)
    r = econ(df, kind, rts=rts, restricted=restricted)
    ce, te, ae = (v.to_numpy() for v in (r.efficiency, r.technical, r.allocative))
    assert (r.status == "optimal").all()
    np.testing.assert_allclose(te * ae, ce, rtol=4e-16, atol=0)
    assert np.all(ae > 0) and np.all(ae <= 1.0)
    assert np.all(ce <= te) and np.all(te <= 1.0) and np.all(ce > 0)
    assert ae.min() < 0.99                                     # the data do have allocative inefficiency
    d = ef.dea(df, **spec(df), rts=rts, orientation="input" if kind == "cost" else "output")
    np.testing.assert_allclose(te, d.scores.to_numpy(), atol=1e-12)


@pytest.mark.parametrize("rts", RTS)
def test_one_input_with_equal_prices_cost_efficiency_is_the_radial_input_score(rts):
    """With one input and one price for all DMUs, min cost = price x theta x_o: CE = theta, AE = 1."""
    df = make(30, m=1, s=2, seed=2)
    r = ef.economic(df, **spec(df), input_prices=[2.5], rts=rts)
    d = ef.dea(df, **spec(df), rts=rts, orientation="input")
    np.testing.assert_allclose(r.efficiency.to_numpy(), d.scores.to_numpy(), atol=1e-9)
    np.testing.assert_allclose(r.allocative.to_numpy(), 1.0, atol=1e-9)
    assert d.scores.min() < 0.9


@pytest.mark.parametrize("rts", RTS)
def test_one_output_with_equal_prices_revenue_efficiency_is_the_shephard_output_score(rts):
    df = make(30, m=2, s=1, seed=3)
    r = ef.economic(df, **spec(df), kind="revenue", output_prices=[4.0], rts=rts)
    d = ef.dea(df, **spec(df), rts=rts, orientation="output")
    np.testing.assert_allclose(r.efficiency.to_numpy(), d.scores.to_numpy(), atol=1e-9)
    np.testing.assert_allclose(r.allocative.to_numpy(), 1.0, atol=1e-9)


@pytest.mark.parametrize("kind", ["cost", "revenue"])
def test_larger_technologies_and_restrictions_order_the_efficiencies(kind):
    """T_vrs in T_nirs, T_ndrs in T_crs: CE (RE) can only fall as the technology grows; the restricted
    optimum (deaR's restricted_optimal) searches a smaller set: its efficiency is never lower, and its
    optimal vector keeps x* <= x0 (y* >= y0)."""
    df = make(40, seed=4)
    e = {rts: econ(df, kind, rts=rts).efficiency.to_numpy() for rts in RTS}
    tol = 1e-10
    assert np.all(e["crs"] <= e["nirs"] + tol) and np.all(e["nirs"] <= e["vrs"] + tol)
    assert np.all(e["crs"] <= e["ndrs"] + tol) and np.all(e["ndrs"] <= e["vrs"] + tol)
    free = econ(df, kind, rts="vrs")
    tied = econ(df, kind, rts="vrs", restricted=True)
    assert np.all(tied.efficiency.to_numpy() >= free.efficiency.to_numpy() - tol)
    assert np.any(tied.efficiency.to_numpy() > free.efficiency.to_numpy() + 1e-3)
    X, Y = df[spec(df)["inputs"]].to_numpy(), df[spec(df)["outputs"]].to_numpy()
    if kind == "cost":
        assert np.all(tied.optimal_inputs.to_numpy() <= X * (1 + 1e-9))
        assert not np.all(free.optimal_inputs.to_numpy() <= X * (1 + 1e-9))
    else:
        assert np.all(tied.optimal_outputs.to_numpy() >= Y * (1 - 1e-9))
    np.testing.assert_array_equal(tied.technical, free.technical)


def test_profit_efficiency_is_observed_over_a_positive_maximum():
    """VRS profit with output prices high enough for a positive maximum: PE = observed / max <= 1, with
    the optimal vectors priced at the maximum; no technical/allocative split for profit."""
    df = make(40, seed=5, price_scale=4.0)
    r = econ(df, "profit", rts="vrs")
    f = r.to_frame()
    assert list(f.columns) == ["profit_efficiency", "observed_profit", "optimal_profit", "optimal_x1", "optimal_x2",
                               "optimal_y1", "optimal_y2", "status"]
    assert r.technical is None and r.allocative is None
    pos = (f.optimal_profit > 0).to_numpy()
    assert pos.sum() >= 30
    np.testing.assert_allclose(f.profit_efficiency[pos], (f.observed_profit / f.optimal_profit)[pos], rtol=1e-15)
    assert f.profit_efficiency[~pos].isna().all()
    assert (f.profit_efficiency[pos] <= 1.0).all() and (f.profit_efficiency < 0.999).any()
    W, P = df[["w1", "w2"]].to_numpy(), df[["p1", "p2"]].to_numpy()
    value = (P * r.optimal_outputs.to_numpy()).sum(1) - (W * r.optimal_inputs.to_numpy()).sum(1)
    np.testing.assert_allclose(value, f.optimal_profit, rtol=1e-12)
    restricted = econ(df, "profit", rts="vrs", restricted=True)
    assert np.all(restricted.optimal.to_numpy() <= r.optimal.to_numpy() * (1 + 1e-9))


def test_profit_efficiency_is_nan_where_the_maximum_is_not_positive():
    """Coelli_1998 under VRS (Benchmarking: max profit -7, -6, -7, -6, -6): no profit efficiency."""
    r = ef.economic(COELLI, id="dmu", inputs=["x1", "x2"], outputs=["y"], kind="profit", input_prices=["w1", "w2"],
                    output_prices=["p"], rts="vrs")
    np.testing.assert_allclose(r.optimal, [-7, -6, -7, -6, -6], atol=1e-9)
    np.testing.assert_allclose(r.observed, [-15, -8, -18, -6, -6])
    assert r.efficiency.isna().all() and (r.status == "optimal").all()


def test_crs_profit_unbounded_is_a_status_with_one_warning():
    """Under CRS a DMU's maximal profit is unbounded when some DMU makes a profit at its prices (a ray
    of the cone does), else 0 (Coelli et al. 2005, p. 183): status 'unbounded' with NaN values, one
    SolveWarning counting them."""
    df = make(30, seed=6, price_scale=4.0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        r = econ(df, "profit", rts="crs")
    X, Y, W, P = (df[c].to_numpy() for c in (["x1", "x2"], ["y1", "y2"], ["w1", "w2"], ["p1", "p2"]))
    profitable = ((P @ Y.T) - (W @ X.T) > 0).any(axis=1)      # [o, j]: DMU j's profit at o's prices
    assert 0 < (~profitable).sum() < 30
    np.testing.assert_array_equal(r.status == "unbounded", profitable)
    unsolved = [w for w in caught if issubclass(w.category, SolveWarning)]
    assert len(unsolved) == 1 and f"{profitable.sum()} unbounded" in str(unsolved[0].message)
    f = r.to_frame()
    assert f[["profit_efficiency", "optimal_profit", "optimal_x1", "optimal_y2"]][profitable].isna().all().all()
    np.testing.assert_allclose(f.optimal_profit[~profitable], 0.0, atol=1e-9)
    assert f.observed_profit.notna().all()
    # the restricted optimum (x <= x0, y >= y0) is bounded under CRS
    assert (econ(df, "profit", rts="crs", restricted=True).status == "optimal").all()


def test_units_do_not_matter():
    """A quantity measured in other units (x1e9) with its price in the matching units (x1e-9): the same
    efficiencies and optimal cost (column scaling keeps the LP well conditioned)."""
    df = make(60, seed=7)
    big = df.assign(x1=df.x1 * 1e9, w1=df.w1 * 1e-9, y2=df.y2 * 1e-6, p2=df.p2 * 1e6)
    for kind in ("cost", "revenue", "profit"):
        a, b = econ(df, kind, rts="vrs"), econ(big, kind, rts="vrs")
        np.testing.assert_allclose(b.efficiency, a.efficiency, atol=1e-9)
        np.testing.assert_allclose(b.optimal, a.optimal, rtol=1e-8)


def test_a_zero_price_is_allowed():
    """A free input (price 0) is still an input of the technology; its optimal quantity is one of many."""
    df = make(30, seed=8).assign(w2=0.0)
    r = econ(df, "cost", rts="vrs")
    assert (r.status == "optimal").all()
    np.testing.assert_allclose(r.observed, df.x1 * df.w1)
    assert np.all(r.efficiency <= r.technical + 1e-12)


# --------------------------------------------------------------------------------------------------
# Screening: the frame against the plain HiGHS loop
# --------------------------------------------------------------------------------------------------

@pytest.fixture
def frames(monkeypatch):
    """Sizes of the frames the economic LPs were solved against."""
    sizes = []
    original = ECON.find_frame

    def spy(R, k_in, rts):
        idx = original(R, k_in, rts)
        sizes.append((R.shape[0], idx.size))
        return idx
    monkeypatch.setattr(ECON, "find_frame", spy)
    return sizes


@pytest.mark.parametrize("kind", ["cost", "revenue", "profit"])
@pytest.mark.parametrize("rts", RTS)
def test_screened_equals_unscreened(kind, rts, frames):
    """150 DMUs: the default backend solves every economic LP against the frame (checked: it is used
    and smaller than n); the values equal HiGHS against all DMUs (screen=False)."""
    df = make(150, m=3, s=2, seed=9, price_scale=0.3 if kind == "profit" else 1.0)
    for restricted in (False, True):
        frames.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SolveWarning)
            a = econ(df, kind, rts=rts, restricted=restricted)
            b = econ(df, kind, rts=rts, restricted=restricted, solver="highs", screen=False)
        assert len(frames) == 1 and frames[0][1] < frames[0][0] == 150
        assert (a.status == b.status).all()
        solved = (b.status == "optimal").to_numpy()
        assert solved.sum() >= (0 if kind == "profit" and rts in ("crs", "ndrs") and not restricted else 150)
        np.testing.assert_allclose(a.efficiency[solved], b.efficiency[solved], atol=1e-9)
        np.testing.assert_allclose(a.optimal[solved], b.optimal[solved], rtol=1e-9, atol=1e-9)
        if a.technical is not None:
            np.testing.assert_allclose(a.technical, b.technical, atol=1e-9)


def test_screening_defaults(frames):
    """Default: no frame below 64 DMUs or with HiGHS; screen=True screens at any size; screen=False never."""
    small, large = make(40, seed=10), make(80, seed=10)
    econ(small, "cost")
    econ(large, "cost", solver="highs")
    econ(large, "cost", screen=False)
    assert frames == []
    econ(large, "cost")
    econ(small, "cost", solver="highs", screen=True)
    assert [n for n, _ in frames] == [80, 40]
    a = econ(small, "cost", solver="highs", screen=True)
    b = econ(small, "cost", solver="highs", screen=False)
    np.testing.assert_allclose(a.efficiency, b.efficiency, atol=1e-10)


@pytest.mark.parametrize("solver", ["highs", "scipy"])
def test_other_backends_give_the_same_values(solver):
    df = make(30, seed=11)
    a = econ(df, "cost", rts="vrs")
    b = econ(df, "cost", rts="vrs", solver=solver)
    np.testing.assert_allclose(a.efficiency, b.efficiency, atol=1e-9)
    assert b.solver == solver


# --------------------------------------------------------------------------------------------------
# Prices
# --------------------------------------------------------------------------------------------------

def test_price_forms_agree():
    """Column names (list, comma string, dict), an (n, m) array and, for equal prices, one vector."""
    df = make(25, seed=12)
    s = spec(df)
    base = ef.economic(df, **s, input_prices=["w1", "w2"]).efficiency
    W = df[["w1", "w2"]].to_numpy()
    for prices in ("w1,w2", " w1 , w2 ", {"x2": "w2", "x1": "w1"}, W):
        pd.testing.assert_series_equal(ef.economic(df, **s, input_prices=prices).efficiency, base)
    flat = df.assign(w1=1.5, w2=0.5)
    a = ef.economic(flat, **s, input_prices=["w1", "w2"]).efficiency
    pd.testing.assert_series_equal(ef.economic(df, **s, input_prices=[1.5, 0.5]).efficiency, a)
    pd.testing.assert_series_equal(ef.economic(df, **s, input_prices=np.array([1.5, 0.5])).efficiency, a)
    assert not np.allclose(a, base)


def test_arrays_and_csv_path_give_the_table_results(tmp_path):
    df = make(25, seed=13)
    s = spec(df)
    r = ef.economic(df, **s, kind="profit", input_prices=["w1", "w2"], output_prices=["p1", "p2"])
    X, Y = df[s["inputs"]].to_numpy(), df[s["outputs"]].to_numpy()
    a = ef.economic(inputs=X, outputs=Y, kind="profit", input_prices=df[["w1", "w2"]].to_numpy(),
                    output_prices=df[["p1", "p2"]].to_numpy())
    np.testing.assert_array_equal(a.optimal.to_numpy(), r.optimal.to_numpy())
    assert list(a.to_frame().columns[3:5]) == ["optimal_x1", "optimal_x2"] and a.ids.name == "dmu"
    path = tmp_path / "d.csv"
    df.to_csv(path, index=False)
    c = ef.economic(path, **s, kind="profit", input_prices="w1,w2", output_prices="p1,p2")
    np.testing.assert_allclose(c.optimal.to_numpy(), r.optimal.to_numpy(), rtol=1e-12)
    assert list(c.ids) == list(df.dmu)


# --------------------------------------------------------------------------------------------------
# The result object
# --------------------------------------------------------------------------------------------------

def test_result_object():
    df = make(30, seed=14)
    r = econ(df, "cost")
    assert isinstance(r, Result) and dataclasses.is_dataclass(r)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.kind = "revenue"
    f = r.to_frame()
    assert list(f.columns) == ["cost_efficiency", "technical_efficiency", "allocative_efficiency", "observed_cost",
                               "optimal_cost", "optimal_x1", "optimal_x2", "status"]
    assert list(f.index) == list(df.dmu) and f.index.name == "dmu"
    assert r.solver == "numba+highs (30 of 60 LPs)"      # TE by the numba core, the economic LPs by HiGHS
    text = r.summary()
    assert "Cost efficiency (DEA), variable returns to scale" in text and "solver: numba+highs" in text
    assert "Status: 30 optimal" in text and "Allocative efficiency: mean" in text
    g = econ(df, "revenue", rts="crs", restricted=True).to_frame()
    assert list(g.columns) == ["revenue_efficiency", "technical_efficiency", "allocative_efficiency",
                               "observed_revenue", "optimal_revenue", "optimal_y1", "optimal_y2", "status"]
    assert "restricted (y* >= y0)" in econ(df, "revenue", restricted=True).summary()


def test_explicit_numba_says_highs_solved_the_economic_lps():
    df = make(20, seed=15)
    with pytest.warns(SolveWarning, match="does not solve this kind of LP"):
        r = econ(df, "cost", solver="numba")
    assert r.solver == "numba+highs (20 of 40 LPs)"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert econ(df, "cost", solver="highs").solver == "highs"
        econ(df, "cost")                                   # the default: silent, the label says it


def test_solver_and_screen_are_keyword_only():
    import inspect
    params = inspect.signature(ef.economic).parameters
    for name in ("solver", "restricted", "screen"):
        assert params[name].kind == inspect.Parameter.KEYWORD_ONLY
    assert list(params)[:8] == ["data", "id", "inputs", "outputs", "kind", "input_prices", "output_prices", "rts"]


# --------------------------------------------------------------------------------------------------
# Bad input
# --------------------------------------------------------------------------------------------------

BAD_SPECS = [
    (dict(kind="price"), SpecError, r"kind: 'price' is not one of"),
    (dict(input_prices=None), SpecError, r"input_prices: kind='cost' needs input prices"),
    (dict(kind="revenue", input_prices=None), SpecError, r"output_prices: kind='revenue' needs output prices"),
    (dict(kind="profit"), SpecError, r"output_prices: kind='profit' needs output prices"),
    (dict(output_prices=["p1", "p2"]), SpecError, r"output_prices: cost efficiency does not use output prices"),
    (dict(rts="fdh"), SpecError, r"rts"),
    (dict(rts="grs"), SpecError, r"rts"),
    (dict(rts="bogus"), SpecError, r"rts"),
    (dict(restricted="yes"), SpecError, r"restricted: expected True or False"),
    (dict(input_prices=["w1"]), SpecError, r"1 price column for 2 inputs \(x1, x2\)"),
    (dict(input_prices=[1.0, 2.0, 3.0]), SpecError, r"3 prices for 2 inputs"),
    (dict(input_prices={"x1": "w1", "x9": "w2"}), SpecError, r"'x9' is not one of the inputs \(x1, x2\)"),
    (dict(input_prices={"x1": "w1"}), SpecError, r"no price for the input 'x2'"),
    (dict(input_prices=["w1", 2.0]), SpecError, r"column names or numbers, not both"),
    (dict(input_prices=np.ones((3, 2))), SpecError, r"shape \(10, 2\)"),
    (dict(input_prices=["w1", "x2"]), SpecError, r"column 'x2' is the input column 'x2', not a price"),
    (dict(input_prices=["w1", "dmu"]), SpecError, r"column 'dmu' is the id column"),
    (dict(input_prices=["w1", "w9"]), DataError, r"unknown input price column 'w9' \(columns: 'dmu', 'x1'"),
    (dict(input_prices=["w1", "W2"]), DataError, r"unknown input price column 'W2'; did you mean 'w2'"),
    (dict(input_prices=[1.0, -2.0]), DataError, r"input_prices: the price of input 'x2': negative price \(-2\)"),
    (dict(input_prices=np.array([[1.0, 2.0]] * 9 + [[1.0, -3.0]])), DataError,
     r"the price of input 'x2', row 10 \(id 'D9'\): negative price \(-3\)"),
    (dict(input_prices=[1.0, np.nan]), DataError, r"missing or infinite price"),
    (dict(input_prices=[0.0, 0.0]), DataError, r"row 1 \(id 'D0'\): all input prices are 0; its cost efficiency is undefined \(9 more DMUs"),
]


@pytest.mark.parametrize("kw, exc, match", BAD_SPECS)
def test_bad_specifications(kw, exc, match):
    df = make(10, seed=16)
    args = dict(spec(df), input_prices=["w1", "w2"]) | kw
    with pytest.raises(exc, match=match):
        ef.economic(df, **args)


def test_column_names_need_a_table():
    df = make(10, seed=16)
    with pytest.raises(SpecError, match="column names need a table"):
        ef.economic(inputs=df[["x1", "x2"]].to_numpy(), outputs=df[["y1"]].to_numpy(), input_prices=["w1", "w2"])


def test_zero_inputs_and_a_clashing_column_name():
    df = make(10, seed=16)
    df.loc[3, ["x1", "x2"]] = 0.0
    with pytest.raises(DataError, match=r"column 'x1', row 4 \(id 'D3'\): all inputs zero; cost efficiency"):
        econ(df, "cost")
    clash = make(10, seed=16).rename(columns={"x1": "cost"})
    with pytest.raises(SpecError, match="optimal_cost"):
        ef.economic(clash, id="dmu", inputs=["cost", "x2"], outputs=["y1"], input_prices=["w1", "w2"])


@pytest.mark.parametrize("cell, match", [
    ("", r"column 'w2', row 3 \(line 4, id 'D2'\): missing value"),
    ("abc", r"column 'w2', row 3 \(line 4, id 'D2'\): 'abc' is not a number"),
    ("-1.5", r"column 'w2', row 3 \(line 4, id 'D2'\): negative price -1.5; prices must be >= 0"),
])
def test_bad_price_cells_name_file_column_and_row(tmp_path, cell, match):
    df = make(6, seed=17).astype({"w2": object})
    df.loc[2, "w2"] = cell
    path = tmp_path / "prices.csv"
    df.to_csv(path, index=False)
    with pytest.raises(DataError, match=rf"prices\.csv: {match}"):
        ef.economic(path, **spec(df), input_prices="w1,w2")


# --------------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------------

def invoke(*args):
    return CliRunner().invoke(cli.main, ["economic", *map(str, args)])


@pytest.fixture
def csv_file(tmp_path) -> Path:
    path = tmp_path / "firms.csv"
    make(20, seed=18, price_scale=3.0).to_csv(path, index=False)
    return path


SPEC = ["--id", "dmu", "--inputs", "x1,x2", "--outputs", "y1,y2"]


def test_cli_cost_to_stdout_equals_the_api(csv_file):
    res = invoke(csv_file, *SPEC, "--input-prices", "w1,w2", "--rts", "crs")
    assert res.exit_code == 0, res.stderr
    table = pd.read_csv(pd.io.common.StringIO(res.stdout))
    api = ef.economic(pd.read_csv(csv_file), id="dmu", inputs=["x1", "x2"], outputs=["y1", "y2"],
                      input_prices=["w1", "w2"], rts="crs").to_frame()
    assert list(table.columns) == ["dmu", *api.columns]
    np.testing.assert_allclose(table.cost_efficiency, api.cost_efficiency, rtol=1e-12)
    np.testing.assert_allclose(table.optimal_x2, api.optimal_x2, rtol=1e-12)


def test_cli_profit_restricted_json_and_summary(csv_file, tmp_path):
    out = tmp_path / "profit.json"
    res = invoke(csv_file, *SPEC, "--kind", "profit", "--input-prices", "w1,w2", "--output-prices", "p1,p2",
                 "--restricted", "--summary", "-o", out)
    assert res.exit_code == 0, res.stderr
    assert "Profit efficiency (DEA), variable returns to scale, restricted (x* <= x0, y* >= y0)" in res.stderr
    rows = json.loads(out.read_text())
    assert len(rows) == 20 and rows[0]["dmu"] == "D0" and rows[0]["status"] == "optimal"
    api = econ(pd.read_csv(csv_file), "profit", restricted=True).to_frame()
    np.testing.assert_allclose([r["optimal_profit"] for r in rows], api.optimal_profit, rtol=1e-12)
    free = econ(pd.read_csv(csv_file), "profit").to_frame()
    assert (free.optimal_profit > api.optimal_profit + 1e-6).any()


def test_cli_prices_as_numbers(csv_file):
    res = invoke(csv_file, *SPEC, "--kind", "revenue", "--output-prices", "2,0.5")
    assert res.exit_code == 0, res.stderr
    table = pd.read_csv(pd.io.common.StringIO(res.stdout))
    df = pd.read_csv(csv_file)
    np.testing.assert_allclose(table.observed_revenue, 2 * df.y1 + 0.5 * df.y2, rtol=1e-12)


@pytest.mark.parametrize("args, message", [
    (["--input-prices", "w1,w9"], "unknown input price column 'w9'"),
    (["--input-prices", "w1"], "1 price column for 2 inputs"),
    ([], "input_prices: kind='cost' needs input prices"),
    (["--kind", "profit", "--input-prices", "w1,w2"], "kind='profit' needs output prices"),
    (["--input-prices", "w1,w2", "--output-prices", "p1,p2"], "cost efficiency does not use output prices"),
    (["--input-prices", "1,-2"], "negative price"),
])
def test_cli_bad_input_exits_1(csv_file, args, message):
    res = invoke(csv_file, *SPEC, *args)
    assert res.exit_code == 1
    assert res.stderr.startswith("error: ") and message in res.stderr
    assert res.stdout == ""


def test_cli_bad_cell_names_file_column_and_row(tmp_path):
    df = make(5, seed=19).astype({"w1": object})
    df.loc[1, "w1"] = "n/a"
    path = tmp_path / "bad.csv"
    df.to_csv(path, index=False)
    res = invoke(path, *SPEC, "--input-prices", "w1,w2")
    assert res.exit_code == 1
    assert f"{path}: column 'w1', row 2 (line 3, id 'D1'): missing value" in res.stderr


def test_cli_usage_error_exits_2(csv_file):
    assert invoke(csv_file, *SPEC, "--kind", "margin").exit_code == 2
