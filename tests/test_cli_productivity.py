"""``efficiency productivity``: the API's tables on the command line, the reference file reproduced, and
bad input (exit code 1 with the column and row named; 2 for usage)."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import efficiency
from cli import main

BASE = ["--id", "unit", "--period", "year", "--inputs", "x1,x2", "--outputs", "y1,y2"]


def _panel(units=6, periods=3, seed=7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(periods):
        for u in range(units):
            x = rng.uniform(1, 10, 2)
            rows.append({"unit": f"u{u}", "year": 2010 + t, "x1": x[0], "x2": x[1],
                         "y1": rng.uniform(1, 5) * (1 + 0.1 * t), "y2": rng.uniform(1, 5),
                         "w1": rng.uniform(0.5, 2), "w2": rng.uniform(0.5, 2), "p1": rng.uniform(0.5, 2),
                         "p2": rng.uniform(0.5, 2)})
    return pd.DataFrame(rows)


@pytest.fixture
def panel_csv(tmp_path):
    path = tmp_path / "panel.csv"
    _panel().to_csv(path, index=False)
    return path


def _run(args):
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.mark.parametrize("extra,kw", [([], {}),
                                      (["--index", "fare-primont", "--rts", "crs", "--orientation", "input"],
                                       {"index": "fare-primont", "rts": "crs", "orientation": "input"}),
                                      (["--index", "lowe", "--input-prices", "w1,w2", "--output-prices", "p1,p2"],
                                       {"index": "lowe", "input_prices": ["w1", "w2"], "output_prices": ["p1", "p2"]})])
@pytest.mark.parametrize("levels", [False, True])
def test_cli_equals_api(panel_csv, extra, kw, levels):
    res = _run(["productivity", panel_csv, *BASE, *extra] + (["--levels"] if levels else []))
    assert res.exit_code == 0, res.output
    got = pd.read_csv(io.StringIO(res.output))
    r = efficiency.productivity(str(panel_csv), id="unit", period="year", inputs=["x1", "x2"], outputs=["y1", "y2"],
                                **kw)
    want = r.levels() if levels else r.to_frame()
    assert list(got.columns) == list(want.columns)
    assert list(got["unit"]) == list(want["unit"]) and list(got["year"]) == list(want["year"])
    num = want.columns[2:-1]
    np.testing.assert_allclose(got[num].to_numpy(float), want[num].to_numpy(float), rtol=1e-12, equal_nan=True)
    assert got["status"].eq("optimal").all()


def test_cli_reproduces_the_reference(oracle, tmp_path):
    out = tmp_path / "fp.json"
    res = _run(["productivity", oracle / "data" / "deaR" / "EconomyLong.csv", "--id", "DMUs", "--period", "Period",
                "--inputs", "Capital,Labor", "--outputs", "GIOV", "--index", "fare-primont", "--levels",
                "-o", out, "--summary"])
    assert res.exit_code == 0, res.output
    assert "Faere-Primont TFP index" in res.output          # the summary (stderr is mixed in by CliRunner)
    got = pd.DataFrame(json.loads(out.read_text()))
    ref = pd.read_csv(oracle / "ref" / "productivity_indices" / "EconomyLong" / "fareprim_vrs_out_levels.csv")
    m = ref.merge(got, on=["DMUs", "Period"])
    assert len(m) == 155
    for pkg, ours in (("TFP", "tfp"), ("MP", "mp"), ("OME", "ome"), ("RME", "rme"), ("AO", "aggregate_output")):
        assert np.max(np.abs(m[pkg] - m[ours])) < 1e-6, pkg


@pytest.mark.parametrize("args,message", [
    (["--inputs", "x1,x9"], "unknown input column 'x9'"),
    (["--index", "lowe"], "input_prices: the Lowe index needs"),
    (["--output-prices", "p1,p2"], "takes no output prices"),
    (["--index", "lowe", "--input-prices", "w1,w2", "--output-prices", "p1,zz"], "unknown output price column 'zz'"),
])
def test_cli_bad_input(panel_csv, args, message):
    base = list(BASE)
    if "--inputs" in args:
        base = base[:4] + base[6:]
    res = _run(["productivity", panel_csv, *base, *args])
    assert res.exit_code == 1, res.output
    assert message in res.output


def test_cli_bad_period_and_duplicates(tmp_path):
    data = _panel()
    data["year"] = data["year"].astype(object)
    data.loc[4, "year"] = "x"
    path = tmp_path / "bad.csv"
    data.to_csv(path, index=False)
    res = _run(["productivity", path, *BASE])
    assert res.exit_code == 1 and "column 'year', row 5 (line 6" in res.output and "is not a number" in res.output
    dup = pd.concat([_panel(), _panel().iloc[[0]]])
    dup.to_csv(path, index=False)
    res = _run(["productivity", path, *BASE])
    assert res.exit_code == 1 and "duplicate id 'u0/2010'" in res.output
    res = _run(["productivity", path, *BASE, "--index", "fisher"])
    assert res.exit_code == 2
