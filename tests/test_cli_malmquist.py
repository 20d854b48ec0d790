"""``efficiency malmquist`` and the issue-4 bad inputs on the command line (exit code 1, named column/row)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import efficiency
from cli import main


def _panel(units=6, periods=3, seed=4) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for t in range(periods):
        for u in range(units):
            x1, x2 = rng.uniform(1, 10, 2)
            rows.append({"unit": f"u{u}", "year": 2000 + t, "x1": x1, "x2": x2,
                         "y1": rng.uniform(1, 5) * (1 + 0.1 * t), "b1": rng.uniform(1, 3)})
    return pd.DataFrame(rows)


def _run(args):
    return CliRunner().invoke(main, args)


@pytest.fixture
def panel_csv(tmp_path):
    path = tmp_path / "panel.csv"
    _panel().to_csv(path, index=False)
    return path


BASE = ["--id", "unit", "--period", "year", "--inputs", "x1,x2", "--outputs", "y1"]


@pytest.mark.parametrize("extra,kw", [([], {}),
                                      (["--kind", "base", "--base", "2001", "--rts", "vrs"],
                                       {"kind": "base", "base": 2001, "rts": "vrs"}),
                                      (["--kind", "global", "--undesirable", "b1", "--cumulative"],
                                       {"kind": "global", "undesirable": ["b1"], "cumulative": True})])
def test_cli_equals_api(panel_csv, extra, kw):
    res = _run(["malmquist", str(panel_csv), *BASE, *extra])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(io.StringIO(res.stdout))
    api = efficiency.malmquist(_panel(), id="unit", period="year", inputs=["x1", "x2"], outputs=["y1"],
                               **kw).to_frame()
    assert list(table.columns) == list(api.columns)          # id first, no index column
    assert list(table.columns[:6]) == ["unit", "period_from", "period_to", "malmquist", "effch", "techch"]
    assert (table["unit"] == api["unit"]).all() and len(table) == 6 * 2
    num = api.select_dtypes("number").columns
    np.testing.assert_allclose(table[num].to_numpy(float), api[num].to_numpy(float), rtol=1e-12, atol=1e-14)


def test_cli_json_out(panel_csv, tmp_path):
    out = tmp_path / "m.json"
    res = _run(["malmquist", str(panel_csv), *BASE, "-o", str(out), "--summary"])
    assert res.exit_code == 0, res.output
    assert "Geometric means" in res.stderr
    frame = pd.read_json(out)
    assert frame.shape[0] == 12 and frame.columns[0] == "unit"


def test_cli_duplicate_unit_period(tmp_path):
    df = _panel()
    path = tmp_path / "dup.csv"
    pd.concat([df, df.iloc[[2]]], ignore_index=True).to_csv(path, index=False)
    res = _run(["malmquist", str(path), *BASE])
    assert res.exit_code == 1
    assert "dup.csv" in res.stderr and "'unit'" in res.stderr and "'year'" in res.stderr and "row 3" in res.stderr


def test_cli_non_numeric_period(tmp_path):
    df = _panel().astype({"year": object})
    df.loc[4, "year"] = "2001x"
    path = tmp_path / "p.csv"
    df.to_csv(path, index=False)
    res = _run(["malmquist", str(path), *BASE])
    assert res.exit_code == 1
    assert "column 'year', row 5" in res.stderr and "'2001x'" in res.stderr


def test_cli_bad_output_also_output(panel_csv):
    res = _run(["malmquist", str(panel_csv), *BASE, "--undesirable", "y1"])
    assert res.exit_code == 1
    assert "'y1'" in res.stderr and "undesirable" in res.stderr
    res = _run(["dea", str(panel_csv), "--inputs", "x1,x2", "--outputs", "y1", "--undesirable", "y1",
                "--model", "ddf"])
    assert res.exit_code == 1
    assert "'y1'" in res.stderr and "undesirable" in res.stderr


def test_cli_direction_wrong_length(panel_csv):
    res = _run(["dea", str(panel_csv), "--inputs", "x1,x2", "--outputs", "y1", "--undesirable", "b1",
                "--model", "ddf", "--direction", "1,1"])
    assert res.exit_code == 1
    assert "direction" in res.stderr and "4" in res.stderr


def test_cli_usage_errors(panel_csv):
    assert _run(["malmquist", str(panel_csv), "--id", "unit", "--inputs", "x1", "--outputs", "y1"]).exit_code == 2
    assert _run(["malmquist", str(panel_csv), *BASE, "--kind", "chained"]).exit_code == 2
    res = _run(["malmquist", str(panel_csv), *BASE, "--base", "2001"])
    assert res.exit_code == 1 and "base" in res.stderr
