"""DEA window analysis: every window is ef.dea on that window's observations pooled; the table,
matrix and summaries (ldw, ldp) follow from the scores; errors are clear."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import efficiency as ef
from cli import main


def _panel(units=6, years=(2015, 2016, 2017, 2018, 2019), seed=4):
    rng = np.random.default_rng(seed)
    rows = []
    for t, year in enumerate(years):
        for u in range(units):
            x1, x2 = rng.uniform(1, 10, 2)
            rows.append({"unit": f"u{u}", "year": year, "x1": x1, "x2": x2,
                         "y": (x1 * x2) ** 0.5 * rng.uniform(0.5, 1.0) * (1 + 0.05 * t)})
    return pd.DataFrame(rows)


KW = dict(id="unit", period="year", inputs=["x1", "x2"], outputs=["y"])


@pytest.mark.parametrize("opts", [dict(rts="vrs"), dict(rts="crs", orientation="output"),
                                  dict(model="sbm", orientation="none")])
def test_each_window_is_dea_on_the_pooled_window(opts):
    df = _panel()
    w = ef.window(df, width=3, **KW, **opts)
    assert [f"{a}-{b}" for a, b in w.windows] == ["2015-2017", "2016-2018", "2017-2019"]
    t = w.to_frame()
    assert list(t.columns[:4]) == ["unit", "window", "window_start", "year"]
    assert len(t) == 3 * 3 * 6
    for a, b in w.windows:
        rows = df[(df.year >= a) & (df.year <= b)]
        direct = ef.dea(rows, id=["unit", "year"], inputs=["x1", "x2"], outputs=["y"], **opts)
        got = t[t.window == f"{a}-{b}"]
        np.testing.assert_allclose(got["efficiency"].to_numpy(), direct.scores.to_numpy(), rtol=1e-12)
        assert list(zip(got.unit, got.year)) == list(direct.scores.index)
    assert (t.status == "optimal").all()


def test_width_of_all_periods_is_the_pooled_frontier():
    df = _panel(years=(2001, 2002, 2003))
    w = ef.window(df, width=3, rts="vrs", **KW)
    pooled = ef.dea(df, id=["unit", "year"], inputs=["x1", "x2"], outputs=["y"], rts="vrs")
    assert w.windows == ((2001, 2003),)
    np.testing.assert_allclose(w.to_frame()["efficiency"], pooled.scores.to_numpy(), rtol=1e-12)


def test_matrix_and_summaries_follow_from_the_scores():
    df = _panel()
    w = ef.window(df, width=2, rts="vrs", **KW)
    t = w.to_frame()
    m = w.matrix()
    assert m.shape == (6 * 4, 5)
    u0 = t[t.unit == "u0"]
    assert m.loc[("u0", "2016-2017"), 2017] == u0[(u0.window == "2016-2017") & (u0.year == 2017)].efficiency.item()
    s = w.unit_summary().loc["u0"]
    e = u0.efficiency
    assert s["mean"] == pytest.approx(e.mean()) and s["range"] == pytest.approx(e.max() - e.min())
    ldw = max(g.efficiency.max() - g.efficiency.min() for _, g in u0.groupby("window"))
    ldp = max(g.efficiency.max() - g.efficiency.min() for _, g in u0.groupby("year"))
    assert s["ldw"] == pytest.approx(ldw) and s["ldp"] == pytest.approx(ldp) and s["scores"] == 8
    assert w.window_means().loc["u0", "2015-2016"] == pytest.approx(u0[u0.window == "2015-2016"].efficiency.mean())
    assert w.period_means().loc["u0", 2016] == pytest.approx(u0[u0.year == 2016].efficiency.mean())
    assert w.summary().startswith("DEA window analysis (Charnes et al. 1985): radial DEA, VRS, input orientation; "
                                  "window width 2, 4 windows (2015-2016, 2016-2017, 2017-2018, 2018-2019)")


def test_an_absent_unit_is_scored_where_present():
    df = _panel()
    df = df[~((df.unit == "u1") & (df.year == 2016))]
    t = ef.window(df, width=3, **KW).to_frame()
    assert not ((t.unit == "u1") & (t.year == 2016)).any()
    assert ((t.unit == "u1") & (t.year == 2017)).sum() == 3


@pytest.mark.parametrize("kw, err, match", [
    (dict(width=6), ef.SpecError, "width: 6 periods in a window, but the panel has 5"),
    (dict(width=0), ef.SpecError, "integer >= 1"),
    (dict(width=2, reference="x.csv"), ef.SpecError, "reference: not available in a window analysis"),
])
def test_bad_options(kw, err, match):
    with pytest.raises(err, match=match):
        ef.window(_panel(), **KW, **kw)


def test_a_unit_twice_in_a_period_is_refused():
    df = _panel()
    df = pd.concat([df, df.iloc[[3]]], ignore_index=True)
    with pytest.raises(ef.DataError, match="duplicate id .u3/2015. in row 4 and row 31"):
        ef.window(df, width=2, **KW)


def test_cli_window(tmp_path):
    path = tmp_path / "panel.csv"
    _panel().to_csv(path, index=False)
    out = tmp_path / "w.csv"
    res = CliRunner().invoke(main, ["window", str(path), "--id", "unit", "--period", "year", "--inputs", "x1,x2",
                                    "--outputs", "y", "--width", "3", "--rts", "vrs", "-o", str(out)])
    assert res.exit_code == 0, res.output
    got = pd.read_csv(out)
    want = ef.window(_panel(), width=3, rts="vrs", **KW).to_frame()
    np.testing.assert_allclose(got["efficiency"], want["efficiency"], rtol=1e-12)
    assert list(got.columns[:4]) == ["unit", "window", "window_start", "year"]
    bad = CliRunner().invoke(main, ["window", str(path), "--id", "unit", "--period", "year", "--inputs", "x1,x2",
                                    "--outputs", "y", "--width", "9"])
    assert bad.exit_code == 1 and "width: 9 periods in a window, but the panel has 5" in bad.output
